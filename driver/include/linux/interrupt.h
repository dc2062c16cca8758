/*
 * linux/interrupt.h - interrupt handlers over core/irq.h lines.  A handler
 * runs in the raiser's context when the device side raises its line
 * (core/irq.h), so it must not call back into the device synchronously.
 * One handler per line (IRQF_SHARED is accepted and ignored).
 */
#ifndef VS_LINUX_INTERRUPT_H
#define VS_LINUX_INTERRUPT_H

#include <linux/compiler.h>

enum irqreturn {
	IRQ_NONE = 0,        /* not ours, or nothing to do */
	IRQ_HANDLED = 1,
	IRQ_WAKE_THREAD = 2,
};
typedef enum irqreturn irqreturn_t;

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

#define IRQF_SHARED 0x80ul

/* 0, -EBUSY when the line has a handler, -EINVAL for a line not allocated,
 * -ENODEV when no interrupt controller is bound. */
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev_id);
/* Returns the name given to request_irq, NULL when dev_id does not own irq. */
const void *free_irq(unsigned int irq, void *dev_id);

#endif /* VS_LINUX_INTERRUPT_H */
