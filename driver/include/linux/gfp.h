/*
 * linux/gfp.h - whole-page allocations from guest RAM (rings want
 * physically contiguous, page-aligned memory).
 */
#ifndef VS_LINUX_GFP_H
#define VS_LINUX_GFP_H

#include <linux/compiler.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)
#define PAGE_ALIGN(x) ALIGN((x), PAGE_SIZE)

/* size rounded up to whole pages, page-aligned, zeroed; NULL when out of memory. */
void *alloc_pages_exact(size_t size, gfp_t gfp_mask);
void free_pages_exact(void *virt, size_t size);

#endif /* VS_LINUX_GFP_H */
