/*
 * shim_sched.c - waiting, the kernel shim's way: a guest that waits runs
 * the machine's loop (device work, timers, I/O) on the virtual clock until
 * its condition holds or its deadline passes (see linux/wait.h).  Nothing
 * here sleeps in wall-clock time.
 */
#define KBUILD_MODNAME "shim"

#include <errno.h>

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/printk.h>
#include <linux/wait.h>

#include "core/loop.h"
#include "driver/shim.h"

static struct vs_loop *shim_loop(void)
{
	const struct vs_guest_env *env = vs_shim_env();

	return env ? env->loop : NULL;
}

unsigned long get_jiffies(void)
{
	struct vs_loop *loop = shim_loop();

	return loop ? (unsigned long)(vs_loop_now(loop) / NSEC_PER_JIFFY) : 0;
}

unsigned long guest_timeout_jiffies(void)
{
	return nsecs_to_jiffies(vs_guest_timeout_ns);
}

void wake_up(wait_queue_head_t *wq)
{
	wq->wakeups++;
}

void __wait_begin(struct __wait_state *ws, long timeout)
{
	struct vs_loop *loop = shim_loop();
	u64 now = loop ? vs_loop_now(loop) : 0;
	u64 span;

	if (timeout <= 0)
		span = 0;
	else if (timeout == MAX_SCHEDULE_TIMEOUT)
		span = vs_guest_timeout_ns; /* "forever" is bounded by the guest timeout */
	else if ((u64)timeout > UINT64_MAX / NSEC_PER_JIFFY)
		span = UINT64_MAX;
	else
		span = jiffies_to_nsecs((unsigned long)timeout);
	ws->deadline_ns = span > UINT64_MAX - now ? UINT64_MAX : now + span;
	ws->rounds = 0;
}

bool __wait_round(struct __wait_state *ws)
{
	struct vs_loop *loop = shim_loop();

	if (!loop)
		return false;
	/* Work that requeues itself forever must not hang the guest. */
	if (++ws->rounds > VS_LOOP_MAX_ROUNDS) {
		pr_err("wait: %lu rounds of the machine without the condition; giving up",
		       ws->rounds - 1);
		return false;
	}
	/* 0: nothing can happen before the deadline; the clock stands at it. */
	return vs_loop_run_once(loop, ws->deadline_ns) != 0;
}

long __wait_remaining(const struct __wait_state *ws)
{
	struct vs_loop *loop = shim_loop();
	u64 now = loop ? vs_loop_now(loop) : 0;
	unsigned long left;

	if (now >= ws->deadline_ns)
		return 1;
	left = nsecs_to_jiffies(ws->deadline_ns - now);
	if (left > (unsigned long)MAX_SCHEDULE_TIMEOUT)
		left = (unsigned long)MAX_SCHEDULE_TIMEOUT;
	return left ? (long)left : 1;
}

void __wait_hung(const char *file, int line, const char *cond)
{
	pr_err("%s:%d: waited the guest timeout for '%s'; giving up", file, line, cond);
}

void complete(struct completion *x)
{
	if (x->done != UINT_MAX)
		x->done++;
	wake_up(&x->wait);
}

void complete_all(struct completion *x)
{
	x->done = UINT_MAX;
	wake_up(&x->wait);
}

bool try_wait_for_completion(struct completion *x)
{
	if (!x->done)
		return false;
	if (x->done != UINT_MAX)
		x->done--;
	return true;
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	long left = wait_event_timeout(x->wait, x->done != 0, timeout);

	if (left)
		try_wait_for_completion(x);
	return (unsigned long)left;
}

long wait_for_completion_killable_timeout(struct completion *x, unsigned long timeout)
{
	return (long)wait_for_completion_timeout(x, timeout);
}

void wait_for_completion(struct completion *x)
{
	if (!wait_for_completion_timeout(x, guest_timeout_jiffies()))
		__wait_hung(__FILE__, __LINE__, "completion");
}

void msleep(unsigned int msecs)
{
	struct __wait_state ws;

	__wait_begin(&ws, (long)msecs_to_jiffies(msecs));
	while (__wait_round(&ws))
		;
}
