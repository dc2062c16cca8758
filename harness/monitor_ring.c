/*
 * monitor_ring.c - ring tracking common to split and packed rings: the
 * queue lifecycle, the catch-up and flush points, available buffer
 * notifications, and the index that says what a device access touched.
 * The layouts themselves are rules/ring_split.c and rules/ring_packed.c.
 *
 * Every device-side arena access is judged against the ring parts of
 * every live queue and against every buffer and indirect table of every
 * outstanding chain.  Those ranges live in one index, hashed by granule
 * into chained buckets: an access costs one bucket walk per granule it
 * spans, however many queues and chains are live.  Two granule sizes keep
 * both the walks and the node counts short: ranges up to 4 KiB (headers,
 * small buffers, rings of up to 256 entries) by 256 bytes, so small
 * buffers sharing a page do not share a walk; ranges up to 4 MiB by 64
 * KiB.  Anything longer (a 64 MiB buffer, a ring of 32768 entries) goes
 * on a short list that every access checks instead.  A chain's
 * ranges enter the index when the chain is registered and leave when it
 * is used: O(segments) per chain to maintain, O(1) per access to query.
 *
 * An access to a queue's descriptors or driver area first lets that
 * queue catch up (chains the driver made available without a kick are
 * registered before the device can have found them); accesses to buffers
 * and to the device area need no catch-up, because a device finds a
 * buffer only by reading the other two.
 *
 * Device writes that publish used entries, and writes to the device's
 * suppression fields, are seen by the arena tap before the bytes land:
 * the queue goes on a short dirty list and is processed at the next
 * monitored event (vs__ring_flush), a counter test when nothing is
 * pending.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

#define IX_FINE_SHIFT 8       /* ranges up to 4 KiB: 256-byte granules, */
#define IX_FINE_SPAN 16u
#define IX_COARSE_SHIFT 16    /* up to 4 MiB: 64 KiB granules, */
#define IX_COARSE_SPAN 64u    /* longer ones on the big list */
#define IX_MIN_BUCKETS 256u
#define HITS_MAX 16u        /* ranges one access is judged against without a second query */

/* ---- helpers shared by the layouts ---- */

uint16_t vs__rd16(struct vs_monitor *mon, uint64_t gpa, int *ok)
{
	const uint8_t *p = vs_arena_translate(mon->arena, gpa, 2);

	if (!p) {
		*ok = 0;
		return 0;
	}
	return vs_le16(p);
}

/* Last byte of [gpa, gpa+len), saturating (len > 0). */
static uint64_t last_byte(uint64_t gpa, uint64_t len)
{
	uint64_t last = gpa + (len - 1);

	return last < gpa ? UINT64_MAX : last;
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a <= last_byte(b, blen) && b <= last_byte(a, alen);
}

/* ---- the index ---- */

/* One device access, and the indexed ranges it touched. */
struct access {
	uint64_t gpa, len;
	int is_write;
	uint32_t hit[HITS_MAX]; /* area ids - 1 */
	uint32_t nhit;
	int overflow;           /* more than HITS_MAX ranges */
};

static void judge(struct vs_monitor *mon, struct vs__area *a, const struct access *x);

/* The granule a range of this level is hashed by, and the most granules
 * a range of the level may span. */
static const unsigned level_shift[2] = {IX_FINE_SHIFT, IX_COARSE_SHIFT};
static const uint64_t level_span[2] = {IX_FINE_SPAN, IX_COARSE_SPAN};

static uint64_t node_key(unsigned level, uint64_t granule)
{
	return granule ^ ((uint64_t)level << 62);
}

static uint32_t key_hash(uint64_t key, uint32_t nbucket)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (nbucket - 1);
}

static int ix_rehash(struct vs__index *ix, uint32_t nb)
{
	uint32_t *b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (uint32_t i = 0; i < ix->nbucket; i++) {
		uint32_t n = ix->bucket[i];

		while (n) {
			struct vs__ixnode *nd = &ix->node[n - 1];
			uint32_t next = nd->next, h = key_hash(nd->page, nb);

			nd->next = b[h];
			b[h] = n;
			n = next;
		}
	}
	free(ix->bucket);
	ix->bucket = b;
	ix->nbucket = nb;
	return 0;
}

static int grow(void **arr, uint32_t *cap, size_t elem)
{
	uint32_t n = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, n * elem);

	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int node_insert(struct vs__index *ix, uint64_t key, uint32_t area)
{
	struct vs__ixnode *nd;
	uint32_t n, h;

	/* keep chains short; a failed resize only makes them longer */
	if (!ix->nbucket || ix->live_nodes + 1 > 2 * ix->nbucket) {
		if (ix_rehash(ix, ix->nbucket ? ix->nbucket * 2 : IX_MIN_BUCKETS) < 0 && !ix->nbucket)
			return -ENOMEM;
	}
	if (ix->free_node) {
		n = ix->free_node;
		ix->free_node = ix->node[n - 1].next;
	} else {
		if (ix->nnode == ix->capnode &&
		    grow((void **)&ix->node, &ix->capnode, sizeof(*ix->node)) < 0)
			return -ENOMEM;
		n = ++ix->nnode;
	}
	nd = &ix->node[n - 1];
	h = key_hash(key, ix->nbucket);
	nd->page = key;
	nd->area = area;
	nd->next = ix->bucket[h];
	ix->bucket[h] = n;
	ix->live_nodes++;
	return 0;
}

static void node_remove(struct vs__index *ix, uint64_t key, uint32_t area)
{
	uint32_t *link = &ix->bucket[key_hash(key, ix->nbucket)];

	while (*link) {
		uint32_t n = *link;
		struct vs__ixnode *nd = &ix->node[n - 1];

		if (nd->page == key && nd->area == area) {
			*link = nd->next;
			nd->next = ix->free_node;
			ix->free_node = n;
			ix->live_nodes--;
			return;
		}
		link = &nd->next;
	}
}

static void ix_remove(struct vs_monitor *mon, uint32_t id)
{
	struct vs__index *ix = &mon->ix;
	struct vs__area *a;

	if (!id || id > ix->narea || ix->area[id - 1].kind == VS__AREA_FREE)
		return;
	a = &ix->area[id - 1];
	if (a->level == 2) {
		for (uint32_t i = 0; i < ix->nbig; i++) {
			if (ix->big[i] == id) {
				ix->big[i] = ix->big[--ix->nbig];
				break;
			}
		}
	} else {
		unsigned sh = level_shift[a->level];
		uint64_t last = last_byte(a->gpa, a->len) >> sh;

		for (uint64_t p = a->gpa >> sh; p <= last; p++) {
			node_remove(ix, node_key(a->level, p), id);
			ix->live_level[a->level]--;
		}
	}
	a->kind = VS__AREA_FREE;
	a->next = ix->free_area;
	ix->free_area = id;
	ix->gen++;
}

/* Index [gpa, gpa+len) as kind for q.  Returns the area id, or 0 when
 * the range is empty or memory is short (it is then not judged). */
static uint32_t ix_add(struct vs_monitor *mon, int kind, uint64_t gpa, uint64_t len,
		       struct vs__queue *q, uint32_t head, const struct vs__seg *seg)
{
	struct vs__index *ix = &mon->ix;
	struct vs__area *a;
	uint64_t last;
	uint32_t id;
	unsigned lv;

	if (!len)
		return 0;
	if (ix->free_area) {
		id = ix->free_area;
		ix->free_area = ix->area[id - 1].next;
	} else {
		if (ix->narea == ix->caparea &&
		    grow((void **)&ix->area, &ix->caparea, sizeof(*ix->area)) < 0)
			return 0;
		id = ++ix->narea;
	}
	a = &ix->area[id - 1];
	memset(a, 0, sizeof(*a));
	a->gpa = gpa;
	a->len = len;
	a->last = last_byte(gpa, len);
	a->q = q;
	a->head = head;
	a->kind = (uint8_t)kind;
	if (seg) {
		a->writable = seg->writable;
		a->table = seg->table;
		a->wflag = seg->wflag;
	}
	last = last_byte(gpa, len);
	for (lv = 0; lv < 2; lv++)
		if ((last >> level_shift[lv]) - (gpa >> level_shift[lv]) < level_span[lv])
			break;
	a->level = (uint8_t)lv;
	if (lv == 2) {
		if (ix->nbig == ix->capbig && grow((void **)&ix->big, &ix->capbig, sizeof(*ix->big)) < 0)
			goto out_free;
		ix->big[ix->nbig++] = id;
	} else {
		uint64_t first = gpa >> level_shift[lv];

		last >>= level_shift[lv];
		for (uint64_t p = first; p <= last; p++) {
			if (node_insert(ix, node_key(lv, p), id) < 0) {
				while (p-- > first) {
					node_remove(ix, node_key(lv, p), id);
					ix->live_level[lv]--;
				}
				goto out_free;
			}
			ix->live_level[lv]++;
		}
	}
	ix->gen++;
	return id;

out_free:
	a->kind = VS__AREA_FREE;
	a->next = ix->free_area;
	ix->free_area = id;
	return 0;
}

/* An area of the current query: is it new and does it overlap? */
static inline int ix_take(struct vs__area *a, uint64_t stamp, uint64_t gpa, uint64_t last)
{
	if (a->stamp == stamp || gpa > a->last || a->gpa > last)
		return 0;
	a->stamp = stamp;
	return 1;
}

static inline void ix_hit(struct access *x, uint32_t id)
{
	if (x->nhit < HITS_MAX)
		x->hit[x->nhit++] = id - 1;
	else
		x->overflow = 1;
}

/* Every indexed range overlapping x's access, once each: collected into
 * x->hit (judging 0), or judged (judging 1; judging adds and removes no
 * ranges).  The hot path of every device access: inlined, so each call
 * site keeps only its own branch. */
static inline void ix_query(struct vs_monitor *mon, struct access *x, int judging)
{
	struct vs__index *ix = &mon->ix;
	uint64_t stamp = ++ix->stamp, gpa = x->gpa, last = last_byte(gpa, x->len);

	for (unsigned lv = 0; lv < 2; lv++) {
		uint64_t p, end;

		if (!ix->live_level[lv])
			continue;
		p = gpa >> level_shift[lv];
		end = last >> level_shift[lv];
		for (;; p++) {
			uint64_t key = node_key(lv, p);

			for (uint32_t n = ix->bucket[key_hash(key, ix->nbucket)]; n;) {
				const struct vs__ixnode *nd = &ix->node[n - 1];
				uint32_t id = nd->area;

				n = nd->next;
				if (nd->page != key || !ix_take(&ix->area[id - 1], stamp, gpa, last))
					continue;
				if (judging)
					judge(mon, &ix->area[id - 1], x);
				else
					ix_hit(x, id);
			}
			if (p == end)
				break;
		}
	}
	for (uint32_t i = 0; i < ix->nbig; i++) {
		uint32_t id = ix->big[i];

		if (!ix_take(&ix->area[id - 1], stamp, gpa, last))
			continue;
		if (judging)
			judge(mon, &ix->area[id - 1], x);
		else
			ix_hit(x, id);
	}
}

void vs__ring_fini(struct vs_monitor *mon)
{
	free(mon->ix.area);
	free(mon->ix.node);
	free(mon->ix.bucket);
	free(mon->ix.big);
	memset(&mon->ix, 0, sizeof(mon->ix));
}

/* ---- chains ---- */

int vs__chain_seg_add(struct vs__chain *c, uint64_t gpa, uint64_t len, int writable, int table,
		      int wflag)
{
	if (c->nseg == c->segcap) {
		uint32_t cap = c->segcap ? c->segcap * 2 : 4;
		struct vs__seg *s = realloc(c->seg, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->seg = s;
		c->segcap = cap;
	}
	c->seg[c->nseg++] = (struct vs__seg){gpa, len, (uint8_t)writable, (uint8_t)table,
					     (uint8_t)wflag, 0};
	return 0;
}

/* Is run s (len bytes) a repeat of one this chain already indexed?  A
 * looping chain repeats its buffers up to the queue size: indexing each
 * copy would pile thousands of equal keys into one hash bucket. */
static int seen_before(const struct vs__chain *c, uint32_t s, uint64_t len)
{
	const struct vs__seg *g = &c->seg[s];

	for (uint32_t t = 0; t < s; t++) {
		const struct vs__seg *h = &c->seg[t];

		if (h->area && h->gpa == g->gpa && h->writable == g->writable &&
		    h->table == g->table && h->wflag == g->wflag &&
		    (t + 1 == c->nseg || c->seg[t + 1].area || h->len == len) && h->len <= len)
			return h->len == len;
	}
	return 0;
}

/* Buffers that follow each other in memory with the same direction (a
 * request split into pages, a header and its payload) are judged alike:
 * one range in the index stands for the run, held by its first segment. */
void vs__chain_index(struct vs_monitor *mon, struct vs__queue *q, uint32_t head,
		     struct vs__chain *c)
{
	uint32_t s = 0;

	while (s < c->nseg) {
		const struct vs__seg *g = &c->seg[s];
		uint64_t len = g->len;
		uint32_t e = s + 1;

		for (; e < c->nseg; e++) {
			const struct vs__seg *h = &c->seg[e];

			if (h->gpa != g->gpa + len || h->gpa + h->len < h->gpa ||
			    h->writable != g->writable || h->table != g->table || h->wflag != g->wflag)
				break;
			len += h->len;
			c->seg[e].area = 0;
		}
		c->seg[s].area = seen_before(c, s, len) ? 0
				 : ix_add(mon, VS__AREA_SEG, g->gpa, len, q, head, g);
		s = e;
	}
}

void vs__chain_unindex(struct vs_monitor *mon, struct vs__chain *c)
{
	for (uint32_t s = 0; s < c->nseg; s++) {
		ix_remove(mon, c->seg[s].area);
		c->seg[s].area = 0;
	}
}

/* ---- queue lifecycle ---- */

void vs__queue_free(struct vs__queue *q)
{
	for (uint32_t i = 0; q->chains && i < q->lnum; i++) {
		free(q->chains[i].seg);
		free(q->chains[i].desc);
	}
	free(q->chains);
	q->chains = NULL;
	vs__split_free(q);
	vs__packed_free(q);
	q->live = 0;
	q->dirty = 0;
}

/* Take q's ranges out of the index and free its tracking state. */
static void queue_untrack(struct vs_monitor *mon, struct vs__queue *q)
{
	if (q->live) {
		for (uint32_t i = 0; q->chains && i < q->lnum; i++)
			if (q->chains[i].outstanding)
				vs__chain_unindex(mon, &q->chains[i]);
		for (int k = 0; k < 3; k++) {
			ix_remove(mon, q->area[k]);
			q->area[k] = 0;
		}
	}
	vs__queue_free(q);
	q->kick_owed = 0;
}

void vs__queue_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	static const int kinds[3] = {VS__AREA_DESC, VS__AREA_DRIVER, VS__AREA_DEVICE};
	uint64_t base[3];

	/* spec drv.init.device-initialization.1: queues are step 7, after
	 * FEATURES_OK (and .5: not at all once the device refused it) */
	if (dev->features_ok_refused)
		vs__violate(mon, dev, (int)q->index, VS_R_INIT_CONTINUE_AFTER_REFUSAL,
			    "queue %u enabled after the device refused FEATURES_OK", q->index);
	else if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) && !vs__dev_legacy(dev))
		vs__violate(mon, dev, (int)q->index, VS_R_INIT_QUEUE_BEFORE_FEATURES_OK,
			    "queue %u enabled with status 0x%02x", q->index, dev->status);
	queue_untrack(mon, q);
	q->dev = dev;
	q->packed = vs__feat(dev, VIRTIO_F_RING_PACKED);
	if ((q->packed ? vs__packed_enable(mon, dev, q) : vs__split_enable(mon, dev, q)) < 0) {
		vs__queue_free(q);
		return;
	}
	q->live = 1;
	q->dirty = 0;
	q->dev_tapped = 0;
	q->susp_stamp = 0;
	q->kick_owed = 0;
	q->sup_gen = q->sup_gen_seen = 0;
	base[0] = q->ldesc;
	base[1] = q->lavail;
	base[2] = q->lused;
	for (int k = 0; k < 3; k++) {
		q->area[k] = ix_add(mon, kinds[k], base[k], q->area_len[k], q, 0, NULL);
		/* memory handed out again is no longer an old ring */
		vs__dead_forget(mon, base[k], q->area_len[k]);
	}
}

void vs__queue_disable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int reason)
{
	int d = vs__dev_index(mon, dev);

	if (!q->live)
		return;
	vs__dead_add(mon, q->ldesc, q->area_len[0], d, (int)q->index, reason);
	vs__dead_add(mon, q->lavail, q->area_len[1], d, (int)q->index, reason);
	vs__dead_add(mon, q->lused, q->area_len[2], d, (int)q->index, reason);
	queue_untrack(mon, q);
}

void vs__ring_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	if (!q->live)
		return;
	if (q->packed)
		vs__packed_catchup(mon, dev, q);
	else
		vs__split_catchup(mon, dev, q);
}

void vs__ring_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, uint32_t raw)
{
	vs__ring_catchup(mon, dev, q);
	if (!q->live)
		return;
	if (q->packed)
		vs__packed_kick(mon, dev, q, raw);
	else
		vs__split_kick(mon, dev, q, raw);
}

void vs__ring_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	for (uint32_t i = 0; i < dev->nq; i++)
		if (dev->q[i]->live && !dev->q[i]->packed)
			vs__split_pending(mon, dev, dev->q[i], force);
}

/* ---- device writes processed at the next event ---- */

void vs__ring_mark_dirty(struct vs_monitor *mon, struct vs__queue *q, unsigned bits)
{
	if (!q->dirty) {
		if (mon->ndirty < VS__MAX_DIRTY)
			mon->dirty[mon->ndirty++] = q;
		else
			mon->dirty_all = 1;
	}
	q->dirty |= bits;
}

static void flush_one(struct vs_monitor *mon, struct vs__queue *q)
{
	unsigned bits = q->dirty;

	q->dirty = 0;
	if (!bits || !q->live)
		return;
	if (q->packed)
		vs__packed_flush(mon, q->dev, q, bits);
	else
		vs__split_flush(mon, q->dev, q, bits);
}

void vs__ring_flush_slow(struct vs_monitor *mon)
{
	struct vs__queue *list[VS__MAX_DIRTY];
	uint32_t n = mon->ndirty;

	if (!n && !mon->dirty_all)
		return;
	memcpy(list, mon->dirty, n * sizeof(list[0]));
	mon->ndirty = 0;
	if (mon->dirty_all) {
		mon->dirty_all = 0;
		for (uint32_t i = 0; i < mon->ndev; i++)
			for (uint32_t j = 0; j < mon->devs[i]->nq; j++)
				flush_one(mon, mon->devs[i]->q[j]);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		flush_one(mon, list[i]);
}

/* ---- device accesses ---- */

/* A device access to a buffer or indirect table of an outstanding chain. */
static void seg_access(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__area *a,
		       const struct access *x)
{
	const struct vs__queue *q = a->q;
	const char *what = q->packed ? "id" : "head";
	unsigned long long gpa = x->gpa, len = x->len, sg = a->gpa, sl = a->len;

	/* The driver broke this queue's avail ring: its chains may be stale
	 * entries over memory the driver freed and handed out again. */
	if (q->tainted)
		return;
	/* spec dev.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.1:
	 * the WRITE flag of an indirect descriptor means nothing (split) */
	if (x->is_write && a->table && a->wflag && !q->packed)
		vs__violate(mon, dev, (int)q->index, VS_R_SPLIT_DEVICE_INDIRECT_WRITE,
			    "queue %u head %u: device wrote 0x%llx+%llu into indirect table 0x%llx+%llu",
			    q->index, a->head, gpa, len, sg, sl);
	/* spec dev.basic.virtqueues.virtqueue-descriptor-table.1,
	 * dev.basic.packed-virtqueues.virtqueue-descriptor-table.1 */
	else if (x->is_write && !a->writable)
		vs__violate(mon, dev, (int)q->index,
			    q->packed ? VS_R_PACKED_DEVICE_WRITE_READABLE
				      : VS_R_SPLIT_DEVICE_WRITE_READABLE,
			    "queue %u %s %u: device wrote 0x%llx+%llu into %s 0x%llx+%llu", q->index,
			    what, a->head, gpa, len,
			    a->table ? "indirect table" : "device-readable buffer", sg, sl);
	else if (!x->is_write && a->writable)
		vs__violate(mon, dev, (int)q->index,
			    q->packed ? VS_R_PACKED_DEVICE_READ_WRITABLE
				      : VS_R_SPLIT_DEVICE_READ_WRITABLE,
			    "queue %u %s %u: device read 0x%llx+%llu of device-writable buffer 0x%llx+%llu",
			    q->index, what, a->head, gpa, len, sg, sl);
}

static void judge(struct vs_monitor *mon, struct vs__area *a, const struct access *x)
{
	struct vs__queue *q = a->q;
	struct vs__dev *dev = q->dev;

	if (!q->live)
		return;
	/* spec dev.init.device-suspend.3 */
	if (dev->suspended && !dev->resume_wait && q->susp_stamp != mon->access_no) {
		q->susp_stamp = mon->access_no;
		vs__violate(mon, dev, (int)q->index, VS_R_SUSPEND_DEVICE_QUEUE_ACCESS,
			    "queue %u: device %s 0x%llx+%llu while suspended", q->index,
			    x->is_write ? "wrote" : "read", (unsigned long long)x->gpa,
			    (unsigned long long)x->len);
	}
	if (a->kind == VS__AREA_SEG) {
		seg_access(mon, dev, a, x);
		return;
	}
	if (x->is_write && a->kind == VS__AREA_DEVICE)
		q->dev_tapped = 1;
	if (q->packed)
		vs__packed_access(mon, dev, q, a->kind, x->gpa, x->len, x->is_write);
	else
		vs__split_access(mon, dev, q, a->kind, x->gpa, x->len, x->is_write);
}

static void touch(struct vs_monitor *mon, struct vs__queue *q, int kind, const struct access *x)
{
	if (!q->live)
		return;
	if (q->packed)
		vs__packed_touch(mon, q->dev, q, kind, x->gpa, x->len, x->is_write);
	else
		vs__split_touch(mon, q->dev, q, kind, x->gpa, x->len, x->is_write);
}

/* Has a driver broken an avail ring?  Then it may have handed out memory
 * without the monitor walking the chain that would have told it the
 * memory is no longer an old ring -- and the arena tap does not say which
 * device read it, so any device's broken ring counts. */
static int avail_broken(const struct vs_monitor *mon)
{
	for (uint32_t d = 0; d < mon->ndev; d++) {
		const struct vs__dev *dev = mon->devs[d];

		for (uint32_t i = 0; dev && i < dev->nq; i++)
			if (dev->q[i] && dev->q[i]->tainted)
				return 1;
	}
	return 0;
}

static void dead_access(struct vs_monitor *mon, const struct access *x)
{
	if (!mon->ndead || !overlaps(x->gpa, x->len, mon->dead_lo, mon->dead_hi - mon->dead_lo))
		return;
	/* spec dev.basic.device-reset.2, dev.mmio.mmio-device-register-layout.7,
	 * dev.basic.virtqueues.virtqueue-reset.virtqueue-reset.1 */
	for (uint32_t i = 0; i < mon->ndead; i++) {
		const struct vs__dead *d = &mon->dead[i];
		const char *after = d->reason == VS_R_RESET_DEVICE_QUEUE_ACCESS ? "device reset"
				    : d->reason == VS_R_VQRESET_DEVICE_ACCESS  ? "queue reset"
									       : "QueueReady=0";

		if (overlaps(x->gpa, x->len, d->gpa, d->len) && !avail_broken(mon))
			vs__violate(mon, d->dev >= 0 ? mon->devs[d->dev] : NULL, d->queue,
				    (enum vs__rule)d->reason,
				    "queue %d: device %s 0x%llx+%llu of its ring after %s", d->queue,
				    x->is_write ? "wrote" : "read", (unsigned long long)x->gpa,
				    (unsigned long long)x->len, after);
	}
}

void vs__ring_device_access(struct vs_monitor *mon, uint64_t gpa, uint64_t len, int is_write)
{
	struct access x; /* hit[] is filled as needed, not cleared */
	uint64_t gen = mon->ix.gen;

	x.gpa = gpa;
	x.len = len;
	x.is_write = is_write;
	x.nhit = 0;
	x.overflow = 0;
	mon->access_no++;
	ix_query(mon, &x, 0);
	/* register chains first: the device may be reading the ring of a
	 * queue whose driver made chains available without a kick */
	if (x.overflow) {
		for (uint32_t i = 0; i < mon->ndev; i++)
			for (uint32_t j = 0; j < mon->devs[i]->nq; j++)
				vs__ring_catchup(mon, mon->devs[i], mon->devs[i]->q[j]);
	} else {
		/* a catch-up may add and remove ranges: re-read each hit; the
		 * ranges are judged below from a fresh query if anything moved */
		for (uint32_t i = 0; i < x.nhit; i++) {
			const struct vs__area *a = &mon->ix.area[x.hit[i]];

			if (a->kind != VS__AREA_SEG && a->kind != VS__AREA_FREE)
				touch(mon, a->q, a->kind, &x);
		}
	}
	if (x.overflow || mon->ix.gen != gen) {
		ix_query(mon, &x, 1);
	} else {
		for (uint32_t i = 0; i < x.nhit; i++)
			judge(mon, &mon->ix.area[x.hit[i]], &x);
	}
	dead_access(mon, &x);
}
