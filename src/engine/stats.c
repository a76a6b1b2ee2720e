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

#include "stats_int.h"
#include "util.h"

const char *const stats_summary_name[SUM_N] = {
    "http.response_time",    "http.total",           "http.latency",
    "vusers.session_length", "loadtop.schedule_lag",
};

#define GROW_MIN 16

/* Make room for element `n` of an array of `n` elements of `size` bytes. */
void *stats_grow(void *p, int n, size_t size)
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
    st->phase_paused_us = xcalloc((size_t)st->nphases, sizeof *st->phase_paused_us);
    st->paused_since = -1;
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
    free(st->phase_paused_us);
    free(st->pauses);
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
void second_percentiles(struct second *s, const struct hist *rt, const struct hist *lat)
{
    static const double qs[3] = {50, 95, 99};
    int64_t v[3];
    hist_percentiles(rt, qs, 3, v);
    s->p50 = v[0];
    s->p95 = v[1];
    s->p99 = v[2];
    s->lat_p99 = hist_percentile(lat, 99);
}

/* The open second's share of the pause in force, up to `to` (since run
 * start). The open second is the run's second first_second + nseconds. */
static void pause_into_open_second(struct stats *st, int64_t to)
{
    if (st->paused_since < 0)
        return;
    int64_t s0 = (int64_t)(st->first_second + st->nseconds) * 1000000, s1 = s0 + 1000000;
    int64_t a = st->paused_since > s0 ? st->paused_since : s0, b = to < s1 ? to : s1;
    if (b > a)
        st->open_sec.paused_us += (uint32_t)(b - a);
}

void stats_pause(struct stats *st, int64_t t_us, int phase)
{
    if (st->paused_since >= 0)
        return;
    st->paused_since = t_us;
    st->paused_phase = phase;
    if (st->npauses < STATS_MAX_PAUSES) {
        st->pauses = stats_grow(st->pauses, st->npauses, sizeof *st->pauses);
        st->pauses[st->npauses++] = (struct pause_span){t_us, -1, phase};
    } else {
        st->pauses_unlisted++;
    }
}

void stats_resume(struct stats *st, int64_t t_us)
{
    if (st->paused_since < 0)
        return;
    pause_into_open_second(st, t_us);
    int64_t d = t_us > st->paused_since ? t_us - st->paused_since : 0;
    st->paused_total_us += d;
    if (st->paused_phase >= 0 && st->paused_phase < st->nphases)
        st->phase_paused_us[st->paused_phase] += d;
    if (st->npauses && st->pauses[st->npauses - 1].end_us < 0)
        st->pauses[st->npauses - 1].end_us = t_us;
    st->paused_since = -1;
}

int64_t stats_paused_us(const struct stats *st, int phase, int64_t now_us)
{
    int64_t d = phase < 0             ? st->paused_total_us
                : phase < st->nphases ? st->phase_paused_us[phase]
                                      : 0;
    if (st->paused_since >= 0 && now_us > st->paused_since &&
        (phase < 0 || phase == st->paused_phase))
        d += now_us - st->paused_since;
    return d;
}

void stats_close_second(struct stats *st, double target_rate, int phase,
                        const struct host_sample *host)
{
    struct second *s = &st->open_sec;
    pause_into_open_second(st, INT64_MAX);
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
