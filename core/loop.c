/*
 * loop.c - deferred work, virtual-time timers and the embedded libuv loop.
 *
 * Work: an intrusive singly-linked FIFO (head/tail) of vs_work items
 * embedded in their owners; defer and the run of one item are O(1), cancel
 * walks the queue (it runs at reset, rarely).  A round detaches the whole
 * queue as its batch, so work deferred while the round runs waits for the
 * next round; rounds may nest (a work item that waits on the loop, as a
 * driver workqueue item doing a synchronous command does), so each running
 * batch is linked into loop->batches where cancel can find it.
 *
 * Timers: a binary min-heap of pointers ordered by (due_ns, seq), seq being
 * the order of arming, so timers due at the same instant fire in the order
 * they were started.  Fixed capacity VS_LOOP_MAX_TIMERS.
 *
 * I/O backends report a completion by deferring work (or arming a timer):
 * a round cannot otherwise tell that a libuv callback ran while other
 * handles stay active, and would let virtual time jump to the deadline.
 * A libuv request in flight (a disk backend's file read on the thread
 * pool) holds the clock: its completion is progress that will come, and a
 * timer fired before it would fire in one run and not in the next.
 *
 * Owners must cancel their work and stop their timers before freeing them:
 * vs_loop_destroy drops the queue and heap without touching the items,
 * which may already be gone when the loop is destroyed last.
 */
#include <errno.h>
#include <stdlib.h>

#include <uv.h>

#include "core/log.h"
#include "core/loop.h"

#define VS_LOOP_MAX_TIMERS 1024

/* A batch of work being run by one (possibly nested) round. */
struct vs_loop_batch {
	struct vs_work *head;
	struct vs_loop_batch *outer;
};

struct vs_loop {
	uv_loop_t uv;
	uv_timer_t guard;               /* bounds a blocking wait: see loop_block */
	struct vs_work *head, *tail;    /* pending work, FIFO */
	struct vs_loop_batch *batches;  /* innermost running batch first */
	uint64_t now;                   /* virtual ns */
	uint64_t seq;                   /* next timer arming number */
	struct vs_timer *heap[VS_LOOP_MAX_TIMERS];
	unsigned nheap;
};

int vs_loop_create(struct vs_loop **out)
{
	struct vs_loop *loop = calloc(1, sizeof(*loop));
	int r;

	if (!loop)
		return -ENOMEM;
	r = uv_loop_init(&loop->uv);
	if (r < 0) {
		free(loop);
		return r; /* libuv errors are negative errno on unix */
	}
	/* Unreferenced: it never keeps the libuv loop alive on its own. */
	uv_timer_init(&loop->uv, &loop->guard);
	uv_unref((uv_handle_t *)&loop->guard);
	*out = loop;
	return 0;
}

static void loop_close_walk(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

void vs_loop_destroy(struct vs_loop *loop)
{
	if (!loop)
		return;
	/* Backends should have closed their handles; close stragglers so
	 * uv_loop_close can succeed, and let their close callbacks run. */
	uv_walk(&loop->uv, loop_close_walk, NULL);
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop->uv) != 0)
		vs_log(VS_LOG_WARN, "loop", "libuv loop still busy at destroy");
	free(loop);
}

struct uv_loop_s *vs_loop_uv(struct vs_loop *loop)
{
	return &loop->uv;
}

uint64_t vs_loop_now(const struct vs_loop *loop)
{
	return loop->now;
}

/* ---- deferred work ---- */

void vs_work_init(struct vs_work *w, vs_work_fn fn, void *opaque)
{
	w->fn = fn;
	w->opaque = opaque;
	w->next = NULL;
	w->queued = 0;
}

void vs_loop_defer(struct vs_loop *loop, struct vs_work *w)
{
	if (w->queued)
		return;
	w->queued = 1;
	w->next = NULL;
	if (loop->tail)
		loop->tail->next = w;
	else
		loop->head = w;
	loop->tail = w;
}

/* Unlink w from the list at *headp; returns 1 when found.  *tailp (may be
 * NULL for a batch, which has no tail pointer) is kept right. */
static int list_remove(struct vs_work **headp, struct vs_work **tailp, struct vs_work *w)
{
	struct vs_work *prev = NULL;

	for (struct vs_work *cur = *headp; cur; prev = cur, cur = cur->next) {
		if (cur != w)
			continue;
		if (prev)
			prev->next = cur->next;
		else
			*headp = cur->next;
		if (tailp && *tailp == cur)
			*tailp = prev;
		cur->next = NULL;
		return 1;
	}
	return 0;
}

void vs_loop_cancel(struct vs_loop *loop, struct vs_work *w)
{
	if (!w->queued)
		return;
	if (!list_remove(&loop->head, &loop->tail, w)) {
		for (struct vs_loop_batch *b = loop->batches; b; b = b->outer)
			if (list_remove(&b->head, NULL, w))
				break;
	}
	w->queued = 0;
}

/* Run the work queued now; returns 1 when there was any. */
static int loop_run_batch(struct vs_loop *loop)
{
	struct vs_loop_batch batch = { .head = loop->head, .outer = loop->batches };

	if (!batch.head)
		return 0;
	loop->head = loop->tail = NULL;
	loop->batches = &batch;
	while (batch.head) {
		struct vs_work *w = batch.head;

		batch.head = w->next;
		w->next = NULL;
		w->queued = 0; /* before fn: it may defer itself for next round */
		w->fn(w->opaque);
	}
	loop->batches = batch.outer;
	return 1;
}

/* ---- timers ---- */

void vs_timer_init(struct vs_timer *t, vs_work_fn fn, void *opaque)
{
	t->fn = fn;
	t->opaque = opaque;
	t->due_ns = 0;
	t->seq = 0;
	t->armed = 0;
	t->heap_idx = -1;
}

static int timer_before(const struct vs_timer *a, const struct vs_timer *b)
{
	if (a->due_ns != b->due_ns)
		return a->due_ns < b->due_ns;
	return a->seq < b->seq;
}

static void heap_place(struct vs_loop *loop, unsigned i, struct vs_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = (int)i;
}

static void heap_up(struct vs_loop *loop, unsigned i)
{
	struct vs_timer *t = loop->heap[i];

	while (i > 0) {
		unsigned parent = (i - 1) / 2;

		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_place(loop, i, t);
}

static void heap_down(struct vs_loop *loop, unsigned i)
{
	struct vs_timer *t = loop->heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_place(loop, i, loop->heap[c]);
		i = c;
	}
	heap_place(loop, i, t);
}

static void heap_remove(struct vs_loop *loop, struct vs_timer *t)
{
	unsigned i = (unsigned)t->heap_idx;
	struct vs_timer *last = loop->heap[--loop->nheap];

	t->armed = 0;
	t->heap_idx = -1;
	if (i == loop->nheap)
		return;
	heap_place(loop, i, last);
	heap_down(loop, i);
	heap_up(loop, (unsigned)last->heap_idx);
}

/* Is t in this loop's heap?  Guards against a timer armed on another loop
 * or a corrupted index. */
static int timer_in_heap(const struct vs_loop *loop, const struct vs_timer *t)
{
	return t->armed && t->heap_idx >= 0 && (unsigned)t->heap_idx < loop->nheap &&
	       loop->heap[t->heap_idx] == t;
}

int vs_loop_timer_start(struct vs_loop *loop, struct vs_timer *t, uint64_t delay_ns)
{
	if (timer_in_heap(loop, t))
		heap_remove(loop, t);
	if (loop->nheap >= VS_LOOP_MAX_TIMERS)
		return -ENOSPC;
	/* Saturate: a delay of "forever" stays at the end of time. */
	t->due_ns = delay_ns > UINT64_MAX - loop->now ? UINT64_MAX : loop->now + delay_ns;
	t->seq = loop->seq++;
	t->armed = 1;
	loop->nheap++;
	heap_place(loop, loop->nheap - 1, t);
	heap_up(loop, loop->nheap - 1);
	return 0;
}

void vs_loop_timer_stop(struct vs_loop *loop, struct vs_timer *t)
{
	if (timer_in_heap(loop, t))
		heap_remove(loop, t);
	t->armed = 0;
	t->heap_idx = -1;
}

/* Fire the earliest timer when due no later than deadline; 1 when fired. */
static int loop_fire_timer(struct vs_loop *loop, uint64_t deadline_ns)
{
	if (loop->nheap == 0)
		return 0;
	struct vs_timer *t = loop->heap[0];

	if (t->due_ns > deadline_ns)
		return 0;
	heap_remove(loop, t);
	if (t->due_ns > loop->now)
		loop->now = t->due_ns;
	t->fn(t->opaque); /* after removal: it may re-arm itself */
	return 1;
}

/* ---- running ---- */

static void guard_fired(uv_timer_t *t)
{
	(void)t;
}

/*
 * Block for real I/O, but never for long: a wakeup lost between the
 * non-blocking poll and this wait (seen once on a heavily loaded machine)
 * must cost one guard period, not the whole run.  The next round polls
 * again, so a completion is still seen.
 */
static void loop_block(struct vs_loop *loop)
{
	uv_timer_start(&loop->guard, guard_fired, 50, 0);
	uv_run(&loop->uv, UV_RUN_ONCE);
	uv_timer_stop(&loop->guard);
}

static int loop_round(struct vs_loop *loop, uint64_t deadline_ns, int may_block)
{
	int did = loop_run_batch(loop);

	/* Poll I/O without blocking.  libuv does not say whether a callback
	 * ran, so progress is seen two ways: the callback deferred work (what
	 * I/O backends should do), or the last active handle/request went away
	 * (a one-shot request completed).  With nothing active there is
	 * nothing to poll: skip the syscall, which would otherwise dominate a
	 * busy ring's rounds. */
	if (uv_loop_alive(&loop->uv)) {
		uv_run(&loop->uv, UV_RUN_NOWAIT);
		if (!uv_loop_alive(&loop->uv))
			did = 1;
	}
	if (did || loop->head)
		return 1;
	/* Requests (uv_fs_*, uv_queue_work) always complete: wait for one
	 * before letting virtual time move, also in a drain.  Handles (a
	 * listening socket) may never fire, so they do not hold the clock. */
	if (loop->uv.active_reqs.count) {
		loop_block(loop);
		return 1;
	}
	if (loop_fire_timer(loop, deadline_ns))
		return 1;
	/* Nothing to run before the deadline: wait for real I/O if a handle
	 * keeps the libuv loop alive, else time runs out. */
	if (may_block && uv_loop_alive(&loop->uv)) {
		loop_block(loop);
		return 1;
	}
	if (loop->now < deadline_ns)
		loop->now = deadline_ns;
	return 0;
}

int vs_loop_run_once(struct vs_loop *loop, uint64_t deadline_ns)
{
	return loop_round(loop, deadline_ns, 1);
}

int vs_loop_run_until(struct vs_loop *loop, int (*cond)(void *opaque), void *opaque,
		      uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns > UINT64_MAX - loop->now ? UINT64_MAX
								: loop->now + timeout_ns;

	for (unsigned rounds = 0;; rounds++) {
		if (cond && cond(opaque))
			return 0;
		if (rounds >= VS_LOOP_MAX_ROUNDS) {
			vs_log(VS_LOG_WARN, "loop", "run_until: no progress after %u rounds",
			       rounds);
			return -ELOOP;
		}
		if (!loop_round(loop, deadline, 1))
			return cond && cond(opaque) ? 0 : -ETIMEDOUT;
	}
}

/* Never blocks on I/O: a listening socket must not stall a drain. */
int vs_loop_drain(struct vs_loop *loop)
{
	for (unsigned rounds = 0; rounds < VS_LOOP_MAX_ROUNDS; rounds++) {
		if (!loop_round(loop, loop->now, 0))
			return 0;
	}
	vs_log(VS_LOG_WARN, "loop", "drain: still busy after %u rounds", VS_LOOP_MAX_ROUNDS);
	return -ELOOP;
}
