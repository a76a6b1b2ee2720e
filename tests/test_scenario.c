/* test_scenario.c — scenario.c: valid scripts give exact plan fields, broken
 * scripts give exact "FILE:LINE:COL: message" lines. */
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expr.h"
#include "scenario.h"
#include "test.h"
#include "util.h"

/* Parse `yaml` as "t.yml" with -t/-e; *diag gets all that was printed
 * (caller frees). */
static int parse(const char *yaml, const char *target, const char *env, struct plan *p, char **diag)
{
    size_t len = 0;
    FILE *f = open_memstream(diag, &len);
    struct scenario_opts o = {.target = target, .environment = env};
    memset(p, 0, sizeof *p);
    int r = scenario_parse("t.yml", yaml, strlen(yaml), &o, p, f);
    fclose(f);
    return r;
}

/* A valid config (lines 1-5) and scenarios section, to build on. */
#define CFG                                                                                        \
    "config:\n"                                                                                    \
    "  target: \"http://t.test\"\n"                                                                \
    "  phases:\n"                                                                                  \
    "    - duration: 1\n"                                                                          \
    "      arrivalRate: 1\n"
#define SCN                                                                                        \
    "scenarios:\n"                                                                                 \
    "  - flow:\n"                                                                                  \
    "      - get: {url: \"/\"}\n"

TEST(scenario_phases)
{
    const char *y = "config:\n"
                    "  target: \"http://localhost:8080\"\n"
                    "  phases:\n"
                    "    - duration: 60\n"
                    "      arrivalRate: 10\n"
                    "      name: Steady\n"
                    "    - duration: \"2m\"\n"
                    "      arrivalRate: 1\n"
                    "      rampTo: 20.5\n"
                    "      maxVusers: 100\n"
                    "    - duration: 1.5\n"
                    "      arrivalCount: 30\n"
                    "    - pause: \"250ms\"\n"
                    "    - duration: \"1.5\"\n"
                    "      arrivalRate: 0\n"
                    "    - duration: 10\n"
                    "      arrivalRate: 0\n"
                    "      rampTo: 5\n"
                    "    - pause: 3\n"
                    "      arrivalRate: 9\n" SCN;
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_STR(p.script, "t.yml");
    ASSERT_STR(p.target, "http://localhost:8080");
    ASSERT(p.environment == NULL);
    ASSERT_EQ(p.model, MODEL_OPEN);
    ASSERT_EQ(p.timeout_us, 10000000);
    ASSERT_EQ(p.pool, 0);
    ASSERT_EQ(p.insecure, 0);
    ASSERT_EQ(p.nphases, 7);
    struct phase *ph = p.phases;
    ASSERT_EQ(ph[0].kind, PHASE_CONST);
    ASSERT_STR(ph[0].name, "Steady");
    ASSERT_EQ(ph[0].duration_us, 60000000);
    ASSERT_NEAR(ph[0].rate, 10, 0);
    ASSERT_EQ(ph[0].line, 4);
    ASSERT_EQ(ph[0].col, 7);
    ASSERT_EQ(ph[1].kind, PHASE_RAMP);
    ASSERT_STR(ph[1].name, "unnamed");
    ASSERT_EQ(ph[1].duration_us, 120000000);
    ASSERT_NEAR(ph[1].rate, 1, 0);
    ASSERT_NEAR(ph[1].rate_to, 20.5, 0);
    ASSERT_EQ(ph[1].max_vusers, 100);
    ASSERT_EQ(ph[1].line, 7);
    ASSERT_EQ(ph[2].kind, PHASE_COUNT);
    ASSERT_EQ(ph[2].duration_us, 1500000);
    ASSERT_EQ(ph[2].count, 30);
    ASSERT_EQ(ph[2].max_vusers, 0);
    ASSERT_EQ(ph[3].kind, PHASE_PAUSE);
    ASSERT_EQ(ph[3].duration_us, 250000);
    ASSERT_EQ(ph[4].kind, PHASE_PAUSE); /* arrivalRate 0 without rampTo */
    ASSERT_EQ(ph[4].duration_us, 1500000);
    ASSERT_EQ(ph[5].kind, PHASE_RAMP); /* a ramp from 0 is still a ramp */
    ASSERT_NEAR(ph[5].rate_to, 5, 0);
    ASSERT_EQ(ph[6].kind, PHASE_PAUSE); /* pause wins over arrivalRate */
    ASSERT_EQ(ph[6].duration_us, 3000000);
    ASSERT_EQ(plan_duration_us(&p), 196250000);
    ASSERT_EQ(p.nscenarios, 1);
    ASSERT_STR(p.scenarios[0].name, "scenario 1");
    ASSERT_EQ(p.scenarios[0].weight, 1);
    ASSERT_EQ(p.scenarios[0].nsteps, 1);
    ASSERT_STR(p.scenarios[0].steps[0].url, "http://localhost:8080/");
    ASSERT_EQ(p.nendpoints, 1);
    ASSERT_STR(p.endpoints[0].key, "GET /");
    plan_free(&p);
    ASSERT_EQ(p.nphases, 0);
}

TEST(scenario_requests)
{
    const char *y =
        "config:\n"
        "  target: \"http://api.test/v1/\"\n"
        "  phases: [{duration: 1, arrivalRate: 1}]\n"
        "scenarios:\n"
        "  - name: Shop\n"
        "    flow:\n"
        "      - get:\n"
        "          url: \"/items?page=1\"\n"
        "      - get:\n"
        "          url: \"/items?page=2\"\n"
        "          headers:\n"
        "            Accept: text/plain\n"
        "            X-Num: 5\n"
        "      - post:\n"
        "          url: \"/items\"\n"
        "          json:\n"
        "            id: 42\n"
        "            price: 9.99\n"
        "            ok: true\n"
        "            none: null\n"
        "            tilde: ~\n"
        "            zip: \"00501\"\n"
        "            flag: 'true'\n"
        "            tags: [a, \"b c\", 1.0e3]\n"
        "            nested: {x: -1, y: 0x1F}\n"
        "      - put: {url: \"https://other.test/x?y=1\", body: \"raw text\"}\n"
        "      - patch: {url: \"/p?old=1\", qs: {q: \"a b&c\", list: [1, 2], \"ü\": é}}\n"
        "      - delete: {url: \"/items/1\", name: \"Delete item\"}\n"
        "      - head: {url: \"/items/2\", name: \"Delete item\"}\n"
        "      - think: 2\n"
        "      - think: \"500ms\"\n"
        "      - loop:\n"
        "          - get: {url: \"/items?page=3\"}\n"
        "          - think: 0.1\n"
        "        count: 3\n"
        "      - post: {url: /raw, json: \"just a string\"}\n";
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_EQ(p.nscenarios, 1);
    ASSERT_STR(p.scenarios[0].name, "Shop");
    ASSERT_EQ(p.scenarios[0].nsteps, 11);
    struct step *s = p.scenarios[0].steps;
    ASSERT_EQ(s[0].kind, STEP_REQUEST);
    ASSERT_EQ(s[0].line, 7);
    ASSERT_EQ(s[0].col, 9);
    ASSERT_STR(s[0].method, "GET");
    ASSERT_STR(s[0].url, "http://api.test/v1/items?page=1");
    ASSERT_EQ(s[0].body_kind, BODY_NONE);
    ASSERT_EQ(s[0].nheaders, 0);
    ASSERT_EQ(s[0].endpoint, 0);
    ASSERT_STR(s[1].url, "http://api.test/v1/items?page=2");
    ASSERT_EQ(s[1].endpoint, 0); /* same path, other query: same row */
    ASSERT_EQ(s[1].nheaders, 2);
    ASSERT_STR(s[1].headers[0].name, "Accept");
    ASSERT_STR(s[1].headers[0].value, "text/plain");
    ASSERT_STR(s[1].headers[1].name, "X-Num");
    ASSERT_STR(s[1].headers[1].value, "5");
    ASSERT_STR(s[2].method, "POST");
    ASSERT_EQ(s[2].body_kind, BODY_JSON);
    ASSERT_STR(s[2].body, "{\"id\":42,\"price\":9.99,\"ok\":true,\"none\":null,\"tilde\":null,"
                          "\"zip\":\"00501\",\"flag\":\"true\",\"tags\":[\"a\",\"b c\",1000.0],"
                          "\"nested\":{\"x\":-1,\"y\":\"0x1F\"}}");
    ASSERT_EQ(s[2].nheaders, 0); /* the engine adds content-type */
    ASSERT_EQ(s[2].endpoint, 1);
    ASSERT_STR(s[3].method, "PUT");
    ASSERT_STR(s[3].url, "https://other.test/x?y=1");
    ASSERT_EQ(s[3].body_kind, BODY_RAW);
    ASSERT_STR(s[3].body, "raw text");
    ASSERT_STR(s[4].url, "http://api.test/v1/p?q=a%20b%26c&list=1&list=2&%C3%BC=%C3%A9");
    ASSERT_STR(s[5].method, "DELETE");
    ASSERT_STR(s[6].method, "HEAD");
    ASSERT_EQ(s[5].endpoint, 4);
    ASSERT_EQ(s[6].endpoint, 4); /* same name, same row */
    ASSERT_EQ(s[7].kind, STEP_THINK);
    ASSERT_EQ(s[7].think_us, 2000000);
    ASSERT_EQ(s[8].think_us, 500000);
    ASSERT_EQ(s[9].kind, STEP_LOOP);
    ASSERT_EQ(s[9].line, 32);
    ASSERT_EQ(s[9].loop_count, 3);
    ASSERT_EQ(s[9].nsteps, 2);
    ASSERT_STR(s[9].steps[0].url, "http://api.test/v1/items?page=3");
    ASSERT_EQ(s[9].steps[0].endpoint, 0);
    ASSERT_EQ(s[9].steps[0].line, 33);
    ASSERT_EQ(s[9].steps[0].col, 13);
    ASSERT_EQ(s[9].steps[1].think_us, 100000);
    ASSERT_STR(s[10].body, "\"just a string\"");
    ASSERT_EQ(p.nendpoints, 6);
    ASSERT_STR(p.endpoints[0].key, "GET /items");
    ASSERT_STR(p.endpoints[1].key, "POST /items");
    ASSERT_STR(p.endpoints[2].key, "PUT https://other.test/x");
    ASSERT_STR(p.endpoints[3].key, "PATCH /p");
    ASSERT_STR(p.endpoints[4].key, "Delete item");
    ASSERT_STR(p.endpoints[5].key, "POST /raw");
    plan_free(&p);
}

TEST(scenario_config_options)
{
    const char *y = "config:\n"
                    "  target: \"https://secure.test\"\n"
                    "  phases:\n"
                    "    - pause: 5\n"
                    "  http:\n"
                    "    timeout: 2.5\n"
                    "    pool: 8\n"
                    "    defaults:\n"
                    "      headers:\n"
                    "        authorization: \"Bearer xyz\"\n"
                    "        X-Trace: \"1\"\n"
                    "  defaults:\n"
                    "    headers:\n"
                    "      Authorization: \"Basic abc\"\n"
                    "      User-Agent: loadtop\n"
                    "  tls:\n"
                    "    rejectUnauthorized: false\n"
                    "  variables:\n"
                    "    symbol: BTC\n"
                    "    limit: 10\n"
                    "    ids: [7, 8, 9]\n" SCN;
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_EQ(p.timeout_us, 2500000);
    ASSERT_EQ(p.pool, 8);
    ASSERT_EQ(p.insecure, 1);
    ASSERT_EQ(p.ndefault_headers, 3);
    ASSERT_STR(p.default_headers[0].name, "Authorization");
    ASSERT_STR(p.default_headers[0].value, "Bearer xyz"); /* http.defaults wins, any case */
    ASSERT_STR(p.default_headers[1].name, "User-Agent");
    ASSERT_STR(p.default_headers[1].value, "loadtop");
    ASSERT_STR(p.default_headers[2].name, "X-Trace");
    ASSERT_STR(p.default_headers[2].value, "1");
    char *vars = json_dumps(p.variables, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ASSERT_STR(vars, "{\"symbol\":\"BTC\",\"limit\":10,\"ids\":[7,8,9]}"); /* a list: one per VU */
    free(vars);
    ASSERT_EQ(p.scenarios[0].steps[0].nheaders, 0); /* defaults stay in the plan */
    plan_free(&p);
}

static const char env_script[] = "config:\n"
                                 "  target: \"http://base.test\"\n"
                                 "  phases:\n"
                                 "    - duration: 10\n"
                                 "      arrivalRate: 1\n"
                                 "  http:\n"
                                 "    timeout: 5\n"
                                 "    pool: 4\n"
                                 "  environments:\n"
                                 "    staging:\n"
                                 "      target: \"http://staging.test/\"\n"
                                 "      phases:\n"
                                 "        - duration: 30\n"
                                 "          arrivalRate: 50\n"
                                 "        - duration: 5\n"
                                 "          arrivalCount: 10\n"
                                 "      http:\n"
                                 "        timeout: 20\n"
                                 "    prod:\n"
                                 "      target: \"http://prod.test\"\n"
                                 "scenarios:\n"
                                 "  - flow:\n"
                                 "      - get: {url: \"/up\"}\n";

TEST(scenario_environments_and_target_override)
{
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(env_script, NULL, NULL, &p, &diag), 0);
    free(diag);
    ASSERT_STR(p.target, "http://base.test");
    ASSERT_EQ(p.nphases, 1);
    ASSERT_EQ(p.timeout_us, 5000000);
    ASSERT_EQ(p.pool, 4);
    plan_free(&p);

    ASSERT_EQ(parse(env_script, NULL, "staging", &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_STR(p.environment, "staging");
    ASSERT_STR(p.target, "http://staging.test/");
    ASSERT_STR(p.scenarios[0].steps[0].url, "http://staging.test/up");
    ASSERT_EQ(p.nphases, 2); /* lists are replaced, not merged */
    ASSERT_EQ(p.phases[0].kind, PHASE_CONST);
    ASSERT_NEAR(p.phases[0].rate, 50, 0);
    ASSERT_EQ(p.phases[0].line, 13);
    ASSERT_EQ(p.phases[1].kind, PHASE_COUNT);
    ASSERT_EQ(p.phases[1].count, 10);
    ASSERT_EQ(p.timeout_us, 20000000); /* mappings merge key by key: */
    ASSERT_EQ(p.pool, 4);              /* pool comes from config.http */
    plan_free(&p);

    ASSERT_EQ(parse(env_script, NULL, "prod", &p, &diag), 0);
    free(diag);
    ASSERT_STR(p.target, "http://prod.test");
    ASSERT_EQ(p.nphases, 1);
    ASSERT_EQ(p.phases[0].duration_us, 10000000);
    plan_free(&p);

    ASSERT_EQ(parse(env_script, "http://cli.test:9000", "staging", &p, &diag), 0);
    free(diag);
    ASSERT_STR(p.target, "http://cli.test:9000");
    ASSERT_STR(p.scenarios[0].steps[0].url, "http://cli.test:9000/up");
    ASSERT_EQ(p.nphases, 2);
    plan_free(&p);

    /* -t supplies a target the script lacks */
    ASSERT_EQ(parse("config:\n  phases: [{pause: 1}]\n" SCN, "http://x.test", NULL, &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_STR(p.scenarios[0].steps[0].url, "http://x.test/");
    plan_free(&p);

    ASSERT_EQ(parse(env_script, NULL, "nope", &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:10:5: environment `nope` is not in config.environments "
                     "(it has `staging`, `prod`)\n");
    free(diag);
    ASSERT(p.scenarios == NULL && p.script == NULL);
}

TEST(scenario_weights_and_warnings)
{
    const char *y = "config:\n"
                    "  target: \"http://w.test\"\n"
                    "  phases: [{duration: 1, arrivalRate: 1}]\n"
                    "  plugins:\n"
                    "    expect: {}\n"
                    "  foo: 1\n"
                    "scenarios:\n"
                    "  - name: A\n"
                    "    weight: 0\n"
                    "    flow: [{get: {url: \"/a\"}}]\n"
                    "  - engine: http\n"
                    "    flow:\n"
                    "      - log: \"hello\"\n"
                    "      - get: {url: \"/b\", capture: {json: \"$.id\", as: id}}\n"
                    "    wieght: 3\n"
                    "  - weight: 5\n"
                    "    flow: [{think: 1}]\n"
                    "before:\n"
                    "  flow: []\n";
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), 0);
    ASSERT_STR(diag, "t.yml:6:3: warning: unknown key `foo` in config\n"
                     "t.yml:15:5: warning: unknown key `wieght` in scenario\n");
    free(diag);
    ASSERT_EQ(p.nscenarios, 3);
    ASSERT_STR(p.scenarios[0].name, "A");
    ASSERT_EQ(p.scenarios[0].weight, 0);
    ASSERT_STR(p.scenarios[1].name, "scenario 2");
    ASSERT_EQ(p.scenarios[1].weight, 1);
    ASSERT_EQ(p.scenarios[1].nsteps, 2);
    ASSERT_EQ(p.scenarios[1].steps[0].kind, STEP_LOG);
    ASSERT_STR(p.scenarios[1].steps[0].text, "hello");
    ASSERT_STR(p.scenarios[1].steps[1].url, "http://w.test/b");
    ASSERT_EQ(p.scenarios[1].steps[1].ncaptures, 1);
    ASSERT_EQ(p.expect, 1);
    ASSERT(p.before != NULL);
    ASSERT_EQ(p.before->nsteps, 0);
    ASSERT_STR(p.scenarios[2].name, "scenario 3");
    ASSERT_EQ(p.scenarios[2].weight, 5);
    ASSERT_EQ(p.scenarios[2].steps[0].kind, STEP_THINK);
    plan_free(&p);
}

TEST(scenario_sample_scripts)
{
    struct plan p = {0};
    char *diag = NULL;
    size_t len;
    FILE *f = open_memstream(&diag, &len);
    ASSERT_EQ(scenario_load("scenarios/basic.yml", NULL, &p, f), 0);
    fflush(f);
    ASSERT_STR(diag, "");
    ASSERT_STR(p.script, "scenarios/basic.yml");
    ASSERT_EQ(p.nphases, 3);
    ASSERT_EQ(p.phases[0].kind, PHASE_CONST);
    ASSERT_EQ(p.phases[1].kind, PHASE_RAMP);
    ASSERT_NEAR(p.phases[1].rate_to, 50, 0);
    ASSERT_EQ(p.phases[2].kind, PHASE_COUNT);
    ASSERT_EQ(p.phases[2].count, 100);
    ASSERT_EQ(p.nscenarios, 2);
    ASSERT_EQ(p.scenarios[0].weight, 3);
    ASSERT_STR(p.scenarios[1].steps[0].url, "http://127.0.0.1:8080/delay/5");
    plan_free(&p);

    ASSERT_EQ(scenario_load("scenarios/seed-500.yml", NULL, &p, f), 0);
    fclose(f);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_EQ(p.nphases, 7);
    static const double rates[] = {5, 15, 50, 150, 500, 200, 20};
    static const int secs[] = {15, 30, 45, 60, 120, 60, 20};
    for (int i = 0; i < 7; i++) {
        ASSERT_EQ(p.phases[i].kind, PHASE_CONST);
        ASSERT_NEAR(p.phases[i].rate, rates[i], 0);
        ASSERT_EQ(p.phases[i].duration_us, secs[i] * 1000000LL);
    }
    ASSERT_STR(p.phases[0].name, "Warmup");
    ASSERT_EQ(plan_duration_us(&p), 350000000);
    ASSERT_EQ(p.nscenarios, 3);
    ASSERT_EQ(p.scenarios[0].weight, 70);
    ASSERT_EQ(p.scenarios[1].weight, 20);
    ASSERT_EQ(p.scenarios[2].weight, 10);
    ASSERT_STR(p.scenarios[0].steps[0].body,
               "{\"contract_address\":\"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\","
               "\"network\":\"ethereum\",\"analysis_type\":\"security\"}");
    ASSERT_EQ(p.nendpoints, 3);
    ASSERT_STR(p.endpoints[0].key, "POST /api/contracts/analyze-demo");
    ASSERT_STR(p.endpoints[1].key, "GET /api/sentiment");
    ASSERT_STR(p.endpoints[2].key, "GET /up");
    plan_free(&p);

    struct scenario_opts o = {.target = "http://localhost:8000"};
    f = open_memstream(&diag, &len);
    ASSERT_EQ(scenario_load("scenarios/seed-500.yml", &o, &p, f), 0);
    fclose(f);
    free(diag);
    ASSERT_STR(p.scenarios[1].steps[0].url, "http://localhost:8000/api/sentiment?symbol=BTC");
    plan_free(&p);
}

TEST(scenario_cannot_read)
{
    struct plan p = {0};
    char *diag = NULL;
    size_t len;
    FILE *f = open_memstream(&diag, &len);
    ASSERT_EQ(scenario_load("/nonexistent/x.yml", NULL, &p, f), -1);
    ASSERT_EQ(scenario_load("/", NULL, &p, f), -1);
    fclose(f);
    ASSERT_STR(diag, "/nonexistent/x.yml: cannot read: No such file or directory\n"
                     "/: cannot read: Is a directory\n");
    free(diag);
}

/* One mistake per script; the whole output must be the one expected line. */
static const struct {
    const char *yaml, *target, *env, *msg;
} broken[] = {
    {"a: b: c\n", NULL, NULL, "t.yml:1:5: mapping values are not allowed in this context"},
    {"config:\n  target: \"x\n", NULL, NULL,
     "t.yml:3:1: found unexpected end of stream (while scanning a quoted scalar started at 2:11)"},
    {"", NULL, NULL, "t.yml:1:1: the script is empty"},
    {"- a\n- b\n", NULL, NULL,
     "t.yml:1:1: a script must be a mapping with `config` and `scenarios`"},
    {CFG, NULL, NULL, "t.yml:1:1: missing `scenarios`"},
    {SCN, NULL, NULL, "t.yml:1:1: missing `config`"},
    {"config: 5\n" SCN, NULL, NULL, "t.yml:1:9: config must be a mapping"},
    {"config:\n  phases: [{pause: 1}]\n" SCN, NULL, NULL,
     "t.yml:2:3: config.target is missing (set it, or give -t URL)"},
    {"config:\n  target: localhost:8080\n  phases: [{pause: 1}]\n" SCN, NULL, NULL,
     "t.yml:2:11: target must start with http:// or https://, not `localhost:8080`"},
    {"config:\n  target: \"http://t\"\n" SCN, NULL, NULL, "t.yml:2:3: config.phases is missing"},
    {"config:\n  target: \"http://t\"\n  phases: 5\n" SCN, NULL, NULL,
     "t.yml:3:11: phases must be a list"},
    {"config:\n  target: \"http://t\"\n  phases: []\n" SCN, NULL, NULL,
     "t.yml:3:11: phases is empty"},
    {"config:\n  target: \"http://t\"\n  phases: [5]\n" SCN, NULL, NULL,
     "t.yml:3:12: a phase must be a mapping"},
    {"config:\n  target: \"http://t\"\n  phases:\n    - duration: 1\n      arrivalRate: fast\n" SCN,
     NULL, NULL, "t.yml:5:20: arrivalRate must be a number"},
    {"config:\n  target: \"http://t\"\n  phases:\n    - duration: 1\n      arrivalRate: -5\n" SCN,
     NULL, NULL, "t.yml:5:20: arrivalRate must not be negative"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: 1, rampTo: "
     "[2]}]\n" SCN,
     NULL, NULL, "t.yml:3:50: rampTo must be a number"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 5x, arrivalRate: 1}]\n" SCN, NULL,
     NULL,
     "t.yml:3:23: bad duration `5x` for `duration`: use seconds (30, 1.5) or a unit (250ms, 90s, "
     "2m, 1h)"},
    {"config:\n  target: \"http://t\"\n  phases: [{arrivalRate: 1}]\n" SCN, NULL, NULL,
     "t.yml:3:12: phase has no `duration`"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 0, arrivalCount: 5}]\n" SCN, NULL,
     NULL, "t.yml:3:23: duration must be greater than 0"},
    {"config:\n  target: \"http://t\"\n  phases: [{name: x, duration: 5}]\n" SCN, NULL, NULL,
     "t.yml:3:12: a phase needs arrivalRate, arrivalCount or pause"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 5, rampTo: 9}]\n" SCN, NULL, NULL,
     "t.yml:3:12: rampTo needs an arrivalRate to ramp from"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 5, arrivalCount: 2.5}]\n" SCN, NULL,
     NULL, "t.yml:3:40: arrivalCount must be a positive integer"},
    {"config:\n  target: \"http://t\"\n  phases: [{pause: -1}]\n" SCN, NULL, NULL,
     "t.yml:3:20: bad duration `-1` for `pause`: use seconds (30, 1.5) or a unit (250ms, 90s, 2m, "
     "1h)"},
    {CFG "  http:\n    timeout: 0\n" SCN, NULL, NULL, "t.yml:7:14: timeout must be greater than 0"},
    {CFG "  http:\n    pool: many\n" SCN, NULL, NULL,
     "t.yml:7:11: pool must be a positive integer"},
    {CFG "  tls:\n    rejectUnauthorized: \"no\"\n" SCN, NULL, NULL,
     "t.yml:7:25: rejectUnauthorized must be true or false"},
    {CFG "  target: \"http://u\"\n" SCN, NULL, NULL, "t.yml:6:3: duplicate key `target` in config"},
    {CFG "  processor: \"./f.js\"\n" SCN, NULL, NULL,
     "t.yml:6:3: `processor` runs JavaScript, which loadtop cannot run (--ignore-js skips it)"},
    {CFG "  defaults:\n    headers: [a]\n" SCN, NULL, NULL,
     "t.yml:7:14: headers must be a mapping"},
    {CFG "  variables:\n    ids: []\n" SCN, NULL, NULL,
     "t.yml:7:10: variable `ids` is an empty list"},
    {CFG SCN, NULL, "prod",
     "t.yml:2:3: environment `prod` is not defined: config has no "
     "`environments`"},
    {CFG "scenarios: {flow: []}\n", NULL, NULL, "t.yml:6:12: scenarios must be a list"},
    {CFG "scenarios: []\n", NULL, NULL, "t.yml:6:12: scenarios is empty"},
    {CFG "scenarios:\n  - name: x\n", NULL, NULL, "t.yml:7:5: scenario has no `flow`"},
    {CFG "scenarios:\n  - flow: []\n", NULL, NULL, "t.yml:7:11: flow is empty"},
    {CFG "scenarios:\n  - flow: {get: {url: /}}\n", NULL, NULL, "t.yml:7:11: flow must be a list"},
    {CFG "scenarios:\n  - weight: -1\n    flow: [{think: 1}]\n", NULL, NULL,
     "t.yml:7:13: weight must be a non-negative integer"},
    {CFG "scenarios:\n  - weight: 1.5\n    flow: [{think: 1}]\n", NULL, NULL,
     "t.yml:7:13: weight must be a non-negative integer"},
    {CFG "scenarios:\n  - {weight: 0, flow: [{think: 1}]}\n  - {weight: 0, flow: [{think: 1}]}\n",
     NULL, NULL, "t.yml:7:3: all scenarios have weight 0"},
    {CFG "scenarios:\n  - flow:\n      - send: hello\n", NULL, NULL,
     "t.yml:8:9: unknown step `send`"},
    {CFG "scenarios:\n  - flow:\n      - think\n", NULL, NULL,
     "t.yml:8:9: a step must be a mapping like `get: {url: /}`, not `think`"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /}\n        post: {url: /}\n", NULL, NULL,
     "t.yml:9:9: a step has both `get` and `post`"},
    {CFG "scenarios:\n  - flow:\n      - function: setToken\n", NULL, NULL,
     "t.yml:8:9: `function: setToken` runs JavaScript, which loadtop cannot run (--ignore-js "
     "skips it)"},
    {CFG "scenarios:\n  - flow:\n      - parallel: [{get: {url: /}}]\n", NULL, NULL,
     "t.yml:8:9: `parallel` steps are not supported yet"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, beforeRequest: sign}\n", NULL, NULL,
     "t.yml:8:23: `beforeRequest` runs JavaScript, which loadtop cannot run (--ignore-js skips "
     "it)"},
    {CFG "scenarios:\n  - flow:\n      - get: {headers: {A: b}}\n", NULL, NULL,
     "t.yml:8:14: `get` has no `url`"},
    {CFG "scenarios:\n  - flow:\n      - get: /up\n", NULL, NULL,
     "t.yml:8:14: `get` must be a mapping with a `url`"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: items}\n", NULL, NULL,
     "t.yml:8:20: url `items` must start with `/`, http:// or https://"},
    {CFG "scenarios:\n  - flow:\n      - post: {url: /, json: {a: 1}, body: x}\n", NULL, NULL,
     "t.yml:8:15: a request takes one of `json`, `body` and `form`"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, headers: {X: {y: 1}}}\n", NULL, NULL,
     "t.yml:8:36: header `X` must be a string"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, qs: [a]}\n", NULL, NULL,
     "t.yml:8:27: qs must be a mapping"},
    {CFG "scenarios:\n  - flow:\n      - think: soon\n", NULL, NULL,
     "t.yml:8:16: bad duration `soon` for `think`: use seconds (30, 1.5) or a unit (250ms, 90s, "
     "2m, 1h)"},
    {CFG "scenarios:\n  - flow:\n      - loop: [{think: 1}]\n", NULL, NULL,
     "t.yml:8:9: loop has no `count` (without one it would run forever)"},
    {CFG "scenarios:\n  - flow:\n      - loop: [{think: 1}]\n        count: 0\n", NULL, NULL,
     "t.yml:9:16: count must be a positive integer"},
    {CFG "scenarios:\n  - flow:\n      - loop: []\n        count: 2\n", NULL, NULL,
     "t.yml:8:15: loop is empty"},
    {CFG "scenarios:\n  - flow: &f\n      - loop: *f\n        count: 2\n", NULL, NULL,
     "t.yml:8:15: alias `*f` is inside the node it names: it would repeat forever"},
};

TEST(scenario_broken_scripts)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        struct plan p;
        char *diag, *want = xasprintf("%s\n", broken[i].msg);
        int r = parse(broken[i].yaml, broken[i].target, broken[i].env, &p, &diag);
        if (r != -1 || strcmp(diag, want) || p.script || p.phases || p.scenarios || p.endpoints) {
            fprintf(stderr, "    case %zu: rc %d\n      got      %s      expected %s", i, r, diag,
                    want);
            bad++;
        }
        free(diag);
        free(want);
    }
    ASSERT_EQ(bad, 0);
}

TEST(scenario_several_errors_and_alias_bomb)
{
    struct plan p;
    char *diag;
    const char *y = "config:\n"
                    "  target: \"http://t\"\n"
                    "  phases:\n"
                    "    - {duration: 1, arrivalRate: x}\n"
                    "    - {duration: 1s, arrivalCount: -2}\n"
                    "scenarios:\n"
                    "  - flow: [{get: {url: /}}, {wait: 1}]\n";
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:4:34: arrivalRate must be a number\n"
                     "t.yml:5:36: arrivalCount must be a positive integer\n"
                     "t.yml:7:30: unknown step `wait`\n");
    free(diag);

    /* 10^7 nodes through aliases in a 300-byte file: refused by the event pass, at the
     * alias that passes a million values, before any of it is expanded */
    const char *bomb = CFG "scenarios:\n"
                           "  - flow:\n"
                           "      - post:\n"
                           "          url: /\n"
                           "          json:\n"
                           "            a: &a [1,1,1,1,1,1,1,1,1,1]\n"
                           "            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                           "            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                           "            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                           "            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                           "            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                           "            g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    ASSERT_EQ(parse(bomb, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:16:41: aliases make the script more than 1000000 values (the limit)\n");
    free(diag);
}

/* ---- flows: templates, captures, expect, payloads, loops, hooks ---- */

/* Parse `yaml` named `name` with full options; *diag as parse(). */
static int parse_opts(const char *name, const char *yaml, const struct scenario_opts *o,
                      struct plan *p, char **diag)
{
    size_t len = 0;
    FILE *f = open_memstream(diag, &len);
    memset(p, 0, sizeof *p);
    int r = scenario_parse(name, yaml, strlen(yaml), o, p, f);
    fclose(f);
    return r;
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

#define ASSERT_JSON(j, text)                                                                       \
    do {                                                                                           \
        char *d_ = dump(j);                                                                        \
        ASSERT_STR(d_, text);                                                                      \
        free(d_);                                                                                  \
    } while (0)

TEST(scenario_flow_requests)
{
    const char *y =
        CFG "  defaults:\n"
            "    think: {jitter: \"10%\"}\n"
            "    cookie: {theme: dark}\n"
            "    strictCapture: false\n"
            "  plugins:\n"
            "    expect: {reportFailuresAsErrors: true}\n"
            "scenarios:\n"
            "  - flow:\n"
            "      - post:\n"
            "          url: \"/users/{{ id }}\"\n"
            "          headers: {Authorization: \"Bearer {{ token }}\"}\n"
            "          json: {name: \"{{ name }}\", \"{{ k }}\": 1, n: \"{{ n }}\", fixed: 2}\n"
            "          qs: {q: \"{{ term }}\", page: 1}\n"
            "          capture:\n"
            "            - {json: \"$.id\", as: user.id}\n"
            "            - {header: x-request-id, as: rid, strict: true}\n"
            "            - {regexp: \"id=([0-9]+)\", group: 1, flags: i, as: num}\n"
            "          expect:\n"
            "            - statusCode: [200, 201]\n"
            "            - hasHeader: x-request-id\n"
            "          cookie: {sid: \"{{ sid }}\"}\n"
            "          auth: {user: bob, pass: \"{{ pw }}\"}\n"
            "          followRedirect: false\n"
            "          gzip: true\n"
            "          ifTrue: \"role == 'admin' and n > 2\"\n"
            "          probability: 25\n"
            "      - put: {url: /f, form: {a: \"x y\", b: [1, 2]}}\n"
            "      - put: {url: /g, form: {a: \"{{ a }}\"}, expect: {statusCode: 204}}\n"
            "      - get: {url: \"{{ next }}\"}\n"
            "      - think: \"{{ pause }}\"\n"
            "        jitter: 500\n"
            "      - log: \"at {{ $loopCount }}\"\n";
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), 0);
    ASSERT_STR(diag, "");
    free(diag);
    ASSERT_STR(p.think_jitter, "10%");
    ASSERT_EQ(p.ndefault_cookies, 1);
    ASSERT_STR(p.default_cookies[0].value, "dark");
    ASSERT_EQ(p.expect, 1);
    ASSERT_EQ(p.expect_errors, 1);
    const struct step *s = p.scenarios[0].steps;
    ASSERT_EQ(p.scenarios[0].nsteps, 6);
    ASSERT_STR(s[0].url, "http://t.test/users/{{ id }}"); /* rendered per VU */
    ASSERT_EQ(s[0].nqs, 2);                               /* a template: encoded per request */
    ASSERT_STR(s[0].qs[0].value, "{{ term }}");
    ASSERT_STR(s[0].headers[0].value, "Bearer {{ token }}");
    ASSERT_EQ(s[0].body_kind, BODY_JSON);
    ASSERT(s[0].body == NULL);
    ASSERT_JSON(s[0].json, "{\"name\":\"{{ name }}\",\"{{ k }}\":1,\"n\":\"{{ n }}\",\"fixed\":2}");
    ASSERT_EQ(s[0].ncaptures, 3);
    ASSERT_EQ(s[0].captures[0].kind, CAPTURE_JSON);
    ASSERT_STR(s[0].captures[0].expr, "$.id");
    ASSERT_STR(s[0].captures[0].as, "user.id");
    ASSERT_EQ(s[0].captures[0].strict, 0); /* defaults.strictCapture: false */
    ASSERT_EQ(s[0].captures[1].kind, CAPTURE_HEADER);
    ASSERT_EQ(s[0].captures[1].strict, 1);
    ASSERT_EQ(s[0].captures[2].kind, CAPTURE_REGEXP);
    ASSERT_EQ(s[0].captures[2].group, 1);
    ASSERT_EQ(s[0].captures[2].icase, 1);
    ASSERT_EQ(s[0].captures[2].line, 22);
    ASSERT_EQ(s[0].nexpects, 2);
    ASSERT_STR(s[0].expects[0].type, "statusCode");
    ASSERT_JSON(s[0].expects[0].arg, "[200,201]");
    ASSERT_STR(s[0].expects[1].type, "hasHeader");
    ASSERT_EQ(s[0].expects[1].line, 25);
    ASSERT_EQ(s[0].ncookies, 1);
    ASSERT_STR(s[0].cookies[0].name, "sid");
    ASSERT_STR(s[0].auth_user, "bob");
    ASSERT_STR(s[0].auth_pass, "{{ pw }}");
    ASSERT_EQ(s[0].no_redirect, 1);
    ASSERT_EQ(s[0].gzip, 1);
    ASSERT(s[0].if_true != NULL);
    ASSERT_EQ(s[0].has_probability, 1);
    ASSERT_NEAR(s[0].probability, 25, 0);
    ASSERT_EQ(s[1].body_kind, BODY_FORM);
    ASSERT_STR(s[1].body, "a=x+y&b=1&b=2"); /* no template: encoded once */
    ASSERT_EQ(s[1].nform, 0);
    ASSERT_EQ(s[1].has_probability, 0);
    ASSERT_EQ(s[2].nform, 1);
    ASSERT_EQ(s[2].nexpects, 1);
    ASSERT_JSON(s[2].expects[0].arg, "204");
    ASSERT_STR(s[3].url, "{{ next }}"); /* the target is added if it renders to "/..." */
    ASSERT_EQ(s[4].kind, STEP_THINK);
    ASSERT_STR(s[4].think_tpl, "{{ pause }}");
    ASSERT_STR(s[4].jitter, "500");
    ASSERT_EQ(s[5].kind, STEP_LOG);
    ASSERT_STR(s[5].text, "at {{ $loopCount }}");
    ASSERT_EQ(p.nendpoints, 4);
    ASSERT_STR(p.endpoints[0].key, "POST /users/{{ id }}");
    ASSERT_STR(p.endpoints[3].key, "GET {{ next }}");
    plan_free(&p);
}

TEST(scenario_flow_loops_hooks_and_js)
{
    const char *y = CFG "  processor: ./p.js\n"
                        "before:\n"
                        "  flow:\n"
                        "    - post: {url: /login, capture: {json: \"$.token\", as: token}}\n"
                        "after:\n"
                        "  flow:\n"
                        "    - get: {url: /logout}\n"
                        "scenarios:\n"
                        "  - beforeScenario: setUp\n"
                        "    afterScenario: [a, b]\n"
                        "    flow:\n"
                        "      - loop:\n"
                        "          - get: {url: \"/i/{{ $loopElement }}\"}\n"
                        "        over: [1, \"{{ x }}\"]\n"
                        "      - loop:\n"
                        "          - loop: [{think: 1}]\n"
                        "            count: \"2-5\"\n"
                        "        over: ids\n"
                        "        loopValue: i\n"
                        "        loopElement: id\n"
                        "      - loop: [{think: 1}]\n"
                        "        count: \"{{ n }}\"\n"
                        "      - function: sign\n"
                        "      - get: {url: /, beforeRequest: x}\n";
    struct scenario_opts o = {.ignore_js = 1};
    struct plan p;
    char *diag;
    ASSERT_EQ(parse_opts("t.yml", y, &o, &p, &diag), 0);
    ASSERT_STR(diag,
               "t.yml:6:3: warning: `processor` runs JavaScript: ignored (--ignore-js)\n"
               "t.yml:14:5: warning: `beforeScenario` runs JavaScript: ignored (--ignore-js)\n"
               "t.yml:15:5: warning: `afterScenario` runs JavaScript: ignored (--ignore-js)\n"
               "t.yml:29:23: warning: `beforeRequest` runs JavaScript: ignored (--ignore-js)\n");
    free(diag);
    ASSERT(p.before && p.after);
    ASSERT_EQ(p.before->nsteps, 1);
    ASSERT_EQ(p.before->steps[0].endpoint, -1); /* hooks are not in the metrics */
    ASSERT_EQ(p.before->steps[0].ncaptures, 1);
    ASSERT_EQ(p.after->steps[0].endpoint, -1);
    ASSERT_EQ(p.nendpoints, 2);
    const struct scenario *sc = &p.scenarios[0];
    ASSERT_EQ(sc->nsteps, 8); /* setUp, 3 loops, sign, get, a, b */
    ASSERT_EQ(sc->steps[0].kind, STEP_FUNCTION);
    ASSERT_STR(sc->steps[0].text, "Undefined function \"setUp\"");
    const struct step *l = &sc->steps[1];
    ASSERT_EQ(l->kind, STEP_LOOP);
    ASSERT_JSON(l->over, "[1,\"{{ x }}\"]");
    ASSERT_STR(l->loop_value, "$loopCount");
    ASSERT_STR(l->loop_element, "$loopElement");
    ASSERT_STR(sc->steps[2].over_var, "ids");
    ASSERT_STR(sc->steps[2].loop_value, "i");
    ASSERT_STR(sc->steps[2].loop_element, "id");
    ASSERT_EQ(sc->steps[2].steps[0].loop_from, 2);
    ASSERT_EQ(sc->steps[2].steps[0].loop_count, 5);
    ASSERT_STR(sc->steps[3].count_tpl, "{{ n }}");
    ASSERT_STR(sc->steps[4].text, "Undefined function \"sign\"");
    ASSERT_EQ(sc->steps[5].kind, STEP_REQUEST);
    ASSERT_STR(sc->steps[6].text, "Undefined function \"a\"");
    ASSERT_STR(sc->steps[7].text, "Undefined function \"b\"");
    plan_free(&p);
}

TEST(scenario_flow_variables_payload_and_config_templates)
{
    char dir[] = "/tmp/loadtop-sc.XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char *csv = xasprintf("%s/users.csv", dir), *name = xasprintf("%s/t.yml", dir);
    FILE *f = fopen(csv, "w");
    fputs("name;age\nann;31\n\"b;o\";7\n", f);
    fclose(f);
    const char *y = "config:\n"
                    "  target: \"{{ $env.TGT }}\"\n"
                    "  phases: [{duration: \"{{ $env.DUR }}\", arrivalRate: 2}]\n"
                    "  variables:\n"
                    "    ids: [1, 2]\n"
                    "    who: \"{{ not rendered }}\"\n"
                    "    keep: 1\n"
                    "  payload:\n"
                    "    - path: users.csv\n"
                    "      fields: [name, age]\n"
                    "      delimiter: \";\"\n"
                    "      skipHeader: true\n"
                    "      order: sequence\n"
                    "    - path: users.csv\n"
                    "      loadAll: true\n"
                    "      name: all\n"
                    "      delimiter: \";\"\n"
                    "      cast: false\n" SCN;
    static const char *const env[] = {"TGT=http://from.env:9", "DUR=3", NULL};
    struct scenario_opts o = {.variables = "{\"keep\": 2, \"extra\": [\"a\"]}", .env = env};
    struct plan p;
    char *diag;
    int rc = parse_opts(name, y, &o, &p, &diag);
    ASSERT_STR(diag, "");
    ASSERT_EQ(rc, 0);
    free(diag);
    ASSERT_STR(p.target, "http://from.env:9");
    ASSERT_EQ(p.phases[0].duration_us, 3000000);
    ASSERT_STR(p.scenarios[0].steps[0].url, "http://from.env:9/");
    ASSERT_JSON(p.variables, "{\"ids\":[1,2],\"who\":\"{{ not rendered }}\",\"keep\":2,"
                             "\"extra\":[\"a\"]}");
    ASSERT_EQ(p.npayloads, 2);
    ASSERT_STR(p.payloads[0].path, "users.csv");
    ASSERT_EQ(p.payloads[0].nfields, 2);
    ASSERT_EQ(p.payloads[0].sequence, 1);
    ASSERT(p.payloads[0].name == NULL);
    ASSERT_JSON(p.payloads[0].rows, "[[\"ann\",31],[\"b;o\",7]]");
    ASSERT_STR(p.payloads[1].name, "all");
    ASSERT_EQ(p.payloads[1].sequence, 0);
    ASSERT_JSON(p.payloads[1].rows, "[[\"name\",\"age\"],[\"ann\",\"31\"],[\"b;o\",\"7\"]]");
    plan_free(&p);

    /* a missing payload file is a script error, before anything is sent */
    remove(csv);
    ASSERT_EQ(parse_opts(name, y, &o, &p, &diag), -1);
    char *want = xasprintf("%s:9:13: payload %s: No such file or directory\n"
                           "%s:14:13: payload %s: No such file or directory\n",
                           name, csv, name, csv);
    ASSERT_STR(diag, want);
    free(want);
    free(diag);
    ASSERT(p.scenarios == NULL);
    rmdir(dir);
    free(csv);
    free(name);
}

/* One mistake per script in the flow features; exact messages. */
static const struct {
    const char *yaml, *msg;
} broken_flows[] = {
    {CFG "scenarios:\n  - flow:\n      - get: {url: \"/x/{{ a. }}\"}\n",
     "t.yml:8:29: bad template: empty name after \".\" in \"{{ a. }}\""},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {json: \"$.a\"}}\n",
     "t.yml:8:32: a capture needs `as`, the variable to set"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {xpath: \"//a\", as: a}}\n",
     "t.yml:8:33: `xpath` in capture is not supported yet"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {json: \"$.a[\", as: a}}\n",
     "t.yml:8:39: bad JSONPath `$.a[`: expected an index, \"*\" or a quoted name at column 5"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {regexp: \"(a\", as: a}}\n",
     "t.yml:8:41: bad regexp `(a`: missing closing parenthesis at column 3"},
    /* glibc's regcomp took 2^30 trees for this one (fuzz_script/regexp-stacked-plus-oom) */
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {regexp: "
         "\"e++++++++++++++++++++++++++++++\", as: a}}\n",
     "t.yml:8:41: bad regexp `e++++++++++++++++++++++++++++++`: quantifier does not follow a "
     "repeatable item at column 4"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, capture: {regexp: \"(a)\", group: id, as: "
         "a}}\n",
     "t.yml:8:55: group must be a number (named groups are numbered too)"},
    {CFG "  plugins: {expect: {}}\nscenarios:\n  - flow:\n      - get: {url: /, expect: [{cdnHit: "
         "true}]}\n",
     "t.yml:9:33: unknown expectation \"cdnHit\""},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, ifTrue: \"a ==\"}\n",
     "t.yml:8:36: ifTrue: unexpected end of the condition"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, followRedirect: no}\n",
     "t.yml:8:39: followRedirect must be true or false"},
    {CFG "scenarios:\n  - flow:\n      - get: {url: /, auth: {user: a}}\n",
     "t.yml:8:29: auth must be a mapping with `user` and `pass`"},
    {CFG "scenarios:\n  - flow:\n      - loop: [{think: 1}]\n        count: \"5-2\"\n",
     "t.yml:9:16: count range `5-2` must be A-B with A < B"},
    {CFG "scenarios:\n  - flow:\n      - loop: [{think: 1}]\n        over: {a: 1}\n",
     "t.yml:9:15: over must be a list or the name of a variable that holds one"},
    {CFG "scenarios:\n  - flow:\n      - think: 1\n        jitter: lots\n",
     "t.yml:9:17: jitter must be a percentage like \"10%\" or milliseconds"},
    {CFG "  payload: {path: x.csv, loadAll: true}\n" SCN,
     "t.yml:6:12: loadAll needs a `name` for the variable that holds the rows\n"
     "t.yml:6:19: payload x.csv: No such file or directory"},
    {CFG "  payload: {path: x.csv, fields: [a], order: shuffle}\n" SCN,
     "t.yml:6:46: order must be `random` or `sequence`\n"
     "t.yml:6:19: payload x.csv: No such file or directory"},
    {"config:\n  target: \"{{ $env.LOADTOP_NO_SUCH_VAR }}\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:11: `{{ $env.LOADTOP_NO_SUCH_VAR }}` is undefined here (config is rendered once, "
     "with $env and $environment)"},
    {"before: {flow: 5}\n" CFG SCN, "t.yml:1:16: flow must be a list"},
};

TEST(scenario_broken_flows)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof broken_flows / sizeof broken_flows[0]; i++) {
        struct plan p;
        char *diag, *want = xasprintf("%s\n", broken_flows[i].msg);
        int r = parse(broken_flows[i].yaml, NULL, NULL, &p, &diag);
        if (r != -1 || strcmp(diag, want) || p.scenarios) {
            fprintf(stderr, "    case %zu: rc %d\n      got      %s      expected %s", i, r, diag,
                    want);
            bad++;
        }
        free(diag);
        free(want);
    }
    ASSERT_EQ(bad, 0);

    /* -v must be a JSON object */
    struct scenario_opts o = {.variables = "[1]"};
    struct plan p;
    char *diag;
    ASSERT_EQ(parse_opts("t.yml", CFG SCN, &o, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml: --variables: must be a JSON object like '{\"name\": \"value\"}'\n");
    free(diag);
}

TEST(scenario_example_flows_load_clean)
{
    static const char *const files[] = {
        "scenarios/login-flow.yml",   "scenarios/csv-users.yml",     "scenarios/loops.yml",
        "scenarios/before-after.yml", "scenarios/cookies-forms.yml", "scenarios/expect-checks.yml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct plan p = {0};
        char *diag = NULL;
        size_t len;
        FILE *f = open_memstream(&diag, &len);
        int rc = scenario_load(files[i], NULL, &p, f);
        fclose(f);
        if (rc || strcmp(diag, ""))
            TEST_FAIL_("%s: rc %d: %s", files[i], rc, diag);
        free(diag);
        plan_free(&p);
    }
    /* csv-users.yml reads users.csv next to it, quoted field included */
    struct plan p = {0};
    ASSERT_EQ(scenario_load("scenarios/csv-users.yml", NULL, &p, NULL), 0);
    ASSERT_EQ(p.npayloads, 1);
    char *rows = json_dumps(p.payloads[0].rows, JSON_COMPACT);
    ASSERT_STR(rows, "[[\"alice\",\"wonderland\",\"free\"],[\"bob\",\"builder\",\"pro\"],"
                     "[\"carol, jr\",\"c4r0l\",\"team\"],[\"dave\",\"d4ve\",\"free\"]]");
    free(rows);
    plan_free(&p);
}

/* ---- what is refused, and the limits (issue 13) ---- */

/* One refusal per script; the whole output must be the one expected line.
 * A tab in the YAML below is written \t so that its column is plain. */
static const struct {
    const char *yaml, *msg;
} refused[] = {
    /* shapes */
    {CFG SCN "---\n" CFG SCN, "t.yml:9:1: a second YAML document: a script is one document"},
    {CFG "  variables:\n    x: \"a\"\n    y: *nope\n" SCN, "t.yml:8:8: found undefined alias"},
    /* numbers */
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 5, arrivalCount: 0}]\n" SCN,
     "t.yml:3:40: arrivalCount must be a positive integer"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalCount: 1000001}]\n" SCN,
     "t.yml:3:40: arrivalCount 1000001 over 1s is more than 1000000 arrivals a second (the "
     "limit)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: 1000001}]\n" SCN,
     "t.yml:3:39: arrivalRate is too large (at most 1000000 a second)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: 1e400}]\n" SCN,
     "t.yml:3:39: arrivalRate is too large (at most 1000000 a second)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: .nan}]\n" SCN,
     "t.yml:3:39: arrivalRate must be a number"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: .inf}]\n" SCN,
     "t.yml:3:39: arrivalRate must be a number"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 9, arrivalRate: 1, rampTo: "
     "2e6}]\n" SCN,
     "t.yml:3:50: rampTo is too large (at most 1000000 a second)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 9, arrivalRate: 1, rampTo: -2}]\n" SCN,
     "t.yml:3:50: rampTo must not be negative"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1e300, arrivalRate: 1}]\n" SCN,
     "t.yml:3:23: duration is too long (at most 8760h, a year)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 8761h, arrivalRate: 1}]\n" SCN,
     "t.yml:3:23: duration is too long (at most 8760h, a year)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: .inf, arrivalRate: 1}]\n" SCN,
     "t.yml:3:23: bad duration `.inf` for `duration`: use seconds (30, 1.5) or a unit (250ms, "
     "90s, 2m, 1h)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 0x10, arrivalRate: 1}]\n" SCN,
     "t.yml:3:23: bad duration `0x10` for `duration`: use seconds (30, 1.5) or a unit (250ms, "
     "90s, 2m, 1h)"},
    {"config:\n  target: \"http://t\"\n  phases: [{pause: 1e30}]\n" SCN,
     "t.yml:3:20: pause is too long (at most 8760h, a year)"},
    {"config:\n  target: \"http://t\"\n  phases: [{duration: 1, arrivalRate: 1, maxVusers: "
     "0}]\n" SCN,
     "t.yml:3:53: maxVusers must be a positive integer"},
    {CFG "  http:\n    pool: 0\n" SCN, "t.yml:7:11: pool must be a positive integer"},
    {CFG "  http:\n    pool: 100001\n" SCN, "t.yml:7:11: pool is too large (at most 100000)"},
    {CFG "  http:\n    timeout: -1\n" SCN,
     "t.yml:7:14: bad duration `-1` for `timeout`: use seconds (30, 1.5) or a unit (250ms, 90s, "
     "2m, 1h)"},
    {CFG "  http:\n    timeout: 99999h\n" SCN,
     "t.yml:7:14: timeout is too long (at most 8760h, a year)"},
    {CFG "  ensure:\n    maxErrorRate: 101\n" SCN,
     "t.yml:7:19: maxErrorRate is too large (at most 100%)"},
    {CFG "  ensure:\n    maxErrorRate: -1\n" SCN, "t.yml:7:19: maxErrorRate must not be negative"},
    {CFG "  ensure:\n    thresholds:\n      - http.response_time.p99: .nan\n" SCN,
     "t.yml:8:33: http.response_time.p99 must be a number"},
    {CFG "scenarios:\n  - flow: [{get: {url: /, probability: 101}}]\n",
     "t.yml:7:40: probability is too large (at most 100%)"},
    {CFG "  defaults:\n    think: {jitter: \"101%\"}\n" SCN,
     "t.yml:7:21: jitter is too large (at most 100%)"},
    {CFG "scenarios:\n  - flow: [{think: 1, jitter: 1e99}]\n",
     "t.yml:7:31: jitter must be a percentage like \"10%\" or milliseconds"},
    {CFG "scenarios:\n  - flow: [{think: 1, jitter: 99999999999999}]\n",
     "t.yml:7:31: jitter is too long (at most 8760h, a year, in milliseconds)"},
    {CFG "scenarios:\n  - flow: [{think: 1e300}]\n",
     "t.yml:7:20: think is too long (at most 8760h, a year)"},
    /* targets and urls */
    {"config:\n  target: \"http://t:0\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:21: target has a port outside 1-65535"},
    {"config:\n  target: \"http://t:65536/\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:21: target has a port outside 1-65535"},
    {"config:\n  target: \"http://:80\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:19: target has no host"},
    {"config:\n  target: \"http://a b\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:20: target cannot hold a space (write %20)"},
    {"config:\n  target: \"http://t/\\r\\nX: y\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:21: target cannot hold a line break"},
    {"config:\n  target: \"http://t/\\0\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:11: a value cannot hold a NUL byte"},
    {"config:\n  target: \"ftp://t\"\n  phases: [{pause: 1}]\n" SCN,
     "t.yml:2:11: target must start with http:// or https://, not `ftp://t`"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"/a b\"}}]\n",
     "t.yml:7:27: url cannot hold a space (write %20)"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"/a\\nHost: evil\"}}]\n",
     "t.yml:7:27: url cannot hold a line break"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"/a\\x7f\"}}]\n",
     "t.yml:7:27: url cannot hold control character \\x7f"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"/{{ id }} x\"}}]\n",
     "t.yml:7:34: url cannot hold a space (write %20)"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"http://u:99999/\"}}]\n",
     "t.yml:7:34: url has a port outside 1-65535"},
    {CFG "scenarios:\n  - flow: [{get: {url: \"gopher://u/\"}}]\n",
     "t.yml:7:24: url `gopher://u/` must start with `/`, http:// or https://"},
    /* headers */
    {CFG "  defaults:\n    headers: {\"X-A\": \"a\\r\\nX-B: b\"}\n" SCN,
     "t.yml:7:24: header `X-A`: a header value must be on one line (no CR or LF)"},
    {CFG "  defaults:\n    headers: {\"X-A\": \"a\\x01\"}\n" SCN,
     "t.yml:7:24: header `X-A`: a header value cannot hold control character \\x01"},
    {CFG "  defaults:\n    headers: {\"X A\": a}\n" SCN,
     "t.yml:7:15: `X A` is not a valid header name"},
    {CFG "scenarios:\n  - flow: [{get: {url: /, headers: {\"X:Y\": a}}}]\n",
     "t.yml:7:37: `X:Y` is not a valid header name"},
    {CFG "scenarios:\n  - flow: [{get: {url: /, headers: {X: \"\\n\"}}}]\n",
     "t.yml:7:41: header `X`: a header value must be on one line (no CR or LF)"},
    {CFG "scenarios:\n  - flow: [{get: {url: /, cookie: {\"a;b\": c}}}]\n",
     "t.yml:7:36: `a;b` is not a valid header name"},
};

TEST(scenario_refused_scripts)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct plan p;
        char *diag, *want = xasprintf("%s\n", refused[i].msg);
        int r = parse(refused[i].yaml, NULL, NULL, &p, &diag);
        if (r != -1 || strcmp(diag, want) || p.script || p.phases || p.scenarios) {
            fprintf(stderr, "    case %zu: rc %d\n      got      %s      expected %s", i, r, diag,
                    want);
            bad++;
        }
        free(diag);
        free(want);
    }
    ASSERT_EQ(bad, 0);
}

/* parse() of a generated script: `head`, then `n` copies of `unit`, then
 * `tail`; *diag as parse(). */
static int parse_rep(const char *head, const char *unit, int n, const char *tail, struct plan *p,
                     char **diag)
{
    struct buf b = {0};
    buf_puts(&b, head);
    for (int i = 0; i < n; i++)
        buf_puts(&b, unit);
    buf_puts(&b, tail);
    int r = parse(b.data, NULL, NULL, p, diag);
    buf_free(&b);
    return r;
}

#define ASSERT_REFUSED(head, unit, n, tail, msg)                                                   \
    do {                                                                                           \
        struct plan p_;                                                                            \
        char *d_;                                                                                  \
        ASSERT_EQ(parse_rep(head, unit, n, tail, &p_, &d_), -1);                                   \
        ASSERT_STR(d_, msg "\n");                                                                  \
        free(d_);                                                                                  \
    } while (0)

#define ASSERT_LOADS(head, unit, n, tail)                                                          \
    do {                                                                                           \
        struct plan p_;                                                                            \
        char *d_;                                                                                  \
        ASSERT_EQ(parse_rep(head, unit, n, tail, &p_, &d_), 0);                                    \
        ASSERT_STR(d_, "");                                                                        \
        free(d_);                                                                                  \
        plan_free(&p_);                                                                            \
    } while (0)

TEST(scenario_shape_limits)
{
    /* 100 000 `[` or `{`: refused at the 65th level, after reading 64 of them (this took
     * 15 s in libyaml and could overflow the stack) */
    ASSERT_REFUSED(CFG "  variables:\n    x: ", "[", 100000, "\n" SCN,
                   "t.yml:7:69: nested more than 64 levels deep (the limit)");
    ASSERT_REFUSED(CFG "  variables:\n    x: ", "{a: ", 100000, "\n" SCN,
                   "t.yml:7:252: nested more than 64 levels deep (the limit)");
    /* 61 levels under config.variables make 64 */
    struct buf b = {0};
    for (int i = 0; i < 61; i++)
        buf_puts(&b, "]");
    buf_puts(&b, "\n" SCN);
    ASSERT_LOADS(CFG "  variables:\n    x: ", "[", 61, b.data);
    buf_free(&b);
    /* a scalar of 1 MiB + 1 byte, never echoed */
    ASSERT_REFUSED(CFG "  variables:\n    x: \"", "a", (1 << 20) + 1, "\"\n" SCN,
                   "t.yml:7:8: a value longer than 1 MiB (the limit)");
    ASSERT_LOADS(CFG "  variables:\n    x: \"", "a", 1 << 20, "\"\n" SCN);
    /* a million values without aliases */
    ASSERT_REFUSED(CFG "  variables:\n    x: [", "1,", 1000000, "1]\n" SCN,
                   "t.yml:7:1999977: the script has more than 1000000 values (the limit)");
    /* anchors and aliases */
    ASSERT_REFUSED(CFG "  variables:\n    x: [", "&a 1, ", 1001, "1]\n" SCN,
                   "t.yml:7:6009: more than 1000 anchors (the limit)");
    ASSERT_REFUSED(CFG "  variables:\n    x: &a [1]\n    y: [", "*a, ", 10001, "1]\n" SCN,
                   "t.yml:8:40009: more than 10000 aliases (the limit)");
    /* a whole script over 10 MiB: refused before it is parsed */
    struct plan p;
    char *diag;
    size_t len = (10 << 20) + 1;
    char *huge = malloc(len + 1);
    memset(huge, '#', len);
    huge[len] = '\0';
    ASSERT_EQ(parse(huge, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml: larger than 10 MiB (the limit for a script)\n");
    free(diag);
    free(huge);
}

TEST(scenario_count_limits)
{
    ASSERT_REFUSED("config:\n  target: \"http://t\"\n  phases:\n", "    - {pause: 1}\n", 1001, SCN,
                   "t.yml:1004:7: more than 1000 phases (the limit)");
    ASSERT_LOADS("config:\n  target: \"http://t\"\n  phases:\n", "    - {pause: 1}\n", 1000, SCN);
    ASSERT_REFUSED(CFG "scenarios:\n", "  - flow: [{think: 1}]\n", 1001, "",
                   "t.yml:1007:5: more than 1000 scenarios (the limit)");
    ASSERT_REFUSED(CFG "scenarios:\n  - flow:\n", "      - think: 1\n", 10001, "",
                   "t.yml:10008:9: more than 10000 steps in the script (the limit)");
    ASSERT_LOADS(CFG "scenarios:\n  - flow:\n", "      - think: 1\n", 10000, "");
    /* distinct requests each keep histograms; a shared `name` makes them one */
    struct buf b = {0};
    buf_puts(&b, CFG "scenarios:\n  - flow:\n");
    for (int i = 0; i < 1001; i++)
        buf_printf(&b, "      - get: {url: /%d}\n", i);
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(b.data, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:1008:14: more than 1000 distinct requests (the limit on endpoints; a "
                     "`name` shared by requests makes them one)\n");
    free(diag);
    buf_free(&b);
    ASSERT_LOADS(CFG "scenarios:\n  - flow:\n", "      - get: {url: /, name: x}\n", 1001, "");
    ASSERT_REFUSED(CFG "  defaults:\n    headers:\n", "      X-A: b\n", 101, SCN,
                   "t.yml:8:7: more than 100 headers (the limit)");
    ASSERT_REFUSED(CFG "  payload:\n", "    - {path: u.csv, fields: [a]}\n", 21, SCN,
                   "t.yml:27:7: more than 20 payload files (the limit)");
    /* loops inside loops: the engine keeps 16 levels per VU */
    b = (struct buf){0};
    buf_puts(&b, CFG "scenarios:\n  - flow:\n");
    for (int i = 0; i < 17; i++)
        buf_printf(&b, "%*s- count: 2\n%*s  loop:\n", 6 + 4 * i, "", 6 + 4 * i, "");
    buf_printf(&b, "%*s- think: 0\n", 6 + 4 * 17, "");
    ASSERT_EQ(parse(b.data, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:40:73: loops nested more than 16 deep (the limit)\n");
    free(diag);
    buf_free(&b);
}

TEST(scenario_messages_are_few_and_distinct)
{
    /* 25 distinct errors: 20 shown, then a count; the same for warnings */
    struct buf b = {0};
    buf_puts(&b, CFG "scenarios:\n  - flow:\n");
    for (int i = 0; i < 25; i++)
        buf_printf(&b, "      - {get: {url: /, x%d: 1, headers: {\"a b%d\": 1}}}\n", i, i);
    struct plan p;
    char *diag;
    ASSERT_EQ(parse(b.data, NULL, NULL, &p, &diag), -1);
    buf_free(&b);
    int lines = 0;
    for (const char *q = diag; (q = strchr(q, '\n')); q++)
        lines++;
    ASSERT_EQ(lines, 42);
    ASSERT(strstr(diag, "t.yml:8:24: warning: unknown key `x0` in request\n") != NULL);
    ASSERT(strstr(diag, "t.yml:27:42: `a b19` is not a valid header name\n") != NULL);
    ASSERT(strstr(diag, "t.yml:28:42: `a b20` is not a valid header name\n") == NULL);
    ASSERT(strstr(diag, "t.yml: 5 more errors not shown\nt.yml: 5 more warnings not shown\n"));
    free(diag);

    /* two anchored steps with an error each, met 122 times through aliases: said once each */
    const char *y = CFG "scenarios:\n"
                        "  - flow:\n"
                        "      - &s {get: {url: \"/a b\"}}\n"
                        "      - &h {get: {url: /, headers: {\"X Y\": 1}}}\n"
                        "      - loop: &l [*s, *h, *s, *h, *s, *h, *s, *h, *s, *h]\n"
                        "        count: 1\n"
                        "      - &m {loop: *l, count: 1}\n"
                        "      - {loop: [*m, *m, *m, *m, *m, *m, *m, *m, *m, *m], count: 1}\n";
    ASSERT_EQ(parse(y, NULL, NULL, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:8:27: url cannot hold a space (write %20)\n"
                     "t.yml:9:37: `X Y` is not a valid header name\n");
    free(diag);
}

TEST(scenario_files_that_are_not_scripts)
{
    struct plan p = {0};
    char *diag = NULL, dir[] = "/tmp/loadtop_scn_XXXXXX", fifo[64], big[64], script[64];
    size_t len;
    ASSERT(mkdtemp(dir) != NULL);
    snprintf(fifo, sizeof fifo, "%s/f.yml", dir);
    snprintf(big, sizeof big, "%s/big.yml", dir);
    snprintf(script, sizeof script, "%s/s.yml", dir);
    ASSERT_EQ(mkfifo(fifo, 0600), 0);
    int fd = open(big, O_WRONLY | O_CREAT, 0600);
    ASSERT(fd >= 0);
    ASSERT_EQ(ftruncate(fd, (10 << 20) + 1), 0);
    close(fd);
    FILE *f = open_memstream(&diag, &len);
    /* none of them is read: a FIFO would block, /dev/zero never ends */
    ASSERT_EQ(scenario_load("/dev/zero", NULL, &p, f), -1);
    ASSERT_EQ(scenario_load(fifo, NULL, &p, f), -1);
    ASSERT_EQ(scenario_load(big, NULL, &p, f), -1);
    /* a payload that is a FIFO or a device: at its `path`, before a byte is read */
    FILE *s = fopen(script, "w");
    fprintf(s, CFG "  payload:\n    - {path: f.yml, fields: [a]}\n    - {path: /dev/urandom, "
                   "fields: [a]}\n" SCN);
    fclose(s);
    ASSERT_EQ(scenario_load(script, NULL, &p, f), -1);
    fclose(f);
    char *want = xasprintf("/dev/zero: cannot read: not a regular file\n"
                           "%s: cannot read: not a regular file\n"
                           "%s: cannot read: larger than 10 MiB (the limit for a script)\n"
                           "%s:7:14: payload %s: not a regular file\n"
                           "%s:8:14: payload /dev/urandom: not a regular file\n",
                           fifo, big, script, fifo, script);
    ASSERT_STR(diag, want);
    free(want);
    free(diag);
    unlink(fifo);
    unlink(big);
    unlink(script);
    rmdir(dir);
}

TEST(scenario_config_rendering_is_bounded)
{
    /* config is rendered at load: what passes 1 MiB is an error there, at the value */
    char *big = malloc(100001), *var = xasprintf("B=%s", "");
    memset(big, 'b', 100000);
    big[100000] = '\0';
    free(var);
    var = xasprintf("B=%s", big);
    const char *env[] = {var, NULL};
    struct buf b = {0};
    buf_puts(&b, "config:\n  target: \"http://t/");
    for (int i = 0; i < 11; i++)
        buf_puts(&b, "{{ $env.B }}");
    buf_puts(&b, "\"\n  phases: [{pause: 1}]\n" SCN);
    struct scenario_opts o = {.env = env};
    struct plan p;
    char *diag;
    ASSERT_EQ(parse_opts("t.yml", b.data, &o, &p, &diag), -1);
    ASSERT_STR(diag, "t.yml:2:11: renders to more than 1 MiB (the limit for a template)\n");
    free(diag);
    buf_free(&b);
    /* a rendered target is checked as a URL, at the value (its columns moved) */
    const char *env2[] = {"T=http://t:0", NULL};
    o.env = env2;
    ASSERT_EQ(parse_opts("t.yml",
                         "config:\n  target: \"{{ $env.T }}\"\n  phases: [{pause: 1}]\n" SCN, &o,
                         &p, &diag),
              -1);
    ASSERT_STR(diag, "t.yml:2:11: target has a port outside 1-65535\n");
    free(diag);
    free(var);
    free(big);
}

TEST(scenario_every_sample_script_loads)
{
    /* the limits are far above real scripts: every one in scenarios/ loads unchanged */
    static const char *const files[] = {
        "scenarios/basic.yml",      "scenarios/before-after.yml", "scenarios/cookies-forms.yml",
        "scenarios/csv-users.yml",  "scenarios/demo.yml",         "scenarios/expect-checks.yml",
        "scenarios/login-flow.yml", "scenarios/loops.yml",        "scenarios/seed-500.yml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct plan p = {0};
        char *diag = NULL;
        size_t len;
        FILE *f = open_memstream(&diag, &len);
        int rc = scenario_load(files[i], NULL, &p, f);
        fclose(f);
        if (rc || strcmp(diag, ""))
            TEST_FAIL_("%s: rc %d: %s", files[i], rc, diag);
        free(diag);
        plan_free(&p);
    }
}
