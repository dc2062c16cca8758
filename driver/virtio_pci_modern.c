/*
 * virtio_pci_modern.c - virtio PCI over the modern interface (spec 4.1.4,
 * 4.1.5): config ops on top of the structures virtio_pci_modern_dev.c
 * mapped, queue setup through the common configuration, notifications at
 * queue_notify_off x notify_off_multiplier.
 *
 * Queue setup order (spec 4.1.5.1.3): select, read queue_size (0: no such
 * queue), write a smaller size, the three addresses, the MSI-X vector
 * (read back: NO_VECTOR fails this policy step), and -- only after every
 * queue is set up, in find_vqs -- queue_enable (spec
 * drv.pci.pci-device-layout.common-configuration-structure-layout.4).
 */
#define KBUILD_MODNAME "virtio-pci"

#include <errno.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/virtio_ring.h>

#include "driver/virtio_pci_common.h"

/* Ring alignment of a modern split ring (the spec asks for less). */
#define SMP_CACHE_BYTES 64u
/* We never ask for more entries than this (the device may offer more). */
#define VP_QUEUE_SIZE_CAP 256u

static u64 vp_get_features(struct virtio_device *vdev)
{
	return vp_modern_get_features(&to_vp_device(vdev)->mdev);
}

static int vp_finalize_features(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);

	/* Give virtio_ring a chance to accept features. */
	vring_transport_features(vdev);
	/* Make sure there are no mixed devices: the modern interface is
	 * VIRTIO 1.x, and VERSION_1 says so. */
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device uses the modern interface without VIRTIO_F_VERSION_1");
		return -EINVAL;
	}
	vp_modern_set_features(&vp_dev->mdev, vdev->features);
	return 0;
}

/* Device configuration, each access at the field's width (spec
 * drv.pci.pci-device-layout.1); buf holds little-endian bytes. */
static void vp_get(struct virtio_device *vdev, unsigned int offset, void *buf, unsigned int len)
{
	struct virtio_pci_modern_device *mdev = &to_vp_device(vdev)->mdev;
	u8 __iomem *device = mdev->device;
	u8 *b = buf;

	if (WARN_ON(!device || (size_t)offset + len > mdev->device_len)) {
		memset(buf, 0, len);
		return;
	}
	switch (len) {
	case 1:
		b[0] = ioread8(device + offset);
		break;
	case 2:
		vs_put_le16(b, ioread16(device + offset));
		break;
	case 4:
		vs_put_le32(b, ioread32(device + offset));
		break;
	case 8:
		vs_put_le32(b, ioread32(device + offset));
		vs_put_le32(b + 4, ioread32(device + offset + 4));
		break;
	default:
		WARN_ON(1);
		memset(buf, 0, len);
	}
}

static void vp_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		   unsigned int len)
{
	struct virtio_pci_modern_device *mdev = &to_vp_device(vdev)->mdev;
	u8 __iomem *device = mdev->device;
	const u8 *b = buf;

	if (WARN_ON(!device || (size_t)offset + len > mdev->device_len))
		return;
	switch (len) {
	case 1:
		iowrite8(b[0], device + offset);
		break;
	case 2:
		iowrite16(vs_le16(b), device + offset);
		break;
	case 4:
		iowrite32(vs_le32(b), device + offset);
		break;
	case 8:
		iowrite32(vs_le32(b), device + offset);
		iowrite32(vs_le32(b + 4), device + offset + 4);
		break;
	default:
		WARN_ON(1);
	}
}

static u32 vp_generation(struct virtio_device *vdev)
{
	return vp_modern_generation(&to_vp_device(vdev)->mdev);
}

static u8 vp_get_status(struct virtio_device *vdev)
{
	return vp_modern_get_status(&to_vp_device(vdev)->mdev);
}

static void vp_set_status(struct virtio_device *vdev, u8 status)
{
	/* We should never be setting status to 0: that is vp_reset. */
	if (WARN_ON(!status))
		return;
	vp_modern_set_status(&to_vp_device(vdev)->mdev, status);
}

static int vp_reset(struct virtio_device *vdev)
{
	/* 0 status means a reset. */
	vp_modern_set_status(&to_vp_device(vdev)->mdev, 0);
	return vp_wait_reset(vdev);
}

static u16 vp_config_vector(struct virtio_pci_device *vp_dev, u16 vector)
{
	return vp_modern_config_vector(&vp_dev->mdev, vector);
}

static bool vp_notify_with_data(struct virtqueue *vq)
{
	/* spec drv.pci.pci-specific-initialization-and-device-operation.available-buffer-notifications.2
	 * and .4: 32 bits, index | next_off | next_wrap. */
	iowrite32(vring_notification_data(vq), vq->priv);
	return true;
}

/* Size, addresses and vector of a queue already created: setup and the
 * re-enable after a queue reset.  -EBUSY when the vector is refused. */
static int vp_active_vq(struct virtqueue *vq, u16 msix_vec)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);
	struct virtio_pci_modern_device *mdev = &vp_dev->mdev;
	u16 index = (u16)vq->index;

	vp_modern_set_queue_size(mdev, index, (u16)virtqueue_get_vring_size(vq));
	vp_modern_queue_address(mdev, index, virtqueue_get_desc_addr(vq),
				virtqueue_get_avail_addr(vq), virtqueue_get_used_addr(vq));
	if (msix_vec != VIRTIO_MSI_NO_VECTOR) {
		msix_vec = vp_modern_queue_vector(mdev, index, msix_vec);
		if (msix_vec == VIRTIO_MSI_NO_VECTOR)
			return -EBUSY;
	}
	return 0;
}

static struct virtqueue *setup_vq(struct virtio_pci_device *vp_dev,
				  struct virtio_pci_vq_info *info, unsigned int index,
				  void (*callback)(struct virtqueue *vq), const char *name, bool ctx,
				  u16 msix_vec)
{
	struct virtio_pci_modern_device *mdev = &vp_dev->mdev;
	bool data = __virtio_test_bit(&vp_dev->vdev, VIRTIO_F_NOTIFICATION_DATA);
	struct virtqueue *vq;
	unsigned int size;
	u16 num;
	int err;

	if (index >= vp_modern_get_num_queues(mdev))
		return ERR_PTR(-ENOENT);
	/* Check if queue is either not available or already active. */
	num = vp_modern_get_queue_size(mdev, (u16)index);
	if (!num || vp_modern_get_queue_enable(mdev, (u16)index))
		return ERR_PTR(-ENOENT);
	info->msix_vector = msix_vec;

	/* spec 4.1.5.1.3 step 3: a smaller ring saves guest memory; a split
	 * ring needs a power of 2 (spec
	 * drv.pci.pci-device-layout.common-configuration-structure-layout.3). */
	size = min((unsigned int)num, VP_QUEUE_SIZE_CAP);
	if (!__virtio_test_bit(&vp_dev->vdev, VIRTIO_F_RING_PACKED))
		size = (unsigned int)rounddown_pow_of_two(size);
	vq = vring_create_virtqueue(index, size, SMP_CACHE_BYTES, &vp_dev->vdev, true, true, ctx,
				    data ? vp_notify_with_data : vp_notify, callback, name);
	if (!vq)
		return ERR_PTR(-ENOMEM);
	vq->num_max = num;

	err = vp_active_vq(vq, msix_vec);
	if (err)
		goto out_del;
	vq->priv = vp_modern_map_vq_notify(mdev, (u16)index, data ? 4 : 2);
	if (!vq->priv) {
		err = -ENOMEM;
		goto out_del;
	}
	return vq;

out_del:
	vring_del_virtqueue(vq);
	return ERR_PTR(err);
}

static void del_vq(struct virtio_pci_vq_info *info)
{
	struct virtqueue *vq = info->vq;
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);

	if (vp_dev->msix_enabled)
		vp_modern_queue_vector(&vp_dev->mdev, (u16)vq->index, VIRTIO_MSI_NO_VECTOR);
	vring_del_virtqueue(vq);
}

static int vp_modern_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			      struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
			      struct irq_affinity *desc)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	struct virtqueue *vq;
	int rc = vp_find_vqs(vdev, nvqs, vqs, vqs_info, desc);

	if (rc)
		return rc;
	/* Select and activate all queues.  Has to be done last: once we do
	 * this, there's no way to go back except reset. */
	list_for_each_entry(vq, &vdev->vqs, list)
		vp_modern_set_queue_enable(&vp_dev->mdev, (u16)vq->index, true);
	return 0;
}

static int vp_modern_disable_vq_and_reset(struct virtqueue *vq)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);
	struct virtio_pci_vq_info *info;
	unsigned long flags;
	int err;

	if (!__virtio_test_bit(vq->vdev, VIRTIO_F_RING_RESET))
		return -ENOENT;
	err = vp_modern_set_queue_reset(&vp_dev->mdev, (u16)vq->index);
	if (err)
		return err;
	/* Delete vq from the shared handlers until it is back. */
	info = vp_dev->vqs[vq->index];
	spin_lock_irqsave(&vp_dev->lock, flags);
	list_del(&info->node);
	spin_unlock_irqrestore(&vp_dev->lock, flags);
	vq->reset = true;
	return 0;
}

static int vp_modern_enable_vq_after_reset(struct virtqueue *vq)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);
	struct virtio_pci_modern_device *mdev = &vp_dev->mdev;
	struct virtio_pci_vq_info *info;
	unsigned long flags;
	u16 index = (u16)vq->index;
	int err;

	if (!vq->reset)
		return -EBUSY;
	info = vp_dev->vqs[index];
	if (vp_modern_get_queue_reset(mdev, index) || vp_modern_get_queue_enable(mdev, index))
		return -EBUSY;
	err = vp_active_vq(vq, (u16)info->msix_vector);
	if (err)
		return err;
	if (vq->callback) {
		spin_lock_irqsave(&vp_dev->lock, flags);
		list_add(&info->node, &vp_dev->virtqueues);
		spin_unlock_irqrestore(&vp_dev->lock, flags);
	}
	vq->reset = false;
	vp_modern_set_queue_enable(mdev, index, true);
	return 0;
}

static const struct virtio_config_ops virtio_pci_config_ops = {
	.get = vp_get,
	.set = vp_set,
	.generation = vp_generation,
	.get_status = vp_get_status,
	.set_status = vp_set_status,
	.reset = vp_reset,
	.find_vqs = vp_modern_find_vqs,
	.del_vqs = vp_del_vqs,
	.synchronize_cbs = vp_synchronize_vectors,
	.get_features = vp_get_features,
	.finalize_features = vp_finalize_features,
	.bus_name = vp_bus_name,
	.disable_vq_and_reset = vp_modern_disable_vq_and_reset,
	.enable_vq_after_reset = vp_modern_enable_vq_after_reset,
};

int virtio_pci_modern_probe(struct virtio_pci_device *vp_dev)
{
	struct virtio_pci_modern_device *mdev = &vp_dev->mdev;
	int err;

	memset(mdev, 0, sizeof(*mdev));
	mdev->pci_dev = vp_dev->pci_dev;
	err = vp_modern_probe(mdev);
	if (err)
		return err;
	/* Without a device configuration structure, vp_get warns and reads
	 * zeros: only a driver bug asks for one the type does not have. */
	vp_dev->vdev.config = &virtio_pci_config_ops;
	vp_dev->config_vector = vp_config_vector;
	vp_dev->setup_vq = setup_vq;
	vp_dev->del_vq = del_vq;
	vp_dev->isr = mdev->isr;
	vp_dev->vdev.id = mdev->id;
	vp_dev->is_legacy = false;
	return 0;
}

void virtio_pci_modern_remove(struct virtio_pci_device *vp_dev)
{
	vp_modern_remove(&vp_dev->mdev);
}
