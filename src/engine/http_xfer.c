/* http_xfer.c — transfers: an easy handle set up for a request (options
 * changed only when they differ), recycled between requests; the pool's
 * wait FIFO of our own; and the whole-request deadlines, one FIFO list and
 * one timer for all (every transfer has the same timeout). See http.h. */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "native.h"

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
    if (x->native)
        native_go(h, x);
    else
        curl_multi_add_handle(h->multi, x->easy);
}

/* Take x out of wherever it is (libcurl, the wait FIFO, the deadline list):
 * its transfer is over. */
void http_detach(struct http *h, struct http_xfer *x)
{
    if (x->where == X_ADDED) {
        if (x->native || x->conn)
            native_abort(h, x);
        else
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
void http_pump(struct http *h)
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
            http_pump(h);
            return;
        }
        struct http_result r = {0};
        r.curl_code = CURLE_OPERATION_TIMEDOUT;
        r.detail = "";
        r.total_us = (int64_t)h->timeout_ms * 1000;
        r.bytes = x->bytes;
        http_detach(h, x);
        h->done(x, &r, x->ud);
    }
    http_pump(h);
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
    h->all = xrealloc(h->all, sizeof *h->all * (size_t)(h->nall + 1));
    h->all[h->nall++] = x;
    return x;
}

/* x's easy handle, made the first time libcurl carries one of its
 * transfers (a handle costs ~5 KB: the native transport needs none). */
static CURL *easy_of(struct http *h, struct http_xfer *x)
{
    if (x->easy)
        return x->easy;
    CURL *e = x->easy = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, http_on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, http_on_close_socket);
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
    /* HTTP/1.1 unless asked: libcurl 7.88 would negotiate HTTP/2 over TLS
     * by default, which is neither Artillery's default nor wrk's */
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     h->o.http_version == HTTP_V2_PRIOR ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                     : h->o.http_version == HTTP_V2_TLS ? (long)CURL_HTTP_VERSION_2TLS
                                                        : (long)CURL_HTTP_VERSION_1_1);
    if (h->o.tls_ca)
        curl_easy_setopt(e, CURLOPT_CAINFO, h->o.tls_ca);
    if (h->o.tls_cert) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, h->o.tls_cert);
        curl_easy_setopt(e, CURLOPT_SSLKEY, h->o.tls_key);
    }
    if (h->o.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return e;
}

static void add(struct http *h, struct http_xfer *x, void *ud)
{
    x->ud = ud;
    x->bytes = 0;
    x->extra_us = 0;
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

int http_sends_body(const struct http_request *r)
{
    return r->body || !strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
           !strcmp(r->method, "PATCH");
}

int http_curl_prepare(struct http *h, struct http_xfer *x, const struct http_request *r)
{
    CURL *e = easy_of(h, x);
    if (!e)
        return -1;
    int head = !strcmp(r->method, "HEAD");
    int sends_body = http_sends_body(r);
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
    /* libcurl 7.88 fails a reused h2c prior-knowledge connection ("Error in
     * the HTTP2 framing layer", curl issue #10634, fixed in 8.0): one each */
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE,
                     (long)(r->forbid_reuse || h->o.http_version == HTTP_V2_PRIOR));
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
    return 0;
}

void http_curl_cookies_in(struct http_xfer *x)
{
    if (!x->jar) {
        x->jar = 1;
        curl_easy_setopt(x->easy, CURLOPT_COOKIEFILE, "");
    }
    struct buf line = {0};
    for (int i = 0; i < x->cookies.n; i++) {
        buf_clear(&line);
        jar_netscape(&x->cookies.c[i], &line);
        curl_easy_setopt(x->easy, CURLOPT_COOKIELIST, line.data);
    }
    buf_free(&line);
}

void http_curl_cookies_out(struct http_xfer *x)
{
    struct curl_slist *l = NULL;
    if (curl_easy_getinfo(x->easy, CURLINFO_COOKIELIST, &l) != CURLE_OK)
        return;
    int64_t now = (int64_t)time(NULL);
    jar_clear(&x->cookies);
    for (struct curl_slist *p = l; p; p = p->next)
        jar_set_netscape(&x->cookies, p->data, now);
    curl_slist_free_all(l);
}

struct http_xfer *http_start(struct http *h, struct http_xfer *x, const struct http_request *r,
                             void *ud)
{
    if (!x && !(x = xfer_new(h)))
        return NULL;
    x->began_native = x->native = h->o.transport != TRANSPORT_CURL && native_fits(h, x, r);
    if (x->native) {
        x->req = *r;
        if (r->new_session) { /* both jars: a redirect may have filled libcurl's */
            jar_clear(&x->cookies);
            if (x->easy && x->jar)
                curl_easy_setopt(x->easy, CURLOPT_COOKIELIST, "ALL");
        }
        for (int i = 0; i < r->nset_cookies; i++)
            jar_put(&x->cookies, x->host, r->set_cookies[i]);
        x->req.set_cookies = NULL; /* the caller's: applied now */
        x->req.nset_cookies = 0;
    } else if (http_curl_prepare(h, x, r) < 0) {
        return NULL;
    }
    add(h, x, ud);
    return x;
}

void http_restart(struct http *h, struct http_xfer *x, void *ud)
{
    x->native = x->began_native; /* its own request again, not a redirect's Location */
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
    http_detach(h, x);
    http_pump(h);
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
