/*
 * check_vring_drv.c - the guest's split virtqueue (driver/virtio_ring*.c)
 * against a tiny device written here, which reads the avail ring and
 * writes the used ring straight into arena memory: exact tokens and
 * lengths, the free list, 16-bit index wrap, callback and notification
 * suppression, the forced kick, detaching, every bad used entry a device
 * can write (queue broken, no crash), and the exact bytes each driver
 * fault point writes.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/virtio_abi.h"
#include "driver/shim.h"

#define ARENA_SIZE (4u << 20)

static struct vs_arena *arena;
static struct vs_faults faults;
static struct virtio_device vdev;
static struct virtqueue *vq;
static unsigned int notifies, callbacks;
static int tok[8]; /* tokens: their addresses */

static bool fake_notify(struct virtqueue *q)
{
	(void)q;
	notifies++;
	return true;
}

static void fake_cb(struct virtqueue *q)
{
	(void)q;
	callbacks++;
}

/* ---- the device, in the test ---- */
static struct {
	u8 *desc, *avail, *used;
	unsigned int num;
	u16 last_avail, used_idx;
} dev;

static void dev_attach(void)
{
	dev.num = virtqueue_get_vring_size(vq);
	dev.desc = vs_arena_translate(arena, virtqueue_get_desc_addr(vq), VS_DESC_SIZE(dev.num));
	dev.avail = vs_arena_translate(arena, virtqueue_get_avail_addr(vq), VS_AVAIL_SIZE(dev.num));
	dev.used = vs_arena_translate(arena, virtqueue_get_used_addr(vq), VS_USED_SIZE(dev.num));
	ck_assert_ptr_nonnull(dev.desc);
	ck_assert_ptr_nonnull(dev.avail);
	ck_assert_ptr_nonnull(dev.used);
	dev.last_avail = 0;
	dev.used_idx = 0;
}

static u16 dev_avail_idx(void)
{
	return vs_le16(dev.avail + VS_AVAIL_IDX);
}

/* Next available head; -1 when none. */
static int dev_pop(void)
{
	u16 head;

	if (dev.last_avail == dev_avail_idx())
		return -1;
	head = vs_le16(dev.avail + VS_AVAIL_RING(dev.last_avail % dev.num));
	dev.last_avail++;
	return head;
}

static struct vring_desc dev_desc(unsigned int i)
{
	const u8 *d = dev.desc + 16 * i;

	return (struct vring_desc){ vs_le64(d), vs_le32(d + 8), vs_le16(d + 12), vs_le16(d + 14) };
}

static void dev_push(u32 id, u32 len)
{
	u8 *e = dev.used + VS_USED_RING(dev.used_idx % dev.num);

	vs_put_le32(e, id);
	vs_put_le32(e + 4, len);
	dev.used_idx++;
	vs_put_le16(dev.used + VS_USED_IDX, dev.used_idx);
}

/* ---- fixture ---- */

static void setup(void)
{
	struct vs_guest_env env;

	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	vs_faults_init(&faults, 7);
	env = (struct vs_guest_env){ arena, NULL, NULL, NULL, &faults };
	ck_assert_int_eq(vs_shim_bind(&env), 0);
	memset(&vdev, 0, sizeof(vdev));
	dev_set_name(&vdev.dev, "vtest");
	INIT_LIST_HEAD(&vdev.vqs);
	vdev.features = BIT_ULL(VIRTIO_F_VERSION_1);
	notifies = callbacks = 0;
	vq = NULL;
}

static void teardown(void)
{
	if (vq)
		vring_del_virtqueue(vq);
	ck_assert(list_empty(&vdev.vqs));
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_shim_unbind();
	vs_arena_destroy(arena);
}

static void mkvq(unsigned int num, bool cb, bool ctx)
{
	vq = vring_create_virtqueue(0, num, 4096, &vdev, true, false, ctx, fake_notify,
				    cb ? fake_cb : NULL, "testq");
	ck_assert_ptr_nonnull(vq);
	dev_attach();
}

static int add_in(void *buf, unsigned int len, void *token)
{
	struct scatterlist sg;

	sg_init_one(&sg, buf, len);
	return virtqueue_add_inbuf(vq, &sg, 1, token, GFP_KERNEL);
}

/* ---- Core ---- */

START_TEST(create_layout)
{
	mkvq(256, true, false);
	ck_assert_uint_eq(dev.num, 256);
	ck_assert_uint_eq(vq->num_free, 256);
	ck_assert_uint_eq(virtqueue_get_desc_addr(vq) % 4096, 0);
	ck_assert_uint_eq(virtqueue_get_avail_addr(vq), virtqueue_get_desc_addr(vq) + 4096);
	ck_assert_uint_eq(virtqueue_get_used_addr(vq), virtqueue_get_desc_addr(vq) + 8192);
	ck_assert_uint_eq(vs_le16(dev.used + VS_USED_FLAGS), 0);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), 0);
	ck_assert_uint_eq(vs_arena_allocated(arena) >= 3 * 4096, 1);
	ck_assert_ptr_eq(list_first_entry(&vdev.vqs, struct virtqueue, list), vq);
	ck_assert(!virtqueue_is_broken(vq));
}
END_TEST

START_TEST(create_rejects_bad_sizes)
{
	ck_assert_ptr_null(vring_create_virtqueue(0, 100, 4096, &vdev, true, false, false,
						  fake_notify, NULL, "q"));
	ck_assert_ptr_null(vring_create_virtqueue(0, 65536, 4096, &vdev, true, false, false,
						  fake_notify, NULL, "q"));
	ck_assert_ptr_null(vring_create_virtqueue(0, 0, 4096, &vdev, true, false, false,
						  fake_notify, NULL, "q"));
	ck_assert_ptr_null(vring_create_virtqueue(0, 8, 3, &vdev, true, false, false,
						  fake_notify, NULL, "q"));
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
}
END_TEST

START_TEST(round_trip_exact_tokens_and_lens)
{
	u8 *buf = kmalloc(1024, GFP_KERNEL);
	unsigned int len = 0, i;
	int heads[3];

	mkvq(8, true, false);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(add_in(buf + 256 * i, 100 * (i + 1), &tok[i]), 0);
	ck_assert_uint_eq(vq->num_free, 5);
	ck_assert_uint_eq(dev_avail_idx(), 3);
	ck_assert(virtqueue_kick(vq));
	ck_assert_uint_eq(notifies, 1);
	for (i = 0; i < 3; i++) {
		struct vring_desc d;

		heads[i] = dev_pop();
		ck_assert_int_ge(heads[i], 0);
		d = dev_desc((unsigned int)heads[i]);
		ck_assert_uint_eq(d.addr, virt_to_phys(buf + 256 * i));
		ck_assert_uint_eq(d.len, 100 * (i + 1));
		ck_assert_uint_eq(d.flags, VRING_DESC_F_WRITE);
	}
	ck_assert_int_eq(dev_pop(), -1);
	/* Complete out of order. */
	for (i = 3; i-- > 0;)
		dev_push((u32)heads[i], 10 * (i + 1));
	for (i = 3; i-- > 0;) {
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[i]);
		ck_assert_uint_eq(len, 10 * (i + 1));
	}
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert_uint_eq(vq->num_free, 8);
	kfree(buf);
}
END_TEST

START_TEST(chain_readable_then_writable)
{
	u8 *buf = kmalloc(256, GFP_KERNEL);
	struct scatterlist o1, o2[2], in, *sgs[3] = { &o1, o2, &in };
	struct vring_desc d;
	unsigned int len;
	int head, i;

	mkvq(8, true, false);
	sg_init_one(&o1, buf, 8);
	sg_init_table(o2, 2);
	sg_set_buf(&o2[0], buf + 16, 16);
	sg_set_buf(&o2[1], buf + 32, 4);
	sg_init_one(&in, buf + 64, 100);
	ck_assert_int_eq(virtqueue_add_sgs(vq, sgs, 2, 1, &tok[0], GFP_KERNEL), 0);
	ck_assert_uint_eq(vq->num_free, 4);
	head = dev_pop();
	ck_assert_int_eq(head, 0);
	{
		static const u32 lens[] = { 8, 16, 4, 100 };
		static const u32 offs[] = { 0, 16, 32, 64 };
		unsigned int at = (unsigned int)head;

		for (i = 0; i < 4; i++) {
			d = dev_desc(at);
			ck_assert_uint_eq(d.addr, virt_to_phys(buf + offs[i]));
			ck_assert_uint_eq(d.len, lens[i]);
			ck_assert_uint_eq(d.flags, (i < 3 ? VRING_DESC_F_NEXT : 0) |
						   (i == 3 ? VRING_DESC_F_WRITE : 0));
			at = d.next;
		}
	}
	/* All 100 writable bytes may be used, no more. */
	dev_push((u32)head, 100);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert_uint_eq(len, 100);
	ck_assert_uint_eq(vq->num_free, 8);
	kfree(buf);
}
END_TEST

START_TEST(free_list_reuse)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len;
	int heads[4], i;

	mkvq(4, true, false);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(add_in(buf, 16, &tok[i]), 0);
		heads[i] = dev_pop();
		ck_assert_int_eq(heads[i], i);
	}
	ck_assert_uint_eq(vq->num_free, 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[5]), -ENOSPC);
	dev_push(2, 0);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[2]);
	ck_assert_uint_eq(vq->num_free, 1);
	ck_assert_int_eq(add_in(buf, 16, &tok[6]), 0);
	ck_assert_int_eq(dev_pop(), 2); /* the freed head, reused */
	ck_assert_uint_eq(vq->num_free, 0);
	kfree(buf);
}
END_TEST

START_TEST(index_wraps_past_65536)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len, i;
	int head;

	mkvq(4, true, false);
	for (i = 0; i < 70000; i++) {
		ck_assert_int_eq(add_in(buf, 64, &tok[i % 8]), 0);
		virtqueue_kick(vq);
		head = dev_pop();
		ck_assert_int_ge(head, 0);
		dev_push((u32)head, i % 64 + 1);
		len = 0;
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[i % 8]);
		ck_assert_uint_eq(len, i % 64 + 1);
	}
	ck_assert_uint_eq(dev_avail_idx(), 70000 % 65536);
	ck_assert_uint_eq(vs_le16(dev.used + VS_USED_IDX), 70000 % 65536);
	ck_assert_uint_eq(notifies, 70000);
	ck_assert_uint_eq(vq->num_free, 4);
	ck_assert(!virtqueue_is_broken(vq));
	kfree(buf);
}
END_TEST

START_TEST(ctx_round_trip)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist sg;
	void *ctx = NULL;
	unsigned int len;

	mkvq(4, true, true);
	sg_init_one(&sg, buf, 64);
	ck_assert_int_eq(virtqueue_add_inbuf_ctx(vq, &sg, 1, &tok[0], &tok[1], GFP_KERNEL), 0);
	dev_push((u32)dev_pop(), 3);
	ck_assert_ptr_eq(virtqueue_get_buf_ctx(vq, &len, &ctx), &tok[0]);
	ck_assert_ptr_eq(ctx, &tok[1]);
	kfree(buf);
}
END_TEST

START_TEST(add_argument_errors)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist sg[5];

	mkvq(4, true, false);
	ck_assert_int_eq(add_in(buf, 8, NULL), -EINVAL);
	sg_init_one(sg, buf, 8);
	ck_assert_int_eq(virtqueue_add_inbuf(vq, sg, 0, &tok[0], GFP_KERNEL), -EINVAL);
	/* ctx on a queue without contexts */
	ck_assert_int_eq(virtqueue_add_inbuf_ctx(vq, sg, 1, &tok[0], &tok[1], GFP_KERNEL), -EINVAL);
	/* five descriptors never fit a queue of four */
	sg_init_table(sg, 5);
	for (int i = 0; i < 5; i++)
		sg_set_buf(&sg[i], buf, 4);
	ck_assert_int_eq(virtqueue_add_outbuf(vq, sg, 5, &tok[0], GFP_KERNEL), -ENOSPC);
	/* ...and an output request that does not fit prods the device */
	ck_assert_uint_eq(notifies, 1);
	ck_assert_uint_eq(vq->num_free, 4);
	ck_assert_uint_eq(dev_avail_idx(), 0);
	/* num limits how much of the list is used */
	ck_assert_int_eq(virtqueue_add_outbuf(vq, sg, 2, &tok[0], GFP_KERNEL), 0);
	ck_assert_uint_eq(vq->num_free, 2);
	kfree(buf);
}
END_TEST

/* ---- Notifications ---- */

START_TEST(disable_enable_cb_flags)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len;

	mkvq(4, true, false);
	virtqueue_disable_cb(vq);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), VRING_AVAIL_F_NO_INTERRUPT);
	ck_assert(virtqueue_enable_cb(vq)); /* nothing pending */
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), 0);
	virtqueue_disable_cb(vq);
	ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
	dev_push((u32)dev_pop(), 1);
	ck_assert(!virtqueue_enable_cb(vq)); /* a buffer is pending: poll again */
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), 0);
	ck_assert(!virtqueue_enable_cb_delayed(vq));
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert(virtqueue_enable_cb_delayed(vq));
	kfree(buf);
}
END_TEST

START_TEST(no_callback_means_no_interrupt)
{
	mkvq(4, false, false);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), VRING_AVAIL_F_NO_INTERRUPT);
}
END_TEST

START_TEST(no_notify_suppresses_kick)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);

	mkvq(4, true, false);
	vs_put_le16(dev.used + VS_USED_FLAGS, VRING_USED_F_NO_NOTIFY);
	ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
	ck_assert(!virtqueue_kick_prepare(vq));
	ck_assert_int_eq(add_in(buf, 8, &tok[1]), 0);
	ck_assert(virtqueue_kick(vq)); /* no error, but no notification */
	ck_assert_uint_eq(notifies, 0);
	vs_put_le16(dev.used + VS_USED_FLAGS, 0);
	ck_assert_int_eq(add_in(buf, 8, &tok[2]), 0);
	ck_assert(virtqueue_kick(vq));
	ck_assert_uint_eq(notifies, 1);
	kfree(buf);
}
END_TEST

START_TEST(forced_kick_every_65535_adds)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len, i;

	mkvq(1, true, false);
	for (i = 1; i <= 65535 + 10; i++) {
		ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
		ck_assert_uint_eq(notifies, i >= 65535 ? 1u : 0u);
		dev_push((u32)dev_pop(), 0);
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	}
	kfree(buf);
}
END_TEST

START_TEST(interrupt_dispatch)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);

	mkvq(4, true, false);
	ck_assert_int_eq(vring_interrupt(5, vq), IRQ_NONE);
	ck_assert_uint_eq(callbacks, 0);
	ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
	dev_push((u32)dev_pop(), 2);
	ck_assert_int_eq(vring_interrupt(5, vq), IRQ_HANDLED);
	ck_assert_uint_eq(callbacks, 1);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, NULL), &tok[0]);
	ck_assert_int_eq(vring_interrupt(5, vq), IRQ_NONE);
	ck_assert_uint_eq(callbacks, 1);
	kfree(buf);
}
END_TEST

/* ---- Teardown ---- */

START_TEST(detach_returns_each_token_once)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int seen[8] = { 0 }, n = 0, len;
	void *t;
	int i;

	mkvq(8, true, false);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(add_in(buf, 8, &tok[i]), 0);
	/* heads 0..5: the device uses 1 and 4; the driver collects 1 only */
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(dev_pop(), i);
	dev_push(1, 1);
	dev_push(4, 1);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[1]);
	while ((t = virtqueue_detach_unused_buf(vq)) != NULL) {
		i = (int)((int *)t - tok);
		ck_assert_int_ge(i, 0);
		ck_assert_int_lt(i, 8);
		seen[i]++;
		n++;
	}
	ck_assert_uint_eq(n, 5);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(seen[i], i == 1 ? 0u : 1u);
	ck_assert_uint_eq(vq->num_free, 8);
	ck_assert_ptr_null(virtqueue_detach_unused_buf(vq));
	kfree(buf);
}
END_TEST

/* ---- A faulty device ---- */

enum bad_used { BAD_ID_RANGE, BAD_ID_FREE, BAD_ID_TWICE, BAD_LEN, BAD_IDX_JUMP, BAD_COUNT };

START_TEST(bad_used_entry_breaks_queue)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len;

	mkvq(8, true, false);
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[1]), 0);
	ck_assert_int_eq(dev_pop(), 0);
	ck_assert_int_eq(dev_pop(), 1);
	switch (_i) {
	case BAD_ID_RANGE:
		dev_push(8, 1);
		break;
	case BAD_ID_FREE:
		dev_push(5, 1); /* never made available */
		break;
	case BAD_ID_TWICE:
		dev_push(0, 1);
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
		dev_push(0, 1); /* used again */
		break;
	case BAD_LEN:
		dev_push(1, 17); /* 16 writable bytes */
		break;
	case BAD_IDX_JUMP:
		dev_push(0, 1);
		vs_put_le16(dev.used + VS_USED_IDX, 3); /* 2 outstanding */
		break;
	}
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert(virtqueue_is_broken(vq));
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert_int_eq(add_in(buf, 16, &tok[2]), -EIO);
	ck_assert(!virtqueue_kick(vq));
	ck_assert_uint_eq(notifies, 0);
	ck_assert_int_eq(vring_interrupt(1, vq), IRQ_HANDLED);
	ck_assert_uint_eq(callbacks, 0);
	/* The driver's own books are intact: both tokens come back. */
	{
		unsigned int n = 0;

		while (virtqueue_detach_unused_buf(vq))
			n++;
		ck_assert_uint_eq(n, _i == BAD_ID_TWICE ? 1u : 2u);
		ck_assert_uint_eq(vq->num_free, 8);
	}
	kfree(buf);
}
END_TEST

START_TEST(break_device_breaks_every_queue)
{
	mkvq(4, true, false);
	virtio_break_device(&vdev);
	ck_assert(virtqueue_is_broken(vq));
}
END_TEST

/* ---- Driver fault points ---- */

START_TEST(fault_desc_loop)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	struct vring_desc d;

	mkvq(8, true, false);
	vs_faults_set(&faults, VS_FAULT_DRV_DESC_LOOP, VS_FAULT_COUNTED, 2, 0, 0);
	/* One descriptor: it links to itself. */
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	d = dev_desc(0);
	ck_assert_uint_eq(d.flags, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	ck_assert_uint_eq(d.next, 0);
	/* A chain 1 -> 2: its last links back to the head. */
	sg_init_one(&out, buf, 8);
	sg_init_one(&in, buf + 16, 8);
	ck_assert_int_eq(virtqueue_add_sgs(vq, sgs, 1, 1, &tok[1], GFP_KERNEL), 0);
	ck_assert_uint_eq(dev_desc(1).flags, VRING_DESC_F_NEXT);
	ck_assert_uint_eq(dev_desc(1).next, 2);
	d = dev_desc(2);
	ck_assert_uint_eq(d.flags, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	ck_assert_uint_eq(d.next, 1);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_DESC_LOOP].fired, 2);
	/* Switch used up: the next chain is sane, and the free list too. */
	ck_assert_int_eq(add_in(buf, 16, &tok[2]), 0);
	ck_assert_uint_eq(dev_desc(3).flags, VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->num_free, 4);
	while (virtqueue_detach_unused_buf(vq))
		;
	ck_assert_uint_eq(vq->num_free, 8);
	kfree(buf);
}
END_TEST

START_TEST(fault_desc_out_of_range)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);

	mkvq(8, true, false);
	vs_faults_set(&faults, VS_FAULT_DRV_DESC_OUT_OF_RANGE, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_uint_eq(dev_desc(0).addr, ARENA_SIZE);
	ck_assert_uint_eq(dev_desc(0).len, 16);
	ck_assert_int_eq(add_in(buf, 16, &tok[1]), 0);
	ck_assert_uint_eq(dev_desc(1).addr, virt_to_phys(buf));
	kfree(buf);
}
END_TEST

START_TEST(fault_write_before_read)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	unsigned int len;

	mkvq(8, true, false);
	vs_faults_set(&faults, VS_FAULT_DRV_WRITE_BEFORE_READ, VS_FAULT_COUNTED, 1, 0, 0);
	/* Only writable parts: nothing to reorder, the switch is not used up. */
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_WRITE_BEFORE_READ].fired, 0);
	sg_init_one(&out, buf, 10);
	sg_init_one(&in, buf + 32, 20);
	ck_assert_int_eq(virtqueue_add_sgs(vq, sgs, 1, 1, &tok[1], GFP_KERNEL), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_WRITE_BEFORE_READ].fired, 1);
	ck_assert_uint_eq(dev_desc(1).flags, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	ck_assert_uint_eq(dev_desc(1).len, 20);
	ck_assert_uint_eq(dev_desc(1).addr, virt_to_phys(buf + 32));
	ck_assert_uint_eq(dev_desc(1).next, 2);
	ck_assert_uint_eq(dev_desc(2).flags, 0);
	ck_assert_uint_eq(dev_desc(2).len, 10);
	/* The driver still knows 20 bytes are writable. */
	ck_assert_int_eq(dev_pop(), 0);
	ck_assert_int_eq(dev_pop(), 1);
	dev_push(1, 20);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[1]);
	kfree(buf);
}
END_TEST

START_TEST(fault_avail_idx_jump)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len;

	mkvq(8, true, false);
	vs_faults_set(&faults, VS_FAULT_DRV_AVAIL_IDX_JUMP, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_uint_eq(dev_avail_idx(), 1 + 8 + 1);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_RING(0)), 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[1]), 0);
	ck_assert_uint_eq(dev_avail_idx(), 2);
	/* The driver's own idx never moved: completions are accepted. */
	dev.last_avail = 2;
	dev_push(1, 16);
	dev_push(0, 16);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[1]);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert(!virtqueue_is_broken(vq));
	kfree(buf);
}
END_TEST

/* ---- Indirect tables ---- */

static void mkvq_f(unsigned int num, u64 features)
{
	vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) | features;
	vq = vring_create_virtqueue(0, num, 4096, &vdev, true, false, true, fake_notify, fake_cb,
				    "testq");
	ck_assert_ptr_nonnull(vq);
	if (!(features & BIT_ULL(VIRTIO_F_RING_PACKED)))
		dev_attach();
}

/* Two readable buffers and one writable: 8, 16 and 32 bytes of buf. */
static int add_three(u8 *buf, void *token)
{
	struct scatterlist o[2], in, *sgs[2] = { o, &in };

	sg_init_table(o, 2);
	sg_set_buf(&o[0], buf, 8);
	sg_set_buf(&o[1], buf + 16, 16);
	sg_init_one(&in, buf + 64, 32);
	return virtqueue_add_sgs(vq, sgs, 1, 1, token, GFP_KERNEL);
}

START_TEST(split_indirect_table)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);
	u64 base;
	struct vring_desc d;
	const u8 *t;
	unsigned int len;

	mkvq_f(8, BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	base = vs_arena_allocated(arena);
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_uint_eq(vq->num_free, 7);
	ck_assert_int_eq(dev_pop(), 0);
	d = dev_desc(0);
	ck_assert_uint_eq(d.flags, VRING_DESC_F_INDIRECT);
	ck_assert_uint_eq(d.len, 48);
	t = phys_to_virt(d.addr);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(vs_le64(t), virt_to_phys(buf));
	ck_assert_uint_eq(vs_le16(t + 12), VRING_DESC_F_NEXT);
	ck_assert_uint_eq(vs_le16(t + 14), 1);
	ck_assert_uint_eq(vs_le32(t + 16 + 8), 16);
	ck_assert_uint_eq(vs_le16(t + 32 + 12), VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vs_le32(t + 32 + 8), 32);
	ck_assert_uint_gt(vs_arena_allocated(arena), base);
	/* One buffer: no table. */
	ck_assert_int_eq(add_in(buf, 16, &tok[1]), 0);
	ck_assert_uint_eq(dev_desc(1).flags, VRING_DESC_F_WRITE);
	dev_push(0, 32);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(vs_arena_allocated(arena), base); /* the table is freed */
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

START_TEST(indirect_falls_back_to_direct)
{
	static void *hog[4096];
	static const size_t sizes[] = { 65536, 4096, 256, 16 };
	u8 *buf = kmalloc(128, GFP_KERNEL);
	unsigned int n = 0, i;

	mkvq_f(8, BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	/* Guest RAM full: no table can be had. */
	for (i = 0; i < 4; i++)
		while (n < 4096 && (hog[n] = kmalloc(sizes[i], GFP_KERNEL)) != NULL)
			n++;
	ck_assert_uint_lt(n, 4096);
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_uint_eq(vq->num_free, 5);
	ck_assert_uint_eq(dev_desc(0).flags, VRING_DESC_F_NEXT);
	ck_assert_uint_eq(dev_desc(2).flags, VRING_DESC_F_WRITE);
	while (n)
		kfree(hog[--n]);
	ck_assert_ptr_eq(virtqueue_detach_unused_buf(vq), &tok[0]);
	kfree(buf);
}
END_TEST

START_TEST(fault_indirect_misuse)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);
	const u8 *t;

	mkvq_f(8, BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_NEXT, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_uint_eq(dev_desc(0).flags, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_NESTED, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_three(buf, &tok[1]), 0);
	t = phys_to_virt(dev_desc(1).addr);
	ck_assert_uint_eq(vs_le16(t + 12), VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT);
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_LEN, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_three(buf, &tok[2]), 0);
	ck_assert_uint_eq(dev_desc(2).len, 40);
	/* Used up: the next table is sane. */
	ck_assert_int_eq(add_three(buf, &tok[3]), 0);
	ck_assert_uint_eq(dev_desc(3).flags, VRING_DESC_F_INDIRECT);
	ck_assert_uint_eq(dev_desc(3).len, 48);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

/* A request of more buffers than the queue size never goes in a table
 * (spec ...indirect-descriptors.3) -- except with the fault, which is
 * asked only for such a request. */
START_TEST(fault_chain_too_long)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);

	mkvq_f(2, BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	vs_faults_set(&faults, VS_FAULT_DRV_CHAIN_TOO_LONG, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_CHAIN_TOO_LONG].fired, 0);
	ck_assert_int_eq(add_three(buf, &tok[1]), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_CHAIN_TOO_LONG].fired, 1);
	ck_assert_uint_eq(dev_desc(1).flags, VRING_DESC_F_INDIRECT);
	ck_assert_uint_eq(dev_desc(1).len, 48);
	ck_assert_uint_eq(vq->num_free, 0);
	while (virtqueue_detach_unused_buf(vq))
		;
	/* Used up: three buffers on a queue of 2 fail again. */
	ck_assert_int_eq(add_three(buf, &tok[2]), -ENOSPC);
	kfree(buf);
}
END_TEST

/* ---- EVENT_IDX, split ---- */

START_TEST(split_event_idx)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len, i;

	mkvq_f(8, BIT_ULL(VIRTIO_F_EVENT_IDX));
	/* avail_event 0: the first add needs a kick, the next ones not. */
	ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
	ck_assert(virtqueue_kick_prepare(vq));
	ck_assert_int_eq(add_in(buf, 8, &tok[1]), 0);
	ck_assert(!virtqueue_kick_prepare(vq));
	/* The device asks for a kick at entry 3: adding 2 and 3 crosses it. */
	vs_put_le16(dev.used + VS_USED_AVAIL_EVENT(8), 3);
	ck_assert_int_eq(add_in(buf, 8, &tok[2]), 0);
	ck_assert(!virtqueue_kick_prepare(vq));
	ck_assert_int_eq(add_in(buf, 8, &tok[3]), 0);
	ck_assert_int_eq(add_in(buf, 8, &tok[4]), 0);
	ck_assert(virtqueue_kick_prepare(vq));
	/* Callbacks off: flags stay 0, used_event far behind. */
	virtqueue_disable_cb(vq);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), 0);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_USED_EVENT(8)), 0xffff);
	for (i = 0; i < 5; i++)
		dev_push((u32)dev_pop(), 1);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	/* Still off: get_buf leaves used_event alone. */
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_USED_EVENT(8)), 0xffff);
	ck_assert(!virtqueue_enable_cb(vq)); /* 4 pending */
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_USED_EVENT(8)), 1);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[1]);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_USED_EVENT(8)), 2);
	while (virtqueue_get_buf(vq, &len))
		;
	/* Delayed: 4 outstanding, wake after 3. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(add_in(buf, 8, &tok[i]), 0);
	ck_assert(virtqueue_enable_cb_delayed(vq));
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_USED_EVENT(8)), 5 + 3);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_FLAGS), 0);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

/* ---- IN_ORDER, split ---- */

START_TEST(split_in_order_batch)
{
	u8 *buf = kmalloc(256, GFP_KERNEL);
	struct scatterlist o, in, *sgs[2] = { &o, &in };
	unsigned int len, i;

	mkvq_f(4, BIT_ULL(VIRTIO_F_IN_ORDER));
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(add_in(buf + 64 * i, 16, &tok[i]), 0);
	/* One used entry for the whole batch, at the batch's first slot. */
	dev_push(2, 5);
	vs_put_le16(dev.used + VS_USED_IDX, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[i]);
		ck_assert_uint_eq(len, i < 2 ? 16u : 5u);
	}
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert_uint_eq(vq->num_free, 4);
	/* Descriptors in ring order: the next chain starts at 3 and wraps
	 * to 0 (spec drv.basic.virtqueues.virtqueue-descriptor-table.2). */
	sg_init_one(&o, buf, 8);
	sg_init_one(&in, buf + 64, 8);
	ck_assert_int_eq(virtqueue_add_sgs(vq, sgs, 1, 1, &tok[4], GFP_KERNEL), 0);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_RING(3)), 3);
	ck_assert_uint_eq(dev_desc(3).flags, VRING_DESC_F_NEXT);
	ck_assert_uint_eq(dev_desc(3).next, 0);
	ck_assert_uint_eq(dev_desc(0).flags, VRING_DESC_F_WRITE);
	/* A used id that is not the next one in order breaks the queue. */
	ck_assert_int_eq(add_in(buf, 16, &tok[5]), 0); /* head 1 */
	dev.used_idx = 3;
	dev_push(1, 1); /* batch 3..1 would be 2 chains; used idx moved by 1 */
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert(virtqueue_is_broken(vq));
	while (virtqueue_detach_unused_buf(vq))
		;
	ck_assert_uint_eq(vq->num_free, 4);
	kfree(buf);
}
END_TEST

/* ---- Packed ---- */

static struct {
	u8 *ring, *drv_ev, *dev_ev;
	unsigned int num;
	unsigned int avail, used; /* device's positions */
	bool avail_wrap, used_wrap;
} pd;

static void pdev_attach(void)
{
	pd.num = virtqueue_get_vring_size(vq);
	pd.ring = vs_arena_translate(arena, virtqueue_get_desc_addr(vq), VS_DESC_SIZE(pd.num));
	pd.drv_ev = vs_arena_translate(arena, virtqueue_get_avail_addr(vq), 4);
	pd.dev_ev = vs_arena_translate(arena, virtqueue_get_used_addr(vq), 4);
	ck_assert_ptr_nonnull(pd.ring);
	ck_assert_ptr_nonnull(pd.drv_ev);
	ck_assert_ptr_nonnull(pd.dev_ev);
	pd.avail = pd.used = 0;
	pd.avail_wrap = pd.used_wrap = true;
}

static u16 pflags(unsigned int i)
{
	return vs_le16(pd.ring + 16 * i + 14);
}

/* The next available list: its id and length in descriptors; -1 if none. */
static int pdev_pop(unsigned int *ndesc)
{
	u16 f = pflags(pd.avail), id;
	unsigned int n = 0;

	if (!!(f & VS_PACKED_F_AVAIL) != pd.avail_wrap || !!(f & VS_PACKED_F_USED) == pd.avail_wrap)
		return -1;
	do {
		f = pflags(pd.avail);
		id = vs_le16(pd.ring + 16 * pd.avail + 12);
		n++;
		if (++pd.avail == pd.num) {
			pd.avail = 0;
			pd.avail_wrap = !pd.avail_wrap;
		}
	} while (f & VRING_DESC_F_NEXT);
	*ndesc = n;
	return id;
}

static void pdev_push(u16 id, u32 len, unsigned int ndesc)
{
	u8 *d = pd.ring + 16 * pd.used;

	vs_put_le32(d + 8, len);
	vs_put_le16(d + 12, id);
	vs_put_le16(d + 14, (u16)((pd.used_wrap ? VS_PACKED_F_AVAIL | VS_PACKED_F_USED : 0) |
				  (len ? VRING_DESC_F_WRITE : 0)));
	pd.used += ndesc;
	if (pd.used >= pd.num) {
		pd.used -= pd.num;
		pd.used_wrap = !pd.used_wrap;
	}
}

START_TEST(packed_layout_and_round_trip)
{
	u8 *buf = kmalloc(256, GFP_KERNEL);
	unsigned int len, nd;
	int id;

	mkvq_f(6, BIT_ULL(VIRTIO_F_RING_PACKED));
	pdev_attach();
	ck_assert_uint_eq(pd.num, 6);
	ck_assert_uint_eq(virtqueue_get_avail_addr(vq), virtqueue_get_desc_addr(vq) + 96);
	ck_assert_uint_eq(virtqueue_get_used_addr(vq), virtqueue_get_desc_addr(vq) + 100);
	ck_assert_int_eq(add_in(buf, 40, &tok[0]), 0);
	ck_assert_uint_eq(vs_le64(pd.ring), virt_to_phys(buf));
	ck_assert_uint_eq(vs_le32(pd.ring + 8), 40);
	ck_assert_uint_eq(pflags(0), VS_PACKED_F_AVAIL | VRING_DESC_F_WRITE);
	ck_assert_uint_eq(vq->num_free, 5);
	ck_assert_uint_eq(vring_notification_data(vq), VS_NOTIFY_DATA(0, 1, 1));
	id = pdev_pop(&nd);
	ck_assert_int_ge(id, 0);
	ck_assert_uint_eq(nd, 1);
	ck_assert(!virtqueue_get_buf(vq, &len));
	pdev_push((u16)id, 7, nd);
	ck_assert_int_eq(vring_interrupt(1, vq), IRQ_HANDLED);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert_uint_eq(len, 7);
	ck_assert_uint_eq(vq->num_free, 6);
	kfree(buf);
}
END_TEST

START_TEST(packed_chains_over_many_laps)
{
	u8 *buf = kmalloc(256, GFP_KERNEL);
	unsigned int len, nd, i, laps_seen = 0;
	int id;

	mkvq_f(5, BIT_ULL(VIRTIO_F_RING_PACKED));
	pdev_attach();
	for (i = 0; i < 200; i++) {
		unsigned int head = pd.avail;
		bool lap1 = pd.avail_wrap;

		ck_assert_int_eq(add_three(buf, &tok[i % 8]), 0);
		/* The first descriptor's bits say which lap it is in. */
		ck_assert_uint_eq(pflags(head) & (VS_PACKED_F_AVAIL | VS_PACKED_F_USED),
				  lap1 ? VS_PACKED_F_AVAIL : VS_PACKED_F_USED);
		ck_assert_uint_eq(pflags(head) & VRING_DESC_F_NEXT, VRING_DESC_F_NEXT);
		if (!lap1)
			laps_seen++;
		id = pdev_pop(&nd);
		ck_assert_int_ge(id, 0);
		ck_assert_uint_eq(nd, 3);
		pdev_push((u16)id, 1 + i % 32, nd);
		ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[i % 8]);
		ck_assert_uint_eq(len, 1 + i % 32);
	}
	ck_assert_uint_gt(laps_seen, 50);
	ck_assert(!virtqueue_is_broken(vq));
	ck_assert_uint_eq(vq->num_free, 5);
	kfree(buf);
}
END_TEST

enum bad_pused { PBAD_ID_RANGE, PBAD_ID_FREE, PBAD_LEN, PBAD_COUNT };

START_TEST(packed_bad_used_breaks_queue)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int len, nd, n = 0;
	int id;

	mkvq_f(4, BIT_ULL(VIRTIO_F_RING_PACKED));
	pdev_attach();
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	id = pdev_pop(&nd);
	if (_i == PBAD_ID_RANGE)
		pdev_push(4, 1, 1);
	else if (_i == PBAD_ID_FREE)
		pdev_push((u16)(id + 1), 1, 1);
	else
		pdev_push((u16)id, 17, 1);
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert(virtqueue_is_broken(vq));
	while (virtqueue_detach_unused_buf(vq))
		n++;
	ck_assert_uint_eq(n, 1);
	kfree(buf);
}
END_TEST

START_TEST(packed_fault_chain_too_long)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);

	mkvq_f(2, BIT_ULL(VIRTIO_F_RING_PACKED) | BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	pdev_attach();
	ck_assert_int_eq(add_three(buf, &tok[0]), -ENOSPC);
	vs_faults_set(&faults, VS_FAULT_DRV_CHAIN_TOO_LONG, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_uint_eq(faults.sw[VS_FAULT_DRV_CHAIN_TOO_LONG].fired, 1);
	ck_assert_uint_eq(pflags(0), VS_PACKED_F_AVAIL | VRING_DESC_F_INDIRECT);
	ck_assert_uint_eq(vs_le32(pd.ring + 8), 48);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

START_TEST(packed_indirect_and_faults)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);
	const u8 *t;

	mkvq_f(4, BIT_ULL(VIRTIO_F_RING_PACKED) | BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	pdev_attach();
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_uint_eq(vq->num_free, 3);
	ck_assert_uint_eq(pflags(0), VS_PACKED_F_AVAIL | VRING_DESC_F_INDIRECT);
	ck_assert_uint_eq(vs_le32(pd.ring + 8), 48);
	t = phys_to_virt(vs_le64(pd.ring));
	ck_assert_uint_eq(vs_le16(t + 14), 0);                  /* only WRITE may be set */
	ck_assert_uint_eq(vs_le16(t + 16 + 14), 0);
	ck_assert_uint_eq(vs_le16(t + 32 + 14), VRING_DESC_F_WRITE);
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_NEXT, VS_FAULT_COUNTED, 1, 0, 0);
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_NESTED, VS_FAULT_COUNTED, 1, 0, 0);
	vs_faults_set(&faults, VS_FAULT_DRV_INDIRECT_LEN, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(add_three(buf, &tok[1]), 0);
	ck_assert_uint_eq(pflags(1),
			  VS_PACKED_F_AVAIL | VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	ck_assert_uint_eq(vs_le32(pd.ring + 16 + 8), 40);
	t = phys_to_virt(vs_le64(pd.ring + 16));
	ck_assert_uint_eq(vs_le16(t + 14), VRING_DESC_F_INDIRECT);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

START_TEST(packed_event_suppression)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int pos, len, nd, i;

	mkvq_f(4, BIT_ULL(VIRTIO_F_RING_PACKED) | BIT_ULL(VIRTIO_F_EVENT_IDX));
	pdev_attach();
	/* The device disables kicks; then asks for one at offset 2. */
	vs_put_le16(pd.dev_ev + 2, VRING_PACKED_EVENT_FLAG_DISABLE);
	ck_assert_int_eq(add_in(buf, 8, &tok[0]), 0);
	ck_assert(!virtqueue_kick_prepare(vq));
	vs_put_le16(pd.dev_ev, 2 | 1u << 15);
	vs_put_le16(pd.dev_ev + 2, VRING_PACKED_EVENT_FLAG_DESC);
	ck_assert_int_eq(add_in(buf, 8, &tok[1]), 0); /* at 1 */
	ck_assert(!virtqueue_kick_prepare(vq));
	ck_assert_int_eq(add_in(buf, 8, &tok[2]), 0); /* at 2 */
	ck_assert(virtqueue_kick_prepare(vq));
	/* Driver side: off, then on at the next used slot, then delayed. */
	virtqueue_disable_cb(vq);
	ck_assert_uint_eq(vs_le16(pd.drv_ev + 2), VRING_PACKED_EVENT_FLAG_DISABLE);
	pos = virtqueue_enable_cb_prepare(vq);
	ck_assert_uint_eq(pos, 0 | 1u << 15);
	ck_assert_uint_eq(vs_le16(pd.drv_ev), 0 | 1u << 15);
	ck_assert_uint_eq(vs_le16(pd.drv_ev + 2), VRING_PACKED_EVENT_FLAG_DESC);
	ck_assert(!virtqueue_poll(vq, pos));
	for (i = 0; i < 3; i++) {
		int id = pdev_pop(&nd);

		ck_assert_int_ge(id, 0);
		pdev_push((u16)id, 1, nd);
	}
	ck_assert(virtqueue_poll(vq, pos));
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert_uint_eq(vs_le16(pd.drv_ev), 1 | 1u << 15); /* follows last_used */
	while (virtqueue_get_buf(vq, &len))
		;
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(add_in(buf, 8, &tok[i]), 0);
	ck_assert(virtqueue_enable_cb_delayed(vq));
	/* 4 outstanding from 3: the event 3 slots on, in the next lap. */
	ck_assert_uint_eq(vs_le16(pd.drv_ev), 2 | 0u << 15);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

START_TEST(packed_in_order_batch)
{
	u8 *buf = kmalloc(256, GFP_KERNEL);
	unsigned int len, nd, i, total = 0;
	int id = -1;

	mkvq_f(8, BIT_ULL(VIRTIO_F_RING_PACKED) | BIT_ULL(VIRTIO_F_IN_ORDER));
	pdev_attach();
	ck_assert_int_eq(add_in(buf, 16, &tok[0]), 0);
	ck_assert_int_eq(add_three(buf, &tok[1]), 0);
	ck_assert_int_eq(add_in(buf + 128, 16, &tok[2]), 0);
	for (i = 0; i < 3; i++) {
		id = pdev_pop(&nd);
		total += nd;
	}
	/* One used descriptor, the last buffer's id, at the first slot; the
	 * device then skips the whole batch (spec 2.8.8). */
	pdev_push((u16)id, 9, total);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[0]);
	ck_assert_uint_eq(len, 16);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[1]);
	ck_assert_uint_eq(len, 32);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, &len), &tok[2]);
	ck_assert_uint_eq(len, 9);
	ck_assert_ptr_null(virtqueue_get_buf(vq, &len));
	ck_assert_uint_eq(vq->num_free, 8);
	ck_assert(!virtqueue_is_broken(vq));
	kfree(buf);
}
END_TEST

/* ---- Notification data, queue reset, contexts ---- */

START_TEST(split_notification_data)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	unsigned int i;

	mkvq(8, true, false);
	vq->index = 3;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(add_in(buf, 8, &tok[i]), 0);
	/* spec 2.9: next_off = avail idx bits 0-14, next_wrap = bit 15 */
	ck_assert_uint_eq(vring_notification_data(vq), 3u | 5u << 16);
	while (virtqueue_detach_unused_buf(vq))
		;
	kfree(buf);
}
END_TEST

static unsigned int resets, enables, recycled;

static int fake_reset_vq(struct virtqueue *q)
{
	(void)q;
	resets++;
	return 0;
}

static int fake_enable_vq(struct virtqueue *q)
{
	(void)q;
	enables++;
	return 0;
}

static const struct virtio_config_ops fake_cfg = {
	.disable_vq_and_reset = fake_reset_vq,
	.enable_vq_after_reset = fake_enable_vq,
};

static void count_recycle(struct virtqueue *q, void *buf)
{
	(void)q;
	(void)buf;
	recycled++;
}

START_TEST(queue_reset_recycles_and_restarts)
{
	u8 *buf = kmalloc(128, GFP_KERNEL);
	u64 base;

	vdev.config = &fake_cfg;
	resets = enables = recycled = 0;
	mkvq_f(8, BIT_ULL(VIRTIO_F_INDIRECT_DESC) | BIT_ULL(VIRTIO_F_EVENT_IDX));
	base = vs_arena_allocated(arena);
	ck_assert_int_eq(virtqueue_reset(vq, count_recycle), -ENOENT); /* not negotiated */
	vdev.features |= BIT_ULL(VIRTIO_F_RING_RESET);
	ck_assert_int_eq(add_three(buf, &tok[0]), 0);
	ck_assert_int_eq(add_in(buf, 8, &tok[1]), 0);
	dev_push((u32)dev_pop(), 32);
	ck_assert_int_eq(virtqueue_reset(vq, count_recycle), 0);
	ck_assert_uint_eq(resets, 1);
	ck_assert_uint_eq(enables, 1);
	ck_assert_uint_eq(recycled, 2);
	ck_assert_uint_eq(vq->num_free, 8);
	ck_assert_uint_eq(vs_arena_allocated(arena), base);
	ck_assert_uint_eq(vs_le16(dev.avail + VS_AVAIL_IDX), 0);
	ck_assert_uint_eq(dev_desc(0).addr, 0);
	/* The ring starts over. */
	dev_attach();
	ck_assert_int_eq(add_in(buf, 8, &tok[2]), 0);
	ck_assert_int_eq(dev_pop(), 0);
	dev_push(0, 3);
	ck_assert_ptr_eq(virtqueue_get_buf(vq, NULL), &tok[2]);
	kfree(buf);
}
END_TEST

START_TEST(ctx_outbuf_and_sgs)
{
	u8 *buf = kmalloc(64, GFP_KERNEL);
	struct scatterlist sg;
	void *ctx = NULL;
	unsigned int len;

	mkvq_f(4, BIT_ULL(VIRTIO_F_RING_PACKED));
	pdev_attach();
	sg_init_one(&sg, buf, 16);
	ck_assert_int_eq(virtqueue_add_outbuf_ctx(vq, &sg, 1, &tok[0], &tok[5], GFP_KERNEL), 0);
	{
		unsigned int nd;
		int id = pdev_pop(&nd);

		pdev_push((u16)id, 0, nd);
	}
	ck_assert_ptr_eq(virtqueue_get_buf_ctx(vq, &len, &ctx), &tok[0]);
	ck_assert_ptr_eq(ctx, &tok[5]);
	ck_assert_uint_eq(len, 0);
	kfree(buf);
}
END_TEST

static Suite *vring_drv_suite(void)
{
	Suite *s = suite_create("vring_drv");
	TCase *tc;

	tc = tcase_create("Core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_layout);
	tcase_add_test(tc, create_rejects_bad_sizes);
	tcase_add_test(tc, round_trip_exact_tokens_and_lens);
	tcase_add_test(tc, chain_readable_then_writable);
	tcase_add_test(tc, free_list_reuse);
	tcase_add_test(tc, index_wraps_past_65536);
	tcase_add_test(tc, ctx_round_trip);
	tcase_add_test(tc, add_argument_errors);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("Notifications");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, disable_enable_cb_flags);
	tcase_add_test(tc, no_callback_means_no_interrupt);
	tcase_add_test(tc, no_notify_suppresses_kick);
	tcase_add_test(tc, forced_kick_every_65535_adds);
	tcase_add_test(tc, interrupt_dispatch);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("Detach");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, detach_returns_each_token_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("FaultyDevice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_used_entry_breaks_queue, 0, BAD_COUNT);
	tcase_add_test(tc, break_device_breaks_every_queue);
	suite_add_tcase(s, tc);

	tc = tcase_create("Features");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, split_indirect_table);
	tcase_add_test(tc, indirect_falls_back_to_direct);
	tcase_add_test(tc, fault_indirect_misuse);
	tcase_add_test(tc, fault_chain_too_long);
	tcase_add_test(tc, split_event_idx);
	tcase_add_test(tc, split_in_order_batch);
	tcase_add_test(tc, split_notification_data);
	tcase_add_test(tc, queue_reset_recycles_and_restarts);
	suite_add_tcase(s, tc);

	tc = tcase_create("Packed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, packed_layout_and_round_trip);
	tcase_add_test(tc, packed_chains_over_many_laps);
	tcase_add_loop_test(tc, packed_bad_used_breaks_queue, 0, PBAD_COUNT);
	tcase_add_test(tc, packed_indirect_and_faults);
	tcase_add_test(tc, packed_fault_chain_too_long);
	tcase_add_test(tc, packed_event_suppression);
	tcase_add_test(tc, packed_in_order_batch);
	tcase_add_test(tc, ctx_outbuf_and_sgs);
	suite_add_tcase(s, tc);

	tc = tcase_create("DriverFaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_desc_loop);
	tcase_add_test(tc, fault_desc_out_of_range);
	tcase_add_test(tc, fault_write_before_read);
	tcase_add_test(tc, fault_avail_idx_jump);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vring_drv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
