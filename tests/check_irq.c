/*
 * check_irq.c - core/irq: line allocation, request/release, raise order
 * (taps before the handler), counts, spurious interrupts, taps.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/irq.h"
#include "core/pci_regs.h"

static struct vs_irq *irq;

/* Event log: every tap and handler call appends one entry. */
struct ev {
	char who;        /* 'A', 'B' taps, 'H' handler */
	unsigned line;
	int has_handler;
	void *opaque;
};
static struct ev evlog[64];
static unsigned nev;

static void log_ev(char who, unsigned line, int has_handler, void *opaque)
{
	ck_assert_uint_lt(nev, 64);
	evlog[nev].who = who;
	evlog[nev].line = line;
	evlog[nev].has_handler = has_handler;
	evlog[nev].opaque = opaque;
	nev++;
}

static void tap_a(void *opaque, unsigned line, int has_handler)
{
	log_ev('A', line, has_handler, opaque);
}

static void tap_b(void *opaque, unsigned line, int has_handler)
{
	log_ev('B', line, has_handler, opaque);
}

static void handler(void *opaque, unsigned line)
{
	log_ev('H', line, 1, opaque);
}

static void setup(void)
{
	nev = 0;
	memset(evlog, 0, sizeof(evlog));
	ck_assert_int_eq(vs_irq_create(&irq), 0);
}

static void teardown(void)
{
	vs_irq_destroy(irq);
	irq = NULL;
}

START_TEST(alloc_lowest_free)
{
	unsigned l;

	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
		ck_assert_uint_eq(l, i);
	}
	vs_irq_free_line(irq, 1);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_uint_eq(l, 1);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_uint_eq(l, 3);
}
END_TEST

START_TEST(alloc_exhausted)
{
	unsigned l;

	for (unsigned i = 0; i < VS_IRQ_MAX_LINES; i++) {
		ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
		ck_assert_uint_eq(l, i);
	}
	l = 12345;
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), -ENOSPC);
	ck_assert_uint_eq(l, 12345);
	vs_irq_free_line(irq, VS_IRQ_MAX_LINES - 1);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_uint_eq(l, VS_IRQ_MAX_LINES - 1);
}
END_TEST

START_TEST(request_rules)
{
	unsigned l;
	int x, y;

	ck_assert_int_eq(vs_irq_request(irq, 0, handler, &x), -EINVAL);
	ck_assert_int_eq(vs_irq_request(irq, VS_IRQ_MAX_LINES, handler, &x), -EINVAL);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_request(irq, l, NULL, &x), -EINVAL);
	ck_assert_int_eq(vs_irq_request(irq, l, handler, &x), 0);
	ck_assert_int_eq(vs_irq_request(irq, l, handler, &y), -EBUSY);
	vs_irq_release(irq, l);
	ck_assert_int_eq(vs_irq_request(irq, l, handler, &y), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(nev, 1);
	ck_assert_ptr_eq(evlog[0].opaque, &y);
	/* Freeing the line drops its handler too. */
	vs_irq_free_line(irq, l);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_request(irq, l, handler, &x), 0);
}
END_TEST

START_TEST(raise_calls_handler_and_counts)
{
	unsigned l0, l1;
	int x;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &l0), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l1), 0);
	ck_assert_int_eq(vs_irq_request(irq, l1, handler, &x), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l1), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l1), 0);
	ck_assert_uint_eq(nev, 2);
	ck_assert_int_eq(evlog[0].who, 'H');
	ck_assert_uint_eq(evlog[0].line, l1);
	ck_assert_ptr_eq(evlog[0].opaque, &x);
	ck_assert_uint_eq(vs_irq_count(irq, l1), 2);
	ck_assert_uint_eq(vs_irq_count(irq, l0), 0);
}
END_TEST

START_TEST(raise_unallocated_einval)
{
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_a, NULL), 0);
	ck_assert_int_eq(vs_irq_raise(irq, 5), -EINVAL);
	ck_assert_int_eq(vs_irq_raise(irq, VS_IRQ_MAX_LINES), -EINVAL);
	ck_assert_int_eq(vs_irq_raise(irq, UINT32_MAX), -EINVAL);
	ck_assert_uint_eq(nev, 0);
	ck_assert_uint_eq(vs_irq_count(irq, 5), 0);
	ck_assert_uint_eq(vs_irq_count(irq, VS_IRQ_MAX_LINES), 0);
}
END_TEST

START_TEST(spurious_counted_and_tapped)
{
	unsigned l;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_a, NULL), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(nev, 1);
	ck_assert_int_eq(evlog[0].who, 'A');
	ck_assert_int_eq(evlog[0].has_handler, 0);
	ck_assert_uint_eq(vs_irq_count(irq, l), 1);
}
END_TEST

START_TEST(taps_before_handler_in_order)
{
	unsigned l;
	int ta, tb, h;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0); /* line 1 */
	ck_assert_int_eq(vs_irq_request(irq, l, handler, &h), 0);
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_a, &ta), 0);
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_b, &tb), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(nev, 3);
	ck_assert_int_eq(evlog[0].who, 'A');
	ck_assert_ptr_eq(evlog[0].opaque, &ta);
	ck_assert_uint_eq(evlog[0].line, 1);
	ck_assert_int_eq(evlog[0].has_handler, 1);
	ck_assert_int_eq(evlog[1].who, 'B');
	ck_assert_ptr_eq(evlog[1].opaque, &tb);
	ck_assert_int_eq(evlog[2].who, 'H');
	ck_assert_ptr_eq(evlog[2].opaque, &h);
}
END_TEST

START_TEST(tap_limits_and_remove)
{
	int o[VS_IRQ_MAX_TAPS + 1];
	unsigned l;

	ck_assert_int_eq(vs_irq_add_tap(irq, NULL, NULL), -EINVAL);
	for (unsigned i = 0; i < VS_IRQ_MAX_TAPS; i++)
		ck_assert_int_eq(vs_irq_add_tap(irq, i == 1 ? tap_b : tap_a, &o[i]), 0);
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_a, &o[VS_IRQ_MAX_TAPS]), -ENOSPC);
	/* Remove the matching (fn, opaque) only: a wrong opaque is no match. */
	vs_irq_remove_tap(irq, tap_b, &o[0]);
	vs_irq_remove_tap(irq, tap_b, &o[1]);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(nev, VS_IRQ_MAX_TAPS - 1);
	ck_assert_ptr_eq(evlog[0].opaque, &o[0]);
	ck_assert_ptr_eq(evlog[1].opaque, &o[2]);
	ck_assert_ptr_eq(evlog[2].opaque, &o[3]);
	ck_assert_int_eq(vs_irq_add_tap(irq, tap_a, &o[VS_IRQ_MAX_TAPS]), 0);
}
END_TEST

static void releasing_handler(void *opaque, unsigned line)
{
	struct vs_irq *self = opaque;

	log_ev('H', line, 1, opaque);
	vs_irq_release(self, line);
}

START_TEST(handler_may_release_itself)
{
	unsigned l;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_request(irq, l, releasing_handler, irq), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(nev, 1);
	ck_assert_uint_eq(vs_irq_count(irq, l), 2);
}
END_TEST

START_TEST(count_resets_on_realloc)
{
	unsigned l;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_int_eq(vs_irq_raise(irq, l), 0);
	ck_assert_uint_eq(vs_irq_count(irq, l), 1);
	vs_irq_free_line(irq, l);
	ck_assert_int_eq(vs_irq_raise(irq, l), -EINVAL);
	ck_assert_int_eq(vs_irq_alloc_line(irq, &l), 0);
	ck_assert_uint_eq(vs_irq_count(irq, l), 0);
}
END_TEST

START_TEST(destroy_null)
{
	vs_irq_destroy(NULL);
}
END_TEST

/* An MSI write inside the window raises line = data; anything else is lost. */
START_TEST(msi_delivers_data_as_line)
{
	unsigned line;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_irq_request(irq, line, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE, line), 0);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE + VS_MSI_ADDR_SIZE - 4, line), 0);
	ck_assert_uint_eq(nev, 2);
	ck_assert_int_eq(evlog[0].who, 'H');
	ck_assert_uint_eq(evlog[0].line, line);
	ck_assert_uint_eq(vs_irq_count(irq, line), 2);
	ck_assert_uint_eq(vs_irq_lost_messages(irq), 0);
}
END_TEST

START_TEST(msi_outside_window_or_unallocated_is_lost)
{
	unsigned line;

	ck_assert_int_eq(vs_irq_alloc_line(irq, &line), 0);
	ck_assert_int_eq(vs_irq_request(irq, line, handler, NULL), 0);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE - 4, line), -EINVAL);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE + VS_MSI_ADDR_SIZE, line), -EINVAL);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE, line + 1), -EINVAL);
	ck_assert_int_eq(vs_irq_msi(irq, VS_MSI_ADDR_BASE, 0xffffffffu), -EINVAL);
	ck_assert_uint_eq(nev, 0);
	ck_assert_uint_eq(vs_irq_count(irq, line), 0);
	ck_assert_uint_eq(vs_irq_lost_messages(irq), 4);
}
END_TEST

static Suite *irq_suite(void)
{
	Suite *s = suite_create("irq");
	TCase *tc;

	tc = tcase_create("Lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, alloc_lowest_free);
	tcase_add_test(tc, alloc_exhausted);
	tcase_add_test(tc, request_rules);
	tcase_add_test(tc, count_resets_on_realloc);
	tcase_add_test(tc, destroy_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("Raise");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, raise_calls_handler_and_counts);
	tcase_add_test(tc, raise_unallocated_einval);
	tcase_add_test(tc, spurious_counted_and_tapped);
	tcase_add_test(tc, handler_may_release_itself);
	tcase_add_test(tc, msi_delivers_data_as_line);
	tcase_add_test(tc, msi_outside_window_or_unallocated_is_lost);
	suite_add_tcase(s, tc);

	tc = tcase_create("Taps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, taps_before_handler_in_order);
	tcase_add_test(tc, tap_limits_and_remove);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(irq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
