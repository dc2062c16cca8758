/*
 * runner.h - runs one parsed scenario on a fresh machine and judges it.
 *
 * A scenario passes when every step had the result it asked for, every
 * `expect` step saw exactly the rule ids it lists fire since the previous
 * `expect` (or the start), and no violation of a MUST fired that no
 * `expect` step accounted for.  A rule citing a SHOULD gives a warning:
 * listed in the report, matched by `expect`, but never a failure alone.
 */
#ifndef VS_RUNNER_H
#define VS_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/side.h"
#include "harness/scenario.h"

struct vs_trace;

struct vs_run_opts {
	uint64_t seed;         /* used when seed_override, or the file gives none */
	int seed_override;     /* --seed given on the command line */
	struct vs_trace *trace; /* NULL: no trace */
};

struct vs_result_violation {
	char rule[64];
	char spec[96];
	char level[16];
	enum vs_side side;
	char message[256];
	int step;
	int expected; /* an expect step accounted for it */
	int warning;  /* the rule is a SHOULD: reported, never fails a run */
};

#define VS_RESULT_MAX_FAILURES 16

struct vs_result {
	char name[VS_SCN_NAME_MAX];
	char file[256];
	int passed;
	uint64_t seed;
	size_t n_violations;
	struct vs_result_violation *violations;
	size_t n_failures; /* failures beyond the array are counted, not kept */
	char failures[VS_RESULT_MAX_FAILURES][256];
	double duration_ms;
	uint64_t virtual_ns;
	uint64_t requests; /* requests the devices completed */
	/* Per device (machine.devices order): how its interrupts reached the
	 * driver at its last successful probe -- vs_guest_irq_mode's words,
	 * "none" when it was never probed. */
	char interrupt[VS_SCN_MAX_DEVICES][16];
	/* Per device: the MSI-X table size built (PCI), -1 for virtio-mmio. */
	int msix_vectors[VS_SCN_MAX_DEVICES];
	/* Invariants of any run, faulty sides or not (the fuzzer judges them;
	 * a leak or a token imbalance also fails the run). */
	int unsettled;             /* steps after which the machine did not settle */
	uint64_t leaked_bytes;     /* guest RAM still allocated once the guest shut down */
	uint64_t tokens_added;     /* virtqueue tokens the drivers made available */
	uint64_t tokens_returned;  /* ... and got back (used or detached) */
	uint64_t faults_fired[VS_FAULT_COUNT]; /* per fault: times it made its side misbehave */
};

/* Run s.  Returns 0 when it could run (passed or failed: see res->passed)
 * or a negative errno when the machine could not be built (res->failures
 * says why). */
int vs_run_scenario(const struct vs_scenario *s, const struct vs_run_opts *opts,
		    struct vs_result *res);
void vs_result_free(struct vs_result *res);

#endif /* VS_RUNNER_H */
