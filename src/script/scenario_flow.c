/* scenario_flow.c — flows and their steps: requests (url, headers,
 * bodies, qs, form, cookie, auth, ifTrue, ...), captures, expectations,
 * think, loops, log and JavaScript function steps. See scenario_int.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "expect.h"
#include "expr.h"
#include "jsonpath.h"
#include "regexp.h"
#include "scenario_int.h"
#include "template.h"
#include "url.h"
#include "util.h"

/* qs or form fields: name -> scalar or list of scalars, as pairs. Returns
 * 1 when a name or value holds a template. */
static int load_fields(struct ctx *c, const yaml_node_t *n, const char *what, struct header **h,
                       int *nh)
{
    if (!is_map(n)) {
        err(c, n, "%s must be a mapping", what);
        return 0;
    }
    scenario_check_keys(c, n, NULL, what);
    int tpl = 0;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        tpl |= scenario_templated(c, k) > 0;
        int nv = is_seq(v) ? nitems(v) : 1;
        for (int j = 0; j < nv; j++) {
            const yaml_node_t *x = is_seq(v) ? item_at(c, v, j) : v;
            if (!is_scalar(x)) {
                err(c, x, "%s value for `%s` must be a string, a number or a list of them", what,
                    Q(c, text(k)));
                break;
            }
            tpl |= scenario_templated(c, x) > 0;
            scenario_pair_add(h, nh, text(k), text(x));
        }
    }
    return tpl;
}

static char *encode_fields(const struct header *h, int n, int form)
{
    struct buf b = {0};
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(&b, "&");
        buf_urlencode(&b, h[i].name, form);
        buf_puts(&b, "=");
        buf_urlencode(&b, h[i].value, form);
    }
    if (!b.data)
        buf_puts(&b, "");
    return b.data;
}

static void headers_drop(struct header **h, int *n)
{
    for (int i = 0; i < *n; i++) {
        free((*h)[i].name);
        free((*h)[i].value);
    }
    free(*h);
    *h = NULL;
    *n = 0;
}

static const struct keys capture_keys = {
    .ok = "json header regexp as strict group flags",
    .fail = "xpath selector",
    .js = "transform",
};

static void load_capture(struct ctx *c, const yaml_node_t *n, struct step *s)
{
    if (!is_map(n)) {
        err(c, n, "a capture must be a mapping like `{json: \"$.id\", as: id}`");
        return;
    }
    scenario_check_keys(c, n, &capture_keys, "capture");
    static const char *const kinds[] = {"json", "header", "regexp"};
    const yaml_node_t *expr = NULL, *v;
    enum capture_kind kind = CAPTURE_JSON;
    for (int i = 0; i < 3; i++) {
        if (!(v = get(c, n, kinds[i])))
            continue;
        if (expr) {
            err(c, v, "a capture takes one of `json`, `header` and `regexp`");
            return;
        }
        expr = v;
        kind = (enum capture_kind)i;
    }
    const yaml_node_t *as = get(c, n, "as");
    if (!expr) {
        if (!get(c, n, "xpath") && !get(c, n, "selector"))
            err(c, n, "a capture needs `json`, `header` or `regexp`");
        return;
    }
    if (!as) {
        err(c, n, "a capture needs `as`, the variable to set");
        return;
    }
    if (!scenario_string(c, expr, kinds[kind]) || !scenario_string(c, as, "as"))
        return;
    struct capture cap = {.kind = kind, .strict = c->strict_capture, .group = 0};
    cap.line = line_of(n);
    cap.col = col_of(n);
    int tpl = scenario_templated(c, expr);
    if (tpl < 0)
        return;
    struct parse_error pe;
    if (!tpl && kind == CAPTURE_JSON && jsonpath_check(text(expr), &pe) < 0) {
        err(c, expr, "bad JSONPath `%s`: %s", Q(c, text(expr)), pe.msg);
        return;
    }
    if ((v = get(c, n, "strict")))
        scenario_boolean(c, v, "strict", &cap.strict);
    if ((v = get(c, n, "flags")) && scenario_string(c, v, "flags")) {
        cap.icase = strchr(text(v), 'i') != NULL;
        if (text(v)[strspn(text(v), "gimsuy")])
            err(c, v, "unknown regexp flag in `%s`", Q(c, text(v)));
    }
    if ((v = get(c, n, "group"))) {
        long long g;
        if (is_scalar(v) && !scenario_decimal(text(v), &(int){0}))
            err(c, v, "group must be a number (named groups are numbered too)");
        else if (!scenario_integer(c, v, "group", 0, 9, &g))
            cap.group = (int)g;
    }
    if (!tpl && kind == CAPTURE_REGEXP) {
        struct regexp *re = regexp_compile(text(expr), cap.icase, &pe);
        if (!re) {
            err(c, expr, "bad regexp `%s`: %s", Q(c, text(expr)), pe.msg);
            return;
        }
        if (regexp_groups(re) < cap.group)
            err(c, get(c, n, "group"), "group %d: the regexp has only %d", cap.group,
                regexp_groups(re));
        regexp_free(re);
    }
    cap.expr = xstrdup(text(expr));
    cap.as = xstrdup(text(as));
    s->captures = xrealloc(s->captures, sizeof *s->captures * (size_t)(s->ncaptures + 1));
    s->captures[s->ncaptures++] = cap;
}

static void add_expect(struct ctx *c, const yaml_node_t *k, const yaml_node_t *v, struct step *s)
{
    if (!is_scalar(k)) {
        err(c, k, "an expectation is `type: argument`");
        return;
    }
    int before = c->errors;
    c->saw_tpl = 0;
    json_t *arg = scenario_to_json(c, v, 1);
    if (!arg || c->errors != before) {
        json_decref(arg);
        return;
    }
    struct parse_error pe;
    struct exp_check ch = {text(k), arg};
    if (expect_validate(&ch, &pe) < 0) {
        err(c, expect_known(text(k)) ? v : k, "%s", pe.msg);
        json_decref(arg);
        return;
    }
    s->expects = xrealloc(s->expects, sizeof *s->expects * (size_t)(s->nexpects + 1));
    s->expects[s->nexpects++] = (struct expectation){xstrdup(text(k)), arg, line_of(k), col_of(k)};
}

/* expect: a list of one-pair mappings, or one mapping. */
static void load_expect(struct ctx *c, const yaml_node_t *n, struct step *s)
{
    if (!c->p->expect)
        warn(c, n, "`expect` needs `config.plugins.expect`: not checked");
    if (is_map(n)) {
        for (int i = 0; i < npairs(n); i++)
            add_expect(c, node_at(c, pair_at(n, i).key), node_at(c, pair_at(n, i).value), s);
    } else if (is_seq(n)) {
        for (int i = 0; i < nitems(n); i++) {
            const yaml_node_t *it = item_at(c, n, i);
            if (!is_map(it) || npairs(it) != 1)
                err(c, it, "an expectation is one `type: argument` pair");
            else
                add_expect(c, node_at(c, pair_at(it, 0).key), node_at(c, pair_at(it, 0).value), s);
        }
    } else {
        err(c, n, "expect must be a list like `[{statusCode: 200}]`");
    }
    if (c->p->expect)
        return;
    for (int i = 0; i < s->nexpects; i++) { /* checked, then dropped */
        free(s->expects[i].type);
        json_decref(s->expects[i].arg);
    }
    s->nexpects = 0;
}

static const struct keys request_keys = {
    .ok = "url headers json body qs name capture expect cookie auth form followRedirect ifTrue "
          "gzip probability",
    .warn = "match formData",
    .js = "beforeRequest afterResponse",
};
static const struct keys auth_keys = {
    .ok = "user pass",
};

static void load_request_options(struct ctx *c, const yaml_node_t *n, struct step *s)
{
    const yaml_node_t *v;
    if ((v = get(c, n, "capture"))) {
        if (is_seq(v))
            for (int i = 0; i < nitems(v); i++)
                load_capture(c, item_at(c, v, i), s);
        else
            load_capture(c, v, s);
    }
    if ((v = get(c, n, "expect")))
        load_expect(c, v, s);
    if ((v = get(c, n, "cookie"))) {
        if (!is_map(v))
            err(c, v, "cookie must be a mapping of names to values");
        else
            scenario_load_headers(c, v, &s->cookies, &s->ncookies, "cookies");
    }
    if ((v = get(c, n, "auth"))) {
        const yaml_node_t *u = is_map(v) ? get(c, v, "user") : NULL;
        const yaml_node_t *pw = is_map(v) ? get(c, v, "pass") : NULL;
        if (!is_map(v) || !u || !pw) {
            err(c, v, "auth must be a mapping with `user` and `pass`");
        } else {
            scenario_check_keys(c, v, &auth_keys, "auth");
            if (scenario_string(c, u, "user") && scenario_string(c, pw, "pass") &&
                scenario_templated(c, u) >= 0 && scenario_templated(c, pw) >= 0) {
                s->auth_user = xstrdup(text(u));
                s->auth_pass = xstrdup(text(pw));
            }
        }
    }
    int b;
    if ((v = get(c, n, "followRedirect")) && !scenario_boolean(c, v, "followRedirect", &b))
        s->no_redirect = !b;
    if ((v = get(c, n, "gzip")) && !scenario_boolean(c, v, "gzip", &b))
        s->gzip = b;
    if ((v = get(c, n, "probability")) &&
        !scenario_number_max(c, v, "probability", 100, "%", &s->probability))
        s->has_probability = 1;
    if ((v = get(c, n, "ifTrue")) && scenario_string(c, v, "ifTrue")) {
        struct parse_error pe;
        if (!(s->if_true = expr_parse(text(v), EXPR_IFTRUE, &pe)))
            err_in(c, v, pe.col, "ifTrue: %s", pe.msg);
    }
}

/* A url as written: nothing below a space, and no DEL, outside templates
 * (`{{ id }}` has spaces; what it renders to is encoded per request).
 * Returns 0, or -1 after an error at the character. */
static int url_text(struct ctx *c, const yaml_node_t *u)
{
    const char *url = text(u);
    for (const char *p = url; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (p[0] == '{' && p[1] == '{' && strstr(p + 2, "}}")) {
            p = strstr(p + 2, "}}") + 1;
            continue;
        }
        if (ch > ' ' && ch != 0x7f)
            continue;
        if (ch == ' ')
            err_in(c, u, (int)(p - url) + 1, "url cannot hold a space (write %%20)");
        else if (ch == '\r' || ch == '\n')
            err_in(c, u, (int)(p - url) + 1, "url cannot hold a line break");
        else
            err_in(c, u, (int)(p - url) + 1, "url cannot hold control character \\x%02x", ch);
        return -1;
    }
    return 0;
}

static void load_request(struct ctx *c, const yaml_node_t *akey, const yaml_node_t *n,
                         struct step *s)
{
    const char *verb = text(akey);
    s->kind = STEP_REQUEST;
    s->endpoint = -1;
    s->method = xstrdup(verb);
    for (char *m = s->method; *m; m++)
        *m = (char)toupper((unsigned char)*m);
    if (!is_map(n)) {
        err(c, n, "`%s` must be a mapping with a `url`", verb);
        return;
    }
    scenario_check_keys(c, n, &request_keys, "request");
    const yaml_node_t *u = get(c, n, "url"), *v;
    if (!u) {
        err(c, n, "`%s` has no `url`", verb);
        return;
    }
    const char *url = scenario_string(c, u, "url");
    if (!url || scenario_templated(c, u) < 0 || url_text(c, u) < 0)
        return;
    /* a url that starts with a template gets the target when it renders to "/..." */
    if (url[0] != '/' && !is_http(url) && strncmp(url, "{{", 2)) {
        err(c, u, "url `%s` must start with `/`, http:// or https://", Q(c, url));
        return;
    }
    char why[128];
    int at;
    /* templates are rendered, and checked, per request */
    if (is_http(url) && !tpl_has(url) && url_check(url, &at, why, sizeof why) < 0) {
        if (at < 0)
            err(c, u, "url %s", why);
        else
            err_in(c, u, at + 1, "url %s", why);
        return;
    }
    size_t plen = strcspn(url, "?#");

    const char *name = (v = get(c, n, "name")) ? scenario_string(c, v, "name") : NULL;
    if (!c->hook) {
        char *key = name ? xstrdup(name) : xasprintf("%s %.*s", s->method, (int)plen, url);
        int known = 0;
        for (int i = 0; i < c->p->nendpoints && !known; i++)
            known = !strcmp(c->p->endpoints[i].key, key);
        /* each endpoint keeps histograms of its own */
        if (!known && c->p->nendpoints == PLAN_MAX_ENDPOINTS)
            err(c, n,
                "more than %d distinct requests (the limit on endpoints; a `name` shared "
                "by requests makes them one)",
                PLAN_MAX_ENDPOINTS);
        else
            s->endpoint = plan_endpoint(c->p, key);
        free(key);
    }

    struct buf b = {0};
    if (url[0] == '/' && c->p->target) {
        size_t tlen = strlen(c->p->target);
        buf_append(&b, c->p->target, tlen && c->p->target[tlen - 1] == '/' ? tlen - 1 : tlen);
    }
    buf_append(&b, url, plen);
    if ((v = get(c, n, "qs"))) {
        /* qs replaces the url's own query string */
        if (!load_fields(c, v, "qs", &s->qs, &s->nqs) && s->nqs) {
            char *q = encode_fields(s->qs, s->nqs, 0);
            buf_printf(&b, "?%s", q);
            free(q);
            headers_drop(&s->qs, &s->nqs);
        }
    } else {
        buf_puts(&b, url + plen);
    }
    s->url = b.data;

    if ((v = get(c, n, "headers")))
        scenario_load_headers(c, v, &s->headers, &s->nheaders, "headers");
    const yaml_node_t *json = get(c, n, "json"), *body = get(c, n, "body");
    const yaml_node_t *form = get(c, n, "form");
    if (!!json + !!body + !!form > 1) {
        err(c, n, "a request takes one of `json`, `body` and `form`");
    } else if (json) {
        int before = c->errors;
        c->saw_tpl = 0;
        json_t *j = scenario_to_json(c, json, 0);
        s->body_kind = BODY_JSON;
        if (j && c->saw_tpl > 0) {
            s->json = j;
            j = NULL;
        } else if (j) {
            /* 15 digits: 0.1 stays "0.1", not 0.10000000000000001 */
            s->body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
            if (!s->body && c->errors == before)
                err(c, json, "out of memory serialising this json body");
        }
        json_decref(j);
    } else if (body && scenario_string(c, body, "body") && scenario_templated(c, body) >= 0) {
        s->body_kind = BODY_RAW;
        s->body = xstrdup(text(body));
    } else if (form) {
        s->body_kind = BODY_FORM;
        if (!load_fields(c, form, "form", &s->form, &s->nform)) {
            s->body = encode_fields(s->form, s->nform, 1);
            headers_drop(&s->form, &s->nform);
        }
    }
    load_request_options(c, n, s);
}

#define STEP_ACTIONS "get post put patch delete head think loop function log parallel"
static const struct keys step_keys = {
    .ok = STEP_ACTIONS,
};
static const struct keys think_step_keys = {
    .ok = STEP_ACTIONS " jitter",
};
static const struct keys loop_keys = {
    .ok = "loop count over loopValue loopElement",
    .js = "whileTrue",
};

static void load_jitter(struct ctx *c, const yaml_node_t *v, struct step *s)
{
    if (scenario_jitter_ok(c, v))
        s->jitter = xstrdup(text(v));
}

static void load_think(struct ctx *c, const yaml_node_t *n, const yaml_node_t *v, struct step *s)
{
    s->kind = STEP_THINK;
    int tpl = scenario_templated(c, v);
    if (tpl > 0)
        s->think_tpl = xstrdup(text(v));
    else if (!tpl)
        scenario_duration(c, v, "think", &s->think_us);
    if ((v = get(c, n, "jitter")))
        load_jitter(c, v, s);
}

/* count: N, "A-B" (from A while below B, as Artillery), or a template. */
static void load_count(struct ctx *c, const yaml_node_t *v, struct step *s)
{
    long long a, b;
    int tpl = scenario_templated(c, v);
    if (tpl) {
        if (tpl > 0)
            s->count_tpl = xstrdup(text(v));
        return;
    }
    const char *t = is_scalar(v) ? text(v) : "";
    const char *dash = strchr(t, '-');
    char *end;
    if (dash && dash > t && isdigit((unsigned char)t[0]) && isdigit((unsigned char)dash[1])) {
        a = strtoll(t, &end, 10);
        b = strtoll(dash + 1, &end, 10);
        if (end != dash + 1 + strlen(dash + 1) || end == dash + 1 || b <= a)
            err(c, v, "count range `%s` must be A-B with A < B", Q(c, t));
        s->loop_from = a;
        s->loop_count = b;
    } else if (!scenario_integer(c, v, "count", 1, INT64_MAX, &a)) {
        s->loop_count = a;
    }
}

static void load_loop(struct ctx *c, const yaml_node_t *n, const yaml_node_t *body, struct step *s,
                      int depth)
{
    s->kind = STEP_LOOP;
    const yaml_node_t *count = get(c, n, "count"), *over = get(c, n, "over"), *v;
    if (over && is_seq(over)) {
        c->saw_tpl = 0;
        s->over = scenario_to_json(c, over, 1);
    } else if (over && is_scalar(over) && !tpl_has(text(over))) {
        s->over_var = xstrdup(text(over));
    } else if (over) {
        err(c, over, "over must be a list or the name of a variable that holds one");
    } else if (count) {
        load_count(c, count, s);
    } else {
        err(c, n, "loop has no `count` (without one it would run forever)");
    }
    s->loop_value =
        xstrdup((v = get(c, n, "loopValue")) && scenario_string(c, v, "loopValue") ? text(v)
                                                                                   : "$loopCount");
    s->loop_element = xstrdup((v = get(c, n, "loopElement")) && scenario_string(c, v, "loopElement")
                                  ? text(v)
                                  : "$loopElement");
    if (depth >= PLAN_MAX_LOOP_DEPTH && is_seq(body) && nitems(body))
        err(c, n, "loops nested more than %d deep (the limit)", PLAN_MAX_LOOP_DEPTH);
    else if (!is_seq(body))
        err(c, body, "loop must be a list of steps");
    else if (!nitems(body))
        err(c, body, "loop is empty");
    else
        scenario_load_flow(c, body, &s->steps, &s->nsteps, depth + 1);
}

/* A JavaScript function step under --ignore-js (else an error). Returns 1
 * when it adds nothing to the flow. */
int scenario_load_function(struct ctx *c, const yaml_node_t *at, const yaml_node_t *v,
                           struct step *s)
{
    const char *name = is_scalar(v) ? text(v) : "?";
    if (!c->o->ignore_js) {
        err(c, at,
            "`function: %s` runs JavaScript, which loadtop cannot run (--ignore-js "
            "skips it)",
            Q(c, name));
        return 1;
    }
    s->kind = STEP_FUNCTION;
    s->line = line_of(at);
    s->col = col_of(at);
    s->text = xasprintf("Undefined function \"%s\"", name);
    return 0;
}

/* Fill `s` from step node `n`. Returns 1 when the step adds nothing to the
 * flow (`s` untouched), else 0 (`s` may be partial after an error). */
static int load_step(struct ctx *c, const yaml_node_t *n, struct step *s, int depth)
{
    if (scenario_too_much(c, n, depth))
        return 1;
    if (!is_map(n)) {
        char b[80];
        err(c, n, "a step must be a mapping like `get: {url: /}`, not %s",
            scenario_show(n, b, sizeof b));
        return 1;
    }
    const yaml_node_t *akey = NULL, *aval = NULL, *first = NULL;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            continue;
        first = first ? first : k;
        if (!scenario_word_in(step_keys.ok, text(k)))
            continue;
        if (akey) {
            err(c, k, "a step has both `%s` and `%s`", Q(c, text(akey)), Q(c, text(k)));
            return 1;
        }
        akey = k;
        aval = node_at(c, pair_at(n, i).value);
    }
    if (!akey) {
        if (first)
            err(c, first, "unknown step `%s`", Q(c, text(first)));
        else
            err(c, n, "empty step");
        return 1;
    }
    const char *a = text(akey);
    int is_loop = !strcmp(a, "loop");
    scenario_check_keys(c, n,
                        is_loop               ? &loop_keys
                        : !strcmp(a, "think") ? &think_step_keys
                                              : &step_keys,
                        "step");
    s->line = line_of(n);
    s->col = col_of(n);
    if (!strcmp(a, "function"))
        return scenario_load_function(c, akey, aval, s);
    if (!strcmp(a, "log")) {
        if (!scenario_string(c, aval, "log") || scenario_templated(c, aval) < 0)
            return 1;
        s->kind = STEP_LOG;
        s->text = xstrdup(text(aval));
        return 0;
    }
    if (!strcmp(a, "parallel")) {
        err(c, akey, "`parallel` steps are not supported yet");
        return 1;
    }
    if (!strcmp(a, "think"))
        load_think(c, n, aval, s);
    else if (is_loop)
        load_loop(c, n, aval, s, depth);
    else
        load_request(c, akey, aval, s);
    return 0;
}

void scenario_load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n,
                        int depth)
{
    *steps = xcalloc((size_t)nitems(seq), sizeof **steps);
    for (int i = 0; i < nitems(seq); i++) {
        /* every step costs the engine a slot in every VU's program: bound them all */
        if (c->nsteps++ == PLAN_MAX_STEPS)
            err(c, item_at(c, seq, i), "more than %d steps in the script (the limit)",
                PLAN_MAX_STEPS);
        if (c->nsteps > PLAN_MAX_STEPS)
            return;
        if (!load_step(c, item_at(c, seq, i), &(*steps)[*n], depth))
            (*n)++;
    }
}
