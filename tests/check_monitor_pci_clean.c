/*
 * check_monitor_pci_clean.c - the monitor's virtio PCI decoder on clean
 * runs: modern with MSI-X and with INTx, a slow reset, a queue reset, the
 * legacy header with INTx and with MSI-X (Linux's legacy teardown
 * included), the PCI_CFG window decoded as the BAR access it makes, a
 * disabled BAR and an empty slot.  Nothing may fire.
 */
#include "monitor_pci_fixture.h"

static void setup_rng(void)
{
	setup_common();
	make_fn("rng", 2, 0, VS_BIT(VIRTIO_F_RING_RESET) | VS_BIT(VIRTIO_F_RING_PACKED));
}

static void setup_legacy(void)
{
	setup_common();
	make_fn("rng", 2, 1, 0);
}

START_TEST(clean_modern_msix)
{
	modern_init(1);
	request();
	request();
	ck_assert_uint_eq(vs_irq_count(T.irq, T.msi0), 2);
	ck_assert_int_eq(vs_vdev_config_change(T.vdev, 0, NULL, 0), 0);
	ck_assert_uint_eq(vs_irq_count(T.irq, T.msi1), 1);
	CRD(CFGGENERATION, 1);
	CWR(STATUS, 1, 0);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_modern_intx)
{
	T.handler = H_ISR;
	modern_init(0);
	request();
	request();
	ck_assert_uint_eq(vs_irq_count(T.irq, T.intx), 2);
	CWR(STATUS, 1, 0);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	settle();
	expect_clean();
}
END_TEST

/* A slow reset (the device's first read still shows the old status) is
 * fine on PCI as long as the driver waits for 0. */
START_TEST(clean_slow_reset)
{
	T.handler = H_ISR;
	modern_init(0);
	vs_faults_set(&T.faults, VS_FAULT_DEV_RESET_INCOMPLETE, VS_FAULT_COUNTED, 1, 0, 0);
	CWR(STATUS, 1, 0);
	ck_assert_uint_ne(CRD(STATUS, 1), 0);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	add_status(ACK);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_queue_reset)
{
	T.accept[1] |= W1(VIRTIO_F_RING_RESET);
	modern_init(1);
	request();
	CWR(Q_RESET, 2, 1);
	ck_assert_uint_eq(CRD(Q_RESET, 2), 0);
	ck_assert_uint_eq(CRD(Q_ENABLE, 2), 0);
	memset(vs_arena_translate(T.arena, AVAIL_GPA, VS_AVAIL_SIZE(QSZ)), 0, VS_AVAIL_SIZE(QSZ));
	memset(vs_arena_translate(T.arena, USED_GPA, VS_USED_SIZE(QSZ)), 0, VS_USED_SIZE(QSZ));
	T.avail_idx = 0;
	setup_queue0(0);
	request();
	ck_assert_uint_eq(vs_irq_count(T.irq, T.msi0), 2);
	settle();
	expect_clean();
}
END_TEST

/* The legacy interface of a transitional device, as Linux's
 * virtio_pci_legacy drives it: no FEATURES_OK, the PFN, INTx. */
START_TEST(clean_legacy)
{
	uint64_t desc = LDESC_GPA, avail = desc + VS_DESC_SIZE(QSZ);

	T.handler = H_LEGACY_ISR;
	enumerate();
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
	iowr(VIRTIO_PCI_STATUS, 1, iord(VIRTIO_PCI_STATUS, 1) | ACK);
	iowr(VIRTIO_PCI_STATUS, 1, iord(VIRTIO_PCI_STATUS, 1) | DRV);
	iord(VIRTIO_PCI_HOST_FEATURES, 4);
	iowr(VIRTIO_PCI_GUEST_FEATURES, 4, 0);
	iowr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_NUM, 2), QSZ);
	ck_assert_uint_eq(iord(VIRTIO_PCI_QUEUE_PFN, 4), 0);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, desc >> 12);
	iowr(VIRTIO_PCI_STATUS, 1, iord(VIRTIO_PCI_STATUS, 1) | DOK);
	post(desc, avail);
	iowr(VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);
	ck_assert_int_eq(vs_loop_drain(T.loop), 0);
	ck_assert_uint_eq(vs_irq_count(T.irq, T.intx), 1);
	ck_assert_uint_eq(vs_le16(vs_arena_translate(T.arena, desc + 0x1000 + VS_USED_IDX, 2)), 1);
	/* config through the legacy header: no generation to bracket it */
	iord(VIRTIO_PCI_CONFIG_OFF(0), 4);
	iord(VIRTIO_PCI_CONFIG_OFF(0) + 4, 4);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, 0);
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_legacy_msix)
{
	uint64_t desc = LDESC_GPA, avail = desc + VS_DESC_SIZE(QSZ);

	enumerate();
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
	iowr(VIRTIO_PCI_STATUS, 1, ACK | DRV);
	iord(VIRTIO_PCI_HOST_FEATURES, 4);
	iowr(VIRTIO_PCI_GUEST_FEATURES, 4, 0);
	program_vector(0, T.msi0);
	program_vector(1, T.msi1);
	msix_on();
	iowr(VIRTIO_MSI_CONFIG_VECTOR, 2, 1);
	ck_assert_uint_eq(iord(VIRTIO_MSI_CONFIG_VECTOR, 2), 1);
	iowr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	iord(VIRTIO_PCI_QUEUE_NUM, 2);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, desc >> 12);
	iowr(VIRTIO_MSI_QUEUE_VECTOR, 2, 0);
	ck_assert_uint_eq(iord(VIRTIO_MSI_QUEUE_VECTOR, 2), 0);
	iowr(VIRTIO_PCI_STATUS, 1, ACK | DRV | DOK);
	post(desc, avail);
	iowr(VIRTIO_PCI_QUEUE_NOTIFY, 2, 0);
	ck_assert_int_eq(vs_loop_drain(T.loop), 0);
	ck_assert_uint_eq(vs_irq_count(T.irq, T.msi0), 1);
	/* Linux's legacy del_vq: unmap, flush with an ISR read, stop */
	iowr(VIRTIO_PCI_QUEUE_SEL, 2, 0);
	iowr(VIRTIO_MSI_QUEUE_VECTOR, 2, VIRTIO_MSI_NO_VECTOR);
	iord(VIRTIO_PCI_ISR, 1);
	iowr(VIRTIO_PCI_QUEUE_PFN, 4, 0);
	iowr(VIRTIO_PCI_STATUS, 1, 0);
	ck_assert_uint_eq(iord(VIRTIO_PCI_STATUS, 1), 0);
	settle();
	expect_clean();
}
END_TEST

/* Register accesses through the PCI_CFG window are decoded as the BAR
 * accesses they make. */
START_TEST(window_decodes_as_bar_access)
{
	enumerate();
	window(4, VIRTIO_PCI_COMMON_STATUS, 1);
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1, 0);
	/* a write of ACK without reading 0 back: pci.reset-wait, seen
	 * through the window */
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1, ACK);
	settle();
	expect_only("pci.reset-wait", VS_SIDE_DRIVER, NULL);
	vs_monitor_clear(T.mon);
	window(4, VIRTIO_PCI_COMMON_STATUS, 1);
	cfg_rd(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1);
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1, 0);
	cfg_rd(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1);
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 1, ACK);
	settle();
	expect_clean();
}
END_TEST

/* A disabled BAR does not decode: the access is unmapped and not the
 * device's; an empty slot is not judged. */
START_TEST(disabled_bar_and_empty_slot)
{
	uint64_t v;

	enumerate();
	cfg_wr(PCI_COMMAND, 2, 0);
	ck_assert_int_eq(vs_bus_read(T.bus, VS_SIDE_DRIVER, BAR4_ADDR, 4, &v), -ENXIO);
	ck_assert_int_eq(vs_monitor_watch_pci(T.mon, "t1", SLOT + 1, T.intx), 0);
	ck_assert_int_eq(vs_monitor_watch_pci(T.mon, "t2", SLOT, T.intx), -EEXIST);
	ck_assert_int_eq(vs_monitor_watch_pci(T.mon, "t2", 32, T.intx), -EINVAL);
	vs_bus_read(T.bus, VS_SIDE_DRIVER, VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(SLOT + 1, 0, 0), 4, &v);
	ck_assert_uint_eq(v, 0xffffffffu);
	settle();
	expect_clean();
}
END_TEST

static Suite *monitor_pci_clean_suite(void)
{
	Suite *s = suite_create("monitor_pci_clean");
	TCase *tc;

	tc = tcase_create("Modern");
	tcase_add_checked_fixture(tc, setup_rng, teardown);
	tcase_add_test(tc, clean_modern_msix);
	tcase_add_test(tc, clean_modern_intx);
	tcase_add_test(tc, clean_slow_reset);
	tcase_add_test(tc, clean_queue_reset);
	tcase_add_test(tc, window_decodes_as_bar_access);
	tcase_add_test(tc, disabled_bar_and_empty_slot);
	suite_add_tcase(s, tc);

	tc = tcase_create("Legacy");
	tcase_add_checked_fixture(tc, setup_legacy, teardown);
	tcase_add_test(tc, clean_legacy);
	tcase_add_test(tc, clean_legacy_msix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_pci_clean_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
