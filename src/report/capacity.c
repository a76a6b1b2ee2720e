/* capacity.c — see capacity.h. Phases are judged as wholes (a phase is the
 * unit a script's author chose); the per-second timeline only dates the
 * breaking point. Every sentence is built from numbers in the report. */
#include "capacity.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
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

/* snprintf cuts at a byte: drop what it left of a UTF-8 sequence at the
 * end of s (the names in a report are valid UTF-8, so only the end can be
 * cut), so that Markdown and HTML stay valid text. */
static void utf8_trim(char *s)
{
    size_t len = strlen(s), lead = len;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
        lead--;
    if (lead-- == 0)
        return;
    unsigned char c = (unsigned char)s[lead];
    size_t want = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len - lead < want)
        s[lead] = '\0';
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
    utf8_trim(name);
    return best;
}

/* ---- words ------------------------------------------------------------- */

static int in_list(const char *name, const char *list)
{
    size_t n = strlen(name);
    if (!n)
        return 0;
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

void capacity_signature(const char *f, double p99, double healthy_p99, char *out, size_t n)
{
    if (!*f) {
        snprintf(out, n,
                 "no errors, but responses slowed past the objective: requests are queueing "
                 "(the server is saturated but still answering)");
    } else if (!strcmp(f, "ECONNRESET") || !strcmp(f, "EPIPE")) {
        snprintf(out, n,
                 "connections reset by the server under load: it stopped accepting "
                 "connections (accept queue or worker pool exhausted)");
    } else if (!strcmp(f, "ECONNREFUSED")) {
        snprintf(out, n,
                 "connections refused: nothing accepted them (the listen backlog overflowed, "
                 "or the server process stopped)");
    } else if (in_list(f, "ETIMEDOUT ESOCKETTIMEDOUT ECONNABORTED")) {
        if (p99 > 0 && healthy_p99 > 0 && p99 >= 2 * healthy_p99)
            snprintf(out, n,
                     "requests timed out while p99 climbed from %.1f ms to %.1f ms: requests "
                     "are queueing faster than the server completes them",
                     healthy_p99, p99);
        else
            snprintf(out, n,
                     "requests timed out without a gradual latency climb: the server or the "
                     "network stalled");
    } else if (in_list(f, "EMFILE ENFILE EADDRNOTAVAIL EADDRINUSE ENOBUFS")) {
        snprintf(out, n,
                 "the load generator ran out of file descriptors or local ports: a limit on "
                 "loadtop's machine, not the server's");
    } else if (in_list(f, "ENOTFOUND EAI_AGAIN")) {
        snprintf(out, n, "host name resolution failed (DNS)");
    } else if (!strcmp(f, "HTTP 503")) {
        snprintf(out, n, "HTTP 503: the server (or a proxy) shed load or was unavailable");
    } else if (!strcmp(f, "HTTP 502")) {
        snprintf(out, n, "HTTP 502: a proxy in front got bad or no responses from the application");
    } else if (!strcmp(f, "HTTP 504")) {
        snprintf(out, n, "HTTP 504: a proxy in front timed out waiting for the application");
    } else if (!strncmp(f, "HTTP 5", 6)) {
        snprintf(out, n, "%s: the application failed (server errors)", f);
    } else if (strstr(f, "capture") || strstr(f, "match") || strstr(f, "expect")) {
        snprintf(out, n,
                 "responses failed the script's capture or expect checks: the application "
                 "answered, but not with what the flow expected");
    } else {
        snprintf(out, n, "errors named %s dominated", f);
    }
}

static void fmt_rate(char *out, size_t n, double r)
{
    if (fabs(r) >= 1e15) /* as render.c prints it: not hundreds of digits */
        snprintf(out, n, "%.3g/s", r);
    else if (fabs(r - round(r)) < 0.005)
        snprintf(out, n, "%.0f/s", r);
    else
        snprintf(out, n, r >= 10 ? "%.1f/s" : "%.2g/s", r);
}

/* 1234567 -> "1,234,567" */
static void fmt_count(char *out, size_t n, uint64_t v)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
}

static void fmt_pct(char *out, size_t n, double p)
{
    if (p > 0 && p < 0.1)
        snprintf(out, n, "<0.1%%");
    else
        snprintf(out, n, "%.1f%%", p);
}

static void fmt_ms(char *out, size_t n, double ms)
{
    if (ms < 0)
        snprintf(out, n, "n/a");
    else
        snprintf(out, n, "%.1f ms", ms);
}

/* "m:ss" of a time in seconds. */
static void fmt_clock(char *out, size_t n, double s)
{
    if (!(s >= 0 && s < 1e9)) { /* no run is that long: lround would have no long for it */
        snprintf(out, n, "%.3g s", s);
        return;
    }
    long t = lround(s);
    snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

__attribute__((format(printf, 3, 4))) static void item(struct capacity *c, const char *label,
                                                       const char *fmt, ...)
{
    if (c->nitems == CAPACITY_MAX_ITEMS)
        return;
    struct capacity_item *it = &c->items[c->nitems++];
    snprintf(it->label, sizeof it->label, "%s", label);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->text, sizeof it->text, fmt, ap);
    va_end(ap);
    utf8_trim(it->text); /* long phase names fill it */
}

/* ---- analysis ---------------------------------------------------------- */

struct ph {
    int index;
    const json_t *j;
    const char *name;
    double target, requests, fail_pct, p99;
    int judged, healthy;
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

/* First second inside phase `ph` that was unhealthy: its time, or -1. */
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

static void trust(struct capacity *c, const json_t *run, struct ph *ps, int n)
{
    size_t i;
    json_t *s;
    c->self_cpu_peak = num(json_object_get(run, "host"), "selfCpuPeak", -1);
    json_array_foreach(json_object_get(run, "timeline"), i, s) c->self_cpu_peak =
        fmax(c->self_cpu_peak, num(s, "selfCpu", -1));
    json_t *agg = json_object_get(run, "aggregate");
    c->lag_p99_ms =
        num(json_object_get(json_object_get(agg, "summaries"), "loadtop.schedule_lag"), "p99", -1);
    c->saturated = c->self_cpu_peak >= CAPACITY_SELF_CPU_PCT || c->lag_p99_ms >= CAPACITY_LAG_MS;

    struct buf shortl = {0};
    for (int k = 0; k < n; k++) {
        double want = phase_mean_target(ps[k].j), got = num(ps[k].j, "achievedRate", -1);
        if (want <= 0 || got < 0 || got >= CAPACITY_RATE_SHORT * want)
            continue;
        char a[32], b[32];
        fmt_rate(a, sizeof a, got);
        fmt_rate(b, sizeof b, want);
        buf_printf(&shortl, "%s%s (%s of %s)", c->rate_short++ ? ", " : "", ps[k].name, a, b);
    }
    double skipped = num(json_object_get(agg, "counters"), "vusers.skipped", 0);
    char lag[32];
    fmt_ms(lag, sizeof lag, c->lag_p99_ms);
    if (c->self_cpu_peak < 0 && c->lag_p99_ms < 0) {
        item(c, "Trust", "unknown: the report has no data on loadtop's own CPU or schedule lag.");
    } else if (!c->saturated && !c->rate_short && !c->generator_limit && skipped == 0) {
        if (c->closed_model)
            item(c, "Trust", "the generator kept up: loadtop peaked at %.0f%% of one core.",
                 c->self_cpu_peak);
        else
            item(
                c, "Trust",
                "the generator kept up: loadtop peaked at %.0f%% of one core, its schedule lag p99 "
                "was %s, and every phase reached at least %.0f%% of its target rate.",
                c->self_cpu_peak, lag, CAPACITY_RATE_SHORT * 100);
    } else {
        struct buf why = {0};
        if (c->saturated)
            buf_printf(&why,
                       "the generator was saturated (loadtop CPU peak %.0f%% of a core, "
                       "schedule lag p99 %s), so it, not the server, may have set the pace",
                       c->self_cpu_peak, lag);
        if (c->rate_short)
            buf_printf(&why, "%sthe planned rate was not reached in %s", why.len ? "; " : "",
                       shortl.data);
        if (skipped > 0)
            buf_printf(&why, "%s%.0f arrivals were skipped (maxVusers or the fd limit)",
                       why.len ? "; " : "", skipped);
        if (c->generator_limit)
            buf_printf(&why, "%sloadtop ran out of file descriptors or ports", why.len ? "; " : "");
        item(c, "Not trustworthy", "%s.", why.data);
        buf_free(&why);
    }
    buf_free(&shortl);
    /* a target on this machine competes with loadtop for the CPU */
    const char *target = str(json_object_get(run, "run"), "target");
    double cpu = num(json_object_get(run, "host"), "cpuPeak", 0);
    if (cpu >= 95 && target &&
        (strstr(target, "://127.") || strstr(target, "://localhost") || strstr(target, "://[::1]")))
        item(c, "Shared host",
             "the host's CPU peaked at %.0f%% and the target runs on this machine, so the "
             "server and loadtop competed for the CPU; the server alone may do better.",
             cpu);
}

static void closed_model(struct capacity *c, const json_t *run)
{
    json_t *agg = json_object_get(run, "aggregate"), *cnt = json_object_get(agg, "counters");
    double req = num(cnt, "http.requests", 0);
    double el = num(json_object_get(run, "run"), "elapsed", 0);
    char p99[32], pct[32];
    fmt_ms(p99, sizeof p99, p99_of(agg));
    fmt_pct(pct, sizeof pct, req > 0 ? (double)capacity_failures(cnt) * 100 / req : 0);
    item(c, "Closed model",
         "%.0f connections looping back to back reached %.1f requests/s with %s failures and "
         "p99 %s. A closed model slows down with the server, so it shows no breaking point: "
         "test fixed arrival rates (`--rate`, or a script with phases) to find one.",
         num(json_object_get(run, "plan"), "connections", 0), el > 0 ? req / el : 0, pct, p99);
}

void capacity_analyze(const json_t *run, struct capacity *c)
{
    memset(c, 0, sizeof *c);
    c->sustainable = c->breaking = -1;
    c->started_at = -1;
    const char *state = str(json_object_get(run, "run"), "state");
    c->provisional = state && !strcmp(state, "running");
    double slo = script_slo(run);
    c->slo_from_script = slo > 0;
    c->slo_p99_ms = slo > 0 ? slo : CAPACITY_SLO_MS;
    const char *model = str(json_object_get(run, "plan"), "model");
    c->closed_model = model && !strcmp(model, "closed");

    json_t *phases = json_object_get(run, "phases");
    int n = (int)json_array_size(phases);
    struct ph *ps = xcalloc((size_t)n + 1, sizeof *ps);
    for (int i = 0; i < n; i++) {
        struct ph *p = &ps[i];
        p->index = i;
        p->j = json_array_get(phases, (size_t)i);
        p->name = str(p->j, "name") ? str(p->j, "name") : "unnamed";
        p->target = capacity_phase_target(p->j);
        json_t *cnt = json_object_get(p->j, "counters");
        p->requests = num(cnt, "http.requests", 0);
        p->fail_pct = p->requests > 0 ? (double)capacity_failures(cnt) * 100 / p->requests : 0;
        p->p99 = p99_of(p->j);
        p->judged = p->target > 0 && p->requests >= CAPACITY_MIN_REQUESTS;
        p->healthy = p->fail_pct < CAPACITY_FAIL_PCT && p->p99 <= c->slo_p99_ms;
        c->judged += p->judged;
        char top[48];
        capacity_top_failure(cnt, top, sizeof top);
        c->generator_limit |= in_list(top, "EMFILE ENFILE EADDRNOTAVAIL EADDRINUSE ENOBUFS");
    }

    if (c->provisional)
        item(c, "Provisional",
             "the run was still going (%.0f s in); these findings cover the phases so far.",
             num(json_object_get(run, "run"), "elapsed", 0));
    if (c->closed_model) {
        closed_model(c, run);
        trust(c, run, ps, 0);
        free(ps);
        return;
    }
    if (!c->judged) {
        item(c, "Too little data",
             "no phase with a target rate had at least %d requests (%.0f requests in all), so "
             "there is no sustainable load or breaking point to report. Run longer or at higher "
             "rates.",
             CAPACITY_MIN_REQUESTS,
             num(json_object_get(json_object_get(run, "aggregate"), "counters"), "http.requests",
                 0));
        trust(c, run, ps, n);
        free(ps);
        return;
    }
    item(c, "Criteria",
         "a phase is healthy when under %.0f%% of its requests fail (transport errors or 5xx) "
         "and its p99 response time stays under %.0f ms (%s).",
         CAPACITY_FAIL_PCT, c->slo_p99_ms,
         c->slo_from_script ? "the script's threshold"
                            : "the default; an ensure threshold on http.response_time.p99 sets it");

    struct ph *sorted = xcalloc((size_t)n, sizeof *sorted);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (ps[i].judged)
            sorted[m++] = ps[i];
    qsort(sorted, (size_t)m, sizeof *sorted, by_rate);
    const struct ph *brk = NULL, *sus = NULL;
    for (int i = 0; i < m && !brk; i++)
        if (!sorted[i].healthy)
            brk = &sorted[i];
    for (int i = 0; i < m; i++)
        if (sorted[i].healthy && (!brk || sorted[i].target < brk->target))
            sus = &sorted[i];

    char r1[32], r2[32], pct[32], ms[32], t[32];
    if (sus) {
        c->sustainable = sus->index;
        c->sustainable_rate = sus->target;
        fmt_rate(r1, sizeof r1, sus->target);
        fmt_pct(pct, sizeof pct, sus->fail_pct);
        fmt_ms(ms, sizeof ms, sus->p99);
        item(c, "Sustainable load", "**%s** (phase %d `%s`: %s failures, p99 %s).", r1,
             sus->index + 1, sus->name, pct, ms);
    } else {
        fmt_rate(r1, sizeof r1, brk->target);
        item(c, "Sustainable load",
             "not found: even the lowest rate tested, %s (phase %d `%s`), was unhealthy.", r1,
             brk->index + 1, brk->name);
    }

    if (!brk) {
        fmt_rate(r1, sizeof r1, sorted[m - 1].target);
        item(c, "Breaking point",
             "not reached: every phase up to %s stayed healthy, so the limit lies above that "
             "rate. Add phases at higher rates to find it.",
             r1);
    } else {
        c->breaking = brk->index;
        c->breaking_rate = brk->target;
        c->breaking_fail_pct = brk->fail_pct;
        c->breaking_p99_ms = brk->p99;
        json_t *cnt = json_object_get(brk->j, "counters");
        c->dominant_count = capacity_top_failure(cnt, c->dominant, sizeof c->dominant);
        uint64_t fails = capacity_failures(cnt);
        c->dominant_pct = fails ? (double)c->dominant_count * 100 / (double)fails : 0;
        double rate_then = -1;
        c->started_at = first_bad_second(run, brk, c->slo_p99_ms, &rate_then);
        capacity_signature(c->dominant, brk->p99, sus ? sus->p99 : -1, c->signature,
                           sizeof c->signature);

        struct buf b = {0};
        fmt_rate(r1, sizeof r1, brk->target);
        fmt_pct(pct, sizeof pct, brk->fail_pct);
        fmt_ms(ms, sizeof ms, brk->p99);
        buf_printf(&b, "**%s** (phase %d `%s`: %s failures, p99 %s%s)", r1, brk->index + 1,
                   brk->name, pct, ms, brk->p99 > c->slo_p99_ms ? ", over the objective" : "");
        if (c->dominant_count) {
            char n1[32], n2[32];
            fmt_pct(pct, sizeof pct, c->dominant_pct);
            fmt_count(n1, sizeof n1, c->dominant_count);
            fmt_count(n2, sizeof n2, fails);
            buf_printf(&b, ". `%s` made %s of its %s failures (%s)", c->dominant, n1, n2, pct);
        }
        if (c->started_at >= 0) {
            fmt_clock(t, sizeof t, c->started_at);
            buf_printf(&b, "%s started at %s, %.0f s into the phase",
                       c->dominant_count ? "; they" : ". Trouble", t,
                       fmax(0, c->started_at - num(brk->j, "startedAt", c->started_at)));
            if (rate_then > 0 && fabs(rate_then - brk->target) > 0.5) {
                fmt_rate(r2, sizeof r2, rate_then);
                buf_printf(&b, ", at a target of %s", r2);
            }
        }
        buf_puts(&b, ".");
        item(c, "Breaking point", "%s", b.data);
        buf_free(&b);
        item(c, "Error signature", "%s%s%s: %s.", c->dominant_count ? "`" : "",
             c->dominant_count ? c->dominant : "latency", c->dominant_count ? "`" : "",
             c->signature);
        if (sus) {
            fmt_rate(r1, sizeof r1, sus->target);
            fmt_rate(r2, sizeof r2, brk->target);
            item(c, "Capacity", "between %s and %s. Phases at rates in between would narrow it.",
                 r1, r2);
        }
        /* a healthy phase above the breaking rate: the limit is not a sharp line */
        for (int i = m - 1; i >= 0; i--)
            if (sorted[i].healthy && sorted[i].target > brk->target) {
                fmt_rate(r1, sizeof r1, sorted[i].target);
                item(c, "Note",
                     "phase %d `%s` was healthy at %s, above the breaking point: the limit "
                     "is not sharp (warm-up, caches or a transient stall).",
                     sorted[i].index + 1, sorted[i].name, r1);
                break;
            }
    }

    struct buf unj = {0};
    for (int i = 0; i < n; i++)
        if (ps[i].target > 0 && !ps[i].judged)
            buf_printf(&unj, "%sphase %d `%s` (%.0f requests)", unj.len ? ", " : "", i + 1,
                       ps[i].name, ps[i].requests);
    if (unj.len)
        item(c, "Not judged", "%s: fewer than %d requests is too few to judge.", unj.data,
             CAPACITY_MIN_REQUESTS);
    buf_free(&unj);
    trust(c, run, ps, n);
    free(sorted);
    free(ps);
}

char *capacity_markdown(const struct capacity *c)
{
    struct buf b = {0};
    for (int i = 0; i < c->nitems; i++)
        buf_printf(&b, "- **%s**: %s\n", c->items[i].label, c->items[i].text);
    return b.data ? b.data : xstrdup("");
}
