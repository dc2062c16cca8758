/*
 * check_net_drv.c - the network driver (driver/virtio_net*.c) through the
 * guest API (driver/guest.h), against the network device model on whole
 * machines built from scenario text (every transport, split and packed
 * rings), with the monitor watching.  The device's wire is a loopback:
 * what the driver transmits comes back on its receive queues.
 *
 * What the driver made of the device (features, mac, mtu, receive mode,
 * buffers it posted), frames and their descriptors for each receive mode,
 * offloads, a burst beyond the ring (queue stop and wake), every control
 * command and its refusals, link changes and announcements, two queue
 * pairs, reset in the middle of traffic, removal, a faulty device and the
 * driver's own fault points.  Every test ends with the guest shut down, no
 * guest memory left allocated and every virtqueue buffer returned.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/net.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/scenario.h"
#include "tests/guest_machine_fixture.h"

static struct vs_vdev *dev(void)
{
	return m->devs[0].vdev;
}

static struct vs_guest_net_info info(void)
{
	struct vs_guest_net_info in;

	ck_assert_int_eq(vs_guest_net_info(h, &in), 0);
	return in;
}

static struct vs_net_stats dstats(void)
{
	struct vs_net_stats s;

	ck_assert_int_eq(vs_net_get_stats(dev(), &s), 0);
	return s;
}

static struct vs_net_state dstate(void)
{
	struct vs_net_state s;

	ck_assert_int_eq(vs_net_get_state(dev(), &s), 0);
	return s;
}

static const uint8_t dev_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

/* A frame of an experimental ethertype to the device's address (its
 * filter takes it), payload numbered by seq. */
static void raw_frame(uint8_t *f, size_t len, unsigned seq)
{
	memcpy(f, dev_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seq * 13 + (i >> 8));
	if (len >= 18) {
		f[14] = (uint8_t)(seq >> 8);
		f[15] = (uint8_t)seq;
	}
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A TCP/IPv4 frame of len bytes (headers 14 + 20 + 20) and the TSO
 * request for it with MSS 1448. */
static void tcp4_frame(uint8_t *f, size_t len, struct vs_guest_net_offload *off)
{
	raw_frame(f, len, 1);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	put_be16(f + 16, (uint16_t)(len - 14));
	put_be16(f + 20, 0x4000); /* DF, not a fragment */
	f[22] = 64;
	f[23] = 6;                 /* TCP */
	memcpy(f + 26, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	put_be16(f + 34, 1234);
	put_be16(f + 36, 80);
	f[46] = 0x50;              /* 20-byte header */
	f[47] = 0x10;              /* ACK */
	put_be16(f + 48, 65535);
	*off = (struct vs_guest_net_offload){ .needs_csum = 1, .csum_start = 34, .csum_offset = 16,
					      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
					      .gso_size = 1448, .hdr_len = 54 };
}

/* ---- descriptors, read from guest RAM (split rings) ---- */

struct chain {
	unsigned n;
	uint32_t len[32];
	int indirect;
};

/* The chain the driver made available at avail ring position pos of queue q. */
static struct chain chain_at(unsigned q, uint16_t pos)
{
	uint64_t desc = vs_vdev_queue_addr(dev(), q, VS_VQ_AREA_DESC);
	uint64_t avail = vs_vdev_queue_addr(dev(), q, VS_VQ_AREA_DRIVER);
	uint32_t num = vs_vdev_queue_num(dev(), q);
	const uint8_t *av = vs_arena_translate(m->arena, avail, 4 + 2ull * num);
	uint16_t i = vs_le16(av + 4 + 2 * (pos % num));
	const uint8_t *table = vs_arena_translate(m->arena, desc, 16ull * num);
	struct chain c = { 0 };

	for (;;) {
		const uint8_t *d = table + 16 * i;
		uint16_t flags = vs_le16(d + 12);

		if (flags & VRING_DESC_F_INDIRECT) {
			uint32_t len = vs_le32(d + 8);

			c.indirect = 1;
			table = vs_arena_translate(m->arena, vs_le64(d), len);
			i = 0;
			continue;
		}
		ck_assert_uint_lt(c.n, 32);
		c.len[c.n++] = vs_le32(d + 8);
		if (!(flags & VRING_DESC_F_NEXT))
			return c;
		i = vs_le16(d + 14);
	}
}

/* Entries the driver made available on queue q so far. */
static uint16_t avail_idx(unsigned q)
{
	uint64_t avail = vs_vdev_queue_addr(dev(), q, VS_VQ_AREA_DRIVER);

	return vs_le16((const uint8_t *)vs_arena_translate(m->arena, avail, 4) + 2);
}

/* ---- Config ---- */

START_TEST(probe_mmio_defaults)
{
	struct vs_guest_net_info in;
	struct vs_net_state st;

	build("split", "{\"type\": \"net\"}");
	in = info();
	ck_assert_mem_eq(in.mac, dev_mac, 6);
	ck_assert_int_eq(in.link_up, 1);
	ck_assert_uint_eq(in.mtu, 1500);
	ck_assert_uint_eq(in.max_pairs, 1);
	ck_assert_uint_eq(in.cur_pairs, 1);
	ck_assert_str_eq(in.rx_mode, "mergeable");
	ck_assert_uint_eq(in.hdr_len, 12);
	ck_assert_int_eq(in.ctrl_vq, 1);
	ck_assert_int_eq(in.csum, 1);
	ck_assert_int_eq(in.guest_csum, 1);
	ck_assert_int_eq(in.host_tso4, 1);
	ck_assert_int_eq(in.guest_tso4, 1);
	ck_assert_uint_eq(in.tx_frames + in.rx_frames + in.rx_errors + in.rx_dropped, 0);
	ck_assert_uint_eq(in.announces + in.link_changes, 0);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 0);
	ck_assert_str_eq(vs_guest_irq_mode(h), "mmio");
	/* the whole ring of mergeable buffers, 1536 bytes each, one descriptor */
	ck_assert_uint_eq(avail_idx(0), 256);
	ck_assert_uint_eq(chain_at(0, 0).n, 1);
	ck_assert_uint_eq(chain_at(0, 0).len[0], 1536);
	/* no command was needed at probe (mac given, no MQ) */
	ck_assert_uint_eq(dstats().ctrl_ok + dstats().ctrl_err, 0);
	st = dstate();
	ck_assert_uint_eq(st.cur_pairs, 1);
	ck_assert_mem_eq(st.mac, dev_mac, 6);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(probe_pci_and_legacy)
{
	struct vs_guest_net_info in;

	build("split", "{\"type\": \"net\", \"transport\": \"pci\"}");
	ck_assert_str_eq(vs_guest_irq_mode(h), "msix-per-vq");
	in = info();
	ck_assert_str_eq(in.rx_mode, "mergeable");
	ck_assert_uint_eq(in.hdr_len, 12);
	ck_assert_int_eq(in.ctrl_vq, 1);
	no_violations();
	shutdown();
	vs_machine_destroy(m);
	vs_scenario_free(&scn);

	/* legacy without MRG_RXBUF: the 10-byte header, big buffers (GUEST_TSO4) */
	build("split", "{\"type\": \"net\", \"transport\": \"pci-legacy\", \"msix_vectors\": 0,"
		       " \"features_remove\": [15]}");
	ck_assert_str_eq(vs_guest_irq_mode(h), "intx");
	in = info();
	ck_assert_str_eq(in.rx_mode, "big");
	ck_assert_uint_eq(in.hdr_len, 10);
	ck_assert_int_eq(in.link_up, 1);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(mtu_from_config)
{
	uint8_t *f = malloc(9015);

	build("split", "{\"type\": \"net\", \"mtu\": 9000}");
	ck_assert_uint_eq(info().mtu, 9000);
	raw_frame(f, 9014, 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 9014, NULL), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 9015, NULL), -EMSGSIZE);
	ck_assert_int_eq(vs_guest_net_recv(h, f, 9015, NULL, 1), 9014);
	/* mergeable buffers of 1536 bytes still hold a 9014-byte frame */
	ck_assert_uint_eq(chain_at(0, 0).len[0], 1536);
	free(f);
	no_violations();
	shutdown();
}
END_TEST

/* Without VIRTIO_NET_F_MAC: 02:00:00:00:00:<index>, told to the device. */
START_TEST(mac_assigned_without_feature)
{
	static const uint8_t local[6] = {0x02, 0, 0, 0, 0, 0};
	uint8_t f[60], back[60];

	build("split", "{\"type\": \"net\", \"features_remove\": [5]}");
	ck_assert_mem_eq(info().mac, local, 6);
	ck_assert_mem_eq(dstate().mac, local, 6);
	ck_assert_uint_eq(dstats().ctrl_ok, 1);
	/* the device's filter now takes frames to it */
	raw_frame(f, sizeof(f), 3);
	memcpy(f, local, 6);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 1), 60);
	ck_assert_mem_eq(back, f, 60);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(link_assumed_up_without_status)
{
	build("split", "{\"type\": \"net\", \"features_remove\": [16]}");
	ck_assert_int_eq(info().link_up, 1);
	ck_assert_uint_eq(info().link_changes, 0);
	no_violations();
	shutdown();
}
END_TEST

/* A device offering CTRL_RX and friends without CTRL_VQ: the driver
 * accepts none of them (the device would refuse FEATURES_OK). */
START_TEST(dependencies_cleared)
{
	struct vs_guest_net_info in;

	build("split", "{\"type\": \"net\", \"features_remove\": [17, 0]}");
	in = info();
	ck_assert_int_eq(in.ctrl_vq, 0);
	ck_assert_int_eq(in.csum, 0);
	ck_assert_int_eq(in.host_tso4, 0);
	ck_assert_int_eq(in.guest_tso4, 1);
	ck_assert_int_eq(vs_guest_net_set_rx_mode(h, 1, 0), -EOPNOTSUPP);
	ck_assert_int_eq(vs_guest_net_vlan(h, 1, 1), -EOPNOTSUPP);
	ck_assert_int_eq(vs_guest_net_set_mac(h, peer_mac), -EOPNOTSUPP);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -EOPNOTSUPP);
	shutdown();
}
END_TEST

START_TEST(not_a_net_device)
{
	struct vs_guest_net_info in;
	uint8_t f[60];

	build("split", "{\"type\": \"rng\"}");
	ck_assert_int_eq(vs_guest_net_info(h, &in), -ENODEV);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), -ENODEV);
	ck_assert_int_eq(vs_guest_net_recv(h, f, sizeof(f), NULL, 0), -ENODEV);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -ENODEV);
	ck_assert_int_eq(vs_guest_net_info(h + 1, &in), -ENOENT);
	ck_assert_int_eq(vs_guest_net_tx_drain(h + 1), -ENOENT);
	shutdown();
}
END_TEST

/* ---- Data, per receive mode ---- */

struct mode_case {
	const char *ring;
	const char *device;
	const char *rx_mode;
	unsigned hdr_len;
	unsigned posted;       /* receive buffers posted at probe */
	unsigned rx_descs;     /* descriptors per receive buffer (0: packed, not read) */
	uint32_t rx_first;     /* bytes of its first descriptor */
	unsigned tso_frames;   /* frames a 20000-byte TSO frame arrives as */
	unsigned tso_bufs;     /* buffers the first of them spans */
};

static const struct mode_case modes[] = {
	{"split", "{\"type\": \"net\"}", "mergeable", 12, 256, 1, 1536, 1, 14},
	{"split", "{\"type\": \"net\", \"features_remove\": [15, 7, 8]}", "small", 12, 256, 1, 1530,
	 14, 1},
	/* 18 descriptors per big buffer: 14 fit a ring of 256 */
	{"split", "{\"type\": \"net\", \"features_remove\": [15]}", "big", 12, 14, 18, 12, 1, 1},
	/* a legacy version 1 mmio bank still negotiates VERSION_1 (as Linux) */
	{"split", "{\"type\": \"net\", \"transport\": \"mmio-legacy\", \"features_remove\": [15, 7, 8]}",
	 "small", 12, 256, 1, 1530, 14, 1},
	/* legacy PCI without ANY_LAYOUT: the header in a descriptor of its own */
	{"split", "{\"type\": \"net\", \"transport\": \"pci-legacy\", \"features_remove\": [15, 7, 8]}",
	 "small", 10, 128, 2, 10, 14, 1},
	{"split", "{\"type\": \"net\", \"transport\": \"pci-legacy\", \"features_remove\": [15]}",
	 "big", 10, 14, 18, 10, 1, 1},
	{"packed", "{\"type\": \"net\", \"transport\": \"pci\"}", "mergeable", 12, 256, 0, 0, 1, 14},
	{"split", "{\"type\": \"net\", \"features_add\": [28, 29]}", "mergeable", 12, 256, 1, 1536,
	 1, 14},
};

START_TEST(loopback_per_mode)
{
	static const size_t sizes[] = {14, 60, 1514};
	const struct mode_case *mc = &modes[_i];
	struct vs_guest_net_offload off;
	struct vs_guest_net_rx_meta meta;
	struct vs_guest_net_info in;
	uint8_t *f = malloc(20000), *back = malloc(20000);
	uint16_t tx_at;
	struct chain c;
	size_t total;

	build(mc->ring, mc->device);
	in = info();
	ck_assert_str_eq(in.rx_mode, mc->rx_mode);
	ck_assert_uint_eq(in.hdr_len, mc->hdr_len);
	if (mc->rx_descs) {
		ck_assert_uint_eq(avail_idx(0), mc->posted);
		c = chain_at(0, 0);
		ck_assert_uint_eq(c.n, mc->rx_descs);
		ck_assert_uint_eq(c.len[0], mc->rx_first);
		if (mc->rx_descs == 18) {
			/* the rest of the first page, then 16 pages */
			ck_assert_uint_eq(c.len[1], 4096 - 16);
			ck_assert_uint_eq(c.len[17], 4096);
		}
		if (mc->rx_descs == 2)
			ck_assert_uint_eq(c.len[1], 1518);
	}
	for (unsigned k = 0; k < 3; k++) {
		raw_frame(f, sizes[k], k);
		ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizes[k], NULL), 0);
	}
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	for (unsigned k = 0; k < 3; k++) {
		raw_frame(f, sizes[k], k);
		memset(&meta, 0xee, sizeof(meta));
		ck_assert_int_eq(vs_guest_net_recv(h, back, 20000, &meta, 1), (long)sizes[k]);
		ck_assert_mem_eq(back, f, sizes[k]);
		ck_assert_uint_eq(meta.queue, 0);
		ck_assert_uint_eq(meta.flags, 0);
		ck_assert_uint_eq(meta.gso_type, 0);
		ck_assert_uint_eq(meta.gso_size, 0);
		ck_assert_uint_eq(meta.csum_start, 0);
		ck_assert_uint_eq(meta.num_buffers, 1);
	}
	ck_assert_int_eq(vs_guest_net_recv(h, back, 20000, NULL, 0), -EAGAIN);

	/* a 20000-byte TSO frame: header, then five page-sized pieces */
	tcp4_frame(f, 20000, &off);
	tx_at = avail_idx(1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 20000, &off), 0);
	if (mc->rx_descs) {
		c = chain_at(1, tx_at);
		ck_assert_uint_eq(c.n, 6);
		ck_assert_int_eq(c.indirect, strstr(mc->device, "28") != NULL);
		ck_assert_uint_eq(c.len[0], mc->hdr_len);
		ck_assert_uint_eq(c.len[1], 4096);
		ck_assert_uint_eq(c.len[4], 4096);
		ck_assert_uint_eq(c.len[5], 20000 - 4 * 4096);
	}
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), (int)mc->tso_frames);
	total = 0;
	for (unsigned k = 0; k < mc->tso_frames; k++) {
		long n = vs_guest_net_recv(h, back, 20000, &meta, 0);

		ck_assert_int_gt(n, 54);
		total += (size_t)n - 54;
		if (mc->tso_frames == 1) {
			/* passed on as it is, the offload with it */
			ck_assert_int_eq(n, 20000);
			ck_assert_mem_eq(back, f, 20000);
			ck_assert_uint_eq(meta.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
			ck_assert_uint_eq(meta.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
			ck_assert_uint_eq(meta.gso_size, 1448);
			ck_assert_uint_eq(meta.csum_start, 34);
			ck_assert_uint_eq(meta.csum_offset, 16);
			ck_assert_uint_eq(meta.num_buffers, mc->tso_bufs);
		} else {
			/* segmented by the device: MSS-sized, checksums checked */
			ck_assert_int_eq(n, k + 1 < mc->tso_frames ? 1448 + 54 : 20000 - 54 - 13 * 1448 + 54);
			ck_assert_uint_eq(meta.flags, VIRTIO_NET_HDR_F_DATA_VALID);
			ck_assert_uint_eq(meta.gso_type, 0);
			ck_assert_mem_eq(back + 54, f + 54 + k * 1448, (size_t)n - 54);
		}
	}
	ck_assert_uint_eq(total, 20000 - 54);
	in = info();
	ck_assert_uint_eq(in.tx_frames, 4);
	ck_assert_uint_eq(in.tx_bytes, 14 + 60 + 1514 + 20000);
	ck_assert_uint_eq(in.rx_frames, 3 + mc->tso_frames);
	ck_assert_uint_eq(in.rx_errors + in.rx_dropped, 0);
	/* freeze / restore keeps the driver working */
	ck_assert_int_eq(vs_guest_reset(h), 0);
	raw_frame(f, 100, 9);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 100, NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, 20000, NULL, 1), 100);
	ck_assert_mem_eq(back, f, 100);
	free(f);
	free(back);
	no_violations();
	shutdown();
}
END_TEST

/* The largest frame the driver sends: 17 page-sized pieces. */
START_TEST(largest_gso_frame)
{
	struct vs_guest_net_offload off;
	struct vs_guest_net_rx_meta meta;
	uint8_t *f = malloc(65550), *back = malloc(65550);
	uint16_t tx_at;
	struct chain c;

	build("split", "{\"type\": \"net\"}");
	tcp4_frame(f, 65549, &off);
	tx_at = avail_idx(1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 65549, &off), 0);
	c = chain_at(1, tx_at);
	ck_assert_uint_eq(c.n, 1 + 17);
	ck_assert_uint_eq(c.len[17], 65549 - 16 * 4096);
	ck_assert_int_eq(vs_guest_net_recv(h, back, 65550, &meta, 1), 65549);
	ck_assert_mem_eq(back, f, 65549);
	ck_assert_uint_eq(meta.num_buffers, (65549 + 12 + 1535) / 1536);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 65551, &off), -EMSGSIZE);
	free(f);
	free(back);
	no_violations();
	shutdown();
}
END_TEST

/* A partial checksum reaches a GUEST_CSUM driver as it was sent. */
START_TEST(partial_checksum)
{
	struct vs_guest_net_offload off = { .needs_csum = 1, .csum_start = 34, .csum_offset = 16 };
	struct vs_guest_net_rx_meta meta;
	uint8_t f[200], back[200];
	struct vs_guest_net_offload tso;

	build("split", "{\"type\": \"net\"}");
	tcp4_frame(f, sizeof(f), &tso);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), &off), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), &meta, 1), 200);
	ck_assert_uint_eq(meta.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(meta.csum_start, 34);
	ck_assert_uint_eq(meta.csum_offset, 16);
	ck_assert_uint_eq(meta.gso_type, 0);
	no_violations();
	shutdown();
}
END_TEST

/* What the driver refuses never reaches the device. */
START_TEST(refused_frames)
{
	struct vs_guest_net_offload off;
	uint8_t *f = malloc(70000);

	build("split", "{\"type\": \"net\"}");
	raw_frame(f, 2000, 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 13, NULL), -EINVAL);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, NULL, 60, NULL), -EINVAL);
	ck_assert_int_eq(vs_guest_net_xmit(h, 1, f, 60, NULL), -EINVAL);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 1515, NULL), -EMSGSIZE);
	tcp4_frame(f, 70000 - 10, &off);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 65551, &off), -EMSGSIZE);
	/* checksum field outside the frame */
	off = (struct vs_guest_net_offload){ .needs_csum = 1, .csum_start = 50, .csum_offset = 9 };
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 60, &off), -EINVAL);
	/* GSO without NEEDS_CSUM, without an MSS, ECN without HOST_ECN, UDP, unknown */
	tcp4_frame(f, 3000, &off);
	off.needs_csum = 0;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	tcp4_frame(f, 3000, &off);
	off.gso_size = 0;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	tcp4_frame(f, 3000, &off);
	off.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	off.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	off.gso_type = VIRTIO_NET_HDR_GSO_ECN;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	off.gso_type = 7;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 3000, &off), -EINVAL);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	ck_assert_uint_eq(dstats().tx_frames + dstats().tx_errors, 0);
	ck_assert_uint_eq(info().tx_frames, 0);
	free(f);
	no_violations();
	shutdown();
}
END_TEST

/* Without CSUM (and so without HOST_TSO4/6) no offload is allowed. */
START_TEST(offloads_need_features)
{
	struct vs_guest_net_offload off;
	uint8_t f[3000];

	build("split", "{\"type\": \"net\", \"features_remove\": [0, 11, 12]}");
	ck_assert_int_eq(info().csum, 0);
	ck_assert_int_eq(info().host_tso4, 0);
	tcp4_frame(f, sizeof(f), &off);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), &off), -EINVAL);
	off.gso_type = 0;
	off.gso_size = 0;
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, 1000, &off), -EINVAL);
	ck_assert_uint_eq(dstats().tx_frames, 0);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Flow control ---- */

/* 300 frames through a ring of 64: the queue stops and is woken by the
 * transmit interrupt; the caller waits meanwhile, the device runs and
 * frames arrive while the burst is still going. */
START_TEST(burst_beyond_ring)
{
	uint8_t f[1000], back[1000];
	struct vs_guest_net_info in;

	build("split", "{\"type\": \"net\", \"queue_size\": 64}");
	ck_assert_uint_eq(avail_idx(0), 64);
	for (unsigned k = 0; k < 300; k++) {
		raw_frame(f, sizeof(f), k);
		ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	}
	/* only waiting for the queue ran the machine */
	ck_assert_int_gt(vs_guest_net_rx_pending(h), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 300);
	for (unsigned k = 0; k < 300; k++) {
		raw_frame(f, sizeof(f), k);
		ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 0), 1000);
		ck_assert_mem_eq(back, f, sizeof(f));
	}
	in = info();
	ck_assert_uint_eq(in.tx_frames, 300);
	ck_assert_uint_eq(in.rx_frames, 300);
	ck_assert_uint_eq(in.rx_dropped, 0);
	no_violations();
	shutdown();
}
END_TEST

/* A device that never interrupts: the stopped queue is never woken, the
 * caller gives up after the guest timeout; a drain (polling) frees the
 * ring and the queue runs again. */
START_TEST(stopped_queue_times_out)
{
	uint8_t f[100];
	unsigned k;
	int rc = 0;

	build("split", "{\"type\": \"net\", \"queue_size\": 64}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_ALWAYS, 0, 0, 0);
	raw_frame(f, sizeof(f), 0);
	for (k = 0; k < 100 && rc == 0; k++)
		rc = vs_guest_net_xmit(h, 0, f, sizeof(f), NULL);
	/* 2 descriptors each: after 23 frames fewer than 19 are free */
	ck_assert_int_eq(rc, -ETIMEDOUT);
	ck_assert_uint_eq(k, 24);
	vs_faults_clear(&m->faults, VS_FAULT_DEV_NO_INTERRUPT);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	ck_assert_uint_eq(info().tx_frames, 23);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	ck_assert_uint_eq(info().tx_frames, 24);
	shutdown();
}
END_TEST

/* The backlog holds VS_GUEST_NET_BACKLOG frames; more are dropped. */
START_TEST(backlog_overflow)
{
	uint8_t f[60];
	struct vs_guest_net_info in;

	build("split", "{\"type\": \"net\"}");
	raw_frame(f, sizeof(f), 0);
	for (unsigned k = 0; k < VS_GUEST_NET_BACKLOG + 10; k++)
		ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), (int)VS_GUEST_NET_BACKLOG);
	in = info();
	ck_assert_uint_eq(in.rx_frames, VS_GUEST_NET_BACKLOG + 10);
	ck_assert_uint_eq(in.rx_dropped, 10);
	ck_assert_int_eq(vs_guest_net_recv(h, f, 10, NULL, 0), 60);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), (int)VS_GUEST_NET_BACKLOG - 1);
	ck_assert_int_eq(vs_guest_net_recv(h, NULL, 10, NULL, 0), -EINVAL);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Control ---- */

START_TEST(control_commands)
{
	static const uint8_t uc[2][6] = {{0x02, 1, 2, 3, 4, 5}, {0x02, 1, 2, 3, 4, 6}};
	static const uint8_t mcast[1][6] = {{0x01, 0x00, 0x5e, 0, 0, 1}};
	static const uint8_t newmac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	struct vs_net_state st;
	uint8_t f[60], back[60];

	build("split", "{\"type\": \"net\"}");
	ck_assert_int_eq(vs_guest_net_set_rx_mode(h, 1, 0), 0);
	st = dstate();
	ck_assert_int_eq(st.promisc, 1);
	ck_assert_int_eq(st.allmulti, 0);
	ck_assert_int_eq(vs_guest_net_set_rx_mode(h, 0, 1), 0);
	st = dstate();
	ck_assert_int_eq(st.promisc, 0);
	ck_assert_int_eq(st.allmulti, 1);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, uc, 2, mcast, 1), 0);
	ck_assert_uint_eq(dstate().uc_count, 2);
	ck_assert_uint_eq(dstate().mc_count, 1);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(dstate().uc_count, 0);
	ck_assert_int_eq(vs_guest_net_vlan(h, 5, 1), 0);
	ck_assert_int_eq(vs_guest_net_vlan(h, 4095, 1), 0);
	ck_assert_int_eq(vs_guest_net_vlan(h, 5, 0), 0);
	ck_assert_uint_eq(dstate().vlan_count, 1);
	ck_assert_int_eq(vs_guest_net_set_mac(h, newmac), 0);
	ck_assert_mem_eq(dstate().mac, newmac, 6);
	ck_assert_mem_eq(info().mac, newmac, 6);
	/* 2 + 2 + 2 + 3 + 1 commands, all OK */
	ck_assert_uint_eq(dstats().ctrl_ok, 10);
	ck_assert_uint_eq(dstats().ctrl_err, 0);
	/* the new address is what the filter takes now */
	raw_frame(f, sizeof(f), 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	memcpy(f, newmac, 6);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 1), 60);
	ck_assert_mem_eq(back, f, sizeof(f));
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 0);
	ck_assert_uint_eq(dstats().rx_dropped_filter, 1);
	/* arguments out of range: nothing sent */
	ck_assert_int_eq(vs_guest_net_vlan(h, 4096, 1), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac(h, mcast[0]), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac(h, (const uint8_t[6]){0}), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, mcast, 1, NULL, 0), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, NULL, 0, uc, 1), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, NULL, 1, NULL, 0), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, uc, 5000, NULL, 0), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -EOPNOTSUPP); /* no MQ */
	ck_assert_uint_eq(dstats().ctrl_ok + dstats().ctrl_err, 10);
	no_violations();
	shutdown();
}
END_TEST

struct unsupp_case {
	const char *device;
	int rx_mode, mac_table, set_mac, vlan;
};

static const struct unsupp_case unsupps[] = {
	/* no control queue at all (and so none of its features) */
	{"{\"type\": \"net\", \"features_remove\": [17, 18, 19, 21, 23, 2]}", -EOPNOTSUPP,
	 -EOPNOTSUPP, -EOPNOTSUPP, -EOPNOTSUPP},
	/* no CTRL_RX: no MAC class command either */
	{"{\"type\": \"net\", \"features_remove\": [18]}", -EOPNOTSUPP, -EOPNOTSUPP, -EOPNOTSUPP, 0},
	{"{\"type\": \"net\", \"features_remove\": [19]}", 0, 0, 0, -EOPNOTSUPP},
	{"{\"type\": \"net\", \"features_remove\": [23]}", 0, 0, -EOPNOTSUPP, 0},
	/* legacy: the mac goes into the config space instead */
	{"{\"type\": \"net\", \"transport\": \"pci-legacy\", \"features_remove\": [23]}", 0, 0, 0,
	 0},
};

START_TEST(unsupported_commands)
{
	static const uint8_t uc[1][6] = {{0x02, 1, 2, 3, 4, 5}};
	static const uint8_t newmac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	const struct unsupp_case *uc_ = &unsupps[_i];
	unsigned sent = 0;

	build("split", uc_->device);
	ck_assert_int_eq(vs_guest_net_set_rx_mode(h, 0, 1), uc_->rx_mode);
	sent += uc_->rx_mode ? 0 : 2;
	ck_assert_int_eq(vs_guest_net_set_mac_table(h, uc, 1, NULL, 0), uc_->mac_table);
	sent += uc_->mac_table ? 0 : 1;
	ck_assert_int_eq(vs_guest_net_set_mac(h, newmac), uc_->set_mac);
	if (!uc_->set_mac) {
		ck_assert_mem_eq(dstate().mac, newmac, 6);
		sent += strstr(uc_->device, "legacy") ? 0 : 1;
	}
	ck_assert_int_eq(vs_guest_net_vlan(h, 3, 1), uc_->vlan);
	sent += uc_->vlan ? 0 : 1;
	ck_assert_uint_eq(dstats().ctrl_ok, sent);
	ck_assert_uint_eq(dstats().ctrl_err, 0);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Link ---- */

START_TEST(link_changes)
{
	uint8_t f[60];

	build("split", "{\"type\": \"net\"}");
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_net_set_link(dev(), 0), 0);
	vs_machine_settle(m);
	ck_assert_int_eq(info().link_up, 0);
	ck_assert_uint_eq(info().link_changes, 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), -ENETDOWN);
	ck_assert_int_eq(vs_net_set_link(dev(), 1), 0);
	vs_machine_settle(m);
	ck_assert_int_eq(info().link_up, 1);
	ck_assert_uint_eq(info().link_changes, 2);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, f, sizeof(f), NULL, 1), 60);
	no_violations();
	shutdown();
}
END_TEST

START_TEST(link_down_at_probe)
{
	build("split", "{\"type\": \"net\", \"link\": \"down\"}");
	ck_assert_int_eq(info().link_up, 0);
	ck_assert_uint_eq(info().link_changes, 0);
	no_violations();
	shutdown();
}
END_TEST

/* ANNOUNCE: a gratuitous ARP, then ANNOUNCE_ACK (the device clears the bit). */
START_TEST(announce)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t arp[100];

	build("split", "{\"type\": \"net\"}");
	ck_assert_int_eq(vs_net_announce(dev()), 0);
	vs_machine_settle(m);
	ck_assert_uint_eq(info().announces, 1);
	ck_assert_int_eq(dstate().announce_pending, 0);
	ck_assert_uint_eq(dstats().ctrl_ok, 1);
	/* the loopback brings the ARP back */
	ck_assert_int_eq(vs_guest_net_recv(h, arp, sizeof(arp), NULL, 1), 42);
	ck_assert_mem_eq(arp, bcast, 6);
	ck_assert_mem_eq(arp + 6, dev_mac, 6);
	ck_assert_uint_eq(arp[12], 0x08);
	ck_assert_uint_eq(arp[13], 0x06);
	ck_assert_uint_eq(arp[21], 1); /* request */
	ck_assert_mem_eq(arp + 22, dev_mac, 6);
	ck_assert_int_eq(vs_net_announce(dev()), 0);
	vs_machine_settle(m);
	ck_assert_uint_eq(info().announces, 2);
	ck_assert_uint_eq(info().link_changes, 0);
	no_violations();
	shutdown();
	vs_machine_destroy(m);
	vs_scenario_free(&scn);

	build("split", "{\"type\": \"net\", \"features_remove\": [21]}");
	ck_assert_int_eq(vs_net_announce(dev()), -EOPNOTSUPP);
	ck_assert_uint_eq(info().announces, 0);
	shutdown();
}
END_TEST

/* ---- Multiqueue ---- */

START_TEST(two_queue_pairs)
{
	struct vs_guest_net_rx_meta meta;
	struct vs_guest_net_info in;
	uint8_t f[300], back[300];
	unsigned posted;

	build("split", "{\"type\": \"net\", \"transport\": \"pci\", \"queue_pairs\": 2}");
	in = info();
	ck_assert_uint_eq(in.max_pairs, 2);
	ck_assert_uint_eq(in.cur_pairs, 1);
	/* MQ_VQ_PAIRS_SET 1 at probe */
	ck_assert_uint_eq(dstats().ctrl_ok, 1);
	ck_assert_uint_eq(dstate().cur_pairs, 1);
	/* only the pair in use got receive buffers */
	ck_assert_uint_eq(avail_idx(0), 256);
	ck_assert_uint_eq(avail_idx(2), 0);
	raw_frame(f, sizeof(f), 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 1, f, sizeof(f), NULL), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 3), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 0), -EINVAL);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 2), 0);
	ck_assert_uint_eq(info().cur_pairs, 2);
	ck_assert_uint_eq(dstate().cur_pairs, 2);
	ck_assert_uint_eq(avail_idx(2), 256);
	/* a flow sent on pair 1 comes back on receive queue 1 */
	ck_assert_int_eq(vs_guest_net_xmit(h, 1, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), &meta, 1), 300);
	ck_assert_mem_eq(back, f, sizeof(f));
	ck_assert_uint_eq(meta.queue, 1);
	raw_frame(f, sizeof(f), 2);
	f[6] = 0x0a; /* another flow, sent on pair 0 */
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), &meta, 1), 300);
	ck_assert_uint_eq(meta.queue, 0);
	/* the pairs survive a reset (restore sends them again) */
	ck_assert_int_eq(vs_guest_reset(h), 0);
	ck_assert_uint_eq(info().cur_pairs, 2);
	ck_assert_uint_eq(dstate().cur_pairs, 2);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 1, f, sizeof(f), NULL), -EINVAL);
	posted = avail_idx(2);
	ck_assert_uint_eq(posted, 256); /* kept: a live queue's buffers stay */
	ck_assert_uint_eq(dstats().ctrl_ok, 4);
	no_violations();
	shutdown();
}
END_TEST

/* ---- Reset and removal ---- */

START_TEST(reset_mid_traffic)
{
	uint8_t f[1000], back[1000];
	int pending;

	build("split", "{\"type\": \"net\", \"queue_size\": 64}");
	for (unsigned k = 0; k < 50; k++) {
		raw_frame(f, sizeof(f), k);
		ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
		if (k == 9)
			vs_machine_settle(m);
	}
	/* transmit buffers still on the ring, receive buffers posted */
	ck_assert_uint_lt(info().tx_frames, 50);
	ck_assert_int_eq(vs_guest_reset(h), 0);
	pending = vs_guest_net_rx_pending(h);
	ck_assert_int_ge(pending, 10);
	ck_assert_int_le(pending, 50);
	/* the backlog survived; the frames in it are whole, in order */
	for (int k = 0; k < pending; k++) {
		raw_frame(f, sizeof(f), (unsigned)k);
		ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 0), 1000);
		ck_assert_mem_eq(back, f, sizeof(f));
	}
	ck_assert_uint_eq(avail_idx(0), 64);
	raw_frame(f, sizeof(f), 77);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 1), 1000);
	ck_assert_mem_eq(back, f, sizeof(f));
	no_violations();
	shutdown();
}
END_TEST

START_TEST(remove_with_traffic)
{
	uint8_t f[500];
	uint64_t added, returned;

	build("split", "{\"type\": \"net\"}");
	raw_frame(f, sizeof(f), 0);
	for (unsigned k = 0; k < 10; k++)
		ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_remove(h), 0);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), -ENOENT);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), -ENOENT);
	vs_guest_token_stats(&added, &returned);
	ck_assert_uint_eq(added, returned);
	no_violations();
	shutdown();
}
END_TEST

/* ---- A faulty device ---- */

START_TEST(short_used_len_dropped)
{
	uint8_t f[100], back[100];

	build("split", "{\"type\": \"net\", \"features_remove\": [15, 7, 8]}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NET_USED_LEN_SHORT, VS_FAULT_COUNTED, 1, 0, 0);
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 0);
	raw_frame(f, sizeof(f), 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 1), 100);
	ck_assert_mem_eq(back, f, sizeof(f));
	/* the buffer went back: the ring is full again */
	ck_assert_uint_eq(avail_idx(0), 256 + 2);
	shutdown();
}
END_TEST

START_TEST(num_buffers_beyond_used_dropped)
{
	uint8_t f[100], back[100];

	build("split", "{\"type\": \"net\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NET_NUM_BUFFERS_OVER, VS_FAULT_COUNTED, 1, 0, 0);
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 0);
	raw_frame(f, sizeof(f), 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_recv(h, back, sizeof(back), NULL, 1), 100);
	ck_assert_mem_eq(back, f, sizeof(f));
	shutdown();
}
END_TEST

START_TEST(rx_gso_unnegotiated_dropped)
{
	uint8_t f[100];

	/* small buffers, no GUEST_TSO4 */
	build("split", "{\"type\": \"net\", \"features_remove\": [15, 7, 8]}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED, VS_FAULT_COUNTED, 1, 0, 0);
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	vs_machine_settle(m);
	ck_assert_uint_eq(info().rx_errors, 1);
	ck_assert_int_eq(vs_guest_net_rx_pending(h), 0);
	shutdown();
}
END_TEST

START_TEST(ctrl_bad_ack_is_eio)
{
	build("split", "{\"type\": \"net\"}");
	vs_faults_set(&m->faults, VS_FAULT_DEV_NET_CTRL_BAD_ACK, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_net_vlan(h, 3, 1), -EIO);
	ck_assert_int_eq(vs_guest_net_vlan(h, 3, 1), 0);
	shutdown();
}
END_TEST

/* ---- The driver's fault points ---- */

START_TEST(fault_tx_gso_unnegotiated)
{
	uint8_t f[100];

	build("split", "{\"type\": \"net\", \"features_remove\": [11]}");
	vs_faults_set(&m->faults, VS_FAULT_DRV_NET_TX_GSO_UNNEGOTIATED, VS_FAULT_COUNTED, 1, 0, 0);
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	/* the device refuses it */
	ck_assert_uint_eq(dstats().tx_errors, 1);
	ck_assert_uint_eq(dstats().tx_frames, 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	ck_assert_uint_eq(dstats().tx_frames, 1);
	shutdown();
}
END_TEST

START_TEST(fault_tx_over_mtu)
{
	uint8_t f[1515];

	build("split", "{\"type\": \"net\"}");
	raw_frame(f, sizeof(f), 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), -EMSGSIZE);
	vs_faults_set(&m->faults, VS_FAULT_DRV_NET_TX_OVER_MTU, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), 0);
	ck_assert_int_eq(vs_guest_net_tx_drain(h), 0);
	ck_assert_uint_eq(dstats().tx_errors, 1);
	ck_assert_int_eq(vs_guest_net_xmit(h, 0, f, sizeof(f), NULL), -EMSGSIZE);
	shutdown();
}
END_TEST

START_TEST(fault_ctrl_unnegotiated)
{
	build("split", "{\"type\": \"net\"}");
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -EOPNOTSUPP);
	ck_assert_uint_eq(dstats().ctrl_ok + dstats().ctrl_err, 0);
	vs_faults_set(&m->faults, VS_FAULT_DRV_NET_CTRL_UNNEGOTIATED, VS_FAULT_COUNTED, 1, 0, 0);
	/* out of range: the fault is not used up */
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 2), -EOPNOTSUPP);
	/* the device refuses MQ_VQ_PAIRS_SET without MQ */
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -EIO);
	ck_assert_uint_eq(dstats().ctrl_err, 1);
	ck_assert_int_eq(vs_guest_net_set_queue_pairs(h, 1), -EOPNOTSUPP);
	shutdown();
}
END_TEST

static Suite *net_drv_suite(void)
{
	Suite *s = suite_create("net_drv");
	TCase *tc;

	tc = tcase_create("Config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, probe_mmio_defaults);
	tcase_add_test(tc, probe_pci_and_legacy);
	tcase_add_test(tc, mtu_from_config);
	tcase_add_test(tc, mac_assigned_without_feature);
	tcase_add_test(tc, link_assumed_up_without_status);
	tcase_add_test(tc, dependencies_cleared);
	tcase_add_test(tc, not_a_net_device);
	suite_add_tcase(s, tc);

	tc = tcase_create("Data");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, loopback_per_mode, 0, (int)(sizeof(modes) / sizeof(modes[0])));
	tcase_add_test(tc, largest_gso_frame);
	tcase_add_test(tc, partial_checksum);
	tcase_add_test(tc, refused_frames);
	tcase_add_test(tc, offloads_need_features);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("FlowControl");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, burst_beyond_ring);
	tcase_add_test(tc, stopped_queue_times_out);
	tcase_add_test(tc, backlog_overflow);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("Control");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, control_commands);
	tcase_add_loop_test(tc, unsupported_commands, 0,
			    (int)(sizeof(unsupps) / sizeof(unsupps[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("Link");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, link_changes);
	tcase_add_test(tc, link_down_at_probe);
	tcase_add_test(tc, announce);
	suite_add_tcase(s, tc);

	tc = tcase_create("Multiqueue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, two_queue_pairs);
	suite_add_tcase(s, tc);

	tc = tcase_create("Lifecycle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reset_mid_traffic);
	tcase_add_test(tc, remove_with_traffic);
	suite_add_tcase(s, tc);

	tc = tcase_create("FaultyDevice");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, short_used_len_dropped);
	tcase_add_test(tc, num_buffers_beyond_used_dropped);
	tcase_add_test(tc, rx_gso_unnegotiated_dropped);
	tcase_add_test(tc, ctrl_bad_ack_is_eio);
	suite_add_tcase(s, tc);

	tc = tcase_create("DriverFaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_tx_gso_unnegotiated);
	tcase_add_test(tc, fault_tx_over_mtu);
	tcase_add_test(tc, fault_ctrl_unnegotiated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_drv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
