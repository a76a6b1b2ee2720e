/* sections.c — the report's sections (render_int.h), in the shape of a
 * hand-written load-test report, each written once for both formats through
 * the doc writer; the HTML adds the summary cards and the charts. */
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

/* Failures (transport errors + 5xx) as "834 (34.8%)". */
static const char *failures(struct render_ctx *x, const json_t *counters)
{
    double req = render_counter(counters, "http.requests");
    if (isnan(req))
        return "n/a";
    double f = (double)capacity_failures(counters);
    return doc_printf(x->d, "%s (%s)", doc_count(x->d, f), doc_pct(x->d, render_ratio_pct(f, req)));
}

static const char *top_failure(struct render_ctx *x, const json_t *counters)
{
    char name[64];
    uint64_t n = capacity_top_failure(counters, name, sizeof name);
    return n ? doc_printf(x->d, "%s (%s)", doc_code(x->d, name), doc_count(x->d, (double)n))
             : "none";
}

static double peak_target(const json_t *run, int *phase)
{
    double best = 0;
    *phase = -1;
    size_t i;
    json_t *ph;
    json_array_foreach(render_get(run, "phases"), i, ph)
    {
        double r = capacity_phase_target(ph);
        if (r > best) {
            best = r;
            *phase = (int)i;
        }
    }
    return best;
}

const char *sections_title(struct render_ctx *x)
{
    const json_t *r = render_get(x->run, "run");
    const char *script = render_str(r, "script"), *target = render_str(r, "target");
    if (script) {
        const char *slash = strrchr(script, '/');
        return doc_md(x->d, slash ? slash + 1 : script);
    }
    return target ? doc_md(x->d, target) : "loadtop run";
}

static void sec_overview(struct render_ctx *x)
{
    struct doc *d = x->d;
    const json_t *r = render_get(x->run, "run"), *plan = render_get(x->run, "plan");
    doc_heading(d, 2, "overview", "Test overview");
    doc_item(d, "Date", doc_date(d, render_str(r, "startedAt")));
    doc_item(d, "Target", doc_code(d, render_str(r, "target")));
    doc_item(d, "Script",
             render_str(r, "script")                 ? doc_code(d, render_str(r, "script"))
             : json_is_null(render_get(r, "script")) ? "none (one-URL run)"
                                                     : "n/a");
    const char *model = render_str(plan, "model");
    int ph;
    double peak = peak_target(x->run, &ph);
    if (model && !strcmp(model, "closed"))
        doc_item(d, "Peak target rate",
                 doc_printf(d, "none: closed model, %s connections looping back to back",
                            doc_count(d, render_num(plan, "connections"))));
    else if (ph >= 0)
        doc_item(d, "Peak target rate",
                 doc_printf(d, "%s arrivals/s in phase %d %s", doc_rate_n(d, peak), ph + 1,
                            doc_code(d, render_str(json_array_get(render_get(x->run, "phases"),
                                                                  (size_t)ph),
                                                   "name"))));
    else
        doc_item(d, "Peak target rate", "n/a");
    /* -n alone plans requests, not a length */
    double maxreq = render_num(plan, "maxRequests");
    const char *planned = json_is_null(render_get(plan, "duration")) && maxreq > 0
                              ? doc_printf(d, "%s requests", doc_count(d, maxreq))
                              : doc_dur(d, render_num(plan, "duration"));
    doc_item(d, "Duration",
             x->paused > 0 ? doc_printf(d, "%s (planned %s), of which paused %s",
                                        doc_dur(d, x->elapsed), planned, doc_dur(d, x->paused))
                           : doc_printf(d, "%s (planned %s)", doc_dur(d, x->elapsed), planned));
    doc_item(d, "Totals",
             doc_printf(d, "%s requests, %s responses, %s VUs created, %s failed requests",
                        doc_count(d, x->requests),
                        doc_count(d, render_counter(x->counters, "http.responses")),
                        doc_count(d, render_counter(x->counters, "vusers.created")),
                        doc_printf(d, "%s (%s)", doc_count(d, x->failures),
                                   doc_pct(d, render_ratio_pct(x->failures, x->requests)))));
    const char *state = render_str(r, "state");
    doc_item(
        d, "State",
        !state ? "n/a"
        : !strcmp(state, "running")
            ? doc_printf(d, "running: a snapshot taken %s into the run", doc_dur(d, x->elapsed))
            : doc_md(d, state));
    if (render_str(r, "command"))
        doc_item(d, "Command", doc_code(d, render_str(r, "command")));
    if (d->html && x->tl.n)
        chart_rate(d, x->run, &x->tl);
}

static const char *phase_target_text(struct doc *d, const json_t *ph)
{
    const char *kind = render_str(ph, "kind");
    if (!kind)
        return "n/a";
    if (!strcmp(kind, "ramp"))
        return doc_printf(d, "%s → %s", doc_rate(d, render_num(ph, "arrivalRate")),
                          doc_rate(d, render_num(ph, "rampTo")));
    if (!strcmp(kind, "count"))
        return doc_printf(d, "%s arrivals (%s)", doc_count(d, render_num(ph, "arrivalCount")),
                          doc_rate(d, capacity_phase_target(ph)));
    if (!strcmp(kind, "pause"))
        return "none";
    return doc_rate(d, render_num(ph, "arrivalRate"));
}

/* A pause as a row of the phase table: when, how long, no load. */
static void pause_row(struct doc_table *t, struct doc *d, const json_t *p)
{
    double a = render_num(p, "start"), b = render_num(p, "end");
    doc_row(t, "⏸", doc_printf(d, "paused at %s", doc_clock(d, a, 1)), doc_dur(d, b - a), "none",
            "—", "—", "—", "—", "—", "—", "—");
}

static void sec_phases(struct render_ctx *x)
{
    struct doc *d = x->d;
    doc_heading(d, 2, "phases", "Phases");
    const json_t *phases = render_get(x->run, "phases");
    if (!json_array_size(phases)) {
        doc_para(d, "No phases in this report.");
        return;
    }
    static const char *const head[] = {"#",        "Phase",    "Duration", "Target rate",
                                       "Achieved", "Requests", "Failures", "p50 (ms)",
                                       "p95 (ms)", "p99 (ms)", "Top error"};
    struct doc_table t = {11, head, "rlrrrrrrrrl", NULL, 0, 0};
    const json_t *pauses = render_get(render_get(x->run, "run"), "pauses");
    size_t i, np = 0;
    json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        /* the pauses that began before this phase did, each a row of its own */
        double s0 = render_num(ph, "startedAt");
        for (; np < json_array_size(pauses) &&
               (isnan(s0) || !(render_num(json_array_get(pauses, np), "start") >= s0));
             np++)
            pause_row(&t, d, json_array_get(pauses, np));
        const json_t *c = render_get(ph, "counters");
        doc_row(&t, doc_printf(d, "%d", (int)i + 1),
                doc_md(d, render_str(ph, "name") ? render_str(ph, "name") : "unnamed"),
                json_is_null(render_get(ph, "duration")) ? "until done"
                                                         : doc_dur(d, render_num(ph, "duration")),
                phase_target_text(d, ph), doc_rate1(d, render_num(ph, "achievedRate")),
                doc_count(d, render_counter(c, "http.requests")), failures(x, c),
                doc_ms(d, render_stat(ph, "http.response_time", "p50")),
                doc_ms(d, render_stat(ph, "http.response_time", "p95")),
                doc_ms(d, render_stat(ph, "http.response_time", "p99")), top_failure(x, c));
    }
    for (; np < json_array_size(pauses); np++)
        pause_row(&t, d, json_array_get(pauses, np));
    doc_table_out(d, &t);
    double unlisted = render_num(render_get(x->run, "run"), "pausesUnlisted");
    doc_para(d, doc_printf(d,
                           "Failures are transport errors plus 5xx responses, as a share of "
                           "requests. Achieved is arrivals per second over the phase's actual "
                           "length, paused time left out%s.",
                           unlisted > 0 ? doc_printf(d, " (%s more pauses are not listed)",
                                                     doc_count(d, unlisted))
                                        : ""));
}

/* Codes as "`200` 2,198 · `404` 268". */
static const char *codes_text(struct render_ctx *x)
{
    struct buf b = {0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)x->counters, k, v) if (!strncmp(k, "http.codes.", 11))
        buf_printf(&b, "%s%s %s", b.len ? " · " : "", doc_code(x->d, k + 11),
                   doc_count(x->d, json_number_value(v)));
    return b.data ? doc_keep(x->d, b.data) : x->counters ? "none" : "n/a";
}

/* The first second (m:ss) a timeline key saw a non-zero value. */
static const char *first_seen(struct render_ctx *x, const char *group, const char *key)
{
    size_t i;
    json_t *s;
    json_array_foreach(
        render_get(x->run, "timeline"), i,
        s) if (render_counter(render_get(s, group), key) >
               0) return doc_clock(x->d, isnan(render_num(s, "t")) ? (double)i : render_num(s, "t"),
                                   0);
    return "n/a";
}

static void sec_metrics(struct render_ctx *x)
{
    struct doc *d = x->d;
    doc_heading(d, 2, "metrics", "Key metrics");
    double peak = NAN, peak_t = NAN;
    size_t i;
    json_t *s;
    json_array_foreach(render_get(x->run, "timeline"), i, s)
    {
        double r = render_num(s, "requests");
        if (!isnan(r) && (isnan(peak) || r > peak)) {
            peak = r;
            peak_t = isnan(render_num(s, "t")) ? (double)i : render_num(s, "t");
        }
    }
    doc_item(d, "Requests",
             doc_printf(d, "%s (%s responses)", doc_count(d, x->requests),
                        doc_count(d, render_counter(x->counters, "http.responses"))));
    doc_item(
        d, "Request rate",
        doc_printf(
            d, "average %s, peak %s (at %s)",
            doc_rate1(d, x->elapsed - x->paused > 0 ? x->requests / (x->elapsed - x->paused) : NAN),
            doc_rate1(d, peak), doc_clock(d, peak_t, 0)));
    double created = render_counter(x->counters, "vusers.created");
    doc_item(d, "Virtual users",
             doc_printf(d, "%s created, %s completed, %s failed, %s skipped", doc_count(d, created),
                        doc_count(d, render_counter(x->counters, "vusers.completed")),
                        doc_count(d, render_counter(x->counters, "vusers.failed")),
                        doc_count(d, render_counter(x->counters, "vusers.skipped"))));
    doc_item(d, "Error rate",
             doc_printf(d, "%s of VUs failed; %s of requests failed (transport errors or 5xx)",
                        doc_pct(d, render_ratio_pct(render_counter(x->counters, "vusers.failed"),
                                                    created)),
                        doc_pct(d, render_ratio_pct(x->failures, x->requests))));
    const char *rt = "http.response_time";
    doc_item(d, "Response time",
             doc_printf(d, "min %s, median %s, p95 %s, p99 %s, max %s ms",
                        doc_ms(d, render_stat(x->agg, rt, "min")),
                        doc_ms(d, render_stat(x->agg, rt, "median")),
                        doc_ms(d, render_stat(x->agg, rt, "p95")),
                        doc_ms(d, render_stat(x->agg, rt, "p99")),
                        doc_ms(d, render_stat(x->agg, rt, "max"))));
    doc_item(d, "Status codes", codes_text(x));
    doc_item(d, "Downloaded", doc_bytes(d, render_counter(x->counters, "http.downloaded_bytes")));

    doc_heading(d, 3, "errors", "Error types");
    static const char *const head[] = {"Error", "Count", "Share of requests", "First seen"};
    struct doc_table t = {4, head, "lrrr", NULL, 0, 0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)x->counters, k, v)
    {
        int is_err = !strncmp(k, "errors.", 7);
        int is_5xx = !strncmp(k, "http.codes.5", 12) && strlen(k) == 14;
        if (!is_err && !is_5xx)
            continue;
        double n = json_number_value(v);
        doc_row(&t, is_err ? doc_code(d, k + 7) : doc_printf(d, "HTTP %s", doc_code(d, k + 11)),
                doc_count(d, n), doc_pct(d, render_ratio_pct(n, x->requests)),
                is_err ? first_seen(x, "errors", k + 7) : first_seen(x, "codes", "5xx"));
    }
    if (t.nrows)
        doc_table_out(d, &t);
    else
        doc_para(d, "No transport errors and no 5xx responses.");
    if (d->html && x->tl.n) {
        chart_latency(d, x->run, &x->tl);
        chart_codes_errors(d, x->run, &x->tl);
    }
}

struct ep {
    const json_t *j;
    double requests;
    int index;
};

static int ep_cmp(const void *a, const void *b)
{
    const struct ep *x = a, *y = b;
    /* unknown (NAN) last: comparisons with NAN would make the order inconsistent */
    double rx = isnan(x->requests) ? -INFINITY : x->requests;
    double ry = isnan(y->requests) ? -INFINITY : y->requests;
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return x->index - y->index;
}

static void sec_endpoints(struct render_ctx *x)
{
    struct doc *d = x->d;
    doc_heading(d, 2, "endpoints", "Endpoint breakdown");
    const json_t *eps = render_get(x->run, "endpoints");
    int n = (int)json_array_size(eps);
    if (!n) {
        doc_para(d, "No endpoints in this report.");
        return;
    }
    struct ep *v = xcalloc((size_t)n, sizeof *v);
    for (int i = 0; i < n; i++) {
        v[i].j = json_array_get(eps, (size_t)i);
        v[i].requests = render_counter(render_get(v[i].j, "counters"), "http.requests");
        v[i].index = i;
    }
    qsort(v, (size_t)n, sizeof *v, ep_cmp);
    static const char *const head[] = {"Endpoint", "Requests", "Share",    "Failures",
                                       "p95 (ms)", "p99 (ms)", "Top error"};
    struct doc_table t = {7, head, "lrrrrrl", NULL, 0, 0};
    for (int i = 0; i < n; i++) {
        const json_t *c = render_get(v[i].j, "counters");
        doc_row(&t, doc_code(d, render_str(v[i].j, "name")), doc_count(d, v[i].requests),
                doc_pct(d, render_ratio_pct(v[i].requests, x->requests)), failures(x, c),
                doc_ms(d, render_stat(v[i].j, "http.response_time", "p95")),
                doc_ms(d, render_stat(v[i].j, "http.response_time", "p99")), top_failure(x, c));
    }
    free(v);
    doc_table_out(d, &t);
}

static void sec_host(struct render_ctx *x)
{
    struct doc *d = x->d;
    const json_t *h = render_get(x->run, "host");
    doc_heading(d, 2, "host", "System resource impact");
    double ncpu = render_num(h, "ncpu");
    doc_item(d, "Load average (1 min)",
             doc_printf(d, "peak %s%s",
                        isnan(render_num(h, "load1Peak"))
                            ? "n/a"
                            : doc_printf(d, "%.2f", render_num(h, "load1Peak")),
                        isnan(ncpu) ? "" : doc_printf(d, " on %.0f CPUs", ncpu)));
    doc_item(d, "Host CPU", doc_printf(d, "peak %s", doc_pct(d, render_num(h, "cpuPeak"))));
    double used = render_num(h, "memUsedKbPeak"), total = render_num(h, "memTotalKb");
    doc_item(d, "Memory",
             doc_printf(d, "peak %s used of %s (%s)", doc_kib(d, used), doc_kib(d, total),
                        doc_pct(d, render_ratio_pct(used, total))));
    if (x->cap.self_cpu_peak < 0)
        doc_item(d, "loadtop's own CPU", "n/a");
    else
        doc_item(d, "loadtop's own CPU",
                 doc_printf(d, "peak %s of one core; %s", doc_pct(d, x->cap.self_cpu_peak),
                            x->cap.saturated
                                ? "**the generator was saturated**, so it may have limited the load"
                                : "the generator was not saturated"));
    doc_item(
        d, "Schedule lag p99",
        doc_printf(d,
                   "%s ms (how late arrivals started; large values mean the generator fell behind)",
                   doc_ms(d, render_stat(x->agg, "loadtop.schedule_lag", "p99"))));
    if (d->html && x->tl.n)
        chart_host(d, x->run, &x->tl);
}

static void sec_capacity(struct render_ctx *x)
{
    doc_heading(x->d, 2, "capacity", "Capacity findings");
    for (int i = 0; i < x->capt.nitems; i++)
        doc_item(x->d, x->capt.items[i].label, x->capt.items[i].text);
}

static void sec_thresholds(struct render_ctx *x)
{
    struct doc *d = x->d;
    doc_heading(d, 2, "thresholds", "Thresholds");
    const json_t *checks = render_get(x->run, "checks");
    int n = (int)json_array_size(checks);
    if (!n) {
        doc_para(d, "No thresholds were set. Add `ensure` to the script's `config` (or pass "
                    "`--ensure EXPR`) to check objectives such as `http.response_time.p99 < 500`.");
        return;
    }
    static const char *const head[] = {"Check", "Result", "Strict", "Measured"};
    struct doc_table t = {4, head, "llll", NULL, 0, 0};
    int ok = 0, bad_strict = 0;
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        int pass = json_is_true(render_get(c, "ok")),
            strict = !json_is_false(render_get(c, "strict"));
        ok += pass;
        bad_strict += !pass && strict;
        const char *m = render_str(c, "message");
        doc_row(&t, doc_code(d, render_str(c, "text")),
                pass     ? "ok"
                : strict ? "**fail**"
                         : "fail (optional)",
                strict ? "yes" : "no", m ? doc_md(d, m) : "");
    }
    doc_para(d, doc_printf(
                    d, "%d of %d checks passed%s", ok, n,
                    bad_strict
                        ? doc_printf(d, "; %d strict check%s failed, so the run exits with code 1.",
                                     bad_strict, bad_strict > 1 ? "s" : "")
                        : "."));
    doc_table_out(d, &t);
}

static void sec_events(struct render_ctx *x)
{
    struct doc *d = x->d;
    doc_heading(d, 2, "events", "Events");
    const json_t *evs = render_get(x->run, "events");
    if (!json_array_size(evs)) {
        doc_para(d, "No events recorded.");
        return;
    }
    static const char *const head[] = {"#", "Time", "Event", "Details"};
    struct doc_table t = {4, head, "rrll", NULL, 0, 0};
    size_t i;
    json_t *e;
    json_array_foreach(evs, i, e)
        doc_row(&t, doc_printf(d, "%d", (int)i + 1), doc_clock(d, render_num(e, "t"), 1),
                doc_md(d, render_str(e, "kind") ? render_str(e, "kind") : "n/a"),
                doc_md(d, render_str(e, "text")));
    doc_table_out(d, &t);
}

/* ---- HTML summary cards ---------------------------------------------------- */

static void card(struct doc *d, const char *cls, const char *k, const char *v, const char *sub)
{
    buf_printf(&d->b, "<div class=\"card%s%s\"><div class=\"k\">", *cls ? " " : "", cls);
    doc_inline(&d->b, k);
    buf_puts(&d->b, "</div><div class=\"v\">");
    doc_inline(&d->b, v);
    buf_puts(&d->b, "</div><div class=\"s\">");
    doc_inline(&d->b, sub);
    buf_puts(&d->b, "</div></div>\n");
}

void sections_cards(struct render_ctx *x)
{
    struct doc *d = x->d;
    int ph;
    double peak = peak_target(x->run, &ph), fail = render_ratio_pct(x->failures, x->requests);
    buf_puts(&d->b, "<div class=\"cards\">\n");
    card(d, "", "Requests", doc_count(d, x->requests),
         doc_printf(d, "in %s", doc_dur(d, x->elapsed)));
    card(d, "", "Peak target", ph >= 0 ? doc_rate(d, peak) : "n/a", "arrivals per second");
    card(d,
         isnan(fail)                 ? ""
         : fail >= CAPACITY_FAIL_PCT ? "bad"
                                     : "good",
         "Failed requests", doc_pct(d, fail),
         doc_printf(d, "%s failures", doc_count(d, x->failures)));
    card(d, "", "p99 response",
         doc_printf(d, "%s ms", doc_ms(d, render_stat(x->agg, "http.response_time", "p99"))),
         doc_printf(d, "median %s ms",
                    doc_ms(d, render_stat(x->agg, "http.response_time", "median"))));
    const struct capacity *c = &x->cap;
    if (c->breaking >= 0)
        card(d, "bad", "Breaking point", doc_rate(d, c->breaking_rate),
             c->dominant[0] ? doc_printf(d, "`%s`", c->dominant) : "latency over objective");
    else if (c->sustainable >= 0)
        card(d, "good", "Breaking point", "not reached",
             doc_printf(d, "healthy up to %s", doc_rate(d, c->sustainable_rate)));
    else
        card(d, "", "Breaking point", "n/a", c->closed_model ? "closed model" : "too little data");
    buf_puts(&d->b, "</div>\n");
}

void sections_write(struct render_ctx *x)
{
    sec_overview(x);
    sec_phases(x);
    sec_metrics(x);
    sec_endpoints(x);
    sec_host(x);
    sec_capacity(x);
    sec_thresholds(x);
    sec_events(x);
}
