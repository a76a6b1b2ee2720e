/* ui_draw.c — text, colours, glyphs and number formats for the panels, and
 * the frame they draw into: a grid of (character, role) cells. A frame is
 * compared with the previous one and only the cells that changed go to the
 * terminal (ui_term.c), so the mostly-static dashboard costs little to
 * redraw 10 times a second (erasing and rewriting the whole screen each
 * frame was most of the dashboard's CPU). A partial frame keeps the grid and
 * redraws only some rectangles; then only the rows drawn into are compared. */
#include <curses.h> /* LINES, COLS */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_int.h"
#include "util.h"

/* Set once by ui_draw_init: what the terminal can show. Curses itself is
 * process-wide state, so this is too. */
static int term_utf8;
static wchar_t block_wc[9], glyph_wc[G_N];
static int decode(const char *text, int w, wchar_t *out, int max, int *cols);

/* The frame being drawn and the one on the screen (no padding: rows are
 * compared with memcmp). ch 0 marks the second column of a wide character.
 * Four bytes a cell: a frame's cost is mostly the memory it touches, which
 * is cold after 100 ms of sleep (a 24 KB copy takes ~50 µs then). */
struct vcell {
    uint32_t ch : 24, role : 8; /* Unicode stops at 0x10FFFF; roles < UC_N */
};
static struct vcell *vcur, *vprev, *vblank;
static wchar_t *vbuf;
static unsigned char *vrow; /* rows drawn into since the last frame_end */
static int vh, vw, vfull = 1;

static const char *const glyph_utf8[G_N] = {
    [G_HLINE] = "─",    [G_VLINE] = "│", [G_TL] = "┌",    [G_TR] = "┐",
    [G_BL] = "└",       [G_BR] = "┘",    [G_DONE] = "✓",  [G_CUR] = "▶",
    [G_PENDING] = "·",  [G_FULL] = "█",  [G_EMPTY] = "░", [G_TIMES] = "×",
    [G_ELLIPSIS] = "…", [G_ARROW] = "→", [G_TLINE] = "━", [G_DASH] = "—",
};
static const char *const glyph_ascii[G_N] = {
    [G_HLINE] = "-",    [G_VLINE] = "|", [G_TL] = "+",    [G_TR] = "+",
    [G_BL] = "+",       [G_BR] = "+",    [G_DONE] = "v",  [G_CUR] = ">",
    [G_PENDING] = ".",  [G_FULL] = "#",  [G_EMPTY] = "-", [G_TIMES] = "x",
    [G_ELLIPSIS] = "~", [G_ARROW] = ">", [G_TLINE] = "-", [G_DASH] = "-",
};
static const char *const blocks_utf8[9] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
static const char *const blocks_ascii[9] = {" ", ".", ".", ":", "-", "=", "+", "*", "#"};

static wchar_t to_wc(const char *glyph)
{
    wchar_t wb[2];
    int cols;
    return decode(glyph, 1, wb, 1, &cols) == 1 ? wb[0] : L'?';
}

void ui_draw_init(int color, int utf8)
{
    term_utf8 = utf8;
    ui_term_init(color);
    for (int e = 0; e < 9; e++)
        block_wc[e] = to_wc(ui_block(e));
    for (int g = 0; g < G_N; g++)
        glyph_wc[g] = to_wc(ui_glyph((enum ui_glyph)g));
}

int ui_frame_begin(int full)
{
    if (LINES != vh || COLS != vw || !vcur) {
        ui_frame_free();
        vh = LINES > 0 ? LINES : 1;
        vw = COLS > 0 ? COLS : 1;
        vcur = xcalloc((size_t)vh * (size_t)vw, sizeof *vcur);
        vprev = xcalloc((size_t)vh * (size_t)vw, sizeof *vprev);
        vblank = xcalloc((size_t)vw, sizeof *vblank);
        for (int x = 0; x < vw; x++)
            vblank[x] = (struct vcell){L' ', UC_NORMAL};
        vbuf = xcalloc((size_t)vw + 1, sizeof *vbuf);
        vrow = xcalloc((size_t)vh, 1);
        vfull = 1;
    }
    if (vfull)
        full = 1;
    if (full) {
        for (int y = 0; y < vh; y++)
            memcpy(vcur + (size_t)y * vw, vblank, sizeof *vblank * (size_t)vw);
        memset(vrow, 1, (size_t)vh);
    }
    return full;
}

void ui_frame_end(void)
{
    int changed = vfull;
    ui_term_forget(); /* where the cursor is and in what colours: not ours to know between frames */
    if (vfull)
        ui_term_clear();
    for (int y = 0; y < vh; y++) {
        if (!vrow[y])
            continue;
        const struct vcell *c = vcur + (size_t)y * vw, *p = vprev + (size_t)y * vw;
        if (!vfull && !memcmp(c, p, sizeof *c * (size_t)vw))
            continue;
        int x = 0;
        while (x < vw) {
            if (!vfull && c[x].ch == p[x].ch && c[x].role == p[x].role) {
                x++;
                continue;
            }
            /* a run of changed cells in one role, from a character's start */
            int start = x > 0 && c[x].ch == 0 ? x - 1 : x, k = 0;
            uint32_t role = c[start].role;
            for (x = start; x < vw && c[x].role == role &&
                            (vfull || x == start || c[x].ch != p[x].ch || c[x].role != p[x].role);
                 x++)
                if (c[x].ch)
                    vbuf[k++] = (wchar_t)c[x].ch;
            ui_term_cells(y, start, x - start, (enum ui_role)role, vbuf, k, vh, vw);
            changed = 1;
        }
    }
    /* The grid stays as drawn (a partial frame redraws over it); the rows
     * drawn into are now what the screen shows. */
    for (int y = 0; y < vh; y++)
        if (vrow[y]) {
            memcpy(vprev + (size_t)y * vw, vcur + (size_t)y * vw, sizeof *vcur * (size_t)vw);
            vrow[y] = 0;
        }
    vfull = 0;
    /* nothing new: not even a write; a write that failed part-way leaves the
     * screen unknown, so the next frame sends everything */
    if (changed && ui_term_flush() < 0)
        vfull = 1;
}

void ui_frame_invalidate(void)
{
    vfull = 1;
}

void ui_frame_free(void)
{
    free(vcur);
    free(vprev);
    free(vblank);
    free(vbuf);
    free(vrow);
    vcur = vprev = vblank = NULL;
    vbuf = NULL;
    vrow = NULL;
    vh = vw = 0;
}

/* After cells [x0, x1) of row y were written: a wide character whose other
 * half was overwritten is gone; its remaining half becomes a space, so that
 * the grid never holds half a character (the terminal would shift the rest
 * of the row, and ui_term.c's cursor tracking with it). */
static void mend(int y, int x0, int x1)
{
    struct vcell *row = vcur + (size_t)y * vw;
    if (x0 > 0 && row[x0 - 1].ch >= 0x80 && wcwidth((wchar_t)row[x0 - 1].ch) == 2)
        row[x0 - 1].ch = L' ';
    if (x1 < vw && row[x1].ch == 0)
        row[x1].ch = L' ';
}

/* Put n copies of wide character ch (one column each) at y, x. */
static void vfill(int y, int x, int n, wchar_t ch, enum ui_role r)
{
    if (y < 0 || y >= vh || x < 0 || x >= vw || n <= 0)
        return;
    if (x + n > vw)
        n = vw - x;
    struct vcell *c = vcur + (size_t)y * vw + x;
    vrow[y] = 1;
    for (int i = 0; i < n; i++)
        c[i] = (struct vcell){(uint32_t)ch, r};
    mend(y, x, x + n);
}

void ui_cell(int y, int x, int eighths, enum ui_role r)
{
    vfill(y, x, 1, block_wc[eighths], r);
}

void ui_cells(int y, int x, int n, int eighths, enum ui_role r)
{
    vfill(y, x, n, block_wc[eighths], r);
}

void ui_glyphs(int y, int x, int n, enum ui_glyph g, enum ui_role r)
{
    vfill(y, x, n, glyph_wc[g], r);
}

const char *ui_glyph(enum ui_glyph g)
{
    return term_utf8 ? glyph_utf8[g] : glyph_ascii[g];
}

const char *ui_block(int eighths)
{
    eighths = eighths < 0 ? 0 : eighths > 8 ? 8 : eighths;
    return term_utf8 ? blocks_utf8[eighths] : blocks_ascii[eighths];
}

/* Decode up to `max` wide characters that fit in w columns. */
static int decode(const char *text, int w, wchar_t *out, int max, int *cols)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t left = strlen(text);
    int k = 0, used = 0;
    while (left && k < max) {
        wchar_t wc;
        /* printable ASCII, nearly all the text: skip the multibyte machinery */
        if ((unsigned char)*text >= 0x20 && (unsigned char)*text < 0x7f) {
            if (used + 1 > w)
                break;
            out[k++] = (wchar_t)*text++;
            used++;
            left--;
            continue;
        }
        size_t c = mbrtowc(&wc, text, left, &st);
        if (c == (size_t)-1 || c == (size_t)-2) {
            wc = L'?';
            c = 1;
            memset(&st, 0, sizeof st);
        } else if (c == 0) {
            break;
        }
        int cw = wcwidth(wc);
        if (cw == 0) { /* combining marks would need a cell of their own: dropped */
            text += c;
            left -= c;
            continue;
        }
        if (cw < 0) { /* control characters from names must not move the cursor */
            wc = L'?';
            cw = 1;
        }
        if (used + cw > w)
            break;
        out[k++] = wc;
        used += cw;
        text += c;
        left -= c;
    }
    *cols = used;
    return k;
}

int ui_width(const char *text)
{
    wchar_t wb[512];
    int cols;
    decode(text, 1 << 20, wb, 512, &cols);
    return cols;
}

int ui_put(int y, int x, int w, enum ui_role r, const char *text)
{
    if (y < 0 || y >= vh || x < 0 || x >= vw || w <= 0)
        return 0;
    if (x + w > vw)
        w = vw - x;
    wchar_t wb[512];
    int cols;
    int k = decode(text, w, wb, 512, &cols);
    struct vcell *c = vcur + (size_t)y * vw + x;
    vrow[y] = 1;
    for (int i = 0; i < k; i++) {
        *c++ = (struct vcell){(uint32_t)wb[i], r};
        if (wb[i] >= 0x80 && wcwidth(wb[i]) == 2)
            *c++ = (struct vcell){0, r};
    }
    if (cols > 0)
        mend(y, x, x + cols);
    return cols;
}

int ui_putf(int y, int x, int w, enum ui_role r, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    return ui_put(y, x, w, r, b);
}

int ui_putr(int y, int x, int w, enum ui_role r, const char *text)
{
    int tw = ui_width(text);
    if (tw > w)
        return ui_put(y, x, w, r, text);
    return ui_put(y, x + w - tw, tw, r, text);
}

void ui_fit(char *out, size_t n, const char *text, int w)
{
    wchar_t wb[512];
    int cols;
    int k = decode(text, 1 << 20, wb, 511, &cols);
    if (cols <= w || w < 3) {
        snprintf(out, n, "%s", text);
        if (cols > w) { /* too narrow for an ellipsis: cut */
            k = decode(text, w, wb, 511, &cols);
            wb[k] = 0;
            wcstombs(out, wb, n);
        }
        return;
    }
    /* keep more of the tail: paths differ at their ends */
    int head = (w - 1) / 3, tail = w - 1 - head;
    wchar_t r[512];
    int m = 0, hc = 0, tc = 0, i = 0;
    while (i < k && hc + wcwidth(wb[i]) <= head) {
        hc += wcwidth(wb[i]);
        r[m++] = wb[i++];
    }
    int j = k;
    while (j > i && tc + wcwidth(wb[j - 1]) <= tail)
        tc += wcwidth(wb[--j]);
    r[m++] = term_utf8 ? L'\u2026' : L'~';
    while (j < k)
        r[m++] = wb[j++];
    r[m] = 0;
    if (wcstombs(out, r, n) == (size_t)-1) // unencodable: show it whole
        snprintf(out, n, "%s", text);
}

void ui_clear(int y, int x, int h, int w)
{
    for (int i = 0; i < h; i++)
        vfill(y + i, x, w, L' ', UC_NORMAL);
}

void ui_fill(int y, int x, int w, enum ui_role r)
{
    vfill(y, x, w, L' ', r);
}

static void draw_hline(int y, int x, int w, enum ui_role r)
{
    ui_glyphs(y, x, w, G_HLINE, r);
}

/* " text " into b (n bytes), cut short when it does not fit: snprintf's
 * " %s " without its cost, for the titles partial frames redraw. */
static const char *padded(char *b, size_t n, const char *text)
{
    size_t m = strlen(text);
    if (m > n - 3)
        m = n - 3;
    b[0] = ' ';
    memcpy(b + 1, text, m);
    b[m + 1] = ' ';
    b[m + 2] = 0;
    return b;
}

void ui_title(int y, int x, int w, const char *title, const char *right)
{
    draw_hline(y, x, w, UC_DIM);
    char b[256];
    int tw = ui_put(y, x + 1, w - 2, UC_TITLE, padded(b, sizeof b, title));
    if (right && *right) {
        padded(b, sizeof b, right);
        int rw = ui_width(b);
        if (tw + rw + 4 <= w)
            ui_put(y, x + w - 1 - rw, rw, UC_DIM, b);
    }
}

void ui_box(int y, int x, int h, int w)
{
    ui_clear(y, x, h, w);
    draw_hline(y, x + 1, w - 2, UC_NORMAL);
    draw_hline(y + h - 1, x + 1, w - 2, UC_NORMAL);
    for (int i = 1; i < h - 1; i++) {
        ui_put(y + i, x, 1, UC_NORMAL, ui_glyph(G_VLINE));
        ui_put(y + i, x + w - 1, 1, UC_NORMAL, ui_glyph(G_VLINE));
    }
    ui_put(y, x, 1, UC_NORMAL, ui_glyph(G_TL));
    ui_put(y, x + w - 1, 1, UC_NORMAL, ui_glyph(G_TR));
    ui_put(y + h - 1, x, 1, UC_NORMAL, ui_glyph(G_BL));
    ui_put(y + h - 1, x + w - 1, 1, UC_NORMAL, ui_glyph(G_BR));
}

int ui_bar_cells(int w, double frac)
{
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return (int)(frac * w + 0.5);
}

void ui_bar(int y, int x, int w, double frac, enum ui_role r)
{
    int full = ui_bar_cells(w, frac);
    ui_glyphs(y, x, full, G_FULL, r);
    ui_glyphs(y, x + full, w - full, G_EMPTY, UC_DIM);
}

void ui_spark(int y, int x, int w, const int64_t *v, int n, int64_t max, enum ui_role r)
{
    int from = n > w ? n - w : 0;
    if (max <= 0)
        for (int i = from; i < n; i++)
            max = v[i] > max ? v[i] : max;
    for (int i = from; i < n; i++) {
        int e = max > 0 ? (int)((v[i] * 8 + max - 1) / max) : 0;
        if (e > 0)
            ui_cell(y, x + i - from, e, r);
    }
}

char *ui_fmt_us(char *b, size_t n, int64_t us)
{
    return ui_fmt_us_in(b, n, us, term_utf8 ? "µs" : "us");
}

char *ui_fmt_phase(char *b, size_t n, const struct phase *p)
{
    char r1[16], r2[16];
    switch (p->kind) {
    case PHASE_PAUSE:
        snprintf(b, n, "pause");
        break;
    case PHASE_COUNT:
        snprintf(b, n, "%lld VUs", (long long)p->count);
        break;
    case PHASE_RAMP:
        snprintf(b, n, "%s%s%s/s", ui_fmt_rate(r1, sizeof r1, p->rate), ui_glyph(G_ARROW),
                 ui_fmt_rate(r2, sizeof r2, p->rate_to));
        break;
    case PHASE_CONST:
        snprintf(b, n, "%s/s", ui_fmt_rate(r1, sizeof r1, p->rate));
        break;
    }
    return b;
}
