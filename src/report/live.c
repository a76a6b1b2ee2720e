/* live.c — the live object of /snapshot, and reports read back into the
 * dashboard's snapshot (see live.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live.h"
#include "util.h"

static void put(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? v : json_null());
}

static json_t *jsecs(int64_t us)
{
    return json_real((double)us / 1e6);
}

/* ---- snapshot -> live ---------------------------------------------------- */

static json_t *host_json(const struct host_sample *h)
{
    json_t *o = json_object();
    put(o, "load1", json_real(h->load1));
    put(o, "load5", json_real(h->load5));
    put(o, "load15", json_real(h->load15));
    put(o, "cpu", json_real(h->cpu_pct));
    put(o, "selfCpu", json_real(h->self_cpu_pct));
    put(o, "workerCpu", json_real(h->worker_cpu_pct));
    put(o, "busiestWorker", json_integer(h->busiest_worker));
    put(o, "memTotalKb", json_integer((json_int_t)h->mem_total_kb));
    put(o, "memUsedKb", json_integer((json_int_t)h->mem_used_kb));
    put(o, "ncpu", json_integer(h->ncpu));
    put(o, "fds", json_integer(h->fds_open));
    put(o, "fdsLimit", json_integer(h->fds_limit));
    put(o, "rssKb", json_integer((json_int_t)h->self_rss_kb));
    return o;
}

json_t *live_json(const struct snapshot *s)
{
    json_t *o = json_object();
    char state[16];
    snprintf(state, sizeof state, "%s", run_state_name(s->state));
    for (char *c = state; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    put(o, "state", json_string(state)); /* "running", "paused", ... */
    put(o, "elapsed", jsecs(s->elapsed_us));
    put(o, "planned", s->planned_us < PLAN_UNTIMED ? jsecs(s->planned_us) : NULL);
    put(o, "phase", json_integer(s->phase));
    put(o, "phaseElapsed", jsecs(s->phase_elapsed_us));
    put(o, "phaseDuration", jsecs(s->phase_duration_us));
    put(o, "targetRate", json_real(s->target_rate));
    put(o, "multiplier", json_real(s->mult));
    put(o, "fixedRate", json_real(s->fixed_rate));
    put(o, "activeVusers", json_integer((json_int_t)s->active_vus));
    put(o, "inflight", json_integer((json_int_t)s->inflight));
    put(o, "waiting", json_integer((json_int_t)s->waiting));
    put(o, "host", host_json(&s->host));
    json_t *ws = json_array();
    for (int i = 0; i < s->nworkers && i < SNAP_WORKERS; i++) {
        json_t *w = json_object();
        put(w, "cpu", json_real(s->worker[i].cpu_pct));
        put(w, "lagP99", jsecs(s->worker[i].lag_p99_us));
        put(w, "inflight", json_integer((json_int_t)s->worker[i].inflight));
        json_array_append_new(ws, w);
    }
    put(o, "workers", ws);
    return o;
}

/* ---- reading ------------------------------------------------------------- */

static double num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static int64_t us_of(const json_t *o, const char *key) /* seconds -> µs; -1 when null */
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? llround(json_number_value(v) * 1e6) : -1;
}

static int64_t us_of_ms(const json_t *o, const char *key)
{
    return llround(num(o, key) * 1000.0);
}

static uint64_t u64(const json_t *o, const char *key)
{
    double v = num(o, key);
    return v > 0 ? (uint64_t)v : 0;
}

enum run_state live_state_of(const char *name)
{
    for (int i = RUN_BEFORE; i <= RUN_DONE; i++)
        if (name && !strcasecmp(name, run_state_name((enum run_state)i)))
            return (enum run_state)i;
    return RUN_DONE;
}

/* ---- live merge ---------------------------------------------------------- */

static void add_num(json_t *dst, const json_t *src, const char *key)
{
    put(dst, key, json_integer((json_int_t)(u64(dst, key) + u64(src, key))));
}

static void max_num(json_t *dst, const json_t *src, const char *key)
{
    if (num(src, key) > num(dst, key))
        put(dst, key, json_real(num(src, key)));
}

/* One shard as a row of "workers": its busiest thread, its worst lag. */
static json_t *shard_row(const json_t *live)
{
    double lag = 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(live, "workers"), i, w)
    {
        if (num(w, "lagP99") > lag)
            lag = num(w, "lagP99");
    }
    json_t *o = json_object();
    put(o, "cpu", json_real(num(json_object_get(live, "host"), "workerCpu")));
    put(o, "lagP99", json_real(lag));
    put(o, "inflight", json_integer((json_int_t)u64(live, "inflight")));
    return o;
}

void live_merge(json_t *dst, const json_t *src, int index)
{
    json_t *d = json_object_get(dst, "live");
    const json_t *s = json_object_get(src, "live");
    if (!json_is_object(s))
        return;
    if (!json_is_object(d)) { /* the first shard: its values, its row */
        d = json_deep_copy(s);
        put(dst, "live", d);
        json_t *rows = json_array();
        json_array_append_new(rows, shard_row(s));
        put(d, "workers", rows);
        put(json_object_get(d, "host"), "busiestWorker", json_integer(index));
        return;
    }
    add_num(d, s, "activeVusers");
    add_num(d, s, "inflight");
    add_num(d, s, "waiting");
    max_num(d, s, "elapsed");
    enum run_state ds = live_state_of(json_string_value(json_object_get(d, "state")));
    enum run_state ss = live_state_of(json_string_value(json_object_get(s, "state")));
    /* running beats paused (some shard still sends), else the least advanced */
    int take = ss == RUN_RUNNING ? ds != RUN_RUNNING : ss < ds && ds != RUN_RUNNING;
    if (take)
        put(d, "state", json_deep_copy(json_object_get(s, "state")));
    json_array_append_new(json_object_get(d, "workers"), shard_row(s));
    const json_t *sh = json_object_get(s, "host");
    if (num(sh, "workerCpu") > num(json_object_get(d, "host"), "workerCpu")) {
        put(d, "host", json_deep_copy(sh));
        put(json_object_get(d, "host"), "busiestWorker", json_integer(index));
    }
}

/* ---- report -> snapshot -------------------------------------------------- */

/* The snapshot's error table: names seen, in order. */
static int error_index(struct snapshot *s, const char *name)
{
    for (int i = 0; i < s->nerrors; i++)
        if (!strcmp(s->error_names[i], name))
            return i;
    if (s->nerrors >= STATS_MAX_ERRORS)
        return -1;
    s->error_names[s->nerrors] = name;
    return s->nerrors++;
}

static void code_classes(const uint64_t *codes, uint64_t *cls)
{
    for (int i = 0; i < STATS_MAX_CODES; i++) {
        int k = i >= 100 && i < 600 ? i / 100 : 0;
        cls[k] += codes[i];
    }
}

/* A report's counters object into `c` (errors indexed in s's table). */
static void counters_of(const json_t *o, struct counters *c, struct snapshot *s)
{
    memset(c, 0, sizeof *c);
    const char *k;
    json_t *v;
    int named = 0;
    json_object_foreach((json_t *)o, k, v)
    {
        uint64_t n =
            json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
        int code;
        char end;
        if (!strncmp(k, "errors.", 7)) {
            int i = error_index(s, k + 7);
            if (i >= 0)
                c->errors[i] += n;
        } else if (sscanf(k, "http.codes.%d%c", &code, &end) == 1 && code >= 0 &&
                   code < STATS_MAX_CODES) {
            c->codes[code] += n;
        } else if (!strcmp(k, "vusers.created")) {
            c->vu_created = n;
        } else if (!strcmp(k, "vusers.completed")) {
            c->vu_completed = n;
        } else if (!strcmp(k, "vusers.failed")) {
            c->vu_failed = n;
        } else if (!strcmp(k, "vusers.skipped")) {
            c->vu_skipped = n;
        } else if (!strcmp(k, "http.requests")) {
            c->requests = n;
        } else if (!strcmp(k, "http.responses")) {
            c->responses = n;
        } else if (!strcmp(k, "http.downloaded_bytes")) {
            c->downloaded_bytes = n;
        } else if (strncmp(k, "vusers.", 7) && named < STATS_MAX_COUNTERS) {
            c->counter[named] = n;
            c->counter_names[named++] = k;
        }
    }
    code_classes(c->codes, c->code_class);
}

static void sumstat_in(const json_t *o, struct sumstat *m)
{
    m->count = u64(o, "count");
    m->min = us_of_ms(o, "min");
    m->max = us_of_ms(o, "max");
    m->p50 = us_of_ms(o, "p50");
    m->p75 = us_of_ms(o, "p75");
    m->p90 = us_of_ms(o, "p90");
    m->p95 = us_of_ms(o, "p95");
    m->p99 = us_of_ms(o, "p99");
    m->p999 = us_of_ms(o, "p999");
    m->mean = num(o, "mean") * 1000.0;
}

static void summaries_of(const json_t *o, struct sumstat *s)
{
    for (int k = 0; k < SUM_N; k++)
        sumstat_in(json_object_get(o, stats_summary_name[k]), &s[k]);
}

static void endpoints_of(const json_t *eps, struct snapshot *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(eps, i, e)
    {
        if (i >= SNAP_ENDPOINTS)
            break;
        struct counters c;
        counters_of(json_object_get(e, "counters"), &c, s);
        struct snap_endpoint *ep = &s->ep[i];
        ep->c.requests = c.requests;
        ep->c.responses = c.responses;
        for (int k = 0; k < STATS_MAX_ERRORS; k++)
            ep->c.errors += c.errors[k];
        ep->c.non2xx = c.responses - c.code_class[2];
        struct sumstat all[SUM_N];
        summaries_of(json_object_get(e, "summaries"), all);
        ep->s[0] = all[SUM_RESPONSE_TIME];
        ep->s[1] = all[SUM_LATENCY];
        s->nendpoints = (int)i + 1;
    }
}

static void phases_of(const json_t *phases, struct snapshot *s)
{
    size_t i;
    json_t *p;
    s->nphases = (int)json_array_size(phases);
    json_array_foreach(phases, i, p)
    {
        if (i >= SNAP_PHASES)
            break;
        s->ph[i] = (struct snap_phase){.planned = (int64_t)num(p, "planned"),
                                       .arrivals = (int64_t)num(p, "arrivals"),
                                       .started_us = us_of(p, "startedAt"),
                                       .ended_us = us_of(p, "endedAt")};
    }
}

static void second_of(const json_t *o, struct second *sec, struct snapshot *s)
{
    static const char *const cls[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    sec->target_rate = num(o, "targetRate");
    sec->arrivals = (uint32_t)u64(o, "arrivals");
    sec->skipped = (uint32_t)u64(o, "skipped");
    sec->requests = (uint32_t)u64(o, "requests");
    sec->responses = (uint32_t)u64(o, "responses");
    sec->failed_vus = (uint32_t)u64(o, "failed");
    for (int i = 0; i < 6; i++)
        sec->code_class[i] = (uint32_t)u64(json_object_get(o, "codes"), cls[i]);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o, "errors"), k, v)
    {
        int i = error_index(s, k);
        if (i >= 0)
            sec->errors[i] = (uint32_t)json_integer_value(v);
    }
    sec->p50 = us_of_ms(o, "p50");
    sec->p95 = us_of_ms(o, "p95");
    sec->p99 = us_of_ms(o, "p99");
    sec->lat_p99 = us_of_ms(o, "latencyP99");
    sec->host.load1 = num(o, "load1");
    sec->host.cpu_pct = num(o, "cpu");
    sec->host.self_cpu_pct = num(o, "selfCpu");
    sec->host.worker_cpu_pct = num(o, "workerCpu");
    sec->host.mem_used_kb = u64(o, "memUsedKb");
    sec->phase = (int)num(o, "phase");
    int64_t paused = us_of(o, "paused");
    sec->paused_us = paused > 0 ? (uint32_t)paused : 0;
}

static void host_of(const json_t *h, struct host_sample *o)
{
    o->load1 = num(h, "load1");
    o->load5 = num(h, "load5");
    o->load15 = num(h, "load15");
    o->cpu_pct = num(h, "cpu");
    o->self_cpu_pct = num(h, "selfCpu");
    o->worker_cpu_pct = num(h, "workerCpu");
    o->busiest_worker = (int)num(h, "busiestWorker");
    o->mem_total_kb = u64(h, "memTotalKb");
    o->mem_used_kb = u64(h, "memUsedKb");
    o->ncpu = (int)num(h, "ncpu");
    o->fds_open = (int)num(h, "fds");
    o->fds_limit = (int)num(h, "fdsLimit");
    o->self_rss_kb = u64(h, "rssKb");
}

/* The last closed interval, times relative to the run's first metric. */
static void last_interval_of(const json_t *r, struct snapshot *s)
{
    const json_t *inter = json_object_get(r, "intermediate");
    s->nintervals = (int)json_array_size(inter);
    if (!s->nintervals)
        return;
    const json_t *last = json_array_get(inter, (size_t)s->nintervals - 1);
    double t0 = num(json_object_get(r, "aggregate"), "firstMetricAt");
    s->last_start_us = llround((num(last, "firstMetricAt") - t0) * 1000.0);
    s->last_end_us = llround((num(last, "lastMetricAt") - t0) * 1000.0);
    counters_of(json_object_get(last, "counters"), &s->last_c, s);
    summaries_of(json_object_get(last, "summaries"), s->last_s);
}

static void live_of(const json_t *r, const json_t *live, struct snapshot *s)
{
    const json_t *run = json_object_get(r, "run");
    if (!json_is_object(live)) { /* a saved report: the run as it ended */
        s->state = RUN_DONE;
        s->elapsed_us = us_of(run, "elapsed");
        s->planned_us = PLAN_UNTIMED;
        return;
    }
    s->state = live_state_of(json_string_value(json_object_get(live, "state")));
    s->elapsed_us = us_of(live, "elapsed");
    s->planned_us = us_of(live, "planned");
    if (s->planned_us < 0)
        s->planned_us = PLAN_UNTIMED;
    s->phase = (int)num(live, "phase");
    s->phase_elapsed_us = us_of(live, "phaseElapsed");
    s->phase_duration_us = us_of(live, "phaseDuration");
    s->target_rate = num(live, "targetRate");
    s->mult = num(live, "multiplier");
    s->fixed_rate = num(live, "fixedRate");
    s->active_vus = u64(live, "activeVusers");
    s->inflight = u64(live, "inflight");
    s->waiting = u64(live, "waiting");
    host_of(json_object_get(live, "host"), &s->host);
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(live, "workers"), i, w)
    {
        if (i >= SNAP_WORKERS)
            break;
        s->worker[i] = (struct snap_worker){num(w, "cpu"), us_of(w, "lagP99"), u64(w, "inflight")};
        s->nworkers = (int)i + 1;
    }
}

void live_snapshot(const json_t *r, struct snapshot *s)
{
    uint64_t seq = s->seq;
    memset(s, 0, sizeof *s);
    s->seq = seq;
    s->mult = 1;
    const json_t *agg = json_object_get(r, "aggregate");
    counters_of(json_object_get(agg, "counters"), &s->total, s);
    summaries_of(json_object_get(agg, "summaries"), s->total_s);
    last_interval_of(r, s);
    endpoints_of(json_object_get(r, "endpoints"), s);
    phases_of(json_object_get(r, "phases"), s);
    const json_t *tl = json_object_get(r, "timeline");
    size_t n = json_array_size(tl), from = n > SNAP_SECONDS ? n - SNAP_SECONDS : 0;
    s->first_sec = (int64_t)from;
    for (size_t i = from; i < n; i++)
        second_of(json_array_get(tl, i), &s->sec[s->nsec++], s);
    const json_t *ev = json_object_get(r, "events");
    size_t ne = json_array_size(ev), e0 = ne > SNAP_EVENTS ? ne - SNAP_EVENTS : 0;
    s->total_events = (int)ne;
    for (size_t i = e0; i < ne; i++) {
        const json_t *e = json_array_get(ev, i);
        struct event *o = &s->ev[s->nevents++];
        o->t_us = us_of(e, "t");
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *text = json_string_value(json_object_get(e, "text"));
        snprintf(o->kind, sizeof o->kind, "%s", kind ? kind : "");
        snprintf(o->text, sizeof o->text, "%s", text ? text : "");
    }
    live_of(r, json_object_get(r, "live"), s);
    if (s->nworkers == 0)
        s->nworkers = 1;
    if (s->phase >= s->nphases)
        s->phase = s->nphases > 0 ? s->nphases - 1 : 0;
}

/* ---- report -> plan ------------------------------------------------------ */

static char *str_or(const json_t *o, const char *key, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, key));
    return xstrdup(v ? v : dflt);
}

int live_plan(const json_t *r, struct plan *p)
{
    memset(p, 0, sizeof *p);
    const json_t *phases = json_object_get(r, "phases"), *plan = json_object_get(r, "plan");
    const json_t *run = json_object_get(r, "run");
    size_t n = json_array_size(phases);
    if (n == 0 || n > PLAN_MAX_PHASES)
        return -1;
    const char *model = json_string_value(json_object_get(plan, "model"));
    p->model = model && !strcmp(model, "closed") ? MODEL_CLOSED : MODEL_OPEN;
    p->connections = (int)num(plan, "connections");
    p->max_requests = (int64_t)num(plan, "maxRequests");
    p->pool = (int)num(plan, "pool");
    p->target = str_or(run, "target", "");
    const char *script = json_string_value(json_object_get(run, "script"));
    p->script = script ? xstrdup(script) : NULL;
    p->phases = xcalloc(n, sizeof *p->phases);
    p->nphases = (int)n;
    static const char *const kinds[] = {"pause", "count", "ramp", "constant"};
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(phases, i);
        struct phase *ph = &p->phases[i];
        ph->name = str_or(o, "name", "unnamed");
        const char *kind = json_string_value(json_object_get(o, "kind"));
        ph->kind = PHASE_PAUSE;
        for (int k = 0; k < 4; k++)
            if (kind && !strcmp(kind, kinds[k]))
                ph->kind = (enum phase_kind)k;
        int64_t d = us_of(o, "duration");
        ph->duration_us = d > 0 ? d : PLAN_UNTIMED;
        ph->rate = num(o, "arrivalRate");
        ph->rate_to = num(o, "rampTo");
        ph->count = (int64_t)num(o, "arrivalCount");
        ph->max_vusers = (int)num(o, "maxVusers");
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "endpoints"), i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        if (p->nendpoints < PLAN_MAX_ENDPOINTS)
            plan_endpoint(p, name ? name : "?");
    }
    return 0;
}
