/*
 * fuzz_vring_drv.c - fuzz target: the guest's virtqueue
 * (driver/virtio_ring*.c) fed arbitrary used-ring memory, split and packed.
 *
 * Input: byte 0 picks the layout and features (bit 0 packed, bit 1
 * VIRTIO_F_INDIRECT_DESC, bit 2 VIRTIO_F_EVENT_IDX, bit 3
 * VIRTIO_F_IN_ORDER), byte 1 the queue size; then rounds, each a count
 * byte (how many requests to add, one to three buffers each) followed by
 * the bytes a hostile device writes over what it owns -- the used ring
 * (split) or the descriptor ring (packed) -- before the interrupt and the
 * get_buf loop.  At the end every outstanding buffer is detached.
 * Invariants, checked here with abort(): a token comes back only if it
 * was outstanding, at most once, and by the end every token has come back
 * exactly once; all guest memory the ring allocated is freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/interrupt.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "driver/shim.h"

#define ARENA_SIZE (2u << 20)
#define MAX_TOKENS 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tok {
	u8 *buf;
	int out; /* 1 while the ring holds it */
};

static struct tok toks[MAX_TOKENS];
static unsigned int n_toks;

static bool no_notify(struct virtqueue *q)
{
	(void)q;
	return true;
}

static void no_cb(struct virtqueue *q)
{
	(void)q;
}

static void add_requests(struct virtqueue *vq, unsigned int n, u8 shape)
{
	while (n-- && n_toks < MAX_TOKENS) {
		struct tok *t = &toks[n_toks];
		struct scatterlist o[2], in, *sgs[2];
		unsigned int outs = shape % 3; /* 0..2 readable, always 1 writable */
		int err;

		t->buf = kmalloc(256, GFP_KERNEL);
		if (!t->buf)
			return;
		sg_init_table(o, 2);
		sg_set_buf(&o[0], t->buf, 16);
		sg_set_buf(&o[1], t->buf + 32, 32);
		if (outs == 1)
			sg_mark_end(&o[0]);
		sg_init_one(&in, t->buf + 128, 64);
		sgs[0] = outs ? o : &in;
		sgs[1] = &in;
		err = virtqueue_add_sgs(vq, sgs, outs ? 1 : 0, 1, t, GFP_KERNEL);
		if (err) {
			kfree(t->buf);
			return;
		}
		t->out = 1;
		n_toks++;
		shape = (u8)(shape * 5 + 1);
	}
}

/* A token handed back: it must be ours and outstanding. */
static void take_back(void *token)
{
	struct tok *t = token;

	if (t < toks || t >= toks + n_toks || !t->out)
		abort();
	t->out = 0;
	kfree(t->buf);
	t->buf = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_arena *arena;
	struct vs_faults faults;
	struct vs_guest_env env;
	struct virtio_device vdev;
	struct virtqueue *vq;
	unsigned int num, i, len, ring_bytes;
	uint64_t base;
	u8 flags, *ring;
	void *token;
	size_t pos = 2;

	if (size < 2)
		return 0;
	vs_log_set_level(VS_LOG_OFF);
	if (vs_arena_create(ARENA_SIZE, &arena) < 0)
		return 0;
	vs_faults_init(&faults, 1);
	env = (struct vs_guest_env){arena, NULL, NULL, NULL, &faults};
	if (vs_shim_bind(&env) < 0)
		abort();
	base = vs_arena_allocated(arena);
	flags = data[0];
	num = (flags & 1) ? 1u + data[1] : 1u << (data[1] % 9);
	memset(&vdev, 0, sizeof(vdev));
	dev_set_name(&vdev.dev, "fuzz");
	INIT_LIST_HEAD(&vdev.vqs);
	vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
			((flags & 1) ? BIT_ULL(VIRTIO_F_RING_PACKED) : 0) |
			((flags & 2) ? BIT_ULL(VIRTIO_F_INDIRECT_DESC) : 0) |
			((flags & 4) ? BIT_ULL(VIRTIO_F_EVENT_IDX) : 0) |
			((flags & 8) ? BIT_ULL(VIRTIO_F_IN_ORDER) : 0);
	vq = vring_create_virtqueue(0, num, 4096, &vdev, true, false, false, no_notify, no_cb,
				    "fuzzq");
	if (!vq)
		goto out;
	/* What the device owns: the used ring, or (packed) the descriptor ring
	 * it writes used descriptors into. */
	if (flags & 1) {
		ring_bytes = VS_DESC_SIZE(num);
		ring = vs_arena_translate(arena, virtqueue_get_desc_addr(vq), ring_bytes);
	} else {
		ring_bytes = VS_USED_SIZE(num);
		ring = vs_arena_translate(arena, virtqueue_get_used_addr(vq), ring_bytes);
	}
	if (!ring)
		abort();
	n_toks = 0;
	while (pos < size) {
		u8 count = data[pos++];
		size_t k = size - pos < ring_bytes ? size - pos : ring_bytes;

		add_requests(vq, count % (num + 2), count);
		virtqueue_kick(vq);
		/* The device writes over a prefix of what it owns. */
		memcpy(ring, data + pos, k);
		pos += k;
		vring_interrupt(0, vq);
		for (i = 0; i < 2 * num + 2 && (token = virtqueue_get_buf(vq, &len)); i++)
			take_back(token);
	}
	while ((token = virtqueue_detach_unused_buf(vq)))
		take_back(token);
	for (i = 0; i < n_toks; i++)
		if (toks[i].out)
			abort(); /* a buffer the ring forgot: neither used nor detachable */
	vring_del_virtqueue(vq);
	if (vs_arena_allocated(arena) != base)
		abort();
out:
	vs_shim_unbind();
	vs_arena_destroy(arena);
	return 0;
}
