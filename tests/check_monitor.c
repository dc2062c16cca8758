/*
 * check_monitor.c - the monitor: API, clean runs, and one faulty-side test
 * per rule of the init, suspend, reset, features and config areas (the
 * virtio-mmio and virtqueue-reset rules are in check_monitor_mmio.c, the
 * ring, notification and device-type rules in check_monitor_ring.c).
 *
 * Every rule test drives the fake bank of monitor_fixture.h through a
 * script in which exactly one side breaks exactly that rule, and asserts
 * that the rule fires with the right side and nothing else does.
 * "rule_table_complete" fails when a rule of these areas has no test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_fixture.h"

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK
#define W1(bit) (1u << ((bit) - 32))
#define VS_F_SUSPEND 43 /* VIRTIO_F_SUSPEND (6) */

/* ---- init ---- */

static void init_status_order(void)
{
	probe_to_driver();
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | DOK);
}

static void init_features_ok_check(void)
{
	probe_to_driver();
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
}

static void init_continue_after_refusal(void)
{
	F.bank.refuse_features_ok = 1;
	probe_to_driver();
	ck_assert(!features_ok());
	setup_queue(0, F.num);
}

static void init_status_clear(void)
{
	probe_to_driver();
	wr(VIRTIO_MMIO_STATUS, ACK);
}

static void init_failed_reset(void)
{
	probe_to_driver();
	add_status(VIRTIO_CONFIG_S_FAILED);
	add_status(FOK);
}

static void init_kick_before_driver_ok(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	setup_queue(0, F.num);
	kick(0);
}

static void init_features_after_features_ok(void)
{
	F.bank.features[0] = 1u << 0;
	probe_to_driver();
	ck_assert(features_ok());
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 0);
}

static void init_config_write_early(void)
{
	probe_to_driver();
	wrw(VIRTIO_MMIO_CONFIG, 1, 0x5a);
}

static void init_features_before_driver(void)
{
	preamble();
	reset_dev();
	add_status(ACK);
	negotiate();
}

static void init_queue_before_features_ok(void)
{
	probe_to_driver();
	setup_queue(0, F.num);
}

/* ---- suspend ---- */

static void with_suspend(void)
{
	F.bank.features[1] |= W1(VS_F_SUSPEND);
	F.accept[1] |= W1(VS_F_SUSPEND);
	F.bank.suspendable = 1;
}

/* initialized, then suspended and verified */
static void suspended(void)
{
	with_suspend();
	init_all();
	add_status(FX_SUSPEND);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & (FX_SUSPEND | DOK), FX_SUSPEND);
}

static void suspend_not_ready(void)
{
	with_suspend();
	probe_to_driver();
	ck_assert(features_ok());
	add_status(FX_SUSPEND);
}

static void suspend_verify(void)
{
	with_suspend();
	init_all();
	add_status(FX_SUSPEND);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK | FX_SUSPEND); /* no read in between */
}

static void suspend_avail(void)
{
	suspended();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
}

static void suspend_kick(void)
{
	suspended();
	kick(0);
}

static void suspend_config_write(void)
{
	suspended();
	wrw(VIRTIO_MMIO_CONFIG, 1, 1);
}

static void suspend_resume_wait(void)
{
	suspended();
	add_status(DOK);
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
}

static void suspend_device_ignore(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	add_status(FX_SUSPEND); /* the bank takes it although not initialized */
	rd(VIRTIO_MMIO_STATUS);
}

static void suspend_device_notify(void)
{
	suspended();
	dev_irq(VIRTIO_MMIO_INT_CONFIG);
}

static void suspend_device_queue_access(void)
{
	suspended();
	dev_read(F.avail + VS_AVAIL_IDX, 2);
}

/* ---- reset ---- */

static void reset_wait_readback(void)
{
	preamble();
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, ACK);
}

static void reset_device_notify(void)
{
	probe_to_driver();
	dev_irq(VIRTIO_MMIO_INT_CONFIG);
}

static void reset_device_queue_access(void)
{
	init_all();
	reset_dev();
	dev_read(F.avail + VS_AVAIL_IDX, 2);
}

static void reset_needs_reset_notify(void)
{
	init_all();
	F.bank.status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET; /* and no interrupt */
	rd(VIRTIO_MMIO_STATUS);
}

/* ---- features ---- */

static void features_unoffered(void)
{
	F.accept[1] |= W1(VIRTIO_F_IN_ORDER);
	probe_to_driver();
}

static void features_reserved(void)
{
	F.accept[0] = 1u << 25;
	probe_to_driver();
}

static void features_offer_reserved(void)
{
	F.bank.features[1] |= 1u << (44 - 32);
	probe_to_driver();
}

static void features_version_1(void)
{
	F.accept[1] = 0;
	probe_to_driver();
	features_ok();
}

static void features_device_version_1(void)
{
	F.bank.features[1] = 0;
	F.accept[1] = 0;
	probe_to_driver();
	features_ok();
}

static void features_sr_iov(void)
{
	F.accept[1] |= W1(VIRTIO_F_SR_IOV);
	probe_to_driver();
}

static void features_offer_sr_iov(void)
{
	F.bank.features[1] |= W1(VIRTIO_F_SR_IOV);
	probe_to_driver();
}

static void features_renegotiation(void)
{
	init_all();
	F.bank.refuse_features_ok = 1;
	probe_to_driver();
	ck_assert(!features_ok());
}

/* ---- config ---- */

static void config_generation(void)
{
	init_all();
	F.bank.config[0] = 1;
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	F.bank.config[0] = 2; /* changed, generation kept */
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
}

static void config_read_unbracketed(void)
{
	init_all();
	rdw(VIRTIO_MMIO_CONFIG, 4);
	rdw(VIRTIO_MMIO_CONFIG + 4, 4);
	rd(VIRTIO_MMIO_STATUS);
}

static void config_generation_retry(void)
{
	init_all();
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	F.bank.generation = 1;
	rdw(VIRTIO_MMIO_CONFIG + 4, 4);
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rd(VIRTIO_MMIO_STATUS); /* moves on instead of reading again */
}

static const struct rule_case cases[] = {
	{"init.status-order", VS_SIDE_DRIVER, init_status_order, NULL},
	{"init.features-ok-check", VS_SIDE_DRIVER, init_features_ok_check, NULL},
	{"init.continue-after-refusal", VS_SIDE_DRIVER, init_continue_after_refusal, NULL},
	{"init.status-clear", VS_SIDE_DRIVER, init_status_clear, NULL},
	{"init.failed-reset", VS_SIDE_DRIVER, init_failed_reset, NULL},
	{"init.kick-before-driver-ok", VS_SIDE_DRIVER, init_kick_before_driver_ok, NULL},
	{"init.features-after-features-ok", VS_SIDE_DRIVER, init_features_after_features_ok, NULL},
	{"init.config-write-early", VS_SIDE_DRIVER, init_config_write_early, NULL},
	{"init.features-before-driver", VS_SIDE_DRIVER, init_features_before_driver, NULL},
	{"init.queue-before-features-ok", VS_SIDE_DRIVER, init_queue_before_features_ok, NULL},
	{"suspend.not-ready", VS_SIDE_DRIVER, suspend_not_ready, NULL},
	{"suspend.verify", VS_SIDE_DRIVER, suspend_verify, NULL},
	{"suspend.avail", VS_SIDE_DRIVER, suspend_avail, NULL},
	{"suspend.kick", VS_SIDE_DRIVER, suspend_kick, NULL},
	{"suspend.config-write", VS_SIDE_DRIVER, suspend_config_write, NULL},
	{"suspend.resume-wait", VS_SIDE_DRIVER, suspend_resume_wait, NULL},
	/* a device can only honour an early SUSPEND a driver sent too early */
	{"suspend.device-ignore", VS_SIDE_DEVICE, suspend_device_ignore, "suspend.not-ready"},
	{"suspend.device-notify", VS_SIDE_DEVICE, suspend_device_notify, NULL},
	{"suspend.device-queue-access", VS_SIDE_DEVICE, suspend_device_queue_access, NULL},
	{"reset.wait-readback", VS_SIDE_DRIVER, reset_wait_readback, NULL},
	{"reset.device-notify", VS_SIDE_DEVICE, reset_device_notify, NULL},
	{"reset.device-queue-access", VS_SIDE_DEVICE, reset_device_queue_access, NULL},
	{"reset.needs-reset-notify", VS_SIDE_DEVICE, reset_needs_reset_notify, NULL},
	{"features.unoffered", VS_SIDE_DRIVER, features_unoffered, NULL},
	{"features.reserved", VS_SIDE_DRIVER, features_reserved, NULL},
	{"features.offer-reserved", VS_SIDE_DEVICE, features_offer_reserved, NULL},
	{"features.version-1", VS_SIDE_DRIVER, features_version_1, NULL},
	{"features.device-version-1", VS_SIDE_DEVICE, features_device_version_1, NULL},
	{"features.sr-iov", VS_SIDE_DRIVER, features_sr_iov, NULL},
	{"features.offer-sr-iov", VS_SIDE_DEVICE, features_offer_sr_iov, NULL},
	{"features.renegotiation", VS_SIDE_DEVICE, features_renegotiation, NULL},
	{"config.generation", VS_SIDE_DEVICE, config_generation, NULL},
	{"config.read-unbracketed", VS_SIDE_DRIVER, config_read_unbracketed, NULL},
	{"config.generation-retry", VS_SIDE_DRIVER, config_generation_retry, NULL},
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
	static const char *const areas[] = {"init.", "suspend.", "reset.", "features.", "config."};

	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (strncmp(id, areas[i], strlen(areas[i])) == 0)
			return 1;
	return 0;
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
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
}
END_TEST

/* ---- clean runs ---- */

START_TEST(clean_init_request_reset)
{
	F.bank.device_id = VIRTIO_ID_RNG;
	init_all();
	for (uint16_t i = 0; i < 20; i++) {
		uint16_t head = i % F.num;

		set_desc(head, F.buf + 64u * head, 64, VRING_DESC_F_WRITE, 0);
		publish(head);
		kick(0);
		dev_write(F.buf + 64u * head, 64);
		dev_complete(head, 64);
		vs_monitor_sync(F.mon);
	}
	/* remove: stop the queue, read it back, reset and read status */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	rd(VIRTIO_MMIO_QUEUE_READY);
	reset_dev();
	/* probe again: the same features are accepted again */
	probe_to_driver();
	ck_assert(features_ok());
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_config_bracketed)
{
	init_all();
	F.bank.config[0] = 7;
	/* Linux's __virtio_cread_many: gen, fields, gen; again while it changed */
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	F.bank.config[0] = 8;
	F.bank.generation = 1;
	rdw(VIRTIO_MMIO_CONFIG + 4, 4);
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG, 4);
	rdw(VIRTIO_MMIO_CONFIG + 4, 4);
	rd(VIRTIO_MMIO_CONFIG_GENERATION);
	/* a single 32-bit field needs no bracket */
	rdw(VIRTIO_MMIO_CONFIG + 8, 4);
	rd(VIRTIO_MMIO_STATUS);
	/* a driver write may change what reads return */
	wrw(VIRTIO_MMIO_CONFIG, 1, 3);
	rdw(VIRTIO_MMIO_CONFIG, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_suspend_resume)
{
	with_suspend();
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	add_status(FX_SUSPEND);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & (FX_SUSPEND | DOK), FX_SUSPEND);
	add_status(DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & (FX_SUSPEND | DOK), DOK);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_needs_reset)
{
	init_all();
	F.bank.status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
	dev_irq(VIRTIO_MMIO_INT_CONFIG);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	reset_dev();
	settle();
	expect_clean();
}
END_TEST

/* ---- API ---- */

START_TEST(duplicates_are_counted)
{
	preamble();
	rd(0x018);
	rd(0x018);
	rd(0x01c);
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 2);
	ck_assert_uint_eq(vs_monitor_violation(F.mon, 0)->count, 2);
	ck_assert_uint_eq(vs_monitor_violation(F.mon, 1)->count, 1);
	ck_assert_str_eq(vs_monitor_violation(F.mon, 0)->message, "read at undefined offset 0x018");
	ck_assert_ptr_null(vs_monitor_violation(F.mon, 2));
	vs_monitor_clear(F.mon);
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 0);
	rd(0x018);
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 1);
	ck_assert_uint_eq(vs_monitor_violation(F.mon, 0)->count, 1);
}
END_TEST

START_TEST(violation_carries_step_and_seq)
{
	preamble();
	vs_monitor_set_step(F.mon, 3);
	rd(0x018);
	ck_assert_int_eq(vs_monitor_violation(F.mon, 0)->step, 3);
	ck_assert_uint_eq(vs_monitor_violation(F.mon, 0)->seq, 5); /* fifth access */
	ck_assert_int_eq(vs_monitor_violation(F.mon, 0)->queue, -1);
	ck_assert_uint_eq(vs_monitor_error_count(F.mon), 1);
}
END_TEST

START_TEST(warnings_are_not_errors)
{
	reset_wait_readback();
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 1);
	ck_assert_uint_eq(vs_monitor_error_count(F.mon), 0);
	ck_assert(vs_rule_is_warning(vs_monitor_violation(F.mon, 0)->rule));
}
END_TEST

START_TEST(disabled_monitor_sees_nothing)
{
	vs_monitor_set_enabled(F.mon, 0);
	rd(0x018);
	wr(VIRTIO_MMIO_MAGIC_VALUE, 1);
	dev_irq(VIRTIO_MMIO_INT_VRING);
	settle();
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 0);
}
END_TEST

START_TEST(harness_accesses_are_ignored)
{
	uint64_t v;

	vs_bus_read(F.bus, VS_SIDE_HARNESS, FX_BASE + 0x018, 4, &v);
	vs_bus_write(F.bus, VS_SIDE_HARNESS, FX_BASE + VIRTIO_MMIO_MAGIC_VALUE, 4, 1);
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 0);
}
END_TEST

static char events[64][240];
static int nevents;

static void observe(void *opaque, const struct vs_monitor_event *ev)
{
	(void)opaque;
	if (nevents < 64)
		snprintf(events[nevents++], sizeof(events[0]), "%s %s %d %s%s%s", ev->kind, ev->device,
			 ev->queue, ev->detail, ev->violation ? " -> " : "",
			 ev->violation ? ev->violation->rule->id : "");
}

START_TEST(observer_sees_events)
{
	int i, kicked = -1, avail = -1, used = -1, irq = -1, viol = -1;

	nevents = 0;
	vs_monitor_set_observer(F.mon, observe, NULL);
	init_all();
	set_desc(0, F.buf, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	rd(0x018);
	rd(0x018); /* a repeat is not reported again */
	for (i = 0; i < nevents; i++) {
		if (strcmp(events[i], "kick t0 0 value=0x0") == 0)
			kicked = i;
		if (strcmp(events[i], "avail t0 0 idx=0 head=0 descs=1 readable=0 writable=16") == 0)
			avail = i;
		if (strcmp(events[i], "used t0 0 idx=0 id=0 len=16") == 0)
			used = i;
		if (strncmp(events[i], "interrupt t0 -1 line=", 21) == 0)
			irq = i;
		if (strncmp(events[i], "violation t0 -1 rule=mmio.access-undefined side=driver -> ", 58) ==
		    0) {
			ck_assert_int_eq(viol, -1);
			viol = i;
		}
	}
	ck_assert_int_ge(kicked, 0);
	ck_assert_int_eq(avail, kicked + 1);
	ck_assert_int_gt(used, avail);
	ck_assert_int_gt(irq, used);
	ck_assert_int_gt(viol, irq);
	ck_assert_str_eq(events[0], "status t0 -1 op=write value=0x00");
	ck_assert_str_eq(events[1], "reset t0 -1 status=0x00");
	ck_assert_str_eq(events[2], "status t0 -1 op=read value=0x00");
	vs_monitor_set_observer(F.mon, NULL, NULL);
	rd(0x01c);
	ck_assert_int_eq(nevents, viol + 1);
}
END_TEST

START_TEST(watch_rejects_bad_banks)
{
	ck_assert_int_eq(vs_monitor_watch_mmio(F.mon, "t1", FX_BASE + 0x100, 0, 2), -EEXIST);
	ck_assert_int_eq(vs_monitor_watch_mmio(F.mon, "t1", FX_BASE + 0x1000, 0, 3), -ENOTSUP);
	ck_assert_int_eq(vs_monitor_watch_mmio(F.mon, "t1", FX_BASE + 0x1000, 0, 2), 0);
	ck_assert_int_eq(vs_monitor_create(NULL, F.bus, F.irq, &(struct vs_monitor *){NULL}),
			 -EINVAL);
	vs_monitor_destroy(NULL);
}
END_TEST

static Suite *monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, clean_init_request_reset);
	tcase_add_test(tc, clean_config_bracketed);
	tcase_add_test(tc, clean_suspend_resume);
	tcase_add_test(tc, clean_needs_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("Api");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, duplicates_are_counted);
	tcase_add_test(tc, violation_carries_step_and_seq);
	tcase_add_test(tc, warnings_are_not_errors);
	tcase_add_test(tc, disabled_monitor_sees_nothing);
	tcase_add_test(tc, harness_accesses_are_ignored);
	tcase_add_test(tc, observer_sees_events);
	tcase_add_test(tc, watch_rejects_bad_banks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
