/*
 * virtio_pci_modern_dev.c - the modern virtio PCI interface as a library
 * (linux/virtio_pci_modern.h): capability walk, structure mapping, and
 * common configuration accessors.
 *
 * Every capability field is the device's word: a structure that does not
 * fit its BAR, is misaligned, or is too short for what the driver needs
 * fails the probe with a message naming the values (spec 4.1.4.1: reserved
 * cfg_type and bar values are skipped, a larger cap_len is accepted).
 * Field widths follow spec drv.pci.pci-device-layout.1: 8-bit
 * fields with 8-bit accesses, 16 with 16, 32 and 64 with 32.
 */
#define KBUILD_MODNAME "virtio-pci"

#include <errno.h>

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/virtio_pci_modern.h>

/* Status and queue_reset reads, 1 ms of virtual time apart, before a
 * reset counts as failed. */
#define VP_RESET_POLLS 100u
/* Bytes of the common configuration the driver cannot do without (up to
 * and including queue_device). */
#define VP_COMMON_MIN_LEN (VIRTIO_PCI_COMMON_Q_USEDHI + 4)

static void __iomem *cfg_field(struct virtio_pci_modern_device *mdev, unsigned int off)
{
	return (u8 __iomem *)mdev->common + off;
}

/* The first virtio capability of cfg_type whose BAR exists and is of one
 * of the ioresource_types (spec drv.pci.virtio-structure-pci-capabilities.2:
 * the first instance the driver can use); 0 when none. */
static u8 virtio_pci_find_capability(struct pci_dev *dev, u8 cfg_type,
				     unsigned long ioresource_types)
{
	u8 pos;

	for (pos = pci_find_capability(dev, PCI_CAP_ID_VNDR); pos > 0;
	     pos = pci_find_next_capability(dev, pos, PCI_CAP_ID_VNDR)) {
		u8 type, bar;

		pci_read_config_byte(dev, pos + VIRTIO_PCI_CAP_CFG_TYPE, &type);
		pci_read_config_byte(dev, pos + VIRTIO_PCI_CAP_BAR, &bar);
		/* spec drv.pci.virtio-structure-pci-capabilities.1 and .4:
		 * ignore reserved types (we only ask for known ones) and
		 * reserved BAR numbers. */
		if (bar >= PCI_STD_NUM_BARS)
			continue;
		if (type == cfg_type && pci_resource_len(dev, bar) &&
		    (pci_resource_flags(dev, bar) & ioresource_types))
			return pos;
	}
	return 0;
}

/*
 * Map the structure of the capability at off: at least minlen bytes from
 * start, offset aligned to align, at most size bytes mapped (*len, when
 * given, says how many).  NULL, logged, when the device's numbers do not
 * add up.
 */
static void __iomem *vp_modern_map_capability(struct virtio_pci_modern_device *mdev, u8 off,
					      size_t minlen, u32 align, u32 start, size_t size,
					      size_t *len)
{
	struct pci_dev *dev = mdev->pci_dev;
	u32 offset, length;
	void __iomem *p;
	u8 bar;

	pci_read_config_byte(dev, off + VIRTIO_PCI_CAP_BAR, &bar);
	pci_read_config_dword(dev, off + VIRTIO_PCI_CAP_OFFSET, &offset);
	pci_read_config_dword(dev, off + VIRTIO_PCI_CAP_LENGTH, &length);

	if (length <= start) {
		dev_err(&dev->dev, "virtio_pci: bad capability len %u (>%u expected)", length, start);
		return NULL;
	}
	if (length - start < minlen) {
		dev_err(&dev->dev, "virtio_pci: bad capability len %u (>=%zu expected)", length,
			minlen);
		return NULL;
	}
	length -= start;
	if (start + offset < offset) {
		dev_err(&dev->dev, "virtio_pci: map wrap-around %u+%u", start, offset);
		return NULL;
	}
	offset += start;
	if (offset & (align - 1)) {
		dev_err(&dev->dev, "virtio_pci: offset %u not aligned to %u", offset, align);
		return NULL;
	}
	/* spec drv.pci.virtio-structure-pci-capabilities.6: a larger length
	 * than needed is fine; map only what we use (.5). */
	if (length > size)
		length = (u32)size;
	if (len)
		*len = length;
	if ((u64)offset + length > pci_resource_len(dev, bar)) {
		dev_err(&dev->dev, "virtio_pci: map %u@%u out of range on BAR %u of %llu bytes",
			length, offset, bar, (unsigned long long)pci_resource_len(dev, bar));
		return NULL;
	}
	p = pci_iomap_range(dev, bar, offset, length);
	if (!p)
		dev_err(&dev->dev, "virtio_pci: unable to map %u@%u on BAR %u", length, offset, bar);
	return p;
}

int vp_modern_probe(struct virtio_pci_modern_device *mdev)
{
	struct pci_dev *pci_dev = mdev->pci_dev;
	unsigned long types = IORESOURCE_IO | IORESOURCE_MEM;
	u8 common, isr, notify, device;

	/* spec 4.1.2: modern ids are 0x1040 + type; transitional ones carry
	 * the type in the subsystem device id. */
	if (pci_dev->device < VIRTIO_PCI_TRANS_DEVICE_MIN || pci_dev->device > 0x107f)
		return -ENODEV;
	if (pci_dev->device < VIRTIO_PCI_MODERN_DEVICE_BASE)
		mdev->id.device = pci_dev->subsystem_device;
	else
		mdev->id.device = pci_dev->device - VIRTIO_PCI_MODERN_DEVICE_BASE;
	mdev->id.vendor = pci_dev->subsystem_vendor;

	/* spec 4.1.5.1.1.1: no common configuration capability, no modern
	 * interface: leave the device to the legacy driver. */
	common = virtio_pci_find_capability(pci_dev, VIRTIO_PCI_CAP_COMMON_CFG, types);
	if (!common) {
		dev_info(&pci_dev->dev, "virtio_pci: leaving for legacy driver");
		return -ENODEV;
	}
	isr = virtio_pci_find_capability(pci_dev, VIRTIO_PCI_CAP_ISR_CFG, types);
	notify = virtio_pci_find_capability(pci_dev, VIRTIO_PCI_CAP_NOTIFY_CFG, types);
	if (!isr || !notify) {
		dev_err(&pci_dev->dev, "virtio_pci: missing capabilities %u/%u/%u", common, isr,
			notify);
		return -EINVAL;
	}
	/* Device configuration is optional: some types have none. */
	device = virtio_pci_find_capability(pci_dev, VIRTIO_PCI_CAP_DEVICE_CFG, types);

	mdev->common = vp_modern_map_capability(mdev, common, VP_COMMON_MIN_LEN, 4, 0,
						VIRTIO_PCI_COMMON_SIZE, &mdev->common_len);
	if (!mdev->common)
		return -EINVAL;
	mdev->isr = vp_modern_map_capability(mdev, isr, 1, 1, 0, 1, NULL);
	if (!mdev->isr)
		goto out_unmap_common;

	pci_read_config_dword(pci_dev, notify + VIRTIO_PCI_NOTIFY_CAP_MULT,
			      &mdev->notify_offset_multiplier);
	mdev->notify_base = vp_modern_map_capability(mdev, notify, 2, 2, 0, (size_t)-1,
						     &mdev->notify_len);
	if (!mdev->notify_base)
		goto out_unmap_isr;

	if (device) {
		mdev->device = vp_modern_map_capability(mdev, device, 0, 4, 0, PAGE_SIZE,
							&mdev->device_len);
		if (!mdev->device)
			goto out_unmap_notify;
	}
	return 0;

out_unmap_notify:
	pci_iounmap(pci_dev, mdev->notify_base);
out_unmap_isr:
	pci_iounmap(pci_dev, mdev->isr);
out_unmap_common:
	pci_iounmap(pci_dev, mdev->common);
	return -EINVAL;
}

void vp_modern_remove(struct virtio_pci_modern_device *mdev)
{
	struct pci_dev *pci_dev = mdev->pci_dev;

	if (mdev->device)
		pci_iounmap(pci_dev, mdev->device);
	pci_iounmap(pci_dev, mdev->notify_base);
	pci_iounmap(pci_dev, mdev->isr);
	pci_iounmap(pci_dev, mdev->common);
}

/* ---- whole device ---- */

u64 vp_modern_get_features(struct virtio_pci_modern_device *mdev)
{
	u64 features;

	/* spec 4.1.4.3: select the word, then read it. */
	iowrite32(0, cfg_field(mdev, VIRTIO_PCI_COMMON_DFSELECT));
	features = ioread32(cfg_field(mdev, VIRTIO_PCI_COMMON_DF));
	iowrite32(1, cfg_field(mdev, VIRTIO_PCI_COMMON_DFSELECT));
	features |= (u64)ioread32(cfg_field(mdev, VIRTIO_PCI_COMMON_DF)) << 32;
	return features;
}

u64 vp_modern_get_driver_features(struct virtio_pci_modern_device *mdev)
{
	u64 features;

	iowrite32(0, cfg_field(mdev, VIRTIO_PCI_COMMON_GFSELECT));
	features = ioread32(cfg_field(mdev, VIRTIO_PCI_COMMON_GF));
	iowrite32(1, cfg_field(mdev, VIRTIO_PCI_COMMON_GFSELECT));
	features |= (u64)ioread32(cfg_field(mdev, VIRTIO_PCI_COMMON_GF)) << 32;
	return features;
}

void vp_modern_set_features(struct virtio_pci_modern_device *mdev, u64 features)
{
	iowrite32(0, cfg_field(mdev, VIRTIO_PCI_COMMON_GFSELECT));
	iowrite32((u32)features, cfg_field(mdev, VIRTIO_PCI_COMMON_GF));
	iowrite32(1, cfg_field(mdev, VIRTIO_PCI_COMMON_GFSELECT));
	iowrite32((u32)(features >> 32), cfg_field(mdev, VIRTIO_PCI_COMMON_GF));
}

u32 vp_modern_generation(struct virtio_pci_modern_device *mdev)
{
	return ioread8(cfg_field(mdev, VIRTIO_PCI_COMMON_CFGGENERATION));
}

u8 vp_modern_get_status(struct virtio_pci_modern_device *mdev)
{
	return ioread8(cfg_field(mdev, VIRTIO_PCI_COMMON_STATUS));
}

void vp_modern_set_status(struct virtio_pci_modern_device *mdev, u8 status)
{
	iowrite8(status, cfg_field(mdev, VIRTIO_PCI_COMMON_STATUS));
}

u16 vp_modern_get_num_queues(struct virtio_pci_modern_device *mdev)
{
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_NUMQ));
}

u16 vp_modern_config_vector(struct virtio_pci_modern_device *mdev, u16 vector)
{
	/* spec drv.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.5:
	 * write, then read back; NO_VECTOR means the device could not map it. */
	iowrite16(vector, cfg_field(mdev, VIRTIO_PCI_COMMON_MSIX));
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_MSIX));
}

/* ---- one queue: select it, then its fields ---- */

static void vp_modern_select(struct virtio_pci_modern_device *mdev, u16 index)
{
	iowrite16(index, cfg_field(mdev, VIRTIO_PCI_COMMON_Q_SELECT));
}

u16 vp_modern_queue_vector(struct virtio_pci_modern_device *mdev, u16 index, u16 vector)
{
	vp_modern_select(mdev, index);
	iowrite16(vector, cfg_field(mdev, VIRTIO_PCI_COMMON_Q_MSIX));
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_MSIX));
}

static void vp_iowrite64_twopart(u64 val, struct virtio_pci_modern_device *mdev,
				 unsigned int lo, unsigned int hi)
{
	iowrite32((u32)val, cfg_field(mdev, lo));
	iowrite32((u32)(val >> 32), cfg_field(mdev, hi));
}

void vp_modern_queue_address(struct virtio_pci_modern_device *mdev, u16 index, u64 desc_addr,
			     u64 driver_addr, u64 device_addr)
{
	vp_modern_select(mdev, index);
	vp_iowrite64_twopart(desc_addr, mdev, VIRTIO_PCI_COMMON_Q_DESCLO,
			     VIRTIO_PCI_COMMON_Q_DESCHI);
	vp_iowrite64_twopart(driver_addr, mdev, VIRTIO_PCI_COMMON_Q_AVAILLO,
			     VIRTIO_PCI_COMMON_Q_AVAILHI);
	vp_iowrite64_twopart(device_addr, mdev, VIRTIO_PCI_COMMON_Q_USEDLO,
			     VIRTIO_PCI_COMMON_Q_USEDHI);
}

void vp_modern_set_queue_enable(struct virtio_pci_modern_device *mdev, u16 index, bool enable)
{
	vp_modern_select(mdev, index);
	iowrite16(enable, cfg_field(mdev, VIRTIO_PCI_COMMON_Q_ENABLE));
}

bool vp_modern_get_queue_enable(struct virtio_pci_modern_device *mdev, u16 index)
{
	vp_modern_select(mdev, index);
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_ENABLE));
}

void vp_modern_set_queue_size(struct virtio_pci_modern_device *mdev, u16 index, u16 size)
{
	vp_modern_select(mdev, index);
	iowrite16(size, cfg_field(mdev, VIRTIO_PCI_COMMON_Q_SIZE));
}

u16 vp_modern_get_queue_size(struct virtio_pci_modern_device *mdev, u16 index)
{
	vp_modern_select(mdev, index);
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_SIZE));
}

bool vp_modern_get_queue_reset(struct virtio_pci_modern_device *mdev, u16 index)
{
	if (mdev->common_len < VIRTIO_PCI_COMMON_Q_RESET + 2)
		return false;
	vp_modern_select(mdev, index);
	return ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_RESET));
}

int vp_modern_set_queue_reset(struct virtio_pci_modern_device *mdev, u16 index)
{
	unsigned int polls;

	if (mdev->common_len < VIRTIO_PCI_COMMON_Q_RESET + 2)
		return -ENOENT;
	vp_modern_select(mdev, index);
	iowrite16(1, cfg_field(mdev, VIRTIO_PCI_COMMON_Q_RESET));
	/* spec drv.pci.pci-device-layout.common-configuration-structure-layout.7:
	 * not done until queue_reset reads back 0 (and the queue is disabled). */
	for (polls = 0; polls < VP_RESET_POLLS; polls++) {
		if (!ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_RESET)) &&
		    !ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_ENABLE)))
			return 0;
		msleep(1);
	}
	dev_err(&mdev->pci_dev->dev, "queue %u reset incomplete after %u reads", index, polls);
	return -ETIMEDOUT;
}

void __iomem *vp_modern_map_vq_notify(struct virtio_pci_modern_device *mdev, u16 index,
				      unsigned int width)
{
	u64 off;
	u16 notify_off;

	vp_modern_select(mdev, index);
	notify_off = ioread16(cfg_field(mdev, VIRTIO_PCI_COMMON_Q_NOFF));
	/* spec 4.1.4.4: cap.offset + queue_notify_off * notify_off_multiplier;
	 * the device promised the structure covers it (dev side .1/.2). */
	off = (u64)notify_off * mdev->notify_offset_multiplier;
	if (off + width > mdev->notify_len) {
		dev_err(&mdev->pci_dev->dev,
			"queue %u: notify offset %u x %u = %llu beyond the %zu-byte structure",
			index, notify_off, mdev->notify_offset_multiplier,
			(unsigned long long)off, mdev->notify_len);
		return NULL;
	}
	return (u8 __iomem *)mdev->notify_base + off;
}
