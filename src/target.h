/* target.h — the built-in HTTP/1.1 target server (libuv): used by tests, by
 * the demo, and by users who want a sandbox. Routes:
 *   /up            200 "ok"
 *   /status/NNN    that status, small body
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
 * Keep-alive per HTTP/1.1. --latency adds a delay to every reply; --capacity
 * N caps concurrent in-progress requests: a new connection accepted while N
 * requests are in progress is reset at once (SO_LINGER 0), the overload
 * signature of ../shared/seed-report.md. */
#ifndef LOADTOP_TARGET_H
#define LOADTOP_TARGET_H

#include <stdint.h>

struct target_opts {
    const char *listen;   /* "ADDR:PORT", default "127.0.0.1:8080"; port 0 = any free port */
    int capacity;         /* 0 = unlimited */
    int latency_ms;       /* added to every reply */
    int quiet;            /* no start-up line */
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
