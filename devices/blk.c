/*
 * blk.c - the block device (spec 5.2): capacity sectors of 512 bytes in a
 * memory or file store (blk_store.h), one request queue or, with
 * VIRTIO_BLK_F_MQ, num_queues of them.
 *
 * A request is one chain: a 16-byte device-readable header (type,
 * reserved, sector), data (device-readable for OUT, DISCARD, WRITE_ZEROES
 * and SECURE_ERASE, device-writable for IN, GET_ID and GET_LIFETIME), and
 * the status byte, the chain's last device-writable byte.  Everything in
 * it is the driver's input: each request is checked (header length, a
 * status byte, data direction and length for its type, sectors inside the
 * capacity, segment count and size, segment flags, secure erase
 * alignment) and answered with IOERR or UNSUPP when it is wrong, never by
 * trusting it.
 *
 * SECURE_ERASE zeroes its segments like WRITE_ZEROES, with limits of its
 * own (max_secure_erase_sectors per segment, max_secure_erase_seg
 * segments, each starting on a multiple of secure_erase_sector_alignment
 * and ending on one or at the capacity), and is stable before it
 * completes whatever the cache mode: erased data must not survive in a
 * cache.  It knows no flag: unmap is defined for WRITE_ZEROES only.
 *
 * GET_LIFETIME reports a wear model of flash cells (deterministic, from
 * the writes done): the device counts the sectors it programmed (every
 * successful OUT, WRITE_ZEROES and SECURE_ERASE; not DISCARD or reads),
 * starting from params blk_worn and kept across resets.  The MLC cells
 * are rated for E = blk_endurance sectors (default 16 x capacity), the
 * SLC cells for 4 E.  With p programmed sectors and rating R, an estimate
 * is 11 (exceeded) when p > R, else min(10, 1 + 10 p / R): 1 means 0-10%
 * of the rated life used.  device_lifetime_est_typ_b uses R = E, typ_a
 * R = 4 E.  The reserved blocks are taken to be consumed at the MLC
 * rate, 100 p / E percent: pre_eol_info is NORMAL below 80%, WARNING
 * below 90%, URGENT from there on; never UNDEFINED or a reserved value
 * (spec dev.blk.device-operation.15).  The answer is made when the
 * request completes, so with a file store it counts every request popped
 * before it.
 *
 * The device always reports used len = every device-writable byte: data
 * it read into an IN request, or zeros where a failed request carried no
 * data, and the status byte (spec dev.basic.virtqueues.virtqueue-used-ring.2:
 * the device writes at least len bytes).
 *
 * With a memory store a request completes inside the queue handler.  With
 * a file store every request goes through one FIFO per device, in the
 * order popped, and the head waits for its file operation: completions
 * come back in order (VIRTIO_F_IN_ORDER holds) and a run does not depend
 * on the thread pool's timing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/blk_store.h"
#include "devices/internal.h"

#define LOG_SUBSYS "blk"

#define BLK_DEFAULT_CAPACITY 2048u   /* sectors: 1 MiB */
#define BLK_MAX_CAPACITY (1ull << 24) /* sectors: 8 GiB */
#define BLK_DEFAULT_SEG_MAX 16u
#define BLK_SIZE_MAX 65536u          /* largest data segment, bytes */
#define BLK_MAX_QUEUES 64u
#define BLK_MAX_DISCARD_SECTORS 4096u
#define BLK_MAX_DISCARD_SEG 4u
#define BLK_DISCARD_ALIGNMENT 8u
#define BLK_MAX_WZ_SECTORS 4096u
#define BLK_MAX_WZ_SEG 4u
#define BLK_MAX_SE_SECTORS 1024u
#define BLK_MAX_SE_SEG 2u
#define BLK_SE_ALIGNMENT 8u           /* sectors: the 4 KiB physical block */
#define BLK_ENDURANCE_PER_SECTOR 16u  /* default MLC rating: full-disk writes */
#define BLK_SLC_FACTOR 4u             /* SLC cells endure this many times more */
#define BLK_MAX_WEAR_PARAM (1ull << 53)
#define BLK_WEAR_CAP (1ull << 56)     /* the count saturates: 100 x it fits */
#define BLK_MAX_DATA (64u << 20)      /* bytes one read or write may move */
#define BLK_DEFAULT_SERIAL "virtiosim-blk"
#define BLK_BAD_STATUS 0x7f          /* VS_FAULT_DEV_BLK_BAD_STATUS writes this */

struct blk_state;

/* One request between pop and push. */
struct blk_req {
	struct blk_state *st;
	struct vs_vq *vq;
	struct vs_vq_elem elem;
	uint32_t type;
	uint64_t sector;
	uint8_t status;          /* VIRTIO_BLK_S_*: what the checks decided */
	int has_status;          /* the chain has a device-writable byte */
	uint64_t in_data;        /* device-writable bytes before the status byte */
	uint8_t *bounce;         /* IN / OUT data, GET_ID string */
	uint64_t bounce_len;
	struct vs_blk_range *ranges; /* DISCARD / WRITE_ZEROES / SECURE_ERASE */
	uint64_t wear;           /* sectors programmed when it succeeds */
	struct vs_blk_io io;
	struct blk_req *next;    /* FIFO */
};

struct blk_state {
	struct vs_vdev *vdev;
	struct vs_blk_store *store;
	uint64_t capacity;       /* sectors */
	uint32_t seg_max;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint64_t ioerr_first, ioerr_count;
	uint64_t endurance;      /* sectors the MLC cells are rated for */
	uint64_t programmed;     /* sectors programmed so far (saturates) */
	/* file store: requests in pop order; the head's I/O is in flight
	 * when busy */
	struct blk_req *head, *tail;
	int busy;
};

static unsigned blk_num_queues_for(const struct vs_device_params *p)
{
	if (!p || p->blk_queues == 0)
		return 1;
	return p->blk_queues > BLK_MAX_QUEUES ? BLK_MAX_QUEUES : p->blk_queues;
}

static void cfg_put8(struct vs_vdev *vdev, uint32_t off, uint8_t v)
{
	vdev->config[off] = v;
}

static void cfg_put16(struct vs_vdev *vdev, uint32_t off, uint16_t v)
{
	vs_put_le16(vdev->config + off, v);
}

static void cfg_put32(struct vs_vdev *vdev, uint32_t off, uint32_t v)
{
	vs_put_le32(vdev->config + off, v);
}

/* The config space after creation and after a reset. */
static void blk_config_defaults(struct vs_vdev *vdev)
{
	struct blk_state *st = vdev->priv;
	uint64_t cyl = st->capacity / (16 * 63);

	memset(vdev->config, 0, vdev->config_size);
	vs_put_le64(vdev->config + VS_BLK_CFG_CAPACITY, st->capacity);
	cfg_put32(vdev, VS_BLK_CFG_SIZE_MAX, BLK_SIZE_MAX);
	cfg_put32(vdev, VS_BLK_CFG_SEG_MAX, st->seg_max);
	cfg_put16(vdev, VS_BLK_CFG_CYLINDERS, (uint16_t)(cyl > 0xffff ? 0xffff : cyl));
	cfg_put8(vdev, VS_BLK_CFG_HEADS, 16);
	cfg_put8(vdev, VS_BLK_CFG_SECTORS, 63);
	cfg_put32(vdev, VS_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
	cfg_put8(vdev, VS_BLK_CFG_PHYSICAL_BLOCK_EXP, 3); /* 4 KiB physical blocks */
	cfg_put8(vdev, VS_BLK_CFG_ALIGNMENT_OFFSET, 0);
	cfg_put16(vdev, VS_BLK_CFG_MIN_IO_SIZE, 1);
	cfg_put32(vdev, VS_BLK_CFG_OPT_IO_SIZE, 128);
	/* spec 5.2.5: after reset either mode; this device starts writeback
	 * (validate_features drops it when FLUSH is not negotiated). */
	cfg_put8(vdev, VS_BLK_CFG_WRITEBACK, 1);
	/* spec dev.blk.device-initialization.3: unused0 and unused1 stay 0
	 * (the memset). */
	cfg_put16(vdev, VS_BLK_CFG_NUM_QUEUES, (uint16_t)vdev->num_queues);
	cfg_put32(vdev, VS_BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_DISCARD_SECTORS);
	cfg_put32(vdev, VS_BLK_CFG_MAX_DISCARD_SEG, BLK_MAX_DISCARD_SEG);
	cfg_put32(vdev, VS_BLK_CFG_DISCARD_ALIGNMENT, BLK_DISCARD_ALIGNMENT);
	cfg_put32(vdev, VS_BLK_CFG_MAX_WZ_SECTORS, BLK_MAX_WZ_SECTORS);
	cfg_put32(vdev, VS_BLK_CFG_MAX_WZ_SEG, BLK_MAX_WZ_SEG);
	cfg_put8(vdev, VS_BLK_CFG_WZ_MAY_UNMAP, 1);
	cfg_put32(vdev, VS_BLK_CFG_MAX_SE_SECTORS, BLK_MAX_SE_SECTORS);
	cfg_put32(vdev, VS_BLK_CFG_MAX_SE_SEG, BLK_MAX_SE_SEG);
	cfg_put32(vdev, VS_BLK_CFG_SE_ALIGNMENT, BLK_SE_ALIGNMENT);
}

static int blk_init(struct vs_vdev *vdev)
{
	const struct vs_device_params *p = &vdev->params;
	struct blk_state *st;
	const char *serial;
	int err;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->vdev = vdev;
	st->capacity = p->blk_capacity ? p->blk_capacity : BLK_DEFAULT_CAPACITY;
	st->seg_max = p->blk_seg_max ? p->blk_seg_max : BLK_DEFAULT_SEG_MAX;
	st->endurance = p->blk_endurance ? p->blk_endurance
					 : st->capacity * BLK_ENDURANCE_PER_SECTOR;
	st->programmed = p->blk_worn;
	if (st->capacity > BLK_MAX_CAPACITY || st->seg_max > VS_VQ_MAX_IOV - 1 ||
	    p->blk_endurance > BLK_MAX_WEAR_PARAM || p->blk_worn > BLK_MAX_WEAR_PARAM) {
		free(st);
		return -EINVAL;
	}
	serial = p->blk_serial ? p->blk_serial : BLK_DEFAULT_SERIAL;
	/* NUL-padded, no terminator at 20 characters (spec 5.2.6). */
	strncpy(st->serial, serial, sizeof(st->serial));
	st->ioerr_first = p->blk_ioerr_first;
	st->ioerr_count = p->blk_ioerr_count;
	if (p->blk_backend_file)
		err = vs_blk_store_open_file(vdev->loop, p->blk_backend_file,
					     st->capacity * VIRTIO_BLK_SECTOR_SIZE, &st->store);
	else
		err = vs_blk_store_open_memory(st->capacity * VIRTIO_BLK_SECTOR_SIZE, &st->store);
	if (err) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: cannot open the %s store: %d", vdev->label,
		       p->blk_backend_file ? "file" : "memory", err);
		free(st);
		return err;
	}
	/* Bits that depend on the params, still subject to features_remove. */
	if (p->blk_read_only)
		vdev->features |= VS_BIT(VIRTIO_BLK_F_RO) & ~p->features_remove;
	if (vdev->num_queues > 1)
		vdev->features |= VS_BIT(VIRTIO_BLK_F_MQ) & ~p->features_remove;
	vdev->priv = st;
	blk_config_defaults(vdev);
	return 0;
}

static void blk_req_free(struct blk_req *req)
{
	free(req->bounce);
	free(req->ranges);
	free(req);
}

static void blk_fini(struct vs_vdev *vdev)
{
	struct blk_state *st = vdev->priv;
	struct blk_req *req;

	if (!st)
		return;
	/* The queues are gone: an operation in flight is waited for and its
	 * completion dropped, with everything queued behind it. */
	vs_blk_store_close(st->store);
	while ((req = st->head)) {
		st->head = req->next;
		blk_req_free(req);
	}
	free(st);
	vdev->priv = NULL;
}

static void blk_reset(struct vs_vdev *vdev)
{
	/* Requests still in the FIFO belong to the old epoch: they are
	 * dropped as they reach the head.  The config starts over. */
	blk_config_defaults(vdev);
}

/* spec dev.blk.device-initialization.2: CONFIG_WCE without FLUSH starts
 * writethrough.  Called at FEATURES_OK, the one moment the set is final. */
static int blk_validate_features(struct vs_vdev *vdev, uint64_t features)
{
	if ((features & VS_BIT(VIRTIO_BLK_F_CONFIG_WCE)) && !(features & VS_BIT(VIRTIO_BLK_F_FLUSH)))
		cfg_put8(vdev, VS_BLK_CFG_WRITEBACK, 0);
	return 0;
}

/* Only writeback is writable (5.2.5 step 5; legacy: any time, 5.2.5.3). */
static void blk_config_write(struct vs_vdev *vdev, uint32_t off, const void *buf, uint32_t len)
{
	uint8_t v = *(const uint8_t *)buf;

	if (off != VS_BLK_CFG_WRITEBACK || len != 1) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: config write of %u bytes at %u ignored (read-only)",
		       vdev->label, len, off);
		return;
	}
	if (!vs_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE) &&
	    !(vdev->bind_flags & VS_VDEV_BIND_LEGACY)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: writeback written without CONFIG_WCE, ignored",
		       vdev->label);
		return;
	}
	if (v > 1) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: writeback = %u ignored (0 or 1)", vdev->label, v);
		return;
	}
	cfg_put8(vdev, VS_BLK_CFG_WRITEBACK, v);
}

/*
 * spec 5.2.6.2 "stable writes": a write must be on stable storage when it
 * completes if FLUSH was offered but neither FLUSH nor CONFIG_WCE
 * negotiated, or CONFIG_WCE was negotiated and writeback is 0.
 */
static int blk_writethrough(const struct vs_vdev *vdev)
{
	int wce = vs_vdev_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE);

	if (wce)
		return vdev->config[VS_BLK_CFG_WRITEBACK] == 0;
	return (vdev->features & VS_BIT(VIRTIO_BLK_F_FLUSH)) &&
	       !vs_vdev_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
}

/* ---- checking a request ---- */

/* Segments of [from, from + len) in the buffers iov[0..n) and the longest
 * piece of one buffer inside it. */
static uint32_t blk_count_segs(const struct vs_iov *iov, unsigned n, uint64_t from, uint64_t len,
			       uint64_t *longest)
{
	uint64_t pos = 0;
	uint32_t segs = 0;
	unsigned i;

	*longest = 0;
	for (i = 0; i < n && len; i++) {
		uint64_t lo = pos, hi = pos + iov[i].len;

		pos = hi;
		if (hi <= from || lo >= from + len)
			continue;
		lo = lo < from ? from : lo;
		hi = hi > from + len ? from + len : hi;
		segs++;
		if (hi - lo > *longest)
			*longest = hi - lo;
	}
	return segs;
}

/* The capacity the driver sees: the config field (a config.change step
 * may shrink it), never more than the store holds. */
static uint64_t blk_capacity(const struct blk_state *st)
{
	uint64_t c = vs_le64(st->vdev->config + VS_BLK_CFG_CAPACITY);

	return c < st->capacity ? c : st->capacity;
}

static int blk_range_ok(const struct blk_state *st, uint64_t sector, uint64_t nsectors)
{
	uint64_t cap = blk_capacity(st);

	return sector <= cap && nsectors <= cap - sector;
}

static int blk_range_ioerr(const struct blk_state *st, uint64_t sector, uint64_t nsectors)
{
	return st->ioerr_count && sector < st->ioerr_first + st->ioerr_count &&
	       st->ioerr_first < sector + nsectors;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void blk_refuse(struct blk_req *req, uint8_t status, const char *fmt, ...);

/* IN or OUT: length, range, segments.  0 when the request may run. */
static int blk_check_rw(struct blk_req *req, uint64_t len, const struct vs_iov *iov, unsigned n,
			uint64_t from)
{
	struct blk_state *st = req->st;
	struct vs_vdev *vdev = st->vdev;
	uint64_t longest;
	uint32_t segs;

	if (len % VIRTIO_BLK_SECTOR_SIZE) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "%llu data bytes, not whole sectors",
			   (unsigned long long)len);
		return -1;
	}
	if (!blk_range_ok(st, req->sector, len / VIRTIO_BLK_SECTOR_SIZE)) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "sectors %llu+%llu beyond capacity %llu",
			   (unsigned long long)req->sector,
			   (unsigned long long)(len / VIRTIO_BLK_SECTOR_SIZE),
			   (unsigned long long)blk_capacity(st));
		return -1;
	}
	if (len > BLK_MAX_DATA) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "%llu data bytes, this device moves at most %u",
			   (unsigned long long)len, BLK_MAX_DATA);
		return -1;
	}
	segs = blk_count_segs(iov, n, from, len, &longest);
	if (vs_vdev_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX) && segs > st->seg_max) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "%u data segments, seg_max %u", segs, st->seg_max);
		return -1;
	}
	if (vs_vdev_has_feature(vdev, VIRTIO_BLK_F_SIZE_MAX) && longest > BLK_SIZE_MAX) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "a %llu-byte segment, size_max %u",
			   (unsigned long long)longest, BLK_SIZE_MAX);
		return -1;
	}
	if (blk_range_ioerr(st, req->sector, len / VIRTIO_BLK_SECTOR_SIZE) ||
	    vs_fault_hit(vdev->faults, VS_FAULT_DEV_BLK_IOERR)) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "sectors %llu+%llu fail (injected)",
			   (unsigned long long)req->sector,
			   (unsigned long long)(len / VIRTIO_BLK_SECTOR_SIZE));
		return -1;
	}
	if (len) {
		req->bounce = malloc(len);
		if (!req->bounce) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "out of memory for %llu bytes",
				   (unsigned long long)len);
			return -1;
		}
		req->bounce_len = len;
	}
	req->io.off = req->sector * VIRTIO_BLK_SECTOR_SIZE;
	req->io.len = len;
	req->io.buf = req->bounce;
	return 0;
}

/* What one of the segment commands allows. */
struct blk_range_cmd {
	unsigned feature;     /* VIRTIO_BLK_F_* it needs */
	uint32_t max_seg, max_sectors;
	uint32_t align;       /* segments start on a multiple (end too, or at
			       * the capacity); 0: anywhere */
	uint32_t known_flags; /* the others are unknown: UNSUPP */
	int programs;         /* it programs cells: counts as wear */
	int erase;            /* stable before completion, whatever the cache */
};

/* spec dev.blk.device-operation.5: unmap in a discard is UNSUPP, so a
 * discard knows no flag; a secure erase has no use for unmap either. */
static const struct blk_range_cmd blk_discard = {
	.feature = VIRTIO_BLK_F_DISCARD,
	.max_seg = BLK_MAX_DISCARD_SEG,
	.max_sectors = BLK_MAX_DISCARD_SECTORS,
};
static const struct blk_range_cmd blk_write_zeroes = {
	.feature = VIRTIO_BLK_F_WRITE_ZEROES,
	.max_seg = BLK_MAX_WZ_SEG,
	.max_sectors = BLK_MAX_WZ_SECTORS,
	.known_flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP,
	.programs = 1,
};
static const struct blk_range_cmd blk_secure_erase = {
	.feature = VIRTIO_BLK_F_SECURE_ERASE,
	.max_seg = BLK_MAX_SE_SEG,
	.max_sectors = BLK_MAX_SE_SECTORS,
	.align = BLK_SE_ALIGNMENT,
	.programs = 1,
	.erase = 1,
};

/* DISCARD, WRITE_ZEROES or SECURE_ERASE: the segments after the header. */
static void blk_parse_ranges(struct blk_req *req, uint64_t out_data,
			     const struct blk_range_cmd *cmd)
{
	struct blk_state *st = req->st;
	struct vs_vdev *vdev = st->vdev;
	uint32_t max_seg = cmd->max_seg, max_sectors = cmd->max_sectors, align = cmd->align;
	uint64_t nseg = out_data / VS_BLK_SEG_SIZE, i, wear = 0;
	uint8_t seg[VS_BLK_SEG_SIZE];
	int bad_flags = 0;

	if (out_data == 0 || out_data % VS_BLK_SEG_SIZE) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "%llu bytes of segments, not a multiple of %u",
			   (unsigned long long)out_data, VS_BLK_SEG_SIZE);
		return;
	}
	if (nseg > max_seg) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "%llu segments, limit %u",
			   (unsigned long long)nseg, max_seg);
		return;
	}
	req->ranges = calloc(nseg, sizeof(*req->ranges));
	if (!req->ranges) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "out of memory");
		return;
	}
	/* Flags first: spec dev.blk.device-operation.4 and .5 make UNSUPP
	 * the answer whatever else is wrong. */
	for (i = 0; i < nseg; i++) {
		uint32_t flags;

		if (vs_vq_read(req->vq, &req->elem, VS_BLK_HDR_SIZE + i * VS_BLK_SEG_SIZE, seg,
			       sizeof(seg))) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "segment %llu unreadable",
				   (unsigned long long)i);
			return;
		}
		flags = vs_le32(seg + VS_BLK_SEG_FLAGS);
		/* spec dev.blk.device-operation.4: an unknown flag; .5: unmap
		 * in a discard */
		if (flags & ~cmd->known_flags)
			bad_flags = 1;
		req->ranges[i].off = vs_le64(seg + VS_BLK_SEG_SECTOR);
		req->ranges[i].len = vs_le32(seg + VS_BLK_SEG_NUM);
	}
	if (bad_flags) {
		blk_refuse(req, VIRTIO_BLK_S_UNSUPP, "segment flags not supported");
		return;
	}
	for (i = 0; i < nseg; i++) {
		uint64_t sector = req->ranges[i].off, n = req->ranges[i].len;

		if (n > max_sectors || !blk_range_ok(st, sector, n)) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR,
				   "segment %llu: sectors %llu+%llu (limit %u, capacity %llu)",
				   (unsigned long long)i, (unsigned long long)sector,
				   (unsigned long long)n, max_sectors,
				   (unsigned long long)blk_capacity(st));
			return;
		}
		if (align && (sector % align ||
			      ((sector + n) % align && sector + n != blk_capacity(st)))) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR,
				   "segment %llu: sectors %llu+%llu not aligned to %u",
				   (unsigned long long)i, (unsigned long long)sector,
				   (unsigned long long)n, align);
			return;
		}
		if (blk_range_ioerr(st, sector, n)) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "segment %llu fails (injected)",
				   (unsigned long long)i);
			return;
		}
		req->ranges[i].off = sector * VIRTIO_BLK_SECTOR_SIZE;
		req->ranges[i].len = n * VIRTIO_BLK_SECTOR_SIZE;
		wear += n;
	}
	/* spec dev.blk.device-operation.3: no data written on a read-only
	 * device (discard, write zeroes and secure erase change data too). */
	if (vdev->features & VS_BIT(VIRTIO_BLK_F_RO)) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "read-only device");
		return;
	}
	req->io.op = VS_BLK_IO_ZERO;
	req->io.ranges = req->ranges;
	req->io.nranges = (uint32_t)nseg;
	req->io.sync = cmd->erase || blk_writethrough(vdev);
	req->wear = cmd->programs ? wear : 0;
}

static void blk_refuse(struct blk_req *req, uint8_t status, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	req->status = status;
	req->io.op = VS_BLK_IO_NONE;
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u head %u type %u: %s: %s",
	       req->st->vdev->label, req->vq->index, req->elem.head, req->type,
	       status == VIRTIO_BLK_S_UNSUPP ? "UNSUPP" : "IOERR", msg);
}

/* Decide what the request does (req->io) or how it fails (req->status). */
static void blk_parse(struct blk_req *req)
{
	struct vs_vdev *vdev = req->st->vdev;
	struct vs_vq_elem *e = &req->elem;
	uint8_t hdr[VS_BLK_HDR_SIZE];
	uint64_t out_data;

	req->status = VIRTIO_BLK_S_OK;
	req->io.op = VS_BLK_IO_NONE;
	req->io.opaque = req;
	req->type = 0xffffffffu;
	req->has_status = e->in_len > 0;
	if (!req->has_status) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: vq %u head %u: no device-writable status byte",
		       vdev->label, req->vq->index, e->head);
		return;
	}
	req->in_data = e->in_len - 1;
	/* The header is the first 16 readable bytes, however the driver
	 * split them into buffers (spec dev.basic.message-framing.1). */
	if (e->out_len < VS_BLK_HDR_SIZE || vs_vq_read(req->vq, e, 0, hdr, sizeof(hdr))) {
		blk_refuse(req, VIRTIO_BLK_S_IOERR, "header of %llu readable bytes, need %u",
			   (unsigned long long)e->out_len, VS_BLK_HDR_SIZE);
		return;
	}
	req->type = vs_le32(hdr + VS_BLK_HDR_TYPE);
	req->sector = vs_le64(hdr + VS_BLK_HDR_SECTOR);
	out_data = e->out_len - VS_BLK_HDR_SIZE;

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		if (out_data) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "read with %llu readable data bytes",
				   (unsigned long long)out_data);
			return;
		}
		if (blk_check_rw(req, req->in_data, e->in, e->in_num, 0) == 0)
			req->io.op = VS_BLK_IO_READ;
		return;
	case VIRTIO_BLK_T_OUT:
		if (req->in_data) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "write with %llu writable data bytes",
				   (unsigned long long)req->in_data);
			return;
		}
		/* spec dev.blk.device-operation.3 */
		if (vdev->features & VS_BIT(VIRTIO_BLK_F_RO)) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "write to a read-only device");
			return;
		}
		if (blk_check_rw(req, out_data, e->out, e->out_num, VS_BLK_HDR_SIZE))
			return;
		if (out_data && vs_vq_read(req->vq, e, VS_BLK_HDR_SIZE, req->bounce, out_data)) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "write data unreadable");
			return;
		}
		req->io.op = VS_BLK_IO_WRITE;
		req->io.sync = blk_writethrough(vdev);
		req->wear = out_data / VIRTIO_BLK_SECTOR_SIZE;
		return;
	case VIRTIO_BLK_T_FLUSH_OUT:
		if (!(vdev->bind_flags & VS_VDEV_BIND_LEGACY))
			break;
		/* the legacy synonym of FLUSH (5.2.6.3) */
		__attribute__((fallthrough));
	case VIRTIO_BLK_T_FLUSH:
		if (!vs_vdev_has_feature(vdev, VIRTIO_BLK_F_FLUSH)) {
			blk_refuse(req, VIRTIO_BLK_S_UNSUPP, "flush without VIRTIO_BLK_F_FLUSH");
			return;
		}
		if (req->in_data) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "flush with %llu writable data bytes",
				   (unsigned long long)req->in_data);
			return;
		}
		/* A sector other than 0 (drv.blk.device-operation.4) or data
		 * (.5) is the driver's fault the monitor names; the flush is
		 * still done. */
		req->io.op = VS_BLK_IO_SYNC;
		return;
	case VIRTIO_BLK_T_GET_ID:
		if (out_data || req->in_data != VIRTIO_BLK_ID_BYTES) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "get id with %llu/%llu data bytes, need 0/%u",
				   (unsigned long long)out_data, (unsigned long long)req->in_data,
				   VIRTIO_BLK_ID_BYTES);
			return;
		}
		req->bounce = malloc(VIRTIO_BLK_ID_BYTES);
		if (!req->bounce) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "out of memory");
			return;
		}
		memcpy(req->bounce, req->st->serial, VIRTIO_BLK_ID_BYTES);
		req->bounce_len = VIRTIO_BLK_ID_BYTES;
		return;
	case VIRTIO_BLK_T_GET_LIFETIME:
		if (!vs_vdev_has_feature(vdev, VIRTIO_BLK_F_LIFETIME)) {
			blk_refuse(req, VIRTIO_BLK_S_UNSUPP, "get lifetime without VIRTIO_BLK_F_LIFETIME");
			return;
		}
		if (out_data || req->in_data != VS_BLK_LIFETIME_SIZE) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR,
				   "get lifetime with %llu/%llu data bytes, need 0/%u",
				   (unsigned long long)out_data, (unsigned long long)req->in_data,
				   VS_BLK_LIFETIME_SIZE);
			return;
		}
		/* Filled when it completes (blk_lifetime). */
		req->bounce = calloc(1, VS_BLK_LIFETIME_SIZE);
		if (!req->bounce) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "out of memory");
			return;
		}
		req->bounce_len = VS_BLK_LIFETIME_SIZE;
		return;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
	case VIRTIO_BLK_T_SECURE_ERASE: {
		const struct blk_range_cmd *cmd = req->type == VIRTIO_BLK_T_DISCARD ? &blk_discard
						  : req->type == VIRTIO_BLK_T_WRITE_ZEROES
							  ? &blk_write_zeroes
							  : &blk_secure_erase;

		if (!vs_vdev_has_feature(vdev, cmd->feature)) {
			blk_refuse(req, VIRTIO_BLK_S_UNSUPP, "feature not negotiated");
			return;
		}
		if (req->in_data) {
			blk_refuse(req, VIRTIO_BLK_S_IOERR, "%llu writable data bytes",
				   (unsigned long long)req->in_data);
			return;
		}
		blk_parse_ranges(req, out_data, cmd);
		return;
	}
	default:
		break;
	}
	/* The zone requests (spec dev.blk.device-operation.16: UNSUPP
	 * without ZONED), legacy SCSI commands, anything else. */
	blk_refuse(req, VIRTIO_BLK_S_UNSUPP, "request type not supported");
}

/* ---- completing ---- */

/* Write zeros over the data part of the writable bytes: a failed request
 * still reports every writable byte as written. */
static int blk_zero_in_data(struct blk_req *req)
{
	static const uint8_t zeros[512];
	uint64_t off = 0;
	int err;

	while (off < req->in_data) {
		uint64_t n = req->in_data - off < sizeof(zeros) ? req->in_data - off : sizeof(zeros);

		err = vs_vq_write(req->vq, &req->elem, off, zeros, n);
		if (err)
			return err;
		off += n;
	}
	return 0;
}

/* One lifetime estimate for p sectors programmed of rated (see the top). */
static uint16_t blk_life_est(uint64_t p, uint64_t rated)
{
	uint64_t est;

	if (p > rated)
		return VS_BLK_LIFETIME_EST_EXCEEDED;
	est = 1 + p * 10 / rated;
	return (uint16_t)(est > 10 ? 10 : est);
}

/* The GET_LIFETIME answer from the wear so far. */
static void blk_lifetime(const struct blk_state *st, uint8_t *out)
{
	uint64_t used = st->programmed * 100 / st->endurance; /* percent of the reserve */
	uint16_t eol = used >= 90   ? VIRTIO_BLK_PRE_EOL_INFO_URGENT
		       : used >= 80 ? VIRTIO_BLK_PRE_EOL_INFO_WARNING
				    : VIRTIO_BLK_PRE_EOL_INFO_NORMAL;

	vs_put_le16(out + VS_BLK_LIFETIME_PRE_EOL, eol);
	vs_put_le16(out + VS_BLK_LIFETIME_EST_A,
		    blk_life_est(st->programmed, st->endurance * BLK_SLC_FACTOR));
	vs_put_le16(out + VS_BLK_LIFETIME_EST_B, blk_life_est(st->programmed, st->endurance));
}

static void blk_complete(struct blk_req *req)
{
	struct vs_vq *vq = req->vq;
	struct vs_vdev *vdev = req->st->vdev;
	struct vs_faults *faults = vdev->faults;
	uint8_t status = req->status;
	uint32_t len = 0;
	int err = 0;

	if (!vs_vq_elem_live(vq, &req->elem)) {
		/* Reset since the pop: the buffers are not ours any more. */
		blk_req_free(req);
		return;
	}
	if (status == VIRTIO_BLK_S_OK && req->io.result < 0)
		status = VIRTIO_BLK_S_IOERR;
	if (status == VIRTIO_BLK_S_OK && req->wear) {
		struct blk_state *st = req->st;

		st->programmed = req->wear < BLK_WEAR_CAP - st->programmed ? st->programmed + req->wear
									    : BLK_WEAR_CAP;
	}
	if (status == VIRTIO_BLK_S_OK && req->type == VIRTIO_BLK_T_GET_LIFETIME && req->bounce)
		blk_lifetime(req->st, req->bounce);
	if (req->has_status) {
		if (status == VIRTIO_BLK_S_OK && req->bounce_len && req->io.op != VS_BLK_IO_WRITE)
			err = vs_vq_write(vq, &req->elem, 0, req->bounce, req->bounce_len);
		else
			err = blk_zero_in_data(req);
		if (vs_fault_hit(faults, VS_FAULT_DEV_BLK_BAD_STATUS)) {
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: head %u status 0x%02x",
			       vdev->label, req->elem.head, BLK_BAD_STATUS);
			status = BLK_BAD_STATUS;
		}
		if (!err && vs_fault_hit(faults, VS_FAULT_DEV_BLK_NO_STATUS))
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: head %u completed, status not written",
			       vdev->label, req->elem.head);
		else if (!err)
			err = vs_vq_write(vq, &req->elem, req->in_data, &status, 1);
		/* in_len < 2^32: pop refuses longer chains */
		len = err ? 0 : (uint32_t)req->elem.in_len;
		if (err)
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: head %u: writing the answer failed (%d)",
			       vdev->label, req->elem.head, err);
		if (len && vs_fault_hit(faults, VS_FAULT_DEV_BLK_USED_LEN_SHORT)) {
			len--;
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: head %u used len %u, status byte at %llu",
			       vdev->label, req->elem.head, len, (unsigned long long)req->in_data);
		}
	}
	vs_vq_push(vq, &req->elem, len);
	blk_req_free(req);
}

static void blk_fifo_run(struct blk_state *st);

static void blk_io_done(struct vs_blk_io *io)
{
	struct blk_req *req = io->opaque;
	struct blk_state *st = req->st;

	/* The head finished: complete it, start the next. */
	st->head = req->next;
	if (!st->head)
		st->tail = NULL;
	st->busy = 0;
	blk_complete(req);
	blk_fifo_run(st);
}

/* Start the FIFO's head; requests with nothing to do complete at once. */
static void blk_fifo_run(struct blk_state *st)
{
	struct blk_req *req;
	int rc;

	while (!st->busy && (req = st->head)) {
		if (req->status == VIRTIO_BLK_S_OK && req->io.op != VS_BLK_IO_NONE &&
		    vs_vq_elem_live(req->vq, &req->elem)) {
			rc = vs_blk_store_submit(st->store, &req->io, blk_io_done);
			if (rc == 1) {
				st->busy = 1;
				return;
			}
			if (rc < 0)
				req->io.result = rc;
		}
		st->head = req->next;
		if (!st->head)
			st->tail = NULL;
		blk_complete(req);
	}
}

static void blk_start(struct blk_state *st, struct blk_req *req)
{
	int rc;

	if (!vs_blk_store_is_file(st->store)) {
		if (req->status == VIRTIO_BLK_S_OK && req->io.op != VS_BLK_IO_NONE) {
			rc = vs_blk_store_submit(st->store, &req->io, NULL);
			if (rc < 0)
				req->io.result = rc;
		}
		blk_complete(req);
		return;
	}
	req->next = NULL;
	if (st->tail)
		st->tail->next = req;
	else
		st->head = req;
	st->tail = req;
	blk_fifo_run(st);
}

static void blk_handle_queue(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct blk_state *st = vdev->priv;
	uint32_t budget = vq->num;

	/* At most a ring's worth per run, then yield (as rng does). */
	while (budget--) {
		struct blk_req *req = calloc(1, sizeof(*req));

		if (!req) {
			vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: out of memory", vdev->label);
			return;
		}
		if (vs_vq_pop(vq, &req->elem)) {
			free(req);
			return;
		}
		req->st = st;
		req->vq = vq;
		blk_parse(req);
		blk_start(st, req);
	}
	vs_vdev_kick(vdev, vq->index);
}

const struct vs_device_model vs__blk_model = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	/* spec dev.blk.device-initialization.1: FLUSH is offered (and must
	 * be, with CONFIG_WCE). */
	.features = VS_BIT(VIRTIO_BLK_F_SIZE_MAX) | VS_BIT(VIRTIO_BLK_F_SEG_MAX) |
		    VS_BIT(VIRTIO_BLK_F_GEOMETRY) | VS_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		    VS_BIT(VIRTIO_BLK_F_FLUSH) | VS_BIT(VIRTIO_BLK_F_TOPOLOGY) |
		    VS_BIT(VIRTIO_BLK_F_CONFIG_WCE) | VS_BIT(VIRTIO_BLK_F_DISCARD) |
		    VS_BIT(VIRTIO_BLK_F_WRITE_ZEROES) | VS_BIT(VIRTIO_BLK_F_LIFETIME) |
		    VS_BIT(VIRTIO_BLK_F_SECURE_ERASE),
	.num_queues = 1,
	.num_queues_for = blk_num_queues_for,
	.queue_size_max = 256,
	.config_size = VS_BLK_CFG_SIZE,
	.init = blk_init,
	.fini = blk_fini,
	.reset = blk_reset,
	.handle_queue = blk_handle_queue,
	.validate_features = blk_validate_features,
	.config_write = blk_config_write,
};
