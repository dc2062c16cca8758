/*
 * rng.c - the entropy device (spec 5.4): one request queue, no feature
 * bits, no configuration.  Every writable byte of a request is filled from
 * the device's own prng stream ("rng" from the machine seed), so a run is
 * reproducible byte for byte and adding another device never changes
 * these bytes.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/prng.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"

#define LOG_SUBSYS "rng"

/* Bytes generated per vs_vq_write: bounds the stack, not the request. */
#define RNG_CHUNK 256u

struct rng_state {
	struct vs_prng prng;
};

static int rng_init(struct vs_vdev *vdev)
{
	struct rng_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	vs_prng_seed_stream(&st->prng, vdev->seed, "rng");
	vdev->priv = st;
	return 0;
}

static void rng_fini(struct vs_vdev *vdev)
{
	free(vdev->priv);
	vdev->priv = NULL;
}

/* Fill the writable part of elem; returns the bytes written or -errno. */
static int64_t rng_fill(struct vs_vq *vq, struct vs_vq_elem *elem, struct rng_state *st)
{
	uint8_t buf[RNG_CHUNK];
	uint64_t off = 0;

	/* spec dev.entropy.device-operation.1: one or more random bytes; this
	 * device always fills the whole buffer. */
	while (off < elem->in_len) {
		uint64_t n = elem->in_len - off;
		int err;

		if (n > sizeof(buf))
			n = sizeof(buf);
		vs_prng_fill(&st->prng, buf, (size_t)n);
		err = vs_vq_write(vq, elem, off, buf, n);
		if (err)
			return err;
		off += n;
	}
	return (int64_t)off;
}

static void rng_handle_queue(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct rng_state *st = vdev->priv;
	struct vs_vq_elem elem;
	uint32_t budget = vq->num;
	int64_t written;

	/* At most a ring's worth per run, then yield to other work: a driver
	 * that refills from its interrupt handler cannot starve the loop. */
	while (budget--) {
		if (vs_vq_pop(vq, &elem))
			return;
		/* spec drv.entropy.device-operation.1 is the driver's rule; the
		 * device still completes the request with what it can fill. */
		if (elem.out_num)
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: head %u has %u device-readable buffers",
			       vdev->label, elem.head, elem.out_num);
		if (!elem.in_len)
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: head %u has no writable byte, len 0",
			       vdev->label, elem.head);
		written = rng_fill(vq, &elem, st);
		if (written < 0) {
			vs_log(VS_LOG_WARN, LOG_SUBSYS, "%s: head %u: write failed (%d)", vdev->label,
			       elem.head, (int)written);
			written = 0;
		}
		/* in_len <= 2^32 - 1: pop refuses longer chains. */
		if (vs_vq_push(vq, &elem, (uint32_t)written))
			return;
	}
	vs_vdev_kick(vdev, vq->index);
}

const struct vs_device_model vs__rng_model = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.features = 0,          /* spec 5.4.3: none defined */
	.num_queues = 1,        /* spec 5.4.2: requestq */
	.queue_size_max = 256,
	.config_size = 0,       /* spec 5.4.4: none defined */
	.init = rng_init,
	.fini = rng_fini,
	.reset = NULL,          /* the prng stream simply continues */
	.handle_queue = rng_handle_queue,
	.validate_features = NULL,
	.config_write = NULL,
};
