/*
 * linux/virtio_console.h - the console device's configuration layout, as
 * a driver reads it with virtio_cread (spec 5.3.4).  Feature bits, control
 * events and the control message layout come from the one ABI header.
 */
#ifndef VS_LINUX_VIRTIO_CONSOLE_H
#define VS_LINUX_VIRTIO_CONSOLE_H

#include <linux/compiler.h>

#include "core/virtio_abi.h"

struct virtio_console_config {
	u16 cols;         /* columns of port 0 (VIRTIO_CONSOLE_F_SIZE) */
	u16 rows;         /* rows of port 0 (VIRTIO_CONSOLE_F_SIZE) */
	u32 max_nr_ports; /* VIRTIO_CONSOLE_F_MULTIPORT */
	u32 emerg_wr;     /* VIRTIO_CONSOLE_F_EMERG_WRITE: write a character */
};
_Static_assert(sizeof(struct virtio_console_config) == VS_CONSOLE_CFG_SIZE,
	       "virtio_console_config is 12 bytes");

#endif /* VS_LINUX_VIRTIO_CONSOLE_H */
