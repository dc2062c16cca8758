/*
 * cli_rules.c - `virtiosim rules` (the monitor's catalogue, and with
 * --coverage how much of the spec it covers) and `virtiosim faults`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness/cli.h"
#include "harness/coverage.h"
#include "harness/faults.h"
#include "harness/report.h"
#include "harness/rules.h"

static int parse_opts(int argc, char **argv, enum vs_format *fmt, int *coverage,
		      const char *verb)
{
	int i;

	*fmt = VS_FORMAT_TEXT;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0) {
			if (i + 1 >= argc)
				return vs_cli_usage_error("--format needs a value");
			if (vs_format_parse(argv[++i], 0, fmt) < 0)
				return vs_cli_usage_error("--format: expected text or json, got '%s'",
							  argv[i]);
		} else if (coverage && strcmp(argv[i], "--coverage") == 0) {
			*coverage = 1;
		} else {
			return vs_cli_usage_error("%s: unexpected argument '%s'", verb, argv[i]);
		}
	}
	return 0;
}

static void print_json(cJSON *root)
{
	char *text = cJSON_Print(root);

	if (text) {
		puts(text);
		free(text);
	}
	cJSON_Delete(root);
}

static int rules_list(enum vs_format fmt)
{
	size_t n, i;
	const struct vs_rule *r = vs_rules_all(&n);

	if (fmt == VS_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();

		for (i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", r[i].id);
			cJSON_AddStringToObject(o, "spec", r[i].spec);
			cJSON_AddStringToObject(o, "section", r[i].section);
			cJSON_AddStringToObject(o, "side", vs_side_name(r[i].side));
			cJSON_AddStringToObject(o, "level", r[i].level);
			cJSON_AddStringToObject(o, "summary", r[i].summary);
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
		return VS_EXIT_OK;
	}
	printf("%-34s %-7s %-10s %-9s %s\n", "RULE", "SIDE", "LEVEL", "SECTION", "SUMMARY");
	for (i = 0; i < n; i++)
		printf("%-34s %-7s %-10s %-9s %s\n      spec: %s\n", r[i].id, vs_side_name(r[i].side),
		       r[i].level, r[i].section, r[i].summary, r[i].spec[0] ? r[i].spec : "-");
	printf("%zu rules\n", n);
	return VS_EXIT_OK;
}

static int rules_coverage(enum vs_format fmt)
{
	struct vs_coverage_area *a = NULL;
	struct vs_coverage_area tot;
	size_t n, i;

	if (vs_coverage_compute(&a, &n) < 0) {
		fprintf(stderr, "virtiosim: cannot compute coverage\n");
		return VS_EXIT_USAGE;
	}
	vs_coverage_sum(a, n, &tot);
	if (fmt == VS_FORMAT_JSON) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *t;

		for (i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "area", a[i].key);
			cJSON_AddStringToObject(o, "section", a[i].number);
			cJSON_AddStringToObject(o, "title", a[i].title);
			cJSON_AddNumberToObject(o, "must", (double)a[i].total);
			cJSON_AddNumberToObject(o, "cited", (double)a[i].cited);
			cJSON_AddNumberToObject(o, "not_observable", (double)a[i].not_observable);
			cJSON_AddNumberToObject(o, "observable", (double)(a[i].observable));
			cJSON_AddNumberToObject(o, "percent", a[i].percent);
			cJSON_AddItemToArray(arr, o);
		}
		cJSON_AddItemToObject(root, "areas", arr);
		t = cJSON_AddObjectToObject(root, "total");
		cJSON_AddNumberToObject(t, "must", (double)tot.total);
		cJSON_AddNumberToObject(t, "cited", (double)tot.cited);
		cJSON_AddNumberToObject(t, "not_observable", (double)tot.not_observable);
		cJSON_AddNumberToObject(t, "percent", tot.percent);
		print_json(root);
	} else {
		printf("%-10s %-6s %-44s %6s %6s %8s %8s\n", "AREA", "SPEC", "TITLE", "MUST", "CITED",
		       "NOT-OBS", "COVERED");
		for (i = 0; i < n; i++)
			printf("%-10s %-6s %-44.44s %6u %6u %8u %7.1f%%\n", a[i].key, a[i].number,
			       a[i].title, a[i].total, a[i].cited, a[i].not_observable, a[i].percent);
		printf("%-10s %-6s %-44s %6u %6u %8u %7.1f%%\n", "total", "", "", tot.total,
		       tot.cited, tot.not_observable, tot.percent);
		printf("MUST = MUST and MUST NOT statements; COVERED = cited / (MUST - NOT-OBS)\n");
	}
	vs_coverage_free(a);
	return VS_EXIT_OK;
}

int vs_cli_rules(int argc, char **argv)
{
	enum vs_format fmt;
	int coverage = 0, rc;

	if ((rc = parse_opts(argc, argv, &fmt, &coverage, "rules")) != 0)
		return rc;
	return coverage ? rules_coverage(fmt) : rules_list(fmt);
}

int vs_cli_faults(int argc, char **argv)
{
	enum vs_format fmt;
	size_t n, i;
	const struct vs_fault_info *f;
	int rc;

	if ((rc = parse_opts(argc, argv, &fmt, NULL, "faults")) != 0)
		return rc;
	f = vs_faults_catalogue(&n);
	if (fmt == VS_FORMAT_JSON) {
		cJSON *arr = cJSON_CreateArray();

		for (i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", f[i].name);
			cJSON_AddStringToObject(o, "side", vs_side_name(f[i].side));
			cJSON_AddStringToObject(o, "summary", f[i].summary);
			cJSON_AddStringToObject(o, "rule", f[i].rule);
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
		return VS_EXIT_OK;
	}
	printf("%-38s %-7s %-30s %s\n", "FAULT", "SIDE", "CAUGHT BY", "WHAT THE FAULTY SIDE DOES");
	for (i = 0; i < n; i++)
		printf("%-38s %-7s %-30s %s\n", f[i].name, vs_side_name(f[i].side),
		       f[i].rule[0] ? f[i].rule : "(no rule)", f[i].summary);
	printf("%zu faults\n", n);
	return VS_EXIT_OK;
}
