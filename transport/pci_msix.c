/*
 * pci_msix.c - MSI-X of the virtio PCI function: the vector table and
 * pending bit array in BAR2, and message delivery.
 *
 * A vector's message is the address and data the driver programmed into
 * its table entry, sent with vs_irq_msi (core/irq: an address in the MSI
 * window raises line = data).  While the entry's mask bit or the
 * function mask is set, an event only sets the vector's pending bit; the
 * message goes out when both masks are clear again.  Every entry starts
 * masked, as PCI requires.  Table entries take 32- or 64-bit aligned
 * accesses; the PBA is read-only.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/irq.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "transport/pci_internal.h"

#define LOG_SUBSYS "pci"

int vs__vpci_msix_init(struct vs_pci *pci, uint64_t *bar_size)
{
	unsigned n = pci->p.msix_vectors;
	uint64_t size = 4096;

	*bar_size = 0;
	if (!n)
		return 0;
	pci->msix = calloc(n, sizeof(*pci->msix));
	pci->pba = calloc((n + 63) / 64, sizeof(*pci->pba));
	if (!pci->msix || !pci->pba) {
		vs__vpci_msix_fini(pci);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		pci->msix[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	/* the PBA right after the table, in whole 64-bit words */
	pci->msix_pba_off = n * PCI_MSIX_ENTRY_SIZE;
	pci->msix_pba_len = (n + 63) / 64 * 8;
	while (size < (uint64_t)pci->msix_pba_off + pci->msix_pba_len)
		size <<= 1;
	*bar_size = size;
	return 0;
}

void vs__vpci_msix_fini(struct vs_pci *pci)
{
	free(pci->msix);
	free(pci->pba);
	pci->msix = NULL;
	pci->pba = NULL;
}

static int function_masked(const struct vs_pci *pci)
{
	return (vs_le16(pci->cfg + VS__PCI_CAP_MSIX + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL) != 0;
}

static int pending(const struct vs_pci *pci, unsigned v)
{
	return (pci->pba[v / 64] >> (v % 64)) & 1;
}

static void set_pending(struct vs_pci *pci, unsigned v, int on)
{
	if (on)
		pci->pba[v / 64] |= 1ull << (v % 64);
	else
		pci->pba[v / 64] &= ~(1ull << (v % 64));
}

static void msix_send(struct vs_pci *pci, unsigned v)
{
	const struct vs__vpci_msix_entry *e = &pci->msix[v];
	uint64_t addr = e->addr_lo | ((uint64_t)e->addr_hi << 32);
	int err = vs_irq_msi(pci->irq, addr, e->data);

	/* a message to nowhere is lost, as on real hardware */
	if (err)
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: MSI-X vector %u (addr 0x%llx data 0x%x) lost",
		       pci->slot, v, (unsigned long long)addr, e->data);
}

void vs__vpci_msix_notify(struct vs_pci *pci, uint16_t v)
{
	if (v >= pci->p.msix_vectors)
		return;
	if (function_masked(pci) || (pci->msix[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
		set_pending(pci, v, 1);
		return;
	}
	msix_send(pci, v);
}

void vs__vpci_msix_unmasked(struct vs_pci *pci)
{
	if (!vs__vpci_msix_on(pci) || function_masked(pci))
		return;
	for (unsigned v = 0; v < pci->p.msix_vectors; v++) {
		if (!pending(pci, v) || (pci->msix[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT))
			continue;
		set_pending(pci, v, 0);
		msix_send(pci, v);
	}
}

void vs__vpci_msix_clear_pending(struct vs_pci *pci)
{
	for (unsigned i = 0; pci->pba && i < (pci->p.msix_vectors + 63) / 64; i++)
		pci->pba[i] = 0;
}

static uint32_t *entry_word(struct vs_pci *pci, uint64_t off)
{
	struct vs__vpci_msix_entry *e = &pci->msix[off / PCI_MSIX_ENTRY_SIZE];

	switch (off % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		return &e->addr_lo;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		return &e->addr_hi;
	case PCI_MSIX_ENTRY_DATA:
		return &e->data;
	default:
		return &e->ctrl;
	}
}

/* One aligned dword of the table or PBA. */
static uint32_t msix_read32(struct vs_pci *pci, uint64_t off)
{
	uint64_t word;

	if (off < pci->msix_pba_off)
		return *entry_word(pci, off);
	if (off - pci->msix_pba_off >= pci->msix_pba_len)
		return 0;
	word = pci->pba[(off - pci->msix_pba_off) / 8];
	return (uint32_t)(((off - pci->msix_pba_off) & 4) ? word >> 32 : word);
}

static void msix_write32(struct vs_pci *pci, uint64_t off, uint32_t val)
{
	uint32_t *w;
	unsigned v = (unsigned)(off / PCI_MSIX_ENTRY_SIZE);

	if (off >= pci->msix_pba_off)
		return; /* the PBA is read-only */
	w = entry_word(pci, off);
	if (w == &pci->msix[v].ctrl) {
		int was_masked = pci->msix[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT;

		/* only the mask bit is defined; the rest is reserved */
		*w = val & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		if (was_masked && !(val & PCI_MSIX_ENTRY_CTRL_MASKBIT))
			vs__vpci_msix_unmasked(pci);
		return;
	}
	*w = val;
}

int vs__vpci_msix_read(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t *val)
{
	*val = 0;
	if ((width != 4 && width != 8) || off % width) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte MSI-X read at +%llu", pci->slot,
		       width, (unsigned long long)off);
		return 0;
	}
	*val = msix_read32(pci, off);
	if (width == 8)
		*val |= (uint64_t)msix_read32(pci, off + 4) << 32;
	return 0;
}

int vs__vpci_msix_write(struct vs_pci *pci, uint64_t off, unsigned width, uint64_t val)
{
	if ((width != 4 && width != 8) || off % width) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %u-byte MSI-X write at +%llu ignored",
		       pci->slot, width, (unsigned long long)off);
		return 0;
	}
	msix_write32(pci, off, (uint32_t)val);
	if (width == 8)
		msix_write32(pci, off + 4, (uint32_t)(val >> 32));
	return 0;
}
