/*
 * linux/blk-mq.h - the multi-queue block interface: a driver fills a tag
 * set (its ops, how many hardware queues, their depth, the bytes of its
 * per-request data), gets a disk from blk_mq_alloc_disk, is handed
 * requests through queue_rq on one hardware context, and ends them with
 * blk_mq_complete_request (its complete op then runs) or
 * blk_mq_end_request.
 *
 * A request lives in guest memory (kzalloc) with the driver's data (the
 * "pdu", cmd_size bytes) right behind it, 16-byte aligned, as blk-mq lays
 * it out; the data of a read or write is a list of guest buffers, one per
 * segment (bio_vec), that blk_rq_map_sg turns into a scatterlist.
 */
#ifndef VS_LINUX_BLK_MQ_H
#define VS_LINUX_BLK_MQ_H

#include <linux/blkdev.h>
#include <linux/scatterlist.h>

struct blk_mq_hw_ctx {
	struct request_queue *queue;
	unsigned int queue_num;  /* its index: the driver's virtqueue */
	void *driver_data;
	bool stopped;            /* the driver ran out of room: no dispatch */
};

/* One data segment: a guest buffer. */
struct bio_vec {
	void *bv_buf;
	unsigned int bv_len;
};

/* One range of a discard, secure erase or write zeroes request. */
struct blk_range {
	sector_t sector;
	unsigned int nr_sectors;
};

struct blk_exec_batch;

struct request {
	struct request_queue *q;
	struct blk_mq_hw_ctx *mq_hctx;
	enum req_op op;
	sector_t __sector;
	unsigned int __data_len;    /* bytes */
	struct bio_vec *bvec;       /* data segments */
	unsigned short nr_bvec;
	struct blk_range *ranges;   /* DISCARD / SECURE_ERASE / WRITE_ZEROES */
	unsigned short nr_ranges;
	unsigned int drv_cmd;       /* DRV_IN: the driver's command (virtiosim; Linux drivers
				     * keep it in their pdu) */
	blk_status_t status;
	bool started;
	bool ended;
	struct blk_exec_batch *batch; /* private: the waiter; NULL once abandoned */
	size_t buf_off;               /* private: where its data sits in the caller's buffer */
};

#define BLK_MQ_PDU_OFFSET ALIGN(sizeof(struct request), 16)

static inline void *blk_mq_rq_to_pdu(struct request *rq)
{
	return (char *)rq + BLK_MQ_PDU_OFFSET;
}

static inline struct request *blk_mq_rq_from_pdu(void *pdu)
{
	return (struct request *)((char *)pdu - BLK_MQ_PDU_OFFSET);
}

static inline enum req_op req_op(const struct request *rq)
{
	return rq->op;
}

static inline sector_t blk_rq_pos(const struct request *rq)
{
	return rq->__sector;
}

static inline unsigned int blk_rq_bytes(const struct request *rq)
{
	return rq->__data_len;
}

static inline unsigned int blk_rq_sectors(const struct request *rq)
{
	return rq->__data_len >> SECTOR_SHIFT;
}

static inline unsigned short blk_rq_nr_phys_segments(const struct request *rq)
{
	return rq->nr_bvec;
}

static inline unsigned short blk_rq_nr_discard_segments(const struct request *rq)
{
	return rq->nr_ranges ? rq->nr_ranges : 1;
}

struct blk_mq_queue_data {
	struct request *rq;
	bool last; /* the last of this dispatch: the driver may kick now */
};

struct blk_mq_ops {
	/* Take the request: BLK_STS_OK (it will end later), BLK_STS_RESOURCE /
	 * BLK_STS_DEV_RESOURCE (no room: dispatched again later), or an
	 * error status (the request ends with it at once). */
	blk_status_t (*queue_rq)(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd);
	/* Requests were queued without last: kick now.  May be NULL. */
	void (*commit_rqs)(struct blk_mq_hw_ctx *hctx);
	/* blk_mq_complete_request ran: finish and end the request. */
	void (*complete)(struct request *rq);
};

struct blk_mq_tag_set {
	const struct blk_mq_ops *ops;
	unsigned int nr_hw_queues;
	unsigned int queue_depth;  /* requests in flight per hardware queue */
	unsigned int cmd_size;     /* bytes of driver data per request */
	void *driver_data;
};

/* 0 or -EINVAL (no ops, no queue, no depth). */
int blk_mq_alloc_tag_set(struct blk_mq_tag_set *set);
void blk_mq_free_tag_set(struct blk_mq_tag_set *set);
/* A disk and its queue with these limits (copied); ERR_PTR on failure. */
struct gendisk *blk_mq_alloc_disk(struct blk_mq_tag_set *set, const struct queue_limits *lim,
				  void *queuedata);

void blk_mq_start_request(struct request *rq);
/* The request is done with status: its waiter sees it; an abandoned one
 * is freed here. */
void blk_mq_end_request(struct request *rq, blk_status_t status);
/* From the driver's interrupt path: runs the complete op. */
void blk_mq_complete_request(struct request *rq);

void blk_mq_stop_hw_queue(struct blk_mq_hw_ctx *hctx);
void blk_mq_start_stopped_hw_queues(struct request_queue *q, bool async);
void blk_mq_quiesce_queue(struct request_queue *q);
void blk_mq_unquiesce_queue(struct request_queue *q);

/* Fill sglist with the request's data segments, end marked; the count. */
int blk_rq_map_sg(struct request *rq, struct scatterlist *sglist);

#endif /* VS_LINUX_BLK_MQ_H */
