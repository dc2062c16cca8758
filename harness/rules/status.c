/*
 * status.c - device status, the initialization sequence, suspend and reset
 * (spec 2.1, 2.4, 3.1, 3.4).
 *
 * The monitor keeps the status as the driver last wrote or read it: a
 * write is judged against that (bits cleared, bits set out of order), a
 * read updates it (the device may clear FEATURES_OK or set
 * DEVICE_NEEDS_RESET) and confirms or refuses FEATURES_OK.  Writing 0 is a
 * reset: every queue stops being tracked (its ring areas become "dead" for
 * device accesses), negotiation starts over.
 */
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

/* Bits only the driver sets: clearing them without a reset is its fault.
 * DEVICE_NEEDS_RESET belongs to the device; SUSPEND is left to a future
 * suspend rule. */
#define DRIVER_BITS                                                                  \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED)
#define INIT_BITS                                                                    \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_DRIVER_OK)

static void reset(struct vs_monitor *mon, struct vs__dev *dev)
{
	vs__emit(mon, "reset", dev, -1, "status=0x%02x", dev->status);
	vs__devtype_reset(mon, dev);
	for (uint32_t i = 0; i < dev->nq; i++) {
		struct vs__queue *q = dev->q[i];

		vs__queue_disable(mon, dev, q, VS_R_RESET_DEVICE_QUEUE_ACCESS);
		q->ready = 0;
		q->ready_since_reset = 0;
		q->vq_reset_req = 0;
		q->vq_reset_done = 0;
	}
	for (int w = 0; w < VS__FEAT_WORDS; w++)
		dev->accepted[w] = 0;
	dev->status = 0;
	dev->reset_readback = 1;
	dev->reset_wait = 1;
	dev->features_ok_written = 0;
	dev->features_ok_confirmed = 0;
	dev->features_ok_refused = 0;
	dev->failed = 0;
	dev->nr_seen = dev->cfg_notified = dev->nr_pending = 0;
	dev->suspend_req = dev->suspend_early = dev->suspend_checked = 0;
	dev->suspended = dev->resume_wait = 0;
	dev->used_since_irq = dev->needed_since_irq = 0;
	dev->irq_used = dev->irq_needed = 0;
	dev->used_since_ack = dev->needed_since_ack = 0;
	dev->notify_pending = 0;
	vs__config_reset(dev);
	vs__mmio_reset(dev);
	vs__pci_reset(dev);
}

static void suspend(struct vs_monitor *mon, struct vs__dev *dev, uint8_t cur)
{
	/* spec drv.init.device-suspend.1 */
	if (!(cur & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    !(vs__dev_features(dev) & VS_BIT(VIRTIO_F_SUSPEND)))
		vs__violate(mon, dev, -1, VS_R_SUSPEND_NOT_READY,
			    "SUSPEND set with status 0x%02x, VIRTIO_F_SUSPEND %s", cur,
			    (vs__dev_features(dev) & VS_BIT(VIRTIO_F_SUSPEND)) ? "negotiated"
									: "not negotiated");
	/* what was made available before the request is legitimate: register
	 * it now, so what shows up later is new */
	for (uint32_t i = 0; i < dev->nq; i++)
		vs__ring_catchup(mon, dev, dev->q[i]);
	dev->suspend_req = 1;
	dev->suspend_early = !(cur & VIRTIO_CONFIG_S_DRIVER_OK);
	dev->suspend_checked = 0;
}

void vs__status_write(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val)
{
	uint8_t cur = dev->status;
	uint8_t cleared = cur & ~val & DRIVER_BITS;
	uint8_t set = val & ~cur;

	vs__emit(mon, "status", dev, -1, "op=write value=0x%02x", val);
	if (val == 0) {
		reset(mon, dev);
		return;
	}
	/* spec drv.basic.device-reset.1: the reset is complete when status
	 * reads 0; a driver that starts over before that is guessing (a MUST
	 * on PCI: drv.pci.pci-device-layout.common-configuration-structure-layout.5) */
	if (dev->reset_wait)
		vs__violate(mon, dev, -1,
			    dev->xport == VS__XPORT_PCI ? VS_R_PCI_RESET_WAIT : VS_R_RESET_WAIT_READBACK,
			    "status 0x%02x written after reset without reading status as 0", val);
	dev->reset_wait = 0;
	dev->reset_readback = 0;
	/* spec drv.init.device-suspend.2: verify the suspend by reading */
	if (dev->suspend_req && !dev->suspend_checked)
		vs__violate(mon, dev, -1, VS_R_SUSPEND_VERIFY,
			    "status 0x%02x written after SUSPEND without reading status", val);
	/* spec drv.basic.device-status-field.3: after FAILED, reset first */
	if (dev->failed && (set & INIT_BITS))
		vs__violate(mon, dev, -1, VS_R_INIT_FAILED_RESET,
			    "status 0x%02x -> 0x%02x sets 0x%02x after FAILED without a reset", cur, val,
			    set & INIT_BITS);
	/* spec drv.basic.device-status-field.2 */
	if (cleared)
		vs__violate(mon, dev, -1, VS_R_INIT_STATUS_CLEAR,
			    "status 0x%02x -> 0x%02x clears 0x%02x", cur, val, cleared);
	/* spec drv.init.device-initialization.1: ACKNOWLEDGE, DRIVER,
	 * FEATURES_OK, DRIVER_OK, each needing the one before */
	if ((set & VIRTIO_CONFIG_S_DRIVER) && !(val & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		vs__violate(mon, dev, -1, VS_R_INIT_STATUS_ORDER,
			    "status 0x%02x -> 0x%02x: DRIVER without ACKNOWLEDGE", cur, val);
	if ((set & VIRTIO_CONFIG_S_FEATURES_OK) && !(val & VIRTIO_CONFIG_S_DRIVER))
		vs__violate(mon, dev, -1, VS_R_INIT_STATUS_ORDER,
			    "status 0x%02x -> 0x%02x: FEATURES_OK without DRIVER", cur, val);
	/* legacy interfaces have no FEATURES_OK (3.1.2) */
	if ((set & VIRTIO_CONFIG_S_DRIVER_OK) && !(val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !vs__dev_legacy(dev))
		vs__violate(mon, dev, -1, VS_R_INIT_STATUS_ORDER,
			    "status 0x%02x -> 0x%02x: DRIVER_OK without FEATURES_OK", cur, val);
	if (set & VIRTIO_CONFIG_S_DRIVER_OK) {
		/* spec drv.init.device-initialization.5: a refused feature set
		 * leaves the device unusable; step 6 of 3.1.1 re-reads status */
		if (dev->features_ok_refused)
			vs__violate(mon, dev, -1, VS_R_INIT_CONTINUE_AFTER_REFUSAL,
				    "DRIVER_OK set after the device refused FEATURES_OK");
		else if ((val & VIRTIO_CONFIG_S_FEATURES_OK) && !dev->features_ok_confirmed)
			vs__violate(mon, dev, -1, VS_R_INIT_FEATURES_OK_CHECK,
				    "DRIVER_OK set without reading FEATURES_OK back from status");
	}
	if (set & VIRTIO_CONFIG_S_FEATURES_OK) {
		dev->features_ok_written = 1;
		dev->features_ok_confirmed = 0;
		dev->features_ok_refused = 0;
		vs__features_ok_written(mon, dev);
	}
	if (set & VIRTIO_CONFIG_S_FAILED)
		dev->failed = 1;
	if (set & VIRTIO_CONFIG_S_SUSPEND)
		suspend(mon, dev, cur);
	if ((set & VIRTIO_CONFIG_S_DRIVER_OK) && dev->suspended)
		dev->resume_wait = 1;
	dev->status = val;
}

void vs__status_read(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val)
{
	vs__emit(mon, "status", dev, -1, "op=read value=0x%02x", val);
	if (dev->reset_readback) {
		dev->reset_readback = 0;
		/* spec dev.basic.device-reset.1: MMIO resets synchronously, so
		 * the first read after writing 0 must see 0.  The driver's view
		 * stays 0: its next writes are judged against what it asked. */
		if (val != 0 && dev->xport == VS__XPORT_MMIO) {
			vs__violate(mon, dev, -1, VS_R_MMIO_RESET_READBACK,
				    "status reads 0x%02x right after reset", val);
			return;
		}
	}
	/* a PCI reset may take a while: the driver polls until it reads 0
	 * (rules/pci.c judges a device that never gets there) */
	if (dev->xport == VS__XPORT_PCI && dev->reset_wait && val != 0) {
		if (!dev->pci.reset_nonzero) {
			dev->pci.reset_nonzero = 1;
			dev->pci.reset_stamp = mon->sync_count;
		}
		dev->pci.reset_val = val;
		dev->pci.reset_polls++;
		return;
	}
	if (val == 0)
		dev->reset_wait = 0;
	if (dev->suspend_req) {
		dev->suspend_checked = 1;
		/* spec dev.init.device-suspend.1: not before initialization is done */
		if (dev->suspend_early && (val & VIRTIO_CONFIG_S_SUSPEND))
			vs__violate(mon, dev, -1, VS_R_SUSPEND_DEVICE_IGNORE,
				    "status reads 0x%02x: suspended before DRIVER_OK", val);
		if ((val & VIRTIO_CONFIG_S_SUSPEND) && !(val & VIRTIO_CONFIG_S_DRIVER_OK))
			dev->suspended = 1;
	}
	if (dev->resume_wait && !(val & VIRTIO_CONFIG_S_SUSPEND) &&
	    (val & VIRTIO_CONFIG_S_DRIVER_OK)) {
		dev->resume_wait = 0;
		dev->suspended = 0;
		dev->suspend_req = 0;
	}
	/* spec dev.basic.device-status-field.3: DEVICE_NEEDS_RESET while live
	 * comes with a configuration change notification */
	if (!(val & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET)) {
		dev->cfg_notified = 0;
	} else if (!dev->nr_seen) {
		dev->nr_seen = 1;
		if ((val & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->cfg_notified) {
			dev->nr_pending = 1;
			dev->nr_stamp = mon->sync_count;
		}
	}
	if (dev->features_ok_written && !dev->features_ok_confirmed && !dev->features_ok_refused) {
		if (val & VIRTIO_CONFIG_S_FEATURES_OK) {
			dev->features_ok_confirmed = 1;
			vs__features_ok_result(mon, dev, 1);
		} else {
			dev->features_ok_refused = 1;
			vs__features_ok_result(mon, dev, 0);
		}
	}
	dev->status = val;
}

void vs__kick(struct vs_monitor *mon, struct vs__dev *dev, uint32_t queue, uint32_t raw)
{
	struct vs__queue *q;

	vs__emit(mon, "kick", dev, (int)queue, "value=0x%x", raw);
	/* spec drv.init.device-suspend.4 / .6 */
	if (dev->resume_wait)
		vs__violate(mon, dev, (int)queue, VS_R_SUSPEND_RESUME_WAIT,
			    "queue %u notified before the resume showed in status", queue);
	else if (dev->suspend_req)
		vs__violate(mon, dev, (int)queue, VS_R_SUSPEND_KICK,
			    "queue %u notified after SUSPEND", queue);
	/* spec drv.init.device-initialization.6 */
	else if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		vs__violate(mon, dev, (int)queue, VS_R_INIT_KICK_BEFORE_DRIVER_OK,
			    "queue %u notified with status 0x%02x", queue, dev->status);
	q = vs__queue_get(dev, queue, 0);
	/* 2.3: an available buffer notification says there are buffers in a
	 * virtqueue; a queue the driver has not enabled (QueueReady,
	 * queue_enable, a legacy PFN) holds none the device may look at */
	if (!q || !q->ready)
		vs__violate(mon, dev, (int)queue, VS_R_NOTIFY_QUEUE_NOT_READY,
			    "queue %u notified while %s", queue,
			    q && q->ready_since_reset ? "disabled" : "not enabled since the reset");
	if (q)
		vs__ring_kick(mon, dev, q, raw);
}

void vs__interrupt(struct vs_monitor *mon, struct vs__dev *dev, int has_handler)
{
	/* spec dev.init.device-suspend.3 */
	if (dev->suspended && !dev->resume_wait)
		vs__violate(mon, dev, -1, VS_R_SUSPEND_DEVICE_NOTIFY,
			    "interrupt on line %u while suspended", dev->line);
	/* spec dev.basic.device-reset.2: no notifications after reset until
	 * the driver has initialized the device again (DRIVER_OK) */
	else if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->suspended)
		vs__violate(mon, dev, -1, VS_R_RESET_DEVICE_NOTIFY,
			    "interrupt on line %u with status 0x%02x", dev->line, dev->status);
	for (uint32_t i = 0; i < dev->nq; i++)
		vs__ring_catchup(mon, dev, dev->q[i]);
	vs__notify_interrupt(mon, dev);
	if (dev->xport == VS__XPORT_MMIO)
		vs__mmio_interrupt(mon, dev, has_handler);
}

void vs__config_notified(struct vs_monitor *mon, struct vs__dev *dev)
{
	dev->cfg_notified = 1;
	dev->nr_pending = 0;
}

void vs__status_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	if (!dev->nr_pending || !vs__due(mon, dev->nr_stamp, force))
		return;
	dev->nr_pending = 0;
	vs__violate(mon, dev, -1, VS_R_RESET_NEEDS_RESET_NOTIFY,
		    "status showed DEVICE_NEEDS_RESET with DRIVER_OK and no configuration change notification");
}
