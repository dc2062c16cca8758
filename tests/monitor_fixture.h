/*
 * monitor_fixture.h - a machine in miniature for the monitor's tests.
 *
 * The monitor only watches traffic, so the tests need no real device or
 * driver: a fake virtio-mmio register file (enough of version 2 to answer
 * a driver, with knobs to misbehave), driver steps as plain bus accesses
 * and plain stores into ring memory, and device steps as
 * vs_arena_write(VS_SIDE_DEVICE) plus vs_irq_raise.  One fixture per test
 * (Check forks each test), held in a global so the steps read like a
 * script.  Helpers are static inline: each test file uses a subset.
 */
#ifndef VS_TEST_MONITOR_FIXTURE_H
#define VS_TEST_MONITOR_FIXTURE_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/virtio_abi.h"
#include "harness/monitor.h"
#include "harness/rules.h"

#define FX_BASE 0x10000000ull
#define FX_RAM (1u << 20)
#define FX_MAXQ 128u /* rings are allocated for this many entries */

struct fake_bank {
	uint32_t magic, version, device_id, vendor;
	uint32_t features[4]; /* offered */
	uint32_t dfsel, drvsel, drv_features[4];
	uint32_t qsel, num_max, ready[4];
	uint32_t isr, status, generation;
	uint8_t config[256];
	int refuse_features_ok;  /* clear FEATURES_OK when written */
	int keep_status_on_reset;
	int keep_isr_on_reset;
	int suspendable;         /* SUSPEND clears DRIVER_OK, DRIVER_OK clears SUSPEND */
	uint32_t queue_reset;    /* what QueueReset reads */
	uint32_t pfn[4];         /* version 1: QueuePFN */
	int keep_pfn_on_reset;
};

#define FX_SUSPEND 0x10u /* SUSPEND status bit (2.1) */

enum { IRQ_READ_ACK = 0, IRQ_IGNORE, IRQ_READ_ONLY };

struct fx {
	struct vs_arena *arena;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_monitor *mon;
	struct fake_bank bank;
	unsigned line;
	int irq_mode;
	uint32_t num;
	uint64_t desc, avail, used, buf, buf2, table;
	uint16_t avail_idx, used_idx;
	uint32_t accept[2]; /* driver feature words 0 and 1 it accepts */
};

static struct fx F;
/* The bank's Version and how it is watched: 2, or 1 for the legacy
 * layout (set before fx_setup, e.g. in a fixture of its own). */
static unsigned fx_mmio_version = 2;

static int bank_read(void *opaque, uint64_t off, unsigned width, uint64_t *val)
{
	struct fake_bank *b = opaque;

	if (off >= VIRTIO_MMIO_CONFIG) {
		uint64_t v = 0;

		for (unsigned i = 0; i < width && off - VIRTIO_MMIO_CONFIG + i < 256; i++)
			v |= (uint64_t)b->config[off - VIRTIO_MMIO_CONFIG + i] << (8 * i);
		*val = v;
		return 0;
	}
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: *val = b->magic; break;
	case VIRTIO_MMIO_VERSION: *val = b->version; break;
	case VIRTIO_MMIO_DEVICE_ID: *val = b->device_id; break;
	case VIRTIO_MMIO_VENDOR_ID: *val = b->vendor; break;
	case VIRTIO_MMIO_DEVICE_FEATURES: *val = b->dfsel < 4 ? b->features[b->dfsel] : 0; break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX: *val = b->num_max; break;
	case VIRTIO_MMIO_QUEUE_READY: *val = b->ready[b->qsel & 3]; break;
	case VIRTIO_MMIO_INTERRUPT_STATUS: *val = b->isr; break;
	case VIRTIO_MMIO_STATUS: *val = b->status; break;
	case VIRTIO_MMIO_QUEUE_RESET: *val = b->queue_reset; break;
	case VIRTIO_MMIO_QUEUE_PFN: *val = b->pfn[b->qsel & 3]; break;
	case VIRTIO_MMIO_CONFIG_GENERATION: *val = b->generation; break;
	default: *val = 0; break;
	}
	return 0;
}

static int bank_write(void *opaque, uint64_t off, unsigned width, uint64_t val)
{
	struct fake_bank *b = opaque;

	if (off >= VIRTIO_MMIO_CONFIG) {
		for (unsigned i = 0; i < width && off - VIRTIO_MMIO_CONFIG + i < 256; i++)
			b->config[off - VIRTIO_MMIO_CONFIG + i] = (uint8_t)(val >> (8 * i));
		return 0;
	}
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: b->dfsel = (uint32_t)val; break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: b->drvsel = (uint32_t)val; break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (b->drvsel < 4)
			b->drv_features[b->drvsel] = (uint32_t)val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL: b->qsel = (uint32_t)val; break;
	case VIRTIO_MMIO_QUEUE_READY: b->ready[b->qsel & 3] = (uint32_t)val; break;
	case VIRTIO_MMIO_QUEUE_PFN: b->pfn[b->qsel & 3] = (uint32_t)val; break;
	case VIRTIO_MMIO_INTERRUPT_ACK: b->isr &= ~(uint32_t)val; break;
	case VIRTIO_MMIO_QUEUE_RESET:
		if (val)
			b->ready[b->qsel & 3] = 0;
		break;
	case VIRTIO_MMIO_STATUS:
		if (val == 0) {
			if (!b->keep_status_on_reset)
				b->status = 0;
			if (!b->keep_isr_on_reset)
				b->isr = 0;
			memset(b->ready, 0, sizeof(b->ready));
			if (!b->keep_pfn_on_reset)
				memset(b->pfn, 0, sizeof(b->pfn));
		} else {
			if (b->suspendable && (val & FX_SUSPEND) && !(b->status & FX_SUSPEND))
				val &= ~(uint64_t)VIRTIO_CONFIG_S_DRIVER_OK;
			else if (b->suspendable && (b->status & FX_SUSPEND) &&
				 (val & VIRTIO_CONFIG_S_DRIVER_OK))
				val &= ~(uint64_t)FX_SUSPEND;
			b->status = (uint32_t)val;
			if (b->refuse_features_ok)
				b->status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		}
		break;
	default: break;
	}
	return 0;
}

static const struct vs_bus_region_ops bank_ops = {bank_read, bank_write};

/* ---- driver side: registers ---- */

static inline uint32_t rd(uint64_t off)
{
	uint64_t v = 0;

	vs_bus_read(F.bus, VS_SIDE_DRIVER, FX_BASE + off, 4, &v);
	return (uint32_t)v;
}

static inline uint64_t rdw(uint64_t off, unsigned width)
{
	uint64_t v = 0;

	vs_bus_read(F.bus, VS_SIDE_DRIVER, FX_BASE + off, width, &v);
	return v;
}

static inline void wr(uint64_t off, uint32_t val)
{
	vs_bus_write(F.bus, VS_SIDE_DRIVER, FX_BASE + off, 4, val);
}

static inline void wrw(uint64_t off, unsigned width, uint64_t val)
{
	vs_bus_write(F.bus, VS_SIDE_DRIVER, FX_BASE + off, width, val);
}

static inline void preamble(void)
{
	rd(VIRTIO_MMIO_MAGIC_VALUE);
	rd(VIRTIO_MMIO_VERSION);
	rd(VIRTIO_MMIO_DEVICE_ID);
	rd(VIRTIO_MMIO_VENDOR_ID);
}

/* As Linux's virtio_add_status: read, OR, write. */
static inline void add_status(uint32_t bits)
{
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) | bits);
}

static inline void reset_dev(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	rd(VIRTIO_MMIO_STATUS);
}

static inline void negotiate(void)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, F.accept[1]);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, F.accept[0]);
}

static inline void probe_to_driver(void)
{
	preamble();
	reset_dev();
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	negotiate();
}

static inline int features_ok(void)
{
	add_status(VIRTIO_CONFIG_S_FEATURES_OK);
	return (rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK) != 0;
}

static inline void setup_queue(uint32_t q, uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	rd(VIRTIO_MMIO_QUEUE_READY);
	rd(VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)F.desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(F.desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)F.avail);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(F.avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)F.used);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(F.used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline void driver_ok(void)
{
	add_status(VIRTIO_CONFIG_S_DRIVER_OK);
}

/* The whole clean initialization with queue 0 of F.num entries. */
static inline void init_all(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	setup_queue(0, F.num);
	driver_ok();
}

/* ---- driver side: ring memory (plain stores, as guest code does) ---- */

static inline void set_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = vs_arena_translate(F.arena, F.desc + 16ull * i, 16);

	vs_put_le64(p, addr);
	vs_put_le32(p + 8, len);
	vs_put_le16(p + 12, flags);
	vs_put_le16(p + 14, next);
}

static inline void set_table_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
				  uint16_t flags, uint16_t next)
{
	uint8_t *p = vs_arena_translate(F.arena, table + 16ull * i, 16);

	vs_put_le64(p, addr);
	vs_put_le32(p + 8, len);
	vs_put_le16(p + 12, flags);
	vs_put_le16(p + 14, next);
}

static inline void put16(uint64_t gpa, uint16_t v)
{
	vs_put_le16(vs_arena_translate(F.arena, gpa, 2), v);
}

static inline void publish(uint16_t head)
{
	put16(F.avail + VS_AVAIL_RING(F.avail_idx % F.num), head);
	F.avail_idx++;
	put16(F.avail + VS_AVAIL_IDX, F.avail_idx);
}

static inline void kick(uint32_t q)
{
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* ---- device side ---- */

static inline void dev_write(uint64_t gpa, uint64_t len)
{
	static uint8_t junk[4096];

	ck_assert(len <= sizeof(junk));
	vs_arena_write(F.arena, VS_SIDE_DEVICE, gpa, junk, len);
}

static inline void dev_read(uint64_t gpa, uint64_t len)
{
	static uint8_t sink[4096];

	ck_assert(len <= sizeof(sink));
	vs_arena_read(F.arena, VS_SIDE_DEVICE, gpa, sink, len);
}

static inline void dev_push(uint32_t id, uint32_t len)
{
	uint8_t e[8], i2[2];

	vs_put_le32(e, id);
	vs_put_le32(e + 4, len);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_RING(F.used_idx % F.num), e, 8);
	F.used_idx++;
	vs_put_le16(i2, F.used_idx);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_IDX, i2, 2);
}

static inline void dev_irq(uint32_t bits)
{
	F.bank.isr |= bits;
	vs_irq_raise(F.irq, F.line);
}

static inline void dev_complete(uint32_t id, uint32_t len)
{
	dev_push(id, len);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

/* What the harness does at the end of a run. */
static inline void settle(void)
{
	vs_monitor_sync(F.mon);
	vs_monitor_sync(F.mon);
	vs_monitor_finish(F.mon);
}

static void fx_irq_handler(void *opaque, unsigned line)
{
	uint32_t v;

	(void)opaque;
	(void)line;
	if (F.irq_mode == IRQ_IGNORE)
		return;
	v = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	if (F.irq_mode == IRQ_READ_ONLY)
		return;
	wr(VIRTIO_MMIO_INTERRUPT_ACK, v & (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG));
}

static void fx_setup(void)
{
	memset(&F, 0, sizeof(F));
	ck_assert_int_eq(vs_arena_create(FX_RAM, &F.arena), 0);
	ck_assert_int_eq(vs_bus_create(&F.bus), 0);
	ck_assert_int_eq(vs_irq_create(&F.irq), 0);
	ck_assert_int_eq(vs_monitor_create(F.arena, F.bus, F.irq, &F.mon), 0);
	F.bank.magic = VS_MMIO_MAGIC;
	F.bank.version = fx_mmio_version;
	F.bank.device_id = VIRTIO_ID_9P; /* a type with no type rules */
	F.bank.vendor = VS_VIRTIO_VENDOR_ID;
	F.bank.features[1] = 1u << (VIRTIO_F_VERSION_1 - 32);
	F.bank.num_max = FX_MAXQ;
	F.accept[1] = 1u << (VIRTIO_F_VERSION_1 - 32);
	F.num = 8;
	ck_assert_int_eq(vs_bus_map(F.bus, FX_BASE, VS_MMIO_BANK_SIZE, "bank", &bank_ops, &F.bank), 0);
	ck_assert_int_eq(vs_irq_alloc_line(F.irq, &F.line), 0);
	ck_assert_int_eq(vs_irq_request(F.irq, F.line, fx_irq_handler, NULL), 0);
	ck_assert_int_eq(vs_monitor_watch_mmio(F.mon, "t0", FX_BASE, F.line, fx_mmio_version), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_DESC_SIZE(FX_MAXQ), 16, &F.desc), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_AVAIL_SIZE(FX_MAXQ), 16, &F.avail), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, VS_USED_SIZE(FX_MAXQ), 16, &F.used), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 4096, 16, &F.buf), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 4096, 16, &F.buf2), 0);
	ck_assert_int_eq(vs_arena_alloc(F.arena, 4096, 16, &F.table), 0);
}

static void fx_teardown(void)
{
	vs_monitor_destroy(F.mon);
	vs_irq_destroy(F.irq);
	vs_bus_destroy(F.bus);
	vs_arena_destroy(F.arena);
}

/* ---- assertions ---- */

/* At least one violation of `rule` judged on `side`, none of any other
 * rule except `also` (a second party that is necessarily faulty too). */
static inline void expect_only(const char *rule, enum vs_side side, const char *also)
{
	size_t n = vs_monitor_violation_count(F.mon);
	int seen = 0, seen_also = 0;

	ck_assert_msg(vs_rule_find(rule) != NULL, "no rule %s", rule);
	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(F.mon, i);

		if (strcmp(v->rule->id, rule) == 0) {
			seen = 1;
			ck_assert_msg(v->side == side, "%s judged %s", rule, vs_side_name(v->side));
			ck_assert_str_eq(v->device, "t0");
			ck_assert_uint_ge(v->count, 1);
		} else if (also && strcmp(v->rule->id, also) == 0) {
			seen_also = 1;
		} else {
			ck_abort_msg("expected only %s, also got %s: %s", rule, v->rule->id,
				     v->message);
		}
	}
	ck_assert_msg(seen, "rule %s did not fire", rule);
	if (also)
		ck_assert_msg(seen_also, "rule %s did not fire with %s", also, rule);
}

static inline void expect_clean(void)
{
	size_t n = vs_monitor_violation_count(F.mon);

	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(F.mon, i);

		ck_abort_msg("clean run fired %s: %s", v->rule->id, v->message);
	}
}

/* A rule test: a faulty side's script and the rule it must break. */
struct rule_case {
	const char *rule;
	enum vs_side side;
	void (*run)(void);
	const char *also;
};

#endif /* VS_TEST_MONITOR_FIXTURE_H */
