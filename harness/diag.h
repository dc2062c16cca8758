/*
 * diag.h - a caller-owned diagnostic for bad input: which file, where in it
 * (a JSON path such as steps[3].bytes, or line:column for syntax errors),
 * and what was expected.  One line when printed; never a global error slot
 * (cJSON's model), so two parses can never overwrite each other's message.
 */
#ifndef VS_DIAG_H
#define VS_DIAG_H

#include <stddef.h>

struct vs_diag {
	char file[256];
	char where[128];
	char message[256];
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void vs_diag_set(struct vs_diag *d, const char *where, const char *fmt, ...);

/* "file: where: message" (parts left empty are skipped). */
void vs_diag_format(const struct vs_diag *d, char *buf, size_t len);

#endif /* VS_DIAG_H */
