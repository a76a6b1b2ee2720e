/* schedule.c — pure arrival math; see schedule.h for the rules. Every time
 * is phase_start + a closed form of the arrival's index, so nothing drifts. */
#include "schedule.h"

#include <math.h>

#define SEC 1000000

static int64_t ramp_secs(const struct phase *p)
{
    int64_t n = (p->duration_us + SEC - 1) / SEC;
    return n > 0 ? n : 1;
}

/* Ramps run whole seconds (as Artillery's one-second periods do). */
static int64_t phase_len(const struct phase *p)
{
    return p->kind == PHASE_RAMP ? ramp_secs(p) * SEC : p->duration_us;
}

/* Arrivals in second i of a ramp under multiplier m. */
static int64_t ramp_n(const struct phase *p, int64_t i, double m)
{
    int64_t secs = ramp_secs(p);
    /* Artillery's operation order, so rounding ties fall the same way */
    double x = secs == 1 ? (p->rate_to + p->rate) / 2
                         : (p->rate_to - p->rate) / (double)(secs - 1) * (double)i + p->rate;
    double n = floor(x);
    if (x - n >= 0.5)
        n += 1;
    if (m != 1.0)
        n = floor(n * m + 0.5);
    return n > 0 ? (int64_t)n : 0;
}

/* floor(1000/n) ms; 0 when more than 1000 arrivals share the second. */
static int64_t ramp_tick(int64_t n)
{
    return n <= 1000 ? 1000 / n * 1000 : 0;
}

/* First second >= i that has arrivals, or ramp_secs(p). */
static int64_t ramp_nonempty(const struct phase *p, double m, int64_t i)
{
    int64_t hi = ramp_secs(p);
    if (i >= hi || ramp_n(p, i, m) > 0)
        return i;
    if (!(p->rate_to > p->rate))
        return hi; /* n never grows again */
    /* n is non-decreasing: bisect with n(i) == 0 and (hi == end or n(hi) > 0) */
    while (hi - i > 1) {
        int64_t mid = i + (hi - i) / 2;
        if (ramp_n(p, mid, m) > 0)
            hi = mid;
        else
            i = mid;
    }
    return hi;
}

/* Time of the k-th arrival (k >= 1) at r arrivals a second, in µs from
 * the start of the spacing: floor(k * 1e6 / r), so that r * D arrivals
 * fit D whatever r is (a whole-µs tick, floor(1e6 / r), planned 1 % too
 * many at 15 000/s). Integer arithmetic for a whole r, where a double
 * quotient could round up to the next µs; r is capped at one a µs. */
static int64_t rate_at(double r, int64_t k)
{
    if (r >= 1e6)
        return k;
    if (r == floor(r))
        return k * SEC / (int64_t)r;
    return (int64_t)floor((double)k * 1e6 / r);
}

/* Arrivals at rate r in a span of len µs: the largest k with
 * rate_at(r, k) <= len. */
static int64_t rate_count(double r, int64_t len)
{
    if (!(r > 0) || len < 0)
        return 0;
    int64_t n = (int64_t)((double)len * (r < 1e6 ? r : 1e6) / 1e6);
    while (n > 0 && rate_at(r, n) > len)
        n--;
    while (rate_at(r, n + 1) <= len)
        n++;
    return n;
}

/* Phase-relative time of the next arrival of `p` for the cursor (anchor, k)
 * or (*sec, *j), or -1 when the phase has none left. Moves a RAMP cursor
 * past exhausted seconds so repeated peeks stay O(1). */
static int64_t next_at(const struct phase *p, double m, double fixed, int64_t anchor, int64_t k,
                       int64_t *sec, int64_t *j)
{
    int64_t len = phase_len(p), t;
    if (fixed > 0) {
        /* an exact rate: the same spacing for every kind of phase */
        t = anchor + rate_at(fixed, k + 1);
        return t <= len ? t : -1;
    }
    switch (p->kind) {
    case PHASE_CONST:
        if (!(p->rate * m > 0))
            return -1;
        t = anchor + rate_at(p->rate * m, k + 1);
        break;
    case PHASE_COUNT:
        if (p->count <= 0)
            return -1;
        if (m == 1.0) {
            /* exact k*D/C without overflow: D = q*C + r */
            int64_t q = len / p->count, r = len % p->count;
            t = anchor + (k + 1) * q + (k + 1) * r / p->count;
        } else {
            double d = (double)(k + 1) * ((double)len / ((double)p->count * m));
            if (d > (double)len)
                return -1;
            t = anchor + (int64_t)d;
        }
        break;
    case PHASE_RAMP:
        while (*sec < ramp_secs(p)) {
            int64_t n = ramp_n(p, *sec, m);
            if (*j < n)
                return *sec * SEC + *j * ramp_tick(n);
            *sec = ramp_nonempty(p, m, *sec + 1);
            *j = 0;
        }
        return -1;
    default:
        return -1;
    }
    return t <= len ? t : -1;
}

static int64_t cur_next(struct sched *s)
{
    return next_at(&s->phases[s->cur], s->mult, s->fixed, s->anchor, s->k, &s->sec, &s->j);
}

static void enter(struct sched *s, int phase, int64_t start)
{
    s->cur = phase;
    s->phase_start = start;
    s->anchor = s->k = s->sec = s->j = s->emitted = 0;
}

static void next_phase(struct sched *s)
{
    enter(s, s->cur + 1, s->phase_start + phase_len(&s->phases[s->cur]));
}

int sched_deal(uint64_t k, int nworkers)
{
    return nworkers > 1 ? (int)(k % (uint64_t)nworkers) : 0;
}

/* Arrivals k in [0, x) with k mod nparts = i. */
static int64_t dealt_below(int64_t x, int i, int nparts)
{
    return x / nparts + (x % nparts > i);
}

int64_t sched_dealt(int64_t from, int64_t n, int i, int nparts)
{
    if (nparts <= 1)
        return n;
    return dealt_below(from + n, i, nparts) - dealt_below(from, i, nparts);
}

void sched_init(struct sched *s, const struct phase *phases, int nphases, int64_t start)
{
    *s = (struct sched){.phases = phases, .nphases = nphases, .mult = 1.0};
    enter(s, 0, start);
}

int64_t sched_peek(struct sched *s)
{
    if (s->paused || s->cur >= s->nphases)
        return SCHED_NONE;
    int64_t t = cur_next(s);
    if (t >= 0)
        return s->phase_start + t;
    int64_t start = s->phase_start + phase_len(&s->phases[s->cur]);
    for (int i = s->cur + 1; i < s->nphases; i++) {
        int64_t sec = 0, j = 0;
        t = next_at(&s->phases[i], s->mult, s->fixed, 0, 0, &sec, &j);
        if (t >= 0)
            return start + t;
        start += phase_len(&s->phases[i]);
    }
    return SCHED_NONE;
}

int sched_take(struct sched *s)
{
    if (s->paused)
        return -1;
    for (; s->cur < s->nphases; next_phase(s), s->moved++) {
        if (cur_next(s) < 0)
            continue;
        if (s->phases[s->cur].kind == PHASE_RAMP && !(s->fixed > 0))
            s->j++;
        else
            s->k++;
        s->emitted++;
        return s->cur;
    }
    return -1;
}

int sched_advance(struct sched *s, int64_t now)
{
    int n = s->moved;
    s->moved = 0;
    while (!s->paused && s->cur < s->nphases &&
           now - s->phase_start >= phase_len(&s->phases[s->cur]) && cur_next(s) < 0) {
        next_phase(s);
        n++;
    }
    return n;
}

void sched_pause(struct sched *s, int64_t now)
{
    if (!s->paused) {
        s->paused = 1;
        s->paused_at = now;
    }
}

void sched_resume(struct sched *s, int64_t now)
{
    if (s->paused) {
        s->phase_start += now - s->paused_at;
        s->paused = 0;
    }
}

void sched_skip(struct sched *s, int64_t now)
{
    if (s->cur >= s->nphases)
        return;
    enter(s, s->cur + 1, now);
    if (s->paused)
        s->paused_at = now; /* the new phase's clock starts at 0 on resume */
    s->moved++;
}

void sched_set_rate(struct sched *s, double rate, int64_t now)
{
    if (!(rate >= 0))
        return;
    if (rate == 0) {
        sched_set_mult(s, s->mult, now);
        return;
    }
    s->fixed = rate;
    if (s->cur >= s->nphases)
        return;
    int64_t t0 = sched_phase_elapsed(s, now);
    s->anchor = t0 < 0 ? 0 : t0;
    s->k = 0;
}

void sched_set_mult(struct sched *s, double m, int64_t now)
{
    if (!(m > 0))
        return;
    s->mult = m;
    s->fixed = 0;
    if (s->cur >= s->nphases)
        return;
    const struct phase *p = &s->phases[s->cur];
    int64_t t0 = sched_phase_elapsed(s, now);
    if (t0 < 0)
        t0 = 0;
    if (p->kind != PHASE_RAMP) {
        s->anchor = t0;
        s->k = 0;
        return;
    }
    /* the first point of the new grid after t0 (at t0 if nothing was taken) */
    int64_t from = s->emitted ? t0 + 1 : t0;
    s->sec = from / SEC;
    s->j = 0;
    if (s->sec >= ramp_secs(p))
        return;
    int64_t n = ramp_n(p, s->sec, m), tick = ramp_tick(n), rel = from - s->sec * SEC;
    if (n > 0)
        s->j = tick ? (rel + tick - 1) / tick : (rel > 0 ? n : 0);
}

int64_t sched_phase_elapsed(const struct sched *s, int64_t now)
{
    if (s->cur >= s->nphases)
        return 0;
    return (s->paused ? s->paused_at : now) - s->phase_start;
}

double sched_target_rate(const struct sched *s, int64_t now)
{
    if (s->paused || s->cur >= s->nphases)
        return 0;
    if (s->fixed > 0)
        return s->fixed;
    const struct phase *p = &s->phases[s->cur];
    switch (p->kind) {
    case PHASE_CONST:
        return p->rate * s->mult;
    case PHASE_COUNT:
        return (double)p->count * 1e6 / (double)p->duration_us * s->mult;
    case PHASE_RAMP: {
        int64_t sec = sched_phase_elapsed(s, now) / SEC, last = ramp_secs(p) - 1;
        sec = sec < 0 ? 0 : sec > last ? last : sec;
        return (double)ramp_n(p, sec, s->mult);
    }
    default:
        return 0;
    }
}

int sched_done(const struct sched *s)
{
    return s->cur >= s->nphases;
}

int64_t sched_phase_planned(const struct phase *p)
{
    switch (p->kind) {
    case PHASE_CONST:
        return rate_count(p->rate, p->duration_us);
    case PHASE_COUNT:
        return p->count > 0 ? p->count : 0;
    case PHASE_RAMP: {
        int64_t n = 0;
        for (int64_t i = 0; i < ramp_secs(p); i++)
            n += ramp_n(p, i, 1.0);
        return n;
    }
    default:
        return 0;
    }
}

int64_t sched_phase_arrival(const struct phase *p, int64_t k)
{
    if (k < 1 || k > sched_phase_planned(p))
        return -1;
    int64_t sec = 0, j = 0;
    if (p->kind != PHASE_RAMP)
        return next_at(p, 1.0, 0, 0, k - 1, &sec, &j);
    for (;; sec++) {
        int64_t n = ramp_n(p, sec, 1.0);
        if (k <= n)
            return sec * SEC + (k - 1) * ramp_tick(n);
        k -= n;
    }
}
