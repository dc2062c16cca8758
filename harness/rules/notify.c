/*
 * notify.c - used buffer notifications and their suppression (spec 2.7.7,
 * and 2.8.10 for packed rings).
 *
 * For each batch of used entries the monitor decides whether the device
 * owed the driver a notification, from the suppression state the driver
 * had published when the device wrote the used idx (avail flags, or
 * used_event with VIRTIO_F_EVENT_IDX), or the used descriptor's flags
 * (the driver event suppression structure; rules/ring_packed.c decides).
 * That state is only known for in-process devices, whose writes the
 * arena tap sees; for a foreign device the monitor makes no claim either
 * way.
 *
 * A notification owed and not delivered by the second sync is a
 * violation; a notification delivered when none was owed is a SHOULD NOT,
 * judged when the driver reads the interrupt cause (a configuration
 * change is a cause of its own).
 */
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

void vs__notify_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint16_t old_idx, uint16_t new_idx)
{
	int event_idx = (vs__dev_features(dev) & VS_BIT(VIRTIO_F_EVENT_IDX)) != 0;
	int known = q->snap_valid;
	int needed = 0;

	q->snap_valid = 0;
	if (known)
		needed = event_idx ? vs_need_event(q->snap_used_event, new_idx, old_idx)
				   : !(q->snap_flags & VRING_AVAIL_F_NO_INTERRUPT);
	vs__notify_account(mon, dev, q, (uint16_t)(new_idx - old_idx), known, needed,
			   event_idx ? VS_R_NOTIFY_USED_MISSING_EVENT_IDX : VS_R_NOTIFY_USED_MISSING,
			   new_idx);
}

void vs__notify_account(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			uint64_t n, int known, int needed, enum vs__rule missing, unsigned where)
{
	dev->used_since_irq += n;
	dev->used_since_ack += n;
	/* unknown counts as owed for the "sent although suppressed" check
	 * and as not owed for the "missing" checks: no claim without data */
	if (!known || needed)
		dev->needed_since_irq += n;
	if (!known || !needed || !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK) || dev->suspended)
		return;
	dev->needed_since_ack += n;
	if (!dev->notify_pending) {
		dev->notify_pending = 1;
		dev->notify_stamp = mon->sync_count;
		dev->notify_event_idx = missing == VS_R_NOTIFY_USED_MISSING_EVENT_IDX;
		dev->notify_rule = (int)missing;
		dev->notify_packed = q->packed;
		dev->notify_queue = (int)q->index;
		dev->notify_idx = (uint16_t)where;
	}
}

void vs__notify_interrupt(struct vs_monitor *mon, struct vs__dev *dev)
{
	dev->notify_pending = 0;
	dev->irq_used = dev->used_since_irq;
	dev->irq_needed = dev->needed_since_irq;
	dev->used_since_irq = 0;
	dev->needed_since_irq = 0;
}

void vs__notify_isr_used(struct vs_monitor *mon, struct vs__dev *dev)
{
	int event_idx = (vs__dev_features(dev) & VS_BIT(VIRTIO_F_EVENT_IDX)) != 0;
	int packed = (vs__dev_features(dev) & VS_BIT(VIRTIO_F_RING_PACKED)) != 0;

	/* spec dev.basic.virtqueues.used-buffer-notification-suppression.2 / .6;
	 * packed: 2.8.10 (the driver disabled events, or its DESC event was
	 * not among the descriptors used) */
	if (dev->irq_used > 0 && dev->irq_needed == 0)
		vs__violate(mon, dev, -1,
			    packed      ? VS_R_PACKED_NOTIFY_SUPPRESSED
			    : event_idx ? VS_R_NOTIFY_USED_SUPPRESSED_EVENT_IDX
					: VS_R_NOTIFY_USED_SUPPRESSED,
			    "used buffer interrupt for %llu used buffer(s), all published while %s",
			    (unsigned long long)dev->irq_used,
			    packed      ? "driver events were disabled or their descriptor not reached"
			    : event_idx ? "used_event was not crossed"
					: "avail flags had NO_INTERRUPT");
	dev->irq_used = 0;
	dev->irq_needed = 0;
}

void vs__notify_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	if (!dev->notify_pending || !vs__due(mon, dev->notify_stamp, force))
		return;
	dev->notify_pending = 0;
	/* spec dev.basic.virtqueues.used-buffer-notification-suppression.3 / .5;
	 * packed: 2.8.10 */
	vs__violate(mon, dev, dev->notify_queue, (enum vs__rule)dev->notify_rule,
		    "queue %d: used %s %u and no interrupt followed", dev->notify_queue,
		    dev->notify_packed ? "descriptors up to ring slot" : "idx reached",
		    dev->notify_idx);
}
