/* stats_int.h — private to stats.c and stats_merge.c. */
#ifndef LOADTOP_STATS_INT_H
#define LOADTOP_STATS_INT_H

#include <stddef.h>

#include "stats.h"

/* Make room for element `n` of an array of `n` elements of `size` bytes
 * (arrays grow one element at a time, doubling at powers of two). */
void *stats_grow(void *p, int n, size_t size);
/* A second's percentiles, from its response time and latency histograms. */
void second_percentiles(struct second *s, const struct hist *rt, const struct hist *lat);

#endif
