/* test_template.c — template.c: typed substitution vs interpolation, paths,
 * undefined, JS number printing, functions with a fixed rng, $env, $uuid,
 * deep rendering (templated keys, dropped keys) and tpl_check columns. */
#include <stdlib.h>

#include "template.h"
#include "test.h"

static const char *const test_env[] = {"HOME=/home/u", "EMPTY=", "X=1=2", "HOMEX=no", NULL};

/* The variables every test renders against. */
static json_t *test_vars(void)
{
    return json_loads("{\"n\": 42, \"f\": 0.5, \"s\": \"hi\", \"b\": true, \"z\": null,"
                      " \"o\": {\"a\": [1, 2]},"
                      " \"user\": {\"id\": 7, \"name\": \"Ann\"},"
                      " \"items\": [{\"id\": \"x1\"}, {\"id\": \"x2\"}],"
                      " \"a\": {\"b c\": 3, \"0\": \"zero\"},"
                      " \"target\": \"http://t.test\", \"$environment\": \"staging\","
                      " \"$loopCount\": 3, \"$loopElement\": {\"sku\": \"A1\"}}",
                      0, NULL);
}

/* Reference xorshift64*, to predict the functions' draws exactly. */
static uint64_t ref_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* tpl_render_str into the test's out_, freeing the previous result, so
 * one free(out_) at the end releases the last. */
#define RENDER_STR(s, ctx) (free(out_), out_ = tpl_render_str((s), (ctx)))

TEST(template_typed_substitution)
{
    json_t *vars = test_vars(), *v;
    struct tpl_ctx c = {vars, NULL, NULL, NULL};
    v = tpl_render("{{ n }}", &c);
    ASSERT(json_is_integer(v) && json_integer_value(v) == 42);
    json_decref(v);
    v = tpl_render("{{n}}", &c);
    ASSERT(json_is_integer(v) && json_integer_value(v) == 42);
    json_decref(v);
    v = tpl_render("{{   f\t}}", &c);
    ASSERT(json_is_real(v) && json_real_value(v) == 0.5);
    json_decref(v);
    v = tpl_render("{{ b }}", &c);
    ASSERT(json_is_true(v));
    json_decref(v);
    v = tpl_render("{{ z }}", &c);
    ASSERT(json_is_null(v));
    json_decref(v);
    v = tpl_render("{{ o }}", &c);
    ASSERT(json_equal(v, json_object_get(vars, "o")));
    ASSERT(v != json_object_get(vars, "o")); /* a copy the caller may change */
    json_decref(v);
    ASSERT(tpl_render("{{ missing }}", &c) == NULL);
    ASSERT(tpl_render("{{ user.missing }}", &c) == NULL);
    /* text outside the braces, even a space, makes it an interpolation */
    v = tpl_render(" {{ n }}", &c);
    ASSERT_STR(json_string_value(v), " 42");
    json_decref(v);
    v = tpl_render("{{ n }}{{ n }}", &c);
    ASSERT_STR(json_string_value(v), "4242");
    json_decref(v);
    v = tpl_render("no template", &c);
    ASSERT_STR(json_string_value(v), "no template");
    json_decref(v);
    json_decref(vars);
}

TEST(template_interpolation)
{
    json_t *vars = test_vars();
    struct tpl_ctx c = {vars, NULL, NULL, NULL};
    char *out_ = NULL;
    ASSERT_STR(RENDER_STR("/u/{{ user.id }}?s={{s}}&f={{ f }}", &c), "/u/7?s=hi&f=0.5");
    ASSERT_STR(RENDER_STR("{{ b }}/{{ z }}/{{ missing }}", &c), "true/null/undefined");
    ASSERT_STR(RENDER_STR("o={{ o }}", &c), "o={\"a\":[1,2]}");
    ASSERT_STR(RENDER_STR("{{ items }}", &c), "[{\"id\":\"x1\"},{\"id\":\"x2\"}]");
    /* typed values come out as strings from tpl_render_str */
    ASSERT_STR(RENDER_STR("{{ n }}", &c), "42");
    ASSERT_STR(RENDER_STR("{{ missing }}", &c), "undefined");
    ASSERT_STR(RENDER_STR("{{ z }}", &c), "null");
    /* not templates: left as written, as Artillery does */
    ASSERT_STR(RENDER_STR("a {{ x + y }} b", &c), "a {{ x + y }} b");
    ASSERT_STR(RENDER_STR("open {{ n", &c), "open {{ n");
    ASSERT_STR(RENDER_STR("{{ a b }} {{ n }}", &c), "{{ a b }} 42");
    ASSERT_STR(RENDER_STR("}} {{ s }} }}", &c), "}} hi }}");
    free(out_);
    json_decref(vars);
}

TEST(template_paths)
{
    json_t *vars = test_vars(), *v;
    struct tpl_ctx c = {vars, NULL, NULL, NULL};
    char *out_ = NULL;
    ASSERT_STR(RENDER_STR("{{ user.name }}", &c), "Ann");
    ASSERT_STR(RENDER_STR("{{ items[1].id }}", &c), "x2");
    ASSERT_STR(RENDER_STR("{{ items.0.id }}", &c), "x1");
    ASSERT_STR(RENDER_STR("{{ a[\"b c\"] }}", &c), "3");
    ASSERT_STR(RENDER_STR("{{ a['b c'] }}", &c), "3");
    ASSERT_STR(RENDER_STR("{{ a[0] }}", &c), "zero"); /* obj[0] is obj["0"] */
    ASSERT_STR(RENDER_STR("{{ o.a[1] }}", &c), "2");
    ASSERT_STR(RENDER_STR("{{ items[2].id }}", &c), "undefined");
    ASSERT_STR(RENDER_STR("{{ s.length }}", &c), "undefined");
    ASSERT_STR(RENDER_STR("{{ n.x }}", &c), "undefined");
    ASSERT_STR(RENDER_STR("{{ $loopElement.sku }}#{{ $loopCount }}", &c), "A1#3");
    ASSERT_STR(RENDER_STR("{{ target }}/{{ $environment }}", &c), "http://t.test/staging");
    v = tpl_render("{{ o.a }}", &c);
    ASSERT(json_is_array(v) && json_array_size(v) == 2);
    json_decref(v);
    /* as lodash's get: a key spelled like the whole path wins */
    json_object_set_new(vars, "user.id", json_string("flat"));
    ASSERT_STR(RENDER_STR("{{ user.id }}", &c), "flat");
    /* no vars at all: everything is undefined */
    c.vars = NULL;
    ASSERT_STR(RENDER_STR("{{ n }}", &c), "undefined");
    free(out_);
    json_decref(vars);
}

TEST(template_js_numbers)
{
    static const struct {
        double d;
        const char *s;
    } cases[] = {
        {0.1, "0.1"},
        {2.0, "2"},
        {-1.5, "-1.5"},
        {123.456, "123.456"},
        {1.0 / 3, "0.3333333333333333"},
        {0.000001, "0.000001"},
        {1e-7, "1e-7"},
        {1.5e-10, "1.5e-10"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.5e300, "1.5e+300"},
        {-0.0, "0"},
        {5e-324, "5e-324"},
        {0.1 + 0.2, "0.30000000000000004"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = json_real(cases[i].d);
        char *s = tpl_stringify(v);
        json_decref(v);
        int same = !strcmp(s, cases[i].s);
        if (!same)
            fprintf(stderr, "    %.17g: got %s, expected %s\n", cases[i].d, s, cases[i].s);
        free(s);
        ASSERT(same);
    }
    json_t *v = json_loads("{\"big\": 9007199254740993, \"q\": \"a\\\"b\\\\c\\n\\u0001\","
                           " \"r\": [1.0, 0.25, false, null, \"\\u00e9\"]}",
                           0, NULL);
    char *s = tpl_stringify(v);
    ASSERT_STR(s, "{\"big\":9007199254740993,\"q\":\"a\\\"b\\\\c\\n\\u0001\","
                  "\"r\":[1,0.25,false,null,\"\xc3\xa9\"]}");
    free(s);
    json_decref(v);
    s = tpl_stringify(NULL);
    ASSERT_STR(s, "undefined");
    free(s);
}

TEST(template_random_number)
{
    uint64_t rng = 42, ref = 42;
    struct tpl_ctx c = {NULL, NULL, &rng, NULL};
    json_t *v = tpl_render("{{ $randomNumber(1, 10) }}", &c);
    ASSERT(json_is_integer(v));
    ASSERT_EQ(json_integer_value(v), 1 + (long long)(ref_next(&ref) % 10));
    json_decref(v);
    v = tpl_render("{{$randomNumber(1,10)}}", &c); /* Artillery v1 spelling */
    ASSERT_EQ(json_integer_value(v), 1 + (long long)(ref_next(&ref) % 10));
    json_decref(v);
    ASSERT_EQ(rng, ref);
    /* inclusive range, every value reached, nothing outside */
    int seen[5] = {0};
    for (int i = 0; i < 1000; i++) {
        v = tpl_render("{{ $randomNumber(-1, 3) }}", &c);
        long long x = json_integer_value(v);
        json_decref(v);
        ASSERT(x >= -1 && x <= 3);
        seen[x + 1]++;
    }
    for (int i = 0; i < 5; i++)
        ASSERT(seen[i] > 100);
    v = tpl_render("{{ $randomNumber(7, 7) }}", &c);
    ASSERT_EQ(json_integer_value(v), 7);
    json_decref(v);
    for (int i = 0; i < 50; i++) { /* bounds given high first swap, as lodash does */
        v = tpl_render("{{ $randomNumber(10, 8) }}", &c);
        ASSERT(json_integer_value(v) >= 8 && json_integer_value(v) <= 10);
        json_decref(v);
    }
    char *s = tpl_render_str("id-{{ $randomNumber(5, 5) }}-{{ $randomNumber( 0 , 0 ) }}", &c);
    ASSERT_STR(s, "id-5-0");
    free(s);
    /* without an rng, a function is undefined */
    c.rng = NULL;
    ASSERT(tpl_render("{{ $randomNumber(1, 2) }}", &c) == NULL);
}

TEST(template_random_string)
{
    uint64_t rng = 7, ref = 7;
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct tpl_ctx c = {NULL, NULL, &rng, NULL};
    json_t *v = tpl_render("{{ $randomString() }}", &c);
    ASSERT(json_is_string(v));
    ASSERT_EQ(json_string_length(v), 10);
    char want[11];
    for (int i = 0; i < 10; i++)
        want[i] = alnum[ref_next(&ref) % 62];
    want[10] = '\0';
    ASSERT_STR(json_string_value(v), want);
    json_decref(v);
    v = tpl_render("{{ $randomString(3) }}", &c);
    ASSERT_EQ(json_string_length(v), 3);
    json_decref(v);
    v = tpl_render("{{ $randomString(0) }}", &c);
    ASSERT_STR(json_string_value(v), "");
    json_decref(v);
    char *s = tpl_render_str("k={{ $randomString(64) }}", &c);
    ASSERT_EQ(strlen(s), 66);
    ASSERT_EQ(strspn(s + 2, alnum), 64);
    free(s);
    /* same seed, same string */
    uint64_t r1 = 99, r2 = 99;
    struct tpl_ctx c1 = {NULL, NULL, &r1, NULL}, c2 = {NULL, NULL, &r2, NULL};
    char *a = tpl_render_str("{{ $randomString(12) }}", &c1);
    char *b = tpl_render_str("{{ $randomString(12) }}", &c2);
    ASSERT_STR(a, b);
    free(a);
    free(b);
}

TEST(template_env_and_uuid)
{
    json_t *vars = json_loads("{\"$uuid\": \"from-vars\"}", 0, NULL), *v;
    struct tpl_ctx c = {vars, test_env, NULL, "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"};
    char *out_ = NULL;
    ASSERT_STR(RENDER_STR("{{ $env.HOME }}", &c), "/home/u");
    ASSERT_STR(RENDER_STR("{{ $env.X }}", &c), "1=2");
    ASSERT_STR(RENDER_STR("[{{ $env.EMPTY }}]", &c), "[]");
    ASSERT_STR(RENDER_STR("{{ $env.HOM }}", &c), "undefined");
    ASSERT_STR(RENDER_STR("{{ $env[\"HOME\"] }}", &c), "/home/u");
    ASSERT_STR(RENDER_STR("{{ $processEnvironment.HOME }}", &c), "/home/u");
    ASSERT_STR(RENDER_STR("{{ $env.HOME.x }}", &c), "undefined");
    v = tpl_render("{{ $env }}", &c);
    ASSERT(json_is_object(v) && json_object_size(v) == 4);
    ASSERT_STR(json_string_value(json_object_get(v, "X")), "1=2");
    json_decref(v);
    ASSERT_STR(RENDER_STR("u/{{ $uuid }}", &c), "u/1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b");
    c.uuid = NULL;
    ASSERT_STR(RENDER_STR("{{ $uuid }}", &c), "from-vars");
    c.env = NULL; /* no environment: every $env.X is undefined */
    ASSERT_STR(RENDER_STR("{{ $env.HOME }}", &c), "undefined");
    v = tpl_render("{{ $env }}", &c);
    ASSERT(json_is_object(v) && json_object_size(v) == 0);
    json_decref(v);
    free(out_);
    json_decref(vars);
}

TEST(template_render_deep)
{
    json_t *vars = test_vars();
    struct tpl_ctx c = {vars, NULL, NULL, NULL};
    json_t *in = json_loads("{\"id\": \"{{ n }}\", \"name\": \"{{ user.name }}!\","
                            " \"gone\": \"{{ missing }}\", \"{{ s }}_key\": 1,"
                            " \"{{ missing }}\": \"{{ f }}\","
                            " \"list\": [\"{{ missing }}\", \"{{ n }}\", \"x{{ missing }}\", 2],"
                            " \"nested\": {\"deep\": \"{{ o }}\", \"t\": true, \"nil\": null}}",
                            0, NULL);
    json_t *want =
        json_loads("{\"id\": 42, \"name\": \"Ann!\", \"hi_key\": 1,"
                   " \"undefined\": 0.5,"
                   " \"list\": [null, 42, \"xundefined\", 2],"
                   " \"nested\": {\"deep\": {\"a\": [1, 2]}, \"t\": true, \"nil\": null}}",
                   0, NULL);
    json_t *got = tpl_render_deep(in, &c);
    ASSERT(in && want && got);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    ASSERT_STR(g, w);
    free(g);
    free(w);
    /* the input is untouched */
    ASSERT_STR(json_string_value(json_object_get(in, "id")), "{{ n }}");
    json_decref(got);
    json_decref(want);
    json_decref(in);
    /* a top-level string that is undefined stays undefined; scalars are copied */
    json_t *s = json_string("{{ missing }}");
    ASSERT(tpl_render_deep(s, &c) == NULL);
    json_decref(s);
    s = json_integer(5);
    got = tpl_render_deep(s, &c);
    ASSERT_EQ(json_integer_value(got), 5);
    json_decref(got);
    json_decref(s);
    json_decref(vars);
}

TEST(template_has)
{
    ASSERT_EQ(tpl_has("a {{ b }}"), 1);
    ASSERT_EQ(tpl_has("a {{"), 1);
    ASSERT_EQ(tpl_has("a { { b } }"), 0);
    ASSERT_EQ(tpl_has(""), 0);
}

TEST(template_check)
{
    static const struct {
        const char *s, *msg;
        int col;
    } bad[] = {
        {"abc {{ x", "unterminated \"{{\"", 5},
        {"{{ }}", "empty template in \"{{ }}\"", 4},
        {"x {{ a..b }}", "empty name after \".\" in \"{{ a..b }}\"", 8},
        {"{{ a. }}", "empty name after \".\" in \"{{ a. }}\"", 6},
        {"{{ a + b }}", "unexpected character in \"{{ a + b }}\"", 5},
        {"{{ items[x] }}", "expected an index or a quoted name after \"[\" in \"{{ items[x] }}\"",
         10},
        {"{{ a[0 }}", "expected \"]\" in \"{{ a[0 }}\"", 7},
        {"{{ a[\"b }}", "unterminated quoted name in \"{{ a[\"b }}\"", 8},
        {"ok {{ n }} {{ #x }}", "bad name in \"{{ #x }}\"", 15},
        {"{{ $foo(1) }}", "unknown function in \"{{ $foo(1) }}\"", 4},
        {"{{ $randomNumber(1, x) }}",
         "expected an integer argument in \"{{ $randomNumber(1, x) }}\"", 21},
        {"{{ $randomNumber(1,2,3) }}", "too many arguments in \"{{ $randomNumber(1,2,3) }}\"", 22},
        {"{{ $randomString(1, 2) }}", "too many arguments in \"{{ $randomString(1, 2) }}\"", 21},
        {"{{ $randomNumber(1, 2 }}", "expected \",\" or \")\" in \"{{ $randomNumber(1, 2 }}\"", 22},
        {"{{ $randomString(3) x }}", "unexpected text after \")\" in \"{{ $randomString(3) x }}\"",
         21},
        {"{{ $randomString(-1) }}",
         "$randomString length must be 0 to 65536 in \"{{ $randomString(-1) }}\"", 4},
    };
    struct parse_error pe;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        perr_clear(&pe);
        int r = tpl_check(bad[i].s, &pe);
        if (r != -1 || strcmp(pe.msg, bad[i].msg) || pe.col != bad[i].col)
            fprintf(stderr, "    %s: %d \"%s\" col %d\n", bad[i].s, r, pe.msg, pe.col);
        ASSERT_EQ(r, -1);
        ASSERT_STR(pe.msg, bad[i].msg);
        ASSERT_EQ(pe.col, bad[i].col);
        ASSERT_EQ(pe.line, 0);
    }
    static const char *const good[] = {
        "plain",
        "{{ n }}",
        "{{n}}-{{ user.id }}/{{ items[0].id }}",
        "{{ a[\"b c\"] }}{{ a['x'] }}",
        "{{ $env.HOME }} {{ $uuid }} {{ $loopElement }}",
        "{{ $randomNumber(1,10) }} {{ $randomNumber( -5 , 5 ) }} {{ $randomNumber() }}",
        "{{ $randomString() }} {{ $randomString(4) }}",
        "{ not } a template }}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ASSERT_EQ(tpl_check(good[i], &pe), 0);
    ASSERT_EQ(tpl_check("{{", NULL), -1);
}

TEST(template_output_is_bounded)
{
    /* 600 KiB fits once; twice in one string passes TPL_MAX_OUTPUT (1 MiB) */
    char *big = malloc(600 * 1024 + 1);
    memset(big, 'a', 600 * 1024);
    big[600 * 1024] = '\0';
    json_t *vars = json_object();
    json_object_set_new(vars, "x", json_string(big));
    json_object_set_new(vars, "self", json_string("{{ self }}{{ self }}"));
    struct tpl_ctx c = {vars, NULL, NULL, NULL};
    int too_big = 0;
    json_t *v = tpl_render_checked("{{ x }}", &c, &too_big);
    ASSERT_EQ(json_string_length(v), 600 * 1024);
    ASSERT_EQ(too_big, 0);
    json_decref(v);
    v = tpl_render_checked("<{{ x }}{{ x }}>", &c, &too_big);
    ASSERT_STR(json_string_value(v), ""); /* never a cut value */
    ASSERT_EQ(too_big, 1);
    json_decref(v);
    v = tpl_render("{{ x }}{{ x }}", &c); /* the unchecked form is bounded as well */
    ASSERT_STR(json_string_value(v), "");
    json_decref(v);
    char *s = tpl_render_str_checked("{{ x }}-{{ x }}", &c, &too_big);
    ASSERT_STR(s, "");
    free(s);
    /* sticky: a later small rendering does not clear it */
    v = tpl_render_checked("{{ s }}", &c, &too_big);
    ASSERT_EQ(too_big, 1);
    json_decref(v);

    /* one budget for a whole tree: the second copy does not fit */
    too_big = 0;
    json_t *tree = json_loads("{\"a\": \"{{ x }}\", \"b\": [\"{{ x }}\"], \"c\": 1}", 0, NULL);
    v = tpl_render_deep_checked(tree, &c, &too_big);
    ASSERT_EQ(too_big, 1);
    ASSERT_EQ(json_string_length(json_object_get(v, "a")), 600 * 1024);
    ASSERT_STR(json_string_value(json_array_get(json_object_get(v, "b"), 0)), "");
    json_decref(v);
    json_decref(tree);

    /* a typed value is measured before it is copied */
    json_t *list = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(list, json_string(big));
    json_object_set_new(vars, "list", list);
    too_big = 0;
    v = tpl_render_checked("{{ list }}", &c, &too_big);
    ASSERT_STR(json_string_value(v), "");
    ASSERT_EQ(too_big, 1);
    json_decref(v);

    /* $randomString's own bound is 65536; 17 of them in one string pass 1 MiB */
    uint64_t rng = 1;
    struct tpl_ctx cr = {NULL, NULL, &rng, NULL};
    char tpl[1024] = "";
    for (int i = 0; i < 17; i++)
        strcat(tpl, "{{ $randomString(65536) }}");
    too_big = 0;
    s = tpl_render_str_checked(tpl, &cr, &too_big);
    ASSERT_STR(s, "");
    ASSERT_EQ(too_big, 1);
    free(s);
    ASSERT_EQ(tpl_check("{{ $randomString(65537) }}", NULL), -1);
    ASSERT_EQ(tpl_check("{{ $randomString(1e9) }}", NULL), -1);

    /* one pass: a value that names itself is not rendered again */
    too_big = 0;
    s = tpl_render_str_checked("{{ self }}", &c, &too_big);
    ASSERT_STR(s, "{{ self }}{{ self }}");
    ASSERT_EQ(too_big, 0);
    free(s);
    json_decref(vars);
    free(big);
}
