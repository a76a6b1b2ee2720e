/* expr.c — see expr.h: the lexer and the parser of both dialects (the
 * evaluator is expr_eval.c). One hand-written lexer, one precedence-
 * climbing parser; a dialect is a precedence table and the few places
 * marked `ifTrue` or `ensure` below. The messages name what was found,
 * since these expressions are typed by hand into YAML or a shell.
 *
 * Two habits of ifTrue's former recursive-descent parser are kept with
 * care: a word that is an operator in one place is a variable's name in
 * another (`and`, `or` where a value is expected; `not` in the operand of
 * a comparison or arithmetic), and a comparison may not follow a
 * comparison, so that the parse stops there and the message names that
 * spot. */
#include "expr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum tok { T_END, T_NUM, T_STR, T_NAME, T_LP, T_RP, T_NOT, T_BIN, T_BAD };

/* Precedence of each binary operator (0: not one) per dialect; ifTrue's
 * `not` takes an operand of NOT_PREC. */
static const int precedence[2][EXPR_POW + 1] = {
    [EXPR_ENSURE] = {1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 7},
    [EXPR_IFTRUE] = {1, 2, 3, 3, 3, 3, 3, 3, 5, 5, 6, 6, 6, 0},
};
#define NOT_PREC 3

struct lexer {
    const char *s;
    enum expr_dialect d;
    size_t pos; /* where the next token is looked for */
    /* the current token */
    enum tok t;
    enum expr_op op;
    double num;
    char *text;    /* T_NAME, T_STR (owned); T_BAD: what is wrong, or NULL (owned) */
    int col;       /* 1-based column of its first character */
    int word;      /* ifTrue: it is the word `and`, `or` or `not` */
    int after_cmp; /* ifTrue: it follows a comparison */
    /* the first error */
    struct parse_error *err;
    int failed;
    /* bounds: the tree is walked by recursion (free, names, eval) */
    int depth, ops;
};

static int is_ifTrue(const struct lexer *L)
{
    return L->d == EXPR_IFTRUE;
}

static int name_start(const struct lexer *L, int c)
{
    return isalpha(c) || c == '_' || (is_ifTrue(L) && c == '$');
}

static int name_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Record the first error only; takes `msg` (heap). */
static void fail(struct lexer *L, int col, char *msg)
{
    if (!L->failed) {
        L->failed = 1;
        perr_set(L->err, 0, col, "%s", msg);
    }
    free(msg);
}

/* A word of the text for ensure's messages: the token at `s`, at most 20
 * bytes. */
static char *word_at(const char *s)
{
    size_t n = 1;
    if (isalpha((unsigned char)*s) || *s == '_' || isdigit((unsigned char)*s))
        while (s[n] && n < 20 && (name_char((unsigned char)s[n]) || s[n] == '.'))
            n++;
    else if (strchr("=!<>&|", *s) && s[1] && strchr("=&|", s[1]))
        n = 2;
    return xstrndup(s, n);
}

/* A token that is no token: `msg` (heap) says why; NULL in ifTrue, whose
 * messages are made where the token is met. */
static void bad(struct lexer *L, char *msg)
{
    L->t = T_BAD;
    L->text = msg;
}

/* A name at p: ensure's [A-Za-z_][A-Za-z0-9_.]* with `-` before a name
 * character; ifTrue's template path [A-Za-z_$][A-Za-z0-9_$.[\]]*. */
static void lex_name(struct lexer *L, size_t p)
{
    const char *s = L->s;
    size_t q = p;
    if (is_ifTrue(L))
        while (isalnum((unsigned char)s[q]) || (s[q] && strchr("_$.[]", s[q])))
            q++;
    else
        while (name_char((unsigned char)s[q]) || s[q] == '.' ||
               (s[q] == '-' && name_char((unsigned char)s[q + 1])))
            q++;
    L->pos = q;
    L->t = T_NAME;
    L->text = xstrndup(s + p, q - p);
}

/* A name at p, or what reads like one: ifTrue's true and false, ensure's
 * `in` (filtrex's, not supported). */
static void lex_ident(struct lexer *L, size_t p)
{
    lex_name(L, p);
    if (is_ifTrue(L) && (!strcmp(L->text, "true") || !strcmp(L->text, "false"))) {
        L->t = T_NUM;
        L->num = L->text[0] == 't';
        free(L->text);
        L->text = NULL;
    } else if (!is_ifTrue(L) && !strcmp(L->text, "in")) {
        free(L->text);
        bad(L, xstrdup("`in` is not supported"));
    }
}

/* `w` at p as a whole word: ensure, when the name there is `w`; ifTrue,
 * when no letter, digit, `_` or `$` follows. */
static int word_is(const struct lexer *L, size_t p, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(L->s + p, w, n))
        return 0;
    int c = (unsigned char)L->s[p + n];
    if (is_ifTrue(L))
        return !(isalnum(c) || c == '_' || c == '$');
    return !(name_char(c) || c == '.' || (c == '-' && name_char((unsigned char)L->s[p + n + 1])));
}

/* `and`, `or`, `not` at p: 1 with the token read, else 0. */
static int lex_word(struct lexer *L, size_t p)
{
    static const struct {
        const char *w;
        enum tok t;
        enum expr_op op;
    } kw[] = {{"and", T_BIN, EXPR_AND}, {"or", T_BIN, EXPR_OR}, {"not", T_NOT, 0}};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (word_is(L, p, kw[i].w)) {
            L->t = kw[i].t;
            L->op = kw[i].op;
            L->pos = p + strlen(kw[i].w);
            L->word = 1;
            return 1;
        }
    return 0;
}

static void lex_number(struct lexer *L, size_t p)
{
    const char *s = L->s;
    char *end;
    L->num = strtod(s + p, &end);
    L->t = T_NUM;
    if (is_ifTrue(L)) {
        L->pos = (size_t)(end - s);
        return;
    }
    /* strtod would take "1e3", hex, "inf"; filtrex numbers are digits[.digits] */
    size_t q = p;
    while (isdigit((unsigned char)s[q]) || s[q] == '.')
        q++;
    L->pos = q;
    if (end != s + q || name_char((unsigned char)s[q])) {
        char *w = word_at(s + p);
        bad(L, xasprintf("`%s` is not a number", w));
        free(w);
    }
}

/* A quoted string (ifTrue) or name (ensure) at p. */
static void lex_quoted(struct lexer *L, size_t p)
{
    const char *s = L->s, *end = strchr(s + p + 1, s[p]);
    if (!end) {
        bad(L, is_ifTrue(L) ? NULL : xstrdup("missing closing `'` of a quoted name"));
        return;
    }
    if (!is_ifTrue(L) && end == s + p + 1) {
        bad(L, xstrdup("empty quoted name"));
        return;
    }
    L->t = is_ifTrue(L) ? T_STR : T_NAME;
    L->text = xstrndup(s + p + 1, (size_t)(end - s - p - 1));
    L->pos = (size_t)(end - s) + 1;
}

static void lex_operator(struct lexer *L, size_t p)
{
    static const struct {
        const char *w;
        enum tok t;
        enum expr_op op;
        int ifTrue_only;
    } ops[] = {
        {"==", T_BIN, EXPR_EQ, 0}, {"!=", T_BIN, EXPR_NE, 0}, {"<=", T_BIN, EXPR_LE, 0},
        {">=", T_BIN, EXPR_GE, 0}, {"<", T_BIN, EXPR_LT, 0},  {">", T_BIN, EXPR_GT, 0},
        {"+", T_BIN, EXPR_ADD, 0}, {"-", T_BIN, EXPR_SUB, 0}, {"*", T_BIN, EXPR_MUL, 0},
        {"/", T_BIN, EXPR_DIV, 0}, {"%", T_BIN, EXPR_MOD, 0}, {"^", T_BIN, EXPR_POW, 0},
        {"(", T_LP, 0, 0},         {")", T_RP, 0, 0},         {"&&", T_BIN, EXPR_AND, 1},
        {"||", T_BIN, EXPR_OR, 1},
    };
    /* Habits from other languages get a pointed hint in ensure. */
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
    const char *s = L->s;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].w);
        if (strncmp(s + p, ops[i].w, n) || (ops[i].ifTrue_only && !is_ifTrue(L)) ||
            (ops[i].t == T_BIN && !precedence[L->d][ops[i].op]))
            continue;
        L->pos = p + n;
        L->t = ops[i].t;
        L->op = ops[i].op;
        return;
    }
    if (is_ifTrue(L)) { /* said where it is met: "unexpected `=`" */
        bad(L, NULL);
        return;
    }
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (!strncmp(s + p, hints[i].w, strlen(hints[i].w))) {
            bad(L, xstrdup(hints[i].msg));
            return;
        }
    char *w = word_at(s + p);
    bad(L, xasprintf("unexpected `%s`", w));
    free(w);
}

/* The next token. ensure's lexical errors are said at once (the first
 * error wins); ifTrue's where the parser meets the token, since there a
 * bad token after a complete condition reads "unexpected `x`". */
static void next(struct lexer *L)
{
    const char *s = L->s;
    free(L->text);
    L->text = NULL;
    L->word = 0;
    L->after_cmp = 0;
    while (isspace((unsigned char)s[L->pos]))
        L->pos++;
    size_t p = L->pos;
    L->col = (int)p + 1;
    unsigned char c = (unsigned char)s[p];
    if (!c) {
        L->t = T_END;
    } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[p + 1]))) {
        lex_number(L, p);
    } else if (name_start(L, c)) {
        if (!lex_word(L, p))
            lex_ident(L, p);
    } else if (c == '\'' || (c == '"' && is_ifTrue(L))) {
        lex_quoted(L, p);
    } else {
        lex_operator(L, p);
    }
    if (L->t == T_BAD && L->text)
        fail(L, L->col, xstrdup(L->text));
}

/* What the current token is, for ensure's "expected X, found Y". */
static char *found(const struct lexer *L)
{
    if (L->t == T_END)
        return xstrdup("the end of the expression");
    char *w = word_at(L->s + L->col - 1);
    char *m = xasprintf("`%s`", w);
    free(w);
    return m;
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
    free(e->tpl);
    free(e);
}

static struct expr *parse_binary(struct lexer *L, int min_prec);
static struct expr *parse_unary(struct lexer *L, int allow_not);

/* Each `(`, `not` and unary `-` is a level of recursion: 0 past the bound,
 * after the message at the token. */
static int deeper(struct lexer *L)
{
    if (L->depth < EXPR_MAX_DEPTH) {
        L->depth++;
        return 1;
    }
    fail(L, L->col, xasprintf("nested more than %d deep (the limit)", EXPR_MAX_DEPTH));
    return 0;
}

/* `not x` or `-x` at the current token; the operand is a binary
 * expression of `prec` (ifTrue's `not`), else a unary one. */
static struct expr *parse_prefix(struct lexer *L, enum expr_kind k, int prec)
{
    struct expr *e = node(k, L->col);
    if (!deeper(L)) {
        free(e);
        return NULL;
    }
    next(L);
    e->l = prec ? parse_binary(L, prec) : parse_unary(L, 0);
    L->depth--;
    if (!e->l) {
        expr_free(e);
        return NULL;
    }
    return e;
}

/* `( ... )` at the current token. */
static struct expr *parse_paren(struct lexer *L)
{
    int col = L->col;
    if (!deeper(L))
        return NULL;
    next(L);
    struct expr *e = parse_binary(L, 1);
    L->depth--;
    if (!e)
        return NULL;
    if (L->t == T_RP) {
        next(L);
        return e;
    }
    expr_free(e);
    if (is_ifTrue(L)) {
        fail(L, col, xasprintf("missing `)` for `(` at column %d", col));
    } else {
        char *f = found(L);
        fail(L, L->col, xasprintf("expected `)` for the `(` at column %d, found %s", col, f));
        free(f);
    }
    return NULL;
}

/* A name of the current token; ifTrue's must be a template path. */
static struct expr *parse_name(struct lexer *L)
{
    struct expr *e = node(EXPR_NAME, L->col);
    e->name = L->text;
    L->text = NULL;
    if (is_ifTrue(L)) {
        e->tpl = xasprintf("{{%s}}", e->name);
        if (tpl_check(e->tpl, NULL) < 0) {
            fail(L, e->col, xasprintf("bad variable name `%s`", e->name));
            expr_free(e);
            return NULL;
        }
    }
    next(L);
    if (!is_ifTrue(L) && L->t == T_LP) {
        fail(L, L->col, xasprintf("functions are not supported (`%s(`)", e->name));
        expr_free(e);
        return NULL;
    }
    return e;
}

/* An operand: prefix operators, then a number, string, name or `( )`.
 * `allow_not`: ifTrue's `not` may start here (where the operand of and/or
 * starts); elsewhere the word is a name. */
static struct expr *parse_unary(struct lexer *L, int allow_not)
{
    if (is_ifTrue(L) && L->word && !(L->t == T_NOT && allow_not)) {
        free(L->text); /* `and`, `or`, `not` as a variable's name */
        lex_name(L, (size_t)L->col - 1);
        L->word = 0;
    }
    if (L->t == T_NOT)
        return parse_prefix(L, EXPR_NOT, is_ifTrue(L) ? NOT_PREC : 0);
    if (L->t == T_BIN && L->op == EXPR_SUB)
        return parse_prefix(L, EXPR_NEG, 0);
    if (L->t == T_LP)
        return parse_paren(L);
    if (L->t == T_NUM || L->t == T_STR) {
        struct expr *e = node(L->t == T_NUM ? EXPR_NUM : EXPR_STR, L->col);
        e->num = L->num;
        e->name = L->text;
        L->text = NULL;
        next(L);
        return e;
    }
    if (L->t == T_NAME)
        return parse_name(L);
    char ch = L->s[L->col - 1];
    if (!is_ifTrue(L) && L->t != T_BAD) {
        char *f = found(L);
        fail(L, L->col, xasprintf("expected a number or a metric name, found %s", f));
        free(f);
    } else if (is_ifTrue(L) && L->t == T_END) {
        fail(L, L->col, xstrdup("unexpected end of the condition"));
    } else if (is_ifTrue(L) && L->t == T_BAD && (ch == '\'' || ch == '"')) {
        fail(L, L->col, xstrdup("unterminated string"));
    } else if (is_ifTrue(L)) {
        fail(L, L->col, xasprintf("unexpected `%c`", ch));
    }
    return NULL;
}

static int is_compare(enum expr_op op)
{
    return op >= EXPR_EQ && op <= EXPR_GE;
}

static struct expr *parse_binary(struct lexer *L, int min_prec)
{
    struct expr *l = parse_unary(L, min_prec <= NOT_PREC);
    while (l && L->t == T_BIN && precedence[L->d][L->op] >= min_prec) {
        if (L->after_cmp && is_compare(L->op))
            break; /* ifTrue: `a < b < c` stops at the second `<` */
        if (++L->ops > EXPR_MAX_OPS) {
            fail(L, L->col, xasprintf("more than %d operators (the limit)", EXPR_MAX_OPS));
            expr_free(l);
            return NULL;
        }
        struct expr *e = node(EXPR_BIN, L->col);
        e->op = L->op;
        e->l = l;
        next(L);
        e->r = parse_binary(L, precedence[L->d][e->op] + 1);
        if (!e->r) {
            expr_free(e);
            return NULL;
        }
        if (is_ifTrue(L) && is_compare(e->op))
            L->after_cmp = 1; /* until the next token: outer levels stop there too */
        l = e;
    }
    return l;
}

struct expr *expr_parse(const char *text, enum expr_dialect d, struct parse_error *err)
{
    struct lexer L = {.s = text, .d = d, .err = err};
    next(&L);
    struct expr *e = NULL;
    if (L.t == T_END && d == EXPR_ENSURE)
        fail(&L, 1, xstrdup("empty expression"));
    else
        e = parse_binary(&L, 1);
    if (e && L.t != T_END && d == EXPR_IFTRUE) {
        fail(&L, L.col, xasprintf("unexpected `%c`", text[L.col - 1]));
    } else if (e && L.t != T_END) {
        char *f = found(&L);
        fail(&L, L.col,
             xasprintf(L.t == T_RP ? "unexpected %s: no `(` to close"
                                   : "expected an operator, found %s",
                       f));
        free(f);
    }
    free(L.text);
    if (L.failed) {
        expr_free(e);
        return NULL;
    }
    perr_clear(err);
    return e;
}
