/* ui_latency.c — percentiles of the last closed interval and of the whole
 * run, for the latency kind chosen with 'l', and a sparkline of each
 * second's p99. */
#include <stdio.h>

#include "ui_int.h"

static void row(int y, int x, int w, const char *label, const struct sumstat *st, int colw)
{
    ui_put(y, x, 4, UC_DIM, label);
    int64_t v[6] = {st->p50, st->p90, st->p95, st->p99, st->p999, st->max};
    for (int i = 0; i < 6; i++) {
        char b[16];
        ui_putr(y, x + 4 + i * colw, colw, i == 3 ? UC_HEAD : UC_NORMAL,
                st->count ? ui_fmt_us(b, sizeof b, v[i]) : "-");
    }
    (void)w;
}

void ui_latency_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    int k = u->lat;
    ui_title(y, x, w, k == SUM_LATENCY ? "Latency from intended start" : "Response time",
             "l: switch");
    int colw = (w - 4) / 6;
    static const char *const heads[6] = {"p50", "p90", "p95", "p99", "p99.9", "max"};
    if (h > 1) {
        for (int i = 0; i < 6; i++)
            ui_putr(y + 1, x + 4 + i * colw, colw, UC_DIM, heads[i]);
    }
    static const struct sumstat none;
    if (h > 2)
        row(y + 2, x, w, "last", s->nintervals ? &s->last_s[k] : &none, colw);
    if (h > 3)
        row(y + 3, x, w, "run", &s->total_s[k], colw);
    if (h > 4 && s->nsec) {
        int64_t v[SNAP_SECONDS], max = 0;
        int sw = w - 4 - 12;
        int n = s->nsec < sw ? s->nsec : sw;
        for (int i = 0; i < n; i++) {
            const struct second *c = &s->sec[s->nsec - n + i];
            v[i] = k == SUM_LATENCY ? c->lat_p99 : c->p99;
            max = v[i] > max ? v[i] : max;
        }
        char b[16];
        ui_put(y + 4, x, 4, UC_DIM, "p99");
        ui_spark(y + 4, x + 4 + sw - n, n, v, n, max, UC_ACCENT);
        char pk[32];
        snprintf(pk, sizeof pk, "peak %s", ui_fmt_us(b, sizeof b, max));
        ui_putr(y + 4, x + w - 11, 11, UC_DIM, pk);
    }
}
