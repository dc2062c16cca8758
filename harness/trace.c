/*
 * trace.c - JSON-lines trace writer (see trace.h).
 *
 * The machine creates the monitor before the trace attaches, so on one
 * access the monitor's tap runs first: a violation line can precede the
 * access line that caused it.  Both carry the same virtual time, and the
 * sequence numbers keep the order stable, which is what determinism needs.
 */
#include "harness/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bus.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/virtio_abi.h"
#include "harness/machine.h"
#include "harness/monitor.h"

struct vs_trace {
	FILE *f;
	struct vs_machine *m;
	uint64_t seq;
	int step;
};

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void line_start(struct vs_trace *t, const char *ev)
{
	uint64_t now = t->m ? vs_loop_now(t->m->loop) : 0;

	fprintf(t->f, "{\"seq\":%llu,\"t\":%llu,\"step\":%d,\"ev\":", (unsigned long long)t->seq++,
		(unsigned long long)now, t->step);
	json_str(t->f, ev);
}

static const char *mmio_reg_name(uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return "MagicValue";
	case VIRTIO_MMIO_VERSION: return "Version";
	case VIRTIO_MMIO_DEVICE_ID: return "DeviceID";
	case VIRTIO_MMIO_VENDOR_ID: return "VendorID";
	case VIRTIO_MMIO_DEVICE_FEATURES: return "DeviceFeatures";
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: return "DeviceFeaturesSel";
	case VIRTIO_MMIO_DRIVER_FEATURES: return "DriverFeatures";
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: return "DriverFeaturesSel";
	case VIRTIO_MMIO_GUEST_PAGE_SIZE: return "GuestPageSize";
	case VIRTIO_MMIO_QUEUE_SEL: return "QueueSel";
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return "QueueNumMax";
	case VIRTIO_MMIO_QUEUE_NUM: return "QueueNum";
	case VIRTIO_MMIO_QUEUE_ALIGN: return "QueueAlign";
	case VIRTIO_MMIO_QUEUE_PFN: return "QueuePFN";
	case VIRTIO_MMIO_QUEUE_READY: return "QueueReady";
	case VIRTIO_MMIO_QUEUE_NOTIFY: return "QueueNotify";
	case VIRTIO_MMIO_INTERRUPT_STATUS: return "InterruptStatus";
	case VIRTIO_MMIO_INTERRUPT_ACK: return "InterruptACK";
	case VIRTIO_MMIO_STATUS: return "Status";
	case VIRTIO_MMIO_QUEUE_DESC_LOW: return "QueueDescLow";
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return "QueueDescHigh";
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: return "QueueDriverLow";
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: return "QueueDriverHigh";
	case VIRTIO_MMIO_QUEUE_USED_LOW: return "QueueDeviceLow";
	case VIRTIO_MMIO_QUEUE_USED_HIGH: return "QueueDeviceHigh";
	case VIRTIO_MMIO_SHM_SEL: return "SHMSel";
	case VIRTIO_MMIO_SHM_LEN_LOW: return "SHMLenLow";
	case VIRTIO_MMIO_SHM_LEN_HIGH: return "SHMLenHigh";
	case VIRTIO_MMIO_SHM_BASE_LOW: return "SHMBaseLow";
	case VIRTIO_MMIO_SHM_BASE_HIGH: return "SHMBaseHigh";
	case VIRTIO_MMIO_QUEUE_RESET: return "QueueReset";
	case VIRTIO_MMIO_CONFIG_GENERATION: return "ConfigGeneration";
	default: return off >= VIRTIO_MMIO_CONFIG ? "Config" : "Reserved";
	}
}

static const char *device_at(const struct vs_machine *m, uint64_t addr)
{
	size_t i;

	for (i = 0; i < m->n_devs; i++)
		if (addr >= m->devs[i].base && addr - m->devs[i].base < VS_MACHINE_MMIO_STRIDE)
			return m->devs[i].desc->name;
	return NULL;
}

static void on_bus(void *opaque, const struct vs_bus_access *acc)
{
	struct vs_trace *t = opaque;
	const char *dev = device_at(t->m, acc->addr);

	line_start(t, acc->is_write ? "reg.write" : "reg.read");
	fprintf(t->f, ",\"side\":\"%s\",\"addr\":\"0x%llx\",\"width\":%u,\"val\":\"0x%llx\"",
		vs_side_name(acc->side), (unsigned long long)acc->addr, acc->width,
		(unsigned long long)acc->val);
	if (dev && acc->region) {
		fprintf(t->f, ",\"dev\":");
		json_str(t->f, dev);
		fprintf(t->f, ",\"reg\":\"%s\",\"off\":%llu", mmio_reg_name(acc->offset),
			(unsigned long long)acc->offset);
	}
	if (acc->status)
		fprintf(t->f, ",\"status\":%d", acc->status);
	fputs("}\n", t->f);
}

static void on_irq(void *opaque, unsigned line, int has_handler)
{
	struct vs_trace *t = opaque;
	size_t i;

	line_start(t, "irq");
	fprintf(t->f, ",\"line\":%u,\"handled\":%s", line, has_handler ? "true" : "false");
	for (i = 0; i < t->m->n_devs; i++)
		if (t->m->devs[i].line == line) {
			fputs(",\"dev\":", t->f);
			json_str(t->f, t->m->devs[i].desc->name);
		}
	fputs("}\n", t->f);
}

static void on_mem(void *opaque, const struct vs_arena_access *acc)
{
	struct vs_trace *t = opaque;

	/* Device reads are the bulk of memory traffic and say little; the
	 * writes are what other rules and a reader care about. */
	if (!acc->is_write)
		return;
	line_start(t, "mem.write");
	fprintf(t->f, ",\"side\":\"%s\",\"gpa\":\"0x%llx\",\"len\":%llu}\n",
		vs_side_name(acc->side), (unsigned long long)acc->gpa,
		(unsigned long long)acc->len);
}

static void on_monitor(void *opaque, const struct vs_monitor_event *ev)
{
	struct vs_trace *t = opaque;

	line_start(t, ev->kind);
	if (ev->device) {
		fputs(",\"dev\":", t->f);
		json_str(t->f, ev->device);
	}
	if (ev->queue >= 0)
		fprintf(t->f, ",\"queue\":%d", ev->queue);
	if (ev->violation) {
		fputs(",\"rule\":", t->f);
		json_str(t->f, ev->violation->rule->id);
		fprintf(t->f, ",\"side\":\"%s\"", vs_side_name(ev->violation->side));
		fputs(",\"message\":", t->f);
		json_str(t->f, ev->violation->message);
	} else if (ev->detail[0]) {
		fputs(",\"detail\":", t->f);
		json_str(t->f, ev->detail);
	}
	fputs("}\n", t->f);
}

static void on_log(void *opaque, enum vs_log_level level, const char *subsys, const char *msg)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	struct vs_trace *t = opaque;

	line_start(t, "log");
	fprintf(t->f, ",\"level\":\"%s\",\"subsys\":", names[level < 0 ? 0 : level > 3 ? 3 : level]);
	json_str(t->f, subsys);
	fputs(",\"message\":", t->f);
	json_str(t->f, msg);
	fputs("}\n", t->f);
}

int vs_trace_create(FILE *f, struct vs_trace **out)
{
	struct vs_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->f = f;
	t->step = -1;
	*out = t;
	return 0;
}

void vs_trace_destroy(struct vs_trace *t)
{
	if (!t)
		return;
	vs_trace_detach(t);
	fflush(t->f);
	free(t);
}

int vs_trace_attach(struct vs_trace *t, struct vs_machine *m, const char *scenario)
{
	int rc;

	t->m = m;
	t->seq = 0;
	t->step = -1;
	line_start(t, "scenario");
	fputs(",\"name\":", t->f);
	json_str(t->f, scenario);
	fprintf(t->f, ",\"seed\":%llu}\n", (unsigned long long)m->seed);
	if ((rc = vs_bus_add_tap(m->bus, on_bus, t)) < 0)
		return rc;
	if ((rc = vs_irq_add_tap(m->irq, on_irq, t)) < 0)
		return rc;
	if ((rc = vs_arena_add_tap(m->arena, on_mem, t)) < 0)
		return rc;
	vs_monitor_set_observer(m->mon, on_monitor, t);
	vs_log_set_sink(on_log, t, VS_LOG_INFO);
	return 0;
}

void vs_trace_detach(struct vs_trace *t)
{
	if (!t || !t->m)
		return;
	vs_bus_remove_tap(t->m->bus, on_bus, t);
	vs_irq_remove_tap(t->m->irq, on_irq, t);
	vs_arena_remove_tap(t->m->arena, on_mem, t);
	vs_monitor_set_observer(t->m->mon, NULL, NULL);
	vs_log_set_sink(NULL, NULL, VS_LOG_OFF);
	t->m = NULL;
}

void vs_trace_step(struct vs_trace *t, int step, const char *op, const char *device)
{
	if (!t)
		return;
	t->step = step;
	line_start(t, "step");
	fputs(",\"op\":", t->f);
	json_str(t->f, op);
	if (device) {
		fputs(",\"dev\":", t->f);
		json_str(t->f, device);
	}
	fputs("}\n", t->f);
}

void vs_trace_note(struct vs_trace *t, const char *kind, const char *detail)
{
	if (!t)
		return;
	line_start(t, kind);
	fputs(",\"detail\":", t->f);
	json_str(t->f, detail);
	fputs("}\n", t->f);
}
