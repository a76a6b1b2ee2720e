/* listen.h — `--listen ADDR:PORT`: a run observed and steered from
 * outside, on the built-in target's server (its own thread; llhttp parses
 * the requests; the connection caps and timeouts of `loadtop target`):
 *   GET  /metrics   Prometheus text exposition (version 0.0.4): loadtop_*
 *                   counters with _total, gauges, and a classic histogram
 *                   of request duration in seconds; labels bounded (endpoint
 *                   name, status code, error name, phase), never raw URLs
 *   GET  /snapshot  the report of the run so far (JSON: what merge reads)
 *   POST /control   {"command": "pause" | "resume" | "skip" | "stop" |
 *                   "abort" | "plan" | "rate" | "multiplier" | "scale",
 *                   "value": N} with "Authorization: Bearer TOKEN",
 *                   TOKEN from --control-token-file; 401 without it, 403
 *                   when no token file was given
 * The handler reads snapshots and sends commands (engine.h), as the
 * dashboard does. */
#ifndef LOADTOP_LISTEN_H
#define LOADTOP_LISTEN_H

#include <stddef.h>
#include <stdint.h>

struct engine;
struct listener;

/* Start serving on `addr` ("ADDR:PORT"; port 0 = any), before the run
 * starts, so that a bad address is refused first (requests get 503 until
 * listener_attach). `token_file`: the control token's file, or NULL
 * (control refused). NULL with a message on stderr when the address cannot
 * be listened on or the token file is not readable, empty or over 4 KiB.
 * *port receives the bound port. */
struct listener *listener_start(const char *addr, const char *token_file, int *port);
/* Serve run `e` from now on (any thread). */
void listener_attach(struct listener *l, struct engine *e);
/* The run is over: if anything read /snapshot during it (loadtop watch),
 * keep serving until it has read the final one, for at most max_us, so
 * that the watcher sees the end. Returns at once otherwise. */
void listener_linger(struct listener *l, int64_t max_us);
/* Stop serving and free. Safe on NULL. */
void listener_stop(struct listener *l);

/* The token in `path` (trailing newlines and spaces cut; at most 4 KiB, not
 * empty), or NULL after "loadtop: --control-token-file PATH: why" on
 * stderr. Heap. */
char *listen_read_token(const char *path);

/* The /metrics text for `e` (heap; pure over what the engine publishes). */
char *listen_metrics(struct engine *e);

#endif
