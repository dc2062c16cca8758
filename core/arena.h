/*
 * arena.h - guest physical memory.
 *
 * The arena is a list of regions of guest RAM, each at a guest-physical
 * address (GPA).  The first region starts at GPA 0.  Everything that crosses
 * the driver/device seam lives here: rings, buffers, indirect tables.
 *
 * Rules of use (see ARCHITECTURE.md):
 *  - the device side and the monitor reach guest memory only through
 *    vs_arena_translate / vs_arena_read / vs_arena_write, and never keep a
 *    host pointer across a step: a region may later be a peer's memfd;
 *  - device-side writes go through vs_arena_write(..., VS_SIDE_DEVICE, ...),
 *    so taps (the monitor) see what the device wrote and where;
 *  - the driver side is guest code: it holds direct pointers into RAM it
 *    allocated with vs_arena_alloc, as a kernel holds its direct map.
 *
 * translate is on every ring access, so it is a linear scan of a handful of
 * regions; the allocator runs once per kmalloc and keeps its metadata on the
 * host side, out of reach of a device that scribbles on guest memory.
 */
#ifndef VS_ARENA_H
#define VS_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "core/side.h"

struct vs_arena;

/* A device-side (or harness) access to guest memory, as taps see it. */
struct vs_arena_access {
	enum vs_side side;
	int is_write;
	uint64_t gpa;
	uint64_t len;
};

typedef void (*vs_arena_tap_fn)(void *opaque, const struct vs_arena_access *acc);

/* Create an arena with one region of `size` bytes at GPA 0.  size must be a
 * multiple of VS_PAGE_SIZE.  Returns 0 or -EINVAL / -ENOMEM. */
int vs_arena_create(uint64_t size, struct vs_arena **out);
void vs_arena_destroy(struct vs_arena *a);

/* Add a further region of RAM at [gpa, gpa+size).  -EEXIST when it overlaps,
 * -EINVAL on overflow.  Memory from added regions is not handed out by the
 * allocator (it models RAM the guest got from elsewhere, e.g. hotplug). */
int vs_arena_add_region(struct vs_arena *a, uint64_t gpa, uint64_t size);

/* Bytes of RAM in the first region (the "arena size" of a machine). */
uint64_t vs_arena_size(const struct vs_arena *a);

/*
 * Host pointer to [gpa, gpa+len) when the whole range lies inside one
 * region; NULL when it does not, when len is 0, or when gpa+len overflows.
 * Never crashes on hostile values.  The pointer is valid until the next
 * step: do not keep it.
 */
void *vs_arena_translate(struct vs_arena *a, uint64_t gpa, uint64_t len);

/* Copy between guest memory and host memory.  Return 0, or -EFAULT when
 * the range is not all RAM (nothing is copied then).  Taps see both. */
int vs_arena_read(struct vs_arena *a, enum vs_side side, uint64_t gpa, void *dst, uint64_t len);
int vs_arena_write(struct vs_arena *a, enum vs_side side, uint64_t gpa, const void *src,
		   uint64_t len);

/* Taps see every vs_arena_read/vs_arena_write (not translate, not the
 * driver's own stores).  At most VS_ARENA_MAX_TAPS.  -ENOSPC when full.
 * As on the bus: a write is tapped before the bytes land, a read after.
 * Only accesses that succeed are tapped (not -EFAULT ones, not len 0). */
#define VS_ARENA_MAX_TAPS 4
int vs_arena_add_tap(struct vs_arena *a, vs_arena_tap_fn fn, void *opaque);
void vs_arena_remove_tap(struct vs_arena *a, vs_arena_tap_fn fn, void *opaque);

/* ---- Guest allocator: used by the driver shim (kmalloc, alloc_pages) ---- */
#define VS_PAGE_SIZE 4096u
#define VS_ARENA_MIN_ALIGN 16u

/*
 * Allocate len bytes aligned to align (a power of two, at least
 * VS_ARENA_MIN_ALIGN) from the first region; the memory is zeroed.
 * Returns 0 and the GPA, or -ENOMEM / -EINVAL.  GPA 0 is never returned,
 * so 0 can mean "no buffer" in ring fields.
 */
int vs_arena_alloc(struct vs_arena *a, uint64_t len, uint64_t align, uint64_t *gpa);
/* Free a block from vs_arena_alloc.  -EINVAL when gpa is not a live block
 * (double free, or a pointer into the middle of one). */
int vs_arena_free(struct vs_arena *a, uint64_t gpa);
/* Bytes currently allocated, for leak checks at the end of a scenario. */
uint64_t vs_arena_allocated(const struct vs_arena *a);

/* Host address of GPA 0 of the first region, for the driver shim's
 * virt_to_phys / phys_to_virt.  Only driver/ (guest code) may use this,
 * and writes only inside blocks it allocated: the allocator skips zeroing
 * memory nothing was ever handed out or translated for, so bytes
 * scribbled elsewhere through this base may come back in a new block. */
uint8_t *vs_arena_base(struct vs_arena *a);

#endif /* VS_ARENA_H */
