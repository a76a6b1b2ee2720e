/* merge.c — see merge.h: shards' reports made into one. */
#include "merge.h"

#include <math.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "report_int.h"
#include "stats.h"
#include "util.h"

#define MERGE_MAX_SHARDS 1024

static void put(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? v : json_null());
}

static json_int_t num_i(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* dst[key] += src[key] for every integer of src (new keys copied). */
static void add_ints(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        if (json_is_integer(v))
            put(dst, k, json_integer(num_i(dst, k) + json_integer_value(v)));
    }
}

/* dst[key] = the larger of dst[key] and v, when v is a number. */
static void max_key(json_t *dst, const char *key, const json_t *v)
{
    json_t *d = json_object_get(dst, key);
    if (json_is_number(v) && (!json_is_number(d) || json_number_value(v) > json_number_value(d)))
        put(dst, key, json_deep_copy(v));
}

/* max_key for every number of src. */
static void max_nums(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v) max_key(dst, k, v);
}

/* A merge under way: the histograms being added stay decoded until the
 * end (one decode of each shard's, one encode of each sum), and the
 * first error. */
struct pending {
    json_t *period; /* the merged period the histogram belongs to */
    char *key;
    struct hist *h;
};
struct mctx {
    char *err;
    size_t errn;
    struct pending *p;
    size_t n, cap;
    struct hist *tmp;
};

static struct hist *pending_for(struct mctx *c, json_t *period, const char *key)
{
    for (size_t i = c->n; i-- > 0;) /* the latest first: a period's keys come together */
        if (c->p[i].period == period && !strcmp(c->p[i].key, key))
            return c->p[i].h;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->p = xrealloc(c->p, c->cap * sizeof *c->p);
    }
    struct hist *h = hist_new();
    const char *enc =
        json_string_value(json_object_get(json_object_get(period, "histograms"), key));
    if (enc && hist_decode(h, enc) < 0) {
        free(h);
        return NULL;
    }
    c->p[c->n++] = (struct pending){period, xstrdup(key), h};
    return h;
}

/* Histograms (hist_encode strings) add, bucket by bucket: the merge's one
 * exact step; the sums are written, with their summaries, by
 * flush_histograms. -1 (why in err) on an encoding that does not decode. */
static int add_histograms(json_t *dst, const json_t *src, struct mctx *c)
{
    json_t *sh = json_object_get(src, "histograms");
    if (!json_is_object(sh))
        return 0;
    if (!c->tmp)
        c->tmp = hist_new();
    const char *k;
    json_t *v;
    json_object_foreach(sh, k, v)
    {
        struct hist *h = pending_for(c, dst, k);
        const char *eb = json_string_value(v);
        hist_reset(c->tmp);
        if (!h || (eb && hist_decode(c->tmp, eb) < 0)) {
            snprintf(c->err, c->errn, "histogram \"%s\" does not decode", k);
            return -1;
        }
        hist_merge(h, c->tmp);
    }
    return 0;
}

/* Write every sum (and its summary) into its period; free the context. */
static void flush_histograms(struct mctx *c, int write)
{
    for (size_t i = 0; i < c->n; i++) {
        struct pending *p = &c->p[i];
        if (write) {
            json_t *dh = json_object_get(p->period, "histograms");
            json_t *sums = json_object_get(p->period, "summaries");
            if (!json_is_object(dh))
                put(p->period, "histograms", dh = json_object());
            if (!json_is_object(sums))
                put(p->period, "summaries", sums = json_object());
            char *enc = hist_encode(p->h);
            put(dh, p->key, json_string(enc));
            free(enc);
            struct sumstat s;
            sumstat_of(&s, p->h);
            put(sums, p->key, report_sumstat_json(&s));
        }
        free(p->key);
        free(p->h);
    }
    free(c->p);
    free(c->tmp);
}

/* An Artillery period (the aggregate, an intermediate period, a phase or
 * an endpoint): counters add, histograms add, summaries follow; its span
 * widens and its request rate is over the span. */
static int merge_period(json_t *dst, const json_t *src, struct mctx *c)
{
    json_t *cs = json_object_get(dst, "counters");
    if (!json_is_object(cs))
        put(dst, "counters", cs = json_object());
    add_ints(cs, json_object_get(src, "counters"));
    if (add_histograms(dst, src, c) < 0)
        return -1;
    json_t *f = json_object_get(src, "firstMetricAt"), *l = json_object_get(src, "lastMetricAt");
    if (json_is_integer(f) && json_is_integer(json_object_get(dst, "firstMetricAt"))) {
        json_int_t first = num_i(dst, "firstMetricAt"), last = num_i(dst, "lastMetricAt");
        if (json_integer_value(f) < first)
            first = json_integer_value(f);
        if (json_integer_value(l) > last)
            last = json_integer_value(l);
        put(dst, "firstMetricAt", json_integer(first));
        put(dst, "lastMetricAt", json_integer(last));
        put(dst, "period", json_integer(first));
        json_t *rates = json_object_get(dst, "rates");
        if (json_is_object(rates))
            put(rates, "http.request_rate",
                json_integer(rate_of((uint64_t)num_i(cs, "http.requests"), (last - first) / 1e3)));
    }
    return 0;
}

/* Items of dst and src paired by `key` (a string or an integer); src's
 * unpaired ones appended. `fn` merges a pair. */
static int merge_by(json_t *dst, const json_t *src, const char *key,
                    int (*fn)(json_t *, const json_t *, struct mctx *), struct mctx *c)
{
    size_t i, j;
    json_t *s, *d;
    json_array_foreach((json_t *)src, i, s)
    {
        json_t *sk = json_object_get(s, key), *match = json_array_get(dst, i);
        /* shards of one plan list the same items in the same order: the
         * same place first (a timeline of 600 s pairs in 600 steps, not
         * 360 000), then a search */
        if (!match || !json_equal(json_object_get(match, key), sk)) {
            match = NULL;
            json_array_foreach(dst, j, d) if (json_equal(json_object_get(d, key), sk)) match = d;
        }
        if (!match)
            json_array_append_new(dst, json_deep_copy(s));
        else if (fn(match, s, c) < 0)
            return -1;
    }
    return 0;
}

static int merge_phase(json_t *d, const json_t *s, struct mctx *c)
{
    put(d, "planned", json_integer(num_i(d, "planned") + num_i(s, "planned")));
    put(d, "arrivals", json_integer(num_i(d, "arrivals") + num_i(s, "arrivals")));
    /* the phase ran from its first shard's start to its last shard's end */
    json_t *ss = json_object_get(s, "startedAt"), *se = json_object_get(s, "endedAt");
    json_t *ds = json_object_get(d, "startedAt"), *de = json_object_get(d, "endedAt");
    if (json_is_number(ss) &&
        (!json_is_number(ds) || json_number_value(ss) < json_number_value(ds)))
        put(d, "startedAt", json_deep_copy(ss));
    if (json_is_number(se) &&
        (!json_is_number(de) || json_number_value(se) > json_number_value(de)))
        put(d, "endedAt", json_deep_copy(se));
    max_key(d, "paused", json_object_get(s, "paused"));
    double started = json_number_value(json_object_get(d, "startedAt"));
    double ended = json_number_value(json_object_get(d, "endedAt"));
    double pz = json_number_value(json_object_get(d, "paused"));
    if (json_is_number(json_object_get(d, "startedAt")) &&
        json_is_number(json_object_get(d, "endedAt")) && ended - started - pz > 0)
        put(d, "achievedRate",
            json_real(round_to((double)num_i(d, "arrivals") / (ended - started - pz), 0.01)));
    return merge_period(d, s, c);
}

static int merge_second(json_t *d, const json_t *s, struct mctx *c)
{
    static const char *const counts[] = {"arrivals", "skipped", "failed", "requests", "responses"};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        put(d, counts[i], json_integer(num_i(d, counts[i]) + num_i(s, counts[i])));
    add_ints(json_object_get(d, "codes"), json_object_get(s, "codes"));
    add_ints(json_object_get(d, "errors"), json_object_get(s, "errors"));
    /* no histogram per second: the shards' highest, an upper bound */
    static const char *const highest[] = {"p50", "p95",     "p99",       "latencyP99", "load1",
                                          "cpu", "selfCpu", "workerCpu", "memUsedKb",  "paused"};
    for (size_t i = 0; i < sizeof highest / sizeof *highest; i++)
        max_key(d, highest[i], json_object_get(s, highest[i]));
    return 0;
}

/* run.startedAt ("2026-12-07T16:30:00.123Z") in ms since the epoch; -1
 * when it is not one. */
static int64_t started_ms(const json_t *run)
{
    const char *s = json_string_value(json_object_get(run, "startedAt"));
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    int ms = 0;
    if (!p || (*p == '.' && sscanf(p + 1, "%3d", &ms) != 1))
        return -1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

struct timed {
    double t;
    size_t i;
    json_t *e;
};

static int timed_cmp(const void *a, const void *b)
{
    const struct timed *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t ? 1 : (x->i > y->i) - (x->i < y->i);
}

static json_int_t shard_index(const json_t *r)
{
    return num_i(json_object_get(json_object_get(r, "run"), "shard"), "index");
}

/* Which report is shard i, checked: same plan, same count, each once. */
static int order_shards(json_t *const *r, const char *const *names, int n, unsigned flags, int *at,
                        char *err, size_t errn)
{
    json_int_t seen = -1; /* MERGE_SOME: the shard count every report must share */
    const char *hash = NULL;
    for (int i = 0; i < n; i++)
        at[i] = -1;
    for (int i = 0; i < n; i++) {
        json_t *run = json_object_get(r[i], "run"), *sh = json_object_get(run, "shard");
        const char *h = json_string_value(json_object_get(run, "planHash"));
        if (!json_is_object(json_object_get(r[i], "aggregate")) || !json_is_object(sh) || !h) {
            snprintf(err, errn, "%s: not a shard's report (no run.shard; run with --shard I/N)",
                     names[i]);
            return -1;
        }
        if (hash && strcmp(h, hash)) {
            snprintf(err, errn, "%s: another plan (planHash %s, %s has %s)", names[i], h, names[0],
                     hash);
            return -1;
        }
        hash = h;
        json_int_t idx = num_i(sh, "index"), cnt = num_i(sh, "count");
        if (flags & MERGE_SOME) { /* any of them, once each: placed by index below */
            if (seen >= 0 && cnt != seen) {
                snprintf(err, errn, "%s: shard %lld of %lld, others of %lld", names[i],
                         (long long)idx, (long long)cnt, (long long)seen);
                return -1;
            }
            seen = cnt;
            if (idx < 0 || idx >= cnt) {
                snprintf(err, errn, "%s: shard %lld of %lld", names[i], (long long)idx,
                         (long long)cnt);
                return -1;
            }
            for (int j = 0; j < i; j++)
                if (shard_index(r[j]) == idx) {
                    snprintf(err, errn, "%s: shard %lld given twice (also %s)", names[i],
                             (long long)idx, names[j]);
                    return -1;
                }
            at[i] = i;
            continue;
        }
        if (cnt != n) {
            snprintf(err, errn, "%s: shard %lld of %lld, but %d report%s given", names[i],
                     (long long)idx, (long long)cnt, n, n == 1 ? "" : "s");
            return -1;
        }
        if (idx < 0 || idx >= n || at[idx] >= 0) {
            snprintf(err, errn, "%s: shard %lld given twice (also %s)", names[i], (long long)idx,
                     idx >= 0 && idx < n ? names[at[idx]] : "?");
            return -1;
        }
        at[idx] = i;
    }
    if (flags & MERGE_SOME) /* in index order */
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && shard_index(r[at[j]]) < shard_index(r[at[j - 1]]); j--) {
                int t = at[j];
                at[j] = at[j - 1];
                at[j - 1] = t;
            }
    return 0;
}

json_t *report_merge(json_t *const *reports, const char *const *names, int n, unsigned flags,
                     char *err, size_t errn)
{
    if (n < 1 || n > MERGE_MAX_SHARDS) {
        snprintf(err, errn, "give 1 to %d shard reports", MERGE_MAX_SHARDS);
        return NULL;
    }
    int *at = calloc((size_t)n, sizeof *at);
    if (!at || order_shards(reports, names, n, flags, at, err, errn) < 0) {
        free(at);
        return NULL;
    }
    json_t *m = json_deep_copy(reports[at[0]]);
    json_t *events = json_array(), *run = json_object_get(m, "run");
    int64_t workers = 0, planned = 0, first_ms = -1, last_ms = -1;
    int rc = 0, interrupted = 0;
    struct mctx c = {.err = err, .errn = errn};
    for (int i = 0; i < n && rc == 0; i++) {
        const json_t *r = reports[at[i]], *rr = json_object_get(r, "run");
        if (i) {
            rc = merge_period(json_object_get(m, "aggregate"), json_object_get(r, "aggregate"), &c);
            rc = rc ? rc
                    : merge_by(json_object_get(m, "phases"), json_object_get(r, "phases"), "index",
                               merge_phase, &c);
            rc = rc ? rc
                    : merge_by(json_object_get(m, "endpoints"), json_object_get(r, "endpoints"),
                               "name", merge_period, &c);
            rc = rc ? rc
                    : merge_by(json_object_get(m, "timeline"), json_object_get(r, "timeline"), "t",
                               merge_second, &c);
            json_t *di = json_object_get(m, "intermediate");
            const json_t *si = json_object_get(r, "intermediate");
            for (size_t k = 0; rc == 0 && k < json_array_size(si); k++) {
                if (k < json_array_size(di))
                    rc = merge_period(json_array_get(di, k), json_array_get(si, k), &c);
                else
                    json_array_append_new(di, json_deep_copy(json_array_get(si, k)));
            }
            max_nums(json_object_get(m, "host"), json_object_get(r, "host"));
            max_key(run, "elapsed", json_object_get(rr, "elapsed"));
            const char *sa = json_string_value(json_object_get(rr, "startedAt"));
            const char *da = json_string_value(json_object_get(run, "startedAt"));
            if (sa && da && strcmp(sa, da) < 0)
                put(run, "startedAt", json_string(sa));
        }
        workers += num_i(rr, "workers");
        planned += num_i(rr, "plannedArrivals");
        int64_t began = started_ms(rr);
        if (began >= 0 && (first_ms < 0 || began < first_ms))
            first_ms = began;
        if (began > last_ms)
            last_ms = began;
        if (i)
            max_key(run, "paused", json_object_get(rr, "paused"));
        const char *state = json_string_value(json_object_get(rr, "state"));
        interrupted |= state && !strcmp(state, "interrupted");
        size_t k;
        json_t *ev;
        json_array_foreach(json_object_get(r, "events"), k, ev)
        {
            json_t *e = json_deep_copy(ev);
            const char *t = json_string_value(json_object_get(ev, "text"));
            char *text = xasprintf("shard %lld: %s", (long long)shard_index(r), t ? t : "");
            put(e, "text", json_string(text));
            free(text);
            json_array_append_new(events, e);
        }
    }
    free(at);
    flush_histograms(&c, rc == 0);
    if (rc < 0) {
        json_decref(events);
        json_decref(m);
        return NULL;
    }
    /* events in time order, shard order among equals */
    size_t ne = json_array_size(events);
    struct timed *ev = xcalloc(ne ? ne : 1, sizeof *ev);
    for (size_t i = 0; i < ne; i++) {
        ev[i].e = json_array_get(events, i);
        ev[i].t = json_number_value(json_object_get(ev[i].e, "t"));
        ev[i].i = i;
    }
    qsort(ev, ne, sizeof *ev, timed_cmp);
    json_t *sorted = json_array();
    for (size_t i = 0; i < ne; i++)
        json_array_append(sorted, ev[i].e);
    free(ev);
    json_decref(events);
    put(m, "events", sorted);
    /* intervals and seconds are paired by index: right for shards started
     * together (--start-at), said when they were not */
    double spread = first_ms >= 0 ? (double)(last_ms - first_ms) / 1e3 : 0;
    put(run, "startSpread", json_real(spread));
    if (spread > 1.0) {
        char *text = xasprintf("the shards started %.1f s apart: their intervals and seconds are "
                               "added by index (start shards together with --start-at)",
                               spread);
        json_t *w = json_pack("{s:f, s:s, s:s}", "t", 0.0, "kind", "warning", "text", text);
        json_array_insert_new(sorted, 0, w);
        free(text);
    }
    json_object_del(run, "shard");
    put(run, "shards", json_integer(n));
    put(run, "workers", json_integer(workers));
    put(run, "plannedArrivals", json_integer(planned));
    put(run, "state", json_string(interrupted ? "interrupted" : "done"));
    return m;
}
