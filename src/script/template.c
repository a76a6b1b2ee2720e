/* template.c — see template.h. One parser serves both tpl_check (ctx ==
 * NULL: syntax only) and rendering, so the two can never disagree; values
 * are printed as JavaScript prints them by template_string.c. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_int.h"
#include "util.h"

static int is_name_ch(int ch)
{
    return isalnum(ch) || ch == '_' || ch == '$' || ch == '-' || ch >= 0x80;
}

/* ---- template bodies ----------------------------------------------------- */

enum { SEG_KEY, SEG_INDEX };
struct seg {
    int kind;
    struct buf key; /* SEG_KEY; reused across segments */
    size_t index;   /* SEG_INDEX */
};

static const char *seg_key(const struct seg *s)
{
    return s->key.data ? s->key.data : "";
}

/* Reads the path segment at *pp (`first`: no leading "." needed). Returns 1
 * with *s filled and *pp advanced, 0 at `end`, -1 on a syntax error with *pp
 * at the fault and *why saying what it is. */
static int seg_next(const char **pp, const char *end, int first, struct seg *s, const char **why)
{
    const char *p = *pp;
    s->key.len = 0;
    if (s->key.data)
        s->key.data[0] = '\0';
    if (p == end)
        return 0;
    if (*p == '[') {
        p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;
            while (p < end && *p != q) {
                if (*p == '\\' && p + 1 < end)
                    p++;
                buf_append(&s->key, p++, 1);
            }
            if (p == end) {
                *pp = p;
                *why = "unterminated quoted name";
                return -1;
            }
            p++;
            s->kind = SEG_KEY;
        } else if (p < end && isdigit((unsigned char)*p)) {
            s->index = 0;
            for (; p < end && isdigit((unsigned char)*p); p++)
                s->index = s->index > SIZE_MAX / 16 ? SIZE_MAX : s->index * 10 + (size_t)(*p - '0');
            s->kind = SEG_INDEX;
        } else {
            *pp = p;
            *why = "expected an index or a quoted name after \"[\"";
            return -1;
        }
        if (p == end || *p != ']') {
            *pp = p;
            *why = "expected \"]\"";
            return -1;
        }
        *pp = p + 1;
        return 1;
    }
    if (!first && *p != '.') {
        *pp = p;
        *why = "unexpected character";
        return -1;
    }
    if (!first)
        p++;
    const char *b = p;
    while (p < end && is_name_ch((unsigned char)*p))
        p++;
    if (p == b) {
        *pp = p;
        *why = first ? "bad name" : "empty name after \".\"";
        return -1;
    }
    buf_append(&s->key, b, (size_t)(p - b));
    s->kind = SEG_KEY;
    *pp = p;
    return 1;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* One step down, with JavaScript's leniency: obj[0] is obj["0"], arr["0"]
 * is arr[0]. */
static const json_t *step(const json_t *cur, const struct seg *s)
{
    char num[24];
    const char *k = seg_key(s);
    if (s->kind == SEG_INDEX) {
        if (json_is_array(cur))
            return json_array_get(cur, s->index);
        snprintf(num, sizeof num, "%zu", s->index);
        k = num;
    }
    if (json_is_object(cur))
        return json_object_get(cur, k);
    if (json_is_array(cur) && all_digits(k))
        return json_array_get(cur, strtoull(k, NULL, 10));
    return NULL;
}

static json_t *env_value(const char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (; env && *env; env++)
        if (!strncmp(*env, name, n) && (*env)[n] == '=')
            return json_string(*env + n + 1);
    return NULL;
}

static json_t *env_object(const char *const *env)
{
    json_t *o = json_object();
    for (; env && *env; env++) {
        const char *eq = strchr(*env, '=');
        if (!eq)
            continue;
        char *k = xstrndup(*env, (size_t)(eq - *env));
        json_object_set_new(o, k, json_string(eq + 1));
        free(k);
    }
    return o;
}

/* Path body [p, end). Checks syntax; with c, stores the value (new
 * reference, NULL = undefined) in *out. */
static int path_eval(const char *p, const char *end, const struct tpl_ctx *c, json_t **out,
                     const char **err_at, const char **why)
{
    struct seg s = {0};
    const char *q = p;
    int r, first = 1;
    while ((r = seg_next(&q, end, first, &s, why)) == 1)
        first = 0;
    if (r < 0 || !c) {
        buf_free(&s.key);
        *err_at = q;
        return r;
    }
    const json_t *cur = NULL;
    json_t *tmp = NULL;
    q = p;
    seg_next(&q, end, 1, &s, why);
    const char *k = s.kind == SEG_KEY ? seg_key(&s) : "";
    if (!strcmp(k, "$uuid") && c->uuid) {
        cur = tmp = json_string(c->uuid);
    } else if (!strcmp(k, "$env") || !strcmp(k, "$processEnvironment")) {
        if (seg_next(&q, end, 0, &s, why) == 1)
            cur = tmp = s.kind == SEG_KEY ? env_value(c->env, seg_key(&s)) : NULL;
        else
            cur = tmp = env_object(c->env);
    } else if ((cur = json_object_getn(c->vars, p, (size_t)(end - p)))) {
        q = end;
    } else if (c->vars) {
        cur = step(c->vars, &s);
    }
    while (cur && seg_next(&q, end, 0, &s, why) == 1)
        cur = step(cur, &s);
    *out = cur ? json_deep_copy(cur) : NULL;
    json_decref(tmp);
    buf_free(&s.key);
    return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

enum { FN_RANDOM_NUMBER = 1, FN_RANDOM_STRING };

/* Function call body [p, end), p at "$": name, "(", integer arguments. */
static int func_eval(const char *p, const char *end, const struct tpl_ctx *c, json_t **out,
                     const char **err_at, const char **why)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const char *name = p++;
    long long a[2] = {0, 0};
    int na = 0, fn, maxa;
    while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
        p++;
    size_t nlen = (size_t)(p - name);
    if (nlen == 13 && !memcmp(name, "$randomNumber", nlen)) {
        fn = FN_RANDOM_NUMBER;
        maxa = 2;
    } else if (nlen == 13 && !memcmp(name, "$randomString", nlen)) {
        fn = FN_RANDOM_STRING;
        maxa = 1;
    } else {
        *err_at = name;
        *why = "unknown function";
        return -1;
    }
    p = skip_ws(p, end) + 1; /* past "(", which the caller saw */
    p = skip_ws(p, end);
    if (p < end && *p != ')') {
        for (;;) {
            char *e;
            errno = 0;
            long long v = strtoll(p, &e, 10);
            if (e == p || e > end || errno) {
                *err_at = p;
                *why = "expected an integer argument";
                return -1;
            }
            if (na == maxa) {
                *err_at = p;
                *why = "too many arguments";
                return -1;
            }
            a[na++] = v;
            p = skip_ws(e, end);
            if (p < end && *p == ',') {
                p = skip_ws(p + 1, end);
                continue;
            }
            break;
        }
    }
    if (p == end || *p != ')') {
        *err_at = p;
        *why = "expected \",\" or \")\"";
        return -1;
    }
    if (skip_ws(p + 1, end) != end) {
        *err_at = skip_ws(p + 1, end);
        *why = "unexpected text after \")\"";
        return -1;
    }
    if (fn == FN_RANDOM_STRING && na && (a[0] < 0 || a[0] > 65536)) {
        *err_at = name;
        *why = "$randomString length must be 0 to 65536";
        return -1;
    }
    if (!c)
        return 0;
    if (!c->rng) {
        *out = NULL;
        return 0;
    }
    if (fn == FN_RANDOM_NUMBER) {
        /* lodash's _.random: () is 0..1, (max) is 0..max, bounds swap */
        long long lo = na == 2 ? a[0] : 0, hi = na == 2 ? a[1] : na ? a[0] : 1;
        if (lo > hi) {
            long long t = lo;
            lo = hi;
            hi = t;
        }
        uint64_t span = (uint64_t)hi - (uint64_t)lo + 1, x = rng_next(c->rng);
        *out = json_integer((json_int_t)((uint64_t)lo + (span ? x % span : x)));
    } else {
        size_t len = na ? (size_t)a[0] : 10;
        char *s = xmalloc(len + 1);
        for (size_t i = 0; i < len; i++)
            s[i] = alnum[rng_next(c->rng) % (sizeof alnum - 1)];
        s[len] = '\0';
        *out = json_string(s);
        free(s);
    }
    return 0;
}

/* The body between "{{" and "}}": [b, e). Syntax only when c == NULL. */
static int body_eval(const char *b, const char *e, const struct tpl_ctx *c, json_t **out,
                     const char **err_at, const char **why)
{
    b = skip_ws(b, e);
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if (b == e) {
        *err_at = b;
        *why = "empty template";
        return -1;
    }
    if (*b == '$') {
        const char *p = b + 1;
        while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        if (skip_ws(p, e) < e && *skip_ws(p, e) == '(')
            return func_eval(b, e, c, out, err_at, why);
    }
    return path_eval(b, e, c, out, err_at, why);
}

/* The first "}}" at or after p. (strstr here trips a false
 * -Wstringop-overread in GCC 12 with -O2 and ASan.) */
static const char *close_of(const char *p)
{
    for (; *p; p++)
        if (p[0] == '}' && p[1] == '}')
            return p;
    return NULL;
}

/* What renderings may still make, shared by the strings of one call: a
 * value that renders itself twice and is captured back (`x: "{{ x }}{{ x
 * }}"` through an echo) doubles at each turn, and must stop somewhere. */
struct budget {
    size_t left;
    int *over; /* set once a rendering did not fit */
};

/* About how many bytes tpl_put_value makes of v (quotes and commas counted,
 * escapes not), counting no further than just past cap. */
static size_t value_size(const json_t *v, size_t cap)
{
    const char *k;
    json_t *x;
    size_t i, n = 2;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach((json_t *)v, k, x)
        {
            n += strlen(k) + 4 + value_size(x, cap);
            if (n > cap)
                break;
        }
        return n;
    case JSON_ARRAY:
        json_array_foreach(v, i, x)
        {
            n += 1 + value_size(x, cap);
            if (n > cap)
                break;
        }
        return n;
    case JSON_STRING:
        return json_string_length(v) + 2;
    default:
        return 24; /* a number, true, false or null */
    }
}

/* Take n bytes from the budget: 0, or -1 (and the budget spent) when they do not fit. */
static int charge(struct budget *bu, size_t n)
{
    if (n > bu->left) {
        bu->left = 0;
        *bu->over = 1;
        return -1;
    }
    bu->left -= n;
    return 0;
}

static json_t *render(const char *s, const struct tpl_ctx *c, struct budget *bu)
{
    const char *err_at, *why, *close;
    size_t len = strlen(s);
    json_t *v;
    if (s[0] == '{' && s[1] == '{' && (close = close_of(s + 2)) && close + 2 == s + len &&
        body_eval(s + 2, close, c, &v, &err_at, &why) == 0) {
        if (v && charge(bu, value_size(v, bu->left)) < 0) {
            json_decref(v);
            return json_string("");
        }
        return v;
    }
    if (!tpl_has(s))
        return charge(bu, len) < 0 ? json_string("") : json_stringn_nocheck(s, len);
    struct buf b = {0};
    const char *p = s, *o;
    int fits = 1;
    while (fits && (o = strstr(p, "{{")) && (close = close_of(o + 2))) {
        buf_append(&b, p, (size_t)(o - p));
        if (body_eval(o + 2, close, c, &v, &err_at, &why) < 0) {
            /* not a template: keep one brace, rescan from the next ("{{{ x }}") */
            buf_append(&b, o, 1);
            p = o + 1;
            continue;
        }
        /* measured before it is written: a huge variable is never copied */
        fits = b.len + (v ? value_size(v, bu->left) : 9) <= bu->left;
        if (fits && v)
            tpl_put_value(&b, v, 1);
        else if (fits)
            buf_puts(&b, "undefined");
        json_decref(v);
        p = close + 2;
    }
    if (fits)
        buf_puts(&b, p);
    if (!fits || charge(bu, b.len) < 0) {
        charge(bu, SIZE_MAX);
        buf_free(&b);
        return json_string("");
    }
    v = json_stringn_nocheck(b.data, b.len);
    buf_free(&b);
    return v;
}

static char *render_str(const char *s, const struct tpl_ctx *c, struct budget *bu)
{
    json_t *v = render(s, c, bu);
    char *r = tpl_stringify(v);
    json_decref(v);
    return r;
}

static json_t *render_deep(const json_t *v, const struct tpl_ctx *c, struct budget *bu)
{
    const char *k;
    json_t *x, *out;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_STRING:
        return render(json_string_value(v), c, bu);
    case JSON_OBJECT:
        out = json_object();
        json_object_foreach((json_t *)v, k, x)
        {
            json_t *r = render_deep(x, c, bu);
            if (!r)
                continue;
            char *key = tpl_has(k) ? render_str(k, c, bu) : xstrdup(k);
            json_object_set_new_nocheck(out, key, r);
            free(key);
        }
        return out;
    case JSON_ARRAY:
        out = json_array();
        json_array_foreach(v, i, x)
        {
            json_t *r = render_deep(x, c, bu);
            json_array_append_new(out, r ? r : json_null());
        }
        return out;
    default:
        return json_deep_copy(v);
    }
}

json_t *tpl_render_checked(const char *s, const struct tpl_ctx *c, int *too_big)
{
    struct budget bu = {TPL_MAX_OUTPUT, too_big};
    return render(s, c, &bu);
}

json_t *tpl_render_deep_checked(const json_t *v, const struct tpl_ctx *c, int *too_big)
{
    struct budget bu = {TPL_MAX_OUTPUT, too_big};
    return render_deep(v, c, &bu);
}

char *tpl_render_str_checked(const char *s, const struct tpl_ctx *c, int *too_big)
{
    struct budget bu = {TPL_MAX_OUTPUT, too_big};
    return tpl_has(s) ? render_str(s, c, &bu) : xstrdup(s);
}

json_t *tpl_render(const char *s, const struct tpl_ctx *c)
{
    int over = 0;
    return tpl_render_checked(s, c, &over);
}

json_t *tpl_render_deep(const json_t *v, const struct tpl_ctx *c)
{
    int over = 0;
    return tpl_render_deep_checked(v, c, &over);
}

char *tpl_render_str(const char *s, const struct tpl_ctx *c)
{
    int over = 0;
    return tpl_render_str_checked(s, c, &over);
}

int tpl_has(const char *s)
{
    return strstr(s, "{{") != NULL;
}

int tpl_check(const char *s, struct parse_error *err)
{
    const char *p = s, *o, *close, *at = NULL, *why = NULL;
    while ((o = strstr(p, "{{"))) {
        close = close_of(o + 2);
        if (!close)
            return perr_set(err, 0, (int)(o - s) + 1, "unterminated \"{{\"");
        if (body_eval(o + 2, close, NULL, NULL, &at, &why) < 0)
            return perr_set(err, 0, (int)(at - s) + 1, "%s in \"%.*s\"", why, (int)(close + 2 - o),
                            o);
        p = close + 2;
    }
    perr_clear(err);
    return 0;
}
