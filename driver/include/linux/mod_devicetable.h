/* linux/mod_devicetable.h - id tables a bus matches drivers against. */
#ifndef VS_LINUX_MOD_DEVICETABLE_H
#define VS_LINUX_MOD_DEVICETABLE_H

#include <linux/compiler.h>

/* A table ends with an entry whose device is 0 (device id 0 is never a
 * device: virtio-mmio treats it as an empty slot). */
struct virtio_device_id {
	u32 device;
	u32 vendor;
};
#define VIRTIO_DEV_ANY_ID 0xffffffffu

#endif /* VS_LINUX_MOD_DEVICETABLE_H */
