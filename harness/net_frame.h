/*
 * net_frame.h - the test frames the runner sends over a net device's wire,
 * and how it recognises them (and the segments a device cut them into)
 * when they come back.
 *
 * Every frame carries a tag: 4 bytes of magic and the frame's sequence
 * number, right after its headers, then bytes derived from the sequence
 * number alone, so a receiver can rebuild the whole frame and compare.
 *  raw:  Ethernet (optionally 802.1Q-tagged), ethertype 0x88b5 (local
 *        experimental), tag, payload.
 *  csum: IPv4 + UDP, the UDP checksum left to the device: the field holds
 *        the pseudo-header sum and the offload says NEEDS_CSUM.
 *  tso4: IPv4 + TCP handed over as one frame, with NEEDS_CSUM and, when
 *        the payload is longer than gso_size, gso_type TCPV4.  Segments
 *        carry the frame's identity in the TCP source port and the top
 *        12 bits of the sequence number, their offset in the low 20.
 */
#ifndef VS_NET_FRAME_H
#define VS_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "harness/scenario.h"

struct vs_guest_net_offload;

/* What a frame is: enough to build it again. */
struct vs_net_frame_desc {
	uint32_t seq;
	uint32_t size;                 /* bytes on the wire */
	enum vs_net_frame_kind kind;
	int vlan;                      /* -1: untagged */
	uint32_t gso_size;             /* tso4 */
	uint8_t dst[6], src[6];
};

/* Write the frame into buf (desc->size bytes) and its offload (NULL ok).
 * full_csum: fill every checksum in as the receiver should finally see
 * it (instead of the pseudo-header sum a sender leaves). */
void vs_net_frame_build(const struct vs_net_frame_desc *d, uint8_t *buf,
			struct vs_guest_net_offload *off, int full_csum);

/* A received frame, taken apart. */
struct vs_net_frame_id {
	int test;              /* carries a test frame's identity */
	enum vs_net_frame_kind kind;
	uint32_t seq;          /* raw, csum: from the tag; tso4: from port and sequence */
	uint32_t offset;       /* tso4: payload offset of this segment */
	uint32_t l4_payload;   /* tso4: where the TCP payload starts */
	uint32_t payload_len;  /* tso4: TCP payload bytes in this segment */
};
/* Identify frame (len bytes).  A frame that is none of the runner's
 * (an ARP announce, say) returns test = 0; a runner's frame with headers
 * that do not add up returns -EBADMSG. */
int vs_net_frame_identify(const uint8_t *frame, size_t len, struct vs_net_frame_id *out);

/* Complete a checksum left partial (NEEDS_CSUM from the device): the sum
 * from start to the end of the frame goes into the 16 bits at
 * start + offset.  -EINVAL when those are not inside the frame. */
int vs_net_frame_complete_csum(uint8_t *frame, size_t len, uint32_t start, uint32_t offset);

/* Are the IPv4 header checksum and the UDP/TCP checksum of an IPv4
 * frame right?  1 yes, 0 no (or not IPv4). */
int vs_net_frame_csums_ok(const uint8_t *frame, size_t len);

#endif /* VS_NET_FRAME_H */
