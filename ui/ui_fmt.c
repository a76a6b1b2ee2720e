/* ui_fmt.c — the dashboard's number formats, without printf's floating point.
 * A frame formats a few dozen numbers, and glibc's %f (multi-precision
 * arithmetic) was 6-8 % of a frame's CPU; integer arithmetic prints the same
 * digits. A value that sits at a rounding tie is left to snprintf, which
 * rounds the exact binary value to even: the output never differs from the
 * format it stands for (tests/test_ui_fmt.c sweeps them against each other). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_fmt.h"

/* Copy the m bytes of t into b (n bytes), cut short and terminated. */
static char *out(char *b, size_t n, const char *t, size_t m)
{
    if (!n)
        return b;
    if (m >= n)
        m = n - 1;
    memcpy(b, t, m);
    b[m] = 0;
    return b;
}

/* The decimal digits of v, at least `width` of them (zero-padded), into t;
 * returns how many. t has room for 20. */
static size_t put_uint(char *t, uint64_t v, int width)
{
    char r[20];
    size_t k = 0;
    do {
        r[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while ((int)k < width)
        r[k++] = '0';
    for (size_t i = 0; i < k; i++)
        t[i] = r[k - 1 - i];
    return k;
}

/* v with d decimals (0..2) and a suffix, as snprintf "%.*f%s" prints it.
 * Returns NULL when integer arithmetic cannot be sure of the same digits:
 * v negative, not finite or large, or its scaled value within 1e-3 of a
 * rounding tie (the error of v * 10^d is below 2^-12 there). */
static char *fixed(char *b, size_t n, double v, int d, const char *suffix)
{
    static const double scale[] = {1, 10, 100};
    double t = v * scale[d];
    if (!(t >= 0 && t < 1099511627776.0)) /* 2^40; also false for NaN */
        return NULL;
    double fl = floor(t), frac = t - fl;
    if (fabs(frac - 0.5) < 1e-3)
        return NULL;
    uint64_t r = (uint64_t)fl + (frac > 0.5), sc = (uint64_t)scale[d];
    char o[64];
    size_t m = put_uint(o, r / sc, 1);
    if (d) {
        o[m++] = '.';
        m += put_uint(o + m, r % sc, d);
    }
    size_t sl = strlen(suffix);
    if (m + sl >= sizeof o)
        return NULL;
    memcpy(o + m, suffix, sl);
    return out(b, n, o, m + sl);
}

/* fixed(), or snprintf where it declines. */
static char *fixed_or_printf(char *b, size_t n, double v, int d, const char *suffix)
{
    if (!fixed(b, n, v, d, suffix))
        snprintf(b, n, "%.*f%s", d, v, suffix);
    return b;
}

static char *uint_suffix(char *b, size_t n, uint64_t v, const char *suffix)
{
    char o[48];
    size_t m = put_uint(o, v, 1), sl = strlen(suffix);
    if (m + sl >= sizeof o)
        sl = sizeof o - 1 - m;
    memcpy(o + m, suffix, sl);
    return out(b, n, o, m + sl);
}

char *ui_fmt_count(char *b, size_t n, uint64_t v)
{
    if (v < 1000000)
        return uint_suffix(b, n, v, "");
    if (v < 10000000)
        return fixed_or_printf(b, n, v / 1e6, 2, "M");
    if (v < 1000000000)
        return fixed_or_printf(b, n, v / 1e6, 1, "M");
    return fixed_or_printf(b, n, v / 1e9, 2, "G");
}

char *ui_fmt_rate(char *b, size_t n, double v)
{
    if (v <= 0) /* -0.0 too, which printf would show as "-0" */
        v = 0;
    if (v < 10 && v != (int64_t)v)
        return fixed_or_printf(b, n, v, 1, "");
    if (v < 100000)
        return fixed_or_printf(b, n, v, 0, "");
    return fixed_or_printf(b, n, v / 1e3, 0, "k");
}

char *ui_fmt_us_in(char *b, size_t n, int64_t us, const char *micro)
{
    if (us < 0)
        return out(b, n, "-", 1);
    if (us < 1000)
        return uint_suffix(b, n, (uint64_t)us, micro);
    if (us < 10000)
        return fixed_or_printf(b, n, us / 1e3, 2, "ms");
    if (us < 100000)
        return fixed_or_printf(b, n, us / 1e3, 1, "ms");
    if (us < 1000000)
        return fixed_or_printf(b, n, us / 1e3, 0, "ms");
    if (us < 10000000)
        return fixed_or_printf(b, n, us / 1e6, 2, "s");
    return fixed_or_printf(b, n, us / 1e6, 1, "s");
}

char *ui_fmt_clock(char *b, size_t n, int64_t us)
{
    uint64_t s = us > 0 ? (uint64_t)us / 1000000 : 0;
    char o[64];
    size_t m = 0;
    if (s >= 3600) {
        m = put_uint(o, s / 3600, 1);
        o[m++] = ':';
        m += put_uint(o + m, s / 60 % 60, 2);
    } else {
        m = put_uint(o, s / 60, 2);
    }
    o[m++] = ':';
    m += put_uint(o + m, s % 60, 2);
    return out(b, n, o, m);
}

char *ui_fmt_pct(char *b, size_t n, double frac)
{
    double p = frac * 100;
    if (p <= 0)
        return out(b, n, "0%", 2);
    if (p >= 100)
        return out(b, n, "100%", 4);
    return fixed_or_printf(b, n, p, p < 1 ? 2 : 1, "%");
}
