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

#include <linux/blk-mq.h>
#include <linux/hw_random.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_blk.h>

#include "driver/guest.h"
#include "driver/internal.h"
#include "driver/modules.h"
#include "driver/shim.h"
#include "driver/virtio_console.h"
#include "driver/virtio_net.h"
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
	vring_token_stats.added = 0;
	vring_token_stats.returned = 0;
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
	err = virtio_console_driver_init();
	if (err)
		goto out_rng;
	err = virtio_blk_driver_init();
	if (err)
		goto out_console;
	err = virtio_net_driver_init();
	if (err)
		goto out_blk;
	guest.up = true;
	return 0;

out_blk:
	virtio_blk_driver_exit();
out_console:
	virtio_console_driver_exit();
out_rng:
	virtio_rng_driver_exit();
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
	virtio_net_driver_exit();
	virtio_blk_driver_exit();
	virtio_console_driver_exit();
	virtio_rng_driver_exit();
	virtio_pci_driver_exit();
	virtio_mmio_driver_exit();
	pci_remove_root_bus();
	vs_shim_unbind();
	guest.up = false;
}

void vs_guest_token_stats(uint64_t *added, uint64_t *returned)
{
	*added = vring_token_stats.added;
	*returned = vring_token_stats.returned;
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

/* ---- virtio-console ---- */

int vs_guest_console_port_count(int handle)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtcons_port_count(vdev);
}

int vs_guest_console_port_info(int handle, unsigned port, struct vs_guest_console_port *out)
{
	struct virtcons_port_info info;
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (!err)
		err = virtcons_port_info(vdev, port, &info);
	if (err)
		return err;
	out->console = info.console;
	out->guest_open = info.guest_connected;
	out->host_open = info.host_connected;
	out->cols = info.cols;
	out->rows = info.rows;
	_Static_assert(sizeof(out->name) == sizeof(info.name), "port names fit");
	memcpy(out->name, info.name, sizeof(out->name));
	return 0;
}

int vs_guest_console_open(int handle, unsigned port)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtcons_port_open(vdev, port, true);
}

int vs_guest_console_close(int handle, unsigned port)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtcons_port_open(vdev, port, false);
}

long vs_guest_console_write(int handle, unsigned port, const void *buf, size_t len)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	if (!buf && len)
		return -EINVAL;
	return virtcons_port_write(vdev, port, buf, len);
}

long vs_guest_console_read(int handle, unsigned port, void *buf, size_t len, int wait)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	if (!buf && len)
		return -EINVAL;
	return virtcons_port_read(vdev, port, buf, len, wait != 0);
}

long vs_guest_console_emerg_write(int handle, const void *buf, size_t len)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	if (!buf && len)
		return -EINVAL;
	return virtcons_emerg_write(vdev, buf, len);
}

/* ---- virtio-blk ---- */

/* The disk a handle's virtio device added. */
static int guest_disk(int handle, struct gendisk **disk)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	*disk = disk_find_by_dev(&vdev->dev);
	return *disk ? 0 : -ENODEV;
}

/* Sectors to bytes, refusing what does not fit a size_t. */
static int guest_blk_bytes(uint64_t nsectors, size_t *len)
{
	if (nsectors == 0 || nsectors > SIZE_MAX / SECTOR_SIZE)
		return -EINVAL;
	*len = (size_t)nsectors * SECTOR_SIZE;
	return 0;
}

int vs_guest_blk_rw(int handle, int write, uint64_t sector, void *buf, size_t len)
{
	struct gendisk *disk;
	int err = guest_disk(handle, &disk);

	if (err)
		return err;
	if (!buf)
		return -EINVAL;
	return blk_execute_sync(disk, write ? REQ_OP_WRITE : REQ_OP_READ, sector, buf, len);
}

int vs_guest_blk_flush(int handle)
{
	struct gendisk *disk;
	int err = guest_disk(handle, &disk);

	return err ? err : blk_execute_sync(disk, REQ_OP_FLUSH, 0, NULL, 0);
}

/* An operation on a range of sectors that moves no data. */
static int guest_blk_range(int handle, enum req_op op, uint64_t sector, uint64_t nsectors)
{
	struct gendisk *disk;
	size_t len;
	int err = guest_disk(handle, &disk);

	if (!err)
		err = guest_blk_bytes(nsectors, &len);
	return err ? err : blk_execute_sync(disk, op, sector, NULL, len);
}

int vs_guest_blk_discard(int handle, uint64_t sector, uint64_t nsectors)
{
	return guest_blk_range(handle, REQ_OP_DISCARD, sector, nsectors);
}

int vs_guest_blk_write_zeroes(int handle, uint64_t sector, uint64_t nsectors)
{
	return guest_blk_range(handle, REQ_OP_WRITE_ZEROES, sector, nsectors);
}

int vs_guest_blk_secure_erase(int handle, uint64_t sector, uint64_t nsectors)
{
	return guest_blk_range(handle, REQ_OP_SECURE_ERASE, sector, nsectors);
}

int vs_guest_blk_get_id(int handle, char id[20])
{
	struct gendisk *disk;
	int err = guest_disk(handle, &disk);

	return err ? err : blk_execute_drv_in(disk, VIRTIO_BLK_T_GET_ID, id, VIRTIO_BLK_ID_BYTES);
}

int vs_guest_blk_get_lifetime(int handle, struct vs_guest_blk_lifetime *out)
{
	struct virtio_blk_lifetime lt;
	struct gendisk *disk;
	int err = guest_disk(handle, &disk);

	if (!err)
		err = blk_execute_drv_in(disk, VIRTIO_BLK_T_GET_LIFETIME, &lt, sizeof(lt));
	if (err)
		return err;
	out->pre_eol_info = le16_to_cpu(lt.pre_eol_info);
	out->lifetime_est_a = le16_to_cpu(lt.device_lifetime_est_typ_a);
	out->lifetime_est_b = le16_to_cpu(lt.device_lifetime_est_typ_b);
	/* Values the spec reserves (dev.blk.device-operation.15) are not
	 * passed on as if they meant something. */
	if (out->pre_eol_info > VIRTIO_BLK_PRE_EOL_INFO_URGENT ||
	    out->lifetime_est_a > VS_BLK_LIFETIME_EST_EXCEEDED ||
	    out->lifetime_est_b > VS_BLK_LIFETIME_EST_EXCEEDED) {
		pr_warn("%s: lifetime %u/%u/%u holds a reserved value", disk->disk_name,
			out->pre_eol_info, out->lifetime_est_a, out->lifetime_est_b);
		return -EIO;
	}
	return 0;
}

int vs_guest_blk_info(int handle, struct vs_guest_blk_info *out)
{
	const struct queue_limits *lim;
	struct gendisk *disk;
	int err = guest_disk(handle, &disk);

	if (err)
		return err;
	lim = &disk->queue->limits;
	out->capacity = get_capacity(disk);
	out->read_only = get_disk_ro(disk);
	out->writeback = (lim->features & BLK_FEAT_WRITE_CACHE) != 0;
	out->nr_queues = disk->queue->tag_set->nr_hw_queues;
	out->max_segments = lim->max_segments;
	out->max_segment_size = lim->max_segment_size;
	out->logical_block_size = lim->logical_block_size;
	out->max_discard_sectors = lim->max_hw_discard_sectors;
	out->max_discard_segments = lim->max_hw_discard_sectors ? lim->max_discard_segments : 0;
	out->max_write_zeroes_sectors = lim->max_write_zeroes_sectors;
	out->max_secure_erase_sectors = lim->max_secure_erase_sectors;
	out->max_secure_erase_segments =
		lim->max_secure_erase_sectors ? lim->max_secure_erase_segments : 0;
	out->secure_erase_alignment =
		lim->max_secure_erase_sectors
			? max_t(unsigned, lim->secure_erase_granularity >> SECTOR_SHIFT, 1)
			: 0;
	return 0;
}

/* ---- virtio-net ---- */

_Static_assert(VS_GUEST_NET_BACKLOG == VIRTNET_BACKLOG_MAX, "one backlog bound");

int vs_guest_net_info(int handle, struct vs_guest_net_info *out)
{
	struct virtnet_dev_info info;
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (!err)
		err = virtnet_get_info(vdev, &info);
	if (err)
		return err;
	memcpy(out->mac, info.mac, sizeof(out->mac));
	out->link_up = info.link_up;
	out->mtu = info.mtu;
	out->max_pairs = info.max_queue_pairs;
	out->cur_pairs = info.curr_queue_pairs;
	out->rx_mode = info.rx_mode;
	out->hdr_len = info.hdr_len;
	out->ctrl_vq = info.has_cvq;
	out->csum = info.csum;
	out->guest_csum = info.guest_csum;
	out->host_tso4 = info.host_tso4;
	out->guest_tso4 = info.guest_tso4;
	out->tx_frames = info.tx_packets;
	out->tx_bytes = info.tx_bytes;
	out->rx_frames = info.rx_packets;
	out->rx_bytes = info.rx_bytes;
	out->rx_errors = info.rx_errors;
	out->rx_dropped = info.rx_dropped;
	out->announces = info.announces;
	out->link_changes = info.link_changes;
	return 0;
}

int vs_guest_net_xmit(int handle, unsigned queue, const void *frame, size_t len,
		      const struct vs_guest_net_offload *off)
{
	struct virtnet_tx_offload o;
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	if (off)
		o = (struct virtnet_tx_offload){ off->needs_csum != 0, off->csum_start,
						 off->csum_offset, off->gso_type, off->gso_size,
						 off->hdr_len };
	return virtnet_xmit(vdev, queue, frame, len, off ? &o : NULL);
}

int vs_guest_net_tx_drain(int handle)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_tx_drain(vdev);
}

long vs_guest_net_recv(int handle, void *buf, size_t len, struct vs_guest_net_rx_meta *meta,
		       int wait)
{
	struct virtnet_rx_meta m;
	struct virtio_device *vdev;
	long n;
	int err = guest_vdev(handle, &vdev);

	if (err)
		return err;
	n = virtnet_recv(vdev, buf, len, &m, wait != 0);
	if (n >= 0 && meta)
		*meta = (struct vs_guest_net_rx_meta){ m.queue, m.flags, m.gso_type, m.gso_size,
						       m.csum_start, m.csum_offset, m.num_buffers };
	return n;
}

int vs_guest_net_rx_pending(int handle)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_rx_pending(vdev);
}

int vs_guest_net_set_rx_mode(int handle, int promisc, int allmulti)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_set_rx_mode(vdev, promisc != 0, allmulti != 0);
}

int vs_guest_net_set_mac_table(int handle, const uint8_t (*uc)[6], unsigned n_uc,
			       const uint8_t (*mc)[6], unsigned n_mc)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_set_mac_table(vdev, uc, n_uc, mc, n_mc);
}

int vs_guest_net_set_mac(int handle, const uint8_t mac[6])
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_set_mac_address(vdev, mac);
}

int vs_guest_net_vlan(int handle, uint16_t vid, int add)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_vlan(vdev, vid, add != 0);
}

int vs_guest_net_set_queue_pairs(int handle, unsigned pairs)
{
	struct virtio_device *vdev;
	int err = guest_vdev(handle, &vdev);

	return err ? err : virtnet_set_queues(vdev, pairs);
}
