/*
 * rules.h - the monitor's rule catalogue.
 *
 * A rule is one check the monitor runs on the traffic between a driver and
 * a device: an id ("area.name"), the spec statement it enforces (an id from
 * ../shared/spec/normative.tsv, or "" with a section number when the spec
 * says it only in prose), the side it judges, the level and a one-line
 * summary.  The checks live in harness/rules/<area>.c; the table in
 * harness/rules/catalogue.c.  `virtiosim rules` lists it.
 *
 * Levels are the spec's words.  MUST and MUST NOT rules report errors;
 * SHOULD and SHOULD NOT rules report warnings (vs_rule_is_warning).
 * A few spec rows mix levels ("drivers MUST NOT assume ... atomic ...:
 * drivers SHOULD read ... like so"), and the row records the strongest; a
 * rule that checks only the weaker clause carries that clause's level and
 * sets `partial` (the catalogue test allows exactly that mismatch).
 */
#ifndef VS_RULES_H
#define VS_RULES_H

#include <stddef.h>

#include "core/side.h"

struct vs_rule {
	const char *id;      /* "init.status-order" */
	const char *spec;    /* normative.tsv id, or "" when only prose says it */
	const char *section; /* spec section number, e.g. "2.7.5.2" */
	enum vs_side side;   /* the side the rule judges */
	const char *level;   /* "MUST", "MUST NOT", "SHOULD", "SHOULD NOT" */
	const char *summary; /* one line: what breaks the rule */
	int partial;         /* 1: checks the weaker clause of a mixed-level row */
};

/* All rules, grouped by area, in a stable order.  count may be NULL. */
const struct vs_rule *vs_rules_all(size_t *count);
/* The rule with this id, or NULL. */
const struct vs_rule *vs_rule_find(const char *id);
/* 1 for SHOULD / SHOULD NOT rules: their violations are warnings. */
int vs_rule_is_warning(const struct vs_rule *rule);

#endif /* VS_RULES_H */
