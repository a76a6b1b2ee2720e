/* vu.c — virtual users: each arrival runs its scenario's flow, compiled once
 * into a flat program, as a small state machine driven by transfer
 * completions and think timers. Engine thread only.
 *
 * Two paths. A request without templates, captures or expectations is
 * prepared once (struct reqtpl) and sent as it is: that is the benchmark's
 * path and it allocates nothing per request. The others are built per VU
 * from their step (struct vu_req), with the VU's variables: config's, a
 * payload row, what `before` and earlier requests captured, loop values.
 * Flows are compiled in vu_compile.c, requests built in vu_request.c,
 * responses captured and checked in vu_response.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "worker_int.h"
#include "errclass.h"
#include "expr.h"
#include "template.h"
#include "util.h"

extern char **environ;

/* ---- building requests ---- */

/* ---- compiling flows ---- */

/* ---- the flow ---- */

/* Would the flow send another request after the one at v->pc? Decides
 * whether this request may leave its connection open (a VU's connection is
 * closed at its end, as Artillery's are). Conditional requests and loops
 * decided per VU count as "maybe": the connection is then left open. */
static int has_more_requests(const struct vu *v)
{
    const struct prog *g = v->prog;
    int depth = v->depth;
    for (int pc = v->pc + 1; pc < g->nops; pc++) {
        const struct op *op = &g->ops[pc];
        switch (op->kind) {
        case OP_REQ:
            return 1;
        case OP_LOOP:
            if (op->count != 0 && op->body_has_req)
                return 1;
            pc = op->jump; /* empty or request-free body: skip it */
            break;
        case OP_END_LOOP:
            if (depth > 0 && v->loops[depth - 1].to - v->loops[depth - 1].i > 1 && op->body_has_req)
                return 1;
            depth--;
            break;
        case OP_END:
            return 0;
        default:
            break;
        }
    }
    return 0;
}

static void vu_step(struct vu *v);

static void vu_finish(struct vu *v, int ok, const char *why)
{
    struct worker *w = v->w;
    int64_t session = now_us() - v->start_us;
    if (!vu_counted(v))
        ;
    else if (ok)
        stats_vu_completed(&w->st, v->phase, session);
    else
        stats_vu_failed(&w->st, v->phase, session);
    if (v->x) {
        http_release(w->http, v->x);
        v->x = NULL;
    }
    vu_req_free(v->req);
    v->req = NULL;
    while (v->depth > 0)
        json_decref((json_t *)v->loops[--v->depth].over);
    enum vu_hook hook = v->hook;
    if (hook == HOOK_BEFORE && ok && v->vars) {
        json_decref(w->shared);
        w->shared = v->vars;
        v->vars = NULL;
    }
    json_decref(v->vars);
    v->vars = NULL;
    if (hook) {
        w->hook = NULL;
    } else {
        /* unlink from the active list */
        if (v->prev)
            v->prev->next = v->next;
        else
            w->active_list = v->next;
        if (v->next)
            v->next->prev = v->prev;
        w->active--;
        atomic_fetch_sub(&w->sh->active, 1);
    }
    v->prev = NULL;
    v->next = w->free_vus;
    w->free_vus = v;
    if (hook)
        engine_hook_done(w->e, hook, ok ? NULL : why ? why : "failed");
    else if (w->stopping && w->active == 0)
        engine_worker_idle(w->e); /* the run may be drained */
}

static void on_think(uv_timer_t *t)
{
    struct vu *v = t->data;
    v->thinking = 0;
    v->pc++;
    vu_step(v);
    http_flush(v->w->http);
}

/* Artillery's jitter: "10%" of the think time, or milliseconds, either way. */
static int64_t jittered(struct vu *v, int64_t us, const char *jitter)
{
    double ms = floor((double)us / 1000), approx = strtod(jitter, NULL);
    if (strchr(jitter, '%'))
        approx = ms * approx / 100;
    double r = (double)(rng_next(&v->rng) >> 11) / 9007199254740992.0; /* [0, 1) */
    return (int64_t)(fmax(0, ms - approx + r * 2 * approx) * 1000);
}

static int64_t think_time(struct vu *v, const struct op *op)
{
    const struct step *s = op->step;
    int64_t us = op->think_us;
    if (s->think_tpl && v->vars) {
        struct tpl_ctx tc;
        vu_tpl_ctx(v, &tc);
        char *t = vu_render(s->think_tpl, &tc, NULL);
        if (parse_duration_us(t, &us) < 0)
            us = 0;
        free(t);
    }
    const char *jitter = s->jitter ? s->jitter : v->w->plan->think_jitter;
    return jitter ? jittered(v, us, jitter) : us;
}

/* ifTrue and probability: 1 when the request is to be sent. */
static int wanted(struct vu *v, const struct step *s)
{
    /* lodash's random(100): an integer in [0, 100] */
    if (s->has_probability && (double)(rng_next(&v->rng) % 101) >= s->probability)
        return 0;
    if (s->if_true && v->vars) {
        struct tpl_ctx tc;
        vu_tpl_ctx(v, &tc);
        return expr_test(s->if_true, &tc);
    }
    return 1;
}

static void send_req(struct vu *v, const struct op *op, int64_t now)
{
    struct worker *w = v->w;
    const struct reqtpl *t = &w->reqs[op->req];
    const struct step *s = t->step;
    struct http_request r = {
        .method = t->method,
        .url = t->url,
        .headers = t->headers,
        .body = t->body,
        .body_len = t->body_len,
        .keep_response = t->keep,
        .cookies = v->prog->jar,
        .new_session = v->nreqs == 0,
        .no_redirect = s->no_redirect,
        .gzip = s->gzip,
        .stable = !t->render,
    };
    char **cookies = NULL;
    if (t->render) {
        struct tpl_ctx tc;
        vu_tpl_ctx(v, &tc);
        struct vu_req *q = xcalloc(1, sizeof *q);
        int too_big = 0;
        int bad = vu_build(w->plan, s, v->vars ? &tc : NULL, q, &too_big);
        if (bad < 0 || too_big) {
            /* never sent: cut or malformed, it is not what the script meant */
            const char *why = too_big ? "ERR_TEMPLATE_TOO_LARGE" : "Invalid URL";
            vu_req_free(q);
            if (vu_counted(v))
                stats_error(&w->st, v->phase, t->endpoint, why);
            vu_finish(v, 0, why);
            return;
        }
        v->req = q;
        r.url = q->url;
        r.headers = q->headers;
        r.body = q->body;
        r.body_len = q->body_len;
        const struct plan *p = w->plan;
        int n = 0;
        cookies = xcalloc((size_t)(p->ndefault_cookies + s->ncookies), sizeof *cookies);
        for (int i = 0; i < p->ndefault_cookies + s->ncookies; i++) {
            const struct header *h = i < p->ndefault_cookies ? &p->default_cookies[i]
                                                             : &s->cookies[i - p->ndefault_cookies];
            char *val = vu_render(h->value, v->vars ? &tc : NULL, NULL);
            cookies[n++] = xasprintf("%s=%s", h->name, val);
            free(val);
        }
        r.set_cookies = (const char *const *)cookies;
        r.nset_cookies = n;
    }
    if (w->plan->pool == 0) {
        r.fresh_connect = v->nreqs == 0;
        r.forbid_reuse = !has_more_requests(v);
    }
    /* The first request is due at the arrival's intended time: a late start
     * is charged to its latency (no coordinated omission). */
    v->req_intended_us = v->nreqs == 0 ? v->intended_us : now;
    v->nreqs++;
    if (vu_counted(v))
        stats_request(&w->st, v->phase, t->endpoint);
    v->x = http_start(w->http, v->x, &r, v);
    for (int i = 0; i < r.nset_cookies; i++)
        free(cookies[i]);
    free(cookies);
    if (!v->x) {
        if (vu_counted(v))
            stats_error(&w->st, v->phase, t->endpoint, "ERR_CURL_INIT");
        vu_finish(v, 0, "ERR_CURL_INIT");
    }
}

/* Set the loop's variables for the iteration at the top of v->loops. */
static void loop_vars(struct vu *v, const struct step *s)
{
    const struct loop_state *l = &v->loops[v->depth - 1];
    if (!v->vars)
        return;
    json_t *el = json_integer(l->i);
    if (l->over) {
        json_decref(el);
        const json_t *x = json_array_get(l->over, (size_t)l->i);
        struct tpl_ctx tc;
        vu_tpl_ctx(v, &tc);
        el = json_is_string(x) ? tpl_render(json_string_value(x), &tc) : json_incref((json_t *)x);
    }
    json_object_set_new(v->vars, s->loop_value, json_integer(l->i));
    if (el)
        json_object_set_new(v->vars, s->loop_element, el);
    else
        json_object_del(v->vars, s->loop_element);
}

/* Where a loop starts and stops, and the list it goes over (a new
 * reference, or NULL). */
static void loop_bounds(struct vu *v, const struct step *s, int64_t *from, int64_t *to,
                        json_t **over)
{
    *from = s->loop_from;
    *to = s->loop_count;
    *over = NULL;
    if (!s->over && !s->over_var && !s->count_tpl)
        return;
    struct tpl_ctx tc;
    vu_tpl_ctx(v, &tc);
    *from = *to = 0;
    if (s->over) {
        *over = json_incref(s->over);
    } else if (s->over_var) {
        char *t = xasprintf("{{%s}}", s->over_var);
        json_t *x = v->vars ? tpl_render(t, &tc) : NULL;
        free(t);
        if (json_is_array(x))
            *over = x;
        else
            json_decref(x);
    } else {
        /* as Artillery's parseLoopCount: "N", "A-B", anything else is 0 */
        char *t = vu_render(s->count_tpl, v->vars ? &tc : NULL, NULL), *end;
        double n = strtod(t, &end);
        const char *dash = strchr(t, '-');
        if (end != t && !*end)
            *to = (int64_t)ceil(n);
        else if (dash && dash > t)
            *from = strtoll(t, NULL, 10), *to = strtoll(dash + 1, NULL, 10);
        free(t);
    }
    if (*over)
        *to = (int64_t)json_array_size(*over);
}

/* Run the flow from v->pc until it waits (request, think) or ends. */
static void vu_step(struct vu *v)
{
    struct worker *w = v->w;
    const struct prog *g = v->prog;
    for (;;) {
        const struct op *op = &g->ops[v->pc];
        switch (op->kind) {
        case OP_REQ:
            if (w->reqs[op->req].cond && !wanted(v, op->step)) {
                v->pc++;
                continue;
            }
            send_req(v, op, now_us());
            return;
        case OP_THINK:
            if (w->stopping && w->interrupted) {
                v->pc++;
                continue;
            }
            v->thinking = 1;
            uv_timer_start(&v->think, on_think, (uint64_t)((think_time(v, op) + 999) / 1000), 0);
            return;
        case OP_LOOP: {
            int64_t from, to;
            json_t *over;
            loop_bounds(v, op->step, &from, &to, &over);
            if (to <= from || v->depth >= VU_MAX_DEPTH) {
                json_decref(over);
                v->pc = op->jump + 1;
                continue;
            }
            v->loops[v->depth++] = (struct loop_state){from, to, over};
            loop_vars(v, op->step);
            v->pc++;
            continue;
        }
        case OP_END_LOOP: {
            struct loop_state *l = &v->loops[v->depth - 1];
            if (++l->i < l->to) {
                loop_vars(v, g->ops[op->jump].step);
                v->pc = op->jump + 1;
            } else {
                json_decref((json_t *)l->over);
                v->depth--;
                v->pc++;
            }
            continue;
        }
        case OP_LOG: {
            struct tpl_ctx tc;
            vu_tpl_ctx(v, &tc);
            char *t = vu_render(op->step->text, v->vars ? &tc : NULL, NULL);
            vu_note(v, "log", t);
            free(t);
            v->pc++;
            continue;
        }
        case OP_FUNC:
            /* --ignore-js: Artillery counts a missing function and goes on */
            if (vu_counted(v))
                stats_error(&w->st, v->phase, -1, op->step->text);
            v->pc++;
            continue;
        case OP_END:
            vu_finish(v, 1, NULL);
            return;
        }
    }
}

/* ---- responses ---- */

/* ---- VUs ---- */

/* A VU for `scenario` (or a hook), drawing from the random stream `rng`. */
static struct vu *vu_alloc(struct worker *w, int phase, int scenario, uint64_t rng,
                           int64_t intended, int64_t now, enum vu_hook hook)
{
    struct vu *v = w->free_vus;
    if (v) {
        w->free_vus = v->next;
    } else {
        v = xcalloc(1, sizeof *v);
        v->w = w;
        uv_timer_init(w->loop, &v->think);
        v->think.data = v;
    }
    v->scenario = scenario;
    v->phase = phase;
    v->hook = hook;
    v->rng = rng;
    v->prog = hook ? &w->hook_prog[hook] : &w->progs[scenario];
    v->pc = v->depth = v->nreqs = v->thinking = 0;
    v->intended_us = intended;
    v->start_us = now;
    v->prev = v->next = NULL;
    if (v->prog->vars)
        vu_init_vars(w, v);
    if (hook)
        return v;
    v->next = w->active_list;
    if (w->active_list)
        w->active_list->prev = v;
    w->active_list = v;
    w->active++;
    if (!w->reserved)
        atomic_fetch_add(&w->sh->active, 1);
    w->reserved = 0;
    stats_vu_created(&w->st, phase, scenario, now - intended);
    return v;
}

/* A scenario by weight, from the arrival's own stream. */
static int pick_scenario(struct worker *w, uint64_t *rng)
{
    const struct plan *p = w->plan;
    if (p->nscenarios == 1 || w->total_weight <= 0)
        return 0;
    int r = (int)(rng_next(rng) % (uint64_t)w->total_weight);
    for (int i = 0; i < p->nscenarios; i++) {
        if (r < p->scenarios[i].weight)
            return i;
        r -= p->scenarios[i].weight;
    }
    return p->nscenarios - 1;
}

void vu_arrival(struct worker *w, uint64_t k, int phase, int64_t intended, int64_t now)
{
    if (w->queue_max && (uint64_t)http_waiting(w->http) >= w->queue_max) {
        worker_skip(w, phase, SKIP_POOL_FULL);
        return;
    }
    /* the bounds are the run's: every worker's VUs count, and a slot is
     * taken in one step, so that two workers never both take the last one */
    int cap = w->plan->phases[phase].max_vusers;
    uint64_t active = atomic_load(&w->sh->active);
    do {
        if (cap > 0 && active >= (uint64_t)cap) {
            worker_skip(w, phase, SKIP_MAX_VUSERS);
            return;
        }
        if (active >= w->sh->max_active) {
            worker_skip(w, phase, SKIP_VU_LIMIT);
            return;
        }
    } while (!atomic_compare_exchange_weak(&w->sh->active, &active, active + 1));
    w->reserved = 1; /* vu_alloc counts the VU in w->active only */
    uint64_t rng = engine_stream(w->sh->seed, k);
    int scenario = pick_scenario(w, &rng);
    struct vu *v = vu_alloc(w, phase, scenario, rng, intended, now, HOOK_NONE);
    vu_step(v);
}

/* Claim the closed model's next request for this worker: its index, or -1
 * once -n is reached (the claim is the run's, shared by every worker). */
static int64_t closed_claim(struct worker *w)
{
    int64_t i = atomic_fetch_add(&w->sh->closed_started, 1);
    return w->sh->max_requests && i >= w->sh->max_requests ? -1 : i;
}

void vu_start_closed(struct worker *w, int n)
{
    int64_t now = now_us();
    for (int i = 0; i < n; i++) {
        int64_t c = closed_claim(w);
        if (c < 0)
            break;
        /* the closed model's VUs have no arrival index: a stream per request claimed */
        struct vu *v = vu_alloc(w, 0, 0, engine_stream(w->sh->seed, UINT64_MAX / 2 + (uint64_t)c),
                                now, now, HOOK_NONE);
        v->closed = 1;
        vu_step(v);
    }
}

void vu_start_hook(struct worker *w, enum vu_hook which)
{
    int64_t now = now_us();
    uint64_t k = atomic_fetch_add(&w->sh->hooks_seeded, 1);
    w->hook = vu_alloc(w, 0, 0, engine_stream(w->sh->seed, UINT64_MAX - k), now, now, which);
    vu_step(w->hook);
    http_flush(w->http);
}

void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud)
{
    (void)x;
    struct vu *v = ud;
    struct worker *w = v->w;
    int64_t now = now_us();
    const struct reqtpl *t = &w->reqs[v->prog->ops[v->pc].req];
    const char *err = r->curl_code ? errclass_name(r->curl_code, r->os_errno, r->detail) : NULL;
    if (vu_counted(v)) {
        vu_count_transport(w, v->phase, t->endpoint, r->native);
        if (!err) {
            stats_response(&w->st, v->phase, t->endpoint, r->status, r->response_us, r->total_us,
                           now - v->req_intended_us, r->bytes);
            vu_count_version(w, v->phase, t->endpoint, r->http_version);
        } else {
            vu_count_error(w, v->phase, t, err, r);
        }
    }
    if (v->closed && !w->stopping && w->paused)
        w->closed_parked++; /* this loop ends here; resume starts a new one */
    else if (v->closed && !w->stopping && closed_claim(w) >= 0) {
        /* Closed model: every request is one VU; the worker goes on at once,
         * re-adding the same easy handle with unchanged options. */
        int64_t session = now - v->start_us;
        if (!err)
            stats_vu_completed(&w->st, 0, session);
        else
            stats_vu_failed(&w->st, 0, session);
        v->start_us = v->intended_us = v->req_intended_us = now;
        stats_vu_created(&w->st, 0, 0, -1);
        stats_request(&w->st, 0, t->endpoint);
        http_restart(w->http, v->x, v);
        return;
    }
    const char *why = err;
    int bad = err || (t->keep && vu_after_response(v, t, r, &why) < 0);
    vu_req_free(v->req);
    v->req = NULL;
    if (bad) {
        vu_finish(v, 0, why);
        return;
    }
    v->pc++;
    vu_step(v);
}

/* Stop whatever the VU waits on. Returns the endpoint of a request it was
 * sending (-1 if none applies), or -2 when no request was in flight. */
static int vu_cancel(struct worker *w, struct vu *v)
{
    int ep = -2; /* nothing in flight */
    if (v->x && !v->thinking && http_cancel(w->http, v->x)) {
        const struct op *op = &v->prog->ops[v->pc];
        ep = op->kind == OP_REQ ? w->reqs[op->req].endpoint : -1;
    }
    if (v->thinking) {
        uv_timer_stop(&v->think);
        v->thinking = 0;
    }
    return ep;
}

void vu_abort_all(struct worker *w)
{
    while (w->active_list) {
        struct vu *v = w->active_list;
        int ep = vu_cancel(w, v);
        /* cut in a request or a think: every failed VU has an error name */
        stats_error(&w->st, v->phase, ep >= 0 ? ep : -1, "ERR_INTERRUPTED");
        vu_finish(v, 0, NULL);
    }
}

void vu_abort_hook(struct worker *w)
{
    if (!w->hook)
        return;
    vu_cancel(w, w->hook);
    vu_finish(w->hook, 0, "interrupted");
}

static void free_vu(uv_handle_t *h)
{
    free(h->data);
}

void vu_free_pool(struct worker *w)
{
    while (w->free_vus) {
        struct vu *v = w->free_vus;
        w->free_vus = v->next;
        uv_close((uv_handle_t *)&v->think, free_vu);
    }
}
