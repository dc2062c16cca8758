/*
 * virtio_abi.h - the virtio wire ABI: every constant and layout both sides
 * and the monitor agree on, written from the virtio specification
 * (virtio-v1.4-cs01, ../shared/spec/).  Feature bits are bit numbers, as the
 * spec and Linux give them (never masks).  Ring layouts are little-endian in
 * guest memory; read and write them only through the vs_le* accessors so a
 * big-endian host or an unaligned field cannot go wrong silently.
 */
#ifndef VS_VIRTIO_ABI_H
#define VS_VIRTIO_ABI_H

#include <stdint.h>
#include <string.h>

/* ---- Device status field (spec 2.1) ---- */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE        1u   /* guest OS has found the device */
#define VIRTIO_CONFIG_S_DRIVER             2u   /* guest OS knows how to drive it */
#define VIRTIO_CONFIG_S_DRIVER_OK          4u   /* driver is set up and ready */
#define VIRTIO_CONFIG_S_FEATURES_OK        8u   /* feature negotiation complete */
#define VIRTIO_CONFIG_S_SUSPEND            0x10u /* driver asks the device to suspend */
#define VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET 0x40u /* device hit an error */
#define VIRTIO_CONFIG_S_FAILED             0x80u /* driver gave up on the device */

/* ---- Reserved feature bits (spec 6), as bit numbers ---- */
#define VIRTIO_TRANSPORT_F_START     28
#define VIRTIO_TRANSPORT_F_END       42
#define VIRTIO_F_NOTIFY_ON_EMPTY     24 /* legacy only */
#define VIRTIO_F_ANY_LAYOUT          27 /* legacy only */
#define VIRTIO_F_INDIRECT_DESC       28
#define VIRTIO_F_EVENT_IDX           29
#define VIRTIO_F_VERSION_1           32
#define VIRTIO_F_ACCESS_PLATFORM     33
#define VIRTIO_F_RING_PACKED         34
#define VIRTIO_F_IN_ORDER            35
#define VIRTIO_F_ORDER_PLATFORM      36
#define VIRTIO_F_SR_IOV              37
#define VIRTIO_F_NOTIFICATION_DATA   38
#define VIRTIO_F_NOTIF_CONFIG_DATA   39
#define VIRTIO_F_RING_RESET          40
#define VIRTIO_F_ADMIN_VQ            41
#define VIRTIO_F_SUSPEND             43

#define VS_BIT(n) (1ull << (n))

/* ---- Device ids (spec 5) ---- */
#define VIRTIO_ID_NET      1
#define VIRTIO_ID_BLOCK    2
#define VIRTIO_ID_CONSOLE  3
#define VIRTIO_ID_RNG      4
#define VIRTIO_ID_BALLOON  5
#define VIRTIO_ID_9P       9
#define VIRTIO_ID_SCSI     8
#define VIRTIO_ID_GPU      16
#define VIRTIO_ID_INPUT    18
#define VIRTIO_ID_VSOCK    19
#define VIRTIO_ID_CRYPTO   20
#define VIRTIO_ID_MEM      24

/* Vendor id our devices report (the PCI vendor id virtio uses). */
#define VS_VIRTIO_VENDOR_ID 0x1af4u

/* ---- Split virtqueue (spec 2.7) ---- */
#define VRING_DESC_F_NEXT     1u /* chain continues via the next field */
#define VRING_DESC_F_WRITE    2u /* buffer is device write-only */
#define VRING_DESC_F_INDIRECT 4u /* buffer holds a table of descriptors */

#define VRING_AVAIL_F_NO_INTERRUPT 1u /* driver: do not interrupt me */
#define VRING_USED_F_NO_NOTIFY     1u /* device: do not kick me */

/* Largest queue a split ring can describe (spec 2.7: Queue Size up to 32768). */
#define VS_VRING_MAX_SIZE 32768u

/* Alignment of the three split-ring areas in VIRTIO 1.x (spec 2.7, table). */
#define VS_VRING_DESC_ALIGN  16u
#define VS_VRING_AVAIL_ALIGN 2u
#define VS_VRING_USED_ALIGN  4u

struct vring_desc {
	uint64_t addr;  /* le64: guest-physical address of the buffer */
	uint32_t len;   /* le32: its length in bytes */
	uint16_t flags; /* le16: VRING_DESC_F_* */
	uint16_t next;  /* le16: index of the next descriptor if F_NEXT */
};
_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc is 16 bytes");

struct vring_used_elem {
	uint32_t id;  /* le32: head index of the completed chain */
	uint32_t len; /* le32: bytes the device wrote into the chain */
};
_Static_assert(sizeof(struct vring_used_elem) == 8, "used elem is 8 bytes");

/* Byte offsets inside the avail (driver) area: flags, idx, ring[num], used_event. */
#define VS_AVAIL_FLAGS        0u
#define VS_AVAIL_IDX          2u
#define VS_AVAIL_RING(i)      (4u + 2u * (uint32_t)(i))
#define VS_AVAIL_USED_EVENT(num) (4u + 2u * (uint32_t)(num))
#define VS_AVAIL_SIZE(num)    (6u + 2u * (uint32_t)(num))
/* Byte offsets inside the used (device) area: flags, idx, ring[num], avail_event. */
#define VS_USED_FLAGS         0u
#define VS_USED_IDX           2u
#define VS_USED_RING(i)       (4u + 8u * (uint32_t)(i))
#define VS_USED_AVAIL_EVENT(num) (4u + 8u * (uint32_t)(num))
#define VS_USED_SIZE(num)     (6u + 8u * (uint32_t)(num))
#define VS_DESC_SIZE(num)     (16u * (uint32_t)(num))

/*
 * vs_need_event - spec 2.7.10: with VIRTIO_F_EVENT_IDX, notify when the
 * other side's event index lies in [old, new).  All arithmetic is mod 2^16.
 */
static inline int vs_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

/* ---- Packed virtqueue (spec 2.8) ---- */
#define VRING_PACKED_DESC_F_AVAIL 7 /* bit number */
#define VRING_PACKED_DESC_F_USED  15
#define VRING_PACKED_EVENT_FLAG_ENABLE  0x0u
#define VRING_PACKED_EVENT_FLAG_DISABLE 0x1u
#define VRING_PACKED_EVENT_FLAG_DESC    0x2u
#define VRING_PACKED_EVENT_F_WRAP_CTR   15

struct vring_packed_desc {
	uint64_t addr;  /* le64 */
	uint32_t len;   /* le32 */
	uint16_t id;    /* le16: buffer id */
	uint16_t flags; /* le16 */
};
_Static_assert(sizeof(struct vring_packed_desc) == 16, "packed desc is 16 bytes");

/* Flags as masks, for building and testing a packed descriptor's flags. */
#define VS_PACKED_F_AVAIL ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define VS_PACKED_F_USED  ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
/* Largest packed queue (spec 2.8: up to 2^15 entries, any size). */
#define VS_PACKED_MAX_SIZE 32768u

/* Driver and device event suppression structures (spec 2.8.14), one each
 * in the driver area and the device area, 4-byte aligned. */
struct vring_packed_desc_event {
	uint16_t off_wrap; /* le16: desc_event_off:15, desc_event_wrap:1 */
	uint16_t flags;    /* le16: VRING_PACKED_EVENT_FLAG_*, reserved bits 0 */
};
_Static_assert(sizeof(struct vring_packed_desc_event) == 4, "event suppression is 4 bytes");
#define VS_PACKED_EVENT_OFF_WRAP 0u
#define VS_PACKED_EVENT_FLAGS    2u
#define VS_PACKED_EVENT_SIZE     4u
#define VS_PACKED_EVENT_ALIGN    4u
#define VS_PACKED_DESC_ALIGN     16u

/* VIRTIO_F_NOTIFICATION_DATA (spec 2.9, 4.2.3.3): the 32-bit notify value
 * is vq index in bits 0-15, next_off in 16-30, next_wrap in bit 31. */
#define VS_NOTIFY_DATA(vq, off, wrap) \
	((uint32_t)(vq) | ((uint32_t)((off) & 0x7fffu) << 16) | ((uint32_t)((wrap) & 1u) << 31))
#define VS_NOTIFY_DATA_VQ(v)   ((uint16_t)((v) & 0xffffu))
#define VS_NOTIFY_DATA_OFF(v)  ((uint16_t)(((v) >> 16) & 0x7fffu))
#define VS_NOTIFY_DATA_WRAP(v) ((unsigned)((v) >> 31))

/* ---- MMIO transport register map (spec 4.2.2, legacy 4.2.4) ---- */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE     0x028 /* legacy */
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_ALIGN         0x03c /* legacy */
#define VIRTIO_MMIO_QUEUE_PFN           0x040 /* legacy */
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW     0x090 /* "QueueDriver" */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH    0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW      0x0a0 /* "QueueDevice" */
#define VIRTIO_MMIO_QUEUE_USED_HIGH     0x0a4
#define VIRTIO_MMIO_SHM_SEL             0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW        0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH       0x0bc
#define VIRTIO_MMIO_QUEUE_RESET         0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100

#define VS_MMIO_MAGIC       0x74726976u /* "virt" little-endian */
#define VS_MMIO_BANK_SIZE   0x200u      /* registers + 256 bytes of config */

/* InterruptStatus / InterruptACK bits (spec 4.2.2). */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change notification */

/* ---- Entropy device (spec 5.4): one request queue, no config, no features ---- */
#define VS_RNG_VQ_REQUEST 0

/* ---- Block device (spec 5.2) ---- */
/* Feature bits (5.2.3), bit numbers. */
#define VIRTIO_BLK_F_BARRIER       0  /* legacy: request barriers */
#define VIRTIO_BLK_F_SIZE_MAX      1  /* size_max: largest segment */
#define VIRTIO_BLK_F_SEG_MAX       2  /* seg_max: most data segments per request */
#define VIRTIO_BLK_F_GEOMETRY      4  /* geometry is valid */
#define VIRTIO_BLK_F_RO            5  /* the device is read-only */
#define VIRTIO_BLK_F_BLK_SIZE      6  /* blk_size: optimal logical block size */
#define VIRTIO_BLK_F_SCSI          7  /* legacy: SCSI packet commands */
#define VIRTIO_BLK_F_FLUSH         9  /* VIRTIO_BLK_T_FLUSH (legacy name: WCE) */
#define VIRTIO_BLK_F_TOPOLOGY      10 /* topology is valid */
#define VIRTIO_BLK_F_CONFIG_WCE    11 /* writeback can be toggled in config */
#define VIRTIO_BLK_F_MQ            12 /* num_queues request queues */
#define VIRTIO_BLK_F_DISCARD       13 /* VIRTIO_BLK_T_DISCARD and its limits */
#define VIRTIO_BLK_F_WRITE_ZEROES  14 /* VIRTIO_BLK_T_WRITE_ZEROES and its limits */
#define VIRTIO_BLK_F_LIFETIME      15 /* VIRTIO_BLK_T_GET_LIFETIME */
#define VIRTIO_BLK_F_SECURE_ERASE  16 /* VIRTIO_BLK_T_SECURE_ERASE and its limits */
#define VIRTIO_BLK_F_ZONED         17 /* a zoned block device */

/* Request types (5.2.6). */
#define VIRTIO_BLK_T_IN            0
#define VIRTIO_BLK_T_OUT           1
#define VIRTIO_BLK_T_SCSI_CMD      2  /* legacy */
#define VIRTIO_BLK_T_SCSI_CMD_OUT  3  /* legacy */
#define VIRTIO_BLK_T_FLUSH         4
#define VIRTIO_BLK_T_FLUSH_OUT     5  /* legacy synonym of FLUSH */
#define VIRTIO_BLK_T_GET_ID        8
#define VIRTIO_BLK_T_GET_LIFETIME  10
#define VIRTIO_BLK_T_DISCARD       11
#define VIRTIO_BLK_T_WRITE_ZEROES  13
#define VIRTIO_BLK_T_SECURE_ERASE  14
#define VIRTIO_BLK_T_ZONE_APPEND   15
#define VIRTIO_BLK_T_ZONE_REPORT   16
#define VIRTIO_BLK_T_ZONE_OPEN     18
#define VIRTIO_BLK_T_ZONE_CLOSE    20
#define VIRTIO_BLK_T_ZONE_FINISH   22
#define VIRTIO_BLK_T_ZONE_RESET    24
#define VIRTIO_BLK_T_ZONE_RESET_ALL 26
#define VIRTIO_BLK_T_BARRIER       0x80000000u /* legacy: high bit of type */

/* Status byte values (5.2.6); 3..6 exist only with VIRTIO_BLK_F_ZONED. */
#define VIRTIO_BLK_S_OK            0
#define VIRTIO_BLK_S_IOERR         1
#define VIRTIO_BLK_S_UNSUPP        2
#define VIRTIO_BLK_S_ZONE_INVALID_CMD     3
#define VIRTIO_BLK_S_ZONE_UNALIGNED_WP    4
#define VIRTIO_BLK_S_ZONE_OPEN_RESOURCE   5
#define VIRTIO_BLK_S_ZONE_ACTIVE_RESOURCE 6

/* Flags of a discard / write zeroes segment (struct virtio_blk_discard_write_zeroes). */
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 0x1u

#define VIRTIO_BLK_SECTOR_SIZE 512u /* the protocol's unit, whatever blk_size says */
#define VIRTIO_BLK_ID_BYTES    20u  /* GET_ID: NUL-padded ASCII, no NUL at 20 chars */

/* The request header (struct virtio_blk_req up to data): type, reserved
 * (legacy ioprio), sector; 16 bytes, device-readable. */
#define VS_BLK_HDR_TYPE     0u  /* le32 */
#define VS_BLK_HDR_RESERVED 4u  /* le32 */
#define VS_BLK_HDR_SECTOR   8u  /* le64 */
#define VS_BLK_HDR_SIZE     16u
/* One discard / write zeroes / secure erase segment: sector, num_sectors, flags. */
#define VS_BLK_SEG_SECTOR     0u  /* le64 */
#define VS_BLK_SEG_NUM        8u  /* le32 */
#define VS_BLK_SEG_FLAGS      12u /* le32: bit 0 unmap, the rest reserved */
#define VS_BLK_SEG_SIZE       16u
/* struct virtio_blk_lifetime, the data of GET_LIFETIME: three le16. */
#define VS_BLK_LIFETIME_PRE_EOL  0u /* pre_eol_info: VIRTIO_BLK_PRE_EOL_INFO_* */
#define VS_BLK_LIFETIME_EST_A    2u /* device_lifetime_est_typ_a (SLC cells) */
#define VS_BLK_LIFETIME_EST_B    4u /* device_lifetime_est_typ_b (MLC cells) */
#define VS_BLK_LIFETIME_SIZE     6u
/* pre_eol_info: share of the reserved blocks consumed; 4.. are reserved. */
#define VIRTIO_BLK_PRE_EOL_INFO_UNDEFINED 0 /* not available */
#define VIRTIO_BLK_PRE_EOL_INFO_NORMAL    1 /* below 80% */
#define VIRTIO_BLK_PRE_EOL_INFO_WARNING   2 /* 80% */
#define VIRTIO_BLK_PRE_EOL_INFO_URGENT    3 /* 90% */
/* A lifetime estimate: 0 undefined, 1..10 used in 10% steps (1: 0-10%),
 * 11 exceeded; 12.. are reserved. */
#define VS_BLK_LIFETIME_EST_EXCEEDED 11

/* struct virtio_blk_config (5.2.4): byte offsets of every field. */
#define VS_BLK_CFG_CAPACITY            0u  /* le64, sectors */
#define VS_BLK_CFG_SIZE_MAX            8u  /* le32 */
#define VS_BLK_CFG_SEG_MAX             12u /* le32 */
#define VS_BLK_CFG_CYLINDERS           16u /* le16 (geometry) */
#define VS_BLK_CFG_HEADS               18u /* u8 */
#define VS_BLK_CFG_SECTORS             19u /* u8 */
#define VS_BLK_CFG_BLK_SIZE            20u /* le32 */
#define VS_BLK_CFG_PHYSICAL_BLOCK_EXP  24u /* u8 (topology) */
#define VS_BLK_CFG_ALIGNMENT_OFFSET    25u /* u8 */
#define VS_BLK_CFG_MIN_IO_SIZE         26u /* le16 */
#define VS_BLK_CFG_OPT_IO_SIZE         28u /* le32 */
#define VS_BLK_CFG_WRITEBACK           32u /* u8: 0 writethrough, 1 writeback */
#define VS_BLK_CFG_UNUSED0             33u /* u8, must be 0 */
#define VS_BLK_CFG_NUM_QUEUES          34u /* le16 */
#define VS_BLK_CFG_MAX_DISCARD_SECTORS 36u /* le32 */
#define VS_BLK_CFG_MAX_DISCARD_SEG     40u /* le32 */
#define VS_BLK_CFG_DISCARD_ALIGNMENT   44u /* le32 */
#define VS_BLK_CFG_MAX_WZ_SECTORS      48u /* le32 */
#define VS_BLK_CFG_MAX_WZ_SEG          52u /* le32 */
#define VS_BLK_CFG_WZ_MAY_UNMAP        56u /* u8 */
#define VS_BLK_CFG_UNUSED1             57u /* u8[3], must be 0 */
#define VS_BLK_CFG_MAX_SE_SECTORS      60u /* le32 */
#define VS_BLK_CFG_MAX_SE_SEG          64u /* le32 */
#define VS_BLK_CFG_SE_ALIGNMENT        68u /* le32 */
#define VS_BLK_CFG_ZONED               72u /* struct virtio_blk_zoned_characteristics, 24 bytes */
#define VS_BLK_CFG_ZONE_SECTORS        72u /* le32, the first field of zoned */
#define VS_BLK_CFG_SIZE                96u

/* ---- Console device (spec 5.3) ---- */
/* Feature bits (5.3.3), as bit numbers. */
#define VIRTIO_CONSOLE_F_SIZE        0 /* cols and rows are valid */
#define VIRTIO_CONSOLE_F_MULTIPORT   1 /* max_nr_ports valid, control queues used */
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2 /* emerg_wr is valid */

/* Virtqueues (5.3.2): port 0's pair, the control pair, then port 1's pair
 * and so on.  Receive queues have even indices, transmit queues odd. */
#define VS_CONSOLE_VQ_RX0    0
#define VS_CONSOLE_VQ_TX0    1
#define VS_CONSOLE_VQ_CTRL_RX 2
#define VS_CONSOLE_VQ_CTRL_TX 3
/* Receive / transmit queue of port p (p >= 0). */
#define VS_CONSOLE_VQ_RX(p) ((p) == 0 ? 0u : 2u + 2u * (uint32_t)(p))
#define VS_CONSOLE_VQ_TX(p) ((p) == 0 ? 1u : 3u + 2u * (uint32_t)(p))
/* The port a data queue belongs to; only for q != 2, 3. */
#define VS_CONSOLE_VQ_PORT(q) ((q) < 2u ? 0u : ((uint32_t)(q) - 2u) / 2u)
/* Queues of a device with max_nr_ports ports (2 without MULTIPORT). */
#define VS_CONSOLE_NUM_QUEUES(ports) (2u * ((uint32_t)(ports) + 1u))

/* struct virtio_console_config (5.3.4): le16 cols, le16 rows,
 * le32 max_nr_ports, le32 emerg_wr.  Byte offsets: */
#define VS_CONSOLE_CFG_COLS         0u
#define VS_CONSOLE_CFG_ROWS         2u
#define VS_CONSOLE_CFG_MAX_NR_PORTS 4u
#define VS_CONSOLE_CFG_EMERG_WR     8u
#define VS_CONSOLE_CFG_SIZE         12u

/* struct virtio_console_control (5.3.6.2): le32 id, le16 event, le16 value. */
struct virtio_console_control {
	uint32_t id;    /* le32: port number */
	uint16_t event; /* le16: VIRTIO_CONSOLE_* below */
	uint16_t value; /* le16: extra information for the event */
};
_Static_assert(sizeof(struct virtio_console_control) == 8, "console control is 8 bytes");
#define VS_CONSOLE_CTRL_ID    0u
#define VS_CONSOLE_CTRL_EVENT 4u
#define VS_CONSOLE_CTRL_VALUE 6u

/* struct virtio_console_resize, after a RESIZE message: le16 cols, le16 rows. */
struct virtio_console_resize {
	uint16_t cols; /* le16 */
	uint16_t rows; /* le16 */
};
_Static_assert(sizeof(struct virtio_console_resize) == 4, "console resize is 4 bytes");

/* Control events (5.3.6.2). */
#define VIRTIO_CONSOLE_DEVICE_READY  0 /* driver: ready for control messages */
#define VIRTIO_CONSOLE_DEVICE_ADD    1 /* device: a new port */
#define VIRTIO_CONSOLE_DEVICE_REMOVE 2 /* device: a port went away */
#define VIRTIO_CONSOLE_PORT_READY    3 /* driver: port set up (value 1) or failed (0) */
#define VIRTIO_CONSOLE_CONSOLE_PORT  4 /* device: this port is a console */
#define VIRTIO_CONSOLE_RESIZE        5 /* device: new size follows */
#define VIRTIO_CONSOLE_PORT_OPEN     6 /* both: port opened (1) or closed (0) */
#define VIRTIO_CONSOLE_PORT_NAME     7 /* device: UTF-8 name follows, no NUL */
/* The id a message that names no port carries (DEVICE_READY), as Linux sends it. */
#define VS_CONSOLE_BAD_ID 0xffffffffu

/* ---- virtio-net (spec 5.1) ---- */

/* Feature bits (5.1.3); 6 (GSO) is legacy only. */
#define VIRTIO_NET_F_CSUM              0  /* device takes partial checksums */
#define VIRTIO_NET_F_GUEST_CSUM        1  /* driver takes partial checksums */
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU               3  /* mtu is valid */
#define VIRTIO_NET_F_MAC               5  /* mac is valid */
#define VIRTIO_NET_F_GSO               6  /* legacy */
#define VIRTIO_NET_F_GUEST_TSO4        7
#define VIRTIO_NET_F_GUEST_TSO6        8
#define VIRTIO_NET_F_GUEST_ECN         9
#define VIRTIO_NET_F_GUEST_UFO         10
#define VIRTIO_NET_F_HOST_TSO4         11
#define VIRTIO_NET_F_HOST_TSO6         12
#define VIRTIO_NET_F_HOST_ECN          13
#define VIRTIO_NET_F_HOST_UFO          14
#define VIRTIO_NET_F_MRG_RXBUF         15 /* mergeable receive buffers, num_buffers */
#define VIRTIO_NET_F_STATUS            16 /* status is valid */
#define VIRTIO_NET_F_CTRL_VQ           17 /* the control queue exists */
#define VIRTIO_NET_F_CTRL_RX           18 /* RX mode commands */
#define VIRTIO_NET_F_CTRL_VLAN         19 /* VLAN filter commands */
#define VIRTIO_NET_F_CTRL_RX_EXTRA     20 /* ALLUNI, NOMULTI, NOUNI, NOBCAST */
#define VIRTIO_NET_F_GUEST_ANNOUNCE    21 /* driver sends gratuitous packets */
#define VIRTIO_NET_F_MQ                22 /* max_virtqueue_pairs, MQ_VQ_PAIRS_SET */
#define VIRTIO_NET_F_CTRL_MAC_ADDR     23 /* MAC_ADDR_SET */
#define VIRTIO_NET_F_GUEST_USO4        54
#define VIRTIO_NET_F_GUEST_USO6        55
#define VIRTIO_NET_F_HOST_USO          56
#define VIRTIO_NET_F_HASH_REPORT       57
#define VIRTIO_NET_F_GUEST_HDRLEN      59
#define VIRTIO_NET_F_RSS               60
#define VIRTIO_NET_F_RSC_EXT           61
#define VIRTIO_NET_F_STANDBY           62
#define VIRTIO_NET_F_SPEED_DUPLEX      63

/* struct virtio_net_config (5.1.4): byte offsets. */
#define VS_NET_CFG_MAC         0u  /* u8[6] */
#define VS_NET_CFG_STATUS      6u  /* le16, with VIRTIO_NET_F_STATUS */
#define VS_NET_CFG_MAX_PAIRS   8u  /* le16 max_virtqueue_pairs, with MQ or RSS */
#define VS_NET_CFG_MTU         10u /* le16, with VIRTIO_NET_F_MTU */
#define VS_NET_CFG_SPEED       12u /* le32, with SPEED_DUPLEX */
#define VS_NET_CFG_DUPLEX      16u /* u8 */
#define VS_NET_CFG_SIZE        20u /* what virtiosim's device exposes: through duplex
				    * and its padding (RSS fields not offered) */

#define VIRTIO_NET_S_LINK_UP   1u
#define VIRTIO_NET_S_ANNOUNCE  2u

#define VIRTIO_NET_MQ_PAIRS_MIN 1u
#define VIRTIO_NET_MQ_PAIRS_MAX 0x8000u

/* struct virtio_net_hdr (5.1.9) up to num_buffers: 12 bytes when
 * VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF, 10 for a legacy device
 * without MRG_RXBUF (no num_buffers).  HASH_REPORT and tunnel fields are
 * not offered by virtiosim's device. */
#define VS_NET_HDR_FLAGS       0u  /* u8 */
#define VS_NET_HDR_GSO_TYPE    1u  /* u8 */
#define VS_NET_HDR_HDR_LEN     2u  /* le16 */
#define VS_NET_HDR_GSO_SIZE    4u  /* le16 */
#define VS_NET_HDR_CSUM_START  6u  /* le16 */
#define VS_NET_HDR_CSUM_OFFSET 8u  /* le16 */
#define VS_NET_HDR_NUM_BUFFERS 10u /* le16 */
#define VS_NET_HDR_SIZE        12u
#define VS_NET_HDR_SIZE_LEGACY 10u

#define VIRTIO_NET_HDR_F_NEEDS_CSUM   1u
#define VIRTIO_NET_HDR_F_DATA_VALID   2u
#define VIRTIO_NET_HDR_F_RSC_INFO     4u

#define VIRTIO_NET_HDR_GSO_NONE       0u
#define VIRTIO_NET_HDR_GSO_TCPV4      1u
#define VIRTIO_NET_HDR_GSO_UDP        3u
#define VIRTIO_NET_HDR_GSO_TCPV6      4u
#define VIRTIO_NET_HDR_GSO_UDP_L4     5u
#define VIRTIO_NET_HDR_GSO_ECN        0x80u

/* Ethernet framing as the device's wire sees it. */
#define VS_ETH_ALEN            6u
#define VS_ETH_HLEN            14u    /* dst, src, ethertype */
#define VS_ETH_VLAN_HLEN       4u     /* an 802.1Q tag after src */
#define VS_ETH_P_8021Q         0x8100u
#define VS_NET_MTU_DEFAULT     1500u
#define VS_NET_MTU_MIN         68u
#define VS_NET_MAX_GSO_FRAME   65550u /* largest frame behind one header (64 KiB + L2) */

/* Control queue (5.1.9.5): struct virtio_net_ctrl is class, command,
 * command-specific data (device-readable), then the ack byte
 * (device-writable). */
#define VIRTIO_NET_OK   0u
#define VIRTIO_NET_ERR  1u

#define VIRTIO_NET_CTRL_RX             0u
#define VIRTIO_NET_CTRL_RX_PROMISC      0u
#define VIRTIO_NET_CTRL_RX_ALLMULTI     1u
#define VIRTIO_NET_CTRL_RX_ALLUNI       2u
#define VIRTIO_NET_CTRL_RX_NOMULTI      3u
#define VIRTIO_NET_CTRL_RX_NOUNI        4u
#define VIRTIO_NET_CTRL_RX_NOBCAST      5u
#define VIRTIO_NET_CTRL_MAC            1u
#define VIRTIO_NET_CTRL_MAC_TABLE_SET   0u /* le32 entries + macs, unicast then multicast */
#define VIRTIO_NET_CTRL_MAC_ADDR_SET    1u /* u8 mac[6] */
#define VIRTIO_NET_CTRL_VLAN           2u
#define VIRTIO_NET_CTRL_VLAN_ADD        0u /* le16 vid */
#define VIRTIO_NET_CTRL_VLAN_DEL        1u
#define VIRTIO_NET_CTRL_ANNOUNCE       3u
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK    0u /* no data */
#define VIRTIO_NET_CTRL_MQ             4u
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0u /* le16 virtqueue_pairs */
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS 5u
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0u /* le64 offloads */
#define VS_NET_VLAN_MAX        4095u /* vids 0..4095 */

/* Queue indexes: receiveqN = 2(N-1), transmitqN = 2(N-1)+1, controlq =
 * 2 * max_virtqueue_pairs (or 2 without MQ). */

/* ---- Little-endian accessors for guest memory ---- */
static inline uint16_t vs_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | (b[1] << 8));
}

static inline uint32_t vs_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
	       ((uint32_t)b[3] << 24);
}

static inline uint64_t vs_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)vs_le32(b) | ((uint64_t)vs_le32(b + 4) << 32);
}

static inline void vs_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void vs_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void vs_put_le64(void *p, uint64_t v)
{
	vs_put_le32(p, (uint32_t)v);
	vs_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif /* VS_VIRTIO_ABI_H */
