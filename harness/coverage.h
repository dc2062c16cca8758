/*
 * coverage.h - how much of the specification the monitor's rules check.
 *
 * Per area of the spec (basic facilities = ids drv.basic / dev.basic,
 * init, pci, mmio, ccw, each device type, reserved feature bits): the
 * number of MUST / MUST NOT statements, how many of them a rule cites,
 * how many were reviewed as not observable from traffic
 * (harness/not_observable.tsv, embedded at build time), and the share of
 * the observable ones that are cited.  SHOULD and MAY statements are not
 * counted: a rule citing one still shows up in the rule list.
 *
 * Data only: `virtiosim rules --coverage` prints it (text or JSON).
 */
#ifndef VS_COVERAGE_H
#define VS_COVERAGE_H

#include <stddef.h>

struct vs_coverage_area {
	const char *key;         /* "basic", "init", "mmio", "entropy", ... ("all" for a sum) */
	const char *number;      /* spec number: "2", "4.2", "5.4" ("" for a sum) */
	const char *title;       /* chapter or section title */
	unsigned total;          /* MUST + MUST NOT statements */
	unsigned cited;          /* of those, cited by at least one rule */
	unsigned not_observable; /* of those, in not_observable.tsv */
	unsigned observable;     /* total - not_observable */
	double percent;          /* 100 * cited / observable; 0 when nothing is observable */
};

/*
 * Fill *areas with one entry per area in spec order (malloc'd; free with
 * vs_coverage_free) and *n with their number.  Returns 0 or -ENOMEM.
 */
int vs_coverage_compute(struct vs_coverage_area **areas, size_t *n);
void vs_coverage_free(struct vs_coverage_area *areas);
/* Sum over areas into *total (key "all"). */
void vs_coverage_sum(const struct vs_coverage_area *areas, size_t n,
		     struct vs_coverage_area *total);

/* Where one statement stands. */
enum vs_coverage_status {
	VS_COVERAGE_UNKNOWN = -1,       /* no such id */
	VS_COVERAGE_NOT_COUNTED = 0,    /* SHOULD / SHOULD NOT / MAY */
	VS_COVERAGE_UNCOVERED = 1,      /* MUST / MUST NOT, observable, no rule yet */
	VS_COVERAGE_CITED = 2,          /* a rule cites it */
	VS_COVERAGE_NOT_OBSERVABLE = 3, /* reviewed: not observable */
};

enum vs_coverage_status vs_coverage_status(const char *spec_id);
/* The not-observable reason for spec_id, or NULL. */
const char *vs_coverage_not_observable_reason(const char *spec_id);
/* 1 for "MUST" and "MUST NOT". */
int vs_coverage_level_counted(const char *level);

#endif /* VS_COVERAGE_H */
