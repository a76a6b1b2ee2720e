/* engine_cmd.c — the command queue: other threads append under a mutex
 * and wake the loop (uv_async_send; sends coalesce), the engine thread
 * drains the whole queue and carries each command out at once. */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "util.h"

/* LC_DO_PAUSE / LC_DO_RESUME: the schedule's clock, parked closed-model
 * workers, the event. */
void engine_pause_run(struct engine *e, int64_t now, int pause)
{
    if (pause) {
        sched_pause(&e->sched, now);
        stats_pause(e->st, engine_rel(e, now), e->last_phase);
        stats_event(e->st, engine_rel(e, now), "pause", "paused");
        engine_tell_state(e);
        return;
    }
    sched_resume(&e->sched, now);
    stats_resume(e->st, engine_rel(e, now));
    engine_tell_state(e); /* a closed model's parked loops go on */
    stats_event(e->st, engine_rel(e, now), "resume", "resumed");
}

/* The plan's rates times `m` from `now` on (an exact rate is cleared). */
static void set_mult(struct engine *e, double m, int64_t now)
{
    if (!(m > 0.001 && m < 1000))
        return;
    sched_set_mult(&e->sched, m, now);
    stats_event(e->st, engine_rel(e, now), "rate", "rate x%.2f (target now %.1f/s)", m,
                sched_target_rate(&e->sched, now));
}

static void run_cmd(struct engine *e, const struct engine_cmd *c, int64_t now)
{
    int64_t t = engine_rel(e, now);
    /* controls that steer arrivals: only while the phases run */
    int steer = engine_steerable(e);
    switch (c->kind) {
    case CMD_TOGGLE_PAUSE:
    case CMD_PAUSE:
    case CMD_RESUME: {
        enum lc_event ev = c->kind == CMD_PAUSE        ? LC_PAUSE
                           : c->kind == CMD_RESUME     ? LC_RESUME
                           : e->lc.state == RUN_PAUSED ? LC_RESUME
                                                       : LC_PAUSE;
        engine_act(e, lifecycle_on(&e->lc, ev), now, 0, NULL);
        break;
    }
    case CMD_SKIP:
        if (!steer || e->plan->model == MODEL_CLOSED || sched_done(&e->sched))
            break;
        stats_event(e->st, t, "skip", "skipped the rest of phase %d '%s'", e->sched.cur + 1,
                    e->plan->phases[e->sched.cur].name);
        sched_skip(&e->sched, now);
        engine_note_phase_changes(e, now);
        break;
    case CMD_RATE:
    case CMD_SCALE:
        if (!steer || e->plan->model == MODEL_CLOSED)
            break;
        if (c->kind == CMD_RATE || e->sched.fixed > 0) {
            /* an exact rate, in every phase from now on, until = */
            double r = c->kind == CMD_RATE ? c->value : e->sched.fixed * c->value;
            if (!(r > 0 && r <= ENGINE_MAX_RATE))
                break;
            sched_set_rate(&e->sched, r, now);
            stats_event(e->st, t, "rate",
                        "rate fixed at %.1f/s in every phase (= returns to the plan)", r);
            break;
        }
        set_mult(e, e->sched.mult * c->value, now);
        break;
    case CMD_MULT:
        if (steer && e->plan->model != MODEL_CLOSED)
            set_mult(e, c->value, now);
        break;
    case CMD_STOP: {
        int64_t d = e->o.drain_us;
        if (c->value > 0 && c->value * 1e6 < (double)d)
            d = (int64_t)(c->value * 1e6);
        engine_act(e, lifecycle_on(&e->lc, LC_STOP), now, d, "stop requested");
        break;
    }
    case CMD_ABORT:
        engine_act(e, lifecycle_on(&e->lc, LC_ABORT), now, 0, "abort requested");
        break;
    case CMD_REPORT: {
        uv_mutex_lock(&e->slock);
        int busy = e->report != NULL;
        uv_mutex_unlock(&e->slock);
        if (busy) {
            /* one report in the mailbox at a time: never drop one unwritten */
            stats_event(e->st, t, "warning",
                        "snapshot %s skipped: the previous one is still being written", c->tag);
            break;
        }
        stats_event(e->st, t, "snapshot", "snapshot %s", c->tag);
        engine_build_report(e, c->tag);
        break;
    }
    case CMD_NOTE:
        stats_event(e->st, t, "warning", "%s", c->tag);
        break;
    }
}

void engine_on_async(uv_async_t *a)
{
    struct engine *e = a->data;
    uv_mutex_lock(&e->qlock);
    int n = e->qn;
    struct engine_cmd *cmds = e->q;
    e->q = NULL;
    e->qn = e->qcap = 0;
    uv_mutex_unlock(&e->qlock);
    /* Arrivals already due belong to the plan as it was: take them before
     * a control re-plans from now (schedule.h), so none is lost. */
    engine_run_arrivals(e);
    int64_t now = now_us();
    for (int i = 0; i < n; i++)
        run_cmd(e, &cmds[i], now);
    free(cmds);
    /* a worker's last VU may have ended (engine_worker_idle) */
    if (e->lc.state == RUN_DRAINING && (engine_no_vus(e) || now_us() >= e->drain_deadline))
        engine_drained(e);
    if (e->lc.state == RUN_DONE || e->lc.state == RUN_AFTER)
        return;
    engine_run_arrivals(e);
    engine_publish(e);
}

void engine_send(struct engine *e, const struct engine_cmd *cmd)
{
    uv_mutex_lock(&e->qlock);
    if (e->qn == e->qcap) {
        e->qcap = e->qcap ? e->qcap * 2 : 16;
        e->q = xrealloc(e->q, sizeof *e->q * (size_t)e->qcap);
    }
    e->q[e->qn++] = *cmd;
    uv_mutex_unlock(&e->qlock);
    uv_mutex_lock(&e->slock);
    if (!e->done)
        uv_async_send(&e->async); /* sends coalesce: on_async drains the whole queue */
    uv_mutex_unlock(&e->slock);
}
