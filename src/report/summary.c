/* summary.c — see summary.h. Each line is one fact, labelled the way oha
 * and wrk label it ("Requests/sec", "Success rate", "Status codes"), with
 * numbers written by numfmt as the reports write them. */
#include "summary.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "numfmt.h"
#include "render_int.h"

#define MAX_CODES 6  /* status codes on their line; more are "+N more" */
#define MAX_ERRORS 4 /* error names on theirs */
#define BAR 30       /* the histogram's longest bar */

static void line(FILE *f, const char *label, const char *text)
{
    fprintf(f, "  %-15s%s\n", label, text);
}

/* "p50 1.2 ms · p90 ... · max 31 ms" of a summaries entry; "" if empty. */
static void percentiles(const json_t *s, char *out, size_t n)
{
    static const char *const keys[] = {"p50", "p90", "p99", "p999", "max"};
    static const char *const names[] = {"p50", "p90", "p99", "p99.9", "max"};
    out[0] = '\0';
    if (!(render_num(s, "count") > 0))
        return;
    size_t len = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && len < n; i++) {
        char b[NUMFMT_MAX];
        numfmt_ms(b, sizeof b, render_num(s, keys[i]));
        len += (size_t)snprintf(out + len, n - len, "%s%s %s ms", i ? " · " : "", names[i], b);
    }
}

/* "200: 11,904 · 503: 40", "ECONNRESET: 56 · ...": the counters whose
 * names start with `prefix`, most first (then by name), at most `max` of
 * them, then "+N more". `n_out` gets how many there were. */
static void counter_list(const json_t *counters, const char *prefix, int max, char *out, size_t n,
                         int *n_out)
{
    const char *names[64];
    double v[64];
    int k = 0, all = 0;
    size_t plen = strlen(prefix);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)counters, key, val)
    {
        if (strncmp(key, prefix, plen) || !json_is_number(val) || !(json_number_value(val) > 0))
            continue;
        all++;
        if (k == 64)
            continue;
        names[k] = key + plen;
        v[k++] = json_number_value(val);
    }
    /* most first, then by name (a few dozen at most: insertion sort) */
    for (int i = 1; i < k; i++)
        for (int j = i;
             j > 0 && (v[j] > v[j - 1] || (v[j] == v[j - 1] && strcmp(names[j], names[j - 1]) < 0));
             j--) {
            double tv = v[j];
            const char *tn = names[j];
            v[j] = v[j - 1], names[j] = names[j - 1];
            v[j - 1] = tv, names[j - 1] = tn;
        }
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < k && i < max && len < n; i++) {
        char c[NUMFMT_MAX];
        len += (size_t)snprintf(out + len, n - len, "%s%s: %s", i ? " · " : "", names[i],
                                numfmt_count(c, sizeof c, v[i]));
    }
    if (all > max && len < n)
        snprintf(out + len, n - len, " · +%d more", all - max);
    *n_out = all;
}

/* The latency histogram in SUMMARY_HIST_ROWS rows, log-spaced from the
 * fastest to the slowest: each row's upper edge, its count, a bar. */
static void histogram(FILE *f, const char *enc)
{
    struct hist *h = hist_new();
    if (!enc || hist_decode(h, enc) < 0 || !h->count) {
        free(h);
        return;
    }
    double lo = h->min > 0 ? (double)h->min : 1, hi = (double)h->max;
    int rows = hi > lo ? SUMMARY_HIST_ROWS : 1;
    uint64_t n[SUMMARY_HIST_ROWS], top = 1, below = 0;
    double edge[SUMMARY_HIST_ROWS];
    for (int r = 0; r < rows; r++) {
        edge[r] = r == rows - 1 ? hi : lo * pow(hi / lo, (double)(r + 1) / rows);
        uint64_t upto = r == rows - 1 ? h->count : hist_count_below(h, (int64_t)edge[r] + 1);
        n[r] = upto - below;
        below = upto;
        if (n[r] > top)
            top = n[r];
    }
    fprintf(f, "Latency distribution (from each arrival's intended start):\n");
    for (int r = 0; r < rows; r++) {
        char ms[NUMFMT_MAX], c[NUMFMT_MAX];
        numfmt_ms(ms, sizeof ms, edge[r] / 1000);
        int bar = (int)((double)n[r] * BAR / (double)top + 0.5);
        fprintf(f, "  <= %8s ms %10s  %.*s\n", ms, numfmt_count(c, sizeof c, (double)n[r]),
                n[r] ? (bar ? bar : 1) : 0, "##############################");
    }
    free(h);
}

void summary_print(FILE *f, const json_t *report, int latency)
{
    const json_t *agg = render_get(report, "aggregate"), *run = render_get(report, "run");
    const json_t *plan = render_get(report, "plan");
    const json_t *c = render_get(agg, "counters"), *sums = render_get(agg, "summaries");
    double req = render_counter(c, "http.requests"), el = render_num(run, "elapsed");
    double paused = render_num(run, "paused");
    if (!(paused > 0 && paused < el))
        paused = 0;
    char a[NUMFMT_MAX], b[NUMFMT_MAX], d[NUMFMT_MAX], text[512];

    fprintf(f, "Summary:\n");
    if (paused > 0)
        snprintf(text, sizeof text, "%s in %s (paused %s, not counted)",
                 numfmt_count(a, sizeof a, req), numfmt_duration(b, sizeof b, el),
                 numfmt_duration(d, sizeof d, paused));
    else
        snprintf(text, sizeof text, "%s in %s", numfmt_count(a, sizeof a, req),
                 numfmt_duration(b, sizeof b, el));
    line(f, "Requests:", text);
    if (el - paused > 0 && req >= 0)
        snprintf(text, sizeof text, "%.1f", req / (el - paused));
    else
        snprintf(text, sizeof text, "n/a");
    line(f, "Requests/sec:", text);
    const char *model = render_str(plan, "model");
    if (model && !strcmp(model, "open")) {
        snprintf(text, sizeof text, "%s of %s planned, %s skipped",
                 numfmt_count(a, sizeof a, render_counter(c, "vusers.created")),
                 numfmt_count(b, sizeof b, render_num(run, "plannedArrivals")),
                 numfmt_count(d, sizeof d, render_counter(c, "vusers.skipped")));
        line(f, "Arrivals:", text);
    }
    double failures = json_is_object(c) ? (double)capacity_failures(c) : NAN;
    snprintf(text, sizeof text, "%s (%s failed: errors and 5xx)",
             numfmt_pct(a, sizeof a, req > 0 ? 100 * (req - failures) / req : NAN),
             numfmt_count(b, sizeof b, failures));
    line(f, "Success rate:", text);
    int k;
    counter_list(c, "http.codes.", MAX_CODES, text, sizeof text, &k);
    line(f, "Status codes:", k ? text : "none");
    counter_list(c, "errors.", MAX_ERRORS, text, sizeof text, &k);
    line(f, "Errors:", k ? text : "none");
    percentiles(render_get(sums, "http.response_time"), text, sizeof text);
    if (*text)
        line(f, "Response time:", text);
    percentiles(render_get(sums, "http.latency"), text, sizeof text);
    if (*text)
        line(f, "Latency:", text);
    double bytes = render_counter(c, "http.downloaded_bytes");
    snprintf(text, sizeof text, "%s (%s/s)", numfmt_bytes(a, sizeof a, bytes),
             numfmt_bytes(b, sizeof b, el - paused > 0 ? bytes / (el - paused) : NAN));
    line(f, "Received:", text);
    const json_t *checks = render_get(report, "checks");
    if (json_array_size(checks)) {
        int pass = 0, fail = 0;
        size_t i;
        json_t *ck;
        json_array_foreach(checks, i, ck)
        {
            if (json_is_true(render_get(ck, "ok")))
                pass++;
            else
                fail++;
        }
        snprintf(text, sizeof text, "%d passed, %d failed", pass, fail);
        line(f, "Checks:", text);
    }
    if (latency)
        histogram(f, render_str(render_get(agg, "histograms"), "http.latency"));
}
