/*
 * check_coverage.c - the rule catalogue against the spec catalogue, and
 * the coverage numbers computed from them.
 *
 * Catalogue: every rule's spec id exists and its side and level agree
 * (a rule checking the weaker clause of a mixed row says so with
 * `partial`), ids are unique "area.name", sections match.
 * Spec catalogue: totals equal ../shared/spec/normative-counts.tsv
 * (hard-coded below: the generated table must not drift from the spec).
 * Coverage: per-area counts equal an independent count over the tables.
 */
#include <check.h>
#include <ctype.h>
#include <string.h>

#include "harness/coverage.h"
#include "harness/rules.h"
#include "harness/spec_catalogue.h"

static int is_must(const char *level)
{
	return strcmp(level, "MUST") == 0 || strcmp(level, "MUST NOT") == 0;
}

START_TEST(rules_cite_real_statements)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	ck_assert_uint_gt(n, 80);
	for (size_t i = 0; i < n; i++) {
		const struct vs_spec_stmt *s;

		ck_assert_msg(r[i].section && r[i].section[0], "%s: no section", r[i].id);
		ck_assert_msg(r[i].summary && r[i].summary[0], "%s: no summary", r[i].id);
		ck_assert_msg(strcmp(r[i].level, "MUST") == 0 || strcmp(r[i].level, "MUST NOT") == 0 ||
				      strcmp(r[i].level, "SHOULD") == 0 ||
				      strcmp(r[i].level, "SHOULD NOT") == 0,
			      "%s: level %s", r[i].id, r[i].level);
		ck_assert_msg(r[i].side == VS_SIDE_DRIVER || r[i].side == VS_SIDE_DEVICE, "%s",
			      r[i].id);
		if (r[i].spec[0] == '\0') {
			ck_assert_msg(!r[i].partial, "%s: partial without a spec id", r[i].id);
			continue;
		}
		s = vs_spec_find(r[i].spec);
		ck_assert_msg(s != NULL, "%s cites unknown %s", r[i].id, r[i].spec);
		ck_assert_msg(s->side == r[i].side, "%s: side differs from %s", r[i].id, r[i].spec);
		ck_assert_msg(strcmp(s->section, r[i].section) == 0, "%s: section %s, spec says %s",
			      r[i].id, r[i].section, s->section);
		if (r[i].partial)
			ck_assert_msg(is_must(s->level) && !is_must(r[i].level),
				      "%s: partial needs a SHOULD rule on a MUST row", r[i].id);
		else
			ck_assert_msg(strcmp(s->level, r[i].level) == 0, "%s: level %s, spec says %s",
				      r[i].id, r[i].level, s->level);
	}
}
END_TEST

START_TEST(rule_ids_unique_and_findable)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(r[i].id, '.');

		ck_assert_msg(dot && dot != r[i].id && dot[1], "%s: not area.name", r[i].id);
		for (const char *p = r[i].id; *p; p++)
			ck_assert_msg(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
					      *p == '.' || *p == '-',
				      "%s: bad character", r[i].id);
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(r[i].id, r[j].id) != 0, "duplicate %s", r[i].id);
		ck_assert_ptr_eq(vs_rule_find(r[i].id), &r[i]);
		ck_assert_int_eq(vs_rule_is_warning(&r[i]), strncmp(r[i].level, "SHOULD", 6) == 0);
	}
	ck_assert_ptr_null(vs_rule_find("no.such-rule"));
	ck_assert_ptr_null(vs_rule_find(NULL));
}
END_TEST

START_TEST(spec_catalogue_matches_the_spec)
{
	size_t must = 0, drv = 0;

	ck_assert_str_eq(vs_spec_revision, "virtio-v1.4-cs01");
	ck_assert_uint_eq(vs_spec_stmt_count, 1449);
	ck_assert_uint_eq(vs_spec_area_count, 29);
	for (size_t i = 0; i < vs_spec_stmt_count; i++) {
		const struct vs_spec_stmt *s = &vs_spec_stmts[i];

		must += is_must(s->level);
		drv += s->side == VS_SIDE_DRIVER;
		ck_assert_ptr_eq(vs_spec_find(s->id), s);
		ck_assert_uint_lt(s->area, vs_spec_area_count);
		/* the area is the id's second component */
		ck_assert_msg(strncmp(s->id + 4, vs_spec_areas[s->area].key,
				      strlen(vs_spec_areas[s->area].key)) == 0,
			      "%s in area %s", s->id, vs_spec_areas[s->area].key);
	}
	/* normative-counts.tsv: driver 614, MUST 1062 (MUST + MUST NOT) */
	ck_assert_uint_eq(drv, 297 + 155 + 89 + 26 + 47);
	ck_assert_uint_eq(must, 523 + 87 + 297 + 155);
	ck_assert_ptr_null(vs_spec_find("drv.basic.no-such.1"));
	ck_assert_str_eq(vs_spec_find("drv.basic.device-status-field.2")->level, "MUST NOT");
	ck_assert_str_eq(vs_spec_find("drv.basic.device-status-field.2")->section, "2.1.1");
}
END_TEST

START_TEST(not_observable_list_is_sound)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	ck_assert_uint_gt(vs_spec_not_observable_count, 0);
	for (size_t i = 0; i < vs_spec_not_observable_count; i++) {
		const struct vs_spec_not_observable *o = &vs_spec_not_observable[i];
		const struct vs_spec_stmt *s = vs_spec_find(o->id);

		ck_assert_msg(s != NULL, "not_observable.tsv: unknown %s", o->id);
		ck_assert_msg(is_must(s->level), "not_observable.tsv: %s is %s", o->id, s->level);
		ck_assert_msg(o->reason[0], "not_observable.tsv: %s has no reason", o->id);
		for (size_t j = 0; j < n; j++)
			ck_assert_msg(strcmp(r[j].spec, o->id) != 0,
				      "%s is cited by %s and listed as not observable", o->id, r[j].id);
		for (size_t j = i + 1; j < vs_spec_not_observable_count; j++)
			ck_assert_str_ne(o->id, vs_spec_not_observable[j].id);
	}
}
END_TEST

/* Independent count for one area. */
static void count_area(const char *key, unsigned *total, unsigned *cited, unsigned *no)
{
	size_t n;
	const struct vs_rule *r = vs_rules_all(&n);

	*total = *cited = *no = 0;
	for (size_t i = 0; i < vs_spec_stmt_count; i++) {
		const struct vs_spec_stmt *s = &vs_spec_stmts[i];
		int c = 0, o = 0;

		if (strcmp(vs_spec_areas[s->area].key, key) != 0 || !is_must(s->level))
			continue;
		(*total)++;
		for (size_t j = 0; j < n; j++)
			c |= strcmp(r[j].spec, s->id) == 0;
		for (size_t j = 0; j < vs_spec_not_observable_count; j++)
			o |= strcmp(vs_spec_not_observable[j].id, s->id) == 0;
		*cited += c;
		*no += o && !c;
	}
}

START_TEST(coverage_counts_per_area)
{
	struct vs_coverage_area *a, sum;
	size_t n;
	unsigned t, c, o;

	ck_assert_int_eq(vs_coverage_compute(&a, &n), 0);
	ck_assert_uint_eq(n, vs_spec_area_count);
	for (size_t i = 0; i < n; i++) {
		count_area(a[i].key, &t, &c, &o);
		ck_assert_uint_eq(a[i].total, t);
		ck_assert_uint_eq(a[i].cited, c);
		ck_assert_uint_eq(a[i].not_observable, o);
		ck_assert_uint_eq(a[i].observable, t - o);
		if (t - o)
			ck_assert_double_eq_tol(a[i].percent, 100.0 * c / (t - o), 1e-9);
		else
			ck_assert_double_eq(a[i].percent, 0.0);
	}
	/* spec order, and the totals of normative-counts.tsv */
	ck_assert_str_eq(a[0].key, "basic");
	ck_assert_str_eq(a[0].number, "2");
	ck_assert_uint_eq(a[0].total, 175);
	ck_assert_str_eq(a[1].key, "init");
	ck_assert_uint_eq(a[1].total, 18);
	ck_assert_str_eq(a[3].key, "mmio");
	ck_assert_str_eq(a[3].title, "Virtio Over MMIO");
	ck_assert_uint_eq(a[3].total, 32);
	ck_assert_str_eq(a[8].key, "entropy");
	ck_assert_str_eq(a[8].number, "5.4");
	ck_assert_uint_eq(a[8].total, 3);
	ck_assert_str_eq(a[n - 1].key, "reserved");
	ck_assert_uint_eq(a[n - 1].total, 9);
	vs_coverage_sum(a, n, &sum);
	ck_assert_str_eq(sum.key, "all");
	ck_assert_uint_eq(sum.total, 1062);
	count_area("entropy", &t, &c, &o);
	/* the entropy rules cite both device-operation statements a
	 * monitor can see; the third is reviewed as not observable */
	ck_assert_uint_eq(a[8].cited, 2);
	ck_assert_uint_eq(a[8].not_observable, 1);
	ck_assert_double_eq(a[8].percent, 100.0);
	vs_coverage_free(a);
}
END_TEST

START_TEST(coverage_status_of_statements)
{
	/* cited by mmio.access-undefined (and two more rules) */
	ck_assert_int_eq(vs_coverage_status("drv.mmio.mmio-device-register-layout.1"),
			 VS_COVERAGE_CITED);
	ck_assert_int_eq(vs_coverage_status("drv.reserved.7"), VS_COVERAGE_NOT_OBSERVABLE);
	ck_assert_ptr_nonnull(vs_coverage_not_observable_reason("drv.reserved.7"));
	ck_assert_ptr_null(vs_coverage_not_observable_reason("drv.reserved.1"));
	ck_assert_int_eq(vs_coverage_status("drv.basic.device-reset.1"), VS_COVERAGE_NOT_COUNTED);
	ck_assert_int_eq(vs_coverage_status("dev.net.device-operation.1"), VS_COVERAGE_UNKNOWN);
	ck_assert_int_eq(vs_coverage_status("dev.pci.pci-device-layout.shared-memory-capability.2"),
			 VS_COVERAGE_UNCOVERED);
	ck_assert_int_eq(vs_coverage_level_counted("MUST NOT"), 1);
	ck_assert_int_eq(vs_coverage_level_counted("SHOULD"), 0);
}
END_TEST

static Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc;

	tc = tcase_create("Catalogue");
	tcase_add_test(tc, rules_cite_real_statements);
	tcase_add_test(tc, rule_ids_unique_and_findable);
	tcase_add_test(tc, spec_catalogue_matches_the_spec);
	tcase_add_test(tc, not_observable_list_is_sound);
	suite_add_tcase(s, tc);

	tc = tcase_create("Coverage");
	tcase_add_test(tc, coverage_counts_per_area);
	tcase_add_test(tc, coverage_status_of_statements);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(coverage_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
