/* capacity_text.c — see capacity.h: the findings in words. Every sentence
 * is built from the numbers capacity_analyze found, and nothing else. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "numfmt.h"
#include "util.h"

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

int capacity_generator_limit(const char *failure)
{
    return in_list(failure, "EMFILE ENFILE EADDRNOTAVAIL EADDRINUSE ENOBUFS");
}

/* a rate as numfmt writes it: "300/s" */
static const char *rate(char *out, size_t n, double r)
{
    return numfmt_rate_per_s(out, n, r);
}

/* a p99 in ms, -1 meaning unknown: "48.0 ms", "n/a" */
static const char *p99(char *out, size_t n, double ms)
{
    char b[NUMFMT_MAX];
    if (ms < 0)
        snprintf(out, n, "n/a");
    else
        snprintf(out, n, "%s ms", numfmt_ms(b, sizeof b, ms));
    return out;
}

__attribute__((format(printf, 3, 4))) static void item(struct capacity_text *t, const char *label,
                                                       const char *fmt, ...)
{
    if (t->nitems == CAPACITY_MAX_ITEMS)
        return;
    struct capacity_item *it = &t->items[t->nitems++];
    snprintf(it->label, sizeof it->label, "%s", label);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->text, sizeof it->text, fmt, ap);
    va_end(ap);
    str_trim_utf8(it->text); /* long phase names fill it */
}

static void trust(struct capacity_text *t, const struct capacity *c)
{
    char lag[32];
    p99(lag, sizeof lag, c->lag_p99_ms);
    if (c->self_cpu_peak < 0 && c->lag_p99_ms < 0) {
        item(t, "Trust", "unknown: the report has no data on loadtop's own CPU or schedule lag.");
    } else if (!c->saturated && !c->rate_short && !c->generator_limit && c->skipped == 0) {
        if (c->closed_model)
            item(t, "Trust", "the generator kept up: loadtop peaked at %.0f%% of one core.",
                 c->self_cpu_peak);
        else
            item(
                t, "Trust",
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
        if (c->rate_short) {
            buf_printf(&why, "%sthe planned rate was not reached in ", why.len ? "; " : "");
            for (int k = 0, n = 0; k < c->nphases; k++) {
                const struct capacity_phase *p = &c->phase[k];
                char a[32], b[32];
                if (p->rate_short)
                    buf_printf(&why, "%s%s (%s of %s)", n++ ? ", " : "", p->name,
                               rate(a, sizeof a, p->got), rate(b, sizeof b, p->want));
            }
        }
        if (c->skipped > 0)
            buf_printf(&why, "%s%.0f arrivals were skipped (maxVusers or the fd limit)",
                       why.len ? "; " : "", c->skipped);
        if (c->generator_limit)
            buf_printf(&why, "%sloadtop ran out of file descriptors or ports", why.len ? "; " : "");
        item(t, "Not trustworthy", "%s.", why.data);
        buf_free(&why);
    }
    if (c->shared_host)
        item(t, "Shared host",
             "the host's CPU peaked at %.0f%% and the target runs on this machine, so the "
             "server and loadtop competed for the CPU; the server alone may do better.",
             c->host_cpu_peak);
}

static void breaking_point(struct capacity_text *t, const struct capacity *c)
{
    char r1[32], r2[32], pct[32], ms[32];
    const struct capacity_phase *brk = &c->phase[c->breaking];
    struct buf b = {0};
    buf_printf(
        &b, "**%s** (phase %d `%s`: %s failures, p99 %s%s)", rate(r1, sizeof r1, c->breaking_rate),
        c->breaking + 1, brk->name, numfmt_pct(pct, sizeof pct, c->breaking_fail_pct),
        p99(ms, sizeof ms, c->breaking_p99_ms), c->breaking_over_slo ? ", over the objective" : "");
    if (c->dominant_count) {
        char n1[32], n2[32];
        buf_printf(&b, ". `%s` made %s of its %s failures (%s)", c->dominant,
                   numfmt_count(n1, sizeof n1, (double)c->dominant_count),
                   numfmt_count(n2, sizeof n2, (double)c->breaking_failures),
                   numfmt_pct(pct, sizeof pct, c->dominant_pct));
    }
    if (c->started_at >= 0) {
        char at[32];
        buf_printf(&b, "%s started at %s, %.0f s into the phase",
                   c->dominant_count ? "; they" : ". Trouble",
                   numfmt_clock(at, sizeof at, c->started_at, 0), c->started_into_phase);
        if (c->rate_then > 0 && fabs(c->rate_then - c->breaking_rate) > 0.5)
            buf_printf(&b, ", at a target of %s", rate(r2, sizeof r2, c->rate_then));
    }
    buf_puts(&b, ".");
    item(t, "Breaking point", "%s", b.data);
    buf_free(&b);
    item(t, "Error signature", "%s%s%s: %s.", c->dominant_count ? "`" : "",
         c->dominant_count ? c->dominant : "latency", c->dominant_count ? "`" : "", t->signature);
    if (c->sustainable >= 0)
        item(t, "Capacity", "between %s and %s. Phases at rates in between would narrow it.",
             rate(r1, sizeof r1, c->sustainable_rate), rate(r2, sizeof r2, c->breaking_rate));
    if (c->healthy_above >= 0) {
        const struct capacity_phase *p = &c->phase[c->healthy_above];
        item(t, "Note",
             "phase %d `%s` was healthy at %s, above the breaking point: the limit "
             "is not sharp (warm-up, caches or a transient stall).",
             c->healthy_above + 1, p->name, rate(r1, sizeof r1, p->target));
    }
}

/* Sustainable load, breaking point and what is left unjudged. */
static void judged(struct capacity_text *t, const struct capacity *c)
{
    char r1[32], pct[32], ms[32];
    item(t, "Criteria",
         "a phase is healthy when under %.0f%% of its requests fail (transport errors or 5xx) "
         "and its p99 response time stays under %.0f ms (%s).",
         CAPACITY_FAIL_PCT, c->slo_p99_ms,
         c->slo_from_script ? "the script's threshold"
                            : "the default; an ensure threshold on http.response_time.p99 sets it");
    if (c->sustainable >= 0) {
        const struct capacity_phase *sus = &c->phase[c->sustainable];
        item(t, "Sustainable load", "**%s** (phase %d `%s`: %s failures, p99 %s).",
             rate(r1, sizeof r1, c->sustainable_rate), c->sustainable + 1, sus->name,
             numfmt_pct(pct, sizeof pct, sus->fail_pct), p99(ms, sizeof ms, sus->p99_ms));
    } else {
        item(t, "Sustainable load",
             "not found: even the lowest rate tested, %s (phase %d `%s`), was unhealthy.",
             rate(r1, sizeof r1, c->breaking_rate), c->breaking + 1, c->phase[c->breaking].name);
    }
    if (c->breaking < 0)
        item(t, "Breaking point",
             "not reached: every phase up to %s stayed healthy, so the limit lies above that "
             "rate. Add phases at higher rates to find it.",
             rate(r1, sizeof r1, c->top_rate));
    else
        breaking_point(t, c);

    struct buf unj = {0};
    for (int i = 0; i < c->nphases; i++)
        if (c->phase[i].target > 0 && !c->phase[i].judged)
            buf_printf(&unj, "%sphase %d `%s` (%.0f requests)", unj.len ? ", " : "", i + 1,
                       c->phase[i].name, c->phase[i].requests);
    if (unj.len)
        item(t, "Not judged", "%s: fewer than %d requests is too few to judge.", unj.data,
             CAPACITY_MIN_REQUESTS);
    buf_free(&unj);
}

void capacity_prose(const struct capacity *c, struct capacity_text *t)
{
    memset(t, 0, sizeof *t);
    if (c->breaking >= 0)
        capacity_signature(c->dominant, c->breaking_p99_ms,
                           c->sustainable >= 0 ? c->phase[c->sustainable].p99_ms : -1, t->signature,
                           sizeof t->signature);
    if (c->provisional)
        item(t, "Provisional",
             "the run was still going (%.0f s in); these findings cover the phases so far.",
             c->elapsed_s);
    if (c->closed_model) {
        char pct[32], ms[32];
        item(t, "Closed model",
             "%.0f connections looping back to back reached %.1f requests/s with %s failures and "
             "p99 %s. A closed model slows down with the server, so it shows no breaking point: "
             "test fixed arrival rates (`--rate`, or a script with phases) to find one.",
             c->connections, c->closed_rate, numfmt_pct(pct, sizeof pct, c->closed_fail_pct),
             p99(ms, sizeof ms, c->closed_p99_ms));
    } else if (!c->judged) {
        item(t, "Too little data",
             "no phase with a target rate had at least %d requests (%.0f requests in all), so "
             "there is no sustainable load or breaking point to report. Run longer or at higher "
             "rates.",
             CAPACITY_MIN_REQUESTS, c->requests);
    } else {
        judged(t, c);
    }
    trust(t, c);
}

char *capacity_markdown(const struct capacity_text *t)
{
    struct buf b = {0};
    for (int i = 0; i < t->nitems; i++)
        buf_printf(&b, "- **%s**: %s\n", t->items[i].label, t->items[i].text);
    return b.data ? b.data : xstrdup("");
}
