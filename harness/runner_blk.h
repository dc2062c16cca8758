/*
 * runner_blk.h - how the runner executes the blk.* steps (docs/scenarios.md,
 * "Block device") and checks a file backend after the run.  Private to the
 * runner.
 *
 * The runner keeps a shadow of every disk: the bytes each successful
 * write put there, zeros after a discard, write zeroes or secure erase,
 * and "unknown"
 * for sectors a failed operation may or may not have changed.  blk.read
 * compares what the driver read with the shadow; after the run, a
 * file-backed disk's file must hold what the shadow holds.
 */
#ifndef VS_RUNNER_BLK_H
#define VS_RUNNER_BLK_H

#include <stddef.h>

#include "harness/machine.h"
#include "harness/scenario.h"

struct vs__blk_run;

/* Shadows for a machine's devices, filled as steps run.  NULL on ENOMEM. */
struct vs__blk_run *vs__blk_run_create(void);
void vs__blk_run_destroy(struct vs__blk_run *b);

/*
 * Run blk step st on md (device index d of m).  Returns the operation's
 * result (0 or a negative errno), which the step's "result" judges.  When
 * it succeeded but what it returned differs from what it should (data
 * read against the shadow, the id against "id", the lifetime against
 * "pre_eol_info" / "life_a" / "life_b"), mismatch gets a
 * sentence: a failure whatever "result" says.
 */
int vs__run_blk_step(struct vs__blk_run *b, struct vs_machine_dev *md, size_t d,
		     const struct vs_scn_step *st, char *mismatch, size_t len);

/*
 * After the guest shut down: for device d with a file backend, compare the
 * file with the shadow (a disk never written must be all zeros).  0 when
 * they agree (or d has no file), else -1 with mismatch set.  Removes the
 * file afterwards when its name was made from {pid}.
 */
int vs__blk_check_file(struct vs__blk_run *b, struct vs_machine_dev *md, size_t d,
		       char *mismatch, size_t len);

#endif /* VS_RUNNER_BLK_H */
