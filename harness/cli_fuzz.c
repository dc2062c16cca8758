/*
 * cli_fuzz.c - `virtiosim fuzz`: the seeded structured fuzzer (fuzz.h)
 * behind a supervisor.
 *
 * The cases run in a forked worker; the parent watches it through a page
 * of shared memory (counters, the case being run and since when, the
 * findings so far).  That buys three things a single process cannot have:
 * a case that crashes the process (a sanitizer report, a signal) is a
 * finding rather than the end of the run -- the parent makes the case
 * again from (seed, case number) and starts a new worker after it; a case
 * that runs past the wall-clock guard is killed and reported as a hang;
 * and the progress line keeps coming while the worker is busy.  Findings
 * the worker can judge itself (violations, leaks, tokens, unsettled
 * machines) it shrinks and writes in-process; the parent shrinks crashes
 * and hangs with every candidate in a child of its own.  --no-fork runs
 * everything in one process (a crash then ends the run).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "core/log.h"
#include "devices/vdev.h"
#include "harness/cli.h"
#include "harness/fuzz.h"

#define MAX_FINDINGS 64

struct finding {
	char signature[96];
	char detail[320];
	char file[300];
	enum vs_fuzz_kind kind;
	uint64_t first_case;
	uint64_t count;
	size_t steps_before, steps_after;
};

/* Shared between the parent and its worker (MAP_SHARED). */
struct shm {
	volatile uint64_t steps, cases;
	volatile uint64_t current_case; /* the case the worker runs now */
	volatile uint64_t case_start_ns; /* when it (or a minimizer candidate) started */
	volatile int running;           /* a case or candidate is running */
	volatile int stop;              /* parent: the time is up */
	volatile int worker_done;       /* worker: finished its budget */
	size_t n_findings;
	struct finding findings[MAX_FINDINGS];
};

struct fuzz_cli {
	struct vs_fuzz_opts o;
	uint64_t max_steps;   /* 0: bounded by time only */
	double max_seconds;   /* 0: bounded by steps only */
	double guard_seconds; /* wall-clock guard per case */
	const char *out_dir;
	int json, fork_mode;
	struct shm *shm;
	uint64_t t0, last_progress;
};

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static void progress(struct fuzz_cli *c, int force)
{
	uint64_t now = uv_hrtime();
	double el = secs(now - c->t0);

	if (!force && now - c->last_progress < 1000000000ull)
		return;
	c->last_progress = now;
	fprintf(stderr, "fuzz: %8.1f s  %10llu steps  %8llu cases  %8.0f steps/s  %zu findings\n",
		el, (unsigned long long)c->shm->steps, (unsigned long long)c->shm->cases,
		el > 0 ? (double)c->shm->steps / el : 0.0, c->shm->n_findings);
}

static struct finding *finding_lookup(struct shm *shm, const char *signature)
{
	size_t i;

	for (i = 0; i < shm->n_findings; i++)
		if (strcmp(shm->findings[i].signature, signature) == 0)
			return &shm->findings[i];
	return NULL;
}

/* ---- writing a reproducer ---- */

static int mkdir_p(const char *dir)
{
	char tmp[256], *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * The violations the faulted sides were meant to cause become an expect
 * step at the end, so the file fails for the finding alone: once the bug
 * is fixed, `virtiosim run` passes it.
 */
static void add_expected(struct vs_scenario *s, const struct vs_result *res, unsigned faulted)
{
	struct vs_scn_step *st;
	struct vs_scn_step *ns;
	size_t v, k;

	ns = realloc(s->steps, (s->n_steps + 1) * sizeof(*ns));
	if (!ns)
		return;
	s->steps = ns;
	st = &s->steps[s->n_steps];
	memset(st, 0, sizeof(*st));
	st->op = VS_STEP_EXPECT;
	st->device = -1;
	for (v = 0; v < res->n_violations; v++) {
		const struct vs_result_violation *rv = &res->violations[v];
		int dup = 0;

		if (!(faulted & (1u << rv->side)) || rv->step >= (int)s->n_steps)
			continue;
		for (k = 0; k < st->n_expect; k++)
			dup |= strcmp(st->expect[k], rv->rule) == 0;
		if (!dup && st->n_expect < VS_SCN_MAX_EXPECT)
			snprintf(st->expect[st->n_expect++], VS_SCN_NAME_MAX, "%s", rv->rule);
	}
	if (st->n_expect)
		s->n_steps++;
}

static void write_reproducer(struct fuzz_cli *c, struct vs_scenario *s, struct finding *f,
			     const struct vs_result *res, unsigned faulted)
{
	FILE *out;

	snprintf(s->description, sizeof(s->description),
		 "fuzz finding (%s): %.150s; virtiosim fuzz --seed %llu, case %llu",
		 vs_fuzz_kind_name(f->kind), f->detail, (unsigned long long)c->o.seed,
		 (unsigned long long)f->first_case);
	if (res)
		add_expected(s, res, faulted);
	if (mkdir_p(c->out_dir) < 0) {
		snprintf(f->file, sizeof(f->file), "(cannot create %.200s)", c->out_dir);
		return;
	}
	snprintf(f->file, sizeof(f->file), "%.200s/%s-%llu-%llu.json", c->out_dir,
		 vs_fuzz_kind_name(f->kind), (unsigned long long)c->o.seed,
		 (unsigned long long)f->first_case);
	out = fopen(f->file, "w");
	if (!out || vs_fuzz_write_scenario(out, s) < 0)
		snprintf(f->file + strlen(f->file), sizeof(f->file) - strlen(f->file),
			 " (write failed)");
	if (out)
		fclose(out);
}

/* ---- in-process findings (worker) ---- */

struct same_pred {
	struct fuzz_cli *c;
	const char *signature;
};

static void guard_arm(const struct fuzz_cli *c, uint64_t idx);

static int pred_same(void *opaque, const struct vs_scenario *cand)
{
	struct same_pred *p = opaque;
	struct vs_fuzz_verdict v;

	p->c->shm->case_start_ns = uv_hrtime();
	guard_arm(p->c, p->c->shm->current_case);
	vs_fuzz_run_case(cand, &v, NULL);
	p->c->shm->steps += cand->n_steps;
	return v.kind != VS_FUZZ_OK && strcmp(v.signature, p->signature) == 0;
}

static void worker_finding(struct fuzz_cli *c, uint64_t idx, struct vs_scenario *s,
			   const struct vs_fuzz_verdict *v)
{
	struct shm *shm = c->shm;
	struct finding *f = finding_lookup(shm, v->signature);
	struct same_pred p = {c, v->signature};
	struct vs_fuzz_verdict v2;
	struct vs_result res;

	if (f) {
		f->count++;
		return;
	}
	if (shm->n_findings >= MAX_FINDINGS)
		return;
	f = &shm->findings[shm->n_findings];
	memset(f, 0, sizeof(*f));
	snprintf(f->signature, sizeof(f->signature), "%s", v->signature);
	snprintf(f->detail, sizeof(f->detail), "%s", v->detail);
	f->kind = v->kind;
	f->first_case = idx;
	f->count = 1;
	f->steps_before = s->n_steps;
	vs_fuzz_minimize(s, pred_same, &p, 0);
	f->steps_after = s->n_steps;
	/* The shrunk case's own evidence, and what its faulted side caused. */
	vs_fuzz_run_case(s, &v2, &res);
	if (v2.kind != VS_FUZZ_OK)
		snprintf(f->detail, sizeof(f->detail), "%s", v2.detail);
	write_reproducer(c, s, f, &res, v2.faulted);
	vs_result_free(&res);
	shm->n_findings++;
}

static int budget_spent(const struct fuzz_cli *c)
{
	if (c->shm->stop)
		return 1;
	if (c->max_steps && c->shm->steps >= c->max_steps)
		return 1;
	if (c->max_seconds > 0 && secs(uv_hrtime() - c->t0) >= c->max_seconds)
		return 1;
	return 0;
}

/*
 * --no-fork has no parent to watch the clock: an alarm per case is the
 * wall-clock guard there.  The handler can only say which case hung (with
 * async-signal-safe calls) and end the process; `virtiosim fuzz --no-fork
 * --seed N` reruns up to it.
 */
static volatile sig_atomic_t alarm_case_valid;
static volatile uint64_t alarm_case;

static void on_alarm(int sig)
{
	char msg[96], num[24];
	size_t n = 0, k = 0;
	uint64_t v = alarm_case;
	const char *head = "virtiosim: fuzz: HANG: case ";

	(void)sig;
	while (head[n] && n < sizeof(msg) - 1) {
		msg[n] = head[n];
		n++;
	}
	do {
		num[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < sizeof(num));
	while (k && n < sizeof(msg) - 21)
		msg[n++] = num[--k];
	memcpy(msg + n, " ran past the guard\n", 20);
	n += 20;
	if (alarm_case_valid)
		(void)!write(STDERR_FILENO, msg, n);
	_exit(VS_EXIT_FAIL);
}

static void guard_arm(const struct fuzz_cli *c, uint64_t idx)
{
	if (c->fork_mode)
		return;
	alarm_case = idx;
	alarm_case_valid = 1;
	alarm((unsigned)(c->guard_seconds + 0.999));
}

static void worker(struct fuzz_cli *c, uint64_t first)
{
	struct shm *shm = c->shm;
	uint64_t idx;

	if (!c->fork_mode)
		signal(SIGALRM, on_alarm);

	for (idx = first; !budget_spent(c); idx++) {
		struct vs_scenario s;
		struct vs_fuzz_verdict v;

		if (vs_fuzz_gen_case(&c->o, idx, &s) < 0) {
			vs_scenario_free(&s);
			break;
		}
		shm->current_case = idx;
		shm->case_start_ns = uv_hrtime();
		shm->running = 1;
		guard_arm(c, idx);
		vs_fuzz_run_case(&s, &v, NULL);
		shm->steps += s.n_steps;
		shm->cases++;
		if (v.kind != VS_FUZZ_OK)
			worker_finding(c, idx, &s, &v);
		shm->running = 0;
		vs_scenario_free(&s);
		if (!c->fork_mode)
			progress(c, 0);
	}
	if (!c->fork_mode)
		alarm(0);
	shm->worker_done = 1;
}

/* ---- crashes and hangs (parent) ---- */

/* Run s in a child: VS_FUZZ_OK, VS_FUZZ_CRASH or VS_FUZZ_HANG. */
static enum vs_fuzz_kind run_in_child(struct fuzz_cli *c, const struct vs_scenario *s)
{
	uint64_t start = uv_hrtime();
	struct timespec ts = {0, 5000000};
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return VS_FUZZ_OK;
	if (pid == 0) {
		struct vs_fuzz_verdict v;
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		vs_fuzz_run_case(s, &v, NULL);
		_exit(0);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (secs(uv_hrtime() - start) > c->guard_seconds) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return VS_FUZZ_HANG;
		}
		nanosleep(&ts, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? VS_FUZZ_OK : VS_FUZZ_CRASH;
}

struct child_pred {
	struct fuzz_cli *c;
	enum vs_fuzz_kind kind;
};

static int pred_child(void *opaque, const struct vs_scenario *cand)
{
	struct child_pred *p = opaque;

	return run_in_child(p->c, cand) == p->kind;
}

static void parent_finding(struct fuzz_cli *c, enum vs_fuzz_kind kind, uint64_t idx,
			   const char *detail)
{
	struct shm *shm = c->shm;
	struct child_pred p = {c, kind};
	struct vs_scenario s;
	struct finding *f = finding_lookup(shm, vs_fuzz_kind_name(kind));

	if (f) {
		f->count++;
		return;
	}
	if (shm->n_findings >= MAX_FINDINGS || vs_fuzz_gen_case(&c->o, idx, &s) < 0)
		return;
	f = &shm->findings[shm->n_findings++];
	memset(f, 0, sizeof(*f));
	snprintf(f->signature, sizeof(f->signature), "%s", vs_fuzz_kind_name(kind));
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
	f->kind = kind;
	f->first_case = idx;
	f->count = 1;
	f->steps_before = s.n_steps;
	/* Shrink only what fails again on its own (a crash inside the worker's
	 * own minimizer may not come from the case itself). */
	if (run_in_child(c, &s) == kind)
		vs_fuzz_minimize(&s, pred_child, &p, 600);
	f->steps_after = s.n_steps;
	write_reproducer(c, &s, f, NULL, 0);
	vs_scenario_free(&s);
}

static void supervise(struct fuzz_cli *c)
{
	struct shm *shm = c->shm;
	struct timespec ts = {0, 20000000};
	uint64_t next = 0;

	while (!shm->worker_done && !budget_spent(c)) {
		pid_t pid, w;
		int status = 0;
		char detail[128];

		shm->running = 0;
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "virtiosim: fuzz: fork: %s; running in-process\n",
				strerror(errno));
			c->fork_mode = 0;
			worker(c, next);
			return;
		}
		if (pid == 0) {
			worker(c, next);
			_exit(0);
		}
		for (;;) {
			w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			progress(c, 0);
			if (budget_spent(c))
				shm->stop = 1;
			if (shm->running &&
			    secs(uv_hrtime() - shm->case_start_ns) > c->guard_seconds) {
				uint64_t idx = shm->current_case;

				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				snprintf(detail, sizeof(detail),
					 "case ran longer than the %.0f s wall-clock guard",
					 c->guard_seconds);
				parent_finding(c, VS_FUZZ_HANG, idx, detail);
				next = idx + 1;
				status = -1;
				break;
			}
			nanosleep(&ts, NULL);
		}
		if (status == -1)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			break;
		if (WIFSIGNALED(status))
			snprintf(detail, sizeof(detail), "the worker died of signal %d (%s)",
				 WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			snprintf(detail, sizeof(detail),
				 "the worker exited with status %d (a sanitizer report?)",
				 WEXITSTATUS(status));
		parent_finding(c, VS_FUZZ_CRASH, shm->current_case, detail);
		next = shm->current_case + 1;
	}
}

/* ---- summary ---- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *side_word(unsigned sides)
{
	return sides == VS_FUZZ_SIDE_BOTH ? "both" : sides == VS_FUZZ_SIDE_DEVICE ? "device" : "driver";
}

static void summary(struct fuzz_cli *c)
{
	struct shm *shm = c->shm;
	double el = secs(uv_hrtime() - c->t0);
	double rate = el > 0 ? (double)shm->steps / el : 0.0;
	size_t i;

	if (c->json) {
		printf("{\n  \"seed\": %llu,\n  \"side\": \"%s\",\n  \"steps\": %llu,\n"
		       "  \"cases\": %llu,\n  \"seconds\": %.3f,\n  \"steps_per_s\": %.0f,\n"
		       "  \"findings\": [",
		       (unsigned long long)c->o.seed, side_word(c->o.sides),
		       (unsigned long long)shm->steps, (unsigned long long)shm->cases, el, rate);
		for (i = 0; i < shm->n_findings; i++) {
			const struct finding *f = &shm->findings[i];

			printf("%s\n    {\"kind\": \"%s\", \"signature\": ", i ? "," : "",
			       vs_fuzz_kind_name(f->kind));
			json_string(stdout, f->signature);
			printf(", \"case\": %llu, \"count\": %llu, \"steps_before\": %zu, "
			       "\"steps_after\": %zu, \"file\": ",
			       (unsigned long long)f->first_case, (unsigned long long)f->count,
			       f->steps_before, f->steps_after);
			json_string(stdout, f->file);
			fputs(", \"detail\": ", stdout);
			json_string(stdout, f->detail);
			fputc('}', stdout);
		}
		printf("%s]\n}\n", shm->n_findings ? "\n  " : "");
		return;
	}
	for (i = 0; i < shm->n_findings; i++) {
		const struct finding *f = &shm->findings[i];

		printf("finding %zu: %s (case %llu, seen %llu times)\n  %s\n  reproducer: %s "
		       "(%zu steps, shrunk from %zu)\n",
		       i + 1, f->signature, (unsigned long long)f->first_case,
		       (unsigned long long)f->count, f->detail, f->file, f->steps_after,
		       f->steps_before);
	}
	printf("fuzz: seed %llu, side %s: %llu steps in %llu cases, %.2f s, %.0f steps/s, "
	       "%zu findings\n",
	       (unsigned long long)c->o.seed, side_word(c->o.sides), (unsigned long long)shm->steps,
	       (unsigned long long)shm->cases, el, rate, shm->n_findings);
}

/* ---- options ---- */

static int parse_num(const char *s, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int known_type(const char *t)
{
	const char *const *n;

	for (n = vs_device_types(); *n; n++)
		if (strcmp(*n, t) == 0)
			return 1;
	return 0;
}

static int parse_opts(struct fuzz_cli *c, int argc, char **argv)
{
	static const char *const transports[] = {"mmio", "mmio-legacy", "pci", "pci-legacy"};
	int i, steps_given = 0;
	double v;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-fork") == 0) {
			c->fork_mode = 0;
			continue;
		}
		if (a[0] != '-' || !a[1])
			return vs_cli_usage_error("fuzz: unexpected argument '%s'", a);
		if (strcmp(a, "--side") && strcmp(a, "--device") && strcmp(a, "--transport") &&
		    strcmp(a, "--seed") && strcmp(a, "--steps") && strcmp(a, "--time") &&
		    strcmp(a, "--out") && strcmp(a, "--format") && strcmp(a, "--case-steps") &&
		    strcmp(a, "--guard") && strcmp(a, "--ring"))
			return vs_cli_usage_error("fuzz: unknown option '%s'", a);
		if (!val)
			return vs_cli_usage_error("%s needs a value", a);
		i++;
		if (strcmp(a, "--side") == 0) {
			if (strcmp(val, "device") == 0)
				c->o.sides = VS_FUZZ_SIDE_DEVICE;
			else if (strcmp(val, "driver") == 0)
				c->o.sides = VS_FUZZ_SIDE_DRIVER;
			else if (strcmp(val, "both") == 0)
				c->o.sides = VS_FUZZ_SIDE_BOTH;
			else
				return vs_cli_usage_error("--side: expected device, driver or both, got '%s'",
							  val);
		} else if (strcmp(a, "--device") == 0) {
			if (!known_type(val) || strlen(val) >= sizeof(c->o.device))
				return vs_cli_usage_error("--device: unknown device type '%s'", val);
			snprintf(c->o.device, sizeof(c->o.device), "%s", val);
		} else if (strcmp(a, "--transport") == 0) {
			size_t k;

			c->o.transport = -1;
			for (k = 0; k < sizeof(transports) / sizeof(transports[0]); k++)
				if (strcmp(transports[k], val) == 0)
					c->o.transport = (int)k;
			if (c->o.transport < 0)
				return vs_cli_usage_error("--transport: expected mmio, mmio-legacy, pci or "
							  "pci-legacy, got '%s'", val);
		} else if (strcmp(a, "--ring") == 0) {
			if (strcmp(val, "split") == 0)
				c->o.ring = VS_RING_SPLIT;
			else if (strcmp(val, "packed") == 0)
				c->o.ring = VS_RING_PACKED;
			else
				return vs_cli_usage_error("--ring: expected split or packed, got '%s'", val);
		} else if (strcmp(a, "--seed") == 0) {
			char *end;

			errno = 0;
			c->o.seed = strtoull(val, &end, 0);
			if (!*val || *val == '-' || errno || *end)
				return vs_cli_usage_error("--seed: expected a non-negative integer, got '%s'",
							  val);
		} else if (strcmp(a, "--steps") == 0) {
			if (parse_num(val, 1e15, &v) < 0 || v < 1 || v != (double)(uint64_t)v)
				return vs_cli_usage_error("--steps: expected a positive integer, got '%s'",
							  val);
			c->max_steps = (uint64_t)v;
			steps_given = 1;
		} else if (strcmp(a, "--time") == 0) {
			if (parse_num(val, 1e7, &v) < 0 || v <= 0)
				return vs_cli_usage_error("--time: expected seconds > 0, got '%s'", val);
			c->max_seconds = v;
		} else if (strcmp(a, "--guard") == 0) {
			if (parse_num(val, 1e5, &v) < 0 || v <= 0)
				return vs_cli_usage_error("--guard: expected seconds > 0, got '%s'", val);
			c->guard_seconds = v;
		} else if (strcmp(a, "--case-steps") == 0) {
			if (parse_num(val, VS_FUZZ_MAX_CASE_STEPS, &v) < 0 || v < 1 ||
			    v != (double)(unsigned)v)
				return vs_cli_usage_error("--case-steps: expected 1..%d, got '%s'",
							  VS_FUZZ_MAX_CASE_STEPS, val);
			c->o.max_steps = (unsigned)v;
		} else if (strcmp(a, "--out") == 0) {
			c->out_dir = val;
		} else if (strcmp(a, "--format") == 0) {
			if (strcmp(val, "json") == 0)
				c->json = 1;
			else if (strcmp(val, "text") == 0)
				c->json = 0;
			else
				return vs_cli_usage_error("--format: expected text or json, got '%s'", val);
		}
	}
	if (c->o.ring == VS_RING_PACKED && c->o.transport >= 0 &&
	    vs_transport_is_legacy((enum vs_transport_kind)c->o.transport))
		return vs_cli_usage_error("--ring packed: transport '%s' has only split rings",
					  vs_transport_name((enum vs_transport_kind)c->o.transport));
	if (steps_given && c->max_seconds > 0)
		return vs_cli_usage_error("fuzz: give either --steps or --time, not both");
	if (!steps_given && c->max_seconds <= 0)
		c->max_steps = 10000;
	return VS_EXIT_OK;
}

int vs_cli_fuzz(int argc, char **argv)
{
	struct fuzz_cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	vs_fuzz_opts_init(&c.o);
	c.out_dir = "build/fuzz";
	c.guard_seconds = 10;
	c.fork_mode = 1;
	if ((rc = parse_opts(&c, argc, argv)) != VS_EXIT_OK)
		return rc;
	/* The guest's complaints about a faulty device are expected here. */
	if (!getenv("VIRTIOSIM_LOG"))
		vs_log_set_level(VS_LOG_OFF);
	c.shm = mmap(NULL, sizeof(*c.shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (c.shm == MAP_FAILED)
		return vs_cli_usage_error("fuzz: cannot map shared memory: %s", strerror(errno));
	memset(c.shm, 0, sizeof(*c.shm));
#ifdef M_MMAP_THRESHOLD
	/* Every case builds and frees a machine: keep its big blocks (a blk
	 * device's memory backend, the arena's bitmaps) in the heap, and the
	 * heap from shrinking, rather than map, fault in and unmap them per
	 * case (a third of the run's time otherwise). */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
	c.t0 = c.last_progress = uv_hrtime();
	if (c.fork_mode)
		supervise(&c);
	else
		worker(&c, 0);
	progress(&c, 1);
	summary(&c);
	rc = c.shm->n_findings ? VS_EXIT_FAIL : VS_EXIT_OK;
	munmap(c.shm, sizeof(*c.shm));
	return rc;
}
