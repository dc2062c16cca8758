/*
 * virtio_console.h - what the console driver offers the rest of the
 * guest, as a kernel's char devices and hvc would: the ports of one
 * device, opened, written and read by port number (driver/guest.c turns
 * harness requests into these calls).
 *
 * Errors, for all: -ENODEV when vdev is not driven by virtio_console,
 * -ENOENT for a port the driver does not have.
 */
#ifndef VS_DRIVER_VIRTIO_CONSOLE_H
#define VS_DRIVER_VIRTIO_CONSOLE_H

#include <linux/compiler.h>
#include <linux/virtio.h>

/* Longest port name the driver keeps (longer ones are cut). */
#define VIRTCONS_NAME_MAX 255u

struct virtcons_port_info {
	bool console;          /* the device nominated it a console port */
	bool guest_connected;  /* opened on our side */
	bool host_connected;   /* the device's last PORT_OPEN said open */
	u16 cols, rows;        /* size (console ports), 0 when never given */
	char name[VIRTCONS_NAME_MAX + 1]; /* "" when the device gave none */
};

/* Ports the driver has (0 while DEVICE_ADD has not come). */
int virtcons_port_count(struct virtio_device *vdev);
/* The driver's view of port id: 0 or the errors above. */
int virtcons_port_info(struct virtio_device *vdev, u32 id, struct virtcons_port_info *info);
/*
 * Open (open=true) or close the port as a process opening its char
 * device: PORT_OPEN to the device, waiting until it took the message.
 * Without MULTIPORT there is nothing to tell: 0.  -ETIMEDOUT, -EIO (queue
 * broken), -ENOSPC (control queue full).
 */
int virtcons_port_open(struct virtio_device *vdev, u32 id, bool open);
/*
 * Write len bytes to the port's transmit queue and wait until the device
 * used every buffer: len, or -EBADF (a generic port not opened), -EPIPE
 * (the host side is closed), -ETIMEDOUT, -EIO.
 */
long virtcons_port_write(struct virtio_device *vdev, u32 id, const void *buf, size_t len);
/*
 * Read up to len bytes of what the device sent: the count (> 0); with
 * wait, run the machine until data comes or the guest timeout
 * (-ETIMEDOUT); without, -EAGAIN when none is there.  -EBADF as write.
 */
long virtcons_port_read(struct virtio_device *vdev, u32 id, void *buf, size_t len, bool wait);
/* Write len bytes through emerg_wr, one 32-bit config write per byte:
 * len, or -EOPNOTSUPP without VIRTIO_CONSOLE_F_EMERG_WRITE. */
long virtcons_emerg_write(struct virtio_device *vdev, const void *buf, size_t len);

#endif /* VS_DRIVER_VIRTIO_CONSOLE_H */
