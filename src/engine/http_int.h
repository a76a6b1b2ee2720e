/* http_int.h — private to http.c and http_xfer.c: the multi handle's
 * state and a transfer's. Engine thread only; nothing else includes it. */
#ifndef LOADTOP_HTTP_INT_H
#define LOADTOP_HTTP_INT_H

#include <sys/socket.h>

#include <curl/curl.h>

#include "cookies.h"
#include "http.h"
#include "plan.h"
#include "util.h"

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
    int open_errno; /* socket() failed in on_open_socket (EMFILE, ...) */
    int too_large;  /* on_write cut the body at http_opts.max_body */
    /* the whole-request deadline (see struct http's deadline list) */
    uint64_t due_ms;
    struct http_xfer *due_prev, *due_next;
    struct http_xfer *wait_prev, *wait_next; /* the pool's wait FIFO */
    /* options as last set on the easy handle: changed only when they differ */
    int keep, jar, no_redirect, gzip;
    struct buf body, hdrs; /* kept response (keep) */
    struct http_xfer *next_free;
    char errbuf[CURL_ERROR_SIZE];
    /* the native transport (native.c) */
    int native;                   /* this transfer goes native */
    int began_native;             /* http_start chose native (a redirect then hands a hop
                                     to libcurl; a restart begins native again) */
    struct nconn *conn;           /* its connection while it runs */
    struct http_request req;      /* the request (its strings borrowed) */
    const char *parsed_url;       /* the URL addr/origin/path were parsed from */
    struct sockaddr_storage addr; /* the origin's address */
    char origin[80];              /* the Host header: HOST, and :PORT unless 80 */
    char host[64];                /* HOST alone */
    char cookie_host[64];         /* whose cookies: a Host header's name, else host (libcurl's);
                                     set by native_build for a request with cookies */
    struct jar cookies;           /* the VU's cookies, while it goes native (cookies.h) */
    struct buf target;            /* the request target: path and query */
    struct buf out;               /* the request's bytes */
    const void *out_url, *out_headers, *out_body, *out_method; /* what `out` was built from */
    int out_close;                                             /* ... with Connection: close */
    size_t out_body_len;
    char *redirect_url; /* a Location handed to libcurl */
    int64_t extra_us;   /* time spent natively before libcurl followed a redirect */
    int retried;        /* sent again after a kept-alive connection closed */
    int64_t conn_t0;    /* the transfer's start (its pool slot taken) */
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
    uv_idle_t deadline_more; /* expiries left over by on_deadline's budget */
    struct http_xfer *due_head, *due_tail;
    uint64_t timeout_ms;
    uv_check_t check; /* once per loop iteration: serve the kick */
    int closing;      /* handles still closing in http_free */
    http_done_fn done;
    struct http_opts o;
    uint64_t kept_max;
    int inflight; /* started and not done: added + waiting */
    int added;    /* in the multi handle */
    /* With a pool, transfers past its size wait here, oldest first; a slot
     * freed by a finished transfer goes to the head. Unlinking is O(1). */
    struct http_xfer *wait_head, *wait_tail;
    int nwaiting;
    int kick;      /* libcurl asked for an immediate timeout */
    int proxy_env; /* a *_proxy variable is set: let libcurl use it */
    char user_agent[64];
    struct sockctx **socks; /* by fd */
    int nsocks;
    struct http_xfer *free_list;
    struct http_xfer **all;
    int nall;
    struct native *nat; /* the native transport's connections (native.c); NULL until used */
};

/* Does r send a body (a body given, or POST, PUT, PATCH without one)? */
int http_sends_body(const struct http_request *r);
/* Set x's easy handle for request r (libcurl carries it); makes the
 * handle the first time. -1 when libcurl cannot make one. */
int http_curl_prepare(struct http *h, struct http_xfer *x, const struct http_request *r);
/* The VU's native cookie jar into x's libcurl handle, for the hops
 * libcurl follows from a native redirect; and, once they are done, the
 * handle's jar back as the native one (what the hops set or deleted). */
void http_curl_cookies_in(struct http_xfer *x);
void http_curl_cookies_out(struct http_xfer *x);

/* http.c: the sockets libcurl opens and closes, through us */
curl_socket_t http_on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a);
int http_on_close_socket(void *clientp, curl_socket_t fd);

/* http_xfer.c: where a transfer is */
/* Take x out of wherever it is (libcurl or the native transport, the wait
 * FIFO, the deadline list): its transfer is over. */
void http_detach(struct http *h, struct http_xfer *x);
/* Give free pool slots to the oldest waiting transfers. */
void http_pump(struct http *h);

#endif
