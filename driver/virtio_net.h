/*
 * virtio_net.h - what the network driver offers the rest of the guest, as
 * a kernel's network stack would use a net_device: start_xmit of one
 * frame, the frames it received (its backlog, as netif_receive_skb would
 * hand them up), the rx mode, address and VLAN filters, the queue pairs
 * in use, and its statistics (driver/guest.c turns harness requests into
 * these calls).
 *
 * Frames are Ethernet frames without the virtio-net header.  Errors, for
 * all: -ENODEV when vdev is not driven by virtio_net; -EIO while the
 * driver is stopped (a failed restore) or the queue is broken.
 */
#ifndef VS_DRIVER_VIRTIO_NET_H
#define VS_DRIVER_VIRTIO_NET_H

#include <stddef.h>

#include <linux/compiler.h>
#include <linux/virtio.h>

/* What the driver made of its device (the ethtool / ip link view). */
struct virtnet_dev_info {
	u8 mac[6];
	bool link_up;              /* carrier */
	unsigned int mtu;
	unsigned int max_queue_pairs, curr_queue_pairs;
	const char *rx_mode;       /* "small", "big" or "mergeable" (static) */
	unsigned int hdr_len;      /* 12, or 10 */
	bool has_cvq;
	bool csum, guest_csum, host_tso4, guest_tso4; /* negotiated */
	u64 tx_packets, tx_bytes;  /* transmitted frames the device used */
	u64 rx_packets, rx_bytes;  /* frames received intact (also those the backlog dropped) */
	u64 rx_errors;             /* receive buffers refused (length, num_buffers, header) */
	u64 rx_dropped;            /* backlog full, or no memory for the frame */
	u64 announces;             /* gratuitous ARPs sent on VIRTIO_NET_S_ANNOUNCE */
	u64 link_changes;          /* carrier changes */
};

/* The stack's offload request for one frame (an skb's ip_summed and gso). */
struct virtnet_tx_offload {
	bool needs_csum;
	u16 csum_start, csum_offset;
	u8 gso_type;               /* VIRTIO_NET_HDR_GSO_*, with _ECN */
	u16 gso_size, hdr_len;
};

/* What came with a received frame. */
struct virtnet_rx_meta {
	unsigned int queue;        /* receive queue (pair) */
	u8 flags, gso_type;        /* from the header */
	u16 gso_size;              /* 0 when gso_type is NONE */
	u16 csum_start, csum_offset; /* 0 without NEEDS_CSUM (spec: not to be used then) */
	unsigned int num_buffers;  /* receive buffers the frame spanned */
};

/* Frames the backlog holds; beyond them received frames are dropped
 * (driver/guest.h's VS_GUEST_NET_BACKLOG). */
#define VIRTNET_BACKLOG_MAX 4096u

int virtnet_get_info(struct virtio_device *vdev, struct virtnet_dev_info *info);
/*
 * start_xmit of len bytes on transmit queue `queue` (off NULL: fully
 * checksummed, no GSO).  Waits while the queue is stopped (bounded by the
 * guest timeout).  0, -EINVAL (queue >= pairs in use, len < 14, an
 * offload not negotiated or inconsistent), -EMSGSIZE (beyond mtu + 14
 * without GSO, beyond VS_NET_MAX_GSO_FRAME, or more than the ring holds),
 * -ENETDOWN (no carrier), -ETIMEDOUT, -ENOMEM, -EIO.
 */
int virtnet_xmit(struct virtio_device *vdev, unsigned int queue, const void *frame, size_t len,
		 const struct virtnet_tx_offload *off);
/* Wait until the device used every transmitted buffer: 0, -ETIMEDOUT, -EIO. */
int virtnet_tx_drain(struct virtio_device *vdev);
/* The oldest frame of the backlog, cut at len: its whole length; -EAGAIN
 * (empty, !wait), -ETIMEDOUT (empty after the guest timeout) or -EIO
 * (empty, and nothing can arrive: stopped, or every receive queue in use
 * broken -- returned at once, without waiting). */
long virtnet_recv(struct virtio_device *vdev, void *buf, size_t len, struct virtnet_rx_meta *meta,
		  bool wait);
/* Frames in the backlog. */
int virtnet_rx_pending(struct virtio_device *vdev);

/*
 * Control commands, each waiting for the device's ack: 0, -EOPNOTSUPP
 * (the feature it needs was not negotiated; nothing reaches the ring),
 * -EINVAL (argument out of range), -EIO (ack not VIRTIO_NET_OK, or the
 * queue broke), -ETIMEDOUT, -ENOMEM.
 *  set_rx_mode:   RX_PROMISC then RX_ALLMULTI (VIRTIO_NET_F_CTRL_RX).
 *  set_mac_table: MAC_TABLE_SET, unicast then multicast (CTRL_RX); at most
 *                 VIRTNET_MAC_TABLE_MAX entries in all, unicast entries
 *                 must be unicast addresses and multicast ones multicast.
 *  set_mac_address: MAC_ADDR_SET (CTRL_MAC_ADDR with CTRL_RX); on a legacy
 *                 device without it but with VIRTIO_NET_F_MAC, the mac
 *                 config bytes legacy lets a driver write.  A multicast or
 *                 all-zero address is -EINVAL.
 *  vlan:          VLAN_ADD / VLAN_DEL of vid <= 4095 (CTRL_VLAN).
 *  set_queues:    MQ_VQ_PAIRS_SET, 1..max_queue_pairs (MQ); the new
 *                 receive queues are filled before the command.
 */
#define VIRTNET_MAC_TABLE_MAX 4096u
int virtnet_set_rx_mode(struct virtio_device *vdev, bool promisc, bool allmulti);
int virtnet_set_mac_table(struct virtio_device *vdev, const u8 (*uc)[6], unsigned int n_uc,
			  const u8 (*mc)[6], unsigned int n_mc);
int virtnet_set_mac_address(struct virtio_device *vdev, const u8 mac[6]);
int virtnet_vlan(struct virtio_device *vdev, u16 vid, bool add);
int virtnet_set_queues(struct virtio_device *vdev, unsigned int pairs);

#endif /* VS_DRIVER_VIRTIO_NET_H */
