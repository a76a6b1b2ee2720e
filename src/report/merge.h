/* merge.h — `loadtop merge`: the JSON reports of the shards of one run
 * (--shard I/N) made into the report of the whole run. Exact where the
 * reports carry histograms: counters add, HDR histograms add (their
 * encodings are lossless) and every summary is recomputed from the sum, for
 * the aggregate, each phase, each endpoint and each intermediate period.
 * The per-second timeline adds its counts; its percentiles (which carry no
 * histogram) become the highest of the shards', an upper bound. Events are
 * kept, each marked with its shard. Intervals and seconds are paired by
 * index, which is right for shards started together (--start-at): when
 * their starts differ by more than 1 s, run.startSpread says by how much
 * and a warning event leads the log. Checks are not evaluated here: the
 * caller evaluates plan.ensure on the result. Pure: no I/O. */
#ifndef LOADTOP_MERGE_H
#define LOADTOP_MERGE_H

#include <stddef.h>

#include <jansson.h>

/* Merge reports[0..n) (names[i] names reports[i] in messages). Every one
 * must be a shard report (run.shard) of the same plan (run.planHash) and
 * of the same count N = n, each index 0..N-1 exactly once — or, with
 * MERGE_SOME, of any one count N, each index at most once (loadtop watch:
 * the shards that answer). Returns a new report (a new reference), or NULL
 * with why in err[errn]. */
#define MERGE_SOME 1u
json_t *report_merge(json_t *const *reports, const char *const *names, int n, unsigned flags,
                     char *err, size_t errn);

#endif
