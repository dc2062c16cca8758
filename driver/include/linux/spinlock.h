/*
 * linux/spinlock.h - spinlocks that keep the kernel's shape but do nothing.
 *
 * The machine runs on one thread and an interrupt handler runs in the
 * raiser's context (core/irq.h), which a kernel would have kept out with
 * spin_lock_irqsave.  Checking for recursion here would therefore report
 * nesting a real kernel never sees, so the lock only keeps the code honest
 * about where its critical sections are (and ready for a threaded mode).
 */
#ifndef VS_LINUX_SPINLOCK_H
#define VS_LINUX_SPINLOCK_H

typedef struct {
	int unused;
} spinlock_t;

#define DEFINE_SPINLOCK(x) spinlock_t x = { 0 }

#define spin_lock_init(l)                 ((void)(l))
#define spin_lock(l)                      ((void)(l))
#define spin_unlock(l)                    ((void)(l))
#define spin_lock_irq(l)                  ((void)(l))
#define spin_unlock_irq(l)                ((void)(l))
#define spin_lock_irqsave(l, flags)       ((void)(l), (flags) = 0)
#define spin_unlock_irqrestore(l, flags)  ((void)(l), (void)(flags))

#endif /* VS_LINUX_SPINLOCK_H */
