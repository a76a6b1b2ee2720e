/* hist.h — HDR-style log-linear histogram of durations in microseconds.
 * Fixed memory (no samples kept), relative error <= 0.1 % for any value in
 * range, exact merge by adding counts. Values below 1 µs count as 0..1 µs;
 * values above HIST_MAX_US are clamped into the top bucket (max stays exact).
 * Pure: no I/O, no globals. Ownership: the caller owns a struct hist. */
#ifndef LOADTOP_HIST_H
#define LOADTOP_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 10 /* 1024 linear sub-buckets per octave */
#define HIST_OCTAVES 33  /* above 2^10 µs: up to 2^42 µs (51 days) */
#define HIST_NBUCKETS ((HIST_OCTAVES + 1) << HIST_SUB_BITS)
#define HIST_MAX_US ((int64_t)1 << (HIST_OCTAVES + HIST_SUB_BITS - 1))

struct hist {
    uint64_t count;
    int64_t min, max; /* exact; min = INT64_MAX, max = 0 when empty */
    double sum;       /* exact sum of recorded values, for the mean */
    uint32_t buckets[HIST_NBUCKETS];
};

/* Make `h` empty. `h` must be empty or hold only recorded values (a fresh
 * struct must come from hist_new() or be zeroed first): only the buckets
 * between min and max are cleared. */
void hist_reset(struct hist *h);
/* Allocate an empty histogram (zeroed; free with free()). */
struct hist *hist_new(void);
/* Record one value (µs; negative values count as 0). O(1). */
void hist_record(struct hist *h, int64_t us);
/* Add every count of `src` into `dst` (same result as recording src's values). */
void hist_merge(struct hist *dst, const struct hist *src);
/* Value at percentile q in [0, 100]: the smallest bucket value v such that at
 * least q % of recorded values are <= v (q = 100 gives max; 0 gives min).
 * Returns a representative value of the bucket (its midpoint), clamped to
 * [min, max]. 0 when empty. */
int64_t hist_percentile(const struct hist *h, double q);
/* hist_percentile for each of qs[0..n) (ascending) in one walk of the
 * buckets; results in out[0..n). */
void hist_percentiles(const struct hist *h, const double *qs, int n, int64_t *out);
/* How many recorded values are below `us` (by bucket: a value in the
 * bucket that holds `us` counts as not below). For histograms drawn as
 * text: counts between two edges are differences of these. */
uint64_t hist_count_below(const struct hist *h, int64_t us);
/* Arithmetic mean of recorded values; 0 when empty. */
double hist_mean(const struct hist *h);

/* Compact, lossless text encoding of the non-empty buckets (base64url of a
 * varint delta stream; see hist.c). Returns a heap string the caller frees.
 * hist_decode() fills `h` from such a string; returns 0, or -1 if malformed. */
char *hist_encode(const struct hist *h);
int hist_decode(struct hist *h, const char *text);

#endif
