/*
 * report.c - the text table and the shared helpers of the reporters.
 */
#include "harness/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int vs_format_parse(const char *s, int allow_junit, enum vs_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = VS_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = VS_FORMAT_JSON;
	else if (allow_junit && strcmp(s, "junit") == 0)
		*out = VS_FORMAT_JUNIT;
	else
		return -EINVAL;
	return 0;
}

void vs_report_totals(const struct vs_report_entry *e, size_t n, struct vs_report_totals *t)
{
	size_t i, v;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++) {
		if (e[i].res->passed)
			t->passed++;
		else
			t->failed++;
		t->violations += e[i].res->n_violations;
		for (v = 0; v < e[i].res->n_violations; v++) {
			t->expected += e[i].res->violations[v].expected ? 1 : 0;
			t->warnings += e[i].res->violations[v].warning ? 1 : 0;
		}
	}
}

/* The device types of a machine, "rng" or "rng+blk"; past two devices
 * "7 devices" keeps the column readable (the JSON report lists them all). */
static void device_list(const struct vs_scenario *s, char *buf, size_t len)
{
	size_t i;

	if (s->n_devices > 2) {
		snprintf(buf, len, "%zu devices", s->n_devices);
		return;
	}
	buf[0] = 0;
	for (i = 0; i < s->n_devices; i++) {
		if (i)
			strncat(buf, "+", len - strlen(buf) - 1);
		strncat(buf, s->devices[i].type, len - strlen(buf) - 1);
	}
}

/* The first device's transport, or "mixed" when the machine has several. */
static const char *transport_column(const struct vs_scenario *s)
{
	size_t i;

	for (i = 1; i < s->n_devices; i++)
		if (s->devices[i].transport != s->devices[0].transport)
			return "mixed";
	return vs_transport_name(s->devices[0].transport);
}

void vs_report_text(FILE *f, const struct vs_report_entry *e, size_t n)
{
	struct vs_report_totals t;
	size_t i, k, width = 8;

	for (i = 0; i < n; i++)
		if (strlen(e[i].scn->name) > width)
			width = strlen(e[i].scn->name);
	fprintf(f, "%-*s  %-10s %-11s %-6s %-11s %-6s %10s %10s\n", (int)width, "SCENARIO",
		"DEVICES", "TRANSPORT", "RING", "INTERRUPT", "STATUS", "VIOLATIONS", "TIME");
	for (i = 0; i < n; i++) {
		const struct vs_scenario *s = e[i].scn;
		const struct vs_result *r = e[i].res;
		char devs[64];

		device_list(s, devs, sizeof(devs));
		/* The first device's interrupt mode (JSON has every device's). */
		fprintf(f, "%-*s  %-10s %-11s %-6s %-11s %-6s %10zu %7.1f ms\n", (int)width, s->name,
			devs, transport_column(s), vs_ring_name(s->ring),
			r->interrupt[0], r->passed ? "pass" : "FAIL", r->n_violations,
			r->duration_ms);
		for (k = 0; k < r->n_failures && k < VS_RESULT_MAX_FAILURES; k++)
			fprintf(f, "    %s: %s\n", s->file, r->failures[k]);
		if (r->n_failures > VS_RESULT_MAX_FAILURES)
			fprintf(f, "    ... and %zu more failures\n",
				r->n_failures - VS_RESULT_MAX_FAILURES);
	}
	vs_report_totals(e, n, &t);
	fprintf(f, "violations: %zu (%zu expected by their scenarios, %zu unexpected; "
		"%zu of them SHOULD-level warnings)\n",
		t.violations, t.expected, t.violations - t.expected, t.warnings);
	fprintf(f, "scenarios: %zu passed, %zu failed\n", t.passed, t.failed);
}

void vs_report(FILE *f, enum vs_format fmt, const struct vs_report_entry *e, size_t n)
{
	switch (fmt) {
	case VS_FORMAT_TEXT:
		vs_report_text(f, e, n);
		break;
	case VS_FORMAT_JSON:
		vs_report_json(f, e, n);
		break;
	case VS_FORMAT_JUNIT:
		vs_report_junit(f, e, n);
		break;
	}
}
