/* watch_view.c — what loadtop watch's shards said, merged: the brief
 * reports into the dashboard's view, the full ones into a saved report
 * (see watch.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "merge.h"
#include "watch_int.h"

void watch_note(struct watch *w, const char *fmt, ...)
{
    char text[112];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    double t = (double)(now_us() - w->started) / 1e6;
    json_array_append_new(w->notes, json_pack("{s:f, s:s, s:s}", "t", t, "kind", "warning", "text",
                                              str_trim_utf8(text)));
    w->changed = 1;
}

int watch_shard_over(const struct shard *s)
{
    if (!s->seen)
        return 0;
    if (!s->up) /* gone after it ended, or while it drained */
        return s->state >= RUN_DRAINING;
    return s->state == RUN_DONE && s->full_final;
}

void watch_view_free(struct view *v)
{
    if (v) {
        json_decref(v->report);
        free(v);
    }
}

static json_int_t last_int(const json_t *arr, const char *key)
{
    size_t n = json_array_size(arr);
    return n ? json_integer_value(json_object_get(json_array_get(arr, n - 1), key)) : -1;
}

/* `r` (shallow copy) with only intermediate period `iv` and the seconds up
 * to `t`: what every shard that answers has closed, so that the last
 * period and second add the same shards. */
static json_t *trimmed(const json_t *r, json_int_t iv, json_int_t t)
{
    json_t *c = json_copy((json_t *)r), *inter = json_array(), *tl = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "intermediate"), i, x)
    {
        if (json_integer_value(json_object_get(x, "index")) == iv)
            json_array_append(inter, x);
    }
    json_array_foreach(json_object_get(r, "timeline"), i, x)
    {
        if (json_integer_value(json_object_get(x, "t")) <= t)
            json_array_append(tl, x);
    }
    json_object_set_new(c, "intermediate", inter);
    json_object_set_new(c, "timeline", tl);
    return c;
}

/* Merge `which` report of each shard that has one (0: brief, 1: full);
 * names the merged shards' indices in idx[]. */
static json_t *merge_shards(struct watch *w, int full, int *idx, int *k)
{
    json_t *r[WATCH_MAX_SHARDS];
    const char *names[WATCH_MAX_SHARDS];
    json_int_t iv = -1, t = -1;
    *k = 0;
    for (int i = 0; !full && i < w->n; i++) {
        const struct shard *s = &w->sh[i];
        if (!s->report || !s->up)
            continue;
        json_int_t a = last_int(json_object_get(s->report, "intermediate"), "index");
        json_int_t b = last_int(json_object_get(s->report, "timeline"), "t");
        iv = iv < 0 || a < iv ? a : iv;
        t = t < 0 || b < t ? b : t;
    }
    for (int i = 0; i < w->n; i++) {
        const json_t *src = full ? w->sh[i].full : w->sh[i].report;
        if (!src)
            continue;
        r[*k] = full ? json_incref((json_t *)src) : trimmed(src, iv, t);
        names[*k] = w->sh[i].name;
        idx[(*k)++] = i;
    }
    if (!*k)
        return NULL;
    char err[256];
    json_t *m;
    if (*k == 1 && !json_object_get(json_object_get(r[0], "run"), "shard"))
        m = json_deep_copy(r[0]); /* one run, not a shard: nothing to merge */
    else if (!(m = report_merge(r, names, *k, MERGE_SOME, err, sizeof err)))
        watch_note(w, "merge: %s", err);
    for (int i = 0; i < *k; i++)
        json_decref(r[i]);
    return m;
}

/* The watcher's notes after the shards' events; run.state as a whole. */
static void finish_report(struct watch *w, json_t *m, int over)
{
    json_t *ev = json_object_get(m, "events");
    size_t j;
    json_t *e;
    json_array_foreach(w->notes, j, e) json_array_append(ev, e);
    json_t *run = json_object_get(m, "run");
    const char *st = json_string_value(json_object_get(run, "state"));
    if (!over || !st || !strcmp(st, "running"))
        json_object_set_new(run, "state", json_string(over ? "done" : "running"));
}

/* Every shard that answers has ended (one that went silent mid-run is not
 * waited for), and at least one was seen to end. */
static int all_over(const struct watch *w)
{
    int over = 0, silent = 0;
    for (int i = 0; i < w->n; i++) {
        over += watch_shard_over(&w->sh[i]);
        silent += !watch_shard_over(&w->sh[i]) && !w->sh[i].up;
    }
    return over > 0 && over + silent == w->n;
}

struct view *watch_build_view(struct watch *w, int64_t now)
{
    int idx[WATCH_MAX_SHARDS], k;
    json_t *m = merge_shards(w, 0, idx, &k);
    if (!m)
        return NULL;
    if (k > 1 || json_object_get(json_object_get(m, "run"), "shards")) {
        json_object_del(m, "live");
        for (int i = 0; i < k; i++)
            live_merge(m, w->sh[idx[i]].report, idx[i]);
    }
    int over = all_over(w);
    finish_report(w, m, over);
    struct view *v = xcalloc(1, sizeof *v);
    v->report = m;
    live_snapshot(m, &v->snap);
    if (over)
        v->snap.state = RUN_DONE;
    v->snap.seq = ++w->seq;
    v->snap.nshards = w->n;
    for (int i = 0; i < w->n; i++) {
        struct snap_shard *o = &v->snap.shard[i];
        const struct shard *s = &w->sh[i];
        snprintf(o->name, sizeof o->name, "%s", s->name);
        o->up = s->up;
        o->seen = s->seen;
        o->state = s->state;
        o->silent_us = s->up ? 0 : now - s->last_ok;
        snprintf(o->why, sizeof o->why, "%s", s->up ? "" : s->why);
    }
    if (!atomic_load(&w->have_plan) && live_plan(m, &w->plan) == 0)
        atomic_store(&w->have_plan, 1);
    atomic_store(&w->done, over);
    return v;
}

json_t *watch_merge_full(struct watch *w)
{
    int idx[WATCH_MAX_SHARDS], k;
    json_t *m = merge_shards(w, 1, idx, &k);
    if (!m)
        return NULL;
    json_object_del(m, "live");
    for (int i = 0, j = 0; i < w->n; i++) {
        if (j < k && idx[j] == i) {
            j++;
            continue;
        }
        json_t *e = json_pack("{s:f, s:s, s:s++}", "t", 0.0, "kind", "warning", "text", "shard ",
                              w->sh[i].name, ": not in this report");
        json_array_insert_new(json_object_get(m, "events"), 0, e);
    }
    finish_report(w, m, all_over(w));
    return m;
}
