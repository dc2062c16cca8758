/*
 * vring.h - the device-side ring engine: what every device model uses to
 * take requests off a virtqueue and give completions back.
 *
 * A model's queue handler runs on the loop (never inside a register
 * access) and does, per request:
 *
 *     struct vs_vq_elem elem;
 *     while (vs_vq_pop(vq, &elem) == 0) {
 *             vs_vq_read(vq, &elem, 0, &hdr, sizeof(hdr));    readable part
 *             vs_vq_write(vq, &elem, 0, data, n);             writable part
 *             vs_vq_push(vq, &elem, n);                       used + notify
 *     }
 *
 * Everything the driver wrote is hostile input: pop validates the whole
 * chain before returning it, and on any violation marks the queue broken,
 * sets DEVICE_NEEDS_RESET on the device (QEMU's virtio_error model), logs
 * the values and returns -EIO.  Elements hold guest-physical addresses,
 * never host pointers: guest memory is reached only through the arena, so
 * the monitor's taps see every device read and write.
 *
 * Two layouts sit behind these functions: split (vring_split.c, spec 2.7)
 * and packed (vring_packed.c, spec 2.8), chosen per queue when the driver
 * makes it ready, from VIRTIO_F_RING_PACKED.  The layout-independent part
 * (state, the error path, buffer validation, indirect tables, copying,
 * the dispatch and the fault points that do not depend on the layout) is
 * in vring.c.
 */
#ifndef VS_DEVICES_VRING_H
#define VS_DEVICES_VRING_H

#include <stdint.h>

#include "core/loop.h"

struct vs_vdev;

/* Most buffers per direction in one element (spec dev.basic.message-framing.2
 * lets a device limit chains); a longer chain is refused with -EIO. */
#define VS_VQ_MAX_IOV 64
/* Most entries in one indirect table (same spec clause): bounds a walk
 * over a table of empty descriptors. */
#define VS_VQ_MAX_INDIRECT 4096
/* Split ring entries the device reads or writes in one access when it
 * handles several requests at once (a burst, as a DMA engine does). */
#define VS_VQ_BURST 16

/* One guest buffer: where it is and how long. */
struct vs_iov {
	uint64_t gpa;
	uint32_t len;
};

/* One request popped from a queue: a validated descriptor chain. */
struct vs_vq_elem {
	uint16_t head;              /* the used id: split head index, packed buffer id */
	uint16_t ndescs;            /* packed: ring descriptors the chain took */
	uint16_t ring_pos;          /* packed: ring position of its first descriptor */
	uint16_t out_num;           /* device-readable buffers in out[] */
	uint16_t in_num;            /* device-writable buffers in in[] */
	uint64_t out_len;           /* total device-readable bytes */
	uint64_t in_len;            /* total device-writable bytes */
	struct vs_iov out[VS_VQ_MAX_IOV];
	struct vs_iov in[VS_VQ_MAX_IOV];
	int write_fault;            /* private: WRITE_READABLE decision, 0 = undecided */
	uint32_t epoch;             /* private: queue epoch at pop (see vs_vq.epoch) */
	uint32_t seq;               /* private: pop order, for the VIRTIO_F_IN_ORDER check */
};

/*
 * Queue state.  Fields are set through vs_vdev_queue_* by the transport
 * and read here; models treat the struct as read-only.
 */
struct vs_vq {
	struct vs_vdev *vdev;     /* owner */
	unsigned index;           /* queue index on the device */
	uint32_t num_max;         /* QueueSizeMax */
	uint32_t num;             /* QueueSize the driver chose */
	int ready;                /* QueueReady */
	uint64_t desc_gpa;        /* descriptor area */
	uint64_t avail_gpa;       /* driver area */
	uint64_t used_gpa;        /* device area */
	/* Layout and ring features, fixed when the driver makes the queue
	 * ready (features are final by then): the hot paths test these. */
	int packed;               /* VIRTIO_F_RING_PACKED */
	int event_idx;            /* VIRTIO_F_EVENT_IDX */
	int indirect;             /* VIRTIO_F_INDIRECT_DESC */
	int in_order;             /* VIRTIO_F_IN_ORDER */
	uint16_t last_avail_idx;  /* split: next avail ring entry to read;
	                           * packed: ring position of the next descriptor */
	uint16_t used_idx;        /* split: device's copy of used->idx;
	                           * packed: ring position of the next used descriptor */
	uint16_t shadow_avail_idx; /* split: avail idx as last read (re-read when reached) */
	uint16_t fill_count;      /* split: used entries filled, not yet published */
	/* split: avail ring entries read ahead in one access (they were
	 * published by shadow_avail_idx), from avail_cache_idx on */
	uint16_t avail_cache_idx, avail_cache_n;
	uint16_t avail_cache[VS_VQ_BURST];
	/* split: filled used elements not yet written (vs_vq_flush writes
	 * them, then the idx); raw little-endian vring_used_elem bytes */
	uint16_t used_cache_n;
	uint8_t used_cache[VS_VQ_BURST][8];
	uint16_t signalled_used;  /* split: used_idx at the last notify decision (EVENT_IDX) */
	int signalled_valid;      /* signalled_used means something */
	uint8_t avail_wrap;       /* packed: Driver Ring Wrap Counter expected at last_avail_idx */
	uint8_t used_wrap;        /* packed: Device Ring Wrap Counter */
	uint16_t used_pending;    /* packed: descriptors used since the last notify decision */
	uint16_t dev_event_flags; /* packed: what the device last wrote to its event flags */
	uint32_t pop_seq;         /* chains popped since the last reset (IN_ORDER check) */
	uint32_t push_seq;        /* chains pushed since the last reset */
	/* The last available buffer notification with VIRTIO_F_NOTIFICATION_DATA. */
	int notify_data_valid;
	uint16_t notify_next_off; /* next_off: split avail idx bits 0-14, packed ring offset */
	uint8_t notify_next_wrap; /* next_wrap: split avail idx bit 15, packed wrap counter */
	int broken;               /* the driver broke the ring: stop touching it */
	uint32_t epoch;           /* bumped by each reset: elements popped before
	                           * it are dropped at push, not written */
	uint8_t *inflight;        /* bitmap over heads: popped, not yet pushed */
	struct vs_work work;      /* the model's queue handler, deferred by a kick */
};

/* Set up / tear down queue state (vdev core). */
int vs_vq_init(struct vs_vq *vq, struct vs_vdev *vdev, unsigned index, uint32_t num_max);
void vs_vq_fini(struct vs_vq *vq);
/* Back to the state after creation: not ready, no addresses, indices 0,
 * not broken, nothing in flight, num = num_max.  Cancels queued work. */
void vs_vq_reset(struct vs_vq *vq);

/*
 * Take the next available chain.  Returns 0 with elem filled, -ENOENT when
 * there is nothing new (or the queue is not ready: the device must not
 * touch it then, spec dev.mmio.mmio-device-register-layout.7), -EIO when
 * the chain or ring is invalid or the queue is already broken.
 */
int vs_vq_pop(struct vs_vq *vq, struct vs_vq_elem *elem);

/* Copy len bytes at byte offset off of the readable part into buf.
 * -ERANGE when off+len exceeds out_len, -EFAULT when guest memory went away. */
int vs_vq_read(struct vs_vq *vq, const struct vs_vq_elem *elem, uint64_t off, void *buf,
	       uint64_t len);
/* Copy len bytes from buf into the writable part at byte offset off.
 * -ERANGE / -EFAULT as vs_vq_read.  (VS_FAULT_DEV_WRITE_READABLE redirects
 * the element's writes into device-readable memory.) */
int vs_vq_write(struct vs_vq *vq, struct vs_vq_elem *elem, uint64_t off, const void *buf,
		uint64_t len);

/*
 * Complete elem: write the used element (id, len), then the used idx (spec
 * dev.basic.virtqueues.virtqueue-used-ring.1: len before idx), then
 * vs_vq_notify.  len is the bytes written into the writable part.  -EIO when
 * the used ring is not in guest memory or the queue is broken, -ECANCELED
 * (nothing written) when the queue was reset or disabled since the pop,
 * -EINVAL when elem is not in flight (pushed twice: a model bug).
 */
int vs_vq_push(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t len);

/*
 * The two halves of vs_vq_push, for a device that completes several
 * elements at once (QEMU's fill / flush): vs_vq_fill writes the used
 * element without publishing it (split; a packed used descriptor is
 * published as it is written), vs_vq_flush publishes everything filled
 * with one used idx write and makes one notification decision.  Errors as
 * vs_vq_push; flush returns -ECANCELED when the queue is no longer ready.
 */
int vs_vq_fill(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t len);
int vs_vq_flush(struct vs_vq *vq);

/*
 * Send a used buffer notification unless the driver suppressed it.  Split:
 * VRING_AVAIL_F_NO_INTERRUPT without EVENT_IDX, used_event with it.
 * Packed: the driver event suppression structure (DISABLE; DESC with
 * EVENT_IDX: only when the used descriptors written since the last call
 * cover the offset and wrap it names).  Returns 0 (sent or suppressed) or
 * -EIO.
 */
int vs_vq_notify(struct vs_vq *vq);

/*
 * Ask the driver not to kick or to kick again.  Split: VRING_USED_F_NO_NOTIFY,
 * only without EVENT_IDX (with it the device must leave used flags at 0,
 * spec dev.basic.virtqueues.available-buffer-notification-suppression.3:
 * -EINVAL), where avail_event does the job at every pop.  Packed: the
 * device event suppression flags, DISABLE or ENABLE (DESC at the next
 * descriptor with EVENT_IDX, refreshed at every pop).
 */
int vs_vq_set_no_notify(struct vs_vq *vq, int no_notify);

/*
 * Is elem still the device's to complete: no reset, queue reset or
 * disable since it was popped, queue not broken?  A model that finishes a
 * request later (after file I/O) checks this before it writes into the
 * element's buffers: after a reset the memory is the driver's again (spec
 * dev.basic.device-reset.2).  vs_vq_push refuses such an element anyway.
 */
static inline int vs_vq_elem_live(const struct vs_vq *vq, const struct vs_vq_elem *elem)
{
	return elem->epoch == vq->epoch && vq->ready && !vq->broken;
}

/* Position of the next descriptor the device will read, as a
 * VIRTIO_F_NOTIFICATION_DATA value would give it (spec 2.9): split, the
 * avail idx it expects next; packed, offset | wrap << 15. */
uint16_t vs_vq_next_avail(const struct vs_vq *vq);

#endif /* VS_DEVICES_VRING_H */
