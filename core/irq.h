/*
 * irq.h - interrupt lines between the device side and the guest.
 *
 * A line is a number the harness allocates and gives to both sides: the
 * transport raises it, the guest driver registers a handler on it (as
 * request_irq does).  MSI-X vectors will be lines too, one per message.
 *
 * vs_irq_raise delivers at once: taps first (the monitor sees the interrupt
 * before the driver acts on it), then the handler, in the raiser's context.
 * Handlers therefore must not call back into the device synchronously; the
 * vdev core defers kicks to the loop, which keeps this safe.
 * Raising a line with no handler is counted as spurious and tapped; it is
 * not an error of the program (a faulty device may do it).
 */
#ifndef VS_IRQ_H
#define VS_IRQ_H

#include <stdint.h>

struct vs_irq;

typedef void (*vs_irq_handler_fn)(void *opaque, unsigned line);
typedef void (*vs_irq_tap_fn)(void *opaque, unsigned line, int has_handler);

#define VS_IRQ_MAX_LINES 256
#define VS_IRQ_MAX_TAPS 4

int vs_irq_create(struct vs_irq **out);
void vs_irq_destroy(struct vs_irq *irq);

/* Allocate a free line.  -ENOSPC when all are taken. */
int vs_irq_alloc_line(struct vs_irq *irq, unsigned *line);
void vs_irq_free_line(struct vs_irq *irq, unsigned line);

/* Register the guest's handler (request_irq); -EBUSY when one is set,
 * -EINVAL for a line not allocated.  free clears it. */
int vs_irq_request(struct vs_irq *irq, unsigned line, vs_irq_handler_fn fn, void *opaque);
void vs_irq_release(struct vs_irq *irq, unsigned line);

/* Deliver one interrupt on line.  -EINVAL for a line not allocated. */
int vs_irq_raise(struct vs_irq *irq, unsigned line);

/*
 * Deliver an MSI / MSI-X message: a device's write of data to addr.  An
 * address inside [VS_MSI_ADDR_BASE, +VS_MSI_ADDR_SIZE) (core/pci_regs.h)
 * raises line = data.  -EINVAL, nothing delivered, for an address outside
 * the window or a data value that names no allocated line: the message of
 * a device that never had its vector programmed goes nowhere, as on real
 * hardware.  Counted in vs_irq_lost_messages.
 */
int vs_irq_msi(struct vs_irq *irq, uint64_t addr, uint32_t data);
uint64_t vs_irq_lost_messages(const struct vs_irq *irq);

/* Interrupts raised on line since creation, spurious ones included. */
uint64_t vs_irq_count(const struct vs_irq *irq, unsigned line);

int vs_irq_add_tap(struct vs_irq *irq, vs_irq_tap_fn fn, void *opaque);
void vs_irq_remove_tap(struct vs_irq *irq, vs_irq_tap_fn fn, void *opaque);

#endif /* VS_IRQ_H */
