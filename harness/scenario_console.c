/*
 * scenario_console.c - the console parts of a scenario file
 * (docs/scenarios.md, "Console"): a console device's keys in
 * machine.devices and the console.* steps, each value checked where it is
 * read.  scenario.c and scenario_step.c call in here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "devices/console.h"
#include "harness/scenario.h"
#include "harness/scenario_internal.h"

/* Most bytes one step writes, injects or expects. */
#define CONSOLE_DATA_MAX 65536

_Static_assert(VS_SCN_CON_PORTS == VS_CONSOLE_MAX_PORTS, "a backend slot per port");

const char *const vs__scn_k_console_port[] = {"op", "device", "result", "port", "comment", NULL};
const char *const vs__scn_k_console_write[] = {"op", "device", "result", "port", "text", "bytes",
					       "count", "expect", "check", "comment", NULL};
const char *const vs__scn_k_console_input[] = {"op", "device", "result", "port", "text", "bytes",
					       "count", "comment", NULL};
const char *const vs__scn_k_console_read[] = {"op", "device", "result", "port", "text", "bytes",
					      "comment", NULL};
const char *const vs__scn_k_console_add[] = {"op", "device", "result", "port", "name", "console",
					     "comment", NULL};
const char *const vs__scn_k_console_resize[] = {"op", "device", "result", "port", "cols", "rows",
						"comment", NULL};
const char *const vs__scn_k_console_emerg[] = {"op", "device", "result", "text", "bytes", "check",
					       "comment", NULL};

/* Digits of the largest process id Linux hands out (pid_max 4194304). */
#define PID_DIGITS_MAX 7

/*
 * "pipe": a socket path of 1..VS_SCN_CON_PATH_MAX-1 bytes, "{pid}" (its
 * first occurrence) replaced by the process id so runs side by side do
 * not bind the same name.  With "{pid}" the length is judged for the
 * longest process id, so a file valid in one run is valid in every run.
 * The socket file goes with the device.
 */
static int get_pipe_path(struct pctx *c, const cJSON *e, const char *path,
			 struct vs_scn_con_backend *b)
{
	char raw[VS_SCN_CON_PATH_MAX], p[PATH_MAX_LEN], *at;
	size_t longest;
	int rc;

	if ((rc = vs__scn_get_string(c, e, path, "pipe", 1, raw, sizeof(raw))) < 0)
		return rc;
	at = strstr(raw, "{pid}");
	if (!at) {
		memcpy(b->pipe, raw, sizeof(raw));
		return 0;
	}
	longest = strlen(raw) - strlen("{pid}") + PID_DIGITS_MAX;
	if (longest >= sizeof(b->pipe)) {
		vs__scn_child_path(p, path, "pipe");
		vs_diag_set(c->diag, p, "with {pid} replaced (up to %d digits) the path may have "
			    "%zu characters, at most %d", PID_DIGITS_MAX, longest,
			    VS_SCN_CON_PATH_MAX - 1);
		return -EINVAL;
	}
	*at = '\0';
	rc = snprintf(b->pipe, sizeof(b->pipe), "%s%ld%s", raw, (long)getpid(), at + 5);
	return rc > 0 && (size_t)rc < sizeof(b->pipe) ? 0 : -EINVAL; /* fits: checked above */
}

/*
 * One element of "backends": {"port": n, "tcp": 0..65535} or {"port": n,
 * "pipe": path}, for a port below ports and not listed before.
 */
static int parse_backend(struct pctx *c, const cJSON *e, const char *path, int idx,
			 struct vs_scn_device *out)
{
	static const char *const keys[] = {"port", "tcp", "pipe", NULL};
	const cJSON *tcp = cJSON_GetObjectItemCaseSensitive(e, "tcp");
	const cJSON *pipe = cJSON_GetObjectItemCaseSensitive(e, "pipe");
	struct vs_scn_con_backend *b;
	char p[PATH_MAX_LEN];
	uint64_t v;
	int rc;

	if (!cJSON_IsObject(e)) {
		vs_diag_set(c->diag, path, "expected a backend object {\"port\": n, \"tcp\": port} "
			    "or {\"port\": n, \"pipe\": path}, got %s", vs__scn_json_type(e));
		return -EINVAL;
	}
	if ((rc = vs__scn_check_keys(c, e, path, keys)) < 0)
		return rc;
	if ((rc = vs__scn_get_int(c, e, path, "port", 1, 0, VS_CONSOLE_MAX_PORTS - 1, &v)) < 0)
		return rc;
	vs__scn_child_path(p, path, "port");
	if (v >= out->ports) {
		vs_diag_set(c->diag, p, "port %llu does not exist: the device has %u port%s "
			    "(\"ports\")", (unsigned long long)v, out->ports,
			    out->ports == 1 ? "" : "s");
		return -EINVAL;
	}
	b = &out->con_backend[v];
	if (b->kind != VS_SCN_CON_BUFFER) {
		vs_diag_set(c->diag, p, "port %llu already has a backend (backends[%d])",
			    (unsigned long long)v, b->index);
		return -EINVAL;
	}
	if (tcp && pipe) {
		vs__scn_child_path(p, path, "pipe");
		vs_diag_set(c->diag, p, "give either \"tcp\" or \"pipe\", not both");
		return -EINVAL;
	}
	if (!tcp && !pipe) {
		vs__scn_child_path(p, path, "tcp");
		vs_diag_set(c->diag, p, "missing required key (expected \"tcp\": a port 0..65535, "
			    "or \"pipe\": a socket path)");
		return -EINVAL;
	}
	b->index = idx;
	if (pipe) {
		if ((rc = get_pipe_path(c, e, path, b)) < 0)
			return rc;
		b->kind = VS_SCN_CON_PIPE;
		return 0;
	}
	if ((rc = vs__scn_get_int(c, e, path, "tcp", 1, 0, 65535, &v)) < 0)
		return rc;
	b->tcp_port = (uint16_t)v;
	b->kind = VS_SCN_CON_TCP;
	return 0;
}

/* "backends": an array of backend objects, at most one per port. */
static int parse_backends(struct pctx *c, const cJSON *d, const char *path,
			  struct vs_scn_device *out)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(d, "backends"), *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	int i = 0, rc;

	memset(out->con_backend, 0, sizeof(out->con_backend));
	if (!list)
		return 0;
	vs__scn_child_path(p, path, "backends");
	if (!cJSON_IsArray(list)) {
		vs_diag_set(c->diag, p, "expected an array of backend objects, got %s",
			    vs__scn_json_type(list));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, list) {
		vs__scn_index_path(ep, p, (size_t)i);
		if ((rc = parse_backend(c, e, ep, i, out)) < 0)
			return rc;
		i++;
	}
	return 0;
}

int vs__scn_parse_console_device(struct pctx *c, const cJSON *d, const char *path,
				 struct vs_scn_device *out)
{
	static const char *const keys[] = {"ports", "cols", "rows", "backends"};
	char p[PATH_MAX_LEN];
	uint64_t v;
	int rc;

	if (strcmp(out->type, "console") != 0) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (!cJSON_GetObjectItemCaseSensitive(d, keys[k]))
				continue;
			vs__scn_child_path(p, path, keys[k]);
			vs_diag_set(c->diag, p, "applies to a console device only (this one is \"%s\")",
				    out->type);
			return -EINVAL;
		}
		return 0;
	}
	if ((rc = vs__scn_get_int(c, d, path, "ports", 0, 1, VS_CONSOLE_MAX_PORTS, &v)) < 0)
		return rc;
	out->ports = rc ? (uint32_t)v : 1;
	if ((rc = vs__scn_get_int(c, d, path, "cols", 0, 1, 65535, &v)) < 0)
		return rc;
	out->cols = rc ? (uint16_t)v : 0;
	if ((rc = vs__scn_get_int(c, d, path, "rows", 0, 1, 65535, &v)) < 0)
		return rc;
	out->rows = rc ? (uint16_t)v : 0;
	return parse_backends(c, d, path, out);
}

/*
 * The data of a step: "text" (a string of 1..CONSOLE_DATA_MAX bytes) or
 * "bytes" (an array of 1..CONSOLE_DATA_MAX byte values), exactly one when
 * required.  Copied to the heap: *buf, *len.
 */
static int get_data(struct pctx *c, const cJSON *st, const char *path, const char *tkey,
		    const char *bkey, int required, uint8_t **buf, uint32_t *len)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(st, tkey);
	const cJSON *b = bkey ? cJSON_GetObjectItemCaseSensitive(st, bkey) : NULL, *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	size_t i = 0, n;

	if (t && b) {
		vs__scn_child_path(p, path, bkey);
		vs_diag_set(c->diag, p, "give either \"%s\" or \"%s\", not both", tkey, bkey);
		return -EINVAL;
	}
	if (!t && !b) {
		if (!required)
			return 0;
		vs__scn_child_path(p, path, tkey);
		vs_diag_set(c->diag, p, "missing required key (expected a string%s)",
			    bkey ? ", or \"bytes\": an array of byte values" : "");
		return -EINVAL;
	}
	if (t) {
		vs__scn_child_path(p, path, tkey);
		if (!cJSON_IsString(t)) {
			vs_diag_set(c->diag, p, "expected a string, got %s", vs__scn_json_type(t));
			return -EINVAL;
		}
		n = strlen(t->valuestring);
		if (n < 1 || n > CONSOLE_DATA_MAX) {
			vs_diag_set(c->diag, p, "expected a string of 1 to %d bytes, got %zu",
				    CONSOLE_DATA_MAX, n);
			return -EINVAL;
		}
		*buf = malloc(n);
		if (!*buf) {
			vs_diag_set(c->diag, p, "out of memory");
			return -ENOMEM;
		}
		memcpy(*buf, t->valuestring, n);
		*len = (uint32_t)n;
		return 1;
	}
	vs__scn_child_path(p, path, bkey);
	if (!cJSON_IsArray(b) || cJSON_GetArraySize(b) < 1 ||
	    cJSON_GetArraySize(b) > CONSOLE_DATA_MAX) {
		vs_diag_set(c->diag, p, "expected an array of 1 to %d byte values 0..255, got %s",
			    CONSOLE_DATA_MAX,
			    cJSON_IsArray(b) ? "an array of another length" : vs__scn_json_type(b));
		return -EINVAL;
	}
	*buf = malloc((size_t)cJSON_GetArraySize(b));
	if (!*buf) {
		vs_diag_set(c->diag, p, "out of memory");
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, b) {
		vs__scn_index_path(ep, p, i);
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 0 || e->valuedouble > 255) {
			vs_diag_set(c->diag, ep, "expected a byte value 0..255, got %s",
				    cJSON_IsNumber(e) ? "a number out of range" : vs__scn_json_type(e));
			free(*buf);
			*buf = NULL;
			return -EINVAL;
		}
		(*buf)[i++] = (uint8_t)e->valuedouble;
	}
	*len = (uint32_t)i;
	return 1;
}

/* "port": 0 .. VS_CONSOLE_MAX_PORTS - 1, default 0.  Whether the device
 * has that many ports is a run-time question (the step then fails). */
static int get_port(struct pctx *c, const cJSON *st, const char *path, struct vs_scn_step *out)
{
	uint64_t v;
	int rc = vs__scn_get_int(c, st, path, "port", 0, 0, VS_CONSOLE_MAX_PORTS - 1, &v);

	out->port = rc > 0 ? (uint32_t)v : 0;
	return rc < 0 ? rc : 0;
}

int vs__scn_parse_console_step(struct pctx *c, const cJSON *st, const char *path,
			       struct vs_scn_step *out)
{
	uint64_t v;
	int rc;

	out->check = 1;
	out->count = 1;
	if (out->op != VS_STEP_CONSOLE_EMERG_WRITE && (rc = get_port(c, st, path, out)) < 0)
		return rc;
	switch (out->op) {
	case VS_STEP_CONSOLE_WRITE:
		if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, 100000, &v)) < 0)
			return rc;
		if (rc)
			out->count = (uint32_t)v;
		rc = get_data(c, st, path, "expect", NULL, 0, &out->expect_out, &out->expect_len);
		if (rc < 0)
			return rc;
		out->expect_given = rc;
		/* and the data and check, as emerg-write */
		/* fall through */
	case VS_STEP_CONSOLE_EMERG_WRITE:
		if (vs__scn_get_bool(c, st, path, "check", &out->check) < 0)
			return -EINVAL;
		return get_data(c, st, path, "text", "bytes", 1, &out->data, &out->data_len) < 0
			       ? -EINVAL
			       : 0;
	case VS_STEP_CONSOLE_INPUT:
		if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, 100000, &v)) < 0)
			return rc;
		if (rc)
			out->count = (uint32_t)v;
		/* fall through */
	case VS_STEP_CONSOLE_READ:
		return get_data(c, st, path, "text", "bytes", 1, &out->data, &out->data_len) < 0
			       ? -EINVAL
			       : 0;
	case VS_STEP_CONSOLE_HOT_ADD:
		rc = vs__scn_get_string(c, st, path, "name", 0, out->port_name,
					sizeof(out->port_name));
		if (rc < 0)
			return rc;
		return vs__scn_get_bool(c, st, path, "console", &out->console_port) < 0 ? -EINVAL : 0;
	case VS_STEP_CONSOLE_RESIZE:
		if ((rc = vs__scn_get_int(c, st, path, "cols", 1, 0, 65535, &v)) < 0)
			return rc;
		out->cols = (uint16_t)v;
		if ((rc = vs__scn_get_int(c, st, path, "rows", 1, 0, 65535, &v)) < 0)
			return rc;
		out->rows = (uint16_t)v;
		return 0;
	default:
		return 0;
	}
}

void vs__scn_free_console_step(struct vs_scn_step *st)
{
	free(st->data);
	free(st->expect_out);
	st->data = st->expect_out = NULL;
}
