/*
 * monitor_pci_fixture.h - a machine in miniature for the monitor's PCI
 * tests: the real virtio PCI function (transport/pci.c) over a vdev in
 * slot SLOT of an ECAM host, the monitor watching it, and a driver made of
 * plain bus accesses shaped like Linux's virtio_pci (firmware enumeration,
 * the modern probe, the legacy header).  A faulty device is that device
 * with its state patched from behind (tests include
 * transport/pci_internal.h for that).  One fixture per test (Check forks
 * each), held in the global T so steps read like a script.
 */
#ifndef VS_TEST_MONITOR_PCI_FIXTURE_H
#define VS_TEST_MONITOR_PCI_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/pci_regs.h"
#include "core/virtio_abi.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "harness/monitor.h"
#include "harness/rules.h"
#include "transport/pci.h"
#include "transport/pci_host.h"
#include "transport/pci_internal.h"

#define RAM (1024u * 1024u)
#define SLOT 4u
#define QSZ 8u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x10000u
#define LDESC_GPA 0x20000u /* legacy ring: used at LDESC + 0x1000 */
#define BAR4_ADDR 0x100000000ull
#define BAR2_ADDR 0x100010000ull
#define IO_PORT 0x1000u
#define W1(bit) (1u << ((bit) - 32))

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK

enum { H_NONE = 0, H_ISR, H_LEGACY_ISR };

static struct {
	struct vs_arena *arena;
	struct vs_loop *loop;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_pci_host *host;
	struct vs_monitor *mon;
	struct vs_faults faults;
	struct vs_vdev *vdev;
	struct vs_pci *pci;
	unsigned intx, msi0, msi1;
	int handler;
	uint32_t accept[2];
	uint16_t avail_idx;
	/* bar4_override: a read of common+off of this width answers val */
	int ov_on;
	uint32_t ov_off, ov_val;
	unsigned ov_width;
	int ov_qsel; /* only while queue_select is this (-1: any) */
} T;

/* ---- a model with a config space and two queues ---- */

static int tm_init(struct vs_vdev *v)
{
	memcpy(v->config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	return 0;
}

static void tm_handle(struct vs_vdev *v, struct vs_vq *vq)
{
	(void)v;
	(void)vq;
}

static const struct vs_device_model cfg_model = {
	.name = "pcitest", .device_id = VIRTIO_ID_9P, .num_queues = 2, /* no type rules */
	.queue_size_max = 16, .config_size = 8, .init = tm_init, .handle_queue = tm_handle,
};

/* ---- driver side: configuration space, BARs, I/O ---- */

static inline uint32_t cfg_rd(uint32_t reg, unsigned width)
{
	uint64_t v = 0;

	vs_bus_read(T.bus, VS_SIDE_DRIVER, VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(SLOT, 0, reg), width, &v);
	return (uint32_t)v;
}

static inline void cfg_wr(uint32_t reg, unsigned width, uint32_t val)
{
	vs_bus_write(T.bus, VS_SIDE_DRIVER, VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(SLOT, 0, reg), width, val);
}

static inline uint32_t mrd(uint64_t off, unsigned width)
{
	uint64_t v = 0;

	vs_bus_read(T.bus, VS_SIDE_DRIVER, BAR4_ADDR + off, width, &v);
	return (uint32_t)v;
}

static inline void mwr(uint64_t off, unsigned width, uint32_t val)
{
	vs_bus_write(T.bus, VS_SIDE_DRIVER, BAR4_ADDR + off, width, val);
}

#define CRD(f, w) mrd(VIRTIO_PCI_COMMON_##f, (w))
#define CWR(f, w, v) mwr(VIRTIO_PCI_COMMON_##f, (w), (v))

static inline uint32_t iord(uint32_t off, unsigned width)
{
	uint64_t v = 0;

	vs_bus_read(T.bus, VS_SIDE_DRIVER, VS_PIO_BASE + IO_PORT + off, width, &v);
	return (uint32_t)v;
}

static inline void iowr(uint32_t off, unsigned width, uint32_t val)
{
	vs_bus_write(T.bus, VS_SIDE_DRIVER, VS_PIO_BASE + IO_PORT + off, width, val);
}

static inline void msix_wr(uint64_t off, uint32_t val)
{
	vs_bus_write(T.bus, VS_SIDE_DRIVER, BAR2_ADDR + off, 4, val);
}

/* Firmware: size every BAR (all-ones, read, restore), assign, enable. */
static inline void enumerate(void)
{
	cfg_rd(PCI_VENDOR_ID, 2);
	cfg_rd(PCI_DEVICE_ID, 2);
	for (uint32_t i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * i, orig = cfg_rd(reg, 4), mask;

		cfg_wr(reg, 4, 0xffffffffu);
		mask = cfg_rd(reg, 4);
		cfg_wr(reg, 4, orig);
		if (!mask)
			continue;
		if (mask & PCI_BASE_ADDRESS_SPACE_IO) {
			cfg_wr(reg, 4, IO_PORT);
			continue;
		}
		cfg_wr(reg + 4, 4, 0xffffffffu);
		cfg_rd(reg + 4, 4);
		cfg_wr(reg + 4, 4, 0);
		cfg_wr(reg, 4, (uint32_t)(i == 2 ? BAR2_ADDR : BAR4_ADDR));
		cfg_wr(reg + 4, 4, (uint32_t)((i == 2 ? BAR2_ADDR : BAR4_ADDR) >> 32));
		i++;
	}
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static inline void add_status(uint8_t bits)
{
	CWR(STATUS, 1, CRD(STATUS, 1) | bits);
}

/* virtio core + vp_modern: reset, ACKNOWLEDGE, DRIVER, features. */
static inline void probe_to_features(void)
{
	enumerate();
	CWR(STATUS, 1, 0);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	add_status(ACK);
	add_status(DRV);
	CWR(DFSELECT, 4, 1);
	CRD(DF, 4);
	CWR(DFSELECT, 4, 0);
	CRD(DF, 4);
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, T.accept[1]);
	CWR(GFSELECT, 4, 0);
	CWR(GF, 4, T.accept[0]);
}

static inline void features_ok(void)
{
	add_status(FOK);
	ck_assert_uint_ne(CRD(STATUS, 1) & FOK, 0);
}

/* MSI-X entry v: the MSI window with data = line, unmasked. */
static inline void program_vector(unsigned v, unsigned line)
{
	msix_wr(16 * v + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)VS_MSI_ADDR_BASE);
	msix_wr(16 * v + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	msix_wr(16 * v + PCI_MSIX_ENTRY_DATA, line);
	msix_wr(16 * v + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
}

static inline void msix_on(void)
{
	cfg_wr(0x98 + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
}

/* vp_setup_vq: queue 0 at QSZ, vector qvec (NO_VECTOR for INTx). */
static inline void setup_queue0(uint16_t qvec)
{
	CWR(Q_SELECT, 2, 0);
	CRD(Q_SIZE, 2);
	CWR(Q_SIZE, 2, QSZ);
	if (qvec != VIRTIO_MSI_NO_VECTOR) {
		CWR(Q_MSIX, 2, qvec);
		ck_assert_uint_eq(CRD(Q_MSIX, 2), qvec);
	}
	CRD(Q_NOFF, 2);
	CWR(Q_DESCLO, 4, DESC_GPA);
	CWR(Q_DESCHI, 4, 0);
	CWR(Q_AVAILLO, 4, AVAIL_GPA);
	CWR(Q_AVAILHI, 4, 0);
	CWR(Q_USEDLO, 4, USED_GPA);
	CWR(Q_USEDHI, 4, 0);
	CWR(Q_ENABLE, 2, 1);
}

/* The whole modern init: MSI-X per-vq (queue 0 on msi0, config on msi1)
 * or INTx. */
static inline void modern_init(int msix)
{
	probe_to_features();
	features_ok();
	CRD(NUMQ, 2);
	if (msix) {
		program_vector(0, T.msi0);
		program_vector(1, T.msi1);
		msix_on();
		CWR(MSIX, 2, 1);
		ck_assert_uint_eq(CRD(MSIX, 2), 1);
	}
	setup_queue0(msix ? 0 : VIRTIO_MSI_NO_VECTOR);
	add_status(DOK);
}

static inline void post(uint64_t desc, uint64_t avail)
{
	uint8_t *d = vs_arena_translate(T.arena, desc, 16);

	vs_put_le64(d, BUF_GPA);
	vs_put_le32(d + 8, 16);
	vs_put_le16(d + 12, VRING_DESC_F_WRITE);
	vs_put_le16(d + 14, 0);
	vs_put_le16(vs_arena_translate(T.arena, avail + VS_AVAIL_RING(T.avail_idx % QSZ), 2), 0);
	T.avail_idx++;
	vs_put_le16(vs_arena_translate(T.arena, avail + VS_AVAIL_IDX, 2), T.avail_idx);
}

/* One request through the real rng device: post, kick, let it run. */
static inline void request(void)
{
	post(DESC_GPA, AVAIL_GPA);
	mwr(VS__PCI_NOTIFY_OFF, 2, 0);
	ck_assert_int_eq(vs_loop_drain(T.loop), 0);
}

static void handler(void *opaque, unsigned line)
{
	(void)opaque;
	(void)line;
	if (T.handler == H_ISR)
		mrd(VS__PCI_ISR_OFF, 1);
	else if (T.handler == H_LEGACY_ISR)
		iord(VIRTIO_PCI_ISR, 1);
}

/* ---- fixture ---- */

static inline void setup_common(void)
{
	vs_log_set_level(VS_LOG_OFF);
	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(vs_arena_create(RAM, &T.arena), 0);
	ck_assert_int_eq(vs_loop_create(&T.loop), 0);
	ck_assert_int_eq(vs_bus_create(&T.bus), 0);
	ck_assert_int_eq(vs_irq_create(&T.irq), 0);
	ck_assert_int_eq(vs_monitor_create(T.arena, T.bus, T.irq, &T.mon), 0);
	ck_assert_int_eq(vs_pci_host_create(T.bus, &T.host), 0);
	ck_assert_int_eq(vs_irq_alloc_line(T.irq, &T.intx), 0);
	ck_assert_int_eq(vs_irq_alloc_line(T.irq, &T.msi0), 0);
	ck_assert_int_eq(vs_irq_alloc_line(T.irq, &T.msi1), 0);
	ck_assert_int_eq(vs_irq_request(T.irq, T.intx, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_request(T.irq, T.msi0, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_request(T.irq, T.msi1, handler, NULL), 0);
	vs_faults_init(&T.faults, 7);
	T.accept[1] = W1(VIRTIO_F_VERSION_1);
	ck_assert_int_eq(vs_monitor_watch_pci(T.mon, "t0", SLOT, T.intx), 0);
}

/* type NULL: the test model. */
static inline void make_fn(const char *type, unsigned vectors, int transitional,
			   uint64_t features_add)
{
	struct vs_device_params dp = {.features_add = features_add, .queue_size_max = QSZ};
	struct vs_pci_params pp = {.msix_vectors = vectors, .transitional = transitional};
	struct vs_vdev_env env = {T.arena, T.loop, &T.faults, 3};

	if (type)
		ck_assert_int_eq(vs_device_create(type, &dp, &env, &T.vdev), 0);
	else
		ck_assert_int_eq(vs__vdev_create(&cfg_model, NULL, &env, &T.vdev), 0);
	ck_assert_int_eq(vs_pci_create(T.host, T.bus, T.irq, T.vdev, SLOT, T.intx, &pp, &T.pci), 0);
}

static inline void teardown(void)
{
	vs_monitor_destroy(T.mon);
	vs_pci_destroy(T.pci);
	vs_vdev_destroy(T.vdev);
	vs_pci_host_destroy(T.host);
	vs_irq_destroy(T.irq);
	vs_bus_destroy(T.bus);
	vs_loop_destroy(T.loop);
	vs_arena_destroy(T.arena);
}

static inline void settle(void)
{
	vs_monitor_sync(T.mon);
	vs_monitor_sync(T.mon);
	vs_monitor_finish(T.mon);
}

static inline void expect_only(const char *rule, enum vs_side side, const char *also)
{
	size_t n = vs_monitor_violation_count(T.mon);
	int seen = 0, seen_also = 0;

	ck_assert_msg(vs_rule_find(rule) != NULL, "no rule %s", rule);
	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(T.mon, i);

		if (strcmp(v->rule->id, rule) == 0) {
			seen = 1;
			ck_assert_msg(v->side == side, "%s judged %s", rule, vs_side_name(v->side));
			ck_assert_str_eq(v->device, "t0");
		} else if (also && strcmp(v->rule->id, also) == 0) {
			seen_also = 1;
		} else {
			ck_abort_msg("expected only %s, also got %s: %s", rule, v->rule->id, v->message);
		}
	}
	ck_assert_msg(seen, "rule %s did not fire", rule);
	if (also)
		ck_assert_msg(seen_also, "rule %s did not fire with %s", also, rule);
}

static inline void expect_clean(void)
{
	size_t n = vs_monitor_violation_count(T.mon);

	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(T.mon, i);

		ck_abort_msg("clean run fired %s: %s", v->rule->id, v->message);
	}
}

/* Point the PCI_CFG window (spec 4.1.4.9) at bar/off/len. */
static inline void window(uint8_t bar, uint32_t off, uint32_t len)
{
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_BAR, 1, bar);
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_OFFSET, 4, off);
	cfg_wr(VS__PCI_CAP_PCICFG + VIRTIO_PCI_CAP_LENGTH, 4, len);
}

#endif /* VS_TEST_MONITOR_PCI_FIXTURE_H */
