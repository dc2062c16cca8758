/*
 * linux/virtio_pci_modern.h - the modern virtio PCI interface (spec
 * 4.1.4) as a library over one PCI function: find the virtio vendor
 * capabilities, map each structure, and read and write the common
 * configuration fields with the width the spec gives each (spec 4.1.3.1).
 * driver/virtio_pci_modern_dev.c; the transport driver
 * (driver/virtio_pci_modern.c) builds on it.
 */
#ifndef VS_LINUX_VIRTIO_PCI_MODERN_H
#define VS_LINUX_VIRTIO_PCI_MODERN_H

#include <linux/compiler.h>
#include <linux/mod_devicetable.h>
#include <linux/pci.h>

/*
 * struct virtio_pci_modern_device - the mapped structures of one function.
 * @pci_dev: the function
 * @common: common configuration (VIRTIO_PCI_COMMON_* offsets)
 * @common_len: bytes mapped (64 with queue_reset and the admin fields, at
 *	least the 56 up to queue_device)
 * @device: device-specific configuration, NULL when the device has none
 * @device_len: its bytes (at most one page is mapped)
 * @notify_base: start of the notification structure
 * @notify_len: its bytes
 * @notify_offset_multiplier: queue_notify_off unit, in bytes
 * @isr: the ISR status byte
 * @id: device id (virtio numbering) and vendor (subsystem vendor)
 */
struct virtio_pci_modern_device {
	struct pci_dev *pci_dev;
	void __iomem *common;
	size_t common_len;
	void __iomem *device;
	size_t device_len;
	void __iomem *notify_base;
	size_t notify_len;
	u32 notify_offset_multiplier;
	u8 __iomem *isr;
	struct virtio_device_id id;
};

/* Identify the device and map its structures.  -ENODEV when it is no
 * modern virtio device (ids outside 0x1000..0x107f, or no common
 * configuration capability: a legacy-only device), -EINVAL when a
 * required structure (notify, ISR) is missing or does not fit its BAR. */
int vp_modern_probe(struct virtio_pci_modern_device *mdev);
void vp_modern_remove(struct virtio_pci_modern_device *mdev);

u64 vp_modern_get_features(struct virtio_pci_modern_device *mdev);
u64 vp_modern_get_driver_features(struct virtio_pci_modern_device *mdev);
void vp_modern_set_features(struct virtio_pci_modern_device *mdev, u64 features);
u32 vp_modern_generation(struct virtio_pci_modern_device *mdev);
u8 vp_modern_get_status(struct virtio_pci_modern_device *mdev);
void vp_modern_set_status(struct virtio_pci_modern_device *mdev, u8 status);
u16 vp_modern_get_num_queues(struct virtio_pci_modern_device *mdev);

/* Map the event to vector and return what the device reads back:
 * VIRTIO_MSI_NO_VECTOR when it could not map it. */
u16 vp_modern_queue_vector(struct virtio_pci_modern_device *mdev, u16 index, u16 vector);
u16 vp_modern_config_vector(struct virtio_pci_modern_device *mdev, u16 vector);

void vp_modern_queue_address(struct virtio_pci_modern_device *mdev, u16 index, u64 desc_addr,
			     u64 driver_addr, u64 device_addr);
void vp_modern_set_queue_enable(struct virtio_pci_modern_device *mdev, u16 index, bool enable);
bool vp_modern_get_queue_enable(struct virtio_pci_modern_device *mdev, u16 index);
void vp_modern_set_queue_size(struct virtio_pci_modern_device *mdev, u16 index, u16 size);
u16 vp_modern_get_queue_size(struct virtio_pci_modern_device *mdev, u16 index);

/* Reset queue index (VIRTIO_F_RING_RESET) and wait, a bounded number of
 * reads, until queue_reset and queue_enable read 0: 0 or -ETIMEDOUT. */
int vp_modern_set_queue_reset(struct virtio_pci_modern_device *mdev, u16 index);
bool vp_modern_get_queue_reset(struct virtio_pci_modern_device *mdev, u16 index);

/* The notify address of queue index: notify_base + queue_notify_off x
 * notify_offset_multiplier; NULL when that lies outside the structure
 * (width: 2 bytes, 4 with notification data). */
void __iomem *vp_modern_map_vq_notify(struct virtio_pci_modern_device *mdev, u16 index,
				      unsigned int width);

#endif /* VS_LINUX_VIRTIO_PCI_MODERN_H */
