/*
 * bus.c - the register address space.
 *
 * Regions are kept in an array sorted by base and found by binary search:
 * every register access of the driver goes through here (several per
 * request), mapping happens a few times per device.  VS_BUS_MAX_REGIONS
 * bounds the array; a machine maps a few regions per device.
 *
 * Handlers may map and unmap regions (a PCI BAR write moves a BAR) and taps
 * may remove taps: an access copies what it needs (region, taps) before
 * calling out, so the array may change under it safely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"

#define VS_BUS_MAX_REGIONS 256

struct vs_bus_region {
	uint64_t base;
	uint64_t size;
	const char *name;
	struct vs_bus_region_ops ops; /* copied at map time */
	void *opaque;
};

struct vs_bus_tap {
	vs_bus_tap_fn fn;
	void *opaque;
};

struct vs_bus {
	struct vs_bus_region regions[VS_BUS_MAX_REGIONS]; /* sorted by base */
	unsigned nregions;
	struct vs_bus_tap taps[VS_BUS_MAX_TAPS];
	unsigned ntaps;
};

int vs_bus_create(struct vs_bus **out)
{
	struct vs_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return -ENOMEM;
	*out = bus;
	return 0;
}

void vs_bus_destroy(struct vs_bus *bus)
{
	free(bus);
}

/* Index of the first region whose base is > addr (0..nregions). */
static unsigned bus_upper_bound(const struct vs_bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->nregions;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (bus->regions[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vs_bus_map(struct vs_bus *bus, uint64_t base, uint64_t size, const char *name,
	       const struct vs_bus_region_ops *ops, void *opaque)
{
	if (size == 0 || base + size - 1 < base || !ops)
		return -EINVAL;
	uint64_t last = base + size - 1;
	unsigned pos = bus_upper_bound(bus, base);

	/* Overlap with the region before (its end reaches base) or after
	 * (it starts at or before our last byte). */
	if (pos > 0) {
		const struct vs_bus_region *prev = &bus->regions[pos - 1];

		if (prev->base + (prev->size - 1) >= base)
			return -EEXIST;
	}
	if (pos < bus->nregions && bus->regions[pos].base <= last)
		return -EEXIST;
	if (bus->nregions >= VS_BUS_MAX_REGIONS)
		return -ENOSPC;
	memmove(&bus->regions[pos + 1], &bus->regions[pos],
		(bus->nregions - pos) * sizeof(bus->regions[0]));
	struct vs_bus_region *r = &bus->regions[pos];

	r->base = base;
	r->size = size;
	r->name = name;
	r->ops = *ops;
	r->opaque = opaque;
	bus->nregions++;
	return 0;
}

int vs_bus_unmap(struct vs_bus *bus, uint64_t base)
{
	unsigned pos = bus_upper_bound(bus, base);

	if (pos == 0 || bus->regions[pos - 1].base != base)
		return -ENOENT;
	pos--;
	memmove(&bus->regions[pos], &bus->regions[pos + 1],
		(bus->nregions - pos - 1) * sizeof(bus->regions[0]));
	bus->nregions--;
	return 0;
}

/* The region holding all of [addr, addr+width), or NULL. */
static const struct vs_bus_region *bus_find(const struct vs_bus *bus, uint64_t addr,
					    unsigned width)
{
	unsigned pos = bus_upper_bound(bus, addr);

	if (pos == 0)
		return NULL;
	const struct vs_bus_region *r = &bus->regions[pos - 1];
	uint64_t off = addr - r->base;

	if (off >= r->size || width > r->size - off)
		return NULL;
	return r;
}

static int width_ok(unsigned width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

static uint64_t width_mask(unsigned width)
{
	return width >= 8 ? ~0ull : (1ull << (width * 8)) - 1;
}

static void bus_tap(const struct vs_bus *bus, const struct vs_bus_access *acc)
{
	struct vs_bus_tap taps[VS_BUS_MAX_TAPS];
	unsigned n = bus->ntaps;

	for (unsigned i = 0; i < n; i++)
		taps[i] = bus->taps[i];
	for (unsigned i = 0; i < n; i++)
		taps[i].fn(taps[i].opaque, acc);
}

/*
 * The value read is masked to the width.  Bad width: *val = all-ones (64
 * bits), tapped with -EINVAL, returns -EINVAL.  Unmapped or straddling:
 * all-ones for the width, tapped with -ENXIO, returns -ENXIO.  A region
 * without a read handler reads all-ones with status 0 (a write-only
 * register).  A handler error gives all-ones and is passed on.
 */
int vs_bus_read(struct vs_bus *bus, enum vs_side side, uint64_t addr, unsigned width,
		uint64_t *val)
{
	struct vs_bus_access acc = {
		.side = side, .is_write = 0, .width = width, .addr = addr,
	};

	if (!width_ok(width)) {
		acc.val = ~0ull;
		acc.status = -EINVAL;
	} else {
		const struct vs_bus_region *r = bus_find(bus, addr, width);

		acc.val = width_mask(width);
		if (!r) {
			acc.status = -ENXIO;
		} else {
			struct vs_bus_region reg = *r;
			uint64_t v = 0;

			acc.region = reg.name;
			acc.region_opaque = reg.opaque;
			acc.offset = addr - reg.base;
			if (reg.ops.read) {
				acc.status = reg.ops.read(reg.opaque, acc.offset, width, &v);
				if (acc.status == 0)
					acc.val = v & width_mask(width);
			}
		}
	}
	bus_tap(bus, &acc);
	if (val)
		*val = acc.val;
	return acc.status;
}

/*
 * The value is masked to the width before taps and handler see it.  Bad
 * width: -EINVAL, unmapped or straddling: -ENXIO (write dropped); both
 * tapped.  A region without a write handler drops the write (status 0).
 */
int vs_bus_write(struct vs_bus *bus, enum vs_side side, uint64_t addr, unsigned width,
		 uint64_t val)
{
	struct vs_bus_access acc = {
		.side = side, .is_write = 1, .width = width, .addr = addr, .val = val,
	};
	struct vs_bus_region reg;
	int mapped = 0;

	if (!width_ok(width)) {
		acc.status = -EINVAL;
	} else {
		const struct vs_bus_region *r = bus_find(bus, addr, width);

		acc.val = val & width_mask(width);
		if (!r) {
			acc.status = -ENXIO;
		} else {
			reg = *r;
			mapped = 1;
			acc.region = reg.name;
			acc.region_opaque = reg.opaque;
			acc.offset = addr - reg.base;
		}
	}
	/* Tapped before the handler: the monitor sees a kick before the
	 * device acts on it.  The status a tap sees for a mapped write is 0;
	 * the handler's own error only reaches the caller. */
	bus_tap(bus, &acc);
	if (!mapped || !reg.ops.write)
		return acc.status;
	return reg.ops.write(reg.opaque, acc.offset, width, acc.val);
}

/* -EINVAL for a NULL fn, -ENOSPC when VS_BUS_MAX_TAPS are set.  Taps run in
 * the order they were added. */
int vs_bus_add_tap(struct vs_bus *bus, vs_bus_tap_fn fn, void *opaque)
{
	if (!fn)
		return -EINVAL;
	if (bus->ntaps >= VS_BUS_MAX_TAPS)
		return -ENOSPC;
	bus->taps[bus->ntaps].fn = fn;
	bus->taps[bus->ntaps].opaque = opaque;
	bus->ntaps++;
	return 0;
}

void vs_bus_remove_tap(struct vs_bus *bus, vs_bus_tap_fn fn, void *opaque)
{
	for (unsigned i = 0; i < bus->ntaps; i++) {
		if (bus->taps[i].fn != fn || bus->taps[i].opaque != opaque)
			continue;
		for (unsigned j = i + 1; j < bus->ntaps; j++)
			bus->taps[j - 1] = bus->taps[j];
		bus->ntaps--;
		return;
	}
}
