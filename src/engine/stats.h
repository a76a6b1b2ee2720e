/* stats.h — everything a run measures, with Artillery's metric names:
 * counters (vusers.*, http.requests, http.codes.NNN, errors.NAME, ...) and
 * summaries (HDR histograms of http.response_time, http.total, http.latency,
 * vusers.session_length, loadtop.schedule_lag), kept for the whole run, per
 * phase, per endpoint, per reporting interval, plus a per-second timeline.
 * Memory is constant in run length except the per-second timeline (a few
 * hundred bytes a second) and closed intervals (counters + encoded hists).
 * Owned and written by the engine thread only; readers get a copy (see
 * engine.h) or read it after the engine has stopped. Pure: no I/O, no clock. */
#ifndef LOADTOP_STATS_H
#define LOADTOP_STATS_H

#include <stdint.h>

#include "hist.h"
#include "hostmon.h"

#define STATS_MAX_CODES 1000 /* http.codes.0..999 (a status line may hold any 3 digits) */
#define STATS_MAX_ERRORS 32  /* distinct error names; more go to "other" */
#define STATS_MAX_COUNTERS                                                                         \
    32 /* distinct named counters (plugins.expect.ok, ...); more are dropped */

enum summary_id {
    SUM_RESPONSE_TIME, /* http.response_time: request written -> first byte */
    SUM_TOTAL,         /* http.total: request start incl. connect -> last byte */
    SUM_LATENCY,       /* http.latency: intended arrival -> last byte (no coordinated omission) */
    SUM_SESSION,       /* vusers.session_length: VU start -> end */
    SUM_LAG,           /* loadtop.schedule_lag: intended -> actual VU start */
    SUM_N
};
/* "http.response_time", "http.total", ... indexed by enum summary_id. */
extern const char *const stats_summary_name[SUM_N];

struct counters {
    uint64_t vu_created, vu_completed, vu_failed, vu_skipped;
    uint64_t requests, responses, downloaded_bytes;
    uint64_t codes[STATS_MAX_CODES];
    /* codes summed by class, [1..5] = 1xx..5xx, [0] = any other code: the
     * dashboard shows them 10 times a second without reading codes[] */
    uint64_t code_class[6];
    uint64_t errors[STATS_MAX_ERRORS]; /* by index into stats.error_names */
    /* Named counters (Artillery's custom counters, e.g. plugins.expect.ok).
     * Their names travel with the values so that any copy of a struct
     * counters (intervals, snapshots) prints itself; a name points into the
     * stats that counted it and is NULL for an unused slot. */
    uint64_t counter[STATS_MAX_COUNTERS];
    const char *counter_names[STATS_MAX_COUNTERS];
};

/* Summary statistics of one histogram, in µs (reports print ms). */
struct sumstat {
    uint64_t count;
    int64_t min, max, p50, p75, p90, p95, p99, p999;
    double mean;
};
/* Fill *s from h (all zero when h is empty). */
void sumstat_of(struct sumstat *s, const struct hist *h);

/* Counters and summaries for one slice of the run. */
struct group {
    struct counters c;
    struct hist *sum[SUM_N];
};

/* One reporting interval (--interval), closed: histograms are encoded. */
struct interval {
    int64_t start_us, end_us; /* since run start */
    struct counters c;
    struct sumstat s[SUM_N];
    char *hist_enc[SUM_N]; /* hist_encode() strings, owned */
};

/* One second of the timeline. */
struct second {
    double target_rate; /* arrivals/s planned (multiplier applied) */
    uint32_t arrivals, skipped, requests, responses, failed_vus;
    uint32_t code_class[6]; /* [1..5] = 1xx..5xx, [0] = other */
    uint32_t errors[STATS_MAX_ERRORS];
    int64_t p50, p95, p99; /* http.response_time, µs */
    int64_t lat_p99;       /* http.latency p99, µs */
    struct host_sample host;
    int phase;
    uint32_t paused_us; /* of this second, the run was paused this long */
};

/* A span of time the run stood paused (key p, a control command). */
struct pause_span {
    int64_t start_us, end_us; /* since run start; end -1 while it lasts */
    int phase;                /* the phase it paused */
};
#define STATS_MAX_PAUSES 1000 /* spans listed; later ones still count in the totals */

struct event {
    int64_t t_us;  /* since run start */
    char kind[16]; /* "phase", "pause", "resume", "skip", "rate", "snapshot", "signal",
                      "warning"; flows add "log" (a log step), "expect" (a failed
                      check), "hook" (before/after) and "error" (a failed hook) */
    char text[112];
};

struct stats {
    int nphases, nendpoints, nscenarios;
    struct group total;
    struct group *phase;           /* [nphases] */
    struct group *endpoint;        /* [nendpoints] */
    uint64_t *created_by_scenario; /* [nscenarios] */
    struct group cur;              /* the open interval */
    int64_t cur_start_us;
    struct interval *intervals;
    int nintervals;
    struct second *seconds; /* timeline, [nseconds] */
    int nseconds;
    /* The run's index of seconds[0] and intervals[0]: 0, except in a part
     * that hands what it closed over to a merge (stats_flush) and keeps
     * only what came after. */
    int first_second, first_interval;
    /* Each closed second's response time and latency histograms, encoded
     * (hist_encode), [nseconds][2]: a second's percentiles come from them,
     * so merged stats give the same timeline as one run (1-8 KB a second,
     * by how widely the latencies spread). */
    char *(*second_hists)[2];
    struct hist *sec_rt, *sec_lat; /* the open second's response time / latency */
    struct second open_sec;        /* the open second's counters (its p50.. are set on close) */
    const char *error_names[STATS_MAX_ERRORS]; /* interned copies, owned by the stats */
    int nerrors;
    const char *counter_names[STATS_MAX_COUNTERS]; /* interned copies, owned by the stats */
    int ncounters;
    struct event *events;
    int nevents;
    uint64_t planned_arrivals; /* of the whole plan, at multiplier 1 */
    int64_t *phase_planned;    /* [nphases] */
    int64_t *phase_started_us; /* [nphases] since run start, -1 if not yet */
    int64_t *phase_ended_us;   /* [nphases] */
    /* Pauses: time that is not load. Achieved rates and phase lengths
     * leave it out. */
    int64_t *phase_paused_us;  /* [nphases] closed pauses in each phase */
    int64_t paused_total_us;   /* closed pauses of the whole run */
    int64_t paused_since;      /* start of the pause in force, -1 when running */
    int paused_phase;          /* the phase it pauses */
    struct pause_span *pauses; /* [npauses], the first STATS_MAX_PAUSES */
    int npauses;
    uint64_t pauses_unlisted; /* pauses past STATS_MAX_PAUSES */
};

/* Allocate groups for the given shape. */
void stats_init(struct stats *st, int nphases, int nendpoints, int nscenarios);
void stats_free(struct stats *st);

/* Index of an error name. The stats keep their own copy of a new name, so
 * `name` may be any string. */
int stats_error_index(struct stats *st, const char *name);
/* Index of a named counter, interned like error names; -1 when all
 * STATS_MAX_COUNTERS slots are taken by other names. */
int stats_counter_index(struct stats *st, const char *name);

/* Recording. `phase` is the VU's phase (index), `ep` the endpoint index or
 * -1. Each call updates total, the phase group, the endpoint group, the
 * open interval and the open second. */
/* lag_us < 0: no schedule (closed-model workers), no loadtop.schedule_lag sample. */
void stats_vu_created(struct stats *st, int phase, int scenario, int64_t lag_us);
void stats_vu_skipped(struct stats *st, int phase);
void stats_vu_completed(struct stats *st, int phase, int64_t session_us);
void stats_vu_failed(struct stats *st, int phase, int64_t session_us);
void stats_request(struct stats *st, int phase, int ep);
/* A response with status `code`: the three durations in µs, `bytes` body size. */
void stats_response(struct stats *st, int phase, int ep, int code, int64_t response_us,
                    int64_t total_us, int64_t latency_us, uint64_t bytes);
/* An error named `name` (errclass's, or "Failed capture or match", ...). */
void stats_error(struct stats *st, int phase, int ep, const char *name);
/* Body bytes of a transfer that failed after they arrived (a timeout, a
 * reset mid-body): http.downloaded_bytes counts every byte received. */
void stats_downloaded(struct stats *st, int phase, int ep, uint64_t bytes);
/* Add `n` to named counter `idx` (from stats_counter_index; -1 is ignored). */
void stats_count(struct stats *st, int phase, int ep, int idx, uint64_t n);
/* The whole run's value of the counter called `name` (0 if never counted),
 * e.g. stats_counter(engine_stats(e), "plugins.expect.failed"). */
uint64_t stats_counter(const struct stats *st, const char *name);

/* The run pauses at t_us (since run start), in phase `phase`; nothing
 * when it is paused already. */
void stats_pause(struct stats *st, int64_t t_us, int phase);
/* The pause in force ends at t_us (nothing when none is). A phase change
 * during a pause (a skip) is a resume and a pause at the same time. */
void stats_resume(struct stats *st, int64_t t_us);
/* Time paused in phase `phase` (-1: the whole run) up to `now_us`, the
 * pause in force included. */
int64_t stats_paused_us(const struct stats *st, int phase, int64_t now_us);

/* Close the open second (append it to the timeline) with these values. */
void stats_close_second(struct stats *st, double target_rate, int phase,
                        const struct host_sample *host);
/* Close the open interval at `now_rel_us` (since run start). */
void stats_close_interval(struct stats *st, int64_t now_rel_us);
/* Append an event (text is truncated to fit). */
void stats_event(struct stats *st, int64_t t_us, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Add everything `src` recorded into `dst`, as if dst had recorded it too:
 * counters (error names and named counters matched by name), every
 * histogram (counts add), per phase, per endpoint, per scenario, per
 * interval and per second (aligned by index: both timed from the same
 * start), the open interval and second, and the events (in time order).
 * Both must come from the same plan (stats_init with the same shape);
 * the plan's own numbers (planned arrivals) are taken, not added. The
 * merge of a run's halves gives the report of the whole (tested). */
void stats_merge(struct stats *dst, const struct stats *src);

/* Hand over what a part of a run has recorded since its last flush to
 * `dst`, the run's merge (a worker thread's share, every tick): counters,
 * histograms, per phase, endpoint and scenario, closed seconds and closed
 * intervals (aligned by the run's index, so several parts flushing the same
 * second add up in it), events. Then `part` forgets them, keeping its open
 * interval and open second, its names, its plan numbers and its phase
 * times (not flushed: the merge takes those from one part, with
 * phase_times set). What a part flushes over a run adds up in `dst` to what
 * one stats would have recorded (tested). */
void stats_flush(struct stats *dst, struct stats *part, int phase_times);

/* Add src's counters into dst. */
void counters_add(struct counters *dst, const struct counters *src);
/* Sum of errors[] (all transport errors). */
uint64_t counters_errors(const struct counters *c);

#endif
