/*
 * check_monitor_blk.c - the monitor's block device rules (spec 5.2,
 * harness/rules/blk.c): one faulty-side test per rule (exactly that rule
 * fires, on the right side, or with the one other rule the same fault
 * necessarily breaks), a clean scripted sequence of every request type
 * where nothing fires, and the checks that must stay quiet on purpose
 * (a legacy-sized used len is not judged without VIRTIO_F_VERSION_1's
 * interface only; a request never used is not judged).
 *
 * The scripted driver writes a header, data buffers and a status byte
 * into guest RAM and chains them on queue 0; the scripted device reads
 * the header and answers through vs_arena_write(VS_SIDE_DEVICE).
 */
#include <check.h>
#include <string.h>

#include "monitor_fixture.h"

#define N VRING_DESC_F_NEXT
#define W VRING_DESC_F_WRITE

#define CAPACITY 1024u
#define SEG_MAX 4u
#define SIZE_MAX_BYTES 4096u
#define MAX_DISCARD_SEG 2u
#define MAX_WZ_SEG 1u

/* Guest memory of the one request in flight: header, status, data. */
static uint64_t HDR, ST, DATA;
static uint16_t nd;            /* descriptors of the chain being built */
static uint32_t status_len;    /* its status buffer (normally 1 byte) */

static void cfg_put(uint32_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		F.bank.config[off + i] = (uint8_t)(v >> (8 * i));
}

static void offer(unsigned bit, int accept)
{
	F.bank.features[0] |= 1u << bit;
	if (accept)
		F.accept[0] |= 1u << bit;
}

static void blk_setup(void)
{
	fx_setup();
	F.bank.device_id = VIRTIO_ID_BLOCK;
	offer(VIRTIO_BLK_F_SIZE_MAX, 1);
	offer(VIRTIO_BLK_F_SEG_MAX, 1);
	offer(VIRTIO_BLK_F_FLUSH, 1);
	offer(VIRTIO_BLK_F_DISCARD, 1);
	offer(VIRTIO_BLK_F_WRITE_ZEROES, 1);
	cfg_put(VS_BLK_CFG_CAPACITY, CAPACITY, 8);
	cfg_put(VS_BLK_CFG_SIZE_MAX, SIZE_MAX_BYTES, 4);
	cfg_put(VS_BLK_CFG_SEG_MAX, SEG_MAX, 4);
	cfg_put(VS_BLK_CFG_WRITEBACK, 1, 1);
	cfg_put(VS_BLK_CFG_MAX_DISCARD_SECTORS, 64, 4);
	cfg_put(VS_BLK_CFG_MAX_DISCARD_SEG, MAX_DISCARD_SEG, 4);
	cfg_put(VS_BLK_CFG_MAX_WZ_SECTORS, 64, 4);
	cfg_put(VS_BLK_CFG_MAX_WZ_SEG, MAX_WZ_SEG, 4);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 64, 16, &HDR), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 64, 16, &ST), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 65536, 4096, &DATA), 0);
}

/* One config field inside a generation bracket, as virtio_cread does. */
static void cread(uint32_t off, unsigned width)
{
	/* version 1 has no ConfigGeneration */
	if (fx_mmio_version == 2)
		rd(VIRTIO_MMIO_CONFIG_GENERATION);
	if (width == 8) {
		rdw(VIRTIO_MMIO_CONFIG + off, 4);
		rdw(VIRTIO_MMIO_CONFIG + off + 4, 4);
	} else {
		rdw(VIRTIO_MMIO_CONFIG + off, width);
	}
	if (fx_mmio_version == 2)
		rd(VIRTIO_MMIO_CONFIG_GENERATION);
	else
		rd(VIRTIO_MMIO_STATUS); /* ends the config read burst */
}

/* What a driver reads after FEATURES_OK: the limits it honours. */
static void read_limits(void)
{
	cread(VS_BLK_CFG_CAPACITY, 8);
	cread(VS_BLK_CFG_SIZE_MAX, 4);
	cread(VS_BLK_CFG_SEG_MAX, 4);
	cread(VS_BLK_CFG_MAX_DISCARD_SEG, 4);
	cread(VS_BLK_CFG_MAX_WZ_SEG, 4);
}

static void blk_init(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	read_limits();
	setup_queue(0, F.num);
	driver_ok();
}

/* ---- the scripted driver ---- */

static void chain_add(uint64_t addr, uint32_t len, uint16_t flags)
{
	set_desc(nd, addr, len, flags | N, (uint16_t)(nd + 1));
	nd++;
}

static void chain_publish(void)
{
	uint8_t *last = vs_arena_translate(F.arena, F.desc + 16ull * (nd - 1), 16);

	vs_put_le16(last + 12, (uint16_t)(vs_le16(last + 12) & ~N));
	publish(0);
	kick(0);
}

/* Header of hdr_len bytes (16 normally) with type and sector. */
static void chain_header(uint32_t type, uint64_t sector, uint32_t hdr_len)
{
	uint8_t *h = vs_arena_translate(F.arena, HDR, 16);

	vs_put_le32(h + VS_BLK_HDR_TYPE, type);
	vs_put_le32(h + VS_BLK_HDR_RESERVED, 0);
	vs_put_le64(h + VS_BLK_HDR_SECTOR, sector);
	nd = 0;
	chain_add(HDR, hdr_len, 0);
}

/* nseg data buffers of seglen bytes, device-writable when in. */
static void chain_data(unsigned nseg, uint32_t seglen, int in)
{
	for (unsigned i = 0; i < nseg; i++)
		chain_add(DATA + (uint64_t)i * seglen, seglen, in ? W : 0);
}

static void chain_status(void)
{
	status_len = 1;
	*(uint8_t *)vs_arena_translate(F.arena, ST, 1) = 0xff;
	chain_add(ST, 1, W);
}

/* A whole request: header, data, status. */
static void request(uint32_t type, uint64_t sector, unsigned nseg, uint32_t seglen, int in)
{
	chain_header(type, sector, 16);
	chain_data(nseg, seglen, in);
	chain_status();
	chain_publish();
}

/* DISCARD / WRITE_ZEROES with n segments of sector, count, flags. */
static void ranges(uint32_t type, unsigned n, uint64_t sector, uint32_t count, uint32_t flags)
{
	uint8_t *p = vs_arena_translate(F.arena, DATA, 16ull * n);

	for (unsigned i = 0; i < n; i++) {
		vs_put_le64(p + 16 * i + VS_BLK_SEG_SECTOR, sector + (uint64_t)i * count);
		vs_put_le32(p + 16 * i + VS_BLK_SEG_NUM, count);
		vs_put_le32(p + 16 * i + VS_BLK_SEG_FLAGS, flags);
	}
	chain_header(type, 0, 16);
	chain_add(DATA, 16 * n, 0);
	chain_status();
	chain_publish();
}

/* ---- the scripted device ---- */

/* Read the header, write status (unless write_status is 0) and complete
 * head 0 with len. */
static void answer_len(uint8_t status, int write_status, uint32_t len)
{
	dev_read(HDR, 16);
	if (write_status)
		vs_arena_write(F.arena, VS_SIDE_DEVICE, ST + status_len - 1, &status, 1);
	dev_complete(0, len);
}

/* The answer of a correct device: used len = every writable byte. */
static void answer(uint8_t status, uint32_t writable)
{
	answer_len(status, 1, writable);
}

/* ---- one script per rule ---- */

static void request_framing(void)
{
	blk_init();
	/* a read with device-readable data */
	request(VIRTIO_BLK_T_IN, 0, 1, 512, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void request_framing_short_header(void)
{
	blk_init();
	chain_header(VIRTIO_BLK_T_IN, 0, 8);
	chain_status();
	chain_publish();
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void data_len(void)
{
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 100, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void segment_len(void)
{
	blk_init();
	chain_header(VIRTIO_BLK_T_DISCARD, 0, 16);
	chain_add(DATA, 20, 0);
	chain_status();
	chain_publish();
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void get_id_len(void)
{
	blk_init();
	request(VIRTIO_BLK_T_GET_ID, 0, 1, 16, 1);
	answer(VIRTIO_BLK_S_IOERR, 17);
}

static void beyond_capacity(void)
{
	blk_init();
	request(VIRTIO_BLK_T_IN, CAPACITY - 4, 1, 4096, 1);
	answer(VIRTIO_BLK_S_IOERR, 4097);
}

static void seg_max(void)
{
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, SEG_MAX + 1, 512, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void size_max(void)
{
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 2 * SIZE_MAX_BYTES, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void flush_sector(void)
{
	blk_init();
	request(VIRTIO_BLK_T_FLUSH, 5, 0, 0, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void flush_data(void)
{
	blk_init();
	request(VIRTIO_BLK_T_FLUSH, 0, 1, 512, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void discard_seg_max(void)
{
	blk_init();
	ranges(VIRTIO_BLK_T_DISCARD, MAX_DISCARD_SEG + 1, 0, 8, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void write_zeroes_seg_max(void)
{
	blk_init();
	ranges(VIRTIO_BLK_T_WRITE_ZEROES, MAX_WZ_SEG + 1, 0, 8, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void discard_unmap(void)
{
	blk_init();
	ranges(VIRTIO_BLK_T_DISCARD, 1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	answer(VIRTIO_BLK_S_UNSUPP, 1);
}

static void command_not_negotiated(void)
{
	F.accept[0] &= ~(1u << VIRTIO_BLK_F_FLUSH);
	blk_init();
	request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	answer(VIRTIO_BLK_S_UNSUPP, 1);
}

static void read_only_write(void)
{
	offer(VIRTIO_BLK_F_RO, 1);
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void writeback_early(void)
{
	offer(VIRTIO_BLK_F_CONFIG_WCE, 1);
	probe_to_driver();
	cread(VS_BLK_CFG_WRITEBACK, 1);
	ck_assert(features_ok());
}

static void used_len(void)
{
	blk_init();
	request(VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	dev_write(DATA, 512);
	answer_len(VIRTIO_BLK_S_OK, 1, 512); /* the status byte is byte 512 */
}

static void status_value(void)
{
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer(0x7f, 1);
}

static void status_not_written(void)
{
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer_len(VIRTIO_BLK_S_OK, 0, 1);
}

static void read_only_status(void)
{
	offer(VIRTIO_BLK_F_RO, 1);
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void unmap_status(void)
{
	blk_init();
	ranges(VIRTIO_BLK_T_DISCARD, 1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void unknown_flags_status(void)
{
	blk_init();
	ranges(VIRTIO_BLK_T_WRITE_ZEROES, 1, 0, 8, 0x4);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void zone_status(void)
{
	blk_init();
	request(VIRTIO_BLK_T_ZONE_OPEN, 0, 0, 0, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void flush_offer(void)
{
	F.bank.features[0] &= ~(1u << VIRTIO_BLK_F_FLUSH);
	F.accept[0] &= ~(1u << VIRTIO_BLK_F_FLUSH);
	offer(VIRTIO_BLK_F_CONFIG_WCE, 1);
	blk_init();
}

static void writeback_init(void)
{
	offer(VIRTIO_BLK_F_CONFIG_WCE, 1);
	F.accept[0] &= ~(1u << VIRTIO_BLK_F_FLUSH);
	blk_init();
	cread(VS_BLK_CFG_WRITEBACK, 1); /* still 1 */
}

static void padding(void)
{
	F.bank.config[VS_BLK_CFG_UNUSED0] = 1;
	blk_init();
	cread(VS_BLK_CFG_WRITEBACK, 2);
}

static void secure_erase_seg_max(void)
{
	offer(VIRTIO_BLK_F_SECURE_ERASE, 1);
	cfg_put(VS_BLK_CFG_MAX_SE_SECTORS, 64, 4);
	cfg_put(VS_BLK_CFG_MAX_SE_SEG, 1, 4);
	blk_init();
	cread(VS_BLK_CFG_MAX_SE_SEG, 4);
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 2, 0, 8, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void zone_reset_all_sector(void)
{
	offer(VIRTIO_BLK_F_ZONED, 1);
	blk_init();
	request(VIRTIO_BLK_T_ZONE_RESET_ALL, 8, 0, 0, 0);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void zoned_model(void)
{
	offer(VIRTIO_BLK_F_ZONED, 1);
	F.bank.config[VS_BLK_CFG_ZONED + 20] = 3;
	blk_init();
	cread(VS_BLK_CFG_ZONED + 20, 1);
}

static void zoned_padding(void)
{
	offer(VIRTIO_BLK_F_ZONED, 1);
	F.bank.config[VS_BLK_CFG_ZONED + 20] = 1; /* host-managed */
	F.bank.config[VS_BLK_CFG_ZONED + 22] = 5;
	blk_init();
	cread(VS_BLK_CFG_ZONED + 20, 4);
}

/* SECURE_ERASE offered and accepted, its limits read: 64 sectors per
 * segment, 2 segments, alignment 8. */
static void secure_erase_init(void)
{
	offer(VIRTIO_BLK_F_SECURE_ERASE, 1);
	cfg_put(VS_BLK_CFG_MAX_SE_SECTORS, 64, 4);
	cfg_put(VS_BLK_CFG_MAX_SE_SEG, 2, 4);
	cfg_put(VS_BLK_CFG_SE_ALIGNMENT, 8, 4);
	blk_init();
	cread(VS_BLK_CFG_MAX_SE_SECTORS, 4);
	cread(VS_BLK_CFG_MAX_SE_SEG, 4);
	cread(VS_BLK_CFG_SE_ALIGNMENT, 4);
}

static void secure_erase_sectors_max(void)
{
	secure_erase_init();
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 72, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void secure_erase_alignment_start(void)
{
	secure_erase_init();
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 4, 8, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void secure_erase_alignment_end(void)
{
	secure_erase_init();
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, CAPACITY - 16, 12, 0); /* ends 4 short of it */
	answer(VIRTIO_BLK_S_IOERR, 1);
}

static void secure_erase_flags(void)
{
	secure_erase_init();
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	answer(VIRTIO_BLK_S_UNSUPP, 1);
}

static void secure_erase_unknown_flags_status(void)
{
	/* spec dev.blk.device-operation.4 covers secure erase too */
	secure_erase_init();
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 8, 0x4);
	answer(VIRTIO_BLK_S_OK, 1);
}

static void secure_erase_zone_alignment(void)
{
	/* a zoned device (model NONE) with 64-sector zones */
	offer(VIRTIO_BLK_F_ZONED, 1);
	cfg_put(VS_BLK_CFG_ZONE_SECTORS, 64, 4);
	secure_erase_init();
	cread(VS_BLK_CFG_ZONE_SECTORS, 4);
}

static void lifetime_not_negotiated(void)
{
	blk_init();
	request(VIRTIO_BLK_T_GET_LIFETIME, 0, 1, VS_BLK_LIFETIME_SIZE, 1);
	dev_write(DATA, VS_BLK_LIFETIME_SIZE);
	answer(VIRTIO_BLK_S_UNSUPP, 7);
}

static void lifetime_framing(void)
{
	offer(VIRTIO_BLK_F_LIFETIME, 1);
	blk_init();
	request(VIRTIO_BLK_T_GET_LIFETIME, 0, 1, 8, 1);
	dev_write(DATA, 8);
	answer(VIRTIO_BLK_S_IOERR, 9);
}

static void lifetime_values(void)
{
	uint8_t lt[6];

	offer(VIRTIO_BLK_F_LIFETIME, 1);
	blk_init();
	request(VIRTIO_BLK_T_GET_LIFETIME, 0, 1, 6, 1);
	vs_put_le16(lt, 1);
	vs_put_le16(lt + 2, 12); /* reserved */
	vs_put_le16(lt + 4, 3);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, DATA, lt, sizeof(lt));
	answer(VIRTIO_BLK_S_OK, 7);
}

static const struct rule_case cases[] = {
	{"blk.request-framing", VS_SIDE_DRIVER, request_framing, NULL},
	{"blk.request-framing", VS_SIDE_DRIVER, request_framing_short_header, NULL},
	{"blk.data-len", VS_SIDE_DRIVER, data_len, NULL},
	{"blk.segment-len", VS_SIDE_DRIVER, segment_len, NULL},
	{"blk.get-id-len", VS_SIDE_DRIVER, get_id_len, NULL},
	{"blk.beyond-capacity", VS_SIDE_DRIVER, beyond_capacity, NULL},
	{"blk.seg-max", VS_SIDE_DRIVER, seg_max, NULL},
	{"blk.size-max", VS_SIDE_DRIVER, size_max, NULL},
	{"blk.flush-sector", VS_SIDE_DRIVER, flush_sector, NULL},
	{"blk.flush-data", VS_SIDE_DRIVER, flush_data, NULL},
	{"blk.discard-seg-max", VS_SIDE_DRIVER, discard_seg_max, NULL},
	{"blk.write-zeroes-seg-max", VS_SIDE_DRIVER, write_zeroes_seg_max, NULL},
	{"blk.discard-unmap", VS_SIDE_DRIVER, discard_unmap, NULL},
	{"blk.command-not-negotiated", VS_SIDE_DRIVER, command_not_negotiated, NULL},
	{"blk.read-only-write", VS_SIDE_DRIVER, read_only_write, NULL},
	{"blk.writeback-early", VS_SIDE_DRIVER, writeback_early, NULL},
	{"blk.used-len", VS_SIDE_DEVICE, used_len, NULL},
	{"blk.status-value", VS_SIDE_DEVICE, status_value, NULL},
	{"blk.status-not-written", VS_SIDE_DEVICE, status_not_written, NULL},
	{"blk.read-only-status", VS_SIDE_DEVICE, read_only_status, "blk.read-only-write"},
	{"blk.unmap-status", VS_SIDE_DEVICE, unmap_status, "blk.discard-unmap"},
	{"blk.unknown-flags-status", VS_SIDE_DEVICE, unknown_flags_status, NULL},
	{"blk.zone-status", VS_SIDE_DEVICE, zone_status, NULL},
	{"blk.flush-offer", VS_SIDE_DEVICE, flush_offer, NULL},
	{"blk.writeback-init", VS_SIDE_DEVICE, writeback_init, NULL},
	{"blk.padding", VS_SIDE_DEVICE, padding, NULL},
	{"blk.secure-erase-seg-max", VS_SIDE_DRIVER, secure_erase_seg_max, NULL},
	{"blk.zone-reset-all-sector", VS_SIDE_DRIVER, zone_reset_all_sector, NULL},
	{"blk.zoned-model", VS_SIDE_DEVICE, zoned_model, NULL},
	{"blk.zoned-padding", VS_SIDE_DEVICE, zoned_padding, NULL},
	{"blk.lifetime-values", VS_SIDE_DEVICE, lifetime_values, NULL},
	{"blk.secure-erase-sectors-max", VS_SIDE_DRIVER, secure_erase_sectors_max, NULL},
	{"blk.secure-erase-alignment", VS_SIDE_DRIVER, secure_erase_alignment_start, NULL},
	{"blk.secure-erase-alignment", VS_SIDE_DRIVER, secure_erase_alignment_end, NULL},
	{"blk.secure-erase-flags", VS_SIDE_DRIVER, secure_erase_flags, NULL},
	{"blk.unknown-flags-status", VS_SIDE_DEVICE, secure_erase_unknown_flags_status,
	 "blk.secure-erase-flags"},
	{"blk.secure-erase-zone-alignment", VS_SIDE_DEVICE, secure_erase_zone_alignment, NULL},
	{"blk.command-not-negotiated", VS_SIDE_DRIVER, lifetime_not_negotiated, NULL},
	{"blk.request-framing", VS_SIDE_DRIVER, lifetime_framing, NULL},
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(rule_fires)
{
	const struct rule_case *c = &cases[_i];

	c->run();
	settle();
	expect_only(c->rule, c->side, c->also);
}
END_TEST

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);
	int nblk = 0;

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (strncmp(r[i].id, "blk.", 4) != 0)
			continue;
		nblk++;
		/* tested with the legacy interface, below */
		found = strcmp(r[i].id, "blk.zoned-legacy") == 0;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
	ck_assert_int_eq(nblk, 35);
}
END_TEST

/* ---- clean runs ---- */

START_TEST(clean_every_request_type)
{
	offer(VIRTIO_BLK_F_CONFIG_WCE, 1);
	offer(VIRTIO_BLK_F_LIFETIME, 1);
	secure_erase_init();
	cread(VS_BLK_CFG_WRITEBACK, 1);
	wrw(VIRTIO_MMIO_CONFIG + VS_BLK_CFG_WRITEBACK, 1, 0);
	request(VIRTIO_BLK_T_IN, 8, SEG_MAX, 512, 1);
	dev_write(DATA, SEG_MAX * 512);
	answer(VIRTIO_BLK_S_OK, SEG_MAX * 512 + 1);
	request(VIRTIO_BLK_T_OUT, CAPACITY - 8, 1, 4096, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	request(VIRTIO_BLK_T_GET_ID, 0, 1, VIRTIO_BLK_ID_BYTES, 1);
	dev_write(DATA, VIRTIO_BLK_ID_BYTES);
	answer(VIRTIO_BLK_S_OK, VIRTIO_BLK_ID_BYTES + 1);
	ranges(VIRTIO_BLK_T_DISCARD, MAX_DISCARD_SEG, 0, 8, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	ranges(VIRTIO_BLK_T_WRITE_ZEROES, 1, 16, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	answer(VIRTIO_BLK_S_OK, 1);
	/* secure erase: two aligned segments of the limit; one ending at
	 * the capacity (a multiple of 8 here, so aligned anyway) */
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 2, 64, 64, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, CAPACITY - 64, 64, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	/* valid lifetime values, a zone reset of all zones at sector 0 */
	request(VIRTIO_BLK_T_GET_LIFETIME, 0, 1, 6, 1);
	{
		uint8_t lt[6] = {3, 0, 11, 0, 0, 0};

		vs_arena_write(F.arena, VS_SIDE_DEVICE, DATA, lt, sizeof(lt));
	}
	answer(VIRTIO_BLK_S_OK, 7);
	request(VIRTIO_BLK_T_ZONE_RESET_ALL, 0, 0, 0, 0);
	answer(VIRTIO_BLK_S_UNSUPP, 1);
	/* a request the device may refuse with IOERR or UNSUPP */
	request(VIRTIO_BLK_T_GET_LIFETIME, 0, 1, 6, 1);
	dev_write(DATA, 6);
	answer(VIRTIO_BLK_S_UNSUPP, 7);
	request(VIRTIO_BLK_T_ZONE_REPORT, 0, 1, 512, 1);
	dev_write(DATA, 512);
	answer(VIRTIO_BLK_S_UNSUPP, 513);
	/* header and data split over buffers as the device must accept */
	chain_header(VIRTIO_BLK_T_OUT, 0, 8);
	chain_add(HDR + 8, 8, 0);
	chain_data(2, 256, 0);
	chain_status();
	chain_publish();
	answer(VIRTIO_BLK_S_OK, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_writeback_written_before_read)
{
	/* CONFIG_WCE without FLUSH: writeback 0 at start; the driver's own
	 * write of 1 is then what it reads. */
	offer(VIRTIO_BLK_F_CONFIG_WCE, 1);
	F.accept[0] &= ~(1u << VIRTIO_BLK_F_FLUSH);
	F.bank.config[VS_BLK_CFG_WRITEBACK] = 0;
	blk_init();
	cread(VS_BLK_CFG_WRITEBACK, 1);
	wrw(VIRTIO_MMIO_CONFIG + VS_BLK_CFG_WRITEBACK, 1, 1);
	cread(VS_BLK_CFG_WRITEBACK, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_secure_erase_to_unaligned_capacity)
{
	/* The last segment of a disk of 1001 sectors ends at the capacity,
	 * off the 8-sector alignment: nothing else could cover it.  A zoned
	 * device whose zones the alignment covers whole is fine too. */
	offer(VIRTIO_BLK_F_ZONED, 1);
	cfg_put(VS_BLK_CFG_ZONE_SECTORS, 4, 4);
	cfg_put(VS_BLK_CFG_CAPACITY, 1001, 8);
	secure_erase_init();
	cread(VS_BLK_CFG_ZONE_SECTORS, 4);
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 992, 9, 0);
	answer(VIRTIO_BLK_S_OK, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(secure_erase_limits_need_the_feature)
{
	/* Limits read without SECURE_ERASE negotiated mean nothing: only
	 * the command itself is named. */
	offer(VIRTIO_BLK_F_SECURE_ERASE, 0);
	cfg_put(VS_BLK_CFG_MAX_SE_SECTORS, 8, 4);
	cfg_put(VS_BLK_CFG_SE_ALIGNMENT, 8, 4);
	blk_init();
	cread(VS_BLK_CFG_MAX_SE_SECTORS, 4);
	cread(VS_BLK_CFG_SE_ALIGNMENT, 4);
	ranges(VIRTIO_BLK_T_SECURE_ERASE, 1, 4, 16, 0);
	answer(VIRTIO_BLK_S_UNSUPP, 1);
	settle();
	expect_only("blk.command-not-negotiated", VS_SIDE_DRIVER, NULL);
}
END_TEST

START_TEST(unknown_limits_are_not_judged)
{
	/* A driver that never read seg_max or the capacity is not judged
	 * against them. */
	probe_to_driver();
	ck_assert(features_ok());
	setup_queue(0, F.num);
	driver_ok();
	request(VIRTIO_BLK_T_OUT, CAPACITY + 100, SEG_MAX + 2, 512, 0);
	answer(VIRTIO_BLK_S_IOERR, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(status_rules_skip_other_types)
{
	/* The same faulty answers on a console are none of blk's business. */
	F.bank.device_id = VIRTIO_ID_CONSOLE;
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer_len(0x7f, 1, 0);
	settle();
	for (size_t i = 0; i < vs_monitor_violation_count(F.mon); i++)
		ck_assert_msg(strncmp(vs_monitor_violation(F.mon, i)->rule->id, "blk.", 4) != 0,
			      "%s fired on a console", vs_monitor_violation(F.mon, i)->rule->id);
}
END_TEST

START_TEST(reset_forgets_requests)
{
	/* A request made available, then a reset: its status byte was never
	 * written, but it was never used either. */
	blk_init();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	settle();
	reset_dev();
	settle();
	expect_clean();
}
END_TEST

/* ---- the legacy interface (MMIO version 1, spec 5.2.6.3) ---- */

static void blk_setup_v1(void)
{
	uint64_t ring;

	fx_mmio_version = 1;
	blk_setup();
	F.bank.features[1] = 0;
	F.accept[1] = 0;
	ck_assert_int_eq(vs_arena_alloc(F.arena, 3 * 4096, 4096, &ring), 0);
	F.desc = ring;
	F.avail = ring + VS_DESC_SIZE(F.num);
	F.used = ring + 4096;
}

static void blk_init_v1(void)
{
	preamble();
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	reset_dev();
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	negotiate();
	read_limits();
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	rd(VIRTIO_MMIO_QUEUE_PFN);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, F.num);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(F.desc / 4096));
	driver_ok();
}

START_TEST(legacy_used_len_not_judged)
{
	/* Legacy devices were allowed other used lengths: only the status
	 * itself counts; reading writeback before DRIVER_OK is allowed too. */
	blk_init_v1();
	cread(VS_BLK_CFG_WRITEBACK, 1);
	request(VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	dev_write(DATA, 512);
	answer_len(VIRTIO_BLK_S_OK, 1, 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(legacy_status_still_judged)
{
	blk_init_v1();
	request(VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	answer(9, 1);
	settle();
	expect_only("blk.status-value", VS_SIDE_DEVICE, NULL);
}
END_TEST

START_TEST(legacy_zoned_offer)
{
	/* spec dev.blk.device-initialization.5 */
	offer(VIRTIO_BLK_F_ZONED, 0);
	blk_init_v1();
	settle();
	expect_only("blk.zoned-legacy", VS_SIDE_DEVICE, NULL);
}
END_TEST

static Suite *monitor_blk_suite(void)
{
	Suite *s = suite_create("monitor_blk");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, blk_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, blk_setup, fx_teardown);
	tcase_add_test(tc, clean_every_request_type);
	tcase_add_test(tc, clean_writeback_written_before_read);
	tcase_add_test(tc, clean_secure_erase_to_unaligned_capacity);
	tcase_add_test(tc, secure_erase_limits_need_the_feature);
	tcase_add_test(tc, unknown_limits_are_not_judged);
	tcase_add_test(tc, status_rules_skip_other_types);
	tcase_add_test(tc, reset_forgets_requests);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, blk_setup_v1, fx_teardown);
	tcase_add_test(tc, legacy_used_len_not_judged);
	tcase_add_test(tc, legacy_status_still_judged);
	tcase_add_test(tc, legacy_zoned_offer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_blk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
