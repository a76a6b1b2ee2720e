/* test_jsonpath.c — jsonpath.c: members, brackets, indexes, wildcards and
 * recursive descent on a nested document; random picks stay within the
 * matches; missing → NULL; malformed → err and exact check messages. */
#include <stdlib.h>

#include "jsonpath.h"
#include "test.h"

static json_t *test_doc(void)
{
    return json_loads("{\"token\": \"abc\", \"n\": 3, \"nil\": null,"
                      " \"user\": {\"id\": 7, \"tags\": [\"a\", \"b\"], \"x-id\": \"h\"},"
                      " \"items\": [{\"id\": 10, \"sku\": \"A\"}, {\"id\": 20, \"sku\": \"B\"},"
                      "             {\"id\": 30, \"sku\": \"C\"}],"
                      " \"odd key\": {\"it's\": 1, \"0\": \"zero\"}}",
                      0, NULL);
}

/* jsonpath_get as a compact JSON string ("(none)" for no match) in buf. */
static const char *get_s(const json_t *doc, const char *path, uint64_t *rng, char *buf, size_t n)
{
    int err = -1;
    json_t *v = jsonpath_get(doc, path, rng, &err);
    if (!v) {
        snprintf(buf, n, "%s", err ? "(malformed)" : "(none)");
        return buf;
    }
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    snprintf(buf, n, "%s", s);
    free(s);
    json_decref(v);
    return buf;
}

TEST(jsonpath_members_and_indexes)
{
    json_t *doc = test_doc();
    char b[256];
    ASSERT_STR(get_s(doc, "$.token", NULL, b, sizeof b), "\"abc\"");
    ASSERT_STR(get_s(doc, "$.user.id", NULL, b, sizeof b), "7");
    ASSERT_STR(get_s(doc, "$.user.tags[1]", NULL, b, sizeof b), "\"b\"");
    ASSERT_STR(get_s(doc, "$.user.tags.0", NULL, b, sizeof b), "\"a\"");
    ASSERT_STR(get_s(doc, "$.items[2].sku", NULL, b, sizeof b), "\"C\"");
    ASSERT_STR(get_s(doc, "$['items'][0][\"id\"]", NULL, b, sizeof b), "10");
    ASSERT_STR(get_s(doc, "$[ 'odd key' ]['it\\'s']", NULL, b, sizeof b), "1");
    ASSERT_STR(get_s(doc, "$['odd key'][0]", NULL, b, sizeof b), "\"zero\"");
    ASSERT_STR(get_s(doc, "$.user.x-id", NULL, b, sizeof b), "\"h\"");
    ASSERT_STR(get_s(doc, "$.nil", NULL, b, sizeof b), "null");
    ASSERT_STR(get_s(doc, "$.user", NULL, b, sizeof b),
               "{\"id\":7,\"tags\":[\"a\",\"b\"],\"x-id\":\"h\"}");
    json_t *all = jsonpath_get(doc, "$", NULL, NULL);
    ASSERT(json_equal(all, doc) && all != doc);
    json_decref(all);
    /* no match */
    ASSERT_STR(get_s(doc, "$.missing", NULL, b, sizeof b), "(none)");
    ASSERT_STR(get_s(doc, "$.user.tags[2]", NULL, b, sizeof b), "(none)");
    ASSERT_STR(get_s(doc, "$.token.length", NULL, b, sizeof b), "(none)");
    ASSERT_STR(get_s(doc, "$.n[0]", NULL, b, sizeof b), "(none)");
    ASSERT_STR(get_s(doc, "$.items[99999999999999999999]", NULL, b, sizeof b), "(none)");
    int err = -1;
    ASSERT(jsonpath_get(NULL, "$.a", NULL, &err) == NULL);
    ASSERT_EQ(err, 0);
    json_decref(doc);
}

TEST(jsonpath_wildcards_pick_within_matches)
{
    json_t *doc = test_doc();
    char b[64];
    uint64_t rng = 12345;
    int seen[3] = {0};
    for (int i = 0; i < 300; i++) {
        get_s(doc, "$.items[*].id", &rng, b, sizeof b);
        int v = atoi(b);
        ASSERT(v == 10 || v == 20 || v == 30);
        seen[v / 10 - 1]++;
    }
    ASSERT(seen[0] > 50 && seen[1] > 50 && seen[2] > 50);
    for (int i = 0; i < 50; i++) {
        get_s(doc, "$.items.*.sku", &rng, b, sizeof b);
        ASSERT(!strcmp(b, "\"A\"") || !strcmp(b, "\"B\"") || !strcmp(b, "\"C\""));
        get_s(doc, "$.user.tags[*]", &rng, b, sizeof b);
        ASSERT(!strcmp(b, "\"a\"") || !strcmp(b, "\"b\""));
    }
    /* a single match does not touch the rng; without an rng the first wins */
    uint64_t before = rng;
    ASSERT_STR(get_s(doc, "$.items[*].sku", NULL, b, sizeof b), "\"A\"");
    get_s(doc, "$.user[*]", &rng, b, sizeof b);
    ASSERT(!strcmp(b, "7") || !strcmp(b, "[\"a\",\"b\"]") || !strcmp(b, "\"h\""));
    ASSERT(rng != before);
    before = rng;
    ASSERT_STR(get_s(doc, "$.user.id", &rng, b, sizeof b), "7");
    ASSERT(rng == before);
    /* a wildcard on a scalar matches nothing */
    ASSERT_STR(get_s(doc, "$.token[*]", &rng, b, sizeof b), "(none)");
    json_decref(doc);
}

TEST(jsonpath_recursive_descent)
{
    json_t *doc = test_doc();
    char b[64];
    uint64_t rng = 9;
    for (int i = 0; i < 100; i++) {
        get_s(doc, "$..id", &rng, b, sizeof b);
        int v = atoi(b);
        ASSERT(v == 7 || v == 10 || v == 20 || v == 30);
    }
    ASSERT_STR(get_s(doc, "$..sku", NULL, b, sizeof b), "\"A\"");
    ASSERT_STR(get_s(doc, "$..tags[1]", NULL, b, sizeof b), "\"b\"");
    ASSERT_STR(get_s(doc, "$..['it\\'s']", NULL, b, sizeof b), "1");
    ASSERT_STR(get_s(doc, "$..nothing", NULL, b, sizeof b), "(none)");
    json_decref(doc);
}

TEST(jsonpath_malformed)
{
    static const struct {
        const char *path, *msg;
    } bad[] = {
        {"", "a JSONPath starts with \"$\" at column 1"},
        {"a.b", "a JSONPath starts with \"$\" at column 1"},
        {"$a", "expected \".\" or \"[\" at column 2"},
        {"$.", "expected a name at column 3"},
        {"$.a.", "expected a name at column 5"},
        {"$..", "expected a name at column 4"},
        {"$.a[", "expected an index, \"*\" or a quoted name at column 5"},
        {"$.a[0", "expected \"]\" at column 6"},
        {"$.a['x", "unterminated quoted name at column 7"},
        {"$.a[-1]", "negative indexes are not supported at column 5"},
        {"$.a[0:2]", "slices are not supported at column 6"},
        {"$.a[0,1]", "unions are not supported at column 6"},
        {"$.a[?(@.b)]", "filters are not supported at column 5"},
        {"$.a b", "expected \".\" or \"[\" at column 4"},
    };
    struct parse_error pe;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        perr_clear(&pe);
        ASSERT_EQ(jsonpath_check(bad[i].path, &pe), -1);
        ASSERT_STR(pe.msg, bad[i].msg);
        /* the column the message names */
        ASSERT_EQ(pe.col, atoi(strstr(bad[i].msg, "at column ") + 10));
        int err = 0;
        json_t *doc = json_object();
        ASSERT(jsonpath_get(doc, bad[i].path, NULL, &err) == NULL);
        json_decref(doc);
        ASSERT_EQ(err, 1);
    }
    static const char *const good[] = {"$",     "$.a",  "$.a.b[0].c", "$['a b'][\"c\"]", "$[*]",
                                       "$.a.*", "$..a", "$..*",       "$..[0]",          "$.$ref"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ASSERT_EQ(jsonpath_check(good[i], &pe), 0);
    ASSERT_EQ(jsonpath_check("x", NULL), -1);
}

TEST(jsonpath_bounds)
{
    char path[256] = "$";
    struct parse_error pe;
    for (int i = 0; i < 64; i++)
        strcat(path, ".a");
    ASSERT_EQ(jsonpath_check(path, &pe), 0);
    strcat(path, ".b");
    ASSERT_EQ(jsonpath_check(path, &pe), -1);
    ASSERT_STR(pe.msg, "more than 64 steps (the limit) at column 130");

    /* a chain of 2000 arrays: `$..*` is 2000 matches, `$..*..*` two million visits */
    json_t *doc = json_array(), *cur = doc;
    for (int i = 0; i < 2000; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    int err = -1;
    json_t *v = jsonpath_get(doc, "$..*", NULL, &err);
    ASSERT(v != NULL);
    ASSERT_EQ(err, 0);
    json_decref(v);
    ASSERT(jsonpath_get(doc, "$..*..*", NULL, &err) == NULL);
    ASSERT_EQ(err, 2);
    json_decref(doc);
}
