/* source.h — what the dashboard and the snapshot writer watch and steer:
 * the run of this process (engine_source) or the runs of other processes
 * seen through their --listen endpoints (watch.h). Both hand out
 * snapshots and take commands; neither shares mutable state with the
 * reader. */
#ifndef LOADTOP_SOURCE_H
#define LOADTOP_SOURCE_H

#include <jansson.h>

#include "engine.h"

struct source {
    void *ctx;
    /* The latest snapshot, valid until the next call (engine_snapshot_hold). */
    const struct snapshot *(*hold)(void *ctx);
    /* Queue a command (engine_send): it takes effect within one tick. */
    void (*send)(void *ctx, const struct engine_cmd *c);
    /* 1 once the run (every shard's) is over. */
    int (*done)(void *ctx);
    /* A report asked with CMD_REPORT, if ready (engine_take_report). */
    json_t *(*take_report)(void *ctx, char tag[256]);
    /* Once done: the final report (a new reference). */
    json_t *(*final_report)(void *ctx);
    /* > 0: the snapshots merge this many shards of a run (loadtop watch):
     * their "workers" are the shards, and leaving does not stop them. */
    int shards;
};

/* The source that is engine `e` (borrowed). */
struct source engine_source(struct engine *e);

#endif
