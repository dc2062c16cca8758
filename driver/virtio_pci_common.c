/*
 * virtio_pci_common.c - the virtio PCI transport driver, the part shared
 * by the modern and the legacy interface: probe (modern first, then
 * legacy; legacy first with virtio_pci_force_legacy), interrupts, and the
 * list of queues the shared handlers dispatch to.
 *
 * Interrupts follow Linux's policy chain, each step falling through to the
 * next when the device (MSI-X table too small, a vector mapping read back
 * as NO_VECTOR) or the platform (too few free interrupt lines) cannot give
 * what it asks:
 *
 *   msix-per-vq   vector 0 config changes, one vector per queue with a
 *                 callback (1 + queues vectors)
 *   msix-shared   vector 0 config changes, vector 1 every queue (2)
 *   msix-single   vector 0 for config changes and queues alike (1)
 *   intx          the slot's INTx line; the ISR says what happened
 *
 * A device with one queue asks 2 vectors for per-vq and for shared alike,
 * so a table of 2 gives per-vq and the shared step only shows with two
 * queues or more.  The chain runs at each find_vqs (probe and restore).
 */
#define KBUILD_MODNAME "virtio-pci"

#include <errno.h>

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/virtio_ring.h>

#include "driver/virtio_pci_common.h"

bool virtio_pci_force_legacy;

enum vp_vq_vector_policy {
	VP_VQ_VECTOR_POLICY_EACH,   /* msix-per-vq */
	VP_VQ_VECTOR_POLICY_SHARED, /* msix-shared */
	VP_VQ_VECTOR_POLICY_SINGLE, /* msix-single */
};

void vp_synchronize_vectors(struct virtio_device *vdev)
{
	/* Handlers run in the raiser's context: none is in flight now. */
	(void)vdev;
}

int vp_wait_reset(struct virtio_device *vdev)
{
	unsigned int polls;
	u8 status = 0;

	for (polls = 0; polls < VP_RESET_POLLS; polls++) {
		status = vdev->config->get_status(vdev);
		if (!status) {
			vp_synchronize_vectors(vdev);
			return 0;
		}
		msleep(1);
	}
	dev_err(&vdev->dev, "reset incomplete: status %#x after %u reads", status, polls);
	return -ETIMEDOUT;
}

bool vp_notify(struct virtqueue *vq)
{
	/* spec drv.pci.pci-specific-initialization-and-device-operation.available-buffer-notifications.1
	 * and .3: a 16-bit write of the queue index (vq->priv is the
	 * queue's notify address, modern or legacy). */
	iowrite16((u16)vq->index, vq->priv);
	return true;
}

/* Config change vector (and the INTx path): tell the driver. */
static irqreturn_t vp_config_changed(int irq, void *opaque)
{
	struct virtio_pci_device *vp_dev = opaque;

	(void)irq;
	virtio_config_changed(&vp_dev->vdev);
	return IRQ_HANDLED;
}

/* Every queue with a callback: the shared vector and the INTx path. */
static irqreturn_t vp_vring_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp_dev = opaque;
	struct virtio_pci_vq_info *info;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;

	spin_lock_irqsave(&vp_dev->lock, flags);
	list_for_each_entry(info, &vp_dev->virtqueues, node) {
		if (vring_interrupt(irq, info->vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	}
	spin_unlock_irqrestore(&vp_dev->lock, flags);
	return ret;
}

/* msix-single: the one vector is config_msix_vector and every queue's, so
 * each message may mean either (spec 4.1.5.5: on the config vector,
 * re-examine the configuration). */
static irqreturn_t vp_single_interrupt(int irq, void *opaque)
{
	vp_config_changed(irq, opaque);
	vp_vring_interrupt(irq, opaque);
	return IRQ_HANDLED;
}

/* INTx: the ISR says why, and reading it clears it (spec 4.1.4.5). */
static irqreturn_t vp_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp_dev = opaque;
	u8 isr;

	isr = ioread8(vp_dev->isr);
	/* It's definitely not us if the ISR was not high. */
	if (!isr)
		return IRQ_NONE;
	/* spec drv.pci.pci-specific-initialization-and-device-operation.notification-device-configuration-changes.1:
	 * one interrupt may carry both. */
	if (isr & VIRTIO_PCI_ISR_CONFIG)
		vp_config_changed(irq, opaque);
	if (isr & VIRTIO_PCI_ISR_QUEUE)
		vp_vring_interrupt(irq, opaque);
	return IRQ_HANDLED;
}

/* Allocate nvectors MSI-X vectors, put config changes on vector 0 (and,
 * shared, the queues on vector 1).  On error the caller's vp_del_vqs
 * undoes whatever was done. */
static int vp_request_msix_vectors(struct virtio_device *vdev, unsigned int nvectors,
				   enum vp_vq_vector_policy policy)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	const char *name = dev_name(&vp_dev->vdev.dev);
	unsigned int v;
	int err;

	err = pci_alloc_irq_vectors(vp_dev->pci_dev, nvectors, nvectors, PCI_IRQ_MSIX);
	if (err < 0)
		return err;
	vp_dev->msix_vectors = nvectors;
	vp_dev->msix_enabled = 1;

	/* Set the vector used for configuration. */
	v = vp_dev->msix_used_vectors;
	err = request_irq((unsigned int)pci_irq_vector(vp_dev->pci_dev, v),
			  policy == VP_VQ_VECTOR_POLICY_SINGLE ? vp_single_interrupt
							       : vp_config_changed,
			  0, name, vp_dev);
	if (err)
		return err;
	++vp_dev->msix_used_vectors;
	/* spec drv.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.5:
	 * verify we had enough resources to assign the vector. */
	if (vp_dev->config_vector(vp_dev, (u16)v) == VIRTIO_MSI_NO_VECTOR)
		return -EBUSY;

	if (policy == VP_VQ_VECTOR_POLICY_SHARED) {
		v = vp_dev->msix_used_vectors;
		err = request_irq((unsigned int)pci_irq_vector(vp_dev->pci_dev, v),
				  vp_vring_interrupt, 0, name, vp_dev);
		if (err)
			return err;
		++vp_dev->msix_used_vectors;
	}
	return 0;
}

static struct virtqueue *vp_setup_vq(struct virtio_device *vdev, unsigned int index,
				     void (*callback)(struct virtqueue *vq), const char *name,
				     bool ctx, u16 msix_vec, struct virtio_pci_vq_info **p_info)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	struct virtio_pci_vq_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	struct virtqueue *vq;
	unsigned long flags;

	if (!info)
		return ERR_PTR(-ENOMEM);
	vq = vp_dev->setup_vq(vp_dev, info, index, callback, name, ctx, msix_vec);
	if (IS_ERR(vq))
		goto out_info;
	info->vq = vq;
	if (callback) {
		spin_lock_irqsave(&vp_dev->lock, flags);
		list_add(&info->node, &vp_dev->virtqueues);
		spin_unlock_irqrestore(&vp_dev->lock, flags);
	} else {
		INIT_LIST_HEAD(&info->node);
	}
	*p_info = info;
	return vq;

out_info:
	kfree(info);
	return vq;
}

static void vp_del_vq(struct virtqueue *vq)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vq->vdev);
	struct virtio_pci_vq_info *info = vp_dev->vqs[vq->index];
	unsigned long flags;

	spin_lock_irqsave(&vp_dev->lock, flags);
	list_del(&info->node);
	spin_unlock_irqrestore(&vp_dev->lock, flags);
	vp_dev->del_vq(info);
	vp_dev->vqs[vq->index] = NULL;
	kfree(info);
}

void vp_del_vqs(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	struct pci_dev *pci_dev = vp_dev->pci_dev;
	struct virtqueue *vq, *n;
	unsigned int i;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list) {
		struct virtio_pci_vq_info *info = vp_dev->vqs[vq->index];

		if (info->irq_requested)
			free_irq((unsigned int)pci_irq_vector(pci_dev, info->msix_vector), vq);
		vp_del_vq(vq);
	}
	vp_dev->per_vq_vectors = false;

	if (vp_dev->intx_enabled) {
		free_irq(pci_dev->irq, vp_dev);
		vp_dev->intx_enabled = 0;
	}
	for (i = 0; i < vp_dev->msix_used_vectors; ++i)
		free_irq((unsigned int)pci_irq_vector(pci_dev, i), vp_dev);
	if (vp_dev->msix_enabled) {
		/* Disable the vector used for configuration (the legacy
		 * register exists only while MSI-X is on: before freeing). */
		vp_dev->config_vector(vp_dev, VIRTIO_MSI_NO_VECTOR);
		pci_free_irq_vectors(pci_dev);
		vp_dev->msix_enabled = 0;
	}
	vp_dev->msix_vectors = 0;
	vp_dev->msix_used_vectors = 0;
	kfree(vp_dev->vqs);
	vp_dev->vqs = NULL;
	vp_dev->nvqs = 0;
}

static int vp_alloc_vq_infos(struct virtio_pci_device *vp_dev, unsigned int nvqs)
{
	vp_dev->vqs = kcalloc(nvqs ? nvqs : 1, sizeof(*vp_dev->vqs), GFP_KERNEL);
	if (!vp_dev->vqs)
		return -ENOMEM;
	vp_dev->nvqs = nvqs;
	return 0;
}

static int vp_find_vqs_msix(struct virtio_device *vdev, unsigned int nvqs,
			    struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
			    enum vp_vq_vector_policy policy)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	unsigned int i, nvectors, allocated_vectors, queue_idx = 0;
	u16 msix_vec;
	int err;

	err = vp_alloc_vq_infos(vp_dev, nvqs);
	if (err)
		return err;
	if (policy == VP_VQ_VECTOR_POLICY_EACH) {
		/* Best option: one for change interrupt, one per vq. */
		nvectors = 1;
		for (i = 0; i < nvqs; ++i)
			if (vqs_info[i].name && vqs_info[i].callback)
				++nvectors;
	} else if (policy == VP_VQ_VECTOR_POLICY_SHARED) {
		/* Second best: one for change, shared for all vqs. */
		nvectors = 2;
	} else {
		/* Last MSI-X try: one for everything. */
		nvectors = 1;
	}

	err = vp_request_msix_vectors(vdev, nvectors, policy);
	if (err)
		goto out_del_vqs;
	vp_dev->per_vq_vectors = policy == VP_VQ_VECTOR_POLICY_EACH;
	allocated_vectors = vp_dev->msix_used_vectors;
	for (i = 0; i < nvqs; ++i) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		if (!vqs_info[i].callback)
			msix_vec = VIRTIO_MSI_NO_VECTOR;
		else if (policy == VP_VQ_VECTOR_POLICY_EACH)
			msix_vec = (u16)allocated_vectors++;
		else if (policy == VP_VQ_VECTOR_POLICY_SHARED)
			msix_vec = VP_MSIX_VQ_VECTOR;
		else
			msix_vec = VP_MSIX_CONFIG_VECTOR;
		vqs[i] = vp_setup_vq(vdev, queue_idx, vqs_info[i].callback, vqs_info[i].name,
				     vqs_info[i].ctx, msix_vec, &vp_dev->vqs[queue_idx]);
		if (IS_ERR(vqs[i])) {
			err = (int)PTR_ERR(vqs[i]);
			goto out_del_vqs;
		}
		queue_idx++;
		if (!vp_dev->per_vq_vectors || msix_vec == VIRTIO_MSI_NO_VECTOR)
			continue;
		/* Allocate the per-vq irq. */
		err = request_irq((unsigned int)pci_irq_vector(vp_dev->pci_dev, msix_vec),
				  vring_interrupt, 0, vqs_info[i].name, vqs[i]);
		if (err)
			goto out_del_vqs;
		vp_dev->vqs[queue_idx - 1]->irq_requested = true;
	}
	vp_dev->irq_mode = policy == VP_VQ_VECTOR_POLICY_EACH     ? VP_IRQ_MSIX_PER_VQ
			   : policy == VP_VQ_VECTOR_POLICY_SHARED ? VP_IRQ_MSIX_SHARED
								  : VP_IRQ_MSIX_SINGLE;
	return 0;

out_del_vqs:
	vp_del_vqs(vdev);
	return err;
}

static int vp_find_vqs_intx(struct virtio_device *vdev, unsigned int nvqs,
			    struct virtqueue *vqs[], struct virtqueue_info vqs_info[])
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	unsigned int i, queue_idx = 0;
	int err;

	err = vp_alloc_vq_infos(vp_dev, nvqs);
	if (err)
		return err;
	err = request_irq(vp_dev->pci_dev->irq, vp_interrupt, IRQF_SHARED,
			  dev_name(&vdev->dev), vp_dev);
	if (err)
		goto out_del_vqs;
	vp_dev->intx_enabled = 1;
	vp_dev->per_vq_vectors = false;
	for (i = 0; i < nvqs; ++i) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vp_setup_vq(vdev, queue_idx, vqs_info[i].callback, vqs_info[i].name,
				     vqs_info[i].ctx, VIRTIO_MSI_NO_VECTOR, &vp_dev->vqs[queue_idx]);
		if (IS_ERR(vqs[i])) {
			err = (int)PTR_ERR(vqs[i]);
			goto out_del_vqs;
		}
		queue_idx++;
	}
	vp_dev->irq_mode = VP_IRQ_INTX;
	return 0;

out_del_vqs:
	vp_del_vqs(vdev);
	return err;
}

int vp_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		struct virtqueue_info vqs_info[], struct irq_affinity *desc)
{
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);
	int err;

	(void)desc;
	vp_dev->irq_mode = VP_IRQ_NONE;
	/* Try MSI-X with one vector per queue. */
	err = vp_find_vqs_msix(vdev, nvqs, vqs, vqs_info, VP_VQ_VECTOR_POLICY_EACH);
	if (!err)
		return 0;
	/* Fallback: MSI-X with one vector for config, one shared for queues. */
	err = vp_find_vqs_msix(vdev, nvqs, vqs, vqs_info, VP_VQ_VECTOR_POLICY_SHARED);
	if (!err)
		return 0;
	/* Then one vector for everything. */
	err = vp_find_vqs_msix(vdev, nvqs, vqs, vqs_info, VP_VQ_VECTOR_POLICY_SINGLE);
	if (!err)
		return 0;
	/* Is there an interrupt?  If not give up. */
	if (vp_dev->pci_dev->irq == IRQ_NOTCONNECTED || !vp_dev->pci_dev->pin) {
		dev_err(&vdev->dev, "no MSI-X vectors (%d) and no INTx line", err);
		return err;
	}
	/* Finally fall back to regular interrupts. */
	return vp_find_vqs_intx(vdev, nvqs, vqs, vqs_info);
}

const char *vp_bus_name(struct virtio_device *vdev)
{
	return pci_name(to_vp_device(vdev)->pci_dev);
}

/* ---- the PCI driver ---- */

static const struct pci_device_id virtio_pci_id_table[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, PCI_ANY_ID) },
	{ 0 },
};

static struct pci_driver virtio_pci_driver;

const char *virtio_pci_irq_mode(struct pci_dev *pci_dev)
{
	static const char *const names[] = {
		[VP_IRQ_NONE] = "none",
		[VP_IRQ_MSIX_PER_VQ] = "msix-per-vq",
		[VP_IRQ_MSIX_SHARED] = "msix-shared",
		[VP_IRQ_MSIX_SINGLE] = "msix-single",
		[VP_IRQ_INTX] = "intx",
	};
	struct virtio_pci_device *vp_dev;

	if (pci_dev->driver != &virtio_pci_driver)
		return names[VP_IRQ_NONE];
	vp_dev = pci_get_drvdata(pci_dev);
	return vp_dev ? names[vp_dev->irq_mode] : names[VP_IRQ_NONE];
}

/* The last reference is gone (after unregister, or a failed register):
 * unmap the interface and free. */
static void virtio_pci_release_dev(struct device *_d)
{
	struct virtio_device *vdev = dev_to_virtio(_d);
	struct virtio_pci_device *vp_dev = to_vp_device(vdev);

	if (vp_dev->is_legacy)
		virtio_pci_legacy_remove(vp_dev);
	else
		virtio_pci_modern_remove(vp_dev);
	kfree(vp_dev);
}

static int virtio_pci_probe(struct pci_dev *pci_dev, const struct pci_device_id *id)
{
	struct virtio_pci_device *vp_dev;
	int rc;

	(void)id;
	vp_dev = kzalloc(sizeof(*vp_dev), GFP_KERNEL);
	if (!vp_dev)
		return -ENOMEM;
	pci_set_drvdata(pci_dev, vp_dev);
	vp_dev->vdev.dev.parent = &pci_dev->dev;
	vp_dev->vdev.dev.release = virtio_pci_release_dev;
	vp_dev->pci_dev = pci_dev;
	INIT_LIST_HEAD(&vp_dev->virtqueues);
	spin_lock_init(&vp_dev->lock);

	rc = pci_enable_device(pci_dev);
	if (rc)
		goto out_free;
	if (virtio_pci_force_legacy) {
		rc = virtio_pci_legacy_probe(vp_dev);
		/* Also try modern mode if we can't map BAR0 (no IO space). */
		if (rc == -ENODEV || rc == -ENOMEM)
			rc = virtio_pci_modern_probe(vp_dev);
	} else {
		rc = virtio_pci_modern_probe(vp_dev);
		if (rc == -ENODEV)
			rc = virtio_pci_legacy_probe(vp_dev);
	}
	if (rc)
		goto out_disable;

	pci_set_master(pci_dev);
	rc = register_virtio_device(&vp_dev->vdev);
	if (rc) {
		pci_set_drvdata(pci_dev, NULL);
		put_device(&vp_dev->vdev.dev); /* unmaps and frees vp_dev */
		pci_disable_device(pci_dev);
		return rc;
	}
	return 0;

out_disable:
	pci_disable_device(pci_dev);
out_free:
	pci_set_drvdata(pci_dev, NULL);
	kfree(vp_dev);
	return rc;
}

static void virtio_pci_remove(struct pci_dev *pci_dev)
{
	struct virtio_pci_device *vp_dev = pci_get_drvdata(pci_dev);

	unregister_virtio_device(&vp_dev->vdev); /* frees vp_dev */
	pci_set_drvdata(pci_dev, NULL);
	pci_disable_device(pci_dev);
}

static struct pci_driver virtio_pci_driver = {
	.name = "virtio-pci",
	.id_table = virtio_pci_id_table,
	.probe = virtio_pci_probe,
	.remove = virtio_pci_remove,
};

module_pci_driver(virtio_pci_driver);
MODULE_DESCRIPTION("virtio-pci");
MODULE_LICENSE("GPL");
