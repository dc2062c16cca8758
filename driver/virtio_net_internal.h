/*
 * virtio_net_internal.h - shared by the network driver's files only:
 *
 *   virtio_net.c       features, validate, probe, remove, freeze/restore,
 *                      configuration changes (link, announce), info
 *   virtio_net_tx.c    start_xmit, reclaiming used transmit buffers,
 *                      stopping and waking the queues, drain
 *   virtio_net_rx.c    receive buffers (small, big, mergeable), refill,
 *                      the NAPI-like poll, the backlog the stack reads
 *   virtio_net_ctrl.c  the control queue and its commands
 */
#ifndef VS_DRIVER_VIRTIO_NET_INTERNAL_H
#define VS_DRIVER_VIRTIO_NET_INTERNAL_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/virtio.h>
#include <linux/virtio_net.h>
#include <linux/wait.h>

#include "driver/virtio_net.h"

/* Ethernet, as the kernel's if_ether.h / if_vlan.h name it. */
#define ETH_ALEN      VS_ETH_ALEN
#define ETH_HLEN      VS_ETH_HLEN
#define VLAN_HLEN     VS_ETH_VLAN_HLEN
#define ETH_DATA_LEN  VS_NET_MTU_DEFAULT
#define ETH_P_ARP     0x0806u
#define MIN_MTU       VS_NET_MTU_MIN
/* A frame of the default MTU with one VLAN tag: Linux's small buffer. */
#define GOOD_PACKET_LEN (ETH_HLEN + VLAN_HLEN + ETH_DATA_LEN)
/* Fragments of one skb: a frame is split into at most this many
 * page-sized buffers, so a packet takes at most 2 + MAX_SKB_FRAGS
 * descriptors (header, linear part, fragments; Linux's bound). */
#define MAX_SKB_FRAGS 17u

/* Frames the NAPI-like poll takes before it refills (Linux's weight). */
#define VIRTNET_NAPI_WEIGHT 64u
/* Receive buffers kept posted per queue: the whole ring as Linux fills
 * it, but at most this many (guest RAM is small), and fewer big ones. */
#define VIRTNET_RX_BUFS_MAX 256u
#define VIRTNET_BIG_BUFS_MAX 16u
/* Mergeable buffers: header + GOOD_PACKET_LEN, rounded to 64 bytes. */
#define VIRTNET_MRG_BUF_LEN 1536u
/* Big buffers (Linux's add_recvbuf_big): the first page holds the header
 * (its own descriptor) and, after it padded to 16 bytes, the start of the
 * frame (a second descriptor); every further page is one descriptor.
 * Enough pages for the largest GSO frame. */
#define VIRTNET_BIG_HDR_PAD 16u
#define VIRTNET_BIG_PAGES \
	((VS_NET_MAX_GSO_FRAME + VIRTNET_BIG_HDR_PAD + PAGE_SIZE - 1) / PAGE_SIZE)

/* One receive buffer; its address is the token. */
struct virtnet_rx_buf {
	struct list_head list;  /* on the queue's free list while not posted */
	u8 *data;               /* small / mergeable: size bytes */
	unsigned int size;
	void *page[VIRTNET_BIG_PAGES]; /* big: page 0 header + start, then data */
};

/* One transmitted frame; its address is the token. */
struct virtnet_tx_buf {
	u8 hdr[VS_NET_HDR_SIZE]; /* the virtio-net header, its own descriptor */
	u8 *data;                /* the frame, copied */
	u32 len;
};

struct send_queue {
	struct virtqueue *vq;
	unsigned int index;      /* pair */
	bool stopped;            /* netif_stop_subqueue: too few free descriptors */
	unsigned int pending;    /* buffers on the ring the device has not used */
	char name[16];
};

struct receive_queue {
	struct virtqueue *vq;
	unsigned int index;      /* pair */
	unsigned int posted;     /* buffers on the ring */
	struct list_head free;   /* used buffers kept for the next refill */
	char name[16];
};

/* A frame handed to the stack, waiting in the backlog. */
struct virtnet_skb {
	struct list_head list;
	struct virtnet_rx_meta meta;
	u32 len;
	u8 data[];
};

/* A control command in guest RAM; its address is the token. */
struct virtnet_ctrl_cmd {
	struct virtio_net_ctrl_hdr hdr;
	virtio_net_ctrl_ack status;
	bool done;      /* a waiter's command came back */
	bool orphan;    /* nobody waits (async, or the waiter gave up): reap frees it */
	u32 data_len;
	u8 data[];      /* command-specific data */
};

struct virtnet_stats {
	u64 tx_packets, tx_bytes;
	u64 rx_packets, rx_bytes, rx_errors, rx_dropped;
	u64 announces, link_changes;
};

struct virtnet_info {
	struct virtio_device *vdev;
	int index;                   /* for the locally administered mac */
	struct send_queue *sq;       /* [max_queue_pairs]; NULL while frozen */
	struct receive_queue *rq;
	struct virtqueue *cvq;
	u16 max_queue_pairs, curr_queue_pairs;
	bool has_cvq;
	bool mergeable_rx_bufs, big_packets;
	bool any_header_sg;          /* VERSION_1 or ANY_LAYOUT: else the header gets
				      * a descriptor of its own in every buffer */
	unsigned int hdr_len;
	unsigned int mtu;
	unsigned int small_len;      /* small buffers: frame bytes after the header */
	unsigned int mrg_len;        /* mergeable buffers: bytes each */
	u8 mac[ETH_ALEN];
	bool carrier;
	bool link_known;             /* carrier read once (probe) */
	struct list_head backlog;    /* struct virtnet_skb, oldest first */
	unsigned int backlog_len;
	struct virtnet_stats stats;
	wait_queue_head_t wq;
};

/* ---- virtio_net.c ---- */
/* The driver's data of vdev, NULL when vdev is not driven by virtio_net. */
struct virtnet_info *virtnet_of(struct virtio_device *vdev);

/* ---- virtio_net_tx.c ---- */
void skb_xmit_done(struct virtqueue *vq);
/* Free what the device used; the number freed. */
unsigned int free_old_xmit(struct virtnet_info *vi, struct send_queue *sq);
/* Queue one frame without waiting (the gratuitous ARP from the interrupt
 * path): 0 or the add's error. */
int virtnet_xmit_nowait(struct virtnet_info *vi, struct send_queue *sq, const u8 *frame,
			u32 len);
/* After a reset: free every transmit buffer still on the rings. */
void virtnet_free_unused_tx(struct virtnet_info *vi);

/* ---- virtio_net_rx.c ---- */
void skb_recv_done(struct virtqueue *vq);
/* Post buffers until the ring or the cap is full; kicks.  The number added. */
unsigned int try_fill_recv(struct virtnet_info *vi, struct receive_queue *rq);
/* After a reset: take back and free every receive buffer. */
void virtnet_free_unused_rx(struct virtnet_info *vi);
/* Free the backlog. */
void virtnet_free_backlog(struct virtnet_info *vi);

/* ---- virtio_net_ctrl.c ---- */
/*
 * One command: class/cmd, then data_len bytes (split after split_at bytes
 * into two descriptors when split_at is not 0: MAC_TABLE_SET's two
 * tables), then the ack.  wait: until the device answered (0, -EIO,
 * -ETIMEDOUT); else queued and kicked, the answer only logged (0 or the
 * add's error).
 */
int virtnet_send_command(struct virtnet_info *vi, u8 class, u8 cmd, const void *data,
			 u32 data_len, u32 split_at, bool wait);
/* Free control commands the device answered that nobody waits for. */
void virtnet_ctrl_reap(struct virtnet_info *vi);
/* After a reset: free every command still on the control queue. */
void virtnet_free_unused_ctrl(struct virtnet_info *vi);
/* MQ_VQ_PAIRS_SET(pairs) once the new receive queues are filled. */
int _virtnet_set_queues(struct virtnet_info *vi, u16 pairs);

#endif /* VS_DRIVER_VIRTIO_NET_INTERNAL_H */
