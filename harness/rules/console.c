/*
 * console.c - per device type rules, console device (spec 5.3).
 *
 * What the monitor can see of a console: which queue a buffer goes to
 * (receive queues have even indices, transmit queues odd, 5.3.2), the
 * control messages themselves (the driver's at the moment it makes them
 * available on the control transmitq, the device's when it uses a control
 * receiveq buffer: the bytes are in guest memory), max_nr_ports as the
 * driver reads it from the configuration space, and the status.  From
 * those it keeps the set of ports the device added, whether the driver
 * said DEVICE_READY, and which CONSOLE_PORT messages still owe a
 * PORT_OPEN 1.  Everything restarts at a reset.
 *
 * Control messages are little-endian; a legacy interface uses the guest's
 * native order (5.3.6.3), which is little-endian on every machine here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

/* Port ids whose existence and owed PORT_OPEN the monitor tracks; beyond,
 * only the max_nr_ports bound is checked. */
#define CON_TRACKED 1024u

struct vs__console {
	uint8_t cfg[4];         /* max_nr_ports bytes as the driver read them */
	uint8_t cfg_known;      /* bit i: cfg[i] was read */
	uint32_t added[CON_TRACKED / 32]; /* ports the device added and did not remove */
	int ready_seen;         /* DEVICE_READY made available since the reset */
	int ready_owed;         /* DRIVER_OK with MULTIPORT seen, DEVICE_READY not yet */
	int ready_judged;
	uint64_t ready_stamp;
	/* CONSOLE_PORT seen for a port, PORT_OPEN not yet: sync count + 1 */
	uint64_t open_owed[CON_TRACKED];
};

static int is_console(const struct vs__dev *dev)
{
	return dev->device_id_known && dev->device_id == VIRTIO_ID_CONSOLE;
}

static int multiport(const struct vs__dev *dev)
{
	return (vs__dev_features(dev) & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT)) != 0;
}

static struct vs__console *con_get(struct vs__dev *dev)
{
	if (!dev->con)
		dev->con = calloc(1, sizeof(*dev->con));
	return dev->con;
}

static int max_known(const struct vs__console *con, uint32_t *max)
{
	if (con->cfg_known != 0xf)
		return 0;
	*max = vs_le32(con->cfg);
	return 1;
}

static int port_added(const struct vs__console *con, uint32_t id)
{
	return id < CON_TRACKED && (con->added[id / 32] >> (id % 32)) & 1u;
}

static void port_set(struct vs__console *con, uint32_t id, int on)
{
	if (id >= CON_TRACKED)
		return;
	if (on)
		con->added[id / 32] |= 1u << (id % 32);
	else
		con->added[id / 32] &= ~(1u << (id % 32));
}

/* The first n bytes of the chain's readable (or writable) buffers, in
 * chain order; how many there were. */
static uint32_t chain_bytes(struct vs_monitor *mon, const struct vs__chain *c, int writable,
			    uint8_t *buf, uint32_t n)
{
	uint32_t got = 0;

	for (uint32_t i = 0; i < c->nseg && got < n; i++) {
		const struct vs__seg *s = &c->seg[i];
		uint64_t take = s->len;

		if (s->table || (s->writable != 0) != (writable != 0))
			continue;
		if (take > n - got)
			take = n - got;
		if (vs__mem_read(mon, s->gpa, buf + got, take) < 0)
			break;
		got += (uint32_t)take;
	}
	return got;
}

/* ---- driver side: buffers, and messages on the control transmitq ---- */

static void driver_message(struct vs_monitor *mon, struct vs__dev *dev, struct vs__console *con,
			   const uint8_t *m)
{
	uint32_t id = vs_le32(m + VS_CONSOLE_CTRL_ID);
	uint16_t event = vs_le16(m + VS_CONSOLE_CTRL_EVENT);
	uint16_t value = vs_le16(m + VS_CONSOLE_CTRL_VALUE);

	if (event == VIRTIO_CONSOLE_DEVICE_READY) {
		con->ready_seen = 1;
		return;
	}
	if (event != VIRTIO_CONSOLE_PORT_OPEN || id >= CON_TRACKED || !con->open_owed[id])
		return;
	/* spec drv.console.device-operation.multiport-device-operation.2:
	 * the answer to CONSOLE_PORT is PORT_OPEN with value 1 */
	if (value != 1)
		vs__violate(mon, dev, VS_CONSOLE_VQ_CTRL_TX, VS_R_CONSOLE_PORT_OPEN,
			    "port %u: CONSOLE_PORT answered by PORT_OPEN value %u", id, value);
	con->open_owed[id] = 0;
}

void vs__console_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		       uint16_t head, const struct vs__chain *c)
{
	uint8_t m[sizeof(struct virtio_console_control)];
	struct vs__console *con;

	if (!is_console(dev))
		return;
	/* spec drv.console.device-operation.1 and .2 */
	if (q->index % 2 == 0 && c->readable > 0)
		vs__violate(mon, dev, (int)q->index, VS_R_CONSOLE_RX_READABLE,
			    "queue %u head %u: %llu device-readable bytes in a receive queue",
			    q->index, head, (unsigned long long)c->readable);
	if (q->index % 2 == 1 && c->writable > 0)
		vs__violate(mon, dev, (int)q->index, VS_R_CONSOLE_TX_WRITABLE,
			    "queue %u head %u: %llu device-writable bytes in a transmit queue",
			    q->index, head, (unsigned long long)c->writable);
	if (q->index != VS_CONSOLE_VQ_CTRL_TX || !multiport(dev) || !(con = con_get(dev)))
		return;
	if (chain_bytes(mon, c, 0, m, sizeof(m)) == sizeof(m))
		driver_message(mon, dev, con, m);
}

/* ---- device side: messages in used control receiveq buffers ---- */

void vs__console_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, const struct vs__chain *c, uint32_t len)
{
	uint8_t m[sizeof(struct virtio_console_control)];
	struct vs__console *con;
	uint32_t id, max;
	uint16_t event;

	if (!is_console(dev) || q->index != VS_CONSOLE_VQ_CTRL_RX || !multiport(dev) ||
	    len < sizeof(m) || !(con = con_get(dev)))
		return;
	if (chain_bytes(mon, c, 1, m, sizeof(m)) != sizeof(m))
		return;
	id = vs_le32(m + VS_CONSOLE_CTRL_ID);
	event = vs_le16(m + VS_CONSOLE_CTRL_EVENT);
	switch (event) {
	case VIRTIO_CONSOLE_DEVICE_ADD:
		/* spec dev.console.device-operation.multiport-device-operation.1 */
		if (max_known(con, &max) && id >= max)
			vs__violate(mon, dev, (int)q->index, VS_R_CONSOLE_ADD_PORT,
				    "head %u: DEVICE_ADD for port %u, max_nr_ports is %u", head, id,
				    max);
		else if (port_added(con, id))
			vs__violate(mon, dev, (int)q->index, VS_R_CONSOLE_ADD_PORT,
				    "head %u: DEVICE_ADD for port %u, which exists", head, id);
		else
			port_set(con, id, 1);
		break;
	case VIRTIO_CONSOLE_DEVICE_REMOVE:
		/* spec dev.console.device-operation.multiport-device-operation.2 */
		if (!port_added(con, id) &&
		    (id < CON_TRACKED || (max_known(con, &max) && id >= max)))
			vs__violate(mon, dev, (int)q->index, VS_R_CONSOLE_REMOVE_PORT,
				    "head %u: DEVICE_REMOVE for port %u, which no DEVICE_ADD created",
				    head, id);
		port_set(con, id, 0);
		break;
	case VIRTIO_CONSOLE_CONSOLE_PORT:
		if (vs_le16(m + VS_CONSOLE_CTRL_VALUE) && id < CON_TRACKED && !con->open_owed[id])
			con->open_owed[id] = mon->sync_count + 1;
		break;
	default:
		break;
	}
}

void vs__console_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			     unsigned width, uint64_t val)
{
	struct vs__console *con;

	(void)mon;
	if (!is_console(dev) || !(con = con_get(dev)))
		return;
	for (unsigned i = 0; i < width && i < 8; i++) {
		uint32_t b = off + i;

		if (b >= VS_CONSOLE_CFG_MAX_NR_PORTS && b < VS_CONSOLE_CFG_MAX_NR_PORTS + 4) {
			con->cfg[b - VS_CONSOLE_CFG_MAX_NR_PORTS] = (uint8_t)(val >> (8 * i));
			con->cfg_known |= (uint8_t)(1u << (b - VS_CONSOLE_CFG_MAX_NR_PORTS));
		}
	}
}

/* ---- checks owed to a later event ---- */

static void judge_ready(struct vs_monitor *mon, struct vs__dev *dev, struct vs__console *con,
			int force)
{
	if (con->ready_seen || !multiport(dev) || !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	if (!con->ready_owed) {
		con->ready_owed = 1;
		con->ready_stamp = mon->sync_count;
	}
	/* spec drv.console.device-operation.multiport-device-operation.1 */
	if (!con->ready_judged && vs__due(mon, con->ready_stamp, force)) {
		con->ready_judged = 1;
		vs__violate(mon, dev, VS_CONSOLE_VQ_CTRL_TX, VS_R_CONSOLE_DEVICE_READY,
			    "MULTIPORT negotiated, DRIVER_OK set, no DEVICE_READY on the control "
			    "transmitq");
	}
}

static void judge_open(struct vs_monitor *mon, struct vs__dev *dev, struct vs__console *con,
		       int force)
{
	for (uint32_t id = 0; id < CON_TRACKED; id++) {
		if (!con->open_owed[id] || !vs__due(mon, con->open_owed[id] - 1, force))
			continue;
		/* spec drv.console.device-operation.multiport-device-operation.2 */
		vs__violate(mon, dev, VS_CONSOLE_VQ_CTRL_TX, VS_R_CONSOLE_PORT_OPEN,
			    "port %u: CONSOLE_PORT never answered by PORT_OPEN", id);
		con->open_owed[id] = 0;
	}
}

void vs__console_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	if (!is_console(dev) || !dev->con)
		return;
	judge_ready(mon, dev, dev->con, force);
	judge_open(mon, dev, dev->con, force);
}

void vs__console_reset(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__console *con = dev->con;

	if (!con)
		return;
	/* what the driver owed by now it never sent */
	if (is_console(dev)) {
		judge_ready(mon, dev, con, 1);
		judge_open(mon, dev, con, 1);
	}
	/* max_nr_ports is the device's: it survives, the rest starts over */
	memset(con->added, 0, sizeof(con->added));
	memset(con->open_owed, 0, sizeof(con->open_owed));
	con->ready_seen = con->ready_owed = con->ready_judged = 0;
}

void vs__console_free(struct vs__dev *dev)
{
	free(dev->con);
	dev->con = NULL;
}
