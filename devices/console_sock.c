/*
 * console_sock.c - a console port's socket backends: a libuv stream
 * listener, TCP on 127.0.0.1 or a Unix domain socket (libuv's "pipe"),
 * that takes one peer at a time.  The peer's bytes are the port's input
 * (vs_console_input, which schedules the device's work on the loop: the
 * loop's way of learning that I/O made progress); the port's output is
 * sent to the peer.
 *
 * Both kinds are uv_stream_t underneath: only creating a handle, binding
 * and reading back the address differ (the open functions at the end);
 * accepting, reading, sending and closing are one code for both.
 *
 * The loop's clock is virtual (core/loop.h) and nothing here may hold it:
 *  - a referenced libuv handle keeps the libuv loop alive, and the machine's
 *    loop then waits for real I/O instead of letting a wait time out: a
 *    listener nobody connects to would stop every timeout.  So the
 *    listener and the peer are unreferenced, and polled on a tick timer of
 *    the virtual clock, every TICK_NS: the tick references the listener
 *    for one round (the loop then polls every descriptor once, without
 *    waiting) and a check handle, which libuv runs right after that poll,
 *    drops the reference again.  Ticks fire only when nothing else is
 *    runnable and do nothing visible, so a run without a peer is the same
 *    run, with a few more rounds.  Whatever else polls the loop (a
 *    request in flight) serves the sockets too.
 *  - output is sent with a non-blocking send(2) on the peer's descriptor,
 *    not uv_write: a write request in flight holds the clock until it
 *    completes, and a peer that stops reading would stop the machine.
 *    What the socket does not take waits in `pending` (bounded like every
 *    port buffer) and is retried on the next output and on every tick.
 *  - a peer that sends faster than the driver reads is throttled
 *    (uv_read_stop) while the port's input has no room for a whole read,
 *    and resumed once the device delivered input to the driver
 *    (vs__con_sock_input_taken): its bytes are not dropped.
 *
 * send(2) with MSG_NOSIGNAL also keeps a peer that hung up from raising
 * SIGPIPE, which uv_write would not.
 *
 * Lifetime: the listener, its check and each peer are libuv handles; the
 * struct goes when the last close callback ran, which may be after the
 * device is gone, so callbacks after close touch only the struct.  A
 * pipe's socket file is removed by libuv when the listener is closed (and
 * never when the bind failed: a file that was there is not ours).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <uv.h>

#include "core/log.h"
#include "core/loop.h"
#include "devices/console.h"
#include "devices/console_internal.h"
#include "devices/vdev.h"

#define LOG_SUBSYS "console"

/* Virtual time between two ticks.  A tick costs two rounds of the loop
 * (the tick, the poll), so a "run" step of an hour is 360000 rounds, well
 * under VS_LOOP_MAX_ROUNDS. */
#define TICK_NS 20000000ull
/* Bytes taken from the peer per read. */
#define READ_CHUNK 4096u

enum sock_kind { SOCK_TCP, SOCK_PIPE };

/* A stream handle of either kind. */
union sock_stream {
	uv_stream_t stream;
	uv_tcp_t tcp;
	uv_pipe_t pipe;
};

/* A connected (or refused) peer: its handle's data points here. */
struct sock_peer {
	union sock_stream h;
	struct vs__con_sock *s;
};

struct vs__con_sock {
	struct vs_vdev *vdev;       /* NULL once closing */
	struct vs_loop *loop;
	uint32_t port;
	enum sock_kind kind;
	union sock_stream server;   /* the listener; data = this struct */
	uv_check_t check;           /* ends the poll a tick opened */
	struct sock_peer *peer;     /* the peer served, NULL when none */
	struct vs__con_buf pending; /* output the peer's socket did not take yet */
	struct vs_timer tick;
	int polling;                /* the listener is referenced until the check */
	int throttled;              /* reading from the peer stopped: input full */
	int handles;                /* handles not closed yet; the struct goes at 0 */
	int closing;
	uint64_t dropped;           /* bytes lost: peer gone, input refused */
	char label[64];             /* "<device> port <n>" for log lines */
};

static void sock_unref(struct vs__con_sock *s)
{
	if (--s->handles == 0 && s->closing) {
		vs__con_buf_free(&s->pending);
		free(s);
	}
}

/* The listener's or the check's. */
static void server_closed(uv_handle_t *h)
{
	sock_unref(h->data);
}

static void peer_closed(uv_handle_t *h)
{
	struct sock_peer *p = h->data;
	struct vs__con_sock *s = p->s;

	free(p);
	sock_unref(s);
}

/* A new stream handle of the listener's kind. */
static int stream_init(struct vs__con_sock *s, union sock_stream *h)
{
	uv_loop_t *uv = vs_loop_uv(s->loop);

	return s->kind == SOCK_TCP ? uv_tcp_init(uv, &h->tcp) : uv_pipe_init(uv, &h->pipe, 0);
}

/* Stop serving the peer; output it did not take yet is lost. */
static void peer_drop(struct vs__con_sock *s)
{
	struct sock_peer *p = s->peer;

	if (!p)
		return;
	s->peer = NULL;
	s->throttled = 0;
	if (s->pending.len) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: %zu bytes of output the peer did not take "
		       "dropped", s->label, s->pending.len);
		s->dropped += s->pending.len;
		vs__con_buf_consume(&s->pending, s->pending.len);
	}
	uv_close((uv_handle_t *)&p->h, peer_closed);
}

/* Room left in the port's input, or 0 when the port cannot say. */
static size_t input_room(struct vs__con_sock *s)
{
	struct vs_console_port_state st;

	if (!s->vdev || vs_console_port_state(s->vdev, s->port, &st) != 0 ||
	    st.input_pending >= VS_CONSOLE_BUF_MAX)
		return 0;
	return VS_CONSOLE_BUF_MAX - (size_t)st.input_pending;
}

static void sock_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char chunk[READ_CHUNK];

	(void)h;
	(void)hint;
	/* One thread, and the bytes are copied out in sock_read at once. */
	*buf = uv_buf_init(chunk, sizeof(chunk));
}

static void sock_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct sock_peer *p = stream->data;
	struct vs__con_sock *s = p->s;
	int err;

	if (p != s->peer || n == 0)
		return; /* a peer on its way out, or nothing this time */
	if (n < 0) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: peer gone (%s)", s->label,
		       uv_strerror((int)n));
		peer_drop(s);
		vs__con_io_progress(s->vdev);
		return;
	}
	err = vs_console_input(s->vdev, s->port, buf->base, (size_t)n);
	if (err) {
		/* the port was removed under the peer */
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: %zd bytes from the peer dropped (%s)",
		       s->label, n, strerror(-err));
		s->dropped += (uint64_t)n;
		return;
	}
	if (input_room(s) < READ_CHUNK) {
		uv_read_stop(stream);
		s->throttled = 1;
	}
}

/* One send(2) without blocking and without SIGPIPE: bytes taken (0 when
 * the socket is full), or a negative errno when the peer is broken. */
static ssize_t peer_send(struct sock_peer *p, const void *data, size_t len)
{
	uv_os_fd_t fd;
	ssize_t n;

	if (uv_fileno((uv_handle_t *)&p->h, &fd) != 0)
		return -EBADF;
	do
		n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

/* Send what is pending; 0, or -ENOTCONN when the peer broke (dropped). */
static int pending_flush(struct vs__con_sock *s)
{
	ssize_t n;

	if (!s->peer || !s->pending.len)
		return 0;
	n = peer_send(s->peer, s->pending.data, s->pending.len);
	if (n < 0) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: sending to the peer failed (%s)", s->label,
		       strerror((int)-n));
		peer_drop(s);
		return -ENOTCONN;
	}
	vs__con_buf_consume(&s->pending, (size_t)n);
	return 0;
}

/* Right after the poll the tick asked for: unreferenced again. */
static void sock_check(uv_check_t *check)
{
	struct vs__con_sock *s = check->data;

	uv_unref((uv_handle_t *)&s->server);
	uv_check_stop(check);
	s->polling = 0;
}

static void sock_tick(void *opaque)
{
	struct vs__con_sock *s = opaque;

	if (s->closing)
		return;
	if (pending_flush(s) == -ENOTCONN)
		vs__con_io_progress(s->vdev);
	/* one poll of the libuv loop in the next round: referenced, the
	 * listener makes the loop alive, which polls every descriptor */
	if (!s->polling && uv_check_start(&s->check, sock_check) == 0) {
		uv_ref((uv_handle_t *)&s->server);
		s->polling = 1;
	}
	if (vs_loop_timer_start(s->loop, &s->tick, TICK_NS) != 0)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: no timer left for the tick", s->label);
}

static void sock_connection(uv_stream_t *server, int status)
{
	struct vs__con_sock *s = server->data;
	struct sock_peer *p;

	if (status < 0) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: accepting failed (%s)", s->label,
		       uv_strerror(status));
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p || stream_init(s, &p->h) != 0) {
		free(p);
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: no memory for a peer", s->label);
		return;
	}
	p->s = s;
	p->h.stream.data = p;
	uv_unref((uv_handle_t *)&p->h); /* polled on ticks, as the listener */
	s->handles++;
	if (uv_accept(server, &p->h.stream) != 0) {
		uv_close((uv_handle_t *)&p->h, peer_closed);
		return;
	}
	if (s->peer) {
		/* one peer at a time: the newcomer is hung up on */
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: second peer refused", s->label);
		uv_close((uv_handle_t *)&p->h, peer_closed);
		return;
	}
	s->peer = p;
	if (uv_read_start(&p->h.stream, sock_alloc, sock_read) != 0) {
		peer_drop(s);
		return;
	}
	if (input_room(s) < READ_CHUNK) {
		uv_read_stop(&p->h.stream);
		s->throttled = 1;
	}
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: peer connected", s->label);
	vs__con_io_progress(s->vdev);
}

int vs__con_sock_write(struct vs__con_sock *s, const void *data, size_t len)
{
	ssize_t n = 0;

	if (!s || !s->peer)
		return -ENOTCONN;
	if (!s->pending.len) {
		n = peer_send(s->peer, data, len);
		if (n < 0) {
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: sending to the peer failed (%s)",
			       s->label, strerror((int)-n));
			peer_drop(s);
			return -ENOTCONN; /* the caller captures the bytes instead */
		}
	}
	/* Keep the order: what follows pending bytes queues behind them. */
	if ((size_t)n < len) {
		vs__con_buf_append(&s->pending, (const uint8_t *)data + n, len - (size_t)n);
		pending_flush(s);
	}
	return 0;
}

void vs__con_sock_input_taken(struct vs__con_sock *s)
{
	if (!s || !s->peer || !s->throttled || input_room(s) < READ_CHUNK)
		return;
	if (uv_read_start(&s->peer->h.stream, sock_alloc, sock_read) == 0)
		s->throttled = 0;
}

int vs__con_sock_has_peer(const struct vs__con_sock *s)
{
	return s && s->peer;
}

uint64_t vs__con_sock_dropped(const struct vs__con_sock *s)
{
	return s ? s->dropped + s->pending.dropped : 0;
}

void vs__con_sock_close(struct vs__con_sock *s)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->vdev = NULL;
	vs_loop_timer_stop(s->loop, &s->tick);
	peer_drop(s);
	uv_close((uv_handle_t *)&s->check, server_closed);
	/* a pipe's socket file is unlinked by libuv here */
	uv_close((uv_handle_t *)&s->server, server_closed);
}

/* ---- the two kinds: create, bind, listen ---- */

/* A listener handle of the kind, not bound yet. */
static int sock_new(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
		    enum sock_kind kind, struct vs__con_sock **out)
{
	struct vs__con_sock *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->vdev = vdev;
	s->loop = loop;
	s->port = port;
	s->kind = kind;
	snprintf(s->label, sizeof(s->label), "%s port %u", vs_vdev_label(vdev), port);
	vs_timer_init(&s->tick, sock_tick, s);
	err = stream_init(s, &s->server);
	if (err) {
		free(s);
		return err;
	}
	s->server.stream.data = s;
	uv_unref((uv_handle_t *)&s->server);
	uv_check_init(vs_loop_uv(loop), &s->check); /* cannot fail */
	s->check.data = s;
	uv_unref((uv_handle_t *)&s->check);
	s->handles = 2;
	*out = s;
	return 0;
}

/* Listen on the bound handle and start ticking; closes s on failure. */
static int sock_listen(struct vs__con_sock *s)
{
	int err = uv_listen(&s->server.stream, 1, sock_connection);

	if (!err)
		err = vs_loop_timer_start(s->loop, &s->tick, TICK_NS);
	if (err)
		vs__con_sock_close(s);
	return err;
}

int vs__con_sock_open_tcp(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
			  uint16_t tcp_port, uint16_t *bound, struct vs__con_sock **out)
{
	struct vs__con_sock *s;
	struct sockaddr_in addr;
	struct sockaddr_storage got;
	int len = sizeof(got), err;

	if ((err = sock_new(vdev, loop, port, SOCK_TCP, &s)) != 0)
		return err;
	uv_ip4_addr("127.0.0.1", tcp_port, &addr);
	err = uv_tcp_bind(&s->server.tcp, (const struct sockaddr *)&addr, 0);
	if (!err)
		err = uv_tcp_getsockname(&s->server.tcp, (struct sockaddr *)&got, &len);
	if (err) {
		vs__con_sock_close(s);
		return err;
	}
	if ((err = sock_listen(s)) != 0)
		return err;
	if (bound)
		*bound = ntohs(((struct sockaddr_in *)&got)->sin_port);
	*out = s;
	return 0;
}

int vs__con_sock_open_pipe(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
			   const char *path, struct vs__con_sock **out)
{
	struct vs__con_sock *s;
	size_t n = path ? strlen(path) : 0;
	int err;

	if (!n)
		return -EINVAL;
	/* libuv would cut a longer name and bind somewhere else */
	if (n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	if ((err = sock_new(vdev, loop, port, SOCK_PIPE, &s)) != 0)
		return err;
	err = uv_pipe_bind(&s->server.pipe, path);
	if (err) {
		vs__con_sock_close(s);
		return err;
	}
	if ((err = sock_listen(s)) != 0)
		return err;
	*out = s;
	return 0;
}
