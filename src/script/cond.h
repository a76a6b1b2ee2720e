/* cond.h — the conditions of Artillery's request `ifTrue`: filtrex-style
 * expressions over a VU's variables, the part scripts use:
 *   or  <  and  <  not  <  == != < <= > >=  <  + -  <  * / %  <  unary -
 * (lowest precedence first; `&&` and `||` are accepted for and/or),
 * parentheses, numbers, strings in double or single quotes, true/false,
 * and variable names as template paths (`status`, `user.id`, `items[0]`,
 * `$loopCount`). Values keep their JSON type: two strings compare as
 * strings, anything else as numbers (a numeric string counts as its
 * number, as JavaScript's == does); an undefined variable equals only
 * another undefined one and is false. Pure: no I/O, no globals. */
#ifndef LOADTOP_COND_H
#define LOADTOP_COND_H

#include "template.h"

struct cond;

/* Bounds on what cond_parse accepts, since the tree is walked by
 * recursion: `(`, `-` and `not` nested at most COND_MAX_DEPTH deep, and at
 * most COND_MAX_OPS binary operators. */
#define COND_MAX_DEPTH 64
#define COND_MAX_OPS 1000

/* Parse `text`. Returns the tree (free with cond_free), or NULL with
 * *err_col set to the 1-based column of the problem and *err_msg to a heap
 * message the caller frees ("unexpected `)`", "unterminated string",
 * "nested more than 64 deep (the limit)"). */
struct cond *cond_parse(const char *text, int *err_col, char **err_msg);
void cond_free(struct cond *c);

/* 1 when `c` holds for the variables of `ctx`, else 0. */
int cond_eval(const struct cond *c, const struct tpl_ctx *ctx);

#endif
