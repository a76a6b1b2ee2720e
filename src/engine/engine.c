/* engine.c — the run's thread: the schedule, dealt to the workers
 * (arrival k to worker k mod N; worker 0 runs here), ticks (seconds,
 * intervals, host samples, the workers' hand-over to the merge), what the
 * run's lifecycle asks for (lifecycle.c), its start and its end.
 * Snapshots and the report mailbox are in engine_pub.c, the command queue
 * in engine_cmd.c, the workers in worker.c, VUs in vu.c, the curl/uv seam
 * in http.c. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine_int.h"
#include "numfmt.h"
#include "util.h"
#include "version.h"

/* Arrivals started per loop iteration at most, and the time spent on them,
 * so that a late engine still serves its sockets, commands and signals
 * while it catches up (each late start is measured). */
#define ARRIVAL_BATCH 2000
#define ARRIVAL_BUDGET_US 2000

void engine_note_phase_changes(struct engine *e, int64_t now)
{
    if (e->last_phase >= e->sched.cur)
        return;
    /* Each change at the moment the schedule made it, not when it was
     * noticed (up to a tick later, which cost a 3 s phase 3 % of its
     * rate): the current phase began at sched.phase_start (now, after a
     * skip); the phases passed on the way ended their lengths before it. */
    int64_t at = engine_rel(e, e->sched.phase_start < now ? e->sched.phase_start : now);
    for (int i = e->last_phase + 1; i < e->sched.cur && i < e->plan->nphases; i++)
        at -= e->plan->phases[i].duration_us;
    while (e->last_phase < e->sched.cur) {
        int paused = e->st->paused_since >= 0; /* skipped while paused */
        if (e->last_phase >= 0) {
            int64_t started = e->st->phase_started_us[e->last_phase];
            if (at < started)
                at = started;
            e->st->phase_ended_us[e->last_phase] = at;
        }
        stats_resume(e->st, at);
        e->last_phase++;
        if (paused) /* the pause goes on, in the next phase (-1: none left) */
            stats_pause(e->st, at, e->last_phase < e->plan->nphases ? e->last_phase : -1);
        if (e->last_phase >= e->plan->nphases)
            break;
        const struct phase *p = &e->plan->phases[e->last_phase];
        e->st->phase_started_us[e->last_phase] = at;
        if (e->last_phase + 1 < e->sched.cur)
            at += p->duration_us; /* passed on the way: it lasted its length */
        now = e->t0 + e->st->phase_started_us[e->last_phase]; /* its event's time */
        char r1[32], r2[32];
        numfmt_rate_per_s(r1, sizeof r1, p->rate);
        numfmt_rate_per_s(r2, sizeof r2, p->rate_to);
        switch (p->kind) {
        case PHASE_PAUSE:
            stats_event(e->st, engine_rel(e, now), "phase", "phase %d/%d '%s': pause %.3gs",
                        e->last_phase + 1, e->plan->nphases, p->name, p->duration_us / 1e6);
            break;
        case PHASE_COUNT:
            stats_event(e->st, engine_rel(e, now), "phase",
                        "phase %d/%d '%s': %lld arrivals in %.3gs", e->last_phase + 1,
                        e->plan->nphases, p->name, (long long)p->count, p->duration_us / 1e6);
            break;
        case PHASE_RAMP:
            stats_event(e->st, engine_rel(e, now), "phase", "phase %d/%d '%s': %s -> %s over %.3gs",
                        e->last_phase + 1, e->plan->nphases, p->name, r1, r2, p->duration_us / 1e6);
            break;
        case PHASE_CONST:
            stats_event(e->st, engine_rel(e, now), "phase", "phase %d/%d '%s': %s for %.3gs",
                        e->last_phase + 1, e->plan->nphases, p->name, r1, p->duration_us / 1e6);
            break;
        }
    }
}

/* Arrivals stop; active VUs get until now + drain_us (a shorter bound
 * given later wins). */
static void begin_drain(struct engine *e, int64_t now, int64_t drain_us, const char *why)
{
    if (e->drain_deadline) {
        if (now + drain_us < e->drain_deadline)
            e->drain_deadline = now + drain_us;
        return;
    }
    e->drain_deadline = now + drain_us;
    arrival_sleep_stop(e);
    uv_idle_stop(&e->arrival_more);
    stats_event(e->st, engine_rel(e, now), "stop", "%s; draining %llu active VUs", why,
                (unsigned long long)atomic_load(&e->sh.active));
    engine_tell_state(e);
}

int engine_no_vus(struct engine *e)
{
    /* the rings first: a helper advances its ring after starting the VU */
    for (int i = 1; i < e->nworkers; i++)
        if (!worker_ring_empty(e->w[i]))
            return 0;
    return atomic_load(&e->sh.active) == 0;
}

void engine_tell_state(struct engine *e)
{
    struct wmsg m = {.kind = W_STATE,
                     .paused = e->lc.state == RUN_PAUSED,
                     .stopping = lifecycle_stopping(&e->lc),
                     .interrupted = e->lc.interrupted};
    for (int i = 1; i < e->nworkers; i++)
        worker_send(e->w[i], &m);
    worker_do(e->w0, &m);
}

/* Tell every helper worker `m` (worker 0 is told on its own). */
static void tell_helpers(struct engine *e, const struct wmsg *m)
{
    for (int i = 1; i < e->nworkers; i++)
        worker_send(e->w[i], m);
}

/* Say, once a second while it lasts, that arrivals are being skipped and
 * why (every worker's skips: one line for the run). */
static void note_skips(struct engine *e, int64_t t)
{
    static const char *const what[SKIP_N] = {"maxVusers", "VU limit", "pool full", "late"};
    uint64_t sum = 0;
    char parts[96] = "";
    size_t len = 0;
    for (int i = 0; i < SKIP_N; i++) {
        uint64_t n = atomic_exchange(&e->sh.skip_sec[i], 0);
        sum += n;
        if (n && len < sizeof parts) {
            int k = snprintf(parts + len, sizeof parts - len, "%s%s %llu", len ? ", " : "", what[i],
                             (unsigned long long)n);
            len += k > 0 ? (size_t)k : 0;
        }
    }
    if (sum)
        stats_event(e->st, t, "warning", "skipped %llu arrivals in the last second (%s)",
                    (unsigned long long)sum, parts);
}

static void on_arrival_timer(uv_timer_t *t);
static void on_arrival_more(uv_idle_t *i);
static void on_arrival_fd(uv_poll_t *p, int status, int events);

/* Wake for the arrival due at `at` (µs, now_us's clock), not before, and
 * not within ARRIVAL_GRAIN_US of `since` (the last wake-up): arrivals
 * closer than that are started together, so that 40 000/s costs 2 000
 * wake-ups a second, not 40 000. */
#define ARRIVAL_GRAIN_US 500
static void arrival_sleep(struct engine *e, int64_t at, int64_t since)
{
    if (e->arrival_fd < 0) { /* libuv timers have 1 ms resolution: round up */
        int64_t left = at - now_us();
        uv_timer_start(&e->arrival_timer, on_arrival_timer,
                       left > 0 ? (uint64_t)((left + 999) / 1000) : 0, 0);
        return;
    }
    if (at < since + ARRIVAL_GRAIN_US)
        at = since + ARRIVAL_GRAIN_US;
    struct itimerspec its = {.it_value = {(time_t)(at / 1000000), (long)(at % 1000000) * 1000}};
    timerfd_settime(e->arrival_fd, TFD_TIMER_ABSTIME, &its, NULL);
    if (!uv_is_active((uv_handle_t *)&e->arrival_poll))
        uv_poll_start(&e->arrival_poll, UV_READABLE, on_arrival_fd);
}

void arrival_sleep_stop(struct engine *e)
{
    uv_timer_stop(&e->arrival_timer);
    if (e->arrival_fd >= 0 && uv_is_active((uv_handle_t *)&e->arrival_poll)) {
        struct itimerspec off = {{0, 0}, {0, 0}};
        timerfd_settime(e->arrival_fd, 0, &off, NULL);
        uv_poll_stop(&e->arrival_poll);
    }
}

/* Start every arrival that is due, then sleep until the next one. An
 * arrival more than ENGINE_LATE_US behind its intended time is skipped:
 * the engine cannot keep up, and sending it late would only measure the
 * backlog. Works at most ARRIVAL_BUDGET_US at a time. */
void engine_run_arrivals(struct engine *e)
{
    if (!engine_steerable(e) || e->plan->model == MODEL_CLOSED)
        return;
    int64_t now = now_us(), until = now + ARRIVAL_BUDGET_US;
    int n = 0, more = 0;
    int64_t next;
    uint64_t dealt = 0; /* helpers that got arrivals (by id mod 64): woken once */
    sched_advance(&e->sched, now);
    while ((next = sched_peek(&e->sched)) != SCHED_NONE && next <= now) {
        if (n >= ARRIVAL_BATCH || ((n & 15) == 15 && now_us() > until)) {
            more = 1;
            break;
        }
        int ph = sched_take(&e->sched);
        uint64_t k = e->arrivals++;
        engine_note_phase_changes(e, now);
        if (sched_deal(k, e->o.nshards) != e->o.shard)
            continue; /* another shard's: the union of the shards is the schedule */
        /* dealt: this process's arrivals in turn to its workers; k, the
         * plan's number, draws the VU's random stream (the same scenario
         * whatever the shards and workers) */
        struct arrival a = {k, next, ph};
        int to = sched_deal(e->mine++, e->nworkers);
        if (to == 0)
            worker_arrival(e->w0, &a, now); /* which skips it when too late */
        else if (now - next > ENGINE_LATE_US || worker_push(e->w[to], &a) < 0)
            worker_skip(e->w0, ph, SKIP_LATE); /* too late, or its ring is full */
        else
            dealt |= 1ull << (to & 63);
        n++;
    }
    engine_note_phase_changes(e, now);
    for (int i = 1; i < e->nworkers; i++)
        if (dealt >> (i & 63) & 1)
            worker_wake(e->w[i]);
    http_flush(e->w0->http);
    if (!engine_steerable(e))
        return;
    next = sched_peek(&e->sched);
    if (next == SCHED_NONE) {
        arrival_sleep_stop(e);
    } else if (more || next <= now_us()) {
        arrival_sleep_stop(e);
        uv_idle_start(&e->arrival_more, on_arrival_more);
    } else {
        arrival_sleep(e, next, now); /* never early */
    }
}

static void on_arrival_fd(uv_poll_t *p, int status, int events)
{
    struct engine *e = p->data;
    uint64_t expirations;
    if (read(e->arrival_fd, &expirations, sizeof expirations) < 0 && errno == EAGAIN)
        return; /* not due yet (re-armed since) */
    engine_run_arrivals(e);
}

static void on_arrival_timer(uv_timer_t *t)
{
    engine_run_arrivals(t->data);
}

static void on_arrival_more(uv_idle_t *i)
{
    uv_idle_stop(i);
    engine_run_arrivals(i->data);
}

void engine_publish(struct engine *e);

static void on_arrival_poll_closed(uv_handle_t *h)
{
    struct engine *e = h->data;
    close(e->arrival_fd); /* after its poll handle is gone, as libuv asks */
    e->arrival_fd = -1;
}

static void close_handles(struct engine *e)
{
    vu_free_pool(e->w0);
    http_free(e->w0->http);
    e->w0->http = NULL;
    uv_close((uv_handle_t *)&e->arrival_timer, NULL);
    uv_close((uv_handle_t *)&e->arrival_more, NULL);
    if (e->arrival_fd >= 0)
        uv_close((uv_handle_t *)&e->arrival_poll, on_arrival_poll_closed);
    uv_close((uv_handle_t *)&e->tick_timer, NULL);
    uv_close((uv_handle_t *)&e->async, NULL);
}

static void sample_second_plan(struct engine *e, int64_t now)
{
    e->sec_target = lifecycle_stopping(&e->lc) ? 0 : sched_target_rate(&e->sched, now);
    e->sec_phase = e->sched.cur < e->plan->nphases ? e->sched.cur : e->plan->nphases - 1;
}

/* The last VU is done (or the drain bound passed): `after` runs, then the end. */
static void run_after(struct engine *e)
{
    struct wmsg m = {.kind = W_ABORT};
    tell_helpers(e, &m);
    vu_abort_all(e->w0);
    stats_event(e->st, engine_rel(e, now_us()), "hook", "after: running");
    vu_start_hook(e->w0, HOOK_AFTER);
}

/* The busiest worker thread's CPU into the host sample: what saturation.h
 * judges (one thread is one core, however many the process uses). */
static void sample_workers(struct engine *e)
{
    e->host.worker_cpu_pct = 0;
    e->host.busiest_worker = 0;
    for (int i = 0; i < e->nworkers; i++) {
        struct worker *w = e->w[i];
        if (i)
            uv_mutex_lock(&w->lock);
        double cpu = w->status.cpu_pct;
        if (i)
            uv_mutex_unlock(&w->lock);
        if (cpu > e->host.worker_cpu_pct) {
            e->host.worker_cpu_pct = cpu;
            e->host.busiest_worker = i;
        }
    }
}

/* Worker 0's seconds and intervals up to `now`, with the plan's values as
 * this thread saw them, and the other workers' closed at the same points
 * (W_TICK): every part's second i is the same second of the run. */
static void close_periods(struct engine *e, int64_t now)
{
    int64_t rel = engine_rel(e, now);
    worker_note_roll(e->w0, rel);
    while (rel >= e->next_sec_us) {
        note_skips(e, rel);
        hostmon_sample(&e->hm, &e->host);
        sample_workers(e);
        /* the plan as it stood when this second began */
        stats_close_second(e->st, e->sec_target, e->sec_phase, &e->host);
        sample_second_plan(e, now);
        e->next_sec_us += 1000000;
    }
    while (rel >= e->next_interval_us) {
        stats_close_interval(e->st, e->next_interval_us);
        e->next_interval_us += e->o.interval_us;
    }
    struct wmsg m = {.kind = W_TICK, .t = rel};
    tell_helpers(e, &m);
}

/* The end: the last partial second and interval, a final publication, and
 * every handle closed (the loop then ends). */
static void close_run(struct engine *e)
{
    int64_t now = now_us();
    e->end_us = now;
    vu_abort_all(e->w0);
    engine_note_phase_changes(e, now);
    if (e->last_phase >= 0 && e->last_phase < e->plan->nphases)
        e->st->phase_ended_us[e->last_phase] = engine_rel(e, now);
    stats_resume(e->st, engine_rel(e, now)); /* a pause ends with the run */
    /* every worker closes the same seconds, then the partial last one */
    close_periods(e, now);
    struct wmsg fin = {.kind = W_FINISH, .t = now};
    tell_helpers(e, &fin);
    hostmon_sample(&e->hm, &e->host);
    sample_workers(e);
    stats_close_second(e->st, e->sec_target, e->sec_phase, &e->host);
    stats_close_interval(e->st, engine_rel(e, now));
    stats_event(e->st, engine_rel(e, now), "end", "run ended after %.1fs",
                engine_rel(e, now) / 1e6);
    worker_flush(e->w0, 1);
    /* the helpers hand over their last part and end */
    for (int i = 1; i < e->nworkers; i++)
        worker_free(e->w[i]), e->w[i] = NULL;
    e->nworkers = 1;
    engine_publish(e);
    close_handles(e);
}

static void start_phases(struct engine *e);
void engine_pause_run(struct engine *e, int64_t now, int pause);

/* Do what the lifecycle answered (lifecycle.h). `drain_us` bounds a drain
 * it begins, `why` says why in the event log. Never inside libcurl's
 * callbacks when `what` may finish the run or run `after`. */
void engine_act(struct engine *e, unsigned what, int64_t now, int64_t drain_us, const char *why)
{
    if (what & LC_DO_START_PHASES)
        start_phases(e);
    if (what & (LC_DO_PAUSE | LC_DO_RESUME))
        engine_pause_run(e, now, (what & LC_DO_PAUSE) != 0);
    if (what & LC_DO_DRAIN)
        begin_drain(e, now, drain_us, why);
    if (what & LC_DO_DRAIN_NOW)
        e->drain_deadline = now;
    if (what & LC_DO_CUT_HOOK)
        vu_abort_hook(e->w0); /* reports the hook's end: a nested act */
    if (what & LC_DO_RUN_AFTER)
        run_after(e);
    if (what & LC_DO_FINISH)
        close_run(e);
}

void engine_drained(struct engine *e)
{
    engine_act(e, lifecycle_on(&e->lc, LC_DRAINED), now_us(), 0, NULL);
}

static void on_after_done_timer(uv_timer_t *t)
{
    struct engine *e = t->data;
    engine_act(e, lifecycle_on(&e->lc, LC_AFTER_DONE), now_us(), 0, NULL);
}

void engine_hook_done(struct engine *e, int which, const char *why)
{
    int64_t t = engine_rel(e, now_us());
    const char *name = which == HOOK_BEFORE ? "before" : "after";
    if (why) {
        stats_event(e->st, t, "error", "%s failed: %s", name, why);
        stats_count(e->st, -1, -1,
                    stats_counter_index(e->st, which == HOOK_BEFORE ? "loadtop.before.failed"
                                                                    : "loadtop.after.failed"),
                    1);
    } else {
        stats_event(e->st, t, "hook", "%s: done", name);
    }
    if (which == HOOK_AFTER) {
        /* deferred: this runs inside a transfer's done callback */
        uv_timer_start(&e->arrival_timer, on_after_done_timer, 0, 0);
        return;
    }
    engine_act(e, lifecycle_on(&e->lc, why ? LC_BEFORE_FAILED : LC_BEFORE_OK), now_us(),
               e->o.drain_us, why ? "before failed: the phases do not run" : "stop requested");
}

void engine_worker_idle(struct engine *e)
{
    /* the run's thread looks at once (engine_on_async); this may run inside
     * a transfer's done callback, or on another worker's thread */
    uv_mutex_lock(&e->slock);
    if (!e->done)
        uv_async_send(&e->async);
    uv_mutex_unlock(&e->slock);
}

static void on_tick(uv_timer_t *t)
{
    struct engine *e = t->data;
    int64_t now = now_us();
    engine_run_arrivals(e);
    close_periods(e, now);
    if (engine_steerable(e)) {
        if (e->plan->model == MODEL_CLOSED) {
            /* the phase clock, so that a pause extends the run */
            int64_t dur = plan_duration_us(e->plan);
            if ((!e->sh.max_requests && sched_phase_elapsed(&e->sched, now) >= dur) ||
                (e->sh.max_requests && atomic_load(&e->sh.closed_started) >= e->sh.max_requests))
                engine_act(e, lifecycle_on(&e->lc, LC_PLAN_DONE), now, e->o.drain_us,
                           "duration reached");
        } else if (sched_done(&e->sched)) {
            engine_act(e, lifecycle_on(&e->lc, LC_PLAN_DONE), now, e->o.drain_us,
                       "all phases done");
        }
    }
    if (e->lc.state == RUN_DRAINING && (engine_no_vus(e) || now >= e->drain_deadline))
        engine_drained(e);
    if (e->lc.state == RUN_DONE || e->lc.state == RUN_AFTER)
        return;
    engine_publish(e);
}

/* The schedule's clock starts here: after `before`, if there is one. */
static void start_phases(struct engine *e)
{
    e->t0 = now_us();
    sched_init(&e->sched, e->plan->phases, e->plan->nphases, e->t0);
    e->last_phase = -1;
    char target[256];
    url_redact(target, sizeof target, e->plan->target ? e->plan->target : "");
    stats_event(e->st, 0, "start", "run started: %s", target);
    engine_note_phase_changes(e, e->t0);
    sample_second_plan(e, e->t0);
    uv_timer_start(&e->tick_timer, on_tick, (uint64_t)(e->o.tick_us / 1000),
                   (uint64_t)(e->o.tick_us / 1000));
    struct wmsg start = {.kind = W_START, .t = e->t0};
    for (int i = 1; i < e->nworkers; i++) /* `before`'s captures, seen by every VU */
        if (e->w0->shared && !e->w[i]->shared)
            e->w[i]->shared = json_incref(e->w0->shared);
    for (int i = 0; i < e->nworkers; i++) {
        if (i)
            worker_send(e->w[i], &start);
        else
            worker_do(e->w0, &start);
    }
    if (e->plan->model == MODEL_CLOSED && engine_steerable(e)) {
        /* the connections split between the workers */
        int c = e->connections, n = e->nworkers;
        for (int i = n - 1; i >= 0; i--) {
            struct wmsg m = {.kind = W_CLOSED, .n = c / n + (i < c % n)};
            if (i)
                worker_send(e->w[i], &m);
            else
                worker_do(e->w0, &m);
        }
    } else {
        engine_run_arrivals(e);
    }
    engine_publish(e);
}

void engine_main(void *arg)
{
    struct engine *e = arg;
    e->t0 = now_us();
    e->w0->t0 = e->t0; /* `before`'s events, until the phases start */
    e->start_wall = wall_us();
    sched_init(&e->sched, e->plan->phases, e->plan->nphases, e->t0);
    /* the loop's clock dates from uv_loop_init: transfers started before
     * uv_run take their deadlines from it (http.c) */
    uv_update_time(&e->loop);
    if (e->lc.state == RUN_BEFORE) {
        /* `before` is not part of the run's metrics: its time is not either */
        stats_event(e->st, 0, "hook", "before: running");
        vu_start_hook(e->w0, HOOK_BEFORE);
    } else {
        start_phases(e);
    }
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_mutex_lock(&e->slock);
    e->done = 1;
    uv_mutex_unlock(&e->slock);
}
