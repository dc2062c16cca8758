/*
 * blk_dev_fixture.h - the scripted driver of the block device tests
 * (check_blk_dev.c, check_blk_store.c): an arena, a loop, a blk device
 * bound to a fake transport that counts notifications, rings built by
 * hand, and helpers to chain a header, data and a status byte, kick,
 * drain and read the answer.  One fixture per test (Check forks each
 * test), held in globals so the tests read like a script.
 */
#ifndef VS_TEST_BLK_DEV_FIXTURE_H
#define VS_TEST_BLK_DEV_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"

#define ARENA_SIZE (8u << 20)
#define QSZ 64u
#define RING_GPA(q) (0x10000u + (uint64_t)(q) * 0x4000u)
#define HDR(h) (0x100000u + (uint64_t)(h) * 0x100u)
#define ST(h) (HDR(h) + 0x80u)
#define DATA(h) (0x200000u + (uint64_t)(h) * 0x40000u)

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static uint16_t avail_idx[4], used_seen[4];
static unsigned vring_irqs;
static int bound;
static char file_path[64];

static inline void fake_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	(void)q;
	if (kind == VS_VDEV_IRQ_VRING)
		vring_irqs++;
}

static const struct vs_vdev_transport_ops fake_ops = {.interrupt = fake_interrupt};

static inline uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static inline void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 7);
	vdev = NULL;
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
	vring_irqs = 0;
	bound = 0;
	snprintf(file_path, sizeof(file_path), "/tmp/check_blk_dev-%ld.img", (long)getpid());
}

static inline void teardown(void)
{
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
	unlink(file_path);
}

static inline int create(const struct vs_device_params *p)
{
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};

	return vs_device_create("blk", p, &env, &vdev);
}

/* Bring vdev to DRIVER_OK accepting accept (+ VERSION_1), queues live. */
static inline void bring_up(uint64_t accept)
{
	uint8_t base = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	if (!bound)
		ck_assert_int_eq(vs_vdev_bind(vdev, &fake_ops, NULL, 0), 0);
	bound = 1;
	vs_vdev_set_status(vdev, base);
	accept |= VS_BIT(VIRTIO_F_VERSION_1);
	vs_vdev_set_driver_features_word(vdev, 0, (uint32_t)accept);
	vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(accept >> 32));
	vs_vdev_set_status(vdev, base | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(vs_vdev_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < vs_vdev_num_queues(vdev) && q < 4; q++) {
		ck_assert_int_eq(vs_vdev_queue_set_num(vdev, q, QSZ), 0);
		vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DESC, RING_GPA(q));
		vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DRIVER, RING_GPA(q) + 0x1000);
		vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DEVICE, RING_GPA(q) + 0x2000);
		ck_assert_int_eq(vs_vdev_queue_set_ready(vdev, q, 1), 0);
	}
	vs_vdev_set_status(vdev, base | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* After a device reset: the driver starts its rings over, zeroed. */
static inline void restart(void)
{
	for (unsigned q = 0; q < 4; q++)
		memset(gp(RING_GPA(q), 0x4000), 0, 0x4000);
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
}

/* The features our driver takes: everything the model offers. */
#define ALL_BLK                                                                            \
	(VS_BIT(VIRTIO_BLK_F_SIZE_MAX) | VS_BIT(VIRTIO_BLK_F_SEG_MAX) |                    \
	 VS_BIT(VIRTIO_BLK_F_GEOMETRY) | VS_BIT(VIRTIO_BLK_F_BLK_SIZE) |                   \
	 VS_BIT(VIRTIO_BLK_F_FLUSH) | VS_BIT(VIRTIO_BLK_F_TOPOLOGY) |                      \
	 VS_BIT(VIRTIO_BLK_F_CONFIG_WCE) | VS_BIT(VIRTIO_BLK_F_DISCARD) |                  \
	 VS_BIT(VIRTIO_BLK_F_WRITE_ZEROES) | VS_BIT(VIRTIO_BLK_F_LIFETIME) |               \
	 VS_BIT(VIRTIO_BLK_F_SECURE_ERASE))

static inline void up_default(void)
{
	struct vs_device_params p = {0};

	ck_assert_int_eq(create(&p), 0);
	bring_up(ALL_BLK);
}

/* ---- the scripted driver ---- */

struct seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VRING_DESC_F_WRITE or 0 */
};

/* Chain segs at descriptors head.. on queue q, publish, kick. */
static inline void submit(unsigned q, uint16_t head, const struct seg *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = gp(RING_GPA(q) + 16u * (head + i), 16);

		vs_put_le64(d, s[i].gpa);
		vs_put_le32(d + 8, s[i].len);
		vs_put_le16(d + 12, (uint16_t)(s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0)));
		vs_put_le16(d + 14, (uint16_t)(head + i + 1));
	}
	vs_put_le16(gp(RING_GPA(q) + 0x1000 + VS_AVAIL_RING(avail_idx[q] % QSZ), 2), head);
	avail_idx[q]++;
	vs_put_le16(gp(RING_GPA(q) + 0x1000 + VS_AVAIL_IDX, 2), avail_idx[q]);
	vs_vdev_kick(vdev, q);
}

static inline void header(uint16_t h, uint32_t type, uint64_t sector)
{
	uint8_t *p = gp(HDR(h), 16);

	vs_put_le32(p + VS_BLK_HDR_TYPE, type);
	vs_put_le32(p + VS_BLK_HDR_RESERVED, 0);
	vs_put_le64(p + VS_BLK_HDR_SECTOR, sector);
	*gp(ST(h), 1) = 0xee; /* not a status: shows whether the device wrote it */
}

/* A request: header, nseg data buffers of seglen each (in: writable),
 * status byte; head h on queue q. */
static inline void request(unsigned q, uint16_t h, uint32_t type, uint64_t sector, unsigned nseg,
		    uint32_t seglen, int in)
{
	struct seg s[20];
	unsigned n = 0;

	ck_assert_uint_le(nseg, 18);
	header(h, type, sector);
	s[n++] = (struct seg){HDR(h), 16, 0};
	for (unsigned i = 0; i < nseg; i++)
		s[n++] = (struct seg){DATA(h) + (uint64_t)i * seglen, seglen,
				      in ? VRING_DESC_F_WRITE : 0};
	s[n++] = (struct seg){ST(h), 1, VRING_DESC_F_WRITE};
	submit(q, h, s, n);
}

/* DISCARD / WRITE_ZEROES / SECURE_ERASE with n ranges starting at sector,
 * count each. */
static inline void ranges(uint16_t h, uint32_t type, unsigned n, uint64_t sector, uint32_t count,
		   uint32_t flags)
{
	uint8_t *p = gp(DATA(h), 16ull * n);

	for (unsigned i = 0; i < n; i++) {
		vs_put_le64(p + 16 * i + VS_BLK_SEG_SECTOR, sector + (uint64_t)i * count);
		vs_put_le32(p + 16 * i + VS_BLK_SEG_NUM, count);
		vs_put_le32(p + 16 * i + VS_BLK_SEG_FLAGS, flags);
	}
	header(h, type, 0);
	struct seg s[3] = {{HDR(h), 16, 0}, {DATA(h), 16 * n, 0}, {ST(h), 1, VRING_DESC_F_WRITE}};
	submit(0, h, s, 3);
}

/* The next used element of queue q after draining: id and len. */
static inline void next_used(unsigned q, uint32_t *id, uint32_t *len)
{
	uint8_t *e;

	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_ne(vs_le16(gp(RING_GPA(q) + 0x2000 + VS_USED_IDX, 2)), used_seen[q]);
	e = gp(RING_GPA(q) + 0x2000 + VS_USED_RING(used_seen[q] % QSZ), 8);
	used_seen[q]++;
	*id = vs_le32(e);
	*len = vs_le32(e + 4);
}

/* Drain, expect head h used with len on queue q; the status byte. */
static inline uint8_t done(unsigned q, uint16_t h, uint32_t len)
{
	uint32_t id, l;

	next_used(q, &id, &l);
	ck_assert_uint_eq(id, h);
	ck_assert_uint_eq(l, len);
	return *gp(ST(h), 1);
}

static inline uint64_t cfg64(uint32_t off)
{
	uint8_t b[8];

	ck_assert_int_eq(vs_vdev_config_read(vdev, off, b, 8), 0);
	return vs_le64(b);
}

static inline uint32_t cfg32(uint32_t off)
{
	uint8_t b[4];

	ck_assert_int_eq(vs_vdev_config_read(vdev, off, b, 4), 0);
	return vs_le32(b);
}

static inline uint16_t cfg16(uint32_t off)
{
	uint8_t b[2];

	ck_assert_int_eq(vs_vdev_config_read(vdev, off, b, 2), 0);
	return vs_le16(b);
}

static inline uint8_t cfg8(uint32_t off)
{
	uint8_t b;

	ck_assert_int_eq(vs_vdev_config_read(vdev, off, &b, 1), 0);
	return b;
}


#endif /* VS_TEST_BLK_DEV_FIXTURE_H */
