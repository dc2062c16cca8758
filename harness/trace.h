/*
 * trace.h - every event of a run as JSON lines (--trace FILE): register
 * accesses, device memory writes, interrupts, kicks and ring updates as the
 * monitor decodes them, violations, and scenario/step boundaries.
 *
 * A line holds only deterministic values (sequence number, virtual time,
 * names, offsets, values; never a pointer or a wall-clock time), so the
 * same scenario and seed give the same trace byte for byte.
 */
#ifndef VS_TRACE_H
#define VS_TRACE_H

#include <stdint.h>
#include <stdio.h>

struct vs_trace;
struct vs_machine;

/* f stays owned by the caller. */
int vs_trace_create(FILE *f, struct vs_trace **out);
void vs_trace_destroy(struct vs_trace *t);

/* Subscribe to a machine's taps and monitor; detach before it dies. */
int vs_trace_attach(struct vs_trace *t, struct vs_machine *m, const char *scenario);
void vs_trace_detach(struct vs_trace *t);

void vs_trace_step(struct vs_trace *t, int step, const char *op, const char *device);
/* A free-form harness event, e.g. a step's outcome; detail is key=value text. */
void vs_trace_note(struct vs_trace *t, const char *kind, const char *detail);

#endif /* VS_TRACE_H */
