/*
 * linux/compiler.h - the kernel's basic vocabulary for guest code: sized
 * integer types, bool, likely/unlikely, READ_ONCE/WRITE_ONCE, barriers and
 * small arithmetic helpers.
 *
 * This file stands in for several kernel headers (types.h, compiler.h,
 * kernel.h, minmax.h).  Those names are taken: glibc's own headers include
 * <linux/types.h>, <linux/errno.h>... and driver/include is on the -I path,
 * so a shim header by that name would replace the system one.
 */
#ifndef VS_LINUX_COMPILER_H
#define VS_LINUX_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* Guest-physical addresses: what a device is told, never a host pointer. */
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef u64 resource_size_t;

/* Allocation context.  The arena never sleeps, so only the spelling matters. */
typedef unsigned int gfp_t;
#define GFP_KERNEL 0x1u
#define GFP_ATOMIC 0x2u
#define __GFP_ZERO 0x100u

#define __iomem        /* a register cookie, never dereferenced */
#define __must_check   __attribute__((warn_unused_result))
#define __maybe_unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * One thread runs the whole machine, but the device side reads what the
 * driver stores: the volatile accesses stop the compiler from caching or
 * tearing a ring index, as in the kernel.
 */
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/*
 * Barriers.  The default mode is single-threaded, where a compiler barrier
 * would do; full fences keep the threaded mode (device on its own thread)
 * correct without touching the callers.
 */
#define barrier() __asm__ __volatile__("" ::: "memory")
#define mb()      __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()     __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()     __atomic_thread_fence(__ATOMIC_RELEASE)
#define virtio_mb(weak)  mb()
#define virtio_rmb(weak) rmb()
#define virtio_wmb(weak) wmb()

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* a must be a power of two. */
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))

#define BIT(n)     (1ul << (n))
#define BIT_ULL(n) (1ull << (n))

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Largest power of two <= n (n > 0). */
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1ul << (63 - __builtin_clzl(n));
}

#endif /* VS_LINUX_COMPILER_H */
