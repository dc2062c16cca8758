/*
 * check_monitor_pci.c - the monitor's virtio PCI rules (4.1): one
 * faulty-side test per pci.* rule, in which exactly that rule fires with
 * the right side.  A faulty device is the real one with its state patched
 * from behind (its configuration space image, its vectors, the vdev's
 * status and queues) or, for the few answers no state produces, with a
 * register read overridden (bar4_override); a faulty device's interrupt is
 * a raw vs_irq_raise / vs_irq_msi.  "rule_table_complete" fails when a
 * pci.* rule has no test.  Clean runs: check_monitor_pci_clean.c.
 */
#include "monitor_pci_fixture.h"

/* ---- device side: bar4_override ---- */

static int ov_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	int err = vs__vpci_modern_read(T.pci, off, width, val);

	(void)opaque;
	if (T.ov_on && off == T.ov_off && width == T.ov_width &&
	    (T.ov_qsel < 0 || T.pci->qsel == T.ov_qsel))
		*val = T.ov_val;
	return err;
}

static int ov_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	(void)opaque;
	return vs__vpci_modern_write(T.pci, off, width, val);
}

static const struct vs_bus_region_ops ov_ops = {ov_read, ov_write};

/* From now on BAR4 answers a read of common+off (width) with val. */
static void bar4_override(uint32_t off, unsigned width, uint32_t val, int qsel)
{
	ck_assert_int_eq(vs_bus_unmap(T.bus, BAR4_ADDR), 0);
	ck_assert_int_eq(vs_bus_map(T.bus, BAR4_ADDR, VS__PCI_MODERN_SIZE, "virtio-pci", &ov_ops, NULL),
			 0);
	T.ov_on = 1;
	T.ov_off = off;
	T.ov_width = width;
	T.ov_val = val;
	T.ov_qsel = qsel;
}

/* ---- driver side ---- */

static void pci_write_readonly(void)
{
	probe_to_features();
	CWR(NUMQ, 2, 4);
}

static void pci_access_width(void)
{
	probe_to_features();
	CRD(NUMQ, 4);
}

static void pci_queue_size_pow2(void)
{
	probe_to_features();
	features_ok();
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
	CWR(Q_SIZE, 2, 6);
}

static void pci_queue_size_zero(void)
{
	T.accept[1] |= W1(VIRTIO_F_RING_PACKED);
	probe_to_features();
	features_ok();
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
	CWR(Q_SIZE, 2, 0);
}

static void pci_queue_size_max(void)
{
	probe_to_features();
	features_ok();
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
	CWR(Q_SIZE, 2, 2 * QSZ);
}

static void pci_queue_enable_early(void)
{
	probe_to_features();
	features_ok();
	CWR(Q_SELECT, 2, 0);
	CWR(Q_DESCLO, 4, DESC_GPA);
	CWR(Q_ENABLE, 2, 1);
}

static void pci_queue_enable_zero(void)
{
	modern_init(0);
	CWR(Q_ENABLE, 2, 0);
}

static void pci_reset_wait(void)
{
	enumerate();
	CWR(STATUS, 1, 0);
	CWR(STATUS, 1, ACK);
}

static void pci_queue_reset_readback(void)
{
	T.accept[1] |= W1(VIRTIO_F_RING_RESET);
	modern_init(0);
	CWR(Q_RESET, 2, 1);
	CWR(Q_SIZE, 2, QSZ);
	CWR(Q_DESCLO, 4, DESC_GPA);
	CWR(Q_AVAILLO, 4, AVAIL_GPA);
	CWR(Q_USEDLO, 4, USED_GPA);
	CWR(Q_ENABLE, 2, 1);
}

static void pci_msix_vector_range(void)
{
	probe_to_features();
	CWR(MSIX, 2, 5);
	ck_assert_uint_eq(CRD(MSIX, 2), VIRTIO_MSI_NO_VECTOR);
}

static void pci_msix_vector_verify(void)
{
	probe_to_features();
	CWR(MSIX, 2, 1);
	CWR(Q_SELECT, 2, 0);
}

static void pci_msix_vector_unprogrammed(void)
{
	probe_to_features();
	features_ok();
	program_vector(0, T.msi0);
	msix_on();
	CWR(MSIX, 2, 1);
	CRD(MSIX, 2);
	setup_queue0(0);
	add_status(DOK);
}

static void pci_cap_write(void)
{
	enumerate();
	cfg_wr(VS__PCI_CAP_COMMON + VIRTIO_PCI_CAP_OFFSET, 4, 0x100);
}

static void pci_cfg_window_align(void)
{
	enumerate();
	window(4, VIRTIO_PCI_COMMON_NUMQ + 1, 2);
	cfg_rd(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 4);
}

static void pci_cfg_window_range(void)
{
	enumerate();
	window(4, 0x3f00, 4);
	cfg_rd(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CFG_CAP_DATA, 4);
}

static void pci_notify_width(void)
{
	modern_init(0);
	mwr(VS__PCI_NOTIFY_OFF, 4, 0);
}

static void pci_notify_value(void)
{
	modern_init(0);
	mwr(VS__PCI_NOTIFY_OFF, 2, 1);
}

static void pci_isr_with_msix(void)
{
	T.handler = H_ISR;
	modern_init(1);
	request();
}

static void pci_legacy_write_readonly(void)
{
	enumerate();
	iowr(VIRTIO_PCI_QUEUE_NUM, 2, 4);
}

/* ---- device side ---- */

static void pci_vendor_id(void)
{
	vs_put_le16(T.pci->cfg + PCI_VENDOR_ID, 0x1234);
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_device_id(void)
{
	vs_put_le16(T.pci->cfg + PCI_DEVICE_ID, 0x1006);
	vs_put_le16(T.pci->cfg + PCI_SUBSYSTEM_ID, 0);
	T.pci->cfg[PCI_REVISION_ID] = 0;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_revision(void)
{
	vs_put_le16(T.pci->cfg + PCI_DEVICE_ID, 0x1005);
	vs_put_le16(T.pci->cfg + PCI_SUBSYSTEM_ID, VIRTIO_ID_RNG);
	T.pci->cfg[PCI_REVISION_ID] = 1;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_subsystem_id(void)
{
	vs_put_le16(T.pci->cfg + PCI_DEVICE_ID, 0x1005);
	T.pci->cfg[PCI_REVISION_ID] = 0;
	vs_put_le16(T.pci->cfg + PCI_SUBSYSTEM_ID, 0x1044);
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_modern_revision(void)
{
	T.pci->cfg[PCI_REVISION_ID] = 0;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_cap_len(void)
{
	T.pci->cfg[VS__PCI_CAP_NOTIFY + VIRTIO_PCI_CAP_LEN] = 16;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_common_missing(void)
{
	T.pci->cfg[VS__PCI_CAP_COMMON + VIRTIO_PCI_CAP_CFG_TYPE] = 0x0a;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_common_align(void)
{
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_COMMON + VIRTIO_PCI_CAP_OFFSET, 2);
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_notify_missing(void)
{
	T.pci->cfg[VS__PCI_CAP_NOTIFY + VIRTIO_PCI_CAP_CFG_TYPE] = 0x0a;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_notify_multiplier(void)
{
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_NOTIFY + VIRTIO_PCI_NOTIFY_CAP_MULT, 8);
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_NOTIFY + VIRTIO_PCI_CAP_LENGTH, 64);
	probe_to_features();
	CWR(Q_SELECT, 2, 0);
	CRD(Q_NOFF, 2);
}

static void pci_notify_length(void)
{
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_NOTIFY + VIRTIO_PCI_CAP_LENGTH, 4);
	probe_to_features();
	CWR(Q_SELECT, 2, 1);
	CRD(Q_NOFF, 2);
}

static void pci_isr_missing(void)
{
	T.pci->cfg[VS__PCI_CAP_ISR + VIRTIO_PCI_CAP_CFG_TYPE] = 0x0a;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_device_cfg_align(void)
{
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_DEVICE + VIRTIO_PCI_CAP_OFFSET, VS__PCI_DEVICE_OFF + 2);
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_cfg_cap_missing(void)
{
	T.pci->cfg[VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_CFG_TYPE] = 0x0a;
	cfg_rd(PCI_VENDOR_ID, 2);
}

static void pci_cap_range(void)
{
	vs_put_le32(T.pci->cfg + VS__PCI_CAP_DEVICE + VIRTIO_PCI_CAP_LENGTH, 0x4000);
	enumerate();
}

static void pci_config_generation(void)
{
	probe_to_features();
	CRD(CFGGENERATION, 1);
	mrd(VS__PCI_DEVICE_OFF, 1);
	vs_faults_set(&T.faults, VS_FAULT_DEV_CONFIG_NO_GENERATION, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_vdev_config_change(T.vdev, 0, "\x99", 1), 0);
	mrd(VS__PCI_DEVICE_OFF, 1);
	CRD(CFGGENERATION, 1);
}

static void pci_reset_readback(void)
{
	enumerate();
	CWR(STATUS, 1, ACK);
	CWR(STATUS, 1, 0);
	vs_vdev_set_status(T.vdev, ACK); /* the device never finishes */
	for (int i = 0; i < 20; i++)
		CRD(STATUS, 1);
}

static void pci_queue_enable_reset(void)
{
	probe_to_features();
	vs_vdev_queue_set_ready(T.vdev, 0, 1);
	CWR(Q_SELECT, 2, 0);
	CRD(Q_ENABLE, 2);
}

static void pci_queue_size_unavailable(void)
{
	probe_to_features();
	CRD(NUMQ, 2);
	bar4_override(VIRTIO_PCI_COMMON_Q_SIZE, 2, 8, 3);
	CWR(Q_SELECT, 2, 3);
	CRD(Q_SIZE, 2);
}

static void pci_queue_size_existing(void)
{
	probe_to_features();
	CRD(NUMQ, 2);
	vs_vdev_queue_set_num(T.vdev, 0, 0);
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
}

static void pci_queue_size_device_pow2(void)
{
	probe_to_features();
	vs_vdev_queue_set_num(T.vdev, 0, 6);
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
}

static void pci_queue_reset_zero(void)
{
	T.accept[1] |= W1(VIRTIO_F_RING_RESET);
	modern_init(0);
	bar4_override(VIRTIO_PCI_COMMON_Q_RESET, 2, 1, 0);
	CRD(Q_RESET, 2);
}

static void pci_queue_reset_enable(void)
{
	T.accept[1] |= W1(VIRTIO_F_RING_RESET);
	modern_init(0);
	CWR(Q_RESET, 2, 1);
	ck_assert_uint_eq(CRD(Q_RESET, 2), 0);
	vs_vdev_queue_set_ready(T.vdev, 0, 1); /* the device forgot */
	CRD(Q_ENABLE, 2);
}

static void pci_msix_vector_readback(void)
{
	probe_to_features();
	CWR(Q_SELECT, 2, 0);
	CWR(Q_MSIX, 2, 1);
	T.pci->queue_vector[0] = 0;
	CRD(Q_MSIX, 2);
}

static void pci_msix_vector_failure(void)
{
	probe_to_features();
	CWR(MSIX, 2, 7);
	T.pci->config_vector = 7;
	CRD(MSIX, 2);
}

static void pci_msix_reset(void)
{
	probe_to_features();
	T.pci->config_vector = 0;
	CRD(MSIX, 2);
}

static void pci_msix_masked(void)
{
	modern_init(1);
	msix_wr(PCI_MSIX_ENTRY_VECTOR_CTRL, 1);
	vs_irq_msi(T.irq, VS_MSI_ADDR_BASE, T.msi0);
}

static void pci_msix_no_vector(void)
{
	modern_init(1);
	CWR(MSIX, 2, VIRTIO_MSI_NO_VECTOR);
	vs_irq_msi(T.irq, VS_MSI_ADDR_BASE, T.msi1);
}

static void pci_intx_with_msix(void)
{
	modern_init(1);
	vs_irq_raise(T.irq, T.intx);
}

static void pci_isr_not_cleared(void)
{
	T.handler = H_ISR;
	modern_init(0);
	T.pci->isr = VIRTIO_PCI_ISR_CONFIG;
	vs_irq_raise(T.irq, T.intx);
	T.pci->isr = VIRTIO_PCI_ISR_CONFIG; /* not reset by the read */
	mrd(VS__PCI_ISR_OFF, 1);
}

static void pci_isr_queue_bit(void)
{
	uint8_t e[8], i2[2];

	T.handler = H_ISR;
	modern_init(0);
	post(DESC_GPA, AVAIL_GPA);
	mwr(VS__PCI_NOTIFY_OFF, 2, 0);
	/* the device uses the buffer and raises INTx without the ISR bit */
	vs_put_le32(e, 0);
	vs_put_le32(e + 4, 16);
	vs_arena_write(T.arena, VS_SIDE_DEVICE, USED_GPA + VS_USED_RING(0), e, 8);
	vs_put_le16(i2, 1);
	vs_arena_write(T.arena, VS_SIDE_DEVICE, USED_GPA + VS_USED_IDX, i2, 2);
	vs_irq_raise(T.irq, T.intx);
}

struct pci_case {
	const char *rule;
	enum vs_side side;
	void (*run)(void);
	const char *also;
	int model; /* 1: the test model (two queues, config) instead of rng */
	int transitional;
};

static const struct pci_case cases[] = {
	{"pci.write-readonly", VS_SIDE_DRIVER, pci_write_readonly, NULL, 0, 0},
	{"pci.access-width", VS_SIDE_DRIVER, pci_access_width, NULL, 0, 0},
	{"pci.queue-size-pow2", VS_SIDE_DRIVER, pci_queue_size_pow2, NULL, 0, 0},
	{"pci.queue-size-zero", VS_SIDE_DRIVER, pci_queue_size_zero, NULL, 0, 0},
	{"pci.queue-size-max", VS_SIDE_DRIVER, pci_queue_size_max, NULL, 0, 0},
	{"pci.queue-enable-early", VS_SIDE_DRIVER, pci_queue_enable_early, NULL, 0, 0},
	{"pci.queue-enable-zero", VS_SIDE_DRIVER, pci_queue_enable_zero, NULL, 0, 0},
	{"pci.reset-wait", VS_SIDE_DRIVER, pci_reset_wait, NULL, 0, 0},
	{"pci.queue-reset-readback", VS_SIDE_DRIVER, pci_queue_reset_readback, NULL, 0, 0},
	{"pci.msix-vector-range", VS_SIDE_DRIVER, pci_msix_vector_range, NULL, 0, 0},
	{"pci.msix-vector-verify", VS_SIDE_DRIVER, pci_msix_vector_verify, NULL, 0, 0},
	{"pci.msix-vector-unprogrammed", VS_SIDE_DRIVER, pci_msix_vector_unprogrammed, NULL, 0, 0},
	{"pci.cap-write", VS_SIDE_DRIVER, pci_cap_write, NULL, 0, 0},
	/* a misaligned window access is a misaligned register access too */
	{"pci.cfg-window-align", VS_SIDE_DRIVER, pci_cfg_window_align, "pci.access-width", 0, 0},
	{"pci.cfg-window-range", VS_SIDE_DRIVER, pci_cfg_window_range, NULL, 0, 0},
	{"pci.notify-width", VS_SIDE_DRIVER, pci_notify_width, NULL, 0, 0},
	{"pci.notify-value", VS_SIDE_DRIVER, pci_notify_value, NULL, 0, 0},
	{"pci.isr-with-msix", VS_SIDE_DRIVER, pci_isr_with_msix, NULL, 0, 0},
	{"pci.legacy-write-readonly", VS_SIDE_DRIVER, pci_legacy_write_readonly, NULL, 0, 1},
	{"pci.vendor-id", VS_SIDE_DEVICE, pci_vendor_id, NULL, 0, 0},
	{"pci.device-id", VS_SIDE_DEVICE, pci_device_id, NULL, 0, 0},
	{"pci.revision", VS_SIDE_DEVICE, pci_revision, NULL, 0, 0},
	{"pci.subsystem-id", VS_SIDE_DEVICE, pci_subsystem_id, NULL, 0, 0},
	{"pci.modern-revision", VS_SIDE_DEVICE, pci_modern_revision, NULL, 0, 0},
	{"pci.cap-len", VS_SIDE_DEVICE, pci_cap_len, NULL, 0, 0},
	{"pci.common-missing", VS_SIDE_DEVICE, pci_common_missing, NULL, 0, 0},
	{"pci.common-align", VS_SIDE_DEVICE, pci_common_align, NULL, 0, 0},
	{"pci.notify-missing", VS_SIDE_DEVICE, pci_notify_missing, NULL, 0, 0},
	{"pci.notify-multiplier", VS_SIDE_DEVICE, pci_notify_multiplier, NULL, 0, 0},
	{"pci.notify-length", VS_SIDE_DEVICE, pci_notify_length, NULL, 1, 0},
	{"pci.isr-missing", VS_SIDE_DEVICE, pci_isr_missing, NULL, 0, 0},
	{"pci.device-cfg-align", VS_SIDE_DEVICE, pci_device_cfg_align, NULL, 1, 0},
	{"pci.cfg-cap-missing", VS_SIDE_DEVICE, pci_cfg_cap_missing, NULL, 0, 0},
	{"pci.cap-range", VS_SIDE_DEVICE, pci_cap_range, NULL, 1, 0},
	{"pci.config-generation", VS_SIDE_DEVICE, pci_config_generation, NULL, 1, 0},
	{"pci.reset-readback", VS_SIDE_DEVICE, pci_reset_readback, NULL, 0, 0},
	{"pci.queue-enable-reset", VS_SIDE_DEVICE, pci_queue_enable_reset, NULL, 0, 0},
	{"pci.queue-size-unavailable", VS_SIDE_DEVICE, pci_queue_size_unavailable, NULL, 0, 0},
	{"pci.queue-size-existing", VS_SIDE_DEVICE, pci_queue_size_existing, NULL, 0, 0},
	{"pci.queue-size-device-pow2", VS_SIDE_DEVICE, pci_queue_size_device_pow2, NULL, 0, 0},
	{"pci.queue-reset-zero", VS_SIDE_DEVICE, pci_queue_reset_zero, NULL, 0, 0},
	{"pci.queue-reset-enable", VS_SIDE_DEVICE, pci_queue_reset_enable, NULL, 0, 0},
	{"pci.msix-vector-readback", VS_SIDE_DEVICE, pci_msix_vector_readback, NULL, 0, 0},
	/* a vector outside the table is the driver's fault first */
	{"pci.msix-vector-failure", VS_SIDE_DEVICE, pci_msix_vector_failure, "pci.msix-vector-range",
	 0, 0},
	{"pci.msix-reset", VS_SIDE_DEVICE, pci_msix_reset, NULL, 0, 0},
	{"pci.msix-masked", VS_SIDE_DEVICE, pci_msix_masked, NULL, 0, 0},
	{"pci.msix-no-vector", VS_SIDE_DEVICE, pci_msix_no_vector, NULL, 0, 0},
	{"pci.intx-with-msix", VS_SIDE_DEVICE, pci_intx_with_msix, NULL, 0, 0},
	{"pci.isr-not-cleared", VS_SIDE_DEVICE, pci_isr_not_cleared, NULL, 0, 0},
	{"pci.isr-queue-bit", VS_SIDE_DEVICE, pci_isr_queue_bit, NULL, 0, 0},
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(rule_fires)
{
	const struct pci_case *c = &cases[_i];

	setup_common();
	if (c->model)
		make_fn(NULL, 2, c->transitional, 0);
	else
		make_fn("rng", 2, c->transitional,
			VS_BIT(VIRTIO_F_RING_RESET) | VS_BIT(VIRTIO_F_RING_PACKED));
	c->run();
	settle();
	expect_only(c->rule, c->side, c->also);
	teardown();
}
END_TEST

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (strncmp(r[i].id, "pci.", 4) != 0)
			continue;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
}
END_TEST

static Suite *monitor_pci_suite(void)
{
	Suite *s = suite_create("monitor_pci");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_pci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
