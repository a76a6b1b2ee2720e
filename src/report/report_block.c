/* report_block.c — see report.h: Artillery's console text block, and the
 * sorted counter lists it shares with the JSON report (report_int.h). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "report.h"
#include "report_int.h"
#include "util.h"

/* ---- sorted counter names ---------------------------------------------- */

void kv_add(struct kvlist *l, enum kv_kind kind, uint64_t v, const char *fmt, ...)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, sizeof *l->v * (size_t)l->cap);
    }
    struct kv *e = &l->v[l->n++];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    e->key = xmalloc((size_t)(n > 0 ? n : 0) + 1);
    vsnprintf(e->key, (size_t)(n > 0 ? n : 0) + 1, fmt, ap2);
    va_end(ap2);
    e->v = v;
    e->kind = kind;
}

void kv_free(struct kvlist *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].key);
    free(l->v);
}

int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

void counters_kv(struct kvlist *l, const struct counters *c, const char *const *error_names,
                 int nerrors, int vusers)
{
    for (int i = 0; i < nerrors && i < STATS_MAX_ERRORS; i++)
        if (c->errors[i])
            kv_add(l, KV_COUNTER, c->errors[i], "errors.%s", error_names[i]);
    for (int i = 0; i < STATS_MAX_CODES; i++)
        if (c->codes[i])
            kv_add(l, KV_COUNTER, c->codes[i], "http.codes.%d", i);
    for (int i = 0; i < STATS_MAX_COUNTERS; i++)
        if (c->counter[i] && c->counter_names[i])
            kv_add(l, KV_COUNTER, c->counter[i], "%s", c->counter_names[i]);
    kv_add(l, KV_COUNTER, c->downloaded_bytes, "http.downloaded_bytes");
    kv_add(l, KV_COUNTER, c->requests, "http.requests");
    kv_add(l, KV_COUNTER, c->responses, "http.responses");
    if (!vusers)
        return;
    kv_add(l, KV_COUNTER, c->vu_completed, "vusers.completed");
    kv_add(l, KV_COUNTER, c->vu_created, "vusers.created");
    kv_add(l, KV_COUNTER, c->vu_failed, "vusers.failed");
    kv_add(l, KV_COUNTER, c->vu_skipped, "vusers.skipped");
}

/* ---- text block -------------------------------------------------------- */

/* A number the way JavaScript prints a value rounded to 0.1: "3", "7.9". */
static void fmt_num(char *out, size_t n, double v)
{
    if (!(fabs(v) < 1e15)) { /* "%.1f" would outgrow out, and its cut digits read as a number */
        snprintf(out, n, "%.15g", v);
        return;
    }
    snprintf(out, n, "%.1f", round_to(v, 0.1));
    size_t len = strlen(out);
    if (len > 2 && !strcmp(out + len - 2, ".0"))
        out[len - 2] = '\0';
}

/* "label: ....... value", the value starting at column 45. */
static void dotted(FILE *f, const char *label, const char *value)
{
    static const char dots[] = "............................................";
    int n = 43 - (int)strlen(label);
    fprintf(f, "%s %.*s %s\n", label, n > 1 ? n : 1, dots, value);
}

static void print_summary(FILE *f, const char *name, const struct sumstat *s)
{
    const char *labels[6] = {"  min:", "  max:", "  mean:", "  median:", "  p95:", "  p99:"};
    double v[6] = {(double)s->min, (double)s->max, s->mean,
                   (double)s->p50, (double)s->p95, (double)s->p99};
    fprintf(f, "%s:\n", name);
    for (int i = 0; i < 6; i++) {
        char num[NUMFMT_MAX];
        if (fabs(v[i]) < 50 && v[i] != 0)              /* what would print as "0" */
            numfmt_ms(num, sizeof num, v[i] / 1000.0); /* "0.042" */
        else
            fmt_num(num, sizeof num, v[i] / 1000.0);
        dotted(f, labels[i], num);
    }
}

void report_print_block(FILE *f, const char *title, const struct counters *c,
                        const struct sumstat s[SUM_N], const char *const *error_names, int nerrors,
                        double secs, double target_rate, const struct host_sample *host)
{
    struct kvlist l = {0};
    counters_kv(&l, c, error_names, nerrors, 1);
    kv_add(&l, KV_RATE, 0, "http.request_rate");
    static const enum summary_id shown[] = {SUM_RESPONSE_TIME, SUM_LATENCY};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (s[shown[i]].count)
            kv_add(&l, KV_SUMMARY, shown[i], "%s", stats_summary_name[shown[i]]);
    if (host)
        kv_add(&l, KV_LOAD, 0, "host.load_avg");
    qsort(l.v, (size_t)l.n, sizeof *l.v, kv_cmp);

    fprintf(f,
            "--------------------------------------\n%s\n"
            "--------------------------------------\n\n",
            title);
    for (int i = 0; i < l.n; i++) {
        const struct kv *e = &l.v[i];
        char *label = xasprintf("%s:", e->key), value[96], num[32];
        switch (e->kind) {
        case KV_COUNTER:
            snprintf(value, sizeof value, "%" PRIu64, e->v);
            break;
        case KV_RATE:
            snprintf(value, sizeof value, "%" PRId64 "/sec", rate_of(c->requests, secs));
            if (target_rate >= 0) {
                fmt_num(num, sizeof num, target_rate);
                snprintf(value + strlen(value), sizeof value - strlen(value), " (target %s/sec)",
                         num);
            }
            break;
        case KV_SUMMARY:
            print_summary(f, e->key, &s[e->v]);
            free(label);
            continue;
        case KV_LOAD:
            snprintf(value, sizeof value, "%.2f %.2f %.2f", host->load1, host->load5, host->load15);
            break;
        }
        dotted(f, label, value);
        free(label);
    }
    fputc('\n', f);
    kv_free(&l);
}
