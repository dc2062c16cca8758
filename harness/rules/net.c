/*
 * net.c - per device type rules, network device (spec 5.1): the state,
 * features, configuration, and the dispatch to the receive and transmit
 * queues (rules/net_data.c) and the control queue (rules/net_ctrl.c).
 *
 * Queues by index (5.1.2): receiveqN is 2(N-1), transmitqN 2(N-1)+1 and
 * the controlq follows the last pair; how many pairs there are comes from
 * max_virtqueue_pairs as the driver read it (one without MQ or RSS).
 *
 * Features are judged once per reset, at the first event after the
 * device confirmed FEATURES_OK (DRIVER_OK on a legacy interface): the
 * dependencies of 5.1.3.1 on both sides and the features the spec asks a
 * driver to take.  Configuration values are judged as the driver reads
 * them; a field counts when one access read it whole.  Fields are
 * little-endian; a legacy interface uses the guest's native order
 * (5.1.4.3, 5.1.9.1), little-endian on every machine here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/rules/net_internal.h"

static int is_net(const struct vs__dev *dev)
{
	return dev->device_id_known && dev->device_id == VIRTIO_ID_NET;
}

static struct vs__net *net_state(struct vs__dev *dev)
{
	if (!dev->net && is_net(dev))
		dev->net = calloc(1, sizeof(*dev->net));
	return is_net(dev) ? dev->net : NULL;
}

void vs__net_free(struct vs__dev *dev)
{
	if (dev->net)
		free(dev->net->rx);
	free(dev->net);
	dev->net = NULL;
}

void vs__net_reset(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__net *n = dev->net;
	int mtu_seen;
	uint16_t mtu_first;

	(void)mon;
	if (!n)
		return;
	/* the mtu is the device's for good (dev.net.device-configuration-layout.4);
	 * the rest starts over, a packet or command in flight included */
	mtu_seen = n->mtu_seen;
	mtu_first = n->mtu_first;
	free(n->rx);
	memset(n, 0, sizeof(*n));
	n->mtu_seen = mtu_seen;
	n->mtu_first = mtu_first;
}

/* ---- helpers shared with net_ctrl.c ---- */

int vs__net_feat(const struct vs__dev *dev, unsigned bit)
{
	return bit < 32 * VS__FEAT_WORDS && ((dev->accepted[bit / 32] >> (bit % 32)) & 1u);
}

static int offer_known(const struct vs__dev *dev, unsigned bit)
{
	return bit < 32 * VS__FEAT_WORDS && ((dev->offered_known >> (bit / 32)) & 1u);
}

int vs__net_offered(const struct vs__dev *dev, unsigned bit)
{
	return offer_known(dev, bit) && ((dev->offered[bit / 32] >> (bit % 32)) & 1u);
}

int vs__net_cfg(const struct vs__net *n, uint32_t off, unsigned width, uint64_t *val)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++) {
		if (off + i >= NET_CFG_BYTES || !n->known[off + i])
			return 0;
		v |= (uint64_t)n->cfg[off + i] << (8 * i);
	}
	*val = v;
	return 1;
}

/* Pairs the queue layout has: 1 without MQ / RSS, max_virtqueue_pairs
 * with, 0 when unknown (not read, or out of range). */
static uint32_t layout_pairs(const struct vs__dev *dev, const struct vs__net *n)
{
	uint64_t v;

	if (!vs__net_feat(dev, VIRTIO_NET_F_MQ) && !vs__net_feat(dev, VIRTIO_NET_F_RSS))
		return 1;
	if (!vs__net_cfg(n, VS_NET_CFG_MAX_PAIRS, 2, &v) || v < VIRTIO_NET_MQ_PAIRS_MIN ||
	    v > VIRTIO_NET_MQ_PAIRS_MAX)
		return 0;
	return (uint32_t)v;
}

enum net_role vs__net_role(const struct vs__dev *dev, const struct vs__net *n, uint32_t index)
{
	uint32_t np = layout_pairs(dev, n);

	if (index < 2 || (np && index < 2 * np))
		return (index & 1) ? NET_Q_TX : NET_Q_RX;
	if (np && index == 2 * np && vs__net_feat(dev, VIRTIO_NET_F_CTRL_VQ))
		return NET_Q_CTRL;
	return NET_Q_UNKNOWN;
}

int vs__net_steering(const struct vs__dev *dev)
{
	return vs__net_feat(dev, VIRTIO_NET_F_MQ) && !vs__net_feat(dev, VIRTIO_NET_F_RSS);
}

int vs__net_txrx_enabled(struct vs__dev *dev, const struct vs__net *n, uint32_t index)
{
	enum net_role r = vs__net_role(dev, n, index);
	struct vs__queue *q = vs__queue_get(dev, index, 0);

	return (r == NET_Q_RX || r == NET_Q_TX) && q && q->ready;
}

int vs__net_read(struct vs_monitor *mon, const struct vs__chain *c, int writable, uint64_t off,
		 void *dst, uint64_t len)
{
	uint8_t *out = dst;
	uint64_t pos = 0;

	for (uint32_t s = 0; s < c->nseg && len; s++) {
		const struct vs__seg *sg = &c->seg[s];
		uint64_t skip, take;

		if (sg->table || !!sg->writable != !!writable)
			continue;
		if (off >= pos + sg->len) {
			pos += sg->len;
			continue;
		}
		skip = off - pos;
		take = sg->len - skip < len ? sg->len - skip : len;
		if (vs__mem_read(mon, sg->gpa + skip, out, take))
			return -1;
		out += take;
		off += take;
		len -= take;
		pos += sg->len;
	}
	return len ? -1 : 0;
}

/* ---- features (5.1.3.1) ---- */

/* bit needs all of req (any = 0) or one of them (any = 1). */
struct net_dep {
	uint8_t bit, any, n;
	uint8_t req[4];
};

static const struct net_dep net_deps[] = {
	{VIRTIO_NET_F_GUEST_TSO4, 0, 1, {VIRTIO_NET_F_GUEST_CSUM}},
	{VIRTIO_NET_F_GUEST_TSO6, 0, 1, {VIRTIO_NET_F_GUEST_CSUM}},
	{VIRTIO_NET_F_GUEST_ECN, 1, 2, {VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6}},
	{VIRTIO_NET_F_GUEST_UFO, 0, 1, {VIRTIO_NET_F_GUEST_CSUM}},
	{VIRTIO_NET_F_GUEST_USO4, 0, 1, {VIRTIO_NET_F_GUEST_CSUM}},
	{VIRTIO_NET_F_GUEST_USO6, 0, 1, {VIRTIO_NET_F_GUEST_CSUM}},
	{NET_F_GUEST_UDP_TUNNEL_GSO, 0, 4,
	 {VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_USO4,
	  VIRTIO_NET_F_GUEST_USO6}},
	{NET_F_GUEST_UDP_TUNNEL_GSO_CSUM, 0, 1, {NET_F_GUEST_UDP_TUNNEL_GSO}},
	{VIRTIO_NET_F_HOST_TSO4, 0, 1, {VIRTIO_NET_F_CSUM}},
	{VIRTIO_NET_F_HOST_TSO6, 0, 1, {VIRTIO_NET_F_CSUM}},
	{VIRTIO_NET_F_HOST_ECN, 1, 2, {VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6}},
	{VIRTIO_NET_F_HOST_UFO, 0, 1, {VIRTIO_NET_F_CSUM}},
	{VIRTIO_NET_F_HOST_USO, 0, 1, {VIRTIO_NET_F_CSUM}},
	{NET_F_HOST_UDP_TUNNEL_GSO, 0, 3,
	 {VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_USO}},
	{NET_F_HOST_UDP_TUNNEL_GSO_CSUM, 0, 1, {NET_F_HOST_UDP_TUNNEL_GSO}},
	{VIRTIO_NET_F_CTRL_RX, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{VIRTIO_NET_F_CTRL_VLAN, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{VIRTIO_NET_F_GUEST_ANNOUNCE, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{VIRTIO_NET_F_MQ, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{VIRTIO_NET_F_CTRL_MAC_ADDR, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{NET_F_NOTF_COAL, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{VIRTIO_NET_F_RSC_EXT, 1, 2, {VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6}},
	{VIRTIO_NET_F_RSS, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{NET_F_VQ_NOTF_COAL, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{NET_F_HASH_TUNNEL, 0, 1, {VIRTIO_NET_F_CTRL_VQ}},
	{NET_F_HASH_TUNNEL, 1, 2, {VIRTIO_NET_F_RSS, VIRTIO_NET_F_HASH_REPORT}},
	{NET_F_RSS_CONTEXT, 0, 2, {VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_RSS}},
};

/* Offered (offer = 1) or accepted sets against the table: spec
 * dev.basic.feature-bits.1 and drv.basic.feature-bits.1. */
static void check_deps(struct vs_monitor *mon, struct vs__dev *dev, int offer)
{
	int (*has)(const struct vs__dev *, unsigned) = offer ? vs__net_offered : vs__net_feat;

	for (size_t i = 0; i < sizeof(net_deps) / sizeof(net_deps[0]); i++) {
		const struct net_dep *d = &net_deps[i];
		char need[48];
		int sat = !d->any, known = offer_known(dev, d->bit), len = 0;

		for (unsigned k = 0; k < d->n; k++) {
			known &= offer_known(dev, d->req[k]);
			if (d->any)
				sat |= has(dev, d->req[k]);
			else
				sat &= has(dev, d->req[k]);
			len += snprintf(need + len, sizeof(need) - (size_t)len, "%s%u",
					k ? (d->any ? " or " : " and ") : "", d->req[k]);
		}
		if ((offer && !known) || !has(dev, d->bit) || sat)
			continue;
		vs__violate(mon, dev, -1, offer ? VS_R_NET_OFFER_DEPENDS : VS_R_NET_FEATURE_DEPENDS,
			    "feature %u %s without %s", d->bit, offer ? "offered" : "accepted", need);
	}
}

static void check_features(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n)
{
	static const struct {
		uint8_t bit;
		enum vs__rule rule;
	} advised[] = {
		/* spec drv.net.device-configuration-layout.2, .5, .8 */
		{VIRTIO_NET_F_MAC, VS_R_NET_MAC_NOT_NEGOTIATED},
		{VIRTIO_NET_F_MTU, VS_R_NET_MTU_NOT_NEGOTIATED},
		{VIRTIO_NET_F_STANDBY, VS_R_NET_STANDBY_NOT_NEGOTIATED},
	};

	if (n->feat_checked ||
	    !(dev->features_ok_confirmed || (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)))
		return;
	n->feat_checked = 1;
	check_deps(mon, dev, 1);
	check_deps(mon, dev, 0);
	/* spec dev.net.device-configuration-layout.13 / .14 */
	if (vs__net_offered(dev, VIRTIO_NET_F_HASH_REPORT) && offer_known(dev, VIRTIO_NET_F_CTRL_VQ) &&
	    !vs__net_offered(dev, VIRTIO_NET_F_CTRL_VQ))
		vs__violate(mon, dev, -1, VS_R_NET_OFFER_HASH_REPORT,
			    "VIRTIO_NET_F_HASH_REPORT offered without VIRTIO_NET_F_CTRL_VQ");
	if (vs__net_offered(dev, VIRTIO_NET_F_CTRL_RX_EXTRA) &&
	    !vs__net_offered(dev, VIRTIO_NET_F_CTRL_VQ))
		vs__violate(mon, dev, -1, VS_R_NET_OFFER_RX_EXTRA,
			    "VIRTIO_NET_F_CTRL_RX_EXTRA offered without VIRTIO_NET_F_CTRL_VQ");
	for (size_t i = 0; i < sizeof(advised) / sizeof(advised[0]); i++)
		if (vs__net_offered(dev, advised[i].bit) && !vs__net_feat(dev, advised[i].bit))
			vs__violate(mon, dev, -1, advised[i].rule, "feature %u offered, not accepted",
				    advised[i].bit);
	/* spec drv.net.device-configuration-layout.11 / .12 */
	if (vs__net_feat(dev, VIRTIO_NET_F_HASH_REPORT) && !vs__net_feat(dev, VIRTIO_NET_F_CTRL_VQ))
		vs__violate(mon, dev, -1, VS_R_NET_HASH_REPORT_NO_CTRL_VQ,
			    "VIRTIO_NET_F_HASH_REPORT accepted without VIRTIO_NET_F_CTRL_VQ");
	if (vs__net_feat(dev, VIRTIO_NET_F_CTRL_RX_EXTRA) && !vs__net_feat(dev, VIRTIO_NET_F_CTRL_VQ))
		vs__violate(mon, dev, -1, VS_R_NET_RX_EXTRA_NO_CTRL_VQ,
			    "VIRTIO_NET_F_CTRL_RX_EXTRA accepted without VIRTIO_NET_F_CTRL_VQ");
}

/* ---- configuration (5.1.4) ---- */

/* spec dev.net.device-configuration-layout.12: a speed or duplex change
 * while the link stayed up as far as the driver saw (which: 0 speed, 1
 * duplex). */
static void speed_duplex_read(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
			      int which, uint32_t v)
{
	uint32_t prev = which ? n->duplex : n->speed;

	if (((n->sd_known >> which) & 1) && prev != v && vs__net_feat(dev, VIRTIO_NET_F_STATUS) &&
	    n->link_up && !((n->link_flap >> which) & 1))
		vs__violate(mon, dev, -1, VS_R_NET_SPEED_DUPLEX_CHANGED,
			    "%s went 0x%x -> 0x%x while status showed LINK_UP", which ? "duplex" : "speed",
			    prev, v);
	if (which)
		n->duplex = (uint8_t)v;
	else
		n->speed = v;
	n->sd_known |= 1 << which;
	n->link_flap &= ~(1 << which);
}

void vs__net_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			 unsigned width, uint64_t val)
{
	struct vs__net *n = net_state(dev);
	uint64_t v;

	if (!n)
		return;
	check_features(mon, dev, n);
	for (unsigned i = 0; i < width && off + i < NET_CFG_BYTES; i++) {
		uint8_t byte = (uint8_t)(val >> (8 * i));

		/* spec dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.3 */
		if (n->mac_expect && off + i < VS_ETH_ALEN && byte != n->mac[off + i]) {
			vs__violate(mon, dev, -1, VS_R_NET_CTRL_MAC_CONFIG,
				    "mac byte %u reads 0x%02x, the used MAC_ADDR_SET set 0x%02x", off + i,
				    byte, n->mac[off + i]);
			n->mac_expect = 0;
		}
		n->cfg[off + i] = byte;
		n->known[off + i] = 1;
	}
/* a field the read covered whole: its value in v */
#define WHOLE(f, w) (off <= (f) && (f) + (w) <= off + width && vs__net_cfg(n, (f), (w), &v))
	/* spec dev.net.device-configuration-layout.1 */
	if (WHOLE(VS_NET_CFG_MAX_PAIRS, 2) && vs__net_offered(dev, VIRTIO_NET_F_MQ) &&
	    (v < VIRTIO_NET_MQ_PAIRS_MIN || v > VIRTIO_NET_MQ_PAIRS_MAX))
		vs__violate(mon, dev, -1, VS_R_NET_MAX_PAIRS_RANGE, "max_virtqueue_pairs reads %llu",
			    (unsigned long long)v);
	if (WHOLE(VS_NET_CFG_MTU, 2) && vs__net_offered(dev, VIRTIO_NET_F_MTU)) {
		/* spec dev.net.device-configuration-layout.2 / .3 / .4 */
		if (v < VS_NET_MTU_MIN)
			vs__violate(mon, dev, -1, VS_R_NET_MTU_RANGE, "mtu reads %llu",
				    (unsigned long long)v);
		else if (v < 1280)
			vs__violate(mon, dev, -1, VS_R_NET_MTU_SMALL, "mtu reads %llu",
				    (unsigned long long)v);
		if (n->mtu_seen && v != n->mtu_first)
			vs__violate(mon, dev, -1, VS_R_NET_MTU_CHANGED, "mtu reads %llu, first read %u",
				    (unsigned long long)v, n->mtu_first);
		else if (!n->mtu_seen)
			n->mtu_first = (uint16_t)v;
		n->mtu_seen = 1;
	}
	if (WHOLE(VS_NET_CFG_STATUS, 2) && vs__net_feat(dev, VIRTIO_NET_F_STATUS)) {
		n->link_up = (v & VIRTIO_NET_S_LINK_UP) != 0;
		if (!n->link_up)
			n->link_flap = 3;
		/* drv.net.device-operation.control-virtqueue.gratuitous-packet-sending.2:
		 * an ACK is owed from here (judged in vs__net_pending) */
		if ((v & VIRTIO_NET_S_ANNOUNCE) && vs__net_feat(dev, VIRTIO_NET_F_GUEST_ANNOUNCE) &&
		    !n->acks_out && !n->announce_owed) {
			n->announce_owed = 1;
			n->announce_stamp = mon->sync_count;
		}
	}
	if (vs__net_feat(dev, VIRTIO_NET_F_SPEED_DUPLEX)) {
		/* spec dev.net.device-configuration-layout.10 / .11 */
		if (WHOLE(VS_NET_CFG_SPEED, 4)) {
			if (v > 0x7fffffffu && v != 0xffffffffu)
				vs__violate(mon, dev, -1, VS_R_NET_SPEED_VALUE, "speed reads 0x%llx",
					    (unsigned long long)v);
			speed_duplex_read(mon, dev, n, 0, (uint32_t)v);
		}
		if (WHOLE(VS_NET_CFG_DUPLEX, 1)) {
			if (v != 0 && v != 1 && v != 0xff)
				vs__violate(mon, dev, -1, VS_R_NET_DUPLEX_VALUE, "duplex reads 0x%02llx",
					    (unsigned long long)v);
			speed_duplex_read(mon, dev, n, 1, (uint32_t)v);
		}
	}
	/* spec dev.net.device-configuration-layout.7 / .8 */
	if (WHOLE(NET_CFG_RSS_KEY_SIZE, 1) && v < 40 &&
	    (vs__net_offered(dev, VIRTIO_NET_F_RSS) || vs__net_offered(dev, VIRTIO_NET_F_HASH_REPORT)))
		vs__violate(mon, dev, -1, VS_R_NET_RSS_KEY_SIZE, "rss_max_key_size reads %llu",
			    (unsigned long long)v);
	if (WHOLE(NET_CFG_RSS_TABLE_LEN, 2) && v < 128 && vs__net_offered(dev, VIRTIO_NET_F_RSS))
		vs__violate(mon, dev, -1, VS_R_NET_RSS_TABLE_LENGTH,
			    "rss_max_indirection_table_length reads %llu", (unsigned long long)v);
#undef WHOLE
}

void vs__net_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, uint64_t val)
{
	struct vs__net *n = net_state(dev);

	if (!n)
		return;
	/* 5.1.4.3: through a legacy interface mac is the driver's to write */
	if (vs__dev_legacy_iface(dev) && off + width <= VS_ETH_ALEN) {
		for (unsigned i = 0; i < width; i++)
			n->mac[off + i] = (uint8_t)(val >> (8 * i));
		return;
	}
	/* spec drv.net.device-configuration-layout.1 */
	vs__violate(mon, dev, -1, VS_R_NET_CONFIG_WRITE, "%u-byte write of 0x%llx at config 0x%x",
		    width, (unsigned long long)val, off);
}

void vs__net_device_write(struct vs_monitor *mon, struct vs__dev *dev, uint64_t gpa,
			  uint64_t len)
{
	(void)mon;
	if (dev->net && dev->net->ncmd_live)
		vs__net_ctrl_device_write(dev->net, gpa, len);
}

/* ---- entry points ---- */

void vs__net_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, const struct vs__chain *c)
{
	struct vs__net *n = net_state(dev);

	if (!n)
		return;
	check_features(mon, dev, n);
	switch (vs__net_role(dev, n, q->index)) {
	case NET_Q_RX:
		vs__net_rx_chain(mon, dev, n, q, head, c);
		break;
	case NET_Q_TX:
		vs__net_tx_chain(mon, dev, n, q, head, c);
		break;
	case NET_Q_CTRL:
		vs__net_ctrl_chain(mon, dev, n, q, head, c);
		break;
	default:
		break;
	}
}

void vs__net_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		  uint16_t head, const struct vs__chain *c, uint32_t len)
{
	struct vs__net *n = net_state(dev);

	if (!n)
		return;
	check_features(mon, dev, n);
	switch (vs__net_role(dev, n, q->index)) {
	case NET_Q_RX:
		vs__net_rx_used(mon, dev, n, q, head, c, len);
		break;
	case NET_Q_CTRL:
		vs__net_ctrl_used(mon, dev, n, q, head, c, len);
		break;
	default:
		break;
	}
}

void vs__net_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	struct vs__net *n = dev->net;

	if (!n || !is_net(dev))
		return;
	for (uint32_t i = 0; i < n->nrx; i++) {
		struct net_rxq *r = &n->rx[i];
		struct vs__queue *q = vs__queue_get(dev, 2 * i, 0);

		if (q && q->tainted)
			r->left = 0; /* see vs__net_rx_used */
		/* spec dev.net.device-operation.processing-incoming-packets.2 */
		if (r->left && vs__due(mon, r->stamp, force)) {
			vs__violate(mon, dev, (int)(2 * i), VS_R_NET_RX_NUM_BUFFERS,
				    "queue %u: the packet at head %u says num_buffers %u, %u buffer(s) used",
				    2 * i, r->first, r->nbuf, r->got);
			r->left = 0;
		}
	}
	/* spec drv.net.device-operation.control-virtqueue.gratuitous-packet-sending.2 */
	if (n->announce_owed && vs__due(mon, n->announce_stamp, force)) {
		vs__violate(mon, dev, -1, VS_R_NET_ANNOUNCE_ACK_MISSING,
			    "status showed VIRTIO_NET_S_ANNOUNCE; no ANNOUNCE_ACK followed");
		n->announce_owed = 0;
	}
}
