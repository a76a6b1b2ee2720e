/* capacity.h — what a load-test report's author works out by hand, from a
 * parsed JSON report (report.c's shape) alone: the sustainable load (the
 * highest target rate whose phase kept failures under 1 % and p99 under
 * the SLO), the breaking point (the lowest rate that did not) with its
 * evidence (phase, dominant error, first bad second), the error signature in
 * plain words, and whether the numbers can be trusted (generator saturated,
 * planned rate not reached). It never guesses: with too little data it says
 * so. "Failures" are transport errors (errors.*) plus 5xx responses, per
 * request. Pure: no I/O, no globals; missing keys count as no data. */
#ifndef LOADTOP_CAPACITY_H
#define LOADTOP_CAPACITY_H

#include <jansson.h>
#include <stdint.h>

#define CAPACITY_FAIL_PCT 1.0      /* a phase is healthy below this failure % */
#define CAPACITY_SLO_MS 1000.0     /* p99 objective when the script sets none */
#define CAPACITY_MIN_REQUESTS 20   /* fewer requests in a phase: not judged */
#define CAPACITY_SELF_CPU_PCT 90.0 /* loadtop at this % of a core: saturated */
#define CAPACITY_LAG_MS 100.0      /* schedule lag p99 above this: saturated */
#define CAPACITY_RATE_SHORT 0.9    /* achieved below 90 % of target: not reached */
#define CAPACITY_MAX_ITEMS 10

struct capacity_item {
    char label[40]; /* "Sustainable load" */
    char text[600]; /* Markdown inline text (`code`, **bold**) */
};

struct capacity {
    int judged;       /* phases with a target rate and enough requests */
    int closed_model; /* connections loop back to back: no target rate */
    int provisional;  /* the run was still going (a snapshot) */
    double slo_p99_ms;
    int slo_from_script;     /* from an ensure check `http.response_time.p99 < N` */
    int sustainable;         /* phase index, or -1 */
    double sustainable_rate; /* arrivals/s */
    int breaking;            /* phase index, or -1 */
    double breaking_rate;
    double breaking_fail_pct, breaking_p99_ms;
    char dominant[48]; /* "ECONNRESET", "HTTP 503", or "" */
    uint64_t dominant_count;
    double dominant_pct;              /* of the breaking phase's failures */
    double started_at;                /* s since run start of its first bad second, -1 unknown */
    char signature[320];              /* plain words, "" when there is no breaking point */
    int saturated;                    /* the generator itself was the bottleneck */
    double self_cpu_peak, lag_p99_ms; /* -1 when the report has no such data */
    int rate_short;                   /* phases that got < 90 % of their target rate */
    int generator_limit;              /* EMFILE/EADDRNOTAVAIL...: loadtop ran out of fds/ports */
    struct capacity_item items[CAPACITY_MAX_ITEMS];
    int nitems; /* the findings, in reading order */
};

/* Analyse `run` (a parsed report) into *out (fully overwritten). */
void capacity_analyze(const json_t *run, struct capacity *out);
/* The findings as Markdown bullets ("- **Label**: text\n" each); heap. */
char *capacity_markdown(const struct capacity *c);

/* Helpers shared with render.c, on report.c's JSON shapes. */
/* A phase's target arrival rate: arrivalRate, the peak of a ramp, or
 * arrivalCount / duration; 0 for pauses and closed-model runs. */
double capacity_phase_target(const json_t *phase);
/* Failures in a counters object: errors.* plus http.codes.5xx. */
uint64_t capacity_failures(const json_t *counters);
/* The most frequent failure in `counters` ("ECONNRESET" or "HTTP 503") into
 * name[n] and its count; 0 (and "") when there is none. */
uint64_t capacity_top_failure(const json_t *counters, char *name, size_t n);
/* The plain-words reading of a dominant failure (as above), given the p99 of
 * the breaking phase and of the last healthy one (< 0 if unknown). */
void capacity_signature(const char *failure, double p99_ms, double healthy_p99_ms, char *out,
                        size_t n);

#endif
