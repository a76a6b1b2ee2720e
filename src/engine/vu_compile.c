/* vu_compile.c — a scenario's flow compiled once, at start, into a flat
 * program (loops become jumps), and its requests prepared: those without
 * templates are built here, once for the run. */
#include <stdlib.h>
#include <string.h>

#include "worker_int.h"
#include "regexp.h"
#include "template.h"
#include "util.h"

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
static void add_secrets(struct worker *w, const struct step *s)
{
    for (int i = 0; i < s->ncaptures; i++) {
        int seen = 0;
        for (int k = 0; k < w->nsecrets && !seen; k++)
            seen = !strcmp(w->secrets[k], s->captures[i].as);
        if (seen)
            continue;
        w->secrets = xrealloc(w->secrets, sizeof *w->secrets * (size_t)(w->nsecrets + 1));
        w->secrets[w->nsecrets++] = s->captures[i].as;
    }
}

static int add_req(struct worker *w, const struct step *s, int hook)
{
    const struct plan *p = w->plan;
    w->reqs = xrealloc(w->reqs, sizeof *w->reqs * (size_t)(w->nreqs + 1));
    struct reqtpl *r = &w->reqs[w->nreqs];
    memset(r, 0, sizeof *r);
    r->method = s->method;
    r->endpoint = s->endpoint;
    r->step = s;
    r->render = needs_render(p, s);
    r->keep = s->ncaptures || (!hook && p->expect && s->nexpects);
    r->cond = s->if_true || s->has_probability;
    add_secrets(w, s);
    if (!r->render) {
        struct vu_req q = {0};
        vu_build(p, s, NULL, &q, NULL);
        r->url = q.url;
        r->body = q.body;
        r->body_len = q.body_len;
        r->headers = q.headers;
    }
    if (s->ncaptures) {
        struct regexp **re = xcalloc((size_t)s->ncaptures, sizeof *re);
        for (int i = 0; i < s->ncaptures; i++) {
            const struct capture *c = &s->captures[i];
            /* checked at load */
            if (c->kind == CAPTURE_REGEXP && !tpl_has(c->expr))
                re[i] = regexp_compile(c->expr, c->icase, NULL);
        }
        r->regex = re;
    }
    if (!hook && p->expect && s->nexpects) {
        r->exp_counter = xcalloc((size_t)s->nexpects * 2, sizeof *r->exp_counter);
        for (int i = 0; i < s->nexpects; i++) {
            char name[96];
            snprintf(name, sizeof name, "plugins.expect.ok.%s", s->expects[i].type);
            r->exp_counter[2 * i] = stats_counter_index(&w->st, name);
            snprintf(name, sizeof name, "plugins.expect.failed.%s", s->expects[i].type);
            r->exp_counter[2 * i + 1] = stats_counter_index(&w->st, name);
        }
    }
    return w->nreqs++;
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
static int compile(struct worker *w, struct prog *g, const struct step *steps, int n, int hook)
{
    int has_req = 0;
    for (int i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        switch (s->kind) {
        case STEP_REQUEST: {
            int k = add_req(w, s, hook);
            const struct reqtpl *r = &w->reqs[k];
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
            int body = compile(w, g, s->steps, s->nsteps, hook);
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

static void compile_prog(struct worker *w, struct prog *g, const struct scenario *sc, int hook)
{
    compile(w, g, sc->steps, sc->nsteps, hook);
    emit(g, (struct op){.kind = OP_END});
    g->jar |= count_reqs(sc->steps, sc->nsteps) > 1 || w->plan->ndefault_cookies;
}

void vu_prepare(struct worker *w)
{
    const struct plan *p = w->plan;
    if (p->expect) {
        w->c_expect_ok = stats_counter_index(&w->st, "plugins.expect.ok");
        w->c_expect_failed = stats_counter_index(&w->st, "plugins.expect.failed");
    }
    w->progs = xcalloc((size_t)p->nscenarios, sizeof *w->progs);
    for (int i = 0; i < p->nscenarios; i++) {
        compile_prog(w, &w->progs[i], &p->scenarios[i], 0);
        w->total_weight += p->scenarios[i].weight;
    }
    if (p->before)
        compile_prog(w, &w->hook_prog[HOOK_BEFORE], p->before, 1);
    if (p->after)
        compile_prog(w, &w->hook_prog[HOOK_AFTER], p->after, 1);
    w->payload_all = xcalloc((size_t)p->npayloads + 1, sizeof *w->payload_all);
    for (int i = 0; i < p->npayloads; i++) {
        const struct payload *pl = &p->payloads[i];
        if (!pl->name || !pl->rows)
            continue;
        if (!pl->nfields) {
            w->payload_all[i] = json_incref(pl->rows);
            continue;
        }
        json_t *all = json_array(), *row;
        size_t k;
        json_array_foreach(pl->rows, k, row) json_array_append_new(
            all, csv_row_object(row, (const char *const *)pl->fields, pl->nfields));
        w->payload_all[i] = all;
    }
}

static void prog_free(struct prog *g)
{
    free(g->ops);
}

void vu_unprepare(struct worker *w)
{
    for (int i = 0; i < w->plan->nscenarios; i++)
        prog_free(&w->progs[i]);
    free(w->progs);
    prog_free(&w->hook_prog[HOOK_BEFORE]);
    prog_free(&w->hook_prog[HOOK_AFTER]);
    for (int i = 0; i < w->nreqs; i++) {
        struct reqtpl *r = &w->reqs[i];
        free(r->url);
        free(r->body);
        http_headers_free(r->headers);
        struct regexp **re = r->regex;
        for (int k = 0; re && k < r->step->ncaptures; k++)
            regexp_free(re[k]);
        free(re);
        free(r->exp_counter);
    }
    free(w->reqs);
    for (int i = 0; i < w->plan->npayloads; i++)
        json_decref(w->payload_all[i]);
    free(w->payload_all);
    free(w->secrets);
    json_decref(w->shared);
}
