/*
 * scenario_step.c - the steps of a scenario file (docs/scenarios.md,
 * "Steps"): the op table with the keys each op takes, and the checks of
 * each op's values.  The machine and the file as a whole are parsed in
 * scenario.c; the JSON helpers both use are in scenario_internal.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness/faults.h"
#include "harness/rules.h"
#include "harness/scenario.h"
#include "harness/scenario_internal.h"

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
static const char *const k_expect[] = {"op", "violations", "interrupt", "device", "comment",
				       NULL};
static const char *const k_run[] = {"op", "ns", "comment", NULL};
static const char *const k_config[] = {"op", "device", "result", "offset", "bytes", "comment",
				       NULL};

static const struct op_desc ops[] = {
	{"probe", VS_STEP_PROBE, k_dev},   {"remove", VS_STEP_REMOVE, k_dev},
	{"reset", VS_STEP_RESET, k_dev},   {"rng.read", VS_STEP_RNG_READ, k_rng},
	{"fault", VS_STEP_FAULT, k_fault}, {"expect", VS_STEP_EXPECT, k_expect},
	{"run", VS_STEP_RUN, k_run},
	{"config.change", VS_STEP_CONFIG_CHANGE, k_config},
	{"console.open", VS_STEP_CONSOLE_OPEN, vs__scn_k_console_port},
	{"console.close", VS_STEP_CONSOLE_CLOSE, vs__scn_k_console_port},
	{"console.write", VS_STEP_CONSOLE_WRITE, vs__scn_k_console_write},
	{"console.input", VS_STEP_CONSOLE_INPUT, vs__scn_k_console_input},
	{"console.read", VS_STEP_CONSOLE_READ, vs__scn_k_console_read},
	{"console.hot-add", VS_STEP_CONSOLE_HOT_ADD, vs__scn_k_console_add},
	{"console.remove-port", VS_STEP_CONSOLE_REMOVE_PORT, vs__scn_k_console_port},
	{"console.resize", VS_STEP_CONSOLE_RESIZE, vs__scn_k_console_resize},
	{"console.emerg-write", VS_STEP_CONSOLE_EMERG_WRITE, vs__scn_k_console_emerg},
	{"blk.write", VS_STEP_BLK_WRITE, vs__scn_k_blk_write},
	{"blk.read", VS_STEP_BLK_READ, vs__scn_k_blk_read},
	{"blk.flush", VS_STEP_BLK_FLUSH, vs__scn_k_blk_plain},
	{"blk.discard", VS_STEP_BLK_DISCARD, vs__scn_k_blk_range},
	{"blk.write-zeroes", VS_STEP_BLK_WRITE_ZEROES, vs__scn_k_blk_range},
	{"blk.get-id", VS_STEP_BLK_GET_ID, vs__scn_k_blk_get_id},
	{"blk.secure-erase", VS_STEP_BLK_SECURE_ERASE, vs__scn_k_blk_range},
	{"blk.get-lifetime", VS_STEP_BLK_GET_LIFETIME, vs__scn_k_blk_get_lifetime},
	{"net.send", VS_STEP_NET_SEND, vs__scn_k_net_send},
	{"net.expect", VS_STEP_NET_EXPECT, vs__scn_k_net_expect},
	{"net.rx-mode", VS_STEP_NET_RX_MODE, vs__scn_k_net_rx_mode},
	{"net.mac-table", VS_STEP_NET_MAC_TABLE, vs__scn_k_net_mac_table},
	{"net.set-mac", VS_STEP_NET_SET_MAC, vs__scn_k_net_set_mac},
	{"net.vlan", VS_STEP_NET_VLAN, vs__scn_k_net_vlan},
	{"net.link", VS_STEP_NET_LINK, vs__scn_k_net_link},
	{"net.queue-pairs", VS_STEP_NET_QUEUE_PAIRS, vs__scn_k_net_queue_pairs},
	{"net.announce", VS_STEP_NET_ANNOUNCE, vs__scn_k_net_plain},
};

const char *vs_step_op_name(enum vs_step_op op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "?";
}

static int parse_step_device(struct pctx *c, const cJSON *st, const char *path,
			     const struct vs_scenario *s, struct vs_scn_step *out)
{
	char name[VS_SCN_NAME_MAX], p[PATH_MAX_LEN];
	size_t i;
	int rc;

	out->device = -1;
	if ((rc = vs__scn_get_string(c, st, path, "device", 0, name, sizeof(name))) <= 0)
		return rc;
	for (i = 0; i < s->n_devices; i++)
		if (strcmp(s->devices[i].name, name) == 0) {
			out->device = (int)i;
			return 0;
		}
	vs__scn_child_path(p, path, "device");
	vs_diag_set(c->diag, p, "no device named \"%s\" in machine.devices", name);
	return -EINVAL;
}

static int parse_result(struct pctx *c, const cJSON *st, const char *path,
			struct vs_scn_step *out)
{
	char r[16], p[PATH_MAX_LEN];
	int rc;

	out->result = VS_RESULT_OK;
	if ((rc = vs__scn_get_string(c, st, path, "result", 0, r, sizeof(r))) <= 0)
		return rc;
	if (strcmp(r, "ok") == 0)
		out->result = VS_RESULT_OK;
	else if (strcmp(r, "error") == 0)
		out->result = VS_RESULT_ERROR;
	else if (strcmp(r, "any") == 0)
		out->result = VS_RESULT_ANY;
	else {
		vs__scn_child_path(p, path, "result");
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

	if ((rc = vs__scn_get_string(c, st, path, "name", 1, name, sizeof(name))) < 0)
		return rc;
	fi = vs_fault_find(name);
	if (!fi) {
		vs__scn_child_path(p, path, "name");
		vs_diag_set(c->diag, p,
			    "unknown fault \"%s\" (`virtiosim faults` lists the catalogue)", name);
		return -EINVAL;
	}
	out->fault = fi->id;
	if (vs__scn_get_bool(c, st, path, "on", &on) < 0)
		return -EINVAL;
	out->fault_mode = on ? VS_FAULT_ALWAYS : VS_FAULT_OFF;
	if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, 1e9, &v)) < 0)
		return rc;
	if (rc) {
		out->fault_mode = VS_FAULT_COUNTED;
		out->fault_count = (uint32_t)v;
	}
	prob = cJSON_GetObjectItemCaseSensitive(st, "probability");
	if (prob) {
		vs__scn_child_path(p, path, "probability");
		if (!cJSON_IsNumber(prob) || !(prob->valuedouble > 0) || prob->valuedouble > 1) {
			vs_diag_set(c->diag, p, "expected a number in (0, 1], got %s",
				    cJSON_IsNumber(prob) ? "a number out of range"
							 : vs__scn_json_type(prob));
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
		vs__scn_child_path(p, path, "on");
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

	vs__scn_child_path(p, path, "violations");
	if (!v) {
		vs_diag_set(c->diag, p, "missing required key (expected an array of rule ids)");
		return -EINVAL;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > VS_SCN_MAX_EXPECT) {
		vs_diag_set(c->diag, p, "expected an array of at most %d rule ids, got %s",
			    VS_SCN_MAX_EXPECT, cJSON_IsArray(v) ? "more" : vs__scn_json_type(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		vs__scn_index_path(ep, p, i);
		if (!cJSON_IsString(e)) {
			vs_diag_set(c->diag, ep, "expected a rule id string, got %s",
				    vs__scn_json_type(e));
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

/* expect's optional interrupt mode: one of vs_guest_irq_mode's words. */
static int parse_expect_interrupt(struct pctx *c, const cJSON *st, const char *path,
				  struct vs_scn_step *out)
{
	static const char *const modes[] = {"msix-per-vq", "msix-shared", "msix-single",
					    "intx", "mmio", "none"};
	char p[PATH_MAX_LEN];
	int rc;

	rc = vs__scn_get_string(c, st, path, "interrupt", 0, out->interrupt, sizeof(out->interrupt));
	if (rc <= 0)
		return rc;
	if (vs__scn_name_index(modes, sizeof(modes) / sizeof(modes[0]), out->interrupt) >= 0)
		return 0;
	vs__scn_child_path(p, path, "interrupt");
	vs_diag_set(c->diag, p,
		    "unknown interrupt mode \"%s\" (expected one of: msix-per-vq, msix-shared, "
		    "msix-single, intx, mmio, none)",
		    out->interrupt);
	return -EINVAL;
}

/* config.change: bytes is an array of 0..VS_SCN_CONFIG_MAX byte values. */
static int parse_config_change(struct pctx *c, const cJSON *st, const char *path,
			       struct vs_scn_step *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, "bytes"), *e;
	char p[PATH_MAX_LEN], ep[PATH_MAX_LEN];
	uint64_t off;
	size_t i = 0;
	int rc;

	if ((rc = vs__scn_get_int(c, st, path, "offset", 0, 0, 4095, &off)) < 0)
		return rc;
	out->cfg_offset = rc ? (uint32_t)off : 0;
	out->cfg_len = 0;
	if (!v)
		return 0;
	vs__scn_child_path(p, path, "bytes");
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > VS_SCN_CONFIG_MAX) {
		vs_diag_set(c->diag, p, "expected an array of at most %d byte values 0..255, got %s",
			    VS_SCN_CONFIG_MAX, cJSON_IsArray(v) ? "more" : vs__scn_json_type(v));
		return -EINVAL;
	}
	cJSON_ArrayForEach(e, v) {
		vs__scn_index_path(ep, p, i);
		if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) ||
		    e->valuedouble < 0 || e->valuedouble > 255) {
			vs_diag_set(c->diag, ep, "expected a byte value 0..255, got %s",
				    cJSON_IsNumber(e) ? "a number out of range" : vs__scn_json_type(e));
			return -EINVAL;
		}
		out->cfg_bytes[i++] = (uint8_t)e->valuedouble;
	}
	out->cfg_len = (uint32_t)i;
	return 0;
}

int vs__scn_parse_step(struct pctx *c, const cJSON *st, const char *path,
		       const struct vs_scenario *s, struct vs_scn_step *out)
{
	const struct op_desc *od = NULL;
	char opname[32], p[PATH_MAX_LEN], list[512] = "";
	uint64_t v;
	size_t i;
	int rc;

	if (!cJSON_IsObject(st)) {
		vs_diag_set(c->diag, path, "expected a step object, got %s", vs__scn_json_type(st));
		return -EINVAL;
	}
	if ((rc = vs__scn_get_string(c, st, path, "op", 1, opname, sizeof(opname))) < 0)
		return rc;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, opname) == 0)
			od = &ops[i];
		strncat(list, ops[i].name, sizeof(list) - strlen(list) - 1);
		if (i + 1 < sizeof(ops) / sizeof(ops[0]))
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
	}
	if (!od) {
		vs__scn_child_path(p, path, "op");
		vs_diag_set(c->diag, p, "unknown op \"%s\" (expected one of: %s)", opname, list);
		return -EINVAL;
	}
	out->op = od->op;
	out->device = -1;
	if ((rc = vs__scn_check_keys(c, st, path, od->keys)) < 0)
		return rc;
	if (cJSON_GetObjectItemCaseSensitive(st, "comment") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "comment"))) {
		vs__scn_child_path(p, path, "comment");
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
		if ((rc = vs__scn_get_int(c, st, path, "bytes", 1, 1, 65536, &v)) < 0)
			return rc;
		out->bytes = (uint32_t)v;
		out->count = 1;
		if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, 1000000, &v)) < 0)
			return rc;
		if (rc)
			out->count = (uint32_t)v;
		out->wait = 1;
		return vs__scn_get_bool(c, st, path, "wait", &out->wait) < 0 ? -EINVAL : 0;
	case VS_STEP_FAULT:
		return parse_fault(c, st, path, out);
	case VS_STEP_EXPECT:
		if ((rc = parse_expect(c, st, path, out)) < 0)
			return rc;
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		return parse_expect_interrupt(c, st, path, out);
	case VS_STEP_RUN:
		if ((rc = vs__scn_get_int(c, st, path, "ns", 0, 0, 3600e9, &v)) < 0)
			return rc;
		out->run_ns = rc ? v : 0;
		return 0;
	case VS_STEP_CONFIG_CHANGE:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		if ((rc = parse_result(c, st, path, out)) < 0)
			return rc;
		return parse_config_change(c, st, path, out);
	case VS_STEP_CONSOLE_OPEN:
	case VS_STEP_CONSOLE_CLOSE:
	case VS_STEP_CONSOLE_WRITE:
	case VS_STEP_CONSOLE_INPUT:
	case VS_STEP_CONSOLE_READ:
	case VS_STEP_CONSOLE_HOT_ADD:
	case VS_STEP_CONSOLE_REMOVE_PORT:
	case VS_STEP_CONSOLE_RESIZE:
	case VS_STEP_CONSOLE_EMERG_WRITE:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		if ((rc = parse_result(c, st, path, out)) < 0)
			return rc;
		return vs__scn_parse_console_step(c, st, path, out);
	case VS_STEP_BLK_WRITE:
	case VS_STEP_BLK_READ:
	case VS_STEP_BLK_FLUSH:
	case VS_STEP_BLK_DISCARD:
	case VS_STEP_BLK_WRITE_ZEROES:
	case VS_STEP_BLK_GET_ID:
	case VS_STEP_BLK_SECURE_ERASE:
	case VS_STEP_BLK_GET_LIFETIME:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		if ((rc = parse_result(c, st, path, out)) < 0)
			return rc;
		return vs__scn_parse_blk_step(c, st, path, out);
	case VS_STEP_NET_SEND:
	case VS_STEP_NET_EXPECT:
	case VS_STEP_NET_RX_MODE:
	case VS_STEP_NET_MAC_TABLE:
	case VS_STEP_NET_SET_MAC:
	case VS_STEP_NET_VLAN:
	case VS_STEP_NET_LINK:
	case VS_STEP_NET_QUEUE_PAIRS:
	case VS_STEP_NET_ANNOUNCE:
		if ((rc = parse_step_device(c, st, path, s, out)) < 0)
			return rc;
		if ((rc = parse_result(c, st, path, out)) < 0)
			return rc;
		return vs__scn_parse_net_step(c, st, path, out);
	}
	return 0;
}
