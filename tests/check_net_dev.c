/*
 * check_net_dev.c - the network device model (devices/net*.c).
 *
 * The test plays the driver with rings built by hand in an arena: it
 * chains a virtio-net header and a frame on a transmit queue, posts
 * receive buffers, sends control commands, kicks, drains the loop and
 * reads the used rings, headers and frames back.  Frames are built here
 * (Ethernet, IPv4, UDP, TCP) and checked with this file's own checksum
 * code, so the device's checksum and segmentation are compared with an
 * independent reference (and one checksum with a value computed by hand
 * outside the project).  Up to two devices take part (pairing).
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "devices/net.h"
#include "devices/vdev.h"

#define ARENA_SIZE (32u << 20)
#define QSZ 64u
#define MAXQ 16u
#define NDEV 2
#define RING(d, q) (0x10000u + (uint64_t)(d) * 0x80000u + (uint64_t)(q) * 0x4000u)
#define BUF_BASE 0x200000u

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_vdev *dev[NDEV];
static int dev_id[NDEV] = {0, 1};
static uint16_t avail_idx[NDEV][MAXQ], used_seen[NDEV][MAXQ], next_desc[NDEV][MAXQ];
static uint64_t head_gpa[NDEV][MAXQ][QSZ];
static unsigned vring_irqs[NDEV][MAXQ], config_irqs[NDEV];
static int bound[NDEV];
static uint32_t hsize[NDEV]; /* header bytes the driver uses */
static int mrg[NDEV];
static unsigned ctrlq[NDEV];
static uint64_t buf_next;

static const uint8_t MAC_OWN[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t MAC_OTHER[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
static const uint8_t MAC_SRC[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x01};
static const uint8_t MAC_BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MAC_MCAST[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

static void fake_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned q)
{
	int d = *(int *)opaque;

	if (kind == VS_VDEV_IRQ_CONFIG)
		config_irqs[d]++;
	else if (q < MAXQ)
		vring_irqs[d][q]++;
}

static const struct vs_vdev_transport_ops fake_ops = {.interrupt = fake_interrupt};

static uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static uint64_t balloc(uint32_t len)
{
	uint64_t g = buf_next;

	buf_next += (len + 63u) & ~63u;
	ck_assert_uint_le(buf_next, ARENA_SIZE);
	return g;
}

static void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	vs_faults_init(&faults, 7);
	memset(dev, 0, sizeof(dev));
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
	memset(next_desc, 0, sizeof(next_desc));
	memset(vring_irqs, 0, sizeof(vring_irqs));
	memset(config_irqs, 0, sizeof(config_irqs));
	memset(bound, 0, sizeof(bound));
	for (int d = 0; d < NDEV; d++) {
		hsize[d] = VS_NET_HDR_SIZE;
		mrg[d] = 0;
		ctrlq[d] = 2;
	}
	buf_next = BUF_BASE;
}

static void teardown(void)
{
	for (int d = 0; d < NDEV; d++)
		vs_vdev_destroy(dev[d]);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

static int create_dev(int d, const struct vs_device_params *p)
{
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};

	return vs_device_create("net", p, &env, &dev[d]);
}

/* Bring dev d to DRIVER_OK accepting `accept` (+ VERSION_1 unless
 * legacy); every queue live.  legacy 2: a virtio 0.9.5 driver, which
 * never sets FEATURES_OK. */
static void bring_up_ex(int d, uint64_t accept, int legacy)
{
	uint8_t base = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	unsigned nq = vs_vdev_num_queues(dev[d]);

	if (!bound[d])
		ck_assert_int_eq(vs_vdev_bind(dev[d], &fake_ops, &dev_id[d],
					      legacy ? VS_VDEV_BIND_LEGACY : 0), 0);
	bound[d] = 1;
	vs_vdev_set_status(dev[d], base);
	if (!legacy)
		accept |= VS_BIT(VIRTIO_F_VERSION_1);
	vs_vdev_set_driver_features_word(dev[d], 0, (uint32_t)accept);
	vs_vdev_set_driver_features_word(dev[d], 1, (uint32_t)(accept >> 32));
	if (legacy != 2) {
		base |= VIRTIO_CONFIG_S_FEATURES_OK;
		vs_vdev_set_status(dev[d], base);
		ck_assert(vs_vdev_status(dev[d]) & VIRTIO_CONFIG_S_FEATURES_OK);
	}
	ck_assert_uint_le(nq, MAXQ);
	for (unsigned q = 0; q < nq; q++) {
		ck_assert_int_eq(vs_vdev_queue_set_num(dev[d], q, QSZ), 0);
		vs_vdev_queue_set_addr(dev[d], q, VS_VQ_AREA_DESC, RING(d, q));
		vs_vdev_queue_set_addr(dev[d], q, VS_VQ_AREA_DRIVER, RING(d, q) + 0x1000);
		vs_vdev_queue_set_addr(dev[d], q, VS_VQ_AREA_DEVICE, RING(d, q) + 0x2000);
		ck_assert_int_eq(vs_vdev_queue_set_ready(dev[d], q, 1), 0);
	}
	vs_vdev_set_status(dev[d], base | VIRTIO_CONFIG_S_DRIVER_OK);
	mrg[d] = (accept & VS_BIT(VIRTIO_NET_F_MRG_RXBUF)) != 0;
	hsize[d] = (!legacy || mrg[d]) ? VS_NET_HDR_SIZE : VS_NET_HDR_SIZE_LEGACY;
	ctrlq[d] = (accept & VS_BIT(VIRTIO_NET_F_MQ)) ? nq - 1 : 2;
}

static void bring_up(int d, uint64_t accept)
{
	bring_up_ex(d, accept, 0);
}

/* Create dev d with default params and bring it up. */
static void up(int d, uint64_t accept)
{
	struct vs_device_params p = {0};

	ck_assert_int_eq(create_dev(d, &p), 0);
	bring_up(d, accept);
}

/* After a device reset: the driver starts its rings over, zeroed. */
static void restart(int d)
{
	for (unsigned q = 0; q < MAXQ; q++)
		memset(gp(RING(d, q), 0x4000), 0, 0x4000);
	memset(avail_idx[d], 0, sizeof(avail_idx[d]));
	memset(used_seen[d], 0, sizeof(used_seen[d]));
	memset(next_desc[d], 0, sizeof(next_desc[d]));
}

/* The features the default device offers (without VERSION_1). */
#define ALL_NET                                                                              \
	(VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM) |                       \
	 VS_BIT(VIRTIO_NET_F_MTU) | VS_BIT(VIRTIO_NET_F_MAC) |                                \
	 VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6) |                  \
	 VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6) |                    \
	 VS_BIT(VIRTIO_NET_F_MRG_RXBUF) | VS_BIT(VIRTIO_NET_F_STATUS) |                       \
	 VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX) |                        \
	 VS_BIT(VIRTIO_NET_F_CTRL_VLAN) | VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |               \
	 VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR) | VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
#define CTRL_ALL                                                                             \
	(VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX) |                        \
	 VS_BIT(VIRTIO_NET_F_CTRL_VLAN) | VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |               \
	 VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR) | VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) |      \
	 VS_BIT(VIRTIO_NET_F_MAC) | VS_BIT(VIRTIO_NET_F_STATUS))

/* ---- the scripted driver ---- */

struct seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VRING_DESC_F_WRITE or 0 */
};

/* Chain segs on queue q of dev d, publish, kick; returns the head. */
static uint16_t submit(int d, unsigned q, const struct seg *s, unsigned n)
{
	uint16_t head = next_desc[d][q];

	ck_assert_uint_le(n, QSZ);
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) % QSZ);
		uint8_t *p = gp(RING(d, q) + 16u * idx, 16);

		vs_put_le64(p, s[i].gpa);
		vs_put_le32(p + 8, s[i].len);
		vs_put_le16(p + 12, (uint16_t)(s[i].flags | (i + 1 < n ? VRING_DESC_F_NEXT : 0)));
		vs_put_le16(p + 14, (uint16_t)((idx + 1) % QSZ));
	}
	next_desc[d][q] = (uint16_t)((head + n) % QSZ);
	head_gpa[d][q][head] = s[0].gpa;
	vs_put_le16(gp(RING(d, q) + 0x1000 + VS_AVAIL_RING(avail_idx[d][q] % QSZ), 2), head);
	avail_idx[d][q]++;
	vs_put_le16(gp(RING(d, q) + 0x1000 + VS_AVAIL_IDX, 2), avail_idx[d][q]);
	vs_vdev_kick(dev[d], q);
	return head;
}

static uint16_t used_idx(int d, unsigned q)
{
	return vs_le16(gp(RING(d, q) + 0x2000 + VS_USED_IDX, 2));
}

/* Drain; is there a used element on queue q not seen yet? */
static int has_used(int d, unsigned q)
{
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	return used_idx(d, q) != used_seen[d][q];
}

static void next_used(int d, unsigned q, uint32_t *id, uint32_t *len)
{
	uint8_t *e;

	ck_assert(has_used(d, q));
	e = gp(RING(d, q) + 0x2000 + VS_USED_RING(used_seen[d][q] % QSZ), 8);
	used_seen[d][q]++;
	*id = vs_le32(e);
	*len = vs_le32(e + 4);
}

/* A virtio-net header as the test reads and writes it. */
struct vhdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

static void hdr_put(uint8_t *p, const struct vhdr *h, uint32_t hs)
{
	uint8_t b[VS_NET_HDR_SIZE];

	b[VS_NET_HDR_FLAGS] = h->flags;
	b[VS_NET_HDR_GSO_TYPE] = h->gso_type;
	vs_put_le16(b + VS_NET_HDR_HDR_LEN, h->hdr_len);
	vs_put_le16(b + VS_NET_HDR_GSO_SIZE, h->gso_size);
	vs_put_le16(b + VS_NET_HDR_CSUM_START, h->csum_start);
	vs_put_le16(b + VS_NET_HDR_CSUM_OFFSET, h->csum_offset);
	vs_put_le16(b + VS_NET_HDR_NUM_BUFFERS, h->num_buffers);
	memcpy(p, b, hs);
}

static void hdr_get(const uint8_t *p, struct vhdr *h, uint32_t hs)
{
	h->flags = p[VS_NET_HDR_FLAGS];
	h->gso_type = p[VS_NET_HDR_GSO_TYPE];
	h->hdr_len = vs_le16(p + VS_NET_HDR_HDR_LEN);
	h->gso_size = vs_le16(p + VS_NET_HDR_GSO_SIZE);
	h->csum_start = vs_le16(p + VS_NET_HDR_CSUM_START);
	h->csum_offset = vs_le16(p + VS_NET_HDR_CSUM_OFFSET);
	h->num_buffers = hs == VS_NET_HDR_SIZE ? vs_le16(p + VS_NET_HDR_NUM_BUFFERS) : 0xffff;
}

/* Transmit frame with header h on pair's transmit queue, as one buffer or
 * split in three at odd places; returns the head. */
static uint16_t tx_ex(int d, unsigned pair, const struct vhdr *h, const uint8_t *frame,
		      uint32_t len, int split)
{
	uint32_t hs = hsize[d];
	uint64_t g = balloc(hs + len);

	hdr_put(gp(g, hs), h, hs);
	if (len)
		memcpy(gp(g + hs, len), frame, len);
	if (split && hs + len > 8) {
		uint32_t a = 5, b = (hs + len - 5) / 2;
		struct seg s[3] = {{g, a, 0}, {g + a, b, 0}, {g + a + b, hs + len - a - b, 0}};

		return submit(d, 2 * pair + 1, s, 3);
	}
	struct seg s1 = {g, hs + len, 0};

	return submit(d, 2 * pair + 1, &s1, 1);
}

static uint16_t tx(int d, const struct vhdr *h, const uint8_t *frame, uint32_t len)
{
	return tx_ex(d, 0, h, frame, len, 0);
}

/* Expect transmit head h of pair used with len 0. */
static void tx_done(int d, unsigned pair, uint16_t h)
{
	uint32_t id, len;

	next_used(d, 2 * pair + 1, &id, &len);
	ck_assert_uint_eq(id, h);
	ck_assert_uint_eq(len, 0);
}

/* Post n receive buffers of size bytes (one descriptor each). */
static void post_rx(int d, unsigned pair, uint32_t size, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t g = balloc(size);
		struct seg s = {g, size, VRING_DESC_F_WRITE};

		memset(gp(g, size), 0xee, size);
		submit(d, 2 * pair, &s, 1);
	}
}

/* A received packet, reassembled from its buffers. */
struct rxpkt {
	struct vhdr h;
	uint32_t len;          /* frame bytes */
	uint32_t nbuf;         /* used elements it took */
	uint32_t used_len[16]; /* of the first 16 */
	uint32_t head[16];
	uint8_t data[70000];
};
static struct rxpkt pkt;

/* Read the next packet of pair's receive queue; 0, or -1 when none. */
static int rx_next(int d, unsigned pair, struct rxpkt *p)
{
	unsigned q = 2 * pair;
	uint32_t id, len, hs = hsize[d], want;

	memset(p, 0, offsetof(struct rxpkt, data));
	if (!has_used(d, q))
		return -1;
	next_used(d, q, &id, &len);
	ck_assert_uint_ge(len, hs);
	hdr_get(gp(head_gpa[d][q][id], hs), &p->h, hs);
	p->used_len[0] = len;
	p->head[0] = id;
	p->nbuf = 1;
	p->len = len - hs;
	if (len > hs)
		memcpy(p->data, gp(head_gpa[d][q][id] + hs, len - hs), len - hs);
	want = mrg[d] ? p->h.num_buffers : 1;
	while (p->nbuf < want) {
		next_used(d, q, &id, &len);
		if (p->nbuf < 16) {
			p->used_len[p->nbuf] = len;
			p->head[p->nbuf] = id;
		}
		ck_assert_uint_le(p->len + len, sizeof(p->data));
		memcpy(p->data + p->len, gp(head_gpa[d][q][id], len), len);
		p->len += len;
		p->nbuf++;
	}
	return 0;
}

static struct vs_net_stats stats(int d)
{
	struct vs_net_stats s;

	ck_assert_int_eq(vs_net_get_stats(dev[d], &s), 0);
	return s;
}

static struct vs_net_state state(int d)
{
	struct vs_net_state s;

	ck_assert_int_eq(vs_net_get_state(dev[d], &s), 0);
	return s;
}

static uint16_t cfg16(int d, uint32_t off)
{
	uint8_t b[2];

	ck_assert_int_eq(vs_vdev_config_read(dev[d], off, b, 2), 0);
	return vs_le16(b);
}

/* Send a control command; the ack byte (0xee when not written). */
static uint8_t ctrl_ex(int d, uint8_t cls, uint8_t cmd, const void *data, uint32_t dlen,
		       uint32_t *used_len)
{
	uint64_t g = balloc(2 + dlen), a = balloc(1);
	uint8_t *p = gp(g, 2 + dlen);
	struct seg s[2] = {{g, 2 + dlen, 0}, {a, 1, VRING_DESC_F_WRITE}};
	uint32_t id, len;
	uint16_t h;

	p[0] = cls;
	p[1] = cmd;
	if (dlen)
		memcpy(p + 2, data, dlen);
	*gp(a, 1) = 0xee;
	h = submit(d, ctrlq[d], s, 2);
	next_used(d, ctrlq[d], &id, &len);
	ck_assert_uint_eq(id, h);
	if (used_len)
		*used_len = len;
	else
		ck_assert_uint_eq(len, 1);
	return *gp(a, 1);
}

static uint8_t ctrl(int d, uint8_t cls, uint8_t cmd, const void *data, uint32_t dlen)
{
	return ctrl_ex(d, cls, cmd, data, dlen, NULL);
}

static uint8_t ctrl_u8(int d, uint8_t cls, uint8_t cmd, uint8_t v)
{
	return ctrl(d, cls, cmd, &v, 1);
}

static uint8_t ctrl_u16(int d, uint8_t cls, uint8_t cmd, uint16_t v)
{
	uint8_t b[2];

	vs_put_le16(b, v);
	return ctrl(d, cls, cmd, b, 2);
}

/* ---- frames, and an independent checksum ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1071, written plainly: 32-bit accumulator, end-around carry. */
static uint32_t ref_sum(uint32_t s, const uint8_t *p, uint32_t n)
{
	while (n > 1) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		n -= 2;
	}
	if (n)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static uint32_t ref_pseudo4(const uint8_t *ip, uint8_t proto, uint32_t l4len)
{
	return ref_sum(proto + l4len, ip + 12, 8);
}

/* An untagged IPv4 frame: IP header valid, L4 checksum valid? */
static int ref_ip4_ok(const uint8_t *f)
{
	return ref_sum(0, f + 14, 20) == 0xffff;
}

static int ref_l4_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14;
	uint32_t l4len = get16(ip + 2) - 20u;

	return ref_sum(ref_pseudo4(ip, ip[9], l4len), ip + 20, l4len) == 0xffff;
}

/* Ethernet header; returns 14. */
static uint32_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, MAC_SRC, 6);
	put16(f + 12, type);
	return 14;
}

/* A non-IP frame of len bytes to dst. */
static uint32_t raw_frame(uint8_t *f, const uint8_t *dst, uint32_t len)
{
	eth(f, dst, 0x88b5);
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 13 + 5);
	return len;
}

/* Ethernet + IPv4 header (10.0.0.1 -> 10.0.0.2, id 0x1234, DF) for
 * l4len bytes of proto; returns 34. */
static uint32_t ip4(uint8_t *f, const uint8_t *dst, uint8_t proto, uint32_t l4len)
{
	uint8_t *ip = f + 14;

	eth(f, dst, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, 0x1234);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 10, ip[15] = 1;
	ip[16] = 10, ip[19] = 2;
	put16(ip + 10, (uint16_t)~ref_sum(0, ip, 20));
	return 34;
}

/* UDP 1234 -> 5678 with plen payload bytes (i * 7 + 3); the checksum
 * complete, or (partial) the pseudo header sum as a driver leaves it for
 * NEEDS_CSUM.  Returns the frame length. */
static uint32_t udp4(uint8_t *f, const uint8_t *dst, uint32_t plen, int partial)
{
	uint32_t o = ip4(f, dst, 17, 8 + plen);
	uint8_t *u = f + o;

	put16(u, 1234);
	put16(u + 2, 5678);
	put16(u + 4, (uint16_t)(8 + plen));
	put16(u + 6, 0);
	for (uint32_t i = 0; i < plen; i++)
		u[8 + i] = (uint8_t)(i * 7 + 3);
	if (partial) {
		put16(u + 6, (uint16_t)ref_pseudo4(f + 14, 17, 8 + plen));
	} else {
		uint16_t c = (uint16_t)~ref_sum(ref_pseudo4(f + 14, 17, 8 + plen), u, 8 + plen);

		put16(u + 6, c ? c : 0xffff);
	}
	return o + 8 + plen;
}

/* TCP 1000 -> 2000, seq, flags, plen payload bytes (i & 0xff), checksum
 * field = pseudo header sum (NEEDS_CSUM / GSO style).  Frame length. */
static uint32_t tcp4(uint8_t *f, const uint8_t *dst, uint32_t plen, uint32_t seq, uint8_t flags)
{
	uint32_t o = ip4(f, dst, 6, 20 + plen);
	uint8_t *t = f + o;

	memset(t, 0, 20);
	put16(t, 1000);
	put16(t + 2, 2000);
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 0xffff);
	for (uint32_t i = 0; i < plen; i++)
		t[20 + i] = (uint8_t)i;
	put16(t + 16, (uint16_t)ref_pseudo4(f + 14, 6, 20 + plen));
	return o + 20 + plen;
}

static uint8_t frame[70000];
static const struct vhdr H0 = {0};

/* ---- Config ---- */

START_TEST(config_defaults)
{
	struct vs_device_params p = {0};
	struct vs_net_state st;
	uint8_t c[VS_NET_CFG_SIZE];

	ck_assert_int_eq(create_dev(0, &p), 0);
	ck_assert_uint_eq(vs_vdev_device_id(dev[0]), VIRTIO_ID_NET);
	ck_assert_uint_eq(vs_vdev_features(dev[0]), ALL_NET | VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 3);
	ck_assert_uint_eq(vs_vdev_queue_num_max(dev[0], 0), 256);
	ck_assert_uint_eq(vs_vdev_config_size(dev[0]), VS_NET_CFG_SIZE);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], 0, c, sizeof(c)), 0);
	ck_assert_mem_eq(c + VS_NET_CFG_MAC, MAC_OWN, 6);
	ck_assert_uint_eq(vs_le16(c + VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(vs_le16(c + VS_NET_CFG_MAX_PAIRS), 1);
	ck_assert_uint_eq(vs_le16(c + VS_NET_CFG_MTU), 1500);
	ck_assert_uint_eq(vs_le32(c + VS_NET_CFG_SPEED), 0xffffffffu);
	ck_assert_uint_eq(c[VS_NET_CFG_DUPLEX], 0xff);
	st = state(0);
	ck_assert_mem_eq(st.mac, MAC_OWN, 6);
	ck_assert_int_eq(st.link_up, 1);
	ck_assert_int_eq(st.announce_pending, 0);
	ck_assert_int_eq(st.promisc, 0);
	ck_assert_int_eq(st.allmulti, 1);
	ck_assert_int_eq(st.alluni + st.nomulti + st.nouni + st.nobcast, 0);
	ck_assert_uint_eq(st.uc_count + st.mc_count + st.vlan_count, 0);
	ck_assert_uint_eq(st.max_pairs, 1);
	ck_assert_uint_eq(st.cur_pairs, 1);
	ck_assert_uint_eq(st.guest_offloads, 0);
	ck_assert_int_eq(st.paired, 0);
}
END_TEST

START_TEST(config_from_params)
{
	struct vs_device_params p = {.net_mac = {0x02, 1, 2, 3, 4, 5}, .net_mtu = 9000,
				     .net_queue_pairs = 4, .net_link_down = 1};
	uint8_t mac[6];

	ck_assert_int_eq(create_dev(0, &p), 0);
	ck_assert_uint_eq(vs_vdev_features(dev[0]),
			  ALL_NET | VS_BIT(VIRTIO_NET_F_MQ) | VS_BIT(VIRTIO_F_VERSION_1));
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 9);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, p.net_mac, 6);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), 0);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MAX_PAIRS), 4);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MTU), 9000);
	ck_assert_uint_eq(state(0).max_pairs, 4);
	ck_assert_int_eq(state(0).link_up, 0);
}
END_TEST

START_TEST(config_features_remove)
{
	struct vs_device_params nomq = {.net_queue_pairs = 4,
					.features_remove = VS_BIT(VIRTIO_NET_F_MQ)};
	struct vs_device_params noctrl = {.features_remove = VS_BIT(VIRTIO_NET_F_CTRL_VQ)};
	struct vs_device_params noctrl_mq = {.net_queue_pairs = 4,
					     .features_add = VS_BIT(VIRTIO_NET_F_CTRL_RX_EXTRA),
					     .features_remove = VS_BIT(VIRTIO_NET_F_CTRL_VQ)};
	struct vs_device_params nocsum = {.features_remove = VS_BIT(VIRTIO_NET_F_CSUM) |
							     VS_BIT(VIRTIO_NET_F_GUEST_CSUM)};
	struct vs_device_params addmq = {.features_add = VS_BIT(VIRTIO_NET_F_MQ)};

	ck_assert_int_eq(create_dev(0, &nomq), 0);
	ck_assert_uint_eq(vs_vdev_features(dev[0]) & VS_BIT(VIRTIO_NET_F_MQ), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 3);
	ck_assert_uint_eq(state(0).max_pairs, 1);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MAX_PAIRS), 1);
	vs_vdev_destroy(dev[0]);
	ck_assert_int_eq(create_dev(0, &noctrl), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 2);
	/* spec dev.basic.feature-bits.1: what needs the control queue goes
	 * with it (and CTRL_RX_EXTRA, dev.net.device-configuration-layout.14) */
	ck_assert_uint_eq(vs_vdev_features(dev[0]),
			  (ALL_NET | VS_BIT(VIRTIO_F_VERSION_1)) &
				  ~(VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX) |
				    VS_BIT(VIRTIO_NET_F_CTRL_VLAN) | VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |
				    VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR)));
	vs_vdev_destroy(dev[0]);
	ck_assert_int_eq(create_dev(0, &noctrl_mq), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 2);
	ck_assert_uint_eq(vs_vdev_features(dev[0]) & (VS_BIT(VIRTIO_NET_F_MQ) |
						      VS_BIT(VIRTIO_NET_F_CTRL_RX_EXTRA)), 0);
	ck_assert_uint_eq(state(0).max_pairs, 1);
	vs_vdev_destroy(dev[0]);
	ck_assert_int_eq(create_dev(0, &nocsum), 0);
	ck_assert_uint_eq(vs_vdev_features(dev[0]),
			  (ALL_NET | VS_BIT(VIRTIO_F_VERSION_1)) &
				  ~(VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM) |
				    VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_HOST_TSO6) |
				    VS_BIT(VIRTIO_NET_F_GUEST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6)));
	vs_vdev_destroy(dev[0]);
	ck_assert_int_eq(create_dev(0, &addmq), 0);
	ck_assert(vs_vdev_features(dev[0]) & VS_BIT(VIRTIO_NET_F_MQ));
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 3);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MAX_PAIRS), 1);
}
END_TEST

static const struct vs_device_params bad_params[] = {
	{.net_queue_pairs = 0x8001},
	{.net_queue_pairs = 0xffffffffu},
	{.net_mtu = 67},
	{.net_mtu = 65536},
	{.net_link_down = 1, .features_remove = VS_BIT(VIRTIO_NET_F_STATUS)},
};

START_TEST(config_bad_params)
{
	ck_assert_int_eq(create_dev(0, &bad_params[_i]), -EINVAL);
	ck_assert_ptr_null(dev[0]);
}
END_TEST

START_TEST(config_limits_accepted)
{
	struct vs_device_params lo = {.net_mtu = 68};
	struct vs_device_params hi = {.net_mtu = 65535, .net_queue_pairs = 7};

	ck_assert_int_eq(create_dev(0, &lo), 0);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MTU), 68);
	ck_assert_int_eq(create_dev(1, &hi), 0);
	ck_assert_uint_eq(cfg16(1, VS_NET_CFG_MTU), 65535);
	ck_assert_uint_eq(vs_vdev_num_queues(dev[1]), 15);
}
END_TEST

START_TEST(config_read_only_modern)
{
	uint8_t v[6] = {0x02, 9, 9, 9, 9, 9}, mac[6];

	up(0, 0);
	ck_assert_int_eq(vs_vdev_config_write(dev[0], VS_NET_CFG_MAC, v, 6), 0);
	ck_assert_int_eq(vs_vdev_config_write(dev[0], VS_NET_CFG_MTU, v, 2), 0);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, MAC_OWN, 6);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_MTU), 1500);
	ck_assert_mem_eq(state(0).mac, MAC_OWN, 6);
}
END_TEST

START_TEST(config_mac_writable_legacy)
{
	struct vs_device_params p = {0};
	uint8_t v[6] = {0x02, 9, 9, 9, 9, 9}, mac[6];

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up_ex(0, VS_BIT(VIRTIO_NET_F_MAC), 1);
	/* spec 5.1.4.3: byte by byte, as legacy drivers write it */
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(vs_vdev_config_write(dev[0], VS_NET_CFG_MAC + i, v + i, 1), 0);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, v, 6);
	ck_assert_mem_eq(state(0).mac, v, 6);
	/* status stays read-only; a write across mac and status too */
	ck_assert_int_eq(vs_vdev_config_write(dev[0], VS_NET_CFG_STATUS, v, 2), 0);
	ck_assert_int_eq(vs_vdev_config_write(dev[0], 4, MAC_OWN, 4), 0);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, v, 6);
	/* the filter takes the new address: a frame to it arrives */
	post_rx(0, 0, 1526, 1);
	tx(0, &H0, frame, raw_frame(frame, v, 60));
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.len, 60);
}
END_TEST

/* Does the device take this feature set at FEATURES_OK? */
static int features_ok(uint64_t accept)
{
	uint8_t base = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	vs_vdev_set_status(dev[0], 0);
	vs_vdev_set_status(dev[0], base);
	accept |= VS_BIT(VIRTIO_F_VERSION_1);
	vs_vdev_set_driver_features_word(dev[0], 0, (uint32_t)accept);
	vs_vdev_set_driver_features_word(dev[0], 1, (uint32_t)(accept >> 32));
	vs_vdev_set_status(dev[0], base | VIRTIO_CONFIG_S_FEATURES_OK);
	return (vs_vdev_status(dev[0]) & VIRTIO_CONFIG_S_FEATURES_OK) != 0;
}

START_TEST(features_requires_refused)
{
	struct vs_device_params p = {.net_queue_pairs = 2};
	static const uint64_t bad[] = {
		VS_BIT(VIRTIO_NET_F_GUEST_TSO4),
		VS_BIT(VIRTIO_NET_F_GUEST_TSO6),
		VS_BIT(VIRTIO_NET_F_HOST_TSO4),
		VS_BIT(VIRTIO_NET_F_HOST_TSO6) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM),
		VS_BIT(VIRTIO_NET_F_CTRL_RX),
		VS_BIT(VIRTIO_NET_F_CTRL_VLAN),
		VS_BIT(VIRTIO_NET_F_GUEST_ANNOUNCE),
		VS_BIT(VIRTIO_NET_F_MQ),
		VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR),
	};

	ck_assert_int_eq(create_dev(0, &p), 0);
	ck_assert(vs_vdev_bind(dev[0], &fake_ops, &dev_id[0], 0) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!features_ok(bad[i]), "set %zu accepted", i);
	ck_assert(features_ok(0));
	ck_assert(features_ok(ALL_NET | VS_BIT(VIRTIO_NET_F_MQ)));
	ck_assert(features_ok(VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4)));
	ck_assert(features_ok(VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO6)));
}
END_TEST

START_TEST(features_ecn_and_extra_refused)
{
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_GUEST_ECN) |
						     VS_BIT(VIRTIO_NET_F_HOST_ECN) |
						     VS_BIT(VIRTIO_NET_F_HOST_USO)};

	ck_assert_int_eq(create_dev(0, &p), 0);
	ck_assert(vs_vdev_bind(dev[0], &fake_ops, &dev_id[0], 0) == 0);
	ck_assert(!features_ok(VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_ECN)));
	ck_assert(!features_ok(VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_ECN)));
	ck_assert(!features_ok(VS_BIT(VIRTIO_NET_F_HOST_USO)));
	ck_assert(features_ok(VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_USO)));
	ck_assert(features_ok(VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO6) |
			      VS_BIT(VIRTIO_NET_F_GUEST_ECN)));
}
END_TEST

/* ---- Transmit and receive ---- */

START_TEST(tx_loopback_small_buffers)
{
	struct vs_net_stats s;
	uint32_t len = raw_frame(frame, MAC_OWN, 60);
	uint16_t h;

	up(0, 0);
	post_rx(0, 0, 1526, 2);
	h = tx(0, &H0, frame, len);
	tx_done(0, 0, h);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.used_len[0], 12 + 60);
	ck_assert_uint_eq(pkt.head[0], 0);
	ck_assert_uint_eq(pkt.h.flags, 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_uint_eq(pkt.h.num_buffers, 1);
	ck_assert_uint_eq(pkt.h.csum_start + pkt.h.csum_offset + pkt.h.gso_size + pkt.h.hdr_len, 0);
	ck_assert_uint_eq(pkt.len, 60);
	ck_assert_mem_eq(pkt.data, frame, 60);
	/* a frame split over three descriptors, header cut in two */
	len = raw_frame(frame, MAC_OWN, 1514);
	h = tx_ex(0, 0, &H0, frame, len, 1);
	tx_done(0, 0, h);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.head[0], 1);
	ck_assert_uint_eq(pkt.used_len[0], 1526);
	ck_assert_mem_eq(pkt.data, frame, 1514);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	s = stats(0);
	ck_assert_uint_eq(s.tx_frames, 2);
	ck_assert_uint_eq(s.tx_bytes, 60 + 1514);
	ck_assert_uint_eq(s.rx_frames, 2);
	ck_assert_uint_eq(s.rx_bytes, 60 + 1514);
	ck_assert_uint_eq(s.tx_errors + s.rx_dropped_filter + s.rx_dropped_backlog +
			  s.rx_dropped_too_big + s.tx_segments, 0);
	ck_assert_uint_eq(vring_irqs[0][0], 2);
	ck_assert_uint_eq(vring_irqs[0][1], 2);
	ck_assert_uint_eq(vs_vdev_status_peek(dev[0]) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(rx_chain_of_descriptors)
{
	uint64_t g = balloc(12 + 700 + 900);
	struct seg s[3] = {{g, 12, VRING_DESC_F_WRITE},
			   {g + 12, 700, VRING_DESC_F_WRITE},
			   {g + 712, 900, VRING_DESC_F_WRITE}};
	uint32_t len = raw_frame(frame, MAC_OWN, 1500);

	up(0, 0);
	submit(0, 0, s, 3);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.used_len[0], 1512);
	ck_assert_uint_eq(pkt.h.num_buffers, 1);
	ck_assert_mem_eq(pkt.data, frame, 1500);
}
END_TEST

START_TEST(legacy_header_10_bytes)
{
	struct vs_device_params p = {0};
	uint32_t len = raw_frame(frame, MAC_OWN, 60);
	uint32_t id, ulen;
	uint8_t *b;

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up_ex(0, VS_BIT(VIRTIO_NET_F_MAC), 1);
	ck_assert_uint_eq(hsize[0], 10);
	post_rx(0, 0, 1526, 1);
	tx(0, &H0, frame, len);
	next_used(0, 0, &id, &ulen);
	ck_assert_uint_eq(ulen, 70);
	b = gp(head_gpa[0][0][id], 72);
	ck_assert_uint_eq(b[0] | b[1], 0);
	ck_assert_mem_eq(b + 10, frame, 60);
	/* the two bytes where num_buffers would be are frame bytes */
	ck_assert_uint_eq(b[10], MAC_OWN[0]);
}
END_TEST

START_TEST(legacy_offloads_without_features_ok)
{
	struct vs_device_params p = {0};
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16};
	uint32_t len = udp4(frame, MAC_OWN, 32, 0);

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up_ex(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM) |
			       VS_BIT(VIRTIO_NET_F_HOST_TSO4) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |
			       VS_BIT(VIRTIO_NET_F_MRG_RXBUF), 2);
	ck_assert_uint_eq(vs_vdev_status_peek(dev[0]) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	ck_assert_uint_eq(state(0).guest_offloads,
			  VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4));
	post_rx(0, 0, 4096, 4);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	len = tcp4(frame, MAC_OWN, 2500, 1, 0x10);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(pkt.len, len);
}
END_TEST

START_TEST(legacy_mergeable_header_12_bytes)
{
	struct vs_device_params p = {0};
	uint32_t len = raw_frame(frame, MAC_OWN, 60);

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up_ex(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF), 1);
	ck_assert_uint_eq(hsize[0], 12);
	post_rx(0, 0, 1526, 1);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.used_len[0], 72);
	ck_assert_uint_eq(pkt.h.num_buffers, 1);
	ck_assert_mem_eq(pkt.data, frame, 60);
}
END_TEST

START_TEST(rx_mergeable_spreads)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 1000);

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post_rx(0, 0, 256, 8);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	/* spec dev.net.device-operation.processing-incoming-packets.2 and .3 */
	ck_assert_uint_eq(pkt.h.num_buffers, 4);
	ck_assert_uint_eq(pkt.nbuf, 4);
	ck_assert_uint_eq(pkt.used_len[0], 256);
	ck_assert_uint_eq(pkt.used_len[1], 256);
	ck_assert_uint_eq(pkt.used_len[2], 256);
	ck_assert_uint_eq(pkt.used_len[3], 1012 - 3 * 256);
	ck_assert_uint_eq(pkt.len, 1000);
	ck_assert_mem_eq(pkt.data, frame, 1000);
	/* one used idx update, one notification */
	ck_assert_uint_eq(vring_irqs[0][0], 1);
	ck_assert_uint_eq(used_idx(0, 0), 4);
	ck_assert_uint_eq(stats(0).rx_frames, 1);
}
END_TEST

START_TEST(rx_mergeable_waits_for_buffers)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 1000);

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post_rx(0, 0, 256, 2);
	tx(0, &H0, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).rx_frames, 0);
	post_rx(0, 0, 256, 2);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.num_buffers, 4);
	ck_assert_uint_eq(pkt.head[0], 0);
	ck_assert_uint_eq(pkt.head[3], 3);
	ck_assert_mem_eq(pkt.data, frame, 1000);
}
END_TEST

START_TEST(rx_mergeable_never_fits)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 1000);

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	/* the whole ring: 64 buffers of 12 bytes hold 768 bytes */
	post_rx(0, 0, 12, QSZ);
	tx(0, &H0, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).rx_dropped_too_big, 1);
	/* the buffers stay for the next frame: 112 bytes in 10 of them */
	len = raw_frame(frame, MAC_OWN, 100);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.num_buffers, 10);
	ck_assert_uint_eq(pkt.used_len[0], 12);
	ck_assert_uint_eq(pkt.used_len[9], 112 - 9 * 12);
	ck_assert_uint_eq(pkt.head[0], 0);
	ck_assert_mem_eq(pkt.data, frame, 100);
}
END_TEST

START_TEST(rx_mergeable_tiny_first_buffer)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 60), id, ulen;

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post_rx(0, 0, 8, 1);
	post_rx(0, 0, 256, 1);
	tx(0, &H0, frame, len);
	/* less than a header: given back unused, the packet goes to the next */
	next_used(0, 0, &id, &ulen);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(ulen, 0);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.head[0], 1);
	ck_assert_uint_eq(pkt.used_len[0], 72);
	ck_assert_mem_eq(pkt.data, frame, 60);
}
END_TEST

/* A whole ring of zero-length receive buffers: each is given back unused
 * (used len 0) in one pass, nothing spins; the frame waits for a real
 * buffer and takes it. */
START_TEST(rx_ring_of_empty_buffers)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 60), id, ulen;

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	for (uint32_t i = 0; i < QSZ; i++) {
		struct seg sg = {balloc(64), 0, VRING_DESC_F_WRITE};

		submit(0, 0, &sg, 1);
	}
	tx(0, &H0, frame, len);
	for (uint32_t i = 0; i < QSZ; i++) {
		next_used(0, 0, &id, &ulen);
		ck_assert_uint_eq(id, i);
		ck_assert_uint_eq(ulen, 0);
	}
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).rx_frames, 0);
	ck_assert_uint_eq(stats(0).rx_dropped_too_big, 0);
	post_rx(0, 0, 256, 1);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.head[0], 0);
	ck_assert_uint_eq(pkt.h.num_buffers, 1);
	ck_assert_mem_eq(pkt.data, frame, 60);
	ck_assert_uint_eq(vs_vdev_status_peek(dev[0]) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET, 0);
}
END_TEST

START_TEST(rx_too_big_for_one_buffer)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 200);

	up(0, 0);
	post_rx(0, 0, 100, 1);
	tx(0, &H0, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).rx_dropped_too_big, 1);
	/* the buffer was kept: a smaller frame uses it */
	len = raw_frame(frame, MAC_OWN, 50);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.head[0], 0);
	ck_assert_uint_eq(pkt.used_len[0], 62);
	ck_assert_mem_eq(pkt.data, frame, 50);
}
END_TEST

START_TEST(rx_over_mtu_dropped)
{
	struct vs_device_params p = {.net_mtu = 100};
	uint32_t len = raw_frame(frame, MAC_OWN, 114);

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, VS_BIT(VIRTIO_NET_F_MTU));
	post_rx(0, 0, 1526, 2);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.len, 114);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 115));
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).tx_errors, 1);
}
END_TEST

START_TEST(tx_unknown_flags_ignored)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_DATA_VALID | 0x40, .csum_start = 0xffff,
			 .csum_offset = 0xffff, .num_buffers = 7};
	uint32_t len = raw_frame(frame, MAC_OWN, 80);

	up(0, VS_BIT(VIRTIO_NET_F_CSUM));
	post_rx(0, 0, 1526, 1);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, 0);
	ck_assert_uint_eq(pkt.h.csum_start, 0);
	ck_assert_mem_eq(pkt.data, frame, 80);
}
END_TEST

/* ---- Checksums and segmentation ---- */

START_TEST(csum_completed)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6};
	static uint8_t want[128];
	uint32_t len = udp4(frame, MAC_OWN, 32, 1);

	ck_assert_uint_eq(udp4(want, MAC_OWN, 32, 0), len);
	ck_assert_uint_eq(get16(frame + 40), 0x143c); /* the pseudo header sum */
	up(0, VS_BIT(VIRTIO_NET_F_CSUM));
	post_rx(0, 0, 1526, 1);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, 0);
	ck_assert_uint_eq(pkt.len, len);
	/* computed outside the project for this very frame */
	ck_assert_uint_eq(get16(pkt.data + 40), 0x0965);
	ck_assert(ref_l4_ok(pkt.data));
	ck_assert_mem_eq(pkt.data, want, len);
}
END_TEST

START_TEST(csum_passed_through)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6};
	uint32_t len = udp4(frame, MAC_OWN, 32, 1);

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	post_rx(0, 0, 1526, 1);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	/* spec dev.net.device-operation.processing-incoming-packets.14 - .17 */
	ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(pkt.h.csum_start, 34);
	ck_assert_uint_eq(pkt.h.csum_offset, 6);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_mem_eq(pkt.data, frame, len);
}
END_TEST

START_TEST(csum_data_valid)
{
	uint32_t len = udp4(frame, MAC_OWN, 32, 0);

	up(0, VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	post_rx(0, 0, 1526, 3);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	/* a wrong checksum is not vouched for */
	frame[50] ^= 1;
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, 0);
	ck_assert_mem_eq(pkt.data, frame, len);
	/* nor a frame that is not TCP/UDP */
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 64));
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.flags, 0);
}
END_TEST

/* Check segment i of a TCPv4 GSO frame of payload bytes cut at mss. */
static void check_tcp4_segment(const struct rxpkt *p, uint32_t i, uint32_t payload, uint32_t mss,
			       uint32_t seq0, uint8_t flags0)
{
	uint32_t nseg = (payload + mss - 1) / mss;
	uint32_t chunk = i + 1 < nseg ? mss : payload - i * mss;
	uint8_t want_flags = flags0;

	ck_assert_uint_eq(p->len, 54 + chunk);
	ck_assert_uint_eq(get16(p->data + 16), 40 + chunk);           /* IP total length */
	ck_assert_uint_eq(get16(p->data + 18), 0x1234 + i);           /* IP id */
	ck_assert(ref_ip4_ok(p->data));
	ck_assert(ref_l4_ok(p->data));
	ck_assert_uint_eq(get32(p->data + 38), seq0 + i * mss);       /* TCP seq */
	if (i + 1 < nseg)
		want_flags &= (uint8_t)~0x09; /* FIN, PSH: last only */
	if (i)
		want_flags &= (uint8_t)~0x80; /* CWR: first only */
	ck_assert_uint_eq(p->data[47], want_flags);
	for (uint32_t j = 0; j < chunk; j++)
		ck_assert_uint_eq(p->data[54 + j], (uint8_t)(i * mss + j));
}

START_TEST(gso_tcp4_segmented)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint32_t len = tcp4(frame, MAC_OWN, 2500, 1000, 0x99);
	struct vs_net_stats s;

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4));
	post_rx(0, 0, 1526, 4);
	tx_done(0, 0, tx(0, &h, frame, len));
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.h.flags, 0);
		ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		ck_assert_uint_eq(pkt.h.gso_size, 0);
		check_tcp4_segment(&pkt, i, 2500, 1000, 1000, 0x99);
		ck_assert_mem_eq(pkt.data, frame, 14); /* Ethernet header copied */
	}
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	s = stats(0);
	ck_assert_uint_eq(s.tx_frames, 1);
	ck_assert_uint_eq(s.tx_bytes, len);
	ck_assert_uint_eq(s.tx_segments, 3);
	ck_assert_uint_eq(s.rx_frames, 3);
	ck_assert_uint_eq(s.rx_bytes, 3 * 54 + 2500);
}
END_TEST

START_TEST(gso_tcp4_segments_data_valid)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1448, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint32_t len = tcp4(frame, MAC_OWN, 2896, 7, 0x18);

	/* GUEST_CSUM without GUEST_TSO4: segmented, checksums vouched for */
	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	post_rx(0, 0, 1526, 2);
	tx(0, &h, frame, len);
	for (uint32_t i = 0; i < 2; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
		check_tcp4_segment(&pkt, i, 2896, 1448, 7, 0x18);
	}
}
END_TEST

START_TEST(gso_tcp4_passed_through)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .hdr_len = 3};
	uint32_t len = tcp4(frame, MAC_OWN, 2500, 1000, 0x18);

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post_rx(0, 0, 4096, 2);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.nbuf, 1);
	ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(pkt.h.gso_size, 1000);
	ck_assert_uint_eq(pkt.h.csum_start, 34);
	ck_assert_uint_eq(pkt.h.csum_offset, 16);
	/* the device's own header length, not the sender's hint of 3 */
	ck_assert_uint_eq(pkt.h.hdr_len, 54);
	ck_assert_uint_eq(pkt.len, len);
	ck_assert_mem_eq(pkt.data, frame, len);
	ck_assert_uint_eq(stats(0).tx_segments, 0);
}
END_TEST

/* Ethernet + IPv6 (fd00::1 -> fd00::2) + TCP, pseudo header sum in the
 * checksum field.  Frame length. */
static uint32_t tcp6(uint8_t *f, uint32_t plen, uint32_t seq)
{
	uint8_t *ip = f + 14, *t = f + 54;
	uint32_t s;

	eth(f, MAC_OWN, 0x86dd);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)(20 + plen));
	ip[6] = 6;
	ip[7] = 64;
	ip[8] = 0xfd, ip[23] = 1;
	ip[24] = 0xfd, ip[39] = 2;
	memset(t, 0, 20);
	put16(t, 1000);
	put16(t + 2, 2000);
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
	t[12] = 5 << 4;
	t[13] = 0x18;
	for (uint32_t i = 0; i < plen; i++)
		t[20 + i] = (uint8_t)(i * 3);
	s = ref_sum(6 + 20 + plen, ip + 8, 32);
	put16(t + 16, (uint16_t)s);
	return 54 + 20 + plen;
}

START_TEST(gso_tcp6_segmented)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
			 .gso_size = 1200, .csum_start = 54, .csum_offset = 16, .hdr_len = 74};
	uint32_t len = tcp6(frame, 3000, 5);

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO6));
	post_rx(0, 0, 1526, 3);
	tx(0, &h, frame, len);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t chunk = i < 2 ? 1200 : 600;

		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.len, 74 + chunk);
		ck_assert_uint_eq(get16(pkt.data + 18), 20 + chunk); /* payload length */
		ck_assert_uint_eq(get32(pkt.data + 58), 5 + i * 1200);
		ck_assert_uint_eq(pkt.data[67], i < 2 ? 0x10 : 0x18);
		ck_assert_uint_eq(ref_sum(ref_sum(6 + 20 + chunk, pkt.data + 22, 32), pkt.data + 54,
					  20 + chunk), 0xffff);
		ck_assert_uint_eq(pkt.data[74], (uint8_t)(i * 1200 * 3));
	}
	ck_assert_uint_eq(stats(0).tx_segments, 3);
}
END_TEST

START_TEST(gso_udp_l4_segmented)
{
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_HOST_USO)};
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
			 .gso_size = 500, .csum_start = 34, .csum_offset = 6, .hdr_len = 42};
	uint32_t len = udp4(frame, MAC_OWN, 1200, 1);

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_USO));
	post_rx(0, 0, 1526, 3);
	tx(0, &h, frame, len);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t chunk = i < 2 ? 500 : 200;

		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.len, 42 + chunk);
		ck_assert_uint_eq(get16(pkt.data + 16), 28 + chunk);
		ck_assert_uint_eq(get16(pkt.data + 38), 8 + chunk); /* UDP length */
		ck_assert_uint_eq(get16(pkt.data + 18), 0x1234 + i);
		ck_assert(ref_ip4_ok(pkt.data));
		ck_assert(ref_l4_ok(pkt.data));
		ck_assert_uint_eq(pkt.data[42], (uint8_t)(i * 500 * 7 + 3));
	}
	ck_assert_uint_eq(stats(0).tx_segments, 3);
}
END_TEST

/* ---- Bad transmit chains ---- */

struct bad_tx {
	const char *what;
	struct vhdr h;
	uint32_t len;     /* frame bytes; 0xffffffff: a chain of 8 bytes only */
	int writable;     /* add a device-writable descriptor */
	int udp;          /* the frame is UDP, not TCP */
};

#define GSO4(f, size) {.flags = (f), .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = (size), \
			.csum_start = 34, .csum_offset = 16}

static const struct bad_tx bad_txs[] = {
	{"chain shorter than the header", {0}, 0xffffffffu, 0, 0},
	{"header only", {0}, 0, 0, 0},
	{"13-byte frame", {0}, 13, 0, 0},
	{"over mtu + 14", {0}, 1515, 0, 0},
	{"writable descriptor", {0}, 60, 1, 0},
	{"csum field outside the frame",
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 50, .csum_offset = 9}, 60, 0, 0},
	{"csum start beyond the frame",
	 {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 0xffff, .csum_offset = 0}, 60, 0, 0},
	{"GSO without NEEDS_CSUM", GSO4(0, 1000), 2000, 0, 0},
	{"GSO size 0", GSO4(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0), 2000, 0, 0},
	{"GSO UDP (UFO)", {.flags = 1, .gso_type = VIRTIO_NET_HDR_GSO_UDP, .gso_size = 100}, 2000,
	 0, 1},
	{"GSO type 9", {.flags = 1, .gso_type = 9, .gso_size = 100}, 2000, 0, 0},
	{"GSO ECN without HOST_ECN",
	 {.flags = 1, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
	  .gso_size = 1000}, 2000, 0, 0},
	{"GSO TCPV4 carrying UDP", GSO4(VIRTIO_NET_HDR_F_NEEDS_CSUM, 1000), 2000, 0, 1},
	{"GSO TCPV6 not negotiated",
	 {.flags = 1, .gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 1000}, 2000, 0, 0},
	{"GSO UDP_L4 not negotiated",
	 {.flags = 1, .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 1000}, 2000, 0, 1},
};

START_TEST(tx_bad_chain)
{
	const struct bad_tx *b = &bad_txs[_i];
	struct vs_net_stats s;
	uint32_t id, ulen;
	uint16_t h;

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4));
	post_rx(0, 0, 1526, 2);
	if (b->len == 0xffffffffu) {
		uint64_t g = balloc(8);
		struct seg sg = {g, 8, 0};

		h = submit(0, 1, &sg, 1);
	} else if (b->writable) {
		uint64_t g = balloc(12 + b->len), w = balloc(16);
		struct seg sg[2] = {{g, 12 + b->len, 0}, {w, 16, VRING_DESC_F_WRITE}};

		hdr_put(gp(g, 12), &b->h, 12);
		memcpy(gp(g + 12, b->len), frame, raw_frame(frame, MAC_OWN, b->len));
		h = submit(0, 1, sg, 2);
	} else {
		uint32_t len = b->len;

		if (len >= 60 && b->h.gso_type)
			len = b->udp ? udp4(frame, MAC_OWN, len - 42, 1)
				     : tcp4(frame, MAC_OWN, len - 54, 1, 0x10);
		else if (len >= 14)
			raw_frame(frame, MAC_OWN, len);
		h = tx(0, &b->h, frame, len);
	}
	next_used(0, 1, &id, &ulen);
	ck_assert_uint_eq(id, h);
	ck_assert_uint_eq(ulen, 0);
	ck_assert_msg(!has_used(0, 0), "%s: something was received", b->what);
	s = stats(0);
	ck_assert_msg(s.tx_errors == 1, "%s: tx_errors %llu", b->what,
		      (unsigned long long)s.tx_errors);
	ck_assert_uint_eq(s.rx_frames, 0);
	/* not a broken queue: the next frame goes through */
	ck_assert_uint_eq(vs_vdev_status_peek(dev[0]) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET, 0);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.len, 60);
}
END_TEST

START_TEST(tx_gso_unnegotiated_dropped)
{
	struct vhdr h = GSO4(VIRTIO_NET_HDR_F_NEEDS_CSUM, 1000);
	uint32_t len = tcp4(frame, MAC_OWN, 2000, 1, 0x10);

	up(0, VS_BIT(VIRTIO_NET_F_CSUM));
	post_rx(0, 0, 1526, 2);
	tx_done(0, 0, tx(0, &h, frame, len));
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).tx_errors, 1);
	ck_assert_uint_eq(stats(0).tx_segments, 0);
}
END_TEST

/* ---- Receive filter ---- */

/* Send a frame to dst; was it received? */
static int passes(const uint8_t *dst)
{
	uint32_t len = raw_frame(frame, dst, 64);

	tx(0, &H0, frame, len);
	if (rx_next(0, 0, &pkt))
		return 0;
	ck_assert_mem_eq(pkt.data, frame, len);
	return 1;
}

/* MAC_TABLE_SET with nu unicast then nm multicast addresses. */
static uint8_t mac_table(int d, const uint8_t (*uc)[6], uint32_t nu, const uint8_t (*mc)[6],
			 uint32_t nm)
{
	uint8_t b[8 + 6 * 8];
	uint32_t o = 0;

	vs_put_le32(b, nu);
	o = 4;
	if (nu)
		memcpy(b + o, uc, 6 * nu);
	o += 6 * nu;
	vs_put_le32(b + o, nm);
	o += 4;
	if (nm)
		memcpy(b + o, mc, 6 * nm);
	o += 6 * nm;
	return ctrl(d, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, o);
}

START_TEST(filter_defaults_and_modes)
{
	static const uint8_t stranger[6] = {0x52, 0x54, 0x00, 0x99, 0x99, 0x99};

	up(0, CTRL_ALL);
	post_rx(0, 0, 1526, 32);
	/* own address, broadcast, multicast in; other unicast out */
	ck_assert(passes(MAC_OWN));
	ck_assert(passes(MAC_BCAST));
	ck_assert(passes(MAC_MCAST));
	ck_assert(!passes(MAC_OTHER));
	ck_assert_uint_eq(stats(0).rx_dropped_filter, 1);
	/* ALLMULTI off: multicast only from the table */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, 0),
			  VIRTIO_NET_OK);
	ck_assert(!passes(MAC_MCAST));
	ck_assert(passes(MAC_BCAST));
	ck_assert_uint_eq(mac_table(0, &MAC_OTHER, 1, &MAC_MCAST, 1), VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).uc_count, 1);
	ck_assert_uint_eq(state(0).mc_count, 1);
	ck_assert(passes(MAC_MCAST));
	ck_assert(passes(MAC_OTHER));
	ck_assert(!passes(stranger));
	/* an empty table again */
	ck_assert_uint_eq(mac_table(0, NULL, 0, NULL, 0), VIRTIO_NET_OK);
	ck_assert(!passes(MAC_OTHER));
	ck_assert(!passes(MAC_MCAST));
	ck_assert(passes(MAC_OWN));
	/* promiscuous: everything */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1),
			  VIRTIO_NET_OK);
	ck_assert_int_eq(state(0).promisc, 1);
	ck_assert(passes(stranger));
	ck_assert(passes(MAC_MCAST));
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 0),
			  VIRTIO_NET_OK);
	ck_assert(!passes(stranger));
	ck_assert_uint_eq(stats(0).rx_dropped_filter, 6);
}
END_TEST

START_TEST(filter_rx_extra)
{
	struct vs_device_params p = {.features_add = VS_BIT(VIRTIO_NET_F_CTRL_RX_EXTRA)};

	/* not offered by default: the scenario adds it */
	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, CTRL_ALL | VS_BIT(VIRTIO_NET_F_CTRL_RX_EXTRA));
	post_rx(0, 0, 1526, 32);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, 1),
			  VIRTIO_NET_OK);
	ck_assert(!passes(MAC_BCAST));
	ck_assert(passes(MAC_MCAST));
	/* NOMULTI wins over ALLMULTI, leaves broadcast to NOBCAST */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, 0),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOMULTI, 1),
			  VIRTIO_NET_OK);
	ck_assert(!passes(MAC_MCAST));
	ck_assert(passes(MAC_BCAST));
	/* ALLUNI: any unicast; NOUNI: none, own address included, ALLUNI or not */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLUNI, 1),
			  VIRTIO_NET_OK);
	ck_assert(passes(MAC_OTHER));
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOUNI, 1),
			  VIRTIO_NET_OK);
	ck_assert(!passes(MAC_OTHER));
	ck_assert(!passes(MAC_OWN));
	ck_assert(passes(MAC_BCAST));
	/* promiscuous beats them all */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1),
			  VIRTIO_NET_OK);
	ck_assert(passes(MAC_OWN));
	ck_assert(passes(MAC_MCAST));
	ck_assert_int_eq(state(0).nouni, 1);
	ck_assert_int_eq(state(0).alluni, 1);
	ck_assert_int_eq(state(0).nomulti, 1);
	ck_assert_int_eq(state(0).nobcast, 0);
	ck_assert_uint_eq(stats(0).rx_dropped_filter, 4);
}
END_TEST

START_TEST(filter_mac_table_overflow)
{
	uint8_t b[8 + 6 * 65];
	uint32_t o;

	up(0, CTRL_ALL);
	post_rx(0, 0, 1526, 4);
	/* 65 unicast entries, more than the device keeps: all unicast in */
	vs_put_le32(b, 65);
	for (uint32_t i = 0; i < 65; i++) {
		memcpy(b + 4 + 6 * i, MAC_SRC, 6);
		b[4 + 6 * i + 5] = (uint8_t)(0x40 + i);
	}
	o = 4 + 6 * 65;
	vs_put_le32(b + o, 0);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, o + 4),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).uc_count, 64);
	ck_assert(passes(MAC_OTHER));
}
END_TEST

START_TEST(filter_vlan)
{
	uint32_t len;

	up(0, CTRL_ALL);
	post_rx(0, 0, 1526, 8);
	/* an 802.1Q frame, vid 5 */
	len = raw_frame(frame, MAC_OWN, 64);
	put16(frame + 12, 0x8100);
	put16(frame + 14, 0x2005); /* priority 1, vid 5 */
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).rx_dropped_filter, 1);
	ck_assert(passes(MAC_OWN)); /* untagged: always */
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 5),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).vlan_count, 1);
	len = raw_frame(frame, MAC_OWN, 64);
	put16(frame + 12, 0x8100);
	put16(frame + 14, 0x2005);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_mem_eq(pkt.data, frame, len);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL, 5),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).vlan_count, 0);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).rx_dropped_filter, 2);
}
END_TEST

START_TEST(filter_vlan_not_negotiated)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 64);

	/* spec dev.net.device-operation.control-virtqueue.vlan-filtering.1 */
	up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX));
	post_rx(0, 0, 1526, 1);
	put16(frame + 12, 0x8100);
	put16(frame + 14, 0x0009);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 9),
			  VIRTIO_NET_ERR);
}
END_TEST

/* ---- Control queue ---- */

START_TEST(ctrl_commands)
{
	static const uint8_t newmac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t b[32], mac[6];
	uint32_t gen;
	struct vs_net_stats s;

	up(0, CTRL_ALL);
	/* RX: one byte 0 or 1 */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, 0), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 2), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, b, 0), VIRTIO_NET_ERR);
	memset(b, 0, 2);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, b, 2), VIRTIO_NET_ERR);
	ck_assert_int_eq(state(0).promisc, 1);
	ck_assert_int_eq(state(0).allmulti, 0);
	/* the EXTRA commands need CTRL_RX_EXTRA */
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLUNI, 1), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, 1), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, 6, 1), VIRTIO_NET_ERR);
	ck_assert_int_eq(state(0).alluni + state(0).nobcast, 0);
	/* MAC table: the counts must match the data exactly */
	ck_assert_uint_eq(mac_table(0, &MAC_OTHER, 1, &MAC_MCAST, 1), VIRTIO_NET_OK);
	vs_put_le32(b, 2); /* says 2 unicast, carries 1 */
	memcpy(b + 4, MAC_OTHER, 6);
	vs_put_le32(b + 10, 0);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 14),
			  VIRTIO_NET_ERR);
	vs_put_le32(b, 1);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 15),
			  VIRTIO_NET_ERR); /* a byte too many */
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 4),
			  VIRTIO_NET_ERR); /* no multicast count */
	vs_put_le32(b, 0xffffffffu);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 14),
			  VIRTIO_NET_ERR);
	vs_put_le32(b, 0);
	vs_put_le32(b + 4, 0x2aaaaaabu); /* 6 * n wraps in 32 bits */
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 10),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(state(0).uc_count, 1); /* the refused ones changed nothing */
	ck_assert_uint_eq(state(0).mc_count, 1);
	/* MAC address: 6 bytes, into the config space, generation moves */
	gen = vs_vdev_config_generation(dev[0]);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, newmac, 6),
			  VIRTIO_NET_OK);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, newmac, 6);
	ck_assert_mem_eq(state(0).mac, newmac, 6);
	ck_assert_uint_eq(vs_vdev_config_generation(dev[0]), gen + 1);
	ck_assert_uint_eq(config_irqs[0], 0);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, newmac, 5),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, 2, newmac, 6), VIRTIO_NET_ERR);
	/* VLAN: le16 vid up to 4095 */
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 4095),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 0),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 4096),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 1),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, 2, 1), VIRTIO_NET_ERR);
	ck_assert_uint_eq(state(0).vlan_count, 2);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_DEL, 0),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).vlan_count, 1);
	/* ANNOUNCE_ACK carries nothing */
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, b, 0),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, 0),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_ANNOUNCE, 1, b, 0), VIRTIO_NET_ERR);
	/* MQ not negotiated */
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1),
			  VIRTIO_NET_ERR);
	/* GUEST_OFFLOADS: le64, only negotiated offloads (none here) */
	memset(b, 0, 8);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_OK);
	vs_put_le64(b, VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 4), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS, 1, b, 8), VIRTIO_NET_ERR);
	/* classes nobody defined */
	ck_assert_uint_eq(ctrl(0, 99, 0, b, 0), VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, 6, 0, b, 0), VIRTIO_NET_ERR);
	s = stats(0);
	ck_assert_uint_eq(s.ctrl_ok, 9);
	ck_assert_uint_eq(s.ctrl_err, 24);
}
END_TEST

START_TEST(ctrl_class_needs_feature)
{
	uint8_t b[16] = {0};

	up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ));
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 8),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, MAC_OTHER, 6),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 1),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, b, 0),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_ERR);
	ck_assert_int_eq(state(0).promisc, 0);
	ck_assert_mem_eq(state(0).mac, MAC_OWN, 6);
	ck_assert_uint_eq(stats(0).ctrl_err, 6);
	ck_assert_uint_eq(stats(0).ctrl_ok, 0);
}
END_TEST

START_TEST(ctrl_mac_addr_without_f_mac)
{
	uint8_t mac[6];

	/* spec .setting-mac-address-filtering.3: config mac only with F_MAC */
	up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR));
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, MAC_OTHER, 6),
			  VIRTIO_NET_OK);
	ck_assert_mem_eq(state(0).mac, MAC_OTHER, 6);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, MAC_OWN, 6);
	post_rx(0, 0, 1526, 2);
	ck_assert(passes(MAC_OTHER));
	ck_assert(!passes(MAC_OWN));
}
END_TEST

START_TEST(ctrl_hostile_chains)
{
	uint64_t g = balloc(16), w = balloc(4);
	uint32_t id, len;
	uint16_t h;

	up(0, CTRL_ALL);
	/* no writable byte at all: nothing to answer in */
	gp(g, 3)[0] = VIRTIO_NET_CTRL_RX;
	gp(g, 3)[1] = VIRTIO_NET_CTRL_RX_PROMISC;
	gp(g, 3)[2] = 1;
	{
		struct seg s = {g, 3, 0};

		h = submit(0, 2, &s, 1);
		next_used(0, 2, &id, &len);
		ck_assert_uint_eq(id, h);
		ck_assert_uint_eq(len, 0);
	}
	ck_assert_int_eq(state(0).promisc, 0);
	/* one readable byte: no command */
	{
		struct seg s[2] = {{g, 1, 0}, {w, 1, VRING_DESC_F_WRITE}};

		*gp(w, 1) = 0xee;
		h = submit(0, 2, s, 2);
		next_used(0, 2, &id, &len);
		ck_assert_uint_eq(len, 1);
		ck_assert_uint_eq(*gp(w, 1), VIRTIO_NET_ERR);
	}
	/* two writable bytes: the ack is not the last one */
	{
		struct seg s[2] = {{g, 3, 0}, {w, 2, VRING_DESC_F_WRITE}};

		memset(gp(w, 2), 0xee, 2);
		h = submit(0, 2, s, 2);
		next_used(0, 2, &id, &len);
		ck_assert_uint_eq(len, 1);
		ck_assert_uint_eq(*gp(w, 1), VIRTIO_NET_ERR);
		ck_assert_uint_eq(gp(w, 2)[1], 0xee);
	}
	/* the class split over two descriptors, command and data in a third */
	{
		struct seg s[4] = {{g, 1, 0}, {g + 1, 1, 0}, {g + 2, 1, 0}, {w, 1, VRING_DESC_F_WRITE}};

		*gp(w, 1) = 0xee;
		h = submit(0, 2, s, 4);
		next_used(0, 2, &id, &len);
		ck_assert_uint_eq(len, 1);
		ck_assert_uint_eq(*gp(w, 1), VIRTIO_NET_OK);
	}
	ck_assert_int_eq(state(0).promisc, 1);
	ck_assert_uint_eq(stats(0).ctrl_err, 3);
	ck_assert_uint_eq(stats(0).ctrl_ok, 1);
	ck_assert_uint_eq(vs_vdev_status_peek(dev[0]) & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET, 0);
}
END_TEST

/* ---- Multiqueue ---- */

START_TEST(mq_pairs_and_steering)
{
	struct vs_device_params p = {.net_queue_pairs = 2};
	uint32_t len;

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_MQ));
	ck_assert_uint_eq(ctrlq[0], 4);
	post_rx(0, 0, 1526, 8);
	post_rx(0, 1, 1526, 8);
	/* spec .automatic-receive-steering-in-multiqueue-mode.1: receiveq1
	 * until VQ_PAIRS_SET, whatever queue the flow was sent on */
	len = udp4(frame, MAC_OWN, 10, 0);
	tx_ex(0, 1, &H0, frame, len, 0);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_int_eq(rx_next(0, 1, &pkt), -1);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, frame, 3),
			  VIRTIO_NET_ERR);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, 1, 2), VIRTIO_NET_ERR);
	ck_assert_uint_eq(state(0).cur_pairs, 1);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).cur_pairs, 2);
	/* a flow sent on transmitq2 comes back on receiveq2, on
	 * transmitq1 on receiveq1 (5.1.9.5.6's SHOULD) */
	tx_ex(0, 1, &H0, frame, len, 0);
	ck_assert_int_eq(rx_next(0, 1, &pkt), 0);
	ck_assert_mem_eq(pkt.data, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	tx_ex(0, 0, &H0, frame, len, 0);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_int_eq(rx_next(0, 1, &pkt), -1);
	/* back to one pair: receiveq1 only */
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1),
			  VIRTIO_NET_OK);
	tx_ex(0, 1, &H0, frame, len, 0);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_int_eq(rx_next(0, 1, &pkt), -1);
}
END_TEST

START_TEST(mq_resteer_backlog)
{
	struct vs_device_params p = {.net_queue_pairs = 2};
	uint32_t len = udp4(frame, MAC_OWN, 10, 0);

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_MQ));
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
			  VIRTIO_NET_OK);
	/* waits on receiveq2, no buffers there */
	tx_ex(0, 1, &H0, frame, len, 0);
	ck_assert_int_eq(rx_next(0, 1, &pkt), -1);
	/* spec .automatic-receive-steering-in-multiqueue-mode.2: once the
	 * command is used, nothing more for receiveq2 */
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1),
			  VIRTIO_NET_OK);
	post_rx(0, 1, 1526, 2);
	ck_assert_int_eq(rx_next(0, 1, &pkt), -1);
	post_rx(0, 0, 1526, 2);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_mem_eq(pkt.data, frame, len);
}
END_TEST

START_TEST(mq_offered_not_negotiated)
{
	struct vs_device_params p = {.net_queue_pairs = 3};

	ck_assert_int_eq(create_dev(0, &p), 0);
	ck_assert_uint_eq(vs_vdev_num_queues(dev[0]), 7);
	/* without MQ the control queue is queue 2 (spec 5.1.2, N = 1) */
	bring_up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_RX));
	ck_assert_uint_eq(ctrlq[0], 2);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
			  VIRTIO_NET_ERR);
	/* queue 3 (transmitq2) is not in use: not served */
	tx_ex(0, 1, &H0, frame, raw_frame(frame, MAC_OWN, 60), 0);
	ck_assert(!has_used(0, 3));
	ck_assert_uint_eq(stats(0).tx_frames, 0);
}
END_TEST

/* ---- Pairing, link, announce ---- */

START_TEST(pair_two_devices)
{
	struct vs_device_params p1 = {.net_mac = {0x02, 0, 0, 0, 0, 2}};
	struct vs_device_params pb = {0};
	struct vs_vdev_env env = {.arena = arena, .loop = loop, .faults = &faults, .seed = 1};
	struct vs_vdev *blk;
	uint32_t len;

	up(0, 0);
	ck_assert_int_eq(create_dev(1, &p1), 0);
	bring_up(1, 0);
	ck_assert_int_eq(vs_net_connect(dev[0], dev[1]), 0);
	ck_assert_int_eq(state(0).paired, 1);
	ck_assert_int_eq(state(1).paired, 1);
	ck_assert_int_eq(vs_net_connect(dev[0], dev[1]), -EBUSY);
	ck_assert_int_eq(vs_net_connect(dev[1], dev[0]), -EBUSY);
	ck_assert_int_eq(vs_net_connect(dev[0], dev[0]), -EINVAL);
	ck_assert_int_eq(vs_net_connect(dev[0], NULL), -ENODEV);
	ck_assert_int_eq(vs_device_create("blk", &pb, &env, &blk), 0);
	ck_assert_int_eq(vs_net_connect(dev[0], blk), -ENODEV);
	ck_assert_int_eq(vs_net_set_link(blk, 0), -ENODEV);
	ck_assert_int_eq(vs_net_get_state(blk, &(struct vs_net_state){0}), -ENODEV);
	vs_vdev_destroy(blk);
	post_rx(0, 0, 1526, 4);
	post_rx(1, 0, 1526, 4);
	/* 0 -> 1, not back to 0 */
	len = raw_frame(frame, p1.net_mac, 100);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(1, 0, &pkt), 0);
	ck_assert_mem_eq(pkt.data, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	/* 1 -> 0 */
	len = raw_frame(frame, MAC_OWN, 90);
	tx(1, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_mem_eq(pkt.data, frame, len);
	/* a frame for 0's address sent by 0 goes to 1, whose filter drops it */
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(1).rx_dropped_filter, 1);
	ck_assert_uint_eq(stats(0).tx_frames, 2);
	ck_assert_uint_eq(stats(1).rx_frames, 1);
	/* the peer goes away: 0's frames go nowhere, not back to itself */
	vs_vdev_destroy(dev[1]);
	dev[1] = NULL;
	ck_assert_int_eq(state(0).paired, 0);
	used_seen[0][1] = used_idx(0, 1);
	tx_done(0, 0, tx(0, &H0, frame, len));
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).tx_frames, 3);
	/* and it can be paired again */
	ck_assert_int_eq(create_dev(1, &p1), 0);
	ck_assert_int_eq(vs_net_connect(dev[1], dev[0]), 0);
}
END_TEST

START_TEST(pair_with_offloads)
{
	struct vs_device_params p1 = {.net_mac = {0x02, 0, 0, 0, 0, 2}};
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint32_t len = tcp4(frame, p1.net_mac, 2500, 1, 0x10);

	/* the receiver's features decide: 1 takes TSO, 0 does not */
	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4));
	ck_assert_int_eq(create_dev(1, &p1), 0);
	bring_up(1, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
			    VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |
			    VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert_int_eq(vs_net_connect(dev[0], dev[1]), 0);
	post_rx(0, 0, 1526, 4);
	post_rx(1, 0, 4096, 4);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(1, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(pkt.len, len);
	ck_assert_uint_eq(stats(0).tx_segments, 0);
	len = tcp4(frame, MAC_OWN, 2500, 1, 0x10);
	tx(1, &h, frame, len);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		check_tcp4_segment(&pkt, i, 2500, 1000, 1, 0x10);
	}
	ck_assert_uint_eq(stats(1).tx_segments, 3);
}
END_TEST

START_TEST(link_down_up)
{
	uint32_t gen, len = raw_frame(frame, MAC_OWN, 60);
	struct vs_device_params nostatus = {.features_remove = VS_BIT(VIRTIO_NET_F_STATUS)};

	up(0, VS_BIT(VIRTIO_NET_F_STATUS));
	post_rx(0, 0, 1526, 4);
	gen = vs_vdev_config_generation(dev[0]);
	ck_assert_int_eq(vs_net_set_link(dev[0], 0), 0);
	ck_assert_uint_eq(config_irqs[0], 1);
	ck_assert_uint_eq(vs_vdev_config_generation(dev[0]), gen + 1);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), 0);
	ck_assert_int_eq(state(0).link_up, 0);
	/* down: transmitted frames are consumed and dropped */
	tx_done(0, 0, tx(0, &H0, frame, len));
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).tx_frames, 1);
	/* the same state again: nothing */
	ck_assert_int_eq(vs_net_set_link(dev[0], 0), 0);
	ck_assert_uint_eq(config_irqs[0], 1);
	ck_assert_int_eq(vs_net_set_link(dev[0], 1), 0);
	ck_assert_uint_eq(config_irqs[0], 2);
	ck_assert_uint_eq(vs_vdev_config_generation(dev[0]), gen + 2);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	/* without STATUS offered there is no link to change */
	ck_assert_int_eq(create_dev(1, &nostatus), 0);
	ck_assert_int_eq(vs_net_set_link(dev[1], 0), -EOPNOTSUPP);
}
END_TEST

START_TEST(link_down_drops_backlog)
{
	uint32_t len = raw_frame(frame, MAC_OWN, 60);

	up(0, VS_BIT(VIRTIO_NET_F_STATUS));
	for (int i = 0; i < 3; i++)
		tx(0, &H0, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_int_eq(vs_net_set_link(dev[0], 0), 0);
	ck_assert_uint_eq(stats(0).rx_dropped_backlog, 3);
	ck_assert_int_eq(vs_net_set_link(dev[0], 1), 0);
	post_rx(0, 0, 1526, 4);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
}
END_TEST

START_TEST(link_down_param_and_peer)
{
	struct vs_device_params down = {.net_link_down = 1, .net_mac = {0x02, 0, 0, 0, 0, 2}};
	uint32_t len = raw_frame(frame, down.net_mac, 60);

	up(0, 0);
	ck_assert_int_eq(create_dev(1, &down), 0);
	bring_up(1, VS_BIT(VIRTIO_NET_F_STATUS));
	ck_assert_uint_eq(cfg16(1, VS_NET_CFG_STATUS), 0);
	ck_assert_int_eq(vs_net_connect(dev[0], dev[1]), 0);
	post_rx(1, 0, 1526, 2);
	/* the receiver's link is down: lost on its side */
	tx_done(0, 0, tx(0, &H0, frame, len));
	ck_assert_int_eq(rx_next(1, 0, &pkt), -1);
	ck_assert_uint_eq(stats(1).rx_dropped_backlog, 1);
	ck_assert_int_eq(vs_net_set_link(dev[1], 1), 0);
	ck_assert_uint_eq(config_irqs[1], 1);
	tx(0, &H0, frame, len);
	ck_assert_int_eq(rx_next(1, 0, &pkt), 0);
}
END_TEST

START_TEST(announce)
{
	uint32_t gen;

	up(0, VS_BIT(VIRTIO_NET_F_STATUS));
	ck_assert_int_eq(vs_net_announce(dev[0]), -EOPNOTSUPP);
	vs_vdev_destroy(dev[0]);
	bound[0] = 0;
	up(0, CTRL_ALL);
	gen = vs_vdev_config_generation(dev[0]);
	ck_assert_int_eq(vs_net_announce(dev[0]), 0);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	ck_assert_uint_eq(config_irqs[0], 1);
	ck_assert_uint_eq(vs_vdev_config_generation(dev[0]), gen + 1);
	ck_assert_int_eq(state(0).announce_pending, 1);
	/* spec dev.net.device-operation.control-virtqueue.gratuitous-packet-sending.1 */
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP);
	ck_assert_int_eq(state(0).announce_pending, 0);
	ck_assert_uint_eq(config_irqs[0], 1);
	ck_assert_int_eq(vs_net_announce(NULL), -ENODEV);
}
END_TEST

/* ---- Backlog and reset ---- */

START_TEST(backlog_drained_on_kick)
{
	up(0, 0);
	for (uint32_t i = 0; i < 3; i++) {
		raw_frame(frame, MAC_OWN, 60);
		frame[14] = (uint8_t)i;
		tx(0, &H0, frame, 60);
	}
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(stats(0).rx_frames, 0);
	ck_assert_uint_eq(stats(0).rx_dropped_backlog, 0);
	post_rx(0, 0, 1526, 3);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.data[14], i);
	}
	ck_assert_uint_eq(stats(0).rx_frames, 3);
}
END_TEST

START_TEST(backlog_overflow)
{
	const uint32_t total = VS_NET_BACKLOG + 6;

	up(0, 0);
	for (uint32_t i = 0; i < total; i++) {
		raw_frame(frame, MAC_OWN, 60);
		put16(frame + 14, (uint16_t)i);
		tx(0, &H0, frame, 60);
		if (i % 32 == 31)
			ck_assert_int_eq(vs_loop_drain(loop), 0);
	}
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(stats(0).tx_frames, total);
	ck_assert_uint_eq(stats(0).rx_dropped_backlog, 6);
	post_rx(0, 0, 1526, QSZ);
	for (uint32_t i = 0; i < QSZ; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(get16(pkt.data + 14), i);
	}
}
END_TEST

START_TEST(reset_restores)
{
	uint8_t mac[6];

	up(0, CTRL_ALL | VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1), VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, MAC_OTHER, 6),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, 7),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(mac_table(0, &MAC_SRC, 1, NULL, 0), VIRTIO_NET_OK);
	ck_assert_int_eq(vs_net_announce(dev[0]), 0);
	/* a held buffer (too small) and two frames waiting */
	post_rx(0, 0, 256, 1);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 1000));
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	ck_assert(!has_used(0, 0));
	vs_vdev_reset(dev[0]);
	ck_assert_int_eq(state(0).promisc, 0);
	ck_assert_int_eq(state(0).allmulti, 1);
	ck_assert_mem_eq(state(0).mac, MAC_OWN, 6);
	ck_assert_int_eq(vs_vdev_config_read(dev[0], VS_NET_CFG_MAC, mac, 6), 0);
	ck_assert_mem_eq(mac, MAC_OWN, 6);
	ck_assert_uint_eq(state(0).vlan_count + state(0).uc_count, 0);
	ck_assert_int_eq(state(0).announce_pending, 0);
	ck_assert_uint_eq(cfg16(0, VS_NET_CFG_STATUS), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(state(0).guest_offloads, 0);
	/* the backlog went with the reset */
	restart(0);
	bring_up(0, CTRL_ALL | VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	post_rx(0, 0, 1526, 2);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert(passes(MAC_OWN));
	ck_assert(!passes(MAC_OTHER));
}
END_TEST

START_TEST(reset_pairs_back_to_one)
{
	struct vs_device_params p = {.net_queue_pairs = 2};

	ck_assert_int_eq(create_dev(0, &p), 0);
	bring_up(0, VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_MQ));
	ck_assert_uint_eq(ctrl_u16(0, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
			  VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).cur_pairs, 2);
	vs_vdev_reset(dev[0]);
	ck_assert_uint_eq(state(0).cur_pairs, 1);
	ck_assert_uint_eq(state(0).max_pairs, 2);
}
END_TEST

/* ---- Guest offloads ---- */

START_TEST(guest_offloads_set)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint64_t both = VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4);
	uint32_t len = tcp4(frame, MAC_OWN, 2500, 1, 0x10);
	uint8_t b[8];

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) | both |
		      VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) |
		      VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	/* spec 5.1.9.5.9.1: negotiated offloads start enabled */
	ck_assert_uint_eq(state(0).guest_offloads, both);
	vs_put_le64(b, VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_OK);
	ck_assert_uint_eq(state(0).guest_offloads, VS_BIT(VIRTIO_NET_F_GUEST_CSUM));
	post_rx(0, 0, 4096, 8);
	tx(0, &h, frame, len);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
		ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		check_tcp4_segment(&pkt, i, 2500, 1000, 1, 0x10);
	}
	vs_put_le64(b, both);
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_OK);
	tx(0, &h, frame, len);
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(pkt.len, len);
}
END_TEST

START_TEST(guest_offloads_refit_backlog)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 1000, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint32_t len = tcp4(frame, MAC_OWN, 2500, 1, 0x10);
	uint8_t b[8] = {0};

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_CTRL_VQ) | VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS));
	/* waits as one GSO frame; then the driver turns every offload off */
	tx(0, &h, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_OK);
	post_rx(0, 0, 1526, 4);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
		ck_assert_uint_eq(pkt.h.flags, 0);
		ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		check_tcp4_segment(&pkt, i, 2500, 1000, 1, 0x10);
	}
}
END_TEST

/* A GSO frame that waited as one (the driver took TSO4) is segmented when
 * the driver turns the offload off; segments beyond mtu + 14 are not passed
 * with gso NONE (spec dev.net.device-configuration-layout.5), as they are
 * not when segmented on the way in. */
START_TEST(guest_offloads_refit_keeps_mtu)
{
	struct vhdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			 .gso_size = 4000, .csum_start = 34, .csum_offset = 16, .hdr_len = 54};
	uint32_t len = tcp4(frame, MAC_OWN, 9000, 1, 0x10);
	uint8_t b[8] = {0};

	up(0, VS_BIT(VIRTIO_NET_F_CSUM) | VS_BIT(VIRTIO_NET_F_HOST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4) |
		      VS_BIT(VIRTIO_NET_F_MTU) | VS_BIT(VIRTIO_NET_F_CTRL_VQ) |
		      VS_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS));
	tx(0, &h, frame, len);
	ck_assert(!has_used(0, 0));
	ck_assert_uint_eq(ctrl(0, VIRTIO_NET_CTRL_GUEST_OFFLOADS,
			       VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), VIRTIO_NET_OK);
	post_rx(0, 0, 8192, 4);
	/* 4000 + 4000 + 1000 payload bytes: only the last segment fits 1514 */
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.len, 54 + 1000);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_int_eq(rx_next(0, 0, &pkt), -1);
	ck_assert_uint_eq(stats(0).rx_dropped_too_big, 2);
	ck_assert_uint_eq(stats(0).rx_frames, 1);
}
END_TEST

/* ---- Faults ---- */

START_TEST(fault_num_buffers_over)
{
	uint32_t id, len;
	struct vhdr h;

	up(0, VS_BIT(VIRTIO_NET_F_MRG_RXBUF));
	vs_faults_set(&faults, VS_FAULT_DEV_NET_NUM_BUFFERS_OVER, VS_FAULT_ALWAYS, 0, 0, 0);
	post_rx(0, 0, 1526, 2);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	next_used(0, 0, &id, &len);
	ck_assert_uint_eq(len, 72);
	hdr_get(gp(head_gpa[0][0][id], 12), &h, 12);
	ck_assert_uint_eq(h.num_buffers, 2);
	ck_assert(!has_used(0, 0));
}
END_TEST

START_TEST(fault_used_len_short)
{
	uint32_t id, len;

	up(0, 0);
	vs_faults_set(&faults, VS_FAULT_DEV_NET_USED_LEN_SHORT, VS_FAULT_ALWAYS, 0, 0, 0);
	post_rx(0, 0, 1526, 1);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	next_used(0, 0, &id, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(gp(head_gpa[0][0][id] + 12, 60), frame, 60);
}
END_TEST

START_TEST(fault_ctrl_bad_ack)
{
	up(0, CTRL_ALL);
	vs_faults_set(&faults, VS_FAULT_DEV_NET_CTRL_BAD_ACK, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 1), 7);
	ck_assert_int_eq(state(0).promisc, 1);
	ck_assert_uint_eq(ctrl_u8(0, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, 0),
			  VIRTIO_NET_OK);
}
END_TEST

START_TEST(fault_rx_gso_unnegotiated)
{
	up(0, 0);
	post_rx(0, 0, 1526, 2);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	vs_faults_set(&faults, VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED, VS_FAULT_ALWAYS, 0, 0, 0);
	tx(0, &H0, frame, raw_frame(frame, MAC_OWN, 60));
	ck_assert_int_eq(rx_next(0, 0, &pkt), 0);
	ck_assert_uint_eq(pkt.h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(pkt.h.gso_size, 1448);
	ck_assert_mem_eq(pkt.data, frame, 60);
}
END_TEST

static Suite *net_dev_suite(void)
{
	Suite *s = suite_create("net_dev");
	TCase *tc;

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_defaults);
	tcase_add_test(tc, config_from_params);
	tcase_add_test(tc, config_features_remove);
	tcase_add_loop_test(tc, config_bad_params, 0,
			    (int)(sizeof(bad_params) / sizeof(bad_params[0])));
	tcase_add_test(tc, config_limits_accepted);
	tcase_add_test(tc, config_read_only_modern);
	tcase_add_test(tc, config_mac_writable_legacy);
	tcase_add_test(tc, features_requires_refused);
	tcase_add_test(tc, features_ecn_and_extra_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("DataPath");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tx_loopback_small_buffers);
	tcase_add_test(tc, rx_chain_of_descriptors);
	tcase_add_test(tc, legacy_header_10_bytes);
	tcase_add_test(tc, legacy_mergeable_header_12_bytes);
	tcase_add_test(tc, legacy_offloads_without_features_ok);
	tcase_add_test(tc, rx_mergeable_spreads);
	tcase_add_test(tc, rx_mergeable_waits_for_buffers);
	tcase_add_test(tc, rx_mergeable_never_fits);
	tcase_add_test(tc, rx_mergeable_tiny_first_buffer);
	tcase_add_test(tc, rx_ring_of_empty_buffers);
	tcase_add_test(tc, rx_too_big_for_one_buffer);
	tcase_add_test(tc, rx_over_mtu_dropped);
	tcase_add_test(tc, tx_unknown_flags_ignored);
	tcase_add_test(tc, backlog_drained_on_kick);
	tcase_add_test(tc, backlog_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("Offloads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, csum_completed);
	tcase_add_test(tc, csum_passed_through);
	tcase_add_test(tc, csum_data_valid);
	tcase_add_test(tc, gso_tcp4_segmented);
	tcase_add_test(tc, gso_tcp4_segments_data_valid);
	tcase_add_test(tc, gso_tcp4_passed_through);
	tcase_add_test(tc, gso_tcp6_segmented);
	tcase_add_test(tc, gso_udp_l4_segmented);
	tcase_add_test(tc, guest_offloads_set);
	tcase_add_test(tc, guest_offloads_refit_backlog);
	tcase_add_test(tc, guest_offloads_refit_keeps_mtu);
	suite_add_tcase(s, tc);

	tc = tcase_create("BadInput");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, tx_bad_chain, 0, (int)(sizeof(bad_txs) / sizeof(bad_txs[0])));
	tcase_add_test(tc, tx_gso_unnegotiated_dropped);
	tcase_add_test(tc, ctrl_hostile_chains);
	suite_add_tcase(s, tc);

	tc = tcase_create("Filter");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, filter_defaults_and_modes);
	tcase_add_test(tc, filter_rx_extra);
	tcase_add_test(tc, filter_mac_table_overflow);
	tcase_add_test(tc, filter_vlan);
	tcase_add_test(tc, filter_vlan_not_negotiated);
	suite_add_tcase(s, tc);

	tc = tcase_create("Control");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ctrl_commands);
	tcase_add_test(tc, ctrl_class_needs_feature);
	tcase_add_test(tc, ctrl_mac_addr_without_f_mac);
	tcase_add_test(tc, mq_pairs_and_steering);
	tcase_add_test(tc, mq_resteer_backlog);
	tcase_add_test(tc, mq_offered_not_negotiated);
	tcase_add_test(tc, reset_restores);
	tcase_add_test(tc, reset_pairs_back_to_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("Wire");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pair_two_devices);
	tcase_add_test(tc, pair_with_offloads);
	tcase_add_test(tc, link_down_up);
	tcase_add_test(tc, link_down_drops_backlog);
	tcase_add_test(tc, link_down_param_and_peer);
	tcase_add_test(tc, announce);
	suite_add_tcase(s, tc);

	tc = tcase_create("Faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_num_buffers_over);
	tcase_add_test(tc, fault_used_len_short);
	tcase_add_test(tc, fault_ctrl_bad_ack);
	tcase_add_test(tc, fault_rx_gso_unnegotiated);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
