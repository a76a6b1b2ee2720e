/* ui_phases.c — the plan as a list: done ✓, current ▶, pending ·, each with
 * its duration and rate (and arrivals so far when there is room). */
#include <stdio.h>

#include "ui_int.h"

static char *fmt_dur(char *b, size_t n, int64_t us)
{
    long long s = (us + 500000) / 1000000;
    if (s < 60)
        snprintf(b, n, "%llds", s);
    else if (s % 60)
        snprintf(b, n, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(b, n, "%lldm", s / 60);
    return b;
}

void ui_phases_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    const struct plan *p = u->plan;
    int n = p->nphases < SNAP_PHASES ? p->nphases : SNAP_PHASES;
    char right[32];
    snprintf(right, sizeof right, "%d/%d", s->phase + 1, p->nphases);
    ui_title(y, x, w, "Phases", right);
    int rows = h - 1;
    int cur = s->phase;
    int from = cur - rows / 2;
    from = from > n - rows ? n - rows : from;
    from = from < 0 ? 0 : from;
    int wide = w >= 44;
    const int durw = 6, ratew = 9, arrw = wide ? 9 : 0;
    int namew = w - 2 - durw - ratew - arrw;
    for (int r = 0; r < rows && from + r < n; r++) {
        int i = from + r, ry = y + 1 + r;
        const struct snap_phase *sp = &s->ph[i];
        int current = i == cur && s->state != RUN_DONE;
        int done = !current && sp->started_us >= 0 && (sp->ended_us >= 0 || s->state == RUN_DONE);
        enum ui_role role = current ? UC_TITLE : done ? UC_NORMAL : UC_DIM;
        ui_put(ry, x, 1,
               current ? UC_ACCENT
               : done  ? UC_OK
                       : UC_DIM,
               ui_glyph(current ? G_CUR
                        : done  ? G_DONE
                                : G_PENDING));
        char name[128], b[32];
        ui_fit(name, sizeof name, p->phases[i].name, namew - 1);
        ui_put(ry, x + 2, namew - 1, role, name);
        ui_putr(ry, x + 2 + namew, durw - 1, role, fmt_dur(b, sizeof b, p->phases[i].duration_us));
        ui_putr(ry, x + 2 + namew + durw, ratew - 1, role,
                ui_fmt_phase(b, sizeof b, &p->phases[i]));
        if (wide && sp->started_us >= 0)
            ui_putr(ry, x + w - arrw, arrw, role,
                    ui_fmt_count(b, sizeof b, (uint64_t)sp->arrivals));
    }
}
