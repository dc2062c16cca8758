/*
 * check_bus.c - core/bus: mapping rules, routing and offsets, widths,
 * unmapped and straddling accesses, tap order and pre/post semantics,
 * unmap, and lookup against a linear-scan shadow under random maps.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/bus.h"
#include "core/prng.h"

static struct vs_bus *bus;

/* A little register file: 64 bytes, little-endian, counts handler calls. */
struct regfile {
	uint8_t mem[64];
	unsigned reads, writes;
	int fail;            /* error the handlers return, 0 for none */
	uint64_t read_extra; /* bits OR'ed above the width on read */
	uint64_t last_off;
	unsigned last_width;
	uint64_t last_val;
};

static int rf_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	struct regfile *rf = opaque;
	uint64_t v = 0;

	rf->reads++;
	rf->last_off = off;
	rf->last_width = width;
	if (rf->fail)
		return rf->fail;
	ck_assert_uint_le(off + width, sizeof(rf->mem));
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)rf->mem[off + i] << (8 * i);
	if (width < 8)
		v |= rf->read_extra << (8 * width);
	*val = v;
	return 0;
}

static int rf_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	struct regfile *rf = opaque;

	rf->writes++;
	rf->last_off = off;
	rf->last_width = width;
	rf->last_val = val;
	if (rf->fail)
		return rf->fail;
	ck_assert_uint_le(off + width, sizeof(rf->mem));
	for (unsigned i = 0; i < width; i++)
		rf->mem[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static const struct vs_bus_region_ops rf_ops = { .read = rf_read, .write = rf_write };
static const struct vs_bus_region_ops no_ops = { 0 };

/* Tap log. */
struct tap_rec {
	char who;
	struct vs_bus_access acc;
	unsigned handler_writes, handler_reads; /* of rf_tapped, when tapped */
};
static struct tap_rec taps[32];
static unsigned ntaps;
static struct regfile *rf_tapped;

static void rec(char who, const struct vs_bus_access *acc)
{
	ck_assert_uint_lt(ntaps, 32);
	taps[ntaps].who = who;
	taps[ntaps].acc = *acc;
	taps[ntaps].handler_writes = rf_tapped ? rf_tapped->writes : 0;
	taps[ntaps].handler_reads = rf_tapped ? rf_tapped->reads : 0;
	ntaps++;
}

static void tap_a(void *opaque, const struct vs_bus_access *acc)
{
	rec('A', acc);
}

static void tap_b(void *opaque, const struct vs_bus_access *acc)
{
	rec('B', acc);
}

static void setup(void)
{
	ntaps = 0;
	rf_tapped = NULL;
	ck_assert_int_eq(vs_bus_create(&bus), 0);
}

static void teardown(void)
{
	vs_bus_destroy(bus);
	bus = NULL;
}

/* ---- Map ---- */

START_TEST(map_overlap_rules)
{
	struct regfile rf = { 0 };

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x100, "a", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x100, "dup", &rf_ops, &rf), -EEXIST);
	ck_assert_int_eq(vs_bus_map(bus, 0x0f80, 0x100, "front", &rf_ops, &rf), -EEXIST);
	ck_assert_int_eq(vs_bus_map(bus, 0x10ff, 0x10, "back", &rf_ops, &rf), -EEXIST);
	ck_assert_int_eq(vs_bus_map(bus, 0x0f00, 0x400, "cover", &rf_ops, &rf), -EEXIST);
	ck_assert_int_eq(vs_bus_map(bus, 0x1040, 0x10, "inside", &rf_ops, &rf), -EEXIST);
	/* Touching ends are fine. */
	ck_assert_int_eq(vs_bus_map(bus, 0x0f00, 0x100, "before", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x1100, 0x100, "after", &rf_ops, &rf), 0);
	/* A hole between two regions that a new one would overrun. */
	ck_assert_int_eq(vs_bus_map(bus, 0x2000, 0x100, "c", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x1200, 0xe01, "hole+1", &rf_ops, &rf), -EEXIST);
	ck_assert_int_eq(vs_bus_map(bus, 0x1200, 0xe00, "hole", &rf_ops, &rf), 0);
}
END_TEST

START_TEST(map_bad_args)
{
	struct regfile rf = { 0 };

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0, "zero", &rf_ops, &rf), -EINVAL);
	ck_assert_int_eq(vs_bus_map(bus, UINT64_MAX - 1, 4, "wrap", &rf_ops, &rf), -EINVAL);
	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 4, "noops", NULL, &rf), -EINVAL);
	/* Ending exactly at the top of the address space is not a wrap. */
	ck_assert_int_eq(vs_bus_map(bus, UINT64_MAX - 0xfff, 0x1000, "top", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_map(bus, UINT64_MAX, 1, "top2", &rf_ops, &rf), -EEXIST);
}
END_TEST

START_TEST(map_until_full)
{
	struct regfile rf = { 0 };
	unsigned n = 0;
	int r;

	while ((r = vs_bus_map(bus, (uint64_t)n * 0x1000, 0x100, "r", &rf_ops, &rf)) == 0)
		n++;
	ck_assert_int_eq(r, -ENOSPC);
	ck_assert_uint_ge(n, 64);
	ck_assert_int_eq(vs_bus_unmap(bus, 0), 0);
	ck_assert_int_eq(vs_bus_map(bus, (uint64_t)n * 0x1000, 0x100, "r", &rf_ops, &rf), 0);
}
END_TEST

START_TEST(unmap_rules)
{
	struct regfile rf = { 0 };
	uint64_t v;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "a", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_unmap(bus, 0x1004), -ENOENT);
	ck_assert_int_eq(vs_bus_unmap(bus, 0x2000), -ENOENT);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, 4, &v), 0);
	ck_assert_int_eq(vs_bus_unmap(bus, 0x1000), 0);
	ck_assert_int_eq(vs_bus_unmap(bus, 0x1000), -ENOENT);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, 4, &v), -ENXIO);
	ck_assert_uint_eq(v, 0xffffffffu);
	ck_assert_uint_eq(rf.reads, 1);
	/* The space is free again. */
	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "a", &rf_ops, &rf), 0);
}
END_TEST

/* ---- Access ---- */

START_TEST(routes_with_offset)
{
	struct regfile r1 = { 0 }, r2 = { 0 };
	uint64_t v;

	ck_assert_int_eq(vs_bus_map(bus, 0x2000, 0x40, "r2", &rf_ops, &r2), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r1", &rf_ops, &r1), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x1008, 4, 0xa1b2c3d4), 0);
	ck_assert_uint_eq(r1.writes, 1);
	ck_assert_uint_eq(r1.last_off, 8);
	ck_assert_uint_eq(r1.last_width, 4);
	ck_assert_uint_eq(r2.writes, 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x2038, 8, 0x1122334455667788ull), 0);
	ck_assert_uint_eq(r2.last_off, 0x38);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1008, 2, &v), 0);
	ck_assert_uint_eq(v, 0xc3d4);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x100b, 1, &v), 0);
	ck_assert_uint_eq(v, 0xa1);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x2038, 8, &v), 0);
	ck_assert_uint_eq(v, 0x1122334455667788ull);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x203c, 4, &v), 0);
	ck_assert_uint_eq(v, 0x11223344);
}
END_TEST

START_TEST(values_masked_to_width)
{
	struct regfile rf = { 0 };
	uint64_t v;

	ck_assert_int_eq(vs_bus_map(bus, 0, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0, 2, 0x1122334455667788ull), 0);
	ck_assert_uint_eq(rf.last_val, 0x7788);
	rf.read_extra = 0xdead;
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0, 2, &v), 0);
	ck_assert_uint_eq(v, 0x7788);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0, 1, &v), 0);
	ck_assert_uint_eq(v, 0x88);
}
END_TEST

static const unsigned bad_widths[] = { 0, 3, 5, 6, 7, 9, 16, 64, UINT32_MAX };

START_TEST(bad_width_einval)
{
	struct regfile rf = { 0 };
	unsigned w = bad_widths[_i];
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, NULL), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, w, &v), -EINVAL);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DEVICE, 0x1000, w, 5), -EINVAL);
	ck_assert_uint_eq(rf.reads, 0);
	ck_assert_uint_eq(rf.writes, 0);
	ck_assert_uint_eq(ntaps, 2);
	ck_assert_int_eq(taps[0].acc.status, -EINVAL);
	ck_assert_uint_eq(taps[0].acc.width, w);
	ck_assert_int_eq(taps[0].acc.is_write, 0);
	ck_assert_int_eq(taps[1].acc.status, -EINVAL);
	ck_assert_int_eq(taps[1].acc.is_write, 1);
	ck_assert_int_eq(taps[1].acc.side, VS_SIDE_DEVICE);
}
END_TEST

START_TEST(unmapped_read_all_ones)
{
	static const struct { unsigned w; uint64_t v; } cases[] = {
		{ 1, 0xff }, { 2, 0xffff }, { 4, 0xffffffffu }, { 8, UINT64_MAX },
	};
	struct regfile rf = { 0 };

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, NULL), 0);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t v = 0;

		ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x5000, cases[i].w, &v), -ENXIO);
		ck_assert_uint_eq(v, cases[i].v);
		ck_assert_int_eq(taps[i].acc.status, -ENXIO);
		ck_assert_ptr_null(taps[i].acc.region);
		ck_assert_ptr_null(taps[i].acc.region_opaque);
		ck_assert_uint_eq(taps[i].acc.val, cases[i].v);
		ck_assert_uint_eq(taps[i].acc.addr, 0x5000);
	}
	/* Below the first region and right after the last one. */
	uint64_t v;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0xffc, 4, &v), -ENXIO);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1040, 1, &v), -ENXIO);
	ck_assert_uint_eq(rf.reads, 0);
}
END_TEST

START_TEST(unmapped_write_dropped)
{
	struct regfile rf = { 0 };

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, NULL), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x0, 4, 0x12345678), -ENXIO);
	ck_assert_uint_eq(rf.writes, 0);
	ck_assert_uint_eq(ntaps, 1);
	ck_assert_int_eq(taps[0].acc.status, -ENXIO);
	ck_assert_int_eq(taps[0].acc.is_write, 1);
	ck_assert_uint_eq(taps[0].acc.val, 0x12345678);
	ck_assert_ptr_null(taps[0].acc.region);
}
END_TEST

START_TEST(straddle_is_unmapped)
{
	struct regfile a = { 0 }, b = { 0 };
	uint64_t v;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x10, "a", &rf_ops, &a), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x1010, 0x10, "b", &rf_ops, &b), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x100e, 2, &v), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x100e, 4, &v), -ENXIO);
	ck_assert_uint_eq(v, 0xffffffffu);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x100c, 8, 1), -ENXIO);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x101c, 8, &v), -ENXIO);
	ck_assert_uint_eq(a.reads, 1);
	ck_assert_uint_eq(a.writes, 0);
	ck_assert_uint_eq(b.reads, 0);
	ck_assert_uint_eq(b.writes, 0);
	/* Top of the address space: no wrap to 0. */
	ck_assert_int_eq(vs_bus_map(bus, 0, 0x10, "zero", &rf_ops, &b), 0);
	ck_assert_int_eq(vs_bus_map(bus, UINT64_MAX - 0xf, 0x10, "top", &rf_ops, &a), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, UINT64_MAX - 1, 4, &v), -ENXIO);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, UINT64_MAX - 3, 4, &v), 0);
	ck_assert_uint_eq(a.last_off, 0xc);
	ck_assert_uint_eq(b.reads, 0);
}
END_TEST

START_TEST(handler_error_passed_on)
{
	struct regfile rf = { .fail = -EIO };
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, NULL), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, 2, &v), -EIO);
	ck_assert_uint_eq(v, 0xffff);
	ck_assert_int_eq(taps[0].acc.status, -EIO);
	ck_assert_uint_eq(taps[0].acc.val, 0xffff);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x1000, 2, 1), -EIO);
	/* Writes are tapped before the handler: status 0 there. */
	ck_assert_int_eq(taps[1].acc.status, 0);
}
END_TEST

START_TEST(missing_handlers)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "r", &no_ops, NULL), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, 4, &v), 0);
	ck_assert_uint_eq(v, 0xffffffffu);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x1000, 4, 1), 0);
}
END_TEST

/* ---- Taps ---- */

START_TEST(tap_fields_and_order)
{
	struct regfile rf = { 0 };
	uint64_t v;

	rf_tapped = &rf;
	ck_assert_int_eq(vs_bus_map(bus, 0x3000, 0x40, "regs", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, NULL), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_b, NULL), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x3010, 4, 0xcafef00d), 0);
	ck_assert_uint_eq(ntaps, 2);
	ck_assert_int_eq(taps[0].who, 'A');
	ck_assert_int_eq(taps[1].who, 'B');
	/* Write taps ran before the handler. */
	ck_assert_uint_eq(taps[0].handler_writes, 0);
	ck_assert_uint_eq(taps[1].handler_writes, 0);
	ck_assert_uint_eq(rf.writes, 1);
	const struct vs_bus_access *w = &taps[0].acc;

	ck_assert_int_eq(w->side, VS_SIDE_DRIVER);
	ck_assert_int_eq(w->is_write, 1);
	ck_assert_uint_eq(w->width, 4);
	ck_assert_uint_eq(w->addr, 0x3010);
	ck_assert_uint_eq(w->val, 0xcafef00d);
	ck_assert_str_eq(w->region, "regs");
	ck_assert_ptr_eq(w->region_opaque, &rf);
	ck_assert_uint_eq(w->offset, 0x10);
	ck_assert_int_eq(w->status, 0);

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_HARNESS, 0x3012, 2, &v), 0);
	ck_assert_uint_eq(v, 0xcafe);
	ck_assert_uint_eq(ntaps, 4);
	ck_assert_int_eq(taps[2].who, 'A');
	ck_assert_int_eq(taps[3].who, 'B');
	/* Read taps ran after the handler and see the value read. */
	ck_assert_uint_eq(taps[2].handler_reads, 1);
	ck_assert_uint_eq(taps[2].acc.val, 0xcafe);
	ck_assert_int_eq(taps[2].acc.is_write, 0);
	ck_assert_int_eq(taps[2].acc.side, VS_SIDE_HARNESS);
	ck_assert_uint_eq(taps[2].acc.offset, 0x12);
}
END_TEST

START_TEST(tap_limits_and_remove)
{
	int o[VS_BUS_MAX_TAPS + 1];
	struct regfile rf = { 0 };

	ck_assert_int_eq(vs_bus_add_tap(bus, NULL, NULL), -EINVAL);
	for (unsigned i = 0; i < VS_BUS_MAX_TAPS; i++)
		ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, &o[i]), 0);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_a, &o[VS_BUS_MAX_TAPS]), -ENOSPC);
	vs_bus_remove_tap(bus, tap_b, &o[0]); /* no match */
	vs_bus_remove_tap(bus, tap_a, &o[0]);
	ck_assert_int_eq(vs_bus_map(bus, 0, 0x40, "r", &rf_ops, &rf), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0, 1, 1), 0);
	ck_assert_uint_eq(ntaps, VS_BUS_MAX_TAPS - 1);
	ck_assert_int_eq(vs_bus_add_tap(bus, tap_b, &o[VS_BUS_MAX_TAPS]), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0, 1, 1), 0);
	ck_assert_uint_eq(ntaps, 2 * VS_BUS_MAX_TAPS - 1);
	ck_assert_int_eq(taps[ntaps - 1].who, 'B');
}
END_TEST

/* A handler that unmaps its own region mid-write (a BAR being moved). */
static int unmapping_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	ck_assert_int_eq(vs_bus_unmap(bus, 0x1000), 0);
	ck_assert_int_eq(vs_bus_map(bus, 0x8000, 0x40, "moved", &no_ops, NULL), 0);
	return 0;
}

static const struct vs_bus_region_ops unmapping_ops = { .write = unmapping_write };

START_TEST(handler_may_remap)
{
	uint64_t v;

	ck_assert_int_eq(vs_bus_map(bus, 0x1000, 0x40, "bar", &unmapping_ops, NULL), 0);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, 0x1000, 4, 1), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x1000, 4, &v), -ENXIO);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, 0x8000, 4, &v), 0);
}
END_TEST

/* ---- Lookup vs shadow ---- */

#define NSHADOW 150
struct shadow_region {
	uint64_t base, size;
	int mapped;
	struct regfile rf;
};
static struct shadow_region shadow[NSHADOW];

static int shadow_find(uint64_t addr, unsigned width)
{
	for (int i = 0; i < NSHADOW; i++) {
		const struct shadow_region *s = &shadow[i];

		if (s->mapped && addr >= s->base && addr - s->base < s->size &&
		    width <= s->size - (addr - s->base))
			return i;
	}
	return -1;
}

static int slot_taken(int n, uint64_t base)
{
	for (int j = 0; j < n; j++)
		if (shadow[j].base == base)
			return 1;
	return 0;
}

START_TEST(lookup_matches_shadow)
{
	struct vs_prng p;
	static const unsigned widths[] = { 1, 2, 4, 8 };

	memset(shadow, 0, sizeof(shadow));
	vs_prng_seed(&p, 2024);
	/* Slots of 0x100 bytes in [0, 0x20000): region i lives in slot k and
	 * covers a random prefix of 8..64 bytes of it; maps are in random order. */
	for (int i = 0; i < NSHADOW; i++) {
		uint64_t slot;

		do {
			slot = vs_prng_below(&p, 0x200);
		} while (slot_taken(i, slot * 0x100));
		shadow[i].base = slot * 0x100;
		shadow[i].size = 8 + vs_prng_below(&p, 57);
		ck_assert_int_eq(vs_bus_map(bus, shadow[i].base, shadow[i].size, "s", &rf_ops,
					    &shadow[i].rf), 0);
		shadow[i].mapped = 1;
	}
	for (int i = 0; i < NSHADOW; i += 3) {
		ck_assert_int_eq(vs_bus_unmap(bus, shadow[i].base), 0);
		shadow[i].mapped = 0;
	}
	for (unsigned n = 0; n < 20000; n++) {
		uint64_t addr = vs_prng_below(&p, 0x20100);
		unsigned w = widths[vs_prng_below(&p, 4)];
		int want = shadow_find(addr, w);
		unsigned before = want >= 0 ? shadow[want].rf.reads : 0;
		uint64_t v;
		int r = vs_bus_read(bus, VS_SIDE_DRIVER, addr, w, &v);

		if (want < 0) {
			ck_assert_int_eq(r, -ENXIO);
		} else {
			ck_assert_int_eq(r, 0);
			ck_assert_uint_eq(shadow[want].rf.reads, before + 1);
			ck_assert_uint_eq(shadow[want].rf.last_off, addr - shadow[want].base);
		}
	}
}
END_TEST

START_TEST(destroy_null)
{
	vs_bus_destroy(NULL);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc;

	tc = tcase_create("Map");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, map_overlap_rules);
	tcase_add_test(tc, map_bad_args);
	tcase_add_test(tc, map_until_full);
	tcase_add_test(tc, unmap_rules);
	tcase_add_test(tc, destroy_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("Access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, routes_with_offset);
	tcase_add_test(tc, values_masked_to_width);
	tcase_add_loop_test(tc, bad_width_einval, 0,
			    (int)(sizeof(bad_widths) / sizeof(bad_widths[0])));
	tcase_add_test(tc, unmapped_read_all_ones);
	tcase_add_test(tc, unmapped_write_dropped);
	tcase_add_test(tc, straddle_is_unmapped);
	tcase_add_test(tc, handler_error_passed_on);
	tcase_add_test(tc, missing_handlers);
	tcase_add_test(tc, handler_may_remap);
	suite_add_tcase(s, tc);

	tc = tcase_create("Taps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tap_fields_and_order);
	tcase_add_test(tc, tap_limits_and_remove);
	suite_add_tcase(s, tc);

	tc = tcase_create("Shadow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lookup_matches_shadow);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
