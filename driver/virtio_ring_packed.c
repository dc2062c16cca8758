/*
 * virtio_ring_packed.c - the packed virtqueue layout (spec 2.8): one ring
 * of descriptors both sides write, the driver event suppression structure
 * (driver area, ours) and the device's (device area, read only), in one
 * zeroed block of guest pages.
 *
 * The driver writes a buffer's descriptors at next_avail_idx with the
 * AVAIL/USED bits of its Driver Ring Wrap Counter, the first descriptor's
 * flags last, so the device never sees half a list (spec 2.8.6).  The
 * device overwrites the first slot of each completed list with a used
 * descriptor carrying the buffer id; the driver finds it at last_used_idx
 * by the AVAIL/USED bits of the device's wrap counter, and skips as many
 * slots as that buffer took.  Buffer ids come from a free-id list kept in
 * desc_state (the spec's "next free buffer id", 2.8.21.1).
 *
 * Every used descriptor is checked before it is believed: an id out of
 * range or not outstanding, or a len beyond the buffer's writable bytes,
 * marks the queue broken (BAD_RING).  With VIRTIO_F_IN_ORDER a used
 * descriptor may stand for a batch (spec 2.8.8); id_at finds the buffers
 * before it.  With VIRTIO_F_EVENT_IDX both suppression structures use
 * descriptor events (offset + wrap); without it only ENABLE and DISABLE.
 *
 * Costs: add and get_buf are O(descriptors of the buffer); the free-id
 * list makes id allocation O(1).
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

#define PACKED_AVAIL VS_PACKED_F_AVAIL
#define PACKED_USED  VS_PACKED_F_USED

/* Write every field but flags (flags publish the descriptor). */
static void packed_write_desc(struct vring_packed_desc *d, dma_addr_t addr, u32 len, u16 id)
{
	vs_put_le64(&d->addr, addr);
	vs_put_le32(&d->len, len);
	vs_put_le16(&d->id, id);
}

/* Next ring position; the driver's wrap counter flips after the last slot
 * (spec 2.8.1), and with it the bits that mean "available". */
static void packed_advance_avail(struct vring_virtqueue_packed *p, unsigned int *i)
{
	if (++*i >= p->num) {
		*i = 0;
		p->avail_wrap_counter = !p->avail_wrap_counter;
		p->avail_used_flags ^= PACKED_AVAIL | PACKED_USED;
	}
}

static int virtqueue_add_packed(struct vring_virtqueue *vq, const struct vring_req *req)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	struct vring_packed_desc *indir = NULL;
	unsigned int head, i, descs_used, n = 0;
	struct vring_sg_iter it;
	u16 id, head_flags = 0;
	dma_addr_t addr;
	bool writable;
	u32 len;

	/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.3:
	 * no longer than the device allows -- the queue size, as it sets no
	 * other limit (see the split ring's add). */
	if (vq->indirect && req->total_sg > 1 && vq->vq.num_free &&
	    (req->total_sg <= vq->packed.num ||
	     /* Fault: take the table all the same (breaks that rule). */
	     virtio_should_fail(VS_FAULT_DRV_CHAIN_TOO_LONG)))
		indir = vring_alloc_indirect_packed(req);
	descs_used = indir ? 1 : req->total_sg;
	if (vq->vq.num_free < descs_used) {
		pr_debug("%s: cannot add %u descriptors, %u free", vq->vq.name, descs_used,
			 vq->vq.num_free);
		if (req->out_sgs)
			vq->notify(&vq->vq);
		return -ENOSPC;
	}

	/* A free buffer id: num_free >= 1 guarantees one (at most one id per
	 * descriptor in use). */
	id = (u16)vq->free_head;
	vq->free_head = p->desc_state[id].next;
	head = i = p->next_avail_idx;

	if (indir) {
		u16 flags = VRING_DESC_F_INDIRECT;
		u32 tlen = req->total_sg * (u32)sizeof(struct vring_packed_desc);

		/* Fault: INDIRECT with NEXT (breaks spec
		 * drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.4). */
		if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_NEXT))
			flags |= VRING_DESC_F_NEXT;
		if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_LEN))
			tlen -= sizeof(struct vring_packed_desc) / 2;
		packed_write_desc(&p->desc[i], virt_to_phys(indir), tlen, id);
		head_flags = flags | p->avail_used_flags;
		packed_advance_avail(p, &i);
	} else {
		/* spec drv.basic.packed-virtqueues.scatter-gather-support.3:
		 * readable first (req->swap is the fault that breaks it). */
		vring_sg_iter_init(&it, req);
		while (vring_sg_iter_next(&it, &addr, &len, &writable)) {
			u16 flags = p->avail_used_flags | (writable ? VRING_DESC_F_WRITE : 0);

			if (++n < req->total_sg)
				flags |= VRING_DESC_F_NEXT;
			/* The buffer id goes in every descriptor; the device
			 * reads it from the last (spec 2.8.6). */
			packed_write_desc(&p->desc[i], addr, len, id);
			if (i == head)
				head_flags = flags; /* published last */
			else
				vs_put_le16(&p->desc[i].flags, flags);
			packed_advance_avail(p, &i);
		}
	}
	/* Fault: the first buffer starts at the first address past guest RAM. */
	if (virtio_should_fail(VS_FAULT_DRV_DESC_OUT_OF_RANGE))
		vs_put_le64(&p->desc[head].addr, guest_ram_end());

	vq->vq.num_free -= descs_used;
	p->desc_state[id] = (struct vring_desc_state_packed){
		.data = req->data, .ctx = req->ctx, .indir_desc = indir, .in_len = req->in_bytes,
		.num = (u16)descs_used, .next = 0,
	};
	if (p->id_at)
		p->id_at[head] = id;
	p->next_avail_idx = (u16)i;

	/* spec drv.basic.packed-virtqueues.supplying-buffers-to-device.updating-flags.1
	 * and ...scatter-gather-support.6: the rest of the list is visible
	 * before the first descriptor's flags make it available. */
	virtio_wmb(vq->weak_barriers);
	vs_put_le16(&p->desc[head].flags, head_flags);
	vq->num_added += descs_used;
	return 0;
}

/* Is the descriptor at idx used in the lap of used_wrap_counter?  (spec
 * 2.8.1: AVAIL and USED equal, and equal to the device's counter). */
static bool is_used_desc_packed(const struct vring_virtqueue *vq, u16 idx, bool used_wrap_counter)
{
	u16 flags = vs_le16(&vq->packed.desc[idx].flags);
	bool avail = !!(flags & PACKED_AVAIL), used = !!(flags & PACKED_USED);

	return avail == used && used == used_wrap_counter;
}

static bool more_used_packed(const struct vring_virtqueue *vq)
{
	/* Nothing outstanding: whatever the slot says is stale or a lie. */
	if (vq->vq.num_free == vq->packed.num)
		return false;
	return is_used_desc_packed(vq, vq->last_used_idx, vq->packed.used_wrap_counter);
}

/* Return buffer id to the free-id list; its descriptors become free. */
static void detach_buf_packed(struct vring_virtqueue *vq, unsigned int id, void **ctx)
{
	struct vring_desc_state_packed *st = &vq->packed.desc_state[id];

	vq->vq.num_free += st->num;
	if (ctx)
		*ctx = st->ctx;
	kfree(st->indir_desc);
	memset(st, 0, sizeof(*st));
	st->next = (u16)vq->free_head;
	vq->free_head = id;
}

/* In order: the buffer whose list starts where the next used descriptor
 * goes, and the batch ending at id (spec 2.8.8). */
static bool start_batch_packed(struct vring_virtqueue *vq, u16 id, u32 len)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	unsigned int pos = vq->last_used_idx;
	unsigned int outstanding = p->num - vq->vq.num_free, seen = 0;
	u16 n = 1, cur = p->id_at[pos];

	while (cur != id) {
		seen += p->desc_state[cur].num;
		pos = (pos + p->desc_state[cur].num) % p->num;
		cur = p->id_at[pos];
		if (unlikely(seen >= outstanding || !p->desc_state[cur].data)) {
			BAD_RING(vq, "used id %u is not next in order (oldest id %u)", id,
				 p->id_at[vq->last_used_idx]);
			return false;
		}
		n++;
	}
	vq->batch_left = n;
	vq->batch_last = id;
	vq->batch_len = len;
	return true;
}

static void *virtqueue_get_buf_ctx_packed(struct vring_virtqueue *vq, unsigned int *len,
					  void **ctx)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	struct vring_packed_desc *d;
	u16 id, flags, last;
	u32 used_len;
	void *ret;

	if (!vq->batch_left) {
		if (!more_used_packed(vq))
			return NULL;
		/* Read the descriptor only after its flags said it is used. */
		virtio_rmb(vq->weak_barriers);
		d = &p->desc[vq->last_used_idx];
		flags = vs_le16(&d->flags);
		id = vs_le16(&d->id);
		/* spec 2.8.4: len means something only with WRITE set. */
		used_len = (flags & VRING_DESC_F_WRITE) ? vs_le32(&d->len) : 0;
		if (unlikely(id >= p->num)) {
			BAD_RING(vq, "used id %u out of range (queue size %u)", id, p->num);
			return NULL;
		}
		if (unlikely(!p->desc_state[id].data)) {
			BAD_RING(vq, "used id %u is not an outstanding buffer", id);
			return NULL;
		}
		if (!vq->in_order) {
			vq->batch_last = id;
			vq->batch_len = used_len;
			vq->batch_left = 1;
		} else if (!start_batch_packed(vq, id, used_len)) {
			return NULL;
		}
	}
	id = vq->in_order ? p->id_at[vq->last_used_idx] : vq->batch_last;
	used_len = id == vq->batch_last ? vq->batch_len : p->desc_state[id].in_len;
	/* spec dev.basic.packed-virtqueues.virtqueue-descriptor-table.1: only
	 * the writable part is written. */
	if (unlikely(used_len > p->desc_state[id].in_len)) {
		BAD_RING(vq, "used id %u len %u beyond its %u writable bytes", id, used_len,
			 p->desc_state[id].in_len);
		vq->batch_left = 0;
		return NULL;
	}
	vq->batch_left--;

	/* Skip the slots the buffer took (spec 2.8.6); the device's counter
	 * flips where the ring does. */
	last = (u16)(vq->last_used_idx + p->desc_state[id].num);
	if (last >= p->num) {
		last = (u16)(last - p->num);
		p->used_wrap_counter = !p->used_wrap_counter;
	}
	vq->last_used_idx = last;
	ret = p->desc_state[id].data;
	detach_buf_packed(vq, id, ctx);

	/* With EVENT_IDX and descriptor events on, move the event to the
	 * next used slot (ordered before the next flags read). */
	if (p->event_flags_shadow == VRING_PACKED_EVENT_FLAG_DESC) {
		vs_put_le16(&p->driver->off_wrap,
			    (u16)(vq->last_used_idx |
				  ((u16)p->used_wrap_counter << VRING_PACKED_EVENT_F_WRAP_CTR)));
		virtio_mb(vq->weak_barriers);
	}
	if (len)
		*len = used_len;
	return ret;
}

static bool virtqueue_kick_prepare_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	u16 new_idx, old_idx, off_wrap, flags, event;
	unsigned int added = vq->num_added;

	/* spec drv.basic.packed-virtqueues.supplying-buffers-to-device.sending-available-buffer-notifications.1:
	 * the flags we wrote are visible before we read the device's area. */
	virtio_mb(vq->weak_barriers);
	vq->num_added = 0;
	off_wrap = vs_le16(&p->device->off_wrap);
	flags = vs_le16(&p->device->flags) & 3u;
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event)
		return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	/* More than a lap since the last kick: the window is ambiguous,
	 * and a notification too many is always allowed. */
	if (added >= p->num)
		return true;
	/* Did the descriptors added since the last kick, [new - added, new),
	 * cover the event offset?  Slots of the previous lap count negative. */
	new_idx = p->next_avail_idx;
	old_idx = (u16)(new_idx - added);
	event = off_wrap & 0x7fffu;
	if ((bool)(off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR) != p->avail_wrap_counter)
		event = (u16)(event - p->num);
	return vring_need_event(event, new_idx, old_idx);
}

static void packed_set_event_flags(struct vring_virtqueue_packed *p, u16 flags)
{
	if (p->event_flags_shadow == flags)
		return;
	p->event_flags_shadow = flags;
	vs_put_le16(&p->driver->flags, flags);
}

static void virtqueue_disable_cb_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;

	if (p->event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE)
		return;
	p->event_flags_shadow = VRING_PACKED_EVENT_FLAG_DISABLE;
	/* An interrupt already came: the device sends no other before we
	 * re-enable, nothing to write (a hint, as Linux). */
	if (vq->event_triggered)
		return;
	vs_put_le16(&p->driver->flags, VRING_PACKED_EVENT_FLAG_DISABLE);
}

static u16 packed_used_pos(const struct vring_virtqueue *vq)
{
	return (u16)(vq->last_used_idx |
		     ((u16)vq->packed.used_wrap_counter << VRING_PACKED_EVENT_F_WRAP_CTR));
}

static unsigned int virtqueue_enable_cb_prepare_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;

	/* With EVENT_IDX: an event at the next used slot, written before the
	 * flags that enable it. */
	if (vq->event) {
		vs_put_le16(&p->driver->off_wrap, packed_used_pos(vq));
		virtio_wmb(vq->weak_barriers);
	}
	packed_set_event_flags(p, vq->event ? VRING_PACKED_EVENT_FLAG_DESC
					    : VRING_PACKED_EVENT_FLAG_ENABLE);
	return packed_used_pos(vq);
}

static bool virtqueue_enable_cb_delayed_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	unsigned int bufs = (p->num - vq->vq.num_free) * 3 / 4;
	unsigned int used_idx = vq->last_used_idx + bufs;
	bool wrap = p->used_wrap_counter;

	if (used_idx >= p->num) {
		used_idx -= p->num;
		wrap = !wrap;
	}
	vs_put_le16(&p->driver->off_wrap,
		    (u16)(used_idx | ((u16)wrap << VRING_PACKED_EVENT_F_WRAP_CTR)));
	virtio_wmb(vq->weak_barriers);
	packed_set_event_flags(p, VRING_PACKED_EVENT_FLAG_DESC);
	virtio_mb(vq->weak_barriers);
	/* Something already used at the next slot: poll again. */
	if (more_used_packed(vq))
		return false;
	return true;
}

static bool virtqueue_poll_packed(const struct vring_virtqueue *vq, unsigned int off_wrap)
{
	u16 idx = (u16)(off_wrap & 0x7fffu);
	bool wrap = (off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR) & 1u;

	if (idx >= vq->packed.num)
		return false;
	return is_used_desc_packed(vq, idx, wrap);
}

/* Only after the device was reset (spec drv.init.device-cleanup.2). */
static void *virtqueue_detach_unused_buf_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	unsigned int i;
	void *buf;

	for (i = 0; i < p->num; i++) {
		if (!p->desc_state[i].data)
			continue;
		buf = p->desc_state[i].data;
		detach_buf_packed(vq, i, NULL);
		return buf;
	}
	WARN_ON(vq->vq.num_free != p->num);
	vq->batch_left = 0;
	return NULL;
}

static unsigned int vring_num_packed(const struct vring_virtqueue *vq)
{
	return vq->packed.num;
}

static dma_addr_t vring_desc_addr_packed(const struct vring_virtqueue *vq)
{
	return vq->packed.ring_dma_addr;
}

static dma_addr_t vring_avail_addr_packed(const struct vring_virtqueue *vq)
{
	return vq->packed.ring_dma_addr + VS_DESC_SIZE(vq->packed.num);
}

static dma_addr_t vring_used_addr_packed(const struct vring_virtqueue *vq)
{
	return vq->packed.ring_dma_addr + VS_DESC_SIZE(vq->packed.num) + VS_PACKED_EVENT_SIZE;
}

static u16 vring_next_avail_packed(const struct vring_virtqueue *vq)
{
	/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.3: the
	 * next descriptor not yet made available, and its wrap counter. */
	return (u16)(vq->packed.next_avail_idx |
		     ((u16)vq->packed.avail_wrap_counter << VRING_PACKED_EVENT_F_WRAP_CTR));
}

static void packed_init_state(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	unsigned int i;

	/* spec 2.8.1: both wrap counters start at 1; available means AVAIL
	 * set and USED clear in the first lap. */
	p->avail_wrap_counter = true;
	p->used_wrap_counter = true;
	p->avail_used_flags = PACKED_AVAIL;
	p->next_avail_idx = 0;
	p->event_flags_shadow = VRING_PACKED_EVENT_FLAG_ENABLE;
	for (i = 0; i < p->num; i++)
		p->desc_state[i].next = (u16)(i + 1);
	vq->free_head = 0;
	vq->vq.num_free = p->num;
	vq->last_used_idx = 0;
	vq->num_added = 0;
	vq->batch_left = 0;
	if (!vq->vq.callback)
		packed_set_event_flags(p, VRING_PACKED_EVENT_FLAG_DISABLE);
}

static void vring_reinit_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;

	/* spec 2.8.13: the descriptor ring is zero-initialized. */
	memset(p->desc, 0, p->ring_size_in_bytes);
	memset(p->desc_state, 0, p->num * sizeof(*p->desc_state));
	packed_init_state(vq);
}

static void vring_free_packed(struct vring_virtqueue *vq)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	unsigned int i;

	for (i = 0; i < p->num; i++)
		kfree(p->desc_state[i].indir_desc);
	free_pages_exact(p->desc, p->ring_size_in_bytes);
	kfree(p->desc_state);
	kfree(p->id_at);
}

static size_t packed_ring_bytes(unsigned int num)
{
	/* Ring (16-byte entries, 16-aligned), then the two 4-byte event
	 * structures, 4-aligned (spec drv.basic.packed-virtqueues.1). */
	return VS_DESC_SIZE(num) + 2 * VS_PACKED_EVENT_SIZE;
}

int vring_alloc_packed(struct vring_virtqueue *vq, unsigned int num, bool may_reduce_num)
{
	struct vring_virtqueue_packed *p = &vq->packed;
	struct virtio_device *vdev = vq->vq.vdev;
	void *ring;

	/* spec 2.8: up to 2^15 entries, any size. */
	if (num == 0 || num > VS_PACKED_MAX_SIZE) {
		dev_warn(&vdev->dev, "%s: bad packed virtqueue length %u", vq->vq.name, num);
		return -EINVAL;
	}
	for (;;) {
		ring = alloc_pages_exact(packed_ring_bytes(num), GFP_KERNEL);
		if (ring || !may_reduce_num || num == 1)
			break;
		num /= 2;
	}
	if (!ring)
		return -ENOMEM;
	p->desc_state = kcalloc(num, sizeof(*p->desc_state), GFP_KERNEL);
	p->id_at = vq->in_order ? kcalloc(num, sizeof(*p->id_at), GFP_KERNEL) : NULL;
	if (!p->desc_state || (vq->in_order && !p->id_at)) {
		kfree(p->desc_state);
		kfree(p->id_at);
		free_pages_exact(ring, packed_ring_bytes(num));
		return -ENOMEM;
	}
	p->num = num;
	p->desc = ring;
	p->driver = (struct vring_packed_desc_event *)((u8 *)ring + VS_DESC_SIZE(num));
	p->device = (struct vring_packed_desc_event *)((u8 *)ring + VS_DESC_SIZE(num) +
						       VS_PACKED_EVENT_SIZE);
	p->ring_dma_addr = virt_to_phys(ring);
	p->ring_size_in_bytes = packed_ring_bytes(num);
	packed_init_state(vq);
	return 0;
}

const struct vring_layout_ops vring_packed_ops = {
	.add = virtqueue_add_packed,
	.get_buf = virtqueue_get_buf_ctx_packed,
	.more_used = more_used_packed,
	.kick_prepare = virtqueue_kick_prepare_packed,
	.disable_cb = virtqueue_disable_cb_packed,
	.enable_cb_prepare = virtqueue_enable_cb_prepare_packed,
	.enable_cb_delayed = virtqueue_enable_cb_delayed_packed,
	.poll = virtqueue_poll_packed,
	.detach_unused_buf = virtqueue_detach_unused_buf_packed,
	.vring_num = vring_num_packed,
	.desc_addr = vring_desc_addr_packed,
	.avail_addr = vring_avail_addr_packed,
	.used_addr = vring_used_addr_packed,
	.next_avail = vring_next_avail_packed,
	.reinit = vring_reinit_packed,
	.free = vring_free_packed,
};
