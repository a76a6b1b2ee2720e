/* jsonpath.c — see jsonpath.h. The path is parsed into steps, then every
 * match is collected (so a random pick is uniform over all of them, as
 * Artillery's pick over jsonpath.query's results is). */
#include "jsonpath.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { JP_KEY, JP_INDEX, JP_WILD };
struct jp_step {
    int kind;
    int deep; /* preceded by ".." */
    char *key;
    size_t index;
};

struct jp_hits {
    const json_t **v;
    size_t n, cap;
    size_t visits; /* nodes looked at: `$..*..*` on a big document is quadratic */
    int over;      /* visits passed JSONPATH_MAX_VISITS */
};

static int is_name_ch(int ch)
{
    return isalnum(ch) || ch == '_' || ch == '$' || ch == '-' || ch >= 0x80;
}

static void steps_free(struct jp_step *st, int n)
{
    for (int i = 0; i < n; i++)
        free(st[i].key);
    free(st);
}

/* Parses `path` into *out (*nout steps; the caller frees with steps_free).
 * Returns 0, or -1 with *at = the offset of the fault and *why. */
static int jp_parse(const char *path, struct jp_step **out, int *nout, size_t *at, const char **why)
{
    const char *p = path;
    struct jp_step *st = NULL;
    int n = 0;
    *why = NULL;
    if (*p != '$') {
        *why = "a JSONPath starts with \"$\"";
        goto fail;
    }
    for (p++; *p;) {
        struct jp_step s = {JP_KEY, 0, NULL, 0};
        const char *start = p;
        if (p[0] == '.' && p[1] == '.') {
            s.deep = 1;
            p += 2;
        } else if (*p == '.') {
            p++;
        } else if (*p != '[') {
            *why = "expected \".\" or \"[\"";
            goto fail;
        }
        if (*p == '[') {
            p++;
            while (*p == ' ')
                p++;
            if (*p == '*') {
                s.kind = JP_WILD;
                p++;
            } else if (*p == '\'' || *p == '"') {
                char q = *p++;
                struct buf b = {0};
                buf_append(&b, "", 0);
                for (; *p && *p != q; p++) {
                    if (*p == '\\' && p[1])
                        p++;
                    buf_append(&b, p, 1);
                }
                s.key = b.data;
                if (!*p) {
                    free(s.key);
                    *why = "unterminated quoted name";
                    goto fail;
                }
                p++;
            } else if (isdigit((unsigned char)*p)) {
                char *e;
                s.kind = JP_INDEX;
                s.index = strtoull(p, &e, 10);
                p = e;
            } else {
                *why = *p == '-'   ? "negative indexes are not supported"
                       : *p == '?' ? "filters are not supported"
                                   : "expected an index, \"*\" or a quoted name";
                goto fail;
            }
            while (*p == ' ')
                p++;
            if (*p != ']') {
                free(s.key);
                *why = *p == ':'   ? "slices are not supported"
                       : *p == ',' ? "unions are not supported"
                                   : "expected \"]\"";
                goto fail;
            }
            p++;
        } else if (*p == '*') {
            s.kind = JP_WILD;
            p++;
        } else {
            const char *b = p;
            while (is_name_ch((unsigned char)*p))
                p++;
            if (p == b) {
                *why = "expected a name";
                goto fail;
            }
            s.key = xstrndup(b, (size_t)(p - b));
        }
        if (n == JSONPATH_MAX_STEPS) {
            free(s.key);
            p = start;
            *why = "more than 64 steps (the limit)";
            goto fail;
        }
        st = xrealloc(st, (size_t)(n + 1) * sizeof *st);
        st[n++] = s;
    }
    *out = st;
    *nout = n;
    return 0;
fail:
    *at = (size_t)(p - path);
    steps_free(st, n);
    return -1;
}

static void hit(struct jp_hits *h, const json_t *v)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 8;
        h->v = xrealloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n++] = v;
}

static void collect(const json_t *node, const struct jp_step *st, int i, int n, struct jp_hits *h);

/* Apply step i (without its "..") to node: recurse on what it selects. */
static void select_from(const json_t *node, const struct jp_step *st, int i, int n,
                        struct jp_hits *h)
{
    const struct jp_step *s = &st[i];
    const char *k;
    json_t *x;
    size_t j;
    char num[24];
    if (s->kind == JP_WILD) {
        if (json_is_object(node)) {
            json_object_foreach((json_t *)node, k, x) collect(x, st, i + 1, n, h);
        } else if (json_is_array(node)) {
            json_array_foreach(node, j, x) collect(x, st, i + 1, n, h);
        }
        return;
    }
    k = s->key;
    if (s->kind == JP_INDEX) {
        if (json_is_array(node)) {
            if ((x = json_array_get(node, s->index)))
                collect(x, st, i + 1, n, h);
            return;
        }
        snprintf(num, sizeof num, "%zu", s->index);
        k = num;
    }
    if (json_is_object(node)) {
        if ((x = json_object_get(node, k)))
            collect(x, st, i + 1, n, h);
    } else if (json_is_array(node) && *k && strspn(k, "0123456789") == strlen(k)) {
        if ((x = json_array_get(node, strtoull(k, NULL, 10))))
            collect(x, st, i + 1, n, h);
    }
}

static void collect(const json_t *node, const struct jp_step *st, int i, int n, struct jp_hits *h)
{
    const char *k;
    json_t *x;
    size_t j;
    if (h->over || ++h->visits > JSONPATH_MAX_VISITS) {
        h->over = 1;
        return;
    }
    if (i == n) {
        hit(h, node);
        return;
    }
    select_from(node, st, i, n, h);
    if (!st[i].deep)
        return;
    if (json_is_object(node)) {
        json_object_foreach((json_t *)node, k, x) collect(x, st, i, n, h);
    } else if (json_is_array(node)) {
        json_array_foreach(node, j, x) collect(x, st, i, n, h);
    }
}

json_t *jsonpath_get(const json_t *doc, const char *path, uint64_t *rng, int *err)
{
    struct jp_step *st;
    struct jp_hits h = {0};
    int n;
    size_t at;
    const char *why;
    if (err)
        *err = 0;
    if (jp_parse(path, &st, &n, &at, &why) < 0) {
        if (err)
            *err = 1;
        return NULL;
    }
    if (doc)
        collect(doc, st, 0, n, &h);
    json_t *r = NULL;
    if (h.over && err)
        *err = 2;
    if (h.n && !h.over)
        r = json_deep_copy(h.v[h.n > 1 && rng ? rng_next(rng) % h.n : 0]);
    free(h.v);
    steps_free(st, n);
    return r;
}

int jsonpath_check(const char *path, struct parse_error *err)
{
    struct jp_step *st;
    int nst;
    size_t at;
    const char *why;
    if (jp_parse(path, &st, &nst, &at, &why) < 0)
        return perr_set(err, 0, (int)at + 1, "%s at column %zu", why, at + 1);
    steps_free(st, nst);
    perr_clear(err);
    return 0;
}
