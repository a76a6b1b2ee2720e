/* report.c — see report.h: the JSON report (the text block is in
 * report_block.c).
 *
 * Durations are kept in µs everywhere else and become ms rounded to 0.1
 * only here (Artillery rounds summaries so). */
#include "report.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numfmt.h"
#include "report_int.h"
#include "util.h"

/* ---- numbers --------------------------------------------------------- */

/* µs -> ms rounded to 0.1, like Artillery's summaries; below 1 ms to the
 * µs, so that a 42 µs response time is 0.042, never 0. */
static double ms1(double us)
{
    return fabs(us) < 1000 ? round(us) / 1000.0 : round(us / 100.0) / 10.0;
}

/* ---- JSON ------------------------------------------------------------ */

static void put(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? v : json_null());
}

static json_t *jint(int64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jms(double us)
{
    return json_real(ms1(us));
}

static json_t *jsecs(int64_t us)
{
    return us < 0 ? json_null() : json_real(round_to((double)us / 1e6, 0.001));
}

struct names {
    const char *const *error_names;
    int nerrors;
    const struct plan *p;
    const uint64_t *by_scenario; /* NULL: no vusers.created_by_name.* */
    int nscenarios;
};

static json_t *counters_json(const struct counters *c, const struct names *nm, int vusers)
{
    struct kvlist l = {0};
    counters_kv(&l, c, nm->error_names, nm->nerrors, vusers);
    for (int i = 0; nm->by_scenario && i < nm->nscenarios && i < nm->p->nscenarios; i++)
        kv_add(&l, KV_COUNTER, nm->by_scenario[i], "vusers.created_by_name.%s",
               nm->p->scenarios[i].name);
    qsort(l.v, (size_t)l.n, sizeof *l.v, kv_cmp);
    json_t *o = json_object();
    for (int i = 0; i < l.n; i++)
        put(o, l.v[i].key, jint((int64_t)l.v[i].v));
    kv_free(&l);
    return o;
}

json_t *report_sumstat_json(const struct sumstat *s)
{
    json_t *o = json_object();
    put(o, "min", jms((double)s->min));
    put(o, "max", jms((double)s->max));
    put(o, "count", jint((int64_t)s->count));
    put(o, "mean", jms(s->mean));
    put(o, "p50", jms((double)s->p50));
    put(o, "median", jms((double)s->p50));
    put(o, "p75", jms((double)s->p75));
    put(o, "p90", jms((double)s->p90));
    put(o, "p95", jms((double)s->p95));
    put(o, "p99", jms((double)s->p99));
    put(o, "p999", jms((double)s->p999));
    return o;
}

static json_t *summaries_json(const struct sumstat s[SUM_N])
{
    json_t *o = json_object();
    for (int k = 0; k < SUM_N; k++)
        put(o, stats_summary_name[k], report_sumstat_json(&s[k]));
    return o;
}

static void group_sumstats(struct sumstat out[SUM_N], const struct group *g)
{
    for (int k = 0; k < SUM_N; k++)
        sumstat_of(&out[k], g->sum[k]);
}

/* One Artillery period: counters, rates, timestamps, summaries, histograms. */
static json_t *period_json(const struct counters *c, const struct sumstat s[SUM_N],
                           char *const enc[SUM_N], int64_t from_wall_us, int64_t to_wall_us,
                           const struct names *nm)
{
    json_t *o = json_object();
    put(o, "counters", counters_json(c, nm, 1));
    json_t *rates = json_object();
    put(rates, "http.request_rate",
        jint(rate_of(c->requests, (double)(to_wall_us - from_wall_us) / 1e6)));
    put(o, "rates", rates);
    put(o, "firstMetricAt", jint(from_wall_us / 1000));
    put(o, "lastMetricAt", jint(to_wall_us / 1000));
    put(o, "period", jint(from_wall_us / 1000));
    put(o, "summaries", summaries_json(s));
    json_t *h = json_object();
    for (int k = 0; k < SUM_N; k++)
        put(h, stats_summary_name[k], jstr(enc[k]));
    put(o, "histograms", h);
    return o;
}

/* Every summary of a group as hist_encode() strings: lossless, so any
 * rendering (or a merge) can be made from the JSON alone. */
static json_t *group_histograms(const struct group *g)
{
    json_t *h = json_object();
    for (int k = 0; k < SUM_N; k++) {
        char *enc = hist_encode(g->sum[k]);
        put(h, stats_summary_name[k], jstr(enc));
        free(enc);
    }
    return h;
}

static json_t *aggregate_json(const struct stats *st, const struct report_meta *m,
                              const struct names *nm)
{
    struct sumstat s[SUM_N];
    char *enc[SUM_N];
    group_sumstats(s, &st->total);
    for (int k = 0; k < SUM_N; k++)
        enc[k] = hist_encode(st->total.sum[k]);
    json_t *o =
        period_json(&st->total.c, s, enc, m->start_wall_us, m->start_wall_us + m->elapsed_us, nm);
    for (int k = 0; k < SUM_N; k++)
        free(enc[k]);
    return o;
}

static const char *phase_kind_name(enum phase_kind k)
{
    switch (k) {
    case PHASE_CONST:
        return "constant";
    case PHASE_RAMP:
        return "ramp";
    case PHASE_COUNT:
        return "count";
    case PHASE_PAUSE:
        return "pause";
    }
    return "unknown";
}

static json_t *phase_json(const struct phase *ph, int i, const struct stats *st,
                          const struct report_meta *m, const struct names *nm)
{
    const struct group *g = &st->phase[i];
    int64_t arrivals = (int64_t)(g->c.vu_created + g->c.vu_skipped);
    int64_t started = st->phase_started_us[i], ended = st->phase_ended_us[i];
    json_t *o = json_object();
    put(o, "index", jint(i));
    put(o, "name", jstr(ph->name));
    put(o, "kind", jstr(phase_kind_name(ph->kind)));
    put(o, "duration",
        ph->duration_us < PLAN_UNTIMED ? json_real((double)ph->duration_us / 1e6) : NULL);
    int rated = ph->kind == PHASE_CONST || ph->kind == PHASE_RAMP;
    put(o, "arrivalRate", rated ? json_real(ph->rate) : NULL);
    put(o, "rampTo", ph->kind == PHASE_RAMP ? json_real(ph->rate_to) : NULL);
    put(o, "arrivalCount", ph->kind == PHASE_COUNT ? jint(ph->count) : NULL);
    put(o, "maxVusers", ph->max_vusers > 0 ? jint(ph->max_vusers) : NULL);
    put(o, "planned", jint(st->phase_planned[i]));
    put(o, "arrivals", jint(arrivals));
    put(o, "startedAt", jsecs(started));
    put(o, "endedAt", jsecs(ended));
    /* a pause is not load: the phase's length and rate leave it out */
    int64_t paused = stats_paused_us(st, i, m->elapsed_us);
    json_t *achieved = NULL;
    if (started >= 0) {
        int64_t d = (ended >= 0 ? ended : m->elapsed_us) - started - paused;
        achieved = json_real(d > 0 ? round_to((double)arrivals * 1e6 / (double)d, 0.01) : 0);
    }
    put(o, "paused", jsecs(started >= 0 ? paused : -1));
    put(o, "achievedRate", achieved);
    put(o, "counters", counters_json(&g->c, nm, 1));
    if (m->brief) /* a live view shows a phase's counts only */
        return o;
    struct sumstat s[SUM_N];
    group_sumstats(s, g);
    put(o, "summaries", summaries_json(s));
    put(o, "histograms", group_histograms(g));
    return o;
}

static json_t *second_json(const struct second *s, int t, const struct stats *st)
{
    static const char *const cls[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    static const int order[6] = {1, 2, 3, 4, 5, 0};
    json_t *o = json_object();
    put(o, "t", jint(t));
    put(o, "phase", jint(s->phase));
    put(o, "targetRate", json_real(round_to(s->target_rate, 0.01)));
    put(o, "arrivals", jint(s->arrivals));
    put(o, "skipped", jint(s->skipped));
    put(o, "failed", jint(s->failed_vus));
    put(o, "requests", jint(s->requests));
    put(o, "responses", jint(s->responses));
    json_t *codes = json_object(), *errs = json_object();
    for (int i = 0; i < 6; i++)
        if (s->code_class[order[i]])
            put(codes, cls[order[i]], jint(s->code_class[order[i]]));
    for (int i = 0; i < st->nerrors; i++)
        if (s->errors[i])
            put(errs, st->error_names[i], jint(s->errors[i]));
    put(o, "codes", codes);
    put(o, "errors", errs);
    put(o, "p50", jms((double)s->p50));
    put(o, "p95", jms((double)s->p95));
    put(o, "p99", jms((double)s->p99));
    put(o, "latencyP99", jms((double)s->lat_p99));
    put(o, "load1", json_real(round_to(s->host.load1, 0.01)));
    put(o, "cpu", json_real(round_to(s->host.cpu_pct, 0.1)));
    put(o, "selfCpu", json_real(round_to(s->host.self_cpu_pct, 0.1)));
    put(o, "workerCpu", json_real(round_to(s->host.worker_cpu_pct, 0.1)));
    put(o, "memUsedKb", jint((int64_t)s->host.mem_used_kb));
    put(o, "paused", jsecs(s->paused_us));
    return o;
}

static json_t *host_json(const struct stats *st)
{
    struct host_sample peak = {0};
    for (int i = 0; i < st->nseconds; i++) {
        const struct host_sample *h = &st->seconds[i].host;
        peak.load1 = fmax(peak.load1, h->load1);
        peak.cpu_pct = fmax(peak.cpu_pct, h->cpu_pct);
        peak.self_cpu_pct = fmax(peak.self_cpu_pct, h->self_cpu_pct);
        peak.worker_cpu_pct = fmax(peak.worker_cpu_pct, h->worker_cpu_pct);
        if (h->mem_total_kb > peak.mem_total_kb)
            peak.mem_total_kb = h->mem_total_kb;
        if (h->mem_used_kb > peak.mem_used_kb)
            peak.mem_used_kb = h->mem_used_kb;
        if (h->ncpu > peak.ncpu)
            peak.ncpu = h->ncpu;
    }
    json_t *o = json_object();
    put(o, "load1Peak", json_real(round_to(peak.load1, 0.01)));
    put(o, "cpuPeak", json_real(round_to(peak.cpu_pct, 0.1)));
    put(o, "selfCpuPeak", json_real(round_to(peak.self_cpu_pct, 0.1)));
    if (peak.worker_cpu_pct > 0) /* read by the engine: its busiest worker thread */
        put(o, "workerCpuPeak", json_real(round_to(peak.worker_cpu_pct, 0.1)));
    put(o, "memTotalKb", jint((int64_t)peak.mem_total_kb));
    put(o, "memUsedKbPeak", jint((int64_t)peak.mem_used_kb));
    put(o, "ncpu", jint(peak.ncpu));
    return o;
}

static json_t *plan_json(const struct plan *p)
{
    json_t *o = json_object(), *sc = json_array();
    put(o, "model", jstr(p->model == MODEL_CLOSED ? "closed" : "open"));
    int64_t d = plan_duration_us(p);
    put(o, "duration", d < PLAN_UNTIMED ? json_real((double)d / 1e6) : NULL); /* -n: none */
    put(o, "connections", jint(p->connections));
    put(o, "pool", jint(p->pool));
    put(o, "timeout", json_real((double)p->timeout_us / 1e6));
    put(o, "maxRequests", jint(p->max_requests));
    for (int i = 0; i < p->nscenarios; i++) {
        json_t *s = json_object();
        put(s, "name", jstr(p->scenarios[i].name));
        put(s, "weight", jint(p->scenarios[i].weight));
        json_array_append_new(sc, s);
    }
    put(o, "scenarios", sc);
    return o;
}

/* FNV-1a, 64 bits, over `s`, continuing from `h`. */
static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (h ^ 0xff) * 0x100000001b3ULL; /* a separator: "ab","c" is not "a","bc" */
}

/* What makes two runs the same plan, hashed: the target, the phases, the
 * scenarios' requests and weights, the model, the checks. Shards of one
 * run carry the same hash; `loadtop merge` refuses reports whose differ. */
static json_t *plan_hash(const struct plan *p)
{
    char b[64];
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, p->target);
    snprintf(b, sizeof b, "%d %d %lld %lld %d", p->model, p->connections,
             (long long)p->max_requests, (long long)p->timeout_us, p->pool);
    h = fnv1a(h, b);
    for (int i = 0; i < p->nphases; i++) {
        const struct phase *ph = &p->phases[i];
        snprintf(b, sizeof b, "%d %lld %.17g %.17g %lld", ph->kind, (long long)ph->duration_us,
                 ph->rate, ph->rate_to, (long long)ph->count);
        h = fnv1a(fnv1a(h, ph->name), b);
    }
    for (int i = 0; i < p->nscenarios; i++) {
        const struct scenario *sc = &p->scenarios[i];
        snprintf(b, sizeof b, "%d %d", sc->weight, sc->nsteps);
        h = fnv1a(fnv1a(h, sc->name), b);
        for (int k = 0; k < sc->nsteps; k++)
            h = fnv1a(fnv1a(h, sc->steps[k].method), sc->steps[k].url);
    }
    for (int i = 0; i < p->nendpoints; i++)
        h = fnv1a(h, p->endpoints[i].key);
    snprintf(b, sizeof b, "%016llx", (unsigned long long)h);
    return jstr(b);
}

static json_t *run_json(const struct plan *p, const struct stats *st, const struct report_meta *m)
{
    char iso[40];
    time_t secs = (time_t)(m->start_wall_us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(iso + n, sizeof iso - n, ".%03dZ", (int)(m->start_wall_us / 1000 % 1000));
    json_t *o = json_object();
    put(o, "version", jstr(m->version));
    put(o, "state", jstr(m->state));
    put(o, "command", jstr(m->argv_line));
    if (m->workers > 0)
        put(o, "workers", jint(m->workers));
    if (m->nshards > 1) {
        json_t *sh = json_object();
        put(sh, "index", jint(m->shard));
        put(sh, "count", jint(m->nshards));
        put(o, "shard", sh);
    }
    put(o, "planHash", plan_hash(p));
    put(o, "transport", jstr(plan_transport_name(p->transport))); /* counts: loadtop.transport.* */
    char target[1024];
    url_redact(target, sizeof target, p->target ? p->target : "");
    put(o, "target", jstr(p->target ? target : NULL));
    put(o, "script", jstr(p->script));
    put(o, "startedAt", jstr(iso));
    put(o, "elapsed", jsecs(m->elapsed_us));
    put(o, "paused", jsecs(stats_paused_us(st, -1, m->elapsed_us)));
    json_t *pauses = json_array();
    for (int i = 0; i < st->npauses; i++) {
        const struct pause_span *ps = &st->pauses[i];
        json_t *x = json_object();
        put(x, "start", jsecs(ps->start_us));
        put(x, "end", jsecs(ps->end_us >= 0 ? ps->end_us : m->elapsed_us));
        put(x, "phase", ps->phase >= 0 ? jint(ps->phase) : NULL);
        json_array_append_new(pauses, x);
    }
    put(o, "pauses", pauses);
    put(o, "pausesUnlisted", jint((int64_t)st->pauses_unlisted));
    put(o, "plannedArrivals", jint((int64_t)st->planned_arrivals));
    return o;
}

/* Every real in `v` as a reader of the file gets it back (15 significant
 * digits), so that checks judge the numbers the report shows: 0.1 * 3 is
 * 0.30000000000000004 in memory and 0.3 in the file. */
static void reals_as_written(json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_real(v)) {
        char b[32];
        snprintf(b, sizeof b, "%.15g", json_real_value(v));
        json_real_set(v, strtod(b, NULL));
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, x) reals_as_written(x);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) reals_as_written(x);
    }
}

json_t *report_build(const struct plan *p, const struct stats *st, const struct report_meta *m,
                     struct check_result **res, int *nres)
{
    struct names nm = {st->error_names, st->nerrors, p, st->created_by_scenario, st->nscenarios};
    struct names plain = nm;
    plain.by_scenario = NULL; /* created_by_name is kept for the whole run only */
    json_t *root = json_object();
    put(root, "aggregate", aggregate_json(st, m, &nm));

    json_t *inter = json_array();
    int from = m->brief && st->nintervals > REPORT_BRIEF_INTERVALS
                   ? st->nintervals - REPORT_BRIEF_INTERVALS
                   : 0;
    for (int i = from; i < st->nintervals; i++) {
        const struct interval *iv = &st->intervals[i];
        json_t *pj = period_json(&iv->c, iv->s, iv->hist_enc, m->start_wall_us + iv->start_us,
                                 m->start_wall_us + iv->end_us, &plain);
        if (m->brief)
            put(pj, "index", jint(i));
        json_array_append_new(inter, pj);
    }
    put(root, "intermediate", inter);

    json_t *phases = json_array();
    for (int i = 0; i < st->nphases && i < p->nphases; i++)
        json_array_append_new(phases, phase_json(&p->phases[i], i, st, m, &plain));
    put(root, "phases", phases);

    json_t *eps = json_array();
    for (int i = 0; i < st->nendpoints && i < p->nendpoints; i++) {
        json_t *e = json_object();
        struct sumstat s[SUM_N];
        group_sumstats(s, &st->endpoint[i]);
        put(e, "name", jstr(p->endpoints[i].key));
        put(e, "counters", counters_json(&st->endpoint[i].c, &plain, 0));
        put(e, "summaries", summaries_json(s));
        put(e, "histograms", group_histograms(&st->endpoint[i]));
        json_array_append_new(eps, e);
    }
    put(root, "endpoints", eps);

    json_t *tl = json_array();
    for (int i = m->brief && st->nseconds > REPORT_BRIEF_SECONDS
                     ? st->nseconds - REPORT_BRIEF_SECONDS
                     : 0;
         i < st->nseconds; i++)
        json_array_append_new(tl, second_json(&st->seconds[i], i, st));
    put(root, "timeline", tl);
    put(root, "host", host_json(st));

    json_t *ev = json_array();
    for (int i = m->brief && st->nevents > REPORT_BRIEF_EVENTS ? st->nevents - REPORT_BRIEF_EVENTS
                                                               : 0;
         i < st->nevents; i++) {
        json_t *e = json_object();
        put(e, "t", jsecs(st->events[i].t_us));
        put(e, "kind", jstr(st->events[i].kind));
        put(e, "text", jstr(st->events[i].text));
        json_array_append_new(ev, e);
    }
    put(root, "events", ev);
    json_t *plan = plan_json(p);
    put(root, "plan", plan);
    put(root, "run", run_json(p, st, m));

    reals_as_written(root);
    struct check_result *r = checks_eval(p->ensure, p->nensure, root);
    put(root, "checks", checks_results_json(r, p->nensure));
    put(plan, "ensure", check_specs_json(p->ensure, p->nensure));
    if (res) {
        *res = r;
        *nres = p->nensure;
    } else {
        check_results_free(r, p->nensure);
    }
    return root;
}

char *report_text(const json_t *report)
{
    /* 15 significant digits: values rounded to 0.1 print as "12.1", not "12.0999..." */
    char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (!text)
        return xstrdup("{}\n");
    char *out = xasprintf("%s\n", text);
    free(text);
    return out;
}
