/* plan.c — see plan.h. */
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "checks.h"
#include "expr.h"
#include "url.h"
#include "util.h"

static void headers_free(struct header *h, int n)
{
    for (int i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void steps_free(struct step *s, int n)
{
    for (int i = 0; i < n; i++) {
        free(s[i].method);
        free(s[i].url);
        free(s[i].body);
        headers_free(s[i].headers, s[i].nheaders);
        json_decref(s[i].json);
        headers_free(s[i].form, s[i].nform);
        headers_free(s[i].qs, s[i].nqs);
        headers_free(s[i].cookies, s[i].ncookies);
        free(s[i].auth_user);
        free(s[i].auth_pass);
        for (int k = 0; k < s[i].ncaptures; k++) {
            free(s[i].captures[k].expr);
            free(s[i].captures[k].as);
        }
        free(s[i].captures);
        for (int k = 0; k < s[i].nexpects; k++) {
            free(s[i].expects[k].type);
            json_decref(s[i].expects[k].arg);
        }
        free(s[i].expects);
        expr_free(s[i].if_true);
        free(s[i].think_tpl);
        free(s[i].jitter);
        free(s[i].count_tpl);
        json_decref(s[i].over);
        free(s[i].over_var);
        free(s[i].loop_value);
        free(s[i].loop_element);
        steps_free(s[i].steps, s[i].nsteps);
        free(s[i].text);
    }
    free(s);
}

static void scenario_free(struct scenario *sc)
{
    free(sc->name);
    steps_free(sc->steps, sc->nsteps);
}

void plan_free(struct plan *p)
{
    free(p->script);
    free(p->target);
    free(p->environment);
    free(p->tls_ca);
    free(p->tls_cert);
    free(p->tls_key);
    for (int i = 0; i < p->nphases; i++)
        free(p->phases[i].name);
    free(p->phases);
    for (int i = 0; i < p->nscenarios; i++)
        scenario_free(&p->scenarios[i]);
    free(p->scenarios);
    for (int i = 0; i < p->nendpoints; i++)
        free(p->endpoints[i].key);
    free(p->endpoints);
    headers_free(p->default_headers, p->ndefault_headers);
    json_decref(p->variables);
    for (int i = 0; i < p->npayloads; i++) {
        free(p->payloads[i].path);
        for (int k = 0; k < p->payloads[i].nfields; k++)
            free(p->payloads[i].fields[k]);
        free(p->payloads[i].fields);
        free(p->payloads[i].name);
        json_decref(p->payloads[i].rows);
    }
    free(p->payloads);
    if (p->before)
        scenario_free(p->before);
    if (p->after)
        scenario_free(p->after);
    free(p->before);
    free(p->after);
    headers_free(p->default_cookies, p->ndefault_cookies);
    free(p->think_jitter);
    check_specs_free(p->ensure, p->nensure);
    memset(p, 0, sizeof *p);
}

int plan_endpoint(struct plan *p, const char *key)
{
    for (int i = 0; i < p->nendpoints; i++)
        if (!strcmp(p->endpoints[i].key, key))
            return i;
    p->endpoints = xrealloc(p->endpoints, sizeof *p->endpoints * (size_t)(p->nendpoints + 1));
    p->endpoints[p->nendpoints].key = xstrdup(key);
    return p->nendpoints++;
}

int64_t plan_duration_us(const struct plan *p)
{
    int64_t t = 0;
    for (int i = 0; i < p->nphases; i++)
        t += p->phases[i].duration_us;
    return t;
}

double plan_peak_rate(const struct plan *p)
{
    double peak = 0;
    for (int i = 0; i < p->nphases; i++) {
        const struct phase *ph = &p->phases[i];
        double r = 0;
        if (ph->kind == PHASE_CONST)
            r = ph->rate;
        else if (ph->kind == PHASE_RAMP)
            r = ph->rate > ph->rate_to ? ph->rate : ph->rate_to;
        else if (ph->kind == PHASE_COUNT)
            r = (double)ph->count * 1e6 / (double)ph->duration_us;
        if (r > peak)
            peak = r;
    }
    return peak;
}

int plan_workers(const struct plan *p, int cpus)
{
    int n = p->workers;
    if (n <= 0) {
        n = cpus > 0 ? cpus : 1;
        if (p->model == MODEL_CLOSED) {
            if (n > p->connections)
                n = p->connections;
        } else {
            double need = plan_peak_rate(p) / PLAN_RATE_PER_WORKER;
            if (need < n)
                n = need <= 1 ? 1 : (int)need + (need > (int)need);
        }
    }
    /* every worker needs a connection of its own */
    if (p->pool > 0 && n > p->pool)
        n = p->pool;
    if (p->model == MODEL_CLOSED && n > p->connections)
        n = p->connections;
    return n < 1 ? 1 : n;
}

int plan_header_check(const char *name, const char *value, int *at, int *in_value, char *why,
                      size_t n)
{
    char b[32];
    *at = -1;
    *in_value = 0;
    if (!*name) {
        snprintf(why, n, "an empty header name");
        return -1;
    }
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p)) {
            *at = (int)(p - name);
            snprintf(why, n, "a header name cannot hold %s",
                     char_name((unsigned char)*p, b, sizeof b));
            return -1;
        }
    for (const char *p = value; p && *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
            *at = (int)(p - value);
            *in_value = 1;
            if (ch == '\r' || ch == '\n')
                snprintf(why, n, "a header value must be on one line (no CR or LF)");
            else
                snprintf(why, n, "a header value cannot hold %s", char_name(ch, b, sizeof b));
            return -1;
        }
    }
    return 0;
}

/* --body @FILE: the file's bytes, or NULL after a message. */
static char *plan_read_body(const char *path, size_t *len, FILE *diag)
{
    char shown[80];
    str_clip(shown, sizeof shown, path);
    struct buf b = {0};
    const char *bad = read_file_limited(path, PLAN_MAX_BODY_FILE, &b);
    if (!bad && memchr(b.data, 0, b.len)) {
        bad = "binary bodies (NUL bytes) are not supported";
        buf_free(&b);
    }
    if (bad) {
        fprintf(diag, "loadtop: --body: %s: %s\n", shown,
                !strcmp(bad, "too large")        ? "larger than 10 MiB (the limit for a body)"
                : !strcmp(bad, strerror(EISDIR)) ? "is a directory"
                                                 : bad);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

int plan_from_url(const struct url_run *u, struct plan *p, FILE *diag)
{
    char why[160];
    int at, in_value;
    memset(p, 0, sizeof *p);
    if (url_check(u->url, &at, why, sizeof why) < 0) {
        fprintf(diag, "loadtop: the URL %s\n", why);
        return -1;
    }
    if (u->nheaders > PLAN_MAX_HEADERS) {
        fprintf(diag, "loadtop: -H: more than %d headers (the limit)\n", PLAN_MAX_HEADERS);
        return -1;
    }
    for (int i = 0; i < u->nheaders; i++) {
        const char *c = strchr(u->headers[i], ':');
        char *name = c ? xstrndup(u->headers[i], (size_t)(c - u->headers[i])) : NULL;
        int bad = !c || plan_header_check(name, c + 1, &at, &in_value, why, sizeof why) < 0;
        free(name);
        if (bad) {
            fprintf(diag, "loadtop: -H: %s\n", c ? why : "expected 'Name: value'");
            return -1;
        }
    }
    p->target = xstrdup(u->url);
    p->timeout_us = u->timeout_us > 0 ? u->timeout_us : 10000000;
    p->connections = u->connections;
    p->pool = u->connections; /* keep-alive pool, like wrk/oha */
    p->max_requests = u->requests;
    p->nphases = 1;
    p->phases = xcalloc(1, sizeof *p->phases);
    struct phase *ph = &p->phases[0];
    ph->name = xstrdup("main");
    ph->duration_us = u->duration_us;
    if (u->rate > 0) {
        p->model = MODEL_OPEN;
        if (u->requests > 0 && !u->duration_given) {
            double us = (double)u->requests / u->rate * 1e6;
            if (us > (double)PLAN_MAX_DURATION_US) {
                fprintf(diag,
                        "loadtop: -n: %lld requests at %g/s would take longer than 8760h "
                        "(the limit)\n",
                        (long long)u->requests, u->rate);
                return -1;
            }
            ph->kind = PHASE_COUNT;
            ph->count = u->requests;
            ph->duration_us = (int64_t)us;
            if (ph->duration_us <= 0)
                ph->duration_us = 1;
        } else {
            ph->kind = PHASE_CONST;
            ph->rate = u->rate;
        }
    } else {
        p->model = MODEL_CLOSED;
        ph->kind = PHASE_PAUSE; /* no scheduled arrivals: the workers loop */
        if (u->requests > 0 && !u->duration_given)
            ph->duration_us = PLAN_UNTIMED; /* -n alone runs to completion */
    }
    p->nscenarios = 1;
    p->scenarios = xcalloc(1, sizeof *p->scenarios);
    struct scenario *sc = &p->scenarios[0];
    sc->name = xstrdup("default");
    sc->weight = 1;
    sc->nsteps = 1;
    sc->steps = xcalloc(1, sizeof *sc->steps);
    struct step *s = &sc->steps[0];
    s->kind = STEP_REQUEST;
    s->method = xstrdup(u->method);
    s->url = xstrdup(u->url);
    if (u->body) {
        size_t len = strlen(u->body);
        s->body = u->body[0] == '@' ? plan_read_body(u->body + 1, &len, diag) : xstrdup(u->body);
        if (!s->body)
            return -1;
        s->body_kind = BODY_RAW;
    }
    s->nheaders = u->nheaders;
    s->headers = xcalloc((size_t)u->nheaders + 1, sizeof *s->headers);
    for (int i = 0; i < u->nheaders; i++) {
        const char *c = strchr(u->headers[i], ':');
        const char *v = c + 1;
        while (*v == ' ')
            v++;
        s->headers[i].name = xstrndup(u->headers[i], (size_t)(c - u->headers[i]));
        s->headers[i].value = xstrdup(v);
    }
    /* endpoint key: METHOD + path (no scheme, host or query) */
    const char *path = strstr(u->url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    size_t plen = path ? strcspn(path, "?#") : 0;
    char *key = xasprintf("%s %.*s", u->method, (int)(path ? plen : 1), path ? path : "/");
    s->endpoint = plan_endpoint(p, key);
    free(key);
    return 0;
}

int plan_transport_of(const char *name)
{
    static const char *const names[] = {"auto", "native", "curl"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

const char *plan_transport_name(enum transport t)
{
    return t == TRANSPORT_NATIVE ? "native" : t == TRANSPORT_CURL ? "curl" : "auto";
}

const char *plan_not_native(const struct plan *p)
{
    if (p->http_version != HTTP_V1_1)
        return "HTTP/2 is libcurl's";
    const char *t = p->target ? p->target : "";
    if (strncasecmp(t, "http://", 7))
        return "it carries http:// only";
    return NULL;
}
