/*
 * net_ctrl.c - network device rules for the control queue (spec 5.1.9.5).
 *
 * Driver side, when a command is made available: class and command are
 * its first two device-readable bytes and the ack its first
 * device-writable byte (struct virtio_net_ctrl); the class needs its
 * feature; the command-specific data has the size and values its
 * command defines; the multiqueue, RSS, offload, coalescing and
 * tunnel-hash commands stay within what was negotiated and offered.
 *
 * Device side, when the command is used: the ack byte was written (seen
 * by the arena tap for an in-process device) and is OK or ERR; a command
 * the device must support is not refused; what a command changes shows
 * afterwards (the mac in config after MAC_ADDR_SET; the receive queues
 * in use after VQ_PAIRS_SET, judged in net.c).
 *
 * A table of NET_CMDS entries keeps each command from avail to used; a
 * command it had to drop is used unjudged.  Runs once per command.
 */
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/rules/net_internal.h"

#define NO_ACK UINT64_MAX

/* The guest address of the first device-writable byte, or NO_ACK. */
static uint64_t ack_gpa(const struct vs__chain *c)
{
	for (uint32_t s = 0; s < c->nseg; s++)
		if (!c->seg[s].table && c->seg[s].writable && c->seg[s].len)
			return c->seg[s].gpa;
	return NO_ACK;
}

#define CV(rule, fmt, ...)                                                                   \
	vs__violate(mon, dev, (int)q->index, rule, "queue %u head %u: class %u command %u: " fmt, \
		    q->index, head, k->cls, k->cmd, __VA_ARGS__)

/* The data's shape: ok, or net.ctrl-data. */
static int data_ok(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, const struct net_cmd *k, int ok, uint64_t dlen)
{
	if (!ok)
		CV(VS_R_NET_CTRL_DATA, "%llu data bytes not as the command defines",
		   (unsigned long long)dlen);
	return ok;
}

/* A class or command whose feature was not negotiated: the rule fires
 * and the command is not judged further. */
static int needs(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		 uint16_t head, const struct net_cmd *k, unsigned bit, enum vs__rule rule)
{
	if (vs__net_feat(dev, bit))
		return 1;
	CV(rule, "feature %u not negotiated", bit);
	return 0;
}

/* spec drv.net.device-operation.control-virtqueue.setting-mac-address-filtering.3 */
static int mac_table(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint16_t head, const struct vs__chain *c, const struct net_cmd *k,
		     uint64_t dlen)
{
	uint8_t b[4];
	uint64_t at;

	if (dlen >= 4 && !vs__net_read(mon, c, 0, 2, b, 4)) {
		at = 4 + 6ull * vs_le32(b);
		if (dlen >= at + 4 && !vs__net_read(mon, c, 0, 2 + at, b, 4) &&
		    dlen == at + 4 + 6ull * vs_le32(b))
			return 1;
	}
	CV(VS_R_NET_CTRL_MAC_TABLE, "%llu data bytes are not two counted address tables",
	   (unsigned long long)dlen);
	return 0;
}

static int pairs_set(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		     struct vs__queue *q, uint16_t head, struct net_cmd *k, const uint8_t *d)
{
	uint64_t max;
	int max_known = vs__net_cfg(n, VS_NET_CFG_MAX_PAIRS, 2, &max);
	uint16_t v = vs_le16(d);

	/* spec drv.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.2 */
	if (v < VIRTIO_NET_MQ_PAIRS_MIN || v > VIRTIO_NET_MQ_PAIRS_MAX || (max_known && v > max)) {
		CV(VS_R_NET_MQ_PAIRS_RANGE, "virtqueue_pairs %u, max_virtqueue_pairs %s%llu", v,
		   max_known ? "" : "unread, at most ",
		   (unsigned long long)(max_known ? max : VIRTIO_NET_MQ_PAIRS_MAX));
		return 0;
	}
	/* spec ...automatic-receive-steering-in-multiqueue-mode.1 */
	for (uint32_t i = 0; i < 2u * v; i++) {
		struct vs__queue *p = vs__queue_get(dev, i, 0);

		if (!p || !p->ready) {
			CV(VS_R_NET_MQ_QUEUES_NOT_READY, "virtqueue_pairs %u, queue %u not enabled", v,
			   i);
			break;
		}
	}
	k->arg = v;
	k->prev_pairs = (uint16_t)n->drv_pairs;
	n->drv_pairs = v;
	return 1;
}

/* struct virtio_net_rss_config (5.1.9.5.7.1): spec
 * drv.net.device-operation.control-virtqueue.receive-side-scaling-rss.2 - .5 */
static int rss_config(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		      struct vs__queue *q, uint16_t head, const struct vs__chain *c,
		      const struct net_cmd *k, uint64_t dlen)
{
	uint8_t f[8], b[2], keylen;
	uint64_t lim, entries, tail;
	uint32_t types;

	if (dlen < 8 || vs__net_read(mon, c, 0, 2, f, 8))
		return data_ok(mon, dev, q, head, k, 0, dlen);
	types = vs_le32(f);
	entries = (uint64_t)vs_le16(f + 4) + 1;
	tail = 8 + 2 * entries; /* max_tx_vq, then hash_key_length */
	if (dlen < tail + 3 || vs__net_read(mon, c, 0, 2 + tail + 2, &keylen, 1) ||
	    dlen != tail + 3 + keylen)
		return data_ok(mon, dev, q, head, k, 0, dlen);
	if (entries & (entries - 1))
		CV(VS_R_NET_RSS_TABLE_SIZE, "indirection_table_mask %llu",
		   (unsigned long long)(entries - 1));
	if (vs__net_cfg(n, NET_CFG_RSS_TABLE_LEN, 2, &lim) && entries - 1 >= lim)
		CV(VS_R_NET_RSS_TABLE_MAX, "indirection_table_mask %llu, rss_max_indirection_table_length %llu",
		   (unsigned long long)(entries - 1), (unsigned long long)lim);
	if (vs__net_cfg(n, NET_CFG_HASH_TYPES, 4, &lim) && (types & ~lim))
		CV(VS_R_NET_RSS_HASH_TYPES, "hash_types 0x%x, supported_hash_types 0x%llx", types,
		   (unsigned long long)lim);
	for (uint64_t i = 0; i < entries; i++) {
		/* rss_rq_id: bits 1..16 of a virtqueue index, then a reserved bit */
		uint32_t vq;

		if (vs__net_read(mon, c, 0, 2 + 8 + 2 * i, b, 2))
			break;
		vq = (uint32_t)(vs_le16(b) & 0x7fffu) << 1;
		if (vs__net_role(dev, n, vq) != NET_Q_RX || !vs__net_txrx_enabled(dev, n, vq)) {
			CV(VS_R_NET_RSS_TABLE_QUEUE,
			   "indirection_table[%llu] names queue %u, not an enabled receive queue",
			   (unsigned long long)i, vq);
			break;
		}
	}
	return 1;
}

/* spec drv.net.device-operation.control-virtqueue.offloads-state-configuration.setting-offloads-state.1 */
static int offloads(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		    uint16_t head, const struct net_cmd *k, uint64_t v)
{
	/* offload bit -> feature bit (5.1.9.5.9.1: the tunnel offloads sit
	 * at 46 / 47, their features at 65 / 66) */
	static const uint8_t map[][2] = {
		{VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_CSUM},
		{VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO4},
		{VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_TSO6},
		{VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_ECN},
		{VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_UFO},
		{46, NET_F_GUEST_UDP_TUNNEL_GSO},
		{47, NET_F_GUEST_UDP_TUNNEL_GSO_CSUM},
		{VIRTIO_NET_F_GUEST_USO4, VIRTIO_NET_F_GUEST_USO4},
		{VIRTIO_NET_F_GUEST_USO6, VIRTIO_NET_F_GUEST_USO6},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if ((v & VS_BIT(map[i][0])) && !vs__net_feat(dev, map[i][1])) {
			CV(VS_R_NET_CTRL_OFFLOADS_UNNEGOTIATED,
			   "offloads 0x%llx enable bit %u, feature %u not negotiated",
			   (unsigned long long)v, map[i][0], map[i][1]);
			return 0;
		}
	}
	return 1;
}

/* Driver-side checks of one command; returns 1 when it is well formed
 * (its feature negotiated, its data as defined). */
static int check_command(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
			 struct vs__queue *q, uint16_t head, const struct vs__chain *c,
			 struct net_cmd *k, const uint8_t *d, uint64_t dlen)
{
	uint64_t sup;

	switch (k->cls) {
	case VIRTIO_NET_CTRL_RX:
		if (k->cmd > VIRTIO_NET_CTRL_RX_NOBCAST)
			return 0;
		/* spec drv.net.device-operation.control-virtqueue.packet-receive-filtering.1 / .2 */
		if (k->cmd <= VIRTIO_NET_CTRL_RX_ALLMULTI
			    ? !needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_RX,
				     VS_R_NET_CTRL_RX_UNNEGOTIATED)
			    : !needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_RX_EXTRA,
				     VS_R_NET_CTRL_RX_EXTRA_UNNEGOTIATED))
			return 0;
		return data_ok(mon, dev, q, head, k, dlen == 1 && d[0] <= 1, dlen);
	case VIRTIO_NET_CTRL_MAC:
		/* spec drv.net.device-operation.control-virtqueue.setting-mac-address-filtering.1 */
		if (!needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_RX, VS_R_NET_CTRL_MAC_UNNEGOTIATED))
			return 0;
		if (k->cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
			return mac_table(mon, dev, q, head, c, k, dlen);
		if (k->cmd != VIRTIO_NET_CTRL_MAC_ADDR_SET ||
		    !needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_MAC_ADDR,
			   VS_R_NET_CTRL_UNNEGOTIATED))
			return 0;
		memcpy(k->mac, d, VS_ETH_ALEN);
		return data_ok(mon, dev, q, head, k, dlen == VS_ETH_ALEN, dlen);
	case VIRTIO_NET_CTRL_VLAN:
		if (!needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_VLAN, VS_R_NET_CTRL_UNNEGOTIATED) ||
		    k->cmd > VIRTIO_NET_CTRL_VLAN_DEL)
			return 0;
		return data_ok(mon, dev, q, head, k, dlen == 2 && vs_le16(d) <= VS_NET_VLAN_MAX,
			       dlen);
	case VIRTIO_NET_CTRL_ANNOUNCE:
		if (!needs(mon, dev, q, head, k, VIRTIO_NET_F_GUEST_ANNOUNCE,
			   VS_R_NET_CTRL_UNNEGOTIATED) ||
		    k->cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK)
			return 0;
		return data_ok(mon, dev, q, head, k, dlen == 0, dlen);
	case VIRTIO_NET_CTRL_MQ:
		if (k->cmd == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
			return needs(mon, dev, q, head, k, VIRTIO_NET_F_MQ, VS_R_NET_CTRL_UNNEGOTIATED) &&
			       data_ok(mon, dev, q, head, k, dlen == 2, dlen) &&
			       pairs_set(mon, dev, n, q, head, k, d);
		/* spec drv.net.device-operation.control-virtqueue.receive-side-scaling-rss.1 */
		if (k->cmd == NET_CTRL_MQ_RSS_CONFIG)
			return needs(mon, dev, q, head, k, VIRTIO_NET_F_RSS,
				     VS_R_NET_CTRL_RSS_UNNEGOTIATED) &&
			       rss_config(mon, dev, n, q, head, c, k, dlen);
		if (k->cmd == NET_CTRL_MQ_HASH_CONFIG)
			needs(mon, dev, q, head, k, VIRTIO_NET_F_HASH_REPORT,
			      VS_R_NET_CTRL_UNNEGOTIATED);
		return 0;
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		return needs(mon, dev, q, head, k, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
			     VS_R_NET_CTRL_UNNEGOTIATED) &&
		       k->cmd == VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET &&
		       data_ok(mon, dev, q, head, k, dlen == 8, dlen) &&
		       offloads(mon, dev, q, head, k, vs_le64(d));
	case NET_CTRL_NOTF_COAL:
		/* spec drv.net.device-operation.control-virtqueue.notifications-coalescing.2 / .3 / .1 */
		if (k->cmd == NET_CTRL_NOTF_COAL_TX_SET || k->cmd == NET_CTRL_NOTF_COAL_RX_SET)
			return needs(mon, dev, q, head, k, NET_F_NOTF_COAL,
				     VS_R_NET_CTRL_NOTF_COAL_UNNEGOTIATED) &&
			       data_ok(mon, dev, q, head, k, dlen == 8, dlen);
		if (k->cmd != NET_CTRL_NOTF_COAL_VQ_SET && k->cmd != NET_CTRL_NOTF_COAL_VQ_GET)
			return 0;
		if (!needs(mon, dev, q, head, k, NET_F_VQ_NOTF_COAL,
			   VS_R_NET_CTRL_VQ_NOTF_COAL_UNNEGOTIATED) ||
		    !data_ok(mon, dev, q, head, k,
			     dlen == (k->cmd == NET_CTRL_NOTF_COAL_VQ_SET ? 12u : 4u), dlen))
			return 0;
		k->arg = vs_le16(d);
		if (!vs__net_txrx_enabled(dev, n, k->arg))
			CV(VS_R_NET_CTRL_NOTF_COAL_VQ,
			   "vq_index %u is not an enabled transmit or receive queue", k->arg);
		return 1;
	case NET_CTRL_HASH_TUNNEL:
		/* spec drv.net.device-operation.control-virtqueue.inner-header-hash.1 / .2 */
		if (!needs(mon, dev, q, head, k, NET_F_HASH_TUNNEL,
			   VS_R_NET_CTRL_HASH_TUNNEL_UNNEGOTIATED) ||
		    k->cmd != NET_CTRL_HASH_TUNNEL_SET || !data_ok(mon, dev, q, head, k, dlen == 4, dlen))
			return 0;
		if (vs__net_cfg(n, NET_CFG_TUNNEL_TYPES, 4, &sup) && (vs_le32(d) & ~sup))
			CV(VS_R_NET_CTRL_HASH_TUNNEL_TYPES,
			   "enabled_tunnel_types 0x%x, supported_tunnel_types 0x%llx", vs_le32(d),
			   (unsigned long long)sup);
		return 1;
	case NET_CTRL_STATS:
		needs(mon, dev, q, head, k, NET_F_DEVICE_STATS, VS_R_NET_CTRL_UNNEGOTIATED);
		return 0;
	case NET_CTRL_RSS_CTX:
		/* spec drv.net.device-operation.control-virtqueue.rss-context.1 */
		needs(mon, dev, q, head, k, NET_F_RSS_CONTEXT, VS_R_NET_CTRL_RSS_CTX_UNNEGOTIATED);
		return 0;
	default:
		return 0;
	}
}

static struct net_cmd *cmd_find(struct vs__net *n, uint32_t queue, uint16_t head)
{
	for (unsigned i = 0; i < NET_CMDS; i++)
		if (n->cmd[i].live && n->cmd[i].queue == queue && n->cmd[i].head == head)
			return &n->cmd[i];
	return NULL;
}

void vs__net_ctrl_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
			struct vs__queue *q, uint16_t head, const struct vs__chain *c)
{
	struct net_cmd cmd = {0}, *k = &cmd, *slot;
	uint8_t hc[2], d[16] = {0};
	uint64_t dlen;

	if (c->readable < 2 || c->writable < 1) {
		vs__violate(mon, dev, (int)q->index, VS_R_NET_CTRL_FRAMING,
			    "queue %u head %u: %llu device-readable and %llu device-writable bytes: need class, command and an ack byte",
			    q->index, head, (unsigned long long)c->readable,
			    (unsigned long long)c->writable);
		return;
	}
	dlen = c->readable - 2;
	if (vs__net_read(mon, c, 0, 0, hc, 2) ||
	    vs__net_read(mon, c, 0, 2, d, dlen < sizeof(d) ? dlen : sizeof(d)))
		return;
	k->cls = hc[0];
	k->cmd = hc[1];
	/* only these commands have a command-specific-result after the ack */
	if (c->writable > 1 && k->cls != NET_CTRL_STATS && k->cls != NET_CTRL_RSS_CTX &&
	    !(k->cls == NET_CTRL_NOTF_COAL && k->cmd == NET_CTRL_NOTF_COAL_VQ_GET)) {
		CV(VS_R_NET_CTRL_FRAMING, "%llu device-writable bytes: the ack is the only one",
		   (unsigned long long)c->writable);
		return;
	}
	if (k->cls == VIRTIO_NET_CTRL_ANNOUNCE && k->cmd == VIRTIO_NET_CTRL_ANNOUNCE_ACK) {
		n->announce_owed = 0;
		n->acks_out++;
	}
	k->well_formed = (uint8_t)check_command(mon, dev, n, q, head, c, k, d, dlen);

	/* Remember it until used: the same head replaces its entry, else a
	 * free entry, else the oldest guess goes (that command is then used
	 * unjudged). */
	slot = cmd_find(n, q->index, head);
	for (unsigned i = 0; !slot && i < NET_CMDS; i++)
		if (!n->cmd[i].live)
			slot = &n->cmd[i];
	if (!slot)
		slot = &n->cmd[n->next_cmd++ % NET_CMDS];
	if (!slot->live)
		n->ncmd_live++;
	*slot = cmd;
	slot->live = 1;
	slot->queue = q->index;
	slot->head = head;
	slot->ack_gpa = ack_gpa(c);
}

void vs__net_ctrl_device_write(struct vs__net *n, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < NET_CMDS; i++) {
		struct net_cmd *k = &n->cmd[i];

		if (k->live && k->ack_gpa >= gpa && k->ack_gpa - gpa < len)
			k->written = 1;
	}
}

void vs__net_ctrl_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__net *n,
		       struct vs__queue *q, uint16_t head, const struct vs__chain *c, uint32_t len)
{
	struct net_cmd *k = cmd_find(n, q->index, head);
	uint8_t ack;

	(void)c;
	if (!k)
		return;
	k->live = 0;
	n->ncmd_live--;
	if (k->cls == VIRTIO_NET_CTRL_ANNOUNCE && k->cmd == VIRTIO_NET_CTRL_ANNOUNCE_ACK &&
	    n->acks_out)
		n->acks_out--;
	if (k->ack_gpa == NO_ACK)
		return;
	/* the used len counts the ack byte (a legacy device may report
	 * other lengths, 5.1.9.1) */
	if (!vs__dev_legacy_iface(dev) && len < 1)
		CV(VS_R_NET_CTRL_USED_LEN, "used len %u", len);
	/* device writes are seen only for devices in this process */
	if (!k->written && mon->access_no) {
		CV(VS_R_NET_CTRL_ACK_NOT_WRITTEN, "used, ack byte at 0x%llx never written",
		   (unsigned long long)k->ack_gpa);
		return;
	}
	if (vs__mem_read(mon, k->ack_gpa, &ack, 1))
		return;
	if (ack != VIRTIO_NET_OK && ack != VIRTIO_NET_ERR) {
		CV(VS_R_NET_CTRL_ACK_VALUE, "ack 0x%02x", ack);
		return;
	}
	if (!k->well_formed)
		return;
	switch (k->cls) {
	case VIRTIO_NET_CTRL_RX:
		/* spec dev.net.device-operation.control-virtqueue.packet-receive-filtering.1 / .4 */
		if (ack == VIRTIO_NET_ERR)
			CV(k->cmd <= VIRTIO_NET_CTRL_RX_ALLMULTI ? VS_R_NET_CTRL_RX_UNSUPPORTED
								 : VS_R_NET_CTRL_RX_EXTRA_UNSUPPORTED,
			   "answered VIRTIO_NET_ERR%s", "");
		break;
	case VIRTIO_NET_CTRL_MAC:
		/* judged at config reads: spec
		 * dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.3 */
		if (k->cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET && ack == VIRTIO_NET_OK &&
		    vs__net_feat(dev, VIRTIO_NET_F_MAC)) {
			n->mac_expect = 1;
			memcpy(n->mac, k->mac, VS_ETH_ALEN);
		}
		break;
	case VIRTIO_NET_CTRL_MQ:
		if (k->cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
			break;
		if (ack == VIRTIO_NET_OK)
			n->dev_pairs = k->arg;
		else
			n->drv_pairs = k->prev_pairs; /* refused: the old pairs stay */
		break;
	case NET_CTRL_NOTF_COAL:
		/* spec dev.net.device-operation.control-virtqueue.notifications-coalescing.4 */
		if ((k->cmd == NET_CTRL_NOTF_COAL_VQ_SET || k->cmd == NET_CTRL_NOTF_COAL_VQ_GET) &&
		    ack == VIRTIO_NET_OK && !vs__net_txrx_enabled(dev, n, k->arg))
			CV(VS_R_NET_CTRL_NOTF_COAL_VQ_ACK,
			   "vq_index %u is not an enabled transmit or receive queue, answered VIRTIO_NET_OK",
			   k->arg);
		break;
	default:
		break;
	}
}
