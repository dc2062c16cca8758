/*
 * cli.h - the virtiosim command-line verbs.  Each returns the process exit
 * status: 0 success, 1 a scenario failed, 2 bad usage or bad input.
 */
#ifndef VS_CLI_H
#define VS_CLI_H

#define VS_EXIT_OK 0
#define VS_EXIT_FAIL 1
#define VS_EXIT_USAGE 2

#define VIRTIOSIM_VERSION "0.1.0"

int vs_cli_run(int argc, char **argv);
int vs_cli_validate(int argc, char **argv);
int vs_cli_rules(int argc, char **argv);
int vs_cli_faults(int argc, char **argv);
int vs_cli_fuzz(int argc, char **argv);

/* Print "virtiosim: <message>" and a hint to stderr; returns VS_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
int vs_cli_usage_error(const char *fmt, ...);

#endif /* VS_CLI_H */
