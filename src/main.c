/* main.c — start-up, the plan, the engine thread, signals, headless output,
 * reports and the exit code. Signals are taken synchronously here
 * (sigtimedwait) on the main thread; every other thread blocks them. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "checks.h"
#include "cli.h"
#include "render.h"
#include "engine.h"
#include "report.h"
#include "saturation.h"
#include "listen.h"
#include "saved.h"
#include "scenario.h"
#include "snapfile.h"
#include "summary.h"
#include "target.h"
#include "ui.h"
#include "util.h"
#include "watchcmd.h"
#include "version.h"

/* `loadtop report`: the largest saved report read (a day at 1 s per second
 * of timeline is ~30 MB). */

/* One-URL mode: the plan is built by plan.c from what the options say. */
static int url_plan(const struct options *o, struct plan *p)
{
    struct url_run u = {
        .url = o->url,
        .method = o->method,
        .headers = o->headers,
        .nheaders = o->nheaders,
        .body = o->body,
        .rate = o->rate,
        .duration_us = o->duration_us,
        .duration_given = o->duration_given,
        .requests = o->requests,
        .connections = o->connections,
        .timeout_us = o->timeout_us,
    };
    return plan_from_url(&u, p, stderr);
}

/* One argument as reports may show it: credential headers, a literal
 * --body and a URL's password are replaced by [redacted]. `opt` is the
 * option this argument is the value of ("-H", "--body", ...) or NULL. */
static void show_arg(struct buf *b, const char *opt, const char *arg)
{
    if (opt && (!strcmp(opt, "-H") || !strcmp(opt, "--header"))) {
        size_t name = strcspn(arg, ":");
        if (arg[name] && header_is_secret(arg, name)) {
            buf_printf(b, "%.*s: [redacted]", (int)name, arg);
            return;
        }
    } else if (opt && !strcmp(opt, "--body") && arg[0] != '@') {
        buf_puts(b, "[redacted]");
        return;
    }
    char shown[2048];
    url_redact(shown, sizeof shown, arg);
    buf_puts(b, strlen(arg) < sizeof shown ? shown : arg);
}

/* The command line for reports and the banner, with secrets redacted. */
static char *command_line(int argc, char **argv)
{
    struct buf b = {0};
    const char *opt = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i)
            buf_puts(&b, " ");
        if (opt) {
            show_arg(&b, opt, a);
            opt = NULL;
        } else if (!strcmp(a, "-H") || !strcmp(a, "--header") || !strcmp(a, "--body")) {
            buf_puts(&b, a);
            opt = a;
        } else if (!strncmp(a, "-H", 2) && a[2]) {
            buf_puts(&b, "-H");
            show_arg(&b, "-H", a + 2);
        } else if (!strncmp(a, "--header=", 9) || !strncmp(a, "--body=", 7)) {
            size_t eq = strcspn(a, "=");
            char o[16];
            snprintf(o, sizeof o, "%.*s", (int)eq, a);
            buf_printf(&b, "%s=", o);
            show_arg(&b, o, a + eq + 1);
        } else {
            show_arg(&b, NULL, a);
        }
    }
    return b.data;
}

/* Mean planned arrival rate over the snapshot's last closed interval. */
static double interval_target(const struct snapshot *s)
{
    double sum = 0;
    int n = 0;
    for (int i = 0; i < s->nsec; i++) {
        int64_t t = (s->first_sec + i) * 1000000;
        if (t >= s->last_start_us && t < s->last_end_us) {
            sum += s->sec[i].target_rate;
            n++;
        }
    }
    return n ? sum / n : -1;
}

static void print_interval(FILE *f, const struct plan *p, const struct interval *iv,
                           const char *const *names, int nerrors, const struct host_sample *host,
                           int64_t start_wall, double target)
{
    time_t end = (time_t)((start_wall + iv->end_us) / 1000000);
    struct tm tm;
    localtime_r(&end, &tm);
    char title[128], hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    snprintf(title, sizeof title, "Metrics for period to: %s (width: %.3fs)", hms,
             (iv->end_us - iv->start_us) / 1e6);
    report_print_block(f, title, &iv->c, iv->s, names, nerrors, (iv->end_us - iv->start_us) / 1e6,
                       p->model == MODEL_CLOSED ? -1 : target, host);
}

/* Where progress lines and the summary go: stdout, unless it carries the
 * JSON report (--json, -o /dev/stdout). */
static FILE *human_out(const struct options *o)
{
    return o->json || (o->output && own_fd(o->output) == STDOUT_FILENO) ? stderr : stdout;
}

struct headless {
    const struct options *o;
    const struct plan *plan;
    int printed;        /* intervals printed */
    int events_printed; /* events seen (log lines go to stderr) */
    int signalled;      /* SIGINT, SIGTERM or SIGHUP came: leave soon */
    int64_t start_wall;
};

/* Run until the engine ends, handling signals and periodic output. */
static void headless_loop(struct engine *e, struct headless *h, const sigset_t *sigs)
{
    struct snapshot *s = xcalloc(1, sizeof *s); /* seq 0: engine_snapshot copies it all */
    struct source src = engine_source(e);
    int interrupts = 0;
    int64_t start_wall = h->start_wall;
    while (!engine_done(e)) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        int sig = sigtimedwait(sigs, NULL, &ts);
        if (sig == SIGINT) {
            interrupts++;
            h->signalled = 1;
            struct engine_cmd c = {.kind = interrupts == 1 ? CMD_STOP : CMD_ABORT};
            engine_send(e, &c);
            if (!h->o->quiet)
                fprintf(stderr, interrupts == 1
                                    ? "loadtop: stopping: no new arrivals, draining active VUs "
                                      "(interrupt again to stop at once)\n"
                                    : "loadtop: stopping now\n");
        } else if (sig == SIGTERM || sig == SIGHUP) {
            h->signalled = 1;
            /* Sent by timeout(1), Kubernetes, systemd or a closed terminal:
             * they wait only briefly, so the report must be written soon. */
            struct engine_cmd c = {.kind = CMD_STOP, .value = ENGINE_TERM_DRAIN_S};
            engine_send(e, &c);
            if (!h->o->quiet)
                fprintf(stderr, "loadtop: %s: stopping within %.0f s and writing the report\n",
                        sig == SIGTERM ? "SIGTERM" : "SIGHUP", ENGINE_TERM_DRAIN_S);
        } else if (sig == SIGUSR1) {
            char msg[300];
            if (snapfile_request(&src, h->o->snapshot_dir, msg, sizeof msg) < 0)
                fprintf(stderr, "loadtop: %s\n", msg);
        }
        char msg[300];
        if (snapfile_poll(&src, msg, sizeof msg) != 0 && !h->o->quiet)
            fprintf(stderr, "loadtop: %s\n", msg);
        engine_snapshot(e, s);
        /* the flow's `log` lines, failed expectations and warnings (the engine caps them) */
        for (int i = 0; i < s->nevents; i++) {
            int idx = s->total_events - s->nevents + i;
            if (idx < h->events_printed)
                continue;
            const struct event *ev = &s->ev[i];
            if (!strcmp(ev->kind, "log") || !strcmp(ev->kind, "expect") ||
                !strcmp(ev->kind, "warning") || !strcmp(ev->kind, "error"))
                fprintf(stderr, "%s: %s\n", ev->kind, ev->text);
        }
        h->events_printed = s->total_events;
        FILE *out = human_out(h->o);
        if (!h->o->quiet && s->nintervals > h->printed) {
            /* the snapshot carries the last closed interval */
            struct interval iv = {
                .start_us = s->last_start_us, .end_us = s->last_end_us, .c = s->last_c};
            memcpy(iv.s, s->last_s, sizeof iv.s);
            print_interval(out, h->plan, &iv, s->error_names, s->nerrors, &s->host, start_wall,
                           interval_target(s));
            fprintf(out, "phase %d/%d '%s' · %s · active VUs %llu\n", s->phase + 1, s->nphases,
                    h->plan->phases[s->phase].name, run_state_name(s->state),
                    (unsigned long long)s->active_vus);
            double lag_ms = iv.s[SUM_LAG].p99 / 1000.0;
            unsigned why = saturation_of(s->host.worker_cpu_pct, lag_ms);
            char sat[96];
            int behind = snapshot_worker_behind(s, why);
            if (why && behind >= 0)
                fprintf(out, "loadtop saturated: %s on worker %d\n",
                        saturation_describe(why, s->host.worker_cpu_pct, lag_ms, sat, sizeof sat),
                        behind);
            else if (why)
                fprintf(out, "loadtop saturated: %s\n",
                        saturation_describe(why, s->host.worker_cpu_pct, lag_ms, sat, sizeof sat));
            fprintf(out, "\n");
            fflush(out);
            h->printed = s->nintervals;
        }
    }
    free(s);
}

extern const char demo_yml[]; /* scenarios/demo.yml, embedded by the Makefile */

/* --demo: the built-in target in-process on a free loopback port, with a
 * modest capacity so that the demo's peak breaks it (ECONNRESET). */
static struct target *demo_start(struct plan *plan)
{
    struct target_opts to = {.listen = "127.0.0.1:0", .capacity = 40, .latency_ms = 20, .quiet = 1};
    int port = 0;
    struct target *t = target_start(&to, &port);
    if (!t)
        return NULL;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    struct scenario_opts so = {.target = url};
    memset(plan, 0, sizeof *plan);
    if (scenario_parse("scenarios/demo.yml", demo_yml, strlen(demo_yml), &so, plan, stderr) < 0) {
        target_stop(t);
        return NULL;
    }
    return t;
}

/* The command line's TLS and HTTP version options, over the script's. */
static void apply_transport_options(const struct options *o, struct plan *p)
{
    if (o->insecure)
        p->insecure = 1;
    if (o->cacert) {
        free(p->tls_ca);
        p->tls_ca = xstrdup(o->cacert);
    }
    if (o->cert) {
        free(p->tls_cert);
        free(p->tls_key);
        p->tls_cert = xstrdup(o->cert);
        p->tls_key = xstrdup(o->key);
    }
    if (o->http2)
        p->http_version = HTTP_V2_TLS;
    if (o->http2_prior)
        p->http_version = HTTP_V2_PRIOR;
    if (o->workers)
        p->workers = o->workers;
    if (o->transport)
        p->transport = (enum transport)plan_transport_of(o->transport);
}

/* Every report file must be writable before the run starts: finding out at
 * the end loses the results. The snapshot directory only gets a warning
 * (snapshots are optional, and the default is the current directory). */
static int check_outputs(const struct options *o)
{
    char why[300];
    if (o->output && writable_path(o->output, why, sizeof why) < 0) {
        fprintf(stderr, "loadtop: -o %s: %s\n", o->output, why);
        return -1;
    }
    for (int i = 0; i < o->nreports; i++)
        if (writable_path(o->reports[i], why, sizeof why) < 0) {
            fprintf(stderr, "loadtop: --report %s: %s\n", o->reports[i], why);
            return -1;
        }
    if (o->snapshot_dir) {
        char *probe = xasprintf("%s/loadtop-snapshot.json", o->snapshot_dir);
        if (writable_path(probe, why, sizeof why) < 0)
            fprintf(stderr, "loadtop: warning: --snapshot-dir %s: %s: snapshots will fail\n",
                    o->snapshot_dir, why);
        free(probe);
    }
    return 0;
}

/* --start-at: wait for the wall time `at` (µs since the epoch), so that
 * every shard starts the plan at the same instant. A signal that stops the
 * run ends the wait: 1; otherwise 0 (at once when `at` has passed). */
static int wait_until(int64_t at, const sigset_t *sigs, int quiet)
{
    int64_t left = at - wall_us();
    if (left <= 0) {
        if (at && left < -1000000 && !quiet)
            fprintf(stderr, "loadtop: --start-at was %.1f s ago: starting now\n", -left / 1e6);
        return 0;
    }
    if (!quiet)
        fprintf(stderr, "loadtop: starting in %.1f s (--start-at)\n", left / 1e6);
    while ((left = at - wall_us()) > 0) {
        struct timespec ts = {left / 1000000, (long)(left % 1000000) * 1000};
        int sig = sigtimedwait(sigs, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
            return 1;
    }
    return 0;
}

static int run(const struct options *o, int argc, char **argv)
{
    if (check_outputs(o) < 0)
        return EXIT_USAGE;
    /* Signals: blocked before any thread starts (the demo target's too), so
     * that only this thread takes them, with sigtimedwait. */
    sigset_t sigs;
    signals_block(&sigs);

    struct plan plan;
    struct target *demo = NULL;
    if (o->demo) {
        if (!(demo = demo_start(&plan)))
            return EXIT_FATAL;
    } else if (o->script) {
        struct scenario_opts so = {.target = o->target,
                                   .environment = o->environment,
                                   .variables = o->variables,
                                   .ignore_js = o->ignore_js};
        memset(&plan, 0, sizeof plan);
        if (scenario_load(o->script, &so, &plan, stderr) < 0)
            return EXIT_USAGE;
        if (o->timeout_us > 0)
            plan.timeout_us = o->timeout_us;
    } else {
        if (url_plan(o, &plan) < 0) {
            plan_free(&plan);
            return EXIT_USAGE;
        }
    }
    apply_transport_options(o, &plan);
    const char *why_not = plan.transport == TRANSPORT_NATIVE ? plan_not_native(&plan) : NULL;
    if (why_not) {
        fprintf(stderr, "loadtop: --transport native: %s (use auto or curl)\n", why_not);
        plan_free(&plan);
        return EXIT_USAGE;
    }
    if (o->nensures) {
        int first = plan.nensure;
        plan.ensure =
            xrealloc(plan.ensure, sizeof *plan.ensure * (size_t)(plan.nensure + o->nensures));
        for (int i = 0; i < o->nensures; i++)
            check_spec_condition(&plan.ensure[plan.nensure++], o->ensures[i], 1, 0, 0);
        if (checks_validate(plan.ensure + first, o->nensures, "--ensure", stderr)) {
            plan_free(&plan);
            if (demo)
                target_stop(demo);
            return EXIT_USAGE;
        }
    }

    if (o->nshards > 1 && plan.model == MODEL_CLOSED &&
        (plan.connections < o->nshards || (plan.max_requests && plan.max_requests < o->nshards))) {
        fprintf(stderr, "loadtop: --shard %d/%d: -c%s must be at least %d (one each)\n", o->shard,
                o->nshards, plan.max_requests ? " and -n" : "", o->nshards);
        plan_free(&plan);
        return EXIT_USAGE;
    }
    /* --listen: bound before the run, so that a bad address stops it first */
    struct listener *lis = NULL;
    if (o->control_token_file && !o->serve) {
        fprintf(stderr, "loadtop: --control-token-file needs --listen ADDR:PORT\n");
        plan_free(&plan);
        if (demo)
            target_stop(demo);
        return EXIT_USAGE;
    }
    if (o->serve) {
        int lport = 0;
        if (!(lis = listener_start(o->serve, o->control_token_file, &lport))) {
            plan_free(&plan);
            if (demo)
                target_stop(demo);
            return EXIT_USAGE;
        }
        if (!o->quiet)
            fprintf(stderr, "loadtop: serving /metrics, /snapshot and /control on port %d\n",
                    lport);
    }
    if (wait_until(o->start_at_us, &sigs, o->quiet)) {
        listener_stop(lis);
        plan_free(&plan);
        if (demo)
            target_stop(demo);
        return EXIT_USAGE;
    }
    char *line = command_line(argc, argv);
    cpu_set_t cpus;
    int ncpus = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
    struct engine_opts eo = {
        .workers = plan_workers(&plan, ncpus),
        .interval_us = o->interval_us,
        .max_vus = o->max_vusers,
        .shard = o->shard,
        .nshards = o->nshards,
        .version = loadtop_version,
        .argv_line = line,
    };
    struct engine *e = engine_start(&plan, &eo);
    if (!e) {
        listener_stop(lis);
        free(line);
        plan_free(&plan);
        return EXIT_FATAL;
    }
    listener_attach(lis, e);
    char shown[512];
    url_redact(shown, sizeof shown, plan.target ? plan.target : "");
    if (!o->quiet && plan_duration_us(&plan) >= PLAN_UNTIMED)
        fprintf(stderr, "loadtop %s: %s, %lld requests planned\n", loadtop_version, shown,
                (long long)plan.max_requests);
    else if (!o->quiet)
        fprintf(stderr, "loadtop %s: %s, %d phase%s, %.0fs planned\n", loadtop_version, shown,
                plan.nphases, plan.nphases == 1 ? "" : "s", plan_duration_us(&plan) / 1e6);
    struct headless h = {.o = o, .plan = &plan, .start_wall = wall_us()};
    int headless = o->headless || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO);
    if (headless) {
        headless_loop(e, &h, &sigs);
    } else {
        struct ui_opts uo = {.fps = o->fps,
                             .snapshot_dir = o->snapshot_dir,
                             .script = o->script,
                             .demo = o->demo,
                             .report = o->output     ? o->output
                                       : o->nreports ? o->reports[0]
                                                     : NULL};
        struct source src = engine_source(e);
        if (ui_run(&src, &plan, &uo, &sigs) != 0) {
            /* no usable terminal: carry on headless */
            headless_loop(e, &h, &sigs);
            headless = 1;
        }
    }
    engine_join(e);
    if (!h.signalled) /* a watcher sees the end; a signal means leave now */
        listener_linger(lis, 2000000);
    listener_stop(lis); /* the run is over: its report is what comes next */
    if (!headless)
        h.printed = engine_stats(e)->nintervals; /* the dashboard showed them */

    const struct stats *st = engine_stats(e);
    char msg[300];
    struct source src = engine_source(e);
    if (snapfile_poll(&src, msg, sizeof msg) != 0 && !o->quiet)
        fprintf(stderr, "loadtop: %s\n", msg);
    /* the summary always (-q too: a CI log must say how the run went); on
     * stderr when stdout carries the JSON report */
    FILE *out = human_out(o);
    if (!o->quiet)
        for (int i = h.printed; i < st->nintervals; i++)
            print_interval(out, &plan, &st->intervals[i], st->error_names, st->nerrors,
                           st->nseconds ? &st->seconds[st->nseconds - 1].host : NULL, h.start_wall,
                           -1);
    struct sumstat s[SUM_N];
    for (int i = 0; i < SUM_N; i++)
        sumstat_of(&s[i], st->total.sum[i]);
    double secs = engine_elapsed_us(e) / 1e6;
    fprintf(out, "All VUs finished. Total time: %.1f seconds\n\n", secs);
    report_print_block(out, "Summary report", &st->total.c, s, st->error_names, st->nerrors, secs,
                       -1, NULL);
    int rc = EXIT_RAN;
    struct check_result *res = NULL;
    int nres = 0;
    json_t *report = engine_report(e, &res, &nres);
    if (nres)
        checks_print(out, res, nres);
    summary_print(out, report, o->latency_dist);
    if (o->json) {
        char *text = report_text(report);
        fputs(text, stdout);
        free(text);
    }
    fflush(stdout);
    if (o->output && snapfile_write_report(o->output, report) < 0)
        rc = EXIT_FATAL;
    else if (o->output && !o->quiet)
        fprintf(stderr, "loadtop: report written: %s\n", o->output);
    for (int i = 0; i < o->nreports; i++) {
        if (snapfile_write_report(o->reports[i], report) < 0)
            rc = EXIT_FATAL;
        else if (!o->quiet)
            fprintf(stderr, "loadtop: report written: %s\n", o->reports[i]);
    }
    if (rc == EXIT_RAN && checks_failed_strict(res, nres))
        rc = EXIT_CHECKS;
    /* Artillery's expect plugin exits 21 on failed expectations; a failed
     * ensure check (1) ranks first, as the CI gate. */
    if (rc == EXIT_RAN && stats_counter(st, "plugins.expect.failed") > 0)
        rc = EXIT_EXPECT;
    if (rc == EXIT_RAN && (stats_counter(st, "loadtop.before.failed") > 0 ||
                           stats_counter(st, "loadtop.after.failed") > 0))
        rc = EXIT_FATAL;
    json_decref(report);
    check_results_free(res, nres);
    engine_free(e);
    plan_free(&plan);
    free(line);
    if (demo)
        target_stop(demo);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    struct options o;
    if (cli_parse(argc, argv, &o) < 0)
        return EXIT_USAGE;
    int rc = EXIT_RAN;
    switch (o.mode) {
    case MODE_HELP:
        cli_usage();
        break;
    case MODE_VERSION:
        printf("loadtop %s\n", loadtop_version);
        break;
    case MODE_REPORT:
        rc = saved_render(o.script, o.output);
        break;
    case MODE_MERGE:
        rc = saved_merge(&o);
        break;
    case MODE_WATCH:
        rc = watch_command(&o);
        break;
    case MODE_TARGET: {
        struct target_opts t = {.listen = o.listen,
                                .capacity = o.capacity,
                                .latency_ms = o.latency_ms,
                                .header_timeout_ms = o.header_timeout_ms,
                                .idle_timeout_ms = o.idle_timeout_ms,
                                .max_conns = o.max_conns,
                                .quiet = o.quiet};
        rc = target_main(&t);
        break;
    }
    case MODE_RUN:
        engine_global_init();
        rc = run(&o, argc, argv);
        break;
    }
    cli_free(&o);
    return rc;
}
