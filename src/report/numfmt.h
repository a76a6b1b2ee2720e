/* numfmt.h — how loadtop's documents write numbers: rates, counts,
 * percentages, milliseconds, durations, times since the start, sizes. The
 * one set of formatters for the reports (render), their capacity findings
 * and the engine's event texts, so that a number reads the same in every
 * place it appears.
 *
 * Each function writes into out[n] (cut to fit, always NUL-terminated) and
 * returns out. A saved report is user input, so any double may arrive:
 * NaN prints as "n/a" (infinities too, where the function says so), and
 * magnitudes from NUMFMT_HUGE on print as "%.3g" ("1e+300"), never as
 * hundreds of digits. Pure: no I/O, no globals, no library but libc; the
 * engine may use it. */
#ifndef LOADTOP_NUMFMT_H
#define LOADTOP_NUMFMT_H

#include <stddef.h>

/* From here on doubles no longer hold every integer, and "%.0f" would need
 * hundreds of digits: such numbers print as "1e+300". */
#define NUMFMT_HUGE 1e15
/* Longer than a billion seconds (31 years) is no run: shown as it is
 * ("1e+300 s"), not through lround, which has no long for it. */
#define NUMFMT_LONGEST_S 1e9
/* The longest text any of them writes, NUL included: a buffer this size
 * never cuts (sizes in bytes and KiB print whole up to DBL_MAX). */
#define NUMFMT_MAX 320

/* A planned rate without its unit: "300", "2.5", "0.33", "12.2" (whole
 * numbers bare, one decimal from 10 on, two significant digits below);
 * "n/a" for NaN. */
char *numfmt_rate(char *out, size_t n, double r);
/* The same with its unit: "300/s", "2.5/s"; "n/a" for NaN. */
char *numfmt_rate_per_s(char *out, size_t n, double r);
/* A measured rate, always one decimal so that columns line up: "299.4/s";
 * "n/a" unless finite. */
char *numfmt_rate1(char *out, size_t n, double r);
/* A count with thousands separators: "1,234,567", "-1,000"; "n/a" unless
 * finite. */
char *numfmt_count(char *out, size_t n, double v);
/* A percentage with one decimal: "34.8%", "0.0%", and "<0.1%" for what
 * would round to 0 but is not; "n/a" unless finite. */
char *numfmt_pct(char *out, size_t n, double p);
/* Milliseconds with one decimal, no unit: "101.2"; below 1 ms two
 * significant digits, never "0.0" for what is not 0: "0.42", "0.042";
 * "n/a" unless finite. */
char *numfmt_ms(char *out, size_t n, double v);
/* A duration in seconds: "5 s", "2.5 s", "1 min 05 s", "2 min",
 * "1 h 02 min"; "n/a" for NaN. */
char *numfmt_duration(char *out, size_t n, double s);
/* A time since the start of a run: "1:05", "1:02:03" past an hour, or
 * "1:05.3" with tenths (minutes then grow past 59); "n/a" for NaN and
 * negative times (before the start: not a time of the run). */
char *numfmt_clock(char *out, size_t n, double s, int tenths);
/* Memory given in KiB: "403 MiB", "23.5 GiB"; "n/a" for NaN and <= 0. */
char *numfmt_kib(char *out, size_t n, double kib);
/* A size in bytes: "512 B", "30.1 KiB", "1.5 MiB", "2.00 GiB"; "n/a" for
 * NaN. */
char *numfmt_bytes(char *out, size_t n, double v);

#endif
