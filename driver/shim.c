/*
 * shim.c - the kernel shim's bottom half: the only guest code that calls
 * vs_* functions.  Guest memory (kmalloc, pages, the direct map) comes from
 * the arena, registers are reached over the bus, interrupt handlers sit on
 * core/irq lines, messages go to vs_log and fault points ask the machine's
 * fault switches.  Waiting (wait queues, completions, sleeping) is in
 * shim_sched.c; the platform bus in platform.c.
 *
 * One machine at a time: the shim keeps the bound environment in a global,
 * as a kernel owns its machine.
 */
#define KBUILD_MODNAME "shim"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/hw_random.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/pci_regs.h"
#include "driver/shim.h"

uint64_t vs_guest_timeout_ns = 1000000000ull;

static struct {
	bool bound;
	struct vs_guest_env env;
	u8 *ram;      /* host address of GPA 0: the guest's direct map */
	u64 ram_size; /* bytes of the first region (where kmalloc memory lives) */
} shim;

/* What request_irq registered on each line; the core/irq handler's opaque
 * points at its slot. */
struct shim_irq {
	irq_handler_t handler;
	void *dev_id;
	const char *name;
};
static struct shim_irq shim_irqs[VS_IRQ_MAX_LINES];

int vs_shim_bind(const struct vs_guest_env *env)
{
	if (shim.bound)
		return -EBUSY;
	if (!env || !env->arena)
		return -EINVAL;
	shim.env = *env;
	shim.ram = vs_arena_base(env->arena);
	shim.ram_size = vs_arena_size(env->arena);
	shim.bound = true;
	return 0;
}

void vs_shim_unbind(void)
{
	for (unsigned int line = 0; line < VS_IRQ_MAX_LINES; line++) {
		if (!shim_irqs[line].handler)
			continue;
		pr_warn("irq %u (%s) still requested at unbind; released", line,
			shim_irqs[line].name ? shim_irqs[line].name : "?");
		if (shim.env.irq)
			vs_irq_release(shim.env.irq, line);
		memset(&shim_irqs[line], 0, sizeof(shim_irqs[line]));
	}
	memset(&shim, 0, sizeof(shim));
}

const struct vs_guest_env *vs_shim_env(void)
{
	return shim.bound ? &shim.env : NULL;
}

/* ---- BUG / WARN ---- */

void __guest_bug(const char *file, int line, const char *what)
{
	vs_log(VS_LOG_ERROR, "guest", "BUG at %s:%d: %s", file, line, what);
	abort();
}

void __guest_warn(const char *file, int line, const char *what)
{
	vs_log(VS_LOG_WARN, "guest", "WARNING at %s:%d: %s", file, line, what);
}

/* ---- guest memory ---- */

/* The kernel's kmalloc alignment: 16 bytes at least, a power-of-two size
 * up to a page aligned to itself, a page from a page up. */
static u64 kmalloc_align(size_t size)
{
	if (size >= PAGE_SIZE)
		return PAGE_SIZE;
	if (is_power_of_2(size) && size > ARCH_KMALLOC_MINALIGN)
		return size;
	return ARCH_KMALLOC_MINALIGN;
}

static void *arena_alloc(size_t size, u64 align)
{
	u64 gpa;

	if (!shim.bound)
		return NULL;
	if (vs_arena_alloc(shim.env.arena, size, align, &gpa))
		return NULL;
	return shim.ram + gpa;
}

void *kmalloc(size_t size, gfp_t flags)
{
	(void)flags;
	if (size == 0)
		return ZERO_SIZE_PTR;
	return arena_alloc(size, kmalloc_align(size));
}

void *kzalloc(size_t size, gfp_t flags)
{
	/* The arena hands out zeroed blocks; kmalloc already is kzalloc. */
	return kmalloc(size, flags | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, flags);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

void kfree(const void *ptr)
{
	if (ZERO_OR_NULL_PTR(ptr))
		return;
	if (vs_arena_free(shim.env.arena, virt_to_phys(ptr)))
		__guest_bug(__FILE__, __LINE__, "kfree of memory kmalloc did not hand out");
}

void *alloc_pages_exact(size_t size, gfp_t gfp_mask)
{
	(void)gfp_mask;
	if (size == 0)
		return NULL;
	return arena_alloc(PAGE_ALIGN(size), PAGE_SIZE);
}

void free_pages_exact(void *virt, size_t size)
{
	(void)size;
	if (!virt)
		return;
	if (vs_arena_free(shim.env.arena, virt_to_phys(virt)))
		__guest_bug(__FILE__, __LINE__, "free_pages_exact of memory not from alloc_pages_exact");
}

phys_addr_t virt_to_phys(const volatile void *addr)
{
	uintptr_t p = (uintptr_t)addr, base = (uintptr_t)shim.ram;

	/* A buffer outside guest RAM cannot be given to a device. */
	if (!shim.bound || p < base || p - base >= shim.ram_size)
		__guest_bug(__FILE__, __LINE__, "virt_to_phys of memory outside guest RAM");
	return (phys_addr_t)(p - base);
}

void *phys_to_virt(phys_addr_t phys)
{
	if (!shim.bound || phys >= shim.ram_size)
		return NULL;
	return shim.ram + phys;
}

phys_addr_t guest_ram_end(void)
{
	return shim.ram_size;
}

/* ---- registers ---- */

/*
 * An ioremap cookie is IOMEM_COOKIE + bus address: far from any host
 * object, so a driver that dereferences one crashes at once instead of
 * scribbling, and cookie + offset is still the register's bus address.
 */
#define IOMEM_COOKIE ((uintptr_t)1 << 62)

void __iomem *ioremap(phys_addr_t phys, size_t size)
{
	if (!shim.bound || !shim.env.bus)
		return NULL;
	if (phys >= IOMEM_COOKIE || size > IOMEM_COOKIE - phys)
		return NULL;
	return (void __iomem *)(IOMEM_COOKIE + (uintptr_t)phys);
}

void __iomem *ioport_map(unsigned long port, unsigned int nr)
{
	/* Port I/O is a window of the same bus (core/pci_regs.h). */
	if (port >= VS_PIO_SIZE || nr > VS_PIO_SIZE - port)
		return NULL;
	return ioremap(VS_PIO_BASE + port, nr);
}

void iounmap(volatile void __iomem *addr)
{
	(void)addr;
}

static u64 bus_read(const volatile void __iomem *addr, unsigned int width)
{
	u64 val = ~0ull;

	if (shim.bound && shim.env.bus &&
	    vs_bus_read(shim.env.bus, VS_SIDE_DRIVER, (uintptr_t)addr - IOMEM_COOKIE, width, &val))
		val = ~0ull;
	return val;
}

static void bus_write(volatile void __iomem *addr, unsigned int width, u64 val)
{
	/* The bus drops a write it refuses and taps it; a register write has
	 * no error for the driver to see, as on hardware. */
	if (shim.bound && shim.env.bus)
		(void)vs_bus_write(shim.env.bus, VS_SIDE_DRIVER, (uintptr_t)addr - IOMEM_COOKIE,
				   width, val);
}

u8 readb(const volatile void __iomem *addr)
{
	return (u8)bus_read(addr, 1);
}

u16 readw(const volatile void __iomem *addr)
{
	return (u16)bus_read(addr, 2);
}

u32 readl(const volatile void __iomem *addr)
{
	return (u32)bus_read(addr, 4);
}

u64 readq(const volatile void __iomem *addr)
{
	return bus_read(addr, 8);
}

void writeb(u8 val, volatile void __iomem *addr)
{
	bus_write(addr, 1, val);
}

void writew(u16 val, volatile void __iomem *addr)
{
	bus_write(addr, 2, val);
}

void writel(u32 val, volatile void __iomem *addr)
{
	bus_write(addr, 4, val);
}

void writeq(u64 val, volatile void __iomem *addr)
{
	bus_write(addr, 8, val);
}

/* ---- interrupts ---- */

static void shim_irq_trampoline(void *opaque, unsigned line)
{
	struct shim_irq *si = opaque;

	if (si->handler && si->handler((int)line, si->dev_id) == IRQ_NONE)
		pr_debug("irq %u: not handled", line);
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
		void *dev_id)
{
	int err;

	(void)flags;
	if (!shim.bound || !shim.env.irq)
		return -ENODEV;
	if (irq >= VS_IRQ_MAX_LINES || !handler)
		return -EINVAL;
	if (shim_irqs[irq].handler)
		return -EBUSY;
	shim_irqs[irq] = (struct shim_irq){ handler, dev_id, name };
	err = vs_irq_request(shim.env.irq, irq, shim_irq_trampoline, &shim_irqs[irq]);
	if (err)
		memset(&shim_irqs[irq], 0, sizeof(shim_irqs[irq]));
	return err;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	const char *name;

	if (irq >= VS_IRQ_MAX_LINES || !shim_irqs[irq].handler ||
	    shim_irqs[irq].dev_id != dev_id) {
		pr_warn("free_irq %u: not requested by this device", irq);
		return NULL;
	}
	name = shim_irqs[irq].name;
	if (shim.bound && shim.env.irq)
		vs_irq_release(shim.env.irq, irq);
	memset(&shim_irqs[irq], 0, sizeof(shim_irqs[irq]));
	return name;
}

/* ---- interrupt numbers the guest allocates (MSI-X vectors) ---- */

int irq_alloc_desc(int node)
{
	unsigned int line;
	int err;

	(void)node;
	if (!shim.bound || !shim.env.irq)
		return -ENODEV;
	err = vs_irq_alloc_line(shim.env.irq, &line);
	return err ? err : (int)line;
}

void irq_free_desc(unsigned int irq)
{
	if (!shim.bound || !shim.env.irq || irq >= VS_IRQ_MAX_LINES)
		return;
	if (shim_irqs[irq].handler) {
		pr_warn("irq %u (%s) freed with its handler still requested", irq,
			shim_irqs[irq].name ? shim_irqs[irq].name : "?");
		vs_irq_release(shim.env.irq, irq);
		memset(&shim_irqs[irq], 0, sizeof(shim_irqs[irq]));
	}
	vs_irq_free_line(shim.env.irq, irq);
}

/* ---- fault points ---- */

bool virtio_should_fail(enum vs_fault_id id)
{
	if (!shim.bound || !vs_fault_hit(shim.env.faults, id))
		return false;
	pr_info("fault %d injected", (int)id);
	return true;
}

/* ---- devices ---- */

void dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->name, sizeof(dev->name), fmt, ap);
	va_end(ap);
}

void put_device(struct device *dev)
{
	if (dev && dev->release)
		dev->release(dev);
}

/* ---- hardware rng core ---- */

static LIST_HEAD(hwrng_list);

int hwrng_register(struct hwrng *rng)
{
	struct hwrng *r;
	int err;

	if (!rng->name || !rng->read)
		return -EINVAL;
	list_for_each_entry(r, &hwrng_list, list) {
		if (strcmp(r->name, rng->name) == 0)
			return -EEXIST;
	}
	if (rng->init) {
		err = rng->init(rng);
		if (err)
			return err;
	}
	list_add_tail(&rng->list, &hwrng_list);
	return 0;
}

void hwrng_unregister(struct hwrng *rng)
{
	list_del(&rng->list);
	if (rng->cleanup)
		rng->cleanup(rng);
}

struct hwrng *hwrng_find_by_dev(const struct device *dev)
{
	struct hwrng *r;

	list_for_each_entry(r, &hwrng_list, list) {
		if (r->dev == dev)
			return r;
	}
	return NULL;
}
