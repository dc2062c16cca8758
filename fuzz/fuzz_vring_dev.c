/*
 * fuzz_vring_dev.c - fuzz target: the device-side ring engine
 * (devices/vring*.c) fed arbitrary ring memory, split and packed.
 *
 * Input: byte 0 picks the layout and ring features (bit 0 packed, bit 1
 * VIRTIO_F_INDIRECT_DESC, bit 2 VIRTIO_F_EVENT_IDX, bit 3
 * VIRTIO_F_IN_ORDER), byte 1 the queue size; the rest fills, in order, the
 * descriptor area, the driver area, the device area and an indirect-table
 * page of a 1 MiB arena, whatever a hostile driver could write there.  The
 * engine then pops and pushes until it reports the ring empty or broken,
 * twice (the second time after the driver area's index moves by the last
 * input byte).  It must never touch memory outside the arena (ASan), loop
 * without end, or abort; what it makes of the ring is its business.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "devices/vring.h"

#define ARENA_SIZE (1u << 20)
#define DESC_GPA 0x10000u
#define DRIVER_GPA 0x20000u
#define DEVICE_GPA 0x30000u
#define TABLE_GPA 0x40000u
#define AREA_MAX 0x8000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	(void)opaque;
	(void)kind;
	(void)q;
}

static const struct vs_vdev_transport_ops ops = {.interrupt = no_interrupt};

/* Copy up to max input bytes to gpa; returns how many were used. */
static size_t fill(struct vs_arena *a, uint64_t gpa, const uint8_t *d, size_t n, size_t max)
{
	size_t k = n < max ? n : max;

	if (k)
		memcpy(vs_arena_translate(a, gpa, k), d, k);
	return k;
}

static void drain(struct vs_vq *vq, uint32_t num)
{
	struct vs_vq_elem *elem = malloc(sizeof(*elem));
	uint8_t junk[64];
	unsigned n;

	if (!elem)
		return;
	memset(junk, 0xa5, sizeof(junk));
	for (n = 0; n < 2 * num + 4; n++) {
		uint64_t w;

		if (vs_vq_pop(vq, elem) != 0)
			break;
		w = elem->in_len < sizeof(junk) ? elem->in_len : sizeof(junk);
		if (w)
			vs_vq_write(vq, elem, 0, junk, w);
		if (elem->out_len)
			vs_vq_read(vq, elem, 0, junk, elem->out_len < 16 ? elem->out_len : 16);
		vs_vq_push(vq, elem, (uint32_t)w);
	}
	vs_vq_flush(vq);
	vs_vq_notify(vq);
	free(elem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_arena *arena = NULL;
	struct vs_loop *loop = NULL;
	struct vs_faults faults;
	struct vs_vdev *vdev = NULL;
	struct vs_vdev_env env;
	struct vs_device_params p;
	struct vs_vq *vq;
	uint64_t accept;
	uint32_t num;
	uint8_t flags;
	size_t used;

	if (size < 2)
		return 0;
	vs_log_set_level(VS_LOG_OFF);
	flags = data[0];
	accept = VS_BIT(VIRTIO_F_VERSION_1);
	if (flags & 1)
		accept |= VS_BIT(VIRTIO_F_RING_PACKED);
	if (flags & 2)
		accept |= VS_BIT(VIRTIO_F_INDIRECT_DESC);
	if (flags & 4)
		accept |= VS_BIT(VIRTIO_F_EVENT_IDX);
	if (flags & 8)
		accept |= VS_BIT(VIRTIO_F_IN_ORDER);
	/* Split sizes are powers of 2; packed ones need not be. */
	num = (flags & 1) ? 1u + data[1] : 1u << (data[1] % 9);
	if (vs_arena_create(ARENA_SIZE, &arena) < 0 || vs_loop_create(&loop) < 0)
		goto out;
	vs_faults_init(&faults, 1);
	memset(&env, 0, sizeof(env));
	env.arena = arena;
	env.loop = loop;
	env.faults = &faults;
	env.seed = 1;
	memset(&p, 0, sizeof(p));
	p.features_add = accept;
	p.queue_size_max = 256;
	if (vs_device_create("rng", &p, &env, &vdev) < 0 || vs_vdev_bind(vdev, &ops, NULL, 0) < 0)
		goto out;
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vs_vdev_set_driver_features_word(vdev, 0, (uint32_t)accept);
	vs_vdev_set_driver_features_word(vdev, 1, (uint32_t)(accept >> 32));
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK);
	if (vs_vdev_queue_set_num(vdev, 0, num) < 0 ||
	    vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DESC, DESC_GPA) < 0 ||
	    vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DRIVER, DRIVER_GPA) < 0 ||
	    vs_vdev_queue_set_addr(vdev, 0, VS_VQ_AREA_DEVICE, DEVICE_GPA) < 0)
		goto out;
	data += 2;
	size -= 2;
	used = fill(arena, DESC_GPA, data, size, (flags & 1) ? 16u * num : VS_DESC_SIZE(num));
	used += fill(arena, DRIVER_GPA, data + used, size - used,
		     (flags & 1) ? 4u : VS_AVAIL_SIZE(num));
	used += fill(arena, DEVICE_GPA, data + used, size - used,
		     (flags & 1) ? 4u : VS_USED_SIZE(num));
	used += fill(arena, TABLE_GPA, data + used, size - used, AREA_MAX);
	if (vs_vdev_queue_set_ready(vdev, 0, 1) < 0)
		goto out;
	vs_vdev_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	vq = vs_vdev_queue(vdev, 0);
	if (!vq)
		goto out;
	drain(vq, num);
	/* The driver publishes more (split: avail idx moves; packed: the
	 * event structure changes) and kicks again. */
	if (size && !(flags & 1)) {
		uint8_t *idx = vs_arena_translate(arena, DRIVER_GPA + VS_AVAIL_IDX, 2);

		vs_put_le16(idx, (uint16_t)(vs_le16(idx) + data[size - 1]));
	} else if (size) {
		memset(vs_arena_translate(arena, DRIVER_GPA, 4), data[size - 1], 4);
	}
	drain(vq, num);
	vs_loop_drain(loop);
out:
	if (vdev)
		vs_vdev_unbind(vdev);
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
	return 0;
}
