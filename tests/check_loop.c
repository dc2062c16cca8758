/*
 * check_loop.c - core/loop: FIFO work, dedupe, cancel, rounds, timers
 * (order, ties, re-arm, stop, capacity) against a sorted shadow, virtual
 * time, run_until timeouts and the -ELOOP bound, and the libuv side.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/loop.h"
#include "core/prng.h"

static struct vs_loop *loop;

/* Trace of what ran: item ids and the clock when they ran. */
static int trace[4096];
static uint64_t trace_ns[4096];
static unsigned ntrace;

struct item {
	int id;
	struct vs_work w;
	struct vs_timer t;
	int redefer;          /* times to defer itself again */
	struct vs_work *other; /* cancel or defer this one when run */
};

static void record(int id)
{
	ck_assert_uint_lt(ntrace, 4096);
	trace_ns[ntrace] = vs_loop_now(loop);
	trace[ntrace++] = id;
}

static void item_run(void *opaque)
{
	struct item *it = opaque;

	record(it->id);
	if (it->redefer > 0) {
		it->redefer--;
		vs_loop_defer(loop, &it->w);
	}
}

static void item_init(struct item *it, int id)
{
	memset(it, 0, sizeof(*it));
	it->id = id;
	vs_work_init(&it->w, item_run, it);
	vs_timer_init(&it->t, item_run, it);
}

static void setup(void)
{
	ntrace = 0;
	ck_assert_int_eq(vs_loop_create(&loop), 0);
}

static void teardown(void)
{
	vs_loop_destroy(loop);
	loop = NULL;
}

static void assert_trace(const int *want, unsigned n)
{
	ck_assert_uint_eq(ntrace, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(trace[i], want[i]);
}

/* ---- Work ---- */

START_TEST(fifo_order)
{
	struct item it[5];
	static const int want[] = { 0, 1, 2, 3, 4 };

	for (int i = 0; i < 5; i++) {
		item_init(&it[i], i);
		vs_loop_defer(loop, &it[i].w);
	}
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	assert_trace(want, 5);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	ck_assert_int_eq(it[0].w.queued, 0);
}
END_TEST

START_TEST(defer_twice_runs_once)
{
	struct item a, b;
	static const int want[] = { 1, 2 };

	item_init(&a, 1);
	item_init(&b, 2);
	vs_loop_defer(loop, &a.w);
	vs_loop_defer(loop, &b.w);
	vs_loop_defer(loop, &a.w); /* no-op: keeps its place, not moved to the end */
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	assert_trace(want, 2);
}
END_TEST

START_TEST(cancel_head_middle_tail)
{
	struct item it[5];
	static const int want[] = { 1, 3, 5 };

	for (int i = 0; i < 5; i++)
		item_init(&it[i], i);
	for (int i = 0; i < 4; i++)
		vs_loop_defer(loop, &it[i].w);
	vs_loop_cancel(loop, &it[0].w); /* head */
	vs_loop_cancel(loop, &it[2].w); /* middle */
	vs_loop_cancel(loop, &it[3].w); /* tail: the tail pointer must follow */
	vs_loop_cancel(loop, &it[3].w); /* not queued: no-op */
	ck_assert_int_eq(it[3].w.queued, 0);
	it[4].id = 5;
	vs_loop_defer(loop, &it[3].w); /* re-defer a cancelled one */
	it[3].id = 3;
	vs_loop_defer(loop, &it[4].w);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	assert_trace(want, 3);
}
END_TEST

START_TEST(cancel_all_then_defer)
{
	struct item a, b;
	static const int want[] = { 2 };

	item_init(&a, 1);
	item_init(&b, 2);
	vs_loop_defer(loop, &a.w);
	vs_loop_cancel(loop, &a.w);
	vs_loop_defer(loop, &b.w);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	assert_trace(want, 1);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 0);
}
END_TEST

static void cancel_other(void *opaque)
{
	struct item *it = opaque;

	record(it->id);
	vs_loop_cancel(loop, it->other);
}

START_TEST(cancel_within_round)
{
	struct item a, b, c;
	static const int want[] = { 1, 3 };

	item_init(&a, 1);
	item_init(&b, 2);
	item_init(&c, 3);
	vs_work_init(&a.w, cancel_other, &a);
	a.other = &b.w;
	vs_loop_defer(loop, &a.w);
	vs_loop_defer(loop, &b.w);
	vs_loop_defer(loop, &c.w);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	assert_trace(want, 2);
	ck_assert_int_eq(b.w.queued, 0);
}
END_TEST

static void defer_other(void *opaque)
{
	struct item *it = opaque;

	record(it->id);
	vs_loop_defer(loop, it->other);
}

START_TEST(work_deferred_in_round_runs_next_round)
{
	struct item a, b;

	item_init(&a, 1);
	item_init(&b, 2);
	vs_work_init(&a.w, defer_other, &a);
	a.other = &b.w;
	vs_loop_defer(loop, &a.w);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	ck_assert_uint_eq(ntrace, 1);
	ck_assert_int_eq(b.w.queued, 1);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	ck_assert_uint_eq(ntrace, 2);
	ck_assert_int_eq(trace[1], 2);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 0);
}
END_TEST

START_TEST(self_redefer_bounded_count)
{
	struct item a;

	item_init(&a, 7);
	a.redefer = 9;
	vs_loop_defer(loop, &a.w);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(ntrace, 10);
}
END_TEST

/* Nested round: a work item waits on the loop (a driver work item doing a
 * synchronous command), and the outer batch must carry on afterwards. */
static int nested_flag;

static int nested_cond(void *opaque)
{
	return nested_flag;
}

static void set_flag(void *opaque)
{
	record(20);
	nested_flag = 1;
}

static void waiting_work(void *opaque)
{
	struct item *it = opaque;

	record(it->id);
	vs_loop_defer(loop, it->other);
	ck_assert_int_eq(vs_loop_run_until(loop, nested_cond, NULL, 1000), 0);
}

START_TEST(nested_run_until)
{
	struct item a, b;
	struct vs_work flag;
	static const int want[] = { 1, 20, 2 };

	nested_flag = 0;
	item_init(&a, 1);
	item_init(&b, 2);
	vs_work_init(&a.w, waiting_work, &a);
	vs_work_init(&flag, set_flag, NULL);
	a.other = &flag;
	vs_loop_defer(loop, &a.w);
	vs_loop_defer(loop, &b.w);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	assert_trace(want, 3);
}
END_TEST

/* ---- Timers ---- */

START_TEST(timers_fire_in_due_order)
{
	struct item it[3];
	static const int want[] = { 1, 2, 0 };

	for (int i = 0; i < 3; i++)
		item_init(&it[i], i);
	ck_assert_int_eq(vs_loop_timer_start(loop, &it[0].t, 30), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &it[1].t, 10), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &it[2].t, 20), 0);
	ck_assert_int_eq(vs_loop_run_once(loop, 100), 1);
	ck_assert_uint_eq(vs_loop_now(loop), 10);
	ck_assert_int_eq(vs_loop_run_once(loop, 100), 1);
	ck_assert_int_eq(vs_loop_run_once(loop, 100), 1);
	ck_assert_uint_eq(vs_loop_now(loop), 30);
	ck_assert_int_eq(vs_loop_run_once(loop, 100), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 100);
	assert_trace(want, 3);
	ck_assert_uint_eq(trace_ns[0], 10);
	ck_assert_uint_eq(trace_ns[1], 20);
	ck_assert_uint_eq(trace_ns[2], 30);
}
END_TEST

START_TEST(timers_same_due_fifo)
{
	struct item it[4];
	static const int want[] = { 0, 2, 3, 1 };

	for (int i = 0; i < 4; i++) {
		item_init(&it[i], i);
		ck_assert_int_eq(vs_loop_timer_start(loop, &it[i].t, 5), 0);
	}
	/* Re-arming moves a timer behind the others due at the same time. */
	ck_assert_int_eq(vs_loop_timer_start(loop, &it[1].t, 5), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, 5), -ETIMEDOUT);
	assert_trace(want, 4);
	ck_assert_uint_eq(vs_loop_now(loop), 5);
}
END_TEST

START_TEST(timer_stop_and_rearm)
{
	struct item a, b;
	static const int want[] = { 2, 1 };

	item_init(&a, 1);
	item_init(&b, 2);
	ck_assert_int_eq(vs_loop_timer_start(loop, &a.t, 10), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &b.t, 20), 0);
	vs_loop_timer_stop(loop, &a.t);
	vs_loop_timer_stop(loop, &a.t); /* stopping twice is fine */
	ck_assert_int_eq(a.t.armed, 0);
	ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, 25), -ETIMEDOUT);
	ck_assert_int_eq(vs_loop_timer_start(loop, &a.t, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	assert_trace(want, 2);
	ck_assert_uint_eq(trace_ns[0], 20);
	ck_assert_uint_eq(trace_ns[1], 25);
	/* Stopping an initialised, never-armed timer is a no-op. */
	item_init(&a, 1);
	vs_loop_timer_stop(loop, &a.t);
}
END_TEST

START_TEST(work_runs_before_timers)
{
	struct item a, b;
	static const int want[] = { 1, 2 };

	item_init(&a, 1);
	item_init(&b, 2);
	ck_assert_int_eq(vs_loop_timer_start(loop, &b.t, 0), 0);
	vs_loop_defer(loop, &a.w);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	ck_assert_uint_eq(ntrace, 1);
	ck_assert_int_eq(vs_loop_run_once(loop, 0), 1);
	assert_trace(want, 2);
}
END_TEST

START_TEST(timer_saturates)
{
	struct item a;

	item_init(&a, 1);
	ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, 50), -ETIMEDOUT);
	ck_assert_int_eq(vs_loop_timer_start(loop, &a.t, UINT64_MAX), 0);
	ck_assert_uint_eq(a.t.due_ns, UINT64_MAX);
	ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, UINT64_MAX), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), UINT64_MAX);
	ck_assert_uint_eq(ntrace, 1);
}
END_TEST

START_TEST(timer_capacity)
{
	enum { N = 1100 };
	struct vs_timer *t = calloc(N, sizeof(*t));
	unsigned ok = 0;
	int r = 0;

	ck_assert_ptr_nonnull(t);
	for (unsigned i = 0; i < N; i++) {
		vs_timer_init(&t[i], NULL, NULL);
		r = vs_loop_timer_start(loop, &t[i], i);
		if (r)
			break;
		ok++;
	}
	ck_assert_int_eq(r, -ENOSPC);
	ck_assert_uint_eq(ok, 1024);
	ck_assert_int_eq(t[ok].armed, 0);
	/* Re-arming an armed timer when full still works. */
	ck_assert_int_eq(vs_loop_timer_start(loop, &t[0], 7), 0);
	vs_loop_timer_stop(loop, &t[5]);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t[ok], 1), 0);
	for (unsigned i = 0; i <= ok; i++)
		vs_loop_timer_stop(loop, &t[i]);
	free(t);
}
END_TEST

/* Random starts/stops/re-arms of many timers; fire order must equal the
 * shadow's sort by (due, arming order). */
#define NT 300
struct shadow_timer {
	struct vs_timer t;
	int armed;
	uint64_t due;
	uint64_t order;
	int id;
};
static struct shadow_timer st[NT];

static void st_fire(void *opaque)
{
	struct shadow_timer *s = opaque;

	record(s->id);
	s->armed = 0;
}

START_TEST(timers_match_shadow)
{
	struct vs_prng p;
	uint64_t order = 0;

	vs_prng_seed(&p, 77);
	for (int i = 0; i < NT; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].id = i;
		vs_timer_init(&st[i].t, st_fire, &st[i]);
	}
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned n = 0; n < 400; n++) {
			struct shadow_timer *s = &st[vs_prng_below(&p, NT)];

			if (vs_prng_chance(&p, 1, 4)) {
				vs_loop_timer_stop(loop, &s->t);
				s->armed = 0;
			} else {
				uint64_t d = vs_prng_below(&p, 50);

				ck_assert_int_eq(vs_loop_timer_start(loop, &s->t, d), 0);
				s->armed = 1;
				s->due = vs_loop_now(loop) + d;
				s->order = order++;
			}
		}
		/* Expected firing order among what is armed now. */
		int want[NT];
		unsigned nwant = 0;

		for (int i = 0; i < NT; i++)
			if (st[i].armed)
				want[nwant++] = i;
		for (unsigned i = 1; i < nwant; i++) {
			int x = want[i];
			unsigned j = i;

			while (j > 0 && (st[want[j - 1]].due > st[x].due ||
					 (st[want[j - 1]].due == st[x].due &&
					  st[want[j - 1]].order > st[x].order))) {
				want[j] = want[j - 1];
				j--;
			}
			want[j] = x;
		}
		ntrace = 0;
		ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, 100), -ETIMEDOUT);
		ck_assert_uint_eq(ntrace, nwant);
		for (unsigned i = 0; i < nwant; i++) {
			ck_assert_int_eq(trace[i], want[i]);
			ck_assert_uint_eq(trace_ns[i], st[want[i]].due);
		}
	}
}
END_TEST

/* ---- Time and waiting ---- */

START_TEST(idle_round_jumps_to_deadline)
{
	struct item a;

	item_init(&a, 1);
	ck_assert_int_eq(vs_loop_run_once(loop, 1000), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 1000);
	ck_assert_int_eq(vs_loop_timer_start(loop, &a.t, 500), 0);
	/* Due after the deadline: not fired, clock at the deadline. */
	ck_assert_int_eq(vs_loop_run_once(loop, 1499), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 1499);
	ck_assert_uint_eq(ntrace, 0);
	ck_assert_int_eq(a.t.armed, 1);
	/* A deadline in the past never moves the clock back. */
	ck_assert_int_eq(vs_loop_run_once(loop, 10), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 1499);
	ck_assert_int_eq(vs_loop_run_once(loop, 1500), 1);
	ck_assert_uint_eq(vs_loop_now(loop), 1500);
	ck_assert_uint_eq(ntrace, 1);
}
END_TEST

static int flag;

static int flag_cond(void *opaque)
{
	return flag;
}

static void flag_set(void *opaque)
{
	flag = 1;
}

static int never(void *opaque)
{
	return 0;
}

START_TEST(run_until_cond_already_true)
{
	struct item a;

	item_init(&a, 1);
	flag = 1;
	vs_loop_defer(loop, &a.w);
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 1000), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	ck_assert_uint_eq(ntrace, 0); /* nothing ran: cond was checked first */
	vs_loop_cancel(loop, &a.w);
}
END_TEST

START_TEST(run_until_timeout_exact)
{
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, 100), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), 100);
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, 1000), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), 1100);
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, 0), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), 1100);
}
END_TEST

START_TEST(run_until_timer_makes_cond_true)
{
	struct vs_timer t, late;
	struct item other;

	flag = 0;
	item_init(&other, 9);
	vs_timer_init(&t, flag_set, NULL);
	vs_timer_init(&late, flag_set, NULL);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t, 500), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &other.t, 700), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 1000), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 500);
	ck_assert_uint_eq(ntrace, 0); /* the later timer did not fire */
	vs_loop_timer_stop(loop, &other.t);

	/* Due exactly at the deadline: fires, cond true, 0. */
	flag = 0;
	ck_assert_int_eq(vs_loop_timer_start(loop, &t, 100), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 100), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 600);

	/* Due one ns after: timeout at exactly now + timeout, still armed. */
	flag = 0;
	ck_assert_int_eq(vs_loop_timer_start(loop, &late, 101), 0);
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 100), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), 700);
	ck_assert_int_eq(late.armed, 1);
	ck_assert_int_eq(flag, 0);
	vs_loop_timer_stop(loop, &late);
}
END_TEST

static unsigned spin_runs;

static void spin(void *opaque)
{
	spin_runs++;
	vs_loop_defer(loop, opaque);
}

START_TEST(self_requeue_bounded)
{
	struct vs_work w;

	vs_work_init(&w, spin, &w);
	spin_runs = 0;
	vs_loop_defer(loop, &w);
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, 1000), -ELOOP);
	ck_assert_uint_eq(spin_runs, VS_LOOP_MAX_ROUNDS);
	ck_assert_uint_eq(vs_loop_now(loop), 0); /* time never moved */
	spin_runs = 0;
	ck_assert_int_eq(vs_loop_drain(loop), -ELOOP);
	ck_assert_uint_eq(spin_runs, VS_LOOP_MAX_ROUNDS);
	vs_loop_cancel(loop, &w);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}
END_TEST

static unsigned rearm_failures;

/* No ck_assert here: Check writes to a pipe on every assertion, and this
 * runs a million times. */
static void timer_rearm(void *opaque)
{
	spin_runs++;
	if (vs_loop_timer_start(loop, opaque, 0) != 0)
		rearm_failures++;
}

START_TEST(drain_fires_due_timers_only)
{
	struct item a, b;
	struct vs_timer z;

	item_init(&a, 1);
	item_init(&b, 2);
	ck_assert_int_eq(vs_loop_run_once(loop, 40), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &a.t, 0), 0);
	ck_assert_int_eq(vs_loop_timer_start(loop, &b.t, 1), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(ntrace, 1);
	ck_assert_int_eq(trace[0], 1);
	ck_assert_uint_eq(vs_loop_now(loop), 40);
	ck_assert_int_eq(b.t.armed, 1);
	vs_loop_timer_stop(loop, &b.t);
	/* A zero-delay timer that re-arms itself forever is bounded too. */
	vs_timer_init(&z, timer_rearm, &z);
	spin_runs = 0;
	rearm_failures = 0;
	ck_assert_int_eq(vs_loop_timer_start(loop, &z, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), -ELOOP);
	ck_assert_uint_eq(spin_runs, VS_LOOP_MAX_ROUNDS);
	ck_assert_uint_eq(rearm_failures, 0);
	vs_loop_timer_stop(loop, &z);
}
END_TEST

START_TEST(destroy_drops_pending)
{
	struct item a, b;

	item_init(&a, 1);
	item_init(&b, 2);
	vs_loop_defer(loop, &a.w);
	ck_assert_int_eq(vs_loop_timer_start(loop, &b.t, 10), 0);
	vs_loop_destroy(loop);
	loop = NULL;
	ck_assert_uint_eq(ntrace, 0);
	vs_loop_destroy(NULL);
	ck_assert_int_eq(vs_loop_create(&loop), 0); /* for teardown */
}
END_TEST

/* ---- libuv ---- */

/* Handles outlive the test body: teardown's vs_loop_destroy closes them. */
static uv_timer_t uvt, uvt_keep;
static struct vs_work flag_work;

/* The way a backend reports a completion: defer work. */
static void real_timer_cb(uv_timer_t *h)
{
	vs_loop_defer(loop, &flag_work);
	uv_timer_stop(h);
}

/* A completion that only changes state, and leaves no handle active. */
static void real_timer_bare_cb(uv_timer_t *h)
{
	flag = 1;
	uv_timer_stop(h);
}

START_TEST(waits_for_active_io)
{
	flag = 0;
	vs_work_init(&flag_work, flag_set, NULL);
	ck_assert_ptr_nonnull(vs_loop_uv(loop));
	ck_assert_int_eq(uv_timer_init(vs_loop_uv(loop), &uvt), 0);
	ck_assert_int_eq(uv_timer_start(&uvt, real_timer_cb, 2, 0), 0);
	/* An idle handle that stays active all along, as a backend's socket
	 * would: the completion must still be seen as progress. */
	ck_assert_int_eq(uv_timer_init(vs_loop_uv(loop), &uvt_keep), 0);
	ck_assert_int_eq(uv_timer_start(&uvt_keep, real_timer_cb, 3600 * 1000, 0), 0);
	/* No work, no virtual timer: the loop waits for the real I/O instead
	 * of timing out, and the virtual clock does not move. */
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 10), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	/* Handles left open: destroy closes them. */
}
END_TEST

START_TEST(waits_for_bare_completion)
{
	flag = 0;
	ck_assert_int_eq(uv_timer_init(vs_loop_uv(loop), &uvt), 0);
	ck_assert_int_eq(uv_timer_start(&uvt, real_timer_bare_cb, 2, 0), 0);
	/* Already due when the round polls: the non-blocking poll runs it. */
	uv_sleep(5);
	ck_assert_int_eq(vs_loop_run_until(loop, flag_cond, NULL, 10), 0);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
}
END_TEST

START_TEST(drain_does_not_block_on_io)
{
	flag = 0;
	ck_assert_int_eq(uv_timer_init(vs_loop_uv(loop), &uvt), 0);
	ck_assert_int_eq(uv_timer_start(&uvt, real_timer_bare_cb, 3600 * 1000, 0), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_int_eq(flag, 0);
	ck_assert_int_eq(uv_loop_alive(vs_loop_uv(loop)), 1);
}
END_TEST

/* A request on libuv's thread pool that takes real time, as a disk
 * backend's file read does, and records the virtual clock when done. */
static uv_work_t slow_req;
static uint64_t slow_done_ns;
static int slow_done;

static void slow_work(uv_work_t *req)
{
	(void)req;
	uv_sleep(30);
}

static void slow_after(uv_work_t *req, int status)
{
	(void)req;
	ck_assert_int_eq(status, 0);
	slow_done = 1;
	slow_done_ns = vs_loop_now(loop);
	record(7);
}

static int slow_cond(void *opaque)
{
	(void)opaque;
	return slow_done;
}

START_TEST(request_in_flight_holds_the_clock)
{
	struct item t;

	slow_done = 0;
	item_init(&t, 1);
	ck_assert_int_eq(vs_loop_timer_start(loop, &t.t, 1000), 0);
	ck_assert_int_eq(uv_queue_work(vs_loop_uv(loop), &slow_req, slow_work, slow_after), 0);
	/* Nothing runnable but the timer: without the request holding the
	 * clock, the timer would fire (now = 1000) before the work is done. */
	ck_assert_int_eq(vs_loop_run_until(loop, slow_cond, NULL, 1000000), 0);
	ck_assert_uint_eq(slow_done_ns, 0);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	/* Then time moves on as before. */
	ck_assert_int_eq(vs_loop_run_until(loop, NULL, NULL, 2000), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), 2000);
	const int want[] = {7, 1};
	assert_trace(want, 2);
	ck_assert_uint_eq(trace_ns[1], 1000);
}
END_TEST

START_TEST(drain_waits_for_request)
{
	slow_done = 0;
	ck_assert_int_eq(uv_queue_work(vs_loop_uv(loop), &slow_req, slow_work, slow_after), 0);
	/* A drain never blocks on a handle, but a request always completes:
	 * the drain returns only once it has. */
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_int_eq(slow_done, 1);
	ck_assert_uint_eq(vs_loop_now(loop), 0);
	ck_assert_int_eq(uv_loop_alive(vs_loop_uv(loop)), 0);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc;

	tc = tcase_create("Work");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fifo_order);
	tcase_add_test(tc, defer_twice_runs_once);
	tcase_add_test(tc, cancel_head_middle_tail);
	tcase_add_test(tc, cancel_all_then_defer);
	tcase_add_test(tc, cancel_within_round);
	tcase_add_test(tc, work_deferred_in_round_runs_next_round);
	tcase_add_test(tc, self_redefer_bounded_count);
	tcase_add_test(tc, nested_run_until);
	tcase_add_test(tc, destroy_drops_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("Timers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, timers_fire_in_due_order);
	tcase_add_test(tc, timers_same_due_fifo);
	tcase_add_test(tc, timer_stop_and_rearm);
	tcase_add_test(tc, work_runs_before_timers);
	tcase_add_test(tc, timer_saturates);
	tcase_add_test(tc, timer_capacity);
	tcase_add_test(tc, timers_match_shadow);
	suite_add_tcase(s, tc);

	tc = tcase_create("Time");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, idle_round_jumps_to_deadline);
	tcase_add_test(tc, run_until_cond_already_true);
	tcase_add_test(tc, run_until_timeout_exact);
	tcase_add_test(tc, run_until_timer_makes_cond_true);
	tcase_add_test(tc, self_requeue_bounded);
	tcase_add_test(tc, drain_fires_due_timers_only);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("Uv");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, waits_for_active_io);
	tcase_add_test(tc, waits_for_bare_completion);
	tcase_add_test(tc, drain_does_not_block_on_io);
	tcase_add_test(tc, request_in_flight_holds_the_clock);
	tcase_add_test(tc, drain_waits_for_request);
	tcase_set_timeout(tc, 30); /* real time: a loaded machine is slow */
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
