/* template.h — Artillery v2 `{{ }}` templates over a VU's variables.
 *
 * A template body is a path (`user.id`, `items[0].id`, `a["b c"]`, `$env.HOME`)
 * or a function call (`$randomNumber(1, 10)`, `$randomString(8)`). A string
 * that is exactly one template (`"{{ n }}"`; no text or spaces outside the
 * braces) keeps the value's type; otherwise values are interpolated as
 * JavaScript's String() would (undefined → "undefined", objects and arrays as
 * compact JSON, 0.1 → "0.1", 2.0 → "2"). Text between `{{ }}` that is not a
 * valid body is left as it is, as Artillery does; tpl_check reports it.
 *
 * Built-ins: `$uuid` (ctx->uuid), `$env.X` / `$processEnvironment.X`
 * (ctx->env). Everything else (target, $environment, $loopCount,
 * $loopElement, captures) is looked up in ctx->vars. As in lodash's get, a
 * vars key equal to the whole path ("user.id") wins over walking the path.
 *
 * One deliberate difference: Artillery turns a function's result into a
 * string; here `"{{ $randomNumber(1,5) }}"` alone gives a JSON number.
 * Pure: no I/O, no globals; randomness only from *ctx->rng. */
#ifndef LOADTOP_TEMPLATE_H
#define LOADTOP_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "perr.h"

struct tpl_ctx {
    const json_t *vars;     /* object of VU variables; NULL = none */
    const char *const *env; /* environ-like "K=V" list, NULL-terminated; NULL = empty */
    uint64_t *rng;          /* xorshift64* state; NULL makes functions undefined */
    const char *uuid;       /* this VU's $uuid; NULL = look "$uuid" up in vars */
};

/* Rendering is bounded: one call never makes more than TPL_MAX_OUTPUT
 * bytes (a string, or all the strings and keys of one tpl_render_deep
 * together; typed values and literal text count too). A string that would
 * pass the bound renders as "" instead, and so does every string after it
 * in the same call. The _checked variants then set *too_big to 1 (they
 * never clear it: render a whole request, then look once), so that the
 * caller can fail the request rather than send it cut; the others are
 * the same without telling. Rendering is one pass: a value is never
 * rendered again, so `x: "{{ x }}{{ x }}"` renders to that text, and grows
 * only when a response brings it back (a capture). */
#define TPL_MAX_OUTPUT (1 << 20)

/* Render `s`. Returns a new reference: the typed value when `s` is exactly
 * one template (NULL when that value is undefined), else a JSON string with
 * every template interpolated (a string without templates is copied). */
json_t *tpl_render(const char *s, const struct tpl_ctx *c);

/* Deep copy of `v` with every string rendered by tpl_render, object keys
 * too (keys always interpolated as strings; a later duplicate key wins). A
 * value that renders undefined drops its object key, and becomes null in an
 * array. Returns a new reference; NULL only when `v` itself is a string
 * that renders undefined. */
json_t *tpl_render_deep(const json_t *v, const struct tpl_ctx *c);

/* tpl_render as a C string: typed values are stringified as when
 * interpolated; undefined → "undefined". Never NULL; the caller frees. */
char *tpl_render_str(const char *s, const struct tpl_ctx *c);

/* The three above, telling when the bound was met (see TPL_MAX_OUTPUT). */
json_t *tpl_render_checked(const char *s, const struct tpl_ctx *c, int *too_big);
json_t *tpl_render_deep_checked(const json_t *v, const struct tpl_ctx *c, int *too_big);
char *tpl_render_str_checked(const char *s, const struct tpl_ctx *c, int *too_big);

/* 1 when `s` contains "{{" (so it must be rendered per use), else 0. */
int tpl_has(const char *s);

/* Load-time syntax check of every template in `s`. Returns 0 (err
 * emptied), or -1 with *err (may be NULL) set: col, the 1-based byte
 * column in `s` of the fault, and msg such as `empty name after "." in
 * "{{ a. }}"`. Catches an unterminated "{{", an empty body, a bad path, an
 * unknown function and a bad argument list. */
int tpl_check(const char *s, struct parse_error *err);

/* JavaScript String(v) for scalars ("42", "0.1", "true", "null", a string
 * as is), compact JSON for objects and arrays, "undefined" for NULL. The
 * caller frees. Used for interpolation and by expect's `equals`. */
char *tpl_stringify(const json_t *v);

#endif
