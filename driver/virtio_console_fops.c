/*
 * virtio_console_fops.c - what a process does with a console port, as
 * Linux's port_fops and hvc ops do it: open and close (PORT_OPEN to the
 * device), write (transmit buffers, waiting until the device used them,
 * as Linux's put_chars polls), read (used receive buffers, each given back
 * once read), and the emergency write through emerg_wr.  The harness
 * reaches these through driver/guest.c (driver/virtio_console.h).
 *
 * A port may go away (DEVICE_REMOVE) while a caller waits for the device:
 * every wait looks the port up again by number instead of trusting a
 * pointer it held before.
 */
#define KBUILD_MODNAME "virtio_console"

#include <errno.h>
#include <string.h>

#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/wait.h>

#include "driver/virtio_console.h"
#include "driver/virtio_console_internal.h"

int virtcons_port_count(struct virtio_device *vdev)
{
	struct ports_device *portdev = virtcons_portdev(vdev);
	int n = 0;

	if (!portdev)
		return -ENODEV;
	for (u32 id = 0; id < portdev->max_nr_ports; id++)
		n += portdev->ports[id] != NULL;
	return n;
}

int virtcons_port_info(struct virtio_device *vdev, u32 id, struct virtcons_port_info *info)
{
	struct ports_device *portdev = virtcons_portdev(vdev);
	struct port *port;

	if (!portdev)
		return -ENODEV;
	port = virtcons_find_port(portdev, id);
	if (!port)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->console = port->console;
	info->guest_connected = port->guest_connected;
	info->host_connected = port->host_connected;
	info->cols = port->cols;
	info->rows = port->rows;
	if (port->name)
		memcpy(info->name, port->name, strlen(port->name) + 1);
	return 0;
}

int virtcons_port_open(struct virtio_device *vdev, u32 id, bool open)
{
	struct ports_device *portdev = virtcons_portdev(vdev);
	struct port *port;
	int err;

	if (!portdev)
		return -ENODEV;
	port = virtcons_find_port(portdev, id);
	if (!port)
		return -ENOENT;
	if (!portdev->multiport)
		return 0;
	if (!open)
		virtcons_discard_port_data(portdev, id, port);
	port->guest_connected = open;
	err = virtcons_send_control_msg(port, VIRTIO_CONSOLE_PORT_OPEN, open ? 1 : 0);
	return err ? err : virtcons_wait_control(portdev);
}

/* A generic port (not a console) is used through an open file. */
static int check_port_io(struct port *port, bool writing)
{
	if (port->console || !port->portdev->multiport)
		return 0;
	if (!port->guest_connected)
		return -EBADF;
	if (writing && !port->host_connected)
		return -EPIPE;
	return 0;
}

static bool tx_done(struct ports_device *portdev, u32 id, struct port *port)
{
	if (virtcons_find_port(portdev, id) != port)
		return true; /* unplugged meanwhile */
	virtcons_reclaim_consumed_buffers(port);
	return !port->out_pending || virtqueue_is_broken(port->out_vq);
}

long virtcons_port_write(struct virtio_device *vdev, u32 id, const void *data, size_t len)
{
	struct ports_device *portdev = virtcons_portdev(vdev);
	struct port *port;
	size_t done = 0;
	int err;

	if (!portdev)
		return -ENODEV;
	port = virtcons_find_port(portdev, id);
	if (!port)
		return -ENOENT;
	err = check_port_io(port, true);
	if (err)
		return err;
	while (done < len) {
		size_t n = min(len - done, (size_t)VIRTCONS_TX_SIZE);
		struct port_buffer *buf = virtcons_alloc_buf(n);
		struct scatterlist sg;

		if (!buf)
			return done ? (long)done : -ENOMEM;
		memcpy(buf->buf, (const char *)data + done, n);
		sg_init_one(&sg, buf->buf, (unsigned int)n);
		/* spec drv.console.device-operation.2: device-readable only */
		err = virtqueue_add_outbuf(port->out_vq, &sg, 1, buf, GFP_KERNEL);
		if (err == -ENOSPC && port->out_pending) {
			/* ring full: let the device use what it has, then retry */
			virtqueue_kick(port->out_vq);
			wait_event_timeout(portdev->waitqueue, tx_done(portdev, id, port),
					   guest_timeout_jiffies());
			if (virtcons_find_port(portdev, id) != port) {
				virtcons_free_buf(buf);
				return -ENOENT;
			}
			err = virtqueue_add_outbuf(port->out_vq, &sg, 1, buf, GFP_KERNEL);
		}
		if (err < 0) {
			virtcons_free_buf(buf);
			return err == -ENOSPC ? -ETIMEDOUT : err;
		}
		port->out_pending++;
		done += n;
	}
	virtqueue_kick(port->out_vq);
	/* The console path waits for its buffers, as Linux's put_chars polls. */
	wait_event_timeout(portdev->waitqueue, tx_done(portdev, id, port), guest_timeout_jiffies());
	if (virtcons_find_port(portdev, id) != port)
		return -ENOENT;
	if (virtqueue_is_broken(port->out_vq))
		return -EIO;
	return port->out_pending ? -ETIMEDOUT : (long)len;
}

/* Is there data for the reader?  Takes the next used buffer if needed. */
static bool port_has_data(struct ports_device *portdev, u32 id, struct port *port)
{
	unsigned int len;

	if (virtcons_find_port(portdev, id) != port)
		return true; /* gone: the reader must look */
	if (!port->inbuf) {
		port->inbuf = virtqueue_get_buf(port->in_vq, &len);
		if (port->inbuf)
			port->inbuf->len = len;
	}
	return port->inbuf || virtqueue_is_broken(port->in_vq);
}

long virtcons_port_read(struct virtio_device *vdev, u32 id, void *data, size_t len, bool wait)
{
	struct ports_device *portdev = virtcons_portdev(vdev);
	struct port *port;
	size_t done = 0;
	int err;

	if (!portdev)
		return -ENODEV;
	port = virtcons_find_port(portdev, id);
	if (!port)
		return -ENOENT;
	err = check_port_io(port, false);
	if (err)
		return err;
	if (!len)
		return 0;
	if (!port_has_data(portdev, id, port) && wait)
		wait_event_timeout(portdev->waitqueue, port_has_data(portdev, id, port),
				   guest_timeout_jiffies());
	if (virtcons_find_port(portdev, id) != port)
		return -ENOENT;
	while (done < len && port_has_data(portdev, id, port) && port->inbuf) {
		struct port_buffer *buf = port->inbuf;
		size_t n = min(len - done, buf->len - buf->offset);

		memcpy((char *)data + done, buf->buf + buf->offset, n);
		buf->offset += n;
		done += n;
		if (buf->offset >= buf->len) {
			port->inbuf = NULL;
			virtcons_requeue_inbuf(buf, port->in_vq, portdev, id);
		}
	}
	if (done)
		return (long)done;
	if (virtqueue_is_broken(port->in_vq))
		return -EIO;
	return wait ? -ETIMEDOUT : -EAGAIN;
}

long virtcons_emerg_write(struct virtio_device *vdev, const void *data, size_t len)
{
	if (!virtcons_portdev(vdev))
		return -ENODEV;
	if (!virtio_has_feature(vdev, VIRTIO_CONSOLE_F_EMERG_WRITE))
		return -EOPNOTSUPP;
	for (size_t i = 0; i < len; i++)
		virtio_cwrite32(vdev, offsetof(struct virtio_console_config, emerg_wr),
				((const u8 *)data)[i]);
	return (long)len;
}
