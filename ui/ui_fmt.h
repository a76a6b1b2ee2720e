/* ui_fmt.h — the dashboard's number formats. Pure (no curses), so that the
 * unit tests can hold them to the printf formats they stand for. */
#ifndef LOADTOP_UI_FMT_H
#define LOADTOP_UI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Each writes into the caller's buffer b of n bytes (cut short, always
 * terminated, when n is too small) and returns b. The output is exactly what
 * the snprintf format in the comment prints. */

/* v < 1e6: "%llu"; then "%.2fM", "%.1fM" (below 1e9), "%.2fG". */
char *ui_fmt_count(char *b, size_t n, uint64_t v);
/* Arrivals/s: a fraction below 10 as "%.1f", else "%.0f" below 1e5, else
 * "%.0fk" of v/1e3; negative (and -0) shows as 0. */
char *ui_fmt_rate(char *b, size_t n, double v);
/* Microseconds: "-" when negative, "%lld" + micro below 1 ms (micro is "µs"
 * or "us"), then "%.2fms", "%.1fms", "%.0fms", "%.2fs", "%.1fs". */
char *ui_fmt_us_in(char *b, size_t n, int64_t us, const char *micro);
/* "%02lld:%02lld" minutes and seconds, "%lld:%02lld:%02lld" from an hour. */
char *ui_fmt_clock(char *b, size_t n, int64_t us);
/* A share: "0%", "100%", "%.2f%%" below 1 %, else "%.1f%%" (of frac * 100). */
char *ui_fmt_pct(char *b, size_t n, double frac);

#endif
