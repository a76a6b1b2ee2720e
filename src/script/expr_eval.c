/* expr_eval.c — see expr.h: one evaluator for both dialects. Values keep a
 * type (undefined, number, string) so that ifTrue compares strings as
 * strings; ensure's names are metrics, always numbers, and its evaluation
 * fails where ifTrue's goes on (a division by zero, a result that is not
 * finite). ifTrue's names are looked up by the template engine, so that a
 * name means exactly what `{{ name }}` means in the same script. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "util.h"

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

/* ---- values ------------------------------------------------------------ */

enum vkind { V_UNDEF, V_NUM, V_STR };

struct val {
    enum vkind kind;
    double num;
    char *str; /* V_STR, owned */
};

struct eval {
    enum expr_dialect d;
    expr_lookup_fn lookup; /* ensure */
    void *ctx;
    const struct tpl_ctx *tc; /* ifTrue */
    char *err;                /* ensure: why it failed */
};

static struct val number(double d)
{
    return (struct val){V_NUM, d, NULL};
}

/* As JavaScript's Number(): a numeric string is its number, "" is 0. */
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
            return 0;
        double d = strtod(s, &end);
        while (isspace((unsigned char)*end))
            end++;
        return *end ? NAN : d;
    }
    return NAN;
}

/* ensure: non-zero (NaN too); ifTrue: as JavaScript's Boolean(). */
static int truthy(const struct eval *ev, const struct val *v)
{
    if (v->kind == V_STR)
        return v->str[0] != '\0';
    if (ev->d == EXPR_ENSURE)
        return v->num != 0;
    return v->kind == V_NUM && v->num != 0 && !isnan(v->num);
}

/* A variable of a VU, through the template engine: its JSON type kept
 * (booleans as 1 and 0, null as undefined). */
static struct val variable(const char *tpl, const struct tpl_ctx *ctx)
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

/* Two strings compare as strings, anything else as numbers; undefined
 * equals only undefined. */
static int compare(enum expr_op op, const struct val *a, const struct val *b)
{
    if (op == EXPR_EQ || op == EXPR_NE) {
        int eq;
        if (a->kind == V_UNDEF || b->kind == V_UNDEF)
            eq = a->kind == b->kind;
        else if (a->kind == V_STR && b->kind == V_STR)
            eq = !strcmp(a->str, b->str);
        else
            eq = to_num(a) == to_num(b);
        return op == EXPR_EQ ? eq : !eq;
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
    case EXPR_LT:
        return d < 0;
    case EXPR_LE:
        return d <= 0;
    case EXPR_GT:
        return d > 0;
    default:
        return d >= 0;
    }
}

static struct val eval(const struct expr *e, struct eval *ev);

/* and, or: short-circuit, giving 1 or 0. */
static struct val logic(const struct expr *e, struct val a, struct eval *ev)
{
    int t = truthy(ev, &a);
    free(a.str);
    if (e->op == EXPR_OR ? t : !t)
        return number(t);
    struct val b = eval(e->r, ev);
    t = truthy(ev, &b);
    free(b.str);
    return number(t);
}

static double arith(const struct expr *e, double x, double y, struct eval *ev)
{
    switch (e->op) {
    case EXPR_ADD:
        return x + y;
    case EXPR_SUB:
        return x - y;
    case EXPR_MUL:
        return x * y;
    case EXPR_DIV:
    case EXPR_MOD:
        if (y == 0 && ev->d == EXPR_ENSURE) { /* ifTrue's are JavaScript's: inf, NaN */
            ev->err = xasprintf("%s by zero at column %d",
                                e->op == EXPR_DIV ? "division" : "modulo", e->col);
            return 0;
        }
        return e->op == EXPR_DIV ? x / y : fmod(x, y);
    default:
        return pow(x, y);
    }
}

static struct val eval(const struct expr *e, struct eval *ev)
{
    struct val a;
    switch (e->kind) {
    case EXPR_NUM:
        return number(e->num);
    case EXPR_STR:
        return (struct val){V_STR, 0, xstrdup(e->name)};
    case EXPR_NAME:
        if (ev->d == EXPR_IFTRUE)
            return variable(e->tpl, ev->tc);
        /* presence was checked first */
        return number(ev->lookup(ev->ctx, e->name, &a.num) ? 0 : a.num);
    case EXPR_NEG:
    case EXPR_NOT: {
        a = eval(e->l, ev);
        double d = e->kind == EXPR_NEG ? -to_num(&a) : !truthy(ev, &a);
        free(a.str);
        return number(d);
    }
    case EXPR_BIN:
        break;
    }
    a = eval(e->l, ev);
    if (ev->err)
        return a;
    if (e->op == EXPR_OR || e->op == EXPR_AND)
        return logic(e, a, ev);
    struct val b = eval(e->r, ev);
    double r = 0;
    if (!ev->err && e->op >= EXPR_EQ && e->op <= EXPR_GE)
        r = compare(e->op, &a, &b);
    else if (!ev->err)
        r = arith(e, to_num(&a), to_num(&b), ev);
    free(a.str);
    free(b.str);
    return number(r);
}

/* ---- entry points ---------------------------------------------------------- */

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
    struct eval ev = {EXPR_ENSURE, lookup, ctx, NULL, NULL};
    struct val v = eval(e, &ev);
    double d = to_num(&v);
    free(v.str);
    if (!ev.err && !isfinite(d))
        ev.err = xstrdup("the result is not a finite number");
    if (ev.err) {
        *err_msg = ev.err;
        return -1;
    }
    *out = d;
    *err_msg = NULL;
    return 0;
}

int expr_test(const struct expr *e, const struct tpl_ctx *ctx)
{
    struct eval ev = {EXPR_IFTRUE, NULL, NULL, ctx, NULL};
    struct val v = eval(e, &ev);
    int t = truthy(&ev, &v);
    free(v.str);
    return t;
}
