/*
 * pci_regs.h - PCI configuration space, MSI-X and the virtio PCI layout
 * (virtio spec 4.1, and the PCI Local Bus facts it relies on), shared by the
 * device-side PCI function, the guest's enumeration and virtio_pci drivers,
 * and the monitor's PCI decoder.  Offsets in bytes, little-endian.
 */
#ifndef VS_PCI_REGS_H
#define VS_PCI_REGS_H

#include <stdint.h>

/* ---- Type-0 configuration header ---- */
#define PCI_VENDOR_ID          0x00 /* 16 */
#define PCI_DEVICE_ID          0x02 /* 16 */
#define PCI_COMMAND            0x04 /* 16 */
#define PCI_STATUS             0x06 /* 16 */
#define PCI_REVISION_ID        0x08 /* 8 */
#define PCI_CLASS_PROG         0x09 /* 8 */
#define PCI_CLASS_DEVICE       0x0a /* 16: sub-class, base class */
#define PCI_HEADER_TYPE        0x0e /* 8 */
#define PCI_BASE_ADDRESS_0     0x10 /* six 32-bit BARs up to 0x24 */
#define PCI_NUM_BARS           6
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID       0x2e
#define PCI_CAPABILITY_LIST    0x34 /* 8: offset of the first capability */
#define PCI_INTERRUPT_LINE     0x3c
#define PCI_INTERRUPT_PIN      0x3d
#define PCI_CFG_SPACE_SIZE     256
#define PCI_CFG_SPACE_EXP_SIZE 4096 /* what one ECAM function window spans */

#define PCI_COMMAND_IO           0x1u
#define PCI_COMMAND_MEMORY       0x2u
#define PCI_COMMAND_MASTER       0x4u
#define PCI_COMMAND_INTX_DISABLE 0x400u
#define PCI_STATUS_INTERRUPT     0x8u
#define PCI_STATUS_CAP_LIST      0x10u
#define PCI_HEADER_TYPE_NORMAL   0x00u
#define PCI_INTERRUPT_PIN_INTA   1u

/* Class codes as the 16-bit word at PCI_CLASS_DEVICE: base class << 8 | sub-class. */
#define PCI_CLASS_STORAGE_SCSI        0x0100u
#define PCI_CLASS_NETWORK_ETHERNET    0x0200u
#define PCI_CLASS_DISPLAY_OTHER       0x0380u
#define PCI_CLASS_COMMUNICATION_OTHER 0x0780u
#define PCI_CLASS_INPUT_OTHER         0x0980u
#define PCI_CLASS_OTHERS              0x00ffu /* unclassified device, "other" */

#define PCI_BASE_ADDRESS_SPACE_IO     0x1u
#define PCI_BASE_ADDRESS_MEM_TYPE_64  0x4u
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x8u
#define PCI_BASE_ADDRESS_MEM_MASK     (~0xfull)
#define PCI_BASE_ADDRESS_IO_MASK      (~0x3ull)

#define PCI_CAP_ID_VNDR  0x09 /* vendor specific: the virtio capabilities */
#define PCI_CAP_ID_MSIX  0x11

/* ---- MSI-X capability and table ---- */
#define PCI_MSIX_FLAGS            2 /* 16: message control */
#define PCI_MSIX_FLAGS_QSIZE      0x7ffu /* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL    0x4000u
#define PCI_MSIX_FLAGS_ENABLE     0x8000u
#define PCI_MSIX_TABLE            4 /* 32: offset | BIR */
#define PCI_MSIX_PBA              8 /* 32: offset | BIR */
#define PCI_MSIX_BIR_MASK         0x7u
#define PCI_MSIX_CAP_SIZE         12
#define PCI_MSIX_ENTRY_SIZE       16
#define PCI_MSIX_ENTRY_LOWER_ADDR 0
#define PCI_MSIX_ENTRY_UPPER_ADDR 4
#define PCI_MSIX_ENTRY_DATA       8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1u

/* ---- virtio PCI ids (spec 4.1.2) ---- */
#define VIRTIO_PCI_VENDOR_ID          0x1af4u
#define VIRTIO_PCI_MODERN_DEVICE_BASE 0x1040u /* + virtio device id */
#define VIRTIO_PCI_TRANS_DEVICE_MIN   0x1000u /* transitional ids 0x1000..0x103f */
#define VIRTIO_PCI_TRANS_DEVICE_MAX   0x103fu
#define VIRTIO_PCI_MODERN_DEVICE_MAX  0x107fu

/* The transitional PCI device id of a virtio device type (spec 4.1.2.1
 * table), 0 when the type has none. */
static inline uint16_t vs_pci_transitional_id(uint32_t virtio_id)
{
	switch (virtio_id) {
	case 1: return 0x1000; /* network */
	case 2: return 0x1001; /* block */
	case 5: return 0x1002; /* traditional memory balloon */
	case 3: return 0x1003; /* console */
	case 8: return 0x1004; /* SCSI host */
	case 4: return 0x1005; /* entropy source */
	case 9: return 0x1009; /* 9P transport */
	default: return 0;
	}
}

/* The virtio device id a transitional PCI device id stands for, 0 when
 * the id is not in the table. */
static inline uint32_t vs_pci_transitional_virtio_id(uint16_t pci_id)
{
	static const uint8_t ids[10] = {1, 2, 5, 3, 8, 4, 0, 0, 0, 9};

	if (pci_id < 0x1000 || pci_id > 0x1009)
		return 0;
	return ids[pci_id - 0x1000];
}

/* ---- virtio vendor capability (spec 4.1.4) ---- */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG 9

/* struct virtio_pci_cap field offsets */
#define VIRTIO_PCI_CAP_VNDR     0 /* 8: PCI_CAP_ID_VNDR */
#define VIRTIO_PCI_CAP_NEXT     1 /* 8 */
#define VIRTIO_PCI_CAP_LEN      2 /* 8 */
#define VIRTIO_PCI_CAP_CFG_TYPE 3 /* 8 */
#define VIRTIO_PCI_CAP_BAR      4 /* 8 */
#define VIRTIO_PCI_CAP_ID       5 /* 8 */
#define VIRTIO_PCI_CAP_OFFSET   8 /* 32 */
#define VIRTIO_PCI_CAP_LENGTH   12 /* 32 */
#define VIRTIO_PCI_CAP_SIZE     16
/* struct virtio_pci_notify_cap adds notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16 /* 32 */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE 20
/* struct virtio_pci_cfg_cap adds pci_cfg_data[4] */
#define VIRTIO_PCI_CFG_CAP_DATA 16
#define VIRTIO_PCI_CFG_CAP_SIZE 20

/* ---- common configuration structure (spec 4.1.4.3) ---- */
#define VIRTIO_PCI_COMMON_DFSELECT      0  /* 32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF            4  /* 32 device_feature (RO) */
#define VIRTIO_PCI_COMMON_GFSELECT      8  /* 32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF            12 /* 32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX          16 /* 16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ          18 /* 16 num_queues (RO) */
#define VIRTIO_PCI_COMMON_STATUS        20 /* 8 device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION 21 /* 8 config_generation (RO) */
#define VIRTIO_PCI_COMMON_Q_SELECT      22 /* 16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE        24 /* 16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX        26 /* 16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE      28 /* 16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF        30 /* 16 queue_notify_off (RO) */
#define VIRTIO_PCI_COMMON_Q_DESCLO      32 /* 64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_DESCHI      36
#define VIRTIO_PCI_COMMON_Q_AVAILLO     40 /* 64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI     44
#define VIRTIO_PCI_COMMON_Q_USEDLO      48 /* 64 queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI      52
#define VIRTIO_PCI_COMMON_Q_NDATA       56 /* 16 queue_notif_config_data (RO) */
#define VIRTIO_PCI_COMMON_Q_RESET       58 /* 16 queue_reset */
#define VIRTIO_PCI_COMMON_ADM_Q_IDX     60 /* 16 admin_queue_index (RO) */
#define VIRTIO_PCI_COMMON_ADM_Q_NUM     62 /* 16 admin_queue_num (RO) */
#define VIRTIO_PCI_COMMON_SIZE          64

#define VIRTIO_MSI_NO_VECTOR 0xffffu

/* ISR status bits (spec 4.1.4.5): read-to-clear. */
#define VIRTIO_PCI_ISR_QUEUE  0x1u
#define VIRTIO_PCI_ISR_CONFIG 0x2u

/* ---- legacy interface: the I/O BAR of a transitional device (spec 4.1.4.10) ---- */
#define VIRTIO_PCI_HOST_FEATURES  0  /* 32 RO */
#define VIRTIO_PCI_GUEST_FEATURES 4  /* 32 */
#define VIRTIO_PCI_QUEUE_PFN      8  /* 32 */
#define VIRTIO_PCI_QUEUE_NUM      12 /* 16 RO */
#define VIRTIO_PCI_QUEUE_SEL      14 /* 16 */
#define VIRTIO_PCI_QUEUE_NOTIFY   16 /* 16 */
#define VIRTIO_PCI_STATUS         18 /* 8 */
#define VIRTIO_PCI_ISR            19 /* 8 RO, read-to-clear */
#define VIRTIO_MSI_CONFIG_VECTOR  20 /* 16, only while MSI-X is enabled */
#define VIRTIO_MSI_QUEUE_VECTOR   22 /* 16, only while MSI-X is enabled */
/* Device config follows at 20, or at 24 while MSI-X is enabled. */
#define VIRTIO_PCI_CONFIG_OFF(msix_enabled) ((msix_enabled) ? 24 : 20)
#define VIRTIO_PCI_LEGACY_HDR_SIZE  24   /* header incl. the MSI-X vector registers */
#define VIRTIO_PCI_QUEUE_ADDR_SHIFT 12   /* PFN unit */
#define VIRTIO_PCI_VRING_ALIGN      4096 /* legacy used-ring alignment */

/* ---- the simulated platform's address map (bus addresses) ---- */
#define VS_PCI_ECAM_BASE   0xe0000000ull /* bus 0: 32 devices x 8 functions x 4 KiB */
#define VS_PCI_ECAM_SIZE   0x00100000ull
#define VS_PCI_ECAM_OFF(dev, fn, reg) (((uint64_t)(dev) << 15) | ((uint64_t)(fn) << 12) | (reg))
#define VS_PCI_MMIO_BASE   0x100000000ull /* window firmware assigns memory BARs from */
#define VS_PCI_MMIO_SIZE   0x100000000ull
/* Port I/O lives on the same bus, offset: inb(port) reads VS_PIO_BASE + port. */
#define VS_PIO_BASE        0x300000000ull
#define VS_PIO_SIZE        0x10000ull
#define VS_PCI_IO_BASE     0x1000u /* window firmware assigns I/O BARs from */
#define VS_PCI_IO_SIZE     0xf000u
/* MSI messages: address in this window, data = the interrupt line (core/irq). */
#define VS_MSI_ADDR_BASE   0xfee00000ull
#define VS_MSI_ADDR_SIZE   0x00100000ull

#endif /* VS_PCI_REGS_H */
