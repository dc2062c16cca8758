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
#include "harness/scenario_internal.h"

const char *vs__scn_json_type(const cJSON *v)
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

void vs__scn_child_path(char *dst, const char *parent, const char *key)
{
	if (snprintf(dst, PATH_MAX_LEN, "%s%s%s", parent, parent[0] ? "." : "", key) >=
	    PATH_MAX_LEN)
		memcpy(dst + PATH_MAX_LEN - 4, "...", 4);
}

void vs__scn_index_path(char *dst, const char *parent, size_t i)
{
	if (snprintf(dst, PATH_MAX_LEN, "%s[%zu]", parent, i) >= PATH_MAX_LEN)
		memcpy(dst + PATH_MAX_LEN - 4, "...", 4);
}

int vs__scn_check_keys(struct pctx *c, const cJSON *obj, const char *path,
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
		vs__scn_child_path(p, path, k->string);
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

int vs__scn_get_string(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		       int required, char *out, size_t outlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];

	vs__scn_child_path(p, path, key);
	if (!v) {
		if (!required)
			return 0;
		vs_diag_set(c->diag, p, "missing required key (expected a string)");
		return -EINVAL;
	}
	if (!cJSON_IsString(v)) {
		vs_diag_set(c->diag, p, "expected a string, got %s", vs__scn_json_type(v));
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
int vs__scn_get_int(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		    int required, double min, double max, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];
	double d;

	vs__scn_child_path(p, path, key);
	if (!v) {
		if (!required)
			return 0;
		vs_diag_set(c->diag, p, "missing required key (expected an integer in %.0f..%.0f)",
			    min, max);
		return -EINVAL;
	}
	if (!cJSON_IsNumber(v)) {
		vs_diag_set(c->diag, p, "expected an integer in %.0f..%.0f, got %s", min, max,
			    vs__scn_json_type(v));
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

int vs__scn_get_bool(struct pctx *c, const cJSON *obj, const char *path, const char *key,
		     int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char p[PATH_MAX_LEN];

	if (!v)
		return 0;
	vs__scn_child_path(p, path, key);
	if (!cJSON_IsBool(v)) {
		vs_diag_set(c->diag, p, "expected true or false, got %s", vs__scn_json_type(v));
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
	vs__scn_child_path(p, path, key);
	if (!cJSON_IsArray(v)) {
		vs_diag_set(c->diag, p, "expected an array of feature bit numbers 0..63, got %s",
			    vs__scn_json_type(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		vs__scn_index_path(ep, p, i++);
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 0 || e->valuedouble > 63) {
			vs_diag_set(c->diag, ep, "expected a feature bit number 0..63, got %s",
				    cJSON_IsNumber(e) ? "a number out of range" : vs__scn_json_type(e));
			return -EINVAL;
		}
		*out |= 1ull << (unsigned)e->valuedouble;
	}
	return 1;
}

static const char *const transport_names[] = {
	[VS_TRANSPORT_MMIO] = "mmio",
	[VS_TRANSPORT_MMIO_LEGACY] = "mmio-legacy",
	[VS_TRANSPORT_PCI] = "pci",
	[VS_TRANSPORT_PCI_LEGACY] = "pci-legacy",
};

static const char *const ring_names[] = {
	[VS_RING_SPLIT] = "split",
	[VS_RING_PACKED] = "packed",
};

int vs__scn_name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int parse_transport(struct pctx *c, const char *path, const char *s,
			   enum vs_transport_kind *t)
{
	int i = vs__scn_name_index(transport_names,
				   sizeof(transport_names) / sizeof(transport_names[0]), s);

	if (i >= 0) {
		*t = (enum vs_transport_kind)i;
		return 0;
	}
	vs_diag_set(c->diag, path,
		    "unknown transport \"%s\" (expected one of: mmio, mmio-legacy, pci, pci-legacy)",
		    s);
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
					   "msix_vectors", "features_add", "features_remove",
					   "ports", "cols", "rows", "backends", "capacity_sectors",
					   "read_only", "queues", "seg_max", "serial", "backend",
					   "ioerr_sectors", "endurance_sectors", "worn_sectors", "mac",
					   "mtu", "queue_pairs", "link", "peer", NULL};
	char p[PATH_MAX_LEN], tr[32] = "mmio", list[160];
	uint64_t v;
	int rc;

	if (!cJSON_IsObject(d)) {
		vs_diag_set(c->diag, path, "expected a device object, got %s", vs__scn_json_type(d));
		return -EINVAL;
	}
	if ((rc = vs__scn_check_keys(c, d, path, keys)) < 0)
		return rc;
	if ((rc = vs__scn_get_string(c, d, path, "type", 1, out->type, sizeof(out->type))) < 0)
		return rc;
	if (!known_device_type(out->type, list, sizeof(list))) {
		vs__scn_child_path(p, path, "type");
		vs_diag_set(c->diag, p, "unknown device type \"%s\" (expected one of: %s)",
			    out->type, list);
		return -EINVAL;
	}
	if ((rc = vs__scn_get_string(c, d, path, "transport", 0, tr, sizeof(tr))) < 0)
		return rc;
	vs__scn_child_path(p, path, "transport");
	if ((rc = parse_transport(c, p, tr, &out->transport)) < 0)
		return rc;
	snprintf(out->name, sizeof(out->name), "%.40s%zu", out->type, idx);
	if ((rc = vs__scn_get_string(c, d, path, "name", 0, out->name, sizeof(out->name))) < 0)
		return rc;
	if ((rc = vs__scn_get_int(c, d, path, "queue_size", 0, 1, 32768, &v)) < 0)
		return rc;
	out->queue_size = rc ? (uint32_t)v : 0;
	if ((rc = vs__scn_get_int(c, d, path, "msix_vectors", 0, 0, 2048, &v)) < 0)
		return rc;
	out->msix_vectors = rc ? (int)v : VS_SCN_MSIX_DEFAULT;
	if (rc && !vs_transport_is_pci(out->transport)) {
		vs__scn_child_path(p, path, "msix_vectors");
		vs_diag_set(c->diag, p,
			    "applies to the PCI transports only (this device's transport is \"%s\")",
			    transport_names[out->transport]);
		return -EINVAL;
	}
	if ((rc = vs__scn_parse_console_device(c, d, path, out)) < 0)
		return rc;
	if ((rc = vs__scn_parse_blk_device(c, d, path, out)) < 0)
		return rc;
	if ((rc = vs__scn_parse_net_device(c, d, path, out)) < 0)
		return rc;
	if ((rc = get_feature_bits(c, d, path, "features_add", &out->features_add)) < 0)
		return rc;
	return get_feature_bits(c, d, path, "features_remove", &out->features_remove) < 0
		       ? -EINVAL
		       : 0;
}

static int parse_machine(struct pctx *c, const cJSON *m, struct vs_scenario *s)
{
	static const char *const keys[] = {"seed", "memory_mb", "ring", "devices", NULL};
	const cJSON *devs, *d;
	char p[PATH_MAX_LEN], ring[16] = "split";
	uint64_t v;
	size_t i = 0, j;
	int rc;

	if (!m) {
		vs_diag_set(c->diag, "machine", "missing required key (expected an object)");
		return -EINVAL;
	}
	if (!cJSON_IsObject(m)) {
		vs_diag_set(c->diag, "machine", "expected an object, got %s", vs__scn_json_type(m));
		return -EINVAL;
	}
	if ((rc = vs__scn_check_keys(c, m, "machine", keys)) < 0)
		return rc;
	s->seed = 1;
	if ((rc = vs__scn_get_int(c, m, "machine", "seed", 0, 0, 9007199254740991.0, &v)) < 0)
		return rc;
	if (rc) {
		s->seed = v;
		s->seed_given = 1;
	}
	s->memory = 16ull << 20;
	if ((rc = vs__scn_get_int(c, m, "machine", "memory_mb", 0, 1, 1024, &v)) < 0)
		return rc;
	if (rc)
		s->memory = v << 20;
	if ((rc = vs__scn_get_string(c, m, "machine", "ring", 0, ring, sizeof(ring))) < 0)
		return rc;
	rc = vs__scn_name_index(ring_names, sizeof(ring_names) / sizeof(ring_names[0]), ring);
	if (rc < 0) {
		vs_diag_set(c->diag, "machine.ring",
			    "unknown ring layout \"%s\" (expected one of: split, packed)", ring);
		return -EINVAL;
	}
	s->ring = (enum vs_ring_kind)rc;
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
			    cJSON_IsArray(devs) ? "an array of another length" : vs__scn_json_type(devs));
		return -EINVAL;
	}
	cJSON_ArrayForEach(d, devs) {
		vs__scn_index_path(p, "machine.devices", i);
		if ((rc = parse_device(c, d, p, i, &s->devices[i])) < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(s->devices[j].name, s->devices[i].name) == 0) {
				vs_diag_set(c->diag, p, "device name \"%s\" is used twice",
					    s->devices[i].name);
				return -EINVAL;
			}
		/* The packed layout is VIRTIO 1.x: no legacy interface has it. */
		if (s->ring == VS_RING_PACKED && vs_transport_is_legacy(s->devices[i].transport)) {
			char tp[PATH_MAX_LEN];

			vs__scn_child_path(tp, p, "transport");
			vs_diag_set(c->diag, tp,
				    "transport \"%s\" cannot carry machine.ring \"packed\" (a "
				    "legacy interface has only split rings)",
				    transport_names[s->devices[i].transport]);
			return -EINVAL;
		}
		i++;
	}
	s->n_devices = i;
	return vs__scn_resolve_net_peers(c, devs, s);
}

const char *vs_transport_name(enum vs_transport_kind t)
{
	if ((size_t)t < sizeof(transport_names) / sizeof(transport_names[0]))
		return transport_names[t];
	return "?";
}

const char *vs_ring_name(enum vs_ring_kind r)
{
	if ((size_t)r < sizeof(ring_names) / sizeof(ring_names[0]))
		return ring_names[r];
	return "?";
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
			    vs__scn_json_type(root));
		goto out_free_json;
	}
	if (vs__scn_check_keys(&c, root, "", keys) < 0)
		goto out_free_json;
	if (vs__scn_get_string(&c, root, "", "name", 1, out->name, sizeof(out->name)) < 0)
		goto out_free_json;
	if (vs__scn_get_string(&c, root, "", "description", 0, out->description,
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
			    cJSON_IsArray(steps) ? "an array of another length" : vs__scn_json_type(steps));
		goto out_free_json;
	}
	out->steps = calloc((size_t)cJSON_GetArraySize(steps), sizeof(*out->steps));
	if (!out->steps) {
		vs_diag_set(diag, "steps", "out of memory");
		rc = -ENOMEM;
		goto out_free_json;
	}
	cJSON_ArrayForEach(st, steps) {
		vs__scn_index_path(p, "steps", i);
		if (vs__scn_parse_step(&c, st, p, out, &out->steps[i]) < 0)
			goto out_free_steps;
		i++;
	}
	out->n_steps = i;
	cJSON_Delete(root);
	return 0;

out_free_steps:
	for (size_t k = 0; k <= i && k < (size_t)cJSON_GetArraySize(steps); k++)
		vs__scn_free_console_step(&out->steps[k]);
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
	for (size_t k = 0; s->steps && k < s->n_steps; k++)
		vs__scn_free_console_step(&s->steps[k]);
	free(s->steps);
	s->steps = NULL;
	s->n_steps = 0;
}
