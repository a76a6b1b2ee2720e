/* native.h — loadtop's own HTTP/1.1 transport for plain http:// requests:
 * libuv TCP handles, responses read by h1.c (llhttp). The request is
 * written with one uv_try_write when the socket takes it (no
 * write-readiness round trip), the response read into one buffer shared
 * by the worker's connections; a connection kept alive stays read-armed
 * while idle (no epoll_ctl per request), so a server's close is seen at
 * once. A kept-alive connection that the server closed before answering
 * is retried once on a new one, as libcurl does. Results are reported with
 * libcurl's codes (CURLE_COULDNT_CONNECT + ECONNREFUSED, ...), so that
 * every error has the same name under both transports. A 3xx with a
 * Location is followed by libcurl from there (redirects are rare under
 * load). Engine thread only; http.c and http_xfer.c call it. */
#ifndef LOADTOP_NATIVE_H
#define LOADTOP_NATIVE_H

#include <stddef.h>

#include "http_int.h"

/* Can transfer `r` go native under http `h`? http:// to an IP address or
 * localhost, HTTP/1.1, no proxy from the environment, no gzip. Fills x's
 * parsed target when it can. */
int native_fits(struct http *h, struct http_xfer *x, const struct http_request *r);
/* (native_req.c) Build x's request bytes into x->out (again only when the
 * request is not the stable one it last built). */
void native_build(struct http *h, struct http_xfer *x);
/* Send x's request (its pool slot is taken): on an idle kept-alive
 * connection to its origin unless it asks for a fresh one, else on a new
 * one. The result comes through h->done. */
void native_go(struct http *h, struct http_xfer *x);
/* Report the failures met while transfers started (native.c's idle
 * handle calls it on the loop's next iteration). Returns 1 if there were
 * any. */
int native_check(struct http *h);
/* x is over before its response (a timeout, a cancel): its connection is
 * closed. */
void native_abort(struct http *h, struct http_xfer *x);
/* Close every connection (http_free). */
void native_free(struct http *h);

#endif
