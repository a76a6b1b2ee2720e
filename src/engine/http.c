/* http.c — libcurl multi socket interface on libuv: the sockets libcurl
 * opens, polls and closes, its timer, and the completed transfers handed
 * back. Transfers themselves (options, the pool's wait FIFO, deadlines)
 * are in http_xfer.c. See http.h for the rules both follow and why. */
#include "http_int.h"
#include "native.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sockctx {
    uv_poll_t poll;
    struct http *h;
    curl_socket_t fd;
    int armed;  /* events the uv_poll is started with (0 = stopped) */
    int owned;  /* opened through http_on_open_socket: libcurl closes it via http_on_close_socket */
    int wanted; /* events libcurl asked for (0 after CURL_POLL_REMOVE) */
    int read;   /* libcurl waited to read from it: a connection, not a connect attempt */
};

static void process(struct http *h, curl_socket_t fd, int flags);

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sockctx *c = p->data;
    if (!c->wanted) {
        /* libcurl removed this socket earlier (idle keep-alive): stop now
         * rather than on every REMOVE, so the common reuse costs nothing. */
        uv_poll_stop(&c->poll);
        c->armed = 0;
        return;
    }
    int flags = 0;
    if (status < 0) {
        /* libuv reports POLLERR (e.g. an RST arrived) as an error status and
         * stops the handle. Passing CURL_CSELECT_ERR would make libcurl 7.88
         * fail with "select/poll returned error" (CURLE_SEND_ERROR, no errno);
         * letting it read and write finds the real cause (ECONNRESET, ...). */
        c->armed = 0;
        flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
    } else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    struct http *h = c->h;
    curl_socket_t fd = c->fd;
    process(h, fd, flags);
    /* After an error status libuv has stopped the poll: re-arm it if libcurl
     * still wants the socket (c is gone if libcurl closed it meanwhile). */
    if (status < 0 && fd < h->nsocks && h->socks[fd] == c && c->wanted && !c->armed) {
        uv_poll_start(&c->poll, c->wanted, on_poll);
        c->armed = c->wanted;
    }
}

static struct sockctx *sock_get(struct http *h, curl_socket_t fd)
{
    if (fd >= h->nsocks) {
        int n = h->nsocks ? h->nsocks : 1024;
        while (n <= fd)
            n *= 2;
        h->socks = xrealloc(h->socks, sizeof *h->socks * (size_t)n);
        memset(h->socks + h->nsocks, 0, sizeof *h->socks * (size_t)(n - h->nsocks));
        h->nsocks = n;
    }
    struct sockctx *c = h->socks[fd];
    if (!c) {
        c = xcalloc(1, sizeof *c);
        c->h = h;
        c->fd = fd;
        if (uv_poll_init_socket(h->loop, &c->poll, fd) != 0) {
            /* libuv still watches this fd number (it cannot, after
             * sock_forget): never poll through a handle that is not ours */
            free(c);
            return NULL;
        }
        c->poll.data = c;
        h->socks[fd] = c;
    }
    return c;
}

static void free_ctx(uv_handle_t *hd)
{
    free(hd->data);
}

/* Stop watching fd and forget its context (closing the poll handle takes
 * it out of libuv's queue of pending epoll changes at once). */
static void sock_forget(struct http *h, curl_socket_t fd)
{
    struct sockctx *c = fd >= 0 && fd < h->nsocks ? h->socks[fd] : NULL;
    if (!c)
        return;
    h->socks[fd] = NULL;
    uv_close((uv_handle_t *)&c->poll, free_ctx);
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e;
    (void)socketp;
    struct http *h = userp;
    if (what == CURL_POLL_REMOVE) {
        struct sockctx *c = fd < h->nsocks ? h->socks[fd] : NULL;
        if (c && c->owned && c->read) {
            c->wanted = 0; /* a connection: keep the poll armed, see on_poll */
        } else if (c) {
            /* Not a connection: the threaded resolver's socketpair, or a
             * connect attempt that lost or was abandoned (a transfer
             * removed while connecting). libcurl 7.88 closes both without
             * http_on_close_socket (cf-socket.c: "we did never publish it"),
             * possibly already: forget the fd now, before libuv hands a
             * pending epoll_ctl(ADD) a closed descriptor and aborts. */
            sock_forget(h, fd);
        }
        return 0;
    }
    struct sockctx *c = sock_get(h, fd);
    if (!c)
        return 0; /* not -1: that kills the whole multi handle; the deadline ends it */
    int ev = ((what & CURL_POLL_IN) ? UV_READABLE : 0) | ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0);
    c->read |= ev & UV_READABLE;
    c->wanted = ev;
    if (ev != c->armed) {
        uv_poll_start(&c->poll, ev, on_poll);
        c->armed = ev;
    }
    return 0;
}

curl_socket_t http_on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)purpose;
    struct http_xfer *x = clientp;
    struct http *h = x->h;
    curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd == CURL_SOCKET_BAD) {
        /* libcurl reports COULDNT_CONNECT and drops this errno: keep it, so
         * that EMFILE is named EMFILE, not ECONNREFUSED */
        x->open_errno = errno;
        return fd;
    }
    /* A context still held for this fd number belongs to a socket that was
     * closed without telling us (the kernel reuses only free numbers). */
    sock_forget(h, fd);
    struct sockctx *c = sock_get(h, fd);
    if (!c) {
        close(fd);
        x->open_errno = EMFILE;
        return CURL_SOCKET_BAD;
    }
    c->owned = 1;
    return fd;
}

int http_on_close_socket(void *clientp, curl_socket_t fd)
{
    /* Stop polling before the fd number can be reused by a new socket. */
    sock_forget(clientp, fd);
    return close(fd);
}

static void on_timeout(uv_timer_t *t)
{
    process(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    struct http *h = userp;
    if (timeout_ms < 0) {
        uv_timer_stop(&h->timer);
        return 0;
    }
    if (timeout_ms == 0)
        h->kick = 1; /* served right after the current call returns (process/http_flush) */
    /* 0 ms -> 1 ms: libcurl must not be re-entered from its own callback;
     * the kick above normally serves it sooner. */
    uv_timer_start(&h->timer, on_timeout, timeout_ms ? (uint64_t)timeout_ms : 1, 0);
    return 0;
}

static void drain(struct http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        struct http_result r = {0};
        r.curl_code = (int)msg->data.result;
        struct http_xfer *x = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
        r.detail = r.curl_code ? x->errbuf : "";
        r.too_large = x->too_large;
        if (x->too_large) {
            /* not the write error it surfaces as */
            r.curl_code = CURLE_FILESIZE_EXCEEDED;
            r.detail = "the response body passed the size limit";
        }
        /* libcurl 7.88 sets OS_ERRNO only for these; it is stale otherwise. */
        if (r.curl_code == CURLE_COULDNT_CONNECT || r.curl_code == CURLE_OPERATION_TIMEDOUT ||
            r.curl_code == CURLE_SEND_ERROR || r.curl_code == CURLE_RECV_ERROR) {
            long oe = 0;
            curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &oe);
            r.os_errno = (int)oe;
        }
        if (r.curl_code == CURLE_COULDNT_CONNECT && x->open_errno)
            r.os_errno = x->open_errno;
        long status = 0, version = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        r.status = (int)status;
        curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
        r.http_version = version == CURL_HTTP_VERSION_1_0   ? 10
                         : version == CURL_HTTP_VERSION_1_1 ? 11
                         : version == CURL_HTTP_VERSION_2_0 ? 20
                         : version == CURL_HTTP_VERSION_3   ? 30
                                                            : 0;
        curl_off_t pre = 0, start = 0, total = 0;
        curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre);
        curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start);
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
        r.response_us = start > pre ? (int64_t)(start - pre) : 0;
        r.total_us = (int64_t)total + x->extra_us; /* a redirect the native transport began */
        if (x->began_native && x->req.cookies)
            http_curl_cookies_out(x); /* what its hops set, for the VU's next requests */
        r.bytes = x->bytes;
        if (x->keep) {
            r.headers = x->hdrs.data ? x->hdrs.data : "";
            r.headers_len = x->hdrs.len;
            r.body = x->body.data ? x->body.data : "";
            r.body_len = x->body.len;
        }
        http_detach(h, x);
        h->done(x, &r, x->ud);
        if (x->keep && x->where == X_IDLE) {
            if (x->body.cap > KEEP_SPARE)
                buf_free(&x->body);
            if (x->hdrs.cap > KEEP_SPARE)
                buf_free(&x->hdrs);
        }
    }
    http_pump(h);
}

static void process(struct http *h, curl_socket_t fd, int flags)
{
    int running;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    drain(h);
    /* Transfers re-added by done callbacks are started by on_check, once
     * for all the sockets that were ready in this loop iteration. */
}

static void on_check(uv_check_t *c)
{
    http_flush(c->data);
}

void http_flush(struct http *h)
{
    /* Bounded: libcurl may keep asking for 0 ms; the 1 ms timer takes over. */
    for (int i = 0; i < 4 && h->kick; i++) {
        int running;
        h->kick = 0;
        curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        drain(h);
    }
}

void http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct http *http_new(uv_loop_t *loop, const struct http_opts *o, http_done_fn done)
{
    struct http *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    h->o = *o;
    h->done = done;
    h->kept_max = o->kept_max ? o->kept_max : KEEP_DEFAULT;
    if (o->user_agent)
        snprintf(h->user_agent, sizeof h->user_agent, "%s", o->user_agent);
    static const char *const proxy_vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                             "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxy_vars / sizeof *proxy_vars; i++)
        h->proxy_env |= getenv(proxy_vars[i]) != NULL;
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        return NULL;
    }
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    uv_timer_init(loop, &h->deadline);
    h->deadline.data = h;
    uv_idle_init(loop, &h->deadline_more);
    h->deadline_more.data = h;
    h->timeout_ms = o->timeout_us > 0 ? (uint64_t)(o->timeout_us + 999) / 1000 : 0;
    uv_check_init(loop, &h->check);
    h->check.data = h;
    uv_check_start(&h->check, on_check);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
                      (long)(o->maxconnects > 0 ? o->maxconnects : 1000));
    if (o->pool > 0)
        curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->pool);
    /* h2c prior knowledge: no stream may join an existing connection (see
     * the CURLOPT_FORBID_REUSE note in http_xfer.c) */
    if (o->http_version == HTTP_V2_PRIOR)
        curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    return h;
}

/* The struct holds four handles; libuv runs close callbacks in no promised
 * order (1.44: the last closed first) and reads each handle after the one
 * before it: free only after the last of them. */
static void free_http(uv_handle_t *hd)
{
    struct http *h = hd->data;
    if (--h->closing == 0)
        free(h);
}

void http_free(struct http *h)
{
    native_free(h);
    for (int i = 0; i < h->nall; i++) {
        struct http_xfer *x = h->all[i];
        if (x->easy) {
            if (x->where == X_ADDED && !x->native)
                curl_multi_remove_handle(h->multi, x->easy);
            curl_easy_cleanup(x->easy);
        }
        buf_free(&x->body);
        buf_free(&x->hdrs);
        buf_free(&x->out);
        buf_free(&x->target);
        jar_free(&x->cookies);
        free(x->redirect_url);
        free(x);
    }
    free(h->all);
    curl_multi_cleanup(h->multi); /* closes cached connections via http_on_close_socket */
    for (int fd = 0; fd < h->nsocks; fd++)
        if (h->socks[fd])
            uv_close((uv_handle_t *)&h->socks[fd]->poll, free_ctx);
    free(h->socks);
    h->closing = 4;
    uv_close((uv_handle_t *)&h->deadline_more, free_http);
    uv_close((uv_handle_t *)&h->check, free_http);
    uv_close((uv_handle_t *)&h->deadline, free_http);
    uv_close((uv_handle_t *)&h->timer, free_http);
}
