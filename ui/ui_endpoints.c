/* ui_endpoints.c — the endpoint breakdown, live: one row per endpoint,
 * busiest first. Columns join by priority as the width allows, so the same
 * panel serves the overview and the full-screen endpoints view. */
#include <stdio.h>
#include <stdlib.h>

#include "ui_int.h"

enum col { C_REQ, C_SHARE, C_FAIL, C_NON2XX, C_RESP, C_P50, C_P95, C_P99, C_MAX, C_N };

static const struct {
    const char *head;
    int width, priority; /* lower priority joins first */
} cols[C_N] = {
    [C_REQ] = {"requests", 9, 0},   [C_SHARE] = {"share", 7, 4},     [C_FAIL] = {"errors", 8, 1},
    [C_NON2XX] = {"non-2xx", 9, 5}, [C_RESP] = {"responses", 10, 8}, [C_P50] = {"p50", 8, 6},
    [C_P95] = {"p95", 8, 3},        [C_P99] = {"p99", 8, 2},         [C_MAX] = {"max", 8, 7},
};

static int cmp_ep(const void *a, const void *b, void *snap)
{
    const struct snapshot *s = snap;
    const struct snap_endpoint *x = &s->ep[*(const int *)a];
    const struct snap_endpoint *y = &s->ep[*(const int *)b];
    if (x->c.requests != y->c.requests)
        return x->c.requests < y->c.requests ? 1 : -1;
    return *(const int *)a - *(const int *)b;
}

void ui_endpoints_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                       int w)
{
    int full = u->view == VIEW_ENDPOINTS;
    ui_title(y, x, w, "Endpoints",
             full ? (u->lat == SUM_LATENCY ? "latency from intended start" : "response time")
                  : "tab: all");
    /* Narrow columns in the overview, the roomy ones in the full view;
     * a column joins only if the names keep room to be told apart. */
    int shrink = full ? 0 : 1, minname = full ? 24 : 18;
    int on[C_N] = {0}, used = 0;
    for (int p = 0; p < C_N; p++)
        for (int c = 0; c < C_N; c++)
            if (cols[c].priority == p && used + cols[c].width - shrink <= w - minname) {
                on[c] = 1;
                used += cols[c].width - shrink;
            }
    int namew = w - used;
    int ry = y + 1;
    if (h < 2)
        return;
    ui_put(ry, x, namew, UC_DIM, "endpoint");
    int cx = x + namew;
    for (int c = 0; c < C_N; c++)
        if (on[c]) {
            ui_putr(ry, cx, cols[c].width - shrink, UC_DIM,
                    !full && c == C_REQ ? "req" : cols[c].head);
            cx += cols[c].width - shrink;
        }
    ry++;
    int idx[SNAP_ENDPOINTS];
    for (int i = 0; i < s->nendpoints; i++)
        idx[i] = i;
    qsort_r(idx, (size_t)s->nendpoints, sizeof *idx, cmp_ep, (void *)s);
    uint64_t total = 0;
    for (int i = 0; i < s->nendpoints; i++)
        total += s->ep[i].c.requests;

    int body = h - 2;
    if (!s->nendpoints && body > 0)
        ui_put(ry, x, w, UC_DIM, "no requests yet");
    int kind = u->lat == SUM_LATENCY ? 1 : 0;
    for (int i = 0; i < s->nendpoints && i < body; i++, ry++) {
        if (i == body - 1 && s->nendpoints > body) {
            ui_putf(ry, x, w, UC_DIM, "+%d more%s", s->nendpoints - i, full ? "" : " (tab)");
            break;
        }
        const struct snap_endpoint *ep = &s->ep[idx[i]];
        const struct sumstat *st = &ep->s[kind];
        const char *key = idx[i] < u->plan->nendpoints ? u->plan->endpoints[idx[i]].key : "?";
        char name[256];
        ui_fit(name, sizeof name, key, namew - 1);
        ui_put(ry, x, namew - 1, UC_NORMAL, name);
        cx = x + namew;
        for (int c = 0; c < C_N; c++) {
            if (!on[c])
                continue;
            char b[24];
            enum ui_role r = UC_NORMAL;
            switch (c) {
            case C_REQ:
                ui_fmt_count(b, sizeof b, ep->c.requests);
                break;
            case C_SHARE:
                ui_fmt_pct(b, sizeof b, total ? (double)ep->c.requests / total : 0);
                break;
            case C_FAIL:
                ui_fmt_count(b, sizeof b, ep->c.errors);
                r = ep->c.errors ? UC_BAD : UC_NORMAL;
                break;
            case C_NON2XX:
                ui_fmt_count(b, sizeof b, ep->c.non2xx);
                r = ep->c.non2xx ? UC_WARN : UC_NORMAL;
                break;
            case C_RESP:
                ui_fmt_count(b, sizeof b, ep->c.responses);
                break;
            default: {
                int64_t v = c == C_P50   ? st->p50
                            : c == C_P95 ? st->p95
                            : c == C_P99 ? st->p99
                                         : st->max;
                if (st->count)
                    ui_fmt_us(b, sizeof b, v);
                else
                    snprintf(b, sizeof b, "-");
            }
            }
            ui_putr(ry, cx, cols[c].width - shrink, r, b);
            cx += cols[c].width - shrink;
        }
    }
}
