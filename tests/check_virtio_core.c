/*
 * check_virtio_core.c - the guest's virtio bus (driver/virtio.c) through a
 * fake transport whose config ops record every status write: id matching,
 * the spec 3.1.1 sequence in Linux's order, feature intersection,
 * FEATURES_OK refusal, FAILED, remove, freeze/restore, config reads in one
 * generation, the status fault points.  Then the whole guest stack
 * (guest.h -> virtio_mmio -> virtio core -> ring -> virtio_rng) against a
 * small virtio-mmio rng bank written here on the bus (not devices/).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "driver/guest.h"
#include "driver/shim.h"

#define ARENA_SIZE (1u << 20)

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_bus *bus;
static struct vs_irq *irqc;
static struct vs_faults faults;

/* ======== a fake transport ======== */

static struct fake {
	struct virtio_device vdev;
	u8 status;
	u64 dev_features;
	u64 written_features;
	bool refuse_features_ok;
	int reset_err;
	u8 writes[32]; /* status writes, resets as 0 */
	unsigned int nwrites;
	u8 status_at_probe;
	unsigned int probes, removes, config_changes, gets, gen_bumps;
	u32 gen;
	u8 cfg[16];
} fk;

static void fk_get(struct virtio_device *v, unsigned int off, void *buf, unsigned int len)
{
	(void)v;
	fk.gets++;
	memcpy(buf, fk.cfg + off, len);
	if (fk.gen_bumps) { /* the device changes config under our feet */
		fk.gen_bumps--;
		fk.gen++;
		fk.cfg[off] ^= 0xff;
	}
}

static u32 fk_generation(struct virtio_device *v)
{
	(void)v;
	return fk.gen;
}

static u8 fk_get_status(struct virtio_device *v)
{
	(void)v;
	return fk.status;
}

static void fk_set_status(struct virtio_device *v, u8 s)
{
	(void)v;
	ck_assert_uint_lt(fk.nwrites, ARRAY_SIZE(fk.writes));
	fk.writes[fk.nwrites++] = s;
	if (fk.refuse_features_ok)
		s &= (u8)~VIRTIO_CONFIG_S_FEATURES_OK;
	fk.status = s;
}

static int fk_reset(struct virtio_device *v)
{
	(void)v;
	ck_assert_uint_lt(fk.nwrites, ARRAY_SIZE(fk.writes));
	fk.writes[fk.nwrites++] = 0;
	if (fk.reset_err)
		return fk.reset_err;
	fk.status = 0;
	return 0;
}

static u64 fk_get_features(struct virtio_device *v)
{
	(void)v;
	return fk.dev_features;
}

static int fk_finalize(struct virtio_device *v)
{
	vring_transport_features(v);
	fk.written_features = v->features;
	return 0;
}

static const struct virtio_config_ops fk_ops = {
	.get = fk_get,
	.generation = fk_generation,
	.get_status = fk_get_status,
	.set_status = fk_set_status,
	.reset = fk_reset,
	.get_features = fk_get_features,
	.finalize_features = fk_finalize,
};

static int drv_probe_err;
static bool drv_calls_ready = true;

static int fake_probe(struct virtio_device *v)
{
	fk.probes++;
	fk.status_at_probe = fk.status;
	if (drv_probe_err)
		return drv_probe_err;
	if (drv_calls_ready)
		virtio_device_ready(v);
	return 0;
}

static void fake_remove(struct virtio_device *v)
{
	fk.removes++;
	virtio_reset_device(v);
}

static void fake_config_changed(struct virtio_device *v)
{
	(void)v;
	fk.config_changes++;
}

static int fake_freeze(struct virtio_device *v)
{
	return virtio_reset_device(v);
}

static const struct virtio_device_id fake_ids[] = { { 42, VIRTIO_DEV_ANY_ID }, { 0, 0 } };
static const unsigned int fake_features[] = { 0, 3, 5, 7 };

static struct virtio_driver fake_drv = {
	.driver.name = "fake",
	.id_table = fake_ids,
	.feature_table = fake_features,
	.feature_table_size = ARRAY_SIZE(fake_features),
	.probe = fake_probe,
	.remove = fake_remove,
	.config_changed = fake_config_changed,
	.freeze = fake_freeze,
};

static void core_setup(void)
{
	struct vs_guest_env env;

	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	vs_faults_init(&faults, 3);
	env = (struct vs_guest_env){ arena, NULL, NULL, NULL, &faults };
	ck_assert_int_eq(vs_shim_bind(&env), 0);
	memset(&fk, 0, sizeof(fk));
	fk.vdev.config = &fk_ops;
	fk.vdev.id.device = 42;
	fk.vdev.id.vendor = VS_VIRTIO_VENDOR_ID;
	fk.dev_features = BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(5) | BIT_ULL(VIRTIO_F_VERSION_1) |
			  BIT_ULL(VIRTIO_F_INDIRECT_DESC) | BIT_ULL(VIRTIO_F_EVENT_IDX);
	drv_probe_err = 0;
	drv_calls_ready = true;
	ck_assert_int_eq(register_virtio_driver(&fake_drv), 0);
}

static void core_teardown(void)
{
	unregister_virtio_driver(&fake_drv);
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_shim_unbind();
	vs_arena_destroy(arena);
}

/* Transport bits the device offers that the ring keeps. */
#define RING_BITS \
	(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_INDIRECT_DESC) | BIT_ULL(VIRTIO_F_EVENT_IDX))

#define ck_assert_writes(...)                                                     \
	do {                                                                      \
		static const u8 want[] = { __VA_ARGS__ };                         \
		ck_assert_uint_eq(fk.nwrites, sizeof(want));                      \
		for (unsigned int w = 0; w < sizeof(want); w++)                   \
			ck_assert_msg(fk.writes[w] == want[w], "write %u: %#x, want %#x", \
				      w, fk.writes[w], want[w]);                  \
	} while (0)

START_TEST(probe_status_sequence)
{
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	/* reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK */
	ck_assert_writes(0, 0x1, 0x3, 0xb, 0xf);
	ck_assert_uint_eq(fk.status_at_probe, 0xb);
	ck_assert_uint_eq(fk.probes, 1);
	ck_assert_str_eq(dev_name(&fk.vdev.dev), "virtio0");
	/* device {0,1,5} & driver {0,3,5,7}, plus the transport bits the ring
	 * implements: VERSION_1, INDIRECT_DESC, EVENT_IDX. */
	ck_assert_uint_eq(fk.written_features, BIT_ULL(0) | BIT_ULL(5) | RING_BITS);
	ck_assert(virtio_has_feature(&fk.vdev, 5));
	ck_assert(!virtio_has_feature(&fk.vdev, 3));
	unregister_virtio_device(&fk.vdev);
	ck_assert_uint_eq(fk.removes, 1);
	/* remove resets, then the bus acknowledges the device again */
	ck_assert_writes(0, 0x1, 0x3, 0xb, 0xf, 0, 0x1);
}
END_TEST

START_TEST(core_sets_driver_ok_after_probe)
{
	drv_calls_ready = false;
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_writes(0, 0x1, 0x3, 0xb, 0xf);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(features_ok_refused)
{
	fk.refuse_features_ok = true;
	ck_assert_int_eq(register_virtio_device(&fk.vdev), -ENODEV);
	/* FEATURES_OK did not stick: FAILED, and the driver never probed */
	ck_assert_writes(0, 0x1, 0x3, 0xb, 0x83);
	ck_assert_uint_eq(fk.status & VIRTIO_CONFIG_S_FAILED, VIRTIO_CONFIG_S_FAILED);
	ck_assert_uint_eq(fk.probes, 0);
	ck_assert_ptr_null(fk.vdev.dev.driver);
	/* nothing left registered: the index is free again */
	fk.refuse_features_ok = false;
	fk.nwrites = 0;
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_int_eq(fk.vdev.index, 0);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(probe_error_sets_failed)
{
	drv_probe_err = -EIO;
	ck_assert_int_eq(register_virtio_device(&fk.vdev), -EIO);
	ck_assert_writes(0, 0x1, 0x3, 0xb, 0x8b);
}
END_TEST

START_TEST(reset_failure_stops_registration)
{
	fk.reset_err = -ETIMEDOUT;
	ck_assert_int_eq(register_virtio_device(&fk.vdev), -ETIMEDOUT);
	ck_assert_writes(0);
	ck_assert_uint_eq(fk.probes, 0);
}
END_TEST

START_TEST(id_matching)
{
	static const struct virtio_device_id ids[] = {
		{ 7, 0x1234 }, { VIRTIO_DEV_ANY_ID, 0x5555 }, { 0, 0 },
	};
	static struct virtio_driver other = {
		.driver.name = "other", .id_table = ids, .probe = fake_probe,
		.remove = fake_remove,
	};

	unregister_virtio_driver(&fake_drv);
	ck_assert_int_eq(register_virtio_driver(&other), 0);
	/* 42/0x1af4 matches neither entry */
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_uint_eq(fk.probes, 0);
	ck_assert_ptr_null(fk.vdev.dev.driver);
	ck_assert_writes(0, 0x1);
	/* a driver registered later is matched against waiting devices */
	ck_assert_int_eq(register_virtio_driver(&fake_drv), 0);
	ck_assert_uint_eq(fk.probes, 1);
	ck_assert_ptr_eq(fk.vdev.dev.driver, &fake_drv.driver);
	unregister_virtio_device(&fk.vdev);
	unregister_virtio_driver(&other);
	/* vendor wildcard with any device id */
	memset(&fk.vdev.dev, 0, sizeof(fk.vdev.dev));
	fk.vdev.id.vendor = 0x5555;
	fk.probes = 0;
	unregister_virtio_driver(&fake_drv);
	ck_assert_int_eq(register_virtio_driver(&other), 0);
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_uint_eq(fk.probes, 1);
	unregister_virtio_device(&fk.vdev);
	unregister_virtio_driver(&other);
	ck_assert_int_eq(register_virtio_driver(&fake_drv), 0);
}
END_TEST

START_TEST(freeze_restore_sequence)
{
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	fk.nwrites = 0;
	fk.written_features = 0;
	ck_assert_int_eq(virtio_device_freeze(&fk.vdev), 0);
	ck_assert_int_eq(virtio_device_restore(&fk.vdev), 0);
	/* freeze resets; restore resets again and re-runs the sequence */
	ck_assert_writes(0, 0, 0x1, 0x3, 0xb, 0xf);
	ck_assert_uint_eq(fk.written_features, BIT_ULL(0) | BIT_ULL(5) | RING_BITS);
	fk.refuse_features_ok = true;
	ck_assert_int_eq(virtio_device_freeze(&fk.vdev), 0);
	ck_assert_int_eq(virtio_device_restore(&fk.vdev), -ENODEV);
	ck_assert_uint_eq(fk.status & VIRTIO_CONFIG_S_FAILED, VIRTIO_CONFIG_S_FAILED);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(config_read_in_one_generation)
{
	u32 v;

	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	vs_put_le32(fk.cfg + 4, 0x11223344);
	fk.gen_bumps = 1; /* the first read races a change */
	fk.gets = 0;
	virtio_cread(&fk.vdev, struct { u32 a; u32 b; }, b, &v);
	ck_assert_uint_eq(fk.gets, 2);
	ck_assert_uint_eq(v, 0x11223344 ^ 0xff);
	/* a generation that never settles is bounded */
	fk.gen_bumps = 1000;
	fk.gets = 0;
	(void)virtio_cread64(&fk.vdev, 8);
	ck_assert_uint_eq(fk.gets, VIRTIO_CREAD_MAX_TRIES);
	fk.gen_bumps = 0;
	ck_assert_uint_eq(virtio_cread8(&fk.vdev, 8), fk.cfg[8]);
	ck_assert_int_eq(virtio_cread_feature(&fk.vdev, 3, struct { u32 a; }, a, &v), -ENOENT);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(config_changed_dispatch_and_needs_reset)
{
	struct virtqueue *vq;

	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	vq = vring_create_virtqueue(0, 4, 4096, &fk.vdev, true, false, false, NULL, NULL, "q");
	ck_assert_ptr_nonnull(vq);
	virtio_config_changed(&fk.vdev);
	ck_assert_uint_eq(fk.config_changes, 1);
	ck_assert(!virtqueue_is_broken(vq));
	fk.status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
	virtio_config_changed(&fk.vdev);
	ck_assert_uint_eq(fk.config_changes, 2);
	ck_assert(virtqueue_is_broken(vq));
	vring_del_virtqueue(vq);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(fault_driver_ok_early)
{
	vs_faults_set(&faults, VS_FAULT_DRV_DRIVER_OK_EARLY, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_writes(0, 0x1, 0x3, 0x7, 0xf, 0xf);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(fault_clear_status_bit)
{
	vs_faults_set(&faults, VS_FAULT_DRV_CLEAR_STATUS_BIT, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	ck_assert_writes(0, 0x1, 0x2, 0xa, 0xe);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

START_TEST(fault_unoffered_feature)
{
	vs_faults_set(&faults, VS_FAULT_DRV_UNOFFERED_FEATURE, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(register_virtio_device(&fk.vdev), 0);
	/* device offers 0, 1, 5: bit 2 is the lowest it did not */
	ck_assert_uint_eq(fk.written_features,
			  BIT_ULL(0) | BIT_ULL(2) | BIT_ULL(5) | RING_BITS);
	unregister_virtio_device(&fk.vdev);
}
END_TEST

/* ======== a virtio-mmio rng bank, for the whole guest stack ======== */

#define BANK 0x10000000ull

static struct bank {
	u32 magic, version, device_id, num_max;
	u64 features, drv_features;
	u32 dfsel, drvfsel, qsel, qnum, ready, status, isr;
	u64 desc, avail, used;
	bool refuse_features_ok, reset_stuck, silent, reply_zero;
	u32 reply_len; /* 0: fill the whole buffer */
	unsigned int line, reads;
	unsigned int early_kicks; /* QUEUE_NOTIFY before DRIVER_OK */
	u16 last_avail, used_idx;
	u8 pattern;
	struct vs_work work;
} bk;

static void bank_reset(void)
{
	bk.status = bk.isr = bk.ready = 0;
	bk.last_avail = bk.used_idx = 0;
	bk.desc = bk.avail = bk.used = 0;
	vs_loop_cancel(loop, &bk.work);
}

/* Deferred device work: fill every new buffer, push it, interrupt. */
static void bank_process(void *opaque)
{
	u8 b[16], fill[4096];
	u16 idx, head;
	bool any = false;

	(void)opaque;
	if (!(bk.status & VIRTIO_CONFIG_S_DRIVER_OK) || !bk.ready || bk.silent)
		return;
	ck_assert_int_eq(vs_arena_read(arena, VS_SIDE_DEVICE, bk.avail + VS_AVAIL_IDX, b, 2), 0);
	idx = vs_le16(b);
	while (bk.last_avail != idx) {
		u32 len, n;
		u64 addr;

		vs_arena_read(arena, VS_SIDE_DEVICE, bk.avail + VS_AVAIL_RING(bk.last_avail % bk.qnum),
			      b, 2);
		head = vs_le16(b);
		vs_arena_read(arena, VS_SIDE_DEVICE, bk.desc + 16 * head, b, 16);
		addr = vs_le64(b);
		len = vs_le32(b + 8);
		ck_assert_uint_eq(vs_le16(b + 12), VRING_DESC_F_WRITE);
		ck_assert_uint_le(len, sizeof(fill));
		for (n = 0; n < len; n++)
			fill[n] = (u8)(bk.pattern + n);
		vs_arena_write(arena, VS_SIDE_DEVICE, addr, fill, len);
		vs_put_le32(b, head);
		vs_put_le32(b + 4, bk.reply_zero ? 0 : bk.reply_len ? bk.reply_len : len);
		vs_arena_write(arena, VS_SIDE_DEVICE, bk.used + VS_USED_RING(bk.used_idx % bk.qnum), b, 8);
		bk.used_idx++;
		vs_put_le16(b, bk.used_idx);
		vs_arena_write(arena, VS_SIDE_DEVICE, bk.used + VS_USED_IDX, b, 2);
		bk.last_avail++;
		any = true;
	}
	if (any) {
		bk.isr |= VIRTIO_MMIO_INT_VRING;
		vs_irq_raise(irqc, bk.line);
	}
}

static int bank_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	(void)opaque;
	bk.reads++;
	ck_assert_uint_eq(width, 4);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: *val = bk.magic; break;
	case VIRTIO_MMIO_VERSION: *val = bk.version; break;
	case VIRTIO_MMIO_DEVICE_ID: *val = bk.device_id; break;
	case VIRTIO_MMIO_VENDOR_ID: *val = VS_VIRTIO_VENDOR_ID; break;
	case VIRTIO_MMIO_DEVICE_FEATURES: *val = (u32)(bk.features >> (32 * bk.dfsel)); break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: *val = bk.qsel == 0 ? bk.num_max : 0; break;
	case VIRTIO_MMIO_QUEUE_READY: *val = bk.ready; break;
	case VIRTIO_MMIO_INTERRUPT_STATUS: *val = bk.isr; break;
	case VIRTIO_MMIO_STATUS: *val = bk.status; break;
	case VIRTIO_MMIO_CONFIG_GENERATION: *val = 0; break;
	default: *val = 0;
	}
	return 0;
}

static void set_half(u64 *r, unsigned int high, u64 v)
{
	*r = high ? (*r & 0xffffffffull) | (v << 32) : (*r & ~0xffffffffull) | v;
}

static int bank_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	(void)opaque;
	ck_assert_uint_eq(width, 4);
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: bk.dfsel = val & 1; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: bk.drvfsel = val & 1; break;
	case VIRTIO_MMIO_DRIVER_FEATURES: set_half(&bk.drv_features, bk.drvfsel, val); break;
	case VIRTIO_MMIO_QUEUE_SEL: bk.qsel = (u32)val; break;
	case VIRTIO_MMIO_QUEUE_NUM: bk.qnum = (u32)val; break;
	case VIRTIO_MMIO_QUEUE_READY: bk.ready = (u32)val; break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: set_half(&bk.desc, 0, val); break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_half(&bk.desc, 1, val); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: set_half(&bk.avail, 0, val); break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_half(&bk.avail, 1, val); break;
	case VIRTIO_MMIO_QUEUE_USED_LOW: set_half(&bk.used, 0, val); break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: set_half(&bk.used, 1, val); break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (!(bk.status & VIRTIO_CONFIG_S_DRIVER_OK))
			bk.early_kicks++;
		vs_loop_defer(loop, &bk.work);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK: bk.isr &= ~(u32)val; break;
	case VIRTIO_MMIO_STATUS:
		if (val == 0) {
			if (!bk.reset_stuck)
				bank_reset();
		} else {
			bk.status = (u32)val;
			if (bk.refuse_features_ok)
				bk.status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		}
		break;
	}
	return 0;
}

static const struct vs_bus_region_ops bank_ops = { bank_read, bank_write };
static u64 arena_before;

static void mmio_setup(void)
{
	struct vs_guest_env env;

	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irqc), 0);
	vs_faults_init(&faults, 5);
	memset(&bk, 0, sizeof(bk));
	bk.magic = VS_MMIO_MAGIC;
	bk.version = 2;
	bk.device_id = VIRTIO_ID_RNG;
	bk.num_max = 1024;
	bk.features = BIT_ULL(VIRTIO_F_VERSION_1);
	bk.pattern = 0x40;
	vs_work_init(&bk.work, bank_process, NULL);
	ck_assert_int_eq(vs_irq_alloc_line(irqc, &bk.line), 0);
	ck_assert_int_eq(vs_bus_map(bus, BANK, VS_MMIO_BANK_SIZE, "bank", &bank_ops, NULL), 0);
	arena_before = vs_arena_allocated(arena);
	env = (struct vs_guest_env){ arena, bus, irqc, loop, &faults };
	ck_assert_int_eq(vs_guest_init(&env), 0);
	vs_guest_timeout_ns = 1000000000ull;
}

static void mmio_teardown(void)
{
	vs_guest_fini();
	ck_assert_uint_eq(vs_arena_allocated(arena), arena_before);
	vs_irq_destroy(irqc);
	vs_bus_destroy(bus);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

static int add_bank(void)
{
	int h = -1;

	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), 0);
	return h;
}

START_TEST(rng_read_gets_device_bytes)
{
	u8 buf[32];
	int h = add_bank(), i;

	ck_assert_uint_eq(bk.status, 0xf);
	ck_assert_uint_eq(bk.drv_features, BIT_ULL(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(bk.qnum, 256); /* min(1024, 256) */
	ck_assert_uint_eq(bk.ready, 1);
	ck_assert_uint_eq(bk.desc % 4096, 0);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), 32);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(buf[i], (u8)(0x40 + i));
	ck_assert_uint_eq(bk.isr, 0); /* acked */
	ck_assert_uint_eq(bk.early_kicks, 0);
	bk.reply_len = 5; /* the device may use less than the buffer */
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), 5);
	ck_assert_int_eq(vs_guest_remove(h), 0);
	ck_assert_uint_eq(bk.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_uint_eq(bk.ready, 0);
	ck_assert_int_eq(vs_guest_remove(h), -ENOENT);
}
END_TEST

START_TEST(rng_bad_lengths_are_eio)
{
	u8 buf[16];
	int h = add_bank();

	bk.reply_zero = true; /* no random bytes at all: spec drv.entropy.device-operation.2 */
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), -EIO);
	bk.reply_zero = false;
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), 16); /* the queue is fine */
	bk.reply_len = 0xffff; /* beyond the 16 writable bytes: broken ring */
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), -EIO);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), -EIO);
	/* a reset brings it back */
	bk.reply_len = 0;
	ck_assert_int_eq(vs_guest_reset(h), 0);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), 16);
}
END_TEST

START_TEST(rng_timeout_then_collect)
{
	u8 buf[8];
	int h = add_bank();
	u64 t0 = vs_loop_now(loop);

	bk.silent = true;
	vs_guest_timeout_ns = 250000000ull;
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop) - t0, 250000000ull);
	/* the request stayed queued: the device answers it later */
	bk.silent = false;
	vs_loop_defer(loop, &bk.work);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 4, 1), 4);
	ck_assert_uint_eq(buf[3], 0x43);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 8, 0), 4); /* the rest, at once */
	ck_assert_uint_eq(buf[0], 0x44);
	ck_assert_uint_eq(bk.last_avail, 1);
}
END_TEST

START_TEST(rng_nowait_then_reset_or_remove)
{
	u8 buf[8];
	int h = add_bank();

	bk.silent = true;
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 0), 0); /* still one request */
	ck_assert_int_eq(vs_guest_reset(h), 0); /* outstanding request failed and freed */
	ck_assert_uint_eq(bk.status, 0xf);
	ck_assert_uint_eq(bk.ready, 1);
	bk.silent = false;
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 1), 8);
	bk.silent = true;
	ck_assert_int_eq(vs_guest_rng_read(h, buf, sizeof(buf), 0), 0);
	/* teardown removes it with the request outstanding: no leak */
}
END_TEST

START_TEST(mmio_probe_rejections)
{
	int h = 99;

	bk.magic = 0x12345678;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ENODEV);
	bk.magic = VS_MMIO_MAGIC;
	bk.version = 3; /* neither 2 nor the legacy 1 */
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ENODEV);
	/* device id 0: magic, version, id and no other register */
	bk.version = 2;
	bk.device_id = 0;
	bk.reads = 0;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ENODEV);
	ck_assert_uint_eq(bk.reads, 3);
	ck_assert_int_eq(h, 99);
	/* a device without VERSION_1 on a version 2 bank */
	bk.device_id = VIRTIO_ID_RNG;
	bk.features = 0;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -EINVAL);
	ck_assert_uint_eq(bk.status & VIRTIO_CONFIG_S_FAILED, VIRTIO_CONFIG_S_FAILED);
	bk.features = BIT_ULL(VIRTIO_F_VERSION_1);
	bk.num_max = 0;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ENOENT);
	bk.num_max = 8;
	bk.refuse_features_ok = true;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ENODEV);
	ck_assert_uint_eq(bk.status, 0x83);
	ck_assert_int_eq(h, 99);
	ck_assert_uint_eq(vs_arena_allocated(arena), arena_before);
}
END_TEST

START_TEST(mmio_reset_never_completes)
{
	int h = 99;
	u64 t0 = vs_loop_now(loop);

	bk.status = 0x4;
	bk.reset_stuck = true;
	ck_assert_int_eq(vs_guest_mmio_add(BANK, VS_MMIO_BANK_SIZE, bk.line, &h), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop) - t0, 100 * 1000000ull);
	ck_assert_uint_eq(vs_arena_allocated(arena), arena_before);
	bk.reset_stuck = false;
}
END_TEST

START_TEST(mmio_unknown_device_and_small_queue)
{
	u8 buf[4];
	int h;

	bk.device_id = VIRTIO_ID_GPU; /* no driver: registered, unbound */
	h = add_bank();
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 4, 1), -ENODEV);
	ck_assert_int_eq(vs_guest_reset(h), -ENODEV);
	ck_assert_uint_eq(bk.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ck_assert_int_eq(vs_guest_remove(h), 0);
	bk.device_id = VIRTIO_ID_RNG;
	bk.num_max = 100; /* not a power of 2: 64 */
	h = add_bank();
	ck_assert_uint_eq(bk.qnum, 64);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 4, 1), 4);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 0, 1), -EINVAL);
	ck_assert_int_eq(vs_guest_rng_read(77, buf, 4, 1), -ENOENT);
}
END_TEST

static void needs_reset_now(void *opaque)
{
	(void)opaque;
	bk.status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
	bk.isr |= VIRTIO_MMIO_INT_CONFIG;
	vs_irq_raise(irqc, bk.line);
}

START_TEST(mmio_needs_reset_fails_reader)
{
	struct vs_timer t;
	u8 buf[4];
	int h = add_bank();

	bk.silent = true;
	vs_timer_init(&t, needs_reset_now, NULL);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t, 5000000), 0);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 4, 1), -EIO);
	ck_assert_uint_eq(vs_loop_now(loop), 5000000); /* at once, not after the timeout */
	bk.silent = false;
	ck_assert_int_eq(vs_guest_reset(h), 0);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 4, 1), 4);
}
END_TEST

START_TEST(mmio_kick_early_fault)
{
	u8 buf[64];
	int h;

	vs_faults_set(&faults, VS_FAULT_DRV_KICK_EARLY, VS_FAULT_COUNTED, 1, 0, 0);
	h = add_bank();
	/* one 64-byte request, kicked before DRIVER_OK */
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_KICK_EARLY].fired, 1);
	ck_assert_uint_eq(bk.early_kicks, 1);
	ck_assert_int_eq(vs_guest_rng_read(h, buf, 64, 1), 64);
}
END_TEST

START_TEST(guest_init_twice_and_capacity)
{
	struct vs_guest_env env = { arena, bus, irqc, loop, NULL };
	int h;

	ck_assert_int_eq(vs_guest_init(&env), -EBUSY);
	ck_assert_int_eq(vs_guest_mmio_add(BANK, 0, bk.line, &h), -EINVAL);
}
END_TEST

static Suite *virtio_core_suite(void)
{
	Suite *s = suite_create("virtio_core");
	TCase *tc;

	tc = tcase_create("Probe");
	tcase_add_checked_fixture(tc, core_setup, core_teardown);
	tcase_add_test(tc, probe_status_sequence);
	tcase_add_test(tc, core_sets_driver_ok_after_probe);
	tcase_add_test(tc, features_ok_refused);
	tcase_add_test(tc, probe_error_sets_failed);
	tcase_add_test(tc, reset_failure_stops_registration);
	tcase_add_test(tc, id_matching);
	tcase_add_test(tc, freeze_restore_sequence);
	suite_add_tcase(s, tc);

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, core_setup, core_teardown);
	tcase_add_test(tc, config_read_in_one_generation);
	tcase_add_test(tc, config_changed_dispatch_and_needs_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, core_setup, core_teardown);
	tcase_add_test(tc, fault_driver_ok_early);
	tcase_add_test(tc, fault_clear_status_bit);
	tcase_add_test(tc, fault_unoffered_feature);
	suite_add_tcase(s, tc);

	tc = tcase_create("Mmio");
	tcase_add_checked_fixture(tc, mmio_setup, mmio_teardown);
	tcase_add_test(tc, rng_read_gets_device_bytes);
	tcase_add_test(tc, rng_bad_lengths_are_eio);
	tcase_add_test(tc, rng_timeout_then_collect);
	tcase_add_test(tc, rng_nowait_then_reset_or_remove);
	tcase_add_test(tc, mmio_probe_rejections);
	tcase_add_test(tc, mmio_reset_never_completes);
	tcase_add_test(tc, mmio_unknown_device_and_small_queue);
	tcase_add_test(tc, mmio_needs_reset_fails_reader);
	tcase_add_test(tc, mmio_kick_early_fault);
	tcase_add_test(tc, guest_init_twice_and_capacity);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtio_core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
