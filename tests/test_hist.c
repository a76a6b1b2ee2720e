/* test_hist.c — hist.c against exact percentiles of known samples. */
#include <stdlib.h>

#include "hist.h"
#include "test.h"
#include "util.h"

static const double qs[] = {1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99};

/* Deterministic uniform in (0, 1): a 64-bit LCG (Knuth's MMIX constants). */
static double lcg_unit(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Exact percentile of sorted samples with hist.h's definition. */
static int64_t exact_pct(const int64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q / 100.0 * (double)n - 1e-9);
    return sorted[rank < 1 ? 0 : rank - 1];
}

/* Record `v`, then check every percentile in qs against the sorted samples to
 * 0.1 % relative error (sorts `v` in place). Returns the first failing q or -1. */
static double check_against_samples(struct hist *h, int64_t *v, size_t n)
{
    hist_reset(h);
    for (size_t i = 0; i < n; i++)
        hist_record(h, v[i]);
    qsort(v, n, sizeof *v, cmp_i64);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = (double)exact_pct(v, n, qs[i]);
        double got = (double)hist_percentile(h, qs[i]);
        if (fabs(got - want) > 0.001 * want) {
            fprintf(stderr, "    p%g: got %.0f want %.0f\n", qs[i], got, want);
            return qs[i];
        }
    }
    if (hist_percentile(h, 0) != v[0] || hist_percentile(h, 100) != v[n - 1])
        return 0;
    return -1;
}

static int64_t *exponential_samples(size_t n, double mean_us, uint64_t seed)
{
    int64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(-mean_us * log(lcg_unit(&seed)));
    return v;
}

/* Log-normal by Box-Muller: median `median_us`, shape `sigma`. */
static int64_t *lognormal_samples(size_t n, double median_us, double sigma, uint64_t seed)
{
    int64_t *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        double z = sqrt(-2 * log(lcg_unit(&seed))) * cos(2 * M_PI * lcg_unit(&seed));
        v[i] = (int64_t)(median_us * exp(sigma * z));
    }
    return v;
}

static int hist_equal(const struct hist *a, const struct hist *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

TEST(hist_empty)
{
    struct hist *h = hist_new();
    ASSERT_EQ(h->count, 0);
    ASSERT_EQ(h->min, INT64_MAX);
    ASSERT_EQ(h->max, 0);
    ASSERT_EQ(hist_percentile(h, 0), 0);
    ASSERT_EQ(hist_percentile(h, 50), 0);
    ASSERT_EQ(hist_percentile(h, 100), 0);
    ASSERT_NEAR(hist_mean(h), 0, 0);
    free(h);
}

TEST(hist_single_value)
{
    struct hist *h = hist_new();
    hist_record(h, 123457);
    ASSERT_EQ(h->count, 1);
    ASSERT_EQ(h->min, 123457);
    ASSERT_EQ(h->max, 123457);
    ASSERT_EQ(hist_percentile(h, 0), 123457);
    ASSERT_EQ(hist_percentile(h, 50), 123457);
    ASSERT_EQ(hist_percentile(h, 99.9), 123457);
    ASSERT_EQ(hist_percentile(h, 100), 123457);
    ASSERT_NEAR(hist_mean(h), 123457, 0);
    free(h);
}

TEST(hist_uniform)
{
    struct hist *h = hist_new();
    for (int64_t v = 1; v <= 100000; v++)
        hist_record(h, v);
    ASSERT_EQ(h->count, 100000);
    ASSERT_EQ(h->min, 1);
    ASSERT_EQ(h->max, 100000);
    ASSERT_NEAR(hist_mean(h), 50000.5, 0);
    ASSERT_EQ(hist_percentile(h, 0), 1);
    ASSERT_EQ(hist_percentile(h, 100), 100000);
    /* Below 2048 µs buckets are 1 µs wide: exact. */
    ASSERT_EQ(hist_percentile(h, 1), 1000);
    ASSERT_EQ(hist_percentile(h, 2), 2000);
    /* 50000 sits in [49984, 50016) whose midpoint is 50000. */
    ASSERT_EQ(hist_percentile(h, 50), 50000);
    /* 99000 sits in [98944, 99008), 64 µs wide: midpoint 98976. */
    ASSERT_EQ(hist_percentile(h, 99), 98976);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = ceil(qs[i] / 100.0 * 100000 - 1e-9);
        ASSERT_NEAR(hist_percentile(h, qs[i]), want, 0.001 * want);
    }
    free(h);
}

TEST(hist_exponential)
{
    struct hist *h = hist_new();
    size_t n = 200000;
    int64_t *v = exponential_samples(n, 20000, 42);
    double bad = check_against_samples(h, v, n);
    ASSERT_NEAR(bad, -1, 0);
    free(v);
    free(h);
}

TEST(hist_lognormal)
{
    struct hist *h = hist_new();
    size_t n = 200000;
    int64_t *v = lognormal_samples(n, 50000, 1.0, 7);
    double bad = check_against_samples(h, v, n);
    ASSERT_NEAR(bad, -1, 0);
    free(v);
    free(h);
}

/* A reset clears only the buckets between min and max: after any values,
 * including the clamped top and 0, it must equal a fresh histogram. */
TEST(hist_reset_is_empty)
{
    struct hist *fresh = hist_new(), *h = hist_new();
    int64_t vals[] = {0, 1, 2047, 2048, 123456, HIST_MAX_US, HIST_MAX_US * 5, -3};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        for (size_t j = 0; j <= i; j++)
            hist_record(h, vals[j] * (int64_t)(i + 1) % (HIST_MAX_US * 6));
        hist_reset(h);
        ASSERT(hist_equal(h, fresh));
    }
    /* a failed decode over a full histogram leaves it empty too */
    for (int64_t v = 1; v < 5000000; v += 997)
        hist_record(h, v);
    ASSERT_EQ(hist_decode(h, "h1:!!!"), -1);
    ASSERT(hist_equal(h, fresh));
    free(fresh);
    free(h);
}

TEST(hist_merge_equals_single)
{
    struct hist *all = hist_new(), *a = hist_new(), *b = hist_new(), *e = hist_new();
    size_t n = 50000;
    int64_t *v = lognormal_samples(n, 3000, 1.5, 99);
    for (size_t i = 0; i < n; i++) {
        hist_record(all, v[i]);
        hist_record(i % 3 ? a : b, v[i]);
    }
    hist_merge(a, b);
    ASSERT(hist_equal(a, all));
    hist_merge(a, e); /* empty into full: no change */
    ASSERT(hist_equal(a, all));
    hist_merge(e, all); /* full into empty: a copy */
    ASSERT(hist_equal(e, all));
    ASSERT_EQ(e->count, n);
    free(v);
    free(all), free(a), free(b), free(e);
}

TEST(hist_zero_and_negative)
{
    struct hist *h = hist_new();
    hist_record(h, 0);
    hist_record(h, -5);
    hist_record(h, 3);
    ASSERT_EQ(h->count, 3);
    ASSERT_EQ(h->min, 0);
    ASSERT_EQ(h->max, 3);
    ASSERT_EQ(h->buckets[0], 2);
    ASSERT_EQ(h->buckets[3], 1);
    ASSERT_NEAR(hist_mean(h), 1, 0);
    ASSERT_EQ(hist_percentile(h, 50), 0);
    ASSERT_EQ(hist_percentile(h, 66.6), 0);
    ASSERT_EQ(hist_percentile(h, 66.7), 3);
    free(h);
}

TEST(hist_above_max)
{
    struct hist *h = hist_new();
    int64_t big = HIST_MAX_US * 4 + 7;
    hist_record(h, big);
    ASSERT_EQ(h->min, big);
    ASSERT_EQ(h->max, big);
    ASSERT_EQ(hist_percentile(h, 50), big); /* clamped up to min */
    hist_record(h, 100);
    hist_record(h, INT64_MAX);
    ASSERT_EQ(h->count, 3);
    ASSERT_EQ(h->max, INT64_MAX);
    ASSERT_EQ(hist_percentile(h, 100), INT64_MAX);
    ASSERT_EQ(hist_percentile(h, 10), 100);
    /* Both huge values share the top bucket: its midpoint, within 0.1 % of HIST_MAX_US. */
    int64_t p = hist_percentile(h, 50);
    ASSERT(p >= HIST_MAX_US && p <= HIST_MAX_US + HIST_MAX_US / 1000);
    ASSERT_EQ(hist_percentile(h, 99), p);
    free(h);
}

static int round_trips(const struct hist *h)
{
    struct hist *d = hist_new();
    char *s = hist_encode(h);
    hist_record(d, 77); /* decode must overwrite what was there */
    int ok = hist_decode(d, s) == 0 && hist_equal(d, h);
    free(s);
    free(d);
    return ok;
}

TEST(hist_encode_round_trip)
{
    struct hist *h = hist_new();
    char *s = hist_encode(h);
    ASSERT_STR(s, "h1:g");
    free(s);
    ASSERT(round_trips(h));

    hist_record(h, 0);
    s = hist_encode(h); /* pins the format: n=1, min 0, span 0, sum 0.0, gap 0, count 1 */
    ASSERT_STR(s, "h1:WAAAAAAAAAAG");
    free(s);
    ASSERT(round_trips(h));
    hist_record(h, 1500);
    hist_record(h, 1500);
    hist_record(h, 1502);
    hist_record(h, HIST_MAX_US * 3);
    ASSERT(round_trips(h));

    hist_reset(h);
    for (int64_t v = 1; v <= 100000; v++)
        hist_record(h, v);
    ASSERT(round_trips(h));

    int64_t *v = lognormal_samples(100000, 800, 2.0, 3);
    hist_reset(h);
    for (size_t i = 0; i < 100000; i++)
        hist_record(h, v[i]);
    ASSERT(round_trips(h));
    free(v);
    free(h);
}

TEST(hist_decode_malformed)
{
    struct hist *h = hist_new(), *ok = hist_new();
    hist_record(ok, 5);
    hist_record(ok, 9000);
    hist_record(ok, 9001);
    char *good = hist_encode(ok);
    ASSERT_EQ(hist_decode(h, good), 0);
    ASSERT(hist_equal(h, ok));

    char *bad = xstrdup(good);
    bad[strlen(bad) - 1] = '\0'; /* the last count is cut short */
    ASSERT_EQ(hist_decode(h, bad), -1);
    ASSERT_EQ(h->count, 0); /* left empty on failure */
    free(bad);
    bad = xasprintf("%sA", good); /* a whole digit past the end */
    ASSERT_EQ(hist_decode(h, bad), -1);
    free(bad);
    bad = xasprintf("h2:%s", good + 3);
    ASSERT_EQ(hist_decode(h, bad), -1);
    free(bad);

    /* min and max must agree with the first and last non-empty bucket. */
    ok->min = 6;
    bad = hist_encode(ok);
    ASSERT_EQ(hist_decode(h, bad), -1);
    free(bad);
    ok->min = 5, ok->max = 9100;
    bad = hist_encode(ok);
    ASSERT_EQ(hist_decode(h, bad), -1);
    free(bad);

    ASSERT_EQ(hist_decode(h, "h1:g"), 0);
    ASSERT_EQ(h->min, INT64_MAX);
    ASSERT_EQ(hist_decode(h, "h1:WAAAAAAAAAAG"), 0);
    ASSERT_EQ(h->count, 1);
    ASSERT_EQ(h->buckets[0], 1);
    ASSERT_EQ(hist_decode(h, ""), -1);
    ASSERT_EQ(hist_decode(h, "h1:"), -1);
    ASSERT_EQ(hist_decode(h, NULL), -1);
    ASSERT_EQ(hist_decode(h, "h1:h"), -1);             /* padding bits not zero */
    ASSERT_EQ(hist_decode(h, "h1:g="), -1);            /* not base64url */
    ASSERT_EQ(hist_decode(h, "h1:WAAAAAAAAAA"), -1);   /* stream ends inside the sum */
    ASSERT_EQ(hist_decode(h, "h1:AAAAAAAAAAAAg"), -1); /* code longer than 64 bits */
    ASSERT_EQ(hist_decode(h, "h1:AAEQBA"), -1);        /* n = HIST_NBUCKETS + 1 */
    free(good);
    free(ok);
    free(h);
}

/* Typical latency shapes: log-normal around 50 ms and 2 ms, exponential. */
TEST(hist_encoded_size)
{
    struct hist *h = hist_new();
    int64_t *v[] = {lognormal_samples(10000, 50000, 0.5, 11),
                    lognormal_samples(10000, 2000, 1.0, 12), exponential_samples(10000, 2000, 13)};
    size_t len[3];
    for (size_t k = 0; k < 3; k++) {
        hist_reset(h);
        for (size_t i = 0; i < 10000; i++)
            hist_record(h, v[k][i]);
        char *s = hist_encode(h);
        len[k] = strlen(s);
        free(s);
        free(v[k]);
    }
    free(h);
    ASSERT(len[0] < 4096);
    ASSERT(len[1] < 4096);
    ASSERT(len[2] < 4096);
}

/* One walk gives exactly what separate hist_percentile calls give. */
TEST(hist_percentiles_one_walk_matches)
{
    static const double qq[] = {0, 1, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    const int n = (int)(sizeof qq / sizeof qq[0]);
    struct hist *h = hist_new();
    int64_t out[11];
    hist_percentiles(h, qq, n, out); /* empty */
    for (int k = 0; k < n; k++)
        ASSERT_EQ(out[k], 0);
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            hist_record(h, (int64_t)(x % 100000) * (round + 1) + round * 7);
        }
        hist_percentiles(h, qq, n, out);
        for (int k = 0; k < n; k++)
            ASSERT_EQ(out[k], hist_percentile(h, qq[k]));
    }
    hist_reset(h);
    hist_record(h, 42);
    hist_percentiles(h, qq, n, out);
    for (int k = 0; k < n; k++)
        ASSERT_EQ(out[k], 42);
    free(h);
}
