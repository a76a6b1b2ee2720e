/* saturation.h — the one definition of "loadtop is saturated": the load
 * generator, not the system under test, set the pace, so part of what it
 * measured is its own queueing. The dashboard (its banner and the host
 * panel's colours), the headless progress lines and the reports' capacity
 * findings all judge with saturation_of; each passes the readings of the
 * window it shows (the dashboard and the progress lines the last interval,
 * a report the whole run: its CPU peak and its lag p99).
 *
 * The thresholds, and why:
 * - SATURATION_CPU_PCT: the busiest worker thread at 90 % of one core (one
 *   thread runs on one core, however many the process uses). A worker
 *   is one thread; past 90 % it has no headroom left for a burst, and
 *   arrivals queue behind the loop's work.
 * - SATURATION_LAG_MS: schedule lag p99 at 50 ms, i.e. one arrival in a
 *   hundred started 50 ms or more after its intended time. A single stall
 *   the size of a scheduler hiccup or a GC pause stays under it (the
 *   dashboard's former 10 ms fired on those), and it comes before the
 *   generator's own delay rivals the p99 of a typical service (the reports'
 *   former 100 ms let it double a 50 ms p99 unflagged): where a wrk2 or k6
 *   user would say the generator is the bottleneck.
 * Pure: no I/O, no globals, no library; any module may include it. */
#ifndef LOADTOP_SATURATION_H
#define LOADTOP_SATURATION_H

#include <stddef.h>

#define SATURATION_CPU_PCT 90.0 /* the busiest worker thread, % of one core, at or above */
#define SATURATION_LAG_MS 50.0  /* schedule lag p99, ms, at or above */

/* The signs saturation_of reports, as bits. */
enum { SATURATION_CPU = 1, SATURATION_LAG = 2 };

/* Which signs of saturation show: SATURATION_CPU when self_cpu_pct >=
 * SATURATION_CPU_PCT, SATURATION_LAG when lag_p99_ms >= SATURATION_LAG_MS;
 * 0 when neither (not saturated). A reading that is negative or NaN is
 * unknown and never counts (pass -1 for "no such reading"). */
unsigned saturation_of(double self_cpu_pct, double lag_p99_ms);

/* The signs in `why` (from saturation_of) in words, into out[n]: "own CPU
 * 95% of a core", "schedule lag p99 120.0 ms", or both joined by ", ";
 * "" when why is 0. Returns out. */
char *saturation_describe(unsigned why, double self_cpu_pct, double lag_p99_ms, char *out,
                          size_t n);

#endif
