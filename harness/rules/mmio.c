/*
 * mmio.c - rules of the virtio-mmio register file (spec 4.2.2, 4.2.3).
 *
 * Access-level rules run on every access the decoder sees, before it
 * decodes: the register table with each register's direction, access
 * width, and the "which registers may be touched yet" rules of the
 * initialization preamble (MagicValue, Version, DeviceID).  The
 * InterruptStatus / InterruptACK rules judge both sides: the device for
 * the bits it presents, the driver for reading and acknowledging them.
 */
#include <stddef.h>

#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

enum { R = 1, W = 2, RW = 3 };

struct mmio_reg {
	uint32_t off;
	const char *name;
	int dir;
};

/* Table 4.2.2 for version 2.  The legacy-only registers (GuestPageSize,
 * QueueAlign, QueuePFN) are not in it: for a version 2 device they are
 * "memory locations not described in the table". */
static const struct mmio_reg regs[] = {
	{VIRTIO_MMIO_MAGIC_VALUE, "MagicValue", R},
	{VIRTIO_MMIO_VERSION, "Version", R},
	{VIRTIO_MMIO_DEVICE_ID, "DeviceID", R},
	{VIRTIO_MMIO_VENDOR_ID, "VendorID", R},
	{VIRTIO_MMIO_DEVICE_FEATURES, "DeviceFeatures", R},
	{VIRTIO_MMIO_DEVICE_FEATURES_SEL, "DeviceFeaturesSel", W},
	{VIRTIO_MMIO_DRIVER_FEATURES, "DriverFeatures", W},
	{VIRTIO_MMIO_DRIVER_FEATURES_SEL, "DriverFeaturesSel", W},
	{VIRTIO_MMIO_QUEUE_SEL, "QueueSel", W},
	{VIRTIO_MMIO_QUEUE_NUM_MAX, "QueueSizeMax", R},
	{VIRTIO_MMIO_QUEUE_NUM, "QueueSize", W},
	{VIRTIO_MMIO_QUEUE_READY, "QueueReady", RW},
	{VIRTIO_MMIO_QUEUE_NOTIFY, "QueueNotify", W},
	{VIRTIO_MMIO_INTERRUPT_STATUS, "InterruptStatus", R},
	{VIRTIO_MMIO_INTERRUPT_ACK, "InterruptACK", W},
	{VIRTIO_MMIO_STATUS, "Status", RW},
	{VIRTIO_MMIO_QUEUE_DESC_LOW, "QueueDescLow", W},
	{VIRTIO_MMIO_QUEUE_DESC_HIGH, "QueueDescHigh", W},
	{VIRTIO_MMIO_QUEUE_AVAIL_LOW, "QueueDriverLow", W},
	{VIRTIO_MMIO_QUEUE_AVAIL_HIGH, "QueueDriverHigh", W},
	{VIRTIO_MMIO_QUEUE_USED_LOW, "QueueDeviceLow", W},
	{VIRTIO_MMIO_QUEUE_USED_HIGH, "QueueDeviceHigh", W},
	{VIRTIO_MMIO_SHM_SEL, "SHMSel", W},
	{VIRTIO_MMIO_SHM_LEN_LOW, "SHMLenLow", R},
	{VIRTIO_MMIO_SHM_LEN_HIGH, "SHMLenHigh", R},
	{VIRTIO_MMIO_SHM_BASE_LOW, "SHMBaseLow", R},
	{VIRTIO_MMIO_SHM_BASE_HIGH, "SHMBaseHigh", R},
	{VIRTIO_MMIO_QUEUE_RESET, "QueueReset", RW},
	{VIRTIO_MMIO_CONFIG_GENERATION, "ConfigGeneration", R},
};

/* Table 4.2.4: what the legacy version 1 layout adds.  Version 1 also
 * lacks QueueReady, the queue address registers, SHM*, QueueReset and
 * ConfigGeneration. */
static const struct mmio_reg regs_v1[] = {
	{VIRTIO_MMIO_GUEST_PAGE_SIZE, "GuestPageSize", W},
	{VIRTIO_MMIO_QUEUE_ALIGN, "QueueAlign", W},
	{VIRTIO_MMIO_QUEUE_PFN, "QueuePFN", RW},
};

static const struct mmio_reg *reg_find(uint64_t off)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].off == off)
			return &regs[i];
	return NULL;
}

static const struct mmio_reg *reg_find_v1(uint64_t off)
{
	for (size_t i = 0; i < sizeof(regs_v1) / sizeof(regs_v1[0]); i++)
		if (regs_v1[i].off == off)
			return &regs_v1[i];
	return NULL;
}

/* The register at off in the device's version of the table. */
static const struct mmio_reg *reg_find_dev(const struct vs__dev *dev, uint64_t off)
{
	if (dev->version != 1)
		return reg_find(off);
	if (reg_find_v1(off))
		return reg_find_v1(off);
	if (off == VIRTIO_MMIO_QUEUE_READY || off >= VIRTIO_MMIO_QUEUE_DESC_LOW)
		return NULL;
	return reg_find(off);
}

const char *vs__mmio_reg_name(uint64_t off)
{
	const struct mmio_reg *r;

	if (off >= VIRTIO_MMIO_CONFIG)
		return "Config";
	r = reg_find(off & ~3ull);
	if (!r)
		r = reg_find_v1(off & ~3ull);
	return r ? r->name : "undefined";
}

enum { ID_MAGIC_VERSION = 0, ID_DEVICE = 1, ID_VENDOR = 2 };

/* Reads of the identification registers: MagicValue and Version, plus
 * DeviceID (level >= ID_DEVICE) and VendorID (ID_VENDOR). */
static int is_id_read(uint64_t off, int is_write, int level)
{
	if (is_write)
		return 0;
	return off == VIRTIO_MMIO_MAGIC_VALUE || off == VIRTIO_MMIO_VERSION ||
	       (level >= ID_DEVICE && off == VIRTIO_MMIO_DEVICE_ID) ||
	       (level >= ID_VENDOR && off == VIRTIO_MMIO_VENDOR_ID);
}

/* The preamble of 4.2.3.1.1: read and check MagicValue and Version, then
 * DeviceID; a device failing a check is left alone. */
static void check_preamble(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, int is_write)
{
	struct vs__mmio *m = &dev->mmio;
	const char *what = is_write ? "write" : "read";

	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.device-initialization.1:
	 * start by reading MagicValue and Version */
	if (!(m->magic_read && m->version_read) && !is_id_read(off, is_write, ID_MAGIC_VERSION))
		vs__violate(mon, dev, -1, VS_R_MMIO_INIT_MAGIC_VERSION,
			    "%s of %s at 0x%03llx before MagicValue and Version were read", what,
			    vs__mmio_reg_name(off), (unsigned long long)off);
	/* spec drv.mmio.mmio-device-register-layout.4 and .5: ignore a device
	 * whose MagicValue or Version is wrong */
	if (m->bad_magic && !is_id_read(off, is_write, ID_MAGIC_VERSION))
		vs__violate(mon, dev, -1, VS_R_MMIO_BAD_MAGIC_IGNORED,
			    "%s of %s at 0x%03llx after MagicValue read wrong", what,
			    vs__mmio_reg_name(off), (unsigned long long)off);
	if (m->bad_version && !is_id_read(off, is_write, ID_MAGIC_VERSION))
		vs__violate(mon, dev, -1, VS_R_MMIO_BAD_VERSION_IGNORED,
			    "%s of %s at 0x%03llx after Version read wrong", what,
			    vs__mmio_reg_name(off), (unsigned long long)off);
	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.device-initialization.2:
	 * with valid MagicValue and Version, read DeviceID next */
	if (m->magic_read && m->version_read && !m->bad_magic && !m->bad_version &&
	    !m->devid_read && !is_id_read(off, is_write, ID_VENDOR))
		vs__violate(mon, dev, -1, VS_R_MMIO_DEVICE_ID_UNREAD,
			    "%s of %s at 0x%03llx before DeviceID was read", what,
			    vs__mmio_reg_name(off), (unsigned long long)off);
	/* spec drv.mmio.mmio-device-register-layout.6 (and device-initialization.2):
	 * DeviceID 0: abort and access no other register */
	if (m->id_zero && !is_id_read(off, is_write, ID_DEVICE))
		vs__violate(mon, dev, -1, VS_R_MMIO_DEVICE_ID_ZERO,
			    "%s of %s at 0x%03llx after DeviceID read 0", what, vs__mmio_reg_name(off),
			    (unsigned long long)off);
}

int vs__mmio_check_access(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, unsigned width,
			  int is_write, uint64_t val)
{
	const struct mmio_reg *r;
	const char *what = is_write ? "write" : "read";

	check_preamble(mon, dev, off, is_write);
	if (off >= VIRTIO_MMIO_CONFIG) {
		/* spec drv.mmio.mmio-device-register-layout.3: 8-bit accesses for
		 * 8-bit fields, 16 and 32 bits aligned; 64-bit fields as two
		 * 32-bit accesses.  Field widths are the device type's, so the
		 * monitor judges what no field layout allows. */
		if (width <= 4 && !(off & (width - 1)))
			return 0;
		vs__violate(mon, dev, -1, VS_R_MMIO_CONFIG_WIDTH, "%u-byte config %s at offset 0x%llx",
			    width, what, (unsigned long long)(off - VIRTIO_MMIO_CONFIG));
		return 1;
	}
	/* spec drv.mmio.mmio-device-register-layout.2: 32 bits, aligned */
	if (width != 4 || (off & 3)) {
		vs__violate(mon, dev, -1, VS_R_MMIO_ACCESS_WIDTH, "%u-byte %s of %s at 0x%03llx", width,
			    what, vs__mmio_reg_name(off), (unsigned long long)off);
		return 1;
	}
	/* spec drv.mmio.mmio-device-register-layout.1: only registers in
	 * the table, writes only to writable ones, reads only from readable */
	r = reg_find_dev(dev, off);
	if (!r) {
		vs__violate(mon, dev, -1, VS_R_MMIO_ACCESS_UNDEFINED, "%s at undefined offset 0x%03llx",
			    what, (unsigned long long)off);
		return 1;
	}
	if (is_write && !(r->dir & W)) {
		vs__violate(mon, dev, -1, VS_R_MMIO_WRITE_READONLY, "write of 0x%llx to read-only %s",
			    (unsigned long long)val, r->name);
		return 1;
	}
	if (!is_write && !(r->dir & R)) {
		vs__violate(mon, dev, -1, VS_R_MMIO_READ_WRITEONLY, "read from write-only %s", r->name);
		return 1;
	}
	return 0;
}

void vs__mmio_isr_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val)
{
	struct vs__mmio *m = &dev->mmio;
	const uint32_t defined = VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG;

	/* spec dev.mmio.mmio-device-register-layout.4: bits for events that
	 * did not happen are 0, undefined bits included */
	if (val & ~defined)
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_UNDEFINED_BITS,
			    "InterruptStatus 0x%x has undefined bits 0x%x", val, val & ~defined);
	if (!m->irq_since_reset && (val & defined)) {
		/* spec dev.mmio.mmio-device-register-layout.5: reset clears it */
		vs__violate(mon, dev, -1, VS_R_MMIO_RESET_CLEAR,
			    "InterruptStatus 0x%x with no interrupt since reset", val);
	} else if ((val & VIRTIO_MMIO_INT_VRING) && dev->used_since_ack == 0) {
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_SPURIOUS,
			    "InterruptStatus 0x%x: used-buffer bit with no used buffer since the last acknowledge",
			    val);
	}
	/* spec dev.mmio.mmio-device-register-layout.3: the bit is set from the
	 * moment the event takes place until acknowledged */
	if (!(val & VIRTIO_MMIO_INT_VRING) && dev->needed_since_ack > 0)
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_MISSING_BIT,
			    "InterruptStatus 0x%x: %llu used buffer(s) needing notification, bit 0 clear",
			    val, (unsigned long long)dev->needed_since_ack);
	/* 4.2.3.4: the line is asserted when at least one bit is set */
	if (m->irq_seen && (val & defined) == 0)
		vs__violate(mon, dev, -1, VS_R_MMIO_INTERRUPT_NO_CAUSE,
			    "interrupt on line %u, InterruptStatus reads 0x%x", dev->line, val);
	if ((val & VIRTIO_MMIO_INT_VRING) && !(val & VIRTIO_MMIO_INT_CONFIG))
		vs__notify_isr_used(mon, dev);
	if (val & VIRTIO_MMIO_INT_CONFIG)
		vs__config_notified(mon, dev);
	m->isr_pending = 0;
	m->irq_seen = 0;
	if (val & defined) {
		if (!m->ack_pending)
			m->ack_stamp = mon->sync_count;
		m->ack_pending |= val & defined;
	}
}

void vs__mmio_isr_ack(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val)
{
	struct vs__mmio *m = &dev->mmio;
	const uint32_t defined = VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG;

	/* spec drv.mmio.mmio-device-register-layout.13: no undefined bits */
	if (val & ~defined)
		vs__violate(mon, dev, -1, VS_R_MMIO_ACK_UNDEFINED,
			    "InterruptACK 0x%x sets undefined bits 0x%x", val, val & ~defined);
	m->ack_pending &= ~val;
	if (val & VIRTIO_MMIO_INT_VRING) {
		dev->used_since_ack = 0;
		dev->needed_since_ack = 0;
	}
}

void vs__mmio_interrupt(struct vs_monitor *mon, struct vs__dev *dev, int has_handler)
{
	struct vs__mmio *m = &dev->mmio;

	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.notifications-from-device.1:
	 * a new interrupt while the previous one's status was never read */
	if (m->isr_pending)
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_NOT_READ,
			    "interrupt on line %u handled without reading InterruptStatus", dev->line);
	/* without a handler nobody in the guest has taken the line yet: not
	 * the driver's interrupt to handle */
	m->isr_pending = has_handler;
	m->isr_stamp = mon->sync_count;
	m->irq_since_reset = 1;
	m->irq_seen = 1;
}

void vs__mmio_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	struct vs__mmio *m = &dev->mmio;

	if (m->isr_pending && vs__due(mon, m->isr_stamp, force)) {
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_NOT_READ,
			    "interrupt on line %u handled without reading InterruptStatus", dev->line);
		m->isr_pending = 0;
	}
	/* spec drv.mmio.mmio-specific-initialization-and-device-operation.notifications-from-device.3 */
	if (m->ack_pending && vs__due(mon, m->ack_stamp, force)) {
		vs__violate(mon, dev, -1, VS_R_MMIO_ISR_NOT_ACKED,
			    "InterruptStatus bits 0x%x read but never acknowledged", m->ack_pending);
		m->ack_pending = 0;
	}
}

void vs__mmio_reset(struct vs__dev *dev)
{
	struct vs__mmio *m = &dev->mmio;

	/* selectors are registers the device need not clear; what the reset
	 * ends is the interrupt bookkeeping */
	m->isr_pending = 0;
	m->ack_pending = 0;
	m->irq_since_reset = 0;
	m->irq_seen = 0;
	m->rb_pending = 0;
}
