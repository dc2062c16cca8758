/*
 * check_scenario_net.c - the network device parts of scenario files
 * (harness/scenario_net.c): a net device's keys, pairing, and the net.*
 * steps parse to the documented values and defaults (docs/scenarios.md),
 * and every malformed one is refused with its exact JSON path and
 * expectation.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/scenario.h"

#define NET "\"machine\": {\"devices\": [{\"type\": \"net\"}]}"
#define DEVS(x) "{\"name\": \"t\", \"machine\": {\"devices\": [" x "]}, " \
	"\"steps\": [{\"op\": \"probe\"}]}"
#define STEP(x) "{\"name\": \"t\", " NET ", \"steps\": [" x "]}"

struct bad_case {
	const char *text;
	const char *where;
	const char *message_part;
};

static const struct bad_case bad_cases[] = {
	{DEVS("{\"type\": \"blk\", \"mac\": \"52:54:00:00:00:01\"}"), "machine.devices[0].mac",
	 "applies to a net device only (this one is \"blk\")"},
	{DEVS("{\"type\": \"net\", \"mac\": \"52:54:00:00:00\"}"), "machine.devices[0].mac",
	 "expected a MAC address like \"52:54:00:12:34:56\", got \"52:54:00:00:00\""},
	{DEVS("{\"type\": \"net\", \"mac\": \"52-54-00-00-00-01\"}"), "machine.devices[0].mac",
	 "expected a MAC address"},
	{DEVS("{\"type\": \"net\", \"mac\": \"01:00:5e:00:00:01\"}"), "machine.devices[0].mac",
	 "must be unicast"},
	{DEVS("{\"type\": \"net\", \"mtu\": 67}"), "machine.devices[0].mtu",
	 "expected an integer in 68..65535, got 67"},
	{DEVS("{\"type\": \"net\", \"queue_pairs\": 17}"), "machine.devices[0].queue_pairs",
	 "expected an integer in 1..16, got 17"},
	{DEVS("{\"type\": \"net\", \"link\": \"sideways\"}"), "machine.devices[0].link",
	 "expected \"up\" or \"down\", got \"sideways\""},
	{DEVS("{\"type\": \"net\", \"peer\": \"nobody\"}"), "machine.devices[0].peer",
	 "\"nobody\" is not another net device of this machine"},
	{DEVS("{\"type\": \"net\", \"name\": \"a\", \"peer\": \"a\"}"), "machine.devices[0].peer",
	 "\"a\" is not another net device"},
	{DEVS("{\"type\": \"net\", \"name\": \"a\", \"peer\": \"r\"}, {\"type\": \"rng\", "
	      "\"name\": \"r\"}"),
	 "machine.devices[0].peer", "\"r\" is not another net device"},
	{DEVS("{\"type\": \"net\", \"name\": \"a\", \"peer\": \"b\"}, {\"type\": \"net\", "
	      "\"name\": \"b\"}, {\"type\": \"net\", \"name\": \"c\", \"peer\": \"b\"}"),
	 "machine.devices[2].peer", "already paired with another device"},
	{STEP("{\"op\": \"net.send\", \"size\": 64, \"size_min\": 60, \"size_max\": 80}"),
	 "steps[0].size", "give either size or size_min and size_max, not both"},
	{STEP("{\"op\": \"net.send\", \"size_min\": 60}"), "steps[0].size_max",
	 "size_min and size_max go together"},
	{STEP("{\"op\": \"net.send\", \"size_min\": 90, \"size_max\": 80}"), "steps[0].size_min",
	 "size_min 90 is above size_max 80"},
	{STEP("{\"op\": \"net.send\", \"kind\": \"tso4\", \"size\": 61}"), "steps[0].size",
	 "a tso4 frame needs at least 62 bytes"},
	{STEP("{\"op\": \"net.send\", \"vlan\": 5, \"size\": 25}"), "steps[0].size",
	 "a raw frame with a VLAN tag needs at least 26 bytes"},
	{STEP("{\"op\": \"net.send\", \"size\": 65551}"), "steps[0].size",
	 "expected an integer in 1..65550, got 65551"},
	{STEP("{\"op\": \"net.send\", \"gso_size\": 100}"), "steps[0].gso_size",
	 "applies to kind \"tso4\" only"},
	{STEP("{\"op\": \"net.send\", \"kind\": \"udp\"}"), "steps[0].kind",
	 "unknown frame kind \"udp\" (expected one of: raw, csum, tso4)"},
	{STEP("{\"op\": \"net.send\", \"to\": \"elsewhere\"}"), "steps[0].to",
	 "expected \"receiver\", \"broadcast\", \"multicast\" or a MAC address"},
	{STEP("{\"op\": \"net.send\", \"count\": 0}"), "steps[0].count",
	 "expected an integer in 1..100000, got 0"},
	{STEP("{\"op\": \"net.send\", \"vlan\": 4096}"), "steps[0].vlan",
	 "expected an integer in 0..4095, got 4096"},
	{STEP("{\"op\": \"net.expect\"}"), "steps[0].received",
	 "missing required key"},
	{STEP("{\"op\": \"net.rx-mode\", \"promisc\": 1}"), "steps[0].promisc",
	 "expected true or false, got number"},
	{STEP("{\"op\": \"net.mac-table\", \"unicast\": [\"x\"]}"), "steps[0].unicast[0]",
	 "expected a MAC address"},
	{STEP("{\"op\": \"net.set-mac\", \"mac\": \"ff:ff:ff:ff:ff:ff\"}"), "steps[0].mac",
	 "must be unicast"},
	{STEP("{\"op\": \"net.vlan\"}"), "steps[0].vid", "missing required key"},
	{STEP("{\"op\": \"net.link\"}"), "steps[0].up", "missing required key"},
	{STEP("{\"op\": \"net.queue-pairs\", \"pairs\": 0}"), "steps[0].pairs",
	 "expected an integer in 1..32768, got 0"},
	{STEP("{\"op\": \"net.announce\", \"up\": true}"), "steps[0].up", "unknown key \"up\""},
};

START_TEST(bad_input_is_refused_with_path)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("x.json", bc->text, strlen(bc->text), &s, &d), -EINVAL);
	if (strcmp(d.where, bc->where) != 0 || !strstr(d.message, bc->message_part))
		ck_abort_msg("case %d: %s: \"%s\", expected %s: \"%s\"", _i, d.where, d.message,
			     bc->where, bc->message_part);
	ck_assert_ptr_null(s.steps);
}
END_TEST

START_TEST(device_defaults_and_keys)
{
	static const char text[] = DEVS(
		"{\"type\": \"net\"}, {\"type\": \"net\", \"name\": \"x\", \"mac\": "
		"\"02:aa:bb:cc:dd:0e\", \"mtu\": 9000, \"queue_pairs\": 4, \"link\": \"down\", "
		"\"peer\": \"y\"}, {\"type\": \"net\", \"name\": \"y\"}, {\"type\": \"rng\"}");
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &s, &d), 0);
	ck_assert_uint_eq(s.devices[0].mtu, 0);
	ck_assert_uint_eq(s.devices[0].queue_pairs, 0);
	ck_assert_int_eq(s.devices[0].link_down, 0);
	ck_assert_int_eq(s.devices[0].peer, -1);
	ck_assert_int_eq(s.devices[0].mac[0] | s.devices[0].mac[5], 0);
	ck_assert_uint_eq(s.devices[1].mac[0], 0x02);
	ck_assert_uint_eq(s.devices[1].mac[5], 0x0e);
	ck_assert_uint_eq(s.devices[1].mtu, 9000);
	ck_assert_uint_eq(s.devices[1].queue_pairs, 4);
	ck_assert_int_eq(s.devices[1].link_down, 1);
	ck_assert_int_eq(s.devices[1].peer, 2);
	ck_assert_int_eq(s.devices[2].peer, 1);
	ck_assert_int_eq(s.devices[3].peer, -1);
	vs_scenario_free(&s);
}
END_TEST

START_TEST(steps_parse)
{
	static const char text[] = STEP(
		"{\"op\": \"net.send\"},"
		"{\"op\": \"net.send\", \"count\": 9, \"size_min\": 100, \"size_max\": 200, "
		"\"queue\": 3, \"to\": \"02:00:00:00:00:07\", \"vlan\": 12},"
		"{\"op\": \"net.send\", \"kind\": \"tso4\", \"gso_size\": 500, \"to\": \"broadcast\"},"
		"{\"op\": \"net.expect\", \"received\": 7, \"check\": false},"
		"{\"op\": \"net.rx-mode\", \"allmulti\": true},"
		"{\"op\": \"net.mac-table\", \"unicast\": [\"02:00:00:00:00:01\"], "
		"\"multicast\": [\"01:00:5e:00:00:01\", \"33:33:00:00:00:01\"]},"
		"{\"op\": \"net.vlan\", \"vid\": 4095, \"remove\": true},"
		"{\"op\": \"net.link\", \"up\": false},"
		"{\"op\": \"net.queue-pairs\", \"pairs\": 2, \"result\": \"error\"}");
	struct vs_scenario s;
	struct vs_diag d;

	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &s, &d), 0);
	ck_assert_uint_eq(s.n_steps, 9);
	ck_assert_int_eq(s.steps[0].op, VS_STEP_NET_SEND);
	ck_assert_uint_eq(s.steps[0].count, 1);
	ck_assert_uint_eq(s.steps[0].net_size_min, 64);
	ck_assert_uint_eq(s.steps[0].net_size_max, 64);
	ck_assert_int_eq(s.steps[0].net_kind, VS_NET_FRAME_RAW);
	ck_assert_int_eq(s.steps[0].net_dst, VS_NET_DST_RECEIVER);
	ck_assert_int_eq(s.steps[0].net_vlan, -1);
	ck_assert_uint_eq(s.steps[0].port, 0);
	ck_assert_uint_eq(s.steps[1].count, 9);
	ck_assert_uint_eq(s.steps[1].net_size_min, 100);
	ck_assert_uint_eq(s.steps[1].net_size_max, 200);
	ck_assert_uint_eq(s.steps[1].port, 3);
	ck_assert_int_eq(s.steps[1].net_dst, VS_NET_DST_MAC);
	ck_assert_uint_eq(s.steps[1].net_mac[5], 7);
	ck_assert_int_eq(s.steps[1].net_vlan, 12);
	ck_assert_int_eq(s.steps[2].net_kind, VS_NET_FRAME_TSO4);
	ck_assert_uint_eq(s.steps[2].net_gso_size, 500);
	ck_assert_uint_eq(s.steps[2].net_size_min, 64);
	ck_assert_int_eq(s.steps[2].net_dst, VS_NET_DST_BROADCAST);
	ck_assert_int_eq(s.steps[3].op, VS_STEP_NET_EXPECT);
	ck_assert_uint_eq(s.steps[3].count, 7);
	ck_assert_int_eq(s.steps[3].check, 0);
	ck_assert_int_eq(s.steps[4].promisc, 0);
	ck_assert_int_eq(s.steps[4].allmulti, 1);
	ck_assert_uint_eq(s.steps[5].n_uc, 1);
	ck_assert_uint_eq(s.steps[5].n_mc, 2);
	ck_assert_uint_eq(s.steps[5].mc[1][0], 0x33);
	ck_assert_int_eq(s.steps[6].net_vlan, 4095);
	ck_assert_int_eq(s.steps[6].net_add, 0);
	ck_assert_int_eq(s.steps[7].link_up, 0);
	ck_assert_uint_eq(s.steps[8].count, 2);
	ck_assert_int_eq(s.steps[8].result, VS_RESULT_ERROR);
	ck_assert_str_eq(vs_step_op_name(VS_STEP_NET_QUEUE_PAIRS), "net.queue-pairs");
	vs_scenario_free(&s);
}
END_TEST

static Suite *scenario_net_suite(void)
{
	Suite *s = suite_create("scenario_net");
	TCase *bad = tcase_create("BadInput"), *good = tcase_create("Values");

	tcase_add_loop_test(bad, bad_input_is_refused_with_path, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(good, device_defaults_and_keys);
	tcase_add_test(good, steps_parse);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
