/* test_regexp.c — regexp.c: JavaScript's syntax through PCRE2, groups,
 * compile errors with columns, and the bounds that make a pattern or a
 * body unable to take the process's memory or time. */
#include <stdlib.h>

#include "regexp.h"
#include "test.h"

/* Group `group` of the first match of `pattern` in `subject`, in a static
 * buffer: the text, "-" for no match, "GAVE UP", or "ERR col: message". */
static const char *m(const char *pattern, int icase, const char *subject, size_t len, int group)
{
    static char out[400];
    struct parse_error pe;
    struct regexp *re = regexp_compile(pattern, icase, &pe);
    if (!re) {
        snprintf(out, sizeof out, "ERR %d: %s", pe.col, pe.msg);
        return out;
    }
    size_t so = 0, eo = 0;
    int rc = regexp_match(re, subject, len, group, &so, &eo);
    regexp_free(re);
    if (rc < 0)
        return "GAVE UP";
    if (!rc)
        return "-";
    snprintf(out, sizeof out, "%.*s", (int)(eo - so), subject + so);
    return out;
}

static const char *ms(const char *pattern, const char *subject, int group)
{
    return m(pattern, 0, subject, strlen(subject), group);
}

TEST(regexp_javascript_syntax)
{
    ASSERT_STR(ms("id=(\\d+)", "a id=42; b", 1), "42");
    ASSERT_STR(ms("\\w+@\\w+\\.\\w+", "mail ann@ex.org now", 0), "ann@ex.org");
    ASSERT_STR(ms("\"(.*?)\"", "\"a\" and \"b\"", 1), "a");          /* lazy */
    ASSERT_STR(ms("\"(.*)\"", "\"a\" and \"b\"", 1), "a\" and \"b"); /* greedy */
    ASSERT_STR(ms("(?:x|y)(z)", "..yz", 1), "z");                    /* non-capturing */
    ASSERT_STR(ms("a(?=b)", "ac ab", 0), "a");                       /* lookahead */
    ASSERT_STR(ms("(?<=t-)\\d+", "n-1 t-22", 0), "22");              /* lookbehind */
    ASSERT_STR(ms("(?<id>\\d+)-(\\d+)", "7-8", 2), "8");             /* named groups count */
    ASSERT_STR(ms("caf\\u00e9", "un café", 0), "café");              /* \u as JavaScript's */
    ASSERT_STR(ms("a[^]b", "a\nb", 0), "a\nb");                      /* [^]: anything */
    ASSERT_STR(ms("a.b", "a\nb a\rb", 0), "-");                      /* . stops at line breaks */
    ASSERT_STR(ms("ok$", "ok\n", 0), "-");                           /* $: the very end */
    ASSERT_STR(ms("a|ab", "ab", 0), "a"); /* leftmost first, not longest */
    ASSERT_STR(m("TOKEN", 1, "a token", 7, 0), "token");
    ASSERT_STR(m("TOKEN", 0, "a token", 7, 0), "-");
    ASSERT_STR(ms("é.", "xéü", 0), "éü"); /* UTF-8: . is a character */
}

TEST(regexp_groups_and_subjects)
{
    struct regexp *re = regexp_compile("(a)(b)?(?<c>c)", 0, NULL);
    ASSERT(re != NULL);
    ASSERT_EQ(regexp_groups(re), 3);
    size_t so = 9, eo = 9;
    ASSERT_EQ(regexp_match(re, "xac", 3, 1, &so, &eo), 1);
    ASSERT_EQ(so, 1);
    ASSERT_EQ(eo, 2);
    ASSERT_EQ(regexp_match(re, "xac", 3, 2, &so, &eo), 0); /* (b)? took no part */
    ASSERT_EQ(regexp_match(re, "xac", 3, 4, &so, &eo), 0); /* no such group */
    ASSERT_EQ(regexp_match(re, "xab", 3, 0, NULL, NULL), 0);
    ASSERT_EQ(regexp_match(re, NULL, 0, 0, NULL, NULL), 0);
    regexp_free(re);
    regexp_free(NULL);
    /* NUL bytes are text; the length is the subject's end; bad UTF-8 is no trap */
    ASSERT_STR(m("b\\x00c", 0, "ab\0cd", 5, 0), "b");
    ASSERT_STR(m("c.", 0, "abcdef", 3, 0), "-");
    ASSERT_STR(m("x(y+)", 0, "\xff\xfexyy\xc3", 6, 1), "yy");
}

TEST(regexp_compile_errors_have_columns)
{
    ASSERT_STR(ms("(a", "", 0), "ERR 3: missing closing parenthesis at column 3");
    ASSERT_STR(ms("a)", "", 0), "ERR 2: unmatched closing parenthesis at column 2");
    ASSERT_STR(ms("[a", "", 0), "ERR 3: missing terminating ] for character class at column 3");
    /* fuzz_script/regexp-stacked-plus-oom: glibc's regcomp doubled its memory per `+` */
    ASSERT_STR(ms("e++++++++++++++++++++++++++++++", "", 0),
               "ERR 4: quantifier does not follow a repeatable item at column 4");
    struct parse_error pe;
    strcpy(pe.msg, "junk");
    struct regexp *re = regexp_compile("ok", 0, &pe);
    ASSERT(re != NULL);
    ASSERT_STR(pe.msg, "");
    regexp_free(re);
    ASSERT(regexp_compile("(", 0, NULL) == NULL);
}

TEST(regexp_is_bounded)
{
    /* what compiles to more than 64 KiB is refused, quickly */
    ASSERT_STR(ms("((((a{1000}){1000}){1000}){1000})", "", 0),
               "ERR 34: regular expression is too large at column 34");
    char *big = malloc(REGEXP_MAX_PATTERN + 2);
    memset(big, 'a', REGEXP_MAX_PATTERN + 1);
    big[REGEXP_MAX_PATTERN + 1] = '\0';
    const char *r = ms(big, "", 0);
    ASSERT(!strncmp(r, "ERR ", 4));
    ASSERT(strstr(r, "longer than the limit") != NULL);
    free(big);
    /* a backtracking bomb gives up instead of running for ever */
    char bomb[64];
    memset(bomb, 'a', 40);
    strcpy(bomb + 40, "!");
    ASSERT_STR(ms("^(\\w+\\s?)*$", bomb, 0), "GAVE UP");
    /* but a long lazy match of a whole body is not one */
    size_t n = 500000;
    char *body = malloc(n + 3);
    body[0] = '<';
    memset(body + 1, 'b', n);
    strcpy(body + n + 1, ">");
    struct regexp *re = regexp_compile("<(.*?)>", 0, NULL);
    size_t so = 0, eo = 0;
    ASSERT_EQ(regexp_match(re, body, n + 2, 1, &so, &eo), 1);
    ASSERT_EQ(so, 1);
    ASSERT_EQ(eo, n + 1);
    regexp_free(re);
    free(body);
}
