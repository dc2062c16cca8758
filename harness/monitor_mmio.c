/*
 * monitor_mmio.c - the virtio-mmio transport decoder, version 2 and the
 * legacy version 1 (4.2.4: GuestPageSize, QueueAlign and QueuePFN place a
 * queue in the legacy layout of 2.7.2 instead of QueueReady and the
 * address registers).
 *
 * Turns register accesses to a watched bank into the monitor's abstract
 * events: status, device features read with their select, driver features
 * written with their select, queue layout and ready, kick, interrupt
 * status and ack, config and generation.  It keeps only the transport's
 * own state (selectors, the preamble reads, the selected queue); what the
 * events mean is judged by the generic rules, so a PCI decoder can feed
 * the same events later.  Register-level rules (table, widths,
 * directions) are in rules/mmio.c.
 *
 * Runs on every driver access to a watched bank.
 */
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

static void set_half(uint64_t *addr, int high, uint32_t val)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*addr = (*addr & ~0xffffffffull) | val;
}

/* QueueSize and the ring address registers: not while QueueReady is set. */
static struct vs__queue *queue_layout_write(struct vs_monitor *mon, struct vs__dev *dev,
					    uint64_t off, uint32_t val, unsigned reconf)
{
	struct vs__queue *q = vs__queue_get(dev, dev->mmio.qsel, 1);

	if (!q)
		return NULL;
	q->reconf |= reconf;
	/* spec drv.mmio.mmio-device-register-layout.10 (version 2) */
	if (q->ready && dev->version != 1)
		vs__violate(mon, dev, (int)q->index, VS_R_MMIO_QUEUE_READY_ACCESS,
			    "write of 0x%x to %s of queue %u while QueueReady is set", val,
			    vs__mmio_reg_name(off), q->index);
	return q;
}

/* QueueReady=1 after a queue reset (2.6.1.2). */
static void queue_reenable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	/* spec drv.mmio.mmio-device-register-layout.14 */
	if (q->vq_reset_req)
		vs__violate(mon, dev, (int)q->index, VS_R_MMIO_QUEUE_RESET_READBACK,
			    "queue %u enabled again before QueueReset read back 0", q->index);
	/* spec drv.basic.virtqueues.virtqueue-reset.virtqueue-re-enable.1:
	 * configure as at first discovery: size and the three areas */
	if ((q->reconf & VS__RECONF_ALL) != VS__RECONF_ALL)
		vs__violate(mon, dev, (int)q->index, VS_R_VQRESET_RECONFIGURE,
			    "queue %u enabled again after its reset without writing%s%s%s%s", q->index,
			    (q->reconf & VS__RECONF_NUM) ? "" : " QueueSize",
			    (q->reconf & VS__RECONF_DESC) ? "" : " QueueDesc",
			    (q->reconf & VS__RECONF_AVAIL) ? "" : " QueueDriver",
			    (q->reconf & VS__RECONF_USED) ? "" : " QueueDevice");
	q->vq_reset_req = 0;
	q->vq_reset_done = 0;
}

static int pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Version 1: QueuePFN places the selected queue (4.2.4), or stops it. */
static void legacy_pfn_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val)
{
	struct vs__queue *q = vs__queue_get(dev, dev->mmio.qsel, 1);
	uint64_t page, align;

	if (!q)
		return;
	if (q->ready)
		vs__queue_disable(mon, dev, q, VS_R_MMIO_QUEUE_NOT_READY_ACCESS);
	q->ready = 0;
	if (!val)
		return;
	/* 4.2.4: the driver writes GuestPageSize before the queues are
	 * configured; without it the device cannot find the ring */
	if (!dev->legacy_page_size_set)
		vs__violate(mon, dev, (int)q->index, VS_R_MMIO_LEGACY_PAGE_SIZE,
			    "QueuePFN 0x%x written for queue %u before GuestPageSize", val, q->index);
	page = dev->legacy_page_size_set ? dev->legacy_page_size : 4096;
	align = q->legacy_align_set && q->legacy_align ? q->legacy_align : 4096;
	q->desc = (uint64_t)val * page;
	q->avail = q->desc + VS_DESC_SIZE(q->num);
	q->used = (q->avail + VS_AVAIL_SIZE(q->num) + align - 1) / align * align;
	q->ready = 1;
	q->ready_since_reset = 1;
	vs__queue_enable(mon, dev, q);
}

static void decode_write_v1(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, uint32_t val)
{
	struct vs__queue *q;

	switch (off) {
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		/* 4.2.4: "should be a power of 2" */
		if (!pow2(val))
			vs__violate(mon, dev, -1, VS_R_MMIO_LEGACY_ALIGN,
				    "GuestPageSize 0x%x is not a power of 2", val);
		dev->legacy_page_size = val;
		dev->legacy_page_size_set = 1;
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		if (!(q = vs__queue_get(dev, dev->mmio.qsel, 1)))
			break;
		if (!pow2(val))
			vs__violate(mon, dev, (int)q->index, VS_R_MMIO_LEGACY_ALIGN,
				    "QueueAlign 0x%x of queue %u is not a power of 2", val, q->index);
		q->legacy_align = val;
		q->legacy_align_set = 1;
		break;
	default: /* VIRTIO_MMIO_QUEUE_PFN */
		legacy_pfn_write(mon, dev, val);
		break;
	}
}

static void decode_write(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, uint32_t val)
{
	struct vs__mmio *m = &dev->mmio;
	struct vs__queue *q;

	if (off == VIRTIO_MMIO_GUEST_PAGE_SIZE || off == VIRTIO_MMIO_QUEUE_ALIGN ||
	    off == VIRTIO_MMIO_QUEUE_PFN) {
		decode_write_v1(mon, dev, off, val);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->dfsel = val;
		m->dfsel_set = 1;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->drvsel = val;
		m->drvsel_set = 1;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* spec drv.mmio.mmio-device-register-layout.8 */
		if (!m->drvsel_set)
			vs__violate(mon, dev, -1, VS_R_MMIO_DRIVER_FEATURES_SEL,
				    "DriverFeatures 0x%08x written before DriverFeaturesSel", val);
		vs__features_write(mon, dev, m->drvsel, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->qsel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		q = queue_layout_write(mon, dev, off, val, VS__RECONF_NUM);
		if (!q)
			break;
		/* spec drv.mmio.mmio-device-register-layout.9 */
		if (q->num_max_known && val > q->num_max)
			vs__violate(mon, dev, (int)q->index, VS_R_MMIO_QUEUE_SIZE_MAX,
				    "QueueSize %u above QueueSizeMax %u on queue %u", val, q->num_max,
				    q->index);
		/* 2.7: a split ring's Queue Size is a power of 2 (PCI states it
		 * for queue_size as drv.pci...layout.3; MMIO only there) */
		if (!pow2(val) && !vs__feat(dev, VIRTIO_F_RING_PACKED))
			vs__violate(mon, dev, (int)q->index, VS_R_MMIO_QUEUE_SIZE_POW2,
				    "QueueSize %u on queue %u is not a power of 2 (split ring)", val,
				    q->index);
		q->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if ((q = queue_layout_write(mon, dev, off, val, VS__RECONF_DESC)))
			set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if ((q = queue_layout_write(mon, dev, off, val, VS__RECONF_AVAIL)))
			set_half(&q->avail, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if ((q = queue_layout_write(mon, dev, off, val, VS__RECONF_USED)))
			set_half(&q->used, off == VIRTIO_MMIO_QUEUE_USED_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q = vs__queue_get(dev, m->qsel, 1);
		if (!q)
			break;
		if (val && !q->ready) {
			if (q->vq_reset_req || q->vq_reset_done)
				queue_reenable(mon, dev, q);
			q->ready = 1;
			q->ready_since_reset = 1;
			vs__queue_enable(mon, dev, q);
		} else if (!val) {
			if (q->ready)
				vs__queue_disable(mon, dev, q, VS_R_MMIO_QUEUE_NOT_READY_ACCESS);
			q->ready = 0;
			m->rb_pending = 1;
			m->rb_queue = q->index;
		}
		break;
	case VIRTIO_MMIO_QUEUE_RESET:
		/* with VIRTIO_F_RING_RESET the queue stops (2.6.1); tracking
		 * restarts when the driver enables it again.  Without the
		 * feature the write means nothing. */
		if (!val || !(vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_RESET)))
			break;
		q = vs__queue_get(dev, m->qsel, 1);
		if (!q)
			break;
		if (q->ready)
			vs__queue_disable(mon, dev, q, VS_R_VQRESET_DEVICE_ACCESS);
		q->ready = 0;
		q->vq_reset_req = 1;
		q->vq_reset_done = 0;
		q->reconf = 0;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY: {
		/* with VIRTIO_F_NOTIFICATION_DATA the queue index is the low 16
		 * bits, the rest is next_off/next_wrap (4.2.3.3) */
		uint32_t index = (vs__dev_features(dev) & VS_BIT(VIRTIO_F_NOTIFICATION_DATA))
					 ? (val & 0xffffu)
					 : val;

		vs__kick(mon, dev, index, val);
		break;
	}
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vs__mmio_isr_ack(mon, dev, val);
		break;
	case VIRTIO_MMIO_STATUS:
		vs__status_write(mon, dev, (uint8_t)val);
		break;
	default: /* SHMSel */
		break;
	}
}

static void decode_read(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, uint32_t val)
{
	struct vs__mmio *m = &dev->mmio;
	struct vs__queue *q;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		m->magic_read = 1;
		m->bad_magic = val != VS_MMIO_MAGIC;
		/* spec dev.mmio.mmio-device-register-layout.1 */
		if (m->bad_magic)
			vs__violate(mon, dev, -1, VS_R_MMIO_MAGIC, "MagicValue reads 0x%08x", val);
		break;
	case VIRTIO_MMIO_VERSION:
		m->version_read = 1;
		m->bad_version = val != dev->version;
		/* spec dev.mmio.mmio-device-register-layout.2 */
		if (m->bad_version)
			vs__violate(mon, dev, -1, VS_R_MMIO_VERSION, "Version reads 0x%x", val);
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		m->devid_read = 1;
		dev->device_id = val;
		dev->device_id_known = 1;
		m->id_zero = val == 0;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		/* spec drv.mmio.mmio-device-register-layout.7 */
		if (!m->dfsel_set)
			vs__violate(mon, dev, -1, VS_R_MMIO_FEATURES_SEL,
				    "DeviceFeatures read before DeviceFeaturesSel was written");
		vs__features_read(mon, dev, m->dfsel, val);
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		if ((q = vs__queue_get(dev, m->qsel, 1))) {
			q->num_max = val;
			q->num_max_known = 1;
		}
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q = vs__queue_get(dev, m->qsel, 0);
		/* spec dev.mmio.mmio-device-register-layout.5: reset clears the
		 * ready bits; a queue the driver has not enabled since reads 0 */
		if (val && !(q && q->ready_since_reset))
			vs__violate(mon, dev, (int)m->qsel, VS_R_MMIO_RESET_CLEAR,
				    "QueueReady of queue %u reads 0x%x, not enabled since reset", m->qsel,
				    val);
		/* spec dev.mmio.mmio-device-register-layout.12 */
		else if (val && q && q->vq_reset_done)
			vs__violate(mon, dev, (int)m->qsel, VS_R_MMIO_QUEUE_RESET_READY,
				    "QueueReady of queue %u reads 0x%x after its reset completed", m->qsel,
				    val);
		break;
	case VIRTIO_MMIO_QUEUE_RESET:
		q = vs__queue_get(dev, m->qsel, 0);
		if (q && q->vq_reset_req) {
			if (val == 0) { /* done; 1 means still in progress */
				q->vq_reset_req = 0;
				q->vq_reset_done = 1;
			}
		} else if (val && (vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_RESET))) {
			/* spec dev.mmio.mmio-device-register-layout.9 / .8 */
			if (q && q->ready)
				vs__violate(mon, dev, (int)m->qsel, VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_ENABLE,
					    "QueueReset of enabled queue %u reads 0x%x", m->qsel, val);
			else
				vs__violate(mon, dev, (int)m->qsel, VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_RESET,
					    "QueueReset of queue %u reads 0x%x with no queue reset asked",
					    m->qsel, val);
		}
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		vs__mmio_isr_read(mon, dev, val);
		break;
	case VIRTIO_MMIO_STATUS:
		vs__status_read(mon, dev, (uint8_t)val);
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		vs__config_generation(mon, dev, val);
		break;
	case VIRTIO_MMIO_QUEUE_PFN:
		q = vs__queue_get(dev, m->qsel, 0);
		/* 4.2.4: reset sets QueuePFN to 0; it reads the page in use, 0
		 * for a queue not in use */
		if (val && !(q && q->ready))
			vs__violate(mon, dev, (int)m->qsel, VS_R_MMIO_LEGACY_PFN_RESET,
				    "QueuePFN of queue %u reads 0x%x, queue not in use", m->qsel, val);
		break;
	default: /* VendorID, SHMLen*, SHMBase* */
		break;
	}
}

void vs__mmio_access(struct vs_monitor *mon, struct vs__dev *dev, const struct vs_bus_access *acc)
{
	struct vs__mmio *m = &dev->mmio;
	uint64_t off = acc->addr - dev->base;
	int is_write = acc->is_write;

	/* spec drv.mmio.mmio-device-register-layout.11: after QueueReady=0
	 * the next access reads it back */
	if (m->rb_pending) {
		if (!is_write && off == VIRTIO_MMIO_QUEUE_READY && m->qsel == m->rb_queue) {
			m->rb_pending = 0;
		} else {
			vs__violate(mon, dev, (int)m->rb_queue, VS_R_MMIO_QUEUE_READY_READBACK,
				    "queue %u: QueueReady=0 not read back before %s of %s",
				    m->rb_queue, is_write ? "write" : "read", vs__mmio_reg_name(off));
			m->rb_pending = 0;
		}
	}
	if (vs__mmio_check_access(mon, dev, off, acc->width, is_write, acc->val)) {
		vs__config_other(mon, dev);
		return;
	}
	if (off >= VIRTIO_MMIO_CONFIG) {
		uint32_t coff = (uint32_t)(off - VIRTIO_MMIO_CONFIG);

		if (is_write)
			vs__config_write(mon, dev, coff, acc->width, acc->val);
		else
			vs__config_read(mon, dev, coff, acc->width, acc->val);
		return;
	}
	if (is_write || off != VIRTIO_MMIO_CONFIG_GENERATION)
		vs__config_other(mon, dev);
	if (is_write)
		decode_write(mon, dev, off, (uint32_t)acc->val);
	else
		decode_read(mon, dev, off, (uint32_t)acc->val);
}
