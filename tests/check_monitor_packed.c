/*
 * check_monitor_packed.c - the monitor's packed-ring rules (spec 2.8): one
 * faulty-side test per rule (exactly that rule fires, with the right
 * side), clean scripted runs that exercise the same paths without a fault
 * (lists across many laps of a ring whose size is not a power of 2,
 * indirect tables, out-of-order completion, in-order batches, event
 * suppression in both directions, a device that polls), a device that
 * corrupts the ring without the driver being blamed for it afterwards,
 * and clean runs of the real guest ring against the real device engine
 * through the real transports, monitored.
 *
 * The scripted driver writes the ring with plain stores, as guest code
 * does; the scripted device writes through vs_arena_write(VS_SIDE_DEVICE)
 * so the monitor's tap sees it, the body of a used descriptor first and
 * its flags last.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "core/log.h"
#include "core/loop.h"
#include "devices/internal.h"
#include "devices/vdev.h"
#include "devices/vring.h"
#include "driver/guest.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "monitor_fixture.h"
#include "transport/mmio.h"

#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT
#define IND VRING_DESC_F_INDIRECT
#define PA VS_PACKED_F_AVAIL
#define PU VS_PACKED_F_USED

static void negotiate_also(unsigned bit)
{
	if (bit < 32) {
		F.bank.features[0] |= 1u << bit;
		F.accept[0] |= 1u << bit;
	} else {
		F.bank.features[1] |= 1u << (bit - 32);
		F.accept[1] |= 1u << (bit - 32);
	}
}

/* ---- the scripted packed driver and device ---- */

static struct {
	uint16_t pos, upos;   /* next slot to make available / to use */
	uint8_t wrap, uwrap;  /* Driver / Device Ring Wrap Counter */
} P;

static void pfx_setup(void)
{
	fx_setup();
	negotiate_also(VIRTIO_F_RING_PACKED);
	memset(&P, 0, sizeof(P));
	P.wrap = P.uwrap = 1;
}

static void step(uint16_t *pos, uint8_t *wrap, uint32_t n)
{
	while (n--) {
		if (++*pos == F.num) {
			*pos = 0;
			*wrap ^= 1;
		}
	}
}

static uint8_t *slot_ptr(uint16_t slot)
{
	return vs_arena_translate(F.arena, F.desc + 16ull * slot, 16);
}

static void pbody(uint16_t slot, uint64_t addr, uint32_t len, uint16_t id)
{
	uint8_t *p = slot_ptr(slot);

	vs_put_le64(p, addr);
	vs_put_le32(p + 8, len);
	vs_put_le16(p + 12, id);
}

static void pflags(uint16_t slot, uint16_t flags)
{
	vs_put_le16(slot_ptr(slot) + 14, flags);
}

/* AVAIL/USED bits that make a slot available in lap wrap (2.8.1). */
static uint16_t avail_bits(uint8_t wrap)
{
	return wrap ? PA : PU;
}

struct pbuf {
	uint64_t addr;
	uint32_t len;
	uint16_t flags; /* W, IND */
};

/* Make a list of n elements available as buffer id: every descriptor
 * but the first, then the first one's flags (2.8.6).  Returns the first
 * slot. */
static uint16_t p_add(const struct pbuf *b, unsigned n, uint16_t id)
{
	uint16_t head = P.pos, head_flags = 0;

	for (unsigned i = 0; i < n; i++) {
		uint16_t f = (uint16_t)(b[i].flags | avail_bits(P.wrap) | (i + 1 < n ? N : 0));

		pbody(P.pos, b[i].addr, b[i].len, id);
		if (i == 0)
			head_flags = f;
		else
			pflags(P.pos, f);
		step(&P.pos, &P.wrap, 1);
	}
	pflags(head, head_flags);
	return head;
}

/* Entry i of an indirect table, packed layout (flags at offset 14). */
static void ptable(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint8_t *p = vs_arena_translate(F.arena, table + 16ull * i, 16);

	vs_put_le64(p, addr);
	vs_put_le32(p + 8, len);
	vs_put_le16(p + 12, 0); /* id: reserved in a table */
	vs_put_le16(p + 14, flags);
}

static void p_add1(uint64_t addr, uint32_t len, uint16_t flags, uint16_t id)
{
	struct pbuf b = {addr, len, flags};

	p_add(&b, 1, id);
}

/* Device: a used descriptor at the next used slot, then skip slots. */
static void p_use_flags(uint16_t id, uint32_t len, uint16_t flags)
{
	uint8_t body[6], fl[2];
	uint64_t at = F.desc + 16ull * P.upos;

	vs_put_le32(body, len);
	vs_put_le16(body + 4, id);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, at + 8, body, sizeof(body));
	vs_put_le16(fl, flags);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, at + 14, fl, sizeof(fl));
}

static void p_use(uint16_t id, uint32_t len, uint32_t slots)
{
	p_use_flags(id, len, (uint16_t)((P.uwrap ? PA | PU : 0) | (len ? W : 0)));
	step(&P.upos, &P.uwrap, slots);
}

static void p_complete(uint16_t id, uint32_t len, uint32_t slots)
{
	p_use(id, len, slots);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

/* The driver event suppression structure (driver area): guest stores. */
static void drv_event(uint16_t off, unsigned wrap, uint16_t flags)
{
	put16(F.avail + VS_PACKED_EVENT_OFF_WRAP,
	      (uint16_t)(off | (wrap << VRING_PACKED_EVENT_F_WRAP_CTR)));
	put16(F.avail + VS_PACKED_EVENT_FLAGS, flags);
}

/* The device event suppression structure (device area): device writes. */
static void dev_event(uint16_t off, unsigned wrap, uint16_t flags)
{
	uint8_t ev[4];

	vs_put_le16(ev + VS_PACKED_EVENT_OFF_WRAP,
		    (uint16_t)(off | (wrap << VRING_PACKED_EVENT_F_WRAP_CTR)));
	vs_put_le16(ev + VS_PACKED_EVENT_FLAGS, flags);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used, ev, sizeof(ev));
}

/* init, one device-writable buffer as id 0 at slot 0, kick */
static void one_list(void)
{
	init_all();
	p_add1(F.buf, 16, W, 0);
	kick(0);
}

/* ---- driver side ---- */

static void packed_queue_size(void)
{
	F.num = 0;
	init_all();
}

static void packed_ring_alignment(void)
{
	F.avail += 2;
	init_all();
}

static void packed_ring_range(void)
{
	F.desc = FX_RAM - 16;
	init_all();
}

static void packed_ring_init(void)
{
	pbody(3, F.buf, 16, 0);
	pflags(3, PA | W); /* left over from an earlier use of the memory */
	init_all();
}

static void packed_avail_wrap(void)
{
	init_all();
	pbody(0, F.buf, 16, 0);
	pflags(0, PA | PU | W); /* "used" bits: not available for wrap 1 */
	kick(0);
}

static void packed_avail_wrap_lap(void)
{
	/* a driver that does not flip its counter at the end of the ring */
	init_all();
	for (uint16_t i = 0; i < F.num; i++) {
		p_add1(F.buf + 16u * i, 16, W, i);
		kick(0);
		p_complete(i, 16, 1);
	}
	pbody(0, F.buf, 16, 0);
	pflags(0, PA | W); /* lap 1's bits in lap 2 */
	kick(0);
}

static void packed_list_partial(void)
{
	init_all();
	pbody(0, F.buf, 16, 0);
	pflags(0, PA | N); /* slot 1 never written */
	kick(0);
}

static void packed_list_too_long(void)
{
	init_all();
	for (uint16_t i = 1; i < F.num; i++) {
		pbody(i, F.buf + 16u * i, 16, 0);
		pflags(i, PA | N | W);
	}
	pbody(0, F.buf, 16, 0);
	pflags(0, PA | N | W); /* the last links back to the first */
	kick(0);
}

static void packed_ring_overflow(void)
{
	struct pbuf two[2] = {{F.buf, 16, W}, {F.buf + 16, 16, W}};

	init_all();
	for (uint16_t id = 0; id < 4; id++)
		p_add(two, 2, id); /* all 8 slots are the device's */
	kick(0);
	p_add1(F.buf2, 16, W, 4); /* over the first list */
	kick(0);
}

static void packed_write_before_read(void)
{
	struct pbuf b[2] = {{F.buf, 16, W}, {F.buf2, 16, 0}};

	init_all();
	p_add(b, 2, 0);
	kick(0);
}

static void packed_desc_range(void)
{
	init_all();
	p_add1(FX_RAM + 0x1000, 16, W, 0);
	kick(0);
}

static void packed_id_range(void)
{
	init_all();
	p_add1(F.buf, 16, W, 9);
	kick(0);
}

static void packed_id_in_use(void)
{
	init_all();
	p_add1(F.buf, 16, W, 0);
	kick(0);
	p_add1(F.buf2, 16, W, 0);
	kick(0);
}

static void packed_indirect_not_negotiated(void)
{
	init_all();
	ptable(F.table, 0, F.buf, 16, W);
	p_add1(F.table, 16, IND, 0);
	kick(0);
}

static void packed_indirect_flags(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	ptable(F.table, 0, F.buf2, 16, IND); /* a table in the table */
	ptable(F.table, 1, F.buf, 16, W);
	p_add1(F.table, 32, IND, 0);
	kick(0);
}

static void packed_indirect_too_long(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	for (uint16_t i = 0; i < 9; i++)
		ptable(F.table, i, F.buf + 16u * i, 16, W);
	p_add1(F.table, 9 * 16, IND, 0);
	kick(0);
}

static void packed_indirect_in_list(void)
{
	struct pbuf b[2] = {{F.buf2, 16, 0}, {F.table, 16, IND}};

	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	ptable(F.table, 0, F.buf, 16, W);
	p_add(b, 2, 0); /* a table after a NEXT */
	kick(0);
}

static void packed_indirect_with_next(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	ptable(F.table, 0, F.buf, 16, W);
	/* slot 1 is a list of its own (id 1); slot 0's NEXT is the fault */
	pbody(1, F.buf2, 16, 1);
	pflags(1, PA | W);
	pbody(0, F.table, 16, 0);
	pflags(0, PA | IND | N);
	kick(0);
}

static void packed_indirect_len(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	p_add1(F.table, 20, IND, 0);
	kick(0);
}

static void packed_notify_data(void)
{
	negotiate_also(VIRTIO_F_NOTIFICATION_DATA);
	init_all();
	p_add1(F.buf, 16, W, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, VS_NOTIFY_DATA(0, 3, 1)); /* next is slot 1, wrap 1 */
}

static void packed_driver_event_flags(void)
{
	init_all();
	drv_event(0, 1, VRING_PACKED_EVENT_FLAG_DESC); /* DESC without EVENT_IDX */
	p_add1(F.buf, 16, W, 0);
	kick(0);
}

static void packed_kick_suppressed(void)
{
	one_list();
	dev_event(0, 1, VRING_PACKED_EVENT_FLAG_DISABLE);
	dev_read(F.desc + 16, 16); /* it polls: slot 1 is not there yet */
	p_add1(F.buf2, 16, W, 1);
	kick(0); /* DISABLE since before slot 1 was written */
}

/* ---- device side ---- */

static void packed_used_wrap(void)
{
	one_list();
	p_use_flags(0, 16, W); /* AVAIL 0 USED 0: the other lap's "used" */
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void packed_used_flags(void)
{
	one_list();
	p_use_flags(0, 16, PA | W); /* AVAIL 1 USED 0: still looks available */
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void packed_used_id_range(void)
{
	one_list();
	p_use(9, 16, 1);
}

static void packed_used_id_not_outstanding(void)
{
	one_list();
	p_use(1, 16, 1);
}

static void packed_used_len(void)
{
	one_list();
	p_complete(0, 32, 1);
}

static void packed_device_write_readable(void)
{
	init_all();
	p_add1(F.buf, 16, 0, 0);
	kick(0);
	dev_write(F.buf + 8, 4);
}

static void packed_device_read_writable(void)
{
	one_list();
	dev_read(F.buf, 16);
}

static void packed_device_write_desc(void)
{
	one_list();
	dev_write(F.desc + 16 * 5 + 8, 4); /* slot 5 was never made available */
}

static void packed_device_write_driver_area(void)
{
	one_list();
	dev_write(F.avail + VS_PACKED_EVENT_FLAGS, 2);
}

static void packed_device_event_flags(void)
{
	one_list();
	dev_event(0, 1, 3); /* reserved */
}

static void packed_used_before_driver_ok(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	setup_queue(0, F.num);
	p_add1(F.buf, 16, W, 0);
	p_use(0, 16, 1);
}

static void packed_in_order(void)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	init_all();
	for (uint16_t id = 0; id < 3; id++)
		p_add1(F.buf + 16u * id, 16, W, id);
	kick(0);
	p_use(1, 16, 2); /* id 1 ends a batch of ids 0 and 1 */
	dev_irq(VIRTIO_MMIO_INT_VRING);
	p_use(0, 16, 1); /* ... and then id 0 comes back on its own */
}

static void packed_notify_missing(void)
{
	one_list();
	p_use(0, 16, 1); /* driver events enabled: a notification is owed */
	settle();
}

static void packed_notify_suppressed(void)
{
	init_all();
	drv_event(0, 1, VRING_PACKED_EVENT_FLAG_DISABLE);
	p_add1(F.buf, 16, W, 0);
	kick(0);
	p_complete(0, 16, 1);
}

static const struct rule_case cases[] = {
	{"packed.queue-size", VS_SIDE_DRIVER, packed_queue_size, NULL},
	{"packed.ring-alignment", VS_SIDE_DRIVER, packed_ring_alignment, NULL},
	{"packed.ring-range", VS_SIDE_DRIVER, packed_ring_range, NULL},
	{"packed.ring-init", VS_SIDE_DRIVER, packed_ring_init, NULL},
	{"packed.avail-wrap", VS_SIDE_DRIVER, packed_avail_wrap, NULL},
	{"packed.avail-wrap", VS_SIDE_DRIVER, packed_avail_wrap_lap, NULL},
	{"packed.list-partial", VS_SIDE_DRIVER, packed_list_partial, NULL},
	{"packed.list-too-long", VS_SIDE_DRIVER, packed_list_too_long, NULL},
	{"packed.ring-overflow", VS_SIDE_DRIVER, packed_ring_overflow, NULL},
	{"packed.write-before-read", VS_SIDE_DRIVER, packed_write_before_read, NULL},
	{"packed.desc-range", VS_SIDE_DRIVER, packed_desc_range, NULL},
	{"packed.id-range", VS_SIDE_DRIVER, packed_id_range, NULL},
	{"packed.id-in-use", VS_SIDE_DRIVER, packed_id_in_use, NULL},
	{"packed.indirect-not-negotiated", VS_SIDE_DRIVER, packed_indirect_not_negotiated, NULL},
	{"packed.indirect-flags", VS_SIDE_DRIVER, packed_indirect_flags, NULL},
	{"packed.indirect-too-long", VS_SIDE_DRIVER, packed_indirect_too_long, NULL},
	{"packed.indirect-in-list", VS_SIDE_DRIVER, packed_indirect_in_list, NULL},
	{"packed.indirect-in-list", VS_SIDE_DRIVER, packed_indirect_with_next, NULL},
	{"packed.indirect-len", VS_SIDE_DRIVER, packed_indirect_len, NULL},
	{"packed.notify-data", VS_SIDE_DRIVER, packed_notify_data, NULL},
	{"packed.driver-event-flags", VS_SIDE_DRIVER, packed_driver_event_flags, NULL},
	{"packed.kick-suppressed", VS_SIDE_DRIVER, packed_kick_suppressed, NULL},
	{"packed.used-wrap", VS_SIDE_DEVICE, packed_used_wrap, NULL},
	{"packed.used-flags", VS_SIDE_DEVICE, packed_used_flags, NULL},
	{"packed.used-id-range", VS_SIDE_DEVICE, packed_used_id_range, NULL},
	{"packed.used-id-not-outstanding", VS_SIDE_DEVICE, packed_used_id_not_outstanding, NULL},
	{"packed.used-len", VS_SIDE_DEVICE, packed_used_len, NULL},
	{"packed.device-write-readable", VS_SIDE_DEVICE, packed_device_write_readable, NULL},
	{"packed.device-read-writable", VS_SIDE_DEVICE, packed_device_read_writable, NULL},
	{"packed.device-write-desc", VS_SIDE_DEVICE, packed_device_write_desc, NULL},
	{"packed.device-write-driver-area", VS_SIDE_DEVICE, packed_device_write_driver_area, NULL},
	{"packed.device-event-flags", VS_SIDE_DEVICE, packed_device_event_flags, NULL},
	{"packed.used-before-driver-ok", VS_SIDE_DEVICE, packed_used_before_driver_ok, NULL},
	{"packed.in-order", VS_SIDE_DEVICE, packed_in_order, NULL},
	{"packed.notify-missing", VS_SIDE_DEVICE, packed_notify_missing, NULL},
	{"packed.notify-suppressed", VS_SIDE_DEVICE, packed_notify_suppressed, NULL},
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(rule_fires)
{
	const struct rule_case *c = &cases[_i];

	c->run();
	settle();
	expect_only(c->rule, c->side, c->also);
}
END_TEST

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (strncmp(r[i].id, "packed.", 7) != 0)
			continue;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
}
END_TEST

/* ---- clean scripted runs ---- */

/* Lists of one to three slots and indirect tables, completed in and out
 * of order, over many laps of a 5-slot ring: every slot changes lap
 * after lap, both counters flip at a different place every lap. */
START_TEST(clean_lists_across_laps)
{
	uint16_t next_id = 0;

	F.num = 5;
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	for (unsigned r = 0; r < 60; r++) {
		struct {
			uint16_t id, slots;
			uint32_t in;
		} out[2];
		unsigned nl = 1 + r % 2;

		for (unsigned k = 0; k < nl; k++) {
			uint64_t base = F.buf + 512u * k;
			unsigned shape = nl == 2 ? (r / 2 + k) % 3 : (r / 2) % 4;
			uint16_t id = next_id;

			next_id = (uint16_t)((next_id + 1) % F.num);
			out[k].id = id;
			if (shape == 0) { /* one writable buffer */
				p_add1(base, 64, W, id);
				out[k].slots = 1;
				out[k].in = 64;
			} else if (shape == 1) { /* header + payload */
				struct pbuf b[2] = {{base, 16, 0}, {base + 64, 64, W}};

				p_add(b, 2, id);
				out[k].slots = 2;
				out[k].in = 64;
			} else if (shape == 2) { /* an indirect table of 3 */
				uint64_t t = F.table + 64u * k;

				ptable(t, 0, base, 16, 0);
				ptable(t, 1, base + 64, 32, W);
				ptable(t, 2, base + 128, 32, W);
				p_add1(t, 48, IND, id);
				out[k].slots = 1;
				out[k].in = 64;
			} else { /* three descriptors */
				struct pbuf b[3] = {{base, 16, 0}, {base + 64, 16, 0}, {base + 128, 8, W}};

				p_add(b, 3, id);
				out[k].slots = 3;
				out[k].in = 8;
			}
		}
		kick(0);
		/* the device completes the newer list first every other round */
		for (unsigned k = 0; k < nl; k++) {
			unsigned j = (r & 2) ? nl - 1 - k : k;
			uint64_t base = F.buf + 512u * j;

			dev_write(base + 64, out[j].in == 8 ? 0 : 16);
			p_use(out[j].id, out[j].in == 8 ? 8 : 16, out[j].slots);
			(void)base;
		}
		dev_irq(VIRTIO_MMIO_INT_VRING);
		if (r % 7 == 0)
			vs_monitor_sync(F.mon);
	}
	settle();
	expect_clean();
}
END_TEST

/* EVENT_IDX both ways: the driver asks to hear only at a later slot, the
 * device asks for a kick only at the slot after the last it took, then
 * disables kicks and polls the ring. */
START_TEST(clean_event_suppression)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	init_all();
	drv_event(2, 1, VRING_PACKED_EVENT_FLAG_DESC); /* notify when slot 2 is used */
	for (uint16_t id = 0; id < 3; id++)
		p_add1(F.buf + 16u * id, 16, W, id);
	kick(0);
	dev_event(3, 1, VRING_PACKED_EVENT_FLAG_DESC); /* kick me when slot 3 comes */
	p_use(0, 16, 1);
	p_use(1, 16, 1);
	vs_monitor_sync(F.mon);
	p_complete(2, 16, 1);
	/* the driver adds slot 3: the device asked for exactly that */
	drv_event(4, 1, VRING_PACKED_EVENT_FLAG_DESC);
	p_add1(F.buf, 16, W, 0);
	kick(0);
	/* kicks off: the device polls and finds slot 4 without one */
	dev_event(0, 0, VRING_PACKED_EVENT_FLAG_DISABLE);
	p_add1(F.buf2, 16, W, 1);
	dev_read(F.desc + 16 * 4, 16);
	p_use(0, 16, 1);
	p_complete(1, 16, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_in_order_batch)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	init_all();
	for (uint16_t id = 0; id < 3; id++)
		p_add1(F.buf + 16u * id, 16, W, id);
	kick(0);
	p_complete(2, 16, 3); /* one used descriptor for the batch of three */
	p_add1(F.buf, 16, W, 0);
	kick(0);
	p_complete(0, 16, 1);
	settle();
	expect_clean();
}
END_TEST

START_TEST(notify_waits_for_late_interrupt)
{
	one_list();
	p_use(0, 16, 1);
	vs_monitor_sync(F.mon);
	dev_irq(VIRTIO_MMIO_INT_VRING);
	settle();
	expect_clean();
}
END_TEST

/* ---- after the device corrupts the ring (fuzz/findings, issue 6) ---- */

/* Every violation is the device's, and rule is among them. */
static void expect_device_only(const char *rule)
{
	size_t n = vs_monitor_violation_count(F.mon);
	int seen = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(F.mon, i);

		ck_assert_msg(v->side == VS_SIDE_DEVICE, "the driver was blamed: %s: %s",
			      v->rule->id, v->message);
		if (strcmp(v->rule->id, rule) == 0)
			seen = 1;
	}
	ck_assert_msg(seen, "rule %s did not fire", rule);
}

/* The device writes 16 bytes of garbage over the descriptor it holds
 * (flags AVAIL 0 USED 0, id 0xa5a5), then the real used descriptor for
 * id 0 there; the driver takes id 0 back and reuses it twice. */
START_TEST(resync_device_overwrites_held_slot)
{
	uint8_t junk[16];

	one_list();
	memset(junk, 0xa5, sizeof(junk));
	vs_put_le16(junk + 14, W);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.desc, junk, sizeof(junk));
	p_complete(0, 16, 1);
	for (int k = 0; k < 2; k++) {
		p_add1(F.buf, 16, W, 0);
		kick(0);
		p_complete(0, 16, 1);
	}
	settle();
	expect_device_only("packed.used-id-range");
}
END_TEST

/* Queue size 1: a used descriptor with id 1 changes slot 0's flags, which
 * the driver did not write. */
START_TEST(resync_used_id_range_size_1)
{
	F.num = 1;
	one_list();
	p_complete(1, 16, 1);
	settle();
	expect_device_only("packed.used-id-range");
}
END_TEST

/* Queue size 1 with VIRTIO_F_NOTIFICATION_DATA: garbage over slot 0 (AVAIL
 * 0 USED 1), the real used descriptor, then the driver makes slot 0
 * available in lap 0 and says so (next_off 0, next_wrap 1). */
START_TEST(resync_notification_data)
{
	uint8_t junk[16];

	negotiate_also(VIRTIO_F_NOTIFICATION_DATA);
	F.num = 1;
	one_list();
	memset(junk, 0x5a, sizeof(junk));
	vs_put_le16(junk + 14, PU);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.desc, junk, sizeof(junk));
	p_complete(0, 16, 1);
	p_add1(F.buf, 16, W, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0x80000000u);
	settle();
	expect_device_only("packed.used-id-range");
}
END_TEST

/* Queue size 2, a list of two filling it, a used descriptor with id 1
 * (not outstanding) in slot 0 -- the slot the driver's next list would
 * start at, but the device's while the ring is full. */
START_TEST(resync_not_outstanding_full_ring)
{
	struct pbuf b[2] = {{F.buf, 16, 0}, {F.buf2, 1, W}};

	F.num = 2;
	init_all();
	p_add(b, 2, 0);
	kick(0);
	p_complete(1, 1, 2);
	settle();
	expect_device_only("packed.used-id-not-outstanding");
}
END_TEST

/* Not following lasts until the queue is enabled again: after a reset a
 * driver that reuses an outstanding id is caught. */
START_TEST(resync_follows_again_after_reset)
{
	size_t n;
	int dev_seen = 0, drv_seen = 0;

	one_list();
	p_complete(9, 16, 1); /* id out of range: the queue is not followed */
	memset(vs_arena_translate(F.arena, F.desc, VS_DESC_SIZE(F.num)), 0, VS_DESC_SIZE(F.num));
	memset(&P, 0, sizeof(P));
	P.wrap = P.uwrap = 1;
	init_all();
	p_add1(F.buf, 16, W, 0);
	p_add1(F.buf2, 16, W, 0);
	kick(0);
	settle();
	n = vs_monitor_violation_count(F.mon);
	for (size_t i = 0; i < n; i++) {
		const struct vs_violation *v = vs_monitor_violation(F.mon, i);

		if (strcmp(v->rule->id, "packed.used-id-range") == 0)
			dev_seen = 1;
		else if (strcmp(v->rule->id, "packed.id-in-use") == 0)
			drv_seen = v->side == VS_SIDE_DRIVER;
		else
			ck_abort_msg("unexpected %s: %s", v->rule->id, v->message);
	}
	ck_assert(dev_seen);
	ck_assert(drv_seen);
}
END_TEST

/* ---- the real driver and device, monitored ---- */

/* Scenario files run through the real machine: rng over virtio-mmio and
 * PCI, packed and split, with indirect, event idx and in-order offered. */
static const char *const real_scenarios[] = {
	"{\"name\":\"p-mmio\",\"machine\":{\"ring\":\"packed\",\"devices\":[{\"type\":\"rng\",\"queue_size\":8}]},"
	"\"steps\":[{\"op\":\"probe\"},{\"op\":\"rng.read\",\"bytes\":64,\"count\":300},{\"op\":\"reset\"},"
	"{\"op\":\"rng.read\",\"bytes\":7,\"count\":20},{\"op\":\"expect\",\"violations\":[]}]}",
	"{\"name\":\"p-mmio-ev\",\"machine\":{\"ring\":\"packed\",\"devices\":[{\"type\":\"rng\",\"queue_size\":16,"
	"\"features_add\":[28,29,35]}]},"
	"\"steps\":[{\"op\":\"probe\"},{\"op\":\"rng.read\",\"bytes\":100,\"count\":300},"
	"{\"op\":\"rng.read\",\"bytes\":10,\"wait\":false},{\"op\":\"reset\"},{\"op\":\"rng.read\",\"bytes\":3,\"count\":40},"
	"{\"op\":\"expect\",\"violations\":[]}]}",
	"{\"name\":\"p-pci\",\"machine\":{\"ring\":\"packed\",\"devices\":[{\"type\":\"rng\",\"transport\":\"pci\","
	"\"features_add\":[29,38]},{\"type\":\"rng\",\"transport\":\"pci\",\"msix_vectors\":0}]},"
	"\"steps\":[{\"op\":\"probe\"},{\"op\":\"rng.read\",\"device\":\"rng0\",\"bytes\":64,\"count\":200},"
	"{\"op\":\"rng.read\",\"device\":\"rng1\",\"bytes\":64,\"count\":200},{\"op\":\"expect\",\"violations\":[]}]}",
	"{\"name\":\"s-mmio-ev\",\"machine\":{\"devices\":[{\"type\":\"rng\",\"queue_size\":8,"
	"\"features_add\":[28,29,38]}]},"
	"\"steps\":[{\"op\":\"probe\"},{\"op\":\"rng.read\",\"bytes\":64,\"count\":300},{\"op\":\"reset\"},"
	"{\"op\":\"rng.read\",\"bytes\":7,\"count\":20},{\"op\":\"expect\",\"violations\":[]}]}",
};

START_TEST(real_rng_scenarios_clean)
{
	const char *text = real_scenarios[_i];
	struct vs_scenario s;
	struct vs_result res;
	struct vs_run_opts opts = {0};
	struct vs_diag d;

	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(vs_scenario_parse("real.json", text, strlen(text), &s, &d), 0);
	ck_assert_int_eq(vs_run_scenario(&s, &opts, &res), 0);
	for (size_t i = 0; i < res.n_violations; i++)
		ck_abort_msg("%s: %s: %s", res.name, res.violations[i].rule,
			     res.violations[i].message);
	for (size_t i = 0; i < res.n_failures && i < VS_RESULT_MAX_FAILURES; i++)
		ck_abort_msg("%s: %s", res.name, res.failures[i]);
	ck_assert(res.passed);
	ck_assert_uint_gt(res.requests, 200);
	vs_result_free(&res);
	vs_scenario_free(&s);
}
END_TEST

/*
 * Multi-buffer requests through the guest's virtio_ring and the device's
 * ring engine over virtio-mmio: chains of 1 to 4 buffers (indirect when
 * the feature is on), batches of up to 12, the device completing each
 * burst in reverse order, across many laps of a small queue.
 */
#define RQ_DEVICE_ID 0x7ff2u
#define RQ_BASE 0xd0000000ull
#define RQ_SEG 64u
#define RQ_MAX 12u

static struct virtqueue *rq_vq;
static unsigned rq_cb;

/* Pop everything, then complete in reverse: in-order devices in order. */
static void rq_handle(struct vs_vdev *vdev, struct vs_vq *vq)
{
	struct vs_vq_elem *e = malloc(RQ_MAX * sizeof(*e));
	unsigned n = 0;
	int in_order = (vs_vdev_driver_features(vdev) & VS_BIT(VIRTIO_F_IN_ORDER)) != 0;

	ck_assert_ptr_nonnull(e);
	while (n < RQ_MAX && vs_vq_pop(vq, &e[n]) == 0) {
		uint64_t v = 0;

		if (e[n].out_len >= sizeof(v))
			vs_vq_read(vq, &e[n], 0, &v, sizeof(v));
		n++;
	}
	for (unsigned k = 0; k < n; k++) {
		struct vs_vq_elem *x = &e[in_order ? k : n - 1 - k];
		uint64_t v = 7;
		uint32_t len = 0;

		if (x->in_len >= sizeof(v)) {
			vs_vq_write(vq, x, 0, &v, sizeof(v));
			len = sizeof(v);
		}
		if (vs_vq_fill(vq, x, len))
			break;
	}
	vs_vq_flush(vq);
	free(e);
}

static const struct vs_device_model rq_model = {
	.name = "rq",
	.device_id = RQ_DEVICE_ID,
	.num_queues = 1,
	.queue_size_max = 16,
	.handle_queue = rq_handle,
};

static void rq_callback(struct virtqueue *vq)
{
	rq_cb++;
	virtqueue_disable_cb(vq);
}

static int rq_probe(struct virtio_device *vdev)
{
	struct virtqueue *vq = virtio_find_single_vq(vdev, rq_callback, "rq");

	if (IS_ERR(vq))
		return (int)PTR_ERR(vq);
	vdev->priv = vq;
	rq_vq = vq;
	return 0;
}

static void rq_remove(struct virtio_device *vdev)
{
	struct virtqueue *vq = vdev->priv;

	(void)virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(vq))
		;
	vdev->config->del_vqs(vdev);
}

static const struct virtio_device_id rq_ids[] = {
	{RQ_DEVICE_ID, VIRTIO_DEV_ANY_ID},
	{0, 0},
};

static struct virtio_driver rq_driver = {
	.driver.name = "virtio-rq",
	.id_table = rq_ids,
	.probe = rq_probe,
	.remove = rq_remove,
};

/* What the monitor saw: every chain registered and every one used. */
static unsigned seen_avail, seen_used;

static void count_events(void *opaque, const struct vs_monitor_event *ev)
{
	(void)opaque;
	seen_avail += strcmp(ev->kind, "avail") == 0;
	seen_used += strcmp(ev->kind, "used") == 0;
}

static const uint64_t real_features[] = {
	VS_BIT(VIRTIO_F_RING_PACKED),
	VS_BIT(VIRTIO_F_RING_PACKED) | VS_BIT(VIRTIO_F_INDIRECT_DESC) | VS_BIT(VIRTIO_F_EVENT_IDX),
	VS_BIT(VIRTIO_F_RING_PACKED) | VS_BIT(VIRTIO_F_IN_ORDER) | VS_BIT(VIRTIO_F_EVENT_IDX),
	VS_BIT(VIRTIO_F_INDIRECT_DESC) | VS_BIT(VIRTIO_F_EVENT_IDX),
	0,
};

START_TEST(real_chains_clean)
{
	struct vs_arena *arena;
	struct vs_bus *bus;
	struct vs_irq *irq;
	struct vs_loop *loop;
	struct vs_monitor *mon;
	struct vs_vdev *vdev;
	struct vs_mmio *mmio;
	struct vs_vdev_env env;
	struct vs_device_params p = {0};
	struct vs_guest_env genv;
	unsigned line, got = 0, added = 0;
	int handle, tok[RQ_MAX];
	u8 *bufs;

	vs_log_set_level(VS_LOG_ERROR);
	ck_assert_int_eq(vs_arena_create(8u << 20, &arena), 0);
	ck_assert_int_eq(vs_bus_create(&bus), 0);
	ck_assert_int_eq(vs_irq_create(&irq), 0);
	ck_assert_int_eq(vs_loop_create(&loop), 0);
	ck_assert_int_eq(vs_monitor_create(arena, bus, irq, &mon), 0);
	memset(&env, 0, sizeof(env));
	env.arena = arena;
	env.loop = loop;
	env.seed = 1;
	p.features_add = real_features[_i];
	p.queue_size_max = 16;
	ck_assert_int_eq(vs__vdev_create(&rq_model, &p, &env, &vdev), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_mmio_create(bus, irq, vdev, RQ_BASE, line, 2, &mmio), 0);
	ck_assert_int_eq(vs_monitor_watch_mmio(mon, "rq", RQ_BASE, line, 2), 0);
	seen_avail = seen_used = 0;
	vs_monitor_set_observer(mon, count_events, NULL);
	genv = (struct vs_guest_env){arena, bus, irq, loop, NULL};
	ck_assert_int_eq(vs_guest_init(&genv), 0);
	ck_assert_int_eq(register_virtio_driver(&rq_driver), 0);
	rq_vq = NULL;
	ck_assert_int_eq(vs_guest_mmio_add(RQ_BASE, VS_MMIO_BANK_SIZE, line, &handle), 0);
	ck_assert_ptr_nonnull(rq_vq);
	bufs = kmalloc(RQ_MAX * 4 * RQ_SEG, GFP_KERNEL);
	ck_assert_ptr_nonnull(bufs);

	for (unsigned r = 0; r < 400; r++) {
		unsigned batch = 1 + (r * 7) % RQ_MAX, b, len;

		for (b = 0; b < batch; b++) {
			u8 *base = bufs + b * 4 * RQ_SEG;
			struct scatterlist sg[4], *sgs[4];
			unsigned nsg = 1 + (r + b) % 4, nout = nsg / 2;

			for (unsigned i = 0; i < nsg; i++) {
				sg_init_one(&sg[i], base + i * RQ_SEG, RQ_SEG);
				sgs[i] = &sg[i];
			}
			if (virtqueue_add_sgs(rq_vq, sgs, nout, nsg - nout, &tok[b], GFP_ATOMIC))
				break;
			added++;
		}
		virtqueue_kick(rq_vq);
		vs_loop_drain(loop);
		vs_monitor_sync(mon);
		while (virtqueue_get_buf(rq_vq, &len))
			got++;
		ck_assert_uint_eq(got, added);
		if (!virtqueue_enable_cb(rq_vq)) {
			while (virtqueue_get_buf(rq_vq, &len))
				got++;
		}
		vs_monitor_sync(mon);
	}
	ck_assert_uint_gt(rq_cb, 0);
	vs_monitor_finish(mon);
	ck_assert_uint_eq(seen_avail, added);
	/* in order, one used descriptor may stand for a batch */
	if (real_features[_i] & VS_BIT(VIRTIO_F_IN_ORDER))
		ck_assert_uint_gt(seen_used, 0);
	else
		ck_assert_uint_eq(seen_used, added);
	for (size_t i = 0; i < vs_monitor_violation_count(mon); i++) {
		const struct vs_violation *v = vs_monitor_violation(mon, i);

		ck_abort_msg("features 0x%llx: %s: %s", (unsigned long long)real_features[_i],
			     v->rule->id, v->message);
	}
	kfree(bufs);
	unregister_virtio_driver(&rq_driver);
	vs_guest_fini();
	vs_mmio_destroy(mmio);
	vs_vdev_destroy(vdev);
	vs_monitor_destroy(mon);
	vs_loop_destroy(loop);
	vs_irq_destroy(irq);
	vs_bus_destroy(bus);
	vs_arena_destroy(arena);
}
END_TEST

static Suite *packed_suite(void)
{
	Suite *s = suite_create("monitor_packed");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, pfx_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, pfx_setup, fx_teardown);
	tcase_add_test(tc, clean_lists_across_laps);
	tcase_add_test(tc, clean_event_suppression);
	tcase_add_test(tc, clean_in_order_batch);
	tcase_add_test(tc, notify_waits_for_late_interrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("Resync");
	tcase_add_checked_fixture(tc, pfx_setup, fx_teardown);
	tcase_add_test(tc, resync_device_overwrites_held_slot);
	tcase_add_test(tc, resync_used_id_range_size_1);
	tcase_add_test(tc, resync_notification_data);
	tcase_add_test(tc, resync_not_outstanding_full_ring);
	tcase_add_test(tc, resync_follows_again_after_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("Real");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, real_rng_scenarios_clean, 0,
			    (int)(sizeof(real_scenarios) / sizeof(real_scenarios[0])));
	tcase_add_loop_test(tc, real_chains_clean, 0,
			    (int)(sizeof(real_features) / sizeof(real_features[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(packed_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
