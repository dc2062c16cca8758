/*
 * pci.c - rules of the virtio PCI transport (spec 4.1): the identity and
 * capability structures the device presents, the queue size and MSI-X
 * vector registers, the ISR and the interrupts themselves.  The decoder
 * (monitor_pci.c) calls these with what it learned from traffic; checks
 * that need no PCI state beyond one access stay there, next to the
 * decode, as monitor_mmio.c does.
 */
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

static int pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int packed(const struct vs__dev *dev)
{
	return (vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_PACKED)) != 0;
}

/* ---- what the device presents in configuration space ---- */

void vs__pci_check_identity(struct vs_monitor *mon, struct vs__dev *dev)
{
	const struct vs__pci *p = &dev->pci;
	uint16_t vendor = vs_le16(p->cfg + PCI_VENDOR_ID);
	uint16_t id = vs_le16(p->cfg + PCI_DEVICE_ID);
	uint16_t subsys = vs_le16(p->cfg + PCI_SUBSYSTEM_ID);
	uint8_t rev = p->cfg[PCI_REVISION_ID];
	uint32_t trans = vs_pci_transitional_virtio_id(id);
	int modern = id > VIRTIO_PCI_MODERN_DEVICE_BASE && id <= VIRTIO_PCI_MODERN_DEVICE_MAX;

	if (vendor == 0xffff && id == 0xffff)
		return; /* an empty slot */
	/* spec dev.pci.pci-device-discovery.1 */
	if (vendor != VIRTIO_PCI_VENDOR_ID)
		vs__violate(mon, dev, -1, VS_R_PCI_VENDOR_ID, "vendor id 0x%04x", vendor);
	/* spec dev.pci.pci-device-discovery.2 */
	if (!modern && !trans)
		vs__violate(mon, dev, -1, VS_R_PCI_DEVICE_ID,
			    "device id 0x%04x is neither 0x1040 + a device id nor a transitional id", id);
	if (trans) {
		/* 4.1.2.3: transitional devices have revision 0 and the virtio
		 * id as subsystem id (what legacy drivers match) */
		if (rev != 0)
			vs__violate(mon, dev, -1, VS_R_PCI_REVISION,
				    "transitional device id 0x%04x with revision %u", id, rev);
		if (subsys != trans)
			vs__violate(mon, dev, -1, VS_R_PCI_SUBSYSTEM_ID,
				    "transitional device id 0x%04x with subsystem id 0x%04x, not %u", id,
				    subsys, trans);
	}
	/* spec dev.pci.pci-device-discovery.5 */
	if (modern && rev == 0)
		vs__violate(mon, dev, -1, VS_R_PCI_MODERN_REVISION,
			    "device id 0x%04x with revision 0", id);
}

/* Bytes a capability of this cfg_type holds, extra fields included. */
static unsigned cap_size(uint8_t type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
	case VIRTIO_PCI_CAP_ISR_CFG:
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return VIRTIO_PCI_CAP_SIZE;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return VIRTIO_PCI_NOTIFY_CAP_SIZE;
	case VIRTIO_PCI_CAP_PCI_CFG:
		return VIRTIO_PCI_CFG_CAP_SIZE;
	default:
		return 0;
	}
}

void vs__pci_check_caps(struct vs_monitor *mon, struct vs__dev *dev)
{
	const struct vs__pci *p = &dev->pci;

	/* spec dev.pci.virtio-structure-pci-capabilities.1 */
	for (unsigned i = 0; i < p->nvcap; i++)
		if (p->vcap_len[i] < cap_size(p->vcap_type[i]))
			vs__violate(mon, dev, -1, VS_R_PCI_CAP_LEN,
				    "capability at 0x%02x (cfg_type %u): cap_len %u, needs %u",
				    p->vcap_pos[i], p->vcap_type[i], p->vcap_len[i],
				    cap_size(p->vcap_type[i]));
	/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.2 and .1 */
	if (!p->common.present)
		vs__violate(mon, dev, -1, VS_R_PCI_COMMON_MISSING, "no VIRTIO_PCI_CAP_COMMON_CFG");
	else if (p->common.off % 4)
		vs__violate(mon, dev, -1, VS_R_PCI_COMMON_ALIGN, "common configuration at offset 0x%x",
			    p->common.off);
	/* spec dev.pci.pci-device-layout.notification-capability.1 */
	if (!p->notify.present)
		vs__violate(mon, dev, -1, VS_R_PCI_NOTIFY_MISSING, "no VIRTIO_PCI_CAP_NOTIFY_CFG");
	/* spec dev.pci.pci-device-layout.isr-status-capability.1 */
	if (!p->isr.present)
		vs__violate(mon, dev, -1, VS_R_PCI_ISR_MISSING, "no VIRTIO_PCI_CAP_ISR_CFG");
	/* spec dev.pci.pci-device-layout.device-specific-configuration.1 */
	if (p->devcfg.present && p->devcfg.off % 4)
		vs__violate(mon, dev, -1, VS_R_PCI_DEVICE_CFG_ALIGN,
			    "device configuration at offset 0x%x", p->devcfg.off);
	/* spec dev.pci.pci-device-layout.pci-configuration-access-capability.1 */
	if (!p->pcicfg.present)
		vs__violate(mon, dev, -1, VS_R_PCI_CFG_CAP_MISSING, "no VIRTIO_PCI_CAP_PCI_CFG");
}

static void check_range(struct vs_monitor *mon, struct vs__dev *dev, const char *what, uint8_t bar,
			uint64_t off, uint64_t len)
{
	uint64_t size = bar < PCI_NUM_BARS ? dev->pci.bar_size[bar] : 0;

	/* 4.1.4: offset and length place the structure inside the BAR */
	if (size && (off > size || len > size - off))
		vs__violate(mon, dev, -1, VS_R_PCI_CAP_RANGE,
			    "%s at 0x%llx+0x%llx in BAR%u of 0x%llx bytes", what,
			    (unsigned long long)off, (unsigned long long)len, bar,
			    (unsigned long long)size);
}

void vs__pci_check_ranges(struct vs_monitor *mon, struct vs__dev *dev)
{
	const struct vs__pci *p = &dev->pci;
	const struct vs__pci_struct *s[] = {&p->common, &p->notify, &p->isr, &p->devcfg};
	static const char *const names[] = {"common configuration", "notification structure",
					    "ISR status", "device configuration"};

	for (unsigned i = 0; i < 4; i++)
		if (s[i]->present)
			check_range(mon, dev, names[i], s[i]->bar, s[i]->off, s[i]->len);
	if (p->msix_pos) {
		check_range(mon, dev, "MSI-X table", p->msix_table_bar, p->msix_table_off,
			    16ull * p->msix_n);
		check_range(mon, dev, "MSI-X PBA", p->msix_pba_bar, p->msix_pba_off,
			    (p->msix_n + 63) / 64 * 8);
	}
}

void vs__pci_check_notify(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q)
{
	const struct vs__pci *p = &dev->pci;
	uint32_t m = p->notify_mult;
	uint64_t need;

	/* the rules for devices offering VIRTIO_F_NOTIFICATION_DATA differ
	 * (.6 - .9); these are those of devices that do not */
	if (!p->notify.present || !(dev->offered_known & 2u) ||
	    (dev->offered[1] & (1u << (VIRTIO_F_NOTIFICATION_DATA - 32))))
		return;
	/* spec dev.pci.pci-device-layout.notification-capability.3 */
	if (m && !(pow2(m) && (m & 0x55555555u)))
		vs__violate(mon, dev, -1, VS_R_PCI_NOTIFY_MULTIPLIER,
			    "notify_off_multiplier %u is not an even power of 2", m);
	/* spec dev.pci.pci-device-layout.notification-capability.5 */
	need = (uint64_t)q->notify_off * m + 2;
	if (p->notify.len < need)
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_NOTIFY_LENGTH,
			    "queue %u: queue_notify_off %u x multiplier %u + 2 > length %u", q->index,
			    q->notify_off, m, p->notify.len);
}

/* ---- queue size ---- */

void vs__pci_queue_size_write(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			      uint32_t val)
{
	/* spec drv.pci.pci-device-layout.common-configuration-structure-layout.2 and .3 */
	if (packed(dev) && val == 0)
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_ZERO,
			    "queue_size of queue %u written 0 with VIRTIO_F_RING_PACKED", q->index);
	else if (!packed(dev) && !pow2(val))
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_POW2,
			    "queue_size of queue %u written %u", q->index, val);
	/* 4.1.4.3: the driver may reduce the size, not raise it */
	if (q->num_max_known && val > q->num_max)
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_MAX,
			    "queue_size of queue %u written %u, the device presented %u", q->index, val,
			    q->num_max);
	q->num = val;
	q->reconf |= VS__RECONF_NUM;
	q->written |= VS__RECONF_NUM;
}

void vs__pci_queue_size_read(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			     uint32_t val)
{
	const struct vs__pci *p = &dev->pci;

	/* once the driver wrote a size, the register shows its choice */
	if (q->written & VS__RECONF_NUM)
		return;
	if (p->num_queues_known && q->index >= p->num_queues && val)
		/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.14 */
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_UNAVAILABLE,
			    "queue_size of queue %u reads %u, num_queues is %u", q->index, val,
			    p->num_queues);
	else if (p->num_queues_known && q->index < p->num_queues && !val)
		/* 4.1.4.3: num_queues says the queue exists; 0 says it does not */
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_EXISTING,
			    "queue_size of queue %u reads 0, num_queues is %u", q->index, p->num_queues);
	/* spec ...common-configuration-structure-layout.15 */
	if (val && !pow2(val) && !packed(dev))
		vs__violate(mon, dev, (int)q->index, VS_R_PCI_QUEUE_SIZE_DEVICE_POW2,
			    "queue_size of queue %u reads %u", q->index, val);
	q->num_max = val;
	q->num_max_known = 1;
	q->num = val;
}

/* ---- MSI-X vectors ---- */

static int vector_valid(const struct vs__pci *p, uint32_t v)
{
	return p->msix_pos && v < p->msix_n;
}

void vs__pci_vector_write(struct vs_monitor *mon, struct vs__dev *dev, int is_config,
			  struct vs__queue *q, uint32_t val)
{
	struct vs__pci *p = &dev->pci;

	/* spec drv.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.4 */
	if (val != VIRTIO_MSI_NO_VECTOR && !vector_valid(p, val)) {
		if (p->msix_pos)
			vs__violate(mon, dev, q ? (int)q->index : -1, VS_R_PCI_MSIX_VECTOR_RANGE,
				    "%s vector %u written, the MSI-X table has %u entries",
				    is_config ? "config" : "queue", val, p->msix_n);
		else
			vs__violate(mon, dev, q ? (int)q->index : -1, VS_R_PCI_MSIX_VECTOR_RANGE,
				    "%s vector %u written, the function has no MSI-X capability",
				    is_config ? "config" : "queue", val);
	}
	if (is_config) {
		p->config_vector = (uint16_t)val;
		p->config_vector_set = 1;
	} else {
		q->vector = (uint16_t)val;
		q->vector_set = 1;
	}
	if (val != VIRTIO_MSI_NO_VECTOR) {
		p->rb_pending = 1;
		p->rb_is_config = is_config;
		p->rb_queue = q ? (uint16_t)q->index : 0;
		p->rb_val = (uint16_t)val;
	}
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		vs__pci_check_vectors(mon, dev);
}

void vs__pci_vector_read(struct vs_monitor *mon, struct vs__dev *dev, int is_config,
			 struct vs__queue *q, uint16_t val)
{
	struct vs__pci *p = &dev->pci;
	int set = is_config ? p->config_vector_set : q->vector_set;
	uint16_t wrote = is_config ? p->config_vector : q->vector;
	int qi = is_config ? -1 : (int)q->index;

	if (p->rb_pending && p->rb_is_config == is_config && (is_config || p->rb_queue == q->index))
		p->rb_pending = 0;
	if (!set) {
		/* spec ...msi-x-vector-configuration.7: unmapped after reset */
		if (val != VIRTIO_MSI_NO_VECTOR)
			vs__violate(mon, dev, qi, VS_R_PCI_MSIX_RESET,
				    "%s vector reads %u with nothing mapped since reset",
				    is_config ? "config" : "queue", val);
		return;
	}
	if (val == wrote) {
		/* spec ...msi-x-vector-configuration.9 */
		if (wrote != VIRTIO_MSI_NO_VECTOR && !vector_valid(p, wrote))
			vs__violate(mon, dev, qi, VS_R_PCI_MSIX_VECTOR_FAILURE,
				    "%s vector %u reads back as mapped; the table has %u entries",
				    is_config ? "config" : "queue", wrote, p->msix_pos ? p->msix_n : 0);
		return;
	}
	/* spec ...msi-x-vector-configuration.6 */
	if (val != VIRTIO_MSI_NO_VECTOR)
		vs__violate(mon, dev, qi, VS_R_PCI_MSIX_VECTOR_READBACK,
			    "%s vector written %u reads %u", is_config ? "config" : "queue", wrote, val);
	/* the mapping failed (or changed): the device sends nothing for it */
	if (is_config)
		p->config_vector = val;
	else
		q->vector = val;
}

static int programmed(const struct vs__pci *p, uint16_t v)
{
	return v == VIRTIO_MSI_NO_VECTOR || !vector_valid(p, v) || p->msix[v].written == 3;
}

void vs__pci_check_vectors(struct vs_monitor *mon, struct vs__dev *dev)
{
	const struct vs__pci *p = &dev->pci;

	if (!vs__pci_msix_on(dev) || !p->msix)
		return;
	/* 4.1.5.1.2: a mapped event is delivered as its table entry's
	 * message; one the driver never programmed goes nowhere */
	if (p->config_vector_set && !programmed(p, p->config_vector))
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_VECTOR_UNPROGRAMMED,
			    "config change mapped to MSI-X entry %u, never programmed", p->config_vector);
	for (uint32_t i = 0; i < dev->nq; i++) {
		const struct vs__queue *q = dev->q[i];

		if (q->vector_set && !programmed(p, q->vector))
			vs__violate(mon, dev, (int)q->index, VS_R_PCI_MSIX_VECTOR_UNPROGRAMMED,
				    "queue %u mapped to MSI-X entry %u, never programmed", q->index,
				    q->vector);
	}
}

/* ---- the ISR and interrupts ---- */

void vs__pci_isr_read(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val)
{
	struct vs__pci *p = &dev->pci;
	int msix = vs__pci_msix_on(dev);
	int intx = !msix && !(vs_le16(p->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);

	/* spec drv.pci.pci-device-layout.isr-status-capability.1 */
	if (msix && p->last_irq_queue_vector)
		vs__violate(mon, dev, -1, VS_R_PCI_ISR_WITH_MSIX,
			    "ISR status read after an MSI-X queue interrupt");
	/* with INTx live every event raises the line, so a second read
	 * with no interrupt in between must find 0 */
	if (intx && (p->isr_last & val) && !p->irq_since_isr)
		/* spec dev.pci.pci-device-layout.isr-status-capability.5 */
		vs__violate(mon, dev, -1, VS_R_PCI_ISR_NOT_CLEARED,
			    "ISR status reads 0x%02x again after reading 0x%02x, no interrupt between",
			    val, p->isr_last);
	/* spec dev.pci.pci-device-layout.isr-status-capability.3 */
	if (intx && !(val & VIRTIO_PCI_ISR_QUEUE) && dev->needed_since_ack > 0)
		vs__violate(mon, dev, -1, VS_R_PCI_ISR_QUEUE_BIT,
			    "ISR status 0x%02x: %llu used buffer(s) needing notification, queue bit clear",
			    val, (unsigned long long)dev->needed_since_ack);
	if ((val & VIRTIO_PCI_ISR_QUEUE) && !(val & VIRTIO_PCI_ISR_CONFIG))
		vs__notify_isr_used(mon, dev);
	if (val & VIRTIO_PCI_ISR_CONFIG)
		vs__config_notified(mon, dev);
	/* reading is the acknowledge */
	if (val & VIRTIO_PCI_ISR_QUEUE) {
		dev->used_since_ack = 0;
		dev->needed_since_ack = 0;
	}
	p->isr_last = val;
	p->irq_since_isr = 0;
	p->last_irq_queue_vector = 0;
}

int vs__pci_msix_interrupt(struct vs_monitor *mon, struct vs__dev *dev, unsigned v)
{
	struct vs__pci *p = &dev->pci;
	int cfg = p->config_vector_set && p->config_vector == v;
	int queue = 0;

	/* spec dev.pci.1: PCI's MSI-X rules - no message while disabled or
	 * masked; the event stays pending instead */
	if (!vs__pci_msix_on(dev))
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_MASKED,
			    "MSI-X vector %u sent with MSI-X disabled", v);
	else if (vs_le16(p->cfg + p->msix_pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL)
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_MASKED,
			    "MSI-X vector %u sent with the function masked", v);
	else if (p->msix[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_MASKED, "MSI-X vector %u sent while masked", v);
	for (uint32_t i = 0; i < dev->nq; i++)
		queue |= dev->q[i]->vector_set && dev->q[i]->vector == v;
	/* spec dev.pci.pci-specific-initialization-and-device-operation.used-buffer-notifications.1
	 * (and ...notification-device-configuration-changes.1) */
	if (!cfg && !queue)
		vs__violate(mon, dev, -1, VS_R_PCI_MSIX_NO_VECTOR,
			    "MSI-X vector %u sent; no queue and no config change is mapped to it", v);
	p->last_irq_queue_vector = queue;
	if (queue) {
		dev->used_since_ack = 0;
		dev->needed_since_ack = 0;
	}
	return cfg;
}

void vs__pci_intx_interrupt(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__pci *p = &dev->pci;

	/* spec dev.pci.1: with MSI-X enabled, or INTx disabled in the
	 * command register, the function does not assert INTx */
	if (vs__pci_msix_on(dev))
		vs__violate(mon, dev, -1, VS_R_PCI_INTX_WITH_MSIX,
			    "INTx on line %u with MSI-X enabled", dev->line);
	else if (vs_le16(p->cfg + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE)
		vs__violate(mon, dev, -1, VS_R_PCI_INTX_WITH_MSIX,
			    "INTx on line %u with Interrupt Disable set", dev->line);
	p->last_irq_queue_vector = 0;
}
