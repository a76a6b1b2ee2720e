/* worker_int.h — a worker: one thread's share of the run (worker.c), and
 * what runs on it: the compiled VU programs and the VU state machine
 * (vu*.c). Each worker has its own libuv loop (worker 0 shares the run's
 * own thread and loop), its own libcurl multi handle, its own VUs and its
 * own stats part; it starts the arrivals dealt to it (arrival k of the
 * schedule goes to worker k mod N) and hands what it measured to the
 * run's merge every tick. Workers share nothing on the hot path but a few
 * atomics of the run (struct engine_shared). Private to src/engine/. */
#ifndef LOADTOP_WORKER_INT_H
#define LOADTOP_WORKER_INT_H

#include <stdatomic.h>

#include <jansson.h>
#include <uv.h>

#include "engine.h"
#include "hostmon.h"
#include "http.h"
#include "csv.h"
#include "schedule.h"
#include "template.h"
#include "stats.h"

/* A scenario's flow compiled to a flat program (loops become jumps). */
enum op_kind { OP_REQ, OP_THINK, OP_LOOP, OP_END_LOOP, OP_LOG, OP_FUNC, OP_END };
struct op {
    enum op_kind kind;
    int req;                 /* OP_REQ: index into engine.reqs */
    int64_t think_us;        /* OP_THINK */
    int64_t count;           /* OP_LOOP: iterations; -1 = decided per VU (over, templates) */
    int jump;                /* OP_LOOP: index of its OP_END_LOOP; OP_END_LOOP: of its OP_LOOP */
    int body_has_req;        /* OP_LOOP / OP_END_LOOP: the body sends a request */
    const struct step *step; /* the plan's step (templates, loop lists, log text) */
};
struct prog {
    struct op *ops;
    int nops;
    int vars; /* its VUs need variables (templates, captures, conditions, ...) */
    int jar;  /* its VUs keep cookies (more than one request, or cookie options) */
};

/* A request ready to send: strings prepared once at start. Requests with
 * templates (`render`) are built per VU from their step instead, and those
 * with captures or expectations (`keep`) get their response back. The
 * plain ones keep the fast path: nothing is built per request. */
struct reqtpl {
    const char *method;
    char *url;
    char *body;
    size_t body_len;
    void *headers; /* curl_slist */
    int endpoint;
    const struct step *step;
    int render;       /* url, headers, body or cookies hold templates */
    int keep;         /* captures, or expectations with the plugin on */
    int cond;         /* ifTrue or probability */
    void *regex;      /* struct regexp * per capture (regexp.h), compiled once; NULL: none */
    int *exp_counter; /* per expectation: counter indexes of .ok.<type>, .failed.<type> */
};

#define VU_MAX_DEPTH PLAN_MAX_LOOP_DEPTH /* scripts are refused past it */

struct loop_state {
    int64_t i, to;      /* the loop value, and where it stops */
    const json_t *over; /* the list looped over, or NULL */
};

enum vu_hook { HOOK_NONE, HOOK_BEFORE, HOOK_AFTER };

/* Why an arrival was skipped: each has a counter loadtop.skipped.<cause>
 * (their sum is vusers.skipped) and a line in the event log every second
 * it happens. */
enum skip_cause {
    SKIP_MAX_VUSERS, /* the phase's maxVusers */
    SKIP_VU_LIMIT,   /* engine_opts.max_vus, or the fd limit */
    SKIP_POOL_FULL,  /* the pool's wait queue is full */
    SKIP_LATE,       /* more than ENGINE_LATE_US behind schedule: the engine cannot keep up */
    SKIP_N
};

struct vu {
    struct worker *w;
    int scenario, phase, pc, depth;
    struct loop_state loops[VU_MAX_DEPTH];
    int64_t intended_us, start_us; /* arrival's intended and actual start */
    int64_t req_intended_us;       /* the request's intended start */
    int nreqs;                     /* requests sent so far */
    int closed;                    /* closed-model worker */
    int thinking;
    enum vu_hook hook; /* before/after: run once, not counted */
    /* The VU's own random stream (scenario, variables, payload rows,
     * jitter, probability, template functions), seeded from the run's seed
     * and the arrival's index: the same arrival makes the same choices
     * whichever worker thread or shard runs it. */
    uint64_t rng;
    const struct prog *prog;
    json_t *vars; /* the VU's variables; NULL when its flow needs none */
    char uuid[37];
    struct vu_req *req; /* the rendered request in flight, or NULL */
    struct http_xfer *x;
    uv_timer_t think;
    struct vu *prev, *next; /* active list / free list */
};

/* What every worker shares, owned by the run (struct engine): the bounds
 * that are the run's, not a worker's, kept exact with atomics. */
struct engine_shared {
    _Atomic uint64_t active;           /* VUs active in all workers (maxVusers, --max-vusers) */
    uint64_t max_active;               /* the VU bound of the whole run */
    _Atomic int64_t closed_started;    /* closed model: requests claimed (-n) */
    int64_t max_requests;              /* -n, this process's share of it; 0 = none */
    _Atomic uint64_t skip_sec[SKIP_N]; /* arrivals skipped this second, by cause */
    uint64_t seed;                     /* the run's: LOADTOP_SEED, else the clock */
    struct payload_cursor *cursors;    /* [npayloads]: one sequence for the run */
    _Atomic uint64_t hooks_seeded;     /* before/after VUs started (their streams' index) */
};

/* An arrival dealt to a worker: the schedule's index, phase, intended time. */
struct arrival {
    uint64_t k;
    int64_t intended;
    int phase;
};
/* Arrivals waiting for a helper worker (a power of 2): one producer (the
 * run's thread), one consumer (the worker). Past it an arrival is skipped
 * as late: the worker cannot keep up. */
#define WORKER_RING 16384
struct ring {
    _Atomic uint64_t head, tail; /* head: next to write; tail: next to read */
    struct arrival a[WORKER_RING];
};

/* What the run tells a helper worker (worker 0 is told directly). */
enum wmsg_kind {
    W_START,  /* the phases start at `t` (absolute µs) */
    W_TICK,   /* the run's tick at `t` (µs since the start): close, flush */
    W_CLOSED, /* start `n` closed-model VUs */
    W_STATE,  /* paused / stopping / interrupted, as in the message */
    W_ABORT,  /* end every active VU now (ERR_INTERRUPTED) */
    W_FINISH, /* the run ends at `t`: close seconds and intervals, flush, stop */
};
struct wmsg {
    enum wmsg_kind kind;
    int64_t t;
    int n;
    int paused, stopping, interrupted;
};

/* What a worker shows the run, refreshed every tick (under the worker's lock). */
struct worker_status {
    uint64_t inflight, waiting; /* its transfers, and those waiting for a connection */
    int flushed_seconds;        /* seconds (and intervals) of the run it has handed over */
    int flushed_intervals;
    double cpu_pct;     /* its thread's CPU over the last second, % of a core */
    int64_t lag_p99_us; /* schedule lag p99 of its open interval */
    int finished;       /* W_FINISH done: all of it is in the merge */
};

struct engine;

struct worker {
    struct engine *e; /* the run: its merge (engine_merge_lock), its wake-up */
    struct engine_shared *sh;
    int id, n; /* worker id of n */
    const struct plan *plan;
    uv_loop_t *loop; /* worker 0: the run's loop; else own_loop */
    struct http *http;
    struct stats st;                  /* this worker's part, handed over every tick */
    struct prog *progs;               /* [nscenarios] */
    struct prog hook_prog[3];         /* [HOOK_BEFORE], [HOOK_AFTER] */
    json_t *shared;                   /* variables captured by `before`, seen by every VU */
    json_t **payload_all;             /* [npayloads]: loadAll rows (objects when fields), or NULL */
    int c_expect_ok, c_expect_failed; /* named counter indexes */
    int c_skip[SKIP_N];       /* loadtop.skipped.<cause>, interned at first use (-1 before) */
    uint64_t queue_max;       /* pool mode: requests that may wait for a connection */
    uint32_t err_noted;       /* error indexes whose first cause is in the event log */
    int c_version[4];         /* http.version.1.0, 1.1, 2, 3: interned at first use (-1) */
    int c_transport[2];       /* loadtop.transport.curl, .native: likewise */
    const char **secrets;     /* names captures store into (borrowed from the plan): */
    int nsecrets;             /* their values never reach the event log */
    struct vu *hook;          /* the before/after VU running (worker 0 only), or NULL */
    int64_t note_sec;         /* log/expect events: the second counted ... */
    int note_n, note_dropped; /* ... events in it, and those left out */
    struct reqtpl *reqs;
    int nreqs;
    int total_weight;
    uint64_t active; /* this worker's active VUs */
    struct vu *active_list, *free_vus;
    int closed_parked;                 /* closed model: VUs that ended while paused */
    int paused, stopping, interrupted; /* the run's state, as this worker acts on it */
    int64_t t0;                        /* the phases' start (absolute µs); 0 before */
    int64_t next_sec_us, next_interval_us, interval_us;
    /* helpers (id > 0) only */
    uv_loop_t own_loop;
    uv_thread_t thread;
    uv_async_t async; /* wakes it: messages or arrivals */
    uv_idle_t more;   /* arrivals left when the budget ran out */
    struct ring *ring;
    uv_mutex_t lock; /* msgs and status */
    struct wmsg *msgs;
    int nmsgs, capmsgs;
    struct worker_status status;
    int64_t cpu_prev_us, cpu_prev_at;
    int reserved; /* vu_arrival took the VU's slot in sh->active */
    int closing;  /* W_FINISH: handles being closed */
};

/* vu_compile.c */
/* Compile the plan's scenarios and requests into e->progs / e->reqs. */
void vu_prepare(struct worker *w);
void vu_unprepare(struct worker *w);

/* vu_request.c */
/* A request built for one VU; freed when its transfer is done. */
struct vu_req {
    char *url;
    char *body;
    size_t body_len;
    void *headers;
};
/* The template context of VU `v` (its variables, the environment, the
 * engine's rng, its $uuid). */
void vu_tpl_ctx(struct vu *v, struct tpl_ctx *tc);
/* `s` rendered with `tc` (NULL: as written), a heap string; with
 * `too_big`, a rendering past TPL_MAX_OUTPUT sets it. */
char *vu_render(const char *s, const struct tpl_ctx *tc, int *too_big);
/* Build step `s` rendered with `tc`, or as written when tc is NULL (steps
 * without templates). Returns 0, or -1 when the url is not http(s);
 * *too_big as for vu_render (may be NULL). */
int vu_build(const struct plan *p, const struct step *s, const struct tpl_ctx *tc,
             struct vu_req *out, int *too_big);
/* Free a vu_build() result and the struct (NULL is fine). */
void vu_req_free(struct vu_req *q);
/* The variables of a new VU, as Artillery's createContext: built-ins, then
 * `before`'s captures, then a payload row, then config.variables (a list
 * gives one element), and its $uuid; drawn from the VU's own stream. */
void vu_init_vars(struct worker *w, struct vu *v);

/* vu_response.c */
/* Captures, then expectations, on the kept response `r` of request `t`.
 * Returns 0, or -1 with the error that fails the VU in *why. */
int vu_after_response(struct vu *v, const struct reqtpl *t, const struct http_result *r,
                      const char **why);
/* An event from VU `v` (a log step, a failed expectation) with every value
 * a capture stored replaced by [redacted]. */
void vu_note(struct vu *v, const char *kind, const char *text);
/* http.version.<v> for a response carried by HTTP `version` (10, 11, 20, 30). */
void vu_count_version(struct worker *w, int phase, int ep, int version);
/* loadtop.transport.native or .curl: which transport carried a request. */
void vu_count_transport(struct worker *w, int phase, int ep, int native);
/* A failed request of `t`: error `err`, the bytes that did arrive, and the
 * first time a name is seen, libcurl's own words for it in the event log. */
void vu_count_error(struct worker *w, int phase, const struct reqtpl *t, const char *err,
                    const struct http_result *r);

/* vu.c: the VU state machine */
/* Is `v` counted in the run's metrics (not a before/after hook)? */
static inline int vu_counted(const struct vu *v)
{
    return v->hook == HOOK_NONE;
}
/* Start a VU for arrival `k` (the schedule's index) of `phase`, intended
 * at `intended` (or count it skipped, and why). */
void vu_arrival(struct worker *w, uint64_t k, int phase, int64_t intended, int64_t now);
/* Start n of the closed model's workers (fewer once -n is reached). */
void vu_start_closed(struct worker *w, int n);
/* End every active VU now (counted as failed: errors.ERR_INTERRUPTED). */
void vu_abort_all(struct worker *w);
/* Free pooled VUs (their timers must be closed: runs uv_close). */
void vu_free_pool(struct worker *w);
/* Run the plan's before (HOOK_BEFORE) or after flow; engine_hook_done()
 * is called when it ends. */
void vu_start_hook(struct worker *w, enum vu_hook which);
/* Cancel a running hook: it ends as failed (engine_hook_done is called). */
void vu_abort_hook(struct worker *w);
/* http.c's done callback. */
void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud);

/* worker.c */
/* A worker `id` of `n` for the run `e` (worker 0 runs on `loop`, the
 * run's; a helper makes its own, started by worker_start). NULL with a
 * message if libcurl cannot start. */
struct worker *worker_new(struct engine *e, struct engine_shared *sh, const struct plan *plan,
                          int id, int n, uv_loop_t *loop, int64_t interval_us,
                          const struct http_opts *ho);
/* Start a helper's thread. 0, or -1. */
int worker_start(struct worker *w);
/* Free a worker whose loop has ended (worker 0: after the run's loop). */
void worker_free(struct worker *w);
/* Tell helper w (thread-safe); worker 0 is told with worker_do. */
void worker_send(struct worker *w, const struct wmsg *m);
/* Carry out message m on w's own thread. */
void worker_do(struct worker *w, const struct wmsg *m);
/* At the run's time t (µs since the start), on w's thread: when a new
 * second has begun, say how many log/expect lines the last one left out. */
void worker_note_roll(struct worker *w, int64_t t);
/* Helper w has started (or dropped) every arrival dealt to it. Any thread. */
int worker_ring_empty(struct worker *w);
/* Deal arrival `a` to helper w: 0, or -1 when its ring is full. */
int worker_push(struct worker *w, const struct arrival *a);
/* Wake helper w after pushes (sends coalesce). */
void worker_wake(struct worker *w);
/* Start arrival `a` on w now (the run's thread for worker 0, else the
 * worker's): the VU, or a skip and why. */
void worker_arrival(struct worker *w, const struct arrival *a, int64_t now);
/* Close the seconds and intervals of w's part that ended by `rel` (µs since
 * the phases' start), as the run's clock closes them. */
void worker_close_periods(struct worker *w, int64_t rel);
/* Hand what w's part recorded since the last time to the run's merge
 * (`block`: wait for the merge's lock, else skip this time if it is busy). */
void worker_flush(struct worker *w, int block);
/* Count an arrival of `phase` that is not started, and why. */
void worker_skip(struct worker *w, int phase, enum skip_cause why);
/* A "log" or "expect" event, at most 10 a second (the rest are counted and
 * reported in one line). */
void worker_note(struct worker *w, const char *kind, const char *text);
/* The start of the random stream of arrival `k` of a run seeded `seed`
 * (splitmix64 of both: never 0). */
uint64_t engine_stream(uint64_t seed, uint64_t k);
/* Time since the phases' start. */
static inline int64_t worker_rel(const struct worker *w, int64_t t)
{
    return t - w->t0;
}

/* engine.c, for the workers */
/* Called by vu.c when a hook's flow ends on worker 0; `why` says why it
 * failed (NULL = ok). */
void engine_hook_done(struct engine *e, int which, const char *why);
/* A worker's last active VU ended while the run stops. Thread-safe. */
void engine_worker_idle(struct engine *e);

#endif
