/* render_int.h — what the parts of the report renderer share; private to
 * src/report/. render.c makes the page and calls, in order:
 *   doc.c       the document writer: headings, bullets, paragraphs, tables
 *               and escaping, written as Markdown or converted to HTML, so
 *               the two reports cannot drift apart; numbers as doc text;
 *   sections.c  the report's sections (overview ... events) and the HTML
 *               summary cards, on the doc writer;
 *   timeline.c  the per-second timeline, bucketed for the charts;
 *   chart.c     the inline SVG charts, drawn from the bucketed timeline.
 * All of it reads a parsed JSON report (report.c's shape) and nothing else:
 * missing keys give "n/a", never a crash. */
#ifndef LOADTOP_RENDER_INT_H
#define LOADTOP_RENDER_INT_H

#include <math.h>

#include <jansson.h>

#include "capacity.h"
#include "util.h"

/* ---- JSON access ---------------------------------------------------------- */

static inline json_t *render_get(const json_t *o, const char *key)
{
    return json_object_get(o, key);
}

/* A number, or NAN when absent or not a number. */
static inline double render_num(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static inline const char *render_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A counter: absent from a present counters object means 0 (report.c omits
 * zero codes and errors); no counters object at all means unknown (NAN). */
static inline double render_counter(const json_t *counters, const char *key)
{
    if (!json_is_object(counters))
        return NAN;
    double v = render_num(counters, key);
    return isnan(v) ? 0 : v;
}

/* `key` ("p99") of summary `summary` of a group (the aggregate, a phase, an
 * endpoint); NAN when it has no samples. */
static inline double render_stat(const json_t *group, const char *summary, const char *key)
{
    const json_t *s = json_object_get(json_object_get(group, "summaries"), summary);
    if (render_num(s, "count") == 0)
        return NAN;
    return render_num(s, key);
}

/* part as a percentage of whole; NAN when either is unknown or whole <= 0. */
static inline double render_ratio_pct(double part, double whole)
{
    return isnan(part) || isnan(whole) || whole <= 0 ? NAN : part * 100 / whole;
}

/* ---- doc.c: the document writer ---------------------------------------------- */

/* A document being written: Markdown, or HTML when `html`. Text arguments
 * are Markdown inline syntax (`code`, **bold**, backslash escapes), which
 * the HTML writer converts. Zero-initialise (with .html set) to start; the
 * text is in b.data; doc_free releases the rest. */
struct doc {
    int html;
    struct buf b;
    int list, section; /* a list / a <section> is open */
    char **tmp;        /* strings made by the doc_* functions below */
    int ntmp, captmp;
};

/* Frees the strings the doc made (not b.data, which the caller takes). */
void doc_free(struct doc *d);
/* Take heap string s into the doc (freed by doc_free); returns s. */
const char *doc_keep(struct doc *d, char *s);
/* printf into a string that lives as long as the doc. */
const char *doc_printf(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s[0..n) (up to a NUL) as XML text: & < > " escaped; control characters,
 * U+FFFE and U+FFFF (not allowed in XML 1.0) as "?". */
void doc_xml_esc(struct buf *b, const char *s, size_t n);
/* Markdown inline text as HTML: `code`, **strong**, \x escapes. */
void doc_inline(struct buf *b, const char *s);
/* Plain data as Markdown text: markup characters escaped, line breaks as
 * spaces. */
const char *doc_md(struct doc *d, const char *s);
/* Data as a code span ("n/a" for NULL; backticks inside become '). */
const char *doc_code(struct doc *d, const char *s);

/* Blocks. A heading of level 2 opens a <section id="id"> in HTML. */
void doc_heading(struct doc *d, int level, const char *id, const char *text);
void doc_para(struct doc *d, const char *text);
/* A bullet "- **label**: text"; consecutive items make one list. */
void doc_item(struct doc *d, const char *label, const char *text);
/* Ends an open list; blocks of raw HTML call it before they start. */
void doc_end_list(struct doc *d);

/* A table: fill ncols, head and align ('l' or 'r' per column), add rows of
 * ncols cell texts (kept by pointer: they must outlive doc_table_out), then
 * write it; doc_table_out frees the rows. "ok", "**fail**" and "fail
 * (optional)" cells get a colour in HTML. */
struct doc_table {
    int ncols;
    const char *const *head;
    const char *align;
    const char **cells;
    int nrows, cap;
};
void doc_row(struct doc_table *t, ...);
void doc_table_out(struct doc *d, struct doc_table *t);

/* Numbers as doc text, through numfmt.h (which says the formats). */
const char *doc_count(struct doc *d, double v);
const char *doc_rate_n(struct doc *d, double r); /* "300" */
const char *doc_rate(struct doc *d, double r);   /* "300/s" */
const char *doc_rate1(struct doc *d, double r);  /* "299.4/s" */
const char *doc_pct(struct doc *d, double p);
const char *doc_ms(struct doc *d, double v);
const char *doc_dur(struct doc *d, double s);
const char *doc_clock(struct doc *d, double s, int tenths);
const char *doc_kib(struct doc *d, double kib);
const char *doc_bytes(struct doc *d, double v);
/* "2026-11-29T09:56:41.123Z" -> "2026-11-29 09:56:41 UTC"; anything else
 * as Markdown text, as it is; "n/a" for NULL. */
const char *doc_date(struct doc *d, const char *iso);

/* ---- timeline.c: the per-second timeline, bucketed ------------------------ */

#define TIMELINE_MAX_ERRORS 7 /* error names with a series; more go to "other" */

enum timeline_field {
    TF_TARGET,
    TF_ARRIVALS,
    TF_REQUESTS,
    TF_P50,
    TF_P95,
    TF_P99,
    TF_LOAD,
    TF_CPU,
    TF_SELF,
    TF_C1, /* responses per status class: 1xx ... 5xx, other */
    TF_C2,
    TF_C3,
    TF_C4,
    TF_C5,
    TF_COTHER,
    TF_N
};

/* The run's timeline in n points of k seconds each (k > 1 only past
 * 600 s), with NAN where a point has no value. */
struct timeline {
    int n, k;    /* points, seconds per point */
    double tmax; /* x axis length, s */
    double *v[TF_N];
    int nerr; /* error series, by total, the last one "other" past the 7th */
    const char *errname[TIMELINE_MAX_ERRORS + 1];
    double *err[TIMELINE_MAX_ERRORS + 1];
};

/* Bucket `run`'s "timeline" into *t (fully overwritten; names point into
 * run). Implausible readings (negative, not finite, past 1e12) count as no
 * value: a saved report is user input. Free with timeline_free. */
void timeline_load(struct timeline *t, const json_t *run);
void timeline_free(struct timeline *t);

/* ---- chart.c: SVG charts into an HTML doc -------------------------------- */

/* Each writes a <figure> (or two, or a grid of two) with inline SVG; phase
 * bands and event markers come from `run`. */
void chart_rate(struct doc *d, const json_t *run, const struct timeline *t);
void chart_latency(struct doc *d, const json_t *run, const struct timeline *t);
void chart_codes_errors(struct doc *d, const json_t *run, const struct timeline *t);
void chart_host(struct doc *d, const json_t *run, const struct timeline *t);

/* ---- sections.c: the report's sections ------------------------------------ */

/* What every section reads, made once by render.c. */
struct render_ctx {
    struct doc *d;
    const json_t *run, *agg, *counters;
    struct capacity cap;       /* the findings */
    struct capacity_text capt; /* and their prose */
    struct timeline tl;        /* HTML only */
    double requests, failures, elapsed;
    double paused; /* of elapsed, seconds the run stood paused (0 if the report has none) */
};

/* The report's title text ("the script's file name", else the target). */
const char *sections_title(struct render_ctx *x);
/* HTML: the summary cards above the sections. */
void sections_cards(struct render_ctx *x);
/* Every section, in order: overview, phases, key metrics, endpoints, host,
 * capacity, thresholds, events (with their charts in HTML). */
void sections_write(struct render_ctx *x);

#endif
