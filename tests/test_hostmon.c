/* test_hostmon.c — /proc parsers on fixed text, and one live sample. */
#include "hostmon.h"
#include "test.h"
#include "util.h"

TEST(hostmon_loadavg)
{
    double l1 = -1, l5 = -1, l15 = -1;
    ASSERT_EQ(hostmon_parse_loadavg("0.32 0.19 0.07 2/93 5556\n", &l1, &l5, &l15), 0);
    ASSERT_NEAR(l1, 0.32, 1e-12);
    ASSERT_NEAR(l5, 0.19, 1e-12);
    ASSERT_NEAR(l15, 0.07, 1e-12);
    ASSERT_EQ(hostmon_parse_loadavg("12.50 8.00 110.25 1/1 1", &l1, &l5, &l15), 0);
    ASSERT_NEAR(l15, 110.25, 1e-12);
}

TEST(hostmon_loadavg_malformed)
{
    double l1, l5, l15;
    ASSERT_EQ(hostmon_parse_loadavg("", &l1, &l5, &l15), -1);
    ASSERT_EQ(hostmon_parse_loadavg("0.32 0.19", &l1, &l5, &l15), -1);
    ASSERT_EQ(hostmon_parse_loadavg("load 0.32 0.19 0.07", &l1, &l5, &l15), -1);
    ASSERT_EQ(hostmon_parse_loadavg("0.32 -0.19 0.07", &l1, &l5, &l15), -1);
}

TEST(hostmon_stat)
{
    uint64_t busy = 0, total = 0;
    /* user nice system idle iowait irq softirq steal guest guest_nice */
    const char *text = "cpu  3987 5 2401 78480 314 7 48 10 100 2\n"
                       "cpu0 1268 0 1044 40253 31 0 14 3 0 0\n"
                       "intr 12345\n";
    ASSERT_EQ(hostmon_parse_stat(text, &busy, &total), 0);
    ASSERT_EQ(busy, 3987 + 5 + 2401 + 7 + 48 + 10);
    ASSERT_EQ(total, 3987 + 5 + 2401 + 7 + 48 + 10 + 78480 + 314);
}

TEST(hostmon_stat_short_line)
{
    /* Old kernels: only user nice system idle; fields stop at the newline. */
    uint64_t busy = 0, total = 0;
    ASSERT_EQ(hostmon_parse_stat("cpu 10 20 30 40\ncpu0 1 2 3 4 5 6 7 8\n", &busy, &total), 0);
    ASSERT_EQ(busy, 60);
    ASSERT_EQ(total, 100);
}

TEST(hostmon_stat_malformed)
{
    uint64_t busy, total;
    ASSERT_EQ(hostmon_parse_stat("", &busy, &total), -1);
    ASSERT_EQ(hostmon_parse_stat("cpu0 1 2 3 4 5 6 7 8\n", &busy, &total), -1);
    ASSERT_EQ(hostmon_parse_stat("cpu 1 2 3\ncpu0 4 5 6 7\n", &busy, &total), -1);
    ASSERT_EQ(hostmon_parse_stat("cpu x y z w\n", &busy, &total), -1);
}

TEST(hostmon_meminfo)
{
    uint64_t total = 0, used = 0;
    const char *text = "MemTotal:       24683656 kB\n"
                       "MemFree:        23340592 kB\n"
                       "MemAvailable:   24281536 kB\n"
                       "Buffers:           12345 kB\n";
    ASSERT_EQ(hostmon_parse_meminfo(text, &total, &used), 0);
    ASSERT_EQ(total, 24683656);
    ASSERT_EQ(used, 24683656 - 24281536);
}

TEST(hostmon_meminfo_malformed)
{
    uint64_t total, used;
    ASSERT_EQ(hostmon_parse_meminfo("", &total, &used), -1);
    ASSERT_EQ(hostmon_parse_meminfo("MemTotal: 1000 kB\nMemFree: 500 kB\n", &total, &used), -1);
    ASSERT_EQ(hostmon_parse_meminfo("MemAvailable: 500 kB\n", &total, &used), -1);
    ASSERT_EQ(hostmon_parse_meminfo("MemTotal: kB\nMemAvailable: 5 kB\n", &total, &used), -1);
    /* A key in the middle of a line is not the key. */
    ASSERT_EQ(hostmon_parse_meminfo("XMemTotal: 1000 kB\nMemAvailable: 5 kB\n", &total, &used), -1);
}

TEST(hostmon_self_stat)
{
    uint64_t cpu = 0;
    /* utime = 1500 (field 14), stime = 250 (field 15); 16+ must be ignored. */
    ASSERT_EQ(hostmon_parse_self_stat("5559 (cat) R 5513 5513 2564 0 -1 4194304 98 0 0 0 "
                                      "1500 250 7 9 20 0 1 0 42837\n",
                                      &cpu),
              0);
    ASSERT_EQ(cpu, 1750);
}

TEST(hostmon_self_stat_weird_comm)
{
    uint64_t cpu = 0;
    ASSERT_EQ(hostmon_parse_self_stat("1234 (my (weird) prog) S 1 1234 1234 0 -1 4194560 10 0 0 0 "
                                      "31 42 0 0 20 0 1 0 100\n",
                                      &cpu),
              0);
    ASSERT_EQ(cpu, 73);
    ASSERT_EQ(hostmon_parse_self_stat("77 (a) b) 1 2 3) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0\n", &cpu),
              0);
    ASSERT_EQ(cpu, 11);
}

TEST(hostmon_self_stat_malformed)
{
    uint64_t cpu;
    ASSERT_EQ(hostmon_parse_self_stat("", &cpu), -1);
    ASSERT_EQ(hostmon_parse_self_stat("1234 cat R 1 2 3 4 5 6 7 8 9 10 11 12", &cpu), -1);
    ASSERT_EQ(hostmon_parse_self_stat("1234 )cat( R 1 2 3 4 5 6 7 8 9 10 11 12", &cpu), -1);
    /* Cut after utime. */
    ASSERT_EQ(hostmon_parse_self_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 31", &cpu), -1);
    ASSERT_EQ(hostmon_parse_self_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 42", &cpu), -1);
}

TEST(hostmon_live_sample)
{
    struct hostmon m;
    struct host_sample s;
    hostmon_init(&m);
    ASSERT_EQ(m.primed, 1);

    int64_t until = now_us() + 200000;
    volatile uint64_t spin = 0;
    while (now_us() < until)
        spin++;
    hostmon_sample(&m, &s);

    ASSERT(s.load1 >= 0 && s.load5 >= 0 && s.load15 >= 0);
    ASSERT(s.mem_total_kb > 0);
    ASSERT(s.mem_used_kb > 0 && s.mem_used_kb <= s.mem_total_kb);
    ASSERT(s.ncpu >= 1);
    ASSERT(s.fds_open >= 3); /* stdin, stdout, stderr */
    ASSERT(s.fds_limit >= s.fds_open);
    ASSERT(s.cpu_pct > 0 && s.cpu_pct <= 100);
    ASSERT(s.self_cpu_pct > 30);
    ASSERT(s.self_cpu_pct < 100.0 * s.ncpu + 20);
}

TEST(hostmon_unprimed_sample_has_no_cpu)
{
    struct hostmon m = {0};
    struct host_sample s;
    hostmon_sample(&m, &s);
    ASSERT_EQ(s.cpu_pct, 0);
    ASSERT_EQ(s.self_cpu_pct, 0);
    ASSERT_EQ(m.primed, 1);
    ASSERT(m.prev_total > 0 && m.prev_at > 0);
}

TEST(hostmon_statm)
{
    uint64_t pages = 0;
    ASSERT_EQ(hostmon_parse_statm("26894 5802 1443 458 0 21310 0\n", &pages), 0);
    ASSERT_EQ(pages, 5802);
    ASSERT_EQ(hostmon_parse_statm("", &pages), -1);
    ASSERT_EQ(hostmon_parse_statm("12", &pages), -1);
}
