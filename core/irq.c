/*
 * irq.c - interrupt lines.  A flat table of VS_IRQ_MAX_LINES lines; raise
 * runs once per interrupt a device sends, so it is an index, a counter, the
 * taps and one call.
 *
 * A line's counter is reset when the line is allocated: a line freed at hot
 * unplug and handed to a new device starts from zero for its new owner.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/irq.h"
#include "core/pci_regs.h"

struct vs_irq_line {
	int allocated;
	vs_irq_handler_fn fn; /* the guest's handler, NULL when none */
	void *opaque;
	uint64_t count;       /* raises since allocation, spurious included */
};

struct vs_irq_tap {
	vs_irq_tap_fn fn;
	void *opaque;
};

struct vs_irq {
	struct vs_irq_line lines[VS_IRQ_MAX_LINES];
	struct vs_irq_tap taps[VS_IRQ_MAX_TAPS];
	unsigned ntaps;
	uint64_t lost_messages; /* MSI writes that named no line */
};

int vs_irq_create(struct vs_irq **out)
{
	struct vs_irq *irq = calloc(1, sizeof(*irq));

	if (!irq)
		return -ENOMEM;
	*out = irq;
	return 0;
}

void vs_irq_destroy(struct vs_irq *irq)
{
	free(irq);
}

int vs_irq_alloc_line(struct vs_irq *irq, unsigned *line)
{
	for (unsigned i = 0; i < VS_IRQ_MAX_LINES; i++) {
		struct vs_irq_line *l = &irq->lines[i];

		if (l->allocated)
			continue;
		l->allocated = 1;
		l->fn = NULL;
		l->opaque = NULL;
		l->count = 0;
		*line = i;
		return 0;
	}
	return -ENOSPC;
}

void vs_irq_free_line(struct vs_irq *irq, unsigned line)
{
	if (line >= VS_IRQ_MAX_LINES)
		return;
	struct vs_irq_line *l = &irq->lines[line];

	l->allocated = 0;
	l->fn = NULL;
	l->opaque = NULL;
}

/* -EINVAL for a line not allocated or a NULL handler, -EBUSY when taken. */
int vs_irq_request(struct vs_irq *irq, unsigned line, vs_irq_handler_fn fn, void *opaque)
{
	if (line >= VS_IRQ_MAX_LINES || !irq->lines[line].allocated || !fn)
		return -EINVAL;
	struct vs_irq_line *l = &irq->lines[line];

	if (l->fn)
		return -EBUSY;
	l->fn = fn;
	l->opaque = opaque;
	return 0;
}

void vs_irq_release(struct vs_irq *irq, unsigned line)
{
	if (line >= VS_IRQ_MAX_LINES)
		return;
	irq->lines[line].fn = NULL;
	irq->lines[line].opaque = NULL;
}

int vs_irq_raise(struct vs_irq *irq, unsigned line)
{
	if (line >= VS_IRQ_MAX_LINES || !irq->lines[line].allocated)
		return -EINVAL;
	struct vs_irq_line *l = &irq->lines[line];
	/* Snapshot handler and taps: a tap or handler may release the line
	 * or remove a tap while we are delivering. */
	vs_irq_handler_fn fn = l->fn;
	void *opaque = l->opaque;
	struct vs_irq_tap taps[VS_IRQ_MAX_TAPS];
	unsigned ntaps = irq->ntaps;

	for (unsigned i = 0; i < ntaps; i++)
		taps[i] = irq->taps[i];
	l->count++;
	for (unsigned i = 0; i < ntaps; i++)
		taps[i].fn(taps[i].opaque, line, fn != NULL);
	if (fn)
		fn(opaque, line);
	return 0;
}

int vs_irq_msi(struct vs_irq *irq, uint64_t addr, uint32_t data)
{
	if (addr < VS_MSI_ADDR_BASE || addr - VS_MSI_ADDR_BASE >= VS_MSI_ADDR_SIZE ||
	    data >= VS_IRQ_MAX_LINES || !irq->lines[data].allocated) {
		irq->lost_messages++;
		return -EINVAL;
	}
	return vs_irq_raise(irq, data);
}

uint64_t vs_irq_lost_messages(const struct vs_irq *irq)
{
	return irq->lost_messages;
}

uint64_t vs_irq_count(const struct vs_irq *irq, unsigned line)
{
	if (line >= VS_IRQ_MAX_LINES)
		return 0;
	return irq->lines[line].count;
}

/* -EINVAL for a NULL fn, -ENOSPC when VS_IRQ_MAX_TAPS are set. */
int vs_irq_add_tap(struct vs_irq *irq, vs_irq_tap_fn fn, void *opaque)
{
	if (!fn)
		return -EINVAL;
	if (irq->ntaps >= VS_IRQ_MAX_TAPS)
		return -ENOSPC;
	irq->taps[irq->ntaps].fn = fn;
	irq->taps[irq->ntaps].opaque = opaque;
	irq->ntaps++;
	return 0;
}

/* Removes the first tap matching (fn, opaque); the rest keep their order. */
void vs_irq_remove_tap(struct vs_irq *irq, vs_irq_tap_fn fn, void *opaque)
{
	for (unsigned i = 0; i < irq->ntaps; i++) {
		if (irq->taps[i].fn != fn || irq->taps[i].opaque != opaque)
			continue;
		for (unsigned j = i + 1; j < irq->ntaps; j++)
			irq->taps[j - 1] = irq->taps[j];
		irq->ntaps--;
		return;
	}
}
