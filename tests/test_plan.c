/* test_plan.c — the plan's derived values: its peak rate and the number of
 * worker threads chosen for it (plan_workers' rule). */
#include <string.h>

#include "plan.h"
#include "test.h"

static struct plan open_plan(struct phase *ph, int n)
{
    struct plan p;
    memset(&p, 0, sizeof p);
    p.model = MODEL_OPEN;
    p.phases = ph;
    p.nphases = n;
    return p;
}

TEST(plan_peak_rate_over_phase_kinds)
{
    struct phase ph[4] = {
        {.kind = PHASE_CONST, .rate = 50, .duration_us = 1000000},
        {.kind = PHASE_RAMP, .rate = 10, .rate_to = 500, .duration_us = 1000000},
        {.kind = PHASE_COUNT, .count = 3000, .duration_us = 2000000},
        {.kind = PHASE_PAUSE, .duration_us = 1000000},
    };
    struct plan p = open_plan(ph, 4);
    ASSERT_NEAR(plan_peak_rate(&p), 1500, 1e-9); /* 3000 over 2 s */
    p.nphases = 2;
    ASSERT_NEAR(plan_peak_rate(&p), 500, 1e-9); /* a ramp's higher end */
    p.nphases = 0;
    ASSERT_NEAR(plan_peak_rate(&p), 0, 1e-9);
}

/* Never more workers than the load needs, the CPUs allow, or the pool has
 * connections for; a number given (-w, config.workers) is kept. */
TEST(plan_workers_rule)
{
    struct phase ph = {.kind = PHASE_CONST, .rate = 5, .duration_us = 1000000};
    struct plan p = open_plan(&ph, 1);
    ASSERT_EQ(plan_workers(&p, 8), 1); /* a 5/s script starts one thread */
    ph.rate = PLAN_RATE_PER_WORKER;
    ASSERT_EQ(plan_workers(&p, 8), 1);
    ph.rate = PLAN_RATE_PER_WORKER + 1;
    ASSERT_EQ(plan_workers(&p, 8), 2);
    ph.rate = 12 * PLAN_RATE_PER_WORKER;
    ASSERT_EQ(plan_workers(&p, 8), 8); /* at most one per CPU */
    ASSERT_EQ(plan_workers(&p, 0), 1); /* unknown CPUs: one */
    p.pool = 3;
    ASSERT_EQ(plan_workers(&p, 8), 3); /* each worker needs a connection */
    p.pool = 0;
    p.workers = 5;
    ASSERT_EQ(plan_workers(&p, 2), 5); /* asked for: more than the CPUs is allowed */
    p.pool = 2;
    ASSERT_EQ(plan_workers(&p, 2), 2); /* ...but not more than the pool */

    struct plan c = open_plan(&ph, 1);
    c.model = MODEL_CLOSED;
    c.connections = 50;
    ASSERT_EQ(plan_workers(&c, 4), 4); /* closed: every CPU */
    c.connections = 3;
    ASSERT_EQ(plan_workers(&c, 4), 3); /* ...but a connection each */
    c.workers = 8;
    ASSERT_EQ(plan_workers(&c, 4), 3);
}
