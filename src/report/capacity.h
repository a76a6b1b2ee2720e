/* capacity.h — what a load-test report's author works out by hand, from a
 * parsed JSON report (report.c's shape) alone: the sustainable load (the
 * highest target rate whose phase kept failures under 1 % and p99 under
 * the SLO), the breaking point (the lowest rate that did not) with its
 * evidence (phase, dominant error, first bad second), the error signature in
 * plain words, and whether the numbers can be trusted (generator saturated
 * by saturation.h's definition, planned rate not reached). It never guesses: with too little data
 * it says so. "Failures" are transport errors (errors.*) plus 5xx responses, per request. Pure: no
 * I/O, no globals; missing keys count as no data.
 *
 * Two steps: capacity_analyze (capacity.c) judges and gives the findings as
 * numbers; capacity_prose (capacity_text.c) writes them as sentences, from
 * the findings alone. */
#ifndef LOADTOP_CAPACITY_H
#define LOADTOP_CAPACITY_H

#include <jansson.h>
#include <stdint.h>

#define CAPACITY_FAIL_PCT 1.0      /* a phase is healthy below this failure % */
#define CAPACITY_SLO_MS 1000.0     /* p99 objective when the script sets none */
#define CAPACITY_MIN_REQUESTS 20   /* fewer requests in a phase: not judged */
#define CAPACITY_RATE_SHORT 0.9    /* achieved below 90 % of target: not reached */
#define CAPACITY_SHARED_CPU_PCT 95 /* host CPU peak at which a local target competes */
#define CAPACITY_MAX_ITEMS 10

/* One phase, judged. */
struct capacity_phase {
    const char *name; /* borrowed from the report ("unnamed" without one) */
    double target;    /* peak target rate, arrivals/s; 0: pause or closed model */
    double requests;  /* http.requests */
    double fail_pct;  /* failures per request, % (0 without requests) */
    double p99_ms;    /* response time p99, -1 unknown */
    int judged;       /* a target rate and at least CAPACITY_MIN_REQUESTS */
    int healthy;      /* fail_pct < CAPACITY_FAIL_PCT and p99 within the SLO */
    double want, got; /* mean target rate and achieved rate (-1 unknown) */
    int rate_short;   /* got < CAPACITY_RATE_SHORT of want (open model only) */
};

/* The findings: numbers and verdicts, no words. Phase indexes are 0-based
 * positions in `phase`; -1 means none. Strings point into the analysed
 * report (keep it alive while using them) or into this struct. */
struct capacity {
    int provisional;  /* the run was still going (a snapshot) */
    double elapsed_s; /* how far it had got */
    double requests;  /* in the whole run */
    int closed_model; /* connections loop back to back: no target rate */
    double connections, closed_rate, closed_fail_pct, closed_p99_ms; /* its results */

    int judged; /* phases with a target rate and enough requests */
    double slo_p99_ms;
    int slo_from_script; /* from an ensure check `http.response_time.p99 < N` */

    int sustainable;         /* the highest healthy rate below the breaking point */
    double sustainable_rate; /* arrivals/s */
    int breaking;            /* the lowest unhealthy rate */
    double breaking_rate;
    double breaking_fail_pct, breaking_p99_ms;
    int breaking_over_slo;      /* its p99 was over the objective */
    char dominant[48];          /* its top failure: "ECONNRESET", "HTTP 503", or "" */
    uint64_t dominant_count;    /* and its count */
    uint64_t breaking_failures; /* all failures of that phase */
    double dominant_pct;        /* of the breaking phase's failures */
    double started_at;          /* s since run start of its first bad second, -1 unknown */
    double started_into_phase;  /* the same, s since the phase started */
    double rate_then;           /* target rate in that second, -1 unknown */
    double top_rate;            /* the highest judged rate (the limit is above it) */
    int healthy_above;          /* the highest healthy phase above the breaking rate */

    unsigned saturated; /* the generator itself was the bottleneck: saturation.h's signs */
    double self_cpu_peak, lag_p99_ms; /* its readings (-1 when the report has none) */
    int rate_short;                   /* phases that got < 90 % of their target rate */
    double skipped;                   /* arrivals never started (vusers.skipped) */
    int generator_limit;              /* EMFILE/EADDRNOTAVAIL...: loadtop ran out of fds/ports */
    int shared_host;                  /* a local target and the host's CPU at its peak */
    double host_cpu_peak;

    struct capacity_phase *phase; /* every phase of the report, in order (heap) */
    int nphases;
};

/* Analyse `run` (a parsed report) into *out (fully overwritten). Free with
 * capacity_free. */
void capacity_analyze(const json_t *run, struct capacity *out);
void capacity_free(struct capacity *c);

struct capacity_item {
    char label[40]; /* "Sustainable load" */
    char text[600]; /* Markdown inline text (`code`, **bold**); cut on a character */
};

/* The findings in words. */
struct capacity_text {
    char signature[320]; /* the breaking point's error in plain words, or "" */
    struct capacity_item items[CAPACITY_MAX_ITEMS];
    int nitems; /* in reading order */
};

/* Write the findings `c` as sentences into *out (fully overwritten). */
void capacity_prose(const struct capacity *c, struct capacity_text *out);
/* The findings as Markdown bullets ("- **Label**: text\n" each); heap. */
char *capacity_markdown(const struct capacity_text *t);

/* Helpers shared with the renderer, on report.c's JSON shapes. */
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
/* Is `failure` one that means loadtop's machine ran out of descriptors or
 * local ports (EMFILE, ENFILE, EADDRNOTAVAIL, EADDRINUSE, ENOBUFS)? */
int capacity_generator_limit(const char *failure);

#endif
