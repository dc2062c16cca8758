/*
 * report_json.c - the JSON report: one object,
 *   {"scenarios": [{"name", "file", "status", "seed", "machine", "violations",
 *                   "failures", "duration_ms", ...}],
 *    "summary": {"passed", "failed", "violations", ...}}
 * Key names are a contract others test against: add, never rename.
 */
#include "harness/report.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

static cJSON *machine_json(const struct vs_scenario *s, const struct vs_result *r)
{
	cJSON *m = cJSON_CreateObject(), *devs = cJSON_CreateArray();
	size_t i;

	cJSON_AddStringToObject(m, "transport", vs_transport_name(s->devices[0].transport));
	cJSON_AddStringToObject(m, "ring", vs_ring_name(s->ring));
	/* The first device's; each device's own is in devices[]. */
	cJSON_AddStringToObject(m, "interrupt", r->interrupt[0]);
	cJSON_AddStringToObject(m, "device", s->devices[0].type);
	cJSON_AddNumberToObject(m, "memory_mb", (double)(s->memory >> 20));
	for (i = 0; i < s->n_devices; i++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "name", s->devices[i].name);
		cJSON_AddStringToObject(d, "type", s->devices[i].type);
		cJSON_AddStringToObject(d, "transport", vs_transport_name(s->devices[i].transport));
		cJSON_AddStringToObject(d, "interrupt", r->interrupt[i]);
		if (r->msix_vectors[i] >= 0)
			cJSON_AddNumberToObject(d, "msix_vectors", r->msix_vectors[i]);
		cJSON_AddItemToArray(devs, d);
	}
	cJSON_AddItemToObject(m, "devices", devs);
	return m;
}

static cJSON *scenario_json(const struct vs_report_entry *e)
{
	const struct vs_result *r = e->res;
	cJSON *o = cJSON_CreateObject(), *vs = cJSON_CreateArray(), *fs = cJSON_CreateArray();
	size_t i;

	cJSON_AddStringToObject(o, "name", e->scn->name);
	cJSON_AddStringToObject(o, "file", e->scn->file);
	cJSON_AddStringToObject(o, "status", r->passed ? "pass" : "fail");
	cJSON_AddNumberToObject(o, "seed", (double)r->seed);
	cJSON_AddItemToObject(o, "machine", machine_json(e->scn, r));
	for (i = 0; i < r->n_violations; i++) {
		const struct vs_result_violation *v = &r->violations[i];
		cJSON *jv = cJSON_CreateObject();

		cJSON_AddStringToObject(jv, "rule", v->rule);
		cJSON_AddStringToObject(jv, "side", vs_side_name(v->side));
		cJSON_AddStringToObject(jv, "level", v->level);
		cJSON_AddStringToObject(jv, "spec", v->spec);
		cJSON_AddStringToObject(jv, "message", v->message);
		cJSON_AddNumberToObject(jv, "step", v->step);
		cJSON_AddBoolToObject(jv, "expected", v->expected);
		cJSON_AddStringToObject(jv, "severity", v->warning ? "warning" : "error");
		cJSON_AddItemToArray(vs, jv);
	}
	cJSON_AddItemToObject(o, "violations", vs);
	for (i = 0; i < r->n_failures && i < VS_RESULT_MAX_FAILURES; i++)
		cJSON_AddItemToArray(fs, cJSON_CreateString(r->failures[i]));
	cJSON_AddItemToObject(o, "failures", fs);
	cJSON_AddNumberToObject(o, "steps", (double)e->scn->n_steps);
	cJSON_AddNumberToObject(o, "requests", (double)r->requests);
	cJSON_AddNumberToObject(o, "virtual_ns", (double)r->virtual_ns);
	cJSON_AddNumberToObject(o, "duration_ms", r->duration_ms);
	return o;
}

void vs_report_json(FILE *f, const struct vs_report_entry *e, size_t n)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *sum;
	struct vs_report_totals t;
	char *text;
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, scenario_json(&e[i]));
	cJSON_AddItemToObject(root, "scenarios", arr);
	vs_report_totals(e, n, &t);
	sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "passed", (double)t.passed);
	cJSON_AddNumberToObject(sum, "failed", (double)t.failed);
	cJSON_AddNumberToObject(sum, "violations", (double)t.violations);
	cJSON_AddNumberToObject(sum, "expected_violations", (double)t.expected);
	cJSON_AddNumberToObject(sum, "warnings", (double)t.warnings);
	text = cJSON_Print(root);
	if (text) {
		fputs(text, f);
		fputc('\n', f);
		free(text);
	}
	cJSON_Delete(root);
}
