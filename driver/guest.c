/*
 * guest.c - the harness-facing side of the guest (guest.h): binds the
 * shim to a machine, loads the built-in drivers, and turns harness
 * requests into what a kernel would do -- a platform device for each
 * virtio-mmio bank, the firmware's PCI scan and a driver bound to each PCI
 * function handed over, unbinding either, freeze/restore for a reset in
 * the middle of traffic, hwrng reads.
 */
#define KBUILD_MODNAME "guest"

#include <errno.h>
#include <limits.h>

#include <linux/hw_random.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/virtio.h>

#include "driver/guest.h"
#include "driver/modules.h"
#include "driver/shim.h"
#include "driver/virtio_pci_common.h"

#define VS_GUEST_MAX_DEVICES 32

/* A device the harness handed over, in guest RAM: a virtio-mmio platform
 * device and its two resources, or a PCI function of the firmware scan. */
struct guest_mmio_dev {
	struct platform_device pdev;
	struct resource res[2]; /* the register bank, the interrupt line */
	struct pci_dev *pci;    /* a PCI function (pdev unused); NULL for mmio */
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
	err = virtio_pci_driver_init();
	if (err)
		goto out_mmio;
	err = virtio_rng_driver_init();
	if (err)
		goto out_pci;
	guest.up = true;
	return 0;

out_pci:
	virtio_pci_driver_exit();
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
	if (gd->pci)
		pci_stop_bus_device(gd->pci);
	else
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
	virtio_pci_driver_exit();
	virtio_mmio_driver_exit();
	pci_remove_root_bus();
	vs_shim_unbind();
	guest.up = false;
}

/* The lowest free handle, -ENOSPC when every one is taken. */
static int guest_free_handle(void)
{
	int h;

	for (h = 0; h < VS_GUEST_MAX_DEVICES && guest.devs[h]; h++)
		;
	return h == VS_GUEST_MAX_DEVICES ? -ENOSPC : h;
}

int vs_guest_mmio_add(uint64_t base, uint64_t size, unsigned irq_line, int *handle)
{
	struct guest_mmio_dev *gd;
	int slot, err;

	if (!guest.up)
		return -ENODEV;
	if (size == 0 || base + size - 1 < base)
		return -EINVAL;
	slot = guest_free_handle();
	if (slot < 0)
		return slot;
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

int vs_guest_pci_enumerate(void)
{
	if (!guest.up)
		return -ENODEV;
	return pci_scan_root_bus();
}

int vs_guest_pci_add(unsigned slot, unsigned intx_line, int force_legacy, int *handle)
{
	struct guest_mmio_dev *gd;
	struct pci_dev *pci;
	int h, err;

	if (!guest.up)
		return -ENODEV;
	if (slot >= 32)
		return -EINVAL;
	pci = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(slot, 0));
	if (!pci)
		return -ENODEV;
	for (h = 0; h < VS_GUEST_MAX_DEVICES; h++) {
		if (guest.devs[h] && guest.devs[h]->pci == pci)
			return -EBUSY;
	}
	h = guest_free_handle();
	if (h < 0)
		return h;
	gd = kzalloc(sizeof(*gd), GFP_KERNEL);
	if (!gd)
		return -ENOMEM;
	gd->pci = pci;
	/* What firmware would have said in PCI_INTERRUPT_LINE. */
	pci->irq = pci->pin ? intx_line : IRQ_NOTCONNECTED;
	virtio_pci_force_legacy = force_legacy != 0;
	err = pci_bus_add_device(pci);
	virtio_pci_force_legacy = false;
	if (err) {
		pci->is_added = false;
		kfree(gd);
		return err;
	}
	guest.devs[h] = gd;
	if (handle)
		*handle = h;
	return 0;
}

/* The device a handle's virtio device hangs under. */
static struct device *guest_parent(struct guest_mmio_dev *gd)
{
	return gd->pci ? &gd->pci->dev : &gd->pdev.dev;
}

const char *vs_guest_irq_mode(int handle)
{
	struct guest_mmio_dev *gd = guest_dev(handle);

	if (!gd)
		return NULL;
	if (gd->pci)
		return virtio_pci_irq_mode(gd->pci);
	return "mmio";
}

/* The virtio device a handle's platform device or PCI function carries. */
static int guest_vdev(int handle, struct virtio_device **vdev)
{
	struct guest_mmio_dev *gd = guest_dev(handle);

	if (!gd)
		return -ENOENT;
	*vdev = virtio_find_child(guest_parent(gd));
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
