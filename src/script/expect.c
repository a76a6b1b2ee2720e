/* expect.c — see expect.h. */
#include "expect.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "regexp.h"
#include "template.h"
#include "util.h"

enum {
    EXP_STATUS,
    EXP_NOT_STATUS,
    EXP_CONTENT_TYPE,
    EXP_HAS_HEADER,
    EXP_HEADER_EQUALS,
    EXP_HAS_PROPERTY,
    EXP_NOT_HAS_PROPERTY,
    EXP_EQUALS,
    EXP_MATCHES_REGEXP,
    EXP_NTYPES
};
static const char *const exp_types[EXP_NTYPES] = {
    "statusCode",  "notStatusCode",  "contentType", "hasHeader",     "headerEquals",
    "hasProperty", "notHasProperty", "equals",      "matchesRegexp",
};

static int exp_type(const char *type)
{
    for (int i = 0; type && i < EXP_NTYPES; i++)
        if (!strcmp(type, exp_types[i]))
            return i;
    return -1;
}

int expect_known(const char *type)
{
    return exp_type(type) >= 0;
}

static int is_status_like(const json_t *v)
{
    return json_is_string(v) || json_is_number(v);
}

static int is_value(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v) || json_is_null(v);
}

/* `a` is a non-empty array whose every element passes `ok`. */
static int list_of(const json_t *a, int (*ok)(const json_t *))
{
    size_t i;
    json_t *x;
    if (!json_is_array(a) || !json_array_size(a))
        return 0;
    json_array_foreach(a, i, x)
    {
        if (!ok(x))
            return 0;
    }
    return 1;
}

/* What is wrong with the argument's shape, or NULL. */
static const char *arg_error(int t, const json_t *a)
{
    switch (t) {
    case EXP_STATUS:
    case EXP_NOT_STATUS:
        return is_status_like(a) || list_of(a, is_status_like)
                   ? NULL
                   : "takes a status code or a list of them";
    case EXP_HEADER_EQUALS:
        return json_is_array(a) && json_array_size(a) == 2 &&
                       json_is_string(json_array_get(a, 0)) && is_value(json_array_get(a, 1))
                   ? NULL
                   : "takes [name, value]";
    case EXP_EQUALS:
        return list_of(a, is_value) ? NULL : "takes a list of values";
    default:
        return json_is_string(a) && json_string_length(a) ? NULL : "takes a non-empty string";
    }
}

static int say(char *msg, size_t n, int ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *msg, size_t n, int ok, const char *fmt, ...)
{
    va_list ap;
    if (!msg || !n)
        return ok;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return ok;
}

static const char *header(const struct exp_response *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->header_names[i], name))
            return r->header_values[i];
    return NULL;
}

/* The media type of a Content-Type value (no parameters) equals `want`. */
static int media_is(const char *ct, const char *want)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t k = strcspn(ct, ";");
    while (k && (ct[k - 1] == ' ' || ct[k - 1] == '\t'))
        k--;
    return k == strlen(want) && !strncasecmp(ct, want, k);
}

/* Number(v) as a status code; -1 when it is not one. */
static long status_of(const json_t *v)
{
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return d >= 0 && d < 1e6 && d == (long)d ? (long)d : -1;
    }
    if (json_is_string(v)) {
        char *e;
        const char *s = json_string_value(v);
        long x = strtol(s, &e, 10);
        while (isspace((unsigned char)*e))
            e++;
        if (e != s && !*e)
            return x;
    }
    return -1;
}

/* lodash's _.has path: "a.b", "a[0].b", "a.0"; a key spelled like the
 * whole path counts too. */
static const json_t *prop_get(const json_t *v, const char *path)
{
    const json_t *direct = json_object_get(v, path);
    const char *p = path;
    if (direct || !*p)
        return direct;
    while (v && *p) {
        if (*p == '[') {
            char *e;
            unsigned long long i = strtoull(p + 1, &e, 10);
            if (e == p + 1 || *e != ']')
                return NULL;
            v = json_array_get(v, i);
            p = e + 1;
        } else {
            size_t k = strcspn(p, ".[");
            if (json_is_array(v) && k && strspn(p, "0123456789") >= k)
                v = json_array_get(v, strtoull(p, NULL, 10));
            else
                v = json_object_getn(v, p, k);
            p += k;
        }
        if (*p == '.')
            p++;
    }
    return v;
}

/* "a, b, c" of String(x) for the elements of `a` (or of `a` alone);
 * `quote` wraps each in double quotes. The caller frees. */
static char *join(const json_t *a, int quote)
{
    struct buf b = {0};
    size_t i, n = json_is_array(a) ? json_array_size(a) : 1;
    buf_append(&b, "", 0);
    for (i = 0; i < n; i++) {
        char *s = tpl_stringify(json_is_array(a) ? json_array_get(a, i) : a);
        buf_printf(&b, quote ? "%s\"%s\"" : "%s%s", i ? ", " : "", s);
        free(s);
    }
    return b.data;
}

static int check_status(int t, const json_t *a, const struct exp_response *r, char *msg, size_t n)
{
    int found = 0;
    if (json_is_array(a)) {
        size_t i;
        json_t *x;
        json_array_foreach(a, i, x) found |= status_of(x) == r->status;
    } else {
        found = status_of(a) == r->status;
    }
    if (found == (t == EXP_STATUS))
        return say(msg, n, 1, "%s", "");
    char *want = join(a, 0);
    say(msg, n, 0, "expected status %s%s, got %d",
        t == EXP_STATUS ? (json_is_array(a) ? "one of " : "")
                        : (json_is_array(a) ? "none of " : "other than "),
        want, r->status);
    free(want);
    return 0;
}

static int check_content_type(const char *want, const struct exp_response *r, char *msg, size_t n)
{
    const char *ct = r->content_type ? r->content_type : header(r, "content-type");
    if (!ct)
        return say(msg, n, 0, "expected content-type %s, got none", want);
    if (!strcmp(want, "json")) {
        if (!media_is(ct, "application/json"))
            return say(msg, n, 0, "expected content-type json, got %s", ct);
        if (!r->json)
            return say(msg, n, 0, "expected content-type json, got %s but the body is not JSON",
                       ct);
        return say(msg, n, 1, "%s", "");
    }
    int ok = strchr(want, ';') ? !strcasecmp(ct, want) : media_is(ct, want);
    if (!ok)
        return say(msg, n, 0, "expected content-type %s, got %s", want, ct);
    return say(msg, n, 1, "%s", "");
}

static int check_property(int t, const char *path, const struct exp_response *r, char *msg,
                          size_t n)
{
    const char *what = t == EXP_HAS_PROPERTY ? "property" : "no property";
    if (!json_is_object(r->json) && !json_is_array(r->json))
        return say(msg, n, 0, "expected %s %s, but the body is not a JSON object", what, path);
    const json_t *v = prop_get(r->json, path);
    if (t == EXP_HAS_PROPERTY && !v)
        return say(msg, n, 0, "expected property %s, got none", path);
    if (t == EXP_NOT_HAS_PROPERTY && v) {
        char *s = tpl_stringify(v);
        say(msg, n, 0, "expected no property %s, got %s", path, s);
        free(s);
        return 0;
    }
    return say(msg, n, 1, "%s", "");
}

static int check_regexp(const char *re_text, const struct exp_response *r, char *msg, size_t n)
{
    struct parse_error pe;
    struct regexp *re = regexp_compile(re_text, 0, &pe);
    if (!re)
        return say(msg, n, 0, "invalid regexp \"%s\": %s", re_text, pe.msg);
    int rc = regexp_match(re, r->body, r->body ? r->body_len : 0, 0, NULL, NULL);
    regexp_free(re);
    if (rc < 0)
        return say(msg, n, 0,
                   "expected body to match \"%s\" (gave up: the match passed its limits)", re_text);
    if (!rc)
        return say(msg, n, 0, "expected body to match \"%s\"", re_text);
    return say(msg, n, 1, "%s", "");
}

int expect_validate(const struct exp_check *c, struct parse_error *err)
{
    int t = exp_type(c->type);
    const char *bad;
    if (t < 0)
        return perr_set(err, 0, 0, "unknown expectation \"%s\"", c->type ? c->type : "");
    if ((bad = arg_error(t, c->arg)))
        return perr_set(err, 0, 0, "%s %s", c->type, bad);
    if (t == EXP_MATCHES_REGEXP && !tpl_has(json_string_value(c->arg))) {
        struct parse_error pe;
        struct regexp *re = regexp_compile(json_string_value(c->arg), 0, &pe);
        if (!re)
            return perr_set(err, 0, 0, "invalid regexp \"%s\": %s", json_string_value(c->arg),
                            pe.msg);
        regexp_free(re);
    }
    perr_clear(err);
    return 0;
}

int expect_eval(const struct exp_check *c, const struct exp_response *r, char *msg, size_t n)
{
    int t = exp_type(c->type);
    const json_t *a = c->arg;
    const char *s = json_string_value(a), *bad, *h;
    if (t < 0)
        return say(msg, n, 0, "unknown expectation \"%s\"", c->type ? c->type : "");
    if ((bad = arg_error(t, a)))
        return say(msg, n, 0, "%s %s", c->type, bad);
    switch (t) {
    case EXP_STATUS:
    case EXP_NOT_STATUS:
        return check_status(t, a, r, msg, n);
    case EXP_CONTENT_TYPE:
        return check_content_type(s, r, msg, n);
    case EXP_HAS_HEADER:
        if (!header(r, s))
            return say(msg, n, 0, "expected header %s, got none", s);
        return say(msg, n, 1, "%s", "");
    case EXP_HEADER_EQUALS: {
        const char *name = json_string_value(json_array_get(a, 0));
        char *want = tpl_stringify(json_array_get(a, 1));
        int ok = (h = header(r, name)) && !strcmp(h, want);
        if (!h)
            say(msg, n, 0, "expected header %s to be \"%s\", got none", name, want);
        else if (!ok)
            say(msg, n, 0, "expected header %s to be \"%s\", got \"%s\"", name, want, h);
        else
            say(msg, n, 1, "%s", "");
        free(want);
        return ok;
    }
    case EXP_HAS_PROPERTY:
    case EXP_NOT_HAS_PROPERTY:
        return check_property(t, s, r, msg, n);
    case EXP_EQUALS: {
        char *first = tpl_stringify(json_array_get(a, 0));
        int ok = 1;
        for (size_t i = 1; ok && i < json_array_size(a); i++) {
            char *x = tpl_stringify(json_array_get(a, i));
            ok = !strcmp(first, x);
            free(x);
        }
        free(first);
        if (ok)
            return say(msg, n, 1, "%s", "");
        char *all = join(a, 1);
        say(msg, n, 0, "expected equal values, got %s", all);
        free(all);
        return 0;
    }
    default:
        return check_regexp(s, r, msg, n);
    }
}
