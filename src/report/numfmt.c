/* numfmt.c — see numfmt.h. Every number goes through a fixed printf
 * format, so a report's text depends on its numbers only. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>

char *numfmt_rate(char *out, size_t n, double r)
{
    if (isnan(r))
        snprintf(out, n, "n/a");
    else if (fabs(r) >= NUMFMT_HUGE)
        snprintf(out, n, "%.3g", r);
    else if (fabs(r - round(r)) < 0.005)
        snprintf(out, n, "%.0f", r);
    else
        snprintf(out, n, r >= 10 ? "%.1f" : "%.2g", r);
    return out;
}

char *numfmt_rate_per_s(char *out, size_t n, double r)
{
    char b[48];
    if (isnan(r))
        snprintf(out, n, "n/a");
    else
        snprintf(out, n, "%s/s", numfmt_rate(b, sizeof b, r));
    return out;
}

char *numfmt_rate1(char *out, size_t n, double r)
{
    if (!isfinite(r))
        snprintf(out, n, "n/a");
    else
        snprintf(out, n, fabs(r) >= NUMFMT_HUGE ? "%.3g/s" : "%.1f/s", r);
    return out;
}

char *numfmt_count(char *out, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(out, n, "n/a");
        return out;
    }
    if (fabs(v) >= NUMFMT_HUGE) {
        snprintf(out, n, "%.3g", v);
        return out;
    }
    char raw[32], grouped[48];
    int len = snprintf(raw, sizeof raw, "%.0f", v), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && raw[i - 1] != '-' && (len - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = raw[i];
    }
    grouped[o] = '\0';
    snprintf(out, n, "%s", grouped);
    return out;
}

char *numfmt_pct(char *out, size_t n, double p)
{
    if (!isfinite(p))
        snprintf(out, n, "n/a");
    else if (fabs(p) >= NUMFMT_HUGE)
        snprintf(out, n, "%.3g%%", p);
    else if (p > 0 && p < 0.1)
        snprintf(out, n, "<0.1%%");
    else
        snprintf(out, n, "%.1f%%", p);
    return out;
}

char *numfmt_ms(char *out, size_t n, double v)
{
    if (!isfinite(v))
        snprintf(out, n, "n/a");
    else if (fabs(v) >= NUMFMT_HUGE)
        snprintf(out, n, "%.3g", v);
    else if (v != 0 && fabs(v) < 0.95)
        /* two significant digits: 0.42, 0.042 (1 µs is 0.0010) */
        snprintf(out, n, "%.*f", (int)fmax(2, 1 - floor(log10(fabs(v)))), v);
    else
        snprintf(out, n, "%.1f", v);
    return out;
}

char *numfmt_duration(char *out, size_t n, double s)
{
    if (isnan(s)) {
        snprintf(out, n, "n/a");
    } else if (fabs(s) >= NUMFMT_LONGEST_S) {
        snprintf(out, n, "%.3g s", s);
    } else if (s < 60) {
        snprintf(out, n, fabs(s - round(s)) < 0.05 ? "%.0f s" : "%.1f s", s);
    } else {
        long t = lround(s);
        if (t >= 3600)
            snprintf(out, n, "%ld h %02ld min", t / 3600, t / 60 % 60);
        else if (t % 60)
            snprintf(out, n, "%ld min %02ld s", t / 60, t % 60);
        else
            snprintf(out, n, "%ld min", t / 60);
    }
    return out;
}

char *numfmt_clock(char *out, size_t n, double s, int tenths)
{
    if (isnan(s) || s < 0) {
        snprintf(out, n, "n/a");
    } else if (s >= NUMFMT_LONGEST_S) {
        snprintf(out, n, "%.3g s", s);
    } else if (tenths) {
        long t = lround(s * 10);
        snprintf(out, n, "%ld:%02ld.%ld", t / 600, t / 10 % 60, t % 10);
    } else {
        long t = lround(s);
        if (t >= 3600)
            snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
        else
            snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
    }
    return out;
}

char *numfmt_kib(char *out, size_t n, double kib)
{
    if (isnan(kib) || kib <= 0)
        snprintf(out, n, "n/a");
    else if (kib >= 1024 * 1024)
        snprintf(out, n, "%.1f GiB", kib / (1024 * 1024));
    else
        snprintf(out, n, "%.0f MiB", kib / 1024);
    return out;
}

char *numfmt_bytes(char *out, size_t n, double v)
{
    if (isnan(v))
        snprintf(out, n, "n/a");
    else if (v < 1024)
        snprintf(out, n, "%.0f B", v);
    else if (v < 1024 * 1024)
        snprintf(out, n, "%.1f KiB", v / 1024);
    else if (v < 1024.0 * 1024 * 1024)
        snprintf(out, n, "%.1f MiB", v / (1024 * 1024));
    else
        snprintf(out, n, "%.2f GiB", v / (1024.0 * 1024 * 1024));
    return out;
}
