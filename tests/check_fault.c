/*
 * check_fault.c - core/fault: switch modes, the any_on fast path, fired
 * counts, and that the probability mode draws from the "faults" stream.
 */
#include <check.h>
#include <stdint.h>

#include "core/fault.h"

static struct vs_faults f;

static void setup(void)
{
	vs_faults_init(&f, 42);
}

START_TEST(init_all_off)
{
	struct vs_prng want;

	ck_assert_uint_eq(f.any_on, 0);
	for (unsigned i = 0; i < VS_FAULT_COUNT; i++) {
		ck_assert_int_eq(f.sw[i].mode, VS_FAULT_OFF);
		ck_assert_uint_eq(f.sw[i].fired, 0);
		ck_assert_int_eq(vs_fault_hit(&f, (enum vs_fault_id)i), 0);
	}
	vs_prng_seed_stream(&want, 42, "faults");
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(f.prng.s[i], want.s[i]);
}
END_TEST

START_TEST(null_faults_never_hit)
{
	ck_assert_int_eq(vs_fault_hit(NULL, VS_FAULT_DEV_NO_INTERRUPT), 0);
	ck_assert_int_eq(vs__fault_hit_slow(NULL, VS_FAULT_DEV_NO_INTERRUPT), 0);
}
END_TEST

START_TEST(always_fires_every_hit)
{
	vs_faults_set(&f, VS_FAULT_DRV_KICK_EARLY, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_uint_eq(f.any_on, 1);
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_KICK_EARLY), 1);
		ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_DESC_LOOP), 0);
	}
	ck_assert_uint_eq(f.sw[VS_FAULT_DRV_KICK_EARLY].fired, 5);
	ck_assert_uint_eq(f.sw[VS_FAULT_DRV_DESC_LOOP].fired, 0);
}
END_TEST

START_TEST(counted_turns_off)
{
	vs_faults_set(&f, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_COUNTED, 3, 0, 0);
	ck_assert_uint_eq(f.any_on, 1);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_LEN_OVER), 1);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_LEN_OVER), 1);
	ck_assert_uint_eq(f.sw[VS_FAULT_DEV_USED_LEN_OVER].remaining, 1);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_LEN_OVER), 1);
	ck_assert_int_eq(f.sw[VS_FAULT_DEV_USED_LEN_OVER].mode, VS_FAULT_OFF);
	ck_assert_uint_eq(f.any_on, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_LEN_OVER), 0);
	ck_assert_int_eq(vs__fault_hit_slow(&f, VS_FAULT_DEV_USED_LEN_OVER), 0);
	ck_assert_uint_eq(f.sw[VS_FAULT_DEV_USED_LEN_OVER].fired, 3);
}
END_TEST

START_TEST(counted_zero_is_off)
{
	vs_faults_set(&f, VS_FAULT_DEV_USED_LEN_OVER, VS_FAULT_COUNTED, 0, 0, 0);
	ck_assert_int_eq(f.sw[VS_FAULT_DEV_USED_LEN_OVER].mode, VS_FAULT_OFF);
	ck_assert_uint_eq(f.any_on, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_LEN_OVER), 0);
}
END_TEST

START_TEST(probability_follows_stream)
{
	struct vs_prng shadow;
	uint64_t want_fired = 0;

	vs_prng_seed_stream(&shadow, 42, "faults");
	vs_faults_set(&f, VS_FAULT_DEV_SPURIOUS_INTERRUPT, VS_FAULT_PROBABILITY, 0, 1, 3);
	ck_assert_uint_eq(f.any_on, 1);
	for (unsigned i = 0; i < 3000; i++) {
		int want = vs_prng_chance(&shadow, 1, 3);

		ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_SPURIOUS_INTERRUPT), want);
		want_fired += (uint64_t)want;
	}
	ck_assert_uint_eq(f.sw[VS_FAULT_DEV_SPURIOUS_INTERRUPT].fired, want_fired);
	ck_assert_uint_gt(want_fired, 850);
	ck_assert_uint_lt(want_fired, 1150);
	ck_assert_int_eq(f.sw[VS_FAULT_DEV_SPURIOUS_INTERRUPT].mode, VS_FAULT_PROBABILITY);
}
END_TEST

START_TEST(probability_degenerate)
{
	vs_faults_set(&f, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_PROBABILITY, 0, 0, 5);
	ck_assert_uint_eq(f.any_on, 0);
	vs_faults_set(&f, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_PROBABILITY, 0, 1, 0);
	ck_assert_uint_eq(f.any_on, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_NO_INTERRUPT), 0);
	vs_faults_set(&f, VS_FAULT_DEV_NO_INTERRUPT, VS_FAULT_PROBABILITY, 0, 5, 5);
	for (unsigned i = 0; i < 100; i++)
		ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_NO_INTERRUPT), 1);
	ck_assert_uint_eq(f.sw[VS_FAULT_DEV_NO_INTERRUPT].fired, 100);
}
END_TEST

START_TEST(any_on_counts_switches)
{
	vs_faults_set(&f, VS_FAULT_DEV_USED_ID_RANGE, VS_FAULT_ALWAYS, 0, 0, 0);
	vs_faults_set(&f, VS_FAULT_DRV_CLEAR_STATUS_BIT, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_uint_eq(f.any_on, 2);
	/* Setting an already-on switch again does not double count. */
	vs_faults_set(&f, VS_FAULT_DEV_USED_ID_RANGE, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_uint_eq(f.any_on, 2);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_CLEAR_STATUS_BIT), 1);
	ck_assert_uint_eq(f.any_on, 1);
	vs_faults_clear(&f, VS_FAULT_DEV_USED_ID_RANGE);
	ck_assert_uint_eq(f.any_on, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DEV_USED_ID_RANGE), 0);
}
END_TEST

START_TEST(fired_survives_reset_of_mode)
{
	vs_faults_set(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP), 1);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP), 1);
	vs_faults_clear(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP), 0);
	vs_faults_set(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP, VS_FAULT_COUNTED, 1, 0, 0);
	ck_assert_int_eq(vs_fault_hit(&f, VS_FAULT_DRV_AVAIL_IDX_JUMP), 1);
	ck_assert_uint_eq(f.sw[VS_FAULT_DRV_AVAIL_IDX_JUMP].fired, 3);
}
END_TEST

START_TEST(bad_id_ignored)
{
	vs_faults_set(&f, VS_FAULT_COUNT, VS_FAULT_ALWAYS, 0, 0, 0);
	ck_assert_uint_eq(f.any_on, 0);
	ck_assert_int_eq(vs__fault_hit_slow(&f, VS_FAULT_COUNT), 0);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc;

	tc = tcase_create("Core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, init_all_off);
	tcase_add_test(tc, null_faults_never_hit);
	tcase_add_test(tc, any_on_counts_switches);
	tcase_add_test(tc, fired_survives_reset_of_mode);
	tcase_add_test(tc, bad_id_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("Modes");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, always_fires_every_hit);
	tcase_add_test(tc, counted_turns_off);
	tcase_add_test(tc, counted_zero_is_off);
	tcase_add_test(tc, probability_follows_stream);
	tcase_add_test(tc, probability_degenerate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
