/* summary.h — the lines a wrk, oha or hey user reads first when a run
 * ends: requests and the rate achieved (paused time left out), arrivals
 * against the plan, success, status codes, errors by name, response time
 * and latency percentiles (p50 ... p99.9, max), bytes received, checks;
 * with `latency` (--latency, as wrk's) also the latency distribution as a
 * small histogram. Read from a report (report.c's JSON shape) alone, so a
 * saved run prints the same; missing keys print "n/a", never a crash. At
 * most SUMMARY_MAX_LINES lines, so it fits a terminal and a CI log's
 * glance. */
#ifndef LOADTOP_SUMMARY_H
#define LOADTOP_SUMMARY_H

#include <stdio.h>

#include <jansson.h>

#define SUMMARY_MAX_LINES 24
#define SUMMARY_HIST_ROWS 8 /* rows of the --latency histogram */

/* Write the summary of `report` to f. */
void summary_print(FILE *f, const json_t *report, int latency);

#endif
