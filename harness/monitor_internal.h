/*
 * monitor_internal.h - state and cross-file functions shared by the
 * monitor core (monitor.c), the transport decoders (monitor_mmio.c) and
 * the rule checks (harness/rules/).  Not for use outside the monitor.
 *
 * Event flow:  tap -> decoder (vs__mmio_access) -> abstract events
 * (vs__status_write, vs__features_write, vs__queue_enable, vs__kick, ...)
 * -> generic checks.  Ring state is caught up from raw guest memory at
 * the points listed in monitor.h; every check reports through
 * vs__violate with a rule index from enum vs__rule.
 */
#ifndef VS_MONITOR_INTERNAL_H
#define VS_MONITOR_INTERNAL_H

#include <stdint.h>

#include "core/arena.h"
#include "core/bus.h"
#include "harness/monitor.h"

/* Rule indices into the table in rules/catalogue.c (same order). */
enum vs__rule {
	/* init: the initialization sequence (3.1, 2.1) */
	VS_R_INIT_STATUS_ORDER,
	VS_R_INIT_FEATURES_OK_CHECK,
	VS_R_INIT_CONTINUE_AFTER_REFUSAL,
	VS_R_INIT_STATUS_CLEAR,
	VS_R_INIT_FAILED_RESET,
	VS_R_INIT_KICK_BEFORE_DRIVER_OK,
	VS_R_INIT_FEATURES_AFTER_FEATURES_OK,
	VS_R_INIT_CONFIG_WRITE_EARLY,
	VS_R_INIT_FEATURES_BEFORE_DRIVER,
	VS_R_INIT_QUEUE_BEFORE_FEATURES_OK,
	/* suspend (3.4) */
	VS_R_SUSPEND_NOT_READY,
	VS_R_SUSPEND_VERIFY,
	VS_R_SUSPEND_AVAIL,
	VS_R_SUSPEND_KICK,
	VS_R_SUSPEND_CONFIG_WRITE,
	VS_R_SUSPEND_RESUME_WAIT,
	VS_R_SUSPEND_DEVICE_IGNORE,
	VS_R_SUSPEND_DEVICE_NOTIFY,
	VS_R_SUSPEND_DEVICE_QUEUE_ACCESS,
	/* reset (2.4) */
	VS_R_RESET_WAIT_READBACK,
	VS_R_RESET_DEVICE_NOTIFY,
	VS_R_RESET_DEVICE_QUEUE_ACCESS,
	VS_R_RESET_NEEDS_RESET_NOTIFY,
	/* virtqueue reset (2.6.1) */
	VS_R_VQRESET_DEVICE_ACCESS,
	VS_R_VQRESET_RECONFIGURE,
	/* features (2.2, 6) */
	VS_R_FEATURES_UNOFFERED,
	VS_R_FEATURES_RESERVED,
	VS_R_FEATURES_OFFER_RESERVED,
	VS_R_FEATURES_VERSION_1,
	VS_R_FEATURES_DEVICE_VERSION_1,
	VS_R_FEATURES_SR_IOV,
	VS_R_FEATURES_OFFER_SR_IOV,
	VS_R_FEATURES_RENEGOTIATION,
	/* config (2.5) */
	VS_R_CONFIG_GENERATION,
	VS_R_CONFIG_READ_UNBRACKETED,
	VS_R_CONFIG_GENERATION_RETRY,
	/* split ring, driver side (2.7) */
	VS_R_SPLIT_AVAIL_IDX_JUMP,
	VS_R_SPLIT_AVAIL_IDX_DECREMENT,
	VS_R_SPLIT_DESC_INDEX,
	VS_R_SPLIT_DESC_LOOP,
	VS_R_SPLIT_CHAIN_BYTES,
	VS_R_SPLIT_CHAIN_TOO_LONG,
	VS_R_SPLIT_DESC_RANGE,
	VS_R_SPLIT_WRITE_BEFORE_READ,
	VS_R_SPLIT_INDIRECT_NOT_NEGOTIATED,
	VS_R_SPLIT_INDIRECT_NESTED,
	VS_R_SPLIT_INDIRECT_NEXT,
	VS_R_SPLIT_INDIRECT_LEN,
	VS_R_SPLIT_HEAD_REUSED,
	VS_R_SPLIT_RING_ALIGNMENT,
	VS_R_SPLIT_RING_RANGE,
	VS_R_SPLIT_QUEUE_SIZE,
	VS_R_SPLIT_USED_FLAGS_INIT,
	VS_R_SPLIT_AVAIL_FLAGS,
	VS_R_SPLIT_AVAIL_FLAGS_EVENT_IDX,
	VS_R_SPLIT_IN_ORDER_NEXT,
	VS_R_SPLIT_IN_ORDER_INDIRECT,
	/* split ring, device side */
	VS_R_SPLIT_USED_ID_RANGE,
	VS_R_SPLIT_USED_ID_NOT_OUTSTANDING,
	VS_R_SPLIT_USED_LEN,
	VS_R_SPLIT_USED_IDX_JUMP,
	VS_R_SPLIT_DEVICE_WRITE_READABLE,
	VS_R_SPLIT_DEVICE_INDIRECT_WRITE,
	VS_R_SPLIT_DEVICE_READ_WRITABLE,
	VS_R_SPLIT_DEVICE_WRITE_DESC,
	VS_R_SPLIT_DEVICE_WRITE_AVAIL,
	VS_R_SPLIT_USED_BEFORE_DRIVER_OK,
	VS_R_SPLIT_USED_FLAGS,
	VS_R_SPLIT_USED_FLAGS_EVENT_IDX,
	VS_R_SPLIT_IN_ORDER,
	VS_R_SPLIT_USED_WRITE_PUBLISHED,
	/* packed ring, driver side (2.8) */
	VS_R_PACKED_QUEUE_SIZE,
	VS_R_PACKED_RING_ALIGNMENT,
	VS_R_PACKED_RING_RANGE,
	VS_R_PACKED_RING_INIT,
	VS_R_PACKED_AVAIL_WRAP,
	VS_R_PACKED_LIST_PARTIAL,
	VS_R_PACKED_LIST_TOO_LONG,
	VS_R_PACKED_RING_OVERFLOW,
	VS_R_PACKED_WRITE_BEFORE_READ,
	VS_R_PACKED_DESC_RANGE,
	VS_R_PACKED_ID_RANGE,
	VS_R_PACKED_ID_IN_USE,
	VS_R_PACKED_INDIRECT_NOT_NEGOTIATED,
	VS_R_PACKED_INDIRECT_FLAGS,
	VS_R_PACKED_INDIRECT_TOO_LONG,
	VS_R_PACKED_INDIRECT_IN_LIST,
	VS_R_PACKED_INDIRECT_LEN,
	VS_R_PACKED_NOTIFY_DATA,
	VS_R_PACKED_DRIVER_EVENT_FLAGS,
	VS_R_PACKED_KICK_SUPPRESSED,
	/* packed ring, device side */
	VS_R_PACKED_USED_WRAP,
	VS_R_PACKED_USED_FLAGS,
	VS_R_PACKED_USED_ID_RANGE,
	VS_R_PACKED_USED_ID_NOT_OUTSTANDING,
	VS_R_PACKED_USED_LEN,
	VS_R_PACKED_DEVICE_WRITE_READABLE,
	VS_R_PACKED_DEVICE_READ_WRITABLE,
	VS_R_PACKED_DEVICE_WRITE_DESC,
	VS_R_PACKED_DEVICE_WRITE_DRIVER_AREA,
	VS_R_PACKED_DEVICE_EVENT_FLAGS,
	VS_R_PACKED_USED_BEFORE_DRIVER_OK,
	VS_R_PACKED_IN_ORDER,
	VS_R_PACKED_NOTIFY_MISSING,
	VS_R_PACKED_NOTIFY_SUPPRESSED,
	/* notifications (2.7.7) */
	VS_R_NOTIFY_USED_MISSING,
	VS_R_NOTIFY_USED_MISSING_EVENT_IDX,
	VS_R_NOTIFY_USED_SUPPRESSED,
	VS_R_NOTIFY_USED_SUPPRESSED_EVENT_IDX,
	VS_R_NOTIFY_AVAIL_SUPPRESSED,
	VS_R_NOTIFY_AVAIL_SUPPRESSED_EVENT_IDX,
	VS_R_NOTIFY_AVAIL_MISSING,
	VS_R_NOTIFY_AVAIL_MISSING_EVENT_IDX,
	VS_R_NOTIFY_QUEUE_NOT_READY,
	/* virtio-mmio register file (4.2), driver side */
	VS_R_MMIO_ACCESS_UNDEFINED,
	VS_R_MMIO_WRITE_READONLY,
	VS_R_MMIO_READ_WRITEONLY,
	VS_R_MMIO_ACCESS_WIDTH,
	VS_R_MMIO_CONFIG_WIDTH,
	VS_R_MMIO_INIT_MAGIC_VERSION,
	VS_R_MMIO_DEVICE_ID_ZERO,
	VS_R_MMIO_DEVICE_ID_UNREAD,
	VS_R_MMIO_BAD_MAGIC_IGNORED,
	VS_R_MMIO_BAD_VERSION_IGNORED,
	VS_R_MMIO_FEATURES_SEL,
	VS_R_MMIO_DRIVER_FEATURES_SEL,
	VS_R_MMIO_QUEUE_SIZE_MAX,
	VS_R_MMIO_QUEUE_SIZE_POW2,
	VS_R_MMIO_QUEUE_READY_ACCESS,
	VS_R_MMIO_QUEUE_READY_READBACK,
	VS_R_MMIO_ACK_UNDEFINED,
	VS_R_MMIO_ISR_NOT_READ,
	VS_R_MMIO_ISR_NOT_ACKED,
	VS_R_MMIO_QUEUE_RESET_READBACK,
	/* virtio-mmio, device side */
	VS_R_MMIO_MAGIC,
	VS_R_MMIO_VERSION,
	VS_R_MMIO_ISR_MISSING_BIT,
	VS_R_MMIO_ISR_UNDEFINED_BITS,
	VS_R_MMIO_ISR_SPURIOUS,
	VS_R_MMIO_RESET_CLEAR,
	VS_R_MMIO_RESET_READBACK,
	VS_R_MMIO_QUEUE_NOT_READY_ACCESS,
	VS_R_MMIO_INTERRUPT_NO_CAUSE,
	VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_RESET,
	VS_R_MMIO_QUEUE_RESET_ZERO_AFTER_ENABLE,
	VS_R_MMIO_QUEUE_RESET_READY,
	/* virtio-mmio legacy version 1 (4.2.4) */
	VS_R_MMIO_LEGACY_PAGE_SIZE,
	VS_R_MMIO_LEGACY_ALIGN,
	VS_R_MMIO_LEGACY_PFN_RESET,
	/* virtio PCI (4.1), driver side */
	VS_R_PCI_WRITE_READONLY,
	VS_R_PCI_ACCESS_WIDTH,
	VS_R_PCI_QUEUE_SIZE_POW2,
	VS_R_PCI_QUEUE_SIZE_ZERO,
	VS_R_PCI_QUEUE_SIZE_MAX,
	VS_R_PCI_QUEUE_ENABLE_EARLY,
	VS_R_PCI_QUEUE_ENABLE_ZERO,
	VS_R_PCI_RESET_WAIT,
	VS_R_PCI_QUEUE_RESET_READBACK,
	VS_R_PCI_MSIX_VECTOR_RANGE,
	VS_R_PCI_MSIX_VECTOR_VERIFY,
	VS_R_PCI_MSIX_VECTOR_UNPROGRAMMED,
	VS_R_PCI_CAP_WRITE,
	VS_R_PCI_CFG_WINDOW_ALIGN,
	VS_R_PCI_CFG_WINDOW_RANGE,
	VS_R_PCI_NOTIFY_WIDTH,
	VS_R_PCI_NOTIFY_VALUE,
	VS_R_PCI_ISR_WITH_MSIX,
	VS_R_PCI_LEGACY_WRITE_READONLY,
	/* virtio PCI, device side */
	VS_R_PCI_VENDOR_ID,
	VS_R_PCI_DEVICE_ID,
	VS_R_PCI_REVISION,
	VS_R_PCI_SUBSYSTEM_ID,
	VS_R_PCI_MODERN_REVISION,
	VS_R_PCI_CAP_LEN,
	VS_R_PCI_COMMON_MISSING,
	VS_R_PCI_COMMON_ALIGN,
	VS_R_PCI_NOTIFY_MISSING,
	VS_R_PCI_NOTIFY_MULTIPLIER,
	VS_R_PCI_NOTIFY_LENGTH,
	VS_R_PCI_ISR_MISSING,
	VS_R_PCI_DEVICE_CFG_ALIGN,
	VS_R_PCI_CFG_CAP_MISSING,
	VS_R_PCI_CAP_RANGE,
	VS_R_PCI_CONFIG_GENERATION,
	VS_R_PCI_RESET_READBACK,
	VS_R_PCI_QUEUE_ENABLE_RESET,
	VS_R_PCI_QUEUE_SIZE_UNAVAILABLE,
	VS_R_PCI_QUEUE_SIZE_EXISTING,
	VS_R_PCI_QUEUE_SIZE_DEVICE_POW2,
	VS_R_PCI_QUEUE_RESET_ZERO,
	VS_R_PCI_QUEUE_RESET_ENABLE,
	VS_R_PCI_MSIX_VECTOR_READBACK,
	VS_R_PCI_MSIX_VECTOR_FAILURE,
	VS_R_PCI_MSIX_RESET,
	VS_R_PCI_MSIX_MASKED,
	VS_R_PCI_MSIX_NO_VECTOR,
	VS_R_PCI_INTX_WITH_MSIX,
	VS_R_PCI_ISR_NOT_CLEARED,
	VS_R_PCI_ISR_QUEUE_BIT,
	/* entropy device (5.4) */
	VS_R_ENTROPY_READABLE_BUFFER,
	VS_R_ENTROPY_ZERO_LEN,
	/* console device (5.3) */
	VS_R_CONSOLE_RX_READABLE,
	VS_R_CONSOLE_TX_WRITABLE,
	VS_R_CONSOLE_DEVICE_READY,
	VS_R_CONSOLE_PORT_OPEN,
	VS_R_CONSOLE_ADD_PORT,
	VS_R_CONSOLE_REMOVE_PORT,
	/* block device (5.2), driver side (rules/blk.c) */
	VS_R_BLK_REQUEST_FRAMING,
	VS_R_BLK_DATA_LEN,
	VS_R_BLK_SEGMENT_LEN,
	VS_R_BLK_GET_ID_LEN,
	VS_R_BLK_BEYOND_CAPACITY,
	VS_R_BLK_SEG_MAX,
	VS_R_BLK_SIZE_MAX,
	VS_R_BLK_FLUSH_SECTOR,
	VS_R_BLK_FLUSH_DATA,
	VS_R_BLK_DISCARD_SEG_MAX,
	VS_R_BLK_WRITE_ZEROES_SEG_MAX,
	VS_R_BLK_DISCARD_UNMAP,
	VS_R_BLK_COMMAND_NOT_NEGOTIATED,
	VS_R_BLK_READ_ONLY_WRITE,
	VS_R_BLK_WRITEBACK_EARLY,
	VS_R_BLK_SECURE_ERASE_SEG_MAX,
	VS_R_BLK_ZONE_RESET_ALL_SECTOR,
	VS_R_BLK_SECURE_ERASE_SECTORS_MAX,
	VS_R_BLK_SECURE_ERASE_ALIGNMENT,
	VS_R_BLK_SECURE_ERASE_FLAGS,
	/* block device, device side */
	VS_R_BLK_USED_LEN,
	VS_R_BLK_STATUS_VALUE,
	VS_R_BLK_STATUS_NOT_WRITTEN,
	VS_R_BLK_READ_ONLY_STATUS,
	VS_R_BLK_UNMAP_STATUS,
	VS_R_BLK_UNKNOWN_FLAGS_STATUS,
	VS_R_BLK_ZONE_STATUS,
	VS_R_BLK_FLUSH_OFFER,
	VS_R_BLK_WRITEBACK_INIT,
	VS_R_BLK_PADDING,
	VS_R_BLK_ZONED_LEGACY,
	VS_R_BLK_ZONED_MODEL,
	VS_R_BLK_ZONED_PADDING,
	VS_R_BLK_LIFETIME_VALUES,
	VS_R_BLK_SECURE_ERASE_ZONE_ALIGNMENT,
	/* network device (5.1), device side (rules/net.c, rules/net_ctrl.c) */
	VS_R_NET_RX_NUM_BUFFERS,
	VS_R_NET_RX_BUFFERS_TOGETHER,
	VS_R_NET_RX_NUM_BUFFERS_ONE,
	VS_R_NET_RX_USED_LEN,
	VS_R_NET_RX_FLAGS_UNNEGOTIATED,
	VS_R_NET_RX_GSO_UNNEGOTIATED,
	VS_R_NET_RX_GSO_UDP_UNNEGOTIATED,
	VS_R_NET_RX_GSO_TCPV6_UNNEGOTIATED,
	VS_R_NET_RX_GSO_USO_UNNEGOTIATED,
	VS_R_NET_RX_GSO_TUNNEL_UNNEGOTIATED,
	VS_R_NET_RX_TUNNEL_CSUM_UNNEGOTIATED,
	VS_R_NET_RX_GSO_ECN,
	VS_R_NET_RX_GSO_NONE,
	VS_R_NET_RX_GSO_CSUM,
	VS_R_NET_RX_RSC_INFO,
	VS_R_NET_RX_RSC_UNNEGOTIATED,
	VS_R_NET_RX_TUNNEL_DATA_VALID,
	VS_R_NET_RX_SECURITY_FLAG,
	VS_R_NET_RX_SECURITY_ERR_FLAG,
	VS_R_NET_RX_CSUM_RANGE,
	VS_R_NET_RX_OVER_MTU,
	VS_R_NET_RX_QUEUE_BEFORE_MQ,
	VS_R_NET_RX_QUEUE_BEYOND_PAIRS,
	VS_R_NET_MAX_PAIRS_RANGE,
	VS_R_NET_MTU_RANGE,
	VS_R_NET_MTU_SMALL,
	VS_R_NET_MTU_CHANGED,
	VS_R_NET_RSS_KEY_SIZE,
	VS_R_NET_RSS_TABLE_LENGTH,
	VS_R_NET_SPEED_VALUE,
	VS_R_NET_DUPLEX_VALUE,
	VS_R_NET_SPEED_DUPLEX_CHANGED,
	VS_R_NET_OFFER_HASH_REPORT,
	VS_R_NET_OFFER_RX_EXTRA,
	VS_R_NET_OFFER_DEPENDS,
	VS_R_NET_CTRL_ACK_VALUE,
	VS_R_NET_CTRL_ACK_NOT_WRITTEN,
	VS_R_NET_CTRL_USED_LEN,
	VS_R_NET_CTRL_RX_UNSUPPORTED,
	VS_R_NET_CTRL_RX_EXTRA_UNSUPPORTED,
	VS_R_NET_CTRL_MAC_CONFIG,
	VS_R_NET_CTRL_NOTF_COAL_VQ_ACK,
	/* network device, driver side */
	VS_R_NET_CONFIG_WRITE,
	VS_R_NET_MAC_NOT_NEGOTIATED,
	VS_R_NET_MTU_NOT_NEGOTIATED,
	VS_R_NET_STANDBY_NOT_NEGOTIATED,
	VS_R_NET_HASH_REPORT_NO_CTRL_VQ,
	VS_R_NET_RX_EXTRA_NO_CTRL_VQ,
	VS_R_NET_FEATURE_DEPENDS,
	VS_R_NET_RX_READABLE,
	VS_R_NET_RX_BUFFER_HEADER,
	VS_R_NET_RX_BUFFER_SMALL_GSO,
	VS_R_NET_RX_BUFFER_SMALL,
	VS_R_NET_RX_BUFFER_MTU,
	VS_R_NET_TX_WRITABLE,
	VS_R_NET_TX_HEADER,
	VS_R_NET_TX_NUM_BUFFERS,
	VS_R_NET_TX_FLAGS_UNNEGOTIATED,
	VS_R_NET_TX_GSO_UNNEGOTIATED,
	VS_R_NET_TX_GSO_TCPV6_UNNEGOTIATED,
	VS_R_NET_TX_GSO_UDP_UNNEGOTIATED,
	VS_R_NET_TX_GSO_USO_UNNEGOTIATED,
	VS_R_NET_TX_GSO_ECN,
	VS_R_NET_TX_GSO_TUNNEL_UNNEGOTIATED,
	VS_R_NET_TX_TUNNEL_FAMILY,
	VS_R_NET_TX_TUNNEL_CSUM_UNNEGOTIATED,
	VS_R_NET_TX_TUNNEL_UDP,
	VS_R_NET_TX_TUNNEL_BOTH,
	VS_R_NET_TX_TUNNEL_CSUM_FLAG,
	VS_R_NET_TX_CSUM_RANGE,
	VS_R_NET_TX_GSO_NONE,
	VS_R_NET_TX_GSO_CSUM,
	VS_R_NET_TX_HDR_LEN,
	VS_R_NET_TX_HDR_LEN_SHORT,
	VS_R_NET_TX_FLAGS_INVALID,
	VS_R_NET_TX_TUNNEL_DATA_VALID,
	VS_R_NET_TX_OVER_MTU,
	VS_R_NET_TX_QUEUE_BEFORE_MQ,
	VS_R_NET_TX_QUEUE_BEYOND_PAIRS,
	VS_R_NET_CTRL_FRAMING,
	VS_R_NET_CTRL_DATA,
	VS_R_NET_CTRL_UNNEGOTIATED,
	VS_R_NET_CTRL_RX_UNNEGOTIATED,
	VS_R_NET_CTRL_RX_EXTRA_UNNEGOTIATED,
	VS_R_NET_CTRL_MAC_UNNEGOTIATED,
	VS_R_NET_CTRL_MAC_TABLE,
	VS_R_NET_ANNOUNCE_ACK_MISSING,
	VS_R_NET_MQ_QUEUES_NOT_READY,
	VS_R_NET_MQ_PAIRS_RANGE,
	VS_R_NET_CTRL_RSS_UNNEGOTIATED,
	VS_R_NET_RSS_TABLE_QUEUE,
	VS_R_NET_RSS_TABLE_SIZE,
	VS_R_NET_RSS_TABLE_MAX,
	VS_R_NET_RSS_HASH_TYPES,
	VS_R_NET_CTRL_OFFLOADS_UNNEGOTIATED,
	VS_R_NET_CTRL_NOTF_COAL_VQ,
	VS_R_NET_CTRL_NOTF_COAL_UNNEGOTIATED,
	VS_R_NET_CTRL_VQ_NOTF_COAL_UNNEGOTIATED,
	VS_R_NET_CTRL_HASH_TUNNEL_UNNEGOTIATED,
	VS_R_NET_CTRL_HASH_TUNNEL_TYPES,
	VS_R_NET_CTRL_RSS_CTX_UNNEGOTIATED,
	VS_R_COUNT
};

extern const struct vs_rule vs__rules[VS_R_COUNT];

#define VS__MAX_DEVS 64
#define VS__MAX_QUEUES 1024 /* per device: queues the driver touched */
#define VS__FEAT_WORDS 4    /* feature bits 0..127 are tracked; above is reserved */
#define VS__CFG_CACHE 32    /* config reads remembered for the generation check */
#define VS__MAX_DEAD 64     /* ring areas of reset / disabled queues */
#define VS__NO_OWNER 0xffffu
#define VS__IN_USED 1
#define VS__IN_AVAIL 2
#define VS__MAX_DIRTY 16

/* Device writes seen by the arena tap, processed at the next event. */
#define VS__DIRTY_USED 1u /* used idx (split), used descriptor flags (packed) */
#define VS__DIRTY_SUP 2u  /* the device's notification suppression fields */

/* Queue registers written since a queue reset (re-enable must redo all). */
#define VS__RECONF_NUM 1u
#define VS__RECONF_DESC 2u
#define VS__RECONF_AVAIL 4u
#define VS__RECONF_USED 8u
#define VS__RECONF_ALL 15u

/* One guest-memory range of an outstanding chain. */
struct vs__seg {
	uint64_t gpa, len;
	uint8_t writable; /* device-writable data buffer */
	uint8_t table;    /* an indirect descriptor table (device-readable) */
	uint8_t wflag;    /* table whose descriptor carries VIRTQ_DESC_F_WRITE */
	uint32_t area;    /* its ring-index entry while outstanding, 0 none */
};

/* What the monitor knows about one available chain, by head index. */
struct vs__chain {
	uint8_t outstanding; /* made available, not yet used */
	uint16_t avail_pos;  /* avail idx value it was published at */
	uint64_t readable, writable; /* total device-readable / -writable bytes */
	uint32_t nseg, segcap;
	struct vs__seg *seg;
	uint32_t ndesc, desccap;
	uint16_t *desc; /* main-table descriptor indices it occupies */
	uint32_t slots; /* packed: ring slots the buffer took */
	uint8_t covered; /* packed, in order: used as part of a later id's batch */
};

struct vs__queue {
	uint32_t index;
	/* as programmed through the transport */
	uint32_t num;
	uint64_t desc, avail, used;
	uint32_t num_max;
	int num_max_known;
	int ready;             /* driver wrote QueueReady=1 (and not 0 since) */
	int ready_since_reset; /* driver enabled it since the last reset */
	int vq_reset_req;      /* QueueReset=1 written, not read back as 0 yet */
	int vq_reset_done;     /* read back as 0; QueueReady must read 0 until enabled */
	unsigned reconf;       /* VS__RECONF_* written since the queue reset */
	/* PCI */
	unsigned written;      /* VS__RECONF_* written since the device reset */
	uint16_t vector;       /* queue_msix_vector as the driver set it (and the device kept) */
	int vector_set;        /* written since the device reset */
	uint32_t notify_off;   /* queue_notify_off as read */
	int notify_off_known;
	/* MMIO version 1 */
	uint32_t legacy_align; /* QueueAlign as written */
	int legacy_align_set;
	/* split-ring tracking, valid while live */
	int live;
	uint32_t lnum;
	uint64_t ldesc, lavail, lused;
	uint16_t avail_shadow; /* avail idx up to which chains are registered */
	uint16_t used_shadow;  /* used idx up to which entries are processed */
	struct vs__chain *chains; /* [lnum] */
	uint16_t *owner;          /* [lnum]: head owning each descriptor */
	uint16_t *fifo;           /* [lnum]: outstanding heads in avail order */
	uint32_t fifo_head, fifo_len;
	uint32_t outstanding;
	/* device writes seen by the arena tap and not processed yet
	 * (VS__DIRTY_*), with the driver's suppression state the device saw
	 * when it published used entries */
	unsigned dirty;
	int snap_valid;
	uint16_t snap_flags, snap_used_event;
	int busy; /* VS__IN_USED | VS__IN_AVAIL: catch-up recursion guard */
	int tainted; /* the driver broke the avail ring: the outstanding count
		      * no longer bounds what the device may complete */
	int dev_broke; /* the device broke the used ring (an id or idx it could
			* not have written): the driver may give the queue up,
			* so it owes no notifications any more */
	/* common to both layouts (monitor_ring.c) */
	struct vs__dev *dev;   /* owner, set when enabled */
	int packed;            /* tracked as a packed ring */
	uint64_t area_len[3];  /* bytes of the descriptor, driver and device areas */
	uint32_t area[3];      /* their ring-index entries, 0 none */
	int dev_tapped;        /* device writes to its area were seen by the arena tap */
	uint64_t susp_stamp;   /* device access that last reported it while suspended */
	struct vs__packed *pk; /* packed-ring state (rules/ring_packed.c), NULL for split */
	/* available buffer notifications (split): what the device's fields
	 * said since the driver's last publish could have happened (total),
	 * and since the last look at the avail ring (win) */
	uint16_t kick_idx;     /* avail idx at the last kick */
	int kick_allow;        /* total: used flags allowed a kick at some point */
	uint16_t kick_min;     /* total: least avail_event - kick_idx */
	int kick_allow_win;
	uint16_t kick_min_win;
	int cur_allow;         /* the fields now: flags allow a kick */
	uint16_t cur_ev;       /* avail_event now */
	/* a kick the driver owes (flags 0 / avail_event crossed all along) */
	uint32_t sup_gen;      /* device writes to used flags / avail_event */
	uint32_t sup_gen_seen; /* sup_gen at the previous avail catch-up */
	int kick_owed;
	uint64_t kick_owed_stamp;
	uint32_t kick_owed_gen;
	uint16_t kick_owed_idx;
};

/* Config-space read remembered for the generation check (2.5). */
struct vs__cfg_read {
	int valid;
	uint32_t off;
	unsigned width;
	uint64_t val;
	int gen_valid;
	uint32_t gen;
};

struct vs__cfg {
	struct vs__cfg_read cache[VS__CFG_CACHE];
	unsigned next;
	int gen_valid;      /* a generation value was read since reset */
	uint32_t gen;       /* the last one */
	int suspect;        /* same field changed under one generation value */
	uint32_t suspect_gen, suspect_off;
	uint64_t suspect_old, suspect_new;
	/* burst: consecutive config reads with no other access in between */
	int last_was_gen;   /* the previous access was a generation read */
	int burst_open, burst_pre_gen, burst_contig, burst_reads;
	uint32_t burst_start, burst_end, burst_bytes;
	uint32_t burst_gen;
	int retry_pending;  /* generation changed across a bracket */
	uint32_t retry_before, retry_after;
};

struct vs__mmio {
	uint32_t dfsel, drvsel, qsel;
	int dfsel_set, drvsel_set;
	int magic_read, version_read;
	int bad_magic, bad_version, id_zero;
	int isr_pending;      /* interrupt delivered, InterruptStatus not read yet */
	uint64_t isr_stamp;
	uint32_t ack_pending; /* bits read from InterruptStatus, not acked yet */
	uint64_t ack_stamp;
	int irq_since_reset;  /* an interrupt since the last reset */
	int irq_seen;         /* an interrupt since the last InterruptStatus read */
	int devid_read;       /* DeviceID read */
	int rb_pending;       /* wrote QueueReady=0 to rb_queue, not read back yet */
	uint32_t rb_queue;
};

enum vs__xport { VS__XPORT_MMIO = 0, VS__XPORT_PCI = 1 };

/* One virtio structure as its capability describes it (4.1.4). */
struct vs__pci_struct {
	int present;  /* the first capability of its type was found */
	uint8_t pos;  /* its place in configuration space */
	uint8_t bar;
	uint32_t off, len;
};

/* An MSI-X table entry as the driver programmed it. */
struct vs__pci_msix {
	uint32_t addr_lo, addr_hi, data, ctrl;
	uint8_t written; /* bit 0: address written, bit 1: data written */
};

/* The PCI decoder's view of one function (monitor_pci.c). */
struct vs__pci {
	unsigned slot;
	uint8_t cfg[256];          /* configuration space as last read or written */
	int ids_checked, layout_parsed;
	uint32_t bar_mask_lo[6], bar_mask_hi[6]; /* read back after writing all-ones */
	uint8_t bar_mask_known[6]; /* bit 0: low half, bit 1: high half */
	uint8_t sizing[6];         /* all-ones written, not read back yet */
	uint8_t bar_flags[6];      /* type bits of each BAR */
	uint64_t bar_size[6];      /* learned by sizing, 0 unknown */
	struct vs__pci_struct common, notify, isr, devcfg, pcicfg;
	uint8_t vcap_pos[16], vcap_len[16], vcap_type[16]; /* every vendor capability */
	uint8_t nvcap;
	uint32_t notify_mult;
	uint8_t msix_pos;          /* 0: no MSI-X capability */
	uint32_t msix_n;           /* table size */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_off, msix_pba_off;
	struct vs__pci_msix *msix; /* [msix_n] */
	int transitional;          /* device id in the transitional range */
	int legacy;                /* the driver uses the legacy I/O header */
	uint32_t dfsel, gfsel;
	uint16_t qsel;
	uint32_t num_queues;
	int num_queues_known;
	uint16_t config_vector;    /* config_msix_vector as the driver set it */
	int config_vector_set;
	int rb_pending;            /* vector written, not read back yet */
	int rb_is_config;
	uint16_t rb_queue, rb_val;
	int reset_nonzero;         /* status read non-zero while a reset was owed */
	uint64_t reset_stamp;
	uint8_t reset_val;
	unsigned reset_polls;      /* non-zero reads since the reset */
	uint8_t isr_last;          /* bits the last ISR read returned */
	int irq_since_isr;         /* an interrupt of this function since then */
	int last_irq_queue_vector; /* the last interrupt was an MSI-X queue vector */
};

struct vs__dev {
	char name[VS_MONITOR_NAME_MAX];
	enum vs__xport xport;
	uint64_t base, size;
	unsigned line, version;
	uint32_t device_id;
	int device_id_known;
	/* device status as the driver last wrote or read it */
	uint8_t status;
	int reset_readback;   /* wrote 0; status not read since (device check) */
	int reset_wait;       /* wrote 0; status not yet read as 0 (driver check) */
	int features_ok_written, features_ok_confirmed, features_ok_refused;
	int failed;           /* FAILED set since the last reset */
	/* DEVICE_NEEDS_RESET (2.1.2) */
	int nr_seen;          /* a status read showed it since reset */
	int cfg_notified;     /* config notification since the last read without it */
	int nr_pending;
	uint64_t nr_stamp;
	/* suspend (3.4) */
	int suspend_req;      /* SUSPEND written, not resumed */
	int suspend_early;    /* ... while DRIVER_OK was not set */
	int suspend_checked;  /* status read since the SUSPEND write */
	int suspended;        /* a read showed SUSPEND=1, DRIVER_OK=0 */
	int resume_wait;      /* DRIVER_OK written to resume, not confirmed yet */
	/* features */
	uint32_t offered[VS__FEAT_WORDS];
	uint32_t offered_known; /* bit w: word w was read */
	uint32_t accepted[VS__FEAT_WORDS];
	uint32_t accepted_ok[VS__FEAT_WORDS]; /* last set the device took with FEATURES_OK */
	int accepted_ok_valid;
	/* queues the driver touched */
	struct vs__queue **q;
	uint32_t nq, capq;
	/* notifications */
	uint64_t used_since_irq, needed_since_irq; /* entries / entries needing a notification */
	uint64_t irq_used, irq_needed;             /* the same, frozen at the last interrupt */
	uint64_t used_since_ack, needed_since_ack; /* since the last used-buffer ack */
	int notify_pending;
	uint64_t notify_stamp;
	int notify_event_idx, notify_queue;
	uint16_t notify_idx;
	int notify_rule;      /* enum vs__rule a missing notification breaks */
	int notify_packed;    /* notify_idx is a packed ring slot */
	struct vs__cfg cfg;
	struct vs__mmio mmio;
	struct vs__pci pci;
	uint32_t legacy_page_size; /* MMIO version 1: GuestPageSize */
	int legacy_page_size_set;
	struct vs__console *con;   /* console device state (rules/console.c), or NULL */
	struct vs__blk *blk;       /* block device state (rules/blk.c), or NULL */
	struct vs__net *net;       /* network device state (rules/net.c), or NULL */
};

/* A ring area of a queue that was reset or disabled: device access to it
 * is a violation until the memory is handed out again. */
struct vs__dead {
	uint64_t gpa, len;
	int dev, queue;
	int reason; /* VS_R_RESET_DEVICE_QUEUE_ACCESS, VS_R_MMIO_QUEUE_NOT_READY_ACCESS
		     * or VS_R_VQRESET_DEVICE_ACCESS */
};

/* The ring memory index (monitor_ring.c): every guest range a device
 * access is judged against, hashed by page. */
enum vs__area_kind {
	VS__AREA_FREE = 0,
	VS__AREA_SEG,    /* a buffer or indirect table of an outstanding chain */
	VS__AREA_DESC,   /* descriptor table (split) or ring (packed) */
	VS__AREA_DRIVER, /* available ring, or driver event suppression */
	VS__AREA_DEVICE, /* used ring, or device event suppression */
};

struct vs__area {
	uint64_t gpa, len;
	uint64_t last;   /* gpa + len - 1, saturated */
	struct vs__queue *q;
	uint32_t head;   /* SEG: split head index, packed buffer id */
	uint8_t kind;    /* enum vs__area_kind */
	uint8_t writable, table, wflag; /* SEG: as its struct vs__seg */
	uint8_t level;   /* granule size it is hashed at; 2: on the big list */
	uint32_t next;   /* free list (id + 1) */
	uint64_t stamp;  /* the last query that reported it */
};

struct vs__ixnode {
	uint64_t page;
	uint32_t area; /* area id + 1 */
	uint32_t next; /* node id + 1 in the bucket or the free list, 0 end */
};

struct vs__index {
	struct vs__area *area;
	uint32_t narea, caparea, free_area;
	struct vs__ixnode *node;
	uint32_t nnode, capnode, free_node, live_nodes;
	uint32_t live_level[2]; /* nodes hashed at each granule size */
	uint32_t *bucket; /* node id + 1 */
	uint32_t nbucket; /* a power of 2 */
	uint32_t *big;    /* area id + 1 */
	uint32_t nbig, capbig;
	uint64_t stamp;
	uint64_t gen;     /* bumped by every insert and removal */
};

struct vs_monitor {
	struct vs_arena *arena;
	struct vs_bus *bus;
	struct vs_irq *irq;
	int enabled;
	int step;
	uint64_t seq;
	uint64_t sync_count;
	struct vs__dev *devs[VS__MAX_DEVS];
	uint32_t ndev;
	struct vs__dead dead[VS__MAX_DEAD];
	uint32_t ndead;
	uint64_t dead_lo, dead_hi; /* the dead areas lie inside [lo, hi) */
	/* ring memory index and device writes pending (monitor_ring.c) */
	struct vs__index ix;
	struct vs__queue *dirty[VS__MAX_DIRTY];
	uint32_t ndirty;
	int dirty_all;      /* the list overflowed: flush every queue */
	uint64_t access_no; /* device accesses seen */
	/* violations, deduplicated through an open-addressing hash */
	struct vs_violation *viol;
	size_t nviol, capviol;
	uint32_t *vhash; /* index + 1, 0 = empty */
	size_t vhash_cap;
	vs_monitor_observer_fn obs;
	void *obs_opaque;
};

/* ---- monitor.c ---- */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void vs__violate(struct vs_monitor *mon, const struct vs__dev *dev, int queue, enum vs__rule rule,
		 const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void vs__emit(struct vs_monitor *mon, const char *kind, const struct vs__dev *dev, int queue,
	      const char *fmt, ...);
/* The queue with this index, created when create is set (NULL when the
 * device already has VS__MAX_QUEUES or memory is short). */
struct vs__queue *vs__queue_get(struct vs__dev *dev, uint32_t index, int create);
/* Negotiated feature bits 0..63 as the driver wrote them. */
uint64_t vs__dev_features(const struct vs__dev *dev);
/* Guest memory as the monitor reads it: raw, no taps.  0 or -EFAULT. */
int vs__mem_read(struct vs_monitor *mon, uint64_t gpa, void *dst, uint64_t len);
int vs__mem_ok(struct vs_monitor *mon, uint64_t gpa, uint64_t len);
/* A check that waits for a later event is due when it was raised before
 * the previous sync (force: at finish). */
int vs__due(const struct vs_monitor *mon, uint64_t stamp, int force);
void vs__dead_add(struct vs_monitor *mon, uint64_t gpa, uint64_t len, int dev, int queue,
		  int reason);
void vs__dead_forget(struct vs_monitor *mon, uint64_t gpa, uint64_t len);
int vs__dev_index(const struct vs_monitor *mon, const struct vs__dev *dev);

/* ---- monitor_mmio.c: the virtio-mmio v2 decoder ---- */
void vs__mmio_access(struct vs_monitor *mon, struct vs__dev *dev, const struct vs_bus_access *acc);
void vs__mmio_interrupt(struct vs_monitor *mon, struct vs__dev *dev, int has_handler);
void vs__mmio_reset(struct vs__dev *dev);
void vs__mmio_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);

/* The legacy interface is in use (MMIO version 1, the PCI legacy
 * header); _legacy: and VIRTIO_F_VERSION_1 was not accepted, so the rules
 * of 3.1.1 that need FEATURES_OK do not apply (3.1.2). */
int vs__dev_legacy_iface(const struct vs__dev *dev);
int vs__dev_legacy(const struct vs__dev *dev);

/* ---- monitor_pci.c: the virtio PCI decoder ---- */
/* Does the access at addr belong to this function (its ECAM window or a
 * BAR it decodes)? */
int vs__pci_claims(const struct vs__dev *dev, uint64_t addr);
void vs__pci_access(struct vs_monitor *mon, struct vs__dev *dev, const struct vs_bus_access *acc);
/* An interrupt on line: the function's INTx or one of its MSI-X messages.
 * Emits and judges when it is this function's; otherwise nothing. */
void vs__pci_irq(struct vs_monitor *mon, struct vs__dev *dev, unsigned line, int has_handler);
void vs__pci_reset(struct vs__dev *dev);
void vs__pci_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);
void vs__pci_free(struct vs__dev *dev);
int vs__pci_msix_on(const struct vs__dev *dev);

/* ---- monitor_pci_regs.c: the registers inside the BARs ---- */
/* One driver access of BAR bar at off (from the bus or the window). */
void vs__pci_bar_access(struct vs_monitor *mon, struct vs__dev *dev, int bar, uint64_t off,
			unsigned width, int is_write, uint64_t val);
/* A vector write waits for its read back: only that read may come next
 * (is_vector_read), anything else breaks the rule. */
void vs__pci_rb_check(struct vs_monitor *mon, struct vs__dev *dev, int is_vector_read);

/* ---- rules/pci.c: register-file and structure checks ---- */
void vs__pci_check_identity(struct vs_monitor *mon, struct vs__dev *dev);
/* After the capability list was walked: presence, lengths, alignment. */
void vs__pci_check_caps(struct vs_monitor *mon, struct vs__dev *dev);
/* Structures inside their BARs, once the BAR sizes are known. */
void vs__pci_check_ranges(struct vs_monitor *mon, struct vs__dev *dev);
/* queue_notify_off read for q: the notify capability must cover it. */
void vs__pci_check_notify(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
void vs__pci_isr_read(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val);
/* A vector register read back: the device's answer, the driver's check. */
void vs__pci_vector_read(struct vs_monitor *mon, struct vs__dev *dev, int is_config,
			 struct vs__queue *q, uint16_t val);
void vs__pci_vector_write(struct vs_monitor *mon, struct vs__dev *dev, int is_config,
			  struct vs__queue *q, uint32_t val);
/* DRIVER_OK set, or a vector mapped while live: every mapped vector must
 * be a programmed table entry. */
void vs__pci_check_vectors(struct vs_monitor *mon, struct vs__dev *dev);
void vs__pci_queue_size_read(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			     uint32_t val);
void vs__pci_queue_size_write(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			      uint32_t val);
/* An MSI-X message on vector v; returns 1 when the config change event is
 * mapped to it. */
int vs__pci_msix_interrupt(struct vs_monitor *mon, struct vs__dev *dev, unsigned v);
void vs__pci_intx_interrupt(struct vs_monitor *mon, struct vs__dev *dev);

/* ---- rules/mmio.c: register-file checks ---- */
const char *vs__mmio_reg_name(uint64_t off);
/* Access-level checks; returns 1 when the access must not be decoded
 * further (undefined register, wrong direction, bad width). */
int vs__mmio_check_access(struct vs_monitor *mon, struct vs__dev *dev, uint64_t off, unsigned width,
			  int is_write, uint64_t val);
void vs__mmio_isr_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val);
void vs__mmio_isr_ack(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val);

/* ---- rules/status.c: status, initialization, reset ---- */
void vs__status_write(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val);
void vs__status_read(struct vs_monitor *mon, struct vs__dev *dev, uint8_t val);
void vs__kick(struct vs_monitor *mon, struct vs__dev *dev, uint32_t queue, uint32_t raw);
void vs__interrupt(struct vs_monitor *mon, struct vs__dev *dev, int has_handler);
/* The transport saw a configuration change notification being taken. */
void vs__config_notified(struct vs_monitor *mon, struct vs__dev *dev);
void vs__status_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);

/* ---- rules/features.c ---- */
void vs__features_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t sel, uint32_t val);
void vs__features_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t sel, uint32_t val);
/* At the FEATURES_OK write: whole-set checks.  At the confirming read:
 * ok is whether the device kept FEATURES_OK. */
void vs__features_ok_written(struct vs_monitor *mon, struct vs__dev *dev);
void vs__features_ok_result(struct vs_monitor *mon, struct vs__dev *dev, int ok);

/* ---- rules/config.c ---- */
void vs__config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		     uint64_t val);
void vs__config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		      uint64_t val);
void vs__config_generation(struct vs_monitor *mon, struct vs__dev *dev, uint32_t val);
/* Any other register access: ends a config read burst. */
void vs__config_other(struct vs_monitor *mon, struct vs__dev *dev);
void vs__config_reset(struct vs__dev *dev);
void vs__config_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);

/* ---- monitor_ring.c: ring tracking common to both layouts ---- */
/* The driver enabled q: start tracking it as a split or packed ring. */
void vs__queue_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
/* Stop tracking; reason says which rule guards the old ring areas. */
void vs__queue_disable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int reason);
/* Free the tracking memory only (monitor teardown: the index goes too). */
void vs__queue_free(struct vs__queue *q);
/* Register chains made available and process used entries published
 * since the last catch-up. */
void vs__ring_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
/* Process the device writes seen by the arena tap since the last event
 * (on every tap: the nothing-pending test is inline). */
void vs__ring_flush_slow(struct vs_monitor *mon);
static inline void vs__ring_flush(struct vs_monitor *mon)
{
	if (mon->ndirty || mon->dirty_all)
		vs__ring_flush_slow(mon);
}
/* A device-side arena access (tap). */
void vs__ring_device_access(struct vs_monitor *mon, uint64_t gpa, uint64_t len, int is_write);
/* An available buffer notification for q (raw: the value written):
 * catch up, then judge it against the device's suppression state. */
void vs__ring_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, uint32_t raw);
/* Judge the ring checks waiting for a later event (an owed kick). */
void vs__ring_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);
/* Free the index (monitor teardown). */
void vs__ring_fini(struct vs_monitor *mon);
/* A device write to q that is processed at the next event. */
void vs__ring_mark_dirty(struct vs_monitor *mon, struct vs__queue *q, unsigned bits);
/* Feature bit (below 64) negotiated, as vs__dev_features. */
static inline int vs__feat(const struct vs__dev *dev, unsigned bit)
{
	return (bit < 32 ? dev->accepted[0] >> bit : dev->accepted[1] >> (bit - 32)) & 1u;
}
/* A 16-bit little-endian field of guest memory; *ok = 0 when unreadable. */
uint16_t vs__rd16(struct vs_monitor *mon, uint64_t gpa, int *ok);
/* Chains: append a buffer (or indirect table) to c (-ENOMEM), put all of
 * c's ranges in the index when it becomes outstanding, take them out
 * when it is used. */
int vs__chain_seg_add(struct vs__chain *c, uint64_t gpa, uint64_t len, int writable, int table,
		      int wflag);
void vs__chain_index(struct vs_monitor *mon, struct vs__queue *q, uint32_t head,
		     struct vs__chain *c);
void vs__chain_unindex(struct vs_monitor *mon, struct vs__chain *c);

/* ---- rules/ring_split.c and rules/ring_packed.c: one layout each ----
 *  _enable:  checks at QueueReady; 0 when tracking starts (lnum, l*,
 *            area_len set), else negative (the queue is not tracked);
 *  _free:    tracking memory;  _catchup: used, then available;
 *  _touch:   the device is touching one of the queue's areas: register
 *            what it may find there (cheap when the access cannot show
 *            it anything new);
 *  _flush:   device writes (VS__DIRTY_*) that landed;
 *  _access:  a device access to one of the ring areas (before a write
 *            lands, after a read);
 *  _kick:    a notification, after catch-up;  _pending: owed checks. */
int vs__split_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
void vs__split_free(struct vs__queue *q);
void vs__split_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
void vs__split_touch(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		     uint64_t gpa, uint64_t len, int is_write);
void vs__split_flush(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     unsigned bits);
void vs__split_access(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		      uint64_t gpa, uint64_t len, int is_write);
void vs__split_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, uint32_t raw);
void vs__split_pending(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int force);
int vs__packed_enable(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
void vs__packed_free(struct vs__queue *q);
void vs__packed_catchup(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q);
void vs__packed_touch(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		      uint64_t gpa, uint64_t len, int is_write);
void vs__packed_flush(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      unsigned bits);
void vs__packed_access(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q, int kind,
		       uint64_t gpa, uint64_t len, int is_write);
void vs__packed_kick(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint32_t raw);

/* ---- rules/notify.c ---- */
/* A batch of used entries old..new-1 on q was processed; snap_* is the
 * driver's suppression state when the device wrote the index. */
void vs__notify_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		     uint16_t old_idx, uint16_t new_idx);
/* n used buffers were published on q.  known: the driver's suppression
 * state at that moment is known, needed: it asked for a notification;
 * missing: the rule a notification that never comes breaks; where: the
 * used idx (split) or ring slot (packed) reached, for the evidence. */
void vs__notify_account(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
			uint64_t n, int known, int needed, enum vs__rule missing, unsigned where);
void vs__notify_interrupt(struct vs_monitor *mon, struct vs__dev *dev);
/* InterruptStatus (or ISR) read with a used-buffer cause and no config cause. */
void vs__notify_isr_used(struct vs_monitor *mon, struct vs__dev *dev);
void vs__notify_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);

/* ---- rules/entropy.c: per device type ---- */
void vs__devtype_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		       uint16_t head, const struct vs__chain *c);
void vs__devtype_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, const struct vs__chain *c, uint32_t len);

/* The device type's other events, dispatched from rules/entropy.c: a
 * config read by the driver, a reset (status 0 written; called first,
 * while status and features still hold), the checks waiting for a later
 * event, and the device's teardown. */
void vs__devtype_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			     unsigned width, uint64_t val);
void vs__devtype_reset(struct vs_monitor *mon, struct vs__dev *dev);
void vs__devtype_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);
void vs__devtype_free(struct vs__dev *dev);

/* ---- rules/console.c: console device (5.3), called from rules/entropy.c ---- */
void vs__console_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		       uint16_t head, const struct vs__chain *c);
void vs__console_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		      uint16_t head, const struct vs__chain *c, uint32_t len);
void vs__console_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			     unsigned width, uint64_t val);
void vs__console_reset(struct vs_monitor *mon, struct vs__dev *dev);
void vs__console_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);
void vs__console_free(struct vs__dev *dev);

/* A driver write to device config (rules/config.c), and a device-side
 * write into guest memory (the arena tap, after the ring code saw it):
 * dispatched to the device types from rules/entropy.c. */
void vs__devtype_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			      unsigned width, uint64_t val);
void vs__devtype_device_write(struct vs_monitor *mon, uint64_t gpa, uint64_t len);

/* ---- rules/blk.c: block device (5.2), called from rules/entropy.c ---- */
void vs__blk_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, const struct vs__chain *c);
void vs__blk_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		  uint16_t head, const struct vs__chain *c, uint32_t len);
void vs__blk_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			 unsigned width, uint64_t val);
void vs__blk_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, uint64_t val);
void vs__blk_device_write(struct vs_monitor *mon, struct vs__dev *dev, uint64_t gpa,
			  uint64_t len);
void vs__blk_reset(struct vs_monitor *mon, struct vs__dev *dev);
void vs__blk_free(struct vs__dev *dev);

/* ---- rules/net.c and rules/net_ctrl.c: network device (5.1), called
 * from rules/entropy.c; _pending judges the checks that wait for a sync
 * (a packet whose buffers never all came, an owed ANNOUNCE_ACK) ---- */
void vs__net_chain(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		   uint16_t head, const struct vs__chain *c);
void vs__net_used(struct vs_monitor *mon, struct vs__dev *dev, struct vs__queue *q,
		  uint16_t head, const struct vs__chain *c, uint32_t len);
void vs__net_config_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			 unsigned width, uint64_t val);
void vs__net_config_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off,
			  unsigned width, uint64_t val);
void vs__net_device_write(struct vs_monitor *mon, struct vs__dev *dev, uint64_t gpa,
			  uint64_t len);
void vs__net_reset(struct vs_monitor *mon, struct vs__dev *dev);
void vs__net_pending(struct vs_monitor *mon, struct vs__dev *dev, int force);
void vs__net_free(struct vs__dev *dev);

#endif /* VS_MONITOR_INTERNAL_H */
