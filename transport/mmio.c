/*
 * mmio.c - the virtio-mmio register bank, version 2 (spec 4.2.2) or
 * legacy version 1 (4.2.4), bound to one vdev.  Each bus access to the bank lands here; the bank decodes the
 * register, keeps the selector registers and InterruptStatus, and passes
 * everything else to the vdev core.  It never runs device work itself:
 * QueueNotify only schedules it (vs_vdev_kick).
 *
 * Accesses come a few dozen per probe and one per kick or interrupt, so
 * the decode is a plain switch.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/bus.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "transport/mmio.h"

#define LOG_SUBSYS "mmio"

struct vs_mmio {
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_vdev *vdev;
	uint64_t base;             /* bus address of the bank */
	unsigned line;             /* interrupt line raised on notifications */
	unsigned version;          /* Version register value */
	uint32_t dev_features_sel; /* DeviceFeaturesSel */
	uint32_t drv_features_sel; /* DriverFeaturesSel */
	uint32_t queue_sel;        /* QueueSel */
	uint32_t shm_sel;          /* SHMSel: no region exists, kept for symmetry */
	uint32_t int_status;       /* InterruptStatus: VIRTIO_MMIO_INT_* */
	/* version 1 only */
	uint32_t guest_page_size;  /* GuestPageSize: the QueuePFN unit */
	uint32_t *queue_align;     /* [nq] QueueAlign: used ring alignment */
	unsigned nq;
};

/* Until the driver writes them: the page size and alignment every legacy
 * driver uses. */
#define MMIO_LEGACY_PAGE 4096u

/* Registers of version 2 that version 1 does not have (4.2.4). */
static int mmio_v2_only(uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
	case VIRTIO_MMIO_SHM_SEL:
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
	case VIRTIO_MMIO_QUEUE_RESET:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 1;
	default:
		return 0;
	}
}

/*
 * QueuePFN (version 1): place the selected queue in the legacy layout of
 * spec 2.7.2 - descriptors at pfn x GuestPageSize, the available ring
 * right after them, the used ring at the next QueueAlign boundary - or
 * stop it (0).  The size is what QueueNum last said.
 */
static void mmio_set_pfn(struct vs_mmio *m, uint32_t pfn)
{
	struct vs_vdev *vdev = m->vdev;
	unsigned q = m->queue_sel;
	uint32_t num = vs_vdev_queue_num(vdev, q);
	uint64_t align, desc, avail, used;

	if (q >= m->nq) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "bank 0x%llx: QueuePFN 0x%x for queue %u, device has %u",
		       (unsigned long long)m->base, pfn, q, m->nq);
		return;
	}
	/* a queue placed again starts over, as one placed the first time */
	if (vs_vdev_queue_ready(vdev, q) || !pfn)
		vs_vdev_queue_reset(vdev, q);
	if (!pfn)
		return;
	vs_vdev_queue_set_num(vdev, q, num);
	align = m->queue_align[q] ? m->queue_align[q] : 1;
	desc = (uint64_t)pfn * m->guest_page_size;
	avail = desc + VS_DESC_SIZE(num);
	used = (avail + VS_AVAIL_SIZE(num) + align - 1) / align * align;
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DESC, desc);
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DRIVER, avail);
	vs_vdev_queue_set_addr(vdev, q, VS_VQ_AREA_DEVICE, used);
	vs_vdev_queue_set_ready(vdev, q, 1);
}

/* The vdev asks for a notification: present the event and raise the line. */
static void mmio_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned qidx)
{
	struct vs_mmio *m = opaque;
	int err;

	/* spec dev.mmio.mmio-device-register-layout.3: the bit stays set
	 * from the event until the driver acknowledges it. */
	m->int_status |= kind == VS_VDEV_IRQ_CONFIG ? VIRTIO_MMIO_INT_CONFIG : VIRTIO_MMIO_INT_VRING;
	/* One raise per event, even with the bit already set: the line is an
	 * edge here, and a driver that has not acked yet still gets told. */
	err = vs_irq_raise(m->irq, m->line);
	if (err)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "bank 0x%llx: raising line %u failed (%d), vq %u",
		       (unsigned long long)m->base, m->line, err, qidx);
}

static const struct vs_vdev_transport_ops mmio_transport_ops = {
	.interrupt = mmio_interrupt,
};

static uint32_t mmio_reg_read(struct vs_mmio *m, uint64_t off)
{
	struct vs_vdev *vdev = m->vdev;

	if (m->version == 1 && mmio_v2_only(off))
		return 0;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		/* spec dev.mmio.mmio-device-register-layout.1 */
		return VS_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		/* spec dev.mmio.mmio-device-register-layout.2 */
		return m->version;
	case VIRTIO_MMIO_DEVICE_ID:
		return vs_vdev_device_id(vdev);
	case VIRTIO_MMIO_VENDOR_ID:
		return VS_VIRTIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return vs_vdev_device_features_word(vdev, m->dev_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vs_vdev_queue_num_max(vdev, m->queue_sel);
	case VIRTIO_MMIO_QUEUE_READY:
		return (uint32_t)vs_vdev_queue_ready(vdev, m->queue_sel);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return m->int_status;
	case VIRTIO_MMIO_STATUS:
		return vs_vdev_status(vdev);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* Spec 4.2.2: a region that does not exist has length and base -1. */
		return 0xffffffffu;
	case VIRTIO_MMIO_QUEUE_RESET:
		/* Queue resets complete at once (spec dev.mmio.mmio-device-register-layout.12). */
		return 0;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vs_vdev_config_generation(vdev);
	case VIRTIO_MMIO_QUEUE_PFN:
		/* 4.2.4: the page number in use, 0 for a queue not in use */
		if (m->version != 1 || !m->guest_page_size || !vs_vdev_queue_ready(vdev, m->queue_sel))
			return 0;
		return (uint32_t)(vs_vdev_queue_addr(vdev, m->queue_sel, VS_VQ_AREA_DESC) /
				  m->guest_page_size);
	default:
		/* Write-only registers and holes read 0; the monitor judges the read. */
		return 0;
	}
}

/* Replace the low or high half of a queue area address. */
static void mmio_set_addr_half(struct vs_mmio *m, enum vs_vq_area area, int high, uint32_t val)
{
	uint64_t gpa = vs_vdev_queue_addr(m->vdev, m->queue_sel, area);

	if (high)
		gpa = (gpa & 0xffffffffull) | ((uint64_t)val << 32);
	else
		gpa = (gpa & ~0xffffffffull) | val;
	vs_vdev_queue_set_addr(m->vdev, m->queue_sel, area, gpa);
}

static void mmio_reg_write(struct vs_mmio *m, uint64_t off, uint32_t val)
{
	struct vs_vdev *vdev = m->vdev;

	if (m->version == 1 && mmio_v2_only(off))
		return;
	if (m->version == 1) {
		switch (off) {
		case VIRTIO_MMIO_GUEST_PAGE_SIZE:
			m->guest_page_size = val;
			return;
		case VIRTIO_MMIO_QUEUE_ALIGN:
			if (m->queue_sel < m->nq)
				m->queue_align[m->queue_sel] = val;
			return;
		case VIRTIO_MMIO_QUEUE_PFN:
			mmio_set_pfn(m, val);
			return;
		default:
			break;
		}
	}
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		vs_vdev_set_driver_features_word(vdev, m->drv_features_sel, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		vs_vdev_queue_set_num(vdev, m->queue_sel, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		vs_vdev_queue_set_ready(vdev, m->queue_sel, val != 0);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Spec 4.2.3.3: the queue index, or with NOTIFICATION_DATA the
		 * index in bits 0-15, next_off in 16-30 and next_wrap in 31. */
		if (vs_vdev_has_feature(vdev, VIRTIO_F_NOTIFICATION_DATA))
			vs_vdev_kick_data(vdev, VS_NOTIFY_DATA_VQ(val), VS_NOTIFY_DATA_OFF(val),
					  VS_NOTIFY_DATA_WRAP(val));
		else
			vs_vdev_kick(vdev, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		m->int_status &= ~val;
		break;
	case VIRTIO_MMIO_STATUS:
		if (val == 0) {
			vs_vdev_reset(vdev);
			/* spec dev.mmio.mmio-device-register-layout.5 */
			m->int_status = 0;
		} else if (val & 0xffu) {
			vs_vdev_set_status(vdev, (uint8_t)val);
		} else {
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "bank 0x%llx: status 0x%08x has no status bit",
			       (unsigned long long)m->base, val);
		}
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		mmio_set_addr_half(m, VS_VQ_AREA_DESC, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		mmio_set_addr_half(m, VS_VQ_AREA_DRIVER, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		mmio_set_addr_half(m, VS_VQ_AREA_DEVICE, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		m->shm_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_RESET:
		/* spec dev.mmio.mmio-device-register-layout.10, only with RING_RESET. */
		if (val == 1 && vs_vdev_has_feature(vdev, VIRTIO_F_RING_RESET))
			vs_vdev_queue_reset(vdev, m->queue_sel);
		break;
	default:
		/* Read-only registers and holes: the write has no effect. */
		break;
	}
}

/* The device-specific config window: 1, 2, 4 or 8 bytes, little-endian. */
static int mmio_config_read(struct vs_mmio *m, uint32_t coff, unsigned width, uint64_t *val)
{
	uint8_t b[8];

	if (vs_vdev_config_read(m->vdev, coff, b, width)) {
		/* Past the device's config: nothing there. */
		*val = 0;
		return 0;
	}
	switch (width) {
	case 1:
		*val = b[0];
		break;
	case 2:
		*val = vs_le16(b);
		break;
	case 4:
		*val = vs_le32(b);
		break;
	default:
		*val = vs_le64(b);
		break;
	}
	return 0;
}

static int mmio_config_write(struct vs_mmio *m, uint32_t coff, unsigned width, uint64_t val)
{
	uint8_t b[8];

	vs_put_le64(b, val);
	/* Out of range: ignored, like any write to nothing. */
	vs_vdev_config_write(m->vdev, coff, b, width);
	return 0;
}

static int mmio_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	struct vs_mmio *m = opaque;

	if (off >= VIRTIO_MMIO_CONFIG)
		return mmio_config_read(m, (uint32_t)(off - VIRTIO_MMIO_CONFIG), width, val);
	/* spec drv.mmio.mmio-device-register-layout.2: 32-bit aligned only. */
	if (width != 4 || off % 4)
		return -EINVAL;
	*val = mmio_reg_read(m, off);
	return 0;
}

static int mmio_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	struct vs_mmio *m = opaque;

	if (off >= VIRTIO_MMIO_CONFIG)
		return mmio_config_write(m, (uint32_t)(off - VIRTIO_MMIO_CONFIG), width, val);
	if (width != 4 || off % 4)
		return -EINVAL;
	mmio_reg_write(m, off, (uint32_t)val);
	return 0;
}

static const struct vs_bus_region_ops mmio_bus_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

int vs_mmio_create(struct vs_bus *bus, struct vs_irq *irq, struct vs_vdev *vdev, uint64_t base,
		   unsigned irq_line, unsigned version, struct vs_mmio **out)
{
	struct vs_mmio *m;
	int err;

	if (!bus || !irq || !vdev || !out)
		return -EINVAL;
	if (version != 1 && version != 2)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->nq = vs_vdev_num_queues(vdev);
	m->guest_page_size = MMIO_LEGACY_PAGE;
	m->queue_align = malloc((m->nq ? m->nq : 1) * sizeof(*m->queue_align));
	if (!m->queue_align) {
		free(m);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < m->nq; i++)
		m->queue_align[i] = MMIO_LEGACY_PAGE;
	m->bus = bus;
	m->irq = irq;
	m->vdev = vdev;
	m->base = base;
	m->line = irq_line;
	m->version = version;
	/* spec 4.2.4: version 1 is the legacy interface, where VERSION_1
	 * is not required */
	err = vs_vdev_bind(vdev, &mmio_transport_ops, m, version == 1 ? VS_VDEV_BIND_LEGACY : 0);
	if (err)
		goto out_free;
	err = vs_bus_map(bus, base, VS_MMIO_BANK_SIZE, "virtio-mmio", &mmio_bus_ops, m);
	if (err)
		goto out_unbind;
	*out = m;
	return 0;

out_unbind:
	vs_vdev_unbind(vdev);
out_free:
	free(m->queue_align);
	free(m);
	return err;
}

void vs_mmio_destroy(struct vs_mmio *m)
{
	if (!m)
		return;
	vs_bus_unmap(m->bus, m->base);
	vs_vdev_unbind(m->vdev);
	free(m->queue_align);
	free(m);
}

uint64_t vs_mmio_base(const struct vs_mmio *m)
{
	return m->base;
}

unsigned vs_mmio_irq_line(const struct vs_mmio *m)
{
	return m->line;
}

struct vs_vdev *vs_mmio_vdev(const struct vs_mmio *m)
{
	return m->vdev;
}

uint32_t vs_mmio_interrupt_status(const struct vs_mmio *m)
{
	return m->int_status;
}
