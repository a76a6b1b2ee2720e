/* http.c — libcurl multi socket interface on libuv. See http.h for the
 * rules this file follows and why. */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util.h"

struct sockctx {
    uv_poll_t poll;
    struct http *h;
    curl_socket_t fd;
    int armed;  /* events the uv_poll is started with (0 = stopped) */
    int owned;  /* opened through on_open_socket: libcurl closes it via on_close_socket */
    int wanted; /* events libcurl asked for (0 after CURL_POLL_REMOVE) */
    int read;   /* libcurl waited to read from it: a connection, not a connect attempt */
};

/* Kept responses (captures, expectations) are cut at http_opts.kept_max;
 * a buffer that grew past KEEP_SPARE is released after its transfer, so
 * memory follows the transfers in flight, not the largest ever seen. */
#define KEEP_DEFAULT (1u << 20)
#define KEEP_SPARE (64u << 10)

/* on_deadline works at most this long before yielding to the loop. */
#define DEADLINE_BUDGET_US 2000

enum xfer_where { X_IDLE, X_WAITING, X_ADDED };

struct http_xfer {
    CURL *easy;
    struct http *h;
    void *ud;
    uint64_t bytes;
    enum xfer_where where;
    int open_errno;  /* socket() failed in on_open_socket (EMFILE, ...) */
    int too_large;   /* on_write cut the body at http_opts.max_body */
    /* the whole-request deadline (see struct http's deadline list) */
    uint64_t due_ms;
    struct http_xfer *due_prev, *due_next;
    struct http_xfer *wait_prev, *wait_next; /* the pool's wait FIFO */
    /* options as last set on the easy handle: changed only when they differ */
    int keep, jar, no_redirect, gzip;
    struct buf body, hdrs; /* kept response (keep) */
    struct http_xfer *next_free;
    char errbuf[CURL_ERROR_SIZE];
};

struct http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    /* Whole-request timeouts, kept here rather than by CURLOPT_TIMEOUT_MS
     * (which costs libcurl a timer-tree insert and removal per transfer):
     * every transfer has the same timeout, so deadlines in start order are
     * in time order, a FIFO list whose head is the next to expire. One
     * timer serves them all: started by the first transfer when it is idle,
     * then re-armed for the new head each time it fires. */
    uv_timer_t deadline;
    uv_idle_t deadline_more;   /* expiries left over by on_deadline's budget */
    struct http_xfer *due_head, *due_tail;
    uint64_t timeout_ms;
    uv_check_t check;          /* once per loop iteration: serve the kick */
    int closing;               /* handles still closing in http_free */
    http_done_fn done;
    struct http_opts o;
    uint64_t kept_max;
    int inflight;              /* started and not done: added + waiting */
    int added;                 /* in the multi handle */
    /* With a pool, transfers past its size wait here, oldest first; a slot
     * freed by a finished transfer goes to the head. Unlinking is O(1). */
    struct http_xfer *wait_head, *wait_tail;
    int nwaiting;
    int kick;                  /* libcurl asked for an immediate timeout */
    int proxy_env;             /* a *_proxy variable is set: let libcurl use it */
    char user_agent[64];
    struct sockctx **socks;    /* by fd */
    int nsocks;
    struct http_xfer *free_list;
    struct http_xfer **all;
    int nall;
};

static void process(struct http *h, curl_socket_t fd, int flags);

static void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct http_xfer *x = ud;
    size_t n = size * nmemb;
    x->bytes += n;
    uint64_t max = x->h->o.max_body;
    if (max && x->bytes > max) {
        /* libcurl 7.88's CURLOPT_MAXFILESIZE ignores bodies of unknown
         * length; returning short ends the transfer (CURLE_WRITE_ERROR). */
        x->too_large = 1;
        return 0;
    }
    uint64_t keep = x->h->kept_max;
    if (x->keep && x->body.len < keep)
        buf_append(&x->body, ptr, n < keep - x->body.len ? n : (size_t)(keep - x->body.len));
    return n;
}

/* Installed only while the response is kept. A status line starts a new
 * response (after a redirect or a 100 Continue): keep the last one only. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct http_xfer *x = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !memcmp(ptr, "HTTP/", 5))
        buf_clear(&x->hdrs);
    else if (x->hdrs.len + n <= x->h->kept_max)
        buf_append(&x->hdrs, ptr, n);
    return n;
}

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
             * on_close_socket (cf-socket.c: "we did never publish it"),
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

static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
                                    struct curl_sockaddr *a)
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

static int on_close_socket(void *clientp, curl_socket_t fd)
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

static void due_unlink(struct http *h, struct http_xfer *x)
{
    if (x->due_prev)
        x->due_prev->due_next = x->due_next;
    else if (h->due_head == x)
        h->due_head = x->due_next;
    if (x->due_next)
        x->due_next->due_prev = x->due_prev;
    else if (h->due_tail == x)
        h->due_tail = x->due_prev;
    x->due_prev = x->due_next = NULL;
}

static void wait_push(struct http *h, struct http_xfer *x)
{
    x->where = X_WAITING;
    x->wait_next = NULL;
    x->wait_prev = h->wait_tail;
    if (h->wait_tail)
        h->wait_tail->wait_next = x;
    else
        h->wait_head = x;
    h->wait_tail = x;
    h->nwaiting++;
}

static void wait_unlink(struct http *h, struct http_xfer *x)
{
    if (x->wait_prev)
        x->wait_prev->wait_next = x->wait_next;
    else
        h->wait_head = x->wait_next;
    if (x->wait_next)
        x->wait_next->wait_prev = x->wait_prev;
    else
        h->wait_tail = x->wait_prev;
    x->wait_prev = x->wait_next = NULL;
    h->nwaiting--;
}

static void multi_add(struct http *h, struct http_xfer *x)
{
    x->where = X_ADDED;
    h->added++;
    curl_multi_add_handle(h->multi, x->easy);
}

/* Take x out of wherever it is (libcurl, the wait FIFO, the deadline list):
 * its transfer is over. */
static void detach(struct http *h, struct http_xfer *x)
{
    if (x->where == X_ADDED) {
        curl_multi_remove_handle(h->multi, x->easy);
        h->added--;
    } else if (x->where == X_WAITING) {
        wait_unlink(h, x);
    }
    x->where = X_IDLE;
    due_unlink(h, x);
    h->inflight--;
}

/* Give free pool slots to the oldest waiting transfers. */
static void pump(struct http *h)
{
    while (h->wait_head && h->added < h->o.pool) {
        struct http_xfer *x = h->wait_head;
        wait_unlink(h, x);
        multi_add(h, x);
    }
}

static void on_deadline(uv_timer_t *t);
static void on_deadline_more(uv_idle_t *i);

static void due_arm(struct http *h, uint64_t now)
{
    if (h->due_head)
        uv_timer_start(&h->deadline, on_deadline,
                       h->due_head->due_ms > now ? h->due_head->due_ms - now : 0, 0);
}

/* Fail every transfer whose deadline has passed, as libcurl's own timeout
 * would (CURLE_OPERATION_TIMEDOUT: ETIMEDOUT), then re-arm for the next.
 * A storm of expiries is worked off in slices of DEADLINE_BUDGET_US, so the
 * loop still serves sockets, commands and signals in between (an idle
 * handle continues: a 0 ms timer would run again before any poll). */
static void expire(struct http *h)
{
    uint64_t now = uv_now(h->loop);
    int64_t until = now_us() + DEADLINE_BUDGET_US;
    int n = 0;
    struct http_xfer *x;
    while ((x = h->due_head) && x->due_ms <= now) {
        if (++n % 16 == 0 && now_us() > until) {
            uv_timer_stop(&h->deadline);
            uv_idle_start(&h->deadline_more, on_deadline_more);
            pump(h);
            return;
        }
        struct http_result r = {0};
        r.curl_code = CURLE_OPERATION_TIMEDOUT;
        r.detail = "";
        r.total_us = (int64_t)h->timeout_ms * 1000;
        r.bytes = x->bytes;
        detach(h, x);
        h->done(x, &r, x->ud);
    }
    pump(h);
    due_arm(h, now);
}

static void on_deadline(uv_timer_t *t)
{
    expire(t->data);
}

static void on_deadline_more(uv_idle_t *i)
{
    uv_idle_stop(i);
    expire(i->data);
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
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        r.status = (int)status;
        curl_off_t pre = 0, start = 0, total = 0;
        curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre);
        curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start);
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
        r.response_us = start > pre ? (int64_t)(start - pre) : 0;
        r.total_us = (int64_t)total;
        r.bytes = x->bytes;
        if (x->keep) {
            r.headers = x->hdrs.data ? x->hdrs.data : "";
            r.headers_len = x->hdrs.len;
            r.body = x->body.data ? x->body.data : "";
            r.body_len = x->body.len;
        }
        detach(h, x);
        h->done(x, &r, x->ud);
        if (x->keep && x->where == X_IDLE) {
            if (x->body.cap > KEEP_SPARE)
                buf_free(&x->body);
            if (x->hdrs.cap > KEEP_SPARE)
                buf_free(&x->hdrs);
        }
    }
    pump(h);
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
    static const char *const proxy_vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
                                             "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
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
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)(o->maxconnects > 0 ? o->maxconnects : 1000));
    if (o->pool > 0)
        curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->pool);
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
    for (int i = 0; i < h->nall; i++) {
        struct http_xfer *x = h->all[i];
        if (x->where == X_ADDED)
            curl_multi_remove_handle(h->multi, x->easy);
        curl_easy_cleanup(x->easy);
        buf_free(&x->body);
        buf_free(&x->hdrs);
        free(x);
    }
    free(h->all);
    curl_multi_cleanup(h->multi); /* closes cached connections via on_close_socket */
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

void *http_headers(const char *const *lines, int n, const char *extra)
{
    struct curl_slist *l = NULL;
    for (int i = 0; i < n; i++)
        l = curl_slist_append(l, lines[i]);
    if (extra)
        l = curl_slist_append(l, extra);
    return l;
}

void http_headers_free(void *slist)
{
    curl_slist_free_all(slist);
}

static struct http_xfer *xfer_new(struct http *h)
{
    struct http_xfer *x = h->free_list;
    if (x) {
        h->free_list = x->next_free;
        return x;
    }
    x = xcalloc(1, sizeof *x);
    x->h = h;
    x->easy = curl_easy_init();
    if (!x->easy) {
        free(x);
        return NULL;
    }
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, h);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    /* HTTP only, redirects too: a Location must not reach ftp://, file://,
     * gopher://, ... with the script's credentials */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);

    if (h->user_agent[0])
        curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
    /* Without a proxy in the environment, say so once: libcurl otherwise
     * scans the environment for *_proxy on every transfer. */
    if (!h->proxy_env)
        curl_easy_setopt(e, CURLOPT_PROXY, "");
    if (h->o.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    h->all = xrealloc(h->all, sizeof *h->all * (size_t)(h->nall + 1));
    h->all[h->nall++] = x;
    return x;
}

static void add(struct http *h, struct http_xfer *x, void *ud)
{
    x->ud = ud;
    x->bytes = 0;
    x->open_errno = 0;
    x->too_large = 0;
    if (x->keep) {
        buf_clear(&x->body);
        buf_clear(&x->hdrs);
    }
    h->inflight++;
    if (h->timeout_ms) {
        uint64_t now = uv_now(h->loop);
        x->due_ms = now + h->timeout_ms;
        x->due_prev = h->due_tail;
        x->due_next = NULL;
        if (h->due_tail)
            h->due_tail->due_next = x;
        else
            h->due_head = x;
        h->due_tail = x;
        if (!uv_is_active((uv_handle_t *)&h->deadline))
            due_arm(h, now);
    }
    if (h->o.pool > 0 && (h->added >= h->o.pool || h->wait_head))
        wait_push(h, x);
    else
        multi_add(h, x);
}

/* Put "name=value" cookies in the handle's jar for the URL's host, as a
 * Set-Cookie from it would (Netscape cookie-file lines). */
static void set_cookies(CURL *e, const struct http_request *r)
{
    CURLU *u = curl_url();
    char *host = NULL;
    if (u && !curl_url_set(u, CURLUPART_URL, r->url, 0) &&
        !curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        for (int i = 0; i < r->nset_cookies; i++) {
            const char *c = r->set_cookies[i], *eq = strchr(c, '=');
            if (!eq)
                continue;
            char *line =
                xasprintf("%s\tFALSE\t/\tFALSE\t0\t%.*s\t%s", host, (int)(eq - c), c, eq + 1);
            curl_easy_setopt(e, CURLOPT_COOKIELIST, line);
            free(line);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
}

struct http_xfer *http_start(struct http *h, struct http_xfer *x, const struct http_request *r,
                             void *ud)
{
    if (!x && !(x = xfer_new(h)))
        return NULL;
    CURL *e = x->easy;
    int head = !strcmp(r->method, "HEAD");
    int sends_body = r->body || !strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
                     !strcmp(r->method, "PATCH");
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    /* NOBODY first, always: libcurl keeps it across POSTFIELDS on a recycled handle. */
    curl_easy_setopt(e, CURLOPT_NOBODY, (long)head);
    if (sends_body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(r->body ? r->body_len : 0));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
    } else if (!head) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    int custom = !head && strcmp(r->method, "GET") && !(sends_body && !strcmp(r->method, "POST"));
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, custom ? r->method : NULL);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)r->headers);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, (long)r->fresh_connect);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, (long)r->forbid_reuse);
    if (r->keep_response != x->keep) {
        x->keep = r->keep_response;
        /* HEADERDATA only with the function: with HEADERDATA alone libcurl
         * hands the headers to the write callback, which counts body bytes */
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, x->keep ? on_header : NULL);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, x->keep ? x : NULL);
    }
    if (r->no_redirect != x->no_redirect) {
        x->no_redirect = r->no_redirect;
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, (long)!x->no_redirect);
    }
    if (r->gzip != x->gzip) {
        x->gzip = r->gzip;
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, x->gzip ? "" : NULL);
    }
    /* The handle outlives its VU: a new VU starts with an empty jar. */
    if (r->new_session && x->jar)
        curl_easy_setopt(e, CURLOPT_COOKIELIST, "ALL");
    if ((r->cookies || r->nset_cookies) && !x->jar) {
        x->jar = 1;
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
    }
    if (r->nset_cookies)
        set_cookies(e, r);
    add(h, x, ud);
    return x;
}

void http_restart(struct http *h, struct http_xfer *x, void *ud)
{
    add(h, x, ud);
}

void http_release(struct http *h, struct http_xfer *x)
{
    x->next_free = h->free_list;
    h->free_list = x;
}

int http_cancel(struct http *h, struct http_xfer *x)
{
    if (x->where == X_IDLE)
        return 0;
    detach(h, x);
    pump(h);
    return 1;
}

int http_inflight(const struct http *h)
{
    return h->inflight;
}

int http_waiting(const struct http *h)
{
    return h->nwaiting;
}
