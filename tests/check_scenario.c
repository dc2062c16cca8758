/*
 * check_scenario.c - scenario parsing: every malformed kind is refused
 * with the exact JSON path and expectation; valid files parse to the exact
 * values and defaults documented in docs/scenarios.md.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/scenario.h"

#define MACHINE "\"machine\": {\"devices\": [{\"type\": \"rng\"}]}"

struct bad_case {
	const char *text;
	const char *where;
	const char *message_part;
};

static const struct bad_case bad_cases[] = {
	{"nope", "", "line 1 column 1: not valid JSON"},
	{"{\"name\": \"t\",\n \"machine\": {", "", "unexpected end of input (truncated file?)"},
	{"", "", "empty file"},
	{"[]", "$", "expected a JSON object at the top, got array"},
	{"{\"name\": 5, " MACHINE ", \"steps\": [{\"op\": \"probe\"}]}", "name",
	 "expected a string, got number"},
	{"{\"name\": \"t\", \"steps\": [{\"op\": \"probe\"}]}", "machine", "missing required key"},
	{"{\"name\": \"t\", " MACHINE ", \"stepz\": []}", "stepz", "unknown key \"stepz\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": 3}]}", "steps[0].op",
	 "expected a string, got number"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"dance\"}]}", "steps[0].op",
	 "unknown op \"dance\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"rng.read\"}]}", "steps[0].bytes",
	 "missing required key"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"rng.read\", \"bytes\": 70000}]}",
	 "steps[0].bytes", "out of range: expected an integer in 1..65536, got 70000"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"rng.read\", \"bytes\": true}]}",
	 "steps[0].bytes", "got boolean"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"rng.read\", \"bytes\": 4, \"wait\": 1}]}",
	 "steps[0].wait", "expected true or false, got number"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"floppy\"}]}, \"steps\": "
	 "[{\"op\": \"probe\"}]}",
	 "machine.devices[0].type", "unknown device type \"floppy\" (expected one of: rng"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"transport\": "
	 "\"usb\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].transport", "unknown transport \"usb\""},
	{"{\"name\": \"t\", \"machine\": {\"devices\": []}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices", "expected an array of 1 to 16 devices"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"name\": \"a\"}, "
	 "{\"type\": \"rng\", \"name\": \"a\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[1]", "device name \"a\" is used twice"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"features_add\": "
	 "[64]}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].features_add[0]", "expected a feature bit number 0..63"},
	{"{\"name\": \"t\", \"machine\": {\"seed\": -1, \"devices\": [{\"type\": \"rng\"}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.seed", "out of range"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"fault\", \"name\": \"x.y\"}]}",
	 "steps[0].name", "unknown fault \"x.y\""},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"fault\", \"name\": \"device.missing-interrupt\", "
	 "\"probability\": 2}]}",
	 "steps[0].probability", "expected a number in (0, 1]"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"fault\", \"name\": \"device.missing-interrupt\", "
	 "\"on\": false, \"count\": 3}]}",
	 "steps[0].on", "a fault switched off takes no count or probability"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"expect\"}]}",
	 "steps[0].violations", "missing required key"},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"expect\", \"violations\": [1]}]}",
	 "steps[0].violations[0]", "expected a rule id string, got number"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"expect\", \"violations\": [\"nope\"]}]}",
	 "steps[0].violations[0]", "unknown rule id \"nope\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"probe\", \"device\": \"zz\"}]}",
	 "steps[0].device", "no device named \"zz\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"probe\", \"result\": \"maybe\"}]}",
	 "steps[0].result", "expected one of \"ok\", \"error\", \"any\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"probe\", \"bytes\": 4}]}",
	 "steps[0].bytes", "unknown key \"bytes\""},
	{"{\"name\": \"t\", \"name\": \"u\", " MACHINE ", \"steps\": [{\"op\": \"probe\"}]}",
	 "name", "duplicate key \"name\""},
	{"{\"name\": \"t\", " MACHINE ", \"steps\": [{\"op\": \"probe\"}]} trailing", "",
	 "not valid JSON"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"msix_vectors\": "
	 "2}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].msix_vectors",
	 "applies to the PCI transports only (this device's transport is \"mmio\")"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"transport\": "
	 "\"pci\", \"msix_vectors\": 2049}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].msix_vectors", "out of range: expected an integer in 0..2048, got 2049"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"transport\": "
	 "\"pci-legacy\", \"msix_vectors\": \"all\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].msix_vectors", "expected an integer in 0..2048, got string"},
	{"{\"name\": \"t\", \"machine\": {\"ring\": \"ring\", \"devices\": [{\"type\": "
	 "\"rng\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.ring", "unknown ring layout \"ring\" (expected one of: split, packed)"},
	{"{\"name\": \"t\", \"machine\": {\"ring\": 2, \"devices\": [{\"type\": \"rng\"}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.ring", "expected a string, got number"},
	{"{\"name\": \"t\", \"machine\": {\"ring\": \"packed\", \"devices\": [{\"type\": "
	 "\"rng\"}, {\"type\": \"rng\", \"transport\": \"mmio-legacy\"}]}, \"steps\": "
	 "[{\"op\": \"probe\"}]}",
	 "machine.devices[1].transport",
	 "transport \"mmio-legacy\" cannot carry machine.ring \"packed\""},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"transport\": "
	 "\"PCI\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].transport",
	 "unknown transport \"PCI\" (expected one of: mmio, mmio-legacy, pci, pci-legacy)"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"config.change\", \"bytes\": [1, 256]}]}",
	 "steps[0].bytes[1]", "expected a byte value 0..255, got a number out of range"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"config.change\", \"offset\": 4096}]}",
	 "steps[0].offset", "out of range: expected an integer in 0..4095, got 4096"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"config.change\", \"bytes\": \"ab\"}]}",
	 "steps[0].bytes", "expected an array of at most 64 byte values 0..255, got string"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"expect\", \"violations\": [], \"interrupt\": \"msi\"}]}",
	 "steps[0].interrupt", "unknown interrupt mode \"msi\" (expected one of: msix-per-vq"},
	{"{\"name\": \"t\", " MACHINE
	 ", \"steps\": [{\"op\": \"expect\", \"violations\": [], \"device\": \"x\"}]}",
	 "steps[0].device", "no device named \"x\""},
};

START_TEST(bad_input_is_refused_with_path)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct vs_scenario s;
	struct vs_diag d;
	int rc;

	rc = vs_scenario_parse("x.json", bc->text, strlen(bc->text), &s, &d);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(d.file, "x.json");
	ck_assert_str_eq(d.where, bc->where);
	if (!strstr(d.message, bc->message_part))
		ck_abort_msg("case %d: message \"%s\" lacks \"%s\"", _i, d.message,
			     bc->message_part);
	ck_assert_ptr_null(s.steps);
}
END_TEST

START_TEST(defaults_are_documented_values)
{
	static const char text[] = "{\"name\": \"ok\", " MACHINE
				   ", \"steps\": [{\"op\": \"probe\"}, {\"op\": \"rng.read\", "
				   "\"bytes\": 8}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("ok.json", text, strlen(text), &s, &d), 0);
	ck_assert_str_eq(s.name, "ok");
	ck_assert_uint_eq(s.seed, 1);
	ck_assert_int_eq(s.seed_given, 0);
	ck_assert_uint_eq(s.memory, 16u << 20);
	ck_assert_uint_eq(s.n_devices, 1);
	ck_assert_str_eq(s.devices[0].name, "rng0");
	ck_assert_int_eq(s.devices[0].transport, VS_TRANSPORT_MMIO);
	ck_assert_int_eq(s.devices[0].msix_vectors, VS_SCN_MSIX_DEFAULT);
	ck_assert_int_eq(s.ring, VS_RING_SPLIT);
	ck_assert_str_eq(vs_ring_name(s.ring), "split");
	ck_assert_uint_eq(s.devices[0].queue_size, 0);
	ck_assert_uint_eq(s.n_steps, 2);
	ck_assert_int_eq(s.steps[0].op, VS_STEP_PROBE);
	ck_assert_int_eq(s.steps[0].device, -1);
	ck_assert_int_eq(s.steps[0].result, VS_RESULT_OK);
	ck_assert_int_eq(s.steps[1].op, VS_STEP_RNG_READ);
	ck_assert_uint_eq(s.steps[1].bytes, 8);
	ck_assert_uint_eq(s.steps[1].count, 1);
	ck_assert_int_eq(s.steps[1].wait, 1);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(every_key_parses_to_its_value)
{
	static const char text[] =
		"{\"name\": \"full\", \"description\": \"d\", \"machine\": {\"seed\": 99, "
		"\"memory_mb\": 32, \"ring\": \"packed\", \"devices\": [{\"type\": \"rng\", "
		"\"transport\": \"pci\", \"msix_vectors\": 0, "
		"\"name\": \"r\", \"queue_size\": 64, \"features_add\": [28], "
		"\"features_remove\": [32]}]}, \"steps\": ["
		"{\"op\": \"probe\", \"device\": \"r\", \"result\": \"error\"},"
		"{\"op\": \"rng.read\", \"bytes\": 3, \"count\": 5, \"wait\": false, "
		"\"result\": \"any\", \"comment\": \"c\"},"
		"{\"op\": \"fault\", \"name\": \"device.used-len-too-long\", \"count\": 2},"
		"{\"op\": \"fault\", \"name\": \"device.missing-interrupt\", \"probability\": 0.25},"
		"{\"op\": \"fault\", \"name\": \"device.missing-interrupt\", \"on\": false},"
		"{\"op\": \"expect\", \"violations\": [\"split.used-len\"]},"
		"{\"op\": \"run\", \"ns\": 1000},"
		"{\"op\": \"reset\"}, {\"op\": \"remove\"}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("f.json", text, strlen(text), &s, &d), 0);
	ck_assert_str_eq(s.description, "d");
	ck_assert_uint_eq(s.seed, 99);
	ck_assert_int_eq(s.seed_given, 1);
	ck_assert_uint_eq(s.memory, 32u << 20);
	ck_assert_str_eq(s.devices[0].name, "r");
	ck_assert_int_eq(s.ring, VS_RING_PACKED);
	ck_assert_int_eq(s.devices[0].transport, VS_TRANSPORT_PCI);
	ck_assert_int_eq(s.devices[0].msix_vectors, 0);
	ck_assert_uint_eq(s.devices[0].queue_size, 64);
	ck_assert_uint_eq(s.devices[0].features_add, 1ull << 28);
	ck_assert_uint_eq(s.devices[0].features_remove, 1ull << 32);
	ck_assert_int_eq(s.steps[0].device, 0);
	ck_assert_int_eq(s.steps[0].result, VS_RESULT_ERROR);
	ck_assert_uint_eq(s.steps[1].count, 5);
	ck_assert_int_eq(s.steps[1].wait, 0);
	ck_assert_int_eq(s.steps[1].result, VS_RESULT_ANY);
	ck_assert_int_eq(s.steps[2].fault, VS_FAULT_DEV_USED_LEN_OVER);
	ck_assert_int_eq(s.steps[2].fault_mode, VS_FAULT_COUNTED);
	ck_assert_uint_eq(s.steps[2].fault_count, 2);
	ck_assert_int_eq(s.steps[3].fault_mode, VS_FAULT_PROBABILITY);
	ck_assert_uint_eq(s.steps[3].prob_num, 250000);
	ck_assert_uint_eq(s.steps[3].prob_den, 1000000);
	ck_assert_int_eq(s.steps[4].fault_mode, VS_FAULT_OFF);
	ck_assert_uint_eq(s.steps[5].n_expect, 1);
	ck_assert_str_eq(s.steps[5].expect[0], "split.used-len");
	ck_assert_uint_eq(s.steps[6].run_ns, 1000);
	ck_assert_int_eq(s.steps[7].op, VS_STEP_RESET);
	ck_assert_int_eq(s.steps[8].op, VS_STEP_REMOVE);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(config_change_parses_bytes_and_defaults)
{
	static const char text[] = "{\"name\": \"c\", " MACHINE
				   ", \"steps\": [{\"op\": \"config.change\"}, {\"op\": "
				   "\"config.change\", \"device\": \"rng0\", \"offset\": 6, "
				   "\"bytes\": [0, 7, 255], \"result\": \"error\"}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("c.json", text, strlen(text), &s, &d), 0);
	ck_assert_int_eq(s.steps[0].op, VS_STEP_CONFIG_CHANGE);
	ck_assert_str_eq(vs_step_op_name(s.steps[0].op), "config.change");
	ck_assert_int_eq(s.steps[0].device, -1);
	ck_assert_uint_eq(s.steps[0].cfg_offset, 0);
	ck_assert_uint_eq(s.steps[0].cfg_len, 0);
	ck_assert_int_eq(s.steps[1].device, 0);
	ck_assert_uint_eq(s.steps[1].cfg_offset, 6);
	ck_assert_uint_eq(s.steps[1].cfg_len, 3);
	ck_assert_uint_eq(s.steps[1].cfg_bytes[0], 0);
	ck_assert_uint_eq(s.steps[1].cfg_bytes[1], 7);
	ck_assert_uint_eq(s.steps[1].cfg_bytes[2], 255);
	ck_assert_int_eq(s.steps[1].result, VS_RESULT_ERROR);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(expect_interrupt_parses)
{
	static const char text[] = "{\"name\": \"e\", " MACHINE
				   ", \"steps\": [{\"op\": \"expect\", \"violations\": []}, "
				   "{\"op\": \"expect\", \"violations\": [], \"device\": \"rng0\", "
				   "\"interrupt\": \"msix-shared\"}]}";
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("e.json", text, strlen(text), &s, &d), 0);
	ck_assert_str_eq(s.steps[0].interrupt, "");
	ck_assert_int_eq(s.steps[0].device, -1);
	ck_assert_str_eq(s.steps[1].interrupt, "msix-shared");
	ck_assert_int_eq(s.steps[1].device, 0);
	vs_scenario_free(&s);
}
END_TEST

/* Every transport name parses to its kind and prints back the same. */
START_TEST(transport_names_round_trip)
{
	static const struct {
		const char *name;
		enum vs_transport_kind kind;
		int pci, legacy;
	} t[] = {
		{"mmio", VS_TRANSPORT_MMIO, 0, 0},
		{"mmio-legacy", VS_TRANSPORT_MMIO_LEGACY, 0, 1},
		{"pci", VS_TRANSPORT_PCI, 1, 0},
		{"pci-legacy", VS_TRANSPORT_PCI_LEGACY, 1, 1},
	};
	char text[256];
	struct vs_scenario s;
	struct vs_diag d;

	snprintf(text, sizeof(text),
		 "{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", "
		 "\"transport\": \"%s\"}]}, \"steps\": [{\"op\": \"probe\"}]}",
		 t[_i].name);
	ck_assert_int_eq(vs_scenario_parse("t.json", text, strlen(text), &s, &d), 0);
	ck_assert_int_eq(s.devices[0].transport, t[_i].kind);
	ck_assert_str_eq(vs_transport_name(s.devices[0].transport), t[_i].name);
	ck_assert_int_eq(vs_transport_is_pci(s.devices[0].transport), t[_i].pci);
	ck_assert_int_eq(vs_transport_is_legacy(s.devices[0].transport), t[_i].legacy);
	ck_assert_int_eq(s.devices[0].msix_vectors, VS_SCN_MSIX_DEFAULT);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(load_names_unreadable_file)
{
	struct vs_scenario s;
	struct vs_diag d;
	char msg[600];

	ck_assert_int_eq(vs_scenario_load("/nonexistent/x.json", &s, &d), -EIO);
	vs_diag_format(&d, msg, sizeof(msg));
	ck_assert_str_eq(msg, "/nonexistent/x.json: cannot open: No such file or directory");
}
END_TEST

START_TEST(truncations_never_crash)
{
	static const char text[] = "{\"name\": \"t\", " MACHINE
				   ", \"steps\": [{\"op\": \"rng.read\", \"bytes\": 8}]}";
	size_t cut;

	/* Every prefix is either refused cleanly or (the full text) accepted. */
	for (cut = 0; cut < sizeof(text) - 1; cut++) {
		struct vs_scenario s;
		struct vs_diag d;

		ck_assert_int_eq(vs_scenario_parse("t.json", text, cut, &s, &d), -EINVAL);
		ck_assert(d.message[0] != 0);
	}
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *bad = tcase_create("BadInput"), *good = tcase_create("Values");

	tcase_add_loop_test(bad, bad_input_is_refused_with_path, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(bad, load_names_unreadable_file);
	tcase_add_test(bad, truncations_never_crash);
	tcase_add_test(good, defaults_are_documented_values);
	tcase_add_test(good, every_key_parses_to_its_value);
	tcase_add_loop_test(good, transport_names_round_trip, 0, 4);
	tcase_add_test(good, config_change_parses_bytes_and_defaults);
	tcase_add_test(good, expect_interrupt_parses);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
