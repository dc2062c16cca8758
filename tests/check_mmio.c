/*
 * check_mmio.c - the virtio-mmio version 2 register bank (transport/mmio.c),
 * exercised only through vs_bus_read / vs_bus_write as a driver would,
 * with the rng device (queues, interrupts) and a small test model with a
 * config space behind it.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "transport/mmio.h"

#define ARENA_SIZE (1024u * 1024u)
#define BASE 0x10000000ull
#define QSZ 8u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x10000u

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_bus *bus;
static struct vs_irq *irq;
static unsigned line;
static struct vs_vdev *vdev;
static struct vs_mmio *mmio;
static struct vs_vdev_env env;
static unsigned irq_calls;
static uint32_t isr_seen; /* InterruptStatus the handler read */

/* ---- A model with a config space ---- */

static uint32_t cfg_write_off, cfg_write_len;
static uint8_t cfg_write_data[8];

static int tm_init(struct vs_vdev *v)
{
	memcpy(v->config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	return 0;
}

static void tm_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	(void)v;
	(void)vq;
}

static void tm_config_write(struct vs_vdev *v, uint32_t off, const void *buf, uint32_t len)
{
	(void)v;
	cfg_write_off = off;
	cfg_write_len = len;
	memcpy(cfg_write_data, buf, len < 8 ? len : 8);
}

static const struct vs_device_model cfg_model = {
	.name = "cfgtest",
	.device_id = 42,
	.num_queues = 1,
	.queue_size_max = 16,
	.config_size = 8,
	.init = tm_init,
	.handle_queue = tm_handle,
	.config_write = tm_config_write,
};

/* ---- Fixture and helpers ---- */

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t val)
{
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BASE + off, 4, val), 0);
}

/* The guest's interrupt handler, as vm_interrupt: read, then ack. */
static void guest_handler(void *opaque, unsigned l)
{
	(void)opaque;
	(void)l;
	irq_calls++;
	isr_seen = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, isr_seen);
}

static void setup(void)
{
	vs_log_set_level(VS_LOG_ERROR);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	vs_faults_init(&faults, 5);
	env.arena = arena;
	env.loop = loop;
	env.faults = &faults;
	env.seed = 99;
	vdev = NULL;
	mmio = NULL;
	irq_calls = 0;
	isr_seen = 0;
}

static void teardown(void)
{
	vs_mmio_destroy(mmio);
	vs_vdev_destroy(vdev);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

static void make_bank(const char *type, uint64_t features_add)
{
	struct vs_device_params p = { .features_add = features_add, .queue_size_max = QSZ };

	if (type)
		ck_assert_int_eq(vs_device_create(type, &p, &env, &vdev), 0);
	else
		ck_assert_int_eq(vs__vdev_create(&cfg_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
}

static uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Linux's virtio_mmio probe order, up to DRIVER_OK, queue 0 at QSZ. */
static void driver_init(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_GPA);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_GPA);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, USED_GPA);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_int_eq(vs_irq_request(irq, line, guest_handler, NULL), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}

/* One writable 16-byte buffer at head 0, made available. */
static void post_request(uint16_t avail_idx)
{
	uint8_t *d = gp(DESC_GPA, 16);

	vs_put_le64(d, BUF_GPA);
	vs_put_le32(d + 8, 16);
	vs_put_le16(d + 12, VRING_DESC_F_WRITE);
	vs_put_le16(d + 14, 0);
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_RING((avail_idx - 1u) % QSZ), 2), 0);
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_IDX, 2), avail_idx);
}

static uint16_t used_idx(void)
{
	return vs_le16(gp(USED_GPA + VS_USED_IDX, 2));
}

/* ---- Identity and lifetime ---- */

START_TEST(identity_registers)
{
	make_bank("rng", 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VENDOR_ID), 0x1af4u);
	ck_assert_uint_eq(vs_mmio_base(mmio), BASE);
	ck_assert_uint_eq(vs_mmio_irq_line(mmio), line);
	ck_assert_ptr_eq(vs_mmio_vdev(mmio), vdev);
}
END_TEST

struct tap_seen {
	const char *region;
	void *opaque;
};

static void bus_tap(void *opaque, const struct vs_bus_access *acc)
{
	struct tap_seen *t = opaque;

	t->region = acc->region;
	t->opaque = acc->region_opaque;
}

START_TEST(region_named_for_taps)
{
	struct tap_seen t = { 0 };

	make_bank("rng", 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, bus_tap, &t), 0);
	rd(VIRTIO_MMIO_MAGIC_VALUE);
	vs_bus_remove_tap(bus, bus_tap, &t);
	ck_assert_str_eq(t.region, "virtio-mmio");
	ck_assert_ptr_eq(t.opaque, mmio);
}
END_TEST

START_TEST(create_errors)
{
	struct vs_vdev *other;
	struct vs_mmio *m2 = NULL;

	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 0, &mmio), -EINVAL);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 3, &mmio), -EINVAL);
	ck_assert_int_eq(vs_mmio_create(NULL, irq, vdev, BASE, line, 2, &mmio), -EINVAL);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
	/* One transport per device. */
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE + 0x1000, line, 2, &m2), -EBUSY);
	/* Overlap: the second device is left unbound. */
	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &other), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, other, BASE + 0x100, line, 2, &m2), -EEXIST);
	ck_assert_int_eq(vs_mmio_create(bus, irq, other, BASE + 0x200, line, 2, &m2), 0);
	vs_mmio_destroy(m2);
	vs_vdev_destroy(other);
	vs_mmio_destroy(NULL);
}
END_TEST

START_TEST(destroy_unmaps)
{
	uint64_t v;

	make_bank("rng", 0);
	vs_mmio_destroy(mmio);
	mmio = NULL;
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE, 4, &v), -ENXIO);
	/* The device can take a new transport. */
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
}
END_TEST

/* ---- Features ---- */

START_TEST(feature_windows)
{
	make_bank("rng", VS_BIT(VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << VIRTIO_F_EVENT_IDX);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);

	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_F_EVENT_IDX);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev),
			  VS_BIT(VIRTIO_F_VERSION_1) | VS_BIT(VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
}
END_TEST

START_TEST(features_ok_refused_without_version_1)
{
	make_bank("rng", 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
}
END_TEST

/* ---- Queues ---- */

START_TEST(queue_registers)
{
	make_bank("rng", 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x2);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0x200001000ull);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x2000);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, 0x3000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0x1000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER), 0x2000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DEVICE), 0x3000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_int_eq(vs_vdev_queue(vdev, 0)->broken, 0);
	/* A queue that does not exist: max 0, writes go nowhere. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* Queue 0 kept its state. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
}
END_TEST

START_TEST(notify_defers_device_work)
{
	uint32_t id, len;
	const uint8_t *e;

	make_bank("rng", 0);
	driver_init();
	post_request(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	/* Nothing happens inside the bus write. */
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(irq_calls, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(used_idx(), 1);
	e = gp(USED_GPA + VS_USED_RING(0), 8);
	id = vs_le32(e);
	len = vs_le32(e + 4);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(irq_calls, 1);
	ck_assert_uint_eq(isr_seen, VIRTIO_MMIO_INT_VRING);
	/* The handler acked: nothing pending now. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(vs_irq_count(irq, line), 1);
	/* A notification for a queue that does not exist is harmless. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(irq_calls, 1);
}
END_TEST

START_TEST(interrupt_status_and_ack)
{
	make_bank("rng", 0);
	driver_init();
	vs_irq_release(irq, line); /* no handler: the status stays up */
	post_request(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(vs_irq_count(irq, line), 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(vs_mmio_interrupt_status(mmio), VIRTIO_MMIO_INT_VRING);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, NULL, 0), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(vs_irq_count(irq, line), 2);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}
END_TEST

START_TEST(ring_error_raises_config_interrupt)
{
	uint8_t *d;

	make_bank("rng", 0);
	driver_init();
	d = gp(DESC_GPA, 16);
	vs_put_le64(d, BUF_GPA);
	vs_put_le32(d + 8, 16);
	vs_put_le16(d + 12, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	vs_put_le16(d + 14, 0); /* loops onto itself */
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_IDX, 2), 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET,
			  VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	ck_assert_uint_eq(irq_calls, 1);
	ck_assert_uint_eq(isr_seen, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(used_idx(), 0);
}
END_TEST

START_TEST(reset_through_status)
{
	make_bank("rng", 0);
	driver_init();
	vs_irq_release(irq, line);
	post_request(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_STATUS, 0);
	/* spec dev.basic.device-reset.1 and dev.mmio.mmio-device-register-layout.5 */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev), 0);
	/* A status write with no status bit is not a reset. */
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, 0x100);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK);
}
END_TEST

/* ---- Config window ---- */

START_TEST(config_window)
{
	uint64_t v;

	make_bank(NULL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 42);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x100, 1, &v), 0);
	ck_assert_uint_eq(v, 0x11);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x103, 1, &v), 0);
	ck_assert_uint_eq(v, 0x44);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x102, 2, &v), 0);
	ck_assert_uint_eq(v, 0x4433);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x104, 4, &v), 0);
	ck_assert_uint_eq(v, 0x88776655u);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x100, 8, &v), 0);
	ck_assert_uint_eq(v, 0x8877665544332211ull);
	/* Past the device's 8 bytes: nothing there. */
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x106, 4, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x1fc, 4, &v), 0);
	ck_assert_uint_eq(v, 0);

	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BASE + 0x104, 2, 0xbbaa), 0);
	ck_assert_uint_eq(cfg_write_off, 4);
	ck_assert_uint_eq(cfg_write_len, 2);
	ck_assert_mem_eq(cfg_write_data, "\xaa\xbb", 2);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BASE + 0x100, 8,
				      0x0102030405060708ull), 0);
	ck_assert_uint_eq(cfg_write_off, 0);
	ck_assert_uint_eq(cfg_write_len, 8);
	ck_assert_mem_eq(cfg_write_data, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
}
END_TEST

START_TEST(config_generation)
{
	uint64_t v;

	make_bank(NULL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\x99", 1), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + 0x100, 1, &v), 0);
	ck_assert_uint_eq(v, 0x99);
	/* Not live: no notification yet. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(vs_irq_count(irq, line), 0);
	vs_faults_set(&faults, VS_FAULT_DEV_CONFIG_NO_GENERATION, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\x98", 1), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
}
END_TEST

/* ---- Widths, holes, direction ---- */

static const struct {
	uint64_t off;
	unsigned width;
} bad_widths[] = {
	{ VIRTIO_MMIO_MAGIC_VALUE, 1 }, { VIRTIO_MMIO_MAGIC_VALUE, 2 },
	{ VIRTIO_MMIO_MAGIC_VALUE, 8 }, { VIRTIO_MMIO_STATUS, 2 },
	{ 0x002, 4 },                   { VIRTIO_MMIO_CONFIG_GENERATION, 8 },
	{ 0x018, 1 },
};

START_TEST(bad_widths_refused)
{
	uint64_t v = 0;

	make_bank("rng", 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + bad_widths[_i].off,
				     bad_widths[_i].width, &v), -EINVAL);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BASE + bad_widths[_i].off,
				      bad_widths[_i].width, 0), -EINVAL);
	/* The refused write did not reset the device. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK);
}
END_TEST

START_TEST(holes_and_directions)
{
	uint64_t v;

	make_bank("rng", 0);
	/* Holes and write-only registers read 0. */
	ck_assert_uint_eq(rd(0x018), 0);
	ck_assert_uint_eq(rd(0x0f0), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_ACK), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES_SEL), 0);
	/* Writes to read-only registers change nothing. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_DEVICE_ID, 9);
	wr(VIRTIO_MMIO_QUEUE_NUM_MAX, 2);
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	wr(VIRTIO_MMIO_CONFIG_GENERATION, 5);
	wr(0x018, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions; queue reset never pending. */
	wr(VIRTIO_MMIO_SHM_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffffu);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_RESET), 0);
	/* Past the bank: the bus says nothing is there. */
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BASE + VS_MMIO_BANK_SIZE, 4, &v),
			 -ENXIO);
}
END_TEST

/* ---- Faults seen through the bank ---- */

START_TEST(fault_spurious_interrupt)
{
	make_bank("rng", 0);
	driver_init();
	vs_faults_set(&faults, VS_FAULT_DEV_SPURIOUS_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	post_request(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(irq_calls, 2);
	ck_assert_uint_eq(isr_seen, VIRTIO_MMIO_INT_VRING);
}
END_TEST

START_TEST(fault_no_interrupt)
{
	make_bank("rng", 0);
	driver_init();
	vs_faults_set(&faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	post_request(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(irq_calls, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}
END_TEST

START_TEST(fault_reset_incomplete)
{
	make_bank("rng", 0);
	driver_init();
	vs_faults_set(&faults, VS_FAULT_DEV_RESET_INCOMPLETE, VS_FAULT_COUNTED, 1, 0, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(fault_features_ok_refuse)
{
	make_bank("rng", 0);
	vs_faults_set(&faults, VS_FAULT_DEV_FEATURES_OK_REFUSE, VS_FAULT_ALWAYS, 0, 0, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
}
END_TEST

/* ---- Legacy version 1 (spec 4.2.4) ---- */

static void make_bank_v1(const char *type)
{
	struct vs_device_params p = { .queue_size_max = QSZ };

	if (type)
		ck_assert_int_eq(vs_device_create(type, &p, &env, &vdev), 0);
	else
		ck_assert_int_eq(vs__vdev_create(&cfg_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 1, &mmio), 0);
}

START_TEST(v1_registers)
{
	make_bank_v1("rng");
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VS_MMIO_MAGIC);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	/* version 2 registers are not there */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_GPA);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
}
END_TEST

START_TEST(v1_queue_pfn_layout)
{
	uint64_t desc = 0x20000, avail = desc + 16 * QSZ, used = 0x21000;

	make_bank_v1("rng");
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QSZ);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(desc >> 12));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), desc >> 12);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), desc);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER), avail);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DEVICE), used);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), QSZ);
	/* a legacy driver sets DRIVER_OK without FEATURES_OK */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_int_eq(vs_irq_request(irq, line, guest_handler, NULL), 0);
	{
		uint8_t *d = gp(desc, 16);

		vs_put_le64(d, BUF_GPA);
		vs_put_le32(d + 8, 16);
		vs_put_le16(d + 12, VRING_DESC_F_WRITE);
		vs_put_le16(gp(avail + VS_AVAIL_RING(0), 2), 0);
		vs_put_le16(gp(avail + VS_AVAIL_IDX, 2), 1);
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(vs_le16(gp(used + VS_USED_IDX, 2)), 1);
	ck_assert_uint_eq(irq_calls, 1);
	ck_assert_uint_eq(isr_seen, VIRTIO_MMIO_INT_VRING);
	/* PFN 0: the driver stops using the queue */
	wr(VIRTIO_MMIO_QUEUE_PFN, 0);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	/* reset sets every QueuePFN to 0 */
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(desc >> 12));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), desc >> 12);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(v1_page_size_and_align)
{
	make_bank_v1(NULL);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 0x400);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	/* QueueAlign not written yet: 4096 */
	wr(VIRTIO_MMIO_QUEUE_PFN, 0x80);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0x20000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DEVICE), 0x21000);
	/* placing the queue again starts it over at the new place, with
	 * descriptors at 0x40 x 0x400, avail 64 bytes on, used on 64 */
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 64);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0x40);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0x10000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER), 0x10040);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DEVICE), 0x10080);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), 4);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0x40);
	/* a queue that does not exist */
	wr(VIRTIO_MMIO_QUEUE_SEL, 5);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 8);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0x50);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
}
END_TEST

START_TEST(v1_features_without_version_1)
{
	make_bank_v1("rng");
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
}
END_TEST

static Suite *mmio_suite(void)
{
	Suite *s = suite_create("mmio");
	TCase *tc;

	tc = tcase_create("Identity");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity_registers);
	tcase_add_test(tc, region_named_for_taps);
	tcase_add_test(tc, create_errors);
	tcase_add_test(tc, destroy_unmaps);
	suite_add_tcase(s, tc);

	tc = tcase_create("Features");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, feature_windows);
	tcase_add_test(tc, features_ok_refused_without_version_1);
	suite_add_tcase(s, tc);

	tc = tcase_create("Queues");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, queue_registers);
	tcase_add_test(tc, notify_defers_device_work);
	tcase_add_test(tc, interrupt_status_and_ack);
	tcase_add_test(tc, ring_error_raises_config_interrupt);
	tcase_add_test(tc, reset_through_status);
	suite_add_tcase(s, tc);

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_window);
	tcase_add_test(tc, config_generation);
	suite_add_tcase(s, tc);

	tc = tcase_create("Access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_widths_refused, 0,
			    (int)(sizeof(bad_widths) / sizeof(bad_widths[0])));
	tcase_add_test(tc, holes_and_directions);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_spurious_interrupt);
	tcase_add_test(tc, fault_no_interrupt);
	tcase_add_test(tc, fault_reset_incomplete);
	tcase_add_test(tc, fault_features_ok_refuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v1_registers);
	tcase_add_test(tc, v1_queue_pfn_layout);
	tcase_add_test(tc, v1_page_size_and_align);
	tcase_add_test(tc, v1_features_without_version_1);
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
