/* checks.c — see checks.h. */
#include "checks.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "util.h"

/* A number as JavaScript's template strings print it: 200, 0.5, 1e+21. */
static char *js_num(double v)
{
    return xasprintf("%.15g", v);
}

static void spec_set(struct check_spec *out, char *text, char *expr, int strict, int line, int col)
{
    *out = (struct check_spec){text, expr, strict, line, col};
}

void check_spec_condition(struct check_spec *out, const char *expression, int strict, int line,
                          int col)
{
    spec_set(out, xstrdup(expression), xstrdup(expression), strict, line, col);
}

/* Would the expression lexer read `s` as one name? */
static int plain_name(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
            !(*s == '-' && (isalnum((unsigned char)s[1]) || s[1] == '_')))
            return 0;
    return 1;
}

void check_spec_threshold(struct check_spec *out, const char *metric, double max, int line, int col)
{
    char *n = js_num(max);
    char *t = xasprintf("%s < %s", metric, n);
    /* quoted, names such as metrics-by-endpoint's (with slashes) still work */
    char *e =
        plain_name(metric) || strchr(metric, '\'') ? xstrdup(t) : xasprintf("'%s' < %s", metric, n);
    free(n);
    spec_set(out, t, e, 1, line, col);
}

int check_spec_shorthand(struct check_spec *out, const char *key, double value, int line, int col)
{
    static const char *const legacy[] = {"p95", "p99", "max", "median", "min"};
    for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
        if (!strcmp(key, legacy[i])) {
            char *n = js_num(trunc(value));
            spec_set(out, xasprintf("%s < %s", key, n),
                     xasprintf("http.response_time.%s < %s", key, n), 1, line, col);
            free(n);
            return 0;
        }
    if (strcmp(key, "maxErrorRate"))
        return -1;
    char *n = js_num(value);
    spec_set(out, xasprintf("maxErrorRate <= %s", n),
             xasprintf("(vusers.created - vusers.completed) / vusers.created * 100 <= %s", n), 1,
             line, col);
    free(n);
    return 0;
}

void check_specs_free(struct check_spec *specs, int n)
{
    for (int i = 0; specs && i < n; i++) {
        free(specs[i].text);
        free(specs[i].expr);
    }
    free(specs);
}

int checks_validate(const struct check_spec *specs, int n, const char *file, FILE *diag)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char shown[64];
        struct parse_error pe;
        struct expr *e = expr_parse(specs[i].expr, EXPR_ENSURE, &pe);
        if (e) {
            expr_free(e);
            continue;
        }
        bad++;
        if (specs[i].line > 0)
            fprintf(diag, "%s:%d:%d: bad ensure expression: %s\n", file, specs[i].line,
                    specs[i].col + pe.col - 1, pe.msg);
        else /* clipped: an expression from the command line may be any size */
            fprintf(diag, "%s: bad ensure expression `%s` at column %d: %s\n", file,
                    str_clip(shown, sizeof shown, specs[i].expr), pe.col, pe.msg);
    }
    return bad;
}

/* ---- evaluation -------------------------------------------------------- */

/* Artillery's flat metric names over the aggregate: counters, rates, and
 * summaries as NAME.STAT (split at the last dot). */
static int lookup(void *ctx, const char *name, double *out)
{
    const json_t *agg = ctx;
    static const char *const flat[] = {"counters", "rates"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(json_object_get(agg, flat[i]), name);
        if (json_is_number(v)) {
            *out = json_number_value(v);
            return 0;
        }
    }
    const char *dot = strrchr(name, '.');
    if (!dot)
        return -1;
    char *sum = xstrndup(name, (size_t)(dot - name));
    json_t *v = json_object_get(json_object_get(json_object_get(agg, "summaries"), sum), dot + 1);
    free(sum);
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 0;
}

/* Integers exactly, others to 0.01 (or 4 significant digits below 1). */
static void fmt_val(struct buf *b, double v)
{
    char t[64];
    if (v == trunc(v) && fabs(v) < 1e15) {
        snprintf(t, sizeof t, "%.0f", v);
    } else if (!(fabs(v) < 1e21)) {
        /* as JavaScript prints them; "%.2f" would outgrow t, and the
         * zeros stripped from what was left of 1e62 gave "1" */
        snprintf(t, sizeof t, "%.15g", v);
    } else if (fabs(v) >= 1) {
        snprintf(t, sizeof t, "%.2f", v);
        size_t n = strlen(t);
        while (t[n - 1] == '0')
            t[--n] = '\0';
        if (t[n - 1] == '.')
            t[n - 1] = '\0';
    } else {
        snprintf(t, sizeof t, "%.4g", v);
    }
    buf_puts(b, t);
}

struct measured {
    const json_t *agg;
    struct buf *b;
};

static void add_measured(void *ctx, const char *name)
{
    struct measured *m = ctx;
    double v;
    if (lookup((void *)m->agg, name, &v))
        return;
    buf_printf(m->b, "%s%s = ", m->b->len ? ", " : "", name);
    fmt_val(m->b, v);
}

static int is_compare(const struct expr *e)
{
    return e->kind == EXPR_BIN && e->op >= EXPR_EQ && e->op <= EXPR_GE;
}

static void eval_one(const struct check_spec *s, const json_t *agg, struct check_result *r)
{
    char *msg;
    struct parse_error pe;
    r->text = xstrdup(s->text);
    r->strict = s->strict;
    struct expr *e = expr_parse(s->expr, EXPR_ENSURE, &pe);
    if (!e) {
        r->message = xasprintf("bad expression at column %d: %s", pe.col, pe.msg);
        return;
    }
    double v, lv;
    struct buf b = {0}, names = {0};
    if (expr_eval(e, lookup, (void *)agg, &v, &msg)) {
        buf_puts(&b, msg);
        if (strstr(msg, "no metric"))
            buf_puts(&b, " in this run (counters that stayed at 0 are not reported)");
        free(msg);
    } else {
        r->ok = v != 0;
        struct measured m = {agg, &names};
        expr_names(e, add_measured, &m);
        /* a computed left side is the number the check is about */
        if (is_compare(e) && e->l->kind == EXPR_BIN &&
            !expr_eval(e->l, lookup, (void *)agg, &lv, &msg)) {
            if (strcmp(s->text, s->expr)) /* a shorthand: "maxErrorRate = 25.27" */
                buf_printf(&b, "%.*s = ", (int)strcspn(s->text, " "), s->text);
            else
                buf_puts(&b, "left side = ");
            fmt_val(&b, lv);
            buf_printf(&b, " from %s", names.data ? names.data : "");
        } else {
            buf_puts(&b, names.data ? names.data : "");
        }
    }
    buf_free(&names);
    r->message = b.data ? b.data : xstrdup("");
    expr_free(e);
}

struct check_result *checks_eval(const struct check_spec *specs, int n, const json_t *report)
{
    const json_t *agg = json_object_get(report, "aggregate");
    struct check_result *r = xcalloc(n > 0 ? (size_t)n : 1, sizeof *r);
    for (int i = 0; i < n; i++)
        eval_one(&specs[i], agg, &r[i]);
    return r;
}

void check_results_free(struct check_result *r, int n)
{
    for (int i = 0; r && i < n; i++) {
        free(r[i].text);
        free(r[i].message);
    }
    free(r);
}

int checks_failed_strict(const struct check_result *r, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += !r[i].ok && r[i].strict;
    return k;
}

void checks_print(FILE *f, const struct check_result *r, int n)
{
    if (n <= 0)
        return;
    fputs("Checks:\n", f);
    for (int i = 0; i < n; i++) {
        int optional = !r[i].ok && !r[i].strict, has_msg = r[i].message && *r[i].message;
        fprintf(f, "  %s: %s", r[i].ok ? "ok" : "fail", r[i].text);
        if (optional || has_msg)
            fprintf(f, " (%s%s%s)", optional ? "optional" : "", optional && has_msg ? "; " : "",
                    has_msg ? r[i].message : "");
        fputc('\n', f);
    }
}

json_t *checks_results_json(const struct check_result *r, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:b, s:b, s:s}", "text", r[i].text, "ok", r[i].ok,
                                           "strict", r[i].strict, "message",
                                           r[i].message ? r[i].message : ""));
    return a;
}

json_t *check_specs_json(const struct check_spec *specs, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "text", specs[i].text, "expr",
                                           specs[i].expr, "strict", specs[i].strict));
    return a;
}
