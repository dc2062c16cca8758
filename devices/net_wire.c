/*
 * net_wire.c - what the network device knows about the frames it carries:
 * where the Ethernet, IP and TCP/UDP headers are, Internet checksums
 * (RFC 1071), segmentation of a TSO / USO frame into wire-sized frames,
 * and a flow hash for receive steering.
 *
 * Every function takes a frame the driver wrote, so every offset read from
 * it is checked against the frame length before use.  Parsing runs once
 * per frame with offloads; segmentation once per GSO frame (a few dozen
 * segments at most for a sane driver, up to 65535 for a hostile one, which
 * costs time, never memory beyond one segment at a time).
 */
#include <errno.h>
#include <string.h>

#include "core/inet.h"
#include "core/virtio_abi.h"
#include "devices/net_internal.h"

/* ---- parsing ---- */

static int parse_l4(const uint8_t *f, uint32_t len, struct vs__net_l4 *o)
{
	o->l4_off = o->l3_off + o->l3_hlen;
	if (o->proto == VS_IPPROTO_TCP) {
		if (len - o->l4_off < VS_TCP_HLEN_MIN)
			return -EINVAL;
		o->l4_hlen = (uint32_t)(f[o->l4_off + 12] >> 4) * 4;
		if (o->l4_hlen < VS_TCP_HLEN_MIN || len - o->l4_off < o->l4_hlen)
			return -EINVAL;
	} else if (o->proto == VS_IPPROTO_UDP) {
		if (len - o->l4_off < VS_UDP_HLEN)
			return -EINVAL;
		o->l4_hlen = VS_UDP_HLEN;
	} else {
		return -EINVAL;
	}
	/* The IP length fields are trusted only when they fit the frame
	 * (trailing padding is allowed); else l4_len 0 = unknown. */
	if (o->l4_len < o->l4_hlen || o->l4_len > len - o->l4_off)
		o->l4_len = 0;
	return 0;
}

int vs__net_parse(const uint8_t *f, uint32_t len, struct vs__net_l4 *o)
{
	const uint8_t *ip;
	uint32_t off = 12;

	memset(o, 0, sizeof(*o));
	if (len < VS_ETH_HLEN)
		return -EINVAL;
	o->ethertype = vs_be16(f + off);
	if (o->ethertype == VS_ETH_P_8021Q) {
		if (len < VS_ETH_HLEN + VS_ETH_VLAN_HLEN)
			return -EINVAL;
		off += VS_ETH_VLAN_HLEN;
		o->ethertype = vs_be16(f + off);
	}
	o->l3_off = off + 2;
	ip = f + o->l3_off;
	if (o->ethertype == VS_ETH_P_IPV4) {
		uint32_t tot;

		if (len - o->l3_off < VS_IPV4_HLEN_MIN || (ip[0] >> 4) != 4)
			return -EINVAL;
		o->l3_hlen = (uint32_t)(ip[0] & 0xf) * 4;
		if (o->l3_hlen < VS_IPV4_HLEN_MIN || len - o->l3_off < o->l3_hlen)
			return -EINVAL;
		/* a fragment (MF or an offset) has no L4 header of its own */
		if (vs_be16(ip + 6) & 0x3fffu)
			return -EINVAL;
		tot = vs_be16(ip + 2);
		o->l4_len = tot >= o->l3_hlen ? tot - o->l3_hlen : 0;
		o->proto = ip[9];
	} else if (o->ethertype == VS_ETH_P_IPV6) {
		if (len - o->l3_off < VS_IPV6_HLEN || (ip[0] >> 4) != 6)
			return -EINVAL;
		o->ipv6 = 1;
		o->l3_hlen = VS_IPV6_HLEN;
		o->l4_len = vs_be16(ip + 4);
		o->proto = ip[6]; /* extension headers are not followed */
	} else {
		return -EINVAL;
	}
	return parse_l4(f, len, o);
}

/* ---- checksums ---- */

/* The TCP/UDP pseudo header (RFC 9293 3.1, RFC 8200 8.1) for l4len bytes. */
static uint64_t pseudo_sum(const uint8_t *f, const struct vs__net_l4 *l4, uint32_t l4len)
{
	const uint8_t *ip = f + l4->l3_off;
	uint64_t sum;

	if (l4->ipv6)
		sum = vs_inet_sum(0, ip + 8, 32);
	else
		sum = vs_inet_sum(0, ip + 12, 8);
	return sum + l4->proto + (l4len >> 16) + (l4len & 0xffffu);
}

int vs__net_csum_complete(uint8_t *f, uint32_t len, uint32_t start, uint32_t off)
{
	uint16_t v;

	if (start > len || off > len - start || len - start - off < 2)
		return -EINVAL;
	v = (uint16_t)~vs_inet_fold(vs_inet_sum(0, f + start, len - start));
	/* 0 and 0xffff are the same sum; UDP reserves 0 for "none" */
	vs_put_be16(f + start + off, v ? v : 0xffffu);
	return 0;
}

int vs__net_csum_verify(const uint8_t *f, uint32_t len, const struct vs__net_l4 *l4)
{
	uint32_t field = l4->l4_off + (l4->proto == VS_IPPROTO_TCP ? VS_TCP_CSUM_OFF
								  : VS_UDP_CSUM_OFF);

	if (!l4->l4_len || l4->l4_off + l4->l4_len > len)
		return 0;
	if (!l4->ipv6 && l4->proto == VS_IPPROTO_UDP && vs_be16(f + field) == 0)
		return 0;
	return vs_inet_fold(pseudo_sum(f, l4, l4->l4_len) +
			    vs_inet_sum(0, f + l4->l4_off, l4->l4_len)) == 0xffff;
}

/* ---- segmentation ---- */

/* Rewrite the headers of segment idx (payload bytes [off, off + chunk) of
 * the original) in d. */
static void fix_segment(uint8_t *d, const struct vs__net_l4 *l4, uint32_t idx, uint32_t off,
			uint32_t chunk, int last)
{
	uint8_t *ip = d + l4->l3_off, *th = d + l4->l4_off;
	uint32_t l4len = l4->l4_hlen + chunk;
	uint16_t v;

	if (l4->ipv6) {
		vs_put_be16(ip + 4, (uint16_t)l4len);
	} else {
		vs_put_be16(ip + 2, (uint16_t)(l4->l3_hlen + l4len));
		vs_put_be16(ip + 4, (uint16_t)(vs_be16(ip + 4) + idx));
		vs_put_be16(ip + 10, 0);
		vs_put_be16(ip + 10, (uint16_t)~vs_inet_fold(vs_inet_sum(0, ip, l4->l3_hlen)));
	}
	if (l4->proto == VS_IPPROTO_TCP) {
		vs_put_be32(th + 4, vs_be32(th + 4) + off);
		/* FIN and PSH end the burst: the last segment only; CWR was
		 * for the first (RFC 3168 6.1.2). */
		if (!last)
			th[13] &= (uint8_t)~(VS_TCP_F_FIN | VS_TCP_F_PSH);
		if (idx)
			th[13] &= (uint8_t)~VS_TCP_F_CWR;
		vs_put_be16(th + VS_TCP_CSUM_OFF, 0);
		v = (uint16_t)~vs_inet_fold(pseudo_sum(d, l4, l4len) + vs_inet_sum(0, th, l4len));
		vs_put_be16(th + VS_TCP_CSUM_OFF, v);
	} else {
		vs_put_be16(th + 4, (uint16_t)l4len);
		vs_put_be16(th + VS_UDP_CSUM_OFF, 0);
		v = (uint16_t)~vs_inet_fold(pseudo_sum(d, l4, l4len) + vs_inet_sum(0, th, l4len));
		vs_put_be16(th + VS_UDP_CSUM_OFF, v ? v : 0xffffu);
	}
}

int vs__net_segment(const struct vs__net_frame *f, const struct vs__net_l4 *l4, uint16_t mss,
		    vs__net_emit_fn emit, void *opaque)
{
	uint32_t hl = l4->l4_off + l4->l4_hlen, payload, off = 0, first;
	int n = 0;

	if (!mss || hl > f->len)
		return -EINVAL;
	payload = f->len - hl;
	first = payload < mss ? payload : mss;
	/* every segment's IP length must fit its 16-bit field */
	if (l4->l3_hlen + l4->l4_hlen + first > 0xffffu)
		return -EINVAL;
	do {
		uint32_t chunk = payload - off < mss ? payload - off : mss;
		struct vs__net_frame *s = vs__net_frame_new(hl + chunk);

		if (!s)
			return -ENOMEM;
		memcpy(s->data, f->data, hl);
		memcpy(s->data + hl, f->data + hl + off, chunk);
		fix_segment(s->data, l4, (uint32_t)n, off, chunk, off + chunk == payload);
		emit(opaque, s);
		n++;
		off += chunk;
	} while (off < payload);
	return n;
}

/* ---- steering ---- */

/* FNV-1a, 32 bits. */
static uint32_t fnv(uint32_t h, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t vs__net_flow_hash(const uint8_t *f, uint32_t len)
{
	const uint32_t basis = 2166136261u;
	uint32_t src, dst, common;
	struct vs__net_l4 l4;
	uint8_t kind[3];

	if (len < VS_ETH_HLEN)
		return 0;
	/* One hash per endpoint (MAC, IP address, port), added: the same
	 * value for both directions of a flow. */
	src = fnv(basis, f + VS_ETH_ALEN, VS_ETH_ALEN);
	dst = fnv(basis, f, VS_ETH_ALEN);
	if (vs__net_parse(f, len, &l4) == 0) {
		uint32_t alen = l4.ipv6 ? 16 : 4;
		uint32_t aoff = l4.l3_off + (l4.ipv6 ? 8 : 12);

		src = fnv(src, f + aoff, alen);
		dst = fnv(dst, f + aoff + alen, alen);
		src = fnv(src, f + l4.l4_off, 2);
		dst = fnv(dst, f + l4.l4_off + 2, 2);
	}
	vs_put_be16(kind, l4.ethertype);
	kind[2] = l4.proto;
	common = fnv(basis, kind, sizeof(kind));
	return src + dst + common;
}
