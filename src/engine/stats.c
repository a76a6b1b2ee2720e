/* stats.c — see stats.h.
 *
 * Every recording call touches at most four groups (total, open interval,
 * phase, endpoint) plus the open second: a few counter increments and
 * hist_record() calls, O(1). Growable arrays (seconds, intervals, events)
 * double at powers of two, so their capacity follows from their length and
 * struct stats needs no capacity fields. */
#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const stats_summary_name[SUM_N] = {
    "http.response_time",    "http.total",           "http.latency",
    "vusers.session_length", "loadtop.schedule_lag",
};

#define GROW_MIN 16

/* Make room for element `n` of an array of `n` elements of `size` bytes. */
static void *stats_grow(void *p, int n, size_t size)
{
    if (n == 0)
        return xrealloc(p, GROW_MIN * size);
    if (n < GROW_MIN || (n & (n - 1)))
        return p;
    return xrealloc(p, (size_t)n * 2 * size);
}

static void group_init(struct group *g)
{
    memset(&g->c, 0, sizeof g->c);
    for (int k = 0; k < SUM_N; k++)
        g->sum[k] = hist_new();
}

static void group_free(struct group *g)
{
    for (int k = 0; k < SUM_N; k++)
        free(g->sum[k]);
}

void stats_init(struct stats *st, int nphases, int nendpoints, int nscenarios)
{
    memset(st, 0, sizeof *st);
    st->nphases = nphases > 0 ? nphases : 0;
    st->nendpoints = nendpoints > 0 ? nendpoints : 0;
    st->nscenarios = nscenarios > 0 ? nscenarios : 0;
    group_init(&st->total);
    group_init(&st->cur);
    st->phase = xcalloc((size_t)st->nphases, sizeof *st->phase);
    for (int i = 0; i < st->nphases; i++)
        group_init(&st->phase[i]);
    st->endpoint = xcalloc((size_t)st->nendpoints, sizeof *st->endpoint);
    for (int i = 0; i < st->nendpoints; i++)
        group_init(&st->endpoint[i]);
    st->created_by_scenario = xcalloc((size_t)st->nscenarios, sizeof *st->created_by_scenario);
    st->sec_rt = hist_new();
    st->sec_lat = hist_new();
    st->phase_planned = xcalloc((size_t)st->nphases, sizeof *st->phase_planned);
    st->phase_started_us = xmalloc(sizeof *st->phase_started_us * (size_t)st->nphases);
    st->phase_ended_us = xmalloc(sizeof *st->phase_ended_us * (size_t)st->nphases);
    for (int i = 0; i < st->nphases; i++)
        st->phase_started_us[i] = st->phase_ended_us[i] = -1;
}

void stats_free(struct stats *st)
{
    group_free(&st->total);
    group_free(&st->cur);
    for (int i = 0; i < st->nphases; i++)
        group_free(&st->phase[i]);
    for (int i = 0; i < st->nendpoints; i++)
        group_free(&st->endpoint[i]);
    for (int i = 0; i < st->nintervals; i++)
        for (int k = 0; k < SUM_N; k++)
            free(st->intervals[i].hist_enc[k]);
    free(st->phase);
    free(st->endpoint);
    free(st->created_by_scenario);
    free(st->intervals);
    for (int i = 0; i < st->nseconds; i++) {
        free(st->second_hists[i][0]);
        free(st->second_hists[i][1]);
    }
    free(st->second_hists);
    free(st->seconds);
    free(st->sec_rt);
    free(st->sec_lat);
    free(st->events);
    free(st->phase_planned);
    free(st->phase_started_us);
    free(st->phase_ended_us);
    for (int i = 0; i < st->nerrors; i++)
        free((char *)st->error_names[i]);
    for (int i = 0; i < st->ncounters; i++)
        free((char *)st->counter_names[i]);
    memset(st, 0, sizeof *st);
}

int stats_error_index(struct stats *st, const char *name)
{
    for (int i = 0; i < st->nerrors; i++)
        if (!strcmp(st->error_names[i], name))
            return i;
    if (st->nerrors == STATS_MAX_ERRORS)
        return STATS_MAX_ERRORS - 1;
    /* The last slot is kept for "other" so that no error goes uncounted. */
    if (st->nerrors == STATS_MAX_ERRORS - 1)
        name = "other";
    st->error_names[st->nerrors] = xstrdup(name);
    return st->nerrors++;
}

int stats_counter_index(struct stats *st, const char *name)
{
    for (int i = 0; i < st->ncounters; i++)
        if (!strcmp(st->counter_names[i], name))
            return i;
    if (st->ncounters == STATS_MAX_COUNTERS)
        return -1;
    int idx = st->ncounters++;
    const char *copy = st->counter_names[idx] = xstrdup(name);
    /* every group names the slot, so that copies of its counters print it */
    st->total.c.counter_names[idx] = st->cur.c.counter_names[idx] = copy;
    for (int i = 0; i < st->nphases; i++)
        st->phase[i].c.counter_names[idx] = copy;
    for (int i = 0; i < st->nendpoints; i++)
        st->endpoint[i].c.counter_names[idx] = copy;
    return idx;
}

uint64_t stats_counter(const struct stats *st, const char *name)
{
    for (int i = 0; i < st->ncounters; i++)
        if (!strcmp(st->counter_names[i], name))
            return st->total.c.counter[i];
    return 0;
}

/* The groups a record for (phase, ep) updates; returns how many. */
static int stats_groups(struct stats *st, int phase, int ep, struct group *g[4])
{
    int n = 0;
    g[n++] = &st->total;
    g[n++] = &st->cur;
    if (phase >= 0 && phase < st->nphases)
        g[n++] = &st->phase[phase];
    if (ep >= 0 && ep < st->nendpoints)
        g[n++] = &st->endpoint[ep];
    return n;
}

void stats_vu_created(struct stats *st, int phase, int scenario, int64_t lag_us)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, -1, g); i < n; i++) {
        g[i]->c.vu_created++;
        if (lag_us >= 0)
            hist_record(g[i]->sum[SUM_LAG], lag_us);
    }
    if (scenario >= 0 && scenario < st->nscenarios)
        st->created_by_scenario[scenario]++;
    st->open_sec.arrivals++;
}

void stats_vu_skipped(struct stats *st, int phase)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, -1, g); i < n; i++)
        g[i]->c.vu_skipped++;
    /* A skipped arrival still arrived: the timeline compares arrivals with the target. */
    st->open_sec.arrivals++;
    st->open_sec.skipped++;
}

void stats_vu_completed(struct stats *st, int phase, int64_t session_us)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, -1, g); i < n; i++) {
        g[i]->c.vu_completed++;
        hist_record(g[i]->sum[SUM_SESSION], session_us);
    }
}

void stats_vu_failed(struct stats *st, int phase, int64_t session_us)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, -1, g); i < n; i++) {
        g[i]->c.vu_failed++;
        hist_record(g[i]->sum[SUM_SESSION], session_us);
    }
    st->open_sec.failed_vus++;
}

void stats_request(struct stats *st, int phase, int ep)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, ep, g); i < n; i++)
        g[i]->c.requests++;
    st->open_sec.requests++;
}

void stats_response(struct stats *st, int phase, int ep, int code, int64_t response_us,
                    int64_t total_us, int64_t latency_us, uint64_t bytes)
{
    int slot = code >= 0 && code < STATS_MAX_CODES ? code : 0;
    int cls = code >= 100 && code < 600 ? code / 100 : 0;
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, ep, g); i < n; i++) {
        g[i]->c.responses++;
        g[i]->c.codes[slot]++;
        g[i]->c.code_class[cls]++;
        g[i]->c.downloaded_bytes += bytes;
        hist_record(g[i]->sum[SUM_RESPONSE_TIME], response_us);
        hist_record(g[i]->sum[SUM_TOTAL], total_us);
        hist_record(g[i]->sum[SUM_LATENCY], latency_us);
    }
    st->open_sec.responses++;
    st->open_sec.code_class[cls]++;
    hist_record(st->sec_rt, response_us);
    hist_record(st->sec_lat, latency_us);
}

void stats_error(struct stats *st, int phase, int ep, const char *name)
{
    int idx = stats_error_index(st, name);
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, ep, g); i < n; i++)
        g[i]->c.errors[idx]++;
    st->open_sec.errors[idx]++;
}

void stats_downloaded(struct stats *st, int phase, int ep, uint64_t bytes)
{
    struct group *g[4];
    for (int i = 0, n = stats_groups(st, phase, ep, g); i < n; i++)
        g[i]->c.downloaded_bytes += bytes;
}

void stats_count(struct stats *st, int phase, int ep, int idx, uint64_t n)
{
    if (idx < 0 || idx >= st->ncounters)
        return;
    struct group *g[4];
    for (int i = 0, k = stats_groups(st, phase, ep, g); i < k; i++)
        g[i]->c.counter[idx] += n;
}

/* A second's percentiles, from its response time and latency histograms. */
static void second_percentiles(struct second *s, const struct hist *rt, const struct hist *lat)
{
    static const double qs[3] = {50, 95, 99};
    int64_t v[3];
    hist_percentiles(rt, qs, 3, v);
    s->p50 = v[0];
    s->p95 = v[1];
    s->p99 = v[2];
    s->lat_p99 = hist_percentile(lat, 99);
}

void stats_close_second(struct stats *st, double target_rate, int phase,
                        const struct host_sample *host)
{
    struct second *s = &st->open_sec;
    s->target_rate = target_rate;
    s->phase = phase;
    if (host)
        s->host = *host;
    second_percentiles(s, st->sec_rt, st->sec_lat);
    st->second_hists = stats_grow(st->second_hists, st->nseconds, sizeof *st->second_hists);
    st->second_hists[st->nseconds][0] = hist_encode(st->sec_rt);
    st->second_hists[st->nseconds][1] = hist_encode(st->sec_lat);
    st->seconds = stats_grow(st->seconds, st->nseconds, sizeof *st->seconds);
    st->seconds[st->nseconds++] = *s;
    memset(s, 0, sizeof *s);
    hist_reset(st->sec_rt);
    hist_reset(st->sec_lat);
}

void stats_close_interval(struct stats *st, int64_t now_rel_us)
{
    st->intervals = stats_grow(st->intervals, st->nintervals, sizeof *st->intervals);
    struct interval *iv = &st->intervals[st->nintervals++];
    iv->start_us = st->cur_start_us;
    iv->end_us = now_rel_us;
    iv->c = st->cur.c;
    for (int k = 0; k < SUM_N; k++) {
        sumstat_of(&iv->s[k], st->cur.sum[k]);
        iv->hist_enc[k] = hist_encode(st->cur.sum[k]);
        hist_reset(st->cur.sum[k]);
    }
    memset(&st->cur.c, 0, sizeof st->cur.c);
    memcpy(st->cur.c.counter_names, st->counter_names, sizeof st->counter_names);
    st->cur_start_us = now_rel_us;
}

void stats_event(struct stats *st, int64_t t_us, const char *kind, const char *fmt, ...)
{
    st->events = stats_grow(st->events, st->nevents, sizeof *st->events);
    struct event *e = &st->events[st->nevents++];
    e->t_us = t_us;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    /* a long log line or phase name fills it; a cut character would cost
     * the report the event's text (jansson refuses invalid UTF-8) and show
     * broken on the dashboard */
    str_trim_utf8(e->text);
}

void sumstat_of(struct sumstat *s, const struct hist *h)
{
    memset(s, 0, sizeof *s);
    if (!h->count)
        return;
    s->count = h->count;
    s->min = h->min;
    s->max = h->max;
    s->mean = hist_mean(h);
    static const double qs[6] = {50, 75, 90, 95, 99, 99.9};
    int64_t v[6];
    hist_percentiles(h, qs, 6, v); /* one walk: this runs for every summary each tick */
    s->p50 = v[0];
    s->p75 = v[1];
    s->p90 = v[2];
    s->p95 = v[3];
    s->p99 = v[4];
    s->p999 = v[5];
}

void counters_add(struct counters *dst, const struct counters *src)
{
    dst->vu_created += src->vu_created;
    dst->vu_completed += src->vu_completed;
    dst->vu_failed += src->vu_failed;
    dst->vu_skipped += src->vu_skipped;
    dst->requests += src->requests;
    dst->responses += src->responses;
    dst->downloaded_bytes += src->downloaded_bytes;
    for (int i = 0; i < STATS_MAX_CODES; i++)
        dst->codes[i] += src->codes[i];
    for (int i = 0; i < 6; i++)
        dst->code_class[i] += src->code_class[i];
    for (int i = 0; i < STATS_MAX_ERRORS; i++)
        dst->errors[i] += src->errors[i];
    for (int i = 0; i < STATS_MAX_COUNTERS; i++) {
        dst->counter[i] += src->counter[i];
        if (!dst->counter_names[i])
            dst->counter_names[i] = src->counter_names[i];
    }
}

uint64_t counters_errors(const struct counters *c)
{
    uint64_t n = 0;
    for (int i = 0; i < STATS_MAX_ERRORS; i++)
        n += c->errors[i];
    return n;
}

/* ---- merging ---------------------------------------------------------- */

/* src's error and counter indexes in dst (-1: dst has no room for it). */
struct stats_map {
    int err[STATS_MAX_ERRORS];
    int ctr[STATS_MAX_COUNTERS];
};

static void map_names(struct stats *dst, const struct stats *src, struct stats_map *m)
{
    for (int i = 0; i < src->nerrors; i++)
        m->err[i] = stats_error_index(dst, src->error_names[i]);
    for (int i = 0; i < src->ncounters; i++)
        m->ctr[i] = stats_counter_index(dst, src->counter_names[i]);
}

static void counters_add_mapped(struct counters *dst, const struct counters *src,
                                const struct stats_map *m, const struct stats *dst_st)
{
    dst->vu_created += src->vu_created;
    dst->vu_completed += src->vu_completed;
    dst->vu_failed += src->vu_failed;
    dst->vu_skipped += src->vu_skipped;
    dst->requests += src->requests;
    dst->responses += src->responses;
    dst->downloaded_bytes += src->downloaded_bytes;
    for (int i = 0; i < STATS_MAX_CODES; i++)
        dst->codes[i] += src->codes[i];
    for (int i = 0; i < 6; i++)
        dst->code_class[i] += src->code_class[i];
    for (int i = 0; i < STATS_MAX_ERRORS; i++)
        if (src->errors[i])
            dst->errors[m->err[i]] += src->errors[i];
    for (int i = 0; i < STATS_MAX_COUNTERS; i++)
        if (src->counter[i] && m->ctr[i] >= 0) {
            dst->counter[m->ctr[i]] += src->counter[i];
            dst->counter_names[m->ctr[i]] = dst_st->counter_names[m->ctr[i]];
        }
}

static void group_merge(struct group *dst, const struct group *src, const struct stats_map *m,
                        const struct stats *dst_st)
{
    counters_add_mapped(&dst->c, &src->c, m, dst_st);
    for (int k = 0; k < SUM_N; k++)
        hist_merge(dst->sum[k], src->sum[k]);
}

/* Decode `a` and `b` (either may be NULL) and merge them into `out`
 * (`tmp` is scratch); returns the merge encoded, a new string. */
static char *enc_merge(const char *a, const char *b, struct hist *out, struct hist *tmp)
{
    hist_reset(out);
    if (a)
        hist_decode(out, a);
    if (b) {
        hist_decode(tmp, b);
        hist_merge(out, tmp);
    }
    return hist_encode(out);
}

static void merge_intervals(struct stats *dst, const struct stats *src, const struct stats_map *m,
                            struct hist *h[3])
{
    for (int j = 0; j < src->nintervals; j++) {
        const struct interval *s = &src->intervals[j];
        int i = src->first_interval + j - dst->first_interval;
        if (i < 0 || i > dst->nintervals)
            continue; /* not contiguous with what dst holds: cannot be placed */
        if (i == dst->nintervals) {
            dst->intervals = stats_grow(dst->intervals, dst->nintervals, sizeof *dst->intervals);
            struct interval *d = &dst->intervals[dst->nintervals++];
            memset(d, 0, sizeof *d);
            memcpy(d->c.counter_names, dst->counter_names, sizeof dst->counter_names);
            d->start_us = s->start_us;
            d->end_us = s->end_us;
        }
        struct interval *d = &dst->intervals[i];
        counters_add_mapped(&d->c, &s->c, m, dst);
        d->start_us = s->start_us < d->start_us ? s->start_us : d->start_us;
        d->end_us = s->end_us > d->end_us ? s->end_us : d->end_us;
        for (int k = 0; k < SUM_N; k++) {
            char *e = enc_merge(d->hist_enc[k], s->hist_enc[k], h[0], h[2]);
            free(d->hist_enc[k]);
            d->hist_enc[k] = e;
            sumstat_of(&d->s[k], h[0]);
        }
    }
}

static void second_add(struct second *d, const struct second *s, const struct stats_map *m)
{
    d->arrivals += s->arrivals;
    d->skipped += s->skipped;
    d->requests += s->requests;
    d->responses += s->responses;
    d->failed_vus += s->failed_vus;
    for (int c = 0; c < 6; c++)
        d->code_class[c] += s->code_class[c];
    for (int e = 0; e < STATS_MAX_ERRORS; e++)
        if (s->errors[e])
            d->errors[m->err[e]] += s->errors[e];
}

static void merge_seconds(struct stats *dst, const struct stats *src, const struct stats_map *m,
                          struct hist *h[3])
{
    for (int j = 0; j < src->nseconds; j++) {
        const struct second *s = &src->seconds[j];
        int i = src->first_second + j - dst->first_second;
        if (i < 0 || i > dst->nseconds)
            continue; /* not contiguous with what dst holds: cannot be placed */
        if (i == dst->nseconds) {
            /* a second only src closed: its plan and host as src saw them */
            dst->second_hists = stats_grow(dst->second_hists, i, sizeof *dst->second_hists);
            dst->second_hists[i][0] = dst->second_hists[i][1] = NULL;
            dst->seconds = stats_grow(dst->seconds, i, sizeof *dst->seconds);
            struct second *d = &dst->seconds[dst->nseconds++];
            memset(d, 0, sizeof *d);
            d->target_rate = s->target_rate;
            d->phase = s->phase;
            d->host = s->host;
        }
        struct second *d = &dst->seconds[i];
        second_add(d, s, m);
        char *e0 = enc_merge(dst->second_hists[i][0], src->second_hists[j][0], h[0], h[2]);
        char *e1 = enc_merge(dst->second_hists[i][1], src->second_hists[j][1], h[1], h[2]);
        second_percentiles(d, h[0], h[1]);
        free(dst->second_hists[i][0]);
        free(dst->second_hists[i][1]);
        dst->second_hists[i][0] = e0;
        dst->second_hists[i][1] = e1;
    }
}

/* Events of both, in time order (dst's first at equal times). */
static void merge_events(struct stats *dst, const struct stats *src)
{
    if (!src->nevents)
        return;
    int n = dst->nevents + src->nevents;
    struct event *all = xmalloc(sizeof *all * (size_t)n);
    int i = 0, j = 0, k = 0;
    while (i < dst->nevents || j < src->nevents)
        all[k++] =
            j == src->nevents || (i < dst->nevents && dst->events[i].t_us <= src->events[j].t_us)
                ? dst->events[i++]
                : src->events[j++];
    free(dst->events);
    dst->events = NULL;
    dst->nevents = 0;
    for (k = 0; k < n; k++) {
        dst->events = stats_grow(dst->events, dst->nevents, sizeof *dst->events);
        dst->events[dst->nevents++] = all[k];
    }
    free(all);
}

/* A phase's span over both: the earliest start; its end once both ended
 * (-1 while either still runs it). */
static void merge_phase_times(struct stats *dst, const struct stats *src, int i)
{
    int64_t s0 = dst->phase_started_us[i], s1 = src->phase_started_us[i];
    int64_t e0 = dst->phase_ended_us[i], e1 = src->phase_ended_us[i];
    dst->phase_started_us[i] = s0 < 0 ? s1 : s1 < 0 ? s0 : s0 < s1 ? s0 : s1;
    if (s1 < 0)
        return; /* src never ran it */
    dst->phase_ended_us[i] = s0 < 0 ? e1 : e0 < 0 || e1 < 0 ? -1 : e0 > e1 ? e0 : e1;
}

void stats_merge(struct stats *dst, const struct stats *src)
{
    struct stats_map m;
    map_names(dst, src, &m);
    group_merge(&dst->total, &src->total, &m, dst);
    group_merge(&dst->cur, &src->cur, &m, dst);
    for (int i = 0; i < dst->nphases && i < src->nphases; i++) {
        group_merge(&dst->phase[i], &src->phase[i], &m, dst);
        merge_phase_times(dst, src, i);
        if (!dst->phase_planned[i])
            dst->phase_planned[i] = src->phase_planned[i];
    }
    for (int i = 0; i < dst->nendpoints && i < src->nendpoints; i++)
        group_merge(&dst->endpoint[i], &src->endpoint[i], &m, dst);
    for (int i = 0; i < dst->nscenarios && i < src->nscenarios; i++)
        dst->created_by_scenario[i] += src->created_by_scenario[i];
    if (!dst->planned_arrivals)
        dst->planned_arrivals = src->planned_arrivals;
    if (src->cur_start_us < dst->cur_start_us)
        dst->cur_start_us = src->cur_start_us;
    struct hist *h[3] = {hist_new(), hist_new(), hist_new()};
    merge_intervals(dst, src, &m, h);
    merge_seconds(dst, src, &m, h);
    for (int k = 0; k < 3; k++)
        free(h[k]);
    second_add(&dst->open_sec, &src->open_sec, &m);
    hist_merge(dst->sec_rt, src->sec_rt);
    hist_merge(dst->sec_lat, src->sec_lat);
    merge_events(dst, src);
}

static void group_clear(struct group *g, const struct stats *st)
{
    memset(&g->c, 0, sizeof g->c);
    memcpy(g->c.counter_names, st->counter_names, sizeof st->counter_names);
    for (int k = 0; k < SUM_N; k++)
        hist_reset(g->sum[k]);
}

void stats_flush(struct stats *dst, struct stats *part, int phase_times)
{
    struct stats_map m;
    map_names(dst, part, &m);
    group_merge(&dst->total, &part->total, &m, dst);
    group_clear(&part->total, part);
    for (int i = 0; i < dst->nphases && i < part->nphases; i++) {
        group_merge(&dst->phase[i], &part->phase[i], &m, dst);
        group_clear(&part->phase[i], part);
        if (phase_times) {
            dst->phase_started_us[i] = part->phase_started_us[i];
            dst->phase_ended_us[i] = part->phase_ended_us[i];
        }
        if (!dst->phase_planned[i])
            dst->phase_planned[i] = part->phase_planned[i];
    }
    for (int i = 0; i < dst->nendpoints && i < part->nendpoints; i++) {
        group_merge(&dst->endpoint[i], &part->endpoint[i], &m, dst);
        group_clear(&part->endpoint[i], part);
    }
    for (int i = 0; i < dst->nscenarios && i < part->nscenarios; i++) {
        dst->created_by_scenario[i] += part->created_by_scenario[i];
        part->created_by_scenario[i] = 0;
    }
    if (!dst->planned_arrivals)
        dst->planned_arrivals = part->planned_arrivals;
    struct hist *h[3] = {hist_new(), hist_new(), hist_new()};
    merge_intervals(dst, part, &m, h);
    merge_seconds(dst, part, &m, h);
    for (int k = 0; k < 3; k++)
        free(h[k]);
    merge_events(dst, part);
    /* forget what was handed over */
    for (int i = 0; i < part->nintervals; i++)
        for (int k = 0; k < SUM_N; k++)
            free(part->intervals[i].hist_enc[k]);
    part->first_interval += part->nintervals;
    part->nintervals = 0;
    for (int i = 0; i < part->nseconds; i++) {
        free(part->second_hists[i][0]);
        free(part->second_hists[i][1]);
    }
    part->first_second += part->nseconds;
    part->nseconds = 0;
    part->nevents = 0;
}
