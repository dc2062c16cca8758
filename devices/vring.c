/*
 * vring.c - the parts of the device-side ring engine that do not depend on
 * the ring layout: queue state lifetime, the error path, the in-flight
 * bookkeeping, buffer and indirect-table validation shared by both walks,
 * copying to and from an element's buffers, and the public entry points,
 * which check what is common and hand the ring itself to the layout
 * (vring_split.c, vring_packed.c).
 *
 * pop and push run once per request; vs_vq_read / vs_vq_write once or a
 * few times per request and go through vs_arena_read / vs_arena_write
 * buffer by buffer, so the monitor's taps see each device access with its
 * guest-physical address.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"

#define LOG_SUBSYS "vring"

int vs_vq_init(struct vs_vq *vq, struct vs_vdev *vdev, unsigned index, uint32_t num_max)
{
	memset(vq, 0, sizeof(*vq));
	vq->vdev = vdev;
	vq->index = index;
	vq->num_max = num_max;
	vq->num = num_max;
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	vq->inflight = calloc((num_max + 7) / 8, 1);
	if (!vq->inflight)
		return -ENOMEM;
	return 0;
}

void vs_vq_fini(struct vs_vq *vq)
{
	if (vq->vdev)
		vs_loop_cancel(vq->vdev->loop, &vq->work);
	free(vq->inflight);
	vq->inflight = NULL;
}

void vs_vq_reset(struct vs_vq *vq)
{
	/* spec dev.basic.virtqueues.virtqueue-reset.virtqueue-reset.2: every
	 * piece of available and used state back to the default. */
	vs_loop_cancel(vq->vdev->loop, &vq->work);
	vq->num = vq->num_max;
	vq->ready = 0;
	vq->desc_gpa = 0;
	vq->avail_gpa = 0;
	vq->used_gpa = 0;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = 0;
	/* spec 2.8.1: both wrap counters start at 1. */
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	vq->used_pending = 0;
	vq->shadow_avail_idx = 0;
	vq->fill_count = 0;
	vq->avail_cache_n = 0;
	vq->used_cache_n = 0;
	vq->dev_event_flags = VRING_PACKED_EVENT_FLAG_ENABLE;
	vq->pop_seq = 0;
	vq->push_seq = 0;
	vq->notify_data_valid = 0;
	vq->broken = 0;
	vq->epoch++;
	memset(vq->inflight, 0, (vq->num_max + 7) / 8);
}

int vs__vq_fail(struct vs_vq *vq, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vq->broken = 1;
	vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: vq %u broken: %s", vq->vdev->label, vq->index, msg);
	vs__vdev_set_needs_reset(vq->vdev);
	return -EIO;
}

/* Add one buffer to elem, enforcing readable-before-writable and limits. */
int vs__vq_elem_add(struct vs_vq *vq, struct vs_vq_elem *elem, uint64_t addr, uint32_t len,
		    int writable, uint32_t idx)
{
	/* spec drv.basic.message-framing.1 (split) and
	 * drv.basic.packed-virtqueues.scatter-gather-support.3 (packed):
	 * writable after all readable. */
	if (!writable && elem->in_num)
		return vs__vq_fail(vq, "head %u: readable descriptor %u after a writable one",
				   elem->head, idx);
	if (!len)
		return 0; /* nothing to access; keep the lists free of empty buffers */
	if (!vs_arena_translate(vq->vdev->arena, addr, len))
		return vs__vq_fail(vq, "head %u: descriptor %u buffer 0x%llx+%u not in guest RAM",
				   elem->head, idx, (unsigned long long)addr, len);
	/* spec dev.basic.message-framing.2: a reasonable limit per chain. */
	if ((writable ? elem->in_num : elem->out_num) >= VS_VQ_MAX_IOV)
		return vs__vq_fail(vq, "head %u: more than %u %s buffers", elem->head,
				   VS_VQ_MAX_IOV, writable ? "writable" : "readable");
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.1: at most
	 * 2^32 bytes in a chain (the used len could not describe more). */
	if (elem->out_len + elem->in_len + len > UINT32_MAX)
		return vs__vq_fail(vq, "head %u: chain longer than 2^32 bytes", elem->head);
	if (writable) {
		elem->in[elem->in_num].gpa = addr;
		elem->in[elem->in_num++].len = len;
		elem->in_len += len;
	} else {
		elem->out[elem->out_num].gpa = addr;
		elem->out[elem->out_num++].len = len;
		elem->out_len += len;
	}
	return 0;
}

int vs__vq_check_indirect(struct vs_vq *vq, const struct vs_vq_elem *elem, uint64_t addr,
			  uint32_t len, uint16_t flags, uint32_t idx, int nested)
{
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1
	 * and drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.1 */
	if (!vq->indirect)
		return vs__vq_fail(vq, "head %u: descriptor %u is INDIRECT, "
				   "VIRTIO_F_INDIRECT_DESC not negotiated", elem->head, idx);
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.2 */
	if (nested)
		return vs__vq_fail(vq, "head %u: INDIRECT descriptor %u inside an indirect table",
				   elem->head, idx);
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.4
	 * and its packed twin .indirect-descriptors.4 */
	if (flags & VRING_DESC_F_NEXT)
		return vs__vq_fail(vq, "head %u: descriptor %u has both INDIRECT and NEXT",
				   elem->head, idx);
	/* spec 2.7.5.3 / 2.8.7: a table of whole 16-byte descriptors. */
	if (!len || len % sizeof(struct vring_desc))
		return vs__vq_fail(vq, "head %u: indirect table length %u not a multiple of %zu",
				   elem->head, len, sizeof(struct vring_desc));
	/* spec dev.basic.message-framing.2: this device takes tables of up to
	 * VS_VQ_MAX_INDIRECT entries (bounds the walk over empty entries). */
	if (len / sizeof(struct vring_desc) > VS_VQ_MAX_INDIRECT)
		return vs__vq_fail(vq, "head %u: indirect table of %zu entries, limit %u",
				   elem->head, len / sizeof(struct vring_desc), VS_VQ_MAX_INDIRECT);
	if (!vs_arena_translate(vq->vdev->arena, addr, len))
		return vs__vq_fail(vq, "head %u: indirect table 0x%llx+%u not in guest RAM",
				   elem->head, (unsigned long long)addr, len);
	return 0;
}

/*
 * Copy the byte range [off, off+len) of a list of buffers into rbuf (a
 * read), or from wbuf into it (a write, when wbuf is not NULL).  The caller
 * has checked the range against the list's total.
 */
static int iov_copy(struct vs_vq *vq, const struct vs_iov *iov, unsigned n, uint64_t off,
		    uint8_t *rbuf, const uint8_t *wbuf, uint64_t len)
{
	struct vs_arena *arena = vq->vdev->arena;
	uint64_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		uint64_t chunk;
		int err;

		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		chunk = iov[i].len - off;
		if (chunk > len - done)
			chunk = len - done;
		if (wbuf)
			err = vs_arena_write(arena, VS_SIDE_DEVICE, iov[i].gpa + off, wbuf + done,
					     chunk);
		else
			err = vs_arena_read(arena, VS_SIDE_DEVICE, iov[i].gpa + off, rbuf + done,
					    chunk);
		if (err)
			return err;
		done += chunk;
		off = 0;
	}
	return 0;
}

int vs_vq_read(struct vs_vq *vq, const struct vs_vq_elem *elem, uint64_t off, void *buf,
	       uint64_t len)
{
	if (off > elem->out_len || len > elem->out_len - off)
		return -ERANGE;
	return iov_copy(vq, elem->out, elem->out_num, off, buf, NULL, len);
}

/*
 * VS_FAULT_DEV_WRITE_READABLE: put the payload where the device must not
 * write (spec dev.basic.virtqueues.virtqueue-descriptor-table.1 and .2):
 * the chain's first device-readable buffer, or when it has none the head's
 * own descriptor table entry.  Same offset as the intended write, clipped
 * to the target; whatever does not fit is dropped.
 */
static int write_readable(struct vs_vq *vq, const struct vs_vq_elem *elem, uint64_t off,
			  const void *buf, uint64_t len)
{
	uint64_t gpa, size;

	if (elem->out_num) {
		gpa = elem->out[0].gpa;
		size = elem->out[0].len;
	} else {
		/* split: the head's table entry; packed: its first ring slot */
		gpa = vq->desc_gpa + (uint64_t)(vq->packed ? elem->ring_pos : elem->head) *
					     sizeof(struct vring_desc);
		size = sizeof(struct vring_desc);
	}
	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	return vs_arena_write(vq->vdev->arena, VS_SIDE_DEVICE, gpa + off, buf, len);
}

int vs_vq_write(struct vs_vq *vq, struct vs_vq_elem *elem, uint64_t off, const void *buf,
		uint64_t len)
{
	if (off > elem->in_len || len > elem->in_len - off)
		return -ERANGE;
	/* One decision per element, at its first write, so a counted fault
	 * counts requests, not chunks. */
	if (!elem->write_fault) {
		elem->write_fault = 1;
		if (vs_fault_hit(vq->vdev->faults, VS_FAULT_DEV_WRITE_READABLE)) {
			elem->write_fault = 2;
			vs_log(VS_LOG_INFO, LOG_SUBSYS,
			       "%s: vq %u: fault: head %u payload goes to %s", vq->vdev->label,
			       vq->index, elem->head,
			       elem->out_num ? "its first readable buffer" : "its descriptor");
		}
	}
	if (elem->write_fault == 2)
		return write_readable(vq, elem, off, buf, len);
	return iov_copy(vq, elem->in, elem->in_num, off, NULL, buf, len);
}

/* ---- the entry points: common checks, then the layout ---- */

int vs_vq_pop(struct vs_vq *vq, struct vs_vq_elem *elem)
{
	struct vs_vdev *vdev = vq->vdev;
	int err;

	if (vq->broken)
		return -EIO;
	/* spec dev.mmio.mmio-device-register-layout.7 and
	 * dev.basic.device-status-field.1: hands off a queue that is not
	 * ready, and off every queue before DRIVER_OK. */
	if (!vq->ready || !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return -ENOENT;
	if (vdev->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET)
		return -EIO;

	/* The iov arrays are filled as far as the counts say; the fields
	 * after them are set here. */
	memset(elem, 0, offsetof(struct vs_vq_elem, out));
	elem->write_fault = 0;
	elem->epoch = vq->epoch;
	err = vq->packed ? vs__vq_pop_packed(vq, elem) : vs__vq_pop_split(vq, elem);
	if (err)
		return err;
	/* VS_FAULT_DEV_NEEDS_RESET: an internal error with a request in hand.
	 * The device gives up on it and asks for a reset (spec
	 * dev.basic.device-status-field.2; .3: with the configuration change
	 * notification), which the spec allows at any time; the request is
	 * never completed. */
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_NEEDS_RESET)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS,
		       "%s: vq %u: fault: DEVICE_NEEDS_RESET with head %u in hand", vdev->label,
		       vq->index, elem->head);
		vs__vdev_set_needs_reset(vdev);
		return -EIO;
	}
	vs__vq_inflight_set(vq, elem->head, 1);
	elem->seq = vq->pop_seq++;
	return 0;
}

int vs_vq_push(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t len)
{
	int err = vs_vq_fill(vq, elem, len);

	return err ? err : vs_vq_flush(vq);
}

int vs_vq_fill(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t len)
{
	struct vs_vdev *vdev = vq->vdev;
	struct vs_faults *faults = vdev->faults;
	uint32_t id = elem->head;
	int err;

	if (vq->broken)
		return -EIO;
	/* A reset or disable since the pop: the buffer belongs to nobody now
	 * (spec dev.basic.device-reset.2), drop the completion. */
	if (elem->epoch != vq->epoch || !vq->ready)
		return -ECANCELED;
	if (elem->head >= vq->num || !vs__vq_inflight_test(vq, elem->head)) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: vq %u: push of head %u, which is not in flight",
		       vdev->label, vq->index, elem->head);
		return -EINVAL;
	}
	/* spec dev.reserved.3: with VIRTIO_F_IN_ORDER buffers are used in the
	 * order they were made available; a model that does otherwise is
	 * refused (nothing written). */
	if (vq->in_order && elem->seq != vq->push_seq) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS,
		       "%s: vq %u: head %u pushed out of order (popped #%u, next to push #%u)",
		       vdev->label, vq->index, elem->head, elem->seq, vq->push_seq);
		return -EINVAL;
	}
	/* spec dev.basic.virtqueues.virtqueue-used-ring.2: len counts bytes
	 * written into the writable part, so it cannot exceed it. */
	if (len > elem->in_len) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: vq %u: head %u len %u > writable %llu, clamped",
		       vdev->label, vq->index, elem->head, len,
		       (unsigned long long)elem->in_len);
		len = (uint32_t)elem->in_len;
	}

	if (vs_fault_hit(faults, VS_FAULT_DEV_USED_ID_RANGE)) {
		id = vq->num + elem->head;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used id %u for head %u (size %u)",
		       vdev->label, vq->index, id, elem->head, vq->num);
	} else if (vs_fault_hit(faults, VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING)) {
		id = vq->packed ? vs__vq_pick_not_outstanding_packed(vq, elem->head)
				: vs__vq_pick_not_outstanding_split(vq, elem->head);
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used id %u for head %u",
		       vdev->label, vq->index, id, elem->head);
	}
	if (vs_fault_hit(faults, VS_FAULT_DEV_USED_LEN_OVER)) {
		len = elem->in_len >= UINT32_MAX ? UINT32_MAX : (uint32_t)elem->in_len + 1;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used len %u for %llu writable",
		       vdev->label, vq->index, len, (unsigned long long)elem->in_len);
	}

	err = vq->packed ? vs__vq_fill_packed(vq, elem, id, len)
			 : vs__vq_fill_split(vq, elem, id, len);
	if (err)
		return err;
	vs__vq_inflight_set(vq, elem->head, 0);
	vq->push_seq++;
	vdev->completed++;
	return 0;
}

int vs_vq_flush(struct vs_vq *vq)
{
	int err;

	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return -ECANCELED;
	err = vq->packed ? 0 : vs__vq_flush_split(vq);
	return err ? err : vs_vq_notify(vq);
}

int vs_vq_notify(struct vs_vq *vq)
{
	int want;

	if (vq->broken)
		return -EIO;
	want = vq->packed ? vs__vq_want_notify_packed(vq) : vs__vq_want_notify_split(vq);
	if (want < 0)
		return want;
	if (want)
		vs__vdev_vring_interrupt(vq->vdev, vq->index);
	return 0;
}

int vs_vq_set_no_notify(struct vs_vq *vq, int no_notify)
{
	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return -ENOENT;
	return vq->packed ? vs__vq_set_no_notify_packed(vq, no_notify)
			  : vs__vq_set_no_notify_split(vq, no_notify);
}

uint16_t vs_vq_next_avail(const struct vs_vq *vq)
{
	if (vq->packed)
		return (uint16_t)(vq->last_avail_idx | ((unsigned)vq->avail_wrap << 15));
	return vq->last_avail_idx;
}
