/*
 * pci.c - the guest's PCI core and the firmware scan before it (see
 * linux/pci.h): bus 0 through the platform's ECAM window, BAR sizing and
 * assignment from the platform's memory and I/O windows, decode and bus
 * mastering in the command register, capability lists, and PCI drivers
 * bound by id table.  MSI-X is in pci_msi.c.
 *
 * The scan runs once per machine (at most 32 slots x 8 functions), driver
 * binding a handful of times; lists are walked linearly.  Everything read
 * from configuration space is the device's word: a capability list that
 * loops, a BAR that cannot fit, are logged and survived, never trusted.
 */
#define KBUILD_MODNAME "pci"

#include <errno.h>

#include <linux/bug.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/slab.h>

/* Capabilities visited at most: 48 of 4 bytes fill the 192 bytes after the
 * header, so a longer walk is a loop. */
#define PCI_FIND_CAP_TTL 48
#define PCI_STD_HEADER_SIZEOF 0x40

static struct {
	bool scanned;
	struct list_head devices; /* struct pci_dev, by devfn */
	u64 mem_next;             /* next free address of the memory window */
	u32 io_next;              /* next free port of the I/O window */
} pci_root = { .devices = LIST_HEAD_INIT(pci_root.devices) };

static LIST_HEAD(pci_drivers);

/* ---- configuration space ---- */

static bool cfg_bad(const struct pci_dev *dev, int where, int size)
{
	return !dev->cfg || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE ||
	       (where & (size - 1));
}

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	if (cfg_bad(dev, where, 1)) {
		*val = 0xff;
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	*val = readb((u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	if (cfg_bad(dev, where, 2)) {
		*val = 0xffff;
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	*val = readw((u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	if (cfg_bad(dev, where, 4)) {
		*val = 0xffffffffu;
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	*val = readl((u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val)
{
	if (cfg_bad(dev, where, 1))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	writeb(val, (u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

int pci_write_config_word(const struct pci_dev *dev, int where, u16 val)
{
	if (cfg_bad(dev, where, 2))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	writew(val, (u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val)
{
	if (cfg_bad(dev, where, 4))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	writel(val, (u8 __iomem *)dev->cfg + where);
	return PCIBIOS_SUCCESSFUL;
}

/* ---- capabilities ---- */

/* Walk the list from the pointer at pos_ptr (the header's, or a
 * capability's next field) to the first capability with id cap. */
static u8 __pci_find_next_cap(struct pci_dev *dev, int pos_ptr, int cap)
{
	unsigned int ttl = PCI_FIND_CAP_TTL;
	u8 pos, id;

	pci_read_config_byte(dev, pos_ptr, &pos);
	while (ttl--) {
		/* Capabilities live after the header, dword aligned (the low
		 * two bits are reserved and ignored). */
		if (pos < PCI_STD_HEADER_SIZEOF)
			return 0;
		pos &= (u8)~3u;
		pci_read_config_byte(dev, pos, &id);
		if (id == 0xff)
			return 0;
		if (id == cap)
			return pos;
		pci_read_config_byte(dev, pos + 1, &pos);
	}
	dev_warn(&dev->dev, "capability list longer than %d entries (a loop?)", PCI_FIND_CAP_TTL);
	return 0;
}

u8 pci_find_capability(struct pci_dev *dev, int cap)
{
	u16 status;

	pci_read_config_word(dev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST) || status == 0xffff)
		return 0;
	return __pci_find_next_cap(dev, PCI_CAPABILITY_LIST, cap);
}

u8 pci_find_next_capability(struct pci_dev *dev, u8 pos, int cap)
{
	return __pci_find_next_cap(dev, pos + 1, cap);
}

/* ---- BARs ---- */

void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset,
			      unsigned long maxlen)
{
	resource_size_t start, len;
	unsigned long flags;

	if (bar < 0 || bar >= PCI_STD_NUM_BARS)
		return NULL;
	start = pci_resource_start(dev, bar);
	len = pci_resource_len(dev, bar);
	flags = pci_resource_flags(dev, bar);
	if (!len || (flags & IORESOURCE_UNSET) || offset >= len)
		return NULL;
	len -= offset;
	start += offset;
	if (maxlen && maxlen < len)
		len = maxlen;
	if (flags & IORESOURCE_IO)
		return ioport_map((unsigned long)start, (unsigned int)len);
	if (flags & IORESOURCE_MEM)
		return ioremap(start, len);
	return NULL;
}

void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen)
{
	return pci_iomap_range(dev, bar, 0, maxlen);
}

void pci_iounmap(struct pci_dev *dev, void __iomem *addr)
{
	(void)dev;
	iounmap(addr);
}

/* Set and clear bits of the command register, writing only on a change. */
static void pci_update_command(struct pci_dev *dev, u16 set, u16 clear)
{
	u16 old, cmd;

	pci_read_config_word(dev, PCI_COMMAND, &old);
	cmd = (u16)((old | set) & ~clear);
	if (cmd != old)
		pci_write_config_word(dev, PCI_COMMAND, cmd);
}

int pci_enable_device(struct pci_dev *dev)
{
	u16 set = 0;
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		unsigned long flags = pci_resource_flags(dev, i);

		if (!resource_type(&dev->resource[i]))
			continue;
		if (flags & IORESOURCE_UNSET) {
			dev_err(&dev->dev, "cannot enable: BAR %d has no address", i);
			return -EINVAL;
		}
		set |= (flags & IORESOURCE_IO) ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_update_command(dev, set, 0);
	return 0;
}

void pci_disable_device(struct pci_dev *dev)
{
	pci_clear_master(dev);
}

void pci_set_master(struct pci_dev *dev)
{
	pci_update_command(dev, PCI_COMMAND_MASTER, 0);
	dev->is_busmaster = true;
}

void pci_clear_master(struct pci_dev *dev)
{
	pci_update_command(dev, 0, PCI_COMMAND_MASTER);
	dev->is_busmaster = false;
}

void pci_intx(struct pci_dev *dev, int enable)
{
	if (enable)
		pci_update_command(dev, 0, PCI_COMMAND_INTX_DISABLE);
	else
		pci_update_command(dev, PCI_COMMAND_INTX_DISABLE, 0);
}

/* ---- the firmware scan ---- */

/* Size BAR i (and i+1 for a 64-bit one) the PCI way: write all-ones,
 * read back which address bits stick, restore.  Returns how many BAR
 * registers it used (1 or 2); leaves the resource empty when the BAR is
 * not implemented. */
static int pci_size_bar(struct pci_dev *dev, int i)
{
	struct resource *res = &dev->resource[i];
	int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	u32 orig, sz, orig_hi = 0, sz_hi = 0;
	u64 mask;
	bool is64 = false;

	pci_read_config_dword(dev, reg, &orig);
	pci_write_config_dword(dev, reg, 0xffffffffu);
	pci_read_config_dword(dev, reg, &sz);
	pci_write_config_dword(dev, reg, orig);
	if (sz == 0 || sz == 0xffffffffu)
		return 1; /* not implemented (or nothing answers) */

	if (sz & PCI_BASE_ADDRESS_SPACE_IO) {
		/* Ports are 16 bits; the upper half may read 0 or all-ones. */
		mask = (u64)(sz & (u32)PCI_BASE_ADDRESS_IO_MASK & 0xffffu);
		res->flags = IORESOURCE_IO;
	} else {
		is64 = (sz & 0x6u) == PCI_BASE_ADDRESS_MEM_TYPE_64;
		if (is64 && i + 1 < PCI_STD_NUM_BARS) {
			pci_read_config_dword(dev, reg + 4, &orig_hi);
			pci_write_config_dword(dev, reg + 4, 0xffffffffu);
			pci_read_config_dword(dev, reg + 4, &sz_hi);
			pci_write_config_dword(dev, reg + 4, orig_hi);
		} else if (is64) {
			dev_warn(&dev->dev, "BAR %d: 64-bit BAR in the last slot; ignored", i);
			return 1;
		}
		mask = ((u64)sz_hi << 32 | sz) & PCI_BASE_ADDRESS_MEM_MASK;
		res->flags = IORESOURCE_MEM | (is64 ? IORESOURCE_MEM_64 : 0) |
			     ((sz & PCI_BASE_ADDRESS_MEM_PREFETCH) ? IORESOURCE_PREFETCH : 0);
	}
	if (!mask) {
		res->flags = 0;
		return is64 ? 2 : 1;
	}
	/* The lowest address bit that sticks is the size. */
	res->start = 0;
	res->end = (mask & -mask) - 1;
	res->flags |= IORESOURCE_UNSET;
	res->name = pci_name(dev);
	return is64 ? 2 : 1;
}

/* Give the sized BAR i an address from its window, aligned to its size,
 * and write it.  A BAR that cannot be placed stays IORESOURCE_UNSET. */
static void pci_assign_bar(struct pci_dev *dev, int i)
{
	struct resource *res = &dev->resource[i];
	int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	resource_size_t size = resource_size(res);
	u64 base;

	if (res->flags & IORESOURCE_IO) {
		base = ALIGN((u64)pci_root.io_next, size);
		if (size > VS_PCI_IO_SIZE || base + size > (u64)VS_PCI_IO_BASE + VS_PCI_IO_SIZE)
			goto out_no_room;
		pci_write_config_dword(dev, reg, (u32)base);
		pci_root.io_next = (u32)(base + size);
	} else {
		if (!(res->flags & IORESOURCE_MEM_64)) {
			/* The memory window lies above 4 GiB. */
			dev_warn(&dev->dev, "BAR %d: 32-bit memory BAR cannot reach the window", i);
			return;
		}
		base = ALIGN(pci_root.mem_next, size);
		if (size > VS_PCI_MMIO_SIZE || base < pci_root.mem_next ||
		    base + size > VS_PCI_MMIO_BASE + VS_PCI_MMIO_SIZE)
			goto out_no_room;
		pci_write_config_dword(dev, reg, (u32)base);
		pci_write_config_dword(dev, reg + 4, (u32)(base >> 32));
		pci_root.mem_next = base + size;
	}
	res->start = base;
	res->end = base + size - 1;
	res->flags &= ~IORESOURCE_UNSET;
	return;

out_no_room:
	dev_warn(&dev->dev, "BAR %d: no room for %#llx bytes", i, (unsigned long long)size);
}

/* Size and place every BAR with decoding off, then turn decoding on for
 * the kinds that got an address. */
static void pci_setup_bars(struct pci_dev *dev)
{
	u16 cmd, decode = 0;
	int i;

	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	pci_write_config_word(dev, PCI_COMMAND, cmd & (u16)~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < PCI_STD_NUM_BARS;)
		i += pci_size_bar(dev, i);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (!resource_type(&dev->resource[i]))
			continue;
		pci_assign_bar(dev, i);
		if (!(dev->resource[i].flags & IORESOURCE_UNSET))
			decode |= (dev->resource[i].flags & IORESOURCE_IO) ? PCI_COMMAND_IO
									   : PCI_COMMAND_MEMORY;
	}
	pci_write_config_word(dev, PCI_COMMAND, (u16)(cmd | decode));
}

/* The function at devfn, or NULL (nothing answers there); *multi says
 * whether function 0 announces more functions. */
static struct pci_dev *pci_scan_device(void __iomem *ecam, unsigned int devfn, bool *multi,
				       int *err)
{
	void __iomem *cfg = (u8 __iomem *)ecam +
			    VS_PCI_ECAM_OFF(PCI_SLOT(devfn), PCI_FUNC(devfn), 0);
	struct pci_dev *dev;
	u32 class_rev;
	u16 vendor;

	*err = 0;
	*multi = false;
	vendor = readw(cfg);
	if (vendor == 0xffff || vendor == 0)
		return NULL;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		*err = -ENOMEM;
		return NULL;
	}
	dev->cfg = cfg;
	dev->devfn = devfn;
	dev->irq = IRQ_NOTCONNECTED;
	dev_set_name(&dev->dev, "0000:00:%02x.%u", PCI_SLOT(devfn), PCI_FUNC(devfn));
	dev->vendor = vendor;
	pci_read_config_word(dev, PCI_DEVICE_ID, &dev->device);
	pci_read_config_dword(dev, PCI_REVISION_ID, &class_rev);
	dev->revision = (u8)class_rev;
	dev->class = class_rev >> 8;
	pci_read_config_byte(dev, PCI_HEADER_TYPE, &dev->hdr_type);
	*multi = dev->hdr_type & 0x80;
	if ((dev->hdr_type & 0x7f) != 0) {
		/* Bridges and CardBus: no bus behind ours to scan. */
		dev_warn(&dev->dev, "header type %#x not supported; ignored", dev->hdr_type);
		kfree(dev);
		return NULL;
	}
	pci_read_config_word(dev, PCI_SUBSYSTEM_VENDOR_ID, &dev->subsystem_vendor);
	pci_read_config_word(dev, PCI_SUBSYSTEM_ID, &dev->subsystem_device);
	pci_read_config_byte(dev, PCI_INTERRUPT_PIN, &dev->pin);
	dev->msix_cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);
	pci_setup_bars(dev);
	return dev;
}

int pci_scan_root_bus(void)
{
	void __iomem *ecam;
	unsigned int slot, fn;
	int found = 0, err;

	if (pci_root.scanned)
		return -EBUSY;
	ecam = ioremap(VS_PCI_ECAM_BASE, VS_PCI_ECAM_SIZE);
	if (!ecam)
		return -ENODEV;
	pci_root.scanned = true;
	pci_root.mem_next = VS_PCI_MMIO_BASE;
	pci_root.io_next = VS_PCI_IO_BASE;
	for (slot = 0; slot < 32; slot++) {
		bool multi = false;

		for (fn = 0; fn < 8; fn++) {
			bool more;
			struct pci_dev *dev = pci_scan_device(ecam, PCI_DEVFN(slot, fn), &more, &err);

			if (err)
				return err;
			if (dev) {
				list_add_tail(&dev->bus_list, &pci_root.devices);
				found++;
			}
			/* Function 0 says whether there are others to look for. */
			if (fn == 0)
				multi = dev && more;
			if (!multi)
				break;
		}
	}
	return found;
}

struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus, unsigned int devfn)
{
	struct pci_dev *dev;

	if (domain != 0 || bus != 0)
		return NULL;
	list_for_each_entry(dev, &pci_root.devices, bus_list) {
		if (dev->devfn == devfn)
			return dev;
	}
	return NULL;
}

/* ---- drivers ---- */

static const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
						const struct pci_dev *dev)
{
	for (; ids && (ids->vendor || ids->subvendor || ids->class_mask); ids++) {
		if ((ids->vendor == PCI_ANY_ID || ids->vendor == dev->vendor) &&
		    (ids->device == PCI_ANY_ID || ids->device == dev->device) &&
		    (ids->subvendor == PCI_ANY_ID || ids->subvendor == dev->subsystem_vendor) &&
		    (ids->subdevice == PCI_ANY_ID || ids->subdevice == dev->subsystem_device) &&
		    !((ids->class ^ dev->class) & ids->class_mask))
			return ids;
	}
	return NULL;
}

static int pci_device_probe(struct pci_dev *dev, struct pci_driver *drv,
			    const struct pci_device_id *id)
{
	int err;

	dev->driver = drv;
	dev->dev.driver = &drv->driver;
	err = drv->probe(dev, id);
	if (err) {
		dev->driver = NULL;
		dev->dev.driver = NULL;
	}
	return err;
}

int pci_bus_add_device(struct pci_dev *dev)
{
	struct pci_driver *drv;

	if (dev->driver)
		return -EBUSY;
	dev->is_added = true;
	list_for_each_entry(drv, &pci_drivers, node) {
		const struct pci_device_id *id = pci_match_id(drv->id_table, dev);

		if (id)
			return pci_device_probe(dev, drv, id);
	}
	return 0;
}

void pci_stop_bus_device(struct pci_dev *dev)
{
	if (dev->driver) {
		if (dev->driver->remove)
			dev->driver->remove(dev);
		dev->driver = NULL;
		dev->dev.driver = NULL;
	}
	dev->is_added = false;
}

void pci_remove_root_bus(void)
{
	struct pci_dev *dev, *n;

	list_for_each_entry_safe(dev, n, &pci_root.devices, bus_list) {
		pci_stop_bus_device(dev);
		if (WARN_ON(dev->msix_enabled))
			pci_free_irq_vectors(dev);
		list_del(&dev->bus_list);
		kfree(dev);
	}
	pci_root.scanned = false;
}

int pci_register_driver(struct pci_driver *drv)
{
	struct pci_dev *dev;

	if (!drv->probe || !drv->name)
		return -EINVAL;
	drv->driver.name = drv->name;
	list_add_tail(&drv->node, &pci_drivers);
	list_for_each_entry(dev, &pci_root.devices, bus_list) {
		const struct pci_device_id *id;
		int err;

		if (!dev->is_added || dev->driver)
			continue;
		id = pci_match_id(drv->id_table, dev);
		if (!id)
			continue;
		err = pci_device_probe(dev, drv, id);
		if (err)
			dev_warn(&dev->dev, "probe by %s failed: %d", drv->name, err);
	}
	return 0;
}

void pci_unregister_driver(struct pci_driver *drv)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_root.devices, bus_list) {
		if (dev->driver == drv) {
			pci_stop_bus_device(dev);
			dev->is_added = true; /* still offered: a new driver may take it */
		}
	}
	list_del(&drv->node);
}
