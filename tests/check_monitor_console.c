/*
 * check_monitor_console.c - the monitor's console rules (harness/rules/
 * console.c, spec 5.3): for each rule a scripted faulty side that breaks
 * exactly that rule, and clean sequences (the multiport handshake, hot add
 * and remove, a restart after reset) where nothing fires.
 *
 * The script drives four queues of a fake console bank: port 0's
 * receiveq (0) and transmitq (1), the control receiveq (2) and control
 * transmitq (3), each with rings of its own.  Control messages are written
 * by the "driver" with plain stores and by the "device" through the arena,
 * as the real sides do.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "monitor_fixture.h"

#define W VRING_DESC_F_WRITE
#define QN 8u   /* entries per ring */
#define BUFSZ 64u

struct ring {
	uint32_t q;
	uint64_t desc, avail, used, bufs; /* bufs: QN buffers of BUFSZ bytes */
	uint16_t avail_idx, used_idx;
};

static struct ring R[4];
static uint32_t max_ports = 4;

static void ring_alloc(struct ring *r, uint32_t q)
{
	r->q = q;
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_DESC_SIZE(QN), 16, &r->desc), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_AVAIL_SIZE(QN), 16, &r->avail), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_USED_SIZE(QN), 16, &r->used), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, QN * BUFSZ, 16, &r->bufs), 0);
}

static void ring_program(struct ring *r)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, r->q);
	rd(VIRTIO_MMIO_QUEUE_READY);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)r->desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)r->avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)r->used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static uint64_t buf_of(const struct ring *r, uint16_t head)
{
	return r->bufs + (uint64_t)head * BUFSZ;
}

/* Driver: buffer head (one descriptor) made available and kicked. */
static void drv_add(struct ring *r, uint16_t head, uint32_t len, uint16_t flags)
{
	uint8_t *d = vs_arena_translate(F.arena, r->desc + 16ull * head, 16);

	vs_put_le64(d, buf_of(r, head));
	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, flags);
	vs_put_le16(d + 14, 0);
	put16(r->avail + VS_AVAIL_RING(r->avail_idx % QN), head);
	r->avail_idx++;
	put16(r->avail + VS_AVAIL_IDX, r->avail_idx);
	kick(r->q);
}

/* Driver: a control message on the control transmitq. */
static void drv_msg(uint16_t head, uint32_t id, uint16_t event, uint16_t value)
{
	uint8_t *m = vs_arena_translate(F.arena, buf_of(&R[3], head), 8);

	vs_put_le32(m, id);
	vs_put_le16(m + 4, event);
	vs_put_le16(m + 6, value);
	drv_add(&R[3], head, 8, 0);
}

/* Device: complete head of ring r with len bytes, interrupt. */
static void dev_use(struct ring *r, uint16_t head, uint32_t len)
{
	uint8_t e[8], i2[2];

	vs_put_le32(e, head);
	vs_put_le32(e + 4, len);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, r->used + VS_USED_RING(r->used_idx % QN), e, 8);
	r->used_idx++;
	vs_put_le16(i2, r->used_idx);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, r->used + VS_USED_IDX, i2, 2);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

/* Device: a control message into control receive buffer head (posted
 * by ctrl_init), used, and the buffer posted again by the driver. */
static void dev_msg(uint16_t head, uint32_t id, uint16_t event, uint16_t value)
{
	uint8_t m[8];

	vs_put_le32(m, id);
	vs_put_le16(m + 4, event);
	vs_put_le16(m + 6, value);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, buf_of(&R[2], head), m, sizeof(m));
	dev_use(&R[2], head, sizeof(m));
	drv_add(&R[2], head, BUFSZ, W);
}

/* Device: the driver's control message at head taken (used len 0). */
static void dev_take(uint16_t head)
{
	dev_read(buf_of(&R[3], head), 8);
	dev_use(&R[3], head, 0);
}

/* Everything up to DRIVER_OK with MULTIPORT; receive buffers posted. */
static void ctrl_init(void)
{
	F.bank.device_id = VIRTIO_ID_CONSOLE;
	F.bank.features[0] = 1u << VIRTIO_CONSOLE_F_MULTIPORT;
	F.accept[0] = 1u << VIRTIO_CONSOLE_F_MULTIPORT;
	vs_put_le32(F.bank.config + VS_CONSOLE_CFG_MAX_NR_PORTS, max_ports);
	for (uint32_t q = 0; q < 4; q++)
		ring_alloc(&R[q], q);
	probe_to_driver();
	ck_assert(features_ok());
	rdw(VIRTIO_MMIO_CONFIG + VS_CONSOLE_CFG_MAX_NR_PORTS, 4);
	for (uint32_t q = 0; q < 4; q++)
		ring_program(&R[q]);
	driver_ok();
	for (uint16_t h = 0; h < 4; h++) {
		drv_add(&R[0], h, BUFSZ, W);
		drv_add(&R[2], h, BUFSZ, W);
	}
}

/* The handshake for port 0: DEVICE_READY, DEVICE_ADD, PORT_READY. */
static void handshake(void)
{
	ctrl_init();
	drv_msg(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	dev_take(0);
	dev_msg(0, 0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	drv_msg(1, 0, VIRTIO_CONSOLE_PORT_READY, 1);
	dev_take(1);
}

/* ---- faulty driver ---- */

static void rx_readable(void)
{
	ctrl_init();
	drv_msg(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	drv_add(&R[0], 5, BUFSZ, 0); /* port 0 receiveq: device-readable */
}

static void rx_readable_control(void)
{
	ctrl_init();
	drv_msg(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	drv_add(&R[2], 5, BUFSZ, 0); /* control receiveq: device-readable */
}

static void tx_writable(void)
{
	handshake();
	drv_add(&R[1], 0, 16, W); /* port 0 transmitq: device-writable */
}

static void tx_writable_control(void)
{
	ctrl_init();
	drv_msg(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	drv_add(&R[3], 1, 8, W); /* control transmitq: device-writable */
}

static void device_ready_missing(void)
{
	ctrl_init(); /* DRIVER_OK, buffers, but no DEVICE_READY */
	vs_monitor_sync(F.mon);
}

static void console_port_open_value(void)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	drv_msg(2, 0, VIRTIO_CONSOLE_PORT_OPEN, 0);
	dev_take(2);
}

static void console_port_open_missing(void)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	vs_monitor_sync(F.mon); /* no answer by the next sync */
}

static void console_port_open_missing_at_reset(void)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	reset_dev(); /* torn down without answering */
}

/* ---- faulty device ---- */

static void add_port_exists(void)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
}

static void add_port_beyond_max(void)
{
	handshake();
	dev_msg(1, max_ports, VIRTIO_CONSOLE_DEVICE_ADD, 0);
}

static void remove_port_unknown(void)
{
	handshake();
	dev_msg(1, 2, VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
}

static void remove_port_twice(void)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	dev_msg(2, 0, VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
}

static const struct rule_case cases[] = {
	{"console.rx-readable", VS_SIDE_DRIVER, rx_readable, NULL},
	{"console.rx-readable", VS_SIDE_DRIVER, rx_readable_control, NULL},
	{"console.tx-writable", VS_SIDE_DRIVER, tx_writable, NULL},
	{"console.tx-writable", VS_SIDE_DRIVER, tx_writable_control, NULL},
	{"console.device-ready", VS_SIDE_DRIVER, device_ready_missing, NULL},
	{"console.console-port-open", VS_SIDE_DRIVER, console_port_open_value, NULL},
	{"console.console-port-open", VS_SIDE_DRIVER, console_port_open_missing, NULL},
	{"console.console-port-open", VS_SIDE_DRIVER, console_port_open_missing_at_reset, NULL},
	{"console.add-port-invalid", VS_SIDE_DEVICE, add_port_exists, NULL},
	{"console.add-port-invalid", VS_SIDE_DEVICE, add_port_beyond_max, NULL},
	{"console.remove-port-unknown", VS_SIDE_DEVICE, remove_port_unknown, NULL},
	{"console.remove-port-unknown", VS_SIDE_DEVICE, remove_port_twice, NULL},
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

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (strncmp(r[i].id, "console.", 8) != 0)
			continue;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
		ck_assert_msg(strstr(r[i].spec, ".console.") != NULL, "rule %s cites %s", r[i].id,
			      r[i].spec);
	}
}
END_TEST

/* ---- clean runs ---- */

START_TEST(clean_handshake_and_traffic)
{
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	drv_msg(2, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	dev_take(2);
	dev_msg(2, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	/* output on port 0, input into a receive buffer */
	drv_add(&R[1], 0, 16, 0);
	dev_read(buf_of(&R[1], 0), 16);
	dev_use(&R[1], 0, 0);
	dev_write(buf_of(&R[0], 0), 5);
	dev_use(&R[0], 0, 5);
	drv_add(&R[0], 0, BUFSZ, W);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_hot_add_remove_readd)
{
	handshake();
	dev_msg(1, 3, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	drv_msg(2, 3, VIRTIO_CONSOLE_PORT_READY, 1);
	dev_take(2);
	dev_msg(2, 3, VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	dev_msg(3, 3, VIRTIO_CONSOLE_DEVICE_ADD, 0); /* it exists no more: fine */
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_restart_after_reset)
{
	/* the same ports are announced again to the next driver */
	handshake();
	dev_msg(1, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	drv_msg(2, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	dev_take(2);
	reset_dev();
	memset(R, 0, sizeof(R));
	ctrl_init();
	drv_msg(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
	dev_take(0);
	dev_msg(0, 0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_single_port_needs_no_control)
{
	/* without MULTIPORT: no DEVICE_READY owed, only port 0's queues */
	F.bank.device_id = VIRTIO_ID_CONSOLE;
	for (uint32_t q = 0; q < 2; q++)
		ring_alloc(&R[q], q);
	probe_to_driver();
	ck_assert(features_ok());
	ring_program(&R[0]);
	ring_program(&R[1]);
	driver_ok();
	drv_add(&R[0], 0, BUFSZ, W);
	drv_add(&R[1], 0, 8, 0);
	dev_read(buf_of(&R[1], 0), 8);
	dev_use(&R[1], 0, 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_other_types_untouched)
{
	/* the same traffic on a device type without console rules */
	F.bank.device_id = VIRTIO_ID_9P;
	ring_alloc(&R[0], 0);
	probe_to_driver();
	ck_assert(features_ok());
	ring_program(&R[0]);
	driver_ok();
	drv_add(&R[0], 0, BUFSZ, 0);
	settle();
	expect_clean();
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("monitor_console");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, clean_handshake_and_traffic);
	tcase_add_test(tc, clean_hot_add_remove_readd);
	tcase_add_test(tc, clean_restart_after_reset);
	tcase_add_test(tc, clean_single_port_needs_no_control);
	tcase_add_test(tc, clean_other_types_untouched);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(console_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
