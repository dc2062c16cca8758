/*
 * check_net_hostile.c - the network driver (driver/virtio_net*.c) against
 * a scripted hostile device: a model defined here, over virtio-mmio, that
 * answers transmit buffers and control commands as a test tells it and
 * fills receive buffers with whatever header, length and num_buffers a
 * test writes.  Issue 7: a faulty device must never crash a driver; every
 * length, id and count read from the device is validated.
 *
 * Each case ends with the guest shut down, no guest memory left allocated
 * and every virtqueue buffer the driver made available returned exactly
 * once (vs_guest_token_stats).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"
#include "driver/guest.h"
#include "transport/mmio.h"

#define BASE 0x40000000ull
#define EVIL_QSZ 16u
#define EVIL_HELD_MAX 8u

static struct vs_arena *arena;
static struct vs_bus *bus;
static struct vs_irq *irq;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *vdev;
static struct vs_mmio *mmio;
static int handle;

/* How the scripted device answers a control command. */
enum evil_ctrl_mode {
	EVIL_CTRL_OK,      /* VIRTIO_NET_OK in the ack byte, used len 1 */
	EVIL_CTRL_NO_ACK,  /* used with len 0, the ack byte never written */
	EVIL_CTRL_HOLD,    /* never used (until evil_ctrl_release) */
};

static struct {
	uint16_t cfg_mtu, cfg_pairs;  /* config values at creation */
	int mtu_at_features_ok;       /* >= 0: mtu becomes this at FEATURES_OK */
	enum evil_ctrl_mode ctrl_mode;
	unsigned ctrl_seen;           /* commands popped */
	struct vs_vq_elem held[EVIL_HELD_MAX];
	unsigned held_n;
	unsigned tx_seen;             /* transmit chains popped */
} evil;

static int evil_init(struct vs_vdev *v)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xee, 0xee, 0x01};

	memcpy(v->config + VS_NET_CFG_MAC, mac, 6);
	vs_put_le16(v->config + VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	vs_put_le16(v->config + VS_NET_CFG_MAX_PAIRS, evil.cfg_pairs);
	vs_put_le16(v->config + VS_NET_CFG_MTU, evil.cfg_mtu);
	return 0;
}

/* FEATURES_OK: the driver's validate already read the mtu; a hostile
 * device changes it before probe reads it again. */
static int evil_validate_features(struct vs_vdev *v, uint64_t f)
{
	(void)f;
	if (evil.mtu_at_features_ok >= 0)
		vs_put_le16(v->config + VS_NET_CFG_MTU, (uint16_t)evil.mtu_at_features_ok);
	return 0;
}

/* The control queue as the driver numbers it (spec 5.1.2). */
static unsigned evil_ctrlq(struct vs_vdev *v)
{
	unsigned pairs = 1;

	if (vs_vdev_has_feature(v, VIRTIO_NET_F_MQ) && evil.cfg_pairs >= 1 &&
	    evil.cfg_pairs <= VIRTIO_NET_MQ_PAIRS_MAX)
		pairs = evil.cfg_pairs;
	return 2 * pairs;
}

static void evil_ack(struct vs_vq *vq, struct vs_vq_elem *e, uint8_t ack)
{
	ck_assert_uint_ge(e->in_len, 1);
	ck_assert_int_eq(vs_vq_write(vq, e, e->in_len - 1, &ack, 1), 0);
	ck_assert_int_eq(vs_vq_push(vq, e, 1), 0);
}

static void evil_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	struct vs_vq_elem e;

	if (vq->index == evil_ctrlq(v)) {
		while (vs_vq_pop(vq, &e) == 0) {
			evil.ctrl_seen++;
			switch (evil.ctrl_mode) {
			case EVIL_CTRL_OK:
				evil_ack(vq, &e, VIRTIO_NET_OK);
				break;
			case EVIL_CTRL_NO_ACK:
				ck_assert_int_eq(vs_vq_push(vq, &e, 0), 0);
				break;
			case EVIL_CTRL_HOLD:
				ck_assert_uint_lt(evil.held_n, EVIL_HELD_MAX);
				evil.held[evil.held_n++] = e;
				break;
			}
		}
		return;
	}
	/* receive buffers wait for the script */
	if (vq->index % 2 == 0)
		return;
	while (vs_vq_pop(vq, &e) == 0) {
		evil.tx_seen++;
		vs_vq_push(vq, &e, 0);
	}
}

static unsigned evil_num_queues(const struct vs_device_params *p)
{
	return 2 * (p->net_queue_pairs ? p->net_queue_pairs : 1) + 1;
}

static const struct vs_device_model evil_model = {
	.name = "evil-net",
	.device_id = VIRTIO_ID_NET,
	.features = VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM) |
		    VS_BIT(VIRTIO_NET_F_MTU) | VS_BIT(VIRTIO_NET_F_MAC) |
		    VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
		    VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_STATUS) |
		    VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX) |
		    VS_BIT(VIRTIO_NET_F_CTRL_VLAN),
	.num_queues = 3,
	.num_queues_for = evil_num_queues,
	.queue_size_max = EVIL_QSZ,
	.config_size = VS_NET_CFG_SIZE,
	.init = evil_init,
	.handle_queue = evil_handle,
	.validate_features = evil_validate_features,
};

/* ---- fixture ---- */

static void settle(void)
{
	vs_loop_drain(loop);
}

static void setup_sized(uint64_t ram)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(ram, &arena), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 3);
	memset(&evil, 0, sizeof(evil));
	evil.cfg_mtu = 1500;
	evil.cfg_pairs = 1;
	evil.mtu_at_features_ok = -1;
	vdev = NULL;
	mmio = NULL;
	handle = -1;
}

static void setup(void)
{
	setup_sized(8u << 20);
}

/* Guest RAM too small for a 512 KiB allocation once the driver is up. */
static void setup_small(void)
{
	setup_sized(512u << 10);
}

static void teardown(void)
{
	uint64_t added, returned;

	vs_guest_fini();
	settle();
	ck_assert_uint_eq(vs_arena_allocated(arena), 0);
	vs_guest_token_stats(&added, &returned);
	ck_assert_uint_eq(added, returned);
	vs_mmio_destroy(mmio);
	vs_vdev_destroy(vdev);
	vs_loop_destroy(loop);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_arena_destroy(arena);
}

/* Create the scripted device with p, plug it and probe: the probe's result. */
static int evil_probe(const struct vs_device_params *p)
{
	struct vs_vdev_env env = {arena, loop, &faults, 5};
	struct vs_guest_env genv = {arena, bus, irq, loop, &faults};
	unsigned line;
	int rc;

	ck_assert_int_eq(vs__vdev_create(&evil_model, p, &env, &vdev), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, BASE, line, 2, &mmio), 0);
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	rc = vs_guest_mmio_add(BASE, VS_MMIO_BANK_SIZE, line, &handle);
	settle();
	return rc;
}

static void evil_up(uint64_t features_remove)
{
	struct vs_device_params p = {.features_remove = features_remove};

	ck_assert_int_eq(evil_probe(&p), 0);
}

static struct vs_guest_net_info info(void)
{
	struct vs_guest_net_info in;

	ck_assert_int_eq(vs_guest_net_info(handle, &in), 0);
	return in;
}

/* Receive buffers the driver has on receiveq1 that the device did not take. */
static unsigned rx_avail(void)
{
	uint64_t avail = vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER);
	struct vs_vq *vq = vs_vdev_queue(vdev, 0);
	uint16_t idx = vs_le16((const uint8_t *)vs_arena_translate(arena, avail, 4) + 2);

	return (uint16_t)(idx - vq->last_avail_idx);
}

/* ---- what the device writes into receive buffers ---- */

struct evil_hdr {
	uint8_t flags, gso_type;
	uint16_t gso_size, csum_start, csum_offset, num_buffers;
};

static void hdr_bytes(uint8_t *b, const struct evil_hdr *h)
{
	memset(b, 0, VS_NET_HDR_SIZE);
	b[VS_NET_HDR_FLAGS] = h->flags;
	b[VS_NET_HDR_GSO_TYPE] = h->gso_type;
	vs_put_le16(b + VS_NET_HDR_GSO_SIZE, h->gso_size);
	vs_put_le16(b + VS_NET_HDR_CSUM_START, h->csum_start);
	vs_put_le16(b + VS_NET_HDR_CSUM_OFFSET, h->csum_offset);
	vs_put_le16(b + VS_NET_HDR_NUM_BUFFERS, h->num_buffers);
}

/* Take the next receive buffer of receiveq1, write len bytes of data into
 * it (as many as fit) and fill it with used len ulen, not yet published.
 * The writable bytes it had. */
static uint64_t evil_fill(const void *data, uint32_t len, uint32_t ulen)
{
	struct vs_vq *vq = vs_vdev_queue(vdev, 0);
	struct vs_vq_elem e;

	ck_assert_int_eq(vs_vq_pop(vq, &e), 0);
	if (len > e.in_len)
		len = (uint32_t)e.in_len;
	if (len)
		ck_assert_int_eq(vs_vq_write(vq, &e, 0, data, len), 0);
	ck_assert_int_eq(vs_vq_fill(vq, &e, ulen), 0);
	return e.in_len;
}

/* Publish what was filled, interrupt, let the driver run. */
static void evil_flush(void)
{
	ck_assert_int_eq(vs_vq_flush(vs_vdev_queue(vdev, 0)), 0);
	settle();
}

/* One frame in one buffer: header h, then flen bytes of a frame for the
 * driver's address; used len ulen (UINT32_MAX: what was written). */
static void evil_rx_one(const struct evil_hdr *h, uint32_t flen, uint32_t ulen)
{
	static uint8_t b[VS_NET_HDR_SIZE + 2048];

	ck_assert_uint_le(flen, 2048);
	hdr_bytes(b, h);
	memset(b + VS_NET_HDR_SIZE, 0x5a, flen);
	memset(b + VS_NET_HDR_SIZE, 0xff, 6);
	evil_fill(b, VS_NET_HDR_SIZE + flen, ulen == UINT32_MAX ? VS_NET_HDR_SIZE + flen : ulen);
	evil_flush();
}

/* A well-formed 60-byte frame arrives and reaches the stack intact. */
static void expect_good_frame(void)
{
	const struct evil_hdr ok = {.num_buffers = 1};
	uint8_t back[100];
	long n;

	evil_rx_one(&ok, 60, UINT32_MAX);
	n = vs_guest_net_recv(handle, back, sizeof(back), NULL, 0);
	ck_assert_int_eq(n, 60);
	ck_assert_uint_eq(back[0], 0xff);
	ck_assert_uint_eq(back[59], 0x5a);
}

/* ---- Receive: num_buffers ---- */

/* spec dev.net.device-operation.processing-incoming-packets.2: num_buffers
 * counts the buffers the packet is in, so at least 1; 0 is dropped and the
 * buffer goes back. */
START_TEST(mrg_num_buffers_zero)
{
	const struct evil_hdr h = {.num_buffers = 0};

	evil_up(0);
	ck_assert_str_eq(info().rx_mode, "mergeable");
	ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	evil_rx_one(&h, 60, UINT32_MAX);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	expect_good_frame();
	ck_assert_uint_eq(info().rx_errors, 1);
}
END_TEST

/* num_buffers beyond what the device used: the frame is dropped, no hang,
 * every buffer back on the ring; the next frame is fine. */
START_TEST(mrg_num_buffers_beyond_used)
{
	static const uint16_t counts[] = {2, EVIL_QSZ, EVIL_QSZ + 1, 0xffff};
	struct evil_hdr h = {0};

	evil_up(0);
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		h.num_buffers = counts[i];
		evil_rx_one(&h, 60, UINT32_MAX);
		ck_assert_uint_eq(info().rx_errors, i + 1);
		ck_assert_uint_eq(info().rx_dropped, 0);
		ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
		ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	}
	expect_good_frame();
}
END_TEST

/*
 * num_buffers 65535 in a guest with little RAM: a count no ring of 16 can
 * back is the device's error (rx_errors), found before the driver sizes
 * anything by it -- not an allocation of 768 KiB that fails and is counted
 * as the guest's own shortage (rx_dropped).
 */
START_TEST(mrg_num_buffers_huge_no_allocation)
{
	const struct evil_hdr h = {.num_buffers = 0xffff};

	evil_up(0);
	ck_assert_str_eq(info().rx_mode, "mergeable");
	evil_rx_one(&h, 60, UINT32_MAX);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_uint_eq(info().rx_dropped, 0);
	ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	expect_good_frame();
}
END_TEST

/* A frame that claims 3 buffers while the device used 1 for it and then
 * 1 for the next frame: the driver takes both (Linux does the same), finds
 * the third missing, drops what it took and is in step again after. */
START_TEST(mrg_num_buffers_swallows_next)
{
	static uint8_t b[1536];
	struct evil_hdr h = {.num_buffers = 3};

	evil_up(0);
	hdr_bytes(b, &h);
	memset(b + VS_NET_HDR_SIZE, 0x11, sizeof(b) - VS_NET_HDR_SIZE);
	ck_assert_uint_eq(evil_fill(b, sizeof(b), 1536), 1536);
	h.num_buffers = 1;
	hdr_bytes(b, &h);
	evil_fill(b, 72, 72);
	evil_flush();
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	expect_good_frame();
}
END_TEST

/* A mergeable frame over 44 full buffers of a ring of 64: 67572 bytes,
 * more than any header can carry (VS_NET_MAX_GSO_FRAME, 65550): dropped,
 * not handed to the stack. */
START_TEST(mrg_frame_beyond_max)
{
	struct vs_device_params p = {.queue_size_max = 64};
	static uint8_t b[1536];
	struct evil_hdr h = {.num_buffers = 44};

	ck_assert_int_eq(evil_probe(&p), 0);
	ck_assert_uint_eq(rx_avail(), 64);
	hdr_bytes(b, &h);
	memset(b + VS_NET_HDR_SIZE, 0x22, sizeof(b) - VS_NET_HDR_SIZE);
	memset(b + VS_NET_HDR_SIZE, 0xff, 6);
	ck_assert_uint_eq(evil_fill(b, sizeof(b), 1536), 1536);
	for (unsigned i = 1; i < 44; i++)
		ck_assert_uint_eq(evil_fill(b, 1536, 1536), 1536);
	evil_flush();
	ck_assert_uint_eq(44 * 1536 - VS_NET_HDR_SIZE, 67572);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	ck_assert_uint_eq(rx_avail(), 64);
	expect_good_frame();
}
END_TEST

/* ---- Receive: used len ---- */

struct len_case {
	uint64_t remove;   /* features withheld: picks the receive mode */
	const char *mode;
	uint32_t ulen;
};

/* Big buffers take 18 descriptors each: a ring of 256 (14 of them). */
#define BIG_QSZ 256u

static const struct len_case short_lens[] = {
	{0, "mergeable", 0},
	{0, "mergeable", VS_NET_HDR_SIZE - 1},
	{0, "mergeable", VS_NET_HDR_SIZE},        /* header, no frame */
	{0, "mergeable", VS_NET_HDR_SIZE + 13},   /* part of an Ethernet header */
	{VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4), "small", 0},
	{VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4), "small", 11},
	{VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4), "small",
	 VS_NET_HDR_SIZE + 13},
	{VS_BIT(VIRTIO_NET_F_MRG_RXBUF), "big", 0},
	{VS_BIT(VIRTIO_NET_F_MRG_RXBUF), "big", VS_NET_HDR_SIZE + 13},
};

/* A used len short of a header and an Ethernet header: dropped, counted,
 * the buffer reposted; the next frame is fine. */
START_TEST(used_len_short)
{
	const struct len_case *c = &short_lens[_i];
	struct vs_device_params p = {.features_remove = c->remove,
				     .queue_size_max = strcmp(c->mode, "big") ? 0 : BIG_QSZ};
	const struct evil_hdr h = {.num_buffers = 1};
	unsigned posted;

	ck_assert_int_eq(evil_probe(&p), 0);
	ck_assert_str_eq(info().rx_mode, c->mode);
	posted = rx_avail();
	ck_assert_uint_gt(posted, 0);
	evil_rx_one(&h, 60, c->ulen);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	ck_assert_uint_eq(rx_avail(), posted);
	expect_good_frame();
}
END_TEST

/* A used len beyond the buffer's writable bytes: the ring refuses it (the
 * queue is broken); the driver neither reads past its buffer nor hangs,
 * and every buffer is still returned at removal. */
START_TEST(used_len_beyond_buffer)
{
	const struct evil_hdr h = {.num_buffers = 1};
	uint8_t back[100];
	uint64_t t0;

	evil_up(0);
	/* the ring engine clamps a model's len; the fault writes writable + 1 */
	vs_faults_set(&faults, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_COUNTED, 1, 0, 0);
	evil_rx_one(&h, 60, UINT32_MAX);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	/* nothing can arrive on a broken queue: -EIO at once, not a wait of
	 * the whole guest timeout (virtual time does not move) */
	t0 = vs_loop_now(loop);
	ck_assert_int_eq(vs_guest_net_recv(handle, back, sizeof(back), NULL, 0), -EAGAIN);
	ck_assert_int_eq(vs_guest_net_recv(handle, back, sizeof(back), NULL, 1), -EIO);
	ck_assert_uint_eq(vs_loop_now(loop), t0);
	/* transmit is a queue of its own */
	memset(back, 0xff, 60);
	ck_assert_int_eq(vs_guest_net_xmit(handle, 0, back, 60, NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(handle), 0);
	ck_assert_uint_eq(evil.tx_seen, 1);
}
END_TEST

/* ---- Receive: header fields ---- */

struct hdr_case {
	const char *what;
	uint64_t remove;
	struct evil_hdr h;
	uint32_t flen;
};

static const struct hdr_case bad_hdrs[] = {
	{"csum field past the frame", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 50, .csum_offset = 9,
	  .num_buffers = 1}, 60},
	{"csum start and offset 0xffff (u16 sum wraps)", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 0xffff, .csum_offset = 0xffff,
	  .num_buffers = 1}, 60},
	{"csum start 0xffff, offset 3 (u16 sum wraps to 2)", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 0xffff, .csum_offset = 3,
	  .num_buffers = 1}, 60},
	{"NEEDS_CSUM without GUEST_CSUM",
	 VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4),
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16,
	  .num_buffers = 1}, 60},
	{"GSO TCPV4 with gso_size 0", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	  .csum_start = 34, .csum_offset = 16, .num_buffers = 1}, 100},
	{"GSO TCPV6 not negotiated", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
	  .gso_size = 1000, .csum_start = 54, .csum_offset = 16, .num_buffers = 1}, 100},
	{"GSO ECN without GUEST_ECN", 0,
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	  .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, .gso_size = 1000,
	  .csum_start = 34, .csum_offset = 16, .num_buffers = 1}, 100},
	{"GSO type 0x7f", 0, {.gso_type = 0x7f, .gso_size = 1000, .num_buffers = 1}, 100},
	{"GSO in small buffers without GUEST_TSO4",
	 VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4),
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
	  .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .num_buffers = 1}, 100},
};

START_TEST(rx_bad_header)
{
	const struct hdr_case *c = &bad_hdrs[_i];

	evil_up(c->remove);
	evil_rx_one(&c->h, c->flen, UINT32_MAX);
	ck_assert_msg(info().rx_errors == 1, "%s: rx_errors %llu", c->what,
		      (unsigned long long)info().rx_errors);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), 0);
	expect_good_frame();
}
END_TEST

/* ---- Control queue ---- */

/* Spec 5.1.9.5: the device answers each command in the ack byte; a command
 * used without one (ack still the driver's marker) is -EIO to the caller. */
START_TEST(ctrl_ack_never_written)
{
	evil_up(0);
	evil.ctrl_mode = EVIL_CTRL_NO_ACK;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), -EIO);
	ck_assert_int_eq(vs_guest_net_set_rx_mode(handle, 1, 0), -EIO);
	evil.ctrl_mode = EVIL_CTRL_OK;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), 0);
	ck_assert_uint_eq(evil.ctrl_seen, 3);
}
END_TEST

/* A command the device never uses: the caller gives up after the guest
 * timeout; the buffer stays the device's and is freed when it comes back
 * later, or at removal. */
START_TEST(ctrl_never_answered)
{
	struct vs_vq *cvq;

	evil_up(0);
	evil.ctrl_mode = EVIL_CTRL_HOLD;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), -ETIMEDOUT);
	ck_assert_int_eq(vs_guest_net_vlan(handle, 4, 1), -ETIMEDOUT);
	ck_assert_uint_eq(evil.held_n, 2);
	/* the first comes back late; the next command reaps it */
	cvq = vs_vdev_queue(vdev, evil_ctrlq(vdev));
	evil_ack(cvq, &evil.held[0], VIRTIO_NET_OK);
	settle();
	evil.ctrl_mode = EVIL_CTRL_OK;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 5, 1), 0);
	/* the second is still out at removal (teardown checks the tokens) */
}
END_TEST

/* ---- Lifecycle ---- */

/* Reset (freeze / restore) with two commands the device holds and a
 * frame's buffers filled but not published: the driver takes every buffer
 * back once, and the device's late answers after the reset touch nothing
 * (the ring refuses them). */
START_TEST(reset_with_work_outstanding)
{
	struct vs_vq *cvq;
	uint8_t b[64] = {0};

	evil_up(0);
	evil.ctrl_mode = EVIL_CTRL_HOLD;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), -ETIMEDOUT);
	ck_assert_int_eq(vs_guest_net_vlan(handle, 4, 1), -ETIMEDOUT);
	evil_fill(b, sizeof(b), sizeof(b));
	evil.ctrl_mode = EVIL_CTRL_OK;
	ck_assert_int_eq(vs_guest_reset(handle), 0);
	cvq = vs_vdev_queue(vdev, evil_ctrlq(vdev));
	b[0] = VIRTIO_NET_OK;
	ck_assert_int_eq(vs_vq_push(cvq, &evil.held[0], 1), -ECANCELED);
	ck_assert_int_eq(vs_vq_push(cvq, &evil.held[1], 1), -ECANCELED);
	settle();
	ck_assert_uint_eq(rx_avail(), EVIL_QSZ);
	expect_good_frame();
	ck_assert_int_eq(vs_guest_net_vlan(handle, 5, 1), 0);
}
END_TEST

/* Removal with commands held: freed once, nothing leaks. */
START_TEST(remove_with_commands_held)
{
	evil_up(0);
	evil.ctrl_mode = EVIL_CTRL_HOLD;
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), -ETIMEDOUT);
	ck_assert_int_eq(vs_guest_remove(handle), 0);
	ck_assert_int_eq(vs_guest_net_rx_pending(handle), -ENOENT);
}
END_TEST

/* A device that keeps ANNOUNCE set and keeps raising configuration
 * interrupts while its control queue never answers: each interrupt queues
 * a gratuitous ARP and an ANNOUNCE_ACK without waiting; once the control
 * ring is full the rest are refused, nothing hangs or leaks, and a
 * process-context command then fails at once rather than waiting. */
START_TEST(announce_storm_ctrl_stuck)
{
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE)};
	uint8_t st[2];

	ck_assert_int_eq(evil_probe(&p), 0);
	evil.ctrl_mode = EVIL_CTRL_HOLD;
	vs_put_le16(st, VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	for (unsigned i = 0; i < 3 * EVIL_QSZ; i++) {
		ck_assert_int_eq(vs_vdev_config_change(vdev, VS_NET_CFG_STATUS, st, 2), 0);
		settle();
	}
	/* ANNOUNCE_ACK: header and ack, two descriptors each */
	ck_assert_uint_eq(evil.held_n, EVIL_QSZ / 2 < EVIL_HELD_MAX ? EVIL_QSZ / 2 : EVIL_HELD_MAX);
	ck_assert_uint_eq(info().announces, 3 * EVIL_QSZ);
	ck_assert_int_eq(vs_guest_net_vlan(handle, 3, 1), -EIO);
	ck_assert_uint_eq(info().link_up, 1);
}
END_TEST

/* A restore the device refuses (FEATURES_OK) leaves the driver stopped:
 * a waiting receive fails at once instead of waiting for frames that
 * cannot come; a frame received before the reset is still handed up. */
START_TEST(recv_after_failed_restore)
{
	const struct evil_hdr h = {.num_buffers = 1};
	uint8_t back[100];
	uint64_t t0;

	evil_up(0);
	evil_rx_one(&h, 60, UINT32_MAX);
	vs_faults_set(&faults, VS_FAULT_DEV_FEATURES_OK_REFUSE, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_lt(vs_guest_reset(handle), 0);
	t0 = vs_loop_now(loop);
	ck_assert_int_eq(vs_guest_net_recv(handle, back, sizeof(back), NULL, 1), 60);
	ck_assert_int_eq(vs_guest_net_recv(handle, back, sizeof(back), NULL, 1), -EIO);
	ck_assert_uint_eq(vs_loop_now(loop), t0);
	ck_assert_int_eq(vs_guest_net_xmit(handle, 0, back, 60, NULL), -EIO);
}
END_TEST

/* ---- Configuration ---- */

static const uint16_t bad_pairs[] = {0, VIRTIO_NET_MQ_PAIRS_MAX + 1, 0xffff};

/* max_virtqueue_pairs outside 1..0x8000 (spec
 * dev.net.device-configuration-layout.1): one pair. */
START_TEST(config_pairs_out_of_range)
{
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_MQ)};

	evil.cfg_pairs = bad_pairs[_i];
	ck_assert_int_eq(evil_probe(&p), 0);
	ck_assert_uint_eq(info().max_pairs, 1);
	ck_assert_uint_eq(info().cur_pairs, 1);
	expect_good_frame();
}
END_TEST

/* max_virtqueue_pairs in range but beyond the queues the device has: the
 * probe fails (no queue to find), cleanly. */
START_TEST(config_pairs_beyond_queues)
{
	static const uint16_t pairs[] = {2, VIRTIO_NET_MQ_PAIRS_MAX};
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_MQ)};
	struct vs_guest_net_info in;

	evil.cfg_pairs = pairs[_i];
	ck_assert_int_lt(evil_probe(&p), 0);
	ck_assert_int_ne(vs_guest_net_info(handle, &in), 0);
}
END_TEST

/* mtu below 68 (spec dev.net.device-configuration-layout.2): MTU not
 * accepted, 1500 used. */
START_TEST(config_mtu_below_minimum)
{
	evil.cfg_mtu = 67;
	evil_up(0);
	ck_assert_uint_eq(info().mtu, 1500);
}
END_TEST

/* The mtu validate accepted changes before probe reads it (spec
 * dev.net.device-configuration-layout.4 forbids it): the probe fails, as
 * Linux's does, rather than run with an mtu of 0. */
START_TEST(config_mtu_changed_after_validate)
{
	struct vs_device_params p = {0};
	struct vs_guest_net_info in;

	evil.mtu_at_features_ok = 0;
	ck_assert_int_eq(evil_probe(&p), -EINVAL);
	ck_assert_int_ne(vs_guest_net_info(handle, &in), 0);
}
END_TEST

static Suite *net_hostile_suite(void)
{
	Suite *s = suite_create("net_hostile");
	TCase *tc;

	tc = tcase_create("NumBuffers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mrg_num_buffers_zero);
	tcase_add_test(tc, mrg_num_buffers_beyond_used);
	tcase_add_test(tc, mrg_num_buffers_swallows_next);
	tcase_add_test(tc, mrg_frame_beyond_max);
	suite_add_tcase(s, tc);

	tc = tcase_create("SmallRam");
	tcase_add_checked_fixture(tc, setup_small, teardown);
	tcase_add_test(tc, mrg_num_buffers_huge_no_allocation);
	suite_add_tcase(s, tc);

	tc = tcase_create("UsedLen");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, used_len_short, 0,
			    (int)(sizeof(short_lens) / sizeof(short_lens[0])));
	tcase_add_test(tc, used_len_beyond_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("Header");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, rx_bad_header, 0, (int)(sizeof(bad_hdrs) / sizeof(bad_hdrs[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("Control");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ctrl_ack_never_written);
	tcase_add_test(tc, ctrl_never_answered);
	suite_add_tcase(s, tc);

	tc = tcase_create("Lifecycle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reset_with_work_outstanding);
	tcase_add_test(tc, remove_with_commands_held);
	tcase_add_test(tc, announce_storm_ctrl_stuck);
	tcase_add_test(tc, recv_after_failed_restore);
	suite_add_tcase(s, tc);

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, config_pairs_out_of_range, 0,
			    (int)(sizeof(bad_pairs) / sizeof(bad_pairs[0])));
	tcase_add_loop_test(tc, config_pairs_beyond_queues, 0, 2);
	tcase_add_test(tc, config_mtu_below_minimum);
	tcase_add_test(tc, config_mtu_changed_after_validate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_hostile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
