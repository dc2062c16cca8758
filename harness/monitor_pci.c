/*
 * monitor_pci.c - the virtio PCI transport decoder (spec 4.1).
 *
 * A watched function is one slot of the ECAM window.  The decoder keeps a
 * shadow of its configuration space from the driver's accesses and learns:
 *  - the BARs: their type, their size from the driver's sizing (all-ones
 *    written, the mask read back) and their address as assigned; a BAR is
 *    decoded while the command register (as the driver wrote it) enables
 *    its space;
 *  - the layout: at the first configuration access it walks the
 *    capability list itself, reading configuration space with
 *    VS_SIDE_HARNESS (those reads have no side effects; the PCI_CFG
 *    window's data, whose reads do, is never read), and checks identity
 *    and capabilities once (rules/pci.c);
 *  - the MSI-X table as the driver programs it, so an interrupt on a line
 *    maps back to the vector whose data is that line.
 * Accesses to the structures are decoded into the monitor's abstract
 * events (status, features with their select, queue layout and enable,
 * kick, config and generation, ISR) plus PCI's own (vector mapping,
 * legacy queue PFN); a PCI_CFG window access is decoded as the BAR access
 * it makes.  The checks live in rules/pci.c and the generic rules.
 *
 * Runs on every driver access to a watched function's window and BARs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/bus.h"
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

#define CAP_WALK_MAX 48 /* a list longer than the space can hold loops */

static uint16_t sh16(const struct vs__pci *p, uint32_t off)
{
	return vs_le16(p->cfg + off);
}

static uint32_t sh32(const struct vs__pci *p, uint32_t off)
{
	return vs_le32(p->cfg + off);
}

static void sh_store(struct vs__pci *p, uint32_t off, unsigned width, uint32_t val)
{
	for (unsigned i = 0; i < width && off + i < sizeof(p->cfg); i++)
		p->cfg[off + i] = (uint8_t)(val >> (8 * i));
}

static int overlaps(uint32_t off, unsigned width, uint32_t field, unsigned field_width)
{
	return off < field + field_width && field < off + width;
}

/* Configuration space as the function presents it; side effect free. */
static uint32_t hread(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width)
{
	uint64_t v = 0;

	vs_bus_read(mon->bus, VS_SIDE_HARNESS, dev->base + off, width, &v);
	sh_store(&dev->pci, off, width, (uint32_t)v);
	return (uint32_t)v;
}

int vs__pci_msix_on(const struct vs__dev *dev)
{
	const struct vs__pci *p = &dev->pci;

	return p->msix_pos && (sh16(p, p->msix_pos + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE);
}

/* ---- BARs ---- */

static int bar_io(const struct vs__pci *p, int i)
{
	return p->bar_flags[i] & PCI_BASE_ADDRESS_SPACE_IO;
}

static int bar_mem64(const struct vs__pci *p, int i)
{
	return !bar_io(p, i) && (p->bar_flags[i] & 0x6u) == PCI_BASE_ADDRESS_MEM_TYPE_64;
}

/* BAR i is the upper half of a 64-bit BAR. */
static int bar_upper(const struct vs__pci *p, int i)
{
	return i > 0 && bar_mem64(p, i - 1) && !bar_upper(p, i - 1);
}

static uint64_t bar_addr(const struct vs__pci *p, int i)
{
	uint32_t lo = sh32(p, PCI_BASE_ADDRESS_0 + 4u * (unsigned)i);
	uint64_t a;

	if (bar_io(p, i))
		a = lo & (uint32_t)PCI_BASE_ADDRESS_IO_MASK;
	else if (bar_mem64(p, i) && i < PCI_NUM_BARS - 1)
		a = (lo & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK) |
		    ((uint64_t)sh32(p, PCI_BASE_ADDRESS_0 + 4u * (unsigned)i + 4) << 32);
	else
		a = lo & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
	if (p->bar_size[i])
		a &= ~(p->bar_size[i] - 1);
	return a;
}

static uint64_t struct_end(const struct vs__pci_struct *s, int bar)
{
	return s->present && s->bar == bar ? (uint64_t)s->off + s->len : 0;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* How far BAR i reaches: its size once sized, else as far as the
 * structures in it. */
static uint64_t bar_extent(const struct vs__pci *p, int i)
{
	uint64_t e = 0;

	if (p->bar_size[i])
		return p->bar_size[i];
	e = max64(e, struct_end(&p->common, i));
	e = max64(e, struct_end(&p->notify, i));
	e = max64(e, struct_end(&p->isr, i));
	e = max64(e, struct_end(&p->devcfg, i));
	if (p->msix_pos && p->msix_table_bar == i)
		e = max64(e, (uint64_t)p->msix_table_off + 16ull * p->msix_n);
	if (p->msix_pos && p->msix_pba_bar == i)
		e = max64(e, (uint64_t)p->msix_pba_off + (p->msix_n + 63) / 64 * 8);
	if (i == 0 && p->transitional && bar_io(p, 0))
		e = max64(e, VIRTIO_PCI_LEGACY_HDR_SIZE + 256);
	return e;
}

/* Bus address BAR i decodes at, 0 when it does not decode. */
static uint64_t bar_bus(const struct vs__pci *p, int i)
{
	uint16_t cmd = sh16(p, PCI_COMMAND);
	uint64_t a;

	if (bar_upper(p, i))
		return 0;
	a = bar_addr(p, i);
	if (!a)
		return 0;
	if (bar_io(p, i))
		return (cmd & PCI_COMMAND_IO) ? VS_PIO_BASE + a : 0;
	return (cmd & PCI_COMMAND_MEMORY) ? a : 0;
}

/* The BAR holding addr, -1 for none; *off is the offset in it. */
static int bar_at(const struct vs__dev *dev, uint64_t addr, uint64_t *off)
{
	const struct vs__pci *p = &dev->pci;

	if (!p->layout_parsed)
		return -1;
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t b = bar_bus(p, i), e;

		if (!b || addr < b)
			continue;
		e = bar_extent(p, i);
		if (addr - b < e) {
			*off = addr - b;
			return i;
		}
	}
	return -1;
}

int vs__pci_claims(const struct vs__dev *dev, uint64_t addr)
{
	uint64_t off;

	return bar_at(dev, addr, &off) >= 0;
}

/* The size BAR i reads back as after sizing; 0 when unknown. */
static void bar_learn(struct vs_monitor *mon, struct vs__dev *dev, int i)
{
	struct vs__pci *p = &dev->pci;
	uint32_t lo = p->bar_mask_lo[i];
	uint64_t m;

	if (!(p->bar_mask_known[i] & 1))
		return;
	if (bar_io(p, i)) {
		/* 16-bit decoders leave the top half 0 */
		m = (lo & 0xffff0000u) ? (lo & ~3u) : (0xffff0000u | (lo & 0xfffcu));
		p->bar_size[i] = (uint32_t)(~(uint32_t)m + 1);
	} else if (bar_mem64(p, i)) {
		uint32_t hi = (p->bar_mask_known[i] & 2) ? p->bar_mask_hi[i] : 0xffffffffu;

		m = ((uint64_t)hi << 32) | (lo & ~0xfu);
		p->bar_size[i] = m ? ~m + 1 : 0;
	} else {
		p->bar_size[i] = (uint32_t)(~(lo & ~0xfu) + 1);
	}
	if (p->bar_size[i] & (p->bar_size[i] - 1))
		p->bar_size[i] = 0; /* not a size: the read was not the mask */
	vs__pci_check_ranges(mon, dev);
}

/* ---- the layout: identity and capability list, read once ---- */

static void record_struct(struct vs_monitor *mon, struct vs__dev *dev, struct vs__pci_struct *s,
			  uint8_t pos)
{
	if (s->present)
		return; /* the driver uses the first of each type */
	s->present = 1;
	s->pos = pos;
	s->bar = (uint8_t)hread(mon, dev, pos + VIRTIO_PCI_CAP_BAR, 1);
	s->off = hread(mon, dev, pos + VIRTIO_PCI_CAP_OFFSET, 4);
	s->len = hread(mon, dev, pos + VIRTIO_PCI_CAP_LENGTH, 4);
}

static void parse_msix(struct vs_monitor *mon, struct vs__dev *dev, uint8_t pos)
{
	struct vs__pci *p = &dev->pci;
	uint32_t table, pba;

	if (p->msix_pos)
		return;
	p->msix_n = (hread(mon, dev, pos + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) + 1;
	table = hread(mon, dev, pos + PCI_MSIX_TABLE, 4);
	pba = hread(mon, dev, pos + PCI_MSIX_PBA, 4);
	p->msix_table_bar = table & PCI_MSIX_BIR_MASK;
	p->msix_table_off = table & ~PCI_MSIX_BIR_MASK;
	p->msix_pba_bar = pba & PCI_MSIX_BIR_MASK;
	p->msix_pba_off = pba & ~PCI_MSIX_BIR_MASK;
	p->msix = calloc(p->msix_n, sizeof(*p->msix));
	if (!p->msix)
		return;
	p->msix_pos = pos;
	/* PCI: every entry starts masked */
	for (uint32_t v = 0; v < p->msix_n; v++)
		p->msix[v].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static void parse_layout(struct vs_monitor *mon, struct vs__dev *dev)
{
	struct vs__pci *p = &dev->pci;
	uint32_t pos, dw, id;
	int n;

	p->layout_parsed = 1;
	hread(mon, dev, PCI_VENDOR_ID, 4);
	hread(mon, dev, PCI_COMMAND, 4);
	hread(mon, dev, PCI_REVISION_ID, 4);
	hread(mon, dev, PCI_SUBSYSTEM_VENDOR_ID, 4);
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t v = hread(mon, dev, PCI_BASE_ADDRESS_0 + 4u * (unsigned)i, 4);

		p->bar_flags[i] = (uint8_t)((v & PCI_BASE_ADDRESS_SPACE_IO) ? v & 3u : v & 0xfu);
	}
	id = sh16(p, PCI_DEVICE_ID);
	p->transitional = id >= VIRTIO_PCI_TRANS_DEVICE_MIN && id <= VIRTIO_PCI_TRANS_DEVICE_MAX;
	/* The virtio device type (4.1.2), for the per-type rules, as the
	 * MMIO decoder learns it from DeviceID. */
	if (id > VIRTIO_PCI_MODERN_DEVICE_BASE && id <= VIRTIO_PCI_MODERN_DEVICE_MAX) {
		dev->device_id = id - VIRTIO_PCI_MODERN_DEVICE_BASE;
		dev->device_id_known = 1;
	} else if (vs_pci_transitional_virtio_id((uint16_t)id)) {
		dev->device_id = vs_pci_transitional_virtio_id((uint16_t)id);
		dev->device_id_known = 1;
	}
	vs__pci_check_identity(mon, dev);
	if (sh16(p, PCI_VENDOR_ID) == 0xffff)
		return; /* nothing in the slot */
	if (sh16(p, PCI_STATUS) & PCI_STATUS_CAP_LIST) {
		pos = hread(mon, dev, PCI_CAPABILITY_LIST, 1) & ~3u;
		for (n = 0; pos >= 0x40 && pos < PCI_CFG_SPACE_SIZE && n < CAP_WALK_MAX; n++) {
			dw = hread(mon, dev, pos, 4);
			if ((dw & 0xff) == PCI_CAP_ID_VNDR) {
				uint8_t type = (uint8_t)(dw >> 24);

				if (p->nvcap < sizeof(p->vcap_pos)) {
					p->vcap_pos[p->nvcap] = (uint8_t)pos;
					p->vcap_len[p->nvcap] = (uint8_t)(dw >> 16);
					p->vcap_type[p->nvcap++] = type;
				}
				if (type == VIRTIO_PCI_CAP_COMMON_CFG)
					record_struct(mon, dev, &p->common, (uint8_t)pos);
				else if (type == VIRTIO_PCI_CAP_ISR_CFG)
					record_struct(mon, dev, &p->isr, (uint8_t)pos);
				else if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
					record_struct(mon, dev, &p->devcfg, (uint8_t)pos);
				else if (type == VIRTIO_PCI_CAP_PCI_CFG)
					record_struct(mon, dev, &p->pcicfg, (uint8_t)pos);
				else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !p->notify.present) {
					record_struct(mon, dev, &p->notify, (uint8_t)pos);
					p->notify_mult = hread(mon, dev, pos + VIRTIO_PCI_NOTIFY_CAP_MULT, 4);
				}
			} else if ((dw & 0xff) == PCI_CAP_ID_MSIX) {
				parse_msix(mon, dev, (uint8_t)pos);
			}
			pos = (dw >> 8) & 0xfcu;
		}
	}
	vs__pci_check_caps(mon, dev);
	vs__pci_check_ranges(mon, dev);
}

/* ---- configuration space ---- */

/* A pci_cfg_data access: the BAR access it stands for (4.1.4.9). */
static void window_access(struct vs_monitor *mon, struct vs__dev *dev, int is_write)
{
	struct vs__pci *p = &dev->pci;
	uint32_t pos = p->pcicfg.pos;
	uint8_t bar = p->cfg[pos + VIRTIO_PCI_CAP_BAR];
	uint32_t off = sh32(p, pos + VIRTIO_PCI_CAP_OFFSET);
	uint32_t len = sh32(p, pos + VIRTIO_PCI_CAP_LENGTH);
	uint32_t data = sh32(p, pos + VIRTIO_PCI_CFG_CAP_DATA);
	const struct vs__pci_struct *s[] = {&p->common, &p->notify, &p->isr, &p->devcfg};
	int inside = 0;

	if (len == 1 || len == 2 || len == 4) {
		/* spec drv.pci.pci-device-layout.pci-configuration-access-capability.1 */
		if (off % len)
			vs__violate(mon, dev, -1, VS_R_PCI_CFG_WINDOW_ALIGN,
				    "pci_cfg_data %s with cap.offset 0x%x, cap.length %u",
				    is_write ? "write" : "read", off, len);
		for (unsigned i = 0; i < 4; i++)
			inside |= s[i]->present && s[i]->bar == bar && off >= s[i]->off &&
				  (uint64_t)off + len <= (uint64_t)s[i]->off + s[i]->len;
	}
	/* spec ...pci-configuration-access-capability.2 */
	if (!inside) {
		vs__violate(mon, dev, -1, VS_R_PCI_CFG_WINDOW_RANGE,
			    "pci_cfg_data %s with bar %u offset 0x%x length %u: no virtio structure there",
			    is_write ? "write" : "read", bar, off, len);
		return;
	}
	vs__pci_bar_access(mon, dev, bar, off, len, is_write,
			   len < 4 ? data & ((1u << (8 * len)) - 1) : data);
}

/* Bytes of the PCI_CFG capability the driver may write (4.1.4.9). */
static int window_field(const struct vs__pci *p, uint32_t b)
{
	uint32_t pos = p->pcicfg.pos;

	return p->pcicfg.present && (b == pos + VIRTIO_PCI_CAP_BAR ||
				     (b >= pos + VIRTIO_PCI_CAP_OFFSET && b < pos + VIRTIO_PCI_CFG_CAP_SIZE));
}

static void cfg_write(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		      uint32_t val)
{
	struct vs__pci *p = &dev->pci;
	int cap_written = -1;

	for (uint32_t b = off; b < off + width && cap_written < 0; b++)
		for (unsigned i = 0; i < p->nvcap; i++)
			if (b >= p->vcap_pos[i] && b < (uint32_t)p->vcap_pos[i] + p->vcap_len[i] &&
			    !(p->pcicfg.present && p->vcap_pos[i] == p->pcicfg.pos && window_field(p, b)))
				cap_written = (int)i;
	/* spec drv.pci.virtio-structure-pci-capabilities.7 */
	if (cap_written >= 0) {
		vs__violate(mon, dev, -1, VS_R_PCI_CAP_WRITE,
			    "%u-byte write of 0x%x at 0x%02x into the capability (cfg_type %u) at 0x%02x",
			    width, val, off, p->vcap_type[cap_written], p->vcap_pos[cap_written]);
		return;
	}
	/* the registers the driver may change: command, BARs, interrupt line,
	 * MSI-X control, the window; the rest is read-only */
	for (uint32_t b = off; b < off + width; b++) {
		if ((b >= PCI_COMMAND && b < PCI_STATUS) ||
		    (b >= PCI_BASE_ADDRESS_0 && b < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS) ||
		    b == PCI_INTERRUPT_LINE || window_field(p, b) ||
		    (p->msix_pos && (b == p->msix_pos + 2u || b == p->msix_pos + 3u)))
			p->cfg[b] = (uint8_t)(val >> (8 * (b - off)));
	}
	if (width == 4 && off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS)
		p->sizing[(off - PCI_BASE_ADDRESS_0) / 4] = val == 0xffffffffu;
	if (p->pcicfg.present && overlaps(off, width, p->pcicfg.pos + VIRTIO_PCI_CFG_CAP_DATA, 4))
		window_access(mon, dev, 1);
}

static void cfg_read(struct vs_monitor *mon, struct vs__dev *dev, uint32_t off, unsigned width,
		     uint32_t val)
{
	struct vs__pci *p = &dev->pci;

	sh_store(p, off, width, val);
	if (width == 4 && off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS) {
		int i = (int)(off - PCI_BASE_ADDRESS_0) / 4;

		if (p->sizing[i]) {
			p->sizing[i] = 0;
			if (bar_upper(p, i)) {
				p->bar_mask_hi[i - 1] = val;
				p->bar_mask_known[i - 1] |= 2;
				bar_learn(mon, dev, i - 1);
			} else {
				p->bar_mask_lo[i] = val;
				p->bar_mask_known[i] |= 1;
				bar_learn(mon, dev, i);
			}
		}
	}
	if (p->pcicfg.present && overlaps(off, width, p->pcicfg.pos + VIRTIO_PCI_CFG_CAP_DATA, 4))
		window_access(mon, dev, 0);
}

void vs__pci_access(struct vs_monitor *mon, struct vs__dev *dev, const struct vs_bus_access *acc)
{
	uint64_t off;
	int bar;

	if (acc->addr >= dev->base && acc->addr - dev->base < dev->size) {
		off = acc->addr - dev->base;
		if (!dev->pci.layout_parsed)
			parse_layout(mon, dev);
		/* a width ECAM does not take changes nothing (the write tap
		 * runs before the host refuses it) */
		if (off >= PCI_CFG_SPACE_SIZE || acc->status || acc->width > 4 ||
		    (off & (acc->width - 1)))
			return;
		if (acc->is_write)
			cfg_write(mon, dev, (uint32_t)off, acc->width, (uint32_t)acc->val);
		else
			cfg_read(mon, dev, (uint32_t)off, acc->width, (uint32_t)acc->val);
		return;
	}
	bar = bar_at(dev, acc->addr, &off);
	if (bar >= 0)
		vs__pci_bar_access(mon, dev, bar, off, acc->width, acc->is_write, acc->val);
}

/* ---- interrupts ---- */

/* MSI-X table entry of dev that a message on line would come from, or -1. */
static int msix_entry_for(const struct vs__dev *dev, unsigned line)
{
	const struct vs__pci *p = &dev->pci;

	for (uint32_t v = 0; p->msix && v < p->msix_n; v++) {
		const struct vs__pci_msix *e = &p->msix[v];
		uint64_t addr = e->addr_lo | ((uint64_t)e->addr_hi << 32);

		if (e->written == 3 && e->data == line && addr >= VS_MSI_ADDR_BASE &&
		    addr - VS_MSI_ADDR_BASE < VS_MSI_ADDR_SIZE)
			return (int)v;
	}
	return -1;
}

/*
 * The irq tap does not say which function wrote a message, only its data.
 * A function whose MSI-X is off (a driver removed) keeps the table entries
 * it was given, and the guest hands the same message to the next function
 * it probes: the message is that other function's, whose MSI-X is on.
 */
static int msix_claimed_by_other(struct vs_monitor *mon, const struct vs__dev *dev,
				 unsigned line)
{
	for (uint32_t i = 0; i < mon->ndev; i++) {
		const struct vs__dev *o = mon->devs[i];

		if (o != dev && o->xport == VS__XPORT_PCI && vs__pci_msix_on(o) &&
		    msix_entry_for(o, line) >= 0)
			return 1;
	}
	return 0;
}

void vs__pci_irq(struct vs_monitor *mon, struct vs__dev *dev, unsigned line, int has_handler)
{
	struct vs__pci *p = &dev->pci;
	int cfg;

	if (line == dev->line) {
		vs__emit(mon, "interrupt", dev, -1, "line=%u intx handler=%d", line, has_handler);
		vs__pci_intx_interrupt(mon, dev);
		p->irq_since_isr = 1;
		vs__interrupt(mon, dev, has_handler);
		return;
	}
	int v = msix_entry_for(dev, line);

	if (v < 0 || (!vs__pci_msix_on(dev) && msix_claimed_by_other(mon, dev, line)))
		return;
	vs__emit(mon, "interrupt", dev, -1, "line=%u vector=%d handler=%d", line, v, has_handler);
	p->irq_since_isr = 1;
	cfg = vs__pci_msix_interrupt(mon, dev, (uint32_t)v);
	vs__interrupt(mon, dev, has_handler);
	if (cfg)
		vs__config_notified(mon, dev);
}

/* ---- lifetime ---- */

void vs__pci_reset(struct vs__dev *dev)
{
	struct vs__pci *p = &dev->pci;

	if (dev->xport != VS__XPORT_PCI)
		return;
	p->config_vector = VIRTIO_MSI_NO_VECTOR;
	p->config_vector_set = 0;
	p->rb_pending = 0;
	p->reset_nonzero = 0;
	p->reset_polls = 0;
	p->isr_last = 0;
	p->irq_since_isr = 0;
	p->last_irq_queue_vector = 0;
	for (uint32_t i = 0; i < dev->nq; i++) {
		dev->q[i]->vector = VIRTIO_MSI_NO_VECTOR;
		dev->q[i]->vector_set = 0;
		dev->q[i]->written = 0;
	}
}

void vs__pci_pending(struct vs_monitor *mon, struct vs__dev *dev, int force)
{
	struct vs__pci *p = &dev->pci;

	if (dev->xport != VS__XPORT_PCI)
		return;
	/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.7:
	 * a reset may take a while; one that never ends is judged at the end
	 * of the run, or once the driver has polled many times in vain */
	if (p->reset_nonzero && (force || (p->reset_polls >= 16 && vs__due(mon, p->reset_stamp, 0)))) {
		vs__violate(mon, dev, -1, VS_R_PCI_RESET_READBACK,
			    "device_status still reads 0x%02x after the reset (%u reads)", p->reset_val,
			    p->reset_polls);
		p->reset_nonzero = 0;
	}
	if (force)
		vs__pci_rb_check(mon, dev, 0);
}

void vs__pci_free(struct vs__dev *dev)
{
	free(dev->pci.msix);
	dev->pci.msix = NULL;
}

int vs_monitor_watch_pci(struct vs_monitor *mon, const char *name, unsigned slot,
			 unsigned intx_line)
{
	uint64_t base = VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(slot, 0, 0);
	struct vs__dev *dev;

	if (!mon || !name || slot >= 32)
		return -EINVAL;
	for (uint32_t i = 0; i < mon->ndev; i++) {
		const struct vs__dev *d = mon->devs[i];

		if (base < d->base + d->size && d->base < base + PCI_CFG_SPACE_EXP_SIZE)
			return -EEXIST;
	}
	if (mon->ndev == VS__MAX_DEVS)
		return -ENOSPC;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->xport = VS__XPORT_PCI;
	dev->base = base;
	dev->size = PCI_CFG_SPACE_EXP_SIZE;
	dev->line = intx_line;
	dev->pci.slot = slot;
	dev->pci.config_vector = VIRTIO_MSI_NO_VECTOR;
	mon->devs[mon->ndev++] = dev;
	return 0;
}
