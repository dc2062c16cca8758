/*
 * pci_common.c - the modern BAR of the virtio PCI function: the common
 * configuration structure (spec 4.1.4.3), the ISR status byte (4.1.4.5),
 * the device-specific configuration (4.1.4.6) and the notification area
 * (4.1.4.4), at the offsets pci_internal.h names.
 *
 * Common-config fields take an access of their own width only (64-bit
 * fields as two 32-bit halves, spec 4.1.3.1); anything else reads 0 and
 * writes nothing.  A kick is one 16-bit (or, with
 * VIRTIO_F_NOTIFICATION_DATA, 32-bit) write to the queue's notify
 * address, which only schedules device work.
 */
#include <errno.h>

#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "transport/pci_internal.h"

#define LOG_SUBSYS "pci"

/* Width of the common-config field at off, 0 when off starts none. */
static unsigned common_width(uint64_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		return 4;
	case VIRTIO_PCI_COMMON_STATUS:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
	case VIRTIO_PCI_COMMON_Q_RESET:
	case VIRTIO_PCI_COMMON_ADM_Q_IDX:
	case VIRTIO_PCI_COMMON_ADM_Q_NUM:
		return 2;
	default:
		return 0;
	}
}

static enum vs_vq_area addr_area(uint64_t off)
{
	if (off < VIRTIO_PCI_COMMON_Q_AVAILLO)
		return VS_VQ_AREA_DESC;
	if (off < VIRTIO_PCI_COMMON_Q_USEDLO)
		return VS_VQ_AREA_DRIVER;
	return VS_VQ_AREA_DEVICE;
}

static uint32_t common_read(struct vs_pci *pci, uint64_t off)
{
	struct vs_vdev *vdev = pci->vdev;
	unsigned q = pci->qsel;
	int exists = q < pci->nq;
	uint64_t a;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return pci->dfsel;
	case VIRTIO_PCI_COMMON_DF:
		/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.3 */
		return vs_vdev_device_features_word(vdev, pci->dfsel);
	case VIRTIO_PCI_COMMON_GFSELECT:
		return pci->gfsel;
	case VIRTIO_PCI_COMMON_GF:
		/* spec ...common-configuration-structure-layout.4 (and .5: the
		 * bits are presented as written) */
		return vs_vdev_driver_features_word(vdev, pci->gfsel);
	case VIRTIO_PCI_COMMON_MSIX:
		return pci->config_vector;
	case VIRTIO_PCI_COMMON_NUMQ:
		return pci->nq;
	case VIRTIO_PCI_COMMON_STATUS:
		return vs_vdev_status(vdev);
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return vs_vdev_config_generation(vdev) & 0xffu;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return pci->qsel;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		/* spec ...common-configuration-structure-layout.14: 0 for a queue
		 * that does not exist; the maximum after reset */
		return exists ? vs_vdev_queue_num(vdev, q) : 0;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return exists ? pci->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return (uint32_t)vs_vdev_queue_ready(vdev, q);
	case VIRTIO_PCI_COMMON_Q_NOFF:
	case VIRTIO_PCI_COMMON_Q_NDATA:
		/* notify address and notification value are both the index */
		return exists ? q : 0;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		a = vs_vdev_queue_addr(vdev, q, addr_area(off));
		return (off & 4) ? (uint32_t)(a >> 32) : (uint32_t)a;
	case VIRTIO_PCI_COMMON_Q_RESET:
		/* resets complete at once (spec ...layout.12, .13) */
		return 0;
	case VIRTIO_PCI_COMMON_ADM_Q_IDX:
		return pci->nq;
	default: /* VIRTIO_PCI_COMMON_ADM_Q_NUM: no admin queues */
		return 0;
	}
}

/* May the queue use size num?  Only sizes its ring layout allows. */
static int size_ok(struct vs_pci *pci, unsigned q, uint32_t num)
{
	if (num == 0 || num > vs_vdev_queue_num_max(pci->vdev, q))
		return 0;
	return vs_vdev_has_feature(pci->vdev, VIRTIO_F_RING_PACKED) || !(num & (num - 1));
}

static void common_write(struct vs_pci *pci, uint64_t off, uint32_t val)
{
	struct vs_vdev *vdev = pci->vdev;
	unsigned q = pci->qsel;
	int exists = q < pci->nq;
	uint64_t a;

	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		pci->dfsel = val;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		pci->gfsel = val;
		return;
	case VIRTIO_PCI_COMMON_GF:
		vs_vdev_set_driver_features_word(vdev, pci->gfsel, val);
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		pci->config_vector = vs__vpci_map_vector(pci, val, "config");
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		vs__vpci_set_status(pci, (uint8_t)val);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		pci->qsel = (uint16_t)val;
		return;
	default:
		break;
	}
	if (!exists) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: write 0x%x at common+%llu for queue %u, device has %u",
		       pci->slot, val, (unsigned long long)off, q, pci->nq);
		return;
	}
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (size_ok(pci, q, val))
			vs_vdev_queue_set_num(vdev, q, val);
		else
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: queue %u size %u refused (max %u)",
			       pci->slot, q, val, vs_vdev_queue_num_max(vdev, q));
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		pci->queue_vector[q] = vs__vpci_map_vector(pci, val, "queue");
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* 1 enables; the driver must never write 0 (spec
		 * drv.pci.pci-device-layout.common-configuration-structure-layout.6) */
		if (val == 1)
			vs_vdev_queue_set_ready(vdev, q, 1);
		else
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: queue_enable %u for queue %u ignored",
			       pci->slot, val, q);
		return;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		/* spec dev.pci.pci-device-layout.1: the halves independently */
		a = vs_vdev_queue_addr(vdev, q, addr_area(off));
		if (off & 4)
			a = (a & 0xffffffffull) | ((uint64_t)val << 32);
		else
			a = (a & ~0xffffffffull) | val;
		vs_vdev_queue_set_addr(vdev, q, addr_area(off), a);
		return;
	case VIRTIO_PCI_COMMON_Q_RESET:
		/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.11 */
		if (val == 1 && vs_vdev_has_feature(vdev, VIRTIO_F_RING_RESET)) {
			vs_vdev_queue_reset(vdev, q);
			pci->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
		}
		return;
	default:
		/* read-only fields: the write has no effect */
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: write 0x%x to read-only common+%llu ignored",
		       pci->slot, val, (unsigned long long)off);
		return;
	}
}

/* A write to the notify area: the queue is the one whose notify address
 * this is (queue_notify_off = index). */
static void notify_write(struct vs_pci *pci, uint64_t off, unsigned width, uint32_t val)
{
	unsigned q = (unsigned)(off / VS__PCI_NOTIFY_MULT);

	if (off % VS__PCI_NOTIFY_MULT || (width != 2 && width != 4)) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte notify write at +%llu ignored",
		       pci->slot, width, (unsigned long long)off);
		return;
	}
	if (vs_vdev_has_feature(pci->vdev, VIRTIO_F_NOTIFICATION_DATA)) {
		if (VS_NOTIFY_DATA_VQ(val) != q)
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: notification 0x%x at queue %u's address",
			       pci->slot, val, q);
		vs_vdev_kick_data(pci->vdev, q, VS_NOTIFY_DATA_OFF(val), VS_NOTIFY_DATA_WRAP(val));
		return;
	}
	if ((val & 0xffffu) != q)
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: notification 0x%x at queue %u's address",
		       pci->slot, val, q);
	vs_vdev_kick(pci->vdev, q);
}

int vs__vpci_modern_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val)
{
	*val = 0;
	if (off < VIRTIO_PCI_COMMON_SIZE) {
		if (common_width(off) == width)
			*val = common_read(pci, off);
		else
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte read at common+%llu",
			       pci->slot, width, (unsigned long long)off);
	} else if (off == VS__PCI_ISR_OFF) {
		*val = vs__vpci_isr_read(pci);
	} else if (off >= VS__PCI_DEVICE_OFF && off < VS__PCI_NOTIFY_OFF) {
		*val = vs__vpci_config_read(pci, (uint32_t)(off - VS__PCI_DEVICE_OFF), width);
	}
	return 0;
}

int vs__vpci_modern_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val)
{
	if (off < VIRTIO_PCI_COMMON_SIZE) {
		if (common_width(off) == width)
			common_write(pci, off, (uint32_t)val);
		else
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte write at common+%llu ignored",
			       pci->slot, width, (unsigned long long)off);
	} else if (off >= VS__PCI_DEVICE_OFF && off < VS__PCI_NOTIFY_OFF) {
		vs__vpci_config_write(pci, (uint32_t)(off - VS__PCI_DEVICE_OFF), width, val);
	} else if (off >= VS__PCI_NOTIFY_OFF) {
		notify_write(pci, off - VS__PCI_NOTIFY_OFF, width, (uint32_t)val);
	}
	return 0;
}
