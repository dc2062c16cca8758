/*
 * linux/bug.h - BUG_ON and WARN_ON.
 *
 * BUG_ON is for the guest's own invariants only (a double kfree, a DMA
 * address outside guest RAM): it logs and aborts, as a kernel oops would.
 * Anything the device wrote is hostile input and is never checked with
 * BUG_ON: it marks a queue broken and returns an error instead.
 * WARN_ON logs the condition with its place and evaluates to it.
 */
#ifndef VS_LINUX_BUG_H
#define VS_LINUX_BUG_H

#include <linux/compiler.h>

__attribute__((noreturn)) void __guest_bug(const char *file, int line, const char *what);
void __guest_warn(const char *file, int line, const char *what);

#define BUG() __guest_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)                                             \
	do {                                                     \
		if (unlikely(cond))                              \
			__guest_bug(__FILE__, __LINE__, #cond);  \
	} while (0)

#define WARN_ON(cond)                                            \
	({                                                       \
		bool __w = !!(cond);                             \
		if (unlikely(__w))                               \
			__guest_warn(__FILE__, __LINE__, #cond); \
		__w;                                             \
	})

#define WARN_ON_ONCE(cond)                                       \
	({                                                       \
		static bool __warned;                            \
		bool __w = !!(cond);                             \
		if (unlikely(__w) && !__warned) {                \
			__warned = true;                         \
			__guest_warn(__FILE__, __LINE__, #cond); \
		}                                                \
		__w;                                             \
	})

#endif /* VS_LINUX_BUG_H */
