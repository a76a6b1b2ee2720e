/* test_checks.c — ensure checks: specs, validation messages, evaluation
 * against the fixture report, Artillery-style printing. */
#include <stdlib.h>

#include "checks.h"
#include "test.h"

/* tests/fixtures/run.json, found next to this file. */
static json_t *fixture(void)
{
    char path[512];
    const char *slash = strrchr(__FILE__, '/');
    snprintf(path, sizeof path, "%.*sfixtures/run.json", slash ? (int)(slash - __FILE__ + 1) : 0,
             __FILE__);
    return json_load_file(path, 0, NULL);
}

/* What `fn` prints to a FILE*, as a heap string. */
#define CAPTURE(out, call)                                                                         \
    do {                                                                                           \
        size_t len_;                                                                               \
        FILE *f = open_memstream(&(out), &len_);                                                   \
        call;                                                                                      \
        fclose(f);                                                                                 \
    } while (0)

TEST(checks_spec_forms)
{
    struct check_spec s[6];
    check_spec_threshold(&s[0], "http.response_time.p99", 200, 3, 9);
    ASSERT_STR(s[0].text, "http.response_time.p99 < 200");
    ASSERT_STR(s[0].expr, "http.response_time.p99 < 200");
    ASSERT_EQ(s[0].strict, 1);
    check_spec_condition(&s[1], "vusers.failed == 0", 0, 5, 20);
    ASSERT_STR(s[1].expr, "vusers.failed == 0");
    ASSERT_EQ(s[1].strict, 0);
    ASSERT_EQ(s[1].line, 5);
    ASSERT_EQ(check_spec_shorthand(&s[2], "p95", 200.7, 7, 5), 0); /* parseInt, like Artillery */
    ASSERT_STR(s[2].text, "p95 < 200");
    ASSERT_STR(s[2].expr, "http.response_time.p95 < 200");
    ASSERT_EQ(check_spec_shorthand(&s[3], "maxErrorRate", 0.5, 8, 5), 0);
    ASSERT_STR(s[3].text, "maxErrorRate <= 0.5");
    ASSERT_STR(s[3].expr, "(vusers.created - vusers.completed) / vusers.created * 100 <= 0.5");
    ASSERT_EQ(check_spec_shorthand(&s[4], "p42", 1, 1, 1), -1);
    /* a name the expression lexer would split is quoted in the expression only */
    check_spec_threshold(&s[4], "plugins.metrics-by-endpoint./up.p99", 50, 9, 9);
    ASSERT_STR(s[4].text, "plugins.metrics-by-endpoint./up.p99 < 50");
    ASSERT_STR(s[4].expr, "'plugins.metrics-by-endpoint./up.p99' < 50");
    check_spec_threshold(&s[5], "vusers.created", 1e21, 1, 1);
    ASSERT_STR(s[5].text, "vusers.created < 1e+21");
    for (int i = 0; i < 6; i++) {
        free(s[i].text);
        free(s[i].expr);
    }
}

TEST(checks_validate_positions)
{
    struct check_spec s[3];
    check_spec_condition(&s[0], "vusers.failed == 0 and", 1, 12, 22);
    check_spec_condition(&s[1], "http.request_rate >= 5", 1, 13, 22);
    check_spec_condition(&s[2], "a = 1", 1, 0, 0);
    char *out = NULL;
    int bad;
    CAPTURE(out, bad = checks_validate(s, 2, "s.yml", f));
    ASSERT_EQ(bad, 1);
    /* column 22 + 23 - 1: the end of the expression inside the YAML line */
    ASSERT_STR(out, "s.yml:12:44: bad ensure expression: expected a number or a metric name, "
                    "found the end of the expression\n");
    free(out);
    CAPTURE(out, bad = checks_validate(s + 2, 1, "--ensure", f));
    ASSERT_EQ(bad, 1);
    ASSERT_STR(out, "--ensure: bad ensure expression `a = 1` at column 3: use `==` to compare\n");
    free(out);
    for (int i = 0; i < 3; i++) {
        free(s[i].text);
        free(s[i].expr);
    }
}

TEST(checks_eval_against_fixture)
{
    json_t *run = fixture();
    ASSERT(run);
    struct check_spec *s = calloc(7, sizeof *s);
    check_spec_threshold(&s[0], "http.response_time.p99", 250, 1, 1);
    check_spec_condition(&s[1], "vusers.failed == 0 and http.request_rate >= 5", 1, 1, 1);
    check_spec_condition(&s[2], "http.response_time.p95 < 100", 0, 1, 1);
    check_spec_shorthand(&s[3], "p99", 500, 1, 1);
    check_spec_shorthand(&s[4], "maxErrorRate", 1, 1, 1);
    check_spec_condition(&s[5], "errors.ETIMEDOUT < 1", 1, 1, 1);
    check_spec_condition(&s[6], "http.requests / vusers.skipped > 1", 0, 1, 1);
    struct check_result *r = checks_eval(s, 7, run);
    ASSERT_EQ(r[0].ok, 1);
    ASSERT_STR(r[0].message, "http.response_time.p99 = 101.2");
    ASSERT_EQ(r[1].ok, 0);
    ASSERT_STR(r[1].message, "vusers.failed = 834, http.request_rate = 113");
    ASSERT_EQ(r[2].ok, 0);
    ASSERT_EQ(r[2].strict, 0);
    ASSERT_EQ(r[3].ok, 1);
    ASSERT_EQ(r[4].ok, 0);
    /* (3300 - 2466) / 3300 * 100 */
    ASSERT_STR(r[4].message,
               "maxErrorRate = 25.27 from vusers.created = 3300, vusers.completed = 2466");
    ASSERT_EQ(r[5].ok, 0);
    ASSERT_STR(r[5].message, "no metric named errors.ETIMEDOUT in this run (counters that "
                             "stayed at 0 are not reported)");
    ASSERT_EQ(r[6].ok, 0);
    ASSERT_STR(r[6].message, "division by zero at column 15");
    ASSERT_EQ(checks_failed_strict(r, 7), 3);

    char *out = NULL;
    CAPTURE(out, checks_print(f, r, 3));
    ASSERT_STR(out, "Checks:\n"
                    "  ok: http.response_time.p99 < 250 (http.response_time.p99 = 101.2)\n"
                    "  fail: vusers.failed == 0 and http.request_rate >= 5 (vusers.failed = 834, "
                    "http.request_rate = 113)\n"
                    "  fail: http.response_time.p95 < 100 (optional; http.response_time.p95 = "
                    "100.8)\n");
    free(out);
    CAPTURE(out, checks_print(f, r, 0));
    ASSERT_STR(out, "");
    free(out);

    json_t *j = checks_results_json(r, 2);
    ASSERT_EQ(json_array_size(j), 2);
    ASSERT_STR(json_string_value(json_object_get(json_array_get(j, 1), "text")),
               "vusers.failed == 0 and http.request_rate >= 5");
    ASSERT(json_is_false(json_object_get(json_array_get(j, 1), "ok")));
    json_decref(j);
    j = check_specs_json(s + 4, 1);
    ASSERT_STR(json_string_value(json_object_get(json_array_get(j, 0), "expr")),
               "(vusers.created - vusers.completed) / vusers.created * 100 <= 1");
    json_decref(j);
    check_results_free(r, 7);
    check_specs_free(s, 7);
    json_decref(run);
}

TEST(checks_summary_names_and_rates)
{
    json_t *run = json_pack("{s:{s:{s:i}, s:{s:i}, s:{s:{s:f, s:i}}}}", "aggregate", "counters",
                            "http.codes.200", 10, "rates", "http.request_rate", 5, "summaries",
                            "http.response_time", "p99", 12.5, "count", 10);
    struct check_spec s[3];
    check_spec_condition(&s[0], "http.codes.200 == 10 and http.request_rate >= 5", 1, 1, 1);
    check_spec_condition(&s[1], "http.response_time.p99 * 2 == 25", 1, 1, 1);
    check_spec_condition(&s[2], "http.response_time.p42 < 1", 1, 1, 1);
    struct check_result *r = checks_eval(s, 3, run);
    ASSERT_EQ(r[0].ok, 1);
    ASSERT_EQ(r[1].ok, 1);
    ASSERT_STR(r[1].message, "left side = 25 from http.response_time.p99 = 12.5");
    ASSERT_EQ(r[2].ok, 0);
    check_results_free(r, 3);
    for (int i = 0; i < 3; i++) {
        free(s[i].text);
        free(s[i].expr);
    }
    json_decref(run);
}
