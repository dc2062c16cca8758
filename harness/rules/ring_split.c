/*
 * ring_split.c - split virtqueue checks (spec 2.7), both sides.
 *
 * Inputs are the ring layout the driver programmed (size, three
 * addresses, captured when it set the queue ready) and the negotiated
 * features; guest memory is read raw.  The monitor keeps a shadow of each
 * live queue:
 *  - avail_shadow: chains up to this avail idx are registered.  Every new
 *    chain is validated once, when first seen (a kick, an interrupt, a
 *    device memory access, a sync), and recorded by head: its buffers
 *    (device-readable, device-writable, indirect tables), total bytes and
 *    the main-table descriptors it occupies (owner[]);
 *  - used_shadow: used entries up to this used idx are processed: each
 *    must name an outstanding head, report a len within its writable
 *    bytes, and releases the chain.
 * A used-idx write by an in-process device is seen by the arena tap before
 * the bytes land, so the queue is marked dirty and processed at the next
 * monitored event (vs__ring_flush), with the driver's suppression state
 * captured at the write, which is exactly what the device then reads.
 *
 * Catch-up processes used entries first (a driver may reuse a head as soon
 * as it saw it used), and registers new chains lazily when a used entry
 * names a head not seen yet (a driver may skip the kick when the device
 * asked for no notifications).
 *
 * Cost: a kick validates only the new chains; a device memory access scans
 * the outstanding chains of every live queue for overlap.  Turn the
 * monitor off for benchmarks.
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

static int feat(const struct vs__dev *dev, unsigned bit)
{
	return (vs__dev_features(dev) & VS_BIT(bit)) != 0;
}

static uint16_t rd16(struct vs_monitor *mon, uint64_t gpa, int *ok)
{
	uint8_t b[2];

	if (vs__mem_read(mon, gpa, b, 2) < 0) {
		*ok = 0;
		return 0;
	}
	return vs_le16(b);
}

static int seg_add(struct vs__chain *c, uint64_t gpa, uint64_t len, int writable, int table,
		   int wflag)
{
	if (c->nseg == c->segcap) {
		uint32_t cap = c->segcap ? c->segcap * 2 : 4;
		struct vs__seg *s = realloc(c->seg, cap * sizeof(*s));

		if (!s)
			return -1;
		c->seg = s;
		c->segcap = cap;
	}
	c->seg[c->nseg++] = (struct vs__seg){gpa, len, (uint8_t)writable, (uint8_t)table,
					     (uint8_t)wflag};
	return 0;
}

static int desc_add(struct vs__chain *c, uint16_t d)
{
	if (c->ndesc == c->desccap) {
		uint32_t cap = c->desccap ? c->desccap * 2 : 4;
		uint16_t *n = realloc(c->desc, cap * sizeof(*n));

		if (!n)
			return -1;
		c->desc = n;
		c->desccap = cap;
	}
	c->desc[c->ndesc++] = d;
	return 0;
}

void vs__queue_free(struct vs__queue *q)
{
	if (q->chains) {
		for (uint32_t i = 0; i < q->lnum; i++) {
			free(q->chains[i].seg);
			free(q->chains[i].desc);
		}
	}
	free(q->chains);
	free(q->owner);
	free(q->fifo);
	q->chains = NULL;
	q->owner = NULL;
	q->fifo = NULL;
	q->live = 0;
}

void vs__queue_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	uint32_t num = q->num;
	int ok = 1;
	uint16_t flags;

	/* spec drv.init.device-initialization.1: queues are step 7, after
	 * FEATURES_OK (and .5: not at all once the device refused it) */
	if (dev->features_ok_refused)
		vs__violate(mon, dev, (int)q->index, VS_R_INIT_CONTINUE_AFTER_REFUSAL,
			    "queue %u enabled after the device refused FEATURES_OK", q->index);
	else if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && !vs__dev_legacy(dev))
		vs__violate(mon, dev, (int)q->index, VS_R_INIT_QUEUE_BEFORE_FEATURES_OK,
			    "queue %u enabled with status 0x%02x", q->index, dev->status);
	vs__queue_free(q);
	if (feat(dev, VIRTIO_F_RING_PACKED))
		return; /* packed rings: rules/ring_packed.c, later */
	/* 2.7: Queue Size is a power of 2, at most 32768 */
	if (num == 0 || num > VS_VRING_MAX_SIZE || (num & (num - 1))) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_QUEUE_SIZE,
			    "queue %u enabled with size %u", q->index, num);
		return;
	}
	/* spec drv.basic.virtqueues.1 */
	if ((q->desc % VS_VRING_DESC_ALIGN) || (q->avail % VS_VRING_AVAIL_ALIGN) ||
	    (q->used % VS_VRING_USED_ALIGN))
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_RING_ALIGNMENT,
			    "queue %u: desc 0x%llx avail 0x%llx used 0x%llx", q->index,
			    (unsigned long long)q->desc, (unsigned long long)q->avail,
			    (unsigned long long)q->used);
	/* 2.7: each part is contiguous guest memory */
	if (!vs__mem_ok(mon, q->desc, VS_DESC_SIZE(num)) ||
	    !vs__mem_ok(mon, q->avail, VS_AVAIL_SIZE(num)) ||
	    !vs__mem_ok(mon, q->used, VS_USED_SIZE(num))) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_RING_RANGE,
			    "queue %u of size %u: desc 0x%llx avail 0x%llx used 0x%llx not all in RAM",
			    q->index, num, (unsigned long long)q->desc, (unsigned long long)q->avail,
			    (unsigned long long)q->used);
		return;
	}
	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.1 */
	flags = rd16(mon, q->used + VS_USED_FLAGS, &ok);
	if (ok && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS_INIT,
			    "queue %u enabled with used flags 0x%x", q->index, flags);
	q->chains = calloc(num, sizeof(*q->chains));
	q->owner = malloc(num * sizeof(*q->owner));
	q->fifo = malloc(num * sizeof(*q->fifo));
	if (!q->chains || !q->owner || !q->fifo) {
		vs__queue_free(q);
		return;
	}
	memset(q->owner, 0xff, num * sizeof(*q->owner));
	q->lnum = num;
	q->ldesc = q->desc;
	q->lavail = q->avail;
	q->lused = q->used;
	q->avail_shadow = 0; /* both indices start at 0 (2.7.6, 2.7.8) */
	q->used_shadow = 0;
	q->fifo_head = q->fifo_len = 0;
	q->outstanding = 0;
	q->used_dirty = 0;
	q->snap_valid = 0;
	q->busy = 0;
	q->tainted = 0;
	q->live = 1;
	/* memory handed out again is no longer an old ring */
	vs__dead_forget(mon, q->ldesc, VS_DESC_SIZE(num));
	vs__dead_forget(mon, q->lavail, VS_AVAIL_SIZE(num));
	vs__dead_forget(mon, q->lused, VS_USED_SIZE(num));
}

void vs__queue_disable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int reason)
{
	int d = vs__dev_index(mon, dev);

	if (!q->live)
		return;
	vs__dead_add(mon, q->ldesc, VS_DESC_SIZE(q->lnum), d, (int)q->index, reason);
	vs__dead_add(mon, q->lavail, VS_AVAIL_SIZE(q->lnum), d, (int)q->index, reason);
	vs__dead_add(mon, q->lused, VS_USED_SIZE(q->lnum), d, (int)q->index, reason);
	vs__queue_free(q);
}

static void chain_release(struct vs__queue *q, uint16_t head)
{
	struct vs__chain *c = &q->chains[head];

	if (!c->outstanding)
		return;
	c->outstanding = 0;
	q->outstanding--;
	for (uint32_t i = 0; i < c->ndesc; i++)
		if (q->owner[c->desc[i]] == head)
			q->owner[c->desc[i]] = VS__NO_OWNER;
}

static void used_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);

/* Walk one chain from head; fills c, reports driver-side violations. */
struct walk {
	struct vs_monitor *mon;
	struct vs__dev *dev;
	struct vs__queue *q;
	struct vs__chain *c;
	uint16_t head;
	uint32_t count; /* descriptors, indirect entries included */
	int seen_writable;
};

static void walk_buffer(struct walk *w, uint64_t addr, uint32_t len, uint16_t flags,
			const char *where, uint32_t at)
{
	int writable = (flags & VRING_DESC_F_WRITE) != 0;

	if (len && !vs__mem_ok(w->mon, addr, len))
		vs__violate(w->mon, w->dev, (int)w->q->index, VS_R_SPLIT_DESC_RANGE,
			    "head %u: %s %u buffer 0x%llx+%u not in RAM", w->head, where, at,
			    (unsigned long long)addr, len);
	/* spec drv.basic.message-framing.1 */
	if (!writable && w->seen_writable)
		vs__violate(w->mon, w->dev, (int)w->q->index, VS_R_SPLIT_WRITE_BEFORE_READ,
			    "head %u: device-readable %s %u after a device-writable one", w->head,
			    where, at);
	w->seen_writable |= writable;
	if (writable)
		w->c->writable += len;
	else
		w->c->readable += len;
	seg_add(w->c, addr, len, writable, 0, 0);
}

static void walk_indirect(struct walk *w, uint64_t table, uint32_t len)
{
	struct vs_monitor *mon = w->mon;
	uint32_t n = len / 16, j = 0, steps = 0;
	uint8_t raw[16];

	for (;;) {
		uint64_t addr;
		uint32_t dlen;
		uint16_t flags, next;

		if (w->count >= w->q->lnum) {
			/* spec ...indirect-descriptors.3 */
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_CHAIN_TOO_LONG,
				    "head %u: chain longer than the queue size %u", w->head,
				    w->q->lnum);
			return;
		}
		if (steps >= n) {
			/* spec drv.basic.virtqueues.virtqueue-descriptor-table.1 */
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_DESC_LOOP,
				    "head %u: indirect table of %u entries loops", w->head, n);
			return;
		}
		if (vs__mem_read(mon, table + 16ull * j, raw, 16) < 0)
			return;
		addr = vs_le64(raw);
		dlen = vs_le32(raw + 8);
		flags = vs_le16(raw + 12);
		next = vs_le16(raw + 14);
		steps++;
		w->count++;
		/* spec ...indirect-descriptors.2 */
		if (flags & VRING_DESC_F_INDIRECT)
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_INDIRECT_NESTED,
				    "head %u: indirect entry %u has VIRTQ_DESC_F_INDIRECT", w->head, j);
		else
			walk_buffer(w, addr, dlen, flags, "indirect entry", j);
		if (!(flags & VRING_DESC_F_NEXT))
			return;
		/* spec ...indirect-descriptors.5: in order, entry j chains to j + 1 */
		if (feat(w->dev, VIRTIO_F_IN_ORDER) && next != j + 1)
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_IN_ORDER_INDIRECT,
				    "head %u: indirect entry %u next %u", w->head, j, next);
		if (next >= n) {
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_DESC_INDEX,
				    "head %u: indirect entry %u next %u >= table size %u", w->head, j,
				    next, n);
			return;
		}
		j = next;
	}
}

static void register_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			   uint16_t pos, uint16_t head)
{
	struct vs__chain *c;
	struct walk w = {mon, dev, q, NULL, head, 0, 0};
	uint32_t i = head, main_n = 0;
	uint8_t raw[16];

	if (head >= q->lnum) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DESC_INDEX,
			    "avail idx %u: head %u >= queue size %u", pos, head, q->lnum);
		q->tainted = 1;
		return;
	}
	c = &q->chains[head];
	if (c->outstanding && !(q->busy & VS__IN_USED))
		used_catchup(mon, dev, q); /* the device may have used it already */
	if (c->outstanding) {
		/* spec drv.init.device-cleanup.1 */
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_HEAD_REUSED,
			    "avail idx %u: head %u made available again, outstanding since avail idx %u",
			    pos, head, c->avail_pos);
		chain_release(q, head);
		q->tainted = 1;
	}
	c->nseg = c->ndesc = 0;
	c->readable = c->writable = 0;
	c->avail_pos = pos;
	w.c = c;
	for (;;) {
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (main_n >= q->lnum) {
			/* spec drv.basic.virtqueues.virtqueue-descriptor-table.1 */
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DESC_LOOP,
				    "head %u: chain loops (more than %u descriptors)", head, q->lnum);
			break;
		}
		if (vs__mem_read(mon, q->ldesc + 16ull * i, raw, 16) < 0)
			break;
		addr = vs_le64(raw);
		len = vs_le32(raw + 8);
		flags = vs_le16(raw + 12);
		next = vs_le16(raw + 14);
		main_n++;
		w.count++;
		if (q->owner[i] != VS__NO_OWNER && q->owner[i] != head)
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_HEAD_REUSED,
				    "head %u: descriptor %u belongs to outstanding chain %u", head, i,
				    q->owner[i]);
		q->owner[i] = head;
		desc_add(c, (uint16_t)i);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (!feat(dev, VIRTIO_F_INDIRECT_DESC))
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_NOT_NEGOTIATED,
					    "head %u: descriptor %u is indirect", head, i);
			if (flags & VRING_DESC_F_NEXT)
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_NEXT,
					    "head %u: descriptor %u has INDIRECT and NEXT", head, i);
			/* 2.7.5.3: the table is desc[len / 16] */
			if (len == 0 || (len % 16))
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_LEN,
					    "head %u: indirect table length %u", head, len);
			else if (!vs__mem_ok(mon, addr, len))
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DESC_RANGE,
					    "head %u: indirect table 0x%llx+%u not in RAM", head,
					    (unsigned long long)addr, len);
			else if (seg_add(c, addr, len, 0, 1, (flags & VRING_DESC_F_WRITE) != 0) == 0) {
				/* the chain's length counts the buffers the table
				 * holds, not the descriptor pointing at it */
				w.count--;
				walk_indirect(&w, addr, len);
			}
			break;
		}
		walk_buffer(&w, addr, len, flags, "descriptor", i);
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		/* spec drv.basic.virtqueues.virtqueue-descriptor-table.2 */
		if (feat(dev, VIRTIO_F_IN_ORDER) && next != (i + 1) % q->lnum)
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_IN_ORDER_NEXT,
				    "head %u: descriptor %u next %u, not %u", head, i, next,
				    (i + 1) % q->lnum);
		if (next >= q->lnum) {
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DESC_INDEX,
				    "head %u: descriptor %u next %u >= queue size %u", head, i, next,
				    q->lnum);
			break;
		}
		i = next;
	}
	/* spec drv.basic.virtqueues.virtqueue-descriptor-table.1 */
	if (c->readable + c->writable > 0xffffffffull)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_CHAIN_BYTES,
			    "head %u: %llu bytes in total", head,
			    (unsigned long long)(c->readable + c->writable));
	c->outstanding = 1;
	q->outstanding++;
	/* memory the driver hands out again is no longer an old ring */
	for (uint32_t s = 0; s < c->nseg; s++)
		vs__dead_forget(mon, c->seg[s].gpa, c->seg[s].len);
	if (feat(dev, VIRTIO_F_IN_ORDER) && q->fifo_len < q->lnum)
		q->fifo[(q->fifo_head + q->fifo_len++) % q->lnum] = head;
	vs__emit(mon, "avail", dev, (int)q->index, "idx=%u head=%u descs=%u readable=%llu writable=%llu",
		 pos, head, w.count, (unsigned long long)c->readable,
		 (unsigned long long)c->writable);
	vs__devtype_chain(mon, dev, q, head, c);
}

static void avail_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	int ok = 1;
	uint16_t idx, flags, delta;

	if (!q->live || (q->busy & VS__IN_AVAIL))
		return;
	idx = rd16(mon, q->lavail + VS_AVAIL_IDX, &ok);
	flags = rd16(mon, q->lavail + VS_AVAIL_FLAGS, &ok);
	if (!ok)
		return;
	delta = (uint16_t)(idx - q->avail_shadow);
	if (delta == 0)
		return;
	/* spec drv.basic.virtqueues.used-buffer-notification-suppression.3 / .1 */
	if (feat(dev, VIRTIO_F_EVENT_IDX) && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_AVAIL_FLAGS_EVENT_IDX,
			    "queue %u: avail flags 0x%x with VIRTIO_F_EVENT_IDX", q->index, flags);
	else if (!feat(dev, VIRTIO_F_EVENT_IDX) && flags > 1)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_AVAIL_FLAGS,
			    "queue %u: avail flags 0x%x", q->index, flags);
	/* spec drv.init.device-suspend.3 / .6 */
	if (dev->resume_wait)
		vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_RESUME_WAIT,
			    "queue %u: avail idx %u -> %u before the resume showed in status", q->index,
			    q->avail_shadow, idx);
	else if (dev->suspend_req)
		vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_AVAIL,
			    "queue %u: avail idx %u -> %u after SUSPEND", q->index, q->avail_shadow, idx);
	if (delta > q->lnum) {
		if ((uint16_t)(q->avail_shadow - idx) <= q->lnum) {
			/* spec drv.basic.virtqueues.virtqueue-available-ring.1; the
			 * shadow stays: chains count again once idx passes it */
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_AVAIL_IDX_DECREMENT,
				    "queue %u: avail idx %u -> %u", q->index, q->avail_shadow, idx);
			q->tainted = 1;
		} else {
			/* 2.7: at most Queue Size buffers are available at once */
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_AVAIL_IDX_JUMP,
				    "queue %u: avail idx %u -> %u (+%u) on a queue of %u", q->index,
				    q->avail_shadow, idx, delta, q->lnum);
			q->avail_shadow = idx;
			q->tainted = 1;
		}
		return;
	}
	q->busy |= VS__IN_AVAIL;
	for (uint16_t pos = q->avail_shadow; pos != idx; pos++) {
		uint16_t head = rd16(mon, q->lavail + VS_AVAIL_RING(pos % q->lnum), &ok);

		if (!ok || !q->live)
			break;
		register_chain(mon, dev, q, pos, head);
	}
	q->avail_shadow = idx;
	q->busy &= ~VS__IN_AVAIL;
}

/* IN_ORDER (2.7.9): one entry may stand for a batch, ending at id. */
static uint16_t in_order_take(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			      uint16_t pos, uint32_t id, uint16_t left)
{
	uint32_t k;

	for (k = 0; k < q->fifo_len; k++)
		if (q->fifo[(q->fifo_head + k) % q->lnum] == id)
			break;
	if (k == q->fifo_len)
		return 1;
	if (k + 1 > left) {
		/* spec dev.reserved.5 */
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_IN_ORDER,
			    "used idx %u: id %u used before %u (made available earlier)", pos, id,
			    q->fifo[q->fifo_head % q->lnum]);
		for (; k + 1 < q->fifo_len; k++)
			q->fifo[(q->fifo_head + k) % q->lnum] =
				q->fifo[(q->fifo_head + k + 1) % q->lnum];
		q->fifo_len--;
		return 1;
	}
	for (uint32_t b = 0; b < k; b++)
		chain_release(q, q->fifo[(q->fifo_head + b) % q->lnum]);
	q->fifo_head = (q->fifo_head + k + 1) % q->lnum;
	q->fifo_len -= k + 1;
	return (uint16_t)(k + 1);
}

/* One used entry at position pos; returns how many positions it covers. */
static uint16_t process_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			     uint16_t pos, uint16_t left)
{
	uint8_t raw[8];
	uint32_t id, len;
	uint16_t step = 1;
	struct vs__chain *c;

	if (vs__mem_read(mon, q->lused + VS_USED_RING(pos % q->lnum), raw, 8) < 0)
		return 1;
	id = vs_le32(raw);
	len = vs_le32(raw + 4);
	if (id >= q->lnum) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_ID_RANGE,
			    "used idx %u: id %u >= queue size %u", pos, id, q->lnum);
		return 1;
	}
	c = &q->chains[id];
	if (!c->outstanding)
		avail_catchup(mon, dev, q); /* made available without a kick */
	if (!c->outstanding) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_ID_NOT_OUTSTANDING,
			    "used idx %u: id %u is not outstanding", pos, id);
		return 1;
	}
	if (feat(dev, VIRTIO_F_IN_ORDER))
		step = in_order_take(mon, dev, q, pos, id, left);
	/* spec dev.basic.virtqueues.virtqueue-used-ring.2 */
	if (len > c->writable)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_LEN,
			    "used idx %u: id %u len %u > %llu device-writable bytes", pos, id, len,
			    (unsigned long long)c->writable);
	vs__emit(mon, "used", dev, (int)q->index, "idx=%u id=%u len=%u", pos, id, len);
	vs__devtype_used(mon, dev, q, (uint16_t)id, c, len);
	chain_release(q, (uint16_t)id);
	return step;
}

static void used_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	int ok = 1;
	uint16_t idx, flags, delta, old, pos;

	if (!q->live || (q->busy & VS__IN_USED))
		return;
	idx = rd16(mon, q->lused + VS_USED_IDX, &ok);
	flags = rd16(mon, q->lused + VS_USED_FLAGS, &ok);
	if (!ok)
		return;
	delta = (uint16_t)(idx - q->used_shadow);
	if (delta == 0) {
		q->snap_valid = 0;
		return;
	}
	/* spec dev.basic.virtqueues.available-buffer-notification-suppression.3 / .1 */
	if (feat(dev, VIRTIO_F_EVENT_IDX) && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS_EVENT_IDX,
			    "queue %u: used flags 0x%x with VIRTIO_F_EVENT_IDX", q->index, flags);
	else if (!feat(dev, VIRTIO_F_EVENT_IDX) && flags > 1)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS,
			    "queue %u: used flags 0x%x", q->index, flags);
	if (delta > q->lnum) {
		/* 2.7.8: idx counts entries; at most Queue Size are outstanding */
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_IDX_JUMP,
			    "queue %u: used idx %u -> %u on a queue of %u", q->index, q->used_shadow,
			    idx, q->lnum);
		/* the entries count as used, owed a notification or not
		 * unknown: no cascade of interrupt-status violations */
		q->snap_valid = 0;
		vs__notify_used(mon, dev, q, q->used_shadow, idx);
		q->used_shadow = idx;
		return;
	}
	/* spec dev.init.device-suspend.3 */
	if (dev->suspended && !dev->resume_wait)
		vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_DEVICE_QUEUE_ACCESS,
			    "queue %u: used idx %u -> %u while suspended", q->index, q->used_shadow,
			    idx);
	/* spec dev.basic.device-status-field.1 */
	else if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_BEFORE_DRIVER_OK,
			    "queue %u: used idx %u -> %u with status 0x%02x", q->index, q->used_shadow,
			    idx, dev->status);
	q->busy |= VS__IN_USED;
	old = q->used_shadow;
	for (pos = old; pos != idx && q->live;) {
		uint16_t step = process_used(mon, dev, q, pos, (uint16_t)(idx - pos));

		pos = (uint16_t)(pos + step);
	}
	q->used_shadow = idx;
	q->busy &= ~VS__IN_USED;
	vs__notify_used(mon, dev, q, old, idx);
}

void vs__ring_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	if (!q->live)
		return;
	used_catchup(mon, dev, q);
	avail_catchup(mon, dev, q);
}

void vs__ring_flush(struct vs_monitor *mon)
{
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *dev = mon->devs[i];

		for (uint32_t j = 0; j < dev->nq; j++) {
			struct vs__queue *q = dev->q[j];

			if (q->live && q->used_dirty) {
				q->used_dirty = 0;
				used_catchup(mon, dev, q);
			}
		}
	}
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * A device writes used element slots for positions idx .. idx+outstanding-1
 * (idx = the used idx in memory): those are the entries it can still
 * complete.  Any other slot holds an entry already published.
 */
static void check_used_elem_write(struct vs_monitor *mon, struct vs__dev *dev,
				  struct vs__queue *q, uint64_t gpa, uint64_t len)
{
	uint64_t ring = q->lused + VS_USED_RING(0);
	uint64_t lo = gpa > ring ? gpa : ring;
	uint64_t hi = gpa + len < ring + 8ull * q->lnum ? gpa + len : ring + 8ull * q->lnum;
	int ok = 1;
	uint16_t idx = rd16(mon, q->lused + VS_USED_IDX, &ok);

	if (!ok || q->tainted)
		return;
	for (uint64_t slot = (lo - ring) / 8; slot <= (hi - 1 - ring) / 8; slot++) {
		uint32_t ahead = (uint32_t)((slot + q->lnum - idx % q->lnum) % q->lnum);

		/* spec dev.basic.virtqueues.virtqueue-used-ring.1 */
		if (ahead >= q->outstanding)
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_WRITE_PUBLISHED,
				    "queue %u: used ring slot %llu written at used idx %u with %u outstanding",
				    q->index, (unsigned long long)slot, idx, q->outstanding);
	}
}

static int touches_queue(const struct vs__queue *q, uint64_t gpa, uint64_t len)
{
	if (overlaps(gpa, len, q->ldesc, VS_DESC_SIZE(q->lnum)) ||
	    overlaps(gpa, len, q->lavail, VS_AVAIL_SIZE(q->lnum)) ||
	    overlaps(gpa, len, q->lused, VS_USED_SIZE(q->lnum)))
		return 1;
	for (uint32_t h = 0; h < q->lnum && q->outstanding; h++)
		for (uint32_t s = 0; q->chains[h].outstanding && s < q->chains[h].nseg; s++)
			if (overlaps(gpa, len, q->chains[h].seg[s].gpa, q->chains[h].seg[s].len))
				return 1;
	return 0;
}

static void check_queue_access(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			       uint64_t gpa, uint64_t len, int is_write)
{
	/* spec dev.init.device-suspend.3 */
	if (dev->suspended && !dev->resume_wait && touches_queue(q, gpa, len))
		vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_DEVICE_QUEUE_ACCESS,
			    "queue %u: device %s 0x%llx+%llu while suspended", q->index,
			    is_write ? "wrote" : "read", (unsigned long long)gpa,
			    (unsigned long long)len);
	if (is_write) {
		/* spec dev.basic.virtqueues.virtqueue-descriptor-table.2 */
		if (overlaps(gpa, len, q->ldesc, VS_DESC_SIZE(q->lnum)))
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_WRITE_DESC,
				    "queue %u: device wrote 0x%llx+%llu into the descriptor table",
				    q->index, (unsigned long long)gpa, (unsigned long long)len);
		/* 2.7.6: the available ring is only written by the driver */
		if (overlaps(gpa, len, q->lavail, VS_AVAIL_SIZE(q->lnum)))
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_WRITE_AVAIL,
				    "queue %u: device wrote 0x%llx+%llu into the driver area",
				    q->index, (unsigned long long)gpa, (unsigned long long)len);
		if (overlaps(gpa, len, q->lused + VS_USED_RING(0), 8ull * q->lnum))
			check_used_elem_write(mon, dev, q, gpa, len);
		if (overlaps(gpa, len, q->lused + VS_USED_IDX, 2)) {
			int ok = 1;

			q->snap_flags = rd16(mon, q->lavail + VS_AVAIL_FLAGS, &ok);
			q->snap_used_event = rd16(mon, q->lavail + VS_AVAIL_USED_EVENT(q->lnum), &ok);
			q->snap_valid = ok;
			q->used_dirty = 1;
		}
	}
	for (uint32_t h = 0; h < q->lnum && q->outstanding; h++) {
		const struct vs__chain *c = &q->chains[h];

		if (!c->outstanding)
			continue;
		for (uint32_t s = 0; s < c->nseg; s++) {
			const struct vs__seg *g = &c->seg[s];

			if (!overlaps(gpa, len, g->gpa, g->len))
				continue;
			/* spec dev.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1:
			 * the WRITE flag of an indirect descriptor means nothing */
			if (is_write && g->table && g->wflag)
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_INDIRECT_WRITE,
					    "queue %u head %u: device wrote 0x%llx+%llu into indirect table 0x%llx+%llu",
					    q->index, h, (unsigned long long)gpa,
					    (unsigned long long)len, (unsigned long long)g->gpa,
					    (unsigned long long)g->len);
			/* spec dev.basic.virtqueues.virtqueue-descriptor-table.1 */
			else if (is_write && !g->writable)
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_WRITE_READABLE,
					    "queue %u head %u: device wrote 0x%llx+%llu into %s 0x%llx+%llu",
					    q->index, h, (unsigned long long)gpa,
					    (unsigned long long)len,
					    g->table ? "indirect table" : "device-readable buffer",
					    (unsigned long long)g->gpa, (unsigned long long)g->len);
			else if (!is_write && g->writable)
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_READ_WRITABLE,
					    "queue %u head %u: device read 0x%llx+%llu of device-writable buffer 0x%llx+%llu",
					    q->index, h, (unsigned long long)gpa,
					    (unsigned long long)len, (unsigned long long)g->gpa,
					    (unsigned long long)g->len);
		}
	}
}

void vs__ring_device_access(struct vs_monitor *mon, uint64_t gpa, uint64_t len, int is_write)
{
	/* register chains first: the device may be popping one the driver
	 * made available without a kick */
	for (uint32_t i = 0; i < mon->ndev; i++)
		for (uint32_t j = 0; j < mon->devs[i]->nq; j++)
			avail_catchup(mon, mon->devs[i], mon->devs[i]->q[j]);
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *dev = mon->devs[i];

		for (uint32_t j = 0; j < dev->nq; j++)
			if (dev->q[j]->live)
				check_queue_access(mon, dev, dev->q[j], gpa, len, is_write);
	}
	/* spec dev.basic.device-reset.2, dev.mmio.mmio-device-register-layout.7,
	 * dev.basic.virtqueues.virtqueue-reset.virtqueue-reset.1 */
	for (uint32_t i = 0; i < mon->ndead; i++) {
		const struct vs__dead *d = &mon->dead[i];
		const char *after = d->reason == VS_R_RESET_DEVICE_QUEUE_ACCESS ? "device reset"
				    : d->reason == VS_R_VQRESET_DEVICE_ACCESS  ? "queue reset"
									       : "QueueReady=0";

		if (overlaps(gpa, len, d->gpa, d->len))
			vs__violate(mon, d->dev >= 0 ? mon->devs[d->dev] : NULL, d->queue,
				    (enum vs__rule)d->reason,
				    "queue %d: device %s 0x%llx+%llu of its ring after %s", d->queue,
				    is_write ? "wrote" : "read", (unsigned long long)gpa,
				    (unsigned long long)len, after);
	}
}
