/* test_numfmt.c — the one set of number formatters (src/report/numfmt.c)
 * that the reports, the capacity findings and the engine's events share:
 * exact texts, hostile values, and cutting to a small buffer. */
#include <math.h>

#include "numfmt.h"
#include "test.h"

TEST(numfmt_rates)
{
    char b[NUMFMT_MAX];
    ASSERT_STR(numfmt_rate(b, sizeof b, 300), "300");
    ASSERT_STR(numfmt_rate(b, sizeof b, 2.5), "2.5");
    ASSERT_STR(numfmt_rate(b, sizeof b, 0.333), "0.33");
    ASSERT_STR(numfmt_rate(b, sizeof b, 12.25), "12.2");
    ASSERT_STR(numfmt_rate(b, sizeof b, 99.999), "100");
    ASSERT_STR(numfmt_rate(b, sizeof b, 1e300), "1e+300");
    ASSERT_STR(numfmt_rate(b, sizeof b, NAN), "n/a");
    ASSERT_STR(numfmt_rate_per_s(b, sizeof b, 300), "300/s");
    ASSERT_STR(numfmt_rate_per_s(b, sizeof b, 1234.567), "1234.6/s");
    ASSERT_STR(numfmt_rate_per_s(b, sizeof b, NAN), "n/a");
    ASSERT_STR(numfmt_rate_per_s(b, sizeof b, INFINITY), "inf/s");
    ASSERT_STR(numfmt_rate1(b, sizeof b, 299.43), "299.4/s");
    ASSERT_STR(numfmt_rate1(b, sizeof b, 10), "10.0/s");
    ASSERT_STR(numfmt_rate1(b, sizeof b, 2e15), "2e+15/s");
    ASSERT_STR(numfmt_rate1(b, sizeof b, INFINITY), "n/a");
}

TEST(numfmt_counts_and_percentages)
{
    char b[NUMFMT_MAX];
    ASSERT_STR(numfmt_count(b, sizeof b, 0), "0");
    ASSERT_STR(numfmt_count(b, sizeof b, 999), "999");
    ASSERT_STR(numfmt_count(b, sizeof b, 1000), "1,000");
    ASSERT_STR(numfmt_count(b, sizeof b, 1234567), "1,234,567");
    ASSERT_STR(numfmt_count(b, sizeof b, -1000), "-1,000");
    ASSERT_STR(numfmt_count(b, sizeof b, 999999999999999), "999,999,999,999,999");
    ASSERT_STR(numfmt_count(b, sizeof b, 1e17), "1e+17");
    ASSERT_STR(numfmt_count(b, sizeof b, NAN), "n/a");
    ASSERT_STR(numfmt_pct(b, sizeof b, 34.75), "34.8%");
    ASSERT_STR(numfmt_pct(b, sizeof b, 0), "0.0%");
    ASSERT_STR(numfmt_pct(b, sizeof b, 0.04), "<0.1%");
    ASSERT_STR(numfmt_pct(b, sizeof b, 1e20), "1e+20%");
    ASSERT_STR(numfmt_pct(b, sizeof b, -INFINITY), "n/a");
    ASSERT_STR(numfmt_ms(b, sizeof b, 101.25), "101.2");
    ASSERT_STR(numfmt_ms(b, sizeof b, 0), "0.0");
    ASSERT_STR(numfmt_ms(b, sizeof b, 0.42), "0.42");
    ASSERT_STR(numfmt_ms(b, sizeof b, 0.042), "0.042");
    ASSERT_STR(numfmt_ms(b, sizeof b, 0.001), "0.0010");
    ASSERT_STR(numfmt_ms(b, sizeof b, 0.96), "1.0");
    ASSERT_STR(numfmt_ms(b, sizeof b, -0.5), "-0.50");
    ASSERT_STR(numfmt_ms(b, sizeof b, 1e20), "1e+20");
    ASSERT_STR(numfmt_ms(b, sizeof b, NAN), "n/a");
}

TEST(numfmt_durations_and_clocks)
{
    char b[NUMFMT_MAX];
    ASSERT_STR(numfmt_duration(b, sizeof b, 5), "5 s");
    ASSERT_STR(numfmt_duration(b, sizeof b, 29.102), "29.1 s");
    ASSERT_STR(numfmt_duration(b, sizeof b, 65), "1 min 05 s");
    ASSERT_STR(numfmt_duration(b, sizeof b, 120), "2 min");
    ASSERT_STR(numfmt_duration(b, sizeof b, 3725), "1 h 02 min");
    ASSERT_STR(numfmt_duration(b, sizeof b, 1e300), "1e+300 s");
    ASSERT_STR(numfmt_duration(b, sizeof b, NAN), "n/a");
    ASSERT_STR(numfmt_clock(b, sizeof b, 16.004, 0), "0:16");
    ASSERT_STR(numfmt_clock(b, sizeof b, 3616, 0), "1:00:16");
    ASSERT_STR(numfmt_clock(b, sizeof b, 65.34, 1), "1:05.3");
    ASSERT_STR(numfmt_clock(b, sizeof b, 3616, 1), "60:16.0");
    ASSERT_STR(numfmt_clock(b, sizeof b, -1, 0), "n/a");
    ASSERT_STR(numfmt_clock(b, sizeof b, 2e9, 0), "2e+09 s");
}

TEST(numfmt_sizes)
{
    char b[NUMFMT_MAX];
    ASSERT_STR(numfmt_kib(b, sizeof b, 413068), "403 MiB");
    ASSERT_STR(numfmt_kib(b, sizeof b, 24683656), "23.5 GiB");
    ASSERT_STR(numfmt_kib(b, sizeof b, 0), "n/a");
    ASSERT_STR(numfmt_bytes(b, sizeof b, 542), "542 B");
    ASSERT_STR(numfmt_bytes(b, sizeof b, 30820), "30.1 KiB");
    ASSERT_STR(numfmt_bytes(b, sizeof b, 1572864), "1.5 MiB");
    ASSERT_STR(numfmt_bytes(b, sizeof b, 2147483648.0), "2.00 GiB");
    /* DBL_MAX bytes print whole in NUMFMT_MAX */
    ASSERT(strlen(numfmt_bytes(b, sizeof b, 1.7976931348623157e308)) < NUMFMT_MAX - 1);
    ASSERT(!strcmp(b + strlen(b) - 7, ".00 GiB"));
}

TEST(numfmt_cuts_to_a_small_buffer)
{
    char b[6];
    ASSERT_STR(numfmt_count(b, sizeof b, 1234567), "1,234");
    ASSERT_STR(numfmt_rate_per_s(b, sizeof b, 123456), "12345");
}
