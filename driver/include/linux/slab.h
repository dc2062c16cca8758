/*
 * linux/slab.h - kmalloc and friends.  Every guest allocation comes from
 * the arena (guest RAM), so whatever a driver hands to a device has a
 * guest-physical address, and a leak shows up in vs_arena_allocated().
 *
 * Alignment as in the kernel: at least 16 bytes; a power-of-two size up to
 * a page is aligned to its size; from a page up, to a page.  The arena
 * zeroes every block, so kmalloc memory reads as zero too (the kernel gives
 * no such promise: do not rely on it, use kzalloc).
 */
#ifndef VS_LINUX_SLAB_H
#define VS_LINUX_SLAB_H

#include <linux/compiler.h>

#define ARCH_KMALLOC_MINALIGN 16u

/* kmalloc(0) returns this: not NULL, but nothing may be stored there. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
/* NULL when n * size overflows. */
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
/* NULL and ZERO_SIZE_PTR are ignored; anything else must come from kmalloc
 * (a bad pointer is a guest bug: BUG). */
void kfree(const void *ptr);

#endif /* VS_LINUX_SLAB_H */
