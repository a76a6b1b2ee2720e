/* snapfile.c — see snapfile.h. */
#include "snapfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "report.h"
#include "util.h"

/* The report j as path (JSON) and its .md and .html beside it; msg says
 * what happened, as `what` ("snapshot", "final report"). 0 or -1. */
static int write_three(const char *path, const json_t *j, const char *what, char *msg, size_t n)
{
    size_t base = strlen(path) > 5 ? strlen(path) - 5 : strlen(path); /* without ".json" */
    char *md = xasprintf("%.*s.md", (int)base, path);
    char *html = xasprintf("%.*s.html", (int)base, path);
    int rc = 0;
    if (j && snapfile_write_report(path, j) == 0 && snapfile_write_report(md, j) == 0 &&
        snapfile_write_report(html, j) == 0) {
        snprintf(msg, n, "%s saved: %s (+ .md, .html)", what, path);
    } else {
        snprintf(msg, n, "%s failed: %s: %s", what, path, strerror(errno));
        rc = -1;
    }
    free(md);
    free(html);
    return rc;
}

int snapfile_request(const struct source *src, const char *dir, char *msg, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *p = xasprintf("%s/loadtop-%s.json", dir, stamp);
    for (int i = 2; access(p, F_OK) == 0 && i < 1000; i++) {
        free(p);
        p = xasprintf("%s/loadtop-%s-%d.json", dir, stamp, i);
    }
    struct engine_cmd c = {.kind = CMD_REPORT};
    if (strlen(p) >= sizeof c.tag) {
        snprintf(msg, n, "snapshot failed: directory name too long");
        free(p);
        return -1;
    }
    if (src->done(src->ctx)) { /* nothing to ask: the final report, now */
        json_t *j = src->final_report(src->ctx);
        int rc = write_three(p, j, "final report", msg, n) < 0 ? -1 : 1;
        json_decref(j);
        free(p);
        return rc;
    }
    memcpy(c.tag, p, strlen(p) + 1);
    free(p);
    src->send(src->ctx, &c);
    return 0;
}

int snapfile_write(const char *path, const char *text)
{
    if (write_file_atomic(path, text, strlen(text)) < 0) {
        fprintf(stderr, "loadtop: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int snapfile_write_report(const char *path, const json_t *report)
{
    enum render_format f = render_format_of(path);
    char *text = f == RENDER_MARKDOWN ? render_markdown(report)
                 : f == RENDER_HTML   ? render_html(report)
                                      : report_text(report);
    int rc = snapfile_write(path, text);
    free(text);
    return rc;
}

int snapfile_poll(const struct source *src, char *msg, size_t n)
{
    char path[256];
    json_t *j = src->take_report(src->ctx, path);
    if (!j)
        return 0;
    int rc = write_three(path, j, "snapshot", msg, n) < 0 ? -1 : 1;
    if (rc < 0) {
        struct engine_cmd c = {.kind = CMD_NOTE};
        snprintf(c.tag, sizeof c.tag, "%s", msg);
        src->send(src->ctx, &c);
    }
    json_decref(j);
    return rc;
}
