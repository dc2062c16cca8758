/*
 * virtio.c - the virtio bus: device and driver registration, id-table
 * matching, and the device initialization sequence of spec 3.1.1 around a
 * driver's probe, in Linux's order:
 *
 *   register_virtio_device:  reset, ACKNOWLEDGE, match a driver
 *   virtio_dev_probe:        DRIVER, read device features, driver features
 *                            = device & driver table (+ transport bits),
 *                            finalize (transport writes them), FEATURES_OK,
 *                            re-read status (FEATURES_OK gone: -ENODEV),
 *                            driver probe (sets up vqs, virtio_device_ready:
 *                            DRIVER_OK), or FAILED on any error
 *   unregister:              driver remove (it resets), ACKNOWLEDGE again
 *
 * Freeze/restore (vs_guest_reset) stop the driver, then reset and run the
 * sequence again with the features already negotiated.
 *
 * The status and feature fault points (DRIVER_OK_EARLY, UNOFFERED_FEATURE,
 * CLEAR_STATUS_BIT) are in the probe path only.
 */
#define KBUILD_MODNAME "virtio"

#include <errno.h>
#include <string.h>

#include <linux/bug.h>
#include <linux/fault-inject.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

static DEFINE_IDA(virtio_index_ida);
static LIST_HEAD(virtio_devices);
static LIST_HEAD(virtio_drivers);

static struct virtio_driver *dev_driver(const struct virtio_device *dev)
{
	return dev->dev.driver ? drv_to_virtio(dev->dev.driver) : NULL;
}

static bool virtio_id_match(const struct virtio_device *dev, const struct virtio_device_id *id)
{
	if (id->device != dev->id.device && id->device != VIRTIO_DEV_ANY_ID)
		return false;
	return id->vendor == VIRTIO_DEV_ANY_ID || id->vendor == dev->id.vendor;
}

static bool virtio_dev_match(const struct virtio_device *dev, const struct virtio_driver *drv)
{
	const struct virtio_device_id *id;

	if (!drv->id_table)
		return false;
	for (id = drv->id_table; id->device; id++) {
		if (virtio_id_match(dev, id))
			return true;
	}
	return false;
}

bool virtio_has_feature(const struct virtio_device *vdev, unsigned int fbit)
{
	const struct virtio_driver *drv = dev_driver(vdev);

	/* A device-specific bit the driver never offered cannot have been
	 * negotiated; asking for it is a driver bug. */
	if (fbit < VIRTIO_TRANSPORT_F_START && drv) {
		unsigned int i;
		bool offered = false;

		for (i = 0; i < drv->feature_table_size; i++)
			offered |= drv->feature_table[i] == fbit;
		for (i = 0; i < drv->feature_table_size_legacy; i++)
			offered |= drv->feature_table_legacy[i] == fbit;
		if (!offered)
			dev_warn(&vdev->dev, "driver asks for feature %u it never offered", fbit);
	}
	return __virtio_test_bit(vdev, fbit);
}

/* spec drv.basic.device-status-field.1: status only gains bits (read,
 * or in the new step, write back). */
void virtio_add_status(struct virtio_device *dev, unsigned int status)
{
	dev->config->set_status(dev, (u8)(dev->config->get_status(dev) | status));
}

void virtio_device_ready(struct virtio_device *dev)
{
	unsigned int status = dev->config->get_status(dev);

	if (status & VIRTIO_CONFIG_S_DRIVER_OK)
		dev_warn(&dev->dev, "DRIVER_OK already set (status %#x)", status);
	/* From here on the queues are live and may be kicked (spec
	 * drv.init.device-initialization.6). */
	dev->config->set_status(dev, (u8)(status | VIRTIO_CONFIG_S_DRIVER_OK));
}

int virtio_reset_device(struct virtio_device *dev)
{
	return dev->config->reset(dev);
}

static void __virtio_config_changed(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev_driver(dev);

	if (!dev->config_core_enabled || dev->config_driver_disabled)
		dev->config_change_pending = true;
	else if (drv && drv->config_changed)
		drv->config_changed(dev);
}

void virtio_config_changed(struct virtio_device *dev)
{
	unsigned long flags;
	u8 status;

	spin_lock_irqsave(&dev->config_lock, flags);
	/* A config interrupt also announces DEVICE_NEEDS_RESET (spec 3.2.1).
	 * spec drv.basic.device-status-field.4: rely on nothing the device
	 * still has -- break its queues so waiters fail with -EIO. */
	status = dev->config->get_status(dev);
	if (status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET) {
		dev_err(&dev->dev, "device needs a reset (status %#x)", status);
		virtio_break_device(dev);
	}
	__virtio_config_changed(dev);
	spin_unlock_irqrestore(&dev->config_lock, flags);
}

static void virtio_config_core_enable(struct virtio_device *dev)
{
	dev->config_core_enabled = true;
	if (dev->config_change_pending) {
		dev->config_change_pending = false;
		__virtio_config_changed(dev);
	}
}

static void virtio_config_core_disable(struct virtio_device *dev)
{
	dev->config_core_enabled = false;
}

/* spec drv.init.device-initialization.3 (steps 5 and 6): set FEATURES_OK
 * and read it back; a device that cleared it refuses our subset. */
static int virtio_features_ok(struct virtio_device *dev)
{
	unsigned int status;

	if (!__virtio_test_bit(dev, VIRTIO_F_VERSION_1))
		return 0; /* legacy devices have no FEATURES_OK */
	virtio_add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
	status = dev->config->get_status(dev);
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		dev_err(&dev->dev, "device refuses features: status %#x", status);
		return -ENODEV;
	}
	return 0;
}

/* For VS_FAULT_DRV_UNOFFERED_FEATURE: the lowest bit the device did not
 * offer that survives vring_transport_features (device-specific 0..27,
 * then the reserved 42..63); -1 when the device offers all of them. */
static int unoffered_feature_bit(u64 device_features)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		if (i >= VIRTIO_TRANSPORT_F_START && i < VIRTIO_TRANSPORT_F_END)
			continue;
		if (!(device_features & BIT_ULL(i)))
			return (int)i;
	}
	return -1;
}

static u64 table_features(const unsigned int *table, unsigned int size)
{
	u64 features = 0;
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (!WARN_ON(table[i] >= 64))
			features |= BIT_ULL(table[i]);
	}
	return features;
}

static int virtio_dev_probe(struct virtio_device *dev, struct virtio_driver *drv)
{
	u64 device_features, driver_features, driver_features_legacy;
	unsigned int i;
	int err, fbit;

	dev->dev.driver = &drv->driver;

	/* Step 3: we know how to drive it. */
	if (virtio_should_fail(VS_FAULT_DRV_CLEAR_STATUS_BIT)) {
		/* Fault: drop ACKNOWLEDGE while adding DRIVER (breaks spec
		 * drv.basic.device-status-field.2). */
		u8 status = dev->config->get_status(dev) | VIRTIO_CONFIG_S_DRIVER;

		dev->config->set_status(dev, status & (u8)~VIRTIO_CONFIG_S_ACKNOWLEDGE);
	} else {
		virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER);
	}

	/* Step 4: accept what both sides know (spec drv.basic.feature-bits.1). */
	device_features = dev->config->get_features(dev);
	driver_features = table_features(drv->feature_table, drv->feature_table_size);
	if (drv->feature_table_legacy)
		driver_features_legacy = table_features(drv->feature_table_legacy,
							drv->feature_table_size_legacy);
	else
		driver_features_legacy = driver_features;
	if (device_features & BIT_ULL(VIRTIO_F_VERSION_1))
		dev->features = driver_features & device_features;
	else
		dev->features = driver_features_legacy & device_features;
	/* Transport bits go to finalize_features as offered; the transport
	 * keeps those the ring implements (vring_transport_features). */
	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++) {
		if (device_features & BIT_ULL(i))
			__virtio_set_bit(dev, i);
	}
	/* Fault: also accept a bit the device did not offer (breaks spec
	 * drv.basic.feature-bits.1). */
	fbit = unoffered_feature_bit(device_features);
	if (fbit >= 0 && virtio_should_fail(VS_FAULT_DRV_UNOFFERED_FEATURE))
		__virtio_set_bit(dev, (unsigned int)fbit);

	err = dev->config->finalize_features(dev);
	if (err)
		goto out_fail;
	if (drv->validate) {
		u64 features = dev->features;

		err = drv->validate(dev);
		if (err)
			goto out_fail;
		/* Validation changed the features: write them again. */
		if (features != dev->features) {
			err = dev->config->finalize_features(dev);
			if (err)
				goto out_fail;
		}
	}

	/* Fault: DRIVER_OK before FEATURES_OK (breaks spec
	 * drv.init.device-initialization.1's order). */
	if (virtio_should_fail(VS_FAULT_DRV_DRIVER_OK_EARLY))
		virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER_OK);

	/* Steps 5 and 6. */
	err = virtio_features_ok(dev);
	if (err)
		goto out_fail;
	/* Step 7, and usually 8 (virtio_device_ready) inside. */
	err = drv->probe(dev);
	if (err)
		goto out_fail;
	/* Step 8, when the probe left it to us. */
	if (!(dev->config->get_status(dev) & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_ready(dev);
	if (drv->scan)
		drv->scan(dev);
	virtio_config_core_enable(dev);
	return 0;

out_fail:
	/* spec drv.init.device-initialization.4/.5: give up, say so, stop. */
	virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
	dev->dev.driver = NULL;
	return err;
}

static void virtio_dev_remove(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev_driver(dev);
	unsigned int status;

	virtio_config_core_disable(dev);
	drv->remove(dev);
	/* The driver's remove resets the device. */
	status = dev->config->get_status(dev);
	if (status)
		dev_warn(&dev->dev, "status %#x after the driver's remove (reset incomplete?)",
			 status);
	/* Acknowledge the device's existence again. */
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	dev->dev.driver = NULL;
}

int register_virtio_device(struct virtio_device *dev)
{
	struct virtio_driver *drv;
	int err;

	err = ida_alloc(&virtio_index_ida, GFP_KERNEL);
	if (err < 0)
		return err;
	dev->index = err;
	dev_set_name(&dev->dev, "virtio%d", dev->index);
	spin_lock_init(&dev->config_lock);
	dev->config_core_enabled = false;
	dev->config_driver_disabled = false;
	dev->config_change_pending = false;
	dev->dev.driver = NULL;
	INIT_LIST_HEAD(&dev->vqs);

	/* spec drv.init.device-initialization.1, step 1: reset (also undoing
	 * whatever an earlier driver left), step 2: ACKNOWLEDGE. */
	err = virtio_reset_device(dev);
	if (err)
		goto out_free_index;
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);

	list_add_tail(&dev->bus_node, &virtio_devices);
	list_for_each_entry(drv, &virtio_drivers, node) {
		if (!virtio_dev_match(dev, drv))
			continue;
		err = virtio_dev_probe(dev, drv);
		if (err) {
			list_del(&dev->bus_node);
			goto out_free_index;
		}
		break;
	}
	return 0;

out_free_index:
	ida_free(&virtio_index_ida, (unsigned int)dev->index);
	return err;
}

void unregister_virtio_device(struct virtio_device *dev)
{
	int index = dev->index;

	if (dev->dev.driver)
		virtio_dev_remove(dev);
	list_del(&dev->bus_node);
	put_device(&dev->dev);
	ida_free(&virtio_index_ida, (unsigned int)index);
}

int register_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_device *dev;
	int err;

	if (!drv->probe || !drv->remove || !drv->id_table)
		return -EINVAL;
	list_add_tail(&drv->node, &virtio_drivers);
	list_for_each_entry(dev, &virtio_devices, bus_node) {
		if (dev->dev.driver || !virtio_dev_match(dev, drv))
			continue;
		err = virtio_dev_probe(dev, drv);
		if (err)
			dev_warn(&dev->dev, "probe by %s failed: %d", drv->driver.name, err);
	}
	return 0;
}

void unregister_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_device *dev;

	list_for_each_entry(dev, &virtio_devices, bus_node) {
		if (dev->dev.driver == &drv->driver)
			virtio_dev_remove(dev);
	}
	list_del(&drv->node);
}

struct virtio_device *virtio_find_child(const struct device *parent)
{
	struct virtio_device *dev;

	list_for_each_entry(dev, &virtio_devices, bus_node) {
		if (dev->dev.parent == parent)
			return dev;
	}
	return NULL;
}

int virtio_device_freeze(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev_driver(dev);
	int err;

	virtio_config_core_disable(dev);
	dev->failed = dev->config->get_status(dev) & VIRTIO_CONFIG_S_FAILED;
	if (drv && drv->freeze) {
		err = drv->freeze(dev);
		if (err) {
			virtio_config_core_enable(dev);
			return err;
		}
	}
	return 0;
}

int virtio_device_restore(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev_driver(dev);
	int err;

	/* Start from a reset device, whatever the driver left behind. */
	err = virtio_reset_device(dev);
	if (err)
		goto out_fail;
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/*
	 * Linux sets FAILED again here when the driver had failed before the
	 * freeze, then goes on to DRIVER and FEATURES_OK.  spec
	 * drv.basic.device-status-field.3: after FAILED the driver MUST reset
	 * before re-initializing -- so the reset above is that reset, and the
	 * new initialization starts clean (found by virtiosim fuzz; regression
	 * scenario fuzz-regress-restore-after-failed).
	 */
	dev->failed = false;
	if (!drv)
		return 0;
	virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER);
	err = dev->config->finalize_features(dev);
	if (err)
		goto out_fail;
	err = virtio_features_ok(dev);
	if (err)
		goto out_fail;
	if (drv->restore) {
		err = drv->restore(dev);
		if (err)
			goto out_fail;
	}
	if (!(dev->config->get_status(dev) & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_ready(dev);
	virtio_config_core_enable(dev);
	return 0;

out_fail:
	virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
	return err;
}

void __virtio_cread_many(struct virtio_device *vdev, unsigned int offset, void *buf,
			 size_t count, size_t bytes)
{
	u32 old, gen = vdev->config->generation ? vdev->config->generation(vdev) : 0;
	unsigned int tries = 0;
	size_t i;

	do {
		old = gen;
		for (i = 0; i < count; i++)
			vdev->config->get(vdev, offset + (unsigned int)(bytes * i),
					  (u8 *)buf + bytes * i, (unsigned int)bytes);
		gen = vdev->config->generation ? vdev->config->generation(vdev) : 0;
	} while (gen != old && ++tries < VIRTIO_CREAD_MAX_TRIES);
	if (gen != old)
		dev_warn(&vdev->dev, "config generation still changing after %u reads", tries);
}

void __virtio_cread_field(struct virtio_device *vdev, unsigned int offset, void *dst,
			  size_t size)
{
	u8 b[8];

	if (WARN_ON(size != 1 && size != 2 && size != 4 && size != 8))
		return;
	__virtio_cread_many(vdev, offset, b, 1, size);
	switch (size) {
	case 1:
		*(u8 *)dst = b[0];
		break;
	case 2: {
		u16 v = vs_le16(b);

		memcpy(dst, &v, sizeof(v));
		break;
	}
	case 4: {
		u32 v = vs_le32(b);

		memcpy(dst, &v, sizeof(v));
		break;
	}
	default: {
		u64 v = vs_le64(b);

		memcpy(dst, &v, sizeof(v));
		break;
	}
	}
}
