/*
 * internal.h - private to driver/: the virtqueue behind struct virtqueue,
 * shared by the layout-independent ring code (virtio_ring.c) and each ring
 * layout (virtio_ring_split.c now; the packed layout and indirect tables
 * slot in beside it as another struct vring_layout_ops).
 *
 * What the driver knows about its queue (free list, tokens, how many bytes
 * each chain lets the device write, the avail idx it means to publish) is
 * kept apart from what it writes into the ring in guest RAM.  The ring is
 * the device's input; a fault point may corrupt what is written there, and
 * a device may write anything into the used ring, but neither can corrupt
 * this bookkeeping, so the driver can always detach, reset and recover.
 */
#ifndef VS_DRIVER_INTERNAL_H
#define VS_DRIVER_INTERNAL_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/virtio.h>
#include <linux/virtio_ring.h>

/* One request being added: out_sgs device-readable lists, then in_sgs
 * device-writable ones; each list ends at its end mark or after `limit`
 * entries (virtqueue_add_inbuf's num). */
struct vring_req {
	struct scatterlist **sgs;
	unsigned int out_sgs, in_sgs;
	unsigned int limit;
	unsigned int total_sg; /* entries over all lists */
	u32 in_bytes;          /* device-writable bytes over all lists */
	void *data;            /* token, never NULL */
	void *ctx;
};

struct vring_desc_state_split {
	void *data;  /* token; NULL when this head is not outstanding */
	void *ctx;   /* per-buffer context (queues created with ctx) */
	u32 in_len;  /* writable bytes in the chain: a used len above it is a lie */
	u16 num;     /* descriptors in the chain */
	u16 last;    /* its last descriptor, to splice the chain back on the free list */
};

/* The driver's own copy of each descriptor: next is the free-list / chain
 * link the driver trusts, whatever the ring in guest RAM says. */
struct vring_desc_extra {
	dma_addr_t addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct vring_virtqueue_split {
	struct vring vring;       /* the three parts, in guest RAM */
	u16 avail_flags_shadow;   /* what we last wrote to avail->flags */
	u16 avail_idx_shadow;     /* the avail idx we mean (a fault may publish another) */
	struct vring_desc_state_split *desc_state; /* per head */
	struct vring_desc_extra *desc_extra;       /* per descriptor */
	dma_addr_t queue_dma_addr;  /* GPA of the block (descriptor table first) */
	size_t queue_size_in_bytes;
	u32 vring_align;
};

struct vring_virtqueue;

/* What differs between ring layouts; every entry runs on a queue that is
 * not broken unless said otherwise. */
struct vring_layout_ops {
	int (*add)(struct vring_virtqueue *vq, const struct vring_req *req);
	void *(*get_buf)(struct vring_virtqueue *vq, unsigned int *len, void **ctx);
	bool (*more_used)(const struct vring_virtqueue *vq);
	bool (*kick_prepare)(struct vring_virtqueue *vq);
	void (*disable_cb)(struct vring_virtqueue *vq);
	unsigned int (*enable_cb_prepare)(struct vring_virtqueue *vq);
	bool (*poll)(const struct vring_virtqueue *vq, unsigned int last_used_idx);
	void *(*detach_unused_buf)(struct vring_virtqueue *vq); /* also when broken */
	unsigned int (*vring_num)(const struct vring_virtqueue *vq);
	dma_addr_t (*desc_addr)(const struct vring_virtqueue *vq);
	dma_addr_t (*avail_addr)(const struct vring_virtqueue *vq);
	dma_addr_t (*used_addr)(const struct vring_virtqueue *vq);
	void (*free)(struct vring_virtqueue *vq); /* the ring and per-layout state */
};

/*
 * struct vring_virtqueue - a queue as the ring code sees it.
 * @vq: what drivers see
 * @ops: the layout
 * @packed_ring: packed layout (not yet)
 * @weak_barriers: the device is software on the same host (always)
 * @indirect: VIRTIO_F_INDIRECT_DESC in use (not yet)
 * @event: VIRTIO_F_EVENT_IDX in use (not yet)
 * @has_ctx: buffers carry a context
 * @broken: the device wrote something impossible (or needs a reset):
 *	every operation now fails, until the queue is deleted
 * @free_head: first free descriptor
 * @num_added: adds since the last kick_prepare
 * @last_used_idx: next used entry to look at
 * @event_triggered: an interrupt came (a hint only)
 * @notify: the transport's doorbell
 */
struct vring_virtqueue {
	struct virtqueue vq;
	const struct vring_layout_ops *ops;
	bool packed_ring;
	bool weak_barriers;
	bool indirect;
	bool event;
	bool has_ctx;
	bool broken;
	unsigned int free_head;
	unsigned int num_added;
	u16 last_used_idx;
	bool event_triggered;
	struct vring_virtqueue_split split;
	bool (*notify)(struct virtqueue *vq);
};

#define to_vvq(_vq) container_of(_vq, struct vring_virtqueue, vq)

/* The device wrote something impossible: say what, and stop trusting it. */
#define BAD_RING(_vq, fmt, ...)                                                   \
	do {                                                                      \
		dev_err(&(_vq)->vq.vdev->dev, "%s: " fmt, (_vq)->vq.name, ##__VA_ARGS__); \
		(_vq)->broken = true;                                             \
	} while (0)

extern const struct vring_layout_ops vring_split_ops;
/* Allocate a split ring of num entries (halving num while that fails, when
 * may_reduce_num) and set up vq->split; 0 or -ENOMEM. */
int vring_alloc_split(struct vring_virtqueue *vq, unsigned int num, unsigned int vring_align,
		      bool may_reduce_num);

#endif /* VS_DRIVER_INTERNAL_H */
