/* scenario.h — reads an Artillery v2 YAML script into a struct plan.
 * Errors are "FILE:LINE:COL: message" (1-based); unknown keys are warnings
 * with positions. Templates are checked here and rendered by the engine,
 * except in config (target, phases, http, tls, payload), which is rendered
 * once at load with $env and $environment. Payload files are read here,
 * relative to the script. Only this module includes yaml.h. No globals.
 *
 * What is refused before anything runs (each with its position):
 *  - shape, on libyaml's events before the tree is built: more than one
 *    document; nesting past 64 levels; a value over 1 MiB or holding a NUL;
 *    more than 1 000 000 values counted with every alias expanded (an
 *    alias bomb stops at the alias that passes it); an alias inside the node
 *    it names; more than 1000 anchors or 10 000 aliases; a script over
 *    10 MiB, or one that is not a regular file (a FIFO is never waited on);
 *  - counts and numbers: plan.h's PLAN_MAX_* (phases, scenarios, steps,
 *    endpoints, headers, payloads, loop depth, rates, durations, pool);
 *    arrivalCount, maxVusers and pool of at least 1; maxErrorRate and
 *    probability at most 100; .nan and .inf are not numbers;
 *  - targets, urls as written and headers: see url_check (url.h) and
 *    plan_header_check; config rendered past 1 MiB (TPL_MAX_OUTPUT);
 *  - payloads: csv_load's limits, at the `path`.
 * Messages clip and escape what they quote; each distinct one is printed
 * once, and after 20 errors (or warnings) the rest are counted in a last
 * line, "FILE: N more errors not shown". */
#ifndef LOADTOP_SCENARIO_H
#define LOADTOP_SCENARIO_H

#include <stdio.h>

#include "plan.h"

struct scenario_opts {
    const char *target;      /* -t: overrides config.target */
    const char *environment; /* -e: merge config.environments.NAME */
    const char *variables;   /* -v: a JSON object adding to / overriding config.variables */
    int ignore_js;           /* --ignore-js: skip JavaScript hooks instead of refusing them */
    const char *const *env;  /* "K=V" list for {{ $env.K }} in config; NULL = environ */
};

/* Parse the script at `path` into `out` (zeroed by the caller). Returns 0 on
 * success (warnings may have been printed to `diag`), or -1 after printing
 * one "FILE:LINE:COL: message" line per error to `diag`; on error `out` is
 * freed and zeroed. */
int scenario_load(const char *path, const struct scenario_opts *o, struct plan *out, FILE *diag);

/* Same, from a string; `name` is used in messages as the file name. */
int scenario_parse(const char *name, const char *text, size_t len, const struct scenario_opts *o,
                   struct plan *out, FILE *diag);

#endif
