/* regexp.h — the regular expressions of a script: `capture: regexp` and
 * expect's `matchesRegexp`, compiled by PCRE2 (a maintained library) with
 * the syntax of JavaScript's RegExp, which is what Artillery's users write:
 * \d \w \s \b, lazy quantifiers, (?:...), lookahead and lookbehind, named
 * groups (numbered as the others), \uXXXX, [^] for any character; `.`
 * matches anything but a line break, `$` only the end of the text. Text
 * and patterns are UTF-8 (a body that is not matches as far as it is).
 *
 * Bounded, since a pattern and a body may be anything: a pattern of at
 * most REGEXP_MAX_PATTERN bytes, compiled to at most 64 KiB (PCRE2's own
 * bound: `e` followed by many `+` is refused, where glibc's regcomp doubled
 * its memory for each); a match takes at most REGEXP_MATCH_LIMIT steps of
 * backtracking at any one start position and REGEXP_HEAP_LIMIT_KIB of
 * memory (which bounds how deep it backtracks). A match that passes a
 * limit gives up: callers count it as no match and say why.
 * No globals; memory as below. */
#ifndef LOADTOP_REGEXP_H
#define LOADTOP_REGEXP_H

#include <stddef.h>

#include "perr.h"

#define REGEXP_MAX_PATTERN 65536
#define REGEXP_MATCH_LIMIT 1000000
#define REGEXP_HEAP_LIMIT_KIB 65536

struct regexp;

/* Compile `pattern` (NUL-terminated), ignoring case when `icase`. Returns
 * the regexp (free with regexp_free; err emptied), or NULL with *err (may
 * be NULL) set: col, the 1-based byte column of the fault, and msg such as
 * "missing closing parenthesis at column 3" or "quantifier does not follow
 * a repeatable item at column 4" (the second `+` of `e+++`). */
struct regexp *regexp_compile(const char *pattern, int icase, struct parse_error *err);

/* Its number of capturing groups (named ones included). */
int regexp_groups(const struct regexp *re);

/* Look for the first match of `re` in subject[0..len) (NUL bytes are
 * text). Returns 1 when it matches and group `group` (0 = the whole match)
 * took part, with its bounds in [*so, *eo) (so, eo may be NULL); 0 when it
 * does not (or the group did not, or there is no such group); -1 when the
 * match gave up at a limit. */
int regexp_match(const struct regexp *re, const char *subject, size_t len, int group, size_t *so,
                 size_t *eo);

void regexp_free(struct regexp *re);

#endif
