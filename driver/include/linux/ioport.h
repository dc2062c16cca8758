/*
 * linux/ioport.h - address ranges a device decodes: a platform device's
 * register bank and interrupt line, a PCI function's BARs.  start and end
 * are bus addresses (I/O resources: port numbers), end inclusive.
 */
#ifndef VS_LINUX_IOPORT_H
#define VS_LINUX_IOPORT_H

#include <linux/compiler.h>

#define IORESOURCE_IO       0x00000100ul /* port I/O space */
#define IORESOURCE_MEM      0x00000200ul /* memory space */
#define IORESOURCE_IRQ      0x00000400ul /* an interrupt line */
#define IORESOURCE_PREFETCH 0x00002000ul
#define IORESOURCE_MEM_64   0x00100000ul /* a 64-bit memory BAR */
#define IORESOURCE_UNSET    0x20000000ul /* no address assigned */

struct resource {
	resource_size_t start;
	resource_size_t end; /* inclusive */
	const char *name;
	unsigned long flags; /* IORESOURCE_* */
};

static inline resource_size_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

static inline unsigned long resource_type(const struct resource *res)
{
	return res->flags & (IORESOURCE_IO | IORESOURCE_MEM | IORESOURCE_IRQ);
}

#endif /* VS_LINUX_IOPORT_H */
