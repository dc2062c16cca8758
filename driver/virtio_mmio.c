/*
 * virtio_mmio.c - the virtio-mmio transport driver (spec 4.2): a platform
 * device with one register bank and one interrupt line becomes a virtio
 * device.  Version 2 banks and legacy version 1 banks (spec 4.2.4) are
 * driven; a legacy bank differs in queue setup (GuestPageSize once,
 * QueueAlign and QueuePFN per queue, the ring in the legacy layout with
 * the used ring on its own page, QueuePFN 0 to stop a queue), has no
 * ConfigGeneration, takes its config a byte at a time, and needs no
 * VIRTIO_F_VERSION_1.
 *
 * Every access is a 32-bit register access on the bus (spec
 * drv.mmio.mmio-device-register-layout.2), except the device config space,
 * which is accessed at the width of each field (ibid. .3).
 */
#define KBUILD_MODNAME "virtio-mmio"

#include <errno.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* The ring block is page-aligned, the used ring on its own page. */
#define VIRTIO_MMIO_VRING_ALIGN PAGE_SIZE
/* We never ask for more entries than this. */
#define VM_QUEUE_SIZE_CAP 256u
/* Status reads, 1 ms of virtual time apart, before a reset counts as failed. */
#define VM_RESET_POLLS 100u

struct virtio_mmio_device {
	struct virtio_device vdev;
	struct platform_device *pdev;
	void __iomem *base;
	unsigned long version;
	bool irq_requested; /* by find_vqs, until del_vqs */
};

#define to_virtio_mmio_device(_plat_dev) \
	container_of(_plat_dev, struct virtio_mmio_device, vdev)

/* ---- configuration ---- */

static u64 vm_get_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	u64 features;

	/* spec drv.mmio.mmio-device-register-layout.7: select, then read. */
	writel(1, vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES_SEL);
	features = readl(vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES);
	features <<= 32;
	writel(0, vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES_SEL);
	features |= readl(vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES);
	return features;
}

static int vm_finalize_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	/* Give virtio_ring a chance to accept features. */
	vring_transport_features(vdev);

	/* A version 2 bank is a VIRTIO 1.x device: it must offer VERSION_1. */
	if (vm_dev->version == 2 && !__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "version 2 device without VIRTIO_F_VERSION_1");
		return -EINVAL;
	}
	/* spec drv.mmio.mmio-device-register-layout.8: select, then write. */
	writel(1, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL);
	writel((u32)(vdev->features >> 32), vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES);
	writel(0, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL);
	writel((u32)vdev->features, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES);
	return 0;
}

/* buf holds little-endian bytes, as the config space does. */
static void vm_get(struct virtio_device *vdev, unsigned int offset, void *buf, unsigned int len)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	void __iomem *base = vm_dev->base + VIRTIO_MMIO_CONFIG;
	u8 *b = buf;
	unsigned int i;

	/* Legacy config is guest-endian and byte-accessible (spec 4.2.4). */
	if (vm_dev->version == 1) {
		for (i = 0; i < len; i++)
			b[i] = readb(base + offset + i);
		return;
	}
	switch (len) {
	case 1:
		b[0] = readb(base + offset);
		break;
	case 2:
		vs_put_le16(b, readw(base + offset));
		break;
	case 4:
		vs_put_le32(b, readl(base + offset));
		break;
	case 8:
		/* Two 32-bit halves: the caller's generation loop makes them one. */
		vs_put_le32(b, readl(base + offset));
		vs_put_le32(b + 4, readl(base + offset + 4));
		break;
	default:
		WARN_ON(1);
		memset(buf, 0, len);
	}
}

static void vm_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		   unsigned int len)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	void __iomem *base = vm_dev->base + VIRTIO_MMIO_CONFIG;
	const u8 *b = buf;
	unsigned int i;

	if (vm_dev->version == 1) {
		for (i = 0; i < len; i++)
			writeb(b[i], base + offset + i);
		return;
	}
	switch (len) {
	case 1:
		writeb(b[0], base + offset);
		break;
	case 2:
		writew(vs_le16(b), base + offset);
		break;
	case 4:
		writel(vs_le32(b), base + offset);
		break;
	case 8:
		writel(vs_le32(b), base + offset);
		writel(vs_le32(b + 4), base + offset + 4);
		break;
	default:
		WARN_ON(1);
	}
}

static u32 vm_generation(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	/* A legacy bank has no generation register. */
	if (vm_dev->version == 1)
		return 0;
	return readl(vm_dev->base + VIRTIO_MMIO_CONFIG_GENERATION);
}

static u8 vm_get_status(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	return (u8)(readl(vm_dev->base + VIRTIO_MMIO_STATUS) & 0xff);
}

static void vm_set_status(struct virtio_device *vdev, u8 status)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	/* Writing 0 would be a reset: that is vm_reset's job. */
	if (WARN_ON(!status))
		return;
	writel(status, vm_dev->base + VIRTIO_MMIO_STATUS);
}

static int vm_reset(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	unsigned int polls;
	u32 status = 0;

	/* 0 status means a reset. */
	writel(0, vm_dev->base + VIRTIO_MMIO_STATUS);
	/* spec drv.basic.device-reset.1: the reset is complete when status
	 * reads 0.  A device that takes its time gets VM_RESET_POLLS reads,
	 * the machine running in between; one that never gets there fails. */
	for (polls = 0; polls < VM_RESET_POLLS; polls++) {
		status = readl(vm_dev->base + VIRTIO_MMIO_STATUS);
		if (!status)
			return 0;
		msleep(1);
	}
	dev_err(&vdev->dev, "reset incomplete: status %#x after %u reads", status, polls);
	return -ETIMEDOUT;
}

/* ---- queues ---- */

/* Fault VS_FAULT_DRV_NOTIFY_NOT_READY: after a real kick, notify the queue
 * past the last one this device's driver set up -- a queue it never
 * enabled, so no buffers of it can be announced (spec 2.3). */
static void vm_notify_fault(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);
	struct virtqueue *v;
	unsigned int last = 0;

	if (!virtio_should_fail(VS_FAULT_DRV_NOTIFY_NOT_READY))
		return;
	virtio_device_for_each_vq(vq->vdev, v) {
		if (v->index > last)
			last = v->index;
	}
	writel(last + 1, vm_dev->base + VIRTIO_MMIO_QUEUE_NOTIFY);
}

static bool vm_notify(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);

	/* The queue's index in QUEUE_NOTIFY tells the device which one
	 * (spec 4.2.3.3, without NOTIFICATION_DATA). */
	writel(vq->index, vm_dev->base + VIRTIO_MMIO_QUEUE_NOTIFY);
	vm_notify_fault(vq);
	return true;
}

static bool vm_notify_with_data(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);

	/* spec 4.2.3.3 with NOTIFICATION_DATA: index, next_off, next_wrap. */
	writel(vring_notification_data(vq), vm_dev->base + VIRTIO_MMIO_QUEUE_NOTIFY);
	vm_notify_fault(vq);
	return true;
}

static irqreturn_t vm_interrupt(int irq, void *opaque)
{
	struct virtio_mmio_device *vm_dev = opaque;
	struct virtqueue *vq;
	irqreturn_t ret = IRQ_NONE;
	u32 status, handled;

	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.notifications-from-device.1:
	 * read what caused it; .12 of the layout: ignore undefined bits. */
	status = readl(vm_dev->base + VIRTIO_MMIO_INTERRUPT_STATUS);
	handled = status & (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	if (!handled)
		return IRQ_NONE;
	/* spec drv.mmio.mmio-device-register-layout.13: ack exactly the events
	 * handled, no undefined bits.  Ack first, so an event that arrives
	 * while we handle these raises the line again. */
	writel(handled, vm_dev->base + VIRTIO_MMIO_INTERRUPT_ACK);

	if (unlikely(handled & VIRTIO_MMIO_INT_CONFIG)) {
		virtio_config_changed(&vm_dev->vdev);
		ret = IRQ_HANDLED;
	}
	/* ...notifications-from-device.2: one bit for every active queue. */
	if (likely(handled & VIRTIO_MMIO_INT_VRING)) {
		virtio_device_for_each_vq(&vm_dev->vdev, vq) {
			if (vring_interrupt(irq, vq) == IRQ_HANDLED)
				ret = IRQ_HANDLED;
		}
	}
	return ret;
}

static void vm_del_vq(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);
	unsigned int index = vq->index;

	/* Select and deactivate the queue: spec
	 * drv.mmio.mmio-device-register-layout.11 -- write 0, read it back;
	 * legacy: QueuePFN 0 (spec 4.2.4). */
	writel(index, vm_dev->base + VIRTIO_MMIO_QUEUE_SEL);
	if (vm_dev->version == 1) {
		writel(0, vm_dev->base + VIRTIO_MMIO_QUEUE_PFN);
	} else {
		writel(0, vm_dev->base + VIRTIO_MMIO_QUEUE_READY);
		if (readl(vm_dev->base + VIRTIO_MMIO_QUEUE_READY))
			dev_warn(&vq->vdev->dev, "queue %u still ready after writing 0", index);
	}
	vring_del_virtqueue(vq);
}

static void vm_del_vqs(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		vm_del_vq(vq);
	if (vm_dev->irq_requested) {
		free_irq((unsigned int)platform_get_irq(vm_dev->pdev, 0), vm_dev);
		vm_dev->irq_requested = false;
	}
}

static void vm_synchronize_cbs(struct virtio_device *vdev)
{
	/* Handlers run in the raiser's context: none is in flight now. */
	(void)vdev;
}

/* Size, the three areas, then ready, for the selected queue (spec 4.2.3.2
 * steps 5-7; also a re-enable after a queue reset, spec 2.6.1.2). */
static void vm_program_vq(struct virtio_mmio_device *vm_dev, struct virtqueue *vq)
{
	unsigned int size = virtqueue_get_vring_size(vq);
	u64 addr;

	/* Fault: tell the device a split ring of one entry less, not a power
	 * of 2 (spec 2.7); only where size - 1 is not one (size > 2). */
	if (size > 2 && !__virtio_test_bit(vq->vdev, VIRTIO_F_RING_PACKED) &&
	    virtio_should_fail(VS_FAULT_DRV_QUEUE_SIZE_NOT_POW2))
		size--;
	writel(size, vm_dev->base + VIRTIO_MMIO_QUEUE_NUM);
	if (vm_dev->version == 1) {
		/* spec 4.2.4 steps 6-7: the used ring alignment, then the page
		 * of the descriptor table (checked to fit in vm_setup_vq). */
		writel(PAGE_SIZE, vm_dev->base + VIRTIO_MMIO_QUEUE_ALIGN);
		writel((u32)(virtqueue_get_desc_addr(vq) >> PAGE_SHIFT),
		       vm_dev->base + VIRTIO_MMIO_QUEUE_PFN);
		return;
	}
	addr = virtqueue_get_desc_addr(vq);
	writel((u32)addr, vm_dev->base + VIRTIO_MMIO_QUEUE_DESC_LOW);
	writel((u32)(addr >> 32), vm_dev->base + VIRTIO_MMIO_QUEUE_DESC_HIGH);
	addr = virtqueue_get_avail_addr(vq);
	writel((u32)addr, vm_dev->base + VIRTIO_MMIO_QUEUE_AVAIL_LOW);
	writel((u32)(addr >> 32), vm_dev->base + VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
	addr = virtqueue_get_used_addr(vq);
	writel((u32)addr, vm_dev->base + VIRTIO_MMIO_QUEUE_USED_LOW);
	writel((u32)(addr >> 32), vm_dev->base + VIRTIO_MMIO_QUEUE_USED_HIGH);
	writel(1, vm_dev->base + VIRTIO_MMIO_QUEUE_READY);
}

static int vm_disable_vq_and_reset(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);
	unsigned int polls;

	/* A legacy bank has no QueueReset register. */
	if (vm_dev->version == 1)
		return -ENOENT;
	writel(vq->index, vm_dev->base + VIRTIO_MMIO_QUEUE_SEL);
	writel(1, vm_dev->base + VIRTIO_MMIO_QUEUE_RESET);
	/* spec drv.mmio.mmio-device-register-layout.14 and
	 * drv.basic.virtqueues.virtqueue-reset.virtqueue-reset.1: done only
	 * when QueueReset reads back 0. */
	for (polls = 0; polls < VM_RESET_POLLS; polls++) {
		if (!readl(vm_dev->base + VIRTIO_MMIO_QUEUE_RESET))
			return 0;
		msleep(1);
	}
	dev_err(&vq->vdev->dev, "queue %u reset incomplete after %u reads", vq->index, polls);
	return -ETIMEDOUT;
}

static int vm_enable_vq_after_reset(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);

	writel(vq->index, vm_dev->base + VIRTIO_MMIO_QUEUE_SEL);
	/* spec drv.mmio.mmio-device-register-layout.15: the fields first. */
	if (readl(vm_dev->base + VIRTIO_MMIO_QUEUE_READY)) {
		dev_err(&vq->vdev->dev, "queue %u still ready after its reset", vq->index);
		return -EBUSY;
	}
	vm_program_vq(vm_dev, vq);
	return 0;
}

static struct virtqueue *vm_setup_vq(struct virtio_device *vdev, unsigned int index,
				     void (*callback)(struct virtqueue *vq), const char *name,
				     bool ctx)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	struct virtqueue *vq;
	unsigned int num_max, num;
	int err;

	/* Select the queue we're interested in. */
	writel(index, vm_dev->base + VIRTIO_MMIO_QUEUE_SEL);

	/* spec 4.2.3.2 step 2 (legacy 4.2.4 step 2: QueuePFN): it must not
	 * be in use already. */
	if (readl(vm_dev->base + (vm_dev->version == 1 ? VIRTIO_MMIO_QUEUE_PFN
						      : VIRTIO_MMIO_QUEUE_READY))) {
		err = -ENOENT;
		goto out;
	}
	/* Step 3: size 0 means the queue does not exist. */
	num_max = readl(vm_dev->base + VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (num_max == 0) {
		err = -ENOENT;
		goto out_disable_queue;
	}
	/* Never above what the device allows (spec
	 * drv.mmio.mmio-device-register-layout.9), at most our cap, and a
	 * power of 2 as a split ring needs (a packed one takes any size). */
	num = min(num_max, VM_QUEUE_SIZE_CAP);
	if (!__virtio_test_bit(vdev, VIRTIO_F_RING_PACKED))
		num = (unsigned int)rounddown_pow_of_two(num);

	/* Step 4: zeroed, physically contiguous ring memory. */
	vq = vring_create_virtqueue(index, num, VIRTIO_MMIO_VRING_ALIGN, vdev, true, true, ctx,
				    __virtio_test_bit(vdev, VIRTIO_F_NOTIFICATION_DATA)
					    ? vm_notify_with_data : vm_notify,
				    callback, name);
	if (!vq) {
		err = -ENOMEM;
		goto out_disable_queue;
	}
	vq->num_max = num_max;
	/* Legacy: the ring's page number must fit QueuePFN's 32 bits. */
	if (vm_dev->version == 1 && (virtqueue_get_desc_addr(vq) >> PAGE_SHIFT) >> 32) {
		vring_del_virtqueue(vq);
		err = -E2BIG;
		goto out_disable_queue;
	}

	/* Steps 5-7: size, the three addresses (legacy: alignment and page
	 * number), then ready. */
	vm_program_vq(vm_dev, vq);
	return vq;

out_disable_queue:
	if (vm_dev->version == 1) {
		writel(0, vm_dev->base + VIRTIO_MMIO_QUEUE_PFN);
	} else {
		writel(0, vm_dev->base + VIRTIO_MMIO_QUEUE_READY);
		(void)readl(vm_dev->base + VIRTIO_MMIO_QUEUE_READY);
	}
out:
	return ERR_PTR(err);
}

static int vm_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		       struct virtqueue_info vqs_info[], struct irq_affinity *desc)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	int irq = platform_get_irq(vm_dev->pdev, 0);
	unsigned int i, queue_idx = 0;
	int err;

	(void)desc;
	if (irq < 0)
		return irq;
	err = request_irq((unsigned int)irq, vm_interrupt, IRQF_SHARED, dev_name(&vdev->dev),
			  vm_dev);
	if (err)
		return err;
	vm_dev->irq_requested = true;

	for (i = 0; i < nvqs; ++i) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vm_setup_vq(vdev, queue_idx++, vqs_info[i].callback, vqs_info[i].name,
				     vqs_info[i].ctx);
		if (IS_ERR(vqs[i])) {
			err = (int)PTR_ERR(vqs[i]);
			vm_del_vqs(vdev);
			return err;
		}
	}
	return 0;
}

static const char *vm_bus_name(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	return dev_name(&vm_dev->pdev->dev);
}

static const struct virtio_config_ops virtio_mmio_config_ops = {
	.get = vm_get,
	.set = vm_set,
	.generation = vm_generation,
	.get_status = vm_get_status,
	.set_status = vm_set_status,
	.reset = vm_reset,
	.find_vqs = vm_find_vqs,
	.del_vqs = vm_del_vqs,
	.synchronize_cbs = vm_synchronize_cbs,
	.get_features = vm_get_features,
	.finalize_features = vm_finalize_features,
	.bus_name = vm_bus_name,
	.disable_vq_and_reset = vm_disable_vq_and_reset,
	.enable_vq_after_reset = vm_enable_vq_after_reset,
};

/* ---- platform device ---- */

static void virtio_mmio_release_dev(struct device *_d)
{
	struct virtio_device *vdev = dev_to_virtio(_d);
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	kfree(vm_dev);
}

static int virtio_mmio_probe(struct platform_device *pdev)
{
	struct virtio_mmio_device *vm_dev;
	struct resource *mem;
	void __iomem *base;
	u32 magic;
	int rc;

	mem = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!mem)
		return -EINVAL;
	base = ioremap(mem->start, resource_size(mem));
	if (!base)
		return -ENOMEM;

	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.device-initialization.1:
	 * magic and version first; layout .4: wrong magic is ignored. */
	magic = readl(base + VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != VS_MMIO_MAGIC) {
		dev_warn(&pdev->dev, "wrong magic value %#010x", magic);
		rc = -ENODEV;
		goto out_unmap;
	}
	vm_dev = kzalloc(sizeof(*vm_dev), GFP_KERNEL);
	if (!vm_dev) {
		rc = -ENOMEM;
		goto out_unmap;
	}
	vm_dev->vdev.dev.parent = &pdev->dev;
	vm_dev->vdev.dev.release = virtio_mmio_release_dev;
	vm_dev->vdev.config = &virtio_mmio_config_ops;
	vm_dev->pdev = pdev;
	vm_dev->base = base;

	/* layout .5: version 2, or the legacy version 1 (spec 4.2.4). */
	vm_dev->version = readl(base + VIRTIO_MMIO_VERSION);
	if (vm_dev->version < 1 || vm_dev->version > 2) {
		dev_warn(&pdev->dev, "version %lu not supported", vm_dev->version);
		rc = -ENODEV;
		goto out_free;
	}
	/* device-initialization.2 / layout .6: device id 0 is an empty slot --
	 * stop, touch no other register, report no error. */
	vm_dev->vdev.id.device = readl(base + VIRTIO_MMIO_DEVICE_ID);
	if (vm_dev->vdev.id.device == 0) {
		rc = -ENODEV;
		goto out_free;
	}
	vm_dev->vdev.id.vendor = readl(base + VIRTIO_MMIO_VENDOR_ID);
	/* spec 4.2.4: the page size QueuePFN counts in, before any queue. */
	if (vm_dev->version == 1)
		writel(PAGE_SIZE, base + VIRTIO_MMIO_GUEST_PAGE_SIZE);

	platform_set_drvdata(pdev, vm_dev);
	rc = register_virtio_device(&vm_dev->vdev);
	if (rc) {
		platform_set_drvdata(pdev, NULL);
		put_device(&vm_dev->vdev.dev); /* frees vm_dev */
		goto out_unmap;
	}
	return 0;

out_free:
	kfree(vm_dev);
out_unmap:
	iounmap(base);
	return rc;
}

static void virtio_mmio_remove(struct platform_device *pdev)
{
	struct virtio_mmio_device *vm_dev = platform_get_drvdata(pdev);
	void __iomem *base = vm_dev->base;

	unregister_virtio_device(&vm_dev->vdev); /* frees vm_dev */
	platform_set_drvdata(pdev, NULL);
	iounmap(base);
}

static struct platform_driver virtio_mmio_driver = {
	.probe = virtio_mmio_probe,
	.remove = virtio_mmio_remove,
	.driver = {
		.name = "virtio-mmio",
	},
};

module_platform_driver(virtio_mmio_driver);
MODULE_DESCRIPTION("Platform bus driver for memory mapped virtio devices");
MODULE_LICENSE("GPL");
