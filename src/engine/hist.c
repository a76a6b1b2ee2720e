/* hist.c — see hist.h.
 *
 * Bucket layout: values below 2048 µs have one bucket each (index = value).
 * Above, a value whose top bit is bit m lands in octave shift = m - 10 with
 * 1024 sub-buckets of width 2^shift: index = shift * 1024 + (v >> shift), and
 * v >> shift is in [1024, 2047], so indices are contiguous. A bucket is at most
 * 1/1024 of its lowest value wide, and its midpoint is within 0.05 % of any
 * value in it. HIST_MAX_US (2^42) lands in bucket 33 * 1024; bigger values are
 * clamped to it.
 *
 * Text encoding: "h1:" then base64url digits (no padding) carrying a bit
 * stream, most significant bit first, zero-padded to a whole digit. Integers
 * are Exp-Golomb codes (small values cost few bits; order k shifts the cheap
 * range up to about 2^k). The stream is
 *   G0(n)                            number of non-empty buckets; if n > 0:
 *   G0(min) G0(max - min) sum:64     sum as the raw bits of the double
 *   n x { G0(gap) Gk(count - 1) }    gap = empty buckets since the previous
 *                                    non-empty one (from index 0); k from the
 *                                    previous count, see count_order().
 * An empty histogram is "h1:g". A typical 10 k-sample latency histogram
 * takes 1.5-3.5 KiB, a third less than one base64 varint per bucket. */
#include "hist.h"

#include <math.h>
#include <string.h>

#include "util.h"

#define HIST_LINEAR (2 << HIST_SUB_BITS)

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int hist_index(int64_t us)
{
    uint64_t v = us < 0 ? 0 : us > HIST_MAX_US ? (uint64_t)HIST_MAX_US : (uint64_t)us;
    if (v < HIST_LINEAR)
        return (int)v;
    int shift = 63 - __builtin_clzll(v) - HIST_SUB_BITS;
    return (shift << HIST_SUB_BITS) + (int)(v >> shift);
}

/* Midpoint of bucket i: low edge plus half its width. */
static int64_t hist_bucket_mid(int i)
{
    if (i < HIST_LINEAR)
        return i;
    int shift = (i >> HIST_SUB_BITS) - 1;
    int64_t low = (int64_t)(i - (shift << HIST_SUB_BITS)) << shift;
    return low + ((int64_t)1 << (shift - 1));
}

/* Every count lies between the buckets of min and max, so only that range
 * needs clearing: a histogram reset every second costs what it held, not
 * its 139 KiB. */
void hist_reset(struct hist *h)
{
    if (h->count) {
        int lo = hist_index(h->min), hi = hist_index(h->max);
        memset(&h->buckets[lo], 0, sizeof h->buckets[0] * (size_t)(hi - lo + 1));
    }
    h->count = 0;
    h->sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

struct hist *hist_new(void)
{
    struct hist *h = xcalloc(1, sizeof *h);
    h->min = INT64_MAX;
    return h;
}

void hist_record(struct hist *h, int64_t us)
{
    if (us < 0)
        us = 0;
    h->buckets[hist_index(us)]++;
    h->count++;
    h->sum += (double)us;
    if (us < h->min)
        h->min = us;
    if (us > h->max)
        h->max = us;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    if (!src->count)
        return;
    for (int i = hist_index(src->min), hi = hist_index(src->max); i <= hi; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

int64_t hist_percentile(const struct hist *h, double q)
{
    if (!h->count)
        return 0;
    if (!(q > 0))
        return h->min;
    if (q >= 100)
        return h->max;
    /* The small slack keeps e.g. 99.9 % of 1000 at rank 999, not 1000, when
     * q / 100 * count rounds a hair above an integer. */
    double r = ceil(q / 100.0 * (double)h->count - 1e-9);
    uint64_t rank = r < 1 ? 1 : r > (double)h->count ? h->count : (uint64_t)r;
    uint64_t cum = 0;
    int i = hist_index(h->min), hi = hist_index(h->max);
    for (; i < hi; i++) {
        cum += h->buckets[i];
        if (cum >= rank)
            break;
    }
    int64_t v = hist_bucket_mid(i);
    return v < h->min ? h->min : v > h->max ? h->max : v;
}

void hist_percentiles(const struct hist *h, const double *qs, int n, int64_t *out)
{
    int i = h->count ? hist_index(h->min) : 0, hi = h->count ? hist_index(h->max) : 0;
    uint64_t cum = h->count ? h->buckets[i] : 0;
    for (int k = 0; k < n; k++) {
        double q = qs[k];
        if (!h->count || !(q > 0) || q >= 100) {
            out[k] = hist_percentile(h, q);
            continue;
        }
        /* same rank as hist_percentile; the walk resumes where the last ended */
        double r = ceil(q / 100.0 * (double)h->count - 1e-9);
        uint64_t rank = r < 1 ? 1 : r > (double)h->count ? h->count : (uint64_t)r;
        while (cum < rank && i < hi)
            cum += h->buckets[++i];
        int64_t v = hist_bucket_mid(i);
        out[k] = v < h->min ? h->min : v > h->max ? h->max : v;
    }
}

uint64_t hist_count_below(const struct hist *h, int64_t us)
{
    if (!h->count || us <= h->min)
        return 0;
    if (us > h->max)
        return h->count;
    uint64_t n = 0;
    for (int i = hist_index(h->min), end = hist_index(us); i < end; i++)
        n += h->buckets[i];
    return n;
}

double hist_mean(const struct hist *h)
{
    return h->count ? h->sum / (double)h->count : 0;
}

/* Bits go into base64url digits, most significant first. */
struct bit_writer {
    struct buf b;
    unsigned acc, nacc;
};

static void bw_put(struct bit_writer *w, uint64_t v, int nbits)
{
    while (nbits-- > 0) {
        w->acc = w->acc << 1 | (unsigned)(v >> nbits & 1);
        if (++w->nacc == 6) {
            buf_append(&w->b, &b64url[w->acc], 1);
            w->acc = w->nacc = 0;
        }
    }
}

static int bit_len(uint64_t v)
{
    return v ? 64 - __builtin_clzll(v) : 0;
}

/* Exp-Golomb code of order k; callers keep x + 2^k below 2^64. */
static void bw_golomb(struct bit_writer *w, uint64_t x, int k)
{
    uint64_t y = x + ((uint64_t)1 << k);
    int n = bit_len(y);
    bw_put(w, 0, n - 1 - k);
    bw_put(w, y, n);
}

/* A count's Golomb order follows the previous count, so a dense run of
 * counts near c costs about log2(c) + 2 bits each and a sparse tail of 1s
 * costs 1 bit each. */
static int count_order(uint64_t prev)
{
    return bit_len(prev) > 2 ? bit_len(prev) - 2 : 0;
}

char *hist_encode(const struct hist *h)
{
    struct bit_writer w = {{0}, 0, 0};
    buf_puts(&w.b, "h1:");
    int lo = hist_index(h->min), hi = hist_index(h->max), nonempty = 0;
    for (int i = lo; h->count && i <= hi; i++)
        nonempty += h->buckets[i] != 0;
    bw_golomb(&w, (uint64_t)nonempty, 0);
    if (nonempty) {
        uint64_t sum_bits, prev_count = 1;
        memcpy(&sum_bits, &h->sum, sizeof sum_bits);
        bw_golomb(&w, (uint64_t)h->min, 0);
        bw_golomb(&w, (uint64_t)h->max - (uint64_t)h->min, 0);
        bw_put(&w, sum_bits, 64);
        for (int i = lo, prev = -1; i <= hi; i++) {
            if (!h->buckets[i])
                continue;
            bw_golomb(&w, (uint64_t)(i - prev - 1), 0);
            bw_golomb(&w, h->buckets[i] - 1, count_order(prev_count));
            prev_count = h->buckets[i];
            prev = i;
        }
    }
    bw_put(&w, 0, (6 - w.nacc) % 6);
    return w.b.data;
}

struct bit_reader {
    const char *s;
    size_t pos, nbits;
};

static int b64url_value(char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '-'             ? 62
           : c == '_'             ? 63
                                  : -1;
}

/* Read nbits (<= 64) into *out; -1 past the end. */
static int br_get(struct bit_reader *r, int nbits, uint64_t *out)
{
    if ((size_t)nbits > r->nbits - r->pos)
        return -1;
    uint64_t v = 0;
    for (; nbits > 0; nbits--, r->pos++)
        v = v << 1 | (uint64_t)(b64url_value(r->s[r->pos / 6]) >> (5 - r->pos % 6) & 1);
    *out = v;
    return 0;
}

static int br_golomb(struct bit_reader *r, int k, uint64_t *out)
{
    uint64_t bit = 0, rest;
    int zeros = -1;
    do {
        if (++zeros + k > 63 || br_get(r, 1, &bit))
            return -1;
    } while (!bit);
    if (br_get(r, zeros + k, &rest))
        return -1;
    *out = ((uint64_t)1 << (zeros + k) | rest) - ((uint64_t)1 << k);
    return 0;
}

static int hist_decode_body(struct hist *h, const char *text)
{
    if (strncmp(text, "h1:", 3))
        return -1;
    struct bit_reader r = {text + 3, 0, 0};
    for (const char *c = r.s; *c; c++)
        if (b64url_value(*c) < 0)
            return -1;
    r.nbits = 6 * strlen(r.s);
    uint64_t nonempty, min, span, sum_bits, gap, n, pad, prev_count = 1;
    if (br_golomb(&r, 0, &nonempty) || nonempty > HIST_NBUCKETS)
        return -1;
    if (nonempty) {
        if (br_golomb(&r, 0, &min) || br_golomb(&r, 0, &span) || br_get(&r, 64, &sum_bits) ||
            min > (uint64_t)INT64_MAX || span > (uint64_t)INT64_MAX - min)
            return -1;
        h->min = (int64_t)min;
        h->max = (int64_t)(min + span);
        memcpy(&h->sum, &sum_bits, sizeof h->sum);
    }
    for (int64_t i = -1, left = (int64_t)nonempty; left > 0; left--) {
        if (br_golomb(&r, 0, &gap) || gap >= (uint64_t)(HIST_NBUCKETS - 1 - i) ||
            br_golomb(&r, count_order(prev_count), &n) || n >= UINT32_MAX)
            return -1;
        i += (int64_t)gap + 1;
        /* min and max must fall in the first and last non-empty bucket. */
        if ((left == (int64_t)nonempty && i != hist_index(h->min)) ||
            (left == 1 && i != hist_index(h->max)))
            return -1;
        h->buckets[i] = (uint32_t)(n + 1);
        h->count += n + 1;
        prev_count = n + 1;
    }
    /* Only the zero padding of the last digit may remain. */
    size_t left_bits = r.nbits - r.pos;
    if (left_bits >= 6 || br_get(&r, (int)left_bits, &pad) || pad)
        return -1;
    return 0;
}

/* On failure `h` is left empty, never half-filled. A malformed stream may
 * have set buckets outside [min, max], so that clear is a whole one. */
int hist_decode(struct hist *h, const char *text)
{
    hist_reset(h);
    if (text && hist_decode_body(h, text) == 0)
        return 0;
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    return -1;
}
