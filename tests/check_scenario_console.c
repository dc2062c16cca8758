/*
 * check_scenario_console.c - the console parts of scenario files
 * (harness/scenario_console.c, docs/scenarios.md "Console steps"): every
 * key parses to its value, defaults are the documented ones, and bad
 * values are refused with the JSON path and the expectation.  A machine
 * built from a file with "backends" listens where the file says, and one
 * that cannot listen is refused with the backend's path.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "devices/console.h"
#include "harness/machine.h"
#include "harness/scenario.h"

#define CON "\"machine\": {\"devices\": [{\"type\": \"console\", \"ports\": 4}]}"

static struct vs_scenario s;
static struct vs_diag d;

static int parse(const char *text)
{
	return vs_scenario_parse("c.json", text, strlen(text), &s, &d);
}

START_TEST(device_keys_and_defaults)
{
	ck_assert_int_eq(parse("{\"name\": \"t\", \"machine\": {\"devices\": ["
			       "{\"type\": \"console\"},"
			       "{\"type\": \"console\", \"ports\": 32, \"cols\": 132, \"rows\": 43}]},"
			       "\"steps\": [{\"op\": \"probe\"}]}"),
			 0);
	ck_assert_uint_eq(s.devices[0].ports, 1);
	ck_assert_uint_eq(s.devices[0].cols, 0);
	ck_assert_uint_eq(s.devices[0].rows, 0);
	ck_assert_uint_eq(s.devices[1].ports, 32);
	ck_assert_uint_eq(s.devices[1].cols, 132);
	ck_assert_uint_eq(s.devices[1].rows, 43);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(backends_parse_to_values)
{
	const struct vs_scn_con_backend *b;
	char want[VS_SCN_CON_PATH_MAX];

	ck_assert_int_eq(parse("{\"name\": \"t\", \"machine\": {\"devices\": ["
			       "{\"type\": \"console\", \"ports\": 4, \"backends\": ["
			       "{\"port\": 0, \"tcp\": 0},"
			       "{\"port\": 3, \"pipe\": \"build/con-{pid}.sock\"},"
			       "{\"pipe\": \"/tmp/plain.sock\", \"port\": 1}]},"
			       "{\"type\": \"console\", \"backends\": [{\"port\": 0, "
			       "\"tcp\": 65535}]},"
			       "{\"type\": \"console\", \"backends\": []}]},"
			       "\"steps\": [{\"op\": \"probe\"}]}"),
			 0);
	b = s.devices[0].con_backend;
	ck_assert_int_eq(b[0].kind, VS_SCN_CON_TCP);
	ck_assert_uint_eq(b[0].tcp_port, 0);
	ck_assert_int_eq(b[0].index, 0);
	ck_assert_int_eq(b[1].kind, VS_SCN_CON_PIPE);
	ck_assert_str_eq(b[1].pipe, "/tmp/plain.sock");
	ck_assert_int_eq(b[1].index, 2);
	ck_assert_int_eq(b[2].kind, VS_SCN_CON_BUFFER);
	snprintf(want, sizeof(want), "build/con-%ld.sock", (long)getpid());
	ck_assert_int_eq(b[3].kind, VS_SCN_CON_PIPE);
	ck_assert_str_eq(b[3].pipe, want);
	ck_assert_int_eq(b[3].index, 1);
	for (unsigned i = 4; i < VS_SCN_CON_PORTS; i++)
		ck_assert_int_eq(b[i].kind, VS_SCN_CON_BUFFER);
	b = s.devices[1].con_backend;
	ck_assert_int_eq(b[0].kind, VS_SCN_CON_TCP);
	ck_assert_uint_eq(b[0].tcp_port, 65535);
	for (unsigned i = 0; i < VS_SCN_CON_PORTS; i++)
		ck_assert_int_eq(s.devices[2].con_backend[i].kind, VS_SCN_CON_BUFFER);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(steps_parse_to_values)
{
	const struct vs_scn_step *st;

	ck_assert_int_eq(
		parse("{\"name\": \"t\", " CON ", \"steps\": ["
		      "{\"op\": \"console.write\", \"port\": 2, \"text\": \"ab\", \"count\": 3,"
		      " \"expect\": \"ababab\"},"
		      "{\"op\": \"console.write\", \"bytes\": [0, 255], \"check\": false},"
		      "{\"op\": \"console.input\", \"text\": \"x\\n\", \"count\": 5},"
		      "{\"op\": \"console.read\", \"port\": 1, \"bytes\": [104, 105]},"
		      "{\"op\": \"console.hot-add\", \"port\": 3, \"name\": \"n3\", \"console\": true},"
		      "{\"op\": \"console.remove-port\", \"port\": 3, \"result\": \"error\"},"
		      "{\"op\": \"console.resize\", \"cols\": 100, \"rows\": 0},"
		      "{\"op\": \"console.open\", \"port\": 31},"
		      "{\"op\": \"console.close\"},"
		      "{\"op\": \"console.emerg-write\", \"text\": \"!\"}]}"),
		0);
	ck_assert_uint_eq(s.n_steps, 10);
	st = &s.steps[0];
	ck_assert_int_eq(st->op, VS_STEP_CONSOLE_WRITE);
	ck_assert_uint_eq(st->port, 2);
	ck_assert_uint_eq(st->data_len, 2);
	ck_assert_int_eq(memcmp(st->data, "ab", 2), 0);
	ck_assert_uint_eq(st->count, 3);
	ck_assert_int_eq(st->expect_given, 1);
	ck_assert_uint_eq(st->expect_len, 6);
	ck_assert_int_eq(st->check, 1);
	st = &s.steps[1];
	ck_assert_uint_eq(st->port, 0);
	ck_assert_uint_eq(st->count, 1);
	ck_assert_uint_eq(st->data_len, 2);
	ck_assert_uint_eq(st->data[1], 255);
	ck_assert_int_eq(st->expect_given, 0);
	ck_assert_int_eq(st->check, 0);
	st = &s.steps[2];
	ck_assert_int_eq(st->op, VS_STEP_CONSOLE_INPUT);
	ck_assert_uint_eq(st->count, 5);
	ck_assert_int_eq(memcmp(st->data, "x\n", 2), 0);
	st = &s.steps[3];
	ck_assert_int_eq(st->op, VS_STEP_CONSOLE_READ);
	ck_assert_uint_eq(st->port, 1);
	ck_assert_int_eq(memcmp(st->data, "hi", 2), 0);
	st = &s.steps[4];
	ck_assert_int_eq(st->op, VS_STEP_CONSOLE_HOT_ADD);
	ck_assert_str_eq(st->port_name, "n3");
	ck_assert_int_eq(st->console_port, 1);
	ck_assert_int_eq(s.steps[5].op, VS_STEP_CONSOLE_REMOVE_PORT);
	ck_assert_int_eq(s.steps[5].result, VS_RESULT_ERROR);
	st = &s.steps[6];
	ck_assert_uint_eq(st->cols, 100);
	ck_assert_uint_eq(st->rows, 0);
	ck_assert_uint_eq(s.steps[7].port, 31);
	ck_assert_int_eq(s.steps[8].op, VS_STEP_CONSOLE_CLOSE);
	ck_assert_int_eq(s.steps[9].op, VS_STEP_CONSOLE_EMERG_WRITE);
	ck_assert_str_eq(vs_step_op_name(VS_STEP_CONSOLE_REMOVE_PORT), "console.remove-port");
	vs_scenario_free(&s);
	ck_assert_ptr_null(s.steps);
}
END_TEST

struct bad_case {
	const char *text;
	const char *where;
	const char *message_part;
};

/* A console with 4 ports and the given "backends" value. */
#define BACKENDS(list)                                                                    \
	"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", \"ports\": 4, " \
	"\"backends\": " list "}]}, \"steps\": [{\"op\": \"probe\"}]}"
/* 106 characters: with {pid} of 7 digits, 108 */
#define LONG_PID_PATH "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa{pid}"
/* 108 characters */
#define LONG_PATH "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct bad_case bad_cases[] = {
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"backends\": []}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].backends", "applies to a console device only (this one is \"rng\")"},
	{BACKENDS("{\"port\": 0, \"tcp\": 0}"), "machine.devices[0].backends",
	 "expected an array of backend objects, got object"},
	{BACKENDS("[{\"port\": 0, \"tcp\": 0}, 5]"), "machine.devices[0].backends[1]",
	 "expected a backend object {\"port\": n, \"tcp\": port} or {\"port\": n, \"pipe\": path}, "
	 "got number"},
	{BACKENDS("[{\"port\": 0, \"tcp\": 0, \"udp\": 1}]"), "machine.devices[0].backends[0].udp",
	 "unknown key \"udp\""},
	{BACKENDS("[{\"tcp\": 0}]"), "machine.devices[0].backends[0].port",
	 "missing required key (expected an integer in 0..31)"},
	{BACKENDS("[{\"port\": 4, \"tcp\": 0}]"), "machine.devices[0].backends[0].port",
	 "port 4 does not exist: the device has 4 ports (\"ports\")"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", \"backends\": "
	 "[{\"port\": 1, \"pipe\": \"x.sock\"}]}]}, \"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].backends[0].port",
	 "port 1 does not exist: the device has 1 port (\"ports\")"},
	{BACKENDS("[{\"port\": 32, \"tcp\": 0}]"), "machine.devices[0].backends[0].port",
	 "out of range: expected an integer in 0..31, got 32"},
	{BACKENDS("[{\"port\": \"0\", \"tcp\": 0}]"), "machine.devices[0].backends[0].port",
	 "expected an integer in 0..31, got string"},
	{BACKENDS("[{\"port\": 2, \"tcp\": 0, \"pipe\": \"x.sock\"}]"),
	 "machine.devices[0].backends[0].pipe", "give either \"tcp\" or \"pipe\", not both"},
	{BACKENDS("[{\"port\": 2}]"), "machine.devices[0].backends[0].tcp",
	 "missing required key (expected \"tcp\": a port 0..65535, or \"pipe\": a socket path)"},
	{BACKENDS("[{\"port\": 1, \"tcp\": 0}, {\"port\": 2, \"tcp\": 0}, "
		  "{\"port\": 1, \"pipe\": \"x.sock\"}]"),
	 "machine.devices[0].backends[2].port", "port 1 already has a backend (backends[0])"},
	{BACKENDS("[{\"port\": 0, \"tcp\": 65536}]"), "machine.devices[0].backends[0].tcp",
	 "out of range: expected an integer in 0..65535, got 65536"},
	{BACKENDS("[{\"port\": 0, \"tcp\": -1}]"), "machine.devices[0].backends[0].tcp",
	 "out of range: expected an integer in 0..65535, got -1"},
	{BACKENDS("[{\"port\": 0, \"tcp\": 80.5}]"), "machine.devices[0].backends[0].tcp",
	 "expected an integer in 0..65535, got 80.5"},
	{BACKENDS("[{\"port\": 0, \"tcp\": \"80\"}]"), "machine.devices[0].backends[0].tcp",
	 "expected an integer in 0..65535, got string"},
	{BACKENDS("[{\"port\": 0, \"pipe\": \"\"}]"), "machine.devices[0].backends[0].pipe",
	 "expected a string of 1 to 107 characters, got 0"},
	{BACKENDS("[{\"port\": 0, \"pipe\": 5}]"), "machine.devices[0].backends[0].pipe",
	 "expected a string, got number"},
	{BACKENDS("[{\"port\": 0, \"pipe\": \"" LONG_PATH "\"}]"),
	 "machine.devices[0].backends[0].pipe",
	 "expected a string of 1 to 107 characters, got 108"},
	{BACKENDS("[{\"port\": 0, \"pipe\": \"" LONG_PID_PATH "\"}]"),
	 "machine.devices[0].backends[0].pipe",
	 "with {pid} replaced (up to 7 digits) the path may have 108 characters, at most 107"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\", \"ports\": 2}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].ports", "applies to a console device only"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", \"ports\": 33}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].ports", "out of range: expected an integer in 1..32, got 33"},
	{"{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", \"cols\": 0}]}, "
	 "\"steps\": [{\"op\": \"probe\"}]}",
	 "machine.devices[0].cols", "expected an integer in 1..65535"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.write\"}]}", "steps[0].text",
	 "missing required key"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.write\", \"text\": \"a\", "
	 "\"bytes\": [1]}]}",
	 "steps[0].bytes", "give either \"text\" or \"bytes\", not both"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.write\", \"text\": \"\"}]}",
	 "steps[0].text", "expected a string of 1 to 65536 bytes, got 0"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.input\", \"bytes\": [1, 256]}]}",
	 "steps[0].bytes[1]", "expected a byte value 0..255"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.read\", \"bytes\": []}]}",
	 "steps[0].bytes", "expected an array of 1 to 65536 byte values"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.open\", \"port\": 32}]}",
	 "steps[0].port", "out of range: expected an integer in 0..31"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.open\", \"text\": \"a\"}]}",
	 "steps[0].text", "unknown key \"text\""},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.resize\", \"cols\": 3}]}",
	 "steps[0].rows", "missing required key"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.hot-add\", \"console\": 1}]}",
	 "steps[0].console", "expected true or false, got number"},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.emerg-write\", \"port\": 1, "
	 "\"text\": \"a\"}]}",
	 "steps[0].port", "unknown key \"port\""},
	{"{\"name\": \"t\", " CON ", \"steps\": [{\"op\": \"console.write\", \"text\": \"a\", "
	 "\"expect\": 5}]}",
	 "steps[0].expect", "expected a string, got number"},
};

START_TEST(bad_input_is_refused_with_path)
{
	const struct bad_case *bc = &bad_cases[_i];
	int rc = parse(bc->text);

	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(s.steps);
	ck_assert_str_eq(d.file, "c.json");
	ck_assert_msg(strcmp(d.where, bc->where) == 0, "where: got \"%s\", expected \"%s\"",
		      d.where, bc->where);
	ck_assert_msg(strstr(d.message, bc->message_part) != NULL,
		      "message \"%s\" lacks \"%s\"", d.message, bc->message_part);
}
END_TEST

START_TEST(bad_step_after_data_frees_it)
{
	/* the first step's data is allocated when the second fails: no leak */
	ck_assert_int_eq(parse("{\"name\": \"t\", " CON ", \"steps\": ["
			       "{\"op\": \"console.write\", \"text\": \"abc\"},"
			       "{\"op\": \"console.write\", \"text\": \"x\", \"bytes\": [1]}]}"),
			 -EINVAL);
	ck_assert_str_eq(d.where, "steps[1].bytes");
	ck_assert_ptr_null(s.steps);
}
END_TEST

/* ---- the machine listens where the file says ---- */

static char sock_path[64];

static void machine_setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	snprintf(sock_path, sizeof(sock_path), "/tmp/vs-check-scn-con-%ld.sock", (long)getpid());
	unlink(sock_path);
}

static void machine_teardown(void)
{
	unlink(sock_path);
}

START_TEST(machine_listens_on_backends)
{
	char text[512];
	struct vs_machine *m;
	struct vs_console_port_state st;
	struct stat sb;

	snprintf(text, sizeof(text),
		 "{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"console\", "
		 "\"ports\": 3, \"backends\": [{\"port\": 2, \"pipe\": \"%s\"}, "
		 "{\"port\": 0, \"tcp\": 0}]}]}, \"steps\": [{\"op\": \"probe\"}]}",
		 sock_path);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_int_eq(vs_machine_create(&s, 1, &m, &d), 0);
	ck_assert_int_eq(vs_console_port_state(m->devs[0].vdev, 0, &st), 0);
	ck_assert_int_eq(st.listening, 1);
	ck_assert_int_eq(vs_console_port_state(m->devs[0].vdev, 1, &st), 0);
	ck_assert_int_eq(st.listening, 0);
	ck_assert_int_eq(vs_console_port_state(m->devs[0].vdev, 2, &st), 0);
	ck_assert_int_eq(st.listening, 1);
	ck_assert_int_eq(stat(sock_path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	vs_machine_destroy(m);
	/* the socket file goes with the machine */
	ck_assert_int_eq(stat(sock_path, &sb), -1);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(machine_refuses_what_cannot_listen)
{
	char text[512];
	struct vs_machine *m = (struct vs_machine *)&m;
	struct stat sb;
	FILE *f = fopen(sock_path, "w");

	/* a file is in the way: the machine is not built, the file stays */
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(text, sizeof(text),
		 "{\"name\": \"t\", \"machine\": {\"devices\": [{\"type\": \"rng\"}, "
		 "{\"type\": \"console\", \"name\": \"con\", \"ports\": 2, \"backends\": ["
		 "{\"port\": 0, \"tcp\": 0}, {\"port\": 1, \"pipe\": \"%s\"}]}]}, "
		 "\"steps\": [{\"op\": \"probe\"}]}",
		 sock_path);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_int_eq(vs_machine_create(&s, 1, &m, &d), -EADDRINUSE);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(d.where, "machine.devices[1].backends[1].pipe");
	ck_assert_msg(strstr(d.message, "\"con\" port 1 cannot listen on \"") != NULL,
		      "message: %s", d.message);
	ck_assert_int_eq(stat(sock_path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	vs_scenario_free(&s);
}
END_TEST

static Suite *scenario_console_suite(void)
{
	Suite *su = suite_create("scenario_console");
	TCase *tc;

	tc = tcase_create("Parse");
	tcase_add_test(tc, device_keys_and_defaults);
	tcase_add_test(tc, backends_parse_to_values);
	tcase_add_test(tc, steps_parse_to_values);
	tcase_add_test(tc, bad_step_after_data_frees_it);
	tcase_add_loop_test(tc, bad_input_is_refused_with_path, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(su, tc);

	tc = tcase_create("Machine");
	tcase_add_checked_fixture(tc, machine_setup, machine_teardown);
	tcase_add_test(tc, machine_listens_on_backends);
	tcase_add_test(tc, machine_refuses_what_cannot_listen);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_console_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
