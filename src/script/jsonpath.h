/* jsonpath.h — the JSONPath subset Artillery's `capture: json:` needs.
 *
 * Grammar: `$` then any of `.name`, `['name']` / `["name"]` (backslash
 * escapes), `[N]` (non-negative index), `.*` / `[*]` (every member or
 * element), and `..` before any of those (recursive descent: `$..id`).
 * As in JavaScript, `$.a.0` indexes an array and `$.o[0]` reads key "0".
 * Filters, slices, unions and negative indexes are refused as malformed.
 * When the path matches several values, one is picked at random, as
 * Artillery does. Pure: no I/O, no globals. */
#ifndef LOADTOP_JSONPATH_H
#define LOADTOP_JSONPATH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "perr.h"

/* Bounds: a path has at most JSONPATH_MAX_STEPS steps, and one search
 * looks at no more than JSONPATH_MAX_VISITS nodes (each `..` walks the
 * whole subtree, so `$..*..*..*` grows as a power of the document). */
#define JSONPATH_MAX_STEPS 64
#define JSONPATH_MAX_VISITS 1000000

/* The value at `path` in `doc`: a new reference (a deep copy) or NULL when
 * nothing matches. Among several matches one is drawn with the
 * xorshift64* state *rng (only then is *rng advanced; NULL rng = the first
 * match in document order). *err (may be NULL) = 1 when `path` is
 * malformed, 2 when the search passed JSONPATH_MAX_VISITS (the result is
 * then NULL), else 0. */
json_t *jsonpath_get(const json_t *doc, const char *path, uint64_t *rng, int *err);

/* Load-time check of `path`. Returns 0 (err emptied), or -1 with *err (may
 * be NULL) set: col, the 1-based column of the fault in `path`, and msg
 * such as `expected "]" at column 5` (the column said, since callers point
 * at the whole path). */
int jsonpath_check(const char *path, struct parse_error *err);

#endif
