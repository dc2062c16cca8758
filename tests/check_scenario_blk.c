/*
 * check_scenario_blk.c - the block device parts of scenario files
 * (harness/scenario_blk.c): a blk device's keys and the blk.* steps parse
 * to the documented values and defaults (docs/scenarios.md), and every
 * malformed one is refused with its exact JSON path and expectation.
 * The runner's side of blk.secure-erase (the shadow turns to zeros) and
 * blk.get-lifetime (the report against the expected values) is run on a
 * whole machine.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "harness/runner.h"
#include "harness/scenario.h"

#define BLK "\"machine\": {\"devices\": [{\"type\": \"blk\"}]}"

struct bad_case {
	const char *text;
	const char *where;
	const char *message_part;
};

static const struct bad_case bad_cases[] = {
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"capacity_sectors\": "
	 "8}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].capacity_sectors", "applies to a blk device only (this one is \"rng\")"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"capacity_sectors\": "
	 "0}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].capacity_sectors", "expected an integer in 1..16777216, got 0"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"queues\": 17}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].queues", "expected an integer in 1..16, got 17"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"seg_max\": 64}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].seg_max", "expected an integer in 1..63, got 64"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"read_only\": 1}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].read_only", "expected true or false, got number"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"serial\": "
	 "\"123456789012345678901\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].serial", "expected a string of 1 to 20 characters, got 21"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"backend\": "
	 "\"disk.img\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].backend", "expected an object {\"file\": path}, got string"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"backend\": "
	 "{\"path\": \"x\"}}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].backend.path", "unknown key \"path\" (expected one of: file)"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"backend\": {}}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].backend.file", "missing required key (expected a string)"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"ioerr_sectors\": "
	 "[5]}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].ioerr_sectors", "expected [first sector, count], got another array"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"ioerr_sectors\": "
	 "[5, 0]}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].ioerr_sectors", "a count in 1..16777216"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"capacity_sectors\": "
	 "100, \"ioerr_sectors\": [100, 1]}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].ioerr_sectors", "first sector 100 is beyond capacity_sectors 100"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.write\", \"pattern\": 1, "
	 "\"byte\": 2}]}",
	 "steps[0].byte", "give either pattern or byte, not both"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.read\", \"count\": 65537}]}",
	 "steps[0].count", "expected an integer in 1..65536, got 65537"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.read\", \"sector\": -1}]}",
	 "steps[0].sector", "expected an integer in 0..9007199254740991, got -1"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.flush\", \"sector\": 1}]}",
	 "steps[0].sector", "unknown key \"sector\" (expected one of: op, device, result, comment)"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.read\", \"byte\": 1}]}",
	 "steps[0].byte", "unknown key \"byte\""},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.get-id\", \"id\": 7}]}",
	 "steps[0].id", "expected a string, got number"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.discard\", \"device\": \"x\"}]}",
	 "steps[0].device", "no device named \"x\""},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.write-zeroes\", \"result\": "
	 "\"fine\"}]}",
	 "steps[0].result", "expected one of \"ok\", \"error\", \"any\", got \"fine\""},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"endurance_sectors\": "
	 "0}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].endurance_sectors", "expected an integer in 1..9007199254740991, got 0"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", \"worn_sectors\": "
	 "-1}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].worn_sectors", "expected an integer in 0..9007199254740991, got -1"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", \"worn_sectors\": "
	 "5}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].worn_sectors", "applies to a blk device only (this one is \"console\")"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.secure-erase\", \"count\": 0}]}",
	 "steps[0].count", "expected an integer in 1..65536, got 0"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.secure-erase\", \"byte\": 0}]}",
	 "steps[0].byte", "unknown key \"byte\""},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.get-lifetime\", "
	 "\"pre_eol_info\": 4}]}",
	 "steps[0].pre_eol_info", "expected an integer in 0..3, got 4"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.get-lifetime\", \"life_b\": 12}]}",
	 "steps[0].life_b", "expected an integer in 0..11, got 12"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.get-lifetime\", \"life_a\": "
	 "\"1\"}]}",
	 "steps[0].life_a", "expected an integer"},
	{"{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"blk.get-lifetime\", \"sector\": 0}]}",
	 "steps[0].sector", "unknown key \"sector\" (expected one of: op, device, result, "
	 "pre_eol_info, life_a, life_b, comment)"},
};

START_TEST(bad_input_is_refused_with_path)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("x.json", bc->text, strlen(bc->text), &s, &d), -EINVAL);
	ck_assert_str_eq(d.where, bc->where);
	if (!strstr(d.message, bc->message_part))
		ck_abort_msg("case %d: message \"%s\" lacks \"%s\"", _i, d.message, bc->message_part);
	ck_assert_ptr_null(s.steps);
}
END_TEST

START_TEST(device_defaults)
{
	static const char text[] = "{\"name\": \"t\", " BLK ", \"steps\": [{\"op\": \"probe\"}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &s, &d), 0);
	ck_assert_str_eq(s.devices[0].type, "blk");
	ck_assert_uint_eq(s.devices[0].capacity_sectors, 0);
	ck_assert_int_eq(s.devices[0].read_only, 0);
	ck_assert_uint_eq(s.devices[0].queues, 0);
	ck_assert_uint_eq(s.devices[0].seg_max, 0);
	ck_assert_str_eq(s.devices[0].serial, "");
	ck_assert_str_eq(s.devices[0].backend_file, "");
	ck_assert_uint_eq(s.devices[0].ioerr_count, 0);
	ck_assert_uint_eq(s.devices[0].endurance_sectors, 0);
	ck_assert_uint_eq(s.devices[0].worn_sectors, 0);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(device_keys)
{
	static const char text[] =
		"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", "
		"\"capacity_sectors\": 4096, \"read_only\": true, \"queues\": 3, \"seg_max\": 9, "
		"\"serial\": \"disk-1\", \"backend\": {\"file\": \"build/d-{pid}.img\"}, "
		"\"ioerr_sectors\": [10, 2], \"endurance_sectors\": 9007199254740991, "
		"\"worn_sectors\": 12345}]}, \"steps\": [{\"op\": \"probe\"}]}";
	struct vs_scenario s;
	struct vs_diag d;
	char want[64];

	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &s, &d), 0);
	ck_assert_uint_eq(s.devices[0].capacity_sectors, 4096);
	ck_assert_int_eq(s.devices[0].read_only, 1);
	ck_assert_uint_eq(s.devices[0].queues, 3);
	ck_assert_uint_eq(s.devices[0].seg_max, 9);
	ck_assert_str_eq(s.devices[0].serial, "disk-1");
	snprintf(want, sizeof(want), "build/d-%ld.img", (long)getpid());
	ck_assert_str_eq(s.devices[0].backend_file, want);
	ck_assert_int_eq(s.devices[0].backend_remove, 1);
	ck_assert_uint_eq(s.devices[0].ioerr_first, 10);
	ck_assert_uint_eq(s.devices[0].ioerr_count, 2);
	ck_assert_uint_eq(s.devices[0].endurance_sectors, 9007199254740991ull);
	ck_assert_uint_eq(s.devices[0].worn_sectors, 12345);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(steps_parse)
{
	static const char text[] =
		"{\"name\": \"t\", " BLK ", \"steps\": ["
		"{\"op\": \"blk.write\", \"sector\": 7, \"count\": 3, \"pattern\": 99},"
		"{\"op\": \"blk.write\", \"byte\": 255},"
		"{\"op\": \"blk.read\", \"check\": false, \"result\": \"any\"},"
		"{\"op\": \"blk.flush\"},"
		"{\"op\": \"blk.discard\", \"sector\": 9007199254740991, \"count\": 65536},"
		"{\"op\": \"blk.write-zeroes\"},"
		"{\"op\": \"blk.get-id\", \"id\": \"abc\"},"
		"{\"op\": \"blk.get-id\"},"
		"{\"op\": \"blk.secure-erase\", \"sector\": 16, \"count\": 24},"
		"{\"op\": \"blk.get-lifetime\", \"pre_eol_info\": 0, \"life_b\": 11},"
		"{\"op\": \"blk.get-lifetime\", \"result\": \"error\"}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &s, &d), 0);
	ck_assert_uint_eq(s.n_steps, 11);
	ck_assert_int_eq(s.steps[0].op, VS_STEP_BLK_WRITE);
	ck_assert_uint_eq(s.steps[0].sector, 7);
	ck_assert_uint_eq(s.steps[0].nsectors, 3);
	ck_assert_uint_eq(s.steps[0].pattern, 99);
	ck_assert_int_eq(s.steps[0].fill, -1);
	ck_assert_uint_eq(s.steps[1].sector, 0);
	ck_assert_uint_eq(s.steps[1].nsectors, 1);
	ck_assert_int_eq(s.steps[1].fill, 255);
	ck_assert_int_eq(s.steps[2].op, VS_STEP_BLK_READ);
	ck_assert_int_eq(s.steps[2].blk_check, 0);
	ck_assert_int_eq(s.steps[2].result, VS_RESULT_ANY);
	ck_assert_int_eq(s.steps[3].op, VS_STEP_BLK_FLUSH);
	ck_assert_int_eq(s.steps[3].result, VS_RESULT_OK);
	ck_assert_int_eq(s.steps[4].op, VS_STEP_BLK_DISCARD);
	ck_assert_uint_eq(s.steps[4].sector, 9007199254740991ull);
	ck_assert_uint_eq(s.steps[4].nsectors, 65536);
	ck_assert_int_eq(s.steps[5].op, VS_STEP_BLK_WRITE_ZEROES);
	ck_assert_int_eq(s.steps[6].op, VS_STEP_BLK_GET_ID);
	ck_assert_int_eq(s.steps[6].blk_id_given, 1);
	ck_assert_str_eq(s.steps[6].blk_id, "abc");
	ck_assert_int_eq(s.steps[7].blk_id_given, 0);
	ck_assert_int_eq(s.steps[8].op, VS_STEP_BLK_SECURE_ERASE);
	ck_assert_uint_eq(s.steps[8].sector, 16);
	ck_assert_uint_eq(s.steps[8].nsectors, 24);
	ck_assert_int_eq(s.steps[9].op, VS_STEP_BLK_GET_LIFETIME);
	ck_assert_int_eq(s.steps[9].blk_lifetime[0], 0);
	ck_assert_int_eq(s.steps[9].blk_lifetime[1], -1);
	ck_assert_int_eq(s.steps[9].blk_lifetime[2], 11);
	ck_assert_int_eq(s.steps[10].result, VS_RESULT_ERROR);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(s.steps[10].blk_lifetime[k], -1);
	ck_assert_str_eq(vs_step_op_name(VS_STEP_BLK_WRITE_ZEROES), "blk.write-zeroes");
	ck_assert_str_eq(vs_step_op_name(VS_STEP_BLK_SECURE_ERASE), "blk.secure-erase");
	ck_assert_str_eq(vs_step_op_name(VS_STEP_BLK_GET_LIFETIME), "blk.get-lifetime");
	vs_scenario_free(&s);
}
END_TEST

/* Run text; the result (its failures) is the caller's to free. */
static void run_text(const char *text, struct vs_result *res)
{
	struct vs_run_opts opts = {0};
	struct vs_scenario s;
	struct vs_diag d;

	vs_log_set_level(VS_LOG_OFF);
	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(vs_scenario_parse("run.json", text, strlen(text), &s, &d), 0);
	ck_assert_int_eq(vs_run_scenario(&s, &opts, res), 0);
	vs_scenario_free(&s);
}

#define LT_MACHINE                                                                        \
	"\"machine\": {\"devices\": [{\"type\": \"blk\", \"endurance_sectors\": 200, "        \
	"\"worn_sectors\": 150}]}"

START_TEST(run_secure_erase_and_lifetime)
{
	static const char text[] =
		"{\"name\": \"t\", " LT_MACHINE ", \"steps\": [{\"op\": \"probe\"},"
		"{\"op\": \"blk.get-lifetime\", \"pre_eol_info\": 1, \"life_a\": 2, \"life_b\": 8},"
		"{\"op\": \"blk.write\", \"sector\": 0, \"count\": 32, \"byte\": 9},"
		"{\"op\": \"blk.secure-erase\", \"sector\": 8, \"count\": 8},"
		"{\"op\": \"blk.read\", \"sector\": 0, \"count\": 32},"
		"{\"op\": \"blk.secure-erase\", \"sector\": 9, \"count\": 8, \"result\": \"error\"},"
		"{\"op\": \"blk.get-lifetime\", \"pre_eol_info\": 3, \"life_a\": 3, \"life_b\": 10},"
		"{\"op\": \"expect\", \"violations\": []}]}";
	struct vs_result res;

	/* 150 + 32 + 8 = 190 of 200 sectors: 95% */
	run_text(text, &res);
	for (size_t i = 0; i < res.n_failures && i < VS_RESULT_MAX_FAILURES; i++)
		ck_abort_msg("%s", res.failures[i]);
	ck_assert_int_eq(res.passed, 1);
	vs_result_free(&res);
}
END_TEST

START_TEST(run_lifetime_mismatch_fails)
{
	static const char text[] =
		"{\"name\": \"t\", " LT_MACHINE ", \"steps\": [{\"op\": \"probe\"},"
		"{\"op\": \"blk.get-lifetime\", \"life_b\": 7}]}";
	struct vs_result res;

	run_text(text, &res);
	ck_assert_int_eq(res.passed, 0);
	ck_assert_uint_eq(res.n_failures, 1);
	ck_assert_str_eq(res.failures[0], "steps[1] blk.get-lifetime blk0: life_b 8, expected 7 "
					  "(pre_eol_info 1, life_a 2, life_b 8)");
	vs_result_free(&res);
}
END_TEST

START_TEST(run_refused_secure_erase_keeps_the_shadow)
{
	/* a secure erase the driver refuses (-EOPNOTSUPP) leaves the shadow
	 * as it was: the read finds the pattern */
	static const char text[] =
		"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"blk\", "
		"\"features_remove\": [16]}]}, \"steps\": [{\"op\": \"probe\"},"
		"{\"op\": \"blk.write\", \"sector\": 0, \"count\": 16, \"pattern\": 4},"
		"{\"op\": \"blk.secure-erase\", \"sector\": 0, \"count\": 8, \"result\": \"error\"},"
		"{\"op\": \"blk.get-lifetime\", \"pre_eol_info\": 1, \"life_a\": 1, \"life_b\": 1},"
		"{\"op\": \"blk.read\", \"sector\": 0, \"count\": 16}]}";
	struct vs_result res;

	run_text(text, &res);
	for (size_t i = 0; i < res.n_failures && i < VS_RESULT_MAX_FAILURES; i++)
		ck_abort_msg("%s", res.failures[i]);
	ck_assert_int_eq(res.passed, 1);
	vs_result_free(&res);
}
END_TEST

static Suite *scenario_blk_suite(void)
{
	Suite *s = suite_create("scenario_blk");
	TCase *bad = tcase_create("BadInput"), *good = tcase_create("Values");
	TCase *run = tcase_create("Run");

	tcase_add_loop_test(bad, bad_input_is_refused_with_path, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(good, device_defaults);
	tcase_add_test(good, device_keys);
	tcase_add_test(good, steps_parse);
	tcase_add_test(run, run_secure_erase_and_lifetime);
	tcase_add_test(run, run_lifetime_mismatch_fails);
	tcase_add_test(run, run_refused_secure_erase_keeps_the_shadow);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	suite_add_tcase(s, run);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_blk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
