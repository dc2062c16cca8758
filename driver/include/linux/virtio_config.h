/*
 * linux/virtio_config.h - what a transport provides (struct
 * virtio_config_ops) and the helpers drivers use on top of it: status,
 * features, finding queues, reading the device configuration space.
 */
#ifndef VS_LINUX_VIRTIO_CONFIG_H
#define VS_LINUX_VIRTIO_CONFIG_H

#include <errno.h>

#include <linux/bug.h>
#include <linux/virtio.h>

#include "core/virtio_abi.h"

struct irq_affinity;

/* One queue a driver asks for: a NULL name leaves that slot unused. */
struct virtqueue_info {
	const char *name;
	void (*callback)(struct virtqueue *vq);
	bool ctx;
};

/*
 * struct virtio_config_ops - filled in by a transport.
 * @get/@set: device config space, len 1, 2, 4 or 8 bytes at offset
 *	(buffers hold the little-endian bytes)
 * @generation: config generation count (0 when the transport has none)
 * @get_status/@set_status: device status; set_status never gets 0
 * @reset: write 0 and wait until status reads 0; 0 or -ETIMEDOUT.
 *	(Linux's returns void; the harness needs to see a reset that never
 *	completes.)
 * @find_vqs: set up nvqs queues; on error none is left
 * @del_vqs: tear all of them down
 * @get_features: the device's feature bits
 * @finalize_features: hand vdev->features to the device (the transport
 *	first drops the transport bits the ring cannot do)
 * @bus_name: for messages
 * @disable_vq_and_reset: VIRTIO_F_RING_RESET: reset one queue on the
 *	device and wait until that completed; 0 or -errno (may be NULL)
 * @enable_vq_after_reset: program the queue again (same ring memory) and
 *	enable it; 0 or -errno (may be NULL)
 */
struct virtio_config_ops {
	void (*get)(struct virtio_device *vdev, unsigned int offset, void *buf, unsigned int len);
	void (*set)(struct virtio_device *vdev, unsigned int offset, const void *buf,
		    unsigned int len);
	u32 (*generation)(struct virtio_device *vdev);
	u8 (*get_status)(struct virtio_device *vdev);
	void (*set_status)(struct virtio_device *vdev, u8 status);
	int (*reset)(struct virtio_device *vdev);
	int (*find_vqs)(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
			struct virtqueue_info vqs_info[], struct irq_affinity *desc);
	void (*del_vqs)(struct virtio_device *vdev);
	void (*synchronize_cbs)(struct virtio_device *vdev);
	u64 (*get_features)(struct virtio_device *vdev);
	int (*finalize_features)(struct virtio_device *vdev);
	const char *(*bus_name)(struct virtio_device *vdev);
	int (*disable_vq_and_reset)(struct virtqueue *vq);
	int (*enable_vq_after_reset)(struct virtqueue *vq);
};

/* ---- feature bits (numbers, as the spec gives them) ---- */
static inline bool __virtio_test_bit(const struct virtio_device *vdev, unsigned int fbit)
{
	return fbit < 64 && (vdev->features & BIT_ULL(fbit));
}

static inline void __virtio_set_bit(struct virtio_device *vdev, unsigned int fbit)
{
	if (!WARN_ON(fbit >= 64))
		vdev->features |= BIT_ULL(fbit);
}

static inline void __virtio_clear_bit(struct virtio_device *vdev, unsigned int fbit)
{
	if (!WARN_ON(fbit >= 64))
		vdev->features &= ~BIT_ULL(fbit);
}

/* Negotiated?  A device-specific bit must be in the driver's table (a
 * driver asking about a feature it never offered is a driver bug: WARN). */
bool virtio_has_feature(const struct virtio_device *vdev, unsigned int fbit);

/* ---- status ---- */
void virtio_add_status(struct virtio_device *dev, unsigned int status);
/* DRIVER_OK: the device is live; call before using queues in probe. */
void virtio_device_ready(struct virtio_device *dev);
/* 0, or -ETIMEDOUT when the device never read back status 0. */
int virtio_reset_device(struct virtio_device *dev);

static inline const char *virtio_bus_name(struct virtio_device *vdev)
{
	return vdev->config->bus_name ? vdev->config->bus_name(vdev) : "virtio";
}

/* ---- queues ---- */
static inline int virtio_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
				  struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
				  struct irq_affinity *desc)
{
	return vdev->config->find_vqs(vdev, nvqs, vqs, vqs_info, desc);
}

static inline struct virtqueue *virtio_find_single_vq(struct virtio_device *vdev,
						      void (*cb)(struct virtqueue *vq),
						      const char *name)
{
	struct virtqueue_info vqs_info[] = { { name, cb, false } };
	struct virtqueue *vq;
	int err = virtio_find_vqs(vdev, 1, &vq, vqs_info, NULL);

	if (err < 0)
		return ERR_PTR(err);
	return vq;
}

/* ---- device configuration space ---- */
/*
 * Read count fields of `bytes` each, starting at offset, inside one
 * configuration generation (spec drv.basic.device-configuration-space.1):
 * retried while the generation changes, at most VIRTIO_CREAD_MAX_TRIES
 * times (a device bumping it forever cannot hang the guest: then warned
 * and the last read kept).  buf receives the little-endian bytes.
 */
#define VIRTIO_CREAD_MAX_TRIES 64
void __virtio_cread_many(struct virtio_device *vdev, unsigned int offset, void *buf,
			 size_t count, size_t bytes);
/* One field of size 1, 2, 4 or 8 into *dst as a host integer, in one generation. */
void __virtio_cread_field(struct virtio_device *vdev, unsigned int offset, void *dst,
			  size_t size);

static inline void virtio_cread_bytes(struct virtio_device *vdev, unsigned int offset,
				      void *buf, size_t len)
{
	__virtio_cread_many(vdev, offset, buf, len, 1);
}

/* Fields up to 32 bits are read atomically; 64-bit ones use the generation loop. */
static inline u8 virtio_cread8(struct virtio_device *vdev, unsigned int offset)
{
	u8 b[1];

	vdev->config->get(vdev, offset, b, 1);
	return b[0];
}

static inline u16 virtio_cread16(struct virtio_device *vdev, unsigned int offset)
{
	u8 b[2];

	vdev->config->get(vdev, offset, b, 2);
	return vs_le16(b);
}

static inline u32 virtio_cread32(struct virtio_device *vdev, unsigned int offset)
{
	u8 b[4];

	vdev->config->get(vdev, offset, b, 4);
	return vs_le32(b);
}

static inline u64 virtio_cread64(struct virtio_device *vdev, unsigned int offset)
{
	u8 b[8];

	__virtio_cread_many(vdev, offset, b, 1, 8);
	return vs_le64(b);
}

static inline void virtio_cwrite8(struct virtio_device *vdev, unsigned int offset, u8 val)
{
	vdev->config->set(vdev, offset, &val, 1);
}

static inline void virtio_cwrite16(struct virtio_device *vdev, unsigned int offset, u16 val)
{
	u8 b[2];

	vs_put_le16(b, val);
	vdev->config->set(vdev, offset, b, 2);
}

static inline void virtio_cwrite32(struct virtio_device *vdev, unsigned int offset, u32 val)
{
	u8 b[4];

	vs_put_le32(b, val);
	vdev->config->set(vdev, offset, b, 4);
}

static inline void virtio_cwrite64(struct virtio_device *vdev, unsigned int offset, u64 val)
{
	u8 b[8];

	vs_put_le64(b, val);
	vdev->config->set(vdev, offset, b, 8);
}

/* virtio_cread(vdev, struct virtio_foo_config, member, &val) */
#define virtio_cread(vdev, structname, member, ptr) \
	__virtio_cread_field(vdev, offsetof(structname, member), ptr, sizeof(*(ptr)))

/* As virtio_cread when fbit was negotiated; -ENOENT (nothing read) otherwise
 * (spec drv.basic.device-configuration-space.2). */
#define virtio_cread_feature(vdev, fbit, structname, member, ptr)              \
	({                                                                     \
		int __r = 0;                                                   \
		if (!virtio_has_feature(vdev, fbit))                           \
			__r = -ENOENT;                                         \
		else                                                           \
			virtio_cread(vdev, structname, member, ptr);           \
		__r;                                                           \
	})

#endif /* VS_LINUX_VIRTIO_CONFIG_H */
