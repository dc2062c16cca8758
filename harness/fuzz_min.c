/*
 * fuzz_min.c - shrinking a failing scenario (fuzz.h vs_fuzz_minimize).
 *
 * Three passes, each repeated until it changes nothing or the budget of
 * predicate calls is spent:
 *  1. steps: delta debugging (Zeller's ddmin, complements only): drop one
 *     of n chunks of steps; on success keep the smaller list and coarsen,
 *     otherwise refine until chunks are single steps -- so the result is
 *     1-minimal: no single step can go;
 *  2. values: read counts and sizes down, faults to "count 1", virtual
 *     time to 0, writes that wait;
 *  3. machine: fewer devices (steps on a dropped device go with it), then
 *     per device mmio, the split ring, default queue size and MSI-X table,
 *     fewer features added or removed.
 * Every candidate is a fresh copy handed to the predicate; the scenario is
 * replaced only by a candidate the predicate still calls failing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/fuzz.h"
#include "harness/scenario_internal.h"

struct mctx {
	struct vs_scenario *s;
	vs_fuzz_pred_fn pred;
	void *opaque;
	unsigned tries, max_tries;
	int nomem;
};

static int budget_left(const struct mctx *m)
{
	return !m->nomem && m->tries < m->max_tries;
}

/* Ask the predicate about cand; keep it when it still fails, else free it. */
static int try_cand(struct mctx *m, struct vs_scenario *cand)
{
	if (!budget_left(m)) {
		vs_scenario_free(cand);
		return 0;
	}
	m->tries++;
	if (m->pred(m->opaque, cand)) {
		vs_scenario_free(m->s);
		*m->s = *cand;
		return 1;
	}
	vs_scenario_free(cand);
	return 0;
}

static int copy(struct mctx *m, struct vs_scenario *cand)
{
	if (vs_fuzz_copy_scenario(cand, m->s) < 0) {
		m->nomem = 1;
		return -ENOMEM;
	}
	return 0;
}

/* The scenario without steps [a, b). */
static int try_drop_steps(struct mctx *m, size_t a, size_t b)
{
	struct vs_scenario cand;

	if (b - a >= m->s->n_steps)
		return 0; /* a scenario keeps at least one step */
	if (copy(m, &cand) < 0)
		return 0;
	for (size_t i = a; i < b; i++)
		vs__scn_free_console_step(&cand.steps[i]);
	memmove(&cand.steps[a], &cand.steps[b], (cand.n_steps - b) * sizeof(cand.steps[0]));
	cand.n_steps -= b - a;
	return try_cand(m, &cand);
}

static int shrink_steps(struct mctx *m)
{
	size_t n = 2, len, chunk, start, i;
	int changed = 0, reduced;

	while (m->s->n_steps >= 2 && budget_left(m)) {
		len = m->s->n_steps;
		if (n > len)
			n = len;
		chunk = (len + n - 1) / n;
		reduced = 0;
		for (start = 0; start < len && budget_left(m); start += chunk) {
			size_t end = start + chunk < len ? start + chunk : len;

			if (try_drop_steps(m, start, end)) {
				reduced = changed = 1;
				n = n > 2 ? n - 1 : 2;
				break;
			}
		}
		if (reduced)
			continue;
		if (n >= len)
			break;
		n = n * 2 < len ? n * 2 : len;
	}
	/* 1-minimal: no single step can go. */
	for (i = m->s->n_steps; i-- > 0 && budget_left(m);)
		if (i < m->s->n_steps && try_drop_steps(m, i, i + 1))
			changed = 1;
	return changed;
}

/* Change step i by fn(step, arg); try it when fn says it changed something. */
typedef int (*step_edit_fn)(struct vs_scn_step *st, uint32_t arg);

static int try_step_edit(struct mctx *m, size_t i, step_edit_fn fn, uint32_t arg)
{
	struct vs_scenario cand;

	if (!budget_left(m) || copy(m, &cand) < 0)
		return 0;
	if (!fn(&cand.steps[i], arg)) {
		vs_scenario_free(&cand);
		return 0;
	}
	return try_cand(m, &cand);
}

static int edit_count(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op == VS_STEP_RNG_READ && st->count > arg) {
		st->count = arg;
		return 1;
	}
	if ((st->op == VS_STEP_BLK_WRITE || st->op == VS_STEP_BLK_READ ||
	     st->op == VS_STEP_BLK_DISCARD || st->op == VS_STEP_BLK_WRITE_ZEROES) &&
	    st->nsectors > arg) {
		st->nsectors = arg; /* sectors of one request */
		return 1;
	}
	return 0;
}

static int edit_bytes(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op != VS_STEP_RNG_READ || st->bytes <= arg || arg == 0)
		return 0;
	st->bytes = arg;
	return 1;
}

static int edit_wait(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op != VS_STEP_RNG_READ || st->wait)
		return 0;
	st->wait = 1;
	return 1;
}

static int edit_fault(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op != VS_STEP_FAULT || st->fault_mode == VS_FAULT_OFF)
		return 0;
	if (st->fault_mode == VS_FAULT_COUNTED && st->fault_count <= arg)
		return 0;
	st->fault_mode = VS_FAULT_COUNTED;
	st->fault_count = arg;
	st->prob_num = st->prob_den = 0;
	return 1;
}

static int edit_fault_always(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op != VS_STEP_FAULT || st->fault_mode != VS_FAULT_PROBABILITY)
		return 0;
	st->fault_mode = VS_FAULT_ALWAYS;
	st->prob_num = st->prob_den = 0;
	return 1;
}

static int edit_run(struct vs_scn_step *st, uint32_t arg)
{
	if (st->op != VS_STEP_RUN || st->run_ns == 0)
		return 0;
	st->run_ns = 0;
	return 1;
}

static int shrink_values(struct mctx *m)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < m->s->n_steps && budget_left(m); i++) {
		uint32_t b;

		changed |= try_step_edit(m, i, edit_count, 1);
		changed |= try_step_edit(m, i, edit_wait, 0);
		/* Sizes: 1 first, else halve while it still fails. */
		if (!try_step_edit(m, i, edit_bytes, 1))
			for (b = m->s->steps[i].bytes / 2; b >= 1 && try_step_edit(m, i, edit_bytes, b);
			     b = m->s->steps[i].bytes / 2)
				changed = 1;
		else
			changed = 1;
		changed |= try_step_edit(m, i, edit_fault, 1);
		changed |= try_step_edit(m, i, edit_fault_always, 0);
		changed |= try_step_edit(m, i, edit_run, 0);
	}
	return changed;
}

/* The scenario without device d: its steps go, later indices move down. */
static int try_drop_device(struct mctx *m, size_t d)
{
	struct vs_scenario cand;
	size_t i, j = 0;

	if (m->s->n_devices < 2 || copy(m, &cand) < 0)
		return 0;
	memmove(&cand.devices[d], &cand.devices[d + 1],
		(cand.n_devices - d - 1) * sizeof(cand.devices[0]));
	cand.n_devices--;
	for (i = 0; i < cand.n_steps; i++) {
		struct vs_scn_step st = cand.steps[i];

		if (st.device == (int)d) {
			vs__scn_free_console_step(&cand.steps[i]);
			continue;
		}
		if (st.device > (int)d)
			st.device--;
		cand.steps[j++] = st;
	}
	cand.n_steps = j;
	if (!j) {
		vs_scenario_free(&cand);
		return 0;
	}
	return try_cand(m, &cand);
}

enum dev_edit { DEV_MMIO, DEV_QUEUE, DEV_MSIX, DEV_ADD_BIT, DEV_REMOVE_BIT };

static int try_device_edit(struct mctx *m, size_t d, enum dev_edit e, unsigned bit)
{
	struct vs_scenario cand;
	struct vs_scn_device *dv;
	int edited = 0;

	if (!budget_left(m) || copy(m, &cand) < 0)
		return 0;
	dv = &cand.devices[d];
	switch (e) {
	case DEV_MMIO:
		if (dv->transport != VS_TRANSPORT_MMIO) {
			dv->transport = VS_TRANSPORT_MMIO;
			dv->msix_vectors = VS_SCN_MSIX_DEFAULT; /* mmio takes none */
			edited = 1;
		}
		break;
	case DEV_QUEUE:
		edited = dv->queue_size != 0;
		dv->queue_size = 0;
		break;
	case DEV_MSIX:
		edited = dv->msix_vectors != VS_SCN_MSIX_DEFAULT;
		dv->msix_vectors = VS_SCN_MSIX_DEFAULT;
		break;
	case DEV_ADD_BIT:
		edited = (dv->features_add >> bit) & 1;
		dv->features_add &= ~(1ull << bit);
		break;
	case DEV_REMOVE_BIT:
		edited = (dv->features_remove >> bit) & 1;
		dv->features_remove &= ~(1ull << bit);
		break;
	}
	if (!edited) {
		vs_scenario_free(&cand);
		return 0;
	}
	return try_cand(m, &cand);
}

static int shrink_machine(struct mctx *m)
{
	struct vs_scenario cand;
	size_t d;
	unsigned b;
	int changed = 0;

	for (d = m->s->n_devices; d-- > 0 && m->s->n_devices > 1;)
		changed |= try_drop_device(m, d);
	if (m->s->ring != VS_RING_SPLIT && budget_left(m) && copy(m, &cand) == 0) {
		cand.ring = VS_RING_SPLIT;
		changed |= try_cand(m, &cand);
	}
	for (d = 0; d < m->s->n_devices && budget_left(m); d++) {
		changed |= try_device_edit(m, d, DEV_MMIO, 0);
		changed |= try_device_edit(m, d, DEV_MSIX, 0);
		changed |= try_device_edit(m, d, DEV_QUEUE, 0);
		for (b = 0; b < 64; b++) {
			if ((m->s->devices[d].features_add >> b) & 1)
				changed |= try_device_edit(m, d, DEV_ADD_BIT, b);
			if ((m->s->devices[d].features_remove >> b) & 1)
				changed |= try_device_edit(m, d, DEV_REMOVE_BIT, b);
		}
	}
	return changed;
}

int vs_fuzz_minimize(struct vs_scenario *s, vs_fuzz_pred_fn pred, void *opaque,
		     unsigned max_tries)
{
	struct mctx m = {s, pred, opaque, 0, max_tries ? max_tries : 4000, 0};
	int changed;

	do {
		changed = shrink_steps(&m);
		changed |= shrink_values(&m);
		changed |= shrink_machine(&m);
	} while (changed && budget_left(&m));
	return m.nomem ? -ENOMEM : (int)m.tries;
}
