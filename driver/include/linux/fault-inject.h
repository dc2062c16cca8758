/*
 * linux/fault-inject.h - fault points in guest code.
 *
 * A driver asks virtio_should_fail(id) exactly where it could misbehave
 * in that way, and only when the misbehaviour can take effect there (a
 * counted switch must not be used up by a call that changes nothing).  The
 * switches live in the machine's struct vs_faults (core/fault.h); with
 * none bound, nothing fails.
 */
#ifndef VS_LINUX_FAULT_INJECT_H
#define VS_LINUX_FAULT_INJECT_H

#include <linux/compiler.h>

#include "core/fault.h"

bool virtio_should_fail(enum vs_fault_id id);

#endif /* VS_LINUX_FAULT_INJECT_H */
