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
    jar_clear(&j);
    /* an IP address is only itself: no Domain suffix of it (libcurl's rule) */
    jar_set_cookie(&j, "10.0.0.1", "/", "a=1; Domain=0.0.1", 0);
    jar_set_cookie(&j, "10.0.0.1", "/", "b=2; Domain=10.0.0.1", 0);
    ASSERT_STR(header(&j, "20.0.0.1", "/", 0), "");
    ASSERT_STR(header(&j, "10.0.0.1", "/", 0), "b=2");
    /* Expires in the forms servers send, two-digit years included */
    int64_t now = 1800000000; /* 2027-01-15 */
    jar_set_cookie(&j, "h", "/", "y2=1; Expires=Wednesday, 09-Jun-32 10:18:14 GMT", now);
    jar_set_cookie(&j, "h", "/", "asc=1; Expires=Sun Nov  6 08:49:37 2033", now);
    jar_set_cookie(&j, "h", "/", "old=1; Expires=Sun, 06 Nov 1960 08:49:37 GMT", now);
    ASSERT_STR(header(&j, "h", "/", now), "y2=1; asc=1");
    ASSERT_STR(header(&j, "h", "/", 2000000000 /* 2033-05 */), "asc=1");
    jar_free(&j);
}

/* The jar to libcurl's cookie lines and back (a native redirect's hops). */
TEST(cookies_netscape_lines_round_trip)
{
    struct jar j = {0}, k = {0};
    int64_t now = 1800000000;
    jar_set_cookie(&j, "127.0.0.1", "/login", "sid=abc; Path=/", now);
    jar_set_cookie(&j, "api.example.test", "/a/b", "d=1; Domain=example.test; Secure", now);
    jar_set_cookie(&j, "api.example.test", "/", "t=2; Max-Age=60", now);
    struct buf line = {0};
    for (int i = 0; i < j.n; i++) {
        buf_clear(&line);
        jar_netscape(&j.c[i], &line);
        jar_set_netscape(&k, line.data, now);
    }
    buf_clear(&line);
    jar_netscape(&j.c[1], &line);
    ASSERT_STR(line.data, "example.test\tTRUE\t/a\tTRUE\t0\td\t1");
    ASSERT_EQ(k.n, 3);
    ASSERT_STR(header(&k, "127.0.0.1", "/x", now), "sid=abc");
    ASSERT_STR(header(&k, "api.example.test", "/", now), "t=2"); /* d: Secure */
    ASSERT_STR(header(&k, "www.example.test", "/", now), "");    /* t: api. only */
    ASSERT_STR(header(&k, "api.example.test", "/", now + 61), "");
    /* libcurl's forms: a leading dot, #HttpOnly_, and what is not a cookie */
    jar_clear(&k);
    jar_set_netscape(&k, "#HttpOnly_.example.test\tTRUE\t/\tFALSE\t0\th\t1", now);
    jar_set_netscape(&k, "# Netscape HTTP Cookie File", now);
    jar_set_netscape(&k, "x\tTRUE\t/", now);
    jar_set_netscape(&k, "gone.test\tFALSE\t/\tFALSE\t5\tg\t1", now); /* expired */
    ASSERT_EQ(k.n, 1);
    ASSERT_STR(header(&k, "a.example.test", "/", now), "h=1");
    buf_free(&line);
    jar_free(&j);
    jar_free(&k);
}
