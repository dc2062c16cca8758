/*
 * fuzz_write.c - a parsed (or generated) scenario back to its file form
 * (docs/scenarios.md), one step a line, so a fuzz finding is a file that
 * `virtiosim run` replays and a person can read.  Only keys that differ
 * from the parser's defaults are written; vs_scenario_parse of the output
 * gives back the same machine and steps (tests/check_fuzz.c holds it to
 * that).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness/faults.h"
#include "harness/fuzz.h"

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_bits(FILE *f, const char *key, uint64_t bits)
{
	unsigned b;
	int first = 1;

	if (!bits)
		return;
	fprintf(f, ", \"%s\": [", key);
	for (b = 0; b < 64; b++) {
		if (!(bits >> b & 1))
			continue;
		fprintf(f, "%s%u", first ? "" : ", ", b);
		first = 0;
	}
	fputc(']', f);
}

static void put_device(FILE *f, const struct vs_scn_device *d)
{
	fputs("      { \"type\": ", f);
	put_string(f, d->type);
	fprintf(f, ", \"transport\": \"%s\", \"name\": ", vs_transport_name(d->transport));
	put_string(f, d->name);
	if (d->queue_size)
		fprintf(f, ", \"queue_size\": %u", d->queue_size);
	if (d->msix_vectors != VS_SCN_MSIX_DEFAULT)
		fprintf(f, ", \"msix_vectors\": %d", d->msix_vectors);
	put_bits(f, "features_add", d->features_add);
	put_bits(f, "features_remove", d->features_remove);
	fputs(" }", f);
}

static const char *fault_name(enum vs_fault_id id)
{
	const struct vs_fault_info *cat;
	size_t n, i;

	cat = vs_faults_catalogue(&n);
	for (i = 0; i < n; i++)
		if (cat[i].id == id)
			return cat[i].name;
	return NULL;
}

static void put_result(FILE *f, enum vs_step_result r)
{
	if (r == VS_RESULT_ERROR)
		fputs(", \"result\": \"error\"", f);
	else if (r == VS_RESULT_ANY)
		fputs(", \"result\": \"any\"", f);
}

static void put_step_device(FILE *f, const struct vs_scenario *s, const struct vs_scn_step *st)
{
	if (st->device >= 0 && (size_t)st->device < s->n_devices) {
		fputs(", \"device\": ", f);
		put_string(f, s->devices[st->device].name);
	}
}

static int put_fault(FILE *f, const struct vs_scn_step *st)
{
	const char *name = fault_name(st->fault);

	if (!name)
		return -ENOTSUP;
	fputs(", \"name\": ", f);
	put_string(f, name);
	switch (st->fault_mode) {
	case VS_FAULT_OFF:
		fputs(", \"on\": false", f);
		break;
	case VS_FAULT_COUNTED:
		fprintf(f, ", \"count\": %u", st->fault_count);
		break;
	case VS_FAULT_PROBABILITY:
		/* The parser keeps millionths: write them exactly. */
		fprintf(f, ", \"probability\": %.6f",
			st->prob_den ? (double)st->prob_num / st->prob_den : 1.0);
		break;
	default:
		break;
	}
	return 0;
}

static int put_step(FILE *f, const struct vs_scenario *s, const struct vs_scn_step *st)
{
	size_t k;

	fprintf(f, "    { \"op\": \"%s\"", vs_step_op_name(st->op));
	switch (st->op) {
	case VS_STEP_PROBE:
	case VS_STEP_REMOVE:
	case VS_STEP_RESET:
		put_step_device(f, s, st);
		put_result(f, st->result);
		break;
	case VS_STEP_RNG_READ:
		put_step_device(f, s, st);
		put_result(f, st->result);
		fprintf(f, ", \"bytes\": %u", st->bytes);
		if (st->count != 1)
			fprintf(f, ", \"count\": %u", st->count);
		if (!st->wait)
			fputs(", \"wait\": false", f);
		break;
	case VS_STEP_FAULT:
		if (put_fault(f, st) < 0)
			return -ENOTSUP;
		break;
	case VS_STEP_EXPECT:
		fputs(", \"violations\": [", f);
		for (k = 0; k < st->n_expect; k++) {
			fputs(k ? ", " : "", f);
			put_string(f, st->expect[k]);
		}
		fputc(']', f);
		if (st->interrupt[0]) {
			fputs(", \"interrupt\": ", f);
			put_string(f, st->interrupt);
		}
		put_step_device(f, s, st);
		break;
	case VS_STEP_RUN:
		fprintf(f, ", \"ns\": %llu", (unsigned long long)st->run_ns);
		break;
	case VS_STEP_CONFIG_CHANGE:
		put_step_device(f, s, st);
		put_result(f, st->result);
		if (st->cfg_offset)
			fprintf(f, ", \"offset\": %u", st->cfg_offset);
		if (st->cfg_len) {
			fputs(", \"bytes\": [", f);
			for (k = 0; k < st->cfg_len; k++)
				fprintf(f, "%s%u", k ? ", " : "", st->cfg_bytes[k]);
			fputc(']', f);
		}
		break;
	case VS_STEP_BLK_WRITE:
	case VS_STEP_BLK_READ:
	case VS_STEP_BLK_DISCARD:
	case VS_STEP_BLK_WRITE_ZEROES:
	case VS_STEP_BLK_SECURE_ERASE:
		put_step_device(f, s, st);
		put_result(f, st->result);
		fprintf(f, ", \"sector\": %llu, \"count\": %u", (unsigned long long)st->sector,
			st->nsectors);
		if (st->op == VS_STEP_BLK_WRITE && st->fill >= 0)
			fprintf(f, ", \"byte\": %d", st->fill);
		else if (st->op == VS_STEP_BLK_WRITE)
			fprintf(f, ", \"pattern\": %llu", (unsigned long long)st->pattern);
		if (st->op == VS_STEP_BLK_READ && !st->blk_check)
			fputs(", \"check\": false", f);
		break;
	case VS_STEP_BLK_FLUSH:
		put_step_device(f, s, st);
		put_result(f, st->result);
		break;
	case VS_STEP_BLK_GET_ID:
		put_step_device(f, s, st);
		put_result(f, st->result);
		if (st->blk_id_given) {
			fputs(", \"id\": ", f);
			put_string(f, st->blk_id);
		}
		break;
	case VS_STEP_BLK_GET_LIFETIME: {
		static const char *const keys[3] = {"pre_eol_info", "life_a", "life_b"};

		put_step_device(f, s, st);
		put_result(f, st->result);
		for (k = 0; k < 3; k++)
			if (st->blk_lifetime[k] >= 0)
				fprintf(f, ", \"%s\": %d", keys[k], st->blk_lifetime[k]);
		break;
	}
	case VS_STEP_NET_SEND: {
		static const char *const kinds[] = {"raw", "csum", "tso4"};

		put_step_device(f, s, st);
		put_result(f, st->result);
		fprintf(f, ", \"count\": %u, \"size_min\": %u, \"size_max\": %u, \"kind\": \"%s\"",
			st->count, st->net_size_min, st->net_size_max, kinds[st->net_kind]);
		if (st->net_kind == VS_NET_FRAME_TSO4)
			fprintf(f, ", \"gso_size\": %u", st->net_gso_size);
		if (st->net_dst == VS_NET_DST_BROADCAST)
			fputs(", \"to\": \"broadcast\"", f);
		if (st->net_dst == VS_NET_DST_MULTICAST || st->net_dst == VS_NET_DST_MAC ||
		    st->net_vlan >= 0 || st->port)
			return -ENOTSUP; /* the generator makes none of these */
		break;
	}
	default:
		return -ENOTSUP;
	}
	fputs(" }", f);
	return 0;
}

int vs_fuzz_write_scenario(FILE *f, const struct vs_scenario *s)
{
	size_t i;
	int rc;

	fputs("{\n  \"name\": ", f);
	put_string(f, s->name[0] ? s->name : "unnamed");
	if (s->description[0]) {
		fputs(",\n  \"description\": ", f);
		put_string(f, s->description);
	}
	fprintf(f, ",\n  \"machine\": {\n    \"seed\": %llu,\n    \"memory_mb\": %llu,\n"
		   "    \"ring\": \"%s\",\n    \"devices\": [\n",
		(unsigned long long)s->seed, (unsigned long long)(s->memory >> 20),
		vs_ring_name(s->ring));
	for (i = 0; i < s->n_devices; i++) {
		put_device(f, &s->devices[i]);
		fputs(i + 1 < s->n_devices ? ",\n" : "\n", f);
	}
	fputs("    ]\n  },\n  \"steps\": [\n", f);
	for (i = 0; i < s->n_steps; i++) {
		if ((rc = put_step(f, s, &s->steps[i])) < 0)
			return rc;
		fputs(i + 1 < s->n_steps ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return ferror(f) ? -EIO : 0;
}
