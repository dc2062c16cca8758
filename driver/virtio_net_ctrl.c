/*
 * virtio_net_ctrl.c - the control queue (spec 5.1.9.5), Linux's
 * virtnet_send_command shape: a command is the class/command header (one
 * 2-byte descriptor), its data (one descriptor; MAC_TABLE_SET's two
 * tables one each), both device-readable, then the ack byte
 * (device-writable) -- the framing a legacy device without ANY_LAYOUT
 * requires (spec 5.1.9.8), used for every device.
 *
 * As in Linux the queue has no callback: a process-context command is
 * added, kicked and its answer polled for while the machine runs (bounded
 * by the guest timeout).  Unlike Linux each command is its own buffer, so
 * one sent from the interrupt path without waiting (ANNOUNCE_ACK) or one
 * whose waiter gave up can stay outstanding: those are freed when they
 * come back (virtnet_ctrl_reap, at every command) or at a reset.
 *
 * A command whose feature was not negotiated never reaches the ring:
 * -EOPNOTSUPP (the fault DRV_NET_CTRL_UNNEGOTIATED lets MQ_VQ_PAIRS_SET
 * through without VIRTIO_NET_F_MQ).
 */
#define KBUILD_MODNAME "virtio_net"

#include <errno.h>
#include <string.h>

#include <linux/fault-inject.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>

#include "driver/virtio_net.h"
#include "driver/virtio_net_internal.h"

/* What the ack byte holds until the device writes it: neither OK nor ERR. */
#define VIRTNET_CTRL_UNSET 0xffu

void virtnet_ctrl_reap(struct virtnet_info *vi)
{
	struct virtnet_ctrl_cmd *c;
	unsigned int len;

	if (!vi->cvq)
		return;
	while ((c = virtqueue_get_buf(vi->cvq, &len)) != NULL) {
		if (!c->orphan) {
			c->done = true;
			continue;
		}
		if (c->status != VIRTIO_NET_OK)
			dev_warn(&vi->vdev->dev, "control command %u.%u answered %u", c->hdr.class,
				 c->hdr.cmd, c->status);
		kfree(c);
	}
}

static bool virtnet_ctrl_done(struct virtnet_info *vi, struct virtnet_ctrl_cmd *c)
{
	virtnet_ctrl_reap(vi);
	return c->done || virtqueue_is_broken(vi->cvq);
}

int virtnet_send_command(struct virtnet_info *vi, u8 class, u8 cmd, const void *data,
			 u32 data_len, u32 split_at, bool wait)
{
	struct scatterlist hdr, out[2], stat, *sgs[4];
	unsigned int num_out = 0;
	struct virtnet_ctrl_cmd *c;
	u8 status;
	int err;

	if (!vi->cvq)
		return vi->sq ? -EOPNOTSUPP : -EIO;
	virtnet_ctrl_reap(vi);
	c = kzalloc(sizeof(*c) + data_len, GFP_ATOMIC);
	if (!c)
		return -ENOMEM;
	c->hdr.class = class;
	c->hdr.cmd = cmd;
	c->status = VIRTNET_CTRL_UNSET;
	c->data_len = data_len;
	if (data_len)
		memcpy(c->data, data, data_len);

	sg_init_one(&hdr, &c->hdr, sizeof(c->hdr));
	sgs[num_out++] = &hdr;
	if (data_len && split_at && split_at < data_len) {
		sg_init_one(&out[0], c->data, split_at);
		sg_init_one(&out[1], c->data + split_at, data_len - split_at);
		sgs[num_out++] = &out[0];
		sgs[num_out++] = &out[1];
	} else if (data_len) {
		sg_init_one(&out[0], c->data, data_len);
		sgs[num_out++] = &out[0];
	}
	sg_init_one(&stat, &c->status, sizeof(c->status));
	sgs[num_out] = &stat;
	c->orphan = !wait;
	err = virtqueue_add_sgs(vi->cvq, sgs, num_out, 1, c, GFP_ATOMIC);
	if (err) {
		dev_warn(&vi->vdev->dev, "control command %u.%u not queued: %d", class, cmd, err);
		kfree(c);
		return err == -ENOMEM ? -ENOMEM : -EIO;
	}
	if (virtqueue_kick_prepare(vi->cvq))
		virtqueue_notify(vi->cvq);
	if (!wait)
		return 0;

	wait_event_timeout(vi->wq, virtnet_ctrl_done(vi, c), guest_timeout_jiffies());
	if (!c->done) {
		/* Still the device's: freed when it comes back or at a reset. */
		c->orphan = true;
		if (virtqueue_is_broken(vi->cvq))
			return -EIO;
		dev_warn(&vi->vdev->dev, "control command %u.%u: no answer", class, cmd);
		return -ETIMEDOUT;
	}
	status = c->status;
	kfree(c);
	if (status != VIRTIO_NET_OK) {
		dev_warn(&vi->vdev->dev, "control command %u.%u answered %u", class, cmd, status);
		return -EIO;
	}
	return 0;
}

void virtnet_free_unused_ctrl(struct virtnet_info *vi)
{
	struct virtnet_ctrl_cmd *c;

	if (!vi->cvq)
		return;
	while ((c = virtqueue_detach_unused_buf(vi->cvq)) != NULL)
		kfree(c);
}

/* The driver is bound and running. */
static int virtnet_ready(struct virtio_device *vdev, struct virtnet_info **out)
{
	struct virtnet_info *vi = virtnet_of(vdev);

	if (!vi)
		return -ENODEV;
	if (!vi->sq)
		return -EIO;
	*out = vi;
	return 0;
}

int virtnet_set_rx_mode(struct virtio_device *vdev, bool promisc, bool allmulti)
{
	struct virtnet_info *vi;
	u8 on;
	int err = virtnet_ready(vdev, &vi);

	if (err)
		return err;
	/* spec drv.net.device-operation.control-virtqueue.packet-receive-filtering.1 */
	if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_RX))
		return -EOPNOTSUPP;
	on = promisc;
	err = virtnet_send_command(vi, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1, 0,
				   true);
	if (err)
		return err;
	on = allmulti;
	return virtnet_send_command(vi, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1, 0,
				    true);
}

static bool is_multicast_ether_addr(const u8 *addr)
{
	return addr[0] & 1;
}

static bool is_zero_ether_addr(const u8 *addr)
{
	return !(addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]);
}

/* One table: le32 entries, then the addresses. */
static u8 *put_mac_table(u8 *p, const u8 (*macs)[ETH_ALEN], unsigned int n)
{
	vs_put_le32(p, n);
	p += 4;
	if (n)
		memcpy(p, macs, (size_t)n * ETH_ALEN);
	return p + (size_t)n * ETH_ALEN;
}

int virtnet_set_mac_table(struct virtio_device *vdev, const u8 (*uc)[6], unsigned int n_uc,
			  const u8 (*mc)[6], unsigned int n_mc)
{
	struct virtnet_info *vi;
	u32 len;
	u8 *buf;
	int err = virtnet_ready(vdev, &vi);

	if (err)
		return err;
	/* spec drv.net.device-operation.control-virtqueue.setting-mac-address-filtering.1 */
	if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_RX))
		return -EOPNOTSUPP;
	if ((n_uc && !uc) || (n_mc && !mc) || n_uc > VIRTNET_MAC_TABLE_MAX ||
	    n_mc > VIRTNET_MAC_TABLE_MAX - n_uc)
		return -EINVAL;
	/* .3: non-multicast addresses first, then multicast ones */
	for (unsigned int i = 0; i < n_uc; i++) {
		if (is_multicast_ether_addr(uc[i]))
			return -EINVAL;
	}
	for (unsigned int i = 0; i < n_mc; i++) {
		if (!is_multicast_ether_addr(mc[i]))
			return -EINVAL;
	}
	len = 8 + (n_uc + n_mc) * ETH_ALEN;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	put_mac_table(put_mac_table(buf, uc, n_uc), mc, n_mc);
	err = virtnet_send_command(vi, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, buf, len,
				   4 + n_uc * ETH_ALEN, true);
	kfree(buf);
	return err;
}

/*
 * Linux's virtnet_set_mac_address: MAC_ADDR_SET with CTRL_MAC_ADDR (and
 * CTRL_RX, without which no MAC class command may be sent); a legacy
 * device without it takes the address in its config space (spec 5.1.4.3).
 */
int virtnet_set_mac_address(struct virtio_device *vdev, const u8 mac[6])
{
	struct virtnet_info *vi;
	int err = virtnet_ready(vdev, &vi);

	if (err)
		return err;
	if (virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
	    virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_RX)) {
		if (!mac || is_multicast_ether_addr(mac) || is_zero_ether_addr(mac))
			return -EINVAL;
		err = virtnet_send_command(vi, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, mac,
					   ETH_ALEN, 0, true);
		if (err)
			return err;
	} else if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC) &&
		   !virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		if (!mac || is_multicast_ether_addr(mac) || is_zero_ether_addr(mac))
			return -EINVAL;
		for (unsigned int i = 0; i < ETH_ALEN; i++)
			virtio_cwrite8(vdev, offsetof(struct virtio_net_config, mac) + i, mac[i]);
	} else {
		return -EOPNOTSUPP;
	}
	memcpy(vi->mac, mac, ETH_ALEN);
	return 0;
}

int virtnet_vlan(struct virtio_device *vdev, u16 vid, bool add)
{
	struct virtnet_info *vi;
	u8 le[2];
	int err = virtnet_ready(vdev, &vi);

	if (err)
		return err;
	if (!virtio_has_feature(vdev, VIRTIO_NET_F_CTRL_VLAN))
		return -EOPNOTSUPP;
	if (vid > VS_NET_VLAN_MAX)
		return -EINVAL;
	vs_put_le16(le, vid);
	return virtnet_send_command(vi, VIRTIO_NET_CTRL_VLAN,
				    add ? VIRTIO_NET_CTRL_VLAN_ADD : VIRTIO_NET_CTRL_VLAN_DEL, le,
				    sizeof(le), 0, true);
}

/* MQ_VQ_PAIRS_SET; the pairs are in use once the device said OK. */
static int virtnet_send_pairs(struct virtnet_info *vi, u16 pairs)
{
	u8 le[2];
	int err;

	vs_put_le16(le, pairs);
	err = virtnet_send_command(vi, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, le,
				   sizeof(le), 0, true);
	if (!err)
		vi->curr_queue_pairs = pairs;
	return err;
}

int _virtnet_set_queues(struct virtnet_info *vi, u16 pairs)
{
	if (!vi->has_cvq || !virtio_has_feature(vi->vdev, VIRTIO_NET_F_MQ))
		return 0;
	return virtnet_send_pairs(vi, pairs);
}

int virtnet_set_queues(struct virtio_device *vdev, unsigned int pairs)
{
	struct virtnet_info *vi;
	int err = virtnet_ready(vdev, &vi);

	if (err)
		return err;
	if (!virtio_has_feature(vdev, VIRTIO_NET_F_MQ)) {
		/* Fault: send it anyway (breaks spec 5.1.9.5.6's feature
		 * requirement); only where it can reach the ring. */
		if (!vi->has_cvq || pairs == 0 || pairs > vi->max_queue_pairs ||
		    !virtio_should_fail(VS_FAULT_DRV_NET_CTRL_UNNEGOTIATED))
			return -EOPNOTSUPP;
		return virtnet_send_pairs(vi, (u16)pairs);
	}
	/* spec drv.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.2 */
	if (pairs == 0 || pairs > vi->max_queue_pairs)
		return -EINVAL;
	/* .1: receive queues configured before they are enabled */
	for (unsigned int i = vi->curr_queue_pairs; i < pairs; i++)
		try_fill_recv(vi, &vi->rq[i]);
	return virtnet_send_pairs(vi, (u16)pairs);
}
