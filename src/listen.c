/* listen.c — see listen.h: /metrics, /snapshot and /control. */
#include "listen.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine.h"
#include "target.h"
#include "util.h"

#define TOKEN_MAX 4096

struct listener {
    _Atomic(struct engine *) e; /* NULL until listener_attach: 503 */
    struct target *t;
    char *token;                /* NULL: control refused */
    atomic_int read, read_done; /* /snapshot served at all; served once the run was done */
};

/* ---- /metrics ------------------------------------------------------------- */

static void metric_head(struct buf *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the exposition format asks (\\, \", \n). */
static void label_value(struct buf *b, const char *v)
{
    for (; v && *v; v++) {
        if (*v == '\\' || *v == '"')
            buf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            buf_printf(b, "\\n");
        else
            buf_append(b, v, 1);
    }
}

static void sample_labelled(struct buf *b, const char *name, const char *label, const char *value,
                            double v)
{
    buf_printf(b, "%s{%s=\"", name, label);
    label_value(b, value);
    buf_printf(b, "\"} %.17g\n", v);
}

/* Request duration buckets, seconds: 1 ms to 60 s, as a service's SLOs. */
static const double buckets_s[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                   0.5,   1,      2.5,   5,    10,    30,   60};
#define NBUCKETS ((int)(sizeof buckets_s / sizeof *buckets_s))

char *listen_metrics(struct engine *e)
{
    struct snapshot *s = xcalloc(1, sizeof *s);
    engine_snapshot(e, s);
    const struct plan *p = engine_plan(e);
    const struct counters *c = &s->total;
    struct buf b = {0};
    static const struct {
        const char *name, *help;
        size_t off;
    } totals[] = {
        {"loadtop_vusers_created_total", "Virtual users started (arrivals served).",
         offsetof(struct counters, vu_created)},
        {"loadtop_vusers_completed_total", "Virtual users that finished their flow.",
         offsetof(struct counters, vu_completed)},
        {"loadtop_vusers_failed_total", "Virtual users ended by an error.",
         offsetof(struct counters, vu_failed)},
        {"loadtop_vusers_skipped_total", "Arrivals skipped (late, limits), never sent.",
         offsetof(struct counters, vu_skipped)},
        {"loadtop_requests_total", "HTTP requests sent.", offsetof(struct counters, requests)},
        {"loadtop_responses_total", "HTTP responses received.",
         offsetof(struct counters, responses)},
        {"loadtop_received_bytes_total", "Response bytes received.",
         offsetof(struct counters, downloaded_bytes)},
    };
    for (size_t i = 0; i < sizeof totals / sizeof *totals; i++) {
        metric_head(&b, totals[i].name, "counter", totals[i].help);
        buf_printf(&b, "%s %llu\n", totals[i].name,
                   (unsigned long long)*(const uint64_t *)((const char *)c + totals[i].off));
    }
    metric_head(&b, "loadtop_responses_by_code_total", "counter", "HTTP responses by status code.");
    for (int k = 0; k < STATS_MAX_CODES; k++)
        if (c->codes[k]) {
            char code[24];
            snprintf(code, sizeof code, "%d", k);
            sample_labelled(&b, "loadtop_responses_by_code_total", "code", code,
                            (double)c->codes[k]);
        }
    metric_head(&b, "loadtop_errors_total", "counter", "Requests that failed, by error name.");
    for (int k = 0; k < s->nerrors && k < STATS_MAX_ERRORS; k++)
        if (c->errors[k])
            sample_labelled(&b, "loadtop_errors_total", "error", s->error_names[k],
                            (double)c->errors[k]);
    metric_head(&b, "loadtop_endpoint_requests_total", "counter", "HTTP requests by endpoint.");
    for (int k = 0; k < s->nendpoints && k < p->nendpoints; k++)
        sample_labelled(&b, "loadtop_endpoint_requests_total", "endpoint", p->endpoints[k].key,
                        (double)s->ep[k].c.requests);
    metric_head(&b, "loadtop_phase_arrivals_total", "counter", "Arrivals by phase.");
    for (int k = 0; k < p->nphases && k < SNAP_PHASES; k++)
        sample_labelled(&b, "loadtop_phase_arrivals_total", "phase", p->phases[k].name,
                        (double)s->ph[k].arrivals);
    metric_head(&b, "loadtop_vusers_active", "gauge", "Virtual users running now.");
    buf_printf(&b, "loadtop_vusers_active %llu\n", (unsigned long long)s->active_vus);
    metric_head(&b, "loadtop_arrival_rate_target", "gauge",
                "Arrivals per second the schedule asks for now.");
    buf_printf(&b, "loadtop_arrival_rate_target %.17g\n", s->target_rate);
    metric_head(&b, "loadtop_phase_index", "gauge", "The phase running (from 0).");
    buf_printf(&b, "loadtop_phase_index %d\n", s->phase);
    metric_head(&b, "loadtop_running", "gauge", "1 while the run is not done.");
    buf_printf(&b, "loadtop_running %d\n", s->state != RUN_DONE);
    metric_head(&b, "loadtop_paused", "gauge", "1 while the run is paused.");
    buf_printf(&b, "loadtop_paused %d\n", s->state == RUN_PAUSED);
    metric_head(&b, "loadtop_elapsed_seconds", "gauge", "Time since the run started.");
    buf_printf(&b, "loadtop_elapsed_seconds %.3f\n", s->elapsed_us / 1e6);
    metric_head(&b, "loadtop_worker_cpu_ratio", "gauge",
                "The busiest worker thread's CPU, 1 = one core.");
    buf_printf(&b, "loadtop_worker_cpu_ratio %.3f\n", s->host.worker_cpu_pct / 100.0);

    int64_t le_us[NBUCKETS];
    uint64_t counts[NBUCKETS], count;
    double sum_us;
    for (int i = 0; i < NBUCKETS; i++)
        le_us[i] = (int64_t)(buckets_s[i] * 1e6 + 0.5);
    engine_response_buckets(e, le_us, NBUCKETS, counts, &count, &sum_us);
    metric_head(&b, "loadtop_request_duration_seconds", "histogram",
                "Request written to first response byte (http.response_time).");
    for (int i = 0; i < NBUCKETS; i++)
        buf_printf(&b, "loadtop_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets_s[i],
                   (unsigned long long)counts[i]);
    buf_printf(&b, "loadtop_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
               (unsigned long long)count);
    buf_printf(&b, "loadtop_request_duration_seconds_sum %.6f\n", sum_us / 1e6);
    buf_printf(&b, "loadtop_request_duration_seconds_count %llu\n", (unsigned long long)count);
    free(s);
    return b.data ? b.data : xstrdup("");
}

/* ---- the handler ------------------------------------------------------------- */

static void reply(struct target_reply *r, int status, const char *type, char *body)
{
    r->status = status;
    r->type = type;
    r->body = body;
    r->len = strlen(body);
}

/* Tokens compared in time that does not depend on where they differ. */
static int token_ok(const char *want, const char *got)
{
    size_t n = strlen(want), m = got ? strlen(got) : 0;
    unsigned diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < m ? got[i] : 0);
    return diff == 0;
}

static void control(struct listener *l, const json_t *req, struct target_reply *r)
{
    if (!l->token) {
        reply(r, 403, "text/plain",
              xstrdup("control is off: start loadtop with --control-token-file FILE\n"));
        return;
    }
    const char *auth =
        json_string_value(json_object_get(json_object_get(req, "headers"), "authorization"));
    if (!auth || strncmp(auth, "Bearer ", 7) || !token_ok(l->token, auth + 7)) {
        reply(r, 401, "text/plain", xstrdup("a valid Authorization: Bearer TOKEN is needed\n"));
        return;
    }
    const char *body = json_string_value(json_object_get(req, "body"));
    json_t *in = body ? json_loads(body, 0, NULL) : NULL;
    char cmd[16] = ""; /* copied: `in` goes before the reply is made */
    const char *given = json_string_value(json_object_get(in, "command"));
    if (given && strlen(given) < sizeof cmd)
        snprintf(cmd, sizeof cmd, "%s", given);
    json_t *value = json_object_get(in, "value");
    double v = json_number_value(value);
    struct engine_cmd c = {.kind = CMD_NOTE};
    int ok = 1;
    if (!*cmd)
        ok = 0;
    else if (!strcmp(cmd, "pause"))
        c.kind = CMD_PAUSE;
    else if (!strcmp(cmd, "resume"))
        c.kind = CMD_RESUME;
    else if (!strcmp(cmd, "skip"))
        c.kind = CMD_SKIP;
    else if (!strcmp(cmd, "stop") && (!value || (json_is_number(value) && v > 0 && v <= 3600)))
        c.kind = CMD_STOP, c.value = value ? v : 0; /* value: the drain's bound in seconds */
    else if (!strcmp(cmd, "abort"))
        c.kind = CMD_ABORT;
    else if (!strcmp(cmd, "rate") && json_is_number(value) && v > 0 && v <= ENGINE_MAX_RATE)
        c.kind = CMD_RATE, c.value = v;
    else if (!strcmp(cmd, "plan"))
        c.kind = CMD_MULT, c.value = 1.0;
    else if (!strcmp(cmd, "multiplier") && json_is_number(value) && v > 0.001 && v < 1000)
        c.kind = CMD_MULT, c.value = v;
    else if (!strcmp(cmd, "scale") && json_is_number(value) && v > 0.001 && v < 1000)
        c.kind = CMD_SCALE, c.value = v;
    else
        ok = 0;
    json_decref(in);
    if (!ok) {
        reply(r, 400, "text/plain",
              xstrdup("expected {\"command\": \"pause\" | \"resume\" | \"skip\" | \"stop\" | "
                      "\"abort\" | \"plan\" | \"rate\" | \"multiplier\" | \"scale\", "
                      "\"value\": N (rate: arrivals/s > 0; multiplier, scale: 0.001 to 1000; "
                      "stop: the drain's bound, seconds)}\n"));
        return;
    }
    engine_send(atomic_load(&l->e), &c);
    reply(r, 202, "application/json", xasprintf("{\"accepted\":\"%s\"}\n", cmd));
}

static void handle(void *ctx, const json_t *req, struct target_reply *r)
{
    struct listener *l = ctx;
    struct engine *e = atomic_load(&l->e);
    if (!e) {
        reply(r, 503, "text/plain", xstrdup("the run has not started\n"));
        return;
    }
    const char *method = json_string_value(json_object_get(req, "method"));
    const char *path = json_string_value(json_object_get(req, "path"));
    int get = method && (!strcmp(method, "GET") || !strcmp(method, "HEAD"));
    if (path && !strcmp(path, "/metrics") && get) {
        reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", listen_metrics(e));
    } else if (path && !strcmp(path, "/snapshot") && get) {
        const char *q = json_string_value(json_object_get(req, "query"));
        int brief = q && !strcmp(q, "brief");
        json_t *j = engine_report_now(e, brief);
        atomic_store(&l->read, 1);
        if (!brief && engine_done(e)) /* the final record: a watcher has it */
            atomic_store(&l->read_done, 1);
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        reply(r, 200, "application/json", text ? text : xstrdup("{}"));
    } else if (path && !strcmp(path, "/control")) {
        if (method && !strcmp(method, "POST"))
            control(l, req, r);
        else
            reply(r, 405, "text/plain", xstrdup("POST a command to /control\n"));
    } else {
        reply(r, 404, "text/plain", xstrdup("loadtop serves /metrics, /snapshot and /control\n"));
    }
}

/* ---- life ------------------------------------------------------------------------ */

char *listen_read_token(const char *path)
{
    struct buf text = {0};
    const char *bad = read_file_limited(path, TOKEN_MAX, &text);
    if (bad) {
        fprintf(stderr, "loadtop: --control-token-file %s: %s\n", path,
                strcmp(bad, "too large") ? bad : "larger than 4 KiB");
        return NULL;
    }
    size_t n = text.len;
    while (n && (text.data[n - 1] == '\n' || text.data[n - 1] == '\r' || text.data[n - 1] == ' '))
        n--;
    char *tok = n ? xstrndup(text.data, n) : NULL;
    buf_free(&text);
    if (!tok)
        fprintf(stderr, "loadtop: --control-token-file %s: empty\n", path);
    return tok;
}

struct listener *listener_start(const char *addr, const char *token_file, int *port)
{
    struct listener *l = xcalloc(1, sizeof *l);
    if (token_file && !(l->token = listen_read_token(token_file))) {
        free(l);
        return NULL;
    }
    struct target_opts to = {.listen = addr, .quiet = 1, .app = handle, .app_ctx = l};
    if (!(l->t = target_start(&to, port))) {
        free(l->token);
        free(l);
        return NULL;
    }
    return l;
}

void listener_attach(struct listener *l, struct engine *e)
{
    if (l)
        atomic_store(&l->e, e);
}

void listener_linger(struct listener *l, int64_t max_us)
{
    if (!l || !atomic_load(&l->read))
        return;
    for (int64_t end = now_us() + max_us; !atomic_load(&l->read_done) && now_us() < end;) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void listener_stop(struct listener *l)
{
    if (!l)
        return;
    target_stop(l->t);
    free(l->token);
    free(l);
}
