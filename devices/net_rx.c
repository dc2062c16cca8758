/*
 * net_rx.c - the network device's receive side (spec 5.1.9.3, 5.1.9.4):
 * the receive filter, steering to a receive queue, the per-queue backlog
 * and the copy into receive buffers.
 *
 * A frame arriving from the wire passes the link, the filter (5.1.9.5.1 -
 * 5.1.9.5.3) and the mtu check (dev.net.device-configuration-layout.5),
 * is steered to a receive queue and waits in that queue's backlog (at most
 * VS_NET_BACKLOG frames) until the queue's handler runs: at once when
 * buffers are there, else after the driver's next kick.
 *
 * Steering (5.1.9.5.6): with one pair in use, receiveq1.  With more, a
 * flow the device transmitted on transmitqX comes back on receiveqX (the
 * spec's SHOULD); any other flow goes to receiveq(1 + hash % pairs), the
 * hash being the same for both directions of a flow (net_wire.c).  When
 * the chosen queue is being reset (not ready) the next ready one in use
 * takes it; with none ready the frame is dropped.
 *
 * Buffers: without VIRTIO_NET_F_MRG_RXBUF one chain takes header and
 * frame (spec dev.net.device-operation.setting-up-receive-buffers.2);
 * with it, the frame spreads over as many chains as it needs, each but the
 * last filled completely, all used together with one used idx update,
 * num_buffers in the first header (spec
 * dev.net.device-operation.processing-incoming-packets.3, .4 and .2).  A
 * frame that can never fit is dropped (rx_dropped_too_big).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/net_internal.h"

#define LOG_SUBSYS "net"

/* gso_size VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED claims (a TCP MSS). */
#define NET_FAULT_GSO_SIZE 1448u
/* VS_FAULT_DEV_NET_USED_LEN_SHORT's used len: less than any header. */
#define NET_FAULT_USED_LEN 4u

/* ---- frames and FIFOs ---- */

struct vs__net_frame *vs__net_frame_new(uint32_t len)
{
	struct vs__net_frame *f = calloc(1, sizeof(*f) + len);

	if (f)
		f->len = len;
	return f;
}

void vs__net_fifo_push(struct vs__net_fifo *q, struct vs__net_frame *f)
{
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	q->n++;
}

struct vs__net_frame *vs__net_fifo_pop(struct vs__net_fifo *q)
{
	struct vs__net_frame *f = q->head;

	if (!f)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	f->next = NULL;
	return f;
}

void vs__net_fifo_free(struct vs__net_fifo *q)
{
	struct vs__net_frame *f;

	while ((f = vs__net_fifo_pop(q)))
		free(f);
}

/* ---- the filter ---- */

static int negotiated(const struct vs__net *st, unsigned bit)
{
	return vs__net_features_final(st) && vs_vdev_has_feature(st->vdev, bit);
}

static int in_table(const uint8_t (*tab)[6], uint32_t n, const uint8_t *mac)
{
	for (uint32_t i = 0; i < n; i++)
		if (!memcmp(tab[i], mac, 6))
			return 1;
	return 0;
}

int vs__net_filter_accepts(const struct vs__net *st, const struct vs__net_frame *f)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t *d = f->data;

	/* spec dev.net.device-operation.control-virtqueue.packet-receive-filtering.2:
	 * promiscuous takes everything, whatever the other modes (and, as
	 * a NIC in promiscuous mode does, whatever the VLAN) */
	if (st->promisc)
		return 1;
	if (!memcmp(d, bcast, 6)) {
		/* dev.net.device-operation.control-virtqueue.packet-receive-filtering.8;
		 * NOMULTI leaves broadcast alone (.packet-receive-filtering.6) */
		if (st->nobcast)
			return 0;
	} else if (d[0] & 1) {
		/* dev.net.device-operation.control-virtqueue.packet-receive-filtering.6
		 * before ALLMULTI (.packet-receive-filtering.3) */
		if (st->nomulti)
			return 0;
		if (!st->allmulti && !st->mc_overflow && !in_table(st->mc, st->mc_n, d))
			return 0;
	} else {
		/* dev.net.device-operation.control-virtqueue.packet-receive-filtering.7
		 * before ALLUNI (.packet-receive-filtering.5); own address and table:
		 * dev.net.device-operation.control-virtqueue.setting-mac-address-filtering.4 */
		if (st->nouni)
			return 0;
		if (!st->alluni && !st->uc_overflow && memcmp(d, st->mac, 6) &&
		    !in_table(st->uc, st->uc_n, d))
			return 0;
	}
	/* spec dev.net.device-operation.control-virtqueue.vlan-filtering.1 and
	 * dev.net.device-operation.control-virtqueue.vlan-filtering.2: tagged
	 * frames against the table with CTRL_VLAN, all of them without;
	 * untagged frames always */
	if (negotiated(st, VIRTIO_NET_F_CTRL_VLAN) &&
	    f->len >= VS_ETH_HLEN + VS_ETH_VLAN_HLEN &&
	    ((d[12] << 8) | d[13]) == VS_ETH_P_8021Q) {
		uint16_t vid = (uint16_t)(((d[14] << 8) | d[15]) & VS_NET_VLAN_MAX);

		if (!(st->vlans[vid / 32] & (1u << (vid % 32))))
			return 0;
	}
	return 1;
}

/* ---- steering ---- */

void vs__net_flow_note(struct vs__net *st, const struct vs__net_frame *f, uint32_t pair)
{
	uint32_t h = vs__net_flow_hash(f->data, f->len);
	struct vs__net_flow *slot = &st->flows[h & (VS_NET_FLOW_SLOTS - 1)];

	slot->hash = h;
	slot->pair = (uint16_t)pair;
	slot->valid = 1;
}

/* The pair whose receive queue takes f, or -1 to drop it. */
static int steer(struct vs__net *st, const struct vs__net_frame *f)
{
	uint32_t n = st->cur_pairs, h, pair;
	const struct vs__net_flow *slot;

	if (n <= 1) {
		pair = 0;
	} else {
		h = vs__net_flow_hash(f->data, f->len);
		slot = &st->flows[h & (VS_NET_FLOW_SLOTS - 1)];
		pair = slot->valid && slot->hash == h && slot->pair < n ? slot->pair : h % n;
	}
	/* Before DRIVER_OK the queues are still being set up: wait there. */
	if (!(st->vdev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return (int)pair;
	/* spec dev.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.3
	 * and dev.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.4 */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = (pair + i) % n;

		if (vs_vdev_queue_ready(st->vdev, 2 * p))
			return (int)p;
	}
	return -1;
}

/* Into the backlog of its queue, with the queue's handler scheduled. */
static void enqueue(struct vs__net *st, struct vs__net_frame *f)
{
	int pair = steer(st, f);
	struct vs__net_rxq *q;

	if (pair < 0) {
		st->stats.rx_dropped_backlog++;
		free(f);
		return;
	}
	q = &st->rxq[pair];
	if (q->backlog.n >= VS_NET_BACKLOG) {
		st->stats.rx_dropped_backlog++;
		free(f);
		return;
	}
	vs__net_fifo_push(&q->backlog, f);
	/* not a driver's notification: schedules the queue handler, which
	 * runs only once the driver set DRIVER_OK and the queue is ready */
	vs_vdev_kick(st->vdev, 2 * (unsigned)pair);
}

/*
 * spec dev.net.device-configuration-layout.5 (held with or without MTU
 * negotiated: mtu is the most this device handles): a frame without GSO
 * beyond mtu + 14 is dropped and counted, else it goes to its queue.
 * Every frame bound for a receive buffer passes here, also the segments
 * made when a backlog is re-fitted (their size is the sender's gso_size).
 */
static void enqueue_within_mtu(struct vs__net *st, struct vs__net_frame *f)
{
	if (f->gso_type == VIRTIO_NET_HDR_GSO_NONE && f->len > (uint32_t)st->mtu + VS_ETH_HLEN) {
		st->stats.rx_dropped_too_big++;
		free(f);
		return;
	}
	enqueue(st, f);
}

void vs__net_receive(struct vs__net *st, struct vs__net_frame *f)
{
	if (!st->link_up) {
		st->stats.rx_dropped_backlog++;
		free(f);
		return;
	}
	if (!vs__net_filter_accepts(st, f)) {
		st->stats.rx_dropped_filter++;
		free(f);
		return;
	}
	enqueue_within_mtu(st, f);
}

static void resteer_emit(void *opaque, struct vs__net_frame *f)
{
	enqueue_within_mtu(opaque, f);
}

void vs__net_rx_resteer(struct vs__net *st)
{
	uint64_t off = vs__net_offloads(st);
	struct vs__net_fifo all = {0};
	struct vs__net_frame *f;

	for (uint32_t p = 0; p < st->max_pairs; p++)
		while ((f = vs__net_fifo_pop(&st->rxq[p].backlog)))
			vs__net_fifo_push(&all, f);
	while ((f = vs__net_fifo_pop(&all)))
		if (vs__net_fit(f, off, resteer_emit, st) < 0)
			st->stats.rx_dropped_backlog++;
}

void vs__net_rx_flush(struct vs__net *st, int count)
{
	for (uint32_t p = 0; p < st->max_pairs; p++) {
		if (count)
			st->stats.rx_dropped_backlog += st->rxq[p].backlog.n;
		vs__net_fifo_free(&st->rxq[p].backlog);
	}
}

/* ---- held buffers ---- */

static struct vs_vq_elem *held_at(const struct vs__net_rxq *q, uint32_t i)
{
	return q->held[q->held_head + i];
}

static int held_append(struct vs__net_rxq *q, struct vs_vq_elem *e)
{
	if (q->held_head + q->held_n == q->held_cap) {
		if (q->held_head) {
			memmove(q->held, q->held + q->held_head, q->held_n * sizeof(*q->held));
			q->held_head = 0;
		} else {
			uint32_t cap = q->held_cap ? 2 * q->held_cap : 16;
			struct vs_vq_elem **h = realloc(q->held, cap * sizeof(*h));

			if (!h)
				return -ENOMEM;
			q->held = h;
			q->held_cap = cap;
		}
	}
	q->held[q->held_head + q->held_n++] = e;
	return 0;
}

/* Forget the first n held buffers (used, or dead). */
static void held_drop(struct vs__net_rxq *q, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(held_at(q, i));
	q->held_head += n;
	q->held_n -= n;
	if (!q->held_n)
		q->held_head = 0;
}

void vs__net_rx_free_held(struct vs__net *st)
{
	for (uint32_t p = 0; p < st->max_pairs; p++) {
		held_drop(&st->rxq[p], st->rxq[p].held_n);
		free(st->rxq[p].held);
		st->rxq[p].held = NULL;
		st->rxq[p].held_cap = 0;
	}
}

/* Make held buffer i exist: pop one more if needed.  0, -ENOENT (ring
 * empty), -EIO, -ENOMEM. */
static int held_get(struct vs__net *st, struct vs_vq *vq, struct vs__net_rxq *q, uint32_t i)
{
	struct vs_vq_elem *e;
	int rc;

	if (i < q->held_n)
		return 0;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	rc = vs_vq_pop(vq, e);
	if (rc) {
		free(e);
		return rc;
	}
	/* receive buffers are for the device to write (5.1.9.3); it uses
	 * the writable part and leaves the rest */
	if (e->out_num)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: receive head %u on vq %u has %u device-readable "
		       "buffers", st->vdev->label, e->head, vq->index, e->out_num);
	rc = held_append(q, e);
	if (rc)
		free(e);
	return rc;
}

/* ---- delivery ---- */

/* Write bytes [pos, pos + n) of header-then-frame into e at offset 0. */
static int put_bytes(struct vs_vq *vq, struct vs_vq_elem *e, const uint8_t *hdr, uint32_t hs,
		     const struct vs__net_frame *f, uint32_t pos, uint32_t n)
{
	uint32_t done = 0;
	int err;

	if (pos < hs) {
		uint32_t k = hs - pos < n ? hs - pos : n;

		err = vs_vq_write(vq, e, 0, hdr + pos, k);
		if (err)
			return err;
		done = k;
	}
	if (done < n) {
		err = vs_vq_write(vq, e, done, f->data + (pos + done - hs), n - done);
		if (err)
			return err;
	}
	return 0;
}

/* The header for f spread over nbuf buffers, faults applied. */
static void build_header(struct vs__net *st, const struct vs__net_frame *f, uint32_t nbuf,
			 uint8_t *h)
{
	struct vs_vdev *vdev = st->vdev;
	uint8_t gso_type = f->gso_type;
	uint16_t gso_size = f->gso_size;

	memset(h, 0, VS_NET_HDR_SIZE);
	if (gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    !vs_vdev_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4) &&
	    vs_fault_hit(vdev->faults, VS_FAULT_DEV_NET_RX_GSO_UNNEGOTIATED)) {
		/* breaks spec dev.net.device-operation.processing-incoming-packets.6 */
		gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		gso_size = NET_FAULT_GSO_SIZE;
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: received frame marked GSO TCPV4 "
		       "without GUEST_TSO4", vdev->label);
	}
	/* the frame was fitted to the offloads the driver takes
	 * (vs__net_fit): its flags and GSO fields are the header's */
	h[VS_NET_HDR_FLAGS] = f->flags;
	h[VS_NET_HDR_GSO_TYPE] = gso_type;
	vs_put_le16(h + VS_NET_HDR_HDR_LEN, f->hdr_len);
	vs_put_le16(h + VS_NET_HDR_GSO_SIZE, gso_size);
	vs_put_le16(h + VS_NET_HDR_CSUM_START, f->csum_start);
	vs_put_le16(h + VS_NET_HDR_CSUM_OFFSET, f->csum_offset);
	if (vs_fault_hit(vdev->faults, VS_FAULT_DEV_NET_NUM_BUFFERS_OVER)) {
		/* breaks spec dev.net.device-operation.processing-incoming-packets.1
		 * and dev.net.device-operation.processing-incoming-packets.2 */
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: num_buffers %u for %u buffers",
		       vdev->label, nbuf + 1, nbuf);
		nbuf++;
	}
	/* spec dev.net.device-operation.processing-incoming-packets.1 and
	 * dev.net.device-operation.processing-incoming-packets.2 */
	vs_put_le16(h + VS_NET_HDR_NUM_BUFFERS, (uint16_t)nbuf);
}

/*
 * Put f into buffers of vq.  0 when f is done with (delivered, or dropped
 * and counted), -EAGAIN when it waits for more buffers, -EIO when the
 * queue broke.
 */
static int deliver(struct vs__net *st, struct vs_vq *vq, struct vs__net_rxq *q,
		   const struct vs__net_frame *f)
{
	struct vs_vdev *vdev = st->vdev;
	int mrg = vs_vdev_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
	uint32_t hs = vs__net_hdr_size(vdev), total = hs + f->len;
	uint64_t have = 0;
	uint32_t nbuf = 0, pos = 0;
	uint8_t h[VS_NET_HDR_SIZE];
	int rc, err = 0;

	/* Buffers popped before a reset of this queue are not ours now. */
	if (q->held_n && !vs_vq_elem_live(vq, held_at(q, 0)))
		held_drop(q, q->held_n);
	while (have < total) {
		struct vs_vq_elem *e;

		rc = held_get(st, vq, q, nbuf);
		if (rc == -ENOENT) {
			if (!mrg || q->held_n < vq->num)
				return -EAGAIN; /* the driver may post more */
			/* every buffer the ring can hold is ours and the frame
			 * still does not fit: it never will */
			st->stats.rx_dropped_too_big++;
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: %u-byte frame does not fit all "
			       "%llu bytes of receive buffers: dropped", vdev->label, vq->index,
			       f->len, (unsigned long long)have);
			return 0;
		}
		if (rc)
			return rc == -ENOMEM ? -EAGAIN : rc;
		e = held_at(q, nbuf);
		if (nbuf == 0 && e->in_len < (mrg ? hs : hs + VS_ETH_HLEN)) {
			/* drv.net.device-operation.setting-up-receive-buffers.3
			 * is the driver's (a buffer holds at least a header):
			 * this one can never start a packet; give it back
			 * empty rather than hold it for ever */
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: vq %u head %u: %llu writable bytes, "
			       "too few for any packet: returned unused", vdev->label, vq->index,
			       e->head, (unsigned long long)e->in_len);
			rc = vs_vq_push(vq, e, 0);
			held_drop(q, 1);
			if (rc == -EIO)
				return rc;
			continue;
		}
		if (!mrg && e->in_len < total) {
			/* one chain per packet: this frame does not fit it; the
			 * buffer stays for the next (smaller) frame */
			st->stats.rx_dropped_too_big++;
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: vq %u: %u-byte frame does not fit the "
			       "%llu-byte buffer at head %u: dropped", vdev->label, vq->index, f->len,
			       (unsigned long long)e->in_len, e->head);
			return 0;
		}
		have += e->in_len;
		nbuf++;
	}
	build_header(st, f, nbuf, h);
	for (uint32_t i = 0; i < nbuf && !err; i++) {
		struct vs_vq_elem *e = held_at(q, i);
		uint32_t n = total - pos < e->in_len ? total - pos : (uint32_t)e->in_len;

		err = put_bytes(vq, e, h, hs, f, pos, n);
		pos += n;
	}
	if (err)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: vq %u: writing a received frame failed (%d)",
		       vdev->label, vq->index, err);
	pos = 0;
	for (uint32_t i = 0; i < nbuf; i++) {
		struct vs_vq_elem *e = held_at(q, i);
		uint32_t n = total - pos < e->in_len ? total - pos : (uint32_t)e->in_len;

		pos += n;
		if (err)
			n = 0;
		if (i == 0 && n && vs_fault_hit(vdev->faults, VS_FAULT_DEV_NET_USED_LEN_SHORT)) {
			/* a used len shorter than the virtio-net header the
			 * device wrote (the monitor's net.rx-used-len) */
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "%s: fault: head %u used len %u, %u written",
			       vdev->label, e->head, NET_FAULT_USED_LEN, n);
			n = NET_FAULT_USED_LEN;
		}
		rc = vs_vq_fill(vq, e, n);
		if (rc) {
			held_drop(q, q->held_n);
			return rc == -EIO ? -EIO : 0;
		}
	}
	held_drop(q, nbuf);
	/* one used idx update for all of the packet's buffers */
	rc = vs_vq_flush(vq);
	if (rc == -EIO)
		return rc;
	if (!err) {
		st->stats.rx_frames++;
		st->stats.rx_bytes += f->len;
	}
	return 0;
}

void vs__net_handle_rx(struct vs__net *st, struct vs_vq *vq, uint32_t pair)
{
	struct vs__net_rxq *q = &st->rxq[pair];
	uint32_t budget = vq->num;

	while (q->backlog.head) {
		int rc;

		if (!budget--) {
			/* a ring's worth per run, then let other work go first */
			vs_vdev_kick(st->vdev, vq->index);
			return;
		}
		rc = deliver(st, vq, q, q->backlog.head);
		if (rc)
			return; /* -EAGAIN: the driver's next kick resumes; -EIO */
		free(vs__net_fifo_pop(&q->backlog));
	}
}
