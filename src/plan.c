/* plan.c — see plan.h. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "cond.h"
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
        cond_free(s[i].if_true);
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
