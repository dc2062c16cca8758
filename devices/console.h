/*
 * console.h - the harness's handle on a console device (spec 5.3): the
 * host side of its ports.
 *
 * Each port has a backend: by default an in-memory buffer, where what the
 * driver transmits is captured (vs_console_output_*) and input is
 * injected (vs_console_input) to be delivered into the driver's receive
 * buffers; optionally a listening socket, TCP on 127.0.0.1
 * (vs_console_listen) or a Unix domain socket (vs_console_listen_pipe),
 * whose peer then sees the output and feeds the input.  Ports come and go on the
 * device side (hot add / remove); with VIRTIO_CONSOLE_F_MULTIPORT
 * negotiated the device tells the driver with control messages.
 *
 * Every call here only changes device state and schedules the device's
 * work on the loop; nothing reaches the driver until the loop runs.
 * Errors, for all: -ENODEV when vdev is not a console, -EINVAL for a port
 * number >= max_nr_ports.
 */
#ifndef VS_DEVICES_CONSOLE_H
#define VS_DEVICES_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct vs_vdev;

/* Largest max_nr_ports a console device takes (QEMU's limit too). */
#define VS_CONSOLE_MAX_PORTS 32u
/* Longest port name, in bytes, without a terminator. */
#define VS_CONSOLE_NAME_MAX 63u
/* Bytes of output captured per port and of input held per port; what
 * does not fit is dropped and counted. */
#define VS_CONSOLE_BUF_MAX (1u << 20)

/*
 * Plug port `port` with a name ("" or NULL: none) and, when console is
 * set, nominate it a console port.  Announced to the driver (DEVICE_ADD)
 * at once when it said DEVICE_READY, else when it does.  -EEXIST when the
 * port exists; -EOPNOTSUPP for a port other than 0 without
 * VIRTIO_CONSOLE_F_MULTIPORT offered; -ENAMETOOLONG.  Port 0 exists from
 * the start, as a console port.
 */
int vs_console_port_add(struct vs_vdev *vdev, uint32_t port, const char *name, int console);
/* Unplug it (DEVICE_REMOVE when the driver was told of it); its pending
 * input is dropped.  -ENOENT when it does not exist; -EOPNOTSUPP without
 * MULTIPORT offered (port 0 of a single-port console cannot go). */
int vs_console_port_remove(struct vs_vdev *vdev, uint32_t port);

/* Host-side input for the port: delivered into receive buffers when the
 * driver has posted them (and, with MULTIPORT, opened the port).
 * -ENOENT for a port that does not exist, -ENOSPC when more than
 * VS_CONSOLE_BUF_MAX bytes would be pending (nothing is taken then). */
int vs_console_input(struct vs_vdev *vdev, uint32_t port, const void *buf, size_t len);

/*
 * The port's size changes: with MULTIPORT negotiated a RESIZE control
 * message for the port; otherwise, for port 0 with VIRTIO_CONSOLE_F_SIZE
 * offered, cols and rows in the configuration space and a configuration
 * change notification.  -EOPNOTSUPP when neither applies, -ENOENT for a
 * port that does not exist.
 */
int vs_console_resize(struct vs_vdev *vdev, uint32_t port, uint16_t cols, uint16_t rows);

/* The host side opens (1) or closes (0) the port: PORT_OPEN to the driver
 * once it is ready for the port.  Ports start open.  -ENOENT. */
int vs_console_host_open(struct vs_vdev *vdev, uint32_t port, int open);

/* Captured output of the port (what the driver transmitted, and for port
 * 0 also emergency writes).  take removes up to len bytes from the front
 * into buf and returns how many (0 when none); -ENODEV / -EINVAL. */
int64_t vs_console_output_len(struct vs_vdev *vdev, uint32_t port);
int64_t vs_console_output_take(struct vs_vdev *vdev, uint32_t port, void *buf, size_t len);

/* What the device knows about a port. */
struct vs_console_port_state {
	int exists;           /* plugged on the device side */
	int announced;        /* DEVICE_ADD sent to the current driver */
	int guest_ready;      /* the driver answered PORT_READY with 1 */
	int guest_open;       /* the driver's last PORT_OPEN value */
	int host_open;        /* the host side is open */
	int console;          /* nominated as a console port */
	int listening;        /* backed by a socket (vs_console_listen*) */
	int peer;             /* ... and a peer is connected to it */
	uint64_t input_pending; /* injected bytes not delivered yet */
	uint64_t output_len;  /* captured bytes not taken yet */
	uint64_t dropped;     /* bytes dropped: buffers full, port gone,
			       * output a socket peer never took */
};
int vs_console_port_state(struct vs_vdev *vdev, uint32_t port, struct vs_console_port_state *st);

/* Bytes taken from emerg_wr since creation. */
int64_t vs_console_emerg_count(struct vs_vdev *vdev);

/*
 * Back the port with a TCP listener on 127.0.0.1:tcp_port (0: the system
 * picks; the port chosen is stored in *bound when bound is not NULL).
 * One peer at a time (a second is hung up on): its bytes become the
 * port's input, the port's output goes to it (and is not captured).
 * While no peer is connected, output is captured as usual.  Output the
 * peer's socket does not take at once waits for it, VS_CONSOLE_BUF_MAX
 * bytes at most (the rest is dropped), and is dropped too if the peer goes
 * first (both counted in dropped); a peer sending faster than the driver
 * reads is slowed down, not dropped.  Neither waiting for a peer nor a
 * peer that does not read holds the loop's virtual clock.  The listener
 * closes when the device goes.  -EBUSY when the port already listens
 * (either kind), or a libuv error (-EADDRINUSE...).  The address is
 * logged at info.
 */
int vs_console_listen(struct vs_vdev *vdev, uint32_t port, uint16_t tcp_port, uint16_t *bound);

/*
 * The same with a Unix domain socket bound at path (libuv's pipe): -EBUSY
 * when the port already listens (either kind), -EINVAL for an empty path,
 * -ENAMETOOLONG when path does not fit a socket address (107 bytes), or a
 * libuv error: -EADDRINUSE when path exists (it is left alone), -EACCES
 * for a directory that does not exist or cannot be written.  The socket
 * file is removed when the device goes.
 */
int vs_console_listen_pipe(struct vs_vdev *vdev, uint32_t port, const char *path);

#endif /* VS_DEVICES_CONSOLE_H */
