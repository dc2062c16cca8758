/*
 * virtio_rng.c - the entropy device driver (spec 5.4), in the shape of
 * Linux's virtio-rng: one queue, "input"; a request is one device-writable
 * buffer; the queue callback collects it and completes the reader.
 *
 * Unlike Linux, which always keeps one fixed-size request on the queue,
 * a request is made when a reader needs bytes and none is pending, sized
 * to the reader (at most VIRTRNG_MAX_REQ), in a kmalloc'd buffer: so a
 * scenario decides exactly when the device sees a buffer.  A request that
 * times out stays queued; the next read collects it.
 *
 * Lifecycle of the one request: idle (busy false) -> queued (busy, not
 * completed) -> answered (completed: bytes or an error) -> handed out
 * (buffer freed, busy false again).
 */
#define KBUILD_MODNAME "virtio_rng"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/completion.h>
#include <linux/fault-inject.h>
#include <linux/hw_random.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/wait.h>

/* Largest request, in bytes. */
#define VIRTRNG_MAX_REQ 4096u
/* Size of the request VS_FAULT_DRV_KICK_EARLY queues during probe. */
#define VIRTRNG_EARLY_REQ 64u

static DEFINE_IDA(rng_index_ida);

struct virtrng_info {
	struct hwrng hwrng;
	struct virtqueue *vq;
	char name[25];
	int index;
	bool hwrng_register_done;
	bool hwrng_removed;      /* readers get -ENODEV (teardown or not yet registered) */
	struct completion have_data; /* the queued request was answered */
	bool busy;               /* a request is queued or its bytes not all handed out */
	u8 *buf;                 /* the request's buffer, also its token */
	unsigned int buf_len;
	unsigned int data_avail; /* answered bytes not handed out yet */
	unsigned int data_idx;   /* next of them */
	int data_err;            /* the answer was unusable: -EIO */
};

static void random_recvdone(struct virtqueue *vq)
{
	struct virtrng_info *vi = vq->vdev->priv;
	unsigned int len;
	void *buf;

	/* Spurious callbacks happen; a broken queue gives NULL too (readers
	 * watch for that themselves). */
	buf = virtqueue_get_buf(vq, &len);
	if (!buf)
		return;
	if (WARN_ON(!vi || buf != vi->buf))
		return;
	/* spec drv.entropy.device-operation.2: the used len says how many
	 * bytes are random; none at all, or more than we offered, is no answer. */
	if (len == 0 || len > vi->buf_len) {
		dev_err(&vq->vdev->dev, "device returned %u bytes for a %u-byte request", len,
			vi->buf_len);
		vi->data_err = -EIO;
		len = 0;
	}
	vi->data_avail = len;
	vi->data_idx = 0;
	complete(&vi->have_data);
}

/* Queue one request of size bytes and kick.  0 or negative errno. */
static int request_entropy(struct virtrng_info *vi, unsigned int size)
{
	struct scatterlist sg;
	int err;

	size = min(max(size, 1u), VIRTRNG_MAX_REQ);
	vi->buf = kmalloc(size, GFP_KERNEL);
	if (!vi->buf)
		return -ENOMEM;
	vi->buf_len = size;
	vi->data_avail = 0;
	vi->data_idx = 0;
	vi->data_err = 0;
	reinit_completion(&vi->have_data);

	/* spec drv.entropy.device-operation.1: device-writable buffers only. */
	sg_init_one(&sg, vi->buf, size);
	err = virtqueue_add_inbuf(vi->vq, &sg, 1, vi->buf, GFP_KERNEL);
	if (err) {
		kfree(vi->buf);
		vi->buf = NULL;
		return err;
	}
	vi->busy = true;
	virtqueue_kick(vi->vq);
	return 0;
}

static void release_request(struct virtrng_info *vi)
{
	kfree(vi->buf);
	vi->buf = NULL;
	vi->buf_len = 0;
	vi->data_avail = 0;
	vi->data_idx = 0;
	vi->data_err = 0;
	vi->busy = false;
	reinit_completion(&vi->have_data);
}

/* Hand out answered bytes (or the answer's error). */
static int collect(struct virtrng_info *vi, u8 *out, size_t size)
{
	unsigned int n;
	int err = vi->data_err;

	if (err) {
		release_request(vi);
		return err;
	}
	n = (unsigned int)min(size, (size_t)vi->data_avail);
	memcpy(out, vi->buf + vi->data_idx, n);
	vi->data_idx += n;
	vi->data_avail -= n;
	if (vi->data_avail == 0)
		release_request(vi);
	return (int)n;
}

static int virtio_read(struct hwrng *rng, void *buf, size_t size, bool wait)
{
	struct virtrng_info *vi = (struct virtrng_info *)rng->priv;
	int err;

	if (vi->hwrng_removed)
		return -ENODEV;
	if (size == 0)
		return 0;
	/* Bytes of an earlier answer first. */
	if (vi->busy && completion_done(&vi->have_data))
		return collect(vi, buf, size);
	if (virtqueue_is_broken(vi->vq))
		return -EIO;
	if (!vi->busy) {
		err = request_entropy(vi, (unsigned int)min(size, (size_t)VIRTRNG_MAX_REQ));
		if (err)
			return err;
	}
	if (!wait)
		return 0;

	/* A broken queue (bad used entry, or a device that needs a reset)
	 * will never answer: stop waiting at once. */
	wait_event_timeout(vi->have_data.wait,
			   completion_done(&vi->have_data) || virtqueue_is_broken(vi->vq),
			   guest_timeout_jiffies());
	if (completion_done(&vi->have_data))
		return collect(vi, buf, size);
	if (virtqueue_is_broken(vi->vq))
		return -EIO;
	return -ETIMEDOUT;
}

static int probe_common(struct virtio_device *vdev)
{
	struct virtrng_info *vi;
	int err, index;

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return -ENOMEM;
	vi->index = index = ida_alloc(&rng_index_ida, GFP_KERNEL);
	if (index < 0) {
		err = index;
		goto out_free_vi;
	}
	snprintf(vi->name, sizeof(vi->name), "virtio_rng.%d", index);
	init_completion(&vi->have_data);
	vi->hwrng = (struct hwrng){
		.read = virtio_read,
		.priv = (unsigned long)vi,
		.name = vi->name,
		.dev = &vdev->dev,
	};
	vdev->priv = vi;

	/* We expect a single virtqueue. */
	vi->vq = virtio_find_single_vq(vdev, random_recvdone, "input");
	if (IS_ERR(vi->vq)) {
		err = (int)PTR_ERR(vi->vq);
		goto out_free_index;
	}

	/* Fault: queue and kick a request before DRIVER_OK (breaks spec
	 * drv.init.device-initialization.6; Linux makes the device ready
	 * before its first request). */
	if (virtio_should_fail(VS_FAULT_DRV_KICK_EARLY)) {
		err = request_entropy(vi, VIRTRNG_EARLY_REQ);
		if (err)
			dev_warn(&vdev->dev, "early request failed: %d", err);
	}
	virtio_device_ready(vdev);
	return 0;

out_free_index:
	vdev->priv = NULL;
	ida_free(&rng_index_ida, (unsigned int)index);
out_free_vi:
	kfree(vi);
	return err;
}

static void remove_common(struct virtio_device *vdev)
{
	struct virtrng_info *vi = vdev->priv;
	void *buf;

	if (!vi) {
		/* A restore failed before the queue existed: just reset. */
		(void)virtio_reset_device(vdev);
		return;
	}
	vi->hwrng_removed = true;
	vi->data_avail = 0;
	vi->data_idx = 0;
	complete(&vi->have_data);
	if (vi->hwrng_register_done)
		hwrng_unregister(&vi->hwrng);

	/* spec drv.init.device-cleanup.2: only a reset device lets go of the
	 * buffers it was given.  (A reset that never completes is logged by
	 * the transport; the queue is still switched off by del_vqs.) */
	(void)virtio_reset_device(vdev);
	while ((buf = virtqueue_detach_unused_buf(vi->vq)) != NULL) {
		if (buf == vi->buf)
			vi->buf = NULL;
		kfree(buf);
	}
	/* An answer collected but not handed out is not on the ring. */
	kfree(vi->buf);
	vi->buf = NULL;
	vi->busy = false;
	vdev->config->del_vqs(vdev);
	ida_free(&rng_index_ida, (unsigned int)vi->index);
	vdev->priv = NULL;
	kfree(vi);
}

static int virtrng_probe(struct virtio_device *vdev)
{
	return probe_common(vdev);
}

static void virtrng_remove(struct virtio_device *vdev)
{
	remove_common(vdev);
}

static void virtrng_scan(struct virtio_device *vdev)
{
	struct virtrng_info *vi = vdev->priv;
	int err;

	err = hwrng_register(&vi->hwrng);
	if (!err)
		vi->hwrng_register_done = true;
	else
		dev_err(&vdev->dev, "hwrng_register: %d", err);
}

static int virtrng_freeze(struct virtio_device *vdev)
{
	remove_common(vdev);
	return 0;
}

static int virtrng_restore(struct virtio_device *vdev)
{
	struct virtrng_info *vi;
	int err;

	err = probe_common(vdev);
	if (err)
		return err;
	vi = vdev->priv;
	/* Readers stay away until the rng is registered again. */
	vi->hwrng_removed = true;
	err = hwrng_register(&vi->hwrng);
	if (!err) {
		vi->hwrng_register_done = true;
		vi->hwrng_removed = false;
	}
	return err;
}

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_RNG, VIRTIO_DEV_ANY_ID },
	{ 0, 0 },
};

static struct virtio_driver virtio_rng_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = id_table,
	.probe = virtrng_probe,
	.remove = virtrng_remove,
	.scan = virtrng_scan,
	.freeze = virtrng_freeze,
	.restore = virtrng_restore,
};

module_virtio_driver(virtio_rng_driver);
MODULE_DEVICE_TABLE(virtio, id_table);
MODULE_DESCRIPTION("Virtio random number driver");
MODULE_LICENSE("GPL");
