/* saved.c — see saved.h: `loadtop report` and `loadtop merge`. */
#include "saved.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "merge.h"
#include "render.h"
#include "snapfile.h"
#include "summary.h"
#include "util.h"

#define REPORT_MAX_FILE (256u << 20)

/* A saved JSON report, or NULL after saying why on stderr (`cmd`: the
 * command's name for the message). */
static json_t *load_report(const char *cmd, const char *in)
{
    json_error_t jerr;
    struct buf text = {0};
    const char *bad = read_file_limited(in, REPORT_MAX_FILE, &text);
    if (bad) {
        fprintf(stderr, "loadtop: %s: %s: %s\n", cmd, in,
                strcmp(bad, "too large") ? bad : "larger than 256 MiB (the limit for a report)");
        return NULL;
    }
    json_t *json = json_loadb(text.data, text.len, 0, &jerr);
    buf_free(&text);
    if (!json) {
        fprintf(stderr, "%s:%d:%d: %s\n", in, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(json_object_get(json, "aggregate"))) {
        fprintf(stderr, "%s: not a loadtop report (no \"aggregate\")\n", in);
        json_decref(json);
        return NULL;
    }
    return json;
}

int saved_render(const char *in, const char *out)
{
    json_t *json = load_report("report", in);
    if (!json)
        return EXIT_USAGE;
    if (!out) { /* no -o: the Markdown on stdout, for a terminal or a pipe */
        char *md = render_markdown(json);
        fputs(md, stdout);
        free(md);
        json_decref(json);
        return EXIT_RAN;
    }
    enum render_format f = render_format_of(out);
    if (f != RENDER_MARKDOWN && f != RENDER_HTML) {
        fprintf(stderr, "loadtop: report: -o %s must end in .md or .html\n", out);
        json_decref(json);
        return EXIT_USAGE;
    }
    int rc = snapfile_write_report(out, json) < 0 ? EXIT_FATAL : EXIT_RAN;
    json_decref(json);
    return rc;
}

/* The plan's checks (plan.ensure, as the shards wrote them) and --ensure
 * evaluated on the merged numbers into report.checks; printed unless
 * quiet. Returns 1 when a strict one failed, -1 when an --ensure is bad. */
static int merged_checks(json_t *report, const struct options *o, FILE *out)
{
    json_t *plan = json_object_get(report, "plan");
    json_t *specs = json_object_get(plan, "ensure");
    int given = (int)json_array_size(specs), n = given + o->nensures;
    if (n == 0)
        return 0;
    struct check_spec *cs = xcalloc((size_t)n, sizeof *cs);
    for (int i = 0; i < o->nensures; i++)
        check_spec_condition(&cs[given + i], o->ensures[i], 1, 0, 0);
    if (checks_validate(cs + given, o->nensures, "--ensure", stderr)) {
        check_specs_free(cs, n);
        return -1;
    }
    for (int i = 0; i < given; i++) {
        json_t *s = json_array_get(specs, i);
        const char *text = json_string_value(json_object_get(s, "text"));
        const char *expr = json_string_value(json_object_get(s, "expr"));
        cs[i].text = xstrdup(text ? text : "");
        cs[i].expr = xstrdup(expr ? expr : cs[i].text);
        cs[i].strict = json_is_true(json_object_get(s, "strict"));
    }
    struct check_result *res = checks_eval(cs, n, report);
    json_object_set_new(report, "checks", checks_results_json(res, n));
    if (json_is_object(plan))
        json_object_set_new(plan, "ensure", check_specs_json(cs, n));
    if (out)
        checks_print(out, res, n);
    int failed = checks_failed_strict(res, n);
    check_results_free(res, n);
    check_specs_free(cs, n);
    return failed;
}

int saved_merge(const struct options *o)
{
    if (!o->output && !o->nreports) {
        fprintf(stderr, "loadtop: merge: give -o RUN.json (or --report RUN.md/.html) to write\n");
        return EXIT_USAGE;
    }
    int n = o->ninputs;
    json_t **r = xcalloc((size_t)(n ? n : 1), sizeof *r);
    int rc = EXIT_RAN;
    for (int i = 0; i < n && rc == EXIT_RAN; i++)
        if (!(r[i] = load_report("merge", o->inputs[i])))
            rc = EXIT_USAGE;
    json_t *m = NULL;
    if (rc == EXIT_RAN) {
        char err[512];
        m = report_merge(r, o->inputs, n, 0, err, sizeof err);
        if (!m) {
            fprintf(stderr, "loadtop: merge: %s\n", err);
            rc = EXIT_USAGE;
        }
    }
    for (int i = 0; i < n; i++)
        json_decref(r[i]);
    free(r);
    if (!m)
        return rc;
    json_object_set_new(json_object_get(m, "run"), "command",
                        json_sprintf("loadtop merge (%d shards)", n));
    double spread = json_number_value(json_object_get(json_object_get(m, "run"), "startSpread"));
    if (spread > 1.0)
        fprintf(stderr,
                "loadtop: merge: the shards started %.1f s apart: intervals and seconds are "
                "added by index (start them together with --start-at)\n",
                spread);
    FILE *out = o->quiet ? NULL : stdout;
    int failed = merged_checks(m, o, out);
    if (failed < 0) {
        json_decref(m);
        return EXIT_USAGE;
    }
    if (out)
        summary_print(out, m, o->latency_dist);
    if (o->output && snapfile_write_report(o->output, m) < 0)
        rc = EXIT_FATAL;
    else if (o->output && !o->quiet)
        fprintf(stderr, "loadtop: report written: %s\n", o->output);
    for (int i = 0; i < o->nreports; i++) {
        if (snapfile_write_report(o->reports[i], m) < 0)
            rc = EXIT_FATAL;
        else if (!o->quiet)
            fprintf(stderr, "loadtop: report written: %s\n", o->reports[i]);
    }
    if (rc == EXIT_RAN && failed)
        rc = EXIT_CHECKS;
    json_decref(m);
    return rc;
}
