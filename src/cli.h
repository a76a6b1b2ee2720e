/* cli.h — the command line: one option table, parsed into struct options;
 * --help is generated from the same table. Pure apart from printing usage. */
#ifndef LOADTOP_CLI_H
#define LOADTOP_CLI_H

#include <stdint.h>

/* The process's exit statuses (man page, EXIT STATUS). */
enum { EXIT_RAN = 0, EXIT_CHECKS = 1, EXIT_USAGE = 2, EXIT_FATAL = 3, EXIT_EXPECT = 21 };

enum cli_mode {
    MODE_RUN,
    MODE_TARGET,
    MODE_REPORT,
    MODE_MERGE,
    MODE_WATCH,
    MODE_HELP,
    MODE_VERSION
};

struct options {
    enum cli_mode mode;
    const char *script;  /* SCRIPT.yml (report subcommand: RUN.json), or NULL */
    const char **inputs; /* merge subcommand: the shards' reports (argv strings) */
    int ninputs;
    const char *url;         /* one-URL mode, or NULL */
    const char *target;      /* -t */
    const char *environment; /* -e */
    const char *variables; /* -v JSON: adds to / overrides config.variables (checked: an object) */
    int ignore_js;         /* --ignore-js: skip JavaScript in scripts instead of refusing them */
    const char *output;    /* -o FILE.json (report subcommand: OUT.md|OUT.html) */
    const char **reports;  /* --report FILE.md|FILE.html, repeatable (argv strings) */
    int nreports;
    const char **ensures; /* --ensure EXPR, repeatable (argv strings) */
    int nensures;
    int headless;          /* --headless (or stdout not a tty: decided in main) */
    int64_t interval_us;   /* --interval, default 10 s */
    int quiet;             /* -q */
    int insecure;          /* -k, --insecure: skip TLS verification */
    const char *cacert;    /* --cacert FILE */
    const char *cert;      /* --cert FILE: a client certificate, with --key */
    const char *key;       /* --key FILE */
    int http2;             /* --http2: negotiate HTTP/2 over TLS */
    int http2_prior;       /* --http2-prior-knowledge: h2c, no negotiation */
    const char *transport; /* --transport auto|native|curl; NULL = the plan's */
    int json;              /* --json: the JSON report on stdout (the summary goes to stderr) */
    int latency_dist;      /* --latency (wrk's): the latency distribution in the summary */
    char *url_buf;         /* heap: a URL given without its scheme, made http://; cli_free() */
    int workers;           /* -w N: worker threads, 0 = the plan's or the automatic rule */
    int shard, nshards;    /* --shard I/N; nshards 0 = not a shard */
    const char *serve;     /* --listen ADDR:PORT of a run: /metrics etc. (listen.h); NULL = off */
    const char *control_token_file; /* --control-token-file FILE */
    int64_t start_at_us;            /* --start-at, µs since the epoch; 0 = now */
    int max_vusers;                 /* --max-vusers N, 0 = the engine's default (ENGINE_MAX_VUS) */
    double rate;                    /* -r, 0 = closed model */
    int64_t duration_us;            /* -d, default 10 s */
    int duration_given;             /* -d was on the command line (-n alone runs to completion) */
    int64_t requests;               /* -n, 0 = none */
    int connections;                /* -c, default 50 */
    const char *method;             /* -m, default GET */
    const char **headers;           /* -H, repeatable (argv strings, not owned) */
    int nheaders;
    const char *body;         /* --body STRING|@FILE */
    int64_t timeout_us;       /* --timeout, 0 = not given */
    int fps;                  /* --fps, default 10 */
    const char *snapshot_dir; /* --snapshot-dir, default "." */
    int demo;                 /* --demo */
    /* target subcommand */
    const char *listen;    /* --listen ADDR:PORT */
    int capacity;          /* --capacity N */
    int latency_ms;        /* --latency MS */
    int header_timeout_ms; /* --header-timeout MS, default 10000 */
    int idle_timeout_ms;   /* --idle-timeout MS, default 60000 */
    int max_conns;         /* --max-connections N, default 10000 */
    char *method_buf;      /* heap, upper-cased copy behind `method`; cli_free() frees */
};

/* Parse argv into `o` (defaults first). On a usage error prints
 * "loadtop: message" and a hint to stderr and returns -1; otherwise 0.
 * `o->headers` and `o->method` are heap-allocated; free them with cli_free().
 * Prints nothing for valid input. */
int cli_parse(int argc, char **argv, struct options *o);
void cli_free(struct options *o);
/* Print --help (generated from the option table) to stdout. */
void cli_usage(void);

#endif
