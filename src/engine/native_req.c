/* native_req.c — which requests the native transport takes, and their
 * bytes as libcurl would write them (see native.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "native.h"

/* ---- which requests --------------------------------------------------------- */

/* An http:// URL to an address or localhost, read by libcurl's URL parser
 * (the one url.c checked it with, and the one libcurl would send it by):
 * x->addr, x->host, x->origin (the Host header: HOST, and :PORT when not
 * 80, as libcurl writes it), x->target (path and query, dot-segments
 * removed as libcurl does). 0, or -1: libcurl carries it. */
static int parse_target(struct http_xfer *x, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *user = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) || strcasecmp(scheme, "http") ||
        curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ||
        curl_url_get(u, CURLUPART_PATH, &path, 0))
        goto out;
    curl_url_get(u, CURLUPART_QUERY, &query, 0); /* none: NULL */
    size_t hl = strlen(host);
    int v6 = hl > 2 && host[0] == '[';
    if (hl - (size_t)v6 * 2 >= sizeof x->host)
        goto out;
    snprintf(x->host, sizeof x->host, "%.*s", (int)(hl - (size_t)v6 * 2), host + v6);
    long pn = atol(port);
    memset(&x->addr, 0, sizeof x->addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&x->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&x->addr;
    if (!v6 &&
        (!strcasecmp(x->host, "localhost") || inet_pton(AF_INET, x->host, &a4->sin_addr) == 1)) {
        if (!strcasecmp(x->host, "localhost"))
            a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)pn);
    } else if (v6 && inet_pton(AF_INET6, x->host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)pn);
    } else {
        goto out; /* a name: libcurl resolves it */
    }
    if ((size_t)snprintf(x->origin, sizeof x->origin, pn == 80 ? "%s" : "%s:%s", host, port) >=
        sizeof x->origin)
        goto out;
    x->target.len = 0;
    buf_puts(&x->target, path);
    if (query) {
        buf_puts(&x->target, "?");
        buf_puts(&x->target, query);
    }
    rc = 0;
out:
    curl_free(scheme);
    curl_free(user);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

/* The name cookies are kept and sent under: a Host header's, without
 * its port, when the request gives one (libcurl does so), else HOST. */
static void cookie_host(struct http_xfer *x, const struct curl_slist *l)
{
    snprintf(x->cookie_host, sizeof x->cookie_host, "%s", x->host);
    for (; l; l = l->next) {
        if (strncasecmp(l->data, "Host:", 5))
            continue;
        const char *v = l->data + 5;
        v += strspn(v, " \t");
        size_t n = v[0] == '[' ? strcspn(++v, "]") : strcspn(v, ": \t");
        if (n && n < sizeof x->cookie_host)
            snprintf(x->cookie_host, sizeof x->cookie_host, "%.*s", (int)n, v);
    }
}

int native_fits(struct http *h, struct http_xfer *x, const struct http_request *r)
{
    if (h->o.http_version != HTTP_V1_1 || h->proxy_env || r->gzip)
        return 0;
    if (!r->stable || x->parsed_url != r->url) { /* a stable request is parsed once */
        x->parsed_url = NULL;
        if (parse_target(x, r->url) < 0)
            return 0;
        x->parsed_url = r->url;
        x->out_url = NULL; /* the request must be built again */
    }
    return 1;
}

/* ---- the request's bytes -------------------------------------------------------- */

static int given(const struct curl_slist *l, const char *name, size_t n)
{
    for (; l; l = l->next)
        if (!strncasecmp(l->data, name, n) && (l->data[n] == ':' || l->data[n] == ';'))
            return 1;
    return 0;
}

/* The request as libcurl would write it: its default headers unless the
 * request gives its own (or removes one with "Name:"), Content-Length and
 * curl's default Content-Type with a body, a VU's cookies. Unlike libcurl,
 * a VU's last request says "Connection: close": the server closes first
 * and keeps the TIME_WAIT, so the generator's ports come back at once (a
 * fresh connection per arrival: 15 000/s held on one core instead of
 * 10 000). Built again only when the request changed. */
void native_build(struct http *h, struct http_xfer *x)
{
    const struct http_request *r = &x->req;
    if (r->stable && !r->cookies && x->out_url == r->url && x->out_headers == r->headers &&
        x->out_body == r->body && x->out_body_len == r->body_len && x->out_method == r->method &&
        x->out_close == r->forbid_reuse)
        return; /* the same request as last time on this handle: its bytes are ready */
    struct buf *b = &x->out;
    b->len = 0;
    const struct curl_slist *l = r->headers;
    int sends = http_sends_body(r);
    buf_printf(b, "%s %s HTTP/1.1\r\n", r->method, x->target.data);
    if (!given(l, "Host", 4))
        buf_printf(b, "Host: %s\r\n", x->origin);
    if (h->user_agent[0] && !given(l, "User-Agent", 10))
        buf_printf(b, "User-Agent: %s\r\n", h->user_agent);
    if (!given(l, "Accept", 6))
        buf_puts(b, "Accept: */*\r\n");
    if (r->cookies || x->cookies.n) {
        cookie_host(x, l); /* only a request that carries cookies needs it */
        size_t at = b->len;
        buf_puts(b, "Cookie: ");
        if (jar_header(&x->cookies, x->cookie_host, x->target.data, (int64_t)time(NULL), b))
            buf_puts(b, "\r\n");
        else
            b->len = at, b->data[at] = 0;
    }
    for (; l; l = l->next) {
        size_t n = strlen(l->data);
        const char *colon = memchr(l->data, ':', n);
        if (!colon) { /* "Name;" is sent empty; a line without a colon, not at all */
            const char *semi = strchr(l->data, ';');
            if (semi && !semi[1] && n > 1) {
                buf_append(b, l->data, n - 1);
                buf_puts(b, ":\r\n");
            }
            continue;
        }
        if (!colon[strspn(colon + 1, " \t") + 1]) /* "Name:" removes a default, "Name: " */
            continue;                             /* sends nothing: libcurl's rules */
        buf_append(b, l->data, n);
        buf_puts(b, "\r\n");
    }
    if (sends) {
        if (!given(r->headers, "Content-Type", 12))
            buf_puts(b, "Content-Type: application/x-www-form-urlencoded\r\n");
        if (!given(r->headers, "Content-Length", 14))
            buf_printf(b, "Content-Length: %zu\r\n", r->body ? r->body_len : 0);
    }
    if (r->forbid_reuse && !given(r->headers, "Connection", 10))
        buf_puts(b, "Connection: close\r\n");
    buf_puts(b, "\r\n");
    if (sends && r->body)
        buf_append(b, r->body, r->body_len);
    x->out_url = r->url;
    x->out_headers = r->headers;
    x->out_body = r->body;
    x->out_body_len = r->body_len;
    x->out_method = r->method;
    x->out_close = r->forbid_reuse;
}
