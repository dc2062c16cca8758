/*
 * machine.h - one simulated machine, assembled from a scenario's machine
 * description: arena (guest RAM at GPA 0), bus, irq, loop, fault switches,
 * the monitor, and per device its model, its transport register file on
 * the bus and an interrupt line.  PCI devices sit each in its own slot of
 * one PCI host (slot = the device's index in machine.devices), each slot
 * with an INTx line of its own.  The guest side (driver shim, virtio core,
 * drivers) is bound to the machine but sees only core/: the bus address
 * and line of each device, as firmware would hand them over (for PCI, the
 * guest's own firmware scan finds the functions).
 *
 * One machine at a time: the guest shim has a single global context.
 */
#ifndef VS_MACHINE_H
#define VS_MACHINE_H

#include <stdint.h>

#include "core/fault.h"
#include "harness/diag.h"
#include "harness/scenario.h"

struct vs_arena;
struct vs_bus;
struct vs_irq;
struct vs_loop;
struct vs_monitor;
struct vs_vdev;
struct vs_mmio;
struct vs_pci;
struct vs_pci_host;

/* Register windows start here, above any RAM a scenario may ask for. */
#define VS_MACHINE_MMIO_BASE 0xd0000000ull
#define VS_MACHINE_MMIO_STRIDE 0x1000ull

struct vs_machine_dev {
	const struct vs_scn_device *desc;
	struct vs_vdev *vdev;
	struct vs_mmio *mmio;   /* virtio-mmio transports */
	struct vs_pci *pci;     /* PCI transports */
	uint64_t base;          /* virtio-mmio bank address */
	unsigned slot;          /* PCI slot */
	unsigned line;          /* the mmio bank's line, or the slot's INTx line */
	unsigned msix_vectors;  /* PCI: the MSI-X table size built */
	int handle; /* guest handle while probed, -1 otherwise */
};

struct vs_machine {
	struct vs_arena *arena;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_loop *loop;
	struct vs_monitor *mon;
	struct vs_pci_host *pci_host; /* NULL when no device is on PCI */
	struct vs_faults faults;
	uint64_t seed;
	size_t n_devs;
	struct vs_machine_dev devs[VS_SCN_MAX_DEVICES];
	int guest_bound;
};

/* Build the machine for s with seed.  Returns 0, or a negative errno with
 * diag naming the device that could not be built. */
int vs_machine_create(const struct vs_scenario *s, uint64_t seed, struct vs_machine **out,
		      struct vs_diag *diag);
/* Unbind the guest (removing probed devices), then tear down in reverse
 * order of creation.  NULL ok. */
void vs_machine_destroy(struct vs_machine *m);

/* Take the guest down (drivers remove their devices) while the machine,
 * its monitor and its trace still watch: teardown is judged too. */
void vs_machine_shutdown_guest(struct vs_machine *m);

/* Run the loop until nothing is runnable, syncing the monitor. */
int vs_machine_settle(struct vs_machine *m);

#endif /* VS_MACHINE_H */
