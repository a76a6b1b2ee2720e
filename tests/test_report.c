/* test_report.c — report.c: the JSON report parsed back holds exactly what
 * was recorded; the text block matches Artillery's layout byte for byte. */
#include <jansson.h>
#include <stdlib.h>

#include "checks.h"
#include "report.h"
#include "test.h"
#include "util.h"

/* The report as written to a file: built once, as text. */
static char *report_file_text(const struct plan *p, const struct stats *st,
                              const struct report_meta *m)
{
    json_t *j = report_build(p, st, m, NULL, NULL);
    char *t = report_text(j);
    json_decref(j);
    return t;
}

#define START_WALL 1700000000123456LL /* 2023-11-14T22:13:20.123456Z */

static void make_plan(struct plan *p)
{
    memset(p, 0, sizeof *p);
    p->script = xstrdup("load.yml");
    p->target = xstrdup("http://localhost:8080");
    p->timeout_us = 10000000;
    p->nphases = 3;
    p->phases = xcalloc(3, sizeof *p->phases);
    p->phases[0] = (struct phase){
        .name = xstrdup("warm"), .kind = PHASE_CONST, .duration_us = 10000000, .rate = 10};
    p->phases[1] = (struct phase){.name = xstrdup("ramp"),
                                  .kind = PHASE_RAMP,
                                  .duration_us = 20000000,
                                  .rate = 10,
                                  .rate_to = 50,
                                  .max_vusers = 100};
    p->phases[2] =
        (struct phase){.name = xstrdup("rest"), .kind = PHASE_PAUSE, .duration_us = 5000000};
    p->nscenarios = 2;
    p->scenarios = xcalloc(2, sizeof *p->scenarios);
    p->scenarios[0] = (struct scenario){.name = xstrdup("browse"), .weight = 3};
    p->scenarios[1] = (struct scenario){.name = xstrdup("buy"), .weight = 1};
    plan_endpoint(p, "GET /");
    plan_endpoint(p, "POST /login");
}

/* Phase 0 (10 s): 100 VUs, one GET each, 200, response 100..10000 µs.
 * Phase 1 (5 s so far): 50 VUs + 5 skipped, 50 POSTs: 30 x 200, 10 x 503,
 * 10 ECONNRESET; response 20000..59000 µs. */
static void make_stats(struct stats *st)
{
    stats_init(st, 3, 2, 2);
    st->planned_arrivals = 700;
    st->phase_planned[0] = 100;
    st->phase_planned[1] = 600;
    st->phase_started_us[0] = 0;
    st->phase_ended_us[0] = 10000000;
    st->phase_started_us[1] = 10000000;
    for (int i = 0; i < 100; i++) {
        int64_t rt = 100 + i * 100;
        stats_vu_created(st, 0, i % 4 == 3, 50);
        stats_request(st, 0, 0);
        stats_response(st, 0, 0, 200, rt, rt + 50, rt * 2, 1000);
        stats_vu_completed(st, 0, 50000);
        if (i % 10 == 9) {
            struct host_sample h = {.load1 = 0.25 + i / 100.0,
                                    .cpu_pct = 10 + i / 10,
                                    .self_cpu_pct = 5,
                                    .mem_total_kb = 8000000,
                                    .mem_used_kb = 2000000 + (uint64_t)i,
                                    .ncpu = 8};
            stats_close_second(st, 10, 0, &h);
        }
    }
    stats_close_interval(st, 10000000);
    stats_event(st, 10000000, "phase", "phase 1 (%s) started", "ramp");
    for (int i = 0; i < 50; i++) {
        stats_vu_created(st, 1, 0, 1000);
        stats_request(st, 1, 1);
        if (i < 40) {
            int64_t rt = 20000 + i * 1000;
            stats_response(st, 1, 1, i < 30 ? 200 : 503, rt, rt, rt + 500, 10);
            stats_vu_completed(st, 1, 60000);
        } else {
            stats_error(st, 1, 1, "ECONNRESET");
            stats_vu_failed(st, 1, 70000);
        }
        if (i % 10 == 9) {
            stats_vu_skipped(st, 1);
            stats_close_second(st, 12.5 + i / 10, 1, NULL);
        }
    }
}

static json_t *at(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
        o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
    return o;
}

static long long ival(json_t *o, const char *path)
{
    json_t *v = at(o, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -999999;
}

static double rval(json_t *o, const char *path)
{
    json_t *v = at(o, path);
    return json_is_number(v) ? json_number_value(v) : -999999;
}

static const char *sval(json_t *o, const char *path)
{
    return json_string_value(at(o, path));
}

static json_t *load_report(struct plan *p, struct stats *st, char **text)
{
    make_plan(p);
    make_stats(st);
    struct report_meta m = {.start_wall_us = START_WALL,
                            .now_wall_us = START_WALL + 15000000,
                            .elapsed_us = 15000000,
                            .state = "running",
                            .version = "0.1.0",
                            .argv_line = "loadtop run load.yml"};
    *text = report_file_text(p, st, &m);
    return json_loads(*text, 0, NULL);
}

TEST(report_json_aggregate)
{
    struct plan p;
    struct stats st;
    char *text;
    json_t *r = load_report(&p, &st, &text);
    ASSERT(r);
    ASSERT(text[strlen(text) - 1] == '\n');
    json_t *c = at(r, "aggregate/counters");
    ASSERT_EQ(ival(c, "vusers.created"), 150);
    ASSERT_EQ(ival(c, "vusers.created_by_name.browse"), 125);
    ASSERT_EQ(ival(c, "vusers.created_by_name.buy"), 25);
    ASSERT_EQ(ival(c, "vusers.skipped"), 5);
    ASSERT_EQ(ival(c, "vusers.completed"), 140);
    ASSERT_EQ(ival(c, "vusers.failed"), 10);
    ASSERT_EQ(ival(c, "http.requests"), 150);
    ASSERT_EQ(ival(c, "http.responses"), 140);
    ASSERT_EQ(ival(c, "http.codes.200"), 130);
    ASSERT_EQ(ival(c, "http.codes.503"), 10);
    ASSERT_EQ(ival(c, "http.downloaded_bytes"), 100400);
    ASSERT_EQ(ival(c, "errors.ECONNRESET"), 10);
    ASSERT(!json_object_get(c, "http.codes.404"));
    ASSERT(!json_object_get(c, "http.codes.0"));
    ASSERT_EQ(json_object_size(c), 12);
    /* Keys are in Artillery's (alphabetical) order. */
    const char *prev = "";
    for (void *it = json_object_iter(c); it; it = json_object_iter_next(c, it)) {
        ASSERT(strcmp(prev, json_object_iter_key(it)) < 0);
        prev = json_object_iter_key(it);
    }
    ASSERT_EQ(ival(r, "aggregate/rates/http.request_rate"), 10); /* 150 over 15 s */
    ASSERT_EQ(ival(r, "aggregate/firstMetricAt"), 1700000000123);
    ASSERT_EQ(ival(r, "aggregate/lastMetricAt"), 1700000015123);
    ASSERT_EQ(ival(r, "aggregate/period"), 1700000000123);

    /* 140 response times: 0.1..10 ms (100) and 20..59 ms (40). */
    json_t *s = at(r, "aggregate/summaries/http.response_time");
    double sum = 0;
    for (int i = 0; i < 100; i++)
        sum += 100 + i * 100;
    for (int i = 0; i < 40; i++)
        sum += 20000 + i * 1000;
    ASSERT_EQ(ival(s, "count"), 140);
    ASSERT_NEAR(rval(s, "min"), 0.1, 1e-9);
    ASSERT_NEAR(rval(s, "max"), 59.0, 1e-9);
    ASSERT_NEAR(rval(s, "mean"), round(sum / 140 / 100) / 10, 1e-9);
    ASSERT_NEAR(rval(s, "p50"), 7.0, 7.0 * 0.001 + 0.05); /* 70th value */
    ASSERT_NEAR(rval(s, "median"), rval(s, "p50"), 0);
    ASSERT_NEAR(rval(s, "p75"), 24.0, 24.0 * 0.001 + 0.05); /* 105th */
    ASSERT_NEAR(rval(s, "p90"), 45.0, 45.0 * 0.001 + 0.05); /* 126th */
    ASSERT_NEAR(rval(s, "p95"), 52.0, 52.0 * 0.001 + 0.05); /* 133rd */
    ASSERT_NEAR(rval(s, "p99"), 58.0, 58.0 * 0.001 + 0.05); /* 139th */
    ASSERT_NEAR(rval(s, "p999"), 59.0, 59.0 * 0.001 + 0.05);
    ASSERT_EQ(ival(r, "aggregate/summaries/vusers.session_length/count"), 150);
    ASSERT_NEAR(rval(r, "aggregate/summaries/vusers.session_length/max"), 70.0, 1e-9);
    ASSERT_EQ(ival(r, "aggregate/summaries/loadtop.schedule_lag/count"), 150);
    ASSERT_NEAR(rval(r, "aggregate/summaries/loadtop.schedule_lag/min"), 0.05,
                1e-9); /* 50 µs, not 0.1 */
    ASSERT_NEAR(rval(r, "aggregate/summaries/http.latency/max"), 59.5, 1e-9);

    struct hist *h = hist_new();
    ASSERT_EQ(hist_decode(h, sval(r, "aggregate/histograms/http.total")), 0);
    ASSERT_EQ(h->count, 140);
    ASSERT_EQ(h->min, 150);
    ASSERT_EQ(h->max, 59000);
    free(h);
    /* Reals print rounded, not as 0.10000000000000001. */
    ASSERT(strstr(text, "\"min\": 0.1,"));
    ASSERT(strstr(text, "\"max\": 59.0,"));
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

TEST(report_json_intermediate)
{
    struct plan p;
    struct stats st;
    char *text;
    json_t *r = load_report(&p, &st, &text);
    ASSERT(r);
    ASSERT_EQ(json_array_size(at(r, "intermediate")), 1);
    json_t *iv = at(r, "intermediate/0");
    ASSERT_EQ(ival(iv, "counters/http.requests"), 100);
    ASSERT_EQ(ival(iv, "counters/http.codes.200"), 100);
    ASSERT_EQ(ival(iv, "counters/vusers.created"), 100);
    ASSERT_EQ(ival(iv, "counters/vusers.skipped"), 0);
    ASSERT(!at(iv, "counters/errors.ECONNRESET"));
    ASSERT(!at(iv, "counters/vusers.created_by_name.browse"));
    ASSERT_EQ(ival(iv, "rates/http.request_rate"), 10);
    ASSERT_EQ(ival(iv, "period"), 1700000000123);
    ASSERT_EQ(ival(iv, "firstMetricAt"), 1700000000123);
    ASSERT_EQ(ival(iv, "lastMetricAt"), 1700000010123);
    ASSERT_EQ(ival(iv, "summaries/http.response_time/count"), 100);
    ASSERT_NEAR(rval(iv, "summaries/http.response_time/max"), 10.0, 1e-9);
    ASSERT_NEAR(rval(iv, "summaries/http.response_time/mean"), 5.1, 1e-9); /* 5050 µs */
    struct hist *h = hist_new();
    ASSERT_EQ(hist_decode(h, sval(iv, "histograms/http.response_time")), 0);
    ASSERT_EQ(h->count, 100);
    free(h);
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

TEST(report_json_phases_endpoints)
{
    struct plan p;
    struct stats st;
    char *text;
    json_t *r = load_report(&p, &st, &text);
    ASSERT(r);
    ASSERT_EQ(json_array_size(at(r, "phases")), 3);
    json_t *p0 = at(r, "phases/0"), *p1 = at(r, "phases/1"), *p2 = at(r, "phases/2");
    ASSERT_EQ(ival(p0, "index"), 0);
    ASSERT_STR(sval(p0, "name"), "warm");
    ASSERT_STR(sval(p0, "kind"), "constant");
    ASSERT_NEAR(rval(p0, "duration"), 10, 0);
    ASSERT_NEAR(rval(p0, "arrivalRate"), 10, 0);
    ASSERT(json_is_null(at(p0, "rampTo")));
    ASSERT(json_is_null(at(p0, "arrivalCount")));
    ASSERT(json_is_null(at(p0, "maxVusers")));
    ASSERT_EQ(ival(p0, "planned"), 100);
    ASSERT_EQ(ival(p0, "arrivals"), 100);
    ASSERT_NEAR(rval(p0, "startedAt"), 0, 0);
    ASSERT_NEAR(rval(p0, "endedAt"), 10, 0);
    ASSERT_NEAR(rval(p0, "achievedRate"), 10, 0);
    ASSERT_EQ(ival(p0, "counters/vusers.completed"), 100);
    ASSERT_EQ(ival(p0, "counters/http.codes.200"), 100);
    ASSERT_EQ(ival(p0, "summaries/http.response_time/count"), 100);

    ASSERT_STR(sval(p1, "kind"), "ramp");
    ASSERT_NEAR(rval(p1, "rampTo"), 50, 0);
    ASSERT_EQ(ival(p1, "maxVusers"), 100);
    ASSERT_EQ(ival(p1, "planned"), 600);
    ASSERT_EQ(ival(p1, "arrivals"), 55); /* 50 created + 5 skipped */
    ASSERT_NEAR(rval(p1, "startedAt"), 10, 0);
    ASSERT(json_is_null(at(p1, "endedAt")));
    ASSERT_NEAR(rval(p1, "achievedRate"), 11, 0); /* 55 over 5 s so far */
    ASSERT_EQ(ival(p1, "counters/errors.ECONNRESET"), 10);
    ASSERT_EQ(ival(p1, "counters/http.codes.503"), 10);
    ASSERT_EQ(ival(p1, "counters/vusers.failed"), 10);
    ASSERT(!at(p1, "counters/http.codes.404"));
    ASSERT_NEAR(rval(p1, "summaries/http.response_time/min"), 20.0, 1e-9);

    ASSERT_STR(sval(p2, "kind"), "pause");
    ASSERT(json_is_null(at(p2, "arrivalRate")));
    ASSERT(json_is_null(at(p2, "startedAt")));
    ASSERT(json_is_null(at(p2, "achievedRate")));
    ASSERT_EQ(ival(p2, "arrivals"), 0);

    ASSERT_EQ(json_array_size(at(r, "endpoints")), 2);
    json_t *e0 = at(r, "endpoints/0"), *e1 = at(r, "endpoints/1");
    ASSERT_STR(sval(e0, "name"), "GET /");
    ASSERT_STR(sval(e1, "name"), "POST /login");
    ASSERT_EQ(ival(e0, "counters/http.requests"), 100);
    ASSERT_EQ(ival(e0, "counters/http.downloaded_bytes"), 100000);
    ASSERT(!at(e0, "counters/vusers.created"));
    ASSERT_EQ(ival(e1, "counters/http.requests"), 50);
    ASSERT_EQ(ival(e1, "counters/http.responses"), 40);
    ASSERT_EQ(ival(e1, "counters/errors.ECONNRESET"), 10);
    ASSERT_EQ(ival(e1, "summaries/http.latency/count"), 40);
    ASSERT_NEAR(rval(e1, "summaries/http.latency/min"), 20.5, 1e-9);
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

TEST(report_json_timeline_host_events_run)
{
    struct plan p;
    struct stats st;
    char *text;
    json_t *r = load_report(&p, &st, &text);
    ASSERT(r);
    ASSERT_EQ(json_array_size(at(r, "timeline")), 15);
    json_t *s0 = at(r, "timeline/0");
    ASSERT_EQ(ival(s0, "t"), 0);
    ASSERT_EQ(ival(s0, "phase"), 0);
    ASSERT_NEAR(rval(s0, "targetRate"), 10, 0);
    ASSERT_EQ(ival(s0, "arrivals"), 10);
    ASSERT_EQ(ival(s0, "skipped"), 0);
    ASSERT_EQ(ival(s0, "requests"), 10);
    ASSERT_EQ(ival(s0, "responses"), 10);
    ASSERT_EQ(ival(s0, "codes/2xx"), 10);
    ASSERT_EQ(json_object_size(at(s0, "codes")), 1);
    ASSERT_EQ(json_object_size(at(s0, "errors")), 0);
    ASSERT_NEAR(rval(s0, "p50"), 0.5, 1e-9); /* 500 µs of 100..1000 */
    ASSERT_NEAR(rval(s0, "p99"), 1.0, 1e-9);
    ASSERT_NEAR(rval(s0, "latencyP99"), 2.0, 1e-9);
    ASSERT_NEAR(rval(s0, "load1"), 0.34, 1e-9);
    ASSERT_NEAR(rval(s0, "cpu"), 10, 1e-9);
    ASSERT_EQ(ival(s0, "memUsedKb"), 2000009);
    json_t *s14 = at(r, "timeline/14");
    ASSERT_EQ(ival(s14, "t"), 14);
    ASSERT_EQ(ival(s14, "phase"), 1);
    ASSERT_NEAR(rval(s14, "targetRate"), 16.5, 1e-9);
    ASSERT_EQ(ival(s14, "arrivals"), 11); /* 10 created + 1 skipped */
    ASSERT_EQ(ival(s14, "skipped"), 1);
    ASSERT_EQ(ival(s14, "failed"), 10);
    ASSERT_EQ(ival(s14, "responses"), 0);
    ASSERT_EQ(ival(s14, "errors/ECONNRESET"), 10);
    ASSERT_EQ(ival(r, "timeline/13/codes/5xx"), 10);
    ASSERT(!at(r, "timeline/13/codes/2xx"));

    ASSERT_NEAR(rval(r, "host/load1Peak"), 1.24, 1e-9);
    ASSERT_NEAR(rval(r, "host/cpuPeak"), 19, 1e-9);
    ASSERT_NEAR(rval(r, "host/selfCpuPeak"), 5, 1e-9);
    ASSERT_EQ(ival(r, "host/memTotalKb"), 8000000);
    ASSERT_EQ(ival(r, "host/memUsedKbPeak"), 2000099);
    ASSERT_EQ(ival(r, "host/ncpu"), 8);

    ASSERT_EQ(json_array_size(at(r, "events")), 1);
    ASSERT_NEAR(rval(r, "events/0/t"), 10, 0);
    ASSERT_STR(sval(r, "events/0/kind"), "phase");
    ASSERT_STR(sval(r, "events/0/text"), "phase 1 (ramp) started");

    ASSERT_STR(sval(r, "run/version"), "0.1.0");
    ASSERT_STR(sval(r, "run/state"), "running");
    ASSERT_STR(sval(r, "run/command"), "loadtop run load.yml");
    ASSERT_STR(sval(r, "run/target"), "http://localhost:8080");
    ASSERT_STR(sval(r, "run/script"), "load.yml");
    ASSERT_STR(sval(r, "run/startedAt"), "2023-11-14T22:13:20.123Z");
    ASSERT_NEAR(rval(r, "run/elapsed"), 15, 0);
    ASSERT_EQ(ival(r, "run/plannedArrivals"), 700);
    ASSERT_STR(sval(r, "plan/model"), "open");
    ASSERT_NEAR(rval(r, "plan/duration"), 35, 0);
    ASSERT_STR(sval(r, "plan/scenarios/1/name"), "buy");
    ASSERT_EQ(ival(r, "plan/scenarios/0/weight"), 3);
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

TEST(report_json_empty_run)
{
    struct plan p = {0};
    struct stats st;
    stats_init(&st, 0, 0, 0);
    struct report_meta m = {.start_wall_us = 0, .elapsed_us = 0, .state = "done"};
    char *text = report_file_text(&p, &st, &m);
    json_t *r = json_loads(text, 0, NULL);
    ASSERT(r);
    ASSERT_EQ(ival(r, "aggregate/counters/vusers.created"), 0);
    ASSERT_EQ(ival(r, "aggregate/rates/http.request_rate"), 0);
    ASSERT_EQ(ival(r, "aggregate/summaries/http.response_time/count"), 0);
    ASSERT_NEAR(rval(r, "aggregate/summaries/http.response_time/min"), 0, 0);
    ASSERT_EQ(json_array_size(at(r, "timeline")), 0);
    ASSERT(json_is_null(at(r, "run/version")));
    ASSERT_STR(sval(r, "run/startedAt"), "1970-01-01T00:00:00.000Z");
    json_decref(r);
    free(text);
    stats_free(&st);
}

static char *print_block(const struct counters *c, const struct sumstat s[SUM_N],
                         const char *const *names, int nerrors, double secs, double target,
                         const struct host_sample *host)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    report_print_block(f, "Metrics for period to: 12:00:10 (width: 9.998s)", c, s, names, nerrors,
                       secs, target, host);
    fclose(f);
    return out;
}

TEST(report_print_block_exact)
{
    struct counters c = {.vu_created = 50,
                         .vu_completed = 40,
                         .vu_failed = 3,
                         .vu_skipped = 1,
                         .requests = 502,
                         .responses = 492};
    c.codes[200] = 490;
    c.codes[503] = 2;
    c.errors[0] = 12;
    const char *names[] = {"ECONNRESET", "ETIMEDOUT"};
    struct sumstat s[SUM_N] = {0};
    s[SUM_RESPONSE_TIME] = (struct sumstat){.count = 492,
                                            .min = 400,
                                            .max = 12100,
                                            .mean = 1234.5,
                                            .p50 = 900,
                                            .p95 = 3000,
                                            .p99 = 7949};
    s[SUM_LATENCY] = (struct sumstat){.count = 492,
                                      .min = 42, /* sub-ms: never "0" */
                                      .max = 15000,
                                      .mean = 2000,
                                      .p50 = 1000,
                                      .p95 = 4000,
                                      .p99 = 9960};
    s[SUM_SESSION] = (struct sumstat){.count = 3, .max = 1}; /* not printed */
    struct host_sample host = {.load1 = 0.52, .load5 = 0.4, .load15 = 0.33};
    char *out = print_block(&c, s, names, 2, 9.998, 50, &host);
    ASSERT_STR(out, "--------------------------------------\n"
                    "Metrics for period to: 12:00:10 (width: 9.998s)\n"
                    "--------------------------------------\n"
                    "\n"
                    "errors.ECONNRESET: ......................... 12\n"
                    "host.load_avg: ............................. 0.52 0.40 0.33\n"
                    "http.codes.200: ............................ 490\n"
                    "http.codes.503: ............................ 2\n"
                    "http.downloaded_bytes: ..................... 0\n"
                    "http.latency:\n"
                    "  min: ..................................... 0.042\n"
                    "  max: ..................................... 15\n"
                    "  mean: .................................... 2\n"
                    "  median: .................................. 1\n"
                    "  p95: ..................................... 4\n"
                    "  p99: ..................................... 10\n"
                    "http.request_rate: ......................... 50/sec (target 50/sec)\n"
                    "http.requests: ............................. 502\n"
                    "http.response_time:\n"
                    "  min: ..................................... 0.4\n"
                    "  max: ..................................... 12.1\n"
                    "  mean: .................................... 1.2\n"
                    "  median: .................................. 0.9\n"
                    "  p95: ..................................... 3\n"
                    "  p99: ..................................... 7.9\n"
                    "http.responses: ............................ 492\n"
                    "vusers.completed: .......................... 40\n"
                    "vusers.created: ............................ 50\n"
                    "vusers.failed: ............................. 3\n"
                    "vusers.skipped: ............................ 1\n"
                    "\n");
    free(out);
}

TEST(report_print_block_minimal)
{
    /* No host, no target, no responses: no summaries; the rate over the
     * real window, however short (a -n run of 0.5 s). */
    struct counters c = {.requests = 7, .downloaded_bytes = 123};
    struct sumstat s[SUM_N] = {0};
    char *out = print_block(&c, s, NULL, 0, 0.5, -1, NULL);
    ASSERT_STR(out, "--------------------------------------\n"
                    "Metrics for period to: 12:00:10 (width: 9.998s)\n"
                    "--------------------------------------\n"
                    "\n"
                    "http.downloaded_bytes: ..................... 123\n"
                    "http.request_rate: ......................... 14/sec\n"
                    "http.requests: ............................. 7\n"
                    "http.responses: ............................ 0\n"
                    "vusers.completed: .......................... 0\n"
                    "vusers.created: ............................ 0\n"
                    "vusers.failed: ............................. 0\n"
                    "vusers.skipped: ............................ 0\n"
                    "\n");
    free(out);
}

TEST(report_named_counters)
{
    struct plan p = {0};
    struct stats st;
    stats_init(&st, 1, 0, 0);
    int ok = stats_counter_index(&st, "plugins.expect.ok");
    int bad = stats_counter_index(&st, "plugins.expect.failed.statusCode");
    stats_counter_index(&st, "never.counted");
    stats_count(&st, 0, -1, ok, 4);
    stats_count(&st, 0, -1, bad, 2);
    stats_close_interval(&st, 1000000);
    stats_count(&st, 0, -1, ok, 1);
    struct report_meta m = {.start_wall_us = 0, .elapsed_us = 2000000, .state = "done"};
    char *text = report_file_text(&p, &st, &m);
    json_t *r = json_loads(text, 0, NULL);
    ASSERT_EQ(ival(r, "aggregate/counters/plugins.expect.ok"), 5);
    ASSERT_EQ(ival(r, "aggregate/counters/plugins.expect.failed.statusCode"), 2);
    ASSERT(at(r, "aggregate/counters/never.counted") == NULL); /* zero: left out, as codes */
    ASSERT_EQ(ival(r, "intermediate/0/counters/plugins.expect.ok"), 4);
    json_decref(r);
    free(text);
    /* the text block finds the names in the counters themselves */
    struct sumstat s[SUM_N] = {0};
    char *out = print_block(&st.total.c, s, NULL, 0, 2, -1, NULL);
    ASSERT(strstr(out, "\nplugins.expect.failed.statusCode: .......... 2\n"
                       "plugins.expect.ok: ......................... 5\n"
                       "vusers.completed: "));
    free(out);
    stats_free(&st);
}

/* Phases and endpoints carry lossless histograms: decoding one gives the
 * same counts and percentiles as the recorded group. */
TEST(report_json_group_histograms_roundtrip)
{
    struct plan p;
    struct stats st;
    char *text;
    json_t *r = load_report(&p, &st, &text);
    ASSERT(r);
    const char *paths[] = {"phases/0", "phases/1", "endpoints/0", "endpoints/1"};
    const struct group *groups[] = {&st.phase[0], &st.phase[1], &st.endpoint[0], &st.endpoint[1]};
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < SUM_N; k++) {
            json_t *h = json_object_get(json_object_get(at(r, paths[i]), "histograms"),
                                        stats_summary_name[k]);
            ASSERT(json_is_string(h));
            struct hist *d = hist_new();
            ASSERT_EQ(hist_decode(d, json_string_value(h)), 0);
            ASSERT_EQ(d->count, groups[i]->sum[k]->count);
            ASSERT_EQ(hist_percentile(d, 99), hist_percentile(groups[i]->sum[k], 99));
            free(d);
        }
    }
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

/* Counter names were cut at 127 bytes: two scenarios whose names share
 * that much were one key (the later count won), and a cut inside a UTF-8
 * sequence made jansson refuse the key, so the counter went missing. */
TEST(report_long_names_keep_their_counters)
{
    struct buf a = {0}, b = {0}, err = {0};
    for (int i = 0; i < 70; i++)
        buf_puts(&a, "\xc3\xa9"); /* é */
    buf_puts(&b, a.data);
    buf_puts(&a, " A");
    buf_puts(&b, " B");
    buf_puts(&err, "Failed expectations for request ");
    for (int i = 0; i < 20; i++)
        buf_puts(&err, "http://127.0.0.1:8080/a/long/path");
    struct plan p = {0};
    p.nscenarios = 2;
    p.scenarios = xcalloc(2, sizeof *p.scenarios);
    p.scenarios[0] = (struct scenario){.name = xstrdup(a.data), .weight = 1};
    p.scenarios[1] = (struct scenario){.name = xstrdup(b.data), .weight = 1};
    struct stats st;
    stats_init(&st, 1, 0, 2);
    stats_vu_created(&st, 0, 0, 0);
    stats_vu_created(&st, 0, 1, 0);
    stats_vu_created(&st, 0, 1, 0);
    stats_error(&st, 0, -1, err.data);
    stats_vu_failed(&st, 0, 0);
    struct report_meta m = {.start_wall_us = 0, .elapsed_us = 1000000, .state = "done"};
    char *text = report_file_text(&p, &st, &m);
    json_t *r = json_loads(text, 0, NULL);
    json_t *c = at(r, "aggregate/counters");
    char *ka = xasprintf("vusers.created_by_name.%s", a.data);
    char *kb = xasprintf("vusers.created_by_name.%s", b.data);
    char *ke = xasprintf("errors.%s", err.data);
    ASSERT_EQ(json_integer_value(json_object_get(c, ka)), 1);
    ASSERT_EQ(json_integer_value(json_object_get(c, kb)), 2);
    ASSERT_EQ(json_integer_value(json_object_get(c, ke)), 1);
    /* the text block prints the whole name too */
    struct sumstat s[SUM_N] = {0};
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    report_print_block(f, "Summary report", &st.total.c, s, st.error_names, st.nerrors, 1, -1,
                       NULL);
    fclose(f);
    char *line = xasprintf("\n%s: . 1\n", ke);
    ASSERT(strstr(out, line));
    free(line);
    free(out);
    free(ka);
    free(kb);
    free(ke);
    json_decref(r);
    free(text);
    stats_free(&st);
    plan_free(&p);
    buf_free(&a);
    buf_free(&b);
    buf_free(&err);
}

/* An event's text is cut to its buffer at a character: cut inside a UTF-8
 * sequence, the report held "text": null and the log line was lost. */
TEST(report_event_text_cut_on_characters)
{
    struct buf msg = {0};
    buf_puts(&msg, "xx");
    for (int i = 0; i < 100; i++)
        buf_puts(&msg, "\xc3\xa9");
    struct plan p = {0};
    struct stats st;
    stats_init(&st, 1, 0, 0);
    stats_event(&st, 1000000, "log", "%s", msg.data);
    struct report_meta m = {.start_wall_us = 0, .elapsed_us = 2000000, .state = "done"};
    char *text = report_file_text(&p, &st, &m);
    json_t *r = json_loads(text, 0, NULL);
    const char *got = sval(r, "events/0/text");
    ASSERT(got);
    ASSERT_EQ(strlen(got), 2 + 2 * 54); /* 111 bytes would cut the 55th é */
    ASSERT(!strncmp(got, msg.data, strlen(got)));
    json_decref(r);
    free(text);
    stats_free(&st);
    buf_free(&msg);
}

/* A measured value of 1e70 printed "%.2f" into 64 bytes lost its last
 * digits: the check's message showed a number 1e8 times too small. */
TEST(report_check_message_of_huge_values)
{
    json_t *r = json_loads("{\"aggregate\": {\"counters\": {\"x\": 1e70, \"y\": 2.5e20,"
                           " \"z\": -1e300}}}",
                           0, NULL);
    struct check_spec specs[3];
    check_spec_condition(&specs[0], "x > 0", 1, 0, 0);
    check_spec_condition(&specs[1], "y > 0", 1, 0, 0);
    check_spec_condition(&specs[2], "z < 0", 1, 0, 0);
    struct check_result *res = checks_eval(specs, 3, r);
    ASSERT_STR(res[0].message, "x = 1e+70");
    ASSERT_STR(res[1].message, "y = 250000000000000000000");
    ASSERT_STR(res[2].message, "z = -1e+300");
    check_results_free(res, 3);
    for (int i = 0; i < 3; i++) {
        free(specs[i].text);
        free(specs[i].expr);
    }
    json_decref(r);
}

/* A target rate of 1e300 (a script may ask for it) printed "%.1f" into 32
 * bytes: the cut digits read as a 31-digit number. */
TEST(report_print_block_huge_target)
{
    struct counters c = {.requests = 7};
    struct sumstat s[SUM_N] = {0};
    char *out = print_block(&c, s, NULL, 0, 1, 1e300, NULL);
    ASSERT(
        strstr(out, "\nhttp.request_rate: ......................... 7/sec (target 1e+300/sec)\n"));
    free(out);
}
