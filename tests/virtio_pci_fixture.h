/*
 * virtio_pci_fixture.h - a machine for the guest PCI tests: the real PCI
 * host and virtio PCI function (transport/), a test device model (device
 * type 9, which has a transitional id, three queues that complete every
 * buffer, 8 config bytes) and a test virtio driver asking for td.nvqs
 * queues, with the guest (driver/) on top.  The guest may reach the bus
 * through another bus (gbus) that forwards to it, so a test can change
 * what the driver reads.  One fixture per test (Check forks each test);
 * helpers are static inline: each test file uses a subset.
 *
 * Call order: machine_up, plug_and_add (or the steps it takes), traffic
 * and checks, guest_down, machine_down.
 */
#ifndef VS_TEST_VIRTIO_PCI_FIXTURE_H
#define VS_TEST_VIRTIO_PCI_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/loop.h"
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "transport/pci.h"
#include "transport/pci_host.h"

#define ARENA_SIZE (4u << 20)
#define TEST_ID 9u /* 9P transport: transitional id 0x1009, no driver of ours */
#define SLOT 3u
#define NQ 3u

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_bus *bus;
static struct vs_bus *gbus; /* the bus the guest uses: bus, or one forwarding to it */
static struct vs_irq *irqc;
static struct vs_faults faults;
static struct vs_pci_host *host;
static struct vs_vdev *vdev;
static struct vs_pci *pci;
static unsigned intx;
static int handle = -1;
static u64 arena_base;

/* ======== the device: three queues that complete every buffer ======== */

static int tm_init(struct vs_vdev *v)
{
	memcpy(v->config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	return 0;
}

static void tm_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	struct vs_vq_elem elem;

	(void)v;
	while (vs_vq_pop(vq, &elem) == 0) {
		if (vs_vq_push(vq, &elem, 0))
			return;
	}
}

static const struct vs_device_model test_model = {
	.name = "pcitest",
	.device_id = TEST_ID,
	.num_queues = NQ,
	.queue_size_max = 64,
	.config_size = 8,
	.init = tm_init,
	.handle_queue = tm_handle,
};

/* ======== the driver: asks for td.nvqs queues ======== */

static struct {
	unsigned int nvqs;
	bool no_callback[NQ];   /* queue i set up without a callback */
	struct virtio_device *vdev;
	struct virtqueue *vqs[NQ];
	unsigned int callbacks[NQ];
	unsigned int used[NQ];
	unsigned int config_changes;
	u32 cfg_before, cfg_after; /* config bytes 0-3 before / after find_vqs */
	void *bufs[NQ];            /* the last buffer given to each queue */
} td;

static void td_callback(struct virtqueue *vq)
{
	unsigned int len;

	void *buf;

	td.callbacks[vq->index]++;
	while ((buf = virtqueue_get_buf(vq, &len)) != NULL) {
		td.used[vq->index]++;
		kfree(buf);
	}
}

static int td_find_vqs(struct virtio_device *v)
{
	static const char *const names[NQ] = { "q0", "q1", "q2" };
	struct virtqueue_info info[NQ];
	unsigned int i;

	for (i = 0; i < td.nvqs; i++)
		info[i] = (struct virtqueue_info){ names[i],
						   td.no_callback[i] ? NULL : td_callback, false };
	return virtio_find_vqs(v, td.nvqs, td.vqs, info, NULL);
}

static int td_probe(struct virtio_device *v)
{
	int err;

	td.vdev = v;
	td.cfg_before = virtio_cread32(v, 0);
	err = td_find_vqs(v);
	if (err)
		return err;
	td.cfg_after = virtio_cread32(v, 0);
	virtio_device_ready(v);
	return 0;
}

/* Buffers still on the rings after a reset go back to the heap. */
static void td_detach_all(void)
{
	unsigned int i;
	void *buf;

	for (i = 0; i < td.nvqs; i++)
		while ((buf = virtqueue_detach_unused_buf(td.vqs[i])) != NULL)
			kfree(buf);
}

static void td_remove(struct virtio_device *v)
{
	virtio_reset_device(v);
	td_detach_all();
	v->config->del_vqs(v);
	td.vdev = NULL;
}

static void td_config_changed(struct virtio_device *v)
{
	(void)v;
	td.config_changes++;
}

static int td_freeze(struct virtio_device *v)
{
	virtio_reset_device(v);
	td_detach_all();
	v->config->del_vqs(v);
	return 0;
}

static int td_restore(struct virtio_device *v)
{
	return td_find_vqs(v);
}

static const struct virtio_device_id td_ids[] = { { TEST_ID, VIRTIO_DEV_ANY_ID }, { 0, 0 } };
static const unsigned int td_features[] = { 0 };

static struct virtio_driver td_drv = {
	.driver.name = "pcitest",
	.id_table = td_ids,
	.feature_table = td_features,
	.feature_table_size = 0,
	.probe = td_probe,
	.remove = td_remove,
	.config_changed = td_config_changed,
	.freeze = td_freeze,
	.restore = td_restore,
};

/* ======== the machine ======== */

static inline void machine_up(void)
{
	struct vs_vdev_env env;

	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irqc), 0);
	vs_faults_init(&faults, 5);
	ck_assert_int_eq(vs_pci_host_create(bus, &host), 0);
	env = (struct vs_vdev_env){ arena, loop, &faults, 5 };
	ck_assert_int_eq(vs__vdev_create(&test_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irqc, &intx), 0);
	memset(&td, 0, sizeof(td));
	td.nvqs = NQ;
	handle = -1;
	pci = NULL;
	gbus = bus;
	arena_base = vs_arena_allocated(arena);
}

/* Plug the function, start the guest, scan, hand the slot over. */
static inline int plug_and_add(unsigned msix, int transitional, int force_legacy)
{
	struct vs_pci_params p = { msix, transitional };
	struct vs_guest_env genv = { arena, gbus, irqc, loop, &faults };

	ck_assert_int_eq(vs_pci_create(host, bus, irqc, vdev, SLOT, intx, &p, &pci), 0);
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	ck_assert_int_eq(register_virtio_driver(&td_drv), 0);
	ck_assert_int_eq(vs_guest_pci_enumerate(), 1);
	return vs_guest_pci_add(SLOT, intx, force_legacy, &handle);
}

static inline void guest_down(void)
{
	if (handle >= 0)
		ck_assert_int_eq(vs_guest_remove(handle), 0);
	handle = -1;
	unregister_virtio_driver(&td_drv);
	vs_guest_fini();
}

static inline void machine_down(void)
{
	ck_assert_uint_eq(vs_arena_allocated(arena), arena_base);
	vs_pci_destroy(pci);
	vs_vdev_destroy(vdev);
	vs_pci_host_destroy(host);
	vs_irq_destroy(irqc);
	vs_bus_destroy(bus);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

/* One buffer on every queue, kicked, then the device runs. */
static inline void traffic(void)
{
	struct scatterlist sg;
	unsigned int i;

	for (i = 0; i < td.nvqs; i++) {
		td.bufs[i] = kmalloc(16, GFP_KERNEL);
		ck_assert_ptr_nonnull(td.bufs[i]);
		sg_init_one(&sg, td.bufs[i], 16);
		ck_assert_int_eq(virtqueue_add_inbuf(td.vqs[i], &sg, 1, td.bufs[i], GFP_KERNEL), 0);
		virtqueue_kick(td.vqs[i]);
	}
	vs_loop_drain(loop);
}

#endif /* VS_TEST_VIRTIO_PCI_FIXTURE_H */
