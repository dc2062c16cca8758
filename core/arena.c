/*
 * arena.c - guest physical memory and the guest's allocator.
 *
 * Regions: up to VS_ARENA_MAX_REGIONS blocks of anonymous memory, each with
 * its own host pointer (a later region may be a memfd or a peer's mapping,
 * so nothing assumes regions are contiguous on the host).  translate is a
 * linear scan of that short list and runs on every device-side ring access.
 *
 * Allocator: the first region only, in 16-byte granules.  Its metadata lives
 * on the host heap, never in guest memory, so a device that scribbles over
 * RAM cannot corrupt it:
 *   used[]  - one bit per granule, set while the granule belongs to a block
 *             (or to the reserved first page);
 *   start[] - one bit per granule, set on the first granule of each block.
 * A block therefore runs from its start bit up to the next granule that is
 * free or starts another block; free finds the length that way, word by
 * word, so no per-block length table is needed (2 bits of host memory per
 * 16 bytes of RAM).  The first page is marked used but has no start bit: it
 * is never handed out (GPA 0 means "no buffer") and can never be freed.
 *
 * Allocation is next-fit from a cursor that follows the last block handed
 * out: the ring benchmark allocates and frees small indirect tables at a
 * high rate, and next-fit finds free space at the cursor without rescanning
 * the live blocks at the bottom of the arena each time.  Freeing the block
 * that ends at the cursor moves the cursor back, so alloc/free pairs reuse
 * one block.  kmalloc runs once
 * per request at most; alloc costs a scan of bitmap words from the cursor.
 *
 * vs_arena_allocated counts granule-rounded bytes (a 20-byte block counts
 * 32), which is what the block actually takes from RAM.
 *
 * Taps: reads are tapped after the copy, writes before it (as the bus taps
 * reads after and writes before the handler).  Only accesses that succeed
 * are tapped; a zero-length read or write succeeds, copies nothing and is
 * not tapped.  Delivery runs on every device access, so it walks the table
 * in place (no copy): a tap removed while taps run leaves a hole (fn NULL)
 * that is skipped and closed when the outermost delivery ends, and a tap
 * added meanwhile goes after the ones being called, so it first sees the
 * next access.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/arena.h"

#define VS_ARENA_MAX_REGIONS 8
#define GRANULE VS_ARENA_MIN_ALIGN
#define WORD_BITS 64u

struct vs_arena_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host; /* mapping of [gpa, gpa+size) */
};

struct vs_arena_tap {
	vs_arena_tap_fn fn;
	void *opaque;
};

struct vs_arena {
	struct vs_arena_region regions[VS_ARENA_MAX_REGIONS]; /* [0] at GPA 0 */
	unsigned nregions;
	struct vs_arena_tap taps[VS_ARENA_MAX_TAPS];
	unsigned ntaps;      /* slots in use, holes included */
	unsigned delivering; /* nesting depth of tap delivery */
	unsigned holes;      /* taps removed during delivery, not compacted yet */
	/* allocator over regions[0] */
	uint64_t ngran;      /* granules in regions[0] */
	uint64_t nwords;     /* words in each bitmap */
	uint64_t *used;
	uint64_t *start;
	uint64_t cursor;     /* next-fit: search starts here */
	uint64_t allocated;  /* live bytes, granule-rounded */
	/* Granules of regions[0] from here on were never handed out by the
	 * allocator nor reached through translate (so never written): they
	 * still hold the zeros the fresh mapping gave, and an allocation
	 * there needs no memset -- which would only fault the pages in for
	 * nothing (most of a short machine's cost).  Guest code writes only
	 * inside blocks it allocated, through the base the shim maps. */
	uint64_t zero_from;
};

/* ---- bitmaps ---- */

static int bit_get(const uint64_t *map, uint64_t i)
{
	return (int)((map[i / WORD_BITS] >> (i % WORD_BITS)) & 1u);
}

static void bits_set(uint64_t *map, uint64_t i, uint64_t n, int val)
{
	while (n > 0) {
		uint64_t bit = i % WORD_BITS;
		uint64_t take = WORD_BITS - bit < n ? WORD_BITS - bit : n;
		uint64_t mask = (take == WORD_BITS ? ~0ull : ((1ull << take) - 1)) << bit;

		if (val)
			map[i / WORD_BITS] |= mask;
		else
			map[i / WORD_BITS] &= ~mask;
		i += take;
		n -= take;
	}
}

/*
 * First index in [i, limit) whose bit in (map XOR invert) is set, or limit.
 * invert = 0 finds a set bit, ~0 finds a clear bit.  Bits past ngran in the
 * last word are never looked at because limit <= ngran.
 */
static uint64_t find_next(const uint64_t *map, uint64_t invert, uint64_t i, uint64_t limit)
{
	while (i < limit) {
		uint64_t w = (map[i / WORD_BITS] ^ invert) >> (i % WORD_BITS);

		if (w) {
			uint64_t r = i + (uint64_t)__builtin_ctzll(w);

			return r < limit ? r : limit;
		}
		i = (i / WORD_BITS + 1) * WORD_BITS;
	}
	return limit;
}

/* End (exclusive) of the block starting at granule s: the first granule
 * after s that is free or starts another block. */
static uint64_t block_end(const struct vs_arena *a, uint64_t s)
{
	uint64_t i = s + 1;

	while (i < a->ngran) {
		uint64_t wi = i / WORD_BITS;
		uint64_t w = (~a->used[wi] | a->start[wi]) >> (i % WORD_BITS);

		if (w) {
			uint64_t r = i + (uint64_t)__builtin_ctzll(w);

			return r < a->ngran ? r : a->ngran;
		}
		i = (wi + 1) * WORD_BITS;
	}
	return a->ngran;
}

/* ---- regions ---- */

static uint8_t *region_map(uint64_t size)
{
	if (size > SIZE_MAX)
		return NULL;
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void region_unmap(struct vs_arena_region *r)
{
	if (r->host)
		munmap(r->host, (size_t)r->size);
	r->host = NULL;
}

/*
 * One spare first-region mapping, kept when an arena goes and handed to
 * the next arena of the same size: a machine per scenario, or per fuzz
 * case, then costs a memset of what the last one touched (every byte at
 * or above its zero_from is still zero) instead of mmap, page faults and
 * munmap with its TLB shootdown.  Machines are built one at a time on one
 * thread, as the guest shim requires anyway.
 */
#define ARENA_SPARES 4 /* a few sizes: scenarios and fuzz cases vary memory_mb */

static struct {
	uint8_t *host;  /* NULL: slot empty */
	uint64_t size;
	uint64_t dirty; /* bytes from 0 that may be non-zero */
} spares[ARENA_SPARES];

static uint8_t *region0_map(uint64_t size)
{
	uint8_t *p;

	for (unsigned i = 0; i < ARENA_SPARES; i++) {
		if (!spares[i].host || spares[i].size != size)
			continue;
		p = spares[i].host;
		spares[i].host = NULL;
		memset(p, 0, (size_t)spares[i].dirty);
		return p;
	}
	return region_map(size);
}

static void region0_unmap(struct vs_arena *a)
{
	struct vs_arena_region *r = &a->regions[0];
	uint64_t dirty = a->zero_from * GRANULE;

	for (unsigned i = 0; r->host && i < ARENA_SPARES; i++) {
		if (spares[i].host)
			continue;
		spares[i].host = r->host;
		spares[i].size = r->size;
		spares[i].dirty = dirty < r->size ? dirty : r->size;
		r->host = NULL;
		return;
	}
	region_unmap(r);
}

/* -EINVAL when size is 0 or not a multiple of VS_PAGE_SIZE, -ENOMEM when
 * memory for RAM or metadata cannot be had. */
int vs_arena_create(uint64_t size, struct vs_arena **out)
{
	struct vs_arena *a;
	int err = -ENOMEM;

	if (size == 0 || size % VS_PAGE_SIZE != 0)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ngran = size / GRANULE;
	a->nwords = (a->ngran + WORD_BITS - 1) / WORD_BITS;
	a->used = calloc((size_t)a->nwords, sizeof(uint64_t));
	if (!a->used)
		goto out_free_arena;
	a->start = calloc((size_t)a->nwords, sizeof(uint64_t));
	if (!a->start)
		goto out_free_used;
	a->regions[0].gpa = 0;
	a->regions[0].size = size;
	a->regions[0].host = region0_map(size);
	if (!a->regions[0].host)
		goto out_free_start;
	a->nregions = 1;
	/* Reserve the first page: GPA 0 is "no buffer" in ring fields. */
	bits_set(a->used, 0, VS_PAGE_SIZE / GRANULE, 1);
	a->cursor = VS_PAGE_SIZE / GRANULE;
	*out = a;
	return 0;

out_free_start:
	free(a->start);
out_free_used:
	free(a->used);
out_free_arena:
	free(a);
	return err;
}

void vs_arena_destroy(struct vs_arena *a)
{
	if (!a)
		return;
	if (a->nregions)
		region0_unmap(a);
	for (unsigned i = 1; i < a->nregions; i++)
		region_unmap(&a->regions[i]);
	free(a->start);
	free(a->used);
	free(a);
}

/* Also -EINVAL for a size of 0 or a gpa/size not page-aligned, -ENOSPC
 * past VS_ARENA_MAX_REGIONS, -ENOMEM when the mapping fails. */
int vs_arena_add_region(struct vs_arena *a, uint64_t gpa, uint64_t size)
{
	if (size == 0 || gpa % VS_PAGE_SIZE || size % VS_PAGE_SIZE)
		return -EINVAL;
	uint64_t last = gpa + (size - 1);

	if (last < gpa)
		return -EINVAL;
	for (unsigned i = 0; i < a->nregions; i++) {
		const struct vs_arena_region *r = &a->regions[i];

		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= last)
			return -EEXIST;
	}
	if (a->nregions >= VS_ARENA_MAX_REGIONS)
		return -ENOSPC;
	struct vs_arena_region *r = &a->regions[a->nregions];

	r->host = region_map(size);
	if (!r->host)
		return -ENOMEM;
	r->gpa = gpa;
	r->size = size;
	a->nregions++;
	return 0;
}

uint64_t vs_arena_size(const struct vs_arena *a)
{
	return a->regions[0].size;
}

void *vs_arena_translate(struct vs_arena *a, uint64_t gpa, uint64_t len)
{
	if (!a || len == 0 || gpa + (len - 1) < gpa)
		return NULL;
	for (unsigned i = 0; i < a->nregions; i++) {
		const struct vs_arena_region *r = &a->regions[i];

		if (gpa < r->gpa)
			continue;
		uint64_t off = gpa - r->gpa;

		/* Written so that no sum can wrap: off < size, len <= size - off. */
		if (off < r->size && len <= r->size - off) {
			if (i == 0 && off + len > a->zero_from * GRANULE)
				a->zero_from = (off + len + GRANULE - 1) / GRANULE;
			return r->host + off;
		}
	}
	return NULL;
}

/* Close the holes removals during delivery left, keeping the order. */
static void taps_compact(struct vs_arena *a)
{
	unsigned j = 0;

	for (unsigned i = 0; i < a->ntaps; i++)
		if (a->taps[i].fn)
			a->taps[j++] = a->taps[i];
	a->ntaps = j;
	a->holes = 0;
}

static void arena_tap_slow(struct vs_arena *a, enum vs_side side, int is_write, uint64_t gpa,
			   uint64_t len)
{
	struct vs_arena_access acc = { .side = side, .is_write = is_write, .gpa = gpa, .len = len };
	unsigned n = a->ntaps; /* taps added from here on see the next access */

	a->delivering++;
	if (n == 1) { /* the usual machine: the monitor alone */
		if (a->taps[0].fn)
			a->taps[0].fn(a->taps[0].opaque, &acc);
	} else {
		for (unsigned i = 0; i < n; i++) {
			const struct vs_arena_tap *t = &a->taps[i];

			if (t->fn)
				t->fn(t->opaque, &acc);
		}
	}
	if (--a->delivering == 0 && a->holes)
		taps_compact(a);
}

static inline void arena_tap(struct vs_arena *a, enum vs_side side, int is_write, uint64_t gpa,
			     uint64_t len)
{
	if (a->ntaps)
		arena_tap_slow(a, side, is_write, gpa, len);
}

int vs_arena_read(struct vs_arena *a, enum vs_side side, uint64_t gpa, void *dst, uint64_t len)
{
	if (len == 0)
		return 0;
	void *src = vs_arena_translate(a, gpa, len);

	if (!src)
		return -EFAULT;
	memmove(dst, src, (size_t)len);
	arena_tap(a, side, 0, gpa, len);
	return 0;
}

int vs_arena_write(struct vs_arena *a, enum vs_side side, uint64_t gpa, const void *src,
		   uint64_t len)
{
	if (len == 0)
		return 0;
	void *dst = vs_arena_translate(a, gpa, len);

	if (!dst)
		return -EFAULT;
	arena_tap(a, side, 1, gpa, len);
	memmove(dst, src, (size_t)len);
	return 0;
}

/* -EINVAL for a NULL fn, -ENOSPC when full.  Taps run in the order added. */
int vs_arena_add_tap(struct vs_arena *a, vs_arena_tap_fn fn, void *opaque)
{
	if (!fn)
		return -EINVAL;
	if (a->ntaps >= VS_ARENA_MAX_TAPS && a->holes && !a->delivering)
		taps_compact(a);
	if (a->ntaps >= VS_ARENA_MAX_TAPS)
		return -ENOSPC;
	a->taps[a->ntaps].fn = fn;
	a->taps[a->ntaps].opaque = opaque;
	a->ntaps++;
	return 0;
}

void vs_arena_remove_tap(struct vs_arena *a, vs_arena_tap_fn fn, void *opaque)
{
	if (!fn)
		return;
	for (unsigned i = 0; i < a->ntaps; i++) {
		if (a->taps[i].fn != fn || a->taps[i].opaque != opaque)
			continue;
		if (a->delivering) {
			/* the loop delivering now indexes this table: leave a hole */
			a->taps[i].fn = NULL;
			a->taps[i].opaque = NULL;
			a->holes++;
			return;
		}
		for (unsigned j = i + 1; j < a->ntaps; j++)
			a->taps[j - 1] = a->taps[j];
		a->ntaps--;
		return;
	}
}

/* ---- allocator ---- */

/* First granule g in [from, limit) with g % ag == 0 and [g, g+n) all free,
 * or limit when there is none. */
static uint64_t arena_search(const struct vs_arena *a, uint64_t from, uint64_t limit,
			     uint64_t n, uint64_t ag)
{
	uint64_t i = from;

	while (i < limit) {
		i = find_next(a->used, ~0ull, i, limit);
		if (i >= limit)
			break;
		i = (i + ag - 1) & ~(ag - 1);
		if (i >= limit || n > limit - i)
			break;
		uint64_t busy = find_next(a->used, 0, i, i + n);

		if (busy == i + n)
			return i;
		i = busy + 1;
	}
	return limit;
}

/*
 * -EINVAL for len 0 or an align that is not a power of two; an align below
 * VS_ARENA_MIN_ALIGN (0 included) is raised to it.  -ENOMEM when no free
 * run of the size and alignment exists.  The block is zeroed.
 */
int vs_arena_alloc(struct vs_arena *a, uint64_t len, uint64_t align, uint64_t *gpa)
{
	if (len == 0 || (align & (align - 1)) != 0)
		return -EINVAL;
	if (align < GRANULE)
		align = GRANULE;
	if (len > a->regions[0].size || align > a->regions[0].size)
		return -ENOMEM;
	uint64_t n = (len + GRANULE - 1) / GRANULE;
	uint64_t ag = align / GRANULE;
	uint64_t cur = a->cursor < a->ngran ? a->cursor : 0;
	uint64_t g = arena_search(a, cur, a->ngran, n, ag);

	if (g == a->ngran) {
		/* Wrap: a run that starts before the cursor ends by cur+n-1. */
		uint64_t lim = cur + n - 1 < a->ngran ? cur + n - 1 : a->ngran;

		g = arena_search(a, 0, lim, n, ag);
		if (g == lim)
			return -ENOMEM;
	}
	bits_set(a->used, g, n, 1);
	bits_set(a->start, g, 1, 1);
	if (g < a->zero_from) /* only what may have been written needs zeroing */
		memset(a->regions[0].host + g * GRANULE, 0,
		       (size_t)(((g + n < a->zero_from ? g + n : a->zero_from) - g) * GRANULE));
	if (g + n > a->zero_from)
		a->zero_from = g + n;
	a->cursor = g + n;
	a->allocated += n * GRANULE;
	*gpa = g * GRANULE;
	return 0;
}

int vs_arena_free(struct vs_arena *a, uint64_t gpa)
{
	if (gpa % GRANULE != 0 || gpa >= a->regions[0].size)
		return -EINVAL;
	uint64_t g = gpa / GRANULE;

	if (!bit_get(a->start, g))
		return -EINVAL;
	uint64_t n = block_end(a, g) - g;

	bits_set(a->used, g, n, 0);
	bits_set(a->start, g, 1, 0);
	a->allocated -= n * GRANULE;
	/* Freeing the block just handed out (kmalloc/kfree of a short-lived
	 * indirect table) rewinds the cursor, so the next allocation reuses
	 * the same, cache-hot memory instead of marching through the arena. */
	if (a->cursor == g + n)
		a->cursor = g;
	return 0;
}

uint64_t vs_arena_allocated(const struct vs_arena *a)
{
	return a->allocated;
}

uint8_t *vs_arena_base(struct vs_arena *a)
{
	return a->regions[0].host;
}
