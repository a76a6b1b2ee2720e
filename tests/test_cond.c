/* test_cond.c — ifTrue conditions (expr.h's EXPR_IFTRUE dialect): parse
 * errors with columns, and values over typed variables. */
#include <stdlib.h>

#include "expr.h"
#include "test.h"

/* The condition over `vars_json`: 1 / 0, or -1 when it does not parse. */
static int holds(const char *text, const char *vars_json)
{
    struct expr *c = expr_parse(text, EXPR_IFTRUE, NULL);
    if (!c)
        return -1;
    json_t *vars = json_loads(vars_json, 0, NULL);
    struct tpl_ctx tc = {vars, NULL, NULL, NULL};
    int r = expr_test(c, &tc);
    json_decref(vars);
    expr_free(c);
    return r;
}

static const char vars[] = "{\"status\": 200, \"role\": \"admin\", \"n\": \"7\", \"zero\": 0,"
                           " \"ok\": true, \"user\": {\"id\": 3, \"tags\": [\"a\", \"b\"]},"
                           " \"$loopCount\": 2, \"empty\": \"\"}";

TEST(cond_values)
{
    ASSERT_EQ(holds("status == 200", vars), 1);
    ASSERT_EQ(holds("status != 200", vars), 0);
    ASSERT_EQ(holds("status >= 200 and status < 300", vars), 1);
    ASSERT_EQ(holds("status > 200 or role == 'admin'", vars), 1);
    ASSERT_EQ(holds("role == \"admin\" && not ok", vars), 0);
    ASSERT_EQ(holds("role != 'guest'", vars), 1);
    ASSERT_EQ(holds("n == 7", vars), 1); /* a numeric string equals its number */
    ASSERT_EQ(holds("n == '7'", vars), 1);
    ASSERT_EQ(holds("n < 10", vars), 1);
    ASSERT_EQ(holds("role < 'b'", vars), 1); /* two strings compare as strings */
    ASSERT_EQ(holds("user.id * 2 + 1 == 7", vars), 1);
    ASSERT_EQ(holds("user.tags[1] == 'b'", vars), 1);
    ASSERT_EQ(holds("$loopCount % 2 == 0", vars), 1);
    ASSERT_EQ(holds("-zero == 0 and -(status) < 0", vars), 1);
    ASSERT_EQ(holds("ok", vars), 1);
    ASSERT_EQ(holds("zero", vars), 0);
    ASSERT_EQ(holds("empty", vars), 0);
    ASSERT_EQ(holds("missing", vars), 0);      /* undefined is false ... */
    ASSERT_EQ(holds("missing == 0", vars), 0); /* ... and equals nothing defined */
    ASSERT_EQ(holds("missing == other", vars), 1);
    ASSERT_EQ(holds("missing < 1", vars), 0);
    ASSERT_EQ(holds("not (status == 200 and zero)", vars), 1);
    ASSERT_EQ(holds("true and not false", vars), 1);
    ASSERT_EQ(holds("android == 1", vars), 0); /* "and" inside a name is not the operator */
}

TEST(cond_parse_errors)
{
    static const struct {
        const char *text, *msg;
        int col;
    } bad[] = {
        {"status ==", "unexpected end of the condition", 10},
        {"(a == 1", "missing `)` for `(` at column 1", 1},
        {"a == 'x", "unterminated string", 6},
        {"a == 1)", "unexpected `)`", 7},
        {"a = 1", "unexpected `=`", 3},
        {"a == 1 == 2", "unexpected `=`", 8},
        {"a.", "bad variable name `a.`", 1},
        {"", "unexpected end of the condition", 1},
        {"((", "unexpected end of the condition", 3}, /* read past the end before */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct parse_error pe;
        ASSERT(expr_parse(bad[i].text, EXPR_IFTRUE, &pe) == NULL);
        ASSERT_STR(pe.msg, bad[i].msg);
        ASSERT_EQ(pe.col, bad[i].col);
    }
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

TEST(cond_nesting_and_size_are_bounded)
{
    static const struct {
        const char *unit, *tail;
        int n, col;
        const char *msg;
    } bad[] = {
        {"(", "1", 100000, 65, "nested more than 64 deep (the limit)"}, /* a SIGSEGV before */
        {"(", "1", 65, 65, "nested more than 64 deep (the limit)"},
        {"-", "1", 100000, 65, "nested more than 64 deep (the limit)"},
        {"not ", "ok", 65, 257, "nested more than 64 deep (the limit)"},
        {"1 + ", "1", 100000, 4003, "more than 1000 operators (the limit)"},
        {"a or ", "b", 1001, 5003, "more than 1000 operators (the limit)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = repeat(bad[i].unit, bad[i].n, bad[i].tail);
        struct parse_error pe;
        ASSERT(expr_parse(text, EXPR_IFTRUE, &pe) == NULL);
        ASSERT_STR(pe.msg, bad[i].msg);
        ASSERT_EQ(pe.col, bad[i].col);
        free(text);
    }
    /* just inside the bounds */
    char *open = repeat("(", 64, "1"), *close = repeat(")", 64, ""), text[200];
    snprintf(text, sizeof text, "%s%s", open, close);
    ASSERT_EQ(holds(text, vars), 1);
    free(open);
    free(close);
    char *ops = repeat("1 + ", 1000, "1 == 1001"); /* 1001 operators with the comparison */
    ASSERT_EQ(holds(ops, vars), -1);
    free(ops);
    ops = repeat("1 + ", 999, "1 == 1000");
    ASSERT_EQ(holds(ops, vars), 1);
    free(ops);
}
