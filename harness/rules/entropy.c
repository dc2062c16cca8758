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
	/* spec drv.entropy.device-operation.1 */
	if (is_rng(dev) && c->readable > 0)
		vs__violate(mon, dev, (int)q->index, VS_R_ENTROPY_READABLE_BUFFER,
			    "queue %u head %u: %llu device-readable bytes in an entropy request",
			    q->index, head, (unsigned long long)c->readable);
}

void vs__devtype_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, const struct vs__chain *c, uint32_t len)
{
	/* spec dev.entropy.device-operation.1: one or more random bytes */
	if (is_rng(dev) && len == 0)
		vs__violate(mon, dev, (int)q->index, VS_R_ENTROPY_ZERO_LEN,
			    "queue %u head %u: used with len 0", q->index, head);
}
