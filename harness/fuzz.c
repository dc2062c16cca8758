/*
 * fuzz.c - running and judging fuzz cases (fuzz.h).
 *
 * A case runs on a fresh machine through vs_run_scenario, exactly as
 * `virtiosim run` would run its file; the judge then reads the result:
 * the monitor's violations with their sides, the runner's invariant
 * counters (steps that did not settle, guest RAM left allocated, virtqueue
 * tokens added and returned) and which faults fired.  The runner's own
 * step failures ("device is not probed") are not findings: a generated
 * step may meet a device a fault kept from probing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/virtio_abi.h"
#include "harness/faults.h"
#include "harness/fuzz.h"

const char *vs_fuzz_kind_name(enum vs_fuzz_kind k)
{
	switch (k) {
	case VS_FUZZ_OK:
		return "ok";
	case VS_FUZZ_VIOLATION:
		return "violation";
	case VS_FUZZ_UNSETTLED:
		return "unsettled";
	case VS_FUZZ_LEAK:
		return "leak";
	case VS_FUZZ_TOKENS:
		return "tokens";
	case VS_FUZZ_MACHINE:
		return "machine";
	case VS_FUZZ_CRASH:
		return "crash";
	case VS_FUZZ_HANG:
		return "hang";
	}
	return "?";
}

/* Sides (VS_FUZZ_SIDE_*) made to misbehave in this run: those whose
 * faults fired, and the device side when the machine withholds
 * VIRTIO_F_VERSION_1 from a device (which a modern device MUST offer). */
static unsigned faulted_sides(const struct vs_scenario *s, const struct vs_result *res)
{
	const struct vs_fault_info *cat;
	unsigned sides = 0;
	size_t n, i;

	cat = vs_faults_catalogue(&n);
	for (i = 0; i < n; i++)
		if (res->faults_fired[cat[i].id])
			sides |= 1u << cat[i].side;
	for (i = 0; i < s->n_devices; i++)
		if ((s->devices[i].features_remove >> VIRTIO_F_VERSION_1) & 1)
			sides |= VS_FUZZ_SIDE_DEVICE;
	return sides;
}

void vs_fuzz_judge(const struct vs_scenario *s, const struct vs_result *res,
		   struct vs_fuzz_verdict *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->faulted = faulted_sides(s, res);
	if (res->unsettled) {
		v->kind = VS_FUZZ_UNSETTLED;
		snprintf(v->detail, sizeof(v->detail),
			 "the machine did not settle after %d step(s)", res->unsettled);
	} else if (res->tokens_returned > res->tokens_added) {
		v->kind = VS_FUZZ_TOKENS;
		snprintf(v->detail, sizeof(v->detail),
			 "a virtqueue token came back twice: %llu added, %llu returned",
			 (unsigned long long)res->tokens_added,
			 (unsigned long long)res->tokens_returned);
	} else if (res->tokens_returned < res->tokens_added) {
		v->kind = VS_FUZZ_TOKENS;
		snprintf(v->detail, sizeof(v->detail),
			 "virtqueue tokens lost: %llu added, %llu returned by teardown",
			 (unsigned long long)res->tokens_added,
			 (unsigned long long)res->tokens_returned);
	} else if (res->leaked_bytes) {
		v->kind = VS_FUZZ_LEAK;
		snprintf(v->detail, sizeof(v->detail),
			 "%llu bytes of guest RAM still allocated after the guest shut down",
			 (unsigned long long)res->leaked_bytes);
	}
	if (v->kind != VS_FUZZ_OK) {
		snprintf(v->signature, sizeof(v->signature), "%s", vs_fuzz_kind_name(v->kind));
		return;
	}
	for (i = 0; i < res->n_violations; i++) {
		const struct vs_result_violation *rv = &res->violations[i];

		if (rv->warning || (v->faulted & (1u << rv->side)))
			continue;
		v->kind = VS_FUZZ_VIOLATION;
		snprintf(v->signature, sizeof(v->signature), "violation:%s:%s", vs_side_name(rv->side),
			 rv->rule);
		snprintf(v->detail, sizeof(v->detail), "%s (%s side, no %s fault fired) at steps[%d]: %.200s",
			 rv->rule, vs_side_name(rv->side), vs_side_name(rv->side), rv->step,
			 rv->message);
		return;
	}
}

void vs_fuzz_run_case(const struct vs_scenario *s, struct vs_fuzz_verdict *v,
		      struct vs_result *res_out)
{
	struct vs_run_opts opts = {s->seed, 0, NULL};
	struct vs_result local, *res = res_out ? res_out : &local;
	int rc;

	rc = vs_run_scenario(s, &opts, res);
	if (rc < 0) {
		memset(v, 0, sizeof(*v));
		v->kind = VS_FUZZ_MACHINE;
		snprintf(v->signature, sizeof(v->signature), "machine");
		snprintf(v->detail, sizeof(v->detail), "%s",
			 res->n_failures ? res->failures[0] : "the machine could not be built");
	} else {
		vs_fuzz_judge(s, res, v);
	}
	if (!res_out)
		vs_result_free(&local);
}

static int dup_bytes(uint8_t **p, uint32_t len)
{
	uint8_t *n;

	if (!*p)
		return 0;
	n = malloc(len ? len : 1);
	if (!n) {
		*p = NULL;
		return -ENOMEM;
	}
	memcpy(n, *p, len);
	*p = n;
	return 0;
}

int vs_fuzz_copy_scenario(struct vs_scenario *dst, const struct vs_scenario *src)
{
	size_t i;
	int rc = 0;

	*dst = *src;
	dst->steps = NULL;
	if (!src->n_steps)
		return 0;
	dst->steps = malloc(src->n_steps * sizeof(*dst->steps));
	if (!dst->steps) {
		dst->n_steps = 0;
		return -ENOMEM;
	}
	memcpy(dst->steps, src->steps, src->n_steps * sizeof(*dst->steps));
	/* Steps that carry data own it (vs_scenario_free frees it). */
	for (i = 0; i < dst->n_steps; i++) {
		rc |= dup_bytes(&dst->steps[i].data, dst->steps[i].data_len);
		rc |= dup_bytes(&dst->steps[i].expect_out, dst->steps[i].expect_len);
	}
	if (rc) {
		vs_scenario_free(dst);
		return -ENOMEM;
	}
	return 0;
}
