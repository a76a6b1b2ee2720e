/* vu.c — virtual users: each arrival runs its scenario's flow, compiled once
 * into a flat program, as a small state machine driven by transfer
 * completions and think timers. Engine thread only.
 *
 * Two paths. A request without templates, captures or expectations is
 * prepared once (struct reqtpl) and sent as it is: that is the benchmark's
 * path and it allocates nothing per request. The others are built per VU
 * from their step (struct vu_req), with the VU's variables: config's, a
 * payload row, what `before` and earlier requests captured, loop values. */
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cond.h"
#include "engine_int.h"
#include "errclass.h"
#include "expect.h"
#include "jsonpath.h"
#include "template.h"
#include "util.h"

extern char **environ;

/* A request built for one VU; freed when its transfer is done. */
struct vu_req {
    char *url;
    char *body;
    size_t body_len;
    void *headers;
};

static const char *const capture_failed = "Failed capture or match";

/* ---- building requests ---- */

static void ctx_of(const struct vu *v, struct tpl_ctx *tc)
{
    *tc = (struct tpl_ctx){v->vars, (const char *const *)environ, &v->e->rng, v->uuid};
}

/* `s` rendered with `tc` (NULL: as written). With `too_big`, a rendering
 * past TPL_MAX_OUTPUT sets it (the request is then failed, not sent cut). */
static char *render(const char *s, const struct tpl_ctx *tc, int *too_big)
{
    if (!tc || !tpl_has(s))
        return xstrdup(s);
    return too_big ? tpl_render_str_checked(s, tc, too_big) : tpl_render_str(s, tc);
}

static void encode_pairs(struct buf *b, const struct header *h, int n, int form,
                         const struct tpl_ctx *tc, int *too_big)
{
    for (int i = 0; i < n; i++) {
        char *k = render(h[i].name, tc, too_big), *v = render(h[i].value, tc, too_big);
        if (i)
            buf_puts(b, "&");
        buf_urlencode(b, k, form);
        buf_puts(b, "=");
        buf_urlencode(b, v, form);
        free(k);
        free(v);
    }
}

static void base64(struct buf *b, const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        v |= i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        buf_append(b, q, 4);
    }
}

/* "Name: value" with the value rendered and kept on one line. */
static char *header_line(const char *name, const char *value, const struct tpl_ctx *tc,
                         int *too_big)
{
    char *v = render(value, tc, too_big);
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    char *line = xasprintf("%s: %s", name, v);
    free(v);
    return line;
}

static int is_http(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* Build step `s` rendered with `tc`, or as written when tc is NULL (steps
 * without templates). Returns 0, or -1 when the url is not http(s). */
static int build(const struct plan *p, const struct step *s, const struct tpl_ctx *tc,
                 struct vu_req *out, int *too_big)
{
    struct buf u = {0};
    char *url = render(s->url, tc, too_big);
    if (url[0] == '/' && p->target) {
        size_t tlen = strlen(p->target);
        buf_append(&u, p->target, tlen && p->target[tlen - 1] == '/' ? tlen - 1 : tlen);
    }
    /* A rendered value may bring characters a URL cannot hold ("carol, jr"):
     * percent-encode them, as a browser's (and Node's) URL parser does. */
    for (const char *c = url; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch <= ' ' || ch >= 0x7f || strchr("\"<>`{}|\\^", ch))
            buf_pct(&u, ch);
        else
            buf_append(&u, c, 1);
    }
    free(url);
    if (s->nqs) {
        buf_puts(&u, "?");
        encode_pairs(&u, s->qs, s->nqs, 0, tc, too_big);
    }
    out->url = u.data;

    /* Step headers override config defaults of the same name. */
    int n = 0, has_ct = 0, has_auth = 0;
    char **lines = xcalloc((size_t)(p->ndefault_headers + s->nheaders + 2), sizeof *lines);
    for (int i = 0; i < p->ndefault_headers; i++) {
        int overridden = 0;
        for (int j = 0; j < s->nheaders; j++)
            overridden |= !strcasecmp(p->default_headers[i].name, s->headers[j].name);
        if (!overridden)
            lines[n++] = header_line(p->default_headers[i].name, p->default_headers[i].value, tc, too_big);
    }
    for (int j = 0; j < s->nheaders; j++)
        lines[n++] = header_line(s->headers[j].name, s->headers[j].value, tc, too_big);
    for (int i = 0; i < n; i++) {
        has_ct |= !strncasecmp(lines[i], "content-type:", 13);
        has_auth |= !strncasecmp(lines[i], "authorization:", 14);
    }
    if (s->auth_user && !has_auth) {
        char *user = render(s->auth_user, tc, too_big), *pass = render(s->auth_pass, tc, too_big);
        char *cred = xasprintf("%s:%s", user, pass);
        struct buf b = {0};
        buf_puts(&b, "Authorization: Basic ");
        base64(&b, cred);
        lines[n++] = b.data;
        free(user);
        free(pass);
        free(cred);
    }
    const char *ct = s->body_kind == BODY_JSON   ? "Content-Type: application/json"
                     : s->body_kind == BODY_FORM ? "Content-Type: application/x-www-form-urlencoded"
                                                 : NULL;
    out->headers = http_headers((const char *const *)lines, n, has_ct ? NULL : ct);
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);

    if (s->body_kind == BODY_JSON && s->json) {
        json_t *j = too_big ? tpl_render_deep_checked(s->json, tc, too_big)
                            : tpl_render_deep(s->json, tc);
        /* a json that is one undefined template sends no body, as got does */
        out->body =
            j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
        json_decref(j);
    } else if (s->body_kind == BODY_FORM && s->nform) {
        struct buf b = {0};
        encode_pairs(&b, s->form, s->nform, 1, tc, too_big);
        out->body = b.data ? b.data : xstrdup("");
    } else if (s->body) {
        out->body = render(s->body, tc, too_big);
    }
    out->body_len = out->body ? strlen(out->body) : 0;
    return is_http(out->url) ? 0 : -1;
}

static void vu_req_free(struct vu_req *q)
{
    if (!q)
        return;
    free(q->url);
    free(q->body);
    http_headers_free(q->headers);
    free(q);
}

/* ---- compiling flows ---- */

static int any_tpl_header(const struct header *h, int n)
{
    for (int i = 0; i < n; i++)
        if (tpl_has(h[i].value))
            return 1;
    return 0;
}

static int needs_render(const struct plan *p, const struct step *s)
{
    return tpl_has(s->url) || s->nqs || s->json || s->nform || s->ncookies || p->ndefault_cookies ||
           (s->body_kind == BODY_RAW && tpl_has(s->body)) ||
           (s->auth_user && (tpl_has(s->auth_user) || tpl_has(s->auth_pass))) ||
           any_tpl_header(s->headers, s->nheaders) ||
           any_tpl_header(p->default_headers, p->ndefault_headers);
}

/* Captured values are credentials as often as not (a login's token): note
 * every name a capture stores into, so vu_note can keep them out of the
 * event log, and so out of reports and stderr. */
static void add_secrets(struct engine *e, const struct step *s)
{
    for (int i = 0; i < s->ncaptures; i++) {
        int seen = 0;
        for (int k = 0; k < e->nsecrets && !seen; k++)
            seen = !strcmp(e->secrets[k], s->captures[i].as);
        if (seen)
            continue;
        e->secrets = xrealloc(e->secrets, sizeof *e->secrets * (size_t)(e->nsecrets + 1));
        e->secrets[e->nsecrets++] = s->captures[i].as;
    }
}

static int add_req(struct engine *e, const struct step *s, int hook)
{
    const struct plan *p = e->plan;
    e->reqs = xrealloc(e->reqs, sizeof *e->reqs * (size_t)(e->nreqs + 1));
    struct reqtpl *r = &e->reqs[e->nreqs];
    memset(r, 0, sizeof *r);
    r->method = s->method;
    r->endpoint = s->endpoint;
    r->step = s;
    r->render = needs_render(p, s);
    r->keep = s->ncaptures || (!hook && p->expect && s->nexpects);
    r->cond = s->if_true || s->has_probability;
    add_secrets(e, s);
    if (!r->render) {
        struct vu_req q = {0};
        build(p, s, NULL, &q, NULL);
        r->url = q.url;
        r->body = q.body;
        r->body_len = q.body_len;
        r->headers = q.headers;
    }
    if (s->ncaptures) {
        regex_t *re = xcalloc((size_t)s->ncaptures, sizeof *re);
        for (int i = 0; i < s->ncaptures; i++) {
            const struct capture *c = &s->captures[i];
            /* checked at load; a failure leaves a zeroed regex_t, never used */
            if (c->kind == CAPTURE_REGEXP && !tpl_has(c->expr))
                regcomp(&re[i], c->expr, REG_EXTENDED | (c->icase ? REG_ICASE : 0));
        }
        r->regex = re;
    }
    if (!hook && p->expect && s->nexpects) {
        r->exp_counter = xcalloc((size_t)s->nexpects * 2, sizeof *r->exp_counter);
        for (int i = 0; i < s->nexpects; i++) {
            char name[96];
            snprintf(name, sizeof name, "plugins.expect.ok.%s", s->expects[i].type);
            r->exp_counter[2 * i] = stats_counter_index(&e->st, name);
            snprintf(name, sizeof name, "plugins.expect.failed.%s", s->expects[i].type);
            r->exp_counter[2 * i + 1] = stats_counter_index(&e->st, name);
        }
    }
    return e->nreqs++;
}

static void emit(struct prog *g, struct op op)
{
    g->ops = xrealloc(g->ops, sizeof *g->ops * (size_t)(g->nops + 1));
    g->ops[g->nops++] = op;
}

/* Requests the steps may send: 0, 1, or 2 for "more than one". */
static int count_reqs(const struct step *steps, int n)
{
    int k = 0;
    for (int i = 0; i < n && k < 2; i++) {
        if (steps[i].kind == STEP_REQUEST)
            k++;
        else if (steps[i].kind == STEP_LOOP && count_reqs(steps[i].steps, steps[i].nsteps))
            k = 2;
    }
    return k;
}

/* Returns 1 if the compiled steps send a request. */
static int compile(struct engine *e, struct prog *g, const struct step *steps, int n, int hook)
{
    int has_req = 0;
    for (int i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        switch (s->kind) {
        case STEP_REQUEST: {
            int k = add_req(e, s, hook);
            const struct reqtpl *r = &e->reqs[k];
            emit(g, (struct op){.kind = OP_REQ, .req = k, .step = s});
            g->vars |= r->render || r->keep || s->if_true;
            g->jar |= s->ncookies > 0;
            has_req = 1;
            break;
        }
        case STEP_THINK:
            emit(g, (struct op){.kind = OP_THINK, .think_us = s->think_us, .step = s});
            g->vars |= s->think_tpl != NULL;
            break;
        case STEP_LOG:
            emit(g, (struct op){.kind = OP_LOG, .step = s});
            g->vars = 1;
            break;
        case STEP_FUNCTION:
            emit(g, (struct op){.kind = OP_FUNC, .step = s});
            break;
        case STEP_LOOP: {
            int at = g->nops, fixed = !s->over && !s->over_var && !s->count_tpl;
            emit(g, (struct op){.kind = OP_LOOP,
                                .count = fixed ? s->loop_count - s->loop_from : -1,
                                .step = s});
            g->vars |= !fixed;
            int body = compile(e, g, s->steps, s->nsteps, hook);
            emit(g, (struct op){.kind = OP_END_LOOP, .jump = at, .body_has_req = body});
            g->ops[at].jump = g->nops - 1;
            g->ops[at].body_has_req = body;
            has_req |= body && g->ops[at].count != 0;
            break;
        }
        }
    }
    return has_req;
}

static void compile_prog(struct engine *e, struct prog *g, const struct scenario *sc, int hook)
{
    compile(e, g, sc->steps, sc->nsteps, hook);
    emit(g, (struct op){.kind = OP_END});
    g->jar |= count_reqs(sc->steps, sc->nsteps) > 1 || e->plan->ndefault_cookies;
}

void vu_prepare(struct engine *e)
{
    const struct plan *p = e->plan;
    if (p->expect) {
        e->c_expect_ok = stats_counter_index(&e->st, "plugins.expect.ok");
        e->c_expect_failed = stats_counter_index(&e->st, "plugins.expect.failed");
    }
    e->progs = xcalloc((size_t)p->nscenarios, sizeof *e->progs);
    for (int i = 0; i < p->nscenarios; i++) {
        compile_prog(e, &e->progs[i], &p->scenarios[i], 0);
        e->total_weight += p->scenarios[i].weight;
    }
    if (p->before)
        compile_prog(e, &e->hook_prog[HOOK_BEFORE], p->before, 1);
    if (p->after)
        compile_prog(e, &e->hook_prog[HOOK_AFTER], p->after, 1);
    e->cursors = xcalloc((size_t)p->npayloads + 1, sizeof *e->cursors);
    e->payload_all = xcalloc((size_t)p->npayloads + 1, sizeof *e->payload_all);
    for (int i = 0; i < p->npayloads; i++) {
        const struct payload *pl = &p->payloads[i];
        if (!pl->name || !pl->rows)
            continue;
        if (!pl->nfields) {
            e->payload_all[i] = json_incref(pl->rows);
            continue;
        }
        json_t *all = json_array(), *row;
        size_t k;
        json_array_foreach(pl->rows, k, row) json_array_append_new(
            all, csv_row_object(row, (const char *const *)pl->fields, pl->nfields));
        e->payload_all[i] = all;
    }
}

static void prog_free(struct prog *g)
{
    free(g->ops);
}

void vu_unprepare(struct engine *e)
{
    for (int i = 0; i < e->plan->nscenarios; i++)
        prog_free(&e->progs[i]);
    free(e->progs);
    prog_free(&e->hook_prog[HOOK_BEFORE]);
    prog_free(&e->hook_prog[HOOK_AFTER]);
    for (int i = 0; i < e->nreqs; i++) {
        struct reqtpl *r = &e->reqs[i];
        free(r->url);
        free(r->body);
        http_headers_free(r->headers);
        regex_t *re = r->regex;
        for (int k = 0; re && k < r->step->ncaptures; k++)
            if (r->step->captures[k].kind == CAPTURE_REGEXP && !tpl_has(r->step->captures[k].expr))
                regfree(&re[k]);
        free(re);
        free(r->exp_counter);
    }
    free(e->reqs);
    for (int i = 0; i < e->plan->npayloads; i++)
        json_decref(e->payload_all[i]);
    free(e->payload_all);
    free(e->cursors);
    free(e->secrets);
    json_decref(e->shared);
}

/* ---- variables ---- */

static void make_uuid(struct engine *e, char out[37])
{
    uint64_t a = engine_rand(e), b = engine_rand(e);
    a = (a & ~0xF000ULL) | 0x4000ULL;                        /* version 4 */
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; /* variant 10 */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFFF, (unsigned)(b >> 48),
             (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

/* As Artillery's createContext: built-ins, then `before`'s variables, then
 * a payload row, then config.variables (a list gives one element). */
static void vu_init_vars(struct engine *e, struct vu *v)
{
    const struct plan *p = e->plan;
    json_t *o = json_object();
    json_object_set_new(o, "target", json_string(p->target ? p->target : ""));
    if (p->environment)
        json_object_set_new(o, "$environment", json_string(p->environment));
    if (e->shared)
        json_object_update(o, e->shared);
    for (int i = 0; i < p->npayloads; i++) {
        const struct payload *pl = &p->payloads[i];
        size_t nrows = json_array_size(pl->rows);
        if (pl->name) {
            json_object_set(o, pl->name, e->payload_all[i]);
        } else if (nrows) {
            const json_t *row = json_array_get(
                pl->rows, payload_pick(&e->cursors[i], nrows, pl->sequence, &e->rng));
            for (int f = 0; f < pl->nfields && (size_t)f < json_array_size(row); f++)
                json_object_set(o, pl->fields[f], json_array_get(row, (size_t)f));
        }
    }
    const char *k;
    json_t *val;
    json_object_foreach(p->variables, k, val)
    {
        if (json_is_array(val) && json_array_size(val))
            val = json_array_get(val, engine_rand(e) % json_array_size(val));
        json_object_set(o, k, val);
    }
    make_uuid(e, v->uuid);
    v->vars = o;
}

/* vars[path] = value (stolen), as lodash's set with dots: missing objects
 * are made, and shared ones (from `before` or a payload) copied first. */
static void set_var(json_t *vars, const char *path, json_t *value)
{
    char *p = xstrdup(path), *seg = p, *dot;
    json_t *cur = vars;
    while ((dot = strchr(seg, '.')) && dot > seg && dot[1]) {
        *dot = '\0';
        json_t *next = json_object_get(cur, seg);
        if (!json_is_object(next) || next->refcount > 1) {
            next = json_is_object(next) ? json_copy(next) : json_object();
            json_object_set_new(cur, seg, next);
        }
        cur = next;
        seg = dot + 1;
    }
    json_object_set_new(cur, seg, value);
    free(p);
}

/* vars at a dotted path ("user.token"), or NULL. */
static const json_t *var_at(const json_t *vars, const char *path)
{
    char *p = xstrdup(path), *seg = p, *dot;
    const json_t *cur = vars;
    while (cur && (dot = strchr(seg, '.')) && dot > seg && dot[1]) {
        *dot = '\0';
        cur = json_object_get(cur, seg);
        seg = dot + 1;
    }
    cur = cur ? json_object_get(cur, seg) : NULL;
    free(p);
    return cur;
}

/* An event from a VU (a log step, a failed expectation) with every value a
 * capture stored replaced by [redacted]. */
static void vu_note(struct vu *v, const char *kind, const char *text)
{
    struct engine *e = v->e;
    struct buf b = {0};
    buf_puts(&b, text);
    for (int i = 0; v->vars && i < e->nsecrets; i++) {
        const char *val = json_string_value(var_at(v->vars, e->secrets[i]));
        size_t vl = val ? strlen(val) : 0;
        if (vl < 3) /* "1", "ok": no secret, and would redact half the line */
            continue;
        struct buf out = {0};
        const char *p = b.data, *hit;
        while ((hit = strstr(p, val))) {
            buf_append(&out, p, (size_t)(hit - p));
            buf_puts(&out, "[redacted]");
            p = hit + vl;
        }
        buf_puts(&out, p);
        buf_free(&b);
        b = out;
    }
    engine_note(e, kind, b.data);
    buf_free(&b);
}

/* ---- the flow ---- */

static int counted(const struct vu *v)
{
    return v->hook == HOOK_NONE;
}

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
    struct engine *e = v->e;
    int64_t session = now_us() - v->start_us;
    if (!counted(v))
        ;
    else if (ok)
        stats_vu_completed(&e->st, v->phase, session);
    else
        stats_vu_failed(&e->st, v->phase, session);
    if (v->x) {
        http_release(e->http, v->x);
        v->x = NULL;
    }
    vu_req_free(v->req);
    v->req = NULL;
    while (v->depth > 0)
        json_decref((json_t *)v->loops[--v->depth].over);
    enum vu_hook hook = v->hook;
    if (hook == HOOK_BEFORE && ok && v->vars) {
        json_decref(e->shared);
        e->shared = v->vars;
        v->vars = NULL;
    }
    json_decref(v->vars);
    v->vars = NULL;
    if (hook) {
        e->hook = NULL;
    } else {
        /* unlink from the active list */
        if (v->prev)
            v->prev->next = v->next;
        else
            e->active_list = v->next;
        if (v->next)
            v->next->prev = v->prev;
        e->active--;
    }
    v->prev = NULL;
    v->next = e->free_vus;
    e->free_vus = v;
    if (hook)
        engine_hook_done(e, hook, ok ? NULL : why ? why : "failed");
    else
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

/* Artillery's jitter: "10%" of the think time, or milliseconds, either way. */
static int64_t jittered(struct engine *e, int64_t us, const char *jitter)
{
    double ms = floor((double)us / 1000), approx = strtod(jitter, NULL);
    if (strchr(jitter, '%'))
        approx = ms * approx / 100;
    double r = (double)(engine_rand(e) >> 11) / 9007199254740992.0; /* [0, 1) */
    return (int64_t)(fmax(0, ms - approx + r * 2 * approx) * 1000);
}

static int64_t think_time(struct vu *v, const struct op *op)
{
    const struct step *s = op->step;
    int64_t us = op->think_us;
    if (s->think_tpl && v->vars) {
        struct tpl_ctx tc;
        ctx_of(v, &tc);
        char *t = render(s->think_tpl, &tc, NULL);
        if (parse_duration_us(t, &us) < 0)
            us = 0;
        free(t);
    }
    const char *jitter = s->jitter ? s->jitter : v->e->plan->think_jitter;
    return jitter ? jittered(v->e, us, jitter) : us;
}

/* ifTrue and probability: 1 when the request is to be sent. */
static int wanted(struct vu *v, const struct step *s)
{
    /* lodash's random(100): an integer in [0, 100] */
    if (s->has_probability && (double)(engine_rand(v->e) % 101) >= s->probability)
        return 0;
    if (s->if_true && v->vars) {
        struct tpl_ctx tc;
        ctx_of(v, &tc);
        return cond_eval(s->if_true, &tc);
    }
    return 1;
}

static void send_req(struct vu *v, const struct op *op, int64_t now)
{
    struct engine *e = v->e;
    const struct reqtpl *t = &e->reqs[op->req];
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
    };
    char **cookies = NULL;
    if (t->render) {
        struct tpl_ctx tc;
        ctx_of(v, &tc);
        struct vu_req *q = xcalloc(1, sizeof *q);
        int too_big = 0;
        int bad = build(e->plan, s, v->vars ? &tc : NULL, q, &too_big);
        if (bad < 0 || too_big) {
            /* never sent: cut or malformed, it is not what the script meant */
            const char *why = too_big ? "ERR_TEMPLATE_TOO_LARGE" : "Invalid URL";
            vu_req_free(q);
            if (counted(v))
                stats_error(&e->st, v->phase, t->endpoint, why);
            vu_finish(v, 0, why);
            return;
        }
        v->req = q;
        r.url = q->url;
        r.headers = q->headers;
        r.body = q->body;
        r.body_len = q->body_len;
        const struct plan *p = e->plan;
        int n = 0;
        cookies = xcalloc((size_t)(p->ndefault_cookies + s->ncookies), sizeof *cookies);
        for (int i = 0; i < p->ndefault_cookies + s->ncookies; i++) {
            const struct header *h = i < p->ndefault_cookies ? &p->default_cookies[i]
                                                             : &s->cookies[i - p->ndefault_cookies];
            char *val = render(h->value, v->vars ? &tc : NULL, NULL);
            cookies[n++] = xasprintf("%s=%s", h->name, val);
            free(val);
        }
        r.set_cookies = (const char *const *)cookies;
        r.nset_cookies = n;
    }
    if (e->plan->pool == 0) {
        r.fresh_connect = v->nreqs == 0;
        r.forbid_reuse = !has_more_requests(v);
    }
    /* The first request is due at the arrival's intended time: a late start
     * is charged to its latency (no coordinated omission). */
    v->req_intended_us = v->nreqs == 0 ? v->intended_us : now;
    v->nreqs++;
    if (counted(v))
        stats_request(&e->st, v->phase, t->endpoint);
    v->x = http_start(e->http, v->x, &r, v);
    for (int i = 0; i < r.nset_cookies; i++)
        free(cookies[i]);
    free(cookies);
    if (!v->x) {
        if (counted(v))
            stats_error(&e->st, v->phase, t->endpoint, "ERR_CURL_INIT");
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
        ctx_of(v, &tc);
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
    ctx_of(v, &tc);
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
        char *t = render(s->count_tpl, v->vars ? &tc : NULL, NULL), *end;
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
    struct engine *e = v->e;
    const struct prog *g = v->prog;
    for (;;) {
        const struct op *op = &g->ops[v->pc];
        switch (op->kind) {
        case OP_REQ:
            if (e->reqs[op->req].cond && !wanted(v, op->step)) {
                v->pc++;
                continue;
            }
            send_req(v, op, now_us());
            return;
        case OP_THINK:
            if (lifecycle_stopping(&e->lc) && e->lc.interrupted) {
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
            ctx_of(v, &tc);
            char *t = render(op->step->text, v->vars ? &tc : NULL, NULL);
            vu_note(v, "log", t);
            free(t);
            v->pc++;
            continue;
        }
        case OP_FUNC:
            /* --ignore-js: Artillery counts a missing function and goes on */
            if (counted(v))
                stats_error(&e->st, v->phase, -1, op->step->text);
            v->pc++;
            continue;
        case OP_END:
            vu_finish(v, 1, NULL);
            return;
        }
    }
}

/* ---- responses ---- */

struct resp {
    char **names, **values;
    int n;
    json_t *json; /* the body parsed, when it is JSON */
};

static void resp_parse(struct resp *rs, const struct http_result *r, int want_json)
{
    memset(rs, 0, sizeof *rs);
    const char *p = r->headers, *end = r->headers + r->headers_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end, *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            const char *vs = colon + 1, *ve = le;
            while (vs < ve && (*vs == ' ' || *vs == '\t'))
                vs++;
            while (ve > vs && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            rs->names = xrealloc(rs->names, sizeof *rs->names * (size_t)(rs->n + 1));
            rs->values = xrealloc(rs->values, sizeof *rs->values * (size_t)(rs->n + 1));
            rs->names[rs->n] = xstrndup(p, (size_t)(colon - p));
            rs->values[rs->n++] = xstrndup(vs, (size_t)(ve - vs));
        }
        p = le + 1;
    }
    if (want_json && r->body_len)
        rs->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
}

static void resp_free(struct resp *rs)
{
    for (int i = 0; i < rs->n; i++) {
        free(rs->names[i]);
        free(rs->values[i]);
    }
    free(rs->names);
    free(rs->values);
    json_decref(rs->json);
}

/* The captured value (a new reference), or NULL when nothing matched. */
static json_t *capture_value(struct vu *v, const struct capture *c, const regex_t *fixed,
                             const struct resp *rs, const struct http_result *r)
{
    struct tpl_ctx tc;
    ctx_of(v, &tc);
    char *expr = render(c->expr, v->vars ? &tc : NULL, NULL);
    json_t *val = NULL;
    if (c->kind == CAPTURE_JSON) {
        val = rs->json ? jsonpath_get(rs->json, expr, &v->e->rng, NULL) : NULL;
    } else if (c->kind == CAPTURE_HEADER) {
        for (int i = 0; i < rs->n && !val; i++)
            if (!strcasecmp(rs->names[i], expr))
                val = json_string(rs->values[i]);
    } else {
        regex_t own;
        const regex_t *re = fixed;
        if (tpl_has(c->expr)) {
            re = regcomp(&own, expr, REG_EXTENDED | (c->icase ? REG_ICASE : 0)) ? NULL : &own;
        }
        regmatch_t m[10];
        if (re && !regexec(re, r->body, (size_t)c->group + 1, m, 0) && m[c->group].rm_so >= 0)
            val = json_stringn(r->body + m[c->group].rm_so,
                               (size_t)(m[c->group].rm_eo - m[c->group].rm_so));
        if (re == &own)
            regfree(&own);
    }
    free(expr);
    return val;
}

/* Captures, then expectations, as Artillery's afterResponse order.
 * Returns 0, or -1 with the error that fails the VU in *why. */
static int after_response(struct vu *v, const struct reqtpl *t, const struct http_result *r,
                          const char **why)
{
    struct engine *e = v->e;
    const struct step *s = t->step;
    int expects = counted(v) && e->plan->expect ? s->nexpects : 0;
    int want_json = expects > 0;
    for (int i = 0; i < s->ncaptures; i++)
        want_json |= s->captures[i].kind == CAPTURE_JSON;
    struct resp rs;
    resp_parse(&rs, r, want_json);

    /* every capture is taken or none is, as Artillery does */
    int failed = 0;
    json_t **vals = xcalloc((size_t)s->ncaptures + 1, sizeof *vals);
    for (int i = 0; i < s->ncaptures; i++) {
        const struct capture *c = &s->captures[i];
        vals[i] = capture_value(v, c, (const regex_t *)t->regex + i, &rs, r);
        int empty = !vals[i] || (json_is_string(vals[i]) && !*json_string_value(vals[i]));
        failed |= empty && c->strict;
    }
    for (int i = 0; i < s->ncaptures; i++) {
        if (!failed && vals[i] && v->vars)
            set_var(v->vars, s->captures[i].as, vals[i]);
        else
            json_decref(vals[i]);
    }
    free(vals);

    int exp_failed = 0;
    struct exp_response er = {r->status,
                              NULL,
                              (const char *const *)rs.names,
                              (const char *const *)rs.values,
                              rs.n,
                              r->body,
                              r->body_len,
                              rs.json};
    for (int i = 0; i < expects; i++) {
        const struct expectation *x = &s->expects[i];
        struct tpl_ctx tc;
        ctx_of(v, &tc);
        json_t *arg = v->vars ? tpl_render_deep(x->arg, &tc) : json_incref(x->arg);
        struct exp_check ch = {x->type, arg ? arg : json_null()};
        char msg[160];
        int ok = expect_eval(&ch, &er, msg, sizeof msg);
        json_decref(ch.arg);
        stats_count(&e->st, v->phase, t->endpoint, ok ? e->c_expect_ok : e->c_expect_failed, 1);
        stats_count(&e->st, v->phase, t->endpoint, t->exp_counter[2 * i + !ok], 1);
        if (!ok) {
            char text[256];
            snprintf(text, sizeof text, "%s: %s", e->plan->endpoints[t->endpoint].key, msg);
            vu_note(v, "expect", text);
            exp_failed = 1;
        }
    }
    resp_free(&rs);
    if (exp_failed && e->plan->expect_errors) {
        char *name = xasprintf("Failed expectations for request %s", s->url);
        stats_error(&e->st, v->phase, t->endpoint, name); /* interned: the stats copy it */
        free(name);
        *why = "Failed expectations";
        return -1;
    }
    if (failed) {
        if (counted(v))
            stats_error(&e->st, v->phase, t->endpoint, capture_failed);
        *why = capture_failed;
        return -1;
    }
    return 0;
}

/* ---- VUs ---- */

static struct vu *vu_alloc(struct engine *e, int phase, int scenario, int64_t intended, int64_t now,
                           enum vu_hook hook)
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
    v->hook = hook;
    v->prog = hook ? &e->hook_prog[hook] : &e->progs[scenario];
    v->pc = v->depth = v->nreqs = v->thinking = 0;
    v->intended_us = intended;
    v->start_us = now;
    v->prev = v->next = NULL;
    if (v->prog->vars)
        vu_init_vars(e, v);
    if (hook)
        return v;
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
    if (cap > 0 && e->active >= (uint64_t)cap) {
        engine_skip(e, phase, SKIP_MAX_VUSERS);
        return;
    }
    if (e->active >= e->max_active) {
        engine_skip(e, phase, SKIP_VU_LIMIT);
        return;
    }
    if (e->queue_max && (uint64_t)http_waiting(e->http) >= e->queue_max) {
        engine_skip(e, phase, SKIP_POOL_FULL);
        return;
    }
    struct vu *v = vu_alloc(e, phase, pick_scenario(e), intended, now, HOOK_NONE);
    vu_step(v);
}

void vu_start_closed(struct engine *e, int n)
{
    int64_t now = now_us();
    for (int i = 0; i < n; i++) {
        if (e->plan->max_requests && e->closed_started >= e->plan->max_requests)
            break;
        struct vu *v = vu_alloc(e, 0, 0, now, now, HOOK_NONE);
        v->closed = 1;
        e->closed_started++;
        vu_step(v);
    }
}

void vu_start_hook(struct engine *e, enum vu_hook which)
{
    int64_t now = now_us();
    e->hook = vu_alloc(e, 0, 0, now, now, which);
    vu_step(e->hook);
    http_flush(e->http);
}

/* A failed request: its error, the bytes that did arrive, and the first
 * time a name is seen, libcurl's own words for it in the event log. */
static void count_error(struct engine *e, int phase, const struct reqtpl *t, const char *err,
                        const struct http_result *r)
{
    stats_error(&e->st, phase, t->endpoint, err);
    if (r->bytes)
        stats_downloaded(&e->st, phase, t->endpoint, r->bytes);
    int idx = stats_error_index(&e->st, err);
    if (idx < 32 && !(e->err_noted & (1u << idx)) && r->detail && *r->detail) {
        e->err_noted |= 1u << idx;
        char text[160];
        snprintf(text, sizeof text, "%s (%s): %s", err,
                 t->endpoint >= 0 ? e->plan->endpoints[t->endpoint].key : "-", r->detail);
        engine_note(e, "error", text);
    }
}

void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud)
{
    (void)x;
    struct vu *v = ud;
    struct engine *e = v->e;
    int64_t now = now_us();
    const struct reqtpl *t = &e->reqs[v->prog->ops[v->pc].req];
    const char *err = r->curl_code ? errclass_name(r->curl_code, r->os_errno, r->detail) : NULL;
    if (!counted(v))
        ;
    else if (!err)
        stats_response(&e->st, v->phase, t->endpoint, r->status, r->response_us, r->total_us,
                       now - v->req_intended_us, r->bytes);
    else
        count_error(e, v->phase, t, err, r);
    int stopping = lifecycle_stopping(&e->lc);
    if (v->closed && !stopping && e->lc.state == RUN_PAUSED)
        e->closed_parked++; /* this worker ends here; resume starts a new one */
    else if (v->closed && !stopping &&
             (!e->plan->max_requests || e->closed_started < e->plan->max_requests)) {
        /* Closed model: every request is one VU; the worker goes on at once,
         * re-adding the same easy handle with unchanged options. */
        int64_t session = now - v->start_us;
        if (!err)
            stats_vu_completed(&e->st, 0, session);
        else
            stats_vu_failed(&e->st, 0, session);
        e->closed_started++;
        v->start_us = v->intended_us = v->req_intended_us = now;
        stats_vu_created(&e->st, 0, 0, -1);
        stats_request(&e->st, 0, t->endpoint);
        http_restart(e->http, v->x, v);
        return;
    }
    const char *why = err;
    int bad = err || (t->keep && after_response(v, t, r, &why) < 0);
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
static int vu_cancel(struct engine *e, struct vu *v)
{
    int ep = -2; /* nothing in flight */
    if (v->x && !v->thinking && http_cancel(e->http, v->x)) {
        const struct op *op = &v->prog->ops[v->pc];
        ep = op->kind == OP_REQ ? e->reqs[op->req].endpoint : -1;
    }
    if (v->thinking) {
        uv_timer_stop(&v->think);
        v->thinking = 0;
    }
    return ep;
}

void vu_abort_all(struct engine *e)
{
    while (e->active_list) {
        struct vu *v = e->active_list;
        int ep = vu_cancel(e, v);
        /* cut in a request or a think: every failed VU has an error name */
        stats_error(&e->st, v->phase, ep >= 0 ? ep : -1, "ERR_INTERRUPTED");
        vu_finish(v, 0, NULL);
    }
}

void vu_abort_hook(struct engine *e)
{
    if (!e->hook)
        return;
    vu_cancel(e, e->hook);
    vu_finish(e->hook, 0, "interrupted");
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
