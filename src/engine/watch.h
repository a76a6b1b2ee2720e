/* watch.h — `loadtop watch HOST:PORT...`: the shards of one run (or any
 * loadtop runs started with --listen) seen as one. A thread of its own
 * asks every shard for GET /snapshot a few times a second (libcurl's multi
 * interface, one request in flight per shard, bounded by a timeout), merges
 * the reports that answered (merge.h, MERGE_SOME: counters and histograms
 * add) with their live objects (live.h), and publishes the result as the
 * dashboard's snapshot. Commands go to every shard as POST /control with
 * the bearer token. A shard that stops answering keeps its last numbers in
 * the merge and is shown as silent; the others go on. */
#ifndef LOADTOP_WATCH_H
#define LOADTOP_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "source.h"

#define WATCH_MAX_SHARDS SNAP_SHARDS

struct watch_opts {
    const char *const *hosts; /* "HOST:PORT" (IPv6 as "[::1]:PORT") */
    int nhosts;               /* 1..WATCH_MAX_SHARDS */
    const char *token;        /* the control token, or NULL (keys that steer are refused) */
    int64_t poll_us;          /* between two polls of a shard (default 250 ms for up to 8
                                 shards, 250 ms more for each 8 more) */
    int64_t timeout_us;       /* one request's bound (default 2 s) */
    int64_t wait_us;          /* how long watch_start waits for the first answers (default 5 s) */
};

struct watch;

/* Start watching; returns once every shard has answered or wait_us has
 * passed with at least one answer. NULL with why in err[errn] when none
 * answered with a loadtop snapshot. */
struct watch *watch_start(const struct watch_opts *o, char *err, size_t errn);
/* A plan to draw the view with (live_plan of the first report), owned by
 * the watch. */
const struct plan *watch_plan(struct watch *w);
/* The watch as the dashboard's source (source.h). */
struct source watch_source(struct watch *w);
/* The merged report as last published (a new reference). Any thread. */
json_t *watch_report(struct watch *w);
/* Stop the thread and free everything. Safe on NULL. */
void watch_free(struct watch *w);

#endif
