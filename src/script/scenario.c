/* scenario.c — see scenario.h: the entry points, scenarios and before/after.
 * libyaml's document API gives a tree whose nodes keep their start marks,
 * so every message can point at the exact place; jansson serialises
 * `json:` bodies. The loader is in five files, sharing scenario_int.h:
 * this one, scenario_yaml.c (libyaml, the event pass, diagnostics),
 * scenario_value.c (typed scalars, templates, YAML as JSON, headers),
 * scenario_config.c (config) and scenario_flow.c (flows and requests).
 *
 * Choices where Artillery is loose or loadtop differs:
 *  - durations (phase duration/pause, think, http.timeout): a number is
 *    seconds, fractions allowed (1.5 and "1.5"); a string may carry a unit:
 *    "250ms", "90s", "2m", "1h".
 *  - phase precedence as Artillery's phases.js: pause, then arrivalCount,
 *    then arrivalRate (+ rampTo = ramp; a lone arrivalRate of 0 = pause).
 *  - -e NAME: the environment's keys replace config's; where both values
 *    are mappings (http, tls, defaults, ...) they are merged key by key.
 *  - config.variables keep their YAML types; a list is kept whole and the
 *    engine picks one element per virtual user, as Artillery does.
 *  - json: plain scalars that read as null/true/false/integers/decimals
 *    become those JSON types; quoted scalars stay strings.
 *  - endpoint key: the request's `name`, else "METHOD url" with the url as
 *    written (templates intact), cut at its query string.
 *  - a loop needs a `count` or `over` (Artillery loops forever without).
 *  - JavaScript (processor, function steps, hooks) refuses the script;
 *    --ignore-js skips it the way Artillery treats a missing function:
 *    function steps and before/afterScenario count errors.`Undefined
 *    function "name"` and the VU goes on; request hooks are dropped. */
#include "scenario.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "scenario_int.h"
#include "util.h"

static const struct keys scenario_keys = {
    .ok = "name weight flow engine",
    .js = "beforeScenario afterScenario beforeRequest afterResponse",
};

/* beforeScenario / afterScenario under --ignore-js: function steps at the
 * start / end of the flow, as Artillery makes them. */
static void add_scenario_hooks(struct ctx *c, const yaml_node_t *n, struct scenario *sc)
{
    for (int end = 0; end < 2 && c->o->ignore_js; end++) {
        const yaml_node_t *h = get(c, n, end ? "afterScenario" : "beforeScenario");
        if (!h)
            continue;
        int nh = is_seq(h) ? nitems(h) : 1;
        sc->steps = xrealloc(sc->steps, sizeof *sc->steps * (size_t)(sc->nsteps + nh));
        if (!end)
            memmove(sc->steps + nh, sc->steps, sizeof *sc->steps * (size_t)sc->nsteps);
        for (int i = 0; i < nh; i++) {
            struct step *s = &sc->steps[end ? sc->nsteps + i : i];
            memset(s, 0, sizeof *s);
            scenario_load_function(c, h, is_seq(h) ? item_at(c, h, i) : h, s);
        }
        sc->nsteps += nh;
    }
}

/* Returns -1 when the weight is bad (so "all weights 0" is not judged). */
static int load_scenario(struct ctx *c, const yaml_node_t *n, struct scenario *sc, int idx)
{
    scenario_check_keys(c, n, &scenario_keys, "scenario");
    const yaml_node_t *v = get(c, n, "name");
    const char *name = v ? scenario_string(c, v, "name") : NULL;
    sc->name = name ? xstrdup(name) : xasprintf("scenario %d", idx + 1);
    int rc = 0;
    long long w;
    if ((v = get(c, n, "weight")))
        rc = scenario_integer(c, v, "weight", 0, INT_MAX, &w);
    if (v && !rc)
        sc->weight = (int)w;
    if ((v = get(c, n, "engine")) && (!is_scalar(v) || strcmp(text(v), "http"))) {
        char b[80];
        warn(c, v, "engine %s is not supported yet, ignored", scenario_show(v, b, sizeof b));
    }
    int before = c->errors;
    if (!(v = get(c, n, "flow")))
        err(c, n, "scenario has no `flow`");
    else if (!is_seq(v))
        err(c, v, "flow must be a list");
    else if (!nitems(v))
        err(c, v, "flow is empty");
    else
        scenario_load_flow(c, v, &sc->steps, &sc->nsteps, 0);
    if (v && is_seq(v) && nitems(v) && !sc->nsteps && c->errors == before)
        err(c, v, "flow has no steps loadtop can run");
    add_scenario_hooks(c, n, sc);
    return rc;
}

static void load_scenarios(struct ctx *c, const yaml_node_t *root)
{
    const yaml_node_t *v = get(c, root, "scenarios");
    if (!v) {
        err(c, root, "missing `scenarios`");
        return;
    }
    if (!is_seq(v)) {
        err(c, v, "scenarios must be a list");
        return;
    }
    if (!nitems(v)) {
        err(c, v, "scenarios is empty");
        return;
    }
    if (nitems(v) > PLAN_MAX_SCENARIOS) {
        err(c, item_at(c, v, PLAN_MAX_SCENARIOS), "more than %d scenarios (the limit)",
            PLAN_MAX_SCENARIOS);
        return;
    }
    struct plan *p = c->p;
    p->scenarios = xcalloc((size_t)nitems(v), sizeof *p->scenarios);
    int64_t total = 0;
    int judged = 1;
    for (int i = 0; i < nitems(v); i++) {
        const yaml_node_t *it = item_at(c, v, i);
        struct scenario *sc = &p->scenarios[p->nscenarios++];
        sc->weight = 1;
        if (!is_map(it)) {
            err(c, it, "a scenario must be a mapping with a `flow`");
            judged = 0;
            continue;
        }
        if (load_scenario(c, it, sc, i) < 0)
            judged = 0;
        total += sc->weight;
    }
    if (judged && !total)
        err(c, v, "all scenarios have weight 0");
}

static const struct keys hook_keys = {
    .ok = "flow name engine",
};

/* before / after: a flow run once; its requests have no endpoint row. */
static struct scenario *load_hook(struct ctx *c, const yaml_node_t *n, const char *name)
{
    if (!is_map(n)) {
        err(c, n, "%s must be a mapping with a `flow`", name);
        return NULL;
    }
    scenario_check_keys(c, n, &hook_keys, name);
    const yaml_node_t *v = get(c, n, "flow");
    struct scenario *sc = xcalloc(1, sizeof *sc);
    sc->name = xstrdup(name);
    c->hook = 1;
    if (!v)
        err(c, n, "%s has no `flow`", name);
    else if (!is_seq(v))
        err(c, v, "flow must be a list");
    else
        scenario_load_flow(c, v, &sc->steps, &sc->nsteps, 0);
    c->hook = 0;
    return sc;
}

/* ---- entry points ---- */

static const struct keys top_keys = {
    .ok = "config scenarios before after",
};

static void load_script(struct ctx *c, const struct scenario_opts *o)
{
    const yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root) {
        err(c, NULL, "the script is empty");
        return;
    }
    if (!is_map(root)) {
        err(c, root, "a script must be a mapping with `config` and `scenarios`");
        return;
    }
    scenario_check_keys(c, root, &top_keys, "the script");
    int root_id = node_id(c, root);
    const yaml_node_t *cfg = get(c, root, "config");
    if (!cfg) {
        err(c, root, "missing `config`");
    } else if (!is_map(cfg)) {
        err(c, cfg, "config must be a mapping");
    } else {
        int id = node_id(c, cfg);
        if (o->environment)
            id = scenario_merge_environment(c, id, o->environment);
        if (id)
            scenario_load_config(c, node_at(c, id), o);
    }
    load_scenarios(c, node_at(c, root_id)); /* re-fetched: merging moves nodes */
    const yaml_node_t *v;
    if ((v = get(c, node_at(c, root_id), "before")))
        c->p->before = load_hook(c, v, "before");
    if ((v = get(c, node_at(c, root_id), "after")))
        c->p->after = load_hook(c, v, "after");
}

int scenario_parse(const char *name, const char *src, size_t len, const struct scenario_opts *o,
                   struct plan *out, FILE *diag)
{
    struct scenario_opts none = {0};
    if (!o)
        o = &none;
    struct ctx c = {
        .name = name, .diag = diag ? diag : stderr, .p = out, .o = o, .strict_capture = 1};
    out->script = xstrdup(name);
    out->model = MODEL_OPEN;
    out->timeout_us = 10 * 1000000LL;
    if (o->environment)
        out->environment = xstrdup(o->environment);

    if (len > SCENARIO_MAX_FILE) {
        fprintf(c.diag, "%s: larger than 10 MiB (the limit for a script)\n", name);
        plan_free(out);
        return -1;
    }
    yaml_parser_t ps;
    yaml_document_t doc;
    int shaped = scenario_check_shape(&c, src, len) == 0;
    if (shaped && !yaml_parser_initialize(&ps)) {
        fprintf(c.diag, "%s: out of memory\n", name);
        c.errors++;
    } else if (shaped) {
        yaml_parser_set_input_string(&ps, (const unsigned char *)src, len);
        if (yaml_parser_load(&ps, &doc)) {
            c.doc = &doc;
            load_script(&c, o);
            yaml_document_delete(&doc);
        } else {
            scenario_syntax_error(&c, &ps, src, len);
            c.errors++;
        }
        yaml_parser_delete(&ps);
    }
    scenario_report_held(&c);
    if (c.errors) {
        plan_free(out);
        return -1;
    }
    return 0;
}

int scenario_load(const char *path, const struct scenario_opts *o, struct plan *out, FILE *diag)
{
    char shown[80];
    diag = diag ? diag : stderr;
    str_clip(shown, sizeof shown, path);
    struct buf b = {0};
    const char *bad = read_file_limited(path, SCENARIO_MAX_FILE, &b);
    if (bad) {
        fprintf(diag, "%s: cannot read: %s\n", shown,
                strcmp(bad, "too large") ? bad : "larger than 10 MiB (the limit for a script)");
        plan_free(out);
        return -1;
    }
    int r = scenario_parse(path, b.data ? b.data : "", b.len, o, out, diag);
    buf_free(&b);
    return r;
}
