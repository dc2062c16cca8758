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
