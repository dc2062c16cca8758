/*
 * ring_packed.c - packed virtqueue checks (spec 2.8), both sides.
 *
 * Inputs, as for split rings: the three areas the driver programmed (the
 * descriptor ring, the driver and the device event suppression
 * structures), the queue size and the negotiated features; guest memory
 * is read raw.  The shadow of a live queue:
 *  - the driver's side: the next slot it will make available (avail_pos)
 *    and its Driver Ring Wrap Counter (avail_wrap).  At each catch-up
 *    (a kick, an interrupt, a device access to the ring, a sync) the
 *    monitor reads the flags at avail_pos: a slot whose AVAIL bit is the
 *    counter and whose USED bit is not starts a new list, which is walked
 *    (NEXT links consecutive slots), validated and recorded by buffer id;
 *  - the device's side: the next slot it will write a used descriptor to
 *    (used_pos) and its Device Ring Wrap Counter (used_wrap).  A used
 *    descriptor there names an outstanding id; the next one goes as many
 *    slots further as that buffer took (2.8.6), or the whole batch with
 *    VIRTIO_F_IN_ORDER (2.8.8);
 *  - idle[]: the flags each slot holds when nobody is making it available
 *    or used.  Every slot is rewritten every lap, so a slot at avail_pos
 *    whose flags changed but that is not available for the counter is a
 *    driver that got its wrap counter wrong;
 *  - mark[]: slots whose flags the device wrote (seen by the arena tap
 *    before the bytes land) and the monitor has not processed yet: the
 *    device meant them as used, whatever the bits say.
 * The slots from used_pos on, as many as the outstanding buffers took
 * (inflight), are the device's: a device write anywhere else in the ring
 * changes a descriptor it does not hold.
 *
 * A used descriptor the shadow cannot match (an id out of range or not
 * outstanding) or a list id out of range ends the following of the queue
 * (unfollow()) until it is enabled again: from there the two sides read
 * the ring each their own way, and judging either by the shadow would
 * blame it for the other's corruption.
 *
 * Event suppression (2.8.10, 2.8.14): a used descriptor's publication
 * captures the driver event suppression structure, which decides whether
 * a notification was owed (notify.c judges it).  Device writes to the
 * device event suppression structure are folded into what it asked for
 * since the last kick; a kick none of those values asked for is a
 * SHOULD NOT, as for split rings.  The spec gives packed suppression no
 * MUST or SHOULD of its own: the levels follow the split ring's
 * statements (2.7.7.2, 2.7.10.1) for the same decisions.
 *
 * Costs: a new list is O(its descriptors and table entries); a used
 * descriptor O(1) plus its buffer's segments (O(batch) in order); a
 * device write to the ring O(slots written).
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

#define MARK_FLAGS 1u /* the device wrote this slot's flags */
#define LIST_FLAGS 16 /* slots of a list whose flags a walk keeps */

struct vs__packed {
	uint16_t avail_pos, used_pos;
	uint8_t avail_wrap, used_wrap; /* the wrap counters, 1 at start */
	uint16_t avail_lin, used_lin;  /* slots made available / used so far, mod 2^16 */
	uint32_t inflight;             /* ring slots the outstanding buffers took */
	int lost;      /* used side off (with stuck: not followed, see unfollow()) */
	int stuck;     /* available side off (a list it cannot walk or record) */
	uint16_t *idle; /* [lnum] flags of each slot at rest */
	uint8_t *mark;  /* [lnum] MARK_FLAGS */
	uint16_t *fifo; /* [lnum] outstanding ids in the order made available */
	uint32_t fifo_head, fifo_len;
	struct vs__chain scratch; /* the list being walked, before its id is known */
	/* driver event suppression when the device published a used descriptor */
	int snap_valid;
	uint16_t snap_off_wrap, snap_flags;
	/* available buffer notifications: what the device event suppression
	 * said since the driver's last publish could have happened (total)
	 * and since the last look at the ring (win), as in ring_split.c */
	uint16_t kick_lin; /* avail_lin at the last kick */
	int kick_allow;    /* total: some value allowed a kick */
	uint16_t kick_min; /* total: least (event slot - kick_lin) */
	int allow_win;
	uint16_t min_win;
	uint16_t cur_ow, cur_fl; /* the structure now, */
	int cur_allow;           /* ... folded (recomputed when it or kick_lin moves) */
	uint16_t cur_min;
};

static int avail_for(uint16_t flags, unsigned wrap)
{
	unsigned a = (flags >> VRING_PACKED_DESC_F_AVAIL) & 1u;
	unsigned u = (flags >> VRING_PACKED_DESC_F_USED) & 1u;

	return a == wrap && u != wrap;
}

static int used_for(uint16_t flags, unsigned wrap)
{
	unsigned a = (flags >> VRING_PACKED_DESC_F_AVAIL) & 1u;
	unsigned u = (flags >> VRING_PACKED_DESC_F_USED) & 1u;

	return a == wrap && u == wrap;
}

static void advance(const struct vs__queue *q, uint16_t *pos, uint8_t *wrap, uint32_t n)
{
	uint32_t p = *pos + (n % q->lnum);

	if (n >= q->lnum)
		*wrap ^= (uint8_t)((n / q->lnum) & 1u);
	if (p >= q->lnum) {
		p -= q->lnum;
		*wrap ^= 1;
	}
	*pos = (uint16_t)p;
}

/* One descriptor of the ring (or of a table). */
struct pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id, flags;
};

static int read_desc(struct vs_monitor *mon, uint64_t gpa, struct pdesc *d)
{
	const uint8_t *p = vs_arena_translate(mon->arena, gpa, 16);

	if (!p)
		return -1;
	d->addr = vs_le64(p);
	d->len = vs_le32(p + 8);
	d->id = vs_le16(p + 12);
	d->flags = vs_le16(p + 14);
	return 0;
}

static uint16_t slot_flags(struct vs_monitor *mon, const struct vs__queue *q, uint32_t slot,
			   int *ok)
{
	return vs__rd16(mon, q->ldesc + 16ull * slot + 14, ok);
}

/* ---- lifecycle ---- */

void vs__packed_free(struct vs__queue *q)
{
	struct vs__packed *pk = q->pk;

	if (!pk)
		return;
	free(pk->idle);
	free(pk->mark);
	free(pk->fifo);
	free(pk->scratch.seg);
	free(pk);
	q->pk = NULL;
}

/* What the device event suppression value now (cur_ow, cur_fl) asks of
 * the next kick (after kick_lin): any kick (cur_allow), or one whose new
 * descriptors reach the slot cur_min after kick_lin.  A DESC event names
 * a slot and a wrap; relative to the driver's current lap it is this
 * lap, the one before or the one after: every reading counts, so no kick
 * is blamed on an ambiguity (and the readings stay valid lap after lap). */
static void fold_device_event(struct vs__queue *q, const struct vs__dev *dev)
{
	struct vs__packed *pk = q->pk;
	uint16_t f = pk->cur_fl & 3u, off = pk->cur_ow & 0x7fffu;
	uint16_t base = (uint16_t)(pk->avail_lin - pk->avail_pos);
	unsigned wrap = pk->cur_ow >> VRING_PACKED_EVENT_F_WRAP_CTR;

	pk->cur_allow = 0;
	pk->cur_min = 0xffff;
	if (f != VRING_PACKED_EVENT_FLAG_DESC || !vs__feat(dev, VIRTIO_F_EVENT_IDX)) {
		/* ENABLE; DESC without EVENT_IDX and the reserved 3 mean
		 * nothing better than "notify" */
		pk->cur_allow = f != VRING_PACKED_EVENT_FLAG_DISABLE;
		return;
	}
	for (int lap = -1; lap <= 1; lap++) {
		uint16_t at, dist;

		if ((lap == 0) != (wrap == pk->avail_wrap))
			continue;
		at = (uint16_t)(base + off + lap * (int)q->lnum);
		dist = (uint16_t)(at - pk->kick_lin);
		if (dist < pk->cur_min)
			pk->cur_min = dist;
	}
}

/* The structure as it is now.  0, or -1 when unreadable. */
static int read_device_event(struct vs_monitor *mon, struct vs__queue *q, const struct vs__dev *dev)
{
	const uint8_t *ev = vs_arena_translate(mon->arena, q->lused, VS_PACKED_EVENT_SIZE);

	if (!ev)
		return -1;
	q->pk->cur_ow = vs_le16(ev + VS_PACKED_EVENT_OFF_WRAP);
	q->pk->cur_fl = vs_le16(ev + VS_PACKED_EVENT_FLAGS);
	fold_device_event(q, dev);
	return 0;
}

static void kick_reset(struct vs__queue *q, const struct vs__dev *dev)
{
	struct vs__packed *pk = q->pk;

	pk->kick_lin = pk->avail_lin;
	pk->kick_allow = 0;
	pk->kick_min = 0xffff;
	fold_device_event(q, dev); /* relative to the new kick_lin */
	pk->allow_win = pk->cur_allow;
	pk->min_win = pk->cur_min;
}

/* A look at the ring: see ring_split.c's observe(). */
static void observe(struct vs__queue *q, int changed)
{
	struct vs__packed *pk = q->pk;

	if (changed) {
		pk->kick_allow = pk->allow_win;
		pk->kick_min = pk->min_win;
	} else {
		pk->kick_allow |= pk->allow_win;
		if (pk->min_win < pk->kick_min)
			pk->kick_min = pk->min_win;
	}
	pk->allow_win = pk->cur_allow;
	pk->min_win = pk->cur_min;
}

int vs__packed_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	uint32_t num = q->num, dirty = 0, first = 0;
	struct vs__packed *pk;
	int ok = 1;

	/* 2.8: up to 2^15 entries, any size */
	if (num == 0 || num > VS_PACKED_MAX_SIZE) {
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_QUEUE_SIZE,
			    "queue %u enabled with size %u", q->index, num);
		return -1;
	}
	/* spec drv.basic.packed-virtqueues.1 */
	if ((q->desc % VS_PACKED_DESC_ALIGN) || (q->avail % VS_PACKED_EVENT_ALIGN) ||
	    (q->used % VS_PACKED_EVENT_ALIGN))
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_RING_ALIGNMENT,
			    "queue %u: descriptor ring 0x%llx driver area 0x%llx device area 0x%llx",
			    q->index, (unsigned long long)q->desc, (unsigned long long)q->avail,
			    (unsigned long long)q->used);
	/* 2.8.10.1: each part is contiguous guest memory */
	if (!vs__mem_ok(mon, q->desc, VS_DESC_SIZE(num)) ||
	    !vs__mem_ok(mon, q->avail, VS_PACKED_EVENT_SIZE) ||
	    !vs__mem_ok(mon, q->used, VS_PACKED_EVENT_SIZE)) {
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_RING_RANGE,
			    "queue %u of size %u: ring 0x%llx driver area 0x%llx device area 0x%llx not all in RAM",
			    q->index, num, (unsigned long long)q->desc, (unsigned long long)q->avail,
			    (unsigned long long)q->used);
		return -1;
	}
	q->lnum = num;
	q->chains = calloc(num, sizeof(*q->chains));
	pk = q->pk = calloc(1, sizeof(*pk));
	if (!q->chains || !pk)
		return -1;
	pk->idle = malloc(num * sizeof(*pk->idle));
	pk->mark = calloc(num, 1);
	pk->fifo = malloc(num * sizeof(*pk->fifo));
	if (!pk->idle || !pk->mark || !pk->fifo)
		return -1;
	q->ldesc = q->desc;
	q->lavail = q->avail;
	q->lused = q->used;
	q->area_len[0] = VS_DESC_SIZE(num);
	q->area_len[1] = VS_PACKED_EVENT_SIZE;
	q->area_len[2] = VS_PACKED_EVENT_SIZE;
	q->outstanding = 0;
	q->busy = 0;
	q->tainted = 0;
	q->snap_valid = 0;
	/* spec 2.8.1: both wrap counters start at 1 */
	pk->avail_wrap = pk->used_wrap = 1;
	for (uint32_t i = 0; i < num; i++) {
		uint16_t f = slot_flags(mon, q, i, &ok);

		pk->idle[i] = f;
		if ((f & (VS_PACKED_F_AVAIL | VS_PACKED_F_USED)) && !dirty++)
			first = i;
	}
	/* 2.8.13: the descriptor ring is zero-initialized; a stale AVAIL bit
	 * would make a slot available before the driver wrote it */
	if (dirty)
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_RING_INIT,
			    "queue %u enabled with %u descriptor(s) flagged AVAIL or USED, the first at slot %u (flags 0x%04x)",
			    q->index, dirty, first, pk->idle[first]);
	read_device_event(mon, q, dev);
	kick_reset(q, dev);
	return 0;
}

/* ---- the driver's side: lists made available ---- */

struct walk {
	struct vs_monitor *mon;
	struct vs__dev *dev;
	struct vs__queue *q;
	struct vs__chain *c;
	uint16_t start;     /* slot of the list's first descriptor */
	int seen_writable;
	int malformed;      /* the walk could not follow it all: the buffers are not the request */
};

static void walk_buffer(struct walk *w, uint64_t addr, uint32_t len, int writable,
			const char *where, uint32_t at)
{
	if (len && !vs__mem_ok(w->mon, addr, len))
		vs__violate(w->mon, w->dev, (int)w->q->index, VS_R_PACKED_DESC_RANGE,
			    "list at slot %u: %s %u buffer 0x%llx+%u not in RAM", w->start, where, at,
			    (unsigned long long)addr, len);
	/* spec drv.basic.packed-virtqueues.scatter-gather-support.3 */
	if (!writable && w->seen_writable)
		vs__violate(w->mon, w->dev, (int)w->q->index, VS_R_PACKED_WRITE_BEFORE_READ,
			    "list at slot %u: device-readable %s %u after a device-writable one",
			    w->start, where, at);
	w->seen_writable |= writable;
	if (writable)
		w->c->writable += len;
	else
		w->c->readable += len;
	vs__chain_seg_add(w->c, addr, len, writable, 0, 0);
}

/* The table a descriptor with VIRTQ_DESC_F_INDIRECT refers to (2.8.7). */
static void walk_table(struct walk *w, const struct pdesc *d)
{
	struct vs_monitor *mon = w->mon;
	uint32_t n = d->len / 16, limit;

	/* 2.8.7: desc[len / 16] */
	if (d->len == 0 || (d->len % 16)) {
		w->malformed = 1;
		vs__violate(mon, w->dev, (int)w->q->index, VS_R_PACKED_INDIRECT_LEN,
			    "list at slot %u: indirect table length %u", w->start, d->len);
		return;
	}
	if (!vs__mem_ok(mon, d->addr, d->len)) {
		w->malformed = 1;
		vs__violate(mon, w->dev, (int)w->q->index, VS_R_PACKED_DESC_RANGE,
			    "list at slot %u: indirect table 0x%llx+%u not in RAM", w->start,
			    (unsigned long long)d->addr, d->len);
		return;
	}
	/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.3:
	 * without a limit of the device's, a list is at most Queue Size (2.8.5) */
	limit = n;
	if (n > w->q->lnum) {
		vs__violate(mon, w->dev, (int)w->q->index, VS_R_PACKED_INDIRECT_TOO_LONG,
			    "list at slot %u: indirect table of %u entries, queue size %u", w->start, n,
			    w->q->lnum);
		w->malformed = 1;
		/* the walk goes on, so the device is judged against the
		 * buffers the request has -- but no further than a legal
		 * table of the largest queue could make it go */
		if (limit > VS_PACKED_MAX_SIZE)
			limit = VS_PACKED_MAX_SIZE;
	}
	vs__chain_seg_add(w->c, d->addr, d->len, 0, 1, 0);
	for (uint32_t j = 0; j < limit; j++) {
		struct pdesc e;

		if (read_desc(mon, d->addr + 16ull * j, &e) < 0)
			return;
		/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.2 */
		if (e.flags & ~VRING_DESC_F_WRITE)
			vs__violate(mon, w->dev, (int)w->q->index, VS_R_PACKED_INDIRECT_FLAGS,
				    "list at slot %u: indirect entry %u has flags 0x%04x%s", w->start, j,
				    e.flags,
				    (e.flags & VRING_DESC_F_INDIRECT) ? " (a table in a table)" : "");
		if (!(e.flags & VRING_DESC_F_INDIRECT))
			walk_buffer(w, e.addr, e.len, (e.flags & VRING_DESC_F_WRITE) != 0,
				    "indirect entry", j);
		else
			w->malformed = 1; /* a table in a table: not followed */
	}
}

static void fifo_push(struct vs__packed *pk, uint32_t lnum, uint16_t id)
{
	if (pk->fifo_len < lnum)
		pk->fifo[(pk->fifo_head + pk->fifo_len++) % lnum] = id;
}

static void chain_release(struct vs_monitor *mon, struct vs__queue *q, uint16_t id)
{
	struct vs__chain *c = &q->chains[id];

	if (!c->outstanding)
		return;
	c->outstanding = 0;
	q->outstanding--;
	q->pk->inflight = q->pk->inflight > c->slots ? q->pk->inflight - c->slots : 0;
	vs__chain_unindex(mon, c);
}

static void used_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			 int marks_only);

/*
 * One side wrote something into the ring that the shadow cannot follow: a
 * used descriptor whose id names no outstanding buffer (the device), or a
 * list whose id is out of range (the driver).  After it the two sides may
 * each go on by their own reading of the ring -- a driver that took the
 * device's real used descriptor back reuses its id, a device that ignored
 * a broken list goes on at its own slot -- and neither reading is the
 * shadow's.  Judging either side from the shadow would blame it for the
 * other's corruption (fuzz/findings/README.md), so the queue is not
 * followed at all until it is enabled again (a device or queue reset
 * starts a fresh shadow): the outstanding buffers leave the index, the
 * pending marks are dropped, no list is registered and no used descriptor
 * processed.  The rule that named the corruption has been reported.
 */
static void unfollow(struct vs_monitor *mon, struct vs__queue *q)
{
	struct vs__packed *pk = q->pk;

	pk->lost = pk->stuck = 1;
	q->tainted = 1;
	for (uint32_t id = 0; id < q->lnum; id++)
		chain_release(mon, q, id);
	pk->inflight = 0;
	pk->fifo_len = 0;
	memset(pk->mark, 0, q->lnum);
}

/*
 * The list whose first descriptor is at avail_pos is available: walk,
 * check and record it.  Returns 0 when recorded (avail_pos moved past
 * it), -1 when it cannot be yet (the catch-up stops there).
 */
static int register_list(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	struct vs__packed *pk = q->pk;
	struct vs__chain *sc = &pk->scratch, *c;
	struct walk w = {mon, dev, q, sc, pk->avail_pos, 0, 0};
	uint16_t pos = pk->avail_pos, id;
	uint8_t wrap = pk->avail_wrap;
	uint32_t n = 0;
	uint16_t seen[LIST_FLAGS]; /* flags of the list's first slots */
	struct pdesc d;
	struct vs__seg *tmp;
	uint32_t tmpcap;

	sc->nseg = 0;
	sc->readable = sc->writable = 0;
	for (;;) {
		if (read_desc(mon, q->ldesc + 16ull * pos, &d) < 0)
			return -1;
		if (n < LIST_FLAGS)
			seen[n] = d.flags;
		if (++n > q->lnum) {
			/* spec drv.basic.packed-virtqueues.scatter-gather-support.2 */
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_LIST_TOO_LONG,
				    "list at slot %u: more than %u descriptors linked by NEXT", w.start,
				    q->lnum);
			pk->stuck = 1;
			return -1;
		}
		if (n > 1 && !avail_for(d.flags, wrap)) {
			if (d.flags == pk->idle[pos])
				/* spec drv.basic.packed-virtqueues.scatter-gather-support.6 */
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_LIST_PARTIAL,
					    "list at slot %u: slot %u (flags 0x%04x) not available yet for wrap %u",
					    w.start, pos, d.flags, wrap);
			else
				/* 2.8.1 */
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_AVAIL_WRAP,
					    "list at slot %u: slot %u flags 0x%04x, Driver Ring Wrap Counter %u",
					    w.start, pos, d.flags, wrap);
			return -1;
		}
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.indirect-descriptors.1 */
			if (!vs__feat(dev, VIRTIO_F_INDIRECT_DESC))
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_INDIRECT_NOT_NEGOTIATED,
					    "list at slot %u: slot %u is indirect", w.start, pos);
			/* spec ...indirect-descriptors.4 */
			if (n > 1 || (d.flags & VRING_DESC_F_NEXT))
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_INDIRECT_IN_LIST,
					    "list at slot %u: indirect slot %u %s", w.start, pos,
					    n > 1 ? "follows a NEXT" : "has NEXT");
			walk_table(&w, &d);
			/* a table is a list of its own: its descriptor ends the
			 * list, NEXT or not (as devices read it) */
			break;
		}
		walk_buffer(&w, d.addr, d.len, (d.flags & VRING_DESC_F_WRITE) != 0, "slot", pos);
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		advance(q, &pos, &wrap, 1);
	}
	id = d.id; /* 2.8.6: the buffer id is in the last descriptor */
	if (id >= q->lnum) {
		/* 2.8.21.1: ids name one of at most Queue Size buffers */
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_ID_RANGE,
			    "list at slot %u: buffer id %u >= queue size %u; the monitor stops following this queue",
			    w.start, id, q->lnum);
		unfollow(mon, q);
		return -1;
	}
	c = &q->chains[id];
	if (c->outstanding && !(q->busy & VS__IN_USED))
		used_catchup(mon, dev, q, 0); /* the device may have used it already */
	if (c->outstanding) {
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_ID_IN_USE,
			    "list at slot %u: buffer id %u already outstanding since slot %u", w.start,
			    id, c->avail_pos);
		chain_release(mon, q, id);
		q->tainted = 1;
	}
	/* spec drv.basic.packed-virtqueues.scatter-gather-support.5 */
	if (pk->inflight + n > q->lnum)
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_RING_OVERFLOW,
			    "list at slot %u: %u descriptors with %u of %u slots held by the device",
			    w.start, n, pk->inflight, q->lnum);
	/* the scratch list becomes buffer id's */
	tmp = c->seg;
	tmpcap = c->segcap;
	c->seg = sc->seg;
	c->segcap = sc->segcap;
	c->nseg = sc->nseg;
	sc->seg = tmp;
	sc->segcap = tmpcap;
	c->readable = sc->readable;
	c->writable = sc->writable;
	c->avail_pos = w.start;
	c->slots = n;
	c->covered = 0;
	c->outstanding = 1;
	q->outstanding++;
	pk->inflight += n;
	vs__chain_index(mon, q, id, c);
	for (uint32_t s = 0; s < c->nseg; s++)
		vs__dead_forget(mon, c->seg[s].gpa, c->seg[s].len);
	/* the list's slots now rest with the flags they were made available with */
	pos = pk->avail_pos;
	for (uint32_t k = 0; k < n; k++) {
		int ok = 1;
		uint16_t f = k < LIST_FLAGS ? seen[k] : slot_flags(mon, q, pos, &ok);

		if (ok)
			pk->idle[pos] = f;
		pos = (uint16_t)(pos + 1u == q->lnum ? 0 : pos + 1);
	}
	advance(q, &pk->avail_pos, &pk->avail_wrap, n);
	pk->avail_lin = (uint16_t)(pk->avail_lin + n);
	if (vs__feat(dev, VIRTIO_F_IN_ORDER))
		fifo_push(pk, q->lnum, id);
	if (mon->obs)
		vs__emit(mon, "avail", dev, (int)q->index,
			 "slot=%u id=%u descs=%u readable=%llu writable=%llu", w.start, id, n,
			 (unsigned long long)c->readable, (unsigned long long)c->writable);
	/* the device-type rules judge requests, not lists already broken */
	if (!w.malformed)
		vs__devtype_chain(mon, dev, q, id, c);
	return 0;
}

static void check_driver_event(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			       uint16_t flags)
{
	/* 2.8.14: reserved bits 0; 2.8.10: 3 is reserved, DESC needs
	 * VIRTIO_F_EVENT_IDX */
	if ((flags & ~3u) || (flags & 3u) == 3u ||
	    ((flags & 3u) == VRING_PACKED_EVENT_FLAG_DESC && !vs__feat(dev, VIRTIO_F_EVENT_IDX)))
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DRIVER_EVENT_FLAGS,
			    "queue %u: driver event suppression flags 0x%04x%s", q->index, flags,
			    vs__feat(dev, VIRTIO_F_EVENT_IDX) ? "" : " without VIRTIO_F_EVENT_IDX");
}

static void avail_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	struct vs__packed *pk = q->pk;
	int found = 0;

	if (!q->live || !pk || pk->stuck || (q->busy & VS__IN_AVAIL))
		return;
	q->busy |= VS__IN_AVAIL;
	while (q->live && !pk->stuck) {
		int ok = 1;
		uint16_t pos = pk->avail_pos;
		uint16_t f = slot_flags(mon, q, pos, &ok);

		if (!ok || (pk->mark[pos] & MARK_FLAGS))
			break; /* a used descriptor the device is publishing here */
		if (avail_for(f, pk->avail_wrap)) {
			if (register_list(mon, dev, q) < 0)
				break;
			found = 1;
			continue;
		}
		if (f != pk->idle[pos] && pk->inflight < q->lnum) {
			/* 2.8.1: the driver wrote the flags, and they do not make
			 * the slot available for its counter.  (In a full ring the
			 * slot is the device's oldest: what changed there is its
			 * used descriptor, judged by used_catchup.) */
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_AVAIL_WRAP,
				    "queue %u: slot %u flags 0x%04x (AVAIL %u USED %u), Driver Ring Wrap Counter %u",
				    q->index, pos, f, (f >> VRING_PACKED_DESC_F_AVAIL) & 1u,
				    (f >> VRING_PACKED_DESC_F_USED) & 1u, pk->avail_wrap);
			pk->idle[pos] = f;
		}
		break;
	}
	q->busy &= ~VS__IN_AVAIL;
	observe(q, found);
	if (found) {
		int ok = 1;
		uint16_t fl = vs__rd16(mon, q->lavail + VS_PACKED_EVENT_FLAGS, &ok);

		if (ok)
			check_driver_event(mon, dev, q, fl);
		/* spec drv.init.device-suspend.3 / .6 */
		if (dev->resume_wait)
			vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_RESUME_WAIT,
				    "queue %u: buffers made available up to slot %u before the resume showed in status",
				    q->index, pk->avail_pos);
		else if (dev->suspend_req)
			vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_AVAIL,
				    "queue %u: buffers made available up to slot %u after SUSPEND", q->index,
				    pk->avail_pos);
	}
}

/* ---- the device's side: used descriptors ---- */

/* Was a notification owed for slots old..used_pos-1 (n of them), by the
 * driver event suppression the device saw when it published them? */
static int notify_needed(const struct vs__dev *dev, const struct vs__queue *q, uint32_t n)
{
	const struct vs__packed *pk = q->pk;
	uint16_t f = pk->snap_flags & 3u, event, old;

	if (f == VRING_PACKED_EVENT_FLAG_DISABLE)
		return 0;
	if (f != VRING_PACKED_EVENT_FLAG_DESC || !vs__feat(dev, VIRTIO_F_EVENT_IDX))
		return 1;
	/* the event slot in the device's lap: an event whose wrap is not the
	 * counter lies in the previous lap (negative, mod 2^16) */
	event = pk->snap_off_wrap & 0x7fffu;
	if ((unsigned)(pk->snap_off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR) != pk->used_wrap)
		event = (uint16_t)(event - q->lnum);
	old = (uint16_t)(pk->used_pos - n);
	return vs_need_event(event, pk->used_pos, old);
}

/* IN_ORDER (2.8.8): a used id stands for every buffer made available
 * before it.  Returns the slots the batch took, 0 when id is not in the
 * order at all. */
static uint32_t in_order_batch(struct vs_monitor *mon, struct vs__queue *q, uint16_t id,
			       uint32_t *bufs)
{
	struct vs__packed *pk = q->pk;
	uint32_t k, slots = 0;

	for (k = 0; k < pk->fifo_len; k++)
		if (pk->fifo[(pk->fifo_head + k) % q->lnum] == id)
			break;
	if (k == pk->fifo_len)
		return 0;
	for (uint32_t b = 0; b <= k; b++) {
		uint16_t bid = pk->fifo[(pk->fifo_head + b) % q->lnum];

		slots += q->chains[bid].slots;
		if (b < k) {
			chain_release(mon, q, bid);
			q->chains[bid].covered = 1;
		}
	}
	pk->fifo_head = (pk->fifo_head + k + 1) % q->lnum;
	pk->fifo_len -= k + 1;
	*bufs = k + 1;
	return slots;
}

/* A used descriptor the monitor cannot follow (reported by the caller):
 * the queue is not followed any more.  One the device published (marked)
 * still counts as used for the interrupt checks, notification owed
 * unknown. */
static void lose(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int marked,
		 uint16_t pos)
{
	if (marked)
		vs__notify_account(mon, dev, q, 1, 0, 0, VS_R_PACKED_NOTIFY_MISSING, pos);
	unfollow(mon, q);
}

/* Process used descriptors from used_pos on.  marks_only: only those the
 * tap saw the device publish (a flush: nothing else can have changed). */
static void used_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			 int marks_only)
{
	struct vs__packed *pk = q->pk;

	if (!q->live || !pk || pk->lost || (q->busy & VS__IN_USED))
		return;
	q->busy |= VS__IN_USED;
	while (q->live && !pk->lost) {
		uint16_t pos = pk->used_pos;
		uint32_t slots, bufs = 1, len;
		int marked = pk->mark[pos] & MARK_FLAGS, overrun = 0;
		struct vs__chain *c;
		struct pdesc d;

		if (!marked) {
			int ok = 1;
			uint16_t f;

			if (marks_only || !pk->inflight)
				break;
			/* unmarked "used" bits where the device holds nothing are
			 * the driver's doing (avail_catchup judges them), not a
			 * used descriptor */
			f = slot_flags(mon, q, pos, &ok);
			if (!ok || !used_for(f, pk->used_wrap))
				break;
		}
		if (read_desc(mon, q->ldesc + 16ull * pos, &d) < 0)
			break;
		pk->mark[pos] = 0;
		if (marked && !used_for(d.flags, pk->used_wrap)) {
			unsigned a = (d.flags >> VRING_PACKED_DESC_F_AVAIL) & 1u;
			unsigned u = (d.flags >> VRING_PACKED_DESC_F_USED) & 1u;

			/* 2.8.1: AVAIL and USED both the Device Ring Wrap Counter */
			vs__violate(mon, dev, (int)q->index,
				    a == u ? VS_R_PACKED_USED_WRAP : VS_R_PACKED_USED_FLAGS,
				    "queue %u: used descriptor at slot %u with AVAIL %u USED %u, Device Ring Wrap Counter %u",
				    q->index, pos, a, u, pk->used_wrap);
		}
		if (d.id >= q->lnum) {
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_USED_ID_RANGE,
				    "queue %u: used descriptor at slot %u: id %u >= queue size %u; the monitor stops following this queue",
				    q->index, pos, d.id, q->lnum);
			lose(mon, dev, q, marked, pos);
			break;
		}
		c = &q->chains[d.id];
		if (!c->outstanding)
			avail_catchup(mon, dev, q); /* made available without a kick */
		if (!c->outstanding && c->covered && vs__feat(dev, VIRTIO_F_IN_ORDER)) {
			/* spec dev.reserved.5 */
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_IN_ORDER,
				    "queue %u: used descriptor at slot %u: id %u, which a later buffer's used descriptor already covered; the monitor stops following this queue",
				    q->index, pos, d.id);
			lose(mon, dev, q, marked, pos);
			break;
		}
		if (!c->outstanding) {
			/* spec dev.basic.packed-virtqueues.virtqueue-descriptor-table.2 */
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_USED_ID_NOT_OUTSTANDING,
				    "queue %u: used descriptor at slot %u: id %u is not outstanding; the monitor stops following this queue",
				    q->index, pos, d.id);
			lose(mon, dev, q, marked, pos);
			break;
		}
		slots = c->slots;
		if (vs__feat(dev, VIRTIO_F_IN_ORDER)) {
			uint32_t s = in_order_batch(mon, q, d.id, &bufs);

			if (s)
				slots = s;
		}
		/* spec dev.init.device-suspend.3 */
		if (dev->suspended && !dev->resume_wait)
			vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_DEVICE_QUEUE_ACCESS,
				    "queue %u: used descriptor at slot %u while suspended", q->index, pos);
		/* spec dev.basic.device-status-field.1 */
		else if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_USED_BEFORE_DRIVER_OK,
				    "queue %u: used descriptor at slot %u with status 0x%02x", q->index,
				    pos, dev->status);
		/* 2.8.4: len counts bytes written, meaningful with WRITE only */
		len = (d.flags & VRING_DESC_F_WRITE) ? d.len : 0;
		if (len > c->writable)
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_USED_LEN,
				    "queue %u: used descriptor at slot %u: id %u len %u > %llu device-writable bytes",
				    q->index, pos, d.id, len, (unsigned long long)c->writable);
		pk->idle[pos] = d.flags;
		/* slots the used descriptor skips keep their available flags;
		 * a used descriptor the device published among them is lost */
		for (uint32_t k = 1, p = pos; k < slots; k++) {
			p = p + 1 == q->lnum ? 0 : p + 1;
			if (pk->mark[p] & MARK_FLAGS) {
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DEVICE_WRITE_DESC,
					    "queue %u: used descriptor written at slot %u, inside id %u's slots (the next goes at slot %u)",
					    q->index, p, d.id, (pos + slots) % q->lnum);
				pk->mark[p] = 0;
				pk->idle[p] = slot_flags(mon, q, p, &(int){1});
				overrun = 1;
			}
		}
		if (mon->obs)
			vs__emit(mon, "used", dev, (int)q->index, "slot=%u id=%u len=%u", pos, d.id, len);
		vs__devtype_used(mon, dev, q, d.id, c, len);
		chain_release(mon, q, d.id);
		advance(q, &pk->used_pos, &pk->used_wrap, slots);
		pk->used_lin = (uint16_t)(pk->used_lin + slots);
		vs__notify_account(mon, dev, q, bufs, marked && pk->snap_valid,
				   marked && pk->snap_valid && notify_needed(dev, q, slots),
				   VS_R_PACKED_NOTIFY_MISSING, pk->used_pos);
		pk->snap_valid = 0;
		/* A used descriptor the device wrote inside another's slots:
		 * where the driver reads its next one is no longer the
		 * shadow's guess (see unfollow). */
		if (overrun) {
			unfollow(mon, q);
			break;
		}
	}
	q->busy &= ~VS__IN_USED;
}

/* ---- entry points ---- */

void vs__packed_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	used_catchup(mon, dev, q, 0);
	avail_catchup(mon, dev, q);
}

/*
 * New lists start at avail_pos: only an access to a slot the device does
 * not hold yet (outside used_pos .. used_pos + inflight - 1) can show it
 * one the monitor has not registered (a write there is judged after the
 * catch-up).  Used descriptors of this device come through the tap
 * (marks), so no used catch-up is needed here.
 */
void vs__packed_touch(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		      uint64_t gpa, uint64_t len, int is_write)
{
	struct vs__packed *pk = q->pk;
	uint64_t lo, hi;

	if (kind != VS__AREA_DESC || !pk)
		return;
	lo = (gpa > q->ldesc ? gpa - q->ldesc : 0) / 16;
	hi = (gpa + len - q->ldesc - 1) / 16;
	if (hi >= q->lnum)
		hi = q->lnum - 1;
	for (uint64_t s = lo; s <= hi; s++) {
		if ((s + q->lnum - pk->used_pos) % q->lnum >= pk->inflight) {
			avail_catchup(mon, dev, q);
			return;
		}
	}
}

void vs__packed_flush(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      unsigned bits)
{
	struct vs__packed *pk = q->pk;

	if (!pk)
		return;
	if (bits & VS__DIRTY_SUP) {
		uint16_t fl;

		if (read_device_event(mon, q, dev) < 0)
			return;
		fl = pk->cur_fl;
		/* 2.8.14 / 2.8.10 */
		if ((fl & ~3u) || (fl & 3u) == 3u ||
		    ((fl & 3u) == VRING_PACKED_EVENT_FLAG_DESC && !vs__feat(dev, VIRTIO_F_EVENT_IDX)))
			vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DEVICE_EVENT_FLAGS,
				    "queue %u: device event suppression flags 0x%04x%s", q->index, fl,
				    vs__feat(dev, VIRTIO_F_EVENT_IDX) ? "" : " without VIRTIO_F_EVENT_IDX");
		pk->allow_win |= pk->cur_allow;
		if (pk->cur_min < pk->min_win)
			pk->min_win = pk->cur_min;
	}
	if (bits & VS__DIRTY_USED)
		used_catchup(mon, dev, q, 1);
}

void vs__packed_access(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		       uint64_t gpa, uint64_t len, int is_write)
{
	struct vs__packed *pk = q->pk;

	if (!is_write || !pk)
		return;
	if (kind == VS__AREA_DRIVER) {
		/* 2.8.10: the driver event suppression structure is read-only
		 * for the device */
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DEVICE_WRITE_DRIVER_AREA,
			    "queue %u: device wrote 0x%llx+%llu into the driver event suppression structure",
			    q->index, (unsigned long long)gpa, (unsigned long long)len);
		return;
	}
	if (kind == VS__AREA_DEVICE) {
		vs__ring_mark_dirty(mon, q, VS__DIRTY_SUP);
		return;
	}
	/* the descriptor ring: only slots the device holds, each flags
	 * write publishing one used descriptor.  Once the queue is not
	 * followed, which slots the device holds is unknown: a flags write
	 * still counts as a used descriptor published, so the interrupt
	 * that follows is not taken for a spurious one (whether the driver
	 * asked for it is unknown too: no claim either way). */
	{
		uint64_t lo = gpa > q->ldesc ? gpa : q->ldesc;
		uint64_t hi = gpa + len < q->ldesc + 16ull * q->lnum ? gpa + len
								      : q->ldesc + 16ull * q->lnum;

		for (uint64_t s = (lo - q->ldesc) / 16; s <= (hi - 1 - q->ldesc) / 16; s++) {
			uint64_t at = q->ldesc + 16 * s;
			uint32_t ahead = s >= pk->used_pos ? (uint32_t)(s - pk->used_pos)
							   : (uint32_t)(s + q->lnum - pk->used_pos);

			q->dev_tapped = 1;
			if (pk->lost && pk->stuck) {
				if (gpa < at + 16 && at + 14 < gpa + len)
					vs__notify_account(mon, dev, q, 1, 0, 0,
							   VS_R_PACKED_NOTIFY_MISSING, (unsigned)s);
				continue;
			}
			/* spec dev.basic.packed-virtqueues.virtqueue-descriptor-table.3 */
			if (!pk->lost && !pk->stuck && ahead >= pk->inflight) {
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DEVICE_WRITE_DESC,
					    "queue %u: device wrote slot %llu; it holds %u slot(s) from slot %u; the monitor stops following this queue",
					    q->index, (unsigned long long)s, pk->inflight, pk->used_pos);
				/* a slot the driver owns now holds the device's
				 * bytes: neither side's reading of it is the
				 * shadow's any more (see unfollow) */
				unfollow(mon, q);
				continue;
			} else if (pk->mark[s] & MARK_FLAGS)
				vs__violate(mon, dev, (int)q->index, VS_R_PACKED_DEVICE_WRITE_DESC,
					    "queue %u: device wrote slot %llu again after its flags made it used",
					    q->index, (unsigned long long)s);
			if (gpa < at + 16 && at + 14 < gpa + len) {
				/* the flags: a used descriptor is published, with the
				 * driver's suppression state as the device sees it */
				const uint8_t *ev = vs_arena_translate(mon->arena, q->lavail,
								       VS_PACKED_EVENT_SIZE);

				pk->mark[s] |= MARK_FLAGS;
				pk->snap_valid = ev != NULL;
				if (ev) {
					pk->snap_off_wrap = vs_le16(ev + VS_PACKED_EVENT_OFF_WRAP);
					pk->snap_flags = vs_le16(ev + VS_PACKED_EVENT_FLAGS);
				}
				vs__ring_mark_dirty(mon, q, VS__DIRTY_USED);
			}
		}
	}
}

void vs__packed_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint32_t raw)
{
	struct vs__packed *pk = q->pk;
	uint16_t added;

	if (!pk)
		return;
	/* spec drv.basic.packed-virtqueues.virtqueue-descriptor-table.3 */
	if (vs__feat(dev, VIRTIO_F_NOTIFICATION_DATA) && !pk->stuck && !q->tainted &&
	    (VS_NOTIFY_DATA_OFF(raw) != pk->avail_pos ||
	     VS_NOTIFY_DATA_WRAP(raw) != pk->avail_wrap))
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_NOTIFY_DATA,
			    "queue %u: notification next_off %u next_wrap %u, next descriptor to make available is slot %u wrap %u",
			    q->index, VS_NOTIFY_DATA_OFF(raw), VS_NOTIFY_DATA_WRAP(raw), pk->avail_pos,
			    pk->avail_wrap);
	added = (uint16_t)(pk->avail_lin - pk->kick_lin);
	/* more than a lap since the last kick: which slot an event names is
	 * ambiguous, and a kick is always fine */
	if (added && added < q->lnum && q->dev_tapped && !q->tainted && !pk->kick_allow &&
	    pk->kick_min >= added)
		vs__violate(mon, dev, (int)q->index, VS_R_PACKED_KICK_SUPPRESSED,
			    "queue %u: kick for %u new descriptor(s) up to slot %u while the device event suppression asked for none",
			    q->index, added, pk->avail_pos);
	if (!q->dev_tapped)
		read_device_event(mon, q, dev); /* a foreign device: only what is there now */
	kick_reset(q, dev);
}
