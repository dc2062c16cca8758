/*
 * console.c - the console device (spec 5.3): port 0's receive and
 * transmit queues, with VIRTIO_CONSOLE_F_MULTIPORT the control queues and
 * a queue pair per further port, the configuration fields cols, rows,
 * max_nr_ports and emerg_wr, and a host-side backend per port
 * (devices/console.h).
 *
 * Work arrives three ways, all on the loop: a kick of one of the queues
 * (handle_queue), and the service work a harness call schedules (control
 * messages to send, input to deliver).  Transmit queues are drained into
 * the port's backend at once.  Receive buffers are popped only when there
 * is input for them: until then they stay available on the ring.  Control
 * messages for the driver wait in a FIFO for control receive buffers.
 *
 * What the driver sends is hostile input: a control message shorter than
 * its header, naming a port that does not exist, an event only a device
 * sends, a device-readable buffer in a receive queue, a writable one in a
 * transmit queue are logged and ignored (the buffer is still given back),
 * never trusted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/console_internal.h"
#include "devices/internal.h"

#define LOG_SUBSYS "console"

/* Control messages waiting for control receive buffers; more are dropped. */
#define CTRL_FIFO_MAX 256u
/* Bytes copied per vs_vq_read / vs_vq_write. */
#define CHUNK 512u

static const char *event_name(unsigned ev)
{
	static const char *const names[] = {
		"DEVICE_READY", "DEVICE_ADD", "DEVICE_REMOVE", "PORT_READY",
		"CONSOLE_PORT", "RESIZE",     "PORT_OPEN",     "PORT_NAME",
	};

	return ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "unknown";
}

/* ---- byte buffers ---- */

/* Append up to VS_CONSOLE_BUF_MAX in all; the rest is counted as dropped. */
void vs__con_buf_append(struct vs__con_buf *b, const void *data, size_t len)
{
	size_t room = VS_CONSOLE_BUF_MAX - b->len, n = len < room ? len : room;

	if (n && b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *nd;

		while (cap < b->len + n)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd) {
			b->dropped += len;
			return;
		}
		b->data = nd;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->dropped += len - n;
}

/* Remove n bytes from the front. */
void vs__con_buf_consume(struct vs__con_buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	if (!n)
		return;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void vs__con_buf_free(struct vs__con_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- state ---- */

static struct vs__con *con_of(struct vs_vdev *vdev)
{
	if (!vdev || vdev->model != &vs__console_model)
		return NULL;
	return vdev->priv;
}

static int multiport(const struct vs_vdev *vdev)
{
	return vs_vdev_has_feature(vdev, VIRTIO_CONSOLE_F_MULTIPORT);
}

static void service_later(struct vs_vdev *vdev)
{
	struct vs__con *st = vdev->priv;

	vs_loop_defer(vdev->loop, &st->service);
}

void vs__con_io_progress(struct vs_vdev *vdev)
{
	service_later(vdev);
}

/* Queue a control message for the driver.  extra: a name or a size. */
static void ctrl_queue(struct vs_vdev *vdev, uint32_t id, uint16_t event, uint16_t value,
		       const void *extra, uint16_t extra_len)
{
	struct vs__con *st = vdev->priv;
	struct vs__con_msg *m;

	if (st->ctrl_n == CTRL_FIFO_MAX) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: control FIFO full, %s for port %u dropped",
		       vdev->label, event_name(event), id);
		return;
	}
	m = &st->ctrl[(st->ctrl_head + st->ctrl_n++) % CTRL_FIFO_MAX];
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->event = event;
	m->value = value;
	if (extra_len > sizeof(m->extra))
		extra_len = sizeof(m->extra);
	if (extra_len)
		memcpy(m->extra, extra, extra_len);
	m->extra_len = extra_len;
	service_later(vdev);
}

/*
 * Send queued control messages into control receive buffers while there
 * are both.  A buffer too short for a message header gets nothing (used
 * len 0) and the message waits for the next buffer; a name longer than the
 * buffer is cut.
 */
static void ctrl_flush(struct vs_vdev *vdev)
{
	struct vs__con *st = vdev->priv;
	struct vs_vq *vq = vs_vdev_queue(vdev, VS_CONSOLE_VQ_CTRL_RX);
	struct vs_vq_elem elem;
	uint8_t msg[sizeof(struct virtio_console_control) + sizeof(st->ctrl[0].extra)];

	if (!vq || !multiport(vdev))
		return;
	while (st->ctrl_n) {
		struct vs__con_msg *m = &st->ctrl[st->ctrl_head];
		uint32_t id = m->id, n;

		if (vs_vq_pop(vq, &elem))
			return;
		if (elem.out_num)
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: control receive head %u has %u device-readable buffers",
			       vdev->label, elem.head, elem.out_num);
		if (elem.in_len < sizeof(struct virtio_console_control)) {
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: control receive head %u holds %llu bytes, a message needs %zu",
			       vdev->label, elem.head, (unsigned long long)elem.in_len,
			       sizeof(struct virtio_console_control));
			if (vs_vq_push(vq, &elem, 0))
				return;
			continue;
		}
		/* A port that cannot exist: beyond max_nr_ports (breaks spec
		 * dev.console.device-operation.multiport-device-operation.1 for
		 * an add, .2 for a remove). */
		if ((m->event == VIRTIO_CONSOLE_DEVICE_ADD || m->event == VIRTIO_CONSOLE_DEVICE_REMOVE) &&
		    vs_fault_hit(vdev->faults, VS_FAULT_DEV_CONSOLE_BAD_PORT)) {
			id = st->max_ports;
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: %s for port %u sent as port %u",
			       vdev->label, event_name(m->event), m->id, id);
		}
		vs_put_le32(msg + VS_CONSOLE_CTRL_ID, id);
		vs_put_le16(msg + VS_CONSOLE_CTRL_EVENT, m->event);
		vs_put_le16(msg + VS_CONSOLE_CTRL_VALUE, m->value);
		memcpy(msg + sizeof(struct virtio_console_control), m->extra, m->extra_len);
		n = (uint32_t)sizeof(struct virtio_console_control) + m->extra_len;
		if (n > elem.in_len)
			n = (uint32_t)elem.in_len;
		if (vs_vq_write(vq, &elem, 0, msg, n))
			n = 0;
		st->ctrl_head = (st->ctrl_head + 1) % CTRL_FIFO_MAX;
		st->ctrl_n--;
		if (vs_vq_push(vq, &elem, n))
			return;
	}
}

/* Tell the driver about every port it has not heard of (after DEVICE_READY). */
static void announce_ports(struct vs_vdev *vdev)
{
	struct vs__con *st = vdev->priv;

	for (uint32_t i = 0; i < st->max_ports; i++) {
		struct vs__con_port *p = &st->port[i];

		if (!p->exists || p->announced)
			continue;
		/* spec dev.console.device-operation.multiport-device-operation.1:
		 * only a port the driver does not have, below max_nr_ports. */
		p->announced = 1;
		ctrl_queue(vdev, i, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL, 0);
	}
}

/* May input be delivered to port id now? */
static int port_deliverable(struct vs_vdev *vdev, uint32_t id)
{
	const struct vs__con_port *p = &((struct vs__con *)vdev->priv)->port[id];

	if (!p->exists || !p->in.len)
		return 0;
	/* With MULTIPORT a port takes input once the driver opened it (QEMU
	 * does the same); a single-port console is always connected. */
	if (multiport(vdev))
		return p->announced && p->guest_open;
	return id == 0;
}

/* Fill receive buffers of port id with pending input. */
static void deliver_input(struct vs_vdev *vdev, uint32_t id)
{
	struct vs__con *st = vdev->priv;
	struct vs__con_port *p = &st->port[id];
	struct vs_vq *vq = vs_vdev_queue(vdev, VS_CONSOLE_VQ_RX(id));
	struct vs_vq_elem elem;
	uint32_t budget;

	if (!vq)
		return;
	budget = vq->num;
	while (port_deliverable(vdev, id)) {
		uint64_t n;

		if (!budget--) {
			/* a ring's worth per run, then let other work go first */
			service_later(vdev);
			return;
		}
		if (vs_vq_pop(vq, &elem))
			return;
		/* spec drv.console.device-operation.1 is the driver's: the
		 * device still uses the writable part it was given. */
		if (elem.out_num)
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: port %u receive head %u has %u device-readable buffers",
			       vdev->label, id, elem.head, elem.out_num);
		n = p->in.len < elem.in_len ? p->in.len : elem.in_len;
		if (n && vs_vq_write(vq, &elem, 0, p->in.data, n)) {
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: port %u: receive head %u not writable",
			       vdev->label, id, elem.head);
			n = 0;
		}
		vs__con_buf_consume(&p->in, (size_t)n);
		vs__con_sock_input_taken(p->sock);
		if (vs_vq_push(vq, &elem, (uint32_t)n))
			return;
	}
}

/* Output of port id: to its socket peer when one is connected, else captured. */
static void port_output(struct vs_vdev *vdev, uint32_t id, const void *data, size_t len)
{
	struct vs__con_port *p = &((struct vs__con *)vdev->priv)->port[id];

	if (p->sock && vs__con_sock_write(p->sock, data, len) == 0)
		return;
	vs__con_buf_append(&p->out, data, len);
}

/* Drain transmit queue vq of port id into its backend. */
static void handle_tx(struct vs_vdev *vdev, struct vs_vq *vq, uint32_t id)
{
	struct vs__con *st = vdev->priv;
	struct vs__con_port *p = &st->port[id];
	struct vs_vq_elem elem;
	uint8_t chunk[CHUNK];
	uint32_t budget = vq->num;

	while (budget--) {
		if (vs_vq_pop(vq, &elem))
			return;
		/* spec drv.console.device-operation.2 is the driver's rule. */
		if (elem.in_num)
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: port %u transmit head %u has %u device-writable buffers",
			       vdev->label, id, elem.head, elem.in_num);
		for (uint64_t off = 0; off < elem.out_len;) {
			uint64_t n = elem.out_len - off;

			if (n > sizeof(chunk))
				n = sizeof(chunk);
			if (vs_vq_read(vq, &elem, off, chunk, n))
				break;
			if (p->exists)
				port_output(vdev, id, chunk, (size_t)n);
			else
				p->out.dropped += n;
			off += n;
		}
		if (!p->exists)
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: %llu bytes for port %u, which does not "
			       "exist, dropped", vdev->label, (unsigned long long)elem.out_len, id);
		/* Nothing written into a transmit buffer: used len 0. */
		if (vs_vq_push(vq, &elem, 0))
			return;
	}
	vs_vdev_kick(vdev, vq->index);
}

/* One control message from the driver. */
static void handle_ctrl_msg(struct vs_vdev *vdev, uint32_t id, uint16_t event, uint16_t value)
{
	struct vs__con *st = vdev->priv;
	struct vs__con_port *p = id < st->max_ports ? &st->port[id] : NULL;

	if (event == VIRTIO_CONSOLE_DEVICE_READY) {
		if (value != 1) {
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: driver reports DEVICE_READY %u (failure)",
			       vdev->label, value);
			st->driver_ready = 0;
			return;
		}
		st->driver_ready = 1;
		announce_ports(vdev);
		return;
	}
	if (event != VIRTIO_CONSOLE_PORT_READY && event != VIRTIO_CONSOLE_PORT_OPEN) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: driver sent %s (%u) for port %u: not a "
		       "driver's event, ignored", vdev->label, event_name(event), event, id);
		return;
	}
	if (!p || !p->exists || !p->announced) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: driver sent %s for port %u, which it was not "
		       "given (max_nr_ports %u), ignored", vdev->label, event_name(event), id,
		       st->max_ports);
		return;
	}
	if (event == VIRTIO_CONSOLE_PORT_OPEN) {
		if (value > 1)
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: PORT_OPEN for port %u with value %u",
			       vdev->label, id, value);
		p->guest_open = value != 0;
		if (p->guest_open)
			service_later(vdev);
		return;
	}
	if (value != 1) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: driver could not set up port %u", vdev->label,
		       id);
		p->guest_ready = 0;
		return;
	}
	/* The port's properties, in QEMU's order: console, name, open. */
	p->guest_ready = 1;
	if (p->console)
		ctrl_queue(vdev, id, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL, 0);
	if (p->name[0])
		ctrl_queue(vdev, id, VIRTIO_CONSOLE_PORT_NAME, 0, p->name,
			   (uint16_t)strlen(p->name));
	if (p->host_open)
		ctrl_queue(vdev, id, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL, 0);
}

static void handle_ctrl_tx(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct vs_vq_elem elem;
	uint8_t m[sizeof(struct virtio_console_control)];
	uint32_t budget = vq->num;

	while (budget--) {
		if (vs_vq_pop(vq, &elem))
			return;
		if (elem.in_num)
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: control transmit head %u has %u device-writable buffers",
			       vdev->label, elem.head, elem.in_num);
		if (elem.out_len < sizeof(m))
			vs_log(VS_LOG_WARN, LOG_SUBSYS,
			       "%s: control message of %llu bytes at head %u, needs %zu: ignored",
			       vdev->label, (unsigned long long)elem.out_len, elem.head, sizeof(m));
		else if (vs_vq_read(vq, &elem, 0, m, sizeof(m)) == 0)
			handle_ctrl_msg(vdev, vs_le32(m + VS_CONSOLE_CTRL_ID),
					vs_le16(m + VS_CONSOLE_CTRL_EVENT),
					vs_le16(m + VS_CONSOLE_CTRL_VALUE));
		if (vs_vq_push(vq, &elem, 0))
			return;
	}
	vs_vdev_kick(vdev, vq->index);
}

static void console_handle_queue(struct vs_vdev *vdev, struct vs_vq *vq)
{
	unsigned q = vq->index;

	/* spec 5.3.2: without MULTIPORT only port 0's queues exist; a driver
	 * that uses the others anyway is not served */
	if (q > VS_CONSOLE_VQ_TX0 && !multiport(vdev)) {
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: queue %u used without MULTIPORT: ignored",
		       vdev->label, q);
		return;
	}
	if (q == VS_CONSOLE_VQ_CTRL_RX)
		ctrl_flush(vdev);
	else if (q == VS_CONSOLE_VQ_CTRL_TX)
		handle_ctrl_tx(vdev, vq);
	else if (q % 2 == 0)
		deliver_input(vdev, VS_CONSOLE_VQ_PORT(q));
	else
		handle_tx(vdev, vq, VS_CONSOLE_VQ_PORT(q));
}

/* Deferred by harness calls and by a driver opening a port. */
static void console_service(void *opaque)
{
	struct vs_vdev *vdev = opaque;
	struct vs__con *st = vdev->priv;

	ctrl_flush(vdev);
	for (uint32_t i = 0; i < st->max_ports; i++)
		deliver_input(vdev, i);
}

/* ---- model ops ---- */

static uint32_t ports_param(const struct vs_device_params *p)
{
	uint32_t n = p->console_ports ? p->console_ports : 1;

	return n > VS_CONSOLE_MAX_PORTS ? VS_CONSOLE_MAX_PORTS : n;
}

/* MULTIPORT is offered with more than one port, or when the scenario adds
 * it to a single port; withholding it wins. */
static int multiport_param(const struct vs_device_params *p)
{
	return (ports_param(p) > 1 || (p->features_add & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT))) &&
	       !(p->features_remove & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
}

static unsigned console_num_queues(const struct vs_device_params *p)
{
	/* spec 5.3.2: only port 0's pair without MULTIPORT */
	return multiport_param(p) ? VS_CONSOLE_NUM_QUEUES(ports_param(p)) : 2;
}

static int console_init(struct vs_vdev *vdev)
{
	const struct vs_device_params *p = &vdev->params;
	struct vs__con *st;

	if (p->console_ports > VS_CONSOLE_MAX_PORTS) {
		vs_log(VS_LOG_ERROR, LOG_SUBSYS, "%s: %u ports asked, at most %u", vdev->label,
		       p->console_ports, VS_CONSOLE_MAX_PORTS);
		return -EINVAL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctrl = calloc(CTRL_FIFO_MAX, sizeof(*st->ctrl));
	if (!st->ctrl) {
		free(st);
		return -ENOMEM;
	}
	st->max_ports = ports_param(p);
	vs_work_init(&st->service, console_service, vdev);
	/* Port 0 is there from the start, a console, its host side open. */
	st->port[0].exists = 1;
	st->port[0].console = 1;
	for (uint32_t i = 0; i < VS_CONSOLE_MAX_PORTS; i++)
		st->port[i].host_open = 1;
	/* spec 5.3.3: MULTIPORT goes with the control queues. */
	if (multiport_param(p))
		vdev->features |= VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT);
	else
		vdev->features &= ~VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT);
	vs_put_le16(vdev->config + VS_CONSOLE_CFG_COLS, p->console_cols ? p->console_cols : 80);
	vs_put_le16(vdev->config + VS_CONSOLE_CFG_ROWS, p->console_rows ? p->console_rows : 25);
	vs_put_le32(vdev->config + VS_CONSOLE_CFG_MAX_NR_PORTS, st->max_ports);
	vdev->priv = st;
	return 0;
}

static void console_fini(struct vs_vdev *vdev)
{
	struct vs__con *st = vdev->priv;

	if (!st)
		return;
	vs_loop_cancel(vdev->loop, &st->service);
	for (uint32_t i = 0; i < VS_CONSOLE_MAX_PORTS; i++) {
		vs__con_sock_close(st->port[i].sock);
		vs__con_buf_free(&st->port[i].in);
		vs__con_buf_free(&st->port[i].out);
	}
	free(st->ctrl);
	free(st);
	vdev->priv = NULL;
}

/* Reset (spec 2.4): the driver forgets the ports; the host side keeps
 * them, their pending input and captured output. */
static void console_reset(struct vs_vdev *vdev)
{
	struct vs__con *st = vdev->priv;

	vs_loop_cancel(vdev->loop, &st->service);
	st->driver_ready = 0;
	st->ctrl_head = st->ctrl_n = 0;
	for (uint32_t i = 0; i < VS_CONSOLE_MAX_PORTS; i++) {
		st->port[i].announced = 0;
		st->port[i].guest_ready = 0;
		st->port[i].guest_open = 0;
	}
}

/* The driver writes config: only emerg_wr is writable (spec 5.3.4). */
static void console_config_write(struct vs_vdev *vdev, uint32_t off, const void *buf,
				 uint32_t len)
{
	struct vs__con *st = vdev->priv;
	uint8_t c;

	if (off > VS_CONSOLE_CFG_EMERG_WR || off + len <= VS_CONSOLE_CFG_EMERG_WR) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: write of %u bytes at config offset %u ignored "
		       "(read-only)", vdev->label, len, off);
		return;
	}
	if (!(vdev->features & VS_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE))) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: emerg_wr written, EMERG_WRITE not offered",
		       vdev->label);
		return;
	}
	/* spec dev.console.device-initialization.1: at any time, whatever the
	 * status; .2: the lower byte goes to the output (port 0's). */
	c = ((const uint8_t *)buf)[VS_CONSOLE_CFG_EMERG_WR - off];
	st->emerg++;
	port_output(vdev, 0, &c, 1);
}

const struct vs_device_model vs__console_model = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	/* spec 5.3.3: SIZE and EMERG_WRITE always; MULTIPORT per port count */
	.features = VS_BIT(VIRTIO_CONSOLE_F_SIZE) | VS_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE),
	.num_queues = 2,
	.num_queues_for = console_num_queues,
	.queue_size_max = 128,
	.config_size = VS_CONSOLE_CFG_SIZE,
	.init = console_init,
	.fini = console_fini,
	.reset = console_reset,
	.handle_queue = console_handle_queue,
	.validate_features = NULL,
	.config_write = console_config_write,
};

/* ---- the harness's side (console.h) ---- */

/* The port, or NULL with *err set. */
static struct vs__con_port *port_get(struct vs_vdev *vdev, uint32_t port, int *err)
{
	struct vs__con *st = con_of(vdev);

	if (!st) {
		*err = -ENODEV;
		return NULL;
	}
	if (port >= st->max_ports) {
		*err = -EINVAL;
		return NULL;
	}
	return &st->port[port];
}

int vs_console_port_add(struct vs_vdev *vdev, uint32_t port, const char *name, int console)
{
	struct vs__con_port *p;
	size_t nlen = name ? strlen(name) : 0;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (p->exists)
		return -EEXIST;
	if (port && !(vdev->features & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT)))
		return -EOPNOTSUPP;
	if (nlen > VS_CONSOLE_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(p->name, name ? name : "", nlen);
	p->name[nlen] = 0;
	p->exists = 1;
	p->console = console != 0;
	p->announced = p->guest_ready = p->guest_open = 0;
	vs__con_buf_free(&p->in);
	if (((struct vs__con *)vdev->priv)->driver_ready)
		announce_ports(vdev);
	return 0;
}

int vs_console_port_remove(struct vs_vdev *vdev, uint32_t port)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (!p->exists)
		return -ENOENT;
	if (!(vdev->features & VS_BIT(VIRTIO_CONSOLE_F_MULTIPORT)))
		return -EOPNOTSUPP;
	/* spec dev.console.device-operation.multiport-device-operation.2:
	 * a remove only for a port the driver was given. */
	if (p->announced)
		ctrl_queue(vdev, port, VIRTIO_CONSOLE_DEVICE_REMOVE, 0, NULL, 0);
	p->exists = p->announced = p->guest_ready = p->guest_open = 0;
	p->dropped += p->in.len;
	vs__con_buf_free(&p->in);
	return 0;
}

int vs_console_input(struct vs_vdev *vdev, uint32_t port, const void *buf, size_t len)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (!p->exists)
		return -ENOENT;
	if (len > VS_CONSOLE_BUF_MAX - p->in.len)
		return -ENOSPC;
	vs__con_buf_append(&p->in, buf, len);
	service_later(vdev);
	return 0;
}

int vs_console_resize(struct vs_vdev *vdev, uint32_t port, uint16_t cols, uint16_t rows)
{
	struct vs__con_port *p;
	uint8_t sz[4];
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (!p->exists)
		return -ENOENT;
	vs_put_le16(sz, cols);
	vs_put_le16(sz + 2, rows);
	if (multiport(vdev)) {
		if (p->announced)
			ctrl_queue(vdev, port, VIRTIO_CONSOLE_RESIZE, 0, sz, sizeof(sz));
		return 0;
	}
	/* spec 5.3.6 item 3: without MULTIPORT the size is port 0's, in the
	 * configuration space, announced by a configuration change. */
	if (port != 0 || !(vdev->features & VS_BIT(VIRTIO_CONSOLE_F_SIZE)))
		return -EOPNOTSUPP;
	return vs_vdev_config_change(vdev, VS_CONSOLE_CFG_COLS, sz, sizeof(sz));
}

int vs_console_host_open(struct vs_vdev *vdev, uint32_t port, int open)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (!p->exists)
		return -ENOENT;
	p->host_open = open != 0;
	if (multiport(vdev) && p->guest_ready)
		ctrl_queue(vdev, port, VIRTIO_CONSOLE_PORT_OPEN, (uint16_t)p->host_open, NULL, 0);
	return 0;
}

int64_t vs_console_output_len(struct vs_vdev *vdev, uint32_t port)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	return (int64_t)p->out.len;
}

int64_t vs_console_output_take(struct vs_vdev *vdev, uint32_t port, void *buf, size_t len)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (len > p->out.len)
		len = p->out.len;
	if (len)
		memcpy(buf, p->out.data, len);
	vs__con_buf_consume(&p->out, len);
	return (int64_t)len;
}

int vs_console_port_state(struct vs_vdev *vdev, uint32_t port, struct vs_console_port_state *s)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	s->exists = p->exists;
	s->announced = p->announced;
	s->guest_ready = p->guest_ready;
	s->guest_open = p->guest_open;
	s->host_open = p->host_open;
	s->console = p->console;
	s->listening = p->sock != NULL;
	s->peer = vs__con_sock_has_peer(p->sock);
	s->input_pending = p->in.len;
	s->output_len = p->out.len;
	s->dropped = p->dropped + p->in.dropped + p->out.dropped + vs__con_sock_dropped(p->sock);
	return 0;
}

int64_t vs_console_emerg_count(struct vs_vdev *vdev)
{
	struct vs__con *st = con_of(vdev);

	return st ? (int64_t)st->emerg : -ENODEV;
}

int vs_console_listen(struct vs_vdev *vdev, uint32_t port, uint16_t tcp_port, uint16_t *bound)
{
	struct vs__con_port *p;
	uint16_t got = 0;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (p->sock)
		return -EBUSY;
	err = vs__con_sock_open_tcp(vdev, vdev->loop, port, tcp_port, &got, &p->sock);
	if (err)
		return err;
	/* where to connect; a run's trace starts after this (a free port
	 * differs from run to run) */
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: port %u listens on tcp 127.0.0.1:%u", vdev->label,
	       port, got);
	if (bound)
		*bound = got;
	return 0;
}

int vs_console_listen_pipe(struct vs_vdev *vdev, uint32_t port, const char *path)
{
	struct vs__con_port *p;
	int err;

	if (!(p = port_get(vdev, port, &err)))
		return err;
	if (p->sock)
		return -EBUSY;
	err = vs__con_sock_open_pipe(vdev, vdev->loop, port, path, &p->sock);
	if (err)
		return err;
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: port %u listens on unix socket %s", vdev->label,
	       port, path);
	return 0;
}
