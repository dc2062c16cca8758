/*
 * virtio_net_rx.c - receive (spec 5.1.9.3, 5.1.9.4), Linux's shape: the
 * receive interrupt runs a NAPI-like poll (up to VIRTNET_NAPI_WEIGHT
 * frames, refill, again until the queue is empty and callbacks are back
 * on without a race), each frame copied out of its buffers into an skb
 * for the stack's backlog and the buffers reused for the next refill.
 *
 * Buffers, per receive mode (chosen at probe, virtio_net.c):
 *  small:     one buffer of hdr_len + max(1518, mtu + 18) bytes;
 *  big:       VIRTNET_BIG_PAGES pages: the header alone in the first
 *             descriptor, the rest of the first page (after the header
 *             padded to 16 bytes) and every further page one descriptor
 *             each -- room for a 64 KiB GSO frame;
 *  mergeable: buffers of mrg_len bytes (1536, more for a large mtu on a
 *             small ring); the first header's num_buffers says how many
 *             buffers the frame spans.
 * Without VERSION_1 or ANY_LAYOUT the header gets a descriptor of its own
 * in every buffer (spec 5.1.9.8): the buffer is posted as two pieces.
 *
 * Nothing the device wrote is trusted.  A used len short of the header and
 * an Ethernet header, a num_buffers of 0, beyond the ring or beyond the
 * buffers the device used, a mergeable frame longer than
 * VS_NET_MAX_GSO_FRAME, a partial checksum outside the frame or without
 * GUEST_CSUM, a GSO type whose GUEST_ feature was not negotiated or
 * without a gso_size: the frame is dropped and counted in rx_errors,
 * every buffer it took (and, for mergeable, those num_buffers claims)
 * goes back to the ring.
 */
#define KBUILD_MODNAME "virtio_net"

#include <errno.h>
#include <string.h>

#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>

#include "driver/virtio_net.h"
#include "driver/virtio_net_internal.h"

/* Frame bytes a big buffer holds after its header. */
#define VIRTNET_BIG_DATA ((u32)(VIRTNET_BIG_PAGES * PAGE_SIZE - VIRTNET_BIG_HDR_PAD))

/* ---- buffers ---- */

static unsigned int rx_buf_size(const struct virtnet_info *vi)
{
	return vi->mergeable_rx_bufs ? vi->mrg_len : vi->hdr_len + vi->small_len;
}

static unsigned int rx_bufs_max(const struct virtnet_info *vi, const struct receive_queue *rq)
{
	return min_t(unsigned int, virtqueue_get_vring_size(rq->vq),
		     vi->big_packets ? VIRTNET_BIG_BUFS_MAX : VIRTNET_RX_BUFS_MAX);
}

static void rx_buf_free(struct virtnet_rx_buf *buf)
{
	for (unsigned int i = 0; i < VIRTNET_BIG_PAGES; i++)
		free_pages_exact(buf->page[i], PAGE_SIZE);
	kfree(buf->data);
	kfree(buf);
}

static struct virtnet_rx_buf *rx_buf_alloc(const struct virtnet_info *vi)
{
	struct virtnet_rx_buf *buf = kzalloc(sizeof(*buf), GFP_ATOMIC);

	if (!buf)
		return NULL;
	if (vi->big_packets) {
		for (unsigned int i = 0; i < VIRTNET_BIG_PAGES; i++) {
			buf->page[i] = alloc_pages_exact(PAGE_SIZE, GFP_ATOMIC);
			if (!buf->page[i])
				goto out_free;
		}
		return buf;
	}
	buf->size = rx_buf_size(vi);
	buf->data = kmalloc(buf->size, GFP_ATOMIC);
	if (!buf->data)
		goto out_free;
	return buf;

out_free:
	rx_buf_free(buf);
	return NULL;
}

/* Device-writable bytes of a buffer. */
static u32 rx_buf_writable(const struct virtnet_info *vi, const struct virtnet_rx_buf *buf)
{
	return vi->big_packets ? vi->hdr_len + VIRTNET_BIG_DATA : buf->size;
}

/* spec drv.net.device-operation.setting-up-receive-buffers.1 - .3 */
static int add_recvbuf(struct virtnet_info *vi, struct receive_queue *rq,
		       struct virtnet_rx_buf *buf)
{
	struct scatterlist sg[1 + VIRTNET_BIG_PAGES];
	unsigned int n;

	if (vi->big_packets) {
		n = 1 + VIRTNET_BIG_PAGES;
		sg_init_table(sg, n);
		sg_set_buf(&sg[0], buf->page[0], vi->hdr_len);
		sg_set_buf(&sg[1], (u8 *)buf->page[0] + VIRTNET_BIG_HDR_PAD,
			   (unsigned int)PAGE_SIZE - VIRTNET_BIG_HDR_PAD);
		for (unsigned int i = 1; i < VIRTNET_BIG_PAGES; i++)
			sg_set_buf(&sg[1 + i], buf->page[i], (unsigned int)PAGE_SIZE);
	} else if (!vi->any_header_sg) {
		n = 2;
		sg_init_table(sg, n);
		sg_set_buf(&sg[0], buf->data, vi->hdr_len);
		sg_set_buf(&sg[1], buf->data + vi->hdr_len, buf->size - vi->hdr_len);
	} else {
		n = 1;
		sg_init_one(sg, buf->data, buf->size);
	}
	return virtqueue_add_inbuf(rq->vq, sg, n, buf, GFP_ATOMIC);
}

/* A buffer the driver is done with, kept for the next refill. */
static void rx_buf_recycle(struct receive_queue *rq, struct virtnet_rx_buf *buf)
{
	list_add_tail(&buf->list, &rq->free);
}

/* The next used buffer of rq, or NULL. */
static struct virtnet_rx_buf *rq_take(struct receive_queue *rq, unsigned int *len)
{
	struct virtnet_rx_buf *buf = virtqueue_get_buf(rq->vq, len);

	if (buf && rq->posted)
		rq->posted--;
	return buf;
}

unsigned int try_fill_recv(struct virtnet_info *vi, struct receive_queue *rq)
{
	unsigned int max = rx_bufs_max(vi, rq), added = 0;
	struct virtnet_rx_buf *buf;

	while (rq->posted < max) {
		if (!list_empty(&rq->free)) {
			buf = list_first_entry(&rq->free, struct virtnet_rx_buf, list);
			list_del(&buf->list);
			/* Sizes follow the mtu and ring: one from before a restore
			 * may be the wrong size. */
			if (!vi->big_packets && buf->size != rx_buf_size(vi)) {
				rx_buf_free(buf);
				continue;
			}
		} else {
			buf = rx_buf_alloc(vi);
			if (!buf)
				break;
		}
		if (add_recvbuf(vi, rq, buf) < 0) {
			rx_buf_recycle(rq, buf);
			break;
		}
		rq->posted++;
		added++;
	}
	if (added && virtqueue_kick_prepare(rq->vq))
		virtqueue_notify(rq->vq);
	return added;
}

/* ---- copying frames out ---- */

/* len frame bytes of a big buffer, from frame offset 0. */
static void copy_big(const struct virtnet_rx_buf *buf, u8 *dst, u32 len)
{
	u32 first = min_t(u32, len, (u32)PAGE_SIZE - VIRTNET_BIG_HDR_PAD);

	memcpy(dst, (const u8 *)buf->page[0] + VIRTNET_BIG_HDR_PAD, first);
	for (unsigned int i = 1; first < len; i++) {
		u32 n = min_t(u32, len - first, (u32)PAGE_SIZE);

		memcpy(dst + first, buf->page[i], n);
		first += n;
	}
}

static const u8 *rx_hdr(const struct virtnet_info *vi, const struct virtnet_rx_buf *buf)
{
	return vi->big_packets ? buf->page[0] : buf->data;
}

/*
 * What the header says, checked against the features and the frame
 * (flen bytes): 0 and meta filled, or -EINVAL.  Unknown flag bits are
 * ignored (spec drv.net.device-operation.processing-incoming-packets.1).
 */
static int virtnet_check_rx_hdr(struct virtnet_info *vi, const u8 *hdr, u32 flen,
				struct virtnet_rx_meta *meta)
{
	struct virtio_device *vdev = vi->vdev;
	u8 base;

	meta->flags = hdr[VS_NET_HDR_FLAGS];
	meta->gso_type = hdr[VS_NET_HDR_GSO_TYPE];
	meta->gso_size = 0;
	meta->csum_start = 0;
	meta->csum_offset = 0;
	/* spec drv.net.device-operation.processing-incoming-packets.3: the
	 * checksum fields only mean something with NEEDS_CSUM. */
	if (meta->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		u16 start = vs_le16(hdr + VS_NET_HDR_CSUM_START);
		u16 off = vs_le16(hdr + VS_NET_HDR_CSUM_OFFSET);

		if (!virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM)) {
			dev_warn(&vdev->dev, "rx: NEEDS_CSUM without GUEST_CSUM");
			return -EINVAL;
		}
		if ((u32)start + off + 2 > flen) {
			dev_warn(&vdev->dev, "rx: checksum at %u + %u outside a %u-byte frame", start,
				 off, flen);
			return -EINVAL;
		}
		meta->csum_start = start;
		meta->csum_offset = off;
	}
	if (meta->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	base = meta->gso_type & (u8)~VIRTIO_NET_HDR_GSO_ECN;
	if (!((base == VIRTIO_NET_HDR_GSO_TCPV4 &&
	       virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4)) ||
	      (base == VIRTIO_NET_HDR_GSO_TCPV6 &&
	       virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO6)) ||
	      (base == VIRTIO_NET_HDR_GSO_UDP && virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_UFO))) ||
	    ((meta->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	     !virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_ECN))) {
		dev_warn(&vdev->dev, "rx: gso_type %#x not negotiated", meta->gso_type);
		return -EINVAL;
	}
	meta->gso_size = vs_le16(hdr + VS_NET_HDR_GSO_SIZE);
	if (!meta->gso_size) {
		dev_warn(&vdev->dev, "rx: gso_type %#x with gso_size 0", meta->gso_type);
		return -EINVAL;
	}
	return 0;
}

/* An skb of len bytes for the stack, NULL (counted as dropped) without memory. */
static struct virtnet_skb *virtnet_skb_alloc(struct virtnet_info *vi, u32 len)
{
	struct virtnet_skb *skb = kmalloc(sizeof(*skb) + len, GFP_ATOMIC);

	if (!skb) {
		vi->stats.rx_dropped++;
		return NULL;
	}
	skb->len = len;
	return skb;
}

/* netif_receive_skb: to the backlog, or dropped when it is full. */
static void virtnet_deliver(struct virtnet_info *vi, struct virtnet_skb *skb)
{
	vi->stats.rx_packets++;
	vi->stats.rx_bytes += skb->len;
	if (vi->backlog_len >= VIRTNET_BACKLOG_MAX) {
		vi->stats.rx_dropped++;
		kfree(skb);
		return;
	}
	list_add_tail(&skb->list, &vi->backlog);
	vi->backlog_len++;
}

static void rx_error(struct virtnet_info *vi, struct receive_queue *rq,
		     struct virtnet_rx_buf *buf)
{
	vi->stats.rx_errors++;
	rx_buf_recycle(rq, buf);
}

/* small and big: one buffer, len bytes used. */
static void receive_one(struct virtnet_info *vi, struct receive_queue *rq,
			struct virtnet_rx_buf *buf, u32 len)
{
	struct virtnet_rx_meta meta = { .queue = rq->index, .num_buffers = 1 };
	struct virtnet_skb *skb;
	u32 flen;

	if (len < vi->hdr_len + ETH_HLEN || len > rx_buf_writable(vi, buf)) {
		dev_warn(&vi->vdev->dev, "%s: used len %u (header %u, buffer %u): dropped", rq->name,
			 len, vi->hdr_len, rx_buf_writable(vi, buf));
		rx_error(vi, rq, buf);
		return;
	}
	flen = len - vi->hdr_len;
	if (virtnet_check_rx_hdr(vi, rx_hdr(vi, buf), flen, &meta)) {
		rx_error(vi, rq, buf);
		return;
	}
	skb = virtnet_skb_alloc(vi, flen);
	if (skb) {
		if (vi->big_packets)
			copy_big(buf, skb->data, flen);
		else
			memcpy(skb->data, buf->data + vi->hdr_len, flen);
		skb->meta = meta;
		virtnet_deliver(vi, skb);
	}
	rx_buf_recycle(rq, buf);
}

/* Linux's mergeable_buf_free: the num_buf - 1 buffers after the head of
 * a frame being dropped come off the ring too (as many as were used). */
static void mergeable_drop_rest(struct receive_queue *rq, unsigned int num_buf)
{
	struct virtnet_rx_buf *b;
	unsigned int l;

	for (unsigned int i = 1; i < num_buf && (b = rq_take(rq, &l)) != NULL; i++)
		rx_buf_recycle(rq, b);
}

/*
 * mergeable: the first buffer's header says how many buffers follow.
 * Those are taken off the ring whatever else is wrong with the frame, as
 * Linux does; when fewer were used than it claims, what there is is
 * dropped (the next buffers the device uses start a new frame).  A count
 * beyond the ring's size can never be right: it is refused before any
 * memory is sized by it.  So is a frame beyond VS_NET_MAX_GSO_FRAME, the
 * most one header can carry.
 */
static void receive_mergeable(struct virtnet_info *vi, struct receive_queue *rq,
			      struct virtnet_rx_buf *head, u32 len)
{
	struct virtnet_rx_meta meta = { .queue = rq->index };
	struct virtnet_rx_buf **bufs = NULL;
	u32 *lens = NULL, flen;
	unsigned int num_buf, got = 1, i;
	struct virtnet_skb *skb;
	bool bad = false;

	if (len < vi->hdr_len || len > head->size) {
		dev_warn(&vi->vdev->dev, "%s: used len %u (header %u, buffer %u): dropped", rq->name,
			 len, vi->hdr_len, head->size);
		rx_error(vi, rq, head);
		return;
	}
	num_buf = vs_le16(head->data + VS_NET_HDR_NUM_BUFFERS);
	if (num_buf == 0) {
		dev_warn(&vi->vdev->dev, "%s: num_buffers 0: dropped", rq->name);
		rx_error(vi, rq, head);
		return;
	}
	/* spec dev.net.device-operation.processing-incoming-packets.2: the
	 * buffers the packet is spread over, each one the driver posted. */
	if (num_buf > virtqueue_get_vring_size(rq->vq)) {
		dev_warn(&vi->vdev->dev, "%s: num_buffers %u beyond the ring's %u: dropped",
			 rq->name, num_buf, virtqueue_get_vring_size(rq->vq));
		mergeable_drop_rest(rq, num_buf);
		rx_error(vi, rq, head);
		return;
	}
	bufs = kmalloc_array(num_buf, sizeof(*bufs), GFP_ATOMIC);
	lens = kmalloc_array(num_buf, sizeof(*lens), GFP_ATOMIC);
	if (!bufs || !lens) {
		/* Take the frame's buffers off the ring anyway; drop it. */
		mergeable_drop_rest(rq, num_buf);
		vi->stats.rx_dropped++;
		rx_buf_recycle(rq, head);
		goto out;
	}
	bufs[0] = head;
	lens[0] = len;
	flen = len - vi->hdr_len;
	for (; got < num_buf; got++) {
		unsigned int l;

		bufs[got] = rq_take(rq, &l);
		if (!bufs[got]) {
			dev_warn(&vi->vdev->dev, "%s: rx error: %u buffers out of %u missing",
				 rq->name, num_buf - got, num_buf);
			bad = true;
			break;
		}
		lens[got] = l;
		if (l > bufs[got]->size) {
			bad = true;
			continue;
		}
		flen += l;
	}
	if (!bad && (flen < ETH_HLEN || flen > VS_NET_MAX_GSO_FRAME)) {
		dev_warn(&vi->vdev->dev, "%s: %u-byte frame: dropped", rq->name, flen);
		bad = true;
	}
	if (!bad && virtnet_check_rx_hdr(vi, head->data, flen, &meta))
		bad = true;
	if (bad) {
		vi->stats.rx_errors++;
	} else {
		skb = virtnet_skb_alloc(vi, flen);
		if (skb) {
			u32 at = lens[0] - vi->hdr_len;

			memcpy(skb->data, head->data + vi->hdr_len, at);
			for (i = 1; i < got; i++) {
				memcpy(skb->data + at, bufs[i]->data, lens[i]);
				at += lens[i];
			}
			meta.num_buffers = num_buf;
			skb->meta = meta;
			virtnet_deliver(vi, skb);
		}
	}
	for (i = 0; i < got; i++)
		rx_buf_recycle(rq, bufs[i]);
out:
	kfree(lens);
	kfree(bufs);
}

/* Up to budget frames; the number taken. */
static unsigned int virtnet_receive(struct virtnet_info *vi, struct receive_queue *rq,
				    unsigned int budget)
{
	struct virtnet_rx_buf *buf;
	unsigned int len, n = 0;

	while (n < budget && (buf = rq_take(rq, &len)) != NULL) {
		if (vi->mergeable_rx_bufs)
			receive_mergeable(vi, rq, buf, len);
		else
			receive_one(vi, rq, buf, len);
		n++;
	}
	return n;
}

/* napi poll, run to completion: callbacks go back on only when nothing
 * was used past the point they were enabled at (virtqueue_poll). */
static void virtnet_poll(struct virtnet_info *vi, struct receive_queue *rq)
{
	for (;;) {
		unsigned int received = virtnet_receive(vi, rq, VIRTNET_NAPI_WEIGHT);
		unsigned int opaque;

		try_fill_recv(vi, rq);
		if (received == VIRTNET_NAPI_WEIGHT)
			continue;
		if (virtqueue_is_broken(rq->vq))
			break;
		opaque = virtqueue_enable_cb_prepare(rq->vq);
		if (!virtqueue_poll(rq->vq, opaque))
			break;
		virtqueue_disable_cb(rq->vq);
	}
}

/* The receive interrupt (napi_schedule). */
void skb_recv_done(struct virtqueue *vq)
{
	struct virtnet_info *vi = virtnet_of(vq->vdev);
	unsigned int pair = vq->index / 2;

	if (!vi || !vi->rq || pair >= vi->max_queue_pairs || vi->rq[pair].vq != vq)
		return;
	virtqueue_disable_cb(vq);
	virtnet_poll(vi, &vi->rq[pair]);
	wake_up(&vi->wq);
}

/* ---- teardown ---- */

void virtnet_free_unused_rx(struct virtnet_info *vi)
{
	struct virtnet_rx_buf *buf, *tmp;

	for (unsigned int i = 0; vi->rq && i < vi->max_queue_pairs; i++) {
		struct receive_queue *rq = &vi->rq[i];

		while ((buf = virtqueue_detach_unused_buf(rq->vq)) != NULL)
			rx_buf_free(buf);
		list_for_each_entry_safe(buf, tmp, &rq->free, list) {
			list_del(&buf->list);
			rx_buf_free(buf);
		}
		rq->posted = 0;
	}
}

void virtnet_free_backlog(struct virtnet_info *vi)
{
	struct virtnet_skb *skb, *tmp;

	list_for_each_entry_safe(skb, tmp, &vi->backlog, list) {
		list_del(&skb->list);
		kfree(skb);
	}
	vi->backlog_len = 0;
}

/* ---- the stack's side ---- */

int virtnet_rx_pending(struct virtio_device *vdev)
{
	struct virtnet_info *vi = virtnet_of(vdev);

	return vi ? (int)vi->backlog_len : -ENODEV;
}

/* Can nothing arrive any more: the driver stopped (a failed restore), or
 * every receive queue in use broken (a device that, say, used more bytes
 * of a buffer than it has)? */
static bool virtnet_rx_dead(struct virtnet_info *vi)
{
	if (!vi->rq)
		return true;
	for (unsigned int i = 0; i < vi->curr_queue_pairs; i++)
		if (!virtqueue_is_broken(vi->rq[i].vq))
			return false;
	return true;
}

long virtnet_recv(struct virtio_device *vdev, void *buf, size_t len, struct virtnet_rx_meta *meta,
		  bool wait)
{
	struct virtnet_info *vi = virtnet_of(vdev);
	struct virtnet_skb *skb;
	long n;

	if (!vi)
		return -ENODEV;
	if (!buf && len)
		return -EINVAL;
	if (list_empty(&vi->backlog)) {
		if (!wait)
			return -EAGAIN;
		/* what the stack already has comes first; then no waiting
		 * for a queue that can never deliver */
		wait_event_timeout(vi->wq, !list_empty(&vi->backlog) || virtnet_rx_dead(vi),
				   guest_timeout_jiffies());
		if (list_empty(&vi->backlog))
			return virtnet_rx_dead(vi) ? -EIO : -ETIMEDOUT;
	}
	skb = list_first_entry(&vi->backlog, struct virtnet_skb, list);
	list_del(&skb->list);
	vi->backlog_len--;
	if (len)
		memcpy(buf, skb->data, min_t(size_t, len, skb->len));
	if (meta)
		*meta = skb->meta;
	n = (long)skb->len;
	kfree(skb);
	return n;
}
