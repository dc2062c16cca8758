/*
 * pci_internal.h - shared between the files of the virtio PCI function
 * only: pci.c (configuration space, BARs, interrupt routing, reset),
 * pci_common.c (the modern BAR: common config, notify, ISR, device
 * config), pci_legacy.c (the legacy I/O BAR) and pci_msix.c (the MSI-X
 * table and PBA).
 */
#ifndef VS_TRANSPORT_PCI_INTERNAL_H
#define VS_TRANSPORT_PCI_INTERNAL_H

#include <stdint.h>

#include "core/pci_regs.h"
#include "transport/pci.h"

/* Which BAR holds what (see pci.h). */
#define VS__PCI_BAR_LEGACY 0
#define VS__PCI_BAR_MSIX   2
#define VS__PCI_BAR_MODERN 4

/* The modern BAR. */
#define VS__PCI_COMMON_OFF  0x0000u
#define VS__PCI_ISR_OFF     0x1000u
#define VS__PCI_DEVICE_OFF  0x2000u
#define VS__PCI_NOTIFY_OFF  0x3000u
#define VS__PCI_MODERN_SIZE 0x4000u
#define VS__PCI_NOTIFY_MULT 4u /* a power of 2, a multiple of 4: fine with NOTIFICATION_DATA */

/* Where the capabilities sit in configuration space. */
#define VS__PCI_CAP_COMMON 0x40u
#define VS__PCI_CAP_NOTIFY 0x50u
#define VS__PCI_CAP_ISR    0x64u
#define VS__PCI_CAP_DEVICE 0x74u
#define VS__PCI_CAP_PCICFG 0x84u
#define VS__PCI_CAP_MSIX   0x98u

#define VS__PCI_MSIX_MAX 2048u /* an 11-bit Table Size field */

struct vs_pci;

/* One BAR: what it is, where the driver put it, whether it decodes. */
struct vs__vpci_bar {
	uint64_t size;      /* 0: not implemented (reads 0, not writable) */
	uint32_t flags;     /* PCI_BASE_ADDRESS_SPACE_IO or PCI_BASE_ADDRESS_MEM_TYPE_64 */
	const char *name;   /* bus region name */
	int mapped;         /* on the bus now */
	uint64_t mapped_at; /* its bus address while mapped */
	struct vs_pci *pci; /* bus opaque: the function ... */
	int index;          /* ... and which BAR */
};

struct vs__vpci_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl; /* the table entry as the driver wrote it */
};

struct vs_pci {
	struct vs_pci_host *host;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_vdev *vdev;
	unsigned slot;
	unsigned intx_line;
	struct vs_pci_params p;
	unsigned nq;            /* the vdev's queue count */
	uint32_t config_size;   /* the vdev's config bytes */

	uint8_t cfg[PCI_CFG_SPACE_SIZE];   /* configuration space as reads see it */
	uint8_t wmask[PCI_CFG_SPACE_SIZE]; /* bits a driver write may change */
	struct vs__vpci_bar bar[PCI_NUM_BARS];

	/* virtio state of the function */
	uint32_t dfsel, gfsel;  /* device / driver feature select */
	uint16_t qsel;          /* queue_select (the legacy header shares it) */
	uint16_t config_vector; /* config_msix_vector */
	uint16_t *queue_vector; /* [nq] queue_msix_vector */
	uint8_t isr;            /* ISR status: VIRTIO_PCI_ISR_* */

	/* MSI-X */
	struct vs__vpci_msix_entry *msix; /* [p.msix_vectors] */
	uint64_t *pba;                   /* pending bits, one per vector */
	uint32_t msix_pba_off;           /* PBA offset in the MSI-X BAR */
	uint32_t msix_pba_len;
};

/* ---- pci.c ---- */
int vs__vpci_msix_on(const struct vs_pci *pci);
uint16_t vs__vpci_command(const struct vs_pci *pci);
/* Device reset on a status write of 0, from either interface. */
void vs__vpci_reset(struct vs_pci *pci);
/* Status write from either interface (0 resets). */
void vs__vpci_set_status(struct vs_pci *pci, uint8_t val);
/* Read the ISR: the bits, then 0 (read-to-clear), INTx status updated. */
uint8_t vs__vpci_isr_read(struct vs_pci *pci);
/* Map a vector written by the driver: itself when the table has it,
 * VIRTIO_MSI_NO_VECTOR otherwise (the mapping failed). */
uint16_t vs__vpci_map_vector(struct vs_pci *pci, uint32_t val, const char *what);
/* Device config window shared by the modern and legacy layouts. */
uint64_t vs__vpci_config_read(struct vs_pci *pci, uint32_t off, unsigned width);
void vs__vpci_config_write(struct vs_pci *pci, uint32_t off, unsigned width, uint64_t val);

/* ---- pci_common.c: the modern BAR ---- */
int vs__vpci_modern_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val);
int vs__vpci_modern_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val);

/* ---- pci_legacy.c: the legacy I/O BAR ---- */
uint32_t vs__vpci_legacy_size(uint32_t config_size);
int vs__vpci_legacy_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val);
int vs__vpci_legacy_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val);

/* ---- pci_msix.c ---- */
/* Allocate the table (every vector masked) and PBA; size the BAR. */
int vs__vpci_msix_init(struct vs_pci *pci, uint64_t *bar_size);
void vs__vpci_msix_fini(struct vs_pci *pci);
int vs__vpci_msix_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val);
int vs__vpci_msix_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val);
/* Send vector v, or hold it pending while masked. */
void vs__vpci_msix_notify(struct vs_pci *pci, uint16_t v);
/* The function mask or enable changed, or an entry was unmasked:
 * deliver what is pending and no longer masked. */
void vs__vpci_msix_unmasked(struct vs_pci *pci);
void vs__vpci_msix_clear_pending(struct vs_pci *pci);

#endif /* VS_TRANSPORT_PCI_INTERNAL_H */
