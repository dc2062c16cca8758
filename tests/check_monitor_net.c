/*
 * check_monitor_net.c - the monitor's network device rules (spec 5.1,
 * harness/rules/net.c and net_ctrl.c): one faulty-side script per rule
 * (exactly that rule fires, the exact number of times, on the right side,
 * or with the one other rule the same fault necessarily breaks), clean
 * sequences of mergeable and single-buffer receive, offloaded transmit,
 * control commands and multiqueue where nothing fires, and a legacy
 * device (10-byte header, MMIO version 1) judged without false alarms.
 *
 * The script drives the queues of a fake virtio-mmio net bank, each with
 * rings of its own: receiveq1 (0), transmitq1 (1), then receiveq2 (2) and
 * transmitq2 (3) with two pairs, and the controlq after the last pair.
 * The "driver" writes headers, packets and commands with plain stores;
 * the "device" writes receive headers and acks through vs_arena_write
 * (VS_SIDE_DEVICE), as the real sides do.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "monitor_fixture.h"

#define NX VRING_DESC_F_NEXT
#define W VRING_DESC_F_WRITE
#define NQ 5u     /* queues with rings */
#define QNUM 32u  /* entries per ring */
#define HL VS_NET_HDR_SIZE

/* 5.1 values the abi header does not carry (as rules/net_internal.h) */
#define F_VQ_NOTF_COAL 52
#define F_NOTF_COAL 53
#define F_HASH_TUNNEL 51
#define F_RSS_CONTEXT 64
#define F_HOST_UDP_TUNNEL_GSO 67
#define F_HOST_UDP_TUNNEL_GSO_CSUM 68
#define F_GUEST_UDP_TUNNEL_GSO 65
#define HDR_F_UDP_TUNNEL_CSUM 8u
#define HDR_F_SECURITY 16u
#define HDR_F_SECURITY_ERR 32u
#define GSO_TUN4 0x20u
#define GSO_TUN6 0x40u
#define CFG_RSS_KEY 17u
#define CFG_RSS_TABLE 18u
#define CFG_HASH_TYPES 20u
#define CFG_TUNNEL_TYPES 24u
#define CTRL_RSS_CONFIG 1u
#define CTRL_HASH_CONFIG 2u
#define CTRL_NOTF_COAL 6u
#define CTRL_HASH_TUNNEL 7u
#define CTRL_RSS_CTX 9u

struct tq {
	uint64_t desc, avail, used;
	uint16_t avail_idx, used_idx, nd;
};

static struct tq Q[NQ];
static uint32_t acc[3];     /* feature words the driver accepts */
static uint64_t RXB, TXB, CTL, ACK;
static unsigned cq;         /* queue of the chain being built */
static uint16_t chead;      /* its head */
static unsigned ctrlq = 2;  /* the controlq's index */

static void cfg_put(uint32_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		F.bank.config[off + i] = (uint8_t)(v >> (8 * i));
}

static void offer(unsigned bit, int accept)
{
	F.bank.features[bit / 32] |= 1u << (bit % 32);
	if (accept)
		acc[bit / 32] |= 1u << (bit % 32);
}

static void unoffer(unsigned bit)
{
	F.bank.features[bit / 32] &= ~(1u << (bit % 32));
	acc[bit / 32] &= ~(1u << (bit % 32));
}

static void refuse(unsigned bit)
{
	acc[bit / 32] &= ~(1u << (bit % 32));
}

static void net_setup(void)
{
	fx_setup();
	F.bank.device_id = VIRTIO_ID_NET;
	memset(Q, 0, sizeof(Q));
	memset(acc, 0, sizeof(acc));
	ctrlq = 2;
	acc[1] = 1u << (VIRTIO_F_VERSION_1 - 32);
	offer(VIRTIO_NET_F_MAC, 1);
	offer(VIRTIO_NET_F_STATUS, 1);
	offer(VIRTIO_NET_F_CTRL_VQ, 1);
	offer(VIRTIO_NET_F_CTRL_RX, 1);
	offer(VIRTIO_NET_F_MRG_RXBUF, 1);
	offer(VIRTIO_NET_F_CSUM, 1);
	offer(VIRTIO_NET_F_GUEST_CSUM, 1);
	cfg_put(VS_NET_CFG_MAC, 0x563412005452ull, 6);
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP, 2);
	cfg_put(VS_NET_CFG_MAX_PAIRS, 2, 2);
	cfg_put(VS_NET_CFG_MTU, 1500, 2);
	cfg_put(VS_NET_CFG_SPEED, 1000, 4);
	cfg_put(VS_NET_CFG_DUPLEX, 1, 1);
	cfg_put(CFG_RSS_KEY, 40, 1);
	cfg_put(CFG_RSS_TABLE, 128, 2);
	cfg_put(CFG_HASH_TYPES, 0x7, 4);
	cfg_put(CFG_TUNNEL_TYPES, 0x10, 4);
	for (unsigned i = 0; i < NQ; i++) {
		ck_assert_int_eq(vs_arena_alloc(F.arena, VS_DESC_SIZE(QNUM), 16, &Q[i].desc), 0);
		ck_assert_int_eq(vs_arena_alloc(F.arena, VS_AVAIL_SIZE(QNUM), 16, &Q[i].avail), 0);
		ck_assert_int_eq(vs_arena_alloc(F.arena, VS_USED_SIZE(QNUM), 16, &Q[i].used), 0);
	}
	ck_assert_int_eq(vs_arena_alloc(F.arena, 3 * 65536, 4096, &RXB), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 3 * 4096, 4096, &TXB), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 4096, 16, &CTL), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 64, 16, &ACK), 0);
}

/* ---- the scripted driver: initialization ---- */

/* One config field inside a generation bracket, as virtio_cread does. */
static void cread(uint32_t off, unsigned width)
{
	if (fx_mmio_version == 2)
		rd(VIRTIO_MMIO_CONFIG_GENERATION);
	rdw(VIRTIO_MMIO_CONFIG + off, width);
	if (fx_mmio_version == 2)
		rd(VIRTIO_MMIO_CONFIG_GENERATION);
	else
		rd(VIRTIO_MMIO_STATUS); /* ends the config read burst */
}

static void net_negotiate(void)
{
	for (int w = 2; w >= 0; w--) {
		wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, (uint32_t)w);
		rd(VIRTIO_MMIO_DEVICE_FEATURES);
	}
	for (int w = 2; w >= 0; w--) {
		wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, (uint32_t)w);
		wr(VIRTIO_MMIO_DRIVER_FEATURES, acc[w]);
	}
}

static int accepted(unsigned bit)
{
	return (acc[bit / 32] >> (bit % 32)) & 1u;
}

static void q_program(unsigned i)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, i);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)Q[i].desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)Q[i].avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)Q[i].used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* The config a driver reads after FEATURES_OK. */
static void read_config(void)
{
	if (accepted(VIRTIO_NET_F_MAC))
		for (unsigned i = 0; i < VS_ETH_ALEN; i++)
			cread(VS_NET_CFG_MAC + i, 1);
	if (accepted(VIRTIO_NET_F_STATUS))
		cread(VS_NET_CFG_STATUS, 2);
	if (accepted(VIRTIO_NET_F_MQ) || accepted(VIRTIO_NET_F_RSS))
		cread(VS_NET_CFG_MAX_PAIRS, 2);
	if (accepted(VIRTIO_NET_F_MTU))
		cread(VS_NET_CFG_MTU, 2);
}

/* Probe, negotiate, read config, enable the queues whose bit is set in
 * qmask, DRIVER_OK.  The controlq follows the pairs in use. */
static void net_init_mask(uint32_t qmask)
{
	preamble();
	reset_dev();
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	net_negotiate();
	ck_assert(features_ok());
	read_config();
	for (unsigned i = 0; i < NQ; i++)
		if (qmask & (1u << i))
			q_program(i);
	driver_ok();
}

/* rx1, tx1 and (with CTRL_VQ) the controlq; with MQ / RSS two pairs. */
static void net_init(void)
{
	int multi = accepted(VIRTIO_NET_F_MQ) || accepted(VIRTIO_NET_F_RSS);

	ctrlq = multi ? 4 : 2;
	net_init_mask((multi ? 0xfu : 0x3u) |
		      (accepted(VIRTIO_NET_F_CTRL_VQ) ? 1u << ctrlq : 0));
}

/* ---- the scripted driver: chains ---- */

static void chain_begin(unsigned qi)
{
	cq = qi;
	chead = Q[qi].nd;
}

static void chain_add(uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t i = Q[cq].nd++;
	uint8_t *p = vs_arena_translate(F.arena, Q[cq].desc + 16ull * i, 16);

	ck_assert_uint_lt(i, QNUM);
	vs_put_le64(p, addr);
	vs_put_le32(p + 8, len);
	vs_put_le16(p + 12, flags | NX);
	vs_put_le16(p + 14, (uint16_t)(i + 1));
}

static uint16_t chain_end(void)
{
	uint8_t *last = vs_arena_translate(F.arena, Q[cq].desc + 16ull * (Q[cq].nd - 1), 16);

	vs_put_le16(last + 12, (uint16_t)(vs_le16(last + 12) & ~NX));
	put16(Q[cq].avail + VS_AVAIL_RING(Q[cq].avail_idx % QNUM), chead);
	Q[cq].avail_idx++;
	put16(Q[cq].avail + VS_AVAIL_IDX, Q[cq].avail_idx);
	kick(cq);
	return chead;
}

/* A receive buffer of len bytes at gpa on queue qi. */
static uint16_t post_rx(unsigned qi, uint64_t gpa, uint32_t len)
{
	chain_begin(qi);
	chain_add(gpa, len, W);
	return chain_end();
}

static void put_hdr(uint8_t *h, uint8_t flags, uint8_t gso, uint16_t hdr_len, uint16_t gso_size,
		    uint16_t cs, uint16_t co, uint16_t nb)
{
	memset(h, 0, HL);
	h[VS_NET_HDR_FLAGS] = flags;
	h[VS_NET_HDR_GSO_TYPE] = gso;
	vs_put_le16(h + VS_NET_HDR_HDR_LEN, hdr_len);
	vs_put_le16(h + VS_NET_HDR_GSO_SIZE, gso_size);
	vs_put_le16(h + VS_NET_HDR_CSUM_START, cs);
	vs_put_le16(h + VS_NET_HDR_CSUM_OFFSET, co);
	vs_put_le16(h + VS_NET_HDR_NUM_BUFFERS, nb);
}

/* A packet on transmit queue qi: a header of hl bytes (the first 12 as
 * given), plen bytes of frame (zeros but for a TCP data offset of 5 at
 * byte 46 and, with vlan, an 802.1Q ethertype). */
static uint16_t send_tx_on(unsigned qi, unsigned hl, uint8_t flags, uint8_t gso,
			   uint16_t hdr_len, uint16_t gso_size, uint16_t cs, uint16_t co,
			   uint32_t plen, int vlan)
{
	uint8_t *p = vs_arena_translate(F.arena, TXB, hl + plen);
	uint8_t h[HL];

	memset(p, 0, hl + plen);
	put_hdr(h, flags, gso, hdr_len, gso_size, cs, co, 0);
	memcpy(p, h, hl < HL ? hl : HL);
	if (plen > 46)
		p[hl + 46] = 0x50;
	if (vlan) {
		p[hl + 12] = 0x81;
		p[hl + 13] = 0x00;
	}
	chain_begin(qi);
	chain_add(TXB, hl + plen, 0);
	return chain_end();
}

static uint16_t send_tx(uint8_t flags, uint8_t gso, uint16_t hdr_len, uint16_t gso_size,
			uint16_t cs, uint16_t co, uint32_t plen)
{
	return send_tx_on(1, HL, flags, gso, hdr_len, gso_size, cs, co, plen, 0);
}

/* A control command: class, command, data (device-readable), ack. */
static uint16_t send_ctrl(uint8_t cls, uint8_t cmd, const void *data, uint32_t dlen)
{
	uint8_t *p = vs_arena_translate(F.arena, CTL, 2 + dlen);

	p[0] = cls;
	p[1] = cmd;
	if (dlen)
		memcpy(p + 2, data, dlen);
	*(uint8_t *)vs_arena_translate(F.arena, ACK, 1) = 0xff;
	chain_begin(ctrlq);
	chain_add(CTL, 2, 0);
	if (dlen)
		chain_add(CTL + 2, dlen, 0);
	chain_add(ACK, 1, W);
	return chain_end();
}

/* ---- the scripted device ---- */

static void d_fill(unsigned qi, uint16_t id, uint32_t len)
{
	uint8_t e[8];

	vs_put_le32(e, id);
	vs_put_le32(e + 4, len);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, Q[qi].used + VS_USED_RING(Q[qi].used_idx % QNUM),
		       e, 8);
	Q[qi].used_idx++;
}

static void d_flush(unsigned qi)
{
	uint8_t i2[2];

	vs_put_le16(i2, Q[qi].used_idx);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, Q[qi].used + VS_USED_IDX, i2, 2);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void d_push(unsigned qi, uint16_t id, uint32_t len)
{
	d_fill(qi, id, len);
	d_flush(qi);
}

/* Write a receive header (hl bytes, the first 12 as given) and payload
 * zeros into the buffer at gpa. */
static void d_rx_write(uint64_t gpa, unsigned hl, uint8_t flags, uint8_t gso, uint16_t gso_size,
		       uint16_t cs, uint16_t co, uint16_t nb, uint32_t payload)
{
	uint8_t h[32] = {0};

	put_hdr(h, flags, gso, 0, gso_size, cs, co, nb);
	if (hl < HL)
		h[VS_NET_HDR_NUM_BUFFERS] = h[VS_NET_HDR_NUM_BUFFERS + 1] = 0;
	vs_arena_write(F.arena, VS_SIDE_DEVICE, gpa, h, hl);
	if (payload)
		dev_write(gpa + hl, payload);
}

/* One packet in one posted buffer of bufsz bytes on receiveq1. */
static void rx_packet(uint32_t bufsz, uint8_t flags, uint8_t gso, uint16_t gso_size, uint16_t cs,
		      uint16_t co, uint16_t nb, uint32_t payload)
{
	uint16_t head = post_rx(0, RXB, bufsz);

	d_rx_write(RXB, HL, flags, gso, gso_size, cs, co, nb, payload);
	d_push(0, head, HL + payload);
}

static void d_ack(uint16_t head, uint8_t ack)
{
	vs_arena_write(F.arena, VS_SIDE_DEVICE, ACK, &ack, 1);
	d_push(ctrlq, head, 1);
}

static void ctrl(uint8_t cls, uint8_t cmd, const void *data, uint32_t dlen, uint8_t ack)
{
	d_ack(send_ctrl(cls, cmd, data, dlen), ack);
}

static void pairs_set(uint16_t n, uint8_t ack)
{
	uint8_t d[2];

	vs_put_le16(d, n);
	ctrl(VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, d, 2, ack);
}

static void tx_done(uint16_t head)
{
	d_push(cq, head, 0);
}

/* ---- assertions ---- */

/* Only `rule` (and `also`) fired; `rule` exactly n times, on side. */
static void expect_n(const char *rule, enum vs_side side, const char *also, unsigned n)
{
	unsigned seen = 0;

	expect_only(rule, side, also);
	for (size_t i = 0; i < vs_monitor_violation_count(F.mon); i++) {
		const struct vs_violation *v = vs_monitor_violation(F.mon, i);

		if (strcmp(v->rule->id, rule) == 0)
			seen += v->count;
	}
	ck_assert_uint_eq(seen, n);
}

/* ---- device side: receive ---- */

static void rx_num_buffers_over(void)
{
	/* the fault device.net-num-buffers-over: num_buffers 2, one buffer */
	uint16_t a;

	net_init();
	a = post_rx(0, RXB, 1536);
	post_rx(0, RXB + 2048, 1536);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 2, 60);
	d_push(0, a, HL + 60);
}

static void rx_num_buffers_next_packet(void)
{
	/* the same fault with the next packet in the same batch: the short
	 * buffer ends the first packet */
	uint16_t a, b;

	net_init();
	a = post_rx(0, RXB, 1536);
	b = post_rx(0, RXB + 2048, 1536);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 2, 60);
	d_rx_write(RXB + 2048, HL, 0, 0, 0, 0, 0, 1, 60);
	d_fill(0, a, HL + 60);
	d_fill(0, b, HL + 60);
	d_flush(0);
}

static void rx_num_buffers_zero(void)
{
	net_init();
	rx_packet(1536, 0, 0, 0, 0, 0, 0, 60);
}

static void rx_buffers_together(void)
{
	uint16_t a, b;

	net_init();
	a = post_rx(0, RXB, 100);
	b = post_rx(0, RXB + 2048, 100);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 2, 100 - HL);
	d_push(0, a, 100);
	dev_write(RXB + 2048, 50);
	d_push(0, b, 50);
}

static void rx_num_buffers_one(void)
{
	refuse(VIRTIO_NET_F_MRG_RXBUF);
	net_init();
	rx_packet(1526, 0, 0, 0, 0, 0, 0, 60);
}

static void rx_used_len(void)
{
	uint16_t a;

	net_init();
	a = post_rx(0, RXB, 1536);
	dev_write(RXB, 8);
	d_push(0, a, 8);
}

static void rx_flags_unnegotiated(void)
{
	refuse(VIRTIO_NET_F_GUEST_CSUM);
	net_init();
	rx_packet(1536, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 1, 60);
}

static void rx_gso(uint8_t gso)
{
	net_init();
	rx_packet(4096, VIRTIO_NET_HDR_F_NEEDS_CSUM, gso, 1448, 34, 16, 1, 3000);
}

static void rx_gso_tcpv4(void)
{
	rx_gso(VIRTIO_NET_HDR_GSO_TCPV4);
}

static void rx_gso_udp(void)
{
	rx_gso(VIRTIO_NET_HDR_GSO_UDP);
}

static void rx_gso_tcpv6(void)
{
	rx_gso(VIRTIO_NET_HDR_GSO_TCPV6);
}

static void rx_gso_uso(void)
{
	rx_gso(VIRTIO_NET_HDR_GSO_UDP_L4);
}

static void rx_gso_none(void)
{
	rx_gso(2); /* no such protocol; no guest GSO negotiated either */
}

static void rx_gso_tunnel(void)
{
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	rx_gso(VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN4);
}

static void rx_gso_ecn(void)
{
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	rx_gso(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
}

static void rx_tunnel_csum(void)
{
	net_init();
	rx_packet(1536, VIRTIO_NET_HDR_F_NEEDS_CSUM | HDR_F_UDP_TUNNEL_CSUM, 0, 0, 34, 16, 1, 100);
}

static void rx_gso_csum(void)
{
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	net_init();
	rx_packet(4096, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1448, 0, 0, 1, 3000);
}

static void rx_rsc_info(void)
{
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	offer(VIRTIO_NET_F_RSC_EXT, 1);
	rx_gso(VIRTIO_NET_HDR_GSO_TCPV4);
}

static void rx_rsc_unnegotiated(void)
{
	net_init();
	rx_packet(1536, VIRTIO_NET_HDR_F_RSC_INFO, 0, 0, 3, 0, 1, 100);
}

static void rx_tunnel_data_valid(void)
{
	uint16_t a;

	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	offer(VIRTIO_NET_F_GUEST_TSO6, 1);
	offer(VIRTIO_NET_F_GUEST_USO4, 1);
	offer(VIRTIO_NET_F_GUEST_USO6, 1);
	offer(F_GUEST_UDP_TUNNEL_GSO, 1);
	net_init();
	/* the header is 24 bytes with the tunnel fields */
	a = post_rx(0, RXB, 4096);
	d_rx_write(RXB, 24, VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID,
		   VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN4, 1448, 84, 16, 1, 3000);
	d_push(0, a, 24 + 3000);
}

static void rx_security_flag(void)
{
	net_init();
	rx_packet(1536, HDR_F_SECURITY, 0, 0, 0, 0, 1, 100);
}

static void rx_security_err_flag(void)
{
	net_init();
	rx_packet(1536, HDR_F_SECURITY_ERR, 0, 0, 0, 0, 1, 100);
}

static void rx_csum_range(void)
{
	net_init();
	rx_packet(1536, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 100, 16, 1, 60);
}

static void rx_over_mtu(void)
{
	offer(VIRTIO_NET_F_MTU, 1);
	net_init();
	rx_packet(2048, 0, 0, 0, 0, 0, 1, 1500 + VS_ETH_HLEN + 1);
}

static void mq_features(void)
{
	offer(VIRTIO_NET_F_MQ, 1);
}

static void rx_queue_before_mq(void)
{
	uint16_t a;

	mq_features();
	net_init();
	a = post_rx(2, RXB, 1536);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 1, 60);
	d_push(2, a, HL + 60);
}

static void rx_queue_beyond_pairs(void)
{
	uint16_t a;

	mq_features();
	net_init();
	pairs_set(1, VIRTIO_NET_OK);
	a = post_rx(2, RXB, 1536);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 1, 60);
	d_push(2, a, HL + 60);
}

/* ---- device side: configuration and features ---- */

static void max_pairs_range(void)
{
	mq_features();
	cfg_put(VS_NET_CFG_MAX_PAIRS, 0, 2);
	net_init_mask(0x3);
}

static void mtu_range(void)
{
	offer(VIRTIO_NET_F_MTU, 1);
	cfg_put(VS_NET_CFG_MTU, 60, 2);
	net_init();
}

static void mtu_small(void)
{
	offer(VIRTIO_NET_F_MTU, 1);
	cfg_put(VS_NET_CFG_MTU, 1000, 2);
	net_init();
}

static void mtu_changed(void)
{
	offer(VIRTIO_NET_F_MTU, 1);
	net_init();
	cfg_put(VS_NET_CFG_MTU, 1400, 2);
	F.bank.generation++;
	cread(VS_NET_CFG_MTU, 2);
}

static void rss_key_size(void)
{
	offer(VIRTIO_NET_F_RSS, 0);
	cfg_put(CFG_RSS_KEY, 20, 1);
	net_init();
	cread(CFG_RSS_KEY, 1);
}

static void rss_table_length(void)
{
	offer(VIRTIO_NET_F_RSS, 0);
	cfg_put(CFG_RSS_TABLE, 64, 2);
	net_init();
	cread(CFG_RSS_TABLE, 2);
}

static void speed_value(void)
{
	offer(VIRTIO_NET_F_SPEED_DUPLEX, 1);
	cfg_put(VS_NET_CFG_SPEED, 0x80000000u, 4);
	net_init();
	cread(VS_NET_CFG_SPEED, 4);
}

static void duplex_value(void)
{
	offer(VIRTIO_NET_F_SPEED_DUPLEX, 1);
	cfg_put(VS_NET_CFG_DUPLEX, 2, 1);
	net_init();
	cread(VS_NET_CFG_DUPLEX, 1);
}

static void speed_duplex_changed(void)
{
	offer(VIRTIO_NET_F_SPEED_DUPLEX, 1);
	net_init();
	cread(VS_NET_CFG_SPEED, 4);
	cfg_put(VS_NET_CFG_SPEED, 100, 4);
	F.bank.generation++;
	cread(VS_NET_CFG_STATUS, 2);
	cread(VS_NET_CFG_SPEED, 4);
}

static void no_ctrl_vq(void)
{
	unoffer(VIRTIO_NET_F_CTRL_RX);
	unoffer(VIRTIO_NET_F_CTRL_VQ);
}

static void offer_hash_report(void)
{
	no_ctrl_vq();
	offer(VIRTIO_NET_F_HASH_REPORT, 0);
	net_init();
}

static void offer_rx_extra(void)
{
	no_ctrl_vq();
	offer(VIRTIO_NET_F_CTRL_RX_EXTRA, 0);
	net_init();
}

static void offer_depends(void)
{
	unoffer(VIRTIO_NET_F_GUEST_CSUM);
	offer(VIRTIO_NET_F_GUEST_TSO4, 0);
	net_init();
}

/* ---- device side: control queue ---- */

static const uint8_t on = 1;

static void ctrl_ack_value(void)
{
	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1, 7);
}

static void ctrl_ack_not_written(void)
{
	net_init();
	d_push(ctrlq, send_ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), 1);
}

static void ctrl_used_len(void)
{
	uint16_t h;
	uint8_t ok = VIRTIO_NET_OK;

	net_init();
	h = send_ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, ACK, &ok, 1);
	d_push(ctrlq, h, 0);
}

static void ctrl_rx_unsupported(void)
{
	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1, VIRTIO_NET_ERR);
}

static void ctrl_rx_extra_unsupported(void)
{
	offer(VIRTIO_NET_F_CTRL_RX_EXTRA, 1);
	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, &on, 1, VIRTIO_NET_ERR);
}

static const uint8_t new_mac[6] = {0x02, 0, 0, 0, 0, 0x42};

static void ctrl_mac_config(void)
{
	offer(VIRTIO_NET_F_CTRL_MAC_ADDR, 1);
	net_init();
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, new_mac, 6, VIRTIO_NET_OK);
	for (unsigned i = 0; i < VS_ETH_ALEN; i++)
		cread(VS_NET_CFG_MAC + i, 1); /* the device kept the old address */
}

static void coal_vq(uint16_t vq, uint8_t ack)
{
	uint8_t d[12] = {0};

	offer(F_VQ_NOTF_COAL, 1);
	net_init();
	vs_put_le16(d, vq);
	ctrl(CTRL_NOTF_COAL, 2, d, sizeof(d), ack);
}

static void ctrl_notf_coal_vq_ack(void)
{
	coal_vq(9, VIRTIO_NET_OK);
}

/* ---- driver side: configuration and features ---- */

static void config_write(void)
{
	net_init();
	wrw(VIRTIO_MMIO_CONFIG + VS_NET_CFG_MAC, 1, 0x02);
}

static void mac_not_negotiated(void)
{
	refuse(VIRTIO_NET_F_MAC);
	net_init();
}

static void mtu_not_negotiated(void)
{
	offer(VIRTIO_NET_F_MTU, 0);
	net_init();
}

static void standby_not_negotiated(void)
{
	offer(VIRTIO_NET_F_STANDBY, 0);
	net_init();
}

static void hash_report_no_ctrl_vq(void)
{
	refuse(VIRTIO_NET_F_CTRL_RX);
	refuse(VIRTIO_NET_F_CTRL_VQ);
	offer(VIRTIO_NET_F_HASH_REPORT, 1);
	net_init();
}

static void rx_extra_no_ctrl_vq(void)
{
	refuse(VIRTIO_NET_F_CTRL_RX);
	refuse(VIRTIO_NET_F_CTRL_VQ);
	offer(VIRTIO_NET_F_CTRL_RX_EXTRA, 1);
	net_init();
}

static void feature_depends(void)
{
	refuse(VIRTIO_NET_F_GUEST_CSUM);
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	net_init();
}

/* ---- driver side: receive buffers ---- */

static void rx_readable(void)
{
	net_init();
	chain_begin(0);
	chain_add(RXB, 16, 0);
	chain_add(RXB + 16, 1536, W);
	chain_end();
}

static void rx_buffer_header(void)
{
	net_init();
	post_rx(0, RXB, 8);
}

static void rx_buffer_small_gso(void)
{
	refuse(VIRTIO_NET_F_MRG_RXBUF);
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	net_init();
	post_rx(0, RXB, 1526);
}

static void rx_buffer_small(void)
{
	refuse(VIRTIO_NET_F_MRG_RXBUF);
	net_init();
	post_rx(0, RXB, 1000);
}

static void rx_buffer_mtu(void)
{
	refuse(VIRTIO_NET_F_MRG_RXBUF);
	offer(VIRTIO_NET_F_MTU, 1);
	cfg_put(VS_NET_CFG_MTU, 9000, 2);
	net_init();
	post_rx(0, RXB, 1526); /* big enough for 1500, not 9000 */
}

/* ---- driver side: transmit ---- */

static void tx_writable(void)
{
	uint8_t *p = vs_arena_translate(F.arena, TXB, HL + 60);

	net_init();
	memset(p, 0, HL + 60);
	chain_begin(1);
	chain_add(TXB, HL + 60, 0);
	chain_add(TXB + 1024, 4, W);
	chain_end();
}

static void tx_header(void)
{
	net_init();
	chain_begin(1);
	chain_add(TXB, 8, 0);
	chain_end();
}

static void tx_num_buffers(void)
{
	uint8_t *p = vs_arena_translate(F.arena, TXB, HL + 60);

	net_init();
	memset(p, 0, HL + 60);
	vs_put_le16(p + VS_NET_HDR_NUM_BUFFERS, 1);
	chain_begin(1);
	chain_add(TXB, HL + 60, 0);
	chain_end();
}

static void tx_flags_unnegotiated(void)
{
	refuse(VIRTIO_NET_F_CSUM);
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 16, 100);
}

static void tx_gso(uint8_t gso)
{
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, gso, 54, 1448, 34, 16, 3000);
}

static void tx_gso_tcpv4(void)
{
	/* the fault driver.net-tx-gso-unnegotiated */
	tx_gso(VIRTIO_NET_HDR_GSO_TCPV4);
}

static void tx_gso_tcpv6(void)
{
	tx_gso(VIRTIO_NET_HDR_GSO_TCPV6);
}

static void tx_gso_udp(void)
{
	tx_gso(VIRTIO_NET_HDR_GSO_UDP);
}

static void tx_gso_uso(void)
{
	tx_gso(VIRTIO_NET_HDR_GSO_UDP_L4);
}

static void tx_gso_none(void)
{
	tx_gso(2);
}

static void tx_gso_ecn(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	tx_gso(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
}

static void tx_gso_tunnel(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	tx_gso(VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN4);
}

/* HOST_UDP_TUNNEL_GSO negotiated: the header is 24 bytes. */
static void tunnel_features(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	offer(VIRTIO_NET_F_HOST_TSO6, 1);
	offer(VIRTIO_NET_F_HOST_USO, 1);
	offer(F_HOST_UDP_TUNNEL_GSO, 1);
}

static void tx_tunnel(uint8_t flags, uint8_t gso, uint16_t hdr_len)
{
	net_init();
	send_tx_on(1, 24, flags, gso, hdr_len, gso ? 1448 : 0, 34, 16, 3000, 0);
}

static void tx_tunnel_family(void)
{
	tunnel_features();
	tx_tunnel(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN6, 54);
}

static void tx_tunnel_csum_unnegotiated(void)
{
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM | HDR_F_UDP_TUNNEL_CSUM, 0, 0, 0, 34, 16, 100);
}

static void tx_tunnel_udp(void)
{
	tunnel_features();
	offer(VIRTIO_NET_F_HOST_UFO, 1);
	tx_tunnel(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP | GSO_TUN4, 42);
}

static void tx_tunnel_both(void)
{
	tunnel_features();
	tx_tunnel(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN4 | GSO_TUN6, 54);
}

static void tx_tunnel_csum_flag(void)
{
	tunnel_features();
	offer(F_HOST_UDP_TUNNEL_GSO_CSUM, 1);
	tx_tunnel(VIRTIO_NET_HDR_F_NEEDS_CSUM | HDR_F_UDP_TUNNEL_CSUM, 0, 0);
}

static void tx_tunnel_data_valid(void)
{
	tunnel_features();
	tx_tunnel(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID,
		  VIRTIO_NET_HDR_GSO_TCPV4 | GSO_TUN4, 54);
}

static void tx_csum_range(void)
{
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 100, 16, 60);
}

static void tx_gso_csum(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	net_init();
	send_tx(0, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1448, 34, 16, 3000);
}

static void tx_hdr_len(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	offer(VIRTIO_NET_F_GUEST_HDRLEN, 1);
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 60, 1448, 34, 16, 3000);
}

static void tx_hdr_len_short(void)
{
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	net_init();
	send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 40, 1448, 34, 16, 3000);
}

static void tx_flags_invalid(void)
{
	net_init();
	send_tx(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0, 100);
}

static void tx_over_mtu(void)
{
	/* the fault driver.net-tx-over-mtu */
	offer(VIRTIO_NET_F_MTU, 1);
	net_init();
	send_tx(0, 0, 0, 0, 0, 0, 1500 + VS_ETH_HLEN + 1);
}

static void tx_queue_before_mq(void)
{
	mq_features();
	net_init();
	send_tx_on(3, HL, 0, 0, 0, 0, 0, 0, 100, 0);
}

static void tx_queue_beyond_pairs(void)
{
	mq_features();
	net_init();
	pairs_set(1, VIRTIO_NET_OK);
	send_tx_on(3, HL, 0, 0, 0, 0, 0, 0, 100, 0);
}

/* ---- driver side: control queue ---- */

static void ctrl_framing(void)
{
	uint16_t h;

	net_init();
	chain_begin(ctrlq);
	chain_add(CTL, 1, 0);
	chain_add(ACK, 1, W);
	h = chain_end();
	d_ack(h, VIRTIO_NET_ERR);
}

static void ctrl_framing_result(void)
{
	uint16_t h;
	uint8_t *p = vs_arena_translate(F.arena, CTL, 3);

	net_init();
	p[0] = VIRTIO_NET_CTRL_RX;
	p[1] = VIRTIO_NET_CTRL_RX_PROMISC;
	p[2] = 1;
	chain_begin(ctrlq);
	chain_add(CTL, 3, 0);
	chain_add(ACK, 2, W); /* PROMISC has no result */
	h = chain_end();
	d_ack(h, VIRTIO_NET_OK);
}

static void ctrl_data(void)
{
	static const uint8_t two[2] = {1, 1};

	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, two, 2, VIRTIO_NET_ERR);
}

static void ctrl_unnegotiated(void)
{
	/* the fault driver.net-ctrl-unnegotiated: VQ_PAIRS_SET without MQ */
	net_init();
	pairs_set(1, VIRTIO_NET_ERR);
}

static void ctrl_rx_unnegotiated(void)
{
	refuse(VIRTIO_NET_F_CTRL_RX);
	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1, VIRTIO_NET_ERR);
}

static void ctrl_rx_extra_unnegotiated(void)
{
	net_init();
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLUNI, &on, 1, VIRTIO_NET_ERR);
}

/* MAC_TABLE_SET data: n1 unicast, n2 multicast addresses. */
static uint32_t mac_table(uint8_t *d, uint32_t n1, uint32_t n2)
{
	memset(d, 0, 8 + 6 * (n1 + n2));
	vs_put_le32(d, n1);
	vs_put_le32(d + 4 + 6 * n1, n2);
	return 8 + 6 * (n1 + n2);
}

static void ctrl_mac_unnegotiated(void)
{
	uint8_t d[64];

	refuse(VIRTIO_NET_F_CTRL_RX);
	net_init();
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, mac_table(d, 1, 1),
	     VIRTIO_NET_ERR);
}

static void ctrl_mac_table(void)
{
	uint8_t d[64];
	uint32_t len = mac_table(d, 1, 1);

	vs_put_le32(d + 10, 2); /* says two multicast addresses, carries one */
	net_init();
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, len, VIRTIO_NET_ERR);
}

static void announce_ack_missing(void)
{
	offer(VIRTIO_NET_F_GUEST_ANNOUNCE, 1);
	net_init();
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE, 2);
	F.bank.generation++;
	dev_irq(VIRTIO_MMIO_INT_CONFIG);
	cread(VS_NET_CFG_STATUS, 2);
}

static void mq_queues_not_ready(void)
{
	mq_features();
	ctrlq = 4;
	net_init_mask(0x13); /* receiveq2 and transmitq2 not enabled */
	pairs_set(2, VIRTIO_NET_ERR);
}

static void mq_pairs_range(void)
{
	mq_features();
	net_init();
	pairs_set(3, VIRTIO_NET_ERR);
}

static void ctrl_rss_unnegotiated(void)
{
	uint8_t d[16] = {0};

	net_init();
	ctrl(VIRTIO_NET_CTRL_MQ, CTRL_RSS_CONFIG, d, 13, VIRTIO_NET_ERR);
}

/* struct virtio_net_rss_config with entries table entries, all naming
 * vq (its bits 1..16), a 0-byte key. */
static uint32_t rss_cfg(uint8_t *d, uint32_t types, uint16_t entries, uint16_t vq)
{
	uint32_t len = 8 + 2u * entries + 3;

	memset(d, 0, len);
	vs_put_le32(d, types);
	vs_put_le16(d + 4, (uint16_t)(entries - 1));
	for (unsigned i = 0; i < entries; i++)
		vs_put_le16(d + 8 + 2 * i, (uint16_t)(vq >> 1));
	vs_put_le16(d + 8 + 2u * entries, 2);
	return len;
}

static void rss(uint32_t types, uint16_t entries, uint16_t vq)
{
	static uint8_t d[2048];

	offer(VIRTIO_NET_F_RSS, 1);
	net_init();
	cread(CFG_RSS_KEY, 1);
	cread(CFG_RSS_TABLE, 2);
	cread(CFG_HASH_TYPES, 4);
	ctrl(VIRTIO_NET_CTRL_MQ, CTRL_RSS_CONFIG, d, rss_cfg(d, types, entries, vq),
	     VIRTIO_NET_OK);
}

static void rss_table_queue(void)
{
	rss(0x1, 4, 6); /* queue 6: two pairs have no receiveq4 */
}

static void rss_table_queue_disabled(void)
{
	static uint8_t d[64];

	offer(VIRTIO_NET_F_RSS, 1);
	ctrlq = 4;
	net_init_mask(0x13); /* receiveq2 not enabled */
	/* entry 1 names queue 2 */
	ctrl(VIRTIO_NET_CTRL_MQ, CTRL_RSS_CONFIG, d, rss_cfg(d, 0x1, 2, 2), VIRTIO_NET_OK);
}

static void rss_table_size(void)
{
	rss(0x1, 3, 2);
}

static void rss_table_max(void)
{
	rss(0x1, 256, 2);
}

static void rss_hash_types(void)
{
	rss(0x100, 4, 2);
}

static void ctrl_offloads_unnegotiated(void)
{
	uint8_t d[8];

	offer(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, 1);
	net_init();
	vs_put_le64(d, VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4));
	ctrl(VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, d, 8,
	     VIRTIO_NET_ERR);
}

static void ctrl_notf_coal_vq(void)
{
	coal_vq(9, VIRTIO_NET_ERR);
}

static void ctrl_notf_coal_unnegotiated(void)
{
	uint8_t d[8] = {0};

	net_init();
	ctrl(CTRL_NOTF_COAL, 0, d, 8, VIRTIO_NET_ERR);
}

static void ctrl_vq_notf_coal_unnegotiated(void)
{
	uint8_t d[12] = {0};

	net_init();
	ctrl(CTRL_NOTF_COAL, 2, d, 12, VIRTIO_NET_ERR);
}

static void ctrl_hash_tunnel_unnegotiated(void)
{
	uint8_t d[4] = {0};

	net_init();
	ctrl(CTRL_HASH_TUNNEL, 0, d, 4, VIRTIO_NET_ERR);
}

static void ctrl_hash_tunnel_types(void)
{
	uint8_t d[4];

	offer(VIRTIO_NET_F_RSS, 1);
	offer(F_HASH_TUNNEL, 1);
	net_init();
	cread(CFG_TUNNEL_TYPES, 4);
	vs_put_le32(d, 0x11);
	ctrl(CTRL_HASH_TUNNEL, 0, d, 4, VIRTIO_NET_OK);
}

static void ctrl_rss_ctx_unnegotiated(void)
{
	net_init();
	ctrl(CTRL_RSS_CTX, 0, NULL, 0, VIRTIO_NET_ERR);
}

struct net_case {
	const char *rule;
	enum vs_side side;
	void (*run)(void);
	const char *also;
	unsigned n; /* times rule fires */
};

#define DEV VS_SIDE_DEVICE
#define DRV VS_SIDE_DRIVER

static const struct net_case cases[] = {
	{"net.rx-num-buffers", DEV, rx_num_buffers_over, NULL, 1},
	{"net.rx-num-buffers", DEV, rx_num_buffers_next_packet, NULL, 1},
	{"net.rx-num-buffers", DEV, rx_num_buffers_zero, NULL, 1},
	{"net.rx-buffers-together", DEV, rx_buffers_together, NULL, 1},
	{"net.rx-num-buffers-one", DEV, rx_num_buffers_one, NULL, 1},
	{"net.rx-used-len", DEV, rx_used_len, NULL, 1},
	{"net.rx-flags-unnegotiated", DEV, rx_flags_unnegotiated, NULL, 1},
	{"net.rx-gso-unnegotiated", DEV, rx_gso_tcpv4, NULL, 1},
	{"net.rx-gso-udp-unnegotiated", DEV, rx_gso_udp, NULL, 1},
	{"net.rx-gso-tcpv6-unnegotiated", DEV, rx_gso_tcpv6, NULL, 1},
	{"net.rx-gso-uso-unnegotiated", DEV, rx_gso_uso, NULL, 1},
	{"net.rx-gso-tunnel-unnegotiated", DEV, rx_gso_tunnel, NULL, 1},
	{"net.rx-tunnel-csum-unnegotiated", DEV, rx_tunnel_csum, NULL, 1},
	{"net.rx-gso-ecn", DEV, rx_gso_ecn, NULL, 1},
	{"net.rx-gso-none", DEV, rx_gso_none, NULL, 1},
	{"net.rx-gso-csum", DEV, rx_gso_csum, NULL, 1},
	{"net.rx-rsc-info", DEV, rx_rsc_info, NULL, 1},
	{"net.rx-rsc-unnegotiated", DEV, rx_rsc_unnegotiated, NULL, 1},
	{"net.rx-tunnel-data-valid", DEV, rx_tunnel_data_valid, NULL, 1},
	{"net.rx-security-flag", DEV, rx_security_flag, NULL, 1},
	{"net.rx-security-err-flag", DEV, rx_security_err_flag, NULL, 1},
	{"net.rx-csum-range", DEV, rx_csum_range, NULL, 1},
	{"net.rx-over-mtu", DEV, rx_over_mtu, NULL, 1},
	{"net.rx-queue-before-mq", DEV, rx_queue_before_mq, NULL, 1},
	{"net.rx-queue-beyond-pairs", DEV, rx_queue_beyond_pairs, NULL, 1},
	{"net.max-pairs-range", DEV, max_pairs_range, NULL, 1},
	{"net.mtu-range", DEV, mtu_range, NULL, 1},
	{"net.mtu-small", DEV, mtu_small, NULL, 1},
	{"net.mtu-changed", DEV, mtu_changed, NULL, 1},
	{"net.rss-key-size", DEV, rss_key_size, NULL, 1},
	{"net.rss-table-length", DEV, rss_table_length, NULL, 1},
	{"net.speed-value", DEV, speed_value, NULL, 1},
	{"net.duplex-value", DEV, duplex_value, NULL, 1},
	{"net.speed-duplex-changed", DEV, speed_duplex_changed, NULL, 1},
	{"net.offer-hash-report", DEV, offer_hash_report, NULL, 1},
	{"net.offer-rx-extra", DEV, offer_rx_extra, NULL, 1},
	{"net.offer-depends", DEV, offer_depends, NULL, 1},
	{"net.ctrl-ack-value", DEV, ctrl_ack_value, NULL, 1},
	{"net.ctrl-ack-not-written", DEV, ctrl_ack_not_written, NULL, 1},
	{"net.ctrl-used-len", DEV, ctrl_used_len, NULL, 1},
	{"net.ctrl-rx-unsupported", DEV, ctrl_rx_unsupported, NULL, 1},
	{"net.ctrl-rx-extra-unsupported", DEV, ctrl_rx_extra_unsupported, NULL, 1},
	{"net.ctrl-mac-config", DEV, ctrl_mac_config, NULL, 1},
	{"net.ctrl-notf-coal-vq-ack", DEV, ctrl_notf_coal_vq_ack, "net.ctrl-notf-coal-vq", 1},
	{"net.config-write", DRV, config_write, NULL, 1},
	{"net.mac-not-negotiated", DRV, mac_not_negotiated, NULL, 1},
	{"net.mtu-not-negotiated", DRV, mtu_not_negotiated, NULL, 1},
	{"net.standby-not-negotiated", DRV, standby_not_negotiated, NULL, 1},
	{"net.hash-report-no-ctrl-vq", DRV, hash_report_no_ctrl_vq, NULL, 1},
	{"net.rx-extra-no-ctrl-vq", DRV, rx_extra_no_ctrl_vq, NULL, 1},
	{"net.feature-depends", DRV, feature_depends, NULL, 1},
	{"net.rx-readable", DRV, rx_readable, NULL, 1},
	{"net.rx-buffer-header", DRV, rx_buffer_header, NULL, 1},
	{"net.rx-buffer-small-gso", DRV, rx_buffer_small_gso, NULL, 1},
	{"net.rx-buffer-small", DRV, rx_buffer_small, NULL, 1},
	{"net.rx-buffer-mtu", DRV, rx_buffer_mtu, NULL, 1},
	{"net.tx-writable", DRV, tx_writable, NULL, 1},
	{"net.tx-header", DRV, tx_header, NULL, 1},
	{"net.tx-num-buffers", DRV, tx_num_buffers, NULL, 1},
	{"net.tx-flags-unnegotiated", DRV, tx_flags_unnegotiated, NULL, 1},
	{"net.tx-gso-unnegotiated", DRV, tx_gso_tcpv4, NULL, 1},
	{"net.tx-gso-tcpv6-unnegotiated", DRV, tx_gso_tcpv6, NULL, 1},
	{"net.tx-gso-udp-unnegotiated", DRV, tx_gso_udp, NULL, 1},
	{"net.tx-gso-uso-unnegotiated", DRV, tx_gso_uso, NULL, 1},
	{"net.tx-gso-ecn", DRV, tx_gso_ecn, NULL, 1},
	{"net.tx-gso-tunnel-unnegotiated", DRV, tx_gso_tunnel, NULL, 1},
	{"net.tx-tunnel-family", DRV, tx_tunnel_family, NULL, 1},
	{"net.tx-tunnel-csum-unnegotiated", DRV, tx_tunnel_csum_unnegotiated, NULL, 1},
	{"net.tx-tunnel-udp", DRV, tx_tunnel_udp, NULL, 1},
	{"net.tx-tunnel-both", DRV, tx_tunnel_both, NULL, 1},
	{"net.tx-tunnel-csum-flag", DRV, tx_tunnel_csum_flag, NULL, 1},
	{"net.tx-tunnel-data-valid", DRV, tx_tunnel_data_valid, NULL, 1},
	{"net.tx-csum-range", DRV, tx_csum_range, NULL, 1},
	{"net.tx-gso-none", DRV, tx_gso_none, NULL, 1},
	{"net.tx-gso-csum", DRV, tx_gso_csum, NULL, 1},
	{"net.tx-hdr-len", DRV, tx_hdr_len, NULL, 1},
	{"net.tx-hdr-len-short", DRV, tx_hdr_len_short, NULL, 1},
	{"net.tx-flags-invalid", DRV, tx_flags_invalid, NULL, 1},
	{"net.tx-over-mtu", DRV, tx_over_mtu, NULL, 1},
	{"net.tx-queue-before-mq", DRV, tx_queue_before_mq, NULL, 1},
	{"net.tx-queue-beyond-pairs", DRV, tx_queue_beyond_pairs, NULL, 1},
	{"net.ctrl-framing", DRV, ctrl_framing, NULL, 1},
	{"net.ctrl-framing", DRV, ctrl_framing_result, NULL, 1},
	{"net.ctrl-data", DRV, ctrl_data, NULL, 1},
	{"net.ctrl-unnegotiated", DRV, ctrl_unnegotiated, NULL, 1},
	{"net.ctrl-rx-unnegotiated", DRV, ctrl_rx_unnegotiated, NULL, 1},
	{"net.ctrl-rx-extra-unnegotiated", DRV, ctrl_rx_extra_unnegotiated, NULL, 1},
	{"net.ctrl-mac-unnegotiated", DRV, ctrl_mac_unnegotiated, NULL, 1},
	{"net.ctrl-mac-table", DRV, ctrl_mac_table, NULL, 1},
	{"net.announce-ack-missing", DRV, announce_ack_missing, NULL, 1},
	{"net.mq-queues-not-ready", DRV, mq_queues_not_ready, NULL, 1},
	{"net.mq-pairs-range", DRV, mq_pairs_range, NULL, 1},
	{"net.ctrl-rss-unnegotiated", DRV, ctrl_rss_unnegotiated, NULL, 1},
	{"net.rss-table-queue", DRV, rss_table_queue, NULL, 1},
	{"net.rss-table-queue", DRV, rss_table_queue_disabled, NULL, 1},
	{"net.rss-table-size", DRV, rss_table_size, NULL, 1},
	{"net.rss-table-max", DRV, rss_table_max, NULL, 1},
	{"net.rss-hash-types", DRV, rss_hash_types, NULL, 1},
	{"net.ctrl-offloads-unnegotiated", DRV, ctrl_offloads_unnegotiated, NULL, 1},
	{"net.ctrl-notf-coal-vq", DRV, ctrl_notf_coal_vq, NULL, 1},
	{"net.ctrl-notf-coal-unnegotiated", DRV, ctrl_notf_coal_unnegotiated, NULL, 1},
	{"net.ctrl-vq-notf-coal-unnegotiated", DRV, ctrl_vq_notf_coal_unnegotiated, NULL, 1},
	{"net.ctrl-hash-tunnel-unnegotiated", DRV, ctrl_hash_tunnel_unnegotiated, NULL, 1},
	{"net.ctrl-hash-tunnel-types", DRV, ctrl_hash_tunnel_types, NULL, 1},
	{"net.ctrl-rss-ctx-unnegotiated", DRV, ctrl_rss_ctx_unnegotiated, NULL, 1},
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(rule_fires)
{
	const struct net_case *c = &cases[_i];

	c->run();
	settle();
	expect_n(c->rule, c->side, c->also, c->n);
}
END_TEST

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);
	int nnet = 0;

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (strncmp(r[i].id, "net.", 4) != 0)
			continue;
		nnet++;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
	ck_assert_int_eq(nnet, 101);
}
END_TEST

/* ---- clean runs ---- */

START_TEST(clean_mergeable_traffic)
{
	uint16_t a, b, c, h;
	uint8_t d[64];

	offer(VIRTIO_NET_F_MTU, 1);
	offer(VIRTIO_NET_F_HOST_TSO4, 1);
	offer(VIRTIO_NET_F_HOST_TSO6, 1);
	offer(VIRTIO_NET_F_HOST_ECN, 1);
	offer(VIRTIO_NET_F_GUEST_TSO4, 1);
	offer(VIRTIO_NET_F_GUEST_ECN, 1);
	offer(VIRTIO_NET_F_CTRL_VLAN, 1);
	offer(VIRTIO_NET_F_CTRL_RX_EXTRA, 1);
	offer(VIRTIO_NET_F_CTRL_MAC_ADDR, 1);
	offer(VIRTIO_NET_F_GUEST_ANNOUNCE, 1);
	offer(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, 1);
	offer(VIRTIO_NET_F_SPEED_DUPLEX, 1);
	net_init();
	cread(VS_NET_CFG_SPEED, 4);
	cread(VS_NET_CFG_DUPLEX, 1);
	/* a one-buffer packet, then a three-buffer packet published at once
	 * (the first two buffers full), then a GSO packet with ECN */
	rx_packet(1536, VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 1, 1500);
	a = post_rx(0, RXB, 1536);
	b = post_rx(0, RXB + 2048, 1536);
	c = post_rx(0, RXB + 4096, 1536);
	d_rx_write(RXB, HL, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 1448, 34, 16, 3,
		   1536 - HL);
	dev_write(RXB + 2048, 1536);
	dev_write(RXB + 4096, 100);
	d_fill(0, a, 1536);
	d_fill(0, b, 1536);
	d_fill(0, c, 100);
	d_flush(0);
	rx_packet(4096, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		  VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 1448, 34, 16, 1, 3000);
	/* a frame of exactly mtu + 14, a VLAN-tagged one of mtu + 18 */
	tx_done(send_tx(0, 0, 0, 0, 0, 0, 1500 + VS_ETH_HLEN));
	tx_done(send_tx_on(1, HL, 0, 0, 0, 0, 0, 0, 1500 + VS_ETH_HLEN + VS_ETH_VLAN_HLEN, 1));
	a = post_rx(0, RXB, 2048);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 1, 0);
	{
		uint8_t tag[2] = {0x81, 0x00};

		vs_arena_write(F.arena, VS_SIDE_DEVICE, RXB + HL + 12, tag, 2);
		dev_write(RXB + HL + 14, 1500 + VS_ETH_VLAN_HLEN);
	}
	d_push(0, a, HL + 1500 + VS_ETH_HLEN + VS_ETH_VLAN_HLEN);
	/* checksum offload, TSO with hdr_len past the TCP header, ECN */
	tx_done(send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 16, 100));
	tx_done(send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 54, 1448, 34, 16,
			3000));
	tx_done(send_tx(VIRTIO_NET_HDR_F_NEEDS_CSUM,
			VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN, 128, 1428, 54, 16, 3000));
	/* control commands the device supports */
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1, VIRTIO_NET_OK);
	ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, &on, 1, VIRTIO_NET_OK);
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, mac_table(d, 2, 0),
	     VIRTIO_NET_OK);
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, d, mac_table(d, 0, 0),
	     VIRTIO_NET_OK);
	vs_put_le16(d, 100);
	ctrl(VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, d, 2, VIRTIO_NET_OK);
	vs_put_le64(d, VS_BIT(VIRTIO_NET_F_GUEST_CSUM) | VS_BIT(VIRTIO_NET_F_GUEST_TSO4));
	ctrl(VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, d, 8,
	     VIRTIO_NET_OK);
	/* MAC_ADDR_SET: the device shows the new address */
	ctrl(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, new_mac, 6, VIRTIO_NET_OK);
	memcpy(F.bank.config + VS_NET_CFG_MAC, new_mac, 6);
	F.bank.generation++;
	for (unsigned i = 0; i < VS_ETH_ALEN; i++)
		cread(VS_NET_CFG_MAC + i, 1);
	/* an announce: status read, ACK sent, the device clears the bit;
	 * the status re-read while the ACK is in flight owes nothing */
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE, 2);
	F.bank.generation++;
	dev_irq(VIRTIO_MMIO_INT_CONFIG);
	cread(VS_NET_CFG_STATUS, 2);
	h = send_ctrl(VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0);
	cread(VS_NET_CFG_STATUS, 2);
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP, 2);
	F.bank.generation++;
	d_ack(h, VIRTIO_NET_OK);
	/* speed changes only across a link down */
	cfg_put(VS_NET_CFG_STATUS, 0, 2);
	F.bank.generation++;
	cread(VS_NET_CFG_STATUS, 2);
	cfg_put(VS_NET_CFG_SPEED, 10000, 4);
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP, 2);
	F.bank.generation++;
	cread(VS_NET_CFG_STATUS, 2);
	cread(VS_NET_CFG_SPEED, 4);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_single_buffers)
{
	/* without MRG_RXBUF: num_buffers 1, buffers sized for mtu + 14 */
	refuse(VIRTIO_NET_F_MRG_RXBUF);
	offer(VIRTIO_NET_F_MTU, 1);
	cfg_put(VS_NET_CFG_MTU, 1500, 2);
	net_init();
	rx_packet(HL + 1514, 0, 0, 0, 0, 0, 1, 1514);
	rx_packet(HL + 1514, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16, 1, 100);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_multiqueue)
{
	uint16_t a;

	mq_features();
	net_init();
	/* receive buffers on every queue from the start; pairs 2, then 1 */
	post_rx(2, RXB + 8192, 1536);
	pairs_set(2, VIRTIO_NET_OK);
	tx_done(send_tx_on(3, HL, 0, 0, 0, 0, 0, 0, 100, 0));
	d_rx_write(RXB + 8192, HL, 0, 0, 0, 0, 0, 1, 60);
	d_push(2, 0, HL + 60);
	/* refused: the driver keeps its two pairs */
	pairs_set(8, VIRTIO_NET_ERR);
	tx_done(send_tx_on(3, HL, 0, 0, 0, 0, 0, 0, 100, 0));
	pairs_set(1, VIRTIO_NET_OK);
	a = post_rx(0, RXB, 1536);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 1, 60);
	d_push(0, a, HL + 60);
	settle();
	/* pairs_set(8) is out of range: the only violation */
	expect_n("net.mq-pairs-range", DRV, NULL, 1);
}
END_TEST

START_TEST(clean_rss)
{
	offer(VIRTIO_NET_F_RSS, 1);
	offer(VIRTIO_NET_F_HASH_REPORT, 1);
	rss(0x7, 128, 2);
	settle();
	/* the header is 20 bytes with HASH_REPORT: a 20-byte receive */
	expect_clean();
}
END_TEST

START_TEST(status_rules_skip_other_types)
{
	/* The same faulty answers on a block device are none of net's business. */
	F.bank.device_id = VIRTIO_ID_BLOCK;
	net_init();
	rx_packet(1536, 0, 0, 0, 0, 0, 0, 8);
	send_tx(0xff, 0xff, 0, 0, 0, 0, 10);
	settle();
	for (size_t i = 0; i < vs_monitor_violation_count(F.mon); i++)
		ck_assert_msg(strncmp(vs_monitor_violation(F.mon, i)->rule->id, "net.", 4) != 0,
			      "%s fired on a block device", vs_monitor_violation(F.mon, i)->rule->id);
}
END_TEST

START_TEST(reset_forgets_packets_and_commands)
{
	/* A partial packet and a command in flight, then a reset: neither
	 * is judged, and the mtu read again after the reset is the same. */
	uint16_t a;

	offer(VIRTIO_NET_F_MTU, 1);
	offer(VIRTIO_NET_F_GUEST_ANNOUNCE, 1);
	net_init();
	a = post_rx(0, RXB, 100);
	post_rx(0, RXB + 2048, 100);
	d_rx_write(RXB, HL, 0, 0, 0, 0, 0, 2, 100 - HL);
	d_push(0, a, 100);
	send_ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1);
	cfg_put(VS_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE, 2);
	F.bank.generation++;
	cread(VS_NET_CFG_STATUS, 2);
	reset_dev();
	settle();
	expect_clean();
}
END_TEST

/* ---- the legacy interface (MMIO version 1): 10-byte headers ---- */

static uint64_t LRING[3];

static void net_setup_v1(void)
{
	fx_mmio_version = 1;
	net_setup();
	F.bank.features[1] = 0;
	acc[1] = 0;
	acc[0] &= ~(1u << VIRTIO_NET_F_MRG_RXBUF);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(vs_arena_alloc(F.arena, 3 * 4096, 4096, &LRING[i]), 0);
		Q[i].desc = LRING[i];
		Q[i].avail = LRING[i] + VS_DESC_SIZE(QNUM);
		Q[i].used = LRING[i] + 4096;
	}
}

static void net_init_v1(void)
{
	preamble();
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	reset_dev();
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, acc[0]);
	read_config();
	for (unsigned i = 0; i < 3; i++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, i);
		rd(VIRTIO_MMIO_QUEUE_PFN);
		rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
		wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
		wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
		wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(LRING[i] / 4096));
	}
	driver_ok();
	ctrlq = 2;
}

START_TEST(legacy_ten_byte_header)
{
	uint16_t a;
	uint8_t ok = VIRTIO_NET_OK;

	net_init_v1();
	/* receive: 10-byte header, no num_buffers; a buffer of 1524 */
	a = post_rx(0, RXB, VS_NET_HDR_SIZE_LEGACY + 1514);
	d_rx_write(RXB, VS_NET_HDR_SIZE_LEGACY, 0, 0, 0, 0, 0, 0, 1514);
	d_push(0, a, VS_NET_HDR_SIZE_LEGACY + 1514);
	a = post_rx(0, RXB, VS_NET_HDR_SIZE_LEGACY + 1514);
	d_rx_write(RXB, VS_NET_HDR_SIZE_LEGACY, 0, 0, 0, 0, 0, 0, 20);
	d_push(0, a, VS_NET_HDR_SIZE_LEGACY + 20);
	/* transmit: a 10-byte header */
	tx_done(send_tx_on(1, VS_NET_HDR_SIZE_LEGACY, 0, 0, 0, 0, 0, 0, 100, 0));
	/* the legacy mac write, a control command used with len 0 */
	wrw(VIRTIO_MMIO_CONFIG + VS_NET_CFG_MAC + 5, 1, 0x43);
	a = send_ctrl(VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, ACK, &ok, 1);
	d_push(ctrlq, a, 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(legacy_short_tx_still_judged)
{
	net_init_v1();
	chain_begin(1);
	chain_add(TXB, 8, 0);
	chain_end();
	settle();
	expect_n("net.tx-header", DRV, NULL, 1);
}
END_TEST

static Suite *monitor_net_suite(void)
{
	Suite *s = suite_create("monitor_net");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, net_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, net_setup, fx_teardown);
	tcase_add_test(tc, clean_mergeable_traffic);
	tcase_add_test(tc, clean_single_buffers);
	tcase_add_test(tc, clean_multiqueue);
	tcase_add_test(tc, clean_rss);
	tcase_add_test(tc, status_rules_skip_other_types);
	tcase_add_test(tc, reset_forgets_packets_and_commands);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, net_setup_v1, fx_teardown);
	tcase_add_test(tc, legacy_ten_byte_header);
	tcase_add_test(tc, legacy_short_tx_still_judged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
