/*
 * net_frame.c - the runner's test frames (net_frame.h).
 */
#include "harness/net_frame.h"

#include <errno.h>
#include <string.h>

#include "core/inet.h"
#include "core/virtio_abi.h"
#include "driver/guest.h"

#define ETH_P_TEST 0x88b5u /* IEEE local experimental ethertype */
#define ETH_P_IPV4 0x0800u
#define IP_HLEN 20u
#define UDP_HLEN 8u
#define TCP_HLEN 20u
#define TAG_LEN 8u
#define TCP_PORT_BASE 1024u
#define TCP_PORT_SPAN 64000u
#define SEQ_OFFSET_BITS 20u /* a frame's payload is < 1 MiB */

static const uint8_t magic[4] = {'V', 'S', 'N', 'F'};

/* Payload byte i of frame seq: a function of both, nothing else. */
static uint8_t payload_byte(uint32_t seq, uint32_t i)
{
	uint32_t x = seq * 0x9e3779b1u ^ (i + 1) * 0x85ebca6bu;

	x ^= x >> 15;
	x *= 0xc2b2ae35u;
	return (uint8_t)(x >> 13);
}

static uint32_t l2_len(int vlan)
{
	return VS_ETH_HLEN + (vlan >= 0 ? VS_ETH_VLAN_HLEN : 0);
}

static uint64_t pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_len)
{
	uint64_t sum = vs_inet_sum(0, ip + 12, 8); /* source and destination address */

	return sum + proto + l4_len;
}

void vs_net_frame_build(const struct vs_net_frame_desc *d, uint8_t *buf,
			struct vs_guest_net_offload *off, int full_csum)
{
	uint32_t l2 = l2_len(d->vlan), tag_at = l2, i, l4_len;
	uint8_t *ip = buf + l2, *l4 = ip + IP_HLEN, proto = 0;
	uint16_t csum_offset = 0;

	if (off)
		memset(off, 0, sizeof(*off));
	memcpy(buf, d->dst, 6);
	memcpy(buf + 6, d->src, 6);
	if (d->vlan >= 0) {
		vs_put_be16(buf + 12, VS_ETH_P_8021Q);
		vs_put_be16(buf + 14, (uint16_t)d->vlan);
	}
	vs_put_be16(buf + l2 - 2, d->kind == VS_NET_FRAME_RAW ? ETH_P_TEST : ETH_P_IPV4);
	if (d->kind != VS_NET_FRAME_RAW) {
		proto = d->kind == VS_NET_FRAME_CSUM ? 17 : 6;
		memset(ip, 0, IP_HLEN);
		ip[0] = 0x45;
		vs_put_be16(ip + 2, (uint16_t)(d->size - l2));
		vs_put_be16(ip + 4, (uint16_t)d->seq);
		vs_put_be16(ip + 6, 0x4000); /* don't fragment */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, (const uint8_t[8]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
		vs_put_be16(ip + 10, (uint16_t)~vs_inet_fold(vs_inet_sum(0, ip, IP_HLEN)));
		tag_at = l2 + IP_HLEN + (proto == 17 ? UDP_HLEN : TCP_HLEN);
	}
	l4_len = d->size - l2 - IP_HLEN;
	if (proto == 17) {
		vs_put_be16(l4, 40000);
		vs_put_be16(l4 + 2, 9);
		vs_put_be16(l4 + 4, (uint16_t)l4_len);
		vs_put_be16(l4 + 6, 0);
		csum_offset = 6;
	} else if (proto == 6) {
		memset(l4, 0, TCP_HLEN);
		vs_put_be16(l4, (uint16_t)(TCP_PORT_BASE + (d->seq >> 12) % TCP_PORT_SPAN));
		vs_put_be16(l4 + 2, 5001);
		vs_put_be32(l4 + 4, (d->seq & 0xfffu) << SEQ_OFFSET_BITS);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		vs_put_be16(l4 + 14, 0xffff);
		csum_offset = 16;
	}
	memcpy(buf + tag_at, magic, 4);
	vs_put_le32(buf + tag_at + 4, d->seq);
	for (i = tag_at + TAG_LEN; i < d->size; i++)
		buf[i] = payload_byte(d->seq, i - tag_at);
	if (!proto)
		return;
	if (full_csum) {
		uint64_t sum = vs_inet_sum(pseudo_sum(ip, proto, l4_len), l4, l4_len);

		vs_put_be16(l4 + csum_offset, (uint16_t)~vs_inet_fold(sum));
		return;
	}
	/* What a stack leaves for the device: the pseudo-header sum. */
	vs_put_be16(l4 + csum_offset, vs_inet_fold(pseudo_sum(ip, proto, l4_len)));
	if (!off)
		return;
	off->needs_csum = 1;
	off->csum_start = (uint16_t)(l2 + IP_HLEN);
	off->csum_offset = csum_offset;
	if (proto == 6 && l4_len - TCP_HLEN > d->gso_size) {
		off->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		off->gso_size = (uint16_t)d->gso_size;
		off->hdr_len = (uint16_t)(l2 + IP_HLEN + TCP_HLEN);
	}
}

int vs_net_frame_identify(const uint8_t *frame, size_t len, struct vs_net_frame_id *out)
{
	uint32_t l2 = VS_ETH_HLEN, tot;
	const uint8_t *ip;
	uint16_t type;

	memset(out, 0, sizeof(*out));
	if (len < VS_ETH_HLEN)
		return 0;
	type = vs_be16(frame + 12);
	if (type == VS_ETH_P_8021Q) {
		if (len < VS_ETH_HLEN + VS_ETH_VLAN_HLEN)
			return 0;
		l2 += VS_ETH_VLAN_HLEN;
		type = vs_be16(frame + 16);
	}
	if (type == ETH_P_TEST) {
		if (len < l2 + TAG_LEN || memcmp(frame + l2, magic, 4) != 0)
			return 0;
		out->test = 1;
		out->kind = VS_NET_FRAME_RAW;
		out->seq = vs_le32(frame + l2 + 4);
		return 0;
	}
	if (type != ETH_P_IPV4 || len < l2 + IP_HLEN)
		return 0;
	ip = frame + l2;
	if (ip[0] != 0x45 || (ip[9] != 17 && ip[9] != 6))
		return 0;
	tot = vs_be16(ip + 2);
	if (ip[9] == 17) {
		if (len < l2 + IP_HLEN + UDP_HLEN + TAG_LEN ||
		    memcmp(ip + IP_HLEN + UDP_HLEN, magic, 4) != 0)
			return 0;
		out->test = 1;
		out->kind = VS_NET_FRAME_CSUM;
		out->seq = vs_le32(ip + IP_HLEN + UDP_HLEN + 4);
		return tot == len - l2 ? 0 : -EBADMSG;
	}
	if (len < l2 + IP_HLEN + TCP_HLEN || vs_be16(ip + IP_HLEN + 2) != 5001)
		return 0;
	out->test = 1;
	out->kind = VS_NET_FRAME_TSO4;
	if (tot != len - l2 || tot < IP_HLEN + TCP_HLEN ||
	    vs_be16(ip + IP_HLEN) < TCP_PORT_BASE)
		return -EBADMSG;
	out->seq = (uint32_t)(vs_be16(ip + IP_HLEN) - TCP_PORT_BASE) << 12 |
		   vs_be32(ip + IP_HLEN + 4) >> SEQ_OFFSET_BITS;
	out->offset = vs_be32(ip + IP_HLEN + 4) & ((1u << SEQ_OFFSET_BITS) - 1);
	out->l4_payload = l2 + IP_HLEN + TCP_HLEN;
	out->payload_len = tot - IP_HLEN - TCP_HLEN;
	return 0;
}

int vs_net_frame_complete_csum(uint8_t *frame, size_t len, uint32_t start, uint32_t offset)
{
	uint64_t sum;

	if (start >= len || offset > len - start || len - start - offset < 2)
		return -EINVAL;
	sum = vs_inet_sum(0, frame + start, len - start);
	vs_put_be16(frame + start + offset, (uint16_t)~vs_inet_fold(sum));
	return 0;
}

int vs_net_frame_csums_ok(const uint8_t *frame, size_t len)
{
	uint32_t l2 = vs_be16(frame + 12) == VS_ETH_P_8021Q ? VS_ETH_HLEN + VS_ETH_VLAN_HLEN
							  : VS_ETH_HLEN;
	const uint8_t *ip = frame + l2;
	uint32_t l4_len;

	if (len < l2 + IP_HLEN || ip[0] != 0x45 || vs_be16(ip + 2) != len - l2)
		return 0;
	if (vs_inet_fold(vs_inet_sum(0, ip, IP_HLEN)) != 0xffff)
		return 0;
	l4_len = (uint32_t)(len - l2 - IP_HLEN);
	if (ip[9] == 17 && l4_len >= UDP_HLEN && vs_be16(ip + IP_HLEN + 6) == 0)
		return 1; /* UDP without a checksum */
	return vs_inet_fold(vs_inet_sum(pseudo_sum(ip, ip[9], l4_len), ip + IP_HLEN, l4_len)) == 0xffff;
}
