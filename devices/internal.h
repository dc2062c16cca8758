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
	unsigned num_queues;       /* fixed queue count */
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

/* Is head in flight (popped, not yet pushed)?  Mark / clear it. */
int vs__vq_inflight_test(const struct vs_vq *vq, uint32_t head);
void vs__vq_inflight_set(struct vs_vq *vq, uint32_t head, int on);

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

#endif /* VS_DEVICES_INTERNAL_H */
