/* report_int.h — private to report.c (the JSON report) and report_block.c
 * (the text block): counters as a sorted (name, value) list, so that both
 * list counters alphabetically, as Artillery's console output does, and
 * the numbers' rounding. */
#ifndef LOADTOP_REPORT_INT_H
#define LOADTOP_REPORT_INT_H

#include <math.h>
#include <stdint.h>
#include <jansson.h>

#include "stats.h"

enum kv_kind { KV_COUNTER, KV_RATE, KV_SUMMARY, KV_LOAD };

struct kv {
    char *key;  /* heap: scenario names and error names have no length limit */
    uint64_t v; /* KV_SUMMARY: the summary_id */
    enum kv_kind kind;
};

struct kvlist {
    struct kv *v;
    int n, cap;
};

/* Append a counter (its name printf-formatted) to the list. */
void kv_add(struct kvlist *l, enum kv_kind kind, uint64_t v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kv_free(struct kvlist *l);
/* qsort order: by name. */
int kv_cmp(const void *a, const void *b);
/* Artillery's counters of `c`: non-zero codes, errors and named counters,
 * and always the http.* totals; the vusers.* ones too when `vusers` (not
 * for endpoints). */
void counters_kv(struct kvlist *l, const struct counters *c, const char *const *error_names,
                 int nerrors, int vusers);

struct sumstat;
/* One summary as the report writes it (ms, Artillery's keys: min, max,
 * count, mean, p50, median, p75, p90, p95, p99, p999). A new reference. */
json_t *report_sumstat_json(const struct sumstat *s);

static inline double round_to(double x, double step)
{
    return round(x / step) * step;
}

/* A rate: count over the window, rounded. Over the real window, short as
 * it may be: Artillery counts a window as at least 1 s, which made a
 * 0.1 s `-n 100` run report 100/sec. */
static inline int64_t rate_of(uint64_t n, double secs)
{
    return (int64_t)floor((double)n / (secs > 1e-3 ? secs : 1e-3) + 0.5);
}

#endif
