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
    snprintf(right, sizeof right, "%d CPU%s %s frame %s", hs->ncpu, hs->ncpu == 1 ? "" : "s",
             ui_glyph(G_PENDING), ui_fmt_us(f, sizeof f, (int64_t)u->frame_cpu_us));
    ui_title(y, x, w, "Host", right);
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
    snprintf(c, sizeof c, "%.0f%%", hs->self_cpu_pct);
    right_pair(y + 2, x, w, "loadtop ", c,
               saturation_of(hs->self_cpu_pct, -1) ? UC_BAD
               : hs->self_cpu_pct > 70             ? UC_WARN
                                                   : UC_NORMAL);
    if (h < 4)
        return;
    ui_putf(y + 3, x, w, UC_NORMAL, "fds %d/%d", hs->fds_open, hs->fds_limit);
    right_pair(y + 3, x, w, "lag p99 ", ui_fmt_us(a, sizeof a, u->lag_p99),
               saturation_of(-1, u->lag_p99 / 1000.0) ? UC_BAD : UC_NORMAL);
}
