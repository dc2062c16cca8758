/* linux/virtio_ids.h - device ids (spec 5) come from the one ABI header. */
#ifndef VS_LINUX_VIRTIO_IDS_H
#define VS_LINUX_VIRTIO_IDS_H

#include "core/virtio_abi.h"

#endif /* VS_LINUX_VIRTIO_IDS_H */
