/*
 * features.c - feature negotiation (spec 2.2, 6).
 *
 * What the device offers is learned only from the driver's reads of the
 * device feature words (with their select); the monitor never asks the
 * device itself.  A driver that writes a word it never read is judged as
 * if that word offered nothing: it cannot know what it accepts.
 */
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

/*
 * Bits of feature word `word` that are reserved or not supported on this
 * transport (2.2, 6): 25, 26, 30, 31 are in the range for queue and
 * negotiation extensions but not defined; 41 (VIRTIO_F_ADMIN_VQ) is PCI
 * only; 44-49 are reserved for future extensions; 128 and above
 * likewise.  24 and 27 are legacy-interface bits and are left alone.
 * VIRTIO_F_SR_IOV has rules of its own.
 */
static uint32_t reserved_mask(const struct vs__dev *dev, uint32_t word)
{
	switch (word) {
	case 0:
		return (1u << 25) | (1u << 26) | (1u << 30) | (1u << 31);
	case 1:
		return (dev->xport != VS__XPORT_MMIO ? 0 : 1u << (VIRTIO_F_ADMIN_VQ - 32)) |
		       (0x3fu << (44 - 32));
	case 2:
	case 3:
		return 0;
	default:
		return 0xffffffffu;
	}
}

void vs__features_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t sel, uint32_t val)
{
	uint32_t bad = val & reserved_mask(dev, sel);

	if (sel < VS__FEAT_WORDS) {
		dev->offered[sel] = val;
		dev->offered_known |= 1u << sel;
	}
	/* spec dev.basic.feature-bits.3 */
	if (bad)
		vs__violate(mon, dev, -1, VS_R_FEATURES_OFFER_RESERVED,
			    "device features word %u = 0x%08x offers reserved bits 0x%08x", sel, val, bad);
	if (sel == 1) {
		/* spec dev.reserved.1 (a legacy interface may lack it) */
		if (!(val & (1u << (VIRTIO_F_VERSION_1 - 32))) && !vs__dev_legacy_iface(dev))
			vs__violate(mon, dev, -1, VS_R_FEATURES_DEVICE_VERSION_1,
				    "device features word 1 = 0x%08x lacks VIRTIO_F_VERSION_1", val);
		/* spec dev.reserved.9: SR-IOV is for PCI devices only */
		if ((val & (1u << (VIRTIO_F_SR_IOV - 32))) && dev->xport == VS__XPORT_MMIO)
			vs__violate(mon, dev, -1, VS_R_FEATURES_OFFER_SR_IOV,
				    "virtio-mmio device offers VIRTIO_F_SR_IOV");
	}
}

void vs__features_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t sel, uint32_t val)
{
	int known = sel < VS__FEAT_WORDS && (dev->offered_known & (1u << sel));
	uint32_t offered = known ? dev->offered[sel] : 0;
	uint32_t prev = sel < VS__FEAT_WORDS ? dev->accepted[sel] : 0;
	uint32_t reserved = reserved_mask(dev, sel);
	uint32_t sr_iov = (sel == 1 && dev->xport == VS__XPORT_MMIO)
				  ? 1u << (VIRTIO_F_SR_IOV - 32)
				  : 0;
	/* the most specific rule reports each bit: reserved and
	 * transport-unsupported bits have their own, offered or not */
	uint32_t unoffered = val & ~offered & ~reserved & ~sr_iov;

	/* spec drv.basic.device-status-field.1: status tells the steps done;
	 * feature negotiation is step 4, after DRIVER */
	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER))
		vs__violate(mon, dev, -1, VS_R_INIT_FEATURES_BEFORE_DRIVER,
			    "driver features word %u written with status 0x%02x", sel, dev->status);
	/* spec drv.init.device-initialization.3 */
	if (dev->features_ok_written && (val & ~prev))
		vs__violate(mon, dev, -1, VS_R_INIT_FEATURES_AFTER_FEATURES_OK,
			    "driver features word %u: new bits 0x%08x after FEATURES_OK", sel,
			    val & ~prev);
	/* spec drv.basic.feature-bits.1 */
	if (unoffered && known)
		vs__violate(mon, dev, -1, VS_R_FEATURES_UNOFFERED,
			    "driver features word %u = 0x%08x, offered 0x%08x: bits 0x%08x not offered",
			    sel, val, offered, unoffered);
	else if (unoffered)
		vs__violate(mon, dev, -1, VS_R_FEATURES_UNOFFERED,
			    "driver features word %u = 0x%08x but device features word %u was never read",
			    sel, val, sel);
	/* spec drv.basic.feature-bits.3 */
	if (val & reserved)
		vs__violate(mon, dev, -1, VS_R_FEATURES_RESERVED,
			    "driver features word %u = 0x%08x accepts reserved bits 0x%08x", sel, val,
			    val & reserved);
	/* spec drv.reserved.9 */
	if (val & sr_iov)
		vs__violate(mon, dev, -1, VS_R_FEATURES_SR_IOV,
			    "VIRTIO_F_SR_IOV accepted on a virtio-mmio device");
	if (sel < VS__FEAT_WORDS)
		dev->accepted[sel] = val;
}

void vs__features_ok_written(struct vs_monitor *mon, struct vs__dev *dev)
{
	/* spec drv.reserved.1 */
	if ((dev->offered_known & 2u) && (dev->offered[1] & (1u << (VIRTIO_F_VERSION_1 - 32))) &&
	    !(dev->accepted[1] & (1u << (VIRTIO_F_VERSION_1 - 32))))
		vs__violate(mon, dev, -1, VS_R_FEATURES_VERSION_1,
			    "FEATURES_OK with driver features word 1 = 0x%08x: VIRTIO_F_VERSION_1 offered, not accepted",
			    dev->accepted[1]);
}

void vs__features_ok_result(struct vs_monitor *mon, struct vs__dev *dev, int ok)
{
	if (ok) {
		memcpy(dev->accepted_ok, dev->accepted, sizeof(dev->accepted_ok));
		dev->accepted_ok_valid = 1;
		return;
	}
	/* spec dev.basic.feature-bits.4: a set once accepted should be
	 * accepted again after reset */
	if (dev->accepted_ok_valid && memcmp(dev->accepted_ok, dev->accepted, sizeof(dev->accepted)) == 0)
		vs__violate(mon, dev, -1, VS_R_FEATURES_RENEGOTIATION,
			    "FEATURES_OK refused for features 0x%08x%08x accepted before",
			    dev->accepted[1], dev->accepted[0]);
}
