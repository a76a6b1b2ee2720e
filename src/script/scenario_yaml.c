/* scenario_yaml.c — the loader's access to libyaml and its diagnostics:
 * the event pass that checks a script's shape before the tree is built
 * (scenario.h lists its limits), reading mappings, checking keys, and the
 * list of messages (each distinct one printed once, the rest counted).
 * See scenario_int.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "scenario_int.h"
#include "util.h"

/* The script's shape, checked on libyaml's events before the document is
 * built: nesting, size, and what aliases expand to, which the walks of the
 * tree would otherwise pay for. */
#define MAX_SCALAR (1 << 20)
#define MAX_NODES 1000000L /* counted with every alias expanded */
#define MAX_ANCHORS 1000   /* libyaml looks aliases up in a list */
#define MAX_ALIASES 10000
/* The walks' own bound, should an alias bomb get past the event pass. */
#define MAX_WORK 2000000L
/* Distinct errors (and warnings) printed before "N more errors". */
#define MAX_MESSAGES 20

/* "FILE:LINE:COL: [warning: ]MESSAGE" */
static void print_at(struct ctx *c, const struct parse_error *e, int is_error)
{
    fprintf(c->diag, "%s:%d:%d: %s%s\n", c->name, e->line, e->col,
            is_error ? "" : "warning: ", e->msg);
}

void scenario_report_at(struct ctx *c, int line, int col, int is_error, const char *fmt, va_list ap)
{
    if (line == c->last_line && col == c->last_col)
        return;
    c->last_line = line;
    c->last_col = col;
    char *msg = NULL, *key;
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
        struct parse_error e = {line, col, ""};
        /* a net under every message: one line, never a huge value */
        str_clip(e.msg, sizeof e.msg, msg);
        print_at(c, &e, is_error);
    } else if (!seen) {
        c->held[is_error]++;
    }
    free(msg);
}

void scenario_report_held(struct ctx *c)
{
    for (int e = 1; e >= 0; e--)
        if (c->held[e])
            fprintf(c->diag, "%s: %d more %s%s not shown\n", c->name, c->held[e],
                    e ? "error" : "warning", c->held[e] == 1 ? "" : "s");
    json_decref(c->said);
    c->said = NULL;
}

int scenario_find_id(struct ctx *c, int map, const char *key)
{
    const yaml_node_t *m = node_at(c, map);
    for (int i = 0; i < npairs(m); i++) {
        const yaml_node_t *k = node_at(c, pair_at(m, i).key);
        if (is_scalar(k) && !strcmp(text(k), key))
            return pair_at(m, i).value;
    }
    return 0;
}

/* "`text`" for a scalar, else what it is; for messages. */
const char *scenario_show(const yaml_node_t *n, char *b, size_t size)
{
    if (is_map(n))
        return "a mapping";
    if (is_seq(n))
        return "a list";
    char t[64];
    snprintf(b, size, "`%s`", str_clip(t, sizeof t, text(n)));
    return b;
}

int scenario_word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; p && *p; p += strcspn(p, " "), p += *p == ' ')
        if (!strncmp(p, w, n) && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

/* Scalars, duplicates, then each key against `k` (NULL: any key). */
void scenario_check_keys(struct ctx *c, const yaml_node_t *map, const struct keys *k,
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
        else if (!k || scenario_word_in(k->ok, t))
            continue;
        else if (scenario_word_in(k->warn, t))
            warn(c, key, "`%s` in %s is not supported yet, ignored", t, where);
        else if (scenario_word_in(k->fail, t))
            err(c, key, "`%s` in %s is not supported yet", t, where);
        else if (scenario_word_in(k->js, t) && c->o->ignore_js)
            warn(c, key, "`%s` runs JavaScript: ignored (--ignore-js)", t);
        else if (scenario_word_in(k->js, t))
            err(c, key, "`%s` runs JavaScript, which loadtop cannot run (--ignore-js skips it)", t);
        else
            warn(c, key, "unknown key `%s` in %s", Q(c, t), where);
    }
}

int scenario_too_much(struct ctx *c, const yaml_node_t *n, int depth)
{
    if (c->work < 0)
        return 1;
    if (++c->work <= MAX_WORK && depth <= SCENARIO_MAX_DEPTH)
        return 0;
    err(c, n, "the script nests or repeats too deeply (aliases?)");
    c->work = -1; /* said once; keep refusing */
    return 1;
}

void scenario_syntax_error(struct ctx *c, const yaml_parser_t *ps, const char *src, size_t len)
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
    struct parse_error e;
    const char *problem = ps->problem ? ps->problem : "syntax error";
    if (ps->context)
        perr_set(&e, (int)m.line + 1, (int)m.column + 1, "%s (%s started at %d:%d)", problem,
                 ps->context, (int)ps->context_mark.line + 1, (int)ps->context_mark.column + 1);
    else
        perr_set(&e, (int)m.line + 1, (int)m.column + 1, "%s", problem);
    print_at(c, &e, 1);
}

__attribute__((format(printf, 3, 4))) static void err_mark(struct ctx *c, yaml_mark_t m,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_report_at(c, (int)m.line + 1, (int)m.column + 1, 1, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* The event pass: one document, nesting, scalar sizes, anchors and
 * aliases, and the number of values with every alias expanded (each
 * anchored node's expanded size is known when it closes). Stops at the
 * first violation, before libyaml has read further: 100 000 `[` take it
 * 64 events. Returns 0, or -1 after one message. */
int scenario_check_shape(struct ctx *c, const char *src, size_t len)
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
    long count[SCENARIO_MAX_DEPTH + 1], total = 0;
    char *open[SCENARIO_MAX_DEPTH + 1]; /* the anchor of each open collection, or NULL */
    int depth = 0, docs = 0, naliases = 0, nanchors = 0, rc = 0, done = 0;
    while (!done && !rc) {
        if (!yaml_parser_parse(&ps, &ev)) {
            scenario_syntax_error(c, &ps, src, len);
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
            if (depth == SCENARIO_MAX_DEPTH) {
                err_mark(c, ev.start_mark, "nested more than %d levels deep (the limit)",
                         SCENARIO_MAX_DEPTH);
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
