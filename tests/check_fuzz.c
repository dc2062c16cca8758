/*
 * check_fuzz.c - the structured fuzzer (harness/fuzz*.c): the generator is
 * deterministic and honours its options, the judge tells findings from the
 * faulted side's expected misbehaviour, the minimizer shrinks a synthetic
 * failure to its minimal step list, and a case written as a file parses
 * back to the same case and replays to the same outcome.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/virtio_abi.h"
#include "harness/faults.h"
#include "harness/fuzz.h"

/* Same machine and steps (names, files and descriptions aside). */
static int same_case(const struct vs_scenario *a, const struct vs_scenario *b)
{
	return a->seed == b->seed && a->memory == b->memory && a->ring == b->ring &&
	       a->n_devices == b->n_devices &&
	       memcmp(a->devices, b->devices, a->n_devices * sizeof(a->devices[0])) == 0 &&
	       a->n_steps == b->n_steps &&
	       memcmp(a->steps, b->steps, a->n_steps * sizeof(a->steps[0])) == 0;
}

static void gen(const struct vs_fuzz_opts *o, uint64_t idx, struct vs_scenario *s)
{
	ck_assert_int_eq(vs_fuzz_gen_case(o, idx, s), 0);
	ck_assert_uint_ge(s->n_steps, 1);
}

/* ---- Generator ---- */

START_TEST(gen_same_seed_same_cases)
{
	struct vs_fuzz_opts o;
	uint64_t i;

	vs_fuzz_opts_init(&o);
	o.seed = 7;
	for (i = 0; i < 200; i++) {
		struct vs_scenario a, b;

		gen(&o, i, &a);
		gen(&o, i, &b);
		ck_assert_msg(same_case(&a, &b), "case %llu differs between two runs",
			      (unsigned long long)i);
		ck_assert_str_eq(a.name, b.name);
		vs_scenario_free(&a);
		vs_scenario_free(&b);
	}
}
END_TEST

START_TEST(gen_seeds_and_cases_differ)
{
	struct vs_fuzz_opts o;
	struct vs_scenario a, b, c;

	vs_fuzz_opts_init(&o);
	o.seed = 7;
	gen(&o, 3, &a);
	gen(&o, 4, &b);
	o.seed = 8;
	gen(&o, 3, &c);
	ck_assert(!same_case(&a, &b));
	ck_assert(!same_case(&a, &c));
	ck_assert_str_eq(a.name, "fuzz-7-3");
	vs_scenario_free(&a);
	vs_scenario_free(&b);
	vs_scenario_free(&c);
}
END_TEST

START_TEST(gen_honours_options)
{
	const struct vs_fault_info *cat;
	struct vs_fuzz_opts o;
	size_t n, i, d;
	uint64_t k;
	unsigned faults = 0;

	cat = vs_faults_catalogue(&n);
	vs_fuzz_opts_init(&o);
	o.sides = VS_FUZZ_SIDE_DRIVER;
	o.transport = VS_TRANSPORT_PCI;
	o.max_steps = 5;
	snprintf(o.device, sizeof(o.device), "rng");
	for (k = 0; k < 300; k++) {
		struct vs_scenario s;

		gen(&o, k, &s);
		ck_assert_uint_le(s.n_steps, 5);
		for (d = 0; d < s.n_devices; d++) {
			ck_assert_str_eq(s.devices[d].type, "rng");
			ck_assert_int_eq(s.devices[d].transport, VS_TRANSPORT_PCI);
		}
		for (i = 0; i < s.n_steps; i++) {
			if (s.steps[i].op != VS_STEP_FAULT)
				continue;
			ck_assert_uint_lt(s.steps[i].fault, n);
			ck_assert_int_eq(cat[s.steps[i].fault].side, VS_SIDE_DRIVER);
			faults++;
		}
		vs_scenario_free(&s);
	}
	ck_assert_uint_gt(faults, 0);
	o.device[0] = 0;
	snprintf(o.device, sizeof(o.device), "floppy");
	{
		struct vs_scenario s;

		ck_assert_int_eq(vs_fuzz_gen_case(&o, 0, &s), -EINVAL);
		vs_scenario_free(&s);
	}
}
END_TEST

/* ---- Judge ---- */

static struct vs_result_violation viol(const char *rule, enum vs_side side, int warning)
{
	struct vs_result_violation v;

	memset(&v, 0, sizeof(v));
	snprintf(v.rule, sizeof(v.rule), "%s", rule);
	v.side = side;
	v.warning = warning;
	v.step = 2;
	return v;
}

START_TEST(judge_unfaulted_side_is_a_finding)
{
	struct vs_scenario s;
	struct vs_result res;
	struct vs_result_violation vs[3];
	struct vs_fuzz_verdict v;

	memset(&s, 0, sizeof(s));
	s.n_devices = 1;
	memset(&res, 0, sizeof(res));
	vs[0] = viol("split.used-len", VS_SIDE_DEVICE, 0);
	vs[1] = viol("config.read-unbracketed", VS_SIDE_DRIVER, 1);
	vs[2] = viol("split.desc-loop", VS_SIDE_DRIVER, 0);
	res.violations = vs;
	res.n_violations = 3;
	res.faults_fired[VS_FAULT_DEV_USED_LEN_OVER] = 1;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_VIOLATION);
	ck_assert_str_eq(v.signature, "violation:driver:split.desc-loop");
	ck_assert_uint_eq(v.faulted, VS_FUZZ_SIDE_DEVICE);
	/* The driver's fault fired too: everything is accounted for. */
	res.faults_fired[VS_FAULT_DRV_DESC_LOOP] = 1;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_OK);
	/* A warning alone is never a finding. */
	res.n_violations = 2;
	res.faults_fired[VS_FAULT_DRV_DESC_LOOP] = 0;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_OK);
	/* A device without VERSION_1 is the device misbehaving. */
	res.n_violations = 1;
	res.faults_fired[VS_FAULT_DEV_USED_LEN_OVER] = 0;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_str_eq(v.signature, "violation:device:split.used-len");
	s.devices[0].features_remove = 1ull << VIRTIO_F_VERSION_1;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_OK);
}
END_TEST

START_TEST(judge_invariants)
{
	struct vs_scenario s;
	struct vs_result res;
	struct vs_fuzz_verdict v;

	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	res.tokens_added = res.tokens_returned = 4;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_OK);
	res.leaked_bytes = 64;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_LEAK);
	ck_assert_str_eq(v.signature, "leak");
	res.tokens_returned = 5;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_TOKENS);
	ck_assert(strstr(v.detail, "came back twice") != NULL);
	res.tokens_returned = 3;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert(strstr(v.detail, "lost") != NULL);
	res.unsettled = 1;
	vs_fuzz_judge(&s, &res, &v);
	ck_assert_int_eq(v.kind, VS_FUZZ_UNSETTLED);
	ck_assert_str_eq(vs_fuzz_kind_name(VS_FUZZ_CRASH), "crash");
}
END_TEST

/* ---- Minimizer ---- */

/* Synthetic failure: a used-len fault switched on (any mode) and, later,
 * a read.  Counts its calls. */
struct synth {
	unsigned calls;
};

static int synth_fails(void *opaque, const struct vs_scenario *c)
{
	struct synth *sy = opaque;
	int fault_on = 0;
	size_t i;

	sy->calls++;
	for (i = 0; i < c->n_steps; i++) {
		const struct vs_scn_step *st = &c->steps[i];

		if (st->op == VS_STEP_FAULT && st->fault == VS_FAULT_DEV_USED_LEN_OVER &&
		    st->fault_mode != VS_FAULT_OFF)
			fault_on = 1;
		if (st->op == VS_STEP_RNG_READ && fault_on)
			return 1;
	}
	return 0;
}

static struct vs_scenario synth_case(void)
{
	struct vs_fuzz_opts o;
	struct vs_scenario s;
	size_t i;

	vs_fuzz_opts_init(&o);
	o.seed = 99;
	o.max_steps = 40;
	snprintf(o.device, sizeof(o.device), "rng");
	for (i = 0;; i++) {
		gen(&o, i, &s);
		if (s.n_steps >= 20 && s.n_devices == 2)
			break;
		vs_scenario_free(&s);
	}
	/* Plant the failure among the noise: a probability fault early, a
	 * long read late. */
	s.steps[3].op = VS_STEP_FAULT;
	s.steps[3].device = -1;
	s.steps[3].fault = VS_FAULT_DEV_USED_LEN_OVER;
	s.steps[3].fault_mode = VS_FAULT_PROBABILITY;
	s.steps[3].prob_num = 300000;
	s.steps[3].prob_den = 1000000;
	s.steps[s.n_steps - 2].op = VS_STEP_RNG_READ;
	s.steps[s.n_steps - 2].device = 1;
	s.steps[s.n_steps - 2].bytes = 3000;
	s.steps[s.n_steps - 2].count = 3;
	s.steps[s.n_steps - 2].wait = 0;
	s.ring = VS_RING_PACKED;
	s.devices[0].transport = s.devices[1].transport = VS_TRANSPORT_PCI;
	s.devices[0].features_add = s.devices[1].features_add = 1ull << VIRTIO_F_EVENT_IDX;
	s.devices[1].queue_size = 8;
	return s;
}

START_TEST(minimize_to_minimal_steps)
{
	struct vs_scenario s = synth_case();
	struct synth sy = {0};
	int tries;

	ck_assert(synth_fails(&sy, &s));
	sy.calls = 0;
	tries = vs_fuzz_minimize(&s, synth_fails, &sy, 0);
	ck_assert_int_eq((unsigned)tries, sy.calls);
	ck_assert_int_gt(tries, 0);
	/* Exactly the two steps the failure needs, in order, values simplest. */
	ck_assert_uint_eq(s.n_steps, 2);
	ck_assert_int_eq(s.steps[0].op, VS_STEP_FAULT);
	ck_assert_int_eq(s.steps[0].fault, VS_FAULT_DEV_USED_LEN_OVER);
	ck_assert_int_eq(s.steps[0].fault_mode, VS_FAULT_COUNTED);
	ck_assert_uint_eq(s.steps[0].fault_count, 1);
	ck_assert_int_eq(s.steps[1].op, VS_STEP_RNG_READ);
	ck_assert_uint_eq(s.steps[1].bytes, 1);
	ck_assert_uint_eq(s.steps[1].count, 1);
	ck_assert_int_eq(s.steps[1].wait, 1);
	/* The simplest machine: one device on mmio, split ring, defaults. */
	ck_assert_uint_eq(s.n_devices, 1);
	ck_assert_int_eq(s.steps[1].device, 0);
	ck_assert_int_eq(s.ring, VS_RING_SPLIT);
	ck_assert_int_eq(s.devices[0].transport, VS_TRANSPORT_MMIO);
	ck_assert_uint_eq(s.devices[0].queue_size, 0);
	ck_assert_uint_eq(s.devices[0].features_add, 0);
	ck_assert_int_eq(s.devices[0].msix_vectors, VS_SCN_MSIX_DEFAULT);
	ck_assert(synth_fails(&sy, &s));
	vs_scenario_free(&s);
}
END_TEST

START_TEST(minimize_respects_budget)
{
	struct vs_scenario s = synth_case();
	struct synth sy = {0};
	size_t before = s.n_steps;

	ck_assert_int_eq(vs_fuzz_minimize(&s, synth_fails, &sy, 3), 3);
	ck_assert_uint_eq(sy.calls, 3);
	ck_assert_uint_le(s.n_steps, before);
	ck_assert(synth_fails(&sy, &s)); /* whatever it kept still fails */
	vs_scenario_free(&s);
}
END_TEST

/* ---- Reproducer ---- */

static int write_and_parse(const struct vs_scenario *s, struct vs_scenario *back)
{
	struct vs_diag diag;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vs_fuzz_write_scenario(f, s), 0);
	fclose(f);
	rc = vs_scenario_parse("mem.json", text, len, back, &diag);
	if (rc < 0) {
		char msg[700];

		vs_diag_format(&diag, msg, sizeof(msg));
		fprintf(stderr, "%s\n%s\n", msg, text);
	}
	free(text);
	return rc;
}

START_TEST(write_parses_back_to_same_case)
{
	struct vs_fuzz_opts o;
	uint64_t i;

	vs_fuzz_opts_init(&o);
	o.seed = 11;
	for (i = 0; i < 300; i++) {
		struct vs_scenario s, back;

		gen(&o, i, &s);
		ck_assert_int_eq(write_and_parse(&s, &back), 0);
		ck_assert_msg(same_case(&s, &back), "case %llu does not read back the same",
			      (unsigned long long)i);
		ck_assert_str_eq(back.name, s.name);
		vs_scenario_free(&s);
		vs_scenario_free(&back);
	}
}
END_TEST

START_TEST(reproducer_replays_same_outcome)
{
	struct vs_fuzz_opts o;
	uint64_t i;
	unsigned with_violations = 0;
	uint64_t tokens = 0;

	vs_fuzz_opts_init(&o);
	o.seed = 5;
	o.max_steps = 16;
	for (i = 0; i < 40; i++) {
		struct vs_scenario s, back;
		struct vs_result a, b;
		struct vs_fuzz_verdict va, vb;
		size_t k;

		gen(&o, i, &s);
		vs_fuzz_run_case(&s, &va, &a);
		ck_assert_int_eq(write_and_parse(&s, &back), 0);
		vs_fuzz_run_case(&back, &vb, &b);
		ck_assert_int_eq(va.kind, vb.kind);
		ck_assert_str_eq(va.signature, vb.signature);
		ck_assert_int_eq(a.passed, b.passed);
		ck_assert_uint_eq(a.n_violations, b.n_violations);
		for (k = 0; k < a.n_violations; k++) {
			ck_assert_str_eq(a.violations[k].rule, b.violations[k].rule);
			ck_assert_int_eq(a.violations[k].step, b.violations[k].step);
			ck_assert_str_eq(a.violations[k].message, b.violations[k].message);
		}
		ck_assert_uint_eq(a.requests, b.requests);
		ck_assert_uint_eq(a.virtual_ns, b.virtual_ns);
		ck_assert_uint_eq(a.tokens_added, b.tokens_added);
		/* Whatever the faults did, the drivers got every buffer back
		 * and freed every byte of guest RAM. */
		ck_assert_uint_eq(a.tokens_returned, a.tokens_added);
		ck_assert_uint_eq(a.leaked_bytes, 0);
		tokens += a.tokens_added;
		ck_assert_mem_eq(a.faults_fired, b.faults_fired, sizeof(a.faults_fired));
		with_violations += a.n_violations > 0;
		vs_result_free(&a);
		vs_result_free(&b);
		vs_scenario_free(&s);
		vs_scenario_free(&back);
	}
	ck_assert_uint_gt(with_violations, 0); /* faults did fire somewhere */
	ck_assert_uint_gt(tokens, 0);          /* and the drivers' tokens were counted */
}
END_TEST

static Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc;

	tc = tcase_create("Generator");
	tcase_add_test(tc, gen_same_seed_same_cases);
	tcase_add_test(tc, gen_seeds_and_cases_differ);
	tcase_add_test(tc, gen_honours_options);
	suite_add_tcase(s, tc);
	tc = tcase_create("Judge");
	tcase_add_test(tc, judge_unfaulted_side_is_a_finding);
	tcase_add_test(tc, judge_invariants);
	suite_add_tcase(s, tc);
	tc = tcase_create("Minimizer");
	tcase_add_test(tc, minimize_to_minimal_steps);
	tcase_add_test(tc, minimize_respects_budget);
	suite_add_tcase(s, tc);
	tc = tcase_create("Reproducer");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, write_parses_back_to_same_case);
	tcase_add_test(tc, reproducer_replays_same_outcome);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fuzz_suite());
	int failed;

	vs_log_set_level(VS_LOG_OFF); /* faulty sides make the guest complain */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
