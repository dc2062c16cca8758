/*
 * pci_host.h - the PCI host bridge: one root bus (bus 0) whose
 * configuration space is an ECAM window on the bus at VS_PCI_ECAM_BASE
 * (core/pci_regs.h): 32 slots x 8 functions x 4 KiB, reached with
 * VS_PCI_ECAM_OFF(slot, fn, reg).
 *
 * Functions (a virtio PCI function, transport/pci.h) plug into a slot and
 * answer their own 4 KiB window through two callbacks.  An empty slot or
 * function reads all-ones (vendor 0xffff: "nothing here", what firmware
 * probes for) and ignores writes.  Configuration accesses are 1, 2 or 4
 * bytes, aligned to their width; anything else fails with -EINVAL.
 *
 * Call order: vs_pci_host_create (maps the window as region "pci-ecam"),
 * vs_pci_host_plug per function, traffic, vs_pci_host_unplug,
 * vs_pci_host_destroy.
 */
#ifndef VS_TRANSPORT_PCI_HOST_H
#define VS_TRANSPORT_PCI_HOST_H

#include <stdint.h>

struct vs_bus;
struct vs_pci_host;

#define VS_PCI_SLOTS 32u
#define VS_PCI_FUNCTIONS 8u

/* One function's configuration space.  off is in [0, 4096), width 1, 2
 * or 4, off aligned to width.  Return 0 or a negative errno (the access
 * then reads all-ones). */
struct vs_pci_function_ops {
	int (*cfg_read)(void *opaque, uint32_t off, unsigned width, uint32_t *val);
	int (*cfg_write)(void *opaque, uint32_t off, unsigned width, uint32_t val);
};

/* Map the ECAM window.  -EINVAL, -ENOMEM, or vs_bus_map's error. */
int vs_pci_host_create(struct vs_bus *bus, struct vs_pci_host **out);
/* Unmap the window.  Functions still plugged are forgotten.  NULL ok. */
void vs_pci_host_destroy(struct vs_pci_host *h);

/* -EINVAL for a slot or function out of range or NULL ops, -EBUSY when
 * the place is taken. */
int vs_pci_host_plug(struct vs_pci_host *h, unsigned slot, unsigned fn,
		     const struct vs_pci_function_ops *ops, void *opaque);
/* The place reads all-ones again.  Out of range or empty: no effect. */
void vs_pci_host_unplug(struct vs_pci_host *h, unsigned slot, unsigned fn);

#endif /* VS_TRANSPORT_PCI_HOST_H */
