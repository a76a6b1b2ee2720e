/* engine.c — the engine thread's loop: arrivals by schedule, ticks
 * (seconds, intervals, host samples), what the run's lifecycle asks for
 * (lifecycle.c), its start and its end. Snapshots and the report mailbox
 * are in engine_pub.c, the command queue in engine_cmd.c, VUs in vu.c, the
 * curl/uv seam in http.c. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "engine_int.h"
#include "numfmt.h"
#include "util.h"
#include "version.h"

/* Arrivals started per loop iteration at most, and the time spent on them,
 * so that a late engine still serves its sockets, commands and signals
 * while it catches up (each late start is measured). */
#define ARRIVAL_BATCH 2000
#define ARRIVAL_BUDGET_US 2000

uint64_t engine_stream(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z ? z : 0x9E3779B97F4A7C15ULL;
}

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
        int paused = e->st.paused_since >= 0; /* skipped while paused */
        if (e->last_phase >= 0) {
            int64_t started = e->st.phase_started_us[e->last_phase];
            if (at < started)
                at = started;
            e->st.phase_ended_us[e->last_phase] = at;
        }
        stats_resume(&e->st, at);
        e->last_phase++;
        if (paused) /* the pause goes on, in the next phase (-1: none left) */
            stats_pause(&e->st, at, e->last_phase < e->plan->nphases ? e->last_phase : -1);
        if (e->last_phase >= e->plan->nphases)
            break;
        const struct phase *p = &e->plan->phases[e->last_phase];
        e->st.phase_started_us[e->last_phase] = at;
        if (e->last_phase + 1 < e->sched.cur)
            at += p->duration_us; /* passed on the way: it lasted its length */
        now = e->t0 + e->st.phase_started_us[e->last_phase]; /* its event's time */
        char r1[32], r2[32];
        numfmt_rate_per_s(r1, sizeof r1, p->rate);
        numfmt_rate_per_s(r2, sizeof r2, p->rate_to);
        switch (p->kind) {
        case PHASE_PAUSE:
            stats_event(&e->st, engine_rel(e, now), "phase", "phase %d/%d '%s': pause %.3gs",
                        e->last_phase + 1, e->plan->nphases, p->name, p->duration_us / 1e6);
            break;
        case PHASE_COUNT:
            stats_event(&e->st, engine_rel(e, now), "phase",
                        "phase %d/%d '%s': %lld arrivals in %.3gs", e->last_phase + 1,
                        e->plan->nphases, p->name, (long long)p->count, p->duration_us / 1e6);
            break;
        case PHASE_RAMP:
            stats_event(&e->st, engine_rel(e, now), "phase",
                        "phase %d/%d '%s': %s -> %s over %.3gs", e->last_phase + 1,
                        e->plan->nphases, p->name, r1, r2, p->duration_us / 1e6);
            break;
        case PHASE_CONST:
            stats_event(&e->st, engine_rel(e, now), "phase", "phase %d/%d '%s': %s for %.3gs",
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
    uv_timer_stop(&e->arrival_timer);
    uv_idle_stop(&e->arrival_more);
    stats_event(&e->st, engine_rel(e, now), "stop", "%s; draining %llu active VUs", why,
                (unsigned long long)e->active);
    engine_maybe_finish(e);
}

static const char *const skip_names[SKIP_N] = {"loadtop.skipped.max_vusers",
                                               "loadtop.skipped.vu_limit",
                                               "loadtop.skipped.pool_full", "loadtop.skipped.late"};

void engine_skip(struct engine *e, int phase, enum skip_cause why)
{
    stats_vu_skipped(&e->st, phase);
    if (e->c_skip[why] < 0)
        e->c_skip[why] = stats_counter_index(&e->st, skip_names[why]);
    stats_count(&e->st, phase, -1, e->c_skip[why], 1);
    e->skip_sec[why]++;
}

/* Say, once a second while it lasts, that arrivals are being skipped and why. */
static void note_skips(struct engine *e, int64_t t)
{
    static const char *const what[SKIP_N] = {"maxVusers", "VU limit", "pool full", "late"};
    uint64_t sum = 0;
    char parts[96] = "";
    size_t len = 0;
    for (int i = 0; i < SKIP_N; i++) {
        sum += e->skip_sec[i];
        if (e->skip_sec[i] && len < sizeof parts) {
            int n = snprintf(parts + len, sizeof parts - len, "%s%s %llu", len ? ", " : "", what[i],
                             (unsigned long long)e->skip_sec[i]);
            len += n > 0 ? (size_t)n : 0;
        }
        e->skip_sec[i] = 0;
    }
    if (sum)
        stats_event(&e->st, t, "warning", "skipped %llu arrivals in the last second (%s)",
                    (unsigned long long)sum, parts);
}

static void on_arrival_timer(uv_timer_t *t);
static void on_arrival_more(uv_idle_t *i);

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
    sched_advance(&e->sched, now);
    while ((next = sched_peek(&e->sched)) != SCHED_NONE && next <= now) {
        if (n >= ARRIVAL_BATCH || ((n & 15) == 15 && now_us() > until)) {
            more = 1;
            break;
        }
        int ph = sched_take(&e->sched);
        uint64_t k = e->arrivals++;
        engine_note_phase_changes(e, now);
        if (now - next > ENGINE_LATE_US)
            engine_skip(e, ph, SKIP_LATE);
        else
            vu_arrival(e, k, ph, next, now);
        n++;
    }
    engine_note_phase_changes(e, now);
    http_flush(e->http);
    if (!engine_steerable(e))
        return;
    next = sched_peek(&e->sched);
    if (next == SCHED_NONE) {
        uv_timer_stop(&e->arrival_timer);
    } else if (more || next <= now_us()) {
        uv_timer_stop(&e->arrival_timer);
        uv_idle_start(&e->arrival_more, on_arrival_more);
    } else {
        /* libuv timers have 1 ms resolution: round up, never fire early. */
        uint64_t ms = (uint64_t)((next - now_us() + 999) / 1000);
        uv_timer_start(&e->arrival_timer, on_arrival_timer, ms, 0);
    }
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

static void close_handles(struct engine *e)
{
    vu_free_pool(e);
    http_free(e->http);
    e->http = NULL;
    uv_close((uv_handle_t *)&e->arrival_timer, NULL);
    uv_close((uv_handle_t *)&e->arrival_more, NULL);
    uv_close((uv_handle_t *)&e->tick_timer, NULL);
    uv_close((uv_handle_t *)&e->async, NULL);
}

/* The last VU is done (or the drain bound passed): `after` runs, then the end. */
static void run_after(struct engine *e)
{
    vu_abort_all(e);
    stats_event(&e->st, engine_rel(e, now_us()), "hook", "after: running");
    vu_start_hook(e, HOOK_AFTER);
}

/* The end: the last partial second and interval, a final publication, and
 * every handle closed (the loop then ends). */
static void close_run(struct engine *e)
{
    int64_t now = now_us();
    e->end_us = now;
    vu_abort_all(e);
    engine_note_phase_changes(e, now);
    if (e->last_phase >= 0 && e->last_phase < e->plan->nphases)
        e->st.phase_ended_us[e->last_phase] = engine_rel(e, now);
    stats_resume(&e->st, engine_rel(e, now)); /* a pause ends with the run */
    /* the partial last second and interval */
    hostmon_sample(&e->hm, &e->host);
    stats_close_second(&e->st, e->sec_target, e->sec_phase, &e->host);
    stats_close_interval(&e->st, engine_rel(e, now));
    stats_event(&e->st, engine_rel(e, now), "end", "run ended after %.1fs",
                engine_rel(e, now) / 1e6);
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
        vu_abort_hook(e); /* reports the hook's end: a nested act */
    if (what & LC_DO_RUN_AFTER)
        run_after(e);
    if (what & LC_DO_FINISH)
        close_run(e);
}

void engine_drained(struct engine *e)
{
    engine_act(e, lifecycle_on(&e->lc, LC_DRAINED), now_us(), 0, NULL);
}

static void on_drained_timer(uv_timer_t *t)
{
    engine_drained(t->data);
}

static void on_after_done_timer(uv_timer_t *t)
{
    struct engine *e = t->data;
    engine_act(e, lifecycle_on(&e->lc, LC_AFTER_DONE), now_us(), 0, NULL);
}

/* A new second for engine_note: say how many lines the last one left out. */
static void note_roll(struct engine *e, int64_t t)
{
    if (t / 1000000 == e->note_sec)
        return;
    if (e->note_dropped)
        stats_event(&e->st, t, "warning",
                    "%d more log/expect lines in the last second were left out", e->note_dropped);
    e->note_sec = t / 1000000;
    e->note_n = e->note_dropped = 0;
}

void engine_note(struct engine *e, const char *kind, const char *text)
{
    int64_t t = engine_rel(e, now_us());
    note_roll(e, t);
    if (e->note_n >= 10) {
        e->note_dropped++;
        return;
    }
    e->note_n++;
    stats_event(&e->st, t, kind, "%s", text);
}

void engine_hook_done(struct engine *e, enum vu_hook which, const char *why)
{
    int64_t t = engine_rel(e, now_us());
    const char *name = which == HOOK_BEFORE ? "before" : "after";
    if (why) {
        stats_event(&e->st, t, "error", "%s failed: %s", name, why);
        stats_count(&e->st, -1, -1,
                    stats_counter_index(&e->st, which == HOOK_BEFORE ? "loadtop.before.failed"
                                                                     : "loadtop.after.failed"),
                    1);
    } else {
        stats_event(&e->st, t, "hook", "%s: done", name);
    }
    if (which == HOOK_AFTER) {
        /* deferred: this runs inside a transfer's done callback */
        uv_timer_start(&e->arrival_timer, on_after_done_timer, 0, 0);
        return;
    }
    engine_act(e, lifecycle_on(&e->lc, why ? LC_BEFORE_FAILED : LC_BEFORE_OK), now_us(),
               e->o.drain_us, why ? "before failed: the phases do not run" : "stop requested");
}

void engine_maybe_finish(struct engine *e)
{
    /* Deferred to the next loop iteration: this may run inside a transfer's
     * done callback, where the multi handle must not be torn down. */
    if (e->lc.state == RUN_DRAINING && e->active == 0)
        uv_timer_start(&e->arrival_timer, on_drained_timer, 0, 0);
}

static void sample_second_plan(struct engine *e, int64_t now)
{
    e->sec_target = lifecycle_stopping(&e->lc) ? 0 : sched_target_rate(&e->sched, now);
    e->sec_phase = e->sched.cur < e->plan->nphases ? e->sched.cur : e->plan->nphases - 1;
}

static void on_tick(uv_timer_t *t)
{
    struct engine *e = t->data;
    int64_t now = now_us();
    note_roll(e, engine_rel(e, now));
    engine_run_arrivals(e);
    while (engine_rel(e, now) >= e->next_sec_us) {
        note_skips(e, engine_rel(e, now));
        hostmon_sample(&e->hm, &e->host);
        /* the plan as it stood when this second began */
        stats_close_second(&e->st, e->sec_target, e->sec_phase, &e->host);
        sample_second_plan(e, now);
        e->next_sec_us += 1000000;
    }
    while (engine_rel(e, now) >= e->next_interval_us) {
        stats_close_interval(&e->st, e->next_interval_us);
        e->next_interval_us += e->o.interval_us;
    }
    if (engine_steerable(e)) {
        if (e->plan->model == MODEL_CLOSED) {
            /* the phase clock, so that a pause extends the run */
            int64_t dur = plan_duration_us(e->plan);
            if ((!e->plan->max_requests && sched_phase_elapsed(&e->sched, now) >= dur) ||
                (e->plan->max_requests && e->closed_started >= e->plan->max_requests))
                engine_act(e, lifecycle_on(&e->lc, LC_PLAN_DONE), now, e->o.drain_us,
                           "duration reached");
        } else if (sched_done(&e->sched)) {
            engine_act(e, lifecycle_on(&e->lc, LC_PLAN_DONE), now, e->o.drain_us,
                       "all phases done");
        }
    }
    if (e->lc.state == RUN_DRAINING && (e->active == 0 || now >= e->drain_deadline))
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
    stats_event(&e->st, 0, "start", "run started: %s", target);
    engine_note_phase_changes(e, e->t0);
    sample_second_plan(e, e->t0);
    uv_timer_start(&e->tick_timer, on_tick, (uint64_t)(e->o.tick_us / 1000),
                   (uint64_t)(e->o.tick_us / 1000));
    if (e->plan->model == MODEL_CLOSED && engine_steerable(e)) {
        vu_start_closed(e, e->plan->connections);
        http_flush(e->http);
    } else {
        engine_run_arrivals(e);
    }
    engine_publish(e);
}

static void engine_main(void *arg)
{
    struct engine *e = arg;
    e->t0 = now_us();
    e->start_wall = wall_us();
    sched_init(&e->sched, e->plan->phases, e->plan->nphases, e->t0);
    /* the loop's clock dates from uv_loop_init: transfers started before
     * uv_run take their deadlines from it (http.c) */
    uv_update_time(&e->loop);
    if (e->lc.state == RUN_BEFORE) {
        /* `before` is not part of the run's metrics: its time is not either */
        stats_event(&e->st, 0, "hook", "before: running");
        vu_start_hook(e, HOOK_BEFORE);
    } else {
        start_phases(e);
    }
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_mutex_lock(&e->slock);
    e->done = 1;
    uv_mutex_unlock(&e->slock);
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

struct engine *engine_start(const struct plan *plan, const struct engine_opts *o)
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->plan = plan;
    e->o = *o;
    if (e->o.tick_us <= 0)
        e->o.tick_us = 100000;
    if (e->o.interval_us <= 0)
        e->o.interval_us = 10000000;
    /* Every request ends by its own timeout (http.c's deadline list), so
     * the last one started ends within it: a little more is enough. */
    if (e->o.drain_us <= 0)
        e->o.drain_us = plan->timeout_us + 500000;
    e->seed = (uint64_t)wall_us() ^ 0x9E3779B97F4A7C15ULL;
    const char *seed = getenv("LOADTOP_SEED");
    if (seed && *seed)
        e->seed = strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
    raise_fd_limit();
    struct rlimit rl;
    uint64_t fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_cur : 1024;
    /* Memory follows the VUs at once, so they are bounded by configuration,
     * never by how far behind the run is; without a pool a VU also holds a
     * connection: keep fds for everything else. */
    e->max_active = (uint64_t)(o->max_vus > 0 ? o->max_vus : ENGINE_MAX_VUS);
    if (plan->pool <= 0) {
        uint64_t by_fds = fds > 256 ? fds - 128 : fds / 2;
        if (by_fds < e->max_active)
            e->max_active = by_fds;
    }
    e->queue_max = plan->pool > 0 ? (uint64_t)plan->pool * ENGINE_QUEUE_PER_CONN : 0;
    for (int i = 0; i < SKIP_N; i++)
        e->c_skip[i] = -1;
    for (int i = 0; i < 4; i++)
        e->c_version[i] = -1;

    stats_init(&e->st, plan->nphases, plan->nendpoints, plan->nscenarios);
    for (int i = 0; i < plan->nphases; i++) {
        e->st.phase_planned[i] = sched_phase_planned(&plan->phases[i]);
        e->st.planned_arrivals += (uint64_t)e->st.phase_planned[i];
    }
    hostmon_init(&e->hm);
    e->next_sec_us = 1000000;
    e->next_interval_us = e->o.interval_us;
    e->sum_seconds = -1; /* no summaries yet: the first publication computes them */
    e->pub = xcalloc(1, sizeof *e->pub);
    e->build = xcalloc(1, sizeof *e->build);
    e->spare = xcalloc(1, sizeof *e->spare);
    uv_mutex_init(&e->qlock);
    uv_mutex_init(&e->slock);
    if (uv_loop_init(&e->loop) != 0) {
        fprintf(stderr, "loadtop: cannot start the event loop\n");
        goto fail;
    }
    char ua[64];
    snprintf(ua, sizeof ua, "loadtop/%s", loadtop_version);
    struct http_opts ho = {
        .timeout_us = plan->timeout_us,
        .pool = plan->pool,
        .maxconnects =
            plan->pool > 0 ? plan->pool : (int)(e->max_active < 100000 ? e->max_active : 100000),
        .insecure = plan->insecure,
        .tls_ca = plan->tls_ca,
        .tls_cert = plan->tls_cert,
        .tls_key = plan->tls_key,
        .http_version = plan->http_version,
        /* Scripts send one, as Artillery does; one-URL runs send the bare
         * request wrk and wrk2 send (-H adds one): in libcurl 7.88 the
         * header alone costs 0.5 µs a request, 4 % of a keep-alive GET. */
        .user_agent = plan->script ? ua : NULL,
        .max_body = ENGINE_MAX_BODY,
    };
    if (plan->model == MODEL_CLOSED)
        ho.maxconnects = plan->connections;
    e->http = http_new(&e->loop, &ho, vu_on_done);
    if (!e->http) {
        fprintf(stderr, "loadtop: cannot initialise libcurl\n");
        uv_loop_close(&e->loop);
        goto fail;
    }
    vu_prepare(e);
    uv_async_init(&e->loop, &e->async, engine_on_async);
    e->async.data = e;
    uv_timer_init(&e->loop, &e->arrival_timer);
    e->arrival_timer.data = e;
    uv_idle_init(&e->loop, &e->arrival_more);
    e->arrival_more.data = e;
    uv_timer_init(&e->loop, &e->tick_timer);
    e->tick_timer.data = e;
    lifecycle_start(&e->lc, plan->before != NULL, plan->after != NULL);
    engine_fill_snapshot(e, e->pub, now_us());

    /* Signals belong to the main thread: the engine thread blocks them. */
    sigset_t all, old;
    sigfillset(&all);
    /* ...except faults: blocked, they would kill the process without the
     * dashboard's handler restoring the terminal. */
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGABRT);
    sigdelset(&all, SIGTRAP);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = uv_thread_create(&e->thread, engine_main, e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        fprintf(stderr, "loadtop: cannot start the engine thread\n");
        exit(3);
    }
    return e;
fail:
    stats_free(&e->st);
    free(e->pub);
    free(e->build);
    free(e->spare);
    free(e);
    return NULL;
}

void engine_global_init(void)
{
    http_global_init();
}

int engine_done(struct engine *e)
{
    uv_mutex_lock(&e->slock);
    int d = e->done;
    uv_mutex_unlock(&e->slock);
    return d;
}

void engine_join(struct engine *e)
{
    uv_thread_join(&e->thread);
}

const struct plan *engine_plan(const struct engine *e)
{
    return e->plan;
}

int64_t engine_elapsed_us(const struct engine *e)
{
    return engine_rel(e, e->end_us ? e->end_us : now_us());
}

const struct stats *engine_stats(const struct engine *e)
{
    return &e->st;
}

void engine_free(struct engine *e)
{
    uv_loop_close(&e->loop);
    vu_unprepare(e);
    stats_free(&e->st);
    uv_mutex_destroy(&e->qlock);
    uv_mutex_destroy(&e->slock);
    free(e->q);
    json_decref(e->report);
    free(e->pub);
    free(e->build);
    free(e->spare);
    free(e);
}
