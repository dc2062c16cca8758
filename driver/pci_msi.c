/*
 * pci_msi.c - MSI-X for the guest's PCI core (linux/pci.h): each vector
 * becomes a core/irq line the guest allocates, and its table entry carries
 * the platform's MSI message: address VS_MSI_ADDR_BASE, data = that line
 * (core/pci_regs.h, core/irq.h vs_irq_msi).
 *
 * Enable order, as the PCI spec and Linux have it: MSI-X enable with the
 * function masked, program the entries, INTx off, then unmask the
 * function, so no message goes out half-programmed.  Disable reverses it.
 * Runs once per policy step a driver tries; nothing here is hot.
 */
#define KBUILD_MODNAME "pci"

#include <errno.h>

#include <linux/io.h>
#include <linux/irq.h>
#include <linux/pci.h>
#include <linux/slab.h>

int pci_msix_vec_count(struct pci_dev *dev)
{
	u16 control;

	if (!dev->msix_cap)
		return -EINVAL;
	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &control);
	return (int)(control & PCI_MSIX_FLAGS_QSIZE) + 1;
}

static void msix_set_control(struct pci_dev *dev, u16 set, u16 clear)
{
	u16 control;

	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &control);
	control = (u16)((control | set) & ~clear);
	pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, control);
}

static void msix_free_lines(struct pci_dev *dev, unsigned int n)
{
	while (n--)
		irq_free_desc(dev->vector_irq[n]);
	kfree(dev->vector_irq);
	dev->vector_irq = NULL;
}

/* Map the table where the capability says it is: BIR names the BAR. */
static void __iomem *msix_map_table(struct pci_dev *dev, unsigned int tsize)
{
	u32 table;
	int bir;

	pci_read_config_dword(dev, dev->msix_cap + PCI_MSIX_TABLE, &table);
	bir = (int)(table & PCI_MSIX_BIR_MASK);
	if (bir >= PCI_STD_NUM_BARS) {
		dev_err(&dev->dev, "MSI-X table in BAR %d (BIR reserved)", bir);
		return NULL;
	}
	return pci_iomap_range(dev, bir, table & ~PCI_MSIX_BIR_MASK,
			       (unsigned long)tsize * PCI_MSIX_ENTRY_SIZE);
}

static int pci_enable_msix_range(struct pci_dev *dev, unsigned int minvec, unsigned int maxvec)
{
	void __iomem *table;
	unsigned int nvec, i;
	int tsize, irq;

	if (dev->msix_enabled || minvec == 0 || maxvec < minvec)
		return -EINVAL;
	tsize = pci_msix_vec_count(dev);
	if (tsize < 0)
		return tsize;
	/* The device cannot give what was asked: the caller's next policy. */
	if ((unsigned int)tsize < minvec)
		return -ENOSPC;
	nvec = min((unsigned int)tsize, maxvec);
	dev->vector_irq = kcalloc(nvec, sizeof(*dev->vector_irq), GFP_KERNEL);
	if (!dev->vector_irq)
		return -ENOMEM;
	/* Nor can the platform, when it has too few lines left. */
	for (i = 0; i < nvec; i++) {
		irq = irq_alloc_desc(0);
		if (irq < 0)
			break;
		dev->vector_irq[i] = (unsigned int)irq;
	}
	if (i < minvec) {
		dev_info(&dev->dev, "MSI-X: %u interrupt lines free, %u wanted", i, minvec);
		msix_free_lines(dev, i);
		return -ENOSPC;
	}
	nvec = i;
	table = msix_map_table(dev, (unsigned int)tsize);
	if (!table) {
		msix_free_lines(dev, nvec);
		return -ENOMEM;
	}

	msix_set_control(dev, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
	for (i = 0; i < nvec; i++) {
		u8 __iomem *e = (u8 __iomem *)table + (size_t)i * PCI_MSIX_ENTRY_SIZE;

		writel((u32)VS_MSI_ADDR_BASE, e + PCI_MSIX_ENTRY_LOWER_ADDR);
		writel((u32)(VS_MSI_ADDR_BASE >> 32), e + PCI_MSIX_ENTRY_UPPER_ADDR);
		writel(dev->vector_irq[i], e + PCI_MSIX_ENTRY_DATA);
		writel(0, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	}
	pci_intx(dev, 0);
	msix_set_control(dev, 0, PCI_MSIX_FLAGS_MASKALL);
	dev->msix_table = table;
	dev->nvec = nvec;
	dev->msix_enabled = true;
	return (int)nvec;
}

int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags)
{
	int rc = -ENOSPC;

	if (flags & PCI_IRQ_MSIX) {
		rc = pci_enable_msix_range(dev, min_vecs, max_vecs);
		if (rc > 0)
			return rc;
	}
	if ((flags & PCI_IRQ_INTX) && min_vecs == 1 && dev->irq != IRQ_NOTCONNECTED && dev->pin)
		return 1;
	return rc;
}

void pci_free_irq_vectors(struct pci_dev *dev)
{
	unsigned int i;

	if (!dev->msix_enabled)
		return;
	for (i = 0; i < dev->nvec; i++)
		writel(PCI_MSIX_ENTRY_CTRL_MASKBIT, (u8 __iomem *)dev->msix_table +
			       (size_t)i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL);
	msix_set_control(dev, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_intx(dev, 1);
	pci_iounmap(dev, dev->msix_table);
	dev->msix_table = NULL;
	msix_free_lines(dev, dev->nvec);
	dev->nvec = 0;
	dev->msix_enabled = false;
}

int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	if (dev->msix_enabled)
		return nr < dev->nvec ? (int)dev->vector_irq[nr] : -EINVAL;
	if (nr == 0 && dev->irq != IRQ_NOTCONNECTED)
		return (int)dev->irq;
	return -EINVAL;
}
