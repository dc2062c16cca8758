/*
 * log.c - diagnostics to stderr, one line per call:
 *   virtiosim: <level>: <subsys>: <message>
 * The threshold starts at VS_LOG_WARN; VIRTIOSIM_LOG (off|error|warn|info|debug)
 * is read once, at the first call that needs the threshold, unless
 * vs_log_set_level ran before.  Single-threaded by design, like the rest of
 * the core; the line is formatted first and written with one call so lines
 * from a later device thread do not interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

static enum vs_log_level log_level = VS_LOG_WARN;
static int log_level_fixed; /* set_level ran, or the env var was read */
static vs_log_sink_fn sink_fn;
static void *sink_opaque;
static enum vs_log_level sink_level = VS_LOG_OFF;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static void log_read_env(void)
{
	if (log_level_fixed)
		return;
	log_level_fixed = 1;
	const char *e = getenv("VIRTIOSIM_LOG");

	if (!e)
		return;
	if (strcasecmp(e, "off") == 0) {
		log_level = VS_LOG_OFF;
		return;
	}
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(e, level_names[i]) == 0) {
			log_level = (enum vs_log_level)i;
			return;
		}
	}
}

void vs_log_set_level(enum vs_log_level level)
{
	if (level < VS_LOG_OFF)
		level = VS_LOG_OFF;
	if (level > VS_LOG_DEBUG)
		level = VS_LOG_DEBUG;
	log_level = level;
	log_level_fixed = 1;
}

enum vs_log_level vs_log_get_level(void)
{
	log_read_env();
	return log_level;
}

int vs_log_enabled(enum vs_log_level level)
{
	log_read_env();
	return level <= log_level;
}

void vs_log_set_sink(vs_log_sink_fn fn, void *opaque, enum vs_log_level level)
{
	sink_fn = fn;
	sink_opaque = opaque;
	sink_level = fn ? level : VS_LOG_OFF;
}

void vs_log(enum vs_log_level level, const char *subsys, const char *fmt, ...)
{
	char msg[1024];
	char line[1200];
	va_list ap;
	int to_stderr = vs_log_enabled(level);

	if (!to_stderr && !(sink_fn && level <= sink_level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A caller's trailing newline would make an empty line: drop it. */
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	unsigned li = (unsigned)level < 4 ? (unsigned)level : 3u;

	if (sink_fn && level <= sink_level)
		sink_fn(sink_opaque, level, subsys ? subsys : "-", msg);
	if (!to_stderr)
		return;
	snprintf(line, sizeof(line), "virtiosim: %s: %s: %s\n", level_names[li],
		 subsys ? subsys : "-", msg);
	fputs(line, stderr);
}
