/* expr.h — the expression language of Artillery's `ensure` conditions and
 * of a request's `ifTrue`. Artillery hands both to filtrex; loadtop reads
 * both with one lexer and one precedence-climbing parser into one tree,
 * and evaluates that tree with one evaluator. Where the two differ, the
 * caller picks a dialect; each keeps exactly what it did when it had a
 * parser of its own.
 *
 * EXPR_ENSURE (conditions over metrics, `--ensure`):
 *   or < and < == != < < <= > >= < + - < * / % < ^ < not, unary -
 *   (lowest precedence first: filtrex's own operator table, `not` binding
 *   tighter than comparisons, so `not a == b` is `(not a) == b`).
 *   Names start with a letter or `_` and hold letters, digits, `_`, `.` and
 *   `-` where a letter, digit or `_` follows (`vusers.created_by_name.log-in`;
 *   so write subtraction with spaces: `a - b`); any other name is quoted
 *   in single quotes: `'plugins.metrics-by-endpoint./up.codes.200'`.
 *   Numbers are digits[.digits]. Every metric named must exist, and a
 *   division or `%` by zero or a result that is not finite fails the check.
 *
 * EXPR_IFTRUE (a request's condition over its VU's variables):
 *   or < and < not < == != < <= > >= < + - < * / % < unary -
 *   (`not` binds looser than comparisons: `not a == b` is `not (a == b)`;
 *   comparisons do not chain: `a < b < c` is refused). `&&` and `||` are
 *   and/or too. Names are template paths, meaning what `{{ name }}` means:
 *   `status`, `user.id`, `items[0]`, `$loopCount`; `true` and `false` are
 *   1 and 0; where a value is expected, `and` and `or` are names, and so
 *   is `not` in the operand of a comparison, of `+ - * / %` or of a unary
 *   `-`. Strings are in double or single quotes (no escapes); numbers are
 *   what strtod reads (1e3, 0x1f). Values keep their JSON type: two
 *   strings compare as strings, anything else as numbers (a numeric string
 *   as its number, as JavaScript's == does); an undefined variable equals
 *   only another undefined one and is false. Nothing fails: x / 0 is what
 *   JavaScript makes of it.
 *
 * Both: parentheses; binary operators are left-associative; comparisons
 * and and/or/not give 1 or 0; a value is true when it is non-zero (in
 * ifTrue: and not NaN; a string when it is not empty). Messages differ
 * too: ensure's name what was found and what was expected ("expected `)`
 * for the `(` at column 1, found the end of the expression"), ifTrue's
 * the character met ("unexpected `=`"). Pure: no I/O, no globals. */
#ifndef LOADTOP_EXPR_H
#define LOADTOP_EXPR_H

#include "perr.h"
#include "template.h"

enum expr_dialect { EXPR_ENSURE, EXPR_IFTRUE };

enum expr_kind { EXPR_NUM, EXPR_STR, EXPR_NAME, EXPR_NEG, EXPR_NOT, EXPR_BIN };

enum expr_op {
    EXPR_OR,
    EXPR_AND,
    EXPR_EQ,
    EXPR_NE,
    EXPR_LT,
    EXPR_LE,
    EXPR_GT,
    EXPR_GE,
    EXPR_ADD,
    EXPR_SUB,
    EXPR_MUL,
    EXPR_DIV,
    EXPR_MOD,
    EXPR_POW,
};

struct expr {
    enum expr_kind kind;
    enum expr_op op;    /* EXPR_BIN */
    double num;         /* EXPR_NUM (ifTrue's true and false are 1 and 0) */
    char *name;         /* EXPR_NAME: the name, unquoted; EXPR_STR: the string; owned */
    char *tpl;          /* EXPR_NAME of EXPR_IFTRUE: "{{name}}", rendered to evaluate it */
    struct expr *l, *r; /* EXPR_BIN: both; EXPR_NEG, EXPR_NOT: l */
    int col;            /* 1-based column of the node's token in the text */
};

/* Bounds on what expr_parse accepts, since the tree is walked by
 * recursion: `(`, `not` and unary `-` nested at most EXPR_MAX_DEPTH deep,
 * and at most EXPR_MAX_OPS binary operators. */
#define EXPR_MAX_DEPTH 64
#define EXPR_MAX_OPS 1000

/* Parse `text` in dialect `d`. Returns the tree (free with expr_free; err
 * emptied), or NULL with *err (may be NULL) set: col, the 1-based column
 * of the problem, and msg. EXPR_ENSURE: "empty expression", "unexpected
 * `)`: no `(` to close", "`200ms` is not a number", "use `==` to compare";
 * EXPR_IFTRUE: "unexpected end of the condition", "missing `)` for `(` at
 * column 3" (at the `(`), "unterminated string", "bad variable name `a.`";
 * both: "nested more than 64 deep (the limit)", "more than 1000 operators
 * (the limit)". */
struct expr *expr_parse(const char *text, enum expr_dialect d, struct parse_error *err);
void expr_free(struct expr *e);

/* Looks a metric up: store its value and return 0, or return -1 if absent. */
typedef int (*expr_lookup_fn)(void *ctx, const char *name, double *out);

/* Evaluate an EXPR_ENSURE tree (or a subtree of one). Returns 0 with the
 * value in *out, or -1 with a heap message in *err_msg: every metric the
 * expression names must exist ("no metric named errors.EFOO", several are
 * listed), and a division or `%` by zero, or a result that is not a finite
 * number, fails ("division by zero at column 12"). and/or short-circuit,
 * so `x == 0 or y / x < 5` is safe. */
int expr_eval(const struct expr *e, expr_lookup_fn lookup, void *ctx, double *out, char **err_msg);

/* Evaluate an EXPR_IFTRUE tree over the variables of `ctx`: 1 when it
 * holds, else 0. */
int expr_test(const struct expr *e, const struct tpl_ctx *ctx);

/* Call `fn` on each distinct name in `e`, in order of first appearance. */
void expr_names(const struct expr *e, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
