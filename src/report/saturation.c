/* saturation.c — see saturation.h. */
#include "saturation.h"

#include <stdio.h>

unsigned saturation_of(double self_cpu_pct, double lag_p99_ms)
{
    /* comparisons with NaN are false: an unknown reading never counts */
    return (self_cpu_pct >= SATURATION_CPU_PCT ? SATURATION_CPU : 0) |
           (lag_p99_ms >= SATURATION_LAG_MS ? SATURATION_LAG : 0);
}

char *saturation_describe(unsigned why, double self_cpu_pct, double lag_p99_ms, char *out, size_t n)
{
    int len = 0;
    if (n)
        out[0] = '\0';
    if ((why & SATURATION_CPU) && n)
        len = snprintf(out, n, "own CPU %.0f%% of a core", self_cpu_pct);
    if ((why & SATURATION_LAG) && len >= 0 && (size_t)len < n)
        snprintf(out + len, n - (size_t)len, "%sschedule lag p99 %.1f ms", len ? ", " : "",
                 lag_p99_ms);
    return out;
}
