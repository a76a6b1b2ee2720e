/* scenario_value.c — typed values from YAML scalars (numbers, integers,
 * durations, booleans, jitter), templates checked where they are written,
 * YAML as JSON (json: bodies, expect arguments, config.variables and -v),
 * and header or cookie mappings. See scenario_int.h. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "scenario_int.h"
#include "template.h"
#include "util.h"

int scenario_decimal(const char *s, int *is_int)
{
    int digits = 0;
    *is_int = 1;
    if (*s == '-' || *s == '+')
        s++;
    for (; isdigit((unsigned char)*s); s++)
        digits++;
    if (*s == '.') {
        *is_int = 0;
        for (s++; isdigit((unsigned char)*s); s++)
            digits++;
    }
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        *is_int = 0;
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

const char *scenario_string(struct ctx *c, const yaml_node_t *n, const char *key)
{
    if (is_scalar(n))
        return text(n);
    err(c, n, "%s must be a string", key);
    return NULL;
}

/* A finite number in [0, max] (YAML's .nan and .inf are not numbers
 * here); `unit` follows the limit in the message (" a second"). */
int scenario_number_max(struct ctx *c, const yaml_node_t *n, const char *key, double max,
                        const char *unit, double *out)
{
    int is_int, num = is_scalar(n) && scenario_decimal(text(n), &is_int);
    double v = num ? strtod(text(n), NULL) : NAN;
    if (isnan(v)) {
        err(c, n, "%s must be a number", Q(c, key));
        return -1;
    }
    if (v < 0) {
        err(c, n, "%s must not be negative", Q(c, key));
        return -1;
    }
    if (v > max && unit) {
        err(c, n, "%s is too large (at most %.15g%s)", Q(c, key), max, unit);
        return -1;
    }
    if (v > max) {
        err(c, n, "%s is too large", Q(c, key));
        return -1;
    }
    *out = v;
    return 0;
}

int scenario_number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
    return scenario_number_max(c, n, key, DBL_MAX, NULL, out);
}

int scenario_integer(struct ctx *c, const yaml_node_t *n, const char *key, long long min,
                     long long max, long long *out)
{
    int is_int = 0, ok = is_scalar(n) && scenario_decimal(text(n), &is_int) && is_int;
    errno = 0;
    long long v = ok ? strtoll(text(n), NULL, 10) : 0;
    if (!ok || v < min) {
        err(c, n, "%s must be a %s integer", key, min > 0 ? "positive" : "non-negative");
        return -1;
    }
    if (errno || v > max) {
        err(c, n, "%s is too large (at most %lld)", key, max);
        return -1;
    }
    *out = v;
    return 0;
}

int scenario_duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out)
{
    char b[80];
    int r = is_scalar(n) ? parse_duration_max(text(n), PLAN_MAX_DURATION_US, out) : -1;
    if (r == -2) {
        err(c, n, "%s is too long (at most 8760h, a year)", key);
        return -1;
    }
    if (r < 0) {
        err(c, n, "bad duration %s for `%s`: use seconds (30, 1.5) or a unit (250ms, 90s, 2m, 1h)",
            scenario_show(n, b, sizeof b), key);
        return -1;
    }
    return 0;
}

int scenario_positive_duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out)
{
    if (scenario_duration(c, n, key, out) < 0)
        return -1;
    if (*out <= 0) {
        err(c, n, "%s must be greater than 0", key);
        return -1;
    }
    return 0;
}

int scenario_boolean(struct ctx *c, const yaml_node_t *n, const char *key, int *out)
{
    if (is_scalar(n) && (!strcmp(text(n), "true") || !strcmp(text(n), "false"))) {
        *out = !strcmp(text(n), "true");
        return 0;
    }
    err(c, n, "%s must be true or false", key);
    return -1;
}

int scenario_jitter_ok(struct ctx *c, const yaml_node_t *v)
{
    const char *t = is_scalar(v) ? text(v) : "";
    size_t digits = strspn(t, "0123456789.");
    int is_int, pct = t[digits] == '%';
    char *num = xstrndup(t, digits);
    double x = scenario_decimal(num, &is_int) ? strtod(num, NULL) : NAN;
    free(num);
    if (!digits || isnan(x) || (t[digits] && strcmp(t + digits, "%"))) {
        err(c, v, "jitter must be a percentage like \"10%%\" or milliseconds");
        return 0;
    }
    if (pct ? x > 100 : x > PLAN_MAX_DURATION_US / 1000) {
        err(c, v,
            pct ? "jitter is too large (at most 100%%)"
                : "jitter is too long (at most 8760h, a year, in milliseconds)");
        return 0;
    }
    return 1;
}

int scenario_templated(struct ctx *c, const yaml_node_t *n)
{
    struct parse_error pe;
    if (!is_scalar(n) || !tpl_has(text(n)))
        return 0;
    if (tpl_check(text(n), &pe) == 0)
        return 1;
    err_in(c, n, pe.col, "bad template: %s", pe.msg);
    return -1;
}

void scenario_pair_add(struct header **h, int *n, const char *name, const char *value)
{
    *h = xrealloc(*h, sizeof **h * (size_t)(*n + 1));
    (*h)[(*n)++] = (struct header){xstrdup(name), xstrdup(value)};
}

/* HTTP field names are case-insensitive: a later default replaces. */
static void header_set(struct header **h, int *n, const char *name, const char *value)
{
    for (int i = 0; i < *n; i++) {
        if (!strcasecmp((*h)[i].name, name)) {
            free((*h)[i].value);
            (*h)[i].value = xstrdup(value);
            return;
        }
    }
    scenario_pair_add(h, n, name, value);
}

/* headers (or cookies: `what`): names are tokens, values one line of
 * text, so that nothing can be smuggled into the request. */
void scenario_load_headers(struct ctx *c, const yaml_node_t *n, struct header **h, int *nh,
                           const char *what)
{
    if (!is_map(n)) {
        err(c, n, "%s must be a mapping", what);
        return;
    }
    if (npairs(n) > PLAN_MAX_HEADERS) {
        err(c, n, "more than %d %s (the limit)", PLAN_MAX_HEADERS, what);
        return;
    }
    scenario_check_keys(c, n, NULL, what);
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        char why[128];
        int at, in_value;
        if (!is_scalar(k))
            continue;
        if (plan_header_check(text(k), NULL, &at, &in_value, why, sizeof why) < 0)
            err(c, k, "`%s` is not a valid header name", Q(c, text(k)));
        else if (!is_scalar(v))
            err(c, v, "header `%s` must be a string", Q(c, text(k)));
        else if (plan_header_check(text(k), text(v), &at, &in_value, why, sizeof why) < 0)
            err_in(c, v, at + 1, "header `%s`: %s", Q(c, text(k)), why);
        else if (scenario_templated(c, v) >= 0)
            header_set(h, nh, text(k), text(v));
    }
}

static json_t *json_scalar(const yaml_node_t *n)
{
    const char *s = text(n);
    size_t len = n->data.scalar.length;
    int is_int;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(s, len);
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return json_null();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return json_true();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return json_false();
    if (scenario_decimal(s, &is_int)) {
        errno = 0;
        long long i = is_int ? strtoll(s, NULL, 10) : 0;
        if (is_int && !errno)
            return json_integer(i);
        double d = strtod(s, NULL);
        if (isfinite(d))
            return json_real(d);
    }
    return json_stringn(s, len);
}

json_t *scenario_to_json(struct ctx *c, const yaml_node_t *n, int depth)
{
    if (scenario_too_much(c, n, depth))
        return NULL;
    if (is_scalar(n)) {
        if (c->saw_tpl >= 0 && scenario_templated(c, n) > 0)
            c->saw_tpl = 1;
        return json_scalar(n);
    }
    json_t *j = is_seq(n) ? json_array() : json_object();
    if (is_seq(n)) {
        for (int i = 0; i < nitems(n); i++) {
            json_t *v = scenario_to_json(c, item_at(c, n, i), depth + 1);
            if (!v || json_array_append_new(j, v) < 0)
                goto fail;
        }
        return j;
    }
    scenario_check_keys(c, n, NULL, "json");
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            goto fail;
        if (c->saw_tpl >= 0 && scenario_templated(c, k) > 0)
            c->saw_tpl = 1;
        json_t *v = scenario_to_json(c, node_at(c, pair_at(n, i).value), depth + 1);
        if (!v || json_object_setn_new(j, text(k), k->data.scalar.length, v) < 0)
            goto fail;
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

/* config.variables: YAML values as JSON; a list stays a list (one element
 * per VU). */
void scenario_load_variables(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "variables must be a mapping");
        return;
    }
    scenario_check_keys(c, n, NULL, "variables");
    if (!c->p->variables)
        c->p->variables = json_object();
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        if (is_seq(v) && !nitems(v)) {
            err(c, v, "variable `%s` is an empty list", Q(c, text(k)));
            continue;
        }
        c->saw_tpl = -1; /* values are used as they are, never rendered */
        json_t *j = scenario_to_json(c, v, 1);
        c->saw_tpl = 0;
        if (j)
            json_object_set_new(c->p->variables, text(k), j);
    }
}

/* -v '{"k": ...}': adds to and overrides config.variables. */
void scenario_load_cli_variables(struct ctx *c, const char *json_text)
{
    json_error_t je;
    json_t *j = json_loads(json_text, JSON_DECODE_ANY, &je);
    if (!json_is_object(j)) {
        fprintf(c->diag, "%s: --variables: %s\n", c->name,
                j ? "must be a JSON object like '{\"name\": \"value\"}'" : je.text);
        c->errors++;
        json_decref(j);
        return;
    }
    if (!c->p->variables)
        c->p->variables = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (json_is_array(v) && !json_array_size(v)) {
            fprintf(c->diag, "%s: --variables: `%s` is an empty list\n", c->name, k);
            c->errors++;
        }
    }
    json_object_update(c->p->variables, j);
    json_decref(j);
}
