/*
 * check_pci.c - the PCI host (transport/pci_host.c) and the virtio PCI
 * function's configuration side (transport/pci*.c), exercised only through
 * the bus as firmware and a driver would: ECAM configuration accesses, BAR
 * sizing and assignment and decoding, the capability list and the PCI_CFG
 * window, the common configuration.  Interrupts (MSI-X, INTx) and the
 * legacy header: check_pci_irq.c.
 */
#include "pci_fixture.h"

/* ---- Host ---- */

START_TEST(empty_slots_read_all_ones)
{
	uint64_t v;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(0, 0, PCI_VENDOR_ID), 2, &v), 0);
	ck_assert_uint_eq(v, 0xffff);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(31, 7, 0), 4, &v), 0);
	ck_assert_uint_eq(v, 0xffffffffu);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, ecam(0, 0, PCI_COMMAND), 2, 7), 0);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(0, 0, PCI_COMMAND), 2, &v), 0);
	ck_assert_uint_eq(v, 0xffff);
	/* configuration accesses are 1, 2 or 4 bytes, aligned */
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(0, 0, 0), 8, &v), -EINVAL);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(0, 0, 2), 4, &v), -EINVAL);
}
END_TEST

static int fake_read(void *opaque, uint32_t off, unsigned width, uint32_t *val)
{
	*val = off + (unsigned)(uintptr_t)opaque;
	(void)width;
	return 0;
}

static int fake_write(void *opaque, uint32_t off, unsigned width, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)width;
	(void)val;
	return -EIO;
}

static const struct vs_pci_function_ops fake_ops = {fake_read, fake_write};

START_TEST(plug_and_unplug)
{
	uint64_t v;

	ck_assert_int_eq(vs_pci_host_plug(host, 2, 5, &fake_ops, (void *)(uintptr_t)0x100), 0);
	ck_assert_int_eq(vs_pci_host_plug(host, 2, 5, &fake_ops, NULL), -EBUSY);
	ck_assert_int_eq(vs_pci_host_plug(host, 32, 0, &fake_ops, NULL), -EINVAL);
	ck_assert_int_eq(vs_pci_host_plug(host, 0, 8, &fake_ops, NULL), -EINVAL);
	ck_assert_int_eq(vs_pci_host_plug(host, 0, 0, NULL, NULL), -EINVAL);
	/* the function sees its own register offset, across the 4 KiB */
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(2, 5, 0xffc), 4, &v), 0);
	ck_assert_uint_eq(v, 0x10fc);
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, ecam(2, 5, 0), 4, 0), -EIO);
	vs_pci_host_unplug(host, 2, 5);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(2, 5, 0), 4, &v), 0);
	ck_assert_uint_eq(v, 0xffffffffu);
	vs_pci_host_unplug(host, 40, 0);
	ck_assert_int_eq(vs_pci_host_create(NULL, NULL), -EINVAL);
	vs_pci_host_destroy(NULL);
}
END_TEST

/* ---- Identity ---- */

START_TEST(modern_ids)
{
	make_fn("rng", 0, 0, 0);
	ck_assert_uint_eq(cfg_rd(PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_rd(PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_RNG);
	ck_assert_uint_eq(cfg_rd(PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(cfg_rd(PCI_CLASS_DEVICE, 2), PCI_CLASS_OTHERS);
	ck_assert_uint_eq(cfg_rd(PCI_CLASS_PROG, 1), 0);
	ck_assert_uint_eq(cfg_rd(PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_rd(PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_ge(cfg_rd(PCI_SUBSYSTEM_ID, 2), 0x40);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(cfg_rd(PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(cfg_rd(PCI_COMMAND, 2), 0);
	/* read-only identity ignores writes; the interrupt line is firmware's */
	cfg_wr(PCI_VENDOR_ID, 4, 0);
	ck_assert_uint_eq(cfg_rd(PCI_VENDOR_ID, 4), 0x1af4 | ((0x1040u + VIRTIO_ID_RNG) << 16));
	cfg_wr(PCI_INTERRUPT_LINE, 1, 11);
	ck_assert_uint_eq(cfg_rd(PCI_INTERRUPT_LINE, 1), 11);
	/* no extended configuration space */
	ck_assert_uint_eq(cfg_rd(0x100, 4), 0);
	ck_assert_ptr_eq(vs_pci_vdev(pci), vdev);
	ck_assert_uint_eq(vs_pci_slot(pci), SLOT);
	ck_assert_uint_eq(vs_pci_intx_line(pci), intx);
}
END_TEST

START_TEST(transitional_ids)
{
	make_fn(NULL, 2, 1, 0);
	/* spec 4.1.2.3: transitional id, revision 0, subsystem = virtio id */
	ck_assert_uint_eq(cfg_rd(PCI_DEVICE_ID, 2), 0x1003);
	ck_assert_uint_eq(cfg_rd(PCI_REVISION_ID, 1), 0);
	ck_assert_uint_eq(cfg_rd(PCI_SUBSYSTEM_ID, 2), VIRTIO_ID_CONSOLE);
	ck_assert_uint_eq(cfg_rd(PCI_CLASS_DEVICE, 2), PCI_CLASS_COMMUNICATION_OTHER);
	ck_assert_uint_eq(vs_pci_transitional_id(VIRTIO_ID_NET), 0x1000);
	ck_assert_uint_eq(vs_pci_transitional_id(VIRTIO_ID_RNG), 0x1005);
	ck_assert_uint_eq(vs_pci_transitional_id(VIRTIO_ID_INPUT), 0);
	ck_assert_uint_eq(vs_pci_transitional_virtio_id(0x1002), VIRTIO_ID_BALLOON);
	ck_assert_uint_eq(vs_pci_transitional_virtio_id(0x1006), 0);
}
END_TEST

static const struct vs_device_model noid_model = {
	.name = "noid", .device_id = VIRTIO_ID_INPUT, .num_queues = 1, .queue_size_max = 8,
	.handle_queue = tm_handle,
};

START_TEST(create_errors)
{
	struct vs_pci_params big = {.msix_vectors = 2049};
	struct vs_pci_params trans = {.transitional = 1};
	struct vs_vdev *other;
	struct vs_pci *p2 = NULL;

	ck_assert_int_eq(vs__vdev_create(&noid_model, NULL, &env, &vdev), 0);
	/* input has no transitional id */
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, SLOT, intx, &trans, &pci), -EINVAL);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, SLOT, intx, &big, &pci), -EINVAL);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, 32, intx, NULL, &pci), -EINVAL);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, SLOT, intx, NULL, &pci), 0);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, SLOT + 1, intx, NULL, &p2), -EBUSY);
	ck_assert_int_eq(vs_device_create("rng", NULL, &env, &other), 0);
	/* the slot is taken: the device is left unbound */
	ck_assert_int_eq(vs_pci_create(host, bus, irq, other, SLOT, intx, NULL, &p2), -EBUSY);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, other, SLOT + 1, intx, NULL, &p2), 0);
	vs_pci_destroy(p2);
	vs_vdev_destroy(other);
	vs_pci_destroy(NULL);
}
END_TEST

/* ---- BARs ---- */

START_TEST(bar_sizing)
{
	make_fn(NULL, 4, 1, 0);
	for (unsigned i = 0; i < 6; i++)
		cfg_wr(PCI_BASE_ADDRESS_0 + 4 * i, 4, 0xffffffffu);
	/* BAR0: I/O, 32 bytes (24-byte header + 8 config bytes) */
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0, 4), 0xffffffe1u);
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 4, 4), 0);
	/* BAR2: 64-bit memory, 4 KiB of MSI-X table and PBA */
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 8, 4), 0xfffff004u);
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 12, 4), 0xffffffffu);
	/* BAR4: 64-bit memory, 16 KiB */
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 16, 4), 0xffffc004u);
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 20, 4), 0xffffffffu);
	/* writing back an address: it holds it */
	cfg_wr(PCI_BASE_ADDRESS_0 + 16, 4, 0x12345678u);
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 16, 4), 0x12344004u);
}
END_TEST

START_TEST(bar_decodes_only_when_enabled)
{
	uint64_t v;

	make_fn("rng", 0, 1, 0);
	cfg_wr(PCI_BASE_ADDRESS_0 + 16, 4, (uint32_t)BAR4_ADDR);
	cfg_wr(PCI_BASE_ADDRESS_0 + 20, 4, (uint32_t)(BAR4_ADDR >> 32));
	cfg_wr(PCI_BASE_ADDRESS_0, 4, IO_PORT);
	/* assigned but not enabled: unmapped */
	ck_assert_int_eq(bar_rd(BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2, &v), -ENXIO);
	ck_assert_int_eq(bar_rd(VS_PIO_BASE + IO_PORT + VIRTIO_PCI_QUEUE_NUM, 2, &v), -ENXIO);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_int_eq(bar_rd(BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(bar_rd(VS_PIO_BASE + IO_PORT + VIRTIO_PCI_QUEUE_NUM, 2, &v), -ENXIO);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_IO);
	ck_assert_int_eq(bar_rd(BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2, &v), -ENXIO);
	ck_assert_int_eq(bar_rd(VS_PIO_BASE + IO_PORT + VIRTIO_PCI_QUEUE_NUM, 2, &v), 0);
	ck_assert_uint_eq(v, QSZ);
	/* moving a BAR remaps it */
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	cfg_wr(PCI_BASE_ADDRESS_0 + 16, 4, (uint32_t)BAR4_ADDR + 0x8000);
	ck_assert_int_eq(bar_rd(BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2, &v), -ENXIO);
	ck_assert_int_eq(bar_rd(BAR4_ADDR + 0x8000 + VIRTIO_PCI_COMMON_NUMQ, 2, &v), 0);
	ck_assert_uint_eq(v, 1);
	/* an address of 0 is no address */
	cfg_wr(PCI_BASE_ADDRESS_0, 4, 0);
	ck_assert_int_eq(bar_rd(VS_PIO_BASE + IO_PORT + VIRTIO_PCI_QUEUE_NUM, 2, &v), -ENXIO);
	/* destroy unmaps */
	vs_pci_destroy(pci);
	pci = NULL;
	ck_assert_int_eq(bar_rd(BAR4_ADDR + 0x8000, 2, &v), -ENXIO);
	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(SLOT, 0, 0), 2, &v), 0);
	ck_assert_uint_eq(v, 0xffff);
}
END_TEST

/* ---- Capabilities ---- */

START_TEST(capability_walk)
{
	unsigned seen[10] = {0}, n = 0, msix_at = 0;
	uint32_t pos;

	make_fn(NULL, 3, 0, 0);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	for (pos = cfg_rd(PCI_CAPABILITY_LIST, 1); pos; pos = cfg_rd(pos + 1, 1)) {
		ck_assert_uint_eq(pos % 4, 0);
		ck_assert_uint_lt(++n, 10);
		if (cfg_rd(pos, 1) == PCI_CAP_ID_MSIX) {
			msix_at = pos;
			continue;
		}
		ck_assert_uint_eq(cfg_rd(pos, 1), PCI_CAP_ID_VNDR);
		unsigned type = cfg_rd(pos + VIRTIO_PCI_CAP_CFG_TYPE, 1);
		ck_assert_uint_lt(type, 10);
		seen[type]++;
		if (type == VIRTIO_PCI_CAP_PCI_CFG) {
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LEN, 1), 20);
			continue;
		}
		ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_BAR, 1), 4);
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LEN, 1), 16);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_OFFSET, 4), 0);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LENGTH, 4), 64);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LEN, 1), 20);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_OFFSET, 4), 0x3000);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LENGTH, 4), 8);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_NOTIFY_CAP_MULT, 4), 4);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_OFFSET, 4), 0x1000);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LENGTH, 4), 1);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_OFFSET, 4), 0x2000);
			ck_assert_uint_eq(cfg_rd(pos + VIRTIO_PCI_CAP_LENGTH, 4), 8);
			break;
		default:
			ck_abort_msg("unexpected cfg_type %u", type);
		}
	}
	ck_assert_uint_eq(n, 6);
	for (unsigned t = VIRTIO_PCI_CAP_COMMON_CFG; t <= VIRTIO_PCI_CAP_PCI_CFG; t++)
		ck_assert_uint_eq(seen[t], 1);
	ck_assert_uint_ne(msix_at, 0);
	ck_assert_uint_eq(cfg_rd(msix_at + PCI_MSIX_FLAGS, 2), 2); /* table size - 1 */
	ck_assert_uint_eq(cfg_rd(msix_at + PCI_MSIX_TABLE, 4), 2); /* BIR 2, offset 0 */
	ck_assert_uint_eq(cfg_rd(msix_at + PCI_MSIX_PBA, 4), 48 | 2);
	/* the driver cannot change a capability */
	cfg_wr(0x40 + VIRTIO_PCI_CAP_OFFSET, 4, 0x500);
	ck_assert_uint_eq(cfg_rd(0x40 + VIRTIO_PCI_CAP_OFFSET, 4), 0);
}
END_TEST

START_TEST(no_device_cfg_and_no_msix)
{
	unsigned n = 0;

	make_fn("rng", 0, 0, 0);
	for (uint32_t pos = cfg_rd(PCI_CAPABILITY_LIST, 1); pos; pos = cfg_rd(pos + 1, 1)) {
		ck_assert_uint_eq(cfg_rd(pos, 1), PCI_CAP_ID_VNDR);
		ck_assert_uint_ne(cfg_rd(pos + VIRTIO_PCI_CAP_CFG_TYPE, 1), VIRTIO_PCI_CAP_DEVICE_CFG);
		n++;
	}
	ck_assert_uint_eq(n, 4);
	/* no MSI-X BAR */
	cfg_wr(PCI_BASE_ADDRESS_0 + 8, 4, 0xffffffffu);
	ck_assert_uint_eq(cfg_rd(PCI_BASE_ADDRESS_0 + 8, 4), 0);
}
END_TEST

/* The PCI_CFG window (spec 4.1.4.9) at 0x84. */
static void window(uint8_t bar, uint32_t off, uint32_t len)
{
	cfg_wr(0x84 + VIRTIO_PCI_CAP_BAR, 1, bar);
	cfg_wr(0x84 + VIRTIO_PCI_CAP_OFFSET, 4, off);
	cfg_wr(0x84 + VIRTIO_PCI_CAP_LENGTH, 4, len);
}

START_TEST(pci_cfg_window)
{
	make_fn(NULL, 0, 0, 0);
	/* no BAR needs to decode for the window */
	window(4, VIRTIO_PCI_COMMON_NUMQ, 2);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 4) & 0xffff, 2);
	window(4, VIRTIO_PCI_COMMON_STATUS, 1);
	cfg_wr(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 1, S_ACK);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev), S_ACK);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 1), S_ACK);
	/* device config through the window */
	window(4, 0x2000 + 4, 4);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 4), 0x88776655u);
	/* the ISR through the window is read-to-clear too */
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\x01", 1), 0);
	ck_assert_uint_eq(vs_pci_isr_peek(pci), 0); /* no DRIVER_OK: no notification */
	/* a length that is no access leaves the data alone */
	window(4, VIRTIO_PCI_COMMON_NUMQ, 3);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 4), 0x88776655u);
	window(1, 0, 4);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 4), 0x88776655u);
	window(4, 0x4000, 4);
	ck_assert_uint_eq(cfg_rd(0x84 + VIRTIO_PCI_CFG_CAP_DATA, 4), 0x88776655u);
}
END_TEST

/* ---- Common config ---- */

START_TEST(feature_windows)
{
	make_fn("rng", 0, 0, VS_BIT(VIRTIO_F_RING_RESET));
	assign_bars();
	CWR(DFSELECT, 4, 1);
	ck_assert_uint_eq(CRD(DFSELECT, 4), 1);
	ck_assert_uint_eq(CRD(DF, 4), 1u | (1u << (VIRTIO_F_RING_RESET - 32)));
	CWR(DFSELECT, 4, 0);
	ck_assert_uint_eq(CRD(DF, 4), 0);
	CWR(DFSELECT, 4, 2);
	ck_assert_uint_eq(CRD(DF, 4), 0);
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, 1);
	ck_assert_uint_eq(CRD(GF, 4), 1);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev), VS_BIT(VIRTIO_F_VERSION_1));
	/* read-only fields ignore writes */
	CWR(NUMQ, 2, 9);
	ck_assert_uint_eq(CRD(NUMQ, 2), 1);
	CWR(DF, 4, 0);
	/* wrong widths read 0 and write nothing */
	ck_assert_uint_eq(CRD(NUMQ, 4), 0);
	CWR(GFSELECT, 2, 0);
	ck_assert_uint_eq(CRD(GFSELECT, 4), 1);
	ck_assert_uint_eq(CRD(ADM_Q_IDX, 2), 1);
	ck_assert_uint_eq(CRD(ADM_Q_NUM, 2), 0);
}
END_TEST

START_TEST(queue_size_writable_down)
{
	make_fn(NULL, 0, 0, 0);
	assign_bars();
	CWR(Q_SELECT, 2, 1);
	ck_assert_uint_eq(CRD(Q_SELECT, 2), 1);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 16);
	ck_assert_uint_eq(CRD(Q_NOFF, 2), 1);
	ck_assert_uint_eq(CRD(Q_NDATA, 2), 1);
	CWR(Q_SIZE, 2, 4);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 4);
	/* not a power of 2 (split), above the maximum, 0: refused */
	CWR(Q_SIZE, 2, 6);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 4);
	CWR(Q_SIZE, 2, 32);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 4);
	CWR(Q_SIZE, 2, 0);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 4);
	/* a queue that does not exist */
	CWR(Q_SELECT, 2, 2);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 0);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	CWR(Q_ENABLE, 2, 1);
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 0);
	/* addresses in halves */
	CWR(Q_SELECT, 2, 0);
	CWR(Q_DESCHI, 4, 0x1);
	CWR(Q_DESCLO, 4, 0x2000);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), 0x100002000ull);
	ck_assert_uint_eq(CRD(Q_DESCHI, 4), 1);
	ck_assert_uint_eq(CRD(Q_DESCLO, 4), 0x2000);
	CWR(Q_USEDLO, 4, 0x3000);
	ck_assert_uint_eq(CRD(Q_USEDLO, 4), 0x3000);
}
END_TEST

START_TEST(packed_sizes_any)
{
	make_fn(NULL, 0, 0, VS_BIT(VIRTIO_F_RING_PACKED));
	assign_bars();
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, 1u | (1u << (VIRTIO_F_RING_PACKED - 32)));
	CWR(Q_SELECT, 2, 0);
	CWR(Q_SIZE, 2, 6);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 6);
}
END_TEST

START_TEST(queue_enable_and_notify)
{
	uint8_t *e;

	make_fn("rng", 0, 0, 0);
	assign_bars();
	modern_init();
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 1);
	/* 0 is not a way to disable */
	CWR(Q_ENABLE, 2, 0);
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 1);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	mwr(0x3000, 2, 0);
	/* nothing happens inside the write */
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_IDX, 2)), 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_IDX, 2)), 1);
	e = gp(USED_GPA + VS_USED_RING(0), 8);
	ck_assert_uint_eq(vs_le32(e), 0);
	ck_assert_uint_eq(vs_le32(e + 4), 16);
	/* MSI-X off: INTx */
	ck_assert_uint_eq(calls[intx], 1);
}
END_TEST

START_TEST(reset_clears_state)
{
	make_fn(NULL, 2, 0, 0);
	assign_bars();
	CWR(STATUS, 1, S_ACK | S_DRV);
	CWR(MSIX, 2, 1);
	CWR(Q_SELECT, 2, 1);
	CWR(Q_SIZE, 2, 4);
	CWR(Q_MSIX, 2, 0);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), 0);
	CWR(STATUS, 1, 0);
	/* spec dev.pci.pci-device-layout.common-configuration-structure-layout.7, .8
	 * and msi-x-vector-configuration.7 */
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	ck_assert_uint_eq(CRD(MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), 16);
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 0);
}
END_TEST

START_TEST(fault_reset_incomplete)
{
	make_fn("rng", 0, 0, 0);
	assign_bars();
	CWR(STATUS, 1, S_ACK);
	vs_faults_set(&faults, VS_FAULT_DEV_RESET_INCOMPLETE, VS_FAULT_COUNTED, 1, 0, 0);
	CWR(STATUS, 1, 0);
	ck_assert_uint_eq(CRD(STATUS, 1), S_ACK);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
}
END_TEST

START_TEST(queue_reset)
{
	make_fn("rng", 2, 0, VS_BIT(VIRTIO_F_RING_RESET));
	assign_bars();
	CWR(STATUS, 1, S_ACK | S_DRV);
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, 1u | (1u << (VIRTIO_F_RING_RESET - 32)));
	CWR(STATUS, 1, S_ACK | S_DRV | S_FOK);
	CWR(Q_SELECT, 2, 0);
	CWR(Q_SIZE, 2, 4);
	CWR(Q_MSIX, 2, 1);
	CWR(Q_DESCLO, 4, DESC_GPA);
	CWR(Q_AVAILLO, 4, AVAIL_GPA);
	CWR(Q_USEDLO, 4, USED_GPA);
	CWR(Q_ENABLE, 2, 1);
	ck_assert_uint_eq(CRD(Q_RESET, 2), 0);
	CWR(Q_RESET, 2, 1);
	/* spec ...common-configuration-structure-layout.13: done at once */
	ck_assert_uint_eq(CRD(Q_RESET, 2), 0);
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 0);
	ck_assert_uint_eq(CRD(Q_SIZE, 2), QSZ);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(CRD(Q_DESCLO, 4), 0);
}
END_TEST

START_TEST(device_config_and_generation)
{
	make_fn(NULL, 0, 0, 0);
	assign_bars();
	ck_assert_uint_eq(mrd(0x2000, 1), 0x11);
	ck_assert_uint_eq(mrd(0x2002, 2), 0x4433);
	ck_assert_uint_eq(mrd(0x2004, 4), 0x88776655u);
	ck_assert_uint_eq(mrd(0x2008, 4), 0); /* past the config */
	ck_assert_uint_eq(CRD(CFGGENERATION, 1), 0);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\xaa", 1), 0);
	ck_assert_uint_eq(CRD(CFGGENERATION, 1), 1);
	ck_assert_uint_eq(mrd(0x2000, 1), 0xaa);
	/* 8 bits on PCI */
	for (int i = 0; i < 255; i++)
		ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\xbb", 1), 0);
	ck_assert_uint_eq(CRD(CFGGENERATION, 1), 0);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc;

	tc = tcase_create("Host");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_slots_read_all_ones);
	tcase_add_test(tc, plug_and_unplug);
	suite_add_tcase(s, tc);

	tc = tcase_create("Identity");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, modern_ids);
	tcase_add_test(tc, transitional_ids);
	tcase_add_test(tc, create_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("BARs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bar_sizing);
	tcase_add_test(tc, bar_decodes_only_when_enabled);
	suite_add_tcase(s, tc);

	tc = tcase_create("Capabilities");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, capability_walk);
	tcase_add_test(tc, no_device_cfg_and_no_msix);
	tcase_add_test(tc, pci_cfg_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("Common");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, feature_windows);
	tcase_add_test(tc, queue_size_writable_down);
	tcase_add_test(tc, packed_sizes_any);
	tcase_add_test(tc, queue_enable_and_notify);
	tcase_add_test(tc, reset_clears_state);
	tcase_add_test(tc, fault_reset_incomplete);
	tcase_add_test(tc, queue_reset);
	tcase_add_test(tc, device_config_and_generation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
