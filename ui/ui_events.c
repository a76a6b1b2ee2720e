/* ui_events.c — the run's last events (phase starts, controls, snapshots,
 * warnings), newest at the bottom, with mm:ss run times. */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

static enum ui_role kind_role(const char *k)
{
    if (!strcmp(k, "warning"))
        return UC_BAD;
    if (!strcmp(k, "phase"))
        return UC_ACCENT;
    if (!strcmp(k, "snapshot"))
        return UC_OK;
    if (!strcmp(k, "start") || !strcmp(k, "end"))
        return UC_NORMAL;
    return UC_WARN;
}

void ui_events_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    char right[32];
    snprintf(right, sizeof right, "%d", s->total_events);
    ui_title(y, x, w, "Events", right);
    int rows = h - 1;
    int n = s->nevents < rows ? s->nevents : rows;
    for (int i = 0; i < n; i++) {
        const struct event *ev = &s->ev[s->nevents - n + i];
        char t[16];
        int ry = y + 1 + i;
        ui_put(ry, x, 6, UC_DIM, ui_fmt_clock(t, sizeof t, ev->t_us));
        ui_put(ry, x + 6, w - 6, kind_role(ev->kind), ev->text);
    }
    (void)u;
}
