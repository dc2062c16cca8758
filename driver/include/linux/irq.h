/*
 * linux/irq.h - interrupt numbers the guest allocates itself: an MSI-X
 * vector becomes a core/irq line of its own, allocated when the PCI core
 * enables MSI-X and freed when it disables it.  Lines wired by the
 * platform (a virtio-mmio bank's, a PCI slot's INTx) come from the
 * harness instead and are never allocated here.
 */
#ifndef VS_LINUX_IRQ_H
#define VS_LINUX_IRQ_H

#include <linux/compiler.h>

/* "No interrupt line": a PCI function whose INTx pin is not wired. */
#define IRQ_NOTCONNECTED (1u << 31)

/* A free interrupt number (>= 0), or -ENOSPC when the controller has none
 * left, -ENODEV when no interrupt controller is bound.  node is ignored. */
int irq_alloc_desc(int node);
/* Give irq back.  A handler still requested on it is released, with a
 * warning (its owner forgot free_irq). */
void irq_free_desc(unsigned int irq);

#endif /* VS_LINUX_IRQ_H */
