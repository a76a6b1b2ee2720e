/* test_expr.c — the ensure expression language: precedence, names, errors. */
#include <stdlib.h>

#include "expr.h"
#include "test.h"

static const struct {
    const char *name;
    double v;
} metrics[] = {
    {"http.response_time.p99", 31.1},
    {"vusers.failed", 0},
    {"vusers.created", 40},
    {"vusers.completed", 30},
    {"http.codes.200", 3363},
    {"errors.ECONNRESET", 1422},
    {"http.request_rate", 318},
    {"vusers.created_by_name.log-in", 7},
    {"plugins.metrics-by-endpoint./up.codes.200", 5},
};

static int lookup(void *ctx, const char *name, double *out)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
        if (!strcmp(metrics[i].name, name)) {
            *out = metrics[i].v;
            return 0;
        }
    return -1;
}

/* Parse and evaluate; returns the value, or NAN with *msg set (caller frees). */
static double run(const char *text, char **msg)
{
    struct parse_error pe;
    *msg = NULL;
    struct expr *e = expr_parse(text, EXPR_ENSURE, &pe);
    if (!e) {
        *msg = strdup(pe.msg);
        return NAN;
    }
    double v;
    int rc = expr_eval(e, lookup, NULL, &v, msg);
    expr_free(e);
    return rc ? NAN : v;
}

static double val(const char *text)
{
    char *msg;
    double v = run(text, &msg);
    if (msg) {
        fprintf(stderr, "    %s: %s\n", text, msg);
        free(msg);
    }
    return v;
}

/* The parse error of `text` as "col: message" (heap). */
static char *perr(const char *text)
{
    struct parse_error pe;
    struct expr *e = expr_parse(text, EXPR_ENSURE, &pe);
    if (e) {
        expr_free(e);
        return strdup("parsed");
    }
    char *out = malloc(strlen(pe.msg) + 16);
    sprintf(out, "%d: %s", pe.col, pe.msg);
    return out;
}

#define ASSERT_PERR(text, expected)                                                                \
    do {                                                                                           \
        char *m_ = perr(text);                                                                     \
        int same_ = !strcmp(m_, expected);                                                         \
        if (!same_)                                                                                \
            fprintf(stderr, "    %s -> %s\n", text, m_);                                           \
        free(m_);                                                                                  \
        ASSERT(same_);                                                                             \
    } while (0)

TEST(expr_arithmetic_precedence)
{
    ASSERT_NEAR(val("1 + 2 * 3"), 7, 0);
    ASSERT_NEAR(val("(1 + 2) * 3"), 9, 0);
    ASSERT_NEAR(val("10 - 4 - 3"), 3, 0); /* left-associative */
    ASSERT_NEAR(val("2 ^ 3 ^ 2"), 64, 0); /* filtrex: ^ is left-associative too */
    ASSERT_NEAR(val("-2 ^ 2"), 4, 0);     /* unary minus binds tightest */
    ASSERT_NEAR(val("7 % 4 * 2"), 6, 0);
    ASSERT_NEAR(val("1.5 * 2"), 3, 0);
    ASSERT_NEAR(val("2 * -3"), -6, 0);
}

TEST(expr_logic_precedence)
{
    ASSERT_NEAR(val("1 or 0 and 0"), 1, 0); /* and binds tighter than or */
    ASSERT_NEAR(val("(1 or 0) and 0"), 0, 0);
    ASSERT_NEAR(val("1 + 1 == 2"), 1, 0);
    ASSERT_NEAR(val("1 < 2 == 1"), 1, 0); /* < binds tighter than == */
    ASSERT_NEAR(val("not 0"), 1, 0);
    ASSERT_NEAR(val("not 5 == 0"), 1, 0); /* (not 5) == 0, as in filtrex */
    ASSERT_NEAR(val("not (5 == 0)"), 1, 0);
    ASSERT_NEAR(val("2 and 3"), 1, 0); /* logic gives 0/1 */
    ASSERT_NEAR(val("3 >= 3 and 3 <= 3 and 3 != 4 and 4 > 3"), 1, 0);
}

TEST(expr_metric_names)
{
    ASSERT_NEAR(val("http.response_time.p99 < 200"), 1, 0);
    ASSERT_NEAR(val("vusers.failed == 0 and http.request_rate >= 5"), 1, 0);
    ASSERT_NEAR(val("http.codes.200 + errors.ECONNRESET"), 4785, 0);
    ASSERT_NEAR(val("vusers.created_by_name.log-in"), 7, 0); /* dash inside a name */
    ASSERT_NEAR(val("vusers.created - vusers.completed"), 10, 0);
    ASSERT_NEAR(val("(vusers.created - vusers.completed)/vusers.created * 100 <= 25"), 1, 0);
    ASSERT_NEAR(val("'plugins.metrics-by-endpoint./up.codes.200' == 5"), 1, 0);
}

TEST(expr_missing_metric_fails_naming_it)
{
    char *msg;
    ASSERT(isnan(run("errors.ETIMEDOUT < 1", &msg)));
    ASSERT_STR(msg, "no metric named errors.ETIMEDOUT");
    free(msg);
    /* every name must exist, even one `or` would not need */
    ASSERT(isnan(run("1 or foo.bar + baz > 0 or foo.bar", &msg)));
    ASSERT_STR(msg, "no metrics named foo.bar, baz");
    free(msg);
    /* `a-b` without spaces is one name */
    ASSERT(isnan(run("vusers.created-vusers.completed", &msg)));
    ASSERT_STR(msg, "no metric named vusers.created-vusers.completed");
    free(msg);
}

TEST(expr_division_by_zero_is_an_error)
{
    char *msg;
    ASSERT(isnan(run("vusers.created / vusers.failed > 1", &msg)));
    ASSERT_STR(msg, "division by zero at column 16");
    free(msg);
    ASSERT(isnan(run("5 % (1 - 1)", &msg)));
    ASSERT_STR(msg, "modulo by zero at column 3");
    free(msg);
    /* short-circuit: the guarded division is never reached */
    ASSERT_NEAR(val("vusers.failed == 0 or vusers.created / vusers.failed < 5"), 1, 0);
    ASSERT(isnan(run("(0 - 8) ^ 0.5", &msg)));
    ASSERT_STR(msg, "the result is not a finite number");
    free(msg);
}

TEST(expr_parse_errors_have_columns)
{
    ASSERT_PERR("", "1: empty expression");
    ASSERT_PERR("   ", "1: empty expression");
    ASSERT_PERR("a <", "4: expected a number or a metric name, found the end of the expression");
    ASSERT_PERR("(a < 1",
                "7: expected `)` for the `(` at column 1, found the end of the expression");
    ASSERT_PERR("a < 1)", "6: unexpected `)`: no `(` to close");
    ASSERT_PERR("a b", "3: expected an operator, found `b`");
    ASSERT_PERR("a = 1", "3: use `==` to compare");
    ASSERT_PERR("a && b", "3: use `and` instead of `&&`");
    ASSERT_PERR("!a", "1: use `not` instead of `!`");
    ASSERT_PERR("p99 < 200ms", "7: `200ms` is not a number");
    ASSERT_PERR("max(a, b) > 1", "4: functions are not supported (`max(`)");
    ASSERT_PERR("a < 'b", "5: missing closing `'` of a quoted name");
    ASSERT_PERR("a == \"x\"", "6: strings are not supported (quote a metric name with ')");
    ASSERT_PERR("a < 1 # x", "7: unexpected `#`");
    ASSERT_PERR("a * * b", "5: expected a number or a metric name, found `*`");
    ASSERT_PERR("a in (1, 2)", "3: `in` is not supported");
}

static void count_names(void *ctx, const char *name)
{
    (void)name;
    (*(int *)ctx)++;
}

TEST(expr_names_are_distinct)
{
    int n = 0;
    struct expr *e = expr_parse("a + b * a - c / b", EXPR_ENSURE, NULL);
    ASSERT(e);
    expr_names(e, count_names, &n);
    ASSERT_EQ(n, 3);
    ASSERT_EQ(e->kind, EXPR_BIN);
    ASSERT_EQ(e->op, EXPR_SUB);
    ASSERT_EQ(e->col, 11);
    expr_free(e);
}

/* `n` copies of `unit` then `tail`, on the heap. */
static char *repeat(const char *unit, int n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * (size_t)n + t + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + u * (size_t)i, unit, u);
    memcpy(s + u * (size_t)n, tail, t + 1);
    return s;
}

TEST(expr_nesting_and_size_are_bounded)
{
    /* 64 levels parse; the 65th `(`, unary `-` or `not` is refused at its column */
    char *open = repeat("(", 64, "1"), *close = repeat(")", 64, ""), ok[200];
    snprintf(ok, sizeof ok, "%s%s", open, close);
    char *deep = repeat("(", 65, "1");
    char *huge = repeat("(", 100000, "1"); /* a SIGSEGV before the bound */
    char *neg = repeat("-", 100000, "1");
    char *nots = repeat("not ", 65, "a");
    ASSERT_PERR(ok, "parsed");
    ASSERT_PERR(deep, "65: nested more than 64 deep (the limit)");
    ASSERT_PERR(huge, "65: nested more than 64 deep (the limit)");
    ASSERT_PERR(neg, "65: nested more than 64 deep (the limit)");
    ASSERT_PERR(nots, "257: nested more than 64 deep (the limit)");
    free(open);
    free(close);
    free(deep);
    free(huge);
    free(neg);
    free(nots);
    /* a left-leaning chain is as deep as it is long: 1000 operators, not 1001 */
    char *sum = repeat("1 + ", 1000, "1"), *more = repeat("1 + ", 100000, "1");
    ASSERT_NEAR(val(sum), 1001, 0);
    ASSERT_PERR(more, "4003: more than 1000 operators (the limit)");
    free(sum);
    free(more);
}

/* The two dialects parse the same text differently where they always did
 * (expr.h): ensure's `not` binds tighter than a comparison, ifTrue's
 * looser; quotes make a name or a string; && is ifTrue's only. */
TEST(expr_dialects_keep_their_differences)
{
    struct expr *e = expr_parse("not a == b", EXPR_ENSURE, NULL);
    ASSERT(e && e->kind == EXPR_BIN && e->op == EXPR_EQ && e->l->kind == EXPR_NOT);
    expr_free(e);
    e = expr_parse("not a == b", EXPR_IFTRUE, NULL);
    ASSERT(e && e->kind == EXPR_NOT && e->l->kind == EXPR_BIN && e->l->op == EXPR_EQ);
    expr_free(e);
    e = expr_parse("'x.y' < 1", EXPR_ENSURE, NULL);
    ASSERT(e && e->l->kind == EXPR_NAME);
    ASSERT_STR(e->l->name, "x.y");
    expr_free(e);
    e = expr_parse("'x.y' < 1", EXPR_IFTRUE, NULL);
    ASSERT(e && e->l->kind == EXPR_STR);
    ASSERT_STR(e->l->name, "x.y");
    expr_free(e);
    struct parse_error pe;
    ASSERT(!expr_parse("a && b", EXPR_ENSURE, &pe));
    ASSERT_STR(pe.msg, "use `and` instead of `&&`");
    e = expr_parse("a && b", EXPR_IFTRUE, &pe);
    ASSERT(e && e->kind == EXPR_BIN && e->op == EXPR_AND);
    ASSERT_STR(pe.msg, ""); /* emptied on success */
    expr_free(e);
    /* a comparison chains in ensure, not in ifTrue */
    e = expr_parse("1 < 2 == 1", EXPR_ENSURE, NULL);
    ASSERT(e && e->op == EXPR_EQ);
    expr_free(e);
    ASSERT(!expr_parse("1 < 2 == 1", EXPR_IFTRUE, &pe));
    ASSERT_STR(pe.msg, "unexpected `=`");
    ASSERT_EQ(pe.col, 7);
    /* `and` where a value is expected: an error in ensure, a name in ifTrue */
    ASSERT(!expr_parse("and == 1", EXPR_ENSURE, &pe));
    ASSERT_STR(pe.msg, "expected a number or a metric name, found `and`");
    e = expr_parse("and == 1", EXPR_IFTRUE, NULL);
    ASSERT(e && e->l->kind == EXPR_NAME);
    ASSERT_STR(e->l->name, "and");
    expr_free(e);
}
