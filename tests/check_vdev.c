/*
 * check_vdev.c - the vdev core (devices/vdev.c, registry.c) and the rng
 * model (devices/rng.c).
 *
 * Besides the registered "rng", a test model defined here (config space,
 * two queues, a feature dependency, counters for its hooks) goes through
 * vs__vdev_create.  A fake transport counts the notifications the vdev asks
 * for.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/prng.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"

#define ARENA_SIZE (1024u * 1024u)
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x10000u

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static struct vs_vdev_env env;
static unsigned vring_irqs, config_irqs;

/* ---- The test model ---- */

static unsigned handled[2], resets, cfg_writes;
static uint32_t cfg_write_off, cfg_write_len;
static uint8_t cfg_write_data[8];

static int tm_init(struct vs_vdev *v)
{
	memcpy(v->config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	return 0;
}

static void tm_reset(struct vs_vdev *v)
{
	(void)v;
	resets++;
}

static void tm_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	(void)v;
	handled[vq->index]++;
}

/* Feature 3 needs feature 4 (spec dev.basic.feature-bits.1 style dependency). */
static int tm_validate(struct vs_vdev *v, uint64_t f)
{
	(void)v;
	return (f & VS_BIT(3)) && !(f & VS_BIT(4)) ? -EINVAL : 0;
}

static void tm_config_write(struct vs_vdev *v, uint32_t off, const void *buf, uint32_t len)
{
	(void)v;
	cfg_writes++;
	cfg_write_off = off;
	cfg_write_len = len;
	memcpy(cfg_write_data, buf, len < 8 ? len : 8);
}

static const struct vs_device_model test_model = {
	.name = "test",
	.device_id = 42,
	.features = VS_BIT(0) | VS_BIT(3) | VS_BIT(4),
	.num_queues = 2,
	.queue_size_max = 16,
	.config_size = 8,
	.init = tm_init,
	.reset = tm_reset,
	.handle_queue = tm_handle,
	.validate_features = tm_validate,
	.config_write = tm_config_write,
};

/* ---- Fixture and helpers ---- */

static void fake_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	(void)q;
	if (kind == VS_VDEV_IRQ_CONFIG)
		config_irqs++;
	else
		vring_irqs++;
}

static const struct vs_vdev_transport_ops fake_ops = { .interrupt = fake_interrupt };

static void setup(void)
{
	vs_log_set_level(VS_LOG_ERROR);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 3);
	env.arena = arena;
	env.loop = loop;
	env.faults = &faults;
	env.seed = 1234;
	vdev = NULL;
	vring_irqs = config_irqs = 0;
	handled[0] = handled[1] = resets = cfg_writes = 0;
}

static void teardown(void)
{
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

static void make_test_dev(void)
{
	ck_assert_int_eq(vs__vdev_create(&test_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
}

static void accept_features(uint64_t f)
{
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 0, (uint32_t)f), 0);
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(f >> 32)), 0);
}

static void setup_queue(unsigned q, uint32_t num)
{
	uint64_t off = 0x4000u * q;

	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, q, num), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DESC, DESC_GPA + off), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DRIVER, AVAIL_GPA + off), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DEVICE, USED_GPA + off), 0);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, q, 1), 0);
}

/* Negotiate VERSION_1, set up every queue, set DRIVER_OK. */
static void go_live(void)
{
	unsigned q;

	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(VIRTIO_F_VERSION_1));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK);
	for (q = 0; q < vs_vdev_num_queues(vdev); q++)
		setup_queue(q, vs_vdev_queue_num_max(vdev, q));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK | S_DOK);
}

static uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* ---- Create ---- */

START_TEST(types_list)
{
	const char *const *t = vs_device_types();

	ck_assert_str_eq(t[0], "rng");
	ck_assert_str_eq(t[1], "console");
	ck_assert_str_eq(t[2], "blk");
	ck_assert_str_eq(t[3], "net");
	ck_assert_ptr_null(t[4]);
}
END_TEST

START_TEST(create_errors)
{
	struct vs_device_params p = { 0 };

	ck_assert_int_eq(vs_device_create("nosuch", NULL, &env, &vdev), -ENOENT);
	ck_assert_int_eq(vs_device_create("rng", NULL, NULL, &vdev), -EINVAL);
	p.queue_size_max = 3;
	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), -EINVAL);
	p.queue_size_max = 65536;
	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), -EINVAL);
	ck_assert_ptr_null(vdev);
	vs_vdev_destroy(NULL);
}
END_TEST

START_TEST(create_rng_defaults)
{
	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &vdev), 0);
	ck_assert_uint_eq(vs_vdev_device_id(vdev), VIRTIO_ID_RNG);
	ck_assert_str_eq(vs_vdev_type(vdev), "rng");
	ck_assert_str_eq(vs_vdev_label(vdev), "rng");
	ck_assert_uint_eq(vs_vdev_features(vdev), VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vs_vdev_device_features_word(vdev, 0), 0);
	ck_assert_uint_eq(vs_vdev_device_features_word(vdev, 1), 1);
	ck_assert_uint_eq(vs_vdev_device_features_word(vdev, 2), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(vdev), 1);
	ck_assert_uint_eq(vs_vdev_queue_num_max(vdev, 0), 256);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), 256);
	ck_assert_uint_eq(vs_vdev_queue_num_max(vdev, 1), 0);
	ck_assert_uint_eq(vs_vdev_config_size(vdev), 0);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 0);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 0);
	vs_vdev_set_label(vdev, "rng-with-a-label-much-longer-than-the-buffer");
	ck_assert_uint_eq(strlen(vs_vdev_label(vdev)), 31);
}
END_TEST

START_TEST(create_with_params)
{
	struct vs_device_params p = {
		.features_add = VS_BIT(VIRTIO_F_EVENT_IDX) | VS_BIT(VIRTIO_F_INDIRECT_DESC),
		.features_remove = VS_BIT(VIRTIO_F_INDIRECT_DESC),
		.queue_size_max = 64,
	};

	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), 0);
	ck_assert_uint_eq(vs_vdev_features(vdev),
			  VS_BIT(VIRTIO_F_VERSION_1) | VS_BIT(VIRTIO_F_EVENT_IDX));
	ck_assert_uint_eq(vs_vdev_queue_num_max(vdev, 0), 64);
}
END_TEST

START_TEST(bind_twice_refused)
{
	make_test_dev();
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), -EBUSY);
	vs_vdev_unbind(vdev);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
}
END_TEST

/* ---- Status and features ---- */

START_TEST(status_bits_stored)
{
	make_test_dev();
	vs_vdev_set_status(vdev, S_ACK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK);
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV);
	vs_vdev_set_status(vdev, S_ACK | S_DRV | VIRTIO_CONFIG_S_FAILED);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | VIRTIO_CONFIG_S_FAILED);
}
END_TEST

START_TEST(features_ok_accepted)
{
	make_test_dev();
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(VIRTIO_F_VERSION_1) | VS_BIT(0) | VS_BIT(3) | VS_BIT(4));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev),
			  VS_BIT(VIRTIO_F_VERSION_1) | VS_BIT(0) | VS_BIT(3) | VS_BIT(4));
	ck_assert_int_eq(vs_vdev_has_feature(vdev, 3), 1);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, 1), 0);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, 200), 0);
	/* Final after FEATURES_OK. */
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 0, 0), -EBUSY);
	ck_assert_uint_eq(vs_vdev_driver_features_word(vdev, 0), 0x19);
}
END_TEST

/* Accepted sets that must make FEATURES_OK fail, on the test model. */
static const struct {
	uint32_t sel;
	uint32_t word;
} refused_sets[] = {
	{ 1, 0 },            /* no VERSION_1 on a modern transport */
	{ 0, 1u << 1 },      /* bit 1 was never offered */
	{ 0, 1u << 3 },      /* 3 without 4: the model's own check */
	{ 2, 1 },            /* bit 64: beyond what the device offers */
	{ 3, 0x80000000u },  /* bit 127 */
	{ 7, 1 },            /* bit 224 */
};

START_TEST(features_ok_refused)
{
	make_test_dev();
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, refused_sets[_i].sel,
							  refused_sets[_i].word), 0);
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	/* spec dev.basic.feature-bits.2: FEATURES_OK does not stick. */
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV);
	/* Not final: the driver may still write features. */
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 0, 0), 0);
}
END_TEST

START_TEST(legacy_binding_needs_no_version_1)
{
	ck_assert_int_eq(vs__vdev_create(&test_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, VS_VDEV_BIND_LEGACY), 0);
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(0));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK);
}
END_TEST

START_TEST(needs_reset_is_the_devices_bit)
{
	make_test_dev();
	/* The driver cannot set it... */
	vs_vdev_set_status(vdev, S_ACK | S_NR);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK);
	/* ...no notification before DRIVER_OK... */
	vs__vdev_set_needs_reset(vdev);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_NR);
	ck_assert_uint_eq(config_irqs, 0);
	/* ...nor clear it. */
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_NR);
	vs_vdev_reset(vdev);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
}
END_TEST

START_TEST(needs_reset_notifies_when_live)
{
	make_test_dev();
	go_live();
	vs__vdev_set_needs_reset(vdev);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK | S_DOK | S_NR);
	/* spec dev.basic.device-status-field.3 */
	ck_assert_uint_eq(config_irqs, 1);
	vs__vdev_set_needs_reset(vdev);
	ck_assert_uint_eq(config_irqs, 1);
	/* And the device stops: a kick runs nothing. */
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[0], 0);
}
END_TEST

/* ---- Reset ---- */

START_TEST(reset_clears_everything)
{
	struct vs_vq *vq;

	make_test_dev();
	go_live();
	vq = vs_vdev_queue(vdev, 1);
	vq->last_avail_idx = 5;
	vq->used_idx = 3;
	vs__vq_inflight_set(vq, 2, 1);
	vs_vdev_set_status(vdev, 0);

	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev), 0);
	ck_assert_uint_eq(resets, 1);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 1), 0);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 1), 16);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 1, VS_VQ_AREA_DESC), 0);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 1, VS_VQ_AREA_DRIVER), 0);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 1, VS_VQ_AREA_DEVICE), 0);
	ck_assert_uint_eq(vq->last_avail_idx, 0);
	ck_assert_uint_eq(vq->used_idx, 0);
	ck_assert_int_eq(vs__vq_inflight_test(vq, 2), 0);
	/* Features are writable again. */
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 0, 1), 0);
}
END_TEST

START_TEST(reset_drops_pending_work)
{
	make_test_dev();
	go_live();
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	handled[0] = handled[1] = 0;
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_vdev_kick(vdev, 1), 0);
	vs_vdev_set_status(vdev, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[0], 0);
	ck_assert_uint_eq(handled[1], 0);
}
END_TEST

START_TEST(queue_reset_one_queue)
{
	make_test_dev();
	go_live();
	vs_vdev_queue(vdev, 0)->last_avail_idx = 4;
	ck_assert_int_eq(vs_vdev_queue_reset(vdev, 0), 0);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 0);
	ck_assert_uint_eq(vs_vdev_queue(vdev, 0)->last_avail_idx, 0);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 1), 1);
	ck_assert_int_eq(vs_vdev_queue_reset(vdev, 2), -EINVAL);
}
END_TEST

/* ---- Queues and kicks ---- */

START_TEST(kick_defers_work)
{
	make_test_dev();
	go_live();
	/* Going live schedules the ready queues once. */
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[0], 1);
	ck_assert_uint_eq(handled[1], 1);

	ck_assert_int_eq(vs_vdev_kick(vdev, 1), 0);
	ck_assert_int_eq(vs_vdev_kick(vdev, 1), 0);
	ck_assert_uint_eq(handled[1], 1); /* not inside the kick */
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[1], 2); /* two kicks, one run */
	ck_assert_uint_eq(handled[0], 1);
	ck_assert_int_eq(vs_vdev_kick(vdev, 2), -EINVAL);
}
END_TEST

START_TEST(kick_before_driver_ok_waits)
{
	make_test_dev();
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(VIRTIO_F_VERSION_1));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	setup_queue(0, 16);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_vdev_kick(vdev, 1), 0); /* queue 1 not ready */
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[0], 0);
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(handled[0], 1);
	ck_assert_uint_eq(handled[1], 0);
}
END_TEST

START_TEST(queue_setup_rules)
{
	make_test_dev();
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, 2, 8), -EINVAL);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 2, VS_VQ_AREA_DESC, 0), -EINVAL);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 2, 1), -EINVAL);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 2), 0);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 2, VS_VQ_AREA_DESC), 0);
	ck_assert_ptr_null(vs_vdev_queue(vdev, 2));

	setup_queue(0, 8);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), 8);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER), AVAIL_GPA);
	/* Not while ready. */
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, 0, 4), -EBUSY);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DESC, 0x8000), -EBUSY);
	ck_assert_uint_eq(vs_vdev_queue_num(vdev, 0), 8);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), DESC_GPA);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 0, 0), 0);
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, 0, 4), 0);
	ck_assert_int_eq(vs_vdev_queue(vdev, 0)->broken, 0);
}
END_TEST

static const uint32_t bad_sizes[] = { 0, 12, 32 };

START_TEST(bad_queue_size_breaks_at_ready)
{
	make_test_dev();
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_DOK);
	setup_queue(1, bad_sizes[_i]);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 1), 1);
	ck_assert_int_eq(vs_vdev_queue(vdev, 1)->broken, 1);
	ck_assert_uint_eq(vs_vdev_status(vdev) & S_NR, S_NR);
	ck_assert_uint_eq(config_irqs, 1);
}
END_TEST

/* ---- Config space ---- */

START_TEST(config_read_write)
{
	uint8_t b[8];

	make_test_dev();
	ck_assert_uint_eq(vs_vdev_config_size(vdev), 8);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 2, b, 4), 0);
	ck_assert_mem_eq(b, "\x33\x44\x55\x66", 4);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 6, b, 4), -ERANGE);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0xffffffffu, b, 2), -ERANGE);
	ck_assert_int_eq(vs_vdev_config_write(vdev, 4, "\xaa\xbb", 2), 0);
	ck_assert_uint_eq(cfg_writes, 1);
	ck_assert_uint_eq(cfg_write_off, 4);
	ck_assert_uint_eq(cfg_write_len, 2);
	ck_assert_mem_eq(cfg_write_data, "\xaa\xbb", 2);
	ck_assert_int_eq(vs_vdev_config_write(vdev, 7, "\xaa\xbb", 2), -ERANGE);
	ck_assert_uint_eq(cfg_writes, 1);
	/* The model decides: the driver's write changed nothing by itself. */
	ck_assert_int_eq(vs_vdev_config_read(vdev, 4, b, 2), 0);
	ck_assert_mem_eq(b, "\x55\x66", 2);
}
END_TEST

START_TEST(config_change_bumps_generation)
{
	uint8_t b[8];

	make_test_dev();
	ck_assert_int_eq(vs_vdev_config_change(vdev, 6, "\x01\x02", 2), 0);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 1);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0, b, 8), 0);
	ck_assert_mem_eq(b, "\x11\x22\x33\x44\x55\x66\x01\x02", 8);
	ck_assert_uint_eq(config_irqs, 0); /* not live yet */
	go_live();
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\x09", 1), 0);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 2);
	ck_assert_uint_eq(config_irqs, 1);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 7, "\x01\x02", 2), -ERANGE);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 2);
	ck_assert_uint_eq(config_irqs, 1);
}
END_TEST

START_TEST(rng_has_no_config)
{
	uint8_t b = 0;

	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 0, &b, 1), -ERANGE);
	ck_assert_int_eq(vs_vdev_config_write(vdev, 0, &b, 1), -ERANGE);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, &b, 1), -ERANGE);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, NULL, 0), 0);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 1);
}
END_TEST

/* ---- Faults ---- */

START_TEST(fault_features_ok_refuse)
{
	make_test_dev();
	vs_faults_set(&faults, VS_FAULT_DEV_FEATURES_OK_REFUSE, VS_FAULT_COUNTED, 1, 0, 0);
	vs_vdev_set_status(vdev, S_ACK | S_DRV);
	accept_features(VS_BIT(VIRTIO_F_VERSION_1));
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_FEATURES_OK_REFUSE].fired, 1);
	vs_vdev_set_status(vdev, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK);
}
END_TEST

START_TEST(fault_reset_incomplete)
{
	make_test_dev();
	go_live();
	vs_faults_set(&faults, VS_FAULT_DEV_RESET_INCOMPLETE, VS_FAULT_COUNTED, 2, 0, 0);
	vs_vdev_set_status(vdev, 0);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev), 0);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
	/* From status 0 the stale read shows ACKNOWLEDGE. */
	vs_vdev_set_status(vdev, 0);
	ck_assert_uint_eq(vs_vdev_status(vdev), S_ACK);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
	/* Fault used up: resets read 0 at once. */
	vs_vdev_set_status(vdev, S_ACK);
	vs_vdev_set_status(vdev, 0);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
}
END_TEST

START_TEST(fault_config_no_generation)
{
	uint8_t b;

	make_test_dev();
	go_live();
	vs_faults_set(&faults, VS_FAULT_DEV_CONFIG_NO_GENERATION, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 1, "\x5a", 1), 0);
	ck_assert_uint_eq(vs_vdev_config_generation(vdev), 0);
	ck_assert_int_eq(vs_vdev_config_read(vdev, 1, &b, 1), 0);
	ck_assert_uint_eq(b, 0x5a);
	ck_assert_uint_eq(config_irqs, 1);
}
END_TEST

START_TEST(fault_interrupts)
{
	make_test_dev();
	vs_faults_set(&faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_COUNTED, 1, 0, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 1);
	vs_faults_set(&faults, VS_FAULT_DEV_SPURIOUS_INTERRUPT, VS_FAULT_COUNTED, 1, 0, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 3);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 4);
}
END_TEST

START_TEST(fault_interrupt_storm)
{
	make_test_dev();
	vs_faults_set(&faults, VS_FAULT_DEV_INTERRUPT_STORM, VS_FAULT_COUNTED, 1, 0, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 1 + 64);
	ck_assert_uint_eq(config_irqs, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 1 + 64 + 1);
	/* a dropped notification is not stormed after */
	vs_faults_set(&faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_COUNTED, 1, 0, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_INTERRUPT_STORM, VS_FAULT_COUNTED, 1, 0, 0);
	vs__vdev_vring_interrupt(vdev, 0);
	ck_assert_uint_eq(vring_irqs, 66);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_INTERRUPT_STORM].fired, 1);
}
END_TEST

/* ---- The rng model ---- */

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = gp(DESC_GPA + 16u * i, 16);

	vs_put_le64(d, addr);
	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, flags);
	vs_put_le16(d + 14, next);
}

static void avail_publish(uint16_t idx, uint16_t head, uint32_t num)
{
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_RING((uint16_t)(idx - 1) % num), 2), head);
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_IDX, 2), idx);
}

static void used_elem(unsigned slot, uint32_t *id, uint32_t *len)
{
	const uint8_t *e = gp(USED_GPA + VS_USED_RING(slot), 8);

	*id = vs_le32(e);
	*len = vs_le32(e + 4);
}

static void make_live_rng(uint32_t qmax)
{
	struct vs_device_params p = { .queue_size_max = qmax };

	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), 0);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
	go_live();
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}

START_TEST(rng_fills_writable_bytes)
{
	struct vs_prng ref;
	uint8_t want[300];
	uint32_t id, len;

	make_live_rng(8);
	put_desc(2, BUF_GPA, 100, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 5);
	put_desc(5, BUF_GPA + 0x1000, 200, VRING_DESC_F_WRITE, 0);
	avail_publish(1, 2, 8);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);

	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 300);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_IDX, 2)), 1);
	ck_assert_uint_eq(vring_irqs, 1);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 1);
	/* The bytes are the "rng" stream of the machine seed, 256 at a time. */
	vs_prng_seed_stream(&ref, env.seed, "rng");
	vs_prng_fill(&ref, want, 256);
	vs_prng_fill(&ref, want + 256, 44);
	ck_assert_mem_eq(gp(BUF_GPA, 100), want, 100);
	ck_assert_mem_eq(gp(BUF_GPA + 0x1000, 200), want + 100, 200);
}
END_TEST

START_TEST(rng_readable_chains_still_complete)
{
	uint32_t id, len;

	make_live_rng(8);
	memset(gp(BUF_GPA, 16), 0xee, 16);
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA + 0x100, 8, VRING_DESC_F_WRITE, 0);
	put_desc(3, BUF_GPA + 0x200, 8, 0, 0);
	avail_publish(1, 0, 8);
	avail_publish(2, 3, 8);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 8);
	used_elem(1, &id, &len);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(len, 0);
	/* Readable bytes untouched. */
	ck_assert_uint_eq(gp(BUF_GPA, 16)[15], 0xee);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 2);
}
END_TEST

START_TEST(rng_same_seed_same_bytes)
{
	uint8_t a[32];

	make_live_rng(8);
	put_desc(0, BUF_GPA, 32, VRING_DESC_F_WRITE, 0);
	avail_publish(1, 0, 8);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	memcpy(a, gp(BUF_GPA, 32), 32);
	vs_vdev_destroy(vdev);
	vdev = NULL;
	memset(gp(BUF_GPA, 32), 0, 32);
	memset(gp(USED_GPA, 64), 0, 64);
	make_live_rng(8);
	avail_publish(1, 0, 8);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_mem_eq(gp(BUF_GPA, 32), a, 32);
}
END_TEST

START_TEST(rng_ring_error_stops_device)
{
	make_live_rng(8);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	avail_publish(1, 0, 8);
	ck_assert_int_eq(vs_vdev_kick(vdev, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(vs_vdev_status(vdev) & S_NR, S_NR);
	ck_assert_uint_eq(config_irqs, 1);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_IDX, 2)), 0);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 0);
}
END_TEST

static Suite *vdev_suite(void)
{
	Suite *s = suite_create("vdev");
	TCase *tc;

	tc = tcase_create("Create");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, types_list);
	tcase_add_test(tc, create_errors);
	tcase_add_test(tc, create_rng_defaults);
	tcase_add_test(tc, create_with_params);
	tcase_add_test(tc, bind_twice_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("Status");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, status_bits_stored);
	tcase_add_test(tc, features_ok_accepted);
	tcase_add_loop_test(tc, features_ok_refused, 0,
			    (int)(sizeof(refused_sets) / sizeof(refused_sets[0])));
	tcase_add_test(tc, legacy_binding_needs_no_version_1);
	tcase_add_test(tc, needs_reset_is_the_devices_bit);
	tcase_add_test(tc, needs_reset_notifies_when_live);
	suite_add_tcase(s, tc);

	tc = tcase_create("Reset");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reset_clears_everything);
	tcase_add_test(tc, reset_drops_pending_work);
	tcase_add_test(tc, queue_reset_one_queue);
	suite_add_tcase(s, tc);

	tc = tcase_create("Queues");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kick_defers_work);
	tcase_add_test(tc, kick_before_driver_ok_waits);
	tcase_add_test(tc, queue_setup_rules);
	tcase_add_loop_test(tc, bad_queue_size_breaks_at_ready, 0,
			    (int)(sizeof(bad_sizes) / sizeof(bad_sizes[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_read_write);
	tcase_add_test(tc, config_change_bumps_generation);
	tcase_add_test(tc, rng_has_no_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_features_ok_refuse);
	tcase_add_test(tc, fault_reset_incomplete);
	tcase_add_test(tc, fault_config_no_generation);
	tcase_add_test(tc, fault_interrupts);
	tcase_add_test(tc, fault_interrupt_storm);
	suite_add_tcase(s, tc);

	tc = tcase_create("Rng");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rng_fills_writable_bytes);
	tcase_add_test(tc, rng_readable_chains_still_complete);
	tcase_add_test(tc, rng_same_seed_same_bytes);
	tcase_add_test(tc, rng_ring_error_stops_device);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vdev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
