/*
 * linux/wait.h - wait queues over the machine's loop.
 *
 * A waiter does not sleep: wait_event_timeout() runs the machine (device
 * work, timers, I/O) one round at a time with vs_loop_run_once and
 * re-checks its condition after every round, until the condition holds or
 * virtual time reaches the deadline.  Because the condition is re-checked
 * after every round, a missed wake_up() cannot hang a waiter; wake_up() is
 * kept for shape and counts wake-ups.
 *
 * Return values as in the kernel: 0 when the timeout elapsed with the
 * condition false; otherwise the jiffies left, at least 1 (also when the
 * condition came true exactly at the deadline).  On a timeout the clock
 * stands exactly at start + timeout.  A machine whose work requeues itself
 * forever without the condition coming true is cut off after
 * VS_LOOP_MAX_ROUNDS rounds and counts as a timeout.
 */
#ifndef VS_LINUX_WAIT_H
#define VS_LINUX_WAIT_H

#include <linux/compiler.h>
#include <linux/jiffies.h>

struct wait_queue_head {
	unsigned long wakeups; /* wake_up() calls, for tests and traces */
};
typedef struct wait_queue_head wait_queue_head_t;

#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name = { 0 }

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	wq->wakeups = 0;
}

void wake_up(wait_queue_head_t *wq);
#define wake_up_all(wq) wake_up(wq)
#define wake_up_interruptible(wq) wake_up(wq)

/* private: one waiter's place on the virtual clock */
struct __wait_state {
	u64 deadline_ns;
	unsigned long rounds;
};
void __wait_begin(struct __wait_state *ws, long timeout);
/* Run one round of the machine; false when nothing more can happen before
 * the deadline (the clock then stands at it) or the round limit hit. */
bool __wait_round(struct __wait_state *ws);
/* Jiffies left before the deadline, at least 1. */
long __wait_remaining(const struct __wait_state *ws);
void __wait_hung(const char *file, int line, const char *cond);

#define wait_event_timeout(wq_head, condition, timeout)                 \
	({                                                              \
		struct __wait_state __ws;                               \
		long __ret = 0;                                         \
		(void)(wq_head);                                        \
		__wait_begin(&__ws, (long)(timeout));                   \
		for (;;) {                                              \
			if (condition) {                                \
				__ret = __wait_remaining(&__ws);        \
				break;                                  \
			}                                               \
			if (!__wait_round(&__ws)) {                     \
				if (condition)                          \
					__ret = 1;                      \
				break;                                  \
			}                                               \
		}                                                       \
		__ret;                                                  \
	})

#define wait_event_interruptible_timeout(wq, cond, t) wait_event_timeout(wq, cond, t)

/* Without a timeout a kernel would sleep forever; here the wait gives up
 * after the guest timeout and logs the hang (the caller's condition is
 * then still false: check it). */
#define wait_event(wq_head, condition)                                       \
	do {                                                                 \
		if (!wait_event_timeout(wq_head, condition,                  \
					guest_timeout_jiffies()))            \
			__wait_hung(__FILE__, __LINE__, #condition);         \
	} while (0)

#endif /* VS_LINUX_WAIT_H */
