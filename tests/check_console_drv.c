/*
 * check_console_drv.c - the console driver (driver/virtio_console.c)
 * through the guest API (driver/guest.h), over virtio-mmio.
 *
 * Against the real device model (devices/console.c), with the monitor
 * watching: single-port and multiport traffic, hot add and remove, open
 * and close, resize, emergency write, reset, and no violation and no leak
 * at the end.  Against a scripted faulty device (a model defined here that
 * sends whatever control messages a test asks for): the driver logs and
 * ignores what makes no sense and never crashes.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/monitor.h"
#include "transport/mmio.h"

#define BASE 0x40000000ull
#define RNG_BASE (BASE + 0x1000)

static struct vs_arena *arena;
static struct vs_bus *bus;
static struct vs_irq *irq;
static struct vs_loop *loop;
static struct vs_monitor *mon;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static struct vs_mmio *mmio;
static int handle;

static void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(8u << 20, &arena), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_monitor_create(arena, bus, irq, &mon), 0);
	vs_faults_init(&faults, 3);
	vdev = NULL;
	mmio = NULL;
	handle = -1;
}

static void settle(void)
{
	vs_loop_drain(loop);
	vs_monitor_sync(mon);
}

static void teardown(void)
{
	vs_guest_fini();
	settle();
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_mmio_destroy(mmio);
	vs_vdev_destroy(vdev);
	vs_monitor_destroy(mon);
	vs_loop_destroy(loop);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_arena_destroy(arena);
}

/* Plug vdev at BASE, start the guest and probe it. */
static void plug_and_probe(void)
{
	struct vs_guest_env genv = {arena, bus, irq, loop, &faults};
	unsigned line;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
	ck_assert_int_eq(vs_monitor_watch_mmio(mon, "con", BASE, line, 2), 0);
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	ck_assert_int_eq(vs_guest_mmio_add(BASE, VS_MMIO_BANK_SIZE, line, &handle), 0);
	settle();
}

/* The real console model with ports ports. */
static void real_console(uint32_t ports)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_device_params p = {.console_ports = ports, .console_cols = 90,
				     .console_rows = 30};

	ck_assert_int_eq(vs_device_create("console", &p, &env, &vdev), 0);
	plug_and_probe();
}

static void expect_no_violation(void)
{
	vs_guest_fini();
	settle();
	vs_monitor_finish(mon);
	for (size_t i = 0; i < vs_monitor_violation_count(mon); i++)
		ck_abort_msg("violation %s: %s", vs_monitor_violation(mon, i)->rule->id,
			     vs_monitor_violation(mon, i)->message);
}

static void expect_output(uint32_t port, const char *want)
{
	char got[256];
	int64_t n = vs_console_output_take(vdev, port, got, sizeof(got) - 1);

	ck_assert_int_ge(n, 0);
	got[n] = 0;
	ck_assert_str_eq(got, want);
}

/* ---- with the real device ---- */

START_TEST(single_port_traffic)
{
	struct vs_guest_console_port info;
	char buf[64];

	real_console(1);
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_int_eq(info.console, 1);
	ck_assert_int_eq(info.guest_open, 1);
	ck_assert_uint_eq(info.cols, 90);
	ck_assert_uint_eq(info.rows, 30);
	ck_assert_int_eq(vs_guest_console_write(handle, 0, "hello", 5), 5);
	expect_output(0, "hello");
	ck_assert_int_eq(vs_guest_console_read(handle, 0, buf, sizeof(buf), 0), -EAGAIN);
	ck_assert_int_eq(vs_console_input(vdev, 0, "typed", 5), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_read(handle, 0, buf, 3, 1), 3);
	ck_assert_int_eq(memcmp(buf, "typ", 3), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 0, buf, sizeof(buf), 1), 2);
	ck_assert_int_eq(memcmp(buf, "ed", 2), 0);
	/* a config change carries port 0's size */
	ck_assert_int_eq(vs_console_resize(vdev, 0, 132, 43), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_uint_eq(info.cols, 132);
	ck_assert_uint_eq(info.rows, 43);
	ck_assert_int_eq(vs_guest_console_emerg_write(handle, "SOS", 3), 3);
	ck_assert_int_eq(vs_console_emerg_count(vdev), 3);
	expect_output(0, "SOS");
	/* open and close mean nothing without MULTIPORT */
	ck_assert_int_eq(vs_guest_console_open(handle, 0), 0);
	ck_assert_int_eq(vs_guest_console_close(handle, 0), 0);
	expect_no_violation();
}
END_TEST

START_TEST(single_port_large_write_and_reset)
{
	static char big[20000];
	char got[64];

	real_console(1);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	ck_assert_int_eq(vs_guest_console_write(handle, 0, big, sizeof(big)), (long)sizeof(big));
	ck_assert_int_eq(vs_console_output_len(vdev, 0), (int64_t)sizeof(big));
	ck_assert_int_eq(vs_console_output_take(vdev, 0, got, 26), 26);
	ck_assert_int_eq(memcmp(got, big, 26), 0);
	ck_assert_int_eq(vs_guest_reset(handle), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_write(handle, 0, "again", 5), 5);
	ck_assert_int_eq(vs_console_output_len(vdev, 0), sizeof(big) - 26 + 5);
	expect_no_violation();
}
END_TEST

START_TEST(multiport_ports)
{
	struct vs_guest_console_port info;
	char buf[16];

	real_console(4);
	/* port 0: added, nominated a console, opened by the driver */
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_int_eq(info.console, 1);
	ck_assert_int_eq(info.guest_open, 1);
	ck_assert_int_eq(info.host_open, 1);

	ck_assert_int_eq(vs_console_port_add(vdev, 2, "org.test.two", 0), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_count(handle), 2);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 2, &info), 0);
	ck_assert_str_eq(info.name, "org.test.two");
	ck_assert_int_eq(info.console, 0);
	ck_assert_int_eq(info.guest_open, 0);
	/* a generic port is used through an open file */
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "x", 1), -EBADF);
	ck_assert_int_eq(vs_guest_console_read(handle, 2, buf, 1, 0), -EBADF);
	ck_assert_int_eq(vs_guest_console_open(handle, 2), 0);
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "two", 3), 3);
	expect_output(2, "two");
	ck_assert_int_eq(vs_console_input(vdev, 2, "in2", 3), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_read(handle, 2, buf, sizeof(buf), 1), 3);
	ck_assert_int_eq(memcmp(buf, "in2", 3), 0);
	/* the host closes its side: writes fail */
	ck_assert_int_eq(vs_console_host_open(vdev, 2, 0), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "x", 1), -EPIPE);
	ck_assert_int_eq(vs_console_host_open(vdev, 2, 1), 0);
	settle();
	/* resize by control message */
	ck_assert_int_eq(vs_console_resize(vdev, 0, 77, 22), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_uint_eq(info.cols, 77);
	ck_assert_uint_eq(info.rows, 22);
	/* unplug, then plug the same number again */
	ck_assert_int_eq(vs_console_port_remove(vdev, 2), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_info(handle, 2, &info), -ENOENT);
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "x", 1), -ENOENT);
	ck_assert_int_eq(vs_console_port_add(vdev, 2, "again", 1), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_info(handle, 2, &info), 0);
	ck_assert_str_eq(info.name, "again");
	ck_assert_int_eq(info.console, 1);
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "back", 4), 4);
	expect_output(2, "back");
	/* a reset keeps the ports */
	ck_assert_int_eq(vs_guest_reset(handle), 0);
	settle();
	ck_assert_int_eq(vs_guest_console_port_count(handle), 2);
	ck_assert_int_eq(vs_guest_console_write(handle, 2, "reset", 5), 5);
	expect_output(2, "reset");
	expect_no_violation();
}
END_TEST

START_TEST(api_errors)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_guest_console_port info;
	struct vs_vdev *rng;
	struct vs_mmio *rmmio;
	unsigned line;
	int rh;
	char c;

	real_console(1);
	ck_assert_int_eq(vs_guest_console_port_count(17), -ENOENT);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 1, &info), -ENOENT);
	ck_assert_int_eq(vs_guest_console_write(handle, 0, NULL, 1), -EINVAL);
	ck_assert_int_eq(vs_guest_console_read(handle, 3, &c, 1, 0), -ENOENT);
	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &rng), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, rng, RNG_BASE, line, 2, &rmmio), 0);
	ck_assert_int_eq(vs_guest_mmio_add(RNG_BASE, VS_MMIO_BANK_SIZE, line, &rh), 0);
	ck_assert_int_eq(vs_guest_console_port_count(rh), -ENODEV);
	ck_assert_int_eq(vs_guest_console_write(rh, 0, "x", 1), -ENODEV);
	ck_assert_int_eq(vs_guest_console_emerg_write(rh, "x", 1), -ENODEV);
	ck_assert_int_eq(vs_guest_remove(rh), 0);
	vs_mmio_destroy(rmmio);
	vs_vdev_destroy(rng);
}
END_TEST

START_TEST(emerg_write_not_negotiated)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_device_params p = {.features_remove = VS_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE)};

	ck_assert_int_eq(vs_device_create("console", &p, &env, &vdev), 0);
	plug_and_probe();
	ck_assert_int_eq(vs_guest_console_emerg_write(handle, "x", 1), -EOPNOTSUPP);
	ck_assert_int_eq(vs_console_emerg_count(vdev), 0);
}
END_TEST

/* ---- against a scripted faulty device ---- */

#define EVIL_PORTS 4u
#define EVIL_LOG 64

/* Control messages the driver sent, in order. */
static struct { uint32_t id; uint16_t event, value; } evil_log[EVIL_LOG];
static unsigned evil_n;

static int evil_init(struct vs_vdev *v)
{
	vs_put_le32(v->config + VS_CONSOLE_CFG_MAX_NR_PORTS, EVIL_PORTS);
	return 0;
}

static void evil_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	struct vs_vq_elem e;
	uint8_t m[8];

	(void)v;
	/* only transmit queues are served; receive buffers wait for the script */
	if (vq->index % 2 == 0)
		return;
	while (vs_vq_pop(vq, &e) == 0) {
		if (vq->index == VS_CONSOLE_VQ_CTRL_TX && vs_vq_read(vq, &e, 0, m, 8) == 0 &&
		    evil_n < EVIL_LOG) {
			evil_log[evil_n].id = vs_le32(m);
			evil_log[evil_n].event = vs_le16(m + 4);
			evil_log[evil_n++].value = vs_le16(m + 6);
		}
		vs_vq_push(vq, &e, 0);
	}
}

static const struct vs_device_model evil_model = {
	.name = "evil-console", .device_id = VIRTIO_ID_CONSOLE,
	.features = VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT) | VS_BIT(VIRTIO_CONSOLE_F_SIZE),
	.num_queues = 2 * (EVIL_PORTS + 1), .queue_size_max = 16,
	.config_size = VS_CONSOLE_CFG_SIZE, .init = evil_init, .handle_queue = evil_handle,
};

static void evil_console(void)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};

	evil_n = 0;
	ck_assert_int_eq(vs__vdev_create(&evil_model, NULL, &env, &vdev), 0);
	plug_and_probe();
}

/* The device puts len bytes into the next receive buffer of queue q. */
static int evil_send_raw(unsigned q, const void *bytes, uint32_t len)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, q);
	struct vs_vq_elem e;
	int err = vs_vq_pop(vq, &e);

	if (err)
		return err;
	if (len > e.in_len)
		len = (uint32_t)e.in_len;
	ck_assert_int_eq(vs_vq_write(vq, &e, 0, bytes, len), 0);
	err = vs_vq_push(vq, &e, len);
	settle();
	return err;
}

/* A control message with extra bytes after the header; total len. */
static void evil_ctrl(uint32_t id, uint16_t event, uint16_t value, const char *extra,
		      uint32_t len)
{
	uint8_t m[64] = {0};

	vs_put_le32(m, id);
	vs_put_le16(m + 4, event);
	vs_put_le16(m + 6, value);
	if (extra && len > 8)
		memcpy(m + 8, extra, len - 8); /* the caller gives len - 8 bytes */
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_CTRL_RX, m, len), 0);
}

static int evil_logged(uint32_t id, uint16_t event, uint16_t value)
{
	for (unsigned i = 0; i < evil_n; i++)
		if (evil_log[i].id == id && evil_log[i].event == event &&
		    evil_log[i].value == value)
			return 1;
	return 0;
}

START_TEST(evil_handshake_messages)
{
	/* spec drv.console.device-operation.multiport-device-operation.1 */
	evil_console();
	ck_assert(evil_logged(VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1));
	evil_ctrl(1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	ck_assert(evil_logged(1, VIRTIO_CONSOLE_PORT_READY, 1));
	/* .2: CONSOLE_PORT is answered by PORT_OPEN 1, also a second time */
	evil_ctrl(1, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 8);
	ck_assert(evil_logged(1, VIRTIO_CONSOLE_PORT_OPEN, 1));
	evil_n = 0;
	evil_ctrl(1, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 8);
	ck_assert(evil_logged(1, VIRTIO_CONSOLE_PORT_OPEN, 1));
	/* DEVICE_ADD for a port we have: PORT_READY again, no second port */
	evil_ctrl(1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
}
END_TEST

START_TEST(evil_nonsense_ignored)
{
	struct vs_guest_console_port info;

	evil_console();
	evil_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_n = 0;
	/* beyond max_nr_ports, a port that does not exist, short messages */
	evil_ctrl(EVIL_PORTS, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_ctrl(0xffffffffu, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_ctrl(3, VIRTIO_CONSOLE_PORT_NAME, 0, "ghost", 13);
	evil_ctrl(3, VIRTIO_CONSOLE_DEVICE_REMOVE, 0, NULL, 8);
	evil_ctrl(2, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 8);
	evil_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 7);
	evil_ctrl(0, VIRTIO_CONSOLE_RESIZE, 0, NULL, 10); /* no room for the size */
	evil_ctrl(0, VIRTIO_CONSOLE_PORT_NAME, 0, NULL, 8); /* empty name */
	evil_ctrl(0, 42, 7, NULL, 8);
	evil_ctrl(0, VIRTIO_CONSOLE_DEVICE_READY, 1, NULL, 8); /* a driver's event */
	ck_assert_uint_eq(evil_n, 0); /* nothing answered */
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_str_eq(info.name, "");
	ck_assert_uint_eq(info.cols, 0);
	/* and the driver still works */
	evil_ctrl(0, VIRTIO_CONSOLE_PORT_NAME, 0, "named", 13);
	evil_ctrl(0, VIRTIO_CONSOLE_RESIZE, 0, "\x50\x00\x18\x00", 12);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_str_eq(info.name, "named");
	ck_assert_uint_eq(info.cols, 80);
	ck_assert_uint_eq(info.rows, 24);
	/* a second name is not taken */
	evil_ctrl(0, VIRTIO_CONSOLE_PORT_NAME, 0, "other", 13);
	ck_assert_int_eq(vs_guest_console_port_info(handle, 0, &info), 0);
	ck_assert_str_eq(info.name, "named");
}
END_TEST

START_TEST(evil_used_len_beyond_buffer)
{
	char buf[8];

	evil_console();
	evil_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_ctrl(0, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 8);
	/* a receive buffer completed with one byte more than it has */
	vs_faults_set(&faults, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_RX0, "data", 4), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 0, buf, sizeof(buf), 1), -EIO);
	/* the same on the control receiveq: later messages go unheard */
	vs_faults_set(&faults, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_COUNTED, 1, 0, 0);
	evil_ctrl(1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_send_raw(VS_CONSOLE_VQ_CTRL_RX, "\x02\0\0\0\x01\0\0\0", 8);
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
}
END_TEST

START_TEST(evil_data_for_closed_port_dropped)
{
	char buf[8];

	evil_console();
	evil_ctrl(1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	/* port 1 not opened: what comes for it is dropped, the buffer reused */
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_RX(1), "junk", 4), 0);
	ck_assert_int_eq(vs_guest_console_open(handle, 1), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 1, buf, sizeof(buf), 0), -EAGAIN);
	/* data for a port the driver no longer has is dropped too; the
	 * removed port's buffers stay posted and serve it again */
	evil_ctrl(2, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	evil_ctrl(2, VIRTIO_CONSOLE_DEVICE_REMOVE, 0, NULL, 8);
	ck_assert_int_eq(vs_guest_console_port_count(handle), 1);
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_RX(2), "junk", 4), 0);
	evil_ctrl(2, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 8);
	ck_assert_int_eq(vs_guest_console_open(handle, 2), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 2, buf, sizeof(buf), 0), -EAGAIN);
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_RX(2), "two", 3), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 2, buf, sizeof(buf), 0), 3);
	ck_assert_int_eq(evil_send_raw(VS_CONSOLE_VQ_RX(1), "good", 4), 0);
	ck_assert_int_eq(vs_guest_console_read(handle, 1, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(memcmp(buf, "good", 4), 0);
}
END_TEST

static Suite *console_drv_suite(void)
{
	Suite *s = suite_create("console_drv");
	TCase *tc;

	tc = tcase_create("Device");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, single_port_traffic);
	tcase_add_test(tc, single_port_large_write_and_reset);
	tcase_add_test(tc, multiport_ports);
	tcase_add_test(tc, api_errors);
	tcase_add_test(tc, emerg_write_not_negotiated);
	suite_add_tcase(s, tc);

	tc = tcase_create("FaultyDevice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, evil_handshake_messages);
	tcase_add_test(tc, evil_nonsense_ignored);
	tcase_add_test(tc, evil_used_len_beyond_buffer);
	tcase_add_test(tc, evil_data_for_closed_port_dropped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(console_drv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
