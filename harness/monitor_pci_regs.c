/*
 * monitor_pci_regs.c - the virtio PCI decoder, part two: the registers
 * inside the BARs (spec 4.1.4): the common configuration structure, the
 * notification area, the ISR, the device configuration, the MSI-X table
 * and, for a transitional function, the legacy I/O header (4.1.4.10).
 * Each access becomes the monitor's abstract events (status, features
 * with their select, queue layout and enable, kick, config, generation)
 * or a PCI rule's input (vector mapping, queue size, ISR).  monitor_pci.c
 * routes accesses here by BAR and offset, from the bus or from the
 * PCI_CFG window.
 *
 * Runs on every driver access to a watched function's registers.
 */
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

/* ---- the driver's verification of a vector mapping ---- */

/* Any access of the function's registers while a vector write waits to
 * be read back: only that read may come next. */
void vs__pci_rb_check(struct vs_monitor *mon, struct vs__dev *dev, int is_vector_read)
{
	struct vs__pci *p = &dev->pci;

	if (!p->rb_pending || is_vector_read)
		return;
	p->rb_pending = 0;
	/* spec drv.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.5 */
	if (p->rb_is_config)
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_VECTOR_VERIFY,
			    "config_msix_vector %u written and not read back", p->rb_val);
	else
		vs__violate(mon, dev, (int)p->rb_queue, VS_R_PCI_MSIX_VECTOR_VERIFY,
			    "queue_msix_vector %u of queue %u written and not read back", p->rb_val,
			    p->rb_queue);
}

/* ---- events shared by the modern and legacy layouts ---- */

static void status_write(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val)
{
	uint8_t old = dev->status;

	dev->pci.reset_nonzero = 0;
	dev->pci.reset_polls = 0;
	vs__status_write(mon, dev, val);
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		vs__pci_check_vectors(mon, dev);
}

static void status_read(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val)
{
	if (val == 0) {
		dev->pci.reset_nonzero = 0;
		dev->pci.reset_polls = 0;
	}
	vs__status_read(mon, dev, val);
}

static void set_half(uint64_t *addr, int high, uint32_t val)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*addr = (*addr & ~0xffffffffull) | val;
}

/* queue_enable = 1 (and the legacy PFN) */
static void queue_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	q->ready = 1;
	q->ready_since_reset = 1;
	/* a driver that neither read nor wrote queue_size uses the size the
	 * device has, which the monitor never saw: the ring goes unchecked */
	if (!(q->written & VS__RECONF_NUM) && !q->num_max_known)
		return;
	vs__queue_enable(mon, dev, q);
}

/* ---- the common configuration structure ---- */

static unsigned common_width(uint32_t rel)
{
	switch (rel) {
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
	default:
		return rel < VIRTIO_PCI_COMMON_SIZE && !(rel & 1) ? 2 : 0;
	}
}

static int common_readonly(uint32_t rel)
{
	return rel == VIRTIO_PCI_COMMON_DF || rel == VIRTIO_PCI_COMMON_NUMQ ||
	       rel == VIRTIO_PCI_COMMON_CFGGENERATION || rel == VIRTIO_PCI_COMMON_Q_NOFF ||
	       rel == VIRTIO_PCI_COMMON_Q_NDATA || rel == VIRTIO_PCI_COMMON_ADM_Q_IDX ||
	       rel == VIRTIO_PCI_COMMON_ADM_Q_NUM;
}

static const char *common_name(uint32_t rel)
{
	static const char *const names[] = {
		"device_feature_select", "device_feature", "driver_feature_select",
		"driver_feature", "config_msix_vector", "num_queues", "device_status",
		"queue_select", "queue_size", "queue_msix_vector", "queue_enable",
		"queue_notify_off", "queue_desc", "queue_driver", "queue_device",
		"queue_notif_config_data", "queue_reset", "admin_queue_index", "admin_queue_num",
	};
	static const uint8_t at[] = {0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 28, 30, 32, 40, 48, 56, 58,
				     60, 62};

	if (rel == VIRTIO_PCI_COMMON_CFGGENERATION)
		return "config_generation";
	for (int i = (int)(sizeof(at) / sizeof(at[0])) - 1; i >= 0; i--)
		if (rel >= at[i])
			return names[i];
	return "?";
}

static void common_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t rel, uint32_t val)
{
	struct vs__pci *p = &dev->pci;
	struct vs__queue *q = NULL;

	switch (rel) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		p->dfsel = val;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		p->gfsel = val;
		return;
	case VIRTIO_PCI_COMMON_GF:
		vs__features_write(mon, dev, p->gfsel, val);
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		vs__pci_vector_write(mon, dev, 1, NULL, val);
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		status_write(mon, dev, (uint8_t)val);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		p->qsel = (uint16_t)val;
		return;
	default:
		break;
	}
	q = vs__queue_get(dev, p->qsel, 1);
	if (!q)
		return;
	switch (rel) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		vs__pci_queue_size_write(mon, dev, q, val);
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		vs__pci_vector_write(mon, dev, 0, q, val);
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* spec drv.pci.pci-device-layout.common-configuration-structure-layout.6 */
		if (val == 0) {
			vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_ENABLE_ZERO,
				    "queue_enable of queue %u written 0", q->index);
			return;
		}
		if (q->ready)
			return;
		/* spec ...common-configuration-structure-layout.4 */
		if ((q->written & (VS__RECONF_DESC | VS__RECONF_AVAIL | VS__RECONF_USED)) !=
		    (VS__RECONF_DESC | VS__RECONF_AVAIL | VS__RECONF_USED))
			vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_ENABLE_EARLY,
				    "queue %u enabled without writing%s%s%s", q->index,
				    (q->written & VS__RECONF_DESC) ? "" : " queue_desc",
				    (q->written & VS__RECONF_AVAIL) ? "" : " queue_driver",
				    (q->written & VS__RECONF_USED) ? "" : " queue_device");
		if (q->vq_reset_req || q->vq_reset_done) {
			/* spec ...common-configuration-structure-layout.7 */
			if (q->vq_reset_req)
				vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_RESET_READBACK,
					    "queue %u enabled again before queue_reset read back 0",
					    q->index);
			/* spec drv.basic.virtqueues.virtqueue-reset.virtqueue-re-enable.1 */
			if ((q->reconf & VS__RECONF_ALL) != VS__RECONF_ALL)
				vs__violate(mon, dev, (int)q->index, VS_R_VQRESET_RECONFIGURE,
					    "queue %u enabled again after its reset without writing%s%s%s%s",
					    q->index, (q->reconf & VS__RECONF_NUM) ? "" : " queue_size",
					    (q->reconf & VS__RECONF_DESC) ? "" : " queue_desc",
					    (q->reconf & VS__RECONF_AVAIL) ? "" : " queue_driver",
					    (q->reconf & VS__RECONF_USED) ? "" : " queue_device");
			q->vq_reset_req = 0;
			q->vq_reset_done = 0;
		}
		queue_enable(mon, dev, q);
		return;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		set_half(&q->desc, rel & 4, val);
		q->reconf |= VS__RECONF_DESC;
		q->written |= VS__RECONF_DESC;
		return;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		set_half(&q->avail, rel & 4, val);
		q->reconf |= VS__RECONF_AVAIL;
		q->written |= VS__RECONF_AVAIL;
		return;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		set_half(&q->used, rel & 4, val);
		q->reconf |= VS__RECONF_USED;
		q->written |= VS__RECONF_USED;
		return;
	case VIRTIO_PCI_COMMON_Q_RESET:
		/* with VIRTIO_F_RING_RESET the queue stops (2.6.1) */
		if (val != 1 || !(vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_RESET)))
			return;
		if (q->ready)
			vs__queue_disable(mon, dev, q, VS_R_VQRESET_DEVICE_ACCESS);
		q->ready = 0;
		q->vq_reset_req = 1;
		q->vq_reset_done = 0;
		q->reconf = 0;
		return;
	default:
		return;
	}
}

static void common_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t rel, uint32_t val)
{
	struct vs__pci *p = &dev->pci;
	struct vs__queue *q;

	switch (rel) {
	case VIRTIO_PCI_COMMON_DF:
		vs__features_read(mon, dev, p->dfsel, val);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		vs__pci_vector_read(mon, dev, 1, NULL, (uint16_t)val);
		break;
	case VIRTIO_PCI_COMMON_NUMQ:
		p->num_queues = val;
		p->num_queues_known = 1;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		status_read(mon, dev, (uint8_t)val);
		break;
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		vs__config_generation(mon, dev, val);
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if ((q = vs__queue_get(dev, p->qsel, 1)))
			vs__pci_queue_size_read(mon, dev, q, val);
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if ((q = vs__queue_get(dev, p->qsel, 1)))
			vs__pci_vector_read(mon, dev, 0, q, (uint16_t)val);
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		q = vs__queue_get(dev, p->qsel, 0);
		/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.8 */
		if (val && !(q && q->ready_since_reset))
			vs__violate(mon, dev, (int)p->qsel, VS_R_PCI_QUEUE_ENABLE_RESET,
				    "queue_enable of queue %u reads 0x%x, not enabled since reset",
				    p->qsel, val);
		/* spec ...common-configuration-structure-layout.13 */
		else if (val && q && q->vq_reset_done)
			vs__violate(mon, dev, (int)p->qsel, VS_R_PCI_QUEUE_RESET_ENABLE,
				    "queue_enable of queue %u reads 0x%x after its reset completed",
				    p->qsel, val);
		break;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		if ((q = vs__queue_get(dev, p->qsel, 1))) {
			q->notify_off = val;
			q->notify_off_known = 1;
			vs__pci_check_notify(mon, dev, q);
		}
		break;
	case VIRTIO_PCI_COMMON_Q_RESET:
		q = vs__queue_get(dev, p->qsel, 0);
		if (q && q->vq_reset_req) {
			if (val == 0) { /* done; 1 means in progress */
				q->vq_reset_req = 0;
				q->vq_reset_done = 1;
			}
		} else if (val && q && q->ready &&
			   (vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_RESET))) {
			/* spec ...common-configuration-structure-layout.10 */
			vs__violate(mon, dev, (int)p->qsel, VS_R_PCI_QUEUE_RESET_ZERO,
				    "queue_reset of enabled queue %u reads 0x%x", p->qsel, val);
		}
		break;
	default:
		break;
	}
}

static void common_access(struct vs_monitor *mon, struct vs__dev *dev, uint32_t rel,
			  unsigned width, int is_write, uint32_t val)
{
	int vec_read = !is_write &&
		       (rel == VIRTIO_PCI_COMMON_MSIX || rel == VIRTIO_PCI_COMMON_Q_MSIX);

	vs__pci_rb_check(mon, dev, vec_read && common_width(rel) == width);
	if (is_write || rel != VIRTIO_PCI_COMMON_CFGGENERATION)
		vs__config_other(mon, dev);
	/* spec drv.pci.pci-device-layout.1 */
	if (common_width(rel) != width) {
		vs__violate(mon, dev, -1, VS_R_PCI_ACCESS_WIDTH,
			    "%u-byte %s at common+%u (%s)", width, is_write ? "write" : "read", rel,
			    common_name(rel));
		return;
	}
	/* spec drv.pci.pci-device-layout.common-configuration-structure-layout.1 */
	if (is_write && common_readonly(rel)) {
		vs__violate(mon, dev, -1, VS_R_PCI_WRITE_READONLY, "write of 0x%x to %s", val,
			    common_name(rel));
		return;
	}
	if (is_write)
		common_write(mon, dev, rel, val);
	else
		common_read(mon, dev, rel, val);
}

/* ---- notify, ISR, device config, MSI-X table ---- */

static void notify_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t rel, unsigned width,
			 uint32_t val)
{
	struct vs__pci *p = &dev->pci;
	uint64_t feats = vs__dev_features(dev);
	int data = (feats & VS_BIT(VIRTIO_F_NOTIFICATION_DATA)) != 0;
	int cfgdata = (feats & VS_BIT(VIRTIO_F_NOTIF_CONFIG_DATA)) != 0;
	struct vs__queue *at = NULL;
	uint32_t queue;

	/* spec drv.pci.pci-specific-initialization-and-device-operation.available-buffer-notifications.1 */
	if (!data && width != 2)
		vs__violate(mon, dev, -1, VS_R_PCI_NOTIFY_WIDTH,
			    "%u-byte notification 0x%x without VIRTIO_F_NOTIFICATION_DATA", width, val);
	/* the queue whose notify address this is, when the driver read it */
	for (uint32_t i = 0; p->notify_mult && i < dev->nq; i++)
		if (dev->q[i]->notify_off_known &&
		    (uint64_t)dev->q[i]->notify_off * p->notify_mult == rel)
			at = dev->q[i];
	/* spec ...available-buffer-notifications.3 */
	if (!data && !cfgdata && at && (val & 0xffffu) != at->index)
		vs__violate(mon, dev, (int)at->index, VS_R_PCI_NOTIFY_VALUE,
			    "notification value %u written to queue %u's notify address", val & 0xffffu,
			    at->index);
	queue = at ? at->index : (val & 0xffffu);
	vs__kick(mon, dev, queue, val);
}

static void msix_table_write(struct vs__dev *dev, uint32_t rel, unsigned width, uint64_t val)
{
	struct vs__pci *p = &dev->pci;

	if ((width != 4 && width != 8) || rel % width)
		return;
	for (unsigned w = 0; w < width / 4; w++, rel += 4, val >>= 32) {
		struct vs__pci_msix *e = &p->msix[rel / PCI_MSIX_ENTRY_SIZE];

		switch (rel % PCI_MSIX_ENTRY_SIZE) {
		case PCI_MSIX_ENTRY_LOWER_ADDR:
			e->addr_lo = (uint32_t)val;
			e->written |= 1;
			break;
		case PCI_MSIX_ENTRY_UPPER_ADDR:
			e->addr_hi = (uint32_t)val;
			break;
		case PCI_MSIX_ENTRY_DATA:
			e->data = (uint32_t)val;
			e->written |= 2;
			break;
		default:
			e->ctrl = (uint32_t)val;
			break;
		}
	}
}

static int in_struct(const struct vs__pci_struct *s, int bar, uint64_t off)
{
	return s->present && s->bar == bar && off >= s->off && off - s->off < s->len;
}

static void legacy_access(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, int is_write, uint32_t val);

/* One access of BAR bar at off, from the bus or through the window. */
void vs__pci_bar_access(struct vs_monitor *mon, struct vs__dev *dev, int bar, uint64_t off,
			unsigned width, int is_write, uint64_t val)
{
	struct vs__pci *p = &dev->pci;
	int legacy = p->transitional && bar == 0 && (p->bar_flags[0] & PCI_BASE_ADDRESS_SPACE_IO);

	/* the ISR read that pci.isr-with-msix judges is the handler's first
	 * access after the interrupt; any other access ends that moment
	 * (Linux's legacy del_vq reads the ISR to flush a vector write) */
	if (is_write || !(legacy ? off == VIRTIO_PCI_ISR : in_struct(&p->isr, bar, off)))
		p->last_irq_queue_vector = 0;
	if (in_struct(&p->common, bar, off)) {
		common_access(mon, dev, (uint32_t)(off - p->common.off), width, is_write, (uint32_t)val);
		return;
	}
	if (legacy) {
		legacy_access(mon, dev, (uint32_t)off, width, is_write, (uint32_t)val);
		return;
	}
	vs__pci_rb_check(mon, dev, 0);
	if (in_struct(&p->devcfg, bar, off)) {
		uint32_t rel = (uint32_t)(off - p->devcfg.off);

		/* spec drv.pci.pci-device-layout.1: the field widths are the
		 * device type's; what no layout allows is judged here */
		if (width > 4 || (rel & (width - 1))) {
			vs__violate(mon, dev, -1, VS_R_PCI_ACCESS_WIDTH,
				    "%u-byte device config %s at 0x%x", width, is_write ? "write" : "read",
				    rel);
			vs__config_other(mon, dev);
			return;
		}
		if (is_write)
			vs__config_write(mon, dev, rel, width, val);
		else
			vs__config_read(mon, dev, rel, width, val);
		return;
	}
	vs__config_other(mon, dev);
	if (in_struct(&p->notify, bar, off)) {
		if (is_write)
			notify_write(mon, dev, (uint32_t)(off - p->notify.off), width, (uint32_t)val);
		return;
	}
	if (in_struct(&p->isr, bar, off)) {
		if (!is_write && off == p->isr.off)
			vs__pci_isr_read(mon, dev, (uint8_t)val);
		return;
	}
	if (p->msix && is_write && bar == p->msix_table_bar && off >= p->msix_table_off &&
	    off - p->msix_table_off < 16ull * p->msix_n)
		msix_table_write(dev, (uint32_t)(off - p->msix_table_off), width, val);
}

/* ---- the legacy header (4.1.4.10) ---- */

static unsigned legacy_width(uint32_t off, int msix)
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
	default:
		return msix && (off == VIRTIO_MSI_CONFIG_VECTOR || off == VIRTIO_MSI_QUEUE_VECTOR) ? 2
												 : 0;
	}
}

/* QUEUE_PFN: the legacy layout with 4096 alignment (4.1.5.1.3.1, 2.7.2). */
static void legacy_pfn(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val)
{
	struct vs__queue *q = vs__queue_get(dev, dev->pci.qsel, 1);

	if (!q)
		return;
	if (q->ready)
		vs__queue_disable(mon, dev, q, VS_R_VQRESET_DEVICE_ACCESS);
	q->ready = 0;
	/* a driver that never read QUEUE_NUM cannot know the layout; the
	 * monitor cannot either, so the queue goes unchecked */
	if (!val || !q->num_max_known)
		return;
	q->num = q->num_max;
	q->desc = (uint64_t)val << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
	q->avail = q->desc + VS_DESC_SIZE(q->num);
	q->used = (q->avail + VS_AVAIL_SIZE(q->num) + VIRTIO_PCI_VRING_ALIGN - 1) &
		  ~(uint64_t)(VIRTIO_PCI_VRING_ALIGN - 1);
	q->written |= VS__RECONF_ALL;
	queue_enable(mon, dev, q);
}

static void legacy_access(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, int is_write, uint32_t val)
{
	struct vs__pci *p = &dev->pci;
	int msix = vs__pci_msix_on(dev);
	uint32_t hdr = VIRTIO_PCI_CONFIG_OFF(msix);
	struct vs__queue *q;
	unsigned fw = legacy_width(off, msix);

	p->legacy = 1;
	vs__pci_rb_check(mon, dev, !is_write && fw == width && fw &&
				   (off == VIRTIO_MSI_CONFIG_VECTOR || off == VIRTIO_MSI_QUEUE_VECTOR));
	if (off >= hdr) {
		/* guest-endian config, any width (4.1.4.10) */
		if (is_write)
			vs__config_write(mon, dev, off - hdr, width, val);
		else
			vs__config_read(mon, dev, off - hdr, width, val);
		return;
	}
	vs__config_other(mon, dev);
	if (fw != width) {
		vs__violate(mon, dev, -1, VS_R_PCI_ACCESS_WIDTH, "%u-byte legacy %s at +%u", width,
			    is_write ? "write" : "read", off);
		return;
	}
	if (is_write) {
		switch (off) {
		case VIRTIO_PCI_GUEST_FEATURES:
			vs__features_write(mon, dev, 0, val);
			/* 4.1.4.10: bits 32-63 are not acknowledged */
			dev->accepted[1] = 0;
			break;
		case VIRTIO_PCI_QUEUE_PFN:
			legacy_pfn(mon, dev, val);
			break;
		case VIRTIO_PCI_QUEUE_SEL:
			p->qsel = (uint16_t)val;
			break;
		case VIRTIO_PCI_QUEUE_NOTIFY:
			vs__kick(mon, dev, val, val);
			break;
		case VIRTIO_PCI_STATUS:
			status_write(mon, dev, (uint8_t)val);
			break;
		case VIRTIO_MSI_CONFIG_VECTOR:
			vs__pci_vector_write(mon, dev, 1, NULL, val);
			break;
		case VIRTIO_MSI_QUEUE_VECTOR:
			if ((q = vs__queue_get(dev, p->qsel, 1)))
				vs__pci_vector_write(mon, dev, 0, q, val);
			break;
		default:
			/* 4.1.4.10: HOST_FEATURES, QUEUE_NUM and ISR are read-only */
			vs__violate(mon, dev, -1, VS_R_PCI_LEGACY_WRITE_READONLY,
				    "legacy write of 0x%x to read-only +%u", val, off);
			break;
		}
		return;
	}
	switch (off) {
	case VIRTIO_PCI_HOST_FEATURES:
		vs__features_read(mon, dev, 0, val);
		break;
	case VIRTIO_PCI_QUEUE_NUM:
		if ((q = vs__queue_get(dev, p->qsel, 1))) {
			q->num_max = val;
			q->num_max_known = 1;
		}
		break;
	case VIRTIO_PCI_STATUS:
		status_read(mon, dev, (uint8_t)val);
		break;
	case VIRTIO_PCI_ISR:
		vs__pci_isr_read(mon, dev, (uint8_t)val);
		break;
	case VIRTIO_MSI_CONFIG_VECTOR:
		vs__pci_vector_read(mon, dev, 1, NULL, (uint16_t)val);
		break;
	case VIRTIO_MSI_QUEUE_VECTOR:
		if ((q = vs__queue_get(dev, p->qsel, 1)))
			vs__pci_vector_read(mon, dev, 0, q, (uint16_t)val);
		break;
	default:
		break;
	}
}

