/* test_stats.c — stats.c: exact counters per group, timeline seconds,
 * intervals, error interning, events. */
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "test.h"
#include "util.h"

/* 2 phases, 3 endpoints, 2 scenarios; a fixed mix of records. */
static void record_mix(struct stats *st)
{
    stats_init(st, 2, 3, 2);
    for (int i = 0; i < 3; i++)
        stats_vu_created(st, 0, 1, 100 * (i + 1));
    stats_vu_created(st, 1, 0, 400);
    stats_vu_created(st, 1, 0, 500);
    stats_vu_skipped(st, 1);
    stats_vu_completed(st, 0, 20000);
    stats_vu_completed(st, 0, 30000);
    stats_vu_failed(st, 1, 5000);
    for (int i = 0; i < 4; i++)
        stats_request(st, 0, 0);
    stats_request(st, 1, 1);
    stats_request(st, 1, 2);
    stats_response(st, 0, 0, 200, 1000, 1500, 2000, 100);
    stats_response(st, 0, 0, 200, 3000, 3500, 4000, 100);
    stats_response(st, 0, 0, 404, 5000, 5500, 6000, 10);
    stats_response(st, 1, 1, 1700, 7000, 7500, 8000, 1);
    stats_response(st, 1, 2, -1, 9000, 9500, 10000, 0);
    stats_error(st, 0, 0, "ECONNRESET");
    stats_error(st, 1, 2, "ETIMEDOUT");
    stats_error(st, 1, 2, "ECONNRESET");
}

TEST(stats_counters_per_group)
{
    struct stats st;
    record_mix(&st);
    const struct counters *t = &st.total.c, *p0 = &st.phase[0].c, *p1 = &st.phase[1].c;
    ASSERT_EQ(t->vu_created, 5);
    ASSERT_EQ(t->vu_skipped, 1);
    ASSERT_EQ(t->vu_completed, 2);
    ASSERT_EQ(t->vu_failed, 1);
    ASSERT_EQ(t->requests, 6);
    ASSERT_EQ(t->responses, 5);
    ASSERT_EQ(t->downloaded_bytes, 211);
    ASSERT_EQ(t->codes[200], 2);
    ASSERT_EQ(t->codes[404], 1);
    ASSERT_EQ(t->codes[0], 2); /* 1700 and -1: no such status line */
    ASSERT_EQ(t->code_class[2], 2);
    ASSERT_EQ(t->code_class[4], 1);
    ASSERT_EQ(t->code_class[0], 2);
    ASSERT_EQ(t->code_class[1] + t->code_class[3] + t->code_class[5], 0);
    ASSERT_EQ(st.nerrors, 2);
    ASSERT_STR(st.error_names[0], "ECONNRESET");
    ASSERT_STR(st.error_names[1], "ETIMEDOUT");
    ASSERT_EQ(t->errors[0], 2);
    ASSERT_EQ(t->errors[1], 1);
    ASSERT_EQ(counters_errors(t), 3);

    ASSERT_EQ(p0->vu_created, 3);
    ASSERT_EQ(p0->vu_completed, 2);
    ASSERT_EQ(p0->vu_skipped, 0);
    ASSERT_EQ(p0->requests, 4);
    ASSERT_EQ(p0->responses, 3);
    ASSERT_EQ(p0->errors[0], 1);
    ASSERT_EQ(p1->vu_created, 2);
    ASSERT_EQ(p1->vu_skipped, 1);
    ASSERT_EQ(p1->vu_failed, 1);
    ASSERT_EQ(p1->requests, 2);
    ASSERT_EQ(p1->codes[0], 2);
    ASSERT_EQ(p1->errors[0], 1);
    ASSERT_EQ(p1->errors[1], 1);

    ASSERT_EQ(st.endpoint[0].c.requests, 4);
    ASSERT_EQ(st.endpoint[0].c.codes[200], 2);
    ASSERT_EQ(st.endpoint[0].c.codes[404], 1);
    ASSERT_EQ(st.endpoint[0].c.downloaded_bytes, 210);
    ASSERT_EQ(st.endpoint[0].c.vu_created, 0); /* VU events have no endpoint */
    ASSERT_EQ(st.endpoint[1].c.codes[0], 1);
    ASSERT_EQ(st.endpoint[1].c.code_class[0], 1);
    ASSERT_EQ(st.endpoint[0].c.code_class[4], 1);
    ASSERT_EQ(st.endpoint[2].c.errors[0], 1);
    ASSERT_EQ(st.endpoint[2].c.errors[1], 1);

    ASSERT_EQ(st.created_by_scenario[0], 2);
    ASSERT_EQ(st.created_by_scenario[1], 3);
    /* The open interval saw everything, like the total. */
    ASSERT(!memcmp(&st.cur.c, t, sizeof *t));
    stats_free(&st);
}

TEST(stats_groups_sum_to_total)
{
    struct stats st;
    record_mix(&st);
    struct counters ph = {0}, ep = {0};
    for (int i = 0; i < st.nphases; i++)
        counters_add(&ph, &st.phase[i].c);
    for (int i = 0; i < st.nendpoints; i++)
        counters_add(&ep, &st.endpoint[i].c);
    ASSERT(!memcmp(&ph, &st.total.c, sizeof ph));
    ASSERT_EQ(ep.requests, st.total.c.requests);
    ASSERT_EQ(ep.responses, st.total.c.responses);
    ASSERT_EQ(counters_errors(&ep), counters_errors(&st.total.c));
    uint64_t codes = 0;
    for (int i = 0; i < STATS_MAX_CODES; i++)
        codes += st.total.c.codes[i];
    ASSERT_EQ(codes, st.total.c.responses);
    for (int k = 0; k < SUM_N; k++) {
        uint64_t n = 0;
        for (int i = 0; i < st.nphases; i++)
            n += st.phase[i].sum[k]->count;
        ASSERT_EQ(n, st.total.sum[k]->count);
    }
    ASSERT_EQ(st.total.sum[SUM_LAG]->count, 5);
    ASSERT_EQ(st.total.sum[SUM_LAG]->max, 500);
    ASSERT_EQ(st.total.sum[SUM_SESSION]->count, 3);
    ASSERT_EQ(st.total.sum[SUM_SESSION]->min, 5000);
    ASSERT_EQ(st.total.sum[SUM_RESPONSE_TIME]->count, 5);
    ASSERT_EQ(st.endpoint[0].sum[SUM_LATENCY]->count, 3);
    ASSERT_EQ(st.endpoint[0].sum[SUM_LATENCY]->max, 6000);
    ASSERT_EQ(st.endpoint[2].sum[SUM_TOTAL]->min, 9500);
    stats_free(&st);
}

/* Any three digits are a status line's code: 999 is counted as 999 (as
 * Node and Artillery do), in the "other" class. */
TEST(stats_status_999)
{
    struct stats st;
    stats_init(&st, 1, 1, 1);
    stats_response(&st, 0, 0, 999, 1000, 1000, 1000, 0);
    ASSERT_EQ(st.total.c.codes[999], 1);
    ASSERT_EQ(st.total.c.codes[0], 0);
    ASSERT_EQ(st.total.c.code_class[0], 1);
    stats_free(&st);
}

TEST(stats_out_of_range_indices)
{
    struct stats st;
    stats_init(&st, 1, 1, 1);
    stats_vu_created(&st, -1, 5, 10);
    stats_request(&st, 3, -1);
    stats_response(&st, 1, 1, 200, 10, 10, 10, 0);
    ASSERT_EQ(st.total.c.vu_created, 1);
    ASSERT_EQ(st.total.c.requests, 1);
    ASSERT_EQ(st.cur.c.codes[200], 1);
    ASSERT_EQ(st.phase[0].c.vu_created + st.phase[0].c.requests + st.phase[0].c.responses, 0);
    ASSERT_EQ(st.endpoint[0].c.requests + st.endpoint[0].c.responses, 0);
    ASSERT_EQ(st.created_by_scenario[0], 0);
    ASSERT_EQ(st.phase_started_us[0], -1);
    ASSERT_EQ(st.phase_ended_us[0], -1);
    stats_free(&st);
}

TEST(stats_error_interning_and_other)
{
    static char names[40][16];
    struct stats st;
    stats_init(&st, 0, 0, 0);
    ASSERT_EQ(stats_error_index(&st, "EPIPE"), 0);
    char copy[] = "EPIPE"; /* same text, other pointer */
    ASSERT_EQ(stats_error_index(&st, copy), 0);
    for (int i = 1; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "E%d", i);
        stats_error(&st, -1, -1, names[i]);
    }
    ASSERT_EQ(st.nerrors, STATS_MAX_ERRORS);
    ASSERT_STR(st.error_names[30], "E30");
    ASSERT_STR(st.error_names[31], "other");
    ASSERT_EQ(stats_error_index(&st, "E30"), 30);
    ASSERT_EQ(stats_error_index(&st, "E31"), 31);
    ASSERT_EQ(stats_error_index(&st, "ENEW"), 31);
    ASSERT_EQ(st.total.c.errors[30], 1);
    ASSERT_EQ(st.total.c.errors[31], 9); /* E31..E39 */
    ASSERT_EQ(counters_errors(&st.total.c), 39);
    ASSERT_EQ(st.open_sec.errors[31], 9);
    stats_free(&st);
}

TEST(stats_close_second)
{
    struct stats st;
    stats_init(&st, 2, 1, 1);
    for (int v = 1; v <= 1000; v++) {
        stats_request(&st, 1, 0);
        stats_response(&st, 1, 0, v <= 900 ? 200 : 503, v * 10, v * 10, v * 20, 0);
    }
    stats_vu_created(&st, 1, 0, 0);
    stats_vu_skipped(&st, 1);
    stats_vu_failed(&st, 1, 10);
    stats_error(&st, 1, 0, "ECONNREFUSED");
    stats_response(&st, 1, 0, 99, 5000, 5000, 5000, 0); /* class "other" */
    struct host_sample h = {.load1 = 1.5, .cpu_pct = 42, .mem_used_kb = 1000, .ncpu = 4};
    stats_close_second(&st, 25.5, 1, &h);
    ASSERT_EQ(st.nseconds, 1);
    const struct second *s = &st.seconds[0];
    ASSERT_NEAR(s->target_rate, 25.5, 0);
    ASSERT_EQ(s->phase, 1);
    ASSERT_EQ(s->arrivals, 2);
    ASSERT_EQ(s->skipped, 1);
    ASSERT_EQ(s->failed_vus, 1);
    ASSERT_EQ(s->requests, 1000);
    ASSERT_EQ(s->responses, 1001);
    ASSERT_EQ(s->code_class[2], 900);
    ASSERT_EQ(s->code_class[5], 100);
    ASSERT_EQ(s->code_class[0], 1);
    ASSERT_EQ(s->errors[0], 1);
    ASSERT_NEAR(s->p50, 5000, 5);
    ASSERT_NEAR(s->p95, 9500, 9.5);
    ASSERT_NEAR(s->p99, 9900, 9.9);
    ASSERT_NEAR(s->lat_p99, 19800, 19.8);
    ASSERT_NEAR(s->host.load1, 1.5, 0);
    ASSERT_EQ(s->host.ncpu, 4);

    /* The next second starts empty; without a host sample it stays zero. */
    for (int i = 0; i < 39; i++) {
        stats_request(&st, 0, -1);
        stats_close_second(&st, i, 0, NULL);
    }
    ASSERT_EQ(st.nseconds, 40);
    ASSERT_EQ(st.seconds[1].responses, 0);
    ASSERT_EQ(st.seconds[1].requests, 1);
    ASSERT_EQ(st.seconds[1].p99, 0);
    ASSERT_EQ(st.seconds[1].host.ncpu, 0);
    ASSERT_EQ(st.seconds[1].errors[0], 0);
    ASSERT_NEAR(st.seconds[39].target_rate, 38, 0);
    ASSERT_EQ(st.seconds[0].requests, 1000); /* survives growth */
    ASSERT_EQ(st.total.c.requests, 1039);
    stats_free(&st);
}

TEST(stats_close_interval)
{
    struct stats st;
    stats_init(&st, 1, 1, 1);
    for (int v = 1; v <= 100; v++) {
        stats_request(&st, 0, 0);
        stats_response(&st, 0, 0, 200, v * 100, v * 100 + 50, v * 200, 10);
    }
    stats_close_interval(&st, 10000000);
    stats_request(&st, 0, 0);
    stats_response(&st, 0, 0, 500, 777, 800, 900, 3);
    stats_close_interval(&st, 20000000);

    ASSERT_EQ(st.nintervals, 2);
    const struct interval *a = &st.intervals[0], *b = &st.intervals[1];
    ASSERT_EQ(a->start_us, 0);
    ASSERT_EQ(a->end_us, 10000000);
    ASSERT_EQ(b->start_us, 10000000);
    ASSERT_EQ(b->end_us, 20000000);
    ASSERT_EQ(st.cur_start_us, 20000000);
    ASSERT_EQ(a->c.requests, 100);
    ASSERT_EQ(a->c.codes[200], 100);
    ASSERT_EQ(a->c.downloaded_bytes, 1000);
    ASSERT_EQ(b->c.requests, 1);
    ASSERT_EQ(b->c.codes[200], 0);
    ASSERT_EQ(b->c.codes[500], 1);
    ASSERT_EQ(a->s[SUM_RESPONSE_TIME].count, 100);
    ASSERT_EQ(a->s[SUM_RESPONSE_TIME].min, 100);
    ASSERT_EQ(a->s[SUM_RESPONSE_TIME].max, 10000);
    ASSERT_NEAR(a->s[SUM_RESPONSE_TIME].mean, 5050, 1e-9);
    ASSERT_NEAR(a->s[SUM_RESPONSE_TIME].p50, 5000, 5);
    ASSERT_NEAR(a->s[SUM_LATENCY].p90, 18000, 18);
    ASSERT_EQ(a->s[SUM_SESSION].count, 0);
    ASSERT_EQ(b->s[SUM_TOTAL].count, 1);
    ASSERT_EQ(b->s[SUM_TOTAL].p99, 800);

    struct hist *h = hist_new();
    ASSERT_EQ(hist_decode(h, a->hist_enc[SUM_RESPONSE_TIME]), 0);
    ASSERT_EQ(h->count, 100);
    ASSERT_EQ(h->max, 10000);
    ASSERT_EQ(hist_decode(h, b->hist_enc[SUM_RESPONSE_TIME]), 0);
    ASSERT_EQ(h->count, 1);
    ASSERT_EQ(h->min, 777);
    free(h);

    /* Closing resets the open interval but not the total or the phase. */
    ASSERT_EQ(st.cur.c.requests, 0);
    ASSERT_EQ(st.cur.sum[SUM_RESPONSE_TIME]->count, 0);
    ASSERT_EQ(st.total.c.requests, 101);
    ASSERT_EQ(st.phase[0].sum[SUM_RESPONSE_TIME]->count, 101);
    stats_free(&st);
}

TEST(stats_sumstat_of)
{
    struct hist *h = hist_new();
    struct sumstat s;
    sumstat_of(&s, h);
    ASSERT_EQ(s.count, 0);
    ASSERT_EQ(s.min, 0);
    ASSERT_EQ(s.p99, 0);
    for (int v = 1; v <= 10000; v++)
        hist_record(h, v);
    sumstat_of(&s, h);
    ASSERT_EQ(s.count, 10000);
    ASSERT_EQ(s.min, 1);
    ASSERT_EQ(s.max, 10000);
    ASSERT_NEAR(s.mean, 5000.5, 1e-9);
    ASSERT_NEAR(s.p50, 5000, 5);
    ASSERT_NEAR(s.p75, 7500, 7.5);
    ASSERT_NEAR(s.p90, 9000, 9);
    ASSERT_NEAR(s.p95, 9500, 9.5);
    ASSERT_NEAR(s.p99, 9900, 9.9);
    ASSERT_NEAR(s.p999, 9990, 9.99);
    free(h);
}

TEST(stats_events)
{
    struct stats st;
    stats_init(&st, 0, 0, 0);
    char longtext[300];
    memset(longtext, 'x', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    stats_event(&st, 1500000, "phase", "phase %d (%s) started", 2, "ramp");
    stats_event(&st, 2000000, "a-kind-longer-than-16", "%s", longtext);
    for (int i = 0; i < 30; i++)
        stats_event(&st, i, "rate", "rate %d", i);
    ASSERT_EQ(st.nevents, 32);
    ASSERT_EQ(st.events[0].t_us, 1500000);
    ASSERT_STR(st.events[0].kind, "phase");
    ASSERT_STR(st.events[0].text, "phase 2 (ramp) started");
    ASSERT_STR(st.events[1].kind, "a-kind-longer-t");
    ASSERT_EQ(strlen(st.events[1].text), sizeof st.events[1].text - 1);
    ASSERT_STR(st.events[31].text, "rate 29");
    stats_free(&st);
}

TEST(stats_counters_add)
{
    struct counters a = {.requests = 3, .vu_created = 1},
                    b = {.requests = 4, .downloaded_bytes = 9};
    a.codes[200] = 2;
    a.code_class[2] = 2;
    b.codes[200] = 5;
    b.code_class[2] = 5;
    b.codes[0] = 1;
    b.code_class[0] = 1;
    b.errors[3] = 7;
    counters_add(&a, &b);
    ASSERT_EQ(a.requests, 7);
    ASSERT_EQ(a.vu_created, 1);
    ASSERT_EQ(a.downloaded_bytes, 9);
    ASSERT_EQ(a.codes[200], 7);
    ASSERT_EQ(a.codes[0], 1);
    ASSERT_EQ(a.code_class[2], 7);
    ASSERT_EQ(a.code_class[0], 1);
    ASSERT_EQ(counters_errors(&a), 7);
}

TEST(stats_named_counters)
{
    struct stats st;
    stats_init(&st, 2, 2, 1);
    char name[32] = "plugins.expect.ok"; /* the stats keep their own copy */
    int ok = stats_counter_index(&st, name);
    strcpy(name, "overwritten");
    int failed = stats_counter_index(&st, "plugins.expect.failed");
    ASSERT_EQ(ok, 0);
    ASSERT_EQ(failed, 1);
    ASSERT_EQ(stats_counter_index(&st, "plugins.expect.ok"), 0);
    stats_count(&st, 1, 0, ok, 3);
    stats_count(&st, 0, -1, failed, 1);
    stats_count(&st, 0, -1, -1, 5); /* a counter that found no slot: ignored */
    ASSERT_EQ(stats_counter(&st, "plugins.expect.ok"), 3);
    ASSERT_EQ(stats_counter(&st, "plugins.expect.failed"), 1);
    ASSERT_EQ(stats_counter(&st, "plugins.expect.failed.statusCode"), 0);
    ASSERT_EQ(st.phase[1].c.counter[ok], 3);
    ASSERT_EQ(st.endpoint[0].c.counter[ok], 3);
    ASSERT_EQ(st.endpoint[1].c.counter[ok], 0);
    ASSERT_STR(st.endpoint[1].c.counter_names[ok], "plugins.expect.ok");
    /* a closed interval keeps values and names; the next one keeps the names */
    stats_close_interval(&st, 1000000);
    ASSERT_EQ(st.intervals[0].c.counter[failed], 1);
    ASSERT_STR(st.intervals[0].c.counter_names[failed], "plugins.expect.failed");
    ASSERT_EQ(st.cur.c.counter[failed], 0);
    ASSERT_STR(st.cur.c.counter_names[failed], "plugins.expect.failed");
    struct counters sum = {0};
    counters_add(&sum, &st.intervals[0].c);
    ASSERT_EQ(sum.counter[ok], 3);
    ASSERT_STR(sum.counter_names[ok], "plugins.expect.ok");
    for (int i = 2; i < STATS_MAX_COUNTERS; i++) {
        snprintf(name, sizeof name, "c%d", i);
        ASSERT_EQ(stats_counter_index(&st, name), i);
    }
    ASSERT_EQ(stats_counter_index(&st, "one.too.many"), -1);
    ASSERT_EQ(counters_errors(&st.total.c), 0); /* named counters are not errors */
    stats_free(&st);
}

/* Pauses: per phase and whole-run totals (the open pause counted up to
 * `now`), each second's paused share, spans, and a pause carried over a
 * phase change split between the phases. */
TEST(stats_pauses)
{
    struct stats st;
    stats_init(&st, 2, 0, 0);
    ASSERT_EQ(stats_paused_us(&st, -1, 5000000), 0);
    stats_pause(&st, 500000, 0); /* 0.5 s into second 0 */
    stats_pause(&st, 700000, 0); /* already paused: nothing */
    ASSERT_EQ(stats_paused_us(&st, 0, 900000), 400000);
    ASSERT_EQ(stats_paused_us(&st, 1, 900000), 0);
    stats_close_second(&st, 0, 0, NULL); /* second 0: paused 0.5 s of it */
    ASSERT_EQ(st.seconds[0].paused_us, 500000);
    stats_resume(&st, 1250000); /* second 1: 0.25 s */
    stats_resume(&st, 1300000); /* not paused: nothing */
    ASSERT_EQ(stats_paused_us(&st, 0, 9000000), 750000);
    ASSERT_EQ(st.npauses, 1);
    ASSERT_EQ(st.pauses[0].start_us, 500000);
    ASSERT_EQ(st.pauses[0].end_us, 1250000);
    /* a skip while paused: resume and pause at once, the rest in phase 1 */
    stats_pause(&st, 1500000, 0);
    stats_resume(&st, 1600000);
    stats_pause(&st, 1600000, 1);
    stats_close_second(&st, 0, 1, NULL); /* second 1: 0.25 + 0.1 + 0.4 s */
    ASSERT_EQ(st.seconds[1].paused_us, 750000);
    stats_resume(&st, 2100000);
    stats_close_second(&st, 0, 1, NULL);
    ASSERT_EQ(st.seconds[2].paused_us, 100000);
    ASSERT_EQ(stats_paused_us(&st, 0, 9000000), 850000);
    ASSERT_EQ(stats_paused_us(&st, 1, 9000000), 500000);
    ASSERT_EQ(stats_paused_us(&st, -1, 9000000), 1350000);
    ASSERT_EQ(st.npauses, 3);
    ASSERT_EQ(st.pauses[2].phase, 1);

    /* a merge takes the run's pauses (every part pauses together) */
    struct stats m;
    stats_init(&m, 2, 0, 0);
    stats_merge(&m, &st);
    ASSERT_EQ(stats_paused_us(&m, -1, 9000000), 1350000);
    ASSERT_EQ(m.npauses, 3);
    ASSERT_EQ(m.seconds[1].paused_us, 750000);
    stats_merge(&m, &st); /* a second part: the same pauses, not twice */
    ASSERT_EQ(stats_paused_us(&m, -1, 9000000), 1350000);
    ASSERT_EQ(m.seconds[1].paused_us, 750000);
    stats_free(&m);
    stats_free(&st);
}
