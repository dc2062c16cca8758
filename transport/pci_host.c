/*
 * pci_host.c - the ECAM configuration window of bus 0.
 *
 * A bus address inside the window splits into slot, function and register
 * (VS_PCI_ECAM_OFF); the access goes to the plugged function's callbacks,
 * or reads all-ones when nothing is plugged there.  Configuration
 * accesses happen at enumeration and setup (a few hundred per function),
 * so a flat table of 256 places is all it needs.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/bus.h"
#include "core/pci_regs.h"
#include "transport/pci_host.h"

struct pci_place {
	const struct vs_pci_function_ops *ops; /* NULL: empty */
	void *opaque;
};

struct vs_pci_host {
	struct vs_bus *bus;
	struct pci_place place[VS_PCI_SLOTS * VS_PCI_FUNCTIONS];
};

static struct pci_place *host_place(struct vs_pci_host *h, uint64_t off, uint32_t *reg)
{
	unsigned slot = (unsigned)(off >> 15) & (VS_PCI_SLOTS - 1);
	unsigned fn = (unsigned)(off >> 12) & (VS_PCI_FUNCTIONS - 1);

	*reg = (uint32_t)(off & (PCI_CFG_SPACE_EXP_SIZE - 1));
	return &h->place[slot * VS_PCI_FUNCTIONS + fn];
}

/* 1, 2 or 4 bytes, aligned: what a configuration access can be. */
static int host_width_ok(uint64_t off, unsigned width)
{
	return (width == 1 || width == 2 || width == 4) && !(off & (width - 1));
}

static int host_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	struct vs_pci_host *h = opaque;
	struct pci_place *p;
	uint32_t reg, v = 0;
	int err;

	if (!host_width_ok(off, width))
		return -EINVAL;
	p = host_place(h, off, &reg);
	if (!p->ops) {
		/* No function here: the master abort reads all-ones. */
		*val = 0xffffffffu;
		return 0;
	}
	err = p->ops->cfg_read(p->opaque, reg, width, &v);
	if (err)
		return err;
	*val = v;
	return 0;
}

static int host_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	struct vs_pci_host *h = opaque;
	struct pci_place *p;
	uint32_t reg;

	if (!host_width_ok(off, width))
		return -EINVAL;
	p = host_place(h, off, &reg);
	if (!p->ops)
		return 0;
	return p->ops->cfg_write(p->opaque, reg, width, (uint32_t)val);
}

static const struct vs_bus_region_ops host_bus_ops = {
	.read = host_read,
	.write = host_write,
};

int vs_pci_host_create(struct vs_bus *bus, struct vs_pci_host **out)
{
	struct vs_pci_host *h;
	int err;

	if (!bus || !out)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->bus = bus;
	err = vs_bus_map(bus, VS_PCI_ECAM_BASE, VS_PCI_ECAM_SIZE, "pci-ecam", &host_bus_ops, h);
	if (err) {
		free(h);
		return err;
	}
	*out = h;
	return 0;
}

void vs_pci_host_destroy(struct vs_pci_host *h)
{
	if (!h)
		return;
	vs_bus_unmap(h->bus, VS_PCI_ECAM_BASE);
	free(h);
}

int vs_pci_host_plug(struct vs_pci_host *h, unsigned slot, unsigned fn,
		     const struct vs_pci_function_ops *ops, void *opaque)
{
	struct pci_place *p;

	if (!h || slot >= VS_PCI_SLOTS || fn >= VS_PCI_FUNCTIONS || !ops || !ops->cfg_read ||
	    !ops->cfg_write)
		return -EINVAL;
	p = &h->place[slot * VS_PCI_FUNCTIONS + fn];
	if (p->ops)
		return -EBUSY;
	p->ops = ops;
	p->opaque = opaque;
	return 0;
}

void vs_pci_host_unplug(struct vs_pci_host *h, unsigned slot, unsigned fn)
{
	if (!h || slot >= VS_PCI_SLOTS || fn >= VS_PCI_FUNCTIONS)
		return;
	h->place[slot * VS_PCI_FUNCTIONS + fn] = (struct pci_place){NULL, NULL};
}
