/*
 * check_arena.c - core/arena: regions and translate bounds (edges,
 * overflow near UINT64_MAX, zero length), read/write and taps, and the
 * guest allocator against a shadow model under a seeded random sequence.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/prng.h"

#define MIB (1024u * 1024u)
#define TOP_PAGE (UINT64_MAX - (VS_PAGE_SIZE - 1)) /* 0xffff_ffff_ffff_f000 */

static struct vs_arena *a;

/* Whole-range checks, asserted once: Check writes to a pipe on every
 * assertion, so asserting per byte would make these tests crawl. */
static int mem_all(const uint8_t *m, uint64_t len, uint8_t val)
{
	for (uint64_t i = 0; i < len; i++)
		if (m[i] != val)
			return 0;
	return 1;
}

/* For hot loops: reaches Check (and its pipe) only when it fails. */
#define QUIET(expr)                                                              \
	do {                                                                     \
		if (!(expr))                                                     \
			ck_abort_msg("%s:%d: assertion '%s' failed", __FILE__,    \
				     __LINE__, #expr);                           \
	} while (0)

static int owners_all(const uint16_t *o, uint64_t from, uint64_t to, uint16_t val)
{
	for (uint64_t k = from; k < to; k++)
		if (o[k] != val)
			return 0;
	return 1;
}

static void setup(void)
{
	ck_assert_int_eq(vs_arena_create(MIB, &a), 0);
}

static void teardown(void)
{
	vs_arena_destroy(a);
	a = NULL;
}

/* ---- Regions ---- */

START_TEST(create_rules)
{
	struct vs_arena *b = NULL;

	ck_assert_int_eq(vs_arena_create(0, &b), -EINVAL);
	ck_assert_int_eq(vs_arena_create(VS_PAGE_SIZE - 1, &b), -EINVAL);
	ck_assert_int_eq(vs_arena_create(VS_PAGE_SIZE + 16, &b), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(vs_arena_create(VS_PAGE_SIZE, &b), 0);
	ck_assert_uint_eq(vs_arena_size(b), VS_PAGE_SIZE);
	vs_arena_destroy(b);
	vs_arena_destroy(NULL);
	ck_assert_uint_eq(vs_arena_size(a), MIB);
	ck_assert_ptr_nonnull(vs_arena_base(a));
	ck_assert_uint_eq(vs_arena_allocated(a), 0);
}
END_TEST

START_TEST(translate_first_region_edges)
{
	uint8_t *base = vs_arena_base(a);

	ck_assert_ptr_eq(vs_arena_translate(a, 0, 1), base);
	ck_assert_ptr_eq(vs_arena_translate(a, 0, MIB), base);
	ck_assert_ptr_eq(vs_arena_translate(a, MIB - 1, 1), base + MIB - 1);
	ck_assert_ptr_eq(vs_arena_translate(a, 100, MIB - 100), base + 100);
	ck_assert_ptr_null(vs_arena_translate(a, 0, MIB + 1));
	ck_assert_ptr_null(vs_arena_translate(a, MIB - 1, 2));
	ck_assert_ptr_null(vs_arena_translate(a, MIB, 1));
	ck_assert_ptr_null(vs_arena_translate(a, 101, MIB - 100));
	ck_assert_ptr_null(vs_arena_translate(NULL, 0, 1));
}
END_TEST

START_TEST(translate_zero_len)
{
	ck_assert_ptr_null(vs_arena_translate(a, 0, 0));
	ck_assert_ptr_null(vs_arena_translate(a, 4096, 0));
	ck_assert_ptr_null(vs_arena_translate(a, MIB, 0));
}
END_TEST

/* (gpa, len) pairs whose sum wraps or exceeds RAM: all NULL, no crash. */
static const struct { uint64_t gpa, len; } hostile[] = {
	{ UINT64_MAX, 1 },
	{ UINT64_MAX, 2 },
	{ UINT64_MAX, UINT64_MAX },
	{ 16, UINT64_MAX },
	{ 0, UINT64_MAX },
	{ 1, UINT64_MAX },
	{ MIB - 1, UINT64_MAX },
	{ UINT64_MAX - MIB + 1, MIB },
	{ (uint64_t)1 << 63, (uint64_t)1 << 63 },
	{ 0x1000, UINT64_MAX - 0xfff },
	{ 0x1000, UINT64_MAX - 0xffe },
};

START_TEST(translate_hostile)
{
	ck_assert_ptr_null(vs_arena_translate(a, hostile[_i].gpa, hostile[_i].len));
}
END_TEST

START_TEST(region_at_top_of_space)
{
	uint8_t *p;

	ck_assert_int_eq(vs_arena_add_region(a, TOP_PAGE, VS_PAGE_SIZE), 0);
	p = vs_arena_translate(a, TOP_PAGE, VS_PAGE_SIZE);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(vs_arena_translate(a, UINT64_MAX, 1), p + VS_PAGE_SIZE - 1);
	ck_assert_ptr_null(vs_arena_translate(a, UINT64_MAX, 2));
	ck_assert_ptr_null(vs_arena_translate(a, TOP_PAGE, VS_PAGE_SIZE + 1));
	ck_assert_ptr_null(vs_arena_translate(a, TOP_PAGE - 1, 2));
	for (unsigned i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		void *q = vs_arena_translate(a, hostile[i].gpa, hostile[i].len);

		if (hostile[i].gpa == UINT64_MAX && hostile[i].len == 1)
			ck_assert_ptr_eq(q, p + VS_PAGE_SIZE - 1);
		else
			ck_assert_ptr_null(q);
	}
}
END_TEST

START_TEST(add_region_rules)
{
	ck_assert_int_eq(vs_arena_add_region(a, 0, VS_PAGE_SIZE), -EEXIST);
	ck_assert_int_eq(vs_arena_add_region(a, MIB - VS_PAGE_SIZE, 2 * VS_PAGE_SIZE), -EEXIST);
	ck_assert_int_eq(vs_arena_add_region(a, 0x10000, VS_PAGE_SIZE), -EEXIST);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB, 0), -EINVAL);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB + 16, VS_PAGE_SIZE), -EINVAL);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB, VS_PAGE_SIZE + 1), -EINVAL);
	ck_assert_int_eq(vs_arena_add_region(a, TOP_PAGE, 2 * VS_PAGE_SIZE), -EINVAL);
	/* Adjacent to the first region: fine. */
	ck_assert_int_eq(vs_arena_add_region(a, MIB, VS_PAGE_SIZE), 0);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB, 2 * VS_PAGE_SIZE), 0);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB + VS_PAGE_SIZE, VS_PAGE_SIZE), -EEXIST);
	ck_assert_int_eq(vs_arena_add_region(a, 4 * MIB - VS_PAGE_SIZE, 2 * VS_PAGE_SIZE),
			 -EEXIST);
	ck_assert_int_eq(vs_arena_add_region(a, 3 * MIB, 4 * MIB), -EEXIST);
	/* The size of the arena stays the first region's. */
	ck_assert_uint_eq(vs_arena_size(a), MIB);
}
END_TEST

START_TEST(add_region_until_full)
{
	unsigned n = 1;
	int r;

	while ((r = vs_arena_add_region(a, (uint64_t)(n + 1) * MIB, VS_PAGE_SIZE)) == 0)
		n++;
	ck_assert_int_eq(r, -ENOSPC);
	ck_assert_uint_eq(n, 8);
}
END_TEST

START_TEST(ranges_do_not_span_regions)
{
	uint8_t *r1;

	ck_assert_int_eq(vs_arena_add_region(a, MIB, VS_PAGE_SIZE), 0);
	r1 = vs_arena_translate(a, MIB, VS_PAGE_SIZE);
	ck_assert_ptr_nonnull(r1);
	/* Separate host mappings: neighbours in GPA need not be on the host. */
	ck_assert_ptr_nonnull(vs_arena_translate(a, MIB - 8, 8));
	ck_assert_ptr_null(vs_arena_translate(a, MIB - 8, 16));
	ck_assert_ptr_null(vs_arena_translate(a, MIB + VS_PAGE_SIZE - 8, 16));
	ck_assert_ptr_eq(vs_arena_translate(a, MIB + 8, 8), r1 + 8);
	/* Hole between regions. */
	ck_assert_int_eq(vs_arena_add_region(a, 2 * MIB, VS_PAGE_SIZE), 0);
	ck_assert_ptr_null(vs_arena_translate(a, MIB + VS_PAGE_SIZE, 1));
	ck_assert_ptr_null(vs_arena_translate(a, 2 * MIB - 1, 1));
	ck_assert_ptr_nonnull(vs_arena_translate(a, 2 * MIB, 1));
}
END_TEST

/* ---- Read/write and taps ---- */

struct tap_rec {
	struct vs_arena_access acc;
	uint8_t first_byte; /* guest memory at acc.gpa when the tap ran */
	void *opaque;
};
static struct tap_rec recs[16];
static unsigned nrecs;

static void tap(void *opaque, const struct vs_arena_access *acc)
{
	ck_assert_uint_lt(nrecs, 16);
	recs[nrecs].acc = *acc;
	recs[nrecs].opaque = opaque;
	recs[nrecs].first_byte = *(uint8_t *)vs_arena_translate(a, acc->gpa, 1);
	nrecs++;
}

START_TEST(read_write_roundtrip)
{
	uint8_t src[64], dst[64];

	for (unsigned i = 0; i < 64; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, 0x2000, src, 64), 0);
	ck_assert_mem_eq(vs_arena_base(a) + 0x2000, src, 64);
	memset(dst, 0, sizeof(dst));
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, 0x2000, dst, 64), 0);
	ck_assert_mem_eq(dst, src, 64);
	/* Last bytes of RAM. */
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, MIB - 64, src, 64), 0);
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, MIB - 64, dst, 64), 0);
	ck_assert_mem_eq(dst, src, 64);
}
END_TEST

START_TEST(read_write_out_of_range)
{
	uint8_t buf[16];

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(vs_arena_add_tap(a, tap, NULL), 0);
	nrecs = 0;
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, MIB - 8, buf, 16), -EFAULT);
	ck_assert_uint_eq(buf[0], 0x5a); /* nothing copied */
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, UINT64_MAX, buf, 2), -EFAULT);
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, MIB - 8, buf, 16), -EFAULT);
	ck_assert_uint_eq(vs_arena_base(a)[MIB - 8], 0); /* nothing copied */
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, UINT64_MAX - 7, buf, 16), -EFAULT);
	ck_assert_uint_eq(nrecs, 0); /* failed accesses are not tapped */
	/* Zero length: succeeds, copies nothing, not tapped. */
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, UINT64_MAX, buf, 0), 0);
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, 0x3000, buf, 0), 0);
	ck_assert_uint_eq(vs_arena_base(a)[0x3000], 0);
	ck_assert_uint_eq(nrecs, 0);
}
END_TEST

START_TEST(taps_see_accesses)
{
	uint8_t v = 0xab, got = 0;
	int o1, o2;

	nrecs = 0;
	vs_arena_base(a)[0x5000] = 0x11;
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o1), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o2), 0);
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, 0x5000, &v, 1), 0);
	ck_assert_uint_eq(nrecs, 2);
	ck_assert_ptr_eq(recs[0].opaque, &o1);
	ck_assert_ptr_eq(recs[1].opaque, &o2);
	ck_assert_int_eq(recs[0].acc.side, VS_SIDE_DEVICE);
	ck_assert_int_eq(recs[0].acc.is_write, 1);
	ck_assert_uint_eq(recs[0].acc.gpa, 0x5000);
	ck_assert_uint_eq(recs[0].acc.len, 1);
	ck_assert_uint_eq(recs[0].first_byte, 0x11); /* tapped before the copy */
	ck_assert_uint_eq(vs_arena_base(a)[0x5000], 0xab);

	vs_arena_remove_tap(a, tap, &o1);
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_HARNESS, 0x5000, &got, 1), 0);
	ck_assert_uint_eq(got, 0xab);
	ck_assert_uint_eq(nrecs, 3);
	ck_assert_ptr_eq(recs[2].opaque, &o2);
	ck_assert_int_eq(recs[2].acc.side, VS_SIDE_HARNESS);
	ck_assert_int_eq(recs[2].acc.is_write, 0);
	ck_assert_uint_eq(recs[2].acc.gpa, 0x5000);

	/* translate and the driver's own stores are not tapped. */
	*(uint8_t *)vs_arena_translate(a, 0x5000, 1) = 1;
	ck_assert_uint_eq(nrecs, 3);
}
END_TEST

START_TEST(tap_limits)
{
	int o[VS_ARENA_MAX_TAPS + 1];

	ck_assert_int_eq(vs_arena_add_tap(a, NULL, NULL), -EINVAL);
	for (unsigned i = 0; i < VS_ARENA_MAX_TAPS; i++)
		ck_assert_int_eq(vs_arena_add_tap(a, tap, &o[i]), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o[VS_ARENA_MAX_TAPS]), -ENOSPC);
	vs_arena_remove_tap(a, tap, &o[VS_ARENA_MAX_TAPS]); /* not added: no-op */
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o[VS_ARENA_MAX_TAPS]), -ENOSPC);
	vs_arena_remove_tap(a, tap, &o[2]);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o[VS_ARENA_MAX_TAPS]), 0);
}
END_TEST

/* A tap that, on its first call, removes the tap named by *opaque and
 * adds a new one: delivery must stay safe and in order. */
static int o_self, o_other, o_late;
static unsigned churn_calls;

static void churn_tap(void *opaque, const struct vs_arena_access *acc)
{
	churn_calls++;
	if (churn_calls == 1) {
		vs_arena_remove_tap(a, tap, &o_other);   /* not called yet this access */
		vs_arena_remove_tap(a, churn_tap, opaque); /* itself */
		ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_late), 0);
	}
	(void)acc;
}

START_TEST(taps_change_during_delivery)
{
	uint8_t v = 1;

	nrecs = 0;
	churn_calls = 0;
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_self), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, churn_tap, &o_self), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_other), 0);
	ck_assert_int_eq(vs_arena_write(a, VS_SIDE_DEVICE, 0x6000, &v, 1), 0);
	/* this access: the first tap, the churner; o_other was removed before
	 * its turn and o_late was added after the loop's end */
	ck_assert_uint_eq(churn_calls, 1);
	ck_assert_uint_eq(nrecs, 1);
	ck_assert_ptr_eq(recs[0].opaque, &o_self);
	/* next access: the survivors in the order added */
	ck_assert_int_eq(vs_arena_read(a, VS_SIDE_DEVICE, 0x6000, &v, 1), 0);
	ck_assert_uint_eq(churn_calls, 1);
	ck_assert_uint_eq(nrecs, 3);
	ck_assert_ptr_eq(recs[1].opaque, &o_self);
	ck_assert_ptr_eq(recs[2].opaque, &o_late);
	/* the holes were closed: the table has room for two more */
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_other), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_other), 0);
	ck_assert_int_eq(vs_arena_add_tap(a, tap, &o_other), -ENOSPC);
}
END_TEST

/* ---- Allocator ---- */

START_TEST(alloc_basics)
{
	uint64_t g1, g2, g3;

	ck_assert_int_eq(vs_arena_alloc(a, 1, 16, &g1), 0);
	ck_assert_uint_eq(g1, VS_PAGE_SIZE); /* first page is reserved */
	ck_assert_uint_eq(vs_arena_allocated(a), 16);
	ck_assert_int_eq(vs_arena_alloc(a, 17, 16, &g2), 0);
	ck_assert_uint_eq(g2, VS_PAGE_SIZE + 16);
	ck_assert_uint_eq(vs_arena_allocated(a), 48);
	ck_assert_int_eq(vs_arena_alloc(a, 16, 16, &g3), 0);
	ck_assert_uint_eq(g3, VS_PAGE_SIZE + 48);
	/* Freeing the middle block frees exactly its 32 bytes, not its
	 * live neighbour's. */
	ck_assert_int_eq(vs_arena_free(a, g2), 0);
	ck_assert_uint_eq(vs_arena_allocated(a), 32);
	ck_assert_int_eq(vs_arena_free(a, g1), 0);
	ck_assert_int_eq(vs_arena_free(a, g3), 0);
	ck_assert_uint_eq(vs_arena_allocated(a), 0);
}
END_TEST

START_TEST(alloc_bad_args)
{
	uint64_t g = 77;

	ck_assert_int_eq(vs_arena_alloc(a, 0, 16, &g), -EINVAL);
	ck_assert_int_eq(vs_arena_alloc(a, 8, 24, &g), -EINVAL);
	ck_assert_int_eq(vs_arena_alloc(a, 8, 48, &g), -EINVAL);
	ck_assert_int_eq(vs_arena_alloc(a, 8, UINT64_MAX, &g), -EINVAL);
	ck_assert_int_eq(vs_arena_alloc(a, UINT64_MAX, 16, &g), -ENOMEM);
	ck_assert_int_eq(vs_arena_alloc(a, 8, (uint64_t)1 << 63, &g), -ENOMEM);
	ck_assert_uint_eq(g, 77);
	ck_assert_uint_eq(vs_arena_allocated(a), 0);
	/* Small alignments are raised to the minimum. */
	ck_assert_int_eq(vs_arena_alloc(a, 8, 1, &g), 0);
	ck_assert_uint_eq(g % VS_ARENA_MIN_ALIGN, 0);
	ck_assert_int_eq(vs_arena_free(a, g), 0);
	ck_assert_int_eq(vs_arena_alloc(a, 8, 0, &g), 0);
	ck_assert_uint_eq(g % VS_ARENA_MIN_ALIGN, 0);
	ck_assert_int_eq(vs_arena_free(a, g), 0);
}
END_TEST

START_TEST(alloc_alignment)
{
	uint64_t g, pad;

	ck_assert_int_eq(vs_arena_alloc(a, 16, 16, &pad), 0);
	for (uint64_t al = 16; al <= 64 * 1024; al <<= 1) {
		ck_assert_int_eq(vs_arena_alloc(a, 24, al, &g), 0);
		ck_assert_uint_eq(g % al, 0);
		ck_assert_uint_ne(g, 0);
	}
}
END_TEST

START_TEST(alloc_zeroed)
{
	struct vs_prng p;
	uint64_t g[64];

	/* Dirty all of it the way a device or the harness can: through
	 * translate (guest code writes only inside its own blocks). */
	memset(vs_arena_translate(a, 0, MIB), 0xaa, MIB);
	vs_prng_seed(&p, 9);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 64; i++) {
			uint64_t len = 1 + vs_prng_below(&p, 3000);

			ck_assert_int_eq(vs_arena_alloc(a, len, 16, &g[i]), 0);
			ck_assert(mem_all(vs_arena_base(a) + g[i], len, 0));
			memset(vs_arena_base(a) + g[i], 0xcc, len);
		}
		for (unsigned i = 0; i < 64; i++)
			ck_assert_int_eq(vs_arena_free(a, g[i]), 0);
	}
	/* The reserved first page is never touched by the allocator. */
	ck_assert_uint_eq(vs_arena_base(a)[0], 0xaa);
	ck_assert_uint_eq(vs_arena_base(a)[VS_PAGE_SIZE - 1], 0xaa);
}
END_TEST

/* A machine's RAM comes back all zero, although the arena before it (the
 * same size: its mapping is reused) was written all over: by the device
 * side through translate, by guest code inside its blocks. */
START_TEST(new_arena_zeroed_after_reuse)
{
	struct vs_arena *b;
	uint64_t g, gb;

	ck_assert_int_eq(vs_arena_alloc(a, 3000, 16, &g), 0);
	memset(vs_arena_base(a) + g, 0x5a, 3000);
	memset(vs_arena_translate(a, MIB / 2, 4096), 0x77, 4096);
	memset(vs_arena_translate(a, MIB - 16, 16), 0x66, 16);
	vs_arena_destroy(a);
	ck_assert_int_eq(vs_arena_create(MIB, &a), 0);
	ck_assert(mem_all(vs_arena_translate(a, 0, MIB), MIB, 0));
	/* Two at once: the second gets a mapping of its own. */
	ck_assert_int_eq(vs_arena_create(MIB, &b), 0);
	ck_assert_int_eq(vs_arena_alloc(b, 100, 16, &gb), 0);
	ck_assert(mem_all(vs_arena_base(b) + gb, 100, 0));
	ck_assert(vs_arena_base(b) != vs_arena_base(a));
	vs_arena_destroy(b);
}
END_TEST

START_TEST(free_rejects_bad_pointers)
{
	uint64_t g;

	ck_assert_int_eq(vs_arena_alloc(a, 64, 16, &g), 0);
	ck_assert_int_eq(vs_arena_free(a, 0), -EINVAL);
	ck_assert_int_eq(vs_arena_free(a, 16), -EINVAL);       /* reserved page */
	ck_assert_int_eq(vs_arena_free(a, g + 16), -EINVAL);   /* interior */
	ck_assert_int_eq(vs_arena_free(a, g + 1), -EINVAL);    /* unaligned */
	ck_assert_int_eq(vs_arena_free(a, g + 64), -EINVAL);   /* past the end */
	ck_assert_int_eq(vs_arena_free(a, MIB), -EINVAL);
	ck_assert_int_eq(vs_arena_free(a, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(vs_arena_free(a, UINT64_MAX & ~15ull), -EINVAL);
	ck_assert_uint_eq(vs_arena_allocated(a), 64);
	ck_assert_int_eq(vs_arena_free(a, g), 0);
	ck_assert_int_eq(vs_arena_free(a, g), -EINVAL);        /* double free */
	ck_assert_uint_eq(vs_arena_allocated(a), 0);
}
END_TEST

START_TEST(memory_of_added_regions_not_allocated)
{
	uint64_t g;

	ck_assert_int_eq(vs_arena_add_region(a, 2 * MIB, MIB), 0);
	for (unsigned i = 0; i < 100; i++) {
		ck_assert_int_eq(vs_arena_alloc(a, 8 * 1024, 16, &g), 0);
		ck_assert_uint_lt(g, MIB);
	}
	ck_assert_int_eq(vs_arena_alloc(a, MIB, 16, &g), -ENOMEM);
	ck_assert_int_eq(vs_arena_free(a, 2 * MIB), -EINVAL);
}
END_TEST

START_TEST(exhaustion)
{
	struct vs_arena *s;
	const uint64_t avail = 15 * VS_PAGE_SIZE;
	uint64_t g, h;

	ck_assert_int_eq(vs_arena_create(16 * VS_PAGE_SIZE, &s), 0);
	ck_assert_int_eq(vs_arena_alloc(s, avail + 1, 16, &g), -ENOMEM);
	ck_assert_int_eq(vs_arena_alloc(s, avail, 16, &g), 0);
	ck_assert_uint_eq(g, VS_PAGE_SIZE);
	ck_assert_uint_eq(vs_arena_allocated(s), avail);
	ck_assert_int_eq(vs_arena_alloc(s, 1, 16, &h), -ENOMEM);
	ck_assert_int_eq(vs_arena_free(s, g), 0);
	/* Cursor at the end with the only hole below it: the search wraps. */
	ck_assert_int_eq(vs_arena_alloc(s, 32, 16, &g), 0);
	ck_assert_int_eq(vs_arena_alloc(s, avail - 32, 16, &h), 0);
	ck_assert_uint_eq(h, VS_PAGE_SIZE + 32);
	ck_assert_int_eq(vs_arena_free(s, g), 0);
	ck_assert_int_eq(vs_arena_alloc(s, 48, 16, &g), -ENOMEM);
	ck_assert_int_eq(vs_arena_alloc(s, 16, 16, &g), 0);
	ck_assert_uint_eq(g, VS_PAGE_SIZE);
	ck_assert_int_eq(vs_arena_alloc(s, 16, 16, &g), 0);
	ck_assert_uint_eq(g, VS_PAGE_SIZE + 16);
	ck_assert_int_eq(vs_arena_free(s, VS_PAGE_SIZE), 0);
	ck_assert_int_eq(vs_arena_free(s, g), 0);
	ck_assert_int_eq(vs_arena_free(s, h), 0);
	ck_assert_uint_eq(vs_arena_allocated(s), 0);
	/* Fragmentation: 16-byte holes everywhere, no 32-byte run. */
	uint64_t n = avail / 16;
	uint64_t *blk = calloc(n, sizeof(*blk));

	ck_assert_ptr_nonnull(blk);
	for (uint64_t i = 0; i < n; i++)
		ck_assert_int_eq(vs_arena_alloc(s, 16, 16, &blk[i]), 0);
	ck_assert_int_eq(vs_arena_alloc(s, 16, 16, &h), -ENOMEM);
	/* Free every block at 16 mod 32 (which index that is depends on where
	 * the cursor stood). */
	for (uint64_t i = 0; i < n; i++)
		if (blk[i] % 32 == 16)
			ck_assert_int_eq(vs_arena_free(s, blk[i]), 0);
	ck_assert_uint_eq(vs_arena_allocated(s), avail / 2);
	ck_assert_int_eq(vs_arena_alloc(s, 32, 16, &h), -ENOMEM);
	ck_assert_int_eq(vs_arena_alloc(s, 16, 32, &h), -ENOMEM); /* all holes at 16 mod 32 */
	ck_assert_int_eq(vs_arena_alloc(s, 16, 16, &h), 0);
	ck_assert_uint_eq(h % 32, 16);
	for (uint64_t i = 0; i < n; i++)
		if (blk[i] % 32 == 0)
			ck_assert_int_eq(vs_arena_free(s, blk[i]), 0);
	ck_assert_int_eq(vs_arena_free(s, h), 0);
	ck_assert_uint_eq(vs_arena_allocated(s), 0);
	free(blk);
	vs_arena_destroy(s);
}
END_TEST

START_TEST(alloc_free_hammer)
{
	uint64_t g, keep;
	unsigned moved = 0, failed = 0;

	/* The indirect-table pattern: allocate, free, again, many times.  The
	 * cursor rewinds when the newest block is freed, so the same block
	 * comes back every time. */
	for (unsigned i = 0; i < 100000; i++) {
		failed += vs_arena_alloc(a, 16 * 8, 16, &g) != 0;
		moved += g != VS_PAGE_SIZE;
		failed += vs_arena_free(a, g) != 0;
	}
	ck_assert_uint_eq(failed, 0);
	ck_assert_uint_eq(moved, 0);
	/* With a long-lived block below, the pairs reuse the block above it. */
	ck_assert_int_eq(vs_arena_alloc(a, 100, 16, &keep), 0);
	ck_assert_uint_eq(keep, VS_PAGE_SIZE);
	for (unsigned i = 0; i < 100000; i++) {
		failed += vs_arena_alloc(a, 16 * 8, 16, &g) != 0;
		moved += g != VS_PAGE_SIZE + 112;
		failed += vs_arena_free(a, g) != 0;
	}
	ck_assert_uint_eq(failed, 0);
	ck_assert_uint_eq(moved, 0);
	ck_assert_uint_eq(vs_arena_allocated(a), 112);
	ck_assert_int_eq(vs_arena_free(a, keep), 0);
	ck_assert_uint_eq(vs_arena_allocated(a), 0);
}
END_TEST

/*
 * Random alloc/free against a shadow: a granule map of who owns what, each
 * live block filled with its own tag.  Checks alignment, range, zeroing, no
 * overlap (the shadow map and the tags), allocated() accounting, bad frees,
 * and that -ENOMEM happens only when the shadow has no fitting run.
 */
#define SH_SIZE (256u * 1024u)
#define SH_GRAN (SH_SIZE / 16u)
#define SH_MAX 4096

struct sh_block {
	uint64_t gpa, len, rounded;
	uint8_t tag;
};

static int shadow_fits(const uint16_t *owner, uint64_t n, uint64_t ag)
{
	for (uint64_t g = 0; g + n <= SH_GRAN; g += ag) {
		uint64_t k = 0;

		while (k < n && owner[g + k] == 0)
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

START_TEST(alloc_matches_shadow)
{
	struct vs_arena *s;
	struct vs_prng p;
	static struct sh_block live[SH_MAX];
	static uint16_t owner[SH_GRAN]; /* 0 free, 0xffff reserved, else slot+1 */
	unsigned nlive = 0, nomem = 0, ops = 0;
	uint64_t bytes = 0;

	ck_assert_int_eq(vs_arena_create(SH_SIZE, &s), 0);
	memset(owner, 0, sizeof(owner));
	for (unsigned i = 0; i < VS_PAGE_SIZE / 16; i++)
		owner[i] = 0xffff;
	vs_prng_seed(&p, _i + 1);
	for (ops = 0; ops < 20000; ops++) {
		uint8_t *base = vs_arena_base(s);

		if (nlive == 0 || (nlive < SH_MAX && vs_prng_chance(&p, 11, 20))) {
			uint64_t len = vs_prng_chance(&p, 1, 10) ? 1 + vs_prng_below(&p, 16384)
								 : 1 + vs_prng_below(&p, 600);
			uint64_t align = 16ull << vs_prng_below(&p, vs_prng_chance(&p, 1, 8) ? 9 : 3);
			uint64_t rounded = (len + 15) & ~15ull;
			uint64_t g;
			int r = vs_arena_alloc(s, len, align, &g);

			if (r == -ENOMEM) {
				QUIET((shadow_fits(owner, rounded / 16, align / 16)) == (0));
				nomem++;
				continue;
			}
			QUIET((r) == (0));
			QUIET((g % align) == (0));
			QUIET((g) >= (VS_PAGE_SIZE));
			QUIET((g + rounded) <= (SH_SIZE));
			QUIET(owners_all(owner, g / 16, (g + rounded) / 16, 0));
			QUIET(mem_all(base + g, rounded, 0));
			struct sh_block *b = &live[nlive];

			b->gpa = g;
			b->len = len;
			b->rounded = rounded;
			b->tag = (uint8_t)(1 + vs_prng_below(&p, 255));
			memset(base + g, b->tag, rounded);
			nlive++;
			for (uint64_t k = g / 16; k < (g + rounded) / 16; k++)
				owner[k] = (uint16_t)nlive;
			bytes += rounded;
		} else {
			unsigned i = (unsigned)vs_prng_below(&p, nlive);
			struct sh_block *b = &live[i];

			if (b->rounded > 16 && vs_prng_chance(&p, 1, 10))
				QUIET((vs_arena_free(s, b->gpa + 16)) == (-EINVAL));
			QUIET(mem_all(base + b->gpa, b->rounded, b->tag));
			QUIET((vs_arena_free(s, b->gpa)) == (0));
			if (vs_prng_chance(&p, 1, 10))
				QUIET((vs_arena_free(s, b->gpa)) == (-EINVAL));
			for (uint64_t k = b->gpa / 16; k < (b->gpa + b->rounded) / 16; k++)
				owner[k] = 0;
			bytes -= b->rounded;
			/* Move the last block into slot i and renumber its granules. */
			nlive--;
			if (i != nlive) {
				live[i] = live[nlive];
				for (uint64_t k = live[i].gpa / 16;
				     k < (live[i].gpa + live[i].rounded) / 16; k++)
					owner[k] = (uint16_t)(i + 1);
			}
		}
		QUIET((vs_arena_allocated(s)) == (bytes));
	}
	/* The run must have hit both a full arena and plenty of traffic. */
	ck_assert_uint_gt(nomem, 10);
	ck_assert_uint_gt(nlive, 10);
	while (nlive > 0) {
		nlive--;
		ck_assert_int_eq(vs_arena_free(s, live[nlive].gpa), 0);
	}
	ck_assert_uint_eq(vs_arena_allocated(s), 0);
	vs_arena_destroy(s);
}
END_TEST

static Suite *arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc;

	tc = tcase_create("Regions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_rules);
	tcase_add_test(tc, translate_first_region_edges);
	tcase_add_test(tc, translate_zero_len);
	tcase_add_loop_test(tc, translate_hostile, 0, (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_test(tc, region_at_top_of_space);
	tcase_add_test(tc, add_region_rules);
	tcase_add_test(tc, add_region_until_full);
	tcase_add_test(tc, ranges_do_not_span_regions);
	suite_add_tcase(s, tc);

	tc = tcase_create("Access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_write_roundtrip);
	tcase_add_test(tc, read_write_out_of_range);
	tcase_add_test(tc, taps_see_accesses);
	tcase_add_test(tc, tap_limits);
	tcase_add_test(tc, taps_change_during_delivery);
	suite_add_tcase(s, tc);

	tc = tcase_create("Alloc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, alloc_basics);
	tcase_add_test(tc, alloc_bad_args);
	tcase_add_test(tc, alloc_alignment);
	tcase_add_test(tc, alloc_zeroed);
	tcase_add_test(tc, new_arena_zeroed_after_reuse);
	tcase_add_test(tc, free_rejects_bad_pointers);
	tcase_add_test(tc, memory_of_added_regions_not_allocated);
	tcase_add_test(tc, exhaustion);
	tcase_add_test(tc, alloc_free_hammer);
	suite_add_tcase(s, tc);

	tc = tcase_create("Shadow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, alloc_matches_shadow, 0, 3);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(arena_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
