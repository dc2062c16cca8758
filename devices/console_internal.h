/*
 * console_internal.h - shared by the console device's two files only:
 * console.c (the device model and the harness calls) and console_sock.c
 * (a port's socket backend, TCP or Unix domain socket).
 */
#ifndef VS_DEVICES_CONSOLE_INTERNAL_H
#define VS_DEVICES_CONSOLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "devices/console.h"

struct vs_vdev;
struct vs__con_sock;

/* A growable byte buffer of at most VS_CONSOLE_BUF_MAX bytes. */
struct vs__con_buf {
	uint8_t *data;
	size_t len, cap;
	uint64_t dropped; /* bytes that did not fit */
};

/* One port, as the device sees it. */
struct vs__con_port {
	int exists;      /* plugged on the host side */
	int announced;   /* DEVICE_ADD sent since the driver's DEVICE_READY */
	int guest_ready; /* the driver answered PORT_READY with 1 */
	int guest_open;  /* the driver's last PORT_OPEN value */
	int host_open;   /* the host side is open (PORT_OPEN to the driver) */
	int console;     /* CONSOLE_PORT is sent for it */
	char name[VS_CONSOLE_NAME_MAX + 1];
	struct vs__con_buf in;  /* host input not delivered yet */
	struct vs__con_buf out; /* what the driver transmitted, not taken yet */
	uint64_t dropped;       /* input dropped when the port went away */
	struct vs__con_sock *sock; /* socket backend, NULL for the buffer */
};

/* A control message waiting for a control receive buffer. */
struct vs__con_msg {
	uint32_t id;
	uint16_t event, value;
	uint16_t extra_len;
	uint8_t extra[VS_CONSOLE_NAME_MAX]; /* a name, or struct virtio_console_resize */
};

struct vs__con {
	uint32_t max_ports;  /* max_nr_ports */
	int driver_ready;    /* DEVICE_READY 1 received since the reset */
	struct vs__con_port port[VS_CONSOLE_MAX_PORTS];
	struct vs__con_msg *ctrl; /* FIFO of control messages for the driver */
	uint32_t ctrl_head, ctrl_n;
	uint64_t emerg;      /* bytes taken from emerg_wr */
	struct vs_work service; /* flush control messages, deliver input */
};

/* ---- console.c, for the backend ---- */
/* Append len bytes, up to VS_CONSOLE_BUF_MAX in all (the rest is counted
 * in b->dropped); remove n bytes from the front; free the bytes. */
void vs__con_buf_append(struct vs__con_buf *b, const void *data, size_t len);
void vs__con_buf_consume(struct vs__con_buf *b, size_t n);
void vs__con_buf_free(struct vs__con_buf *b);
/* I/O made progress for vdev: schedule the device's service work, which is
 * how the loop learns that a libuv callback did something. */
void vs__con_io_progress(struct vs_vdev *vdev);

/* ---- console_sock.c ---- */
/* Listen for port `port` of vdev on 127.0.0.1:tcp_port (0: any free
 * port; *bound, when not NULL, gets the port number) or on a Unix domain
 * socket at path (-EINVAL for "", -ENAMETOOLONG beyond sun_path).  0 or a
 * negative errno (libuv's). */
int vs__con_sock_open_tcp(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
			  uint16_t tcp_port, uint16_t *bound, struct vs__con_sock **out);
int vs__con_sock_open_pipe(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
			   const char *path, struct vs__con_sock **out);
/* Send to the peer: 0 (sent, or queued behind what the peer has not taken
 * yet), or -ENOTCONN when none is connected (the caller keeps the bytes
 * then).  NULL s: -ENOTCONN. */
int vs__con_sock_write(struct vs__con_sock *s, const void *data, size_t len);
/* The device delivered some of the port's input to the driver: a peer
 * throttled for want of room is read again.  NULL ok. */
void vs__con_sock_input_taken(struct vs__con_sock *s);
/* 1 when a peer is connected (0 for NULL). */
int vs__con_sock_has_peer(const struct vs__con_sock *s);
/* Bytes the backend lost: output a departed peer never took, input for a
 * port that was gone.  0 for NULL. */
uint64_t vs__con_sock_dropped(const struct vs__con_sock *s);
/* Close the listener and the peer (a pipe's socket file goes); the memory
 * goes with the last close callback.  NULL ok. */
void vs__con_sock_close(struct vs__con_sock *s);

#endif /* VS_DEVICES_CONSOLE_INTERNAL_H */
