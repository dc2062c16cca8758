/*
 * linux/virtio_pci_legacy.h - the legacy virtio PCI interface of a
 * transitional device (spec 4.1.4.10): one I/O BAR 0 with the legacy
 * header (core/pci_regs.h VIRTIO_PCI_*), the two MSI-X vector registers
 * while MSI-X is enabled, then the device-specific configuration.  A
 * library over one PCI function (driver/virtio_pci_legacy_dev.c); the
 * transport driver is driver/virtio_pci_legacy.c.
 */
#ifndef VS_LINUX_VIRTIO_PCI_LEGACY_H
#define VS_LINUX_VIRTIO_PCI_LEGACY_H

#include <linux/compiler.h>
#include <linux/mod_devicetable.h>
#include <linux/pci.h>

/* The legacy interface says the layout revision in the PCI revision id. */
#define VIRTIO_PCI_ABI_VERSION 0

/*
 * struct virtio_pci_legacy_device - a transitional function, legacy side.
 * @pci_dev: the function
 * @ioaddr: BAR 0, the legacy header
 * @isr: the ISR status byte in it
 * @id: device id (the subsystem device id) and vendor (subsystem vendor)
 */
struct virtio_pci_legacy_device {
	struct pci_dev *pci_dev;
	void __iomem *ioaddr;
	u8 __iomem *isr;
	struct virtio_device_id id;
};

/* -ENODEV when the function is no transitional virtio device (id outside
 * 0x1000..0x103f, revision not 0, or BAR 0 not an I/O BAR); -ENOMEM when
 * BAR 0 cannot be mapped. */
int vp_legacy_probe(struct virtio_pci_legacy_device *ldev);
void vp_legacy_remove(struct virtio_pci_legacy_device *ldev);

/* Feature bits 0-31: the only ones the legacy header carries. */
u64 vp_legacy_get_features(struct virtio_pci_legacy_device *ldev);
u64 vp_legacy_get_driver_features(struct virtio_pci_legacy_device *ldev);
void vp_legacy_set_features(struct virtio_pci_legacy_device *ldev, u32 features);
u8 vp_legacy_get_status(struct virtio_pci_legacy_device *ldev);
void vp_legacy_set_status(struct virtio_pci_legacy_device *ldev, u8 status);
/* Only while MSI-X is enabled (the registers exist then): map, read back. */
u16 vp_legacy_queue_vector(struct virtio_pci_legacy_device *ldev, u16 index, u16 vector);
u16 vp_legacy_config_vector(struct virtio_pci_legacy_device *ldev, u16 vector);
/* Queue address in 4096-byte pages; 0 deactivates the queue. */
void vp_legacy_set_queue_address(struct virtio_pci_legacy_device *ldev, u16 index, u32 queue_pfn);
bool vp_legacy_get_queue_enable(struct virtio_pci_legacy_device *ldev, u16 index);
u16 vp_legacy_get_queue_size(struct virtio_pci_legacy_device *ldev, u16 index);

#endif /* VS_LINUX_VIRTIO_PCI_LEGACY_H */
