/* native.c — loadtop's own HTTP/1.1 transport (see native.h). */
#include "native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "h1.h"

#define NATIVE_RBUF (64u << 10) /* one read buffer for all of a worker's connections */

struct nconn {
    uv_tcp_t tcp;              /* first: the handle's address is the connection's */
    int fail_code, fail_errno; /* a failure waiting for native_check */
    struct nconn *next_failed;
    struct native *n;
    struct nconn *prev, *next; /* the idle list (kept-alive, no transfer) */
    struct http_xfer *x;       /* the transfer it carries, or NULL */
    uv_connect_t creq;
    uv_write_t wreq;
    struct h1 rd;
    struct sockaddr_storage addr;
    int reused;  /* it has carried a response before: the server may have closed it */
    int writing; /* a uv_write of its request is queued (wreq in use) */
    int closing; /* uv_close called */
    int idle;
    int64_t t_start, t_sent, t_first;
};

struct native {
    struct http *h;
    struct nconn *idle; /* most recently used first */
    int nidle, nconns;
    /* failures met while a transfer starts (EMFILE at connect, a write
     * refused at once): reported from the loop (native_check), not from
     * inside http_start, whose caller's done callback would start the next
     * transfer inside this one, without end */
    int in_go;
    struct nconn *failed;
    uv_idle_t later; /* runs native_check while failures wait (no poll blocks them) */
    char rbuf[NATIVE_RBUF];
};

static void on_later(uv_idle_t *i)
{
    struct native *n = i->data;
    native_check(n->h);
}

static struct native *nat_of(struct http *h)
{
    if (!h->nat) {
        h->nat = xcalloc(1, sizeof *h->nat);
        h->nat->h = h;
        uv_idle_init(h->loop, &h->nat->later);
        h->nat->later.data = h->nat;
    }
    return h->nat;
}

/* ---- connections -------------------------------------------------------------- */

static void idle_unlink(struct native *n, struct nconn *c)
{
    if (!c->idle)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        n->idle = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->idle = 0;
    n->nidle--;
}

static void on_closed(uv_handle_t *hd)
{
    struct nconn *c = (struct nconn *)hd;
    h1_free(&c->rd);
    free(c);
}

static void conn_close(struct nconn *c)
{
    if (c->closing)
        return;
    idle_unlink(c->n, c);
    /* a failure waiting for native_check goes with it (its memory is freed
     * in this loop iteration's close phase, before the check could run) */
    for (struct nconn **pp = &c->n->failed; *pp; pp = &(*pp)->next_failed)
        if (*pp == c) {
            *pp = c->next_failed;
            break;
        }
    c->closing = 1;
    c->x = NULL;
    c->n->nconns--;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void start(struct http *h, struct http_xfer *x, struct nconn *reuse);

/* The transfer's end: x out of its connection, the result to the VU. */
static void report(struct http *h, struct http_xfer *x, struct http_result *r)
{
    r->native = 1;
    x->conn = NULL;
    http_detach(h, x);
    h->done(x, r, x->ud);
    http_pump(h);
}

static void fail(struct nconn *c, int code, int err, const char *detail)
{
    struct http_xfer *x = c->x;
    struct http *h = c->n->h;
    if (c->n->in_go) { /* said from the loop: see struct native */
        c->fail_code = code;
        c->fail_errno = err;
        c->next_failed = c->n->failed;
        c->n->failed = c;
        uv_idle_start(&c->n->later, on_later);
        return;
    }
    struct http_result r = {.curl_code = code, .os_errno = err, .detail = detail ? detail : ""};
    r.bytes = c->rd.bytes;
    r.total_us = now_us() - c->t_start;
    r.too_large = code == CURLE_FILESIZE_EXCEEDED;
    conn_close(c);
    report(h, x, &r);
}

/* A kept-alive connection the server closed before this request's
 * answer began: once more on a new connection, as libcurl does. */
static int retry(struct nconn *c)
{
    struct http_xfer *x = c->x;
    if (!c->reused || c->rd.started || x->retried)
        return 0;
    x->retried = 1;
    conn_close(c);
    start(c->n->h, x, NULL);
    return 1;
}

/* A 3xx with a Location: libcurl follows it from there (the connection
 * stays ours). Returns 1 when it took over. */
static int redirect(struct http *h, struct http_xfer *x, const struct h1 *rd, int64_t spent)
{
    int s = rd->status;
    if (x->req.no_redirect || !rd->location.len ||
        !(s == 301 || s == 302 || s == 303 || s == 307 || s == 308))
        return 0;
    CURLU *u = curl_url();
    char *next = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, x->req.url, 0) ||
        curl_url_set(u, CURLUPART_URL, rd->location.data, 0) ||
        curl_url_get(u, CURLUPART_URL, &next, 0)) {
        curl_url_cleanup(u);
        return 0;
    }
    curl_url_cleanup(u);
    free(x->redirect_url);
    x->redirect_url = xstrdup(next);
    curl_free(next);
    struct http_request q = x->req;
    q.url = x->redirect_url;
    int post = !strcmp(q.method, "POST");
    if (s == 303 || ((s == 301 || s == 302) && post)) { /* browsers', and libcurl's, way */
        q.method = strcmp(q.method, "HEAD") ? "GET" : "HEAD";
        q.body = NULL;
        q.body_len = 0;
    }
    if (http_curl_prepare(h, x, &q) < 0)
        return 0; /* no handle: the 3xx is the answer */
    if (q.cookies)
        http_curl_cookies_in(x); /* a Set-Cookie of this 3xx included */
    x->conn = NULL;
    x->native = 0;
    x->extra_us = spent;
    curl_multi_add_handle(h->multi, x->easy); /* its pool slot stays taken */
    return 1;
}

/* A whole response: to the VU, the connection kept or closed. */
static void complete(struct nconn *c, int leftover)
{
    struct http_xfer *x = c->x;
    struct http *h = c->n->h;
    int64_t now = now_us();
    struct http_result r = {.status = c->rd.status, .http_version = c->rd.version, .detail = ""};
    r.response_us = c->t_first > c->t_sent ? c->t_first - c->t_sent : 0;
    r.total_us = now - c->t_start;
    r.bytes = c->rd.bytes;
    if (x->req.keep_response) {
        r.headers = c->rd.hdrs.data ? c->rd.hdrs.data : "";
        r.headers_len = c->rd.hdrs.len;
        r.body = c->rd.body.data ? c->rd.body.data : "";
        r.body_len = c->rd.body.len;
    }
    if (c->rd.cookies.len) { /* into the VU's jar, for its next requests */
        int64_t t = (int64_t)time(NULL);
        for (char *s = c->rd.cookies.data, *nl; s && *s; s = nl + 1) {
            nl = strchr(s, '\n');
            if (!nl)
                break;
            *nl = 0;
            jar_set_cookie(&x->cookies, x->cookie_host, x->target.data, s, t);
        }
    }
    c->x = NULL;
    c->reused = 1;
    /* a server may answer before it has read the whole request: a
     * connection whose write is still queued is not reused (its write
     * request and the bytes it points into are still libuv's) */
    int keep = c->rd.keep_alive && !x->req.forbid_reuse && !leftover && !c->writing;
    struct native *n = c->n;
    if (keep && n->nidle < h->o.maxconnects) {
        c->idle = 1;
        c->prev = NULL;
        c->next = n->idle;
        if (n->idle)
            n->idle->prev = c;
        n->idle = c;
        n->nidle++;
    } else {
        keep = 0;
    }
    if (redirect(h, x, &c->rd, r.total_us)) {
        if (!keep)
            conn_close(c);
        return;
    }
    report(h, x, &r); /* the kept body is valid during the callback: the connection is idle */
    if (!keep)
        conn_close(c);
    else if (c->rd.hdrs.cap > KEEP_SPARE || c->rd.body.cap > KEEP_SPARE)
        h1_free(&c->rd);
}

static void on_alloc(uv_handle_t *hd, size_t want, uv_buf_t *b)
{
    struct nconn *c = (struct nconn *)hd;
    *b = uv_buf_init(c->n->rbuf, sizeof c->n->rbuf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct nconn *c = (struct nconn *)s;
    if (nread == 0 || c->closing)
        return;
    if (!c->x) { /* idle: the server closed it, or spoke out of turn */
        conn_close(c);
        return;
    }
    if (nread > 0) {
        if (!c->t_first)
            c->t_first = now_us();
        size_t used = h1_feed(&c->rd, b->base, (size_t)nread);
        switch (c->rd.state) {
        case H1_MORE:
            return;
        case H1_DONE:
            complete(c, used < (size_t)nread);
            return;
        case H1_BAD:
            fail(c, CURLE_WEIRD_SERVER_REPLY, 0, c->rd.why);
            return;
        case H1_HEAD_LARGE:
            fail(c, CURLE_OUT_OF_MEMORY, 0, "");
            return;
        case H1_BODY_LARGE:
            fail(c, CURLE_FILESIZE_EXCEEDED, 0, "the response body passed the size limit");
            return;
        case H1_CUT:
            break;
        }
    }
    if (nread == UV_EOF && h1_eof(&c->rd) == H1_DONE) {
        complete(c, 1);
        return;
    }
    if (retry(c))
        return;
    if (nread == UV_EOF)
        fail(c, c->rd.started ? CURLE_PARTIAL_FILE : CURLE_GOT_NOTHING, 0, "");
    else
        fail(c, CURLE_RECV_ERROR, (int)-nread, "");
}

static void on_written(uv_write_t *w, int status)
{
    struct nconn *c = w->data;
    c->writing = 0;
    if (c->closing || !c->x)
        return;
    if (status < 0) {
        if (!retry(c))
            fail(c, CURLE_SEND_ERROR, -status, "");
        return;
    }
    c->t_sent = now_us();
}

/* Write x's request: at once when the socket takes it all. */
static void send_request(struct nconn *c)
{
    struct http_xfer *x = c->x;
    native_build(c->n->h, x);
    h1_begin(&c->rd, !strcmp(x->req.method, "HEAD"), x->req.keep_response, c->n->h->o.max_body,
             c->n->h->kept_max);
    c->rd.want_cookies = x->req.cookies;
    c->t_first = 0;
    uv_buf_t b = uv_buf_init(x->out.data, (unsigned)x->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n == (int)x->out.len) {
        c->t_sent = now_us();
        return;
    }
    if (n < 0 && n != UV_EAGAIN) {
        if (!retry(c))
            fail(c, CURLE_SEND_ERROR, -n, "");
        return;
    }
    if (n > 0)
        b = uv_buf_init(x->out.data + n, (unsigned)(x->out.len - (size_t)n));
    c->t_sent =
        now_us(); /* until on_written says when it all went (a quick answer may come first) */
    c->wreq.data = c;
    int rc = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written);
    c->writing = rc == 0;
    if (rc < 0)
        fail(c, CURLE_SEND_ERROR, -rc, "");
}

static void on_connect(uv_connect_t *req, int status)
{
    struct nconn *c = req->data;
    if (c->closing || !c->x)
        return;
    if (status < 0) {
        fail(c, CURLE_COULDNT_CONNECT, -status, "");
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    send_request(c);
}

static void start(struct http *h, struct http_xfer *x, struct nconn *c)
{
    struct native *n = nat_of(h);
    int64_t t0 = x->conn_t0 ? x->conn_t0 : now_us();
    if (c) {
        idle_unlink(n, c);
        c->x = x;
        c->t_start = t0;
        x->conn = c;
        send_request(c);
        return;
    }
    c = xcalloc(1, sizeof *c);
    c->n = n;
    c->x = x;
    c->t_start = t0;
    x->conn = c;
    n->nconns++;
    uv_tcp_init(h->loop, &c->tcp);
    c->creq.data = c;
    memcpy(&c->addr, &x->addr, sizeof c->addr);
    int rc = uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)&c->addr, on_connect);
    if (rc < 0)
        fail(c, CURLE_COULDNT_CONNECT, -rc, "");
}

static int same_origin(const struct nconn *c, const struct http_xfer *x)
{
    const struct sockaddr_storage *a = &c->addr, *b = &x->addr;
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                       &((const struct sockaddr_in *)b)->sin_addr, 4) &&
               ((const struct sockaddr_in *)a)->sin_port ==
                   ((const struct sockaddr_in *)b)->sin_port;
    return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                   &((const struct sockaddr_in6 *)b)->sin6_addr, 16) &&
           ((const struct sockaddr_in6 *)a)->sin6_port ==
               ((const struct sockaddr_in6 *)b)->sin6_port;
}

void native_go(struct http *h, struct http_xfer *x)
{
    struct native *n = nat_of(h);
    x->retried = 0;
    x->conn_t0 = now_us();
    struct nconn *c = NULL;
    if (!x->req.fresh_connect)
        for (c = n->idle; c && !same_origin(c, x); c = c->next)
            ;
    n->in_go++;
    start(h, x, c);
    n->in_go--;
}

int native_check(struct http *h)
{
    struct native *n = h->nat;
    int any = 0;
    if (!n)
        return 0;
    uv_idle_stop(&n->later);
    /* this batch only: the transfers they start next may fail at once
     * too, and wait for the next loop iteration (timers, signals first) */
    struct nconn *batch = n->failed;
    n->failed = NULL;
    while (batch) {
        struct nconn *c = batch;
        batch = c->next_failed;
        if (c->x && c->x->conn == c) {
            fail(c, c->fail_code, c->fail_errno, "");
            any = 1;
        }
    }
    return any;
}

void native_abort(struct http *h, struct http_xfer *x)
{
    struct nconn *c = x->conn;
    x->conn = NULL;
    if (c)
        conn_close(c);
}

static void on_nat_closed(uv_handle_t *hd)
{
    free(hd->data);
}

void native_free(struct http *h)
{
    struct native *n = h->nat;
    if (!n)
        return;
    n->failed = NULL; /* their transfers end with the engine */
    for (int i = 0; i < h->nall; i++)
        if (h->all[i]->conn)
            native_abort(h, h->all[i]);
    while (n->idle)
        conn_close(n->idle);
    /* the handles close on the loop's next run, their memory with them */
    uv_close((uv_handle_t *)&n->later, on_nat_closed);
    h->nat = NULL;
}
