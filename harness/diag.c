/*
 * diag.c - filling and printing struct vs_diag.
 */
#include "harness/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vs_diag_set(struct vs_diag *d, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	snprintf(d->where, sizeof(d->where), "%s", where ? where : "");
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
}

void vs_diag_format(const struct vs_diag *d, char *buf, size_t len)
{
	const char *sep1 = d->file[0] ? ": " : "";
	const char *sep2 = d->where[0] ? ": " : "";

	snprintf(buf, len, "%s%s%s%s%s", d->file, sep1, d->where, sep2, d->message);
}
