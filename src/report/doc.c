/* doc.c — the document writer of render_int.h: one set of block and inline
 * functions writes both formats. Text arguments are Markdown inline syntax;
 * in HTML, doc_inline converts them, so the Markdown and the HTML report
 * say the same things. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "render_int.h"

void doc_free(struct doc *d)
{
    for (int i = 0; i < d->ntmp; i++)
        free(d->tmp[i]);
    free(d->tmp);
    d->tmp = NULL;
    d->ntmp = d->captmp = 0;
}

const char *doc_keep(struct doc *d, char *s)
{
    if (d->ntmp == d->captmp) {
        d->captmp = d->captmp ? 2 * d->captmp : 64;
        d->tmp = xrealloc(d->tmp, sizeof *d->tmp * (size_t)d->captmp);
    }
    return d->tmp[d->ntmp++] = s;
}

const char *doc_printf(struct doc *d, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return doc_keep(d, s);
}

void doc_xml_esc(struct buf *b, const char *s, size_t n)
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
void doc_inline(struct buf *b, const char *s)
{
    int strong = 0;
    while (*s) {
        if (*s == '\\' && s[1]) {
            doc_xml_esc(b, s + 1, 1);
            s += 2;
        } else if (*s == '`' && strchr(s + 1, '`')) {
            const char *end = strchr(s + 1, '`');
            buf_puts(b, "<code>");
            doc_xml_esc(b, s + 1, (size_t)(end - s - 1));
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
            doc_xml_esc(b, s, k ? k : 1);
            s += k ? k : 1;
        }
    }
    if (strong)
        buf_puts(b, "</strong>");
}

/* Plain data as Markdown text (names may hold * _ [ ] < > `). */
const char *doc_md(struct doc *d, const char *s)
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
    return doc_keep(d, b.data);
}

/* Data as a code span (a backtick inside would end it early). */
const char *doc_code(struct doc *d, const char *s)
{
    if (!s)
        return "n/a";
    char *c = xasprintf("`%s`", s);
    for (char *p = c + 1; p[1]; p++)
        if (*p == '`')
            *p = '\'';
        else if (*p == '\n' || *p == '\r')
            *p = ' ';
    return doc_keep(d, c);
}

void doc_end_list(struct doc *d)
{
    if (!d->list)
        return;
    buf_puts(&d->b, d->html ? "</ul>\n" : "\n");
    d->list = 0;
}

void doc_heading(struct doc *d, int level, const char *id, const char *text)
{
    doc_end_list(d);
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
    doc_inline(&d->b, text);
    buf_printf(&d->b, "</h%d>\n", level);
}

void doc_para(struct doc *d, const char *text)
{
    doc_end_list(d);
    if (!d->html) {
        buf_printf(&d->b, "%s\n\n", text);
        return;
    }
    buf_puts(&d->b, "<p>");
    doc_inline(&d->b, text);
    buf_puts(&d->b, "</p>\n");
}

void doc_item(struct doc *d, const char *label, const char *text)
{
    if (!d->list)
        buf_puts(&d->b, d->html ? "<ul>\n" : "");
    d->list = 1;
    if (!d->html) {
        buf_printf(&d->b, "- **%s**: %s\n", label, text);
        return;
    }
    buf_puts(&d->b, "<li><strong>");
    doc_inline(&d->b, label);
    buf_puts(&d->b, "</strong>: ");
    doc_inline(&d->b, text);
    buf_puts(&d->b, "</li>\n");
}

void doc_row(struct doc_table *t, ...)
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

void doc_table_out(struct doc *d, struct doc_table *t)
{
    doc_end_list(d);
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
            doc_inline(b, t->head[i]);
            buf_puts(b, "</th>");
        }
        buf_puts(b, "</tr></thead>\n<tbody>\n");
        for (int r = 0; r < t->nrows; r++) {
            buf_puts(b, "<tr>");
            for (int i = 0; i < t->ncols; i++) {
                const char *c = t->cells[r * t->ncols + i];
                buf_printf(b, "<td%s>", cell_class(c, t->align[i]));
                doc_inline(b, c);
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

const char *doc_count(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_count(b, sizeof b, v));
}

const char *doc_rate_n(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_rate(b, sizeof b, r));
}

const char *doc_rate(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_rate_per_s(b, sizeof b, r));
}

const char *doc_rate1(struct doc *d, double r)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_rate1(b, sizeof b, r));
}

const char *doc_pct(struct doc *d, double p)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_pct(b, sizeof b, p));
}

const char *doc_ms(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_ms(b, sizeof b, v));
}

const char *doc_dur(struct doc *d, double s)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_duration(b, sizeof b, s));
}

const char *doc_clock(struct doc *d, double s, int tenths)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_clock(b, sizeof b, s, tenths));
}

const char *doc_kib(struct doc *d, double kb)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_kib(b, sizeof b, kb));
}

const char *doc_bytes(struct doc *d, double v)
{
    char b[NUMFMT_MAX];
    return doc_printf(d, "%s", numfmt_bytes(b, sizeof b, v));
}

/* "2026-11-29T09:56:41.123Z" -> "2026-11-29 09:56:41 UTC"; anything else
 * as it is (cutting it at byte 10 could split a UTF-8 sequence). */
const char *doc_date(struct doc *d, const char *iso)
{
    if (!iso)
        return "n/a";
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (int i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)iso[i]) : iso[i] != shape[i])
            return doc_md(d, iso);
    return doc_printf(d, "%.10s %.8s UTC", iso, iso + 11);
}
