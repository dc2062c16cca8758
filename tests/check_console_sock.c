/*
 * check_console_sock.c - a console port's socket backends
 * (devices/console_sock.c): TCP on 127.0.0.1 and a Unix domain socket.
 *
 * The real console device behind virtio-mmio, the real driver through the
 * guest API (driver/guest.h), the monitor watching; a libuv client on the
 * machine's own loop plays the peer.  What the peer sends, the driver
 * reads from the port; what the driver writes, the peer receives.  Every
 * peer case runs for both kinds (a loop test over enum kind): the stream
 * logic is one code for both.  The loop's clock is virtual: a listener
 * without a peer, or a peer that does not read, must never hold it (a
 * test that would otherwise hang until Check's timeout).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/console.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/monitor.h"
#include "transport/mmio.h"

#define BASE 0x40000000ull
#define SEC 1000000000ull

enum kind { KIND_TCP, KIND_PIPE };

static struct vs_arena *arena;
static struct vs_bus *bus;
static struct vs_irq *irq;
static struct vs_loop *loop;
static struct vs_monitor *mon;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static struct vs_mmio *mmio;
static int handle, guest_up;
static char path[64];     /* this test's socket path */
static uint16_t tcp_port; /* the port a TCP listener got */

/* ---- the machine ---- */

static void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(8u << 20, &arena), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_monitor_create(arena, bus, irq, &mon), 0);
	vs_faults_init(&faults, 3);
	vdev = NULL;
	mmio = NULL;
	handle = -1;
	guest_up = 0;
	tcp_port = 0;
	/* Check forks each test: the pid keeps parallel runs apart */
	snprintf(path, sizeof(path), "/tmp/vs-check-con-%ld.sock", (long)getpid());
	unlink(path);
}

static void settle(void)
{
	vs_loop_drain(loop);
	vs_monitor_sync(mon);
}

static void teardown(void)
{
	if (guest_up)
		vs_guest_fini();
	settle();
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_mmio_destroy(mmio);
	vs_vdev_destroy(vdev);
	vs_monitor_destroy(mon);
	vs_loop_destroy(loop);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_arena_destroy(arena);
	unlink(path);
}

static void create_console(uint32_t ports)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_device_params p = {.console_ports = ports};

	ck_assert_int_eq(vs_device_create("console", &p, &env, &vdev), 0);
}

/* The console on virtio-mmio, probed by the real driver. */
static void probe(void)
{
	struct vs_guest_env genv = {arena, bus, irq, loop, &faults};
	unsigned line;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
	ck_assert_int_eq(vs_monitor_watch_mmio(mon, "con", BASE, line, 2), 0);
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	guest_up = 1;
	ck_assert_int_eq(vs_guest_mmio_add(BASE, VS_MMIO_BANK_SIZE, line, &handle), 0);
	settle();
}

static void listen_on(enum kind k, uint32_t port)
{
	if (k == KIND_PIPE) {
		ck_assert_int_eq(vs_console_listen_pipe(vdev, port, path), 0);
	} else {
		ck_assert_int_eq(vs_console_listen(vdev, port, 0, &tcp_port), 0);
		ck_assert_uint_ne(tcp_port, 0);
	}
}

static struct vs_console_port_state port_state(uint32_t port)
{
	struct vs_console_port_state st;

	ck_assert_int_eq(vs_console_port_state(vdev, port, &st), 0);
	return st;
}

static void expect_output(uint32_t port, const char *want)
{
	char got[256];
	int64_t n = vs_console_output_take(vdev, port, got, sizeof(got) - 1);

	ck_assert_int_ge(n, 0);
	got[n] = 0;
	ck_assert_str_eq(got, want);
}

static void guest_write(const char *text)
{
	size_t n = strlen(text);

	ck_assert_int_eq(vs_guest_console_write(handle, 0, text, n), (long)n);
}

/* Read exactly strlen(want) bytes on port 0 and compare. */
static void guest_read(const char *want)
{
	char got[256];
	size_t n = 0, len = strlen(want);

	while (n < len) {
		long r = vs_guest_console_read(handle, 0, got + n, len - n, 1);

		ck_assert_int_gt(r, 0);
		n += (size_t)r;
	}
	got[n] = 0;
	ck_assert_str_eq(got, want);
}

static void expect_no_violation(void)
{
	vs_guest_fini();
	guest_up = 0;
	settle();
	vs_monitor_finish(mon);
	for (size_t i = 0; i < vs_monitor_violation_count(mon); i++)
		ck_abort_msg("violation %s: %s", vs_monitor_violation(mon, i)->rule->id,
			     vs_monitor_violation(mon, i)->message);
}

/* ---- the peer: a libuv client on the machine's loop ---- */

struct client {
	union {
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} h;
	uv_connect_t creq;
	int connected;  /* 1 connected, -1 failed */
	int reading;    /* read when connected */
	int eof;        /* the server hung up */
	int closed;     /* close callback ran */
	char got[256];  /* the first bytes received */
	uint64_t total; /* all bytes received */
	uint64_t intact; /* bytes received before the first != pattern(i) */
};

struct client_write {
	uv_write_t req;
	char data[];
};

/* Client callbacks tell the loop they did something, as every I/O
 * backend must (core/loop.h): by deferring work, here a no-op. */
static struct vs_work progress;

static void noop(void *o)
{
	(void)o;
}

static void client_progress(void)
{
	if (!progress.fn)
		vs_work_init(&progress, noop, NULL);
	vs_loop_defer(loop, &progress);
}

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)(i * 7 % 251);
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	static char buf[65536];

	(void)h;
	(void)hint;
	*b = uv_buf_init(buf, sizeof(buf));
}

static void client_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	struct client *c = st->data;

	if (n < 0) {
		c->eof = 1;
		uv_read_stop(st);
	}
	for (ssize_t i = 0; i < n; i++, c->total++) {
		if (c->total < sizeof(c->got) - 1)
			c->got[c->total] = b->base[i];
		if (c->intact == c->total && (uint8_t)b->base[i] == pattern(c->total))
			c->intact++;
	}
	client_progress();
}

static void client_connected(uv_connect_t *r, int status)
{
	struct client *c = r->data;

	c->connected = status == 0 ? 1 : -1;
	if (status == 0 && c->reading)
		uv_read_start(&c->h.stream, client_alloc, client_read);
	client_progress();
}

static int cond_connected(void *o)
{
	return ((struct client *)o)->connected != 0;
}

/* Connect c to the listener of kind k; read what comes when reading. */
static void client_connect(struct client *c, enum kind k, int reading)
{
	memset(c, 0, sizeof(*c));
	c->reading = reading;
	c->creq.data = c;
	if (k == KIND_PIPE) {
		ck_assert_int_eq(uv_pipe_init(vs_loop_uv(loop), &c->h.pipe, 0), 0);
		c->h.stream.data = c;
		uv_pipe_connect(&c->creq, &c->h.pipe, path, client_connected);
	} else {
		struct sockaddr_in addr;

		ck_assert_int_eq(uv_tcp_init(vs_loop_uv(loop), &c->h.tcp), 0);
		c->h.stream.data = c;
		uv_ip4_addr("127.0.0.1", tcp_port, &addr);
		ck_assert_int_eq(uv_tcp_connect(&c->creq, &c->h.tcp, (const struct sockaddr *)&addr,
						client_connected),
				 0);
	}
	/* the peer is another process to the machine: it keeps no loop alive */
	uv_unref((uv_handle_t *)&c->h);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_connected, c, SEC), 0);
	ck_assert_int_eq(c->connected, 1);
}

static void client_written(uv_write_t *req, int status)
{
	ck_assert_int_eq(status, 0);
	free(req); /* the request is the first member of struct client_write */
	client_progress();
}

static void client_send(struct client *c, const void *data, size_t len)
{
	struct client_write *w = malloc(sizeof(*w) + len);
	uv_buf_t b;

	ck_assert_ptr_nonnull(w);
	memcpy(w->data, data, len);
	b = uv_buf_init(w->data, (unsigned)len);
	ck_assert_int_eq(uv_write(&w->req, &c->h.stream, &b, 1, client_written), 0);
}

static void client_closed(uv_handle_t *h)
{
	((struct client *)h->data)->closed = 1;
	client_progress();
}

static int cond_closed(void *o)
{
	return ((struct client *)o)->closed;
}

static void client_close(struct client *c)
{
	uv_close((uv_handle_t *)&c->h, client_closed);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_closed, c, SEC), 0);
}

static int cond_peer(void *o)
{
	return port_state(0).peer == *(int *)o;
}

/* Wait until the device has (1) or has not (0) a peer on port 0. */
static void wait_peer(int want)
{
	ck_assert_int_eq(vs_loop_run_until(loop, cond_peer, &want, SEC), 0);
}

struct want_bytes {
	struct client *c;
	uint64_t n;
};

static int cond_received(void *o)
{
	struct want_bytes *w = o;

	return w->c->total >= w->n;
}

/* Wait until c has received want (in all, since it connected). */
static void client_expect(struct client *c, const char *want)
{
	struct want_bytes w = {c, strlen(want)};

	ck_assert_int_eq(vs_loop_run_until(loop, cond_received, &w, SEC), 0);
	ck_assert_uint_eq(c->total, w.n);
	c->got[c->total] = 0;
	ck_assert_str_eq(c->got, want);
}

/* ---- peers, for each kind ---- */

START_TEST(peer_round_trip)
{
	struct client c;
	struct vs_console_port_state st;

	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	st = port_state(0);
	ck_assert_int_eq(st.listening, 1);
	ck_assert_int_eq(st.peer, 0);
	/* before a peer: output is captured as usual */
	guest_write("pre");
	expect_output(0, "pre");

	client_connect(&c, (enum kind)_i, 1);
	wait_peer(1);
	/* the peer's bytes are the port's input, read by the driver */
	client_send(&c, "typed", 5);
	guest_read("typed");
	/* the driver's output goes to the peer, not the capture */
	guest_write("out");
	client_expect(&c, "out");
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 0);
	ck_assert_uint_eq(port_state(0).dropped, 0);
	client_close(&c);
	expect_no_violation();
}
END_TEST

START_TEST(peer_disconnect_and_reconnect)
{
	struct client a, b;

	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	client_connect(&a, (enum kind)_i, 1);
	wait_peer(1);
	guest_write("to a");
	client_expect(&a, "to a");
	client_close(&a);
	wait_peer(0);
	/* no peer again: captured */
	guest_write("mid");
	expect_output(0, "mid");

	client_connect(&b, (enum kind)_i, 1);
	wait_peer(1);
	client_send(&b, "again", 5);
	guest_read("again");
	guest_write("back");
	client_expect(&b, "back");
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 0);
	client_close(&b);
	expect_no_violation();
}
END_TEST

static int cond_eof(void *o)
{
	return ((struct client *)o)->eof;
}

START_TEST(second_peer_refused)
{
	struct client a, b;

	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	client_connect(&a, (enum kind)_i, 1);
	wait_peer(1);
	/* one peer at a time: the second is hung up on */
	client_connect(&b, (enum kind)_i, 1);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_eof, &b, SEC), 0);
	ck_assert_int_eq(port_state(0).peer, 1);
	guest_write("first");
	client_expect(&a, "first");
	ck_assert_uint_eq(b.total, 0);
	client_send(&a, "still", 5);
	guest_read("still");
	client_close(&b);
	client_close(&a);
	expect_no_violation();
}
END_TEST

static int never(void *o)
{
	(void)o;
	return 0;
}

START_TEST(listener_holds_no_clock)
{
	char buf[8];
	uint64_t t0;

	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	/* nobody connects: virtual time still runs out, at once */
	t0 = vs_loop_now(loop);
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, 5 * SEC), -ETIMEDOUT);
	ck_assert_uint_eq(vs_loop_now(loop), t0 + 5 * SEC);
	ck_assert_int_eq(vs_guest_console_read(handle, 0, buf, sizeof(buf), 1), -ETIMEDOUT);
	expect_no_violation();
}
END_TEST

struct want_all {
	struct client *c;
	uint64_t n;
};

static int cond_all_accounted(void *o)
{
	struct want_all *w = o;

	return w->c->total + port_state(0).dropped >= w->n;
}

START_TEST(stuck_peer_holds_no_clock)
{
	enum { CHUNK = 65536, CHUNKS = 128 }; /* 8 MiB: more than sockets and pending hold */
	static char buf[CHUNK];
	struct client c;
	struct want_all w = {&c, (uint64_t)CHUNK * CHUNKS};
	uint64_t dropped;

	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	client_connect(&c, (enum kind)_i, 0); /* connected, not reading */
	wait_peer(1);
	for (unsigned i = 0; i < CHUNKS; i++) {
		for (unsigned j = 0; j < CHUNK; j++)
			buf[j] = (char)pattern((uint64_t)i * CHUNK + j);
		ck_assert_int_eq(vs_guest_console_write(handle, 0, buf, CHUNK), CHUNK);
	}
	/* the socket is full and nobody reads: time still moves */
	ck_assert_int_eq(vs_loop_run_until(loop, never, NULL, SEC), -ETIMEDOUT);
	dropped = port_state(0).dropped;
	ck_assert_uint_gt(dropped, 0);
	ck_assert_int_eq(vs_console_output_len(vdev, 0), 0);
	/* the peer reads at last: what was kept reaches it, in order */
	uv_read_start(&c.h.stream, client_alloc, client_read);
	ck_assert_int_eq(vs_loop_run_until(loop, cond_all_accounted, &w, 10 * SEC), 0);
	ck_assert_uint_eq(c.total + port_state(0).dropped, w.n);
	ck_assert_uint_eq(port_state(0).dropped, dropped);
	/* what the socket took and the pending bytes come first, in order;
	 * later a gap (dropped) may be followed by bytes kept after a flush */
	ck_assert_uint_ge(c.intact, VS_CONSOLE_BUF_MAX);
	client_close(&c);
	expect_no_violation();
}
END_TEST

START_TEST(peer_faster_than_driver)
{
	/* more than the port's input buffer holds: the peer is slowed down */
	const size_t total = VS_CONSOLE_BUF_MAX + VS_CONSOLE_BUF_MAX / 2;
	char *data = malloc(total), *got = malloc(total);
	struct client c;
	size_t n = 0;

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(got);
	for (size_t i = 0; i < total; i++)
		data[i] = (char)pattern(i);
	create_console(1);
	probe();
	listen_on((enum kind)_i, 0);
	client_connect(&c, (enum kind)_i, 1);
	wait_peer(1);
	client_send(&c, data, total);
	while (n < total) {
		long r = vs_guest_console_read(handle, 0, got + n, total - n, 1);

		ck_assert_int_gt(r, 0);
		n += (size_t)r;
	}
	ck_assert_int_eq(memcmp(got, data, total), 0);
	ck_assert_uint_eq(port_state(0).dropped, 0);
	free(data);
	free(got);
	client_close(&c);
	expect_no_violation();
}
END_TEST

/* ---- errors and the socket file ---- */

START_TEST(listen_twice_busy)
{
	create_console(2);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, path), 0);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, path), -EBUSY);
	ck_assert_int_eq(vs_console_listen(vdev, 0, 0, NULL), -EBUSY);
	ck_assert_int_eq(vs_console_listen(vdev, 1, 0, NULL), 0);
	ck_assert_int_eq(vs_console_listen(vdev, 1, 0, NULL), -EBUSY);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 1, "/tmp/never-bound.sock"), -EBUSY);
	ck_assert_int_eq(port_state(0).listening, 1);
	ck_assert_int_eq(port_state(1).listening, 1);
}
END_TEST

START_TEST(listen_pipe_bad_paths)
{
	char longp[200];
	struct stat sb;
	FILE *f;

	create_console(1);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, ""), -EINVAL);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, NULL), -EINVAL);
	memset(longp, 'a', sizeof(longp));
	memcpy(longp, "/tmp/", 5);
	longp[108] = 0; /* one byte more than a socket address holds */
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, longp), -ENAMETOOLONG);
	/* libuv reports a missing directory as EACCES (as Windows would) */
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, "/nonexistent-vs-dir/c.sock"), -EACCES);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 1, path), -EINVAL); /* no port 1 */
	/* a file that is there is refused and left alone, now and later */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, path), -EADDRINUSE);
	ck_assert_int_eq(port_state(0).listening, 0);
	vs_vdev_destroy(vdev);
	vdev = NULL;
	settle();
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
}
END_TEST

START_TEST(pipe_file_goes_with_device)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_device_params p = {0};
	struct vs_vdev *rng;
	struct stat sb;

	create_console(1);
	/* failed attempts leave the port free */
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, "/nonexistent-vs-dir/c.sock"), -EACCES);
	ck_assert_int_eq(vs_console_listen_pipe(vdev, 0, path), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	vs_vdev_destroy(vdev);
	vdev = NULL;
	ck_assert_int_eq(stat(path, &sb), -1);
	ck_assert_int_eq(errno, ENOENT);
	settle();
	/* not a console */
	ck_assert_int_eq(vs_device_create("rng", &p, &env, &rng), 0);
	ck_assert_int_eq(vs_console_listen_pipe(rng, 0, path), -ENODEV);
	ck_assert_int_eq(vs_console_listen(rng, 0, 0, NULL), -ENODEV);
	vs_vdev_destroy(rng);
}
END_TEST

static Suite *console_sock_suite(void)
{
	Suite *s = suite_create("console_sock");
	TCase *tc;

	tc = tcase_create("Peer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, peer_round_trip, KIND_TCP, KIND_PIPE + 1);
	tcase_add_loop_test(tc, peer_disconnect_and_reconnect, KIND_TCP, KIND_PIPE + 1);
	tcase_add_loop_test(tc, second_peer_refused, KIND_TCP, KIND_PIPE + 1);
	tcase_add_loop_test(tc, peer_faster_than_driver, KIND_TCP, KIND_PIPE + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, listener_holds_no_clock, KIND_TCP, KIND_PIPE + 1);
	tcase_add_loop_test(tc, stuck_peer_holds_no_clock, KIND_TCP, KIND_PIPE + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("Errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, listen_twice_busy);
	tcase_add_test(tc, listen_pipe_bad_paths);
	tcase_add_test(tc, pipe_file_goes_with_device);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(console_sock_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
