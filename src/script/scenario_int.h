/* scenario_int.h — what the files of the script loader share; private to
 * src/script/. The loader (scenario.h) is one walk over libyaml's document
 * tree, in five files:
 *   scenario.c         the entry points, scenarios, before/after
 *   scenario_yaml.c    the event pass (shape and size limits), libyaml's
 *                      syntax errors, keys of mappings, the messages
 *   scenario_value.c   typed scalars, templates, YAML as JSON, headers,
 *                      variables
 *   scenario_config.c  config: target, phases, http, tls, defaults,
 *                      payload, ensure, plugins, environments
 *   scenario_flow.c    flows: steps, requests, captures, expectations,
 *                      loops, think, log, function steps
 * Every function takes the walk's state, struct ctx. A loader function
 * reports what is wrong (err, warn: with the node's position) and goes on,
 * so that one run lists every problem of a script; c->errors counts them. */
#ifndef LOADTOP_SCENARIO_INT_H
#define LOADTOP_SCENARIO_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "perr.h"
#include "plan.h"
#include "scenario.h"
#include "util.h"

/* A script of at most this many bytes; YAML nested at most this deep. */
#define SCENARIO_MAX_FILE (10 << 20)
#define SCENARIO_MAX_DEPTH 64

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

/* Known keys of one kind of mapping, as space-separated lists: handled,
 * Artillery's but ignored here (warning), refused, and JavaScript hooks. */
struct keys {
    const char *ok, *warn, *fail, *js;
};

/* ---- messages (scenario_yaml.c) ---- */

/* Print one message at LINE:COL as a struct parse_error, clipped to one
 * line, unless it was said before: at the same place as the last one (a
 * value that failed once, such as a template that renders undefined, is
 * not reported again by the checks after), or the same text at the same
 * place (an anchored node met again through its aliases). After 20 of a
 * kind the rest are only counted. Does not count errors: err and friends
 * below do. */
void scenario_report_at(struct ctx *c, int line, int col, int is_error, const char *fmt,
                        va_list ap);
/* "N more errors" after the 20 printed, and the same for warnings. */
void scenario_report_held(struct ctx *c);
/* libyaml's syntax error of parser `ps` over src[0..len), as
 * "FILE:LINE:COL: problem (context started at L:C)". */
void scenario_syntax_error(struct ctx *c, const yaml_parser_t *ps, const char *src, size_t len);
/* The event pass over src[0..len): one document, nesting, scalar sizes,
 * anchors and aliases, and the number of values with every alias expanded.
 * Returns 0, or -1 after one message (c->errors counted). */
int scenario_check_shape(struct ctx *c, const char *src, size_t len);

/* `s` for a message: short, one line (str_clip); valid until 8 more calls. */
static inline const char *Q(struct ctx *c, const char *s)
{
    char *b = c->clips[c->nclip++ % 8];
    return str_clip(b, sizeof c->clips[0], s);
}

/* ---- the tree ---- */

static inline int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 1;
}

static inline int col_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.column + 1 : 1;
}

/* Column of a scalar's first character, inside its opening quote. */
static inline int text_col(const yaml_node_t *n)
{
    int quoted = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                 n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return (int)n->start_mark.column + 1 + quoted;
}

/* An error at node n (NULL: at 1:1). */
__attribute__((format(printf, 3, 4))) static inline void err(struct ctx *c, const yaml_node_t *n,
                                                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_report_at(c, line_of(n), col_of(n), 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* An error at column `col` (1-based) of a scalar's text (exact unless the
 * text has escapes or spans lines). */
__attribute__((format(printf, 4, 5))) static inline void err_in(struct ctx *c, const yaml_node_t *n,
                                                                int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_report_at(c, line_of(n), text_col(n) + col - 1, 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

__attribute__((format(printf, 3, 4))) static inline void warn(struct ctx *c, const yaml_node_t *n,
                                                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_report_at(c, line_of(n), col_of(n), 0, fmt, ap);
    va_end(ap);
}

static inline yaml_node_t *node_at(struct ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

static inline int node_id(struct ctx *c, const yaml_node_t *n)
{
    return (int)(n - c->doc->nodes.start) + 1;
}

static inline int is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

static inline int is_map(const yaml_node_t *n)
{
    return n && n->type == YAML_MAPPING_NODE;
}

static inline int is_seq(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE;
}

static inline const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static inline int npairs(const yaml_node_t *n)
{
    return (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

static inline yaml_node_pair_t pair_at(const yaml_node_t *n, int i)
{
    return n->data.mapping.pairs.start[i];
}

static inline int nitems(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static inline yaml_node_t *item_at(struct ctx *c, const yaml_node_t *n, int i)
{
    return node_at(c, n->data.sequence.items.start[i]);
}

/* The id of `key`'s value in mapping `map`, or 0. */
int scenario_find_id(struct ctx *c, int map, const char *key);

/* The value of `key` in mapping `map`, or NULL. */
static inline yaml_node_t *get(struct ctx *c, const yaml_node_t *map, const char *key)
{
    int id = scenario_find_id(c, node_id(c, map), key);
    return id ? node_at(c, id) : NULL;
}

/* "`text`" for a scalar (clipped into b), else what it is ("a mapping"). */
const char *scenario_show(const yaml_node_t *n, char *b, size_t size);
/* 1 when `w` is one of the space-separated words of `list`. */
int scenario_word_in(const char *list, const char *w);
/* Scalars, duplicates, then each key of `map` against `k` (NULL: any key):
 * errors and warnings naming `where`. */
void scenario_check_keys(struct ctx *c, const yaml_node_t *map, const struct keys *k,
                         const char *where);
/* One more node walked at `depth`: 0, or 1 (said once) past the walks'
 * bounds, for trees that aliases make huge. */
int scenario_too_much(struct ctx *c, const yaml_node_t *n, int depth);

/* ---- values (scenario_value.c) ----
 * Each reads node n for `key` (named in the message): 0 with *out set, or
 * -1 after an error at n. */

static inline int is_http(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* [-+]? digits [. digits] [e [-+]? digits]: what YAML's core schema and
 * JSON agree is a number. *is_int: no fraction and no exponent. */
int scenario_decimal(const char *s, int *is_int);
/* The scalar's text, or NULL after "KEY must be a string". */
const char *scenario_string(struct ctx *c, const yaml_node_t *n, const char *key);
/* A finite number in [0, max]; `unit` follows the limit in the message. */
int scenario_number_max(struct ctx *c, const yaml_node_t *n, const char *key, double max,
                        const char *unit, double *out);
int scenario_number(struct ctx *c, const yaml_node_t *n, const char *key, double *out);
/* An integer in [min, max]; min is 0 or 1, which names the message. */
int scenario_integer(struct ctx *c, const yaml_node_t *n, const char *key, long long min,
                     long long max, long long *out);
/* Seconds (fractions allowed) or "250ms", "90s", "2m", "1h"; up to a year. */
int scenario_duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out);
int scenario_positive_duration(struct ctx *c, const yaml_node_t *n, const char *key, int64_t *out);
int scenario_boolean(struct ctx *c, const yaml_node_t *n, const char *key, int *out);
/* jitter: "10%" (up to 100) or milliseconds (up to a year). 1 when good. */
int scenario_jitter_ok(struct ctx *c, const yaml_node_t *v);
/* Check the templates in scalar `n`: 1 when it has some, 0 when none, -1
 * after an error pointing into the text. */
int scenario_templated(struct ctx *c, const yaml_node_t *n);
/* n as JSON (a new reference), or NULL after an error. Plain scalars that
 * read as null/true/false/numbers get those types; c->saw_tpl (when >= 0)
 * becomes 1 when a string or key holds a template. */
json_t *scenario_to_json(struct ctx *c, const yaml_node_t *n, int depth);
/* Append the pair (copies) to h[0..*n). */
void scenario_pair_add(struct header **h, int *n, const char *name, const char *value);
/* headers (or cookies: `what`) into h: names are tokens, values one line
 * of text; a later name replaces an earlier one, ignoring case. */
void scenario_load_headers(struct ctx *c, const yaml_node_t *n, struct header **h, int *nh,
                           const char *what);
/* config.variables into plan->variables; -v's JSON object over them. */
void scenario_load_variables(struct ctx *c, const yaml_node_t *n);
void scenario_load_cli_variables(struct ctx *c, const char *json_text);

/* ---- config (scenario_config.c) ---- */

/* The mapping `cfg` into c->p (rendering what is read at load first). */
void scenario_load_config(struct ctx *c, const yaml_node_t *cfg, const struct scenario_opts *o);
/* The id of config `cfg` merged with environment `name`, or 0 after an error. */
int scenario_merge_environment(struct ctx *c, int cfg, const char *name);

/* ---- flows (scenario_flow.c) ---- */

/* The steps of list `seq` into *steps (*n of them); `depth`: loops around. */
void scenario_load_flow(struct ctx *c, const yaml_node_t *seq, struct step **steps, int *n,
                        int depth);
/* A JavaScript function step named by `v`, at `at`: under --ignore-js a
 * step that counts `Undefined function "name"`, else an error. Returns 1
 * when it adds nothing to the flow. */
int scenario_load_function(struct ctx *c, const yaml_node_t *at, const yaml_node_t *v,
                           struct step *s);

/* config.phases (scenario_phases.c): every phase into c->p, or errors at
 * their lines. */
void scenario_load_phases(struct ctx *c, const yaml_node_t *cfg);

#endif
