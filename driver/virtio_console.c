/*
 * virtio_console.c - the console driver (spec 5.3), in the shape of
 * Linux's virtio_console: a ports_device per virtio device, a struct port
 * per port, port 0's queue pair and, with VIRTIO_CONSOLE_F_MULTIPORT, the
 * control queues and a pair per further port (up to max_nr_ports).
 *
 * The multiport handshake: after DRIVER_OK the control receive queue is
 * filled and DEVICE_READY sent; the device answers with DEVICE_ADD per
 * port; each added port gets its receive buffers and a PORT_READY; the
 * device then names it (PORT_NAME), nominates consoles (CONSOLE_PORT,
 * answered by PORT_OPEN 1), opens it from its side (PORT_OPEN), resizes
 * it (RESIZE) or takes it away (DEVICE_REMOVE).  What a process does with
 * a port (open, write, read, emergency write) is in virtio_console_fops.c.
 *
 * Unlike Linux, control messages are handled in the queue callback, not a
 * workqueue, and control messages are sent without waiting: the callback
 * runs inside the device's interrupt, where waiting would run the device
 * again underneath itself.  Process-context callers (open, close) wait for
 * their message to be used afterwards.  A removed port's receive buffers
 * stay on its queue (taking them back from a live queue is not allowed,
 * spec drv.init.device-cleanup.2) and serve the port again if it returns.
 *
 * Every value from the device is checked: a control message shorter than
 * its header, for a port beyond max_nr_ports or one we do not have, an
 * event only a driver sends, a RESIZE without its size, a name with no
 * bytes are logged and ignored; a used len beyond a buffer breaks the
 * queue in the ring code; none of it crashes.
 */
#define KBUILD_MODNAME "virtio_console"

#include <errno.h>
#include <string.h>

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/wait.h>

#include "driver/virtio_console.h"
#include "driver/virtio_console_internal.h"

struct port_buffer *virtcons_alloc_buf(size_t size)
{
	struct port_buffer *buf = kzalloc(sizeof(*buf), GFP_KERNEL);

	if (!buf)
		return NULL;
	buf->buf = kmalloc(size, GFP_KERNEL);
	if (!buf->buf) {
		kfree(buf);
		return NULL;
	}
	buf->size = size;
	return buf;
}

void virtcons_free_buf(struct port_buffer *buf)
{
	if (!buf)
		return;
	kfree(buf->buf);
	kfree(buf);
}

/* spec drv.console.device-operation.1: receive buffers are device-writable only. */
static int add_inbuf(struct virtqueue *vq, struct port_buffer *buf)
{
	struct scatterlist sg;

	buf->len = 0;
	buf->offset = 0;
	sg_init_one(&sg, buf->buf, (unsigned int)buf->size);
	return virtqueue_add_inbuf(vq, &sg, 1, buf, GFP_ATOMIC);
}

/* Post up to n new receive buffers of size bytes; the number posted. */
static unsigned int fill_queue(struct virtqueue *vq, unsigned int n, size_t size)
{
	unsigned int added = 0;

	while (added < n) {
		struct port_buffer *buf = virtcons_alloc_buf(size);

		if (!buf)
			break;
		if (add_inbuf(vq, buf) < 0) {
			virtcons_free_buf(buf);
			break;
		}
		added++;
	}
	if (added)
		virtqueue_kick(vq);
	return added;
}

struct port *virtcons_find_port(struct ports_device *portdev, u32 id)
{
	return id < portdev->max_nr_ports ? portdev->ports[id] : NULL;
}

/* ---- control messages to the device ---- */

static void reclaim_control(struct ports_device *portdev)
{
	struct port_buffer *buf;
	unsigned int len;

	while ((buf = virtqueue_get_buf(portdev->c_ovq, &len)) != NULL) {
		virtcons_free_buf(buf);
		if (portdev->ctrl_pending)
			portdev->ctrl_pending--;
	}
}

/* Queue one message and kick; never waits (see the top of the file). */
static int __send_control_msg(struct ports_device *portdev, u32 id, u16 event, u16 value)
{
	struct port_buffer *buf;
	struct scatterlist sg;
	int err;

	if (!portdev->multiport)
		return 0;
	reclaim_control(portdev);
	buf = virtcons_alloc_buf(sizeof(struct virtio_console_control));
	if (!buf)
		return -ENOMEM;
	vs_put_le32(buf->buf + VS_CONSOLE_CTRL_ID, id);
	vs_put_le16(buf->buf + VS_CONSOLE_CTRL_EVENT, event);
	vs_put_le16(buf->buf + VS_CONSOLE_CTRL_VALUE, value);
	/* spec drv.console.device-operation.2: device-readable only */
	sg_init_one(&sg, buf->buf, sizeof(struct virtio_console_control));
	err = virtqueue_add_outbuf(portdev->c_ovq, &sg, 1, buf, GFP_ATOMIC);
	if (err < 0) {
		dev_err(&portdev->vdev->dev, "control message %u for port %u lost: %d", event, id,
			err);
		virtcons_free_buf(buf);
		return err;
	}
	portdev->ctrl_pending++;
	virtqueue_kick(portdev->c_ovq);
	return 0;
}

int virtcons_send_control_msg(struct port *port, u16 event, u16 value)
{
	return __send_control_msg(port->portdev, port->id, event, value);
}

static bool control_done(struct ports_device *portdev)
{
	reclaim_control(portdev);
	return !portdev->ctrl_pending || virtqueue_is_broken(portdev->c_ovq);
}

/* Process context: wait until the device took every control message. */
int virtcons_wait_control(struct ports_device *portdev)
{
	if (!portdev->multiport)
		return 0;
	wait_event_timeout(portdev->waitqueue, control_done(portdev), guest_timeout_jiffies());
	if (virtqueue_is_broken(portdev->c_ovq))
		return -EIO;
	return portdev->ctrl_pending ? -ETIMEDOUT : 0;
}

/* ---- ports ---- */

/* Give a used (or held) receive buffer back to the device. */
void virtcons_requeue_inbuf(struct port_buffer *buf, struct virtqueue *vq,
			  struct ports_device *portdev, u32 id)
{
	if (add_inbuf(vq, buf) < 0) {
		virtcons_free_buf(buf);
		if (portdev->in_posted[id])
			portdev->in_posted[id]--;
		return;
	}
	virtqueue_kick(vq);
}

/* Drop whatever the device sent the port and nobody read. */
void virtcons_discard_port_data(struct ports_device *portdev, u32 id, struct port *port)
{
	struct virtqueue *vq = portdev->in_vqs[id];
	struct port_buffer *buf;
	unsigned int len;

	if (port && port->inbuf) {
		virtcons_requeue_inbuf(port->inbuf, vq, portdev, id);
		port->inbuf = NULL;
	}
	while ((buf = virtqueue_get_buf(vq, &len)) != NULL)
		virtcons_requeue_inbuf(buf, vq, portdev, id);
}

void virtcons_reclaim_consumed_buffers(struct port *port)
{
	struct port_buffer *buf;
	unsigned int len;

	while ((buf = virtqueue_get_buf(port->out_vq, &len)) != NULL) {
		virtcons_free_buf(buf);
		if (port->out_pending)
			port->out_pending--;
	}
}

/* A new port: receive buffers, then PORT_READY (Linux's add_port). */
static int add_port(struct ports_device *portdev, u32 id)
{
	struct port *port = kzalloc(sizeof(*port), GFP_KERNEL);
	unsigned int want;

	if (!port) {
		__send_control_msg(portdev, id, VIRTIO_CONSOLE_PORT_READY, 0);
		return -ENOMEM;
	}
	port->portdev = portdev;
	port->id = id;
	port->in_vq = portdev->in_vqs[id];
	port->out_vq = portdev->out_vqs[id];
	/* Buffers left from an earlier port of this number still count. */
	want = VIRTCONS_RX_BUFS - min(portdev->in_posted[id], VIRTCONS_RX_BUFS);
	portdev->in_posted[id] += fill_queue(port->in_vq, want, VIRTCONS_RX_SIZE);
	if (!portdev->in_posted[id]) {
		dev_err(&portdev->vdev->dev, "port %u: no receive buffer could be posted", id);
		kfree(port);
		__send_control_msg(portdev, id, VIRTIO_CONSOLE_PORT_READY, 0);
		return -ENOMEM;
	}
	portdev->ports[id] = port;
	if (!portdev->multiport) {
		/* The only port is a console, connected on both sides. */
		port->console = true;
		port->guest_connected = true;
		port->host_connected = true;
		return 0;
	}
	return virtcons_send_control_msg(port, VIRTIO_CONSOLE_PORT_READY, 1);
}

static void unplug_port(struct port *port)
{
	struct ports_device *portdev = port->portdev;

	portdev->ports[port->id] = NULL;
	virtcons_discard_port_data(portdev, port->id, port);
	virtcons_reclaim_consumed_buffers(port);
	kfree(port->name);
	kfree(port);
}

/* spec drv.console.device-operation.multiport-device-operation.2: a
 * console port is opened at once, PORT_OPEN with value 1. */
static void init_port_console(struct port *port)
{
	port->console = true;
	port->guest_connected = true;
	virtcons_send_control_msg(port, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

static void handle_port_name(struct port *port, const char *name, size_t len)
{
	size_t n = 0;

	/* After a restore the device names the port again: keep the first. */
	if (port->name)
		return;
	while (n < len && n < VIRTCONS_NAME_MAX && name[n])
		n++;
	if (!n) {
		dev_warn(&port->portdev->vdev->dev, "port %u: PORT_NAME without a name", port->id);
		return;
	}
	port->name = kmalloc(n + 1, GFP_ATOMIC);
	if (!port->name)
		return;
	memcpy(port->name, name, n);
	port->name[n] = '\0';
}

/* One control message from the device, len bytes at msg. */
static void handle_control_message(struct ports_device *portdev, const char *msg, size_t len)
{
	struct device *dev = &portdev->vdev->dev;
	struct port *port;
	u32 id;
	u16 event, value;

	if (len < sizeof(struct virtio_console_control)) {
		dev_warn(dev, "control message of %zu bytes, a header is %zu: ignored", len,
			 sizeof(struct virtio_console_control));
		return;
	}
	id = vs_le32(msg + VS_CONSOLE_CTRL_ID);
	event = vs_le16(msg + VS_CONSOLE_CTRL_EVENT);
	value = vs_le16(msg + VS_CONSOLE_CTRL_VALUE);
	if (id >= portdev->max_nr_ports) {
		dev_warn(dev, "control event %u for port %u, max_nr_ports is %u: ignored", event, id,
			 portdev->max_nr_ports);
		return;
	}
	port = virtcons_find_port(portdev, id);
	if (!port && event != VIRTIO_CONSOLE_DEVICE_ADD) {
		dev_warn(dev, "control event %u for port %u, which does not exist: ignored", event,
			 id);
		return;
	}
	switch (event) {
	case VIRTIO_CONSOLE_DEVICE_ADD:
		if (port) {
			/* Announced again (after a restore): say ready again. */
			virtcons_send_control_msg(port, VIRTIO_CONSOLE_PORT_READY, 1);
			if (port->guest_connected)
				virtcons_send_control_msg(port, VIRTIO_CONSOLE_PORT_OPEN, 1);
			break;
		}
		if (add_port(portdev, id) < 0)
			dev_err(dev, "port %u could not be added", id);
		break;
	case VIRTIO_CONSOLE_DEVICE_REMOVE:
		unplug_port(port);
		break;
	case VIRTIO_CONSOLE_CONSOLE_PORT:
		if (!value)
			break;
		/* Answered every time, also when the port already is one. */
		init_port_console(port);
		break;
	case VIRTIO_CONSOLE_RESIZE:
		if (len < sizeof(struct virtio_console_control) + sizeof(struct virtio_console_resize)) {
			dev_warn(dev, "port %u: RESIZE of %zu bytes has no size: ignored", id, len);
			break;
		}
		port->cols = vs_le16(msg + sizeof(struct virtio_console_control));
		port->rows = vs_le16(msg + sizeof(struct virtio_console_control) + 2);
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		port->host_connected = value != 0;
		break;
	case VIRTIO_CONSOLE_PORT_NAME:
		handle_port_name(port, msg + sizeof(struct virtio_console_control),
				 len - sizeof(struct virtio_console_control));
		break;
	default:
		dev_warn(dev, "control event %u (value %u) for port %u: not one a device sends",
			 event, value, id);
		break;
	}
}

static void control_intr(struct virtqueue *vq)
{
	struct ports_device *portdev = vq->vdev->priv;
	struct port_buffer *buf;
	unsigned int len;

	if (!portdev)
		return;
	while ((buf = virtqueue_get_buf(vq, &len)) != NULL) {
		handle_control_message(portdev, buf->buf, len);
		if (add_inbuf(vq, buf) < 0)
			virtcons_free_buf(buf);
	}
	virtqueue_kick(vq);
}

static void control_out_intr(struct virtqueue *vq)
{
	struct ports_device *portdev = vq->vdev->priv;

	if (portdev)
		reclaim_control(portdev);
}

/* The port a data queue belongs to: in_vqs / out_vqs hold it at its id. */
static u32 vq_port_id(const struct virtqueue *vq)
{
	return VS_CONSOLE_VQ_PORT(vq->index);
}

static void in_intr(struct virtqueue *vq)
{
	struct ports_device *portdev = vq->vdev->priv;
	struct port *port;
	u32 id = vq_port_id(vq);
	unsigned int len;

	if (!portdev || id >= portdev->max_nr_ports)
		return;
	port = virtcons_find_port(portdev, id);
	/* Data for a port we do not have, or nobody opened, is dropped
	 * (Linux discards it too). */
	if (!port || !port->guest_connected) {
		virtcons_discard_port_data(portdev, id, port);
		return;
	}
	if (!port->inbuf) {
		port->inbuf = virtqueue_get_buf(vq, &len);
		if (port->inbuf)
			port->inbuf->len = len;
	}
}

static void out_intr(struct virtqueue *vq)
{
	struct ports_device *portdev = vq->vdev->priv;
	struct port *port;

	if (!portdev)
		return;
	port = virtcons_find_port(portdev, vq_port_id(vq));
	if (port)
		virtcons_reclaim_consumed_buffers(port);
}

/* Without MULTIPORT the size in the configuration is port 0's (5.3.6 item 3). */
static void config_intr(struct virtio_device *vdev)
{
	struct ports_device *portdev = vdev->priv;
	struct port *port;
	u16 cols, rows;

	if (!portdev || portdev->multiport || !virtio_has_feature(vdev, VIRTIO_CONSOLE_F_SIZE))
		return;
	port = virtcons_find_port(portdev, 0);
	if (!port)
		return;
	virtio_cread(vdev, struct virtio_console_config, cols, &cols);
	virtio_cread(vdev, struct virtio_console_config, rows, &rows);
	port->cols = cols;
	port->rows = rows;
}

/* ---- probe and teardown ---- */

static int init_vqs(struct ports_device *portdev)
{
	u32 nr_ports = portdev->max_nr_ports;
	unsigned int nvqs = portdev->multiport ? (nr_ports + 1) * 2 : 2;
	struct virtqueue_info *info;
	struct virtqueue **vqs;
	int err = -ENOMEM;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	portdev->in_vqs = kcalloc(nr_ports, sizeof(*portdev->in_vqs), GFP_KERNEL);
	portdev->out_vqs = kcalloc(nr_ports, sizeof(*portdev->out_vqs), GFP_KERNEL);
	if (!vqs || !info || !portdev->in_vqs || !portdev->out_vqs)
		goto out_free;
	/* spec 5.3.2: port 0, control, then port 1 onwards */
	for (unsigned int i = 0; i < nvqs; i += 2) {
		bool ctrl = i == VS_CONSOLE_VQ_CTRL_RX;

		info[i] = (struct virtqueue_info){ ctrl ? "control-i" : "input",
						   ctrl ? control_intr : in_intr, false };
		info[i + 1] = (struct virtqueue_info){ ctrl ? "control-o" : "output",
						       ctrl ? control_out_intr : out_intr, false };
	}
	err = virtio_find_vqs(portdev->vdev, nvqs, vqs, info, NULL);
	if (err)
		goto out_free;
	for (u32 id = 0; id < nr_ports; id++) {
		portdev->in_vqs[id] = vqs[VS_CONSOLE_VQ_RX(id)];
		portdev->out_vqs[id] = vqs[VS_CONSOLE_VQ_TX(id)];
	}
	if (portdev->multiport) {
		portdev->c_ivq = vqs[VS_CONSOLE_VQ_CTRL_RX];
		portdev->c_ovq = vqs[VS_CONSOLE_VQ_CTRL_TX];
	}
	kfree(info);
	kfree(vqs);
	return 0;

out_free:
	kfree(portdev->out_vqs);
	kfree(portdev->in_vqs);
	portdev->in_vqs = portdev->out_vqs = NULL;
	kfree(info);
	kfree(vqs);
	return err;
}

/* After a reset: take every buffer back from every queue and drop the
 * queues.  Ports survive (a restore brings them back). */
static void remove_vqs(struct ports_device *portdev)
{
	struct virtio_device *vdev = portdev->vdev;
	struct virtqueue *vq;
	struct port_buffer *buf;

	for (u32 id = 0; id < portdev->max_nr_ports; id++) {
		struct port *port = portdev->ports[id];

		if (port) {
			virtcons_free_buf(port->inbuf);
			port->inbuf = NULL;
			port->out_pending = 0;
		}
		portdev->in_posted[id] = 0;
	}
	virtio_device_for_each_vq(vdev, vq) {
		while ((buf = virtqueue_detach_unused_buf(vq)) != NULL)
			virtcons_free_buf(buf);
	}
	portdev->ctrl_pending = 0;
	vdev->config->del_vqs(vdev);
	kfree(portdev->in_vqs);
	kfree(portdev->out_vqs);
	portdev->in_vqs = portdev->out_vqs = NULL;
	portdev->c_ivq = portdev->c_ovq = NULL;
}

/* Queues up, device live, buffers posted, and the handshake begun. */
static int start_device(struct ports_device *portdev)
{
	int err = init_vqs(portdev);

	if (err)
		return err;
	virtio_device_ready(portdev->vdev);
	/* Ports kept over a freeze get their queues and buffers back; with
	 * MULTIPORT, DEVICE_ADD for them is answered with PORT_READY again. */
	for (u32 id = 0; id < portdev->max_nr_ports; id++) {
		struct port *port = portdev->ports[id];

		if (!port)
			continue;
		port->in_vq = portdev->in_vqs[id];
		port->out_vq = portdev->out_vqs[id];
		portdev->in_posted[id] = fill_queue(port->in_vq, VIRTCONS_RX_BUFS,
						    VIRTCONS_RX_SIZE);
	}
	if (!portdev->multiport) {
		/* We only have one port and it's a console. */
		return virtcons_find_port(portdev, 0) ? 0 : add_port(portdev, 0);
	}
	if (!fill_queue(portdev->c_ivq, VIRTCONS_CTRL_BUFS, VIRTCONS_CTRL_SIZE)) {
		dev_err(&portdev->vdev->dev, "no control receive buffer could be posted");
		return -ENOMEM;
	}
	/* spec drv.console.device-operation.multiport-device-operation.1 (also
	 * after a restore, where Linux does not send it). */
	return __send_control_msg(portdev, VS_CONSOLE_BAD_ID, VIRTIO_CONSOLE_DEVICE_READY, 1);
}

static void free_ports(struct ports_device *portdev)
{
	for (u32 id = 0; id < portdev->max_nr_ports; id++) {
		struct port *port = portdev->ports[id];

		if (!port)
			continue;
		portdev->ports[id] = NULL;
		kfree(port->name);
		kfree(port);
	}
}

static int virtcons_probe(struct virtio_device *vdev)
{
	struct ports_device *portdev;
	u32 max_nr_ports = 1;
	int err;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "%s failure: config access disabled", __func__);
		return -EINVAL;
	}
	portdev = kzalloc(sizeof(*portdev), GFP_KERNEL);
	if (!portdev)
		return -ENOMEM;
	portdev->vdev = vdev;
	init_waitqueue_head(&portdev->waitqueue);
	vdev->priv = portdev;
	if (virtio_cread_feature(vdev, VIRTIO_CONSOLE_F_MULTIPORT, struct virtio_console_config,
				 max_nr_ports, &max_nr_ports) == 0) {
		portdev->multiport = true;
		if (max_nr_ports == 0) {
			dev_warn(&vdev->dev, "max_nr_ports 0: taking 1 (port 0 always exists)");
			max_nr_ports = 1;
		} else if (max_nr_ports > VIRTCONS_MAX_PORTS) {
			dev_warn(&vdev->dev, "max_nr_ports %u: using the first %u", max_nr_ports,
				 VIRTCONS_MAX_PORTS);
			max_nr_ports = VIRTCONS_MAX_PORTS;
		}
	}
	portdev->max_nr_ports = max_nr_ports;
	err = start_device(portdev);
	if (err)
		goto out_teardown;
	config_intr(vdev);
	return 0;

out_teardown:
	(void)virtio_reset_device(vdev);
	if (portdev->in_vqs)
		remove_vqs(portdev);
	free_ports(portdev);
	vdev->priv = NULL;
	kfree(portdev);
	return err;
}

static void virtcons_remove(struct virtio_device *vdev)
{
	struct ports_device *portdev = vdev->priv;

	if (!portdev) {
		(void)virtio_reset_device(vdev);
		return;
	}
	/* spec drv.init.device-cleanup.2: buffers come back after a reset */
	(void)virtio_reset_device(vdev);
	if (portdev->in_vqs)
		remove_vqs(portdev);
	free_ports(portdev);
	vdev->priv = NULL;
	kfree(portdev);
}

static int virtcons_freeze(struct virtio_device *vdev)
{
	struct ports_device *portdev = vdev->priv;

	(void)virtio_reset_device(vdev);
	if (portdev && portdev->in_vqs)
		remove_vqs(portdev);
	return 0;
}

static int virtcons_restore(struct virtio_device *vdev)
{
	struct ports_device *portdev = vdev->priv;

	if (!portdev)
		return -ENODEV;
	return start_device(portdev);
}

static struct virtio_driver virtio_console_driver;

/* ---- for virtio_console_fops.c ---- */

struct ports_device *virtcons_portdev(struct virtio_device *vdev)
{
	if (!vdev || vdev->dev.driver != &virtio_console_driver.driver)
		return NULL;
	return vdev->priv;
}

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_CONSOLE, VIRTIO_DEV_ANY_ID },
	{ 0, 0 },
};

static const unsigned int features[] = {
	VIRTIO_CONSOLE_F_SIZE,
	VIRTIO_CONSOLE_F_MULTIPORT,
	VIRTIO_CONSOLE_F_EMERG_WRITE,
};

static struct virtio_driver virtio_console_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = id_table,
	.feature_table = features,
	.feature_table_size = ARRAY_SIZE(features),
	.probe = virtcons_probe,
	.remove = virtcons_remove,
	.config_changed = config_intr,
	.freeze = virtcons_freeze,
	.restore = virtcons_restore,
};

module_virtio_driver(virtio_console_driver);
MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio console driver");
MODULE_LICENSE("GPL");
