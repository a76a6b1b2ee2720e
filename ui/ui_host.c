/* ui_host.c — what the load generator's host is doing: load average, CPU,
 * memory, and loadtop's own CPU and schedule lag (a saturated generator
 * measures itself, not the server: red when saturation.h says so). */
#include <stdio.h>

#include "saturation.h"
#include "ui_int.h"

static char *fmt_kb(char *b, size_t n, uint64_t kb)
{
    double g = kb / 1048576.0;
    if (g >= 10)
        snprintf(b, n, "%.0fG", g);
    else if (g >= 1)
        snprintf(b, n, "%.1fG", g);
    else
        snprintf(b, n, "%.0fM", kb / 1024.0);
    return b;
}

/* "label value" flush right in the row. */
static void right_pair(int y, int x, int w, const char *label, const char *value, enum ui_role r)
{
    int vw = ui_width(value), lw = ui_width(label);
    ui_put(y, x + w - vw - lw, lw, UC_DIM, label);
    ui_put(y, x + w - vw, vw, r, value);
}

void ui_host_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    const struct host_sample *hs = &s->host;
    char right[48], f[16];
    /* loadtop watch: the host is the busiest shard's, each "worker" a shard */
    char nw[24] = "", title[24] = "Host", wl = s->nshards ? 's' : 'w';
    if (s->nshards)
        snprintf(title, sizeof title, "Host of shard %d", hs->busiest_worker);
    if (s->nworkers > 1)
        snprintf(nw, sizeof nw, " %s %d %s", ui_glyph(G_PENDING), s->nworkers,
                 s->nshards ? "shards" : "workers");
    snprintf(right, sizeof right, "%d CPU%s%s %s frame %s", hs->ncpu, hs->ncpu == 1 ? "" : "s", nw,
             ui_glyph(G_PENDING), ui_fmt_us(f, sizeof f, (int64_t)u->frame_cpu_us));
    if (ui_width(right) + 12 > w) /* as ui_title fits it: the frame time goes first */
        snprintf(right, sizeof right, "%d CPU%s%s", hs->ncpu, hs->ncpu == 1 ? "" : "s", nw);
    ui_title(y, x, w, title, right);
    if (h < 2)
        return;
    char a[32], b[32], c[64];
    ui_putf(y + 1, x, w, UC_NORMAL, "load %.2f %.2f %.2f", hs->load1, hs->load5, hs->load15);
    snprintf(c, sizeof c, "%.0f%%", hs->cpu_pct);
    right_pair(y + 1, x, w, "cpu ", c, hs->cpu_pct > 90 ? UC_WARN : UC_NORMAL);
    if (h < 3)
        return;
    ui_putf(y + 2, x, w, UC_NORMAL, "mem %s/%s", fmt_kb(a, sizeof a, hs->mem_used_kb),
            fmt_kb(b, sizeof b, hs->mem_total_kb));
    /* The process, and with several workers each one's CPU (up to four,
     * when they fit) or the busiest one's: the reading saturation.h
     * judges, coloured as it says. */
    char label[40] = "loadtop ", list[48] = "";
    int n = s->nworkers < SNAP_WORKERS ? s->nworkers : SNAP_WORKERS;
    if (n > 1 && n <= 4) {
        size_t len = 0;
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%.0f", i ? "/" : "",
                                    s->worker[i].cpu_pct);
        snprintf(list + len, sizeof list - len, "%%");
    }
    if (n > 1)
        snprintf(label, sizeof label, "loadtop %.0f%% %c%s", hs->self_cpu_pct, wl,
                 *list ? " " : "");
    if (*list && ui_width(label) + ui_width(list) + ui_width(a) + ui_width(b) + 6 <= w)
        snprintf(c, sizeof c, "%s", list);
    else if (n > 1) {
        snprintf(label, sizeof label, "loadtop %.0f%% %c%d ", hs->self_cpu_pct, wl,
                 hs->busiest_worker);
        snprintf(c, sizeof c, "%.0f%%", hs->worker_cpu_pct);
    } else {
        snprintf(c, sizeof c, "%.0f%%", hs->self_cpu_pct);
    }
    right_pair(y + 2, x, w, label, c,
               saturation_of(hs->worker_cpu_pct, -1) ? UC_BAD
               : hs->worker_cpu_pct > 70             ? UC_WARN
                                                     : UC_NORMAL);
    if (h < 4)
        return;
    /* loadtop's own memory: bounded by configuration, never by how far behind it is */
    ui_putf(y + 3, x, w, UC_NORMAL, "fds %d/%d rss %s", hs->fds_open, hs->fds_limit,
            fmt_kb(a, sizeof a, hs->self_rss_kb));
    /* with several workers, the one furthest behind is named */
    char lag_label[32] = "lag p99 ";
    int behind = snapshot_worker_behind(s, SATURATION_LAG);
    if (behind >= 0)
        snprintf(lag_label, sizeof lag_label, "lag p99 (%c%d) ", wl, behind);
    right_pair(y + 3, x, w, lag_label, ui_fmt_us(a, sizeof a, u->lag_p99),
               saturation_of(-1, u->lag_p99 / 1000.0) ? UC_BAD : UC_NORMAL);
}
