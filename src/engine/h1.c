/* h1.c — HTTP/1.x responses read with llhttp (see h1.h). */
#include "h1.h"

#include <string.h>

static struct h1 *of(llhttp_t *p)
{
    return p->data;
}

/* The head grows by n bytes, of a header line when `line`: past
 * H1_MAX_HEAD, or a line past H1_MAX_LINE, the response is refused. */
static int head_grows(struct h1 *r, size_t n, int line)
{
    r->head_bytes += n;
    r->line_bytes = line ? r->line_bytes + n : 0;
    if (r->head_bytes <= H1_MAX_HEAD && r->line_bytes <= H1_MAX_LINE)
        return 0;
    r->state = H1_HEAD_LARGE;
    return -1;
}

static void keep_bytes(struct h1 *r, struct buf *b, const char *at, size_t n)
{
    if (!r->keep || b->len >= r->kept_max)
        return;
    buf_append(b, at, n < r->kept_max - b->len ? n : r->kept_max - b->len);
}

static int on_begin(llhttp_t *p)
{
    struct h1 *r = of(p);
    r->started = 1;
    return 0;
}

static int on_status(llhttp_t *p, const char *at, size_t n)
{
    return head_grows(of(p), n + 16, 0);
}

static int is_location(const struct h1 *r)
{
    return r->field_len == 8 && !memcmp(r->field, "location", 8);
}

static int is_set_cookie(const struct h1 *r)
{
    return r->want_cookies && r->field_len == 10 && !memcmp(r->field, "set-cookie", 10);
}

/* A header's value has ended (a next field, or the end of the head). */
static void value_done(struct h1 *r)
{
    if (!r->in_value)
        return;
    keep_bytes(r, &r->hdrs, "\r\n", 2);
    if (is_set_cookie(r))
        buf_append(&r->cookies, "\n", 1);
    r->in_value = 0;
    r->field_len = 0;
    r->line_bytes = 0;
}

static int on_field(llhttp_t *p, const char *at, size_t n)
{
    struct h1 *r = of(p);
    value_done(r);
    for (size_t i = 0; i < n; i++, r->field_len++)
        if (r->field_len < sizeof r->field)
            r->field[r->field_len] = (char)(at[i] >= 'A' && at[i] <= 'Z' ? at[i] + 32 : at[i]);
    keep_bytes(r, &r->hdrs, at, n);
    return head_grows(r, n + 4, 1);
}

static int on_value(llhttp_t *p, const char *at, size_t n)
{
    struct h1 *r = of(p);
    if (!r->in_value) {
        keep_bytes(r, &r->hdrs, ": ", 2);
        r->in_value = 1;
        if (is_location(r))
            r->location.len = 0;
    }
    keep_bytes(r, &r->hdrs, at, n);
    if (is_set_cookie(r))
        buf_append(&r->cookies, at, n);
    if (is_location(r) && r->location.len + n <= H1_MAX_LOCATION)
        buf_append(&r->location, at, n);
    return head_grows(r, n, 1);
}

static int on_headers_complete(llhttp_t *p)
{
    struct h1 *r = of(p);
    value_done(r);
    if (p->status_code < 100) { /* llhttp 8.1 takes "000", "099", and "HTTP/1.1  200" as 0 */
        r->state = H1_BAD;
        r->why = "the status code is not three digits from 100";
        return -1;
    }
    r->status = p->status_code;
    r->version = p->http_major * 10 + p->http_minor;
    /* after HEAD, and in a 204 or 304, no body follows, whatever
     * Content-Length says (RFC 9110 6.4.1) */
    return (r->head_req && r->status >= 200) || r->status == 204 || r->status == 304 ? 1 : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
    struct h1 *r = of(p);
    r->bytes += n;
    if (r->max_body && r->bytes > r->max_body) {
        r->state = H1_BODY_LARGE;
        return -1;
    }
    keep_bytes(r, &r->body, at, n);
    return 0;
}

static int on_message_complete(llhttp_t *p)
{
    struct h1 *r = of(p);
    if (r->status >= 100 && r->status < 200 && r->status != 101) {
        /* an interim response (100 Continue, 103 Early Hints): the final
         * one follows on the same stream */
        r->status = 0;
        r->head_bytes = 0;
        r->hdrs.len = 0;
        r->location.len = 0;
        return 0;
    }
    r->state = H1_DONE;
    r->keep_alive = llhttp_should_keep_alive(p);
    return HPE_PAUSED; /* what follows is the next response's */
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_begin,
    .on_status = on_status,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void h1_begin(struct h1 *r, int head_req, int keep, uint64_t max_body, size_t kept_max)
{
    llhttp_init(&r->p, HTTP_RESPONSE, &settings);
    /* as lenient as libcurl, which the curl transport reads with: bare LF
     * line ends and odd bytes in header values; Transfer-Encoding with a
     * Content-Length (chunked wins, RFC 9112 6.3). A client has no
     * request smuggling to guard against. */
    llhttp_set_lenient_headers(&r->p, 1);
    llhttp_set_lenient_chunked_length(&r->p, 1);
    r->p.data = r;
    r->state = H1_MORE;
    r->head_req = head_req;
    r->keep = keep;
    r->max_body = max_body;
    r->kept_max = kept_max;
    r->status = r->version = r->keep_alive = r->started = r->in_value = 0;
    r->field_len = 0;
    r->location.len = 0;
    if (r->location.data)
        r->location.data[0] = 0;
    r->want_cookies = 0;
    r->cookies.len = 0;
    r->head_bytes = r->line_bytes = 0;
    r->bytes = 0;
    r->hdrs.len = r->body.len = 0;
    if (r->hdrs.data)
        r->hdrs.data[0] = 0;
    if (r->body.data)
        r->body.data[0] = 0;
    r->why = NULL;
}

size_t h1_feed(struct h1 *r, const char *data, size_t n)
{
    if (r->state != H1_MORE)
        return 0;
    llhttp_errno_t e = llhttp_execute(&r->p, data, n);
    if (e == HPE_OK)
        return n;
    const char *pos = llhttp_get_error_pos(&r->p);
    size_t used = pos && pos >= data && pos <= data + n ? (size_t)(pos - data) : n;
    if (e == HPE_PAUSED && r->state == H1_DONE)
        return used;
    if (r->state == H1_MORE) { /* llhttp's own refusal */
        r->state = H1_BAD;
        r->why = llhttp_get_error_reason(&r->p);
    }
    return used;
}

enum h1_state h1_eof(struct h1 *r)
{
    if (r->state != H1_MORE)
        return r->state;
    if (!r->started) {
        r->state = H1_CUT; /* nothing came: "socket hang up" */
        return r->state;
    }
    llhttp_errno_t e = llhttp_finish(&r->p);
    if (r->state == H1_MORE) /* the body did not run to the end: cut short */
        r->state = e == HPE_OK || e == HPE_PAUSED ? H1_DONE : H1_CUT;
    if (r->state == H1_DONE)
        r->keep_alive = 0;
    return r->state;
}

void h1_free(struct h1 *r)
{
    buf_free(&r->hdrs);
    buf_free(&r->body);
    buf_free(&r->cookies);
    buf_free(&r->location);
}
