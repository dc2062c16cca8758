/*
 * guest_machine_fixture.h - a whole machine built from a scenario's JSON
 * device objects, its first device handed to the real guest drivers, for
 * Check tests of a driver against the real device model.  Included by
 * one test file each (static functions, one machine at a time).
 *
 * setup()/teardown() as the TCase fixture; build_rc() / build() make the
 * machine (h: the first device's guest handle); shutdown() takes the
 * guest down and asserts nothing leaked; no_violations() and fired() ask
 * the monitor.
 */
#ifndef VS_TESTS_GUEST_MACHINE_FIXTURE_H
#define VS_TESTS_GUEST_MACHINE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "driver/guest.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/scenario.h"

static struct vs_scenario scn;
static struct vs_machine *m;
static int h;

static void setup(void)
{
	vs_log_set_level(VS_LOG_OFF);
	m = NULL;
	h = -1;
}

/* The guest goes down: nothing may leak. */
static void shutdown(void)
{
	uint64_t added, returned;

	vs_machine_shutdown_guest(m);
	ck_assert_uint_eq(vs_arena_allocated(m->arena), 0);
	vs_guest_token_stats(&added, &returned);
	ck_assert_uint_eq(added, returned);
}

static void teardown(void)
{
	if (m)
		vs_machine_destroy(m);
	vs_scenario_free(&scn);
}

/* A machine with the devices of `devices` (JSON objects) and ring; the
 * first is handed to the guest: h.  The probe's result. */
static int build_rc(const char *ring, const char *devices)
{
	char text[2048];
	struct vs_diag diag;
	struct vs_machine_dev *md;
	int rc;

	snprintf(text, sizeof(text),
		 "{\"name\": \"t\", \"machine\": {\"ring\": \"%s\", \"devices\": [%s]},"
		 " \"steps\": [{\"op\": \"probe\"}]}",
		 ring, devices);
	ck_assert_int_eq(vs_scenario_parse("t", text, strlen(text), &scn, &diag), 0);
	ck_assert_int_eq(vs_machine_create(&scn, 9, &m, &diag), 0);
	md = &m->devs[0];
	if (vs_transport_is_pci(md->desc->transport))
		rc = vs_guest_pci_add(md->slot, md->line,
				      md->desc->transport == VS_TRANSPORT_PCI_LEGACY, &h);
	else
		rc = vs_guest_mmio_add(md->base, VS_MACHINE_MMIO_STRIDE, md->line, &h);
	vs_machine_settle(m);
	return rc;
}

static void build(const char *ring, const char *devices)
{
	ck_assert_int_eq(build_rc(ring, devices), 0);
}

static void no_violations(void)
{
	vs_machine_settle(m);
	for (size_t i = 0; i < vs_monitor_violation_count(m->mon); i++) {
		const struct vs_violation *v = vs_monitor_violation(m->mon, i);

		ck_abort_msg("violation %s: %s", v->rule->id, v->message);
	}
}

/* Did rule fire?  (Unused by some includers.) */
static inline int fired(const char *rule)
{
	for (size_t i = 0; i < vs_monitor_violation_count(m->mon); i++)
		if (strcmp(vs_monitor_violation(m->mon, i)->rule->id, rule) == 0)
			return 1;
	return 0;
}

#endif /* VS_TESTS_GUEST_MACHINE_FIXTURE_H */
