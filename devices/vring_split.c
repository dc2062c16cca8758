/*
 * vring_split.c - the device side of a split virtqueue (spec 2.7): pop a
 * validated descriptor chain from the available ring, push a used element,
 * decide on the used buffer notification.
 *
 * Runs once per request, on the loop.  Each ring field is read or written
 * with its own vs_arena_read / vs_arena_write (2, 8 or 16 bytes), as a
 * device doing DMA would, so the monitor sees the device's accesses in
 * order.  Ordering matters the same way it does between threads (and will,
 * in the threaded mode): the avail idx is read before the entries it
 * publishes, and the used element is written before the used idx that
 * publishes it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"

#define LOG_SUBSYS "vring"

static int read_le16(struct vs_vq *vq, uint64_t gpa, uint16_t *val)
{
	uint8_t b[2];
	int err = vs_arena_read(vq->vdev->arena, VS_SIDE_DEVICE, gpa, b, sizeof(b));

	if (err)
		return err;
	*val = vs_le16(b);
	return 0;
}

static int write_le16(struct vs_vq *vq, uint64_t gpa, uint16_t val)
{
	uint8_t b[2];

	vs_put_le16(b, val);
	return vs_arena_write(vq->vdev->arena, VS_SIDE_DEVICE, gpa, b, sizeof(b));
}

/* Where a chain walk is: the ring's table, or an indirect table. */
struct walk {
	uint64_t table; /* GPA of descriptor 0 */
	uint32_t size;  /* descriptors in the table */
	uint32_t seen;  /* descriptors visited in it (loop bound) */
	int indirect;
};

/* Add one buffer to elem, enforcing readable-before-writable and limits. */
static int elem_add(struct vs_vq *vq, struct vs_vq_elem *elem, uint64_t addr, uint32_t len,
		    int writable, uint32_t idx)
{
	struct vs_vdev *vdev = vq->vdev;

	/* spec drv.basic.message-framing.1: writable after all readable. */
	if (!writable && elem->in_num)
		return vs__vq_fail(vq, "head %u: readable descriptor %u after a writable one",
				   elem->head, idx);
	if (!len)
		return 0; /* nothing to access; keep the lists free of empty buffers */
	if (!vs_arena_translate(vdev->arena, addr, len))
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

/* Switch the walk into the indirect table described by d. */
static int enter_indirect(struct vs_vq *vq, struct vs_vq_elem *elem, struct walk *w,
			  uint64_t addr, uint32_t len, uint16_t flags, uint32_t idx)
{
	struct vs_vdev *vdev = vq->vdev;

	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1 */
	if (!vs_vdev_has_feature(vdev, VIRTIO_F_INDIRECT_DESC))
		return vs__vq_fail(vq, "head %u: descriptor %u is INDIRECT, "
				   "VIRTIO_F_INDIRECT_DESC not negotiated", elem->head, idx);
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.2 */
	if (w->indirect)
		return vs__vq_fail(vq, "head %u: INDIRECT descriptor %u inside an indirect table",
				   elem->head, idx);
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.4 */
	if (flags & VRING_DESC_F_NEXT)
		return vs__vq_fail(vq, "head %u: descriptor %u has both INDIRECT and NEXT",
				   elem->head, idx);
	if (!len || len % sizeof(struct vring_desc))
		return vs__vq_fail(vq, "head %u: indirect table length %u not a multiple of %zu",
				   elem->head, len, sizeof(struct vring_desc));
	if (!vs_arena_translate(vdev->arena, addr, len))
		return vs__vq_fail(vq, "head %u: indirect table 0x%llx+%u not in guest RAM",
				   elem->head, (unsigned long long)addr, len);
	/* spec dev.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1:
	 * the WRITE flag of the table descriptor itself means nothing. */
	w->table = addr;
	w->size = len / sizeof(struct vring_desc);
	w->seen = 0;
	w->indirect = 1;
	return 0;
}

/* Walk the chain at elem->head into elem.  0 or -EIO (queue broken). */
static int walk_chain(struct vs_vq *vq, struct vs_vq_elem *elem)
{
	struct walk w = { vq->desc_gpa, vq->num, 0, 0 };
	uint32_t idx = elem->head;
	uint8_t raw[sizeof(struct vring_desc)];
	int err;

	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		/* spec drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.3:
		 * no chain longer than the table it lives in; more visits than
		 * that means a loop. */
		if (++w.seen > w.size)
			return vs__vq_fail(vq, "head %u: chain longer than %u descriptors (loop)",
					   elem->head, w.size);
		if (vs_arena_read(vq->vdev->arena, VS_SIDE_DEVICE,
				  w.table + (uint64_t)idx * sizeof(raw), raw, sizeof(raw)))
			return vs__vq_fail(vq, "head %u: descriptor %u at 0x%llx not readable",
					   elem->head, idx,
					   (unsigned long long)(w.table + (uint64_t)idx * sizeof(raw)));
		addr = vs_le64(raw + offsetof(struct vring_desc, addr));
		len = vs_le32(raw + offsetof(struct vring_desc, len));
		flags = vs_le16(raw + offsetof(struct vring_desc, flags));
		next = vs_le16(raw + offsetof(struct vring_desc, next));

		if (flags & VRING_DESC_F_INDIRECT) {
			err = enter_indirect(vq, elem, &w, addr, len, flags, idx);
			if (err)
				return err;
			idx = 0;
			continue;
		}
		err = elem_add(vq, elem, addr, len, (flags & VRING_DESC_F_WRITE) != 0, idx);
		if (err)
			return err;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		if (next >= w.size)
			return vs__vq_fail(vq, "head %u: descriptor %u next %u >= %s size %u",
					   elem->head, idx, next,
					   w.indirect ? "indirect table" : "queue", w.size);
		idx = next;
	}
}

int vs_vq_pop(struct vs_vq *vq, struct vs_vq_elem *elem)
{
	struct vs_vdev *vdev = vq->vdev;
	uint16_t avail_idx, pending, head;
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

	if (read_le16(vq, vq->avail_gpa + VS_AVAIL_IDX, &avail_idx))
		return vs__vq_fail(vq, "avail idx at 0x%llx not readable",
				   (unsigned long long)(vq->avail_gpa + VS_AVAIL_IDX));
	pending = (uint16_t)(avail_idx - vq->last_avail_idx);
	if (!pending)
		return -ENOENT;
	/* spec drv.basic.virtqueues.virtqueue-available-ring.1: idx never goes
	 * back, and never runs more than a ring ahead of the device. */
	if (pending > vq->num)
		return vs__vq_fail(vq, "avail idx %u is %u past last_avail_idx %u (queue size %u)",
				   avail_idx, pending, vq->last_avail_idx, vq->num);

	if (read_le16(vq, vq->avail_gpa + VS_AVAIL_RING(vq->last_avail_idx % vq->num), &head))
		return vs__vq_fail(vq, "avail ring entry %u not readable",
				   vq->last_avail_idx % vq->num);
	if (head >= vq->num)
		return vs__vq_fail(vq, "avail ring[%u] = head %u >= queue size %u",
				   vq->last_avail_idx % vq->num, head, vq->num);
	/* spec drv.init.device-cleanup.1: a chain the device still holds is
	 * not the driver's to expose again. */
	if (vs__vq_inflight_test(vq, head))
		return vs__vq_fail(vq, "avail ring[%u] = head %u, which is still in flight",
				   vq->last_avail_idx % vq->num, head);

	memset(elem, 0, offsetof(struct vs_vq_elem, out));
	elem->head = head;
	elem->epoch = vq->epoch;
	elem->write_fault = 0;
	err = walk_chain(vq, elem);
	if (err)
		return err;

	vq->last_avail_idx++;
	vs__vq_inflight_set(vq, head, 1);
	/* With EVENT_IDX, tell the driver to kick when it publishes the entry
	 * after the last one consumed (spec 2.7.10). */
	if (vs_vdev_has_feature(vdev, VIRTIO_F_EVENT_IDX) &&
	    write_le16(vq, vq->used_gpa + VS_USED_AVAIL_EVENT(vq->num), vq->last_avail_idx))
		return vs__vq_fail(vq, "avail_event not writable");
	return 0;
}

/*
 * VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING: an id inside the ring that is
 * neither in flight nor waiting in the available ring.  Deterministic: the
 * first such id after head, in ring order.  Peeks at the available ring
 * through translate: bookkeeping for the fault, not a device access the
 * monitor should judge.  Returns head when every id is outstanding.
 */
static uint32_t pick_not_outstanding(struct vs_vq *vq, uint16_t head)
{
	struct vs_arena *arena = vq->vdev->arena;
	const uint8_t *avail = vs_arena_translate(arena, vq->avail_gpa, VS_AVAIL_SIZE(vq->num));
	uint16_t pending = 0, i;
	uint32_t step, cand;

	if (avail)
		pending = (uint16_t)(vs_le16(avail + VS_AVAIL_IDX) - vq->last_avail_idx);
	if (pending > vq->num)
		pending = (uint16_t)vq->num;
	for (step = 1; step < vq->num; step++) {
		int waiting = 0;

		cand = (head + step) % vq->num;
		if (vs__vq_inflight_test(vq, cand))
			continue;
		for (i = 0; i < pending && !waiting; i++) {
			uint16_t slot = (uint16_t)((vq->last_avail_idx + i) % vq->num);

			waiting = vs_le16(avail + VS_AVAIL_RING(slot)) == cand;
		}
		if (!waiting)
			return cand;
	}
	return head;
}

int vs_vq_push(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t len)
{
	struct vs_vdev *vdev = vq->vdev;
	struct vs_faults *faults = vdev->faults;
	uint8_t used[sizeof(struct vring_used_elem)];
	uint32_t id = elem->head;
	uint16_t slot;

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
		id = pick_not_outstanding(vq, elem->head);
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used id %u for head %u",
		       vdev->label, vq->index, id, elem->head);
	}
	if (vs_fault_hit(faults, VS_FAULT_DEV_USED_LEN_OVER)) {
		len = elem->in_len >= UINT32_MAX ? UINT32_MAX : (uint32_t)elem->in_len + 1;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used len %u for %llu writable",
		       vdev->label, vq->index, len, (unsigned long long)elem->in_len);
	}

	/* spec dev.basic.virtqueues.virtqueue-used-ring.1: the element (len
	 * included) before the idx that publishes it. */
	slot = (uint16_t)(vq->used_idx % vq->num);
	vs_put_le32(used + offsetof(struct vring_used_elem, id), id);
	vs_put_le32(used + offsetof(struct vring_used_elem, len), len);
	if (vs_arena_write(vdev->arena, VS_SIDE_DEVICE, vq->used_gpa + VS_USED_RING(slot), used,
			   sizeof(used)))
		return vs__vq_fail(vq, "used ring entry %u not writable", slot);
	if (write_le16(vq, vq->used_gpa + VS_USED_IDX, (uint16_t)(vq->used_idx + 1)))
		return vs__vq_fail(vq, "used idx not writable");
	vq->used_idx++;
	vs__vq_inflight_set(vq, elem->head, 0);
	vdev->completed++;
	return vs_vq_notify(vq);
}

int vs_vq_notify(struct vs_vq *vq)
{
	struct vs_vdev *vdev = vq->vdev;
	uint16_t v;

	if (vq->broken)
		return -EIO;
	if (vs_vdev_has_feature(vdev, VIRTIO_F_EVENT_IDX)) {
		uint16_t old = vq->signalled_used;
		int valid = vq->signalled_valid;

		if (read_le16(vq, vq->avail_gpa + VS_AVAIL_USED_EVENT(vq->num), &v))
			return vs__vq_fail(vq, "used_event not readable");
		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = 1;
		/* spec dev.basic.virtqueues.used-buffer-notification-suppression.4-6:
		 * flags ignored; notify when used idx crossed used_event. */
		if (valid && !vs_need_event(v, vq->used_idx, old))
			return 0;
	} else {
		if (read_le16(vq, vq->avail_gpa + VS_AVAIL_FLAGS, &v))
			return vs__vq_fail(vq, "avail flags not readable");
		/* spec dev.basic.virtqueues.used-buffer-notification-suppression.2:
		 * flags 1 means the driver does not want the notification. */
		if (v & VRING_AVAIL_F_NO_INTERRUPT)
			return 0;
	}
	vs__vdev_vring_interrupt(vdev, vq->index);
	return 0;
}

int vs_vq_set_no_notify(struct vs_vq *vq, int no_notify)
{
	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return -ENOENT;
	/* spec dev.basic.virtqueues.available-buffer-notification-suppression.3 */
	if (vs_vdev_has_feature(vq->vdev, VIRTIO_F_EVENT_IDX))
		return no_notify ? -EINVAL : 0;
	if (write_le16(vq, vq->used_gpa + VS_USED_FLAGS, no_notify ? VRING_USED_F_NO_NOTIFY : 0))
		return vs__vq_fail(vq, "used flags not writable");
	return 0;
}
