/* test_expect.c — expect.c: every matcher passing and failing, with the
 * exact failure messages; argument validation. */
#include <stdlib.h>

#include "expect.h"
#include "test.h"

static const char *const hnames[] = {"Content-Type", "X-Id", "Set-Cookie", "x-id"};
static const char *const hvalues[] = {"application/json; charset=utf-8", "abc", "s=1", "second"};
static const char body[] = "{\"token\": \"t1\", \"n\": 5, \"nil\": null,"
                           " \"user\": {\"id\": 7}, \"items\": [{\"id\": 1}], \"a.b\": true}";

/* Run one check given as JSON ("[type, arg]") against `r`; msg gets the
 * message. Returns expect_eval's result. */
static int run(const char *check, const struct exp_response *r, char *msg, size_t n)
{
    json_t *c = json_loads(check, JSON_DECODE_ANY, NULL);
    struct exp_check ec = {json_string_value(json_array_get(c, 0)), json_array_get(c, 1)};
    int ok = expect_eval(&ec, r, msg, n);
    json_decref(c);
    return ok;
}

/* A passing check leaves "" in msg; a failing one its exact message. */
#define PASS(check)                                                                                \
    do {                                                                                           \
        strcpy(msg, "junk");                                                                       \
        ASSERT_EQ(run(check, &r, msg, sizeof msg), 1);                                             \
        ASSERT_STR(msg, "");                                                                       \
    } while (0)
#define FAIL(check, want)                                                                          \
    do {                                                                                           \
        ASSERT_EQ(run(check, &r, msg, sizeof msg), 0);                                             \
        ASSERT_STR(msg, want);                                                                     \
    } while (0)

static struct exp_response response(int status, json_t *json)
{
    return (struct exp_response){status, NULL, hnames, hvalues, 4, body, strlen(body), json};
}

TEST(expect_known_types)
{
    static const char *const types[] = {"statusCode",     "notStatusCode", "contentType",
                                        "hasHeader",      "headerEquals",  "hasProperty",
                                        "notHasProperty", "equals",        "matchesRegexp"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        ASSERT_EQ(expect_known(types[i]), 1);
    ASSERT_EQ(expect_known("cdnHit"), 0);
    ASSERT_EQ(expect_known("statuscode"), 0);
    ASSERT_EQ(expect_known(NULL), 0);
}

TEST(expect_status_code)
{
    char msg[160];
    struct exp_response r = response(503, NULL);
    FAIL("[\"statusCode\", 200]", "expected status 200, got 503");
    FAIL("[\"statusCode\", [200, \"201\"]]", "expected status one of 200, 201, got 503");
    PASS("[\"statusCode\", 503]");
    PASS("[\"statusCode\", \"503\"]");
    PASS("[\"statusCode\", 503.0]");
    PASS("[\"statusCode\", [200, 503]]");
    PASS("[\"statusCode\", [\"200\", \"503 \"]]");
    FAIL("[\"statusCode\", \"abc\"]", "expected status abc, got 503");
    PASS("[\"notStatusCode\", 500]");
    PASS("[\"notStatusCode\", [500, 502]]");
    FAIL("[\"notStatusCode\", 503]", "expected status other than 503, got 503");
    FAIL("[\"notStatusCode\", [500, 503]]", "expected status none of 500, 503, got 503");
    FAIL("[\"statusCode\", true]", "statusCode takes a status code or a list of them");
    FAIL("[\"notStatusCode\", []]", "notStatusCode takes a status code or a list of them");
}

TEST(expect_content_type)
{
    char msg[160];
    json_t *doc = json_loads(body, 0, NULL);
    struct exp_response r = response(200, doc);
    PASS("[\"contentType\", \"json\"]");
    PASS("[\"contentType\", \"application/json\"]");
    PASS("[\"contentType\", \"Application/JSON\"]");
    PASS("[\"contentType\", \"application/json; charset=UTF-8\"]");
    FAIL("[\"contentType\", \"application/json; charset=latin1\"]",
         "expected content-type application/json; charset=latin1, got application/json; "
         "charset=utf-8");
    FAIL("[\"contentType\", \"text/html\"]",
         "expected content-type text/html, got application/json; charset=utf-8");
    /* json needs a body that parsed */
    r.json = NULL;
    FAIL("[\"contentType\", \"json\"]", "expected content-type json, got application/json; "
                                        "charset=utf-8 but the body is not JSON");
    /* an explicit content type wins over the headers */
    r.content_type = "text/html";
    r.json = doc;
    FAIL("[\"contentType\", \"json\"]", "expected content-type json, got text/html");
    r.content_type = "application/vnd.api+json";
    FAIL("[\"contentType\", \"json\"]", "expected content-type json, got application/vnd.api+json");
    r.content_type = NULL;
    r.nheaders = 0;
    FAIL("[\"contentType\", \"json\"]", "expected content-type json, got none");
    FAIL("[\"contentType\", \"\"]", "contentType takes a non-empty string");
    json_decref(doc);
}

TEST(expect_headers)
{
    char msg[160];
    struct exp_response r = response(200, NULL);
    PASS("[\"hasHeader\", \"x-id\"]");
    PASS("[\"hasHeader\", \"SET-COOKIE\"]");
    FAIL("[\"hasHeader\", \"x-missing\"]", "expected header x-missing, got none");
    /* the first header of that name counts, its value is compared exactly */
    PASS("[\"headerEquals\", [\"x-id\", \"abc\"]]");
    FAIL("[\"headerEquals\", [\"X-ID\", \"second\"]]",
         "expected header X-ID to be \"second\", got \"abc\"");
    FAIL("[\"headerEquals\", [\"x-id\", \"ABC\"]]",
         "expected header x-id to be \"ABC\", got \"abc\"");
    FAIL("[\"headerEquals\", [\"x-no\", 5]]", "expected header x-no to be \"5\", got none");
    static const char *const n2[] = {"x-n"}, *const v2[] = {"5"};
    r.header_names = n2;
    r.header_values = v2;
    r.nheaders = 1;
    PASS("[\"headerEquals\", [\"x-n\", 5]]");
    PASS("[\"headerEquals\", [\"x-n\", 5.0]]");
    FAIL("[\"headerEquals\", [\"x-n\"]]", "headerEquals takes [name, value]");
    FAIL("[\"headerEquals\", \"x-n: 5\"]", "headerEquals takes [name, value]");
    FAIL("[\"headerEquals\", [\"x-n\", [5]]]", "headerEquals takes [name, value]");
    FAIL("[\"hasHeader\", 5]", "hasHeader takes a non-empty string");
}

TEST(expect_properties)
{
    char msg[160];
    json_t *doc = json_loads(body, 0, NULL);
    struct exp_response r = response(200, doc);
    PASS("[\"hasProperty\", \"token\"]");
    PASS("[\"hasProperty\", \"user.id\"]");
    PASS("[\"hasProperty\", \"items[0].id\"]");
    PASS("[\"hasProperty\", \"items.0.id\"]");
    PASS("[\"hasProperty\", \"nil\"]"); /* present, even if null */
    PASS("[\"hasProperty\", \"a.b\"]"); /* a key spelled like the path */
    FAIL("[\"hasProperty\", \"user.name\"]", "expected property user.name, got none");
    FAIL("[\"hasProperty\", \"items[1].id\"]", "expected property items[1].id, got none");
    FAIL("[\"hasProperty\", \"token.x\"]", "expected property token.x, got none");
    PASS("[\"notHasProperty\", \"error\"]");
    PASS("[\"notHasProperty\", \"user.name\"]");
    FAIL("[\"notHasProperty\", \"user\"]", "expected no property user, got {\"id\":7}");
    FAIL("[\"notHasProperty\", \"n\"]", "expected no property n, got 5");
    r.json = NULL;
    FAIL("[\"hasProperty\", \"token\"]",
         "expected property token, but the body is not a JSON object");
    FAIL("[\"notHasProperty\", \"token\"]",
         "expected no property token, but the body is not a JSON object");
    json_t *num = json_integer(3);
    r.json = num;
    FAIL("[\"hasProperty\", \"token\"]",
         "expected property token, but the body is not a JSON object");
    json_decref(num);
    json_decref(doc);
}

TEST(expect_equals)
{
    char msg[160];
    struct exp_response r = response(200, NULL);
    PASS("[\"equals\", [\"5\", 5]]");
    PASS("[\"equals\", [\"0.5\", 0.5, \"0.5\"]]");
    PASS("[\"equals\", [true, \"true\"]]");
    PASS("[\"equals\", [\"x\"]]");
    PASS("[\"equals\", [null, \"null\"]]");
    FAIL("[\"equals\", [\"5\", 6]]", "expected equal values, got \"5\", \"6\"");
    FAIL("[\"equals\", [\"a\", \"a\", \"b\"]]", "expected equal values, got \"a\", \"a\", \"b\"");
    FAIL("[\"equals\", [\"5\", \"5 \"]]", "expected equal values, got \"5\", \"5 \"");
    FAIL("[\"equals\", []]", "equals takes a list of values");
    FAIL("[\"equals\", \"5\"]", "equals takes a list of values");
}

TEST(expect_matches_regexp)
{
    char msg[200];
    struct exp_response r = response(200, NULL);
    PASS("[\"matchesRegexp\", \"\\\"token\\\": \\\"t[0-9]+\\\"\"]");
    PASS("[\"matchesRegexp\", \"^\\\\{\"]");
    PASS("[\"matchesRegexp\", \"(id|token)\"]");
    FAIL("[\"matchesRegexp\", \"^\\\"token\"]", "expected body to match \"^\"token\"");
    /* JavaScript's syntax (PCRE2): \\d is a digit, *? is lazy */
    PASS("[\"matchesRegexp\", \"t\\\\d\"]");
    FAIL("[\"matchesRegexp\", \"t\\\\d\\\\d\"]", "expected body to match \"t\\d\\d\"");
    PASS("[\"matchesRegexp\", \"^\\\\{\\\"token\\\": \\\"(?:.*?)\\\"\"]");
    ASSERT_EQ(run("[\"matchesRegexp\", \"(\"]", &r, msg, sizeof msg), 0);
    ASSERT(!strncmp(msg, "invalid regexp \"(\": ", 20));
    /* the body need not be NUL-terminated, and may be absent */
    const char raw[] = "okXXXX";
    r.body = raw;
    r.body_len = 2;
    PASS("[\"matchesRegexp\", \"^ok$\"]");
    r.body = NULL;
    PASS("[\"matchesRegexp\", \"^$\"]");
    FAIL("[\"matchesRegexp\", \"x\"]", "expected body to match \"x\"");
    /* a backtracking bomb gives up at its limit: no match, and it says so */
    char bomb[64];
    memset(bomb, 'a', 40);
    strcpy(bomb + 40, "!");
    r.body = bomb;
    r.body_len = strlen(bomb);
    FAIL("[\"matchesRegexp\", \"^(\\\\w+\\\\s?)*$\"]",
         "expected body to match \"^(\\w+\\s?)*$\" (gave up: the match passed its limits)");
}

TEST(expect_unknown_and_validate)
{
    char msg[160];
    struct exp_response r = response(200, NULL);
    FAIL("[\"cdnHit\", true]", "unknown expectation \"cdnHit\"");
    ASSERT_EQ(run("[\"statusCode\", 500]", &r, NULL, 0), 0);
    ASSERT_EQ(run("[\"statusCode\", 200]", &r, NULL, 0), 1);

    static const struct {
        const char *check, *msg;
    } cases[] = {
        {"[\"statusCode\", 200]", ""},
        {"[\"statusCode\", \"{{ code }}\"]", ""},
        {"[\"statusCode\", [200, 201]]", ""},
        {"[\"statusCode\", {\"a\": 1}]", "statusCode takes a status code or a list of them"},
        {"[\"headerEquals\", [\"x\", \"{{ v }}\"]]", ""},
        {"[\"headerEquals\", [\"x\"]]", "headerEquals takes [name, value]"},
        {"[\"equals\", [\"{{ a }}\", 1]]", ""},
        {"[\"equals\", [{\"a\": 1}]]", "equals takes a list of values"},
        {"[\"hasProperty\", \"a.b\"]", ""},
        {"[\"hasProperty\", null]", "hasProperty takes a non-empty string"},
        {"[\"matchesRegexp\", \"^ok\"]", ""},
        {"[\"matchesRegexp\", \"({{ x }}\"]", ""}, /* compiled once rendered */
        {"[\"matchesRegexp\", \"a)\"]", "invalid regexp \"a)\": "},
        {"[\"nope\", 1]", "unknown expectation \"nope\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *c = json_loads(cases[i].check, 0, NULL);
        struct exp_check ec = {json_string_value(json_array_get(c, 0)), json_array_get(c, 1)};
        struct parse_error pe;
        strcpy(pe.msg, "junk");
        int rc = expect_validate(&ec, &pe);
        json_decref(c);
        size_t want = strlen(cases[i].msg);
        if (rc != (want ? -1 : 0) || strncmp(pe.msg, cases[i].msg, want ? want : 1))
            fprintf(stderr, "    %s: %d \"%s\"\n", cases[i].check, rc, pe.msg);
        ASSERT_EQ(rc, want ? -1 : 0);
        if (want)
            ASSERT(!strncmp(pe.msg, cases[i].msg, want));
        else
            ASSERT_STR(pe.msg, "");
    }
}
