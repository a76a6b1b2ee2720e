/* engine_int.h — private to the run's own thread (engine.c, engine_cmd.c,
 * engine_pub.c): the run's schedule and lifecycle, its workers, the merge
 * of their stats, the snapshot and the report mailbox. The run's thread
 * owns the schedule, deals arrival k to worker k mod N (worker 0 runs on
 * this same thread and loop), carries out the commands once for all
 * workers, and builds every view from the exact merge. */
#ifndef LOADTOP_ENGINE_INT_H
#define LOADTOP_ENGINE_INT_H

#include <jansson.h>
#include <uv.h>

#include "engine.h"
#include "hostmon.h"
#include "lifecycle.h"
#include "schedule.h"
#include "stats.h"
#include "worker_int.h"

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
    /* The next arrival's wake-up, to the microsecond: a timerfd polled by
     * the loop (libuv's timers round up to the millisecond, which put the
     * schedule lag's p99 at ~1.2 ms whatever the load). -1: none, the
     * timer above serves. */
    int arrival_fd;
    uv_poll_t arrival_poll;
    struct engine_shared sh;
    int nworkers;      /* running now (1 once the run has ended) */
    int workers_used;  /* the run's worker threads, for the views */
    uint64_t mine;     /* arrivals of this shard so far (all of them without shards) */
    int connections;   /* closed model: this shard's share of -c */
    struct worker **w; /* [nworkers]; w[0] runs on this thread */
    struct worker *w0;
    struct stats *st; /* worker 0's part: the run's own events, phase times, pauses, skips */
    struct sched sched;
    struct hostmon hm;
    struct host_sample host;
    struct lifecycle lc;    /* BEFORE ... DONE, and why it ended */
    uint64_t arrivals;      /* arrivals taken from the schedule so far: the next one's index */
    int64_t drain_deadline; /* absolute µs; 0 = not draining yet */
    int64_t t0, start_wall, end_us;
    int64_t next_sec_us, next_interval_us;
    double sec_target; /* the open second's planned rate, sampled at its start */
    int sec_phase;
    int last_phase;
    /* the merge of every worker's part (workers flush into it under mlock) */
    uv_mutex_t mlock;
    struct stats merged;
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

/* The merge, locked (`block`: wait; else NULL when another worker holds
 * it). Any thread. */
struct stats *engine_merge_lock(struct engine *e, int block);
void engine_merge_unlock(struct engine *e);

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
/* Stop waiting for the next arrival (a stop, a pause, the schedule's end). */
void arrival_sleep_stop(struct engine *e);
/* Start every arrival that is due (bounded work; see engine.c). */
void engine_run_arrivals(struct engine *e);
/* Feed LC_DRAINED: no VU is left, or the drain bound passed. */
void engine_drained(struct engine *e);
/* Log the phases entered since the last call (the schedule moved on). */
void engine_note_phase_changes(struct engine *e, int64_t now);
/* No VU is active and none is waiting in a helper's ring: a drain is over. */
int engine_no_vus(struct engine *e);
/* Tell every worker the run's state (paused, stopping, interrupted). */
void engine_tell_state(struct engine *e);
/* The engine thread's body (uv_thread entry; `arg` is the engine): runs
 * `before` or the phases, then the loop until the run is done. */
void engine_main(void *arg);

/* engine_cmd.c: the command queue */
/* uv_async callback: drain the queue and carry out every command; also
 * the wake-up of a worker whose last VU ended while the run stops. */
void engine_on_async(uv_async_t *a);
/* LC_DO_PAUSE (pause = 1) or LC_DO_RESUME: the schedule's clock, the
 * workers, the event. */
void engine_pause_run(struct engine *e, int64_t now, int pause);

/* engine_pub.c: snapshots and the report mailbox */
/* Fill `s` from the merge and the workers at `now` (a publication's next seq). */
void engine_fill_snapshot(struct engine *e, struct snapshot *s, int64_t now);
/* Publish a new snapshot (three buffers: see engine_snapshot_hold). */
void engine_publish(struct engine *e);
/* Build the report of the run so far into the mailbox, tagged `tag`. */
void engine_build_report(struct engine *e, const char *tag);

#endif
