/* test_ui_fmt.c — ui_fmt.c against the snprintf formats it stands for,
 * byte for byte, over sweeps that include rounding ties and unit edges. */
#include <stdlib.h>

#include "test.h"
#include "ui_fmt.h"

/* The formats as the dashboard printed them before ui_fmt.c. */
static void ref_count(char *b, size_t n, uint64_t v)
{
    if (v < 1000000)
        snprintf(b, n, "%llu", (unsigned long long)v);
    else if (v < 10000000)
        snprintf(b, n, "%.2fM", v / 1e6);
    else if (v < 1000000000)
        snprintf(b, n, "%.1fM", v / 1e6);
    else
        snprintf(b, n, "%.2fG", v / 1e9);
}

static void ref_rate(char *b, size_t n, double v)
{
    if (v <= 0)
        v = 0;
    if (v < 10 && v != (int64_t)v)
        snprintf(b, n, "%.1f", v);
    else if (v < 100000)
        snprintf(b, n, "%.0f", v);
    else
        snprintf(b, n, "%.0fk", v / 1e3);
}

static void ref_us(char *b, size_t n, int64_t us)
{
    if (us < 0)
        snprintf(b, n, "-");
    else if (us < 1000)
        snprintf(b, n, "%lldµs", (long long)us);
    else if (us < 10000)
        snprintf(b, n, "%.2fms", us / 1e3);
    else if (us < 100000)
        snprintf(b, n, "%.1fms", us / 1e3);
    else if (us < 1000000)
        snprintf(b, n, "%.0fms", us / 1e3);
    else if (us < 10000000)
        snprintf(b, n, "%.2fs", us / 1e6);
    else
        snprintf(b, n, "%.1fs", us / 1e6);
}

static void ref_clock(char *b, size_t n, int64_t us)
{
    long long s = us > 0 ? us / 1000000 : 0;
    if (s >= 3600)
        snprintf(b, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(b, n, "%02lld:%02lld", s / 60, s % 60);
}

static void ref_pct(char *b, size_t n, double frac)
{
    double p = frac * 100;
    if (p <= 0)
        snprintf(b, n, "0%%");
    else if (p >= 100)
        snprintf(b, n, "100%%");
    else if (p < 1)
        snprintf(b, n, "%.2f%%", p);
    else
        snprintf(b, n, "%.1f%%", p);
}

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

/* Values that end in ...5 at the shown precision, and their neighbours. */
static const uint64_t count_edges[] = {
    0,          9,          999999,          1000000,    1005000,   1004999,
    1015000,    1025000,    9995000,         9994999,    9999999,   10000000,
    10050000,   10150000,   999950000,       999949999,  999999999, 1000000000,
    1005000000, 1015000000, 123456789012ULL, UINT64_MAX,
};

TEST(ui_fmt_count_matches_printf)
{
    char got[32], want[32];
    for (size_t i = 0; i < sizeof count_edges / sizeof count_edges[0]; i++) {
        for (int64_t d = -2; d <= 2; d++) {
            uint64_t v = count_edges[i] + (uint64_t)d;
            ui_fmt_count(got, sizeof got, v);
            ref_count(want, sizeof want, v);
            ASSERT_STR(got, want);
        }
    }
    uint64_t s = 1;
    for (int i = 0; i < 200000; i++) {
        /* spread over the magnitudes: 10^0 .. 10^12, many on exact 5000 steps */
        uint64_t v = rng(&s) % 10000000000000ULL >> (rng(&s) % 40);
        if (i % 3 == 0)
            v = v / 5000 * 5000;
        ui_fmt_count(got, sizeof got, v);
        ref_count(want, sizeof want, v);
        ASSERT_STR(got, want);
    }
}

TEST(ui_fmt_rate_matches_printf)
{
    char got[32], want[32];
    static const double edges[] = {-3,      0,      0.05,   0.25,   0.35, 0.45,  0.5,      1,
                                   2.5,     3.5,    9.95,   9.99,   10,   10.5,  11.5,     99999.4,
                                   99999.5, 100000, 100500, 101500, 1e12, 1e300, 1.0 / 0.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        ui_fmt_rate(got, sizeof got, edges[i]);
        ref_rate(want, sizeof want, edges[i]);
        ASSERT_STR(got, want);
    }
    uint64_t s = 2;
    for (int i = 0; i < 200000; i++) {
        double v;
        switch (i % 4) {
        case 0:
            v = (double)(rng(&s) % 2000000) / 100;
            break; /* hundredths to 20k */
        case 1:
            v = (double)(rng(&s) % 1000) / 1000 * 10;
            break; /* fractions below 10 */
        case 2:
            v = (double)(rng(&s) % 100000) * 1.1;
            break; /* a +/- rescaled rate */
        default:
            v = (double)(rng(&s) % 1000000000) / 7;
            break;
        }
        ui_fmt_rate(got, sizeof got, v);
        ref_rate(want, sizeof want, v);
        ASSERT_STR(got, want);
    }
    ASSERT_STR(ui_fmt_rate(got, sizeof got, -0.0), "0");
}

TEST(ui_fmt_us_matches_printf)
{
    char got[32], want[32];
    static const int64_t edges[] = {-5,      0,        999,      1000,     1005,       1015,
                                    9995,    9999,     10000,    10050,    99950,      99999,
                                    100000,  100500,   999500,   999999,   1000000,    1005000,
                                    9995000, 10000000, 10050000, 10150000, 3600000000, INT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        ui_fmt_us_in(got, sizeof got, edges[i], "µs");
        ref_us(want, sizeof want, edges[i]);
        ASSERT_STR(got, want);
    }
    uint64_t s = 3;
    for (int i = 0; i < 200000; i++) {
        int64_t us = (int64_t)(rng(&s) % 100000000000ULL >> (rng(&s) % 36));
        if (i % 2)
            us = us / 5 * 5;
        ui_fmt_us_in(got, sizeof got, us, "µs");
        ref_us(want, sizeof want, us);
        ASSERT_STR(got, want);
    }
    ASSERT_STR(ui_fmt_us_in(got, sizeof got, 850, "us"), "850us");
}

TEST(ui_fmt_clock_matches_printf)
{
    char got[32], want[32];
    static const int64_t edges[] = {-1,       0,          999999,     1000000,     59999999,
                                    60000000, 3599999999, 3600000000, 86399000000, 360000000000000};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        ui_fmt_clock(got, sizeof got, edges[i]);
        ref_clock(want, sizeof want, edges[i]);
        ASSERT_STR(got, want);
    }
    for (int64_t sec = 0; sec < 200000; sec += 7) {
        ui_fmt_clock(got, sizeof got, sec * 1000000 + 123);
        ref_clock(want, sizeof want, sec * 1000000 + 123);
        ASSERT_STR(got, want);
    }
}

TEST(ui_fmt_pct_matches_printf)
{
    char got[32], want[32];
    /* every share a/b the dashboard can show for b up to 400 (ties: 1/8, 1/16, 1/40 ...) */
    for (int bb = 1; bb <= 400; bb++) {
        for (int a = 0; a <= bb; a++) {
            ui_fmt_pct(got, sizeof got, (double)a / bb);
            ref_pct(want, sizeof want, (double)a / bb);
            ASSERT_STR(got, want);
        }
    }
    uint64_t s = 4;
    for (int i = 0; i < 200000; i++) {
        uint64_t total = 1 + rng(&s) % 100000000, part = rng(&s) % (total + 1);
        ui_fmt_pct(got, sizeof got, (double)part / total);
        ref_pct(want, sizeof want, (double)part / total);
        ASSERT_STR(got, want);
    }
    ASSERT_STR(ui_fmt_pct(got, sizeof got, 1.0 / 16), "6.2%"); /* a tie: to even, as printf */
    ASSERT_STR(ui_fmt_pct(got, sizeof got, -1), "0%");
}

TEST(ui_fmt_short_buffers_are_cut_and_terminated)
{
    char b[4];
    ASSERT_STR(ui_fmt_count(b, sizeof b, 123456), "123");
    ASSERT_STR(ui_fmt_us_in(b, sizeof b, 1500, "µs"), "1.5");
    ASSERT_STR(ui_fmt_clock(b, sizeof b, 3723000000), "1:0");
    ASSERT_STR(ui_fmt_pct(b, sizeof b, 0.5), "50.");
}
