/* chart.c — the HTML report's inline SVG charts (render_int.h): time on x
 * with phase bands and event markers, lines or stacked areas on a linear or
 * log y axis, a legend. A hostile saved report must not put "nan" or "inf"
 * in an attribute (tests/fuzz/fuzz_report.c checks): the values come
 * plausible from timeline.c, and times from the report are clamped to the
 * axis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_int.h"

struct series {
    const char *name, *color;
    const double *y;
    int dashed, step;
};

struct chart {
    int w, h;
    const struct timeline *tl;
    const struct series *s;
    int ns;
    int stacked, logy;
    double min_top; /* the y axis reaches at least this */
    const char *ylabel, *title;
    const json_t *run; /* phase bands and event markers */
    double ref;        /* a dashed reference line (> 0), e.g. the CPU count */
    const char *ref_label;
};

enum { ML = 64, MR = 16, MT = 34, MB = 42 };

struct axis {
    double x0, pw, tmax, bottom, ph;
    int logy;
    double lo, hi;
};

static double ax_x(const struct axis *a, double t)
{
    return a->x0 + (a->tmax > 0 ? t / a->tmax : 0) * a->pw;
}

static double ax_y(const struct axis *a, double v)
{
    if (!a->logy)
        return a->bottom - v / a->hi * a->ph;
    double lv = log10(fmax(v, a->lo));
    return a->bottom - (lv - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) * a->ph;
}

static double nice_step(double range, int ticks)
{
    double raw = range / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

static void tick_label(char *out, size_t n, double v)
{
    if (v >= 10000)
        snprintf(out, n, "%gk", v / 1000);
    else
        snprintf(out, n, "%g", v);
}

static void x_axis(struct buf *b, const struct axis *a)
{
    static const double steps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400};
    double step = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        step = steps[i];
        if (a->tmax / step <= 10)
            break;
    }
    while (a->tmax / step > 10) /* runs longer than ten days */
        step *= 2;
    for (double t = 0; t <= a->tmax + 1e-9; t += step) {
        double x = ax_x(a, t);
        long s = lround(t);
        char lab[32];
        if (s >= 3600)
            snprintf(lab, sizeof lab, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
        else
            snprintf(lab, sizeof lab, "%ld:%02ld", s / 60, s % 60);
        buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"tick\"/>", x,
                   a->bottom, x, a->bottom + 4);
        buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x,
                   a->bottom + 16, lab);
    }
    buf_printf(b,
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"axl\">time since "
               "start (m:ss)</text>\n",
               a->x0 + a->pw / 2, a->bottom + 34);
}

static void y_axis(struct buf *b, const struct axis *a, const char *label)
{
    char lab[32];
    if (!a->logy) {
        double step = nice_step(a->hi, 5);
        for (double v = 0; v <= a->hi * (1 + 1e-9); v += step) {
            double y = ax_y(a, v);
            tick_label(lab, sizeof lab, v);
            buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>",
                       a->x0, y, a->x0 + a->pw, y);
            buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", a->x0 - 6,
                       y + 4, lab);
        }
    } else {
        for (double dec = a->lo; dec <= a->hi * 1.001; dec *= 10) {
            for (int m = 1; m < 10; m++) {
                double v = dec * m, y = ax_y(a, v);
                if (v > a->hi * 1.001)
                    break;
                buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>",
                           a->x0, y, a->x0 + a->pw, y, m == 1 ? "grid" : "grid minor");
                if (m == 1 || ((m == 2 || m == 5) && a->hi / a->lo <= 1000)) {
                    tick_label(lab, sizeof lab, v);
                    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                               a->x0 - 6, y + 4, lab);
                }
            }
        }
    }
    buf_printf(b,
               "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\" "
               "class=\"axl\">",
               a->bottom - a->ph / 2);
    doc_xml_esc(b, label, strlen(label));
    buf_puts(b, "</text>\n");
}

/* Phase bands: the shaded rectangles (labels = 0), or their names on top
 * of the grid (labels = 1). */
static void bands(struct buf *b, const struct axis *a, const json_t *run, int labels)
{
    const json_t *phases = render_get(run, "phases");
    double el = render_num(render_get(run, "run"), "elapsed");
    size_t i;
    json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        double s0 = render_num(ph, "startedAt"), s1 = render_num(ph, "endedAt");
        if (isnan(s0))
            continue;
        if (isnan(s1))
            s1 = isnan(el) ? a->tmax : el;
        /* on the axis, whatever the report says: w then fits an int */
        s0 = fmin(fmax(s0, 0), a->tmax);
        s1 = fmin(fmax(s1, s0), a->tmax);
        double x0 = ax_x(a, s0), x1 = ax_x(a, s1), w = x1 - x0;
        if (!labels) {
            buf_printf(b,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"%s\"/>",
                       x0, a->bottom - a->ph, fmax(w, 0), a->ph, i % 2 ? "band2" : "band1");
            if (i)
                buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"psep\"/>",
                           x0, a->bottom - a->ph, x0, a->bottom);
            continue;
        }
        /* the phase's number, and as much of its name as fits (~6.2 px a char) */
        const char *name = render_str(ph, "name") ? render_str(ph, "name") : "";
        int fit = (int)((w - 8) / 6.2);
        if (fit < 1)
            continue;
        struct buf lab = {0};
        buf_printf(&lab, "%d %s", (int)i + 1, name);
        if (lab.len > (size_t)fit) {
            lab.data[fit > 2 ? fit - 1 : 1] = '\0';
            /* never cut a UTF-8 sequence: the SVG must stay valid text */
            lab.len = strlen(str_trim_utf8(lab.data));
            if (fit > 2)
                buf_puts(&lab, "\xe2\x80\xa6"); /* … */
        }
        buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"plab\">", x0 + 4,
                   a->bottom - a->ph + 12);
        doc_xml_esc(b, lab.data, lab.len);
        buf_puts(b, "</text>\n");
        buf_free(&lab);
    }
}

/* Markers (and pause bands) a chart draws at most: more are unreadable at
 * 1000 px, and a report with 100,000 events made a 137 MB page (every chart
 * drew them all). The Events table still lists every one. */
#define EV_MAX_MARKS 100

/* Pauses, as grey bands over the phases' (at most EV_MAX_MARKS): time in
 * which the run sent nothing because it was told to wait, not because the
 * target failed. Labelled "paused" where the band is wide enough. */
static void pause_bands(struct buf *b, const struct axis *a, const json_t *run)
{
    const json_t *pauses = render_get(render_get(run, "run"), "pauses");
    size_t i;
    json_t *p;
    json_array_foreach(pauses, i, p)
    {
        if (i >= EV_MAX_MARKS)
            break;
        double s0 = render_num(p, "start"), s1 = render_num(p, "end");
        if (isnan(s0) || isnan(s1))
            continue;
        s0 = fmin(fmax(s0, 0), a->tmax);
        s1 = fmin(fmax(s1, s0), a->tmax);
        double x0 = ax_x(a, s0), w = ax_x(a, s1) - x0;
        buf_printf(b,
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "class=\"pause\"><title>paused %.1f s</title></rect>",
                   x0, a->bottom - a->ph, fmax(w, 1), a->ph, s1 - s0);
        if (w >= 50)
            buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"plab\">paused</text>\n", x0 + 4,
                       a->bottom - a->ph + 26);
    }
}

static int marked_event(const char *kind)
{
    return kind && strcmp(kind, "start") && strcmp(kind, "phase") && strcmp(kind, "stop") &&
           strcmp(kind, "end");
}

/* Draws the first EV_MAX_MARKS markers; returns how many events qualify. */
static int events_marks(struct buf *b, const struct axis *a, const json_t *run)
{
    size_t i;
    json_t *ev;
    int n = 0, level = 0;
    double lastx = -1e9;
    json_array_foreach(render_get(run, "events"), i, ev)
    {
        double t = render_num(ev, "t");
        if (!marked_event(render_str(ev, "kind")) || isnan(t))
            continue;
        if (++n > EV_MAX_MARKS)
            continue;
        double x = ax_x(a, fmin(fmax(t, 0), a->tmax)), top = a->bottom - a->ph;
        /* markers closer than their size go down a row so both stay readable */
        level = x - lastx < 18 ? (level + 1) % 3 : 0;
        lastx = x;
        top += 18 * level;
        buf_printf(b, "<g class=\"ev\"><title>");
        const char *text = render_str(ev, "text") ? render_str(ev, "text") : "";
        char *head = xasprintf("#%d %s at %.1f s: ", (int)i + 1, render_str(ev, "kind"), t);
        doc_xml_esc(b, head, strlen(head));
        free(head);
        doc_xml_esc(b, text, strlen(text));
        buf_printf(b,
                   "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text></g>\n",
                   x, top + 16, x, a->bottom, x, top + 24, x, top + 27.5, (int)i + 1);
    }
    return n;
}

/* Roughly how wide 11 px system-ui text is, to lay legends out. */
static double text_width(const char *s)
{
    double w = 0;
    for (; *s; s++)
        w += *s >= 'A' && *s <= 'Z' ? 7.4 : *s == ' ' ? 3.4 : (*s & 0x80) ? 2.2 : 6.3;
    return w;
}

static void legend(struct buf *b, const struct chart *c, int events)
{
    double x = ML;
    for (int i = 0; i <= c->ns + 1; i++) {
        const char *name, *color = "#64748b";
        int dashed = 0, box = c->stacked;
        if (i < c->ns) {
            name = c->s[i].name;
            color = c->s[i].color;
            dashed = c->s[i].dashed;
        } else if (i == c->ns && c->ref > 0 && c->ref_label) {
            name = c->ref_label;
            dashed = 1;
            box = 0;
        } else if (i == c->ns + 1 && events) {
            char many[64];
            snprintf(many, sizeof many, "the first %d of %d events (see Events)", EV_MAX_MARKS,
                     events);
            name = events > EV_MAX_MARKS ? many : "event (see Events)";
            buf_printf(b, "<g class=\"ev\"><circle cx=\"%.1f\" cy=\"13\" r=\"6\"/></g>", x + 7);
            buf_printf(b, "<text x=\"%.1f\" y=\"17\">%s</text>\n", x + 18, name);
            x += 30 + text_width(name);
            continue;
        } else {
            continue;
        }
        if (box)
            buf_printf(b, "<rect x=\"%.1f\" y=\"7\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
                       color);
        else
            buf_printf(b,
                       "<line x1=\"%.1f\" y1=\"13\" x2=\"%.1f\" y2=\"13\" stroke=\"%s\" "
                       "stroke-width=\"2.5\"%s/>",
                       x, x + 16, color, dashed ? " stroke-dasharray=\"5 3\"" : "");
        buf_printf(b, "<text x=\"%.1f\" y=\"17\">", x + 21);
        doc_xml_esc(b, name, strlen(name));
        buf_puts(b, "</text>\n");
        x += 30 + text_width(name);
    }
}

static void path_line(struct buf *b, const struct axis *a, const struct series *s, int n, int k)
{
    buf_printf(
        b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"%s d=\"",
        s->color, s->dashed ? "1.8" : "2", s->dashed ? " stroke-dasharray=\"6 4\"" : "");
    int pen = 0;
    for (int i = 0; i < n; i++) {
        double v = s->y[i];
        if (isnan(v) || (a->logy && v <= 0)) {
            pen = 0;
            continue;
        }
        double y = ax_y(a, v);
        if (s->step) {
            double x0 = ax_x(a, (double)i * k), x1 = ax_x(a, fmin((double)(i + 1) * k, a->tmax));
            if (!pen)
                buf_printf(b, "M%.1f %.1f", x0, y);
            else
                buf_printf(b, "V%.1f", y);
            buf_printf(b, "H%.1f", x1);
        } else {
            buf_printf(b, "%s%.1f %.1f", pen ? "L" : "M", ax_x(a, (i + 0.5) * k), y);
        }
        pen = 1;
    }
    buf_puts(b, "\"/>\n");
}

static void stacked_areas(struct buf *b, const struct axis *a, const struct chart *c, int n, int k)
{
    double *base = xcalloc((size_t)n + 1, sizeof *base);
    for (int s = 0; s < c->ns; s++) {
        /* crisp edges: anti-aliased seams between adjacent seconds read as gaps */
        buf_printf(b, "<path fill=\"%s\" fill-opacity=\"0.85\" shape-rendering=\"crispEdges\" d=\"",
                   c->s[s].color);
        for (int i = 0; i < n; i++) {
            double x0 = ax_x(a, (double)i * k), x1 = ax_x(a, fmin((double)(i + 1) * k, a->tmax));
            double v = isnan(c->s[s].y[i]) ? 0 : c->s[s].y[i];
            if (v <= 0)
                continue;
            buf_printf(b, "M%.1f %.1fH%.1fV%.1fH%.1fZ", x0, ax_y(a, base[i]), x1,
                       ax_y(a, base[i] + v), x0);
            base[i] += v;
        }
        buf_puts(b, "\"/>\n");
    }
    free(base);
}

static void chart_svg(struct buf *b, const struct chart *c)
{
    const struct timeline *t = c->tl;
    struct axis a = {ML, c->w - ML - MR, t->tmax, c->h - MB, c->h - MT - MB, c->logy, 0, 0};
    double top = fmax(c->min_top, c->ref), lo = INFINITY;
    for (int i = 0; i < t->n; i++) {
        double sum = 0;
        for (int s = 0; s < c->ns; s++) {
            double v = c->s[s].y[i];
            if (isnan(v))
                continue;
            sum += v;
            top = fmax(top, c->stacked ? sum : v);
            if (v > 0)
                lo = fmin(lo, v);
        }
    }
    if (c->logy) {
        /* 1 µs, the histograms' resolution, is the lowest decade: a tinier
         * value (a denormal makes pow() give 0) would never end the axis */
        lo = fmax(lo, 1e-3);
        a.lo = isinf(lo) ? 1 : pow(10, floor(log10(lo)));
        a.hi = fmax(pow(10, ceil(log10(fmax(top, a.lo)))), a.lo * 10);
    } else {
        if (!(top >= 1e-6)) /* nothing to show, or too little for nice_step */
            top = 1;
        double step = nice_step(top * 1.04, 5);
        a.hi = ceil(top * 1.04 / step) * step;
    }
    buf_printf(b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "aria-label=\"%s\">\n<title>%s</title>\n",
               c->w, c->h, c->title, c->title);
    buf_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", c->w,
               c->h);
    bands(b, &a, c->run, 0);
    pause_bands(b, &a, c->run);
    y_axis(b, &a, c->ylabel);
    x_axis(b, &a);
    bands(b, &a, c->run, 1);
    if (c->stacked)
        stacked_areas(b, &a, c, t->n, t->k);
    if (c->ref > 0)
        buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"ref\"/>\n",
                   a.x0, ax_y(&a, c->ref), a.x0 + a.pw, ax_y(&a, c->ref));
    for (int s = 0; s < c->ns && !c->stacked; s++)
        path_line(b, &a, &c->s[s], t->n, t->k);
    buf_printf(b,
               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
               a.x0, a.bottom - a.ph, a.x0, a.bottom, a.x0, a.bottom, a.x0 + a.pw, a.bottom);
    int events = events_marks(b, &a, c->run);
    legend(b, c, events);
    buf_puts(b, "</svg>\n");
}

static void figure(struct doc *d, const char *caption, const char *note, const struct chart *c)
{
    doc_end_list(d);
    buf_puts(&d->b, "<figure>\n<figcaption>");
    doc_xml_esc(&d->b, caption, strlen(caption));
    if (note) {
        buf_puts(&d->b, " <span class=\"note\">");
        doc_xml_esc(&d->b, note, strlen(note));
        buf_puts(&d->b, "</span>");
    }
    buf_puts(&d->b, "</figcaption>\n");
    chart_svg(&d->b, c);
    buf_puts(&d->b, "</figure>\n");
}

static const char *per_point(struct doc *d, const struct timeline *t, const char *how)
{
    return t->k > 1 ? doc_printf(d, "(each point: %s of %d s)", how, t->k) : NULL;
}

void chart_rate(struct doc *d, const json_t *run, const struct timeline *t)
{
    /* the dashed target goes last, on top, so it shows where achieved meets it */
    struct series s[] = {{"requests/s", "#0d9488", t->v[TF_REQUESTS], 0, 1},
                         {"achieved (arrivals/s)", "#2563eb", t->v[TF_ARRIVALS], 0, 1},
                         {"target (arrivals/s)", "#334155", t->v[TF_TARGET], 1, 1}};
    /* with one request per VU the requests line would only hide the achieved one */
    int differ = 0;
    for (int i = 0; i < t->n; i++) {
        double a = t->v[TF_ARRIVALS][i], r = t->v[TF_REQUESTS][i];
        differ |= !isnan(a) && !isnan(r) && fabs(r - a) > fmax(1, 0.01 * a);
    }
    struct chart c = {1000,
                      300,
                      t,
                      s + !differ,
                      3 - !differ,
                      0,
                      0,
                      0,
                      differ ? "arrivals or requests per second" : "arrivals per second",
                      "Achieved vs target rate",
                      run,
                      0,
                      NULL};
    figure(d, "Achieved vs target rate", per_point(d, t, "mean"), &c);
}

void chart_latency(struct doc *d, const json_t *run, const struct timeline *t)
{
    struct series s[] = {{"p50", "#16a34a", t->v[TF_P50], 0, 0},
                         {"p95", "#d97706", t->v[TF_P95], 0, 0},
                         {"p99", "#dc2626", t->v[TF_P99], 0, 0}};
    doc_end_list(d);
    buf_puts(&d->b, "<div class=\"toggle\">\n<span class=\"note\">scale:</span>"
                    "<input type=\"radio\" name=\"lat-scale\" id=\"lat-lin\" checked=\"checked\"/>"
                    "<label for=\"lat-lin\">linear</label>"
                    "<input type=\"radio\" name=\"lat-scale\" id=\"lat-log\"/>"
                    "<label for=\"lat-log\">log</label>\n");
    const char *note = per_point(d, t, "max");
    for (int logy = 0; logy < 2; logy++) {
        struct chart c = {1000,
                          300,
                          t,
                          s,
                          3,
                          0,
                          logy,
                          0,
                          "response time (ms)",
                          logy ? "Response time percentiles, log scale"
                               : "Response time percentiles",
                          run,
                          0,
                          NULL};
        buf_printf(&d->b, "<div class=\"%s\">\n", logy ? "lat-log" : "lat-lin");
        figure(d,
               logy ? "Response time p50 / p95 / p99 (log scale)" : "Response time p50 / p95 / p99",
               note, &c);
        buf_puts(&d->b, "</div>\n");
    }
    buf_puts(&d->b, "</div>\n");
}

void chart_codes_errors(struct doc *d, const json_t *run, const struct timeline *t)
{
    static const char *const cls_color[] = {"#94a3b8", "#16a34a", "#2563eb",
                                            "#f59e0b", "#dc2626", "#7c3aed"};
    static const char *const cls_name[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    struct series s[8];
    int n = 0;
    for (int i = 0; i < 6; i++) {
        int any = 0;
        for (int j = 0; j < t->n; j++)
            any |= t->v[TF_C1 + i][j] > 0;
        if (any)
            s[n++] = (struct series){cls_name[i], cls_color[i], t->v[TF_C1 + i], 0, 0};
    }
    const char *note = per_point(d, t, "mean");
    struct chart c = {1000, 260, t,   s, n, 1, 0, 0, "responses per second", "Status classes",
                      run,  0,   NULL};
    figure(d, "Responses per second by status class", note, &c);

    if (!t->nerr) {
        doc_para(d, "No transport errors during the run, so there is no errors chart.");
        return;
    }
    static const char *const err_color[] = {"#dc2626", "#ea580c", "#9333ea", "#db2777",
                                            "#0891b2", "#ca8a04", "#4b5563", "#94a3b8"};
    for (int e = 0; e < t->nerr; e++)
        s[e] = (struct series){t->errname[e], err_color[e], t->err[e], 0, 0};
    struct chart ce = {
        1000, 260, t,   s, t->nerr, 1, 0, 0, "errors per second", "Errors per second by name",
        run,  0,   NULL};
    figure(d, "Errors per second, stacked by name", note, &ce);
}

void chart_host(struct doc *d, const json_t *run, const struct timeline *t)
{
    const char *note = per_point(d, t, "max");
    doc_end_list(d);
    buf_puts(&d->b, "<div class=\"grid2\">\n");
    struct series cpu[] = {{"host CPU", "#2563eb", t->v[TF_CPU], 0, 0},
                           {"loadtop CPU", "#db2777", t->v[TF_SELF], 0, 0}};
    struct chart c = {490, 260, t, cpu, 2, 0, 0, 100, "CPU (%)", "CPU over time", run, 0, NULL};
    figure(d, "CPU: host and loadtop (100% = one core for loadtop)", note, &c);
    struct series load[] = {{"load average (1 min)", "#0891b2", t->v[TF_LOAD], 0, 0}};
    double ncpu = render_num(render_get(run, "host"), "ncpu");
    if (!(ncpu >= 1 && ncpu <= 1e6)) /* the reference line must stay on a sane axis */
        ncpu = NAN;
    struct chart l = {490,
                      260,
                      t,
                      load,
                      1,
                      0,
                      0,
                      1,
                      "load average",
                      "Load average over time",
                      run,
                      isnan(ncpu) ? 0 : ncpu,
                      isnan(ncpu) ? NULL : doc_printf(d, "%.0f CPUs", ncpu)};
    figure(d, "Load average", note, &l);
    buf_puts(&d->b, "</div>\n");
}
