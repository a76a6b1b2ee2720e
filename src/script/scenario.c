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
 *  - config.variables keep their YAML types; a list is kept whole and the
 *    engine picks one element per virtual user, as Artillery does.
 *  - json: plain scalars that read as null/true/false/integers/decimals
 *    become those JSON types; quoted scalars stay strings.
 *  - endpoint key: the request's `name`, else "METHOD url" with the url as
 *    written (templates intact), cut at its query string.
 *  - a loop needs a `count` or `over` (Artillery loops forever without).
 *  - JavaScript (processor, function steps, hooks) refuses the script;
 *    --ignore-js skips it the way Artillery treats a missing function:
 *    function steps and before/afterScenario count errors.`Undefined
 *    function "name"` and the VU goes on; request hooks are dropped. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <regex.h>
#include <yaml.h>

#include "checks.h"
#include "cond.h"
#include "csv.h"
#include "expect.h"
#include "jsonpath.h"
#include "template.h"
#include "url.h"
#include "util.h"

extern char **environ;

/* The script's shape, checked on libyaml's events before the document is
 * built (scenario.h lists the limits): nesting, size, and what aliases
 * expand to, which the walks below would otherwise pay for. */
#define MAX_FILE (10 << 20)
#define MAX_SCALAR (1 << 20)
#define MAX_DEPTH 64
#define MAX_NODES 1000000L /* counted with every alias expanded */
#define MAX_ANCHORS 1000   /* libyaml looks aliases up in a list */
#define MAX_ALIASES 10000
/* The walks' own bound, should an alias bomb get past the event pass. */
#define MAX_WORK 2000000L
/* Distinct errors (and warnings) printed before "N more errors". */
#define MAX_MESSAGES 20

struct ctx {
    const char *name;
    FILE *diag;
    yaml_document_t *doc;
    struct plan *p;
    const struct scenario_opts *o;
    int errors;
    long work;
    int hook;                /* loading before/after: requests get no endpoint row */
    int strict_capture;      /* defaults.strictCapture: 0 = false, else true */
    int saw_tpl;             /* to_json met a template */
    int last_line, last_col; /* where the last message pointed */
    json_t *said;            /* "LINE:COL:message" of every message printed or held back */
    int shown[2], held[2];   /* warnings [0] and errors [1] printed, and held back */
    int nsteps;              /* steps in the whole script so far */
    int target_tpl;          /* config.target was a template (its columns moved) */
    char clips[8][72];       /* Q()'s buffers, used in turn */
    int nclip;
};

/* `s` for a message: short, one line (str_clip); valid until 8 more calls. */
static const char *Q(struct ctx *c, const char *s)
{
    char *b = c->clips[c->nclip++ % 8];
    return str_clip(b, sizeof c->clips[0], s);
}

/* Known keys of one kind of mapping, as space-separated lists: handled,
 * Artillery's but ignored here (warning), refused, and JavaScript hooks. */
struct keys {
    const char *ok, *warn, *fail, *js;
};

/* Print one message, unless it was said before: at the same place as the
 * last one (a value that failed once, such as a template that renders
 * undefined, is not reported again by the checks after), or the same text
 * at the same place (an anchored node met again through its aliases).
 * After MAX_MESSAGES of a kind the rest are only counted. */
static void report_at(struct ctx *c, int line, int col, int is_error, const char *fmt, va_list ap)
{
    if (line == c->last_line && col == c->last_col)
        return;
    c->last_line = line;
    c->last_col = col;
    char *msg = NULL, *key, line_text[320];
    if (vasprintf(&msg, fmt, ap) < 0)
        return;
    key = xasprintf("%d:%d:%d:%s", line, col, is_error, msg);
    if (!c->said)
        c->said = json_object();
    int seen = json_object_get(c->said, key) != NULL;
    if (!seen) /* nocheck: a message need not be valid UTF-8 to be a key here */
        json_object_set_new_nocheck(c->said, key, json_true());
    free(key);
    if (!seen && c->shown[is_error] < MAX_MESSAGES) {
        c->shown[is_error]++;
        /* a net under every message: one line, never a huge value */
        fprintf(c->diag, "%s:%d:%d: %s%s\n", c->name, line, col,
                is_error ? "" : "warning: ", str_clip(line_text, sizeof line_text, msg));
    } else if (!seen) {
        c->held[is_error]++;
    }
    free(msg);
}

/* "N more errors" after the MAX_MESSAGES printed, and the same for warnings. */
static void report_held(struct ctx *c)
{
    for (int e = 1; e >= 0; e--)
        if (c->held[e])
            fprintf(c->diag, "%s: %d more %s%s not shown\n", c->name, c->held[e],
                    e ? "error" : "warning", c->held[e] == 1 ? "" : "s");
    json_decref(c->said);
    c->said = NULL;
}

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 1;
}

static int col_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.column + 1 : 1;
}

__attribute__((format(printf, 3, 4))) static void err(struct ctx *c, const yaml_node_t *n,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(c, line_of(n), col_of(n), 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* Column of a scalar's first character, inside its opening quote. */
static int text_col(const yaml_node_t *n)
{
    int quoted = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                 n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return (int)n->start_mark.column + 1 + quoted;
}

/* An error at column `col` (1-based) of a scalar's text (exact unless the
 * text has escapes or spans lines). */
__attribute__((format(printf, 4, 5))) static void err_in(struct ctx *c, const yaml_node_t *n,
                                                         int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(c, line_of(n), text_col(n) + col - 1, 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

__attribute__((format(printf, 3, 4))) static void warn(struct ctx *c, const yaml_node_t *n,
                                                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(c, line_of(n), col_of(n), 0, fmt, ap);
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
    char t[64];
    snprintf(b, size, "`%s`", str_clip(t, sizeof t, text(n)));
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
            err(c, key, "duplicate key `%s` in %s", Q(c, t), where);
        else if (!k || word_in(k->ok, t))
            continue;
        else if (word_in(k->warn, t))
            warn(c, key, "`%s` in %s is not supported yet, ignored", t, where);
        else if (word_in(k->fail, t))
            err(c, key, "`%s` in %s is not supported yet", t, where);
        else if (word_in(k->js, t) && c->o->ignore_js)
            warn(c, key, "`%s` runs JavaScript: ignored (--ignore-js)", t);
        else if (word_in(k->js, t))
            err(c, key, "`%s` runs JavaScript, which loadtop cannot run (--ignore-js skips it)", t);
        else
            warn(c, key, "unknown key `%s` in %s", Q(c, t), where);
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

/* A finite number in [0, max] (YAML's .nan and .inf are not numbers
 * here); `unit` follows the limit in the message (" a second"). */
static int number_max(struct ctx *c, const yaml_node_t *n, const char *key, double max,
                      const char *unit, double *out)
{
    int is_int, num = is_scalar(n) && decimal(text(n), &is_int);
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

static int number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
    return number_max(c, n, key, DBL_MAX, NULL, out);
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
    int r = is_scalar(n) ? parse_duration_max(text(n), PLAN_MAX_DURATION_US, out) : -1;
    if (r == -2) {
        err(c, n, "%s is too long (at most 8760h, a year)", key);
        return -1;
    }
    if (r < 0) {
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

static int boolean(struct ctx *c, const yaml_node_t *n, const char *key, int *out)
{
    if (is_scalar(n) && (!strcmp(text(n), "true") || !strcmp(text(n), "false"))) {
        *out = !strcmp(text(n), "true");
        return 0;
    }
    err(c, n, "%s must be true or false", key);
    return -1;
}

/* jitter: "10%" (up to 100) or milliseconds (up to a year). */
static int jitter_ok(struct ctx *c, const yaml_node_t *v)
{
    const char *t = is_scalar(v) ? text(v) : "";
    size_t digits = strspn(t, "0123456789.");
    int is_int, pct = t[digits] == '%';
    char *num = xstrndup(t, digits);
    double x = decimal(num, &is_int) ? strtod(num, NULL) : NAN;
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

/* Check the templates in scalar `n`: 1 when it has some, 0 when none, -1
 * after an error pointing into the text. */
static int templated(struct ctx *c, const yaml_node_t *n)
{
    char msg[200];
    int col;
    if (!is_scalar(n) || !tpl_has(text(n)))
        return 0;
    if (tpl_check(text(n), msg, sizeof msg, &col) == 0)
        return 1;
    err_in(c, n, col, "bad template: %s", msg);
    return -1;
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

/* headers (or cookies: `what`): names are tokens, values one line of
 * text, so that nothing can be smuggled into the request. */
static void load_headers(struct ctx *c, const yaml_node_t *n, struct header **h, int *nh,
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
    check_keys(c, n, NULL, what);
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
        else if (templated(c, v) >= 0)
            header_set(h, nh, text(k), text(v));
    }
}

static json_t *to_json(struct ctx *c, const yaml_node_t *n, int depth);

/* config.variables: YAML values as JSON; a list stays a list (one element
 * per VU). */
static void load_variables(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "variables must be a mapping");
        return;
    }
    check_keys(c, n, NULL, "variables");
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
        json_t *j = to_json(c, v, 1);
        c->saw_tpl = 0;
        if (j)
            json_object_set_new(c->p->variables, text(k), j);
    }
}

/* -v '{"k": ...}': adds to and overrides config.variables. */
static void load_cli_variables(struct ctx *c, const char *json_text)
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

/* ---- config ---- */

static const struct keys config_keys = {
    .ok = "target phases http defaults variables environments tls ensure plugins payload",
    .warn = "engines includeFiles statsInterval socketio ws",
    .js = "processor",
};
static const struct keys http_keys = {
    .ok = "timeout pool defaults",
    .warn = "maxSockets extendedMetrics",
};
static const struct keys defaults_keys = {
    .ok = "headers think cookie strictCapture",
};
static const struct keys think_keys = {
    .ok = "jitter",
};
static const struct keys payload_keys = {
    .ok = "path fields order skipHeader delimiter cast skipEmptyLines loadAll name",
};
static const struct keys expect_plugin_keys = {
    .ok = "reportFailuresAsErrors outputFormat formatter useOnlyRequestNames expectDefault200",
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
    const yaml_node_t *v = get(c, n, "headers");
    if (v)
        load_headers(c, v, &c->p->default_headers, &c->p->ndefault_headers, "headers");
    if ((v = get(c, n, "cookie"))) {
        if (!is_map(v))
            err(c, v, "cookie must be a mapping of names to values");
        else
            load_headers(c, v, &c->p->default_cookies, &c->p->ndefault_cookies, "cookies");
    }
    if ((v = get(c, n, "strictCapture")))
        boolean(c, v, "strictCapture", &c->strict_capture);
    if ((v = get(c, n, "think"))) {
        const yaml_node_t *j = is_map(v) ? get(c, v, "jitter") : NULL;
        if (!is_map(v)) {
            err(c, v, "think must be a mapping like `{jitter: \"10%%\"}`");
        } else {
            check_keys(c, v, &think_keys, "think");
            if (j && string(c, j, "jitter") && jitter_ok(c, j)) {
                free(c->p->think_jitter);
                c->p->think_jitter = xstrdup(text(j));
            }
        }
    }
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
    if ((v = get(c, n, "pool")) && !integer(c, v, "pool", 1, PLAN_MAX_CONNECTIONS, &pool))
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
    if ((v = get(c, n, "maxVusers")) && !integer(c, v, "maxVusers", 1, INT_MAX, &m))
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
        if (integer(c, count, "arrivalCount", 1, INT64_MAX, &m))
            return;
        /* the schedule spaces arrivals duration/count µs apart: at least one tick */
        if (ph->duration_us > 0 && m > ph->duration_us)
            err(c, count,
                "arrivalCount %lld over %.15gs is more than %.0f arrivals a second (the limit)", m,
                ph->duration_us / 1e6, PLAN_MAX_RATE);
        else
            ph->count = m;
        return;
    }
    number_max(c, rate, "arrivalRate", PLAN_MAX_RATE, " a second", &ph->rate);
    if (to) {
        ph->kind = PHASE_RAMP;
        number_max(c, to, "rampTo", PLAN_MAX_RATE, " a second", &ph->rate_to);
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
    if (nitems(v) > PLAN_MAX_PHASES) {
        err(c, item_at(c, v, PLAN_MAX_PHASES), "more than %d phases (the limit)", PLAN_MAX_PHASES);
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

static const struct keys ensure_keys = {
    .ok = "thresholds conditions p95 p99 max median min maxErrorRate",
};

static void add_check(struct ctx *c, struct check_spec *spec)
{
    struct plan *p = c->p;
    p->ensure = xrealloc(p->ensure, sizeof *p->ensure * (size_t)(p->nensure + 1));
    p->ensure[p->nensure++] = *spec;
}

/* config.ensure / config.plugins.ensure (Artillery's ensure plugin). */
static void load_ensure(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "ensure must be a mapping");
        return;
    }
    check_keys(c, n, &ensure_keys, "ensure");
    struct check_spec spec;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        const yaml_node_t *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        const char *key = text(k);
        double num;
        if (!strcmp(key, "thresholds") || !strcmp(key, "conditions")) {
            if (!is_seq(v)) {
                err(c, v, "ensure.%s must be a list", key);
                continue;
            }
            for (int j = 0; j < nitems(v); j++) {
                const yaml_node_t *it = item_at(c, v, j);
                if (!is_map(it) || (key[0] == 't' && npairs(it) != 1)) {
                    err(c, it,
                        key[0] == 't' ? "a threshold is one `metric: value` pair"
                                      : "a condition is a mapping with `expression`");
                    continue;
                }
                if (key[0] == 't') {
                    const yaml_node_t *mk = node_at(c, pair_at(it, 0).key);
                    const yaml_node_t *mv = node_at(c, pair_at(it, 0).value);
                    if (is_scalar(mk) && !number(c, mv, text(mk), &num)) {
                        check_spec_threshold(&spec, text(mk), num, (int)mk->start_mark.line + 1,
                                             text_col(mk));
                        add_check(c, &spec);
                    }
                    continue;
                }
                const yaml_node_t *ex = get(c, it, "expression"), *st = get(c, it, "strict");
                const char *e = ex ? string(c, ex, "expression") : NULL;
                if (!ex)
                    err(c, it, "a condition needs an `expression`");
                int strict = 1;
                if (st) {
                    if (is_scalar(st) && (!strcmp(text(st), "true") || !strcmp(text(st), "false")))
                        strict = !strcmp(text(st), "true");
                    else
                        err(c, st, "strict must be true or false");
                }
                if (e) {
                    check_spec_condition(&spec, e, strict, (int)ex->start_mark.line + 1,
                                         text_col(ex));
                    add_check(c, &spec);
                }
            }
        } else if (!strcmp(key, "maxErrorRate") ? !number_max(c, v, key, 100, "%", &num)
                                                : !number(c, v, key, &num)) {
            if (check_spec_shorthand(&spec, key, num, (int)k->start_mark.line + 1, text_col(k)) ==
                0)
                add_check(c, &spec);
        }
    }
}

static void load_plugins(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "plugins must be a mapping");
        return;
    }
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            continue;
        const yaml_node_t *v = node_at(c, pair_at(n, i).value);
        if (!strcmp(text(k), "ensure")) {
            load_ensure(c, v);
        } else if (!strcmp(text(k), "expect")) {
            c->p->expect = 1;
            const yaml_node_t *e = is_map(v) ? get(c, v, "reportFailuresAsErrors") : NULL;
            if (is_map(v))
                check_keys(c, v, &expect_plugin_keys, "plugins.expect");
            else if (!is_scalar(v) || v->data.scalar.length)
                err(c, v, "plugins.expect must be a mapping (`{}` for the defaults)");
            if (e)
                boolean(c, e, "reportFailuresAsErrors", &c->p->expect_errors);
        } else {
            warn(c, k, "plugin `%s` is not supported, ignored", Q(c, text(k)));
        }
    }
}

/* A payload path is relative to the script's directory. */
static char *payload_path(struct ctx *c, const char *path)
{
    const char *slash = strrchr(c->name, '/');
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    return xasprintf("%.*s/%s", (int)(slash - c->name), c->name, path);
}

static void load_payload(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "a payload must be a mapping with a `path`");
        return;
    }
    check_keys(c, n, &payload_keys, "payload");
    struct plan *p = c->p;
    p->payloads = xrealloc(p->payloads, sizeof *p->payloads * (size_t)(p->npayloads + 1));
    struct payload *pl = &p->payloads[p->npayloads++];
    memset(pl, 0, sizeof *pl);
    struct csv_opts co = {.delimiter = ',', .skip_empty_lines = 1, .cast = 1};
    const yaml_node_t *v, *path = get(c, n, "path");
    int load_all = 0;
    if ((v = get(c, n, "fields"))) {
        if (!is_seq(v)) {
            err(c, v, "fields must be a list of names");
        } else {
            pl->fields = xcalloc((size_t)nitems(v), sizeof *pl->fields);
            for (int i = 0; i < nitems(v); i++)
                if (string(c, item_at(c, v, i), "a field"))
                    pl->fields[pl->nfields++] = xstrdup(text(item_at(c, v, i)));
        }
    }
    if ((v = get(c, n, "order"))) {
        if (is_scalar(v) && (!strcmp(text(v), "sequence") || !strcmp(text(v), "random")))
            pl->sequence = !strcmp(text(v), "sequence");
        else
            err(c, v, "order must be `random` or `sequence`");
    }
    if ((v = get(c, n, "skipHeader")))
        boolean(c, v, "skipHeader", &co.skip_header);
    if ((v = get(c, n, "cast")))
        boolean(c, v, "cast", &co.cast);
    if ((v = get(c, n, "skipEmptyLines")))
        boolean(c, v, "skipEmptyLines", &co.skip_empty_lines);
    if ((v = get(c, n, "delimiter"))) {
        if (is_scalar(v) && strlen(text(v)) == 1 && !strchr("\"\r\n", text(v)[0]))
            co.delimiter = text(v)[0];
        else
            err(c, v, "delimiter must be one character");
    }
    if ((v = get(c, n, "loadAll")))
        boolean(c, v, "loadAll", &load_all);
    if ((v = get(c, n, "name")) && string(c, v, "name"))
        pl->name = xstrdup(text(v));
    if (load_all && !pl->name)
        err(c, n, "loadAll needs a `name` for the variable that holds the rows");
    if (!load_all && pl->name) {
        free(pl->name);
        pl->name = NULL;
    }
    if (!load_all && !pl->nfields)
        warn(c, n, "payload has no `fields`: its columns are not used");
    if (!path) {
        err(c, n, "payload has no `path`");
        return;
    }
    if (!string(c, path, "path"))
        return;
    pl->path = xstrdup(text(path));
    char *file = payload_path(c, pl->path), msg[512];
    struct csv csv;
    if (csv_load(file, &co, &csv, msg, sizeof msg) < 0)
        err(c, path, "payload %s", msg);
    else
        pl->rows = csv.rows;
    free(file);
}

static int too_much(struct ctx *c, const yaml_node_t *n, int depth);

/* config strings that are read at load (not per VU) are rendered once,
 * with $env / $processEnvironment and $environment only. */
static void render_config(struct ctx *c, yaml_node_t *n, int depth, const struct tpl_ctx *t)
{
    if (too_much(c, n, depth))
        return;
    if (is_scalar(n)) {
        if (templated(c, n) <= 0)
            return;
        int too_big = 0;
        json_t *v = tpl_render_checked(text(n), t, &too_big);
        if (too_big) {
            err(c, n, "renders to more than 1 MiB (the limit for a template)");
            json_decref(v);
            return;
        }
        if (!v) {
            err(c, n,
                "`%s` is undefined here (config is rendered once, with $env and "
                "$environment)",
                Q(c, text(n)));
            return;
        }
        char *r = tpl_stringify(v);
        json_decref(v);
        free(n->data.scalar.value); /* libyaml's allocator is malloc */
        n->data.scalar.value = (yaml_char_t *)r;
        n->data.scalar.length = strlen(r);
        return;
    }
    if (is_seq(n)) {
        for (int i = 0; i < nitems(n); i++)
            render_config(c, item_at(c, n, i), depth + 1, t);
        return;
    }
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        /* headers, cookies and think are per request, with the VU's variables */
        if (is_scalar(k) && !strcmp(text(k), "defaults"))
            continue;
        render_config(c, node_at(c, pair_at(n, i).value), depth + 1, t);
    }
}

static void render_config_keys(struct ctx *c, const yaml_node_t *cfg)
{
    json_t *vars = json_object();
    if (c->p->environment)
        json_object_set_new(vars, "$environment", json_string(c->p->environment));
    struct tpl_ctx t = {vars, c->o->env ? c->o->env : (const char *const *)environ, NULL, NULL};
    static const char *const keys[] = {"target", "phases", "http", "tls", "payload"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int id = find_id(c, node_id(c, cfg), keys[i]);
        if (id && i == 0)
            c->target_tpl = is_scalar(node_at(c, id)) && tpl_has(text(node_at(c, id)));
        if (id)
            render_config(c, node_at(c, id), 0, &t);
    }
    json_decref(vars);
}

static void load_config(struct ctx *c, const yaml_node_t *cfg, const struct scenario_opts *o)
{
    struct plan *p = c->p;
    check_keys(c, cfg, &config_keys, "config");
    render_config_keys(c, cfg);
    const yaml_node_t *v = get(c, cfg, "target");
    const char *t = v ? string(c, v, "target") : NULL;
    char why[128];
    int at;
    if (t && !is_http(t))
        err(c, v, "target must start with http:// or https://, not `%s`", Q(c, t));
    else if (t && url_check(t, &at, why, sizeof why) < 0 && (at < 0 || c->target_tpl))
        err(c, v, "target %s", why); /* rendered: its columns are not the script's */
    else if (t && url_check(t, &at, why, sizeof why) < 0)
        err_in(c, v, at + 1, "target %s", why);
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
    if (o->variables)
        load_cli_variables(c, o->variables);
    if ((v = get(c, cfg, "payload"))) {
        if (is_seq(v) && nitems(v) > PLAN_MAX_PAYLOADS)
            err(c, item_at(c, v, PLAN_MAX_PAYLOADS), "more than %d payload files (the limit)",
                PLAN_MAX_PAYLOADS);
        else if (is_seq(v))
            for (int i = 0; i < nitems(v); i++)
                load_payload(c, item_at(c, v, i));
        else
            load_payload(c, v);
    }
    if ((v = get(c, cfg, "ensure")))
        load_ensure(c, v);
    if ((v = get(c, cfg, "plugins")))
        load_plugins(c, v);
    if (p->nensure)
        c->errors += checks_validate(p->ensure, p->nensure, c->name, c->diag);
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
            Q(c, name));
        return 0;
    }
    if (!is_map(envs)) {
        err(c, envs, "environments must be a mapping");
        return 0;
    }
    const yaml_node_t *env = get(c, envs, name);
    if (!env) {
        struct buf b = {0};
        int more = 0;
        for (int i = 0; i < npairs(envs); i++) {
            const yaml_node_t *k = node_at(c, pair_at(envs, i).key);
            if (is_scalar(k) && b.len < 200) /* a few names, not a thousand */
                buf_printf(&b, "%s`%s`", b.len ? ", " : "", Q(c, text(k)));
            else if (is_scalar(k))
                more = 1;
        }
        if (more)
            buf_puts(&b, ", ...");
        err(c, envs, "environment `%s` is not in config.environments (it has %s)", Q(c, name),
            b.len ? b.data : "none");
        buf_free(&b);
        return 0;
    }
    if (!is_map(env)) {
        err(c, env, "environment `%s` must be a mapping", Q(c, name));
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
    if (is_scalar(n)) {
        if (c->saw_tpl >= 0 && templated(c, n) > 0)
            c->saw_tpl = 1;
        return json_scalar(n);
    }
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
        if (c->saw_tpl >= 0 && templated(c, k) > 0)
            c->saw_tpl = 1;
        json_t *v = to_json(c, node_at(c, pair_at(n, i).value), depth + 1);
        if (!v || json_object_setn_new(j, text(k), k->data.scalar.length, v) < 0)
            goto fail;
    }
    return j;
fail:
    json_decref(j);
    return NULL;
}

/* qs or form fields: name -> scalar or list of scalars, as pairs. Returns
 * 1 when a name or value holds a template. */
static int load_fields(struct ctx *c, const yaml_node_t *n, const char *what, struct header **h,
                       int *nh)
{
    if (!is_map(n)) {
        err(c, n, "%s must be a mapping", what);
        return 0;
    }
    check_keys(c, n, NULL, what);
    int tpl = 0;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key), *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        tpl |= templated(c, k) > 0;
        int nv = is_seq(v) ? nitems(v) : 1;
        for (int j = 0; j < nv; j++) {
            const yaml_node_t *x = is_seq(v) ? item_at(c, v, j) : v;
            if (!is_scalar(x)) {
                err(c, x, "%s value for `%s` must be a string, a number or a list of them", what,
                    Q(c, text(k)));
                break;
            }
            tpl |= templated(c, x) > 0;
            pair_add(h, nh, text(k), text(x));
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
    check_keys(c, n, &capture_keys, "capture");
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
    if (!string(c, expr, kinds[kind]) || !string(c, as, "as"))
        return;
    struct capture cap = {.kind = kind, .strict = c->strict_capture, .group = 0};
    cap.line = line_of(n);
    cap.col = col_of(n);
    int tpl = templated(c, expr);
    if (tpl < 0)
        return;
    char msg[200];
    if (!tpl && kind == CAPTURE_JSON && jsonpath_check(text(expr), msg, sizeof msg) < 0) {
        err(c, expr, "bad JSONPath `%s`: %s", Q(c, text(expr)), msg);
        return;
    }
    if ((v = get(c, n, "strict")))
        boolean(c, v, "strict", &cap.strict);
    if ((v = get(c, n, "flags")) && string(c, v, "flags")) {
        cap.icase = strchr(text(v), 'i') != NULL;
        if (text(v)[strspn(text(v), "gimsuy")])
            err(c, v, "unknown regexp flag in `%s`", Q(c, text(v)));
    }
    if ((v = get(c, n, "group"))) {
        long long g;
        if (is_scalar(v) && !decimal(text(v), &(int){0}))
            err(c, v, "group must be a number: POSIX regular expressions have no named groups");
        else if (!integer(c, v, "group", 0, 9, &g))
            cap.group = (int)g;
    }
    if (!tpl && kind == CAPTURE_REGEXP) {
        regex_t re;
        int rc = regcomp(&re, text(expr), REG_EXTENDED | (cap.icase ? REG_ICASE : 0));
        if (rc) {
            regerror(rc, &re, msg, sizeof msg);
            err(c, expr, "bad regexp `%s`: %s (POSIX extended syntax)", Q(c, text(expr)), msg);
            return;
        }
        if (re.re_nsub < (size_t)cap.group)
            err(c, get(c, n, "group"), "group %d: the regexp has only %zu", cap.group, re.re_nsub);
        regfree(&re);
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
    json_t *arg = to_json(c, v, 1);
    if (!arg || c->errors != before) {
        json_decref(arg);
        return;
    }
    char msg[200];
    struct exp_check ch = {text(k), arg};
    if (expect_validate(&ch, msg, sizeof msg) < 0) {
        err(c, expect_known(text(k)) ? v : k, "%s", msg);
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
            load_headers(c, v, &s->cookies, &s->ncookies, "cookies");
    }
    if ((v = get(c, n, "auth"))) {
        const yaml_node_t *u = is_map(v) ? get(c, v, "user") : NULL;
        const yaml_node_t *pw = is_map(v) ? get(c, v, "pass") : NULL;
        if (!is_map(v) || !u || !pw) {
            err(c, v, "auth must be a mapping with `user` and `pass`");
        } else {
            check_keys(c, v, &auth_keys, "auth");
            if (string(c, u, "user") && string(c, pw, "pass") && templated(c, u) >= 0 &&
                templated(c, pw) >= 0) {
                s->auth_user = xstrdup(text(u));
                s->auth_pass = xstrdup(text(pw));
            }
        }
    }
    int b;
    if ((v = get(c, n, "followRedirect")) && !boolean(c, v, "followRedirect", &b))
        s->no_redirect = !b;
    if ((v = get(c, n, "gzip")) && !boolean(c, v, "gzip", &b))
        s->gzip = b;
    if ((v = get(c, n, "probability")) &&
        !number_max(c, v, "probability", 100, "%", &s->probability))
        s->has_probability = 1;
    if ((v = get(c, n, "ifTrue")) && string(c, v, "ifTrue")) {
        int col;
        char *msg;
        if (!(s->if_true = cond_parse(text(v), &col, &msg))) {
            err_in(c, v, col, "ifTrue: %s", msg);
            free(msg);
        }
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
    check_keys(c, n, &request_keys, "request");
    const yaml_node_t *u = get(c, n, "url"), *v;
    if (!u) {
        err(c, n, "`%s` has no `url`", verb);
        return;
    }
    const char *url = string(c, u, "url");
    if (!url || templated(c, u) < 0 || url_text(c, u) < 0)
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

    const char *name = (v = get(c, n, "name")) ? string(c, v, "name") : NULL;
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
        load_headers(c, v, &s->headers, &s->nheaders, "headers");
    const yaml_node_t *json = get(c, n, "json"), *body = get(c, n, "body");
    const yaml_node_t *form = get(c, n, "form");
    if (!!json + !!body + !!form > 1) {
        err(c, n, "a request takes one of `json`, `body` and `form`");
    } else if (json) {
        int before = c->errors;
        c->saw_tpl = 0;
        json_t *j = to_json(c, json, 0);
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
    } else if (body && string(c, body, "body") && templated(c, body) >= 0) {
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

/* ---- flows ---- */

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

static void load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n,
                      int depth);

static void load_jitter(struct ctx *c, const yaml_node_t *v, struct step *s)
{
    if (jitter_ok(c, v))
        s->jitter = xstrdup(text(v));
}

static void load_think(struct ctx *c, const yaml_node_t *n, const yaml_node_t *v, struct step *s)
{
    s->kind = STEP_THINK;
    int tpl = templated(c, v);
    if (tpl > 0)
        s->think_tpl = xstrdup(text(v));
    else if (!tpl)
        duration(c, v, "think", &s->think_us);
    if ((v = get(c, n, "jitter")))
        load_jitter(c, v, s);
}

/* count: N, "A-B" (from A while below B, as Artillery), or a template. */
static void load_count(struct ctx *c, const yaml_node_t *v, struct step *s)
{
    long long a, b;
    int tpl = templated(c, v);
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
    } else if (!integer(c, v, "count", 1, INT64_MAX, &a)) {
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
        s->over = to_json(c, over, 1);
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
        xstrdup((v = get(c, n, "loopValue")) && string(c, v, "loopValue") ? text(v) : "$loopCount");
    s->loop_element = xstrdup(
        (v = get(c, n, "loopElement")) && string(c, v, "loopElement") ? text(v) : "$loopElement");
    if (depth >= PLAN_MAX_LOOP_DEPTH && is_seq(body) && nitems(body))
        err(c, n, "loops nested more than %d deep (the limit)", PLAN_MAX_LOOP_DEPTH);
    else if (!is_seq(body))
        err(c, body, "loop must be a list of steps");
    else if (!nitems(body))
        err(c, body, "loop is empty");
    else
        load_flow(c, body, &s->steps, &s->nsteps, depth + 1);
}

/* A JavaScript function step under --ignore-js (else an error). Returns 1
 * when it adds nothing to the flow. */
static int load_function(struct ctx *c, const yaml_node_t *at, const yaml_node_t *v, struct step *s)
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
    check_keys(c, n,
               is_loop               ? &loop_keys
               : !strcmp(a, "think") ? &think_step_keys
                                     : &step_keys,
               "step");
    s->line = line_of(n);
    s->col = col_of(n);
    if (!strcmp(a, "function"))
        return load_function(c, akey, aval, s);
    if (!strcmp(a, "log")) {
        if (!string(c, aval, "log") || templated(c, aval) < 0)
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

static void load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n, int depth)
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

/* ---- scenarios ---- */

static const struct keys scenario_keys = {
    .ok = "name weight flow engine",
    .js = "beforeScenario afterScenario beforeRequest afterResponse",
};

/* beforeScenario / afterScenario under --ignore-js: function steps at the
 * start / end of the flow, as Artillery makes them. */
static void add_scenario_hooks(struct ctx *c, const yaml_node_t *n, struct scenario *sc)
{
    for (int end = 0; end < 2 && c->o->ignore_js; end++) {
        const yaml_node_t *h = get(c, n, end ? "afterScenario" : "beforeScenario");
        if (!h)
            continue;
        int nh = is_seq(h) ? nitems(h) : 1;
        sc->steps = xrealloc(sc->steps, sizeof *sc->steps * (size_t)(sc->nsteps + nh));
        if (!end)
            memmove(sc->steps + nh, sc->steps, sizeof *sc->steps * (size_t)sc->nsteps);
        for (int i = 0; i < nh; i++) {
            struct step *s = &sc->steps[end ? sc->nsteps + i : i];
            memset(s, 0, sizeof *s);
            load_function(c, h, is_seq(h) ? item_at(c, h, i) : h, s);
        }
        sc->nsteps += nh;
    }
}

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
    add_scenario_hooks(c, n, sc);
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
    if (nitems(v) > PLAN_MAX_SCENARIOS) {
        err(c, item_at(c, v, PLAN_MAX_SCENARIOS), "more than %d scenarios (the limit)",
            PLAN_MAX_SCENARIOS);
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

static const struct keys hook_keys = {
    .ok = "flow name engine",
};

/* before / after: a flow run once; its requests have no endpoint row. */
static struct scenario *load_hook(struct ctx *c, const yaml_node_t *n, const char *name)
{
    if (!is_map(n)) {
        err(c, n, "%s must be a mapping with a `flow`", name);
        return NULL;
    }
    check_keys(c, n, &hook_keys, name);
    const yaml_node_t *v = get(c, n, "flow");
    struct scenario *sc = xcalloc(1, sizeof *sc);
    sc->name = xstrdup(name);
    c->hook = 1;
    if (!v)
        err(c, n, "%s has no `flow`", name);
    else if (!is_seq(v))
        err(c, v, "flow must be a list");
    else
        load_flow(c, v, &sc->steps, &sc->nsteps, 0);
    c->hook = 0;
    return sc;
}

/* ---- entry points ---- */

static const struct keys top_keys = {
    .ok = "config scenarios before after",
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
    const yaml_node_t *v;
    if ((v = get(c, node_at(c, root_id), "before")))
        c->p->before = load_hook(c, v, "before");
    if ((v = get(c, node_at(c, root_id), "after")))
        c->p->after = load_hook(c, v, "after");
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

__attribute__((format(printf, 3, 4))) static void err_mark(struct ctx *c, yaml_mark_t m,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_at(c, (int)m.line + 1, (int)m.column + 1, 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* The event pass: one document, nesting, scalar sizes, anchors and
 * aliases, and the number of values with every alias expanded (each
 * anchored node's expanded size is known when it closes). Stops at the
 * first violation, before libyaml has read further: 100 000 `[` take it
 * 64 events. Returns 0, or -1 after one message. */
static int check_shape(struct ctx *c, const char *src, size_t len)
{
    yaml_parser_t ps;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&ps)) {
        fprintf(c->diag, "%s: out of memory\n", c->name);
        c->errors++;
        return -1;
    }
    yaml_parser_set_input_string(&ps, (const unsigned char *)src, len);
    json_t *sizes = json_object(); /* anchor -> expanded size of its (closed) node */
    long count[MAX_DEPTH + 1], total = 0;
    char *open[MAX_DEPTH + 1]; /* the anchor of each open collection, or NULL */
    int depth = 0, docs = 0, naliases = 0, nanchors = 0, rc = 0, done = 0;
    while (!done && !rc) {
        if (!yaml_parser_parse(&ps, &ev)) {
            syntax_error(c, &ps, src, len);
            c->errors++;
            rc = -1;
            break;
        }
        const char *anchor = NULL;
        long add = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                err_mark(c, ev.start_mark, "a second YAML document: a script is one document");
                rc = -1;
            }
            break;
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            const json_t *n = json_object_get(sizes, name);
            for (int i = 1; i <= depth && !rc; i++)
                if (open[i] && !strcmp(open[i], name)) {
                    err_mark(c, ev.start_mark,
                             "alias `*%s` is inside the node it names: it would repeat forever",
                             Q(c, name));
                    rc = -1;
                }
            if (!rc && ++naliases > MAX_ALIASES) {
                err_mark(c, ev.start_mark, "more than %d aliases (the limit)", MAX_ALIASES);
                rc = -1;
            }
            add = n ? (long)json_integer_value(n) : 1; /* undefined: the loader says so */
            break;
        }
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.length > MAX_SCALAR) {
                err_mark(c, ev.start_mark, "a value longer than 1 MiB (the limit)");
                rc = -1;
            } else if (memchr(ev.data.scalar.value, 0, ev.data.scalar.length)) {
                /* ("\0" in quotes): every C string would end there, silently */
                err_mark(c, ev.start_mark, "a value cannot hold a NUL byte");
                rc = -1;
            }
            anchor = (const char *)ev.data.scalar.anchor;
            add = 1;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == MAX_DEPTH) {
                err_mark(c, ev.start_mark, "nested more than %d levels deep (the limit)",
                         MAX_DEPTH);
                rc = -1;
                break;
            }
            anchor =
                (const char *)(ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                    : ev.data.mapping_start.anchor);
            depth++;
            count[depth] = 1;
            open[depth] = anchor ? xstrdup(anchor) : NULL;
            total++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (open[depth])
                json_object_set_new(sizes, open[depth], json_integer(count[depth]));
            free(open[depth]);
            depth--;
            if (depth > 0)
                count[depth] += count[depth + 1];
            break;
        default:
            break;
        }
        if (add) {
            total += add;
            if (depth > 0)
                count[depth] += add;
            if (anchor)
                json_object_set_new(sizes, anchor, json_integer(1));
        }
        if (!rc && anchor && ++nanchors > MAX_ANCHORS) {
            err_mark(c, ev.start_mark, "more than %d anchors (the limit)", MAX_ANCHORS);
            rc = -1;
        }
        if (!rc && total > MAX_NODES) {
            err_mark(c, ev.start_mark,
                     naliases ? "aliases make the script more than %ld values (the limit)"
                              : "the script has more than %ld values (the limit)",
                     MAX_NODES);
            rc = -1;
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0)
        free(open[depth--]);
    json_decref(sizes);
    yaml_parser_delete(&ps);
    return rc;
}

int scenario_parse(const char *name, const char *src, size_t len, const struct scenario_opts *o,
                   struct plan *out, FILE *diag)
{
    struct scenario_opts none = {0};
    if (!o)
        o = &none;
    struct ctx c = {
        .name = name, .diag = diag ? diag : stderr, .p = out, .o = o, .strict_capture = 1};
    out->script = xstrdup(name);
    out->model = MODEL_OPEN;
    out->timeout_us = 10 * 1000000LL;
    if (o->environment)
        out->environment = xstrdup(o->environment);

    if (len > MAX_FILE) {
        fprintf(c.diag, "%s: larger than 10 MiB (the limit for a script)\n", name);
        plan_free(out);
        return -1;
    }
    yaml_parser_t ps;
    yaml_document_t doc;
    int shaped = check_shape(&c, src, len) == 0;
    if (shaped && !yaml_parser_initialize(&ps)) {
        fprintf(c.diag, "%s: out of memory\n", name);
        c.errors++;
    } else if (shaped) {
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
    }
    report_held(&c);
    if (c.errors) {
        plan_free(out);
        return -1;
    }
    return 0;
}

int scenario_load(const char *path, const struct scenario_opts *o, struct plan *out, FILE *diag)
{
    char shown[80];
    diag = diag ? diag : stderr;
    str_clip(shown, sizeof shown, path);
    struct buf b = {0};
    const char *bad = read_file_limited(path, MAX_FILE, &b);
    if (bad) {
        fprintf(diag, "%s: cannot read: %s\n", shown,
                strcmp(bad, "too large") ? bad : "larger than 10 MiB (the limit for a script)");
        plan_free(out);
        return -1;
    }
    int r = scenario_parse(path, b.data ? b.data : "", b.len, o, out, diag);
    buf_free(&b);
    return r;
}
