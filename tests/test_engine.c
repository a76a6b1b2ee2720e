/* test_engine.c — the engine's controls end to end: a real engine thread
 * against the built-in target (in-process, 127.0.0.1, free port), steered
 * with commands and observed only through snapshots, as the dashboard is. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "target.h"
#include "test.h"
#include "util.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* A plan of `nph` constant phases of `rate`/s for `secs` each, GET /up. */
static void make_plan(struct plan *p, int port, int nph, double rate, int secs)
{
    memset(p, 0, sizeof *p);
    p->target = xasprintf("http://127.0.0.1:%d", port);
    p->timeout_us = 2000000;
    p->model = MODEL_OPEN;
    p->nphases = nph;
    p->phases = xcalloc((size_t)nph, sizeof *p->phases);
    for (int i = 0; i < nph; i++) {
        p->phases[i].name = xasprintf("p%d", i + 1);
        p->phases[i].kind = PHASE_CONST;
        p->phases[i].rate = rate;
        p->phases[i].duration_us = (int64_t)secs * 1000000;
    }
    p->nscenarios = 1;
    p->scenarios = xcalloc(1, sizeof *p->scenarios);
    p->scenarios[0].name = xstrdup("s");
    p->scenarios[0].weight = 1;
    p->scenarios[0].nsteps = 1;
    p->scenarios[0].steps = xcalloc(1, sizeof(struct step));
    struct step *s = &p->scenarios[0].steps[0];
    s->kind = STEP_REQUEST;
    s->method = xstrdup("GET");
    s->url = xasprintf("http://127.0.0.1:%d/up", port);
    s->endpoint = plan_endpoint(p, "GET /up");
}

static void send(struct engine *e, enum cmd_kind k, double v)
{
    struct engine_cmd c = {.kind = k, .value = v};
    engine_send(e, &c);
}

/* The built-in target on a free loopback port (*t), a plan of `nph` phases
 * of `rate`/s for `secs` each against it (*p), and an engine running it with
 * snapshots every `tick_us` (0: the default). NULL if the target fails. */
static struct engine *start_workers(struct target **t, struct plan *p, int nph, double rate,
                                    int secs, int64_t tick_us, int workers)
{
    engine_global_init();
    struct target_opts to = {.listen = "127.0.0.1:0", .quiet = 1};
    int port = 0;
    if (!(*t = target_start(&to, &port)))
        return NULL;
    make_plan(p, port, nph, rate, secs);
    struct engine_opts eo = {
        .interval_us = 1000000, .tick_us = tick_us, .version = "test", .workers = workers};
    return engine_start(p, &eo);
}

/* The same with one worker. */
static struct engine *start_against_target(struct target **t, struct plan *p, int nph, double rate,
                                           int secs, int64_t tick_us)
{
    return start_workers(t, p, nph, rate, secs, tick_us, 1);
}

/* Wait until `cond` holds on a fresh snapshot or `ms` pass. */
#define WAIT_FOR(snap, e, cond, ms)                                                                \
    do {                                                                                           \
        for (int w_ = 0; w_ < (ms) / 20; w_++) {                                                   \
            engine_snapshot((e), (snap));                                                          \
            if (cond)                                                                              \
                break;                                                                             \
            sleep_ms(20);                                                                          \
        }                                                                                          \
    } while (0)

/* Pause, resume, skip, rates and stop through the command queue, with
 * `workers` worker threads: every control reaches all of them at once, and
 * is one event in the log, not one per worker. */
static void check_controls(int *failed_, int workers)
{
    struct target *t;
    struct plan p;
    struct engine *e = start_workers(&t, &p, 3, 50, 30, 0, workers);
    ASSERT(e);
    struct snapshot *s = xcalloc(1, sizeof *s);

    WAIT_FOR(s, e, s->total.vu_created >= 10, 3000);
    ASSERT(s->total.vu_created >= 10);
    ASSERT_STR(run_state_name(s->state), "RUNNING");

    /* pause: no arrivals while paused */
    send(e, CMD_PAUSE, 0);
    WAIT_FOR(s, e, s->state == RUN_PAUSED, 1000);
    ASSERT_EQ(s->state, RUN_PAUSED);
    sleep_ms(300); /* the helpers hand their counts over at the next ticks */
    engine_snapshot(e, s);
    uint64_t before = s->total.vu_created + s->total.vu_skipped;
    sleep_ms(1000);
    engine_snapshot(e, s);
    ASSERT_EQ(s->total.vu_created + s->total.vu_skipped, before);
    ASSERT_NEAR(s->target_rate, 0, 1e-9);
    send(e, CMD_RESUME, 0);
    WAIT_FOR(s, e, s->total.vu_created > before + 5, 2000);
    ASSERT(s->total.vu_created > before + 5);
    ASSERT_EQ(s->state, RUN_RUNNING);

    /* skip: the next phase starts at once */
    ASSERT_EQ(s->phase, 0);
    send(e, CMD_SKIP, 0);
    WAIT_FOR(s, e, s->phase == 1, 1000);
    ASSERT_EQ(s->phase, 1);
    ASSERT(s->ph[0].ended_us >= 0);
    ASSERT(s->ph[1].started_us >= s->ph[0].ended_us);

    /* rate multiplier: the target follows, and the achieved rate with it */
    send(e, CMD_SCALE, 2.0);
    WAIT_FOR(s, e, s->mult > 1.99, 1000);
    ASSERT_NEAR(s->mult, 2.0, 1e-9);
    ASSERT_NEAR(s->target_rate, 100, 1e-6);
    sleep_ms(300);
    engine_snapshot(e, s);
    uint64_t a0 = s->total.vu_created;
    int64_t t0 = s->elapsed_us;
    sleep_ms(2000);
    engine_snapshot(e, s);
    double achieved = (s->total.vu_created - a0) / ((s->elapsed_us - t0) / 1e6);
    if (!(achieved > 85 && achieved < 115))
        fprintf(stderr, "achieved %.1f over %lld us (%llu)\n", achieved,
                (long long)(s->elapsed_us - t0), (unsigned long long)(s->total.vu_created - a0));
    ASSERT(achieved > 85 && achieved < 115);
    /* an exact rate: the multiplier stays, the target is that rate */
    send(e, CMD_RATE, 20);
    WAIT_FOR(s, e, s->target_rate < 21, 1000);
    ASSERT_NEAR(s->target_rate, 20, 1e-6);
    ASSERT_NEAR(s->fixed_rate, 20, 1e-9);
    send(e, CMD_SCALE, 2.0); /* +/- scale the exact rate */
    WAIT_FOR(s, e, s->target_rate > 39, 1000);
    ASSERT_NEAR(s->fixed_rate, 40, 1e-9);
    send(e, CMD_MULT, 1.0);
    WAIT_FOR(s, e, s->mult == 1.0 && s->fixed_rate == 0, 1000);
    ASSERT_NEAR(s->target_rate, 50, 1e-6);

    /* every control is one event */
    int kinds = 0, pauses = 0, skips = 0;
    for (int i = 0; i < s->nevents; i++) {
        kinds |= (!strcmp(s->ev[i].kind, "pause") << 0) | (!strcmp(s->ev[i].kind, "resume") << 1) |
                 (!strcmp(s->ev[i].kind, "skip") << 2) | (!strcmp(s->ev[i].kind, "rate") << 3);
        pauses += !strcmp(s->ev[i].kind, "pause");
        skips += !strcmp(s->ev[i].kind, "skip");
    }
    ASSERT_EQ(kinds, 15);
    ASSERT_EQ(pauses, 1);
    ASSERT_EQ(skips, 1);
    ASSERT_EQ(s->nworkers, workers);

    /* stop: drains, then DONE with the invariant */
    send(e, CMD_STOP, 0);
    engine_join(e);
    engine_snapshot(e, s);
    ASSERT_EQ(s->state, RUN_DONE);
    ASSERT_EQ(s->active_vus, 0);
    ASSERT_EQ(s->total.vu_created, s->total.vu_completed + s->total.vu_failed);
    ASSERT_EQ(s->total.vu_failed, 0);
    json_t *report = engine_report(e, NULL, NULL);
    ASSERT_STR(json_string_value(json_object_get(json_object_get(report, "run"), "state")),
               "interrupted");
    ASSERT_EQ(json_integer_value(json_object_get(json_object_get(report, "run"), "workers")),
              workers);
    json_decref(report);
    free(s);
    engine_free(e);
    plan_free(&p);
    target_stop(t);
}

TEST(engine_pause_resume_skip_rate)
{
    check_controls(failed_, 1);
}

TEST(engine_controls_reach_every_worker)
{
    check_controls(failed_, 3);
}

static double jnum(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* A pause is not load (issue 14): a 50/s phase paused for 1.5 s of its 3 s
 * reports its achieved rate within 2 % of 50/s, its pause as a span and in
 * the timeline, and the run's paused time. */
TEST(engine_pause_is_not_load)
{
    struct target *t;
    struct plan p;
    struct engine *e = start_against_target(&t, &p, 1, 50, 3, 0);
    ASSERT(e);
    struct snapshot *s = xcalloc(1, sizeof *s);
    WAIT_FOR(s, e, s->elapsed_us >= 1000000, 3000);
    send(e, CMD_PAUSE, 0);
    WAIT_FOR(s, e, s->state == RUN_PAUSED, 1000);
    ASSERT_EQ(s->state, RUN_PAUSED);
    sleep_ms(1500);
    send(e, CMD_RESUME, 0);
    engine_join(e);
    json_t *r = engine_report(e, NULL, NULL);
    const json_t *ph = json_array_get(json_object_get(r, "phases"), 0);
    const json_t *run = json_object_get(r, "run");
    double paused = jnum(run, "paused");
    ASSERT(paused > 1.45 && paused < 1.8);
    ASSERT_NEAR(jnum(ph, "paused"), paused, 1e-9);
    ASSERT_NEAR(jnum(ph, "achievedRate"), 50, 1.0); /* 2 % of 50/s */
    ASSERT_EQ(jnum(ph, "arrivals"), 150);
    const json_t *spans = json_object_get(run, "pauses");
    ASSERT_EQ(json_array_size(spans), 1);
    const json_t *sp = json_array_get(spans, 0);
    ASSERT_NEAR(jnum(sp, "end") - jnum(sp, "start"), paused, 0.0011);
    ASSERT_EQ(jnum(sp, "phase"), 0);
    double in_seconds = 0;
    size_t i;
    json_t *sec;
    json_array_foreach(json_object_get(r, "timeline"), i, sec) in_seconds += jnum(sec, "paused");
    ASSERT_NEAR(in_seconds, paused, 0.01);
    json_decref(r);
    free(s);
    engine_free(e);
    plan_free(&p);
    target_stop(t);
}

/* engine_snapshot_hold: what the reader holds is never rebuilt under it,
 * however many times the engine publishes meanwhile; the next hold is the
 * newest publication. */
TEST(engine_snapshot_hold_is_stable)
{
    struct target *t;
    struct plan p;
    struct engine *e = start_against_target(&t, &p, 1, 100, 30, 20000);
    ASSERT(e);
    struct snapshot *copy = xcalloc(1, sizeof *copy), *now = xcalloc(1, sizeof *now);
    for (int round = 0; round < 3; round++) {
        const struct snapshot *held = engine_snapshot_hold(e);
        memcpy(copy, held, sizeof *copy);
        /* at least five publications (20 ms ticks) while it is held */
        WAIT_FOR(now, e, now->seq >= copy->seq + 5, 2000);
        ASSERT(now->seq >= copy->seq + 5);
        ASSERT(memcmp(held, copy, sizeof *copy) == 0);
        const struct snapshot *next = engine_snapshot_hold(e);
        ASSERT(next->seq >= now->seq);
        ASSERT(next->total.vu_created >= copy->total.vu_created);
    }
    send(e, CMD_ABORT, 0);
    engine_join(e);
    free(copy);
    free(now);
    engine_free(e);
    plan_free(&p);
    target_stop(t);
}
