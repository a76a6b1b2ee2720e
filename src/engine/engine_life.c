/* engine_life.c — the engine as an object: engine_start builds the
 * coordinator and its N workers (each with its share of the pool and of a
 * closed model's connections) and starts their threads; accessors; freeing.
 * What the run's thread does is in engine.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine_int.h"
#include "util.h"
#include "version.h"

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The HTTP options of worker `i` of `n`: the pool, its connection cache and
 * a closed model's connections are split between the workers. */
static struct http_opts worker_http_opts(const struct engine *e, int i, int n, const char *ua)
{
    const struct plan *plan = e->plan;
    int pool = plan->pool > 0 ? plan->pool / n + (i < plan->pool % n) : 0;
    uint64_t vus = e->sh.max_active < 100000 ? e->sh.max_active : 100000;
    struct http_opts ho = {
        .timeout_us = plan->timeout_us,
        .pool = pool,
        .maxconnects = pool > 0 ? pool : (int)vus,
        .insecure = plan->insecure,
        .tls_ca = plan->tls_ca,
        .tls_cert = plan->tls_cert,
        .tls_key = plan->tls_key,
        .http_version = plan->http_version,
        /* Scripts send one, as Artillery does; one-URL runs send the bare
         * request wrk and wrk2 send (-H adds one): in libcurl 7.88 the
         * header alone costs 0.5 µs a request, 4 % of a keep-alive GET. */
        .user_agent = plan->script ? ua : NULL,
        .transport = plan->transport,
        .max_body = ENGINE_MAX_BODY,
    };
    if (plan->model == MODEL_CLOSED)
        ho.maxconnects = e->connections / n + (i < e->connections % n);
    if (ho.maxconnects < 1)
        ho.maxconnects = 1;
    return ho;
}

/* Free what engine_start made (the workers' loops must have ended). */
static void engine_release(struct engine *e)
{
    for (int i = e->nworkers - 1; i >= 0; i--)
        worker_free(e->w[i]);
    free(e->w);
    free(e->sh.cursors);
    stats_free(&e->merged);
    uv_mutex_destroy(&e->mlock);
    uv_mutex_destroy(&e->qlock);
    uv_mutex_destroy(&e->slock);
    free(e->q);
    json_decref(e->report);
    free(e->pub);
    free(e->build);
    free(e->spare);
    free(e);
}

struct engine *engine_start(const struct plan *plan, const struct engine_opts *o)
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->plan = plan;
    e->o = *o;
    if (e->o.tick_us <= 0)
        e->o.tick_us = 100000;
    if (e->o.interval_us <= 0)
        e->o.interval_us = 10000000;
    /* Every request ends by its own timeout (http.c's deadline list), so
     * the last one started ends within it: a little more is enough. */
    if (e->o.drain_us <= 0)
        e->o.drain_us = plan->timeout_us + 500000;
    /* a shard's share of what the plan counts for the whole run */
    int ns = o->nshards > 1 ? o->nshards : 1, si = o->nshards > 1 ? o->shard : 0;
    e->o.nshards = ns;
    e->o.shard = si;
    e->connections = plan->connections / ns + (si < plan->connections % ns);
    e->sh.max_requests = plan->max_requests / ns + (si < plan->max_requests % ns);
    int n = o->workers > 0 ? o->workers : 1;
    if (plan->pool > 0 && n > plan->pool)
        n = plan->pool; /* a worker needs a connection of the pool */
    if (plan->model == MODEL_CLOSED && n > e->connections)
        n = e->connections;
    if (n < 1)
        n = 1;
    e->sh.seed = (uint64_t)wall_us() ^ 0x9E3779B97F4A7C15ULL;
    const char *seed = getenv("LOADTOP_SEED");
    if (seed && *seed)
        e->sh.seed = strtoull(seed, NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
    raise_fd_limit();
    struct rlimit rl;
    uint64_t fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_cur : 1024;
    /* Memory follows the VUs at once, so they are bounded by configuration,
     * never by how far behind the run is; without a pool a VU also holds a
     * connection: keep fds for everything else. */
    e->sh.max_active = (uint64_t)(o->max_vus > 0 ? o->max_vus : ENGINE_MAX_VUS);
    if (plan->pool <= 0) {
        uint64_t by_fds = fds > 256 ? fds - 128 : fds / 2;
        if (by_fds < e->sh.max_active)
            e->sh.max_active = by_fds;
    }
    e->sh.cursors = xcalloc((size_t)plan->npayloads + 1, sizeof *e->sh.cursors);
    stats_init(&e->merged, plan->nphases, plan->nendpoints, plan->nscenarios);
    hostmon_init(&e->hm);
    e->next_sec_us = 1000000;
    e->next_interval_us = e->o.interval_us;
    e->sum_seconds = -1; /* no summaries yet: the first publication computes them */
    e->pub = xcalloc(1, sizeof *e->pub);
    e->build = xcalloc(1, sizeof *e->build);
    e->spare = xcalloc(1, sizeof *e->spare);
    uv_mutex_init(&e->mlock);
    uv_mutex_init(&e->qlock);
    uv_mutex_init(&e->slock);
    if (uv_loop_init(&e->loop) != 0) {
        fprintf(stderr, "loadtop: cannot start the event loop\n");
        stats_free(&e->merged);
        free(e->sh.cursors);
        free(e->pub), free(e->build), free(e->spare), free(e);
        return NULL;
    }
    char ua[64];
    snprintf(ua, sizeof ua, "loadtop/%s", loadtop_version);
    e->w = xcalloc((size_t)n, sizeof *e->w);
    for (int i = 0; i < n; i++) {
        struct http_opts ho = worker_http_opts(e, i, n, ua);
        e->w[i] = worker_new(e, &e->sh, plan, i, n, &e->loop, e->o.interval_us, &ho);
        if (!e->w[i]) {
            fprintf(stderr, "loadtop: cannot initialise libcurl\n");
            for (int j = 0; j < i; j++) /* helpers not started: their loops hold only handles */
                if (j)
                    uv_run(&e->w[j]->own_loop, UV_RUN_NOWAIT);
            e->nworkers = 0;
            uv_loop_close(&e->loop);
            engine_release(e);
            return NULL;
        }
        e->nworkers = i + 1;
    }
    e->workers_used = n;
    e->w0 = e->w[0];
    e->st = &e->w0->st;
    int64_t before = 0; /* the plan's arrivals before phase i: their k */
    for (int i = 0; i < plan->nphases; i++) {
        int64_t all = sched_phase_planned(&plan->phases[i]);
        e->st->phase_planned[i] = sched_dealt(before, all, si, ns);
        e->st->planned_arrivals += (uint64_t)e->st->phase_planned[i];
        before += all;
    }
    uv_async_init(&e->loop, &e->async, engine_on_async);
    e->async.data = e;
    uv_timer_init(&e->loop, &e->arrival_timer);
    e->arrival_timer.data = e;
    uv_idle_init(&e->loop, &e->arrival_more);
    e->arrival_more.data = e;
    e->arrival_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (e->arrival_fd >= 0 && uv_poll_init(&e->loop, &e->arrival_poll, e->arrival_fd) < 0) {
        close(e->arrival_fd);
        e->arrival_fd = -1;
    }
    e->arrival_poll.data = e;
    uv_timer_init(&e->loop, &e->tick_timer);
    e->tick_timer.data = e;
    lifecycle_start(&e->lc, plan->before != NULL, plan->after != NULL);
    engine_fill_snapshot(e, e->pub, now_us());

    /* Signals belong to the main thread: the engine's threads block them. */
    sigset_t all, old;
    sigfillset(&all);
    /* ...except faults: blocked, they would kill the process without the
     * dashboard's handler restoring the terminal. */
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGABRT);
    sigdelset(&all, SIGTRAP);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = 0;
    for (int i = 1; i < n && rc == 0; i++)
        rc = worker_start(e->w[i]);
    if (rc == 0)
        rc = uv_thread_create(&e->thread, engine_main, e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        fprintf(stderr, "loadtop: cannot start the engine's threads\n");
        exit(3);
    }
    return e;
}

void engine_global_init(void)
{
    http_global_init();
}

int engine_done(struct engine *e)
{
    uv_mutex_lock(&e->slock);
    int d = e->done;
    uv_mutex_unlock(&e->slock);
    return d;
}

void engine_join(struct engine *e)
{
    uv_thread_join(&e->thread);
}

const struct plan *engine_plan(const struct engine *e)
{
    return e->plan;
}

int64_t engine_elapsed_us(const struct engine *e)
{
    return engine_rel(e, e->end_us ? e->end_us : now_us());
}

const struct stats *engine_stats(const struct engine *e)
{
    return &e->merged;
}

struct stats *engine_merge_lock(struct engine *e, int block)
{
    if (block)
        uv_mutex_lock(&e->mlock);
    else if (uv_mutex_trylock(&e->mlock) != 0)
        return NULL;
    return &e->merged;
}

void engine_merge_unlock(struct engine *e)
{
    uv_mutex_unlock(&e->mlock);
}

void engine_free(struct engine *e)
{
    uv_loop_close(&e->loop);
    engine_release(e);
}
