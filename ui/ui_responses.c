/* ui_responses.c — outcomes of the run: status classes with their top codes,
 * then transport errors by name, each with count, share of all outcomes
 * and the rate of the last second; a rising error is drawn in red. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

struct row {
    char label[48];
    uint64_t count;
    uint32_t per_sec;
    enum ui_role role;
};

/* "5xx 503 502": the class and its (up to two) most frequent codes. */
static void class_label(char *b, size_t n, const struct counters *c, int k)
{
    int top[2] = {-1, -1};
    for (int code = k * 100; code < k * 100 + 100; code++) {
        if (!c->codes[code])
            continue;
        if (top[0] < 0 || c->codes[code] > c->codes[top[0]]) {
            top[1] = top[0];
            top[0] = code;
        } else if (top[1] < 0 || c->codes[code] > c->codes[top[1]]) {
            top[1] = code;
        }
    }
    int m = snprintf(b, n, "%dxx", k);
    for (int i = 0; i < 2 && top[i] >= 0 && m < (int)n; i++)
        m += snprintf(b + m, n - (size_t)m, " %d", top[i]);
}

static int cmp_rows(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->label, y->label);
}

void ui_responses_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                       int w)
{
    ui_title(y, x, w, "Responses & errors", "tab: details");
    const struct counters *c = &s->total;
    const struct second *last = s->nsec ? &s->sec[s->nsec - 1] : NULL;
    struct row rows[6 + STATS_MAX_ERRORS];
    int n = 0;
    uint64_t outcomes = c->responses + counters_errors(c);
    for (int k = 1; k <= 5; k++) {
        uint64_t cnt = c->code_class[k];
        if (!cnt && k != 2)
            continue;
        struct row *r = &rows[n++];
        class_label(r->label, sizeof r->label, c, k);
        r->count = cnt;
        r->per_sec = last ? last->code_class[k] : 0;
        r->role = k == 2 ? UC_OK : k == 5 ? UC_WARN : UC_NORMAL;
    }
    int nclass = n;
    for (int i = 0; i < s->nerrors && i < STATS_MAX_ERRORS; i++) {
        if (!c->errors[i])
            continue;
        struct row *r = &rows[n++];
        snprintf(r->label, sizeof r->label, "%s", s->error_names[i]);
        r->count = c->errors[i];
        r->per_sec = last ? last->errors[i] : 0;
        r->role = u->rising[i] ? UC_BAD : UC_NORMAL;
    }
    qsort(rows + nclass, (size_t)(n - nclass), sizeof *rows, cmp_rows);

    int body = h - 1, ry = y + 1;
    const int cnt_w = 7, share_w = 6, rate_w = 6;
    int lw = w - cnt_w - share_w - rate_w;
    if (body > n) {
        ui_put(ry, x, lw, UC_DIM, "outcome");
        ui_putr(ry, x + lw, cnt_w, UC_DIM, "count");
        ui_putr(ry, x + lw + cnt_w, share_w, UC_DIM, "share");
        ui_putr(ry, x + lw + cnt_w + share_w, rate_w, UC_DIM, "/s");
        ry++;
        body--;
    }
    if (!outcomes && body > 1) {
        ui_put(ry + 1, x, w, UC_DIM, "no responses yet");
        return;
    }
    for (int i = 0; i < n && i < body; i++, ry++) {
        const struct row *r = &rows[i];
        char a[24], b[24], d[24];
        /* the last line says how many did not fit */
        if (i == body - 1 && n > body) {
            ui_putf(ry, x, w, UC_DIM, "+%d more (tab)", n - i);
            break;
        }
        ui_put(ry, x, lw, r->role, r->label);
        ui_putr(ry, x + lw, cnt_w, r->role, ui_fmt_count(a, sizeof a, r->count));
        ui_putr(ry, x + lw + cnt_w, share_w, r->role,
                ui_fmt_pct(b, sizeof b, outcomes ? (double)r->count / outcomes : 0));
        ui_putr(ry, x + lw + cnt_w + share_w, rate_w, r->role,
                ui_fmt_count(d, sizeof d, r->per_sec));
    }
}
