/*
 * blk.c - per device type rules, block device (spec 5.2).
 *
 * Driver side, when a request is made available: the header (16
 * device-readable bytes) and the status byte (the last device-writable
 * byte) are there, the data goes the right way for the type and has the
 * right length, sectors stay inside the capacity and the segments inside
 * seg_max / size_max / max_*_seg, as the driver read those from config
 * (the monitor keeps every config byte the driver read), and commands
 * need their features.  SECURE_ERASE segments also keep to
 * max_secure_erase_sectors, start on secure_erase_sector_alignment (and
 * end on it unless they end at the capacity: a warning, the spec only
 * says the alignment is for splitting) and carry no flag.
 *
 * Device side, when the request is used: the used len reaches the status
 * byte, the device wrote the status byte (the arena tap sees every write
 * of an in-process device; a foreign device's writes are not seen, so
 * that check runs only once some device access was tapped), its value is
 * one the spec defines, and the requests the spec answers for (a write to
 * a read-only device, unmap in a discard, unknown flags, zone requests)
 * got that answer, and lifetime metrics stay within their defined values.
 * Config: FLUSH offered with CONFIG_WCE, writeback 0 when FLUSH was not
 * negotiated, padding 0, ZONED never offered on a legacy interface, and
 * with ZONED a defined model and zero padding, and (with SECURE_ERASE too)
 * a secure erase alignment that is a multiple of zone_sectors.
 *
 * Per device, a small table remembers what each outstanding request was
 * (type, flags, where its status byte is) until it is used.  It runs
 * once per request; a device write is checked against the table of each
 * block device, which holds only the requests in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

#define BLK_PENDING 64

#define REQ_UNMAP     1u /* a segment has the unmap flag */
#define REQ_BAD_FLAGS 2u /* a segment has a flag the spec does not define */
#define REQ_RO        4u /* made while the device offered VIRTIO_BLK_F_RO */

struct blk_req {
	uint64_t status_gpa;
	uint32_t queue;
	uint16_t head;
	uint8_t live;
	uint8_t written;  /* a device write covered the status byte */
	uint8_t flags;    /* REQ_* */
	uint32_t type;
};

struct vs__blk {
	uint8_t cfg[VS_BLK_CFG_SIZE];       /* config as the driver read it */
	uint8_t known[VS_BLK_CFG_SIZE];     /* ... which bytes it read */
	int writeback_written;              /* the driver wrote writeback since reset */
	uint32_t live;                      /* live entries in req */
	uint32_t next;                      /* where the next entry may go */
	struct blk_req req[BLK_PENDING];
};

static int is_blk(const struct vs__dev *dev)
{
	return dev->device_id_known && dev->device_id == VIRTIO_ID_BLOCK;
}

static struct vs__blk *blk_state(struct vs__dev *dev)
{
	if (!dev->blk && is_blk(dev))
		dev->blk = calloc(1, sizeof(*dev->blk));
	return dev->blk;
}

void vs__blk_free(struct vs__dev *dev)
{
	free(dev->blk);
	dev->blk = NULL;
}

void vs__blk_reset(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__blk *b = dev->blk;

	(void)mon;
	if (!b)
		return;
	memset(b, 0, sizeof(*b));
}

static int offered(const struct vs__dev *dev, unsigned bit)
{
	return (dev->offered_known & 1u) && (dev->offered[0] >> bit) & 1u;
}

static int negotiated(const struct vs__dev *dev, unsigned bit)
{
	return (vs__dev_features(dev) >> bit) & 1u;
}

/* A config field the driver read, whole: 1 and *val, else 0. */
static int cfg_field(const struct vs__blk *b, uint32_t off, unsigned width, uint64_t *val)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++) {
		if (!b->known[off + i])
			return 0;
		v |= (uint64_t)b->cfg[off + i] << (8 * i);
	}
	*val = v;
	return 1;
}

/* What the device offered: spec dev.blk.device-initialization.1 and .5. */
static void check_offer(struct vs_monitor *mon, struct vs__dev *dev)
{
	if (offered(dev, VIRTIO_BLK_F_CONFIG_WCE) && !offered(dev, VIRTIO_BLK_F_FLUSH))
		vs__violate(mon, dev, -1, VS_R_BLK_FLUSH_OFFER,
			    "device features 0x%08x: CONFIG_WCE without FLUSH", dev->offered[0]);
	if (offered(dev, VIRTIO_BLK_F_ZONED) && vs__dev_legacy_iface(dev))
		vs__violate(mon, dev, -1, VS_R_BLK_ZONED_LEGACY,
			    "device features 0x%08x on a legacy interface", dev->offered[0]);
}

#define BLK_CFG_ZONED_MODEL   (VS_BLK_CFG_ZONED + 20u)
#define BLK_CFG_ZONED_UNUSED2 (VS_BLK_CFG_ZONED + 21u)
#define BLK_Z_HA 2u /* VIRTIO_BLK_Z_HA: the largest model value */

/* The zoned characteristics, once the driver read them with ZONED
 * negotiated: spec dev.blk.device-initialization.8 and .14. */
static void check_zoned(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__blk *b)
{
	uint64_t model, pad;

	if (!negotiated(dev, VIRTIO_BLK_F_ZONED) || !cfg_field(b, BLK_CFG_ZONED_MODEL, 1, &model))
		return;
	if (model > BLK_Z_HA)
		vs__violate(mon, dev, -1, VS_R_BLK_ZONED_MODEL, "zoned model %llu",
			    (unsigned long long)model);
	else if (model != 0 && cfg_field(b, BLK_CFG_ZONED_UNUSED2, 3, &pad) && pad)
		vs__violate(mon, dev, -1, VS_R_BLK_ZONED_PADDING,
			    "zoned model %llu, unused2 reads 0x%06llx", (unsigned long long)model,
			    (unsigned long long)pad);
}

/* spec dev.blk.device-operation.37: with ZONED and SECURE_ERASE, the
 * secure erase alignment is a whole number of zones. */
static void check_zone_alignment(struct vs_monitor *mon, struct vs__dev *dev,
				 const struct vs__blk *b)
{
	uint64_t align, zone;

	if (!negotiated(dev, VIRTIO_BLK_F_ZONED) || !negotiated(dev, VIRTIO_BLK_F_SECURE_ERASE) ||
	    !cfg_field(b, VS_BLK_CFG_SE_ALIGNMENT, 4, &align) ||
	    !cfg_field(b, VS_BLK_CFG_ZONE_SECTORS, 4, &zone) || zone == 0)
		return;
	if (align % zone)
		vs__violate(mon, dev, -1, VS_R_BLK_SECURE_ERASE_ZONE_ALIGNMENT,
			    "secure_erase_sector_alignment %llu, zone_sectors %llu",
			    (unsigned long long)align, (unsigned long long)zone);
}

void vs__blk_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			 unsigned width, uint64_t val)
{
	struct vs__blk *b = blk_state(dev);
	uint64_t wb;

	if (!b)
		return;
	check_offer(mon, dev);
	for (unsigned i = 0; i < width && off + i < VS_BLK_CFG_SIZE; i++) {
		uint32_t at = off + i;
		uint8_t byte = (uint8_t)(val >> (8 * i));

		b->cfg[at] = byte;
		b->known[at] = 1;
		/* spec dev.blk.device-initialization.3 */
		if (byte && (at == VS_BLK_CFG_UNUSED0 ||
			     (at >= VS_BLK_CFG_UNUSED1 && at < VS_BLK_CFG_UNUSED1 + 3)))
			vs__violate(mon, dev, -1, VS_R_BLK_PADDING,
				    "config byte %u (padding) reads 0x%02x", at, byte);
	}
	check_zoned(mon, dev, b);
	check_zone_alignment(mon, dev, b);
	if (off > VS_BLK_CFG_WRITEBACK || off + width <= VS_BLK_CFG_WRITEBACK)
		return;
	/* spec drv.blk.device-initialization.4 (legacy: allowed, 5.2.5.3) */
	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && !vs__dev_legacy_iface(dev))
		vs__violate(mon, dev, -1, VS_R_BLK_WRITEBACK_EARLY,
			    "writeback read at 0x%x (%u bytes) with status 0x%02x", off, width,
			    dev->status);
	/* spec dev.blk.device-initialization.2 */
	else if ((dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && !b->writeback_written &&
		 negotiated(dev, VIRTIO_BLK_F_CONFIG_WCE) && !negotiated(dev, VIRTIO_BLK_F_FLUSH) &&
		 cfg_field(b, VS_BLK_CFG_WRITEBACK, 1, &wb) && wb != 0)
		vs__violate(mon, dev, -1, VS_R_BLK_WRITEBACK_INIT,
			    "writeback reads %llu with CONFIG_WCE and without FLUSH",
			    (unsigned long long)wb);
}

void vs__blk_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, uint64_t val)
{
	struct vs__blk *b = blk_state(dev);

	(void)mon;
	if (!b)
		return;
	for (unsigned i = 0; i < width && off + i < VS_BLK_CFG_SIZE; i++) {
		if (off + i == VS_BLK_CFG_WRITEBACK)
			b->writeback_written = 1;
		b->cfg[off + i] = (uint8_t)(val >> (8 * i));
		b->known[off + i] = 1;
	}
}

void vs__blk_device_write(struct vs_monitor *mon, struct vs__dev *dev, uint64_t gpa,
			  uint64_t len)
{
	struct vs__blk *b = dev->blk;

	(void)mon;
	if (!b || !b->live)
		return;
	for (unsigned i = 0; i < BLK_PENDING; i++) {
		struct blk_req *r = &b->req[i];

		if (r->live && r->status_gpa >= gpa && r->status_gpa - gpa < len)
			r->written = 1;
	}
}

/* ---- the chain ---- */

/* Bytes of one direction of a chain (tables left out). */
struct blk_view {
	const struct vs__chain *c;
	int writable;
	uint64_t total;
};

static void view_init(struct blk_view *v, const struct vs__chain *c, int writable)
{
	v->c = c;
	v->writable = writable;
	v->total = 0;
	for (uint32_t s = 0; s < c->nseg; s++)
		if (!c->seg[s].table && !!c->seg[s].writable == writable)
			v->total += c->seg[s].len;
}

/* Copy [off, off + len) of the view out of guest memory; 0 or -1. */
static int view_read(struct vs_monitor *mon, const struct blk_view *v, uint64_t off, void *dst,
		     uint64_t len)
{
	uint64_t pos = 0;
	uint8_t *out = dst;

	for (uint32_t s = 0; s < v->c->nseg && len; s++) {
		const struct vs__seg *sg = &v->c->seg[s];
		uint64_t skip, n;

		if (sg->table || !!sg->writable != v->writable)
			continue;
		if (off >= pos + sg->len) {
			pos += sg->len;
			continue;
		}
		skip = off > pos ? off - pos : 0;
		n = sg->len - skip < len ? sg->len - skip : len;
		if (vs__mem_read(mon, sg->gpa + skip, out, n))
			return -1;
		out += n;
		off += n;
		len -= n;
		pos += sg->len;
	}
	return len ? -1 : 0;
}

/* Segments of the view inside [from, from + len), and the longest piece. */
static uint32_t view_segs(const struct blk_view *v, uint64_t from, uint64_t len, uint64_t *longest)
{
	uint64_t pos = 0;
	uint32_t n = 0;

	*longest = 0;
	for (uint32_t s = 0; s < v->c->nseg; s++) {
		const struct vs__seg *sg = &v->c->seg[s];
		uint64_t lo = pos, hi;

		if (sg->table || !!sg->writable != v->writable)
			continue;
		hi = pos + sg->len;
		pos = hi;
		if (hi <= from || lo >= from + len)
			continue;
		lo = lo < from ? from : lo;
		hi = hi > from + len ? from + len : hi;
		n++;
		if (hi - lo > *longest)
			*longest = hi - lo;
	}
	return n;
}

/* The guest address of the last writable byte, or 0 when none. */
static uint64_t status_gpa(const struct vs__chain *c)
{
	for (uint32_t s = c->nseg; s-- > 0;)
		if (!c->seg[s].table && c->seg[s].writable && c->seg[s].len)
			return c->seg[s].gpa + c->seg[s].len - 1;
	return 0;
}

static void check_range(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__blk *b,
			struct vs__queue *q, uint16_t head, uint64_t sector, uint64_t n)
{
	uint64_t cap;

	/* spec drv.blk.device-operation.2 */
	if (cfg_field(b, VS_BLK_CFG_CAPACITY, 8, &cap) && (sector > cap || n > cap - sector))
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_BEYOND_CAPACITY,
			    "queue %u head %u: sectors %llu+%llu, capacity %llu", q->index, head,
			    (unsigned long long)sector, (unsigned long long)n, (unsigned long long)cap);
}

/* The data segments of a read or write against seg_max and size_max. */
static void check_segs(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__blk *b,
		       struct vs__queue *q, uint16_t head, const struct blk_view *v, uint64_t from,
		       uint64_t len)
{
	uint64_t longest, lim;
	uint32_t n = view_segs(v, from, len, &longest);

	if (negotiated(dev, VIRTIO_BLK_F_SEG_MAX) && cfg_field(b, VS_BLK_CFG_SEG_MAX, 4, &lim) &&
	    n > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SEG_MAX,
			    "queue %u head %u: %u data segments, seg_max %llu", q->index, head, n,
			    (unsigned long long)lim);
	if (negotiated(dev, VIRTIO_BLK_F_SIZE_MAX) && cfg_field(b, VS_BLK_CFG_SIZE_MAX, 4, &lim) &&
	    longest > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SIZE_MAX,
			    "queue %u head %u: a %llu-byte data segment, size_max %llu", q->index, head,
			    (unsigned long long)longest, (unsigned long long)lim);
}

/* One SECURE_ERASE segment against the limits the driver read, once the
 * feature is negotiated. */
static void check_secure_erase_seg(struct vs_monitor *mon, struct vs__dev *dev,
				   const struct vs__blk *b, struct vs__queue *q, uint16_t head,
				   uint64_t i, uint64_t sector, uint64_t n, uint32_t flags)
{
	uint64_t lim, align, cap;

	if (flags)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SECURE_ERASE_FLAGS,
			    "queue %u head %u: segment %llu flags 0x%x", q->index, head,
			    (unsigned long long)i, flags);
	if (!negotiated(dev, VIRTIO_BLK_F_SECURE_ERASE))
		return;
	if (cfg_field(b, VS_BLK_CFG_MAX_SE_SECTORS, 4, &lim) && n > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SECURE_ERASE_SECTORS_MAX,
			    "queue %u head %u: segment %llu of %llu sectors, max_secure_erase_sectors "
			    "%llu", q->index, head, (unsigned long long)i, (unsigned long long)n,
			    (unsigned long long)lim);
	if (!cfg_field(b, VS_BLK_CFG_SE_ALIGNMENT, 4, &align) || align <= 1)
		return;
	/* the last range of a disk whose size is not aligned ends at it */
	if (sector % align ||
	    ((sector + n) % align &&
	     !(cfg_field(b, VS_BLK_CFG_CAPACITY, 8, &cap) && sector + n == cap)))
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SECURE_ERASE_ALIGNMENT,
			    "queue %u head %u: segment %llu sectors %llu+%llu, "
			    "secure_erase_sector_alignment %llu", q->index, head,
			    (unsigned long long)i, (unsigned long long)sector, (unsigned long long)n,
			    (unsigned long long)align);
}

/* DISCARD / WRITE_ZEROES / SECURE_ERASE: the segments; returns REQ_* flags seen. */
static uint8_t check_ranges(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__blk *b,
			    struct vs__queue *q, uint16_t head, const struct blk_view *rd,
			    uint32_t type)
{
	int discard = type == VIRTIO_BLK_T_DISCARD;
	uint64_t data = rd->total - VS_BLK_HDR_SIZE, nseg = data / VS_BLK_SEG_SIZE, lim;
	uint8_t seg[VS_BLK_SEG_SIZE], flags = 0;

	/* spec drv.blk.device-operation.7 */
	if (data == 0 || data % VS_BLK_SEG_SIZE) {
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SEGMENT_LEN,
			    "queue %u head %u: type %u with %llu data bytes", q->index, head, type,
			    (unsigned long long)data);
		return 0;
	}
	/* spec drv.blk.device-operation.9 / .11 / .10 */
	if (discard && cfg_field(b, VS_BLK_CFG_MAX_DISCARD_SEG, 4, &lim) && nseg > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_DISCARD_SEG_MAX,
			    "queue %u head %u: %llu segments, max_discard_seg %llu", q->index, head,
			    (unsigned long long)nseg, (unsigned long long)lim);
	if (type == VIRTIO_BLK_T_WRITE_ZEROES && cfg_field(b, VS_BLK_CFG_MAX_WZ_SEG, 4, &lim) &&
	    nseg > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_WRITE_ZEROES_SEG_MAX,
			    "queue %u head %u: %llu segments, max_write_zeroes_seg %llu", q->index,
			    head, (unsigned long long)nseg, (unsigned long long)lim);
	if (type == VIRTIO_BLK_T_SECURE_ERASE && cfg_field(b, VS_BLK_CFG_MAX_SE_SEG, 4, &lim) &&
	    nseg > lim)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_SECURE_ERASE_SEG_MAX,
			    "queue %u head %u: %llu segments, max_secure_erase_seg %llu", q->index,
			    head, (unsigned long long)nseg, (unsigned long long)lim);
	for (uint64_t i = 0; i < nseg && i < 256; i++) {
		uint32_t f;

		if (view_read(mon, rd, VS_BLK_HDR_SIZE + i * VS_BLK_SEG_SIZE, seg, sizeof(seg)))
			break;
		f = vs_le32(seg + VS_BLK_SEG_FLAGS);
		if (f & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
			flags |= REQ_UNMAP;
		if (f & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
			flags |= REQ_BAD_FLAGS;
		/* spec drv.blk.device-operation.14 */
		if (discard && (f & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_DISCARD_UNMAP,
				    "queue %u head %u: segment %llu flags 0x%x", q->index, head,
				    (unsigned long long)i, f);
		check_range(mon, dev, b, q, head, vs_le64(seg + VS_BLK_SEG_SECTOR),
			    vs_le32(seg + VS_BLK_SEG_NUM));
		if (type == VIRTIO_BLK_T_SECURE_ERASE)
			check_secure_erase_seg(mon, dev, b, q, head, i, vs_le64(seg + VS_BLK_SEG_SECTOR),
					       vs_le32(seg + VS_BLK_SEG_NUM), f);
	}
	return flags;
}

static int is_zone_type(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_ZONE_APPEND:
	case VIRTIO_BLK_T_ZONE_REPORT:
	case VIRTIO_BLK_T_ZONE_OPEN:
	case VIRTIO_BLK_T_ZONE_CLOSE:
	case VIRTIO_BLK_T_ZONE_FINISH:
	case VIRTIO_BLK_T_ZONE_RESET:
	case VIRTIO_BLK_T_ZONE_RESET_ALL:
		return 1;
	default:
		return 0;
	}
}

#define FRAMING(fmt, ...)                                                               \
	vs__violate(mon, dev, (int)q->index, VS_R_BLK_REQUEST_FRAMING, "queue %u head %u: " fmt, \
		    q->index, head, __VA_ARGS__)

/* Driver-side checks of one request; returns its REQ_* flags. */
static uint8_t check_request(struct vs_monitor *mon, struct vs__dev *dev, struct vs__blk *b,
			     struct vs__queue *q, uint16_t head, const struct blk_view *rd,
			     const struct blk_view *wr, uint32_t type, uint64_t sector)
{
	uint64_t out_data = rd->total - VS_BLK_HDR_SIZE, in_data = wr->total - 1;
	int legacy = vs__dev_legacy_iface(dev);
	uint8_t flags = offered(dev, VIRTIO_BLK_F_RO) ? REQ_RO : 0;

	if (type == VIRTIO_BLK_T_FLUSH_OUT && legacy)
		type = VIRTIO_BLK_T_FLUSH; /* the legacy synonym (5.2.6.3) */
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		int in = type == VIRTIO_BLK_T_IN;
		uint64_t data = in ? in_data : out_data;

		if (in ? out_data : in_data)
			FRAMING("%s with %llu %s data bytes", in ? "read" : "write",
				(unsigned long long)(in ? out_data : in_data),
				in ? "device-readable" : "device-writable");
		/* spec drv.blk.device-operation.6 */
		if (data % VIRTIO_BLK_SECTOR_SIZE)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_DATA_LEN,
				    "queue %u head %u: %s of %llu bytes", q->index, head,
				    in ? "read" : "write", (unsigned long long)data);
		if (!in && (flags & REQ_RO))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_READ_ONLY_WRITE,
				    "queue %u head %u: write at sector %llu", q->index, head,
				    (unsigned long long)sector);
		check_range(mon, dev, b, q, head, sector, data / VIRTIO_BLK_SECTOR_SIZE);
		check_segs(mon, dev, b, q, head, in ? wr : rd, in ? 0 : VS_BLK_HDR_SIZE, data);
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		if (!negotiated(dev, VIRTIO_BLK_F_FLUSH))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_COMMAND_NOT_NEGOTIATED,
				    "queue %u head %u: FLUSH without VIRTIO_BLK_F_FLUSH", q->index,
				    head);
		/* spec drv.blk.device-operation.4 and .5 */
		if (sector)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_FLUSH_SECTOR,
				    "queue %u head %u: sector %llu", q->index, head,
				    (unsigned long long)sector);
		if (out_data || in_data)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_FLUSH_DATA,
				    "queue %u head %u: %llu readable, %llu writable data bytes",
				    q->index, head, (unsigned long long)out_data,
				    (unsigned long long)in_data);
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (out_data)
			FRAMING("GET_ID with %llu device-readable data bytes",
				(unsigned long long)out_data);
		/* spec drv.blk.device-operation.8 */
		if (in_data != VIRTIO_BLK_ID_BYTES)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_GET_ID_LEN,
				    "queue %u head %u: %llu bytes for the id", q->index, head,
				    (unsigned long long)in_data);
		break;
	case VIRTIO_BLK_T_GET_LIFETIME:
		if (!negotiated(dev, VIRTIO_BLK_F_LIFETIME))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_COMMAND_NOT_NEGOTIATED,
				    "queue %u head %u: GET_LIFETIME without VIRTIO_BLK_F_LIFETIME",
				    q->index, head);
		if (out_data || in_data != VS_BLK_LIFETIME_SIZE)
			FRAMING("GET_LIFETIME with %llu device-readable and %llu device-writable data "
				"bytes (struct virtio_blk_lifetime: 0 and %u)",
				(unsigned long long)out_data, (unsigned long long)in_data,
				VS_BLK_LIFETIME_SIZE);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
	case VIRTIO_BLK_T_SECURE_ERASE: {
		unsigned bit = type == VIRTIO_BLK_T_DISCARD	   ? VIRTIO_BLK_F_DISCARD
			       : type == VIRTIO_BLK_T_WRITE_ZEROES ? VIRTIO_BLK_F_WRITE_ZEROES
								   : VIRTIO_BLK_F_SECURE_ERASE;

		if (!negotiated(dev, bit))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_COMMAND_NOT_NEGOTIATED,
				    "queue %u head %u: type %u without feature %u", q->index, head,
				    type, bit);
		if (in_data)
			FRAMING("type %u with %llu device-writable data bytes", type,
				(unsigned long long)in_data);
		if (flags & REQ_RO)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_READ_ONLY_WRITE,
				    "queue %u head %u: type %u", q->index, head, type);
		flags |= check_ranges(mon, dev, b, q, head, rd, type);
		break;
	}
	case VIRTIO_BLK_T_ZONE_RESET_ALL:
		/* spec drv.blk.device-operation.21 */
		if (sector)
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_ZONE_RESET_ALL_SECTOR,
				    "queue %u head %u: sector %llu", q->index, head,
				    (unsigned long long)sector);
		break;
	default:
		break;
	}
	return flags;
}

void vs__blk_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, const struct vs__chain *c)
{
	struct vs__blk *b = blk_state(dev);
	struct blk_view rd, wr;
	uint8_t hdr[VS_BLK_HDR_SIZE];
	struct blk_req *slot = NULL;
	uint32_t type;
	uint8_t flags;

	if (!b)
		return;
	check_offer(mon, dev);
	view_init(&rd, c, 0);
	view_init(&wr, c, 1);
	if (rd.total < VS_BLK_HDR_SIZE || wr.total < 1) {
		FRAMING("%llu device-readable and %llu device-writable bytes: need a %u-byte header "
			"and a status byte", (unsigned long long)rd.total, (unsigned long long)wr.total,
			VS_BLK_HDR_SIZE);
		return;
	}
	if (view_read(mon, &rd, 0, hdr, sizeof(hdr)))
		return;
	type = vs_le32(hdr + VS_BLK_HDR_TYPE);
	flags = check_request(mon, dev, b, q, head, &rd, &wr, type, vs_le64(hdr + VS_BLK_HDR_SECTOR));

	/* Remember it until used: the same head again replaces it, else a
	 * free slot, else the oldest guess is overwritten (that request is
	 * then judged without the device-write evidence). */
	for (unsigned i = 0; i < BLK_PENDING; i++) {
		struct blk_req *r = &b->req[i];

		if (r->live && r->queue == q->index && r->head == head) {
			slot = r;
			break;
		}
		if (!slot && !r->live)
			slot = r;
	}
	if (!slot)
		slot = &b->req[b->next++ % BLK_PENDING];
	if (!slot->live)
		b->live++;
	slot->live = 1;
	slot->written = 0;
	slot->queue = q->index;
	slot->head = head;
	slot->type = type;
	slot->flags = flags;
	slot->status_gpa = status_gpa(c);
}

static int status_valid(const struct vs__dev *dev, uint8_t st)
{
	if (st <= VIRTIO_BLK_S_UNSUPP)
		return 1;
	return negotiated(dev, VIRTIO_BLK_F_ZONED) && st <= VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE;
}

void vs__blk_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		  uint16_t head, const struct vs__chain *c, uint32_t len)
{
	struct vs__blk *b = blk_state(dev);
	struct blk_req *r = NULL;
	struct blk_view wr;
	uint64_t gpa;
	uint8_t st;

	if (!b)
		return;
	for (unsigned i = 0; i < BLK_PENDING; i++)
		if (b->req[i].live && b->req[i].queue == q->index && b->req[i].head == head)
			r = &b->req[i];
	if (r) {
		r->live = 0;
		b->live--;
	}
	view_init(&wr, c, 1);
	gpa = status_gpa(c);
	if (!wr.total || !gpa)
		return; /* no status byte: the driver's fault, named at avail */
	/* The status byte is the last writable byte (legacy devices may
	 * report other lengths, 5.2.6.3). */
	if (!vs__dev_legacy_iface(dev) && len < wr.total)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_USED_LEN,
			    "queue %u head %u: used len %u, the status byte is byte %llu of %llu "
			    "writable", q->index, head, len, (unsigned long long)(wr.total - 1),
			    (unsigned long long)wr.total);
	/* Device writes are seen only for devices in this process: once
	 * any device access was tapped, a status byte never written is the
	 * device's fault. */
	if (r && r->status_gpa == gpa && !r->written && mon->access_no) {
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_STATUS_NOT_WRITTEN,
			    "queue %u head %u: completed, status byte at 0x%llx never written",
			    q->index, head, (unsigned long long)gpa);
		return;
	}
	if (vs__mem_read(mon, gpa, &st, 1))
		return;
	if (!status_valid(dev, st)) {
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_STATUS_VALUE,
			    "queue %u head %u: status 0x%02x", q->index, head, st);
		return;
	}
	if (!r)
		return;
	/* spec dev.blk.device-operation.3 */
	if (r->type == VIRTIO_BLK_T_OUT && (r->flags & REQ_RO) && st != VIRTIO_BLK_S_IOERR)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_READ_ONLY_STATUS,
			    "queue %u head %u: write on a read-only device, status %u", q->index, head,
			    st);
	/* spec dev.blk.device-operation.4 and .5 */
	if ((r->type == VIRTIO_BLK_T_DISCARD || r->type == VIRTIO_BLK_T_WRITE_ZEROES ||
	     r->type == VIRTIO_BLK_T_SECURE_ERASE) && (r->flags & REQ_BAD_FLAGS) &&
	    st != VIRTIO_BLK_S_UNSUPP)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_UNKNOWN_FLAGS_STATUS,
			    "queue %u head %u: type %u with unknown flags, status %u", q->index, head,
			    r->type, st);
	else if (r->type == VIRTIO_BLK_T_DISCARD && (r->flags & REQ_UNMAP) &&
		 st != VIRTIO_BLK_S_UNSUPP)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_UNMAP_STATUS,
			    "queue %u head %u: discard with unmap, status %u", q->index, head, st);
	/* spec dev.blk.device-operation.15: pre_eol_info 0..3, estimates 0..11 */
	if (r->type == VIRTIO_BLK_T_GET_LIFETIME && st == VIRTIO_BLK_S_OK && wr.total >= 7) {
		uint8_t lt[6];

		if (!view_read(mon, &wr, 0, lt, sizeof(lt)) &&
		    (vs_le16(lt) > 3 || vs_le16(lt + 2) > 11 || vs_le16(lt + 4) > 11))
			vs__violate(mon, dev, (int)q->index, VS_R_BLK_LIFETIME_VALUES,
				    "queue %u head %u: pre_eol_info %u, estimates %u and %u", q->index,
				    head, vs_le16(lt), vs_le16(lt + 2), vs_le16(lt + 4));
	}
	/* spec dev.blk.device-operation.16 */
	if (is_zone_type(r->type) && !negotiated(dev, VIRTIO_BLK_F_ZONED) &&
	    st != VIRTIO_BLK_S_UNSUPP)
		vs__violate(mon, dev, (int)q->index, VS_R_BLK_ZONE_STATUS,
			    "queue %u head %u: zone request type %u, status %u", q->index, head,
			    r->type, st);
}
