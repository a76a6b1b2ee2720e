/* engine_int.h — private to the engine thread (engine.c, vu.c): the engine's
 * state, the compiled VU programs and the VU state machine. Nothing outside
 * the engine includes this. */
#ifndef LOADTOP_ENGINE_INT_H
#define LOADTOP_ENGINE_INT_H

#include <uv.h>

#include "engine.h"
#include "hostmon.h"
#include "http.h"
#include "schedule.h"
#include "stats.h"

/* A scenario's flow compiled to a flat program (loops become jumps). */
enum op_kind { OP_REQ, OP_THINK, OP_LOOP, OP_END_LOOP, OP_END };
struct op {
    enum op_kind kind;
    int req;            /* OP_REQ: index into engine.reqs */
    int64_t think_us;   /* OP_THINK */
    int64_t count;      /* OP_LOOP: iterations */
    int jump;           /* OP_LOOP: index of its OP_END_LOOP; OP_END_LOOP: of its OP_LOOP */
    int body_has_req;   /* OP_LOOP / OP_END_LOOP: the body sends a request */
};
struct prog {
    struct op *ops;
    int nops;
};

/* A request ready to send: strings prepared once at start. */
struct reqtpl {
    const char *method;
    char *url;
    char *body;
    size_t body_len;
    void *headers;      /* curl_slist */
    int endpoint;
};

#define VU_MAX_DEPTH 16

struct vu {
    struct engine *e;
    int scenario, phase, pc, depth;
    int64_t loops[VU_MAX_DEPTH];   /* iterations left per open loop */
    int64_t intended_us, start_us; /* arrival's intended and actual start */
    int64_t req_intended_us;       /* the request's intended start */
    int nreqs;                     /* requests sent so far */
    int closed;                    /* closed-model worker */
    int thinking;
    struct http_xfer *x;
    uv_timer_t think;
    struct vu *prev, *next;        /* active list / free list */
};

struct engine {
    const struct plan *plan;
    struct engine_opts o;
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t async;
    uv_timer_t arrival_timer, tick_timer;
    struct http *http;
    struct stats st;
    struct sched sched;
    struct hostmon hm;
    struct host_sample host;
    struct prog *progs;            /* [nscenarios] */
    struct reqtpl *reqs;
    int nreqs;
    int total_weight;
    uint64_t rng;
    enum engine_state state;
    int stopping, finished, interrupted;
    int64_t drain_deadline;        /* absolute µs; 0 = none */
    int64_t t0, start_wall, end_us;
    uint64_t active;
    uint64_t max_active;
    struct vu *active_list, *free_vus;
    int64_t next_sec_us, next_interval_us;
    int last_phase;
    int64_t closed_started;        /* closed model: requests started */
    /* command queue (any thread -> engine) */
    uv_mutex_t qlock;
    struct engine_cmd *q;
    int qn, qcap;
    /* published snapshot (engine -> any thread) */
    uv_mutex_t slock;
    struct snapshot *pub, *build;
    char *report;
    char report_tag[256];
    int done;
};

/* vu.c */
/* Compile the plan's scenarios and requests into e->progs / e->reqs. */
void vu_prepare(struct engine *e);
void vu_unprepare(struct engine *e);
/* Start a VU for an arrival of `phase` intended at `intended`. */
void vu_arrival(struct engine *e, int phase, int64_t intended, int64_t now);
/* Start the closed model's workers. */
void vu_start_closed(struct engine *e);
/* End every active VU now (counted as failed: errors.ERR_INTERRUPTED). */
void vu_abort_all(struct engine *e);
/* Free pooled VUs (their timers must be closed: runs uv_close). */
void vu_free_pool(struct engine *e);
/* http.c's done callback. */
void vu_on_done(struct http_xfer *x, const struct http_result *r, void *ud);

/* engine.c */
/* Called by vu.c when the last active VU ends while stopping. */
void engine_maybe_finish(struct engine *e);
/* xorshift64* */
uint64_t engine_rand(struct engine *e);

#endif
