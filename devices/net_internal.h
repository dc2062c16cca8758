/*
 * net_internal.h - shared by the network device's files only:
 *
 *   net.c       the model: params, config space, features, reset, the
 *               harness calls of devices/net.h, queue dispatch
 *   net_ctrl.c  the control queue (spec 5.1.9.5)
 *   net_tx.c    transmit queues: header checks, offloads, the wire
 *   net_rx.c    the receive filter, steering, backlog, receive buffers
 *   net_wire.c  frame parsing, checksums, segmentation, the flow hash
 *
 * A frame on the wire is a plain Ethernet frame plus the offload metadata
 * a virtio-net header carries (partial checksum, GSO), kept only when the
 * receiving driver can take it (VIRTIO_NET_F_GUEST_*); otherwise the
 * sender completes the checksum or segments before the frame leaves.
 */
#ifndef VS_DEVICES_NET_INTERNAL_H
#define VS_DEVICES_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/virtio_abi.h"
#include "devices/net.h"

struct vs_vdev;
struct vs_vq;
struct vs_vq_elem;

/* Ethernet and IP values the device parses (IEEE 802.3, RFC 791, RFC 8200,
 * RFC 9293, RFC 768); not virtio's, so not in core/virtio_abi.h. */
#define VS_ETH_P_IPV4      0x0800u
#define VS_ETH_P_IPV6      0x86ddu
#define VS_IPPROTO_TCP     6u
#define VS_IPPROTO_UDP     17u
#define VS_IPV4_HLEN_MIN   20u
#define VS_IPV6_HLEN       40u
#define VS_TCP_HLEN_MIN    20u
#define VS_UDP_HLEN        8u
#define VS_TCP_CSUM_OFF    16u  /* checksum inside the TCP header */
#define VS_UDP_CSUM_OFF    6u
#define VS_TCP_F_FIN       0x01u
#define VS_TCP_F_PSH       0x08u
#define VS_TCP_F_CWR       0x80u

#define VS_NET_MAC_TABLE_MAX 64u  /* entries per table; more = accept all of the kind */
#define VS_NET_FLOW_SLOTS    256u /* flows remembered for steering (power of 2) */
#define VS_NET_QUEUE_SIZE    256u /* default QueueSizeMax */

/* The guest receive offloads (spec 5.1.9.5.9.1) this device can honour. */
#define VS_NET_GUEST_OFFLOADS                                                        \
	(VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |          \
	 VS_BIT(VIRTIO_NET_F_GUEST_TSO6) | VS_BIT(VIRTIO_NET_F_GUEST_ECN) |           \
	 VS_BIT(VIRTIO_NET_F_GUEST_UFO) | VS_BIT(VIRTIO_NET_F_GUEST_USO4) |           \
	 VS_BIT(VIRTIO_NET_F_GUEST_USO6))

/* One frame between a transmit queue and a receive buffer. */
struct vs__net_frame {
	struct vs__net_frame *next;
	uint8_t flags;        /* VIRTIO_NET_HDR_F_NEEDS_CSUM or DATA_VALID, or 0 */
	uint8_t gso_type;     /* VIRTIO_NET_HDR_GSO_*, NONE unless the receiver takes it */
	uint16_t gso_size;
	uint16_t hdr_len;
	uint16_t csum_start, csum_offset; /* with NEEDS_CSUM */
	uint32_t len;         /* bytes in data */
	uint8_t data[];
};

/* A FIFO of frames. */
struct vs__net_fifo {
	struct vs__net_frame *head, *tail;
	uint32_t n;
};

/*
 * One receive queue: frames waiting for buffers, and buffers popped but
 * not used yet.  A buffer is popped before the device knows whether the
 * frame fits (the ring engine cannot put a chain back); one that did not
 * fit stays here, the device's, for the next frame, and buffers are always
 * used in the order they were popped.
 */
struct vs__net_rxq {
	struct vs__net_fifo backlog;
	struct vs_vq_elem **held;   /* ring of popped elements */
	uint32_t held_head, held_n, held_cap;
};

/* A flow the device transmitted: where its answers are steered. */
struct vs__net_flow {
	uint32_t hash;
	uint16_t pair;
	uint8_t valid;
};

struct vs__net {
	struct vs_vdev *vdev;
	uint8_t param_mac[6];         /* from the params: config mac after a reset */
	uint8_t mac[6];               /* the address the filter accepts */
	uint16_t mtu;
	uint32_t max_pairs;           /* max_virtqueue_pairs */
	uint32_t cur_pairs;           /* pairs receive steering uses */
	int link_up;
	/* receive filter (spec 5.1.9.5.1 - 5.1.9.5.3) */
	int promisc, allmulti, alluni, nomulti, nouni, nobcast;
	uint8_t uc[VS_NET_MAC_TABLE_MAX][6], mc[VS_NET_MAC_TABLE_MAX][6];
	uint32_t uc_n, mc_n;
	int uc_overflow, mc_overflow; /* table given more than fits: accept the kind */
	uint32_t vlans[(VS_NET_VLAN_MAX + 1) / 32];
	uint64_t offloads;            /* GUEST_OFFLOADS_SET value */
	int offloads_set;             /* since the last reset */
	struct vs__net *peer;         /* paired device, NULL = loopback */
	int orphaned;                 /* the peer was destroyed: frames go nowhere */
	struct vs__net_flow flows[VS_NET_FLOW_SLOTS];
	struct vs__net_rxq *rxq;      /* max_pairs of them */
	struct vs_net_stats stats;
};

/* ---- net.c ---- */
/* The model state of vdev, NULL when vdev is not a net device. */
struct vs__net *vs__net_of(const struct vs_vdev *vdev);
/* Header bytes before each frame: 12, or 10 for a legacy device without
 * MRG_RXBUF (spec 5.1.9.1). */
uint32_t vs__net_hdr_size(const struct vs_vdev *vdev);
/* Are the driver's features final: FEATURES_OK set (legacy: DRIVER_OK)? */
int vs__net_features_final(const struct vs__net *st);
/* The receive offloads the driver takes now: none before the features
 * are final, then the negotiated ones or the last GUEST_OFFLOADS_SET. */
uint64_t vs__net_offloads(const struct vs__net *st);
/* Queue pairs as the driver sees them: max_pairs with MQ negotiated, else 1. */
uint32_t vs__net_pairs(const struct vs__net *st);
/* Change status bits (set, clear) with a configuration change
 * notification; nothing when the value does not change. */
void vs__net_status_update(struct vs__net *st, uint16_t set, uint16_t clear);

/* ---- net_ctrl.c ---- */
void vs__net_handle_ctrl(struct vs__net *st, struct vs_vq *vq);
/* The filter after a reset. */
void vs__net_filter_reset(struct vs__net *st);

/* ---- net_tx.c ---- */
void vs__net_handle_tx(struct vs__net *st, struct vs_vq *vq, uint32_t pair);
/*
 * Make f fit what the receiver takes (offloads as vs__net_offloads):
 * complete a partial checksum, segment a GSO frame, or keep the metadata.
 * Each resulting frame goes to emit (which takes ownership); f is consumed.
 * Returns the number of segments made (0 when not segmented) or -EINVAL
 * when f cannot be parsed as its GSO type claims (f is freed then).
 */
typedef void (*vs__net_emit_fn)(void *opaque, struct vs__net_frame *f);
int vs__net_fit(struct vs__net_frame *f, uint64_t offloads, vs__net_emit_fn emit, void *opaque);

/* ---- net_rx.c ---- */
/* A frame arrives from the wire at st: link, filter, steering, backlog,
 * delivery scheduled.  Takes ownership of f. */
void vs__net_receive(struct vs__net *st, struct vs__net_frame *f);
/* Fill receive buffers of pair's queue from its backlog. */
void vs__net_handle_rx(struct vs__net *st, struct vs_vq *vq, uint32_t pair);
/* Is f accepted by st's receive filter? */
int vs__net_filter_accepts(const struct vs__net *st, const struct vs__net_frame *f);
/* Remember that st transmitted the flow of f on pair. */
void vs__net_flow_note(struct vs__net *st, const struct vs__net_frame *f, uint32_t pair);
/* Re-steer the backlogs of pairs >= cur_pairs; re-fit every backlog to the
 * offloads (after MQ_VQ_PAIRS_SET / GUEST_OFFLOADS_SET). */
void vs__net_rx_resteer(struct vs__net *st);
/* Drop every backlog frame, counted as rx_dropped_backlog when count. */
void vs__net_rx_flush(struct vs__net *st, int count);
/* Forget the buffers popped and not used (after a reset: they belong to
 * the old rings). */
void vs__net_rx_free_held(struct vs__net *st);

struct vs__net_frame *vs__net_frame_new(uint32_t len);
void vs__net_fifo_push(struct vs__net_fifo *q, struct vs__net_frame *f);
struct vs__net_frame *vs__net_fifo_pop(struct vs__net_fifo *q);
void vs__net_fifo_free(struct vs__net_fifo *q);

/* ---- net_wire.c ---- */
/* Where the headers of a frame are, as far as the device understands them. */
struct vs__net_l4 {
	uint32_t l3_off;      /* IP header */
	uint32_t l3_hlen;     /* IPv4 ihl * 4, or 40 */
	uint32_t l4_off;      /* TCP / UDP header */
	uint32_t l4_hlen;     /* TCP header with options, or 8 */
	uint32_t l4_len;      /* L4 header + payload as the IP length fields say */
	uint16_t ethertype;   /* after one 802.1Q tag, if any */
	uint8_t ipv6;
	uint8_t proto;        /* VS_IPPROTO_TCP / UDP */
};
/* Parse Ethernet (one optional 802.1Q tag), IPv4 (not a fragment) or IPv6
 * (no extension header), then TCP or UDP, all inside len.  0 or -EINVAL. */
int vs__net_parse(const uint8_t *f, uint32_t len, struct vs__net_l4 *out);

/* Complete a partial checksum as spec 5.1.9.2 point 3 describes: the sum
 * from start to the end of the frame, stored at start + off.  0, or
 * -EINVAL when the field is not inside the frame. */
int vs__net_csum_complete(uint8_t *f, uint32_t len, uint32_t start, uint32_t off);
/* Is the TCP / UDP checksum of a parsed frame correct?  1 or 0 (UDP over
 * IPv4 without a checksum is not "verified"). */
int vs__net_csum_verify(const uint8_t *f, uint32_t len, const struct vs__net_l4 *l4);
/* Cut a TCP (TSO) or UDP (USO) frame into segments of at most mss payload
 * bytes, each with its own IP length, id, header checksum, TCP sequence
 * and flags, and a complete L4 checksum.  Each segment goes to emit as a
 * new frame (flags 0, gso NONE).  Returns the count, -EINVAL (mss 0), or
 * -ENOMEM. */
int vs__net_segment(const struct vs__net_frame *f, const struct vs__net_l4 *l4, uint16_t mss,
		    vs__net_emit_fn emit, void *opaque);
/* A hash of the flow (addresses, ethertype, ports) that is the same in
 * both directions, for receive steering. */
uint32_t vs__net_flow_hash(const uint8_t *f, uint32_t len);

#endif /* VS_DEVICES_NET_INTERNAL_H */
