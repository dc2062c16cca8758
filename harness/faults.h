/*
 * faults.h - the fault catalogue: every fault point of core/fault.h with
 * the name scenarios use, the side that misbehaves, what it does, and the
 * monitor rule expected to catch it ("" when no rule can: a gap).
 */
#ifndef VS_FAULTS_H
#define VS_FAULTS_H

#include <stddef.h>

#include "core/fault.h"
#include "core/side.h"

struct vs_fault_info {
	enum vs_fault_id id;
	const char *name;    /* e.g. "device.used-id-out-of-range" */
	enum vs_side side;   /* the side that misbehaves */
	const char *summary; /* what the faulty side does */
	const char *rule;    /* monitor rule id that catches it, "" if none */
};

const struct vs_fault_info *vs_faults_catalogue(size_t *count);
const struct vs_fault_info *vs_fault_find(const char *name);

#endif /* VS_FAULTS_H */
