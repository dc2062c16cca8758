/*
 * net.h - the harness's handle on a network device (spec 5.1): its wire.
 *
 * A net device's wire is in-process.  By default it is a loopback: every
 * frame the driver transmits comes back on the same device's receive
 * side (through the device's receive filter, as a frame arriving from the
 * network would).  vs_net_connect pairs two net devices of one machine:
 * what one transmits arrives at the other, so two drivers talk.
 *
 * Frames on the wire are plain Ethernet frames (no virtio-net header).
 * A transmitted frame with VIRTIO_NET_HDR_F_NEEDS_CSUM gets its checksum
 * completed, and a GSO frame is segmented, unless the receiving device's
 * driver negotiated the matching GUEST_CSUM / GUEST_TSO feature, in which
 * case it is passed on as it is with the header fields carried over (as a
 * virtual switch between two guests does).
 *
 * Frames that arrive while the driver has no receive buffers wait in a
 * per-queue backlog of VS_NET_BACKLOG frames; beyond that they are
 * dropped and counted.  Nothing reaches a driver until the loop runs.
 * Errors, for all: -ENODEV when vdev is not a net device.
 */
#ifndef VS_DEVICES_NET_H
#define VS_DEVICES_NET_H

#include <stddef.h>
#include <stdint.h>

struct vs_vdev;

#define VS_NET_BACKLOG 1024u

/* Pair a and b (both net devices, not the same, neither paired yet):
 * -EBUSY when one is paired, -EINVAL when a == b.  Destroying either
 * device unpairs both. */
int vs_net_connect(struct vs_vdev *a, struct vs_vdev *b);

/*
 * The link goes up (1) or down (0): VIRTIO_NET_S_LINK_UP in status and a
 * configuration change notification (with VIRTIO_NET_F_STATUS offered;
 * -EOPNOTSUPP without).  While down, transmitted frames are consumed and
 * dropped and nothing is received.  Setting the state it already has is
 * 0 and sends nothing.
 */
int vs_net_set_link(struct vs_vdev *vdev, int up);

/* Ask the driver to announce itself (after a migration): sets
 * VIRTIO_NET_S_ANNOUNCE and sends a configuration change notification;
 * the bit clears when the driver sends VIRTIO_NET_CTRL_ANNOUNCE_ACK.
 * -EOPNOTSUPP unless VIRTIO_NET_F_GUEST_ANNOUNCE was negotiated. */
int vs_net_announce(struct vs_vdev *vdev);

/* Counters since creation (resets do not clear them). */
struct vs_net_stats {
	uint64_t tx_frames, tx_bytes;     /* frames taken from transmit queues */
	uint64_t tx_errors;               /* malformed transmit chains: dropped, used len 0 */
	uint64_t tx_segments;             /* frames produced by segmenting GSO frames */
	uint64_t rx_frames, rx_bytes;     /* frames put into receive buffers */
	uint64_t rx_dropped_filter;       /* refused by the receive filter */
	uint64_t rx_dropped_backlog;      /* backlog full, or link down */
	uint64_t rx_dropped_too_big;      /* did not fit the posted buffers */
	uint64_t ctrl_ok, ctrl_err;       /* control commands answered OK / ERR */
};
int vs_net_get_stats(const struct vs_vdev *vdev, struct vs_net_stats *out);

/* The device's state as the control queue set it. */
struct vs_net_state {
	uint8_t mac[6];                   /* current address (config, or MAC_ADDR_SET) */
	int link_up;
	int announce_pending;
	int promisc, allmulti, alluni, nomulti, nouni, nobcast;
	unsigned uc_count, mc_count;      /* MAC table entries */
	unsigned vlan_count;              /* VLAN ids in the filter */
	unsigned max_pairs, cur_pairs;    /* max_virtqueue_pairs; pairs in use */
	uint64_t guest_offloads;          /* last GUEST_OFFLOADS_SET (negotiated ones at reset) */
	int paired;                       /* connected to another device */
};
int vs_net_get_state(const struct vs_vdev *vdev, struct vs_net_state *out);

#endif /* VS_DEVICES_NET_H */
