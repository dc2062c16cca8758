/*
 * fuzz_scenario.c - fuzz target: the scenario-file parser
 * (vs_scenario_parse) fed arbitrary bytes.  It must refuse anything that
 * is not a valid scenario with a diagnostic, never crash, never leak, and
 * a scenario it accepts must hold only values inside the documented ranges.
 * libFuzzer / AFL++ entry point; built by fuzz/build.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "harness/diag.h"
#include "harness/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_scenario s;
	struct vs_diag diag;
	char msg[1024];
	size_t i;

	vs_log_set_level(VS_LOG_OFF);
	if (vs_scenario_parse("fuzz.json", (const char *)data, size, &s, &diag) < 0) {
		/* The diagnostic must format whatever went wrong. */
		vs_diag_format(&diag, msg, sizeof(msg));
		if (!msg[0])
			abort();
		return 0;
	}
	/* Accepted: the invariants the runner relies on. */
	if (s.n_devices < 1 || s.n_devices > VS_SCN_MAX_DEVICES || s.n_steps < 1 ||
	    s.n_steps > VS_SCN_MAX_STEPS || s.memory == 0)
		abort();
	for (i = 0; i < s.n_steps; i++) {
		const struct vs_scn_step *st = &s.steps[i];

		if (st->device >= (int)s.n_devices || st->n_expect > VS_SCN_MAX_EXPECT ||
		    st->cfg_len > VS_SCN_CONFIG_MAX)
			abort();
	}
	vs_scenario_free(&s);
	return 0;
}
