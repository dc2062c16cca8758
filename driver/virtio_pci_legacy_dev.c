/*
 * virtio_pci_legacy_dev.c - the legacy virtio PCI interface as a library
 * (linux/virtio_pci_legacy.h): BAR 0 in I/O space, each field accessed at
 * its own width (spec 4.1.4.10's table).
 */
#define KBUILD_MODNAME "virtio-pci"

#include <errno.h>

#include <linux/io.h>
#include <linux/pci.h>
#include <linux/virtio_pci_legacy.h>

static void __iomem *reg(struct virtio_pci_legacy_device *ldev, unsigned int off)
{
	return (u8 __iomem *)ldev->ioaddr + off;
}

int vp_legacy_probe(struct virtio_pci_legacy_device *ldev)
{
	struct pci_dev *pci_dev = ldev->pci_dev;

	/* spec 4.1.2.3: transitional ids only, revision 0 (a legacy driver's
	 * ABI version); anything else is not for us. */
	if (pci_dev->device < VIRTIO_PCI_TRANS_DEVICE_MIN ||
	    pci_dev->device > VIRTIO_PCI_TRANS_DEVICE_MAX)
		return -ENODEV;
	if (pci_dev->revision != VIRTIO_PCI_ABI_VERSION) {
		dev_err(&pci_dev->dev, "virtio_pci: ABI version %u, expected %u", pci_dev->revision,
			VIRTIO_PCI_ABI_VERSION);
		return -ENODEV;
	}
	/* spec 4.1.4.10: the legacy header is BAR 0, in I/O space. */
	if (!(pci_resource_flags(pci_dev, 0) & IORESOURCE_IO)) {
		dev_err(&pci_dev->dev, "virtio_pci: legacy device without an I/O BAR 0");
		return -ENODEV;
	}
	ldev->ioaddr = pci_iomap(pci_dev, 0, 0);
	if (!ldev->ioaddr)
		return -ENOMEM;
	ldev->isr = reg(ldev, VIRTIO_PCI_ISR);
	ldev->id.vendor = pci_dev->subsystem_vendor;
	ldev->id.device = pci_dev->subsystem_device;
	return 0;
}

void vp_legacy_remove(struct virtio_pci_legacy_device *ldev)
{
	pci_iounmap(ldev->pci_dev, ldev->ioaddr);
}

u64 vp_legacy_get_features(struct virtio_pci_legacy_device *ldev)
{
	return ioread32(reg(ldev, VIRTIO_PCI_HOST_FEATURES));
}

u64 vp_legacy_get_driver_features(struct virtio_pci_legacy_device *ldev)
{
	return ioread32(reg(ldev, VIRTIO_PCI_GUEST_FEATURES));
}

void vp_legacy_set_features(struct virtio_pci_legacy_device *ldev, u32 features)
{
	iowrite32(features, reg(ldev, VIRTIO_PCI_GUEST_FEATURES));
}

u8 vp_legacy_get_status(struct virtio_pci_legacy_device *ldev)
{
	return ioread8(reg(ldev, VIRTIO_PCI_STATUS));
}

void vp_legacy_set_status(struct virtio_pci_legacy_device *ldev, u8 status)
{
	iowrite8(status, reg(ldev, VIRTIO_PCI_STATUS));
}

u16 vp_legacy_queue_vector(struct virtio_pci_legacy_device *ldev, u16 index, u16 vector)
{
	iowrite16(index, reg(ldev, VIRTIO_PCI_QUEUE_SEL));
	iowrite16(vector, reg(ldev, VIRTIO_MSI_QUEUE_VECTOR));
	/* Read back: NO_VECTOR when the device could not map it. */
	return ioread16(reg(ldev, VIRTIO_MSI_QUEUE_VECTOR));
}

u16 vp_legacy_config_vector(struct virtio_pci_legacy_device *ldev, u16 vector)
{
	iowrite16(vector, reg(ldev, VIRTIO_MSI_CONFIG_VECTOR));
	return ioread16(reg(ldev, VIRTIO_MSI_CONFIG_VECTOR));
}

void vp_legacy_set_queue_address(struct virtio_pci_legacy_device *ldev, u16 index, u32 queue_pfn)
{
	iowrite16(index, reg(ldev, VIRTIO_PCI_QUEUE_SEL));
	iowrite32(queue_pfn, reg(ldev, VIRTIO_PCI_QUEUE_PFN));
}

bool vp_legacy_get_queue_enable(struct virtio_pci_legacy_device *ldev, u16 index)
{
	iowrite16(index, reg(ldev, VIRTIO_PCI_QUEUE_SEL));
	return ioread32(reg(ldev, VIRTIO_PCI_QUEUE_PFN)) != 0;
}

u16 vp_legacy_get_queue_size(struct virtio_pci_legacy_device *ldev, u16 index)
{
	iowrite16(index, reg(ldev, VIRTIO_PCI_QUEUE_SEL));
	return ioread16(reg(ldev, VIRTIO_PCI_QUEUE_NUM));
}
