/*
 * entropy.c - per device type rules, entropy device (spec 5.4).
 *
 * The device type is what the driver read from DeviceID; a device type
 * the monitor has no rules for passes through.  Other device types add a
 * file each and a case here.
 */
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

static int is_rng(const struct vs__dev *dev)
{
	return dev->device_id_known && dev->device_id == VIRTIO_ID_RNG;
}

void vs__devtype_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		       uint16_t head, const struct vs__chain *c)
{
	vs__console_chain(mon, dev, q, head, c);
	vs__blk_chain(mon, dev, q, head, c);
	vs__net_chain(mon, dev, q, head, c);
	/* spec drv.entropy.device-operation.1 */
	if (is_rng(dev) && c->readable > 0)
		vs__violate(mon, dev, (int)q->index, VS_R_ENTROPY_READABLE_BUFFER,
			    "queue %u head %u: %llu device-readable bytes in an entropy request",
			    q->index, head, (unsigned long long)c->readable);
}

void vs__devtype_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, const struct vs__chain *c, uint32_t len)
{
	vs__console_used(mon, dev, q, head, c, len);
	vs__blk_used(mon, dev, q, head, c, len);
	vs__net_used(mon, dev, q, head, c, len);
	/* spec dev.entropy.device-operation.1: one or more random bytes */
	if (is_rng(dev) && len == 0)
		vs__violate(mon, dev, (int)q->index, VS_R_ENTROPY_ZERO_LEN,
			    "queue %u head %u: used with len 0", q->index, head);
}

void vs__devtype_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			     unsigned width, uint64_t val)
{
	vs__console_config_read(mon, dev, off, width, val);
	vs__blk_config_read(mon, dev, off, width, val);
	vs__net_config_read(mon, dev, off, width, val);
}

void vs__devtype_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			      unsigned width, uint64_t val)
{
	vs__blk_config_write(mon, dev, off, width, val);
	vs__net_config_write(mon, dev, off, width, val);
}

void vs__devtype_device_write(struct vs_monitor *mon, uint64_t gpa, uint64_t len)
{
	for (uint32_t i = 0; i < mon->ndev; i++) {
		vs__blk_device_write(mon, mon->devs[i], gpa, len);
		vs__net_device_write(mon, mon->devs[i], gpa, len);
	}
}

void vs__devtype_reset(struct vs_monitor *mon, struct vs__dev *dev)
{
	vs__console_reset(mon, dev);
	vs__blk_reset(mon, dev);
	vs__net_reset(mon, dev);
}

void vs__devtype_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	vs__console_pending(mon, dev, force);
	vs__net_pending(mon, dev, force);
}

void vs__devtype_free(struct vs__dev *dev)
{
	vs__console_free(dev);
	vs__blk_free(dev);
	vs__net_free(dev);
}
