/*
 * vring_packed.c - the device side of a packed virtqueue (spec 2.8): one
 * descriptor ring both sides write, a driver event suppression structure
 * (driver area, read here) and a device event suppression structure
 * (device area, written here).  The common checks around these functions
 * are in vring.c.
 *
 * The device keeps two positions with a wrap counter each: where the next
 * available descriptor will appear (last_avail_idx, avail_wrap) and where
 * it writes the next used descriptor (used_idx, used_wrap).  A descriptor
 * is available when its AVAIL bit equals the expected wrap and its USED
 * bit does not (spec 2.8.1); a list is consecutive descriptors linked by
 * NEXT, its buffer id in the last one.  One used descriptor completes a
 * whole list, and the next used one goes as many slots further as the
 * list was long (spec 2.8.6).
 *
 * Runs once per request, on the loop.  Each descriptor is read with one
 * vs_arena_read of 16 bytes; a used descriptor is written in two steps,
 * id and len first and the flags that publish it last (spec 2.8.21.1
 * applied to the device's side), so the monitor's taps see the order.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"

#define LOG_SUBSYS "vring"

/* One descriptor as read from guest memory. */
struct pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

static int read_desc(struct vs_vq *vq, uint64_t table, uint32_t i, struct pdesc *d)
{
	uint8_t raw[sizeof(struct vring_packed_desc)];

	if (vs_arena_read(vq->vdev->arena, VS_SIDE_DEVICE, table + (uint64_t)i * sizeof(raw), raw,
			  sizeof(raw)))
		return -EFAULT;
	d->addr = vs_le64(raw + offsetof(struct vring_packed_desc, addr));
	d->len = vs_le32(raw + offsetof(struct vring_packed_desc, len));
	d->id = vs_le16(raw + offsetof(struct vring_packed_desc, id));
	d->flags = vs_le16(raw + offsetof(struct vring_packed_desc, flags));
	return 0;
}

/* Made available by the driver for the lap whose wrap counter is wrap. */
static int desc_is_avail(uint16_t flags, unsigned wrap)
{
	unsigned avail = (flags >> VRING_PACKED_DESC_F_AVAIL) & 1u;
	unsigned used = (flags >> VRING_PACKED_DESC_F_USED) & 1u;

	return avail == wrap && used != wrap;
}

static void ring_advance(const struct vs_vq *vq, uint16_t *pos, uint8_t *wrap, uint32_t n)
{
	uint32_t p = *pos + n;

	if (p >= vq->num) {
		p -= vq->num;
		*wrap ^= 1;
	}
	*pos = (uint16_t)p;
}

/* Walk the indirect table d describes into elem (spec 2.8.7: entries in
 * order, no NEXT chaining, WRITE the only meaningful flag). */
static int walk_indirect(struct vs_vq *vq, struct vs_vq_elem *elem, const struct pdesc *d,
			 uint32_t pos)
{
	uint32_t n, j;
	int err;

	err = vs__vq_check_indirect(vq, elem, d->addr, d->len, d->flags, pos, 0);
	if (err)
		return err;
	n = d->len / (uint32_t)sizeof(struct vring_packed_desc);
	for (j = 0; j < n; j++) {
		struct pdesc e;

		if (read_desc(vq, d->addr, j, &e))
			return vs__vq_fail(vq, "id %u: indirect entry %u not readable", d->id, j);
		/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.2:
		 * one table per descriptor, never a table in a table. */
		if (e.flags & VRING_DESC_F_INDIRECT)
			return vs__vq_check_indirect(vq, elem, e.addr, e.len, e.flags, j, 1);
		err = vs__vq_elem_add(vq, elem, e.addr, e.len, (e.flags & VRING_DESC_F_WRITE) != 0, j);
		if (err)
			return err;
	}
	return 0;
}

int vs__vq_pop_packed(struct vs_vq *vq, struct vs_vq_elem *elem)
{
	uint16_t pos = vq->last_avail_idx;
	uint8_t wrap = vq->avail_wrap;
	uint32_t n = 0;
	struct pdesc d;
	int err;

	if (read_desc(vq, vq->desc_gpa, pos, &d))
		return vs__vq_fail(vq, "descriptor %u not readable", pos);
	/* spec dev.basic.packed-virtqueues.virtqueue-descriptor-table.2: use a
	 * descriptor only once its AVAIL bit changed for this lap. */
	if (!desc_is_avail(d.flags, wrap))
		return -ENOENT;
	elem->ring_pos = pos;
	/* The id is only known at the end of the list: log with the position. */
	elem->head = pos;
	for (;;) {
		/* spec drv.basic.packed-virtqueues.scatter-gather-support.2: no
		 * list longer than the queue (it would lap itself). */
		if (++n > vq->num)
			return vs__vq_fail(vq, "list at %u longer than queue size %u",
					   elem->ring_pos, vq->num);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.4:
			 * a table descriptor is a list of its own. */
			if (n > 1)
				return vs__vq_fail(vq, "list at %u: INDIRECT descriptor %u follows NEXT",
						   elem->ring_pos, pos);
			err = walk_indirect(vq, elem, &d, pos);
			if (err)
				return err;
			break;
		}
		err = vs__vq_elem_add(vq, elem, d.addr, d.len, (d.flags & VRING_DESC_F_WRITE) != 0,
				      pos);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		ring_advance(vq, &pos, &wrap, 1);
		if (read_desc(vq, vq->desc_gpa, pos, &d))
			return vs__vq_fail(vq, "descriptor %u not readable", pos);
		/* spec drv.basic.packed-virtqueues.scatter-gather-support.6: the
		 * rest of a list is available before its first descriptor. */
		if (!desc_is_avail(d.flags, wrap))
			return vs__vq_fail(vq, "list at %u: descriptor %u (flags 0x%04x) not available "
					   "for wrap %u", elem->ring_pos, pos, d.flags, wrap);
	}
	/* Buffer ids: this device takes ids below the queue size (as the
	 * driver allocates them) and never one it still holds. */
	if (d.id >= vq->num)
		return vs__vq_fail(vq, "list at %u: buffer id %u >= queue size %u", elem->ring_pos,
				   d.id, vq->num);
	if (vs__vq_inflight_test(vq, d.id))
		return vs__vq_fail(vq, "list at %u: buffer id %u is still in flight",
				   elem->ring_pos, d.id);
	elem->head = d.id;
	elem->ndescs = (uint16_t)n;
	ring_advance(vq, &pos, &wrap, 1);
	vq->last_avail_idx = pos;
	vq->avail_wrap = wrap;

	/* With EVENT_IDX, ask for a kick when the driver makes the next
	 * descriptor available (spec 2.8.10, device event suppression). */
	if (vq->event_idx && vq->dev_event_flags != VRING_PACKED_EVENT_FLAG_DISABLE) {
		uint8_t ev[VS_PACKED_EVENT_SIZE];
		uint64_t len = sizeof(uint16_t);

		vs_put_le16(ev + VS_PACKED_EVENT_OFF_WRAP, vs_vq_next_avail(vq));
		vs_put_le16(ev + VS_PACKED_EVENT_FLAGS, VRING_PACKED_EVENT_FLAG_DESC);
		/* The offset first; the flags only the first time they change. */
		if (vq->dev_event_flags != VRING_PACKED_EVENT_FLAG_DESC)
			len = sizeof(ev);
		if (vs_arena_write(vq->vdev->arena, VS_SIDE_DEVICE, vq->used_gpa, ev, len))
			return vs__vq_fail(vq, "device event suppression not writable");
		vq->dev_event_flags = VRING_PACKED_EVENT_FLAG_DESC;
	}
	return 0;
}

/*
 * VS_FAULT_DEV_USED_ID_NOT_OUTSTANDING: an id below the queue size that is
 * neither in flight nor in a descriptor still waiting in the ring.  The
 * first such id after head; head when there is none.  Peeks through
 * translate, as the split twin does.
 */
uint32_t vs__vq_pick_not_outstanding_packed(struct vs_vq *vq, uint16_t head)
{
	const uint8_t *ring = vs_arena_translate(vq->vdev->arena, vq->desc_gpa,
						 VS_DESC_SIZE(vq->num));
	uint32_t step, cand, k;

	for (step = 1; step < vq->num; step++) {
		uint16_t pos = vq->last_avail_idx;
		uint8_t wrap = vq->avail_wrap;
		int waiting = 0;

		cand = (head + step) % vq->num;
		if (vs__vq_inflight_test(vq, cand))
			continue;
		for (k = 0; ring && k < vq->num && !waiting; k++) {
			const uint8_t *d = ring + (uint64_t)pos * sizeof(struct vring_packed_desc);

			if (!desc_is_avail(vs_le16(d + offsetof(struct vring_packed_desc, flags)), wrap))
				break;
			waiting = vs_le16(d + offsetof(struct vring_packed_desc, id)) == cand;
			ring_advance(vq, &pos, &wrap, 1);
		}
		if (!waiting)
			return cand;
	}
	return head;
}

int vs__vq_fill_packed(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t id,
		       uint32_t len)
{
	struct vs_vdev *vdev = vq->vdev;
	uint64_t at = vq->desc_gpa + (uint64_t)vq->used_idx * sizeof(struct vring_packed_desc);
	uint8_t body[sizeof(uint32_t) + sizeof(uint16_t)], fl[sizeof(uint16_t)];
	unsigned avail = vq->used_wrap, used = vq->used_wrap;
	uint16_t flags;

	/* spec 2.8.1: a used descriptor has AVAIL and USED both equal to the
	 * Device Ring Wrap Counter. */
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_PACKED_USED_WRAP)) {
		avail = used = !vq->used_wrap;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used descriptor %u for id %u "
		       "with wrap %u, counter is %u", vdev->label, vq->index, vq->used_idx, id, avail,
		       vq->used_wrap);
	} else if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_PACKED_USED_FLAGS)) {
		used = !vq->used_wrap;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: fault: used descriptor %u for id %u "
		       "with AVAIL %u USED %u", vdev->label, vq->index, vq->used_idx, id, avail, used);
	}
	flags = (uint16_t)((avail << VRING_PACKED_DESC_F_AVAIL) | (used << VRING_PACKED_DESC_F_USED));
	/* spec 2.8.3: WRITE in a used descriptor says data was written; len
	 * is meaningful only then (2.8.4). */
	if (len)
		flags |= VRING_DESC_F_WRITE;
	/* len and id are adjacent (offsets 8 and 12): one write, then flags. */
	vs_put_le32(body, len);
	vs_put_le16(body + sizeof(uint32_t), (uint16_t)id);
	if (vs_arena_write(vdev->arena, VS_SIDE_DEVICE,
			   at + offsetof(struct vring_packed_desc, len), body, sizeof(body)))
		return vs__vq_fail(vq, "used descriptor %u not writable", vq->used_idx);
	vs_put_le16(fl, flags);
	if (vs_arena_write(vdev->arena, VS_SIDE_DEVICE,
			   at + offsetof(struct vring_packed_desc, flags), fl, sizeof(fl)))
		return vs__vq_fail(vq, "used descriptor %u flags not writable", vq->used_idx);
	/* spec 2.8.6: the next used descriptor goes past the whole list. */
	ring_advance(vq, &vq->used_idx, &vq->used_wrap, elem->ndescs);
	vq->used_pending = (uint16_t)(vq->used_pending + elem->ndescs);
	return 0;
}

int vs__vq_want_notify_packed(struct vs_vq *vq)
{
	uint8_t ev[VS_PACKED_EVENT_SIZE];
	uint16_t off_wrap, flags, event, old;
	uint16_t pending = vq->used_pending;

	/* Nothing used since the last decision: a notification would announce
	 * nothing (the monitor's mmio.isr-spurious caught a flush of nothing). */
	if (!pending)
		return 0;
	if (vs_arena_read(vq->vdev->arena, VS_SIDE_DEVICE, vq->avail_gpa, ev, sizeof(ev)))
		return vs__vq_fail(vq, "driver event suppression not readable");
	vq->used_pending = 0;
	off_wrap = vs_le16(ev + VS_PACKED_EVENT_OFF_WRAP);
	flags = vs_le16(ev + VS_PACKED_EVENT_FLAGS) & 3u;
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		return 0;
	/* DESC means something only with EVENT_IDX (spec 2.8.10); without it,
	 * and for the reserved value 3, the driver gets its notification. */
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx)
		return 1;
	/*
	 * Notify when the used descriptors just written [used_idx - pending,
	 * used_idx) cover the event offset.  Positions of the previous lap
	 * count as negative (mod 2^16), so the window never wraps: an event
	 * whose wrap bit is not the current counter lies in the last lap.
	 */
	event = off_wrap & 0x7fffu;
	if ((unsigned)(off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR) != vq->used_wrap)
		event = (uint16_t)(event - vq->num);
	old = (uint16_t)(vq->used_idx - pending);
	return vs_need_event(event, vq->used_idx, old);
}

int vs__vq_set_no_notify_packed(struct vs_vq *vq, int no_notify)
{
	uint8_t ev[VS_PACKED_EVENT_SIZE];
	uint16_t flags = VRING_PACKED_EVENT_FLAG_ENABLE;

	if (no_notify)
		flags = VRING_PACKED_EVENT_FLAG_DISABLE;
	else if (vq->event_idx)
		flags = VRING_PACKED_EVENT_FLAG_DESC;
	vs_put_le16(ev + VS_PACKED_EVENT_OFF_WRAP, vs_vq_next_avail(vq));
	vs_put_le16(ev + VS_PACKED_EVENT_FLAGS, flags);
	if (vs_arena_write(vq->vdev->arena, VS_SIDE_DEVICE, vq->used_gpa, ev, sizeof(ev)))
		return vs__vq_fail(vq, "device event suppression not writable");
	vq->dev_event_flags = flags;
	return 0;
}
