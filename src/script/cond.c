/* cond.c — see cond.h. A recursive-descent parser into a small tree; the
 * evaluator looks names up with the template engine, so that a name means
 * exactly what `{{ name }}` means in the same script. */
#include "cond.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum cop { C_OR, C_AND, C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_ADD, C_SUB, C_MUL, C_DIV, C_MOD };
enum ckind { K_NUM, K_STR, K_NAME, K_NOT, K_NEG, K_BIN };

struct cond {
    enum ckind kind;
    enum cop op;
    double num;
    char *str; /* K_STR: the text; K_NAME: "{{ name }}" */
    struct cond *l, *r;
};

struct parser {
    const char *s, *p;
    int err_col;
    char *err;
    int depth, ops; /* bounds: the tree is freed and evaluated by recursion */
};

static struct cond *node(enum ckind k)
{
    struct cond *c = xcalloc(1, sizeof *c);
    c->kind = k;
    return c;
}

static struct cond *bin(enum cop op, struct cond *l, struct cond *r)
{
    struct cond *c = node(K_BIN);
    c->op = op;
    c->l = l;
    c->r = r;
    return c;
}

void cond_free(struct cond *c)
{
    if (!c)
        return;
    cond_free(c->l);
    cond_free(c->r);
    free(c->str);
    free(c);
}

static void skip(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static struct cond *fail(struct parser *ps, const char *at, char *msg)
{
    if (!ps->err) {
        ps->err = msg;
        ps->err_col = (int)(at - ps->s) + 1;
    } else {
        free(msg);
    }
    return NULL;
}

static int is_name_start(int ch)
{
    return isalpha(ch) || ch == '_' || ch == '$';
}

/* A word operator ("and", "or", "not") not followed by a name character. */
static int word(struct parser *ps, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(ps->p, w, n) || is_name_start((unsigned char)ps->p[n]) ||
        isdigit((unsigned char)ps->p[n]))
        return 0;
    ps->p += n;
    return 1;
}

static struct cond *parse_or(struct parser *ps);

/* Every `(`, `-` and `not` nests a level of recursion: bound them. */
static int deeper(struct parser *ps, const char *at)
{
    if (ps->depth == COND_MAX_DEPTH) {
        fail(ps, at, xasprintf("nested more than %d deep (the limit)", COND_MAX_DEPTH));
        return 0;
    }
    ps->depth++;
    return 1;
}

/* One more binary operator, at `at`: 0 past COND_MAX_OPS, after the message. */
static int count_op(struct parser *ps, const char *at)
{
    if (++ps->ops <= COND_MAX_OPS)
        return 1;
    fail(ps, at, xasprintf("more than %d operators (the limit)", COND_MAX_OPS));
    return 0;
}

static struct cond *parse_atom(struct parser *ps)
{
    skip(ps);
    const char *at = ps->p;
    if (*at == '(') {
        if (!deeper(ps, at))
            return NULL;
        ps->p++;
        struct cond *c = parse_or(ps);
        ps->depth--;
        if (!c) /* said; and ps->p may be at the end, not to be stepped past */
            return NULL;
        skip(ps);
        if (*ps->p != ')') {
            cond_free(c);
            return fail(ps, at,
                        xasprintf("missing `)` for `(` at column %d", (int)(at - ps->s) + 1));
        }
        ps->p++;
        return c;
    }
    if (*at == '"' || *at == '\'') {
        const char *e = strchr(at + 1, *at);
        if (!e)
            return fail(ps, at, xstrdup("unterminated string"));
        struct cond *c = node(K_STR);
        c->str = xstrndup(at + 1, (size_t)(e - at - 1));
        ps->p = e + 1;
        return c;
    }
    if (isdigit((unsigned char)*at) || (*at == '.' && isdigit((unsigned char)at[1]))) {
        char *end;
        struct cond *c = node(K_NUM);
        c->num = strtod(at, &end);
        ps->p = end;
        return c;
    }
    if (is_name_start((unsigned char)*at)) {
        const char *e = at;
        while (isalnum((unsigned char)*e) || (*e && strchr("_$.[]", *e)))
            e++;
        size_t n = (size_t)(e - at);
        ps->p = e;
        struct cond *c = node(K_NUM);
        if ((n == 4 && !strncmp(at, "true", 4)) || (n == 5 && !strncmp(at, "false", 5))) {
            c->num = n == 4;
            return c;
        }
        c->kind = K_NAME;
        c->str = xasprintf("{{%.*s}}", (int)n, at);
        if (tpl_check(c->str, NULL) < 0) {
            cond_free(c);
            return fail(ps, at, xasprintf("bad variable name `%.*s`", (int)n, at));
        }
        return c;
    }
    if (!*at)
        return fail(ps, at, xstrdup("unexpected end of the condition"));
    return fail(ps, at, xasprintf("unexpected `%c`", *at));
}

static struct cond *parse_unary(struct parser *ps)
{
    skip(ps);
    if (*ps->p == '-') {
        if (!deeper(ps, ps->p))
            return NULL;
        ps->p++;
        struct cond *l = parse_unary(ps);
        ps->depth--;
        if (!l)
            return NULL;
        struct cond *c = node(K_NEG);
        c->l = l;
        return c;
    }
    return parse_atom(ps);
}

/* One precedence level of left-associative binary operators. */
struct level {
    const char *text[4];
    enum cop op[4];
    struct cond *(*next)(struct parser *);
};

static struct cond *parse_level(struct parser *ps, const struct level *lv)
{
    struct cond *l = lv->next(ps);
    while (l) {
        skip(ps);
        const char *at = ps->p;
        int k = -1;
        for (int i = 0; i < 4 && lv->text[i] && k < 0; i++) {
            const char *t = lv->text[i];
            size_t n = strlen(t);
            if (isalpha((unsigned char)t[0]) ? word(ps, t) : !strncmp(ps->p, t, n) && (ps->p += n))
                k = i;
        }
        if (k < 0)
            return l;
        struct cond *r = count_op(ps, at) ? lv->next(ps) : NULL;
        if (!r) {
            cond_free(l);
            return NULL;
        }
        l = bin(lv->op[k], l, r);
    }
    return NULL;
}

static struct cond *parse_prod(struct parser *ps)
{
    static const struct level lv = {{"*", "/", "%"}, {C_MUL, C_DIV, C_MOD}, parse_unary};
    return parse_level(ps, &lv);
}

static struct cond *parse_sum(struct parser *ps)
{
    static const struct level lv = {{"+", "-"}, {C_ADD, C_SUB}, parse_prod};
    return parse_level(ps, &lv);
}

/* Comparisons do not chain: `a < b < c` is refused. */
static struct cond *parse_cmp(struct parser *ps)
{
    /* longest first: "<=" before "<" */
    static const char *const text[] = {"==", "!=", "<=", ">=", "<", ">"};
    static const enum cop op[] = {C_EQ, C_NE, C_LE, C_GE, C_LT, C_GT};
    struct cond *l = parse_sum(ps);
    if (!l)
        return NULL;
    skip(ps);
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(text[i]);
        if (strncmp(ps->p, text[i], n))
            continue;
        const char *at = ps->p;
        ps->p += n;
        struct cond *r = count_op(ps, at) ? parse_sum(ps) : NULL;
        if (!r) {
            cond_free(l);
            return NULL;
        }
        return bin(op[i], l, r);
    }
    return l;
}

static struct cond *parse_not(struct parser *ps)
{
    skip(ps);
    const char *at = ps->p;
    if (word(ps, "not")) {
        if (!deeper(ps, at))
            return NULL;
        struct cond *l = parse_not(ps);
        ps->depth--;
        if (!l)
            return NULL;
        struct cond *c = node(K_NOT);
        c->l = l;
        return c;
    }
    return parse_cmp(ps);
}

static struct cond *parse_and(struct parser *ps)
{
    static const struct level lv = {{"and", "&&"}, {C_AND, C_AND}, parse_not};
    return parse_level(ps, &lv);
}

static struct cond *parse_or(struct parser *ps)
{
    static const struct level lv = {{"or", "||"}, {C_OR, C_OR}, parse_and};
    return parse_level(ps, &lv);
}

struct cond *cond_parse(const char *text, int *err_col, char **err_msg)
{
    struct parser ps = {text, text, 0, NULL, 0, 0};
    struct cond *c = parse_or(&ps);
    skip(&ps);
    if (c && *ps.p) {
        cond_free(c);
        c = fail(&ps, ps.p, xasprintf("unexpected `%c`", *ps.p));
    }
    if (!c) {
        *err_col = ps.err_col;
        *err_msg = ps.err;
    }
    return c;
}

/* ---- evaluation ---- */

enum vkind { V_UNDEF, V_NUM, V_STR };

struct val {
    enum vkind kind;
    double num;
    char *str; /* V_STR, owned */
};

static double to_num(const struct val *v)
{
    if (v->kind == V_NUM)
        return v->num;
    if (v->kind == V_STR) {
        char *end;
        const char *s = v->str;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            return 0; /* as JavaScript: Number("") == 0 */
        double d = strtod(s, &end);
        while (isspace((unsigned char)*end))
            end++;
        return *end ? NAN : d;
    }
    return NAN;
}

static int truthy(const struct val *v)
{
    if (v->kind == V_STR)
        return v->str[0] != '\0';
    return v->kind == V_NUM && v->num != 0 && !isnan(v->num);
}

static struct val eval(const struct cond *c, const struct tpl_ctx *ctx);

static struct val lookup(const char *tpl, const struct tpl_ctx *ctx)
{
    struct val v = {V_UNDEF, 0, NULL};
    json_t *j = tpl_render(tpl, ctx);
    if (json_is_number(j)) {
        v.kind = V_NUM;
        v.num = json_number_value(j);
    } else if (json_is_boolean(j)) {
        v.kind = V_NUM;
        v.num = json_is_true(j);
    } else if (j && !json_is_null(j)) {
        v.kind = V_STR;
        v.str = tpl_stringify(j);
    }
    json_decref(j);
    return v;
}

static int compare(enum cop op, const struct val *a, const struct val *b)
{
    if (op == C_EQ || op == C_NE) {
        int eq;
        if (a->kind == V_UNDEF || b->kind == V_UNDEF)
            eq = a->kind == b->kind;
        else if (a->kind == V_STR && b->kind == V_STR)
            eq = !strcmp(a->str, b->str);
        else
            eq = to_num(a) == to_num(b);
        return op == C_EQ ? eq : !eq;
    }
    double d;
    if (a->kind == V_STR && b->kind == V_STR) {
        d = strcmp(a->str, b->str);
    } else {
        double x = to_num(a), y = to_num(b);
        if (isnan(x) || isnan(y))
            return 0;
        d = x < y ? -1 : x > y;
    }
    switch (op) {
    case C_LT:
        return d < 0;
    case C_LE:
        return d <= 0;
    case C_GT:
        return d > 0;
    default:
        return d >= 0;
    }
}

static struct val number(double d)
{
    return (struct val){V_NUM, d, NULL};
}

static struct val eval(const struct cond *c, const struct tpl_ctx *ctx)
{
    switch (c->kind) {
    case K_NUM:
        return number(c->num);
    case K_STR:
        return (struct val){V_STR, 0, xstrdup(c->str)};
    case K_NAME:
        return lookup(c->str, ctx);
    case K_NOT: {
        struct val v = eval(c->l, ctx);
        int t = truthy(&v);
        free(v.str);
        return number(!t);
    }
    case K_NEG: {
        struct val v = eval(c->l, ctx);
        double d = -to_num(&v);
        free(v.str);
        return number(d);
    }
    case K_BIN:
        break;
    }
    struct val a = eval(c->l, ctx);
    if (c->op == C_OR || c->op == C_AND) {
        int t = truthy(&a);
        free(a.str);
        if (c->op == C_OR ? t : !t)
            return number(t);
        struct val b = eval(c->r, ctx);
        t = truthy(&b);
        free(b.str);
        return number(t);
    }
    struct val b = eval(c->r, ctx);
    double x = to_num(&a), y = to_num(&b), r = 0;
    switch (c->op) {
    case C_ADD:
        r = x + y;
        break;
    case C_SUB:
        r = x - y;
        break;
    case C_MUL:
        r = x * y;
        break;
    case C_DIV:
        r = x / y;
        break;
    case C_MOD:
        r = fmod(x, y);
        break;
    default:
        r = compare(c->op, &a, &b);
        break;
    }
    free(a.str);
    free(b.str);
    return number(r);
}

int cond_eval(const struct cond *c, const struct tpl_ctx *ctx)
{
    struct val v = eval(c, ctx);
    int t = truthy(&v);
    free(v.str);
    return t;
}
