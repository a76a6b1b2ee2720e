/* scenario.c — see scenario.h. libyaml's document API gives a tree whose
 * nodes keep their start marks, so every message can point at the exact
 * place; jansson serialises `json:` bodies.
 *
 * Choices where Artillery is loose or loadtop differs:
 *  - durations (phase duration/pause, think, http.timeout): a number is
 *    seconds, fractions allowed (1.5 and "1.5"); a string may carry a unit:
 *    "250ms", "90s", "2m", "1h".
 *  - phase precedence as Artillery's phases.js: pause, then arrivalCount,
 *    then arrivalRate (+ rampTo = ramp; a lone arrivalRate of 0 = pause).
 *  - -e NAME: the environment's keys replace config's; where both values
 *    are mappings (http, tls, defaults, ...) they are merged key by key.
 *  - a list in config.variables becomes its first element, with a warning
 *    (Artillery picks one at random per virtual user).
 *  - json: plain scalars that read as null/true/false/integers/decimals
 *    become those JSON types; quoted scalars stay strings.
 *  - endpoint key: the request's `name`, else "METHOD url" with the url as
 *    written (templates intact), cut at its query string.
 *  - a loop needs a positive `count` (Artillery loops forever without). */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "util.h"

#define MAX_DEPTH 32
/* Aliases let a tiny file expand exponentially; cap the nodes we visit. */
#define MAX_WORK 1000000L

struct ctx {
    const char *name;
    FILE *diag;
    yaml_document_t *doc;
    struct plan *p;
    int errors;
    long work;
};

/* Known keys of one kind of mapping, as space-separated lists: handled,
 * Artillery's but ignored here (warning), refused, and JavaScript hooks. */
struct keys {
    const char *ok, *warn, *fail, *js;
};

static void report(struct ctx *c, const yaml_node_t *n, const char *kind, const char *fmt,
                   va_list ap)
{
    int line = n ? (int)n->start_mark.line + 1 : 1, col = n ? (int)n->start_mark.column + 1 : 1;
    fprintf(c->diag, "%s:%d:%d: %s", c->name, line, col, kind);
    vfprintf(c->diag, fmt, ap);
    fputc('\n', c->diag);
}

__attribute__((format(printf, 3, 4))) static void err(struct ctx *c, const yaml_node_t *n,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(c, n, "", fmt, ap);
    va_end(ap);
    c->errors++;
}

__attribute__((format(printf, 3, 4))) static void warn(struct ctx *c, const yaml_node_t *n,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(c, n, "warning: ", fmt, ap);
    va_end(ap);
}

/* ---- tree access ---- */

static yaml_node_t *node_at(struct ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

static int node_id(struct ctx *c, const yaml_node_t *n)
{
    return (int)(n - c->doc->nodes.start) + 1;
}

static int is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

static int is_map(const yaml_node_t *n)
{
    return n && n->type == YAML_MAPPING_NODE;
}

static int is_seq(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE;
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int npairs(const yaml_node_t *n)
{
    return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static yaml_node_pair_t pair_at(const yaml_node_t *n, int i)
{
    return n->data.mapping.pairs.start[i];
}

static int nitems(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *item_at(struct ctx *c, const yaml_node_t *n, int i)
{
    return node_at(c, n->data.sequence.items.start[i]);
}

/* The id of `key`'s value in mapping `map`, or 0. */
static int find_id(struct ctx *c, int map, const char *key)
{
    const yaml_node_t *m = node_at(c, map);
    for (int i = 0; i < npairs(m); i++) {
        const yaml_node_t *k = node_at(c, pair_at(m, i).key);
        if (is_scalar(k) && !strcmp(text(k), key))
            return pair_at(m, i).value;
    }
    return 0;
}

static yaml_node_t *get(struct ctx *c, const yaml_node_t *map, const char *key)
{
    int id = find_id(c, node_id(c, map), key);
    return id ? node_at(c, id) : NULL;
}

/* "`text`" for a scalar, else what it is; for messages. */
static const char *show(const yaml_node_t *n, char *b, size_t size)
{
    if (is_map(n))
        return "a mapping";
    if (is_seq(n))
        return "a list";
    snprintf(b, size, "`%.60s`", text(n));
    return b;
}

static int word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; p && *p; p += strcspn(p, " "), p += *p == ' ')
        if (!strncmp(p, w, n) && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

/* Scalars, duplicates, then each key against `k` (NULL: any key). */
static void check_keys(struct ctx *c, const yaml_node_t *map, const struct keys *k,
                       const char *where)
{
    for (int i = 0; i < npairs(map); i++) {
        const yaml_node_t *key = node_at(c, pair_at(map, i).key);
        if (!is_scalar(key)) {
            err(c, key, "keys in %s must be strings", where);
            continue;
        }
        const char *t = text(key);
        int dup = 0;
        for (int j = 0; j < i && !dup; j++) {
            const yaml_node_t *kj = node_at(c, pair_at(map, j).key);
            dup = is_scalar(kj) && !strcmp(text(kj), t);
        }
        if (dup)
            err(c, key, "duplicate key `%s` in %s", t, where);
        else if (!k || word_in(k->ok, t))
            continue;
        else if (word_in(k->warn, t))
            warn(c, key, "`%s` in %s is not supported yet, ignored", t, where);
        else if (word_in(k->fail, t))
            err(c, key, "`%s` in %s is not supported yet", t, where);
        else if (word_in(k->js, t))
            err(c, key, "`%s` runs JavaScript, which loadtop cannot run", t);
        else
            warn(c, key, "unknown key `%s` in %s", t, where);
    }
}

/* ---- scalar values ---- */

/* [-+]? digits [. digits] [e [-+]? digits]: what YAML's core schema and
 * JSON agree is a number. *is_int: no fraction and no exponent. */
static int decimal(const char *s, int *is_int)
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

static const char *string(struct ctx *c, const yaml_node_t *n, const char *key)
{
    if (is_scalar(n))
        return text(n);
    err(c, n, "%s must be a string", key);
    return NULL;
}

static int number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
    int is_int;
    double v = is_scalar(n) && decimal(text(n), &is_int) ? strtod(text(n), NULL) : NAN;
    if (!isfinite(v)) {
        err(c, n, "%s must be a number", key);
        return -1;
    }
    if (v < 0) {
        err(c, n, "%s must not be negative", key);
        return -1;
    }
    *out = v;
    return 0;
}

/* An integer in [min, max]; min is 0 or 1, which names the message. */
static int integer(struct ctx *c, const yaml_node_t *n, const char *key, long long min,
                   long long max, long long *out)
{
    int is_int = 0, ok = is_scalar(n) && decimal(text(n), &is_int) && is_int;
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

static int duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out)
{
    char b[80];
    if (!is_scalar(n) || parse_duration_us(text(n), out) < 0) {
        err(c, n, "bad duration %s for `%s`: use seconds (30, 1.5) or a unit (250ms, 90s, 2m, 1h)",
            show(n, b, sizeof b), key);
        return -1;
    }
    return 0;
}

static int positive_duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out)
{
    if (duration(c, n, key, out) < 0)
        return -1;
    if (*out <= 0) {
        err(c, n, "%s must be greater than 0", key);
        return -1;
    }
    return 0;
}

static int is_http(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* ---- headers and variables ---- */

static void pair_add(struct header **h, int *n, const char *name, const char *value)
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
    pair_add(h, n, name, value);
}

static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return 0;
    return 1;
}

static void load_headers(struct ctx *c, const yaml_node_t *n, struct header **h, int *nh)
{
    if (!is_map(n)) {
        err(c, n, "headers must be a mapping");
        return;
    }
    check_keys(c, n, NULL, "headers");
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        if (!is_token(text(k)))
            err(c, k, "`%s` is not a valid header name", text(k));
        else if (!is_scalar(v))
            err(c, v, "header `%s` must be a string", text(k));
        else if (strpbrk(text(v), "\r\n"))
            err(c, v, "header `%s` must be on one line", text(k));
        else
            header_set(h, nh, text(k), text(v));
    }
}

static void load_variables(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "variables must be a mapping");
        return;
    }
    check_keys(c, n, NULL, "variables");
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        if (is_seq(v) && !nitems(v)) {
            err(c, v, "variable `%s` is an empty list", text(k));
            continue;
        }
        const yaml_node_t *val = is_seq(v) ? item_at(c, v, 0) : v;
        if (!is_scalar(val)) {
            err(c, val, "variable `%s` must be a string, a number or a list of them", text(k));
            continue;
        }
        if (is_seq(v))
            warn(c, v,
                 "variable `%s` is a list: loadtop uses its first value `%s` "
                 "(Artillery picks one at random per virtual user)",
                 text(k), text(val));
        pair_add(&c->p->variables, &c->p->nvariables, text(k), text(val));
    }
}

/* ---- config ---- */

static const struct keys config_keys = {
    .ok = "target phases http defaults variables environments tls",
    .warn = "plugins ensure payload engines includeFiles statsInterval socketio ws",
    .js = "processor",
};
static const struct keys http_keys = {
    .ok = "timeout pool defaults",
    .warn = "maxSockets extendedMetrics",
};
static const struct keys defaults_keys = {
    .ok = "headers",
    .warn = "think cookie strictCapture",
};
static const struct keys tls_keys = {
    .ok = "rejectUnauthorized",
};
static const struct keys phase_keys = {
    .ok = "name duration arrivalRate rampTo arrivalCount pause maxVusers",
};

static void load_defaults(struct ctx *c, const yaml_node_t *n, const char *where)
{
    if (!is_map(n)) {
        err(c, n, "defaults must be a mapping");
        return;
    }
    check_keys(c, n, &defaults_keys, where);
    const yaml_node_t *h = get(c, n, "headers");
    if (h)
        load_headers(c, h, &c->p->default_headers, &c->p->ndefault_headers);
}

static void load_http(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "http must be a mapping");
        return;
    }
    check_keys(c, n, &http_keys, "config.http");
    const yaml_node_t *v;
    long long pool;
    if ((v = get(c, n, "timeout")))
        positive_duration(c, v, "timeout", &c->p->timeout_us);
    if ((v = get(c, n, "pool")) && !integer(c, v, "pool", 0, INT_MAX, &pool))
        c->p->pool = (int)pool;
    if ((v = get(c, n, "defaults")))
        load_defaults(c, v, "config.http.defaults");
}

static void load_tls(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "tls must be a mapping");
        return;
    }
    check_keys(c, n, &tls_keys, "config.tls");
    const yaml_node_t *v = get(c, n, "rejectUnauthorized");
    if (!v)
        return;
    if (is_scalar(v) && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (!strcmp(text(v), "true") || !strcmp(text(v), "false")))
        c->p->insecure = !strcmp(text(v), "false");
    else
        err(c, v, "rejectUnauthorized must be true or false");
}

static void load_phase(struct ctx *c, const yaml_node_t *n, struct phase *ph)
{
    check_keys(c, n, &phase_keys, "phase");
    const yaml_node_t *v = get(c, n, "name");
    const char *name = v ? string(c, v, "name") : NULL;
    ph->name = xstrdup(name ? name : "unnamed");
    long long m;
    if ((v = get(c, n, "maxVusers")) && !integer(c, v, "maxVusers", 0, INT_MAX, &m))
        ph->max_vusers = (int)m;

    const yaml_node_t *pause = get(c, n, "pause"), *count = get(c, n, "arrivalCount");
    const yaml_node_t *rate = get(c, n, "arrivalRate"), *to = get(c, n, "rampTo");
    const yaml_node_t *dur = get(c, n, "duration");
    if (pause) {
        ph->kind = PHASE_PAUSE;
        positive_duration(c, pause, "pause", &ph->duration_us);
        return;
    }
    if (!count && !rate) {
        err(c, n,
            to ? "rampTo needs an arrivalRate to ramp from"
               : "a phase needs arrivalRate, arrivalCount or pause");
        return;
    }
    if (!dur)
        err(c, n, "phase has no `duration`");
    else
        positive_duration(c, dur, "duration", &ph->duration_us);
    if (count) {
        ph->kind = PHASE_COUNT;
        if (!integer(c, count, "arrivalCount", 0, INT64_MAX, &m))
            ph->count = m;
        return;
    }
    number(c, rate, "arrivalRate", &ph->rate);
    if (to) {
        ph->kind = PHASE_RAMP;
        number(c, to, "rampTo", &ph->rate_to);
    } else {
        ph->kind = ph->rate == 0 ? PHASE_PAUSE : PHASE_CONST;
    }
}

static void load_phases(struct ctx *c, const yaml_node_t *cfg)
{
    const yaml_node_t *v = get(c, cfg, "phases");
    if (!v) {
        err(c, cfg, "config.phases is missing");
        return;
    }
    if (!is_seq(v)) {
        err(c, v, "phases must be a list");
        return;
    }
    if (!nitems(v)) {
        err(c, v, "phases is empty");
        return;
    }
    c->p->phases = xcalloc((size_t)nitems(v), sizeof *c->p->phases);
    for (int i = 0; i < nitems(v); i++) {
        const yaml_node_t *it = item_at(c, v, i);
        struct phase *ph = &c->p->phases[c->p->nphases++];
        ph->line = (int)it->start_mark.line + 1;
        ph->col = (int)it->start_mark.column + 1;
        if (is_map(it))
            load_phase(c, it, ph);
        else
            err(c, it, "a phase must be a mapping");
    }
}

static void load_config(struct ctx *c, const yaml_node_t *cfg, const struct scenario_opts *o)
{
    struct plan *p = c->p;
    check_keys(c, cfg, &config_keys, "config");
    const yaml_node_t *v = get(c, cfg, "target");
    const char *t = v ? string(c, v, "target") : NULL;
    if (t && !is_http(t))
        err(c, v, "target must start with http:// or https://, not `%s`", t);
    else if (t)
        p->target = xstrdup(t);
    if (o->target) {
        free(p->target);
        p->target = xstrdup(o->target);
    } else if (!v) {
        err(c, cfg, "config.target is missing (set it, or give -t URL)");
    }
    load_phases(c, cfg);
    /* config.defaults first: config.http.defaults, the newer spelling, wins. */
    if ((v = get(c, cfg, "defaults")))
        load_defaults(c, v, "config.defaults");
    if ((v = get(c, cfg, "http")))
        load_http(c, v);
    if ((v = get(c, cfg, "tls")))
        load_tls(c, v);
    if ((v = get(c, cfg, "variables")))
        load_variables(c, v);
}

/* A new mapping: `base` with `over`'s values for shared keys (merged when
 * both are mappings), then `over`'s other keys. Adding nodes may move the
 * node array, so only ids are held across calls. */
static int merge_maps(struct ctx *c, int base, int over, int depth)
{
    int m = yaml_document_add_mapping(c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!m) {
        err(c, node_at(c, base), "out of memory");
        return base;
    }
    node_at(c, m)->start_mark = node_at(c, base)->start_mark;
    for (int pass = 0; pass < 2; pass++) {
        int from = pass ? over : base, other = pass ? base : over;
        for (int i = 0; i < npairs(node_at(c, from)); i++) {
            yaml_node_pair_t pr = pair_at(node_at(c, from), i);
            const yaml_node_t *k = node_at(c, pr.key);
            int ov = is_scalar(k) ? find_id(c, other, text(k)) : 0;
            if (pass && ov)
                continue;
            if (ov && is_map(node_at(c, pr.value)) && is_map(node_at(c, ov)) && depth < MAX_DEPTH)
                pr.value = merge_maps(c, pr.value, ov, depth + 1);
            else if (ov)
                pr.value = ov;
            if (!yaml_document_append_mapping_pair(c->doc, m, pr.key, pr.value))
                err(c, node_at(c, pr.key), "out of memory");
        }
    }
    return m;
}

/* The id of config merged with environment `name`, or 0 after an error. */
static int merge_environment(struct ctx *c, int cfg, const char *name)
{
    const yaml_node_t *envs = get(c, node_at(c, cfg), "environments");
    if (!envs) {
        err(c, node_at(c, cfg), "environment `%s` is not defined: config has no `environments`",
            name);
        return 0;
    }
    if (!is_map(envs)) {
        err(c, envs, "environments must be a mapping");
        return 0;
    }
    const yaml_node_t *env = get(c, envs, name);
    if (!env) {
        struct buf b = {0};
        for (int i = 0; i < npairs(envs); i++) {
            const yaml_node_t *k = node_at(c, pair_at(envs, i).key);
            if (is_scalar(k))
                buf_printf(&b, "%s`%s`", b.len ? ", " : "", text(k));
        }
        err(c, envs, "environment `%s` is not in config.environments (it has %s)", name,
            b.len ? b.data : "none");
        buf_free(&b);
        return 0;
    }
    if (!is_map(env)) {
        err(c, env, "environment `%s` must be a mapping", name);
        return 0;
    }
    return merge_maps(c, cfg, node_id(c, env), 0);
}

/* ---- requests ---- */

static int too_much(struct ctx *c, const yaml_node_t *n, int depth)
{
    if (c->work < 0)
        return 1;
    if (++c->work <= MAX_WORK && depth <= MAX_DEPTH)
        return 0;
    err(c, n, "the script nests or repeats too deeply (aliases?)");
    c->work = -1; /* said once; keep refusing */
    return 1;
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
    if (decimal(s, &is_int)) {
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

static json_t *to_json(struct ctx *c, const yaml_node_t *n, int depth)
{
    if (too_much(c, n, depth))
        return NULL;
    if (is_scalar(n))
        return json_scalar(n);
    json_t *j = is_seq(n) ? json_array() : json_object();
    if (is_seq(n)) {
        for (int i = 0; i < nitems(n); i++) {
            json_t *v = to_json(c, item_at(c, n, i), depth + 1);
            if (!v || json_array_append_new(j, v) < 0)
                goto fail;
        }
        return j;
    }
    check_keys(c, n, NULL, "json");
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            goto fail;
        json_t *v = to_json(c, node_at(c, pair_at(n, i).value), depth + 1);
        if (!v || json_object_setn_new(j, text(k), k->data.scalar.length, v) < 0)
            goto fail;
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

static void url_encode(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || strchr("-_.~", ch))
            buf_append(b, s, 1);
        else
            buf_printf(b, "%%%02X", ch);
    }
}

static void encode_qs(struct ctx *c, const yaml_node_t *n, struct buf *b)
{
    if (!is_map(n)) {
        err(c, n, "qs must be a mapping");
        return;
    }
    check_keys(c, n, NULL, "qs");
    int first = 1;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        int nv = is_seq(v) ? nitems(v) : 1;
        for (int j = 0; j < nv; j++) {
            const yaml_node_t *x = is_seq(v) ? item_at(c, v, j) : v;
            if (!is_scalar(x)) {
                err(c, x, "qs value for `%s` must be a string, a number or a list of them",
                    text(k));
                break;
            }
            buf_puts(b, first ? "?" : "&");
            first = 0;
            url_encode(b, text(k));
            buf_puts(b, "=");
            url_encode(b, text(x));
        }
    }
}

static const struct keys request_keys = {
    .ok = "url headers json body qs name",
    .warn = "capture expect match cookie auth form formData followRedirect ifTrue gzip",
    .js = "beforeRequest afterResponse",
};

static void load_request(struct ctx *c, const yaml_node_t *akey, const yaml_node_t *n,
                         struct step *s)
{
    const char *verb = text(akey);
    s->kind = STEP_REQUEST;
    s->method = xstrdup(verb);
    for (char *m = s->method; *m; m++)
        *m = (char)toupper((unsigned char)*m);
    if (!is_map(n)) {
        err(c, n, "`%s` must be a mapping with a `url`", verb);
        return;
    }
    check_keys(c, n, &request_keys, "request");
    const yaml_node_t *u = get(c, n, "url"), *v;
    if (!u) {
        err(c, n, "`%s` has no `url`", verb);
        return;
    }
    const char *url = string(c, u, "url");
    if (!url)
        return;
    if (url[0] != '/' && !is_http(url)) {
        err(c, u, "url `%s` must start with `/`, http:// or https://", url);
        return;
    }
    size_t plen = strcspn(url, "?#");

    const char *name = (v = get(c, n, "name")) ? string(c, v, "name") : NULL;
    char *key = name ? xstrdup(name) : xasprintf("%s %.*s", s->method, (int)plen, url);
    s->endpoint = plan_endpoint(c->p, key);
    free(key);

    struct buf b = {0};
    if (url[0] == '/' && c->p->target) {
        size_t tlen = strlen(c->p->target);
        buf_append(&b, c->p->target, tlen && c->p->target[tlen - 1] == '/' ? tlen - 1 : tlen);
    }
    buf_append(&b, url, plen);
    if ((v = get(c, n, "qs")))
        encode_qs(c, v, &b);
    else
        buf_puts(&b, url + plen);
    s->url = b.data;

    if ((v = get(c, n, "headers")))
        load_headers(c, v, &s->headers, &s->nheaders);
    const yaml_node_t *json = get(c, n, "json"), *body = get(c, n, "body");
    if (json && body) {
        err(c, n, "a request cannot have both `json` and `body`");
    } else if (json) {
        int before = c->errors;
        json_t *j = to_json(c, json, 0);
        /* 15 digits: 0.1 stays "0.1", not 0.10000000000000001 */
        s->body =
            j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
        json_decref(j);
        if (s->body)
            s->body_kind = BODY_JSON;
        else if (c->errors == before)
            err(c, json, "out of memory serialising this json body");
    } else if (body && string(c, body, "body")) {
        s->body_kind = BODY_RAW;
        s->body = xstrdup(text(body));
    }
}

/* ---- flows ---- */

static const struct keys step_keys = {
    .ok = "get post put patch delete head think loop function log parallel",
};
static const struct keys loop_keys = {
    .ok = "loop count",
    .fail = "over",
    .js = "whileTrue",
};

static void load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n,
                      int depth);

/* Fill `s` from step node `n`. Returns 1 when the step adds nothing to the
 * flow (`s` untouched), else 0 (`s` may be partial after an error). */
static int load_step(struct ctx *c, const yaml_node_t *n, struct step *s, int depth)
{
    if (too_much(c, n, depth))
        return 1;
    if (!is_map(n)) {
        char b[80];
        err(c, n, "a step must be a mapping like `get: {url: /}`, not %s", show(n, b, sizeof b));
        return 1;
    }
    const yaml_node_t *akey = NULL, *aval = NULL, *first = NULL;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            continue;
        first = first ? first : k;
        if (!word_in(step_keys.ok, text(k)))
            continue;
        if (akey) {
            err(c, k, "a step has both `%s` and `%s`", text(akey), text(k));
            return 1;
        }
        akey = k;
        aval = node_at(c, pair_at(n, i).value);
    }
    if (!akey) {
        if (first)
            err(c, first, "unknown step `%s`", text(first));
        else
            err(c, n, "empty step");
        return 1;
    }
    const char *a = text(akey);
    int is_loop = !strcmp(a, "loop");
    check_keys(c, n, is_loop ? &loop_keys : &step_keys, "step");
    s->line = (int)n->start_mark.line + 1;
    s->col = (int)n->start_mark.column + 1;
    if (!strcmp(a, "function")) {
        err(c, akey, "`function` steps run JavaScript, which loadtop cannot run");
        return 1;
    }
    if (!strcmp(a, "log")) {
        warn(c, akey, "`log` steps are not supported yet, ignored");
        return 1;
    }
    if (!strcmp(a, "parallel")) {
        err(c, akey, "`parallel` steps are not supported yet");
        return 1;
    }
    if (!strcmp(a, "think")) {
        s->kind = STEP_THINK;
        duration(c, aval, "think", &s->think_us);
        return 0;
    }
    if (!is_loop) {
        load_request(c, akey, aval, s);
        return 0;
    }
    s->kind = STEP_LOOP;
    const yaml_node_t *count = get(c, n, "count");
    long long k;
    if (count && !integer(c, count, "count", 1, INT64_MAX, &k))
        s->loop_count = k;
    else if (!count && !get(c, n, "over") && !get(c, n, "whileTrue"))
        err(c, n, "loop has no `count` (without one it would run forever)");
    if (!is_seq(aval))
        err(c, aval, "loop must be a list of steps");
    else if (!nitems(aval))
        err(c, aval, "loop is empty");
    else
        load_flow(c, aval, &s->steps, &s->nsteps, depth + 1);
    return 0;
}

static void load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n, int depth)
{
    *steps = xcalloc((size_t)nitems(seq), sizeof **steps);
    for (int i = 0; i < nitems(seq); i++)
        if (!load_step(c, item_at(c, seq, i), &(*steps)[*n], depth))
            (*n)++;
}

/* ---- scenarios ---- */

static const struct keys scenario_keys = {
    .ok = "name weight flow engine",
    .js = "beforeScenario afterScenario beforeRequest afterResponse",
};

/* Returns -1 when the weight is bad (so "all weights 0" is not judged). */
static int load_scenario(struct ctx *c, const yaml_node_t *n, struct scenario *sc, int idx)
{
    check_keys(c, n, &scenario_keys, "scenario");
    const yaml_node_t *v = get(c, n, "name");
    const char *name = v ? string(c, v, "name") : NULL;
    sc->name = name ? xstrdup(name) : xasprintf("scenario %d", idx + 1);
    int rc = 0;
    long long w;
    if ((v = get(c, n, "weight")))
        rc = integer(c, v, "weight", 0, INT_MAX, &w);
    if (v && !rc)
        sc->weight = (int)w;
    if ((v = get(c, n, "engine")) && (!is_scalar(v) || strcmp(text(v), "http"))) {
        char b[80];
        warn(c, v, "engine %s is not supported yet, ignored", show(v, b, sizeof b));
    }
    int before = c->errors;
    if (!(v = get(c, n, "flow")))
        err(c, n, "scenario has no `flow`");
    else if (!is_seq(v))
        err(c, v, "flow must be a list");
    else if (!nitems(v))
        err(c, v, "flow is empty");
    else
        load_flow(c, v, &sc->steps, &sc->nsteps, 0);
    if (v && is_seq(v) && nitems(v) && !sc->nsteps && c->errors == before)
        err(c, v, "flow has no steps loadtop can run");
    return rc;
}

static void load_scenarios(struct ctx *c, const yaml_node_t *root)
{
    const yaml_node_t *v = get(c, root, "scenarios");
    if (!v) {
        err(c, root, "missing `scenarios`");
        return;
    }
    if (!is_seq(v)) {
        err(c, v, "scenarios must be a list");
        return;
    }
    if (!nitems(v)) {
        err(c, v, "scenarios is empty");
        return;
    }
    struct plan *p = c->p;
    p->scenarios = xcalloc((size_t)nitems(v), sizeof *p->scenarios);
    int64_t total = 0;
    int judged = 1;
    for (int i = 0; i < nitems(v); i++) {
        const yaml_node_t *it = item_at(c, v, i);
        struct scenario *sc = &p->scenarios[p->nscenarios++];
        sc->weight = 1;
        if (!is_map(it)) {
            err(c, it, "a scenario must be a mapping with a `flow`");
            judged = 0;
            continue;
        }
        if (load_scenario(c, it, sc, i) < 0)
            judged = 0;
        total += sc->weight;
    }
    if (judged && !total)
        err(c, v, "all scenarios have weight 0");
}

/* ---- entry points ---- */

static const struct keys top_keys = {
    .ok = "config scenarios",
    .warn = "before after",
};

static void load_script(struct ctx *c, const struct scenario_opts *o)
{
    const yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root) {
        err(c, NULL, "the script is empty");
        return;
    }
    if (!is_map(root)) {
        err(c, root, "a script must be a mapping with `config` and `scenarios`");
        return;
    }
    check_keys(c, root, &top_keys, "the script");
    int root_id = node_id(c, root);
    const yaml_node_t *cfg = get(c, root, "config");
    if (!cfg) {
        err(c, root, "missing `config`");
    } else if (!is_map(cfg)) {
        err(c, cfg, "config must be a mapping");
    } else {
        int id = node_id(c, cfg);
        if (o->environment)
            id = merge_environment(c, id, o->environment);
        if (id)
            load_config(c, node_at(c, id), o);
    }
    load_scenarios(c, node_at(c, root_id)); /* re-fetched: merging moves nodes */
}

static void syntax_error(struct ctx *c, const yaml_parser_t *ps, const char *src, size_t len)
{
    if (ps->error == YAML_MEMORY_ERROR) {
        fprintf(c->diag, "%s: out of memory\n", c->name);
        return;
    }
    yaml_mark_t m = ps->problem_mark;
    if (ps->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        memset(&m, 0, sizeof m);
        for (size_t i = 0; i < ps->problem_offset && i < len; i++, m.column++)
            if (src[i] == '\n')
                m.line++, m.column = (size_t)-1;
    }
    fprintf(c->diag, "%s:%d:%d: %s", c->name, (int)m.line + 1, (int)m.column + 1,
            ps->problem ? ps->problem : "syntax error");
    if (ps->context)
        fprintf(c->diag, " (%s started at %d:%d)", ps->context, (int)ps->context_mark.line + 1,
                (int)ps->context_mark.column + 1);
    fputc('\n', c->diag);
}

int scenario_parse(const char *name, const char *src, size_t len, const struct scenario_opts *o,
                   struct plan *out, FILE *diag)
{
    struct scenario_opts none = {0};
    struct ctx c = {.name = name, .diag = diag ? diag : stderr, .p = out};
    if (!o)
        o = &none;
    out->script = xstrdup(name);
    out->model = MODEL_OPEN;
    out->timeout_us = 10 * 1000000LL;
    if (o->environment)
        out->environment = xstrdup(o->environment);

    yaml_parser_t ps;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&ps)) {
        fprintf(c.diag, "%s: out of memory\n", name);
        plan_free(out);
        return -1;
    }
    yaml_parser_set_input_string(&ps, (const unsigned char *)src, len);
    if (yaml_parser_load(&ps, &doc)) {
        c.doc = &doc;
        load_script(&c, o);
        yaml_document_delete(&doc);
    } else {
        syntax_error(&c, &ps, src, len);
        c.errors++;
    }
    yaml_parser_delete(&ps);
    if (c.errors) {
        plan_free(out);
        return -1;
    }
    return 0;
}

int scenario_load(const char *path, const struct scenario_opts *o, struct plan *out, FILE *diag)
{
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    int bad = 0, e = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        bad = 1, e = errno;
    } else {
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(&b, chunk, n);
        bad = ferror(f), e = errno;
        fclose(f);
    }
    if (bad) {
        fprintf(diag ? diag : stderr, "%s: cannot read: %s\n", path, strerror(e));
        buf_free(&b);
        plan_free(out);
        return -1;
    }
    int r = scenario_parse(path, b.data ? b.data : "", b.len, o, out, diag);
    buf_free(&b);
    return r;
}
