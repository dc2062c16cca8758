/*
 * report_junit.c - JUnit XML, the shape CI systems (Jenkins, GitLab,
 * GitHub test reporters) read: one <testsuite>, one <testcase> per
 * scenario, a <failure> carrying every failure line, violations listed in
 * <system-out> so a passing scenario's expected violations stay visible.
 */
#include "harness/report.h"

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* XML 1.0 forbids most control characters outright. */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

void vs_report_junit(FILE *f, const struct vs_report_entry *e, size_t n)
{
	struct vs_report_totals t;
	double total_ms = 0;
	size_t i, k;

	vs_report_totals(e, n, &t);
	for (i = 0; i < n; i++)
		total_ms += e[i].res->duration_ms;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n", n, t.failed,
		total_ms / 1000.0);
	fprintf(f, "  <testsuite name=\"virtiosim\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"time=\"%.3f\">\n", n, t.failed, total_ms / 1000.0);
	for (i = 0; i < n; i++) {
		const struct vs_result *r = e[i].res;

		fputs("    <testcase name=\"", f);
		xml_text(f, e[i].scn->name);
		fputs("\" classname=\"", f);
		xml_text(f, e[i].scn->file);
		fprintf(f, "\" time=\"%.3f\">\n", r->duration_ms / 1000.0);
		if (!r->passed) {
			fputs("      <failure message=\"", f);
			xml_text(f, r->n_failures ? r->failures[0] : "failed");
			fputs("\">", f);
			for (k = 0; k < r->n_failures && k < VS_RESULT_MAX_FAILURES; k++) {
				xml_text(f, r->failures[k]);
				fputc('\n', f);
			}
			fputs("</failure>\n", f);
		}
		if (r->n_violations) {
			fputs("      <system-out>", f);
			for (k = 0; k < r->n_violations; k++) {
				const struct vs_result_violation *v = &r->violations[k];
				char line[512];

				snprintf(line, sizeof(line), "%s %s [%s, %s side, steps[%d]%s]: %s\n",
					 v->level, v->rule, v->spec, vs_side_name(v->side), v->step,
					 v->expected ? ", expected" : "", v->message);
				xml_text(f, line);
			}
			fputs("</system-out>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
}
