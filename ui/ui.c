/* ui.c — the dashboard's life: terminal set-up and restore (on every exit
 * path), stderr capture, the frame loop (signals, snapshot, keys, redraw at
 * a fixed rate), and the layout that fits the panels into the terminal. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "saturation.h"
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

/* The signals the frame loop takes from a signalfd, in the same poll() as
 * the keys. A thread that does not block them (the demo's in-process target,
 * started before main blocked any) could still receive them, and curses
 * would install its own handlers (exit on SIGINT/SIGTERM, and a SIGTSTP
 * handler it switches off and on with two sigaction calls in every screen
 * update); this handler instead hands them to the UI thread, where they are
 * blocked, so the signalfd gets them whichever thread the kernel chose. */
static const int taken_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGWINCH, SIGTSTP};
#define NTAKEN ((int)(sizeof taken_sigs / sizeof taken_sigs[0]))
static struct sigaction old_taken[NTAKEN];
static sigset_t old_mask;
static pthread_t ui_thread;
static WINDOW *keys; /* the pad keys are read from */

/* Give the terminal back and replay what was written to stderr meanwhile.
 * Idempotent; only plain fd calls after endwin so that the fatal-signal
 * path can use it too. */
static void term_restore(void)
{
    if (term.active) {
        term.active = 0;
        ui_term_normal();
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
    sigset_t mine;
    sigemptyset(&mine);
    for (int i = 0; i < NTAKEN; i++) {
        sigaction(taken_sigs[i], &sa, &old_taken[i]);
        sigaddset(&mine, taken_sigs[i]);
    }
    pthread_sigmask(SIG_BLOCK, &mine, &old_mask);
}

static void uninstall_restore(void)
{
    for (int i = 0; i < NFATAL; i++)
        sigaction(fatal_sigs[i], &old_fatal[i], NULL);
    for (int i = 0; i < NTAKEN; i++)
        sigaction(taken_sigs[i], &old_taken[i], NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
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
    if (!ui_term_usable()) {
        term_restore();
        uninstall_restore();
        fprintf(stderr,
                "loadtop: the terminal cannot address the cursor (TERM=%s): running headless\n",
                getenv("TERM") ? getenv("TERM") : "");
        return -1;
    }
    cbreak();
    noecho();
    nonl();
    /* Keys come from a pad: wgetch on a window refreshes it when touched
     * (a resize touches stdscr), and curses must never draw over ui_term.c. */
    keys = newpad(1, 1);
    if (!keys) {
        term_restore();
        uninstall_restore();
        fprintf(stderr, "loadtop: out of memory for the terminal: running headless\n");
        return -1;
    }
    intrflush(keys, FALSE);
    keypad(keys, TRUE);
    nodelay(keys, TRUE); /* keys are read only when poll() says stdin has some */
    set_escdelay(25);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    ui_draw_init(ui_term_colors() && !(nc && *nc), utf8);
    /* curses takes the screen (the alternate screen, cleared); from here on
     * ui_term.c draws */
    refresh();
    return 0;
}

/* Rows the responses panel needs: 2xx, each other class seen, each error. */
static int response_rows(const struct snapshot *s)
{
    int n = 1; /* 2xx always */
    for (int k = 1; k <= 5; k++)
        n += k != 2 && s->total.code_class[k];
    for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++)
        n += s->total.errors[i] != 0;
    return n;
}

/* Per-frame values the panels share: rising errors, saturation, the
 * responses panel's rows (the layout depends on them). */
static void derive(struct ui_state *u, const struct snapshot *s)
{
    memset(u->rising, 0, sizeof u->rising);
    u->resp_rows = response_rows(s);
    if (s->nsec >= 3) {
        const struct second *a = &s->sec[s->nsec - 3], *b = a + 1, *c = a + 2;
        for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++)
            u->rising[i] = c->errors[i] > a->errors[i] && b->errors[i] >= a->errors[i] &&
                           c->errors[i] >= b->errors[i];
    }
    /* Lag of the last interval (the whole run before the first one closes),
     * judged by saturation.h as everywhere; the CPU reading means nothing
     * once the run is done. */
    u->lag_p99 = s->nintervals ? s->last_s[SUM_LAG].p99 : s->total_s[SUM_LAG].p99;
    char b[16];
    unsigned why = s->state == RUN_DONE
                       ? 0 /* over: the banner goes (the report keeps it) */
                       : saturation_of(s->host.worker_cpu_pct, u->lag_p99 / 1000.0);
    u->saturated = why != 0;
    int behind = snapshot_worker_behind(s, why);
    char who[24] = "";
    if (behind >= 0)
        snprintf(who, sizeof who, " on %s %d", s->nshards ? "shard" : "worker", behind);
    ui_shards_down(u, s);
    if (why & SATURATION_CPU)
        snprintf(u->sat_why, sizeof u->sat_why, "own CPU %.0f%% of a core%s",
                 s->host.worker_cpu_pct, who);
    else if (why & SATURATION_LAG)
        snprintf(u->sat_why, sizeof u->sat_why, "schedule lag p99 %s%s",
                 ui_fmt_us(b, sizeof b, u->lag_p99), who);
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

/* What the slow panels show, and the layout: all of it moves at most about
 * once a second in a steady run (a closed second, the clock, a host sample)
 * or on an event. A frame redraws everything only when this changed (or on
 * a key, a resize, a message); otherwise it redraws just the counts that
 * move every tick (responses, endpoints, VUs), so that it touches little
 * memory: after 100 ms of sleep every page a frame reads is cold. */
struct slow_key {
    int64_t clock_s, left_s, phase_s, phase_left_s, bar, nsec, first_sec;
    int64_t planned_us, phase_us, started_sum, vus_draining;
    double mult, frame_cpu_us;
    char target_rate[16]; /* as shown: in a ramp the rate itself moves every tick */
    int state, phase, nphases, nintervals, total_events, nendpoints, resp_rows, cols, lines;
    int saturated;
    struct host_sample host;
    char shard_msg[160];
};

static int64_t ceil_s(int64_t us)
{
    return us > 0 ? (us + 999999) / 1000000 : 0;
}

static void slow_key_of(struct slow_key *k, const struct snapshot *s, const struct ui_state *u)
{
    memset(k, 0, sizeof *k); /* padding too: keys are compared with memcmp */
    k->clock_s = s->elapsed_us / 1000000;
    k->left_s = ceil_s(s->planned_us - s->elapsed_us);
    k->phase_s = s->phase_elapsed_us / 1000000;
    k->phase_left_s = ceil_s(s->phase_duration_us - s->phase_elapsed_us);
    k->bar = ui_header_bar_cells(s, COLS);
    k->nsec = s->nsec;
    k->first_sec = s->first_sec;
    k->planned_us = s->planned_us;
    k->phase_us = s->phase_duration_us;
    for (int i = 0; i < s->nphases && i < SNAP_PHASES; i++)
        k->started_sum += (s->ph[i].started_us >= 0) + 2 * (s->ph[i].ended_us >= 0);
    k->vus_draining = s->state == RUN_DRAINING ? (int64_t)s->active_vus : -1;
    k->mult = s->mult;
    ui_fmt_rate(k->target_rate, sizeof k->target_rate, s->target_rate);
    k->frame_cpu_us = u->frame_cpu_us;
    k->state = s->state;
    k->phase = s->phase;
    k->nphases = s->nphases;
    k->nintervals = s->nintervals;
    k->total_events = s->total_events;
    k->nendpoints = s->nendpoints;
    k->resp_rows = u->resp_rows;
    k->cols = COLS;
    k->lines = LINES;
    k->saturated = u->saturated;
    k->host = s->host;
    memcpy(k->shard_msg, u->shard_msg, sizeof k->shard_msg);
}

/* The overview: throughput, latency and endpoints on the left; phases,
 * responses, host and events on the right. 80×24 fits all of them; extra
 * width widens the charts, extra height goes to the chart and the lists.
 * A partial frame (full = 0) redraws only the panels that move every tick. */
static void draw_overview(const struct snapshot *s, const struct ui_state *u, int y, int h,
                          int full)
{
    int rw = clampi(COLS * 2 / 5, 31, 56), lw = COLS - rw - 1, rx = lw + 1;

    int lat_h = 5;
    int ep_h = 2 + (s->nendpoints > 0 ? s->nendpoints : 1);
    int thr_h = h - lat_h - ep_h > 7 ? h - lat_h - ep_h : 7;
    ep_h = h - lat_h - thr_h;
    if (full) {
        ui_throughput_draw(s, u, y, 0, thr_h, lw);
        ui_latency_draw(s, u, y + thr_h, 0, lat_h, lw);
    } else {
        ui_throughput_live(s, u, y, 0, thr_h, lw);
        ui_clear(y + thr_h + lat_h, 0, ep_h, lw);
    }
    ui_endpoints_draw(s, u, y + thr_h + lat_h, 0, ep_h, lw);

    int host_h = h >= 30 ? 4 : 3;
    int ph_h = clampi(1 + u->plan->nphases, 2, h - host_h - 6 - 4);
    int rest = h - ph_h - host_h;
    /* events: at most what a snapshot holds; responses take the remainder */
    int resp_h = clampi(2 + u->resp_rows, 6, rest - 4);
    if (rest - resp_h > 1 + SNAP_EVENTS)
        resp_h = rest - 1 - SNAP_EVENTS;
    int ev_h = rest - resp_h;
    if (full)
        ui_phases_draw(s, u, y, rx, ph_h, rw);
    else
        ui_clear(y + ph_h, rx, resp_h, rw);
    ui_responses_draw(s, u, y + ph_h, rx, resp_h, rw);
    if (full) {
        ui_host_draw(s, u, y + ph_h + resp_h, rx, host_h, rw);
        ui_events_draw(s, u, y + ph_h + resp_h + host_h, rx, ev_h, rw);
    }
}

/* Draw a frame: everything, or (full = 0) only what moves every tick. */
static void draw(const struct snapshot *s, const struct ui_state *u, int full)
{
    int small = COLS < UI_MIN_W || LINES < UI_MIN_H;
    /* an overlay covers the panels: never redraw some of them over it */
    full = ui_frame_begin(full || small || u->mode == MODE_HELP);
    if (small) {
        draw_small(u);
    } else {
        int hh = u->saturated || u->shard_msg[0] ? 3 : 2;
        if (full)
            ui_header_draw(s, u, 0, 0, hh, COLS);
        int bh = LINES - hh - 1;
        switch (u->view) {
        case VIEW_OVERVIEW:
            draw_overview(s, u, hh, bh, full);
            break;
        case VIEW_ENDPOINTS:
            if (!full)
                ui_clear(hh, 0, bh, COLS);
            ui_endpoints_draw(s, u, hh, 0, bh, COLS);
            break;
        case VIEW_ERRORS:
            if (!full)
                ui_clear(hh, 0, bh, COLS);
            ui_errors_draw(s, u, hh, 0, bh, COLS);
            break;
        case VIEW_N:
            break;
        }
        if (full)
            ui_footer_draw(s, u, LINES - 1, 0, 1, COLS);
        if (u->mode == MODE_HELP)
            ui_help_draw(s, u, 0, 0, LINES, COLS);
    }
    ui_frame_end();
}

/* The terminal's new size (SIGWINCH): curses learns it here, since its own
 * handler is not installed (see taken_sigs). */
static void resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    ui_frame_invalidate(); /* the terminal may have reflowed or cleared what it showed */
}

/* Ctrl-Z (SIGTSTP): give the terminal back, stop, and take it again on fg.
 * The stop is SIGTSTP itself with its default action, not SIGSTOP: with no
 * job-control shell to resume us (a tmux pane's command, ssh -t, xterm -e)
 * the kernel discards it instead of stopping the process for good. */
static void suspend(void)
{
    endwin();
    struct sigaction dfl, ours;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &ours);
    sigset_t tstp;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    pthread_sigmask(SIG_UNBLOCK, &tstp, NULL);
    raise(SIGTSTP); /* stops here until fg */
    pthread_sigmask(SIG_BLOCK, &tstp, NULL);
    sigaction(SIGTSTP, &ours, NULL);
    refresh(); /* curses takes the terminal back: modes, the alternate screen */
    resize();  /* the terminal may have changed size meanwhile, unseen */
}

/* Take the signals waiting on the signalfd: SIGINT acts like a confirmed q,
 * SIGTERM and SIGHUP stop with a short drain, SIGUSR1 saves a snapshot,
 * SIGWINCH resizes, SIGTSTP suspends. Returns 1 when the whole screen must
 * be drawn again. */
static int take_signals(struct ui_state *u, const struct snapshot *s, int sfd)
{
    struct signalfd_siginfo si;
    int redraw = 0;
    while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        int sig = (int)si.ssi_signo;
        if (sig == SIGWINCH) {
            resize();
            redraw = 1;
        } else if (sig == SIGTSTP) {
            suspend();
            redraw = 1;
        } else if (sig == SIGUSR1) {
            ui_save(u, s);
        } else {
            if (u->mode == MODE_CONFIRM)
                u->mode = MODE_NORMAL;
            if (sig == SIGINT && !u->src->shards) /* a watcher's Ctrl-C leaves the shards be */
                ui_stop(u, s);
            else
                ui_terminate(u, s, sig == SIGTERM ? "SIGTERM" : "SIGHUP");
            redraw = 1;
        }
    }
    return redraw;
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

int ui_run(const struct source *src, const struct plan *p, const struct ui_opts *o,
           const sigset_t *sigs)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return 3;
    sigset_t fdsigs = *sigs;
    for (int i = 0; i < NTAKEN; i++)
        sigaddset(&fdsigs, taken_sigs[i]);
    int sfd = signalfd(-1, &fdsigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0)
        return 3;
    if (term_start() < 0) {
        close(sfd);
        return 3;
    }
    struct ui_state u = {.src = src,
                         .plan = p,
                         .o = o,
                         .lat = SUM_RESPONSE_TIME,
                         .bars_requests = one_request_per_arrival(p)};
    const struct snapshot *s = NULL;
    int fps = o->fps > 0 ? (o->fps < 60 ? o->fps : 60) : 10;
    int64_t frame_us = 1000000 / fps, next = now_us();
    /* A frame is drawn when something it shows may have changed: a new
     * snapshot, a key, a status message coming or going. */
    int dirty = 1, msg_shown = 0, sig_ready = 1, in_fd = STDIN_FILENO;
    struct slow_key key, seen_key;
    memset(&seen_key, 0, sizeof seen_key);
    uint64_t seen_seq = 0;
    int64_t seen_until = 0;
    /* The dashboard's CPU per frame: everything this thread did over a
     * second (waiting for keys, taking snapshots, the drawing) over the
     * frames it drew, with one clock read (a syscall) a second. */
    int64_t win_cpu = thread_cpu_us(), win_sec = -1;
    int win_frames = 0;
    for (;;) {
        u.now = now_us();
        s = src->hold(src->ctx);
        if (sig_ready && take_signals(&u, s, sfd))
            dirty = 1;
        char msg[300];
        int r = snapfile_poll(src, msg, sizeof msg);
        if (r != 0)
            ui_message(&u, r < 0, "%s", msg);
        if (u.quit || (u.stopping && src->done(src->ctx)))
            break;
        int shown = u.msg[0] && u.now < u.msg_until;
        if (dirty || s->seq != seen_seq || shown != msg_shown || u.msg_until != seen_until) {
            derive(&u, s);
            /* Shown in the host panel (a frame's cost must not grow with the
             * run): the mean over the frames of the last second, updated as
             * a second closes so that it changes the screen only when the
             * timeline does. */
            if (s->first_sec + s->nsec != win_sec) {
                int64_t cpu = thread_cpu_us();
                if (win_frames)
                    u.frame_cpu_us = (double)(cpu - win_cpu) / win_frames;
                win_cpu = cpu;
                win_frames = 0;
                win_sec = s->first_sec + s->nsec;
            }
            slow_key_of(&key, s, &u);
            /* the footer shows the status message: it comes and goes in full frames */
            int full = dirty || shown != msg_shown || u.msg_until != seen_until ||
                       memcmp(&key, &seen_key, sizeof key) != 0;
            draw(s, &u, full);
            seen_key = key;
            win_frames++;
            dirty = 0;
            seen_seq = s->seq;
            msg_shown = shown;
            seen_until = u.msg_until;
        }

        /* One wait for the next frame, a key and a signal: a plain poll(),
         * cheaper than curses' timed getch, which also polls. */
        int64_t now = now_us();
        if (now >= next)
            next = now + frame_us;
        struct pollfd pf[2] = {{.fd = in_fd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        int n = poll(pf, 2, (int)((next - now + 999) / 1000));
        sig_ready = n > 0 && (pf[1].revents & POLLIN);
        /* a hung-up terminal stays "readable" for ever: stop listening to it
         * (SIGHUP, or the run's end, finishes the job) instead of spinning */
        if (n > 0 && (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pf[0].revents & POLLIN))
            in_fd = -1;
        else if (n > 0 && pf[0].revents) {
            int ch;
            while (!u.quit && (ch = wgetch(keys)) != ERR) {
                u.now = now_us();
                ui_keys_handle(&u, s, ch);
                dirty = 1;
            }
        }
    }
    close(sfd);
    ui_frame_free();
    term_restore();
    ui_term_free();
    delwin(keys);
    keys = NULL;
    uninstall_restore();
    return 0;
}
