/* expect.h — the matchers of Artillery's expect plugin, as pure functions
 * of one response. The caller renders templates in the argument first and
 * keeps the counters (plugins.expect.ok/failed[.<type>]).
 *
 * Meanings (Artillery's unless said):
 *   statusCode     200 or [200, 201]; "200" compares as a number too
 *   notStatusCode  the same, negated
 *   contentType    "json": media type application/json (any parameters)
 *                  and a body that parsed as JSON; otherwise the header
 *                  equals the argument ignoring case — and, when the
 *                  argument has no ";", ignoring the header's parameters
 *                  (Artillery compares the whole header)
 *   hasHeader      "x-id": present (names ignore case)
 *   headerEquals   ["x-id", "v"]: the first such header's value is exactly
 *                  String(v)
 *   hasProperty    "a.b" / "items[0].id": the path exists in the JSON body
 *                  (null values count); fails unless the body is a JSON
 *                  object or array
 *   notHasProperty the path is absent (also fails on a non-object body)
 *   equals         [a, b, ...]: every String() is the same (at least one)
 *   matchesRegexp  the raw body matches the regular expression (regexp.h:
 *                  JavaScript's syntax, PCRE2); a match that gives up at
 *                  its limits fails, saying so
 * Pure: no I/O, no globals. */
#ifndef LOADTOP_EXPECT_H
#define LOADTOP_EXPECT_H

#include <jansson.h>
#include <stddef.h>

#include "perr.h"

struct exp_response {
    int status;
    const char *content_type; /* NULL: taken from the headers */
    const char *const *header_names;
    const char *const *header_values;
    int nheaders;
    const char *body; /* need not be NUL-terminated; NULL = empty */
    size_t body_len;
    const json_t *json; /* the parsed body, NULL when it is not JSON */
};

struct exp_check {
    const char *type; /* "statusCode", ... as above */
    json_t *arg;      /* the YAML value as JSON, templates already rendered */
};

/* 1 when `type` is one of the matchers above, else 0. */
int expect_known(const char *type);

/* Load-time check of a check's type and argument shape (and of a regexp
 * without templates: it must compile). Returns 0 (err emptied), or -1 with
 * err->msg (err may be NULL) such as `unknown expectation "cdnHit"` or
 * `headerEquals takes [name, value]`; no position: the caller has it. */
int expect_validate(const struct exp_check *c, struct parse_error *err);

/* Evaluate one check. Returns 1 (msg set to "") or 0 with a message in msg
 * (n bytes; may be NULL) such as "expected status 200, got 503". A check
 * that expect_validate would refuse fails with that message. */
int expect_eval(const struct exp_check *c, const struct exp_response *r, char *msg, size_t n);

#endif
