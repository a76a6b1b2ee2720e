/* scenario_phases.c — the script's config.phases, as Artillery's
 * phases.js reads them: pause, then arrivalCount, then arrivalRate (with
 * rampTo a ramp; a lone arrivalRate of 0 a pause), each with its duration
 * and optional maxVusers and name. */
#include <limits.h>
#include <stdlib.h>

#include "scenario_int.h"
#include "util.h"

static const struct keys phase_keys = {
    .ok = "name duration arrivalRate rampTo arrivalCount pause maxVusers",
};

static void load_phase(struct ctx *c, const yaml_node_t *n, struct phase *ph)
{
    scenario_check_keys(c, n, &phase_keys, "phase");
    const yaml_node_t *v = get(c, n, "name");
    const char *name = v ? scenario_string(c, v, "name") : NULL;
    ph->name = xstrdup(name ? name : "unnamed");
    long long m;
    if ((v = get(c, n, "maxVusers")) && !scenario_integer(c, v, "maxVusers", 1, INT_MAX, &m))
        ph->max_vusers = (int)m;

    const yaml_node_t *pause = get(c, n, "pause"), *count = get(c, n, "arrivalCount");
    const yaml_node_t *rate = get(c, n, "arrivalRate"), *to = get(c, n, "rampTo");
    const yaml_node_t *dur = get(c, n, "duration");
    if (pause) {
        ph->kind = PHASE_PAUSE;
        scenario_positive_duration(c, pause, "pause", &ph->duration_us);
        return;
    }
    if (!count && !rate) {
        err(c, n,
            to ? "rampTo needs an arrivalRate to ramp from"
               : "a phase needs arrivalRate, arrivalCount or pause");
        return;
    }
    if (!dur)
        err(c, n, "phase has no `duration`");
    else
        scenario_positive_duration(c, dur, "duration", &ph->duration_us);
    if (count) {
        ph->kind = PHASE_COUNT;
        if (scenario_integer(c, count, "arrivalCount", 1, INT64_MAX, &m))
            return;
        /* the schedule spaces arrivals duration/count µs apart: at least one tick */
        if (ph->duration_us > 0 && m > ph->duration_us)
            err(c, count,
                "arrivalCount %lld over %.15gs is more than %.0f arrivals a second (the limit)", m,
                ph->duration_us / 1e6, PLAN_MAX_RATE);
        else
            ph->count = m;
        return;
    }
    scenario_number_max(c, rate, "arrivalRate", PLAN_MAX_RATE, " a second", &ph->rate);
    if (to) {
        ph->kind = PHASE_RAMP;
        scenario_number_max(c, to, "rampTo", PLAN_MAX_RATE, " a second", &ph->rate_to);
    } else {
        ph->kind = ph->rate == 0 ? PHASE_PAUSE : PHASE_CONST;
    }
}

void scenario_load_phases(struct ctx *c, const yaml_node_t *cfg)
{
    const yaml_node_t *v = get(c, cfg, "phases");
    if (!v) {
        err(c, cfg, "config.phases is missing");
        return;
    }
    if (!is_seq(v)) {
        err(c, v, "phases must be a list");
        return;
    }
    if (!nitems(v)) {
        err(c, v, "phases is empty");
        return;
    }
    if (nitems(v) > PLAN_MAX_PHASES) {
        err(c, item_at(c, v, PLAN_MAX_PHASES), "more than %d phases (the limit)", PLAN_MAX_PHASES);
        return;
    }
    c->p->phases = xcalloc((size_t)nitems(v), sizeof *c->p->phases);
    for (int i = 0; i < nitems(v); i++) {
        const yaml_node_t *it = item_at(c, v, i);
        struct phase *ph = &c->p->phases[c->p->nphases++];
        ph->line = (int)it->start_mark.line + 1;
        ph->col = (int)it->start_mark.column + 1;
        if (is_map(it))
            load_phase(c, it, ph);
        else
            err(c, it, "a phase must be a mapping");
    }
}
