/* plan.c — see plan.h. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

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
        steps_free(s[i].steps, s[i].nsteps);
    }
    free(s);
}

void plan_free(struct plan *p)
{
    free(p->script);
    free(p->target);
    free(p->environment);
    for (int i = 0; i < p->nphases; i++)
        free(p->phases[i].name);
    free(p->phases);
    for (int i = 0; i < p->nscenarios; i++) {
        free(p->scenarios[i].name);
        steps_free(p->scenarios[i].steps, p->scenarios[i].nsteps);
    }
    free(p->scenarios);
    for (int i = 0; i < p->nendpoints; i++)
        free(p->endpoints[i].key);
    free(p->endpoints);
    headers_free(p->default_headers, p->ndefault_headers);
    headers_free(p->variables, p->nvariables);
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
