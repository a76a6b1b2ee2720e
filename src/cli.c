/* cli.c — one option table drives the parser, the defaults and --help. */
#include "cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli_int.h"
#include "plan.h"
#include "render.h"
#include "util.h"

/* Where an option makes sense; checked once the positional decides the run. */
enum {
    APPLY_SCRIPT = 1 << 0,
    APPLY_URL = 1 << 1,
    APPLY_DEMO = 1 << 2,
    APPLY_TARGET = 1 << 3,
    APPLY_REPORT = 1 << 4,
    APPLY_MERGE = 1 << 5,
    APPLY_WATCH = 1 << 6,
    APPLY_RUN = APPLY_SCRIPT | APPLY_URL | APPLY_DEMO,
    APPLY_ALL = APPLY_RUN | APPLY_TARGET | APPLY_REPORT | APPLY_MERGE | APPLY_WATCH,
};

enum cli_group { GROUP_GENERAL, GROUP_TLS, GROUP_URL, GROUP_DASH, GROUP_TARGET };
static const char *const cli_group_title[] = {"General", "TLS and HTTP versions", "One-URL runs",
                                              "Dashboard", "Target (loadtop target)"};

enum cli_kind {
    KIND_FLAG,   /* int = 1 */
    KIND_STR,    /* const char * = argv string, not empty */
    KIND_BODY,   /* const char * = argv string, maybe empty */
    KIND_URL,    /* const char * checked by url_check */
    KIND_FILE,   /* const char * naming a readable regular file */
    KIND_INT,    /* int in [min, max] */
    KIND_INT64,  /* int64_t in [min, max] */
    KIND_RATE,   /* double > 0 */
    KIND_DUR,    /* int64_t µs > 0, parse_duration_us syntax */
    KIND_HEADER, /* appended to headers[] */
    KIND_REPORT, /* appended to reports[]: FILE.md or FILE.html */
    KIND_ENSURE, /* appended to ensures[] */
    KIND_METHOD, /* upper-cased heap copy */
    KIND_VARS,   /* const char * holding a JSON object */
    KIND_LISTEN, /* const char * checked as ADDR:PORT */
    KIND_SHARD,  /* I/N into shard, nshards (cli_shard) */
    KIND_TIME,   /* int64_t µs since the epoch: seconds or RFC 3339 (cli_time) */
    KIND_HELP,
    KIND_VERSION,
};

struct cli_opt {
    const char *lng;
    char shrt;
    const char *arg; /* NULL: takes no argument */
    const char *help;
    const char *dflt; /* applied through the parser and shown by --help */
    enum cli_group group;
    unsigned apply;
    enum cli_kind kind;
    size_t off;
    long long min, max;
};

#define F(field) offsetof(struct options, field)

/* Grouped in --help order. Columns: long, short, argument, help, default,
 * group, where it applies, kind, field, min, max. */
static const struct cli_opt cli_opts[] = {
    {"target", 't', "URL", "base URL, overrides config.target", NULL, GROUP_GENERAL, APPLY_SCRIPT,
     KIND_URL, F(target), 0, 0},
    {"environment", 'e', "NAME", "use config.environments.NAME", NULL, GROUP_GENERAL, APPLY_SCRIPT,
     KIND_STR, F(environment), 0, 0},
    {"variables", 'v', "JSON", "add or override config.variables, e.g. '{\"id\": 7}'", NULL,
     GROUP_GENERAL, APPLY_SCRIPT, KIND_VARS, F(variables), 0, 0},
    {"ignore-js", 0, NULL, "skip JavaScript steps and hooks instead of refusing", NULL,
     GROUP_GENERAL, APPLY_SCRIPT, KIND_FLAG, F(ignore_js), 0, 0},
    {"output", 'o', "FILE", "write the report to FILE: JSON, or by extension .md, .html", NULL,
     GROUP_GENERAL, APPLY_RUN | APPLY_REPORT | APPLY_MERGE, KIND_STR, F(output), 0, 0},
    {"report", 0, "FILE", "also write FILE.md or FILE.html (repeatable)", NULL, GROUP_GENERAL,
     APPLY_RUN | APPLY_MERGE, KIND_REPORT, 0, 0, 0},
    {"ensure", 0, "EXPR", "a check on the results, e.g. 'http.response_time.p99 < 200'", NULL,
     GROUP_GENERAL, APPLY_RUN | APPLY_MERGE, KIND_ENSURE, 0, 0, 0},
    {"headless", 0, NULL, "no dashboard: progress lines and a summary", NULL, GROUP_GENERAL,
     APPLY_RUN, KIND_FLAG, F(headless), 0, 0},
    {"json", 0, NULL, "the JSON report on stdout, for a pipe (the summary goes to stderr)", NULL,
     GROUP_GENERAL, APPLY_RUN, KIND_FLAG, F(json), 0, 0},
    {"latency", 0, NULL, "the latency distribution in the summary, as wrk --latency", NULL,
     GROUP_GENERAL, APPLY_RUN | APPLY_MERGE, KIND_FLAG, F(latency_dist), 0, 0},
    {"interval", 0, "SECONDS", "period of headless progress lines", "10s", GROUP_GENERAL, APPLY_RUN,
     KIND_DUR, F(interval_us), 0, 0},
    {"quiet", 'q', NULL, "no progress lines: errors and the summary", NULL, GROUP_GENERAL,
     APPLY_ALL, KIND_FLAG, F(quiet), 0, 0},
    {"workers", 'w', "N", "worker threads (default: one per CPU, as the load needs)", NULL,
     GROUP_GENERAL, APPLY_RUN, KIND_INT, F(workers), 1, PLAN_MAX_WORKERS},
    {"listen", 0, "ADDR:PORT", "serve /metrics, /snapshot and /control there (e.g. 127.0.0.1:9464)",
     NULL, GROUP_GENERAL, APPLY_RUN, KIND_LISTEN, F(serve), 0, 0},
    {"control-token-file", 0, "FILE", "the bearer token POST /control must carry", NULL,
     GROUP_GENERAL, APPLY_RUN | APPLY_WATCH, KIND_FILE, F(control_token_file), 0, 0},
    {"shard", 0, "I/N", "run shard I (from 0) of N: arrivals k with k mod N = I, 1/N of -c and -n",
     NULL, GROUP_GENERAL, APPLY_RUN, KIND_SHARD, 0, 0, 0},
    {"start-at", 0, "TIME", "start the plan at TIME: epoch seconds or RFC 3339 (shards together)",
     NULL, GROUP_GENERAL, APPLY_RUN, KIND_TIME, F(start_at_us), 0, 0},
    {"max-vusers", 0, "N", "at most N VUs at once; arrivals past it are skipped (default 20000)",
     NULL, GROUP_GENERAL, APPLY_RUN, KIND_INT, F(max_vusers), 1, 10000000},

    {"version", 0, NULL, "print the version and exit", NULL, GROUP_GENERAL, APPLY_ALL, KIND_VERSION,
     0, 0, 0},
    {"help", 'h', NULL, "print this help and exit", NULL, GROUP_GENERAL, APPLY_ALL, KIND_HELP, 0, 0,
     0},

    {"insecure", 'k', NULL, "do not verify the server's TLS certificate (as curl -k)", NULL,
     GROUP_TLS, APPLY_RUN, KIND_FLAG, F(insecure), 0, 0},
    {"cacert", 0, "FILE", "verify servers with this CA certificate (PEM)", NULL, GROUP_TLS,
     APPLY_RUN, KIND_FILE, F(cacert), 0, 0},
    {"cert", 0, "FILE", "a client certificate (PEM), with --key", NULL, GROUP_TLS, APPLY_RUN,
     KIND_FILE, F(cert), 0, 0},
    {"key", 0, "FILE", "the client certificate's private key (PEM)", NULL, GROUP_TLS, APPLY_RUN,
     KIND_FILE, F(key), 0, 0},
    {"http2", 0, NULL, "negotiate HTTP/2 over TLS (ALPN); HTTP/1.1 otherwise", NULL, GROUP_TLS,
     APPLY_RUN, KIND_FLAG, F(http2), 0, 0},
    {"http2-prior-knowledge", 0, NULL, "HTTP/2 without negotiation, http:// too (h2c)", NULL,
     GROUP_TLS, APPLY_RUN, KIND_FLAG, F(http2_prior), 0, 0},
    {"transport", 0, "WHICH", "auto (loadtop's own HTTP/1.1 where it fits), native or curl", NULL,
     GROUP_TLS, APPLY_RUN, KIND_STR, F(transport), 0, 0},

    {"rate", 'r', "N", "arrivals per second, fractions allowed", NULL, GROUP_URL, APPLY_URL,
     KIND_RATE, F(rate), 0, 0},
    {"duration", 'd', "DURATION", "length of the run", "10s", GROUP_URL, APPLY_URL, KIND_DUR,
     F(duration_us), 0, 0},
    {"requests", 'n', "N", "stop after N requests", NULL, GROUP_URL, APPLY_URL, KIND_INT64,
     F(requests), 1, INT64_MAX},
    {"connections", 'c', "N", "concurrent connections", "50", GROUP_URL, APPLY_URL, KIND_INT,
     F(connections), 1, 100000},
    {"method", 'm', "METHOD", "HTTP method", "GET", GROUP_URL, APPLY_URL, KIND_METHOD, 0, 0, 0},
    {"header", 'H', "'K: V'", "add a request header (repeatable)", NULL, GROUP_URL, APPLY_URL,
     KIND_HEADER, 0, 0, 0},
    {"body", 0, "STRING|@FILE", "request body, or the contents of FILE", NULL, GROUP_URL, APPLY_URL,
     KIND_BODY, F(body), 0, 0},
    {"timeout", 0, "SECONDS", "per-request timeout", NULL, GROUP_URL, APPLY_URL, KIND_DUR,
     F(timeout_us), 0, 0},

    {"fps", 0, "N", "dashboard frames per second", "10", GROUP_DASH, APPLY_RUN | APPLY_WATCH,
     KIND_INT, F(fps), 1, 60},
    {"snapshot-dir", 0, "DIR", "where the 's' key writes snapshots", ".", GROUP_DASH,
     APPLY_RUN | APPLY_WATCH, KIND_STR, F(snapshot_dir), 0, 0},
    {"demo", 0, NULL, "dashboard demo against the built-in target", NULL, GROUP_DASH, APPLY_DEMO,
     KIND_FLAG, F(demo), 0, 0},

    {"listen", 0, "ADDR:PORT", "port 0 picks any free port", "127.0.0.1:8080", GROUP_TARGET,
     APPLY_TARGET, KIND_LISTEN, F(listen), 0, 0},
    {"capacity", 0, "N", "reset new connections past N requests in flight", NULL, GROUP_TARGET,
     APPLY_TARGET, KIND_INT, F(capacity), 0, 1000000000},
    {"latency", 0, "MS", "milliseconds added to every reply", NULL, GROUP_TARGET, APPLY_TARGET,
     KIND_INT, F(latency_ms), 0, 3600000},
    {"header-timeout", 0, "MS", "close a connection whose request head takes longer", "10000",
     GROUP_TARGET, APPLY_TARGET, KIND_INT, F(header_timeout_ms), 1, 86400000},
    {"idle-timeout", 0, "MS", "close a connection that sends nothing for this long", "60000",
     GROUP_TARGET, APPLY_TARGET, KIND_INT, F(idle_timeout_ms), 1, 86400000},
    {"max-connections", 0, "N", "close new connections past N open ones", "10000", GROUP_TARGET,
     APPLY_TARGET, KIND_INT, F(max_conns), 1, 1000000},
};

#define NOPTS ((int)(sizeof cli_opts / sizeof cli_opts[0]))

/* Store `val` for `d`. `name` is the option as the user spelled it, for messages. */
static int cli_apply(const struct cli_opt *d, const char *name, const char *val, struct options *o)
{
    char *field = (char *)o + d->off;
    long long n;
    switch (d->kind) {
    case KIND_FLAG:
        *(int *)field = 1;
        return 0;
    case KIND_STR:
        if (!*val)
            return cli_fail("%s: the value is empty", name);
        *(const char **)field = val;
        return 0;
    case KIND_FILE: {
        char shown[80];
        struct stat st;
        str_clip(shown, sizeof shown, val);
        if (!*val)
            return cli_fail("%s: the value is empty", name);
        if (stat(val, &st) < 0 || access(val, R_OK) < 0)
            return cli_fail("%s: %s: %s", name, shown, strerror(errno));
        if (!S_ISREG(st.st_mode))
            return cli_fail("%s: %s: not a regular file", name, shown);
        *(const char **)field = val;
        return 0;
    }
    case KIND_BODY:
        *(const char **)field = val;
        return 0;
    case KIND_URL:
        return cli_url(name, val, (const char **)field);
    case KIND_INT:
        if (cli_int(name, val, d->min, d->max, &n) < 0)
            return -1;
        *(int *)field = (int)n;
        return 0;
    case KIND_INT64:
        if (cli_int(name, val, d->min, d->max, &n) < 0)
            return -1;
        *(int64_t *)field = n;
        return 0;
    case KIND_RATE:
        return cli_rate(name, val, (double *)field);
    case KIND_SHARD:
        return cli_shard(name, val, &o->shard, &o->nshards);
    case KIND_TIME:
        return cli_time(name, val, (int64_t *)field);
    case KIND_DUR:
        return cli_duration(name, val, (int64_t *)field);
    case KIND_HEADER:
        return cli_header(name, val, o);
    case KIND_REPORT: {
        enum render_format f = render_format_of(val);
        if (f != RENDER_MARKDOWN && f != RENDER_HTML)
            return cli_bad(name, val, "must end in .md or .html");
        o->reports = xrealloc(o->reports, (size_t)(o->nreports + 1) * sizeof *o->reports);
        o->reports[o->nreports++] = val;
        return 0;
    }
    case KIND_ENSURE:
        o->ensures = xrealloc(o->ensures, (size_t)(o->nensures + 1) * sizeof *o->ensures);
        o->ensures[o->nensures++] = val;
        return 0;
    case KIND_METHOD:
        return cli_method(name, val, o);
    case KIND_VARS: {
        json_t *j = json_loads(val, JSON_DECODE_ANY, NULL);
        int ok = json_is_object(j);
        json_decref(j);
        if (!ok)
            return cli_bad(name, val, "is not a JSON object (e.g. '{\"id\": 7}')");
        *(const char **)field = val;
        return 0;
    }
    case KIND_LISTEN:
        return cli_listen(name, val, (const char **)field);
    case KIND_HELP:
        o->mode = MODE_HELP;
        return 0;
    case KIND_VERSION:
        o->mode = MODE_VERSION;
        return 0;
    }
    return 0;
}

/* Find the option `arg` names; *val gets an attached "=value" / "-c50" value. */
/* Short options other tools' users type, and the option each means here. */
static const struct {
    char shrt;
    const char *lng;
} cli_aliases[] = {
    {'z', "duration"}, /* oha, hey */
};

/* Find the option `arg` names; *val gets an attached "=value" / "-c50" value.
 * A long name used twice (--latency: the target's MS, a run's flag) means
 * the entry that applies where it is used (`where`, APPLY_ bits). */
static const struct cli_opt *cli_lookup(const char *arg, const char **val, unsigned where)
{
    *val = NULL;
    const struct cli_opt *found = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2;
        size_t len = strcspn(name, "=");
        for (int i = 0; i < NOPTS; i++)
            if (strlen(cli_opts[i].lng) == len && !strncmp(cli_opts[i].lng, name, len) &&
                (!found || (cli_opts[i].apply & where))) {
                if (name[len] == '=')
                    *val = name + len + 1;
                found = &cli_opts[i];
            }
        return found;
    }
    char shrt = arg[1];
    for (size_t k = 0; k < sizeof cli_aliases / sizeof cli_aliases[0]; k++)
        if (cli_aliases[k].shrt == shrt)
            for (int i = 0; i < NOPTS; i++)
                if (!strcmp(cli_opts[i].lng, cli_aliases[k].lng))
                    shrt = cli_opts[i].shrt;
    for (int i = 0; i < NOPTS; i++)
        if (cli_opts[i].shrt && cli_opts[i].shrt == shrt) {
            if (arg[2])
                *val = arg + 2;
            return &cli_opts[i];
        }
    return NULL;
}

/* Edit distance of a and b (each at most 63 bytes; longer: a large number). */
static int cli_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* The long option `name` (n bytes) was probably meant to be, or NULL. */
static const char *cli_suggest(const char *name, size_t n)
{
    const char *best = NULL;
    int bd = 3;
    for (int i = 0; i < NOPTS; i++) {
        int d = cli_distance(name, n, cli_opts[i].lng);
        /* a prefix of a long name counts as close: --dur for --duration */
        if (n >= 3 && !strncmp(cli_opts[i].lng, name, n))
            d = 1;
        if (d < bd && d <= (int)(n + 2) / 3 + 1) {
            bd = d;
            best = cli_opts[i].lng;
        }
    }
    return best;
}

/* Why option `d` does not fit the run `apply` (one APPLY_ bit). */
static int cli_misplaced(const struct cli_opt *d, unsigned apply)
{
    if (apply == APPLY_TARGET)
        return cli_fail("--%s does not apply to 'loadtop target'", d->lng);
    if (apply == APPLY_REPORT)
        return cli_fail("--%s does not apply to 'loadtop report'", d->lng);
    if (apply == APPLY_MERGE)
        return cli_fail("--%s does not apply to 'loadtop merge'", d->lng);
    if (apply == APPLY_WATCH)
        return cli_fail("--%s does not apply to 'loadtop watch'", d->lng);
    if (d->apply == APPLY_TARGET)
        return cli_fail("--%s applies to 'loadtop target' only", d->lng);
    if (d->apply & APPLY_URL)
        return cli_fail("--%s applies to one-URL runs", d->lng);
    return cli_fail("--%s applies to script runs", d->lng);
}

static int cli_parse_args(int argc, char **argv, struct options *o)
{
    unsigned char seen[NOPTS] = {0};
    const char *positional = NULL;
    int i = 1, options_done = 0;

    if (argc > 1 && !strcmp(argv[1], "target")) {
        o->mode = MODE_TARGET;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "report")) {
        o->mode = MODE_REPORT;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "merge")) {
        o->mode = MODE_MERGE;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "watch")) {
        o->mode = MODE_WATCH;
        i = 2;
    } else if (argc > 1 && !strcmp(argv[1], "run")) {
        i = 2;
    }
    for (; i < argc; i++) {
        const char *arg = argv[i], *val;
        char shown[64];
        if (options_done || arg[0] != '-' || !arg[1]) {
            if (o->mode == MODE_WATCH && cli_endpoint(arg) < 0)
                return -1;
            if (o->mode == MODE_MERGE || o->mode == MODE_WATCH) { /* any number */
                o->inputs = xrealloc(o->inputs, sizeof *o->inputs * (size_t)(o->ninputs + 1));
                o->inputs[o->ninputs++] = arg;
                continue;
            }
            if (positional)
                return cli_fail("unexpected argument '%s' (one script or URL at a time)",
                                str_clip(shown, sizeof shown, arg));
            if (o->mode == MODE_TARGET)
                return cli_fail("unexpected argument '%s' ('loadtop target' takes none)",
                                str_clip(shown, sizeof shown, arg));
            positional = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            options_done = 1;
            continue;
        }
        unsigned where = o->mode == MODE_TARGET   ? APPLY_TARGET
                         : o->mode == MODE_REPORT ? APPLY_REPORT
                         : o->mode == MODE_MERGE  ? APPLY_MERGE
                         : o->mode == MODE_WATCH  ? APPLY_WATCH
                                                  : APPLY_RUN;
        const struct cli_opt *d = cli_lookup(arg, &val, where);
        if (!d) {
            char *opt = xstrndup(arg, arg[1] == '-' ? strcspn(arg, "=") : 2);
            const char *near = arg[1] == '-' ? cli_suggest(opt + 2, strlen(opt + 2)) : NULL;
            if (near)
                cli_fail("unknown option '%s' (did you mean --%s?)",
                         str_clip(shown, sizeof shown, opt), near);
            else
                cli_fail("unknown option '%s'", str_clip(shown, sizeof shown, opt));
            free(opt);
            return -1;
        }
        char name[64];
        if (arg[1] == '-')
            snprintf(name, sizeof name, "--%s", d->lng);
        else
            snprintf(name, sizeof name, "-%c", d->shrt);
        if (!d->arg && val)
            return cli_fail("%s takes no argument", name);
        if (d->arg && !val) {
            if (i + 1 >= argc)
                return cli_fail("%s requires an argument (%s)", name, d->arg);
            val = argv[++i];
        }
        if (cli_apply(d, name, val, o) < 0)
            return -1;
        if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
            return 0;
        if (d->off == offsetof(struct options, quiet) && d->kind == KIND_FLAG && i + 1 < argc &&
            cli_numeric(argv[i + 1]))
            return cli_fail("%s is --quiet here; for %s arrivals a second (hey and oha's -q) use "
                            "-r %s",
                            name, str_clip(shown, sizeof shown, argv[i + 1]), shown);
        seen[d - cli_opts] = 1;
        if (d->kind == KIND_DUR && d->off == offsetof(struct options, duration_us))
            o->duration_given = 1;
    }

    unsigned run = APPLY_TARGET;
    if (o->mode == MODE_MERGE) {
        run = APPLY_MERGE;
        if (!o->ninputs)
            return cli_fail("merge: give the shards' reports (SHARD.json ...)");
    } else if (o->mode == MODE_WATCH) {
        run = APPLY_WATCH;
        if (!o->ninputs)
            return cli_fail("watch: give the shards' --listen addresses (HOST:PORT ...)");
        if (o->ninputs > 64)
            return cli_fail("watch: at most 64 HOST:PORT");
    } else if (o->mode == MODE_REPORT) {
        run = APPLY_REPORT;
        if (!positional)
            return cli_fail("report: give the RUN.json to render");
        o->script = positional;
    } else if (o->mode != MODE_TARGET) {
        if (positional && o->demo)
            return cli_fail("--demo takes no script or URL");
        if (!positional && !o->demo)
            return cli_fail("nothing to run: give a SCRIPT.yml, a URL or --demo");
        if (o->demo)
            run = APPLY_DEMO;
        else if (cli_is_url(positional))
            run = APPLY_URL, o->url = positional;
        else if (cli_other_scheme(positional))
            return cli_bad(NULL, positional, "is not an http:// or https:// URL");
        else if (cli_hostlike(positional)) {
            /* curl's habit: no scheme means http:// */
            o->url_buf = xasprintf("http://%s", positional);
            run = APPLY_URL, o->url = o->url_buf;
            char shown[80];
            fprintf(stderr, "loadtop: taking '%s' as %s\n",
                    str_clip(shown, sizeof shown, positional), o->url_buf);
        } else
            run = APPLY_SCRIPT, o->script = positional;
    }
    if (!o->cert != !o->key)
        return cli_fail("%s needs %s too (a client certificate and its key)",
                        o->cert ? "--cert" : "--key", o->cert ? "--key" : "--cert");
    if (o->http2 && o->http2_prior)
        return cli_fail("--http2 and --http2-prior-knowledge: choose one");
    if (o->transport && plan_transport_of(o->transport) < 0)
        return cli_bad("--transport", o->transport, "is not auto, native or curl");
    for (int k = 0; k < NOPTS; k++)
        if (seen[k] && !(cli_opts[k].apply & run))
            return cli_misplaced(&cli_opts[k], run);
    if (o->url)
        return cli_url(NULL, o->url, &o->url);
    return 0;
}

int cli_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = MODE_RUN;
    for (int k = 0; k < NOPTS; k++)
        if (cli_opts[k].dflt)
            cli_apply(&cli_opts[k], cli_opts[k].lng, cli_opts[k].dflt, o);
    if (cli_parse_args(argc, argv, o) < 0) {
        cli_free(o);
        return -1;
    }
    return 0;
}

void cli_free(struct options *o)
{
    free(o->inputs);
    o->inputs = NULL;
    o->ninputs = 0;
    free(o->headers);
    o->headers = NULL;
    o->nheaders = 0;
    free(o->reports);
    o->reports = NULL;
    o->nreports = 0;
    free(o->ensures);
    o->ensures = NULL;
    o->nensures = 0;
    if (o->method == o->method_buf)
        o->method = NULL;
    free(o->method_buf);
    o->method_buf = NULL;
    if (o->url == o->url_buf)
        o->url = NULL;
    free(o->url_buf);
    o->url_buf = NULL;
}

void cli_usage(void)
{
    char spell[NOPTS][64];
    int width = 0;
    for (int k = 0; k < NOPTS; k++) {
        const struct cli_opt *d = &cli_opts[k];
        int n = snprintf(spell[k], sizeof spell[k], "%c%c%c --%s%s%s", d->shrt ? '-' : ' ',
                         d->shrt ? d->shrt : ' ', d->shrt ? ',' : ' ', d->lng, d->arg ? " " : "",
                         d->arg ? d->arg : "");
        if (n > width)
            width = n;
    }
    printf("Usage: loadtop [run] [OPTIONS] SCRIPT.yml  run an Artillery v2 script\n"
           "       loadtop [OPTIONS] URL                load-test one http(s):// URL\n"
           "       loadtop target [OPTIONS]             run the built-in target server\n"
           "       loadtop --demo [OPTIONS]             dashboard demo, built-in target\n"
           "       loadtop report RUN.json -o OUT.md|OUT.html   render a saved run\n"
           "       loadtop merge SHARD.json... -o RUN.json      the shards (--shard) as one run\n"
           "       loadtop watch HOST:PORT...           one dashboard over runs' --listen\n");
    for (int k = 0; k < NOPTS; k++) {
        const struct cli_opt *d = &cli_opts[k];
        if (k == 0 || d->group != cli_opts[k - 1].group)
            printf("\n%s:\n", cli_group_title[d->group]);
        printf("  %-*s  %s", width, spell[k], d->help);
        if (d->dflt)
            printf(" (default %s)", d->dflt);
        putchar('\n');
    }
    printf("\nDurations: 500ms, 10s, 2m, 1h; a bare number is seconds. See loadtop(1).\n");
}
