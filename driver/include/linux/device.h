/*
 * linux/device.h - the smallest driver model that keeps Linux's shape: a
 * struct device embedded in every bus device (virtio_device,
 * platform_device), a name, a parent, driver data, a release callback, and
 * dev_err() and friends that log under the device's name.
 *
 * There is no reference counting: one thread owns every device, and
 * put_device() releases at once.  It is called exactly where Linux drops
 * its last reference (after device_del, or when registration failed).
 */
#ifndef VS_LINUX_DEVICE_H
#define VS_LINUX_DEVICE_H

#include <linux/compiler.h>
#include <linux/printk.h>

struct device;

struct device_driver {
	const char *name;
};

struct device {
	char name[32];                     /* set with dev_set_name */
	struct device *parent;             /* e.g. the platform device under a virtio device */
	struct device_driver *driver;      /* bound driver, NULL when none */
	void *driver_data;                 /* dev_set_drvdata */
	void (*release)(struct device *dev); /* frees the embedding struct */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev && dev->name[0] ? dev->name : "(no device)";
}

/* Format the device name (truncated to fit). */
__printf(2, 3) void dev_set_name(struct device *dev, const char *fmt, ...);

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

/* Drop the (only) reference: calls dev->release when set. */
void put_device(struct device *dev);

#define dev_err(dev, fmt, ...)   vs_log(VS_LOG_ERROR, dev_name(dev), fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)  vs_log(VS_LOG_WARN, dev_name(dev), fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)  vs_log(VS_LOG_INFO, dev_name(dev), fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)   vs_log(VS_LOG_DEBUG, dev_name(dev), fmt, ##__VA_ARGS__)

#endif /* VS_LINUX_DEVICE_H */
