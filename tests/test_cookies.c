/* test_cookies.c — the native transport's cookie jar (cookies.c). */
#include "cookies.h"
#include "test.h"

static const char *header(const struct jar *j, const char *host, const char *path, int64_t now)
{
    static struct buf b;
    b.len = 0;
    if (b.data)
        b.data[0] = 0;
    jar_header(j, host, path, now, &b);
    return b.data ? b.data : "";
}

TEST(cookies_set_send_replace_expire)
{
    struct jar j = {0};
    int64_t now = 1800000000;
    jar_set_cookie(&j, "127.0.0.1", "/login", "sid=abc; Path=/; HttpOnly", now);
    jar_set_cookie(&j, "127.0.0.1", "/login", "theme = dark ", now);
    ASSERT_STR(header(&j, "127.0.0.1", "/cart", now), "sid=abc; theme=dark"); /* "/": /login's */
    jar_set_cookie(&j, "127.0.0.1", "/a/b/c", "deep=1", now); /* default path: /a/b */
    ASSERT_STR(header(&j, "127.0.0.1", "/a/b/x?q=1", now), "sid=abc; theme=dark; deep=1");
    ASSERT_STR(header(&j, "127.0.0.1", "/a/bc", now), "sid=abc; theme=dark");
    jar_set_cookie(&j, "127.0.0.1", "/", "sid=new; Path=/", now); /* replaced, not added */
    ASSERT_STR(header(&j, "127.0.0.1", "/", now), "theme=dark; sid=new");
    jar_set_cookie(&j, "127.0.0.1", "/", "sid=gone; Max-Age=0; Path=/", now);
    ASSERT_STR(header(&j, "127.0.0.1", "/", now), "theme=dark");
    jar_set_cookie(&j, "127.0.0.1", "/", "short=1; Max-Age=10", now);
    ASSERT_STR(header(&j, "127.0.0.1", "/", now + 11), "theme=dark");
    jar_set_cookie(&j, "127.0.0.1", "/", "old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", now);
    jar_set_cookie(&j, "127.0.0.1", "/", "sec=1; Secure", now); /* kept, not sent on http:// */
    ASSERT_STR(header(&j, "127.0.0.1", "/", now), "theme=dark; short=1");
    ASSERT_STR(header(&j, "127.0.0.2", "/", now), ""); /* another host */
    /* a Max-Age past the end of time lasts to the end of time (no overflow;
     * found by fuzz_response) */
    jar_set_cookie(&j, "127.0.0.1", "/", "far=1; Max-Age=99999999999999999999999", now);
    jar_set_cookie(&j, "127.0.0.1", "/", "far2=1; Max-Age=9223372036854775807", now);
    ASSERT_STR(header(&j, "127.0.0.1", "/", INT64_MAX - 1), "theme=dark; far=1; far2=1");
    jar_clear(&j);
    ASSERT_STR(header(&j, "127.0.0.1", "/", now), "");
    jar_free(&j);
}

TEST(cookies_domains_and_options)
{
    struct jar j = {0};
    jar_set_cookie(&j, "api.example.test", "/", "d=1; Domain=.example.test", 0);
    jar_set_cookie(&j, "api.example.test", "/", "evil=1; Domain=other.test", 0); /* refused */
    jar_set_cookie(&j, "api.example.test", "/", "novalue", 0);                   /* ignored */
    ASSERT_STR(header(&j, "www.example.test", "/", 0), "d=1");
    ASSERT_STR(header(&j, "example.test", "/", 0), "d=1");
    ASSERT_STR(header(&j, "badexample.test", "/", 0), "");
    jar_put(&j, "api.example.test", "user=7");
    ASSERT_STR(header(&j, "api.example.test", "/any", 0), "d=1; user=7");
    for (int i = 0; i < JAR_MAX + 5; i++) {
        char v[32];
        snprintf(v, sizeof v, "c%d=%d", i, i);
        jar_set_cookie(&j, "h", "/", v, 0);
    }
    ASSERT_EQ(j.n, JAR_MAX);
    jar_free(&j);
}
