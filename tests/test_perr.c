/* test_perr.c — struct parse_error: set, clear, and a long message cut on
 * a character boundary. */
#include "perr.h"
#include "test.h"

TEST(perr_set_and_clear)
{
    struct parse_error e;
    ASSERT_EQ(perr_set(&e, 3, 14, "unexpected `%s`", ")"), -1);
    ASSERT_EQ(e.line, 3);
    ASSERT_EQ(e.col, 14);
    ASSERT_STR(e.msg, "unexpected `)`");
    perr_clear(&e);
    ASSERT_EQ(e.line, 0);
    ASSERT_EQ(e.col, 0);
    ASSERT_STR(e.msg, "");
    ASSERT_EQ(perr_set(NULL, 1, 1, "nothing to fill"), -1);
    perr_clear(NULL);
}

TEST(perr_long_message_is_cut_on_a_character)
{
    /* 319 bytes fit as they are; "é" is 2 bytes, so 200 of them do not */
    char fits[320], e2[401];
    memset(fits, 'x', 319);
    fits[319] = '\0';
    for (int i = 0; i < 200; i++)
        memcpy(e2 + 2 * i, "\xc3\xa9", 2);
    e2[400] = '\0';
    struct parse_error e;
    perr_set(&e, 0, 1, "%s", fits);
    ASSERT_STR(e.msg, fits);
    perr_set(&e, 0, 1, "%s", e2);
    size_t n = strlen(e.msg);
    ASSERT_EQ(n, 316 + 3);
    ASSERT_STR(e.msg + 316, "...");
    ASSERT_EQ(memcmp(e.msg, e2, 316), 0); /* 158 whole characters */
    perr_set(&e, 0, 1, "a%s", e2);        /* now byte 316 is inside a character */
    ASSERT_EQ(strlen(e.msg), 315 + 3);
    ASSERT_STR(e.msg + 315, "...");
}
