/*
 * check_pci_core.c - the guest's PCI core and virtio-pci probe against a
 * device that says no.  The real virtio PCI function only refuses vectors
 * outside its table, so the guest here reaches the machine's bus through
 * a forwarding bus (a proxy region over the whole address space) that
 * rewrites some reads: a config or queue MSI-X vector read back as
 * NO_VECTOR (the device could not map it), the virtio capabilities shown
 * with a reserved cfg_type or BAR number, a capability list that loops.
 * The policy chain must fall through to the next step, the probe must
 * ignore what is reserved, and walks must end.
 */
#include "tests/virtio_pci_fixture.h"
#include "transport/pci_internal.h"

/* Everything the guest may touch: ECAM, the BAR windows, port space. */
#define PX_BASE 0x1000ull
#define PX_END  (VS_PIO_BASE + VS_PIO_SIZE)

static struct {
	u64 bar4;              /* the modern BAR, once assigned */
	u64 io;                /* the legacy I/O BAR's port, once assigned */
	int refuse_config;     /* config vector reads back NO_VECTOR */
	unsigned int refuse_q; /* queue vectors >= this read back NO_VECTOR */
	int reserved_type;     /* virtio caps show cfg_type 10 (reserved) */
	int reserved_bar;      /* the common cap shows BAR 7 (reserved) */
	int msix_loop;         /* the MSI-X cap's next points back to the first */
} px;

static u64 ecam(unsigned int reg)
{
	return VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(SLOT, 0, reg);
}

static bool is_vendor_cap(u64 addr, unsigned int field)
{
	static const unsigned int caps[] = { VS__PCI_CAP_COMMON, VS__PCI_CAP_NOTIFY,
					     VS__PCI_CAP_ISR, VS__PCI_CAP_DEVICE,
					     VS__PCI_CAP_PCICFG };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		if (addr == ecam(caps[i] + field))
			return true;
	return false;
}

static u64 refuse_vector(u64 val, unsigned int from)
{
	return (val != VIRTIO_MSI_NO_VECTOR && val >= from) ? VIRTIO_MSI_NO_VECTOR : val;
}

static int px_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	u64 addr = PX_BASE + off;
	int rc = vs_bus_read(bus, VS_SIDE_DRIVER, addr, width, val);

	(void)opaque;
	if (rc)
		return rc;
	if (px.bar4 && addr == px.bar4 + VIRTIO_PCI_COMMON_MSIX && px.refuse_config)
		*val = VIRTIO_MSI_NO_VECTOR;
	if (px.bar4 && addr == px.bar4 + VIRTIO_PCI_COMMON_Q_MSIX)
		*val = refuse_vector(*val, px.refuse_q);
	if (px.io && addr == VS_PIO_BASE + px.io + VIRTIO_MSI_CONFIG_VECTOR && px.refuse_config)
		*val = VIRTIO_MSI_NO_VECTOR;
	if (px.io && addr == VS_PIO_BASE + px.io + VIRTIO_MSI_QUEUE_VECTOR)
		*val = refuse_vector(*val, px.refuse_q);
	if (px.reserved_type && width == 1 && is_vendor_cap(addr, VIRTIO_PCI_CAP_CFG_TYPE))
		*val = 10;
	if (px.reserved_bar && width == 1 && addr == ecam(VS__PCI_CAP_COMMON + VIRTIO_PCI_CAP_BAR))
		*val = 7;
	if (px.msix_loop && width == 1 && addr == ecam(VS__PCI_CAP_MSIX + 1))
		*val = VS__PCI_CAP_COMMON;
	return 0;
}

static int px_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	(void)opaque;
	return vs_bus_write(bus, VS_SIDE_DRIVER, PX_BASE + off, width, val);
}

static const struct vs_bus_region_ops px_ops = { px_read, px_write };

/* The machine with the proxy in front, the function plugged and scanned;
 * the proxy learns where the firmware put the BARs. */
static void proxy_up(unsigned int msix, int transitional)
{
	struct vs_guest_env genv;
	struct pci_dev *pdev;

	machine_up();
	memset(&px, 0, sizeof(px));
	px.refuse_q = VIRTIO_MSI_NO_VECTOR;
	ck_assert_int_eq(vs_bus_create(&gbus), 0);
	ck_assert_int_eq(vs_bus_map(gbus, PX_BASE, PX_END - PX_BASE, "proxy", &px_ops, NULL), 0);
	ck_assert_int_eq(vs_pci_create(host, bus, irqc, vdev, SLOT, intx,
				       &(struct vs_pci_params){ msix, transitional }, &pci), 0);
	genv = (struct vs_guest_env){ arena, gbus, irqc, loop, &faults };
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	ck_assert_int_eq(register_virtio_driver(&td_drv), 0);
	ck_assert_int_eq(vs_guest_pci_enumerate(), 1);
	pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(SLOT, 0));
	ck_assert_ptr_nonnull(pdev);
	px.bar4 = pci_resource_start(pdev, VS__PCI_BAR_MODERN);
	px.io = transitional ? pci_resource_start(pdev, VS__PCI_BAR_LEGACY) : 0;
}

static void proxy_down(void)
{
	guest_down();
	vs_bus_destroy(gbus);
	machine_down();
}

/* ======== Refusal: the device cannot map a vector ======== */

struct refuse_case {
	int legacy;
	int refuse_config;
	unsigned int refuse_q;
	const char *mode;
	u16 qvec; /* every queue's vector on the device afterwards */
};

static const struct refuse_case refuse_cases[] = {
	/* Config vector refused: no MSI-X step can work. */
	{ 0, 1, VIRTIO_MSI_NO_VECTOR, "intx", VIRTIO_MSI_NO_VECTOR },
	/* Vectors 2 and up refused: per-vq (1, 2, 3) fails, shared (1) works. */
	{ 0, 0, 2, "msix-shared", 1 },
	/* Vector 1 and up refused: only the single vector 0 is left. */
	{ 0, 0, 1, "msix-single", 0 },
	{ 1, 1, VIRTIO_MSI_NO_VECTOR, "intx", VIRTIO_MSI_NO_VECTOR },
	{ 1, 0, 2, "msix-shared", 1 },
	{ 1, 0, 1, "msix-single", 0 },
};

START_TEST(refused_vector_falls_through_to_next_step)
{
	const struct refuse_case *rc = &refuse_cases[_i];
	unsigned int q;

	proxy_up(4, rc->legacy);
	px.refuse_config = rc->refuse_config;
	px.refuse_q = rc->refuse_q;
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, rc->legacy, &handle), 0);
	ck_assert_str_eq(vs_guest_irq_mode(handle), rc->mode);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), !rc->legacy);
	/* The failed steps left nothing mapped behind. */
	for (q = 0; q < NQ; q++)
		ck_assert_uint_eq(vs_pci_queue_vector(pci, q), rc->qvec);
	traffic();
	for (q = 0; q < NQ; q++)
		ck_assert_uint_eq(td.callbacks[q], 1);
	proxy_down();
}
END_TEST

/* ======== What is reserved is ignored ======== */

START_TEST(reserved_cfg_type_leaves_device_to_legacy)
{
	proxy_up(4, 1);
	px.reserved_type = 1;
	/* No usable common configuration: modern probe gives up, the
	 * transitional device is driven through its legacy interface. */
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), 0);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), 0);
	ck_assert_str_eq(vs_guest_irq_mode(handle), "msix-per-vq");
	traffic();
	ck_assert_uint_eq(td.used[2], 1);
	proxy_down();
}
END_TEST

START_TEST(reserved_bar_is_ignored)
{
	proxy_up(4, 1);
	px.reserved_bar = 1;
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), 0);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), 0);
	proxy_down();
}
END_TEST

START_TEST(modern_only_device_without_caps_is_refused)
{
	proxy_up(4, 0);
	px.reserved_type = 1;
	/* Not transitional either: nothing to drive it with. */
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), -ENODEV);
	ck_assert_int_eq(handle, -1);
	ck_assert_uint_eq(vs_vdev_status_peek(vdev), 0);
	/* The slot can be tried again once the device behaves. */
	px.reserved_type = 0;
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), 0);
	proxy_down();
}
END_TEST

START_TEST(capability_loop_ends)
{
	struct pci_dev *pdev;

	proxy_up(4, 0);
	px.msix_loop = 1;
	pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(SLOT, 0));
	/* Present ones are still found; an absent one ends the walk. */
	ck_assert_uint_eq(pci_find_capability(pdev, PCI_CAP_ID_MSIX), VS__PCI_CAP_MSIX);
	ck_assert_uint_eq(pci_find_capability(pdev, 0x05 /* MSI */), 0);
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), 0);
	proxy_down();
}
END_TEST

/* ======== Config space accessors ======== */

START_TEST(config_accessors_check_alignment)
{
	struct pci_dev *pdev;
	u32 l;
	u16 w;
	u8 b;

	proxy_up(2, 0);
	pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(SLOT, 0));
	ck_assert_int_eq(pci_read_config_word(pdev, PCI_VENDOR_ID, &w), PCIBIOS_SUCCESSFUL);
	ck_assert_uint_eq(w, VIRTIO_PCI_VENDOR_ID);
	ck_assert_int_eq(pci_read_config_dword(pdev, PCI_VENDOR_ID, &l), PCIBIOS_SUCCESSFUL);
	ck_assert_uint_eq(l, VIRTIO_PCI_VENDOR_ID | (0x1040u + TEST_ID) << 16);
	ck_assert_int_eq(pci_read_config_byte(pdev, PCI_REVISION_ID, &b), PCIBIOS_SUCCESSFUL);
	ck_assert_uint_eq(b, 1);
	ck_assert_int_eq(pci_read_config_word(pdev, 1, &w), PCIBIOS_BAD_REGISTER_NUMBER);
	ck_assert_uint_eq(w, 0xffff);
	ck_assert_int_eq(pci_read_config_dword(pdev, 4094, &l), PCIBIOS_BAD_REGISTER_NUMBER);
	ck_assert_int_eq(pci_write_config_byte(pdev, 4096, 0), PCIBIOS_BAD_REGISTER_NUMBER);
	ck_assert_ptr_null(pci_iomap(pdev, 1, 0)); /* a BAR that does not exist */
	ck_assert_ptr_null(pci_iomap_range(pdev, VS__PCI_BAR_MODERN, 0x4000, 0));
	ck_assert_ptr_nonnull(pci_iomap_range(pdev, VS__PCI_BAR_MODERN, 0x3fff, 0));
	proxy_down();
}
END_TEST

static Suite *pci_core_suite(void)
{
	Suite *s = suite_create("pci_core");
	TCase *refuse = tcase_create("Refusal");
	TCase *reserved = tcase_create("Reserved");
	TCase *cfg = tcase_create("Config");

	tcase_add_loop_test(refuse, refused_vector_falls_through_to_next_step, 0,
			    (int)ARRAY_SIZE(refuse_cases));
	tcase_add_test(reserved, reserved_cfg_type_leaves_device_to_legacy);
	tcase_add_test(reserved, reserved_bar_is_ignored);
	tcase_add_test(reserved, modern_only_device_without_caps_is_refused);
	tcase_add_test(reserved, capability_loop_ends);
	tcase_add_test(cfg, config_accessors_check_alignment);
	suite_add_tcase(s, refuse);
	suite_add_tcase(s, reserved);
	suite_add_tcase(s, cfg);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
