/*
 * runner_net.h - how the runner executes the net.* steps (docs/scenarios.md,
 * "Network device").  Private to the runner.
 *
 * net.send has the driver transmit test frames (harness/net_frame.h) and
 * records each one as expected at the wire's other end: the same device
 * in loopback, its peer when paired.  Received frames are taken from the
 * receiving driver as they arrive (during sends, so no backlog
 * overflows, and at net.expect) and matched against what was sent, byte
 * for byte, checksums completed and segments put back together.
 * net.expect then compares the number of whole frames that arrived since
 * the last net.expect on that device with "received".
 */
#ifndef VS_RUNNER_NET_H
#define VS_RUNNER_NET_H

#include <stddef.h>

#include "harness/machine.h"
#include "harness/scenario.h"

struct vs__net_run;

struct vs__net_run *vs__net_run_create(void);
void vs__net_run_destroy(struct vs__net_run *n);

/*
 * Run net step st on device d of m.  Returns the operation's result (0 or
 * a negative errno) for the step's "result" to judge; mismatch gets a
 * sentence when the operation succeeded but its effect is wrong (a frame
 * that came back different, a count that differs, a state the other side
 * did not take).
 */
int vs__run_net_step(struct vs__net_run *n, struct vs_machine *m, size_t d,
		     const struct vs_scn_step *st, char *mismatch, size_t len);

#endif /* VS_RUNNER_NET_H */
