/*
 * machine.c - assembling and tearing down a machine (see machine.h).
 *
 * Order matters: the monitor taps the bus and irq before any device is
 * mapped, so it sees the first access; the PCI host (its ECAM window)
 * comes before the first PCI function; the guest is bound last, after
 * every register file exists, and then runs its firmware's PCI scan;
 * teardown runs the reverse, the guest first, so drivers can still reset
 * their devices through the bus on the way out.
 */
#include "harness/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/net.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/monitor.h"
#include "transport/mmio.h"
#include "transport/pci.h"
#include "transport/pci_host.h"

static int build_mmio(struct vs_machine *m, struct vs_machine_dev *md, size_t i,
		      const char *where, struct vs_diag *diag)
{
	unsigned version = md->desc->transport == VS_TRANSPORT_MMIO_LEGACY ? 1 : 2;
	int rc;

	md->base = VS_MACHINE_MMIO_BASE + VS_MACHINE_MMIO_STRIDE * i;
	rc = vs_mmio_create(m->bus, m->irq, md->vdev, md->base, md->line, version, &md->mmio);
	if (rc < 0) {
		vs_diag_set(diag, where, "cannot map the virtio-mmio version %u bank of \"%s\": %s",
			    version, md->desc->name, strerror(-rc));
		return rc;
	}
	rc = vs_monitor_watch_mmio(m->mon, md->desc->name, md->base, md->line, version);
	if (rc < 0)
		vs_diag_set(diag, where, "monitor cannot watch \"%s\": %s", md->desc->name,
			    strerror(-rc));
	return rc;
}

static int build_pci(struct vs_machine *m, struct vs_machine_dev *md, size_t i,
		     const char *where, struct vs_diag *diag)
{
	struct vs_pci_params p;
	int rc;

	if (!m->pci_host) {
		rc = vs_pci_host_create(m->bus, &m->pci_host);
		if (rc < 0) {
			vs_diag_set(diag, "machine", "cannot build the PCI host: %s", strerror(-rc));
			return rc;
		}
	}
	/* Default: one vector per queue and one for config changes, so the
	 * first step of the driver's policy chain can succeed. */
	md->msix_vectors = md->desc->msix_vectors == VS_SCN_MSIX_DEFAULT
				   ? vs_vdev_num_queues(md->vdev) + 1
				   : (unsigned)md->desc->msix_vectors;
	md->slot = (unsigned)i;
	p.msix_vectors = md->msix_vectors;
	p.transitional = md->desc->transport == VS_TRANSPORT_PCI_LEGACY;
	rc = vs_pci_create(m->pci_host, m->bus, m->irq, md->vdev, md->slot, md->line, &p, &md->pci);
	if (rc < 0) {
		vs_diag_set(diag, where, "cannot plug \"%s\" into PCI slot %u: %s%s", md->desc->name,
			    md->slot, strerror(-rc),
			    rc == -EINVAL && p.transitional ? " (no transitional id for this type?)"
							    : "");
		return rc;
	}
	rc = vs_monitor_watch_pci(m->mon, md->desc->name, md->slot, md->line);
	if (rc < 0)
		vs_diag_set(diag, where, "monitor cannot watch \"%s\": %s", md->desc->name,
			    strerror(-rc));
	return rc;
}

/* A console's port backends (machine.devices[i].backends): listening
 * from the start, so a peer may connect before the guest comes.  Where
 * each listens is logged at info by the device. */
static int build_console_backends(struct vs_machine_dev *md, const struct vs_scn_device *d,
				  const char *where, struct vs_diag *diag)
{
	char p[96];

	for (uint32_t port = 0; port < VS_SCN_CON_PORTS; port++) {
		const struct vs_scn_con_backend *b = &d->con_backend[port];
		int rc;

		if (b->kind == VS_SCN_CON_BUFFER)
			continue;
		snprintf(p, sizeof(p), "%s.backends[%d].%s", where, b->index,
			 b->kind == VS_SCN_CON_TCP ? "tcp" : "pipe");
		if (b->kind == VS_SCN_CON_TCP) {
			rc = vs_console_listen(md->vdev, port, b->tcp_port, NULL);
			if (rc < 0)
				vs_diag_set(diag, p,
					    "\"%s\" port %u cannot listen on 127.0.0.1:%u: %s",
					    d->name, port, b->tcp_port, strerror(-rc));
		} else {
			rc = vs_console_listen_pipe(md->vdev, port, b->pipe);
			if (rc < 0)
				vs_diag_set(diag, p, "\"%s\" port %u cannot listen on \"%s\": %s",
					    d->name, port, b->pipe, strerror(-rc));
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int build_device(struct vs_machine *m, size_t i, const struct vs_scn_device *d,
			enum vs_ring_kind ring, struct vs_diag *diag)
{
	struct vs_machine_dev *md = &m->devs[i];
	struct vs_vdev_env env = {m->arena, m->loop, &m->faults, m->seed};
	struct vs_device_params p = {.features_add = d->features_add,
				     .features_remove = d->features_remove,
				     .queue_size_max = d->queue_size};
	char where[64];
	int rc;

	snprintf(where, sizeof(where), "machine.devices[%zu]", i);
	md->desc = d;
	md->handle = -1;
	p.console_ports = d->ports;
	p.console_cols = d->cols;
	p.console_rows = d->rows;
	p.blk_capacity = d->capacity_sectors;
	p.blk_read_only = d->read_only;
	p.blk_queues = d->queues;
	p.blk_seg_max = d->seg_max;
	p.blk_serial = d->serial[0] ? d->serial : NULL;
	p.blk_backend_file = d->backend_file[0] ? d->backend_file : NULL;
	p.blk_ioerr_first = d->ioerr_first;
	p.blk_ioerr_count = d->ioerr_count;
	p.blk_endurance = d->endurance_sectors;
	p.blk_worn = d->worn_sectors;
	/* Each net device its own address unless the file gives one, so a
	 * pair of devices never shares one. */
	memcpy(p.net_mac, d->mac, sizeof(p.net_mac));
	if (!memcmp(p.net_mac, (uint8_t[6]){0}, sizeof(p.net_mac)))
		memcpy(p.net_mac, (uint8_t[6]){0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i)},
		       sizeof(p.net_mac));
	p.net_mtu = d->mtu;
	p.net_queue_pairs = d->queue_pairs;
	p.net_link_down = d->link_down;
	/* machine.ring "packed": offered to every device (unless the file
	 * withholds it from one with features_remove). */
	if (ring == VS_RING_PACKED)
		p.features_add |= 1ull << VIRTIO_F_RING_PACKED;
	rc = vs_device_create(d->type, &p, &env, &md->vdev);
	if (rc < 0) {
		vs_diag_set(diag, where, "cannot create device \"%s\" of type %s: %s", d->name,
			    d->type, strerror(-rc));
		return rc;
	}
	if ((rc = build_console_backends(md, d, where, diag)) < 0)
		return rc;
	rc = vs_irq_alloc_line(m->irq, &md->line);
	if (rc < 0) {
		vs_diag_set(diag, where, "no interrupt line left for \"%s\"", d->name);
		return rc;
	}
	if (vs_transport_is_pci(d->transport))
		return build_pci(m, md, i, where, diag);
	return build_mmio(m, md, i, where, diag);
}

int vs_machine_create(const struct vs_scenario *s, uint64_t seed, struct vs_machine **out,
		      struct vs_diag *diag)
{
	struct vs_machine *m;
	struct vs_guest_env genv;
	size_t i;
	int rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->seed = seed;
	vs_faults_init(&m->faults, seed);
	if ((rc = vs_arena_create(s->memory, &m->arena)) < 0 ||
	    (rc = vs_bus_create(&m->bus)) < 0 || (rc = vs_irq_create(&m->irq)) < 0 ||
	    (rc = vs_loop_create(&m->loop)) < 0 ||
	    (rc = vs_monitor_create(m->arena, m->bus, m->irq, &m->mon)) < 0) {
		vs_diag_set(diag, "machine", "cannot build the machine core: %s", strerror(-rc));
		goto out_destroy;
	}
	for (i = 0; i < s->n_devices; i++) {
		m->n_devs = i + 1;
		if ((rc = build_device(m, i, &s->devices[i], s->ring, diag)) < 0)
			goto out_destroy;
	}
	for (i = 0; i < s->n_devices; i++) {
		int j = s->devices[i].peer;

		if (j <= (int)i)
			continue; /* no peer, or wired from the other end */
		if ((rc = vs_net_connect(m->devs[i].vdev, m->devs[j].vdev)) < 0) {
			vs_diag_set(diag, "machine", "cannot pair net devices \"%s\" and \"%s\": %s",
				    s->devices[i].name, s->devices[j].name, strerror(-rc));
			goto out_destroy;
		}
	}
	genv.arena = m->arena;
	genv.bus = m->bus;
	genv.irq = m->irq;
	genv.loop = m->loop;
	genv.faults = &m->faults;
	rc = vs_guest_init(&genv);
	if (rc < 0) {
		vs_diag_set(diag, "machine", "cannot start the guest kernel shim: %s", strerror(-rc));
		goto out_destroy;
	}
	m->guest_bound = 1;
	if (m->pci_host) {
		rc = vs_guest_pci_enumerate();
		if (rc < 0) {
			vs_diag_set(diag, "machine", "the guest's PCI scan failed: %s", strerror(-rc));
			goto out_destroy;
		}
		vs_machine_settle(m);
	}
	*out = m;
	return 0;

out_destroy:
	vs_machine_destroy(m);
	return rc;
}

void vs_machine_destroy(struct vs_machine *m)
{
	size_t i;

	if (!m)
		return;
	vs_machine_shutdown_guest(m);
	for (i = m->n_devs; i-- > 0;) {
		vs_mmio_destroy(m->devs[i].mmio);
		vs_pci_destroy(m->devs[i].pci);
		vs_vdev_destroy(m->devs[i].vdev);
	}
	vs_pci_host_destroy(m->pci_host);
	vs_monitor_destroy(m->mon);
	vs_loop_destroy(m->loop);
	vs_irq_destroy(m->irq);
	vs_bus_destroy(m->bus);
	vs_arena_destroy(m->arena);
	free(m);
}

void vs_machine_shutdown_guest(struct vs_machine *m)
{
	size_t i;

	if (!m->guest_bound)
		return;
	vs_guest_fini();
	m->guest_bound = 0;
	for (i = 0; i < m->n_devs; i++)
		m->devs[i].handle = -1;
	vs_machine_settle(m);
}

int vs_machine_settle(struct vs_machine *m)
{
	int rc = vs_loop_drain(m->loop);

	vs_monitor_sync(m->mon);
	return rc;
}
