/*
 * linux/blkdev.h - the block layer as a block driver sees it: disks
 * (struct gendisk) with a request queue, its limits, request operations
 * and status codes.  Requests and the multi-queue interface are in
 * linux/blk-mq.h; driver/blk_core.c implements both.
 *
 * What a kernel's block layer does between a bio and the driver is cut
 * down to what a harness needs: blk_execute_sync (virtiosim) takes one
 * operation on a range of sectors, splits it into requests that respect
 * the queue limits the driver set (segments per request, segment size,
 * discard ranges), spreads them round robin over the hardware queues,
 * dispatches them through the driver's queue_rq and waits (running the
 * machine) until every one has ended.  blk_execute_drv_in does the same
 * for one driver-private command (Linux: a REQ_OP_DRV_IN request whose
 * command the driver's own code put in its pdu).
 */
#ifndef VS_LINUX_BLKDEV_H
#define VS_LINUX_BLKDEV_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/wait.h>

typedef u64 sector_t;
#define SECTOR_SHIFT 9
#define SECTOR_SIZE  (1u << SECTOR_SHIFT)

typedef u8 blk_status_t;
#define BLK_STS_OK           0
#define BLK_STS_NOTSUPP      1
#define BLK_STS_TIMEOUT      2
#define BLK_STS_NOSPC        3
#define BLK_STS_RESOURCE     9  /* out of memory: retry later */
#define BLK_STS_IOERR        10
#define BLK_STS_DEV_RESOURCE 13 /* the device's queue is full: retry once it drains */

/* 0 or a negative errno for a status. */
int blk_status_to_errno(blk_status_t status);

enum req_op {
	REQ_OP_READ = 0,
	REQ_OP_WRITE = 1,
	REQ_OP_FLUSH = 2,
	REQ_OP_DISCARD = 3,
	REQ_OP_SECURE_ERASE = 5,
	REQ_OP_WRITE_ZEROES = 9,
	REQ_OP_DRV_IN = 34, /* a driver-private command that reads (virtio-blk GET_ID, GET_LIFETIME) */
};

static inline bool op_is_write(enum req_op op)
{
	return op == REQ_OP_WRITE || op == REQ_OP_DISCARD || op == REQ_OP_SECURE_ERASE ||
	       op == REQ_OP_WRITE_ZEROES;
}

/* features of struct queue_limits */
#define BLK_FEAT_WRITE_CACHE (1u << 0) /* a volatile cache: flushes are sent */

struct queue_limits {
	unsigned int features;            /* BLK_FEAT_* */
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int alignment_offset;
	unsigned int io_min, io_opt;      /* bytes */
	unsigned int max_hw_sectors;      /* per read or write request */
	unsigned short max_segments;      /* data segments per request */
	unsigned int max_segment_size;    /* bytes per data segment */
	unsigned int max_hw_discard_sectors; /* per range; 0: no discard */
	unsigned short max_discard_segments; /* ranges per discard request */
	unsigned int discard_granularity;    /* bytes */
	unsigned int max_write_zeroes_sectors; /* per request; 0: no write zeroes */
	unsigned int max_secure_erase_sectors; /* per range; 0: no secure erase */
	/* virtiosim: Linux folds these two into max_discard_segments and
	 * discard_granularity; kept apart here so each command keeps to its
	 * own limits. */
	unsigned short max_secure_erase_segments; /* ranges per secure erase request */
	unsigned int secure_erase_granularity;    /* bytes; ranges start (and end) on it */
};

struct blk_mq_tag_set;
struct blk_mq_hw_ctx;

struct request_queue {
	struct queue_limits limits;
	struct blk_mq_tag_set *tag_set;
	struct blk_mq_hw_ctx *hctxs;  /* [tag_set->nr_hw_queues] */
	void *queuedata;              /* the driver's */
	bool quiesced;                /* nothing is dispatched */
	bool dying;                   /* the disk is going away: waiters give up */
	unsigned int next_hctx;       /* round robin over the hardware queues */
	wait_queue_head_t mq_wait;    /* requests ending */
};

struct gendisk {
	char disk_name[32];
	struct request_queue *queue;
	void *private_data;
	struct device *parent;        /* set by device_add_disk */
	sector_t capacity;            /* in 512-byte sectors */
	bool read_only;
	bool added;
	struct list_head list;        /* private: the disks added */
};

static inline void set_capacity(struct gendisk *disk, sector_t sectors)
{
	disk->capacity = sectors;
}

static inline sector_t get_capacity(const struct gendisk *disk)
{
	return disk->capacity;
}

static inline void set_disk_ro(struct gendisk *disk, bool ro)
{
	disk->read_only = ro;
}

static inline bool get_disk_ro(const struct gendisk *disk)
{
	return disk->read_only;
}

/* Make the disk visible (virtiosim: findable by its parent device). */
int device_add_disk(struct device *parent, struct gendisk *disk, void *groups);
/* Hide it: waiters give up with -ENODEV, new I/O gets -ENODEV. */
void del_gendisk(struct gendisk *disk);
/* Free the disk and its queue (after del_gendisk). */
void put_disk(struct gendisk *disk);

/* virtiosim: the disk a device added, or NULL. */
struct gendisk *disk_find_by_dev(const struct device *dev);

/*
 * virtiosim: one operation from the harness, synchronously.  READ and
 * WRITE move len bytes (a multiple of 512) at sector between buf and the
 * disk; DISCARD, SECURE_ERASE and WRITE_ZEROES cover len bytes of sectors
 * (buf unused); FLUSH covers nothing (a no-op without a write cache).  A
 * SECURE_ERASE must start on secure_erase_granularity and end on it or at
 * the capacity (the ranges are cut on it).  Returns 0, -EINVAL (bad
 * length, range or alignment; DRV_IN, which takes blk_execute_drv_in),
 * -EROFS, -EOPNOTSUPP (no discard / write zeroes / secure erase, or the
 * device said so), -EIO, -ETIMEDOUT (a request did not end within the
 * guest timeout: it is abandoned, its memory freed when it ends or the
 * driver reclaims it), -ENODEV (the disk went away), -ENOMEM.
 */
int blk_execute_sync(struct gendisk *disk, enum req_op op, sector_t sector, void *buf,
		     size_t len);
/* virtiosim: the driver-private command cmd (REQ_OP_DRV_IN, request
 * drv_cmd) reading len bytes (1..PAGE_SIZE) into buf; errors as above
 * (-EOPNOTSUPP also when the driver does not know cmd). */
int blk_execute_drv_in(struct gendisk *disk, unsigned int cmd, void *buf, size_t len);

#endif /* VS_LINUX_BLKDEV_H */
