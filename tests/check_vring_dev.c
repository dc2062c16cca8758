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
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"

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

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_used_id_range);
	tcase_add_test(tc, fault_used_id_not_outstanding);
	tcase_add_test(tc, fault_used_len_over);
	tcase_add_test(tc, fault_write_readable_buffer);
	tcase_add_test(tc, fault_write_readable_descriptor);
	tcase_add_test(tc, fault_no_interrupt);
	tcase_add_test(tc, fault_spurious_interrupt);
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
