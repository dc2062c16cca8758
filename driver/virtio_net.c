/*
 * virtio_net.c - the network device driver (spec 5.1), in the shape of
 * Linux's virtio_net: a virtnet_info per device with a send_queue and a
 * receive_queue per queue pair (receiveqN = 2(N-1), transmitqN = 2(N-1)+1)
 * and, with VIRTIO_NET_F_CTRL_VQ, the control queue after them.  This
 * file holds the feature tables, validate, probe (in Linux's order),
 * remove, freeze/restore and configuration changes; transmit, receive and
 * the control queue have a file each (virtio_net_internal.h).
 *
 * Probe: read the configuration (mtu, mac, max_virtqueue_pairs), choose
 * the header length (12 with VERSION_1 or MRG_RXBUF, else 10) and the
 * receive mode -- mergeable (MRG_RXBUF), big (a GUEST_TSO4/TSO6/ECN/UFO
 * without MRG_RXBUF: page chains for a 64 KiB frame) or small (one frame
 * of mtu + 18 bytes at least 1518) --, find the queues, DRIVER_OK, fill
 * the receive queues of the pairs in use, tell the device a mac we chose
 * ourselves (CTRL_MAC_ADDR), send MQ_VQ_PAIRS_SET for the pairs in use
 * (with MQ: 1 -- the guest has one CPU, as Linux's min(max_pairs,
 * num_online_cpus) -- until the harness asks for more), and read the link.
 *
 * Unlike Linux, feature dependencies the device broke (CTRL_RX without
 * CTRL_VQ, GUEST_TSO4 without GUEST_CSUM, ...) are cleared in validate
 * instead of failing the probe: the driver never accepts a feature whose
 * dependency it did not accept (spec 5.1.3.1 with 2.2.1).  Configuration
 * changes are handled in the interrupt (Linux defers them to a work item):
 * the gratuitous ARP and ANNOUNCE_ACK are queued there without waiting.
 */
#define KBUILD_MODNAME "virtio_net"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "driver/virtio_net.h"
#include "driver/virtio_net_internal.h"

static DEFINE_IDA(virtnet_index_ida);
static struct virtio_driver virtio_net_driver;

struct virtnet_info *virtnet_of(struct virtio_device *vdev)
{
	if (!vdev || vdev->dev.driver != &virtio_net_driver.driver)
		return NULL;
	return vdev->priv;
}

/* ---- validate ---- */

/* Feature fbit needs one of the bits in needs (spec 5.1.3.1). */
struct virtnet_dep {
	unsigned int fbit;
	u64 needs;
	const char *what;
};

static const struct virtnet_dep virtnet_deps[] = {
	{ VIRTIO_NET_F_GUEST_TSO4, VS_BIT(VIRTIO_NET_F_GUEST_CSUM), "GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_TSO6, VS_BIT(VIRTIO_NET_F_GUEST_CSUM), "GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_UFO, VS_BIT(VIRTIO_NET_F_GUEST_CSUM), "GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_ECN,
	  VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6), "GUEST_TSO4/6" },
	{ VIRTIO_NET_F_HOST_TSO4, VS_BIT(VIRTIO_NET_F_CSUM), "CSUM" },
	{ VIRTIO_NET_F_HOST_TSO6, VS_BIT(VIRTIO_NET_F_CSUM), "CSUM" },
	{ VIRTIO_NET_F_HOST_UFO, VS_BIT(VIRTIO_NET_F_CSUM), "CSUM" },
	{ VIRTIO_NET_F_HOST_ECN,
	  VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6), "HOST_TSO4/6" },
	{ VIRTIO_NET_F_CTRL_RX, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
	{ VIRTIO_NET_F_CTRL_VLAN, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
	{ VIRTIO_NET_F_GUEST_ANNOUNCE, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
	{ VIRTIO_NET_F_MQ, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
	{ VIRTIO_NET_F_CTRL_MAC_ADDR, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
	{ VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, VS_BIT(VIRTIO_NET_F_CTRL_VQ), "CTRL_VQ" },
};

static int virtnet_validate(struct virtio_device *vdev)
{
	bool again = true;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "%s failure: config access disabled", __func__);
		return -EINVAL;
	}
	/* Clearing one bit may orphan another (ECN after TSO4): until stable.
	 * spec drv.basic.feature-bits.2: no feature without what it needs. */
	while (again) {
		again = false;
		for (unsigned int i = 0; i < ARRAY_SIZE(virtnet_deps); i++) {
			const struct virtnet_dep *d = &virtnet_deps[i];

			if (!__virtio_test_bit(vdev, d->fbit) || (vdev->features & d->needs))
				continue;
			dev_warn(&vdev->dev, "feature %u offered without %s: not accepted", d->fbit,
				 d->what);
			__virtio_clear_bit(vdev, d->fbit);
			again = true;
		}
	}
	/* Linux: an mtu below the minimum is not one to use. */
	if (virtio_has_feature(vdev, VIRTIO_NET_F_MTU)) {
		u16 mtu = virtio_cread16(vdev, offsetof(struct virtio_net_config, mtu));

		if (mtu < MIN_MTU) {
			dev_warn(&vdev->dev, "mtu %u below %u: VIRTIO_NET_F_MTU not accepted", mtu,
				 MIN_MTU);
			__virtio_clear_bit(vdev, VIRTIO_NET_F_MTU);
		}
	}
	return 0;
}

/* ---- queues ---- */

static int virtnet_alloc_queues(struct virtnet_info *vi)
{
	vi->sq = kcalloc(vi->max_queue_pairs, sizeof(*vi->sq), GFP_KERNEL);
	vi->rq = kcalloc(vi->max_queue_pairs, sizeof(*vi->rq), GFP_KERNEL);
	if (!vi->sq || !vi->rq) {
		kfree(vi->sq);
		kfree(vi->rq);
		vi->sq = NULL;
		vi->rq = NULL;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < vi->max_queue_pairs; i++) {
		vi->sq[i].index = i;
		vi->rq[i].index = i;
		INIT_LIST_HEAD(&vi->rq[i].free);
		snprintf(vi->rq[i].name, sizeof(vi->rq[i].name), "input.%u", i);
		snprintf(vi->sq[i].name, sizeof(vi->sq[i].name), "output.%u", i);
	}
	return 0;
}

static void virtnet_free_queues(struct virtnet_info *vi)
{
	kfree(vi->sq);
	kfree(vi->rq);
	vi->sq = NULL;
	vi->rq = NULL;
}

/* rx, tx per pair, then the control queue (spec 5.1.2); the control
 * queue has no callback: commands are polled, as in Linux. */
static int virtnet_find_vqs(struct virtnet_info *vi)
{
	unsigned int total = vi->max_queue_pairs * 2u + (vi->has_cvq ? 1u : 0u);
	struct virtqueue_info *info;
	struct virtqueue **vqs;
	int err = -ENOMEM;

	info = kcalloc(total, sizeof(*info), GFP_KERNEL);
	vqs = kcalloc(total, sizeof(*vqs), GFP_KERNEL);
	if (!info || !vqs)
		goto out;
	for (unsigned int i = 0; i < vi->max_queue_pairs; i++) {
		info[2 * i] = (struct virtqueue_info){ vi->rq[i].name, skb_recv_done, false };
		info[2 * i + 1] = (struct virtqueue_info){ vi->sq[i].name, skb_xmit_done, false };
	}
	if (vi->has_cvq)
		info[total - 1] = (struct virtqueue_info){ "control", NULL, false };
	err = virtio_find_vqs(vi->vdev, total, vqs, info, NULL);
	if (err)
		goto out;
	for (unsigned int i = 0; i < vi->max_queue_pairs; i++) {
		vi->rq[i].vq = vqs[2 * i];
		vi->sq[i].vq = vqs[2 * i + 1];
	}
	vi->cvq = vi->has_cvq ? vqs[total - 1] : NULL;
out:
	kfree(vqs);
	kfree(info);
	return err;
}

static int init_vqs(struct virtnet_info *vi)
{
	int err = virtnet_alloc_queues(vi);

	if (err)
		return err;
	err = virtnet_find_vqs(vi);
	if (err)
		virtnet_free_queues(vi);
	return err;
}

/* Buffer sizes once the queues exist: the mergeable length is Linux's
 * floor, raised when the posted buffers could not hold one frame of the
 * mtu (spec drv.net.device-configuration-layout.6). */
static void virtnet_set_buf_sizes(struct virtnet_info *vi)
{
	unsigned int frame = vi->mtu + ETH_HLEN + VLAN_HLEN;
	unsigned int ring = virtqueue_get_vring_size(vi->rq[0].vq);
	unsigned int bufs = min_t(unsigned int, ring, VIRTNET_RX_BUFS_MAX);
	unsigned int need;

	vi->small_len = max_t(unsigned int, GOOD_PACKET_LEN, frame);
	need = bufs ? DIV_ROUND_UP(vi->hdr_len + frame, bufs) : VIRTNET_MRG_BUF_LEN;
	vi->mrg_len = max_t(unsigned int, VIRTNET_MRG_BUF_LEN, ALIGN(need, 64u));
}

/* Reset done: every buffer back from every queue, then the queues go. */
static void remove_vq_common(struct virtnet_info *vi)
{
	virtnet_free_unused_tx(vi);
	virtnet_free_unused_rx(vi);
	virtnet_free_unused_ctrl(vi);
	vi->vdev->config->del_vqs(vi->vdev);
	virtnet_free_queues(vi);
	vi->cvq = NULL;
}

/* ---- link ---- */

/* netif_carrier_on / _off; the first reading at probe is no change. */
static void virtnet_carrier(struct virtnet_info *vi, bool on)
{
	if (vi->link_known && vi->carrier == on)
		return;
	vi->carrier = on;
	if (!vi->link_known) {
		vi->link_known = true;
		return;
	}
	vi->stats.link_changes++;
	dev_info(&vi->vdev->dev, "link %s", on ? "up" : "down");
	wake_up(&vi->wq);
}

/* Network byte order (Ethernet and ARP fields). */
static void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* The gratuitous ARP of netdev_notify_peers: a broadcast request from our
 * address, for 0.0.0.0 (the guest has no IP address). */
static void virtnet_notify_peers(struct virtnet_info *vi)
{
	u8 arp[ETH_HLEN + 28];
	int err;

	memset(arp, 0, sizeof(arp));
	memset(arp, 0xff, ETH_ALEN);
	memcpy(arp + ETH_ALEN, vi->mac, ETH_ALEN);
	put_be16(arp + 12, ETH_P_ARP);
	put_be16(arp + 14, 1);      /* hardware: Ethernet */
	put_be16(arp + 16, 0x0800); /* protocol: IPv4 */
	arp[18] = ETH_ALEN;
	arp[19] = 4;
	put_be16(arp + 20, 1);      /* request */
	memcpy(arp + 22, vi->mac, ETH_ALEN);
	err = virtnet_xmit_nowait(vi, &vi->sq[0], arp, sizeof(arp));
	if (err) {
		dev_warn(&vi->vdev->dev, "gratuitous ARP not sent: %d", err);
		return;
	}
	vi->stats.announces++;
}

/*
 * Linux's virtnet_config_changed_work, run in the interrupt: the status
 * field (spec drv.net.device-configuration-layout.4).  ANNOUNCE (with
 * GUEST_ANNOUNCE): a gratuitous packet, then ANNOUNCE_ACK (spec
 * drv.net.device-operation.control-virtqueue.gratuitous-packet-sending.1,
 * .2), neither waited for.  Unknown status bits are ignored.
 */
static void virtnet_config_changed(struct virtio_device *vdev)
{
	struct virtnet_info *vi = virtnet_of(vdev);
	u16 v;

	if (!vi || !vi->sq)
		return;
	if (virtio_cread_feature(vdev, VIRTIO_NET_F_STATUS, struct virtio_net_config, status, &v))
		return;
	if ((v & VIRTIO_NET_S_ANNOUNCE) && virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_ANNOUNCE) &&
	    vi->has_cvq) {
		virtnet_notify_peers(vi);
		if (virtnet_send_command(vi, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK,
					 NULL, 0, 0, false))
			dev_warn(&vdev->dev, "ANNOUNCE_ACK not sent");
	}
	virtnet_carrier(vi, (v & VIRTIO_NET_S_LINK_UP) != 0);
}

/* Without VIRTIO_NET_F_STATUS the link is up. */
static void virtnet_read_link(struct virtnet_info *vi)
{
	if (virtio_has_feature(vi->vdev, VIRTIO_NET_F_STATUS))
		virtnet_config_changed(vi->vdev);
	else
		virtnet_carrier(vi, true);
}

/* ---- bringing the queues up ---- */

/* DRIVER_OK, receive buffers for the pairs in use (spec
 * drv.net.device-operation.setting-up-receive-buffers.5). */
static void virtnet_open(struct virtnet_info *vi)
{
	virtio_device_ready(vi->vdev);
	for (unsigned int i = 0; i < vi->curr_queue_pairs; i++) {
		if (!try_fill_recv(vi, &vi->rq[i]))
			dev_warn(&vi->vdev->dev, "%s: no receive buffer could be posted",
				 vi->rq[i].name);
	}
}

/* ---- probe and remove ---- */

/* 0, or -EINVAL when the mtu validate accepted is no longer one to use. */
static int virtnet_read_config(struct virtnet_info *vi)
{
	struct virtio_device *vdev = vi->vdev;
	u16 max_queue_pairs = 1, mtu;

	/* spec drv.net.device-configuration-layout.3: the device's mac, or a
	 * locally administered one (02:00:00:00:00:<index>: deterministic). */
	if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC)) {
		virtio_cread_bytes(vdev, offsetof(struct virtio_net_config, mac), vi->mac, ETH_ALEN);
	} else {
		memset(vi->mac, 0, ETH_ALEN);
		vi->mac[0] = 0x02;
		vi->mac[5] = (u8)vi->index;
		dev_info(&vdev->dev, "assigned mac 02:00:00:00:00:%02x", vi->mac[5]);
	}
	vi->mtu = ETH_DATA_LEN;
	if (!virtio_cread_feature(vdev, VIRTIO_NET_F_MTU, struct virtio_net_config, mtu, &mtu)) {
		/* validate kept VIRTIO_NET_F_MTU for an mtu >= 68 only; a device
		 * that changed it since broke spec
		 * dev.net.device-configuration-layout.4: Linux fails the probe */
		if (mtu < MIN_MTU) {
			dev_err(&vdev->dev, "mtu changed to %u < %u since validate", mtu, MIN_MTU);
			return -EINVAL;
		}
		vi->mtu = mtu;
	}
	if (!virtio_cread_feature(vdev, VIRTIO_NET_F_MQ, struct virtio_net_config,
				  max_virtqueue_pairs, &max_queue_pairs) &&
	    (max_queue_pairs < VIRTIO_NET_MQ_PAIRS_MIN || max_queue_pairs > VIRTIO_NET_MQ_PAIRS_MAX)) {
		dev_warn(&vdev->dev, "max_virtqueue_pairs %u out of range: using 1",
			 max_queue_pairs);
		max_queue_pairs = 1;
	}
	vi->max_queue_pairs = max_queue_pairs;
	vi->curr_queue_pairs = 1;
	vi->has_cvq = virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ);
	vi->mergeable_rx_bufs = virtio_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
	vi->big_packets = !vi->mergeable_rx_bufs &&
			  (virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4) ||
			   virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO6) ||
			   virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_ECN) ||
			   virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_UFO));
	vi->hdr_len = vi->mergeable_rx_bufs || virtio_has_feature(vdev, VIRTIO_F_VERSION_1) ?
			      VS_NET_HDR_SIZE : VS_NET_HDR_SIZE_LEGACY;
	vi->any_header_sg = virtio_has_feature(vdev, VIRTIO_F_VERSION_1) ||
			    virtio_has_feature(vdev, VIRTIO_F_ANY_LAYOUT);
	return 0;
}

/* What probe and restore do once the queues exist. */
static int virtnet_start(struct virtnet_info *vi, bool probing)
{
	int err;

	virtnet_set_buf_sizes(vi);
	virtnet_open(vi);
	/* Linux: a mac we made up goes to the device (spec
	 * drv.net.device-operation.control-virtqueue.setting-mac-address-filtering.2). */
	if (probing && !virtio_has_feature(vi->vdev, VIRTIO_NET_F_MAC) &&
	    virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
	    virtio_has_feature(vi->vdev, VIRTIO_NET_F_CTRL_RX)) {
		err = virtnet_send_command(vi, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET,
					   vi->mac, ETH_ALEN, 0, true);
		if (err) {
			dev_err(&vi->vdev->dev, "MAC_ADDR_SET of the assigned mac failed: %d", err);
			return err;
		}
	}
	/* spec 5.1.5 step 4: the pairs in use.  Linux warns and goes on at
	 * probe; a restore that cannot set them fails. */
	err = _virtnet_set_queues(vi, vi->curr_queue_pairs);
	if (err) {
		dev_warn(&vi->vdev->dev, "setting %u queue pair(s) failed: %d",
			 vi->curr_queue_pairs, err);
		if (!probing)
			return err;
	}
	virtnet_read_link(vi);
	return 0;
}

static int virtnet_probe(struct virtio_device *vdev)
{
	struct virtnet_info *vi;
	int err, index;

	index = ida_alloc(&virtnet_index_ida, GFP_KERNEL);
	if (index < 0)
		return index;
	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi) {
		err = -ENOMEM;
		goto out_free_index;
	}
	vi->vdev = vdev;
	vi->index = index;
	INIT_LIST_HEAD(&vi->backlog);
	init_waitqueue_head(&vi->wq);
	vdev->priv = vi;
	err = virtnet_read_config(vi);
	if (err)
		goto out_free_vi;

	err = init_vqs(vi);
	if (err)
		goto out_free_vi;
	err = virtnet_start(vi, true);
	if (err)
		goto out_reset;
	dev_info(&vdev->dev, "mac %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, %u pair(s), %s buffers, "
		 "%u-byte header%s", vi->mac[0], vi->mac[1], vi->mac[2], vi->mac[3], vi->mac[4],
		 vi->mac[5], vi->mtu, vi->max_queue_pairs,
		 vi->mergeable_rx_bufs ? "mergeable" : vi->big_packets ? "big" : "small",
		 vi->hdr_len, vi->has_cvq ? ", control queue" : "");
	return 0;

out_reset:
	(void)virtio_reset_device(vdev);
	remove_vq_common(vi);
	virtnet_free_backlog(vi);
out_free_vi:
	vdev->priv = NULL;
	kfree(vi);
out_free_index:
	ida_free(&virtnet_index_ida, (unsigned int)index);
	return err;
}

static void virtnet_remove(struct virtio_device *vdev)
{
	struct virtnet_info *vi = vdev->priv;

	/* spec drv.init.device-cleanup.2: buffers come back after a reset */
	(void)virtio_reset_device(vdev);
	if (vi->sq)
		remove_vq_common(vi);
	virtnet_free_backlog(vi);
	ida_free(&virtnet_index_ida, (unsigned int)vi->index);
	vdev->priv = NULL;
	kfree(vi);
}

/* The stack keeps its backlog over a freeze; the rings go. */
static int virtnet_freeze(struct virtio_device *vdev)
{
	struct virtnet_info *vi = vdev->priv;

	(void)virtio_reset_device(vdev);
	if (vi->sq)
		remove_vq_common(vi);
	wake_up(&vi->wq);
	return 0;
}

static int virtnet_restore(struct virtio_device *vdev)
{
	struct virtnet_info *vi = vdev->priv;
	int err;

	err = init_vqs(vi);
	if (err)
		return err;
	err = virtnet_start(vi, false);
	if (err) {
		/* The core marks the device FAILED; the driver stays stopped. */
		(void)virtio_reset_device(vdev);
		remove_vq_common(vi);
	}
	return err;
}

int virtnet_get_info(struct virtio_device *vdev, struct virtnet_dev_info *info)
{
	struct virtnet_info *vi = virtnet_of(vdev);

	if (!vi)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	memcpy(info->mac, vi->mac, ETH_ALEN);
	info->link_up = vi->carrier;
	info->mtu = vi->mtu;
	info->max_queue_pairs = vi->max_queue_pairs;
	info->curr_queue_pairs = vi->curr_queue_pairs;
	info->rx_mode = vi->mergeable_rx_bufs ? "mergeable" : vi->big_packets ? "big" : "small";
	info->hdr_len = vi->hdr_len;
	info->has_cvq = vi->has_cvq;
	info->csum = virtio_has_feature(vdev, VIRTIO_NET_F_CSUM);
	info->guest_csum = virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM);
	info->host_tso4 = virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO4);
	info->guest_tso4 = virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4);
	info->tx_packets = vi->stats.tx_packets;
	info->tx_bytes = vi->stats.tx_bytes;
	info->rx_packets = vi->stats.rx_packets;
	info->rx_bytes = vi->stats.rx_bytes;
	info->rx_errors = vi->stats.rx_errors;
	info->rx_dropped = vi->stats.rx_dropped;
	info->announces = vi->stats.announces;
	info->link_changes = vi->stats.link_changes;
	return 0;
}

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_NET, VIRTIO_DEV_ANY_ID },
	{ 0, 0 },
};

#define VIRTNET_FEATURES                                                                  \
	VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_MAC, VIRTIO_NET_F_HOST_TSO4, \
		VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_ECN,         \
		VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN,     \
		VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_STATUS,          \
		VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_VLAN,           \
		VIRTIO_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_MQ, VIRTIO_NET_F_CTRL_MAC_ADDR,     \
		VIRTIO_NET_F_MTU, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS

static const unsigned int features[] = {
	VIRTNET_FEATURES,
};

/* A legacy device: also ANY_LAYOUT (Linux's table; the legacy GSO bit is
 * not taken: which GSO types it covers is not defined). */
static const unsigned int features_legacy[] = {
	VIRTNET_FEATURES,
	VIRTIO_F_ANY_LAYOUT,
};

static struct virtio_driver virtio_net_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = id_table,
	.feature_table = features,
	.feature_table_size = ARRAY_SIZE(features),
	.feature_table_legacy = features_legacy,
	.feature_table_size_legacy = ARRAY_SIZE(features_legacy),
	.validate = virtnet_validate,
	.probe = virtnet_probe,
	.remove = virtnet_remove,
	.config_changed = virtnet_config_changed,
	.freeze = virtnet_freeze,
	.restore = virtnet_restore,
};

module_virtio_driver(virtio_net_driver);
MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio network driver");
MODULE_LICENSE("GPL");
