/*
 * scenario.c - strict parsing of scenario files (docs/scenarios.md).
 *
 * Every value is checked where it is read, and the first problem stops the
 * parse with a diagnostic "file: json.path: expected X, got Y".  The walk
 * keeps the JSON path of the value at hand in a small buffer so each check
 * can name it.  Syntax errors are reported as line:column from the position
 * cJSON stopped at (taken from its per-call return_parse_end, not from its
 * global error pointer).
 */
#include "harness/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "devices/vdev.h"
#include "harness/faults.h"
#include "harness/rules.h"

#define PATH_MAX_LEN 128

struct pctx {
	struct vs_diag *diag;
	const struct vs_scenario *scn;
};

static const char *json_type_name(const cJSON *v)
{
	if (!v)
		return "nothing";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsNull(v))
		return "null";
	return "invalid value";
}

/* Paths are for messages: a deep path is cut, marked by a trailing "...". */
static void child_path(char *dst, const char *parent, const char *key)
{
	if (snprintf(dst, PATH_MAX_LEN, "%s%s%s", parent, parent[0] ? "." : "", key) >=
	    PATH_MAX_LEN)
		memcpy(dst + PATH_MAX_LEN - 4, "...", 4);
}

static void index_path(char *dst, const char *parent, size_t i)
{
	if (snprintf(dst, PATH_MAX_LEN, "%s[%zu]", parent, i) >= PATH_MAX_LEN)
		memcpy(dst + PATH_MAX_LEN - 4, "...", 4);
}

/* Refuse keys outside `allowed` (NULL-terminated) and duplicate keys. */
static int check_keys(struct pctx *c, const cJSON *obj, const char *path,
		      const char *const *allowed)
{
	const cJSON *k, *k2;
	char p[PATH_MAX_LEN];

	for (k = obj->child; k; k = k->next) {
		const char *const *a;
		int known = 0;

		for (a = allowed; *a; a++)
			if (strcmp(*a, k->string) == 0)
				known = 1;
		child_path(p, path, k->string);
		if (!known) {
			char list[200] = "";
			for (a = allowed; *a; a++) {
				strncat(list, *a, sizeof(list) - strlen(list) - 1);
				if (a[1])
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			}
			vs_diag_set(c->diag, p, "unknown key \"%s\" (expected one of: %s)", k->string,
				    list);
			return -EINVAL;
		}
		for (k2 = k->next; k2; k2 = k2->next)
			if (strcmp(k->string, k2->string) == 0) {
				vs_diag_set(c->diag, p, "duplicate key \"%s\"", k->string);
				return -EINVAL;
			}
	}
	return 0;
}

static int get_string(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		      int required, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];

	child_path(p, path, key);
	if (!v) {
		if (!required)
			return 0;
		vs_diag_set(c->diag, p, "missing required key (expected a string)");
		return -EINVAL;
	}
	if (!cJSON_IsString(v)) {
		vs_diag_set(c->diag, p, "expected a string, got %s", json_type_name(v));
		return -EINVAL;
	}
	if (strlen(v->valuestring) == 0 || strlen(v->valuestring) >= outlen) {
		vs_diag_set(c->diag, p, "expected a string of 1 to %zu characters, got %zu",
			    outlen - 1, strlen(v->valuestring));
		return -EINVAL;
	}
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 1;
}

/* An integer in [min, max].  Returns 1 when present, 0 when absent and
 * optional, -EINVAL (diag set) otherwise. */
static int get_int(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		   int required, double min, double max, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];
	double d;

	child_path(p, path, key);
	if (!v) {
		if (!required)
			return 0;
		vs_diag_set(c->diag, p, "missing required key (expected an integer in %.0f..%.0f)",
			    min, max);
		return -EINVAL;
	}
	if (!cJSON_IsNumber(v)) {
		vs_diag_set(c->diag, p, "expected an integer in %.0f..%.0f, got %s", min, max,
			    json_type_name(v));
		return -EINVAL;
	}
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d)) {
		vs_diag_set(c->diag, p, "expected an integer in %.0f..%.0f, got %g", min, max, d);
		return -EINVAL;
	}
	if (d < min || d > max) {
		vs_diag_set(c->diag, p, "out of range: expected an integer in %.0f..%.0f, got %.0f",
			    min, max, d);
		return -EINVAL;
	}
	*out = (uint64_t)d;
	return 1;
}

static int get_bool(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		    int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];

	if (!v)
		return 0;
	child_path(p, path, key);
	if (!cJSON_IsBool(v)) {
		vs_diag_set(c->diag, p, "expected true or false, got %s", json_type_name(v));
		return -EINVAL;
	}
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return 1;
}

static int get_feature_bits(struct pctx *c, const cJSON *obj, const char *path,
			    const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	size_t i = 0;

	*out = 0;
	if (!v)
		return 0;
	child_path(p, path, key);
	if (!cJSON_IsArray(v)) {
		vs_diag_set(c->diag, p, "expected an array of feature bit numbers 0..63, got %s",
			    json_type_name(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		index_path(ep, p, i++);
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 0 || e->valuedouble > 63) {
			vs_diag_set(c->diag, ep, "expected a feature bit number 0..63, got %s",
				    cJSON_IsNumber(e) ? "a number out of range" : json_type_name(e));
			return -EINVAL;
		}
		*out |= 1ull << (unsigned)e->valuedouble;
	}
	return 1;
}

static int parse_transport(struct pctx *c, const char *path, const char *s,
			   enum vs_transport_kind *t)
{
	if (strcmp(s, "mmio") == 0) {
		*t = VS_TRANSPORT_MMIO;
		return 0;
	}
	vs_diag_set(c->diag, path, "unknown transport \"%s\" (expected one of: mmio)", s);
	return -EINVAL;
}

static int known_device_type(const char *type, char *list, size_t len)
{
	const char *const *t;
	int found = 0;

	list[0] = 0;
	for (t = vs_device_types(); *t; t++) {
		if (strcmp(*t, type) == 0)
			found = 1;
		if (list[0])
			strncat(list, ", ", len - strlen(list) - 1);
		strncat(list, *t, len - strlen(list) - 1);
	}
	return found;
}

static int parse_device(struct pctx *c, const cJSON *d, const char *path, size_t idx,
			struct vs_scn_device *out)
{
	static const char *const keys[] = {"type", "transport", "name", "queue_size",
					   "features_add", "features_remove", NULL};
	char p[PATH_MAX_LEN], tr[32] = "mmio", list[160];
	uint64_t v;
	int rc;

	if (!cJSON_IsObject(d)) {
		vs_diag_set(c->diag, path, "expected a device object, got %s", json_type_name(d));
		return -EINVAL;
	}
	if ((rc = check_keys(c, d, path, keys)) < 0)
		return rc;
	if ((rc = get_string(c, d, path, "type", 1, out->type, sizeof(out->type))) < 0)
		return rc;
	if (!known_device_type(out->type, list, sizeof(list))) {
		child_path(p, path, "type");
		vs_diag_set(c->diag, p, "unknown device type \"%s\" (expected one of: %s)",
			    out->type, list);
		return -EINVAL;
	}
	if ((rc = get_string(c, d, path, "transport", 0, tr, sizeof(tr))) < 0)
		return rc;
	child_path(p, path, "transport");
	if ((rc = parse_transport(c, p, tr, &out->transport)) < 0)
		return rc;
	snprintf(out->name, sizeof(out->name), "%.40s%zu", out->type, idx);
	if ((rc = get_string(c, d, path, "name", 0, out->name, sizeof(out->name))) < 0)
		return rc;
	if ((rc = get_int(c, d, path, "queue_size", 0, 1, 32768, &v)) < 0)
		return rc;
	out->queue_size = rc ? (uint32_t)v : 0;
	if ((rc = get_feature_bits(c, d, path, "features_add", &out->features_add)) < 0)
		return rc;
	return get_feature_bits(c, d, path, "features_remove", &out->features_remove) < 0
		       ? -EINVAL
		       : 0;
}

static int parse_machine(struct pctx *c, const cJSON *m, struct vs_scenario *s)
{
	static const char *const keys[] = {"seed", "memory_mb", "devices", NULL};
	const cJSON *devs, *d;
	char p[PATH_MAX_LEN];
	uint64_t v;
	size_t i = 0, j;
	int rc;

	if (!m) {
		vs_diag_set(c->diag, "machine", "missing required key (expected an object)");
		return -EINVAL;
	}
	if (!cJSON_IsObject(m)) {
		vs_diag_set(c->diag, "machine", "expected an object, got %s", json_type_name(m));
		return -EINVAL;
	}
	if ((rc = check_keys(c, m, "machine", keys)) < 0)
		return rc;
	s->seed = 1;
	if ((rc = get_int(c, m, "machine", "seed", 0, 0, 9007199254740991.0, &v)) < 0)
		return rc;
	if (rc) {
		s->seed = v;
		s->seed_given = 1;
	}
	s->memory = 16ull << 20;
	if ((rc = get_int(c, m, "machine", "memory_mb", 0, 1, 1024, &v)) < 0)
		return rc;
	if (rc)
		s->memory = v << 20;
	devs = cJSON_GetObjectItemCaseSensitive(m, "devices");
	if (!devs) {
		vs_diag_set(c->diag, "machine.devices",
			    "missing required key (expected an array of devices)");
		return -EINVAL;
	}
	if (!cJSON_IsArray(devs) || cJSON_GetArraySize(devs) < 1 ||
	    cJSON_GetArraySize(devs) > VS_SCN_MAX_DEVICES) {
		vs_diag_set(c->diag, "machine.devices", "expected an array of 1 to %d devices, got %s",
			    VS_SCN_MAX_DEVICES,
			    cJSON_IsArray(devs) ? "an array of another length" : json_type_name(devs));
		return -EINVAL;
	}
	cJSON_ArrayForEach(d, devs) {
		index_path(p, "machine.devices", i);
		if ((rc = parse_device(c, d, p, i, &s->devices[i])) < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(s->devices[j].name, s->devices[i].name) == 0) {
				vs_diag_set(c->diag, p, "device name \"%s\" is used twice",
					    s->devices[i].name);
				return -EINVAL;
			}
		i++;
	}
	s->n_devices = i;
	return 0;
}

struct op_desc {
	const char *name;
	enum vs_step_op op;
	const char *const *keys;
};

static const char *const k_dev[] = {"op", "device", "result", "comment", NULL};
static const char *const k_rng[] = {"op", "device", "result", "bytes", "count", "wait",
				    "comment", NULL};
static const char *const k_fault[] = {"op", "name", "on", "count", "probability", "comment",
				      NULL};
static const char *const k_expect[] = {"op", "violations", "comment", NULL};
static const char *const k_run[] = {"op", "ns", "comment", NULL};

static const struct op_desc ops[] = {
	{"probe", VS_STEP_PROBE, k_dev},   {"remove", VS_STEP_REMOVE, k_dev},
	{"reset", VS_STEP_RESET, k_dev},   {"rng.read", VS_STEP_RNG_READ, k_rng},
	{"fault", VS_STEP_FAULT, k_fault}, {"expect", VS_STEP_EXPECT, k_expect},
	{"run", VS_STEP_RUN, k_run},
};

const char *vs_step_op_name(enum vs_step_op op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "?";
}

const char *vs_transport_name(enum vs_transport_kind t)
{
	switch (t) {
	case VS_TRANSPORT_MMIO:
		return "mmio";
	}
	return "?";
}

static int parse_step_device(struct pctx *c, const cJSON *st, const char *path,
			     const struct vs_scenario *s, struct vs_scn_step *out)
{
	char name[VS_SCN_NAME_MAX], p[PATH_MAX_LEN];
	size_t i;
	int rc;

	out->device = -1;
	if ((rc = get_string(c, st, path, "device", 0, name, sizeof(name))) <= 0)
		return rc;
	for (i = 0; i < s->n_devices; i++)
		if (strcmp(s->devices[i].name, name) == 0) {
			out->device = (int)i;
			return 0;
		}
	child_path(p, path, "device");
	vs_diag_set(c->diag, p, "no device named \"%s\" in machine.devices", name);
	return -EINVAL;
}

static int parse_result(struct pctx *c, const cJSON *st, const char *path,
			struct vs_scn_step *out)
{
	char r[16], p[PATH_MAX_LEN];
	int rc;

	out->result = VS_RESULT_OK;
	if ((rc = get_string(c, st, path, "result", 0, r, sizeof(r))) <= 0)
		return rc;
	if (strcmp(r, "ok") == 0)
		out->result = VS_RESULT_OK;
	else if (strcmp(r, "error") == 0)
		out->result = VS_RESULT_ERROR;
	else if (strcmp(r, "any") == 0)
		out->result = VS_RESULT_ANY;
	else {
		child_path(p, path, "result");
		vs_diag_set(c->diag, p, "expected one of \"ok\", \"error\", \"any\", got \"%s\"", r);
		return -EINVAL;
	}
	return 0;
}

static int parse_fault(struct pctx *c, const cJSON *st, const char *path,
		       struct vs_scn_step *out)
{
	char name[VS_SCN_NAME_MAX], p[PATH_MAX_LEN];
	const struct vs_fault_info *fi;
	const cJSON *prob;
	uint64_t v;
	int on = 1, rc;

	if ((rc = get_string(c, st, path, "name", 1, name, sizeof(name))) < 0)
		return rc;
	fi = vs_fault_find(name);
	if (!fi) {
		child_path(p, path, "name");
		vs_diag_set(c->diag, p,
			    "unknown fault \"%s\" (`virtiosim faults` lists the catalogue)", name);
		return -EINVAL;
	}
	out->fault = fi->id;
	if (get_bool(c, st, path, "on", &on) < 0)
		return -EINVAL;
	out->fault_mode = on ? VS_FAULT_ALWAYS : VS_FAULT_OFF;
	if ((rc = get_int(c, st, path, "count", 0, 1, 1e9, &v)) < 0)
		return rc;
	if (rc) {
		out->fault_mode = VS_FAULT_COUNTED;
		out->fault_count = (uint32_t)v;
	}
	prob = cJSON_GetObjectItemCaseSensitive(st, "probability");
	if (prob) {
		child_path(p, path, "probability");
		if (!cJSON_IsNumber(prob) || !(prob->valuedouble > 0) || prob->valuedouble > 1) {
			vs_diag_set(c->diag, p, "expected a number in (0, 1], got %s",
				    cJSON_IsNumber(prob) ? "a number out of range"
							 : json_type_name(prob));
			return -EINVAL;
		}
		if (out->fault_mode == VS_FAULT_COUNTED) {
			vs_diag_set(c->diag, p, "give either count or probability, not both");
			return -EINVAL;
		}
		out->fault_mode = VS_FAULT_PROBABILITY;
		out->prob_den = 1000000;
		out->prob_num = (uint32_t)(prob->valuedouble * 1000000.0 + 0.5);
	}
	if (!on && out->fault_mode != VS_FAULT_OFF) {
		child_path(p, path, "on");
		vs_diag_set(c->diag, p, "a fault switched off takes no count or probability");
		return -EINVAL;
	}
	return 0;
}

static int parse_expect(struct pctx *c, const cJSON *st, const char *path,
			struct vs_scn_step *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, "violations"), *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	size_t i = 0;

	child_path(p, path, "violations");
	if (!v) {
		vs_diag_set(c->diag, p, "missing required key (expected an array of rule ids)");
		return -EINVAL;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > VS_SCN_MAX_EXPECT) {
		vs_diag_set(c->diag, p, "expected an array of at most %d rule ids, got %s",
			    VS_SCN_MAX_EXPECT, cJSON_IsArray(v) ? "more" : json_type_name(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		index_path(ep, p, i);
		if (!cJSON_IsString(e)) {
			vs_diag_set(c->diag, ep, "expected a rule id string, got %s",
				    json_type_name(e));
			return -EINVAL;
		}
		if (!vs_rule_find(e->valuestring)) {
			vs_diag_set(c->diag, ep,
				    "unknown rule id \"%s\" (`virtiosim rules` lists the catalogue)",
				    e->valuestring);
			return -EINVAL;
		}
		snprintf(out->expect[i], sizeof(out->expect[i]), "%s", e->valuestring);
		i++;
	}
	out->n_expect = i;
	return 0;
}

static int parse_step(struct pctx *c, const cJSON *st, const char *path,
		      const struct vs_scenario *s, struct vs_scn_step *out)
{
	const struct op_desc *od = NULL;
	char opname[32], p[PATH_MAX_LEN], list[160] = "";
	uint64_t v;
	size_t i;
	int rc;

	if (!cJSON_IsObject(st)) {
		vs_diag_set(c->diag, path, "expected a step object, got %s", json_type_name(st));
		return -EINVAL;
	}
	if ((rc = get_string(c, st, path, "op", 1, opname, sizeof(opname))) < 0)
		return rc;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, opname) == 0)
			od = &ops[i];
		strncat(list, ops[i].name, sizeof(list) - strlen(list) - 1);
		if (i + 1 < sizeof(ops) / sizeof(ops[0]))
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	if (!od) {
		child_path(p, path, "op");
		vs_diag_set(c->diag, p, "unknown op \"%s\" (expected one of: %s)", opname, list);
		return -EINVAL;
	}
	out->op = od->op;
	out->device = -1;
	if ((rc = check_keys(c, st, path, od->keys)) < 0)
		return rc;
	if (cJSON_GetObjectItemCaseSensitive(st, "comment") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "comment"))) {
		child_path(p, path, "comment");
		vs_diag_set(c->diag, p, "expected a string");
		return -EINVAL;
	}
	switch (od->op) {
	case VS_STEP_PROBE:
	case VS_STEP_REMOVE:
	case VS_STEP_RESET:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		return parse_result(c, st, path, out);
	case VS_STEP_RNG_READ:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		if ((rc = parse_result(c, st, path, out)) < 0)
			return rc;
		if ((rc = get_int(c, st, path, "bytes", 1, 1, 65536, &v)) < 0)
			return rc;
		out->bytes = (uint32_t)v;
		out->count = 1;
		if ((rc = get_int(c, st, path, "count", 0, 1, 1000000, &v)) < 0)
			return rc;
		if (rc)
			out->count = (uint32_t)v;
		out->wait = 1;
		return get_bool(c, st, path, "wait", &out->wait) < 0 ? -EINVAL : 0;
	case VS_STEP_FAULT:
		return parse_fault(c, st, path, out);
	case VS_STEP_EXPECT:
		return parse_expect(c, st, path, out);
	case VS_STEP_RUN:
		if ((rc = get_int(c, st, path, "ns", 0, 0, 3600e9, &v)) < 0)
			return rc;
		out->run_ns = rc ? v : 0;
		return 0;
	}
	return 0;
}

/* Does the text stop inside a string or an unclosed object or array?  Then
 * the file was cut short, which deserves its own words. */
static int looks_truncated(const char *text, size_t len)
{
	size_t i, depth = 0;
	int in_str = 0, esc = 0;

	for (i = 0; i < len; i++) {
		char ch = text[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if ((ch == '}' || ch == ']') && depth > 0) {
			depth--;
		}
	}
	return in_str || depth > 0;
}

static void syntax_error(struct vs_diag *diag, const char *text, size_t len, const char *at)
{
	size_t line = 1, col = 1;
	const char *q;

	if (!at || at < text || at > text + len)
		at = text + len;
	for (q = text; q < at; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (looks_truncated(text, len))
		vs_diag_set(diag, "", "line %zu column %zu: not valid JSON: unexpected end of input "
			    "(truncated file?)", line, col);
	else if (at >= text + len)
		vs_diag_set(diag, "", "line %zu column %zu: not valid JSON", line, col);
	else {
		char near[13];
		size_t k;

		/* Quote a few bytes, printable only: the diagnostic stays one line. */
		for (k = 0; k < 12 && at + k < text + len; k++)
			near[k] = (at[k] >= 0x20 && at[k] < 0x7f) ? at[k] : '?';
		near[k] = 0;
		vs_diag_set(diag, "", "line %zu column %zu: not valid JSON near '%s'", line, col,
			    near);
	}
}

int vs_scenario_parse(const char *file, const char *text, size_t len, struct vs_scenario *out,
		      struct vs_diag *diag)
{
	static const char *const keys[] = {"name", "description", "machine", "steps", NULL};
	struct pctx c = {diag, out};
	const char *end = NULL;
	const cJSON *steps, *st;
	cJSON *root;
	char p[PATH_MAX_LEN];
	size_t i = 0;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	snprintf(out->file, sizeof(out->file), "%s", file);
	if (diag) {
		memset(diag, 0, sizeof(*diag));
		snprintf(diag->file, sizeof(diag->file), "%s", file);
	}
	if (len == 0) {
		vs_diag_set(diag, "", "empty file (expected a JSON object)");
		return -EINVAL;
	}
	/* Trailing text is checked here, not by cJSON's require_null_terminated,
	 * which insists on a NUL inside the given length. */
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		syntax_error(diag, text, len, end);
		return -EINVAL;
	}
	while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' ||
					  *end == '\r'))
		end++;
	if (end && end < text + len) {
		syntax_error(diag, text, len, end);
		cJSON_Delete(root);
		return -EINVAL;
	}
	if (!cJSON_IsObject(root)) {
		vs_diag_set(diag, "$", "expected a JSON object at the top, got %s",
			    json_type_name(root));
		goto out_free_json;
	}
	if (check_keys(&c, root, "", keys) < 0)
		goto out_free_json;
	if (get_string(&c, root, "", "name", 1, out->name, sizeof(out->name)) < 0)
		goto out_free_json;
	if (get_string(&c, root, "", "description", 0, out->description,
		       sizeof(out->description)) < 0)
		goto out_free_json;
	if (parse_machine(&c, cJSON_GetObjectItemCaseSensitive(root, "machine"), out) < 0)
		goto out_free_json;
	steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	if (!steps) {
		vs_diag_set(diag, "steps", "missing required key (expected an array of steps)");
		goto out_free_json;
	}
	if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) < 1 ||
	    cJSON_GetArraySize(steps) > VS_SCN_MAX_STEPS) {
		vs_diag_set(diag, "steps", "expected an array of 1 to %d steps, got %s",
			    VS_SCN_MAX_STEPS,
			    cJSON_IsArray(steps) ? "an array of another length" : json_type_name(steps));
		goto out_free_json;
	}
	out->steps = calloc((size_t)cJSON_GetArraySize(steps), sizeof(*out->steps));
	if (!out->steps) {
		vs_diag_set(diag, "steps", "out of memory");
		rc = -ENOMEM;
		goto out_free_json;
	}
	cJSON_ArrayForEach(st, steps) {
		index_path(p, "steps", i);
		if (parse_step(&c, st, p, out, &out->steps[i]) < 0)
			goto out_free_steps;
		i++;
	}
	out->n_steps = i;
	cJSON_Delete(root);
	return 0;

out_free_steps:
	free(out->steps);
	out->steps = NULL;
out_free_json:
	cJSON_Delete(root);
	return rc;
}

int vs_scenario_load(const char *path, struct vs_scenario *out, struct vs_diag *diag)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	int rc;

	if (diag) {
		memset(diag, 0, sizeof(*diag));
		snprintf(diag->file, sizeof(diag->file), "%s", path);
	}
	memset(out, 0, sizeof(*out));
	if (!f) {
		vs_diag_set(diag, "", "cannot open: %s", strerror(errno));
		return -EIO;
	}
	do {
		if (len == cap) {
			char *nb;

			if (cap >= (64u << 20)) {
				vs_diag_set(diag, "", "file larger than 64 MiB");
				rc = -EINVAL;
				goto out_close;
			}
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				rc = -ENOMEM;
				vs_diag_set(diag, "", "out of memory");
				goto out_close;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		vs_diag_set(diag, "", "read error: %s", strerror(errno));
		rc = -EIO;
		goto out_close;
	}
	rc = vs_scenario_parse(path, buf, len, out, diag);
out_close:
	free(buf);
	fclose(f);
	return rc;
}

void vs_scenario_free(struct vs_scenario *s)
{
	if (!s)
		return;
	free(s->steps);
	s->steps = NULL;
	s->n_steps = 0;
}
