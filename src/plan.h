/* plan.h — the model of a load test: target, phases, scenarios, flows, HTTP
 * options. Filled by scenario.c (from YAML) or cli.c (one-URL mode), read by
 * the engine and the reports. A plan is immutable once the run starts.
 * Ownership: the plan owns every string and array in it; plan_free() frees. */
#ifndef LOADTOP_PLAN_H
#define LOADTOP_PLAN_H

#include <stdint.h>
#include <stdio.h>

/* Limits on what a script or a command line may ask for; past them the
 * input is refused with a message that names the limit. Chosen far above
 * real scripts: they bound memory and time, and keep the schedule's
 * microsecond arithmetic exact. */
#define PLAN_MAX_RATE 1000000.0 /* arrivals a second: at least one µs tick apart */
#define PLAN_MAX_DURATION_US (8760LL * 3600 * 1000000) /* any duration: a year, 8760h */
#define PLAN_MAX_CONNECTIONS 100000                    /* -c and config.http.pool */
#define PLAN_MAX_PHASES 1000                           /* each keeps its own histograms */
#define PLAN_MAX_SCENARIOS 1000
#define PLAN_MAX_STEPS 10000    /* in the whole script, loop bodies and before/after included */
#define PLAN_MAX_ENDPOINTS 1000 /* distinct request names: each keeps its own histograms */
#define PLAN_MAX_HEADERS 100    /* in one mapping of headers or cookies, or -H options */
#define PLAN_MAX_PAYLOADS 20    /* config.payload files */
#define PLAN_MAX_LOOP_DEPTH 16  /* loops inside loops (the engine's VU_MAX_DEPTH) */

struct check_spec;
struct expr;
struct json_t; /* jansson's */

enum phase_kind {
    PHASE_PAUSE, /* pause: T (or arrivalRate: 0) — no arrivals */
    PHASE_COUNT, /* arrivalCount: C over duration */
    PHASE_RAMP,  /* arrivalRate: a, rampTo: b over duration */
    PHASE_CONST, /* arrivalRate: a over duration */
};

struct phase {
    char *name; /* "unnamed" when the script gives none */
    enum phase_kind kind;
    int64_t duration_us; /* > 0 */
    double rate;         /* arrivalRate (CONST, RAMP) */
    double rate_to;      /* rampTo (RAMP) */
    int64_t count;       /* arrivalCount (COUNT) */
    int max_vusers;      /* 0 = unlimited */
    int line, col;       /* position in the script, 1-based; 0 if none */
};

struct header {
    char *name, *value;
};

enum step_kind {
    STEP_REQUEST,
    STEP_THINK,
    STEP_LOOP,
    STEP_LOG,      /* log: a message to the event log */
    STEP_FUNCTION, /* a JavaScript function skipped by --ignore-js: counted as an error */
};

enum body_kind { BODY_NONE, BODY_RAW, BODY_JSON, BODY_FORM };

enum capture_kind { CAPTURE_JSON, CAPTURE_HEADER, CAPTURE_REGEXP };

/* capture: one value of the response stored in a VU variable. */
struct capture {
    enum capture_kind kind;
    char *expr; /* JSONPath, header name or POSIX extended regexp; templates allowed */
    char *as;   /* the variable; dots make objects ("user.id") */
    int group;  /* CAPTURE_REGEXP: subexpression to take, 0 = the whole match */
    int icase;  /* CAPTURE_REGEXP: flags "i" */
    int strict; /* an empty or missing value fails the VU (default) */
    int line, col;
};

/* expect: one check of the expect plugin (expect.h). */
struct expectation {
    char *type;         /* "statusCode", "hasHeader", ... */
    struct json_t *arg; /* the argument as JSON; its strings may hold templates */
    int line, col;
};

/* Strings of a step may hold {{ templates }}, rendered per VU by the engine. */
struct step {
    enum step_kind kind;
    int line, col;
    /* STEP_REQUEST */
    char *method;           /* "GET", "POST", ... */
    char *url;              /* full URL, target already prepended (unless it starts with a
                               template: then the target is prepended if it renders to "/...") */
    struct header *headers; /* step headers (defaults are in struct plan) */
    int nheaders;
    enum body_kind body_kind;
    char *body;          /* raw body, serialised JSON or encoded form (without templates) */
    struct json_t *json; /* BODY_JSON with templates: the tree, rendered per request */
    struct header *form; /* BODY_FORM with templates: the fields, encoded per request */
    int nform;
    struct header *qs; /* qs with templates: appended to url per request (else in url) */
    int nqs;
    struct header *cookies; /* cookie: added to the VU's cookie jar before the request */
    int ncookies;
    char *auth_user, *auth_pass; /* auth: basic credentials; NULL = none */
    struct capture *captures;
    int ncaptures;
    struct expectation *expects;
    int nexpects;
    struct expr *if_true; /* ifTrue (expr.h, EXPR_IFTRUE); NULL = none */
    int has_probability;  /* probability: sent with this chance (percent), else always */
    double probability;
    int no_redirect; /* followRedirect: false */
    int gzip;        /* gzip: true */
    int endpoint;    /* index into plan.endpoints; -1 in before/after */
    /* STEP_THINK */
    int64_t think_us;
    char *think_tpl; /* think given as a template (seconds), NULL = think_us */
    char *jitter;    /* jitter: "10%" or milliseconds; NULL = config's default */
    /* STEP_LOOP */
    int64_t loop_from;   /* first $loopCount: 0, or A of a range "A-B" */
    int64_t loop_count;  /* iterations end before this $loopCount (count: N, or B) */
    char *count_tpl;     /* count given as a template, rendered per VU; NULL = above */
    struct json_t *over; /* over: [list] (strings may hold templates); NULL = none */
    char *over_var;      /* over: variableName; NULL = none */
    char *loop_value;    /* loopValue, default "$loopCount" */
    char *loop_element;  /* loopElement, default "$loopElement" */
    struct step *steps;  /* loop body */
    int nsteps;
    /* STEP_LOG: the message; STEP_FUNCTION: its error name, `Undefined function "f"` */
    char *text;
};

struct scenario {
    char *name; /* "scenario N" (1-based) when unnamed */
    int weight; /* >= 0 */
    struct step *steps;
    int nsteps;
};

/* config.payload: rows of a CSV file for VU variables (csv.h). */
struct payload {
    char *path; /* as written in the script */
    char **fields;
    int nfields;
    int sequence;        /* order: sequence (else random) */
    char *name;          /* loadAll: the variable holding every row; NULL = one row per VU */
    struct json_t *rows; /* array of rows, each an array of values */
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
    char *script;      /* path of the script, NULL in one-URL mode */
    char *target;      /* base URL */
    char *environment; /* -e NAME, or NULL */
    struct phase *phases;
    int nphases;
    struct scenario *scenarios;
    int nscenarios;
    struct endpoint *endpoints;
    int nendpoints;
    struct header *default_headers;
    int ndefault_headers;
    struct json_t *variables; /* config.variables + -v: name -> value; a list value means
                                 one element at random per VU. NULL = none */
    struct payload *payloads;
    int npayloads;
    struct scenario *before,
        *after; /* run once before the phases / after the last VU; NULL = none */
    struct header *default_cookies; /* config.defaults.cookie */
    int ndefault_cookies;
    char *think_jitter; /* config.defaults.think.jitter; NULL = none */
    int expect;         /* config.plugins.expect is set: `expect` checks run */
    int expect_errors;  /* plugins.expect.reportFailuresAsErrors */
    int64_t timeout_us; /* config.http.timeout, default 10 s */
    int pool;           /* config.http.pool / -c in one-URL mode; 0 = a connection per VU */
    enum run_model model;
    int connections;          /* MODEL_CLOSED: concurrent loops */
    int64_t max_requests;     /* one-URL -n: stop after this many requests; 0 = none */
    int insecure;             /* skip TLS verification (config.tls.rejectUnauthorized: false) */
    char *tls_ca;             /* CA bundle to verify the server with (PEM), or NULL: the system's */
    char *tls_cert, *tls_key; /* client certificate and its key (PEM), or NULL */
    enum http_version {
        HTTP_V1_1,     /* HTTP/1.1 only (Artillery's default) */
        HTTP_V2_TLS,   /* HTTP/2 negotiated over TLS (ALPN), else 1.1 */
        HTTP_V2_PRIOR, /* HTTP/2 without TLS or negotiation (h2c prior knowledge) */
    } http_version;
    int workers; /* config.workers / -w: worker threads; 0 = plan_workers()'s rule */
    enum transport {
        TRANSPORT_AUTO,   /* native (native.h) for the requests it carries, libcurl for the rest */
        TRANSPORT_NATIVE, /* the same, and the plan's target must be one it carries */
        TRANSPORT_CURL,   /* libcurl for everything */
    } transport;
    struct check_spec *ensure; /* config.ensure / plugins.ensure, then --ensure (checks.h) */
    int nensure;
};

#define PLAN_MAX_WORKERS 256 /* -w and config.workers */
/* Arrivals a second of the plan's peak rate that one worker is given at
 * most when the number of workers is chosen for the user (a worker core
 * carries ~10 000 fresh connections/s, ~45 000 pooled requests/s). */
#define PLAN_RATE_PER_WORKER 5000.0

/* The worker threads a run uses: `p->workers` when set, else one per CPU
 * the process may run on (`cpus`), but never more than the load needs: one
 * per PLAN_RATE_PER_WORKER arrivals/s of the peak rate (open model), one per
 * connection (closed model); never more than a pool's connections. At
 * least 1. Pure: the caller passes the CPU count. */
int plan_workers(const struct plan *p, int cpus);
/* "auto", "native", "curl" as enum transport; -1 for anything else. */
int plan_transport_of(const char *name);
/* enum transport's name. */
const char *plan_transport_name(enum transport t);
/* The plan's target, if it is one the native transport cannot carry
 * (https://, HTTP/2, a host name rather than an address): why, else NULL.
 * For --transport native, which refuses such a plan. */
const char *plan_not_native(const struct plan *p);

/* The highest arrival rate the plan's phases ask for (arrivals/s). */
double plan_peak_rate(const struct plan *p);

/* Free everything a plan owns and zero it. Safe on a zeroed plan. */
void plan_free(struct plan *p);

/* Return the index of the endpoint with `key`, adding it if new. */
int plan_endpoint(struct plan *p, const char *key);

/* Total planned duration of all phases in µs; PLAN_UNTIMED or more when
 * the run has no planned length (a one-URL run with -n and no -d: it ends
 * when its requests are done). */
int64_t plan_duration_us(const struct plan *p);
#define PLAN_UNTIMED (INT64_MAX / 4)

/* Is `name: value` a header loadtop may send? The name an RFC 9110 token,
 * the value without control characters (a tab is fine) or DEL: no CR or
 * LF, so that no header or request can be smuggled in. Returns 0, or -1
 * with a short reason in why (n bytes; it never quotes the value) and in
 * *at the 0-based byte offset of the fault in the name or the value, and
 * *in_value = 1 when it is in the value. `value` may be NULL: the name only. */
int plan_header_check(const char *name, const char *value, int *at, int *in_value, char *why,
                      size_t n);

#define PLAN_MAX_BODY_FILE (10 << 20) /* --body @FILE */

/* One-URL mode: what the command line says (cli.h's struct options, by
 * value, so that this module needs no cli.h). Strings are borrowed. */
struct url_run {
    const char *url;
    const char *method;         /* upper case */
    const char *const *headers; /* "Name: value" */
    int nheaders;
    const char *body; /* STRING, or @FILE; NULL = none */
    double rate;      /* > 0: open model; 0: closed */
    int64_t duration_us;
    int duration_given; /* -d was given (else -n alone runs to completion) */
    int64_t requests;   /* 0 = none */
    int connections;
    int64_t timeout_us; /* 0 = the default, 10 s */
};

/* Fill `p` (any contents: it is zeroed first) with the plan of a one-URL
 * run: one request, open (rate) or closed model. --body @FILE is read here:
 * it must be a regular file of at most PLAN_MAX_BODY_FILE bytes without
 * NUL bytes (opened non-blocking, so that a FIFO never blocks). Returns 0,
 * or -1 after printing "loadtop: OPTION: message" lines to `diag` (the
 * file's contents never appear in them); `p` must be freed either way. */
int plan_from_url(const struct url_run *u, struct plan *p, FILE *diag);

#endif
