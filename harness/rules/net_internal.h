/*
 * net_internal.h - state shared by the network device rules (spec 5.1):
 * rules/net.c (state, configuration, features, dispatch), rules/net_data.c
 * (receive and transmit queues) and rules/net_ctrl.c (the control queue).
 * Not for use outside them.
 */
#ifndef VS_RULES_NET_INTERNAL_H
#define VS_RULES_NET_INTERNAL_H

#include <stdint.h>

#include "harness/monitor_internal.h"

/*
 * Spec 5.1 values core/virtio_abi.h does not carry because virtiosim's
 * own device never offers them; a foreign peer may, and the monitor
 * judges what it sees.  Names as the spec gives them.
 */
#define NET_F_DEVICE_STATS             50
#define NET_F_HASH_TUNNEL              51
#define NET_F_VQ_NOTF_COAL             52
#define NET_F_NOTF_COAL                53
#define NET_F_RSS_CONTEXT              64
#define NET_F_GUEST_UDP_TUNNEL_GSO     65
#define NET_F_GUEST_UDP_TUNNEL_GSO_CSUM 66
#define NET_F_HOST_UDP_TUNNEL_GSO      67
#define NET_F_HOST_UDP_TUNNEL_GSO_CSUM 68
#define NET_F_OUT_NET_HEADER           69
#define NET_F_IPSEC                    70

#define NET_HDR_F_UDP_TUNNEL_CSUM      8u
#define NET_HDR_F_SECURITY             16u
#define NET_HDR_F_SECURITY_ERR         32u
#define NET_HDR_GSO_UDP_TUNNEL_IPV4    0x20u
#define NET_HDR_GSO_UDP_TUNNEL_IPV6    0x40u
#define NET_HDR_GSO_TUNNEL             (NET_HDR_GSO_UDP_TUNNEL_IPV4 | NET_HDR_GSO_UDP_TUNNEL_IPV6)
/* gso_type without the ECN and tunnel bits: the segmentation protocol */
#define NET_HDR_GSO_BASE(t)            ((t) & ~(VIRTIO_NET_HDR_GSO_ECN | NET_HDR_GSO_TUNNEL))

/* struct virtio_net_config beyond duplex (5.1.4) */
#define NET_CFG_RSS_KEY_SIZE           17u /* u8 rss_max_key_size */
#define NET_CFG_RSS_TABLE_LEN          18u /* le16 rss_max_indirection_table_length */
#define NET_CFG_HASH_TYPES             20u /* le32 supported_hash_types */
#define NET_CFG_TUNNEL_TYPES           24u /* le32 supported_tunnel_types */
#define NET_CFG_BYTES                  28u

/* Control classes and commands beyond core/virtio_abi.h (5.1.9.4.4, 5.1.9.5) */
#define NET_CTRL_MQ_RSS_CONFIG         1u
#define NET_CTRL_MQ_HASH_CONFIG        2u
#define NET_CTRL_NOTF_COAL             6u
#define NET_CTRL_NOTF_COAL_TX_SET      0u
#define NET_CTRL_NOTF_COAL_RX_SET      1u
#define NET_CTRL_NOTF_COAL_VQ_SET      2u
#define NET_CTRL_NOTF_COAL_VQ_GET      3u
#define NET_CTRL_HASH_TUNNEL           7u
#define NET_CTRL_HASH_TUNNEL_SET       0u
#define NET_CTRL_STATS                 8u
#define NET_CTRL_RSS_CTX               9u

#define NET_CMDS 16u /* control commands remembered from avail to used */

/* Queue roles (5.1.2). */
enum net_role { NET_Q_UNKNOWN = 0, NET_Q_RX, NET_Q_TX, NET_Q_CTRL };

/* A control command in flight: what its answer is judged against. */
struct net_cmd {
	uint64_t ack_gpa;   /* the first device-writable byte */
	uint32_t queue;
	uint16_t head;
	uint8_t live;
	uint8_t written;    /* a device write covered the ack byte */
	uint8_t cls, cmd;
	uint8_t well_formed; /* its data has the size and values of its command */
	uint8_t mac[6];     /* MAC_ADDR_SET: the address */
	uint16_t arg;       /* VQ_PAIRS_SET: pairs; NOTF_COAL_VQ_*: vq_index */
	uint16_t prev_pairs; /* VQ_PAIRS_SET: the driver's pairs before it */
};

/* One receive queue's packet being assembled from used buffers. */
struct net_rxq {
	uint16_t left;      /* buffers num_buffers still promises */
	uint16_t nbuf;      /* num_buffers of the packet */
	uint16_t got;       /* buffers of the packet used so far */
	uint16_t first;     /* head of its first buffer */
	uint8_t last_full;  /* the previous buffer was used up to its size */
	uint8_t split_told; /* net.rx-buffers-together reported for it */
	uint8_t flags, gso;
	uint8_t vlan;       /* the frame carries an 802.1Q tag */
	uint16_t csum_start, csum_offset;
	uint16_t batch;     /* split: used idx the batch of its last buffer started at */
	uint64_t bytes;     /* used bytes so far, header included */
	uint64_t stamp;     /* sync count at its first buffer */
};

struct vs__net {
	uint8_t cfg[NET_CFG_BYTES];   /* configuration as the driver read it */
	uint8_t known[NET_CFG_BYTES]; /* ... which bytes it read */
	int feat_checked;             /* feature set judged since the reset */
	int mtu_seen;                 /* mtu_first holds the first mtu read */
	uint16_t mtu_first;
	int sd_known;                 /* speed / duplex read before (bit 0 / 1) */
	uint32_t speed;
	uint8_t duplex;
	int link_up;                  /* the last status read showed LINK_UP */
	int link_flap;                /* a status read showed the link down since */
	/* multiqueue: virtqueue_pairs as the driver set it (at avail) and as
	 * the device took it (at used, ack OK); 0 before any VQ_PAIRS_SET */
	uint32_t drv_pairs, dev_pairs;
	/* the address a used MAC_ADDR_SET set, to be seen in config */
	int mac_expect;
	uint8_t mac[6];
	/* ANNOUNCE seen in status, ANNOUNCE_ACK not sent yet */
	int announce_owed;
	uint64_t announce_stamp;
	uint32_t acks_out;            /* ANNOUNCE_ACKs made available, not used */
	/* receive queues by pair (index / 2) */
	struct net_rxq *rx;
	uint32_t nrx;
	/* control commands in flight */
	uint32_t ncmd_live, next_cmd;
	struct net_cmd cmd[NET_CMDS];
};

/* ---- rules/net.c ---- */
/* Feature bit (0..127) accepted by the driver / offered by the device
 * (0 when the word was never read). */
int vs__net_feat(const struct vs__dev *dev, unsigned bit);
int vs__net_offered(const struct vs__dev *dev, unsigned bit);
/* A config field the driver read, whole: 1 and *val, else 0. */
int vs__net_cfg(const struct vs__net *n, uint32_t off, unsigned width, uint64_t *val);
/* The role of queue index on this device; 0 (unknown) when it depends
 * on a max_virtqueue_pairs the driver never read. */
enum net_role vs__net_role(const struct vs__dev *dev, const struct vs__net *n, uint32_t index);
/* Automatic receive steering is in force (MQ negotiated, RSS not). */
int vs__net_steering(const struct vs__dev *dev);
/* Copy [off, off + len) of the chain's device-readable (writable = 0)
 * or device-writable bytes out of guest memory: 0, or -1 when short. */
int vs__net_read(struct vs_monitor *mon, const struct vs__chain *c, int writable, uint64_t off,
		 void *dst, uint64_t len);
/* The queue is enabled and a transmit or receive queue. */
int vs__net_txrx_enabled(struct vs__dev *dev, const struct vs__net *n, uint32_t index);

/* ---- rules/net_data.c: chains made available, receive buffers used ---- */
void vs__net_rx_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		      struct vs__queue *q, uint16_t head, const struct vs__chain *c);
void vs__net_tx_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		      struct vs__queue *q, uint16_t head, const struct vs__chain *c);
void vs__net_rx_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		     struct vs__queue *q, uint16_t head, const struct vs__chain *c, uint32_t len);

/* ---- rules/net_ctrl.c ---- */
void vs__net_ctrl_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
			struct vs__queue *q, uint16_t head, const struct vs__chain *c);
void vs__net_ctrl_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		       struct vs__queue *q, uint16_t head, const struct vs__chain *c, uint32_t len);
void vs__net_ctrl_device_write(struct vs__net *n, uint64_t gpa, uint64_t len);

#endif /* VS_RULES_NET_INTERNAL_H */
