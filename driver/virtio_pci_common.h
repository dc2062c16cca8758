/*
 * virtio_pci_common.h - private to the virtio PCI transport driver
 * (virtio_pci_common.c, virtio_pci_modern.c, virtio_pci_legacy.c) and the
 * guest's harness side (guest.c, for the interrupt mode).
 *
 * One struct virtio_pci_device per PCI function driven.  The common part
 * owns interrupts (the MSI-X policy chain, INTx) and the list of queues to
 * dispatch to; the modern and legacy parts fill in config ops and three
 * hooks (setup_vq, del_vq, config_vector).
 */
#ifndef VS_DRIVER_VIRTIO_PCI_COMMON_H
#define VS_DRIVER_VIRTIO_PCI_COMMON_H

#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci_legacy.h>
#include <linux/virtio_pci_modern.h>

/* Which step of the interrupt policy chain find_vqs settled on. */
enum vp_irq_mode {
	VP_IRQ_NONE = 0,       /* queues not set up (or torn down) */
	VP_IRQ_MSIX_PER_VQ,    /* config vector + one vector per queue with a callback */
	VP_IRQ_MSIX_SHARED,    /* config vector + one vector shared by every queue */
	VP_IRQ_MSIX_SINGLE,    /* one vector for config and queues */
	VP_IRQ_INTX,           /* the INTx line, the ISR says which */
};

/* MSI-X table entries the chain uses first: config, then queues. */
#define VP_MSIX_CONFIG_VECTOR 0
#define VP_MSIX_VQ_VECTOR     1

struct virtio_pci_vq_info {
	struct virtqueue *vq;
	struct list_head node;    /* on virtqueues: dispatched by shared handlers */
	unsigned int msix_vector; /* VIRTIO_MSI_NO_VECTOR when none */
	bool irq_requested;       /* its own vector's handler (per-vq mode) */
};

/*
 * struct virtio_pci_device
 * @vdev: the virtio device (embedded: container_of gets us back)
 * @pci_dev: the function
 * @ldev/@mdev: the interface in use (is_legacy says which)
 * @isr: ISR status byte, read-to-clear (INTx mode)
 * @virtqueues: queues with a callback, for the shared handlers
 * @vqs: per queue index, the info of each queue set up
 * @nvqs: entries of vqs
 * @msix_enabled: MSI-X vectors are allocated (the legacy config offset
 *	moves with it)
 * @intx_enabled: the INTx handler is requested
 * @msix_vectors: vectors allocated
 * @msix_used_vectors: of those, requested by the config / shared handlers
 * @per_vq_vectors: each queue has its own vector
 * @irq_mode: the policy step the last find_vqs chose
 */
struct virtio_pci_device {
	struct virtio_device vdev;
	struct pci_dev *pci_dev;
	union {
		struct virtio_pci_legacy_device ldev;
		struct virtio_pci_modern_device mdev;
	};
	bool is_legacy;
	u8 __iomem *isr;
	spinlock_t lock;
	struct list_head virtqueues;
	struct virtio_pci_vq_info **vqs;
	unsigned int nvqs;
	int msix_enabled;
	int intx_enabled;
	unsigned int msix_vectors;
	unsigned int msix_used_vectors;
	bool per_vq_vectors;
	enum vp_irq_mode irq_mode;

	/* Program queue idx (ring created here) and map it to msix_vec,
	 * which may come back refused: ERR_PTR(-EBUSY). */
	struct virtqueue *(*setup_vq)(struct virtio_pci_device *vp_dev,
				      struct virtio_pci_vq_info *info, unsigned int idx,
				      void (*callback)(struct virtqueue *vq), const char *name,
				      bool ctx, u16 msix_vec);
	void (*del_vq)(struct virtio_pci_vq_info *info);
	/* Map config changes to vector; returns what the device read back. */
	u16 (*config_vector)(struct virtio_pci_device *vp_dev, u16 vector);
};

static inline struct virtio_pci_device *to_vp_device(struct virtio_device *vdev)
{
	return container_of(vdev, struct virtio_pci_device, vdev);
}

/* Set by the harness around pci_bus_add_device: try the legacy interface
 * first (Linux's force_legacy module parameter). */
extern bool virtio_pci_force_legacy;

/* ---- common (virtio_pci_common.c) ---- */
void vp_synchronize_vectors(struct virtio_device *vdev);
/* After writing status 0: poll until it reads 0 (spec drv.basic.device-reset.1,
 * drv.pci.pci-device-layout.common-configuration-structure-layout.5), then
 * flush pending callbacks.  -ETIMEDOUT after VP_RESET_POLLS reads. */
#define VP_RESET_POLLS 100u
int vp_wait_reset(struct virtio_device *vdev);
bool vp_notify(struct virtqueue *vq);
/* The policy chain: per-vq MSI-X, shared MSI-X, single MSI-X, INTx. */
int vp_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		struct virtqueue_info vqs_info[], struct irq_affinity *desc);
void vp_del_vqs(struct virtio_device *vdev);
const char *vp_bus_name(struct virtio_device *vdev);

/* "msix-per-vq" | "msix-shared" | "msix-single" | "intx", "none" before
 * find_vqs or for a function no virtio driver holds. */
const char *virtio_pci_irq_mode(struct pci_dev *pci_dev);

/* ---- the two interfaces ---- */
int virtio_pci_modern_probe(struct virtio_pci_device *vp_dev);
void virtio_pci_modern_remove(struct virtio_pci_device *vp_dev);
int virtio_pci_legacy_probe(struct virtio_pci_device *vp_dev);
void virtio_pci_legacy_remove(struct virtio_pci_device *vp_dev);

#endif /* VS_DRIVER_VIRTIO_PCI_COMMON_H */
