/*
 * runner.c - executes scenario steps against a machine (see runner.h).
 *
 * Each step runs, then the machine settles (the loop runs until nothing is
 * runnable and the monitor catches up), so every violation is attributed
 * to the step that caused it.
 */
#include "harness/runner.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/arena.h"
#include "core/loop.h"
#include "devices/vdev.h"
#include "driver/guest.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/rules.h"
#include "harness/runner_blk.h"
#include "harness/runner_console.h"
#include "harness/runner_net.h"
#include "harness/trace.h"

struct run {
	const struct vs_scenario *s;
	struct vs_machine *m;
	struct vs_result *res;
	struct vs_trace *trace;
	size_t expect_from; /* first violation not yet judged by an expect step */
	struct vs__blk_run *blk; /* disk shadows, made at the first blk.* step */
	struct vs__net_run *net; /* frames in flight, made at the first net.* step */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->res->n_failures < VS_RESULT_MAX_FAILURES) {
		va_start(ap, fmt);
		vsnprintf(r->res->failures[r->res->n_failures],
			  sizeof(r->res->failures[0]), fmt, ap);
		va_end(ap);
	}
	r->res->n_failures++;
}

static const char *errname(int rc)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s (%d)", rc < 0 ? strerror(-rc) : "ok", rc);
	return buf;
}

static void check_result(struct run *r, size_t i, const char *what, int rc,
			 enum vs_step_result want)
{
	if (want == VS_RESULT_OK && rc < 0)
		fail(r, "steps[%zu] %s: expected success, got %s", i, what, errname(rc));
	else if (want == VS_RESULT_ERROR && rc >= 0)
		fail(r, "steps[%zu] %s: expected an error, it succeeded", i, what);
}

static int dev_selected(const struct vs_scn_step *st, size_t i)
{
	return st->device < 0 || (size_t)st->device == i;
}

static void step_probe(struct run *r, size_t i, const struct vs_scn_step *st)
{
	size_t d;
	int rc;

	for (d = 0; d < r->m->n_devs; d++) {
		struct vs_machine_dev *md = &r->m->devs[d];
		char what[96];

		if (!dev_selected(st, d))
			continue;
		snprintf(what, sizeof(what), "probe %s", md->desc->name);
		if (md->handle >= 0) {
			fail(r, "steps[%zu] %s: already probed", i, what);
			continue;
		}
		if (vs_transport_is_pci(md->desc->transport))
			rc = vs_guest_pci_add(md->slot, md->line,
					      md->desc->transport == VS_TRANSPORT_PCI_LEGACY,
					      &md->handle);
		else
			rc = vs_guest_mmio_add(md->base, VS_MACHINE_MMIO_STRIDE, md->line,
					       &md->handle);
		if (rc < 0)
			md->handle = -1;
		else
			snprintf(r->res->interrupt[d], sizeof(r->res->interrupt[d]), "%s",
				 vs_guest_irq_mode(md->handle));
		check_result(r, i, what, rc, st->result);
	}
}

static void step_remove_or_reset(struct run *r, size_t i, const struct vs_scn_step *st)
{
	size_t d;
	int rc;

	for (d = 0; d < r->m->n_devs; d++) {
		struct vs_machine_dev *md = &r->m->devs[d];
		char what[96];

		if (!dev_selected(st, d) || (st->device < 0 && md->handle < 0))
			continue;
		snprintf(what, sizeof(what), "%s %s", vs_step_op_name(st->op), md->desc->name);
		if (md->handle < 0) {
			fail(r, "steps[%zu] %s: device is not probed", i, what);
			continue;
		}
		if (st->op == VS_STEP_REMOVE) {
			rc = vs_guest_remove(md->handle);
			md->handle = -1;
		} else {
			rc = vs_guest_reset(md->handle);
		}
		check_result(r, i, what, rc, st->result);
	}
}

/* The device changes its configuration (bytes may be none: then only the
 * generation moves) and notifies the driver, as its transport does it. */
static void step_config_change(struct run *r, size_t i, const struct vs_scn_step *st)
{
	size_t d;
	int rc;

	for (d = 0; d < r->m->n_devs; d++) {
		struct vs_machine_dev *md = &r->m->devs[d];
		char what[96];

		if (!dev_selected(st, d))
			continue;
		snprintf(what, sizeof(what), "config.change %s", md->desc->name);
		rc = vs_vdev_config_change(md->vdev, st->cfg_offset, st->cfg_bytes, st->cfg_len);
		check_result(r, i, what, rc, st->result);
	}
}

static struct vs_machine_dev *pick_device(struct run *r, const struct vs_scn_step *st,
					  const char *type)
{
	size_t d;

	if (st->device >= 0)
		return &r->m->devs[st->device];
	for (d = 0; d < r->m->n_devs; d++)
		if (strcmp(r->m->devs[d].desc->type, type) == 0)
			return &r->m->devs[d];
	return NULL;
}

static void step_rng_read(struct run *r, size_t i, const struct vs_scn_step *st)
{
	struct vs_machine_dev *md = pick_device(r, st, "rng");
	uint8_t *buf;
	uint32_t n;
	int rc;

	if (!md || strcmp(md->desc->type, "rng") != 0) {
		fail(r, "steps[%zu] rng.read: %s", i,
		     md ? "the device is not an rng" : "the machine has no rng device");
		return;
	}
	if (md->handle < 0) {
		fail(r, "steps[%zu] rng.read %s: device is not probed", i, md->desc->name);
		return;
	}
	buf = malloc(st->bytes);
	if (!buf) {
		fail(r, "steps[%zu] rng.read: out of memory", i);
		return;
	}
	for (n = 0; n < st->count; n++) {
		char what[96];

		rc = vs_guest_rng_read(md->handle, buf, st->bytes, st->wait);
		if (st->wait && rc == 0)
			rc = -ENODATA; /* a completed read always carries >= 1 byte */
		snprintf(what, sizeof(what), "rng.read %s #%u", md->desc->name, n);
		check_result(r, i, what, rc, st->result);
		if (rc < 0 && st->result != VS_RESULT_OK)
			continue;
		if (rc < 0)
			break; /* one failure is enough evidence */
		vs_machine_settle(r->m);
	}
	free(buf);
}

/* console.*: the harness acts on one side, then looks at the other. */
static void step_console(struct run *r, size_t i, const struct vs_scn_step *st)
{
	struct vs_machine_dev *md = pick_device(r, st, "console");
	char what[96], mismatch[256];
	int rc;

	if (!md || strcmp(md->desc->type, "console") != 0) {
		fail(r, "steps[%zu] %s: %s", i, vs_step_op_name(st->op),
		     md ? "the device is not a console" : "the machine has no console device");
		return;
	}
	snprintf(what, sizeof(what), "%s %s port %u", vs_step_op_name(st->op), md->desc->name,
		 st->port);
	rc = vs__run_console_step(r->m, md, st, mismatch, sizeof(mismatch));
	check_result(r, i, what, rc, st->result);
	if (mismatch[0])
		fail(r, "steps[%zu] %s: %s", i, what, mismatch);
}

/* net.*: one side acts, the runner looks at what reached the other. */
static void step_net(struct run *r, size_t i, const struct vs_scn_step *st)
{
	struct vs_machine_dev *md = pick_device(r, st, "net");
	char what[96], mismatch[256];
	int rc;

	if (!md || strcmp(md->desc->type, "net") != 0) {
		fail(r, "steps[%zu] %s: %s", i, vs_step_op_name(st->op),
		     md ? "the device is not a net device" : "the machine has no net device");
		return;
	}
	/* Only the device's own link may change with no driver bound. */
	if (md->handle < 0 && st->op != VS_STEP_NET_LINK) {
		fail(r, "steps[%zu] %s %s: device is not probed", i, vs_step_op_name(st->op),
		     md->desc->name);
		return;
	}
	if (!r->net && !(r->net = vs__net_run_create())) {
		fail(r, "steps[%zu] %s: out of memory", i, vs_step_op_name(st->op));
		return;
	}
	snprintf(what, sizeof(what), "%s %s", vs_step_op_name(st->op), md->desc->name);
	rc = vs__run_net_step(r->net, r->m, (size_t)(md - r->m->devs), st, mismatch,
			      sizeof(mismatch));
	check_result(r, i, what, rc, st->result);
	if (mismatch[0])
		fail(r, "steps[%zu] %s: %s", i, what, mismatch);
}

/* blk.*: the driver does the operation, the shadow judges its data. */
static void step_blk(struct run *r, size_t i, const struct vs_scn_step *st)
{
	struct vs_machine_dev *md = pick_device(r, st, "blk");
	char what[96], mismatch[256];
	int rc;

	if (!md || strcmp(md->desc->type, "blk") != 0) {
		fail(r, "steps[%zu] %s: %s", i, vs_step_op_name(st->op),
		     md ? "the device is not a blk device" : "the machine has no blk device");
		return;
	}
	if (md->handle < 0) {
		fail(r, "steps[%zu] %s %s: device is not probed", i, vs_step_op_name(st->op),
		     md->desc->name);
		return;
	}
	if (!r->blk && !(r->blk = vs__blk_run_create())) {
		fail(r, "steps[%zu] %s: out of memory", i, vs_step_op_name(st->op));
		return;
	}
	if (st->op == VS_STEP_BLK_FLUSH || st->op == VS_STEP_BLK_GET_ID ||
	    st->op == VS_STEP_BLK_GET_LIFETIME)
		snprintf(what, sizeof(what), "%s %s", vs_step_op_name(st->op), md->desc->name);
	else
		snprintf(what, sizeof(what), "%s %s sectors %llu+%u", vs_step_op_name(st->op),
			 md->desc->name, (unsigned long long)st->sector, st->nsectors);
	rc = vs__run_blk_step(r->blk, md, (size_t)(md - r->m->devs), st, mismatch, sizeof(mismatch));
	check_result(r, i, what, rc, st->result);
	if (mismatch[0])
		fail(r, "steps[%zu] %s: %s", i, what, mismatch);
}

/* After the guest went down: file-backed disks hold what was written. */
static void check_blk_files(struct run *r)
{
	char mismatch[256];
	size_t d;

	for (d = 0; d < r->m->n_devs; d++) {
		if (strcmp(r->m->devs[d].desc->type, "blk") != 0 ||
		    !r->m->devs[d].desc->backend_file[0])
			continue;
		if (!r->blk && !(r->blk = vs__blk_run_create())) {
			fail(r, "teardown: out of memory");
			return;
		}
		if (vs__blk_check_file(r->blk, &r->m->devs[d], d, mismatch, sizeof(mismatch)) < 0)
			fail(r, "teardown: %s backend: %s", r->m->devs[d].desc->name, mismatch);
	}
}

static int rule_listed(const struct vs_scn_step *st, const char *rule)
{
	size_t k;

	for (k = 0; k < st->n_expect; k++)
		if (strcmp(st->expect[k], rule) == 0)
			return 1;
	return 0;
}

static void step_expect(struct run *r, size_t i, const struct vs_scn_step *st)
{
	struct vs_monitor *mon = r->m->mon;
	size_t n = vs_monitor_violation_count(mon), v, k;

	for (k = 0; k < st->n_expect; k++) {
		int seen = 0;

		for (v = r->expect_from; v < n; v++)
			if (strcmp(vs_monitor_violation(mon, v)->rule->id, st->expect[k]) == 0)
				seen = 1;
		if (!seen)
			fail(r, "steps[%zu] expect: rule %s did not fire", i, st->expect[k]);
	}
	for (k = 0; st->interrupt[0] && k < r->m->n_devs; k++) {
		const struct vs_machine_dev *md = &r->m->devs[k];
		const char *mode = md->handle >= 0 ? vs_guest_irq_mode(md->handle) : "none";

		if (dev_selected(st, k) && strcmp(mode, st->interrupt) != 0)
			fail(r, "steps[%zu] expect: %s takes its interrupts as %s, expected %s", i,
			     md->desc->name, mode, st->interrupt);
	}
	for (v = r->expect_from; v < n; v++) {
		const struct vs_violation *vi = vs_monitor_violation(mon, v);

		if (!rule_listed(st, vi->rule->id) && !vs_rule_is_warning(vi->rule))
			fail(r, "steps[%zu] expect: unexpected violation %s (%s side): %s", i,
			     vi->rule->id, vs_side_name(vi->side), vi->message);
		else
			r->res->violations[v].expected = 1;
	}
	r->expect_from = n;
}

static int never(void *opaque)
{
	(void)opaque;
	return 0;
}

static void run_step(struct run *r, size_t i)
{
	const struct vs_scn_step *st = &r->s->steps[i];

	vs_monitor_set_step(r->m->mon, (int)i);
	vs_trace_step(r->trace, (int)i, vs_step_op_name(st->op),
		      st->device >= 0 ? r->s->devices[st->device].name : NULL);
	switch (st->op) {
	case VS_STEP_PROBE:
		step_probe(r, i, st);
		break;
	case VS_STEP_REMOVE:
	case VS_STEP_RESET:
		step_remove_or_reset(r, i, st);
		break;
	case VS_STEP_RNG_READ:
		step_rng_read(r, i, st);
		break;
	case VS_STEP_FAULT:
		vs_faults_set(&r->m->faults, st->fault, st->fault_mode, st->fault_count,
			      st->prob_num, st->prob_den);
		break;
	case VS_STEP_EXPECT:
		break; /* judged after the machine settles, below */
	case VS_STEP_RUN:
		if (st->run_ns)
			vs_loop_run_until(r->m->loop, never, NULL, st->run_ns);
		break;
	case VS_STEP_CONFIG_CHANGE:
		step_config_change(r, i, st);
		break;
	case VS_STEP_CONSOLE_OPEN:
	case VS_STEP_CONSOLE_CLOSE:
	case VS_STEP_CONSOLE_WRITE:
	case VS_STEP_CONSOLE_INPUT:
	case VS_STEP_CONSOLE_READ:
	case VS_STEP_CONSOLE_HOT_ADD:
	case VS_STEP_CONSOLE_REMOVE_PORT:
	case VS_STEP_CONSOLE_RESIZE:
	case VS_STEP_CONSOLE_EMERG_WRITE:
		step_console(r, i, st);
		break;
	case VS_STEP_BLK_WRITE:
	case VS_STEP_BLK_READ:
	case VS_STEP_BLK_FLUSH:
	case VS_STEP_BLK_DISCARD:
	case VS_STEP_BLK_WRITE_ZEROES:
	case VS_STEP_BLK_GET_ID:
	case VS_STEP_BLK_SECURE_ERASE:
	case VS_STEP_BLK_GET_LIFETIME:
		step_blk(r, i, st);
		break;
	case VS_STEP_NET_SEND:
	case VS_STEP_NET_EXPECT:
	case VS_STEP_NET_RX_MODE:
	case VS_STEP_NET_MAC_TABLE:
	case VS_STEP_NET_SET_MAC:
	case VS_STEP_NET_VLAN:
	case VS_STEP_NET_LINK:
	case VS_STEP_NET_QUEUE_PAIRS:
	case VS_STEP_NET_ANNOUNCE:
		step_net(r, i, st);
		break;
	}
	if (vs_machine_settle(r->m) < 0) {
		r->res->unsettled++;
		fail(r, "steps[%zu] %s: the machine did not settle (work requeued itself "
		     "without end)", i, vs_step_op_name(st->op));
	}
}

/* Once the guest is down, every byte it allocated in guest RAM is free
 * again and every virtqueue token it added came back exactly once (used
 * or detached): whatever the other side did, a driver may not leak. */
static void check_guest_leaks(struct run *r)
{
	size_t f;

	r->res->leaked_bytes = vs_arena_allocated(r->m->arena);
	vs_guest_token_stats(&r->res->tokens_added, &r->res->tokens_returned);
	for (f = 0; f < VS_FAULT_COUNT; f++)
		r->res->faults_fired[f] = r->m->faults.sw[f].fired;
	if (r->res->leaked_bytes)
		fail(r, "teardown: %llu bytes of guest RAM still allocated after the guest "
		     "shut down", (unsigned long long)r->res->leaked_bytes);
	if (r->res->tokens_returned != r->res->tokens_added)
		fail(r, "teardown: the drivers added %llu virtqueue buffers and got %llu back",
		     (unsigned long long)r->res->tokens_added,
		     (unsigned long long)r->res->tokens_returned);
}

/* Copy the monitor's violations into the result, keeping expected marks. */
static int collect_violations(struct run *r)
{
	size_t n = vs_monitor_violation_count(r->m->mon), v;
	struct vs_result_violation *nv;

	if (n <= r->res->n_violations)
		return 0;
	nv = realloc(r->res->violations, n * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	r->res->violations = nv;
	for (v = r->res->n_violations; v < n; v++) {
		const struct vs_violation *vi = vs_monitor_violation(r->m->mon, v);
		struct vs_result_violation *rv = &nv[v];

		memset(rv, 0, sizeof(*rv));
		snprintf(rv->rule, sizeof(rv->rule), "%s", vi->rule->id);
		snprintf(rv->spec, sizeof(rv->spec), "%s", vi->rule->spec[0] ? vi->rule->spec
									      : vi->rule->section);
		snprintf(rv->level, sizeof(rv->level), "%s", vi->rule->level);
		snprintf(rv->message, sizeof(rv->message), "%s", vi->message);
		rv->side = vi->side;
		rv->step = vi->step;
		rv->warning = vs_rule_is_warning(vi->rule);
	}
	r->res->n_violations = n;
	return 0;
}

int vs_run_scenario(const struct vs_scenario *s, const struct vs_run_opts *opts,
		    struct vs_result *res)
{
	struct run r = {.s = s, .res = res, .trace = opts->trace};
	struct vs_diag diag;
	uint64_t t0 = uv_hrtime();
	size_t i, v, d;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&diag, 0, sizeof(diag));
	snprintf(res->name, sizeof(res->name), "%s", s->name);
	snprintf(res->file, sizeof(res->file), "%s", s->file);
	for (d = 0; d < VS_SCN_MAX_DEVICES; d++) {
		snprintf(res->interrupt[d], sizeof(res->interrupt[d]), "none");
		res->msix_vectors[d] = -1;
	}
	res->seed = (opts->seed_override || !s->seed_given) ? opts->seed : s->seed;
	rc = vs_machine_create(s, res->seed, &r.m, &diag);
	if (rc < 0) {
		char msg[512];

		vs_diag_format(&diag, msg, sizeof(msg));
		fail(&r, "cannot build the machine: %s", msg);
		return rc;
	}
	for (d = 0; d < r.m->n_devs; d++)
		res->msix_vectors[d] = vs_transport_is_pci(s->devices[d].transport)
					       ? (int)r.m->devs[d].msix_vectors
					       : -1;
	if (r.trace)
		vs_trace_attach(r.trace, r.m, s->name);
	for (i = 0; i < s->n_steps; i++) {
		run_step(&r, i);
		if (collect_violations(&r) < 0) {
			fail(&r, "out of memory");
			break;
		}
		if (s->steps[i].op == VS_STEP_EXPECT)
			step_expect(&r, i, &s->steps[i]);
	}
	/* Teardown is judged like a step: drivers reset their devices. */
	vs_monitor_set_step(r.m->mon, (int)s->n_steps);
	vs_trace_step(r.trace, (int)s->n_steps, "shutdown", NULL);
	vs_machine_shutdown_guest(r.m);
	check_guest_leaks(&r);
	check_blk_files(&r);
	vs__blk_run_destroy(r.blk);
	vs__net_run_destroy(r.net);
	/* Checks that wait for a later event (an interrupt still owed) are
	 * judged now, with no grace left. */
	vs_monitor_finish(r.m->mon);
	if (collect_violations(&r) < 0)
		fail(&r, "out of memory");
	for (v = r.expect_from; v < res->n_violations; v++)
		if (!res->violations[v].warning)
			fail(&r, "unexpected violation %s (%s side) at steps[%d]: %s",
			     res->violations[v].rule, vs_side_name(res->violations[v].side),
			     res->violations[v].step, res->violations[v].message);
	res->virtual_ns = vs_loop_now(r.m->loop);
	for (d = 0; d < r.m->n_devs; d++)
		res->requests += vs_vdev_requests_completed(r.m->devs[d].vdev);
	if (r.trace)
		vs_trace_detach(r.trace);
	vs_machine_destroy(r.m);
	res->passed = res->n_failures == 0;
	res->duration_ms = (double)(uv_hrtime() - t0) / 1e6;
	return 0;
}

void vs_result_free(struct vs_result *res)
{
	if (!res)
		return;
	free(res->violations);
	res->violations = NULL;
	res->n_violations = 0;
}
