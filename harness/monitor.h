/*
 * monitor.h - the conformance monitor.
 *
 * The monitor watches the three places where a driver and a device meet
 * and judges both against the virtio specification:
 *  - bus accesses to the register banks it was told to watch (a write is
 *    seen before the device handles it, a read with the value returned);
 *  - interrupts (seen before the guest's handler runs);
 *  - guest memory: the rings, read raw through the arena at a kick, an
 *    interrupt, a used-index write and every vs_monitor_sync, plus the
 *    device side's vs_arena_read/vs_arena_write calls (taps).
 * It never looks into a driver's or a device's private structures, so it
 * can judge either side, our own or a foreign peer.  Device-side arena
 * taps are a bonus for in-process devices (writes into device-readable
 * buffers, access to rings after reset, what a notification decision
 * saw); the only driver-side checks that need them are the ones about
 * available buffer notifications, which need the history of the
 * device's suppression fields and are skipped without it.
 *
 * Inside, a per-bank transport decoder (virtio-mmio versions 2 and 1,
 * virtio PCI modern and legacy) turns register accesses into abstract events (status, features with their
 * select, queue layout and ready, kick, interrupt status and ack, config
 * and generation reads) and the generic rules in harness/rules/ consume
 * those.  A violation is data: rule, side, scenario step, event sequence
 * number and evidence.  Identical violations (same rule, device, queue and
 * evidence) are kept once with a count.
 *
 * Call order: vs_monitor_create (before any bank is mapped, so the first
 * access is seen), vs_monitor_watch_mmio per bank, then run the machine,
 * calling vs_monitor_set_step as steps begin, vs_monitor_sync after each
 * loop round and at step end, vs_monitor_finish once at the end of a run;
 * read violations; vs_monitor_destroy.
 *
 * Some checks wait for a later event: a used buffer that needs a
 * notification, an interrupt whose status the driver has not read yet.
 * They are judged at the second vs_monitor_sync after the event (one loop
 * round of grace for work a side deferred), or at vs_monitor_finish.
 */
#ifndef VS_MONITOR_H
#define VS_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/side.h"
#include "harness/rules.h"

struct vs_arena;
struct vs_bus;
struct vs_irq;
struct vs_monitor;

#define VS_MONITOR_NAME_MAX 32

struct vs_violation {
	const struct vs_rule *rule;
	enum vs_side side;  /* side judged: rule->side */
	int step;           /* scenario step index, -1 before the first */
	uint64_t seq;       /* monitor event sequence number of the first occurrence */
	char message[256];  /* evidence: queue, ring index, descriptor, register, values */
	char device[VS_MONITOR_NAME_MAX]; /* watched bank name, "" if none */
	int queue;          /* virtqueue index, -1 when not about one queue */
	uint64_t count;     /* occurrences (identical ones are kept once) */
};

/* Create a monitor tapping bus, irq and arena.  -EINVAL on NULL args,
 * -ENOMEM, or -ENOSPC when a tap table is full (nothing is left tapped). */
int vs_monitor_create(struct vs_arena *arena, struct vs_bus *bus, struct vs_irq *irq,
		      struct vs_monitor **out);
/* Remove the taps and free everything.  NULL ok. */
void vs_monitor_destroy(struct vs_monitor *mon);

/*
 * Watch a virtio-mmio bank of VS_MMIO_BANK_SIZE bytes at base whose
 * interrupt is irq_line.  name (copied, at most VS_MONITOR_NAME_MAX-1
 * characters used) appears in violations and events.  version is 2, or 1
 * for a legacy bank (spec 4.2.4); others: -ENOTSUP.  -EEXIST when the
 * range overlaps a watched bank, -ENOSPC when too many banks are watched.
 */
int vs_monitor_watch_mmio(struct vs_monitor *mon, const char *name, uint64_t base,
			  unsigned irq_line, unsigned version);

/*
 * Watch the virtio PCI function in slot (function 0) of the ECAM window at
 * VS_PCI_ECAM_BASE, whose INTx line is intx_line.  Everything else is
 * learned from traffic: BAR sizes and addresses from the driver's sizing
 * and assignment, the command register, MSI-X table programming (an
 * MSI-X message is recognised by its data = line); the capability list
 * and identity registers the monitor reads itself through configuration
 * space (side VS_SIDE_HARNESS; reads there have no side effects, and it
 * never reads the PCI_CFG window's data).  -EINVAL for a slot >= 32,
 * -EEXIST when the slot is watched, -ENOSPC, -ENOMEM.
 */
int vs_monitor_watch_pci(struct vs_monitor *mon, const char *name, unsigned slot,
			 unsigned intx_line);

void vs_monitor_set_step(struct vs_monitor *mon, int step);

/* Catch up on ring memory (new available chains, used entries the device
 * published) and judge the checks that were waiting for a later event. */
void vs_monitor_sync(struct vs_monitor *mon);
/* End of run: sync, then judge every check still waiting, without grace. */
void vs_monitor_finish(struct vs_monitor *mon);

/* Off: taps return at once and nothing is tracked (benchmarks).  Turning
 * it back on mid-run is not meaningful: state is stale. */
void vs_monitor_set_enabled(struct vs_monitor *mon, int on);

/* Distinct violations kept, in order of first occurrence. */
size_t vs_monitor_violation_count(const struct vs_monitor *mon);
/* NULL when i is out of range.  The pointer is valid until the next
 * monitored event, vs_monitor_clear or vs_monitor_destroy. */
const struct vs_violation *vs_monitor_violation(const struct vs_monitor *mon, size_t i);
/* Distinct violations at MUST level (not warnings). */
size_t vs_monitor_error_count(const struct vs_monitor *mon);
/* Forget violations (tracking state stays). */
void vs_monitor_clear(struct vs_monitor *mon);

/* What the monitor saw, for traces.  detail is key=value pairs separated
 * by spaces, deterministic (no pointers, no times). */
struct vs_monitor_event {
	const char *kind; /* "kick", "avail", "used", "interrupt", "violation", "status", "reset" */
	const char *device; /* bank name, "" if none */
	int queue;          /* -1 when not about one queue */
	char detail[192];
	const struct vs_violation *violation; /* kind "violation" only, else NULL */
};

typedef void (*vs_monitor_observer_fn)(void *opaque, const struct vs_monitor_event *ev);

/* One observer (the trace writer); NULL fn removes it.  Called
 * synchronously from inside taps: it must not access the bus or irq. */
void vs_monitor_set_observer(struct vs_monitor *mon, vs_monitor_observer_fn fn, void *opaque);

#endif /* VS_MONITOR_H */
