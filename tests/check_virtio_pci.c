/*
 * check_virtio_pci.c - the guest's PCI side (driver/pci*.c,
 * driver/virtio_pci_*.c) against the real virtio PCI function
 * (transport/pci*.c) on a machine built here: the firmware scan and BAR
 * assignment, modern-first / force_legacy probing, which step of the
 * interrupt policy chain is chosen for each MSI-X table size and each
 * number of free platform lines, queue and config-change interrupts
 * reaching the driver in every mode, legacy config at 20 / 24, reset and
 * re-add.
 *
 * The device is a small test model (device type 9, which has a
 * transitional id, three queues that complete every buffer, 8 config
 * bytes) driven by a test virtio driver, so the policy chain has more
 * queues than vectors to share (rng has one queue: per-vq and shared both
 * need 2 vectors there).
 */
#include "tests/virtio_pci_fixture.h"

/* ======== Policy: the step chosen for each table size ======== */

struct policy_case {
	unsigned int msix;     /* table size, 0 = no MSI-X capability */
	unsigned int nvqs;
	int q1_no_callback;
	int legacy;            /* transitional + force_legacy */
	const char *mode;
	u16 config_vec;        /* what the device has for config changes */
	u16 qvec[NQ];          /* and for each queue */
};

#define NOV VIRTIO_MSI_NO_VECTOR

static const struct policy_case policy_cases[] = {
	{ 4, 3, 0, 0, "msix-per-vq", 0, { 1, 2, 3 } },
	{ 3, 3, 0, 0, "msix-shared", 0, { 1, 1, 1 } },
	{ 2, 3, 0, 0, "msix-shared", 0, { 1, 1, 1 } },
	{ 1, 3, 0, 0, "msix-single", 0, { 0, 0, 0 } },
	{ 0, 3, 0, 0, "intx", NOV, { NOV, NOV, NOV } },
	/* A queue without callback needs no vector: 1 + 2 is enough. */
	{ 3, 3, 1, 0, "msix-per-vq", 0, { 1, NOV, 2 } },
	/* One queue: per-vq and shared both ask 2. */
	{ 2, 1, 0, 0, "msix-per-vq", 0, { 1, NOV, NOV } },
	{ 1, 1, 0, 0, "msix-single", 0, { 0, NOV, NOV } },
	/* The legacy interface, the same chain. */
	{ 4, 3, 0, 1, "msix-per-vq", 0, { 1, 2, 3 } },
	{ 2, 3, 0, 1, "msix-shared", 0, { 1, 1, 1 } },
	{ 1, 3, 0, 1, "msix-single", 0, { 0, 0, 0 } },
	{ 0, 3, 0, 1, "intx", NOV, { NOV, NOV, NOV } },
};

START_TEST(policy_step_for_table_size)
{
	const struct policy_case *pc = &policy_cases[_i];
	unsigned int q;

	machine_up();
	td.nvqs = pc->nvqs;
	td.no_callback[1] = pc->q1_no_callback;
	ck_assert_int_eq(plug_and_add(pc->msix, pc->legacy, pc->legacy), 0);
	ck_assert_str_eq(vs_guest_irq_mode(handle), pc->mode);
	ck_assert_int_eq(vs_pci_msix_enabled(pci), pc->msix > 0);
	ck_assert_uint_eq(vs_pci_config_vector(pci), pc->config_vec);
	for (q = 0; q < NQ; q++)
		ck_assert_uint_eq(vs_pci_queue_vector(pci, q), pc->qvec[q]);
	/* Modern or legacy, as asked: VERSION_1 only over the modern one. */
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), !pc->legacy);
	/* Every queue that has a callback gets its interrupt. */
	traffic();
	for (q = 0; q < pc->nvqs; q++) {
		unsigned int len;

		if (pc->q1_no_callback && q == 1) {
			/* No callback: the driver polls for it. */
			ck_assert_uint_eq(td.callbacks[q], 0);
			ck_assert_ptr_eq(virtqueue_get_buf(td.vqs[q], &len), td.bufs[q]);
			kfree(td.bufs[q]);
			continue;
		}
		ck_assert_uint_eq(td.used[q], 1);
		ck_assert_uint_eq(td.callbacks[q], 1);
	}
	guest_down();
	ck_assert_int_eq(vs_pci_msix_enabled(pci), 0);
	machine_down();
}
END_TEST

/* Free lines when the guest asks: the platform, not the device, limits. */
struct platform_case {
	unsigned int free_lines;
	const char *mode;
};

static const struct platform_case platform_cases[] = {
	{ 4, "msix-per-vq" }, { 3, "msix-shared" }, { 2, "msix-shared" },
	{ 1, "msix-single" }, { 0, "intx" },
};

START_TEST(policy_falls_through_when_platform_lines_run_out)
{
	const struct platform_case *pc = &platform_cases[_i];
	unsigned int taken[VS_IRQ_MAX_LINES], n = 0, line;

	machine_up();
	ck_assert_int_eq(vs_pci_create(host, bus, irqc, vdev, SLOT, intx,
				       &(struct vs_pci_params){ 8, 0 }, &pci), 0);
	while (vs_irq_alloc_line(irqc, &line) == 0)
		taken[n++] = line;
	for (line = 0; line < pc->free_lines; line++)
		vs_irq_free_line(irqc, taken[--n]);
	{
		struct vs_guest_env genv = { arena, gbus, irqc, loop, &faults };

		ck_assert_int_eq(vs_guest_init(&genv), 0);
		ck_assert_int_eq(register_virtio_driver(&td_drv), 0);
		ck_assert_int_eq(vs_guest_pci_enumerate(), 1);
		ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), 0);
	}
	ck_assert_str_eq(vs_guest_irq_mode(handle), pc->mode);
	traffic();
	for (line = 0; line < NQ; line++)
		ck_assert_uint_eq(td.callbacks[line], 1);
	guest_down();
	while (n)
		vs_irq_free_line(irqc, taken[--n]);
	machine_down();
}
END_TEST

/* ======== Interrupts: config changes in every mode ======== */

START_TEST(config_change_reaches_driver_in_every_mode)
{
	static const unsigned int tables[] = { 4, 2, 1, 0 };
	static const char *const modes[] = { "msix-per-vq", "msix-shared", "msix-single", "intx" };
	const int legacy = _i >= 4;
	const unsigned int k = (unsigned int)_i % 4;

	machine_up();
	ck_assert_int_eq(plug_and_add(tables[k], legacy, legacy), 0);
	ck_assert_str_eq(vs_guest_irq_mode(handle), modes[k]);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, "\x01\x02\x03\x04", 4), 0);
	vs_loop_drain(loop);
	ck_assert_uint_eq(td.config_changes, 1);
	/* INTx: the handler read the ISR, which cleared it; with MSI-X the
	 * device still sets the config bit, which nobody reads. */
	ck_assert_uint_eq(vs_pci_isr_peek(pci), k == 3 ? 0 : VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(virtio_cread32(td.vdev, 0), 0x04030201);
	/* The single vector also carries queue interrupts: still one change. */
	traffic();
	ck_assert_uint_eq(td.config_changes, k == 2 ? 1 + NQ : 1);
	guest_down();
	machine_down();
}
END_TEST

/* ======== Legacy: config offset, feature width, probe order ======== */

START_TEST(legacy_config_moves_with_msix)
{
	machine_up();
	ck_assert_int_eq(plug_and_add(4, 1, 1), 0);
	/* Read before find_vqs (config at 20) and after (MSI-X on: 24). */
	ck_assert_uint_eq(td.cfg_before, 0x44332211);
	ck_assert_uint_eq(td.cfg_after, 0x44332211);
	guest_down();
	machine_down();
}
END_TEST

START_TEST(transitional_device_probes_modern_first)
{
	machine_up();
	ck_assert_int_eq(plug_and_add(4, 1, 0), 0);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), 1);
	ck_assert_uint_eq(td.vdev->id.device, TEST_ID);
	guest_down();
	machine_down();
}
END_TEST

START_TEST(force_legacy_on_modern_only_device_falls_back_to_modern)
{
	machine_up();
	ck_assert_int_eq(plug_and_add(4, 0, 1), 0);
	ck_assert_int_eq(vs_vdev_has_feature(vdev, VIRTIO_F_VERSION_1), 1);
	ck_assert_str_eq(vs_guest_irq_mode(handle), "msix-per-vq");
	guest_down();
	machine_down();
}
END_TEST

/* ======== Lifecycle ======== */

START_TEST(reset_and_readd_keep_working)
{
	unsigned int line, before;

	machine_up();
	ck_assert_int_eq(plug_and_add(4, _i, _i), 0);
	traffic();
	ck_assert_int_eq(vs_guest_reset(handle), 0);
	ck_assert_str_eq(vs_guest_irq_mode(handle), "msix-per-vq");
	traffic();
	ck_assert_uint_eq(td.used[0], 2);
	/* Remove frees the MSI-X lines: the irq controller gets them back. */
	ck_assert_int_eq(vs_guest_remove(handle), 0);
	ck_assert_ptr_null(vs_guest_irq_mode(handle));
	before = 0;
	while (vs_irq_alloc_line(irqc, &line) == 0)
		before++;
	for (line = 0; line < VS_IRQ_MAX_LINES; line++)
		if (line != intx)
			vs_irq_free_line(irqc, line);
	ck_assert_uint_eq(before, VS_IRQ_MAX_LINES - 1);
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, _i, &handle), 0);
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, _i, &(int){ 0 }), -EBUSY);
	traffic();
	ck_assert_uint_eq(td.used[1], 3); /* two before the remove, one after */
	guest_down();
	machine_down();
}
END_TEST

START_TEST(add_refuses_empty_slot_and_bad_args)
{
	machine_up();
	ck_assert_int_eq(vs_guest_pci_add(SLOT, intx, 0, &handle), -ENODEV); /* no guest */
	ck_assert_int_eq(plug_and_add(2, 0, 0), 0);
	ck_assert_int_eq(vs_guest_pci_add(SLOT + 1, intx, 0, &(int){ 0 }), -ENODEV);
	ck_assert_int_eq(vs_guest_pci_add(32, intx, 0, &(int){ 0 }), -EINVAL);
	ck_assert_int_eq(vs_guest_pci_enumerate(), -EBUSY);
	guest_down();
	machine_down();
}
END_TEST

/* ======== Enumeration: what the firmware scan set up ======== */

START_TEST(scan_assigns_bars_and_enables_decoding)
{
	struct pci_dev *pdev;
	u16 cmd;
	int i, n_mem = 0, n_io = 0;

	machine_up();
	ck_assert_int_eq(plug_and_add(4, 1, 0), 0);
	pdev = pci_get_domain_bus_and_slot(0, 0, PCI_DEVFN(SLOT, 0));
	ck_assert_ptr_nonnull(pdev);
	ck_assert_uint_eq(pdev->vendor, VIRTIO_PCI_VENDOR_ID);
	ck_assert_uint_eq(pdev->device, 0x1009);
	ck_assert_uint_eq(pdev->subsystem_device, TEST_ID);
	ck_assert_uint_eq(pdev->revision, 0);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct resource *r = &pdev->resource[i];

		if (!resource_type(r))
			continue;
		ck_assert(!(r->flags & IORESOURCE_UNSET));
		/* Aligned to its size, inside its window. */
		ck_assert_uint_eq(r->start & (resource_size(r) - 1), 0);
		if (r->flags & IORESOURCE_IO) {
			n_io++;
			ck_assert_uint_ge(r->start, VS_PCI_IO_BASE);
			ck_assert_uint_le(r->end, VS_PCI_IO_BASE + VS_PCI_IO_SIZE - 1);
		} else {
			n_mem++;
			ck_assert(r->flags & IORESOURCE_MEM_64);
			ck_assert_uint_ge(r->start, VS_PCI_MMIO_BASE);
		}
	}
	ck_assert_int_eq(n_io, 1);  /* the legacy header */
	ck_assert_int_eq(n_mem, 2); /* MSI-X table, modern structures */
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	ck_assert_uint_eq(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* MSI-X on, so INTx off. */
	ck_assert(cmd & PCI_COMMAND_INTX_DISABLE);
	ck_assert_uint_ne(pdev->msix_cap, 0);
	ck_assert_uint_eq(pci_find_capability(pdev, PCI_CAP_ID_MSIX), pdev->msix_cap);
	ck_assert_int_eq(pci_msix_vec_count(pdev), 4);
	ck_assert_uint_ne(pci_find_capability(pdev, PCI_CAP_ID_VNDR), 0);
	/* The I/O BAR reads through port space: status is DRIVER_OK. */
	{
		void __iomem *io = pci_iomap(pdev, 0, 0);

		ck_assert_ptr_nonnull(io);
		ck_assert_uint_eq(ioread8((u8 __iomem *)io + VIRTIO_PCI_STATUS) &
					  VIRTIO_CONFIG_S_DRIVER_OK,
				  VIRTIO_CONFIG_S_DRIVER_OK);
	}
	guest_down();
	machine_down();
}
END_TEST

static Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *policy = tcase_create("Policy");
	TCase *irqs = tcase_create("Interrupts");
	TCase *legacy = tcase_create("Legacy");
	TCase *life = tcase_create("Lifecycle");
	TCase *scan = tcase_create("Enumeration");

	tcase_add_loop_test(policy, policy_step_for_table_size, 0,
			    (int)(sizeof(policy_cases) / sizeof(policy_cases[0])));
	tcase_add_loop_test(policy, policy_falls_through_when_platform_lines_run_out, 0,
			    (int)(sizeof(platform_cases) / sizeof(platform_cases[0])));
	tcase_add_loop_test(irqs, config_change_reaches_driver_in_every_mode, 0, 8);
	tcase_add_test(legacy, legacy_config_moves_with_msix);
	tcase_add_test(legacy, transitional_device_probes_modern_first);
	tcase_add_test(legacy, force_legacy_on_modern_only_device_falls_back_to_modern);
	tcase_add_loop_test(life, reset_and_readd_keep_working, 0, 2);
	tcase_add_test(life, add_refuses_empty_slot_and_bad_args);
	tcase_add_test(scan, scan_assigns_bars_and_enables_decoding);
	suite_add_tcase(s, policy);
	suite_add_tcase(s, irqs);
	suite_add_tcase(s, legacy);
	suite_add_tcase(s, life);
	suite_add_tcase(s, scan);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtio_pci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
