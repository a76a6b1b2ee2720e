/* test_schedule.c — exact arrival times and counts, driven the way the
 * engine drives the schedule: at `now`, sched_advance(s, now), then take
 * every arrival with sched_peek(s) <= now. */
#include "schedule.h"
#include "test.h"

#define MS 1000LL
#define S 1000000LL
#define T0 (1000 * S) /* an arbitrary absolute start: times must be absolute */

struct rec {
    int n;
    int64_t t[4096];
    int ph[4096];
    int moves; /* sum of sched_advance() returns */
};

static void take_due(struct sched *s, struct rec *r, int64_t now)
{
    r->moves += sched_advance(s, now);
    int64_t t;
    while ((t = sched_peek(s)) <= now && r->n < 4096) {
        r->t[r->n] = t;
        r->ph[r->n++] = sched_take(s);
    }
}

/* Event-driven: wake exactly at each next arrival. */
static void run_events(struct sched *s, struct rec *r)
{
    int64_t t;
    while ((t = sched_peek(s)) != SCHED_NONE)
        take_due(s, r, t);
}

/* Fixed steps of `step` µs over [from, to]: a late, coarse engine clock. */
static void run_steps(struct sched *s, struct rec *r, int64_t from, int64_t to, int64_t step)
{
    for (int64_t now = from; now <= to; now += step)
        take_due(s, r, now);
}

static struct phase cnst(double rate, int64_t dur)
{
    return (struct phase){.kind = PHASE_CONST, .rate = rate, .duration_us = dur};
}
static struct phase ramp(double a, double b, int64_t dur)
{
    return (struct phase){.kind = PHASE_RAMP, .rate = a, .rate_to = b, .duration_us = dur};
}
static struct phase count(int64_t c, int64_t dur)
{
    return (struct phase){.kind = PHASE_COUNT, .count = c, .duration_us = dur};
}
static struct phase pause_ph(int64_t dur)
{
    return (struct phase){.kind = PHASE_PAUSE, .duration_us = dur};
}

/* Enumerate a one-phase plan event-driven and with a 7 ms step: both must
 * give the same arrivals; they must match sched_phase_planned/_arrival. */
static int enum_phase(const struct phase *p, struct rec *r)
{
    struct sched s;
    sched_init(&s, p, 1, T0);
    run_events(&s, r);
    sched_advance(&s, T0 + 1000 * S);
    if (!sched_done(&s) || r->n != sched_phase_planned(p))
        return 0;
    struct rec rr2 = {0}, *r2 = &rr2;
    sched_init(&s, p, 1, T0);
    run_steps(&s, r2, T0, T0 + 1000 * S, 7 * MS);
    int ok = r2->n == r->n && sched_done(&s);
    for (int i = 0; ok && i < r->n; i++)
        ok = r2->t[i] == r->t[i] && r->ph[i] == 0 && sched_phase_arrival(p, i + 1) == r->t[i] - T0;
    return ok && sched_phase_arrival(p, r->n + 1) == -1 && sched_phase_arrival(p, 0) == -1;
}

static void per_second(const struct rec *r, int64_t start, int *bins, int nbins)
{
    memset(bins, 0, sizeof(int) * nbins);
    for (int i = 0; i < r->n; i++) {
        int64_t b = (r->t[i] - start) / S;
        if (b >= 0 && b < nbins)
            bins[b]++;
    }
}

TEST(schedule_const_4_per_s)
{
    struct phase p = cnst(4, 3 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 12);
    for (int i = 0; i < 12; i++)
        ASSERT_EQ(r->t[i], T0 + (i + 1) * 250 * MS);

    /* the 12th arrival (t = 3000 ms) belongs to the phase ending then */
    struct sched s;
    memset(r, 0, sizeof *r);
    sched_init(&s, &p, 1, T0);
    run_steps(&s, r, T0, T0 + 2999 * MS, MS);
    ASSERT_EQ(r->n, 11);
    ASSERT(!sched_done(&s));
    ASSERT_EQ(sched_advance(&s, T0 + 3000 * MS), 0);
    ASSERT_EQ(sched_peek(&s), T0 + 3000 * MS);
    ASSERT_EQ(sched_take(&s), 0);
    ASSERT_EQ(sched_peek(&s), SCHED_NONE);
    ASSERT_EQ(sched_advance(&s, T0 + 3000 * MS), 1);
    ASSERT(sched_done(&s));
}

TEST(schedule_const_fractional_rate)
{
    struct phase p = cnst(0.5, 10 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 5);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(r->t[i], T0 + (i + 1) * 2 * S);
    /* 3/s: floor(k * 1e6 / 3) µs, 30 arrivals in 10 s, the 30th at 10 s */
    p = cnst(3, 10 * S);
    memset(r, 0, sizeof *r);
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 30);
    ASSERT_EQ(r->t[0], T0 + 333333);
    ASSERT_EQ(r->t[1], T0 + 666666);
    ASSERT_EQ(r->t[2], T0 + S);
    ASSERT_EQ(r->t[29], T0 + 10 * S);
}

/* A rate that does not divide a second: exactly rate * D arrivals, as
 * many in every second (a whole-µs tick, 1e6/15000 -> 66, planned 1 %
 * more: 15 151 a second). */
TEST(schedule_const_rate_not_dividing_a_second)
{
    static const double rates[] = {15000, 12000, 7, 3000, 2.5, 333.3};
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
        struct phase p = cnst(rates[i], 6 * S);
        ASSERT_EQ(sched_phase_planned(&p), (int64_t)(rates[i] * 6 + 1e-9));
    }
    /* 1500/s for 2 s: 3000 (a 666 µs tick planned 3003) */
    struct phase p = cnst(1500, 2 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 3000);
    ASSERT_EQ(r->t[2999], T0 + 2 * S);
    int bins[2];
    per_second(r, T0 + 1, bins, 2); /* (t - 1) / S: an arrival at a second's end is in it */
    ASSERT_EQ(bins[0], 1500);
    ASSERT_EQ(bins[1], 1500);
}

TEST(schedule_ramp_1_to_5)
{
    struct phase p = ramp(1, 5, 5 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 15);
    static const int64_t want_ms[15] = {0,    1000, 1500, 2000, 2333, 2666, 3000, 3250,
                                        3500, 3750, 4000, 4200, 4400, 4600, 4800};
    for (int i = 0; i < 15; i++)
        ASSERT_EQ(r->t[i], T0 + want_ms[i] * MS);
    int bins[5];
    per_second(r, T0, bins, 5);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(bins[i], i + 1);
}

TEST(schedule_ramp_totals)
{
    struct {
        double a, b;
        int64_t secs, total;
    } cases[] = {{2, 12, 20, 140}, {0, 10, 15, 75}, {10, 0, 11, 55}};
    for (int c = 0; c < 3; c++) {
        struct phase p = ramp(cases[c].a, cases[c].b, cases[c].secs * S);
        struct rec rr = {0}, *r = &rr;
        ASSERT(enum_phase(&p, r));
        ASSERT_EQ(r->n, cases[c].total);
    }
    /* down ramp 10 -> 0 over 11 s: 10, 9, ..., 1, 0 per second */
    struct phase p = ramp(10, 0, 11 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    int bins[11];
    per_second(r, T0, bins, 11);
    for (int i = 0; i < 11; i++)
        ASSERT_EQ(bins[i], 10 - i);
    ASSERT_EQ(r->t[10], T0 + 1 * S); /* second 1: 9 arrivals, 111 ms apart */
    ASSERT_EQ(r->t[18], T0 + 1888 * MS);
    /* 0 -> 10 over 15 s: second 0 is empty, second 1 starts at 1 s */
    p = ramp(0, 10, 15 * S);
    memset(r, 0, sizeof *r);
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->t[0], T0 + S);
}

TEST(schedule_ramp_one_second)
{
    struct phase p = ramp(1, 4, S); /* (1+4)/2 = 2.5 rounds up to 3 */
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 3);
    ASSERT_EQ(r->t[0], T0);
    ASSERT_EQ(r->t[1], T0 + 333 * MS);
    ASSERT_EQ(r->t[2], T0 + 666 * MS);
    /* a fractional duration runs whole seconds: 1.5 s -> 2 s, n = 2, 4 */
    p = ramp(2, 4, 1500 * MS);
    memset(r, 0, sizeof *r);
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 6);
    ASSERT_EQ(r->t[5], T0 + 1750 * MS);
}

TEST(schedule_count)
{
    struct phase p = count(10, 5 * S);
    struct rec rr = {0}, *r = &rr;
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 10);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(r->t[i], T0 + (i + 1) * 500 * MS);
    p = count(3, S); /* k*D/C floored; the last exactly at D */
    memset(r, 0, sizeof *r);
    ASSERT(enum_phase(&p, r));
    ASSERT_EQ(r->n, 3);
    ASSERT_EQ(r->t[0], T0 + 333333);
    ASSERT_EQ(r->t[1], T0 + 666666);
    ASSERT_EQ(r->t[2], T0 + S);
}

TEST(schedule_pause_phase)
{
    struct phase p = pause_ph(5 * S);
    struct sched s;
    sched_init(&s, &p, 1, T0);
    ASSERT_EQ(sched_peek(&s), SCHED_NONE);
    ASSERT_EQ(sched_phase_planned(&p), 0);
    ASSERT_EQ(sched_phase_arrival(&p, 1), -1);
    ASSERT_EQ(sched_target_rate(&s, T0 + S), 0);
    ASSERT_EQ(sched_advance(&s, T0 + 4999 * MS), 0);
    ASSERT(!sched_done(&s));
    ASSERT_EQ(sched_advance(&s, T0 + 5 * S), 1);
    ASSERT(sched_done(&s));
}

/* const 2/s 3 s, ramp 1->3 3 s, pause 1 s, count 4 over 2 s */
static const int64_t plan_ms[16] = {500,  1000, 1500, 2000, 2500, 3000, 3000, 4000,
                                    4500, 5000, 5333, 5666, 7500, 8000, 8500, 9000};
static const int plan_ph[16] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3};

static void plan4(struct phase *ph)
{
    ph[0] = cnst(2, 3 * S);
    ph[1] = ramp(1, 3, 3 * S);
    ph[2] = pause_ph(S);
    ph[3] = count(4, 2 * S);
}

TEST(schedule_multi_phase)
{
    struct phase ph[4];
    plan4(ph);
    /* event-driven, 10 ms steps, and a very late 2.5 s clock (take crosses phases) */
    for (int mode = 0; mode < 3; mode++) {
        struct sched s;
        struct rec rr = {0}, *r = &rr;
        sched_init(&s, ph, 4, T0);
        if (mode == 0)
            run_events(&s, r);
        else
            run_steps(&s, r, T0, T0 + 10 * S, mode == 1 ? 10 * MS : 2500 * MS);
        ASSERT_EQ(r->n, 16);
        for (int i = 0; i < 16; i++) {
            ASSERT_EQ(r->t[i], T0 + plan_ms[i] * MS);
            ASSERT_EQ(r->ph[i], plan_ph[i]);
        }
        r->moves += sched_advance(&s, T0 + 10 * S);
        ASSERT_EQ(r->moves, 4);
        ASSERT(sched_done(&s));
        int per[4] = {0};
        for (int i = 0; i < r->n; i++)
            per[r->ph[i]]++;
        for (int i = 0; i < 4; i++)
            ASSERT_EQ(per[i], sched_phase_planned(&ph[i]));
    }
    /* phase boundaries seen through advance: in the pause phase at 6.5 s */
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    sched_init(&s, ph, 4, T0);
    run_steps(&s, r, T0, T0 + 6500 * MS, 100 * MS);
    ASSERT_EQ(s.cur, 2);
    ASSERT_EQ(sched_phase_elapsed(&s, T0 + 6500 * MS), 500 * MS);
    ASSERT_EQ(sched_peek(&s), T0 + 7500 * MS); /* looks ahead past the pause */
}

TEST(schedule_pause_resume)
{
    struct phase ph[2] = {cnst(4, 3 * S), count(2, S)};
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    sched_init(&s, ph, 2, T0);
    run_steps(&s, r, T0, T0 + 1100 * MS, MS);
    ASSERT_EQ(r->n, 4);
    sched_pause(&s, T0 + 1100 * MS);
    ASSERT_EQ(sched_peek(&s), SCHED_NONE);
    ASSERT_EQ(sched_target_rate(&s, T0 + 2 * S), 0);
    run_steps(&s, r, T0 + 1101 * MS, T0 + 3100 * MS, MS);
    ASSERT_EQ(r->n, 4);
    ASSERT_EQ(sched_phase_elapsed(&s, T0 + 3 * S), 1100 * MS);
    sched_resume(&s, T0 + 3100 * MS);
    ASSERT_EQ(sched_phase_elapsed(&s, T0 + 3100 * MS), 1100 * MS);
    run_steps(&s, r, T0 + 3100 * MS, T0 + 7 * S, MS);
    ASSERT(sched_done(&s));
    ASSERT_EQ(r->n, 14);
    for (int i = 0; i < 12; i++) /* remaining arrivals shifted by the 2 s pause */
        ASSERT_EQ(r->t[i], T0 + (i + 1) * 250 * MS + (i >= 4 ? 2 * S : 0));
    ASSERT_EQ(r->t[12], T0 + 5500 * MS);
    ASSERT_EQ(r->t[13], T0 + 6000 * MS);
    ASSERT_EQ(r->ph[13], 1);
    for (int i = 0; i < r->n; i++)
        ASSERT(r->t[i] <= T0 + 1100 * MS || r->t[i] >= T0 + 3100 * MS);
}

TEST(schedule_skip)
{
    struct phase ph[2] = {cnst(4, 3 * S), cnst(2, 2 * S)};
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    sched_init(&s, ph, 2, T0);
    run_steps(&s, r, T0, T0 + 1100 * MS, MS);
    ASSERT_EQ(r->n, 4);
    sched_skip(&s, T0 + 1100 * MS);
    ASSERT_EQ(s.cur, 1);
    ASSERT_EQ(sched_phase_elapsed(&s, T0 + 1100 * MS), 0);
    ASSERT_EQ(sched_peek(&s), T0 + 1600 * MS);
    r->moves = 0;
    run_steps(&s, r, T0 + 1100 * MS, T0 + 5 * S, MS);
    ASSERT_EQ(r->n, 8);
    for (int i = 4; i < 8; i++) {
        ASSERT_EQ(r->t[i], T0 + 1100 * MS + (i - 3) * 500 * MS);
        ASSERT_EQ(r->ph[i], 1);
    }
    ASSERT_EQ(r->moves, 2); /* the skip, then the end */
    ASSERT(sched_done(&s));
    sched_skip(&s, T0 + 6 * S); /* no-op once over */
    ASSERT(sched_done(&s));

    /* skipping the last phase ends the plan; skipping while paused waits */
    sched_init(&s, ph, 2, T0);
    sched_pause(&s, T0 + 500 * MS);
    sched_skip(&s, T0 + 600 * MS);
    ASSERT_EQ(sched_peek(&s), SCHED_NONE);
    sched_resume(&s, T0 + 900 * MS);
    ASSERT_EQ(sched_peek(&s), T0 + 1400 * MS);
    sched_skip(&s, T0 + S);
    ASSERT(sched_done(&s));
    ASSERT_EQ(sched_peek(&s), SCHED_NONE);
    ASSERT_EQ(sched_advance(&s, T0 + S), 2);
}

TEST(schedule_mult_const)
{
    struct phase ph[2] = {cnst(4, 4 * S), cnst(2, 2 * S)};
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    sched_init(&s, ph, 2, T0);
    run_steps(&s, r, T0, T0 + 2 * S, MS);
    ASSERT_EQ(r->n, 8);
    sched_set_mult(&s, 2.0, T0 + 2 * S);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 2 * S), 8.0, 1e-9);
    run_steps(&s, r, T0 + 2 * S + MS, T0 + 5 * S, MS);
    int per[2] = {0};
    for (int i = 0; i < r->n; i++)
        per[r->ph[i]]++;
    ASSERT_EQ(per[0], 8 + 16); /* the remaining 8 doubled */
    for (int i = 8; i < 24; i++)
        ASSERT_EQ(r->t[i], T0 + 2 * S + (i - 7) * 125 * MS);
    /* persists into the next phase: 2/s runs at 4/s */
    ASSERT_EQ(s.cur, 1);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 5 * S), 4.0, 1e-9);
    ASSERT_EQ(per[1], 4);
    ASSERT_EQ(r->t[24], T0 + 4250 * MS);
    ASSERT_EQ(r->t[27], T0 + 5000 * MS);
    /* back to 1 re-anchors the plan's own spacing (500 ms) from now */
    sched_set_mult(&s, 1.0, T0 + 5 * S);
    run_steps(&s, r, T0 + 5 * S + MS, T0 + 7 * S, MS);
    ASSERT_EQ(r->n, 30);
    ASSERT_EQ(r->t[28], T0 + 5500 * MS);
    ASSERT_EQ(r->t[29], T0 + 6000 * MS);
    ASSERT(sched_done(&s));
}

TEST(schedule_mult_ramp)
{
    struct phase p = ramp(1, 5, 5 * S);
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    int bins[5];
    /* set at the start (after the arrival at t = 0 was taken): 2,4,6,8,10 */
    sched_init(&s, &p, 1, T0);
    take_due(&s, r, T0);
    ASSERT_EQ(r->n, 1);
    sched_set_mult(&s, 2.0, T0);
    run_steps(&s, r, T0 + MS, T0 + 6 * S, MS);
    per_second(r, T0, bins, 5);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(bins[i], 2 * (i + 1));
    ASSERT_EQ(r->n, 30);
    ASSERT_EQ(r->t[1], T0 + 500 * MS);
    ASSERT_EQ(r->t[6], T0 + 2000 * MS); /* second 2: 6 arrivals, 166 ms apart */
    ASSERT_EQ(r->t[11], T0 + 2830 * MS);

    /* set mid-second (2.4 s): second 2 keeps its 2 taken arrivals plus the
     * new grid's (166 ms) after 2.4 s: 2498, 2664, 2830 */
    memset(r, 0, sizeof *r);
    sched_init(&s, &p, 1, T0);
    run_steps(&s, r, T0, T0 + 2400 * MS, MS);
    ASSERT_EQ(r->n, 5);
    sched_set_mult(&s, 2.0, T0 + 2400 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 2400 * MS), 6.0, 1e-9);
    run_steps(&s, r, T0 + 2401 * MS, T0 + 6 * S, MS);
    per_second(r, T0, bins, 5);
    ASSERT_EQ(bins[0], 1);
    ASSERT_EQ(bins[1], 2);
    ASSERT_EQ(bins[2], 5);
    ASSERT_EQ(bins[3], 8);
    ASSERT_EQ(bins[4], 10);
    ASSERT_EQ(r->t[5], T0 + 2498 * MS);

    /* set before anything was taken: the t = 0 arrival is kept */
    memset(r, 0, sizeof *r);
    sched_init(&s, &p, 1, T0);
    sched_set_mult(&s, 0.5, T0);
    run_events(&s, r);
    ASSERT_EQ(r->n, 1 + 1 + 2 + 2 + 3); /* floor(n*0.5 + 0.5) of 1..5 */
    ASSERT_EQ(r->t[0], T0);
}

TEST(schedule_mult_count)
{
    struct phase p = count(10, 5 * S);
    struct sched s;
    struct rec rr = {0}, *r = &rr;
    sched_init(&s, &p, 1, T0);
    run_steps(&s, r, T0, T0 + 2500 * MS, MS);
    ASSERT_EQ(r->n, 5);
    sched_set_mult(&s, 2.0, T0 + 2500 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 2500 * MS), 4.0, 1e-9);
    run_steps(&s, r, T0 + 2501 * MS, T0 + 6 * S, MS);
    ASSERT_EQ(r->n, 15); /* interval 250 ms from 2.5 s: 10 more, the last at 5 s */
    ASSERT_EQ(r->t[5], T0 + 2750 * MS);
    ASSERT_EQ(r->t[14], T0 + 5 * S);
}

TEST(schedule_target_rate)
{
    struct phase ph[4];
    plan4(ph);
    struct sched s;
    sched_init(&s, ph, 4, T0);
    ASSERT_NEAR(sched_target_rate(&s, T0), 2.0, 1e-9);
    struct rec rr = {0}, *r = &rr;
    run_steps(&s, r, T0, T0 + 5500 * MS, 100 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 5500 * MS), 3.0, 1e-9);
    run_steps(&s, r, T0 + 5600 * MS, T0 + 6500 * MS, 100 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 6500 * MS), 0.0, 1e-9);
    run_steps(&s, r, T0 + 6600 * MS, T0 + 7500 * MS, 100 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 7500 * MS), 2.0, 1e-9);
    run_steps(&s, r, T0 + 7600 * MS, T0 + 9000 * MS, 100 * MS);
    ASSERT(!sched_done(&s)); /* the 9 s arrival was taken after this advance */
    ASSERT_EQ(sched_advance(&s, T0 + 9 * S), 1);
    ASSERT(sched_done(&s));
    ASSERT_NEAR(sched_target_rate(&s, T0 + 9 * S), 0.0, 1e-9);
}

/* An exact rate holds across phases (pauses too) until cleared: the `r`
 * key, "exact rate until I change it or press =". */
TEST(schedule_exact_rate_across_phases)
{
    struct phase ph[3] = {cnst(4, 2 * S), pause_ph(1 * S), cnst(40, 2 * S)};
    struct sched s;
    struct rec r = {0};
    sched_init(&s, ph, 3, T0);
    run_steps(&s, &r, T0, T0 + S, 1 * MS); /* 4/s: arrivals at 250..1000 ms */
    ASSERT_EQ(r.n, 4);
    sched_set_rate(&s, 10, T0 + S);
    ASSERT_NEAR(sched_target_rate(&s, T0 + S), 10, 0);
    run_steps(&s, &r, T0 + S + MS, T0 + 4 * S, 1 * MS);
    /* 10/s from 1 s: 10 in the rest of phase 0 (1.1 .. 2.0 s), 10 in the
     * pause phase, 20 in phase 2's first 2 s... up to 4 s: 10 of them */
    int per_phase[3] = {0, 0, 0};
    for (int i = 0; i < r.n; i++)
        per_phase[r.ph[i]]++;
    ASSERT_EQ(per_phase[0], 4 + 10);
    ASSERT_EQ(per_phase[1], 10);
    ASSERT_EQ(per_phase[2], 10);
    ASSERT_EQ(r.t[4] - T0, S + 100 * MS);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 4 * S), 10, 0);
    /* cleared: phase 2's own 40/s from 4 s (its t = 1 s) on */
    sched_set_rate(&s, 0, T0 + 4 * S);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 4 * S), 40, 0);
    int before = r.n;
    run_steps(&s, &r, T0 + 4 * S + MS, T0 + 6 * S, 1 * MS);
    ASSERT_EQ(r.n - before, 40);
    ASSERT(sched_done(&s));
}

/* The multiplier keys after an exact rate: the plan again, rescaled. */
TEST(schedule_mult_clears_exact_rate)
{
    struct phase ph[1] = {ramp(10, 50, 5 * S)};
    struct sched s;
    struct rec r = {0};
    sched_init(&s, ph, 1, T0);
    sched_set_rate(&s, 100, T0);
    ASSERT_NEAR(sched_target_rate(&s, T0 + 2 * S), 100, 0);
    run_steps(&s, &r, T0, T0 + S, 1 * MS);
    ASSERT_EQ(r.n, 100);
    sched_set_mult(&s, 1.0, T0 + S);
    ASSERT_NEAR(sched_target_rate(&s, T0 + S), 20, 0);
}

/* Worker threads (and shards) are dealt one schedule: arrival k to worker
 * k mod N. Each worker's share, read in its own order, keeps the schedule's
 * times; shares differ by one arrival at most; and their union, put back in
 * arrival order, is exactly the single-worker schedule (times and phases). */
TEST(schedule_dealt_over_workers_is_the_schedule)
{
    struct phase ph[5] = {cnst(7, 2 * S), ramp(1, 9, 3 * S), pause_ph(1 * S), count(13, 2 * S),
                          cnst(0.5, 4 * S)};
    static struct rec whole;
    struct sched s;
    sched_init(&s, ph, 5, T0);
    run_steps(&s, &whole, T0, T0 + 13 * S, 3 * MS);
    ASSERT(sched_done(&s));
    ASSERT_EQ(whole.n, 14 + 15 + 0 + 13 + 2);
    static const int ns[] = {1, 2, 3, 4, 7, 64};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        int n = ns[i];
        static int64_t wt[64][4096];
        static int wph[64][4096];
        int cnt[64] = {0};
        sched_init(&s, ph, 5, T0);
        uint64_t k = 0;
        for (int64_t now = T0; now <= T0 + 13 * S; now += 3 * MS) {
            sched_advance(&s, now);
            int64_t t;
            while ((t = sched_peek(&s)) <= now) {
                int w = sched_deal(k++, n);
                ASSERT(w >= 0 && w < n);
                wt[w][cnt[w]] = t;
                wph[w][cnt[w]++] = sched_take(&s);
            }
        }
        int lo = cnt[0], hi = cnt[0], sum = 0;
        for (int w = 0; w < n; w++) {
            lo = cnt[w] < lo ? cnt[w] : lo;
            hi = cnt[w] > hi ? cnt[w] : hi;
            sum += cnt[w];
            for (int j = 1; j < cnt[w]; j++)
                ASSERT(wt[w][j] >= wt[w][j - 1]);
        }
        ASSERT_EQ(sum, whole.n);
        ASSERT(hi - lo <= 1);
        /* the union in arrival order: arrival j is share j mod n, entry j / n */
        for (int j = 0; j < whole.n; j++) {
            ASSERT_EQ(wt[j % n][j / n], whole.t[j]);
            ASSERT_EQ(wph[j % n][j / n], whole.ph[j]);
        }
    }
}

/* A phase's planned share of part i of n is the count of its arrival
 * numbers k = i mod n; the parts' shares add up to the phase. */
TEST(schedule_dealt_shares_add_up)
{
    ASSERT_EQ(sched_dealt(0, 80, 0, 3), 27);
    ASSERT_EQ(sched_dealt(0, 80, 1, 3), 27);
    ASSERT_EQ(sched_dealt(0, 80, 2, 3), 26);
    ASSERT_EQ(sched_dealt(80, 70, 0, 3), 23); /* k 80..149: 81, 84, ... 147 */
    ASSERT_EQ(sched_dealt(80, 70, 2, 3), 24);
    ASSERT_EQ(sched_dealt(5, 0, 1, 3), 0);
    ASSERT_EQ(sched_dealt(7, 11, 0, 1), 11);
    for (int n = 1; n <= 9; n++)
        for (int64_t from = 0; from < 20; from += 3) {
            int64_t sum = 0;
            for (int i = 0; i < n; i++)
                sum += sched_dealt(from, 17, i, n);
            ASSERT_EQ(sum, 17);
        }
}
