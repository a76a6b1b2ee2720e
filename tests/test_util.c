/* test_util.c — util.c's text helpers: str_trim_utf8 on every length of cut
 * sequence. */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "util.h"

TEST(util_trim_utf8_drops_a_cut_character)
{
    char s[32];
    /* "é" is c3 a9: cut after its first byte */
    snprintf(s, sizeof s, "caf\xc3");
    ASSERT_STR(str_trim_utf8(s), "caf");
    /* "☃" is e2 98 83: cut after one and after two bytes */
    snprintf(s, sizeof s, "a\xe2");
    ASSERT_STR(str_trim_utf8(s), "a");
    snprintf(s, sizeof s, "a\xe2\x98");
    ASSERT_STR(str_trim_utf8(s), "a");
    /* "😀" is f0 9f 98 80: cut after three bytes */
    snprintf(s, sizeof s, "ab\xf0\x9f\x98");
    ASSERT_STR(str_trim_utf8(s), "ab");
}

TEST(util_trim_utf8_keeps_whole_text)
{
    char s[32];
    snprintf(s, sizeof s, "caf\xc3\xa9");
    ASSERT_STR(str_trim_utf8(s), "caf\xc3\xa9");
    snprintf(s, sizeof s, "snow \xe2\x98\x83");
    ASSERT_STR(str_trim_utf8(s), "snow \xe2\x98\x83");
    snprintf(s, sizeof s, "\xf0\x9f\x98\x80");
    ASSERT_STR(str_trim_utf8(s), "\xf0\x9f\x98\x80");
    snprintf(s, sizeof s, "plain ascii");
    ASSERT_STR(str_trim_utf8(s), "plain ascii");
    s[0] = '\0';
    ASSERT_STR(str_trim_utf8(s), "");
    /* only continuation bytes: no lead to judge by, left as it is */
    snprintf(s, sizeof s, "\x98\x83");
    ASSERT_STR(str_trim_utf8(s), "\x98\x83");
}

/* The cut snprintf makes in a 6-byte buffer, as stats_event and the
 * capacity findings see it: five bytes of the text and the NUL. */
static char *cut6(char *s, const char *text)
{
    memcpy(s, text, 5);
    s[5] = '\0';
    return s;
}

TEST(util_trim_utf8_after_a_cut_at_a_byte)
{
    char s[6];
    ASSERT_STR(str_trim_utf8(cut6(s, "abc\xe2\x98\x83xyz")), "abc");           /* 2 of 3 bytes */
    ASSERT_STR(str_trim_utf8(cut6(s, "ab\xe2\x98\x83xyz")), "ab\xe2\x98\x83"); /* whole */
}
