/* expr.c — see expr.h. A hand-written lexer and a precedence-climbing
 * parser; the error messages name what was found and what was expected,
 * since these expressions are typed by hand into YAML or a shell. */
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum tok {
    T_END,
    T_NUM,
    T_NAME,
    T_LP,
    T_RP,
    T_NOT,
    T_NEG, /* T_NEG: only as a unary operator */
    T_BIN,
    T_BAD,
};

struct lexer {
    const char *s;
    size_t pos;
    /* current token */
    enum tok t;
    enum expr_op op;
    double num;
    char *name;
    int col;
    /* first error */
    int err_col;
    char *err;
    /* bounds: the tree is walked by recursion (free, names, eval) */
    int depth, ops;
};

static int name_start(int c)
{
    return isalpha(c) || c == '_';
}

static int name_char(int c)
{
    return isalnum(c) || c == '_';
}

static void fail(struct lexer *L, int col, char *msg)
{
    if (L->err) {
        free(msg);
        return;
    }
    L->err = msg;
    L->err_col = col;
}

/* A word of the text for messages: the token at `at`, at most 20 bytes. */
static char *word_at(const char *s)
{
    size_t n = 1;
    if (name_start((unsigned char)*s) || isdigit((unsigned char)*s))
        while (s[n] && n < 20 && (name_char((unsigned char)s[n]) || s[n] == '.'))
            n++;
    else if (strchr("=!<>&|", *s) && s[1] && strchr("=&|", s[1]))
        n = 2;
    return xstrndup(s, n);
}

static void next(struct lexer *L)
{
    const char *s = L->s;
    free(L->name);
    L->name = NULL;
    while (isspace((unsigned char)s[L->pos]))
        L->pos++;
    size_t p = L->pos;
    L->col = (int)p + 1;
    char c = s[p];
    if (!c) {
        L->t = T_END;
        return;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[p + 1]))) {
        char *end;
        L->num = strtod(s + p, &end);
        /* strtod would take "1e3", hex, "inf"; filtrex numbers are digits[.digits] */
        size_t q = p;
        while (isdigit((unsigned char)s[q]) || s[q] == '.')
            q++;
        if (end != s + q || name_char((unsigned char)s[q])) {
            char *w = word_at(s + p);
            fail(L, L->col, xasprintf("`%s` is not a number", w));
            free(w);
            L->t = T_BAD;
            return;
        }
        L->pos = q;
        L->t = T_NUM;
        return;
    }
    if (name_start((unsigned char)c)) {
        size_t q = p;
        while (name_char((unsigned char)s[q]) || s[q] == '.' ||
               (s[q] == '-' && name_char((unsigned char)s[q + 1])))
            q++;
        L->pos = q;
        size_t n = q - p;
        static const struct {
            const char *w;
            enum tok t;
            enum expr_op op;
        } kw[] = {{"and", T_BIN, EXPR_AND}, {"or", T_BIN, EXPR_OR}, {"not", T_NOT, 0}};
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
            if (strlen(kw[i].w) == n && !strncmp(s + p, kw[i].w, n)) {
                L->t = kw[i].t;
                L->op = kw[i].op;
                return;
            }
        if (n == 2 && !strncmp(s + p, "in", 2)) {
            fail(L, L->col, xstrdup("`in` is not supported"));
            L->t = T_BAD;
            return;
        }
        L->name = xstrndup(s + p, n);
        L->t = T_NAME;
        return;
    }
    if (c == '\'') {
        const char *end = strchr(s + p + 1, '\'');
        if (!end) {
            fail(L, L->col, xstrdup("missing closing `'` of a quoted name"));
            L->t = T_BAD;
            return;
        }
        if (end == s + p + 1) {
            fail(L, L->col, xstrdup("empty quoted name"));
            L->t = T_BAD;
            return;
        }
        L->name = xstrndup(s + p + 1, (size_t)(end - s - p - 1));
        L->pos = (size_t)(end - s) + 1;
        L->t = T_NAME;
        return;
    }
    static const struct {
        const char *w;
        enum tok t;
        enum expr_op op;
    } ops[] = {
        {"==", T_BIN, EXPR_EQ}, {"!=", T_BIN, EXPR_NE}, {"<=", T_BIN, EXPR_LE},
        {">=", T_BIN, EXPR_GE}, {"<", T_BIN, EXPR_LT},  {">", T_BIN, EXPR_GT},
        {"+", T_BIN, EXPR_ADD}, {"-", T_BIN, EXPR_SUB}, {"*", T_BIN, EXPR_MUL},
        {"/", T_BIN, EXPR_DIV}, {"%", T_BIN, EXPR_MOD}, {"^", T_BIN, EXPR_POW},
        {"(", T_LP, 0},         {")", T_RP, 0},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].w);
        if (!strncmp(s + p, ops[i].w, n)) {
            L->pos = p + n;
            L->t = ops[i].t;
            L->op = ops[i].op;
            return;
        }
    }
    /* Habits from other languages get a pointed hint. */
    static const struct {
        const char *w, *msg;
    } hints[] = {
        {"&&", "use `and` instead of `&&`"},
        {"||", "use `or` instead of `||`"},
        {"=", "use `==` to compare"},
        {"!", "use `not` instead of `!`"},
        {"\"", "strings are not supported (quote a metric name with ')"},
        {",", "functions and lists are not supported"},
        {"?", "`? :` is not supported"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (!strncmp(s + p, hints[i].w, strlen(hints[i].w))) {
            fail(L, L->col, xstrdup(hints[i].msg));
            L->t = T_BAD;
            return;
        }
    char *w = word_at(s + p);
    fail(L, L->col, xasprintf("unexpected `%s`", w));
    free(w);
    L->t = T_BAD;
}

static struct expr *node(enum expr_kind k, int col)
{
    struct expr *e = xcalloc(1, sizeof *e);
    e->kind = k;
    e->col = col;
    return e;
}

void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_free(e->l);
    expr_free(e->r);
    free(e->name);
    free(e);
}

static int prec(enum expr_op op)
{
    switch (op) {
    case EXPR_OR:
        return 1;
    case EXPR_AND:
        return 2;
    case EXPR_EQ:
    case EXPR_NE:
        return 3;
    case EXPR_LT:
    case EXPR_LE:
    case EXPR_GT:
    case EXPR_GE:
        return 4;
    case EXPR_ADD:
    case EXPR_SUB:
        return 5;
    case EXPR_MUL:
    case EXPR_DIV:
    case EXPR_MOD:
        return 6;
    case EXPR_POW:
        return 7;
    }
    return 0;
}

/* What the current token is, for "expected X, found Y" messages. */
static char *found(const struct lexer *L)
{
    if (L->t == T_END)
        return xstrdup("the end of the expression");
    char *w = word_at(L->s + L->col - 1);
    char *m = xasprintf("`%s`", w);
    free(w);
    return m;
}

static struct expr *parse_binary(struct lexer *L, int min_prec);

static struct expr *parse_unary_at(struct lexer *L);

/* Each `(`, `not` and unary `-` is a level of recursion: bound them. */
static struct expr *parse_unary(struct lexer *L)
{
    if ((L->t == T_LP || L->t == T_NOT || (L->t == T_BIN && L->op == EXPR_SUB)) &&
        L->depth == EXPR_MAX_DEPTH) {
        fail(L, L->col, xasprintf("nested more than %d deep (the limit)", EXPR_MAX_DEPTH));
        return NULL;
    }
    L->depth++;
    struct expr *e = parse_unary_at(L);
    L->depth--;
    return e;
}

static struct expr *parse_unary_at(struct lexer *L)
{
    int col = L->col;
    if (L->t == T_NOT || (L->t == T_BIN && L->op == EXPR_SUB)) {
        struct expr *e = node(L->t == T_NOT ? EXPR_NOT : EXPR_NEG, col);
        next(L);
        e->l = parse_unary(L);
        if (!e->l) {
            expr_free(e);
            return NULL;
        }
        return e;
    }
    if (L->t == T_NUM) {
        struct expr *e = node(EXPR_NUM, col);
        e->num = L->num;
        next(L);
        return e;
    }
    if (L->t == T_NAME) {
        struct expr *e = node(EXPR_NAME, col);
        e->name = L->name;
        L->name = NULL;
        next(L);
        if (L->t == T_LP) {
            fail(L, L->col, xasprintf("functions are not supported (`%s(`)", e->name));
            expr_free(e);
            return NULL;
        }
        return e;
    }
    if (L->t == T_LP) {
        next(L);
        struct expr *e = parse_binary(L, 1);
        if (!e)
            return NULL;
        if (L->t != T_RP) {
            char *f = found(L);
            fail(L, L->col, xasprintf("expected `)` for the `(` at column %d, found %s", col, f));
            free(f);
            expr_free(e);
            return NULL;
        }
        next(L);
        return e;
    }
    if (L->t != T_BAD) {
        char *f = found(L);
        fail(L, L->col, xasprintf("expected a number or a metric name, found %s", f));
        free(f);
    }
    return NULL;
}

static struct expr *parse_binary(struct lexer *L, int min_prec)
{
    struct expr *l = parse_unary(L);
    while (l && L->t == T_BIN && prec(L->op) >= min_prec) {
        if (++L->ops > EXPR_MAX_OPS) {
            fail(L, L->col, xasprintf("more than %d operators (the limit)", EXPR_MAX_OPS));
            expr_free(l);
            return NULL;
        }
        struct expr *e = node(EXPR_BIN, L->col);
        e->op = L->op;
        e->l = l;
        next(L);
        e->r = parse_binary(L, prec(e->op) + 1);
        if (!e->r) {
            expr_free(e);
            return NULL;
        }
        l = e;
    }
    return l;
}

struct expr *expr_parse(const char *text, int *err_col, char **err_msg)
{
    struct lexer L = {.s = text};
    next(&L);
    struct expr *e = NULL;
    if (L.t == T_END)
        fail(&L, 1, xstrdup("empty expression"));
    else
        e = parse_binary(&L, 1);
    if (e && L.t != T_END) {
        char *f = found(&L);
        fail(&L, L.col,
             xasprintf(L.t == T_RP ? "unexpected %s: no `(` to close"
                                   : "expected an operator, found %s",
                       f));
        free(f);
    }
    free(L.name);
    if (L.err) {
        expr_free(e);
        *err_col = L.err_col;
        *err_msg = L.err;
        return NULL;
    }
    *err_col = 0;
    *err_msg = NULL;
    return e;
}

/* ---- names ------------------------------------------------------------ */

struct names {
    const char **v;
    int n, cap;
};

static void collect(const struct expr *e, struct names *ns)
{
    if (!e)
        return;
    if (e->kind == EXPR_NAME) {
        for (int i = 0; i < ns->n; i++)
            if (!strcmp(ns->v[i], e->name))
                return;
        if (ns->n == ns->cap) {
            ns->cap = ns->cap ? 2 * ns->cap : 8;
            ns->v = xrealloc(ns->v, sizeof *ns->v * (size_t)ns->cap);
        }
        ns->v[ns->n++] = e->name;
    }
    collect(e->l, ns);
    collect(e->r, ns);
}

void expr_names(const struct expr *e, void (*fn)(void *ctx, const char *name), void *ctx)
{
    struct names ns = {0};
    collect(e, &ns);
    for (int i = 0; i < ns.n; i++)
        fn(ctx, ns.v[i]);
    free(ns.v);
}

/* ---- evaluation -------------------------------------------------------- */

struct eval {
    expr_lookup_fn lookup;
    void *ctx;
    char *err;
};

static double eval(const struct expr *e, struct eval *ev)
{
    double a, b;
    switch (e->kind) {
    case EXPR_NUM:
        return e->num;
    case EXPR_NAME:
        return ev->lookup(ev->ctx, e->name, &a) ? 0 : a; /* presence was checked first */
    case EXPR_NEG:
        return -eval(e->l, ev);
    case EXPR_NOT:
        return eval(e->l, ev) == 0;
    case EXPR_BIN:
        break;
    }
    a = eval(e->l, ev);
    if (ev->err)
        return 0;
    if (e->op == EXPR_AND && a == 0)
        return 0;
    if (e->op == EXPR_OR && a != 0)
        return 1;
    b = eval(e->r, ev);
    if (ev->err)
        return 0;
    switch (e->op) {
    case EXPR_OR:
    case EXPR_AND:
        return b != 0;
    case EXPR_EQ:
        return a == b;
    case EXPR_NE:
        return a != b;
    case EXPR_LT:
        return a < b;
    case EXPR_LE:
        return a <= b;
    case EXPR_GT:
        return a > b;
    case EXPR_GE:
        return a >= b;
    case EXPR_ADD:
        return a + b;
    case EXPR_SUB:
        return a - b;
    case EXPR_MUL:
        return a * b;
    case EXPR_DIV:
    case EXPR_MOD:
        if (b == 0) {
            ev->err = xasprintf("%s by zero at column %d",
                                e->op == EXPR_DIV ? "division" : "modulo", e->col);
            return 0;
        }
        return e->op == EXPR_DIV ? a / b : fmod(a, b);
    case EXPR_POW:
        return pow(a, b);
    }
    return 0;
}

struct missing {
    expr_lookup_fn lookup;
    void *ctx;
    struct buf list;
    int n;
};

static void check_name(void *ctx, const char *name)
{
    struct missing *m = ctx;
    double v;
    if (!m->lookup(m->ctx, name, &v))
        return;
    buf_printf(&m->list, "%s%s", m->n++ ? ", " : "", name);
}

int expr_eval(const struct expr *e, expr_lookup_fn lookup, void *ctx, double *out, char **err_msg)
{
    struct missing m = {.lookup = lookup, .ctx = ctx};
    expr_names(e, check_name, &m);
    if (m.n) {
        *err_msg = xasprintf("no metric%s named %s", m.n > 1 ? "s" : "", m.list.data);
        buf_free(&m.list);
        return -1;
    }
    struct eval ev = {lookup, ctx, NULL};
    double v = eval(e, &ev);
    if (!ev.err && !isfinite(v))
        ev.err = xstrdup("the result is not a finite number");
    if (ev.err) {
        *err_msg = ev.err;
        return -1;
    }
    *out = v;
    *err_msg = NULL;
    return 0;
}
