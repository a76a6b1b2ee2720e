/* http.h — the seam between libcurl's multi socket interface and libuv, in
 * the spirit of curl's multi-uv example with its known costs removed:
 *  - a socket's uv_poll stays armed across CURL_POLL_REMOVE (libcurl wants
 *    a kept-alive socket again a moment later); it is stopped lazily if an
 *    unwanted event fires, and for real only when libcurl closes the socket
 *    (CURLOPT_CLOSESOCKETFUNCTION); it is re-armed only when the mask changes;
 *  - after (re)adding transfers, libcurl is kicked with CURL_SOCKET_TIMEOUT
 *    at once (outside its callbacks) instead of waiting a 1 ms timer;
 *  - curl_multi_info_read is drained after every socket action;
 *  - CURLINFO_OS_ERRNO is read only for the codes where 7.88 sets it;
 *  - a socket libcurl drops before it ever waited to read (a connect
 *    attempt) is forgotten at once: 7.88 closes such sockets without the
 *    close-socket callback, and a poll left on a closed fd makes libuv abort;
 *  - with a pool, transfers past the pool's size wait in a FIFO of our own:
 *    libcurl's pending list costs O(n) per removal (a timeout storm was
 *    O(n^2) and never ended);
 *  - only http:// and https:// are spoken, redirects included.
 * Engine thread only. Easy handles are long-lived and recycled. */
#ifndef LOADTOP_HTTP_H
#define LOADTOP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct http;
struct http_xfer;

/* The outcome of one transfer, handed to the done callback. */
struct http_result {
    int curl_code;       /* 0 = a response arrived */
    int os_errno;        /* valid for connect/send/recv/timeout failures, else 0 */
    const char *detail;  /* libcurl's message for a failure ("" if none); valid during
                            the callback only */
    int too_large;       /* the body passed http_opts.max_body: the transfer was cut */
    int status;          /* HTTP status, 0 if none */
    int http_version;    /* of the response: 10, 11, 20, 30; 0 if none */
    int64_t response_us; /* request written -> first byte */
    int64_t total_us;    /* transfer start (incl. connect) -> last byte */
    uint64_t bytes;      /* body bytes received */
    /* With http_request.keep_response: the final response's header lines
     * ("Name: value\r\n"..., after the status line) and its body (decoded
     * when gzip was asked), NUL-terminated; valid during the callback only. */
    const char *headers;
    size_t headers_len;
    const char *body;
    size_t body_len;
    int native; /* carried by the native transport (native.h), not libcurl */
};

typedef void (*http_done_fn)(struct http_xfer *x, const struct http_result *r, void *ud);

/* One request as the VU layer describes it. Strings are borrowed and must
 * stay valid until the done callback (the plan's prepared requests do). */
struct http_request {
    const char *method; /* "GET", "HEAD", "POST", ... */
    const char *url;
    void *headers;    /* struct curl_slist * prepared by http_headers(), or NULL */
    const char *body; /* NULL = none */
    size_t body_len;
    int fresh_connect;              /* open a new connection (a VU's first request) */
    int forbid_reuse;               /* close the connection after (a VU's last request) */
    int keep_response;              /* collect the headers and body for the done callback */
    int cookies;                    /* keep a cookie jar on this handle (libcurl's cookie engine) */
    int new_session;                /* a new VU: empty the handle's cookie jar first */
    const char *const *set_cookies; /* "name=value" cookies to put in the jar for the URL's host */
    int nset_cookies;
    int no_redirect; /* do not follow redirects (followed by default) */
    int gzip;        /* ask for a compressed response (Accept-Encoding) and decode it */
    int stable;      /* url, headers and body are the run's own, unchanged until its end
                        (nothing templated): the native transport parses and builds once */
};

struct http_opts {
    int64_t timeout_us;     /* whole-request timeout */
    int pool;               /* > 0: at most this many transfers at once; the others wait in
                               http.c's own FIFO (never in libcurl's pending list) */
    int maxconnects;        /* connection cache size */
    int insecure;           /* skip TLS peer/host verification */
    const char *tls_ca;     /* CA bundle (PEM) to verify servers with, or NULL: the system's */
    const char *tls_cert;   /* client certificate (PEM), or NULL */
    const char *tls_key;    /* its private key (PEM) */
    int http_version;       /* enum http_version (plan.h): 1.1, h2 over TLS, h2c */
    const char *user_agent; /* default User-Agent (a request's own header wins); NULL = none */
    uint64_t max_body;      /* cut a response past this many body bytes (0 = no limit) */
    uint64_t kept_max;      /* keep_response: headers and body are kept up to this many bytes
                               each (0 = 1 MiB); larger buffers are released after use */
    int transport;          /* enum transport (plan.h): native where it fits, or libcurl */
};

/* curl_global_init; once per process, before any thread starts. */
void http_global_init(void);

/* Create the multi handle on `loop`. */
struct http *http_new(uv_loop_t *loop, const struct http_opts *o, http_done_fn done);
/* Remove every transfer, close every socket and handle; runs no callbacks.
 * Call before closing the loop; the loop must run once more to close handles. */
void http_free(struct http *h);

/* Build a header list (curl_slist) from "Name: value" lines; `extra` may add
 * one more line (NULL for none). Free with http_headers_free(). */
void *http_headers(const char *const *lines, int n, const char *extra);
void http_headers_free(void *slist);

/* Start a transfer. `x` is a recycled handle from an earlier call (its
 * previous transfer must be done) or NULL for a new one; returns the handle
 * in use. `ud` is passed to the done callback. The transfer starts at once
 * (see http_flush), or, with a pool whose slots are all taken, waits in
 * FIFO order for one; its timeout runs from this call either way. */
struct http_xfer *http_start(struct http *h, struct http_xfer *x, const struct http_request *r,
                             void *ud);
/* Start the same request again on `x` (closed model: nothing changes). */
void http_restart(struct http *h, struct http_xfer *x, void *ud);
/* Return a finished handle to the free pool (its easy handle is kept). */
void http_release(struct http *h, struct http_xfer *x);
/* Abort a running or waiting transfer without calling its done callback.
 * Returns 1 if one was running, 0 if `x` was idle. O(1) (no libcurl pending
 * list is ever searched). */
int http_cancel(struct http *h, struct http_xfer *x);

/* Kick libcurl for transfers added since the last kick. Call after a batch
 * of http_start/http_restart made outside libcurl callbacks. */
void http_flush(struct http *h);

/* Transfers started and not done: running in libcurl or waiting for a
 * pool slot. */
int http_inflight(const struct http *h);
/* Of those, the ones waiting for a pool slot (always 0 without a pool). */
int http_waiting(const struct http *h);

#endif
