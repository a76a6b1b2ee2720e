/* checks.h — Artillery's `ensure` checks: built from config.ensure (or
 * config.plugins.ensure) and --ensure, validated at load time, evaluated
 * against a JSON report's aggregate, printed as Artillery prints them:
 *   Checks:
 *     ok: http.response_time.p99 < 200 (http.response_time.p99 = 31.1)
 *     fail: vusers.failed == 0 (vusers.failed = 12)
 * Metric names are Artillery's flattened ones: every aggregate counter and
 * rate by name, every summary as NAME.STAT (http.response_time.p99, in ms).
 * Forms: thresholds `- NAME: V` → `NAME < V`; conditions `expression` with
 * `strict` (default true); shorthands p95/p99/max/median/min: V →
 * `http.response_time.KEY < V` (V truncated to an integer, like Artillery's
 * parseInt); maxErrorRate: V → `(vusers.created - vusers.completed) /
 * vusers.created * 100 <= V` (as Artillery computes it: VUs that did not
 * complete, in percent). Pure apart from the FILE* given. */
#ifndef LOADTOP_CHECKS_H
#define LOADTOP_CHECKS_H

#include <jansson.h>
#include <stdio.h>

struct check_spec {
    char *text;    /* as printed: "http.response_time.p99 < 200", "p95 < 200" */
    char *expr;    /* what is evaluated (same as text unless a shorthand) */
    int strict;    /* a failed strict check makes the run exit 1 */
    int line, col; /* script position of the expression's first character,
                      1-based; line 0 = not from a script (--ensure) */
};

/* Constructors: fill *out with fresh heap strings (free with
 * check_specs_free). `line`/`col`: of the condition's expression scalar's
 * first character (after an opening quote), or of the threshold's metric
 * key. check_spec_shorthand returns -1 (and leaves *out alone) when `key`
 * is not p95, p99, max, median, min or maxErrorRate. */
void check_spec_condition(struct check_spec *out, const char *expression, int strict, int line,
                          int col);
void check_spec_threshold(struct check_spec *out, const char *metric, double max, int line,
                          int col);
int check_spec_shorthand(struct check_spec *out, const char *key, double value, int line, int col);
/* Free the strings of specs[0..n) and the array itself. Safe on NULL. */
void check_specs_free(struct check_spec *specs, int n);

/* Parse every spec; print one line per bad one to `diag`:
 *   FILE:LINE:COL: bad ensure expression: MESSAGE       (line > 0)
 *   FILE: bad ensure expression `TEXT` at column C: MESSAGE  (line 0;
 *   pass "--ensure" as FILE; TEXT clipped to a few dozen characters)
 * Returns the number of bad specs (0 = all good). */
int checks_validate(const struct check_spec *specs, int n, const char *file, FILE *diag);

struct check_result {
    char *text; /* spec text, owned */
    int ok;
    int strict;
    char *message; /* measured values ("vusers.failed = 12", "maxErrorRate =
                      25.27 from vusers.created = 40, ...") or why it failed
                      ("no metric named errors.EFOO ..."); plain text, owned */
};

/* Evaluate specs against a parsed JSON report (its "aggregate"). Returns a
 * heap array of n results (free with check_results_free). A missing metric,
 * a division by zero or an unparsable spec fails its check. */
struct check_result *checks_eval(const struct check_spec *specs, int n, const json_t *report);
void check_results_free(struct check_result *r, int n);
/* Number of failed strict checks: the run exits 1 when it is non-zero. */
int checks_failed_strict(const struct check_result *r, int n);
/* "Checks:" and one "  ok: ..." / "  fail: ... (optional)" line per check;
 * nothing when n == 0. */
void checks_print(FILE *f, const struct check_result *r, int n);

/* JSON for the report: results as [{"text","ok","strict","message"}] (the
 * report's "checks" key, read by render.c), specs as
 * [{"text","expr","strict"}] (the report's "plan.ensure", read by
 * capacity.c for the p99 SLO). New references. */
json_t *checks_results_json(const struct check_result *r, int n);
json_t *check_specs_json(const struct check_spec *specs, int n);

#endif
