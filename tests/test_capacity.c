/* test_capacity.c — capacity findings on synthetic runs: clean, breaking at
 * a phase with a named error, latency-only breaks, untrustworthy runs, too
 * little data. */
#include <stdlib.h>

#include "capacity.h"
#include "test.h"

struct syn {
    const char *name;
    double rate; /* arrivals/s for 10 s */
    int requests;
    const char *failure; /* "errors.ECONNRESET", "http.codes.503", or NULL */
    int failures;        /* spread over the phase's seconds 2..9 */
    double p99;          /* ms */
    double achieved;     /* 0: = rate */
};

/* A run in report.c's shape with 10-second constant-rate phases. */
static json_t *syn_run(const struct syn *ph, int n, double self_cpu, double lag_p99)
{
    json_t *phases = json_array(), *tl = json_array();
    int total = 0, fails = 0;
    for (int i = 0; i < n; i++) {
        const struct syn *p = &ph[i];
        json_t *c = json_pack("{s:i, s:i}", "http.requests", p->requests, "http.codes.200",
                              p->requests - p->failures);
        if (p->failure)
            json_object_set_new(c, p->failure, json_integer(p->failures));
        json_array_append_new(
            phases,
            json_pack("{s:i, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:o, s:{s:{s:i, s:f}}}", "index", i,
                      "name", p->name, "kind", "constant", "duration", 10.0, "arrivalRate", p->rate,
                      "startedAt", 10.0 * i, "endedAt", 10.0 * (i + 1), "achievedRate",
                      p->achieved ? p->achieved : p->rate, "counters", c, "summaries",
                      "http.response_time", "count", p->requests - p->failures, "p99", p->p99));
        for (int s = 0; s < 10; s++) {
            int f = p->failure && s >= 2 ? p->failures / 8 : 0;
            json_t *errs = json_object(), *codes = json_object();
            if (f && !strncmp(p->failure, "errors.", 7))
                json_object_set_new(errs, p->failure + 7, json_integer(f));
            else if (f)
                json_object_set_new(codes, "5xx", json_integer(f));
            json_array_append_new(
                tl, json_pack("{s:i, s:i, s:f, s:i, s:i, s:o, s:o, s:f, s:f}", "t", 10 * i + s,
                              "phase", i, "targetRate", p->rate, "requests", p->requests / 10,
                              "responses", p->requests / 10 - f, "errors", errs, "codes", codes,
                              "p99", p->p99, "selfCpu", s == 5 ? self_cpu : 1.0));
        }
        total += p->requests;
        fails += p->failures;
    }
    return json_pack("{s:{s:{s:i, s:i}, s:{s:{s:f}}}, s:o, s:o, s:{s:s}, s:{s:s, s:f}}",
                     "aggregate", "counters", "http.requests", total, "vusers.failed", fails,
                     "summaries", "loadtop.schedule_lag", "p99", lag_p99, "phases", phases,
                     "timeline", tl, "plan", "model", "open", "run", "state", "done", "elapsed",
                     10.0 * n);
}

static const char *find(const struct capacity *c, const char *label)
{
    for (int i = 0; i < c->nitems; i++)
        if (!strcmp(c->items[i].label, label))
            return c->items[i].text;
    return "(no such item)";
}

static struct capacity analyse(json_t *run)
{
    struct capacity c;
    capacity_analyze(run, &c);
    json_decref(run);
    return c;
}

TEST(capacity_clean_run_has_no_breaking_point)
{
    struct syn ph[] = {{"Warmup", 10, 100, NULL, 0, 40, 0},
                       {"Low", 20, 200, NULL, 0, 42, 0},
                       {"Medium", 40, 400, NULL, 0, 45, 0},
                       {"High", 80, 800, NULL, 0, 60, 0},
                       {"Peak", 160, 1600, NULL, 0, 90, 0}};
    struct capacity c = analyse(syn_run(ph, 5, 12, 1.5));
    ASSERT_EQ(c.judged, 5);
    ASSERT_EQ(c.breaking, -1);
    ASSERT_EQ(c.sustainable, 4);
    ASSERT_NEAR(c.sustainable_rate, 160, 0);
    ASSERT_EQ(c.saturated, 0);
    ASSERT_STR(find(&c, "Sustainable load"),
               "**160/s** (phase 5 `Peak`: 0.0% failures, p99 90.0 ms).");
    ASSERT_STR(find(&c, "Breaking point"),
               "not reached: every phase up to 160/s stayed healthy, so the limit lies above "
               "that rate. Add phases at higher rates to find it.");
    ASSERT_STR(c.signature, "");
    ASSERT_STR(find(&c, "Trust"),
               "the generator kept up: loadtop peaked at 12% of one core, its schedule lag p99 was "
               "1.5 ms, and every phase reached at least 90% of its target rate.");
}

TEST(capacity_breaks_at_fourth_phase_with_econnreset)
{
    struct syn ph[] = {{"Warmup", 10, 100, NULL, 0, 40, 0},
                       {"Low", 20, 200, NULL, 0, 42, 0},
                       {"Medium", 40, 400, NULL, 0, 45, 0},
                       {"High", 80, 800, "errors.ECONNRESET", 320, 48, 0},
                       {"Peak", 160, 1600, "errors.ECONNRESET", 1200, 50, 0},
                       {"Cool down", 10, 100, NULL, 0, 40, 0}};
    struct capacity c = analyse(syn_run(ph, 6, 12, 1.5));
    ASSERT_EQ(c.breaking, 3);
    ASSERT_NEAR(c.breaking_rate, 80, 0);
    ASSERT_NEAR(c.breaking_fail_pct, 40, 1e-9);
    ASSERT_EQ(c.sustainable, 2);
    ASSERT_NEAR(c.sustainable_rate, 40, 0);
    ASSERT_STR(c.dominant, "ECONNRESET");
    ASSERT_EQ(c.dominant_count, 320);
    ASSERT_NEAR(c.started_at, 32, 0); /* second 2 of the phase that started at 30 s */
    ASSERT_STR(find(&c, "Breaking point"),
               "**80/s** (phase 4 `High`: 40.0% failures, p99 48.0 ms). `ECONNRESET` made 320 "
               "of its 320 failures (100.0%); they started at 0:32, 2 s into the phase.");
    ASSERT_STR(find(&c, "Error signature"),
               "`ECONNRESET`: connections reset by the server under load: it stopped accepting "
               "connections (accept queue or worker pool exhausted).");
    ASSERT_STR(find(&c, "Capacity"),
               "between 40/s and 80/s. Phases at rates in between would narrow it.");
    char *md = capacity_markdown(&c);
    ASSERT(strstr(md, "- **Breaking point**: **80/s** (phase 4 `High`"));
    ASSERT(
        !strncmp(md, "- **Criteria**: a phase is healthy when under 1% of its requests fail", 69));
    free(md);
}

TEST(capacity_saturated_generator_is_flagged)
{
    struct syn ph[] = {{"Low", 100, 1000, NULL, 0, 40, 0},
                       {"High", 2000, 20000, "errors.ETIMEDOUT", 4000, 900, 0}};
    struct capacity c = analyse(syn_run(ph, 2, 97, 3));
    ASSERT_EQ(c.saturated, 1);
    ASSERT_NEAR(c.self_cpu_peak, 97, 0);
    ASSERT_STR(find(&c, "Not trustworthy"),
               "the generator was saturated (loadtop CPU peak 97% of a core, schedule lag p99 "
               "3.0 ms), so it, not the server, may have set the pace.");
    /* a lagging schedule alone is saturation too */
    struct capacity l = analyse(syn_run(ph, 2, 20, 250));
    ASSERT_EQ(l.saturated, 1);
    /* ETIMEDOUT with p99 climbing from 40 to 900 ms reads as queueing */
    ASSERT_STR(c.signature, "requests timed out while p99 climbed from 40.0 ms to 900.0 ms: "
                            "requests are queueing faster than the server completes them");
}

TEST(capacity_rate_not_reached_is_flagged)
{
    struct syn ph[] = {{"Low", 40, 400, NULL, 0, 40, 0}, {"High", 80, 600, NULL, 0, 45, 60.5}};
    struct capacity c = analyse(syn_run(ph, 2, 10, 1));
    ASSERT_EQ(c.rate_short, 1);
    ASSERT_EQ(c.saturated, 0);
    ASSERT_STR(find(&c, "Not trustworthy"),
               "the planned rate was not reached in High (60.5/s of 80/s).");
}

TEST(capacity_too_little_data_says_so)
{
    struct syn ph[] = {{"A", 1, 10, NULL, 0, 40, 0}, {"B", 1.5, 15, "errors.ECONNRESET", 8, 40, 0}};
    struct capacity c = analyse(syn_run(ph, 2, 1, 1));
    ASSERT_EQ(c.judged, 0);
    ASSERT_EQ(c.breaking, -1);
    ASSERT_EQ(c.sustainable, -1);
    ASSERT_STR(find(&c, "Too little data"),
               "no phase with a target rate had at least 20 requests (25 requests in all), so "
               "there is no sustainable load or breaking point to report. Run longer or at "
               "higher rates.");
    ASSERT_STR(find(&c, "Breaking point"), "(no such item)");
    /* an empty object is no data at all, not a crash */
    struct capacity e = analyse(json_object());
    ASSERT_EQ(e.judged, 0);
    ASSERT_STR(e.items[0].label, "Too little data");
}

TEST(capacity_latency_slo_from_script)
{
    struct syn ph[] = {{"Low", 10, 100, NULL, 0, 80, 0},
                       {"Mid", 20, 200, NULL, 0, 150, 0},
                       {"High", 40, 400, NULL, 0, 350, 0}};
    json_t *run = syn_run(ph, 3, 5, 1);
    json_object_set_new(json_object_get(run, "plan"), "ensure",
                        json_pack("[{s:s}, {s:s}]", "expr", "vusers.failed == 0", "expr",
                                  "http.response_time.p99 < 200"));
    struct capacity c = analyse(run);
    ASSERT_NEAR(c.slo_p99_ms, 200, 0);
    ASSERT_EQ(c.slo_from_script, 1);
    ASSERT_EQ(c.breaking, 2);
    ASSERT_STR(c.dominant, "");
    ASSERT_NEAR(c.started_at, 20, 0);
    ASSERT_STR(find(&c, "Breaking point"),
               "**40/s** (phase 3 `High`: 0.0% failures, p99 350.0 ms, over the objective). "
               "Trouble started at 0:20, 0 s into the phase.");
    ASSERT_STR(find(&c, "Error signature"),
               "latency: no errors, but responses slowed past the objective: requests are "
               "queueing (the server is saturated but still answering).");
}

TEST(capacity_5xx_and_closed_model)
{
    struct syn ph[] = {{"Low", 10, 100, NULL, 0, 80, 0},
                       {"High", 50, 500, "http.codes.503", 100, 20, 0}};
    struct capacity c = analyse(syn_run(ph, 2, 5, 1));
    ASSERT_EQ(c.breaking, 1);
    ASSERT_STR(c.dominant, "HTTP 503");
    ASSERT_STR(c.signature, "HTTP 503: the server (or a proxy) shed load or was unavailable");

    json_t *run = syn_run(ph, 1, 5, 1);
    json_object_set_new(json_object_get(run, "plan"), "model", json_string("closed"));
    json_object_set_new(json_object_get(run, "plan"), "connections", json_integer(4));
    struct capacity cl = analyse(run);
    ASSERT_EQ(cl.closed_model, 1);
    ASSERT_EQ(cl.breaking, -1);
    ASSERT_STR(cl.items[0].label, "Closed model");
    ASSERT_STR(cl.items[0].text,
               "4 connections looping back to back reached 10.0 requests/s with 0.0% failures "
               "and p99 n/a. A closed model slows down with the server, so it shows no breaking "
               "point: test fixed arrival rates (`--rate`, or a script with phases) to find one.");
}

TEST(capacity_helpers)
{
    json_t *ramp = json_pack("{s:s, s:f, s:f}", "kind", "ramp", "arrivalRate", 5.0, "rampTo", 50.0);
    json_t *count =
        json_pack("{s:s, s:i, s:f}", "kind", "count", "arrivalCount", 100, "duration", 5.0);
    ASSERT_NEAR(capacity_phase_target(ramp), 50, 0);
    ASSERT_NEAR(capacity_phase_target(count), 20, 0);
    json_t *c = json_pack("{s:i, s:i, s:i, s:i, s:i}", "errors.EPIPE", 3, "errors.ECONNRESET", 7,
                          "http.codes.500", 2, "http.codes.404", 50, "http.requests", 100);
    ASSERT_EQ(capacity_failures(c), 12);
    char name[32];
    ASSERT_EQ(capacity_top_failure(c, name, sizeof name), 7);
    ASSERT_STR(name, "ECONNRESET");
    json_decref(ramp);
    json_decref(count);
    json_decref(c);
}
