/* target.c — see target.h: the server and its connections (accept, read,
 * write, close, timeouts). Requests are parsed in target_http.c, answered in
 * target_routes.c. One loop, one thread. llhttp parses each request in
 * place, in the connection's own buffer, and every reply is formatted into the
 * connection's own buffer or generated from the target's fill, so the hot path
 * (parse, format, uv_try_write) never allocates. */
#include "target_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <uv.h>

static void conn_on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b);
static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);
static void conn_stream(struct conn *c);

static void conn_on_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->handles == 0) {
        json_decref(c->echo);
        buf_free(&c->req);
        buf_free(&c->big);
        free(c);
    }
}

static void conn_uncount(struct conn *c)
{
    if (c->counted) {
        c->counted = 0;
        c->t->inflight--;
    }
}

/* rst: SO_LINGER {1,0} makes close(2) send RST, so the client reads
 * ECONNRESET — the overload signature this server exists to reproduce. */
void conn_close(struct conn *c, int rst)
{
    if (c->closing)
        return;
    c->closing = 1;
    conn_uncount(c);
    c->t->nconns--;
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

static void conn_on_shutdown(uv_shutdown_t *req, int status)
{
    struct conn *c = req->data;
    if (status < 0 && !c->closing)
        conn_close(c, 0);
}

/* The reply is out and the connection ends here: FIN first, then read and
 * drop what the client still sends (the rest of a refused request) until its
 * EOF or LINGER_MS. Closing with unread bytes would make the kernel send RST,
 * which can destroy the reply before the client has read it. */
static void conn_linger(struct conn *c)
{
    if (c->eof) {
        conn_close(c, 0);
        return;
    }
    c->lingering = 1;
    c->in_len = c->parse_off = c->keep_off = 0;
    c->deadline = uv_now(&c->t->loop) + LINGER_MS;
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, conn_on_shutdown) < 0) {
        conn_close(c, 0);
        return;
    }
    if (!c->reading) {
        c->reading = 1;
        uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
    }
}

static void conn_reply_done(struct conn *c)
{
    if (c->req.data || c->big.data) {
        buf_free(&c->req);
        buf_free(&c->big);
    }
    c->busy = 0;
    conn_uncount(c);
    if (!c->keepalive) {
        conn_linger(c);
        return;
    }
    c->idle = 1;
    c->deadline = uv_now(&c->t->loop) + c->t->idle_ms;
    conn_process(c); /* pipelined requests already buffered */
}

static void drip_on_tick(uv_timer_t *tm)
{
    struct conn *c = tm->data;
    if (c->writing) /* previous byte still queued: try again next tick */
        return;
    c->sent++;
    conn_send(c, &DRIP_BODY[c->sent - 1], 1);
}

static void conn_sent(struct conn *c)
{
    switch (c->route) {
    case R_DRIP:
        if (c->sent == 0) {
            uv_timer_start(&c->timer, drip_on_tick, c->arg_ms, c->arg_ms);
            return;
        }
        if (c->sent < DRIP_LEN)
            return;
        uv_timer_stop(&c->timer);
        break;
    case R_RAW:
        c->busy = 0;
        conn_uncount(c);
        conn_linger(c);
        return;
    case R_BYTES:
    case R_ENDLESS:
    case R_BIGHEADER:
    case R_MANYHEADERS:
        conn_stream(c);
        return;
    default:
        break;
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
void conn_send(struct conn *c, const char *p, size_t n)
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

const char *conn_connection_header(const struct conn *c)
{
    return !c->keepalive ? "Connection: close\r\n" : c->http10 ? "Connection: keep-alive\r\n" : "";
}

/* The headers after /bigheader's or /manyheaders' generated ones, and the
 * body "ok\n", into dst. Returns the length, or 0 when it does not fit. */
static size_t conn_tail(const struct conn *c, char *dst, size_t room)
{
    int n = snprintf(dst, room, "Content-Type: text/plain\r\nContent-Length: 3\r\n%s\r\n%s",
                     conn_connection_header(c), c->head ? "" : "ok\n");
    return n > 0 && (size_t)n < room ? (size_t)n : 0;
}

/* The next piece of a generated reply. uv_write, not uv_try_write: its
 * callback always comes a loop turn later, so a client that reads as fast as
 * we write gets one piece per turn (no recursion, no starving the other
 * connections) and one that does not read holds at most one piece here. */
static void conn_stream(struct conn *c)
{
    uv_buf_t b[3];
    int nb = 0;
    size_t n = 0;
    switch (c->route) {
    case R_ENDLESS:
        if (!c->http10)
            b[nb++] = uv_buf_init((char *)FILL_CHUNK_HEAD, sizeof FILL_CHUNK_HEAD - 1);
        b[nb++] = uv_buf_init(c->t->fill, FILL_LEN);
        if (!c->http10)
            b[nb++] = uv_buf_init((char *)"\r\n", 2);
        break;
    case R_BYTES:
    case R_BIGHEADER:
        if (c->left) {
            n = c->left < FILL_LEN ? (size_t)c->left : FILL_LEN;
            c->left -= n;
            b[nb++] = uv_buf_init(c->t->fill, n);
        } else if (c->route == R_BIGHEADER && !c->tail_sent) {
            memcpy(c->out, "\r\n", 2); /* ends the X-Big line */
            n = 2 + conn_tail(c, c->out + 2, sizeof c->out - 2);
            c->tail_sent = 1;
            b[nb++] = uv_buf_init(c->out, n);
        }
        break;
    case R_MANYHEADERS:
        while (c->left && n + 40 < sizeof c->out) {
            c->sent++;
            c->left--;
            n += (size_t)snprintf(c->out + n, sizeof c->out - n, "X-Many-%llu: %llu\r\n",
                                  (unsigned long long)c->sent, (unsigned long long)c->sent);
        }
        if (!c->left && !c->tail_sent) {
            size_t k = conn_tail(c, c->out + n, sizeof c->out - n);
            c->tail_sent = k > 0;
            n += k;
        }
        if (n)
            b[nb++] = uv_buf_init(c->out, n);
        break;
    default:
        break;
    }
    if (nb == 0) {
        conn_reply_done(c);
        return;
    }
    c->writing = 1;
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, b, (unsigned)nb, conn_on_write) < 0)
        conn_close(c, 0);
}

void conn_json_reply(struct conn *c);

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
    default: /* R_REPLY, R_DELAY, R_RAW, and the heads of R_DRIP and the generated */
        conn_send(c, c->out, c->out_len);
    }
}

static void conn_on_timer(uv_timer_t *tm)
{
    conn_act(tm->data);
}

void conn_dispatch(struct conn *c)
{
    uint64_t wait = (uint64_t)c->t->latency_ms + (c->route == R_DELAY ? c->arg_ms : 0);
    c->busy = 1;
    c->deadline = 0; /* the reply's pace is the route's, not the client's */
    if (!c->eof) {
        c->counted = 1;
        c->t->inflight++;
    }
    if (c->route == R_STALL)
        return;
    if (wait)
        uv_timer_start(&c->timer, conn_on_timer, wait, 0);
    else
        conn_act(c);
}

static void conn_on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    struct conn *c = h->data;
    if (c->keep_off) {
        memmove(c->in, c->in + c->keep_off, c->in_len - c->keep_off);
        c->in_len -= c->keep_off;
        c->parse_off -= c->keep_off;
        c->keep_off = 0;
    }
    *b = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof c->in - c->in_len));
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    struct conn *c = s->data;
    if (c->lingering) {
        if (nread < 0)
            conn_close(c, 0);
        return;
    }
    if (nread > 0) {
        c->in_len += (size_t)nread;
        conn_process(c);
        return;
    }
    if (nread == 0)
        return;
    uv_read_stop(s);
    c->reading = 0;
    if (nread == UV_ENOBUFS) /* full while a reply is pending: conn_process resumes */
        return;
    if (nread != UV_EOF) {
        conn_close(c, 0);
        return;
    }
    /* A half-closed client still gets the replies to what it sent. It frees
     * its capacity slot at once all the same, so one run's abandoned requests
     * never skew the next run; /stall would never answer, so it just closes. */
    c->eof = 1;
    conn_uncount(c);
    if (c->busy && c->route == R_STALL)
        conn_close(c, 0);
    else if (!c->busy)
        conn_process(c);
}

void conn_read_start(struct conn *c)
{
    if (!c->reading) {
        c->reading = 1;
        uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
    }
}

static void target_on_closed_free(uv_handle_t *h)
{
    free(h);
}

static void target_on_connection(uv_stream_t *server, int status)
{
    struct target *t = server->data;
    if (status < 0)
        return;
    if (t->nconns >= t->max_conns) { /* accepted only to be closed: no slowloris pile-up */
        uv_tcp_t *x = xmalloc(sizeof *x);
        uv_tcp_init(&t->loop, x);
        uv_accept(server, (uv_stream_t *)x);
        uv_close((uv_handle_t *)x, target_on_closed_free);
        return;
    }
    struct conn *c = xmalloc(sizeof *c);
    memset(c, 0, offsetof(struct conn, in)); /* the buffers need no clearing */
    c->t = t;
    c->handles = 2;
    uv_tcp_init(&t->loop, &c->tcp);
    uv_timer_init(&t->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    conn_parser_init(c);
    c->parser.data = c;
    c->deadline = uv_now(&t->loop) + t->header_ms;
    c->next = t->conns;
    if (t->conns)
        t->conns->prev = c;
    t->conns = c;
    t->nconns++;
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

/* One timer for all the deadlines: the hot path only stores a number, and a
 * walk over 10 000 connections a second costs less than a timer per request. */
static void target_on_sweep(uv_timer_t *tm)
{
    struct target *t = tm->data;
    uint64_t now = uv_now(&t->loop);
    for (struct conn *c = t->conns, *next; c; c = next) {
        next = c->next;
        if (c->deadline && c->deadline <= now)
            conn_close(c, 0);
    }
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

/* "ADDR:PORT", "[V6]:PORT", ":PORT" (loopback, never all interfaces: those
 * must be asked for, as 0.0.0.0 or [::]); "localhost" is 127.0.0.1. host
 * gets the printable address. Returns 0 or a uv error. */
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
    if (hl == 0 || strcmp(host, "localhost") == 0)
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
    struct rlimit rl;
    int r;

    signal(SIGPIPE, SIG_IGN); /* libuv writes with write(2), not MSG_NOSIGNAL */
    /* --max-connections means nothing if the descriptors run out first. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    t->capacity = o->capacity > 0 ? o->capacity : 0;
    t->latency_ms = o->latency_ms > 0 ? o->latency_ms : 0;
    t->header_ms = (uint64_t)(o->header_timeout_ms > 0 ? o->header_timeout_ms : HEADER_TIMEOUT_MS);
    t->idle_ms = (uint64_t)(o->idle_timeout_ms > 0 ? o->idle_timeout_ms : IDLE_TIMEOUT_MS);
    t->max_conns = o->max_conns > 0 ? o->max_conns : MAX_CONNS;
    t->app = o->app;
    t->app_ctx = o->app_ctx;
    for (size_t i = 0; i < FILL_LEN; i++) /* 64-byte lines of one header-safe alphabet */
        t->fill[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[i % 64];
    if ((r = uv_loop_init(&t->loop)) < 0) {
        free(t);
        fprintf(stderr, "loadtop: target: cannot listen on %s: %s\n", listen, strerror(-r));
        return NULL;
    }
    uv_tcp_init(&t->loop, &t->server);
    t->server.data = t;
    r = target_parse_listen(listen, &sa, host, sizeof host);
    if (r == 0) /* uv_tcp_bind sets SO_REUSEADDR: a restart need not wait out TIME_WAIT */
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
    uint64_t sweep = (t->header_ms < t->idle_ms ? t->header_ms : t->idle_ms) / 4;
    sweep = sweep < 10 ? 10 : sweep > 1000 ? 1000 : sweep;
    uv_timer_init(&t->loop, &t->sweep);
    t->sweep.data = t;
    uv_timer_start(&t->sweep, target_on_sweep, sweep, sweep);
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
