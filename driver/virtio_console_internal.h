/*
 * virtio_console_internal.h - shared by the console driver's two files
 * only: virtio_console.c (buffers, control messages, ports, probe and
 * teardown) and virtio_console_fops.c (what a process does with a port:
 * open, write, read, and the emergency write).
 */
#ifndef VS_DRIVER_VIRTIO_CONSOLE_INTERNAL_H
#define VS_DRIVER_VIRTIO_CONSOLE_INTERNAL_H

#include <linux/compiler.h>
#include <linux/virtio.h>
#include <linux/virtio_console.h>
#include <linux/wait.h>

#include "driver/virtio_console.h"

/* Ports this driver handles at most (a larger max_nr_ports is cut). */
#define VIRTCONS_MAX_PORTS 64u
/* Receive buffers kept posted per port, and their size.  Linux fills the
 * whole queue with pages; a few smaller buffers keep guest RAM small. */
#define VIRTCONS_RX_BUFS 8u
#define VIRTCONS_RX_SIZE 1024u
/* Control receive buffers: a header and a name. */
#define VIRTCONS_CTRL_BUFS 8u
#define VIRTCONS_CTRL_SIZE (sizeof(struct virtio_console_control) + VIRTCONS_NAME_MAX + 1)
/* Largest transmit buffer: a write is cut into these. */
#define VIRTCONS_TX_SIZE 4096u

/* A buffer handed to the device; its own address is the token. */
struct port_buffer {
	char *buf;     /* guest RAM the device reads or writes */
	size_t size;   /* bytes at buf */
	size_t len;    /* bytes the device wrote (receive) */
	size_t offset; /* bytes already handed to a reader */
};

struct ports_device;

struct port {
	struct ports_device *portdev;
	u32 id;
	struct virtqueue *in_vq, *out_vq;
	struct port_buffer *inbuf; /* a used receive buffer being read */
	char *name;                /* PORT_NAME, or NULL */
	bool console;              /* CONSOLE_PORT received */
	bool guest_connected;      /* opened on our side */
	bool host_connected;       /* the device's last PORT_OPEN */
	u16 cols, rows;
	unsigned int out_pending;  /* transmit buffers the device has not used */
};

struct ports_device {
	struct virtio_device *vdev;
	bool multiport;
	u32 max_nr_ports;          /* as read, clamped to VIRTCONS_MAX_PORTS */
	struct virtqueue *c_ivq, *c_ovq;
	struct virtqueue **in_vqs, **out_vqs; /* [max_nr_ports] */
	struct port *ports[VIRTCONS_MAX_PORTS];
	unsigned int in_posted[VIRTCONS_MAX_PORTS]; /* receive buffers on each in_vq */
	unsigned int ctrl_pending; /* control messages the device has not used */
	wait_queue_head_t waitqueue; /* readers and writers of every port */
};

/* The device's ports, NULL when vdev is not driven by virtio_console. */
struct ports_device *virtcons_portdev(struct virtio_device *vdev);
/* A buffer of size bytes in guest RAM, or NULL; free_buf takes NULL. */
struct port_buffer *virtcons_alloc_buf(size_t size);
void virtcons_free_buf(struct port_buffer *buf);
/* The port with this id, NULL when the driver does not have it. */
struct port *virtcons_find_port(struct ports_device *portdev, u32 id);
/* Queue one control message and kick, without waiting: 0 or -errno. */
int virtcons_send_control_msg(struct port *port, u16 event, u16 value);
/* Process context: wait until the device used every control message.
 * 0, -ETIMEDOUT, -EIO (queue broken). */
int virtcons_wait_control(struct ports_device *portdev);
/* Give a receive buffer of port id back to the device. */
void virtcons_requeue_inbuf(struct port_buffer *buf, struct virtqueue *vq,
			    struct ports_device *portdev, u32 id);
/* Drop what the device sent port id (port may be NULL: gone) and nobody read. */
void virtcons_discard_port_data(struct ports_device *portdev, u32 id, struct port *port);
/* Free the port's transmit buffers the device used. */
void virtcons_reclaim_consumed_buffers(struct port *port);

#endif /* VS_DRIVER_VIRTIO_CONSOLE_INTERNAL_H */
