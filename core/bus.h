/*
 * bus.h - the guest's physical address space for registers.
 *
 * Register files (an MMIO bank, later PCI BARs and config windows) map
 * regions on the bus; the driver reaches them only through vs_bus_read /
 * vs_bus_write with a width of 1, 2, 4 or 8 bytes.  RAM is not on the bus:
 * it is the arena.
 *
 * Taps see every access: side, width, address, value, the region and
 * offset it hit, and whether it hit anything.  A write is tapped before the
 * region's handler runs (the monitor sees the kick before the device acts
 * on it); a read after (the monitor sees the value the driver got).  An
 * access to an unmapped address is not an error of the program: the bus
 * reads all-ones, drops the write, taps it with status -ENXIO and returns
 * -ENXIO.
 */
#ifndef VS_BUS_H
#define VS_BUS_H

#include <stdint.h>

#include "core/side.h"

struct vs_bus;

struct vs_bus_region_ops {
	/* off is relative to the region base; width is 1, 2, 4 or 8.  Return
	 * 0; any negative errno is passed on to the caller (the value read
	 * is then all-ones). */
	int (*read)(void *opaque, uint64_t off, unsigned width, uint64_t *val);
	int (*write)(void *opaque, uint64_t off, unsigned width, uint64_t val);
};

struct vs_bus_access {
	enum vs_side side;
	int is_write;
	unsigned width;
	uint64_t addr;
	uint64_t val;        /* value written, or value read */
	const char *region;  /* name given at map time, NULL when unmapped */
	void *region_opaque; /* opaque given at map time, NULL when unmapped */
	uint64_t offset;     /* addr - region base */
	int status;          /* 0, -ENXIO (unmapped), -EINVAL (bad width), or the handler's */
};

typedef void (*vs_bus_tap_fn)(void *opaque, const struct vs_bus_access *acc);

int vs_bus_create(struct vs_bus **out);
void vs_bus_destroy(struct vs_bus *bus);

/* Map [base, base+size) to ops/opaque.  -EEXIST on overlap, -EINVAL on a
 * zero size or overflow, -ENOSPC when the bus is full.  name must outlive
 * the mapping (a string literal or the owner's buffer). */
int vs_bus_map(struct vs_bus *bus, uint64_t base, uint64_t size, const char *name,
	       const struct vs_bus_region_ops *ops, void *opaque);
/* Remove the region mapped at exactly base.  -ENOENT when none. */
int vs_bus_unmap(struct vs_bus *bus, uint64_t base);

/* Width must be 1, 2, 4 or 8 (-EINVAL otherwise).  An access must lie inside
 * one region; one that straddles a region end is treated as unmapped. */
int vs_bus_read(struct vs_bus *bus, enum vs_side side, uint64_t addr, unsigned width,
		uint64_t *val);
int vs_bus_write(struct vs_bus *bus, enum vs_side side, uint64_t addr, unsigned width,
		 uint64_t val);

#define VS_BUS_MAX_TAPS 4
int vs_bus_add_tap(struct vs_bus *bus, vs_bus_tap_fn fn, void *opaque);
void vs_bus_remove_tap(struct vs_bus *bus, vs_bus_tap_fn fn, void *opaque);

#endif /* VS_BUS_H */
