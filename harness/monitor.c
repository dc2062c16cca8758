/*
 * monitor.c - the monitor core: taps, watched banks, violations, events.
 *
 * Every bus access (driver side) to a watched bank, every interrupt and
 * every device-side arena access enters here through a tap.  Bank accesses
 * go to the bank's transport decoder (monitor_mmio.c), which calls the
 * generic rules; interrupts and device memory accesses go to the ring and
 * notification checks directly.  Taps are on every register access of a
 * run, so the "is this bank watched" lookup is a short linear scan and a
 * disabled monitor returns before it.
 *
 * Violations are deduplicated: the key is rule + device + queue + evidence
 * text, hashed into an open-addressing table of indices; a repeat bumps
 * the count and is not reported to the observer again.
 */
#include "harness/monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/irq.h"
#include "core/virtio_abi.h"
#include "harness/monitor_internal.h"

/* ---- violations ---- */

static uint32_t viol_hash(enum vs__rule rule, const char *dev, int queue, const char *msg)
{
	uint32_t h = 2166136261u ^ (uint32_t)rule;
	const char *parts[2] = {dev, msg};

	h = (h ^ (uint32_t)queue) * 16777619u;
	for (int p = 0; p < 2; p++)
		for (const unsigned char *s = (const unsigned char *)parts[p]; *s; s++)
			h = (h ^ *s) * 16777619u;
	return h;
}

static int vhash_grow(struct vs_monitor *mon)
{
	size_t cap = mon->vhash_cap ? mon->vhash_cap * 2 : 64;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < mon->nviol; i++) {
		const struct vs_violation *v = &mon->viol[i];
		uint32_t h = viol_hash((enum vs__rule)(v->rule - vs__rules), v->device, v->queue,
				       v->message);
		size_t j = h & (cap - 1);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(mon->vhash);
	mon->vhash = t;
	mon->vhash_cap = cap;
	return 0;
}

void vs__violate(struct vs_monitor *mon, const struct vs__dev *dev, int queue, enum vs__rule rule,
		 const char *fmt, ...)
{
	char msg[sizeof(((struct vs_violation *)0)->message)];
	const char *dname = dev ? dev->name : "";
	struct vs_violation *v;
	struct vs_monitor_event ev;
	va_list ap;
	uint32_t h;
	size_t j;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* keep the table at most half full */
	if ((mon->nviol + 1) * 2 > mon->vhash_cap && vhash_grow(mon) < 0)
		return;
	h = viol_hash(rule, dname, queue, msg);
	for (j = h & (mon->vhash_cap - 1); mon->vhash[j]; j = (j + 1) & (mon->vhash_cap - 1)) {
		v = &mon->viol[mon->vhash[j] - 1];
		if (v->rule == &vs__rules[rule] && v->queue == queue &&
		    strcmp(v->device, dname) == 0 && strcmp(v->message, msg) == 0) {
			v->count++;
			return;
		}
	}
	if (mon->nviol == mon->capviol) {
		size_t cap = mon->capviol ? mon->capviol * 2 : 16;
		struct vs_violation *nv = realloc(mon->viol, cap * sizeof(*nv));

		if (!nv)
			return;
		mon->viol = nv;
		mon->capviol = cap;
	}
	v = &mon->viol[mon->nviol];
	memset(v, 0, sizeof(*v));
	v->rule = &vs__rules[rule];
	v->side = v->rule->side;
	v->step = mon->step;
	v->seq = mon->seq;
	memcpy(v->message, msg, sizeof(v->message));
	snprintf(v->device, sizeof(v->device), "%s", dname);
	v->queue = queue;
	v->count = 1;
	mon->vhash[j] = (uint32_t)mon->nviol + 1;
	mon->nviol++;

	if (mon->obs) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = "violation";
		ev.device = dname;
		ev.queue = queue;
		snprintf(ev.detail, sizeof(ev.detail), "rule=%s side=%s", v->rule->id,
			 vs_side_name(v->side));
		ev.violation = v;
		mon->obs(mon->obs_opaque, &ev);
	}
}

void vs__emit(struct vs_monitor *mon, const char *kind, const struct vs__dev *dev, int queue,
	      const char *fmt, ...)
{
	struct vs_monitor_event ev;
	va_list ap;

	if (!mon->obs)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.device = dev ? dev->name : "";
	ev.queue = queue;
	va_start(ap, fmt);
	vsnprintf(ev.detail, sizeof(ev.detail), fmt, ap);
	va_end(ap);
	mon->obs(mon->obs_opaque, &ev);
}

/* ---- helpers shared with the rules ---- */

struct vs__queue *vs__queue_get(struct vs__dev *dev, uint32_t index, int create)
{
	struct vs__queue *q;

	for (uint32_t i = 0; i < dev->nq; i++)
		if (dev->q[i]->index == index)
			return dev->q[i];
	if (!create || dev->nq >= VS__MAX_QUEUES)
		return NULL;
	if (dev->nq == dev->capq) {
		uint32_t cap = dev->capq ? dev->capq * 2 : 4;
		struct vs__queue **nq = realloc(dev->q, cap * sizeof(*nq));

		if (!nq)
			return NULL;
		dev->q = nq;
		dev->capq = cap;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->index = index;
	dev->q[dev->nq++] = q;
	return q;
}

uint64_t vs__dev_features(const struct vs__dev *dev)
{
	return (uint64_t)dev->accepted[0] | ((uint64_t)dev->accepted[1] << 32);
}

int vs__mem_read(struct vs_monitor *mon, uint64_t gpa, void *dst, uint64_t len)
{
	/* translate, not vs_arena_read: the monitor's peeks must not show up
	 * in other taps (a trace of device accesses). */
	void *p = vs_arena_translate(mon->arena, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, (size_t)len);
	return 0;
}

int vs__mem_ok(struct vs_monitor *mon, uint64_t gpa, uint64_t len)
{
	return vs_arena_translate(mon->arena, gpa, len) != NULL;
}

int vs__due(const struct vs_monitor *mon, uint64_t stamp, int force)
{
	return force || stamp < mon->sync_count;
}

int vs__dev_legacy_iface(const struct vs__dev *dev)
{
	return (dev->xport == VS__XPORT_MMIO && dev->version == 1) ||
	       (dev->xport == VS__XPORT_PCI && dev->pci.legacy);
}

int vs__dev_legacy(const struct vs__dev *dev)
{
	return vs__dev_legacy_iface(dev) && !(vs__dev_features(dev) & VS_BIT(VIRTIO_F_VERSION_1));
}

int vs__dev_index(const struct vs_monitor *mon, const struct vs__dev *dev)
{
	for (uint32_t i = 0; i < mon->ndev; i++)
		if (mon->devs[i] == dev)
			return (int)i;
	return -1;
}

/* [dead_lo, dead_hi) covers every dead area: most accesses and chains
 * are nowhere near an old ring. */
static void dead_bounds(struct vs_monitor *mon)
{
	mon->dead_lo = UINT64_MAX;
	mon->dead_hi = 0;
	for (uint32_t i = 0; i < mon->ndead; i++) {
		const struct vs__dead *d = &mon->dead[i];
		uint64_t end = d->gpa + d->len < d->gpa ? UINT64_MAX : d->gpa + d->len;

		if (d->gpa < mon->dead_lo)
			mon->dead_lo = d->gpa;
		if (end > mon->dead_hi)
			mon->dead_hi = end;
	}
}

void vs__dead_add(struct vs_monitor *mon, uint64_t gpa, uint64_t len, int dev, int queue,
		  int reason)
{
	if (!len)
		return;
	if (mon->ndead == VS__MAX_DEAD) {
		/* forget the oldest: a bounded memory of old rings is enough */
		memmove(&mon->dead[0], &mon->dead[1], (VS__MAX_DEAD - 1) * sizeof(mon->dead[0]));
		mon->ndead--;
	}
	mon->dead[mon->ndead++] = (struct vs__dead){gpa, len, dev, queue, reason};
	dead_bounds(mon);
}

void vs__dead_forget(struct vs_monitor *mon, uint64_t gpa, uint64_t len)
{
	uint32_t i = 0, n = mon->ndead;

	/* every chain registered asks: make "no old ring there" cheap */
	if (!n || gpa >= mon->dead_hi || gpa + len <= mon->dead_lo)
		return;
	while (i < mon->ndead) {
		const struct vs__dead *d = &mon->dead[i];

		if (gpa < d->gpa + d->len && d->gpa < gpa + len) {
			memmove(&mon->dead[i], &mon->dead[i + 1],
				(mon->ndead - i - 1) * sizeof(mon->dead[0]));
			mon->ndead--;
		} else {
			i++;
		}
	}
	if (mon->ndead != n)
		dead_bounds(mon);
}

/* ---- taps ---- */

static struct vs__dev *dev_at(struct vs_monitor *mon, uint64_t addr)
{
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *d = mon->devs[i];

		if (addr >= d->base && addr - d->base < d->size)
			return d;
		if (d->xport == VS__XPORT_PCI && vs__pci_claims(d, addr))
			return d;
	}
	return NULL;
}

static void bus_tap(void *opaque, const struct vs_bus_access *acc)
{
	struct vs_monitor *mon = opaque;
	struct vs__dev *dev;

	/* the harness pokes registers for its own reasons; no device side
	 * accesses the register bus */
	if (!mon->enabled || acc->side != VS_SIDE_DRIVER || acc->status == -ENXIO)
		return;
	dev = dev_at(mon, acc->addr);
	if (!dev)
		return;
	mon->seq++;
	vs__ring_flush(mon);
	if (dev->xport == VS__XPORT_PCI)
		vs__pci_access(mon, dev, acc);
	else
		vs__mmio_access(mon, dev, acc);
}

static void irq_tap(void *opaque, unsigned line, int has_handler)
{
	struct vs_monitor *mon = opaque;

	if (!mon->enabled)
		return;
	mon->seq++;
	vs__ring_flush(mon);
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *dev = mon->devs[i];

		if (dev->xport == VS__XPORT_PCI) {
			vs__pci_irq(mon, dev, line, has_handler);
			continue;
		}
		if (dev->line != line)
			continue;
		vs__emit(mon, "interrupt", dev, -1, "line=%u handler=%d", line, has_handler);
		vs__interrupt(mon, dev, has_handler);
	}
}

static void arena_tap(void *opaque, const struct vs_arena_access *acc)
{
	struct vs_monitor *mon = opaque;

	if (!mon->enabled || acc->side != VS_SIDE_DEVICE)
		return;
	mon->seq++;
	vs__ring_flush(mon);
	vs__ring_device_access(mon, acc->gpa, acc->len, acc->is_write);
	if (acc->is_write)
		vs__devtype_device_write(mon, acc->gpa, acc->len);
}

/* ---- public API ---- */

int vs_monitor_create(struct vs_arena *arena, struct vs_bus *bus, struct vs_irq *irq,
		      struct vs_monitor **out)
{
	struct vs_monitor *mon;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!arena || !bus || !irq)
		return -EINVAL;
	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->arena = arena;
	mon->bus = bus;
	mon->irq = irq;
	mon->enabled = 1;
	mon->step = -1;
	rc = vs_bus_add_tap(bus, bus_tap, mon);
	if (rc < 0)
		goto out_free;
	rc = vs_irq_add_tap(irq, irq_tap, mon);
	if (rc < 0)
		goto out_untap_bus;
	rc = vs_arena_add_tap(arena, arena_tap, mon);
	if (rc < 0)
		goto out_untap_irq;
	*out = mon;
	return 0;

out_untap_irq:
	vs_irq_remove_tap(irq, irq_tap, mon);
out_untap_bus:
	vs_bus_remove_tap(bus, bus_tap, mon);
out_free:
	free(mon);
	return rc;
}

static void dev_free(struct vs__dev *dev)
{
	for (uint32_t i = 0; i < dev->nq; i++) {
		vs__queue_free(dev->q[i]);
		free(dev->q[i]);
	}
	free(dev->q);
	vs__pci_free(dev);
	vs__devtype_free(dev);
	free(dev);
}

void vs_monitor_destroy(struct vs_monitor *mon)
{
	if (!mon)
		return;
	vs_arena_remove_tap(mon->arena, arena_tap, mon);
	vs_irq_remove_tap(mon->irq, irq_tap, mon);
	vs_bus_remove_tap(mon->bus, bus_tap, mon);
	for (uint32_t i = 0; i < mon->ndev; i++)
		dev_free(mon->devs[i]);
	vs__ring_fini(mon);
	free(mon->viol);
	free(mon->vhash);
	free(mon);
}

int vs_monitor_watch_mmio(struct vs_monitor *mon, const char *name, uint64_t base,
			  unsigned irq_line, unsigned version)
{
	struct vs__dev *dev;

	if (!mon || !name)
		return -EINVAL;
	if (version != 1 && version != 2)
		return -ENOTSUP;
	if (base + VS_MMIO_BANK_SIZE < base)
		return -EINVAL;
	for (uint32_t i = 0; i < mon->ndev; i++) {
		const struct vs__dev *d = mon->devs[i];

		if (base < d->base + d->size && d->base < base + VS_MMIO_BANK_SIZE)
			return -EEXIST;
	}
	if (mon->ndev == VS__MAX_DEVS)
		return -ENOSPC;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->xport = VS__XPORT_MMIO;
	dev->base = base;
	dev->size = VS_MMIO_BANK_SIZE;
	dev->line = irq_line;
	dev->version = version;
	mon->devs[mon->ndev++] = dev;
	return 0;
}

void vs_monitor_set_step(struct vs_monitor *mon, int step)
{
	if (mon)
		mon->step = step;
}

static void judge_pending(struct vs_monitor *mon, int force)
{
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *dev = mon->devs[i];

		vs__status_pending(mon, dev, force);
		vs__notify_pending(mon, dev, force);
		vs__ring_pending(mon, dev, force);
		vs__mmio_pending(mon, dev, force);
		vs__pci_pending(mon, dev, force);
		vs__config_pending(mon, dev, force);
		vs__devtype_pending(mon, dev, force);
	}
}

void vs_monitor_sync(struct vs_monitor *mon)
{
	if (!mon || !mon->enabled)
		return;
	vs__ring_flush(mon);
	for (uint32_t i = 0; i < mon->ndev; i++) {
		struct vs__dev *dev = mon->devs[i];

		for (uint32_t j = 0; j < dev->nq; j++)
			vs__ring_catchup(mon, dev, dev->q[j]);
	}
	judge_pending(mon, 0);
	mon->sync_count++;
}

void vs_monitor_finish(struct vs_monitor *mon)
{
	if (!mon || !mon->enabled)
		return;
	vs_monitor_sync(mon);
	judge_pending(mon, 1);
}

void vs_monitor_set_enabled(struct vs_monitor *mon, int on)
{
	if (mon)
		mon->enabled = !!on;
}

size_t vs_monitor_violation_count(const struct vs_monitor *mon)
{
	return mon ? mon->nviol : 0;
}

const struct vs_violation *vs_monitor_violation(const struct vs_monitor *mon, size_t i)
{
	if (!mon || i >= mon->nviol)
		return NULL;
	return &mon->viol[i];
}

size_t vs_monitor_error_count(const struct vs_monitor *mon)
{
	size_t n = 0;

	for (size_t i = 0; mon && i < mon->nviol; i++)
		n += !vs_rule_is_warning(mon->viol[i].rule);
	return n;
}

void vs_monitor_clear(struct vs_monitor *mon)
{
	if (!mon)
		return;
	mon->nviol = 0;
	if (mon->vhash)
		memset(mon->vhash, 0, mon->vhash_cap * sizeof(*mon->vhash));
}

void vs_monitor_set_observer(struct vs_monitor *mon, vs_monitor_observer_fn fn, void *opaque)
{
	if (!mon)
		return;
	mon->obs = fn;
	mon->obs_opaque = fn ? opaque : NULL;
}
