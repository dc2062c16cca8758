/*
 * virtio_net_tx.c - transmit (spec 5.1.9.2), Linux's start_xmit /
 * xmit_skb shape: free what the device used, then one chain per frame --
 * the virtio-net header in a buffer of its own (the first descriptor;
 * Linux pushes it into the skb's headroom when it can, which a legacy
 * device without ANY_LAYOUT forbids, spec 5.1.9.8), then the frame copied
 * into the stack's buffer and cut into page-sized pieces, one descriptor
 * each (at most MAX_SKB_FRAGS).  When fewer than 2 + MAX_SKB_FRAGS
 * descriptors stay free the queue is stopped and the device asked for an
 * interrupt once most of it is used (virtqueue_enable_cb_delayed); that
 * interrupt frees the used buffers and wakes the queue.  A caller that
 * finds the queue stopped waits for the wake, as the stack would requeue.
 *
 * Offloads are what the stack asked for and the features allow: partial
 * checksum with CSUM, TCPv4 / TCPv6 / UDP segmentation with HOST_TSO4 /
 * HOST_TSO6 / HOST_UFO, ECN with HOST_ECN; anything else is refused
 * before it reaches the ring.  Frames are counted when the device used
 * them (free_old_xmit), as Linux counts them.
 */
#define KBUILD_MODNAME "virtio_net"

#include <errno.h>
#include <string.h>

#include <linux/fault-inject.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>

#include "driver/virtio_net.h"
#include "driver/virtio_net_internal.h"

/* The gso_size the fault DRV_NET_TX_GSO_UNNEGOTIATED writes (a TCP MSS). */
#define VIRTNET_FAULT_GSO_SIZE 1448u

static void free_tx_buf(struct virtnet_tx_buf *txb)
{
	kfree(txb->data);
	kfree(txb);
}

unsigned int free_old_xmit(struct virtnet_info *vi, struct send_queue *sq)
{
	struct virtnet_tx_buf *txb;
	unsigned int len, n = 0;

	/* The used len of a transmit buffer means nothing (nothing is
	 * device-writable); the ring already refused any other than 0. */
	while ((txb = virtqueue_get_buf(sq->vq, &len)) != NULL) {
		vi->stats.tx_packets++;
		vi->stats.tx_bytes += txb->len;
		free_tx_buf(txb);
		if (sq->pending)
			sq->pending--;
		n++;
	}
	return n;
}

/* Room for one more packet of the worst shape: header, linear part and
 * MAX_SKB_FRAGS fragments -- or the whole ring when it is smaller. */
static unsigned int sq_room_needed(const struct send_queue *sq)
{
	return min_t(unsigned int, 2 + MAX_SKB_FRAGS, virtqueue_get_vring_size(sq->vq));
}

/*
 * Linux's check_sq_full_and_disable: stop the queue while it has too few
 * free descriptors, with an interrupt asked for once most of what is
 * outstanding was used.  When buffers were already used past that point
 * (enable_cb_delayed false) free them and look again; a queue with room
 * again runs without transmit interrupts.
 */
static void check_sq_full_and_disable(struct virtnet_info *vi, struct send_queue *sq)
{
	while (sq->vq->num_free < sq_room_needed(sq)) {
		sq->stopped = true;
		if (virtqueue_enable_cb_delayed(sq->vq))
			return; /* skb_xmit_done wakes it */
		if (!free_old_xmit(vi, sq))
			return; /* broken: waiters see it */
	}
	if (sq->stopped) {
		sq->stopped = false;
		virtqueue_disable_cb(sq->vq);
		wake_up(&vi->wq);
	}
}

/* The transmit interrupt: free, and wake the queue when it has room. */
void skb_xmit_done(struct virtqueue *vq)
{
	struct virtnet_info *vi = virtnet_of(vq->vdev);
	unsigned int pair = vq->index / 2;
	struct send_queue *sq;

	if (!vi || !vi->sq || pair >= vi->max_queue_pairs || vi->sq[pair].vq != vq)
		return;
	sq = &vi->sq[pair];
	virtqueue_disable_cb(vq);
	free_old_xmit(vi, sq);
	if (sq->stopped)
		check_sq_full_and_disable(vi, sq);
	wake_up(&vi->wq);
}

/* spec drv.net.device-operation.packet-transmission.3, .5 - .9, .17 -
 * .22: what the header may ask for, given the features. */
static int virtnet_tx_offload_ok(struct virtio_device *vdev, const struct virtnet_tx_offload *off,
				 size_t len)
{
	u8 base;

	if (!off)
		return 0;
	if (off->needs_csum) {
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_CSUM))
			return -EINVAL;
		if ((size_t)off->csum_start + off->csum_offset + 2 > len)
			return -EINVAL; /* the checksum field is not inside the frame */
	}
	if (off->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	base = off->gso_type & (u8)~VIRTIO_NET_HDR_GSO_ECN;
	switch (base) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO4))
			return -EINVAL;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_HOST_TSO6))
			return -EINVAL;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		if (!virtio_has_feature(vdev, VIRTIO_NET_F_HOST_UFO))
			return -EINVAL;
		break;
	default:
		return -EINVAL; /* ECN alone, UDP_L4 (no HOST_USO), unknown */
	}
	if ((off->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    (base == VIRTIO_NET_HDR_GSO_UDP || !virtio_has_feature(vdev, VIRTIO_NET_F_HOST_ECN)))
		return -EINVAL;
	/* .22: segmentation needs NEEDS_CSUM and an MSS */
	if (!off->needs_csum || !off->gso_size)
		return -EINVAL;
	return 0;
}

/* The header (spec 5.1.9.2 steps 1 - 4): what the stack asked, num_buffers 0. */
static void virtnet_fill_hdr(struct virtnet_info *vi, u8 *hdr, const struct virtnet_tx_offload *off)
{
	memset(hdr, 0, VS_NET_HDR_SIZE);
	if (off && off->needs_csum) {
		hdr[VS_NET_HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vs_put_le16(hdr + VS_NET_HDR_CSUM_START, off->csum_start);
		vs_put_le16(hdr + VS_NET_HDR_CSUM_OFFSET, off->csum_offset);
	}
	if (off && off->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		hdr[VS_NET_HDR_GSO_TYPE] = off->gso_type;
		vs_put_le16(hdr + VS_NET_HDR_GSO_SIZE, off->gso_size);
		vs_put_le16(hdr + VS_NET_HDR_HDR_LEN, off->hdr_len);
	} else if (!virtio_has_feature(vi->vdev, VIRTIO_NET_F_HOST_TSO4) &&
		   virtio_should_fail(VS_FAULT_DRV_NET_TX_GSO_UNNEGOTIATED)) {
		/* Fault: TCPv4 segmentation without HOST_TSO4 (breaks spec
		 * drv.net.device-operation.packet-transmission.5). */
		hdr[VS_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_TCPV4;
		vs_put_le16(hdr + VS_NET_HDR_GSO_SIZE, VIRTNET_FAULT_GSO_SIZE);
	}
	/* spec drv.net.device-operation.packet-transmission.2: num_buffers 0
	 * (left zero; .1: the same header size as on receive). */
}

static struct virtnet_tx_buf *virtnet_tx_buf_new(const u8 *frame, u32 len)
{
	struct virtnet_tx_buf *txb = kzalloc(sizeof(*txb), GFP_ATOMIC);

	if (!txb)
		return NULL;
	txb->data = kmalloc(len, GFP_ATOMIC);
	if (!txb->data) {
		kfree(txb);
		return NULL;
	}
	memcpy(txb->data, frame, len);
	txb->len = len;
	return txb;
}

/* Linux's xmit_skb: header descriptor, then the frame in page-sized
 * pieces (a kmalloc of a page or more is page-aligned, so each piece is
 * one page of guest RAM). */
static int xmit_skb(struct virtnet_info *vi, struct send_queue *sq, struct virtnet_tx_buf *txb)
{
	struct scatterlist sg[1 + MAX_SKB_FRAGS];
	unsigned int nfrags = DIV_ROUND_UP(txb->len, (u32)PAGE_SIZE), i;

	if (WARN_ON(nfrags > MAX_SKB_FRAGS || nfrags == 0))
		return -EINVAL;
	sg_init_table(sg, nfrags + 1);
	sg_set_buf(&sg[0], txb->hdr, vi->hdr_len);
	for (i = 0; i < nfrags; i++) {
		u32 off = i * (u32)PAGE_SIZE;

		sg_set_buf(&sg[1 + i], txb->data + off, min_t(u32, txb->len - off, (u32)PAGE_SIZE));
	}
	return virtqueue_add_outbuf(sq->vq, sg, nfrags + 1, txb, GFP_ATOMIC);
}

/* After an add: stop if full, then notify when the device wants it. */
static void virtnet_tx_kick(struct virtnet_info *vi, struct send_queue *sq)
{
	sq->pending++;
	check_sq_full_and_disable(vi, sq);
	if (virtqueue_kick_prepare(sq->vq))
		virtqueue_notify(sq->vq);
}

/* An add that failed, as the caller sees it. */
static int virtnet_tx_add_error(struct virtnet_info *vi, struct send_queue *sq, int err)
{
	if (virtqueue_is_broken(sq->vq))
		return -EIO;
	if (err == -ENOSPC) {
		/* Not stopped means the queue had the room a packet can take;
		 * this one needs more than the ring holds. */
		dev_warn(&vi->vdev->dev, "%s: frame needs more descriptors than the ring has",
			 sq->name);
		return -EMSGSIZE;
	}
	return err == -ENOMEM ? -ENOMEM : -EIO;
}

int virtnet_xmit_nowait(struct virtnet_info *vi, struct send_queue *sq, const u8 *frame, u32 len)
{
	struct virtnet_tx_buf *txb;
	int err;

	free_old_xmit(vi, sq);
	if (sq->stopped)
		return -ENOSPC;
	txb = virtnet_tx_buf_new(frame, len);
	if (!txb)
		return -ENOMEM;
	memset(txb->hdr, 0, sizeof(txb->hdr));
	err = xmit_skb(vi, sq, txb);
	if (err) {
		free_tx_buf(txb);
		return err;
	}
	virtnet_tx_kick(vi, sq);
	return 0;
}

static bool virtnet_sq_ready(struct virtnet_info *vi, struct send_queue *sq)
{
	return !sq->stopped || !vi->carrier || virtqueue_is_broken(sq->vq);
}

int virtnet_xmit(struct virtio_device *vdev, unsigned int queue, const void *frame, size_t len,
		 const struct virtnet_tx_offload *off)
{
	struct virtnet_info *vi = virtnet_of(vdev);
	struct virtnet_tx_buf *txb;
	struct send_queue *sq;
	bool gso;
	int err;

	if (!vi)
		return -ENODEV;
	if (!vi->sq)
		return -EIO;
	/* spec drv.net.device-operation.control-virtqueue.automatic-receive-steering-in-multiqueue-mode.3/.4:
	 * only the transmit queues of the pairs in use. */
	if (queue >= vi->curr_queue_pairs || !frame || len < ETH_HLEN)
		return -EINVAL;
	err = virtnet_tx_offload_ok(vdev, off, len);
	if (err)
		return err;
	gso = off && off->gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (len > VS_NET_MAX_GSO_FRAME)
		return -EMSGSIZE;
	/* spec drv.net.device-configuration-layout.7 (the mtu is 1500 without
	 * VIRTIO_NET_F_MTU); the fault lets one through. */
	if (!gso && len > (size_t)vi->mtu + ETH_HLEN &&
	    !virtio_should_fail(VS_FAULT_DRV_NET_TX_OVER_MTU))
		return -EMSGSIZE;
	if (!vi->carrier)
		return -ENETDOWN;
	sq = &vi->sq[queue];
	txb = virtnet_tx_buf_new(frame, (u32)len);
	if (!txb)
		return -ENOMEM;
	virtnet_fill_hdr(vi, txb->hdr, off);

	/* Free up any pending old buffers before queueing new ones; a queue
	 * they made room in runs again (after an interrupt that never came,
	 * a drain may have freed everything). */
	free_old_xmit(vi, sq);
	if (sq->stopped)
		check_sq_full_and_disable(vi, sq);
	if (sq->stopped) {
		wait_event_timeout(vi->wq, virtnet_sq_ready(vi, sq), guest_timeout_jiffies());
		err = virtqueue_is_broken(sq->vq) ? -EIO : !vi->carrier ? -ENETDOWN :
			      sq->stopped ? -ETIMEDOUT : 0;
		if (err) {
			free_tx_buf(txb);
			return err;
		}
	}
	err = xmit_skb(vi, sq, txb);
	if (err) {
		free_tx_buf(txb);
		return virtnet_tx_add_error(vi, sq, err);
	}
	virtnet_tx_kick(vi, sq);
	return 0;
}

/* Every transmit queue emptied, or one broken. */
static bool virtnet_tx_idle(struct virtnet_info *vi)
{
	bool idle = true;

	for (unsigned int i = 0; i < vi->max_queue_pairs; i++) {
		struct send_queue *sq = &vi->sq[i];

		if (virtqueue_is_broken(sq->vq))
			return true;
		free_old_xmit(vi, sq);
		idle &= sq->pending == 0;
	}
	return idle;
}

int virtnet_tx_drain(struct virtio_device *vdev)
{
	struct virtnet_info *vi = virtnet_of(vdev);

	if (!vi)
		return -ENODEV;
	if (!vi->sq)
		return -EIO;
	wait_event_timeout(vi->wq, virtnet_tx_idle(vi), guest_timeout_jiffies());
	for (unsigned int i = 0; i < vi->max_queue_pairs; i++) {
		if (virtqueue_is_broken(vi->sq[i].vq))
			return -EIO;
		if (vi->sq[i].pending)
			return -ETIMEDOUT;
	}
	return 0;
}

void virtnet_free_unused_tx(struct virtnet_info *vi)
{
	struct virtnet_tx_buf *txb;

	for (unsigned int i = 0; vi->sq && i < vi->max_queue_pairs; i++) {
		struct send_queue *sq = &vi->sq[i];

		while ((txb = virtqueue_detach_unused_buf(sq->vq)) != NULL)
			free_tx_buf(txb);
		sq->pending = 0;
		sq->stopped = false;
	}
}
