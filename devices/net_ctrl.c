/*
 * net_ctrl.c - the network device's control queue (spec 5.1.9.5).
 *
 * A command is one chain: class and command (2 device-readable bytes),
 * the command-specific data (the rest of the readable part) and the ack
 * byte, the chain's only device-writable byte (none of the commands this
 * device takes has a command-specific-result).  Everything in it is the
 * driver's input: a command of a class whose feature was not negotiated,
 * an unknown class or command, data of the wrong length or an out-of-range
 * value are answered VIRTIO_NET_ERR, and the state is not touched.  A
 * chain with no writable byte cannot be answered: it is given back with
 * used len 0 (counted in ctrl_err).  A command's effect is complete
 * before its buffer is used (the spec asks it of MAC_TABLE_SET,
 * MAC_ADDR_SET and ANNOUNCE_ACK; it holds for all).
 */
#include <errno.h>
#include <string.h>

#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/net_internal.h"

#define LOG_SUBSYS "net"

#define NET_BAD_ACK 7u /* VS_FAULT_DEV_NET_CTRL_BAD_ACK answers this */

/* One command being answered. */
struct ctrl_cmd {
	struct vs__net *st;
	struct vs_vq *vq;
	struct vs_vq_elem *elem;
	uint8_t class, cmd;
	uint64_t dlen;        /* command-specific data bytes */
	const char *why;      /* why it is answered ERR, for the log */
};

/*
 * The filter after a reset.  The spec fixes the tables (empty MAC table,
 * dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.1;
 * empty VLAN table, 5.1.9.5.3) and asks the device to drop unicast for
 * other addresses (dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.4),
 * not the modes.
 * This device starts with promiscuous off, broadcast on, and all
 * multicast on: a driver without VIRTIO_NET_F_CTRL_RX cannot program a
 * multicast list, and IPv6 neighbour discovery needs multicast; a driver
 * with it narrows multicast with ALLMULTI 0 and MAC_TABLE_SET (Linux
 * sends both when the interface comes up).
 */
void vs__net_filter_reset(struct vs__net *st)
{
	st->promisc = 0;
	st->allmulti = 1;
	st->alluni = st->nomulti = st->nouni = st->nobcast = 0;
	st->uc_n = st->mc_n = 0;
	st->uc_overflow = st->mc_overflow = 0;
	memset(st->vlans, 0, sizeof(st->vlans));
}

static int has(const struct ctrl_cmd *c, unsigned bit)
{
	return vs_vdev_has_feature(c->st->vdev, bit);
}

static uint8_t err(struct ctrl_cmd *c, const char *why)
{
	c->why = why;
	return VIRTIO_NET_ERR;
}

/* Read n data bytes at off (data offset).  0 or -1. */
static int data(struct ctrl_cmd *c, uint64_t off, void *buf, uint64_t n)
{
	return vs_vq_read(c->vq, c->elem, 2 + off, buf, n) ? -1 : 0;
}

/* ---- the classes ---- */

static uint8_t cmd_rx(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	int *mode;
	uint8_t v;

	switch (c->cmd) {
	case VIRTIO_NET_CTRL_RX_PROMISC:
	case VIRTIO_NET_CTRL_RX_ALLMULTI:
		/* spec dev.net.device-operation.control-virtqueue.packet-receive-filtering.1 */
		if (!has(c, VIRTIO_NET_F_CTRL_RX))
			return err(c, "VIRTIO_NET_F_CTRL_RX not negotiated");
		mode = c->cmd == VIRTIO_NET_CTRL_RX_PROMISC ? &st->promisc : &st->allmulti;
		break;
	case VIRTIO_NET_CTRL_RX_ALLUNI:
	case VIRTIO_NET_CTRL_RX_NOMULTI:
	case VIRTIO_NET_CTRL_RX_NOUNI:
	case VIRTIO_NET_CTRL_RX_NOBCAST:
		/* spec dev.net.device-operation.control-virtqueue.packet-receive-filtering.4 */
		if (!has(c, VIRTIO_NET_F_CTRL_RX_EXTRA))
			return err(c, "VIRTIO_NET_F_CTRL_RX_EXTRA not negotiated");
		mode = c->cmd == VIRTIO_NET_CTRL_RX_ALLUNI   ? &st->alluni
		       : c->cmd == VIRTIO_NET_CTRL_RX_NOMULTI ? &st->nomulti
		       : c->cmd == VIRTIO_NET_CTRL_RX_NOUNI   ? &st->nouni
							      : &st->nobcast;
		break;
	default:
		return err(c, "unknown RX command");
	}
	/* "one byte containing 0 (off) or 1 (on)" */
	if (c->dlen != 1 || data(c, 0, &v, 1))
		return err(c, "RX mode data is not one byte");
	if (v > 1)
		return err(c, "RX mode value not 0 or 1");
	*mode = v;
	return VIRTIO_NET_OK;
}

/* Read a table of n MACs at data offset off into tab (up to the maximum;
 * more sets the overflow flag: accept all of that kind, as the spec's
 * footnote to 5.1.9.5.2 allows). */
static int read_table(struct ctrl_cmd *c, uint64_t off, uint32_t n, uint8_t (*tab)[6],
		      uint32_t *count, int *overflow)
{
	uint32_t keep = n < VS_NET_MAC_TABLE_MAX ? n : VS_NET_MAC_TABLE_MAX;

	if (keep && data(c, off, tab, 6ull * keep))
		return -1;
	*count = keep;
	*overflow = n > VS_NET_MAC_TABLE_MAX;
	return 0;
}

static uint8_t cmd_mac_table(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	uint8_t b[4], uc[VS_NET_MAC_TABLE_MAX][6], mc[VS_NET_MAC_TABLE_MAX][6];
	uint32_t n_uc, n_mc, uc_n, mc_n;
	int uc_over, mc_over;
	uint64_t mc_off;

	/* spec drv.net.device-operation.control-virtqueue.setting-mac-address-filtering.1:
	 * the MAC class is for a driver with CTRL_RX */
	if (!has(c, VIRTIO_NET_F_CTRL_RX))
		return err(c, "VIRTIO_NET_F_CTRL_RX not negotiated");
	/* le32 entries, entries * 6 bytes, twice, nothing after */
	if (c->dlen < 8 || data(c, 0, b, 4))
		return err(c, "MAC table shorter than its two counts");
	n_uc = vs_le32(b);
	if (n_uc > (c->dlen - 8) / 6)
		return err(c, "unicast count beyond the data");
	mc_off = 4 + 6ull * n_uc;
	if (data(c, mc_off, b, 4))
		return err(c, "multicast count unreadable");
	n_mc = vs_le32(b);
	if (c->dlen - mc_off - 4 != 6ull * n_mc)
		return err(c, "multicast count does not match the data length");
	if (read_table(c, 4, n_uc, uc, &uc_n, &uc_over) ||
	    read_table(c, mc_off + 4, n_mc, mc, &mc_n, &mc_over))
		return err(c, "MAC table unreadable");
	/* spec dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.2:
	 * in place before the buffer is used */
	memcpy(st->uc, uc, sizeof(uc));
	memcpy(st->mc, mc, sizeof(mc));
	st->uc_n = uc_n;
	st->mc_n = mc_n;
	st->uc_overflow = uc_over;
	st->mc_overflow = mc_over;
	return VIRTIO_NET_OK;
}

static uint8_t cmd_mac(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	struct vs_vdev *vdev = st->vdev;
	uint8_t mac[6];

	if (c->cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET)
		return cmd_mac_table(c);
	if (c->cmd != VIRTIO_NET_CTRL_MAC_ADDR_SET)
		return err(c, "unknown MAC command");
	if (!has(c, VIRTIO_NET_F_CTRL_MAC_ADDR))
		return err(c, "VIRTIO_NET_F_CTRL_MAC_ADDR not negotiated");
	if (c->dlen != 6 || data(c, 0, mac, 6))
		return err(c, "MAC address is not 6 bytes");
	memcpy(st->mac, mac, 6);
	/* spec dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.3:
	 * config mac first, with VIRTIO_NET_F_MAC; six bytes a driver may
	 * read in pieces, so the generation moves.  The driver asked for
	 * it: no configuration change notification. */
	if (has(c, VIRTIO_NET_F_MAC) && memcmp(vdev->config + VS_NET_CFG_MAC, mac, 6)) {
		memcpy(vdev->config + VS_NET_CFG_MAC, mac, 6);
		vdev->config_generation++;
	}
	return VIRTIO_NET_OK;
}

static uint8_t cmd_vlan(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	uint8_t b[2];
	uint16_t vid;

	if (!has(c, VIRTIO_NET_F_CTRL_VLAN))
		return err(c, "VIRTIO_NET_F_CTRL_VLAN not negotiated");
	if (c->cmd != VIRTIO_NET_CTRL_VLAN_ADD && c->cmd != VIRTIO_NET_CTRL_VLAN_DEL)
		return err(c, "unknown VLAN command");
	if (c->dlen != 2 || data(c, 0, b, 2))
		return err(c, "VLAN id is not 2 bytes");
	vid = vs_le16(b);
	if (vid > VS_NET_VLAN_MAX)
		return err(c, "VLAN id above 4095");
	if (c->cmd == VIRTIO_NET_CTRL_VLAN_ADD)
		st->vlans[vid / 32] |= 1u << (vid % 32);
	else
		st->vlans[vid / 32] &= ~(1u << (vid % 32));
	return VIRTIO_NET_OK;
}

static uint8_t cmd_announce(struct ctrl_cmd *c)
{
	struct vs_vdev *vdev = c->st->vdev;
	uint16_t status;

	if (!has(c, VIRTIO_NET_F_GUEST_ANNOUNCE))
		return err(c, "VIRTIO_NET_F_GUEST_ANNOUNCE not negotiated");
	if (c->cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK)
		return err(c, "unknown ANNOUNCE command");
	if (c->dlen)
		return err(c, "ANNOUNCE_ACK carries data");
	/* spec dev.net.device-operation.control-virtqueue.gratuitous-packet-sending.1:
	 * cleared before the buffer is used; the driver's own doing, so no
	 * notification (one 16-bit field: no torn read either) */
	status = vs_le16(vdev->config + VS_NET_CFG_STATUS);
	vs_put_le16(vdev->config + VS_NET_CFG_STATUS,
		    (uint16_t)(status & ~VIRTIO_NET_S_ANNOUNCE));
	return VIRTIO_NET_OK;
}

static uint8_t cmd_mq(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	uint8_t b[2];
	uint16_t n;

	if (!has(c, VIRTIO_NET_F_MQ))
		return err(c, "VIRTIO_NET_F_MQ not negotiated");
	/* RSS_CONFIG and HASH_CONFIG need RSS / HASH_REPORT: not offered */
	if (c->cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
		return err(c, "unknown MQ command");
	if (c->dlen != 2 || data(c, 0, b, 2))
		return err(c, "virtqueue_pairs is not 2 bytes");
	n = vs_le16(b);
	/* drv.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.2
	 * is the driver's; the device refuses such a count */
	if (n < VIRTIO_NET_MQ_PAIRS_MIN || n > st->max_pairs)
		return err(c, "virtqueue_pairs outside 1..max_virtqueue_pairs");
	/* spec dev.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.2:
	 * frames not yet in a buffer of a queue now out of use move before
	 * the answer */
	st->cur_pairs = n;
	vs__net_rx_resteer(st);
	return VIRTIO_NET_OK;
}

static uint8_t cmd_offloads(struct ctrl_cmd *c)
{
	struct vs__net *st = c->st;
	uint64_t negotiated = st->vdev->driver_features & VS_NET_GUEST_OFFLOADS, v;
	uint8_t b[8];

	if (!has(c, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
		return err(c, "VIRTIO_NET_F_CTRL_GUEST_OFFLOADS not negotiated");
	if (c->cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET)
		return err(c, "unknown GUEST_OFFLOADS command");
	if (c->dlen != 8 || data(c, 0, b, 8))
		return err(c, "offloads is not 8 bytes");
	v = vs_le64(b);
	/* drv.net.device-operation.control-virtqueue.offloads-state-configuration.setting-offloads-state.1
	 * is the driver's: the device refuses an offload not negotiated */
	if (v & ~negotiated)
		return err(c, "offload not negotiated");
	st->offloads = v;
	st->offloads_set = 1;
	/* frames waiting in the backlog were made for the old offloads */
	vs__net_rx_resteer(st);
	return VIRTIO_NET_OK;
}

static uint8_t ctrl_run(struct ctrl_cmd *c)
{
	switch (c->class) {
	case VIRTIO_NET_CTRL_RX:
		return cmd_rx(c);
	case VIRTIO_NET_CTRL_MAC:
		return cmd_mac(c);
	case VIRTIO_NET_CTRL_VLAN:
		return cmd_vlan(c);
	case VIRTIO_NET_CTRL_ANNOUNCE:
		return cmd_announce(c);
	case VIRTIO_NET_CTRL_MQ:
		return cmd_mq(c);
	case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		return cmd_offloads(c);
	default:
		return err(c, "unknown class");
	}
}

/* Answer one chain; 0, or -EIO when the queue is gone. */
static int ctrl_one(struct vs__net *st, struct vs_vq *vq, struct vs_vq_elem *elem)
{
	struct vs_vdev *vdev = st->vdev;
	struct ctrl_cmd c = {.st = st, .vq = vq, .elem = elem};
	uint8_t hdr[2], ack;
	uint32_t len = 0;

	if (!elem->in_len) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: control head %u has no writable ack byte: "
		       "not answered", vdev->label, elem->head);
		st->stats.ctrl_err++;
		return vs_vq_push(vq, elem, 0) == -EIO ? -EIO : 0;
	}
	if (elem->out_len < sizeof(hdr) || vs_vq_read(vq, elem, 0, hdr, sizeof(hdr))) {
		ack = err(&c, "shorter than class and command");
	} else if (elem->in_len != 1) {
		/* the ack must be the last writable byte, and no command
		 * here has a result after it */
		c.class = hdr[0];
		c.cmd = hdr[1];
		ack = err(&c, "more than the one writable ack byte");
	} else {
		c.class = hdr[0];
		c.cmd = hdr[1];
		c.dlen = elem->out_len - sizeof(hdr);
		ack = ctrl_run(&c);
	}
	if (ack == VIRTIO_NET_OK) {
		st->stats.ctrl_ok++;
	} else {
		st->stats.ctrl_err++;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: control head %u class %u command %u: ERR: %s",
		       vdev->label, elem->head, c.class, c.cmd, c.why);
	}
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_NET_CTRL_BAD_ACK)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: control head %u ack %u instead of %u",
		       vdev->label, elem->head, NET_BAD_ACK, ack);
		ack = NET_BAD_ACK;
	}
	/* the ack sits right after the readable part: writable offset 0 */
	if (vs_vq_write(vq, elem, 0, &ack, 1) == 0)
		len = 1;
	else
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: control head %u: ack not writable", vdev->label,
		       elem->head);
	return vs_vq_push(vq, elem, len) == -EIO ? -EIO : 0;
}

void vs__net_handle_ctrl(struct vs__net *st, struct vs_vq *vq)
{
	struct vs_vq_elem elem;
	uint32_t budget = vq->num;

	while (budget--) {
		if (vs_vq_pop(vq, &elem))
			return;
		if (ctrl_one(st, vq, &elem))
			return;
	}
	/* a ring's worth per run, then let other work go first */
	vs_vdev_kick(st->vdev, vq->index);
}
