/*
 * check_vring_dev.c - the device-side split ring engine (devices/vring*.c).
 *
 * The test plays the driver: it builds descriptor tables and rings by hand
 * in an arena, then calls vs_vq_pop / vs_vq_push directly on the rng
 * device's queue.  A fake transport counts the notifications the device
 * asks for.  The loop is never drained here, so the rng model's own queue
 * handler never runs: only the ring engine is under test.
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
#include "devices/vring.h"
#include "transport/mmio.h"

#define ARENA_SIZE (1024u * 1024u)
#define QSZ 8u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define TABLE_GPA 0x4000u /* indirect tables */
#define BUF_GPA 0x10000u

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static struct vs_vq *vq;
static uint32_t qnum;
static uint16_t avail_shadow;
static unsigned vring_irqs, config_irqs;

static void fake_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	if (kind == VS_VDEV_IRQ_CONFIG)
		config_irqs++;
	else if (q == 0)
		vring_irqs++;
}

static const struct vs_vdev_transport_ops fake_ops = { .interrupt = fake_interrupt };

static uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void setup(void)
{
	vs_log_set_level(VS_LOG_ERROR);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 7);
	vdev = NULL;
	vq = NULL;
	avail_shadow = 0;
	vring_irqs = config_irqs = 0;
}

static void teardown(void)
{
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

/* Create an rng whose queue 0 is live with size num, as a driver would. */
static void setup_dev(uint64_t features_add, uint32_t qmax, uint32_t num, uint64_t accept)
{
	struct vs_vdev_env env = { .arena = arena, .loop = loop, .faults = &faults, .seed = 42 };
	struct vs_device_params p = { .features_add = features_add, .queue_size_max = qmax };

	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), 0);
	ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	accept |= VS_BIT(VIRTIO_F_VERSION_1);
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 0, (uint32_t)accept), 0);
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(accept >> 32)), 0);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_uint_eq(vs_vdev_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK,
			  VIRTIO_CONFIG_S_FEATURES_OK);
	qnum = num;
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, 0, num), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DESC, DESC_GPA), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DRIVER, AVAIL_GPA), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DEVICE, USED_GPA), 0);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 0, 1), 0);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	vq = vs_vdev_queue(vdev, 0);
	ck_assert_ptr_nonnull(vq);
	ck_assert_int_eq(vq->broken, 0);
}

static void put_desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			uint16_t next)
{
	uint8_t *d = gp(table + 16u * i, 16);

	vs_put_le64(d, addr);
	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, flags);
	vs_put_le16(d + 14, next);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put_desc_at(DESC_GPA, i, addr, len, flags, next);
}

static void set_avail_idx(uint16_t idx)
{
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_IDX, 2), idx);
}

static void avail_add(uint16_t head)
{
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_RING(avail_shadow % qnum), 2), head);
	avail_shadow++;
	set_avail_idx(avail_shadow);
}

static uint16_t used_idx(void)
{
	return vs_le16(gp(USED_GPA + VS_USED_IDX, 2));
}

static void used_elem(unsigned slot, uint32_t *id, uint32_t *len)
{
	const uint8_t *e = gp(USED_GPA + VS_USED_RING(slot), 8);

	*id = vs_le32(e);
	*len = vs_le32(e + 4);
}

static void assert_broken(void)
{
	struct vs_vq_elem elem;

	ck_assert_int_eq(vq->broken, 1);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET,
			  VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	/* spec dev.basic.device-status-field.3: config notification follows. */
	ck_assert_uint_eq(config_irqs, 1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
	ck_assert_uint_eq(vq->last_avail_idx, 0);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(vring_irqs, 0);
}

/* ---- Pop: valid chains ---- */

START_TEST(pop_single_writable)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(3, BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	avail_add(3);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 3);
	ck_assert_uint_eq(elem.out_num, 0);
	ck_assert_uint_eq(elem.in_num, 1);
	ck_assert_uint_eq(elem.in[0].gpa, BUF_GPA);
	ck_assert_uint_eq(elem.in[0].len, 64);
	ck_assert_uint_eq(elem.in_len, 64);
	ck_assert_uint_eq(elem.out_len, 0);
	ck_assert_uint_eq(vq->last_avail_idx, 1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
}
END_TEST

START_TEST(pop_mixed_chain)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(5, BUF_GPA, 10, VRING_DESC_F_NEXT, 2);
	put_desc(2, BUF_GPA + 0x100, 20, VRING_DESC_F_NEXT, 7);
	put_desc(7, BUF_GPA + 0x200, 30, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	put_desc(0, BUF_GPA + 0x300, 40, VRING_DESC_F_WRITE, 0);
	avail_add(5);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 5);
	ck_assert_uint_eq(elem.out_num, 2);
	ck_assert_uint_eq(elem.out[0].gpa, BUF_GPA);
	ck_assert_uint_eq(elem.out[1].gpa, BUF_GPA + 0x100);
	ck_assert_uint_eq(elem.out[1].len, 20);
	ck_assert_uint_eq(elem.out_len, 30);
	ck_assert_uint_eq(elem.in_num, 2);
	ck_assert_uint_eq(elem.in[0].gpa, BUF_GPA + 0x200);
	ck_assert_uint_eq(elem.in[1].gpa, BUF_GPA + 0x300);
	ck_assert_uint_eq(elem.in_len, 70);
}
END_TEST

START_TEST(pop_in_ring_order)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(1, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	put_desc(4, BUF_GPA + 8, 8, VRING_DESC_F_WRITE, 0);
	avail_add(4);
	avail_add(1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 4);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
	ck_assert_uint_eq(vq->last_avail_idx, 2);
}
END_TEST

START_TEST(pop_skips_zero_length)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(0, BUF_GPA, 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA + 16, 16, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.in_num, 1);
	ck_assert_uint_eq(elem.in[0].gpa, BUF_GPA + 16);
}
END_TEST

START_TEST(pop_needs_driver_ok_and_ready)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 0, 0), 0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 0, 1), 0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(vq->last_avail_idx, 1);
}
END_TEST

START_TEST(pop_max_iov_chain)
{
	struct vs_vq_elem elem;
	unsigned i;

	setup_dev(0, 128, 128, 0);
	for (i = 0; i < VS_VQ_MAX_IOV; i++)
		put_desc(i, BUF_GPA + i, 1,
			 VRING_DESC_F_WRITE | (i + 1 < VS_VQ_MAX_IOV ? VRING_DESC_F_NEXT : 0),
			 (uint16_t)(i + 1));
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.in_num, VS_VQ_MAX_IOV);
	ck_assert_uint_eq(elem.in_len, VS_VQ_MAX_IOV);
}
END_TEST

/* ---- Pop: every refusal marks the queue broken ---- */

/*
 * A broken ring, as data: descriptors to write (in the ring's table, or
 * with in_table in the indirect table at TABLE_GPA), the head published in
 * avail ring[0] and the avail idx published.
 */
struct bad_desc {
	int in_table;
	uint16_t i;
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct bad_ring {
	const char *what;
	uint16_t head;
	uint16_t avail_idx;
	struct bad_desc d[3];
};

#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT
#define IND VRING_DESC_F_INDIRECT

static const struct bad_ring bad_rings[] = {
	{ "head >= queue size", QSZ, 1, { { 0, 0, BUF_GPA, 16, W, 0 } } },
	{ "next >= queue size", 0, 1, { { 0, 0, BUF_GPA, 16, W | N, QSZ } } },
	{ "loop", 0, 1, { { 0, 0, BUF_GPA, 16, W | N, 1 }, { 0, 1, BUF_GPA, 16, W | N, 0 } } },
	{ "self loop", 2, 1, { { 0, 2, BUF_GPA, 16, N, 2 } } },
	{ "buffer past RAM", 0, 1, { { 0, 0, ARENA_SIZE - 8, 16, W, 0 } } },
	{ "buffer wraps 2^64", 0, 1, { { 0, 0, UINT64_MAX - 7, 16, W, 0 } } },
	{ "readable after writable", 0, 1,
	  { { 0, 0, BUF_GPA, 16, W | N, 1 }, { 0, 1, BUF_GPA + 16, 16, 0, 0 } } },
	{ "avail idx jumps", 0, QSZ + 1, { { 0, 0, BUF_GPA, 16, W, 0 } } },
	{ "avail idx goes back", 0, 0xffff, { { 0, 0, BUF_GPA, 16, W, 0 } } },
	{ "indirect not negotiated", 0, 1,
	  { { 1, 0, BUF_GPA, 16, W, 0 }, { 0, 0, TABLE_GPA, 16, IND, 0 } } },
};

/* Need VIRTIO_F_INDIRECT_DESC negotiated to be wrong in the way they say. */
static const struct bad_ring bad_indirect[] = {
	{ "nested", 0, 1,
	  { { 1, 0, TABLE_GPA + 0x100, 16, IND, 0 }, { 0, 0, TABLE_GPA, 16, IND, 0 } } },
	{ "INDIRECT and NEXT", 0, 1,
	  { { 1, 0, BUF_GPA, 16, W, 0 }, { 0, 1, BUF_GPA, 16, W, 0 },
	    { 0, 0, TABLE_GPA, 16, IND | N, 1 } } },
	{ "table length not 16n", 0, 1,
	  { { 1, 0, BUF_GPA, 16, W, 0 }, { 0, 0, TABLE_GPA, 24, IND, 0 } } },
	{ "next past the table", 0, 1,
	  { { 1, 0, BUF_GPA, 16, W | N, 2 }, { 1, 1, BUF_GPA, 16, W, 0 },
	    { 0, 0, TABLE_GPA, 32, IND, 0 } } },
	{ "loop in the table", 0, 1,
	  { { 1, 0, BUF_GPA, 16, W | N, 1 }, { 1, 1, BUF_GPA, 16, W | N, 0 },
	    { 0, 0, TABLE_GPA, 32, IND, 0 } } },
	{ "table past RAM", 0, 1, { { 0, 0, ARENA_SIZE - 16, 32, IND, 0 } } },
};

static void build_bad(const struct bad_ring *r)
{
	unsigned k;

	for (k = 0; k < 3; k++) {
		const struct bad_desc *d = &r->d[k];

		if (d->addr)
			put_desc_at(d->in_table ? TABLE_GPA : DESC_GPA, d->i, d->addr, d->len,
				    d->flags, d->next);
	}
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_RING(0), 2), r->head);
	set_avail_idx(r->avail_idx);
}

START_TEST(pop_refuses_bad_ring)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	build_bad(&bad_rings[_i]);
	ck_assert_msg(vs_vq_pop(vq, &elem) == -EIO, "%s: not refused", bad_rings[_i].what);
	assert_broken();
}
END_TEST

START_TEST(pop_refuses_too_many_iov)
{
	struct vs_vq_elem elem;
	unsigned i, n = VS_VQ_MAX_IOV + 1;

	setup_dev(0, 128, 128, 0);
	for (i = 0; i < n; i++)
		put_desc(i, BUF_GPA + i, 1, VRING_DESC_F_WRITE | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			 (uint16_t)(i + 1));
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
	assert_broken();
}
END_TEST

START_TEST(pop_refuses_head_in_flight)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
	ck_assert_int_eq(vq->broken, 1);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET,
			  VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	/* A broken queue takes no completion either. */
	ck_assert_int_eq(vs_vq_push(vq, &elem, 0), -EIO);
	ck_assert_uint_eq(used_idx(), 0);
}
END_TEST

START_TEST(bad_ring_areas_break_queue_at_ready)
{
	struct vs_vdev_env env = { .arena = arena, .loop = loop, .faults = &faults, .seed = 1 };
	struct vs_vq_elem elem;

	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &vdev), 0);
	vq = vs_vdev_queue(vdev, 0);
	ck_assert_int_eq(vs_vdev_queue_set_num(vdev, 0, 16), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DESC, DESC_GPA), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DRIVER, AVAIL_GPA), 0);
	ck_assert_int_eq(vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DEVICE, ARENA_SIZE - 16), 0);
	ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, 0, 1), 0);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 1);
	ck_assert_int_eq(vq->broken, 1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
}
END_TEST

/* ---- Indirect descriptors (when negotiated) ---- */

START_TEST(pop_indirect_table)
{
	struct vs_vq_elem elem;

	setup_dev(VS_BIT(VIRTIO_F_INDIRECT_DESC), QSZ, QSZ, VS_BIT(VIRTIO_F_INDIRECT_DESC));
	put_desc_at(TABLE_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	put_desc_at(TABLE_GPA, 2, BUF_GPA + 0x100, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc_at(TABLE_GPA, 1, BUF_GPA + 0x200, 4, VRING_DESC_F_WRITE, 0);
	put_desc(6, BUF_GPA + 0x300, 12, VRING_DESC_F_NEXT, 3);
	/* The WRITE flag of the table descriptor itself is ignored. */
	put_desc(3, TABLE_GPA, 48, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	avail_add(6);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 6);
	ck_assert_uint_eq(elem.out_num, 2);
	ck_assert_uint_eq(elem.out[0].gpa, BUF_GPA + 0x300);
	ck_assert_uint_eq(elem.out[1].gpa, BUF_GPA);
	ck_assert_uint_eq(elem.out_len, 20);
	ck_assert_uint_eq(elem.in_num, 2);
	ck_assert_uint_eq(elem.in[0].gpa, BUF_GPA + 0x100);
	ck_assert_uint_eq(elem.in[1].gpa, BUF_GPA + 0x200);
	ck_assert_uint_eq(elem.in_len, 20);
}
END_TEST

START_TEST(pop_refuses_bad_indirect)
{
	struct vs_vq_elem elem;

	setup_dev(VS_BIT(VIRTIO_F_INDIRECT_DESC), QSZ, QSZ, VS_BIT(VIRTIO_F_INDIRECT_DESC));
	build_bad(&bad_indirect[_i]);
	ck_assert_msg(vs_vq_pop(vq, &elem) == -EIO, "%s: not refused", bad_indirect[_i].what);
	assert_broken();
}
END_TEST

/* ---- Read, write, push, notify ---- */

START_TEST(read_write_span_buffers)
{
	struct vs_vq_elem elem;
	char got[8] = { 0 };

	setup_dev(0, QSZ, QSZ, 0);
	memcpy(gp(BUF_GPA, 4), "abcd", 4);
	memcpy(gp(BUF_GPA + 0x40, 4), "efgh", 4);
	put_desc(0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA + 0x40, 4, VRING_DESC_F_NEXT, 2);
	put_desc(2, BUF_GPA + 0x100, 3, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	put_desc(3, BUF_GPA + 0x200, 8, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);

	ck_assert_int_eq(vs_vq_read(vq, &elem, 2, got, 5), 0);
	ck_assert_mem_eq(got, "cdefg", 5);
	ck_assert_int_eq(vs_vq_read(vq, &elem, 4, got, 5), -ERANGE);

	ck_assert_int_eq(vs_vq_write(vq, &elem, 0, "hello", 5), 0);
	ck_assert_mem_eq(gp(BUF_GPA + 0x100, 3), "hel", 3);
	ck_assert_mem_eq(gp(BUF_GPA + 0x200, 2), "lo", 2);
	ck_assert_int_eq(vs_vq_write(vq, &elem, 2, "XYZ", 3), 0);
	ck_assert_mem_eq(gp(BUF_GPA + 0x100, 3), "heX", 3);
	ck_assert_mem_eq(gp(BUF_GPA + 0x200, 2), "YZ", 2);
	ck_assert_int_eq(vs_vq_write(vq, &elem, 10, "ab", 2), -ERANGE);
	/* Readable buffers untouched. */
	ck_assert_mem_eq(gp(BUF_GPA, 4), "abcd", 4);
}
END_TEST

struct tap_log {
	unsigned n;
	struct vs_arena_access acc[8];
};

static void record_writes(void *opaque, const struct vs_arena_access *acc)
{
	struct tap_log *log = opaque;

	if (acc->is_write && log->n < 8)
		log->acc[log->n++] = *acc;
}

START_TEST(push_writes_elem_then_idx)
{
	struct vs_vq_elem elem;
	struct tap_log log = { 0 };
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(4, BUF_GPA, 32, VRING_DESC_F_WRITE, 0);
	avail_add(4);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_arena_add_tap(arena, record_writes, &log), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 17), 0);
	vs_arena_remove_tap(arena, record_writes, &log);

	/* spec dev.basic.virtqueues.virtqueue-used-ring.1: element, then idx. */
	ck_assert_uint_eq(log.n, 2);
	ck_assert_int_eq(log.acc[0].side, VS_SIDE_DEVICE);
	ck_assert_uint_eq(log.acc[0].gpa, USED_GPA + VS_USED_RING(0));
	ck_assert_uint_eq(log.acc[0].len, 8);
	ck_assert_int_eq(log.acc[1].side, VS_SIDE_DEVICE);
	ck_assert_uint_eq(log.acc[1].gpa, USED_GPA + VS_USED_IDX);
	ck_assert_uint_eq(log.acc[1].len, 2);

	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 4);
	ck_assert_uint_eq(len, 17);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(vring_irqs, 1);
	ck_assert_uint_eq(vs_vdev_requests_completed(vdev), 1);
	/* Pushing the same element again is a model bug, refused. */
	ck_assert_int_eq(vs_vq_push(vq, &elem, 1), -EINVAL);
	ck_assert_uint_eq(used_idx(), 1);
}
END_TEST

START_TEST(push_wraps_used_ring)
{
	struct vs_vq_elem elem;
	uint32_t id, len;
	unsigned i;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(1, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	for (i = 0; i < QSZ + 2; i++) {
		avail_add(1);
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
		ck_assert_int_eq(vs_vq_push(vq, &elem, i % 8), 0);
	}
	ck_assert_uint_eq(used_idx(), QSZ + 2);
	used_elem(1, &id, &len);
	ck_assert_uint_eq(id, 1);
	ck_assert_uint_eq(len, (QSZ + 1) % 8);
	ck_assert_uint_eq(vring_irqs, QSZ + 2);
}
END_TEST

START_TEST(push_clamps_len_to_writable)
{
	struct vs_vq_elem elem;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 100), 0);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(len, 8);
}
END_TEST

START_TEST(push_after_reset_is_dropped)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	vs_vdev_set_status(vdev, 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), -ECANCELED);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(vring_irqs, 0);
}
END_TEST

START_TEST(no_interrupt_flag_honoured)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_FLAGS, 2), VRING_AVAIL_F_NO_INTERRUPT);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(vring_irqs, 0);
	/* Flags back to 0: the next completion notifies. */
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_FLAGS, 2), 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(vring_irqs, 1);
}
END_TEST

START_TEST(event_idx_used_event)
{
	struct vs_vq_elem elem;
	unsigned i;

	setup_dev(VS_BIT(VIRTIO_F_EVENT_IDX), QSZ, QSZ, VS_BIT(VIRTIO_F_EVENT_IDX));
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	/* With EVENT_IDX the flags bit is ignored. */
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_FLAGS, 2), VRING_AVAIL_F_NO_INTERRUPT);
	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_USED_EVENT(QSZ), 2), 0);

	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	/* The device asks to be kicked for the entry after the one it took. */
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_AVAIL_EVENT(QSZ), 2)), 1);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(vring_irqs, 1); /* used idx 0 -> 1 crosses used_event 0 */

	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(vring_irqs, 1); /* 1 -> 2 does not cross 0 */

	vs_put_le16(gp(AVAIL_GPA + VS_AVAIL_USED_EVENT(QSZ), 2), 3);
	for (i = 0; i < 2; i++) {
		avail_add(0);
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
		ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	}
	ck_assert_uint_eq(vring_irqs, 2); /* only 3 -> 4 crosses used_event 3 */
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_AVAIL_EVENT(QSZ), 2)), 4);
	/* The device must keep used flags 0 under EVENT_IDX. */
	ck_assert_int_eq(vs_vq_set_no_notify(vq, 1), -EINVAL);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_FLAGS, 2)), 0);
}
END_TEST

START_TEST(set_no_notify_writes_used_flags)
{
	setup_dev(0, QSZ, QSZ, 0);
	ck_assert_int_eq(vs_vq_set_no_notify(vq, 1), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_FLAGS, 2)), VRING_USED_F_NO_NOTIFY);
	ck_assert_int_eq(vs_vq_set_no_notify(vq, 0), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_FLAGS, 2)), 0);
}
END_TEST

/* ---- Device faults: each gives exactly the wrong value it names ---- */

static void pop_one(struct vs_vq_elem *elem, uint16_t head, uint32_t len)
{
	put_desc(head, BUF_GPA + 0x100u * head, len, VRING_DESC_F_WRITE, 0);
	avail_add(head);
	ck_assert_int_eq(vs_vq_pop(vq, elem), 0);
	ck_assert_uint_eq(elem->head, head);
}

START_TEST(fault_used_id_range)
{
	struct vs_vq_elem elem;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_USED_ID_RANGE, VS_FAULT_COUNTED, 1, 0, 0);
	pop_one(&elem, 3, 16);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 16), 0);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, QSZ + 3);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_USED_ID_RANGE].fired, 1);
	/* Counted: the next one is right again. */
	pop_one(&elem, 3, 16);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 16), 0);
	used_elem(1, &id, &len);
	ck_assert_uint_eq(id, 3);
}
END_TEST

START_TEST(fault_used_id_not_outstanding)
{
	struct vs_vq_elem a, b;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING, VS_FAULT_ALWAYS, 0, 0, 0);
	/* In flight: 0 and 1.  Waiting in the avail ring: 2.  First free: 3. */
	pop_one(&a, 0, 8);
	pop_one(&b, 1, 8);
	put_desc(2, BUF_GPA + 0x200, 8, VRING_DESC_F_WRITE, 0);
	avail_add(2);
	ck_assert_int_eq(vs_vq_push(vq, &a, 8), 0);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 3);
	/* For head 1: 2 still waits, 3 is the first free id after it (0 is
	 * free now too, but later in ring order). */
	ck_assert_int_eq(vs_vq_push(vq, &b, 8), 0);
	used_elem(1, &id, &len);
	ck_assert_uint_eq(id, 3);
}
END_TEST

START_TEST(fault_used_len_over)
{
	struct vs_vq_elem elem;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_ALWAYS, 0, 0, 0);
	pop_one(&elem, 2, 24);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 10), 0);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 25);
}
END_TEST

START_TEST(fault_write_readable_buffer)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_WRITE_READABLE, VS_FAULT_ALWAYS, 0, 0, 0);
	memset(gp(BUF_GPA, 8), 'r', 8);
	put_desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA + 0x100, 8, VRING_DESC_F_WRITE, 0);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_write(vq, &elem, 2, "PAY", 3), 0);
	ck_assert_mem_eq(gp(BUF_GPA, 8), "rrPAYrrr", 8);
	ck_assert_mem_eq(gp(BUF_GPA + 0x100, 8), "\0\0\0\0\0\0\0\0", 8);
	/* Decided once per element: one hit however many writes. */
	ck_assert_int_eq(vs_vq_write(vq, &elem, 0, "Q", 1), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_WRITE_READABLE].fired, 1);
}
END_TEST

START_TEST(fault_write_readable_descriptor)
{
	struct vs_vq_elem elem;
	const uint8_t *d;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_WRITE_READABLE, VS_FAULT_ALWAYS, 0, 0, 0);
	pop_one(&elem, 5, 32);
	ck_assert_int_eq(vs_vq_write(vq, &elem, 0, "0123456789abcdefXYZ", 19), 0);
	/* No readable buffer: the head's descriptor entry takes 16 bytes. */
	d = gp(DESC_GPA + 16u * 5, 16);
	ck_assert_mem_eq(d, "0123456789abcdef", 16);
	ck_assert_mem_eq(gp(BUF_GPA + 0x500, 3), "\0\0\0", 3);
}
END_TEST

START_TEST(fault_no_interrupt)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	pop_one(&elem, 0, 8);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(vring_irqs, 0);
}
END_TEST

START_TEST(fault_spurious_interrupt)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_SPURIOUS_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	pop_one(&elem, 0, 8);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(vring_irqs, 2);
}
END_TEST

START_TEST(fault_used_idx_jump)
{
	struct vs_vq_elem elem;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_USED_IDX_JUMP, VS_FAULT_COUNTED, 1, 0, 0);
	pop_one(&elem, 2, 16);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 16), 0);
	/* the entry is right, the idx says QSZ + 2 entries */
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(used_idx(), QSZ + 2);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_USED_IDX_JUMP].fired, 1);
	/* the device goes on counting from there: the next entry lands in
	 * slot (QSZ + 2) % QSZ */
	pop_one(&elem, 5, 8);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 8), 0);
	ck_assert_uint_eq(used_idx(), QSZ + 3);
	used_elem(2, &id, &len);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(len, 8);
}
END_TEST

START_TEST(fault_needs_reset)
{
	struct vs_vq_elem elem;

	setup_dev(0, QSZ, QSZ, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_NEEDS_RESET, VS_FAULT_COUNTED, 1, 0, 0);
	/* nothing to pop: the fault waits for a request */
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_NEEDS_RESET].fired, 0);
	put_desc(1, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	avail_add(1);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_NEEDS_RESET].fired, 1);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET,
			  VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	/* spec dev.basic.device-status-field.3: DRIVER_OK is set */
	ck_assert_uint_eq(config_irqs, 1);
	/* the request is never completed; nothing more is served */
	put_desc(2, BUF_GPA + 0x100, 16, VRING_DESC_F_WRITE, 0);
	avail_add(2);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(vring_irqs, 0);
	/* a reset clears it */
	vs_vdev_set_status(vdev, 0);
	ck_assert_uint_eq(vs_vdev_status(vdev), 0);
}
END_TEST

/* ---- Split: batching ---- */

struct tap_count {
	uint64_t gpa;
	unsigned reads, writes;
};

static void count_at(void *opaque, const struct vs_arena_access *acc)
{
	struct tap_count *c = opaque;

	if (acc->gpa == c->gpa) {
		if (acc->is_write)
			c->writes++;
		else
			c->reads++;
	}
}

START_TEST(pop_reads_avail_idx_once_per_batch)
{
	struct tap_count c = { AVAIL_GPA + VS_AVAIL_IDX, 0, 0 };
	struct vs_vq_elem elem;
	unsigned i;

	setup_dev(0, QSZ, QSZ, 0);
	for (i = 0; i < 3; i++) {
		put_desc(i, BUF_GPA + 16 * i, 16, VRING_DESC_F_WRITE, 0);
		avail_add((uint16_t)i);
	}
	ck_assert_int_eq(vs_arena_add_tap(arena, count_at, &c), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(c.reads, 1);
	/* Empty is only said after a fresh read. */
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT);
	ck_assert_uint_eq(c.reads, 2);
	avail_add(0);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -EIO); /* head 0 still in flight */
	vs_arena_remove_tap(arena, count_at, &c);
}
END_TEST

START_TEST(fill_flush_publishes_once)
{
	struct tap_count c = { USED_GPA + VS_USED_IDX, 0, 0 };
	struct vs_vq_elem a, b;
	uint32_t id, len;

	setup_dev(0, QSZ, QSZ, 0);
	pop_one(&a, 1, 16);
	pop_one(&b, 2, 16);
	ck_assert_int_eq(vs_arena_add_tap(arena, count_at, &c), 0);
	ck_assert_int_eq(vs_vq_fill(vq, &b, 3), 0);
	ck_assert_int_eq(vs_vq_fill(vq, &a, 4), 0);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(vring_irqs, 0);
	ck_assert_int_eq(vs_vq_flush(vq), 0);
	vs_arena_remove_tap(arena, count_at, &c);
	ck_assert_uint_eq(c.writes, 1);
	ck_assert_uint_eq(used_idx(), 2);
	used_elem(0, &id, &len);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 3);
	used_elem(1, &id, &len);
	ck_assert_uint_eq(id, 1);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(vring_irqs, 1);
	/* Nothing filled: a flush writes nothing and notifies per flags. */
	ck_assert_int_eq(vs_vq_flush(vq), 0);
	ck_assert_uint_eq(used_idx(), 2);
}
END_TEST

START_TEST(in_order_push_refuses_reordering)
{
	struct vs_vq_elem a, b;

	setup_dev(VS_BIT(VIRTIO_F_IN_ORDER), QSZ, QSZ, VS_BIT(VIRTIO_F_IN_ORDER));
	ck_assert_int_eq(vq->in_order, 1);
	pop_one(&a, 0, 8);
	pop_one(&b, 1, 8);
	ck_assert_int_eq(vs_vq_push(vq, &b, 1), -EINVAL);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_int_eq(vs_vq_push(vq, &a, 1), 0);
	ck_assert_int_eq(vs_vq_push(vq, &b, 1), 0);
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_int_eq(vq->broken, 0);
}
END_TEST

START_TEST(notification_data_over_mmio)
{
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_mmio *m;
	struct vs_vdev_env env = { .arena = arena, .loop = loop, .faults = &faults, .seed = 1 };
	struct vs_device_params p = { .features_add = VS_BIT(VIRTIO_F_NOTIFICATION_DATA) };
	unsigned line;

	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, 0x10000000, line, 2, &m), 0);
	vq = vs_vdev_queue(vdev, 0);
	/* Without the feature the value is the queue index, nothing else. */
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x10000000 + VIRTIO_MMIO_QUEUE_NOTIFY, 4,
				      0), 0);
	ck_assert_int_eq(vq->notify_data_valid, 0);
	ck_assert_int_eq(vs_vdev_set_driver_features_word(vdev, 1,
		(uint32_t)((VS_BIT(VIRTIO_F_NOTIFICATION_DATA) | VS_BIT(VIRTIO_F_VERSION_1)) >> 32)), 0);
	/* spec 4.2.3.3: vq 0, next_off 0x1234, next_wrap 1 */
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x10000000 + VIRTIO_MMIO_QUEUE_NOTIFY, 4,
				      VS_NOTIFY_DATA(0, 0x1234, 1)), 0);
	ck_assert_int_eq(vq->notify_data_valid, 1);
	ck_assert_uint_eq(vq->notify_next_off, 0x1234);
	ck_assert_uint_eq(vq->notify_next_wrap, 1);
	/* The kick itself was queued for queue 0. */
	ck_assert_int_eq(vq->work.queued, 1);
	vs_mmio_destroy(m);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
}
END_TEST

/* ---- Packed ---- */

#define PA VS_PACKED_F_AVAIL
#define PU VS_PACKED_F_USED

/* AVAIL/USED bits of an available descriptor in the lap of wrap. */
static uint16_t avail_bits(unsigned wrap)
{
	return wrap ? PA : PU;
}

static void put_pdesc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t id,
			 uint16_t flags)
{
	uint8_t *d = gp(table + 16u * i, 16);

	vs_put_le64(d, addr);
	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, id);
	vs_put_le16(d + 14, flags);
}

static void put_pdesc(unsigned i, uint64_t addr, uint32_t len, uint16_t id, uint16_t flags)
{
	put_pdesc_at(DESC_GPA, i, addr, len, id, flags);
}

static void get_pdesc(unsigned i, uint32_t *len, uint16_t *id, uint16_t *flags)
{
	const uint8_t *d = gp(DESC_GPA + 16u * i, 16);

	*len = vs_le32(d + 8);
	*id = vs_le16(d + 12);
	*flags = vs_le16(d + 14);
}

static void setup_packed(uint64_t more, uint32_t num)
{
	setup_dev(VS_BIT(VIRTIO_F_RING_PACKED) | more, 64, num, VS_BIT(VIRTIO_F_RING_PACKED) | more);
	ck_assert_int_eq(vq->packed, 1);
	ck_assert_uint_eq(vq->avail_wrap, 1);
	ck_assert_uint_eq(vq->used_wrap, 1);
}

START_TEST(packed_pop_push_single)
{
	struct vs_vq_elem elem;
	uint32_t len;
	uint16_t id, flags;

	setup_packed(0, 6); /* not a power of 2 */
	ck_assert_int_eq(vs_vq_pop(vq, &elem), -ENOENT); /* zeroed ring */
	put_pdesc(0, BUF_GPA, 64, 5, avail_bits(1) | VRING_DESC_F_WRITE);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 5);
	ck_assert_uint_eq(elem.ndescs, 1);
	ck_assert_uint_eq(elem.in_num, 1);
	ck_assert_uint_eq(elem.in[0].gpa, BUF_GPA);
	ck_assert_uint_eq(elem.in_len, 64);
	ck_assert_uint_eq(vq->last_avail_idx, 1);
	{
		struct vs_vq_elem none;

		ck_assert_int_eq(vs_vq_pop(vq, &none), -ENOENT);
	}
	ck_assert_int_eq(vs_vq_push(vq, &elem, 9), 0);
	get_pdesc(0, &len, &id, &flags);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(len, 9);
	ck_assert_uint_eq(flags, PA | PU | VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->used_idx, 1);
	ck_assert_uint_eq(vring_irqs, 1);
}
END_TEST

START_TEST(packed_chain_across_the_wrap)
{
	struct vs_vq_elem elem;
	uint32_t len;
	uint16_t id, flags;
	unsigned i;

	setup_packed(0, 4);
	/* Three single buffers use positions 0-2 of the first lap. */
	for (i = 0; i < 3; i++) {
		put_pdesc(i, BUF_GPA, 8, (uint16_t)i, avail_bits(1) | VRING_DESC_F_WRITE);
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
		ck_assert_int_eq(vs_vq_push(vq, &elem, 0), 0);
	}
	/* A list of three at 3 (lap 1), 0 and 1 (lap 0): readable, then two
	 * writable; the id is in the last. */
	put_pdesc(0, BUF_GPA + 0x100, 20, 2, avail_bits(0) | VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	put_pdesc(1, BUF_GPA + 0x200, 30, 2, avail_bits(0) | VRING_DESC_F_WRITE);
	put_pdesc(3, BUF_GPA, 10, 2, avail_bits(1) | VRING_DESC_F_NEXT);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 2);
	ck_assert_uint_eq(elem.ndescs, 3);
	ck_assert_uint_eq(elem.ring_pos, 3);
	ck_assert_uint_eq(elem.out_len, 10);
	ck_assert_uint_eq(elem.in_num, 2);
	ck_assert_uint_eq(elem.in_len, 50);
	ck_assert_uint_eq(vq->last_avail_idx, 2);
	ck_assert_uint_eq(vq->avail_wrap, 0);
	/* Used: at position 3 in lap 1, then the next used goes to 2 (lap 0). */
	ck_assert_int_eq(vs_vq_push(vq, &elem, 50), 0);
	get_pdesc(3, &len, &id, &flags);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, 50);
	ck_assert_uint_eq(flags, PA | PU | VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->used_idx, 2);
	ck_assert_uint_eq(vq->used_wrap, 0);
	/* A lap-0 used descriptor has both bits clear; len 0 means no WRITE. */
	put_pdesc(2, BUF_GPA, 8, 0, avail_bits(0) | VRING_DESC_F_WRITE);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 0), 0);
	get_pdesc(2, &len, &id, &flags);
	ck_assert_uint_eq(flags, 0);
	ck_assert_int_eq(vq->broken, 0);
}
END_TEST

START_TEST(packed_indirect_table)
{
	struct vs_vq_elem elem;

	setup_packed(VS_BIT(VIRTIO_F_INDIRECT_DESC), 8);
	put_pdesc_at(TABLE_GPA, 0, BUF_GPA, 8, 0, 0);
	put_pdesc_at(TABLE_GPA, 1, BUF_GPA + 0x100, 16, 0, VRING_DESC_F_WRITE);
	put_pdesc_at(TABLE_GPA, 2, BUF_GPA + 0x200, 4, 0, VRING_DESC_F_WRITE);
	put_pdesc(0, TABLE_GPA, 48, 7, avail_bits(1) | VRING_DESC_F_INDIRECT);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(elem.head, 7);
	ck_assert_uint_eq(elem.ndescs, 1);
	ck_assert_uint_eq(elem.out_num, 1);
	ck_assert_uint_eq(elem.out[0].gpa, BUF_GPA);
	ck_assert_uint_eq(elem.in_num, 2);
	ck_assert_uint_eq(elem.in_len, 20);
}
END_TEST

/* A broken packed ring: descriptors (ring, or the table at TABLE_GPA). */
struct bad_pdesc {
	int in_table;
	uint16_t i;
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

struct bad_packed {
	const char *what;
	uint64_t features;
	struct bad_pdesc d[4];
};

#define A1 PA /* available in lap 1 */

static const struct bad_packed bad_packed[] = {
	{ "list longer than the queue", 0,
	  { { 0, 0, BUF_GPA, 8, 0, A1 | N }, { 0, 1, BUF_GPA, 8, 0, A1 | N },
	    { 0, 2, BUF_GPA, 8, 0, A1 | N }, { 0, 3, BUF_GPA, 8, 0, A1 | N } } },
	{ "rest of the list not available", 0,
	  { { 0, 0, BUF_GPA, 8, 0, A1 | N }, { 0, 1, BUF_GPA, 8, 0, PA | PU } } },
	{ "id >= queue size", 0, { { 0, 0, BUF_GPA, 8, 4, A1 | W } } },
	{ "readable after writable", 0,
	  { { 0, 0, BUF_GPA, 8, 0, A1 | W | N }, { 0, 1, BUF_GPA, 8, 0, A1 } } },
	{ "buffer past RAM", 0, { { 0, 0, ARENA_SIZE - 4, 8, 0, A1 | W } } },
	{ "indirect not negotiated", 0, { { 0, 0, TABLE_GPA, 16, 0, A1 | IND } } },
	{ "INDIRECT and NEXT", VS_BIT(VIRTIO_F_INDIRECT_DESC),
	  { { 1, 0, BUF_GPA, 8, 0, W }, { 0, 0, TABLE_GPA, 16, 0, A1 | IND | N },
	    { 0, 1, BUF_GPA, 8, 0, A1 | W } } },
	{ "INDIRECT after NEXT", VS_BIT(VIRTIO_F_INDIRECT_DESC),
	  { { 1, 0, BUF_GPA, 8, 0, W }, { 0, 0, BUF_GPA, 8, 0, A1 | N },
	    { 0, 1, TABLE_GPA, 16, 0, A1 | IND } } },
	{ "nested table", VS_BIT(VIRTIO_F_INDIRECT_DESC),
	  { { 1, 0, TABLE_GPA + 0x100, 16, 0, IND }, { 0, 0, TABLE_GPA, 16, 0, A1 | IND } } },
	{ "table length not 16n", VS_BIT(VIRTIO_F_INDIRECT_DESC),
	  { { 1, 0, BUF_GPA, 8, 0, W }, { 0, 0, TABLE_GPA, 24, 0, A1 | IND } } },
	{ "writable before readable in the table", VS_BIT(VIRTIO_F_INDIRECT_DESC),
	  { { 1, 0, BUF_GPA, 8, 0, W }, { 1, 1, BUF_GPA, 8, 0, 0 },
	    { 0, 0, TABLE_GPA, 32, 0, A1 | IND } } },
};

START_TEST(packed_refuses_bad_ring)
{
	const struct bad_packed *b = &bad_packed[_i];
	struct vs_vq_elem elem;
	unsigned k;

	setup_packed(b->features, 4);
	for (k = 0; k < 4; k++) {
		const struct bad_pdesc *d = &b->d[k];

		if (d->addr)
			put_pdesc_at(d->in_table ? TABLE_GPA : DESC_GPA, d->i, d->addr, d->len, d->id,
				     d->flags);
	}
	ck_assert_msg(vs_vq_pop(vq, &elem) == -EIO, "%s: not refused", b->what);
	ck_assert_int_eq(vq->broken, 1);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET,
			  VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET);
	ck_assert_uint_eq(config_irqs, 1);
	ck_assert_uint_eq(vq->last_avail_idx, 0);
}
END_TEST

START_TEST(packed_refuses_id_in_flight)
{
	struct vs_vq_elem a, b;

	setup_packed(0, 4);
	put_pdesc(0, BUF_GPA, 8, 1, A1 | W);
	put_pdesc(1, BUF_GPA, 8, 1, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &a), 0);
	ck_assert_int_eq(vs_vq_pop(vq, &b), -EIO);
	ck_assert_int_eq(vq->broken, 1);
}
END_TEST

START_TEST(packed_size_checks_at_ready)
{
	setup_packed(0, 7);
	ck_assert_int_eq(vq->broken, 0);
	vs_vdev_reset(vdev);
	teardown();
	setup();
	/* Above QueueSizeMax: broken when made ready (setup_dev asserts
	 * not broken, so do it by hand). */
	{
		struct vs_vdev_env env = { .arena = arena, .loop = loop, .faults = &faults };
		struct vs_device_params p = { .features_add = VS_BIT(VIRTIO_F_RING_PACKED),
					      .queue_size_max = 16 };
		uint64_t f = VS_BIT(VIRTIO_F_RING_PACKED) | VS_BIT(VIRTIO_F_VERSION_1);

		ck_assert_int_eq(vs_device_create("rng", &p, &env, &vdev), 0);
		vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(f >> 32));
		vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						 VIRTIO_CONFIG_S_FEATURES_OK);
		vs_vdev_queue_set_num(vdev, 0, 17);
		vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DESC, DESC_GPA);
		vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DRIVER, AVAIL_GPA);
		vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DEVICE, USED_GPA);
		vs_vdev_queue_set_ready(vdev, 0, 1);
		ck_assert_int_eq(vs_vdev_queue(vdev, 0)->broken, 1);
	}
}
END_TEST

static void set_driver_event(uint16_t off_wrap, uint16_t flags)
{
	vs_put_le16(gp(AVAIL_GPA, 2), off_wrap);
	vs_put_le16(gp(AVAIL_GPA + 2, 2), flags);
}

START_TEST(packed_driver_event_suppression)
{
	struct vs_vq_elem elem;
	unsigned i;

	setup_packed(0, 4);
	set_driver_event(0, VRING_PACKED_EVENT_FLAG_DISABLE);
	put_pdesc(0, BUF_GPA, 8, 0, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 1), 0);
	ck_assert_uint_eq(vring_irqs, 0);
	/* DESC without EVENT_IDX means nothing: notified. */
	set_driver_event(3, VRING_PACKED_EVENT_FLAG_DESC);
	for (i = 1; i < 3; i++) {
		put_pdesc(i, BUF_GPA, 8, (uint16_t)i, A1 | W);
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
		ck_assert_int_eq(vs_vq_push(vq, &elem, 1), 0);
	}
	ck_assert_uint_eq(vring_irqs, 2);
}
END_TEST

/* A flush with nothing filled since the last one announces nothing: no
 * interrupt (the monitor flagged it as mmio.isr-spurious in the bench). */
START_TEST(packed_flush_of_nothing_does_not_interrupt)
{
	struct vs_vq_elem elem;

	setup_packed(0, 4);
	ck_assert_int_eq(vs_vq_flush(vq), 0);
	ck_assert_uint_eq(vring_irqs, 0);
	put_pdesc(0, BUF_GPA, 8, 0, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 1), 0);
	ck_assert_uint_eq(vring_irqs, 1);
	ck_assert_int_eq(vs_vq_flush(vq), 0);
	ck_assert_uint_eq(vring_irqs, 1);
}
END_TEST

START_TEST(packed_event_idx_both_ways)
{
	struct vs_vq_elem elem;
	unsigned i, irqs_at[6];

	setup_packed(VS_BIT(VIRTIO_F_EVENT_IDX), 4);
	/* Interrupt only for the used descriptor at offset 1 of lap 0 (the
	 * second lap). */
	set_driver_event(1 | 0 << 15, VRING_PACKED_EVENT_FLAG_DESC);
	for (i = 0; i < 6; i++) {
		unsigned pos = i % 4, wrap = i < 4;

		put_pdesc(pos, BUF_GPA, 8, 0, avail_bits(wrap) | W);
		ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
		/* The device asks for a kick at the next descriptor (spec 2.8.10). */
		ck_assert_uint_eq(vs_le16(gp(USED_GPA, 2)), vs_vq_next_avail(vq));
		ck_assert_uint_eq(vs_le16(gp(USED_GPA + 2, 2)), VRING_PACKED_EVENT_FLAG_DESC);
		ck_assert_int_eq(vs_vq_push(vq, &elem, 1), 0);
		irqs_at[i] = vring_irqs;
	}
	ck_assert_uint_eq(irqs_at[4], 0);
	ck_assert_uint_eq(irqs_at[5], 1);
	ck_assert_uint_eq(vs_vq_next_avail(vq), 2);
	/* The device can still say "do not kick". */
	ck_assert_int_eq(vs_vq_set_no_notify(vq, 1), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + 2, 2)), VRING_PACKED_EVENT_FLAG_DISABLE);
	put_pdesc(2, BUF_GPA, 8, 0, avail_bits(0) | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + 2, 2)), VRING_PACKED_EVENT_FLAG_DISABLE);
	ck_assert_int_eq(vs_vq_set_no_notify(vq, 0), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + 2, 2)), VRING_PACKED_EVENT_FLAG_DESC);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA, 2)), 3);
}
END_TEST

START_TEST(packed_fault_used_wrap_and_flags)
{
	struct vs_vq_elem elem;
	uint32_t len;
	uint16_t id, flags;

	setup_packed(0, 4);
	vs_faults_set(&faults, VS_FAULT_DEV_PACKED_USED_WRAP, VS_FAULT_COUNTED, 1, 0, 0);
	put_pdesc(0, BUF_GPA, 8, 3, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 2), 0);
	get_pdesc(0, &len, &id, &flags);
	ck_assert_uint_eq(flags, VRING_DESC_F_WRITE); /* AVAIL = USED = 0 in lap 1 */
	vs_faults_set(&faults, VS_FAULT_DEV_PACKED_USED_FLAGS, VS_FAULT_COUNTED, 1, 0, 0);
	put_pdesc(1, BUF_GPA, 8, 3, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 2), 0);
	get_pdesc(1, &len, &id, &flags);
	ck_assert_uint_eq(flags, PA | VRING_DESC_F_WRITE); /* AVAIL 1, USED 0 */
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_PACKED_USED_WRAP].fired, 1);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DEV_PACKED_USED_FLAGS].fired, 1);
}
END_TEST

START_TEST(packed_queue_reset_restarts_laps)
{
	struct vs_vq_elem elem;

	setup_packed(VS_BIT(VIRTIO_F_RING_RESET), 4);
	put_pdesc(0, BUF_GPA, 8, 0, A1 | W);
	ck_assert_int_eq(vs_vq_pop(vq, &elem), 0);
	ck_assert_int_eq(vs_vdev_queue_reset(vdev, 0), 0);
	ck_assert_int_eq(vq->ready, 0);
	ck_assert_uint_eq(vq->last_avail_idx, 0);
	ck_assert_uint_eq(vq->avail_wrap, 1);
	ck_assert_uint_eq(vq->used_wrap, 1);
	ck_assert_int_eq(vs_vq_push(vq, &elem, 1), -ECANCELED);
}
END_TEST

static Suite *vring_dev_suite(void)
{
	Suite *s = suite_create("vring_dev");
	TCase *tc;

	tc = tcase_create("Pop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pop_single_writable);
	tcase_add_test(tc, pop_mixed_chain);
	tcase_add_test(tc, pop_in_ring_order);
	tcase_add_test(tc, pop_skips_zero_length);
	tcase_add_test(tc, pop_needs_driver_ok_and_ready);
	tcase_add_test(tc, pop_max_iov_chain);
	suite_add_tcase(s, tc);

	tc = tcase_create("Refuse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, pop_refuses_bad_ring, 0,
			    (int)(sizeof(bad_rings) / sizeof(bad_rings[0])));
	tcase_add_test(tc, pop_refuses_too_many_iov);
	tcase_add_test(tc, pop_refuses_head_in_flight);
	tcase_add_test(tc, bad_ring_areas_break_queue_at_ready);
	suite_add_tcase(s, tc);

	tc = tcase_create("Indirect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pop_indirect_table);
	tcase_add_loop_test(tc, pop_refuses_bad_indirect, 0,
			    (int)(sizeof(bad_indirect) / sizeof(bad_indirect[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("Push");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_write_span_buffers);
	tcase_add_test(tc, push_writes_elem_then_idx);
	tcase_add_test(tc, push_wraps_used_ring);
	tcase_add_test(tc, push_clamps_len_to_writable);
	tcase_add_test(tc, push_after_reset_is_dropped);
	tcase_add_test(tc, no_interrupt_flag_honoured);
	tcase_add_test(tc, event_idx_used_event);
	tcase_add_test(tc, set_no_notify_writes_used_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("Batch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pop_reads_avail_idx_once_per_batch);
	tcase_add_test(tc, fill_flush_publishes_once);
	tcase_add_test(tc, in_order_push_refuses_reordering);
	tcase_add_test(tc, notification_data_over_mmio);
	suite_add_tcase(s, tc);

	tc = tcase_create("Packed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, packed_pop_push_single);
	tcase_add_test(tc, packed_chain_across_the_wrap);
	tcase_add_test(tc, packed_indirect_table);
	tcase_add_loop_test(tc, packed_refuses_bad_ring, 0,
			    (int)(sizeof(bad_packed) / sizeof(bad_packed[0])));
	tcase_add_test(tc, packed_refuses_id_in_flight);
	tcase_add_test(tc, packed_size_checks_at_ready);
	tcase_add_test(tc, packed_driver_event_suppression);
	tcase_add_test(tc, packed_flush_of_nothing_does_not_interrupt);
	tcase_add_test(tc, packed_event_idx_both_ways);
	tcase_add_test(tc, packed_fault_used_wrap_and_flags);
	tcase_add_test(tc, packed_queue_reset_restarts_laps);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_used_id_range);
	tcase_add_test(tc, fault_used_id_not_outstanding);
	tcase_add_test(tc, fault_used_len_over);
	tcase_add_test(tc, fault_write_readable_buffer);
	tcase_add_test(tc, fault_write_readable_descriptor);
	tcase_add_test(tc, fault_no_interrupt);
	tcase_add_test(tc, fault_spurious_interrupt);
	tcase_add_test(tc, fault_used_idx_jump);
	tcase_add_test(tc, fault_needs_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vring_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
