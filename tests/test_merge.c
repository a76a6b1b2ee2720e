/* test_merge.c — stats_merge: a run recorded whole and the same run split
 * in two halves (as two workers or two shards would see it) give the same
 * report once the halves are merged. */
#include <jansson.h>
#include <stdlib.h>

#include "live.h"
#include "merge.h"
#include "report.h"
#include "stats.h"
#include "test.h"
#include "util.h"

static void make_plan(struct plan *p)
{
    memset(p, 0, sizeof *p);
    p->script = xstrdup("split.yml");
    p->target = xstrdup("http://localhost:8080");
    p->timeout_us = 10000000;
    p->nphases = 2;
    p->phases = xcalloc(2, sizeof *p->phases);
    p->phases[0] = (struct phase){
        .name = xstrdup("warm"), .kind = PHASE_CONST, .duration_us = 3000000, .rate = 40};
    p->phases[1] = (struct phase){.name = xstrdup("ramp"),
                                  .kind = PHASE_RAMP,
                                  .duration_us = 3000000,
                                  .rate = 40,
                                  .rate_to = 80};
    p->nscenarios = 2;
    p->scenarios = xcalloc(2, sizeof *p->scenarios);
    p->scenarios[0] = (struct scenario){.name = xstrdup("browse"), .weight = 3};
    p->scenarios[1] = (struct scenario){.name = xstrdup("buy"), .weight = 1};
    plan_endpoint(p, "GET /");
    plan_endpoint(p, "POST /buy");
}

static void init3(struct stats *s[3])
{
    for (int k = 0; k < 3; k++) {
        stats_init(s[k], 2, 2, 2);
        s[k]->planned_arrivals = 360;
        s[k]->phase_planned[0] = 120;
        s[k]->phase_planned[1] = 240;
    }
}

/* Arrival i of a deterministic run: recorded into the whole (s[0]) and
 * into one half (s[1] for even i, s[2] for odd). Errors are named in a
 * different first-seen order in each half, and one half never sees some. */
static void arrival(struct stats *s[3], int i)
{
    struct stats *to[2] = {s[0], s[1 + i % 2]};
    int phase = i < 120 ? 0 : 1, ep = i % 5 == 0, sc = i % 4 == 3;
    int64_t rt = 500 + (i * 7919) % 40000, lag = (i * 31) % 2000;
    for (int k = 0; k < 2; k++) {
        struct stats *st = to[k];
        if (i % 37 == 36) {
            stats_vu_skipped(st, phase);
            stats_count(st, phase, -1, stats_counter_index(st, "loadtop.skipped.late"), 1);
            continue;
        }
        stats_vu_created(st, phase, sc, lag);
        stats_request(st, phase, ep);
        if (i % 23 == 5) {
            stats_error(st, phase, ep, i % 2 ? "ECONNRESET" : "ETIMEDOUT");
            stats_downloaded(st, phase, ep, 17);
            stats_vu_failed(st, phase, rt * 3);
        } else if (i % 29 == 7) {
            stats_error(st, phase, ep, "EPIPE");
            stats_vu_failed(st, phase, rt);
        } else {
            int code = i % 11 == 0 ? 503 : i % 13 == 0 ? 404 : 200;
            stats_response(st, phase, ep, code, rt, rt + 300, rt + lag, 100 + (uint64_t)(i % 3));
            if (code == 200)
                stats_count(st, phase, ep, stats_counter_index(st, "plugins.expect.ok"), 1);
            stats_vu_completed(st, phase, rt * 2);
        }
    }
}

static const struct report_meta meta = {.start_wall_us = 1700000000000000LL,
                                        .now_wall_us = 1700000006000000LL,
                                        .elapsed_us = 6000000,
                                        .state = "done",
                                        .version = "test",
                                        .argv_line = "loadtop split.yml"};

/* The whole run and its two halves, six seconds, two 3 s intervals. */
static void record(struct stats *s[3])
{
    init3(s);
    struct host_sample h = {.load1 = 0.5, .cpu_pct = 20, .ncpu = 2};
    for (int k = 0; k < 3; k++)
        s[k]->phase_started_us[0] = 0;
    /* run-wide events come from one place (worker 0, shard 0) */
    stats_event(s[0], 0, "start", "run started");
    stats_event(s[1], 0, "start", "run started");
    int i = 0;
    for (int sec = 0; sec < 6; sec++) {
        int n = sec < 3 ? 40 : 40 + 20 * (sec - 3);
        for (int j = 0; j < n; j++, i++)
            arrival(s, i);
        /* events at distinct times, each in one half */
        stats_event(s[0], sec * 1000000 + 500000, "warning", "second %d", sec);
        stats_event(s[1 + sec % 2], sec * 1000000 + 500000, "warning", "second %d", sec);
        for (int k = 0; k < 3; k++) {
            stats_close_second(s[k], sec < 3 ? 40 : 40 + 20 * (sec - 3), sec < 3 ? 0 : 1, &h);
            if (sec == 2) {
                stats_close_interval(s[k], 3000000);
                s[k]->phase_ended_us[0] = s[k]->phase_started_us[1] = 3000000;
            }
        }
    }
    for (int k = 0; k < 3; k++) {
        stats_close_interval(s[k], 6000000);
        s[k]->phase_ended_us[1] = 6000000;
    }
}

TEST(merge_two_halves_give_the_whole_report)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, *s[3] = {&whole, &a, &b};
    record(s);
    ASSERT(a.total.c.vu_created > 0 && b.total.c.vu_created > 0);
    ASSERT(a.total.c.vu_created + b.total.c.vu_created == whole.total.c.vu_created);
    stats_merge(&a, &b);

    json_t *jw = report_build(&p, &whole, &meta, NULL, NULL);
    json_t *ja = report_build(&p, &a, &meta, NULL, NULL);
    ASSERT(jw && ja);
    /* error names are interned in first-seen order, so counters may come
     * in another order: equal as JSON, value for value */
    if (!json_equal(jw, ja)) {
        const char *keys[] = {"aggregate", "intermediate", "phases", "endpoints", "timeline",
                              "host",      "events",       "plan",   "run",       "checks"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (!json_equal(json_object_get(jw, keys[k]), json_object_get(ja, keys[k])))
                TEST_FAIL_("the merged report differs from the whole in \"%s\"", keys[k]);
    }
    /* and the numbers a reader looks at first */
    ASSERT_EQ(a.total.c.requests, whole.total.c.requests);
    ASSERT_EQ(stats_counter(&a, "plugins.expect.ok"), stats_counter(&whole, "plugins.expect.ok"));
    ASSERT_EQ(a.nseconds, 6);
    ASSERT_EQ(a.nintervals, 2);
    ASSERT_EQ(a.nevents, whole.nevents);
    for (int i = 0; i < 6; i++)
        ASSERT_EQ(a.seconds[i].p99, whole.seconds[i].p99);
    json_decref(jw);
    json_decref(ja);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    plan_free(&p);
}

/* A merge into an empty stats copies; merging an empty one changes nothing. */
TEST(merge_with_empty)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, *s[3] = {&whole, &a, &b};
    record(s);
    struct stats empty, copy;
    stats_init(&empty, 2, 2, 2);
    stats_init(&copy, 2, 2, 2);
    for (int i = 0; i < 2; i++)
        copy.phase_started_us[i] = copy.phase_ended_us[i] = -1;
    stats_merge(&copy, &whole);
    stats_merge(&whole, &empty);
    json_t *j1 = report_build(&p, &whole, &meta, NULL, NULL);
    json_t *j2 = report_build(&p, &copy, &meta, NULL, NULL);
    ASSERT(json_equal(j1, j2));
    json_decref(j1);
    json_decref(j2);
    stats_free(&empty);
    stats_free(&copy);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    plan_free(&p);
}

/* Worker threads hand over what they recorded every tick (stats_flush):
 * two parts flushing at their own moments, into one merge, give the whole
 * run's report, as the halves merged at the end do. */
TEST(merge_flushed_parts_give_the_whole_report)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, merged, *s[3] = {&whole, &a, &b};
    init3(s);
    stats_init(&merged, 2, 2, 2);
    for (int i = 0; i < 2; i++)
        merged.phase_started_us[i] = merged.phase_ended_us[i] = -1;
    struct host_sample h = {.load1 = 0.5, .cpu_pct = 20, .ncpu = 2};
    for (int k = 0; k < 3; k++)
        s[k]->phase_started_us[0] = 0;
    stats_event(s[0], 0, "start", "run started");
    stats_event(s[1], 0, "start", "run started");
    int i = 0;
    for (int sec = 0; sec < 6; sec++) {
        int n = sec < 3 ? 40 : 40 + 20 * (sec - 3);
        for (int j = 0; j < n; j++, i++) {
            arrival(s, i);
            /* each part flushes on its own clock, mid-second too */
            if (i % 17 == 3)
                stats_flush(&merged, &a, 1);
            if (i % 23 == 11)
                stats_flush(&merged, &b, 0);
        }
        stats_event(s[0], sec * 1000000 + 500000, "warning", "second %d", sec);
        stats_event(s[1 + sec % 2], sec * 1000000 + 500000, "warning", "second %d", sec);
        for (int k = 0; k < 3; k++) {
            stats_close_second(s[k], sec < 3 ? 40 : 40 + 20 * (sec - 3), sec < 3 ? 0 : 1, &h);
            if (sec == 2) {
                stats_close_interval(s[k], 3000000);
                s[k]->phase_ended_us[0] = s[k]->phase_started_us[1] = 3000000;
            }
        }
        if (sec % 2)
            stats_flush(&merged, &b, 0); /* b flushes late: a second behind a */
        stats_flush(&merged, &a, 1);
    }
    for (int k = 0; k < 3; k++) {
        stats_close_interval(s[k], 6000000);
        s[k]->phase_ended_us[1] = 6000000;
    }
    stats_flush(&merged, &a, 1);
    stats_flush(&merged, &b, 0);
    ASSERT_EQ(a.nseconds, 0);
    ASSERT_EQ(a.first_second, 6);
    ASSERT_EQ(b.first_interval, 2);
    ASSERT_EQ(a.total.c.vu_created, 0); /* handed over */

    json_t *jw = report_build(&p, &whole, &meta, NULL, NULL);
    json_t *jm = report_build(&p, &merged, &meta, NULL, NULL);
    const char *keys[] = {"aggregate", "intermediate", "phases", "endpoints", "timeline",
                          "host",      "events",       "plan",   "run",       "checks"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (!json_equal(json_object_get(jw, keys[k]), json_object_get(jm, keys[k])))
            TEST_FAIL_("the flushed merge differs from the whole in \"%s\"", keys[k]);
    ASSERT_EQ(merged.nseconds, 6);
    for (int k = 0; k < 6; k++)
        ASSERT_EQ(merged.seconds[k].p99, whole.seconds[k].p99);
    json_decref(jw);
    json_decref(jm);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    stats_free(&merged);
    plan_free(&p);
}

/* The shards' JSON reports merged (loadtop merge) give the whole run's
 * numbers exactly where the reports carry histograms: the aggregate, each
 * endpoint and intermediate period as JSON, each phase's counters,
 * histograms and summaries; the timeline's counts. */
static json_t *as_shard(json_t *r, int i, int n)
{
    json_object_set_new(json_object_get(r, "run"), "shard",
                        json_pack("{s:i, s:i}", "index", i, "count", n));
    return r;
}

TEST(merge_shard_reports_give_the_whole)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, *s[3] = {&whole, &a, &b};
    record(s);
    json_t *jw = report_build(&p, &whole, &meta, NULL, NULL);
    json_t *r[2] = {as_shard(report_build(&p, &b, &meta, NULL, NULL), 1, 2),
                    as_shard(report_build(&p, &a, &meta, NULL, NULL), 0, 2)};
    const char *names[2] = {"b.json", "a.json"};
    char err[256] = "";
    json_t *m = report_merge(r, names, 2, 0, err, sizeof err);
    ASSERT(m);
    ASSERT_STR(err, "");
    ASSERT(json_equal(json_object_get(m, "aggregate"), json_object_get(jw, "aggregate")));
    ASSERT(json_equal(json_object_get(m, "endpoints"), json_object_get(jw, "endpoints")));
    ASSERT(json_equal(json_object_get(m, "intermediate"), json_object_get(jw, "intermediate")));
    size_t i;
    json_t *ph;
    json_array_foreach(json_object_get(jw, "phases"), i, ph)
    {
        json_t *mp = json_array_get(json_object_get(m, "phases"), i);
        static const char *const keys[] = {"counters", "histograms", "summaries", "arrivals"};
        for (int k = 0; k < 4; k++)
            ASSERT(json_equal(json_object_get(mp, keys[k]), json_object_get(ph, keys[k])));
    }
    json_t *sec;
    json_array_foreach(json_object_get(jw, "timeline"), i, sec)
    {
        json_t *ms = json_array_get(json_object_get(m, "timeline"), i);
        static const char *const keys[] = {"t",         "arrivals", "requests",
                                           "responses", "codes",    "errors"};
        for (int k = 0; k < 6; k++)
            ASSERT(json_equal(json_object_get(ms, keys[k]), json_object_get(sec, keys[k])));
    }
    ASSERT_EQ(json_integer_value(json_object_get(json_object_get(m, "run"), "shards")), 2);
    ASSERT(!json_object_get(json_object_get(m, "run"), "shard"));
    /* both shards' events, marked, in time order */
    ASSERT_EQ(json_array_size(json_object_get(m, "events")),
              json_array_size(json_object_get(r[0], "events")) +
                  json_array_size(json_object_get(r[1], "events")));
    ASSERT(strstr(
        json_string_value(json_object_get(json_array_get(json_object_get(m, "events"), 0), "text")),
        "shard "));

    ASSERT_NEAR(json_number_value(json_object_get(json_object_get(m, "run"), "startSpread")), 0,
                1e-9);
    /* shards that did not start together: said, as the first event */
    json_t *late = json_deep_copy(r[0]);
    const char *at = json_string_value(json_object_get(json_object_get(r[0], "run"), "startedAt"));
    char later[64];
    snprintf(later, sizeof later, "%.17s%02d%s", at, (at[17] - '0') * 10 + (at[18] - '0') + 5,
             at + 19); /* the same minute, 5 s later */
    json_object_set_new(json_object_get(late, "run"), "startedAt", json_string(later));
    json_t *skewed[2] = {late, r[1]};
    json_t *ms = report_merge(skewed, names, 2, 0, err, sizeof err);
    ASSERT(ms);
    ASSERT_NEAR(json_number_value(json_object_get(json_object_get(ms, "run"), "startSpread")), 5,
                1e-9);
    ASSERT(strstr(json_string_value(
                      json_object_get(json_array_get(json_object_get(ms, "events"), 0), "text")),
                  "started 5.0 s apart"));
    json_decref(ms);
    json_decref(late);

    /* refused: a shard twice, one missing, another plan, not a shard */
    json_t *twice[2] = {r[0], r[0]};
    ASSERT(!report_merge(twice, names, 2, 0, err, sizeof err));
    ASSERT(strstr(err, "given twice"));
    ASSERT(!report_merge(r, names, 1, 0, err, sizeof err));
    ASSERT(strstr(err, "shard 1 of 2, but 1 report given"));
    json_t *other = json_deep_copy(r[0]);
    json_object_set_new(json_object_get(other, "run"), "planHash", json_string("0123"));
    json_t *mixed[2] = {r[1], other};
    ASSERT(!report_merge(mixed, names, 2, 0, err, sizeof err));
    ASSERT(strstr(err, "another plan"));
    json_object_del(json_object_get(other, "run"), "shard");
    ASSERT(!report_merge(&other, names, 1, 0, err, sizeof err));
    ASSERT(strstr(err, "not a shard's report"));
    json_decref(other);
    json_decref(m);
    json_decref(r[0]);
    json_decref(r[1]);
    json_decref(jw);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    plan_free(&p);
}

/* loadtop watch: a report read back into the dashboard's snapshot gives
 * the stats' own counters and (to the report's rounding) percentiles; the
 * live object round-trips; a plan to draw with comes back; a subset of
 * the shards merges (MERGE_SOME) and their live objects add. */
TEST(live_snapshot_reads_back_a_report)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, *s[3] = {&whole, &a, &b};
    record(s);
    json_t *r = report_build(&p, &whole, &meta, NULL, NULL);
    struct snapshot in = {.state = RUN_PAUSED,
                          .elapsed_us = 4500000,
                          .planned_us = 6000000,
                          .phase = 1,
                          .phase_elapsed_us = 1500000,
                          .phase_duration_us = 3000000,
                          .target_rate = 60,
                          .mult = 1.5,
                          .active_vus = 7,
                          .inflight = 5,
                          .waiting = 2,
                          .nworkers = 2,
                          .host = {.cpu_pct = 40, .worker_cpu_pct = 55, .ncpu = 2}};
    in.worker[1] = (struct snap_worker){.cpu_pct = 55, .lag_p99_us = 1200, .inflight = 3};
    json_object_set_new(r, "live", live_json(&in));
    ASSERT_STR(json_string_value(json_object_get(json_object_get(r, "live"), "state")), "paused");
    struct snapshot *o = xcalloc(1, sizeof *o);
    o->seq = 41;
    live_snapshot(r, o);
    ASSERT_EQ(o->seq, 41);
    ASSERT_EQ(o->state, RUN_PAUSED);
    ASSERT_EQ(o->elapsed_us, 4500000);
    ASSERT_EQ(o->phase, 1);
    ASSERT_EQ(o->phase_elapsed_us, 1500000);
    ASSERT_NEAR(o->mult, 1.5, 1e-12);
    ASSERT_EQ(o->active_vus, 7);
    ASSERT_EQ(o->waiting, 2);
    ASSERT_EQ(o->nworkers, 2);
    ASSERT_EQ(o->worker[1].lag_p99_us, 1200);
    ASSERT_NEAR(o->host.worker_cpu_pct, 55, 1e-9);
    const struct counters *c = &whole.total.c;
    ASSERT_EQ(o->total.vu_created, c->vu_created);
    ASSERT_EQ(o->total.vu_skipped, c->vu_skipped);
    ASSERT_EQ(o->total.requests, c->requests);
    ASSERT_EQ(o->total.codes[503], c->codes[503]);
    ASSERT_EQ(o->total.code_class[2], c->code_class[2]);
    ASSERT_EQ(o->total.code_class[5], c->code_class[5]);
    uint64_t errs = 0, want = 0;
    for (int i = 0; i < o->nerrors; i++)
        errs += o->total.errors[i];
    for (int i = 0; i < whole.nerrors; i++)
        want += c->errors[i];
    ASSERT_EQ(errs, want);
    ASSERT_EQ(o->nerrors, whole.nerrors);
    struct sumstat rt;
    sumstat_of(&rt, whole.total.sum[SUM_RESPONSE_TIME]);
    ASSERT_EQ(o->total_s[SUM_RESPONSE_TIME].count, rt.count);
    ASSERT_NEAR((double)o->total_s[SUM_RESPONSE_TIME].p99, (double)rt.p99, 50);
    ASSERT_EQ(o->nphases, 2);
    ASSERT_EQ(o->ph[1].planned, 240);
    ASSERT_EQ(o->ph[1].started_us, 3000000);
    ASSERT_EQ(o->nendpoints, 2);
    ASSERT_EQ(o->ep[1].c.requests, whole.endpoint[1].c.requests);
    ASSERT_EQ(o->nsec, 6);
    ASSERT_EQ(o->sec[5].arrivals, whole.seconds[5].arrivals);
    ASSERT_EQ(o->nintervals, 2);
    ASSERT_EQ(o->last_start_us, 3000000);
    ASSERT_EQ(o->last_c.requests, whole.intervals[1].c.requests);
    ASSERT_EQ(o->total_events, whole.nevents);

    struct plan back;
    ASSERT_EQ(live_plan(r, &back), 0);
    ASSERT_EQ(back.nphases, 2);
    ASSERT_STR(back.phases[1].name, "ramp");
    ASSERT_EQ(back.phases[1].kind, PHASE_RAMP);
    ASSERT_EQ(back.phases[1].duration_us, 3000000);
    ASSERT_NEAR(back.phases[1].rate_to, 80, 1e-9);
    ASSERT_EQ(back.nendpoints, 2);
    ASSERT_STR(back.endpoints[1].key, "POST /buy");
    plan_free(&back);
    json_t *none = json_object();
    ASSERT_EQ(live_plan(none, &back), -1);
    plan_free(&back);
    json_decref(none);

    /* a saved report (no live object) reads as finished */
    json_object_del(r, "live");
    live_snapshot(r, o);
    ASSERT_EQ(o->state, RUN_DONE);
    free(o);
    json_decref(r);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    plan_free(&p);
}

TEST(live_merge_of_some_shards)
{
    struct plan p;
    make_plan(&p);
    struct stats whole, a, b, *s[3] = {&whole, &a, &b};
    record(s);
    json_t *r[2] = {as_shard(report_build(&p, &a, &meta, NULL, NULL), 0, 3),
                    as_shard(report_build(&p, &b, &meta, NULL, NULL), 2, 3)};
    struct snapshot l0 = {.state = RUN_RUNNING, .active_vus = 3, .inflight = 2, .nworkers = 1};
    struct snapshot l2 = {.state = RUN_PAUSED, .active_vus = 4, .inflight = 1, .nworkers = 1};
    l0.host.worker_cpu_pct = 10;
    l2.host.worker_cpu_pct = 90;
    json_object_set_new(r[0], "live", live_json(&l0));
    json_object_set_new(r[1], "live", live_json(&l2));
    const char *names[2] = {"a", "c"};
    char err[256] = "";
    /* two of three shards, given in any order */
    json_t *rev[2] = {r[1], r[0]};
    json_t *m = report_merge(rev, names, 2, MERGE_SOME, err, sizeof err);
    ASSERT(m);
    json_t *counters = json_object_get(json_object_get(m, "aggregate"), "counters");
    ASSERT_EQ(json_integer_value(json_object_get(counters, "vusers.created")),
              (json_int_t)whole.total.c.vu_created); /* a and b: all of the arrivals */
    json_object_del(m, "live");
    live_merge(m, r[0], 0);
    live_merge(m, r[1], 2);
    struct snapshot *o = xcalloc(1, sizeof *o);
    live_snapshot(m, o);
    ASSERT_EQ(o->active_vus, 7);
    ASSERT_EQ(o->inflight, 3);
    ASSERT_EQ(o->state, RUN_RUNNING); /* one shard still sends */
    ASSERT_EQ(o->nworkers, 2);        /* a row a shard */
    ASSERT_EQ(o->host.busiest_worker, 2);
    ASSERT_NEAR(o->worker[1].cpu_pct, 90, 1e-9);
    free(o);
    json_decref(m);
    /* without MERGE_SOME, a missing shard is refused; with it, a shard twice still is */
    ASSERT(!report_merge(r, names, 2, 0, err, sizeof err));
    json_t *twice[2] = {r[0], r[0]};
    ASSERT(!report_merge(twice, names, 2, MERGE_SOME, err, sizeof err));
    ASSERT(strstr(err, "given twice"));
    json_decref(r[0]);
    json_decref(r[1]);
    for (int k = 0; k < 3; k++)
        stats_free(s[k]);
    plan_free(&p);
}
