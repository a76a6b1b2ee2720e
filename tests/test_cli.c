/* test_cli.c — option table parser, errors (exact stderr) and --help. */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "plan.h"
#include "test.h"
#include "url.h"
#include "util.h"

/* Redirect fd 1 and 2 into temp files while `fn` runs; collect what was written. */
struct cli_out {
    char out[8192], err[1024];
};

static void capture_read(FILE *f, char *dst, size_t cap)
{
    rewind(f);
    size_t n = fread(dst, 1, cap - 1, f);
    dst[n] = '\0';
    fclose(f);
}

static int cli_call(struct cli_out *c, int argc, char **argv, struct options *o)
{
    FILE *fo = tmpfile(), *fe = tmpfile();
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    int rc = o ? cli_parse(argc, argv, o) : (cli_usage(), 0);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    capture_read(fo, c->out, sizeof c->out);
    capture_read(fe, c->err, sizeof c->err);
    return rc;
}

/* parse(&o, &c, "arg", ..., NULL): argv[0] is "loadtop". */
static int parse(struct options *o, struct cli_out *c, ...)
{
    char *argv[32] = {"loadtop"};
    int argc = 1;
    va_list ap;
    va_start(ap, c);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    return cli_call(c, argc, argv, o);
}

/* Expect a usage error whose stderr is exactly "loadtop: MSG\nTry ...". */
#define ASSERT_USAGE_ERROR(msg, ...)                                                               \
    do {                                                                                           \
        struct options o_;                                                                         \
        struct cli_out c_;                                                                         \
        ASSERT_EQ(parse(&o_, &c_, __VA_ARGS__, NULL), -1);                                         \
        ASSERT_STR(c_.err, "loadtop: " msg "\nTry 'loadtop --help'.\n");                           \
        ASSERT_STR(c_.out, "");                                                                    \
        ASSERT(o_.headers == NULL && o_.method_buf == NULL);                                       \
        cli_free(&o_);                                                                             \
    } while (0)

TEST(cli_defaults)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "test.yml", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(c.out, "");
    ASSERT_EQ(o.mode, MODE_RUN);
    ASSERT_STR(o.script, "test.yml");
    ASSERT(o.url == NULL && o.target == NULL && o.environment == NULL && o.output == NULL);
    ASSERT_EQ(o.headless, 0);
    ASSERT_EQ(o.quiet, 0);
    ASSERT_EQ(o.interval_us, 10000000);
    ASSERT_EQ(o.rate, 0);
    ASSERT_EQ(o.duration_us, 10000000);
    ASSERT_EQ(o.requests, 0);
    ASSERT_EQ(o.connections, 50);
    ASSERT_STR(o.method, "GET");
    ASSERT(o.headers == NULL);
    ASSERT_EQ(o.nheaders, 0);
    ASSERT(o.body == NULL);
    ASSERT_EQ(o.timeout_us, 0);
    ASSERT_EQ(o.fps, 10);
    ASSERT_STR(o.snapshot_dir, ".");
    ASSERT_EQ(o.demo, 0);
    ASSERT_STR(o.listen, "127.0.0.1:8080");
    ASSERT_EQ(o.capacity, 0);
    ASSERT_EQ(o.latency_ms, 0);
    cli_free(&o);
    ASSERT(o.method == NULL && o.method_buf == NULL);
}

TEST(cli_general_options)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "-t", "http://a:1", "-e", "staging", "-o", "r.json", "--headless",
                    "--interval", "2.5", "-q", "s.yml", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(o.target, "http://a:1");
    ASSERT_STR(o.environment, "staging");
    ASSERT_STR(o.output, "r.json");
    ASSERT_EQ(o.headless, 1);
    ASSERT_EQ(o.interval_us, 2500000);
    ASSERT_EQ(o.quiet, 1);
    ASSERT_STR(o.script, "s.yml");
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "s.yml", "--target=http://b", "--environment=prod", "--output",
                    "x.json", "--interval=500ms", "--quiet", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(o.target, "http://b");
    ASSERT_STR(o.environment, "prod");
    ASSERT_STR(o.output, "x.json");
    ASSERT_EQ(o.interval_us, 500000);
    ASSERT_EQ(o.quiet, 1);
    /* attached short values */
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "-thttp://foo", "-eNAME", "-oout.json", "s.yml", NULL), 0);
    ASSERT_STR(o.target, "http://foo");
    ASSERT_STR(o.environment, "NAME");
    ASSERT_STR(o.output, "out.json");
    cli_free(&o);
}

TEST(cli_script_variables_and_ignore_js)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "s.yml", NULL), 0);
    ASSERT(o.variables == NULL);
    ASSERT_EQ(o.ignore_js, 0);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "-v", "{\"id\": 7, \"ids\": [1, 2]}", "s.yml", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(o.variables, "{\"id\": 7, \"ids\": [1, 2]}"); /* checked, passed on as text */
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "run", "--variables={}", "--ignore-js", "s.yml", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(o.variables, "{}");
    ASSERT_EQ(o.ignore_js, 1);
    cli_free(&o);
    ASSERT_USAGE_ERROR("-v: '[1]' is not a JSON object (e.g. '{\"id\": 7}')", "-v", "[1]", "s.yml");
    ASSERT_USAGE_ERROR("--variables: '{id: 7}' is not a JSON object (e.g. '{\"id\": 7}')",
                       "--variables", "{id: 7}", "s.yml");
    ASSERT_USAGE_ERROR("--variables applies to script runs", "-v", "{}", "http://x");
    ASSERT_USAGE_ERROR("--ignore-js applies to script runs", "--demo", "--ignore-js");
    ASSERT_USAGE_ERROR("--ignore-js takes no argument", "--ignore-js=1", "s.yml");
}

TEST(cli_url_options)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "http://127.0.0.1:8080/up", "-r", "2.5", "-d", "2m", "-n", "1000",
                    "-c7", "-m", "delete", "-H", "X-A: 1", "-H", "Accept:*/*", "--body",
                    "{\"a\":1}", "--timeout", "1.5", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_STR(c.out, "");
    ASSERT_STR(o.url, "http://127.0.0.1:8080/up");
    ASSERT(o.script == NULL);
    ASSERT_NEAR(o.rate, 2.5, 0);
    ASSERT_EQ(o.duration_us, 120000000);
    ASSERT_EQ(o.requests, 1000);
    ASSERT_EQ(o.connections, 7);
    ASSERT_STR(o.method, "DELETE");
    ASSERT_EQ(o.nheaders, 2);
    ASSERT_STR(o.headers[0], "X-A: 1");
    ASSERT_STR(o.headers[1], "Accept:*/*");
    ASSERT_STR(o.body, "{\"a\":1}");
    ASSERT_EQ(o.timeout_us, 1500000);
    cli_free(&o);
    ASSERT(o.headers == NULL && o.nheaders == 0);

    ASSERT_EQ(parse(&o, &c, "--rate=100", "--duration=1h", "--requests=5", "--connections=100000",
                    "--method=patch", "--header=K: v", "--body=@payload.json", "--timeout=250ms",
                    "https://example.com", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_NEAR(o.rate, 100, 0);
    ASSERT_EQ(o.duration_us, 3600000000LL);
    ASSERT_EQ(o.requests, 5);
    ASSERT_EQ(o.connections, 100000);
    ASSERT_STR(o.method, "PATCH");
    ASSERT_EQ(o.nheaders, 1);
    ASSERT_STR(o.headers[0], "K: v");
    ASSERT_STR(o.body, "@payload.json");
    ASSERT_EQ(o.timeout_us, 250000);
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "-c", "1", "-r", "0.5", "-d", "10", "--method", "post", "--rate", ".25",
                    "http://x", NULL),
              0);
    ASSERT_EQ(o.connections, 1);
    ASSERT_NEAR(o.rate, 0.25, 0); /* the last one wins */
    ASSERT_EQ(o.duration_us, 10000000);
    ASSERT_STR(o.method, "POST");
    cli_free(&o);
}

TEST(cli_dashboard_options)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "--fps", "60", "--snapshot-dir", "/tmp/snaps", "s.yml", NULL), 0);
    ASSERT_EQ(o.fps, 60);
    ASSERT_STR(o.snapshot_dir, "/tmp/snaps");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--fps=1", "--snapshot-dir=out", "http://x", NULL), 0);
    ASSERT_EQ(o.fps, 1);
    ASSERT_STR(o.snapshot_dir, "out");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--demo", "--fps", "30", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_EQ(o.mode, MODE_RUN);
    ASSERT_EQ(o.demo, 1);
    ASSERT(o.script == NULL && o.url == NULL);
    ASSERT_EQ(o.fps, 30);
    cli_free(&o);
    /* the demo runs its own plan: one-URL options are refused, not ignored */
    ASSERT_USAGE_ERROR("--duration applies to one-URL runs", "--demo", "-d", "3s");
    ASSERT_USAGE_ERROR("--rate applies to one-URL runs", "--demo", "-r", "50");
}

TEST(cli_subcommands)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(parse(&o, &c, "run", "-o", "r.json", "load.yaml", NULL), 0);
    ASSERT_EQ(o.mode, MODE_RUN);
    ASSERT_STR(o.script, "load.yaml");
    ASSERT_STR(o.output, "r.json");
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "target", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_EQ(o.mode, MODE_TARGET);
    ASSERT_STR(o.listen, "127.0.0.1:8080");
    ASSERT_EQ(o.capacity, 0);
    ASSERT_EQ(o.latency_ms, 0);
    ASSERT_EQ(o.header_timeout_ms, 10000);
    ASSERT_EQ(o.idle_timeout_ms, 60000);
    ASSERT_EQ(o.max_conns, 10000);
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "target", "--header-timeout", "500", "--idle-timeout=1500",
                    "--max-connections", "2", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_EQ(o.header_timeout_ms, 500);
    ASSERT_EQ(o.idle_timeout_ms, 1500);
    ASSERT_EQ(o.max_conns, 2);
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "target", "--listen", "0.0.0.0:0", "--capacity", "64", "--latency=20",
                    "-q", NULL),
              0);
    ASSERT_STR(c.err, "");
    ASSERT_EQ(o.mode, MODE_TARGET);
    ASSERT_STR(o.listen, "0.0.0.0:0");
    ASSERT_EQ(o.capacity, 64);
    ASSERT_EQ(o.latency_ms, 20);
    ASSERT_EQ(o.quiet, 1);
    cli_free(&o);

    ASSERT_EQ(parse(&o, &c, "target", "--listen=[::1]:9000", "--capacity=0", NULL), 0);
    ASSERT_STR(o.listen, "[::1]:9000");
    cli_free(&o);

    /* only the first word is a subcommand */
    ASSERT_EQ(parse(&o, &c, "-q", "target", NULL), 0);
    ASSERT_EQ(o.mode, MODE_RUN);
    ASSERT_STR(o.script, "target");
    cli_free(&o);
}

TEST(cli_url_or_script)
{
    struct options o;
    struct cli_out c;
    const char *urls[] = {"http://a", "https://a/b?c=d", "HTTPS://A"};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(parse(&o, &c, (char *)urls[i], NULL), 0);
        ASSERT_STR(o.url, urls[i]);
        ASSERT(o.script == NULL);
        cli_free(&o);
    }
    const char *scripts[] = {"httpbin.yml", "dir/http:/x.yml", "dir/x://y.yml", "-"};
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ(parse(&o, &c, (char *)scripts[i], NULL), 0);
        ASSERT_STR(o.script, scripts[i]);
        ASSERT(o.url == NULL);
        cli_free(&o);
    }
    /* "--" ends options */
    ASSERT_EQ(parse(&o, &c, "-q", "--", "-odd.yml", NULL), 0);
    ASSERT_STR(o.script, "-odd.yml");
    ASSERT_EQ(o.quiet, 1);
    ASSERT(o.output == NULL);
    cli_free(&o);
}

TEST(cli_help_and_version)
{
    struct options o;
    struct cli_out c;
    const char *asks[][2] = {{"-h", NULL}, {"--help", NULL}, {"target", "-h"}, {"--help", "-Z"}};
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ(parse(&o, &c, (char *)asks[i][0], (char *)asks[i][1], NULL), 0);
        ASSERT_EQ(o.mode, MODE_HELP);
        ASSERT_STR(c.out, "");
        ASSERT_STR(c.err, "");
        cli_free(&o);
    }
    ASSERT_EQ(parse(&o, &c, "--version", NULL), 0);
    ASSERT_EQ(o.mode, MODE_VERSION);
    ASSERT_STR(c.out, "");
    cli_free(&o);
}

TEST(cli_errors_args)
{
    ASSERT_USAGE_ERROR("unknown option '--bogus'", "--bogus=1", "s.yml");
    ASSERT_USAGE_ERROR("unknown option '-Z'", "-Z", "s.yml");
    ASSERT_USAGE_ERROR("unknown option '--conn' (did you mean --connections?)", "--conn", "5",
                       "http://x");
    ASSERT_USAGE_ERROR("-c requires an argument (N)", "http://x", "-c");
    ASSERT_USAGE_ERROR("--output requires an argument (FILE)", "s.yml", "--output");
    ASSERT_USAGE_ERROR("--headless takes no argument", "--headless=yes", "s.yml");
    ASSERT_USAGE_ERROR("-q takes no argument", "-qv", "s.yml");
    ASSERT_USAGE_ERROR("unexpected argument 'b.yml' (one script or URL at a time)", "a.yml",
                       "b.yml");
    ASSERT_USAGE_ERROR("unexpected argument 'x' ('loadtop target' takes none)", "target", "x");
    ASSERT_USAGE_ERROR("nothing to run: give a SCRIPT.yml, a URL or --demo", "-q");
    ASSERT_USAGE_ERROR("nothing to run: give a SCRIPT.yml, a URL or --demo", "run");
    ASSERT_USAGE_ERROR("--demo takes no script or URL", "--demo", "http://x");
}

TEST(cli_errors_values)
{
    ASSERT_USAGE_ERROR("-c: '0x' is not a positive integer", "-c", "0x", "http://x");
    ASSERT_USAGE_ERROR("--connections: '0' is not a positive integer", "--connections=0",
                       "http://x");
    ASSERT_USAGE_ERROR("-c: '100001' is too large (at most 100000)", "-c100001", "http://x");
    ASSERT_USAGE_ERROR("-c: '-5' is not a positive integer", "-c", "-5", "http://x");
    ASSERT_USAGE_ERROR("-c: ' 5' is not a positive integer", "-c", " 5", "http://x");
    ASSERT_USAGE_ERROR("-n: '99999999999999999999' is too large (at most 9223372036854775807)",
                       "-n", "99999999999999999999", "http://x");
    ASSERT_USAGE_ERROR("--fps: '61' is too large (at most 60)", "--fps", "61", "s.yml");
    ASSERT_USAGE_ERROR("-r: '0' is not a positive number", "-r", "0", "http://x");
    ASSERT_USAGE_ERROR("--rate: '1e3' is not a positive number", "--rate=1e3", "http://x");
    ASSERT_USAGE_ERROR("-r: '' is not a positive number", "-r", "", "http://x");
    ASSERT_USAGE_ERROR("-d: '10x' is not a duration (e.g. 500ms, 10s, 2m, 1h)", "-d", "10x",
                       "http://x");
    ASSERT_USAGE_ERROR("--timeout: '0s' must be longer than zero", "--timeout", "0s", "http://x");
    ASSERT_USAGE_ERROR("--interval: '-1' is not a duration (e.g. 500ms, 10s, 2m, 1h)",
                       "--interval=-1", "s.yml");
    ASSERT_USAGE_ERROR("-H: 'NoColon' is not a header (expected 'Name: value')", "-H", "NoColon",
                       "http://x");
    ASSERT_USAGE_ERROR("--header: ': v' is not a header (expected 'Name: value')", "--header",
                       ": v", "http://x");
    ASSERT_USAGE_ERROR("-m: 'GE T' is not an HTTP method", "-m", "GE T", "http://x");
    ASSERT_USAGE_ERROR("--listen: '8080' is not ADDR:PORT (e.g. 127.0.0.1:8080)", "target",
                       "--listen", "8080");
    ASSERT_USAGE_ERROR("--listen: 'h:65536' is not ADDR:PORT (e.g. 127.0.0.1:8080)", "target",
                       "--listen=h:65536");
    ASSERT_USAGE_ERROR("--latency: '-1' is not a non-negative integer", "target", "--latency",
                       "-1");
    ASSERT_USAGE_ERROR("--header-timeout: '0' is not a positive integer", "target",
                       "--header-timeout", "0");
    ASSERT_USAGE_ERROR("--idle-timeout: '90000000' is too large (at most 86400000)", "target",
                       "--idle-timeout=90000000");
    ASSERT_USAGE_ERROR("--max-connections: '0' is not a positive integer", "target",
                       "--max-connections", "0");
    ASSERT_USAGE_ERROR("--max-connections applies to 'loadtop target' only", "--demo",
                       "--max-connections=5");
}

TEST(cli_errors_wrong_mode)
{
    ASSERT_USAGE_ERROR("--rate applies to one-URL runs", "-r", "5", "s.yml");
    ASSERT_USAGE_ERROR("--header applies to one-URL runs", "s.yml", "-H", "A: b");
    ASSERT_USAGE_ERROR("--target applies to script runs", "-t", "http://a", "http://b");
    ASSERT_USAGE_ERROR("--environment applies to script runs", "--demo", "-e", "x");
    ASSERT_USAGE_ERROR("--max-connections applies to 'loadtop target' only", "--max-connections",
                       "10", "s.yml");
    ASSERT_USAGE_ERROR("--capacity applies to 'loadtop target' only", "--demo", "--capacity=3");
    ASSERT_USAGE_ERROR("--connections does not apply to 'loadtop target'", "target", "-c", "5");
    ASSERT_USAGE_ERROR("--output does not apply to 'loadtop target'", "target", "-o", "x.json");
    ASSERT_USAGE_ERROR("--demo does not apply to 'loadtop target'", "target", "--demo");
}

TEST(cli_usage_lists_every_option)
{
    struct cli_out c;
    ASSERT_EQ(cli_call(&c, 0, NULL, NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT(!strncmp(c.out, "Usage: loadtop ", 15));
    const char *lines[] = {
        "\nGeneral:\n",
        "\nOne-URL runs:\n",
        "\nDashboard:\n",
        "\nTarget (loadtop target):\n",
        "\nTLS and HTTP versions:\n",
        "\n  -c, --connections N            concurrent connections (default 50)\n",
        "\n      --headless                 no dashboard",
        "\n  -d, --duration DURATION        length of the run (default 10s)\n",
        "\n  -k, --insecure                 do not verify",
        "(default 127.0.0.1:8080)\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(c.out, lines[i]))
            TEST_FAIL_("usage lacks \"%s\"", lines[i]);
    const char *longs[] = {"target",
                           "environment",
                           "output",
                           "headless",
                           "interval",
                           "quiet",
                           "version",
                           "help",
                           "rate",
                           "duration",
                           "requests",
                           "connections",
                           "method",
                           "header",
                           "body",
                           "timeout",
                           "fps",
                           "snapshot-dir",
                           "demo",
                           "listen",
                           "capacity",
                           "latency",
                           "variables",
                           "ignore-js",
                           "header-timeout",
                           "idle-timeout",
                           "max-connections",
                           "insecure",
                           "cacert",
                           "cert",
                           "key",
                           "http2",
                           "http2-prior-knowledge",
                           "max-vusers"};
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        char want[40];
        snprintf(want, sizeof want, " --%s", longs[i]);
        if (!strstr(c.out, want))
            TEST_FAIL_("usage lacks \"%s\"", want);
    }
    /* The other way round: every --name that --help shows is one the parser knows. */
    int shown = 0;
    for (const char *p = c.out; (p = strstr(p, " --")); p += 3) {
        char opt[40];
        if (sscanf(p + 1, "%39[-a-z0-9]", opt) != 1 || strlen(opt) < 3)
            continue;
        struct options o;
        struct cli_out c2;
        parse(&o, &c2, opt, "x", "y", NULL);
        cli_free(&o);
        if (strstr(c2.err, "unknown option"))
            TEST_FAIL_("--help shows %s but the parser rejects it: %s", opt, c2.err);
        shown++;
    }
    ASSERT(shown >= (int)(sizeof longs / sizeof longs[0])); /* --demo shows twice */
}

/* ---- refusals: hostile values (issue 13) ---- */

/* stderr of a usage error for argv (NULL-terminated), or "(accepted)". */
static const char *refusal(struct cli_out *c, char **argv)
{
    struct options o;
    int argc = 0;
    while (argv[argc])
        argc++;
    int rc = cli_call(c, argc, argv, &o);
    cli_free(&o);
    return rc < 0 ? c->err : "(accepted)";
}

#define ASSERT_REFUSAL(msg, ...)                                                                   \
    do {                                                                                           \
        struct cli_out c_;                                                                         \
        char *argv_[] = {"loadtop", __VA_ARGS__, NULL};                                            \
        ASSERT_STR(refusal(&c_, argv_), msg);                                                      \
    } while (0)

#define TRY "\nTry 'loadtop --help'.\n"

TEST(cli_refuses_hostile_values)
{
    ASSERT_REFUSAL("loadtop: -r: '1000001' is too large (at most 1000000 a second)" TRY, "-r",
                   "1000001", "http://x");
    ASSERT_REFUSAL("(accepted)", "-r", "1000000", "http://x");
    ASSERT_REFUSAL("loadtop: -r: 'nan' is not a positive number" TRY, "-r", "nan", "http://x");
    ASSERT_REFUSAL("loadtop: -r: 'inf' is not a positive number" TRY, "-r", "inf", "http://x");
    ASSERT_REFUSAL("loadtop: -d: '8761h' is too long (at most 8760h, a year)" TRY, "-d", "8761h",
                   "http://x");
    ASSERT_REFUSAL("(accepted)", "-d", "8760h", "http://x");
    ASSERT_REFUSAL("loadtop: -d: '1e300' is too long (at most 8760h, a year)" TRY, "-d", "1e300",
                   "http://x");
    ASSERT_REFUSAL("loadtop: -d: 'inf' is not a duration (e.g. 500ms, 10s, 2m, 1h)" TRY, "-d",
                   "inf", "http://x");
    ASSERT_REFUSAL("loadtop: -d: '0x10' is not a duration (e.g. 500ms, 10s, 2m, 1h)" TRY, "-d",
                   "0x10", "http://x");
    ASSERT_REFUSAL("loadtop: --timeout: '1e999' is too long (at most 8760h, a year)" TRY,
                   "--timeout", "1e999", "http://x");
    ASSERT_REFUSAL("loadtop: --interval: '9999999h' is too long (at most 8760h, a year)" TRY,
                   "--interval", "9999999h", "s.yml");
    ASSERT_REFUSAL("loadtop: -m: 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG' is not an HTTP method" TRY,
                   "-m", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG", "http://x");
    ASSERT_REFUSAL("loadtop: -o: the value is empty" TRY, "-o", "", "http://x");
    ASSERT_REFUSAL("loadtop: --snapshot-dir: the value is empty" TRY,
                   "--snapshot-dir=", "http://x");
    ASSERT_REFUSAL("loadtop: -e: the value is empty" TRY, "-e", "", "s.yml");
    ASSERT_REFUSAL("(accepted)", "--body", "", "http://x"); /* an empty body is a body */
    ASSERT_REFUSAL("loadtop: --listen: 'x:80' is not ADDR:PORT (e.g. 127.0.0.1:8080)" TRY, "target",
                   "--listen", "x:80");
    ASSERT_REFUSAL("loadtop: --listen: '999.1.1.1:80' is not ADDR:PORT (e.g. 127.0.0.1:8080)" TRY,
                   "target", "--listen", "999.1.1.1:80");
    ASSERT_REFUSAL(
        "loadtop: --listen: '127.0.0.1\\n:80' is not ADDR:PORT (e.g. 127.0.0.1:8080)" TRY, "target",
        "--listen", "127.0.0.1\n:80");
    ASSERT_REFUSAL("(accepted)", "target", "--listen", "[::1]:0");
    ASSERT_REFUSAL("(accepted)", "target", "--listen", "localhost:8080");
}

TEST(cli_refuses_bad_urls_and_headers)
{
    ASSERT_REFUSAL("loadtop: -t: 'ftp://x' must start with http:// or https://" TRY, "-t",
                   "ftp://x", "s.yml");
    ASSERT_REFUSAL("loadtop: -t: 'http://a b' cannot hold a space (write %20)" TRY, "-t",
                   "http://a b", "s.yml");
    ASSERT_REFUSAL("loadtop: -t: 'http://a:0' has a port outside 1-65535" TRY, "-t", "http://a:0",
                   "s.yml");
    ASSERT_REFUSAL("loadtop: -t: 'http://a/\\r\\nX: y' cannot hold a line break" TRY, "-t",
                   "http://a/\r\nX: y", "s.yml");
    ASSERT_REFUSAL("loadtop: 'ftp://x/' is not an http:// or https:// URL" TRY, "ftp://x/");
    ASSERT_REFUSAL("loadtop: 'http://x:99999/' has a port outside 1-65535" TRY, "http://x:99999/");
    ASSERT_REFUSAL("loadtop: 'http://' has no host" TRY, "http://");
    ASSERT_REFUSAL("loadtop: 'http://x/\\x7f' cannot hold control character \\x7f" TRY,
                   "http://x/\x7f");
    ASSERT_REFUSAL("loadtop: 'https://[::1' is not a valid URL (Bad IPv6 address)" TRY,
                   "https://[::1");
    ASSERT_REFUSAL("loadtop: -H: 'X: a\\r\\nY: b' is refused: a header value must be on one "
                   "line (no CR or LF)" TRY,
                   "-H", "X: a\r\nY: b", "http://x");
    ASSERT_REFUSAL("loadtop: -H: 'X: a\\x7f' is refused: a header value cannot hold control "
                   "character \\x7f" TRY,
                   "-H", "X: a\x7f", "http://x");
    ASSERT_REFUSAL("loadtop: -H: 'X\\x01: a' is refused: a header name cannot hold control "
                   "character \\x01" TRY,
                   "-H", "X\x01: a", "http://x");
    ASSERT_REFUSAL("loadtop: -H: 'X(: a' is refused: a header name cannot hold `(`" TRY, "-H",
                   "X(: a", "http://x");
    ASSERT_REFUSAL("(accepted)", "-H", "X-Tab: a\tb", "http://x");
    /* at most 100 -H */
    char *argv[206] = {"loadtop"};
    int n = 1;
    for (int i = 0; i < 101; i++) {
        argv[n++] = "-H";
        argv[n++] = "X: y";
    }
    argv[n++] = "http://x";
    argv[n] = NULL;
    struct cli_out c;
    ASSERT_STR(refusal(&c, argv), "loadtop: -H: more than 100 headers (the limit)" TRY);
}

TEST(cli_never_echoes_a_huge_value)
{
    char *huge = malloc(100001);
    memset(huge, '9', 100000);
    huge[100000] = '\0';
    char *opt = malloc(100003);
    snprintf(opt, 100003, "--%s", huge);
    ASSERT_REFUSAL("loadtop: -c: '9999999999999999999999999999999999999999999999999999999999"
                   "99...' is too large (at most 100000)" TRY,
                   "-c", huge, "http://x");
    ASSERT_REFUSAL("loadtop: unknown option '--9999999999999999999999999999999999999999999999999"
                   "999999999...'" TRY,
                   opt, "http://x");
    ASSERT_REFUSAL("loadtop: unexpected argument '99999999999999999999999999999999999999999999999"
                   "9999999999999...' (one script or URL at a time)" TRY,
                   "a.yml", huge);
    free(huge);
    free(opt);
}

TEST(cli_helpers_clip_and_durations)
{
    char b[16];
    ASSERT_STR(str_clip(b, sizeof b, "short"), "short");
    ASSERT_STR(str_clip(b, sizeof b, "exactly 15 byte"), "exactly 15 byte");
    ASSERT_STR(str_clip(b, sizeof b, "sixteen bytes!!!"), "sixteen byte...");
    ASSERT_STR(str_clip(b, sizeof b, "a\r\nb\x01\x7f"), "a\\r\\nb\\x01\\x7f");
    ASSERT_STR(str_clip(b, sizeof b, "\x01\x01\x01\x01"), "\\x01\\x01\\x01...");
    /* cut before a UTF-8 character, never inside it: "é" is 2 bytes */
    ASSERT_STR(str_clip(b, sizeof b, "abcdefghijk\xc3\xa9xyz"), "abcdefghijk...");
    int64_t us = -1;
    ASSERT_EQ(parse_duration_max("1.5", 2000000, &us), 0);
    ASSERT_EQ(us, 1500000);
    ASSERT_EQ(parse_duration_max("3", 2000000, &us), -2);
    ASSERT_EQ(parse_duration_max("1e300", INT64_MAX, &us), -2);
    ASSERT_EQ(parse_duration_max("1e300h", INT64_MAX, &us), -2);
    ASSERT_EQ(parse_duration_max("inf", INT64_MAX, &us), -1);
    ASSERT_EQ(parse_duration_max("nan", INT64_MAX, &us), -1);
    ASSERT_EQ(parse_duration_max("0x10", INT64_MAX, &us), -1);
    ASSERT_EQ(parse_duration_max(" 5", INT64_MAX, &us), -1);
    ASSERT_EQ(parse_duration_max("5x", INT64_MAX, &us), -1);
    ASSERT_EQ(parse_duration_max("", INT64_MAX, &us), -1);
    ASSERT_EQ(us, 1500000);
}

TEST(plan_url_and_header_checks)
{
    static const struct {
        const char *url;
        int at;
        const char *why;
    } bad[] = {
        {"http://a:0/", 9, "has a port outside 1-65535"},
        {"http://a:65536", 9, "has a port outside 1-65535"},
        {"http://u:p@[::1]:70000/", 17, "has a port outside 1-65535"},
        {"http:///x", 7, "has no host"},
        {"http://@x", 7, "has no host"},
        {"https://", 8, "has no host"},
        {"ws://x", 0, "must start with http:// or https://"},
        {"http://a/ b", 9, "cannot hold a space (write %20)"},
        {"http://a/\tb", 9, "cannot hold a tab"},
        {"http://a/\nb", 9, "cannot hold a line break"},
        {"http://a/\x1b", 9, "cannot hold control character \\x1b"},
        {"http://a b/", 8, "cannot hold a space (write %20)"},
        {"http://[::1/", -1, "is not a valid URL (Bad IPv6 address)"},
    };
    char why[128];
    int at;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ(url_check(bad[i].url, &at, why, sizeof why), -1);
        ASSERT_STR(why, bad[i].why);
        ASSERT_EQ(at, bad[i].at);
    }
    static const char *const good[] = {"http://a",        "HTTPS://A:443/x?y=1#z",
                                       "http://[::1]:80", "http://u:p@h:65535/",
                                       "http://h/%20{x}", "https://h/caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (url_check(good[i], &at, why, sizeof why) < 0)
            TEST_FAIL_("%s: %s", good[i], why);
    int in_value;
    ASSERT_EQ(plan_header_check("X-A", "a\tb c", &at, &in_value, why, sizeof why), 0);
    ASSERT_EQ(plan_header_check("", NULL, &at, &in_value, why, sizeof why), -1);
    ASSERT_STR(why, "an empty header name");
    ASSERT_EQ(plan_header_check("X A", "v", &at, &in_value, why, sizeof why), -1);
    ASSERT_STR(why, "a header name cannot hold a space");
    ASSERT_EQ(at, 1);
    ASSERT_EQ(in_value, 0);
    ASSERT_EQ(plan_header_check("X", "ab\rc", &at, &in_value, why, sizeof why), -1);
    ASSERT_STR(why, "a header value must be on one line (no CR or LF)");
    ASSERT_EQ(at, 2);
    ASSERT_EQ(in_value, 1);
}

/* plan_from_url's messages for `u`, or "" when it built a plan (freed). */
static char *url_plan_diag(const struct url_run *u, struct plan *keep)
{
    char *diag = NULL;
    size_t len;
    FILE *f = open_memstream(&diag, &len);
    struct plan p;
    int rc = plan_from_url(u, &p, f);
    fclose(f);
    if (rc == 0 && keep)
        *keep = p;
    else
        plan_free(&p);
    return diag;
}

TEST(plan_from_url_refusals)
{
    char dir[] = "/tmp/loadtop_body_XXXXXX", fifo[64], big[64], nul[64], ok[64];
    ASSERT(mkdtemp(dir) != NULL);
    snprintf(fifo, sizeof fifo, "@%s/fifo", dir);
    snprintf(big, sizeof big, "@%s/big", dir);
    snprintf(nul, sizeof nul, "@%s/nul", dir);
    snprintf(ok, sizeof ok, "@%s/ok", dir);
    ASSERT_EQ(mkfifo(fifo + 1, 0600), 0);
    FILE *f = fopen(big + 1, "w");
    ASSERT_EQ(ftruncate(fileno(f), PLAN_MAX_BODY_FILE + 1), 0);
    fclose(f);
    f = fopen(nul + 1, "w");
    fwrite("a\0b", 1, 3, f);
    fclose(f);
    f = fopen(ok + 1, "w");
    fputs("{\"secret\": 1}", f);
    fclose(f);
    struct url_run u = {
        .url = "http://x/a?b", .method = "POST", .connections = 2, .duration_us = 1000000};
    static const struct {
        const char *body, *msg;
    } bodies[] = {
        {"@/dev/zero", "loadtop: --body: /dev/zero: not a regular file\n"},
        {"@/dev/urandom", "loadtop: --body: /dev/urandom: not a regular file\n"},
        {"@/tmp", "loadtop: --body: /tmp: is a directory\n"},
        {"@/nonexistent", "loadtop: --body: /nonexistent: No such file or directory\n"},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        u.body = bodies[i].body;
        char *d = url_plan_diag(&u, NULL);
        ASSERT_STR(d, bodies[i].msg);
        free(d);
    }
    const char *files[] = {fifo, big, nul};
    const char *why[] = {"not a regular file", "larger than 10 MiB (the limit for a body)",
                         "binary bodies (NUL bytes) are not supported"};
    for (int i = 0; i < 3; i++) {
        u.body = files[i];
        char *d = url_plan_diag(&u, NULL), *want = NULL;
        ASSERT(asprintf(&want, "loadtop: --body: %s: %s\n", files[i] + 1, why[i]) > 0);
        ASSERT_STR(d, want);
        free(d);
        free(want);
    }
    /* a good one: the contents are the body, and never in a message */
    struct plan p;
    u.body = ok;
    char *d = url_plan_diag(&u, &p);
    ASSERT_STR(d, "");
    free(d);
    ASSERT_STR(p.scenarios[0].steps[0].body, "{\"secret\": 1}");
    ASSERT_EQ(p.scenarios[0].steps[0].body_kind, BODY_RAW);
    ASSERT_STR(p.endpoints[0].key, "POST /a");
    plan_free(&p);
    unlink(fifo + 1);
    unlink(big + 1);
    unlink(nul + 1);
    unlink(ok + 1);
    rmdir(dir);

    /* -n at -r that would last past the duration limit */
    u.body = NULL;
    u.rate = 1;
    u.requests = 9000000000000000000LL;
    d = url_plan_diag(&u, NULL);
    ASSERT_STR(d, "loadtop: -n: 9000000000000000000 requests at 1/s would take longer than 8760h "
                  "(the limit)\n");
    free(d);
    u.requests = 0;
    u.url = "http://x:0/";
    d = url_plan_diag(&u, NULL);
    ASSERT_STR(d, "loadtop: the URL has a port outside 1-65535\n");
    free(d);
    u.url = "http://x/";
    const char *hs[] = {"X: a\nInjected: 1"};
    u.headers = hs;
    u.nheaders = 1;
    d = url_plan_diag(&u, NULL);
    ASSERT_STR(d, "loadtop: -H: a header value must be on one line (no CR or LF)\n");
    free(d);
}

/* One status reason table (util.c), for the target and the dashboard. */
TEST(http_status_reasons)
{
    ASSERT_STR(http_status_reason(200), "OK");
    ASSERT_STR(http_status_reason(404), "Not Found");
    ASSERT_STR(http_status_reason(429), "Too Many Requests");
    ASSERT_STR(http_status_reason(431), "Request Header Fields Too Large");
    ASSERT_STR(http_status_reason(503), "Service Unavailable");
    ASSERT(http_status_reason(999) == NULL);
    ASSERT(http_status_reason(0) == NULL);
}

/* What users of curl, oha, hey and wrk type. */
TEST(cli_habits_of_other_tools)
{
    struct options o;
    struct cli_out c;
    /* -z is oha's and hey's -d */
    ASSERT_EQ(parse(&o, &c, "-z", "3s", "http://x", NULL), 0);
    ASSERT_EQ(o.duration_us, 3000000);
    ASSERT_EQ(o.duration_given, 1);
    cli_free(&o);
    /* -q N is hey's and oha's rate */
    ASSERT_USAGE_ERROR(
        "-q is --quiet here; for 100 arrivals a second (hey and oha's -q) use -r 100", "-q", "100",
        "http://x");
    /* typos get a suggestion; a prefix counts */
    ASSERT_USAGE_ERROR("unknown option '--durtion' (did you mean --duration?)", "--durtion", "3s",
                       "http://x");
    ASSERT_USAGE_ERROR("unknown option '--dur' (did you mean --duration?)", "--dur", "3s",
                       "http://x");
    ASSERT_USAGE_ERROR("unknown option '--zzzzzzzzz'", "--zzzzzzzzz", "http://x");
    /* curl's habit: no scheme is http://, said on stderr */
    ASSERT_EQ(parse(&o, &c, "localhost:8080/up", NULL), 0);
    ASSERT_STR(o.url, "http://localhost:8080/up");
    ASSERT_STR(c.err, "loadtop: taking 'localhost:8080/up' as http://localhost:8080/up\n");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "127.0.0.1:9/x?y=1", NULL), 0);
    ASSERT_STR(o.url, "http://127.0.0.1:9/x?y=1");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "missing.yml", NULL), 0); /* a script name stays a script */
    ASSERT_STR(o.script, "missing.yml");
    cli_free(&o);
    /* wrk's --latency is a flag for a run, the target's keeps its MS */
    ASSERT_EQ(parse(&o, &c, "--latency", "http://x", NULL), 0);
    ASSERT_EQ(o.latency_dist, 1);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "target", "--latency", "20", NULL), 0);
    ASSERT_EQ(o.latency_ms, 20);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--json", "http://x", NULL), 0);
    ASSERT_EQ(o.json, 1);
    cli_free(&o);
    /* loadtop report prints Markdown without -o */
    ASSERT_EQ(parse(&o, &c, "report", "run.json", NULL), 0);
    ASSERT_EQ(o.mode, MODE_REPORT);
    ASSERT(o.output == NULL);
    cli_free(&o);
}

/* --shard I/N (I from $JOB_COMPLETION_INDEX when left out), --start-at in
 * epoch seconds or RFC 3339, -w. */
TEST(cli_shard_start_at_workers)
{
    struct options o;
    struct cli_out c;
    ASSERT_EQ(
        parse(&o, &c, "--shard", "2/5", "--start-at", "1796659200.25", "-w", "3", "s.yml", NULL),
        0);
    ASSERT_EQ(o.shard, 2);
    ASSERT_EQ(o.nshards, 5);
    ASSERT_EQ(o.start_at_us, 1796659200250000);
    ASSERT_EQ(o.workers, 3);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--start-at", "2026-12-07T16:30:00Z", "s.yml", NULL), 0);
    ASSERT_EQ(o.start_at_us, 1796661000LL * 1000000);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--start-at", "2026-12-07T17:30:00.5+01:00", "s.yml", NULL), 0);
    ASSERT_EQ(o.start_at_us, 1796661000LL * 1000000 + 500000);
    cli_free(&o);
    setenv("JOB_COMPLETION_INDEX", "3", 1);
    ASSERT_EQ(parse(&o, &c, "--shard", "$JOB_COMPLETION_INDEX/4", "s.yml", NULL), 0);
    ASSERT_EQ(o.shard, 3);
    ASSERT_EQ(o.nshards, 4);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--shard", "/4", "s.yml", NULL), 0);
    ASSERT_EQ(o.shard, 3);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--shard", "$(JOB_COMPLETION_INDEX)/4", "s.yml", NULL), 0);
    ASSERT_EQ(o.shard, 3);
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--shard", "3", "s.yml", NULL), -1); /* 3 of 3: no such index */
    unsetenv("JOB_COMPLETION_INDEX");
    ASSERT_EQ(parse(&o, &c, "--shard", "/4", "s.yml", NULL), -1);
    ASSERT(strstr(c.err, "JOB_COMPLETION_INDEX is not set"));
    ASSERT_EQ(parse(&o, &c, "--shard", "4/4", "s.yml", NULL), -1);
    ASSERT_EQ(parse(&o, &c, "--shard", "x/4", "s.yml", NULL), -1);
    ASSERT_EQ(parse(&o, &c, "--start-at", "2026-12-07 16:30", "s.yml", NULL), -1);
    ASSERT_EQ(parse(&o, &c, "--start-at", "2026-12-07T16:30:00", "s.yml", NULL), -1);
    ASSERT(strstr(c.err, "needs a UTC offset"));
    ASSERT_EQ(parse(&o, &c, "-w", "0", "s.yml", NULL), -1);
    /* RFC 3339's exact shape only (found by review: strptime and strtod
     * were lenient, and a short offset read past the string) */
    static const char *const bad[] = {"2026-12-07T16:30:00+1:00",  "2026-12-07T16:30:00+1:5",
                                      "2026-12-07T16:30:00+99:99", "2026-12-07T16:30:00+01:-5",
                                      "2026-12-07T16:30:00.5e3Z",  "2026-12-07T16:30:00.5e999Z",
                                      " 2026-12-07T16:30:00Z",     "2026-1-7T16:30:00Z",
                                      "2026-12-07T16:30:00.Z",     "2026-12-07T16:30:00Zx"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ASSERT_EQ(parse(&o, &c, "--start-at", bad[i], "s.yml", NULL), -1);
    ASSERT_EQ(parse(&o, &c, "--start-at", "2026-12-07t16:30:00.123456789z", "s.yml", NULL), 0);
    ASSERT_EQ(o.start_at_us, 1796661000LL * 1000000 + 123456);
    cli_free(&o);
}
