/* plan.h — the model of a load test: target, phases, scenarios, flows, HTTP
 * options. Filled by scenario.c (from YAML) or cli.c (one-URL mode), read by
 * the engine and the reports. A plan is immutable once the run starts.
 * Ownership: the plan owns every string and array in it; plan_free() frees. */
#ifndef LOADTOP_PLAN_H
#define LOADTOP_PLAN_H

#include <stdint.h>

enum phase_kind {
    PHASE_PAUSE,  /* pause: T (or arrivalRate: 0) — no arrivals */
    PHASE_COUNT,  /* arrivalCount: C over duration */
    PHASE_RAMP,   /* arrivalRate: a, rampTo: b over duration */
    PHASE_CONST,  /* arrivalRate: a over duration */
};

struct phase {
    char *name;            /* "unnamed" when the script gives none */
    enum phase_kind kind;
    int64_t duration_us;   /* > 0 */
    double rate;           /* arrivalRate (CONST, RAMP) */
    double rate_to;        /* rampTo (RAMP) */
    int64_t count;         /* arrivalCount (COUNT) */
    int max_vusers;        /* 0 = unlimited */
    int line, col;         /* position in the script, 1-based; 0 if none */
};

struct header {
    char *name, *value;
};

enum step_kind {
    STEP_REQUEST,
    STEP_THINK,
    STEP_LOOP,
};

enum body_kind { BODY_NONE, BODY_RAW, BODY_JSON };

struct step {
    enum step_kind kind;
    int line, col;
    /* STEP_REQUEST */
    char *method;          /* "GET", "POST", ... */
    char *url;             /* full URL, target already prepended */
    struct header *headers;/* step headers (defaults are in struct plan) */
    int nheaders;
    enum body_kind body_kind;
    char *body;            /* raw body, or serialised JSON for BODY_JSON */
    int endpoint;          /* index into plan.endpoints */
    /* STEP_THINK */
    int64_t think_us;
    /* STEP_LOOP */
    int64_t loop_count;    /* iterations */
    struct step *steps;    /* loop body */
    int nsteps;
};

struct scenario {
    char *name;            /* "scenario N" (1-based) when unnamed */
    int weight;            /* >= 0 */
    struct step *steps;
    int nsteps;
};

/* An endpoint is a row of the per-endpoint breakdown: a request's `name`, or
 * METHOD + the untemplated path. Requests with the same key share a row. */
struct endpoint {
    char *key;
};

enum run_model {
    MODEL_OPEN,   /* arrivals by schedule (scripts, one-URL with --rate) */
    MODEL_CLOSED, /* one-URL without --rate: `connections` loops back to back */
};

struct plan {
    char *script;          /* path of the script, NULL in one-URL mode */
    char *target;          /* base URL */
    char *environment;     /* -e NAME, or NULL */
    struct phase *phases;
    int nphases;
    struct scenario *scenarios;
    int nscenarios;
    struct endpoint *endpoints;
    int nendpoints;
    struct header *default_headers;
    int ndefault_headers;
    struct header *variables;     /* config.variables as plain strings */
    int nvariables;
    int64_t timeout_us;    /* config.http.timeout, default 10 s */
    int pool;              /* config.http.pool / -c in one-URL mode; 0 = a connection per VU */
    enum run_model model;
    int connections;       /* MODEL_CLOSED: concurrent loops */
    int64_t max_requests;  /* one-URL -n: stop after this many requests; 0 = none */
    int insecure;          /* skip TLS verification (config.tls.rejectUnauthorized: false) */
};

/* Free everything a plan owns and zero it. Safe on a zeroed plan. */
void plan_free(struct plan *p);

/* Return the index of the endpoint with `key`, adding it if new. */
int plan_endpoint(struct plan *p, const char *key);

/* Total planned duration of all phases in µs. */
int64_t plan_duration_us(const struct plan *p);

#endif
