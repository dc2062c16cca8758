/*
 * vring_split.c - the device side of a split virtqueue (spec 2.7): pop a
 * validated descriptor chain from the available ring, write a used
 * element, decide on the used buffer notification and publish whether the
 * device wants kicks.  The common checks around these are in vring.c.
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
			/* spec dev.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.2:
			 * zero or more chained descriptors, then one table. */
			err = vs__vq_check_indirect(vq, elem, addr, len, flags, idx, w.indirect);
			if (err)
				return err;
			/* ...indirect-descriptors.1 (device): the WRITE flag of
			 * the table descriptor itself means nothing. */
			w.table = addr;
			w.size = len / sizeof(struct vring_desc);
			w.seen = 0;
			w.indirect = 1;
			idx = 0;
			continue;
		}
		err = vs__vq_elem_add(vq, elem, addr, len, (flags & VRING_DESC_F_WRITE) != 0, idx);
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

/*
 * The avail ring entry at slot (for last_avail_idx).  Entries come in
 * bursts: when the cache does not hold it, read every published entry
 * from slot on, up to the end of the ring and VS_VQ_BURST, in one access.
 */
static int avail_entry(struct vs_vq *vq, uint16_t slot, uint16_t *head)
{
	uint16_t k = (uint16_t)(vq->last_avail_idx - vq->avail_cache_idx);
	uint8_t raw[2 * VS_VQ_BURST];
	uint32_t n, i;

	if (k < vq->avail_cache_n) {
		*head = vq->avail_cache[k];
		return 0;
	}
	n = (uint16_t)(vq->shadow_avail_idx - vq->last_avail_idx);
	if (n > VS_VQ_BURST)
		n = VS_VQ_BURST;
	if (n > vq->num - slot)
		n = vq->num - slot;
	if (vs_arena_read(vq->vdev->arena, VS_SIDE_DEVICE, vq->avail_gpa + VS_AVAIL_RING(slot), raw,
			  2 * n))
		return -EFAULT;
	for (i = 0; i < n; i++)
		vq->avail_cache[i] = vs_le16(raw + 2 * i);
	vq->avail_cache_idx = vq->last_avail_idx;
	vq->avail_cache_n = (uint16_t)n;
	*head = vq->avail_cache[0];
	return 0;
}

int vs__vq_pop_split(struct vs_vq *vq, struct vs_vq_elem *elem)
{
	uint16_t avail_idx, pending, head, slot;
	int err;

	/* The avail idx is read again only once the entries it published
	 * last time are consumed (QEMU's shadow_avail_idx): one read per
	 * batch, and always a fresh one before saying the ring is empty. */
	if (vq->last_avail_idx == vq->shadow_avail_idx) {
		if (read_le16(vq, vq->avail_gpa + VS_AVAIL_IDX, &avail_idx))
			return vs__vq_fail(vq, "avail idx at 0x%llx not readable",
					   (unsigned long long)(vq->avail_gpa + VS_AVAIL_IDX));
		pending = (uint16_t)(avail_idx - vq->last_avail_idx);
		if (!pending)
			return -ENOENT;
		/* spec drv.basic.virtqueues.virtqueue-available-ring.1: idx never
		 * goes back, and never runs more than a ring ahead of the device. */
		if (pending > vq->num)
			return vs__vq_fail(vq,
					   "avail idx %u is %u past last_avail_idx %u (queue size %u)",
					   avail_idx, pending, vq->last_avail_idx, vq->num);
		vq->shadow_avail_idx = avail_idx;
	}

	slot = (uint16_t)(vq->last_avail_idx % vq->num);
	head = 0;
	if (avail_entry(vq, slot, &head))
		return vs__vq_fail(vq, "avail ring entry %u not readable", slot);
	if (head >= vq->num)
		return vs__vq_fail(vq, "avail ring[%u] = head %u >= queue size %u", slot, head,
				   vq->num);
	/* spec drv.init.device-cleanup.1: a chain the device still holds is
	 * not the driver's to expose again. */
	if (vs__vq_inflight_test(vq, head))
		return vs__vq_fail(vq, "avail ring[%u] = head %u, which is still in flight", slot,
				   head);

	elem->head = head;
	err = walk_chain(vq, elem);
	if (err)
		return err;

	vq->last_avail_idx++;
	/* With EVENT_IDX, tell the driver to kick when it publishes the entry
	 * after the last one consumed (spec 2.7.10). */
	if (vq->event_idx &&
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
uint32_t vs__vq_pick_not_outstanding_split(struct vs_vq *vq, uint16_t head)
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

/* Write the cached used elements: one access per run of adjacent slots
 * (two when the run wraps the ring). */
static int used_cache_write(struct vs_vq *vq)
{
	uint16_t first = (uint16_t)(vq->used_idx + vq->fill_count - vq->used_cache_n);
	uint32_t slot = first % vq->num, n = vq->used_cache_n, done = 0;

	while (done < n) {
		uint32_t run = n - done;

		if (run > vq->num - slot)
			run = vq->num - slot;
		if (vs_arena_write(vq->vdev->arena, VS_SIDE_DEVICE, vq->used_gpa + VS_USED_RING(slot),
				   vq->used_cache[done], 8ull * run))
			return vs__vq_fail(vq, "used ring entry %u not writable", slot);
		done += run;
		slot = 0;
	}
	vq->used_cache_n = 0;
	return 0;
}

int vs__vq_fill_split(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t id,
		      uint32_t len)
{
	uint8_t *used;

	(void)elem;
	if (vq->used_cache_n == VS_VQ_BURST && used_cache_write(vq))
		return -EIO;
	used = vq->used_cache[vq->used_cache_n++];
	vs_put_le32(used + offsetof(struct vring_used_elem, id), id);
	vs_put_le32(used + offsetof(struct vring_used_elem, len), len);
	vq->fill_count++;
	return 0;
}

int vs__vq_flush_split(struct vs_vq *vq)
{
	uint16_t idx = (uint16_t)(vq->used_idx + vq->fill_count), shown = idx;

	if (!vq->fill_count)
		return 0;
	if (used_cache_write(vq))
		return -EIO;
	/* VS_FAULT_DEV_USED_IDX_JUMP: move idx by queue size + 1 more than
	 * the entries written (2.7.8: idx counts the entries the device
	 * wrote, at most Queue Size of them outstanding), and go on counting
	 * from there, as a device whose idx got corrupted would. */
	if (vs_fault_hit(vq->vdev->faults, VS_FAULT_DEV_USED_IDX_JUMP)) {
		shown = (uint16_t)(idx + vq->num + 1);
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used idx %u published as %u",
		       vq->vdev->label, vq->index, idx, shown);
	}
	/* spec dev.basic.virtqueues.virtqueue-used-ring.1: the elements (len
	 * included) before the idx that publishes them. */
	if (write_le16(vq, vq->used_gpa + VS_USED_IDX, shown))
		return vs__vq_fail(vq, "used idx not writable");
	vq->used_idx = shown;
	vq->fill_count = 0;
	return 0;
}

int vs__vq_want_notify_split(struct vs_vq *vq)
{
	uint16_t v;

	if (vq->event_idx) {
		uint16_t old = vq->signalled_used;
		int valid = vq->signalled_valid;

		if (read_le16(vq, vq->avail_gpa + VS_AVAIL_USED_EVENT(vq->num), &v))
			return vs__vq_fail(vq, "used_event not readable");
		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = 1;
		/* spec dev.basic.virtqueues.used-buffer-notification-suppression.4-6:
		 * flags ignored; notify when used idx crossed used_event. */
		return !valid || vs_need_event(v, vq->used_idx, old);
	}
	if (read_le16(vq, vq->avail_gpa + VS_AVAIL_FLAGS, &v))
		return vs__vq_fail(vq, "avail flags not readable");
	/* spec dev.basic.virtqueues.used-buffer-notification-suppression.2
	 * and .3: flags 1 means the driver does not want the notification. */
	return !(v & VRING_AVAIL_F_NO_INTERRUPT);
}

int vs__vq_set_no_notify_split(struct vs_vq *vq, int no_notify)
{
	/* spec dev.basic.virtqueues.available-buffer-notification-suppression.3 */
	if (vq->event_idx)
		return no_notify ? -EINVAL : 0;
	/* ...suppression.1 and .2: flags 0 or 1. */
	if (write_le16(vq, vq->used_gpa + VS_USED_FLAGS, no_notify ? VRING_USED_F_NO_NOTIFY : 0))
		return vs__vq_fail(vq, "used flags not writable");
	return 0;
}
