/* engine.h — the load engine: its own thread running a libuv loop that drives
 * libcurl's multi socket interface. It follows the schedule, runs virtual
 * users, records stats, and every tick publishes a snapshot of plain values.
 * Other threads talk to it only through engine_send() (a mutex-guarded queue
 * + uv_async_send) and read it only through engine_snapshot() (a copy made
 * under a mutex) or engine_snapshot_hold() (a publication the engine will
 * not reuse while it is held). Only engine.c, vu.c and http.c include uv.h
 * / curl.h. */
#ifndef LOADTOP_ENGINE_H
#define LOADTOP_ENGINE_H

#include <stdint.h>

#include <jansson.h>

#include "checks.h"
#include "hostmon.h"
#include "lifecycle.h"
#include "plan.h"
#include "stats.h"

enum cmd_kind {
    CMD_PAUSE,
    CMD_RESUME,
    CMD_TOGGLE_PAUSE,
    CMD_SKIP,   /* end the current phase now */
    CMD_MULT,   /* set the rate multiplier to value (1.0: the plan; clears an exact rate) */
    CMD_SCALE,  /* multiply the multiplier (or the exact rate in force) by value */
    CMD_RATE,   /* arrivals at exactly value/s in every phase from now on, until CMD_MULT */
    CMD_STOP,   /* stop arrivals, drain active VUs (bounded by value seconds if > 0,
                   else by engine_opts.drain_us), finish */
    CMD_ABORT,  /* stop now: active VUs are counted as they are */
    CMD_REPORT, /* build a report of the run so far (engine_take_report) */
    CMD_NOTE,   /* record tag as a "warning" event */
};

struct engine_cmd {
    enum cmd_kind kind;
    double value;
    char tag[256]; /* CMD_REPORT: an opaque name handed back with the report; CMD_NOTE: text */
};

#define SNAP_SECONDS                                                                               \
    120 /* timeline seconds copied into a snapshot (2 min: the charts' span; copied 10 times a     \
           second) */
#define SNAP_EVENTS 12
#define SNAP_ENDPOINTS 32
#define SNAP_PHASES 64
#define SNAP_WORKERS 64 /* workers shown one by one; the rest only in the sums */
#define SNAP_SHARDS 64  /* loadtop watch: shards watched at most */

/* One worker thread as the run saw it at its last hand-over. */
struct snap_worker {
    double cpu_pct;     /* its thread's CPU, % of one core (last second) */
    int64_t lag_p99_us; /* schedule lag p99 of its open interval */
    uint64_t inflight;
};

/* loadtop watch: one shard as the watcher last heard from it. */
struct snap_shard {
    char name[64];        /* HOST:PORT */
    int up;               /* its last /snapshot answered */
    int seen;             /* it answered at least once (its numbers are in the merge) */
    int64_t silent_us;    /* not up: how long since it last answered (or since the watch began) */
    enum run_state state; /* as it last said */
    char why[64];         /* not up: "connection refused", "HTTP 503", "another plan", ... */
};

struct snap_endpoint {
    struct counters_lite {
        uint64_t requests, responses, errors, non2xx;
    } c;
    struct sumstat s[2]; /* [0] http.response_time, [1] http.latency */
};

struct snap_phase {
    int64_t planned, arrivals;
    int64_t started_us, ended_us; /* since run start; -1 if not yet */
};

struct snapshot {
    uint64_t seq;         /* increases with each publication */
    enum run_state state; /* BEFORE, RUNNING, ... DONE (lifecycle.h) */
    int64_t elapsed_us, planned_us;
    int phase, nphases;
    int64_t phase_elapsed_us, phase_duration_us;
    double target_rate, mult;
    double fixed_rate; /* an exact rate set with CMD_RATE, in force; 0 = none */
    uint64_t active_vus, inflight;
    uint64_t waiting; /* of inflight: requests waiting for a pool connection */
    struct counters total;
    struct sumstat total_s[SUM_N];
    int nintervals; /* closed intervals so far */
    int64_t last_start_us, last_end_us;
    struct counters last_c; /* the last closed interval */
    struct sumstat last_s[SUM_N];
    int nendpoints;
    struct snap_endpoint ep[SNAP_ENDPOINTS];
    struct snap_phase ph[SNAP_PHASES];
    int nsec;          /* seconds in sec[] (the last nsec of the run) */
    int64_t first_sec; /* run-relative index of sec[0] */
    struct second sec[SNAP_SECONDS];
    struct host_sample host;
    int nerrors;
    const char *error_names[STATS_MAX_ERRORS];
    int nworkers; /* worker threads running the load */
    struct snap_worker worker[SNAP_WORKERS];
    int nshards; /* loadtop watch: shards merged into this view (0: this process's run) */
    struct snap_shard shard[SNAP_SHARDS];
    int nevents; /* events in ev[] (the last ones) */
    int total_events;
    struct event ev[SNAP_EVENTS];
};

struct engine_opts {
    int64_t interval_us; /* intermediate report period */
    int64_t tick_us;     /* snapshot period, default 100 ms */
    int64_t drain_us;    /* bound on draining at the end, default plan timeout + 0.5 s */
    int64_t max_vus;     /* at most this many VUs at once (0: ENGINE_MAX_VUS, and
                            never more than the fd limit allows) */
    int workers;         /* worker threads (0: 1); fewer when the pool or a closed model's
                            connections are fewer */
    int shard, nshards;  /* --shard I/N: only arrivals k with k mod N = I, and 1/N of a
                            closed model's connections and -n (nshards 0: the whole plan) */
    const char *version;
    const char *argv_line; /* the command line, for the report */
};

/* Bounds that keep the engine in control of itself under overload (see
 * README "Limits"): what does not fit is skipped and counted by cause. */
#define ENGINE_MAX_VUS 20000    /* default VU bound (memory: see README) */
#define ENGINE_QUEUE_PER_CONN 4 /* requests that may wait per pool connection */
#define ENGINE_LATE_US 1000000  /* an arrival this late is skipped, not sent */
#define ENGINE_TERM_DRAIN_S 1.0
#define ENGINE_MAX_RATE 1000000.0 /* CMD_RATE's ceiling, as the scripts' (one arrival a µs) */
#define ENGINE_MAX_BODY                                                                            \
    (1ull                                                                                          \
     << 30) /* a response body past 1 GiB is cut: ERR_RESPONSE_TOO_LARGE */ /* SIGTERM/SIGHUP:     \
                                                                               CMD_STOP's drain    \
                                                                               bound (seconds) */

struct engine;

/* Process-wide set-up (libcurl); call once from main before any thread. */
void engine_global_init(void);

/* Start the engine thread on `plan` (borrowed; must outlive the engine).
 * Returns NULL with a message on stderr if it cannot start. */
struct engine *engine_start(const struct plan *plan, const struct engine_opts *o);
/* Queue a command; thread-safe; takes effect within one engine tick. */
void engine_send(struct engine *e, const struct engine_cmd *cmd);
/* Copy the latest snapshot into *out (skipped when *out already holds that
 * publication, by seq): *out must start zeroed (seq 0). Thread-safe. */
void engine_snapshot(struct engine *e, struct snapshot *out);
/* The latest snapshot, without a copy: it stays valid and unchanged until
 * the next call (or engine_free), whatever the engine publishes meanwhile.
 * For one reader only (the dashboard, every frame: a copy is ~58 KB of
 * cold memory). Thread-safe against the engine. */
const struct snapshot *engine_snapshot_hold(struct engine *e);
/* The report of the run so far, built now on the caller's thread from the
 * merge (under its lock), with the last snapshot's "live" object
 * (live.h): what --listen's /snapshot serves; `brief`: report.h's brief
 * form (/snapshot?brief, what loadtop watch polls). New reference. */
json_t *engine_report_now(struct engine *e, int brief);
/* From the merge's http.response_time histogram: how many responses took
 * at most le_us[i] µs (counts[i], cumulative), how many in all, and their
 * sum in µs: a Prometheus histogram. Any thread. */
void engine_response_buckets(struct engine *e, const int64_t *le_us, int n, uint64_t *counts,
                             uint64_t *count, double *sum_us);
/* The worker to name when saturation.h's signs `why` show in `s`: the
 * busiest thread for SATURATION_CPU, else the one with the highest lag;
 * -1 when the run has one worker (nothing to name). Pure. */
int snapshot_worker_behind(const struct snapshot *s, unsigned why);
/* If a report asked with CMD_REPORT is ready, hand it over (a reference the
 * caller owns) and copy its tag into tag[256]; else NULL. Thread-safe. */
json_t *engine_take_report(struct engine *e, char tag[256]);
/* 1 once the engine thread has finished its run. Thread-safe. */
int engine_done(struct engine *e);
/* Join the engine thread (blocks until the run ends). */
void engine_join(struct engine *e);
/* The plan the engine runs (immutable; safe from any thread). */
const struct plan *engine_plan(const struct engine *e);
/* Run time so far, or of the whole run once it ended (µs). */
int64_t engine_elapsed_us(const struct engine *e);
/* After engine_join(): the final stats, and the final report (report.h's
 * report_build: checks included; res and nres as there). */
const struct stats *engine_stats(const struct engine *e);
json_t *engine_report(struct engine *e, struct check_result **res, int *nres);
/* Free everything (after engine_join). */
void engine_free(struct engine *e);

#endif
