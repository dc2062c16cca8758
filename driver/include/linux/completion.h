/*
 * linux/completion.h - "this happened" counters a waiter can sleep on.
 * Waiting runs the machine (linux/wait.h); the return values are the
 * kernel's: 0 on timeout, else the jiffies left (at least 1).
 */
#ifndef VS_LINUX_COMPLETION_H
#define VS_LINUX_COMPLETION_H

#include <limits.h>

#include <linux/wait.h>

struct completion {
	unsigned int done; /* complete() calls not yet consumed; UINT_MAX after complete_all */
	wait_queue_head_t wait;
};

static inline void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

static inline void reinit_completion(struct completion *x)
{
	x->done = 0;
}

/* True when a wait would not block. */
static inline bool completion_done(const struct completion *x)
{
	return READ_ONCE(x->done) != 0;
}

void complete(struct completion *x);
void complete_all(struct completion *x);
/* Consume one completion if there is one, without waiting. */
bool try_wait_for_completion(struct completion *x);
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
/* Never interrupted here: behaves as wait_for_completion_timeout. */
long wait_for_completion_killable_timeout(struct completion *x, unsigned long timeout);
/* Bounded by the guest timeout (see wait_event); logs a hang on expiry. */
void wait_for_completion(struct completion *x);

#endif /* VS_LINUX_COMPLETION_H */
