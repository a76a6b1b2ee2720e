/* test_saturation.c — the one definition of "loadtop is saturated"
 * (saturation.h): its thresholds, unknown readings, and its words. */
#include <math.h>

#include "saturation.h"
#include "test.h"

TEST(saturation_thresholds)
{
    ASSERT_EQ(saturation_of(0, 0), 0);
    ASSERT_EQ(saturation_of(89.9, 49.9), 0);
    ASSERT_EQ(saturation_of(90, 0), SATURATION_CPU);
    ASSERT_EQ(saturation_of(250, 1), SATURATION_CPU); /* two threads busy: over a core */
    ASSERT_EQ(saturation_of(10, 50), SATURATION_LAG);
    ASSERT_EQ(saturation_of(95, 120), SATURATION_CPU | SATURATION_LAG);
    /* the two places it used to differ: 10 ms lag (the dashboard warned),
     * 60 ms (the reports did not) */
    ASSERT_EQ(saturation_of(10, 10), 0);
    ASSERT_EQ(saturation_of(10, 60), SATURATION_LAG);
}

TEST(saturation_unknown_readings_never_count)
{
    ASSERT_EQ(saturation_of(-1, -1), 0);
    ASSERT_EQ(saturation_of(NAN, NAN), 0);
    ASSERT_EQ(saturation_of(-1, 75), SATURATION_LAG);
    ASSERT_EQ(saturation_of(99, NAN), SATURATION_CPU);
}

TEST(saturation_describe_words)
{
    char b[96];
    ASSERT_STR(saturation_describe(0, 95, 120, b, sizeof b), "");
    ASSERT_STR(saturation_describe(SATURATION_CPU, 95.4, 120, b, sizeof b),
               "own CPU 95% of a core");
    ASSERT_STR(saturation_describe(SATURATION_LAG, 95, 120.04, b, sizeof b),
               "schedule lag p99 120.0 ms");
    ASSERT_STR(saturation_describe(SATURATION_CPU | SATURATION_LAG, 95, 120, b, sizeof b),
               "own CPU 95% of a core, schedule lag p99 120.0 ms");
    char small[8];
    ASSERT_STR(saturation_describe(SATURATION_CPU | SATURATION_LAG, 95, 120, small, sizeof small),
               "own CPU");
}
