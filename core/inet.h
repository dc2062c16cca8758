/*
 * inet.h - network byte order and the Internet checksum (RFC 1071), for
 * the frames both the net device (devices/net_wire.c) and the harness's
 * test frames (harness/net_frame.c) take apart and put together.
 */
#ifndef VS_INET_H
#define VS_INET_H

#include <stdint.h>

static inline uint16_t vs_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t vs_be32(const uint8_t *p)
{
	return (uint32_t)vs_be16(p) << 16 | vs_be16(p + 2);
}

static inline void vs_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void vs_put_be32(uint8_t *p, uint32_t v)
{
	vs_put_be16(p, (uint16_t)(v >> 16));
	vs_put_be16(p + 2, (uint16_t)v);
}

/* Add len bytes as big-endian 16-bit words (an odd last byte is the
 * high half of a word) to a running sum, not folded: sums of several
 * pieces add up. */
static inline uint64_t vs_inet_sum(uint64_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += vs_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The sum folded to 16 bits with end-around carries (not complemented:
 * the checksum field takes ~fold, a correct packet folds to 0xffff). */
static inline uint16_t vs_inet_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

#endif /* VS_INET_H */
