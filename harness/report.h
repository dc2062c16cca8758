/*
 * report.h - reporters for a run of scenarios: a table for people (text),
 * one JSON object for programs, JUnit XML for CI systems.  Reporters own
 * nothing and print only to the FILE they are given.
 */
#ifndef VS_REPORT_H
#define VS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "harness/runner.h"
#include "harness/scenario.h"

enum vs_format {
	VS_FORMAT_TEXT = 0,
	VS_FORMAT_JSON,
	VS_FORMAT_JUNIT,
};

/* "text" | "json" | "junit" (junit only where allow_junit).  -EINVAL else. */
int vs_format_parse(const char *s, int allow_junit, enum vs_format *out);

/* One entry per scenario run: the scenario and its result. */
struct vs_report_entry {
	const struct vs_scenario *scn;
	const struct vs_result *res;
};

void vs_report_text(FILE *f, const struct vs_report_entry *e, size_t n);
void vs_report_json(FILE *f, const struct vs_report_entry *e, size_t n);
void vs_report_junit(FILE *f, const struct vs_report_entry *e, size_t n);
void vs_report(FILE *f, enum vs_format fmt, const struct vs_report_entry *e, size_t n);

/* Totals shared by the reporters. */
struct vs_report_totals {
	size_t passed, failed, violations, expected, warnings;
};
void vs_report_totals(const struct vs_report_entry *e, size_t n, struct vs_report_totals *t);

#endif /* VS_REPORT_H */
