/* native_req.c — which requests the native transport takes, and their
 * bytes as libcurl would write them (see native.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "native.h"

/* ---- which requests --------------------------------------------------------- */

/* "http://HOST[:PORT][/path][?query]" with HOST an address or localhost:
 * x->addr, x->origin ("HOST[:PORT]" as given), x->path. 0, or -1. */
static int parse_target(struct http_xfer *x, const char *url)
{
    if (strncasecmp(url, "http://", 7))
        return -1;
    const char *host = url + 7, *end = host + strcspn(host, "/?#");
    size_t olen = (size_t)(end - host);
    if (!olen || olen >= sizeof x->origin || memchr(host, '@', olen))
        return -1;
    memcpy(x->origin, host, olen);
    x->origin[olen] = 0;
    char name[64];
    const char *colon;
    long port = 80;
    if (host[0] == '[') {
        const char *rb = memchr(host, ']', olen);
        if (!rb || (size_t)(rb - host - 1) >= sizeof name)
            return -1;
        memcpy(name, host + 1, (size_t)(rb - host - 1));
        name[rb - host - 1] = 0;
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(host, ':', olen);
        size_t hl = colon ? (size_t)(colon - host) : olen;
        if (hl >= sizeof name)
            return -1;
        memcpy(name, host, hl);
        name[hl] = 0;
    }
    snprintf(x->host, sizeof x->host, "%s", name);
    if (colon) {
        char *e;
        port = strtol(colon + 1, &e, 10);
        if (e != end || port < 1 || port > 65535)
            return -1;
    }
    memset(&x->addr, 0, sizeof x->addr);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&x->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&x->addr;
    if (!strcasecmp(name, "localhost") || inet_pton(AF_INET, name, &a4->sin_addr) == 1) {
        if (!strcasecmp(name, "localhost"))
            a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, name, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
    } else {
        return -1; /* a name: libcurl resolves it */
    }
    x->path = *end == '/' ? end : NULL; /* NULL: "/" (and the query, if any, after it) */
    x->query = *end == '?' ? end : NULL;
    return 0;
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
        x->out_body == r->body && x->out_len == r->body_len && x->out_method == r->method)
        return; /* the same request as last time on this handle: its bytes are ready */
    struct buf *b = &x->out;
    b->len = 0;
    const struct curl_slist *l = r->headers;
    int sends = r->body || !strcmp(r->method, "POST") || !strcmp(r->method, "PUT") ||
                !strcmp(r->method, "PATCH");
    const char *path = x->path ? x->path : "/";
    size_t plen = x->path ? strcspn(x->path, "#") : 1;
    buf_printf(b, "%s %.*s", r->method, (int)plen, path);
    if (!x->path && x->query)
        buf_append(b, x->query, strcspn(x->query, "#"));
    buf_printf(b, " HTTP/1.1\r\n");
    if (!given(l, "Host", 4))
        buf_printf(b, "Host: %s\r\n", x->origin);
    if (h->user_agent[0] && !given(l, "User-Agent", 10))
        buf_printf(b, "User-Agent: %s\r\n", h->user_agent);
    if (!given(l, "Accept", 6))
        buf_puts(b, "Accept: */*\r\n");
    if (r->cookies || x->cookies.n) {
        size_t at = b->len;
        buf_puts(b, "Cookie: ");
        if (jar_header(&x->cookies, x->host, x->path ? x->path : "/", (int64_t)time(NULL), b))
            buf_puts(b, "\r\n");
        else
            b->len = at, b->data[at] = 0;
    }
    for (; l; l = l->next) {
        size_t n = strlen(l->data);
        if (n && l->data[n - 1] == ':') /* "Name:" removes a default */
            continue;
        const char *semi = strchr(l->data, ';');
        if (semi && !semi[1] && !memchr(l->data, ':', n)) { /* "Name;": sent empty */
            buf_append(b, l->data, n - 1);
            buf_puts(b, ":\r\n");
            continue;
        }
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
    x->head_len = b->len;
    if (sends && r->body)
        buf_append(b, r->body, r->body_len);
    x->out_url = r->url;
    x->out_headers = r->headers;
    x->out_body = r->body;
    x->out_len = r->body_len;
    x->out_method = r->method;
}
