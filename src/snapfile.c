/* snapfile.c — see snapfile.h. */
#include "snapfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int snapfile_request(struct engine *e, const char *dir, char *msg, size_t n)
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
    memcpy(c.tag, p, strlen(p) + 1);
    free(p);
    engine_send(e, &c);
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

int snapfile_poll(struct engine *e, char *msg, size_t n)
{
    char path[256];
    char *json = engine_take_report(e, path);
    if (!json)
        return 0;
    int rc = 1;
    if (write_file_atomic(path, json, strlen(json)) == 0) {
        snprintf(msg, n, "snapshot saved: %s", path);
    } else {
        snprintf(msg, n, "snapshot failed: %s: %s", path, strerror(errno));
        struct engine_cmd c = {.kind = CMD_NOTE};
        snprintf(c.tag, sizeof c.tag, "%s", msg);
        engine_send(e, &c);
        rc = -1;
    }
    free(json);
    return rc;
}
