/*
 * mmio.h - the virtio-mmio register bank (spec 4.2), device side.
 *
 * One bank = VS_MMIO_BANK_SIZE bytes on the bus (registers, then the
 * device-specific config window at 0x100), one interrupt line, one vdev.
 * The bank is mapped on the bus as region "virtio-mmio" with the vs_mmio
 * as its opaque, so the monitor can tell banks apart in bus taps.
 *
 * Register semantics, briefly: control registers take 32-bit accesses only
 * (others fail with -EINVAL, spec drv.mmio.mmio-device-register-layout.2);
 * the config window takes 1, 2, 4 and 8-byte accesses.  Reads of
 * write-only registers and of offsets that are no register return 0;
 * writes to read-only registers or non-registers are ignored.  The bank
 * keeps InterruptStatus: a notification from the vdev sets its bit and
 * raises the line, InterruptACK clears bits, a reset clears all.
 */
#ifndef VS_TRANSPORT_MMIO_H
#define VS_TRANSPORT_MMIO_H

#include <stdint.h>

struct vs_bus;
struct vs_irq;
struct vs_vdev;
struct vs_mmio;

/*
 * Create a bank at base, bound to vdev, raising irq_line (allocated by the
 * caller with vs_irq_alloc_line).  version is 2, or 1 for the legacy
 * interface (spec 4.2.4: GuestPageSize, QueueAlign and QueuePFN instead of
 * QueueReady and the queue address registers, which then read 0 and
 * ignore writes, as do the other version 2 only registers; GuestPageSize
 * and each QueueAlign start at 4096; VIRTIO_F_VERSION_1 is not required).
 * Returns 0, -EINVAL, -EBUSY (vdev already
 * bound to a transport), -ENOMEM, or vs_bus_map's error (-EEXIST on
 * overlap).
 */
int vs_mmio_create(struct vs_bus *bus, struct vs_irq *irq, struct vs_vdev *vdev, uint64_t base,
		   unsigned irq_line, unsigned version, struct vs_mmio **out);
/* Unmap from the bus and unbind from the vdev.  NULL ok. */
void vs_mmio_destroy(struct vs_mmio *m);

/* For the harness and reports. */
uint64_t vs_mmio_base(const struct vs_mmio *m);
unsigned vs_mmio_irq_line(const struct vs_mmio *m);
struct vs_vdev *vs_mmio_vdev(const struct vs_mmio *m);
/* Current InterruptStatus bits. */
uint32_t vs_mmio_interrupt_status(const struct vs_mmio *m);

#endif /* VS_TRANSPORT_MMIO_H */
