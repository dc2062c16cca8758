/*
 * pci_fixture.h - shared by the virtio PCI function's tests (check_pci.c,
 * check_pci_irq.c): a PCI host on the bus, the function in slot SLOT over
 * the rng device or a small test model (a console id, two queues, 8
 * config bytes), and the accesses firmware and a driver make: ECAM
 * configuration reads and writes, the modern BAR, the MSI-X BAR, the
 * legacy I/O header.  State is global (Check forks each test).
 */
#ifndef VS_TEST_PCI_FIXTURE_H
#define VS_TEST_PCI_FIXTURE_H

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
#include "transport/pci.h"
#include "transport/pci_host.h"

#define ARENA_SIZE (1024u * 1024u)
#define SLOT 3u
#define QSZ 8u
#define DESC_GPA 0x1000u
#define AVAIL_GPA 0x2000u
#define USED_GPA 0x3000u
#define BUF_GPA 0x10000u
#define BAR4_ADDR 0x100000000ull /* VS_PCI_MMIO_BASE */
#define BAR2_ADDR 0x100010000ull
#define IO_PORT 0x1000u

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV VIRTIO_CONFIG_S_DRIVER
#define S_FOK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK VIRTIO_CONFIG_S_DRIVER_OK

static struct vs_arena *arena;
static struct vs_loop *loop;
static struct vs_faults faults;
static struct vs_bus *bus;
static struct vs_irq *irq;
static struct vs_pci_host *host;
static struct vs_vdev *vdev;
static struct vs_pci *pci;
static struct vs_vdev_env env;
static unsigned intx, msi0, msi1;
static unsigned calls[VS_IRQ_MAX_LINES];
static int read_isr_in_handler;
static uint8_t isr_seen;

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
	.name = "pcitest",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.queue_size_max = 16,
	.config_size = 8,
	.init = tm_init,
	.handle_queue = tm_handle,
};

/* ---- configuration space through ECAM ---- */

static inline uint64_t ecam(unsigned slot, unsigned fn, uint32_t reg)
{
	return VS_PCI_ECAM_BASE + VS_PCI_ECAM_OFF(slot, fn, reg);
}

static inline uint32_t cfg_rd(uint32_t reg, unsigned width)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, ecam(SLOT, 0, reg), width, &v), 0);
	return (uint32_t)v;
}

static inline void cfg_wr(uint32_t reg, unsigned width, uint32_t val)
{
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, ecam(SLOT, 0, reg), width, val), 0);
}

/* ---- BAR accesses ---- */

static inline int bar_rd(uint64_t addr, unsigned width, uint64_t *v)
{
	return vs_bus_read(bus, VS_SIDE_DRIVER, addr, width, v);
}

static inline uint32_t mrd(uint64_t off, unsigned width)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BAR4_ADDR + off, width, &v), 0);
	return (uint32_t)v;
}

static inline void mwr(uint64_t off, unsigned width, uint32_t val)
{
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BAR4_ADDR + off, width, val), 0);
}

#define CRD(f, w) mrd(VIRTIO_PCI_COMMON_##f, (w))
#define CWR(f, w, v) mwr(VIRTIO_PCI_COMMON_##f, (w), (v))

static inline uint32_t iord(uint32_t off, unsigned width)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, VS_PIO_BASE + IO_PORT + off, width, &v), 0);
	return (uint32_t)v;
}

static inline void iowr(uint32_t off, unsigned width, uint32_t val)
{
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, VS_PIO_BASE + IO_PORT + off, width, val), 0);
}

static inline void msix_wr(uint64_t off, uint32_t val)
{
	ck_assert_int_eq(vs_bus_write(bus, VS_SIDE_DRIVER, BAR2_ADDR + off, 4, val), 0);
}

static inline uint32_t msix_rd(uint64_t off)
{
	uint64_t v = 0;

	ck_assert_int_eq(vs_bus_read(bus, VS_SIDE_DRIVER, BAR2_ADDR + off, 4, &v), 0);
	return (uint32_t)v;
}

static inline uint8_t *gp(uint64_t gpa, uint64_t len)
{
	uint8_t *p = vs_arena_translate(arena, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void handler(void *opaque, unsigned line)
{
	(void)opaque;
	calls[line]++;
	if (read_isr_in_handler)
		isr_seen = (uint8_t)mrd(0x1000, 1);
}

static inline void setup(void)
{
	vs_log_set_level(VS_LOG_ERROR);
	ck_assert_int_eq(vs_arena_create(ARENA_SIZE, &arena), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_pci_host_create(bus, &host), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &intx), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &msi0), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &msi1), 0);
	ck_assert_int_eq(vs_irq_request(irq, intx, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_request(irq, msi0, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_request(irq, msi1, handler, NULL), 0);
	vs_faults_init(&faults, 5);
	env.arena = arena;
	env.loop = loop;
	env.faults = &faults;
	env.seed = 99;
	vdev = NULL;
	pci = NULL;
	memset(calls, 0, sizeof(calls));
	read_isr_in_handler = 0;
	isr_seen = 0;
}

static inline void teardown(void)
{
	vs_pci_destroy(pci);
	vs_vdev_destroy(vdev);
	vs_pci_host_destroy(host);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_loop_destroy(loop);
	vs_arena_destroy(arena);
}

/* type NULL: the test model. */
static inline void make_fn(const char *type, unsigned vectors, int transitional,
			   uint64_t features_add)
{
	struct vs_device_params dp = {.features_add = features_add, .queue_size_max = QSZ};
	struct vs_pci_params pp = {.msix_vectors = vectors, .transitional = transitional};

	if (type)
		ck_assert_int_eq(vs_device_create(type, &dp, &env, &vdev), 0);
	else
		ck_assert_int_eq(vs__vdev_create(&cfg_model, NULL, &env, &vdev), 0);
	ck_assert_int_eq(vs_pci_create(host, bus, irq, vdev, SLOT, intx, &pp, &pci), 0);
}

/* As firmware: place BAR4 (and BAR2, BAR0 when present), enable decoding
 * and bus mastering. */
static inline void assign_bars(void)
{
	cfg_wr(PCI_BASE_ADDRESS_0 + 16, 4, (uint32_t)BAR4_ADDR);
	cfg_wr(PCI_BASE_ADDRESS_0 + 20, 4, (uint32_t)(BAR4_ADDR >> 32));
	if (cfg_rd(PCI_BASE_ADDRESS_0 + 8, 4)) {
		cfg_wr(PCI_BASE_ADDRESS_0 + 8, 4, (uint32_t)BAR2_ADDR);
		cfg_wr(PCI_BASE_ADDRESS_0 + 12, 4, (uint32_t)(BAR2_ADDR >> 32));
	}
	if (cfg_rd(PCI_BASE_ADDRESS_0, 4))
		cfg_wr(PCI_BASE_ADDRESS_0, 4, IO_PORT);
	cfg_wr(PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* The modern driver's init up to DRIVER_OK with queue 0 at QSZ. */
static inline void modern_init(void)
{
	CWR(STATUS, 1, 0);
	ck_assert_uint_eq(CRD(STATUS, 1), 0);
	CWR(STATUS, 1, S_ACK);
	CWR(STATUS, 1, S_ACK | S_DRV);
	CWR(GFSELECT, 4, 1);
	CWR(GF, 4, 1); /* VERSION_1 */
	CWR(GFSELECT, 4, 0);
	CWR(GF, 4, 0);
	CWR(STATUS, 1, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(CRD(STATUS, 1), S_ACK | S_DRV | S_FOK);
	CWR(Q_SELECT, 2, 0);
	CWR(Q_SIZE, 2, QSZ);
	CWR(Q_DESCLO, 4, DESC_GPA);
	CWR(Q_DESCHI, 4, 0);
	CWR(Q_AVAILLO, 4, AVAIL_GPA);
	CWR(Q_AVAILHI, 4, 0);
	CWR(Q_USEDLO, 4, USED_GPA);
	CWR(Q_USEDHI, 4, 0);
	CWR(Q_ENABLE, 2, 1);
	CWR(STATUS, 1, S_ACK | S_DRV | S_FOK | S_DOK);
}

/* One writable 16-byte buffer at head 0 in the ring at desc/avail. */
static inline void post_request(uint64_t desc, uint64_t avail, uint16_t num,
				uint16_t avail_idx)
{
	uint8_t *d = gp(desc, 16);

	vs_put_le64(d, BUF_GPA);
	vs_put_le32(d + 8, 16);
	vs_put_le16(d + 12, VRING_DESC_F_WRITE);
	vs_put_le16(d + 14, 0);
	vs_put_le16(gp(avail + VS_AVAIL_RING((avail_idx - 1u) % num), 2), 0);
	vs_put_le16(gp(avail + VS_AVAIL_IDX, 2), avail_idx);
}

static inline void kick0(void)
{
	mwr(0x3000, 2, 0);
	ck_assert_int_eq(vs_loop_drain(loop), 0);
}

/* MSI-X entry v: message to the MSI window with data = line, unmasked. */
static inline void program_vector(unsigned v, unsigned line)
{
	msix_wr(16 * v + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)VS_MSI_ADDR_BASE);
	msix_wr(16 * v + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	msix_wr(16 * v + PCI_MSIX_ENTRY_DATA, line);
	msix_wr(16 * v + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
}

static inline void msix_enable(uint16_t extra)
{
	cfg_wr(0x98 + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | extra);
}

#endif /* VS_TEST_PCI_FIXTURE_H */
