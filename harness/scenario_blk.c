/*
 * scenario_blk.c - the block device parts of a scenario file
 * (docs/scenarios.md, "Block device"): a blk device's keys in
 * machine.devices and the blk.* steps, each value checked where it is
 * read.  scenario.c and scenario_step.c call in here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness/scenario.h"
#include "harness/scenario_internal.h"

/* Limits of the device model (devices/blk.c) a file may ask for. */
#define BLK_MAX_CAPACITY 16777216.0 /* sectors: 8 GiB */
#define BLK_MAX_QUEUES 16
#define BLK_MAX_SEG_MAX 63          /* header + data within 64 device-readable buffers */
#define BLK_MAX_STEP_SECTORS 65536  /* 32 MiB moved by one step */
#define BLK_MAX_SECTOR 9007199254740991.0

const char *const vs__scn_k_blk_write[] = {"op", "device", "result", "sector", "count",
					   "pattern", "byte", "comment", NULL};
const char *const vs__scn_k_blk_read[] = {"op", "device", "result", "sector", "count", "check",
					  "comment", NULL};
const char *const vs__scn_k_blk_range[] = {"op", "device", "result", "sector", "count",
					   "comment", NULL};
const char *const vs__scn_k_blk_plain[] = {"op", "device", "result", "comment", NULL};
const char *const vs__scn_k_blk_get_id[] = {"op", "device", "result", "id", "comment", NULL};
const char *const vs__scn_k_blk_get_lifetime[] = {"op",     "device", "result", "pre_eol_info",
						  "life_a", "life_b", "comment", NULL};

static const char *const device_keys[] = {"capacity_sectors", "read_only", "queues",
					  "seg_max", "serial", "backend",
					  "ioerr_sectors", "endurance_sectors", "worn_sectors"};

/* "backend": {"file": "path"}; "{pid}" in the path becomes the process
 * id, so runs side by side do not share a disk (and the file is removed
 * after the run). */
static int parse_backend(struct pctx *c, const cJSON *d, const char *path,
			 struct vs_scn_device *out)
{
	static const char *const keys[] = {"file", NULL};
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(d, "backend");
	char p[PATH_MAX_LEN], raw[200], *at;
	int rc;

	if (!b)
		return 0;
	vs__scn_child_path(p, path, "backend");
	if (!cJSON_IsObject(b)) {
		vs_diag_set(c->diag, p, "expected an object {\"file\": path}, got %s",
			    vs__scn_json_type(b));
		return -EINVAL;
	}
	if ((rc = vs__scn_check_keys(c, b, p, keys)) < 0)
		return rc;
	if ((rc = vs__scn_get_string(c, b, p, "file", 1, raw, sizeof(raw))) < 0)
		return rc;
	at = strstr(raw, "{pid}");
	if (at) {
		*at = '\0';
		snprintf(out->backend_file, sizeof(out->backend_file), "%s%ld%s", raw, (long)getpid(),
			 at + 5);
		out->backend_remove = 1;
	} else {
		snprintf(out->backend_file, sizeof(out->backend_file), "%s", raw);
	}
	return 0;
}

/* "ioerr_sectors": [first, count]. */
static int parse_ioerr(struct pctx *c, const cJSON *d, const char *path, struct vs_scn_device *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "ioerr_sectors");
	char p[PATH_MAX_LEN];
	double a, n;

	if (!v)
		return 0;
	vs__scn_child_path(p, path, "ioerr_sectors");
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(v, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(v, 1))) {
		vs_diag_set(c->diag, p, "expected [first sector, count], got %s",
			    cJSON_IsArray(v) ? "another array" : vs__scn_json_type(v));
		return -EINVAL;
	}
	a = cJSON_GetArrayItem(v, 0)->valuedouble;
	n = cJSON_GetArrayItem(v, 1)->valuedouble;
	if (a != floor(a) || n != floor(n) || a < 0 || n < 1 || a >= BLK_MAX_CAPACITY ||
	    n > BLK_MAX_CAPACITY) {
		vs_diag_set(c->diag, p, "expected a first sector in 0..%.0f and a count in 1..%.0f",
			    BLK_MAX_CAPACITY - 1, BLK_MAX_CAPACITY);
		return -EINVAL;
	}
	out->ioerr_first = (uint64_t)a;
	out->ioerr_count = (uint64_t)n;
	return 0;
}

int vs__scn_parse_blk_device(struct pctx *c, const cJSON *d, const char *path,
			     struct vs_scn_device *out)
{
	char p[PATH_MAX_LEN];
	uint64_t v;
	int rc;

	if (strcmp(out->type, "blk") != 0) {
		for (size_t k = 0; k < sizeof(device_keys) / sizeof(device_keys[0]); k++) {
			if (!cJSON_GetObjectItemCaseSensitive(d, device_keys[k]))
				continue;
			vs__scn_child_path(p, path, device_keys[k]);
			vs_diag_set(c->diag, p, "applies to a blk device only (this one is \"%s\")",
				    out->type);
			return -EINVAL;
		}
		return 0;
	}
	if ((rc = vs__scn_get_int(c, d, path, "capacity_sectors", 0, 1, BLK_MAX_CAPACITY, &v)) < 0)
		return rc;
	out->capacity_sectors = rc ? v : 0;
	if (vs__scn_get_bool(c, d, path, "read_only", &out->read_only) < 0)
		return -EINVAL;
	if ((rc = vs__scn_get_int(c, d, path, "queues", 0, 1, BLK_MAX_QUEUES, &v)) < 0)
		return rc;
	out->queues = rc ? (uint32_t)v : 0;
	if ((rc = vs__scn_get_int(c, d, path, "seg_max", 0, 1, BLK_MAX_SEG_MAX, &v)) < 0)
		return rc;
	out->seg_max = rc ? (uint32_t)v : 0;
	if ((rc = vs__scn_get_string(c, d, path, "serial", 0, out->serial, sizeof(out->serial))) < 0)
		return rc;
	if ((rc = parse_backend(c, d, path, out)) < 0)
		return rc;
	if ((rc = parse_ioerr(c, d, path, out)) < 0)
		return rc;
	if ((rc = vs__scn_get_int(c, d, path, "endurance_sectors", 0, 1, BLK_MAX_SECTOR, &v)) < 0)
		return rc;
	out->endurance_sectors = rc ? v : 0;
	if ((rc = vs__scn_get_int(c, d, path, "worn_sectors", 0, 0, BLK_MAX_SECTOR, &v)) < 0)
		return rc;
	out->worn_sectors = rc ? v : 0;
	if (out->capacity_sectors && out->ioerr_count && out->ioerr_first >= out->capacity_sectors) {
		vs__scn_child_path(p, path, "ioerr_sectors");
		vs_diag_set(c->diag, p, "first sector %llu is beyond capacity_sectors %llu",
			    (unsigned long long)out->ioerr_first,
			    (unsigned long long)out->capacity_sectors);
		return -EINVAL;
	}
	return 0;
}

int vs__scn_parse_blk_step(struct pctx *c, const cJSON *st, const char *path,
			   struct vs_scn_step *out)
{
	uint64_t v;
	int rc, check = 1;

	out->sector = 0;
	out->nsectors = 1;
	out->fill = -1;
	out->pattern = 1;
	out->blk_check = 1;
	for (size_t k = 0; k < 3; k++)
		out->blk_lifetime[k] = -1;
	switch (out->op) {
	case VS_STEP_BLK_WRITE:
	case VS_STEP_BLK_READ:
	case VS_STEP_BLK_DISCARD:
	case VS_STEP_BLK_WRITE_ZEROES:
	case VS_STEP_BLK_SECURE_ERASE:
		if ((rc = vs__scn_get_int(c, st, path, "sector", 0, 0, BLK_MAX_SECTOR, &v)) < 0)
			return rc;
		if (rc)
			out->sector = v;
		if ((rc = vs__scn_get_int(c, st, path, "count", 0, 1, BLK_MAX_STEP_SECTORS, &v)) < 0)
			return rc;
		if (rc)
			out->nsectors = (uint32_t)v;
		break;
	default:
		break;
	}
	if (out->op == VS_STEP_BLK_WRITE) {
		char p[PATH_MAX_LEN];
		int has_pattern;

		if ((rc = vs__scn_get_int(c, st, path, "pattern", 0, 0, BLK_MAX_SECTOR, &v)) < 0)
			return rc;
		has_pattern = rc;
		if (rc)
			out->pattern = v;
		if ((rc = vs__scn_get_int(c, st, path, "byte", 0, 0, 255, &v)) < 0)
			return rc;
		if (rc && has_pattern) {
			vs__scn_child_path(p, path, "byte");
			vs_diag_set(c->diag, p, "give either pattern or byte, not both");
			return -EINVAL;
		}
		if (rc)
			out->fill = (int)v;
	}
	if (out->op == VS_STEP_BLK_READ) {
		if (vs__scn_get_bool(c, st, path, "check", &check) < 0)
			return -EINVAL;
		out->blk_check = check;
	}
	if (out->op == VS_STEP_BLK_GET_ID) {
		if ((rc = vs__scn_get_string(c, st, path, "id", 0, out->blk_id, sizeof(out->blk_id))) < 0)
			return rc;
		out->blk_id_given = rc;
	}
	if (out->op == VS_STEP_BLK_GET_LIFETIME) {
		/* pre_eol_info 0..3, the estimates 0..11: the values the spec
		 * defines (the device must send no other) */
		static const char *const keys[3] = {"pre_eol_info", "life_a", "life_b"};
		static const double max[3] = {3, 11, 11};

		for (size_t k = 0; k < 3; k++) {
			if ((rc = vs__scn_get_int(c, st, path, keys[k], 0, 0, max[k], &v)) < 0)
				return rc;
			if (rc)
				out->blk_lifetime[k] = (int)v;
		}
	}
	return 0;
}
