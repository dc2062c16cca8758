/*
 * check_console_dev.c - the console device model (devices/console.c).
 *
 * The test plays the driver with rings built by hand in an arena: it makes
 * buffers available on the queues of a console device, kicks, drains the
 * loop and looks at the used rings, at what the device wrote into control
 * receive buffers, and at the host side through devices/console.h.  A fake
 * transport counts notifications.  Hostile input (short control messages,
 * unknown ports, buffers of the wrong direction) must be ignored cleanly.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <uv.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/vdev.h"

#define ARENA_SIZE (4u << 20)
#define QSZ 16u
#define MAXQ 10u
#define RING_GPA(q) (0x10000u + (uint64_t)(q) * 0x4000u)
#define BUF_GPA(q, h) (0x100000u + (uint64_t)(q) * 0x10000u + (uint64_t)(h) * 0x400u)
#define BUF_SIZE 0x400u

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static uint16_t avail_idx[MAXQ], used_seen[MAXQ];
static unsigned vring_irqs, config_irqs;

static void fake_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	(void)q;
	if (kind == VS_VDEV_IRQ_CONFIG)
		config_irqs++;
	else
		vring_irqs++;
}

static const struct vs_vdev_transport_ops fake_ops = {.interrupt = fake_interrupt};

static uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 7);
	vdev = NULL;
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
	vring_irqs = config_irqs = 0;
}

static void teardown(void)
{
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

static int create(uint32_t ports, uint64_t features_remove)
{
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};
	struct vs_device_params p = {.features_remove = features_remove, .console_ports = ports,
				     .console_cols = 0, .console_rows = 0};

	return vs_device_create("console", &p, &env, &vdev);
}

static void program_queue(unsigned q)
{
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, q, QSZ), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DESC, RING_GPA(q)), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DRIVER, RING_GPA(q) + 0x1000),
			 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DEVICE, RING_GPA(q) + 0x2000),
			 0);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, q, 1), 0);
}

/* Create a console with ports ports and bring it to DRIVER_OK, accepting
 * accept (plus VERSION_1), every queue live. */
static void bring_up(uint32_t ports, uint64_t accept)
{
	ck_assert_int_eq(create(ports, 0), 0);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	accept |= VS_BIT(VIRTIO_F_VERSION_1);
	vs_vdev_set_driver_features_word(vdev, 0, (uint32_t)accept);
	vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(accept >> 32));
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(vs_vdev_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < vs_vdev_num_queues(vdev) && q < MAXQ; q++)
		program_queue(q);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Make buffer head of queue q available (one descriptor of len bytes,
 * flags), or a two-descriptor chain when len2 != 0, and kick. */
static void add_chain(unsigned q, uint16_t head, uint32_t len, uint16_t flags, uint32_t len2,
		      uint16_t flags2)
{
	uint8_t *d = gp(RING_GPA(q) + 16u * head, 32);

	vs_put_le64(d, BUF_GPA(q, head));
	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, (uint16_t)(flags | (len2 ? VRING_DESC_F_NEXT : 0)));
	vs_put_le16(d + 14, (uint16_t)(head + 1));
	if (len2) {
		vs_put_le64(d + 16, BUF_GPA(q, head) + 0x200);
		vs_put_le32(d + 24, len2);
		vs_put_le16(d + 28, flags2);
		vs_put_le16(d + 30, 0);
	}
	vs_put_le16(gp(RING_GPA(q) + 0x1000 + VS_AVAIL_RING(avail_idx[q] % QSZ), 2), head);
	avail_idx[q]++;
	vs_put_le16(gp(RING_GPA(q) + 0x1000 + VS_AVAIL_IDX, 2), avail_idx[q]);
	vs_vdev_kick(vdev, q);
}

static void add_buf(unsigned q, uint16_t head, uint32_t len, uint16_t flags)
{
	add_chain(q, head, len, flags, 0, 0);
}

/* Driver: control message on the control transmitq, at head. */
static void send_ctrl(uint16_t head, uint32_t id, uint16_t event, uint16_t value, uint32_t len)
{
	uint8_t *m = gp(BUF_GPA(VS_CONSOLE_VQ_CTRL_TX, head), 8);

	vs_put_le32(m, id);
	vs_put_le16(m + 4, event);
	vs_put_le16(m + 6, value);
	add_buf(VS_CONSOLE_VQ_CTRL_TX, head, len, 0);
}

static void drain(void)
{
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}

static uint16_t used_idx(unsigned q)
{
	return vs_le16(gp(RING_GPA(q) + 0x2000 + VS_USED_IDX, 2));
}

/* The next used element of queue q: 1 and its id and len, or 0. */
static int next_used(unsigned q, uint32_t *id, uint32_t *len)
{
	uint8_t *e;

	if (used_seen[q] == used_idx(q))
		return 0;
	e = gp(RING_GPA(q) + 0x2000 + VS_USED_RING(used_seen[q] % QSZ), 8);
	used_seen[q]++;
	*id = vs_le32(e);
	*len = vs_le32(e + 4);
	return 1;
}

/* The next control message the device sent: 1 and its fields, or 0.
 * extra (may be NULL) gets the bytes after the header. */
static int next_ctrl(uint32_t *id, uint16_t *event, uint16_t *value, char *extra, uint32_t *xlen)
{
	uint32_t head, len;
	uint8_t *m;

	if (!next_used(VS_CONSOLE_VQ_CTRL_RX, &head, &len))
		return 0;
	ck_assert_uint_ge(len, 8);
	m = gp(BUF_GPA(VS_CONSOLE_VQ_CTRL_RX, head), len);
	*id = vs_le32(m);
	*event = vs_le16(m + 4);
	*value = vs_le16(m + 6);
	if (extra) {
		memcpy(extra, m + 8, len - 8);
		extra[len - 8] = 0;
	}
	if (xlen)
		*xlen = len - 8;
	return 1;
}

static void expect_ctrl(uint32_t id, uint16_t event, uint16_t value)
{
	uint32_t gid;
	uint16_t gev, gval;

	ck_assert_msg(next_ctrl(&gid, &gev, &gval, NULL, NULL), "no control message, expected %u",
		      event);
	ck_assert_uint_eq(gev, event);
	ck_assert_uint_eq(gid, id);
	ck_assert_uint_eq(gval, value);
}

static void expect_no_ctrl(void)
{
	uint32_t id;
	uint16_t ev, val;

	ck_assert_msg(!next_ctrl(&id, &ev, &val, NULL, NULL), "unexpected control event %u port %u",
		      ev, id);
}

/* Post n control receive buffers from head first. */
static void post_ctrl_rx(uint16_t first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		add_buf(VS_CONSOLE_VQ_CTRL_RX, (uint16_t)(first + i), BUF_SIZE, VRING_DESC_F_WRITE);
}

/* Multiport bring-up through DEVICE_READY and port 0's PORT_READY. */
static void multiport_ready(void)
{
	bring_up(4, VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
	post_ctrl_rx(0, 12);
	send_ctrl(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	drain();
	expect_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect_no_ctrl();
	send_ctrl(1, 0, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	drain();
	expect_ctrl(0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_OPEN, 1);
	expect_no_ctrl();
	/* both control messages taken, used len 0 */
	for (int i = 0; i < 2; i++) {
		uint32_t id, len;

		ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_TX, &id, &len), 1);
		ck_assert_uint_eq(id, (uint32_t)i);
		ck_assert_uint_eq(len, 0);
	}
}

static int64_t take(uint32_t port, char *buf, size_t len)
{
	int64_t n = vs_console_output_take(vdev, port, buf, len - 1);

	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	return n;
}

/* ---- Config ---- */

START_TEST(config_single_port_defaults)
{
	uint8_t cfg[VS_CONSOLE_CFG_SIZE];

	ck_assert_int_eq(create(0, 0), 0);
	ck_assert_uint_eq(vs_vdev_features(vdev),
			  VS_BIT(VIRTIO_CONSOLE_F_SIZE) | VS_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE) |
				  VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 2);
	ck_assert_uint_eq(vs_vdev_config_size(vdev), VS_CONSOLE_CFG_SIZE);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0, cfg, sizeof(cfg)), 0);
	ck_assert_uint_eq(vs_le16(cfg + VS_CONSOLE_CFG_COLS), 80);
	ck_assert_uint_eq(vs_le16(cfg + VS_CONSOLE_CFG_ROWS), 25);
	ck_assert_uint_eq(vs_le32(cfg + VS_CONSOLE_CFG_MAX_NR_PORTS), 1);
	ck_assert_uint_eq(vs_vdev_device_id(vdev), VIRTIO_ID_CONSOLE);
}
END_TEST

START_TEST(config_multiport_queues)
{
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};
	struct vs_device_params p = {.console_ports = 4, .console_cols = 132, .console_rows = 43};
	uint8_t cfg[VS_CONSOLE_CFG_SIZE];

	ck_assert_int_eq(vs_device_create("console", &p, &env, &vdev), 0);
	ck_assert(vs_vdev_features(vdev) & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
	/* spec 5.3.2: two per port and the control pair */
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 10);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0, cfg, sizeof(cfg)), 0);
	ck_assert_uint_eq(vs_le16(cfg + VS_CONSOLE_CFG_COLS), 132);
	ck_assert_uint_eq(vs_le16(cfg + VS_CONSOLE_CFG_ROWS), 43);
	ck_assert_uint_eq(vs_le32(cfg + VS_CONSOLE_CFG_MAX_NR_PORTS), 4);
}
END_TEST

START_TEST(config_multiport_withheld)
{
	ck_assert_int_eq(create(4, VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT)), 0);
	ck_assert(!(vs_vdev_features(vdev) & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT)));
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 2);
	ck_assert_int_eq(vs_console_port_add(vdev, 1, "x", 0), -EOPNOTSUPP);
}
END_TEST

START_TEST(config_too_many_ports)
{
	ck_assert_int_eq(create(VS_CONSOLE_MAX_PORTS + 1, 0), -EINVAL);
	ck_assert_ptr_null(vdev);
	ck_assert_int_eq(create(VS_CONSOLE_MAX_PORTS, 0), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 2 * (VS_CONSOLE_MAX_PORTS + 1));
}
END_TEST

START_TEST(config_emerg_write)
{
	uint8_t w[4] = {'!', 0x12, 0x34, 0x56};
	char out[16];

	/* spec dev.console.device-initialization.1: even unconfigured */
	ck_assert_int_eq(create(1, 0), 0);
	ck_assert_int_eq(vs_vdev_config_write(vdev, VS_CONSOLE_CFG_EMERG_WR, w, 4), 0);
	ck_assert_int_eq(vs_vdev_config_write(vdev, VS_CONSOLE_CFG_EMERG_WR, "?", 1), 0);
	/* writes elsewhere are ignored: the fields are read-only */
	ck_assert_int_eq(vs_vdev_config_write(vdev, VS_CONSOLE_CFG_COLS, w, 4), 0);
	ck_assert_int_eq(vs_console_emerg_count(vdev), 2);
	ck_assert_int_eq(take(0, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "!?");
	ck_assert_int_eq(vs_vdev_config_read(vdev, VS_CONSOLE_CFG_COLS, w, 2), 0);
	ck_assert_uint_eq(vs_le16(w), 80);
}
END_TEST

START_TEST(config_emerg_write_not_offered)
{
	char out[8];

	ck_assert_int_eq(create(1, VS_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE)), 0);
	ck_assert_int_eq(vs_vdev_config_write(vdev, VS_CONSOLE_CFG_EMERG_WR, "A\0\0\0", 4), 0);
	ck_assert_int_eq(vs_console_emerg_count(vdev), 0);
	ck_assert_int_eq(take(0, out, sizeof(out)), 0);
}
END_TEST

START_TEST(host_api_errors)
{
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};
	struct vs_console_port_state st;
	struct vs_vdev *rng;
	char name[VS_CONSOLE_NAME_MAX + 2];

	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &rng), 0);
	ck_assert_int_eq(vs_console_port_add(rng, 1, "x", 0), -ENODEV);
	ck_assert_int_eq(vs_console_input(rng, 0, "x", 1), -ENODEV);
	ck_assert_int_eq(vs_console_emerg_count(rng), -ENODEV);
	vs_vdev_destroy(rng);

	ck_assert_int_eq(create(4, 0), 0);
	ck_assert_int_eq(vs_console_port_add(vdev, 4, "x", 0), -EINVAL);
	ck_assert_int_eq(vs_console_port_add(vdev, 0, "x", 0), -EEXIST);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ck_assert_int_eq(vs_console_port_add(vdev, 1, name, 0), -ENAMETOOLONG);
	ck_assert_int_eq(vs_console_port_remove(vdev, 2), -ENOENT);
	ck_assert_int_eq(vs_console_input(vdev, 3, "x", 1), -ENOENT);
	ck_assert_int_eq(vs_console_resize(vdev, 3, 1, 1), -ENOENT);
	ck_assert_int_eq(vs_console_input(vdev, 0, "x", VS_CONSOLE_BUF_MAX + 1), -ENOSPC);
	ck_assert_int_eq(vs_console_port_state(vdev, 9, &st), -EINVAL);
	ck_assert_int_eq(vs_console_port_state(vdev, 0, &st), 0);
	ck_assert_int_eq(st.exists, 1);
	ck_assert_int_eq(st.console, 1);
	ck_assert_int_eq(st.host_open, 1);
	ck_assert_int_eq(st.announced, 0);
}
END_TEST

/* ---- Single port ---- */

START_TEST(single_transmit_captured)
{
	char out[64];
	uint32_t id, len;

	bring_up(1, 0);
	memcpy(gp(BUF_GPA(1, 0), 6), "hello ", 6);
	memcpy(gp(BUF_GPA(1, 1), 5), "world", 5);
	add_buf(1, 0, 6, 0);
	add_buf(1, 1, 5, 0);
	drain();
	ck_assert_int_eq(next_used(1, &id, &len), 1);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(next_used(1, &id, &len), 1);
	ck_assert_uint_eq(id, 1);
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 11);
	ck_assert_int_eq(take(0, out, sizeof(out)), 11);
	ck_assert_str_eq(out, "hello world");
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 0);
	ck_assert_uint_ge(vring_irqs, 1);
}
END_TEST

START_TEST(single_input_waits_for_buffers)
{
	struct vs_console_port_state st;
	uint32_t id, len;

	bring_up(1, 0);
	ck_assert_int_eq(vs_console_input(vdev, 0, "0123456789", 10), 0);
	drain();
	ck_assert_int_eq(next_used(0, &id, &len), 0);
	add_buf(0, 0, 4, VRING_DESC_F_WRITE);
	add_buf(0, 1, 64, VRING_DESC_F_WRITE);
	drain();
	ck_assert_int_eq(next_used(0, &id, &len), 1);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(gp(BUF_GPA(0, 0), 4), "0123", 4), 0);
	ck_assert_int_eq(next_used(0, &id, &len), 1);
	ck_assert_uint_eq(id, 1);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(memcmp(gp(BUF_GPA(0, 1), 6), "456789", 6), 0);
	ck_assert_int_eq(vs_console_port_state(vdev, 0, &st), 0);
	ck_assert_uint_eq(st.input_pending, 0);
	/* no input: the next buffer stays available */
	add_buf(0, 2, 64, VRING_DESC_F_WRITE);
	drain();
	ck_assert_int_eq(next_used(0, &id, &len), 0);
}
END_TEST

START_TEST(single_resize_config_change)
{
	uint8_t cfg[4];
	uint32_t gen;

	bring_up(1, VS_BIT(VIRTIO_CONSOLE_F_SIZE));
	gen = vs_vdev_config_generation(vdev);
	ck_assert_int_eq(vs_console_resize(vdev, 0, 100, 40), 0);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0, cfg, 4), 0);
	ck_assert_uint_eq(vs_le16(cfg), 100);
	ck_assert_uint_eq(vs_le16(cfg + 2), 40);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), gen + 1);
	ck_assert_uint_eq(config_irqs, 1);
	/* no port but 0 without MULTIPORT */
	ck_assert_int_eq(vs_console_resize(vdev, 1, 1, 1), -EINVAL);
}
END_TEST

/* ---- Multiport ---- */

START_TEST(multiport_handshake_and_hot_plug)
{
	char name[80];
	uint32_t id, xlen;
	uint16_t ev, val;
	struct vs_console_port_state st;

	multiport_ready();
	ck_assert_int_eq(vs_console_port_add(vdev, 2, "org.test.two", 0), 0);
	drain();
	expect_ctrl(2, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	send_ctrl(2, 2, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	drain();
	ck_assert(next_ctrl(&id, &ev, &val, name, &xlen));
	ck_assert_uint_eq(ev, VIRTIO_CONSOLE_PORT_NAME);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(xlen, 12); /* no NUL (5.3.6.2) */
	ck_assert_str_eq(name, "org.test.two");
	expect_ctrl(2, VIRTIO_CONSOLE_PORT_OPEN, 1);
	expect_no_ctrl();
	ck_assert_int_eq(vs_console_port_state(vdev, 2, &st), 0);
	ck_assert_int_eq(st.guest_ready, 1);
	ck_assert_int_eq(st.console, 0);

	/* resize travels as a control message with the size after it */
	ck_assert_int_eq(vs_console_resize(vdev, 2, 120, 50), 0);
	drain();
	ck_assert(next_ctrl(&id, &ev, &val, name, &xlen));
	ck_assert_uint_eq(ev, VIRTIO_CONSOLE_RESIZE);
	ck_assert_uint_eq(xlen, 4);
	ck_assert_uint_eq(vs_le16(name), 120);
	ck_assert_uint_eq(vs_le16(name + 2), 50);
	ck_assert_uint_eq(config_irqs, 0);

	ck_assert_int_eq(vs_console_port_remove(vdev, 2), 0);
	drain();
	expect_ctrl(2, VIRTIO_CONSOLE_DEVICE_REMOVE, 0);
	ck_assert_int_eq(vs_console_port_state(vdev, 2, &st), 0);
	ck_assert_int_eq(st.exists, 0);
	/* a second DEVICE_READY announces nothing twice */
	send_ctrl(3, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	drain();
	expect_no_ctrl();
}
END_TEST

START_TEST(multiport_input_needs_open_port)
{
	uint32_t id, len;

	multiport_ready();
	ck_assert_int_eq(vs_console_port_add(vdev, 1, NULL, 0), 0);
	drain();
	expect_ctrl(1, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	send_ctrl(2, 1, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	drain();
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1); /* no name: none sent */
	add_buf(VS_CONSOLE_VQ_RX(1), 0, 64, VRING_DESC_F_WRITE);
	ck_assert_int_eq(vs_console_input(vdev, 1, "abc", 3), 0);
	drain();
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_RX(1), &id, &len), 0);
	send_ctrl(3, 1, VIRTIO_CONSOLE_PORT_OPEN, 1, 8);
	drain();
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_RX(1), &id, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(gp(BUF_GPA(VS_CONSOLE_VQ_RX(1), 0), 3), "abc", 3), 0);
}
END_TEST

START_TEST(multiport_cold_ports_and_reset)
{
	multiport_ready();
	ck_assert_int_eq(vs_console_port_add(vdev, 3, "three", 1), 0);
	drain();
	expect_ctrl(3, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	/* a reset forgets what the driver was told, not the ports */
	vs_vdev_set_status(vdev, 0);
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
	memset(gp(RING_GPA(0), 0x4000 * MAXQ), 0, 0x4000 * MAXQ);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vs_vdev_set_driver_features_word(vdev, 0, VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
	vs_vdev_set_driver_features_word(vdev, 1, 1);
	vs_vdev_set_status(vdev, 0xb);
	for (unsigned q = 0; q < MAXQ; q++)
		program_queue(q);
	vs_vdev_set_status(vdev, 0xf);
	post_ctrl_rx(0, 8);
	send_ctrl(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	drain();
	expect_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect_ctrl(3, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	expect_no_ctrl();
	send_ctrl(1, 3, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	drain();
	expect_ctrl(3, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
	{
		uint32_t id, xlen;
		uint16_t ev, val;
		char name[16];

		ck_assert(next_ctrl(&id, &ev, &val, name, &xlen));
		ck_assert_uint_eq(ev, VIRTIO_CONSOLE_PORT_NAME);
		ck_assert_str_eq(name, "three");
	}
	expect_ctrl(3, VIRTIO_CONSOLE_PORT_OPEN, 1);
}
END_TEST

START_TEST(multiport_host_close)
{
	multiport_ready();
	ck_assert_int_eq(vs_console_host_open(vdev, 0, 0), 0);
	drain();
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_OPEN, 0);
}
END_TEST

/* ---- Hostile driver ---- */

START_TEST(hostile_control_messages)
{
	char out[8];
	uint32_t id, len;

	multiport_ready();
	/* shorter than a header, a port beyond max_nr_ports, a port never
	 * announced, a device's event, an unknown event: all ignored */
	send_ctrl(2, 0, VIRTIO_CONSOLE_PORT_OPEN, 0, 4);
	send_ctrl(3, 9, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	send_ctrl(4, 2, VIRTIO_CONSOLE_PORT_OPEN, 1, 8);
	send_ctrl(5, 0, VIRTIO_CONSOLE_DEVICE_ADD, 0, 8);
	send_ctrl(6, 0, 99, 0, 8);
	drain();
	expect_no_ctrl();
	for (uint16_t h = 2; h <= 6; h++) {
		ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_TX, &id, &len), 1);
		ck_assert_uint_eq(len, 0);
	}
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_TX, &id, &len), 0);
	/* the device still works */
	memcpy(gp(BUF_GPA(1, 0), 2), "ok", 2);
	add_buf(1, 0, 2, 0);
	drain();
	ck_assert_int_eq(take(0, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "ok");
	ck_assert_uint_eq(vs_vdev_status_peek(vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(hostile_wrong_direction_buffers)
{
	char out[8];
	uint32_t id, len;

	bring_up(1, 0);
	/* receive chain with a readable buffer first: input goes to the
	 * writable part only */
	ck_assert_int_eq(vs_console_input(vdev, 0, "xyz", 3), 0);
	add_chain(0, 0, 16, 0, 16, VRING_DESC_F_WRITE);
	/* transmit chain with a writable part: the readable part is output */
	memcpy(gp(BUF_GPA(1, 0), 3), "out", 3);
	add_chain(1, 0, 3, 0, 16, VRING_DESC_F_WRITE);
	drain();
	ck_assert_int_eq(next_used(0, &id, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(gp(BUF_GPA(0, 0) + 0x200, 3), "xyz", 3), 0);
	ck_assert_int_eq(next_used(1, &id, &len), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(take(0, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "out");
}
END_TEST

START_TEST(hostile_short_control_receive_buffer)
{
	uint32_t id, len;

	bring_up(4, VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
	add_buf(VS_CONSOLE_VQ_CTRL_RX, 0, 4, VRING_DESC_F_WRITE); /* too short */
	send_ctrl(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	drain();
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_RX, &id, &len), 1);
	ck_assert_uint_eq(len, 0);
	/* the message waited for a buffer that fits */
	post_ctrl_rx(1, 1);
	drain();
	expect_ctrl(0, VIRTIO_CONSOLE_DEVICE_ADD, 0);
}
END_TEST

START_TEST(hostile_control_queue_without_multiport)
{
	uint32_t id, len;

	/* MULTIPORT offered, not accepted: queues 2 and up do not exist */
	bring_up(4, 0);
	post_ctrl_rx(0, 2);
	send_ctrl(0, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	drain();
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_TX, &id, &len), 0);
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_RX, &id, &len), 0);
	ck_assert_int_eq(vs_console_port_add(vdev, 1, "x", 0), 0);
	drain();
	ck_assert_int_eq(next_used(VS_CONSOLE_VQ_CTRL_RX, &id, &len), 0);
}
END_TEST

START_TEST(fault_bad_port)
{
	multiport_ready();
	vs_faults_set(&faults, VS_FAULT_DEV_CONSOLE_BAD_PORT, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_console_port_add(vdev, 1, "a", 0), 0);
	ck_assert_int_eq(vs_console_port_add(vdev, 2, "b", 0), 0);
	drain();
	expect_ctrl(4, VIRTIO_CONSOLE_DEVICE_ADD, 0); /* max_nr_ports: cannot exist */
	expect_ctrl(2, VIRTIO_CONSOLE_DEVICE_ADD, 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_CONSOLE_BAD_PORT].fired, 1);
}
END_TEST

START_TEST(control_fifo_overflow)
{
	multiport_ready();
	/* no control receive buffers left: messages queue up, then drop */
	for (unsigned i = 0; i < 300; i++)
		ck_assert_int_eq(vs_console_resize(vdev, 0, (uint16_t)i, 1), 0);
	drain();
	for (unsigned i = 0; i < 9; i++)
		expect_ctrl(0, VIRTIO_CONSOLE_RESIZE, 0);
	expect_no_ctrl();
}
END_TEST

/* ---- TCP backend ---- */

static uv_tcp_t client;
static uv_connect_t creq;
static uv_write_t wreq;
static int connected;
static char crecv[64];
static size_t crecv_n;

/* The client's callbacks tell the loop they did something, as every I/O
 * backend must (core/loop.h): by deferring work, here a no-op. */
static void noop(void *o)
{
	(void)o;
}

static struct vs_work progress;

static void client_progress(void)
{
	vs_loop_defer(loop, &progress); /* once, however often called */
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char buf[256];

	(void)h;
	(void)hint;
	*b = uv_buf_init(buf, sizeof(buf));
}

static void client_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	(void)st;
	if (n > 0 && crecv_n + (size_t)n <= sizeof(crecv)) {
		memcpy(crecv + crecv_n, b->base, (size_t)n);
		crecv_n += (size_t)n;
	}
	client_progress();
}

static void client_connected(uv_connect_t *r, int status)
{
	(void)r;
	connected = status == 0 ? 1 : -1;
	client_progress();
	if (status == 0)
		uv_read_start((uv_stream_t *)&client, client_alloc, client_read);
}

static int cond_connected(void *o)
{
	(void)o;
	return connected != 0;
}

static int cond_input_used(void *o)
{
	(void)o;
	return used_idx(0) != 0;
}

static int cond_received(void *o)
{
	(void)o;
	return crecv_n >= 3;
}

START_TEST(tcp_backend_round_trip)
{
	struct sockaddr_in addr;
	uv_buf_t b = uv_buf_init((char *)"net", 3);
	uint16_t port = 0;
	uint32_t id, len;
	char out[16];

	connected = 0;
	crecv_n = 0;
	vs_work_init(&progress, noop, NULL);
	bring_up(1, 0);
	ck_assert_int_eq(vs_console_listen(vdev, 0, 0, &port), 0);
	ck_assert_uint_ne(port, 0);
	ck_assert_int_eq(vs_console_listen(vdev, 0, 0, NULL), -EBUSY);
	/* before a peer: output is captured as usual */
	memcpy(gp(BUF_GPA(1, 0), 3), "pre", 3);
	add_buf(1, 0, 3, 0);
	drain();
	ck_assert_int_eq(take(0, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "pre");

	ck_assert_int_eq(uv_tcp_init(vs_loop_uv(loop), &client), 0);
	uv_ip4_addr("127.0.0.1", port, &addr);
	ck_assert_int_eq(uv_tcp_connect(&creq, &client, (const struct sockaddr *)&addr,
					client_connected), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_connected, NULL, 1000000000ull), 0);
	ck_assert_int_eq(connected, 1);
	/* the peer's bytes are the port's input */
	add_buf(0, 0, 64, VRING_DESC_F_WRITE);
	ck_assert_int_eq(uv_write(&wreq, (uv_stream_t *)&client, &b, 1, NULL), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_input_used, NULL, 1000000000ull), 0);
	ck_assert_int_eq(next_used(0, &id, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(gp(BUF_GPA(0, 0), 3), "net", 3), 0);
	/* the port's output goes to the peer, not the capture */
	memcpy(gp(BUF_GPA(1, 1), 3), "out", 3);
	add_buf(1, 1, 3, 0);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_received, NULL, 1000000000ull), 0);
	ck_assert_int_eq(memcmp(crecv, "out", 3), 0);
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 0);
	uv_close((uv_handle_t *)&client, NULL);
}
END_TEST

static Suite *console_dev_suite(void)
{
	Suite *s = suite_create("console_dev");
	TCase *tc;

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_single_port_defaults);
	tcase_add_test(tc, config_multiport_queues);
	tcase_add_test(tc, config_multiport_withheld);
	tcase_add_test(tc, config_too_many_ports);
	tcase_add_test(tc, config_emerg_write);
	tcase_add_test(tc, config_emerg_write_not_offered);
	tcase_add_test(tc, host_api_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("Single");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, single_transmit_captured);
	tcase_add_test(tc, single_input_waits_for_buffers);
	tcase_add_test(tc, single_resize_config_change);
	suite_add_tcase(s, tc);

	tc = tcase_create("Multiport");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, multiport_handshake_and_hot_plug);
	tcase_add_test(tc, multiport_input_needs_open_port);
	tcase_add_test(tc, multiport_cold_ports_and_reset);
	tcase_add_test(tc, multiport_host_close);
	suite_add_tcase(s, tc);

	tc = tcase_create("Hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hostile_control_messages);
	tcase_add_test(tc, hostile_wrong_direction_buffers);
	tcase_add_test(tc, hostile_short_control_receive_buffer);
	tcase_add_test(tc, hostile_control_queue_without_multiport);
	tcase_add_test(tc, fault_bad_port);
	tcase_add_test(tc, control_fifo_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("Tcp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tcp_backend_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(console_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
