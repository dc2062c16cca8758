/*
 * vring.c - the parts of the device-side ring engine that do not depend on
 * the ring layout: queue state lifetime, the error path, the in-flight
 * bookkeeping and copying to and from an element's buffers.  The split
 * layout (pop, push, notify) is in vring_split.c; packed will sit beside it.
 *
 * vs_vq_read / vs_vq_write run once or a few times per request and go
 * through vs_arena_read / vs_arena_write buffer by buffer, so the monitor's
 * taps see each device access with its guest-physical address.
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

int vs__vq_inflight_test(const struct vs_vq *vq, uint32_t head)
{
	if (head >= vq->num_max)
		return 0;
	return (vq->inflight[head / 8] >> (head % 8)) & 1;
}

void vs__vq_inflight_set(struct vs_vq *vq, uint32_t head, int on)
{
	uint8_t bit;

	if (head >= vq->num_max)
		return;
	bit = (uint8_t)(1u << (head % 8));
	if (on)
		vq->inflight[head / 8] |= bit;
	else
		vq->inflight[head / 8] &= (uint8_t)~bit;
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
		gpa = vq->desc_gpa + (uint64_t)elem->head * sizeof(struct vring_desc);
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
