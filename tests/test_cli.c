/* test_cli.c — option table parser, errors (exact stderr) and --help. */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"

/* Redirect fd 1 and 2 into temp files while `fn` runs; collect what was written. */
struct capture {
    char out[8192], err[1024];
};

static void capture_read(FILE *f, char *dst, size_t cap)
{
    rewind(f);
    size_t n = fread(dst, 1, cap - 1, f);
    dst[n] = '\0';
    fclose(f);
}

static int cli_call(struct capture *c, int argc, char **argv, struct options *o)
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
static int parse(struct options *o, struct capture *c, ...)
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
        struct capture c_;                                                                         \
        ASSERT_EQ(parse(&o_, &c_, __VA_ARGS__, NULL), -1);                                         \
        ASSERT_STR(c_.err, "loadtop: " msg "\nTry 'loadtop --help'.\n");                           \
        ASSERT_STR(c_.out, "");                                                                    \
        ASSERT(o_.headers == NULL && o_.method_buf == NULL);                                       \
        cli_free(&o_);                                                                             \
    } while (0)

TEST(cli_defaults)
{
    struct options o;
    struct capture c;
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
    struct capture c;
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
    struct capture c;
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
    struct capture c;
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
    struct capture c;
    ASSERT_EQ(parse(&o, &c, "--fps", "60", "--snapshot-dir", "/tmp/snaps", "s.yml", NULL), 0);
    ASSERT_EQ(o.fps, 60);
    ASSERT_STR(o.snapshot_dir, "/tmp/snaps");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--fps=1", "--snapshot-dir=out", "http://x", NULL), 0);
    ASSERT_EQ(o.fps, 1);
    ASSERT_STR(o.snapshot_dir, "out");
    cli_free(&o);
    ASSERT_EQ(parse(&o, &c, "--demo", "-c", "20", "-r", "50", "--fps", "30", NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT_EQ(o.mode, MODE_RUN);
    ASSERT_EQ(o.demo, 1);
    ASSERT(o.script == NULL && o.url == NULL);
    ASSERT_EQ(o.connections, 20);
    ASSERT_NEAR(o.rate, 50, 0);
    ASSERT_EQ(o.fps, 30);
    cli_free(&o);
}

TEST(cli_subcommands)
{
    struct options o;
    struct capture c;
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
    struct capture c;
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
    struct capture c;
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
    ASSERT_USAGE_ERROR("unknown option '--conn'", "--conn", "5", "http://x");
    ASSERT_USAGE_ERROR("-c requires an argument (N)", "http://x", "-c");
    ASSERT_USAGE_ERROR("--output requires an argument (FILE.json)", "s.yml", "--output");
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
}

TEST(cli_errors_wrong_mode)
{
    ASSERT_USAGE_ERROR("--rate applies to one-URL runs", "-r", "5", "s.yml");
    ASSERT_USAGE_ERROR("--header applies to one-URL runs", "s.yml", "-H", "A: b");
    ASSERT_USAGE_ERROR("--target applies to script runs", "-t", "http://a", "http://b");
    ASSERT_USAGE_ERROR("--environment applies to script runs", "--demo", "-e", "x");
    ASSERT_USAGE_ERROR("--listen applies to 'loadtop target' only", "--listen", "h:1", "s.yml");
    ASSERT_USAGE_ERROR("--capacity applies to 'loadtop target' only", "--demo", "--capacity=3");
    ASSERT_USAGE_ERROR("--connections does not apply to 'loadtop target'", "target", "-c", "5");
    ASSERT_USAGE_ERROR("--output does not apply to 'loadtop target'", "target", "-o", "x.json");
    ASSERT_USAGE_ERROR("--demo does not apply to 'loadtop target'", "target", "--demo");
}

TEST(cli_usage_lists_every_option)
{
    struct capture c;
    ASSERT_EQ(cli_call(&c, 0, NULL, NULL), 0);
    ASSERT_STR(c.err, "");
    ASSERT(!strncmp(c.out, "Usage: loadtop ", 15));
    const char *lines[] = {
        "\nGeneral:\n",
        "\nOne-URL runs:\n",
        "\nDashboard:\n",
        "\nTarget (loadtop target):\n",
        "\n  -c, --connections N      concurrent connections (default 50)\n",
        "\n      --headless           no dashboard",
        "\n  -d, --duration DURATION  length of the run (default 10s)\n",
        "(default 127.0.0.1:8080)\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(c.out, lines[i]))
            TEST_FAIL_("usage lacks \"%s\"", lines[i]);
    const char *longs[] = {"target",   "environment", "output",       "headless", "interval",
                           "quiet",    "version",     "help",         "rate",     "duration",
                           "requests", "connections", "method",       "header",   "body",
                           "timeout",  "fps",         "snapshot-dir", "demo",     "listen",
                           "capacity", "latency",     "variables",    "ignore-js"};
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
        if (sscanf(p + 1, "%39[-a-z]", opt) != 1 || strlen(opt) < 3)
            continue;
        struct options o;
        struct capture c2;
        parse(&o, &c2, opt, "x", "y", NULL);
        cli_free(&o);
        if (strstr(c2.err, "unknown option"))
            TEST_FAIL_("--help shows %s but the parser rejects it: %s", opt, c2.err);
        shown++;
    }
    ASSERT(shown >= (int)(sizeof longs / sizeof longs[0])); /* --demo shows twice */
}
