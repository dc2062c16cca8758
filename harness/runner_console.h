/*
 * runner_console.h - how the runner executes the console.* steps
 * (docs/scenarios.md, "Console").  Private to the runner.
 */
#ifndef VS_RUNNER_CONSOLE_H
#define VS_RUNNER_CONSOLE_H

#include <stddef.h>

#include "harness/machine.h"
#include "harness/scenario.h"

/*
 * Run console step st on md, a console device of m.  Returns the
 * operation's result (0 or a negative errno), which the step's "result"
 * judges.  When the operation succeeded but what the step checks
 * afterwards differs (the device's output, the driver's view of a port),
 * mismatch gets a sentence: a failure whatever "result" says.
 */
int vs__run_console_step(struct vs_machine *m, struct vs_machine_dev *md,
			 const struct vs_scn_step *st, char *mismatch, size_t len);

#endif /* VS_RUNNER_CONSOLE_H */
