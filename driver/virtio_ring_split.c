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
 * With VIRTIO_F_INDIRECT_DESC a request of more than one buffer takes one
 * ring descriptor pointing at a table (virtio_ring.c builds it); with
 * VIRTIO_F_EVENT_IDX used_event and avail_event replace the flags; with
 * VIRTIO_F_IN_ORDER descriptors are taken in ring order (next = x + 1,
 * wrapping to 0) and never spliced back out of order, so the outstanding
 * chains always form one run of the table, oldest first, and a used entry
 * may complete a whole batch of them (spec 2.7.9).
 *
 * The driver-side fault points live here, where the ring is written:
 * DESC_LOOP, DESC_OUT_OF_RANGE, AVAIL_IDX_JUMP, INDIRECT_NEXT,
 * INDIRECT_LEN and CHAIN_TOO_LONG (WRITE_BEFORE_READ and INDIRECT_NESTED
 * act where the request is walked, in virtio_ring.c).  Each corrupts only
 * what goes into guest RAM; the bookkeeping in desc_extra/desc_state stays
 * true, so the queue can still be torn down.
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

/* Where the event index fields live (spec 2.7.6, 2.7.8). */
static u8 *split_used_event(const struct vring_virtqueue_split *s)
{
	return (u8 *)s->vring.avail + VS_AVAIL_USED_EVENT(s->vring.num);
}

static u8 *split_avail_event(const struct vring_virtqueue_split *s)
{
	return (u8 *)s->vring.used + VS_USED_AVAIL_EVENT(s->vring.num);
}

static int virtqueue_add_split(struct vring_virtqueue *vq, const struct vring_req *req)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int num = s->vring.num, head, i, prev = 0, descs_used;
	struct vring_desc *desc = s->vring.desc, *indir = NULL;
	struct vring_sg_iter it;
	dma_addr_t addr;
	bool writable;
	u16 avail, published;
	u32 len;

	/* As Linux: a table when there is more than one buffer and room for
	 * its descriptor; a direct chain when the table cannot be had. */
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.3:
	 * the chain, table entries included, MUST NOT be longer than the queue
	 * size -- a table would fit the ring but not the rule, so such a
	 * request goes the direct way and fails -ENOSPC (found by virtiosim
	 * fuzz: a two-buffer blk flush on a queue of size 1). */
	if (vq->indirect && req->total_sg > 1 && vq->vq.num_free &&
	    (req->total_sg <= vq->split.vring.num ||
	     /* Fault: take the table all the same (breaks that rule). */
	     virtio_should_fail(VS_FAULT_DRV_CHAIN_TOO_LONG)))
		indir = vring_alloc_indirect_split(req);
	descs_used = indir ? 1 : req->total_sg;

	if (vq->vq.num_free < descs_used) {
		pr_debug("%s: cannot add %u descriptors, %u free", vq->vq.name, descs_used,
			 vq->vq.num_free);
		/* Historical Linux habit: a device starved of output is prodded. */
		if (req->out_sgs)
			vq->notify(&vq->vq);
		return -ENOSPC;
	}

	head = i = vq->free_head;
	if (indir) {
		u16 flags = VRING_DESC_F_INDIRECT;
		u32 tlen = req->total_sg * (u32)sizeof(struct vring_desc);

		/* Fault: INDIRECT together with NEXT (breaks spec
		 * drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.4). */
		if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_NEXT))
			flags |= VRING_DESC_F_NEXT;
		/* Fault: a table length that is no whole number of descriptors. */
		if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_LEN))
			tlen -= sizeof(struct vring_desc) / 2;
		split_write_desc(vq, i, virt_to_phys(indir), tlen, flags);
		prev = i;
		i = s->desc_extra[i].next;
	} else {
		/* spec drv.basic.message-framing.1: readable first, then
		 * writable (req->swap is the fault that breaks it). */
		vring_sg_iter_init(&it, req);
		while (vring_sg_iter_next(&it, &addr, &len, &writable)) {
			split_write_desc(vq, i, addr, len,
					 VRING_DESC_F_NEXT | (writable ? VRING_DESC_F_WRITE : 0));
			prev = i;
			i = s->desc_extra[i].next;
		}
		/* The last descriptor does not continue. */
		s->desc_extra[prev].flags &= (u16)~VRING_DESC_F_NEXT;
		vs_put_le16(&desc[prev].flags, s->desc_extra[prev].flags);
		/* Fault: the chain's last descriptor links back to its head
		 * (breaks spec drv.basic.virtqueues.virtqueue-descriptor-table.1). */
		if (virtio_should_fail(VS_FAULT_DRV_DESC_LOOP)) {
			vs_put_le16(&desc[prev].flags,
				    s->desc_extra[prev].flags | VRING_DESC_F_NEXT);
			vs_put_le16(&desc[prev].next, (u16)head);
		}
	}
	vq->free_head = i;
	vq->vq.num_free -= descs_used;

	/* Fault: the head's buffer starts at the first address past guest RAM. */
	if (virtio_should_fail(VS_FAULT_DRV_DESC_OUT_OF_RANGE))
		vs_put_le64(&desc[head].addr, guest_ram_end());

	s->desc_state[head] = (struct vring_desc_state_split){
		.data = req->data, .ctx = req->ctx, .indir_desc = indir, .in_len = req->in_bytes,
		.num = (u16)descs_used, .last = (u16)prev,
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

/* Return the chain at head to the free list, by the driver's own links.
 * In order, the free descriptors are the run after the outstanding ones:
 * nothing to splice, the count is all. */
static void detach_buf_split(struct vring_virtqueue *vq, unsigned int head, void **ctx)
{
	struct vring_desc_state_split *st = &vq->split.desc_state[head];

	if (!vq->in_order) {
		vq->split.desc_extra[st->last].next = (u16)vq->free_head;
		vq->free_head = head;
	}
	vq->vq.num_free += st->num;
	if (ctx)
		*ctx = st->ctx;
	kfree(st->indir_desc);
	memset(st, 0, sizeof(*st));
}

/* The used entry at last_used_idx, checked against what is outstanding.
 * false (queue broken) when the device wrote something impossible. */
static bool read_used_split(struct vring_virtqueue *vq, u16 used_idx, u32 *id, u32 *len,
			    u16 *moved)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int num = s->vring.num;
	u16 pending, slot;

	/* The device can only have used buffers we made available and have
	 * not collected yet: more means its idx is garbage. */
	pending = (u16)(s->avail_idx_shadow - vq->last_used_idx);
	*moved = (u16)(used_idx - vq->last_used_idx);
	if (unlikely(*moved > pending)) {
		BAD_RING(vq, "used idx %u moved %u entries past %u; %u outstanding, queue size %u",
			 used_idx, *moved, vq->last_used_idx, pending, num);
		return false;
	}
	/* Read the entry only after the idx that exposes it (spec
	 * dev.basic.virtqueues.virtqueue-used-ring.1: len is set before idx). */
	virtio_rmb(vq->weak_barriers);
	slot = vq->last_used_idx & (u16)(num - 1);
	*id = vs_le32(&s->vring.used->ring[slot].id);
	*len = vs_le32(&s->vring.used->ring[slot].len);
	if (unlikely(*id >= num)) {
		BAD_RING(vq, "used id %u out of range (queue size %u)", *id, num);
		return false;
	}
	if (unlikely(!s->desc_state[*id].data)) {
		BAD_RING(vq, "used id %u is not an outstanding head", *id);
		return false;
	}
	return true;
}

/*
 * In order (spec 2.7.9): the entry names the last chain of a batch that
 * starts at the oldest outstanding chain; every chain before it was used
 * whole.  Count the batch once, then hand its chains out one per call.
 */
static bool start_batch_split(struct vring_virtqueue *vq, u32 id, u32 len, u16 moved)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int num = s->vring.num;
	unsigned int h = (vq->free_head + vq->vq.num_free) % num;
	u16 n = 1;

	while (h != id) {
		h = (h + s->desc_state[h].num) % num;
		/* A batch of n must also have moved used idx by n. */
		if (unlikely(++n > moved || !s->desc_state[h].data)) {
			BAD_RING(vq, "used id %u is not next in order (oldest head %u)", id,
				 (vq->free_head + vq->vq.num_free) % num);
			return false;
		}
	}
	vq->batch_left = n;
	vq->batch_last = (u16)id;
	vq->batch_len = len;
	return true;
}

static void *virtqueue_get_buf_ctx_split(struct vring_virtqueue *vq, unsigned int *len,
					 void **ctx)
{
	struct vring_virtqueue_split *s = &vq->split;
	u32 id = 0, used_len = 0;
	u16 used_idx, moved;
	void *ret;

	if (!vq->batch_left) {
		used_idx = vs_le16(&s->vring.used->idx);
		if (used_idx == vq->last_used_idx)
			return NULL;
		if (!read_used_split(vq, used_idx, &id, &used_len, &moved))
			return NULL;
		if (vq->in_order && !start_batch_split(vq, id, used_len, moved))
			return NULL;
	}
	if (vq->in_order) {
		/* The oldest outstanding chain; the batch's last one carries
		 * the entry's len, the others were used whole. */
		id = (vq->free_head + vq->vq.num_free) % s->vring.num;
		used_len = id == vq->batch_last ? vq->batch_len : s->desc_state[id].in_len;
		vq->batch_left--;
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
	/* With EVENT_IDX and callbacks on, ask for an interrupt at the next
	 * entry (the store is ordered before the next read of used idx). */
	if (vq->event && !(s->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)) {
		vs_put_le16(split_used_event(s), vq->last_used_idx);
		virtio_mb(vq->weak_barriers);
	}
	if (len)
		*len = used_len;
	return ret;
}

static bool virtqueue_kick_prepare_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	u16 new_idx = s->avail_idx_shadow, old_idx = (u16)(new_idx - vq->num_added);

	/* spec drv.basic.virtqueues.supplying-buffers-to-device.notifying-device.1:
	 * the idx update must be visible before we read the device's flags. */
	virtio_mb(vq->weak_barriers);
	vq->num_added = 0;
	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.5-7:
	 * with EVENT_IDX flags are ignored; notify when the idx we published
	 * passed avail_event. */
	if (vq->event)
		return vring_need_event(vs_le16(split_avail_event(s)), new_idx, old_idx);
	/* ...suppression.2-4: flags 1 means "do not notify", 0 "you must". */
	return !(vs_le16(&s->vring.used->flags) & VRING_USED_F_NO_NOTIFY);
}

static void virtqueue_disable_cb_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	if (s->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	s->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
	/* An interrupt already came: the device sends no other before we
	 * re-enable, nothing to write (a hint, as Linux). */
	if (vq->event_triggered)
		return;
	if (vq->event)
		/* spec drv.basic.virtqueues.used-buffer-notification-suppression.3
		 * and .4: flags stay 0; used_event as far behind as it goes, so
		 * the device would need 2^16 - 1 more entries to reach it. */
		vs_put_le16(split_used_event(s), (u16)(vq->last_used_idx - 1));
	else
		/* ...suppression.2 */
		vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
}

static unsigned int virtqueue_enable_cb_prepare_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	if (s->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		s->avail_flags_shadow &= (u16)~VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
	}
	/* ...suppression.4: an interrupt for the very next entry. */
	if (vq->event)
		vs_put_le16(split_used_event(s), vq->last_used_idx);
	return vq->last_used_idx;
}

/* EVENT_IDX only: an interrupt once 3/4 of what is outstanding was used. */
static bool virtqueue_enable_cb_delayed_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;
	u16 bufs;

	s->avail_flags_shadow &= (u16)~VRING_AVAIL_F_NO_INTERRUPT;
	bufs = (u16)((u16)(s->avail_idx_shadow - vq->last_used_idx) * 3 / 4);
	vs_put_le16(split_used_event(s), (u16)(vq->last_used_idx + bufs));
	virtio_mb(vq->weak_barriers);
	/* More than that already used: poll again rather than wait. */
	if (unlikely((u16)(vs_le16(&s->vring.used->idx) - vq->last_used_idx) > bufs))
		return false;
	return true;
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
	vq->batch_left = 0;
	return NULL;
}

static u16 vring_next_avail_split(const struct vring_virtqueue *vq)
{
	/* spec 2.9: next_off is bits 0-14 of the avail idx, next_wrap bit 15. */
	return vq->split.avail_idx_shadow;
}

/* The free list in table order: 0 -> 1 -> ...; in order the last links to
 * 0, as spec drv.basic.virtqueues.virtqueue-descriptor-table.2 asks. */
static void split_init_state(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;
	unsigned int i, num = s->vring.num;

	for (i = 0; i < num; i++)
		s->desc_extra[i].next = (u16)(vq->in_order ? (i + 1) % num : i + 1);
	s->avail_idx_shadow = 0;
	s->avail_flags_shadow = 0;
	vq->free_head = 0;
	vq->vq.num_free = num;
	vq->last_used_idx = 0;
	vq->num_added = 0;
	vq->batch_left = 0;
	/* No callback?  Tell the device not to bother interrupting (only the
	 * flag can: with EVENT_IDX used_event stays 0, as Linux leaves it). */
	if (!vq->vq.callback) {
		s->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			vs_put_le16(&s->vring.avail->flags, s->avail_flags_shadow);
	}
}

static void vring_reinit_split(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_split *s = &vq->split;

	memset(s->vring.desc, 0, s->queue_size_in_bytes);
	memset(s->desc_state, 0, s->vring.num * sizeof(*s->desc_state));
	split_init_state(vq);
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
	unsigned int i;

	/* Tables of buffers never detached (a queue deleted with buffers on
	 * it) go with the ring. */
	for (i = 0; i < vq->split.vring.num; i++)
		kfree(vq->split.desc_state[i].indir_desc);
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
	split_init_state(vq);
	return 0;
}

const struct vring_layout_ops vring_split_ops = {
	.add = virtqueue_add_split,
	.get_buf = virtqueue_get_buf_ctx_split,
	.more_used = more_used_split,
	.kick_prepare = virtqueue_kick_prepare_split,
	.disable_cb = virtqueue_disable_cb_split,
	.enable_cb_prepare = virtqueue_enable_cb_prepare_split,
	.enable_cb_delayed = virtqueue_enable_cb_delayed_split,
	.poll = virtqueue_poll_split,
	.detach_unused_buf = virtqueue_detach_unused_buf_split,
	.vring_num = vring_num_split,
	.desc_addr = vring_desc_addr_split,
	.avail_addr = vring_avail_addr_split,
	.used_addr = vring_used_addr_split,
	.next_avail = vring_next_avail_split,
	.reinit = vring_reinit_split,
	.free = vring_free_split,
};
