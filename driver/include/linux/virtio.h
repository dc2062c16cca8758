/*
 * linux/virtio.h - the virtio bus: devices, drivers, virtqueues.
 *
 * A transport driver (virtio_mmio) embeds a struct virtio_device, fills in
 * its config ops and id, and calls register_virtio_device(); the bus
 * matches it against registered drivers' id tables and runs the spec 3.1.1
 * initialization around the driver's probe (driver/virtio.c).  A device
 * driver talks to its device only through the config ops and the
 * virtqueue API below (driver/virtio_ring.c).
 */
#ifndef VS_LINUX_VIRTIO_H
#define VS_LINUX_VIRTIO_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>

struct virtio_config_ops;

/*
 * struct virtqueue - the part of a queue a driver sees.
 * @list: on vdev->vqs
 * @callback: run from the interrupt path when buffers were used (may be NULL)
 * @name: for messages
 * @vdev: owner
 * @index: queue number on the device
 * @num_free: descriptors not in use (read-only for drivers)
 * @num_max: largest size the device allows
 * @priv: the transport's
 */
struct virtqueue {
	struct list_head list;
	void (*callback)(struct virtqueue *vq);
	const char *name;
	struct virtio_device *vdev;
	unsigned int index;
	unsigned int num_free;
	unsigned int num_max;
	bool reset;
	void *priv;
};

/*
 * Adding buffers: sg lists of guest RAM (kmalloc'd).  data is the token
 * virtqueue_get_buf gives back and must not be NULL.  Return 0, -ENOSPC
 * when the ring has too few free descriptors, -EIO when the queue is
 * broken, -EINVAL for an empty or oversized request.  Nothing reaches the
 * device before virtqueue_kick (or the forced kick every 2^16 - 1 adds).
 */
int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			 void *data, gfp_t gfp);
int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			void *data, gfp_t gfp);
int virtqueue_add_inbuf_ctx(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			    void *data, void *ctx, gfp_t gfp);
/* With a per-buffer context (queues created with ctx), returned by
 * virtqueue_get_buf_ctx. */
int virtqueue_add_outbuf_ctx(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			     void *data, void *ctx, gfp_t gfp);
int virtqueue_add_sgs_ctx(struct virtqueue *vq, struct scatterlist *sgs[], unsigned int out_sgs,
			  unsigned int in_sgs, void *data, void *ctx, gfp_t gfp);
int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs[], unsigned int out_sgs,
		      unsigned int in_sgs, void *data, gfp_t gfp);

/* kick = kick_prepare (does the device want a notification?) + notify. */
bool virtqueue_kick(struct virtqueue *vq);
bool virtqueue_kick_prepare(struct virtqueue *vq);
/* false when the queue is broken or the transport failed to notify. */
bool virtqueue_notify(struct virtqueue *vq);

/* The next used buffer's token and the bytes the device wrote (*len), or
 * NULL when none is used or the queue is broken.  A device that writes a
 * bad used entry breaks the queue instead of the driver. */
void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len);
void *virtqueue_get_buf_ctx(struct virtqueue *vq, unsigned int *len, void **ctx);

/*
 * Callback suppression (a hint to the device, not a guarantee): split
 * rings use avail flags, or used_event with VIRTIO_F_EVENT_IDX; packed
 * rings the driver event suppression structure.
 *  disable_cb: no callbacks wanted for now.
 *  enable_cb: wanted again; false when buffers are already pending (poll
 *	again).  = enable_cb_prepare + poll.
 *  enable_cb_prepare: wanted again; returns an opaque position for poll,
 *	which says whether buffers were used past it.
 *  enable_cb_delayed: wanted once about 3/4 of the outstanding buffers
 *	were used (with EVENT_IDX; otherwise as enable_cb); false as enable_cb.
 */
void virtqueue_disable_cb(struct virtqueue *vq);
bool virtqueue_enable_cb(struct virtqueue *vq);
unsigned int virtqueue_enable_cb_prepare(struct virtqueue *vq);
bool virtqueue_poll(struct virtqueue *vq, unsigned int last_used_idx);
bool virtqueue_enable_cb_delayed(struct virtqueue *vq);

/* After a device reset: the tokens of buffers still on the ring, one per
 * call, then NULL.  Only when the queue is not live (spec drv.init.device-cleanup.2). */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);

/*
 * Reset one queue and bring it back (VIRTIO_F_RING_RESET, spec 2.6.1):
 * the transport resets it on the device and waits for completion, every
 * buffer still on the ring goes to recycle (may be NULL), the ring starts
 * over empty and the transport enables it again with the same memory.
 * 0; -ENOENT when RING_RESET was not negotiated or the transport cannot
 * reset single queues; the transport's error (the queue is then left
 * disabled on the device).
 */
int virtqueue_reset(struct virtqueue *vq, void (*recycle)(struct virtqueue *vq, void *buf));

unsigned int virtqueue_get_vring_size(const struct virtqueue *vq);
bool virtqueue_is_broken(const struct virtqueue *vq);
dma_addr_t virtqueue_get_desc_addr(const struct virtqueue *vq);
dma_addr_t virtqueue_get_avail_addr(const struct virtqueue *vq);
dma_addr_t virtqueue_get_used_addr(const struct virtqueue *vq);

/*
 * struct virtio_device - a device on the virtio bus, embedded in the
 * transport's own struct.
 * @index: unique position on the bus (names it "virtio<index>")
 * @failed: FAILED was set before a freeze (restored with it)
 * @config_core_enabled: config-change callbacks may reach the driver
 * @config_driver_disabled: the driver asked not to get them for now
 * @config_change_pending: one arrived while disabled
 * @dev: the embedded struct device
 * @id: device and vendor id, from the transport
 * @config: the transport's config ops
 * @vqs: this device's virtqueues
 * @features: negotiated features (bit numbers as in the spec)
 * @priv: the device driver's
 */
struct virtio_device {
	int index;
	bool failed;
	bool config_core_enabled;
	bool config_driver_disabled;
	bool config_change_pending;
	spinlock_t config_lock;
	struct device dev;
	struct virtio_device_id id;
	const struct virtio_config_ops *config;
	struct list_head vqs;
	u64 features;
	void *priv;
	struct list_head bus_node; /* private: on the virtio bus */
};

#define dev_to_virtio(_dev) container_of(_dev, struct virtio_device, dev)

#define virtio_device_for_each_vq(vdev, vq) list_for_each_entry(vq, &(vdev)->vqs, list)

/*
 * Register a device: reset it, set ACKNOWLEDGE, match a driver and probe.
 * Returns 0 (also when no driver matches), or the error of the reset or of
 * the probe -- unlike Linux, a failed probe unregisters the device again,
 * with FAILED left set in its status, so the caller sees why.
 */
int register_virtio_device(struct virtio_device *dev);
/* Remove the driver (if bound), then the device.  Calls put_device. */
void unregister_virtio_device(struct virtio_device *dev);
/* Mark every vq broken (a device that needs a reset). */
void virtio_break_device(struct virtio_device *dev);
/* Transport: the device signalled a configuration change. */
void virtio_config_changed(struct virtio_device *dev);
/* Stop the driver (its freeze) / reset and re-initialize, then restart it
 * (its restore).  0 or negative errno. */
int virtio_device_freeze(struct virtio_device *dev);
int virtio_device_restore(struct virtio_device *dev);
/* The device on the bus whose parent is parent, or NULL. */
struct virtio_device *virtio_find_child(const struct device *parent);

struct virtio_driver {
	struct device_driver driver;
	const struct virtio_device_id *id_table;
	const unsigned int *feature_table;
	unsigned int feature_table_size;
	const unsigned int *feature_table_legacy;
	unsigned int feature_table_size_legacy;
	int (*validate)(struct virtio_device *dev);
	int (*probe)(struct virtio_device *dev);
	void (*scan)(struct virtio_device *dev);
	void (*remove)(struct virtio_device *dev);
	void (*config_changed)(struct virtio_device *dev);
	int (*freeze)(struct virtio_device *dev);
	int (*restore)(struct virtio_device *dev);
	struct list_head node; /* private: on the virtio bus */
};

#define drv_to_virtio(__drv) container_of(__drv, struct virtio_driver, driver)

/* Register a driver and probe it on matching unbound devices. */
int register_virtio_driver(struct virtio_driver *drv);
/* Remove it from every device it drives, then from the bus. */
void unregister_virtio_driver(struct virtio_driver *drv);

#define module_virtio_driver(drv) \
	module_driver(drv, register_virtio_driver, unregister_virtio_driver)

#endif /* VS_LINUX_VIRTIO_H */
