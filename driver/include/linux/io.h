/*
 * linux/io.h - register access and the guest's direct map.
 *
 * ioremap() returns a cookie that encodes a bus address; readl(cookie +
 * offset) becomes vs_bus_read(bus, VS_SIDE_DRIVER, address, 4), so every
 * register access crosses the bus where the monitor's taps see it.  The
 * cookie is never dereferenced.  Registers are little-endian: the value
 * read is the register's value as a number.
 *
 * virt_to_phys/phys_to_virt translate between a pointer into guest RAM
 * (the arena, the guest's "direct map") and its guest-physical address.
 */
#ifndef VS_LINUX_IO_H
#define VS_LINUX_IO_H

#include <linux/compiler.h>

/* A cookie for [phys, phys+size) on the bus; NULL when no bus is bound. */
void __iomem *ioremap(phys_addr_t phys, size_t size);
void iounmap(volatile void __iomem *addr);
/* A cookie for nr ports from port: port I/O is the bus window at
 * VS_PIO_BASE (core/pci_regs.h), so readb/readw/readl work on it as on
 * memory.  NULL outside the 64 KiB port space or when no bus is bound. */
void __iomem *ioport_map(unsigned long port, unsigned int nr);

/* An access the bus refuses (unmapped, bad width) reads all-ones and drops
 * the write, as a real bus does. */
u8 readb(const volatile void __iomem *addr);
u16 readw(const volatile void __iomem *addr);
u32 readl(const volatile void __iomem *addr);
u64 readq(const volatile void __iomem *addr);
void writeb(u8 val, volatile void __iomem *addr);
void writew(u16 val, volatile void __iomem *addr);
void writel(u32 val, volatile void __iomem *addr);
void writeq(u64 val, volatile void __iomem *addr);

#define ioread8(a)      readb(a)
#define ioread16(a)     readw(a)
#define ioread32(a)     readl(a)
#define iowrite8(v, a)  writeb(v, a)
#define iowrite16(v, a) writew(v, a)
#define iowrite32(v, a) writel(v, a)

/* addr must point into guest RAM (BUG otherwise: DMA from elsewhere is a guest bug). */
phys_addr_t virt_to_phys(const volatile void *addr);
/* NULL when phys is not guest RAM. */
void *phys_to_virt(phys_addr_t phys);
/* First address past the guest's RAM (the end of the arena's first region). */
phys_addr_t guest_ram_end(void);

#endif /* VS_LINUX_IO_H */
