/* engine_int.h — private to the engine thread (engine.c, vu.c): the engine's
 * state, the compiled VU programs and the VU state machine. Nothing outside
 * the engine includes this. */
#ifndef LOADTOP_ENGINE_INT_H
#define LOADTOP_ENGINE_INT_H

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
    struct engine *e;
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

struct engine {
    const struct plan *plan;
    struct engine_opts o;
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t async;
    uv_timer_t arrival_timer, tick_timer;
    /* Arrivals left over when run_arrivals ran out of budget: an idle
     * handle, not a 0 ms timer, which libuv 1.44 would run again in the
     * same pass of its timers, never polling sockets in between. */
    uv_idle_t arrival_more;
    struct http *http;
    struct stats st;
    struct sched sched;
    struct hostmon hm;
    struct host_sample host;
    struct prog *progs;               /* [nscenarios] */
    struct prog hook_prog[3];         /* [HOOK_BEFORE], [HOOK_AFTER] */
    json_t *shared;                   /* variables captured by `before`, seen by every VU */
    struct payload_cursor *cursors;   /* [npayloads] */
    json_t **payload_all;             /* [npayloads]: loadAll rows (objects when fields), or NULL */
    int c_expect_ok, c_expect_failed; /* named counter indexes */
    int c_skip[SKIP_N];        /* loadtop.skipped.<cause>, interned at first use (-1 before) */
    uint64_t skip_sec[SKIP_N]; /* skipped in the open second, by cause */
    uint64_t queue_max;        /* pool mode: requests that may wait for a connection */
    uint32_t err_noted;        /* error indexes whose first cause is in the event log */
    int c_version[4];          /* http.version.1.0, 1.1, 2, 3: interned at first use (-1) */
    const char **secrets;      /* names captures store into (borrowed from the plan): */
    int nsecrets;              /* their values never reach the event log */
    struct vu *hook;           /* the before/after VU running, or NULL */
    struct lifecycle lc;       /* BEFORE ... DONE, and why it ended */
    int64_t note_sec;          /* log/expect events: the second counted ... */
    int note_n, note_dropped;  /* ... events in it, and those left out */
    struct reqtpl *reqs;
    int nreqs;
    int total_weight;
    uint64_t seed;          /* the run's: LOADTOP_SEED, else the clock */
    uint64_t arrivals;      /* arrivals taken from the schedule so far: the next one's index */
    uint64_t hooks_seeded;  /* before/after VUs started (their streams' index) */
    int64_t drain_deadline; /* absolute µs; 0 = not draining yet */
    int64_t t0, start_wall, end_us;
    uint64_t active;
    uint64_t max_active;
    struct vu *active_list, *free_vus;
    int64_t next_sec_us, next_interval_us;
    double sec_target; /* the open second's planned rate, sampled at its start */
    int sec_phase;
    int last_phase;
    int64_t closed_started; /* closed model: requests started */
    int closed_parked;      /* closed model: workers that ended while paused */
    /* command queue (any thread -> engine) */
    uv_mutex_t qlock;
    struct engine_cmd *q;
    int qn, qcap;
    /* published snapshot (engine -> any thread) */
    uv_mutex_t slock;
    struct snapshot *pub, *build;
    struct snapshot *spare;      /* third buffer: a held publication lives on here */
    const struct snapshot *held; /* what engine_snapshot_hold() last handed out */
    int sum_seconds;             /* closed seconds when whole-run summaries were last computed */
    json_t *report;              /* the mailbox: a report asked by CMD_REPORT, or NULL */
    char report_tag[256];
    int done;
};

/* vu_compile.c */
/* Compile the plan's scenarios and requests into e->progs / e->reqs. */
void vu_prepare(struct engine *e);
void vu_unprepare(struct engine *e);

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
void vu_init_vars(struct engine *e, struct vu *v);

/* vu_response.c */
/* Captures, then expectations, on the kept response `r` of request `t`.
 * Returns 0, or -1 with the error that fails the VU in *why. */
int vu_after_response(struct vu *v, const struct reqtpl *t, const struct http_result *r,
                      const char **why);
/* An event from VU `v` (a log step, a failed expectation) with every value
 * a capture stored replaced by [redacted]. */
void vu_note(struct vu *v, const char *kind, const char *text);
/* http.version.<v> for a response carried by HTTP `version` (10, 11, 20, 30). */
void vu_count_version(struct engine *e, int phase, int ep, int version);
/* A failed request of `t`: error `err`, the bytes that did arrive, and the
 * first time a name is seen, libcurl's own words for it in the event log. */
void vu_count_error(struct engine *e, int phase, const struct reqtpl *t, const char *err,
                    const struct http_result *r);

/* vu.c: the VU state machine */
/* Is `v` counted in the run's metrics (not a before/after hook)? */
static inline int vu_counted(const struct vu *v)
{
    return v->hook == HOOK_NONE;
}
/* Start a VU for arrival `k` (the schedule's index) of `phase`, intended
 * at `intended` (or count it skipped, and why). */
void vu_arrival(struct engine *e, uint64_t k, int phase, int64_t intended, int64_t now);
/* Start n of the closed model's workers (fewer once -n is reached). */
void vu_start_closed(struct engine *e, int n);
/* End every active VU now (counted as failed: errors.ERR_INTERRUPTED). */
void vu_abort_all(struct engine *e);
/* Free pooled VUs (their timers must be closed: runs uv_close). */
void vu_free_pool(struct engine *e);
/* Run the plan's before (HOOK_BEFORE) or after flow; engine_hook_done()
 * is called when it ends. */
void vu_start_hook(struct engine *e, enum vu_hook which);
/* Cancel a running hook: it ends as failed (engine_hook_done is called). */
void vu_abort_hook(struct engine *e);
/* http.c's done callback. */
void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud);

/* engine.c: the loop */
/* Time since the run's start (t0: the phases' start, after `before`). */
static inline int64_t engine_rel(const struct engine *e, int64_t t)
{
    return t - e->t0;
}
/* The phases run and no stop has come: arrivals start, controls steer. */
static inline int engine_steerable(const struct engine *e)
{
    return e->lc.state == RUN_RUNNING || e->lc.state == RUN_PAUSED;
}
/* Do what the lifecycle answered (LC_DO_* bits); `drain_us` bounds a drain
 * it begins, `why` says why in the event log. Never inside libcurl's
 * callbacks when `what` may finish the run or run `after`. */
void engine_act(struct engine *e, unsigned what, int64_t now, int64_t drain_us, const char *why);
/* Start every arrival that is due (bounded work; see engine.c). */
void engine_run_arrivals(struct engine *e);
/* Feed LC_DRAINED: no VU is left, or the drain bound passed. */
void engine_drained(struct engine *e);
/* Log the phases entered since the last call (the schedule moved on). */
void engine_note_phase_changes(struct engine *e, int64_t now);
/* Count an arrival of `phase` that is not started, and why. */
void engine_skip(struct engine *e, int phase, enum skip_cause why);
/* Called by vu.c when the last active VU ends while stopping. */
void engine_maybe_finish(struct engine *e);
/* Called by vu.c when a hook's flow ends; `why` says why it failed (NULL = ok). */
void engine_hook_done(struct engine *e, enum vu_hook which, const char *why);
/* A "log" or "expect" event, at most 10 a second (the rest are counted and
 * reported in one line). */
void engine_note(struct engine *e, const char *kind, const char *text);
/* The start of the random stream of arrival `k` of a run seeded `seed`
 * (splitmix64 of both: never 0). */
uint64_t engine_stream(uint64_t seed, uint64_t k);

/* engine_cmd.c: the command queue */
/* uv_async callback: drain the queue and carry out every command. */
void engine_on_async(uv_async_t *a);
/* LC_DO_PAUSE (pause = 1) or LC_DO_RESUME: the schedule's clock, parked
 * closed-model workers, the event. */
void engine_pause_run(struct engine *e, int64_t now, int pause);

/* engine_pub.c: snapshots and the report mailbox */
/* Fill `s` from the engine's state at `now` (a publication's next seq). */
void engine_fill_snapshot(struct engine *e, struct snapshot *s, int64_t now);
/* Publish a new snapshot (three buffers: see engine_snapshot_hold). */
void engine_publish(struct engine *e);
/* Build the report of the run so far into the mailbox, tagged `tag`. */
void engine_build_report(struct engine *e, const char *tag);

#endif
