/*
 * net_tx.c - the network device's transmit queues (spec 5.1.9.2) and the
 * wire between a sender and its receiver.
 *
 * A transmit chain is a virtio-net header followed by one Ethernet frame,
 * split over device-readable buffers any way the driver likes.  The
 * device checks the chain and the header before it trusts either: a chain
 * with device-writable buffers or shorter than the header, a frame under
 * 14 bytes or over mtu + 14 (GSO NONE) or VS_NET_MAX_GSO_FRAME, a GSO type
 * the driver did not negotiate (HOST_TSO4 / TSO6 / USO; UFO is not
 * implemented) or without NEEDS_CSUM and gso_size, a partial checksum
 * field outside the frame, a GSO frame whose headers are not the type it
 * claims: all are dropped and counted in tx_errors.  None of this breaks
 * the queue (the spec gives the device no such right over a packet): the
 * buffer is used, with len 0 as for every transmit buffer (nothing is
 * written into it).  Flag bits the device does not know, and DATA_VALID
 * and RSC_INFO (receive-only), are ignored (spec
 * dev.net.device-operation.packet-transmission.1).
 *
 * Then the frame is made to fit the receiver (vs__net_fit): the partial
 * checksum is completed and a GSO frame segmented unless the receiving
 * driver takes them as they are (GUEST_CSUM, GUEST_TSO4/6, GUEST_USO4/6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/net_internal.h"

#define LOG_SUBSYS "net"

/* ---- fitting a frame to its receiver ---- */

/* Does the parsed frame carry what gso type base says? */
static int gso_matches(uint8_t base, const struct vs__net_l4 *l4)
{
	switch (base) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return !l4->ipv6 && l4->proto == VS_IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return l4->ipv6 && l4->proto == VS_IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return l4->proto == VS_IPPROTO_UDP;
	default:
		return 0; /* UDP (UFO) and anything else: not implemented */
	}
}

/* May the receiver take this GSO frame as it is? */
static int gso_passes(uint8_t gso_type, const struct vs__net_l4 *l4, uint64_t off)
{
	uint8_t base = gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	/* spec dev.net.device-operation.processing-incoming-packets.21: GSO
	 * goes with NEEDS_CSUM, which needs GUEST_CSUM
	 * (dev.net.device-operation.processing-incoming-packets.5) */
	if (!(off & VS_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	/* dev.net.device-operation.processing-incoming-packets.12: ECN-marked
	 * TSO only with GUEST_ECN */
	if ((gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(off & VS_BIT(VIRTIO_NET_F_GUEST_ECN)))
		return 0;
	/* dev.net.device-operation.processing-incoming-packets.6, .8 and .9 */
	switch (base) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return (off & VS_BIT(VIRTIO_NET_F_GUEST_TSO4)) != 0;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return (off & VS_BIT(VIRTIO_NET_F_GUEST_TSO6)) != 0;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return (off & VS_BIT(l4->ipv6 ? VIRTIO_NET_F_GUEST_USO6 : VIRTIO_NET_F_GUEST_USO4)) != 0;
	default:
		return 0;
	}
}

struct seg_ctx {
	vs__net_emit_fn emit;
	void *opaque;
	uint8_t flags;
};

static void seg_emit(void *opaque, struct vs__net_frame *s)
{
	struct seg_ctx *ctx = opaque;

	s->flags = ctx->flags;
	ctx->emit(ctx->opaque, s);
}

int vs__net_fit(struct vs__net_frame *f, uint64_t off, vs__net_emit_fn emit, void *opaque)
{
	int csum = (off & VS_BIT(VIRTIO_NET_F_GUEST_CSUM)) != 0;
	struct vs__net_l4 l4;
	int n;

	if (f->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		uint8_t base = f->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
		struct seg_ctx ctx = {emit, opaque, 0};

		if (vs__net_parse(f->data, f->len, &l4) || !gso_matches(base, &l4)) {
			free(f);
			return -EINVAL;
		}
		if (gso_passes(f->gso_type, &l4, off)) {
			/* spec dev.net.device-operation.processing-incoming-packets.21
			 * and .processing-incoming-packets.24: NEEDS_CSUM at the transport
			 * checksum, hdr_len through the transport header,
			 * from the device's own parse (the driver's hdr_len
			 * is only a hint, dev.net.device-operation.packet-transmission.5) */
			f->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			f->csum_start = (uint16_t)l4.l4_off;
			f->csum_offset = l4.proto == VS_IPPROTO_TCP ? VS_TCP_CSUM_OFF : VS_UDP_CSUM_OFF;
			f->hdr_len = (uint16_t)(l4.l4_off + l4.l4_hlen);
			emit(opaque, f);
			return 0;
		}
		/* spec dev.net.device-operation.processing-incoming-packets.25:
		 * the device computed each segment's checksum, so it may say so */
		ctx.flags = csum ? VIRTIO_NET_HDR_F_DATA_VALID : 0;
		n = vs__net_segment(f, &l4, f->gso_size, seg_emit, &ctx);
		free(f);
		return n;
	}
	f->gso_size = f->hdr_len = 0;
	if (f->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* spec dev.net.device-operation.processing-incoming-packets.14
		 * to .17: a receiver with GUEST_CSUM takes the partial checksum
		 * as the sender's driver set it up */
		if (csum) {
			f->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			emit(opaque, f);
			return 0;
		}
		if (vs__net_csum_complete(f->data, f->len, f->csum_start, f->csum_offset)) {
			free(f);
			return -EINVAL;
		}
	}
	/* spec dev.net.device-operation.processing-incoming-packets.5: flags
	 * 0 without GUEST_CSUM; .processing-incoming-packets.25: DATA_VALID
	 * only for a checksum the device checked */
	f->flags = 0;
	f->csum_start = f->csum_offset = 0;
	if (csum && vs__net_parse(f->data, f->len, &l4) == 0 &&
	    vs__net_csum_verify(f->data, f->len, &l4))
		f->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	emit(opaque, f);
	return 0;
}

/* ---- the wire ---- */

static void wire_emit(void *opaque, struct vs__net_frame *f)
{
	vs__net_receive(opaque, f);
}

/* Put f on st's wire: to the peer, to st itself (loopback), or nowhere. */
static void wire_send(struct vs__net *st, struct vs__net_frame *f)
{
	struct vs__net *to = st->peer ? st->peer : (st->orphaned ? NULL : st);
	int n;

	if (!st->link_up || !to) {
		free(f);
		return;
	}
	if (!to->link_up) {
		to->stats.rx_dropped_backlog++;
		free(f);
		return;
	}
	n = vs__net_fit(f, vs__net_offloads(to), wire_emit, to);
	if (n < 0) {
		st->stats.tx_errors++;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: transmitted frame dropped: its headers do not "
		       "match its offload request (%d)", st->vdev->label, n);
		return;
	}
	st->stats.tx_segments += (uint64_t)n;
}

/* ---- the transmit queue ---- */

/* The frame of a transmit chain, or NULL when it is refused (logged and
 * counted). */
static struct vs__net_frame *tx_take(struct vs__net *st, struct vs_vq *vq,
				     const struct vs_vq_elem *e)
{
	struct vs_vdev *vdev = st->vdev;
	uint32_t hs = vs__net_hdr_size(vdev), flen;
	uint8_t h[VS_NET_HDR_SIZE];
	uint8_t flags, gso_type, base;
	uint16_t gso_size, csum_start = 0, csum_offset = 0;
	struct vs__net_frame *f;
	const char *why;

	if (e->in_num) {
		why = "device-writable buffers in a transmit chain";
		goto refuse;
	}
	if (e->out_len < hs || vs_vq_read(vq, e, 0, h, hs)) {
		why = "chain shorter than the virtio-net header";
		goto refuse;
	}
	if (e->out_len - hs < VS_ETH_HLEN) {
		why = "frame shorter than an Ethernet header";
		goto refuse;
	}
	if (e->out_len - hs > VS_NET_MAX_GSO_FRAME) {
		why = "frame longer than 64 KiB plus the Ethernet header";
		goto refuse;
	}
	flen = (uint32_t)(e->out_len - hs);
	flags = h[VS_NET_HDR_FLAGS];
	gso_type = h[VS_NET_HDR_GSO_TYPE];
	gso_size = vs_le16(h + VS_NET_HDR_GSO_SIZE);
	base = gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	if (base == VIRTIO_NET_HDR_GSO_NONE) {
		/* "gso_type NONE or ECN" (spec 5.1.4.1): ECN alone is NONE */
		gso_type = VIRTIO_NET_HDR_GSO_NONE;
		/* dev.net.device-configuration-layout.6 promises up to
		 * mtu + 14; nothing longer is forwarded */
		if (flen > (uint32_t)st->mtu + VS_ETH_HLEN) {
			why = "frame longer than mtu + 14 without GSO";
			goto refuse;
		}
	} else {
		/* drv.net.device-operation.packet-transmission.5 - .8 and .9
		 * are the driver's; the device refuses what it was not
		 * offered to do */
		unsigned need = base == VIRTIO_NET_HDR_GSO_TCPV4   ? VIRTIO_NET_F_HOST_TSO4
				: base == VIRTIO_NET_HDR_GSO_TCPV6 ? VIRTIO_NET_F_HOST_TSO6
				: base == VIRTIO_NET_HDR_GSO_UDP_L4 ? VIRTIO_NET_F_HOST_USO
								     : 0;

		if (!need || !vs_vdev_has_feature(vdev, need)) {
			why = "GSO type not negotiated (or not implemented)";
			goto refuse;
		}
		if ((gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
		    !vs_vdev_has_feature(vdev, VIRTIO_NET_F_HOST_ECN)) {
			why = "GSO ECN bit without VIRTIO_NET_F_HOST_ECN";
			goto refuse;
		}
		/* drv.net.device-operation.packet-transmission.22 */
		if (!(flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !gso_size) {
			why = "GSO without NEEDS_CSUM or gso_size";
			goto refuse;
		}
	}
	/* spec dev.net.device-operation.packet-transmission.2: csum_start
	 * and csum_offset only with NEEDS_CSUM */
	if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		csum_start = vs_le16(h + VS_NET_HDR_CSUM_START);
		csum_offset = vs_le16(h + VS_NET_HDR_CSUM_OFFSET);
		if (csum_start > flen || csum_offset > flen - csum_start ||
		    flen - csum_start - csum_offset < 2) {
			why = "checksum field outside the frame";
			goto refuse;
		}
		/* drv.net.device-operation.packet-transmission.3 is the
		 * driver's; the checksum is still completed */
		if (!vs_vdev_has_feature(vdev, VIRTIO_NET_F_CSUM))
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u head %u: NEEDS_CSUM without "
			       "VIRTIO_NET_F_CSUM", vdev->label, vq->index, e->head);
	}
	f = vs__net_frame_new(flen);
	if (!f) {
		why = "out of memory";
		goto refuse;
	}
	if (vs_vq_read(vq, e, hs, f->data, flen)) {
		free(f);
		why = "frame unreadable";
		goto refuse;
	}
	f->flags = flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f->gso_type = gso_type;
	f->gso_size = gso_type == VIRTIO_NET_HDR_GSO_NONE ? 0 : gso_size;
	f->csum_start = csum_start;
	f->csum_offset = csum_offset;
	st->stats.tx_frames++;
	st->stats.tx_bytes += flen;
	return f;

refuse:
	st->stats.tx_errors++;
	vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u head %u dropped: %s (%llu readable, %llu "
	       "writable bytes)", vdev->label, vq->index, e->head, why,
	       (unsigned long long)e->out_len, (unsigned long long)e->in_len);
	return NULL;
}

void vs__net_handle_tx(struct vs__net *st, struct vs_vq *vq, uint32_t pair)
{
	struct vs_vq_elem elem;
	uint32_t budget = vq->num;

	while (budget--) {
		struct vs__net_frame *f;

		if (vs_vq_pop(vq, &elem))
			return;
		f = tx_take(st, vq, &elem);
		if (f) {
			vs__net_flow_note(st, f, pair);
			wire_send(st, f);
		}
		/* nothing is written into a transmit buffer: used len 0 */
		if (vs_vq_push(vq, &elem, 0) == -EIO)
			return;
	}
	vs_vdev_kick(st->vdev, vq->index);
}
