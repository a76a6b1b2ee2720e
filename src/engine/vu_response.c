/* vu_response.c — what a VU does with a response it kept: captures into
 * its variables, then expectations (the expect plugin), as Artillery's
 * afterResponse does; its notes to the event log, captured values
 * redacted; and how each outcome is counted (version, error, bytes). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "worker_int.h"
#include "errclass.h"
#include "expect.h"
#include "jsonpath.h"
#include "regexp.h"
#include "template.h"
#include "util.h"

static const char *const capture_failed = "Failed capture or match";

struct resp {
    char **names, **values;
    int n;
    json_t *json; /* the body parsed, when it is JSON */
};

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
void vu_note(struct vu *v, const char *kind, const char *text)
{
    struct worker *w = v->w;
    struct buf b = {0};
    buf_puts(&b, text);
    for (int i = 0; v->vars && i < w->nsecrets; i++) {
        const char *val = json_string_value(var_at(v->vars, w->secrets[i]));
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
    worker_note(w, kind, b.data);
    buf_free(&b);
}

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

/* The captured value (a new reference), or NULL when nothing matched;
 * *gave_up = 1 when a regexp passed its limits (counted as no match). */
static json_t *capture_value(struct vu *v, const struct capture *c, const struct regexp *fixed,
                             const struct resp *rs, const struct http_result *r, int *gave_up)
{
    struct tpl_ctx tc;
    vu_tpl_ctx(v, &tc);
    char *expr = vu_render(c->expr, v->vars ? &tc : NULL, NULL);
    json_t *val = NULL;
    if (c->kind == CAPTURE_JSON) {
        val = rs->json ? jsonpath_get(rs->json, expr, &v->rng, NULL) : NULL;
    } else if (c->kind == CAPTURE_HEADER) {
        for (int i = 0; i < rs->n && !val; i++)
            if (!strcasecmp(rs->names[i], expr))
                val = json_string(rs->values[i]);
    } else {
        struct regexp *own = tpl_has(c->expr) ? regexp_compile(expr, c->icase, NULL) : NULL;
        const struct regexp *re = own ? own : fixed;
        size_t so, eo;
        int rc = re ? regexp_match(re, r->body, r->body_len, c->group, &so, &eo) : 0;
        if (rc > 0)
            val = json_stringn(r->body + so, eo - so);
        *gave_up = rc < 0;
        regexp_free(own);
    }
    free(expr);
    return val;
}

/* Captures, then expectations, as Artillery's afterResponse order.
 * Returns 0, or -1 with the error that fails the VU in *why. */
int vu_after_response(struct vu *v, const struct reqtpl *t, const struct http_result *r,
                      const char **why)
{
    struct worker *w = v->w;
    const struct step *s = t->step;
    int expects = vu_counted(v) && w->plan->expect ? s->nexpects : 0;
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
        const struct regexp *re = t->regex ? ((struct regexp **)t->regex)[i] : NULL;
        int gave_up = 0;
        vals[i] = capture_value(v, c, re, &rs, r, &gave_up);
        if (gave_up) { /* a miss with a reason, in the event log */
            char text[256];
            snprintf(text, sizeof text, "%s: capture %s: the regexp gave up (past its limits)",
                     t->endpoint >= 0 ? w->plan->endpoints[t->endpoint].key : s->url, c->as);
            vu_note(v, "capture", text);
        }
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
        vu_tpl_ctx(v, &tc);
        json_t *arg = v->vars ? tpl_render_deep(x->arg, &tc) : json_incref(x->arg);
        struct exp_check ch = {x->type, arg ? arg : json_null()};
        char msg[160];
        int ok = expect_eval(&ch, &er, msg, sizeof msg);
        json_decref(ch.arg);
        stats_count(&w->st, v->phase, t->endpoint, ok ? w->c_expect_ok : w->c_expect_failed, 1);
        stats_count(&w->st, v->phase, t->endpoint, t->exp_counter[2 * i + !ok], 1);
        if (!ok) {
            char text[256];
            snprintf(text, sizeof text, "%s: %s", w->plan->endpoints[t->endpoint].key, msg);
            vu_note(v, "expect", text);
            exp_failed = 1;
        }
    }
    resp_free(&rs);
    if (exp_failed && w->plan->expect_errors) {
        char *name = xasprintf("Failed expectations for request %s", s->url);
        stats_error(&w->st, v->phase, t->endpoint, name); /* interned: the stats copy it */
        free(name);
        *why = "Failed expectations";
        return -1;
    }
    if (failed) {
        if (vu_counted(v))
            stats_error(&w->st, v->phase, t->endpoint, capture_failed);
        *why = capture_failed;
        return -1;
    }
    return 0;
}

/* http.version.<v>: which HTTP version carried each response. */
void vu_count_version(struct worker *w, int phase, int ep, int version)
{
    static const char *const names[4] = {"http.version.1.0", "http.version.1.1", "http.version.2",
                                         "http.version.3"};
    int k = version == 10 ? 0 : version == 11 ? 1 : version == 20 ? 2 : version == 30 ? 3 : -1;
    if (k < 0)
        return;
    if (w->c_version[k] < 0)
        w->c_version[k] = stats_counter_index(&w->st, names[k]);
    stats_count(&w->st, phase, ep, w->c_version[k], 1);
}

/* loadtop.transport.native / .curl: which transport carried each request
 * (to its response or its error). */
void vu_count_transport(struct worker *w, int phase, int ep, int native)
{
    if (w->c_transport[native] < 0)
        w->c_transport[native] = stats_counter_index(&w->st, native ? "loadtop.transport.native"
                                                                    : "loadtop.transport.curl");
    stats_count(&w->st, phase, ep, w->c_transport[native], 1);
}

/* A failed request: its error, the bytes that did arrive, and the first
 * time a name is seen, libcurl's own words for it in the event log. */
void vu_count_error(struct worker *w, int phase, const struct reqtpl *t, const char *err,
                    const struct http_result *r)
{
    stats_error(&w->st, phase, t->endpoint, err);
    if (r->bytes)
        stats_downloaded(&w->st, phase, t->endpoint, r->bytes);
    int idx = stats_error_index(&w->st, err);
    if (idx < 32 && !(w->err_noted & (1u << idx)) && r->detail && *r->detail) {
        w->err_noted |= 1u << idx;
        char text[160];
        snprintf(text, sizeof text, "%s (%s): %s", err,
                 t->endpoint >= 0 ? w->plan->endpoints[t->endpoint].key : "-", r->detail);
        worker_note(w, "error", text);
    }
}
