/*
 * check_pci_irq.c - the virtio PCI function's interrupts and legacy
 * interface (transport/pci*.c): the MSI-X table and PBA with masking and
 * pending, vector mapping, deliveries checked through irq handlers; INTx
 * with the ISR read-to-clear and COMMAND.INTX_DISABLE; the legacy I/O
 * header of a transitional function with its MSI-X-dependent config
 * offset.  The rng device gives real queue traffic.
 */
#include "pci_fixture.h"

/* ---- MSI-X ---- */

START_TEST(msix_vector_mapping)
{
	make_fn(NULL, 2, 0, 0);
	assign_bars();
	CWR(MSIX, 2, 1);
	ck_assert_uint_eq(CRD(MSIX, 2), 1);
	/* spec msi-x-vector-configuration.9: outside the table, NO_VECTOR */
	CWR(MSIX, 2, 2);
	ck_assert_uint_eq(CRD(MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	CWR(Q_SELECT, 2, 1);
	CWR(Q_MSIX, 2, 0);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), 0);
	ck_assert_uint_eq(vs_pci_queue_vector(pci, 1), 0);
	CWR(Q_MSIX, 2, VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	/* entries start masked, the PBA is read-only */
	ck_assert_uint_eq(msix_rd(PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	ck_assert_uint_eq(msix_rd(16 + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	msix_wr(32, 0xff);
	ck_assert_uint_eq(msix_rd(32), 0);
	program_vector(1, msi1);
	ck_assert_uint_eq(msix_rd(16 + PCI_MSIX_ENTRY_DATA), msi1);
	ck_assert_uint_eq(msix_rd(16 + PCI_MSIX_ENTRY_LOWER_ADDR), (uint32_t)VS_MSI_ADDR_BASE);
}
END_TEST

START_TEST(no_msix_maps_nothing)
{
	make_fn(NULL, 0, 0, 0);
	assign_bars();
	CWR(MSIX, 2, 0);
	ck_assert_uint_eq(CRD(MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}
END_TEST

/* rng with MSI-X on, queue 0 on vector 0 (line msi0), config on 1 (msi1). */
static void msix_rng_setup(void)
{
	make_fn("rng", 2, 0, 0);
	assign_bars();
	program_vector(0, msi0);
	program_vector(1, msi1);
	msix_enable(0);
	ck_assert_int_eq(vs_pci_msix_enabled(pci), 1);
	CWR(MSIX, 2, 1);
	CWR(Q_SELECT, 2, 0);
	CWR(Q_MSIX, 2, 0);
	modern_init();
	CWR(MSIX, 2, 1);
	CWR(Q_MSIX, 2, 0);
	ck_assert_uint_eq(CRD(Q_MSIX, 2), 0);
}

START_TEST(msix_delivery)
{
	msix_rng_setup();
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(calls[msi0], 1);
	ck_assert_uint_eq(calls[intx], 0);
	ck_assert_uint_eq(vs_pci_isr_peek(pci), 0);
	/* a configuration change goes to the config vector; the ISR config
	 * bit is set all the same (spec isr-status-capability.2) */
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, NULL, 0), 0);
	ck_assert_uint_eq(calls[msi1], 1);
	ck_assert_uint_eq(vs_pci_isr_peek(pci), VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	ck_assert_uint_eq(vs_pci_config_vector(pci), 1);
}
END_TEST

START_TEST(msix_masked_vector_pends)
{
	msix_rng_setup();
	msix_wr(PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(calls[msi0], 0);
	ck_assert_uint_eq(msix_rd(32), 1); /* PBA bit 0 */
	msix_wr(PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	ck_assert_uint_eq(calls[msi0], 1);
	ck_assert_uint_eq(msix_rd(32), 0);
}
END_TEST

START_TEST(msix_function_mask_pends)
{
	msix_rng_setup();
	msix_enable(PCI_MSIX_FLAGS_MASKALL);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(calls[msi0], 0);
	ck_assert_uint_eq(msix_rd(32), 1);
	msix_enable(0);
	ck_assert_uint_eq(calls[msi0], 1);
	ck_assert_uint_eq(msix_rd(32), 0);
	ck_assert_uint_eq(calls[intx], 0);
}
END_TEST

START_TEST(msix_no_vector_no_interrupt)
{
	msix_rng_setup();
	CWR(Q_MSIX, 2, VIRTIO_MSI_NO_VECTOR);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(vs_le16(gp(USED_GPA + VS_USED_IDX, 2)), 1);
	ck_assert_uint_eq(calls[msi0] + calls[msi1] + calls[intx], 0);
	ck_assert_uint_eq(msix_rd(32), 0);
}
END_TEST

START_TEST(msix_unprogrammed_message_is_lost)
{
	make_fn("rng", 2, 0, 0);
	assign_bars();
	msix_wr(PCI_MSIX_ENTRY_VECTOR_CTRL, 0); /* unmasked, address 0 */
	msix_enable(0);
	modern_init();
	CWR(Q_MSIX, 2, 0);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(vs_irq_lost_messages(irq), 1);
	ck_assert_uint_eq(calls[msi0] + calls[intx], 0);
}
END_TEST

/* ---- INTx ---- */

START_TEST(intx_and_isr_read_to_clear)
{
	make_fn("rng", 2, 0, 0);
	assign_bars();
	modern_init();
	vs_irq_release(irq, intx); /* no handler: the ISR stays up */
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(vs_irq_count(irq, intx), 1);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	ck_assert_int_eq(vs_vdev_config_change(vdev, 0, NULL, 0), 0);
	ck_assert_uint_eq(vs_irq_count(irq, intx), 2);
	/* spec isr-status-capability.5 */
	ck_assert_uint_eq(mrd(0x1000, 1), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
	ck_assert_uint_eq(mrd(0x1000, 1), 0);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
}
END_TEST

START_TEST(intx_handler_sees_isr)
{
	make_fn("rng", 0, 0, 0);
	assign_bars();
	modern_init();
	read_isr_in_handler = 1;
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(calls[intx], 1);
	ck_assert_uint_eq(isr_seen, VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(vs_pci_isr_peek(pci), 0);
}
END_TEST

START_TEST(intx_disable)
{
	make_fn("rng", 0, 0, 0);
	assign_bars();
	modern_init();
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	post_request(DESC_GPA, AVAIL_GPA, QSZ, 1);
	kick0();
	ck_assert_uint_eq(calls[intx], 0);
	ck_assert_uint_eq(vs_pci_isr_peek(pci), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(cfg_rd(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	/* enabling INTx with the interrupt pending asserts it */
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(calls[intx], 1);
}
END_TEST

/* ---- Legacy ---- */

START_TEST(legacy_layout)
{
	uint64_t desc = 0x20000, avail = desc + 16 * QSZ, used = 0x21000;

	make_fn("rng", 0, 1, 0);
	assign_bars();
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
	iowr(VIRTIO_PCI_STATUS, 1, S_ACK | S_DRV);
	ck_assert_uint_eq(iord(VIRTIO_PCI_HOST_FEATURES, 4), 0);
	iowr(VIRTIO_PCI_GUEST_FEATURES, 4, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_GUEST_FEATURES, 4), 0);
	iowr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_SEL, 2), 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_NUM, 2), QSZ);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_PFN, 4), 0);
	iowr(VIRTIO_PCI_QUEUE_NUM, 2, 2); /* read-only */
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_NUM, 2), QSZ);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, (uint32_t)(desc >> 12));
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_PFN, 4), desc >> 12);
	/* the legacy layout: used ring at the next 4096 boundary (spec 2.7.2) */
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DESC), desc);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DRIVER), avail);
	ck_assert_uint_eq(vs_vdev_queue_addr(vdev, 0, VS_VQ_AREA_DEVICE), used);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 1);
	/* no FEATURES_OK on the legacy interface */
	iowr(VIRTIO_PCI_STATUS, 1, S_ACK | S_DRV | S_DOK);
	vs_irq_release(irq, intx);
	post_request(desc, avail, QSZ, 1);
	iowr(VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
	ck_assert_uint_eq(vs_le16(gp(used + VS_USED_IDX, 2)), 1);
	ck_assert_uint_eq(vs_irq_count(irq, intx), 1);
	ck_assert_uint_eq(iord(VIRTIO_PCI_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	ck_assert_uint_eq(iord(VIRTIO_PCI_ISR, 1), 0);
	/* PFN 0 stops the queue; reset clears every PFN */
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, 0);
	ck_assert_int_eq(vs_vdev_queue_ready(vdev, 0), 0);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, (uint32_t)(desc >> 12));
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_PFN, 4), 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
}
END_TEST

START_TEST(legacy_features_low_word_only)
{
	make_fn("rng", 0, 1, VS_BIT(VIRTIO_F_INDIRECT_DESC));
	assign_bars();
	iowr(VIRTIO_PCI_STATUS, 1, S_ACK | S_DRV);
	ck_assert_uint_eq(iord(VIRTIO_PCI_HOST_FEATURES, 4), 1u << VIRTIO_F_INDIRECT_DESC);
	/* a modern word 1 written before is dropped by a legacy write */
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, 1);
	iowr(VIRTIO_PCI_GUEST_FEATURES, 4, 1u << VIRTIO_F_INDIRECT_DESC);
	ck_assert_uint_eq(vs_vdev_driver_features(vdev), VS_BIT(VIRTIO_F_INDIRECT_DESC));
}
END_TEST

START_TEST(legacy_config_moves_with_msix)
{
	make_fn(NULL, 2, 1, 0);
	assign_bars();
	/* MSI-X off: config at 20, no vector registers */
	ck_assert_uint_eq(iord(20, 4), 0x44332211u);
	ck_assert_uint_eq(iord(21, 1), 0x22);
	ck_assert_uint_eq(iord(26, 2), 0x8877);
	msix_enable(0);
	/* MSI-X on: vectors at 20/22, config at 24 */
	ck_assert_uint_eq(iord(VIRTIO_MSI_CONFIG_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	iowr(VIRTIO_MSI_CONFIG_VECTOR, 2, 1);
	ck_assert_uint_eq(iord(VIRTIO_MSI_CONFIG_VECTOR, 2), 1);
	iowr(VIRTIO_PCI_QUEUE_SEL, 2, 1);
	iowr(VIRTIO_MSI_QUEUE_VECTOR, 2, 0);
	ck_assert_uint_eq(iord(VIRTIO_MSI_QUEUE_VECTOR, 2), 0);
	iowr(VIRTIO_MSI_QUEUE_VECTOR, 2, 7);
	ck_assert_uint_eq(iord(VIRTIO_MSI_QUEUE_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(iord(24, 4), 0x44332211u);
	ck_assert_uint_eq(iord(28, 4), 0x88776655u);
	msix_wr(0, 0); /* BAR2 is there too */
	/* and back */
	cfg_wr(0x98 + PCI_MSIX_FLAGS, 2, 0);
	ck_assert_uint_eq(iord(20, 2), 0x2211);
}
END_TEST

static Suite *pci_irq_suite(void)
{
	Suite *s = suite_create("pci_irq");
	TCase *tc;

	tc = tcase_create("MSI-X");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, msix_vector_mapping);
	tcase_add_test(tc, no_msix_maps_nothing);
	tcase_add_test(tc, msix_delivery);
	tcase_add_test(tc, msix_masked_vector_pends);
	tcase_add_test(tc, msix_function_mask_pends);
	tcase_add_test(tc, msix_no_vector_no_interrupt);
	tcase_add_test(tc, msix_unprogrammed_message_is_lost);
	suite_add_tcase(s, tc);

	tc = tcase_create("INTx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intx_and_isr_read_to_clear);
	tcase_add_test(tc, intx_handler_sees_isr);
	tcase_add_test(tc, intx_disable);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, legacy_layout);
	tcase_add_test(tc, legacy_features_low_word_only);
	tcase_add_test(tc, legacy_config_moves_with_msix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pci_irq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
