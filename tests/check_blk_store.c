/*
 * check_blk_store.c - the block device's stores (devices/blk_store.c):
 * the file store through a whole device (blk_dev_fixture.h) -- data in the
 * file, requests queued behind a file operation completed in order, a
 * reset or a destroy with an operation in flight -- and both stores
 * directly: ranges outside the disk refused, one file operation at a
 * time, sparse memory chunks reading as zeros.
 */
#include "blk_dev_fixture.h"
#include "devices/blk_store.h"

/* ---- File store ---- */

START_TEST(file_roundtrip)
{
	struct vs_device_params p = {.blk_capacity = 256, .blk_backend_file = file_path};
	uint8_t buf[1024];
	FILE *f;

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	for (unsigned i = 0; i < 1024; i++)
		gp(DATA(0), 1024)[i] = (uint8_t)(i ^ 0x5a);
	request(0, 0, VIRTIO_BLK_T_OUT, 10, 2, 512, 0);
	ck_assert_uint_eq(done(0, 0, 1), VIRTIO_BLK_S_OK);
	request(0, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0);
	ck_assert_uint_eq(done(0, 1, 1), VIRTIO_BLK_S_OK);
	ranges(2, VIRTIO_BLK_T_WRITE_ZEROES, 1, 11, 1, 0);
	ck_assert_uint_eq(done(0, 2, 1), VIRTIO_BLK_S_OK);
	request(0, 3, VIRTIO_BLK_T_IN, 9, 1, 1536, 1);
	ck_assert_uint_eq(done(0, 3, 1537), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(gp(DATA(3), 1536)[511], 0);
	ck_assert_uint_eq(gp(DATA(3), 1536)[512], 0x5a);
	ck_assert_uint_eq(gp(DATA(3), 1536)[1024], 0);
	/* The file holds the disk: created at the capacity, the data in it. */
	f = fopen(file_path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_eq(ftell(f), 256 * 512);
	ck_assert_int_eq(fseek(f, 10 * 512, SEEK_SET), 0);
	ck_assert_uint_eq(fread(buf, 1, 1024, f), 1024);
	fclose(f);
	ck_assert_uint_eq(buf[0], 0x5a);
	ck_assert_uint_eq(buf[511], (uint8_t)(511 ^ 0x5a));
	ck_assert_uint_eq(buf[512], 0);
	ck_assert_uint_eq(vs_loop_now(loop), 0); /* file I/O takes no virtual time */
}
END_TEST

START_TEST(file_in_order_across_queues)
{
	struct vs_device_params p = {.blk_queues = 2, .blk_backend_file = file_path};
	uint32_t id, len;

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK | VS_BIT(VIRTIO_BLK_F_MQ));
	/* several requests queued at once complete in order, bad ones too */
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 4, 4096, 0);
	request(0, 8, VIRTIO_BLK_T_IN, 4000, 1, 512, 1); /* beyond: IOERR */
	request(0, 16, VIRTIO_BLK_T_IN, 0, 4, 4096, 1);
	request(1, 3, VIRTIO_BLK_T_GET_ID, 0, 1, 20, 1);
	next_used(0, &id, &len);
	ck_assert_uint_eq(id, 0);
	next_used(0, &id, &len);
	ck_assert_uint_eq(id, 8);
	ck_assert_uint_eq(*gp(ST(8), 1), VIRTIO_BLK_S_IOERR);
	next_used(0, &id, &len);
	ck_assert_uint_eq(id, 16);
	ck_assert_uint_eq(len, 4 * 4096 + 1);
	ck_assert_uint_eq(done(1, 3, 21), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(file_reset_drops_inflight)
{
	struct vs_device_params p = {.blk_backend_file = file_path};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 16, 4096, 1);
	/* one round: the handler starts the file read */
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	vs_vdev_reset(vdev);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	/* the completion of the old epoch is dropped: nothing used, status
	 * byte untouched */
	ck_assert_uint_eq(vs_le16(gp(RING_GPA(0) + 0x2000 + VS_USED_IDX, 2)), 0);
	ck_assert_uint_eq(*gp(ST(0), 1), 0xee);
}
END_TEST

START_TEST(file_destroy_with_inflight)
{
	struct vs_device_params p = {.blk_backend_file = file_path};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 16, 4096, 0);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	vs_vdev_destroy(vdev); /* waits for the write, frees the request */
	vdev = NULL;
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}
END_TEST


START_TEST(store_memory_sparse)
{
	struct vs_blk_store *st;
	struct vs_blk_range r = {70000, 70000};
	uint8_t buf[200000];
	struct vs_blk_io io = {.op = VS_BLK_IO_WRITE, .off = 1000, .len = sizeof(buf), .buf = buf};

	ck_assert_int_eq(vs_blk_store_open_memory(1000, &st), -EINVAL);
	ck_assert_int_eq(vs_blk_store_open_memory(1 << 20, &st), 0);
	ck_assert_int_eq(vs_blk_store_is_file(st), 0);
	memset(buf, 0xcd, sizeof(buf));
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), 0);
	ck_assert_int_eq(io.result, 0);
	io = (struct vs_blk_io){.op = VS_BLK_IO_ZERO, .ranges = &r, .nranges = 1};
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), 0);
	memset(buf, 0x11, sizeof(buf));
	io = (struct vs_blk_io){.op = VS_BLK_IO_READ, .off = 0, .len = sizeof(buf), .buf = buf};
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), 0);
	for (unsigned i = 0; i < sizeof(buf); i++) {
		uint8_t want = (i >= 1000 && i < 70000) || (i >= 140000) ? 0xcd : 0;

		ck_assert_msg(buf[i] == want, "byte %u: 0x%02x", i, buf[i]);
	}
	vs_blk_store_close(st);
}
END_TEST

START_TEST(store_refuses_out_of_range)
{
	struct vs_blk_store *st;
	uint8_t buf[512];
	struct vs_blk_range r = {4096, 1};
	struct vs_blk_io io = {.op = VS_BLK_IO_READ, .off = 3584, .len = 1024, .buf = buf};

	ck_assert_int_eq(vs_blk_store_open_memory(4096, &st), 0);
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), -EINVAL);
	io.off = UINT64_MAX;
	io.len = 2;
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), -EINVAL);
	io = (struct vs_blk_io){.op = VS_BLK_IO_ZERO, .ranges = &r, .nranges = 1};
	ck_assert_int_eq(vs_blk_store_submit(st, &io, NULL), -EINVAL);
	vs_blk_store_close(st);
	vs_blk_store_close(NULL);
}
END_TEST

static int store_done_count;

static void store_done(struct vs_blk_io *io)
{
	(void)io;
	store_done_count++;
}

START_TEST(store_file_one_at_a_time)
{
	struct vs_blk_store *st;
	uint8_t a[4096], b[4096];
	struct vs_blk_io w = {.op = VS_BLK_IO_WRITE, .off = 512, .len = sizeof(a), .buf = a,
			      .sync = 1};
	struct vs_blk_io r = {.op = VS_BLK_IO_READ, .off = 0, .len = sizeof(b), .buf = b};

	store_done_count = 0;
	ck_assert_int_eq(vs_blk_store_open_file(loop, file_path, 8192, &st), 0);
	ck_assert_int_eq(vs_blk_store_is_file(st), 1);
	memset(a, 0x3c, sizeof(a));
	ck_assert_int_eq(vs_blk_store_submit(st, &w, store_done), 1);
	ck_assert_int_eq(vs_blk_store_submit(st, &r, store_done), -EBUSY);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_int_eq(store_done_count, 1);
	ck_assert_int_eq(w.result, 0);
	ck_assert_int_eq(vs_blk_store_submit(st, &r, store_done), 1);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_int_eq(store_done_count, 2);
	ck_assert_int_eq(r.result, 0);
	ck_assert_uint_eq(b[511], 0);
	ck_assert_uint_eq(b[512], 0x3c);
	ck_assert_uint_eq(b[4095], 0x3c);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	vs_blk_store_close(st);
}
END_TEST

static Suite *blk_store_suite(void)
{
	Suite *s = suite_create("blk_store");
	TCase *tc;

	tc = tcase_create("Store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, store_memory_sparse);
	tcase_add_test(tc, store_refuses_out_of_range);
	tcase_add_test(tc, store_file_one_at_a_time);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("FileDevice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, file_roundtrip);
	tcase_add_test(tc, file_in_order_across_queues);
	tcase_add_test(tc, file_reset_drops_inflight);
	tcase_add_test(tc, file_destroy_with_inflight);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blk_store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
