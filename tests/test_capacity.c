/* test_capacity.c — capacity findings on synthetic runs: clean, breaking at
 * a phase with a named error, latency-only breaks, untrustworthy runs, too
 * little data; the findings as numbers, and the prose written from
 * findings alone. */
#include <stdlib.h>

#include "capacity.h"
#include "saturation.h"
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

/* A run's findings and their prose; the run stays alive with them (the
 * findings point into it). */
struct found {
    json_t *run;
    struct capacity c;
    struct capacity_text t;
};

static struct found analyse(json_t *run)
{
    struct found f = {.run = run};
    capacity_analyze(run, &f.c);
    capacity_prose(&f.c, &f.t);
    return f;
}

static void release(struct found *f)
{
    capacity_free(&f->c);
    json_decref(f->run);
}

static const char *find(const struct found *f, const char *label)
{
    for (int i = 0; i < f->t.nitems; i++)
        if (!strcmp(f->t.items[i].label, label))
            return f->t.items[i].text;
    return "(no such item)";
}

TEST(capacity_clean_run_has_no_breaking_point)
{
    struct syn ph[] = {{"Warmup", 10, 100, NULL, 0, 40, 0},
                       {"Low", 20, 200, NULL, 0, 42, 0},
                       {"Medium", 40, 400, NULL, 0, 45, 0},
                       {"High", 80, 800, NULL, 0, 60, 0},
                       {"Peak", 160, 1600, NULL, 0, 90, 0}};
    struct found f = analyse(syn_run(ph, 5, 12, 1.5));
    ASSERT_EQ(f.c.judged, 5);
    ASSERT_EQ(f.c.breaking, -1);
    ASSERT_EQ(f.c.sustainable, 4);
    ASSERT_NEAR(f.c.sustainable_rate, 160, 0);
    ASSERT_EQ(f.c.saturated, 0);
    ASSERT_STR(find(&f, "Sustainable load"),
               "**160/s** (phase 5 `Peak`: 0.0% failures, p99 90.0 ms).");
    ASSERT_STR(find(&f, "Breaking point"),
               "not reached: every phase up to 160/s stayed healthy, so the limit lies above "
               "that rate. Add phases at higher rates to find it.");
    ASSERT_STR(f.t.signature, "");
    ASSERT_STR(find(&f, "Trust"),
               "the generator kept up: loadtop peaked at 12% of one core, its schedule lag p99 was "
               "1.5 ms, and every phase reached at least 90% of its target rate.");
    release(&f);
}

TEST(capacity_breaks_at_fourth_phase_with_econnreset)
{
    struct syn ph[] = {{"Warmup", 10, 100, NULL, 0, 40, 0},
                       {"Low", 20, 200, NULL, 0, 42, 0},
                       {"Medium", 40, 400, NULL, 0, 45, 0},
                       {"High", 80, 800, "errors.ECONNRESET", 320, 48, 0},
                       {"Peak", 160, 1600, "errors.ECONNRESET", 1200, 50, 0},
                       {"Cool down", 10, 100, NULL, 0, 40, 0}};
    struct found f = analyse(syn_run(ph, 6, 12, 1.5));
    ASSERT_EQ(f.c.breaking, 3);
    ASSERT_NEAR(f.c.breaking_rate, 80, 0);
    ASSERT_NEAR(f.c.breaking_fail_pct, 40, 1e-9);
    ASSERT_EQ(f.c.sustainable, 2);
    ASSERT_NEAR(f.c.sustainable_rate, 40, 0);
    ASSERT_STR(f.c.dominant, "ECONNRESET");
    ASSERT_EQ(f.c.dominant_count, 320);
    ASSERT_NEAR(f.c.started_at, 32, 0); /* second 2 of the phase that started at 30 s */
    ASSERT_STR(find(&f, "Breaking point"),
               "**80/s** (phase 4 `High`: 40.0% failures, p99 48.0 ms). `ECONNRESET` made 320 "
               "of its 320 failures (100.0%); they started at 0:32, 2 s into the phase.");
    ASSERT_STR(find(&f, "Error signature"),
               "`ECONNRESET`: connections reset by the server under load: it stopped accepting "
               "connections (accept queue or worker pool exhausted).");
    ASSERT_STR(find(&f, "Capacity"),
               "between 40/s and 80/s. Phases at rates in between would narrow it.");
    char *md = capacity_markdown(&f.t);
    ASSERT(strstr(md, "- **Breaking point**: **80/s** (phase 4 `High`"));
    ASSERT(
        !strncmp(md, "- **Criteria**: a phase is healthy when under 1% of its requests fail", 69));
    free(md);
    release(&f);
}

TEST(capacity_saturated_generator_is_flagged)
{
    struct syn ph[] = {{"Low", 100, 1000, NULL, 0, 40, 0},
                       {"High", 2000, 20000, "errors.ETIMEDOUT", 4000, 900, 0}};
    struct found f = analyse(syn_run(ph, 2, 97, 3));
    ASSERT_EQ(f.c.saturated, SATURATION_CPU);
    ASSERT_NEAR(f.c.self_cpu_peak, 97, 0);
    ASSERT_STR(find(&f, "Not trustworthy"),
               "the generator was saturated (loadtop CPU peak 97% of a core, schedule lag p99 "
               "3.0 ms), so it, not the server, may have set the pace.");
    /* a lagging schedule alone is saturation too */
    struct found l = analyse(syn_run(ph, 2, 20, 250));
    ASSERT_EQ(l.c.saturated, SATURATION_LAG);
    ASSERT_STR(find(&l, "Not trustworthy"),
               "the generator was saturated (loadtop CPU peak 20% of a core, schedule lag p99 "
               "250.0 ms), so it, not the server, may have set the pace.");
    /* ETIMEDOUT with p99 climbing from 40 to 900 ms reads as queueing */
    ASSERT_STR(f.t.signature, "requests timed out while p99 climbed from 40.0 ms to 900.0 ms: "
                              "requests are queueing faster than the server completes them");
    release(&f);
    release(&l);
}

TEST(capacity_rate_not_reached_is_flagged)
{
    struct syn ph[] = {{"Low", 40, 400, NULL, 0, 40, 0}, {"High", 80, 600, NULL, 0, 45, 60.5}};
    struct found f = analyse(syn_run(ph, 2, 10, 1));
    ASSERT_EQ(f.c.rate_short, 1);
    ASSERT_EQ(f.c.saturated, 0);
    ASSERT_STR(find(&f, "Not trustworthy"),
               "the planned rate was not reached in High (60.5/s of 80/s).");
    release(&f);
}

TEST(capacity_too_little_data_says_so)
{
    struct syn ph[] = {{"A", 1, 10, NULL, 0, 40, 0}, {"B", 1.5, 15, "errors.ECONNRESET", 8, 40, 0}};
    struct found f = analyse(syn_run(ph, 2, 1, 1));
    ASSERT_EQ(f.c.judged, 0);
    ASSERT_EQ(f.c.breaking, -1);
    ASSERT_EQ(f.c.sustainable, -1);
    ASSERT_STR(find(&f, "Too little data"),
               "no phase with a target rate had at least 20 requests (25 requests in all), so "
               "there is no sustainable load or breaking point to report. Run longer or at "
               "higher rates.");
    ASSERT_STR(find(&f, "Breaking point"), "(no such item)");
    /* an empty object is no data at all, not a crash */
    struct found e = analyse(json_object());
    ASSERT_EQ(e.c.judged, 0);
    ASSERT_STR(e.t.items[0].label, "Too little data");
    release(&f);
    release(&e);
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
    struct found f = analyse(run);
    ASSERT_NEAR(f.c.slo_p99_ms, 200, 0);
    ASSERT_EQ(f.c.slo_from_script, 1);
    ASSERT_EQ(f.c.breaking, 2);
    ASSERT_STR(f.c.dominant, "");
    ASSERT_NEAR(f.c.started_at, 20, 0);
    ASSERT_STR(find(&f, "Breaking point"),
               "**40/s** (phase 3 `High`: 0.0% failures, p99 350.0 ms, over the objective). "
               "Trouble started at 0:20, 0 s into the phase.");
    ASSERT_STR(find(&f, "Error signature"),
               "latency: no errors, but responses slowed past the objective: requests are "
               "queueing (the server is saturated but still answering).");
    release(&f);
}

TEST(capacity_5xx_and_closed_model)
{
    struct syn ph[] = {{"Low", 10, 100, NULL, 0, 80, 0},
                       {"High", 50, 500, "http.codes.503", 100, 20, 0}};
    struct found f = analyse(syn_run(ph, 2, 5, 1));
    ASSERT_EQ(f.c.breaking, 1);
    ASSERT_STR(f.c.dominant, "HTTP 503");
    ASSERT_STR(f.t.signature, "HTTP 503: the server (or a proxy) shed load or was unavailable");

    json_t *run = syn_run(ph, 1, 5, 1);
    json_object_set_new(json_object_get(run, "plan"), "model", json_string("closed"));
    json_object_set_new(json_object_get(run, "plan"), "connections", json_integer(4));
    struct found cl = analyse(run);
    ASSERT_EQ(cl.c.closed_model, 1);
    ASSERT_EQ(cl.c.breaking, -1);
    ASSERT_STR(cl.t.items[0].label, "Closed model");
    ASSERT_STR(cl.t.items[0].text,
               "4 connections looping back to back reached 10.0 requests/s with 0.0% failures "
               "and p99 n/a. A closed model slows down with the server, so it shows no breaking "
               "point: test fixed arrival rates (`--rate`, or a script with phases) to find one.");
    release(&f);
    release(&cl);
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

/* The findings are numbers and verdicts, each phase judged on its own. */
TEST(capacity_findings_are_numbers)
{
    struct syn ph[] = {{"Warmup", 10, 100, NULL, 0, 40, 0},
                       {"Short", 40, 10, NULL, 0, 40, 0},
                       {"Medium", 40, 400, NULL, 0, 45, 30},
                       {"High", 80, 800, "errors.ECONNRESET", 320, 48, 0},
                       {"Peak", 160, 1600, NULL, 0, 50, 0}};
    json_t *run = syn_run(ph, 5, 12, 1.5);
    json_object_set_new(json_object_get(json_object_get(run, "aggregate"), "counters"),
                        "vusers.skipped", json_integer(7));
    json_object_set_new(json_object_get(run, "run"), "target",
                        json_string("http://127.0.0.1:8080"));
    json_object_set_new(run, "host", json_pack("{s:f}", "cpuPeak", 99.0));
    struct found f = analyse(run);
    ASSERT_EQ(f.c.nphases, 5);
    ASSERT_STR(f.c.phase[1].name, "Short");
    ASSERT_EQ(f.c.phase[1].judged, 0); /* 10 requests */
    ASSERT_EQ(f.c.phase[3].judged, 1);
    ASSERT_EQ(f.c.phase[3].healthy, 0);
    ASSERT_NEAR(f.c.phase[3].fail_pct, 40, 1e-9);
    ASSERT_NEAR(f.c.phase[3].p99_ms, 48, 0);
    ASSERT_EQ(f.c.phase[2].rate_short, 1);
    ASSERT_NEAR(f.c.phase[2].got, 30, 0);
    ASSERT_NEAR(f.c.phase[2].want, 40, 0);
    ASSERT_EQ(f.c.rate_short, 1);
    ASSERT_EQ(f.c.breaking, 3);
    ASSERT_EQ(f.c.breaking_over_slo, 0);
    ASSERT_EQ(f.c.breaking_failures, 320);
    ASSERT_NEAR(f.c.dominant_pct, 100, 0);
    ASSERT_NEAR(f.c.started_into_phase, 2, 0);
    ASSERT_NEAR(f.c.rate_then, 80, 0);
    ASSERT_EQ(f.c.sustainable, 2);
    ASSERT_EQ(f.c.healthy_above, 4); /* Peak at 160/s, above the break at 80/s */
    ASSERT_NEAR(f.c.top_rate, 160, 0);
    ASSERT_NEAR(f.c.skipped, 7, 0);
    ASSERT_EQ(f.c.shared_host, 1);
    ASSERT_NEAR(f.c.host_cpu_peak, 99, 0);
    ASSERT_STR(find(&f, "Note"), "phase 5 `Peak` was healthy at 160/s, above the breaking point: "
                                 "the limit is not sharp (warm-up, caches or a transient stall).");
    ASSERT_STR(find(&f, "Not judged"),
               "phase 2 `Short` (10 requests): fewer than 20 requests is too few to judge.");
    ASSERT_STR(find(&f, "Not trustworthy"),
               "the planned rate was not reached in Medium (30/s of 40/s); 7 arrivals were "
               "skipped (maxVusers or the fd limit).");
    ASSERT_STR(find(&f, "Shared host"),
               "the host's CPU peaked at 99% and the target runs on this machine, so the server "
               "and loadtop competed for the CPU; the server alone may do better.");
    release(&f);
}

/* The prose needs the findings only: no report, no JSON. */
TEST(capacity_prose_from_findings_alone)
{
    struct capacity_phase phases[] = {
        {.name = "Low", .target = 50, .requests = 500, .p99_ms = 80, .judged = 1, .healthy = 1},
        {.name = "Spike",
         .target = 400,
         .requests = 4000,
         .fail_pct = 12.5,
         .p99_ms = 3000,
         .judged = 1}};
    struct capacity c = {.judged = 2,
                         .slo_p99_ms = 1000,
                         .sustainable = 0,
                         .sustainable_rate = 50,
                         .breaking = 1,
                         .breaking_rate = 400,
                         .breaking_fail_pct = 12.5,
                         .breaking_p99_ms = 3000,
                         .breaking_over_slo = 1,
                         .dominant = "ETIMEDOUT",
                         .dominant_count = 500,
                         .breaking_failures = 500,
                         .dominant_pct = 100,
                         .started_at = 3725,
                         .started_into_phase = 5,
                         .rate_then = 380,
                         .healthy_above = -1,
                         .self_cpu_peak = 40,
                         .lag_p99_ms = 2,
                         .phase = phases,
                         .nphases = 2};
    struct capacity_text t;
    capacity_prose(&c, &t);
    ASSERT_EQ(t.nitems, 6);
    ASSERT_STR(t.items[0].label, "Criteria");
    ASSERT_STR(t.items[0].text,
               "a phase is healthy when under 1% of its requests fail (transport errors or 5xx) "
               "and its p99 response time stays under 1000 ms (the default; an ensure threshold "
               "on http.response_time.p99 sets it).");
    ASSERT_STR(t.items[1].text, "**50/s** (phase 1 `Low`: 0.0% failures, p99 80.0 ms).");
    ASSERT_STR(t.items[2].text,
               "**400/s** (phase 2 `Spike`: 12.5% failures, p99 3000.0 ms, over the objective). "
               "`ETIMEDOUT` made 500 of its 500 failures (100.0%); they started at 1:02:05, 5 s "
               "into the phase, at a target of 380/s.");
    ASSERT_STR(t.signature, "requests timed out while p99 climbed from 80.0 ms to 3000.0 ms: "
                            "requests are queueing faster than the server completes them");
    ASSERT_STR(t.items[4].text,
               "between 50/s and 400/s. Phases at rates in between would narrow it.");
    ASSERT_STR(t.items[5].label, "Trust");
    /* the same findings, still going: a provisional item comes first */
    c.provisional = 1;
    c.elapsed_s = 61;
    capacity_prose(&c, &t);
    ASSERT_EQ(t.nitems, 7);
    ASSERT_STR(t.items[0].text,
               "the run was still going (61 s in); these findings cover the phases so far.");
}

/* The reports judge saturation as the dashboard does (saturation.h): a
 * schedule lag p99 of 60 ms is saturation, 30 ms is not. */
TEST(capacity_saturation_is_saturation_h)
{
    struct syn ph[] = {{"Low", 40, 400, NULL, 0, 40, 0}, {"High", 80, 800, NULL, 0, 45, 0}};
    struct found at = analyse(syn_run(ph, 2, 10, 60));
    ASSERT_EQ(at.c.saturated, SATURATION_LAG);
    ASSERT_STR(find(&at, "Not trustworthy"),
               "the generator was saturated (loadtop CPU peak 10% of a core, schedule lag p99 "
               "60.0 ms), so it, not the server, may have set the pace.");
    struct found under = analyse(syn_run(ph, 2, 89, 30));
    ASSERT_EQ(under.c.saturated, 0);
    ASSERT_STR(find(&under, "Trust"),
               "the generator kept up: loadtop peaked at 89% of one core, its schedule lag p99 "
               "was 30.0 ms, and every phase reached at least 90% of its target rate.");
    struct found cpu = analyse(syn_run(ph, 2, 90, 1));
    ASSERT_EQ(cpu.c.saturated, SATURATION_CPU);
    release(&at);
    release(&under);
    release(&cpu);
}
