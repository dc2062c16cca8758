/*
 * internal.h - private to driver/: the virtqueue behind struct virtqueue,
 * shared by the layout-independent ring code (virtio_ring.c) and each ring
 * layout (virtio_ring_split.c, virtio_ring_packed.c), which sit behind
 * struct vring_layout_ops.
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
#include <linux/scatterlist.h>
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
	bool swap;             /* fault WRITE_BEFORE_READ: writable lists first */
	void *data;            /* token, never NULL */
	void *ctx;
};

/* Walks a request's buffers in the order they go on the ring. */
struct vring_sg_iter {
	const struct vring_req *req;
	unsigned int pos;        /* list position in ring order */
	unsigned int k;          /* entries taken from the current list */
	struct scatterlist *sg;  /* next entry, NULL when the list is done */
};

static inline void vring_sg_iter_init(struct vring_sg_iter *it, const struct vring_req *req)
{
	it->req = req;
	it->pos = 0;
	it->k = 0;
	it->sg = NULL;
}

/* List index at ring-order position pos: readable lists, then writable
 * ones -- or writable first when the fault swapped them. */
static inline unsigned int vring_list_at(const struct vring_req *req, unsigned int pos)
{
	if (likely(!req->swap))
		return pos;
	return pos < req->in_sgs ? req->out_sgs + pos : pos - req->in_sgs;
}

/* The next buffer: false after the last.  Inline: it runs once per
 * descriptor on the add path. */
static inline bool vring_sg_iter_next(struct vring_sg_iter *it, dma_addr_t *addr, u32 *len,
				      bool *writable)
{
	const struct vring_req *req = it->req;

	while (!it->sg || it->k >= req->limit) {
		if (it->sg || it->k) {
			it->pos++;
			it->k = 0;
		}
		if (it->pos >= req->out_sgs + req->in_sgs)
			return false;
		it->sg = req->sgs[vring_list_at(req, it->pos)];
		if (!it->sg)
			it->pos++;
	}
	*addr = sg_phys(it->sg);
	*len = it->sg->length;
	*writable = vring_list_at(req, it->pos) >= req->out_sgs;
	it->k++;
	it->sg = sg_next(it->sg);
	if (!it->sg) {
		/* List done: the next call starts the next one. */
		it->pos++;
		it->k = 0;
	}
	return true;
}

/*
 * An indirect table for req (spec 2.7.5.3 / 2.8.7), filled: entry i is
 * the i-th buffer, split entries chained by next = i + 1 (the order
 * VIRTIO_F_IN_ORDER asks for too).  NULL when it cannot be allocated (the
 * caller falls back to a direct chain).  The driver fault points for
 * tables apply here (nested, write-before-read via req->swap, loop).
 */
struct vring_desc *vring_alloc_indirect_split(const struct vring_req *req);
struct vring_packed_desc *vring_alloc_indirect_packed(const struct vring_req *req);

struct vring_desc_state_split {
	void *data;  /* token; NULL when this head is not outstanding */
	void *ctx;   /* per-buffer context (queues created with ctx) */
	struct vring_desc *indir_desc; /* its indirect table, or NULL */
	u32 in_len;  /* writable bytes in the chain: a used len above it is a lie */
	u16 num;     /* descriptors in the chain (1 for an indirect table) */
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

/* Per buffer id of a packed ring. */
struct vring_desc_state_packed {
	void *data;  /* token; NULL when this id is not outstanding */
	void *ctx;
	struct vring_packed_desc *indir_desc; /* its indirect table, or NULL */
	u32 in_len;  /* writable bytes of the buffer */
	u16 num;     /* ring descriptors the buffer took */
	u16 next;    /* free-id list link */
};

struct vring_virtqueue_packed {
	unsigned int num;
	struct vring_packed_desc *desc;          /* the descriptor ring */
	struct vring_packed_desc_event *driver;  /* driver area: we write it */
	struct vring_packed_desc_event *device;  /* device area: the device writes it */
	bool avail_wrap_counter;  /* Driver Ring Wrap Counter (spec 2.8.1) */
	bool used_wrap_counter;   /* the device's counter at last_used_idx */
	u16 avail_used_flags;     /* AVAIL/USED bits that mean "available" this lap */
	u16 next_avail_idx;       /* ring position of the next descriptor we write */
	u16 event_flags_shadow;   /* what we last wrote to driver->flags */
	struct vring_desc_state_packed *desc_state; /* per buffer id */
	u16 *id_at;               /* buffer id whose list starts at each position */
	dma_addr_t ring_dma_addr; /* GPA of the block: ring, driver area, device area */
	size_t ring_size_in_bytes;
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
	bool (*enable_cb_delayed)(struct vring_virtqueue *vq);
	bool (*poll)(const struct vring_virtqueue *vq, unsigned int last_used_idx);
	void *(*detach_unused_buf)(struct vring_virtqueue *vq); /* also when broken */
	unsigned int (*vring_num)(const struct vring_virtqueue *vq);
	dma_addr_t (*desc_addr)(const struct vring_virtqueue *vq);
	dma_addr_t (*avail_addr)(const struct vring_virtqueue *vq);
	dma_addr_t (*used_addr)(const struct vring_virtqueue *vq);
	/* Notification data (spec 2.9): next_off | next_wrap << 15. */
	u16 (*next_avail)(const struct vring_virtqueue *vq);
	/* Back to the state of a new ring (zeroed, all free): after a queue
	 * reset, once every buffer was detached. */
	void (*reinit)(struct vring_virtqueue *vq);
	void (*free)(struct vring_virtqueue *vq); /* the ring and per-layout state */
};

/*
 * struct vring_virtqueue - a queue as the ring code sees it.
 * @vq: what drivers see
 * @ops: the layout
 * @packed_ring: packed layout (VIRTIO_F_RING_PACKED)
 * @weak_barriers: the device is software on the same host (always)
 * @indirect: VIRTIO_F_INDIRECT_DESC in use
 * @event: VIRTIO_F_EVENT_IDX in use
 * @in_order: VIRTIO_F_IN_ORDER in use: descriptors in ring order, the
 *	device completes in order and may complete a batch with one entry
 * @has_ctx: buffers carry a context
 * @broken: the device wrote something impossible (or needs a reset):
 *	every operation now fails, until the queue is deleted
 * @free_head: split: first free descriptor; packed: first free buffer id
 * @num_added: adds since the last kick_prepare (packed: descriptors)
 * @last_used_idx: split: next used entry to look at; packed: ring
 *	position of the next used descriptor
 * @batch_left: in-order: buffers of the current used batch not yet returned
 * @batch_last: in-order: the id the batch's used entry named
 * @batch_len: in-order: its len
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
	bool in_order;
	bool has_ctx;
	bool broken;
	unsigned int free_head;
	unsigned int num_added;
	u16 last_used_idx;
	u16 batch_left;
	u16 batch_last;
	u32 batch_len;
	bool event_triggered;
	struct vring_virtqueue_split split;
	struct vring_virtqueue_packed packed;
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
extern const struct vring_layout_ops vring_packed_ops;
/* Allocate a split ring of num entries (halving num while that fails, when
 * may_reduce_num) and set up vq->split; 0, -EINVAL or -ENOMEM. */
int vring_alloc_split(struct vring_virtqueue *vq, unsigned int num, unsigned int vring_align,
		      bool may_reduce_num);
/* The same for a packed ring (any num from 1 to 32768); sets up vq->packed. */
int vring_alloc_packed(struct vring_virtqueue *vq, unsigned int num, bool may_reduce_num);

/*
 * Token accounting over every virtqueue of the guest, for the harness's
 * invariant (vs_guest_token_stats): a token comes back -- from get_buf,
 * detach_unused_buf or a queue reset -- at most once, and by the time the
 * guest shuts down every token added has come back.  Zeroed by
 * vs_guest_init.
 */
struct vring_token_stats {
	u64 added;    /* virtqueue_add* calls that succeeded */
	u64 returned; /* tokens handed back by get_buf or detached */
};
extern struct vring_token_stats vring_token_stats;

#endif /* VS_DRIVER_INTERNAL_H */
