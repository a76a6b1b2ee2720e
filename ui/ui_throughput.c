/* ui_throughput.c — requests sent per second as bars over the last seconds
 * of the timeline (one column a second), the target rate as a line through
 * them, and the rates of the last second; then the VU counts, which move
 * every tick (the rest changes once a second). */
#include <math.h>
#include <stdio.h>

#include "ui_int.h"

/* 1, 2, 2.5, 5 × 10^k: axis maxima a reader can take in at a glance. */
static double nice_max(double v)
{
    if (v <= 0)
        return 10;
    /* the power of ten at or below v, without pow(): this runs every frame */
    double p = 1;
    while (p * 10 <= v)
        p *= 10;
    while (p > v)
        p /= 10;
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++)
        if (steps[i] * p >= v)
            return steps[i] * p;
    return 10 * p;
}

static uint32_t sec_errors(const struct second *c)
{
    uint32_t n = 0;
    for (int i = 0; i < STATS_MAX_ERRORS; i++)
        n += c->errors[i];
    return n;
}

/* Bars go red when most of that second failed, yellow when some did. */
static enum ui_role bar_role(const struct second *c)
{
    uint32_t bad = sec_errors(c) + c->code_class[5];
    if (!c->requests || !bad)
        return UC_BAR;
    return bad * 2 >= c->requests ? UC_BAD : UC_WARN;
}

/* What the bars show: requests sent, or arrivals when a VU sends several
 * requests (then only arrivals compare with the target line). */
static double bar_value(const struct second *c, int requests)
{
    return requests ? c->requests : c->arrivals;
}

static void chart(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    const int lw = 6;
    int cw = w - lw, n = s->nsec < cw ? s->nsec : cw;
    const struct second *v = s->sec + s->nsec - n;
    double max = s->target_rate;
    for (int i = 0; i < n; i++) {
        max = fmax(max, bar_value(&v[i], u->bars_requests));
        max = fmax(max, v[i].target_rate);
    }
    max = nice_max(max * 1.05);
    char b[16];
    ui_putr(y, x, lw - 1, UC_DIM, ui_fmt_rate(b, sizeof b, max));
    ui_putr(y + h - 1, x, lw - 1, UC_DIM, "0");
    if (h > 3) /* in the row holding max/2's top */
        ui_putr(y + h - 1 - (h * 4 - 1) / 8, x, lw - 1, UC_DIM, ui_fmt_rate(b, sizeof b, max / 2));
    int levels = h * 8;
    int lv[SNAP_SECONDS], trow[SNAP_SECONDS];
    enum ui_role br[SNAP_SECONDS];
    for (int i = 0; i < n; i++) {
        lv[i] = (int)lround(bar_value(&v[i], u->bars_requests) / max * levels);
        int tl = (int)lround(v[i].target_rate / max * levels);
        trow[i] = v[i].target_rate > 0 ? (tl > 0 ? (tl - 1) / 8 : 0) : -1;
        br[i] = bar_role(&v[i]);
    }
    /* Row by row, in runs of equal cells (a run is one curses call): the
     * newest second at the right edge, the target line drawn through. */
    int x0 = x + lw + cw - n;
    for (int r = 0; r < h; r++) {
        int cy = y + h - 1 - r, start = 0, rg = 0;
        enum ui_role rr = UC_NORMAL;
        for (int i = 0; i <= n; i++) {
            int g = 0; /* 0..8: eighths of a block; 9: the target line */
            enum ui_role role = UC_NORMAL;
            if (i < n) {
                int fill = lv[i] - r * 8;
                fill = fill < 0 ? 0 : fill > 8 ? 8 : fill;
                g = r == trow[i] && fill < 8 ? 9 : fill;
                role = r == trow[i] ? UC_TARGET : br[i];
            }
            if (i > 0 && (i == n || g != rg || role != rr) && rg) {
                if (rg == 9)
                    ui_glyphs(cy, x0 + start, i - start, G_TLINE, rr);
                else
                    ui_cells(cy, x0 + start, i - start, rg, rr);
            }
            if (i == 0 || g != rg || role != rr) {
                start = i;
                rg = g;
                rr = role;
            }
        }
    }
}

void ui_throughput_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                        int w)
{
    char right[64];
    int cw = w - 6;
    snprintf(right, sizeof right, "%s %s target, last %ds",
             u->bars_requests ? "sent/s" : "arrivals/s", ui_glyph(G_TLINE),
             s->nsec < cw ? s->nsec : cw);
    ui_title(y, x, w, "Throughput", right);
    if (h >= 4)
        chart(s, u, y + 1, x, h - 3, w);

    const struct second *c = s->nsec ? &s->sec[s->nsec - 1] : NULL;
    double sent = c ? c->requests : 0, arr = c ? c->arrivals : 0;
    double done = c ? (double)c->responses + sec_errors(c) : 0;
    char a[16], b[16], d[16];
    /* behind the plan: the last second's arrivals fell short of its target */
    int ry = y + h - 2,
        low = c && c->target_rate > 0 && arr < 0.9 * c->target_rate && s->state == RUN_RUNNING;
    int cx = x + ui_put(ry, x, w, UC_DIM, "sent ");
    cx += ui_putf(ry, cx, x + w - cx, UC_HEAD, "%s/s", ui_fmt_rate(a, sizeof a, sent));
    cx += ui_put(ry, cx, x + w - cx, UC_DIM, "   arrivals ");
    cx += ui_putf(ry, cx, x + w - cx, low ? UC_WARN : UC_NORMAL, "%s/s",
                  ui_fmt_rate(b, sizeof b, arr));
    cx += ui_put(ry, cx, x + w - cx, UC_DIM, "   done ");
    ui_putf(ry, cx, x + w - cx, UC_NORMAL, "%s/s", ui_fmt_rate(d, sizeof d, done));

    ui_throughput_live(s, u, y, x, h, w);
}

void ui_throughput_live(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                        int w)
{
    (void)u;
    char a[16], b[16], t[16];
    int ry = y + h - 1;
    ui_clear(ry, x, 1, w);
    int cx = x + ui_put(ry, x, w, UC_DIM, "VUs ");
    cx += ui_put(ry, cx, x + w - cx, UC_NORMAL, ui_fmt_count(a, sizeof a, s->active_vus));
    cx += ui_put(ry, cx, x + w - cx, UC_DIM, "   in-flight ");
    cx += ui_put(ry, cx, x + w - cx, UC_NORMAL, ui_fmt_count(b, sizeof b, s->inflight));
    cx += ui_put(ry, cx, x + w - cx, UC_DIM, "   skipped ");
    ui_put(ry, cx, x + w - cx, s->total.vu_skipped ? UC_BAD : UC_NORMAL,
           ui_fmt_count(t, sizeof t, s->total.vu_skipped));
}
