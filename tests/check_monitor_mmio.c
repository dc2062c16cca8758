/*
 * check_monitor_mmio.c - the monitor's virtio-mmio register-file rules
 * (4.2) and virtqueue reset rules (2.6.1): one faulty-side test per rule,
 * in which exactly that rule fires with the right side, and a clean queue
 * reset cycle.  "rule_table_complete" fails when a rule of these areas has
 * no test.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_fixture.h"

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define W1(bit) (1u << ((bit) - 32))

/* ---- virtqueue reset ---- */

static void with_ring_reset(void)
{
	F.bank.features[1] |= W1(VIRTIO_F_RING_RESET);
	F.accept[1] |= W1(VIRTIO_F_RING_RESET);
}

static void queue_reset_0(void)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_RESET, 1);
}

static void vq_reset_device_access(void)
{
	with_ring_reset();
	init_all();
	queue_reset_0();
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_RESET), 0);
	dev_read(F.avail + VS_AVAIL_IDX, 2);
}

static void vq_reset_reconfigure(void)
{
	with_ring_reset();
	init_all();
	queue_reset_0();
	rd(VIRTIO_MMIO_QUEUE_RESET);
	wr(VIRTIO_MMIO_QUEUE_NUM, F.num);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* ---- mmio: driver side ---- */

static void mmio_access_undefined(void)
{
	preamble();
	rd(0x018);
}

static void mmio_write_readonly(void)
{
	preamble();
	wr(VIRTIO_MMIO_MAGIC_VALUE, 1);
}

static void mmio_read_writeonly(void)
{
	preamble();
	rd(VIRTIO_MMIO_QUEUE_SEL);
}

static void mmio_access_width(void)
{
	preamble();
	rdw(VIRTIO_MMIO_STATUS, 2);
}

static void mmio_config_width(void)
{
	init_all();
	rdw(VIRTIO_MMIO_CONFIG, 8);
}

static void mmio_init_magic_version(void)
{
	rd(VIRTIO_MMIO_DEVICE_ID);
}

static void mmio_device_id_zero(void)
{
	F.bank.device_id = 0;
	preamble(); /* reads VendorID after DeviceID 0 */
}

static void mmio_bad_magic_ignored(void)
{
	F.bank.magic = 0x12345678;
	preamble();
}

static void mmio_bad_version_ignored(void)
{
	F.bank.version = 1;
	preamble();
}

static void mmio_features_sel(void)
{
	preamble();
	rd(VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_driver_features_sel(void)
{
	preamble();
	reset_dev();
	add_status(ACK);
	add_status(DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
}

static void mmio_queue_size_max(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	F.bank.num_max = 4;
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
}

static void mmio_queue_size_pow2(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 6);
}

static void mmio_queue_ready_access(void)
{
	init_all();
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
}

static void mmio_queue_ready_readback(void)
{
	init_all();
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
}

static void mmio_device_id_unread(void)
{
	rd(VIRTIO_MMIO_MAGIC_VALUE);
	rd(VIRTIO_MMIO_VERSION);
	rd(VIRTIO_MMIO_STATUS);
}

static void mmio_queue_reset_readback(void)
{
	with_ring_reset();
	init_all();
	queue_reset_0();
	wr(VIRTIO_MMIO_QUEUE_NUM, F.num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)F.desc);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)F.avail);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)F.used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void mmio_ack_undefined(void)
{
	init_all();
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0x4);
}

static void mmio_isr_not_read(void)
{
	F.irq_mode = IRQ_IGNORE;
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
}

static void mmio_isr_not_acked(void)
{
	F.irq_mode = IRQ_READ_ONLY;
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
}

/* ---- mmio: device side ---- */

static void mmio_magic(void)
{
	F.bank.magic = 0x12345678;
	rd(VIRTIO_MMIO_MAGIC_VALUE);
}

static void mmio_version(void)
{
	F.bank.version = 1;
	rd(VIRTIO_MMIO_MAGIC_VALUE);
	rd(VIRTIO_MMIO_VERSION);
}

static void mmio_isr_missing_bit(void)
{
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_push(0, 16);
	dev_irq(VIRTIO_MMIO_INT_CONFIG); /* used buffer, but only the config bit */
}

static void mmio_isr_undefined_bits(void)
{
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_push(0, 16);
	dev_irq(VIRTIO_MMIO_INT_VRING | 0x4);
}

static void mmio_isr_spurious(void)
{
	init_all();
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void mmio_reset_clear(void)
{
	F.bank.keep_isr_on_reset = 1;
	F.bank.isr = VIRTIO_MMIO_INT_CONFIG;
	preamble();
	reset_dev();
	rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
}

static void mmio_reset_readback(void)
{
	F.bank.keep_status_on_reset = 1;
	init_all();
	reset_dev();
}

static void mmio_queue_not_ready_access(void)
{
	init_all();
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	rd(VIRTIO_MMIO_QUEUE_READY);
	dev_read(F.avail + VS_AVAIL_IDX, 2);
}

static void mmio_interrupt_no_cause(void)
{
	init_all();
	dev_irq(0);
}

static void mmio_queue_reset_zero_after_reset(void)
{
	with_ring_reset();
	init_all();
	F.bank.queue_reset = 1;
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	rd(VIRTIO_MMIO_QUEUE_RESET);
}

static void mmio_queue_reset_zero_after_enable(void)
{
	with_ring_reset();
	init_all();
	F.bank.queue_reset = 1;
	rd(VIRTIO_MMIO_QUEUE_RESET);
}

static void mmio_queue_reset_ready(void)
{
	with_ring_reset();
	init_all();
	queue_reset_0();
	rd(VIRTIO_MMIO_QUEUE_RESET);
	F.bank.ready[0] = 1; /* the device forgot to clear it */
	rd(VIRTIO_MMIO_QUEUE_READY);
}

/* ---- legacy version 1 (4.2.4) ---- */

/* A legacy device and driver: no VERSION_1 on either side, a ring in the
 * legacy layout (used ring on the next 4096 boundary). */
static void fx_setup_v1(void)
{
	uint64_t ring;

	fx_mmio_version = 1;
	fx_setup();
	F.bank.features[1] = 0;
	F.accept[1] = 0;
	ck_assert_int_eq(vs_arena_alloc(F.arena, 3 * 4096, 4096, &ring), 0);
	F.desc = ring;
	F.avail = ring + VS_DESC_SIZE(F.num);
	F.used = ring + 4096;
}

static void setup_queue_v1(uint32_t q, uint32_t align)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, F.num);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, align);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(F.desc / 4096));
}

/* As Linux's legacy virtio-mmio: no FEATURES_OK without VERSION_1. */
static void init_v1(int page_size)
{
	preamble();
	if (page_size)
		wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	reset_dev();
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	negotiate();
}

static void mmio_legacy_page_size(void)
{
	init_v1(0);
	setup_queue_v1(0, 4096);
}

static void mmio_legacy_align(void)
{
	init_v1(1);
	setup_queue_v1(0, 3000);
}

static void mmio_legacy_pfn_reset(void)
{
	F.bank.keep_pfn_on_reset = 1;
	F.bank.pfn[0] = 0x12;
	init_v1(1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	rd(VIRTIO_MMIO_QUEUE_PFN);
}

static const struct rule_case cases_v1[] = {
	{"mmio.legacy-page-size", VS_SIDE_DRIVER, mmio_legacy_page_size, NULL},
	{"mmio.legacy-align", VS_SIDE_DRIVER, mmio_legacy_align, NULL},
	{"mmio.legacy-pfn-reset", VS_SIDE_DEVICE, mmio_legacy_pfn_reset, NULL},
};
#define NCASES_V1 ((int)(sizeof(cases_v1) / sizeof(cases_v1[0])))

START_TEST(rule_fires_v1)
{
	const struct rule_case *c = &cases_v1[_i];

	c->run();
	settle();
	expect_only(c->rule, c->side, c->also);
}
END_TEST

/* A whole legacy life: probe, a request, a completion, a config read
 * wider than 32 bits (no generation to bracket it), reset. */
START_TEST(clean_v1)
{
	init_v1(1);
	setup_queue_v1(0, 4096);
	driver_ok();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	rdw(VIRTIO_MMIO_CONFIG + 4, 4);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0);
	reset_dev();
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	settle();
	expect_clean();
}
END_TEST

/* A packed ring takes any size (2.8): QueueSize 6 and a live queue of 6. */
START_TEST(queue_size_any_packed)
{
	F.bank.features[1] |= W1(VIRTIO_F_RING_PACKED);
	F.accept[1] |= W1(VIRTIO_F_RING_PACKED);
	F.num = 6;
	init_all();
	settle();
	expect_clean();
}
END_TEST

/* v2-only registers are undefined on a version 1 bank */
START_TEST(v1_has_no_queue_ready)
{
	init_v1(1);
	rd(VIRTIO_MMIO_QUEUE_READY);
	settle();
	expect_only("mmio.access-undefined", VS_SIDE_DRIVER, NULL);
}
END_TEST

static const struct rule_case cases[] = {
	{"vq-reset.device-access", VS_SIDE_DEVICE, vq_reset_device_access, NULL},
	{"vq-reset.reconfigure", VS_SIDE_DRIVER, vq_reset_reconfigure, NULL},
	{"mmio.access-undefined", VS_SIDE_DRIVER, mmio_access_undefined, NULL},
	{"mmio.write-readonly", VS_SIDE_DRIVER, mmio_write_readonly, NULL},
	{"mmio.read-writeonly", VS_SIDE_DRIVER, mmio_read_writeonly, NULL},
	{"mmio.access-width", VS_SIDE_DRIVER, mmio_access_width, NULL},
	{"mmio.config-width", VS_SIDE_DRIVER, mmio_config_width, NULL},
	{"mmio.init-magic-version", VS_SIDE_DRIVER, mmio_init_magic_version, NULL},
	{"mmio.device-id-zero", VS_SIDE_DRIVER, mmio_device_id_zero, NULL},
	/* a driver can only fail to ignore a device that is itself broken */
	{"mmio.bad-magic-ignored", VS_SIDE_DRIVER, mmio_bad_magic_ignored, "mmio.magic"},
	{"mmio.bad-version-ignored", VS_SIDE_DRIVER, mmio_bad_version_ignored, "mmio.version"},
	{"mmio.device-id-unread", VS_SIDE_DRIVER, mmio_device_id_unread, NULL},
	{"mmio.queue-reset-readback", VS_SIDE_DRIVER, mmio_queue_reset_readback, NULL},
	{"mmio.features-sel", VS_SIDE_DRIVER, mmio_features_sel, NULL},
	{"mmio.driver-features-sel", VS_SIDE_DRIVER, mmio_driver_features_sel, NULL},
	{"mmio.queue-size-max", VS_SIDE_DRIVER, mmio_queue_size_max, NULL},
	{"mmio.queue-size-pow2", VS_SIDE_DRIVER, mmio_queue_size_pow2, NULL},
	{"mmio.queue-ready-access", VS_SIDE_DRIVER, mmio_queue_ready_access, NULL},
	{"mmio.queue-ready-readback", VS_SIDE_DRIVER, mmio_queue_ready_readback, NULL},
	{"mmio.ack-undefined", VS_SIDE_DRIVER, mmio_ack_undefined, NULL},
	{"mmio.isr-not-read", VS_SIDE_DRIVER, mmio_isr_not_read, NULL},
	{"mmio.isr-not-acked", VS_SIDE_DRIVER, mmio_isr_not_acked, NULL},
	{"mmio.magic", VS_SIDE_DEVICE, mmio_magic, NULL},
	{"mmio.version", VS_SIDE_DEVICE, mmio_version, NULL},
	{"mmio.isr-missing-bit", VS_SIDE_DEVICE, mmio_isr_missing_bit, NULL},
	{"mmio.isr-undefined-bits", VS_SIDE_DEVICE, mmio_isr_undefined_bits, NULL},
	{"mmio.isr-spurious", VS_SIDE_DEVICE, mmio_isr_spurious, NULL},
	{"mmio.reset-clear", VS_SIDE_DEVICE, mmio_reset_clear, NULL},
	{"mmio.reset-readback", VS_SIDE_DEVICE, mmio_reset_readback, NULL},
	{"mmio.queue-not-ready-access", VS_SIDE_DEVICE, mmio_queue_not_ready_access, NULL},
	{"mmio.interrupt-no-cause", VS_SIDE_DEVICE, mmio_interrupt_no_cause, NULL},
	{"mmio.queue-reset-zero-after-reset", VS_SIDE_DEVICE, mmio_queue_reset_zero_after_reset, NULL},
	{"mmio.queue-reset-zero-after-enable", VS_SIDE_DEVICE, mmio_queue_reset_zero_after_enable, NULL},
	{"mmio.queue-reset-ready", VS_SIDE_DEVICE, mmio_queue_reset_ready, NULL},
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

static int in_this_file(const char *id)
{
	return strncmp(id, "mmio.", 5) == 0 || strncmp(id, "vq-reset.", 9) == 0;
}

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (!in_this_file(r[i].id))
			continue;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		for (int j = 0; j < NCASES_V1; j++)
			found |= strcmp(cases_v1[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
}
END_TEST

START_TEST(clean_queue_reset)
{
	with_ring_reset();
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	queue_reset_0();
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_RESET), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* the driver zeroes the rings and sets the queue up again */
	memset(vs_arena_translate(F.arena, F.avail, VS_AVAIL_SIZE(F.num)), 0, VS_AVAIL_SIZE(F.num));
	memset(vs_arena_translate(F.arena, F.used, VS_USED_SIZE(F.num)), 0, VS_USED_SIZE(F.num));
	F.avail_idx = F.used_idx = 0;
	setup_queue(0, F.num);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
	expect_clean();
}
END_TEST

static Suite *mmio_suite(void)
{
	Suite *s = suite_create("monitor_mmio");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, fx_setup_v1, fx_teardown);
	tcase_add_loop_test(tc, rule_fires_v1, 0, NCASES_V1);
	tcase_add_test(tc, clean_v1);
	tcase_add_test(tc, v1_has_no_queue_ready);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, clean_queue_reset);
	tcase_add_test(tc, queue_size_any_packed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mmio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
