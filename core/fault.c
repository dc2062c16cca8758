/*
 * fault.c - fault switches.  vs_fault_hit (inline, in fault.h) filters the
 * common case of every switch off; the slow path here runs only when some
 * switch is on, once per fault point reached.
 *
 * `fired` is cumulative over the life of the vs_faults: setting or clearing
 * a switch does not reset it, so a report can say how often a fault was
 * actually injected over the whole run.
 */
#include <string.h>

#include "core/fault.h"

static void faults_recount(struct vs_faults *f)
{
	uint32_t on = 0;

	for (unsigned i = 0; i < VS_FAULT_COUNT; i++)
		if (f->sw[i].mode != VS_FAULT_OFF)
			on++;
	f->any_on = on;
}

void vs_faults_init(struct vs_faults *f, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	vs_prng_seed_stream(&f->prng, seed, "faults");
}

/*
 * mode OFF clears; COUNTED uses count (0 means off); PROBABILITY uses
 * num/den (den 0 or num 0 means off; num >= den behaves as ALWAYS but still
 * draws).  An id out of range is ignored.
 */
void vs_faults_set(struct vs_faults *f, enum vs_fault_id id, enum vs_fault_mode mode,
		   uint32_t count, uint32_t num, uint32_t den)
{
	if (!f || (unsigned)id >= VS_FAULT_COUNT)
		return;
	struct vs_fault_switch *sw = &f->sw[id];

	sw->remaining = 0;
	sw->num = 0;
	sw->den = 0;
	switch (mode) {
	case VS_FAULT_ALWAYS:
		sw->mode = mode;
		break;
	case VS_FAULT_COUNTED:
		sw->mode = count ? mode : VS_FAULT_OFF;
		sw->remaining = count;
		break;
	case VS_FAULT_PROBABILITY:
		if (den == 0 || num == 0) {
			sw->mode = VS_FAULT_OFF;
		} else {
			sw->mode = mode;
			sw->num = num;
			sw->den = den;
		}
		break;
	default:
		sw->mode = VS_FAULT_OFF;
		break;
	}
	faults_recount(f);
}

void vs_faults_clear(struct vs_faults *f, enum vs_fault_id id)
{
	vs_faults_set(f, id, VS_FAULT_OFF, 0, 0, 0);
}

int vs__fault_hit_slow(struct vs_faults *f, enum vs_fault_id id)
{
	if (!f || (unsigned)id >= VS_FAULT_COUNT)
		return 0;
	struct vs_fault_switch *sw = &f->sw[id];

	switch (sw->mode) {
	case VS_FAULT_ALWAYS:
		break;
	case VS_FAULT_COUNTED:
		if (sw->remaining == 0) {
			sw->mode = VS_FAULT_OFF;
			faults_recount(f);
			return 0;
		}
		if (--sw->remaining == 0) {
			sw->mode = VS_FAULT_OFF;
			faults_recount(f);
		}
		break;
	case VS_FAULT_PROBABILITY:
		if (!vs_prng_chance(&f->prng, sw->num, sw->den))
			return 0;
		break;
	default:
		return 0;
	}
	sw->fired++;
	return 1;
}
