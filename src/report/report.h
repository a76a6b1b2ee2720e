/* report.h — turns stats into a JSON report in Artillery's shape
 * ({"aggregate": {counters, rates, summaries, firstMetricAt, lastMetricAt,
 * period}, "intermediate": [...]}) plus loadtop's own keys (phases,
 * endpoints, host, events, timeline, plan, run), and prints the headless
 * text blocks. Pure: builds strings / writes to a given FILE*. */
#ifndef LOADTOP_REPORT_H
#define LOADTOP_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "checks.h"
#include "plan.h"
#include "stats.h"

struct report_meta {
    int64_t start_wall_us; /* run start, µs since the epoch */
    int64_t now_wall_us;   /* time of this report */
    int64_t elapsed_us;    /* since run start */
    const char *state;     /* "running", "done", "interrupted" */
    const char *version;
    const char *argv_line;
    int workers;        /* worker threads that ran the load; 0 = not said (run.workers absent) */
    int shard, nshards; /* --shard I/N (run.shard); nshards 0 or 1 = not a shard */
    /* What a live view needs, not a run's record (loadtop watch polls it):
     * the last REPORT_BRIEF_INTERVALS intervals, each with its "index"; the
     * last REPORT_BRIEF_SECONDS seconds; the last REPORT_BRIEF_EVENTS events;
     * phases without histograms. The rest is as in a full report. */
    int brief;
};
#define REPORT_BRIEF_INTERVALS 2
#define REPORT_BRIEF_SECONDS 120 /* engine.h's SNAP_SECONDS */
#define REPORT_BRIEF_EVENTS 12   /* engine.h's SNAP_EVENTS */

/* The report of `st` (one engine's stats, or the merge of several) as one
 * JSON tree, built once: Artillery's aggregate and intermediate, loadtop's
 * own keys, and the plan's checks evaluated on it ("checks", with their
 * specs in "plan.ensure"). With `res`, the check results are handed over
 * (*res, *nres; free with check_results_free). Returns a new reference. */
json_t *report_build(const struct plan *p, const struct stats *st, const struct report_meta *m,
                     struct check_result **res, int *nres);

/* A report as the text every file gets: two-space indent, keys in order,
 * reals to 15 significant digits, a final newline; the same bytes for the
 * same report. Heap string, caller frees. */
char *report_text(const json_t *report);

/* Text block like Artillery's periodic output: title line, counters
 * (http.codes.*, errors.*, vusers.*), rates, response-time summary, load
 * average. `secs` is the block's length (for rates), `target_rate` the
 * planned arrival rate (<0 to omit). */
void report_print_block(FILE *f, const char *title, const struct counters *c,
                        const struct sumstat s[SUM_N], const char *const *error_names, int nerrors,
                        double secs, double target_rate, const struct host_sample *host);

#endif
