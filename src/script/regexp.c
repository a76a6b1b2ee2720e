/* regexp.c — see regexp.h. PCRE2's options for JavaScript's syntax are the
 * ones its own documentation lists for that (ALT_BSUX, ALLOW_EMPTY_CLASS,
 * MATCH_UNSET_BACKREF), with DOLLAR_ENDONLY and CR or LF as line breaks,
 * as JavaScript's `$` and `.` have them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regexp.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

struct regexp {
    pcre2_general_context *mem;
    pcre2_code *code;
    pcre2_match_context *limits;
};

/* PCRE2 allocates through these: out of memory ends loadtop cleanly, as
 * everywhere else (a match's own memory is bounded by the heap limit). */
static void *mem_alloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return xmalloc(n);
}

static void mem_free(void *p, void *data)
{
    (void)data;
    free(p);
}

struct regexp *regexp_compile(const char *pattern, int icase, struct parse_error *err)
{
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX | PCRE2_ALLOW_EMPTY_CLASS |
                    PCRE2_MATCH_UNSET_BACKREF | PCRE2_DOLLAR_ENDONLY | (icase ? PCRE2_CASELESS : 0);
    pcre2_general_context *mem = pcre2_general_context_create(mem_alloc, mem_free, NULL);
    pcre2_compile_context *cc = pcre2_compile_context_create(mem);
    pcre2_set_max_pattern_length(cc, REGEXP_MAX_PATTERN);
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    int code;
    PCRE2_SIZE at;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &at, cc);
    pcre2_compile_context_free(cc);
    if (!c) {
        PCRE2_UCHAR why[256];
        if (pcre2_get_error_message(code, why, sizeof why) < 0)
            snprintf((char *)why, sizeof why, "error %d", code);
        perr_set(err, 0, (int)at + 1, "%s at column %d", (const char *)why, (int)at + 1);
        pcre2_general_context_free(mem);
        return NULL;
    }
    struct regexp *re = xcalloc(1, sizeof *re);
    re->mem = mem;
    re->code = c;
    re->limits = pcre2_match_context_create(mem);
    pcre2_set_match_limit(re->limits, REGEXP_MATCH_LIMIT);
    pcre2_set_heap_limit(re->limits, REGEXP_HEAP_LIMIT_KIB);
    perr_clear(err);
    return re;
}

int regexp_groups(const struct regexp *re)
{
    uint32_t n = 0;
    pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &n);
    return (int)n;
}

int regexp_match(const struct regexp *re, const char *subject, size_t len, int group, size_t *so,
                 size_t *eo)
{
    if (group < 0 || group > regexp_groups(re))
        return 0;
    pcre2_match_data *md = pcre2_match_data_create((uint32_t)group + 1, re->mem);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(subject ? subject : ""), subject ? len : 0, 0, 0,
                         md, re->limits);
    int r = 0;
    if (rc >= 0) { /* 0: a match with more groups than the ovector holds */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        r = ov[2 * group] != PCRE2_UNSET;
        if (r && so)
            *so = ov[2 * group];
        if (r && eo)
            *eo = ov[2 * group + 1];
    } else if (rc != PCRE2_ERROR_NOMATCH) {
        r = -1; /* a limit (match, heap, depth): given up */
    }
    pcre2_match_data_free(md);
    return r;
}

void regexp_free(struct regexp *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->limits);
    pcre2_general_context_free(re->mem);
    free(re);
}
