/*
 * pci.h - the virtio PCI function (spec 4.1), device side.
 *
 * One function = one vdev in a slot of the PCI host (function 0), with a
 * type-0 configuration space, BARs the guest sizes and assigns, the
 * virtio vendor capabilities, optionally MSI-X, and for a transitional
 * device the legacy I/O BAR.  Layout (fixed; the guest learns it from the
 * capability list and by sizing the BARs):
 *
 *   BAR0  I/O, transitional only: the legacy header (spec 4.1.4.10) and
 *         the device config after it, at 20 or, while MSI-X is enabled, 24
 *   BAR2  64-bit memory, with MSI-X only: the table at 0, the PBA after it
 *   BAR4  64-bit memory, 16 KiB: common config at 0x0000, ISR at 0x1000,
 *         device config at 0x2000, notify at 0x3000 (multiplier 4,
 *         queue_notify_off = queue index)
 *
 * Ids: vendor 0x1af4; device 0x1040 + virtio id and revision 1 for a
 * modern-only function, the transitional id (0x1000 + the spec's table)
 * and revision 0 for a transitional one, with the subsystem id the virtio
 * device id (spec 4.1.2.3).
 *
 * A BAR decodes (is mapped on the bus, I/O ones at VS_PIO_BASE + port)
 * only while it holds an address and the command register enables its
 * space; moving it remaps it.  Interrupts: while MSI-X is enabled an
 * event goes to the vector the driver mapped it to (none for NO_VECTOR),
 * held pending while the vector or the function is masked; otherwise the
 * ISR bit is set and the INTx line raised unless COMMAND.INTX_DISABLE.
 * Register accesses of the wrong width read 0 and are ignored on write:
 * PCI memory does not fail; the monitor judges the driver that does it.
 */
#ifndef VS_TRANSPORT_PCI_H
#define VS_TRANSPORT_PCI_H

#include <stdint.h>

struct vs_bus;
struct vs_irq;
struct vs_vdev;
struct vs_pci;
struct vs_pci_host;

struct vs_pci_params {
	unsigned msix_vectors; /* table size; 0 = no MSI-X capability (at most 2048) */
	int transitional;      /* legacy I/O BAR + transitional ids */
};

/*
 * Create the function for vdev and plug it into slot (function 0) of
 * host; bus is where its BARs map, intx_line (allocated by the caller)
 * its INTx line.  p may be NULL (modern-only, no MSI-X).  Returns 0,
 * -EINVAL (bad params; transitional for a type with no transitional id),
 * -EBUSY (vdev bound, or slot taken), -ENOMEM.
 */
int vs_pci_create(struct vs_pci_host *host, struct vs_bus *bus, struct vs_irq *irq,
		  struct vs_vdev *vdev, unsigned slot, unsigned intx_line,
		  const struct vs_pci_params *p, struct vs_pci **out);
/* Unmap the BARs, unplug, unbind.  NULL ok. */
void vs_pci_destroy(struct vs_pci *pci);

/* For the harness, reports and tests. */
struct vs_vdev *vs_pci_vdev(const struct vs_pci *pci);
unsigned vs_pci_slot(const struct vs_pci *pci);
unsigned vs_pci_intx_line(const struct vs_pci *pci);
int vs_pci_msix_enabled(const struct vs_pci *pci);
/* The vector an event is mapped to (VIRTIO_MSI_NO_VECTOR if none). */
uint16_t vs_pci_config_vector(const struct vs_pci *pci);
uint16_t vs_pci_queue_vector(const struct vs_pci *pci, unsigned q);
/* Current ISR status bits (without clearing them). */
uint8_t vs_pci_isr_peek(const struct vs_pci *pci);

#endif /* VS_TRANSPORT_PCI_H */
