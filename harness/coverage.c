/*
 * coverage.c - spec coverage of the rule catalogue (see coverage.h).
 *
 * Joins three tables: the generated statement catalogue, the rule table
 * (its spec ids) and the generated not-observable list.  Runs once per
 * `virtiosim rules --coverage`, so plain linear scans are enough.
 */
#include "harness/coverage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/rules.h"
#include "harness/spec_catalogue.h"

int vs_coverage_level_counted(const char *level)
{
	return level && (strcmp(level, "MUST") == 0 || strcmp(level, "MUST NOT") == 0);
}

static int cited(const char *id)
{
	size_t n, i;
	const struct vs_rule *r = vs_rules_all(&n);

	for (i = 0; i < n; i++)
		if (strcmp(r[i].spec, id) == 0)
			return 1;
	return 0;
}

const char *vs_coverage_not_observable_reason(const char *spec_id)
{
	for (size_t i = 0; spec_id && i < vs_spec_not_observable_count; i++)
		if (strcmp(vs_spec_not_observable[i].id, spec_id) == 0)
			return vs_spec_not_observable[i].reason;
	return NULL;
}

enum vs_coverage_status vs_coverage_status(const char *spec_id)
{
	const struct vs_spec_stmt *s = vs_spec_find(spec_id);

	if (!s)
		return VS_COVERAGE_UNKNOWN;
	if (!vs_coverage_level_counted(s->level))
		return VS_COVERAGE_NOT_COUNTED;
	if (cited(s->id))
		return VS_COVERAGE_CITED;
	if (vs_coverage_not_observable_reason(s->id))
		return VS_COVERAGE_NOT_OBSERVABLE;
	return VS_COVERAGE_UNCOVERED;
}

static void finish(struct vs_coverage_area *a)
{
	a->observable = a->total - a->not_observable;
	a->percent = a->observable ? 100.0 * a->cited / a->observable : 0.0;
}

int vs_coverage_compute(struct vs_coverage_area **areas, size_t *n)
{
	struct vs_coverage_area *a;

	*areas = NULL;
	*n = 0;
	a = calloc(vs_spec_area_count, sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < vs_spec_area_count; i++) {
		a[i].key = vs_spec_areas[i].key;
		a[i].number = vs_spec_areas[i].number;
		a[i].title = vs_spec_areas[i].title;
	}
	for (size_t i = 0; i < vs_spec_stmt_count; i++) {
		const struct vs_spec_stmt *s = &vs_spec_stmts[i];
		struct vs_coverage_area *ar = &a[s->area];

		if (!vs_coverage_level_counted(s->level))
			continue;
		ar->total++;
		/* a cited statement counts as cited even if also listed as not
		 * observable (the catalogue test forbids that combination) */
		if (cited(s->id))
			ar->cited++;
		else if (vs_coverage_not_observable_reason(s->id))
			ar->not_observable++;
	}
	for (size_t i = 0; i < vs_spec_area_count; i++)
		finish(&a[i]);
	*areas = a;
	*n = vs_spec_area_count;
	return 0;
}

void vs_coverage_free(struct vs_coverage_area *areas)
{
	free(areas);
}

void vs_coverage_sum(const struct vs_coverage_area *areas, size_t n,
		     struct vs_coverage_area *total)
{
	memset(total, 0, sizeof(*total));
	total->key = "all";
	total->number = "";
	total->title = "All chapters";
	for (size_t i = 0; i < n; i++) {
		total->total += areas[i].total;
		total->cited += areas[i].cited;
		total->not_observable += areas[i].not_observable;
	}
	finish(total);
}
