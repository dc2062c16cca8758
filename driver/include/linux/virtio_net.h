/*
 * linux/virtio_net.h - the network device's wire format as the driver sees
 * it (the uapi header of Linux): the configuration layout, the per-packet
 * header and the control queue's command header.  Constants (feature
 * bits, header flags and GSO types, control classes) come from the one
 * ABI header; the struct offsets are checked against its byte offsets.
 * Headers in guest RAM are read and written with vs_le16 / vs_put_le16 at
 * the VS_NET_HDR_* offsets: the device may have written anything there.
 */
#ifndef VS_LINUX_VIRTIO_NET_H
#define VS_LINUX_VIRTIO_NET_H

#include <stddef.h>

#include <linux/compiler.h>

#include "core/virtio_abi.h"

struct virtio_net_config {
	u8 mac[6];                 /* VIRTIO_NET_F_MAC */
	u16 status;                /* VIRTIO_NET_F_STATUS: VIRTIO_NET_S_* */
	u16 max_virtqueue_pairs;   /* VIRTIO_NET_F_MQ */
	u16 mtu;                   /* VIRTIO_NET_F_MTU */
	u32 speed;                 /* VIRTIO_NET_F_SPEED_DUPLEX (not negotiated) */
	u8 duplex;
	u8 rss_max_key_size;       /* RSS fields: not negotiated */
	u16 rss_max_indirection_table_length;
};
_Static_assert(offsetof(struct virtio_net_config, status) == VS_NET_CFG_STATUS, "status");
_Static_assert(offsetof(struct virtio_net_config, max_virtqueue_pairs) == VS_NET_CFG_MAX_PAIRS,
	       "max_virtqueue_pairs");
_Static_assert(offsetof(struct virtio_net_config, mtu) == VS_NET_CFG_MTU, "mtu");
_Static_assert(offsetof(struct virtio_net_config, speed) == VS_NET_CFG_SPEED, "speed");
_Static_assert(offsetof(struct virtio_net_config, duplex) == VS_NET_CFG_DUPLEX, "duplex");
_Static_assert(sizeof(struct virtio_net_config) == VS_NET_CFG_SIZE, "config size");

/* The header before every packet; num_buffers only with VERSION_1 or
 * MRG_RXBUF (struct virtio_net_hdr_mrg_rxbuf). */
struct virtio_net_hdr {
	u8 flags;        /* VIRTIO_NET_HDR_F_* */
	u8 gso_type;     /* VIRTIO_NET_HDR_GSO_* */
	u16 hdr_len;     /* Ethernet + IP + transport headers (a hint) */
	u16 gso_size;    /* bytes to put in each segment */
	u16 csum_start;  /* where to start checksumming */
	u16 csum_offset; /* where after csum_start to store the checksum */
};
struct virtio_net_hdr_mrg_rxbuf {
	struct virtio_net_hdr hdr;
	u16 num_buffers; /* receive buffers the packet spans; 0 on transmit */
};
_Static_assert(offsetof(struct virtio_net_hdr, gso_type) == VS_NET_HDR_GSO_TYPE, "gso_type");
_Static_assert(offsetof(struct virtio_net_hdr, hdr_len) == VS_NET_HDR_HDR_LEN, "hdr_len");
_Static_assert(offsetof(struct virtio_net_hdr, gso_size) == VS_NET_HDR_GSO_SIZE, "gso_size");
_Static_assert(offsetof(struct virtio_net_hdr, csum_start) == VS_NET_HDR_CSUM_START,
	       "csum_start");
_Static_assert(offsetof(struct virtio_net_hdr, csum_offset) == VS_NET_HDR_CSUM_OFFSET,
	       "csum_offset");
_Static_assert(sizeof(struct virtio_net_hdr) == VS_NET_HDR_SIZE_LEGACY, "legacy header size");
_Static_assert(offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers) == VS_NET_HDR_NUM_BUFFERS,
	       "num_buffers");
_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == VS_NET_HDR_SIZE, "header size");

/* The first two bytes of every control command (device-readable). */
struct virtio_net_ctrl_hdr {
	u8 class; /* VIRTIO_NET_CTRL_RX, _MAC, _VLAN, _ANNOUNCE, _MQ, ... */
	u8 cmd;
};
_Static_assert(sizeof(struct virtio_net_ctrl_hdr) == 2, "ctrl header size");

typedef u8 virtio_net_ctrl_ack; /* VIRTIO_NET_OK or VIRTIO_NET_ERR, device-writable */

#endif /* VS_LINUX_VIRTIO_NET_H */
