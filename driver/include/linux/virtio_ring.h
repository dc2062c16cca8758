/*
 * linux/virtio_ring.h - creating and tearing down virtqueues (for
 * transports), and the split ring's memory layout (spec 2.7).
 *
 * The ring lives in guest RAM; every field is little-endian and is read
 * and written through the vs_le* accessors of core/virtio_abi.h.
 */
#ifndef VS_LINUX_VIRTIO_RING_H
#define VS_LINUX_VIRTIO_RING_H

#include <linux/compiler.h>
#include <linux/interrupt.h>
#include <linux/virtio.h>

#include "core/virtio_abi.h"

/* Driver area (spec 2.7.6): written by the driver only. */
struct vring_avail {
	u16 flags; /* le16: VRING_AVAIL_F_NO_INTERRUPT */
	u16 idx;   /* le16: where the driver puts the next entry (mod 2^16) */
	u16 ring[]; /* le16 heads; used_event follows when EVENT_IDX */
};

/* Device area (spec 2.7.8): written by the device only. */
struct vring_used {
	u16 flags; /* le16: VRING_USED_F_NO_NOTIFY */
	u16 idx;   /* le16 */
	struct vring_used_elem ring[]; /* avail_event follows when EVENT_IDX */
};

struct vring {
	unsigned int num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};

/* Bytes of one block holding all three parts, the used ring at `align`. */
static inline unsigned long vring_size(unsigned int num, unsigned long align)
{
	return ALIGN((unsigned long)VS_DESC_SIZE(num) + VS_AVAIL_SIZE(num), align) +
	       VS_USED_SIZE(num);
}

/* Lay the three parts out in the block at p (see vring_size). */
static inline void vring_init(struct vring *vr, unsigned int num, void *p, unsigned long align)
{
	uintptr_t used = (uintptr_t)p + VS_DESC_SIZE(num) + VS_AVAIL_SIZE(num);

	vr->num = num;
	vr->desc = p;
	vr->avail = (struct vring_avail *)((u8 *)p + VS_DESC_SIZE(num));
	vr->used = (struct vring_used *)ALIGN(used, (uintptr_t)align);
}

/* spec 2.7.10: with EVENT_IDX, notify when event_idx lies in [old, new). */
static inline bool vring_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return vs_need_event(event_idx, new_idx, old);
}

/*
 * Create a queue of num entries whose ring is one zeroed block of guest
 * pages.  The layout follows the negotiated features: split (num a power
 * of two, at most 32768, the used ring aligned to vring_align) or, with
 * VIRTIO_F_RING_PACKED, packed (any num from 1 to 32768; vring_align is
 * not used).  VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX and
 * VIRTIO_F_IN_ORDER are used when negotiated.
 * With may_reduce_num, halve num while the block cannot be allocated.
 * notify tells the device (returns false when that failed); callback runs
 * from vring_interrupt.  ctx: the queue carries a per-buffer context
 * (virtqueue_add_inbuf_ctx).  NULL on failure.
 */
struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 unsigned int vring_align, struct virtio_device *vdev,
					 bool weak_barriers, bool may_reduce_num, bool ctx,
					 bool (*notify)(struct virtqueue *vq),
					 void (*callback)(struct virtqueue *vq), const char *name);
/* Free the ring and the queue; the device must no longer use it. */
void vring_del_virtqueue(struct virtqueue *vq);
/* Drop from vdev->features the transport bits this ring cannot do. */
void vring_transport_features(struct virtio_device *vdev);
/* The transport's interrupt path: IRQ_NONE when nothing new was used. */
irqreturn_t vring_interrupt(int irq, void *vq);
/* The VIRTIO_F_NOTIFICATION_DATA value for vq (spec 2.9): queue index in
 * bits 0-15, next_off in 16-30, next_wrap in 31. */
u32 vring_notification_data(struct virtqueue *vq);

#endif /* VS_LINUX_VIRTIO_RING_H */
