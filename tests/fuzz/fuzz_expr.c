/* fuzz_expr.c — libFuzzer harness for the small parsers a script or a
 * report reaches on their own; the first byte picks one, the rest is its
 * text:
 *   0  expr_parse EXPR_ENSURE + expr_eval + expr_names (ensure conditions,
 *      --ensure, and capacity.c's reading of a saved report's checks)
 *   1  expr_parse EXPR_IFTRUE + expr_test (a request's ifTrue)
 *   2  tpl_check + tpl_render + tpl_render_str (templates)
 *   3  jsonpath_check + jsonpath_get (capture: json)
 *   4  hist_decode (the histograms of a report)
 *   5  csv_parse (payload files; the next byte picks the options)
 * Pure functions only: no file, no network.
 *
 * FUZZ_EXPR_SKIP=DIGITS (e.g. "1") leaves those parsers out: while one has
 * an open bug that every run finds at once, the others still get fuzzed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "expr.h"
#include "hist.h"
#include "jsonpath.h"
#include "template.h"

static const char *skip = "";
static json_t *vars, *doc;
static struct hist *hist, *again;
static const char *const env[] = {"HOME=/nonexistent", "TARGET=http://127.0.0.1:9", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    vars = json_loads("{\"a\": 1, \"b\": 2.5, \"s\": \"x\", \"n\": \"42\", \"t\": true, "
                      "\"z\": null, \"user\": {\"id\": 7, \"name\": \"ann\"}, \"items\": "
                      "[{\"id\": 1}, {\"id\": 2}], \"target\": \"http://127.0.0.1:9\", "
                      "\"$loopCount\": 3, \"$loopElement\": \"e\", \"user.id\": 8}",
                      0, NULL);
    doc = json_loads("{\"a\": {\"b\": [1, {\"c\": \"d\"}, [2, 3]]}, \"0\": 0, \"list\": "
                     "[{\"id\": 1, \"x\": {\"id\": 2}}, {\"id\": \"3\"}], \"e\": {}, \"n\": null}",
                     0, NULL);
    if (getenv("FUZZ_EXPR_SKIP"))
        skip = getenv("FUZZ_EXPR_SKIP");
    hist = hist_new();
    again = hist_new();
    return vars && doc && hist && again ? 0 : -1;
}

/* Metrics exist when their name is short and even, as if from a report. */
static int lookup(void *ctx, const char *name, double *out)
{
    size_t n = strlen(name);
    if (n % 2)
        return -1;
    *out = n == 0 ? 0 : n == 2 ? -1.5 : n == 4 ? 1e308 : (double)n;
    return 0;
}

static void on_name(void *ctx, const char *name)
{
    ++*(int *)ctx;
}

static void fuzz_expr(const char *s)
{
    char *msg = NULL;
    struct expr *e = expr_parse(s, EXPR_ENSURE, NULL);
    if (!e)
        return;
    double v;
    if (expr_eval(e, lookup, NULL, &v, &msg))
        free(msg);
    int names = 0;
    expr_names(e, on_name, &names);
    expr_free(e);
}

static void fuzz_iftrue(const char *s)
{
    struct expr *c = expr_parse(s, EXPR_IFTRUE, NULL);
    if (!c)
        return;
    uint64_t rng = 7;
    struct tpl_ctx tc = {vars, env, &rng, NULL};
    (void)expr_test(c, &tc);
    expr_free(c);
}

static void fuzz_template(const char *s)
{
    struct parse_error pe;
    if (tpl_check(s, &pe) < 0)
        return; /* the loader refuses these: they never reach a VU */
    uint64_t rng = 7;
    struct tpl_ctx tc = {vars, env, &rng, "00000000-0000-4000-8000-000000000000"};
    json_decref(tpl_render(s, &tc));
    free(tpl_render_str(s, &tc));
    char *str = tpl_stringify(vars);
    free(str);
}

static void fuzz_jsonpath(const char *s)
{
    struct parse_error pe;
    int bad = jsonpath_check(s, &pe) < 0, err = 0;
    uint64_t rng = 7;
    json_decref(jsonpath_get(doc, s, &rng, &err));
    if (bad != err) /* the load-time check and the lookup must agree */
        abort();
}

/* What decodes must survive a round trip: decode(encode(h)) == h. */
static void fuzz_hist(const char *s)
{
    if (hist_decode(hist, s))
        return;
    char *text = hist_encode(hist);
    if (hist_decode(again, text) || again->count != hist->count || again->min != hist->min ||
        again->max != hist->max || memcmp(again->buckets, hist->buckets, sizeof hist->buckets))
        abort();
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || strchr(skip, '0' + data[0] % 6))
        return 0;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    switch (data[0] % 6) {
    case 0:
        fuzz_expr(s);
        break;
    case 1:
        fuzz_iftrue(s);
        break;
    case 2:
        fuzz_template(s);
        break;
    case 3:
        fuzz_jsonpath(s);
        break;
    case 4:
        fuzz_hist(s);
        break;
    case 5: {
        struct csv_opts o = {0};
        const char *text = s;
        size_t len = size - 1;
        if (len) {
            /* option byte, then the file's bytes (NULs included) */
            o.delimiter = "\0,;\t|"[(unsigned char)s[0] % 5];
            o.skip_header = s[0] & 8, o.skip_empty_lines = s[0] & 16, o.cast = s[0] & 32;
            text++, len--;
        }
        struct csv c;
        struct parse_error pe;
        if (csv_parse(text, len, &o, &c, &pe) == 0)
            csv_free(&c);
        break;
    }
    }
    free(s);
    return 0;
}
