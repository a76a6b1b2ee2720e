/* fuzz_response.c — libFuzzer harness for what the native transport reads
 * from a server: the response reader (h1.c, llhttp underneath) and the
 * cookie jar its Set-Cookie values go into (cookies.c). A server under
 * load test is hostile input: it may send anything, cut anywhere.
 *
 * Input: byte 0 picks the request's shape (bit 0 HEAD, bit 1 keep the
 * headers and body, bit 2 a 1000-byte body limit, bit 3 collect
 * Set-Cookie, bit 4 call h1_eof at the end); byte 1 seeds the read sizes
 * (1..64 bytes, or all at once when 0); the rest is the byte stream. As
 * native.c does, a completed response's leftover bytes start the next
 * response on the same reader (back-to-back responses), so one input
 * covers several.
 *
 * Checks beyond the sanitizers: h1_feed never claims more bytes than it
 * was given, stops claiming once the response is over, and a finished
 * response respects the limits it was given (status 100..999, a kept
 * body no longer than kept_max, a body under max_body unless that was
 * the error). Pure: no file, no network. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookies.h"
#include "h1.h"

#define KEPT_MAX 4096
#define MAX_BODY 1000

/* A broken promise: say which, then crash, so libFuzzer keeps the input. */
#define check(ok)                                                                                  \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            fprintf(stderr, "fuzz_response.c:%d: %s\n", __LINE__, #ok);                            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The Set-Cookie values of a response into a jar, then the Cookie header
 * for a few requests, as native.c and vu_request.c use them. */
static void cookies(struct jar *j, struct buf *got)
{
    static const char *const paths[] = {"/", "/a/b", "/a/b/c?x=1", ""};
    char *s = got->data, *nl;
    while (s && (nl = memchr(s, '\n', got->data + got->len - s))) {
        *nl = 0;
        jar_set_cookie(j, "app.example.test", "/a/b", s, 1700000000);
        s = nl + 1;
    }
    struct buf out = {0};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        out.len = 0;
        int n = jar_header(j, i % 2 ? "app.example.test" : "example.test", paths[i],
                           1700000000 + (int64_t)i * 86400 * 400, &out);
        check(n >= 0 && n <= JAR_MAX && (n == 0) == (out.len == 0));
    }
    free(out.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int flags = data[0];
    unsigned seed = data[1];
    const char *p = (const char *)data + 2;
    size_t left = size - 2;
    int head = flags & 1, keep = (flags >> 1) & 1, eof = (flags >> 4) & 1;
    uint64_t max_body = flags & 4 ? MAX_BODY : 0;

    struct h1 r;
    memset(&r, 0, sizeof r);
    struct jar j = {0};
    h1_begin(&r, head, keep, max_body, KEPT_MAX);
    r.want_cookies = (flags >> 3) & 1;
    while (left) {
        size_t n = left;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % 64;
            if (n > left)
                n = left;
        }
        size_t used = h1_feed(&r, p, n);
        check(used <= n);
        if (r.state == H1_MORE) {
            check(used == n);
            p += n;
            left -= n;
            continue;
        }
        p += used;
        left -= used;
        if (r.state != H1_DONE)
            break; /* the connection is closed on any error */
        check(r.status >= 100 && r.status <= 999);
        check(!keep || r.body.len <= KEPT_MAX);
        check(!max_body || r.bytes <= max_body);
        check(!r.location.len || r.location.len <= H1_MAX_LOCATION + 1);
        if (r.want_cookies && r.cookies.len)
            cookies(&j, &r.cookies);
        h1_begin(&r, head, keep, max_body, KEPT_MAX); /* the next response */
        r.want_cookies = (flags >> 3) & 1;
    }
    if (eof && r.state == H1_MORE) {
        enum h1_state s = h1_eof(&r);
        check(s == H1_DONE || s == H1_CUT || s == H1_BAD || s == H1_BODY_LARGE);
    }
    if (r.state == H1_BODY_LARGE)
        check(max_body && r.bytes > max_body);
    h1_free(&r);
    jar_free(&j);
    return 0;
}
