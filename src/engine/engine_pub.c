/* engine_pub.c — what the engine thread shows the others: the snapshot
 * published every tick (three buffers, swapped under a mutex, so that the
 * dashboard can hold one without a copy), and the report mailbox (one
 * report of the run so far at a time, asked for by CMD_REPORT). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "live.h"
#include "report.h"
#include "saturation.h"
#include "source.h"
#include "util.h"

/* The workers' hand-over: what every part has flushed (so that the views
 * show only whole seconds and intervals), their transfers, CPU and lag. */
static void workers_status(struct engine *e, struct snapshot *s, int *seconds, int *intervals)
{
    *seconds = *intervals = INT32_MAX;
    s->inflight = s->waiting = 0;
    s->nworkers = e->workers_used;
    for (int i = e->nworkers; i < e->workers_used && i < SNAP_WORKERS; i++)
        s->worker[i] = (struct snap_worker){0}; /* ended with the run */
    for (int i = 0; i < e->nworkers; i++) {
        struct worker *w = e->w[i];
        struct worker_status ws;
        if (i)
            uv_mutex_lock(&w->lock);
        ws = w->status;
        if (i)
            uv_mutex_unlock(&w->lock);
        if (!i && w->http) { /* this thread's own: as of now */
            ws.inflight = (uint64_t)http_inflight(w->http);
            ws.waiting = (uint64_t)http_waiting(w->http);
        }
        *seconds = ws.flushed_seconds < *seconds ? ws.flushed_seconds : *seconds;
        *intervals = ws.flushed_intervals < *intervals ? ws.flushed_intervals : *intervals;
        s->inflight += ws.inflight;
        s->waiting += ws.waiting;
        if (i < SNAP_WORKERS)
            s->worker[i] = (struct snap_worker){ws.cpu_pct, ws.lag_p99_us, ws.inflight};
    }
}

void engine_fill_snapshot(struct engine *e, struct snapshot *s, int64_t now)
{
    int complete_sec, complete_iv;
    workers_status(e, s, &complete_sec, &complete_iv);
    uv_mutex_lock(&e->mlock);
    const struct stats *st = &e->merged;
    if (complete_sec > st->nseconds)
        complete_sec = st->nseconds;
    if (complete_iv > st->nintervals)
        complete_iv = st->nintervals;
    s->seq++;
    s->state = e->lc.state;
    s->elapsed_us = engine_rel(e, now);
    s->planned_us = plan_duration_us(e->plan);
    s->nphases = e->plan->nphases;
    s->phase = e->sched.cur < e->plan->nphases ? e->sched.cur : e->plan->nphases - 1;
    s->phase_elapsed_us = sched_phase_elapsed(&e->sched, now);
    s->phase_duration_us = e->plan->phases[s->phase].duration_us;
    s->target_rate = lifecycle_stopping(&e->lc) ? 0 : sched_target_rate(&e->sched, now);
    s->mult = e->sched.mult;
    s->fixed_rate = e->sched.fixed;
    s->active_vus = atomic_load(&e->sh.active);
    s->total = st->total.c;
    /* Whole-run summaries walk histograms and move slowly: they are redone
     * once a second (and whenever the run is not simply running), and
     * otherwise carried over from the last publication. At 10 publications
     * a second this saves the engine nine walks in ten, and spares the
     * dashboard redrawing the run's percentiles every frame. */
    int resum = complete_sec != e->sum_seconds || e->lc.state != RUN_RUNNING;
    if (resum) {
        for (int i = 0; i < SUM_N; i++)
            sumstat_of(&s->total_s[i], st->total.sum[i]);
        e->sum_seconds = complete_sec;
    } else if (s != e->pub) {
        memcpy(s->total_s, e->pub->total_s, sizeof s->total_s);
    }
    s->nintervals = complete_iv;
    if (complete_iv) {
        const struct interval *iv = &st->intervals[complete_iv - 1];
        s->last_start_us = iv->start_us;
        s->last_end_us = iv->end_us;
        s->last_c = iv->c;
        memcpy(s->last_s, iv->s, sizeof s->last_s);
    }
    s->nendpoints = st->nendpoints < SNAP_ENDPOINTS ? st->nendpoints : SNAP_ENDPOINTS;
    for (int i = 0; i < s->nendpoints; i++) {
        const struct group *g = &st->endpoint[i];
        struct snap_endpoint *ep = &s->ep[i];
        ep->c.requests = g->c.requests;
        ep->c.responses = g->c.responses;
        ep->c.errors = counters_errors(&g->c);
        uint64_t ok = 0;
        for (int c = 200; c < 300; c++)
            ok += g->c.codes[c];
        ep->c.non2xx = g->c.responses - ok;
        if (resum) {
            sumstat_of(&ep->s[0], g->sum[SUM_RESPONSE_TIME]);
            sumstat_of(&ep->s[1], g->sum[SUM_LATENCY]);
        } else if (s != e->pub) {
            memcpy(ep->s, e->pub->ep[i].s, sizeof ep->s);
        }
    }
    for (int i = 0; i < e->plan->nphases && i < SNAP_PHASES; i++) {
        s->ph[i].planned = st->phase_planned[i];
        s->ph[i].arrivals = (int64_t)(st->phase[i].c.vu_created + st->phase[i].c.vu_skipped);
        s->ph[i].started_us = st->phase_started_us[i];
        s->ph[i].ended_us = st->phase_ended_us[i];
    }
    /* Closed seconds never change: a buffer that already holds this window
     * (it was last filled within the same second) keeps it. */
    int nsec = complete_sec < SNAP_SECONDS ? complete_sec : SNAP_SECONDS;
    int64_t first = complete_sec - nsec;
    if (nsec && (s->nsec != nsec || s->first_sec != first))
        memcpy(s->sec, st->seconds + first, sizeof *s->sec * (size_t)nsec);
    s->nsec = nsec;
    s->first_sec = first;
    s->host = e->host;
    s->nerrors = st->nerrors;
    memcpy(s->error_names, st->error_names, sizeof s->error_names);
    s->total_events = st->nevents;
    s->nevents = st->nevents < SNAP_EVENTS ? st->nevents : SNAP_EVENTS;
    if (s->nevents)
        memcpy(s->ev, st->events + st->nevents - s->nevents, sizeof *s->ev * (size_t)s->nevents);
    uv_mutex_unlock(&e->mlock);
}

void engine_publish(struct engine *e)
{
    worker_flush(e->w0, 1); /* this thread's part: as of now */
    engine_fill_snapshot(e, e->build, now_us());
    uv_mutex_lock(&e->slock);
    struct snapshot *old = e->pub;
    e->pub = e->build;
    /* The next one is built in the old publication, unless the reader of
     * engine_snapshot_hold() still has it: then in the spare, and the old
     * one waits as the spare. Three buffers, so one is always free. */
    if (old == e->held) {
        e->build = e->spare;
        e->spare = old;
    } else {
        e->build = old;
    }
    /* keep seq monotone in the buffer filled next time */
    e->build->seq = e->pub->seq;
    uv_mutex_unlock(&e->slock);
}

/* The report of the merge as of `elapsed_us`, in run state `state`
 * ("running", "done", "interrupted"), built under the merge's lock. */
static json_t *build_report(struct engine *e, int64_t elapsed_us, const char *state, int brief,
                            struct check_result **res, int *nres)
{
    struct report_meta m = {
        .start_wall_us = e->start_wall,
        .now_wall_us = wall_us(),
        .elapsed_us = elapsed_us,
        .state = state,
        .version = e->o.version,
        .argv_line = e->o.argv_line,
        .workers = e->workers_used,
        .shard = e->o.shard,
        .nshards = e->o.nshards,
        .brief = brief,
    };
    uv_mutex_lock(&e->mlock);
    json_t *json = report_build(e->plan, &e->merged, &m, res, nres);
    uv_mutex_unlock(&e->mlock);
    return json;
}

void engine_build_report(struct engine *e, const char *tag)
{
    const char *state =
        e->lc.state == RUN_DONE ? (e->lc.interrupted ? "interrupted" : "done") : "running";
    json_t *json = build_report(e, engine_rel(e, now_us()), state, 0, NULL, NULL);
    uv_mutex_lock(&e->slock);
    json_decref(e->report);
    e->report = json;
    snprintf(e->report_tag, sizeof e->report_tag, "%s", tag);
    uv_mutex_unlock(&e->slock);
}

json_t *engine_report_now(struct engine *e, int brief)
{
    /* the run's state and clock as last published (this is not its thread) */
    uv_mutex_lock(&e->slock);
    enum run_state state = e->pub->state;
    int64_t elapsed = e->pub->elapsed_us;
    json_t *live = live_json(e->pub);
    uv_mutex_unlock(&e->slock);
    json_t *r = build_report(e, elapsed, state == RUN_DONE ? "done" : "running", brief, NULL, NULL);
    json_object_set_new(r, "live", live);
    return r;
}

void engine_response_buckets(struct engine *e, const int64_t *le_us, int n, uint64_t *counts,
                             uint64_t *count, double *sum_us)
{
    uv_mutex_lock(&e->mlock);
    const struct hist *h = e->merged.total.sum[SUM_RESPONSE_TIME];
    for (int i = 0; i < n; i++)
        counts[i] = hist_count_below(h, le_us[i] + 1);
    *count = h->count;
    *sum_us = hist_mean(h) * (double)*count;
    uv_mutex_unlock(&e->mlock);
}

void engine_snapshot(struct engine *e, struct snapshot *out)
{
    uv_mutex_lock(&e->slock);
    const struct snapshot *in = e->pub;
    /* The same publication is the same bytes; and closed seconds never
     * change, so the timeline (most of the struct) is copied only when a
     * second has closed: the dashboard calls this every frame. */
    if (out->seq != in->seq || out->seq == 0) {
        int same_seconds =
            out->seq != 0 && out->first_sec == in->first_sec && out->nsec == in->nsec;
        size_t head = offsetof(struct snapshot, sec), tail = offsetof(struct snapshot, host);
        memcpy(out, in, head);
        if (!same_seconds)
            memcpy(out->sec, in->sec, sizeof *in->sec * (size_t)in->nsec);
        memcpy((char *)out + tail, (const char *)in + tail, sizeof *out - tail);
    }
    uv_mutex_unlock(&e->slock);
}

const struct snapshot *engine_snapshot_hold(struct engine *e)
{
    uv_mutex_lock(&e->slock);
    const struct snapshot *s = e->held = e->pub;
    uv_mutex_unlock(&e->slock);
    return s;
}

int snapshot_worker_behind(const struct snapshot *s, unsigned why)
{
    if (s->nworkers <= 1)
        return -1;
    if (why & SATURATION_CPU)
        return s->host.busiest_worker;
    int k = 0, n = s->nworkers < SNAP_WORKERS ? s->nworkers : SNAP_WORKERS;
    for (int i = 1; i < n; i++)
        if (s->worker[i].lag_p99_us > s->worker[k].lag_p99_us)
            k = i;
    return k;
}

json_t *engine_take_report(struct engine *e, char tag[256])
{
    uv_mutex_lock(&e->slock);
    json_t *r = e->report;
    e->report = NULL;
    if (r)
        memcpy(tag, e->report_tag, sizeof e->report_tag);
    uv_mutex_unlock(&e->slock);
    return r;
}

json_t *engine_report(struct engine *e, struct check_result **res, int *nres)
{
    return build_report(e, engine_rel(e, e->end_us ? e->end_us : now_us()),
                        e->lc.interrupted ? "interrupted" : "done", 0, res, nres);
}

static const struct snapshot *src_hold(void *e)
{
    return engine_snapshot_hold(e);
}

static void src_send(void *e, const struct engine_cmd *c)
{
    engine_send(e, c);
}

static int src_done(void *e)
{
    return engine_done(e);
}

static json_t *src_take(void *e, char tag[256])
{
    return engine_take_report(e, tag);
}

static json_t *src_final(void *e)
{
    return engine_report(e, NULL, NULL);
}

struct source engine_source(struct engine *e)
{
    return (struct source){.ctx = e,
                           .hold = src_hold,
                           .send = src_send,
                           .done = src_done,
                           .take_report = src_take,
                           .final_report = src_final};
}
