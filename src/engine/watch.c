/* watch.c — loadtop watch's thread: it polls the shards' /snapshot?brief,
 * fetches their full /snapshot for a saved report and once their run has
 * ended, sends them the commands, and publishes the merged views
 * (watch_view.c) to the dashboard (see watch.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "live.h"
#include "watch_int.h"

#define WATCH_MAX_BODY (256u << 20) /* a snapshot larger than this is refused */

enum req_kind { REQ_POLL, REQ_FULL, REQ_POST };

struct req {
    struct req *next; /* the watch's list of requests in flight */
    enum req_kind kind;
    CURL *h;
    int shard;
    struct buf body;         /* POLL, FULL: the answer */
    struct curl_slist *hdrs; /* POST */
    char *post;
    char what[16];
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct req *r = ud;
    if (r->kind == REQ_POST)
        return size * n;
    if (r->body.len + size * n > WATCH_MAX_BODY)
        return 0;
    buf_append(&r->body, p, size * n);
    return size * n;
}

/* Start a request of `kind` to shard i (POST: `post` is the body, owned). */
static struct req *start(struct watch *w, enum req_kind kind, int i, char *post)
{
    struct shard *s = &w->sh[i];
    struct req *r = xcalloc(1, sizeof *r);
    r->kind = kind;
    r->shard = i;
    r->post = post;
    if (!(r->h = curl_easy_init())) {
        free(post);
        free(r);
        return NULL;
    }
    const char *url = kind == REQ_POLL ? s->brief_url : kind == REQ_FULL ? s->full_url : s->ctl_url;
    curl_easy_setopt(r->h, CURLOPT_URL, url);
    curl_easy_setopt(r->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(r->h, CURLOPT_TIMEOUT_MS, (long)(w->o.timeout_us / 1000));
    curl_easy_setopt(r->h, CURLOPT_CONNECTTIMEOUT_MS, (long)(w->o.timeout_us / 1000));
    curl_easy_setopt(r->h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(r->h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->h, CURLOPT_PRIVATE, (char *)r);
    if (kind == REQ_POST) {
        r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
        if (w->o.token) {
            char *auth = xasprintf("Authorization: Bearer %s", w->o.token);
            r->hdrs = curl_slist_append(r->hdrs, auth);
            free(auth);
        }
        curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->hdrs);
        curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, r->post);
    }
    curl_multi_add_handle(w->multi, r->h);
    r->next = w->reqs;
    w->reqs = r;
    if (kind == REQ_POLL)
        s->polling = 1;
    else if (kind == REQ_FULL)
        s->fetching = 1;
    return r;
}

static void req_free(struct watch *w, struct req *r)
{
    for (struct req **pp = &w->reqs; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    curl_multi_remove_handle(w->multi, r->h);
    curl_easy_cleanup(r->h);
    curl_slist_free_all(r->hdrs);
    buf_free(&r->body);
    free(r->post);
    free(r);
}

static void post_control(struct watch *w, const char *what, double value, int has_value)
{
    for (int i = 0; i < w->n; i++) {
        char *body = has_value ? xasprintf("{\"command\":\"%s\",\"value\":%.17g}", what, value)
                               : xasprintf("{\"command\":\"%s\"}", what);
        struct req *r = start(w, REQ_POST, i, body);
        if (r)
            snprintf(r->what, sizeof r->what, "%s", what);
    }
}

/* The merged state, for a toggle: pause when anything runs. */
static int merged_running(struct watch *w)
{
    pthread_mutex_lock(&w->plock);
    int running = w->last && w->last->snap.state == RUN_RUNNING;
    pthread_mutex_unlock(&w->plock);
    return running;
}

/* The report asked for (CMD_REPORT) is in: to the mailbox. */
static void close_round(struct watch *w)
{
    json_t *m = watch_merge_full(w);
    pthread_mutex_lock(&w->plock);
    if (!m && w->last) /* no full report came: the view's, brief */
        m = json_deep_copy(w->last->report);
    json_decref(w->mailbox);
    w->mailbox = m;
    snprintf(w->mailbox_tag, sizeof w->mailbox_tag, "%s", w->round_tag);
    pthread_mutex_unlock(&w->plock);
    w->round_open = 0;
}

/* CMD_REPORT: every answering shard's full snapshot, then their merge. */
static void open_round(struct watch *w, const char *tag)
{
    snprintf(w->round_tag, sizeof w->round_tag, "%s", tag);
    w->round_open = 1;
    w->round_pending = 0;
    for (int i = 0; i < w->n; i++)
        if (w->sh[i].up && !w->sh[i].full_final && !w->sh[i].fetching &&
            start(w, REQ_FULL, i, NULL))
            w->round_pending++;
    if (!w->round_pending)
        close_round(w);
}

static void carry_out(struct watch *w, const struct engine_cmd *c)
{
    switch (c->kind) {
    case CMD_PAUSE:
        post_control(w, "pause", 0, 0);
        break;
    case CMD_RESUME:
        post_control(w, "resume", 0, 0);
        break;
    case CMD_TOGGLE_PAUSE:
        post_control(w, merged_running(w) ? "pause" : "resume", 0, 0);
        break;
    case CMD_SKIP:
        post_control(w, "skip", 0, 0);
        break;
    case CMD_MULT:
        post_control(w, "multiplier", c->value, 1);
        break;
    case CMD_SCALE:
        post_control(w, "scale", c->value, 1);
        break;
    case CMD_RATE:
        post_control(w, "rate", c->value, 1);
        break;
    case CMD_STOP:
        post_control(w, "stop", c->value, c->value > 0);
        break;
    case CMD_ABORT:
        post_control(w, "abort", 0, 0);
        break;
    case CMD_REPORT:
        open_round(w, c->tag);
        break;
    case CMD_NOTE:
        watch_note(w, "%s", c->tag);
        break;
    }
}

static const char *plan_hash(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "run"), "planHash"));
}

/* An answer's report, or NULL with why in s->why: a loadtop report of the
 * same plan as the others'. */
static json_t *answer(struct watch *w, int i, const struct req *q, CURLcode rc, long code)
{
    struct shard *s = &w->sh[i];
    json_t *r = NULL;
    s->why[0] = 0;
    if (rc != CURLE_OK)
        snprintf(s->why, sizeof s->why, "%s", curl_easy_strerror(rc));
    else if (code != 200)
        snprintf(s->why, sizeof s->why, "HTTP %ld", code);
    else if (!(r = json_loadb(q->body.data, q->body.len, 0, NULL)) ||
             !json_is_object(json_object_get(r, "aggregate")) || !plan_hash(r))
        snprintf(s->why, sizeof s->why, "not a loadtop snapshot");
    for (int j = 0; j < w->n && !s->why[0]; j++)
        if (j != i && w->sh[j].report && strcmp(plan_hash(w->sh[j].report), plan_hash(r)))
            snprintf(s->why, sizeof s->why, "another plan than %s", w->sh[j].name);
    if (s->why[0]) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static void got_poll(struct watch *w, int i, json_t *r, int64_t now)
{
    struct shard *s = &w->sh[i];
    if (!r) {
        w->changed |= s->up || !s->seen;
        s->up = 0;
        return;
    }
    json_decref(s->report);
    s->report = r;
    s->up = s->seen = 1;
    s->last_ok = now;
    s->state =
        live_state_of(json_string_value(json_object_get(json_object_get(r, "live"), "state")));
    w->changed = 1;
    /* its run has ended: its record, once, before it goes */
    if (s->state == RUN_DONE && !s->full_final && !s->fetching)
        start(w, REQ_FULL, i, NULL);
}

static void got_full(struct watch *w, int i, json_t *r)
{
    struct shard *s = &w->sh[i];
    if (r) {
        json_decref(s->full);
        s->full = r;
        const char *st = json_string_value(json_object_get(json_object_get(r, "run"), "state"));
        s->full_final = st && strcmp(st, "running");
        w->changed = 1;
    }
    if (w->round_open && --w->round_pending <= 0)
        close_round(w);
}

static void finished(struct watch *w, CURLMsg *m, int64_t now)
{
    long code = 0;
    char *priv = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
    struct req *q = (struct req *)priv;
    CURLcode rc = m->data.result;
    int i = q->shard;
    if (q->kind == REQ_POST) {
        if (rc != CURLE_OK || code != 202)
            watch_note(w, "%s: not taken by %s (%s)", q->what, w->sh[i].name,
                       rc != CURLE_OK ? curl_easy_strerror(rc)
                       : code == 401  ? "401: --control-token-file differs"
                       : code == 403  ? "403: started without --control-token-file"
                                      : "refused");
    } else if (q->kind == REQ_POLL) {
        w->sh[i].polling = 0;
        got_poll(w, i, answer(w, i, q, rc, code), now);
    } else {
        w->sh[i].fetching = 0;
        got_full(w, i, answer(w, i, q, rc, code));
    }
    req_free(w, q);
}

static void publish(struct watch *w, int64_t now)
{
    struct view *v = watch_build_view(w, now);
    if (!v)
        return;
    json_t *final = NULL;
    if (atomic_load(&w->done) && !w->final)
        final = watch_merge_full(w);
    pthread_mutex_lock(&w->plock);
    struct view *old = w->fresh;
    w->fresh = v;
    w->last = v;
    if (final)
        w->final = final;
    pthread_mutex_unlock(&w->plock);
    watch_view_free(old);
}

static void *watch_main(void *arg)
{
    struct watch *w = arg;
    int64_t next_view = 0;
    while (!atomic_load(&w->quit)) {
        int64_t now = now_us();
        for (int i = 0; i < w->n; i++)
            if (!w->sh[i].polling && now >= w->sh[i].next_poll) {
                w->sh[i].next_poll = now + w->o.poll_us;
                start(w, REQ_POLL, i, NULL);
            }
        struct engine_cmd cmds[64];
        pthread_mutex_lock(&w->qlock);
        int nq = w->qn;
        memcpy(cmds, w->q, (size_t)nq * sizeof *cmds);
        w->qn = 0;
        pthread_mutex_unlock(&w->qlock);
        for (int i = 0; i < nq; i++)
            carry_out(w, &cmds[i]);
        int running;
        curl_multi_perform(w->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(w->multi, &left)))
            if (m->msg == CURLMSG_DONE)
                finished(w, m, now_us());
        now = now_us();
        /* one view a poll period, whatever the number of shards (each
         * answer would be one more merge of them all); the first at once */
        if (now >= next_view || (w->changed && !w->seq)) {
            publish(w, now);
            w->changed = 0;
            next_view = now + w->o.poll_us;
        }
        curl_multi_poll(w->multi, NULL, 0, 50, NULL);
    }
    return NULL;
}

/* ---- the reader's side ---------------------------------------------------- */

static const struct snapshot *w_hold(void *ctx)
{
    struct watch *w = ctx;
    pthread_mutex_lock(&w->plock);
    struct view *old = NULL;
    if (w->fresh) {
        old = w->held;
        w->held = w->fresh;
        w->fresh = NULL;
    }
    pthread_mutex_unlock(&w->plock);
    watch_view_free(old); /* older than `last`: no one else has it */
    return &w->held->snap;
}

static void w_send(void *ctx, const struct engine_cmd *c)
{
    struct watch *w = ctx;
    pthread_mutex_lock(&w->qlock);
    if (w->qn < (int)(sizeof w->q / sizeof w->q[0]))
        w->q[w->qn++] = *c;
    pthread_mutex_unlock(&w->qlock);
    curl_multi_wakeup(w->multi);
}

static int w_done(void *ctx)
{
    struct watch *w = ctx;
    return atomic_load(&w->done);
}

static json_t *w_take(void *ctx, char tag[256])
{
    struct watch *w = ctx;
    pthread_mutex_lock(&w->plock);
    json_t *j = w->mailbox;
    w->mailbox = NULL;
    if (j)
        memcpy(tag, w->mailbox_tag, 256);
    pthread_mutex_unlock(&w->plock);
    return j;
}

json_t *watch_report(struct watch *w)
{
    pthread_mutex_lock(&w->plock);
    json_t *j = json_deep_copy(w->last->report);
    pthread_mutex_unlock(&w->plock);
    return j;
}

static json_t *w_final(void *ctx)
{
    struct watch *w = ctx;
    pthread_mutex_lock(&w->plock);
    json_t *j = w->final ? json_deep_copy(w->final) : NULL;
    pthread_mutex_unlock(&w->plock);
    return j ? j : watch_report(w);
}

struct source watch_source(struct watch *w)
{
    return (struct source){.ctx = w,
                           .hold = w_hold,
                           .send = w_send,
                           .done = w_done,
                           .take_report = w_take,
                           .final_report = w_final,
                           .shards = w->n};
}

const struct plan *watch_plan(struct watch *w)
{
    return &w->plan;
}

static void stop_thread(struct watch *w)
{
    if (w->joined)
        return;
    atomic_store(&w->quit, 1);
    curl_multi_wakeup(w->multi);
    pthread_join(w->thread, NULL);
    w->joined = 1;
}

void watch_free(struct watch *w)
{
    if (!w)
        return;
    stop_thread(w);
    for (int i = 0; i < w->n; i++) {
        struct shard *s = &w->sh[i];
        free(s->name);
        free(s->brief_url);
        free(s->full_url);
        free(s->ctl_url);
        json_decref(s->report);
        json_decref(s->full);
    }
    while (w->reqs) /* requests still in flight */
        req_free(w, w->reqs);
    curl_multi_cleanup(w->multi);
    watch_view_free(w->fresh);
    watch_view_free(w->held);
    json_decref(w->final);
    json_decref(w->mailbox);
    json_decref(w->notes);
    plan_free(&w->plan);
    pthread_mutex_destroy(&w->qlock);
    pthread_mutex_destroy(&w->plock);
    free(w->sh);
    free(w);
}

struct watch *watch_start(const struct watch_opts *o, char *err, size_t errn)
{
    if (o->nhosts < 1 || o->nhosts > WATCH_MAX_SHARDS) {
        snprintf(err, errn, "give 1 to %d HOST:PORT", WATCH_MAX_SHARDS);
        return NULL;
    }
    struct watch *w = xcalloc(1, sizeof *w);
    w->o = *o;
    /* 250 ms for up to 8 shards, 250 ms more for each 8 more: parsing and
     * merging 32 brief reports a second costs ~12 % of a core */
    w->o.poll_us = o->poll_us > 0 ? o->poll_us : 250000 * (int64_t)((o->nhosts + 7) / 8);
    w->o.timeout_us = o->timeout_us > 0 ? o->timeout_us : 2000000;
    w->o.wait_us = o->wait_us > 0 ? o->wait_us : 5000000;
    w->n = o->nhosts;
    w->sh = xcalloc((size_t)w->n, sizeof *w->sh);
    w->started = now_us();
    w->notes = json_array();
    for (int i = 0; i < w->n; i++) {
        struct shard *s = &w->sh[i];
        s->name = xstrdup(o->hosts[i]);
        s->brief_url = xasprintf("http://%s/snapshot?brief", o->hosts[i]);
        s->full_url = xasprintf("http://%s/snapshot", o->hosts[i]);
        s->ctl_url = xasprintf("http://%s/control", o->hosts[i]);
        s->last_ok = w->started;
        s->state = RUN_BEFORE;
        snprintf(s->why, sizeof s->why, "not answered yet");
    }
    pthread_mutex_init(&w->qlock, NULL);
    pthread_mutex_init(&w->plock, NULL);
    w->multi = curl_multi_init();
    if (!w->multi || pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        snprintf(err, errn, "cannot start the watch thread");
        w->joined = 1;
        watch_free(w);
        return NULL;
    }
    /* the first answers: all of them, or the wait's end with some */
    for (int64_t end = w->started + w->o.wait_us; now_us() < end;) {
        pthread_mutex_lock(&w->plock);
        int have = w->last != NULL, all = 1;
        for (int i = 0; have && i < w->n; i++)
            all &= w->last->snap.shard[i].seen;
        pthread_mutex_unlock(&w->plock);
        if (have && all)
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&w->plock);
    int have = w->last != NULL && atomic_load(&w->have_plan);
    pthread_mutex_unlock(&w->plock);
    if (!have) {
        stop_thread(w);
        snprintf(err, errn, "no loadtop snapshot from %s%s within %.0f s (%s)", w->sh[0].name,
                 w->n > 1 ? " or the others" : "", (double)w->o.wait_us / 1e6, w->sh[0].why);
        watch_free(w);
        return NULL;
    }
    return w;
}
