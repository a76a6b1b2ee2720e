/* target.c — see target.h. One loop, one thread; every connection owns its
 * buffers, so the hot path (parse, format, uv_try_write) never allocates. */
#include "target.h"
#include "util.h"

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#define TARGET_BACKLOG 4096
#define DRIP_BODY "0123456789"
#define DRIP_LEN (sizeof DRIP_BODY - 1)

/* R_ECHO, R_LOGIN: JSON built from the request, so its head and body are kept. */
enum route { R_REPLY, R_DELAY, R_RESET, R_CLOSE, R_STALL, R_DRIP, R_ECHO, R_LOGIN };

#define KEEP_BODY_MAX 65536

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer; /* latency, /delay and /drip ticks */
    uv_write_t wreq;
    struct target *t;
    struct conn *prev, *next;
    int handles; /* open uv handles; freed when 0 */
    int closing, busy, writing, reading, keepalive, http10, in_process;
    enum route route;
    uint64_t arg_ms;
    uint64_t body_left; /* request body bytes still to discard */
    size_t drip_sent;
    size_t in_off, in_len, out_len;
    struct buf req;  /* R_ECHO, R_LOGIN: the request head, then its body */
    size_t req_head; /* length of the head in req */
    int head_only;   /* R_ECHO, R_LOGIN: a HEAD request */
    struct buf big;  /* a reply too large for out[] */
    char in[8192];
    char out[1536];
};

struct target {
    uv_loop_t loop;
    uv_tcp_t server;
    uv_signal_t sigint, sigterm;
    uv_async_t stop;
    uv_thread_t thread;
    struct conn *conns;
    int capacity, latency_ms, inflight, stopping;
    int logins; /* tokens handed out by /login */
};

static void conn_process(struct conn *c);
static void conn_on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b);
static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);
static void conn_send(struct conn *c, const char *p, size_t n);

static void conn_on_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->handles == 0) {
        buf_free(&c->req);
        buf_free(&c->big);
        free(c);
    }
}

/* rst: SO_LINGER {1,0} makes close(2) send RST, so the client reads
 * ECONNRESET — the overload signature this server exists to reproduce. */
static void conn_close(struct conn *c, int rst)
{
    if (c->closing)
        return;
    c->closing = 1;
    if (c->busy) {
        c->busy = 0;
        c->t->inflight--;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        c->t->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (rst) {
        uv_os_fd_t fd;
        struct linger lg = {1, 0};
        if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    uv_close((uv_handle_t *)&c->timer, conn_on_closed);
    uv_close((uv_handle_t *)&c->tcp, conn_on_closed);
}

static void conn_reply_done(struct conn *c)
{
    if (c->req.data || c->big.data) {
        buf_free(&c->req);
        buf_free(&c->big);
    }
    c->busy = 0;
    c->t->inflight--;
    if (!c->keepalive) {
        conn_close(c, 0);
        return;
    }
    conn_process(c); /* pipelined requests already buffered */
}

static void drip_on_tick(uv_timer_t *tm)
{
    struct conn *c = tm->data;
    if (c->writing) /* previous byte still queued: try again next tick */
        return;
    c->drip_sent++;
    conn_send(c, &DRIP_BODY[c->drip_sent - 1], 1);
}

static void conn_sent(struct conn *c)
{
    if (c->route == R_DRIP) {
        if (c->drip_sent == 0) {
            uv_timer_start(&c->timer, drip_on_tick, c->arg_ms, c->arg_ms);
            return;
        }
        if (c->drip_sent < DRIP_LEN)
            return;
        uv_timer_stop(&c->timer);
    }
    conn_reply_done(c);
}

static void conn_on_write(uv_write_t *req, int status)
{
    struct conn *c = req->data;
    if (c->closing)
        return;
    c->writing = 0;
    if (status < 0)
        conn_close(c, 0);
    else
        conn_sent(c);
}

/* p must stay valid until the write completes: c->out or a static string. */
static void conn_send(struct conn *c, const char *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)p, n);
    int r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (r == (int)n) {
        conn_sent(c);
        return;
    }
    if (r < 0 && r != UV_EAGAIN) {
        conn_close(c, 0);
        return;
    }
    if (r > 0)
        b = uv_buf_init((char *)p + r, n - r);
    c->writing = 1;
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, conn_on_write) < 0)
        conn_close(c, 0);
}

static void conn_json_reply(struct conn *c);

static void conn_act(struct conn *c)
{
    switch (c->route) {
    case R_ECHO:
    case R_LOGIN:
        conn_json_reply(c);
        break;
    case R_RESET:
        conn_close(c, 1);
        break;
    case R_CLOSE:
        conn_close(c, 0);
        break;
    case R_STALL:
        break;
    default: /* R_REPLY, R_DELAY, and the head of R_DRIP */
        conn_send(c, c->out, c->out_len);
    }
}

static void conn_on_timer(uv_timer_t *tm)
{
    conn_act(tm->data);
}

static void conn_dispatch(struct conn *c)
{
    uint64_t wait = (uint64_t)c->t->latency_ms + (c->route == R_DELAY ? c->arg_ms : 0);
    c->busy = 1;
    c->t->inflight++;
    if (c->route == R_STALL)
        return;
    if (wait)
        uv_timer_start(&c->timer, conn_on_timer, wait, 0);
    else
        conn_act(c);
}

static const char *status_reason(int code)
{
    static const struct {
        int code;
        const char *text;
    } reasons[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {408, "Request Timeout"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == code)
            return reasons[i].text;
    return "Status";
}

/* Format the whole response into c->out. 1xx, 204 and 304 carry no body;
 * a 1xx can never be a final response, so that connection is closed after
 * it rather than leaving the client waiting for one. */
static void conn_format_x(struct conn *c, int code, const char *type, const char *extra,
                          const char *body, size_t body_len, int head)
{
    int nobody = code < 200 || code == 204 || code == 304;
    if (code < 200)
        c->keepalive = 0;
    int n = snprintf(c->out, sizeof c->out,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n", code,
                     status_reason(code), type, nobody ? 0 : body_len, extra,
                     !c->keepalive ? "Connection: close\r\n"
                     : c->http10   ? "Connection: keep-alive\r\n"
                                   : "");
    if (!head && !nobody && (size_t)n + body_len <= sizeof c->out) {
        memcpy(c->out + n, body, body_len);
        n += (int)body_len;
    }
    c->out_len = (size_t)n;
}

static void conn_format(struct conn *c, int code, const char *type, const char *body,
                        size_t body_len, int head)
{
    conn_format_x(c, code, type, "", body, body_len, head);
}

static void conn_error(struct conn *c, int code)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", code, status_reason(code));
    c->keepalive = 0;
    c->route = R_REPLY;
    c->body_left = 0;
    conn_format(c, code, "text/plain", body, (size_t)n, 0);
}

static int ieq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static int has_token(const char *v, size_t n, const char *tok)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && (v[a] == ' ' || v[a] == '\t'))
            a++;
        while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
            b--;
        if (ieq(v + a, b - a, tok))
            return 1;
        i = j + 1;
    }
    return 0;
}

/* Whether the request head [p, p+n) has a header named [name, name+nl). */
static int head_has(const char *p, size_t n, const char *name, size_t nl)
{
    const char *end = p + n, *l = memmem(p, n, "\r\n", 2);
    while (l && (l += 2) < end) {
        const char *eol = memmem(l, (size_t)(end - l), "\r\n", 2);
        const char *colon = memchr(l, ':', (size_t)((eol ? eol : end) - l));
        if (colon && (size_t)(colon - l) == nl && !strncasecmp(l, name, nl))
            return 1;
        l = eol;
    }
    return 0;
}

/* Decimal of 1..maxdigits digits filling exactly [s, s+n); -1 otherwise. */
static int64_t parse_uint(const char *s, size_t n, size_t maxdigits)
{
    int64_t v = 0;
    if (n == 0 || n > maxdigits)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int has_prefix(const char *s, size_t n, const char *lit, size_t *rest)
{
    size_t k = strlen(lit);
    if (n < k || memcmp(s, lit, k) != 0)
        return 0;
    *rest = k;
    return 1;
}

static void conn_route(struct conn *c, const char *path, size_t n, int head)
{
    size_t k;
    int64_t v;
    c->route = R_REPLY;
    if (n == 3 && memcmp(path, "/up", 3) == 0) {
        conn_format(c, 200, "text/plain", "ok\n", 3, head);
    } else if (has_prefix(path, n, "/status/", &k)) {
        v = parse_uint(path + k, n - k, 3);
        if (v < 100 || v > 599) {
            conn_error(c, 400);
            return;
        }
        char body[64];
        int bn = snprintf(body, sizeof body, "%d %s\n", (int)v, status_reason((int)v));
        conn_format(c, (int)v, "text/plain", body, (size_t)bn, head);
    } else if (has_prefix(path, n, "/delay/", &k)) {
        v = parse_uint(path + k, n - k, 9);
        if (v < 0) {
            conn_error(c, 400);
            return;
        }
        c->route = R_DELAY;
        c->arg_ms = (uint64_t)v;
        conn_format(c, 200, "text/plain", "ok\n", 3, head);
    } else if (has_prefix(path, n, "/drip/", &k)) {
        v = parse_uint(path + k, n - k, 9);
        if (v < 0) {
            conn_error(c, 400);
            return;
        }
        c->arg_ms = (uint64_t)v;
        if (v == 0 || head) { /* nothing to drip: one plain reply */
            conn_format(c, 200, "text/plain", DRIP_BODY, DRIP_LEN, head);
        } else {
            c->route = R_DRIP;
            c->drip_sent = 0;
            conn_format(c, 200, "text/plain", "", DRIP_LEN, 1);
        }
    } else if (n == 6 && memcmp(path, "/reset", 6) == 0) {
        c->route = R_RESET;
    } else if (n == 6 && memcmp(path, "/close", 6) == 0) {
        c->route = R_CLOSE;
    } else if (n == 6 && memcmp(path, "/stall", 6) == 0) {
        c->route = R_STALL;
    } else {
        char body[600];
        size_t bn = 0;
        bn += (size_t)snprintf(body, sizeof body, "{\"ok\":true,\"path\":\"");
        for (size_t i = 0; i < n && bn < sizeof body - 16; i++) {
            unsigned char ch = (unsigned char)path[i];
            if (ch == '"' || ch == '\\') {
                body[bn++] = '\\';
                body[bn++] = (char)ch;
            } else if (ch < 0x20 || ch >= 0x7f) { /* keep the JSON valid ASCII */
                bn += (size_t)snprintf(body + bn, 7, "\\u%04x", ch);
            } else {
                body[bn++] = (char)ch;
            }
        }
        memcpy(body + bn, "\"}\n", 3);
        conn_format(c, 200, "application/json", body, bn + 3, head);
    }
}

/* The value of `key` in query string [q, q+n), undecoded, into out. */
static int query_get(const char *q, size_t n, const char *key, char *out, size_t outsz)
{
    size_t k = strlen(key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j - i > k && !memcmp(q + i, key, k) && q[i + k] == '=' && j - i - k - 1 < outsz) {
            memcpy(out, q + i + k + 1, j - i - k - 1);
            out[j - i - k - 1] = '\0';
            return 0;
        }
        i = j + 1;
    }
    return -1;
}

static const char json_doc[] =
    "{\"service\":\"loadtop-target\",\"version\":2,\"ok\":true,"
    "\"user\":{\"id\":42,\"name\":\"Ada\",\"roles\":[\"admin\",\"dev\"]},"
    "\"items\":[{\"id\":1,\"name\":\"apple\",\"price\":0.5},"
    "{\"id\":2,\"name\":\"pear\",\"price\":0.75},{\"id\":3,\"name\":\"fig\",\"price\":2}],"
    "\"next\":null}\n";

/* The JSON routes: /echo, /login (their replies come from the request, at
 * dispatch), /has/NAME, /json, /cookie/set?name=value, /redirect?to=URL. Returns 1 when
 * `path` is one of them. */
static int conn_json_route(struct conn *c, const char *p, size_t n, const char *path, size_t plen,
                           const char *query, size_t qlen, int head)
{
    char v[256], extra[320];
    c->route = R_REPLY;
    if ((plen == 5 && !memcmp(path, "/echo", 5)) || (plen == 6 && !memcmp(path, "/login", 6))) {
        c->route = plen == 5 ? R_ECHO : R_LOGIN;
        c->req.len = 0;
        buf_append(&c->req, p, n);
        c->req_head = n;
        c->head_only = head;
    } else if (plen > 5 && !memcmp(path, "/has/", 5)) {
        int yes = head_has(p, n, path + 5, plen - 5);
        conn_format(c, yes ? 200 : 404, "text/plain", yes ? "yes\n" : "no\n", yes ? 4 : 3, head);
    } else if (plen == 5 && !memcmp(path, "/json", 5)) {
        conn_format(c, 200, "application/json", json_doc, sizeof json_doc - 1, head);
    } else if (plen == 11 && !memcmp(path, "/cookie/set", 11)) {
        const char *eq = memchr(query, '=', qlen);
        if (!eq || eq == query || qlen >= 200 || memchr(query, '&', qlen)) {
            conn_error(c, 400);
            return 1;
        }
        snprintf(extra, sizeof extra, "Set-Cookie: %.*s; Path=/\r\n", (int)qlen, query);
        conn_format_x(c, 200, "application/json", extra, "{\"ok\":true}\n", 12, head);
    } else if (plen == 9 && !memcmp(path, "/redirect", 9)) {
        if (query_get(query, qlen, "to", v, sizeof v) < 0 || strpbrk(v, "\r\n")) {
            conn_error(c, 400);
            return 1;
        }
        snprintf(extra, sizeof extra, "Location: %s\r\n", v);
        conn_format_x(c, 302, "text/plain", extra, "redirect\n", 9, head);
    } else {
        return 0;
    }
    return 1;
}

/* /echo: {"method", "path", "query", "headers": {lowercased: value}, "body"};
 * /login: {"token": "tok-N", "user": the JSON body's "username"}. */
static void conn_json_reply(struct conn *c)
{
    const char *h = c->req.data, *end = h + c->req_head;
    const char *body = h + c->req_head;
    size_t body_len = c->req.len - c->req_head;
    json_t *o = json_object();
    if (c->route == R_LOGIN) {
        json_t *in = json_loadb(body, body_len, 0, NULL);
        json_t *user = json_object_get(in, "username");
        char tok[32];
        snprintf(tok, sizeof tok, "tok-%d", ++c->t->logins);
        json_object_set_new(o, "token", json_string(tok));
        json_object_set(o, "user", user ? user : json_null());
        json_decref(in);
    } else {
        const char *sp1 = memchr(h, ' ', c->req_head), *eol = memmem(h, c->req_head, "\r\n", 2);
        const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
        const char *q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
        json_object_set_new(o, "method", json_stringn(h, (size_t)(sp1 - h)));
        json_object_set_new(o, "path", json_stringn(sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1)));
        json_object_set_new(o, "query",
                            json_stringn(q ? q + 1 : "", q ? (size_t)(sp2 - q - 1) : 0));
        json_t *hs = json_object();
        for (const char *l = eol + 2; l < end; l = eol + 2) {
            eol = memmem(l, (size_t)(end - l), "\r\n", 2);
            const char *colon = memchr(l, ':', (size_t)(eol - l)), *v = colon + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            char *name = xstrndup(l, (size_t)(colon - l));
            for (char *x = name; *x; x++)
                *x = (char)(*x >= 'A' && *x <= 'Z' ? *x + 32 : *x);
            json_t *old = json_object_get(hs, name);
            char *val = old ? xasprintf("%s, %.*s", json_string_value(old), (int)(ve - v), v)
                            : xstrndup(v, (size_t)(ve - v));
            json_object_set_new(hs, name, json_string(val));
            free(name);
            free(val);
        }
        json_object_set_new(o, "headers", hs);
        json_t *b = json_stringn(body, body_len);
        json_object_set_new(o, "body", b ? b : json_null());
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    size_t len = strlen(text);
    conn_format(c, 200, "application/json", text, len, 1);
    buf_free(&c->big);
    buf_append(&c->big, c->out, c->out_len);
    if (!c->head_only)
        buf_append(&c->big, text, len);
    free(text);
    conn_send(c, c->big.data, c->big.len);
}

/* Parse the head in [p, p+n) (ends with the last header's CRLF). Sets the
 * route and response, c->keepalive and c->body_left. Returns 0, or -1 when
 * the connection was reset for capacity. */
static int conn_parse_head(struct conn *c, const char *p, size_t n)
{
    const char *end = p + n, *eol = memmem(p, n, "\r\n", 2);
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    int head = 0, bad = 0;

    c->body_left = 0;
    if (!sp2 || eol - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp1[1] != '/') {
        c->keepalive = 0;
        conn_error(c, 400);
        return 0;
    }
    c->http10 = sp2[8] == '0';
    c->keepalive = !c->http10;
    head = sp1 - p == 4 && memcmp(p, "HEAD", 4) == 0;
    for (const char *l = eol + 2; l < end; l = eol + 2) {
        eol = memmem(l, (size_t)(end - l), "\r\n", 2);
        const char *colon = memchr(l, ':', (size_t)(eol - l));
        if (!colon) {
            bad = 1;
            break;
        }
        const char *v = colon + 1, *ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nl = (size_t)(colon - l), vl = (size_t)(ve - v);
        if (ieq(l, nl, "content-length")) {
            int64_t len = parse_uint(v, vl, 18);
            if (len < 0)
                bad = 1;
            else
                c->body_left = (uint64_t)len;
        } else if (ieq(l, nl, "transfer-encoding")) {
            bad = 1; /* chunked request bodies are not supported: refuse */
        } else if (ieq(l, nl, "connection")) {
            if (has_token(v, vl, "close"))
                c->keepalive = 0;
            else if (has_token(v, vl, "keep-alive"))
                c->keepalive = 1;
        }
    }
    if (c->t->capacity && c->t->inflight >= c->t->capacity) {
        conn_close(c, 1);
        return -1;
    }
    if (bad) {
        conn_error(c, 400);
        return 0;
    }
    const char *path = sp1 + 1, *q = memchr(path, '?', (size_t)(sp2 - path));
    size_t plen = (size_t)((q ? q : sp2) - path);
    if (!conn_json_route(c, p, n, path, plen, q ? q + 1 : sp2, q ? (size_t)(sp2 - q - 1) : 0, head))
        conn_route(c, path, plen, head);
    return 0;
}

/* Consume buffered requests one at a time; the next one is only looked at
 * once the reply to the previous one is finished. Looping (instead of
 * recursing from conn_reply_done) keeps deep pipelines off the stack. */
static void conn_process(struct conn *c)
{
    if (c->in_process)
        return;
    c->in_process = 1;
    while (!c->closing && !c->busy) {
        char *p = c->in + c->in_off;
        size_t n = c->in_len - c->in_off;
        if (c->body_left) {
            size_t k = n < c->body_left ? n : (size_t)c->body_left;
            if ((c->route == R_ECHO || c->route == R_LOGIN) && c->req.len < KEEP_BODY_MAX)
                buf_append(&c->req, p, k);
            c->in_off += k;
            c->body_left -= k;
            if (c->body_left)
                break;
            conn_dispatch(c);
            continue;
        }
        char *e = memmem(p, n, "\r\n\r\n", 4);
        if (!e) {
            if (n == sizeof c->in) {
                conn_error(c, 431);
                conn_dispatch(c);
            }
            break;
        }
        c->in_off += (size_t)(e + 4 - p);
        if (conn_parse_head(c, p, (size_t)(e + 2 - p)) < 0)
            break;
        if (!c->body_left)
            conn_dispatch(c);
    }
    c->in_process = 0;
    if (!c->closing && !c->busy && !c->reading) {
        c->reading = 1;
        uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
    }
}

static void conn_on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    struct conn *c = h->data;
    if (c->in_off) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    *b = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof c->in - c->in_len));
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct conn *c = s->data;
    if (nread > 0) {
        c->in_len += (size_t)nread;
        conn_process(c);
        return;
    }
    if (nread == 0)
        return;
    if (nread == UV_ENOBUFS) { /* full while a reply is pending: conn_process resumes */
        uv_read_stop(s);
        c->reading = 0;
        return;
    }
    /* EOF too: a client that left (or half-closed) frees its capacity slot
     * at once, so one run's abandoned requests never skew the next run. */
    conn_close(c, 0);
}

static void target_on_connection(uv_stream_t *server, int status)
{
    struct target *t = server->data;
    if (status < 0)
        return;
    struct conn *c = xmalloc(sizeof *c);
    memset(c, 0, offsetof(struct conn, in)); /* the buffers need no clearing */
    c->t = t;
    c->handles = 2;
    uv_tcp_init(&t->loop, &c->tcp);
    uv_timer_init(&t->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->next = t->conns;
    if (t->conns)
        t->conns->prev = c;
    t->conns = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c, 0);
        return;
    }
    if (t->capacity && t->inflight >= t->capacity) {
        conn_close(c, 1);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->reading = 1;
    uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
}

static void target_walk_close(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Close every handle; uv_run then returns once the close callbacks ran. */
static void target_shutdown(struct target *t)
{
    if (t->stopping)
        return;
    t->stopping = 1;
    while (t->conns)
        conn_close(t->conns, 0);
    uv_walk(&t->loop, target_walk_close, NULL);
}

static void target_finish(struct target *t)
{
    target_shutdown(t);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    uv_loop_close(&t->loop);
    free(t);
}

/* "ADDR:PORT", "[V6]:PORT", ":PORT" (all interfaces); "localhost" is
 * 127.0.0.1. host gets the printable address. Returns 0 or a uv error. */
static int target_parse_listen(const char *s, struct sockaddr_storage *sa, char *host,
                               size_t hostsz)
{
    const char *colon = strrchr(s, ':');
    int64_t port;
    size_t hl;
    if (!colon || (port = parse_uint(colon + 1, strlen(colon + 1), 5)) < 0 || port > 65535)
        return UV_EINVAL;
    if (s[0] == '[') {
        hl = (size_t)(colon - s);
        if (hl < 2 || s[hl - 1] != ']' || hl - 2 >= hostsz)
            return UV_EINVAL;
        memcpy(host, s + 1, hl - 2);
        host[hl - 2] = '\0';
        return uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)sa);
    }
    hl = (size_t)(colon - s);
    if (hl >= hostsz)
        return UV_EINVAL;
    memcpy(host, s, hl);
    host[hl] = '\0';
    if (hl == 0)
        strcpy(host, "0.0.0.0");
    else if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)sa);
}

/* Initialise the loop and listen. On failure prints the message, frees t
 * and returns NULL. */
static struct target *target_open(const struct target_opts *o, int *port)
{
    struct target *t = xcalloc(1, sizeof *t);
    const char *listen = o->listen ? o->listen : "127.0.0.1:8080";
    struct sockaddr_storage sa;
    int salen = sizeof sa;
    char host[INET6_ADDRSTRLEN + 2];
    int r;

    signal(SIGPIPE, SIG_IGN); /* libuv writes with write(2), not MSG_NOSIGNAL */
    t->capacity = o->capacity > 0 ? o->capacity : 0;
    t->latency_ms = o->latency_ms > 0 ? o->latency_ms : 0;
    if ((r = uv_loop_init(&t->loop)) < 0) {
        free(t);
        fprintf(stderr, "loadtop: target: cannot listen on %s: %s\n", listen, strerror(-r));
        return NULL;
    }
    uv_tcp_init(&t->loop, &t->server);
    t->server.data = t;
    r = target_parse_listen(listen, &sa, host, sizeof host);
    if (r == 0)
        r = uv_tcp_bind(&t->server, (struct sockaddr *)&sa, 0);
    if (r == 0) /* EADDRINUSE is reported here, not by bind */
        r = uv_listen((uv_stream_t *)&t->server, TARGET_BACKLOG, target_on_connection);
    if (r == 0)
        r = uv_tcp_getsockname(&t->server, (struct sockaddr *)&sa, &salen);
    if (r < 0) {
        fprintf(stderr, "loadtop: target: cannot listen on %s: %s\n", listen, strerror(-r));
        target_finish(t);
        return NULL;
    }
    *port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                           : ((struct sockaddr_in *)&sa)->sin_port);
    if (!o->quiet) {
        int v6 = sa.ss_family == AF_INET6;
        printf("loadtop target listening on http://%s%s%s:%d (capacity %d, latency %d ms)\n",
               v6 ? "[" : "", host, v6 ? "]" : "", *port, t->capacity, t->latency_ms);
        fflush(stdout);
    }
    return t;
}

static void target_on_signal(uv_signal_t *s, int signum)
{
    target_shutdown(s->data);
}

int target_main(const struct target_opts *o)
{
    int port;
    struct target *t = target_open(o, &port);
    if (!t)
        return 3;
    uv_signal_init(&t->loop, &t->sigint);
    uv_signal_init(&t->loop, &t->sigterm);
    t->sigint.data = t->sigterm.data = t;
    uv_signal_start(&t->sigint, target_on_signal, SIGINT);
    uv_signal_start(&t->sigterm, target_on_signal, SIGTERM);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    target_finish(t);
    return 0;
}

static void target_on_stop(uv_async_t *a)
{
    target_shutdown(a->data);
}

static void target_thread(void *arg)
{
    struct target *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);
}

/* The socket is already listening when the thread starts, so no handshake
 * is needed: connections made before uv_run wait in the backlog. */
struct target *target_start(const struct target_opts *o, int *port)
{
    struct target *t = target_open(o, port);
    if (!t)
        return NULL;
    uv_async_init(&t->loop, &t->stop, target_on_stop);
    t->stop.data = t;
    int r = uv_thread_create(&t->thread, target_thread, t);
    if (r < 0) {
        fprintf(stderr, "loadtop: target: cannot start thread: %s\n", strerror(-r));
        target_finish(t);
        return NULL;
    }
    return t;
}

void target_stop(struct target *t)
{
    if (!t)
        return;
    uv_async_send(&t->stop);
    uv_thread_join(&t->thread);
    target_finish(t);
}
