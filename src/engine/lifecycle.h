/* lifecycle.h — the run's states and every transition between them, in one
 * function. The engine feeds it what happened (a hook ended, the plan is
 * done, a command, the last VU ended) and does what it answers (start the
 * phases, begin draining, run `after`, finish). Pure: no clock, no I/O.
 *
 *   BEFORE --before ok--> RUNNING <--pause/resume--> PAUSED
 *     |                     |  plan done, stop, abort  |
 *     +--before failed--> DRAINING <-------------------+
 *                           | drained (no VU left, or the drain bound)
 *                           +--(an `after` hook, not aborted)--> AFTER --after done--+
 *                           +--------------------------------------------------------+--> DONE
 *
 * A stop during BEFORE waits for `before` to end (an abort cuts it), then
 * drains at once. An abort anywhere ends the drain now and skips `after`. */
#ifndef LOADTOP_LIFECYCLE_H
#define LOADTOP_LIFECYCLE_H

enum run_state { RUN_BEFORE, RUN_RUNNING, RUN_PAUSED, RUN_DRAINING, RUN_AFTER, RUN_DONE };

/* Why the run ended (RUN_END_NONE until it stops). */
enum run_end {
    RUN_END_NONE,
    RUN_END_COMPLETED,     /* the plan ran out: all phases, the duration or -n */
    RUN_END_STOPPED,       /* a stop command (Ctrl-C, q, SIGTERM) */
    RUN_END_ABORTED,       /* an abort command (a second Ctrl-C) */
    RUN_END_BEFORE_FAILED, /* `before` failed: the phases do not run */
};

enum lc_event {
    LC_BEFORE_OK,     /* the `before` hook ended well */
    LC_BEFORE_FAILED, /* ... or failed (or was cut by an abort) */
    LC_PAUSE,
    LC_RESUME,
    LC_PLAN_DONE, /* no arrival left to start, or the closed model's end */
    LC_STOP,
    LC_ABORT,
    LC_DRAINED,    /* no active VU left, or the drain bound passed */
    LC_AFTER_DONE, /* the `after` hook ended (well or not) */
};

/* What the engine must do, as bits of lifecycle_on's answer. */
enum {
    LC_DO_START_PHASES = 1 << 0, /* start the schedule's clock */
    LC_DO_DRAIN = 1 << 1,        /* stop arrivals; drain, bounded (a shorter bound wins) */
    LC_DO_DRAIN_NOW = 1 << 2,    /* the drain bound is now */
    LC_DO_CUT_HOOK = 1 << 3,     /* cancel the running hook (it then reports its end) */
    LC_DO_RUN_AFTER = 1 << 4,    /* cut the VUs left, run the `after` hook */
    LC_DO_FINISH = 1 << 5,       /* close the run: last second, report, handles */
    LC_DO_PAUSE = 1 << 6,        /* stop the schedule's clock */
    LC_DO_RESUME = 1 << 7,       /* restart it */
};

struct lifecycle {
    enum run_state state;
    enum run_end end;
    int has_after;   /* the plan has an `after` hook */
    int stop_asked;  /* a stop or abort came while `before` ran */
    int aborted;     /* an abort came: no `after`, no drain */
    int interrupted; /* a stop or abort came at all: the report says "interrupted" */
};

/* Start: BEFORE with a `before` hook (the caller runs it), else RUNNING.
 * Returns LC_DO_START_PHASES when the phases start now. */
unsigned lifecycle_start(struct lifecycle *lc, int has_before, int has_after);

/* Feed one event; returns what to do (LC_DO_* bits, 0 for nothing). Events
 * that do not apply in the current state are ignored (0). */
unsigned lifecycle_on(struct lifecycle *lc, enum lc_event ev);

/* The run no longer starts arrivals: DRAINING, AFTER or DONE. */
int lifecycle_stopping(const struct lifecycle *lc);

/* "BEFORE", "RUNNING", "PAUSED", "DRAINING", "AFTER", "DONE". */
const char *run_state_name(enum run_state s);

#endif
