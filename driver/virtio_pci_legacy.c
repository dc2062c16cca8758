/*
 * virtio_pci_legacy.c - virtio PCI over the legacy interface of a
 * transitional device (spec 4.1.4.10, 4.1.5.1.3.1): 32 feature bits, no
 * FEATURES_OK, a queue of the size the device says at a page frame
 * number, the used ring aligned to 4096, and the device configuration at
 * offset 20 of BAR 0 -- or 24 while MSI-X is enabled, where the two
 * vector registers sit.
 *
 * The legacy device configuration is in the guest's byte order (ours is
 * little-endian) and may be accessed at any width: bytes, as Linux does.
 */
#define KBUILD_MODNAME "virtio-pci"

#include <errno.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/virtio_ring.h>

#include "driver/virtio_pci_common.h"

/* Largest split ring (spec 2.7: Queue Size at most 32768). */
#define VP_LEGACY_QUEUE_MAX 32768u

static u64 vp_get_features(struct virtio_device *vdev)
{
	/* When someone needs more than 32 feature bits, we'll need to steal
	 * a bit to indicate that the rest are somewhere else. */
	return vp_legacy_get_features(&to_vp_device(vdev)->ldev);
}

static int vp_finalize_features(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);

	/* Give virtio_ring a chance to accept features. */
	vring_transport_features(vdev);
	/* spec 4.1.4.10: only bits 0-31 cross the legacy interface. */
	if (vdev->features >> 32) {
		dev_err(&vdev->dev, "legacy interface cannot accept features %#llx",
			(unsigned long long)vdev->features);
		return -EINVAL;
	}
	vp_legacy_set_features(&vp_dev->ldev, (u32)vdev->features);
	return 0;
}

static void __iomem *vp_config_addr(struct virtio_pci_device *vp_dev, unsigned int offset)
{
	/* spec 4.1.4.10: the config moves with MSI-X enable. */
	return (u8 __iomem *)vp_dev->ldev.ioaddr + VIRTIO_PCI_CONFIG_OFF(vp_dev->msix_enabled) +
	       offset;
}

static void vp_get(struct virtio_device *vdev, unsigned int offset, void *buf, unsigned int len)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	void __iomem *ioaddr = vp_config_addr(vp_dev, offset);
	u8 *ptr = buf;
	unsigned int i;

	for (i = 0; i < len; i++)
		ptr[i] = ioread8((u8 __iomem *)ioaddr + i);
}

static void vp_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		   unsigned int len)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	void __iomem *ioaddr = vp_config_addr(vp_dev, offset);
	const u8 *ptr = buf;
	unsigned int i;

	for (i = 0; i < len; i++)
		iowrite8(ptr[i], (u8 __iomem *)ioaddr + i);
}

static u8 vp_get_status(struct virtio_device *vdev)
{
	return vp_legacy_get_status(&to_vp_device(vdev)->ldev);
}

static void vp_set_status(struct virtio_device *vdev, u8 status)
{
	/* We should never be setting status to 0: that is vp_reset. */
	if (WARN_ON(!status))
		return;
	vp_legacy_set_status(&to_vp_device(vdev)->ldev, status);
}

static int vp_reset(struct virtio_device *vdev)
{
	/* 0 status means a reset. */
	vp_legacy_set_status(&to_vp_device(vdev)->ldev, 0);
	return vp_wait_reset(vdev);
}

static u16 vp_config_vector(struct virtio_pci_device *vp_dev, u16 vector)
{
	return vp_legacy_config_vector(&vp_dev->ldev, vector);
}

static struct virtqueue *setup_vq(struct virtio_pci_device *vp_dev,
				  struct virtio_pci_vq_info *info, unsigned int index,
				  void (*callback)(struct virtqueue *vq), const char *name, bool ctx,
				  u16 msix_vec)
{
	struct virtio_pci_legacy_device *ldev = &vp_dev->ldev;
	struct virtqueue *vq;
	u64 q_pfn;
	u16 num;
	int err;

	/* Check if queue is either not available or already active. */
	num = vp_legacy_get_queue_size(ldev, (u16)index);
	if (!num || vp_legacy_get_queue_enable(ldev, (u16)index))
		return ERR_PTR(-ENOENT);
	/* spec 4.1.5.1.3.1: there is no telling the device another size,
	 * so its size must be one a split ring can have. */
	if (!is_power_of_2(num) || num > VP_LEGACY_QUEUE_MAX) {
		dev_err(&vp_dev->vdev.dev, "queue %u: legacy queue size %u is not a power of 2",
			index, num);
		return ERR_PTR(-EINVAL);
	}
	info->msix_vector = msix_vec;

	/* Create the vring: the legacy layout, used ring at 4096. */
	vq = vring_create_virtqueue(index, num, VIRTIO_PCI_VRING_ALIGN, &vp_dev->vdev, true, false,
				    ctx, vp_notify, callback, name);
	if (!vq)
		return ERR_PTR(-ENOMEM);
	vq->num_max = num;

	q_pfn = virtqueue_get_desc_addr(vq) >> VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	if (q_pfn >> 32) {
		dev_err(&vp_dev->vdev.dev, "queue %u: page frame %#llx beyond 32 bits", index,
			(unsigned long long)q_pfn);
		err = -E2BIG;
		goto out_del_vq;
	}
	/* Activate the queue. */
	vp_legacy_set_queue_address(ldev, (u16)index, (u32)q_pfn);
	vq->priv = (u8 __iomem *)ldev->ioaddr + VIRTIO_PCI_QUEUE_NOTIFY;

	if (msix_vec != VIRTIO_MSI_NO_VECTOR) {
		msix_vec = vp_legacy_queue_vector(ldev, (u16)index, msix_vec);
		if (msix_vec == VIRTIO_MSI_NO_VECTOR) {
			err = -EBUSY;
			goto out_deactivate;
		}
	}
	return vq;

out_deactivate:
	vp_legacy_set_queue_address(ldev, (u16)index, 0);
out_del_vq:
	vring_del_virtqueue(vq);
	return ERR_PTR(err);
}

static void del_vq(struct virtio_pci_vq_info *info)
{
	struct virtqueue *vq = info->vq;
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);
	struct virtio_pci_legacy_device *ldev = &vp_dev->ldev;

	if (vp_dev->msix_enabled)
		vp_legacy_queue_vector(ldev, (u16)vq->index, VIRTIO_MSI_NO_VECTOR);
	/* Select and deactivate the queue. */
	vp_legacy_set_queue_address(ldev, (u16)vq->index, 0);
	vring_del_virtqueue(vq);
}

static const struct virtio_config_ops virtio_pci_config_ops = {
	.get = vp_get,
	.set = vp_set,
	.get_status = vp_get_status,
	.set_status = vp_set_status,
	.reset = vp_reset,
	.find_vqs = vp_find_vqs,
	.del_vqs = vp_del_vqs,
	.synchronize_cbs = vp_synchronize_vectors,
	.get_features = vp_get_features,
	.finalize_features = vp_finalize_features,
	.bus_name = vp_bus_name,
};

int virtio_pci_legacy_probe(struct virtio_pci_device *vp_dev)
{
	struct virtio_pci_legacy_device *ldev = &vp_dev->ldev;
	int rc;

	memset(ldev, 0, sizeof(*ldev));
	ldev->pci_dev = vp_dev->pci_dev;
	rc = vp_legacy_probe(ldev);
	if (rc)
		return rc;
	vp_dev->isr = ldev->isr;
	vp_dev->vdev.id = ldev->id;
	vp_dev->vdev.config = &virtio_pci_config_ops;
	vp_dev->config_vector = vp_config_vector;
	vp_dev->setup_vq = setup_vq;
	vp_dev->del_vq = del_vq;
	vp_dev->is_legacy = true;
	return 0;
}

void virtio_pci_legacy_remove(struct virtio_pci_device *vp_dev)
{
	vp_legacy_remove(&vp_dev->ldev);
}
