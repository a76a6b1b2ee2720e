/* ui_errors.c — the full-screen errors view: every status code seen, and
 * every transport error with its share, rate, trend over the last seconds
 * and what it usually means (errclass_describe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errclass.h"
#include "ui_int.h"
#include "util.h"

static const char *reason(int code)
{
    const char *r = http_status_reason(code);
    return r ? r : "";
}

static int cmp_desc(const void *a, const void *b, void *counts)
{
    const uint64_t *c = counts;
    int x = *(const int *)a, y = *(const int *)b;
    return c[x] < c[y] ? 1 : c[x] > c[y] ? -1 : x - y;
}

static void codes(const struct snapshot *s, int y, int x, int h, int w, uint64_t outcomes)
{
    int idx[STATS_MAX_CODES], n = 0;
    for (int c = 0; c < STATS_MAX_CODES; c++)
        if (s->total.codes[c])
            idx[n++] = c;
    qsort_r(idx, (size_t)n, sizeof *idx, cmp_desc, (void *)s->total.codes);
    char right[32];
    snprintf(right, sizeof right, "%d code%s", n, n == 1 ? "" : "s");
    ui_title(y, x, w, "Status codes", right);
    ui_put(y + 1, x, 6, UC_DIM, "code");
    ui_put(y + 1, x + 6, 24, UC_DIM, "reason");
    ui_putr(y + 1, x + 30, 10, UC_DIM, "count");
    ui_putr(y + 1, x + 40, 8, UC_DIM, "share");
    if (!n && h > 2)
        ui_put(y + 2, x, w, UC_DIM, "no responses yet");
    for (int i = 0; i < n && i < h - 2; i++) {
        int c = idx[i], ry = y + 2 + i;
        if (i == h - 3 && n > h - 2) {
            ui_putf(ry, x, w, UC_DIM, "+%d more", n - i);
            break;
        }
        enum ui_role r = c >= 500              ? UC_WARN
                         : c >= 400            ? UC_NORMAL
                         : c >= 200 && c < 300 ? UC_OK
                                               : UC_NORMAL;
        char a[24], b[24];
        ui_putf(ry, x, 6, r, "%d", c);
        ui_put(ry, x + 6, 24, UC_NORMAL, reason(c));
        ui_putr(ry, x + 30, 10, r, ui_fmt_count(a, sizeof a, s->total.codes[c]));
        ui_putr(ry, x + 40, 8, UC_NORMAL,
                ui_fmt_pct(b, sizeof b, outcomes ? (double)s->total.codes[c] / outcomes : 0));
    }
}

/* Word-wrap text into rows from y (below `end`) at column x, w wide;
 * returns the row after the last one used (at least y + 1). */
static int wrap(int y, int end, int x, int w, const char *text)
{
    if (!text || w < 8)
        return y + 1;
    while (*text && y < end) {
        int n = (int)strlen(text);
        if (n > w) {
            n = w;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = w;
        }
        char b[256];
        snprintf(b, sizeof b, "%.*s", n, text);
        ui_put(y++, x, w, UC_DIM, b);
        text += n;
        while (*text == ' ')
            text++;
    }
    return y;
}

static void errors(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w,
                   uint64_t outcomes)
{
    int idx[STATS_MAX_ERRORS], n = 0;
    for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++)
        if (s->total.errors[i])
            idx[n++] = i;
    qsort_r(idx, (size_t)n, sizeof *idx, cmp_desc, (void *)s->total.errors);
    const int namew = 16, tw = w >= 110 ? 30 : w >= 90 ? 20 : 0;
    char right[48];
    snprintf(right, sizeof right, "red: rising%s", tw ? "; trend = errors per second" : "");
    ui_title(y, x, w, "Errors", right);
    int dx = x + namew + 28 + (tw ? tw + 2 : 0);
    ui_put(y + 1, x, namew, UC_DIM, "error");
    ui_putr(y + 1, x + namew, 10, UC_DIM, "count");
    ui_putr(y + 1, x + namew + 10, 8, UC_DIM, "share");
    ui_putr(y + 1, x + namew + 18, 8, UC_DIM, "/s");
    if (tw)
        ui_put(y + 1, x + namew + 28, tw, UC_DIM, "trend");
    ui_put(y + 1, dx, x + w - dx, UC_DIM, "meaning");
    if (!n && h > 2)
        ui_put(y + 2, x, w, UC_DIM, "no transport errors");
    int ry = y + 2;
    for (int k = 0; k < n && ry < y + h; k++) {
        int i = idx[k];
        enum ui_role r = u->rising[i] ? UC_BAD : UC_NORMAL;
        char a[24], b[24], c[24];
        uint32_t per_sec = s->nsec ? s->sec[s->nsec - 1].errors[i] : 0;
        ui_put(ry, x, namew - 1, r, s->error_names[i]);
        ui_putr(ry, x + namew, 10, r, ui_fmt_count(a, sizeof a, s->total.errors[i]));
        ui_putr(ry, x + namew + 10, 8, r,
                ui_fmt_pct(b, sizeof b, outcomes ? (double)s->total.errors[i] / outcomes : 0));
        ui_putr(ry, x + namew + 18, 8, r, ui_fmt_count(c, sizeof c, per_sec));
        if (tw) {
            int64_t v[SNAP_SECONDS];
            int m = s->nsec < tw ? s->nsec : tw;
            for (int j = 0; j < m; j++)
                v[j] = s->sec[s->nsec - m + j].errors[i];
            ui_spark(ry, x + namew + 28 + tw - m, m, v, m, 0, r == UC_BAD ? UC_BAD : UC_ACCENT);
        }
        ry = wrap(ry, y + h, dx, x + w - dx, errclass_describe(s->error_names[i]));
    }
}

void ui_errors_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w)
{
    uint64_t outcomes = s->total.responses + counters_errors(&s->total);
    int ncodes = 0;
    for (int c = 0; c < STATS_MAX_CODES; c++)
        ncodes += s->total.codes[c] != 0;
    int ch = ncodes + 2 > h / 2 ? h / 2 : ncodes + 2;
    ch = ch < 3 ? 3 : ch;
    codes(s, y, x, ch, w, outcomes);
    errors(s, u, y + ch + 1, x, h - ch - 1, w, outcomes);
}
