/* scenario.h — reads an Artillery v2 YAML script into a struct plan.
 * Errors are "FILE:LINE:COL: message" (1-based); unknown keys are warnings
 * with positions. Templates are checked here and rendered by the engine,
 * except in config (target, phases, http, tls, payload), which is rendered
 * once at load with $env and $environment. Payload files are read here,
 * relative to the script. Only this module includes yaml.h. No globals. */
#ifndef LOADTOP_SCENARIO_H
#define LOADTOP_SCENARIO_H

#include <stdio.h>

#include "plan.h"

struct scenario_opts {
    const char *target;        /* -t: overrides config.target */
    const char *environment;   /* -e: merge config.environments.NAME */
    const char *variables;     /* -v: a JSON object adding to / overriding config.variables */
    int ignore_js;             /* --ignore-js: skip JavaScript hooks instead of refusing them */
    const char *const *env;    /* "K=V" list for {{ $env.K }} in config; NULL = environ */
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
