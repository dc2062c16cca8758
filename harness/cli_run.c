/*
 * cli_run.c - `virtiosim run` and `virtiosim validate`.
 *
 * Every file is parsed before anything runs: one malformed scenario makes
 * the whole invocation exit 2 with one line per bad file, rather than a
 * half-run suite whose summary hides it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "harness/cli.h"
#include "harness/report.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "harness/trace.h"

int vs_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("virtiosim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nvirtiosim: try 'virtiosim --help'\n", stderr);
	return VS_EXIT_USAGE;
}

struct pathlist {
	char **v;
	size_t n, cap;
};

static int pathlist_add(struct pathlist *pl, const char *p)
{
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 32;
		char **nv = realloc(pl->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		pl->v = nv;
		pl->cap = cap;
	}
	pl->v[pl->n] = strdup(p);
	if (!pl->v[pl->n])
		return -ENOMEM;
	pl->n++;
	return 0;
}

static void pathlist_free(struct pathlist *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free(pl->v[i]);
	free(pl->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_json_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Collect *.json under dir, recursively, in sorted (deterministic) order. */
static int collect_dir(const char *dir, struct pathlist *pl, int depth)
{
	struct pathlist here = {0};
	struct dirent *de;
	DIR *d;
	size_t i;
	int rc = 0;

	if (depth > 8)
		return 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char full[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (stat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && has_json_suffix(de->d_name)))
			if ((rc = pathlist_add(&here, full)) < 0)
				break;
	}
	closedir(d);
	qsort(here.v, here.n, sizeof(char *), cmp_str);
	for (i = 0; rc == 0 && i < here.n; i++) {
		struct stat st;

		if (stat(here.v[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = collect_dir(here.v[i], pl, depth + 1);
		else
			rc = pathlist_add(pl, here.v[i]);
	}
	pathlist_free(&here);
	return rc;
}

static int collect(const char *path, struct pathlist *pl)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return collect_dir(path, pl, 0);
	return pathlist_add(pl, path);
}

/* Load every scenario; print one diagnostic line per bad file. */
static int load_all(const struct pathlist *pl, struct vs_scenario *scn)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < pl->n; i++) {
		struct vs_diag diag;

		if (vs_scenario_load(pl->v[i], &scn[i], &diag) < 0) {
			char msg[700];

			vs_diag_format(&diag, msg, sizeof(msg));
			fprintf(stderr, "virtiosim: %s\n", msg);
			bad++;
		}
	}
	return bad;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int gather_paths(int argc, char **argv, int first, struct pathlist *pl, int *exit_code)
{
	int i, rc;

	for (i = first; i < argc; i++) {
		if (!argv[i])
			continue;
		rc = collect(argv[i], pl);
		if (rc < 0) {
			*exit_code = vs_cli_usage_error("%s: %s", argv[i], strerror(-rc));
			return -1;
		}
	}
	if (pl->n == 0) {
		*exit_code = vs_cli_usage_error("no scenario files found");
		return -1;
	}
	return 0;
}

int vs_cli_run(int argc, char **argv)
{
	const char *out_path = NULL, *trace_path = NULL;
	enum vs_format fmt = VS_FORMAT_TEXT;
	struct vs_run_opts opts = {1, 0, NULL};
	struct pathlist pl = {0};
	struct vs_scenario *scn = NULL;
	struct vs_result *res = NULL;
	struct vs_report_entry *ent = NULL;
	FILE *out = stdout, *trace_f = NULL;
	int code = VS_EXIT_USAGE, i, progress, verbose = 0;
	size_t k, failed = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--format") == 0 || strcmp(a, "--out") == 0 ||
		    strcmp(a, "--seed") == 0 || strcmp(a, "--trace") == 0) {
			if (i + 1 >= argc)
				return vs_cli_usage_error("%s needs a value", a);
			argv[i] = NULL;
			i++;
			if (strcmp(a, "--format") == 0 && vs_format_parse(argv[i], 1, &fmt) < 0)
				return vs_cli_usage_error("--format: expected text, json or junit, got '%s'",
							  argv[i]);
			if (strcmp(a, "--seed") == 0) {
				if (parse_u64(argv[i], &opts.seed) < 0)
					return vs_cli_usage_error("--seed: expected a non-negative integer, got '%s'",
								  argv[i]);
				opts.seed_override = 1;
			}
			if (strcmp(a, "--out") == 0)
				out_path = argv[i];
			if (strcmp(a, "--trace") == 0)
				trace_path = argv[i];
			argv[i] = NULL;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose++;
			argv[i] = NULL;
		} else if (a[0] == '-' && a[1]) {
			return vs_cli_usage_error("run: unknown option '%s'", a);
		}
	}
	/* The guest's and the devices' log lines (a faulty device makes the
	 * driver complain, as Linux would) go to the trace; stderr gets them
	 * with -v, or as VIRTIOSIM_LOG says. */
	if (verbose)
		vs_log_set_level(verbose > 1 ? VS_LOG_INFO : VS_LOG_WARN);
	else if (!getenv("VIRTIOSIM_LOG"))
		vs_log_set_level(VS_LOG_OFF);
	if (gather_paths(argc, argv, 0, &pl, &code) < 0)
		goto out;
	scn = calloc(pl.n, sizeof(*scn));
	res = calloc(pl.n, sizeof(*res));
	ent = calloc(pl.n, sizeof(*ent));
	if (!scn || !res || !ent) {
		code = vs_cli_usage_error("out of memory");
		goto out;
	}
	if (load_all(&pl, scn) > 0) {
		code = VS_EXIT_USAGE;
		goto out;
	}
	if (out_path && !(out = fopen(out_path, "w"))) {
		code = vs_cli_usage_error("--out %s: %s", out_path, strerror(errno));
		out = stdout;
		goto out;
	}
	if (trace_path) {
		if (!(trace_f = fopen(trace_path, "w"))) {
			code = vs_cli_usage_error("--trace %s: %s", trace_path, strerror(errno));
			goto out;
		}
		if (vs_trace_create(trace_f, &opts.trace) < 0) {
			code = vs_cli_usage_error("out of memory");
			goto out;
		}
	}
	/* Progress goes to a terminal only: logs and CI output stay clean. */
	progress = isatty(STDERR_FILENO) && pl.n > 1;
	for (k = 0; k < pl.n; k++) {
		if (progress)
			fprintf(stderr, "\r[%zu/%zu] %-40.40s", k + 1, pl.n, scn[k].name);
		vs_run_scenario(&scn[k], &opts, &res[k]);
		failed += res[k].passed ? 0 : 1;
		ent[k].scn = &scn[k];
		ent[k].res = &res[k];
	}
	if (progress)
		fprintf(stderr, "\r%60s\r", "");
	vs_report(out, fmt, ent, pl.n);
	code = failed ? VS_EXIT_FAIL : VS_EXIT_OK;
out:
	vs_trace_destroy(opts.trace);
	if (trace_f)
		fclose(trace_f);
	if (out != stdout)
		fclose(out);
	for (k = 0; scn && k < pl.n; k++) {
		vs_scenario_free(&scn[k]);
		if (res)
			vs_result_free(&res[k]);
	}
	free(ent);
	free(res);
	free(scn);
	pathlist_free(&pl);
	return code;
}

int vs_cli_validate(int argc, char **argv)
{
	struct pathlist pl = {0};
	struct vs_scenario *scn = NULL;
	int code = VS_EXIT_USAGE, i, bad;
	size_t k;

	for (i = 0; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return vs_cli_usage_error("validate: unknown option '%s'", argv[i]);
	if (gather_paths(argc, argv, 0, &pl, &code) < 0)
		goto out;
	scn = calloc(pl.n, sizeof(*scn));
	if (!scn)
		goto out;
	bad = load_all(&pl, scn);
	printf("%zu valid, %d invalid\n", pl.n - (size_t)bad, bad);
	code = bad ? VS_EXIT_USAGE : VS_EXIT_OK;
out:
	for (k = 0; scn && k < pl.n; k++)
		vs_scenario_free(&scn[k]);
	free(scn);
	pathlist_free(&pl);
	return code;
}
