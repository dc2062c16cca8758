/*
 * fuzz_regs.c - fuzz target: register access sequences against the
 * virtio-mmio (versions 2 and 1) and virtio PCI (modern and transitional)
 * register files, through the bus, with the monitor watching.
 *
 * Each input builds a machine (harness/machine.c) with four rng devices,
 * one per transport; the guest's firmware scan has placed the PCI BARs,
 * and no driver is bound: the input is the driver.  Byte 0 adds ring
 * features to every device's offer; then records of
 *   region (1 byte), offset (2 bytes LE), op (1 byte: bit 0 write,
 *   bits 1-2 width 1/2/4/8), value (width bytes, writes only)
 * where region picks a virtio-mmio bank, a function's configuration space
 * (ECAM) or one of its BARs.  After every access the machine settles, so
 * device work a write started (a kick, a reset) runs.  Neither the
 * register files, the vdev core, the device model, the ring engine (the
 * queue addresses are the input's) nor the monitor may crash, hang or
 * touch memory outside the arena.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/log.h"
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "harness/machine.h"
#include "harness/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_REGIONS 16

struct region {
	uint64_t base, size;
};

static void add_device(struct vs_scenario *s, enum vs_transport_kind t, uint64_t features)
{
	struct vs_scn_device *d = &s->devices[s->n_devices];

	memset(d, 0, sizeof(*d));
	snprintf(d->type, sizeof(d->type), "rng");
	snprintf(d->name, sizeof(d->name), "rng%zu", s->n_devices);
	d->transport = t;
	d->msix_vectors = VS_SCN_MSIX_DEFAULT;
	d->features_add = features;
	s->n_devices++;
}

/* The BARs the firmware scan gave the function in slot. */
static void pci_regions(struct vs_machine *m, unsigned slot, struct region *r)
{
	uint64_t cfg = VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(slot, 0, 0);
	uint64_t v, hi;
	unsigned b;

	r[0].base = cfg;
	r[0].size = 4096;
	for (b = 0; b < 6; b++) {
		r[1 + b].size = 0;
		if (vs_bus_read(m->bus, VS_SIDE_HARNESS, cfg + PCI_BASE_ADDRESS_0 + 4 * b, 4, &v) < 0)
			continue;
		if (v & PCI_BASE_ADDRESS_SPACE_IO) {
			if (v & PCI_BASE_ADDRESS_IO_MASK) {
				r[1 + b].base = VS_PIO_BASE + (v & PCI_BASE_ADDRESS_IO_MASK & 0xffff);
				r[1 + b].size = 0x100;
			}
			continue;
		}
		hi = 0;
		if ((v & PCI_BASE_ADDRESS_MEM_TYPE_64) && b < 5 &&
		    vs_bus_read(m->bus, VS_SIDE_HARNESS, cfg + PCI_BASE_ADDRESS_0 + 4 * (b + 1), 4,
				&hi) == 0) {
			r[1 + b].base = (v & PCI_BASE_ADDRESS_MEM_MASK & 0xffffffffull) | (hi << 32);
			r[1 + b].size = r[1 + b].base ? 0x4000 : 0;
			b++;
			continue;
		}
		r[1 + b].base = v & PCI_BASE_ADDRESS_MEM_MASK & 0xffffffffull;
		r[1 + b].size = r[1 + b].base ? 0x4000 : 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[] = {1, 2, 4, 8};
	struct region r[N_REGIONS];
	struct vs_scenario s;
	struct vs_machine *m;
	struct vs_diag diag;
	uint64_t features = 0;
	size_t pos = 1;

	if (size < 1)
		return 0;
	vs_log_set_level(VS_LOG_OFF);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "fuzz-regs");
	s.memory = 1u << 20;
	if (data[0] & 1)
		features |= VS_BIT(VIRTIO_F_INDIRECT_DESC);
	if (data[0] & 2)
		features |= VS_BIT(VIRTIO_F_EVENT_IDX);
	if (data[0] & 4)
		features |= VS_BIT(VIRTIO_F_RING_PACKED);
	if (data[0] & 8)
		features |= VS_BIT(VIRTIO_F_NOTIFICATION_DATA);
	if (data[0] & 16)
		features |= VS_BIT(VIRTIO_F_RING_RESET);
	add_device(&s, VS_TRANSPORT_MMIO, features);
	add_device(&s, VS_TRANSPORT_MMIO_LEGACY, features);
	add_device(&s, VS_TRANSPORT_PCI, features);
	add_device(&s, VS_TRANSPORT_PCI_LEGACY, features);
	if (vs_machine_create(&s, 1, &m, &diag) < 0)
		abort(); /* a fixed, valid machine */
	memset(r, 0, sizeof(r));
	r[0].base = m->devs[0].base;
	r[0].size = VS_MMIO_BANK_SIZE;
	r[1].base = m->devs[1].base;
	r[1].size = VS_MMIO_BANK_SIZE;
	pci_regions(m, m->devs[2].slot, &r[2]);
	pci_regions(m, m->devs[3].slot, &r[9]);
	while (pos + 4 <= size) {
		const struct region *rg = &r[data[pos] % N_REGIONS];
		uint64_t off = (uint64_t)data[pos + 1] | (uint64_t)data[pos + 2] << 8, val = 0;
		uint8_t op = data[pos + 3];
		unsigned w = widths[(op >> 1) & 3], k;

		pos += 4;
		if (!rg->size)
			continue;
		off %= rg->size;
		if (op & 1) {
			for (k = 0; k < w && pos < size; k++)
				val |= (uint64_t)data[pos++] << (8 * k);
			vs_bus_write(m->bus, VS_SIDE_DRIVER, rg->base + off, w, val);
		} else {
			vs_bus_read(m->bus, VS_SIDE_DRIVER, rg->base + off, w, &val);
		}
		vs_machine_settle(m);
	}
	vs_machine_destroy(m);
	return 0;
}
