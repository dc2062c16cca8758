/*
 * virtio_ring.c - the virtqueue API drivers call, independent of the ring
 * layout: argument checks, the broken-queue gate, kicks, interrupts,
 * indirect tables, queue reset, creation and deletion.  The layouts (split:
 * virtio_ring_split.c, packed: virtio_ring_packed.c) sit behind struct
 * vring_layout_ops (internal.h).
 *
 * Costs: add, get_buf and the interrupt path run once per request and are
 * O(descriptors in the chain); an indirect table is one kmalloc per
 * request with more than one buffer; detach_unused_buf scans the ring once
 * per teardown.
 *
 * Callers must serialize all operations on one queue except
 * virtqueue_disable_cb (as in Linux); the machine is single-threaded.
 */
#define KBUILD_MODNAME "virtio_ring"

#include <errno.h>

#include <linux/bug.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include <linux/fault-inject.h>

#include "driver/internal.h"

struct vring_token_stats vring_token_stats;

/* ---- indirect tables ---- */

struct vring_desc *vring_alloc_indirect_split(const struct vring_req *req)
{
	struct vring_desc *desc = kmalloc_array(req->total_sg, sizeof(*desc), GFP_ATOMIC);
	struct vring_sg_iter it;
	unsigned int i = 0, n = req->total_sg;
	dma_addr_t addr;
	bool writable;
	u32 len;

	if (!desc)
		return NULL;
	vring_sg_iter_init(&it, req);
	while (vring_sg_iter_next(&it, &addr, &len, &writable)) {
		/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.5:
		 * entries in order, next = i + 1 (what IN_ORDER asks, harmless without). */
		vs_put_le64(&desc[i].addr, addr);
		vs_put_le32(&desc[i].len, len);
		vs_put_le16(&desc[i].flags, (u16)((writable ? VRING_DESC_F_WRITE : 0) |
						  (i + 1 < n ? VRING_DESC_F_NEXT : 0)));
		vs_put_le16(&desc[i].next, (u16)(i + 1 < n ? i + 1 : 0));
		i++;
	}
	/* Fault: the last entry links back to the first (a loop inside the
	 * table, spec drv.basic.virtqueues.virtqueue-descriptor-table.1). */
	if (virtio_should_fail(VS_FAULT_DRV_DESC_LOOP)) {
		vs_put_le16(&desc[n - 1].flags, (u16)(vs_le16(&desc[n - 1].flags) | VRING_DESC_F_NEXT));
		vs_put_le16(&desc[n - 1].next, 0);
	}
	/* Fault: an indirect table inside the table (breaks spec
	 * drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.2). */
	if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_NESTED))
		vs_put_le16(&desc[0].flags, (u16)(vs_le16(&desc[0].flags) | VRING_DESC_F_INDIRECT));
	return desc;
}

struct vring_packed_desc *vring_alloc_indirect_packed(const struct vring_req *req)
{
	struct vring_packed_desc *desc = kmalloc_array(req->total_sg, sizeof(*desc), GFP_ATOMIC);
	struct vring_sg_iter it;
	unsigned int i = 0;
	dma_addr_t addr;
	bool writable;
	u32 len;

	if (!desc)
		return NULL;
	vring_sg_iter_init(&it, req);
	while (vring_sg_iter_next(&it, &addr, &len, &writable)) {
		/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.2:
		 * no flag but WRITE inside the table; the id is reserved (0). */
		vs_put_le64(&desc[i].addr, addr);
		vs_put_le32(&desc[i].len, len);
		vs_put_le16(&desc[i].id, 0);
		vs_put_le16(&desc[i].flags, writable ? VRING_DESC_F_WRITE : 0);
		i++;
	}
	if (virtio_should_fail(VS_FAULT_DRV_INDIRECT_NESTED))
		vs_put_le16(&desc[0].flags, (u16)(vs_le16(&desc[0].flags) | VRING_DESC_F_INDIRECT));
	return desc;
}

/*
 * Count and check one request.  Each list ends at its end mark or after
 * req->limit entries.  -EINVAL for nothing to add or a chain of 2^32 bytes
 * or more (spec drv.basic.virtqueues.virtqueue-descriptor-table.1).
 */
static int vring_count_req(struct vring_req *req)
{
	u64 bytes = 0, in_bytes = 0;
	unsigned int n, k;
	struct scatterlist *sg;

	req->total_sg = 0;
	for (n = 0; n < req->out_sgs + req->in_sgs; n++) {
		for (sg = req->sgs[n], k = 0; sg && k < req->limit; sg = sg_next(sg), k++) {
			req->total_sg++;
			bytes += sg->length;
			if (n >= req->out_sgs)
				in_bytes += sg->length;
		}
	}
	if (req->total_sg == 0 || bytes > UINT32_MAX)
		return -EINVAL;
	req->in_bytes = (u32)in_bytes;
	return 0;
}

static int virtqueue_add(struct virtqueue *_vq, struct scatterlist *sgs[], unsigned int out_sgs,
			 unsigned int in_sgs, unsigned int limit, void *data, void *ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_req req = {
		.sgs = sgs, .out_sgs = out_sgs, .in_sgs = in_sgs, .limit = limit,
		.data = data, .ctx = ctx,
	};
	int err;

	/* The token is how get_buf tells buffers apart: NULL means "none". */
	if (WARN_ON(!data) || WARN_ON(ctx && !vq->has_ctx))
		return -EINVAL;
	if (unlikely(vq->broken))
		return -EIO;
	err = vring_count_req(&req);
	if (err)
		return err;
	/* Fault: writable descriptors before readable ones (breaks spec
	 * drv.basic.message-framing.1).  Only meaningful with both kinds. */
	req.swap = out_sgs && in_sgs && virtio_should_fail(VS_FAULT_DRV_WRITE_BEFORE_READ);
	err = vq->ops->add(vq, &req);
	if (!err)
		vring_token_stats.added++;
	return err;
}

int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs[], unsigned int out_sgs,
		      unsigned int in_sgs, void *data, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, sgs, out_sgs, in_sgs, UINT32_MAX, data, NULL);
}

int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			 void *data, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, &sg, 1, 0, num, data, NULL);
}

int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			void *data, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, &sg, 0, 1, num, data, NULL);
}

int virtqueue_add_inbuf_ctx(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			    void *data, void *ctx, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, &sg, 0, 1, num, data, ctx);
}

int virtqueue_add_outbuf_ctx(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			     void *data, void *ctx, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, &sg, 1, 0, num, data, ctx);
}

int virtqueue_add_sgs_ctx(struct virtqueue *vq, struct scatterlist *sgs[], unsigned int out_sgs,
			  unsigned int in_sgs, void *data, void *ctx, gfp_t gfp)
{
	(void)gfp;
	return virtqueue_add(vq, sgs, out_sgs, in_sgs, UINT32_MAX, data, ctx);
}

bool virtqueue_kick_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->ops->kick_prepare(vq);
}

bool virtqueue_notify(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(vq->broken))
		return false;
	/* Prod the device: the transport writes its doorbell. */
	if (!vq->notify(_vq)) {
		vq->broken = true;
		return false;
	}
	return true;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return true;
}

void *virtqueue_get_buf_ctx(struct virtqueue *_vq, unsigned int *len, void **ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	void *token;

	if (unlikely(vq->broken))
		return NULL;
	token = vq->ops->get_buf(vq, len, ctx);
	if (token)
		vring_token_stats.returned++;
	return token;
}

void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len)
{
	return virtqueue_get_buf_ctx(vq, len, NULL);
}

void virtqueue_disable_cb(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	vq->ops->disable_cb(vq);
}

unsigned int virtqueue_enable_cb_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	vq->event_triggered = false;
	return vq->ops->enable_cb_prepare(vq);
}

bool virtqueue_poll(struct virtqueue *_vq, unsigned int last_used_idx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(vq->broken))
		return false;
	/* Order the flag write of enable_cb_prepare before the idx read. */
	virtio_mb(vq->weak_barriers);
	return vq->ops->poll(vq, last_used_idx);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	unsigned int last_used_idx = virtqueue_enable_cb_prepare(vq);

	return !virtqueue_poll(vq, last_used_idx);
}

/* Without EVENT_IDX there is no way to ask for a later interrupt, so this
 * is enable_cb; with it the event goes 3/4 of the outstanding buffers
 * ahead (the layout's op). */
bool virtqueue_enable_cb_delayed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	vq->event_triggered = false;
	if (!vq->event)
		return virtqueue_enable_cb(_vq);
	return vq->ops->enable_cb_delayed(vq);
}

void *virtqueue_detach_unused_buf(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	void *token = vq->ops->detach_unused_buf(vq);

	if (token)
		vring_token_stats.returned++;
	return token;
}

unsigned int virtqueue_get_vring_size(const struct virtqueue *_vq)
{
	const struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->ops->vring_num(vq);
}

bool virtqueue_is_broken(const struct virtqueue *_vq)
{
	return READ_ONCE(to_vvq(_vq)->broken);
}

dma_addr_t virtqueue_get_desc_addr(const struct virtqueue *_vq)
{
	return to_vvq(_vq)->ops->desc_addr(to_vvq(_vq));
}

dma_addr_t virtqueue_get_avail_addr(const struct virtqueue *_vq)
{
	return to_vvq(_vq)->ops->avail_addr(to_vvq(_vq));
}

dma_addr_t virtqueue_get_used_addr(const struct virtqueue *_vq)
{
	return to_vvq(_vq)->ops->used_addr(to_vvq(_vq));
}

/*
 * The transport's interrupt path, once per queue per interrupt.  An
 * interrupt with nothing new is IRQ_NONE (spec
 * drv.basic.virtqueues.used-buffer-notification-suppression.5: spurious
 * notifications are to be expected and handled).
 */
irqreturn_t vring_interrupt(int irq, void *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	(void)irq;
	if (!vq->batch_left && !vq->ops->more_used(vq)) {
		pr_debug("%s: interrupt with no work", vq->vq.name);
		return IRQ_NONE;
	}
	if (unlikely(vq->broken))
		return IRQ_HANDLED;
	/* Just a hint: racy by nature. */
	if (vq->event)
		vq->event_triggered = true;
	if (vq->vq.callback)
		vq->vq.callback(&vq->vq);
	return IRQ_HANDLED;
}

void virtio_break_device(struct virtio_device *dev)
{
	struct virtqueue *_vq;

	virtio_device_for_each_vq(dev, _vq)
		WRITE_ONCE(to_vvq(_vq)->broken, true);
}

struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 unsigned int vring_align, struct virtio_device *vdev,
					 bool weak_barriers, bool may_reduce_num, bool context,
					 bool (*notify)(struct virtqueue *vq),
					 void (*callback)(struct virtqueue *vq), const char *name)
{
	struct vring_virtqueue *vq;
	int err;

	vq = kzalloc(sizeof(*vq), GFP_KERNEL);
	if (!vq)
		return NULL;
	vq->vq.callback = callback;
	vq->vq.vdev = vdev;
	vq->vq.name = name;
	vq->vq.index = index;
	vq->vq.reset = false;
	vq->notify = notify;
	vq->weak_barriers = weak_barriers;
	vq->has_ctx = context;
	/* Features are final here (queues come after FEATURES_OK). */
	vq->packed_ring = __virtio_test_bit(vdev, VIRTIO_F_RING_PACKED);
	vq->indirect = __virtio_test_bit(vdev, VIRTIO_F_INDIRECT_DESC);
	vq->event = __virtio_test_bit(vdev, VIRTIO_F_EVENT_IDX);
	vq->in_order = __virtio_test_bit(vdev, VIRTIO_F_IN_ORDER);
	if (vq->packed_ring) {
		vq->ops = &vring_packed_ops;
		err = vring_alloc_packed(vq, num, may_reduce_num);
	} else {
		vq->ops = &vring_split_ops;
		err = vring_alloc_split(vq, num, vring_align, may_reduce_num);
	}
	if (err) {
		kfree(vq);
		return NULL;
	}
	vq->vq.num_max = vq->ops->vring_num(vq);
	list_add_tail(&vq->vq.list, &vdev->vqs);
	return &vq->vq;
}

void vring_del_virtqueue(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	list_del(&_vq->list);
	vq->ops->free(vq);
	kfree(vq);
}

/* Keep the transport features this ring implements; drop the rest so the
 * device is never told we accept them (spec drv.basic.feature-bits.1). */
void vring_transport_features(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++) {
		switch (i) {
		case VIRTIO_F_INDIRECT_DESC:
		case VIRTIO_F_EVENT_IDX:
		case VIRTIO_F_VERSION_1:
		case VIRTIO_F_RING_PACKED:
		case VIRTIO_F_IN_ORDER:
		case VIRTIO_F_NOTIFICATION_DATA:
		case VIRTIO_F_RING_RESET:
			break;
		default:
			__virtio_clear_bit(vdev, i);
		}
	}
}

u32 vring_notification_data(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 next = vq->ops->next_avail(vq);

	/* spec 2.9: vq index, then next_off (15 bits) and next_wrap (1 bit). */
	return VS_NOTIFY_DATA(_vq->index, next & 0x7fffu, next >> 15);
}

int virtqueue_reset(struct virtqueue *_vq, void (*recycle)(struct virtqueue *vq, void *buf))
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct virtio_device *vdev = _vq->vdev;
	void *buf;
	int err;

	if (!__virtio_test_bit(vdev, VIRTIO_F_RING_RESET))
		return -ENOENT;
	if (!vdev->config->disable_vq_and_reset || !vdev->config->enable_vq_after_reset)
		return -ENOENT;
	/* spec 2.6.1.1: the device forgets the queue first ... */
	err = vdev->config->disable_vq_and_reset(_vq);
	if (err)
		return err;
	/* ... then nothing on the ring is live: every buffer goes back. */
	while ((buf = vq->ops->detach_unused_buf(vq)) != NULL) {
		vring_token_stats.returned++;
		if (recycle)
			recycle(_vq, buf);
	}
	vq->ops->reinit(vq);
	vq->broken = false;
	vq->num_added = 0;
	vq->last_used_idx = 0;
	vq->batch_left = 0;
	vq->event_triggered = false;
	/* spec 2.6.1.2: re-enabled as at first setup. */
	return vdev->config->enable_vq_after_reset(_vq);
}
