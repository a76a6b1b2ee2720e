/* worker.c — see worker_int.h. A helper worker is a thread with its own
 * libuv loop, woken by an async handle for the run's messages and for the
 * arrivals dealt into its ring. The run's tick (W_TICK) closes its seconds
 * and intervals where the run's clock closed them, never past them, and
 * hands its stats part to the merge.
 * Worker 0 is the same struct on the run's own thread and loop: the run
 * calls worker_do and worker_arrival on it directly. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "worker_int.h"
#include "engine_int.h"
#include "util.h"

/* Arrivals a helper starts in one pass before it lets its loop poll
 * sockets (the run's own bound, engine.c). */
#define WORKER_BATCH 2000

uint64_t engine_stream(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z ? z : 0x9E3779B97F4A7C15ULL;
}

static const char *const skip_names[SKIP_N] = {"loadtop.skipped.max_vusers",
                                               "loadtop.skipped.vu_limit",
                                               "loadtop.skipped.pool_full", "loadtop.skipped.late"};

void worker_skip(struct worker *w, int phase, enum skip_cause why)
{
    stats_vu_skipped(&w->st, phase);
    if (w->c_skip[why] < 0)
        w->c_skip[why] = stats_counter_index(&w->st, skip_names[why]);
    stats_count(&w->st, phase, -1, w->c_skip[why], 1);
    atomic_fetch_add(&w->sh->skip_sec[why], 1);
}

void worker_note_roll(struct worker *w, int64_t t)
{
    if (t / 1000000 == w->note_sec)
        return;
    if (w->note_dropped)
        stats_event(&w->st, t, "warning",
                    "%d more log/expect lines in the last second were left out", w->note_dropped);
    w->note_sec = t / 1000000;
    w->note_n = w->note_dropped = 0;
}

void worker_note(struct worker *w, const char *kind, const char *text)
{
    int64_t t = worker_rel(w, now_us());
    worker_note_roll(w, t);
    if (w->note_n >= 10) {
        w->note_dropped++;
        return;
    }
    w->note_n++;
    stats_event(&w->st, t, kind, "%s", text);
}

void worker_arrival(struct worker *w, const struct arrival *a, int64_t now)
{
    /* too late to send, or dealt before a stop and reached after it:
     * counted, never started */
    if (w->stopping || now - a->intended > ENGINE_LATE_US)
        worker_skip(w, a->phase, SKIP_LATE);
    else
        vu_arrival(w, a->k, a->phase, a->intended, now);
}

/* ---- the ring ------------------------------------------------------------ */

int worker_push(struct worker *w, const struct arrival *a)
{
    struct ring *r = w->ring;
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= WORKER_RING)
        return -1;
    r->a[head & (WORKER_RING - 1)] = *a;
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 0;
}

int worker_ring_empty(struct worker *w)
{
    struct ring *r = w->ring;
    return atomic_load_explicit(&r->tail, memory_order_acquire) ==
           atomic_load_explicit(&r->head, memory_order_acquire);
}

/* Start the arrivals in the ring, at most WORKER_BATCH; 1 if some are left. */
static int take_ring(struct worker *w)
{
    struct ring *r = w->ring;
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    int n = 0;
    int64_t now = now_us();
    for (; tail != head && n < WORKER_BATCH; tail++, n++) {
        struct arrival a = r->a[tail & (WORKER_RING - 1)];
        if ((n & 63) == 63)
            now = now_us();
        worker_arrival(w, &a, now);
        /* after the VU counts as active: an empty ring and no active VU
         * mean a drain is over (engine_no_vus) */
        atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    }
    if (n)
        http_flush(w->http);
    if (n && w->stopping && w->active == 0)
        engine_worker_idle(w->e); /* what was left was not started: look again */
    return tail != head;
}

static void on_more(uv_idle_t *i)
{
    struct worker *w = i->data;
    if (!take_ring(w))
        uv_idle_stop(i);
}

/* ---- messages -------------------------------------------------------------- */

void worker_send(struct worker *w, const struct wmsg *m)
{
    uv_mutex_lock(&w->lock);
    if (w->nmsgs == w->capmsgs) {
        w->capmsgs = w->capmsgs ? w->capmsgs * 2 : 8;
        w->msgs = xrealloc(w->msgs, sizeof *w->msgs * (size_t)w->capmsgs);
    }
    w->msgs[w->nmsgs++] = *m;
    if (!w->closing)
        uv_async_send(&w->async);
    uv_mutex_unlock(&w->lock);
}

void worker_wake(struct worker *w)
{
    uv_mutex_lock(&w->lock);
    if (!w->closing)
        uv_async_send(&w->async);
    uv_mutex_unlock(&w->lock);
}

/* This thread's CPU time, µs. */
static int64_t thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Refresh w's status for the run (its lock held by the caller or not
 * needed: worker 0's status is read on its own thread). */
static void refresh_status(struct worker *w, struct worker_status *s)
{
    s->inflight = w->http ? (uint64_t)http_inflight(w->http) : 0;
    s->waiting = w->http ? (uint64_t)http_waiting(w->http) : 0;
    s->lag_p99_us = hist_percentile(w->st.cur.sum[SUM_LAG], 99);
    int64_t now = now_us(), cpu = thread_cpu_us();
    if (w->cpu_prev_at && now - w->cpu_prev_at >= 900000) {
        s->cpu_pct = 100.0 * (double)(cpu - w->cpu_prev_us) / (double)(now - w->cpu_prev_at);
        w->cpu_prev_at = 0;
    }
    if (!w->cpu_prev_at) {
        w->cpu_prev_at = now;
        w->cpu_prev_us = cpu;
    }
}

void worker_flush(struct worker *w, int block)
{
    struct stats *merged = engine_merge_lock(w->e, block);
    if (!merged)
        return; /* busy: the next tick hands it over */
    stats_flush(merged, &w->st, w->id == 0);
    engine_merge_unlock(w->e);
    struct worker_status s;
    if (w->id)
        uv_mutex_lock(&w->lock);
    s = w->status;
    s.flushed_seconds = w->st.first_second + w->st.nseconds;
    s.flushed_intervals = w->st.first_interval + w->st.nintervals;
    refresh_status(w, &s);
    w->status = s;
    if (w->id)
        uv_mutex_unlock(&w->lock);
}

void worker_close_periods(struct worker *w, int64_t rel)
{
    while (rel >= w->next_sec_us) {
        stats_close_second(&w->st, 0, 0, NULL); /* the plan's values come from worker 0 */
        w->next_sec_us += 1000000;
    }
    while (rel >= w->next_interval_us) {
        stats_close_interval(&w->st, w->next_interval_us);
        w->next_interval_us += w->interval_us;
    }
}

static void close_helper(struct worker *w)
{
    uv_mutex_lock(&w->lock);
    w->closing = 1;
    uv_mutex_unlock(&w->lock);
    vu_free_pool(w);
    http_free(w->http);
    w->http = NULL;
    uv_close((uv_handle_t *)&w->async, NULL);
    uv_close((uv_handle_t *)&w->more, NULL);
}

void worker_do(struct worker *w, const struct wmsg *m)
{
    switch (m->kind) {
    case W_START:
        w->t0 = m->t;
        w->next_sec_us = 1000000;
        w->next_interval_us = w->interval_us;
        w->note_sec = 0;
        break;
    case W_TICK: /* the run's clock: close what it closed, hand it over */
        worker_note_roll(w, m->t);
        worker_close_periods(w, m->t);
        /* blocking: a try would meet the run's publication (it follows the
         * tick) and could miss tick after tick; this waits that long at most */
        worker_flush(w, 1);
        break;
    case W_CLOSED:
        vu_start_closed(w, m->n);
        http_flush(w->http);
        break;
    case W_STATE:
        w->paused = m->paused;
        w->stopping = m->stopping;
        w->interrupted = m->interrupted;
        if (!w->paused && !w->stopping && w->closed_parked) {
            int n = w->closed_parked;
            w->closed_parked = 0;
            vu_start_closed(w, n);
            http_flush(w->http);
        }
        if (w->stopping && w->active == 0)
            engine_worker_idle(w->e);
        break;
    case W_ABORT:
        vu_abort_all(w);
        break;
    case W_FINISH: {
        /* what is left in the ring was dealt and never started: counted */
        w->stopping = 1;
        while (w->ring && take_ring(w))
            ;
        vu_abort_all(w);
        int64_t end = worker_rel(w, m->t);
        if (w->t0) {
            worker_close_periods(w, end);
            /* the partial last second and interval, as the run's */
            stats_close_second(&w->st, 0, 0, NULL);
            stats_close_interval(&w->st, end);
        }
        worker_flush(w, 1);
        if (w->id) {
            uv_mutex_lock(&w->lock);
            w->status.finished = 1;
            uv_mutex_unlock(&w->lock);
            close_helper(w);
        }
        break;
    }
    }
}

static void on_async(uv_async_t *a)
{
    struct worker *w = a->data;
    uv_mutex_lock(&w->lock);
    int n = w->nmsgs;
    struct wmsg *msgs = w->msgs;
    w->msgs = NULL;
    w->nmsgs = w->capmsgs = 0;
    uv_mutex_unlock(&w->lock);
    /* The start first (arrivals due at it may already be in the ring), then
     * the arrivals dealt before the other messages came: they belong to the
     * plan as it was. */
    for (int i = 0; i < n; i++)
        if (msgs[i].kind == W_START)
            worker_do(w, &msgs[i]);
    int more = take_ring(w);
    for (int i = 0; i < n && !w->closing; i++)
        if (msgs[i].kind != W_START)
            worker_do(w, &msgs[i]);
    free(msgs);
    if (more && !w->closing)
        uv_idle_start(&w->more, on_more);
}

/* ---- life ------------------------------------------------------------------ */

struct worker *worker_new(struct engine *e, struct engine_shared *sh, const struct plan *plan,
                          int id, int n, uv_loop_t *loop, int64_t interval_us,
                          const struct http_opts *ho)
{
    struct worker *w = xcalloc(1, sizeof *w);
    w->e = e;
    w->sh = sh;
    w->id = id;
    w->n = n;
    w->plan = plan;
    w->interval_us = interval_us;
    w->next_sec_us = 1000000;
    w->next_interval_us = interval_us;
    for (int i = 0; i < SKIP_N; i++)
        w->c_skip[i] = -1;
    for (int i = 0; i < 4; i++)
        w->c_version[i] = -1;
    w->c_transport[0] = w->c_transport[1] = -1;
    w->queue_max = ho->pool > 0 ? (uint64_t)ho->pool * ENGINE_QUEUE_PER_CONN : 0;
    stats_init(&w->st, plan->nphases, plan->nendpoints, plan->nscenarios);
    if (id) {
        if (uv_loop_init(&w->own_loop) != 0) {
            stats_free(&w->st);
            free(w);
            return NULL;
        }
        loop = &w->own_loop;
    }
    w->loop = loop;
    w->http = http_new(loop, ho, vu_on_done);
    if (!w->http) {
        if (id)
            uv_loop_close(&w->own_loop);
        stats_free(&w->st);
        free(w);
        return NULL;
    }
    vu_prepare(w);
    if (id) {
        uv_mutex_init(&w->lock);
        w->ring = xcalloc(1, sizeof *w->ring);
        uv_async_init(loop, &w->async, on_async);
        w->async.data = w;
        uv_idle_init(loop, &w->more);
        w->more.data = w;
    }
    return w;
}

static void helper_main(void *arg)
{
    struct worker *w = arg;
    uv_update_time(w->loop);
    uv_run(w->loop, UV_RUN_DEFAULT);
}

int worker_start(struct worker *w)
{
    return uv_thread_create(&w->thread, helper_main, w) == 0 ? 0 : -1;
}

void worker_free(struct worker *w)
{
    if (!w)
        return;
    if (w->id) {
        uv_thread_join(&w->thread);
        uv_loop_close(&w->own_loop);
        uv_mutex_destroy(&w->lock);
        free(w->ring);
        free(w->msgs);
    }
    vu_unprepare(w);
    stats_free(&w->st);
    free(w);
}
