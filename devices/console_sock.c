/*
 * console_sock.c - a console port's TCP backend: a libuv listener on
 * 127.0.0.1 that takes one peer at a time.  The peer's bytes are the
 * port's input (vs_console_input, which schedules the device's work on
 * the loop: the loop's way of learning that I/O made progress); the
 * port's output is written to the peer.
 *
 * Lifetime: the listener, the peer and every write request are libuv
 * handles and requests; the struct goes when the last close callback ran,
 * which may be after the device is gone, so callbacks after close touch
 * only the struct.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/log.h"
#include "devices/console.h"
#include "devices/console_internal.h"

#define LOG_SUBSYS "console"

struct vs__con_sock {
	struct vs_vdev *vdev; /* NULL once closing */
	uint32_t port;
	uv_tcp_t server;
	uv_tcp_t peer;
	int peer_up;     /* peer handle initialised and not closing */
	int handles;     /* open handles; the struct goes at 0 */
	int closing;
	char label[48];
};

struct sock_write {
	uv_write_t req;
	char data[]; /* the bytes, owned by the request */
};

static void sock_handle_closed(uv_handle_t *h)
{
	struct vs__con_sock *s = h->data;

	if (--s->handles == 0 && s->closing)
		free(s);
}

static void sock_free_handle(uv_handle_t *h)
{
	free(h);
}

static void sock_peer_close(struct vs__con_sock *s)
{
	if (!s->peer_up)
		return;
	s->peer_up = 0;
	uv_close((uv_handle_t *)&s->peer, sock_handle_closed);
}

static void sock_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char chunk[4096];

	(void)h;
	(void)hint;
	/* One thread, and the bytes are copied out in sock_read at once. */
	*buf = uv_buf_init(chunk, sizeof(chunk));
}

static void sock_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
	struct vs__con_sock *s = stream->data;
	int err;

	if (n < 0) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: peer gone (%s)", s->label, uv_strerror((int)n));
		sock_peer_close(s);
		if (s->vdev)
			vs__con_io_progress(s->vdev);
		return;
	}
	if (n == 0 || !s->vdev)
		return;
	err = vs_console_input(s->vdev, s->port, buf->base, (size_t)n);
	if (err)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: %zd bytes from the peer dropped (%d)", s->label,
		       n, err);
}

static void sock_connection(uv_stream_t *server, int status)
{
	struct vs__con_sock *s = server->data;

	if (status < 0 || s->closing)
		return;
	if (s->peer_up) {
		/* one peer at a time: take the new one off the backlog and drop it */
		uv_tcp_t *extra = malloc(sizeof(*extra));

		if (extra && uv_tcp_init(server->loop, extra) == 0) {
			if (uv_accept(server, (uv_stream_t *)extra) == 0)
				vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: second peer refused", s->label);
			uv_close((uv_handle_t *)extra, sock_free_handle);
		} else {
			free(extra);
		}
		return;
	}
	if (uv_tcp_init(server->loop, &s->peer) != 0)
		return;
	s->peer.data = s;
	s->handles++;
	s->peer_up = 1;
	if (uv_accept(server, (uv_stream_t *)&s->peer) != 0 ||
	    uv_read_start((uv_stream_t *)&s->peer, sock_alloc, sock_read) != 0) {
		sock_peer_close(s);
		return;
	}
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: peer connected", s->label);
	vs__con_io_progress(s->vdev);
}

int vs__con_sock_open(struct vs_vdev *vdev, struct vs_loop *loop, uint32_t port,
		      uint16_t tcp_port, uint16_t *bound, struct vs__con_sock **out)
{
	struct vs__con_sock *s = calloc(1, sizeof(*s));
	struct sockaddr_in addr;
	struct sockaddr_storage got;
	int len = sizeof(got), err;

	if (!s)
		return -ENOMEM;
	s->vdev = vdev;
	s->port = port;
	snprintf(s->label, sizeof(s->label), "port %u tcp", port);
	err = uv_tcp_init(vs_loop_uv(loop), &s->server);
	if (err) {
		free(s);
		return err;
	}
	s->server.data = s;
	s->handles = 1;
	uv_ip4_addr("127.0.0.1", tcp_port, &addr);
	err = uv_tcp_bind(&s->server, (const struct sockaddr *)&addr, 0);
	if (!err)
		err = uv_listen((uv_stream_t *)&s->server, 1, sock_connection);
	if (!err)
		err = uv_tcp_getsockname(&s->server, (struct sockaddr *)&got, &len);
	if (err) {
		vs__con_sock_close(s);
		return err;
	}
	if (bound)
		*bound = ntohs(((struct sockaddr_in *)&got)->sin_port);
	*out = s;
	return 0;
}

static void sock_written(uv_write_t *req, int status)
{
	(void)status;
	free(req); /* the request is the first member of struct sock_write */
}

int vs__con_sock_write(struct vs__con_sock *s, const void *data, size_t len)
{
	struct sock_write *w;
	uv_buf_t buf;

	if (!s || !s->peer_up)
		return -ENOTCONN;
	w = malloc(sizeof(*w) + len);
	if (!w)
		return -ENOMEM;
	memcpy(w->data, data, len);
	buf = uv_buf_init(w->data, (unsigned)len);
	if (uv_write(&w->req, (uv_stream_t *)&s->peer, &buf, 1, sock_written) != 0) {
		free(w);
		return -EIO;
	}
	return 0;
}

void vs__con_sock_close(struct vs__con_sock *s)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->vdev = NULL;
	sock_peer_close(s);
	uv_close((uv_handle_t *)&s->server, sock_handle_closed);
}
