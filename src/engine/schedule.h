/* schedule.h — pure arrival math. Turns a list of phases into absolute
 * intended arrival times (µs on any monotonic time base), exactly as
 * Artillery v2 spaces them (see the rules below), and applies the run-time
 * controls: pause/resume (the phase clock stops), skip to the next phase, and
 * a rate multiplier that rescales the plan from that moment on.
 *
 * Rules (phase-relative times, t = 0 at the phase start, D = duration):
 *  - CONST a/s: arrivals at floor(k*1e6/a) µs, k = 1.. while <= D (a*D of
 *    them when that is whole): Artillery's 1000/a ms spacing, unrounded.
 *  - RAMP a->b over D s (D rounded up to whole seconds, at least 1): second i
 *    (0..D-1) has n_i = floor(a + (b-a)*i/(D-1) + 0.5) arrivals ((a+b)/2 when
 *    D = 1), at i*1000 ms + j*floor(1000/n_i) ms, j = 0..n_i-1. The phase
 *    lasts the rounded-up D. n_i is rounded half up in Artillery's
 *    floating-point order: x = (b-a)/(D-1)*i + a; floor(x), +1 if the
 *    fraction is >= .5.
 *  - COUNT C over D: arrivals at k*D/C, k = 1..C (the last at D).
 *  - PAUSE: none.
 * With a multiplier m != 1 set at phase time t0, the rest of the phase is
 * rescaled from t0: CONST spaces a*m a second from t0; RAMP uses
 * n_i' = floor(n_i*m + 0.5) for the seconds after t0 (the second holding t0
 * keeps only its arrivals after t0, or from t0 if the phase has emitted
 * none yet); COUNT uses interval D/(C*m) from t0. The multiplier persists
 * across phases until set back to 1, which re-anchors the plan's own spacing.
 * An exact rate r set at t0 (sched_set_rate) replaces every phase's own
 * spacing, pauses included, from t0 on: arrivals at t0 + floor(k*1e6/r)
 * in the phase holding t0, and at floor(k*1e6/r) in each later one, until
 * the rate is cleared (r = 0) or the multiplier set; phases keep their
 * lengths.
 * An arrival exactly at t = D belongs to the phase that ends at D.
 * No I/O, no globals, no clocks: every call takes `now` from the caller. */
#ifndef LOADTOP_SCHEDULE_H
#define LOADTOP_SCHEDULE_H

#include <stdint.h>

#include "plan.h"

#define SCHED_NONE INT64_MAX

struct sched {
    const struct phase *phases; /* borrowed; must outlive the sched */
    int nphases;
    int cur;             /* current phase index; == nphases when done */
    int64_t phase_start; /* absolute time of the current phase's t = 0, shifted by pauses */
    int paused;
    int64_t paused_at;
    double mult;  /* rate multiplier, 1.0 = the plan */
    double fixed; /* an exact rate (arrivals/s) overriding the plan; 0 = none */
    /* rescaling anchor inside the current phase (phase-relative µs) */
    int64_t anchor;
    /* iteration state of the current phase (private to schedule.c) */
    int64_t k;       /* arrivals emitted since the anchor */
    int64_t sec, j;  /* RAMP: current second and index within it */
    int64_t emitted; /* arrivals emitted in this phase */
    int moved;       /* transitions made by take/skip, not yet reported by advance */
};

/* The worker that runs arrival k (0-based, in schedule order) of a run
 * with `nworkers` workers: k mod N, so that the union of the workers'
 * arrivals is exactly the one schedule, and each worker's share is within
 * one arrival of the others'. The same dealing splits shards (--shard). */
int sched_deal(uint64_t k, int nworkers);

/* How many of the arrivals k in [from, from + n) go to part `i` of
 * `nparts` (sched_deal): a phase's planned share of a shard or worker. */
int64_t sched_dealt(int64_t from, int64_t n, int i, int nparts);

/* Start the plan at absolute time `start` (phase 0 begins then). */
void sched_init(struct sched *s, const struct phase *phases, int nphases, int64_t start);

/* Absolute intended time of the next arrival (in the current phase or a
 * later one), or SCHED_NONE when the plan has no more arrivals or is paused.
 * Does not consume it. */
int64_t sched_peek(struct sched *s);

/* Consume the arrival sched_peek() returned; returns the index of the phase
 * it belongs to. Only call after sched_peek() returned a time. If the
 * arrival belongs to a later phase, take moves there first (the move is
 * counted in the next sched_advance() return). */
int sched_take(struct sched *s);

/* Move the phase clock to absolute time `now`: if the current phase has
 * ended (its duration has elapsed, pauses excluded) and has no arrival left,
 * move to the next one(s). Returns the number of phase transitions made since
 * the previous call, including those sched_take() and sched_skip() made
 * (0 if none). Never drops an arrival. The engine drives it like this, at
 * each wake-up:
 *     sched_advance(s, now);
 *     while (sched_peek(s) <= now) phase = sched_take(s), start a VU;
 *     apply queued controls (pause, skip, multiplier) at `now`;
 *     sleep until sched_peek(s) (SCHED_NONE: until a control arrives).
 * Controls re-plan from `now`, so arrivals still due at `now` must be taken
 * before them. */
int sched_advance(struct sched *s, int64_t now);

/* Pause at `now`: no arrivals until resume, and the phase clock stops. */
void sched_pause(struct sched *s, int64_t now);
/* Resume at `now`: the phase clock continues where it stopped. */
void sched_resume(struct sched *s, int64_t now);
/* End the current phase at `now`; the next one starts at `now`. Arrivals of
 * the skipped remainder are not generated. No-op when the plan is over.
 * The transition is counted in the next sched_advance() return. */
void sched_skip(struct sched *s, int64_t now);
/* Rescale the plan by `m` (> 0) from `now` on (see the rules above); an
 * exact rate in force is cleared. */
void sched_set_mult(struct sched *s, double m, int64_t now);
/* Arrivals at exactly `rate` a second (> 0) from `now` on, in every phase,
 * until cleared by rate 0 (the plan again, at the multiplier in force) or
 * by sched_set_mult. */
void sched_set_rate(struct sched *s, double rate, int64_t now);

/* Phase-relative time of the current phase at `now` (pauses excluded). */
int64_t sched_phase_elapsed(const struct sched *s, int64_t now);
/* Target arrival rate (arrivals/s, multiplier applied) at `now`; 0 when
 * paused or done. For RAMP it is the current second's n_i'; with an exact
 * rate in force, that rate. */
double sched_target_rate(const struct sched *s, int64_t now);
/* 1 when every phase is over. */
int sched_done(const struct sched *s);

/* Number of arrivals the phase plans (multiplier 1, no controls). */
int64_t sched_phase_planned(const struct phase *p);
/* Phase-relative time of arrival k (1-based, multiplier 1, no controls) of
 * the phase, or -1 if k is out of range. */
int64_t sched_phase_arrival(const struct phase *p, int64_t k);

#endif
