/*
 * main.c - the virtiosim command: dispatch to a verb.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cli.h"

static const char usage[] =
	"usage: virtiosim <command> [options]\n"
	"\n"
	"A virtio simulator and conformance harness: simulated virtio devices and\n"
	"Linux-shaped guest drivers in one process, with a monitor that reports\n"
	"every violation of the virtio specification by rule id.\n"
	"\n"
	"commands:\n"
	"  run PATH... [--format text|json|junit] [--out FILE] [--seed N] [--trace FILE] [-v]\n"
	"                 run scenario files (a directory runs every *.json in it);\n"
	"                 -v shows the guest's and devices' log lines on stderr;\n"
	"                 exit 0 all passed, 1 one failed, 2 bad usage or input\n"
	"  validate PATH...\n"
	"                 parse scenario files only; exit 0 valid, 2 not\n"
	"  rules [--format text|json] [--coverage]\n"
	"                 list the monitor's rule catalogue, or with --coverage how\n"
	"                 much of the spec's normative statements the rules cover\n"
	"  faults [--format text|json]\n"
	"                 list the fault catalogue scenarios can switch on\n"
	"  fuzz [--side device|driver|both] [--device TYPE] [--transport T]\n"
	"       [--ring split|packed] [--seed N]\n"
	"       [--steps N | --time S] [--out DIR] [--format text|json] [--case-steps N]\n"
	"       [--guard S] [--no-fork]\n"
	"                 run random scenarios (faults of the chosen side switched on\n"
	"                 at random) and check the invariants; each finding is shrunk\n"
	"                 and written to --out (default build/fuzz/) as a scenario file;\n"
	"                 exit 0 no findings, 1 findings, 2 bad usage\n"
	"\n"
	"options:\n"
	"  -h, --help     this text          --version   print the version\n"
	"\n"
	"Scenario format: docs/scenarios.md.  Log level: VIRTIOSIM_LOG=error|warn|info|debug.\n";

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return vs_cli_usage_error("no command given");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return VS_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("virtiosim %s (virtio spec virtio-v1.4-cs01)\n", VIRTIOSIM_VERSION);
		return VS_EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return vs_cli_run(argc - 2, argv + 2);
	if (strcmp(cmd, "validate") == 0)
		return vs_cli_validate(argc - 2, argv + 2);
	if (strcmp(cmd, "rules") == 0)
		return vs_cli_rules(argc - 2, argv + 2);
	if (strcmp(cmd, "faults") == 0)
		return vs_cli_faults(argc - 2, argv + 2);
	if (strcmp(cmd, "fuzz") == 0)
		return vs_cli_fuzz(argc - 2, argv + 2);
	return vs_cli_usage_error("unknown command '%s'", cmd);
}
