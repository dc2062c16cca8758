/*
 * ring_split.c - split virtqueue checks (spec 2.7), both sides.
 *
 * Inputs are the ring layout the driver programmed (size, three
 * addresses, captured when it set the queue ready) and the negotiated
 * features; guest memory is read raw.  The monitor keeps a shadow of each
 * live queue:
 *  - avail_shadow: chains up to this avail idx are registered.  Every new
 *    chain is validated once, when first seen (a kick, an interrupt, a
 *    device access to the queue's ring, a sync), and recorded by head: its
 *    buffers (device-readable, device-writable, indirect tables), total
 *    bytes and the main-table descriptors it occupies (owner[]); its
 *    ranges go into the monitor's ring index (monitor_ring.c) so device
 *    accesses to them are judged in O(1);
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
 * Available buffer notifications (2.7.10): the device's used flags and
 * avail_event are device writes the tap sees.  A kick is judged against
 * every value they held since the previous kick (the driver read one of
 * them): a kick none of them asked for is a SHOULD NOT.  Entries
 * published while the fields asked for a kick, with no device write to
 * them since before the entries appeared, owe a kick (a MUST), judged at
 * the second sync.  Neither is judged for a device whose writes the tap
 * never saw (a foreign device): the monitor cannot know what it showed.
 *
 * Cost: a kick validates only the new chains, O(descriptors); a used
 * entry is O(1) plus its chain's segments; a device access is O(1)
 * through the index.
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

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

/*
 * What the device's used flags and avail_event said, for the next kick.
 * The driver reads them after its last publish and before it kicks; that
 * publish came after the last look at the avail ring that did not show
 * it.  So at each look: new entries restart the record with what the
 * fields said since the previous look (win), none extend it; then a new
 * window starts with what they say now.  Every device write is folded in
 * (vs__split_flush).
 */
static void observe(struct vs__queue *q, int changed)
{
	if (changed) {
		q->kick_allow = q->kick_allow_win;
		q->kick_min = q->kick_min_win;
	} else {
		q->kick_allow |= q->kick_allow_win;
		if (q->kick_min_win < q->kick_min)
			q->kick_min = q->kick_min_win;
	}
	q->kick_allow_win = q->cur_allow;
	q->kick_min_win = (uint16_t)(q->cur_ev - q->kick_idx);
}

/* The fields as they are now: the start of every record. */
static void read_fields(struct vs_monitor *mon, struct vs__queue *q)
{
	int ok = 1;
	uint16_t flags = vs__rd16(mon, q->lused + VS_USED_FLAGS, &ok);
	uint16_t ev = vs__rd16(mon, q->lused + VS_USED_AVAIL_EVENT(q->lnum), &ok);

	if (!ok)
		return;
	q->cur_allow = !(flags & VRING_USED_F_NO_NOTIFY);
	q->cur_ev = ev;
}

static void kick_reset(struct vs__queue *q)
{
	q->kick_allow = 0;
	q->kick_min = 0xffff;
	q->kick_allow_win = q->cur_allow;
	q->kick_min_win = (uint16_t)(q->cur_ev - q->kick_idx);
}

void vs__split_free(struct vs__queue *q)
{
	free(q->owner);
	free(q->fifo);
	q->owner = NULL;
	q->fifo = NULL;
}

int vs__split_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	uint32_t num = q->num;
	int ok = 1;
	uint16_t flags;

	/* 2.7: Queue Size is a power of 2, at most 32768 */
	if (num == 0 || num > VS_VRING_MAX_SIZE || (num & (num - 1))) {
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_QUEUE_SIZE,
			    "queue %u enabled with size %u", q->index, num);
		return -1;
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
		return -1;
	}
	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.1 */
	flags = vs__rd16(mon, q->used + VS_USED_FLAGS, &ok);
	if (ok && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS_INIT,
			    "queue %u enabled with used flags 0x%x", q->index, flags);
	q->lnum = num;
	q->chains = calloc(num, sizeof(*q->chains));
	q->owner = malloc(num * sizeof(*q->owner));
	q->fifo = malloc(num * sizeof(*q->fifo));
	if (!q->chains || !q->owner || !q->fifo)
		return -1;
	memset(q->owner, 0xff, num * sizeof(*q->owner));
	q->ldesc = q->desc;
	q->lavail = q->avail;
	q->lused = q->used;
	q->area_len[0] = VS_DESC_SIZE(num);
	q->area_len[1] = VS_AVAIL_SIZE(num);
	q->area_len[2] = VS_USED_SIZE(num);
	q->avail_shadow = 0; /* both indices start at 0 (2.7.6, 2.7.8) */
	q->used_shadow = 0;
	q->fifo_head = q->fifo_len = 0;
	q->outstanding = 0;
	q->snap_valid = 0;
	q->busy = 0;
	q->tainted = 0;
	q->dev_broke = 0;
	q->kick_idx = 0;
	read_fields(mon, q);
	kick_reset(q);
	return 0;
}

/*
 * spec drv.basic.virtqueues.available-buffer-notification-suppression.4 / .6:
 * entries old..idx-1 appeared while the device's fields asked for a
 * notification (flags 0, or avail_event among them), and stayed so since
 * before they appeared: the driver owes a kick.
 */
static void owe_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint16_t old, uint16_t idx)
{
	int ok = 1, owed;

	if (q->kick_owed || !q->dev_tapped || q->tainted || q->dev_broke ||
	    !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) || dev->suspended || dev->suspend_req)
		return;
	if (vs__feat(dev, VIRTIO_F_EVENT_IDX))
		owed = vs_need_event(vs__rd16(mon, q->lused + VS_USED_AVAIL_EVENT(q->lnum), &ok), idx,
				     old);
	else
		owed = !(vs__rd16(mon, q->lused + VS_USED_FLAGS, &ok) & VRING_USED_F_NO_NOTIFY);
	if (!ok || !owed)
		return;
	q->kick_owed = 1;
	q->kick_owed_stamp = mon->sync_count;
	q->kick_owed_gen = q->sup_gen;
	q->kick_owed_idx = idx;
}

static void chain_release(struct vs_monitor *mon, struct vs__queue *q, uint16_t head)
{
	struct vs__chain *c = &q->chains[head];

	if (!c->outstanding)
		return;
	c->outstanding = 0;
	q->outstanding--;
	vs__chain_unindex(mon, c);
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
	int malformed;  /* the walk could not follow it all: the buffers are not the request */
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
	vs__chain_seg_add(w->c, addr, len, writable, 0, 0);
}

static void walk_indirect(struct walk *w, uint64_t table, uint32_t len)
{
	struct vs_monitor *mon = w->mon;
	uint32_t n = len / 16, j = 0, steps = 0;
	int too_long = 0;
	uint8_t raw[16];

	for (;;) {
		uint64_t addr;
		uint32_t dlen;
		uint16_t flags, next;

		if (w->count >= w->q->lnum && !too_long) {
			/* spec ...indirect-descriptors.3.  The walk goes on, so the
			 * device is judged against the buffers the request has */
			too_long = 1;
			w->malformed = 1;
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_CHAIN_TOO_LONG,
				    "head %u: chain longer than the queue size %u", w->head,
				    w->q->lnum);
		}
		/* ... but no further than the longest chain of the largest
		 * queue: a walk never costs more than a legal one can */
		if (w->count >= VS_VRING_MAX_SIZE)
			return;
		if (steps >= n) {
			/* spec drv.basic.virtqueues.virtqueue-descriptor-table.1 */
			w->malformed = 1;
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
		if (flags & VRING_DESC_F_INDIRECT) {
			w->malformed = 1;
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_INDIRECT_NESTED,
				    "head %u: indirect entry %u has VIRTQ_DESC_F_INDIRECT", w->head, j);
		} else {
			walk_buffer(w, addr, dlen, flags, "indirect entry", j);
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return;
		/* spec ...indirect-descriptors.5: in order, entry j chains to j + 1 */
		if (vs__feat(w->dev, VIRTIO_F_IN_ORDER) && next != j + 1)
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_SPLIT_IN_ORDER_INDIRECT,
				    "head %u: indirect entry %u next %u", w->head, j, next);
		if (next >= n) {
			w->malformed = 1;
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
	struct walk w = {mon, dev, q, NULL, head, 0, 0, 0};
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
		chain_release(mon, q, head);
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
			w.malformed = 1;
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
			if (!vs__feat(dev, VIRTIO_F_INDIRECT_DESC))
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_NOT_NEGOTIATED,
					    "head %u: descriptor %u is indirect", head, i);
			if (flags & VRING_DESC_F_NEXT)
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_NEXT,
					    "head %u: descriptor %u has INDIRECT and NEXT", head, i);
			/* 2.7.5.3: the table is desc[len / 16] */
			if (len == 0 || (len % 16)) {
				w.malformed = 1;
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_INDIRECT_LEN,
					    "head %u: indirect table length %u", head, len);
			} else if (!vs__mem_ok(mon, addr, len)) {
				w.malformed = 1;
				vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DESC_RANGE,
					    "head %u: indirect table 0x%llx+%u not in RAM", head,
					    (unsigned long long)addr, len);
			} else if (vs__chain_seg_add(c, addr, len, 0, 1, (flags & VRING_DESC_F_WRITE) != 0) == 0) {
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
		if (vs__feat(dev, VIRTIO_F_IN_ORDER) && next != (i + 1) % q->lnum)
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_IN_ORDER_NEXT,
				    "head %u: descriptor %u next %u, not %u", head, i, next,
				    (i + 1) % q->lnum);
		if (next >= q->lnum) {
			w.malformed = 1;
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
	vs__chain_index(mon, q, head, c);
	/* memory the driver hands out again is no longer an old ring */
	for (uint32_t s = 0; s < c->nseg; s++)
		vs__dead_forget(mon, c->seg[s].gpa, c->seg[s].len);
	if (vs__feat(dev, VIRTIO_F_IN_ORDER) && q->fifo_len < q->lnum)
		q->fifo[(q->fifo_head + q->fifo_len++) % q->lnum] = head;
	if (mon->obs)
		vs__emit(mon, "avail", dev, (int)q->index,
			 "idx=%u head=%u descs=%u readable=%llu writable=%llu", pos, head, w.count,
			 (unsigned long long)c->readable, (unsigned long long)c->writable);
	/* the device-type rules judge requests, not chains already broken */
	if (!w.malformed)
		vs__devtype_chain(mon, dev, q, head, c);
}

static void avail_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	int ok = 1, stable;
	uint16_t idx, flags, delta, old;

	if (!q->live || (q->busy & VS__IN_AVAIL))
		return;
	idx = vs__rd16(mon, q->lavail + VS_AVAIL_IDX, &ok);
	if (!ok)
		return;
	delta = (uint16_t)(idx - q->avail_shadow);
	/* no device write to its suppression fields since the previous look:
	 * what they say now is what the driver saw when it published */
	stable = q->sup_gen == q->sup_gen_seen;
	q->sup_gen_seen = q->sup_gen;
	observe(q, delta != 0);
	if (delta == 0)
		return;
	flags = vs__rd16(mon, q->lavail + VS_AVAIL_FLAGS, &ok);
	if (!ok)
		return;
	/* spec drv.basic.virtqueues.used-buffer-notification-suppression.3 / .1 */
	if (vs__feat(dev, VIRTIO_F_EVENT_IDX) && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_AVAIL_FLAGS_EVENT_IDX,
			    "queue %u: avail flags 0x%x with VIRTIO_F_EVENT_IDX", q->index, flags);
	else if (!vs__feat(dev, VIRTIO_F_EVENT_IDX) && flags > 1)
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
	old = q->avail_shadow;
	for (uint16_t pos = old; pos != idx; pos++) {
		uint16_t head = vs__rd16(mon, q->lavail + VS_AVAIL_RING(pos % q->lnum), &ok);

		if (!ok || !q->live)
			break;
		register_chain(mon, dev, q, pos, head);
	}
	q->avail_shadow = idx;
	q->busy &= ~VS__IN_AVAIL;
	if (stable && q->live)
		owe_kick(mon, dev, q, old, idx);
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
		/* spec dev.reserved.5; not judged once the driver broke the
		 * avail ring (tainted): the order the shadow saw is not the
		 * one the device read */
		if (!q->tainted)
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_IN_ORDER,
				    "used idx %u: id %u used before %u (made available earlier)",
				    pos, id, q->fifo[q->fifo_head % q->lnum]);
		for (; k + 1 < q->fifo_len; k++)
			q->fifo[(q->fifo_head + k) % q->lnum] =
				q->fifo[(q->fifo_head + k + 1) % q->lnum];
		q->fifo_len--;
		return 1;
	}
	for (uint32_t b = 0; b < k; b++)
		chain_release(mon, q, q->fifo[(q->fifo_head + b) % q->lnum]);
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
		q->dev_broke = 1;
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_ID_RANGE,
			    "used idx %u: id %u >= queue size %u", pos, id, q->lnum);
		return 1;
	}
	c = &q->chains[id];
	if (!c->outstanding)
		avail_catchup(mon, dev, q); /* made available without a kick */
	if (!c->outstanding) {
		/* Once the driver broke the avail ring (tainted), the shadow
		 * no longer knows which heads the device was right to take. */
		if (!q->tainted) {
			q->dev_broke = 1;
			vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_ID_NOT_OUTSTANDING,
				    "used idx %u: id %u is not outstanding", pos, id);
		}
		return 1;
	}
	if (vs__feat(dev, VIRTIO_F_IN_ORDER))
		step = in_order_take(mon, dev, q, pos, id, left);
	/* spec dev.basic.virtqueues.virtqueue-used-ring.2 */
	if (len > c->writable) {
		q->dev_broke = 1;
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_LEN,
			    "used idx %u: id %u len %u > %llu device-writable bytes", pos, id, len,
			    (unsigned long long)c->writable);
	}
	if (mon->obs)
		vs__emit(mon, "used", dev, (int)q->index, "idx=%u id=%u len=%u", pos, id, len);
	vs__devtype_used(mon, dev, q, (uint16_t)id, c, len);
	chain_release(mon, q, (uint16_t)id);
	return step;
}

static void used_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	int ok = 1;
	uint16_t idx, flags, delta, old, pos;

	if (!q->live || (q->busy & VS__IN_USED))
		return;
	idx = vs__rd16(mon, q->lused + VS_USED_IDX, &ok);
	if (!ok)
		return;
	delta = (uint16_t)(idx - q->used_shadow);
	if (delta == 0) {
		q->snap_valid = 0;
		return;
	}
	flags = vs__rd16(mon, q->lused + VS_USED_FLAGS, &ok);
	if (!ok)
		return;
	/* spec dev.basic.virtqueues.available-buffer-notification-suppression.3 / .1 */
	if (vs__feat(dev, VIRTIO_F_EVENT_IDX) && flags != 0)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS_EVENT_IDX,
			    "queue %u: used flags 0x%x with VIRTIO_F_EVENT_IDX", q->index, flags);
	else if (!vs__feat(dev, VIRTIO_F_EVENT_IDX) && flags > 1)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_FLAGS,
			    "queue %u: used flags 0x%x", q->index, flags);
	if (delta > q->lnum) {
		/* 2.7.8: idx counts entries; at most Queue Size are outstanding */
		q->dev_broke = 1;
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_USED_IDX_JUMP,
			    "queue %u: used idx %u -> %u on a queue of %u", q->index, q->used_shadow,
			    idx, q->lnum);
		/* the entries count as used, owed a notification or not
		 * unknown: no cascade of interrupt-status violations */
		q->snap_valid = 0;
		vs__notify_used(mon, dev, q, q->used_shadow, idx);
		q->used_shadow = idx;
		/* which chains the jump used is unknown: all outstanding
		 * ones count as used, so a driver that goes on with their
		 * heads is not blamed for the device's jump */
		for (uint32_t h = 0; h < q->lnum; h++)
			chain_release(mon, q, (uint16_t)h);
		q->fifo_len = 0;
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


void vs__split_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	used_catchup(mon, dev, q);
	avail_catchup(mon, dev, q);
}

static int hits(uint64_t gpa, uint64_t len, uint64_t at, uint64_t n)
{
	return gpa < at + n && at < gpa + len;
}

/*
 * The device learns of new chains only through the avail idx, so only an
 * access to it, or to a descriptor no registered chain owns, can show it
 * one the monitor has not registered.  A used element write is judged
 * against the chains outstanding: catch up first.
 */
void vs__split_touch(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		     uint64_t gpa, uint64_t len, int is_write)
{
	uint64_t lo, hi;

	switch (kind) {
	case VS__AREA_DRIVER:
		if (gpa < q->lavail + VS_AVAIL_IDX + 2 && q->lavail + VS_AVAIL_IDX < gpa + len)
			avail_catchup(mon, dev, q);
		return;
	case VS__AREA_DESC:
		lo = (gpa > q->ldesc ? gpa - q->ldesc : 0) / 16;
		hi = (gpa + len - q->ldesc - 1) / 16;
		if (hi >= q->lnum)
			hi = q->lnum - 1;
		for (uint64_t d = lo; d <= hi; d++) {
			if (q->owner[d] == VS__NO_OWNER) {
				avail_catchup(mon, dev, q);
				return;
			}
		}
		return;
	default: /* VS__AREA_DEVICE */
		if (is_write && hits(gpa, len, q->lused + VS_USED_RING(0), 8ull * q->lnum))
			avail_catchup(mon, dev, q);
		return;
	}
}

/* A device write to its suppression fields landed: into the window. */
static void fold_suppression(struct vs_monitor *mon, struct vs__queue *q)
{
	uint16_t dist;

	read_fields(mon, q);
	dist = (uint16_t)(q->cur_ev - q->kick_idx);
	q->kick_allow_win |= q->cur_allow;
	if (dist < q->kick_min_win)
		q->kick_min_win = dist;
}

void vs__split_flush(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     unsigned bits)
{
	if (bits & VS__DIRTY_SUP)
		fold_suppression(mon, q);
	if (bits & VS__DIRTY_USED)
		used_catchup(mon, dev, q);
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
	uint16_t idx = vs__rd16(mon, q->lused + VS_USED_IDX, &ok);

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

void vs__split_access(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		      uint64_t gpa, uint64_t len, int is_write)
{
	if (!is_write)
		return;
	switch (kind) {
	case VS__AREA_DESC:
		/* spec dev.basic.virtqueues.virtqueue-descriptor-table.2 */
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_WRITE_DESC,
			    "queue %u: device wrote 0x%llx+%llu into the descriptor table", q->index,
			    (unsigned long long)gpa, (unsigned long long)len);
		break;
	case VS__AREA_DRIVER:
		/* 2.7.6: the available ring is only written by the driver */
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_WRITE_AVAIL,
			    "queue %u: device wrote 0x%llx+%llu into the driver area", q->index,
			    (unsigned long long)gpa, (unsigned long long)len);
		break;
	default: /* VS__AREA_DEVICE */
		if (hits(gpa, len, q->lused + VS_USED_RING(0), 8ull * q->lnum))
			check_used_elem_write(mon, dev, q, gpa, len);
		if (hits(gpa, len, q->lused + VS_USED_IDX, 2)) {
			int ok = 1;

			q->snap_flags = vs__rd16(mon, q->lavail + VS_AVAIL_FLAGS, &ok);
			q->snap_used_event = vs__rd16(mon, q->lavail + VS_AVAIL_USED_EVENT(q->lnum), &ok);
			q->snap_valid = ok;
			vs__ring_mark_dirty(mon, q, VS__DIRTY_USED);
		}
		if (hits(gpa, len, q->lused + VS_USED_FLAGS, 2) ||
		    hits(gpa, len, q->lused + VS_USED_AVAIL_EVENT(q->lnum), 2)) {
			q->sup_gen++;
			vs__ring_mark_dirty(mon, q, VS__DIRTY_SUP);
		}
		break;
	}
}

void vs__split_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, uint32_t raw)
{
	uint16_t now = q->avail_shadow, added = (uint16_t)(now - q->kick_idx);
	int event_idx = vs__feat(dev, VIRTIO_F_EVENT_IDX);

	(void)raw;
	q->kick_owed = 0;
	if (added && q->dev_tapped && !q->tainted) {
		/* spec drv.basic.virtqueues.available-buffer-notification-suppression.7:
		 * no entry published since the last kick sat at avail_event */
		if (event_idx && q->kick_min >= added)
			vs__violate(mon, dev, (int)q->index, VS_R_NOTIFY_AVAIL_SUPPRESSED_EVENT_IDX,
				    "queue %u: kick for avail idx %u..%u, avail_event never in that range",
				    q->index, q->kick_idx, (uint16_t)(now - 1));
		/* spec drv.basic.virtqueues.available-buffer-notification-suppression.3 */
		else if (!event_idx && !q->kick_allow)
			vs__violate(mon, dev, (int)q->index, VS_R_NOTIFY_AVAIL_SUPPRESSED,
				    "queue %u: kick for avail idx %u..%u while used flags had VRING_USED_F_NO_NOTIFY",
				    q->index, q->kick_idx, (uint16_t)(now - 1));
	}
	q->kick_idx = now;
	if (!q->dev_tapped)
		read_fields(mon, q); /* a foreign device: only what is there now */
	kick_reset(q);
}

void vs__split_pending(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int force)
{
	int event_idx = vs__feat(dev, VIRTIO_F_EVENT_IDX);

	if (!q->kick_owed || !vs__due(mon, q->kick_owed_stamp, force))
		return;
	q->kick_owed = 0;
	if (q->sup_gen != q->kick_owed_gen)
		return; /* the device changed its mind meanwhile: no claim */
	if (q->dev_broke)
		return; /* the driver may have given the queue up meanwhile */
	/* spec drv.basic.virtqueues.available-buffer-notification-suppression.4 / .6 */
	vs__violate(mon, dev, (int)q->index,
		    event_idx ? VS_R_NOTIFY_AVAIL_MISSING_EVENT_IDX : VS_R_NOTIFY_AVAIL_MISSING,
		    "queue %u: avail idx reached %u with %s and no notification followed", q->index,
		    q->kick_owed_idx, event_idx ? "avail_event among the new entries" : "used flags 0");
}
