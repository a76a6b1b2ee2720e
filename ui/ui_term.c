/* ui_term.c — a frame's changed cells to the terminal, through its terminfo
 * strings, in one write().
 *
 * ui_draw.c already keeps the screen as a grid and knows which cells
 * changed. Handing them to curses (waddnwstr, wnoutrefresh, doupdate) made
 * curses diff the screen a second time, hash every line for its scrolling
 * optimisation and parse a tparm string for each move and colour: twice the
 * CPU of the write itself, every frame (tests/bench/ncurses-floor.c). So the
 * cells go out as tmux and vim send theirs: cursor_address, the role's
 * attributes (exit_attribute_mode, bold, dim, rev, setaf/setab, each looked
 * up once), the text in the locale's encoding. curses still sets up and
 * restores the terminal (modes, the alternate screen, the cursor) and reads
 * the keys; it never draws. */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#include "ui_int.h"
#include "util.h"

static struct {
    struct buf out;       /* the frame's bytes */
    char *role_seq[UC_N]; /* attributes off, then the role's on: complete */
    char *clear;          /* clear_screen, padded as tputs pads it */
    const char *cup;      /* cursor_address */
    int ansi_cup;         /* it is ECMA-48's CSI row;col H: printed without tparm */
    int keep_last;        /* the bottom-right cell scrolls the screen: never write it */
    int move_resets;      /* no msgr: attributes off before a move */
    int role, y, x;       /* what the terminal is at now (-1: unknown) */
} t;

static void put(const char *s, size_t n)
{
    buf_append(&t.out, s, n);
}

/* Attributes and colours back to the terminal's own. */
static void put_normal(void)
{
    put(t.role_seq[UC_NORMAL], strlen(t.role_seq[UC_NORMAL]));
    t.role = UC_NORMAL;
}

static struct buf *cap_to; /* where tputs' output function appends */

static int put_ch(int c)
{
    char ch = (char)c;
    buf_append(cap_to, &ch, 1);
    return c;
}

/* A capability string into b, padded and expanded as tputs does it. */
static void put_cap(struct buf *b, const char *cap)
{
    if (cap) {
        cap_to = b;
        tputs(cap, 1, put_ch);
    }
}

/* The string b holds (owned by the caller; "" when empty). */
static char *take(struct buf *b)
{
    return b->data ? b->data : xstrdup("");
}

/* A terminfo string capability, or NULL when the terminal lacks it. */
static const char *cap(const char *name)
{
    char *s = tigetstr(name);
    return s && s != (char *)-1 ? s : NULL;
}

/* What a role looks like: colours (-1: the terminal's own) and attributes. */
struct look {
    short fg, bg;
    unsigned bold : 1, dim : 1, rev : 1;
};

static struct look look_of(enum ui_role r, int color)
{
    /* monochrome terminals and NO_COLOR: emphasis only */
    static const struct look mono[UC_N] = {
        [UC_NORMAL] = {-1, -1, 0, 0, 0}, [UC_DIM] = {-1, -1, 0, 1, 0},
        [UC_TITLE] = {-1, -1, 1, 0, 0},  [UC_OK] = {-1, -1, 0, 0, 0},
        [UC_WARN] = {-1, -1, 1, 0, 0},   [UC_BAD] = {-1, -1, 1, 0, 0},
        [UC_ACCENT] = {-1, -1, 1, 0, 0}, [UC_BAR] = {-1, -1, 0, 0, 0},
        [UC_TARGET] = {-1, -1, 1, 0, 0}, [UC_KEY] = {-1, -1, 0, 0, 1},
        [UC_BANNER] = {-1, -1, 1, 0, 1}, [UC_HEAD] = {-1, -1, 1, 0, 0},
    };
    static const struct look colors[UC_N] = {
        [UC_NORMAL] = {-1, -1, 0, 0, 0},
        [UC_DIM] = {-1, -1, 0, 1, 0},
        [UC_TITLE] = {COLOR_CYAN, -1, 1, 0, 0},
        [UC_OK] = {COLOR_GREEN, -1, 0, 0, 0},
        [UC_WARN] = {COLOR_YELLOW, -1, 0, 0, 0},
        [UC_BAD] = {COLOR_RED, -1, 1, 0, 0},
        [UC_ACCENT] = {COLOR_CYAN, -1, 0, 0, 0},
        [UC_BAR] = {COLOR_GREEN, -1, 0, 0, 0},
        [UC_TARGET] = {COLOR_MAGENTA, -1, 1, 0, 0},
        [UC_KEY] = {COLOR_BLACK, COLOR_CYAN, 0, 0, 0},
        [UC_BANNER] = {COLOR_WHITE, COLOR_RED, 1, 0, 0},
        [UC_HEAD] = {-1, -1, 1, 0, 0},
    };
    return color ? colors[r] : mono[r];
}

/* The bytes that switch the terminal to role r from any state. */
static char *role_seq(enum ui_role r, int color)
{
    struct look l = look_of(r, color);
    if (!cap("sgr0")) /* what could not be switched off is never switched on */
        l.bold = l.dim = l.rev = 0;
    struct buf b = {0};
    put_cap(&b, cap("sgr0"));
    if (color)
        put_cap(&b, cap("op")); /* not every sgr0 resets the colours */
    if (l.bold)
        put_cap(&b, cap("bold"));
    if (l.dim)
        put_cap(&b, cap("dim"));
    if (l.rev)
        put_cap(&b, cap("rev"));
    const char *setaf = cap("setaf"), *setab = cap("setab");
    if (l.fg >= 0 && setaf)
        put_cap(&b, tiparm(setaf, l.fg));
    if (l.bg >= 0 && setab)
        put_cap(&b, tiparm(setab, l.bg));
    return take(&b);
}

int ui_term_colors(void)
{
    return has_colors() && cap("setaf") != NULL;
}

void ui_term_init(int color)
{
    ui_term_free();
    for (int r = 0; r < UC_N; r++)
        t.role_seq[r] = role_seq((enum ui_role)r, color);
    t.cup = cap("cup");
    t.ansi_cup = t.cup && !strcmp(t.cup, "\033[%i%p1%d;%p2%dH");
    struct buf cl = {0};
    put_cap(&cl, cap("clear"));
    t.clear = take(&cl);
    t.keep_last = tigetflag("am") > 0 && tigetflag("xenl") <= 0;
    t.move_resets = tigetflag("msgr") <= 0;
    t.role = t.y = t.x = -1;
}

void ui_term_free(void)
{
    for (int r = 0; r < UC_N; r++) {
        free(t.role_seq[r]);
        t.role_seq[r] = NULL;
    }
    free(t.clear);
    t.clear = NULL;
    buf_free(&t.out);
}

int ui_term_usable(void)
{
    return cap("cup") != NULL;
}

void ui_term_clear(void)
{
    /* normal attributes first: on a bce terminal clear paints the background */
    put_normal();
    put(t.clear, strlen(t.clear));
    t.y = t.x = -1; /* clear homes the cursor on most terminals, not all */
}

static void move_to(int y, int x)
{
    if (t.y == y && t.x == x)
        return;
    if (t.move_resets && t.role > UC_NORMAL)
        put_normal();
    if (t.ansi_cup) {
        char b[32], *p = b + sizeof b;
        *--p = 'H';
        unsigned v = (unsigned)x + 1;
        do
            *--p = (char)('0' + v % 10);
        while (v /= 10);
        *--p = ';';
        v = (unsigned)y + 1;
        do
            *--p = (char)('0' + v % 10);
        while (v /= 10);
        *--p = '[';
        *--p = '\033';
        put(p, (size_t)(b + sizeof b - p));
    } else {
        put_cap(&t.out, tiparm(t.cup, y, x));
    }
    t.y = y;
    t.x = x;
}

void ui_term_cells(int y, int x, int cols, enum ui_role r, const wchar_t *s, int n, int h, int w)
{
    if (t.keep_last && y == h - 1 && x + cols >= w) {
        /* the last cell of the screen would scroll it: leave it out */
        while (n > 0 && x + cols >= w) {
            cols -= s[n - 1] >= 0x80 && wcwidth(s[n - 1]) == 2 ? 2 : 1;
            n--;
        }
        if (n <= 0)
            return;
    }
    move_to(y, x);
    if ((int)r != t.role) {
        put(t.role_seq[r], strlen(t.role_seq[r]));
        t.role = (int)r;
    }
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (int i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            char c = (char)s[i];
            put(&c, 1);
            continue;
        }
        size_t k = wcrtomb(mb, s[i], &st);
        if (k == (size_t)-1) {
            memset(&st, 0, sizeof st);
            put("?", 1);
        } else {
            put(mb, k);
        }
    }
    /* past the last column the cursor's place depends on the terminal, and
     * after a wide character on the terminal's idea of its width */
    t.x = x + cols < w && n == cols ? x + cols : -1;
    if (t.x < 0)
        t.y = -1;
}

int ui_term_flush(void)
{
    int ok = 1;
    if (t.role > UC_NORMAL)
        put_normal();
    size_t off = 0;
    while (off < t.out.len) {
        ssize_t w = write(STDOUT_FILENO, t.out.data + off, t.out.len - off);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
            if (poll(&p, 1, 1000) <= 0) {
                ok = 0;
                break;
            }
        } else {
            ok = 0; /* the terminal is gone, or stuck: the rest is dropped */
            break;
        }
    }
    t.out.len = 0;
    if (!ok)
        t.role = t.y = t.x = -1;
    return ok ? 0 : -1;
}

void ui_term_normal(void)
{
    /* plain write(): the fatal-signal path calls this */
    const char *off = t.role_seq[UC_NORMAL];
    if (off && write(STDOUT_FILENO, off, strlen(off)) < 0)
        return;
}

void ui_term_forget(void)
{
    t.role = t.y = t.x = -1;
}
