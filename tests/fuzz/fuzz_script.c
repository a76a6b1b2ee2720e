/* fuzz_script.c — libFuzzer harness: bytes as an Artillery script →
 * scenario_parse() (config templates rendered with $env, as loading does)
 * → every template of the plan rendered as a VU renders it (url, headers,
 * bodies, qs, form, cookies, auth, captures, expects, ifTrue, think, loops,
 * log) over the VU's variables → plan_free(). Nothing is sent.
 *
 * The environment cannot surprise: $env is a fixed list, not environ, and
 * the loader's file reads come here (the Makefile renames open in a copy
 * of util.o, whose read_file_limited every loader uses, to
 * fuzz_guarded_open), so that a payload `path` opens only regular files
 * inside this process's temp dir (which holds a few CSV files); anything
 * else — /etc, /dev/zero — fails with EACCES as a missing file would. The
 * real loader opens whatever the path names, but only regular files of a
 * bounded size, never blocking (read_file_limited). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "expr.h"
#include "plan.h"
#include "scenario.h"
#include "template.h"

static char dir[256];
static char script[300];
static FILE *devnull;

static const char *const env[] = {
    "TARGET=http://127.0.0.1:9", "PORT=9", "DUR=2", "RATE=5", "NAME=fuzz", "EMPTY=", NULL};

static const struct {
    const char *name, *text;
} files[] = {
    {"users.csv", "username,password\nann,s3cret\nbob,\"a, b\"\n"},
    {"data.csv", "1,2.5,true,\"007\"\n-3,x,false,\n"},
    {"semi.csv", "a;b;c\n\"x\"\"y\";2;\n"},
    {"empty.csv", ""},
};

int fuzz_guarded_open(const char *path, int flags, ...);

int fuzz_guarded_open(const char *path, int flags, ...)
{
    size_t n = strlen(dir);
    struct stat st;
    if (!n || strncmp(path, dir, n) || path[n] != '/' || strstr(path + n, "/..") ||
        lstat(path, &st) || !S_ISREG(st.st_mode) || (flags & O_ACCMODE) != O_RDONLY) {
        errno = EACCES;
        return -1;
    }
    return open(path, flags);
}

static void cleanup(void)
{
    char p[600];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i].name);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/loadtop-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_script: mkdtemp");
        exit(1);
    }
    atexit(cleanup);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, files[i].name);
        FILE *f = fopen(p, "wb");
        if (!f || fputs(files[i].text, f) < 0 || fclose(f)) {
            perror("fuzz_script: payload file");
            exit(1);
        }
    }
    snprintf(script, sizeof script, "%s/fuzz.yml", dir);
    devnull = fopen("/dev/null", "w");
    return 0;
}

static void use(char *s)
{
    /* make the sanitizers read every byte of the result */
    volatile size_t n = strlen(s);
    (void)n;
    free(s);
}

static void render_str(const char *s, const struct tpl_ctx *tc)
{
    if (s && tpl_has(s))
        use(tpl_render_str(s, tc));
}

static void render_json(const json_t *j, const struct tpl_ctx *tc)
{
    if (j)
        json_decref(tpl_render_deep(j, tc));
}

static void render_pairs(const struct header *h, int n, const struct tpl_ctx *tc)
{
    for (int i = 0; i < n; i++) {
        render_str(h[i].name, tc);
        render_str(h[i].value, tc);
    }
}

static void render_steps(const struct step *s, int n, const struct tpl_ctx *tc)
{
    for (int i = 0; i < n; i++, s++) {
        render_str(s->method, tc);
        render_str(s->url, tc);
        render_pairs(s->headers, s->nheaders, tc);
        render_str(s->body, tc);
        render_json(s->json, tc);
        render_pairs(s->form, s->nform, tc);
        render_pairs(s->qs, s->nqs, tc);
        render_pairs(s->cookies, s->ncookies, tc);
        render_str(s->auth_user, tc);
        render_str(s->auth_pass, tc);
        for (int k = 0; k < s->ncaptures; k++) {
            render_str(s->captures[k].expr, tc);
            render_str(s->captures[k].as, tc);
        }
        for (int k = 0; k < s->nexpects; k++)
            render_json(s->expects[k].arg, tc);
        if (s->if_true)
            (void)expr_test(s->if_true, tc);
        render_str(s->think_tpl, tc);
        render_str(s->jitter, tc);
        render_str(s->count_tpl, tc);
        render_json(s->over, tc);
        render_str(s->text, tc);
        render_steps(s->steps, s->nsteps, tc);
    }
}

/* A VU's variables as vu.c builds them: built-ins, a payload row (or all
 * rows under loadAll's name), config.variables (a list gives one element). */
static json_t *vu_vars(const struct plan *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "target", json_string(p->target ? p->target : ""));
    if (p->environment)
        json_object_set_new(o, "$environment", json_string(p->environment));
    json_object_set_new(o, "$loopCount", json_integer(0));
    for (int i = 0; i < p->npayloads; i++) {
        const struct payload *pl = &p->payloads[i];
        if (pl->name) {
            json_object_set(o, pl->name, pl->rows);
        } else if (json_array_size(pl->rows)) {
            const json_t *row = json_array_get(pl->rows, 0);
            for (int f = 0; f < pl->nfields && (size_t)f < json_array_size(row); f++)
                json_object_set(o, pl->fields[f], json_array_get(row, (size_t)f));
        }
    }
    const char *k;
    json_t *v;
    json_object_foreach(p->variables, k, v)
    {
        if (json_is_array(v) && json_array_size(v))
            v = json_array_get(v, json_array_size(v) - 1);
        json_object_set(o, k, v);
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario_opts o = {.env = env};
    /* the last byte picks the loader's options (-e, -v, -t, --ignore-js);
     * a script's usual final newline picks none */
    if (size) {
        uint8_t f = data[size - 1] ^ '\n';
        o.ignore_js = f & 1;
        o.environment = f & 2 ? "staging" : NULL;
        o.variables = f & 4 ? "{\"id\": 7, \"list\": [1, \"b\"], \"o\": {\"k\": \"v\"}}" : NULL;
        o.target = f & 8 ? "http://127.0.0.1:9" : NULL;
    }
    struct plan p;
    memset(&p, 0, sizeof p);
    if (scenario_parse(script, (const char *)data, size, &o, &p, devnull) < 0) {
        /* on error the plan comes back freed and zeroed */
        if (p.script || p.phases || p.scenarios || p.nphases || p.nscenarios)
            abort();
        return 0;
    }
    json_t *vars = vu_vars(&p);
    uint64_t rng = 42;
    struct tpl_ctx tc = {vars, env, &rng, "00000000-0000-4000-8000-000000000000"};
    render_pairs(p.default_headers, p.ndefault_headers, &tc);
    render_pairs(p.default_cookies, p.ndefault_cookies, &tc);
    render_str(p.think_jitter, &tc);
    if (p.before)
        render_steps(p.before->steps, p.before->nsteps, &tc);
    for (int i = 0; i < p.nscenarios; i++)
        render_steps(p.scenarios[i].steps, p.scenarios[i].nsteps, &tc);
    if (p.after)
        render_steps(p.after->steps, p.after->nsteps, &tc);
    json_decref(vars);
    plan_free(&p);
    return 0;
}
