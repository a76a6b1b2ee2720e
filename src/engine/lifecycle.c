/* lifecycle.c — see lifecycle.h. */
#include "lifecycle.h"

static const char *const names[] = {"BEFORE", "RUNNING", "PAUSED", "DRAINING", "AFTER", "DONE"};

const char *run_state_name(enum run_state s)
{
    return s >= RUN_BEFORE && s <= RUN_DONE ? names[s] : "?";
}

unsigned lifecycle_start(struct lifecycle *lc, int has_before, int has_after)
{
    *lc = (struct lifecycle){.state = has_before ? RUN_BEFORE : RUN_RUNNING,
                             .has_after = has_after != 0};
    return has_before ? 0 : LC_DO_START_PHASES;
}

int lifecycle_stopping(const struct lifecycle *lc)
{
    return lc->state == RUN_DRAINING || lc->state == RUN_AFTER || lc->state == RUN_DONE;
}

/* Into DRAINING for `why`; an abort ends the drain at once. */
static unsigned drain(struct lifecycle *lc, enum run_end why)
{
    lc->state = RUN_DRAINING;
    lc->end = why;
    return LC_DO_DRAIN | (lc->aborted ? LC_DO_DRAIN_NOW : 0);
}

static unsigned in_before(struct lifecycle *lc, enum lc_event ev)
{
    switch (ev) {
    case LC_STOP:
        lc->stop_asked = lc->interrupted = 1;
        return 0; /* `before` finishes first */
    case LC_ABORT:
        lc->stop_asked = lc->interrupted = lc->aborted = 1;
        return LC_DO_CUT_HOOK; /* it then ends as LC_BEFORE_FAILED */
    case LC_BEFORE_OK:
        lc->state = RUN_RUNNING;
        if (!lc->stop_asked)
            return LC_DO_START_PHASES;
        return LC_DO_START_PHASES | drain(lc, lc->aborted ? RUN_END_ABORTED : RUN_END_STOPPED);
    case LC_BEFORE_FAILED:
        /* the phases start so that the run has a clock, and end at once */
        return LC_DO_START_PHASES | drain(lc, RUN_END_BEFORE_FAILED);
    default:
        return 0; /* pause, skip, rate: nothing runs yet */
    }
}

static unsigned in_phases(struct lifecycle *lc, enum lc_event ev)
{
    switch (ev) {
    case LC_PAUSE:
        if (lc->state != RUN_RUNNING)
            return 0;
        lc->state = RUN_PAUSED;
        return LC_DO_PAUSE;
    case LC_RESUME:
        if (lc->state != RUN_PAUSED)
            return 0;
        lc->state = RUN_RUNNING;
        return LC_DO_RESUME;
    case LC_PLAN_DONE:
        return drain(lc, RUN_END_COMPLETED);
    case LC_STOP:
        lc->interrupted = 1;
        return drain(lc, RUN_END_STOPPED);
    case LC_ABORT:
        lc->interrupted = lc->aborted = 1;
        return drain(lc, RUN_END_ABORTED);
    default:
        return 0;
    }
}

static unsigned in_draining(struct lifecycle *lc, enum lc_event ev)
{
    switch (ev) {
    case LC_STOP:
        lc->interrupted = 1;
        return LC_DO_DRAIN; /* a shorter bound (SIGTERM after Ctrl-C) still applies */
    case LC_ABORT:
        lc->interrupted = lc->aborted = 1;
        lc->end = RUN_END_ABORTED;
        return LC_DO_DRAIN_NOW;
    case LC_DRAINED:
        if (lc->has_after && !lc->aborted && lc->end != RUN_END_BEFORE_FAILED) {
            lc->state = RUN_AFTER;
            return LC_DO_RUN_AFTER;
        }
        lc->state = RUN_DONE;
        return LC_DO_FINISH;
    default:
        return 0;
    }
}

static unsigned in_after(struct lifecycle *lc, enum lc_event ev)
{
    switch (ev) {
    case LC_STOP:
        lc->interrupted = 1;
        return 0; /* `after` is short and runs to its end */
    case LC_ABORT:
        lc->interrupted = lc->aborted = 1;
        lc->end = RUN_END_ABORTED;
        return LC_DO_CUT_HOOK; /* it then reports LC_AFTER_DONE */
    case LC_AFTER_DONE:
        lc->state = RUN_DONE;
        return LC_DO_FINISH;
    default:
        return 0;
    }
}

unsigned lifecycle_on(struct lifecycle *lc, enum lc_event ev)
{
    switch (lc->state) {
    case RUN_BEFORE:
        return in_before(lc, ev);
    case RUN_RUNNING:
    case RUN_PAUSED:
        return in_phases(lc, ev);
    case RUN_DRAINING:
        return in_draining(lc, ev);
    case RUN_AFTER:
        return in_after(lc, ev);
    case RUN_DONE:
        break;
    }
    return 0;
}
