/* target.h — the built-in HTTP/1.1 target server (libuv, one thread; requests
 * parsed by llhttp): used by tests, by the demo, and by users who want a
 * sandbox. Routes (HEAD works on all of them):
 *   /up            200 "ok"
 *   /status/NNN    that status (any of 100-999, e.g. 999 "Status"), small body
 *   /delay/MS      200 after MS milliseconds
 *   /reset         reads the request, then closes with RST (ECONNRESET)
 *   /close         closes with no reply
 *   /stall         never answers
 *   /drip/MS       200 whose body comes a byte every MS ms (10 bytes)
 *   /login         {"token": "tok-N", "user": the JSON body's "username"}
 *   /echo          the request as JSON: method, path, query, headers
 *                  (lower-cased names), body
 *   /json          a fixed nested JSON document
 *   /has/NAME      200 when the request has a header NAME, else 404
 *   /cookie/set?name=value   200 with Set-Cookie: name=value; Path=/
 *   /redirect?to=URL         302 to URL
 *   anything else  200 with a small JSON body
 * Fault routes, for clients' error paths (each closes the connection after):
 *   /malformed     "HTTP/1.1 abc Nope" status line
 *   /http09        a bare body, no status line (HTTP/0.9 style)
 *   /badchunk      chunked, with the chunk size line "zz"
 *   /closebody     Content-Length: 1000, 100 bytes of body, then the close
 * Generated replies, sent as the client reads (one 64 KiB piece queued at most):
 *   /bytes/N       200 with exactly N body bytes (N <= 2^40)
 *   /endless       200 whose chunked body never ends (HTTP/1.0: no length)
 *   /bigheader/KB  200 with an X-Big header of KB KiB (KB <= 1048576)
 *   /manyheaders/N 200 with N header lines X-Many-1 .. X-Many-N (N <= 1000000)
 * Keep-alive per HTTP/1.1, pipelining (replies in order), chunked request
 * bodies. A malformed request (conflicting Content-Length, Content-Length with
 * Transfer-Encoding, a bad request line...) gets 400 and the close; a head
 * over 8 KiB gets 431. A client that shuts down its side after a request still
 * gets the reply, then the close. --latency adds a delay to every reply;
 * --capacity N caps concurrent in-progress requests: a new connection
 * accepted while N requests are in progress is reset at once (SO_LINGER 0),
 * the overload signature of ../shared/seed-report.md. */
#ifndef LOADTOP_TARGET_H
#define LOADTOP_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* What an application's handler answers (struct target_opts.app). */
struct target_reply {
    int status;       /* 200, 401, ... */
    const char *type; /* Content-Type */
    char *body;       /* heap; the target frees it */
    size_t len;
};

/* Zero fields take the defaults. */
struct target_opts {
    const char *listen;    /* "ADDR:PORT", default "127.0.0.1:8080"; port 0 = any free
                              port; ":PORT" is loopback too, all interfaces is 0.0.0.0 */
    int capacity;          /* 0 = unlimited */
    int latency_ms;        /* added to every reply */
    int header_timeout_ms; /* a request's head must be complete this long after the
                              connection or its first byte, else the connection
                              closes; default 10 000 */
    int idle_timeout_ms;   /* a connection with no request (or no body byte) for this
                              long closes; default 60 000 */
    int max_conns;         /* open connections; past it new ones are closed at once;
                              default 10 000 */
    int quiet;             /* no start-up line */
    /* An application in place of the test routes (loadtop --listen): each
     * request, collected as /echo collects it ({"method", "path", "query",
     * "headers": {lower-case name: value}, "body"}, bodies to 64 KiB), is
     * handed to app() on the target's thread, which fills the reply. */
    void (*app)(void *ctx, const json_t *request, struct target_reply *reply);
    void *app_ctx;
};

struct target;

/* Run the target in the calling thread until SIGINT/SIGTERM; prints
 * "loadtop target listening on http://ADDR:PORT" unless quiet. Returns an
 * exit code (0, or 3 when it cannot listen, with a message on stderr). */
int target_main(const struct target_opts *o);

/* Start the target on its own thread (for --demo). Returns NULL with a
 * message on stderr if it cannot listen. *port receives the bound port. */
struct target *target_start(const struct target_opts *o, int *port);
/* Stop the thread started by target_start, close everything, free it. */
void target_stop(struct target *t);

#endif
