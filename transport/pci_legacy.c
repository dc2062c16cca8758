/*
 * pci_legacy.c - the legacy interface of a transitional virtio PCI
 * function: the I/O BAR0 header of spec 4.1.4.10 followed by the device
 * config, at 20, or at 24 while MSI-X is enabled (the two vector
 * registers exist only then).
 *
 * The legacy queue has no negotiable size (QUEUE_NUM is read-only, the
 * maximum) and is placed by one register: the page frame number of the
 * descriptor table, with the available ring right after it and the used
 * ring at the next 4096-byte boundary (spec 2.7.2, 4.1.5.1.3.1).  Only
 * feature bits 0-31 exist here, and the device takes bits 32-63 as not
 * accepted.  The config is guest-endian, little-endian on this platform,
 * and takes any access width.
 */
#include <errno.h>

#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "transport/pci_internal.h"

#define LOG_SUBSYS "pci"

uint32_t vs__vpci_legacy_size(uint32_t config_size)
{
	uint32_t need = VIRTIO_PCI_LEGACY_HDR_SIZE + config_size, size = 32;

	while (size < need)
		size <<= 1;
	return size;
}

/* Width of the header register at off (the MSI-X layout), 0 for none. */
static unsigned legacy_width(uint64_t off, int msix)
{
	switch (off) {
	case VIRTIO_PCI_HOST_FEATURES:
	case VIRTIO_PCI_GUEST_FEATURES:
	case VIRTIO_PCI_QUEUE_PFN:
		return 4;
	case VIRTIO_PCI_QUEUE_NUM:
	case VIRTIO_PCI_QUEUE_SEL:
	case VIRTIO_PCI_QUEUE_NOTIFY:
		return 2;
	case VIRTIO_PCI_STATUS:
	case VIRTIO_PCI_ISR:
		return 1;
	case VIRTIO_MSI_CONFIG_VECTOR:
	case VIRTIO_MSI_QUEUE_VECTOR:
		return msix ? 2 : 0;
	default:
		return 0;
	}
}

/* QUEUE_PFN: place queue q from the page frame pfn, or stop it (0). */
static void legacy_set_pfn(struct vs_pci *pci, unsigned q, uint32_t pfn)
{
	struct vs_vdev *vdev = pci->vdev;
	uint32_t num = vs_vdev_queue_num_max(vdev, q);
	uint64_t desc = (uint64_t)pfn << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	uint64_t avail = desc + VS_DESC_SIZE(num);
	uint64_t used = (avail + VS_AVAIL_SIZE(num) + VIRTIO_PCI_VRING_ALIGN - 1) &
			~(uint64_t)(VIRTIO_PCI_VRING_ALIGN - 1);

	if (q >= pci->nq) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: legacy PFN 0x%x for queue %u, device has %u",
		       pci->slot, pfn, q, pci->nq);
		return;
	}
	/* a queue placed again starts over, as one placed the first time */
	if (vs_vdev_queue_ready(vdev, q) || !pfn)
		vs_vdev_queue_reset(vdev, q);
	if (!pfn)
		return;
	vs_vdev_queue_set_num(vdev, q, num);
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DESC, desc);
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DRIVER, avail);
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DEVICE, used);
	vs_vdev_queue_set_ready(vdev, q, 1);
}

static uint32_t legacy_reg_read(struct vs_pci *pci, uint64_t off)
{
	struct vs_vdev *vdev = pci->vdev;
	unsigned q = pci->qsel;

	switch (off) {
	case VIRTIO_PCI_HOST_FEATURES:
		return vs_vdev_device_features_word(vdev, 0);
	case VIRTIO_PCI_GUEST_FEATURES:
		return vs_vdev_driver_features_word(vdev, 0);
	case VIRTIO_PCI_QUEUE_PFN:
		if (!vs_vdev_queue_ready(vdev, q))
			return 0;
		return (uint32_t)(vs_vdev_queue_addr(vdev, q, VS_VQ_AREA_DESC) >>
				  VIRTIO_PCI_QUEUE_ADDR_SHIFT);
	case VIRTIO_PCI_QUEUE_NUM:
		return vs_vdev_queue_num_max(vdev, q);
	case VIRTIO_PCI_QUEUE_SEL:
		return pci->qsel;
	case VIRTIO_PCI_STATUS:
		return vs_vdev_status(vdev);
	case VIRTIO_PCI_ISR:
		return vs__vpci_isr_read(pci);
	case VIRTIO_MSI_CONFIG_VECTOR:
		return pci->config_vector;
	case VIRTIO_MSI_QUEUE_VECTOR:
		return q < pci->nq ? pci->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
	default: /* QUEUE_NOTIFY: write-only */
		return 0;
	}
}

static void legacy_reg_write(struct vs_pci *pci, uint64_t off, uint32_t val)
{
	struct vs_vdev *vdev = pci->vdev;
	unsigned q = pci->qsel;

	switch (off) {
	case VIRTIO_PCI_GUEST_FEATURES:
		/* spec 4.1.4.10: bits 32-63 are not acknowledged through the
		 * legacy interface */
		vs_vdev_set_driver_features_word(vdev, 0, val);
		vs_vdev_set_driver_features_word(vdev, 1, 0);
		break;
	case VIRTIO_PCI_QUEUE_PFN:
		legacy_set_pfn(pci, q, val);
		break;
	case VIRTIO_PCI_QUEUE_SEL:
		pci->qsel = (uint16_t)val;
		break;
	case VIRTIO_PCI_QUEUE_NOTIFY:
		vs_vdev_kick(vdev, val);
		break;
	case VIRTIO_PCI_STATUS:
		vs__vpci_set_status(pci, (uint8_t)val);
		break;
	case VIRTIO_MSI_CONFIG_VECTOR:
		pci->config_vector = vs__vpci_map_vector(pci, val, "config");
		break;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if (q < pci->nq)
			pci->queue_vector[q] = vs__vpci_map_vector(pci, val, "queue");
		break;
	default:
		/* HOST_FEATURES, QUEUE_NUM, ISR are read-only */
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: legacy write 0x%x to read-only +%llu ignored",
		       pci->slot, val, (unsigned long long)off);
		break;
	}
}

int vs__vpci_legacy_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val)
{
	int msix = vs__vpci_msix_on(pci);
	uint32_t hdr = VIRTIO_PCI_CONFIG_OFF(msix);

	*val = 0;
	if (off >= hdr) {
		*val = vs__vpci_config_read(pci, (uint32_t)(off - hdr), width);
		return 0;
	}
	if (legacy_width(off, msix) != width) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte legacy read at +%llu", pci->slot,
		       width, (unsigned long long)off);
		return 0;
	}
	*val = legacy_reg_read(pci, off);
	return 0;
}

int vs__vpci_legacy_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val)
{
	int msix = vs__vpci_msix_on(pci);
	uint32_t hdr = VIRTIO_PCI_CONFIG_OFF(msix);

	if (off >= hdr) {
		vs__vpci_config_write(pci, (uint32_t)(off - hdr), width, val);
		return 0;
	}
	if (legacy_width(off, msix) != width) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte legacy write at +%llu ignored",
		       pci->slot, width, (unsigned long long)off);
		return 0;
	}
	legacy_reg_write(pci, off, (uint32_t)val);
	return 0;
}
