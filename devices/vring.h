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
 * Split rings only for now (vring_split.c); a packed engine will sit beside
 * it behind the same functions.
 */
#ifndef VS_DEVICES_VRING_H
#define VS_DEVICES_VRING_H

#include <stdint.h>

#include "core/loop.h"

struct vs_vdev;

/* Most buffers per direction in one element (spec dev.basic.message-framing.2
 * lets a device limit chains); a longer chain is refused with -EIO. */
#define VS_VQ_MAX_IOV 64

/* One guest buffer: where it is and how long. */
struct vs_iov {
	uint64_t gpa;
	uint32_t len;
};

/* One request popped from a queue: a validated descriptor chain. */
struct vs_vq_elem {
	uint16_t head;              /* head descriptor index: the used id */
	uint16_t out_num;           /* device-readable buffers in out[] */
	uint16_t in_num;            /* device-writable buffers in in[] */
	uint64_t out_len;           /* total device-readable bytes */
	uint64_t in_len;            /* total device-writable bytes */
	struct vs_iov out[VS_VQ_MAX_IOV];
	struct vs_iov in[VS_VQ_MAX_IOV];
	int write_fault;            /* private: WRITE_READABLE decision, 0 = undecided */
	uint32_t epoch;             /* private: queue epoch at pop (see vs_vq.epoch) */
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
	uint16_t last_avail_idx;  /* next avail ring entry the device will read */
	uint16_t used_idx;        /* device's copy of used->idx */
	uint16_t signalled_used;  /* used_idx at the last notify decision (EVENT_IDX) */
	int signalled_valid;      /* signalled_used means something */
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
 * Send a used buffer notification unless the driver suppressed it:
 * VRING_AVAIL_F_NO_INTERRUPT without EVENT_IDX, used_event with it.
 * Returns 0 (sent or suppressed) or -EIO.
 */
int vs_vq_notify(struct vs_vq *vq);

/*
 * Ask the driver not to kick (VRING_USED_F_NO_NOTIFY) or to kick again.
 * Only without EVENT_IDX: with it the device must leave used flags at 0
 * (spec dev.basic.virtqueues.available-buffer-notification-suppression.3).
 */
int vs_vq_set_no_notify(struct vs_vq *vq, int no_notify);

#endif /* VS_DEVICES_VRING_H */
