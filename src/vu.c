/* vu.c — virtual users: each arrival runs its scenario's flow, compiled once
 * into a flat program, as a small state machine driven by transfer
 * completions and think timers. Engine thread only. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_int.h"
#include "errclass.h"
#include "util.h"

/* {{ name }} -> the plain value of config.variables.name (templates proper
 * come with the flows issue); unknown names are left as written. */
static char *subst_vars(const struct plan *p, const char *s)
{
    if (!s)
        return NULL;
    struct buf b = {0};
    const char *c = s;
    while (*c) {
        const char *open = strstr(c, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!open || !close) {
            buf_puts(&b, c);
            break;
        }
        buf_append(&b, c, (size_t)(open - c));
        const char *n0 = open + 2, *n1 = close;
        while (n0 < n1 && *n0 == ' ')
            n0++;
        while (n1 > n0 && n1[-1] == ' ')
            n1--;
        const char *val = NULL;
        for (int i = 0; i < p->nvariables && !val; i++)
            if (strlen(p->variables[i].name) == (size_t)(n1 - n0) &&
                !strncmp(p->variables[i].name, n0, (size_t)(n1 - n0)))
                val = p->variables[i].value;
        if (val)
            buf_puts(&b, val);
        else
            buf_append(&b, open, (size_t)(close + 2 - open));
        c = close + 2;
    }
    if (!b.data)
        buf_puts(&b, "");
    return b.data;
}

static int add_req(struct engine *e, const struct step *s)
{
    const struct plan *p = e->plan;
    e->reqs = xrealloc(e->reqs, sizeof *e->reqs * (size_t)(e->nreqs + 1));
    struct reqtpl *r = &e->reqs[e->nreqs];
    memset(r, 0, sizeof *r);
    r->method = s->method;
    r->url = subst_vars(p, s->url);
    if (s->body) {
        r->body = subst_vars(p, s->body);
        r->body_len = strlen(r->body);
    }
    r->endpoint = s->endpoint;
    /* Step headers override config defaults of the same name. */
    int n = 0, cap = p->ndefault_headers + s->nheaders;
    char **lines = xcalloc((size_t)cap + 1, sizeof *lines);
    int has_ct = 0;
    for (int i = 0; i < p->ndefault_headers; i++) {
        int overridden = 0;
        for (int j = 0; j < s->nheaders; j++)
            overridden |= !strcasecmp(p->default_headers[i].name, s->headers[j].name);
        if (!overridden)
            lines[n++] = xasprintf("%s: %s", p->default_headers[i].name,
                                   p->default_headers[i].value);
    }
    for (int j = 0; j < s->nheaders; j++)
        lines[n++] = xasprintf("%s: %s", s->headers[j].name, s->headers[j].value);
    for (int i = 0; i < n; i++) {
        char *v = subst_vars(p, lines[i]);
        free(lines[i]);
        lines[i] = v;
        has_ct |= !strncasecmp(v, "content-type:", 13);
    }
    r->headers = http_headers((const char *const *)lines, n,
                              s->body_kind == BODY_JSON && !has_ct ? "Content-Type: application/json"
                                                                   : NULL);
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    return e->nreqs++;
}

static void emit(struct prog *g, struct op op)
{
    g->ops = xrealloc(g->ops, sizeof *g->ops * (size_t)(g->nops + 1));
    g->ops[g->nops++] = op;
}

/* Returns 1 if the compiled steps send a request. */
static int compile(struct engine *e, struct prog *g, const struct step *steps, int n)
{
    int has_req = 0;
    for (int i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        switch (s->kind) {
        case STEP_REQUEST:
            emit(g, (struct op){.kind = OP_REQ, .req = add_req(e, s)});
            has_req = 1;
            break;
        case STEP_THINK:
            emit(g, (struct op){.kind = OP_THINK, .think_us = s->think_us});
            break;
        case STEP_LOOP: {
            int at = g->nops;
            emit(g, (struct op){.kind = OP_LOOP, .count = s->loop_count});
            int body = compile(e, g, s->steps, s->nsteps);
            emit(g, (struct op){.kind = OP_END_LOOP, .jump = at, .body_has_req = body});
            g->ops[at].jump = g->nops - 1;
            g->ops[at].body_has_req = body;
            has_req |= body && s->loop_count > 0;
            break;
        }
        }
    }
    return has_req;
}

void vu_prepare(struct engine *e)
{
    const struct plan *p = e->plan;
    e->progs = xcalloc((size_t)p->nscenarios, sizeof *e->progs);
    for (int i = 0; i < p->nscenarios; i++) {
        compile(e, &e->progs[i], p->scenarios[i].steps, p->scenarios[i].nsteps);
        emit(&e->progs[i], (struct op){.kind = OP_END});
        e->total_weight += p->scenarios[i].weight;
    }
}

void vu_unprepare(struct engine *e)
{
    for (int i = 0; i < e->plan->nscenarios; i++)
        free(e->progs[i].ops);
    free(e->progs);
    for (int i = 0; i < e->nreqs; i++) {
        free(e->reqs[i].url);
        free(e->reqs[i].body);
        http_headers_free(e->reqs[i].headers);
    }
    free(e->reqs);
}

/* Would the flow send another request after the one at v->pc? Decides
 * whether this request may leave its connection open (a VU's connection is
 * closed at its end, as Artillery's are). */
static int has_more_requests(const struct vu *v)
{
    const struct prog *g = &v->e->progs[v->scenario];
    int depth = v->depth;
    int64_t left[VU_MAX_DEPTH];
    memcpy(left, v->loops, sizeof left);
    for (int pc = v->pc + 1; pc < g->nops; pc++) {
        const struct op *op = &g->ops[pc];
        switch (op->kind) {
        case OP_REQ:
            return 1;
        case OP_THINK:
            break;
        case OP_LOOP:
            if (op->count > 0 && op->body_has_req)
                return 1;
            pc = op->jump; /* empty or request-free body: skip it */
            break;
        case OP_END_LOOP:
            if (depth > 0 && left[depth - 1] > 1 && op->body_has_req)
                return 1;
            depth--;
            break;
        case OP_END:
            return 0;
        }
    }
    return 0;
}

static void vu_step(struct vu *v);

static void vu_finish(struct vu *v, int ok)
{
    struct engine *e = v->e;
    int64_t session = now_us() - v->start_us;
    if (ok)
        stats_vu_completed(&e->st, v->phase, session);
    else
        stats_vu_failed(&e->st, v->phase, session);
    if (v->x) {
        http_release(e->http, v->x);
        v->x = NULL;
    }
    /* unlink from the active list, push on the free list */
    if (v->prev)
        v->prev->next = v->next;
    else
        e->active_list = v->next;
    if (v->next)
        v->next->prev = v->prev;
    v->prev = NULL;
    v->next = e->free_vus;
    e->free_vus = v;
    e->active--;
    engine_maybe_finish(e);
}

static void on_think(uv_timer_t *t)
{
    struct vu *v = t->data;
    v->thinking = 0;
    v->pc++;
    vu_step(v);
    http_flush(v->e->http);
}

static void send_req(struct vu *v, const struct op *op, int64_t now)
{
    struct engine *e = v->e;
    const struct reqtpl *t = &e->reqs[op->req];
    struct http_request r = {
        .method = t->method,
        .url = t->url,
        .headers = t->headers,
        .body = t->body,
        .body_len = t->body_len,
    };
    if (e->plan->pool == 0) {
        r.fresh_connect = v->nreqs == 0;
        r.forbid_reuse = !has_more_requests(v);
    }
    /* The first request is due at the arrival's intended time: a late start
     * is charged to its latency (no coordinated omission). */
    v->req_intended_us = v->nreqs == 0 ? v->intended_us : now;
    v->nreqs++;
    stats_request(&e->st, v->phase, t->endpoint);
    v->x = http_start(e->http, v->x, &r, v);
    if (!v->x) {
        stats_error(&e->st, v->phase, t->endpoint, "ERR_CURL_INIT");
        vu_finish(v, 0);
    }
}

/* Run the flow from v->pc until it waits (request, think) or ends. */
static void vu_step(struct vu *v)
{
    const struct prog *g = &v->e->progs[v->scenario];
    for (;;) {
        const struct op *op = &g->ops[v->pc];
        switch (op->kind) {
        case OP_REQ:
            send_req(v, op, now_us());
            return;
        case OP_THINK:
            if (v->e->stopping && v->e->interrupted) {
                v->pc++;
                continue;
            }
            v->thinking = 1;
            uv_timer_start(&v->think, on_think, (uint64_t)((op->think_us + 999) / 1000), 0);
            return;
        case OP_LOOP:
            if (op->count <= 0 || v->depth >= VU_MAX_DEPTH) {
                v->pc = op->jump + 1;
                continue;
            }
            v->loops[v->depth++] = op->count;
            v->pc++;
            continue;
        case OP_END_LOOP:
            if (--v->loops[v->depth - 1] > 0) {
                v->pc = op->jump + 1;
            } else {
                v->depth--;
                v->pc++;
            }
            continue;
        case OP_END:
            vu_finish(v, 1);
            return;
        }
    }
}

static struct vu *vu_alloc(struct engine *e, int phase, int scenario, int64_t intended, int64_t now)
{
    struct vu *v = e->free_vus;
    if (v) {
        e->free_vus = v->next;
    } else {
        v = xcalloc(1, sizeof *v);
        v->e = e;
        uv_timer_init(&e->loop, &v->think);
        v->think.data = v;
    }
    v->scenario = scenario;
    v->phase = phase;
    v->pc = v->depth = v->nreqs = v->thinking = 0;
    v->intended_us = intended;
    v->start_us = now;
    v->prev = NULL;
    v->next = e->active_list;
    if (e->active_list)
        e->active_list->prev = v;
    e->active_list = v;
    e->active++;
    stats_vu_created(&e->st, phase, scenario, now - intended);
    return v;
}

static int pick_scenario(struct engine *e)
{
    const struct plan *p = e->plan;
    if (p->nscenarios == 1 || e->total_weight <= 0)
        return 0;
    int r = (int)(engine_rand(e) % (uint64_t)e->total_weight);
    for (int i = 0; i < p->nscenarios; i++) {
        if (r < p->scenarios[i].weight)
            return i;
        r -= p->scenarios[i].weight;
    }
    return p->nscenarios - 1;
}

void vu_arrival(struct engine *e, int phase, int64_t intended, int64_t now)
{
    int cap = e->plan->phases[phase].max_vusers;
    if ((cap > 0 && e->active >= (uint64_t)cap) || e->active >= e->max_active) {
        stats_vu_skipped(&e->st, phase);
        return;
    }
    struct vu *v = vu_alloc(e, phase, pick_scenario(e), intended, now);
    vu_step(v);
}

void vu_start_closed(struct engine *e)
{
    int64_t now = now_us();
    for (int i = 0; i < e->plan->connections; i++) {
        if (e->plan->max_requests && e->closed_started >= e->plan->max_requests)
            break;
        struct vu *v = vu_alloc(e, 0, 0, now, now);
        v->closed = 1;
        e->closed_started++;
        vu_step(v);
    }
}

void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud)
{
    (void)x;
    struct vu *v = ud;
    struct engine *e = v->e;
    int64_t now = now_us();
    const struct reqtpl *t = &e->reqs[e->progs[v->scenario].ops[v->pc].req];
    if (r->curl_code == 0) {
        stats_response(&e->st, v->phase, t->endpoint, r->status, r->response_us, r->total_us,
                       now - v->req_intended_us, r->bytes);
    } else {
        stats_error(&e->st, v->phase, t->endpoint, errclass_name(r->curl_code, r->os_errno));
    }
    if (v->closed && !e->stopping &&
        (!e->plan->max_requests || e->closed_started < e->plan->max_requests)) {
        /* Closed model: every request is one VU; the worker goes on at once,
         * re-adding the same easy handle with unchanged options. */
        int64_t session = now - v->start_us;
        if (r->curl_code == 0)
            stats_vu_completed(&e->st, 0, session);
        else
            stats_vu_failed(&e->st, 0, session);
        e->closed_started++;
        v->start_us = v->intended_us = v->req_intended_us = now;
        stats_vu_created(&e->st, 0, 0, 0);
        stats_request(&e->st, 0, t->endpoint);
        http_restart(e->http, v->x, v);
        return;
    }
    if (r->curl_code != 0) {
        vu_finish(v, 0);
        return;
    }
    v->pc++;
    vu_step(v);
}

void vu_abort_all(struct engine *e)
{
    while (e->active_list) {
        struct vu *v = e->active_list;
        int ep = -1;
        if (v->x && !v->thinking) {
            http_cancel(e->http, v->x);
            const struct op *op = &e->progs[v->scenario].ops[v->pc];
            if (op->kind == OP_REQ)
                ep = e->reqs[op->req].endpoint;
        }
        if (v->thinking) {
            uv_timer_stop(&v->think);
            v->thinking = 0;
        }
        stats_error(&e->st, v->phase, ep, "ERR_INTERRUPTED");
        vu_finish(v, 0);
    }
}

static void free_vu(uv_handle_t *h)
{
    free(h->data);
}

void vu_free_pool(struct engine *e)
{
    while (e->free_vus) {
        struct vu *v = e->free_vus;
        e->free_vus = v->next;
        uv_close((uv_handle_t *)&v->think, free_vu);
    }
}
