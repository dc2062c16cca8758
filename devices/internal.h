/*
 * internal.h - shared between the files of devices/ only: the vdev struct,
 * the device model ops table and the vdev core's hooks for the ring engine.
 * Transports and the harness use devices/vdev.h; models use this and
 * devices/vring.h.
 */
#ifndef VS_DEVICES_INTERNAL_H
#define VS_DEVICES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "devices/vdev.h"
#include "devices/vring.h"

/*
 * A device model: one per device type, registered in devices/registry.c.
 * The vdev core owns status, features, config bytes and queue state; the
 * model fills config defaults and does the device's work.
 */
struct vs_device_model {
	const char *name;          /* type name for vs_device_create */
	uint32_t device_id;        /* VIRTIO_ID_* */
	uint64_t features;         /* device-type feature bits offered by default */
	unsigned num_queues;       /* fixed queue count (when num_queues_for is NULL) */
	/* Queue count for these params, when it depends on them (console
	 * ports).  May be NULL. */
	unsigned (*num_queues_for)(const struct vs_device_params *p);
	uint32_t queue_size_max;   /* default QueueSizeMax */
	uint32_t config_size;      /* bytes of device-specific config */
	/* Allocate model state in vdev->priv, write config defaults.  0 or -errno. */
	int (*init)(struct vs_vdev *vdev);
	/* Free what init allocated.  May be NULL. */
	void (*fini)(struct vs_vdev *vdev);
	/* Device reset (spec 2.4): drop in-progress model state.  May be NULL. */
	void (*reset)(struct vs_vdev *vdev);
	/* Process queue vq: pop, work, push.  Runs on the loop only. */
	void (*handle_queue)(struct vs_vdev *vdev, struct vs_vq *vq);
	/* Refuse a feature combination at FEATURES_OK (-EINVAL).  May be NULL. */
	int (*validate_features)(struct vs_vdev *vdev, uint64_t features);
	/* Driver write to config: apply it to writable fields.  NULL = read-only. */
	void (*config_write)(struct vs_vdev *vdev, uint32_t off, const void *buf, uint32_t len);
};

struct vs_vdev {
	const struct vs_device_model *model;
	struct vs_arena *arena;       /* guest RAM: every ring access goes through it */
	struct vs_loop *loop;         /* where queue handlers run */
	struct vs_faults *faults;     /* may be NULL */
	uint64_t seed;                /* machine seed, for the model's prng stream */
	struct vs_device_params params; /* as created (zeroes when none were given) */
	char label[32];               /* name in log lines */

	uint8_t status;               /* device status (spec 2.1) */
	int reset_stale;              /* RESET_INCOMPLETE: next status read is stale */
	uint8_t stale_status;         /* what that read returns */

	uint64_t features;            /* offered */
	uint64_t driver_features;     /* accepted, words 0 and 1 */
	uint32_t driver_features_ext[2]; /* accepted words 2 and 3: never offered */
	int driver_features_beyond;   /* driver set a bit in word 4 or later */

	uint8_t *config;              /* device-specific config bytes (LE fields) */
	uint32_t config_size;
	uint32_t config_generation;

	unsigned num_queues;
	struct vs_vq *vqs;

	const struct vs_vdev_transport_ops *tops; /* bound transport, or NULL */
	void *topaque;
	unsigned bind_flags;

	uint64_t completed;           /* used elements pushed */
	void *priv;                   /* model state */
};

/*
 * The device hit an error a reset must clear (a ring the driver broke):
 * set DEVICE_NEEDS_RESET, tell the driver with a configuration change
 * notification if DRIVER_OK is set (spec dev.basic.device-status-field.3)
 * and stop processing (the queue handlers check the bit).
 */
void vs__vdev_set_needs_reset(struct vs_vdev *vdev);

/* A used buffer notification for queue qidx, through the bound transport,
 * with the NO_INTERRUPT / SPURIOUS_INTERRUPT faults applied. */
void vs__vdev_vring_interrupt(struct vs_vdev *vdev, unsigned qidx);

/*
 * The driver broke queue vq's ring: mark it broken, set DEVICE_NEEDS_RESET,
 * log the message (what, where, the values).  Returns -EIO so callers can
 * `return vs__vq_fail(...)`.  (devices/vring.c)
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int vs__vq_fail(struct vs_vq *vq, const char *fmt, ...);

/* Is head in flight (popped, not yet pushed)?  Mark / clear it.  Inline:
 * a few times per request. */
static inline int vs__vq_inflight_test(const struct vs_vq *vq, uint32_t head)
{
	if (head >= vq->num_max)
		return 0;
	return (vq->inflight[head / 8] >> (head % 8)) & 1;
}

static inline void vs__vq_inflight_set(struct vs_vq *vq, uint32_t head, int on)
{
	uint8_t bit;

	if (head >= vq->num_max)
		return;
	bit = (uint8_t)(1u << (head % 8));
	if (on)
		vq->inflight[head / 8] |= bit;
	else
		vq->inflight[head / 8] &= (uint8_t)~bit;
}

/* ---- shared by the two ring walks (devices/vring.c) ---- */

/* Append one buffer of a chain to elem: readable before writable, inside
 * guest RAM, at most VS_VQ_MAX_IOV per direction, 2^32 bytes in all.
 * 0 or -EIO (queue broken).  idx names the descriptor in the log. */
int vs__vq_elem_add(struct vs_vq *vq, struct vs_vq_elem *elem, uint64_t addr, uint32_t len,
		    int writable, uint32_t idx);
/* A descriptor with VRING_DESC_F_INDIRECT: feature negotiated, not inside
 * a table (nested), no NEXT, a length of whole descriptors within the
 * device's limit, in guest RAM.  0 or -EIO. */
int vs__vq_check_indirect(struct vs_vq *vq, const struct vs_vq_elem *elem, uint64_t addr,
			  uint32_t len, uint16_t flags, uint32_t idx, int nested);

/*
 * ---- one ring layout (vring_split.c, vring_packed.c) ----
 * pop: fill elem (head set) from the next available chain, validated, and
 * advance; -ENOENT when none, -EIO (broken) on bad ring data.  The caller
 * has zeroed the header, checked readiness and marks the head in flight.
 * fill: write the used entry (id and len already decided, faults applied)
 * and advance; -EIO when the ring is not writable.  flush (split): publish
 * the filled entries with one used idx write (packed descriptors publish
 * themselves).
 * want_notify: 1 when the driver wants the used buffer notification now,
 * 0 when it suppressed it, -EIO.  set_no_notify: publish whether kicks
 * are wanted.  pick_not_outstanding: an id for the fault of that name.
 */
int vs__vq_pop_split(struct vs_vq *vq, struct vs_vq_elem *elem);
int vs__vq_fill_split(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t id,
		      uint32_t len);
int vs__vq_flush_split(struct vs_vq *vq);
int vs__vq_want_notify_split(struct vs_vq *vq);
int vs__vq_set_no_notify_split(struct vs_vq *vq, int no_notify);
uint32_t vs__vq_pick_not_outstanding_split(struct vs_vq *vq, uint16_t head);
int vs__vq_pop_packed(struct vs_vq *vq, struct vs_vq_elem *elem);
int vs__vq_fill_packed(struct vs_vq *vq, const struct vs_vq_elem *elem, uint32_t id,
		       uint32_t len);
int vs__vq_want_notify_packed(struct vs_vq *vq);
int vs__vq_set_no_notify_packed(struct vs_vq *vq, int no_notify);
uint32_t vs__vq_pick_not_outstanding_packed(struct vs_vq *vq, uint16_t head);

/*
 * vs_device_create for a model given directly rather than by type name:
 * what vs_device_create does after the registry lookup.  For tests that
 * need a model with properties no registered one has (a config space).
 */
int vs__vdev_create(const struct vs_device_model *model, const struct vs_device_params *p,
		    const struct vs_vdev_env *env, struct vs_vdev **out);

/* The model table (devices/registry.c). */
const struct vs_device_model *vs__device_model_find(const char *name);

/* Models, defined one per file. */
extern const struct vs_device_model vs__rng_model;
extern const struct vs_device_model vs__console_model;
extern const struct vs_device_model vs__blk_model;
extern const struct vs_device_model vs__net_model;

#endif /* VS_DEVICES_INTERNAL_H */
