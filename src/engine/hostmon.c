/* hostmon.c — see hostmon.h. */
#include "hostmon.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

/* Skips blanks but not newlines, so a field list ends at its line's end. */
static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int next_u64(const char **p, uint64_t *out)
{
    const char *s = skip_blanks(*p);
    char *end;
    if (!isdigit((unsigned char)*s))
        return -1;
    *out = strtoull(s, &end, 10);
    *p = end;
    return 0;
}

static int next_double(const char **p, double *out)
{
    const char *s = skip_blanks(*p);
    char *end;
    if (!isdigit((unsigned char)*s))
        return -1;
    *out = strtod(s, &end);
    *p = end;
    return 0;
}

/* The text after `key` when a line of `text` starts with it, else NULL. */
static const char *line_value(const char *text, const char *key)
{
    size_t n = strlen(key);
    const char *line = text;
    while (line) {
        if (!strncmp(line, key, n))
            return line + n;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

int hostmon_parse_loadavg(const char *text, double *l1, double *l5, double *l15)
{
    const char *p = text;
    if (next_double(&p, l1) || next_double(&p, l5) || next_double(&p, l15))
        return -1;
    return 0;
}

int hostmon_parse_stat(const char *text, uint64_t *busy, uint64_t *total)
{
    /* user nice system idle iowait irq softirq steal; guest time is already
     * inside user and nice, and old kernels stop after idle. */
    uint64_t v[8] = {0};
    const char *p = line_value(text, "cpu ");
    int n = 0;
    if (!p)
        return -1;
    while (n < 8 && next_u64(&p, &v[n]) == 0)
        n++;
    if (n < 4)
        return -1;
    *busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    *total = *busy + v[3] + v[4];
    return 0;
}

int hostmon_parse_meminfo(const char *text, uint64_t *total_kb, uint64_t *used_kb)
{
    const char *t = line_value(text, "MemTotal:"), *a = line_value(text, "MemAvailable:");
    uint64_t total, avail;
    if (!t || !a || next_u64(&t, &total) || next_u64(&a, &avail))
        return -1;
    *total_kb = total;
    *used_kb = avail < total ? total - avail : 0;
    return 0;
}

int hostmon_parse_self_stat(const char *text, uint64_t *cpu_jiffies)
{
    /* comm is "(...)" and may itself hold spaces and ')': only the last ')'
     * ends it. Fields 3..13 follow, then utime (14) and stime (15). */
    const char *open = strchr(text, '('), *p = strrchr(text, ')');
    uint64_t utime, stime;
    if (!open || !p || p < open)
        return -1;
    p++;
    for (int field = 3; field <= 13; field++) {
        p = skip_blanks(p);
        if (!*p || isspace((unsigned char)*p))
            return -1;
        while (*p && !isspace((unsigned char)*p))
            p++;
    }
    if (next_u64(&p, &utime) || next_u64(&p, &stime))
        return -1;
    *cpu_jiffies = utime + stime;
    return 0;
}

int hostmon_parse_statm(const char *text, uint64_t *rss_pages)
{
    uint64_t size, rss;
    const char *p = text;
    if (next_u64(&p, &size) || next_u64(&p, &rss))
        return -1;
    *rss_pages = rss;
    return 0;
}

/* Reads up to size-1 bytes of `path` into buf, NUL-terminated. Only the
 * head of a file is needed, so a short read of a long file is fine. */
static int read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    if (fd < 0)
        return -1;
    while (len < size - 1) {
        ssize_t r = read(fd, buf + len, size - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    return len ? 0 : -1;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n > 0 ? n - 1 : 0; /* the directory's own fd is listed too */
}

void hostmon_sample(struct hostmon *m, struct host_sample *out)
{
    char buf[4096];
    uint64_t busy, total, self;
    int64_t at = now_us();
    struct rlimit rl;

    memset(out, 0, sizeof *out);
    if (read_text("/proc/loadavg", buf, sizeof buf) == 0)
        hostmon_parse_loadavg(buf, &out->load1, &out->load5, &out->load15);
    if (read_text("/proc/meminfo", buf, sizeof buf) == 0)
        hostmon_parse_meminfo(buf, &out->mem_total_kb, &out->mem_used_kb);

    if (read_text("/proc/stat", buf, sizeof buf) == 0 &&
        hostmon_parse_stat(buf, &busy, &total) == 0) {
        /* Totals can step back when a CPU goes offline: skip that interval. */
        if (m->primed && total > m->prev_total && busy >= m->prev_busy)
            out->cpu_pct = 100.0 * (double)(busy - m->prev_busy) / (double)(total - m->prev_total);
        m->prev_busy = busy;
        m->prev_total = total;
    }

    if (read_text("/proc/self/stat", buf, 1024) == 0 && hostmon_parse_self_stat(buf, &self) == 0) {
        long hz = sysconf(_SC_CLK_TCK);
        if (m->primed && at > m->prev_at && self >= m->prev_self && hz > 0)
            out->self_cpu_pct = 100.0 * (double)(self - m->prev_self) / (double)hz /
                                ((double)(at - m->prev_at) / 1e6);
        m->prev_self = self;
    }
    m->prev_at = at;
    m->primed = 1;
    uint64_t pages;
    if (read_text("/proc/self/statm", buf, 256) == 0 && hostmon_parse_statm(buf, &pages) == 0)
        out->self_rss_kb = pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    out->ncpu = ncpu > 0 ? (int)ncpu : 0;
    /* Listing /proc/self/fd costs time in proportion to open sockets (tens
     * of ms at 60k) on the engine thread: count every tenth sample. */
    if (m->nsamples++ % 10 == 0)
        m->fds_open = count_fds();
    out->fds_open = m->fds_open;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        out->fds_limit = rl.rlim_cur > (rlim_t)INT_MAX ? INT_MAX : (int)rl.rlim_cur;
}

void hostmon_init(struct hostmon *m)
{
    struct host_sample first;
    memset(m, 0, sizeof *m);
    hostmon_sample(m, &first);
}
