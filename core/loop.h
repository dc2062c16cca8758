/*
 * loop.h - the event loop: deferred device work, timers, I/O.
 *
 * One thread.  Deferred work runs in FIFO order.  Time is virtual: the
 * clock only moves when nothing is runnable, and then jumps to the next
 * timer (or to the deadline a waiter gave).  That is what makes a run
 * deterministic and a "missing interrupt" test take no wall-clock time.
 * Real I/O (file backends, sockets, later vhost-user) goes through the
 * libuv loop embedded here; it is polled without blocking while there is
 * work, and waited on only when an I/O handle is active and nothing else is.
 *
 * Call order: vs_loop_create, then any number of vs_loop_defer /
 * vs_loop_timer_start, driven by vs_loop_run_until or vs_loop_drain;
 * vs_loop_destroy last (pending work is dropped, not run).
 */
#ifndef VS_LOOP_H
#define VS_LOOP_H

#include <stdint.h>

struct vs_loop;
struct uv_loop_s;

typedef void (*vs_work_fn)(void *opaque);

/*
 * A unit of deferred work, embedded in its owner.  Deferring a work item
 * that is already queued does nothing (a kick that arrives while the device
 * is already scheduled needs no second run).
 */
struct vs_work {
	vs_work_fn fn;
	void *opaque;
	struct vs_work *next; /* private */
	int queued;           /* private */
};

/* A one-shot timer on the virtual clock, embedded in its owner. */
struct vs_timer {
	vs_work_fn fn;
	void *opaque;
	uint64_t due_ns;   /* private */
	uint64_t seq;      /* private: FIFO among timers due at the same time */
	int armed;         /* private */
	int heap_idx;      /* private */
};

int vs_loop_create(struct vs_loop **out);
/* Drops queued work and timers; closes the libuv loop. */
void vs_loop_destroy(struct vs_loop *loop);

void vs_work_init(struct vs_work *w, vs_work_fn fn, void *opaque);
void vs_loop_defer(struct vs_loop *loop, struct vs_work *w);
/* Remove w if queued (a device being reset drops its pending run). */
void vs_loop_cancel(struct vs_loop *loop, struct vs_work *w);

void vs_timer_init(struct vs_timer *t, vs_work_fn fn, void *opaque);
/* (Re)arm t to fire delay_ns of virtual time from now. -ENOSPC when full. */
int vs_loop_timer_start(struct vs_loop *loop, struct vs_timer *t, uint64_t delay_ns);
void vs_loop_timer_stop(struct vs_loop *loop, struct vs_timer *t);

/* Virtual time in ns since creation. */
uint64_t vs_loop_now(const struct vs_loop *loop);

/*
 * Run one round: all work queued when it starts, then any I/O ready now.
 * When nothing was runnable, advance the clock to the earliest timer due
 * no later than deadline_ns and fire it.  Returns 1 when it did anything,
 * 0 when there is nothing to do before the deadline (the caller's wait has
 * then timed out and the clock stands at the deadline).
 */
int vs_loop_run_once(struct vs_loop *loop, uint64_t deadline_ns);

/*
 * Run until cond(opaque) is true (returns 0) or virtual time reaches
 * now + timeout_ns with cond still false (returns -ETIMEDOUT).  This is
 * what the driver shim's wait_event_timeout runs on.  A cond that never
 * becomes true with work that requeues itself forever is bounded by
 * VS_LOOP_MAX_ROUNDS (returns -ELOOP): a faulty side cannot hang a run.
 */
#define VS_LOOP_MAX_ROUNDS 1000000u
int vs_loop_run_until(struct vs_loop *loop, int (*cond)(void *opaque), void *opaque,
		      uint64_t timeout_ns);

/* Run all queued work and timers due now, until nothing is runnable.
 * Same bound as run_until; returns 0 or -ELOOP. */
int vs_loop_drain(struct vs_loop *loop);

/* The embedded libuv loop, for I/O backends (files, sockets). */
struct uv_loop_s *vs_loop_uv(struct vs_loop *loop);

#endif /* VS_LOOP_H */
