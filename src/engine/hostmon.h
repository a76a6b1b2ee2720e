/* hostmon.h — what the host and loadtop itself are doing, read from /proc:
 * load average, CPU %, memory, loadtop's own CPU %, open fds vs the limit.
 * CPU figures are deltas between two samples, so call hostmon_sample()
 * periodically (about once a second) on one thread. The parse functions are
 * pure and take the file's text, so they are unit-tested without /proc. */
#ifndef LOADTOP_HOSTMON_H
#define LOADTOP_HOSTMON_H

#include <stdint.h>

struct host_sample {
    double load1, load5, load15;
    double cpu_pct;                     /* whole host, 0..100, since the previous sample */
    double self_cpu_pct;                /* loadtop's own CPU, 100 = one full core */
    double worker_cpu_pct;              /* its busiest worker thread's CPU, % of one core;
                                           filled by the engine (hostmon leaves it 0) */
    int busiest_worker;                 /* that worker's index */
    uint64_t mem_total_kb, mem_used_kb; /* used = MemTotal - MemAvailable */
    int ncpu;
    int fds_open;
    int fds_limit;        /* RLIMIT_NOFILE soft limit */
    uint64_t self_rss_kb; /* loadtop's resident memory */
};

struct hostmon {
    uint64_t prev_busy, prev_total; /* /proc/stat jiffies */
    uint64_t prev_self;             /* utime + stime jiffies */
    int64_t prev_at;                /* µs, monotonic */
    int fds_open;                   /* last count of /proc/self/fd */
    unsigned nsamples;
    int primed;
};

/* Prepare `m` and take a first baseline sample. */
void hostmon_init(struct hostmon *m);
/* Read /proc now; fill `out`. Missing files leave their fields at 0. */
void hostmon_sample(struct hostmon *m, struct host_sample *out);

/* Pure parsers (return 0 on success, -1 if the text is not as expected). */
int hostmon_parse_loadavg(const char *text, double *l1, double *l5, double *l15);
int hostmon_parse_stat(const char *text, uint64_t *busy, uint64_t *total);
int hostmon_parse_meminfo(const char *text, uint64_t *total_kb, uint64_t *used_kb);
/* utime + stime (jiffies) from /proc/self/stat text (comm may hold spaces). */
int hostmon_parse_self_stat(const char *text, uint64_t *cpu_jiffies);
/* Resident pages (the second field) from /proc/self/statm text. */
int hostmon_parse_statm(const char *text, uint64_t *rss_pages);

#endif
