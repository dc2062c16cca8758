/*
 * linux/pci.h - the guest's PCI core: the functions the firmware scan found
 * on bus 0 (driver/pci.c), their configuration space, BARs and interrupts
 * (INTx and MSI-X, driver/pci_msi.c), and PCI drivers matched to them by
 * id table.
 *
 * Configuration space is reached through the ECAM window of the platform
 * (core/pci_regs.h: VS_PCI_ECAM_BASE); every access is a bus access the
 * monitor sees.  BAR addresses are bus addresses, I/O BARs port numbers
 * (pci_iomap maps both, so ioread/iowrite work on either).
 *
 * Call order: pci_scan_root_bus (once, after the harness plugged every
 * function: sizes and assigns every BAR and enables decoding, as firmware
 * does), pci_register_driver, then pci_bus_add_device per function the
 * harness hands to the guest (matches a driver and probes it),
 * pci_stop_bus_device to unbind, pci_remove_root_bus at the end.
 */
#ifndef VS_LINUX_PCI_H
#define VS_LINUX_PCI_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/irq.h>
#include <linux/list.h>
#include <linux/module.h>

#include "core/pci_regs.h"

#define PCI_ANY_ID (~0u)
#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_STD_NUM_BARS PCI_NUM_BARS

#define PCI_DEVFN(slot, func) ((((slot) & 0x1fu) << 3) | ((func) & 0x07u))
#define PCI_SLOT(devfn)       (((devfn) >> 3) & 0x1fu)
#define PCI_FUNC(devfn)       ((devfn) & 0x07u)

/* Config accessor results (positive, as the kernel's). */
#define PCIBIOS_SUCCESSFUL          0x00
#define PCIBIOS_DEVICE_NOT_FOUND    0x86
#define PCIBIOS_BAD_REGISTER_NUMBER 0x87

/* pci_alloc_irq_vectors flags. */
#define PCI_IRQ_INTX 0x1u
#define PCI_IRQ_MSI  0x2u /* not supported: only MSI-X is */
#define PCI_IRQ_MSIX 0x4u

struct pci_device_id {
	u32 vendor, device;       /* PCI_ANY_ID matches any */
	u32 subvendor, subdevice; /* PCI_ANY_ID matches any */
	u32 class, class_mask;
};

#define PCI_DEVICE(vend, dev)                                          \
	.vendor = (vend), .device = (dev), .subvendor = PCI_ANY_ID,    \
	.subdevice = PCI_ANY_ID

struct pci_driver;

/*
 * struct pci_dev - one function on bus 0.
 * @devfn: slot << 3 | function
 * @vendor ... @class: from the configuration header at scan time
 * @pin: PCI_INTERRUPT_PIN (0: the function uses no INTx)
 * @msix_cap: offset of the MSI-X capability, 0 when it has none
 * @irq: the INTx line the platform wired the slot to, IRQ_NOTCONNECTED
 *	until the harness says (pci_bus_add_device's caller sets it)
 * @msix_enabled: pci_alloc_irq_vectors enabled MSI-X
 * @is_busmaster: pci_set_master ran
 * @resource: the BARs as assigned (IORESOURCE_UNSET when the window had
 *	no room), I/O ones in port numbers
 * @driver: bound driver, NULL when none
 */
struct pci_dev {
	struct list_head bus_list;
	unsigned int devfn;
	u16 vendor;
	u16 device;
	u16 subsystem_vendor;
	u16 subsystem_device;
	u8 revision;
	u8 hdr_type;
	u8 pin;
	u32 class;
	u8 msix_cap;
	unsigned int irq;
	bool msix_enabled;
	bool is_busmaster;
	bool is_added;
	struct device dev;
	struct resource resource[PCI_STD_NUM_BARS];
	struct pci_driver *driver;
	/* private */
	void __iomem *cfg;          /* its 4 KiB ECAM window */
	unsigned int nvec;          /* MSI-X vectors enabled */
	unsigned int *vector_irq;   /* the line of each */
	void __iomem *msix_table;   /* mapped MSI-X table */
};

#define to_pci_dev(d) container_of(d, struct pci_dev, dev)

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	struct device_driver driver;
	struct list_head node; /* private: on the PCI bus */
};

static inline const char *pci_name(const struct pci_dev *pdev)
{
	return dev_name(&pdev->dev);
}

static inline void *pci_get_drvdata(const struct pci_dev *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void pci_set_drvdata(struct pci_dev *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

/* ---- configuration space: 0 or PCIBIOS_BAD_REGISTER_NUMBER (misaligned
 * or beyond 4 KiB; a read then gives all-ones) ---- */
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val);
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val);
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val);
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val);

/* Offset of the first capability with id cap, 0 when none.  The list is
 * the device's: a loop or a pointer into the header ends the walk. */
u8 pci_find_capability(struct pci_dev *dev, int cap);
/* The next one after the capability at pos. */
u8 pci_find_next_capability(struct pci_dev *dev, u8 pos, int cap);

/* ---- BARs ---- */
#define pci_resource_start(dev, bar) ((dev)->resource[(bar)].start)
#define pci_resource_end(dev, bar)   ((dev)->resource[(bar)].end)
#define pci_resource_flags(dev, bar) ((dev)->resource[(bar)].flags)

/* Bytes the BAR decodes, 0 when it does not exist. */
static inline resource_size_t pci_resource_len(const struct pci_dev *dev, int bar)
{
	const struct resource *r = &dev->resource[bar];

	return resource_type(r) ? resource_size(r) : 0;
}

/* A cookie for [offset, offset + maxlen) of the BAR (maxlen 0: to its end),
 * memory or I/O alike.  NULL when the BAR does not exist, has no address,
 * or the range does not fit in it. */
void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset,
			      unsigned long maxlen);
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen);
void pci_iounmap(struct pci_dev *dev, void __iomem *addr);

/* Decode the BARs (memory and I/O as the device has them): 0, or -EINVAL
 * when a BAR has no address. */
int pci_enable_device(struct pci_dev *dev);
/* Stop its bus mastering. */
void pci_disable_device(struct pci_dev *dev);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
/* INTx on (enable) or off: PCI_COMMAND_INTX_DISABLE. */
void pci_intx(struct pci_dev *dev, int enable);

/* ---- interrupts (driver/pci_msi.c) ---- */
/*
 * Between min_vecs and max_vecs MSI-X vectors (PCI_IRQ_MSIX), each a
 * core/irq line of its own whose table entry is programmed with address
 * VS_MSI_ADDR_BASE and data = the line, unmasked, MSI-X enabled and INTx
 * disabled; or, with PCI_IRQ_INTX and min_vecs 1, the INTx line.  Returns
 * the number of vectors, -EINVAL when MSI-X is already on, -ENOSPC when
 * the table or the platform's free lines cannot give min_vecs (nothing is
 * left allocated), -ENOMEM when the table cannot be mapped.
 */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags);
/* Mask every entry, disable MSI-X, enable INTx again, free the lines. */
void pci_free_irq_vectors(struct pci_dev *dev);
/* The line of vector nr (the INTx line when MSI-X is off and nr is 0), or
 * -EINVAL. */
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);
/* The MSI-X table size, -EINVAL without an MSI-X capability. */
int pci_msix_vec_count(struct pci_dev *dev);

/* ---- drivers ---- */
int pci_register_driver(struct pci_driver *drv);
void pci_unregister_driver(struct pci_driver *drv);

#define module_pci_driver(drv) module_driver(drv, pci_register_driver, pci_unregister_driver)

/* ---- the root bus (the platform's firmware and hotplug side) ---- */
/* Scan bus 0 through ECAM, size every BAR, assign addresses from the
 * platform's windows, enable decoding.  The number of functions found, or
 * -EBUSY when already scanned, -ENODEV without a bus, -ENOMEM. */
int pci_scan_root_bus(void);
/* Unbind every driver and forget every function. */
void pci_remove_root_bus(void);
/* The function at devfn on bus 0 of domain 0, NULL when there is none. */
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus, unsigned int devfn);
/* Offer dev to the drivers: the first whose table matches probes it.  0
 * (also when none matches), -EBUSY when a driver is bound already, or
 * the probe's error (then nothing is bound). */
int pci_bus_add_device(struct pci_dev *dev);
/* Unbind its driver (its remove runs); the function stays on the bus. */
void pci_stop_bus_device(struct pci_dev *dev);

#endif /* VS_LINUX_PCI_H */
