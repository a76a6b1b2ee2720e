/* stats_merge.c — stats_merge and stats_flush (see stats.h): adding what
 * one stats recorded into another, exactly (counters add, HDR histograms
 * add, error names and named counters matched by name, seconds and
 * intervals aligned by the run's index). */
#include <stdlib.h>
#include <string.h>

#include "stats_int.h"
#include "util.h"

/* ---- merging ---------------------------------------------------------- */

/* src's error and counter indexes in dst (-1: dst has no room for it). */
struct stats_map {
    int err[STATS_MAX_ERRORS];
    int ctr[STATS_MAX_COUNTERS];
};

static void map_names(struct stats *dst, const struct stats *src, struct stats_map *m)
{
    for (int i = 0; i < src->nerrors; i++)
        m->err[i] = stats_error_index(dst, src->error_names[i]);
    for (int i = 0; i < src->ncounters; i++)
        m->ctr[i] = stats_counter_index(dst, src->counter_names[i]);
}

static void counters_add_mapped(struct counters *dst, const struct counters *src,
                                const struct stats_map *m, const struct stats *dst_st)
{
    dst->vu_created += src->vu_created;
    dst->vu_completed += src->vu_completed;
    dst->vu_failed += src->vu_failed;
    dst->vu_skipped += src->vu_skipped;
    dst->requests += src->requests;
    dst->responses += src->responses;
    dst->downloaded_bytes += src->downloaded_bytes;
    for (int i = 0; i < STATS_MAX_CODES; i++)
        dst->codes[i] += src->codes[i];
    for (int i = 0; i < 6; i++)
        dst->code_class[i] += src->code_class[i];
    for (int i = 0; i < STATS_MAX_ERRORS; i++)
        if (src->errors[i])
            dst->errors[m->err[i]] += src->errors[i];
    for (int i = 0; i < STATS_MAX_COUNTERS; i++)
        if (src->counter[i] && m->ctr[i] >= 0) {
            dst->counter[m->ctr[i]] += src->counter[i];
            dst->counter_names[m->ctr[i]] = dst_st->counter_names[m->ctr[i]];
        }
}

static void group_merge(struct group *dst, const struct group *src, const struct stats_map *m,
                        const struct stats *dst_st)
{
    counters_add_mapped(&dst->c, &src->c, m, dst_st);
    for (int k = 0; k < SUM_N; k++)
        hist_merge(dst->sum[k], src->sum[k]);
}

/* Decode `a` and `b` (either may be NULL) and merge them into `out`
 * (`tmp` is scratch); returns the merge encoded, a new string. */
static char *enc_merge(const char *a, const char *b, struct hist *out, struct hist *tmp)
{
    hist_reset(out);
    if (a)
        hist_decode(out, a);
    if (b) {
        hist_decode(tmp, b);
        hist_merge(out, tmp);
    }
    return hist_encode(out);
}

static void merge_intervals(struct stats *dst, const struct stats *src, const struct stats_map *m,
                            struct hist *h[3])
{
    for (int j = 0; j < src->nintervals; j++) {
        const struct interval *s = &src->intervals[j];
        int i = src->first_interval + j - dst->first_interval;
        if (i < 0 || i > dst->nintervals)
            continue; /* not contiguous with what dst holds: cannot be placed */
        if (i == dst->nintervals) {
            dst->intervals = stats_grow(dst->intervals, dst->nintervals, sizeof *dst->intervals);
            struct interval *d = &dst->intervals[dst->nintervals++];
            memset(d, 0, sizeof *d);
            memcpy(d->c.counter_names, dst->counter_names, sizeof dst->counter_names);
            d->start_us = s->start_us;
            d->end_us = s->end_us;
        }
        struct interval *d = &dst->intervals[i];
        counters_add_mapped(&d->c, &s->c, m, dst);
        d->start_us = s->start_us < d->start_us ? s->start_us : d->start_us;
        d->end_us = s->end_us > d->end_us ? s->end_us : d->end_us;
        for (int k = 0; k < SUM_N; k++) {
            char *e = enc_merge(d->hist_enc[k], s->hist_enc[k], h[0], h[2]);
            free(d->hist_enc[k]);
            d->hist_enc[k] = e;
            sumstat_of(&d->s[k], h[0]);
        }
    }
}

static void second_add(struct second *d, const struct second *s, const struct stats_map *m)
{
    d->arrivals += s->arrivals;
    d->skipped += s->skipped;
    d->requests += s->requests;
    d->responses += s->responses;
    d->failed_vus += s->failed_vus;
    for (int c = 0; c < 6; c++)
        d->code_class[c] += s->code_class[c];
    if (s->paused_us > d->paused_us) /* every part pauses together */
        d->paused_us = s->paused_us;
    for (int e = 0; e < STATS_MAX_ERRORS; e++)
        if (s->errors[e])
            d->errors[m->err[e]] += s->errors[e];
}

/* `plan`: src is the part that knows each second's plan (target rate,
 * phase, host, pause): its values replace what another part put there. */
static void merge_seconds(struct stats *dst, const struct stats *src, const struct stats_map *m,
                          struct hist *h[3], int plan)
{
    for (int j = 0; j < src->nseconds; j++) {
        const struct second *s = &src->seconds[j];
        int i = src->first_second + j - dst->first_second;
        if (i < 0 || i > dst->nseconds)
            continue; /* not contiguous with what dst holds: cannot be placed */
        if (i == dst->nseconds) {
            /* a second only src closed: its plan and host as src saw them */
            dst->second_hists = stats_grow(dst->second_hists, i, sizeof *dst->second_hists);
            dst->second_hists[i][0] = dst->second_hists[i][1] = NULL;
            dst->seconds = stats_grow(dst->seconds, i, sizeof *dst->seconds);
            struct second *d = &dst->seconds[dst->nseconds++];
            memset(d, 0, sizeof *d);
            d->target_rate = s->target_rate;
            d->phase = s->phase;
            d->host = s->host;
        }
        struct second *d = &dst->seconds[i];
        second_add(d, s, m);
        if (plan) {
            d->target_rate = s->target_rate;
            d->phase = s->phase;
            d->host = s->host;
            d->paused_us = s->paused_us;
        }
        char *e0 = enc_merge(dst->second_hists[i][0], src->second_hists[j][0], h[0], h[2]);
        char *e1 = enc_merge(dst->second_hists[i][1], src->second_hists[j][1], h[1], h[2]);
        second_percentiles(d, h[0], h[1]);
        free(dst->second_hists[i][0]);
        free(dst->second_hists[i][1]);
        dst->second_hists[i][0] = e0;
        dst->second_hists[i][1] = e1;
    }
}

/* Events of both, in time order (dst's first at equal times). In place,
 * from the back: a part's events mostly come after what dst holds, so a
 * flush every tick costs what it adds, not the run's whole event log. */
static void merge_events(struct stats *dst, const struct stats *src)
{
    for (int j = 0; j < src->nevents; j++) {
        dst->events = stats_grow(dst->events, dst->nevents, sizeof *dst->events);
        dst->nevents++;
    }
    int i = dst->nevents - src->nevents - 1, j = src->nevents - 1, k = dst->nevents - 1;
    while (j >= 0) {
        if (i >= 0 && dst->events[i].t_us > src->events[j].t_us)
            dst->events[k--] = dst->events[i--];
        else
            dst->events[k--] = src->events[j--];
    }
}

/* A phase's span over both: the earliest start; its end once both ended
 * (-1 while either still runs it). */
static void merge_phase_times(struct stats *dst, const struct stats *src, int i)
{
    int64_t s0 = dst->phase_started_us[i], s1 = src->phase_started_us[i];
    int64_t e0 = dst->phase_ended_us[i], e1 = src->phase_ended_us[i];
    dst->phase_started_us[i] = s0 < 0 ? s1 : s1 < 0 ? s0 : s0 < s1 ? s0 : s1;
    if (s1 < 0)
        return; /* src never ran it */
    dst->phase_ended_us[i] = s0 < 0 ? e1 : e0 < 0 || e1 < 0 ? -1 : e0 > e1 ? e0 : e1;
}

/* The run's pauses as `src` saw them, in place of dst's: pauses are the
 * run's, the same in every part, so they are taken, not added. */
static void take_pauses(struct stats *dst, const struct stats *src)
{
    for (int i = 0; i < dst->nphases && i < src->nphases; i++)
        dst->phase_paused_us[i] = src->phase_paused_us[i];
    dst->paused_total_us = src->paused_total_us;
    dst->paused_since = src->paused_since;
    dst->paused_phase = src->paused_phase;
    dst->pauses_unlisted = src->pauses_unlisted;
    free(dst->pauses);
    dst->pauses = NULL;
    dst->npauses = 0;
    for (int i = 0; i < src->npauses; i++) {
        dst->pauses = stats_grow(dst->pauses, dst->npauses, sizeof *dst->pauses);
        dst->pauses[dst->npauses++] = src->pauses[i];
    }
}

void stats_merge(struct stats *dst, const struct stats *src)
{
    struct stats_map m;
    map_names(dst, src, &m);
    group_merge(&dst->total, &src->total, &m, dst);
    group_merge(&dst->cur, &src->cur, &m, dst);
    for (int i = 0; i < dst->nphases && i < src->nphases; i++) {
        group_merge(&dst->phase[i], &src->phase[i], &m, dst);
        merge_phase_times(dst, src, i);
        if (!dst->phase_planned[i])
            dst->phase_planned[i] = src->phase_planned[i];
    }
    for (int i = 0; i < dst->nendpoints && i < src->nendpoints; i++)
        group_merge(&dst->endpoint[i], &src->endpoint[i], &m, dst);
    for (int i = 0; i < dst->nscenarios && i < src->nscenarios; i++)
        dst->created_by_scenario[i] += src->created_by_scenario[i];
    if (!dst->planned_arrivals)
        dst->planned_arrivals = src->planned_arrivals;
    if (src->cur_start_us < dst->cur_start_us)
        dst->cur_start_us = src->cur_start_us;
    struct hist *h[3] = {hist_new(), hist_new(), hist_new()};
    merge_intervals(dst, src, &m, h);
    merge_seconds(dst, src, &m, h, 0);
    for (int k = 0; k < 3; k++)
        free(h[k]);
    second_add(&dst->open_sec, &src->open_sec, &m);
    hist_merge(dst->sec_rt, src->sec_rt);
    hist_merge(dst->sec_lat, src->sec_lat);
    merge_events(dst, src);
    if (!dst->npauses && dst->paused_since < 0 && !dst->paused_total_us)
        take_pauses(dst, src);
}

static void group_clear(struct group *g, const struct stats *st)
{
    memset(&g->c, 0, sizeof g->c);
    memcpy(g->c.counter_names, st->counter_names, sizeof st->counter_names);
    for (int k = 0; k < SUM_N; k++)
        hist_reset(g->sum[k]);
}

void stats_flush(struct stats *dst, struct stats *part, int phase_times)
{
    struct stats_map m;
    map_names(dst, part, &m);
    group_merge(&dst->total, &part->total, &m, dst);
    group_clear(&part->total, part);
    for (int i = 0; i < dst->nphases && i < part->nphases; i++) {
        group_merge(&dst->phase[i], &part->phase[i], &m, dst);
        group_clear(&part->phase[i], part);
        if (phase_times) {
            dst->phase_started_us[i] = part->phase_started_us[i];
            dst->phase_ended_us[i] = part->phase_ended_us[i];
        }
        if (!dst->phase_planned[i])
            dst->phase_planned[i] = part->phase_planned[i];
    }
    for (int i = 0; i < dst->nendpoints && i < part->nendpoints; i++) {
        group_merge(&dst->endpoint[i], &part->endpoint[i], &m, dst);
        group_clear(&part->endpoint[i], part);
    }
    for (int i = 0; i < dst->nscenarios && i < part->nscenarios; i++) {
        dst->created_by_scenario[i] += part->created_by_scenario[i];
        part->created_by_scenario[i] = 0;
    }
    if (!dst->planned_arrivals)
        dst->planned_arrivals = part->planned_arrivals;
    struct hist *h[3] = {hist_new(), hist_new(), hist_new()};
    merge_intervals(dst, part, &m, h);
    merge_seconds(dst, part, &m, h, phase_times);
    for (int k = 0; k < 3; k++)
        free(h[k]);
    merge_events(dst, part);
    if (phase_times)
        take_pauses(dst, part);
    /* forget what was handed over */
    for (int i = 0; i < part->nintervals; i++)
        for (int k = 0; k < SUM_N; k++)
            free(part->intervals[i].hist_enc[k]);
    part->first_interval += part->nintervals;
    part->nintervals = 0;
    for (int i = 0; i < part->nseconds; i++) {
        free(part->second_hists[i][0]);
        free(part->second_hists[i][1]);
    }
    part->first_second += part->nseconds;
    part->nseconds = 0;
    part->nevents = 0;
}
