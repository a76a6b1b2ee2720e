/* test_lifecycle.c — every transition of the run's state machine, and the
 * actions each one asks of the engine. */
#include "lifecycle.h"
#include "test.h"

TEST(lifecycle_plain_run)
{
    struct lifecycle lc;
    ASSERT_EQ(lifecycle_start(&lc, 0, 0), LC_DO_START_PHASES);
    ASSERT_EQ(lc.state, RUN_RUNNING);
    ASSERT_EQ(lifecycle_on(&lc, LC_PAUSE), LC_DO_PAUSE);
    ASSERT_EQ(lc.state, RUN_PAUSED);
    ASSERT_EQ(lifecycle_on(&lc, LC_PAUSE), 0); /* already paused */
    ASSERT_EQ(lifecycle_on(&lc, LC_RESUME), LC_DO_RESUME);
    ASSERT_EQ(lifecycle_on(&lc, LC_RESUME), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), 0); /* nothing to drain yet */
    ASSERT_EQ(lifecycle_on(&lc, LC_PLAN_DONE), LC_DO_DRAIN);
    ASSERT_EQ(lc.state, RUN_DRAINING);
    ASSERT(lifecycle_stopping(&lc));
    ASSERT_EQ(lifecycle_on(&lc, LC_PAUSE), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_PLAN_DONE), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_FINISH);
    ASSERT_EQ(lc.state, RUN_DONE);
    ASSERT_EQ(lc.end, RUN_END_COMPLETED);
    ASSERT_EQ(lc.interrupted, 0);
    /* DONE ignores everything */
    ASSERT_EQ(lifecycle_on(&lc, LC_STOP), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_ABORT), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), 0);
    ASSERT_STR(run_state_name(lc.state), "DONE");
}

TEST(lifecycle_stop_then_abort)
{
    struct lifecycle lc;
    lifecycle_start(&lc, 0, 1);
    ASSERT_EQ(lifecycle_on(&lc, LC_STOP), LC_DO_DRAIN);
    ASSERT_EQ(lc.end, RUN_END_STOPPED);
    ASSERT_EQ(lc.interrupted, 1);
    /* a second stop may only shorten the drain */
    ASSERT_EQ(lifecycle_on(&lc, LC_STOP), LC_DO_DRAIN);
    ASSERT_EQ(lifecycle_on(&lc, LC_ABORT), LC_DO_DRAIN_NOW);
    ASSERT_EQ(lc.end, RUN_END_ABORTED);
    /* aborted: `after` is skipped */
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_FINISH);
    ASSERT_EQ(lc.state, RUN_DONE);
}

TEST(lifecycle_abort_while_running)
{
    struct lifecycle lc;
    lifecycle_start(&lc, 0, 0);
    lifecycle_on(&lc, LC_PAUSE);
    ASSERT_EQ(lifecycle_on(&lc, LC_ABORT), LC_DO_DRAIN | LC_DO_DRAIN_NOW);
    ASSERT_EQ(lc.state, RUN_DRAINING);
    ASSERT_EQ(lc.aborted, 1);
    ASSERT_EQ(lc.interrupted, 1);
}

TEST(lifecycle_after_hook)
{
    struct lifecycle lc;
    lifecycle_start(&lc, 0, 1);
    lifecycle_on(&lc, LC_PLAN_DONE);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_RUN_AFTER);
    ASSERT_EQ(lc.state, RUN_AFTER);
    ASSERT(lifecycle_stopping(&lc));
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), 0); /* the after hook is not drained */
    ASSERT_EQ(lifecycle_on(&lc, LC_STOP), 0);    /* it runs to its end */
    ASSERT_EQ(lc.interrupted, 1);
    ASSERT_EQ(lifecycle_on(&lc, LC_AFTER_DONE), LC_DO_FINISH);
    ASSERT_EQ(lc.state, RUN_DONE);

    lifecycle_start(&lc, 0, 1);
    lifecycle_on(&lc, LC_PLAN_DONE);
    lifecycle_on(&lc, LC_DRAINED);
    ASSERT_EQ(lifecycle_on(&lc, LC_ABORT), LC_DO_CUT_HOOK); /* cut, then it reports done */
    ASSERT_EQ(lc.end, RUN_END_ABORTED);
    ASSERT_EQ(lifecycle_on(&lc, LC_AFTER_DONE), LC_DO_FINISH);
}

TEST(lifecycle_before_hook)
{
    struct lifecycle lc;
    ASSERT_EQ(lifecycle_start(&lc, 1, 1), 0);
    ASSERT_EQ(lc.state, RUN_BEFORE);
    ASSERT(!lifecycle_stopping(&lc));
    ASSERT_EQ(lifecycle_on(&lc, LC_PAUSE), 0); /* nothing runs yet */
    ASSERT_EQ(lifecycle_on(&lc, LC_PLAN_DONE), 0);
    ASSERT_EQ(lifecycle_on(&lc, LC_BEFORE_OK), LC_DO_START_PHASES);
    ASSERT_EQ(lc.state, RUN_RUNNING);

    /* before failed: the phases start (a clock) and drain at once; no after */
    lifecycle_start(&lc, 1, 1);
    ASSERT_EQ(lifecycle_on(&lc, LC_BEFORE_FAILED), LC_DO_START_PHASES | LC_DO_DRAIN);
    ASSERT_EQ(lc.state, RUN_DRAINING);
    ASSERT_EQ(lc.end, RUN_END_BEFORE_FAILED);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_FINISH);
}

TEST(lifecycle_stop_during_before)
{
    struct lifecycle lc;
    lifecycle_start(&lc, 1, 1);
    ASSERT_EQ(lifecycle_on(&lc, LC_STOP), 0); /* before finishes first */
    ASSERT_EQ(lc.state, RUN_BEFORE);
    ASSERT_EQ(lifecycle_on(&lc, LC_BEFORE_OK), LC_DO_START_PHASES | LC_DO_DRAIN);
    ASSERT_EQ(lc.end, RUN_END_STOPPED);
    ASSERT_EQ(lc.interrupted, 1);
    /* stopped, not aborted: `after` still runs */
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_RUN_AFTER);

    /* an abort cuts `before`, which then fails: no drain, no after */
    lifecycle_start(&lc, 1, 1);
    ASSERT_EQ(lifecycle_on(&lc, LC_ABORT), LC_DO_CUT_HOOK);
    ASSERT_EQ(lifecycle_on(&lc, LC_BEFORE_FAILED),
              LC_DO_START_PHASES | LC_DO_DRAIN | LC_DO_DRAIN_NOW);
    ASSERT_EQ(lifecycle_on(&lc, LC_DRAINED), LC_DO_FINISH);
}

TEST(lifecycle_state_names)
{
    ASSERT_STR(run_state_name(RUN_BEFORE), "BEFORE");
    ASSERT_STR(run_state_name(RUN_RUNNING), "RUNNING");
    ASSERT_STR(run_state_name(RUN_PAUSED), "PAUSED");
    ASSERT_STR(run_state_name(RUN_DRAINING), "DRAINING");
    ASSERT_STR(run_state_name(RUN_AFTER), "AFTER");
    ASSERT_STR(run_state_name(RUN_DONE), "DONE");
    ASSERT_STR(run_state_name((enum run_state)42), "?");
}
