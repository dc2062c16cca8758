/*
 * linux/jiffies.h - the guest's clock, in ticks of 1/HZ second of the
 * machine's virtual time (core/loop.h).  Virtual time only moves while the
 * guest waits, so a wait for a device that never answers costs no
 * wall-clock time.
 */
#ifndef VS_LINUX_JIFFIES_H
#define VS_LINUX_JIFFIES_H

#include <limits.h>

#include <linux/compiler.h>

#define HZ 1000
#define NSEC_PER_SEC   1000000000ull
#define NSEC_PER_MSEC  1000000ull
#define NSEC_PER_JIFFY (NSEC_PER_SEC / HZ)
#define MAX_SCHEDULE_TIMEOUT LONG_MAX

/* Virtual time in jiffies since the machine started (0 with no loop bound). */
unsigned long get_jiffies(void);
#define jiffies get_jiffies()

static inline unsigned long msecs_to_jiffies(unsigned int m)
{
	return DIV_ROUND_UP((unsigned long)m * NSEC_PER_MSEC, NSEC_PER_JIFFY);
}

static inline unsigned long usecs_to_jiffies(unsigned int u)
{
	return DIV_ROUND_UP((unsigned long)u * 1000ul, NSEC_PER_JIFFY);
}

/* Rounded up: a wait is never shorter than asked. */
static inline unsigned long nsecs_to_jiffies(u64 n)
{
	return (unsigned long)(n / NSEC_PER_JIFFY + (n % NSEC_PER_JIFFY != 0));
}

static inline u64 jiffies_to_nsecs(unsigned long j)
{
	return (u64)j * NSEC_PER_JIFFY;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)(jiffies_to_nsecs(j) / NSEC_PER_MSEC);
}

/*
 * virtiosim: how long any guest wait for a device may last
 * (vs_guest_timeout_ns in jiffies).  A kernel would sleep until killed;
 * the harness treats a guest that sleeps longer as stuck and lets the
 * wait fail with -ETIMEDOUT.
 */
unsigned long guest_timeout_jiffies(void);

#endif /* VS_LINUX_JIFFIES_H */
