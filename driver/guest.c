/*
 * guest.c - the harness-facing side of the guest (guest.h): binds the
 * shim to a machine, loads the built-in drivers, and turns harness
 * requests into what a kernel would do -- a platform device for each
 * virtio-mmio bank, unregistering it, freeze/restore for a reset in the
 * middle of traffic, hwrng reads.
 */
#define KBUILD_MODNAME "guest"

#include <errno.h>
#include <limits.h>

#include <linux/hw_random.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/virtio.h>

#include "driver/guest.h"
#include "driver/modules.h"
#include "driver/shim.h"

#define VS_GUEST_MAX_DEVICES 32

/* A virtio-mmio platform device and its two resources, in guest RAM. */
struct guest_mmio_dev {
	struct platform_device pdev;
	struct resource res[2]; /* the register bank, the interrupt line */
};

static struct {
	bool up;
	struct guest_mmio_dev *devs[VS_GUEST_MAX_DEVICES]; /* indexed by handle */
} guest;

int vs_guest_init(const struct vs_guest_env *env)
{
	int err;

	if (guest.up)
		return -EBUSY;
	err = vs_shim_bind(env);
	if (err)
		return err;
	err = virtio_mmio_driver_init();
	if (err)
		goto out_unbind;
	err = virtio_rng_driver_init();
	if (err)
		goto out_mmio;
	guest.up = true;
	return 0;

out_mmio:
	virtio_mmio_driver_exit();
out_unbind:
	vs_shim_unbind();
	return err;
}

static struct guest_mmio_dev *guest_dev(int handle)
{
	if (!guest.up || handle < 0 || handle >= VS_GUEST_MAX_DEVICES)
		return NULL;
	return guest.devs[handle];
}

int vs_guest_remove(int handle)
{
	struct guest_mmio_dev *gd = guest_dev(handle);

	if (!gd)
		return -ENOENT;
	platform_device_unregister(&gd->pdev);
	guest.devs[handle] = NULL;
	kfree(gd);
	return 0;
}

void vs_guest_fini(void)
{
	if (!guest.up)
		return;
	for (int h = 0; h < VS_GUEST_MAX_DEVICES; h++) {
		if (guest.devs[h])
			vs_guest_remove(h);
	}
	virtio_rng_driver_exit();
	virtio_mmio_driver_exit();
	vs_shim_unbind();
	guest.up = false;
}

int vs_guest_mmio_add(uint64_t base, uint64_t size, unsigned irq_line, int *handle)
{
	struct guest_mmio_dev *gd;
	int slot, err;

	if (!guest.up)
		return -ENODEV;
	if (size == 0 || base + size - 1 < base)
		return -EINVAL;
	for (slot = 0; slot < VS_GUEST_MAX_DEVICES && guest.devs[slot]; slot++)
		;
	if (slot == VS_GUEST_MAX_DEVICES)
		return -ENOSPC;
	gd = kzalloc(sizeof(*gd), GFP_KERNEL);
	if (!gd)
		return -ENOMEM;
	gd->res[0] = (struct resource){ .start = base, .end = base + size - 1,
					.name = "virtio-mmio", .flags = IORESOURCE_MEM };
	gd->res[1] = (struct resource){ .start = irq_line, .end = irq_line,
					.flags = IORESOURCE_IRQ };
	gd->pdev.name = "virtio-mmio";
	gd->pdev.id = slot;
	gd->pdev.resource = gd->res;
	gd->pdev.num_resources = 2;

	err = platform_device_register(&gd->pdev);
	if (err) {
		kfree(gd);
		return err;
	}
	guest.devs[slot] = gd;
	if (handle)
		*handle = slot;
	return 0;
}

/* The virtio device a handle's platform device carries. */
static int guest_vdev(int handle, struct virtio_device **vdev)
{
	struct guest_mmio_dev *gd = guest_dev(handle);

	if (!gd)
		return -ENOENT;
	*vdev = virtio_find_child(&gd->pdev.dev);
	return *vdev ? 0 : -ENODEV;
}

int vs_guest_reset(int handle)
{
	struct virtio_device *vdev;
	int err;

	err = guest_vdev(handle, &vdev);
	if (err)
		return err;
	if (!vdev->dev.driver)
		return -ENODEV;
	err = virtio_device_freeze(vdev);
	if (err)
		return err;
	return virtio_device_restore(vdev);
}

int vs_guest_rng_read(int handle, void *buf, size_t len, int wait)
{
	struct virtio_device *vdev;
	struct hwrng *rng;
	int err;

	err = guest_vdev(handle, &vdev);
	if (err)
		return err;
	if (len == 0 || !buf)
		return -EINVAL;
	rng = hwrng_find_by_dev(&vdev->dev);
	if (!rng)
		return -ENODEV;
	return rng->read(rng, buf, len > INT_MAX ? INT_MAX : len, wait != 0);
}
