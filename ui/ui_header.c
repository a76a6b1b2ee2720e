/* ui_header.c — what runs against what, the state, the clock, the current
 * phase with its progress, the target rate and multiplier; and the banner
 * when loadtop itself is the bottleneck. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_int.h"
#include "util.h"

static enum ui_role state_role(enum run_state st)
{
    switch (st) {
    case RUN_RUNNING:
        return UC_OK;
    case RUN_PAUSED:
    case RUN_DRAINING:
    case RUN_AFTER:
        return UC_WARN;
    case RUN_DONE:
        return UC_ACCENT;
    default:
        return UC_DIM;
    }
}

static char *fmt_left(char *b, size_t n, int64_t us)
{
    long long s = us > 0 ? (us + 999999) / 1000000 : 0;
    if (s < 60)
        snprintf(b, n, "%llds", s);
    else if (s < 3600)
        snprintf(b, n, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(b, n, "%lldh%02lldm", s / 3600, s / 60 % 60);
    return b;
}

static int bar_width(int w)
{
    int bw = w / 5;
    return bw < 10 ? 10 : bw > 30 ? 30 : bw;
}

/* The phase's progress in whole seconds, like the time left beside it (and
 * so that the bar moves only when the clock does). */
static double phase_frac(const struct snapshot *s)
{
    int64_t done = s->phase_elapsed_us / 1000000 * 1000000;
    return s->phase_duration_us > 0 ? (double)done / s->phase_duration_us : 0;
}

int ui_header_bar_cells(const struct snapshot *s, int w)
{
    return ui_bar_cells(bar_width(w), phase_frac(s));
}

/* Row 0: "loadtop  TARGET · SCRIPT            RUNNING  00:42 / 01:30" */
static void draw_title(const struct snapshot *s, const struct ui_state *u, int y, int x, int w)
{
    char right[64], a[16], b[16];
    ui_fmt_clock(a, sizeof a, s->elapsed_us);
    /* a one-URL run with -n and no -d has no planned end */
    if (s->planned_us > 0 && s->planned_us < PLAN_UNTIMED)
        snprintf(right, sizeof right, "%s / %s", a, ui_fmt_clock(b, sizeof b, s->planned_us));
    else
        snprintf(right, sizeof right, "%s", a);
    const char *state = run_state_name(s->state);
    int rw = ui_width(right), sw = (int)strlen(state) + 2;
    int cx = x + w - rw;
    ui_put(y, cx, rw, UC_NORMAL, right);
    cx -= sw + 2;
    ui_putf(y, cx, sw, s->state == RUN_PAUSED ? UC_KEY : state_role(s->state), " %s ", state);

    int lx = x + ui_put(y, x, 8, UC_TITLE, "loadtop ");
    if (u->o->demo)
        lx += ui_put(y, lx, 6, UC_WARN, "demo ");
    if (u->src->shards)
        lx += ui_putf(y, lx, 24, UC_WARN, "watch %d shard%s ", u->src->shards,
                      u->src->shards == 1 ? "" : "s");
    char what[512], fit[512], target[256];
    url_redact(target, sizeof target, u->plan->target ? u->plan->target : "");
    snprintf(what, sizeof what, "%s%s%s", target, u->o->script ? "  " : "",
             u->o->script ? u->o->script : "");
    ui_fit(fit, sizeof fit, what, cx - lx - 2);
    ui_put(y, lx, cx - lx - 2, UC_NORMAL, fit);
}

/* Row 1: "▶ Peak load (5/7) ███████░░░░ 8s left   target 3000/s ×1.10" */
static void draw_phase(const struct snapshot *s, const struct ui_state *u, int y, int x, int w)
{
    char b[64], c[64];
    if (s->state == RUN_DONE) {
        if (u->src->shards)
            ui_putf(
                y, x, w, UC_ACCENT, "finished after %s %s q leaves %s s saves the merged report",
                ui_fmt_clock(b, sizeof b, s->elapsed_us), ui_glyph(G_PENDING), ui_glyph(G_PENDING));
        else if (u->o->report)
            ui_putf(y, x, w, UC_ACCENT,
                    "finished after %s %s q leaves, writes %s, prints the summary",
                    ui_fmt_clock(b, sizeof b, s->elapsed_us), ui_glyph(G_PENDING), u->o->report);
        else
            ui_putf(y, x, w, UC_ACCENT,
                    "finished after %s %s q leaves and prints the summary %s s saves a report",
                    ui_fmt_clock(b, sizeof b, s->elapsed_us), ui_glyph(G_PENDING),
                    ui_glyph(G_PENDING));
        return;
    }
    if (s->state == RUN_AFTER) {
        ui_putf(y, x, w, UC_WARN, "running the after hook %s", ui_glyph(G_PENDING));
        return;
    }
    if (s->state == RUN_DRAINING) {
        ui_putf(y, x, w, UC_WARN, "draining %llu active VUs %s %s",
                (unsigned long long)s->active_vus, ui_glyph(G_PENDING),
                u->stopping ? "q or Ctrl-C again stops at once" : "all phases done");
        return;
    }
    const struct plan *p = u->plan;
    int cx = x;
    if (p->model == MODEL_CLOSED) {
        cx += ui_putf(y, cx, w, UC_NORMAL, "closed model %s %d connections back to back",
                      ui_glyph(G_PENDING), p->connections);
        if (s->planned_us < PLAN_UNTIMED)
            ui_putf(y, cx, x + w - cx, UC_DIM, "   %s left",
                    fmt_left(b, sizeof b, s->planned_us - s->elapsed_us));
        else if (p->max_requests > 0) /* -n: requests are its progress */
            ui_putf(y, cx, x + w - cx, UC_DIM, "   %s of %s requests",
                    ui_fmt_count(b, sizeof b, s->total.requests),
                    ui_fmt_count(c, sizeof c, (uint64_t)p->max_requests));
        return;
    }
    int i = s->phase < p->nphases ? s->phase : p->nphases - 1;
    char name[128];
    ui_fit(name, sizeof name, p->phases[i].name, w / 4);
    cx += ui_putf(y, cx, w, UC_TITLE, "%s %s", ui_glyph(G_CUR), name);
    cx += ui_putf(y, cx, x + w - cx, UC_DIM, " (%d/%d) ", s->phase + 1, s->nphases);
    int bw = bar_width(w);
    ui_bar(y, cx, bw, phase_frac(s), UC_BAR);
    cx += bw;
    cx += ui_putf(y, cx, x + w - cx, UC_NORMAL, " %s left",
                  fmt_left(b, sizeof b, s->phase_duration_us - s->phase_elapsed_us));

    if (p->phases[i].kind == PHASE_PAUSE && s->target_rate <= 0)
        snprintf(c, sizeof c, "no arrivals");
    else
        snprintf(c, sizeof c, "target %s/s", ui_fmt_rate(b, sizeof b, s->target_rate));
    char mult[32] = "";
    if (s->fixed_rate > 0)
        snprintf(mult, sizeof mult, " fixed (= plan)");
    else if (fabs(s->mult - 1) >= 0.0005)
        snprintf(mult, sizeof mult, " %s%.2f", ui_glyph(G_TIMES), s->mult);
    int tw = ui_width(c) + ui_width(mult);
    int tx = x + w - tw;
    if (tx < cx + 2)
        tx = cx + 2;
    tx += ui_put(y, tx, x + w - tx, UC_TARGET, c);
    ui_put(y, tx, x + w - tx, UC_WARN, mult);
}

void ui_shards_down(struct ui_state *u, const struct snapshot *s)
{
    int down = 0, first = -1;
    for (int i = 0; i < s->nshards && i < SNAP_SHARDS; i++)
        if (!s->shard[i].up && !(s->shard[i].seen && s->shard[i].state >= RUN_DRAINING)) {
            down++;
            first = first < 0 ? i : first;
        }
    u->shard_msg[0] = 0;
    if (!down)
        return;
    const struct snap_shard *f = &s->shard[first];
    char b[16];
    ui_fmt_clock(b, sizeof b, f->silent_us);
    if (down == 1)
        snprintf(u->shard_msg, sizeof u->shard_msg, "shard %d (%s) silent for %s: %s", first,
                 f->name, b, f->why);
    else
        snprintf(u->shard_msg, sizeof u->shard_msg, "%d of %d shards silent (shard %d: %s)", down,
                 s->nshards, first, f->why);
    if (f->seen)
        snprintf(u->shard_msg + strlen(u->shard_msg), sizeof u->shard_msg - strlen(u->shard_msg),
                 "; last numbers kept");
}

void ui_header_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    draw_title(s, u, y, x, w);
    if (h > 1)
        draw_phase(s, u, y + 1, x, w);
    if (h > 2 && (u->saturated || u->shard_msg[0])) {
        char b[200];
        if (u->shard_msg[0]) /* what the numbers leave out comes first */
            snprintf(b, sizeof b, " %s ", u->shard_msg);
        else
            snprintf(b, sizeof b, " loadtop is saturated %s numbers are not the server's (%s) ",
                     ui_glyph(G_DASH), u->sat_why);
        ui_fill(y + 2, x, w, UC_BANNER);
        int bw = ui_width(b);
        ui_put(y + 2, x + (bw < w ? (w - bw) / 2 : 0), w, UC_BANNER, b);
    }
}
