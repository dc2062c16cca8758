/*
 * check_blk_dev.c - the block device model (devices/blk.c).
 *
 * The test plays the driver with rings built by hand in an arena
 * (blk_dev_fixture.h): it chains a header, data and a status byte on a
 * queue of a blk device, kicks, drains the loop and reads the used ring,
 * the status byte and the data.  Configuration and features are checked
 * field by field; every malformed request (a table of them) must be
 * answered IOERR or UNSUPP with every writable byte reported, never
 * crash; the fault switches are driven the same way.  Secure erase and
 * the lifetime wear model (a table of ratings and wear against the
 * reported values) have cases of their own.  The file store is in
 * check_blk_store.c.
 */
#include "blk_dev_fixture.h"

/* ---- Config ---- */

START_TEST(config_defaults)
{
	struct vs_device_params p = {0};

	ck_assert_int_eq(create(&p), 0);
	ck_assert_uint_eq(vs_vdev_device_id(vdev), VIRTIO_ID_BLOCK);
	ck_assert_uint_eq(vs_vdev_config_size(vdev), VS_BLK_CFG_SIZE);
	ck_assert_uint_eq(vs_vdev_features(vdev), ALL_BLK | VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 1);
	ck_assert_uint_eq(cfg64(VS_BLK_CFG_CAPACITY), 2048);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_SIZE_MAX), 65536);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_SEG_MAX), 16);
	ck_assert_uint_eq(cfg16(VS_BLK_CFG_CYLINDERS), 2);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_HEADS), 16);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_SECTORS), 63);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_BLK_SIZE), 512);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_PHYSICAL_BLOCK_EXP), 3);
	ck_assert_uint_eq(cfg16(VS_BLK_CFG_MIN_IO_SIZE), 1);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_OPT_IO_SIZE), 128);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 1);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_UNUSED0), 0);
	ck_assert_uint_eq(cfg16(VS_BLK_CFG_NUM_QUEUES), 1);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_DISCARD_SECTORS), 4096);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_DISCARD_SEG), 4);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_DISCARD_ALIGNMENT), 8);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_WZ_SECTORS), 4096);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_WZ_SEG), 4);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WZ_MAY_UNMAP), 1);
	for (uint32_t i = VS_BLK_CFG_UNUSED1; i < VS_BLK_CFG_UNUSED1 + 3; i++)
		ck_assert_uint_eq(cfg8(i), 0);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_SE_SECTORS), 1024);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_MAX_SE_SEG), 2);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_SE_ALIGNMENT), 8);
	for (uint32_t i = VS_BLK_CFG_ZONED; i < VS_BLK_CFG_SIZE; i++)
		ck_assert_uint_eq(cfg8(i), 0);
}
END_TEST

START_TEST(config_from_params)
{
	struct vs_device_params p = {.blk_capacity = 100000, .blk_read_only = 1, .blk_queues = 4,
				     .blk_seg_max = 7};

	ck_assert_int_eq(create(&p), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 4);
	ck_assert(vs_vdev_features(vdev) & VS_BIT(VIRTIO_BLK_F_RO));
	ck_assert(vs_vdev_features(vdev) & VS_BIT(VIRTIO_BLK_F_MQ));
	ck_assert_uint_eq(cfg64(VS_BLK_CFG_CAPACITY), 100000);
	ck_assert_uint_eq(cfg16(VS_BLK_CFG_NUM_QUEUES), 4);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_SEG_MAX), 7);
	ck_assert_uint_eq(cfg16(VS_BLK_CFG_CYLINDERS), 99);
}
END_TEST

START_TEST(config_features_remove_wins)
{
	struct vs_device_params p = {.blk_read_only = 1, .blk_queues = 2,
				     .features_remove = VS_BIT(VIRTIO_BLK_F_RO) |
							VS_BIT(VIRTIO_BLK_F_MQ) |
							VS_BIT(VIRTIO_BLK_F_DISCARD)};

	ck_assert_int_eq(create(&p), 0);
	ck_assert_uint_eq(vs_vdev_features(vdev) &
			  (VS_BIT(VIRTIO_BLK_F_RO) | VS_BIT(VIRTIO_BLK_F_MQ) |
			   VS_BIT(VIRTIO_BLK_F_DISCARD)), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 2);
}
END_TEST

START_TEST(config_bad_params)
{
	struct vs_device_params big = {.blk_capacity = (1ull << 24) + 1};
	struct vs_device_params segs = {.blk_seg_max = 64};
	struct vs_device_params file = {.blk_backend_file = "/nonexistent-dir/x.img"};
	struct vs_device_params rating = {.blk_endurance = (1ull << 53) + 1};
	struct vs_device_params worn = {.blk_worn = (1ull << 53) + 1};

	ck_assert_int_eq(create(&rating), -EINVAL);
	ck_assert_int_eq(create(&worn), -EINVAL);
	ck_assert_int_eq(create(&big), -EINVAL);
	ck_assert_ptr_null(vdev);
	ck_assert_int_eq(create(&segs), -EINVAL);
	ck_assert_int_eq(create(&file), -ENOENT);
	ck_assert_ptr_null(vdev);
}
END_TEST

START_TEST(config_writeback)
{
	struct vs_device_params p = {0};
	uint8_t v;

	ck_assert_int_eq(create(&p), 0);
	/* spec dev.blk.device-initialization.2: CONFIG_WCE without FLUSH */
	bring_up(VS_BIT(VIRTIO_BLK_F_CONFIG_WCE));
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 0);
	v = 1;
	ck_assert_int_eq(vs_vdev_config_write(vdev, VS_BLK_CFG_WRITEBACK, &v, 1), 0);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 1);
	v = 2; /* not a mode */
	vs_vdev_config_write(vdev, VS_BLK_CFG_WRITEBACK, &v, 1);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 1);
	v = 9; /* read-only field */
	vs_vdev_config_write(vdev, VS_BLK_CFG_SEG_MAX, &v, 1);
	ck_assert_uint_eq(cfg32(VS_BLK_CFG_SEG_MAX), 16);
	vs_vdev_reset(vdev);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 1);
}
END_TEST

START_TEST(config_writeback_needs_wce)
{
	uint8_t v = 0;

	up_default();
	vs_vdev_reset(vdev);
	restart();
	bring_up(VS_BIT(VIRTIO_BLK_F_FLUSH));
	vs_vdev_config_write(vdev, VS_BLK_CFG_WRITEBACK, &v, 1);
	ck_assert_uint_eq(cfg8(VS_BLK_CFG_WRITEBACK), 1);
}
END_TEST

/* ---- Requests ---- */

START_TEST(write_then_read)
{
	up_default();
	for (unsigned i = 0; i < 3 * 512; i++)
		gp(DATA(0), 3 * 512)[i] = (uint8_t)(i * 7 + 1);
	request(0, 0, VIRTIO_BLK_T_OUT, 10, 3, 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	/* read back sectors 9..13 in two buffers: zeros, the data, zeros */
	request(0, 8, VIRTIO_BLK_T_IN, 9, 2, 1280, 1);
	ck_assert_uint_eq(done(0, 8, 2561), VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 2560; i++) {
		uint8_t want = i >= 512 && i < 2048 ? (uint8_t)((i - 512) * 7 + 1) : 0;

		ck_assert_uint_eq(gp(DATA(8), 2560)[i], want);
	}
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 2);
	ck_assert_uint_eq(vring_irqs, 2);
}
END_TEST

START_TEST(get_id)
{
	struct vs_device_params p = {.blk_serial = "ABCDEFGHIJKLMNOPQRSTUV"};

	up_default();
	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, 1, VIRTIO_BLK_ID_BYTES, 1);
	ck_assert_uint_eq(done(0, 0, 21), VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gp(DATA(0), 20), "virtiosim-blk\0\0\0\0\0\0\0", 20);
	vs_vdev_destroy(vdev);
	vdev = NULL;
	bound = 0;
	restart();
	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, 1, VIRTIO_BLK_ID_BYTES, 1);
	ck_assert_uint_eq(done(0, 0, 21), VIRTIO_BLK_S_OK);
	/* 20 characters: no terminator */
	ck_assert_mem_eq(gp(DATA(0), 20), "ABCDEFGHIJKLMNOPQRST", 20);
}
END_TEST

START_TEST(flush)
{
	up_default();
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	vs_vdev_reset(vdev);
	restart();
	bring_up(VS_BIT(VIRTIO_BLK_F_SEG_MAX)); /* FLUSH not negotiated */
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(discard_and_write_zeroes)
{
	up_default();
	memset(gp(DATA(0), 64 * 512), 0xaa, 64 * 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 16, 2048, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	ranges(4, VIRTIO_BLK_T_DISCARD, 2, 4, 4, 0);     /* sectors 4..11 */
	ck_assert_uint_eq(done(0, 4, 1), VIRTIO_BLK_S_OK);
	ranges(5, VIRTIO_BLK_T_WRITE_ZEROES, 1, 40, 3, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	ck_assert_uint_eq(done(0, 5, 1), VIRTIO_BLK_S_OK);
	request(0, 8, VIRTIO_BLK_T_IN, 0, 16, 2048, 1);
	ck_assert_uint_eq(done(0, 8, 16 * 2048 + 1), VIRTIO_BLK_S_OK);
	for (unsigned s = 0; s < 64; s++) {
		uint8_t want = ((s >= 4 && s < 12) || (s >= 40 && s < 43)) ? 0 : 0xaa;

		ck_assert_uint_eq(gp(DATA(8), 64 * 512)[s * 512], want);
		ck_assert_uint_eq(gp(DATA(8), 64 * 512)[s * 512 + 511], want);
	}
}
END_TEST

START_TEST(discard_whole_chunks)
{
	/* A range covering whole 64 KiB chunks of the memory store and the
	 * partial ones at its ends. */
	up_default();
	for (unsigned k = 0; k < 4; k++) {
		memset(gp(DATA(k), 16 * 4096), 0x55, 16 * 4096);
		request(0, (uint16_t)k, VIRTIO_BLK_T_OUT, k * 128, 16, 4096, 0);
		ck_assert_uint_eq(done(0, (uint16_t)k, 1), VIRTIO_BLK_S_OK);
	}
	ranges(4, VIRTIO_BLK_T_DISCARD, 1, 100, 300, 0);
	ck_assert_uint_eq(done(0, 4, 1), VIRTIO_BLK_S_OK);
	for (unsigned k = 0; k < 4; k++) {
		request(0, 8, VIRTIO_BLK_T_IN, k * 128, 16, 4096, 1);
		ck_assert_uint_eq(done(0, 8, 16 * 4096 + 1), VIRTIO_BLK_S_OK);
		for (unsigned s = 0; s < 128; s++) {
			unsigned sec = k * 128 + s;

			ck_assert_uint_eq(gp(DATA(8), 65536)[s * 512 + 17],
					  ((sec >= 100 && sec < 400) ? 0 : 0x55));
		}
	}
}
END_TEST

START_TEST(discard_flags_unsupp)
{
	up_default();
	/* spec dev.blk.device-operation.5: unmap in a discard */
	ranges(0, VIRTIO_BLK_T_DISCARD, 1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_UNSUPP);
	/* spec dev.blk.device-operation.4: an unknown flag, even with a
	 * range that is also wrong */
	ranges(0, VIRTIO_BLK_T_WRITE_ZEROES, 1, 5000, 8, 0x80);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(unsupported_types)
{
	static const uint32_t types[] = {VIRTIO_BLK_T_ZONE_OPEN, VIRTIO_BLK_T_ZONE_REPORT,
					 VIRTIO_BLK_T_SCSI_CMD,  VIRTIO_BLK_T_FLUSH_OUT,
					 99,                     0xffffffffu};

	up_default();
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(gp(DATA(0), 512), 0x33, 512);
		request(0, 0, types[i], 0, 1, 512, 1);
		/* every writable byte reported: zeros, then the status */
		ck_assert_uint_eq(done(0, 0, 513), VIRTIO_BLK_S_UNSUPP);
		ck_assert_uint_eq(gp(DATA(0), 512)[0], 0);
		ck_assert_uint_eq(gp(DATA(0), 512)[511], 0);
	}
}
END_TEST

START_TEST(multiqueue)
{
	struct vs_device_params p = {.blk_queues = 2};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK | VS_BIT(VIRTIO_BLK_F_MQ));
	memset(gp(DATA(1), 512), 0x42, 512);
	request(1, 1, VIRTIO_BLK_T_OUT, 3, 1, 512, 0);
	ck_assert_uint_eq(done(1, 1, 1), VIRTIO_BLK_S_OK);
	request(0, 2, VIRTIO_BLK_T_IN, 3, 1, 512, 1);
	ck_assert_uint_eq(done(0, 2, 513), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(gp(DATA(2), 512)[100], 0x42);
}
END_TEST

START_TEST(capacity_change_limits_requests)
{
	uint8_t cap[8];

	up_default();
	vs_put_le64(cap, 1000);
	ck_assert_int_eq(vs_vdev_config_change(vdev, VS_BLK_CFG_CAPACITY, cap, 8), 0);
	request(0, 0, VIRTIO_BLK_T_IN, 999, 1, 1024, 1);
	ck_assert_uint_eq(done(0, 0, 1025), VIRTIO_BLK_S_IOERR);
	request(0, 0, VIRTIO_BLK_T_IN, 998, 1, 1024, 1);
	ck_assert_uint_eq(done(0, 0, 1025), VIRTIO_BLK_S_OK);
}
END_TEST

/* ---- Bad input: each answered, never trusted ---- */

struct bad {
	const char *what;
	void (*send)(void);
	uint32_t len;   /* expected used len */
	uint8_t status; /* expected status */
};

static void bad_short_header(void)
{
	header(0, VIRTIO_BLK_T_IN, 0);
	struct seg s[2] = {{HDR(0), 8, 0}, {ST(0), 1, VRING_DESC_F_WRITE}};
	submit(0, 0, s, 2);
}

static void bad_split_header(void)
{
	/* not bad: a header over two buffers is fine (message framing) */
	header(0, VIRTIO_BLK_T_IN, 0);
	struct seg s[4] = {{HDR(0), 4, 0}, {HDR(0) + 4, 12, 0}, {DATA(0), 512, VRING_DESC_F_WRITE},
			   {ST(0), 1, VRING_DESC_F_WRITE}};
	submit(0, 0, s, 4);
}

static void bad_read_with_readable_data(void)
{
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 512, 0);
}

static void bad_write_with_writable_data(void)
{
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 1, 512, 1);
}

static void bad_partial_sector(void)
{
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 500, 1);
}

static void bad_beyond_capacity(void)
{
	request(0, 0, VIRTIO_BLK_T_IN, 2047, 1, 1024, 1);
}

static void bad_sector_overflow(void)
{
	request(0, 0, VIRTIO_BLK_T_OUT, UINT64_MAX, 1, 512, 0);
}

static void bad_too_many_segments(void)
{
	request(0, 0, VIRTIO_BLK_T_IN, 0, 17, 512, 1);
}

static void bad_segment_too_big(void)
{
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 65536 + 512, 1);
}

static void bad_get_id_size(void)
{
	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, 1, 16, 1);
}

static void bad_flush_with_writable(void)
{
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 1, 512, 1);
}

static void bad_discard_no_segment(void)
{
	request(0, 0, VIRTIO_BLK_T_DISCARD, 0, 0, 0, 0);
}

static void bad_discard_odd_len(void)
{
	request(0, 0, VIRTIO_BLK_T_DISCARD, 0, 1, 20, 0);
}

static void bad_discard_too_many(void)
{
	ranges(0, VIRTIO_BLK_T_DISCARD, 5, 0, 8, 0);
}

static void bad_discard_too_long(void)
{
	ranges(0, VIRTIO_BLK_T_DISCARD, 1, 0, 4097, 0);
}

static void bad_wz_beyond(void)
{
	ranges(0, VIRTIO_BLK_T_WRITE_ZEROES, 1, 2040, 16, 0);
}

static void bad_lifetime_size(void)
{
	request(0, 0, VIRTIO_BLK_T_GET_LIFETIME, 0, 1, 8, 1);
}

static void bad_lifetime_readable(void)
{
	request(0, 0, VIRTIO_BLK_T_GET_LIFETIME, 0, 1, VS_BLK_LIFETIME_SIZE, 0);
}

static void bad_se_too_many(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 3, 0, 8, 0);
}

static void bad_se_too_long(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 1032, 0);
}

static void bad_se_unaligned_start(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 4, 8, 0);
}

static void bad_se_unaligned_end(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 8, 5, 0);
}

static void bad_se_beyond(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 2040, 16, 0);
}

static void bad_se_unmap(void)
{
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
}

static void bad_se_reserved_flag(void)
{
	/* spec dev.blk.device-operation.4: UNSUPP, even with a bad range */
	ranges(0, VIRTIO_BLK_T_SECURE_ERASE, 1, 5000, 8, 0x2);
}

static void bad_se_writable(void)
{
	request(0, 0, VIRTIO_BLK_T_SECURE_ERASE, 0, 1, 16, 1);
}

static const struct bad bads[] = {
	{"8-byte header", bad_short_header, 1, VIRTIO_BLK_S_IOERR},
	{"header in two buffers", bad_split_header, 513, VIRTIO_BLK_S_OK},
	{"read with readable data", bad_read_with_readable_data, 1, VIRTIO_BLK_S_IOERR},
	{"write with writable data", bad_write_with_writable_data, 513, VIRTIO_BLK_S_IOERR},
	{"500-byte read", bad_partial_sector, 501, VIRTIO_BLK_S_IOERR},
	{"read past capacity", bad_beyond_capacity, 1025, VIRTIO_BLK_S_IOERR},
	{"sector 2^64-1", bad_sector_overflow, 1, VIRTIO_BLK_S_IOERR},
	{"17 segments, seg_max 16", bad_too_many_segments, 17 * 512 + 1, VIRTIO_BLK_S_IOERR},
	{"segment above size_max", bad_segment_too_big, 65536 + 513, VIRTIO_BLK_S_IOERR},
	{"16-byte id buffer", bad_get_id_size, 17, VIRTIO_BLK_S_IOERR},
	{"flush with writable data", bad_flush_with_writable, 513, VIRTIO_BLK_S_IOERR},
	{"discard without segments", bad_discard_no_segment, 1, VIRTIO_BLK_S_IOERR},
	{"discard of 20 bytes", bad_discard_odd_len, 1, VIRTIO_BLK_S_IOERR},
	{"5 discard segments", bad_discard_too_many, 1, VIRTIO_BLK_S_IOERR},
	{"discard above max sectors", bad_discard_too_long, 1, VIRTIO_BLK_S_IOERR},
	{"write zeroes past capacity", bad_wz_beyond, 1, VIRTIO_BLK_S_IOERR},
	{"lifetime into 8 bytes", bad_lifetime_size, 9, VIRTIO_BLK_S_IOERR},
	{"lifetime with readable data", bad_lifetime_readable, 1, VIRTIO_BLK_S_IOERR},
	{"3 secure erase segments", bad_se_too_many, 1, VIRTIO_BLK_S_IOERR},
	{"secure erase above max sectors", bad_se_too_long, 1, VIRTIO_BLK_S_IOERR},
	{"secure erase at sector 4", bad_se_unaligned_start, 1, VIRTIO_BLK_S_IOERR},
	{"secure erase ending at 13", bad_se_unaligned_end, 1, VIRTIO_BLK_S_IOERR},
	{"secure erase past capacity", bad_se_beyond, 1, VIRTIO_BLK_S_IOERR},
	{"secure erase with unmap", bad_se_unmap, 1, VIRTIO_BLK_S_UNSUPP},
	{"secure erase with a reserved flag", bad_se_reserved_flag, 1, VIRTIO_BLK_S_UNSUPP},
	{"secure erase with writable data", bad_se_writable, 17, VIRTIO_BLK_S_IOERR},
};

START_TEST(bad_request)
{
	const struct bad *b = &bads[_i];

	up_default();
	memset(gp(DATA(0), 70000), 0x77, 70000);
	b->send();
	ck_assert_msg(done(0, 0, b->len) == b->status, "%s: status %u", b->what, *gp(ST(0), 1));
	/* a failed request's writable data reads as zeros */
	if (b->status != VIRTIO_BLK_S_OK && b->len > 1)
		ck_assert_uint_eq(gp(DATA(0), 1)[0], 0);
	/* the device goes on working */
	request(0, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(no_status_byte)
{
	up_default();
	header(0, VIRTIO_BLK_T_IN, 0);
	struct seg s[1] = {{HDR(0), 16, 0}};
	submit(0, 0, s, 1);
	ck_assert_uint_eq(done(0, 0, 0), 0xee); /* nothing written, len 0 */
}
END_TEST

START_TEST(read_only_refuses_writes)
{
	struct vs_device_params p = {.blk_read_only = 1};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK | VS_BIT(VIRTIO_BLK_F_RO));
	memset(gp(DATA(0), 512), 0x99, 512);
	/* spec dev.blk.device-operation.3 */
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 1, 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_IOERR);
	ranges(1, VIRTIO_BLK_T_WRITE_ZEROES, 1, 0, 8, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_IOERR);
	ranges(1, VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 8, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_IOERR);
	request(0, 2, VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	ck_assert_uint_eq(done(0, 2, 513), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(gp(DATA(2), 512)[0], 0); /* no data was written */
}
END_TEST

/* ---- Secure erase ---- */

START_TEST(secure_erase_zeroes)
{
	up_default();
	memset(gp(DATA(0), 64 * 512), 0xaa, 64 * 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 16, 2048, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	/* two segments at the limit of two: sectors 8..15 and 16..23 */
	ranges(4, VIRTIO_BLK_T_SECURE_ERASE, 2, 8, 8, 0);
	ck_assert_uint_eq(done(0, 4, 1), VIRTIO_BLK_S_OK);
	/* one of max_secure_erase_sectors */
	ranges(5, VIRTIO_BLK_T_SECURE_ERASE, 1, 1024, 1024, 0);
	ck_assert_uint_eq(done(0, 5, 1), VIRTIO_BLK_S_OK);
	request(0, 8, VIRTIO_BLK_T_IN, 0, 16, 2048, 1);
	ck_assert_uint_eq(done(0, 8, 16 * 2048 + 1), VIRTIO_BLK_S_OK);
	for (unsigned s = 0; s < 64; s++) {
		uint8_t want = s >= 8 && s < 24 ? 0 : 0xaa;

		ck_assert_uint_eq(gp(DATA(8), 64 * 512)[s * 512], want);
		ck_assert_uint_eq(gp(DATA(8), 64 * 512)[s * 512 + 511], want);
	}
}
END_TEST

START_TEST(secure_erase_to_unaligned_capacity)
{
	struct vs_device_params p = {.blk_capacity = 1001};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	memset(gp(DATA(0), 17 * 512), 0x3c, 17 * 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 984, 1, 17 * 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	/* 992 is aligned, 1001 is not but is the end of the disk */
	ranges(1, VIRTIO_BLK_T_SECURE_ERASE, 1, 992, 9, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_OK);
	/* ending at 1000 is aligned; at 999 it is neither */
	ranges(1, VIRTIO_BLK_T_SECURE_ERASE, 1, 992, 7, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_IOERR);
	request(0, 2, VIRTIO_BLK_T_IN, 984, 1, 17 * 512, 1);
	ck_assert_uint_eq(done(0, 2, 17 * 512 + 1), VIRTIO_BLK_S_OK);
	for (unsigned s = 0; s < 17; s++)
		ck_assert_uint_eq(gp(DATA(2), 17 * 512)[s * 512 + 100], s < 8 ? 0x3c : 0);
}
END_TEST

START_TEST(secure_erase_file_store)
{
	struct vs_device_params p = {.blk_capacity = 256, .blk_backend_file = file_path};
	uint8_t buf[512];
	FILE *f;

	ck_assert_int_eq(create(&p), 0);
	/* writeback cache: the erase is made stable anyway */
	bring_up(ALL_BLK);
	memset(gp(DATA(0), 16 * 512), 0x77, 16 * 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 4, 2048, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	ranges(1, VIRTIO_BLK_T_SECURE_ERASE, 1, 8, 8, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_OK);
	f = fopen(file_path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 7 * 512, SEEK_SET), 0);
	ck_assert_uint_eq(fread(buf, 1, 512, f), 512);
	ck_assert_uint_eq(buf[0], 0x77);
	ck_assert_uint_eq(fread(buf, 1, 512, f), 512);
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_int_eq(fseek(f, 15 * 512, SEEK_SET), 0);
	ck_assert_uint_eq(fread(buf, 1, 512, f), 512);
	ck_assert_uint_eq(buf[511], 0);
	fclose(f);
}
END_TEST

START_TEST(commands_need_their_features)
{
	struct vs_device_params p = {0};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK & ~(VS_BIT(VIRTIO_BLK_F_LIFETIME) | VS_BIT(VIRTIO_BLK_F_SECURE_ERASE)));
	memset(gp(DATA(0), 16), 0x33, 16);
	request(0, 0, VIRTIO_BLK_T_GET_LIFETIME, 0, 1, VS_BLK_LIFETIME_SIZE, 1);
	ck_assert_uint_eq(done(0, 0, 7), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(gp(DATA(0), 6)[0], 0);
	ck_assert_uint_eq(gp(DATA(0), 6)[5], 0);
	ranges(1, VIRTIO_BLK_T_SECURE_ERASE, 1, 0, 8, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_UNSUPP);
}
END_TEST

/* ---- Lifetime ---- */

/* GET_LIFETIME on head h: pre_eol_info, est_a, est_b. */
static void lifetime(uint16_t h, uint16_t out[3])
{
	memset(gp(DATA(h), 8), 0xee, 8);
	request(0, h, VIRTIO_BLK_T_GET_LIFETIME, 0, 1, VS_BLK_LIFETIME_SIZE, 1);
	ck_assert_uint_eq(done(0, h, VS_BLK_LIFETIME_SIZE + 1), VIRTIO_BLK_S_OK);
	out[0] = vs_le16(gp(DATA(h), 6) + VS_BLK_LIFETIME_PRE_EOL);
	out[1] = vs_le16(gp(DATA(h), 6) + VS_BLK_LIFETIME_EST_A);
	out[2] = vs_le16(gp(DATA(h), 6) + VS_BLK_LIFETIME_EST_B);
}

#define ck_lifetime(got, eol, a, b)                                                       \
	do {                                                                               \
		ck_assert_uint_eq((got)[0], (eol));                                        \
		ck_assert_uint_eq((got)[1], (a));                                          \
		ck_assert_uint_eq((got)[2], (b));                                          \
	} while (0)

struct wear_case {
	uint64_t endurance, worn; /* params (0: default 16 x 2048) */
	uint16_t eol, a, b;       /* the report */
};

static const struct wear_case wear_cases[] = {
	{1000, 0, 1, 1, 1},
	{1000, 99, 1, 1, 1},
	{1000, 100, 1, 1, 2},
	{1000, 799, 1, 2, 8},
	{1000, 800, 2, 3, 9},
	{1000, 899, 2, 3, 9},
	{1000, 900, 3, 3, 10},
	{1000, 1000, 3, 3, 10},
	{1000, 1001, 3, 3, 11},
	{1000, 4000, 3, 10, 11},
	{1000, 4001, 3, 11, 11},
	{0, 3276, 1, 1, 1},
	{0, 3277, 1, 1, 2},
	{1ull << 53, 1ull << 53, 3, 3, 10},
};

START_TEST(lifetime_wear_table)
{
	const struct wear_case *c = &wear_cases[_i];
	struct vs_device_params p = {.blk_endurance = c->endurance, .blk_worn = c->worn};
	uint16_t lt[3];

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	lifetime(0, lt);
	ck_lifetime(lt, c->eol, c->a, c->b);
}
END_TEST

START_TEST(lifetime_counts_programmed_sectors)
{
	struct vs_device_params p = {.blk_endurance = 1000};
	uint16_t lt[3];

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	lifetime(0, lt);
	ck_lifetime(lt, 1, 1, 1);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 16, 2048, 0);  /* 64 sectors */
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	request(0, 0, VIRTIO_BLK_T_OUT, 64, 16, 2048, 0); /* 128 */
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	lifetime(20, lt);
	ck_lifetime(lt, 1, 1, 2);
	ranges(18, VIRTIO_BLK_T_WRITE_ZEROES, 1, 200, 300, 0); /* 428 */
	ck_assert_uint_eq(done(0, 18, 1), VIRTIO_BLK_S_OK);
	ranges(18, VIRTIO_BLK_T_SECURE_ERASE, 2, 0, 8, 0);     /* 444 */
	ck_assert_uint_eq(done(0, 18, 1), VIRTIO_BLK_S_OK);
	/* not counted: a discard, a read, failed requests */
	ranges(18, VIRTIO_BLK_T_DISCARD, 1, 0, 1000, 0);
	ck_assert_uint_eq(done(0, 18, 1), VIRTIO_BLK_S_OK);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 16, 2048, 1);
	ck_assert_uint_eq(done(0, 0, 16 * 2048 + 1), VIRTIO_BLK_S_OK);
	request(0, 0, VIRTIO_BLK_T_OUT, 2047, 1, 1024, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_IOERR);
	ranges(18, VIRTIO_BLK_T_SECURE_ERASE, 1, 4, 8, 0);
	ck_assert_uint_eq(done(0, 18, 1), VIRTIO_BLK_S_IOERR);
	lifetime(20, lt);
	ck_lifetime(lt, 1, 2, 5);
	/* wear is physical: a reset keeps it */
	vs_vdev_reset(vdev);
	restart();
	bring_up(ALL_BLK);
	lifetime(20, lt);
	ck_lifetime(lt, 1, 2, 5);
}
END_TEST

START_TEST(lifetime_in_order_on_a_file_store)
{
	/* The answer is made at completion: a GET_LIFETIME queued behind a
	 * write sees it. */
	struct vs_device_params p = {.blk_endurance = 100, .blk_backend_file = file_path};
	uint16_t lt[3];

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 16, 2048, 0); /* 64 sectors */
	request(0, 20, VIRTIO_BLK_T_GET_LIFETIME, 0, 1, VS_BLK_LIFETIME_SIZE, 1);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(done(0, 20, VS_BLK_LIFETIME_SIZE + 1), VIRTIO_BLK_S_OK);
	lt[0] = vs_le16(gp(DATA(20), 6) + VS_BLK_LIFETIME_PRE_EOL);
	lt[1] = vs_le16(gp(DATA(20), 6) + VS_BLK_LIFETIME_EST_A);
	lt[2] = vs_le16(gp(DATA(20), 6) + VS_BLK_LIFETIME_EST_B);
	ck_lifetime(lt, 1, 2, 7);
}
END_TEST

/* ---- Faults ---- */

START_TEST(ioerr_sectors)
{
	struct vs_device_params p = {.blk_ioerr_first = 100, .blk_ioerr_count = 4};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	request(0, 0, VIRTIO_BLK_T_IN, 96, 1, 2048, 1);  /* 96..99: clear */
	ck_assert_uint_eq(done(0, 0, 2049), VIRTIO_BLK_S_OK);
	request(0, 0, VIRTIO_BLK_T_IN, 97, 1, 2048, 1);  /* 97..100 */
	ck_assert_uint_eq(done(0, 0, 2049), VIRTIO_BLK_S_IOERR);
	request(0, 0, VIRTIO_BLK_T_OUT, 103, 1, 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_IOERR);
	ranges(0, VIRTIO_BLK_T_DISCARD, 1, 90, 20, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_IOERR);
	request(0, 0, VIRTIO_BLK_T_OUT, 104, 1, 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(fault_ioerr)
{
	up_default();
	vs_faults_set(&faults, VS_FAULT_DEV_BLK_IOERR, VS_FAULT_COUNTED, 1, 0, 0);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	ck_assert_uint_eq(done(0, 0, 513), VIRTIO_BLK_S_IOERR);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	ck_assert_uint_eq(done(0, 0, 513), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_BLK_IOERR].fired, 1);
}
END_TEST

START_TEST(fault_used_len_short)
{
	up_default();
	vs_faults_set(&faults, VS_FAULT_DEV_BLK_USED_LEN_SHORT, VS_FAULT_ALWAYS, 0, 0, 0);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 1, 512, 1);
	ck_assert_uint_eq(done(0, 0, 512), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(fault_no_status)
{
	up_default();
	vs_faults_set(&faults, VS_FAULT_DEV_BLK_NO_STATUS, VS_FAULT_ALWAYS, 0, 0, 0);
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 0, 1), 0xee);
}
END_TEST

START_TEST(fault_bad_status)
{
	up_default();
	vs_faults_set(&faults, VS_FAULT_DEV_BLK_BAD_STATUS, VS_FAULT_ALWAYS, 0, 0, 0);
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 0, 1), 0x7f);
}
END_TEST

static Suite *blk_dev_suite(void)
{
	Suite *s = suite_create("blk_dev");
	TCase *tc;

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_defaults);
	tcase_add_test(tc, config_from_params);
	tcase_add_test(tc, config_features_remove_wins);
	tcase_add_test(tc, config_bad_params);
	tcase_add_test(tc, config_writeback);
	tcase_add_test(tc, config_writeback_needs_wce);
	suite_add_tcase(s, tc);

	tc = tcase_create("Requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, write_then_read);
	tcase_add_test(tc, get_id);
	tcase_add_test(tc, flush);
	tcase_add_test(tc, discard_and_write_zeroes);
	tcase_add_test(tc, discard_whole_chunks);
	tcase_add_test(tc, discard_flags_unsupp);
	tcase_add_test(tc, unsupported_types);
	tcase_add_test(tc, multiqueue);
	tcase_add_test(tc, capacity_change_limits_requests);
	suite_add_tcase(s, tc);

	tc = tcase_create("SecureErase");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, secure_erase_zeroes);
	tcase_add_test(tc, secure_erase_to_unaligned_capacity);
	tcase_add_test(tc, secure_erase_file_store);
	tcase_add_test(tc, commands_need_their_features);
	suite_add_tcase(s, tc);

	tc = tcase_create("Lifetime");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, lifetime_wear_table, 0,
			    (int)(sizeof(wear_cases) / sizeof(wear_cases[0])));
	tcase_add_test(tc, lifetime_counts_programmed_sectors);
	tcase_add_test(tc, lifetime_in_order_on_a_file_store);
	suite_add_tcase(s, tc);

	tc = tcase_create("BadInput");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_request, 0, (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, no_status_byte);
	tcase_add_test(tc, read_only_refuses_writes);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ioerr_sectors);
	tcase_add_test(tc, fault_ioerr);
	tcase_add_test(tc, fault_used_len_short);
	tcase_add_test(tc, fault_no_status);
	tcase_add_test(tc, fault_bad_status);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blk_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
