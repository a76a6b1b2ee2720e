/* capacity.c — see capacity.h: the judgement. Phases are judged as wholes
 * (a phase is the unit a script's author chose); the per-second timeline
 * only dates the breaking point. The words are in capacity_text.c. */
#include "capacity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "saturation.h"
#include "util.h"

/* ---- JSON access ------------------------------------------------------- */

static double num(const json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A counter as a count. report.c writes non-negative integers; a saved
 * report is user input, so anything else (negative, fractional, past 2^64)
 * is brought into uint64_t's range first: out of it the cast is undefined. */
static uint64_t counter_value(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
    double x = json_number_value(v);
    return x >= 1 ? x < 18446744073709551616.0 ? (uint64_t)x : UINT64_MAX : 0;
}

static double p99_of(const json_t *group)
{
    json_t *rt = json_object_get(json_object_get(group, "summaries"), "http.response_time");
    return num(rt, "count", 0) > 0 ? num(rt, "p99", -1) : -1;
}

static double phase_target(const json_t *ph)
{
    const char *kind = str(ph, "kind");
    if (!kind)
        return 0;
    if (!strcmp(kind, "constant"))
        return num(ph, "arrivalRate", 0);
    if (!strcmp(kind, "ramp"))
        return fmax(num(ph, "arrivalRate", 0), num(ph, "rampTo", 0));
    if (!strcmp(kind, "count")) {
        double d = num(ph, "duration", 0);
        return d > 0 ? num(ph, "arrivalCount", 0) / d : 0;
    }
    return 0;
}

double capacity_phase_target(const json_t *ph)
{
    double r = phase_target(ph);
    return isfinite(r) ? r : 0; /* arrivalCount over a duration of 1e-300 s */
}

/* The rate a phase should average: a ramp's mean, else its target. */
static double phase_mean_target(const json_t *ph)
{
    const char *kind = str(ph, "kind");
    if (kind && !strcmp(kind, "ramp"))
        return (num(ph, "arrivalRate", 0) + num(ph, "rampTo", 0)) / 2;
    return capacity_phase_target(ph);
}

static int is_5xx(const char *key)
{
    return !strncmp(key, "http.codes.5", 12) && strlen(key) == 14;
}

uint64_t capacity_failures(const json_t *counters)
{
    const char *k;
    json_t *v;
    uint64_t n = 0;
    json_object_foreach((json_t *)counters, k, v) if (!strncmp(k, "errors.", 7) || is_5xx(k))
    {
        uint64_t c = counter_value(v);
        n = n + c < n ? UINT64_MAX : n + c;
    }
    return n;
}

uint64_t capacity_top_failure(const json_t *counters, char *name, size_t n)
{
    const char *k;
    json_t *v;
    uint64_t best = 0;
    name[0] = '\0';
    /* ties go to the first key; report.c sorts keys, so this is stable */
    json_object_foreach((json_t *)counters, k, v)
    {
        uint64_t c = counter_value(v);
        if (c <= best || !(!strncmp(k, "errors.", 7) || is_5xx(k)))
            continue;
        best = c;
        if (is_5xx(k))
            snprintf(name, n, "HTTP %s", k + 11);
        else
            snprintf(name, n, "%s", k + 7);
    }
    str_trim_utf8(name);
    return best;
}

/* ---- analysis ---------------------------------------------------------- */

/* A judged phase, for sorting by rate. */
struct ph {
    int index;
    const json_t *j;
    double target;
    int healthy;
};

static int by_rate(const void *a, const void *b)
{
    const struct ph *x = a, *y = b;
    if (x->target != y->target)
        return x->target < y->target ? -1 : 1;
    return x->index - y->index;
}

/* The smallest N of an ensure check `http.response_time.p99 < N` (or <=). */
static double script_slo(const json_t *run)
{
    double best = -1;
    const json_t *lists[2] = {json_object_get(json_object_get(run, "plan"), "ensure"),
                              json_object_get(run, "checks")};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(lists[l], i, c)
        {
            const char *text = str(c, l == 0 ? "expr" : "text");
            /* a `p99 < N` check is short; a saved report may hold anything,
             * and the parser recurses once per parenthesis */
            if (text && strlen(text) > 1000)
                continue;
            struct expr *e = text ? expr_parse(text, EXPR_ENSURE, NULL) : NULL;
            if (!e)
                continue;
            if (e->kind == EXPR_BIN && (e->op == EXPR_LT || e->op == EXPR_LE) &&
                e->l->kind == EXPR_NAME && !strcmp(e->l->name, "http.response_time.p99") &&
                e->r->kind == EXPR_NUM && (best < 0 || e->r->num < best))
                best = e->r->num;
            expr_free(e);
        }
        if (best > 0)
            break;
    }
    return best;
}

/* First second inside phase `p` that was unhealthy: its time, or -1. */
static double first_bad_second(const json_t *run, const struct ph *p, double slo, double *rate_then)
{
    double from = num(p->j, "startedAt", -1), to = num(p->j, "endedAt", -1);
    if (to < 0)
        to = num(json_object_get(run, "run"), "elapsed", 1e18);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(run, "timeline"), i, s)
    {
        double t = num(s, "t", (double)i);
        int inside = from >= 0 ? t + 0.5 >= from && t + 0.5 < to : num(s, "phase", -1) == p->index;
        double req = num(s, "requests", 0);
        if (!inside || req < 5)
            continue;
        double fails = num(json_object_get(s, "codes"), "5xx", 0);
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(s, "errors"), k, v) fails += json_number_value(v);
        if (fails * 100 / req >= CAPACITY_FAIL_PCT ||
            (num(s, "responses", 0) > 0 && num(s, "p99", 0) > slo)) {
            *rate_then = num(s, "targetRate", -1);
            return t;
        }
    }
    return -1;
}

/* Can the numbers be trusted: was loadtop itself the limit? */
static void trust(struct capacity *c, const json_t *run)
{
    size_t i;
    json_t *s;
    /* The busiest worker thread (one core's worth); reports from before
     * worker threads have only the process's CPU, one thread then. */
    const char *peak = "workerCpuPeak", *each = "workerCpu";
    if (num(json_object_get(run, "host"), peak, -1) < 0)
        peak = "selfCpuPeak", each = "selfCpu";
    c->self_cpu_peak = num(json_object_get(run, "host"), peak, -1);
    json_array_foreach(json_object_get(run, "timeline"), i, s) c->self_cpu_peak =
        fmax(c->self_cpu_peak, num(s, each, -1));
    json_t *agg = json_object_get(run, "aggregate");
    c->lag_p99_ms =
        num(json_object_get(json_object_get(agg, "summaries"), "loadtop.schedule_lag"), "p99", -1);
    c->saturated = saturation_of(c->self_cpu_peak, c->lag_p99_ms);
    /* a closed model has no rate to fall short of */
    for (int k = 0; k < c->nphases && !c->closed_model; k++) {
        struct capacity_phase *p = &c->phase[k];
        p->rate_short = p->want > 0 && p->got >= 0 && p->got < CAPACITY_RATE_SHORT * p->want;
        c->rate_short += p->rate_short;
    }
    c->skipped = num(json_object_get(agg, "counters"), "vusers.skipped", 0);
    /* a target on this machine competes with loadtop for the CPU */
    const char *target = str(json_object_get(run, "run"), "target");
    c->host_cpu_peak = num(json_object_get(run, "host"), "cpuPeak", 0);
    c->shared_host =
        c->host_cpu_peak >= CAPACITY_SHARED_CPU_PCT && target &&
        (strstr(target, "://127.") || strstr(target, "://localhost") || strstr(target, "://[::1]"));
}

static void closed_model(struct capacity *c, const json_t *run)
{
    json_t *agg = json_object_get(run, "aggregate"), *cnt = json_object_get(agg, "counters");
    double req = num(cnt, "http.requests", 0);
    double el = num(json_object_get(run, "run"), "elapsed", 0);
    c->connections = num(json_object_get(run, "plan"), "connections", 0);
    c->closed_rate = el > 0 ? req / el : 0;
    c->closed_fail_pct = req > 0 ? (double)capacity_failures(cnt) * 100 / req : 0;
    c->closed_p99_ms = p99_of(agg);
}

/* Each phase on its own: its rate, failures, p99, and whether it is
 * judged and healthy. */
static void phases(struct capacity *c, const json_t *run)
{
    json_t *arr = json_object_get(run, "phases");
    c->nphases = (int)json_array_size(arr);
    c->phase = xcalloc((size_t)c->nphases + 1, sizeof *c->phase);
    for (int i = 0; i < c->nphases; i++) {
        struct capacity_phase *p = &c->phase[i];
        const json_t *j = json_array_get(arr, (size_t)i);
        p->name = str(j, "name") ? str(j, "name") : "unnamed";
        p->target = capacity_phase_target(j);
        json_t *cnt = json_object_get(j, "counters");
        p->requests = num(cnt, "http.requests", 0);
        p->fail_pct = p->requests > 0 ? (double)capacity_failures(cnt) * 100 / p->requests : 0;
        p->p99_ms = p99_of(j);
        p->judged = p->target > 0 && p->requests >= CAPACITY_MIN_REQUESTS;
        p->healthy = p->fail_pct < CAPACITY_FAIL_PCT && p->p99_ms <= c->slo_p99_ms;
        p->want = phase_mean_target(j);
        p->got = num(j, "achievedRate", -1);
        c->judged += p->judged;
        char top[48];
        capacity_top_failure(cnt, top, sizeof top);
        c->generator_limit |= capacity_generator_limit(top);
    }
}

/* The breaking point: the lowest unhealthy rate, and its evidence. */
static void breaking(struct capacity *c, const json_t *run, const struct ph *brk)
{
    const struct capacity_phase *p = &c->phase[brk->index];
    c->breaking = brk->index;
    c->breaking_rate = p->target;
    c->breaking_fail_pct = p->fail_pct;
    c->breaking_p99_ms = p->p99_ms;
    c->breaking_over_slo = p->p99_ms > c->slo_p99_ms;
    json_t *cnt = json_object_get(brk->j, "counters");
    c->dominant_count = capacity_top_failure(cnt, c->dominant, sizeof c->dominant);
    c->breaking_failures = capacity_failures(cnt);
    c->dominant_pct =
        c->breaking_failures ? (double)c->dominant_count * 100 / (double)c->breaking_failures : 0;
    c->started_at = first_bad_second(run, brk, c->slo_p99_ms, &c->rate_then);
    if (c->started_at >= 0)
        c->started_into_phase = fmax(0, c->started_at - num(brk->j, "startedAt", c->started_at));
}

void capacity_analyze(const json_t *run, struct capacity *c)
{
    memset(c, 0, sizeof *c);
    c->sustainable = c->breaking = c->healthy_above = -1;
    c->started_at = c->rate_then = -1;
    const json_t *r = json_object_get(run, "run");
    const char *state = str(r, "state");
    c->provisional = state && !strcmp(state, "running");
    c->elapsed_s = num(r, "elapsed", 0);
    c->requests =
        num(json_object_get(json_object_get(run, "aggregate"), "counters"), "http.requests", 0);
    double slo = script_slo(run);
    c->slo_from_script = slo > 0;
    c->slo_p99_ms = slo > 0 ? slo : CAPACITY_SLO_MS;
    const char *model = str(json_object_get(run, "plan"), "model");
    c->closed_model = model && !strcmp(model, "closed");
    phases(c, run);
    trust(c, run);
    if (c->closed_model) {
        closed_model(c, run);
        return;
    }
    if (!c->judged)
        return;

    json_t *arr = json_object_get(run, "phases");
    struct ph *sorted = xcalloc((size_t)c->nphases, sizeof *sorted);
    int m = 0;
    for (int i = 0; i < c->nphases; i++)
        if (c->phase[i].judged)
            sorted[m++] = (struct ph){i, json_array_get(arr, (size_t)i), c->phase[i].target,
                                      c->phase[i].healthy};
    qsort(sorted, (size_t)m, sizeof *sorted, by_rate);
    const struct ph *brk = NULL, *sus = NULL;
    for (int i = 0; i < m && !brk; i++)
        if (!sorted[i].healthy)
            brk = &sorted[i];
    for (int i = 0; i < m; i++)
        if (sorted[i].healthy && (!brk || sorted[i].target < brk->target))
            sus = &sorted[i];
    c->top_rate = sorted[m - 1].target;
    if (sus) {
        c->sustainable = sus->index;
        c->sustainable_rate = sus->target;
    }
    if (brk) {
        breaking(c, run, brk);
        /* a healthy phase above the breaking rate: the limit is not a sharp line */
        for (int i = m - 1; i >= 0 && c->healthy_above < 0; i--)
            if (sorted[i].healthy && sorted[i].target > brk->target)
                c->healthy_above = sorted[i].index;
    }
    free(sorted);
}

void capacity_free(struct capacity *c)
{
    free(c->phase);
    c->phase = NULL;
    c->nphases = 0;
}
