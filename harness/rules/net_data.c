/*
 * net_data.c - network device rules for the receive and transmit queues
 * (spec 5.1.9.2 - 5.1.9.4); called from rules/net.c.
 *
 * Driver side, when a buffer is made available: a receive buffer is
 * device-writable and big enough for the header (MRG_RXBUF) or for a
 * whole packet (mtu, and the sizes 5.1.9.3.1 advises); a transmit buffer
 * is device-readable, starts with a header of the negotiated size that
 * asks only for offloads that were negotiated, with consistent checksum
 * offsets and hdr_len, carries a packet within mtu, and goes to a queue
 * the multiqueue state allows.
 *
 * Device side, when a receive buffer is used: the monitor reassembles
 * packets from the used buffers of each receive queue, in order.  The
 * first buffer starts with the header (used len at least its size), whose
 * num_buffers says how many buffers the packet takes: every one but the
 * last used up to its size (5.1.9.4.1: so a buffer not filled ends the
 * packet) and, on a split ring, all published by one used idx update.  A
 * packet still short of buffers at the second sync after it started is
 * judged in vs__net_pending.  The header carries only what was negotiated.
 *
 * Runs once per buffer: reads the header (12 bytes) and at most two more
 * bytes of the frame.
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/rules/net_internal.h"

#define NET_MAX_RXQ 512u     /* receive queues whose packets are reassembled */
#define NET_GSO_FRAME 65589u /* largest received packet with guest GSO (5.1.9.3) */
#define NET_FRAME 1514u      /* ... without */

/* struct virtio_net_hdr as negotiated: spec
 * drv.net.device-operation.setting-up-receive-buffers.4 and 5.1.9.1 */
static unsigned hdr_size(const struct vs__dev *dev)
{
	if (vs__net_feat(dev, NET_F_OUT_NET_HEADER) || vs__net_feat(dev, NET_F_IPSEC))
		return 32;
	if (vs__net_feat(dev, NET_F_HOST_UDP_TUNNEL_GSO) ||
	    vs__net_feat(dev, NET_F_GUEST_UDP_TUNNEL_GSO))
		return 24;
	if (vs__net_feat(dev, VIRTIO_NET_F_HASH_REPORT))
		return 20;
	if (vs__net_feat(dev, VIRTIO_F_VERSION_1) || vs__net_feat(dev, VIRTIO_NET_F_MRG_RXBUF))
		return VS_NET_HDR_SIZE;
	return VS_NET_HDR_SIZE_LEGACY;
}


/* ---- header fields both directions judge ---- */

/* A gso_type protocol and the features (either) that allow it. */
struct gso_allow {
	uint8_t type, f1, f2;
	enum vs__rule rule;
};

static const struct gso_allow rx_allow[] = {
	/* spec dev.net.device-operation.processing-incoming-packets.6 - .9 */
	{VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO4,
	 VS_R_NET_RX_GSO_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_UDP, VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_UFO,
	 VS_R_NET_RX_GSO_UDP_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_TCPV6, VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_TSO6,
	 VS_R_NET_RX_GSO_TCPV6_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_UDP_L4, VIRTIO_NET_F_GUEST_USO4, VIRTIO_NET_F_GUEST_USO6,
	 VS_R_NET_RX_GSO_USO_UNNEGOTIATED},
};

static const struct gso_allow tx_allow[] = {
	/* spec drv.net.device-operation.packet-transmission.5 - .8 */
	{VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO4,
	 VS_R_NET_TX_GSO_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_TCPV6, VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_TSO6,
	 VS_R_NET_TX_GSO_TCPV6_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_UDP, VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_HOST_UFO,
	 VS_R_NET_TX_GSO_UDP_UNNEGOTIATED},
	{VIRTIO_NET_HDR_GSO_UDP_L4, VIRTIO_NET_F_HOST_USO, VIRTIO_NET_F_HOST_USO,
	 VS_R_NET_TX_GSO_USO_UNNEGOTIATED},
};

/* gso_type against the features of one direction (4 entries); none is
 * VS_R_NET_RX_GSO_NONE or VS_R_NET_TX_GSO_NONE, for a gso_type other than
 * NONE when none of them was negotiated and no protocol rule said so. */
static void gso_allowed(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			uint16_t head, uint8_t gso, const struct gso_allow *t, enum vs__rule none)
{
	int any = 0;

	for (unsigned i = 0; i < 4; i++) {
		int ok = vs__net_feat(dev, t[i].f1) || vs__net_feat(dev, t[i].f2);

		any |= ok;
		if (NET_HDR_GSO_BASE(gso) == t[i].type && !ok) {
			vs__violate(mon, dev, (int)q->index, t[i].rule,
				    "queue %u head %u: gso_type 0x%02x without feature %u", q->index,
				    head, gso, t[i].f1);
			return;
		}
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE && !any)
		vs__violate(mon, dev, (int)q->index, none,
			    "queue %u head %u: gso_type 0x%02x with no segmentation offload negotiated",
			    q->index, head, gso);
}

/* ---- receive queues ---- */

#define QV(rule, fmt, ...)                                                                   \
	vs__violate(mon, dev, (int)q->index, rule, "queue %u head %u: " fmt, q->index, head, \
		    __VA_ARGS__)

static int guest_gso(const struct vs__dev *dev)
{
	return vs__net_feat(dev, VIRTIO_NET_F_GUEST_TSO4) ||
	       vs__net_feat(dev, VIRTIO_NET_F_GUEST_TSO6) ||
	       vs__net_feat(dev, VIRTIO_NET_F_GUEST_UFO) ||
	       vs__net_feat(dev, VIRTIO_NET_F_GUEST_USO4) ||
	       vs__net_feat(dev, VIRTIO_NET_F_GUEST_USO6);
}

void vs__net_rx_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		     struct vs__queue *q, uint16_t head, const struct vs__chain *c)
{
	unsigned hl = hdr_size(dev);
	uint64_t w = c->writable, mtu;

	if (c->readable)
		QV(VS_R_NET_RX_READABLE, "%llu device-readable bytes in a receive buffer",
		   (unsigned long long)c->readable);
	if (vs__net_feat(dev, VIRTIO_NET_F_MRG_RXBUF)) {
		/* spec drv.net.device-operation.setting-up-receive-buffers.3 */
		if (w < hl)
			QV(VS_R_NET_RX_BUFFER_HEADER, "%llu device-writable bytes, the header takes %u",
			   (unsigned long long)w, hl);
		return;
	}
	/* spec drv.net.device-configuration-layout.6: without MRG_RXBUF a
	 * packet must fit one buffer */
	if (vs__net_feat(dev, VIRTIO_NET_F_MTU) && vs__net_cfg(n, VS_NET_CFG_MTU, 2, &mtu) &&
	    w < hl + mtu + VS_ETH_HLEN) {
		QV(VS_R_NET_RX_BUFFER_MTU, "%llu device-writable bytes, mtu %llu needs %llu",
		   (unsigned long long)w, (unsigned long long)mtu,
		   (unsigned long long)(hl + mtu + VS_ETH_HLEN));
		return;
	}
	/* spec drv.net.device-operation.setting-up-receive-buffers.1 / .2 */
	if (guest_gso(dev) && w < NET_GSO_FRAME + hl)
		QV(VS_R_NET_RX_BUFFER_SMALL_GSO, "%llu device-writable bytes with guest GSO",
		   (unsigned long long)w);
	else if (!guest_gso(dev) && w < NET_FRAME + hl)
		QV(VS_R_NET_RX_BUFFER_SMALL, "%llu device-writable bytes", (unsigned long long)w);
}

static struct net_rxq *rxq_get(struct vs__net *n, uint32_t index)
{
	uint32_t i = index / 2;

	if (i >= NET_MAX_RXQ)
		return NULL;
	if (i >= n->nrx) {
		uint32_t cap = i < 4 ? 4 : 2 * i;
		struct net_rxq *r;

		cap = cap > NET_MAX_RXQ ? NET_MAX_RXQ : cap;
		r = realloc(n->rx, cap * sizeof(*r));
		if (!r)
			return NULL;
		memset(r + n->nrx, 0, (cap - n->nrx) * sizeof(*r));
		n->rx = r;
		n->nrx = cap;
	}
	return &n->rx[i];
}

/* The header of a packet's first buffer: flags and gso_type against
 * what was negotiated (spec dev.net.device-operation.processing-incoming-packets.*). */
static void rx_header(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, uint8_t flags, uint8_t gso, uint16_t gso_size)
{
	uint8_t tun = gso & NET_HDR_GSO_TUNNEL;

	if (flags && !vs__net_feat(dev, VIRTIO_NET_F_GUEST_CSUM)) {
		QV(VS_R_NET_RX_FLAGS_UNNEGOTIATED, "flags 0x%02x without VIRTIO_NET_F_GUEST_CSUM",
		   flags);
	} else {
		if ((flags & VIRTIO_NET_HDR_F_RSC_INFO) && !vs__net_feat(dev, VIRTIO_NET_F_RSC_EXT))
			QV(VS_R_NET_RX_RSC_UNNEGOTIATED, "flags 0x%02x without VIRTIO_NET_F_RSC_EXT",
			   flags);
		if ((flags & NET_HDR_F_UDP_TUNNEL_CSUM) &&
		    !vs__net_feat(dev, NET_F_GUEST_UDP_TUNNEL_GSO_CSUM))
			QV(VS_R_NET_RX_TUNNEL_CSUM_UNNEGOTIATED,
			   "flags 0x%02x without VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM", flags);
		if ((flags & NET_HDR_F_SECURITY) && !vs__net_feat(dev, NET_F_IPSEC))
			QV(VS_R_NET_RX_SECURITY_FLAG, "flags 0x%02x without VIRTIO_NET_F_IPSEC", flags);
		if ((flags & NET_HDR_F_SECURITY_ERR) && !vs__net_feat(dev, NET_F_IPSEC))
			QV(VS_R_NET_RX_SECURITY_ERR_FLAG, "flags 0x%02x without VIRTIO_NET_F_IPSEC",
			   flags);
	}
	gso_allowed(mon, dev, q, head, gso, rx_allow, VS_R_NET_RX_GSO_NONE);
	if (tun && !vs__net_feat(dev, NET_F_GUEST_UDP_TUNNEL_GSO))
		QV(VS_R_NET_RX_GSO_TUNNEL_UNNEGOTIATED,
		   "gso_type 0x%02x without VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO", gso);
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !vs__net_feat(dev, VIRTIO_NET_F_GUEST_ECN))
		QV(VS_R_NET_RX_GSO_ECN, "gso_type 0x%02x without VIRTIO_NET_F_GUEST_ECN", gso);
	if (tun && (flags & VIRTIO_NET_HDR_F_DATA_VALID))
		QV(VS_R_NET_RX_TUNNEL_DATA_VALID, "gso_type 0x%02x with flags 0x%02x", gso, flags);
	if (NET_HDR_GSO_BASE(gso) == VIRTIO_NET_HDR_GSO_NONE)
		return;
	if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || gso_size == 0)
		QV(VS_R_NET_RX_GSO_CSUM, "gso_type 0x%02x with flags 0x%02x, gso_size %u", gso, flags,
		   gso_size);
	if (vs__net_feat(dev, VIRTIO_NET_F_RSC_EXT) && !(flags & VIRTIO_NET_HDR_F_RSC_INFO))
		QV(VS_R_NET_RX_RSC_INFO, "gso_type 0x%02x, flags 0x%02x with VIRTIO_NET_F_RSC_EXT", gso,
		   flags);
}

/* The packet's last buffer came: the checks that need its length. */
static void rx_complete(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
			struct vs__queue *q, const struct net_rxq *r)
{
	uint16_t head = r->first;
	uint64_t plen = r->bytes - hdr_size(dev), mtu, lim;

	/* spec dev.net.device-operation.processing-incoming-packets.17 (with
	 * RSC_INFO the two fields count segments instead) */
	if ((r->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(r->flags & VIRTIO_NET_HDR_F_RSC_INFO) &&
	    vs__net_feat(dev, VIRTIO_NET_F_GUEST_CSUM) &&
	    (uint64_t)r->csum_start + r->csum_offset + 2 > plen)
		QV(VS_R_NET_RX_CSUM_RANGE, "csum_start %u + csum_offset %u in a %llu-byte packet",
		   r->csum_start, r->csum_offset, (unsigned long long)plen);
	/* spec dev.net.device-configuration-layout.5 */
	if (vs__net_feat(dev, VIRTIO_NET_F_MTU) && vs__net_cfg(n, VS_NET_CFG_MTU, 2, &mtu) &&
	    (r->gso & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		lim = mtu + VS_ETH_HLEN + (r->vlan ? VS_ETH_VLAN_HLEN : 0);
		if (plen > lim)
			QV(VS_R_NET_RX_OVER_MTU, "%llu-byte packet, mtu %llu allows %llu",
			   (unsigned long long)plen, (unsigned long long)mtu, (unsigned long long)lim);
	}
}

/* Automatic receive steering: spec
 * dev.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.1 / .2 */
static void rx_steering(struct vs_monitor *mon, struct vs__dev *dev, const struct vs__net *n,
			struct vs__queue *q, uint16_t head)
{
	uint32_t pair = q->index / 2 + 1;

	if (!vs__net_steering(dev) || pair <= (n->dev_pairs ? n->dev_pairs : 1))
		return;
	if (n->dev_pairs)
		QV(VS_R_NET_RX_QUEUE_BEYOND_PAIRS, "packet on receiveq%u, virtqueue_pairs %u", pair,
		   n->dev_pairs);
	else
		QV(VS_R_NET_RX_QUEUE_BEFORE_MQ, "packet on receiveq%u before VQ_PAIRS_SET", pair);
}

void vs__net_rx_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		    struct vs__queue *q, uint16_t head, const struct vs__chain *c, uint32_t len)
{
	struct net_rxq *r = rxq_get(n, q->index);
	unsigned hl = hdr_size(dev);
	int mrg = vs__net_feat(dev, VIRTIO_NET_F_MRG_RXBUF);
	uint16_t batch = q->used_shadow; /* split: constant through one batch */
	uint8_t h[VS_NET_HDR_SIZE], eth[2];
	uint16_t nb;

	/* with IN_ORDER one used element may stand for several buffers:
	 * where packets begin is lost */
	if (!r || (mrg && vs__feat(dev, VIRTIO_F_IN_ORDER)))
		return;
	/* The driver broke this queue's avail ring: which buffers the device
	 * took is unknown, so packets cannot be told apart any more. */
	if (q->tainted) {
		memset(r, 0, sizeof(*r));
		return;
	}
	if (r->left && !r->last_full) {
		/* spec dev.net.device-operation.processing-incoming-packets.2:
		 * buffers fill in order (.3), so the packet ended in the one
		 * not filled; this buffer starts the next */
		QV(VS_R_NET_RX_NUM_BUFFERS,
		   "the packet at head %u says num_buffers %u, but its buffer %u was not filled and head %u follows",
		   r->first, r->nbuf, r->got, head);
		r->left = 0;
	} else if (r->left) {
		/* spec dev.net.device-operation.processing-incoming-packets.4 */
		if (!q->packed && batch != r->batch && !r->split_told) {
			QV(VS_R_NET_RX_BUFFERS_TOGETHER,
			   "buffer %u of the packet at head %u (num_buffers %u) published by a later used idx update",
			   r->got + 1, r->first, r->nbuf);
			r->split_told = 1;
		}
		r->left--;
		r->got++;
		r->bytes += len;
		r->last_full = len >= c->writable;
		r->batch = batch;
		if (!r->left)
			rx_complete(mon, dev, n, q, r);
		return;
	}
	memset(r, 0, sizeof(*r));
	rx_steering(mon, dev, n, q, head);
	if (len < hl) {
		QV(VS_R_NET_RX_USED_LEN, "used len %u, the header takes %u", len, hl);
		return;
	}
	if (vs__net_read(mon, c, 1, 0, h, hl < sizeof(h) ? hl : sizeof(h)))
		return;
	nb = hl >= VS_NET_HDR_SIZE ? vs_le16(h + VS_NET_HDR_NUM_BUFFERS) : 1;
	/* spec dev.net.device-operation.processing-incoming-packets.1 / .2 */
	if (!mrg && nb != 1)
		QV(VS_R_NET_RX_NUM_BUFFERS_ONE, "num_buffers %u without VIRTIO_NET_F_MRG_RXBUF", nb);
	else if (mrg && nb == 0)
		QV(VS_R_NET_RX_NUM_BUFFERS, "num_buffers %u", nb);
	rx_header(mon, dev, q, head, h[VS_NET_HDR_FLAGS], h[VS_NET_HDR_GSO_TYPE],
		  vs_le16(h + VS_NET_HDR_GSO_SIZE));
	r->flags = h[VS_NET_HDR_FLAGS];
	r->gso = h[VS_NET_HDR_GSO_TYPE];
	r->csum_start = vs_le16(h + VS_NET_HDR_CSUM_START);
	r->csum_offset = vs_le16(h + VS_NET_HDR_CSUM_OFFSET);
	r->first = head;
	r->nbuf = mrg && nb ? nb : 1;
	r->left = (uint16_t)(r->nbuf - 1);
	r->got = 1;
	r->bytes = len;
	r->last_full = len >= c->writable;
	r->batch = batch;
	r->stamp = mon->sync_count;
	if (len >= hl + VS_ETH_HLEN && !vs__net_read(mon, c, 1, hl + 12, eth, 2))
		r->vlan = ((unsigned)eth[0] << 8 | eth[1]) == VS_ETH_P_8021Q;
	if (!r->left)
		rx_complete(mon, dev, n, q, r);
}

/* ---- transmit queues ---- */

static int host_gso(const struct vs__dev *dev)
{
	return vs__net_feat(dev, VIRTIO_NET_F_HOST_TSO4) ||
	       vs__net_feat(dev, VIRTIO_NET_F_HOST_TSO6) ||
	       vs__net_feat(dev, VIRTIO_NET_F_HOST_UFO) || vs__net_feat(dev, VIRTIO_NET_F_HOST_USO);
}

static void tx_flags(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint16_t head, uint8_t flags, uint8_t gso)
{
	/* spec drv.net.device-operation.packet-transmission.3 */
	if (flags && !vs__net_feat(dev, VIRTIO_NET_F_CSUM)) {
		QV(VS_R_NET_TX_FLAGS_UNNEGOTIATED, "flags 0x%02x without VIRTIO_NET_F_CSUM", flags);
		return;
	}
	/* spec drv.net.device-operation.packet-transmission.34, else .33 */
	if ((flags & VIRTIO_NET_HDR_F_DATA_VALID) && (gso & NET_HDR_GSO_TUNNEL))
		QV(VS_R_NET_TX_TUNNEL_DATA_VALID, "flags 0x%02x with gso_type 0x%02x", flags, gso);
	else if (flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO))
		QV(VS_R_NET_TX_FLAGS_INVALID, "flags 0x%02x", flags);
	if (!(flags & NET_HDR_F_UDP_TUNNEL_CSUM))
		return;
	/* spec drv.net.device-operation.packet-transmission.13 / .16 */
	if (!vs__net_feat(dev, NET_F_HOST_UDP_TUNNEL_GSO_CSUM))
		QV(VS_R_NET_TX_TUNNEL_CSUM_UNNEGOTIATED,
		   "flags 0x%02x without VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM", flags);
	else if (!(gso & NET_HDR_GSO_TUNNEL))
		QV(VS_R_NET_TX_TUNNEL_CSUM_FLAG, "flags 0x%02x with gso_type 0x%02x", flags, gso);
}

static void tx_gso(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, uint8_t flags, uint8_t gso, uint16_t gso_size)
{
	uint8_t tun = gso & NET_HDR_GSO_TUNNEL, base = NET_HDR_GSO_BASE(gso);

	gso_allowed(mon, dev, q, head, gso, tx_allow, VS_R_NET_TX_GSO_NONE);
	/* spec drv.net.device-operation.packet-transmission.9 (its SHOULD NOT) */
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) && !vs__net_feat(dev, VIRTIO_NET_F_HOST_ECN))
		QV(VS_R_NET_TX_GSO_ECN, "gso_type 0x%02x without VIRTIO_NET_F_HOST_ECN", gso);
	if (tun) {
		/* spec drv.net.device-operation.packet-transmission.10, .15, .14, .11 */
		if (!vs__net_feat(dev, NET_F_HOST_UDP_TUNNEL_GSO))
			QV(VS_R_NET_TX_GSO_TUNNEL_UNNEGOTIATED,
			   "gso_type 0x%02x without VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO", gso);
		if (tun == NET_HDR_GSO_TUNNEL)
			QV(VS_R_NET_TX_TUNNEL_BOTH, "gso_type 0x%02x", gso);
		else if (base == VIRTIO_NET_HDR_GSO_UDP)
			QV(VS_R_NET_TX_TUNNEL_UDP, "gso_type 0x%02x", gso);
		else if ((tun == NET_HDR_GSO_UDP_TUNNEL_IPV4 && base == VIRTIO_NET_HDR_GSO_TCPV6) ||
			 (tun == NET_HDR_GSO_UDP_TUNNEL_IPV6 && base == VIRTIO_NET_HDR_GSO_TCPV4))
			QV(VS_R_NET_TX_TUNNEL_FAMILY, "gso_type 0x%02x", gso);
	}
	/* spec drv.net.device-operation.packet-transmission.22 */
	if (base != VIRTIO_NET_HDR_GSO_NONE &&
	    (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || gso_size == 0))
		QV(VS_R_NET_TX_GSO_CSUM, "gso_type 0x%02x with flags 0x%02x, gso_size %u", gso, flags,
		   gso_size);
}

/* hdr_len of a GSO packet: csum_start (the transport header) plus the
 * transport header's length.  Spec
 * drv.net.device-operation.packet-transmission.23 / .24. */
static void tx_hdr_len(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		       uint16_t head, const struct vs__chain *c, const uint8_t *h, uint64_t plen)
{
	unsigned hl = hdr_size(dev);
	uint8_t base = NET_HDR_GSO_BASE(h[VS_NET_HDR_GSO_TYPE]), b;
	uint16_t cs = vs_le16(h + VS_NET_HDR_CSUM_START), hdr_len = vs_le16(h + VS_NET_HDR_HDR_LEN);
	uint32_t l4 = 0, expect;

	if (base == VIRTIO_NET_HDR_GSO_NONE || !host_gso(dev) ||
	    !(h[VS_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) || (uint64_t)cs + 20 > plen)
		return;
	if (base == VIRTIO_NET_HDR_GSO_TCPV4 || base == VIRTIO_NET_HDR_GSO_TCPV6) {
		/* TCP data offset: the high nibble of byte 12, in 32-bit words */
		if (!vs__net_read(mon, c, 0, hl + cs + 12u, &b, 1) && (b >> 4) >= 5)
			l4 = (b >> 4) * 4u;
	} else if (base == VIRTIO_NET_HDR_GSO_UDP || base == VIRTIO_NET_HDR_GSO_UDP_L4) {
		l4 = 8;
	}
	if (!l4)
		return;
	expect = cs + l4;
	if (vs__net_feat(dev, VIRTIO_NET_F_GUEST_HDRLEN) && hdr_len != expect)
		QV(VS_R_NET_TX_HDR_LEN, "hdr_len %u, the headers take %u", hdr_len, expect);
	else if (!vs__net_feat(dev, VIRTIO_NET_F_GUEST_HDRLEN) && hdr_len < expect)
		QV(VS_R_NET_TX_HDR_LEN_SHORT, "hdr_len %u, the headers take %u", hdr_len, expect);
}

void vs__net_tx_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		     struct vs__queue *q, uint16_t head, const struct vs__chain *c)
{
	unsigned hl = hdr_size(dev);
	uint8_t h[VS_NET_HDR_SIZE] = {0}, eth[2], flags, gso;
	uint16_t cs, co;
	uint64_t plen, mtu, lim;
	uint32_t pair = q->index / 2 + 1;

	if (c->writable)
		QV(VS_R_NET_TX_WRITABLE, "%llu device-writable bytes in a transmit buffer",
		   (unsigned long long)c->writable);
	/* spec drv.net.device-operation.packet-transmission.1 */
	if (c->readable < hl) {
		QV(VS_R_NET_TX_HEADER, "%llu device-readable bytes, the header takes %u",
		   (unsigned long long)c->readable, hl);
		return;
	}
	if (vs__net_read(mon, c, 0, 0, h, hl < sizeof(h) ? hl : sizeof(h)))
		return;
	plen = c->readable - hl;
	flags = h[VS_NET_HDR_FLAGS];
	gso = h[VS_NET_HDR_GSO_TYPE];
	cs = vs_le16(h + VS_NET_HDR_CSUM_START);
	co = vs_le16(h + VS_NET_HDR_CSUM_OFFSET);
	/* spec drv.net.device-operation.packet-transmission.2 */
	if (hl >= VS_NET_HDR_SIZE && vs_le16(h + VS_NET_HDR_NUM_BUFFERS))
		QV(VS_R_NET_TX_NUM_BUFFERS, "num_buffers %u", vs_le16(h + VS_NET_HDR_NUM_BUFFERS));
	tx_flags(mon, dev, q, head, flags, gso);
	tx_gso(mon, dev, q, head, flags, gso, vs_le16(h + VS_NET_HDR_GSO_SIZE));
	/* spec drv.net.device-operation.packet-transmission.20 */
	if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && vs__net_feat(dev, VIRTIO_NET_F_CSUM) &&
	    (uint64_t)cs + co + 2 > plen)
		QV(VS_R_NET_TX_CSUM_RANGE, "csum_start %u + csum_offset %u in a %llu-byte packet", cs,
		   co, (unsigned long long)plen);
	tx_hdr_len(mon, dev, q, head, c, h, plen);
	/* spec drv.net.device-configuration-layout.7 */
	if (vs__net_feat(dev, VIRTIO_NET_F_MTU) && vs__net_cfg(n, VS_NET_CFG_MTU, 2, &mtu) &&
	    (gso & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		lim = mtu + VS_ETH_HLEN;
		if (plen >= VS_ETH_HLEN && !vs__net_read(mon, c, 0, hl + 12, eth, 2) &&
		    ((unsigned)eth[0] << 8 | eth[1]) == VS_ETH_P_8021Q)
			lim += VS_ETH_VLAN_HLEN;
		if (plen > lim)
			QV(VS_R_NET_TX_OVER_MTU, "%llu-byte packet, mtu %llu allows %llu",
			   (unsigned long long)plen, (unsigned long long)mtu, (unsigned long long)lim);
	}
	/* spec drv.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.3 / .4 */
	if (vs__net_steering(dev) && pair > 1) {
		if (!n->drv_pairs)
			QV(VS_R_NET_TX_QUEUE_BEFORE_MQ, "packet on transmitq%u before VQ_PAIRS_SET", pair);
		else if (pair > n->drv_pairs)
			QV(VS_R_NET_TX_QUEUE_BEYOND_PAIRS, "packet on transmitq%u, virtqueue_pairs %u",
			   pair, n->drv_pairs);
	}
}

#undef QV
