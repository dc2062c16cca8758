/*
 * check_prng.c - core/prng: known outputs, determinism, streams, bias-free
 * bounds, chance and fill.  Expected values were computed with an
 * independent implementation of splitmix64 + xoshiro256** (the first
 * splitmix64 output for seed 1, 0x910a2dec89025cc1, matches the published
 * test vector).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/prng.h"

START_TEST(seed_state_known)
{
	struct vs_prng p;

	vs_prng_seed(&p, 1);
	ck_assert_uint_eq(p.s[0], 0x910a2dec89025cc1ull);
	ck_assert_uint_eq(p.s[1], 0xbeeb8da1658eec67ull);
	ck_assert_uint_eq(p.s[2], 0xf893a2eefb32555eull);
	ck_assert_uint_eq(p.s[3], 0x71c18690ee42c90bull);
	vs_prng_seed(&p, 0);
	ck_assert_uint_eq(p.s[0], 0xe220a8397b1dcdafull);
}
END_TEST

START_TEST(next_known_seed1)
{
	static const uint64_t want[] = {
		0xb3f2af6d0fc710c5ull, 0x853b559647364ceaull,
		0x92f89756082a4514ull, 0x642e1c7bc266a3a7ull,
	};
	struct vs_prng p;

	vs_prng_seed(&p, 1);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(vs_prng_next(&p), want[i]);
}
END_TEST

START_TEST(next_known_seed0)
{
	struct vs_prng p;

	vs_prng_seed(&p, 0);
	ck_assert_uint_eq(vs_prng_next(&p), 0x99ec5f36cb75f2b4ull);
	ck_assert_uint_eq(vs_prng_next(&p), 0xbf6e1f784956452aull);
}
END_TEST

START_TEST(same_seed_same_sequence)
{
	struct vs_prng a, b;

	vs_prng_seed(&a, 0xdeadbeef);
	vs_prng_seed(&b, 0xdeadbeef);
	for (unsigned i = 0; i < 10000; i++)
		ck_assert_uint_eq(vs_prng_next(&a), vs_prng_next(&b));
}
END_TEST

START_TEST(different_seeds_differ)
{
	struct vs_prng a, b;
	unsigned same = 0;

	vs_prng_seed(&a, 1);
	vs_prng_seed(&b, 2);
	for (unsigned i = 0; i < 1000; i++)
		same += vs_prng_next(&a) == vs_prng_next(&b);
	ck_assert_uint_eq(same, 0);
}
END_TEST

START_TEST(stream_known)
{
	struct vs_prng p;

	vs_prng_seed_stream(&p, 1, "faults");
	ck_assert_uint_eq(vs_prng_next(&p), 0x4293b1f0c1234c7aull);
	ck_assert_uint_eq(vs_prng_next(&p), 0x629c46b011a49e53ull);
}
END_TEST

START_TEST(streams_independent)
{
	struct vs_prng a, b, c, d;

	vs_prng_seed_stream(&a, 7, "net");
	vs_prng_seed_stream(&b, 7, "blk");
	vs_prng_seed_stream(&c, 7, "net");
	vs_prng_seed(&d, 7);
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t va = vs_prng_next(&a), vb = vs_prng_next(&b);
		uint64_t vc = vs_prng_next(&c), vd = vs_prng_next(&d);

		ck_assert_uint_eq(va, vc);
		ck_assert_uint_ne(va, vb);
		ck_assert_uint_ne(va, vd);
	}
	/* Same name, other seed: other stream. */
	vs_prng_seed_stream(&a, 7, "net");
	vs_prng_seed_stream(&b, 8, "net");
	ck_assert_uint_ne(vs_prng_next(&a), vs_prng_next(&b));
}
END_TEST

START_TEST(below_zero_and_one)
{
	struct vs_prng p;

	vs_prng_seed(&p, 3);
	for (unsigned i = 0; i < 100; i++) {
		ck_assert_uint_eq(vs_prng_below(&p, 0), 0);
		ck_assert_uint_eq(vs_prng_below(&p, 1), 0);
	}
}
END_TEST

START_TEST(below_known)
{
	static const uint64_t want[] = { 7, 2, 0, 3, 1, 2, 6, 9 };
	struct vs_prng p;

	vs_prng_seed(&p, 1);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(vs_prng_below(&p, 10), want[i]);
}
END_TEST

START_TEST(below_bounds_and_spread)
{
	struct vs_prng p;
	unsigned hist[10] = { 0 };

	vs_prng_seed(&p, 99);
	for (unsigned i = 0; i < 100000; i++) {
		uint64_t v = vs_prng_below(&p, 10);

		ck_assert_uint_lt(v, 10);
		hist[v]++;
	}
	for (unsigned i = 0; i < 10; i++) {
		ck_assert_uint_gt(hist[i], 9500);
		ck_assert_uint_lt(hist[i], 10500);
	}
	for (unsigned i = 0; i < 1000; i++)
		ck_assert_uint_lt(vs_prng_below(&p, UINT64_MAX), UINT64_MAX);
}
END_TEST

/* With bound 2^63 + 1 the rejection threshold is 2^63 - 1: about half the
 * raw draws are rejected.  A shadow generator replays the raw stream and
 * checks below() skipped exactly the draws under the threshold (plain
 * modulo would map them into the low half and differ). */
START_TEST(below_rejects_biased_draws)
{
	const uint64_t bound = (1ull << 63) + 1;
	const uint64_t threshold = (1ull << 63) - 1;
	struct vs_prng p, shadow;
	unsigned rejected = 0;

	vs_prng_seed(&p, 5);
	vs_prng_seed(&shadow, 5);
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t r;

		while ((r = vs_prng_next(&shadow)) < threshold)
			rejected++;
		uint64_t want = r >= bound ? r - bound : r;

		ck_assert_uint_eq(vs_prng_below(&p, bound), want);
	}
	ck_assert_uint_gt(rejected, 1000);
}
END_TEST

START_TEST(chance_edges)
{
	struct vs_prng p;

	vs_prng_seed(&p, 11);
	for (unsigned i = 0; i < 1000; i++) {
		ck_assert_int_eq(vs_prng_chance(&p, 0, 7), 0);
		ck_assert_int_eq(vs_prng_chance(&p, 7, 7), 1);
		ck_assert_int_eq(vs_prng_chance(&p, 9, 7), 1);
		ck_assert_int_eq(vs_prng_chance(&p, 1, 0), 0);
	}
}
END_TEST

START_TEST(chance_matches_draws)
{
	struct vs_prng p, shadow;
	unsigned yes = 0;

	/* den a power of two: no rejection, so chance(num, 4) is exactly
	 * (next() % 4 < num). */
	vs_prng_seed(&p, 12);
	vs_prng_seed(&shadow, 12);
	for (unsigned i = 0; i < 40000; i++) {
		int want = vs_prng_next(&shadow) % 4 < 1;
		int got = vs_prng_chance(&p, 1, 4);

		ck_assert_int_eq(got, want);
		yes += (unsigned)got;
	}
	ck_assert_uint_gt(yes, 9500);
	ck_assert_uint_lt(yes, 10500);
}
END_TEST

START_TEST(fill_known_little_endian)
{
	static const uint8_t want[11] = {
		0xc5, 0x10, 0xc7, 0x0f, 0x6d, 0xaf, 0xf2, 0xb3, 0xea, 0x4c, 0x36,
	};
	uint8_t buf[12];
	struct vs_prng p;

	memset(buf, 0x5a, sizeof(buf));
	vs_prng_seed(&p, 1);
	vs_prng_fill(&p, buf, 11);
	ck_assert_mem_eq(buf, want, 11);
	ck_assert_uint_eq(buf[11], 0x5a);
	/* 16 bytes consumed 2 words: the next one is the third output. */
	ck_assert_uint_eq(vs_prng_next(&p), 0x92f89756082a4514ull);
}
END_TEST

START_TEST(fill_zero_len)
{
	struct vs_prng p;
	uint8_t b = 0x77;

	vs_prng_seed(&p, 1);
	vs_prng_fill(&p, &b, 0);
	ck_assert_uint_eq(b, 0x77);
	ck_assert_uint_eq(vs_prng_next(&p), 0xb3f2af6d0fc710c5ull);
}
END_TEST

static Suite *prng_suite(void)
{
	Suite *s = suite_create("prng");
	TCase *tc;

	tc = tcase_create("Known");
	tcase_add_test(tc, seed_state_known);
	tcase_add_test(tc, next_known_seed1);
	tcase_add_test(tc, next_known_seed0);
	tcase_add_test(tc, stream_known);
	suite_add_tcase(s, tc);

	tc = tcase_create("Determinism");
	tcase_add_test(tc, same_seed_same_sequence);
	tcase_add_test(tc, different_seeds_differ);
	tcase_add_test(tc, streams_independent);
	suite_add_tcase(s, tc);

	tc = tcase_create("Below");
	tcase_add_test(tc, below_zero_and_one);
	tcase_add_test(tc, below_known);
	tcase_add_test(tc, below_bounds_and_spread);
	tcase_add_test(tc, below_rejects_biased_draws);
	suite_add_tcase(s, tc);

	tc = tcase_create("Chance");
	tcase_add_test(tc, chance_edges);
	tcase_add_test(tc, chance_matches_draws);
	suite_add_tcase(s, tc);

	tc = tcase_create("Fill");
	tcase_add_test(tc, fill_known_little_endian);
	tcase_add_test(tc, fill_zero_len);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(prng_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
