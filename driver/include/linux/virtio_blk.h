/*
 * linux/virtio_blk.h - the block device's wire format as the driver sees
 * it (the uapi header of Linux): the configuration layout and the request
 * header.  Constants (feature bits, request types, status values) come
 * from the one ABI header; the struct offsets are checked against its
 * byte offsets.  Fields are little-endian in the device; the driver reads
 * them with virtio_cread and writes headers with cpu_to_le*, which are
 * the identity on the little-endian hosts virtiosim runs on.
 */
#ifndef VS_LINUX_VIRTIO_BLK_H
#define VS_LINUX_VIRTIO_BLK_H

#include <stddef.h>

#include <linux/compiler.h>

#include "core/virtio_abi.h"

struct virtio_blk_geometry {
	u16 cylinders;
	u8 heads;
	u8 sectors;
};

struct virtio_blk_config {
	u64 capacity;  /* in 512-byte sectors */
	u32 size_max;  /* VIRTIO_BLK_F_SIZE_MAX: largest segment */
	u32 seg_max;   /* VIRTIO_BLK_F_SEG_MAX: most segments per request */
	struct virtio_blk_geometry geometry;
	u32 blk_size;  /* VIRTIO_BLK_F_BLK_SIZE */
	u8 physical_block_exp; /* VIRTIO_BLK_F_TOPOLOGY: log2 logical blocks per physical */
	u8 alignment_offset;
	u16 min_io_size;       /* in logical blocks */
	u32 opt_io_size;
	u8 wce;        /* writeback: VIRTIO_BLK_F_CONFIG_WCE */
	u8 unused;
	u16 num_queues; /* VIRTIO_BLK_F_MQ */
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
	u32 max_secure_erase_sectors;
	u32 max_secure_erase_seg;
	u32 secure_erase_sector_alignment;
	u8 zoned[24];
};

_Static_assert(offsetof(struct virtio_blk_config, seg_max) == VS_BLK_CFG_SEG_MAX, "seg_max");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == VS_BLK_CFG_BLK_SIZE, "blk_size");
_Static_assert(offsetof(struct virtio_blk_config, opt_io_size) == VS_BLK_CFG_OPT_IO_SIZE,
	       "opt_io_size");
_Static_assert(offsetof(struct virtio_blk_config, wce) == VS_BLK_CFG_WRITEBACK, "wce");
_Static_assert(offsetof(struct virtio_blk_config, num_queues) == VS_BLK_CFG_NUM_QUEUES,
	       "num_queues");
_Static_assert(offsetof(struct virtio_blk_config, max_write_zeroes_seg) == VS_BLK_CFG_MAX_WZ_SEG,
	       "max_write_zeroes_seg");
_Static_assert(offsetof(struct virtio_blk_config, max_secure_erase_sectors) ==
		       VS_BLK_CFG_MAX_SE_SECTORS,
	       "max_secure_erase_sectors");
_Static_assert(offsetof(struct virtio_blk_config, secure_erase_sector_alignment) ==
		       VS_BLK_CFG_SE_ALIGNMENT,
	       "secure_erase_sector_alignment");
_Static_assert(offsetof(struct virtio_blk_config, zoned) == VS_BLK_CFG_ZONED, "zoned");
_Static_assert(sizeof(struct virtio_blk_config) == VS_BLK_CFG_SIZE, "config size");

/* The device-readable header of every request. */
struct virtio_blk_outhdr {
	u32 type;   /* VIRTIO_BLK_T_* */
	u32 ioprio; /* "reserved" in VIRTIO 1.x */
	u64 sector; /* first sector, in 512-byte units */
};
_Static_assert(sizeof(struct virtio_blk_outhdr) == VS_BLK_HDR_SIZE, "outhdr size");

/* One range of a DISCARD, WRITE_ZEROES or SECURE_ERASE request. */
struct virtio_blk_discard_write_zeroes {
	u64 sector;
	u32 num_sectors;
	u32 flags; /* VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP */
};
_Static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == VS_BLK_SEG_SIZE, "range size");

/* The answer of GET_LIFETIME (VIRTIO_BLK_F_LIFETIME). */
struct virtio_blk_lifetime {
	u16 pre_eol_info;              /* VIRTIO_BLK_PRE_EOL_INFO_* */
	u16 device_lifetime_est_typ_a; /* SLC wear: 1..10 in 10% steps, 11 exceeded */
	u16 device_lifetime_est_typ_b; /* MLC wear, the same scale */
};
_Static_assert(sizeof(struct virtio_blk_lifetime) == VS_BLK_LIFETIME_SIZE, "lifetime size");
_Static_assert(offsetof(struct virtio_blk_lifetime, device_lifetime_est_typ_b) ==
		       VS_BLK_LIFETIME_EST_B,
	       "lifetime est b");

#ifndef le16_to_cpu
#define le16_to_cpu(x) ((u16)(x))
#endif
#define cpu_to_le32(x) ((u32)(x))
#define cpu_to_le64(x) ((u64)(x))

#endif /* VS_LINUX_VIRTIO_BLK_H */
