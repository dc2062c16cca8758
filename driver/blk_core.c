/*
 * blk_core.c - the block layer of the kernel shim (linux/blkdev.h,
 * linux/blk-mq.h): disks, tag sets, requests, and blk_execute_sync, the
 * harness's one way in.
 *
 * blk_execute_sync (and blk_execute_drv_in, a driver command) runs once
 * per scenario step: it cuts the operation
 * into requests within the driver's limits and dispatches them a window
 * at a time (queue_depth per hardware queue), then waits for the window.
 * A request the driver has no room for (RESOURCE) opens the next window.
 * Requests are in guest memory, each data segment a guest buffer, as a
 * kernel's bios point into its pages; a read's data is copied out to the
 * caller when its window has ended.
 */
#define KBUILD_MODNAME "blk"

#include <errno.h>
#include <string.h>

#include <linux/blk-mq.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

/* Requests one blk_execute_sync has in flight at most, over all queues:
 * bounds the guest memory of a large operation (64 KiB each at seg_max 16). */
#define BLK_EXEC_MAX_INFLIGHT 32

/* The waiter of one window of requests. */
struct blk_exec_batch {
	unsigned int outstanding; /* dispatched and not ended */
};

static LIST_HEAD(disks);

int blk_status_to_errno(blk_status_t status)
{
	switch (status) {
	case BLK_STS_OK:
		return 0;
	case BLK_STS_NOTSUPP:
		return -EOPNOTSUPP;
	case BLK_STS_TIMEOUT:
		return -ETIMEDOUT;
	case BLK_STS_NOSPC:
		return -ENOSPC;
	case BLK_STS_RESOURCE:
	case BLK_STS_DEV_RESOURCE:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* ---- disks and tag sets ---- */

int blk_mq_alloc_tag_set(struct blk_mq_tag_set *set)
{
	if (!set->ops || !set->ops->queue_rq || !set->nr_hw_queues || !set->queue_depth)
		return -EINVAL;
	return 0;
}

void blk_mq_free_tag_set(struct blk_mq_tag_set *set)
{
	(void)set; /* requests are allocated per dispatch, nothing is pooled */
}

struct gendisk *blk_mq_alloc_disk(struct blk_mq_tag_set *set, const struct queue_limits *lim,
				  void *queuedata)
{
	struct gendisk *disk;
	struct request_queue *q;
	unsigned int i;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!disk || !q)
		goto out_free;
	q->hctxs = kcalloc(set->nr_hw_queues, sizeof(*q->hctxs), GFP_KERNEL);
	if (!q->hctxs)
		goto out_free;
	for (i = 0; i < set->nr_hw_queues; i++) {
		q->hctxs[i].queue = q;
		q->hctxs[i].queue_num = i;
		q->hctxs[i].driver_data = set->driver_data;
	}
	q->limits = *lim;
	if (!q->limits.max_segments)
		q->limits.max_segments = 1;
	if (q->limits.max_segment_size < SECTOR_SIZE)
		q->limits.max_segment_size = SECTOR_SIZE;
	if (!q->limits.max_hw_sectors)
		q->limits.max_hw_sectors = 1;
	q->tag_set = set;
	q->queuedata = queuedata;
	init_waitqueue_head(&q->mq_wait);
	disk->queue = q;
	disk->private_data = queuedata;
	INIT_LIST_HEAD(&disk->list);
	return disk;

out_free:
	kfree(q);
	kfree(disk);
	return ERR_PTR(-ENOMEM);
}

int device_add_disk(struct device *parent, struct gendisk *disk, void *groups)
{
	(void)groups;
	if (disk->added)
		return -EEXIST;
	disk->parent = parent;
	disk->added = true;
	disk->queue->dying = false;
	list_add_tail(&disk->list, &disks);
	return 0;
}

void del_gendisk(struct gendisk *disk)
{
	if (!disk->added)
		return;
	list_del(&disk->list);
	disk->added = false;
	disk->queue->dying = true;
	wake_up(&disk->queue->mq_wait);
}

void put_disk(struct gendisk *disk)
{
	if (!disk)
		return;
	WARN_ON(disk->added);
	kfree(disk->queue->hctxs);
	kfree(disk->queue);
	kfree(disk);
}

struct gendisk *disk_find_by_dev(const struct device *dev)
{
	struct gendisk *disk;

	list_for_each_entry(disk, &disks, list) {
		if (disk->parent == dev)
			return disk;
	}
	return NULL;
}

/* ---- requests ---- */

static struct request *blk_alloc_request(struct request_queue *q, enum req_op op)
{
	struct request *rq = kzalloc(BLK_MQ_PDU_OFFSET + q->tag_set->cmd_size, GFP_KERNEL);

	if (!rq)
		return NULL;
	rq->q = q;
	rq->op = op;
	return rq;
}

static void blk_free_request(struct request *rq)
{
	unsigned int i;

	for (i = 0; i < rq->nr_bvec; i++)
		kfree(rq->bvec[i].bv_buf);
	kfree(rq->bvec);
	kfree(rq->ranges);
	kfree(rq);
}

void blk_mq_start_request(struct request *rq)
{
	rq->started = true;
}

void blk_mq_end_request(struct request *rq, blk_status_t status)
{
	if (WARN_ON(rq->ended))
		return;
	rq->status = status;
	rq->ended = true;
	if (!rq->batch) {
		/* Its waiter gave up: nobody else will free it. */
		blk_free_request(rq);
		return;
	}
	rq->batch->outstanding--;
	wake_up(&rq->q->mq_wait);
}

void blk_mq_complete_request(struct request *rq)
{
	const struct blk_mq_ops *ops = rq->q->tag_set->ops;

	if (ops->complete)
		ops->complete(rq);
	else
		blk_mq_end_request(rq, rq->status);
}

void blk_mq_stop_hw_queue(struct blk_mq_hw_ctx *hctx)
{
	hctx->stopped = true;
}

void blk_mq_start_stopped_hw_queues(struct request_queue *q, bool async)
{
	unsigned int i;

	(void)async;
	for (i = 0; i < q->tag_set->nr_hw_queues; i++)
		q->hctxs[i].stopped = false;
}

void blk_mq_quiesce_queue(struct request_queue *q)
{
	q->quiesced = true;
}

void blk_mq_unquiesce_queue(struct request_queue *q)
{
	q->quiesced = false;
}

int blk_rq_map_sg(struct request *rq, struct scatterlist *sglist)
{
	unsigned int i;

	for (i = 0; i < rq->nr_bvec; i++) {
		sglist[i].flags = 0;
		sg_set_buf(&sglist[i], rq->bvec[i].bv_buf, rq->bvec[i].bv_len);
	}
	if (rq->nr_bvec)
		sg_mark_end(&sglist[rq->nr_bvec - 1]);
	return rq->nr_bvec;
}

/* ---- blk_execute_sync ---- */

/* Where an operation stands: the next byte or sector to cut a request at. */
struct blk_cursor {
	enum req_op op;
	unsigned int cmd;  /* DRV_IN: the driver's command */
	sector_t sector;   /* next sector */
	size_t off;        /* bytes of the caller's buffer done */
	size_t len;        /* bytes in all */
	void *buf;
	bool done;         /* FLUSH and DRV_IN make exactly one request */
};

/* Bytes per data segment: a page, or less when the device says so. */
static unsigned int blk_seg_bytes(const struct queue_limits *lim)
{
	unsigned int n = (unsigned int)min_t(unsigned long, PAGE_SIZE, lim->max_segment_size);

	n &= ~(SECTOR_SIZE - 1);
	return n ? n : SECTOR_SIZE;
}

static int blk_add_data(struct request *rq, const void *src, size_t len, unsigned int seg)
{
	unsigned int i, nr = (unsigned int)DIV_ROUND_UP(len, seg);

	rq->bvec = kcalloc(nr, sizeof(*rq->bvec), GFP_KERNEL);
	if (!rq->bvec)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		unsigned int n = (unsigned int)min_t(size_t, seg, len - (size_t)i * seg);

		rq->bvec[i].bv_buf = kmalloc(n, GFP_KERNEL);
		if (!rq->bvec[i].bv_buf)
			return -ENOMEM; /* the caller frees what was allocated */
		rq->bvec[i].bv_len = n;
		rq->nr_bvec = (unsigned short)(i + 1);
		if (src)
			memcpy(rq->bvec[i].bv_buf, (const u8 *)src + (size_t)i * seg, n);
	}
	rq->__data_len = (unsigned int)len;
	return 0;
}

/* DISCARD / SECURE_ERASE / WRITE_ZEROES: ranges of at most per sectors,
 * up to nmax of them. */
static int blk_add_ranges(struct request *rq, struct blk_cursor *c, unsigned int per,
			  unsigned int nmax)
{
	sector_t end = c->len >> SECTOR_SHIFT;
	unsigned int i;

	rq->ranges = kcalloc(nmax, sizeof(*rq->ranges), GFP_KERNEL);
	if (!rq->ranges)
		return -ENOMEM;
	rq->__sector = c->sector;
	for (i = 0; i < nmax && c->off < end; i++) {
		sector_t n = min_t(sector_t, per, end - c->off);

		rq->ranges[i].sector = c->sector;
		rq->ranges[i].nr_sectors = (unsigned int)n;
		rq->nr_ranges = (unsigned short)(i + 1);
		c->sector += n;
		c->off += n;
	}
	return 0;
}

/* Secure erase granularity in sectors, at least 1. */
static sector_t blk_secure_erase_align(const struct queue_limits *lim)
{
	sector_t g = lim->secure_erase_granularity >> SECTOR_SHIFT;

	return g ? g : 1;
}

/* Sectors per secure erase range: the limit, cut down to the granularity
 * so the next range starts aligned (the limit itself when it is smaller
 * than one granule: the device then decides). */
static unsigned int blk_secure_erase_per_range(const struct queue_limits *lim)
{
	sector_t g = blk_secure_erase_align(lim);
	unsigned int per = (unsigned int)(lim->max_secure_erase_sectors / g * g);

	return per ? per : lim->max_secure_erase_sectors;
}

/* Cut the next request from the cursor: NULL with *err = 0 when done. */
static struct request *blk_next_request(struct request_queue *q, struct blk_cursor *c, int *err)
{
	const struct queue_limits *lim = &q->limits;
	struct request *rq;
	size_t bytes;
	unsigned int seg;

	*err = 0;
	if (c->done)
		return NULL;
	rq = blk_alloc_request(q, c->op);
	if (!rq) {
		*err = -ENOMEM;
		return NULL;
	}
	switch (c->op) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		seg = blk_seg_bytes(lim);
		bytes = min_t(size_t, (size_t)lim->max_hw_sectors << SECTOR_SHIFT,
			      (size_t)lim->max_segments * seg);
		bytes = min(bytes, c->len - c->off);
		rq->__sector = c->sector;
		rq->buf_off = c->off;
		*err = blk_add_data(rq, c->op == REQ_OP_WRITE ? (u8 *)c->buf + c->off : NULL, bytes,
				    seg);
		if (*err)
			break; /* the cursor stays: the range is cut again later */
		c->off += bytes;
		c->sector += bytes >> SECTOR_SHIFT;
		c->done = c->off >= c->len;
		break;
	case REQ_OP_DISCARD:
		/* c->off counts sectors here */
		*err = blk_add_ranges(rq, c, lim->max_hw_discard_sectors,
				      max_t(unsigned int, lim->max_discard_segments, 1));
		c->done = c->off >= c->len >> SECTOR_SHIFT;
		break;
	case REQ_OP_SECURE_ERASE:
		*err = blk_add_ranges(rq, c, blk_secure_erase_per_range(lim),
				      max_t(unsigned int, lim->max_secure_erase_segments, 1));
		c->done = c->off >= c->len >> SECTOR_SHIFT;
		break;
	case REQ_OP_WRITE_ZEROES:
		*err = blk_add_ranges(rq, c, lim->max_write_zeroes_sectors, 1);
		c->done = c->off >= c->len >> SECTOR_SHIFT;
		break;
	case REQ_OP_DRV_IN:
		rq->drv_cmd = c->cmd;
		rq->buf_off = 0;
		*err = blk_add_data(rq, NULL, c->len, (unsigned int)c->len);
		c->done = *err == 0;
		break;
	case REQ_OP_FLUSH:
		c->done = true;
		break;
	}
	if (*err) {
		blk_free_request(rq);
		return NULL;
	}
	return rq;
}

static bool blk_window_ended(struct request_queue *q, struct blk_exec_batch *b)
{
	return b->outstanding == 0 || q->dying;
}

/* The read data of an ended request into the caller's buffer. */
static void blk_copy_out(struct request *rq, void *buf)
{
	size_t off = rq->buf_off;
	unsigned int i;

	for (i = 0; i < rq->nr_bvec; i++) {
		memcpy((u8 *)buf + off, rq->bvec[i].bv_buf, rq->bvec[i].bv_len);
		off += rq->bvec[i].bv_len;
	}
}

/* Check an operation before any request is made: 0 to go on, 1 when
 * there is nothing to do, or a negative errno. */
static int blk_check_op(struct gendisk *disk, enum req_op op, sector_t sector, void *buf,
			size_t len)
{
	const struct queue_limits *lim = &disk->queue->limits;

	if (!disk->added || disk->queue->dying)
		return -ENODEV;
	if (disk->queue->quiesced)
		return -EBUSY;
	if (op == REQ_OP_FLUSH)
		/* No volatile cache: nothing to write back. */
		return lim->features & BLK_FEAT_WRITE_CACHE ? 0 : 1;
	if (op == REQ_OP_DRV_IN)
		return buf && len && len <= PAGE_SIZE ? 0 : -EINVAL;
	if (len == 0 || len % SECTOR_SIZE || ((op == REQ_OP_READ || op == REQ_OP_WRITE) && !buf))
		return -EINVAL;
	if (op_is_write(op) && get_disk_ro(disk))
		return -EROFS;
	if (op == REQ_OP_DISCARD && !lim->max_hw_discard_sectors)
		return -EOPNOTSUPP;
	if (op == REQ_OP_WRITE_ZEROES && !lim->max_write_zeroes_sectors)
		return -EOPNOTSUPP;
	if (op == REQ_OP_SECURE_ERASE) {
		sector_t g = blk_secure_erase_align(lim), end = sector + (len >> SECTOR_SHIFT);

		if (!lim->max_secure_erase_sectors)
			return -EOPNOTSUPP;
		/* Ranges start on the granularity and end on it or at the
		 * end of the disk: the rest could not be cut that way. */
		if (sector % g || (end % g && end != get_capacity(disk)))
			return -EINVAL;
	}
	/* The end of the disk (bio_check_eod); the fault skips it so the
	 * device sees a request past its capacity. */
	if ((sector > get_capacity(disk) || (len >> SECTOR_SHIFT) > get_capacity(disk) - sector) &&
	    !virtio_should_fail(VS_FAULT_DRV_BLK_BEYOND_CAPACITY))
		return -EINVAL;
	return 0;
}

static int blk_execute(struct gendisk *disk, enum req_op op, unsigned int cmd, sector_t sector,
		       void *buf, size_t len)
{
	struct request_queue *q = disk->queue;
	const struct blk_mq_ops *ops = q->tag_set->ops;
	unsigned int nhw = q->tag_set->nr_hw_queues;
	unsigned int window = min_t(unsigned int, q->tag_set->queue_depth * nhw,
				    BLK_EXEC_MAX_INFLIGHT);
	struct blk_cursor c = { .op = op, .cmd = cmd, .sector = sector, .len = len, .buf = buf };
	unsigned int nkeep = 0; /* win[0..nkeep): cut, not dispatched yet */
	struct request **win;
	int err = 0, ret;

	ret = blk_check_op(disk, op, sector, buf, len);
	if (ret)
		return ret < 0 ? ret : 0;
	win = kcalloc(window, sizeof(*win), GFP_KERNEL);
	if (!win)
		return -ENOMEM;
	while (ret == 0 && (nkeep || !c.done)) {
		struct blk_exec_batch batch = { 0 };
		unsigned int n = nkeep, sent = 0, i, k;

		/* Cut a window of requests, after those carried over. */
		nkeep = 0;
		while (n < window) {
			struct request *rq = blk_next_request(q, &c, &err);

			if (!rq)
				break;
			win[n++] = rq;
		}
		/* Out of guest memory with requests in hand: send those and
		 * cut the rest once they have ended and freed theirs. */
		if (err == -ENOMEM && n > 0)
			err = 0;
		if (err)
			ret = err;
		/* Dispatch round robin over the hardware queues, as one CPU
		 * per request would spread them. */
		for (i = 0; i < n; i++) {
			struct request *rq = win[i];
			struct blk_mq_hw_ctx *hctx = &q->hctxs[q->next_hctx++ % nhw];
			/* last: no later request of this window goes to the
			 * same hardware queue (round robin), so it may kick. */
			struct blk_mq_queue_data bd = { rq, i + nhw >= n };
			blk_status_t st;

			rq->mq_hctx = hctx;
			rq->batch = &batch;
			batch.outstanding++;
			st = hctx->stopped ? BLK_STS_DEV_RESOURCE : ops->queue_rq(hctx, &bd);
			if (st == BLK_STS_RESOURCE || st == BLK_STS_DEV_RESOURCE) {
				/* No room: it and the rest wait for the next window. */
				batch.outstanding--;
				rq->batch = NULL;
				break;
			}
			sent++;
			if (st != BLK_STS_OK)
				blk_mq_end_request(rq, st);
		}
		if (i < n) {
			/* Requests queued without "last" must still be kicked. */
			for (k = 0; ops->commit_rqs && k < nhw; k++)
				ops->commit_rqs(&q->hctxs[k]);
			if (sent == 0)
				ret = -EIO; /* nothing in flight will make room */
		}
		wait_event_timeout(q->mq_wait, blk_window_ended(q, &batch),
				   guest_timeout_jiffies());
		if (batch.outstanding) {
			if (ret == 0)
				ret = q->dying ? -ENODEV : -ETIMEDOUT;
			pr_warn("%s: %u request(s) did not end within the guest timeout",
				disk->disk_name, batch.outstanding);
		}
		/* Collect: the first error wins; what has not ended is
		 * abandoned (freed when it ends); what was not dispatched is
		 * carried to the next window. */
		for (k = 0; k < n; k++) {
			struct request *rq = win[k];

			if (k >= sent) {
				if (ret == 0)
					win[nkeep++] = rq;
				else
					blk_free_request(rq);
				continue;
			}
			if (!rq->ended) {
				rq->batch = NULL;
				continue;
			}
			if (rq->status && ret == 0)
				ret = blk_status_to_errno(rq->status);
			if (rq->status == BLK_STS_OK && (op == REQ_OP_READ || op == REQ_OP_DRV_IN))
				blk_copy_out(rq, buf);
			blk_free_request(rq);
		}
	}
	while (nkeep)
		blk_free_request(win[--nkeep]);
	kfree(win);
	return ret;
}

int blk_execute_sync(struct gendisk *disk, enum req_op op, sector_t sector, void *buf,
		     size_t len)
{
	if (op == REQ_OP_DRV_IN)
		return -EINVAL; /* a driver command says which: blk_execute_drv_in */
	return blk_execute(disk, op, 0, sector, buf, len);
}

int blk_execute_drv_in(struct gendisk *disk, unsigned int cmd, void *buf, size_t len)
{
	return blk_execute(disk, REQ_OP_DRV_IN, cmd, 0, buf, len);
}
