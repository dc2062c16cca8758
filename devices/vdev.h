/*
 * vdev.h - the vdev core: the device side of the driver/device seam.
 *
 * A vdev is one simulated virtio device: its status register, the feature
 * bits it offers and the ones the driver accepted, its device-specific
 * configuration space with a generation counter, and its queues.  The
 * device model behind it (rng, later net, blk, console ...) plugs in
 * through an ops table (devices/internal.h, devices/registry.c).
 *
 * Two audiences use this header:
 *  - the harness creates and destroys devices, changes their config and
 *    reads counters for reports (vs_device_create ... vs_vdev_requests_completed);
 *  - a transport (transport/mmio.c, later PCI) binds to one vdev and turns
 *    register accesses into the calls below; the vdev asks it for
 *    interrupts through struct vs_vdev_transport_ops.
 *
 * Call order for a transport: vs_device_create, vs_vdev_bind, any register
 * traffic, vs_vdev_unbind, vs_vdev_destroy.  Device work never runs inside
 * a register access: vs_vdev_kick only queues the model's handler on the
 * loop, so the driver's bus write returns before the device acts on it.
 */
#ifndef VS_DEVICES_VDEV_H
#define VS_DEVICES_VDEV_H

#include <stdint.h>

struct vs_arena;
struct vs_loop;
struct vs_faults;
struct vs_vdev;
struct vs_vq;

/* What a device needs from the machine.  faults may be NULL (no faults). */
struct vs_vdev_env {
	struct vs_arena *arena;
	struct vs_loop *loop;
	struct vs_faults *faults;
	uint64_t seed; /* machine seed: each model takes its own prng stream */
};

/* Per-device machine parameters from the scenario. */
struct vs_device_params {
	uint64_t features_add;    /* feature bits offered on top of the model's */
	uint64_t features_remove; /* feature bits withheld (applied after add) */
	uint32_t queue_size_max;  /* 0 = model default (256 for rng); else a power of 2 <= 32768 */
	/* console (devices/console.h): max_nr_ports, 0 = 1; more than one
	 * offers VIRTIO_CONSOLE_F_MULTIPORT.  cols/rows: 0 = 80 x 25. */
	uint32_t console_ports;
	uint16_t console_cols, console_rows;
	/* blk (devices/blk.c): capacity in 512-byte sectors, 0 = 2048 (1 MiB);
	 * read_only offers VIRTIO_BLK_F_RO; queues > 1 offers VIRTIO_BLK_F_MQ
	 * (0 = 1); seg_max 0 = 16; serial is the GET_ID string (NULL = a
	 * default, at most 20 bytes used); backend_file NULL = memory, else
	 * the file is created or truncated to the capacity when the device is
	 * created (the string is copied).  Requests touching
	 * [ioerr_first, ioerr_first + ioerr_count) fail with IOERR.  The wear
	 * model behind GET_LIFETIME (devices/blk.c): endurance is the sectors
	 * the MLC cells are rated to program (0 = 16 x capacity, at most
	 * 2^53), worn the sectors already programmed when the device is
	 * created (at most 2^53). */
	uint64_t blk_capacity;
	int blk_read_only;
	uint32_t blk_queues;
	uint32_t blk_seg_max;
	const char *blk_serial;
	const char *blk_backend_file;
	uint64_t blk_ioerr_first, blk_ioerr_count;
	uint64_t blk_endurance, blk_worn;
	/* net (devices/net.c, devices/net.h): net_mac is offered with
	 * VIRTIO_NET_F_MAC (all zeroes = 52:54:00:12:34:56); net_mtu 0 = 1500,
	 * else 68..65535, offered with VIRTIO_NET_F_MTU; net_queue_pairs 0 =
	 * 1, more than one offers VIRTIO_NET_F_MQ (at most 0x8000);
	 * net_link_down starts with the link down (VIRTIO_NET_F_STATUS). */
	uint8_t net_mac[6];
	uint32_t net_mtu;
	uint32_t net_queue_pairs;
	int net_link_down;
};

/*
 * Create a device of a registered type ("rng").  Offered features are the
 * model's defaults | VIRTIO_F_VERSION_1 | features_add, minus
 * features_remove.  Returns 0, -ENOENT for an unknown type, -EINVAL for bad
 * params or env, -ENOMEM.
 */
int vs_device_create(const char *type, const struct vs_device_params *p,
		     const struct vs_vdev_env *env, struct vs_vdev **out);
/* NULL-terminated list of the type names vs_device_create knows. */
const char *const *vs_device_types(void);
/* Drops pending device work.  NULL ok.  Unbind the transport first. */
void vs_vdev_destroy(struct vs_vdev *vdev);

uint32_t vs_vdev_device_id(const struct vs_vdev *vdev);
const char *vs_vdev_type(const struct vs_vdev *vdev);
/* A name for log lines ("rng0"); copied, truncated to 31 bytes. */
void vs_vdev_set_label(struct vs_vdev *vdev, const char *label);
const char *vs_vdev_label(const struct vs_vdev *vdev);

/*
 * The device changes its own configuration space (a scenario step): copy
 * len bytes at off, bump the generation (unless the fault
 * VS_FAULT_DEV_CONFIG_NO_GENERATION fires) and send a configuration change
 * notification once the driver has set DRIVER_OK.  -ERANGE when
 * [off, off+len) is not inside the config space.
 */
int vs_vdev_config_change(struct vs_vdev *vdev, uint32_t off, const void *data, uint32_t len);

/* Used elements pushed since creation (resets do not clear it). */
uint64_t vs_vdev_requests_completed(const struct vs_vdev *vdev);

/* ---- Transport binding ---- */

enum vs_vdev_irq_kind {
	VS_VDEV_IRQ_VRING = 0,  /* used buffer notification for queue qidx */
	VS_VDEV_IRQ_CONFIG = 1, /* configuration change notification */
};

struct vs_vdev_transport_ops {
	/* Deliver a notification to the driver (set the ISR bit, raise the
	 * line or send the vector).  qidx is meaningful for VRING only.
	 * Called from loop work or from a status write, never re-entrantly
	 * from inside another interrupt of the same vdev. */
	void (*interrupt)(void *opaque, enum vs_vdev_irq_kind kind, unsigned qidx);
};

/* The transport offers the legacy interface (MMIO version 1, PCI legacy):
 * VIRTIO_F_VERSION_1 is then not required for FEATURES_OK. */
#define VS_VDEV_BIND_LEGACY 1u

/* -EBUSY when a transport is already bound, -EINVAL on NULL ops. */
int vs_vdev_bind(struct vs_vdev *vdev, const struct vs_vdev_transport_ops *ops, void *opaque,
		 unsigned flags);
void vs_vdev_unbind(struct vs_vdev *vdev);

/* ---- Status (spec 2.1) ---- */

/*
 * The status the driver reads.  Not const: after a reset with the fault
 * VS_FAULT_DEV_RESET_INCOMPLETE, the first read returns the pre-reset value
 * (ACKNOWLEDGE if that was 0) and only later reads return 0.
 */
uint8_t vs_vdev_status(struct vs_vdev *vdev);
/* The real status, without consuming the fault above (reports, tests). */
uint8_t vs_vdev_status_peek(const struct vs_vdev *vdev);
/*
 * A driver write to the status register.  0 resets the device.  Otherwise
 * the value is stored, except that FEATURES_OK is dropped when the device
 * refuses the accepted features, and DEVICE_NEEDS_RESET stays set once the
 * device set it (it is the device's bit) until a reset.
 */
void vs_vdev_set_status(struct vs_vdev *vdev, uint8_t status);
/* Reset (spec 2.4): status, accepted features, every queue and pending
 * work go back to their initial state.  The transport clears its own
 * interrupt state itself. */
void vs_vdev_reset(struct vs_vdev *vdev);

/* ---- Features (spec 2.2), as 32-bit words for the select windows ---- */

uint64_t vs_vdev_features(const struct vs_vdev *vdev);        /* offered */
uint64_t vs_vdev_driver_features(const struct vs_vdev *vdev); /* accepted */
/* Word sel of the offered bits; 0 for sel >= 2. */
uint32_t vs_vdev_device_features_word(const struct vs_vdev *vdev, uint32_t sel);
uint32_t vs_vdev_driver_features_word(const struct vs_vdev *vdev, uint32_t sel);
/*
 * The driver writes word sel of its accepted bits.  Ignored (-EBUSY) once
 * FEATURES_OK is set: features are final then.  Non-zero bits in a word
 * beyond the 64 this device knows are remembered as "accepted a feature
 * not offered" and make FEATURES_OK fail.
 */
int vs_vdev_set_driver_features_word(struct vs_vdev *vdev, uint32_t sel, uint32_t val);
/* Did the driver accept feature bit `bit`? */
int vs_vdev_has_feature(const struct vs_vdev *vdev, unsigned bit);

/* ---- Device configuration space (spec 2.5) ---- */

uint32_t vs_vdev_config_size(const struct vs_vdev *vdev);
uint32_t vs_vdev_config_generation(const struct vs_vdev *vdev);
/* Copy config bytes; -ERANGE when [off, off+len) is not all config. */
int vs_vdev_config_read(const struct vs_vdev *vdev, uint32_t off, void *buf, uint32_t len);
/* A driver write; the model decides which fields are writable (most are
 * not: the write is then ignored and 0 returned).  -ERANGE as above. */
int vs_vdev_config_write(struct vs_vdev *vdev, uint32_t off, const void *buf, uint32_t len);

/* ---- Queues ---- */

enum vs_vq_area {
	VS_VQ_AREA_DESC = 0,   /* descriptor area */
	VS_VQ_AREA_DRIVER = 1, /* driver area (split: available ring) */
	VS_VQ_AREA_DEVICE = 2, /* device area (split: used ring) */
};

unsigned vs_vdev_num_queues(const struct vs_vdev *vdev);
/* 0 for a queue that does not exist (spec: "not available"). */
uint32_t vs_vdev_queue_num_max(const struct vs_vdev *vdev, unsigned q);
uint32_t vs_vdev_queue_num(const struct vs_vdev *vdev, unsigned q);
int vs_vdev_queue_ready(const struct vs_vdev *vdev, unsigned q);
uint64_t vs_vdev_queue_addr(const struct vs_vdev *vdev, unsigned q, enum vs_vq_area area);
/*
 * Queue setup writes.  -EINVAL for a queue that does not exist; -EBUSY
 * (ignored) for size/address writes while the queue is ready.  The size
 * is checked when the queue is made ready: a size of 0, above num_max or
 * (split) not a power of 2, or areas outside guest RAM, then mark the
 * queue broken and set DEVICE_NEEDS_RESET.  Making a queue ready also fixes
 * its layout (packed when VIRTIO_F_RING_PACKED was negotiated).
 */
int vs_vdev_queue_set_num(struct vs_vdev *vdev, unsigned q, uint32_t num);
int vs_vdev_queue_set_addr(struct vs_vdev *vdev, unsigned q, enum vs_vq_area area, uint64_t gpa);
int vs_vdev_queue_set_ready(struct vs_vdev *vdev, unsigned q, int ready);
/* Reset one queue (spec 2.6.1, VIRTIO_F_RING_RESET): it completes at once.
 * The transport checks that the feature was negotiated.  -EINVAL for a
 * queue that does not exist. */
int vs_vdev_queue_reset(struct vs_vdev *vdev, unsigned q);

/*
 * Available buffer notification for queue q: schedule the model's queue
 * handler on the loop (once, however many kicks arrive before it runs).
 * The handler runs only while DRIVER_OK is set, the queue is ready and the
 * device does not need a reset.  -EINVAL for a queue that does not exist.
 */
int vs_vdev_kick(struct vs_vdev *vdev, unsigned q);
/* The same, with VIRTIO_F_NOTIFICATION_DATA's next_off and next_wrap
 * (spec 2.9), which the queue records (vs_vq notify_* fields). */
int vs_vdev_kick_data(struct vs_vdev *vdev, unsigned q, uint16_t next_off, unsigned next_wrap);

/* The queue itself, for device models and ring tests; NULL when q is out
 * of range. */
struct vs_vq *vs_vdev_queue(struct vs_vdev *vdev, unsigned q);

#endif /* VS_DEVICES_VDEV_H */
