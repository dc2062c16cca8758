/*
 * platform.c - the platform bus: devices described by the harness (an
 * MMIO window and an interrupt line) matched by name to platform drivers.
 * Registration runs at most a handful of times per machine, so both lists
 * are walked linearly.
 */
#define KBUILD_MODNAME "platform"

#include <errno.h>
#include <string.h>

#include <linux/list.h>
#include <linux/platform_device.h>

static LIST_HEAD(platform_devices);
static LIST_HEAD(platform_drivers);

static bool platform_match(const struct platform_device *pdev, const struct platform_driver *drv)
{
	return pdev->name && drv->driver.name && strcmp(pdev->name, drv->driver.name) == 0;
}

static int platform_probe(struct platform_device *pdev, struct platform_driver *drv)
{
	int err;

	pdev->dev.driver = &drv->driver;
	err = drv->probe(pdev);
	if (err) {
		pdev->dev.driver = NULL;
		return err;
	}
	pdev->bound = true;
	return 0;
}

static void platform_remove(struct platform_device *pdev)
{
	struct platform_driver *drv;

	if (!pdev->bound)
		return;
	drv = container_of(pdev->dev.driver, struct platform_driver, driver);
	if (drv->remove)
		drv->remove(pdev);
	pdev->bound = false;
	pdev->dev.driver = NULL;
}

int platform_device_register(struct platform_device *pdev)
{
	struct platform_driver *drv;
	int err;

	if (!pdev->dev.name[0])
		dev_set_name(&pdev->dev, "%s.%d", pdev->name, pdev->id);
	pdev->bound = false;
	list_for_each_entry(drv, &platform_drivers, node) {
		if (!platform_match(pdev, drv))
			continue;
		err = platform_probe(pdev, drv);
		if (err)
			return err;
		break;
	}
	list_add_tail(&pdev->node, &platform_devices);
	return 0;
}

void platform_device_unregister(struct platform_device *pdev)
{
	platform_remove(pdev);
	list_del(&pdev->node);
}

int platform_driver_register(struct platform_driver *drv)
{
	struct platform_device *pdev;
	int err;

	if (!drv->probe || !drv->driver.name)
		return -EINVAL;
	list_add_tail(&drv->node, &platform_drivers);
	list_for_each_entry(pdev, &platform_devices, node) {
		if (pdev->bound || !platform_match(pdev, drv))
			continue;
		err = platform_probe(pdev, drv);
		if (err)
			dev_warn(&pdev->dev, "probe failed: %d", err);
	}
	return 0;
}

void platform_driver_unregister(struct platform_driver *drv)
{
	struct platform_device *pdev;

	list_for_each_entry(pdev, &platform_devices, node) {
		if (pdev->bound && pdev->dev.driver == &drv->driver)
			platform_remove(pdev);
	}
	list_del(&drv->node);
}

struct resource *platform_get_resource(struct platform_device *pdev, unsigned long type,
				       unsigned int num)
{
	for (u32 i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];

		if ((r->flags & type) && num-- == 0)
			return r;
	}
	return NULL;
}

int platform_get_irq(struct platform_device *pdev, unsigned int num)
{
	struct resource *r = platform_get_resource(pdev, IORESOURCE_IRQ, num);

	return r ? (int)r->start : -ENXIO;
}
