/* render.c — see render.h.
 *
 * One set of section functions writes both formats through a tiny document
 * writer (headings, bullets, paragraphs, tables) whose text is Markdown
 * inline syntax (`code`, **bold**, backslash escapes); the HTML writer
 * converts it, so the two reports cannot drift apart. The HTML adds charts:
 * SVG drawn from the per-second timeline, bucketed to at most TL_MAX_POINTS
 * points so hour-long runs stay small. Every number goes through a fixed
 * printf format: the output depends on the JSON only. */
#include "render.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capacity.h"
#include "numfmt.h"
#include "util.h"

/* ---- JSON access ------------------------------------------------------- */

static json_t *get(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

static double num(const json_t *o, const char *key)
{
    json_t *v = get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(get(o, key));
}

/* A counter: absent from a present counters object means 0 (report.c omits
 * zero codes and errors); no counters object at all means unknown. */
static double cnt(const json_t *counters, const char *key)
{
    if (!json_is_object(counters))
        return NAN;
    double v = num(counters, key);
    return isnan(v) ? 0 : v;
}

static double stat(const json_t *group, const char *summary, const char *key)
{
    const json_t *s = get(get(group, "summaries"), summary);
    if (num(s, "count") == 0)
        return NAN;
    return num(s, key);
}

/* ---- the document writer ------------------------------------------------ */

struct doc {
    int html;
    struct buf b;
    int list, section;
    char **tmp; /* formatted strings, freed with the doc */
    int ntmp, captmp;
};

static const char *keep(struct doc *d, char *s)
{
    if (d->ntmp == d->captmp) {
        d->captmp = d->captmp ? 2 * d->captmp : 64;
        d->tmp = xrealloc(d->tmp, sizeof *d->tmp * (size_t)d->captmp);
    }
    return d->tmp[d->ntmp++] = s;
}

__attribute__((format(printf, 2, 3))) static const char *F(struct doc *d, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return keep(d, s);
}

static void xml_esc(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        default:
            /* control characters are not allowed in XML 1.0, nor U+FFFE and U+FFFF */
            if ((unsigned char)s[i] == 0xef && i + 2 < n && (unsigned char)s[i + 1] == 0xbf &&
                ((unsigned char)s[i + 2] & 0xfe) == 0xbe) {
                buf_puts(b, "?");
                i += 2;
                break;
            }
            buf_append(b, (unsigned char)s[i] < 0x20 && !strchr("\t\n\r", s[i]) ? "?" : s + i, 1);
        }
    }
}

/* Markdown inline syntax -> HTML: `code`, **strong**, \x escapes. */
static void inl(struct buf *b, const char *s)
{
    int strong = 0;
    while (*s) {
        if (*s == '\\' && s[1]) {
            xml_esc(b, s + 1, 1);
            s += 2;
        } else if (*s == '`' && strchr(s + 1, '`')) {
            const char *end = strchr(s + 1, '`');
            buf_puts(b, "<code>");
            xml_esc(b, s + 1, (size_t)(end - s - 1));
            buf_puts(b, "</code>");
            s = end + 1;
        } else if (s[0] == '*' && s[1] == '*') {
            buf_puts(b, strong ? "</strong>" : "<strong>");
            strong = !strong;
            s += 2;
        } else {
            /* plain text up to the next markup character, in one piece:
             * xml_esc must see a UTF-8 sequence whole */
            size_t k = strcspn(s, "\\`*");
            xml_esc(b, s, k ? k : 1);
            s += k ? k : 1;
        }
    }
    if (strong)
        buf_puts(b, "</strong>");
}

/* Plain data as Markdown text (names may hold * _ [ ] < > `). */
static const char *md(struct doc *d, const char *s)
{
    struct buf b = {0};
    buf_puts(&b, "");
    for (const char *p = s; p && *p; p++) {
        if (*p == '\n' || *p == '\r') { /* a line break would end a list item or a table row */
            buf_append(&b, " ", 1);
            continue;
        }
        /* GitHub ignores _ inside words (http.response_time), so leave those */
        int inword =
            *p == '_' && p > s && isalnum((unsigned char)p[-1]) && isalnum((unsigned char)p[1]);
        if (strchr("\\`*_[]<>", *p) && !inword)
            buf_append(&b, "\\", 1);
        buf_append(&b, p, 1);
    }
    return keep(d, b.data);
}

/* Data as a code span (a backtick inside would end it early). */
static const char *code(struct doc *d, const char *s)
{
    if (!s)
        return "n/a";
    char *c = xasprintf("`%s`", s);
    for (char *p = c + 1; p[1]; p++)
        if (*p == '`')
            *p = '\'';
        else if (*p == '\n' || *p == '\r')
            *p = ' ';
    return keep(d, c);
}

static void end_list(struct doc *d)
{
    if (!d->list)
        return;
    buf_puts(&d->b, d->html ? "</ul>\n" : "\n");
    d->list = 0;
}

static void heading(struct doc *d, int level, const char *id, const char *text)
{
    end_list(d);
    if (!d->html) {
        buf_printf(&d->b, "%.*s %s\n\n", level, "###", text);
        return;
    }
    if (level == 2) {
        if (d->section)
            buf_puts(&d->b, "</section>\n");
        buf_printf(&d->b, "<section id=\"%s\">\n", id);
        d->section = 1;
    }
    buf_printf(&d->b, "<h%d>", level);
    inl(&d->b, text);
    buf_printf(&d->b, "</h%d>\n", level);
}

static void para(struct doc *d, const char *text)
{
    end_list(d);
    if (!d->html) {
        buf_printf(&d->b, "%s\n\n", text);
        return;
    }
    buf_puts(&d->b, "<p>");
    inl(&d->b, text);
    buf_puts(&d->b, "</p>\n");
}

static void item(struct doc *d, const char *label, const char *text)
{
    if (!d->list)
        buf_puts(&d->b, d->html ? "<ul>\n" : "");
    d->list = 1;
    if (!d->html) {
        buf_printf(&d->b, "- **%s**: %s\n", label, text);
        return;
    }
    buf_puts(&d->b, "<li><strong>");
    inl(&d->b, label);
    buf_puts(&d->b, "</strong>: ");
    inl(&d->b, text);
    buf_puts(&d->b, "</li>\n");
}

struct table {
    int ncols;
    const char *const *head;
    const char *align; /* 'l' or 'r' per column */
    const char **cells;
    int nrows, cap;
};

static void row(struct table *t, ...)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->cells = xrealloc(t->cells, sizeof *t->cells * (size_t)(t->cap * t->ncols));
    }
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = va_arg(ap, const char *);
    va_end(ap);
    t->nrows++;
}

/* Pass/fail cells get a colour in HTML. */
static const char *cell_class(const char *s, char align)
{
    if (!strcmp(s, "ok"))
        return " class=\"ok\"";
    if (!strcmp(s, "**fail**"))
        return " class=\"fail\"";
    if (!strcmp(s, "fail (optional)"))
        return " class=\"warn\"";
    return align == 'r' ? " class=\"r\"" : "";
}

static void md_cell(struct buf *b, const char *s)
{
    buf_puts(b, " ");
    for (; *s; s++)
        if (*s == '|')
            buf_puts(b, "\\|");
        else
            buf_append(b, s, 1);
    buf_puts(b, " |");
}

static void table_out(struct doc *d, struct table *t)
{
    end_list(d);
    struct buf *b = &d->b;
    if (!d->html) {
        buf_puts(b, "|");
        for (int i = 0; i < t->ncols; i++)
            md_cell(b, t->head[i]);
        buf_puts(b, "\n|");
        for (int i = 0; i < t->ncols; i++)
            buf_puts(b, t->align[i] == 'r' ? " ---: |" : " --- |");
        buf_puts(b, "\n");
        for (int r = 0; r < t->nrows; r++) {
            buf_puts(b, "|");
            for (int i = 0; i < t->ncols; i++)
                md_cell(b, t->cells[r * t->ncols + i]);
            buf_puts(b, "\n");
        }
        buf_puts(b, "\n");
    } else {
        buf_puts(b, "<div class=\"tw\"><table>\n<thead><tr>");
        for (int i = 0; i < t->ncols; i++) {
            buf_printf(b, "<th%s>", t->align[i] == 'r' ? " class=\"r\"" : "");
            inl(b, t->head[i]);
            buf_puts(b, "</th>");
        }
        buf_puts(b, "</tr></thead>\n<tbody>\n");
        for (int r = 0; r < t->nrows; r++) {
            buf_puts(b, "<tr>");
            for (int i = 0; i < t->ncols; i++) {
                const char *c = t->cells[r * t->ncols + i];
                buf_printf(b, "<td%s>", cell_class(c, t->align[i]));
                inl(b, c);
                buf_puts(b, "</td>");
            }
            buf_puts(b, "</tr>\n");
        }
        buf_puts(b, "</tbody>\n</table></div>\n");
    }
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

/* ---- numbers (numfmt.h), kept with the doc ------------------------------ */

static const char *count(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_count(b, sizeof b, v));
}

static const char *rate_n(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_rate(b, sizeof b, r));
}

static const char *rate(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_rate_per_s(b, sizeof b, r));
}

static const char *rate1(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_rate1(b, sizeof b, r));
}

static const char *pct(struct doc *d, double p)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_pct(b, sizeof b, p));
}

static const char *ms(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_ms(b, sizeof b, v));
}

static const char *dur(struct doc *d, double s)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_duration(b, sizeof b, s));
}

static const char *clock_at(struct doc *d, double s, int tenths)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_clock(b, sizeof b, s, tenths));
}

static const char *kib(struct doc *d, double kb)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_kib(b, sizeof b, kb));
}

static const char *bytes(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return F(d, "%s", numfmt_bytes(b, sizeof b, v));
}

static double ratio_pct(double part, double whole)
{
    return isnan(part) || isnan(whole) || whole <= 0 ? NAN : part * 100 / whole;
}

/* "2026-11-29T09:56:41.123Z" -> "2026-11-29 09:56:41 UTC"; anything else
 * as it is (cutting it at byte 10 could split a UTF-8 sequence). */
static const char *date(struct doc *d, const char *iso)
{
    if (!iso)
        return "n/a";
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (int i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)iso[i]) : iso[i] != shape[i])
            return md(d, iso);
    return F(d, "%.10s %.8s UTC", iso, iso + 11);
}

/* ---- the timeline, bucketed for charts ----------------------------------- */

#define TL_MAX_POINTS 600
#define TL_MAX_ERRORS 7   /* more names go to "other" */
#define TL_MAX_VALUE 1e12 /* no rate, latency or percentage a second gets near */

/* A timeline reading as the charts draw it: NAN (no value) unless it is
 * finite, not negative and at most TL_MAX_VALUE. A saved report is user
 * input, and a value past these would take the axes' arithmetic to inf. */
static double plausible(double v)
{
    return v >= 0 && v <= TL_MAX_VALUE ? v : NAN;
}

enum tl_field {
    TF_TARGET,
    TF_ARRIVALS,
    TF_REQUESTS,
    TF_P50,
    TF_P95,
    TF_P99,
    TF_LOAD,
    TF_CPU,
    TF_SELF,
    TF_C1,
    TF_C2,
    TF_C3,
    TF_C4,
    TF_C5,
    TF_COTHER,
    TF_N
};

struct tl {
    int n, k;    /* points, seconds per point */
    double tmax; /* x axis length, s */
    double *v[TF_N];
    int nerr;
    const char *errname[TL_MAX_ERRORS + 1];
    double *err[TL_MAX_ERRORS + 1];
};

struct errtot {
    const char *name;
    double total;
};

static int errtot_cmp(const void *a, const void *b)
{
    const struct errtot *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Fold raw[n] into k-second buckets: the mean, or the max for values that
 * must not be smoothed away (latency, CPU, load). NAN = no value. */
static double *bucket(const double *raw, int n, int k, int use_max)
{
    int m = (n + k - 1) / k;
    double *out = xcalloc((size_t)m + 1, sizeof *out);
    for (int i = 0; i < m; i++) {
        double acc = use_max ? -INFINITY : 0;
        int got = 0;
        for (int j = i * k; j < n && j < (i + 1) * k; j++) {
            if (isnan(raw[j]))
                continue;
            acc = use_max ? fmax(acc, raw[j]) : acc + raw[j];
            got++;
        }
        out[i] = !got ? NAN : use_max ? acc : acc / got;
    }
    return out;
}

static void tl_load(struct tl *t, const json_t *run)
{
    memset(t, 0, sizeof *t);
    const json_t *arr = get(run, "timeline");
    int n = (int)json_array_size(arr);
    t->k = n > TL_MAX_POINTS ? (n + TL_MAX_POINTS - 1) / TL_MAX_POINTS : 1;
    t->n = (n + t->k - 1) / t->k;
    double el = num(get(run, "run"), "elapsed");
    t->tmax = fmax(el >= 0 && el < NUMFMT_LONGEST_S ? el : 0, n);
    if (!n)
        return;

    static const char *const keys[] = {"targetRate", "arrivals", "requests", "p50",    "p95",
                                       "p99",        "load1",    "cpu",      "selfCpu"};
    static const char *const cls[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};
    double *raw = xcalloc((size_t)n, sizeof *raw);
    for (int f = 0; f < TF_N; f++) {
        for (int i = 0; i < n; i++) {
            const json_t *s = json_array_get(arr, (size_t)i);
            if (f >= TF_C1)
                raw[i] = plausible(cnt(get(s, "codes"), cls[f - TF_C1]));
            else if (f >= TF_P50 && f <= TF_P99 && !(num(s, "responses") > 0))
                raw[i] = NAN; /* no response that second: no latency, not 0 ms */
            else
                raw[i] = plausible(num(s, keys[f]));
        }
        t->v[f] = bucket(raw, n, t->k, f >= TF_P50 && f <= TF_SELF);
    }

    /* error names by total, the long tail folded into "other" */
    struct errtot tot[64];
    int ne = 0;
    for (int i = 0; i < n; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(get(json_array_get(arr, (size_t)i), "errors"), k, v)
        {
            int j = 0;
            while (j < ne && strcmp(tot[j].name, k))
                j++;
            if (j == ne && ne < 64)
                tot[ne++] = (struct errtot){k, 0};
            if (j < ne && !isnan(plausible(json_number_value(v))))
                tot[j].total += json_number_value(v);
        }
    }
    qsort(tot, (size_t)ne, sizeof *tot, errtot_cmp);
    t->nerr = ne > TL_MAX_ERRORS ? TL_MAX_ERRORS + 1 : ne;
    for (int e = 0; e < t->nerr; e++) {
        t->errname[e] = e < TL_MAX_ERRORS ? tot[e].name : "other";
        for (int i = 0; i < n; i++) {
            const json_t *errs = get(json_array_get(arr, (size_t)i), "errors");
            raw[i] = 0;
            for (int j = e; j < (e < TL_MAX_ERRORS ? e + 1 : ne); j++)
                if (!isnan(plausible(cnt(errs, tot[j].name))))
                    raw[i] += cnt(errs, tot[j].name);
        }
        t->err[e] = bucket(raw, n, t->k, 0);
    }
    free(raw);
}

static void tl_free(struct tl *t)
{
    for (int f = 0; f < TF_N; f++)
        free(t->v[f]);
    for (int e = 0; e < t->nerr; e++)
        free(t->err[e]);
}

/* ---- SVG charts --------------------------------------------------------- */

struct series {
    const char *name, *color;
    const double *y;
    int dashed, step;
};

struct chart {
    int w, h;
    const struct tl *tl;
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
    xml_esc(b, label, strlen(label));
    buf_puts(b, "</text>\n");
}

/* Phase bands: the shaded rectangles (labels = 0), or their names on top
 * of the grid (labels = 1). */
static void bands(struct buf *b, const struct axis *a, const json_t *run, int labels)
{
    const json_t *phases = get(run, "phases");
    double el = num(get(run, "run"), "elapsed");
    size_t i;
    json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        double s0 = num(ph, "startedAt"), s1 = num(ph, "endedAt");
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
        const char *name = str(ph, "name") ? str(ph, "name") : "";
        int fit = (int)((w - 8) / 6.2);
        if (fit < 1)
            continue;
        struct buf lab = {0};
        buf_printf(&lab, "%d %s", (int)i + 1, name);
        if (lab.len > (size_t)fit) {
            size_t keepn = fit > 2 ? (size_t)fit - 1 : 1;
            /* never cut a UTF-8 sequence: the SVG must stay valid text */
            while (keepn > 0 && ((unsigned char)lab.data[keepn] & 0xc0) == 0x80)
                keepn--;
            lab.data[lab.len = keepn] = '\0';
            if (fit > 2)
                buf_puts(&lab, "\xe2\x80\xa6"); /* … */
        }
        buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"plab\">", x0 + 4,
                   a->bottom - a->ph + 12);
        xml_esc(b, lab.data, lab.len);
        buf_puts(b, "</text>\n");
        buf_free(&lab);
    }
}

static int marked_event(const char *kind)
{
    return kind && strcmp(kind, "start") && strcmp(kind, "phase") && strcmp(kind, "stop") &&
           strcmp(kind, "end");
}

/* Markers a chart draws at most: more are unreadable at 1000 px, and a
 * report with 100,000 events made a 137 MB page (every chart drew them
 * all). The Events table still lists every one. */
#define EV_MAX_MARKS 100

/* Draws the first EV_MAX_MARKS markers; returns how many events qualify. */
static int events_marks(struct buf *b, const struct axis *a, const json_t *run)
{
    size_t i;
    json_t *ev;
    int n = 0, level = 0;
    double lastx = -1e9;
    json_array_foreach(get(run, "events"), i, ev)
    {
        double t = num(ev, "t");
        if (!marked_event(str(ev, "kind")) || isnan(t))
            continue;
        if (++n > EV_MAX_MARKS)
            continue;
        double x = ax_x(a, fmin(fmax(t, 0), a->tmax)), top = a->bottom - a->ph;
        /* markers closer than their size go down a row so both stay readable */
        level = x - lastx < 18 ? (level + 1) % 3 : 0;
        lastx = x;
        top += 18 * level;
        buf_printf(b, "<g class=\"ev\"><title>");
        const char *text = str(ev, "text") ? str(ev, "text") : "";
        char *head = xasprintf("#%d %s at %.1f s: ", (int)i + 1, str(ev, "kind"), t);
        xml_esc(b, head, strlen(head));
        free(head);
        xml_esc(b, text, strlen(text));
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
        xml_esc(b, name, strlen(name));
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
    const struct tl *t = c->tl;
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
    end_list(d);
    buf_puts(&d->b, "<figure>\n<figcaption>");
    xml_esc(&d->b, caption, strlen(caption));
    if (note) {
        buf_puts(&d->b, " <span class=\"note\">");
        xml_esc(&d->b, note, strlen(note));
        buf_puts(&d->b, "</span>");
    }
    buf_puts(&d->b, "</figcaption>\n");
    chart_svg(&d->b, c);
    buf_puts(&d->b, "</figure>\n");
}

static const char *per_point(struct doc *d, const struct tl *t, const char *how)
{
    return t->k > 1 ? F(d, "(each point: %s of %d s)", how, t->k) : NULL;
}

static void charts_rate(struct doc *d, const json_t *run, const struct tl *t)
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

static void charts_latency(struct doc *d, const json_t *run, const struct tl *t)
{
    struct series s[] = {{"p50", "#16a34a", t->v[TF_P50], 0, 0},
                         {"p95", "#d97706", t->v[TF_P95], 0, 0},
                         {"p99", "#dc2626", t->v[TF_P99], 0, 0}};
    end_list(d);
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

static void charts_codes_errors(struct doc *d, const json_t *run, const struct tl *t)
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
        para(d, "No transport errors during the run, so there is no errors chart.");
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

static void charts_host(struct doc *d, const json_t *run, const struct tl *t)
{
    const char *note = per_point(d, t, "max");
    end_list(d);
    buf_puts(&d->b, "<div class=\"grid2\">\n");
    struct series cpu[] = {{"host CPU", "#2563eb", t->v[TF_CPU], 0, 0},
                           {"loadtop CPU", "#db2777", t->v[TF_SELF], 0, 0}};
    struct chart c = {490, 260, t, cpu, 2, 0, 0, 100, "CPU (%)", "CPU over time", run, 0, NULL};
    figure(d, "CPU: host and loadtop (100% = one core for loadtop)", note, &c);
    struct series load[] = {{"load average (1 min)", "#0891b2", t->v[TF_LOAD], 0, 0}};
    double ncpu = num(get(run, "host"), "ncpu");
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
                      isnan(ncpu) ? NULL : F(d, "%.0f CPUs", ncpu)};
    figure(d, "Load average", note, &l);
    buf_puts(&d->b, "</div>\n");
}

/* ---- sections ------------------------------------------------------------ */

struct ctx {
    struct doc *d;
    const json_t *run, *agg, *counters;
    struct capacity cap;
    struct tl tl;
    double requests, failures, elapsed;
};

/* Failures (transport errors + 5xx) as "834 (34.8%)". */
static const char *failures(struct ctx *x, const json_t *counters)
{
    double req = cnt(counters, "http.requests");
    if (isnan(req))
        return "n/a";
    double f = (double)capacity_failures(counters);
    return F(x->d, "%s (%s)", count(x->d, f), pct(x->d, ratio_pct(f, req)));
}

static const char *top_failure(struct ctx *x, const json_t *counters)
{
    char name[64];
    uint64_t n = capacity_top_failure(counters, name, sizeof name);
    return n ? F(x->d, "%s (%s)", code(x->d, name), count(x->d, (double)n)) : "none";
}

static double peak_target(const json_t *run, int *phase)
{
    double best = 0;
    *phase = -1;
    size_t i;
    json_t *ph;
    json_array_foreach(get(run, "phases"), i, ph)
    {
        double r = capacity_phase_target(ph);
        if (r > best) {
            best = r;
            *phase = (int)i;
        }
    }
    return best;
}

static const char *title_of(struct ctx *x)
{
    const json_t *r = get(x->run, "run");
    const char *script = str(r, "script"), *target = str(r, "target");
    if (script) {
        const char *slash = strrchr(script, '/');
        return md(x->d, slash ? slash + 1 : script);
    }
    return target ? md(x->d, target) : "loadtop run";
}

static void sec_overview(struct ctx *x)
{
    struct doc *d = x->d;
    const json_t *r = get(x->run, "run"), *plan = get(x->run, "plan");
    heading(d, 2, "overview", "Test overview");
    item(d, "Date", date(d, str(r, "startedAt")));
    item(d, "Target", code(d, str(r, "target")));
    item(d, "Script",
         str(r, "script")                 ? code(d, str(r, "script"))
         : json_is_null(get(r, "script")) ? "none (one-URL run)"
                                          : "n/a");
    const char *model = str(plan, "model");
    int ph;
    double peak = peak_target(x->run, &ph);
    if (model && !strcmp(model, "closed"))
        item(d, "Peak target rate",
             F(d, "none: closed model, %s connections looping back to back",
               count(d, num(plan, "connections"))));
    else if (ph >= 0)
        item(d, "Peak target rate",
             F(d, "%s arrivals/s in phase %d %s", rate_n(d, peak), ph + 1,
               code(d, str(json_array_get(get(x->run, "phases"), (size_t)ph), "name"))));
    else
        item(d, "Peak target rate", "n/a");
    item(d, "Duration", F(d, "%s (planned %s)", dur(d, x->elapsed), dur(d, num(plan, "duration"))));
    item(d, "Totals",
         F(d, "%s requests, %s responses, %s VUs created, %s failed requests",
           count(d, x->requests), count(d, cnt(x->counters, "http.responses")),
           count(d, cnt(x->counters, "vusers.created")),
           F(d, "%s (%s)", count(d, x->failures), pct(d, ratio_pct(x->failures, x->requests)))));
    const char *state = str(r, "state");
    item(d, "State",
         !state ? "n/a"
         : !strcmp(state, "running")
             ? F(d, "running: a snapshot taken %s into the run", dur(d, x->elapsed))
             : md(d, state));
    if (str(r, "command"))
        item(d, "Command", code(d, str(r, "command")));
    if (d->html && x->tl.n)
        charts_rate(d, x->run, &x->tl);
}

static const char *phase_target_text(struct doc *d, const json_t *ph)
{
    const char *kind = str(ph, "kind");
    if (!kind)
        return "n/a";
    if (!strcmp(kind, "ramp"))
        return F(d, "%s → %s", rate(d, num(ph, "arrivalRate")), rate(d, num(ph, "rampTo")));
    if (!strcmp(kind, "count"))
        return F(d, "%s arrivals (%s)", count(d, num(ph, "arrivalCount")),
                 rate(d, capacity_phase_target(ph)));
    if (!strcmp(kind, "pause"))
        return "none";
    return rate(d, num(ph, "arrivalRate"));
}

static void sec_phases(struct ctx *x)
{
    struct doc *d = x->d;
    heading(d, 2, "phases", "Phases");
    const json_t *phases = get(x->run, "phases");
    if (!json_array_size(phases)) {
        para(d, "No phases in this report.");
        return;
    }
    static const char *const head[] = {"#",        "Phase",    "Duration", "Target rate",
                                       "Achieved", "Requests", "Failures", "p50 (ms)",
                                       "p95 (ms)", "p99 (ms)", "Top error"};
    struct table t = {11, head, "rlrrrrrrrrl", NULL, 0, 0};
    size_t i;
    json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        const json_t *c = get(ph, "counters");
        row(&t, F(d, "%d", (int)i + 1), md(d, str(ph, "name") ? str(ph, "name") : "unnamed"),
            dur(d, num(ph, "duration")), phase_target_text(d, ph),
            rate1(d, num(ph, "achievedRate")), count(d, cnt(c, "http.requests")), failures(x, c),
            ms(d, stat(ph, "http.response_time", "p50")),
            ms(d, stat(ph, "http.response_time", "p95")),
            ms(d, stat(ph, "http.response_time", "p99")), top_failure(x, c));
    }
    table_out(d, &t);
    para(d, "Failures are transport errors plus 5xx responses, as a share of requests. Achieved "
            "is arrivals per second over the phase's actual length.");
}

/* Codes as "`200` 2,198 · `404` 268". */
static const char *codes_text(struct ctx *x)
{
    struct buf b = {0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)x->counters, k, v) if (!strncmp(k, "http.codes.", 11)) buf_printf(
        &b, "%s%s %s", b.len ? " · " : "", code(x->d, k + 11), count(x->d, json_number_value(v)));
    return b.data ? keep(x->d, b.data) : x->counters ? "none" : "n/a";
}

/* The first second (m:ss) a timeline key saw a non-zero value. */
static const char *first_seen(struct ctx *x, const char *group, const char *key)
{
    size_t i;
    json_t *s;
    json_array_foreach(get(x->run, "timeline"), i,
                       s) if (cnt(get(s, group), key) >
                              0) return clock_at(x->d, isnan(num(s, "t")) ? (double)i : num(s, "t"),
                                                 0);
    return "n/a";
}

static void sec_metrics(struct ctx *x)
{
    struct doc *d = x->d;
    heading(d, 2, "metrics", "Key metrics");
    double peak = NAN, peak_t = NAN;
    size_t i;
    json_t *s;
    json_array_foreach(get(x->run, "timeline"), i, s)
    {
        double r = num(s, "requests");
        if (!isnan(r) && (isnan(peak) || r > peak)) {
            peak = r;
            peak_t = isnan(num(s, "t")) ? (double)i : num(s, "t");
        }
    }
    item(d, "Requests",
         F(d, "%s (%s responses)", count(d, x->requests),
           count(d, cnt(x->counters, "http.responses"))));
    item(d, "Request rate",
         F(d, "average %s, peak %s (at %s)",
           rate1(d, x->elapsed > 0 ? x->requests / x->elapsed : NAN), rate1(d, peak),
           clock_at(d, peak_t, 0)));
    double created = cnt(x->counters, "vusers.created");
    item(d, "Virtual users",
         F(d, "%s created, %s completed, %s failed, %s skipped", count(d, created),
           count(d, cnt(x->counters, "vusers.completed")),
           count(d, cnt(x->counters, "vusers.failed")),
           count(d, cnt(x->counters, "vusers.skipped"))));
    item(d, "Error rate",
         F(d, "%s of VUs failed; %s of requests failed (transport errors or 5xx)",
           pct(d, ratio_pct(cnt(x->counters, "vusers.failed"), created)),
           pct(d, ratio_pct(x->failures, x->requests))));
    const char *rt = "http.response_time";
    item(d, "Response time",
         F(d, "min %s, median %s, p95 %s, p99 %s, max %s ms", ms(d, stat(x->agg, rt, "min")),
           ms(d, stat(x->agg, rt, "median")), ms(d, stat(x->agg, rt, "p95")),
           ms(d, stat(x->agg, rt, "p99")), ms(d, stat(x->agg, rt, "max"))));
    item(d, "Status codes", codes_text(x));
    item(d, "Downloaded", bytes(d, cnt(x->counters, "http.downloaded_bytes")));

    heading(d, 3, "errors", "Error types");
    static const char *const head[] = {"Error", "Count", "Share of requests", "First seen"};
    struct table t = {4, head, "lrrr", NULL, 0, 0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)x->counters, k, v)
    {
        int is_err = !strncmp(k, "errors.", 7);
        int is_5xx = !strncmp(k, "http.codes.5", 12) && strlen(k) == 14;
        if (!is_err && !is_5xx)
            continue;
        double n = json_number_value(v);
        row(&t, is_err ? code(d, k + 7) : F(d, "HTTP %s", code(d, k + 11)), count(d, n),
            pct(d, ratio_pct(n, x->requests)),
            is_err ? first_seen(x, "errors", k + 7) : first_seen(x, "codes", "5xx"));
    }
    if (t.nrows)
        table_out(d, &t);
    else
        para(d, "No transport errors and no 5xx responses.");
    if (d->html && x->tl.n) {
        charts_latency(d, x->run, &x->tl);
        charts_codes_errors(d, x->run, &x->tl);
    }
}

struct ep {
    const json_t *j;
    double requests;
    int index;
};

static int ep_cmp(const void *a, const void *b)
{
    const struct ep *x = a, *y = b;
    /* unknown (NAN) last: comparisons with NAN would make the order inconsistent */
    double rx = isnan(x->requests) ? -INFINITY : x->requests;
    double ry = isnan(y->requests) ? -INFINITY : y->requests;
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return x->index - y->index;
}

static void sec_endpoints(struct ctx *x)
{
    struct doc *d = x->d;
    heading(d, 2, "endpoints", "Endpoint breakdown");
    const json_t *eps = get(x->run, "endpoints");
    int n = (int)json_array_size(eps);
    if (!n) {
        para(d, "No endpoints in this report.");
        return;
    }
    struct ep *v = xcalloc((size_t)n, sizeof *v);
    for (int i = 0; i < n; i++) {
        v[i].j = json_array_get(eps, (size_t)i);
        v[i].requests = cnt(get(v[i].j, "counters"), "http.requests");
        v[i].index = i;
    }
    qsort(v, (size_t)n, sizeof *v, ep_cmp);
    static const char *const head[] = {"Endpoint", "Requests", "Share",    "Failures",
                                       "p95 (ms)", "p99 (ms)", "Top error"};
    struct table t = {7, head, "lrrrrrl", NULL, 0, 0};
    for (int i = 0; i < n; i++) {
        const json_t *c = get(v[i].j, "counters");
        row(&t, code(d, str(v[i].j, "name")), count(d, v[i].requests),
            pct(d, ratio_pct(v[i].requests, x->requests)), failures(x, c),
            ms(d, stat(v[i].j, "http.response_time", "p95")),
            ms(d, stat(v[i].j, "http.response_time", "p99")), top_failure(x, c));
    }
    free(v);
    table_out(d, &t);
}

static void sec_host(struct ctx *x)
{
    struct doc *d = x->d;
    const json_t *h = get(x->run, "host");
    heading(d, 2, "host", "System resource impact");
    double ncpu = num(h, "ncpu");
    item(d, "Load average (1 min)",
         F(d, "peak %s%s", isnan(num(h, "load1Peak")) ? "n/a" : F(d, "%.2f", num(h, "load1Peak")),
           isnan(ncpu) ? "" : F(d, " on %.0f CPUs", ncpu)));
    item(d, "Host CPU", F(d, "peak %s", pct(d, num(h, "cpuPeak"))));
    double used = num(h, "memUsedKbPeak"), total = num(h, "memTotalKb");
    item(d, "Memory",
         F(d, "peak %s used of %s (%s)", kib(d, used), kib(d, total),
           pct(d, ratio_pct(used, total))));
    if (x->cap.self_cpu_peak < 0)
        item(d, "loadtop's own CPU", "n/a");
    else
        item(d, "loadtop's own CPU",
             F(d, "peak %s of one core; %s", pct(d, x->cap.self_cpu_peak),
               x->cap.saturated ? "**the generator was saturated**, so it may have limited the load"
                                : "the generator was not saturated"));
    item(d, "Schedule lag p99",
         F(d, "%s ms (how late arrivals started; large values mean the generator fell behind)",
           ms(d, stat(x->agg, "loadtop.schedule_lag", "p99"))));
    if (d->html && x->tl.n)
        charts_host(d, x->run, &x->tl);
}

static void sec_capacity(struct ctx *x)
{
    heading(x->d, 2, "capacity", "Capacity findings");
    for (int i = 0; i < x->cap.nitems; i++)
        item(x->d, x->cap.items[i].label, x->cap.items[i].text);
}

static void sec_thresholds(struct ctx *x)
{
    struct doc *d = x->d;
    heading(d, 2, "thresholds", "Thresholds");
    const json_t *checks = get(x->run, "checks");
    int n = (int)json_array_size(checks);
    if (!n) {
        para(d, "No thresholds were set. Add `ensure` to the script's `config` (or pass "
                "`--ensure EXPR`) to check objectives such as `http.response_time.p99 < 500`.");
        return;
    }
    static const char *const head[] = {"Check", "Result", "Strict", "Measured"};
    struct table t = {4, head, "llll", NULL, 0, 0};
    int ok = 0, bad_strict = 0;
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        int pass = json_is_true(get(c, "ok")), strict = !json_is_false(get(c, "strict"));
        ok += pass;
        bad_strict += !pass && strict;
        const char *m = str(c, "message");
        row(&t, code(d, str(c, "text")),
            pass     ? "ok"
            : strict ? "**fail**"
                     : "fail (optional)",
            strict ? "yes" : "no", m ? md(d, m) : "");
    }
    para(d, F(d, "%d of %d checks passed%s", ok, n,
              bad_strict ? F(d, "; %d strict check%s failed, so the run exits with code 1.",
                             bad_strict, bad_strict > 1 ? "s" : "")
                         : "."));
    table_out(d, &t);
}

static void sec_events(struct ctx *x)
{
    struct doc *d = x->d;
    heading(d, 2, "events", "Events");
    const json_t *evs = get(x->run, "events");
    if (!json_array_size(evs)) {
        para(d, "No events recorded.");
        return;
    }
    static const char *const head[] = {"#", "Time", "Event", "Details"};
    struct table t = {4, head, "rrll", NULL, 0, 0};
    size_t i;
    json_t *e;
    json_array_foreach(evs, i, e)
        row(&t, F(d, "%d", (int)i + 1), clock_at(d, num(e, "t"), 1),
            md(d, str(e, "kind") ? str(e, "kind") : "n/a"), md(d, str(e, "text")));
    table_out(d, &t);
}

/* ---- HTML page ------------------------------------------------------------ */

static const char css[] =
    ":root{--fg:#1e293b;--muted:#64748b;--line:#e2e8f0;--accent:#2563eb}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f1f5f9;color:var(--fg);font:15px/1.55 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:28px 24px 48px}\n"
    "h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}\n"
    ".sub{color:var(--muted);margin:0 0 18px}\n"
    "section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 24px;"
    "margin:16px 0}\n"
    "h2{font-size:19px;margin:0 0 12px;padding-bottom:8px;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:15px;margin:18px 0 8px}\n"
    "ul{margin:6px 0 10px;padding-left:20px}li{margin:3px 0}\n"
    "p{margin:8px 0}\n"
    ".tw{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums;"
    "margin:8px 0}\n"
    "th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f8fafc;font-weight:600;white-space:nowrap;color:#334155}\n"
    "th.r,td.r{text-align:right;white-space:nowrap}\n"
    "td:last-child code{white-space:nowrap}\n"
    "#phases td:nth-child(2){white-space:nowrap}\n"
    "td.ok{color:#15803d;font-weight:600}td.fail{color:#b91c1c}td.warn{color:#b45309}\n"
    "code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;"
    "padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}\n"
    ".cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}\n"
    ".card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px}\n"
    ".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}\n"
    ".card .v{font-size:22px;font-weight:650;margin-top:2px}\n"
    ".card .s{color:var(--muted);font-size:12.5px}\n"
    ".card.bad .v{color:#b91c1c}.card.good .v{color:#15803d}\n"
    "figure{margin:18px 0 6px}\n"
    "figcaption{font-weight:600;font-size:14px;margin-bottom:6px}\n"
    "svg{width:100%;height:auto;display:block}\n"
    "#capacity{border-left:4px solid var(--accent)}\n"
    "svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;"
    "font-size:11px;fill:#475569}\n"
    "svg .axl{font-size:12px;fill:#334155}\n"
    "svg .grid{stroke:#e2e8f0}svg .minor{stroke:#f1f5f9}\n"
    "svg .axis,svg .tick{stroke:#94a3b8}\n"
    "svg .band1{fill:#f8fafc}svg .band2{fill:#eef2f7}\n"
    "svg .psep{stroke:#cbd5e1;stroke-dasharray:2 3}\n"
    "svg .plab{fill:#64748b;font-size:11px}\n"
    "svg .ref{stroke:#64748b;stroke-dasharray:5 3;stroke-width:1.5}\n"
    "svg .ev line{stroke:#7c3aed;stroke-dasharray:3 3}svg .ev circle{fill:#7c3aed}\n"
    "svg .ev text{fill:#fff;font-size:10px;font-weight:600}\n"
    ".grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}\n"
    ".note{color:var(--muted);font-size:12.5px;font-weight:400}\n"
    ".toggle{margin-top:14px}\n"
    ".toggle input{position:absolute;opacity:0}\n"
    ".toggle label{display:inline-block;padding:1px 10px;border:1px solid var(--line);"
    "font-size:12px;cursor:pointer;color:var(--muted);margin-left:4px;border-radius:4px}\n"
    ".toggle input:checked + label{background:var(--accent);border-color:var(--accent);"
    "color:#fff}\n"
    ".lat-log{display:none}\n"
    "#lat-log:checked ~ .lat-lin{display:none}\n"
    "#lat-log:checked ~ .lat-log{display:block}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center;margin-top:20px}\n"
    "@media (max-width:800px){.cards{grid-template-columns:repeat(2,1fr)}"
    ".grid2{grid-template-columns:1fr}}\n";

static void card(struct doc *d, const char *cls, const char *k, const char *v, const char *sub)
{
    buf_printf(&d->b, "<div class=\"card%s%s\"><div class=\"k\">", *cls ? " " : "", cls);
    inl(&d->b, k);
    buf_puts(&d->b, "</div><div class=\"v\">");
    inl(&d->b, v);
    buf_puts(&d->b, "</div><div class=\"s\">");
    inl(&d->b, sub);
    buf_puts(&d->b, "</div></div>\n");
}

static void cards(struct ctx *x)
{
    struct doc *d = x->d;
    int ph;
    double peak = peak_target(x->run, &ph), fail = ratio_pct(x->failures, x->requests);
    buf_puts(&d->b, "<div class=\"cards\">\n");
    card(d, "", "Requests", count(d, x->requests), F(d, "in %s", dur(d, x->elapsed)));
    card(d, "", "Peak target", ph >= 0 ? rate(d, peak) : "n/a", "arrivals per second");
    card(d,
         isnan(fail)                 ? ""
         : fail >= CAPACITY_FAIL_PCT ? "bad"
                                     : "good",
         "Failed requests", pct(d, fail), F(d, "%s failures", count(d, x->failures)));
    card(d, "", "p99 response", F(d, "%s ms", ms(d, stat(x->agg, "http.response_time", "p99"))),
         F(d, "median %s ms", ms(d, stat(x->agg, "http.response_time", "median"))));
    const struct capacity *c = &x->cap;
    if (c->breaking >= 0)
        card(d, "bad", "Breaking point", rate(d, c->breaking_rate),
             c->dominant[0] ? F(d, "`%s`", c->dominant) : "latency over objective");
    else if (c->sustainable >= 0)
        card(d, "good", "Breaking point", "not reached",
             F(d, "healthy up to %s", rate(d, c->sustainable_rate)));
    else
        card(d, "", "Breaking point", "n/a", c->closed_model ? "closed model" : "too little data");
    buf_puts(&d->b, "</div>\n");
}

/* ---- entry points ---------------------------------------------------------- */

static char *render(const json_t *run, int html)
{
    struct doc d = {.html = html};
    struct ctx x = {.d = &d, .run = run};
    x.agg = get(run, "aggregate");
    x.counters = get(x.agg, "counters");
    x.requests = cnt(x.counters, "http.requests");
    x.failures = json_is_object(x.counters) ? (double)capacity_failures(x.counters) : NAN;
    x.elapsed = num(get(run, "run"), "elapsed");
    capacity_analyze(run, &x.cap);
    if (html)
        tl_load(&x.tl, run);

    const json_t *r = get(run, "run");
    const char *title = F(&d, "Load test report: %s", title_of(&x));
    const char *sub = F(&d, "Run of %s, %s; made by loadtop %s.", date(&d, str(r, "startedAt")),
                        str(r, "state") ? md(&d, str(r, "state")) : "state n/a",
                        str(r, "version") ? md(&d, str(r, "version")) : "(version n/a)");
    if (!html) {
        buf_printf(&d.b, "# %s\n\n%s\n\n", title, sub);
    } else {
        buf_puts(&d.b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                       "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta "
                       "name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                       "<title>");
        inl(&d.b, title);
        buf_printf(&d.b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
        inl(&d.b, title);
        buf_puts(&d.b, "</h1>\n<p class=\"sub\">");
        inl(&d.b, sub);
        buf_puts(&d.b, "</p>\n");
        cards(&x);
    }
    sec_overview(&x);
    sec_phases(&x);
    sec_metrics(&x);
    sec_endpoints(&x);
    sec_host(&x);
    sec_capacity(&x);
    sec_thresholds(&x);
    sec_events(&x);
    end_list(&d);
    if (html) {
        buf_puts(&d.b, "</section>\n<footer>Rendered by loadtop from the run's JSON report; "
                       "self-contained, no scripts.</footer>\n</main>\n</body>\n</html>\n");
        tl_free(&x.tl);
    } else {
        /* one trailing newline, not the blank line every block leaves */
        while (d.b.len > 1 && d.b.data[d.b.len - 1] == '\n' && d.b.data[d.b.len - 2] == '\n')
            d.b.data[--d.b.len] = '\0';
    }
    for (int i = 0; i < d.ntmp; i++)
        free(d.tmp[i]);
    free(d.tmp);
    return d.b.data;
}

char *render_markdown(const json_t *run)
{
    return render(run, 0);
}

char *render_html(const json_t *run)
{
    return render(run, 1);
}

enum render_format render_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return RENDER_UNKNOWN;
    if (!strcasecmp(dot, ".json"))
        return RENDER_JSON;
    if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
        return RENDER_MARKDOWN;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
        return RENDER_HTML;
    return RENDER_UNKNOWN;
}
