/* expr.h — the expression language of Artillery's `ensure` conditions
 * (filtrex 2's numeric subset): numbers, metric names, parentheses and
 *   or  <  and  <  == !=  <  < <= > >=  <  + -  <  * / %  <  ^  <  not, unary -
 * (lowest precedence first, all left-associative; as in filtrex, `not`
 * binds tighter than comparisons: `not a == b` is `(not a) == b`).
 * Names start with a letter or `_` and hold letters, digits, `_`, `.` and
 * `-` where a letter, digit or `_` follows (`vusers.created_by_name.log-in`);
 * so write subtraction with spaces: `a - b`. Any other name can be quoted
 * in single quotes: `'plugins.metrics-by-endpoint./up.codes.200'`.
 * Comparisons and and/or/not give 1 or 0; a value is true when non-zero.
 * Pure: no I/O, no globals. */
#ifndef LOADTOP_EXPR_H
#define LOADTOP_EXPR_H

enum expr_kind { EXPR_NUM, EXPR_NAME, EXPR_NEG, EXPR_NOT, EXPR_BIN };

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
    double num;         /* EXPR_NUM */
    char *name;         /* EXPR_NAME, owned */
    struct expr *l, *r; /* EXPR_BIN: both; EXPR_NEG, EXPR_NOT: l */
    int col;            /* 1-based column of the node's token in the text */
};

/* Bounds on what expr_parse accepts, since the tree is walked by
 * recursion: `(`, `not` and unary `-` nested at most EXPR_MAX_DEPTH deep,
 * and at most EXPR_MAX_OPS binary operators. */
#define EXPR_MAX_DEPTH 64
#define EXPR_MAX_OPS 1000

/* Parse `text`. Returns the tree (free with expr_free), or NULL with
 * *err_col set to the 1-based column of the problem and *err_msg to a heap
 * message the caller frees ("unexpected `)`", "missing `)` for `(` at
 * column 3", "nested more than 64 deep (the limit)", ...). */
struct expr *expr_parse(const char *text, int *err_col, char **err_msg);
void expr_free(struct expr *e);

/* Looks a metric up: store its value and return 0, or return -1 if absent. */
typedef int (*expr_lookup_fn)(void *ctx, const char *name, double *out);

/* Evaluate `e`. Returns 0 with the value in *out, or -1 with a heap message
 * in *err_msg: every metric the expression names must exist ("no metric
 * named errors.EFOO", several are listed), and a division or `%` by zero,
 * or a result that is not a finite number, fails ("division by zero at
 * column 12"). and/or short-circuit, so `x == 0 or y / x < 5` is safe. */
int expr_eval(const struct expr *e, expr_lookup_fn lookup, void *ctx, double *out, char **err_msg);

/* Call `fn` on each distinct name in `e`, in order of first appearance. */
void expr_names(const struct expr *e, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
