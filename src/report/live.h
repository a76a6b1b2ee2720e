/* live.h — a run seen from outside: what `--listen`'s GET /snapshot adds to
 * the report of the run so far (its "live" object: the run's state, phase,
 * rate, VUs in flight, the host's last sample, the workers), and the way
 * back from such reports to the dashboard's `struct snapshot` and a plan
 * to draw it with, for `loadtop watch`. Several shards' live objects add
 * up (live_merge). Pure: no I/O, no clock. */
#ifndef LOADTOP_LIVE_H
#define LOADTOP_LIVE_H

#include <stddef.h>

#include <jansson.h>

#include "engine.h"
#include "plan.h"

/* The "live" object of snapshot `s`: what the report does not carry. New
 * reference. */
json_t *live_json(const struct snapshot *s);

/* The run state a live object's "state" names ("running", "paused", ...);
 * RUN_DONE for anything else. */
enum run_state live_state_of(const char *name);

/* Add shard report `src`'s live object into `dst` (a merged report that
 * began as a copy of another shard's): VUs, requests in flight and those
 * waiting add; the state is the least advanced one still steering (a
 * paused shard among running ones reads "running"), the clock the furthest;
 * the host sample is the busiest shard's; each shard becomes one row of
 * "workers" (its busiest thread's CPU, its highest lag). `index` numbers
 * src among the shards merged. */
void live_merge(json_t *dst, const json_t *src, int index);

/* Fill `s` (zeroed first; seq left as it was) from `report`, a report with
 * or without "live" (a saved one reads as finished). Strings in `s`
 * (error and counter names) point into `report`, which must outlive it.
 * Timeline: the last SNAP_SECONDS seconds; events: the last SNAP_EVENTS. */
void live_snapshot(const json_t *report, struct snapshot *s);

/* Fill `p` (zeroed first; plan_free frees it) with what the dashboard
 * draws of a plan — target, model, connections, phases, endpoints — from
 * `report`'s "plan", "phases", "endpoints" and "run". Returns 0, or -1
 * when the report has no phases (not a loadtop report). */
int live_plan(const json_t *report, struct plan *p);

#endif
