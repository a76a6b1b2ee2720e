/* ui_keys.c — one key table drives the footer, the help overlay and the
 * dispatcher; plus the rate prompt, the quit confirmation and the status
 * line. Controls go to the engine as commands; the header and the event
 * log show their effect from the next snapshot on. */
#include <curses.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapfile.h"
#include "ui_int.h"

#define MSG_US 5000000

struct key {
    const char *shown; /* as the footer and help print it */
    int codes[3];      /* 0-terminated */
    const char *label; /* footer word; NULL: help only */
    const char *help;
    void (*act)(struct ui_state *u, const struct snapshot *s, int key);
    int steers; /* acts on arrivals: gone from the footer once the run stops */
};

void ui_message(struct ui_state *u, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_err = err;
    u->msg_until = u->now + MSG_US;
}

static void send(struct ui_state *u, enum cmd_kind k, double v)
{
    struct engine_cmd c = {.kind = k, .value = v};
    u->src->send(u->src->ctx, &c);
}

/* Controls that steer arrivals need a scheduled run that is still going
 * (pause works in the closed model too: the workers wait). */
static int steerable(struct ui_state *u, const struct snapshot *s, const char *what)
{
    if (u->plan->model == MODEL_CLOSED && strcmp(what, "pause and resume")) {
        ui_message(u, 1, "%s apply to scheduled runs (give --rate or a script)", what);
        return 0;
    }
    if (u->stopping || s->state >= RUN_DRAINING) {
        ui_message(u, 1, "the run is %s", s->state == RUN_DONE ? "over" : "stopping");
        return 0;
    }
    return 1;
}

/* The engine ignores multipliers outside (0.001, 1000); say so instead. */
static int mult_ok(struct ui_state *u, double m)
{
    if (m > 0.001 && m < 1000)
        return 1;
    ui_message(u, 1, "out of range: %s%.4g of the plan (allowed %s0.001 to %s1000)",
               ui_glyph(G_TIMES), m, ui_glyph(G_TIMES), ui_glyph(G_TIMES));
    return 0;
}

void ui_stop(struct ui_state *u, const struct snapshot *s)
{
    if (s->state == RUN_DONE || u->src->done(u->src->ctx)) {
        u->quit = 1;
    } else if (!u->stopping && s->state < RUN_DRAINING) {
        send(u, CMD_STOP, 0);
        u->stopping = 1;
        ui_message(u, 0, "stopping: no new arrivals, draining active VUs (q again stops at once)");
    } else {
        send(u, CMD_ABORT, 0);
        u->stopping = 1;
        ui_message(u, 0, "stopping now");
    }
}

void ui_terminate(struct ui_state *u, const struct snapshot *s, const char *name)
{
    if (s->state == RUN_DONE || u->src->done(u->src->ctx) || u->src->shards) {
        u->quit = 1;
        return;
    }
    send(u, CMD_STOP, ENGINE_TERM_DRAIN_S);
    u->stopping = 1;
    ui_message(u, 0, "%s: stopping within %.0f s, then %s", name, ENGINE_TERM_DRAIN_S,
               u->o->report ? "writing the report" : "the summary");
}

static void act_pause(struct ui_state *u, const struct snapshot *s, int key)
{
    if (steerable(u, s, "pause and resume"))
        send(u, CMD_TOGGLE_PAUSE, 0);
}

static void act_skip(struct ui_state *u, const struct snapshot *s, int key)
{
    if (steerable(u, s, "phase skips"))
        send(u, CMD_SKIP, 0);
}

static void act_scale(struct ui_state *u, const struct snapshot *s, int key)
{
    double f = key == '+' ? 1.1 : key == '-' ? 1 / 1.1 : key == ']' ? 1.01 : 1 / 1.01;
    if (steerable(u, s, "rate keys") && (s->fixed_rate > 0 || mult_ok(u, s->mult * f)))
        send(u, CMD_SCALE, f);
}

static void act_rate(struct ui_state *u, const struct snapshot *s, int key)
{
    if (!steerable(u, s, "rate keys"))
        return;
    u->mode = MODE_RATE;
    u->input[0] = 0;
}

static void act_plan(struct ui_state *u, const struct snapshot *s, int key)
{
    if (steerable(u, s, "rate keys"))
        send(u, CMD_MULT, 1.0);
}

void ui_save(struct ui_state *u, const struct snapshot *s)
{
    char msg[300];
    int r =
        snapfile_request(u->src, u->o->snapshot_dir ? u->o->snapshot_dir : ".", msg, sizeof msg);
    if (r != 0)
        ui_message(u, r < 0, "%s", msg); /* failed, or the final report written */
    else
        ui_message(u, 0, "saving a snapshot report...");
}

static void act_snapshot(struct ui_state *u, const struct snapshot *s, int key)
{
    ui_save(u, s);
}

static void act_latency(struct ui_state *u, const struct snapshot *s, int key)
{
    u->lat = u->lat == SUM_LATENCY ? SUM_RESPONSE_TIME : SUM_LATENCY;
    ui_message(u, 0, "%s",
               u->lat == SUM_LATENCY ? "latency from the intended start: includes waiting, "
                                       "no coordinated omission"
                                     : "response time: request written to first byte");
}

static void act_view(struct ui_state *u, const struct snapshot *s, int key)
{
    u->view = (enum ui_view)((u->view + (key == KEY_BTAB ? VIEW_N - 1 : 1)) % VIEW_N);
}

static void act_quit(struct ui_state *u, const struct snapshot *s, int key)
{
    if (u->src->done(u->src->ctx) || u->stopping || s->state >= RUN_DRAINING)
        ui_stop(u, s);
    else
        u->mode = MODE_CONFIRM;
}

static void act_help(struct ui_state *u, const struct snapshot *s, int key)
{
    u->mode = MODE_HELP;
}

static const struct key keys[] = {
    {"p", {'p', ' '}, "pause", "pause / resume arrivals (also space)", act_pause, 1},
    {"n", {'n'}, "skip", "skip to the next phase", act_skip, 1},
    {"+-",
     {'+', '-'},
     "rate",
     "rate x1.1 (+) or /1.1 (-) from now on (of the plan, or a fixed rate)",
     act_scale,
     1},
    {"][", {']', '['}, NULL, "rate x1.01 (]) or /1.01 ([): fine steps", act_scale, 1},
    {"r", {'r'}, "set", "type an exact rate: it holds in every phase until =", act_rate, 1},
    {"=", {'='}, "plan", "back to the plan's rates (x1.00, no fixed rate)", act_plan, 1},
    {"s",
     {'s'},
     "save",
     "save a report now (JSON, .md, .html): a snapshot, or the final one when over",
     act_snapshot,
     0},
    {"l", {'l'}, "lat", "response time / latency from intended start", act_latency, 0},
    {"tab", {'\t', KEY_BTAB}, "view", "cycle the view: overview, endpoints, errors", act_view, 0},
    {"q",
     {'q', 'Q'},
     "quit",
     "stop the test (drain), then the summary and -o's report",
     act_quit,
     0},
    {"?", {'?', 'h', KEY_F(1)}, "help", "this help", act_help, 0},
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

static void submit_rate(struct ui_state *u, const struct snapshot *s)
{
    char *end;
    errno = 0;
    double v = strtod(u->input, &end);
    while (*end == ' ')
        end++;
    if (!strcmp(end, "/s"))
        end += 2;
    u->mode = MODE_NORMAL;
    if (u->input[0] == 0)
        return;
    if (end == u->input || *end || errno || !isfinite(v) || v <= 0) {
        ui_message(u, 1, "not a rate: '%s' (arrivals per second, e.g. 250)", u->input);
        return;
    }
    if (!steerable(u, s, "rate keys"))
        return;
    if (v > ENGINE_MAX_RATE) {
        ui_message(u, 1, "at most %.0f arrivals/s", ENGINE_MAX_RATE);
        return;
    }
    send(u, CMD_RATE, v);
    ui_message(u, 0, "%s/s in every phase from now on: = returns to the plan", u->input);
}

static void prompt_key(struct ui_state *u, const struct snapshot *s, int key)
{
    size_t n = strlen(u->input);
    if (key == 27) {
        u->mode = MODE_NORMAL;
        ui_message(u, 0, "rate unchanged");
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        submit_rate(u, s);
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (n)
            u->input[n - 1] = 0;
    } else if (key == 21) { /* Ctrl-U */
        u->input[0] = 0;
    } else if (key >= 32 && key < 127 && n + 1 < sizeof u->input) {
        u->input[n] = (char)key;
        u->input[n + 1] = 0;
    }
}

void ui_keys_handle(struct ui_state *u, const struct snapshot *s, int key)
{
    if (key == KEY_RESIZE)
        return;
    switch (u->mode) {
    case MODE_HELP:
        u->mode = MODE_NORMAL;
        return;
    case MODE_CONFIRM:
        u->mode = MODE_NORMAL;
        if (key == 'y' || key == 'Y')
            ui_stop(u, s);
        else if (u->src->shards && (key == 'l' || key == 'L'))
            u->quit = 1; /* the shards run on */
        else
            ui_message(u, 0, "carrying on");
        return;
    case MODE_RATE:
        prompt_key(u, s, key);
        return;
    case MODE_NORMAL:
        break;
    }
    for (int i = 0; i < NKEYS; i++)
        for (int j = 0; j < 3 && keys[i].codes[j]; j++)
            if (keys[i].codes[j] == key) {
                keys[i].act(u, s, key);
                return;
            }
}

void ui_footer_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    char b[128];
    if (u->mode == MODE_CONFIRM) {
        if (u->src->shards)
            ui_putf(y, x, w, UC_BANNER,
                    " Stop all %d shards (y), leave them running (l), or carry on (n)? ",
                    u->src->shards);
        else
            ui_put(y, x, w, UC_BANNER,
                   u->o->report ? " Stop the test and write the report? (y/n) "
                                : " Stop the test? (y/n) ");
        return;
    }
    if (u->mode == MODE_RATE) {
        char r[16];
        int cx = x + ui_putf(y, x, w, UC_HEAD,
                             "Rate in arrivals/s (now %s/s; Enter sets, Esc cancels): ",
                             ui_fmt_rate(r, sizeof r, s->target_rate));
        cx += ui_put(y, cx, x + w - cx, UC_NORMAL, u->input);
        ui_put(y, cx, 1, UC_KEY, " ");
        return;
    }
    if (u->msg[0] && u->now < u->msg_until) {
        ui_put(y, x, w, u->msg_err ? UC_BAD : UC_ACCENT, u->msg);
        return;
    }
    /* the help entry is last and always shown */
    int last = NKEYS - 1;
    int help_w = (int)strlen(keys[last].shown) + 1 + (int)strlen(keys[last].label);
    int cx = x;
    /* once the run stops, only the keys that still do something */
    int over = u->stopping || s->state >= RUN_DRAINING;
    for (int i = 0; i < NKEYS; i++) {
        if (!keys[i].label || (over && keys[i].steers))
            continue;
        int ew = (int)strlen(keys[i].shown) + 1 + (int)strlen(keys[i].label) + 2;
        if (i != last && cx + ew + help_w > x + w)
            continue;
        cx += ui_put(y, cx, x + w - cx, UC_KEY, keys[i].shown);
        snprintf(b, sizeof b, " %s  ", keys[i].label);
        cx += ui_put(y, cx, x + w - cx, UC_NORMAL, b);
    }
    (void)h;
}

void ui_help_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    int bw = w - 4 < 64 ? w - 4 : 64, bh = NKEYS + 6;
    bh = bh > h ? h : bh;
    int by = y + (h - bh) / 2, bx = x + (w - bw) / 2;
    ui_box(by, bx, bh, bw);
    ui_put(by, bx + 2, bw - 4, UC_TITLE, " Keys ");
    int ry = by + 1;
    for (int i = 0; i < NKEYS && ry < by + bh - 1; i++, ry++) {
        ui_put(ry, bx + 2, 6, UC_KEY, keys[i].shown);
        ui_put(ry, bx + 9, bw - 11, UC_NORMAL, keys[i].help);
    }
    static const char *const notes[] = {
        "",
        "Rate changes rescale the plan from now on and last",
        "across phases until '='. Ctrl-C stops like q + y.",
        "Press any key to close.",
    };
    for (int i = 0; i < 4 && ry < by + bh - 1; i++, ry++)
        ui_put(ry, bx + 2, bw - 4, i == 3 ? UC_DIM : UC_NORMAL, notes[i]);
    (void)s;
    (void)u;
}
