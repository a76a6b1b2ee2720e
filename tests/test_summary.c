/* test_summary.c — summary.c: the end-of-run lines a wrk/oha user reads
 * first, from a report, within 24 lines with the --latency histogram. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "summary.h"
#include "test.h"

__attribute__((noinline)) static char *summary_of(const json_t *report, int latency)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    summary_print(f, report, latency);
    fclose(f);
    return buf;
}

static int lines_of(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static json_t *a_report(void)
{
    struct hist *h = hist_new();
    for (int i = 1; i <= 1000; i++)
        hist_record(h, i * 40); /* 40 µs .. 40 ms */
    char *enc = hist_encode(h);
    free(h);
    json_t *r = json_pack(
        "{s:{s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i},"
        "    s:{s:{s:i, s:f, s:f, s:f, s:f, s:f}, s:{s:i, s:f, s:f, s:f, s:f, s:f}},"
        "    s:{s:s}},"
        " s:{s:f, s:f, s:i}, s:{s:s}, s:[{s:s, s:b}, {s:s, s:b}]}",
        "aggregate", "counters", "http.requests", 1000, "vusers.created", 1000, "vusers.skipped", 2,
        "http.codes.200", 950, "http.codes.404", 10, "http.codes.500", 1, "http.codes.502", 1,
        "http.codes.503", 30, "http.codes.504", 1, "http.codes.301", 1, "http.codes.302", 1,
        "errors.ETIMEDOUT", 3, "errors.ECONNRESET", 4, "http.downloaded_bytes", 2097152,
        "summaries", "http.response_time", "count", 962, "p50", 0.042, "p90", 2.5, "p99", 12.0,
        "p999", 30.5, "max", 40.0, "http.latency", "count", 1000, "p50", 20.0, "p90", 36.0, "p99",
        39.6, "p999", 40.0, "max", 40.0, "histograms", "http.latency", enc, "run", "elapsed", 12.0,
        "paused", 2.0, "plannedArrivals", 1002, "plan", "model", "open", "checks", "text",
        "p99 < 50", "ok", 1, "text", "failures < 1%", "ok", 0);
    free(enc);
    return r;
}

TEST(summary_lines_a_wrk_user_reads)
{
    json_t *r = a_report();
    char *s = summary_of(r, 0);
    ASSERT(strstr(s, "  Requests:      1,000 in 12 s (paused 2 s, not counted)\n"));
    ASSERT(strstr(s, "  Requests/sec:  100.0\n")); /* over the 10 s not paused */
    ASSERT(strstr(s, "  Arrivals:      1,000 of 1,002 planned, 2 skipped\n"));
    /* 7 errors + 33 5xx of 1,000 */
    ASSERT(strstr(s, "  Success rate:  96.0% (40 failed: errors and 5xx)\n"));
    /* most first, ties by name, six at most */
    ASSERT(strstr(s, "  Status codes:  200: 950 · 503: 30 · 404: 10 · 301: 1 · 302: 1 · 500: 1 · "
                     "+2 more\n"));
    ASSERT(strstr(s, "  Errors:        ECONNRESET: 4 · ETIMEDOUT: 3\n"));
    /* sub-millisecond values never print as 0 */
    ASSERT(strstr(s, "  Response time: p50 0.042 ms · p90 2.5 ms · p99 12.0 ms · p99.9 30.5 ms · "
                     "max 40.0 ms\n"));
    ASSERT(strstr(s, "  Received:      2.0 MiB (204.8 KiB/s)\n"));
    ASSERT(strstr(s, "  Checks:        1 passed, 1 failed\n"));
    ASSERT(!strstr(s, "distribution"));
    free(s);
    json_decref(r);
}

TEST(summary_latency_histogram_fits_24_lines)
{
    json_t *r = a_report();
    char *s = summary_of(r, 1);
    ASSERT(lines_of(s) <= SUMMARY_MAX_LINES);
    const char *h = strstr(s, "Latency distribution");
    ASSERT(h);
    /* every value in one row of SUMMARY_HIST_ROWS, the last ending at the max */
    long sum = 0;
    int rows = 0;
    for (const char *p = strstr(h, "\n  <= "); p; p = strstr(p + 1, "\n  <= ")) {
        char ms[32], count[32];
        ASSERT_EQ(sscanf(p, "\n  <= %31s ms %31s", ms, count), 2);
        char digits[32];
        int k = 0;
        for (const char *c = count; *c; c++)
            if (*c != ',')
                digits[k++] = *c;
        digits[k] = '\0';
        sum += atol(digits);
        rows++;
        if (rows == SUMMARY_HIST_ROWS)
            ASSERT_STR(ms, "40.0");
    }
    ASSERT_EQ(rows, SUMMARY_HIST_ROWS);
    ASSERT_EQ(sum, 1000);
    free(s);
    json_decref(r);
}

TEST(summary_of_an_empty_report_says_na)
{
    json_t *r = json_object();
    char *s = summary_of(r, 1);
    ASSERT(strstr(s, "  Requests:      n/a in n/a\n"));
    ASSERT(strstr(s, "  Requests/sec:  n/a\n"));
    ASSERT(strstr(s, "  Status codes:  none\n"));
    ASSERT(!strstr(s, "distribution"));
    free(s);
    json_decref(r);
}
