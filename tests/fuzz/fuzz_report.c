/* fuzz_report.c — libFuzzer harness: bytes as a saved JSON report, the
 * path of `loadtop report RUN.json -o OUT.md|OUT.html`: the checks that
 * render_saved() in main.c makes first (it parses; "aggregate" is an
 * object), then render_markdown() and render_html().
 *
 * Beyond not crashing, the output must stay sensible: valid UTF-8, and no
 * SVG/HTML attribute holding "nan" or "inf" (a chart coordinate computed
 * from a hostile number). A breach aborts, so the fuzzer keeps the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render.h"

static void fail(const char *what, const char *doc, const char *at)
{
    fprintf(stderr, "fuzz_report: %s at byte %ld: %.80s\n", what, (long)(at - doc), at);
    abort();
}

static void check_utf8(const char *doc)
{
    const unsigned char *s = (const unsigned char *)doc;
    while (*s) {
        int n = *s < 0x80             ? 0
                : (*s & 0xe0) == 0xc0 ? 1
                : (*s & 0xf0) == 0xe0 ? 2
                : (*s & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0)
            fail("invalid UTF-8", doc, (const char *)s);
        const unsigned char *lead = s;
        for (s++; n > 0; n--, s++)
            if ((*s & 0xc0) != 0x80)
                fail("cut UTF-8 sequence", doc, (const char *)lead);
    }
}

/* Every attribute value (="...") of the HTML is markup or a number. */
static void check_attributes(const char *doc)
{
    for (const char *p = doc; (p = strstr(p, "=\""));) {
        const char *v = p + 2, *end = strchr(v, '"');
        if (!end)
            fail("unterminated attribute", doc, p);
        for (const char *q = v; q + 3 <= end; q++)
            if (!strncmp(q, "nan", 3) || !strncmp(q, "inf", 3))
                fail("not a number in an attribute", doc, p);
        p = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *run = json_loadb((const char *)data, size, 0, NULL);
    if (!run)
        return 0;
    if (json_is_object(json_object_get(run, "aggregate"))) {
        char *md = render_markdown(run);
        check_utf8(md);
        free(md);
        char *html = render_html(run);
        check_utf8(html);
        check_attributes(html);
        free(html);
    }
    json_decref(run);
    return 0;
}
