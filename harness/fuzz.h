/*
 * fuzz.h - the built-in structured fuzzer: random scenarios run through
 * the real runner, judged by invariants that must hold whatever the
 * faulty side does.
 *
 * A case is an ordinary struct vs_scenario: a random machine within the
 * ranges the parser accepts (transport, ring layout, queue size, offered
 * features, MSI-X table) and random steps (probe, remove, reset, reads,
 * configuration changes, virtual time, and fault switches of the chosen
 * side with random modes, counts and probabilities), every step with
 * result "any".  Case number i of a seed is a pure function of (options,
 * seed, i): the same seed gives the same cases, and case i can be made
 * again without making 0..i-1 (a supervisor that lost its worker to a
 * crash regenerates the case it was running).
 *
 * A case is a FINDING when
 *  - the monitor reports a MUST violation by a side none of whose faults
 *    fired (a real driver or device misbehaving),
 *  - the machine did not settle after a step (work requeued without end),
 *  - guest RAM is still allocated after the guest shut down (a leak),
 *  - the drivers got back more virtqueue tokens than they added (one came
 *    back twice) or fewer (one was lost),
 *  - the machine could not be built from a generated description,
 *  - or (judged by the CLI's supervisor) the case crashed the process or
 *    ran past the wall-clock guard.
 * A finding is shrunk by vs_fuzz_minimize and written with
 * vs_fuzz_write_scenario as a scenario file `virtiosim run` replays.
 *
 * Call order: vs_fuzz_gen_case, vs_fuzz_run_case (or vs_run_scenario and
 * vs_fuzz_judge), on a finding vs_fuzz_minimize with a predicate that
 * reruns a candidate, then vs_fuzz_write_scenario; vs_scenario_free each
 * case.
 */
#ifndef VS_FUZZ_H
#define VS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/runner.h"
#include "harness/scenario.h"

/* Which side's faults a case may switch on (bit per enum vs_side). */
#define VS_FUZZ_SIDE_DEVICE (1u << VS_SIDE_DEVICE)
#define VS_FUZZ_SIDE_DRIVER (1u << VS_SIDE_DRIVER)
#define VS_FUZZ_SIDE_BOTH (VS_FUZZ_SIDE_DEVICE | VS_FUZZ_SIDE_DRIVER)

#define VS_FUZZ_MAX_CASE_STEPS 48

struct vs_fuzz_opts {
	unsigned sides;                /* VS_FUZZ_SIDE_* */
	char device[VS_SCN_NAME_MAX];  /* device type, "" = any registered type */
	int transport;                 /* enum vs_transport_kind, -1 = any */
	int ring;                      /* enum vs_ring_kind, -1 = any */
	uint64_t seed;
	unsigned max_steps;            /* steps per case, 1..VS_FUZZ_MAX_CASE_STEPS; 0 = default 32 */
};

/* Defaults: both sides, any device, transport and ring, seed 1. */
void vs_fuzz_opts_init(struct vs_fuzz_opts *o);

/* Make case number idx.  0, -ENOMEM, or -EINVAL when the options name a
 * device type the registry does not know.  Free with vs_scenario_free. */
int vs_fuzz_gen_case(const struct vs_fuzz_opts *o, uint64_t idx, struct vs_scenario *out);

enum vs_fuzz_kind {
	VS_FUZZ_OK = 0,
	VS_FUZZ_VIOLATION, /* a MUST violation by a side that was not faulted */
	VS_FUZZ_UNSETTLED, /* the machine did not settle after a step */
	VS_FUZZ_LEAK,      /* guest RAM allocated after the guest shut down */
	VS_FUZZ_TOKENS,    /* a virtqueue token came back twice, or never */
	VS_FUZZ_MACHINE,   /* the generated machine could not be built */
	VS_FUZZ_CRASH,     /* the case killed the process (supervisor) */
	VS_FUZZ_HANG,      /* the case ran past the wall-clock guard (supervisor) */
};

const char *vs_fuzz_kind_name(enum vs_fuzz_kind k);

struct vs_fuzz_verdict {
	enum vs_fuzz_kind kind;
	/* What a shrunk case must still show to count as the same finding:
	 * the kind, and for a violation the rule id and side. */
	char signature[96];
	char detail[320]; /* the evidence, one line */
	unsigned faulted; /* VS_FUZZ_SIDE_* of the faults that fired */
};

/* Judge a finished run of s (see the list above).  v->kind VS_FUZZ_OK
 * when the case is clean. */
void vs_fuzz_judge(const struct vs_scenario *s, const struct vs_result *res,
		   struct vs_fuzz_verdict *v);

/* Run s on a fresh machine with the runner and judge it.  res may be NULL;
 * when given it is filled and the caller frees it with vs_result_free. */
void vs_fuzz_run_case(const struct vs_scenario *s, struct vs_fuzz_verdict *v,
		      struct vs_result *res);

/* Deep copy (steps included).  0 or -ENOMEM. */
int vs_fuzz_copy_scenario(struct vs_scenario *dst, const struct vs_scenario *src);

/* Does candidate still fail the same way?  1 yes, 0 no. */
typedef int (*vs_fuzz_pred_fn)(void *opaque, const struct vs_scenario *candidate);

/*
 * Shrink s in place while pred keeps saying 1: delta debugging over the
 * steps (drop halves, quarters ... then single steps), then simpler
 * values (counts and sizes down, fault modes to "count 1", virtual time
 * to 0), then a simpler machine (fewer devices, mmio, split ring,
 * default queue size, fewer offered features).  At most max_tries
 * predicate calls (0 = 4000).  Returns the number of calls made, or
 * -ENOMEM.  s itself must fail (pred 1) on entry.
 */
int vs_fuzz_minimize(struct vs_scenario *s, vs_fuzz_pred_fn pred, void *opaque,
		     unsigned max_tries);

/*
 * Write s as a scenario file (docs/scenarios.md) that vs_scenario_parse
 * reads back to the same machine and steps.  0, or -ENOTSUP for a step op
 * the writer does not know, -EIO on a write error.
 */
int vs_fuzz_write_scenario(FILE *f, const struct vs_scenario *s);

#endif /* VS_FUZZ_H */
