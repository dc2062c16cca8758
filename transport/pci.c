/*
 * pci.c - the virtio PCI function: configuration space, BAR decoding,
 * interrupt routing and reset.  The registers inside the BARs are in
 * pci_common.c (modern), pci_legacy.c (legacy I/O) and pci_msix.c.
 *
 * Configuration space is a 256-byte image that reads return as they are,
 * plus a write mask: a driver write changes only the bits the mask
 * allows (command bits, BAR address bits above the BAR's size, the
 * interrupt line, the MSI-X enable and function mask, the PCI_CFG
 * window's fields), and then the fields it touched take effect: BARs are
 * remapped, MSI-X delivers what was pending, the window performs its
 * access.  Sizing a BAR by writing all-ones therefore reads back the size
 * mask with no special case.  Configuration traffic is enumeration and
 * setup only; nothing here is on a hot path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/virtio_abi.h"
#include "devices/vdev.h"
#include "transport/pci_host.h"
#include "transport/pci_internal.h"

#define LOG_SUBSYS "pci"

static uint16_t cfg16(const struct vs_pci *pci, uint32_t off)
{
	return vs_le16(pci->cfg + off);
}

static uint32_t cfg32(const struct vs_pci *pci, uint32_t off)
{
	return vs_le32(pci->cfg + off);
}

static int overlaps(uint32_t off, unsigned width, uint32_t field, unsigned field_width)
{
	return off < field + field_width && field < off + width;
}

uint16_t vs__vpci_command(const struct vs_pci *pci)
{
	return cfg16(pci, PCI_COMMAND);
}

int vs__vpci_msix_on(const struct vs_pci *pci)
{
	return pci->p.msix_vectors &&
	       (cfg16(pci, VS__PCI_CAP_MSIX + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
}

/* Interrupt Status in the PCI status register: the OR of the ISR bits
 * while MSI-X is off (spec dev.pci.pci-device-layout.isr-status-capability.4). */
static void pci_update_status(struct vs_pci *pci)
{
	uint16_t st = cfg16(pci, PCI_STATUS) & (uint16_t)~PCI_STATUS_INTERRUPT;

	if (!vs__vpci_msix_on(pci) && pci->isr)
		st |= PCI_STATUS_INTERRUPT;
	vs_put_le16(pci->cfg + PCI_STATUS, st);
}

static void pci_raise_intx(struct vs_pci *pci)
{
	int err;

	if (vs__vpci_command(pci) & PCI_COMMAND_INTX_DISABLE)
		return;
	err = vs_irq_raise(pci->irq, pci->intx_line);
	if (err)
		vs_log(VS_LOG_WARN, LOG_SUBSYS, "slot %u: raising INTx line %u failed (%d)",
		       pci->slot, pci->intx_line, err);
}

/* The vdev asks for a notification (spec 4.1.5.3, 4.1.5.4). */
static void pci_interrupt(void *opaque, enum vs_vdev_irq_kind kind, unsigned qidx)
{
	struct vs_pci *pci = opaque;
	uint16_t v;

	/* spec dev.pci.pci-device-layout.isr-status-capability.2: the config
	 * bit is set before any configuration change notification */
	if (kind == VS_VDEV_IRQ_CONFIG)
		pci->isr |= VIRTIO_PCI_ISR_CONFIG;
	if (vs__vpci_msix_on(pci)) {
		v = kind == VS_VDEV_IRQ_CONFIG ? pci->config_vector
		    : qidx < pci->nq ? pci->queue_vector[qidx] : VIRTIO_MSI_NO_VECTOR;
		/* spec dev.pci.pci-specific-initialization-and-device-operation.used-buffer-notifications.1
		 * and ...notification-device-configuration-changes.1: unmapped, no interrupt */
		if (v != VIRTIO_MSI_NO_VECTOR)
			vs__vpci_msix_notify(pci, v);
		pci_update_status(pci);
		return;
	}
	/* spec dev.pci.pci-device-layout.isr-status-capability.3 */
	if (kind == VS_VDEV_IRQ_VRING)
		pci->isr |= VIRTIO_PCI_ISR_QUEUE;
	pci_update_status(pci);
	pci_raise_intx(pci);
}

static const struct vs_vdev_transport_ops pci_transport_ops = {
	.interrupt = pci_interrupt,
};

uint8_t vs__vpci_isr_read(struct vs_pci *pci)
{
	uint8_t v = pci->isr;

	/* spec dev.pci.pci-device-layout.isr-status-capability.5 */
	pci->isr = 0;
	pci_update_status(pci);
	return v;
}

void vs__vpci_reset(struct vs_pci *pci)
{
	vs_vdev_reset(pci->vdev);
	pci->isr = 0;
	pci_update_status(pci);
	/* spec dev.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.7 */
	pci->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < pci->nq; i++)
		pci->queue_vector[i] = VIRTIO_MSI_NO_VECTOR;
	/* events from before the reset are not to be delivered after it */
	vs__vpci_msix_clear_pending(pci);
}

void vs__vpci_set_status(struct vs_pci *pci, uint8_t val)
{
	/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.7 */
	if (val == 0)
		vs__vpci_reset(pci);
	else
		vs_vdev_set_status(pci->vdev, val);
}

uint16_t vs__vpci_map_vector(struct vs_pci *pci, uint32_t val, const char *what)
{
	if (val == VIRTIO_MSI_NO_VECTOR)
		return VIRTIO_MSI_NO_VECTOR;
	/* spec dev.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.9:
	 * a vector outside the table cannot be mapped; say so with NO_VECTOR */
	if (val >= pci->p.msix_vectors) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: %s vector %u outside the table of %u",
		       pci->slot, what, val, pci->p.msix_vectors);
		return VIRTIO_MSI_NO_VECTOR;
	}
	return (uint16_t)val;
}

uint64_t vs__vpci_config_read(struct vs_pci *pci, uint32_t off, unsigned width)
{
	uint8_t b[8] = {0};

	/* past the device's config: nothing there */
	if (width > 8 || vs_vdev_config_read(pci->vdev, off, b, width))
		return 0;
	return vs_le64(b) & (width >= 8 ? ~0ull : (1ull << (8 * width)) - 1);
}

void vs__vpci_config_write(struct vs_pci *pci, uint32_t off, unsigned width, uint64_t val)
{
	uint8_t b[8];

	if (width > 8)
		return;
	vs_put_le64(b, val);
	vs_vdev_config_write(pci->vdev, off, b, width);
}

/* ---- BARs ---- */

/* The address a BAR holds (address bits only). */
static uint64_t bar_addr(const struct vs_pci *pci, int i)
{
	const struct vs__vpci_bar *b = &pci->bar[i];
	uint32_t lo = cfg32(pci, PCI_BASE_ADDRESS_0 + 4u * (unsigned)i);

	if (b->flags & PCI_BASE_ADDRESS_SPACE_IO)
		return lo & (uint32_t)PCI_BASE_ADDRESS_IO_MASK;
	if (b->flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
		return (lo & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK) |
		       ((uint64_t)cfg32(pci, PCI_BASE_ADDRESS_0 + 4u * (unsigned)i + 4) << 32);
	return lo & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
}

/* Where BAR i should be on the bus now; 0 when it must not decode. */
static uint64_t bar_target(const struct vs_pci *pci, int i)
{
	const struct vs__vpci_bar *b = &pci->bar[i];
	uint64_t a = bar_addr(pci, i);
	uint16_t cmd = vs__vpci_command(pci);

	if (!b->size || !a)
		return 0;
	if (b->flags & PCI_BASE_ADDRESS_SPACE_IO) {
		if (!(cmd & PCI_COMMAND_IO) || a >= VS_PIO_SIZE || b->size > VS_PIO_SIZE - a)
			return 0;
		return VS_PIO_BASE + a;
	}
	/* a BAR half-way through sizing holds an address at the top of the
	 * space: it cannot decode there */
	if (!(cmd & PCI_COMMAND_MEMORY) || a + b->size - 1 < a)
		return 0;
	return a;
}

static int bar_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	struct vs__vpci_bar *b = opaque;

	*val = 0;
	switch (b->index) {
	case VS__PCI_BAR_LEGACY:
		return vs__vpci_legacy_read(b->pci, off, width, val);
	case VS__PCI_BAR_MSIX:
		return vs__vpci_msix_read(b->pci, off, width, val);
	default:
		return vs__vpci_modern_read(b->pci, off, width, val);
	}
}

static int bar_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	struct vs__vpci_bar *b = opaque;

	switch (b->index) {
	case VS__PCI_BAR_LEGACY:
		return vs__vpci_legacy_write(b->pci, off, width, val);
	case VS__PCI_BAR_MSIX:
		return vs__vpci_msix_write(b->pci, off, width, val);
	default:
		return vs__vpci_modern_write(b->pci, off, width, val);
	}
}

static const struct vs_bus_region_ops bar_bus_ops = {
	.read = bar_read,
	.write = bar_write,
};

/* Bring every BAR's mapping in line with its address and the command
 * register: unmap what moved or stopped decoding, map what should. */
static void pci_update_bars(struct vs_pci *pci)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct vs__vpci_bar *b = &pci->bar[i];
		uint64_t t = bar_target(pci, i);
		int err;

		if (!b->size)
			continue;
		if (b->mapped && b->mapped_at != t) {
			vs_bus_unmap(pci->bus, b->mapped_at);
			b->mapped = 0;
		}
		if (!t || b->mapped)
			continue;
		err = vs_bus_map(pci->bus, t, b->size, b->name, &bar_bus_ops, b);
		if (err) {
			vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: BAR%d at 0x%llx+0x%llx not mapped (%d)",
			       pci->slot, i, (unsigned long long)t, (unsigned long long)b->size, err);
			continue;
		}
		b->mapped = 1;
		b->mapped_at = t;
	}
}

/* ---- the PCI_CFG access window (spec 4.1.4.9) ---- */

/* The window's BAR, offset and length, or -EINVAL when they name no
 * access the function can make. */
static int window_target(const struct vs_pci *pci, int *bar, uint32_t *off, unsigned *len)
{
	const uint32_t cap = VS__PCI_CAP_PCICFG;
	uint32_t l = cfg32(pci, cap + VIRTIO_PCI_CAP_LENGTH);

	*bar = pci->cfg[cap + VIRTIO_PCI_CAP_BAR];
	*off = cfg32(pci, cap + VIRTIO_PCI_CAP_OFFSET);
	if (*bar >= PCI_NUM_BARS || !pci->bar[*bar].size || (l != 1 && l != 2 && l != 4) ||
	    *off >= pci->bar[*bar].size || l > pci->bar[*bar].size - *off) {
		vs_log(VS_LOG_INFO, LOG_SUBSYS, "slot %u: PCI_CFG window bar %d off 0x%x len %u: no access",
		       pci->slot, *bar, *off, l);
		return -EINVAL;
	}
	*len = l;
	return 0;
}

/* spec dev.pci.pci-device-layout.pci-configuration-access-capability.3 */
static void window_read(struct vs_pci *pci)
{
	struct vs__vpci_bar *b;
	uint64_t v = 0;
	uint32_t off;
	unsigned len;
	int bar;

	if (window_target(pci, &bar, &off, &len))
		return;
	b = &pci->bar[bar];
	bar_read(b, off, len, &v);
	vs_put_le32(pci->cfg + VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, (uint32_t)v);
}

/* spec dev.pci.pci-device-layout.pci-configuration-access-capability.2 */
static void window_write(struct vs_pci *pci)
{
	uint32_t v = cfg32(pci, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA);
	uint32_t off;
	unsigned len;
	int bar;

	if (window_target(pci, &bar, &off, &len))
		return;
	if (len < 4)
		v &= (1u << (8 * len)) - 1;
	bar_write(&pci->bar[bar], off, len, v);
}

/* ---- configuration space accesses (through the host) ---- */

static int pci_cfg_read(void *opaque, uint32_t off, unsigned width, uint32_t *val)
{
	struct vs_pci *pci = opaque;
	uint32_t v = 0;

	/* no extended capabilities: the rest of the 4 KiB reads 0 */
	if (off >= PCI_CFG_SPACE_SIZE) {
		*val = 0;
		return 0;
	}
	if (overlaps(off, width, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 4))
		window_read(pci);
	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)pci->cfg[off + i] << (8 * i);
	*val = v;
	return 0;
}

static int pci_cfg_write(void *opaque, uint32_t off, unsigned width, uint32_t val)
{
	struct vs_pci *pci = opaque;
	uint16_t old_cmd = vs__vpci_command(pci);
	int old_msix = vs__vpci_msix_on(pci);
	const uint32_t msix_ctrl = VS__PCI_CAP_MSIX + PCI_MSIX_FLAGS;

	if (off >= PCI_CFG_SPACE_SIZE)
		return 0;
	for (unsigned i = 0; i < width; i++) {
		uint8_t m = pci->wmask[off + i];

		pci->cfg[off + i] = (uint8_t)((pci->cfg[off + i] & ~m) | ((val >> (8 * i)) & m));
	}
	if (overlaps(off, width, PCI_COMMAND, 2) ||
	    overlaps(off, width, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
		pci_update_bars(pci);
	/* Interrupt Disable cleared with an interrupt still pending: the
	 * level line asserts now, which on our edge lines is one raise. */
	if ((old_cmd & PCI_COMMAND_INTX_DISABLE) &&
	    !(vs__vpci_command(pci) & PCI_COMMAND_INTX_DISABLE) && pci->isr && !vs__vpci_msix_on(pci))
		pci_raise_intx(pci);
	if (pci->p.msix_vectors && overlaps(off, width, msix_ctrl, 2)) {
		if (old_msix != vs__vpci_msix_on(pci))
			pci_update_status(pci);
		vs__vpci_msix_unmasked(pci);
	}
	if (overlaps(off, width, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 4))
		window_write(pci);
	return 0;
}

static const struct vs_pci_function_ops pci_function_ops = {
	.cfg_read = pci_cfg_read,
	.cfg_write = pci_cfg_write,
};

/* ---- building the configuration space ---- */

static uint16_t class_of(uint32_t virtio_id)
{
	switch (virtio_id) {
	case VIRTIO_ID_NET:
		return PCI_CLASS_NETWORK_ETHERNET;
	case VIRTIO_ID_BLOCK:
	case VIRTIO_ID_SCSI:
		return PCI_CLASS_STORAGE_SCSI;
	case VIRTIO_ID_CONSOLE:
		return PCI_CLASS_COMMUNICATION_OTHER;
	case VIRTIO_ID_GPU:
		return PCI_CLASS_DISPLAY_OTHER;
	case VIRTIO_ID_INPUT:
		return PCI_CLASS_INPUT_OTHER;
	default:
		return PCI_CLASS_OTHERS;
	}
}

static void set_wmask(struct vs_pci *pci, uint32_t off, unsigned width, uint32_t mask)
{
	for (unsigned i = 0; i < width; i++)
		pci->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}

static void setup_bar(struct vs_pci *pci, int i, uint64_t size, uint32_t flags, const char *name)
{
	uint32_t reg = PCI_BASE_ADDRESS_0 + 4u * (unsigned)i;
	struct vs__vpci_bar *b = &pci->bar[i];

	b->size = size;
	b->flags = flags;
	b->name = name;
	b->pci = pci;
	b->index = i;
	vs_put_le32(pci->cfg + reg, flags);
	/* address bits above the size are the driver's; the low ones read
	 * back 0, which is how sizing learns the size */
	set_wmask(pci, reg, 4, (uint32_t)~(size - 1) & ((flags & PCI_BASE_ADDRESS_SPACE_IO) ? ~3u : ~15u));
	if (flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
		set_wmask(pci, reg + 4, 4, 0xffffffffu);
}

/* A virtio vendor capability (spec 4.1.4) at pos. */
static void put_vcap(struct vs_pci *pci, uint32_t pos, uint8_t len, uint8_t type, uint8_t bar,
		     uint32_t offset, uint32_t length)
{
	uint8_t *c = pci->cfg + pos;

	c[VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
	c[VIRTIO_PCI_CAP_LEN] = len;
	c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	c[VIRTIO_PCI_CAP_BAR] = bar;
	vs_put_le32(c + VIRTIO_PCI_CAP_OFFSET, offset);
	vs_put_le32(c + VIRTIO_PCI_CAP_LENGTH, length);
}

static void build_config_space(struct vs_pci *pci, uint32_t virtio_id)
{
	uint8_t *c = pci->cfg;
	uint32_t caps[6];
	unsigned ncaps = 0;
	uint32_t notify_len = pci->nq * VS__PCI_NOTIFY_MULT;

	/* spec dev.pci.pci-device-discovery.1 and .2, and 4.1.2.3 */
	vs_put_le16(c + PCI_VENDOR_ID, VIRTIO_PCI_VENDOR_ID);
	vs_put_le16(c + PCI_DEVICE_ID, pci->p.transitional
					       ? vs_pci_transitional_id(virtio_id)
					       : (uint16_t)(VIRTIO_PCI_MODERN_DEVICE_BASE + virtio_id));
	c[PCI_REVISION_ID] = pci->p.transitional ? 0 : 1;
	vs_put_le16(c + PCI_CLASS_DEVICE, class_of(virtio_id));
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	vs_put_le16(c + PCI_STATUS, PCI_STATUS_CAP_LIST);
	vs_put_le16(c + PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR_ID);
	/* transitional: the virtio id (4.1.2.3); modern: the device id,
	 * which is 0x40 or more (spec dev.pci.pci-device-discovery.6) */
	vs_put_le16(c + PCI_SUBSYSTEM_ID, pci->p.transitional ? (uint16_t)virtio_id
						       : (uint16_t)(VIRTIO_PCI_MODERN_DEVICE_BASE + virtio_id));
	c[PCI_INTERRUPT_PIN] = PCI_INTERRUPT_PIN_INTA;
	set_wmask(pci, PCI_COMMAND, 2,
		  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	set_wmask(pci, PCI_INTERRUPT_LINE, 1, 0xff);

	/* the capability list; spec dev.pci.virtio-structure-pci-capabilities.1:
	 * cap_len covers the extra fields */
	put_vcap(pci, VS__PCI_CAP_COMMON, VIRTIO_PCI_CAP_SIZE, VIRTIO_PCI_CAP_COMMON_CFG,
		 VS__PCI_BAR_MODERN, VS__PCI_COMMON_OFF, VIRTIO_PCI_COMMON_SIZE);
	caps[ncaps++] = VS__PCI_CAP_COMMON;
	/* spec dev.pci.pci-device-layout.notification-capability.8: at least 4 */
	put_vcap(pci, VS__PCI_CAP_NOTIFY, VIRTIO_PCI_NOTIFY_CAP_SIZE, VIRTIO_PCI_CAP_NOTIFY_CFG,
		 VS__PCI_BAR_MODERN, VS__PCI_NOTIFY_OFF, notify_len < 4 ? 4 : notify_len);
	vs_put_le32(c + VS__PCI_CAP_NOTIFY + VIRTIO_PCI_NOTIFY_CAP_MULT, VS__PCI_NOTIFY_MULT);
	caps[ncaps++] = VS__PCI_CAP_NOTIFY;
	put_vcap(pci, VS__PCI_CAP_ISR, VIRTIO_PCI_CAP_SIZE, VIRTIO_PCI_CAP_ISR_CFG,
		 VS__PCI_BAR_MODERN, VS__PCI_ISR_OFF, 1);
	caps[ncaps++] = VS__PCI_CAP_ISR;
	if (pci->config_size) {
		put_vcap(pci, VS__PCI_CAP_DEVICE, VIRTIO_PCI_CAP_SIZE, VIRTIO_PCI_CAP_DEVICE_CFG,
			 VS__PCI_BAR_MODERN, VS__PCI_DEVICE_OFF, pci->config_size);
		caps[ncaps++] = VS__PCI_CAP_DEVICE;
	}
	/* the window: bar, offset, length and data are the driver's */
	put_vcap(pci, VS__PCI_CAP_PCICFG, VIRTIO_PCI_CFG_CAP_SIZE, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0);
	set_wmask(pci, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_BAR, 1, 0xff);
	set_wmask(pci, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_OFFSET, 4, 0xffffffffu);
	set_wmask(pci, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_LENGTH, 4, 0xffffffffu);
	set_wmask(pci, VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 4, 0xffffffffu);
	caps[ncaps++] = VS__PCI_CAP_PCICFG;
	if (pci->p.msix_vectors) {
		uint8_t *m = c + VS__PCI_CAP_MSIX;

		m[0] = PCI_CAP_ID_MSIX;
		/* spec dev.pci.pci-specific-initialization-and-device-operation.device-initialization.msi-x-vector-configuration.2 */
		vs_put_le16(m + PCI_MSIX_FLAGS, (uint16_t)(pci->p.msix_vectors - 1));
		vs_put_le32(m + PCI_MSIX_TABLE, VS__PCI_BAR_MSIX);
		vs_put_le32(m + PCI_MSIX_PBA, pci->msix_pba_off | VS__PCI_BAR_MSIX);
		set_wmask(pci, VS__PCI_CAP_MSIX + PCI_MSIX_FLAGS, 2,
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		caps[ncaps++] = VS__PCI_CAP_MSIX;
	}
	c[PCI_CAPABILITY_LIST] = (uint8_t)caps[0];
	for (unsigned i = 0; i + 1 < ncaps; i++)
		c[caps[i] + 1] = (uint8_t)caps[i + 1];
}

int vs_pci_create(struct vs_pci_host *host, struct vs_bus *bus, struct vs_irq *irq,
		  struct vs_vdev *vdev, unsigned slot, unsigned intx_line,
		  const struct vs_pci_params *p, struct vs_pci **out)
{
	static const struct vs_pci_params none = {0, 0};
	uint32_t id;
	uint64_t msix_size = 0;
	struct vs_pci *pci;
	int err;

	if (!host || !bus || !irq || !vdev || !out || slot >= VS_PCI_SLOTS)
		return -EINVAL;
	if (!p)
		p = &none;
	id = vs_vdev_device_id(vdev);
	if (p->msix_vectors > VS__PCI_MSIX_MAX || (p->transitional && !vs_pci_transitional_id(id)) ||
	    id == 0 || id > VIRTIO_PCI_MODERN_DEVICE_MAX - VIRTIO_PCI_MODERN_DEVICE_BASE)
		return -EINVAL;
	pci = calloc(1, sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	pci->host = host;
	pci->bus = bus;
	pci->irq = irq;
	pci->vdev = vdev;
	pci->slot = slot;
	pci->intx_line = intx_line;
	pci->p = *p;
	pci->nq = vs_vdev_num_queues(vdev);
	pci->config_size = vs_vdev_config_size(vdev);
	pci->config_vector = VIRTIO_MSI_NO_VECTOR;
	err = -ENOMEM;
	pci->queue_vector = malloc((pci->nq ? pci->nq : 1) * sizeof(*pci->queue_vector));
	if (!pci->queue_vector)
		goto out_free;
	for (unsigned i = 0; i < pci->nq; i++)
		pci->queue_vector[i] = VIRTIO_MSI_NO_VECTOR;
	err = vs__vpci_msix_init(pci, &msix_size);
	if (err)
		goto out_free_vectors;

	if (p->transitional)
		setup_bar(pci, VS__PCI_BAR_LEGACY, vs__vpci_legacy_size(pci->config_size),
			  PCI_BASE_ADDRESS_SPACE_IO, "virtio-pci-legacy");
	if (p->msix_vectors)
		setup_bar(pci, VS__PCI_BAR_MSIX, msix_size, PCI_BASE_ADDRESS_MEM_TYPE_64,
			  "virtio-pci-msix");
	setup_bar(pci, VS__PCI_BAR_MODERN, VS__PCI_MODERN_SIZE, PCI_BASE_ADDRESS_MEM_TYPE_64,
		  "virtio-pci");
	build_config_space(pci, id);

	/* A transitional function may be driven through the legacy header,
	 * where VIRTIO_F_VERSION_1 cannot even be seen. */
	err = vs_vdev_bind(vdev, &pci_transport_ops, pci, p->transitional ? VS_VDEV_BIND_LEGACY : 0);
	if (err)
		goto out_fini_msix;
	err = vs_pci_host_plug(host, slot, 0, &pci_function_ops, pci);
	if (err)
		goto out_unbind;
	*out = pci;
	return 0;

out_unbind:
	vs_vdev_unbind(vdev);
out_fini_msix:
	vs__vpci_msix_fini(pci);
out_free_vectors:
	free(pci->queue_vector);
out_free:
	free(pci);
	return err;
}

void vs_pci_destroy(struct vs_pci *pci)
{
	if (!pci)
		return;
	for (int i = 0; i < PCI_NUM_BARS; i++)
		if (pci->bar[i].mapped)
			vs_bus_unmap(pci->bus, pci->bar[i].mapped_at);
	vs_pci_host_unplug(pci->host, pci->slot, 0);
	vs_vdev_unbind(pci->vdev);
	vs__vpci_msix_fini(pci);
	free(pci->queue_vector);
	free(pci);
}

struct vs_vdev *vs_pci_vdev(const struct vs_pci *pci)
{
	return pci->vdev;
}

unsigned vs_pci_slot(const struct vs_pci *pci)
{
	return pci->slot;
}

unsigned vs_pci_intx_line(const struct vs_pci *pci)
{
	return pci->intx_line;
}

int vs_pci_msix_enabled(const struct vs_pci *pci)
{
	return vs__vpci_msix_on(pci);
}

uint16_t vs_pci_config_vector(const struct vs_pci *pci)
{
	return pci->config_vector;
}

uint16_t vs_pci_queue_vector(const struct vs_pci *pci, unsigned q)
{
	return q < pci->nq ? pci->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
}

uint8_t vs_pci_isr_peek(const struct vs_pci *pci)
{
	return pci->isr;
}
