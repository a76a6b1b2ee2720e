/* timeline.c — the per-second timeline of a report, bucketed for the
 * charts (render_int.h): at most TL_MAX_POINTS points, so that an
 * hour-long run makes a small page. */
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "render_int.h"

#define TL_MAX_POINTS 600
#define TL_MAX_VALUE 1e12 /* no rate, latency or percentage a second gets near */

/* A timeline reading as the charts draw it: NAN (no value) unless it is
 * finite, not negative and at most TL_MAX_VALUE. A saved report is user
 * input, and a value past these would take the axes' arithmetic to inf. */
static double plausible(double v)
{
    return v >= 0 && v <= TL_MAX_VALUE ? v : NAN;
}

struct errtot {
    const char *name;
    double total;
};

static int errtot_cmp(const void *a, const void *b)
{
    const struct errtot *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Fold raw[n] into k-second buckets: the mean, or the max for values that
 * must not be smoothed away (latency, CPU, load). NAN = no value. */
static double *bucket(const double *raw, int n, int k, int use_max)
{
    int m = (n + k - 1) / k;
    double *out = xcalloc((size_t)m + 1, sizeof *out);
    for (int i = 0; i < m; i++) {
        double acc = use_max ? -INFINITY : 0;
        int got = 0;
        for (int j = i * k; j < n && j < (i + 1) * k; j++) {
            if (isnan(raw[j]))
                continue;
            acc = use_max ? fmax(acc, raw[j]) : acc + raw[j];
            got++;
        }
        out[i] = !got ? NAN : use_max ? acc : acc / got;
    }
    return out;
}

void timeline_load(struct timeline *t, const json_t *run)
{
    memset(t, 0, sizeof *t);
    const json_t *arr = render_get(run, "timeline");
    int n = (int)json_array_size(arr);
    t->k = n > TL_MAX_POINTS ? (n + TL_MAX_POINTS - 1) / TL_MAX_POINTS : 1;
    t->n = (n + t->k - 1) / t->k;
    double el = render_num(render_get(run, "run"), "elapsed");
    t->tmax = fmax(el >= 0 && el < NUMFMT_LONGEST_S ? el : 0, n);
    if (!n)
        return;

    static const char *const keys[] = {"targetRate", "arrivals", "requests", "p50",    "p95",
                                       "p99",        "load1",    "cpu",      "selfCpu"};
    static const char *const cls[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    double *raw = xcalloc((size_t)n, sizeof *raw);
    for (int f = 0; f < TF_N; f++) {
        for (int i = 0; i < n; i++) {
            const json_t *s = json_array_get(arr, (size_t)i);
            if (f >= TF_C1)
                raw[i] = plausible(render_counter(render_get(s, "codes"), cls[f - TF_C1]));
            else if (f >= TF_P50 && f <= TF_P99 && !(render_num(s, "responses") > 0))
                raw[i] = NAN; /* no response that second: no latency, not 0 ms */
            else
                raw[i] = plausible(render_num(s, keys[f]));
        }
        t->v[f] = bucket(raw, n, t->k, f >= TF_P50 && f <= TF_SELF);
    }

    /* error names by total, the long tail folded into "other" */
    struct errtot tot[64];
    int ne = 0;
    for (int i = 0; i < n; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(render_get(json_array_get(arr, (size_t)i), "errors"), k, v)
        {
            int j = 0;
            while (j < ne && strcmp(tot[j].name, k))
                j++;
            if (j == ne && ne < 64)
                tot[ne++] = (struct errtot){k, 0};
            if (j < ne && !isnan(plausible(json_number_value(v))))
                tot[j].total += json_number_value(v);
        }
    }
    qsort(tot, (size_t)ne, sizeof *tot, errtot_cmp);
    t->nerr = ne > TIMELINE_MAX_ERRORS ? TIMELINE_MAX_ERRORS + 1 : ne;
    for (int e = 0; e < t->nerr; e++) {
        t->errname[e] = e < TIMELINE_MAX_ERRORS ? tot[e].name : "other";
        for (int i = 0; i < n; i++) {
            const json_t *errs = render_get(json_array_get(arr, (size_t)i), "errors");
            raw[i] = 0;
            for (int j = e; j < (e < TIMELINE_MAX_ERRORS ? e + 1 : ne); j++)
                if (!isnan(plausible(render_counter(errs, tot[j].name))))
                    raw[i] += render_counter(errs, tot[j].name);
        }
        t->err[e] = bucket(raw, n, t->k, 0);
    }
    free(raw);
}

void timeline_free(struct timeline *t)
{
    for (int f = 0; f < TF_N; f++)
        free(t->v[f]);
    for (int e = 0; e < t->nerr; e++)
        free(t->err[e]);
}
