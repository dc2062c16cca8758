/*
 * log.h - diagnostics to stderr.  Library code logs and returns; it never
 * prints to stdout (only harness reporters and the CLI own stdout).
 * A violation is not a log line: it is data, kept by the monitor.
 */
#ifndef VS_LOG_H
#define VS_LOG_H

enum vs_log_level {
	VS_LOG_OFF = -1, /* nothing at all: the CLI's default, the trace has the story */
	VS_LOG_ERROR = 0,
	VS_LOG_WARN = 1,
	VS_LOG_INFO = 2,
	VS_LOG_DEBUG = 3,
};

/* Messages above the threshold are dropped.  Default VS_LOG_WARN;
 * the environment variable VIRTIOSIM_LOG (off|error|warn|info|debug) overrides
 * it at the first log call, vs_log_set_level overrides both. */
void vs_log_set_level(enum vs_log_level level);
enum vs_log_level vs_log_get_level(void);
int vs_log_enabled(enum vs_log_level level);

/*
 * A sink sees every message at or below its own level, whatever the stderr
 * threshold: the trace records the guest's and the devices' log lines even
 * when stderr is quiet.  One sink; NULL removes it.
 */
typedef void (*vs_log_sink_fn)(void *opaque, enum vs_log_level level, const char *subsys,
			       const char *msg);
void vs_log_set_sink(vs_log_sink_fn fn, void *opaque, enum vs_log_level level);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void vs_log(enum vs_log_level level, const char *subsys, const char *fmt, ...);

#endif /* VS_LOG_H */
