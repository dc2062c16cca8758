/*
 * linux/platform_device.h - devices found by description rather than by a
 * bus scan (a virtio-mmio bank and its interrupt line), and the drivers
 * matched to them by name.
 *
 * One difference from Linux, on purpose: platform_device_register returns
 * the driver's probe error and leaves nothing registered when the probe
 * fails, so the harness can see why a device did not come up.
 */
#ifndef VS_LINUX_PLATFORM_DEVICE_H
#define VS_LINUX_PLATFORM_DEVICE_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/module.h>

struct platform_device {
	const char *name; /* matched against platform_driver.driver.name */
	int id;
	struct device dev;
	u32 num_resources;
	struct resource *resource;
	struct list_head node; /* private: on the platform bus */
	bool bound;            /* private: a driver's probe succeeded */
};

struct platform_driver {
	int (*probe)(struct platform_device *pdev);
	void (*remove)(struct platform_device *pdev);
	struct device_driver driver;
	struct list_head node; /* private */
};

#define to_platform_device(d) container_of(d, struct platform_device, dev)

/* Probes the device with the first driver of the same name: 0, or the
 * probe's error (then the device is not registered); 0 with no driver. */
int platform_device_register(struct platform_device *pdev);
/* Runs the bound driver's remove; the caller still owns pdev. */
void platform_device_unregister(struct platform_device *pdev);

/* Probes every registered, unbound device of that name (errors are logged). */
int platform_driver_register(struct platform_driver *drv);
/* Removes every device bound to drv. */
void platform_driver_unregister(struct platform_driver *drv);

struct resource *platform_get_resource(struct platform_device *pdev, unsigned long type,
				       unsigned int num);
/* The num-th IRQ resource's line, or -ENXIO. */
int platform_get_irq(struct platform_device *pdev, unsigned int num);

static inline void *platform_get_drvdata(const struct platform_device *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void platform_set_drvdata(struct platform_device *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

#define module_platform_driver(drv) \
	module_driver(drv, platform_driver_register, platform_driver_unregister)

#endif /* VS_LINUX_PLATFORM_DEVICE_H */
