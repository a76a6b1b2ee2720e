/* target_http.c — the target's requests, parsed by llhttp in place in the
 * connection's own buffer. Its callbacks only record (spans of the head,
 * the route, echo fields); conn_process acts once llhttp_execute returns,
 * pausing after each request so that pipelined replies go in order. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "target_int.h"

static const char *conn_at(const struct conn *c, const struct span *s)
{
    return c->in + c->keep_off + s->off;
}

/* Grow span s by [at, at+n). -1 (a 400) when it does not continue the span:
 * an obsolete folded header line, which RFC 9112 lets a server reject. */
static int conn_span(struct conn *c, struct span *s, const char *at, size_t n)
{
    size_t off = (size_t)(at - (c->in + c->keep_off));
    if (!s->open) {
        *s = (struct span){off, 0, 1};
    } else if (off != s->off + s->len) {
        return -1;
    }
    s->len += n;
    return 0;
}

static int conn_on_message_begin(llhttp_t *p)
{
    struct conn *c = p->data;
    if (c->idle) { /* the next request's head has its own header timeout */
        c->idle = 0;
        c->deadline = uv_now(&c->t->loop) + c->t->header_ms;
    }
    c->in_head = 1;
    c->route = R_REPLY;
    c->url = c->field = c->value = (struct span){0, 0, 0};
    c->has = c->has_found = c->refused = 0;
    json_decref(c->echo);
    c->echo = NULL;
    c->req.len = 0;
    return 0;
}

static int conn_on_url(llhttp_t *p, const char *at, size_t n)
{
    return conn_span(p->data, &((struct conn *)p->data)->url, at, n);
}

/* Routes that read the headers or the body are known here, before them. */
static int conn_on_url_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    const char *u = conn_at(c, &c->url), *q = memchr(u, '?', c->url.len);
    size_t plen = q ? (size_t)(q - u) : c->url.len;
    c->url.open = 0;
    if (c->t->app || (plen == 5 && !memcmp(u, "/echo", 5))) { /* an app sees what /echo does */
        c->route = R_ECHO;
        c->echo = json_object();
        json_object_set_new(c->echo, "method", json_string(llhttp_method_name(p->method)));
        json_object_set_new(c->echo, "path", json_stringn(u, plen));
        json_object_set_new(c->echo, "query",
                            json_stringn(q ? q + 1 : "", q ? c->url.len - plen - 1 : 0));
        json_object_set_new(c->echo, "headers", json_object());
    } else if (plen == 6 && !memcmp(u, "/login", 6)) {
        c->route = R_LOGIN;
    } else if (plen > 5 && !memcmp(u, "/has/", 5)) {
        c->has = 1;
    }
    return 0;
}

static int conn_on_header_field(llhttp_t *p, const char *at, size_t n)
{
    return conn_span(p->data, &((struct conn *)p->data)->field, at, n);
}

static int conn_on_header_field_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    c->field.open = 0;
    c->value = (struct span){0, 0, 0};
    if (c->has) {
        const char *u = conn_at(c, &c->url), *q = memchr(u, '?', c->url.len);
        size_t nl = (q ? (size_t)(q - u) : c->url.len) - 5;
        if (c->field.len == nl && !strncasecmp(conn_at(c, &c->field), u + 5, nl))
            c->has_found = 1;
    }
    return 0;
}

static int conn_on_header_value(llhttp_t *p, const char *at, size_t n)
{
    return conn_span(p->data, &((struct conn *)p->data)->value, at, n);
}

/* /echo: a repeated header's values are joined with ", ", as RFC 9110 allows. */
static int conn_on_header_value_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    c->value.open = 0;
    if (!c->echo)
        return 0;
    json_t *hs = json_object_get(c->echo, "headers");
    const char *v = conn_at(c, &c->value);
    char *name = xstrndup(conn_at(c, &c->field), c->field.len);
    for (char *x = name; *x; x++)
        *x = (char)(*x >= 'A' && *x <= 'Z' ? *x + 32 : *x);
    json_t *old = json_object_get(hs, name);
    char *val = old ? xasprintf("%s, %.*s", json_string_value(old), (int)c->value.len, v)
                    : xstrndup(v, c->value.len);
    json_object_set_new(hs, name, json_string(val));
    free(name);
    free(val);
    return 0;
}

/* Routes the request. A non-zero return stops llhttp: c->reject (reset for
 * --capacity) or c->refused (an error reply is ready). */
static int conn_on_headers_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    struct target *t = c->t;
    c->in_head = 0;
    c->deadline = uv_now(&t->loop) + t->idle_ms; /* the body's pace */
    if (t->capacity && t->inflight >= t->capacity) {
        c->reject = 1;
        return -1;
    }
    c->http10 = p->http_minor == 0;
    /* An upgrade (or CONNECT) is answered as a plain request, and then the
     * connection closes: what follows would be another protocol. */
    c->keepalive = llhttp_should_keep_alive(p) && !p->upgrade;
    c->head = p->method == HTTP_HEAD;
    const char *u = conn_at(c, &c->url), *q = memchr(u, '?', c->url.len);
    size_t plen = q ? (size_t)(q - u) : c->url.len;
    if (p->http_major != 1 || c->url.len == 0 || u[0] != '/') {
        conn_error(c, 400);
        return -1;
    }
    if (t->app)
        c->route = R_ECHO; /* the app answers once the body is in */
    else if (!conn_json_route(c, u, plen, q ? q + 1 : u + plen, q ? c->url.len - plen - 1 : 0,
                              c->head))
        conn_route(c, u, plen, c->head);
    return c->refused ? -1 : 0;
}

static int conn_on_body(llhttp_t *p, const char *at, size_t n)
{
    struct conn *c = p->data;
    c->deadline = uv_now(&c->t->loop) + c->t->idle_ms;
    if ((c->route == R_ECHO || c->route == R_LOGIN) && c->req.len < KEEP_BODY_MAX)
        buf_append(&c->req, at, n < KEEP_BODY_MAX - c->req.len ? n : KEEP_BODY_MAX - c->req.len);
    return 0;
}

/* Pausing hands the request to conn_process; the next one is parsed only once
 * this one's reply is finished, which keeps pipelined replies in order. */
static int conn_on_message_complete(llhttp_t *p)
{
    ((struct conn *)p->data)->msg_done = 1;
    return HPE_PAUSED;
}

/* Parse buffered bytes until a request is complete, then dispatch it; the
 * next one waits for its reply. Looping (instead of recursing from
 * conn_reply_done) keeps deep pipelines off the stack. */
void conn_process(struct conn *c)
{
    if (c->in_process || c->lingering)
        return;
    c->in_process = 1;
    while (!c->closing && !c->busy && !c->lingering && c->parse_off < c->in_len) {
        llhttp_errno_t e =
            llhttp_execute(&c->parser, c->in + c->parse_off, c->in_len - c->parse_off);
        if (e == HPE_OK) {
            c->parse_off = c->in_len;
            if (!c->in_head) /* a body's bytes are not kept */
                c->keep_off = c->parse_off;
            break;
        }
        if (c->msg_done) {
            c->msg_done = 0;
            c->parse_off = (size_t)(llhttp_get_error_pos(&c->parser) - c->in);
            c->keep_off = c->parse_off;
            llhttp_resume(&c->parser);
            conn_dispatch(c);
            continue;
        }
        if (c->reject) {
            conn_close(c, 1);
            break;
        }
        /* llhttp's HPE_*: conflicting lengths, a bad chunk, a bad request
         * line... llhttp stays in error, so the connection closes after. */
        if (!c->refused)
            conn_error(c, 400);
        conn_dispatch(c);
    }
    if (!c->closing && !c->busy && !c->lingering && c->in_len - c->keep_off == sizeof c->in) {
        conn_error(c, 431);
        conn_dispatch(c);
    }
    c->in_process = 0;
    if (c->closing || c->busy || c->lingering)
        return;
    if (c->eof) { /* nothing complete is left, and nothing more will come */
        conn_close(c, 0);
    } else {
        conn_read_start(c);
    }
}

static const llhttp_settings_t conn_settings = {
    .on_message_begin = conn_on_message_begin,
    .on_url = conn_on_url,
    .on_url_complete = conn_on_url_complete,
    .on_header_field = conn_on_header_field,
    .on_header_field_complete = conn_on_header_field_complete,
    .on_header_value = conn_on_header_value,
    .on_header_value_complete = conn_on_header_value_complete,
    .on_headers_complete = conn_on_headers_complete,
    .on_body = conn_on_body,
    .on_message_complete = conn_on_message_complete,
};

void conn_parser_init(struct conn *c)
{
    llhttp_init(&c->parser, HTTP_REQUEST, &conn_settings);
}
