/* test_render.c — Markdown and HTML from a JSON report: each Markdown
 * section against the golden file, determinism, missing keys, escaping,
 * HTML structure, and a report made by report.c rendering the same numbers. */
#include <stdlib.h>

#include "plan.h"
#include "render.h"
#include "report.h"
#include "stats.h"
#include "test.h"
#include "util.h"

/* The report as written to a file: built once, as text. */
static char *report_file_text(const struct plan *p, const struct stats *st,
                              const struct report_meta *m)
{
    json_t *j = report_build(p, st, m, NULL, NULL);
    char *t = report_text(j);
    json_decref(j);
    return t;
}

static char *fixture_path(const char *name)
{
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__ + 1) : 0;
    return xasprintf("%.*sfixtures/%s", dir, __FILE__, name);
}

static json_t *load_fixture(void)
{
    char *p = fixture_path("run.json");
    json_t *j = json_load_file(p, 0, NULL);
    free(p);
    return j;
}

static char *slurp(const char *name)
{
    char *p = fixture_path(name);
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f)
        return NULL;
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return b.data;
}

/* The text of section "## title" up to the next "## " heading (heap). */
static char *section(const char *doc, const char *title)
{
    char *head = xasprintf("\n## %s\n", title);
    const char *s = strstr(doc, head);
    free(head);
    if (!s)
        return xstrdup("(missing)");
    const char *e = strstr(s + 1, "\n## ");
    return xstrndup(s + 1, e ? (size_t)(e - s) : strlen(s + 1));
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static const char *const sections[] = {
    "Test overview",
    "Phases",
    "Key metrics",
    "Endpoint breakdown",
    "System resource impact",
    "Capacity findings",
    "Thresholds",
    "Events",
};

TEST(render_markdown_sections_match_golden)
{
    json_t *run = load_fixture();
    char *golden = slurp("run.md");
    ASSERT(run && golden);
    char *md = render_markdown(run);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char *got = section(md, sections[i]), *want = section(golden, sections[i]);
        int same = !strcmp(got, want);
        if (!same)
            fprintf(stderr, "    section %s differs:\n--- got\n%s\n--- golden\n%s\n", sections[i],
                    got, want);
        free(got);
        free(want);
        ASSERT(same);
    }
    ASSERT_STR(md, golden); /* and the title, the order, nothing else */
    free(md);
    free(golden);
    json_decref(run);
}

TEST(render_markdown_key_lines)
{
    json_t *run = load_fixture();
    char *md = render_markdown(run);
    ASSERT(strstr(md, "| 4 | High load | 8 s | 300/s | 299.4/s | 2,400 | 834 (34.8%) | 100.1 | "
                      "100.8 | 101.2 | `ECONNRESET` (834) |\n"));
    ASSERT(strstr(md, "- **Breaking point**: **300/s** (phase 4 `High load`"));
    ASSERT(
        strstr(md, "- **Virtual users**: 3,300 created, 2,466 completed, 834 failed, 0 skipped\n"));
    ASSERT(strstr(md, "| `GET /up` | 1,992 | 60.4% | 500 (25.1%) | 100.8 | 101.2 |"));
    ASSERT(
        strstr(md, "2 of 5 checks passed; 2 strict checks failed, so the run exits with code 1."));
    ASSERT_EQ(count_of(md, "\n## "), 8);
    free(md);
    json_decref(run);
}

TEST(render_is_deterministic_and_survives_a_json_round_trip)
{
    json_t *run = load_fixture();
    char *a = render_markdown(run), *h1 = render_html(run);
    /* dump as report.c does, parse again: the same bytes come out */
    char *text = json_dumps(run, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_t *again = json_loads(text, 0, NULL);
    char *b = render_markdown(again), *h2 = render_html(again);
    ASSERT_STR(a, b);
    ASSERT(!strcmp(h1, h2));
    free(a);
    free(b);
    free(h1);
    free(h2);
    free(text);
    json_decref(again);
    json_decref(run);
}

TEST(render_missing_keys_print_na)
{
    json_t *empty = json_object();
    char *md = render_markdown(empty);
    ASSERT(!strncmp(md, "# Load test report: loadtop run\n\nRun of n/a, state n/a;", 55));
    ASSERT(strstr(md, "- **Date**: n/a\n"));
    ASSERT(strstr(md, "- **Requests**: n/a (n/a responses)\n"));
    ASSERT(strstr(md, "- **Load average (1 min)**: peak n/a\n"));
    ASSERT(strstr(md, "No phases in this report.\n"));
    ASSERT(strstr(md, "- **Too little data**: "));
    ASSERT_EQ(count_of(md, "\n## "), 8);
    char *html = render_html(empty);
    ASSERT(strstr(html, "</html>\n"));
    ASSERT_EQ(count_of(html, "<svg"), 0); /* no timeline: no charts */
    free(md);
    free(html);
    json_decref(empty);
}

TEST(render_escapes_names)
{
    json_t *run =
        json_pack("{s:[{s:s, s:s, s:f, s:f, s:{s:i}}], s:[{s:s, s:{s:i}}], s:{s:{s:i}}}", "phases",
                  "name", "a*b|c_\n\x01", "kind", "constant", "duration", 1.0, "arrivalRate", 2.0,
                  "counters", "http.requests", 3, "endpoints", "name", "GET /x|y`z", "counters",
                  "http.requests", 3, "aggregate", "counters", "http.requests", 3);
    char *md = render_markdown(run);
    ASSERT(strstr(md, "| 1 | a\\*b\\|c\\_ \x01 | 1 s | 2/s |"));
    ASSERT(strstr(md, "| `GET /x\\|y'z` | 3 | 100.0% |"));
    char *html = render_html(run);
    ASSERT(strstr(html, "<td>a*b|c_ ?</td>"));
    ASSERT(strstr(html, "<td><code>GET /x|y'z</code></td>"));
    free(md);
    free(html);
    json_decref(run);
}

TEST(render_html_is_self_contained_with_charts)
{
    json_t *run = load_fixture();
    char *h = render_html(run);
    ASSERT(!strncmp(h, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"", 58));
    /* rate, latency linear + log, status classes, errors, CPU, load */
    ASSERT_EQ(count_of(h, "<svg xmlns=\"http://www.w3.org/2000/svg\""), 7);
    ASSERT_EQ(count_of(h, "class=\"axl\">time since start (m:ss)</text>"), 7);
    ASSERT(strstr(h, "class=\"axl\">response time (ms)</text>"));
    ASSERT(strstr(h, ">5 Cool down</text>"));              /* phase bands are labelled */
    ASSERT_EQ(count_of(h, "<g class=\"ev\"><title>"), 14); /* 2 markers x 7 charts */
    ASSERT(strstr(h, "<title>#6 warning at 12.1 s: snapshot failed:"));
    ASSERT(!strstr(h, "<script") && !strstr(h, " src=") && !strstr(h, "href=\"http") &&
           !strstr(h, "url(") && !strstr(h, "@import"));
    ASSERT(strstr(h, "<td class=\"fail\">"));
    ASSERT(strstr(h, "<section id=\"capacity\">\n<h2>Capacity findings</h2>"));
    free(h);
    json_decref(run);
}

TEST(render_html_buckets_long_timelines)
{
    json_t *tl = json_array();
    for (int t = 0; t < 3600; t++)
        json_array_append_new(tl, json_pack("{s:i, s:f, s:i, s:i, s:i, s:f}", "t", t, "targetRate",
                                            50.0, "arrivals", 50, "requests", 50, "responses", 50,
                                            "p99", 10.0 + t % 7));
    json_t *run = json_pack("{s:o, s:{s:f}}", "timeline", tl, "run", "elapsed", 3600.0);
    char *h = render_html(run);
    /* 3600 s in 6-second points: a step line has one "H" per point */
    const char *p = strstr(h, "stroke=\"#2563eb\"");
    ASSERT(p);
    const char *end = strstr(p, "\"/>");
    int hs = 0;
    for (; p < end; p++)
        hs += *p == 'H';
    ASSERT_EQ(hs, 600);
    ASSERT(strstr(h, "(each point: mean of 6 s)"));
    ASSERT(strstr(h, ">1:00:00</text>")); /* hour-long axes get h:mm:ss ticks */
    free(h);
    json_decref(run);
}

TEST(render_format_by_extension)
{
    ASSERT_EQ(render_format_of("out/run.md"), RENDER_MARKDOWN);
    ASSERT_EQ(render_format_of("RUN.HTML"), RENDER_HTML);
    ASSERT_EQ(render_format_of("a.htm"), RENDER_HTML);
    ASSERT_EQ(render_format_of("a.json"), RENDER_JSON);
    ASSERT_EQ(render_format_of("a.markdown"), RENDER_MARKDOWN);
    ASSERT_EQ(render_format_of("out/.md"), RENDER_MARKDOWN);
    ASSERT_EQ(render_format_of("a.md.json"), RENDER_JSON);
    ASSERT_EQ(render_format_of("a.txt"), RENDER_UNKNOWN);
    ASSERT_EQ(render_format_of("dir.md/report"), RENDER_UNKNOWN);
    ASSERT_EQ(render_format_of(NULL), RENDER_UNKNOWN);
}

/* stats -> report_build -> render: the Markdown shows the recorded numbers. */
TEST(render_from_report_json_keeps_the_numbers)
{
    struct plan p = {0};
    p.target = xstrdup("http://127.0.0.1:8080");
    p.nphases = 1;
    p.phases = xcalloc(1, sizeof *p.phases);
    p.phases[0] = (struct phase){xstrdup("Steady"), PHASE_CONST, 10000000, 5, 0, 0, 0, 1, 1};
    p.nscenarios = 1;
    p.scenarios = xcalloc(1, sizeof *p.scenarios);
    p.scenarios[0].name = xstrdup("s");
    p.scenarios[0].weight = 1;
    plan_endpoint(&p, "GET /up");
    struct stats st;
    stats_init(&st, 1, 1, 1);
    st.phase_started_us[0] = 0;
    st.phase_ended_us[0] = 10000000;
    st.phase_planned[0] = 50;
    for (int i = 0; i < 40; i++) {
        stats_vu_created(&st, 0, 0, 100);
        stats_request(&st, 0, 0);
        if (i < 30) {
            stats_response(&st, 0, 0, 200, 12000, 12500, 13000, 10);
            stats_vu_completed(&st, 0, 13000);
        } else {
            stats_error(&st, 0, 0, "ECONNRESET");
            stats_vu_failed(&st, 0, 500);
        }
    }
    struct host_sample host = {.load1 = 0.5, .cpu_pct = 20, .self_cpu_pct = 7, .ncpu = 4};
    stats_close_second(&st, 5, 0, &host);
    struct report_meta m = {.start_wall_us = 1795945795110000,
                            .now_wall_us = 1795945805110000,
                            .elapsed_us = 10000000,
                            .state = "done",
                            .version = "v0.1.0",
                            .argv_line = "loadtop s.yml"};
    char *text = report_file_text(&p, &st, &m);
    json_t *run = json_loads(text, 0, NULL);
    ASSERT(run);
    char *md = render_markdown(run);
    ASSERT(strstr(md, "| 1 | Steady | 10 s | 5/s | 4.0/s | 40 | 10 (25.0%) | 12.0 | 12.0 | 12.0 | "
                      "`ECONNRESET` (10) |\n"));
    ASSERT(strstr(md, "- **Virtual users**: 40 created, 30 completed, 10 failed, 0 skipped\n"));
    ASSERT(strstr(md, "| `ECONNRESET` | 10 | 25.0% | 0:00 |\n"));
    ASSERT(strstr(md, "- **Date**: 2026-11-29 09:49:55 UTC\n"));
    ASSERT(strstr(md, "- **loadtop's own CPU**: peak 7.0% of one core; the generator was not "
                      "saturated\n"));
    free(md);
    json_decref(run);
    free(text);
    stats_free(&st);
    plan_free(&p);
}

static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80             ? 0
                : (*s & 0xe0) == 0xc0 ? 1
                : (*s & 0xf0) == 0xe0 ? 2
                : (*s & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0)
            return 0;
        for (s++; n > 0; n--, s++)
            if ((*s & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

/* Phase names are cut to fit their band, never inside a UTF-8 sequence. */
TEST(render_html_cuts_names_on_characters)
{
    json_t *phases = json_array(), *tl = json_array();
    double at = 0;
    for (int i = 0; i < 16; i++, at += 1 + i * 0.12) /* bands from 26 to 70 px */
        json_array_append_new(phases, json_pack("{s:s, s:s, s:f, s:f, s:f}", "name",
                                                "Montée très très progressive", "kind", "constant",
                                                "arrivalRate", 1.0, "startedAt", at, "endedAt",
                                                at + 1 + (i + 1) * 0.12));
    for (int t = 0; t < 40; t++)
        json_array_append_new(tl, json_pack("{s:i, s:i}", "t", t, "arrivals", 1));
    json_t *run =
        json_pack("{s:o, s:o, s:{s:f}}", "phases", phases, "timeline", tl, "run", "elapsed", 40.0);
    char *h = render_html(run);
    ASSERT(valid_utf8((const unsigned char *)h));
    ASSERT(strstr(h, "\xe2\x80\xa6</text>")); /* some names were shortened */
    free(h);
    json_decref(run);
}

/* ---- hostile saved reports (`loadtop report` reads user input) ---- */

/* Markdown and HTML of a report given as JSON text (both heap, or NULL). */
static json_t *render_both(const char *text, char **md, char **html)
{
    json_error_t e;
    json_t *run = json_loads(text, 0, &e);
    *md = run ? render_markdown(run) : NULL;
    *html = run ? render_html(run) : NULL;
    return run;
}

/* "%.0f" of 1e300 is 301 bytes: count() used snprintf's untruncated length
 * to walk a 32-byte buffer and overflowed the stack. */
TEST(render_huge_count_does_not_overflow)
{
    char *md, *html;
    json_t *run =
        render_both("{\"aggregate\":{\"counters\":{\"vusers.created\":1e300}}}", &md, &html);
    ASSERT(run && md && html);
    ASSERT(strstr(md, "- **Totals**: 0 requests, 0 responses, 1e+300 VUs created, 0 (n/a) failed "
                      "requests\n"));
    ASSERT(strstr(md, "- **Virtual users**: 1e+300 created, 0 completed, 0 failed, 0 skipped\n"));
    ASSERT(strstr(html, "</html>\n"));
    free(md);
    free(html);
    json_decref(run);
    /* the largest exact counts keep their digits; negative ones their sign */
    run = render_both("{\"aggregate\":{\"counters\":{\"http.requests\":999999999999999,"
                      "\"vusers.created\":-1234567}}}",
                      &md, &html);
    ASSERT(strstr(md, "- **Requests**: 999,999,999,999,999 (0 responses)\n"));
    ASSERT(strstr(md, "- **Virtual users**: -1,234,567 created,"));
    free(md);
    free(html);
    json_decref(run);
}

/* 1 when no attribute value (="...") holds "nan" or "inf". */
static int numbers_in_attributes(const char *h)
{
    for (const char *p = h; (p = strstr(p, "=\""));) {
        const char *end = strchr(p + 2, '"');
        if (!end)
            return 0;
        for (const char *q = p + 2; q + 3 <= end; q++)
            if (!strncmp(q, "nan", 3) || !strncmp(q, "inf", 3))
                return 0;
        p = end + 1;
    }
    return 1;
}

/* Times and readings no run has: far out, negative, or too big for a long
 * (lround) or for the axes (a huge elapsed time asked for 1e295 ticks). */
TEST(render_hostile_times_and_readings)
{
    char *md, *html;
    json_t *run = render_both(
        "{\"aggregate\": {\"counters\": {\"http.requests\": 10}},"
        " \"run\": {\"elapsed\": 1e300, \"startedAt\": \"2026-11-29T09:56:41.123Z\"},"
        " \"host\": {\"ncpu\": 1e300},"
        " \"phases\": [{\"name\": \"a\", \"startedAt\": -1e300, \"endedAt\": 1e300},"
        "              {\"name\": \"b\", \"startedAt\": 1e300}],"
        " \"events\": [{\"t\": 1e300, \"kind\": \"warning\", \"text\": \"far\"},"
        "              {\"t\": -3, \"kind\": \"warning\", \"text\": \"before\"}],"
        " \"timeline\": [{\"t\": 0, \"targetRate\": 1e300, \"arrivals\": -5, \"requests\": 1e300,"
        "                \"responses\": 1, \"p50\": 1e300, \"p99\": -1, \"cpu\": 1e300,"
        "                \"load1\": 1e300, \"codes\": {\"2xx\": 1e300, \"5xx\": -1},"
        "                \"errors\": {\"E1\": 1e300, \"E2\": -1e300, \"E3\": 2}},"
        "               {\"t\": 1e300, \"requests\": 3, \"responses\": 3, \"p50\": 2}]}",
        &md, &html);
    ASSERT(run && md && html);
    ASSERT(strstr(md, "- **Duration**: 1e+300 s (planned n/a)\n"));
    ASSERT(strstr(md, "| 1 | 1e+300 s | warning | far |\n"));
    ASSERT(strstr(md, "| 2 | n/a | warning | before |\n"));
    ASSERT(strstr(md, "- **Request rate**: average 0.0/s, peak 1e+300/s (at 0:00)\n"));
    ASSERT(numbers_in_attributes(html));
    ASSERT(valid_utf8((const unsigned char *)html));
    /* the axis is as long as the timeline (2 s): 0:00, 0:01, 0:02 */
    ASSERT_EQ(count_of(html, "class=\"tick\"/>"), 3 * 7);
    free(md);
    free(html);
    json_decref(run);

    /* 58 days: at most eleven ticks an axis */
    run = render_both("{\"aggregate\": {}, \"run\": {\"elapsed\": 5e6},"
                      " \"timeline\": [{\"t\": 0, \"requests\": 1}]}",
                      &md, &html);
    ASSERT(count_of(html, "class=\"tick\"/>") <= 11 * 7);
    ASSERT(strstr(html, ">192:00:00</text>")); /* every 8 days */
    free(md);
    free(html);
    json_decref(run);
}

/* A latency of 5e-324 ms: pow(10, floor(log10(5e-324))) is 0, and a log axis
 * from 0 decade by decade never ended. */
TEST(render_log_axis_of_tiny_latencies_ends)
{
    char *md, *html;
    json_t *run = render_both("{\"aggregate\": {}, \"timeline\": [{\"t\": 0, \"responses\": 1,"
                              " \"p50\": 5e-324, \"p95\": 1e-320, \"p99\": 20}]}",
                              &md, &html);
    ASSERT(run && html);
    ASSERT(strstr(html, "text-anchor=\"end\">0.001</text>")); /* 1 µs, the lowest decade */
    ASSERT(numbers_in_attributes(html));
    free(md);
    free(html);
    json_decref(run);
}

/* Long names are cut whole characters at a time, however long they are:
 * phase labels were cut at byte 95 by snprintf, event kinds at byte 63. */
TEST(render_long_names_stay_valid_utf8)
{
    struct buf name = {0};
    for (int i = 0; i < 150; i++)
        buf_puts(&name, "\xc3\xa9"); /* é */
    char *text =
        xasprintf("{\"aggregate\": {}, \"run\": {\"elapsed\": 10, \"startedAt\": \"%s\"},"
                  " \"phases\": [{\"name\": \"x%s\", \"startedAt\": 0, \"endedAt\": 10}],"
                  " \"events\": [{\"t\": 1, \"kind\": \"x%s\", \"text\": \"t\"}],"
                  " \"timeline\": [{\"t\": 0, \"requests\": 1}, {\"t\": 9, \"requests\": 1}]}",
                  name.data, name.data, name.data);
    char *md, *html;
    json_t *run = render_both(text, &md, &html);
    ASSERT(run && md && html);
    ASSERT(valid_utf8((const unsigned char *)md));
    ASSERT(valid_utf8((const unsigned char *)html));
    ASSERT(strstr(html, name.data));                     /* the event's kind whole, in its title */
    ASSERT(strstr(html, "\xc3\xa9\xe2\x80\xa6</text>")); /* the phase's label cut at a character */
    /* a start time that is no ISO date is shown as it is, not cut at byte 10 */
    char *want = xasprintf("Run of %s, state n/a;", name.data);
    ASSERT(strstr(md, want));
    free(want);
    free(md);
    free(html);
    json_decref(run);
    free(text);
    buf_free(&name);
}

/* The capacity findings of a hostile report: negative counters count as
 * none (they were cast to uint64_t: 1.8e19 failures), long names are cut
 * at a character, a rate of 5e300 (arrivalCount over 1e-300 s) and a start
 * past lround's range print as numbers, not as hundreds of digits. */
TEST(render_capacity_of_hostile_counters)
{
    struct buf name = {0};
    for (int i = 0; i < 300; i++)
        buf_puts(&name, "\xc3\xa9");
    const char *fmt =
        "{\"aggregate\": {\"counters\": {\"http.requests\": 200, \"errors.NEG\": -7}},"
        " \"run\": {\"elapsed\": 1e301},"
        " \"phases\": [{\"name\": \"calm\", \"kind\": \"constant\", \"arrivalRate\": 10,"
        "               \"startedAt\": 0, \"endedAt\": 10,"
        "               \"counters\": {\"http.requests\": 100, \"errors.NEG\": -7}},"
        "              {\"name\": \"%s\", \"kind\": \"constant\", \"arrivalRate\": 20,"
        "               \"startedAt\": 10, \"counters\": {\"http.requests\": 100,"
        "               \"errors.%.80s\": 50, \"errors.NEG\": -9223372036854775807}},"
        "              {\"name\": \"odd\", \"kind\": \"count\", \"arrivalCount\": 5,"
        "               \"duration\": 1e-300}],"
        " \"timeline\": [{\"t\": 1e300, \"requests\": 10, \"errors\": {\"X\": 5}}]}";
    char *text = xasprintf(fmt, name.data, name.data);
    char *md, *html;
    json_t *run = render_both(text, &md, &html);
    ASSERT(run && md && html);
    ASSERT(valid_utf8((const unsigned char *)md));
    ASSERT(valid_utf8((const unsigned char *)html));
    ASSERT(numbers_in_attributes(html));
    ASSERT(
        strstr(md, "| 1 | calm | n/a | 10/s | n/a | 100 | 0 (0.0%) | n/a | n/a | n/a | none |\n"));
    ASSERT(strstr(md, " | 100 | 50 (50.0%) | "));
    ASSERT(strstr(md, "| 3 | odd | 0 s | 5 arrivals (5e+300/s) | n/a | n/a | n/a |"));
    ASSERT(strstr(md, "- **Peak target rate**: 5e+300 arrivals/s in phase 3 `odd`\n"));
    ASSERT(strstr(md, "- **Sustainable load**: **10/s** (phase 1 `calm`: 0.0% failures"));
    ASSERT(strstr(md, "- **Breaking point**: **20/s** (phase 2 `\xc3\xa9\xc3\xa9"));
    free(md);
    free(html);
    json_decref(run);
    free(text);

    /* a short name leaves room for the time trouble started */
    text = xasprintf(fmt, "hot", "ECONNRESET");
    run = render_both(text, &md, &html);
    ASSERT(
        strstr(md, "`ECONNRESET` made 50 of its 50 failures (100.0%); they started at 1e+300 s,"));
    free(md);
    free(html);
    json_decref(run);
    free(text);
    buf_free(&name);
}

/* Every chart drew a marker per event: 100,000 events made a 137 MB page.
 * Charts mark the first 100 and say so; the Events table lists them all. */
TEST(render_marks_at_most_100_events_a_chart)
{
    json_t *evs = json_array(), *tl = json_array();
    for (int i = 0; i < 150; i++)
        json_array_append_new(
            evs, json_pack("{s:f, s:s, s:s}", "t", i * 0.1, "kind", "log", "text", "hello"));
    for (int t = 0; t < 20; t++)
        json_array_append_new(tl, json_pack("{s:i, s:i}", "t", t, "requests", 1));
    json_t *run = json_pack("{s:{}, s:o, s:o, s:{s:f}}", "aggregate", "events", evs, "timeline", tl,
                            "run", "elapsed", 20.0);
    char *h = render_html(run), *md = render_markdown(run);
    ASSERT_EQ(count_of(h, "<g class=\"ev\"><title>"), 100 * 6); /* no errors chart */
    ASSERT_EQ(count_of(h, ">the first 100 of 150 events (see Events)</text>"), 6);
    ASSERT(strstr(md, "| 150 | 0:14.9 | log | hello |\n"));
    free(h);
    free(md);
    json_decref(run);
}

/* U+FFFE and U+FFFF are valid in JSON but not in XML 1.0: "?" as control
 * characters are, so that the page still parses as XHTML. */
TEST(render_html_replaces_non_xml_characters)
{
    char *md, *html;
    json_t *run = render_both("{\"aggregate\": {}, \"phases\": [{\"name\": \"a\\ufffeb\\uffffc\","
                              " \"kind\": \"pause\"}]}",
                              &md, &html);
    ASSERT(run && md && html);
    ASSERT(strstr(html, "<td>a?b?c</td>"));
    ASSERT(strstr(md, "| 1 | a\xef\xbf\xbe"
                      "b\xef\xbf\xbf"
                      "c |"));
    free(md);
    free(html);
    json_decref(run);
}

/* Pauses (issue 14): a row of the phase table each, in time order among
 * the phases, a grey band on every timeline chart, and the run's rate over
 * the time it was not paused. */
TEST(render_pauses_as_rows_and_bands)
{
    json_t *tl = json_array();
    for (int t = 0; t < 10; t++)
        json_array_append_new(tl, json_pack("{s:i, s:i}", "t", t, "requests", 10));
    json_t *run =
        json_pack("{s:{s:{s:i}}, s:o, s:[{s:s, s:f, s:f}, {s:s, s:f, s:f}],"
                  " s:{s:f, s:f, s:[{s:f, s:f, s:i}, {s:f, s:f, s:i}]}}",
                  "aggregate", "counters", "http.requests", 80, "timeline", tl, "phases", "name",
                  "one", "startedAt", 0.0, "endedAt", 4.0, "name", "two", "startedAt", 4.0,
                  "endedAt", 10.0, "run", "elapsed", 10.0, "paused", 2.0, "pauses", "start", 1.0,
                  "end", 2.0, "phase", 0, "start", 6.0, "end", 7.0, "phase", 1);
    char *h = render_html(run), *md = render_markdown(run);
    const char *one = strstr(md, "| one |"), *p1 = strstr(md, "| paused at 0:01.0 | 1 s |");
    const char *two = strstr(md, "| two |"), *p2 = strstr(md, "| paused at 0:06.0 | 1 s |");
    ASSERT(one && p1 && two && p2);
    ASSERT(one < p1 && p1 < two && two < p2);
    ASSERT(strstr(md, "of which paused 2 s"));
    ASSERT(strstr(md, "average 10.0/s")); /* 80 requests in 10 s less 2 paused */
    ASSERT_EQ(count_of(h, "class=\"pause\"><title>paused 1.0 s</title>"), 2 * 6);
    free(h);
    free(md);
    json_decref(run);
}
