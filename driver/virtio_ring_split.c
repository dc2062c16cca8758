/*
 * virtio_ring_split.c - the split virtqueue layout (spec 2.7): descriptor
 * table, available ring (driver area) and used ring (device area) in one
 * zeroed block of guest pages.
 *
 * The driver writes descriptors and avail entries, then publishes avail
 * idx; the device writes used entries, then publishes used idx.  Every
 * used entry is checked before it is believed: an id out of range, an id
 * that is not an outstanding head, a len beyond the chain's writable bytes,
 * or a used idx that moved past what was made available marks the queue
 * broken (BAD_RING) instead of corrupting the driver.
 *
 * The driver-side fault points live here, where the ring is written:
 * DESC_LOOP, DESC_OUT_OF_RANGE, WRITE_BEFORE_READ, AVAIL_IDX_JUMP.  Each
 * corrupts only what goes into guest RAM; the bookkeeping in
 * desc_extra/desc_state stays true, so the queue can still be torn down.
 */
#define KBUILD_MODNAME "virtio_ring"

#include <errno.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_ring.h>

#include "driver/internal.h"

/* Write descriptor i in the ring and remember it. */
static void split_write_desc(struct vring_virtqueue *vq, unsigned int i, dma_addr_t addr,
			     u32 len, u16 flags)
{
	struct vring_desc *desc = &vq->split.vring.desc[i];
	struct vring_desc_extra *extra = &vq->split.desc_extra[i];

	vs_put_le64(&desc->addr, addr);
	vs_put_le32(&desc->len, len);
	vs_put_le16(&desc->flags, flags);
	vs_put_le16(&desc->next, extra->next);
	extra->addr = addr;
	extra->len = len;
	extra->flags = flags;
}

/* Put one sg list on the chain starting at descriptor i; returns the
 * descriptor after the last one used, *prev the last one used. */
static unsigned int split_add_list(struct vring_virtqueue *vq, struct scatterlist *sg,
				   unsigned int limit, bool writable, unsigned int i,
				   unsigned int *prev)
{
	u16 flags = VRING_DESC_F_NEXT | (writable ? VRING_DESC_F_WRITE : 0);
	unsigned int k;

	for (k = 0; sg && k < limit; sg = sg_next(sg), k++) {
		split_write_desc(vq, i, sg_phys(sg), sg->length, flags);
		*prev = i;
		i = vq->split.desc_extra[i].next;
	}
	return i;
}

static int virtqueue_add_split(struct vring_virtqueue *vq, const struct vring_req *req)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int num = s->vring.num, head, i, prev = 0, n;
	struct vring_desc *desc = s->vring.desc;
	u16 avail, published;
	bool swap;

	if (vq->vq.num_free < req->total_sg) {
		pr_debug("%s: cannot add %u descriptors, %u free", vq->vq.name, req->total_sg,
			 vq->vq.num_free);
		/* Historical Linux habit: a device starved of output is prodded. */
		if (req->out_sgs)
			vq->notify(&vq->vq);
		return -ENOSPC;
	}

	/* Fault: writable descriptors before readable ones (breaks spec
	 * drv.basic.message-framing.1).  Only meaningful with both kinds. */
	swap = req->out_sgs && req->in_sgs && virtio_should_fail(VS_FAULT_DRV_WRITE_BEFORE_READ);

	head = i = vq->free_head;
	if (swap) {
		for (n = req->out_sgs; n < req->out_sgs + req->in_sgs; n++)
			i = split_add_list(vq, req->sgs[n], req->limit, true, i, &prev);
		for (n = 0; n < req->out_sgs; n++)
			i = split_add_list(vq, req->sgs[n], req->limit, false, i, &prev);
	} else {
		/* spec drv.basic.message-framing.1: readable first, then writable. */
		for (n = 0; n < req->out_sgs + req->in_sgs; n++)
			i = split_add_list(vq, req->sgs[n], req->limit, n >= req->out_sgs, i, &prev);
	}
	/* The last descriptor does not continue. */
	s->desc_extra[prev].flags &= (u16)~VRING_DESC_F_NEXT;
	vs_put_le16(&desc[prev].flags, s->desc_extra[prev].flags);
	vq->free_head = i;
	vq->vq.num_free -= req->total_sg;

	/* Fault: the chain's last descriptor links back to its head (breaks
	 * spec drv.basic.virtqueues.virtqueue-descriptor-table.1). */
	if (virtio_should_fail(VS_FAULT_DRV_DESC_LOOP)) {
		vs_put_le16(&desc[prev].flags, s->desc_extra[prev].flags | VRING_DESC_F_NEXT);
		vs_put_le16(&desc[prev].next, (u16)head);
	}
	/* Fault: the head's buffer starts at the first address past guest RAM. */
	if (virtio_should_fail(VS_FAULT_DRV_DESC_OUT_OF_RANGE))
		vs_put_le64(&desc[head].addr, guest_ram_end());

	s->desc_state[head] = (struct vring_desc_state_split){
		.data = req->data, .ctx = req->ctx, .in_len = req->in_bytes,
		.num = (u16)req->total_sg, .last = (u16)prev,
	};

	/* The avail entry may be written now; idx is what exposes it. */
	avail = s->avail_idx_shadow & (u16)(num - 1);
	vs_put_le16(&s->vring.avail->ring[avail], (u16)head);

	/* spec drv.basic.virtqueues.supplying-buffers-to-device.updating-idx.1:
	 * descriptors and the ring entry must be visible before the new idx. */
	virtio_wmb(vq->weak_barriers);
	s->avail_idx_shadow++;
	published = s->avail_idx_shadow;
	/* Fault: publish an idx num + 1 beyond the true one (breaks the
	 * device's view of how many buffers are new; never more than num). */
	if (virtio_should_fail(VS_FAULT_DRV_AVAIL_IDX_JUMP))
		published = (u16)(s->avail_idx_shadow + num + 1);
	vs_put_le16(&s->vring.avail->idx, published);
	vq->num_added++;

	/* After 2^16 - 1 adds without a kick the device could no longer tell
	 * how far idx moved: kick now, as Linux does. */
	if (unlikely(vq->num_added == (1u << 16) - 1))
		virtqueue_kick(&vq->vq);
	return 0;
}

static bool more_used_split(const struct vring_virtqueue *vq)
{
	return vq->last_used_idx != vs_le16(&vq->split.vring.used->idx);
}

/* Return the chain at head to the free list, by the driver's own links. */
static void detach_buf_split(struct vring_virtqueue *vq, unsigned int head, void **ctx)
{
	struct vring_desc_state_split *st = &vq->split.desc_state[head];

	vq->split.desc_extra[st->last].next = (u16)vq->free_head;
	vq->free_head = head;
	vq->vq.num_free += st->num;
	if (ctx)
		*ctx = st->ctx;
	memset(st, 0, sizeof(*st));
}

static void *virtqueue_get_buf_ctx_split(struct vring_virtqueue *vq, unsigned int *len,
					 void **ctx)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int num = s->vring.num;
	u16 used_idx, pending, moved, slot;
	u32 id, used_len;
	void *ret;

	used_idx = vs_le16(&s->vring.used->idx);
	if (used_idx == vq->last_used_idx)
		return NULL;

	/* The device can only have used buffers we made available and have
	 * not collected yet: more means its idx is garbage. */
	pending = (u16)(s->avail_idx_shadow - vq->last_used_idx);
	moved = (u16)(used_idx - vq->last_used_idx);
	if (unlikely(moved > pending)) {
		BAD_RING(vq, "used idx %u moved %u entries past %u; %u outstanding, queue size %u",
			 used_idx, moved, vq->last_used_idx, pending, num);
		return NULL;
	}

	/* Read the entry only after the idx that exposes it (spec
	 * dev.basic.virtqueues.virtqueue-used-ring.1: len is set before idx). */
	virtio_rmb(vq->weak_barriers);
	slot = vq->last_used_idx & (u16)(num - 1);
	id = vs_le32(&s->vring.used->ring[slot].id);
	used_len = vs_le32(&s->vring.used->ring[slot].len);

	if (unlikely(id >= num)) {
		BAD_RING(vq, "used id %u out of range (queue size %u)", id, num);
		return NULL;
	}
	if (unlikely(!s->desc_state[id].data)) {
		BAD_RING(vq, "used id %u is not an outstanding head", id);
		return NULL;
	}
	/* spec dev.basic.virtqueues.virtqueue-descriptor-table.1: the device
	 * writes only the writable part, so it cannot have written more. */
	if (unlikely(used_len > s->desc_state[id].in_len)) {
		BAD_RING(vq, "used id %u len %u beyond its %u writable bytes", id, used_len,
			 s->desc_state[id].in_len);
		return NULL;
	}

	ret = s->desc_state[id].data;
	detach_buf_split(vq, id, ctx);
	vq->last_used_idx++;
	if (len)
		*len = used_len;
	return ret;
}

static bool virtqueue_kick_prepare_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	/* spec drv.basic.virtqueues.supplying-buffers-to-device.notifying-device.1:
	 * the idx update must be visible before we read the device's flags. */
	virtio_mb(vq->weak_barriers);
	/* With EVENT_IDX (not yet) the answer would be vring_need_event(
	 * avail_event, avail_idx_shadow, avail_idx_shadow - num_added). */
	vq->num_added = 0;
	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.3/.4:
	 * flags 1 means "do not notify", 0 means "you must". */
	return !(vs_le16(&s->vring.used->flags) & VRING_USED_F_NO_NOTIFY);
}

static void virtqueue_disable_cb_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	/* spec drv.basic.virtqueues.used-buffer-notification-suppression.2 */
	if (!(s->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)) {
		s->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
	}
}

static unsigned int virtqueue_enable_cb_prepare_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	if (s->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		s->avail_flags_shadow &= (u16)~VRING_AVAIL_F_NO_INTERRUPT;
		vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
	}
	return vq->last_used_idx;
}

static bool virtqueue_poll_split(const struct vring_virtqueue *vq, unsigned int last_used_idx)
{
	return (u16)last_used_idx != vs_le16(&vq->split.vring.used->idx);
}

/* Only after the device was reset: nothing on the ring is live any more
 * (spec drv.init.device-cleanup.2), so every outstanding head -- used but
 * not collected, or never used -- is handed back, once. */
static void *virtqueue_detach_unused_buf_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int i;
	void *buf;

	for (i = 0; i < s->vring.num; i++) {
		if (!s->desc_state[i].data)
			continue;
		buf = s->desc_state[i].data;
		detach_buf_split(vq, i, NULL);
		return buf;
	}
	/* That must have freed everything. */
	WARN_ON(vq->vq.num_free != s->vring.num);
	return NULL;
}

static unsigned int vring_num_split(const struct vring_virtqueue *vq)
{
	return vq->split.vring.num;
}

static dma_addr_t vring_desc_addr_split(const struct vring_virtqueue *vq)
{
	return vq->split.queue_dma_addr;
}

static dma_addr_t vring_avail_addr_split(const struct vring_virtqueue *vq)
{
	const struct vring *vr = &vq->split.vring;

	return vq->split.queue_dma_addr + (dma_addr_t)((u8 *)vr->avail - (u8 *)vr->desc);
}

static dma_addr_t vring_used_addr_split(const struct vring_virtqueue *vq)
{
	const struct vring *vr = &vq->split.vring;

	return vq->split.queue_dma_addr + (dma_addr_t)((u8 *)vr->used - (u8 *)vr->desc);
}

static void vring_free_split(struct vring_virtqueue *vq)
{
	free_pages_exact(vq->split.vring.desc, vq->split.queue_size_in_bytes);
	kfree(vq->split.desc_state);
	kfree(vq->split.desc_extra);
}

int vring_alloc_split(struct vring_virtqueue *vq, unsigned int num, unsigned int vring_align,
		      bool may_reduce_num)
{
	struct vring_virtqueue_split *s = &vq->split;
	struct virtio_device *vdev = vq->vq.vdev;
	void *queue;
	unsigned int i;

	/* spec 2.7: a split queue's size is a power of 2, at most 32768. */
	if (!is_power_of_2(num) || num > VS_VRING_MAX_SIZE) {
		dev_warn(&vdev->dev, "%s: bad virtqueue length %u", vq->vq.name, num);
		return -EINVAL;
	}
	/* spec drv.basic.virtqueues.1: the used ring needs 4-byte alignment
	 * (the descriptor table gets a page, far more than its 16). */
	if (!is_power_of_2(vring_align) || vring_align < VS_VRING_USED_ALIGN) {
		dev_warn(&vdev->dev, "%s: bad ring alignment %u", vq->vq.name, vring_align);
		return -EINVAL;
	}
	for (;;) {
		queue = alloc_pages_exact(vring_size(num, vring_align), GFP_KERNEL);
		if (queue || !may_reduce_num || num == 1)
			break;
		num /= 2;
	}
	if (!queue)
		return -ENOMEM;
	s->desc_state = kcalloc(num, sizeof(*s->desc_state), GFP_KERNEL);
	s->desc_extra = kcalloc(num, sizeof(*s->desc_extra), GFP_KERNEL);
	if (!s->desc_state || !s->desc_extra) {
		kfree(s->desc_state);
		kfree(s->desc_extra);
		free_pages_exact(queue, vring_size(num, vring_align));
		return -ENOMEM;
	}
	/* The block is zeroed: used->flags starts at 0 as spec
	 * drv.basic.virtqueues.available-buffer-notification-suppression.1 asks. */
	vring_init(&s->vring, num, queue, vring_align);
	s->queue_dma_addr = virt_to_phys(queue);
	s->queue_size_in_bytes = vring_size(num, vring_align);
	s->vring_align = vring_align;
	s->avail_idx_shadow = 0;
	s->avail_flags_shadow = 0;
	for (i = 0; i < num; i++)
		s->desc_extra[i].next = (u16)(i + 1);
	vq->free_head = 0;
	vq->vq.num_free = num;
	vq->last_used_idx = 0;
	vq->num_added = 0;
	/* No callback?  Tell the device not to bother interrupting. */
	if (!vq->vq.callback) {
		s->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
	}
	return 0;
}

const struct vring_layout_ops vring_split_ops = {
	.add = virtqueue_add_split,
	.get_buf = virtqueue_get_buf_ctx_split,
	.more_used = more_used_split,
	.kick_prepare = virtqueue_kick_prepare_split,
	.disable_cb = virtqueue_disable_cb_split,
	.enable_cb_prepare = virtqueue_enable_cb_prepare_split,
	.poll = virtqueue_poll_split,
	.detach_unused_buf = virtqueue_detach_unused_buf_split,
	.vring_num = vring_num_split,
	.desc_addr = vring_desc_addr_split,
	.avail_addr = vring_avail_addr_split,
	.used_addr = vring_used_addr_split,
	.free = vring_free_split,
};
