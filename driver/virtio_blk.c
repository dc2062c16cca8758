/*
 * virtio_blk.c - the block device driver (spec 5.2), in the shape of
 * Linux's virtio-blk: a blk-mq driver with one hardware queue per request
 * virtqueue (VIRTIO_BLK_F_MQ: num_queues of them), each request one chain
 * of the header (device-readable), its data segments (readable for a
 * write, writable for a read), and the status byte (writable), all in
 * guest memory.
 *
 * Limits come from the device's configuration, read once the features
 * are final: seg_max bounds the data segments of a request (the block
 * layer splits larger I/O), size_max each segment, the discard, write
 * zeroes and secure erase limits their ranges (secure erase ranges also
 * keep to secure_erase_sector_alignment); a writeback cache (CONFIG_WCE's
 * writeback, or FLUSH alone) makes flushes go to the device.  Two driver
 * commands read from the device: GET_ID and, with VIRTIO_BLK_F_LIFETIME,
 * GET_LIFETIME.
 *
 * Nothing the device writes is trusted: the used len must reach the
 * status byte (except on the legacy interface, whose devices were allowed
 * other lengths, spec 5.2.6.3), and a status other than OK, IOERR or
 * UNSUPP (or the byte left as the driver set it) fails the request with
 * -EIO.
 */
#define KBUILD_MODNAME "virtio_blk"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <linux/blk-mq.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#define VIRTBLK_MAX_VQS 16         /* hardware queues this driver sets up */
#define VIRTBLK_MAX_SG 128         /* data segments per request, whatever seg_max says */
#define VIRTBLK_QUEUE_DEPTH 16     /* requests in flight per hardware queue */
#define VIRTBLK_MAX_HW_SECTORS 4096 /* 2 MiB per read or write request */
#define VIRTBLK_MAX_DISCARD_SEG 64
/* What the status byte holds until the device writes it: not a status
 * the spec defines, so a device that never writes it is caught. */
#define VIRTBLK_STATUS_UNSET 0xffu

static DEFINE_IDA(vd_index_ida);

struct virtio_blk_vq {
	struct virtqueue *vq;
	spinlock_t lock;
	char name[16];
};

struct virtio_blk {
	struct virtio_device *vdev;
	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	int index;
	unsigned int num_vqs;
	struct virtio_blk_vq *vqs; /* NULL while frozen */
	unsigned int sg_elems;     /* data segments per request */
};

/* The driver's data of one request (the blk-mq pdu), in guest memory. */
struct virtblk_req {
	struct virtio_blk_outhdr out_hdr;
	u8 status;
	u32 in_len;     /* device-writable bytes: data read plus the status byte */
	struct virtio_blk_discard_write_zeroes *range; /* DISCARD / WRITE_ZEROES / SECURE_ERASE */
	unsigned int nents; /* entries of sg in use */
	struct scatterlist sg[];
};

static inline struct virtio_blk_vq *get_virtio_blk_vq(struct blk_mq_hw_ctx *hctx)
{
	struct virtio_blk *vblk = hctx->queue->queuedata;

	return &vblk->vqs[hctx->queue_num];
}

/* ---- building a request ---- */

static blk_status_t virtblk_setup_ranges(struct request *req, struct virtblk_req *vbr,
					 bool unmap)
{
	unsigned short segments = blk_rq_nr_discard_segments(req);
	unsigned short i;

	vbr->range = kmalloc_array(segments, sizeof(*vbr->range), GFP_ATOMIC);
	if (!vbr->range)
		return BLK_STS_RESOURCE;
	for (i = 0; i < segments; i++) {
		vbr->range[i].sector = cpu_to_le64(req->ranges[i].sector);
		vbr->range[i].num_sectors = cpu_to_le32(req->ranges[i].nr_sectors);
		/* spec drv.blk.device-operation.14: unmap is 0 in a discard;
		 * a secure erase has no flag either */
		vbr->range[i].flags = cpu_to_le32(unmap ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0);
	}
	sg_init_one(&vbr->sg[0], vbr->range, (unsigned int)(sizeof(*vbr->range) * segments));
	vbr->nents = 1;
	return BLK_STS_OK;
}

static void virtblk_cleanup_cmd(struct virtblk_req *vbr)
{
	kfree(vbr->range);
	vbr->range = NULL;
}

static blk_status_t virtblk_setup_cmd(struct virtio_blk *vblk, struct request *req,
				      struct virtblk_req *vbr)
{
	u32 type;
	u64 sector = 0;

	vbr->nents = 0;
	vbr->range = NULL;
	switch (req_op(req)) {
	case REQ_OP_READ:
		type = VIRTIO_BLK_T_IN;
		sector = blk_rq_pos(req);
		break;
	case REQ_OP_WRITE:
		type = VIRTIO_BLK_T_OUT;
		sector = blk_rq_pos(req);
		break;
	case REQ_OP_FLUSH:
		/* spec drv.blk.device-operation.4 and .5: sector 0, no data */
		type = VIRTIO_BLK_T_FLUSH;
		break;
	case REQ_OP_DISCARD:
		type = VIRTIO_BLK_T_DISCARD;
		break;
	case REQ_OP_SECURE_ERASE:
		type = VIRTIO_BLK_T_SECURE_ERASE;
		break;
	case REQ_OP_WRITE_ZEROES:
		type = VIRTIO_BLK_T_WRITE_ZEROES;
		break;
	case REQ_OP_DRV_IN:
		/* The driver's commands: the serial, and the lifetime when
		 * the device offers it (never a command not negotiated). */
		type = req->drv_cmd;
		if (type == VIRTIO_BLK_T_GET_ID)
			break;
		if (type == VIRTIO_BLK_T_GET_LIFETIME &&
		    virtio_has_feature(vblk->vdev, VIRTIO_BLK_F_LIFETIME))
			break;
		return BLK_STS_NOTSUPP;
	default:
		return BLK_STS_NOTSUPP;
	}
	vbr->out_hdr.type = cpu_to_le32(type);
	vbr->out_hdr.ioprio = 0;
	vbr->out_hdr.sector = cpu_to_le64(sector);
	vbr->status = VIRTBLK_STATUS_UNSET;
	if (type == VIRTIO_BLK_T_DISCARD || type == VIRTIO_BLK_T_WRITE_ZEROES ||
	    type == VIRTIO_BLK_T_SECURE_ERASE)
		return virtblk_setup_ranges(req, vbr, false);
	if (blk_rq_nr_phys_segments(req) > vblk->sg_elems)
		return BLK_STS_IOERR; /* the block layer keeps to max_segments */
	vbr->nents = (unsigned int)blk_rq_map_sg(req, vbr->sg);
	return BLK_STS_OK;
}

/* One chain: header, data, status (readable before writable, spec
 * drv.basic.message-framing.1). */
static int virtblk_add_req(struct virtqueue *vq, struct virtblk_req *vbr, bool data_in)
{
	struct scatterlist hdr, status, *sgs[3];
	unsigned int num_out = 0, num_in = 0;

	sg_init_one(&hdr, &vbr->out_hdr, sizeof(vbr->out_hdr));
	sgs[num_out++] = &hdr;
	if (vbr->nents) {
		if (data_in)
			sgs[num_out + num_in++] = vbr->sg;
		else
			sgs[num_out++] = vbr->sg;
	}
	sg_init_one(&status, &vbr->status, sizeof(vbr->status));
	sgs[num_out + num_in++] = &status;
	return virtqueue_add_sgs(vq, sgs, num_out, num_in, vbr, GFP_ATOMIC);
}

static blk_status_t virtio_queue_rq(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd)
{
	struct virtio_blk *vblk = hctx->queue->queuedata;
	struct virtio_blk_vq *bvq;
	struct request *req = bd->rq;
	struct virtblk_req *vbr = blk_mq_rq_to_pdu(req);
	bool data_in, notify = false;
	unsigned long flags;
	blk_status_t status;
	int err;

	if (!vblk->vqs)
		return BLK_STS_DEV_RESOURCE; /* frozen */
	bvq = get_virtio_blk_vq(hctx);
	status = virtblk_setup_cmd(vblk, req, vbr);
	if (status)
		return status;
	data_in = req_op(req) == REQ_OP_READ || req_op(req) == REQ_OP_DRV_IN;
	vbr->in_len = (data_in ? blk_rq_bytes(req) : 0) + 1;
	blk_mq_start_request(req);

	spin_lock_irqsave(&bvq->lock, flags);
	err = virtblk_add_req(bvq->vq, vbr, data_in);
	if (err) {
		/* Let the device work through what it has. */
		virtqueue_kick(bvq->vq);
		if (err == -ENOSPC)
			blk_mq_stop_hw_queue(hctx);
		spin_unlock_irqrestore(&bvq->lock, flags);
		virtblk_cleanup_cmd(vbr);
		switch (err) {
		case -ENOSPC:
			return BLK_STS_DEV_RESOURCE;
		case -ENOMEM:
			return BLK_STS_RESOURCE;
		default:
			return BLK_STS_IOERR; /* a broken queue */
		}
	}
	if (bd->last && virtqueue_kick_prepare(bvq->vq))
		notify = true;
	spin_unlock_irqrestore(&bvq->lock, flags);
	if (notify)
		virtqueue_notify(bvq->vq);
	return BLK_STS_OK;
}

static void virtio_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct virtio_blk *vblk = hctx->queue->queuedata;
	struct virtio_blk_vq *bvq;
	unsigned long flags;
	bool kick;

	if (!vblk->vqs)
		return;
	bvq = get_virtio_blk_vq(hctx);
	spin_lock_irqsave(&bvq->lock, flags);
	kick = virtqueue_kick_prepare(bvq->vq);
	spin_unlock_irqrestore(&bvq->lock, flags);
	if (kick)
		virtqueue_notify(bvq->vq);
}

/* ---- completion ---- */

/* What the device answered, as a block status.  len is the used len. */
static blk_status_t virtblk_result(struct virtio_blk *vblk, struct virtblk_req *vbr, u32 len)
{
	struct virtio_device *vdev = vblk->vdev;
	const char *name = vblk->disk ? vblk->disk->disk_name : "vd";

	/* The status byte is the last device-writable byte: a used len that
	 * does not reach it says it was not written.  Legacy devices may
	 * put other lengths there (spec 5.2.6.3): ignored then. */
	if (virtio_has_feature(vdev, VIRTIO_F_VERSION_1) && len < vbr->in_len) {
		dev_err(&vdev->dev, "%s: used len %u does not reach the status byte (%u writable)",
			name, len, vbr->in_len);
		return BLK_STS_IOERR;
	}
	switch (vbr->status) {
	case VIRTIO_BLK_S_OK:
		return BLK_STS_OK;
	case VIRTIO_BLK_S_UNSUPP:
		return BLK_STS_NOTSUPP;
	case VIRTIO_BLK_S_IOERR:
		return BLK_STS_IOERR;
	default:
		/* also VIRTBLK_STATUS_UNSET: the device never wrote it */
		dev_err(&vdev->dev, "%s: unknown status 0x%02x", name, vbr->status);
		return BLK_STS_IOERR;
	}
}

/* blk-mq's complete op: the request's answer was collected. */
static void virtblk_request_done(struct request *req)
{
	struct virtblk_req *vbr = blk_mq_rq_to_pdu(req);

	virtblk_cleanup_cmd(vbr);
	blk_mq_end_request(req, req->status);
}

/* The queue's callback: collect every used request. */
static void virtblk_done(struct virtqueue *vq)
{
	struct virtio_blk *vblk = vq->vdev->priv;
	struct virtio_blk_vq *bvq;
	struct virtblk_req *vbr;
	bool req_done = false;
	unsigned long flags;
	unsigned int len;

	if (!vblk || !vblk->vqs || vq->index >= vblk->num_vqs)
		return;
	bvq = &vblk->vqs[vq->index];
	spin_lock_irqsave(&bvq->lock, flags);
	do {
		virtqueue_disable_cb(vq);
		while ((vbr = virtqueue_get_buf(vq, &len)) != NULL) {
			struct request *req = blk_mq_rq_from_pdu(vbr);

			req->status = virtblk_result(vblk, vbr, len);
			blk_mq_complete_request(req);
			req_done = true;
		}
	} while (!virtqueue_enable_cb(vq) && !virtqueue_is_broken(vq));
	spin_unlock_irqrestore(&bvq->lock, flags);
	/* Room again for requests that found the ring full. */
	if (req_done && vblk->disk)
		blk_mq_start_stopped_hw_queues(vblk->disk->queue, true);
}

/* After a reset: every request still on a ring ends with an error. */
static void virtblk_reclaim(struct virtio_blk *vblk)
{
	struct virtblk_req *vbr;
	unsigned int i;

	for (i = 0; vblk->vqs && i < vblk->num_vqs; i++) {
		while ((vbr = virtqueue_detach_unused_buf(vblk->vqs[i].vq)) != NULL) {
			virtblk_cleanup_cmd(vbr);
			blk_mq_end_request(blk_mq_rq_from_pdu(vbr), BLK_STS_IOERR);
		}
	}
}

static const struct blk_mq_ops virtio_mq_ops = {
	.queue_rq = virtio_queue_rq,
	.commit_rqs = virtio_commit_rqs,
	.complete = virtblk_request_done,
};

/* ---- configuration ---- */

static int init_vq(struct virtio_blk *vblk)
{
	struct virtio_device *vdev = vblk->vdev;
	struct virtqueue_info *vqs_info;
	struct virtqueue **vqs;
	unsigned int i;
	u16 num_vqs;
	int err;

	err = virtio_cread_feature(vdev, VIRTIO_BLK_F_MQ, struct virtio_blk_config, num_queues,
				   &num_vqs);
	if (err)
		num_vqs = 1;
	if (!err && !num_vqs) {
		dev_err(&vdev->dev, "MQ advertised but zero queues reported");
		return -EINVAL;
	}
	num_vqs = min_t(u16, num_vqs, VIRTBLK_MAX_VQS);
	vblk->vqs = kcalloc(num_vqs, sizeof(*vblk->vqs), GFP_KERNEL);
	vqs_info = kcalloc(num_vqs, sizeof(*vqs_info), GFP_KERNEL);
	vqs = kcalloc(num_vqs, sizeof(*vqs), GFP_KERNEL);
	if (!vblk->vqs || !vqs_info || !vqs) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < num_vqs; i++) {
		spin_lock_init(&vblk->vqs[i].lock);
		snprintf(vblk->vqs[i].name, sizeof(vblk->vqs[i].name), "req.%u", i);
		vqs_info[i].name = vblk->vqs[i].name;
		vqs_info[i].callback = virtblk_done;
	}
	err = virtio_find_vqs(vdev, num_vqs, vqs, vqs_info, NULL);
	if (err)
		goto out;
	for (i = 0; i < num_vqs; i++)
		vblk->vqs[i].vq = vqs[i];
	vblk->num_vqs = num_vqs;
out:
	kfree(vqs);
	kfree(vqs_info);
	if (err) {
		kfree(vblk->vqs);
		vblk->vqs = NULL;
	}
	return err;
}

/* The capacity, read as one 64-bit field inside a config generation. */
static void virtblk_update_capacity(struct virtio_blk *vblk, bool resize)
{
	u64 capacity;

	virtio_cread(vblk->vdev, struct virtio_blk_config, capacity, &capacity);
	if (resize && capacity != get_capacity(vblk->disk))
		dev_info(&vblk->vdev->dev, "%s: capacity %llu -> %llu sectors",
			 vblk->disk->disk_name, (unsigned long long)get_capacity(vblk->disk),
			 (unsigned long long)capacity);
	set_capacity(vblk->disk, capacity);
}

/*
 * Writeback or writethrough (spec 5.2.5 step 5): the writeback field with
 * CONFIG_WCE, read only now that FEATURES_OK is set (spec
 * drv.blk.device-initialization.4); else FLUSH alone means a writeback
 * cache (drv.blk.device-initialization.3).
 */
static bool virtblk_get_cache_mode(struct virtio_device *vdev)
{
	u8 writeback;

	if (virtio_cread_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE, struct virtio_blk_config, wce,
				 &writeback))
		return virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);
	return writeback != 0;
}

/*
 * Secure erase limits (spec 5.2.5 step 9), with the feature: sectors per
 * range, ranges per request (spec drv.blk.device-operation.10: at most
 * max_secure_erase_seg), the alignment ranges are cut on.  A device that
 * offers the command with a limit of 0 is refused, as Linux does.
 */
static int virtblk_read_secure_erase(struct virtio_device *vdev, struct queue_limits *lim)
{
	u32 v;

	if (!virtio_has_feature(vdev, VIRTIO_BLK_F_SECURE_ERASE))
		return 0;
	virtio_cread(vdev, struct virtio_blk_config, max_secure_erase_sectors, &v);
	if (!v) {
		dev_err(&vdev->dev, "max_secure_erase_sectors is 0");
		return -EINVAL;
	}
	lim->max_secure_erase_sectors = v;
	virtio_cread(vdev, struct virtio_blk_config, max_secure_erase_seg, &v);
	if (!v) {
		dev_err(&vdev->dev, "max_secure_erase_seg is 0");
		return -EINVAL;
	}
	lim->max_secure_erase_segments = (unsigned short)min_t(u32, v, VIRTBLK_MAX_DISCARD_SEG);
	virtio_cread(vdev, struct virtio_blk_config, secure_erase_sector_alignment, &v);
	/* 0 or beyond what 32 bits of bytes hold: no alignment */
	lim->secure_erase_granularity = v && v <= (UINT_MAX >> SECTOR_SHIFT) ? v << SECTOR_SHIFT
									       : 0;
	return 0;
}

static int virtblk_read_limits(struct virtio_blk *vblk, struct queue_limits *lim)
{
	struct virtio_device *vdev = vblk->vdev;
	u32 v, blk_size = SECTOR_SIZE;
	u8 physical_block_exp = 0, alignment_offset = 0;
	u16 min_io_size = 0;
	u32 opt_io_size = 0;

	lim->max_segments = (unsigned short)vblk->sg_elems;
	lim->max_hw_sectors = VIRTBLK_MAX_HW_SECTORS;
	if (virtio_cread_feature(vdev, VIRTIO_BLK_F_SIZE_MAX, struct virtio_blk_config, size_max,
				 &v))
		v = UINT_MAX;
	if (v < SECTOR_SIZE) {
		dev_err(&vdev->dev, "size_max %u below one sector; using %u", v, SECTOR_SIZE);
		v = SECTOR_SIZE;
	}
	lim->max_segment_size = v;
	if (!virtio_cread_feature(vdev, VIRTIO_BLK_F_BLK_SIZE, struct virtio_blk_config, blk_size,
				  &blk_size) &&
	    (blk_size < SECTOR_SIZE || blk_size > 65536 || !is_power_of_2(blk_size))) {
		dev_err(&vdev->dev, "block size %u is not usable; using %u", blk_size, SECTOR_SIZE);
		blk_size = SECTOR_SIZE;
	}
	lim->logical_block_size = blk_size;
	lim->physical_block_size = blk_size;
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_TOPOLOGY)) {
		virtio_cread(vdev, struct virtio_blk_config, physical_block_exp, &physical_block_exp);
		virtio_cread(vdev, struct virtio_blk_config, alignment_offset, &alignment_offset);
		virtio_cread(vdev, struct virtio_blk_config, min_io_size, &min_io_size);
		virtio_cread(vdev, struct virtio_blk_config, opt_io_size, &opt_io_size);
		if (physical_block_exp <= 8)
			lim->physical_block_size = blk_size << physical_block_exp;
		lim->alignment_offset = alignment_offset * blk_size;
		lim->io_min = min_io_size * blk_size;
		lim->io_opt = opt_io_size * blk_size;
	}
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_DISCARD)) {
		virtio_cread(vdev, struct virtio_blk_config, max_discard_sectors, &v);
		lim->max_hw_discard_sectors = v; /* 0: the device discards nothing */
		virtio_cread(vdev, struct virtio_blk_config, max_discard_seg, &v);
		/* spec drv.blk.device-operation.9: at most max_discard_seg ranges */
		lim->max_discard_segments = (unsigned short)min_t(u32, max_t(u32, v, 1),
								  VIRTBLK_MAX_DISCARD_SEG);
		virtio_cread(vdev, struct virtio_blk_config, discard_sector_alignment, &v);
		lim->discard_granularity = v << SECTOR_SHIFT;
	}
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_WRITE_ZEROES)) {
		/* One range per request: within max_write_zeroes_seg (>= 1,
		 * spec drv.blk.device-operation.11) whatever it says. */
		virtio_cread(vdev, struct virtio_blk_config, max_write_zeroes_sectors, &v);
		lim->max_write_zeroes_sectors = v;
	}
	if (virtblk_get_cache_mode(vdev))
		lim->features |= BLK_FEAT_WRITE_CACHE;
	return virtblk_read_secure_erase(vdev, lim);
}

/* Data segments per request: seg_max, within what one chain can carry. */
static unsigned int virtblk_sg_elems(struct virtio_blk *vblk)
{
	struct virtio_device *vdev = vblk->vdev;
	unsigned int i, ring;
	u32 sg_elems;

	if (virtio_cread_feature(vdev, VIRTIO_BLK_F_SEG_MAX, struct virtio_blk_config, seg_max,
				 &sg_elems) || sg_elems == 0)
		sg_elems = 1;
	sg_elems = min_t(u32, sg_elems, VIRTBLK_MAX_SG);
	/* A chain (header + data + status) is at most the queue size, also
	 * through an indirect table (spec
	 * drv.basic.virtqueues.virtqueue-descriptor-table.indirect-descriptors.3). */
	for (i = 0; i < vblk->num_vqs; i++) {
		ring = virtqueue_get_vring_size(vblk->vqs[i].vq);
		sg_elems = ring > 2 ? min_t(u32, sg_elems, ring - 2) : 1;
	}
	return sg_elems;
}

/* ---- probe and remove ---- */

static int virtblk_probe(struct virtio_device *vdev)
{
	struct virtio_blk *vblk;
	struct queue_limits lim;
	struct gendisk *disk;
	int err, index;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "config access disabled");
		return -EINVAL;
	}
	index = ida_alloc(&vd_index_ida, GFP_KERNEL);
	if (index < 0)
		return index;
	vblk = kzalloc(sizeof(*vblk), GFP_KERNEL);
	if (!vblk) {
		err = -ENOMEM;
		goto out_free_index;
	}
	vblk->vdev = vdev;
	vblk->index = index;
	vdev->priv = vblk;
	err = init_vq(vblk);
	if (err)
		goto out_free_vblk;
	vblk->sg_elems = virtblk_sg_elems(vblk);

	vblk->tag_set.ops = &virtio_mq_ops;
	vblk->tag_set.nr_hw_queues = vblk->num_vqs;
	vblk->tag_set.queue_depth = VIRTBLK_QUEUE_DEPTH;
	vblk->tag_set.cmd_size = (unsigned int)(sizeof(struct virtblk_req) +
						sizeof(struct scatterlist) * vblk->sg_elems);
	vblk->tag_set.driver_data = vblk;
	err = blk_mq_alloc_tag_set(&vblk->tag_set);
	if (err)
		goto out_free_vq;

	memset(&lim, 0, sizeof(lim));
	err = virtblk_read_limits(vblk, &lim);
	if (err)
		goto out_free_tags;
	disk = blk_mq_alloc_disk(&vblk->tag_set, &lim, vblk);
	if (IS_ERR(disk)) {
		err = (int)PTR_ERR(disk);
		goto out_free_tags;
	}
	vblk->disk = disk;
	if (index < 26)
		snprintf(disk->disk_name, sizeof(disk->disk_name), "vd%c", 'a' + index);
	else
		snprintf(disk->disk_name, sizeof(disk->disk_name), "vd%d", index);
	virtblk_update_capacity(vblk, false);
	/* spec drv.blk.device-operation.3: RO accepted when offered; writes
	 * are then refused before they reach the device. */
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_RO))
		set_disk_ro(disk, true);
	dev_info(&vdev->dev, "%s: %llu sectors, %u segment(s) of <= %u bytes, %s, %u queue(s)%s",
		 disk->disk_name, (unsigned long long)get_capacity(disk), vblk->sg_elems,
		 lim.max_segment_size, lim.features & BLK_FEAT_WRITE_CACHE ? "writeback" : "writethrough",
		 vblk->num_vqs, get_disk_ro(disk) ? ", read-only" : "");

	virtio_device_ready(vdev);
	err = device_add_disk(&vdev->dev, disk, NULL);
	if (err)
		goto out_reset;
	return 0;

out_reset:
	(void)virtio_reset_device(vdev);
	put_disk(disk);
	vblk->disk = NULL;
out_free_tags:
	blk_mq_free_tag_set(&vblk->tag_set);
out_free_vq:
	vdev->config->del_vqs(vdev);
	kfree(vblk->vqs);
out_free_vblk:
	vdev->priv = NULL;
	kfree(vblk);
out_free_index:
	ida_free(&vd_index_ida, (unsigned int)index);
	return err;
}

static void virtblk_remove(struct virtio_device *vdev)
{
	struct virtio_blk *vblk = vdev->priv;

	del_gendisk(vblk->disk);
	/* spec drv.init.device-cleanup.2: the device lets go of the buffers
	 * only once reset; then they come back as errors. */
	(void)virtio_reset_device(vdev);
	virtblk_reclaim(vblk);
	if (vblk->vqs)
		vdev->config->del_vqs(vdev);
	put_disk(vblk->disk);
	blk_mq_free_tag_set(&vblk->tag_set);
	kfree(vblk->vqs);
	ida_free(&vd_index_ida, (unsigned int)vblk->index);
	vdev->priv = NULL;
	kfree(vblk);
}

/* spec drv.blk.device-operation.1: look at the capacity on a
 * configuration change.  (Linux defers it to a work item; here the
 * interrupt path may read config.) */
static void virtblk_config_changed(struct virtio_device *vdev)
{
	struct virtio_blk *vblk = vdev->priv;

	if (vblk && vblk->disk)
		virtblk_update_capacity(vblk, true);
}

static int virtblk_freeze(struct virtio_device *vdev)
{
	struct virtio_blk *vblk = vdev->priv;

	blk_mq_quiesce_queue(vblk->disk->queue);
	(void)virtio_reset_device(vdev);
	virtblk_reclaim(vblk);
	vdev->config->del_vqs(vdev);
	kfree(vblk->vqs);
	vblk->vqs = NULL;
	return 0;
}

static int virtblk_restore(struct virtio_device *vdev)
{
	struct virtio_blk *vblk = vdev->priv;
	int err;

	err = init_vq(vblk);
	if (err)
		return err;
	if (vblk->num_vqs != vblk->tag_set.nr_hw_queues) {
		dev_err(&vdev->dev, "%u queues after restore, %u before", vblk->num_vqs,
			vblk->tag_set.nr_hw_queues);
		vdev->config->del_vqs(vdev);
		kfree(vblk->vqs);
		vblk->vqs = NULL;
		return -EINVAL;
	}
	virtio_device_ready(vdev);
	blk_mq_unquiesce_queue(vblk->disk->queue);
	return 0;
}

static const unsigned int features[] = {
	VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_GEOMETRY, VIRTIO_BLK_F_RO,
	VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_TOPOLOGY, VIRTIO_BLK_F_CONFIG_WCE,
	VIRTIO_BLK_F_MQ, VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_WRITE_ZEROES, VIRTIO_BLK_F_LIFETIME,
	VIRTIO_BLK_F_SECURE_ERASE,
};

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_BLOCK, VIRTIO_DEV_ANY_ID },
	{ 0, 0 },
};

static struct virtio_driver virtio_blk_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = id_table,
	.feature_table = features,
	.feature_table_size = ARRAY_SIZE(features),
	.feature_table_legacy = features,
	.feature_table_size_legacy = ARRAY_SIZE(features),
	.probe = virtblk_probe,
	.remove = virtblk_remove,
	.config_changed = virtblk_config_changed,
	.freeze = virtblk_freeze,
	.restore = virtblk_restore,
};

module_virtio_driver(virtio_blk_driver);
MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio block driver");
MODULE_LICENSE("GPL");
