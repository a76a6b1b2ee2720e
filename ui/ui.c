/* ui.c — the dashboard's life: terminal set-up and restore (on every exit
 * path), stderr capture, the frame loop (signals, snapshot, keys, redraw at
 * a fixed rate), and the layout that fits the panels into the terminal. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snapfile.h"
#include "ui_int.h"
#include "util.h"

/* The terminal and stderr as the restore paths (atexit, fatal signals)
 * need them: process-wide because those paths have no other way in. */
static struct {
    volatile sig_atomic_t active; /* curses owns the screen */
    int saved_err;                /* the real stderr, while captured */
    int cap_fd;                   /* the temp file stderr goes to */
    FILE *cap;
    int atexit_set;
} term = {0, -1, -1, NULL, 0};

static const int fatal_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define NFATAL ((int)(sizeof fatal_sigs / sizeof fatal_sigs[0]))
static struct sigaction old_fatal[NFATAL];

/* The signals the frame loop takes with sigtimedwait. A thread started
 * before the caller blocked them (the demo's target) could still receive
 * them, and curses would install its own exit-on-SIGINT/SIGTERM handlers;
 * this handler instead hands them to the UI thread, where they are
 * blocked, so sigtimedwait gets them whichever thread the kernel chose. */
static const int taken_sigs[] = {SIGINT, SIGTERM, SIGUSR1};
#define NTAKEN ((int)(sizeof taken_sigs / sizeof taken_sigs[0]))
static struct sigaction old_taken[NTAKEN];
static pthread_t ui_thread;

/* Give the terminal back and replay what was written to stderr meanwhile.
 * Idempotent; only plain fd calls after endwin so that the fatal-signal
 * path can use it too. */
static void term_restore(void)
{
    if (term.active) {
        term.active = 0;
        endwin();
    }
    if (term.saved_err >= 0) {
        fflush(stderr);
        dup2(term.saved_err, STDERR_FILENO);
        close(term.saved_err);
        term.saved_err = -1;
        char b[4096];
        ssize_t n;
        off_t off = 0;
        while ((n = pread(term.cap_fd, b, sizeof b, off)) > 0) {
            off += n;
            if (write(STDERR_FILENO, b, (size_t)n) < 0)
                break;
        }
    }
}

static void on_fatal(int sig)
{
    term_restore();
    /* SA_RESETHAND put the default action back: die the way we would have */
    raise(sig);
}

static void on_taken(int sig)
{
    if (!pthread_equal(pthread_self(), ui_thread))
        pthread_kill(ui_thread, sig);
}

static void capture_stderr(void)
{
    term.cap = tmpfile();
    if (!term.cap)
        return; /* stderr then scribbles over the screen; still better than no UI */
    term.cap_fd = fileno(term.cap);
    fflush(stderr);
    term.saved_err = dup(STDERR_FILENO);
    if (term.saved_err < 0 || dup2(term.cap_fd, STDERR_FILENO) < 0) {
        if (term.saved_err >= 0)
            close(term.saved_err);
        term.saved_err = -1;
    }
}

static void install_restore(void)
{
    if (!term.atexit_set) {
        atexit(term_restore);
        term.atexit_set = 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NFATAL; i++)
        sigaction(fatal_sigs[i], &sa, &old_fatal[i]);
    ui_thread = pthread_self();
    sa.sa_handler = on_taken;
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < NTAKEN; i++)
        sigaction(taken_sigs[i], &sa, &old_taken[i]);
}

static void uninstall_restore(void)
{
    for (int i = 0; i < NFATAL; i++)
        sigaction(fatal_sigs[i], &old_fatal[i], NULL);
    for (int i = 0; i < NTAKEN; i++)
        sigaction(taken_sigs[i], &old_taken[i], NULL);
    if (term.cap) {
        fclose(term.cap);
        term.cap = NULL;
        term.cap_fd = -1;
    }
}

static int term_start(void)
{
    setlocale(LC_ALL, "");
    /* the engine thread prints numbers into reports: keep '.' as the point */
    setlocale(LC_NUMERIC, "C");
    int utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    capture_stderr();
    install_restore();
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        term_restore();
        uninstall_restore();
        fprintf(stderr, "loadtop: cannot use the terminal (TERM=%s): running headless\n",
                getenv("TERM") ? getenv("TERM") : "");
        return -1;
    }
    term.active = 1;
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    /* no typeahead checks: they poll stdin in the middle of each update */
    typeahead(-1);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    int color = has_colors() && !(nc && *nc);
    if (color) {
        start_color();
        use_default_colors();
    }
    ui_draw_init(color, utf8);
    /* ncurses 6.4 flushes after every cursor move until the screen has been
     * through endwin once (_endwin == ewInitial): a dozen writes a frame,
     * each waking the terminal. One suspend/resume makes it one write. */
    endwin();
    refresh();
    return 0;
}

/* Per-frame values the panels share: rising errors, saturation. */
static void derive(struct ui_state *u, const struct snapshot *s)
{
    memset(u->rising, 0, sizeof u->rising);
    if (s->nsec >= 3) {
        const struct second *a = &s->sec[s->nsec - 3], *b = a + 1, *c = a + 2;
        for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++)
            u->rising[i] = c->errors[i] > a->errors[i] && b->errors[i] >= a->errors[i] &&
                           c->errors[i] >= b->errors[i];
    }
    /* Lag of the last interval (the whole run before the first one closes):
     * past 10 ms the generator starts requests late, so what it measures is
     * partly its own queueing. */
    u->lag_p99 = s->nintervals ? s->last_s[SUM_LAG].p99 : s->total_s[SUM_LAG].p99;
    char b[16];
    u->saturated = 1;
    if (s->host.self_cpu_pct > 90 && s->state != ENG_DONE)
        snprintf(u->sat_why, sizeof u->sat_why, "own CPU %.0f%% of a core", s->host.self_cpu_pct);
    else if (u->lag_p99 > 10000)
        snprintf(u->sat_why, sizeof u->sat_why, "schedule lag p99 %s",
                 ui_fmt_us(b, sizeof b, u->lag_p99));
    else
        u->saturated = 0;
}

static void draw_small(const struct ui_state *u)
{
    char b[64];
    int y = LINES / 2 - 1;
    snprintf(b, sizeof b, "terminal too small (need %d%s%d)", UI_MIN_W, ui_glyph(G_TIMES),
             UI_MIN_H);
    int w = ui_width(b);
    ui_put(y, w < COLS ? (COLS - w) / 2 : 0, COLS, UC_BAD, b);
    snprintf(b, sizeof b, "now %d%s%d", COLS, ui_glyph(G_TIMES), LINES);
    w = ui_width(b);
    ui_put(y + 1, w < COLS ? (COLS - w) / 2 : 0, COLS, UC_NORMAL, b);
    if (u->mode == MODE_CONFIRM)
        snprintf(b, sizeof b, "stop the test? (y/n)");
    else
        snprintf(b, sizeof b, "q quits");
    w = ui_width(b);
    ui_put(y + 2, w < COLS ? (COLS - w) / 2 : 0, COLS, UC_DIM, b);
}

static int64_t thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int response_rows(const struct snapshot *s)
{
    int n = 1; /* 2xx always */
    for (int k = 1; k <= 5; k++) {
        if (k == 2)
            continue;
        for (int c = k * 100; c < k * 100 + 100; c++)
            if (s->total.codes[c]) {
                n++;
                break;
            }
    }
    for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++)
        n += s->total.errors[i] != 0;
    return n;
}

/* The overview: throughput, latency and endpoints on the left; phases,
 * responses, host and events on the right. 80×24 fits all of them; extra
 * width widens the charts, extra height goes to the chart and the lists. */
static void draw_overview(const struct snapshot *s, const struct ui_state *u, int y, int h)
{
    int rw = clampi(COLS * 2 / 5, 31, 56), lw = COLS - rw - 1, rx = lw + 1;

    int lat_h = 5;
    int ep_h = 2 + (s->nendpoints > 0 ? s->nendpoints : 1);
    int thr_h = h - lat_h - ep_h > 7 ? h - lat_h - ep_h : 7;
    ep_h = h - lat_h - thr_h;
    ui_throughput_draw(s, u, y, 0, thr_h, lw);
    ui_latency_draw(s, u, y + thr_h, 0, lat_h, lw);
    ui_endpoints_draw(s, u, y + thr_h + lat_h, 0, ep_h, lw);

    int host_h = h >= 30 ? 4 : 3;
    int ph_h = clampi(1 + u->plan->nphases, 2, h - host_h - 6 - 4);
    int rest = h - ph_h - host_h;
    /* events: at most what a snapshot holds; responses take the remainder */
    int resp_h = clampi(2 + response_rows(s), 6, rest - 4);
    if (rest - resp_h > 1 + SNAP_EVENTS)
        resp_h = rest - 1 - SNAP_EVENTS;
    int ev_h = rest - resp_h;
    ui_phases_draw(s, u, y, rx, ph_h, rw);
    ui_responses_draw(s, u, y + ph_h, rx, resp_h, rw);
    ui_host_draw(s, u, y + ph_h + resp_h, rx, host_h, rw);
    ui_events_draw(s, u, y + ph_h + resp_h + host_h, rx, ev_h, rw);
}

static void draw(const struct snapshot *s, const struct ui_state *u)
{
    ui_frame_begin();
    if (COLS < UI_MIN_W || LINES < UI_MIN_H) {
        draw_small(u);
    } else {
        int hh = u->saturated ? 3 : 2;
        ui_header_draw(s, u, 0, 0, hh, COLS);
        int bh = LINES - hh - 1;
        switch (u->view) {
        case VIEW_OVERVIEW:
            draw_overview(s, u, hh, bh);
            break;
        case VIEW_ENDPOINTS:
            ui_endpoints_draw(s, u, hh, 0, bh, COLS);
            break;
        case VIEW_ERRORS:
            ui_errors_draw(s, u, hh, 0, bh, COLS);
            break;
        case VIEW_N:
            break;
        }
        ui_footer_draw(s, u, LINES - 1, 0, 1, COLS);
        if (u->mode == MODE_HELP)
            ui_help_draw(s, u, 0, 0, LINES, COLS);
    }
    ui_frame_end();
}

/* SIGINT/SIGTERM act like a confirmed q; SIGUSR1 saves a snapshot. */
static void take_signals(struct ui_state *u, const struct snapshot *s, const sigset_t *sigs)
{
    const struct timespec zero = {0, 0};
    int sig;
    while ((sig = sigtimedwait(sigs, NULL, &zero)) > 0) {
        if (sig == SIGUSR1) {
            char msg[300];
            if (engine_done(u->e))
                ui_message(u, 1, "the run is over: the final report is written on exit (-o)");
            else if (snapfile_request(u->e, u->o->snapshot_dir ? u->o->snapshot_dir : ".", msg,
                                      sizeof msg) < 0)
                ui_message(u, 1, "%s", msg);
        } else {
            if (u->mode == MODE_CONFIRM)
                u->mode = MODE_NORMAL;
            ui_stop(u, s);
        }
    }
}

/* Does every arrival send exactly one request? Then requests/s and the
 * target (arrivals/s) share a scale. */
static int one_request_per_arrival(const struct plan *p)
{
    if (p->model == MODEL_CLOSED)
        return 1;
    for (int i = 0; i < p->nscenarios; i++) {
        int n = 0;
        for (int j = 0; j < p->scenarios[i].nsteps; j++) {
            enum step_kind k = p->scenarios[i].steps[j].kind;
            if (k == STEP_LOOP)
                return 0;
            n += k == STEP_REQUEST;
        }
        if (n != 1 && p->scenarios[i].weight > 0)
            return 0;
    }
    return 1;
}

int ui_run(struct engine *e, const struct plan *p, const struct ui_opts *o, const sigset_t *sigs)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return 3;
    if (term_start() < 0)
        return 3;
    struct ui_state u = {.e = e,
                         .plan = p,
                         .o = o,
                         .lat = SUM_RESPONSE_TIME,
                         .bars_requests = one_request_per_arrival(p)};
    const struct snapshot *s = NULL;
    int fps = o->fps > 0 ? (o->fps < 60 ? o->fps : 60) : 10;
    int64_t frame_us = 1000000 / fps, next = now_us();
    /* A frame is drawn when something it shows may have changed: a new
     * snapshot, a key, a status message coming or going. */
    int dirty = 1, msg_shown = 0;
    uint64_t seen_seq = 0;
    int64_t seen_until = 0;
    /* The dashboard's CPU per frame: everything this thread did since the
     * previous frame (waiting for keys, taking the snapshot, the drawing),
     * one clock read a frame. */
    int64_t cpu_last = thread_cpu_us(), win_cpu = 0, win_start = now_us();
    int win_frames = 0;
    for (;;) {
        u.now = now_us();
        s = engine_snapshot_hold(e);
        take_signals(&u, s, sigs);
        char msg[300];
        int r = snapfile_poll(e, msg, sizeof msg);
        if (r != 0)
            ui_message(&u, r < 0, "%s", msg);
        if (u.quit || (u.stopping && engine_done(e)))
            break;
        int shown = u.msg[0] && u.now < u.msg_until;
        if (dirty || s->seq != seen_seq || shown != msg_shown || u.msg_until != seen_until) {
            derive(&u, s);
            draw(s, &u);
            /* Shown in the host panel (a frame's cost must not grow with the
             * run): the mean over the last second, so that the figure does
             * not itself change the screen every frame. */
            int64_t cpu = thread_cpu_us();
            win_cpu += cpu - cpu_last;
            win_frames++;
            cpu_last = cpu;
            if (u.now - win_start >= 1000000) {
                u.frame_cpu_us = (double)win_cpu / win_frames;
                win_cpu = win_frames = 0;
                win_start = u.now;
            }
            dirty = 0;
            seen_seq = s->seq;
            msg_shown = shown;
            seen_until = u.msg_until;
        }

        int64_t now = now_us();
        if (now >= next)
            next = now + frame_us;
        timeout((int)((next - now + 999) / 1000));
        int ch = getch();
        while (ch != ERR && !u.quit) {
            u.now = now_us();
            ui_keys_handle(&u, s, ch);
            dirty = 1;
            timeout(0);
            ch = getch();
        }
    }
    ui_frame_free();
    term_restore();
    uninstall_restore();
    return 0;
}
