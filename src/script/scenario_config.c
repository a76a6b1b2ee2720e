/* scenario_config.c — the script's `config`: target, phases, http, tls,
 * defaults, payload files, ensure, plugins, and -e's environment merged
 * over it; the parts read at load are rendered once, with $env and
 * $environment. See scenario_int.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <yaml.h>

#include "checks.h"
#include "csv.h"
#include "scenario_int.h"
#include "template.h"
#include "url.h"
#include "util.h"

extern char **environ;

static const struct keys config_keys = {
    .ok = "target phases http http2 workers transport defaults variables environments tls ensure "
          "plugins payload",
    .warn = "engines includeFiles statsInterval socketio ws",
    .js = "processor",
};
static const struct keys http_keys = {
    .ok = "timeout pool defaults",
    .warn = "maxSockets extendedMetrics",
};
static const struct keys defaults_keys = {
    .ok = "headers think cookie strictCapture",
};
static const struct keys think_keys = {
    .ok = "jitter",
};
static const struct keys payload_keys = {
    .ok = "path fields order skipHeader delimiter cast skipEmptyLines loadAll name",
};
static const struct keys expect_plugin_keys = {
    .ok = "reportFailuresAsErrors outputFormat formatter useOnlyRequestNames expectDefault200",
};
static const struct keys tls_keys = {
    .ok = "rejectUnauthorized ca cert key",
};
static void load_defaults(struct ctx *c, const yaml_node_t *n, const char *where)
{
    if (!is_map(n)) {
        err(c, n, "defaults must be a mapping");
        return;
    }
    scenario_check_keys(c, n, &defaults_keys, where);
    const yaml_node_t *v = get(c, n, "headers");
    if (v)
        scenario_load_headers(c, v, &c->p->default_headers, &c->p->ndefault_headers, "headers");
    if ((v = get(c, n, "cookie"))) {
        if (!is_map(v))
            err(c, v, "cookie must be a mapping of names to values");
        else
            scenario_load_headers(c, v, &c->p->default_cookies, &c->p->ndefault_cookies, "cookies");
    }
    if ((v = get(c, n, "strictCapture")))
        scenario_boolean(c, v, "strictCapture", &c->strict_capture);
    if ((v = get(c, n, "think"))) {
        const yaml_node_t *j = is_map(v) ? get(c, v, "jitter") : NULL;
        if (!is_map(v)) {
            err(c, v, "think must be a mapping like `{jitter: \"10%%\"}`");
        } else {
            scenario_check_keys(c, v, &think_keys, "think");
            if (j && scenario_string(c, j, "jitter") && scenario_jitter_ok(c, j)) {
                free(c->p->think_jitter);
                c->p->think_jitter = xstrdup(text(j));
            }
        }
    }
}

static void load_http(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "http must be a mapping");
        return;
    }
    scenario_check_keys(c, n, &http_keys, "config.http");
    const yaml_node_t *v;
    long long pool;
    if ((v = get(c, n, "timeout")))
        scenario_positive_duration(c, v, "timeout", &c->p->timeout_us);
    if ((v = get(c, n, "pool")) && !scenario_integer(c, v, "pool", 1, PLAN_MAX_CONNECTIONS, &pool))
        c->p->pool = (int)pool;
    if ((v = get(c, n, "defaults")))
        load_defaults(c, v, "config.http.defaults");
}

static char *payload_path(struct ctx *c, const char *path);

/* config.tls.ca / cert / key: a readable file, relative to the script's
 * directory as a payload's path is; refused at its line otherwise. */
static char *tls_file(struct ctx *c, const yaml_node_t *n, const char *key)
{
    const yaml_node_t *v = get(c, n, key);
    const char *s = v ? scenario_string(c, v, key) : NULL;
    if (!s)
        return NULL;
    char *path = payload_path(c, s);
    struct stat st;
    if (!*s)
        err(c, v, "tls.%s is empty", key);
    else if (stat(path, &st) < 0 || access(path, R_OK) < 0)
        err(c, v, "tls.%s: cannot read %s: %s", key, Q(c, path), strerror(errno));
    else if (!S_ISREG(st.st_mode))
        err(c, v, "tls.%s: %s is not a regular file", key, Q(c, path));
    else
        return path;
    free(path);
    return NULL;
}

static void load_tls(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "tls must be a mapping");
        return;
    }
    scenario_check_keys(c, n, &tls_keys, "config.tls");
    struct plan *p = c->p;
    free(p->tls_ca);
    p->tls_ca = tls_file(c, n, "ca");
    free(p->tls_cert);
    free(p->tls_key);
    p->tls_cert = tls_file(c, n, "cert");
    p->tls_key = tls_file(c, n, "key");
    if ((get(c, n, "cert") != NULL) != (get(c, n, "key") != NULL))
        err(c, n, "tls.cert and tls.key go together (a client certificate and its key)");
    const yaml_node_t *v = get(c, n, "rejectUnauthorized");
    if (!v)
        return;
    if (is_scalar(v) && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        (!strcmp(text(v), "true") || !strcmp(text(v), "false")))
        c->p->insecure = !strcmp(text(v), "false");
    else
        err(c, v, "rejectUnauthorized must be true or false");
}

static const struct keys ensure_keys = {
    .ok = "thresholds conditions p95 p99 max median min maxErrorRate",
};

static void add_check(struct ctx *c, struct check_spec *spec)
{
    struct plan *p = c->p;
    p->ensure = xrealloc(p->ensure, sizeof *p->ensure * (size_t)(p->nensure + 1));
    p->ensure[p->nensure++] = *spec;
}

/* config.ensure / config.plugins.ensure (Artillery's ensure plugin). */
static void load_ensure(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "ensure must be a mapping");
        return;
    }
    scenario_check_keys(c, n, &ensure_keys, "ensure");
    struct check_spec spec;
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        const yaml_node_t *v = node_at(c, pair_at(n, i).value);
        if (!is_scalar(k))
            continue;
        const char *key = text(k);
        double num;
        if (!strcmp(key, "thresholds") || !strcmp(key, "conditions")) {
            if (!is_seq(v)) {
                err(c, v, "ensure.%s must be a list", key);
                continue;
            }
            for (int j = 0; j < nitems(v); j++) {
                const yaml_node_t *it = item_at(c, v, j);
                if (!is_map(it) || (key[0] == 't' && npairs(it) != 1)) {
                    err(c, it,
                        key[0] == 't' ? "a threshold is one `metric: value` pair"
                                      : "a condition is a mapping with `expression`");
                    continue;
                }
                if (key[0] == 't') {
                    const yaml_node_t *mk = node_at(c, pair_at(it, 0).key);
                    const yaml_node_t *mv = node_at(c, pair_at(it, 0).value);
                    if (is_scalar(mk) && !scenario_number(c, mv, text(mk), &num)) {
                        check_spec_threshold(&spec, text(mk), num, (int)mk->start_mark.line + 1,
                                             text_col(mk));
                        add_check(c, &spec);
                    }
                    continue;
                }
                const yaml_node_t *ex = get(c, it, "expression"), *st = get(c, it, "strict");
                const char *e = ex ? scenario_string(c, ex, "expression") : NULL;
                if (!ex)
                    err(c, it, "a condition needs an `expression`");
                int strict = 1;
                if (st) {
                    if (is_scalar(st) && (!strcmp(text(st), "true") || !strcmp(text(st), "false")))
                        strict = !strcmp(text(st), "true");
                    else
                        err(c, st, "strict must be true or false");
                }
                if (e) {
                    check_spec_condition(&spec, e, strict, (int)ex->start_mark.line + 1,
                                         text_col(ex));
                    add_check(c, &spec);
                }
            }
        } else if (!strcmp(key, "maxErrorRate") ? !scenario_number_max(c, v, key, 100, "%", &num)
                                                : !scenario_number(c, v, key, &num)) {
            if (check_spec_shorthand(&spec, key, num, (int)k->start_mark.line + 1, text_col(k)) ==
                0)
                add_check(c, &spec);
        }
    }
}

static void load_plugins(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "plugins must be a mapping");
        return;
    }
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        if (!is_scalar(k))
            continue;
        const yaml_node_t *v = node_at(c, pair_at(n, i).value);
        if (!strcmp(text(k), "ensure")) {
            load_ensure(c, v);
        } else if (!strcmp(text(k), "expect")) {
            c->p->expect = 1;
            const yaml_node_t *e = is_map(v) ? get(c, v, "reportFailuresAsErrors") : NULL;
            if (is_map(v))
                scenario_check_keys(c, v, &expect_plugin_keys, "plugins.expect");
            else if (!is_scalar(v) || v->data.scalar.length)
                err(c, v, "plugins.expect must be a mapping (`{}` for the defaults)");
            if (e)
                scenario_boolean(c, e, "reportFailuresAsErrors", &c->p->expect_errors);
        } else {
            warn(c, k, "plugin `%s` is not supported, ignored", Q(c, text(k)));
        }
    }
}

/* A payload path is relative to the script's directory. */
static char *payload_path(struct ctx *c, const char *path)
{
    const char *slash = strrchr(c->name, '/');
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    return xasprintf("%.*s/%s", (int)(slash - c->name), c->name, path);
}

static void load_payload(struct ctx *c, const yaml_node_t *n)
{
    if (!is_map(n)) {
        err(c, n, "a payload must be a mapping with a `path`");
        return;
    }
    scenario_check_keys(c, n, &payload_keys, "payload");
    struct plan *p = c->p;
    p->payloads = xrealloc(p->payloads, sizeof *p->payloads * (size_t)(p->npayloads + 1));
    struct payload *pl = &p->payloads[p->npayloads++];
    memset(pl, 0, sizeof *pl);
    struct csv_opts co = {.delimiter = ',', .skip_empty_lines = 1, .cast = 1};
    const yaml_node_t *v, *path = get(c, n, "path");
    int load_all = 0;
    if ((v = get(c, n, "fields"))) {
        if (!is_seq(v)) {
            err(c, v, "fields must be a list of names");
        } else {
            pl->fields = xcalloc((size_t)nitems(v), sizeof *pl->fields);
            for (int i = 0; i < nitems(v); i++)
                if (scenario_string(c, item_at(c, v, i), "a field"))
                    pl->fields[pl->nfields++] = xstrdup(text(item_at(c, v, i)));
        }
    }
    if ((v = get(c, n, "order"))) {
        if (is_scalar(v) && (!strcmp(text(v), "sequence") || !strcmp(text(v), "random")))
            pl->sequence = !strcmp(text(v), "sequence");
        else
            err(c, v, "order must be `random` or `sequence`");
    }
    if ((v = get(c, n, "skipHeader")))
        scenario_boolean(c, v, "skipHeader", &co.skip_header);
    if ((v = get(c, n, "cast")))
        scenario_boolean(c, v, "cast", &co.cast);
    if ((v = get(c, n, "skipEmptyLines")))
        scenario_boolean(c, v, "skipEmptyLines", &co.skip_empty_lines);
    if ((v = get(c, n, "delimiter"))) {
        if (is_scalar(v) && strlen(text(v)) == 1 && !strchr("\"\r\n", text(v)[0]))
            co.delimiter = text(v)[0];
        else
            err(c, v, "delimiter must be one character");
    }
    if ((v = get(c, n, "loadAll")))
        scenario_boolean(c, v, "loadAll", &load_all);
    if ((v = get(c, n, "name")) && scenario_string(c, v, "name"))
        pl->name = xstrdup(text(v));
    if (load_all && !pl->name)
        err(c, n, "loadAll needs a `name` for the variable that holds the rows");
    if (!load_all && pl->name) {
        free(pl->name);
        pl->name = NULL;
    }
    if (!load_all && !pl->nfields)
        warn(c, n, "payload has no `fields`: its columns are not used");
    if (!path) {
        err(c, n, "payload has no `path`");
        return;
    }
    if (!scenario_string(c, path, "path"))
        return;
    pl->path = xstrdup(text(path));
    char *file = payload_path(c, pl->path);
    struct csv csv;
    struct parse_error pe;
    if (csv_load(file, &co, &csv, &pe) < 0)
        err(c, path, "payload %s", pe.msg);
    else
        pl->rows = csv.rows;
    free(file);
}

/* config strings that are read at load (not per VU) are rendered once,
 * with $env / $processEnvironment and $environment only. */
static void render_config(struct ctx *c, yaml_node_t *n, int depth, const struct tpl_ctx *t)
{
    if (scenario_too_much(c, n, depth))
        return;
    if (is_scalar(n)) {
        if (scenario_templated(c, n) <= 0)
            return;
        int too_big = 0;
        json_t *v = tpl_render_checked(text(n), t, &too_big);
        if (too_big) {
            err(c, n, "renders to more than 1 MiB (the limit for a template)");
            json_decref(v);
            return;
        }
        if (!v) {
            err(c, n,
                "`%s` is undefined here (config is rendered once, with $env and "
                "$environment)",
                Q(c, text(n)));
            return;
        }
        char *r = tpl_stringify(v);
        json_decref(v);
        free(n->data.scalar.value); /* libyaml's allocator is malloc */
        n->data.scalar.value = (yaml_char_t *)r;
        n->data.scalar.length = strlen(r);
        return;
    }
    if (is_seq(n)) {
        for (int i = 0; i < nitems(n); i++)
            render_config(c, item_at(c, n, i), depth + 1, t);
        return;
    }
    for (int i = 0; i < npairs(n); i++) {
        const yaml_node_t *k = node_at(c, pair_at(n, i).key);
        /* headers, cookies and think are per request, with the VU's variables */
        if (is_scalar(k) && !strcmp(text(k), "defaults"))
            continue;
        render_config(c, node_at(c, pair_at(n, i).value), depth + 1, t);
    }
}

static void render_config_keys(struct ctx *c, const yaml_node_t *cfg)
{
    json_t *vars = json_object();
    if (c->p->environment)
        json_object_set_new(vars, "$environment", json_string(c->p->environment));
    struct tpl_ctx t = {vars, c->o->env ? c->o->env : (const char *const *)environ, NULL, NULL};
    static const char *const keys[] = {"target", "phases", "http", "tls", "payload"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int id = scenario_find_id(c, node_id(c, cfg), keys[i]);
        if (id && i == 0)
            c->target_tpl = is_scalar(node_at(c, id)) && tpl_has(text(node_at(c, id)));
        if (id)
            render_config(c, node_at(c, id), 0, &t);
    }
    json_decref(vars);
}

void scenario_load_config(struct ctx *c, const yaml_node_t *cfg, const struct scenario_opts *o)
{
    struct plan *p = c->p;
    scenario_check_keys(c, cfg, &config_keys, "config");
    render_config_keys(c, cfg);
    const yaml_node_t *v = get(c, cfg, "target");
    const char *t = v ? scenario_string(c, v, "target") : NULL;
    char why[128];
    int at;
    if (t && !is_http(t))
        err(c, v, "target must start with http:// or https://, not `%s`", Q(c, t));
    else if (t && url_check(t, &at, why, sizeof why) < 0 && (at < 0 || c->target_tpl))
        err(c, v, "target %s", why); /* rendered: its columns are not the script's */
    else if (t && url_check(t, &at, why, sizeof why) < 0)
        err_in(c, v, at + 1, "target %s", why);
    else if (t)
        p->target = xstrdup(t);
    if (o->target) {
        free(p->target);
        p->target = xstrdup(o->target);
    } else if (!v) {
        err(c, cfg, "config.target is missing (set it, or give -t URL)");
    }
    scenario_load_phases(c, cfg);
    /* config.defaults first: config.http.defaults, the newer spelling, wins. */
    if ((v = get(c, cfg, "defaults")))
        load_defaults(c, v, "config.defaults");
    if ((v = get(c, cfg, "http")))
        load_http(c, v);
    if ((v = get(c, cfg, "tls")))
        load_tls(c, v);
    long long nw;
    if ((v = get(c, cfg, "workers")) &&
        !scenario_integer(c, v, "workers", 1, PLAN_MAX_WORKERS, &nw))
        p->workers = (int)nw;
    if ((v = get(c, cfg, "transport"))) {
        const char *tr = scenario_string(c, v, "transport");
        int k = tr ? plan_transport_of(tr) : -1;
        if (tr && k < 0)
            err(c, v, "transport: %s is not auto, native or curl", Q(c, tr));
        else if (tr)
            p->transport = (enum transport)k;
    }
    int h2 = 0;
    if ((v = get(c, cfg, "http2")) && scenario_boolean(c, v, "http2", &h2) == 0 && h2)
        p->http_version = HTTP_V2_TLS; /* negotiated over TLS; HTTP/1.1 otherwise */
    if ((v = get(c, cfg, "variables")))
        scenario_load_variables(c, v);
    if (o->variables)
        scenario_load_cli_variables(c, o->variables);
    if ((v = get(c, cfg, "payload"))) {
        if (is_seq(v) && nitems(v) > PLAN_MAX_PAYLOADS)
            err(c, item_at(c, v, PLAN_MAX_PAYLOADS), "more than %d payload files (the limit)",
                PLAN_MAX_PAYLOADS);
        else if (is_seq(v))
            for (int i = 0; i < nitems(v); i++)
                load_payload(c, item_at(c, v, i));
        else
            load_payload(c, v);
    }
    if ((v = get(c, cfg, "ensure")))
        load_ensure(c, v);
    if ((v = get(c, cfg, "plugins")))
        load_plugins(c, v);
    if (p->nensure)
        c->errors += checks_validate(p->ensure, p->nensure, c->name, c->diag);
}

/* A new mapping: `base` with `over`'s values for shared keys (merged when
 * both are mappings), then `over`'s other keys. Adding nodes may move the
 * node array, so only ids are held across calls. */
static int merge_maps(struct ctx *c, int base, int over, int depth)
{
    int m = yaml_document_add_mapping(c->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!m) {
        err(c, node_at(c, base), "out of memory");
        return base;
    }
    node_at(c, m)->start_mark = node_at(c, base)->start_mark;
    for (int pass = 0; pass < 2; pass++) {
        int from = pass ? over : base, other = pass ? base : over;
        for (int i = 0; i < npairs(node_at(c, from)); i++) {
            yaml_node_pair_t pr = pair_at(node_at(c, from), i);
            const yaml_node_t *k = node_at(c, pr.key);
            int ov = is_scalar(k) ? scenario_find_id(c, other, text(k)) : 0;
            if (pass && ov)
                continue;
            if (ov && is_map(node_at(c, pr.value)) && is_map(node_at(c, ov)) &&
                depth < SCENARIO_MAX_DEPTH)
                pr.value = merge_maps(c, pr.value, ov, depth + 1);
            else if (ov)
                pr.value = ov;
            if (!yaml_document_append_mapping_pair(c->doc, m, pr.key, pr.value))
                err(c, node_at(c, pr.key), "out of memory");
        }
    }
    return m;
}

int scenario_merge_environment(struct ctx *c, int cfg, const char *name)
{
    const yaml_node_t *envs = get(c, node_at(c, cfg), "environments");
    if (!envs) {
        err(c, node_at(c, cfg), "environment `%s` is not defined: config has no `environments`",
            Q(c, name));
        return 0;
    }
    if (!is_map(envs)) {
        err(c, envs, "environments must be a mapping");
        return 0;
    }
    const yaml_node_t *env = get(c, envs, name);
    if (!env) {
        struct buf b = {0};
        int more = 0;
        for (int i = 0; i < npairs(envs); i++) {
            const yaml_node_t *k = node_at(c, pair_at(envs, i).key);
            if (is_scalar(k) && b.len < 200) /* a few names, not a thousand */
                buf_printf(&b, "%s`%s`", b.len ? ", " : "", Q(c, text(k)));
            else if (is_scalar(k))
                more = 1;
        }
        if (more)
            buf_puts(&b, ", ...");
        err(c, envs, "environment `%s` is not in config.environments (it has %s)", Q(c, name),
            b.len ? b.data : "none");
        buf_free(&b);
        return 0;
    }
    if (!is_map(env)) {
        err(c, env, "environment `%s` must be a mapping", Q(c, name));
        return 0;
    }
    return merge_maps(c, cfg, node_id(c, env), 0);
}
