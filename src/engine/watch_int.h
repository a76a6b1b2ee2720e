/* watch_int.h — private to watch.c (the thread: requests, commands,
 * publication) and watch_view.c (what the shards said, merged into the
 * views and reports). Everything here is the watch thread's, except what
 * says it is under a lock. */
#ifndef LOADTOP_WATCH_INT_H
#define LOADTOP_WATCH_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "util.h"
#include "watch.h"

struct shard {
    char *name, *brief_url, *full_url, *ctl_url;
    int polling, fetching; /* a /snapshot?brief poll, a full /snapshot in flight */
    int64_t next_poll;
    json_t *report; /* the last brief answer (its numbers stay in the view) */
    json_t *full;   /* the last full answer (for a saved report) */
    int full_final; /* `full` is the record of the shard's ended run */
    int up, seen;
    int64_t last_ok; /* when it last answered (or when the watch began) */
    enum run_state state;
    char why[64];
};

/* What the dashboard holds: a merged brief report and its snapshot (whose
 * strings point into the report). */
struct view {
    json_t *report;
    struct snapshot snap;
};

struct req; /* a request in flight (watch.c) */

struct watch {
    struct watch_opts o;
    struct shard *sh;
    int n;
    void *multi; /* CURLM */
    pthread_t thread;
    int joined;
    atomic_int quit;
    int64_t started;
    uint64_t seq;
    int changed;
    json_t *notes; /* the watcher's own events (refused controls) */
    struct req *reqs;
    struct plan plan;
    atomic_int have_plan; /* plan is filled (written once, by the thread) */
    /* a report asked with CMD_REPORT: the shards' full snapshots, fetched */
    int round_open, round_pending;
    char round_tag[256];
    /* commands: any thread -> the watch thread */
    pthread_mutex_t qlock;
    struct engine_cmd q[64];
    int qn;
    /* publication, under plock. fresh: published, not yet taken; held:
     * what the reader holds; last: the newer of the two */
    pthread_mutex_t plock;
    struct view *fresh, *held, *last;
    json_t *mailbox;
    char mailbox_tag[256];
    json_t *final; /* the merged record of the ended run, once done */
    atomic_int done;
};

/* watch_view.c */
/* The shard's run is over: it said done and its record is in (or it went
 * silent after it ended or while draining). */
int watch_shard_over(const struct shard *s);
/* Merge the shards' brief reports into a new view (NULL when none has
 * answered or the merge failed: said in the notes); sets w->done. */
struct view *watch_build_view(struct watch *w, int64_t now);
/* The shards' full reports merged: the record of the run as far as they
 * answered (a warning event for each one missing). New reference, or NULL
 * when none has a full report. */
json_t *watch_merge_full(struct watch *w);
void watch_view_free(struct view *v);
/* Append a "warning" event to the watcher's own (shown in the view). */
void watch_note(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
