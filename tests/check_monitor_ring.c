/*
 * check_monitor_ring.c - the monitor's split-ring, notification and
 * device-type rules: one faulty-side test per rule (exactly that rule
 * fires, with the right side) and clean runs that exercise the same
 * paths without a fault (indirect tables, VIRTIO_F_EVENT_IDX with
 * suppression, VIRTIO_F_IN_ORDER batches, chains found without a kick).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_fixture.h"

#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT
#define IND VRING_DESC_F_INDIRECT
#define W1(bit) (1u << ((bit) - 32))

static void negotiate_also(unsigned bit)
{
	if (bit < 32) {
		F.bank.features[0] |= 1u << bit;
		F.accept[0] |= 1u << bit;
	} else {
		F.bank.features[1] |= W1(bit);
		F.accept[1] |= W1(bit);
	}
}

/* init, one device-writable buffer at head 0, kick */
static void one_request(void)
{
	init_all();
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
}

/* ---- split: driver side ---- */

static void split_avail_idx_jump(void)
{
	init_all();
	put16(F.avail + VS_AVAIL_IDX, 20);
	kick(0);
}

static void split_avail_idx_decrement(void)
{
	init_all();
	set_desc(0, F.buf, 16, W, 0);
	set_desc(1, F.buf2, 16, W, 0);
	publish(0);
	publish(1);
	kick(0);
	put16(F.avail + VS_AVAIL_IDX, 1);
	kick(0);
}

static void split_desc_index(void)
{
	init_all();
	publish(9);
	kick(0);
}

static void split_desc_loop(void)
{
	init_all();
	set_desc(0, F.buf, 16, W | N, 1);
	set_desc(1, F.buf2, 16, W | N, 0);
	publish(0);
	kick(0);
}

static void split_chain_bytes(void)
{
	const uint64_t big = 64ull << 20, at = 1ull << 32;

	/* 65 descriptors all naming one 64 MiB buffer: 4160 MiB in total */
	ck_assert_int_eq(vs_arena_add_region(F.arena, at, big), 0);
	F.num = 128;
	init_all();
	for (uint16_t i = 0; i < 65; i++)
		set_desc(i, at, (uint32_t)big, (uint16_t)(i < 64 ? N : 0), (uint16_t)(i + 1));
	publish(0);
	kick(0);
}

static void split_chain_too_long(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	for (uint16_t i = 0; i < 9; i++)
		set_table_desc(F.table, i, F.buf + 16u * i, 16, (uint16_t)(W | (i < 8 ? N : 0)),
			       (uint16_t)(i + 1));
	set_desc(0, F.table, 9 * 16, IND, 0);
	publish(0);
	kick(0);
}

static void split_desc_range(void)
{
	init_all();
	set_desc(0, FX_RAM + 0x1000, 16, W, 0);
	publish(0);
	kick(0);
}

static void split_write_before_read(void)
{
	init_all();
	set_desc(0, F.buf, 16, W | N, 1);
	set_desc(1, F.buf2, 16, 0, 0);
	publish(0);
	kick(0);
}

static void split_indirect_not_negotiated(void)
{
	init_all();
	set_table_desc(F.table, 0, F.buf, 16, W, 0);
	set_desc(0, F.table, 16, IND, 0);
	publish(0);
	kick(0);
}

static void split_indirect_nested(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	set_table_desc(F.table, 0, F.buf, 16, IND, 0);
	set_desc(0, F.table, 16, IND, 0);
	publish(0);
	kick(0);
}

static void split_indirect_next(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	set_table_desc(F.table, 0, F.buf, 16, W, 0);
	set_desc(0, F.table, 16, IND | N, 1);
	publish(0);
	kick(0);
}

static void split_indirect_len(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	set_desc(0, F.table, 20, IND, 0);
	publish(0);
	kick(0);
}

static void split_head_reused(void)
{
	one_request();
	publish(0);
	kick(0);
}

static void split_ring_alignment(void)
{
	F.avail += 1;
	init_all();
}

static void split_ring_range(void)
{
	F.desc = FX_RAM - 16;
	init_all();
}

static void split_queue_size(void)
{
	F.num = 6;
	init_all();
}

static void split_used_flags_init(void)
{
	put16(F.used + VS_USED_FLAGS, 1);
	init_all();
}

static void split_avail_flags(void)
{
	init_all();
	put16(F.avail + VS_AVAIL_FLAGS, 2);
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
}

static void split_avail_flags_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	init_all();
	put16(F.avail + VS_AVAIL_FLAGS, VRING_AVAIL_F_NO_INTERRUPT);
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
}

static void split_in_order_next(void)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	init_all();
	set_desc(0, F.buf, 16, W | N, 2);
	set_desc(2, F.buf2, 16, W, 0);
	publish(0);
	kick(0);
}

static void split_in_order_indirect(void)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	set_table_desc(F.table, 0, F.buf, 16, W | N, 2);
	set_table_desc(F.table, 2, F.buf2, 16, W, 0);
	set_desc(0, F.table, 48, IND, 0);
	publish(0);
	kick(0);
}

/* ---- split: device side ---- */

static void split_used_id_range(void)
{
	one_request();
	dev_complete(9, 0);
}

static void split_used_id_not_outstanding(void)
{
	one_request();
	dev_complete(1, 0);
}

static void split_used_len(void)
{
	one_request();
	dev_complete(0, 32);
}

static void split_used_idx_jump(void)
{
	uint8_t idx[2];

	one_request();
	vs_put_le16(idx, 20);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_IDX, idx, 2);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void split_device_write_readable(void)
{
	init_all();
	set_desc(0, F.buf, 16, N, 1);
	set_desc(1, F.buf2, 16, W, 0);
	publish(0);
	kick(0);
	dev_write(F.buf + 8, 4);
}

static void split_device_indirect_write(void)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	set_table_desc(F.table, 0, F.buf, 16, W, 0);
	set_desc(0, F.table, 16, IND | W, 0);
	publish(0);
	kick(0);
	dev_write(F.table, 8);
}

static void split_device_read_writable(void)
{
	one_request();
	dev_read(F.buf, 16);
}

static void split_device_write_desc(void)
{
	one_request();
	dev_write(F.desc + 4, 4);
}

static void split_device_write_avail(void)
{
	one_request();
	dev_write(F.avail + VS_AVAIL_RING(3), 2);
}

static void split_used_before_driver_ok(void)
{
	probe_to_driver();
	ck_assert(features_ok());
	setup_queue(0, F.num);
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	dev_push(0, 16);
}

static void split_used_flags(void)
{
	one_request();
	put16(F.used + VS_USED_FLAGS, 2); /* as if the device wrote it */
	dev_complete(0, 16);
}

static void split_used_flags_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	one_request();
	put16(F.used + VS_USED_FLAGS, VRING_USED_F_NO_NOTIFY);
	dev_complete(0, 16);
}

static void split_in_order(void)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	init_all();
	set_desc(0, F.buf, 16, W, 0);
	set_desc(1, F.buf2, 16, W, 0);
	publish(0);
	publish(1);
	kick(0);
	dev_push(1, 16); /* one entry per buffer, the later one first */
	dev_push(0, 16);
	dev_irq(VIRTIO_MMIO_INT_VRING);
}

static void split_used_write_published(void)
{
	one_request();
	dev_complete(0, 16);
	dev_write(F.used + VS_USED_RING(0) + 4, 4); /* rewrites the len of a published entry */
}

/* ---- notifications ---- */

static void notify_used_missing(void)
{
	one_request();
	dev_push(0, 16);
	settle();
}

static void notify_used_missing_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	one_request(); /* used_event 0: the first entry must be notified */
	dev_push(0, 16);
	settle();
}

static void notify_used_suppressed(void)
{
	init_all();
	put16(F.avail + VS_AVAIL_FLAGS, VRING_AVAIL_F_NO_INTERRUPT);
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
}

static void notify_used_suppressed_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	init_all();
	put16(F.avail + VS_AVAIL_USED_EVENT(F.num), 5);
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
	dev_complete(0, 16);
}

/* Device writes to its suppression fields: through the arena, so the
 * monitor's tap sees them, as it sees an in-process device's. */
static void dev_used_flags(uint16_t v)
{
	uint8_t b[2];

	vs_put_le16(b, v);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_FLAGS, b, 2);
}

static void dev_avail_event(uint16_t v)
{
	uint8_t b[2];

	vs_put_le16(b, v);
	vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_AVAIL_EVENT(F.num), b, 2);
}

static void notify_avail_suppressed(void)
{
	one_request();
	dev_used_flags(VRING_USED_F_NO_NOTIFY);
	dev_read(F.avail + VS_AVAIL_IDX, 2); /* it polls: nothing new yet */
	set_desc(1, F.buf2, 16, W, 0);
	publish(1);
	kick(0); /* NO_NOTIFY since before entry 1 was published */
}

static void notify_avail_suppressed_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	one_request();
	dev_avail_event(5); /* kick me when entry 5 is published */
	dev_read(F.avail + VS_AVAIL_IDX, 2);
	set_desc(1, F.buf2, 16, W, 0);
	publish(1);
	kick(0); /* entry 1 only */
}

static void notify_avail_missing(void)
{
	one_request();
	dev_complete(0, 16);
	set_desc(1, F.buf2, 16, W, 0);
	publish(1); /* used flags 0: a kick is owed, none comes */
	settle();
}

static void notify_avail_missing_event_idx(void)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	one_request();
	dev_complete(0, 16);
	dev_avail_event(1);
	vs_monitor_sync(F.mon);
	set_desc(1, F.buf2, 16, W, 0);
	publish(1); /* entry 1 sits at avail_event: owed */
	settle();
}

static void notify_queue_not_ready(void)
{
	one_request();
	kick(1); /* queue 1 was never enabled */
}

/* ---- entropy ---- */

static void entropy_readable_buffer(void)
{
	F.bank.device_id = VIRTIO_ID_RNG;
	init_all();
	set_desc(0, F.buf, 16, 0, 0);
	publish(0);
	kick(0);
}

static void entropy_zero_len(void)
{
	F.bank.device_id = VIRTIO_ID_RNG;
	one_request();
	dev_complete(0, 0);
}

static const struct rule_case cases[] = {
	{"split.avail-idx-jump", VS_SIDE_DRIVER, split_avail_idx_jump, NULL},
	{"split.avail-idx-decrement", VS_SIDE_DRIVER, split_avail_idx_decrement, NULL},
	{"split.desc-index", VS_SIDE_DRIVER, split_desc_index, NULL},
	{"split.desc-loop", VS_SIDE_DRIVER, split_desc_loop, NULL},
	{"split.chain-bytes", VS_SIDE_DRIVER, split_chain_bytes, NULL},
	{"split.chain-too-long", VS_SIDE_DRIVER, split_chain_too_long, NULL},
	{"split.desc-range", VS_SIDE_DRIVER, split_desc_range, NULL},
	{"split.write-before-read", VS_SIDE_DRIVER, split_write_before_read, NULL},
	{"split.indirect-not-negotiated", VS_SIDE_DRIVER, split_indirect_not_negotiated, NULL},
	{"split.indirect-nested", VS_SIDE_DRIVER, split_indirect_nested, NULL},
	{"split.indirect-next", VS_SIDE_DRIVER, split_indirect_next, NULL},
	{"split.indirect-len", VS_SIDE_DRIVER, split_indirect_len, NULL},
	{"split.head-reused", VS_SIDE_DRIVER, split_head_reused, NULL},
	{"split.ring-alignment", VS_SIDE_DRIVER, split_ring_alignment, NULL},
	{"split.ring-range", VS_SIDE_DRIVER, split_ring_range, NULL},
	/* over MMIO the QueueSize write itself breaks 2.7 already */
	{"split.queue-size", VS_SIDE_DRIVER, split_queue_size, "mmio.queue-size-pow2"},
	{"split.used-flags-init", VS_SIDE_DRIVER, split_used_flags_init, NULL},
	{"split.avail-flags", VS_SIDE_DRIVER, split_avail_flags, NULL},
	{"split.avail-flags-event-idx", VS_SIDE_DRIVER, split_avail_flags_event_idx, NULL},
	{"split.in-order-next", VS_SIDE_DRIVER, split_in_order_next, NULL},
	{"split.in-order-indirect", VS_SIDE_DRIVER, split_in_order_indirect, NULL},
	{"split.used-id-range", VS_SIDE_DEVICE, split_used_id_range, NULL},
	{"split.used-id-not-outstanding", VS_SIDE_DEVICE, split_used_id_not_outstanding, NULL},
	{"split.used-len", VS_SIDE_DEVICE, split_used_len, NULL},
	{"split.used-idx-jump", VS_SIDE_DEVICE, split_used_idx_jump, NULL},
	{"split.device-write-readable", VS_SIDE_DEVICE, split_device_write_readable, NULL},
	{"split.device-indirect-write", VS_SIDE_DEVICE, split_device_indirect_write, NULL},
	{"split.device-read-writable", VS_SIDE_DEVICE, split_device_read_writable, NULL},
	{"split.device-write-desc", VS_SIDE_DEVICE, split_device_write_desc, NULL},
	{"split.device-write-avail", VS_SIDE_DEVICE, split_device_write_avail, NULL},
	{"split.used-before-driver-ok", VS_SIDE_DEVICE, split_used_before_driver_ok, NULL},
	{"split.used-flags", VS_SIDE_DEVICE, split_used_flags, NULL},
	{"split.used-flags-event-idx", VS_SIDE_DEVICE, split_used_flags_event_idx, NULL},
	{"split.in-order", VS_SIDE_DEVICE, split_in_order, NULL},
	{"split.used-write-published", VS_SIDE_DEVICE, split_used_write_published, NULL},
	{"notify.used-missing", VS_SIDE_DEVICE, notify_used_missing, NULL},
	{"notify.used-missing-event-idx", VS_SIDE_DEVICE, notify_used_missing_event_idx, NULL},
	{"notify.used-suppressed", VS_SIDE_DEVICE, notify_used_suppressed, NULL},
	{"notify.used-suppressed-event-idx", VS_SIDE_DEVICE, notify_used_suppressed_event_idx, NULL},
	{"notify.avail-suppressed", VS_SIDE_DRIVER, notify_avail_suppressed, NULL},
	{"notify.avail-suppressed-event-idx", VS_SIDE_DRIVER, notify_avail_suppressed_event_idx, NULL},
	{"notify.avail-missing", VS_SIDE_DRIVER, notify_avail_missing, NULL},
	{"notify.avail-missing-event-idx", VS_SIDE_DRIVER, notify_avail_missing_event_idx, NULL},
	{"notify.queue-not-ready", VS_SIDE_DRIVER, notify_queue_not_ready, NULL},
	{"entropy.readable-buffer", VS_SIDE_DRIVER, entropy_readable_buffer, NULL},
	{"entropy.zero-len", VS_SIDE_DEVICE, entropy_zero_len, NULL},
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

static int in_this_file(const char *id)
{
	static const char *const areas[] = {"split.", "notify.", "entropy."};

	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (strncmp(id, areas[i], strlen(areas[i])) == 0)
			return 1;
	return 0;
}

START_TEST(rule_table_complete)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	for (size_t i = 0; i < n; i++) {
		int found = 0;

		if (!in_this_file(r[i].id))
			continue;
		for (int j = 0; j < NCASES; j++)
			found |= strcmp(cases[j].rule, r[i].id) == 0;
		ck_assert_msg(found, "rule %s has no faulty-side test", r[i].id);
	}
}
END_TEST

/* ---- clean runs ---- */

/* A queue enabled, then disabled (QueueReady 0, read back): a kick of it
 * breaks the same rule, and the evidence says which case it is. */
START_TEST(notify_disabled_queue)
{
	const struct vs_violation *v;

	one_request();
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	rd(VIRTIO_MMIO_QUEUE_READY);
	kick(0);
	settle();
	expect_only("notify.queue-not-ready", VS_SIDE_DRIVER, NULL);
	ck_assert_uint_eq(vs_monitor_violation_count(F.mon), 1);
	v = vs_monitor_violation(F.mon, 0);
	ck_assert_str_eq(v->message, "queue 0 notified while disabled");
}
END_TEST

START_TEST(clean_mixed_chains)
{
	negotiate_also(VIRTIO_F_INDIRECT_DESC);
	init_all();
	/* readable header, writable payload and status: the common framing */
	set_desc(0, F.buf, 16, N, 1);
	set_desc(1, F.buf2, 512, W | N, 2);
	set_desc(2, F.buf2 + 512, 1, W, 0);
	/* a direct descriptor followed by an indirect one (2.7.5.3.2) */
	set_table_desc(F.table, 0, F.buf + 64, 32, N, 1);
	set_table_desc(F.table, 1, F.buf + 128, 32, W, 0);
	set_desc(3, F.buf + 256, 8, N, 4);
	set_desc(4, F.table, 32, IND, 0);
	publish(0);
	publish(3);
	kick(0);
	dev_read(F.buf, 16);
	dev_write(F.buf2, 513);
	dev_read(F.buf + 64, 32);
	dev_write(F.buf + 128, 32);
	dev_push(3, 32); /* out of order is fine without IN_ORDER */
	dev_complete(0, 513);
	/* the driver reuses both heads at once */
	publish(0);
	publish(3);
	kick(0);
	dev_complete(0, 0);
	dev_complete(3, 0);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_event_idx_suppression)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	init_all();
	for (uint16_t i = 0; i < 4; i++) {
		set_desc(i, F.buf + 16u * i, 16, W, 0);
		publish(i);
	}
	kick(0);
	/* driver asks to hear only when entry 2 is written */
	put16(F.avail + VS_AVAIL_USED_EVENT(F.num), 2);
	dev_push(0, 16);
	dev_push(1, 16);
	vs_monitor_sync(F.mon);
	dev_complete(2, 16);
	dev_push(3, 16);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_no_kick_when_suppressed)
{
	init_all();
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
	/* the device asked for no kicks; the driver adds without one and the
	 * device finds the chain on its own */
	put16(F.used + VS_USED_FLAGS, VRING_USED_F_NO_NOTIFY);
	set_desc(1, F.buf2, 16, W, 0);
	publish(1);
	dev_write(F.buf2, 16);
	dev_push(1, 16);
	dev_complete(0, 16);
	settle();
	expect_clean();
}
END_TEST

/* The device's used flags and avail_event, as it writes them: the driver
 * kicks exactly when they ask, and a device that polls finds the rest. */
START_TEST(clean_kicks_follow_suppression)
{
	init_all();
	set_desc(0, F.buf, 16, W, 0);
	publish(0);
	kick(0);
	dev_used_flags(VRING_USED_F_NO_NOTIFY); /* busy: no kicks */
	set_desc(1, F.buf2, 16, W, 0);
	publish(1);
	dev_read(F.avail + VS_AVAIL_IDX, 2); /* it polls */
	dev_write(F.buf2, 16);
	dev_push(1, 16);
	dev_push(0, 16);
	dev_used_flags(0); /* idle again */
	dev_irq(VIRTIO_MMIO_INT_VRING);
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_kicks_follow_avail_event)
{
	negotiate_also(VIRTIO_F_EVENT_IDX);
	init_all();
	for (uint16_t i = 0; i < 3; i++) {
		set_desc(i, F.buf + 16u * i, 16, W, 0);
		publish(i);
	}
	kick(0); /* avail_event 0 is among 0..2 */
	dev_avail_event(3);
	dev_avail_event(5); /* changed its mind: kick at entry 5 */
	for (uint16_t i = 3; i < 5; i++) {
		set_desc(i, F.buf + 16u * i, 16, W, 0);
		publish(i); /* entries 3 and 4: no kick needed, none sent */
	}
	dev_read(F.avail + VS_AVAIL_IDX, 2);
	set_desc(5, F.buf + 80, 16, W, 0);
	publish(5);
	kick(0); /* entry 5 sits at avail_event */
	for (uint16_t i = 0; i < 6; i++)
		dev_push(i, 16);
	dev_irq(VIRTIO_MMIO_INT_VRING);
	settle();
	expect_clean();
}
END_TEST

START_TEST(clean_in_order_batch)
{
	negotiate_also(VIRTIO_F_IN_ORDER);
	init_all();
	for (uint16_t i = 0; i < 3; i++) {
		set_desc(i, F.buf + 16u * i, 16, W, 0);
		publish(i);
	}
	kick(0);
	/* one entry for the batch 0..2, at the batch's first slot, idx += 3 */
	{
		uint8_t e[8], i2[2];

		vs_put_le32(e, 2);
		vs_put_le32(e + 4, 16);
		vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_RING(0), e, 8);
		F.used_idx = 3;
		vs_put_le16(i2, 3);
		vs_arena_write(F.arena, VS_SIDE_DEVICE, F.used + VS_USED_IDX, i2, 2);
		dev_irq(VIRTIO_MMIO_INT_VRING);
	}
	publish(0);
	kick(0);
	dev_complete(0, 16);
	settle();
	expect_clean();
}
END_TEST

START_TEST(used_checks_wait_for_late_interrupt)
{
	/* a device that defers its interrupt by one loop round is fine */
	one_request();
	dev_push(0, 16);
	vs_monitor_sync(F.mon);
	dev_irq(VIRTIO_MMIO_INT_VRING);
	settle();
	expect_clean();
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("monitor_ring");
	TCase *tc;

	tc = tcase_create("Rules");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, rule_fires, 0, NCASES);
	tcase_add_test(tc, rule_table_complete);
	tcase_add_test(tc, notify_disabled_queue);
	suite_add_tcase(s, tc);

	tc = tcase_create("Clean");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, clean_mixed_chains);
	tcase_add_test(tc, clean_event_idx_suppression);
	tcase_add_test(tc, clean_no_kick_when_suppressed);
	tcase_add_test(tc, clean_kicks_follow_suppression);
	tcase_add_test(tc, clean_kicks_follow_avail_event);
	tcase_add_test(tc, clean_in_order_batch);
	tcase_add_test(tc, used_checks_wait_for_late_interrupt);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
