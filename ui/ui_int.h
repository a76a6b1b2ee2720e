/* ui_int.h — what the dashboard's files share: the UI state, the panels
 * (each draws the values it is given into a rectangle of stdscr and never
 * samples data), the key table, and small drawing and formatting helpers.
 * Only ui/ includes this (and curses). */
#ifndef LOADTOP_UI_INT_H
#define LOADTOP_UI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "plan.h"
#include "ui.h"
#include "ui_fmt.h"

#define UI_MIN_W 80
#define UI_MIN_H 24

enum ui_view { VIEW_OVERVIEW, VIEW_ENDPOINTS, VIEW_ERRORS, VIEW_N };
enum ui_mode { MODE_NORMAL, MODE_HELP, MODE_RATE, MODE_CONFIRM };

struct ui_state {
    const struct source *src; /* for the key actions only */
    const struct plan *plan;
    const struct ui_opts *o;
    enum ui_view view;
    int bars_requests; /* one request per arrival: chart requests, else arrivals */
    int lat;           /* SUM_RESPONSE_TIME or SUM_LATENCY */
    enum ui_mode mode;
    char input[24]; /* MODE_RATE: what was typed */
    char msg[320];  /* status line, shown until msg_until */
    int msg_err;
    int64_t msg_until;
    int stopping; /* the user asked to stop (q + y, SIGINT, SIGTERM) */
    int quit;     /* leave now */
    int64_t now;  /* this frame's clock (µs, monotonic) */
    /* derived from the snapshot once per frame (ui.c) */
    unsigned char rising[STATS_MAX_ERRORS]; /* an error's per-second count is rising */
    int saturated;
    char sat_why[64];
    char shard_msg[160]; /* loadtop watch: the shards that do not answer, or "" */
    int64_t lag_p99;     /* schedule lag p99 of the last interval (µs) */
    int resp_rows;       /* rows of the responses panel (classes and errors seen) */
    double frame_cpu_us; /* the dashboard's CPU per frame, all of it (mean of the last second) */
};

/* loadtop watch: the shards that do not answer, in one line for the
 * header's banner (u->shard_msg; "" when all do). */
void ui_shards_down(struct ui_state *u, const struct snapshot *s);

/* Panels: draw `s` (and u's modes) into the rectangle y, x, h, w. */
void ui_header_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
/* How many cells of its progress bar the header fills at width w. */
int ui_header_bar_cells(const struct snapshot *s, int w);
void ui_throughput_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                        int w);
/* Only the throughput panel's last row (VUs, in flight, skipped): what of it
 * moves between two closed seconds. */
void ui_throughput_live(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                        int w);
void ui_responses_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                       int w);
void ui_latency_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                     int w);
void ui_endpoints_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h,
                       int w);
void ui_host_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
void ui_phases_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
void ui_events_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
/* The full-screen errors view: every status code and error, with causes. */
void ui_errors_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);

/* Keys (ui_keys.c): one table drives the footer, the help overlay and the
 * dispatcher. */
void ui_keys_handle(struct ui_state *u, const struct snapshot *s, int key);
void ui_footer_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
void ui_help_draw(const struct snapshot *s, const struct ui_state *u, int y, int x, int h, int w);
/* A status line message for a few seconds (err: shown as an error). */
void ui_message(struct ui_state *u, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* What SIGINT/SIGTERM and a confirmed 'q' do: stop, or abort if stopping. */
void ui_stop(struct ui_state *u, const struct snapshot *s);
/* SIGTERM or SIGHUP (`name`): stop with the short drain bound
 * (ENGINE_TERM_DRAIN_S), so that the report is written soon. */
void ui_terminate(struct ui_state *u, const struct snapshot *s, const char *name);
/* The 's' key and SIGUSR1: a snapshot report while the run goes on, the
 * final report once it is over; the status line says where. */
void ui_save(struct ui_state *u, const struct snapshot *s);

/* Drawing helpers (ui_draw.c). Roles map to colours, or to bold/reverse on
 * monochrome terminals and under NO_COLOR. */
enum ui_role {
    UC_NORMAL,
    UC_DIM,
    UC_TITLE,
    UC_OK,
    UC_WARN,
    UC_BAD,
    UC_ACCENT,
    UC_BAR,
    UC_TARGET,
    UC_KEY,
    UC_BANNER,
    UC_HEAD,
    UC_N
};
enum ui_glyph {
    G_HLINE,
    G_VLINE,
    G_TL,
    G_TR,
    G_BL,
    G_BR,
    G_DONE,
    G_CUR,
    G_PENDING,
    G_FULL,
    G_EMPTY,
    G_TIMES,
    G_ELLIPSIS,
    G_ARROW,
    G_TLINE,
    G_DASH,
    G_N
};
/* After curses took the terminal: the glyph set, the roles' looks. */
void ui_draw_init(int color, int utf8);

/* The terminal itself (ui_term.c): a frame's changed cells go out through
 * its terminfo strings, one write() a frame; curses only sets the terminal
 * up, restores it and reads keys. */
/* Can it be drawn on (it has cursor addressing)? Colours (setaf)? */
int ui_term_usable(void);
int ui_term_colors(void);
/* Look up the strings; color: the roles' colours, else emphasis only. */
void ui_term_init(int color);
/* Clear the screen first (the frame then sends every cell). */
void ui_term_clear(void);
/* Cells y, x.. (cols columns: the n characters of s) in role r, on a
 * screen of h x w. */
void ui_term_cells(int y, int x, int cols, enum ui_role r, const wchar_t *s, int n, int h, int w);
/* Attributes back to normal, and everything out in one write(); -1 when
 * the write failed part-way (what the screen shows is then unknown). */
int ui_term_flush(void);
/* Attributes back to normal now (before endwin: a frame may have been cut
 * short by a signal). Async-signal-safe. */
void ui_term_normal(void);
/* Make no assumption about the cursor's place or the attributes. */
void ui_term_forget(void);
void ui_term_free(void);
/* A frame: begin sizes the cell grid to the terminal and, for a full
 * frame, clears it; the panels draw; end sends the cells that changed since
 * the last frame to the terminal. A partial frame (full = 0) keeps the grid:
 * only what is drawn again (after ui_clear of its rectangle) can change.
 * begin returns whether the frame is full (always after a resize or the
 * first time). free releases the grids. */
int ui_frame_begin(int full);
/* The screen no longer shows the grid (after a suspend): the next frame
 * sends every cell. */
void ui_frame_invalidate(void);
void ui_frame_end(void);
void ui_frame_free(void);
const char *ui_glyph(enum ui_glyph g);
/* A chart cell: a block of 0..8 eighths (n of them in a row); n copies of
 * a glyph in a row. */
void ui_cell(int y, int x, int eighths, enum ui_role r);
void ui_cells(int y, int x, int n, int eighths, enum ui_role r);
void ui_glyphs(int y, int x, int n, enum ui_glyph g, enum ui_role r);
/* Block glyph for 0..8 eighths of a cell. */
const char *ui_block(int eighths);
/* Put UTF-8 text at y, x clipped to w columns; returns the columns used. */
int ui_put(int y, int x, int w, enum ui_role r, const char *text);
int ui_putf(int y, int x, int w, enum ui_role r, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Right-aligned within w columns. */
int ui_putr(int y, int x, int w, enum ui_role r, const char *text);
/* Display width of UTF-8 text. */
int ui_width(const char *text);
/* Copy `text` into out shortened to w columns with an ellipsis in the middle. */
void ui_fit(char *out, size_t n, const char *text, int w);
/* A panel title line: "Title ──── right ─". */
void ui_title(int y, int x, int w, const char *title, const char *right);
/* Fill a rectangle with spaces; a row with spaces of role r. */
void ui_clear(int y, int x, int h, int w);
void ui_fill(int y, int x, int w, enum ui_role r);
void ui_box(int y, int x, int h, int w);
/* A bar of w cells, frac of them full; ui_bar_cells says how many. */
int ui_bar_cells(int w, double frac);
void ui_bar(int y, int x, int w, double frac, enum ui_role r);
/* Sparkline of v[0..n) in w columns (the last w values), scaled to max. */
void ui_spark(int y, int x, int w, const int64_t *v, int n, int64_t max, enum ui_role r);

/* Formatting: into a caller's buffer, returned for convenience. */
/* ui_fmt_count, _rate, _clock, _pct: see ui_fmt.h. */
char *ui_fmt_us(char *b, size_t n, int64_t us); /* 850µs, 12.3ms, 1.25s (µs: us on ASCII) */
/* Phase rate as the plan states it: "20/s", "5→50/s", "100 in", "pause". */
char *ui_fmt_phase(char *b, size_t n, const struct phase *p);

#endif
