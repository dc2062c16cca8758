/*
 * check_blk_drv.c - the block driver (driver/virtio_blk.c) and the block
 * layer under it (driver/blk_core.c), through the guest API
 * (driver/guest.h), on whole machines built from scenario text (every
 * transport, split and packed rings), with the monitor watching.
 *
 * What the driver made of the configuration (limits, cache mode, queues),
 * data round trips of every size against a reference copy, secure erase
 * cut into aligned ranges within its limits, the lifetime report, the
 * operations refused before they reach the device, and a faulty device:
 * lengths and status values it must not trust, requests that never
 * complete.  Every
 * test ends with the guest shut down, no guest memory left allocated,
 * every virtqueue buffer returned, and (unless the test faults) no
 * violation.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/blkdev.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "devices/vring.h"
#include "driver/guest.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/scenario.h"
#include "tests/guest_machine_fixture.h"

/* One blk device described by the JSON of its device object (and the
 * machine's ring), probed: h is its handle -- build() of the fixture. */

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 9));
}

/* ---- Config ---- */

START_TEST(limits_from_config)
{
	struct vs_guest_blk_info info;

	build("split", "{\"type\": \"blk\", \"capacity_sectors\": 4096, \"seg_max\": 5}");
	ck_assert_int_eq(vs_guest_blk_info(h, &info), 0);
	ck_assert_uint_eq(info.capacity, 4096);
	ck_assert_int_eq(info.read_only, 0);
	ck_assert_int_eq(info.writeback, 1);
	ck_assert_uint_eq(info.nr_queues, 1);
	ck_assert_uint_eq(info.max_segments, 5);
	ck_assert_uint_eq(info.max_segment_size, 65536);
	ck_assert_uint_eq(info.logical_block_size, 512);
	ck_assert_uint_eq(info.max_discard_sectors, 4096);
	ck_assert_uint_eq(info.max_discard_segments, 4);
	ck_assert_uint_eq(info.max_write_zeroes_sectors, 4096);
	ck_assert_uint_eq(info.max_secure_erase_sectors, 1024);
	ck_assert_uint_eq(info.max_secure_erase_segments, 2);
	ck_assert_uint_eq(info.secure_erase_alignment, 8);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(limits_without_features)
{
	struct vs_guest_blk_info info;
	uint8_t buf[8192];
	uint64_t before;

	/* no SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH, CONFIG_WCE, DISCARD, WRITE_ZEROES */
	build("split", "{\"type\": \"blk\", \"features_remove\": [1, 2, 6, 9, 11, 13, 14]}");
	ck_assert_int_eq(vs_guest_blk_info(h, &info), 0);
	ck_assert_uint_eq(info.max_segments, 1);
	ck_assert_int_eq(info.writeback, 0);
	ck_assert_uint_eq(info.max_discard_sectors, 0);
	ck_assert_uint_eq(info.max_secure_erase_sectors, 1024); /* still offered */
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	ck_assert_int_eq(vs_guest_blk_flush(h), 0); /* nothing cached: no request */
	ck_assert_int_eq(vs_guest_blk_discard(h, 0, 8), -EOPNOTSUPP);
	ck_assert_int_eq(vs_guest_blk_write_zeroes(h, 0, 8), -EOPNOTSUPP);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before);
	/* one 4 KiB segment per request: 8 KiB is two requests */
	fill(buf, sizeof(buf), 1);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before + 2);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(multiqueue_spreads_requests)
{
	struct vs_guest_blk_info info;
	uint8_t *buf = malloc(1 << 20), *back = malloc(1 << 20);
	uint32_t total = 0;

	build("split", "{\"type\": \"blk\", \"transport\": \"pci\", \"queues\": 3}");
	ck_assert_int_eq(vs_guest_blk_info(h, &info), 0);
	ck_assert_uint_eq(info.nr_queues, 3);
	ck_assert_str_eq(vs_guest_irq_mode(h), "msix-per-vq");
	fill(buf, 1 << 20, 3);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, 1 << 20), 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, back, 1 << 20), 0);
	ck_assert_mem_eq(buf, back, 1 << 20);
	/* 16 requests of 64 KiB each way, round robin: 32 over three queues */
	for (unsigned q = 0; q < 3; q++) {
		uint32_t n = vs_vdev_queue(m->devs[0].vdev, q)->push_seq;

		ck_assert_msg(n == 10 || n == 11, "queue %u completed %u", q, n);
		total += n;
	}
	ck_assert_uint_eq(total, 32);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), 32);
	free(buf);
	free(back);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Data ---- */

struct rt {
	const char *ring;
	const char *device;
};

static const struct rt rts[] = {
	{"split", "{\"type\": \"blk\"}"},
	{"split", "{\"type\": \"blk\", \"transport\": \"mmio-legacy\"}"},
	{"split", "{\"type\": \"blk\", \"transport\": \"pci\"}"},
	{"split", "{\"type\": \"blk\", \"transport\": \"pci-legacy\", \"msix_vectors\": 0}"},
	{"packed", "{\"type\": \"blk\", \"transport\": \"pci\", \"queues\": 2}"},
	{"split", "{\"type\": \"blk\", \"features_add\": [28], \"queue_size\": 8}"},
	{"packed", "{\"type\": \"blk\", \"features_add\": [28, 29], \"seg_max\": 2}"},
	{"split", "{\"type\": \"blk\", \"seg_max\": 1, \"queue_size\": 4}"},
};

START_TEST(roundtrip)
{
	static const size_t sizes[] = {512, 4096, 4608, 65536, 69632, 300 * 512};
	uint8_t *ref = calloc(2048, 512), *buf = malloc(300 * 512);
	struct vs_guest_blk_lifetime lt;
	char id[20];
	uint64_t at = 0;

	build(rts[_i].ring, rts[_i].device);
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		fill(buf, sizes[k], k + 1);
		ck_assert_int_eq(vs_guest_blk_rw(h, 1, at, buf, sizes[k]), 0);
		memcpy(ref + at * 512, buf, sizes[k]);
		at += sizes[k] / 512 + 3;
	}
	ck_assert_int_eq(vs_guest_blk_flush(h), 0);
	ck_assert_int_eq(vs_guest_blk_discard(h, 5, 20), 0);
	memset(ref + 5 * 512, 0, 20 * 512);
	ck_assert_int_eq(vs_guest_blk_write_zeroes(h, 150, 9000 - 8990), 0);
	memset(ref + 150 * 512, 0, 10 * 512);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 1600, 64), 0);
	memset(ref + 1600 * 512, 0, 64 * 512);
	for (uint64_t s = 0; s < 2048; s += 300) {
		size_t n = (2048 - s < 300 ? 2048 - s : 300) * 512;

		ck_assert_int_eq(vs_guest_blk_rw(h, 0, s, buf, n), 0);
		ck_assert_mem_eq(buf, ref + s * 512, n);
	}
	ck_assert_int_eq(vs_guest_blk_get_id(h, id), 0);
	ck_assert_mem_eq(id, "virtiosim-blk\0\0\0\0\0\0\0", 20);
	/* 656 sectors programmed of the 32768 the cells are rated for */
	ck_assert_int_eq(vs_guest_blk_get_lifetime(h, &lt), 0);
	ck_assert_uint_eq(lt.pre_eol_info, 1);
	ck_assert_uint_eq(lt.lifetime_est_a, 1);
	ck_assert_uint_eq(lt.lifetime_est_b, 1);
	/* freeze / restore keeps the disk and the driver working */
	ck_assert_int_eq(vs_guest_reset(h), 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 4096), 0);
	ck_assert_mem_eq(buf, ref, 4096);
	free(ref);
	free(buf);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(large_discard_is_split)
{
	uint8_t *buf = malloc(1 << 20);
	uint64_t before;

	build("split", "{\"type\": \"blk\", \"capacity_sectors\": 65536}");
	memset(buf, 0xab, 1 << 20);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 10000, buf, 1 << 20), 0);
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	/* 20000 sectors, ranges of <= 4096, <= 4 per request: 2 requests */
	ck_assert_int_eq(vs_guest_blk_discard(h, 9000, 20000), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before + 2);
	/* write zeroes: one range per request: 5 requests */
	ck_assert_int_eq(vs_guest_blk_write_zeroes(h, 9000, 20000), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before + 7);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 10000, buf, 1 << 20), 0);
	for (size_t i = 0; i < (1 << 20); i += 4096)
		ck_assert_uint_eq(buf[i], 0);
	free(buf);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(secure_erase_is_split)
{
	uint8_t *buf = malloc(1 << 20);
	uint64_t before;

	build("split", "{\"type\": \"blk\", \"capacity_sectors\": 65536}");
	memset(buf, 0xab, 1 << 20);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 10000, buf, 1 << 20), 0);
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	/* 5000 sectors: ranges of <= 1024, 2 per request: 5 ranges, 3 requests */
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 9000, 5000), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before + 3);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 10000, buf, 1 << 20), 0);
	for (size_t i = 0; i < (1 << 20); i += 512)
		ck_assert_uint_eq(buf[i], i < 4000 * 512 ? 0 : 0xab);
	free(buf);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(secure_erase_alignment)
{
	uint8_t buf[4096];
	uint64_t before;

	/* 1001 sectors: the last range may end at the unaligned capacity */
	build("packed", "{\"type\": \"blk\", \"transport\": \"pci\", \"capacity_sectors\": 1001}");
	memset(buf, 0x5e, sizeof(buf));
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 993, buf, 8 * 512), 0);
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 4, 8), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 8, 12), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 992, 8), 0);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 1000, 1), 0);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 1000, 2), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 0, 0), -EINVAL);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before + 2);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 993, buf, 8 * 512), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(lifetime_follows_the_writes)
{
	struct vs_guest_blk_lifetime lt;
	uint8_t buf[50 * 512];

	build("split", "{\"type\": \"blk\", \"transport\": \"mmio-legacy\", \"endurance_sectors\": 100}");
	ck_assert_int_eq(vs_guest_blk_get_lifetime(h, &lt), 0);
	ck_assert_uint_eq(lt.pre_eol_info, 1);
	ck_assert_uint_eq(lt.lifetime_est_a, 1);
	ck_assert_uint_eq(lt.lifetime_est_b, 1);
	memset(buf, 1, sizeof(buf));
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, sizeof(buf)), 0);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 64, 32), 0);
	/* 82 sectors of 100 (MLC), of 400 (SLC) */
	ck_assert_int_eq(vs_guest_blk_get_lifetime(h, &lt), 0);
	ck_assert_uint_eq(lt.pre_eol_info, 2);
	ck_assert_uint_eq(lt.lifetime_est_a, 3);
	ck_assert_uint_eq(lt.lifetime_est_b, 9);
	ck_assert_int_eq(vs_guest_blk_write_zeroes(h, 0, 19), 0);
	ck_assert_int_eq(vs_guest_blk_get_lifetime(h, &lt), 0);
	ck_assert_uint_eq(lt.pre_eol_info, 3);
	ck_assert_uint_eq(lt.lifetime_est_a, 3);
	ck_assert_uint_eq(lt.lifetime_est_b, 11);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(without_the_features)
{
	struct vs_guest_blk_lifetime lt;
	struct vs_guest_blk_info info;
	uint64_t before;

	build("split", "{\"type\": \"blk\", \"features_remove\": [15, 16]}");
	ck_assert_int_eq(vs_guest_blk_info(h, &info), 0);
	ck_assert_uint_eq(info.max_secure_erase_sectors, 0);
	ck_assert_uint_eq(info.max_secure_erase_segments, 0);
	ck_assert_uint_eq(info.secure_erase_alignment, 0);
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	/* refused by the driver: nothing reaches the device */
	ck_assert_int_eq(vs_guest_blk_get_lifetime(h, &lt), -EOPNOTSUPP);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 0, 8), -EOPNOTSUPP);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Refused before the device ---- */

START_TEST(refused_requests)
{
	uint8_t buf[1024];
	char id[20];
	uint64_t before;

	build("split", "{\"type\": \"blk\", \"capacity_sectors\": 1024, \"read_only\": true}");
	before = vs_vdev_requests_completed(m->devs[0].vdev);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, 512), -EROFS);
	ck_assert_int_eq(vs_guest_blk_discard(h, 0, 1), -EROFS);
	ck_assert_int_eq(vs_guest_blk_write_zeroes(h, 0, 1), -EROFS);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 0, 8), -EROFS);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 100), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 0), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 1023, buf, 1024), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, UINT64_MAX, buf, 512), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_discard(h, 0, 0), -EINVAL);
	ck_assert_uint_eq(vs_vdev_requests_completed(m->devs[0].vdev), before);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 1022, buf, 1024), 0);
	ck_assert_int_eq(vs_guest_blk_get_id(h, id), 0);
	ck_assert_int_eq(vs_guest_blk_rw(h + 5, 0, 0, buf, 512), -ENOENT);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(not_a_disk)
{
	uint8_t buf[512];
	struct vs_guest_blk_info info;

	build("split", "{\"type\": \"rng\"}");
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 512), -ENODEV);
	ck_assert_int_eq(vs_guest_blk_flush(h), -ENODEV);
	ck_assert_int_eq(vs_guest_blk_info(h, &info), -ENODEV);
	ck_assert_int_eq(vs_guest_blk_secure_erase(h, 0, 8), -ENODEV);
	shutdown();
}
END_TEST

START_TEST(capacity_change)
{
	struct vs_guest_blk_info info;
	uint8_t cap[8], buf[512];

	build("split", "{\"type\": \"blk\"}");
	vs_put_le64(cap, 100);
	ck_assert_int_eq(vs_vdev_config_change(m->devs[0].vdev, VS_BLK_CFG_CAPACITY, cap, 8), 0);
	vs_machine_settle(m);
	/* spec drv.blk.device-operation.1: re-read on the notification */
	ck_assert_int_eq(vs_guest_blk_info(h, &info), 0);
	ck_assert_uint_eq(info.capacity, 100);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 100, buf, 512), -EINVAL);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 99, buf, 512), 0);
	no_violations();
	shutdown();
}
END_TEST

/* ---- A faulty device ---- */

START_TEST(short_used_len_is_eio)
{
	uint8_t buf[4096];

	build("split", "{\"type\": \"blk\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_BLK_USED_LEN_SHORT, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), -EIO);
	ck_assert(fired("blk.used-len"));
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), 0);
	shutdown();
}
END_TEST

START_TEST(short_used_len_ignored_on_legacy)
{
	uint8_t buf[4096];

	/* spec 5.2.6.3: transitional drivers ignore the used length on the
	 * legacy interface (no VIRTIO_F_VERSION_1: PCI legacy has 32 bits) */
	build("split", "{\"type\": \"blk\", \"transport\": \"pci-legacy\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_BLK_USED_LEN_SHORT, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), 0);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(bad_and_missing_status_are_eio)
{
	uint8_t buf[512];

	build("split", "{\"type\": \"blk\", \"transport\": \"pci\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_BLK_BAD_STATUS, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_blk_flush(h), -EIO);
	ck_assert(fired("blk.status-value"));
	vs_faults_set(&m->faults, VS_FAULT_DEV_BLK_NO_STATUS, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, sizeof(buf)), -EIO);
	ck_assert(fired("blk.status-not-written"));
	vs_faults_set(&m->faults, VS_FAULT_DEV_BLK_IOERR, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), -EIO);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), 0);
	shutdown();
}
END_TEST

START_TEST(status_to_errno)
{
	/* How the device's answer reaches the caller (the real device never
	 * says UNSUPP to what this driver sends, so the mapping is checked
	 * here). */
	ck_assert_int_eq(blk_status_to_errno(BLK_STS_OK), 0);
	ck_assert_int_eq(blk_status_to_errno(BLK_STS_NOTSUPP), -EOPNOTSUPP);
	ck_assert_int_eq(blk_status_to_errno(BLK_STS_IOERR), -EIO);
	ck_assert_int_eq(blk_status_to_errno(BLK_STS_TIMEOUT), -ETIMEDOUT);
	ck_assert_int_eq(blk_status_to_errno(BLK_STS_DEV_RESOURCE), -ENOMEM);
	ck_assert_int_eq(blk_status_to_errno(200), -EIO);
}
END_TEST

START_TEST(device_never_answers)
{
	uint8_t *buf = malloc(256 * 1024);

	build("split", "{\"type\": \"blk\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	/* the window of 16 requests times out; they stay with the device */
	ck_assert_int_eq(vs_guest_blk_rw(h, 1, 0, buf, 256 * 1024), -ETIMEDOUT);
	vs_faults_clear(&m->faults, VS_FAULT_DEV_NO_INTERRUPT);
	/* the next request's interrupt collects the old ones too */
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 4096), 0);
	vs_faults_set(&m->faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 8192), -ETIMEDOUT);
	/* a reset reclaims what was abandoned */
	ck_assert_int_eq(vs_guest_reset(h), 0);
	vs_faults_clear(&m->faults, VS_FAULT_DEV_NO_INTERRUPT);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, 4096), 0);
	free(buf);
	shutdown();
}
END_TEST

START_TEST(removed_with_abandoned_requests)
{
	uint8_t buf[8192];

	build("split", "{\"type\": \"blk\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_guest_blk_rw(h, 0, 0, buf, sizeof(buf)), -ETIMEDOUT);
	ck_assert_int_eq(vs_guest_remove(h), 0);
	shutdown();
}
END_TEST

static Suite *blk_drv_suite(void)
{
	Suite *s = suite_create("blk_drv");
	TCase *tc;

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, limits_from_config);
	tcase_add_test(tc, limits_without_features);
	tcase_add_test(tc, multiqueue_spreads_requests);
	tcase_add_test(tc, capacity_change);
	suite_add_tcase(s, tc);

	tc = tcase_create("Data");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, roundtrip, 0, (int)(sizeof(rts) / sizeof(rts[0])));
	tcase_add_test(tc, large_discard_is_split);
	tcase_add_test(tc, secure_erase_is_split);
	tcase_add_test(tc, secure_erase_alignment);
	tcase_add_test(tc, lifetime_follows_the_writes);
	tcase_add_test(tc, without_the_features);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("Refused");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, refused_requests);
	tcase_add_test(tc, not_a_disk);
	suite_add_tcase(s, tc);

	tc = tcase_create("FaultyDevice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, short_used_len_is_eio);
	tcase_add_test(tc, short_used_len_ignored_on_legacy);
	tcase_add_test(tc, bad_and_missing_status_are_eio);
	tcase_add_test(tc, status_to_errno);
	tcase_add_test(tc, device_never_answers);
	tcase_add_test(tc, removed_with_abandoned_requests);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blk_drv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
