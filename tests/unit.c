/* unit.c — runs every TEST() linked into build/unit, each in its own
 * process, as libuv's test/runner.c does: a failed assertion, a crash or a
 * hang ends that test alone (threads and all), and the suite goes on.
 *
 *   build/unit [--no-fork] [--times] [NAME]
 *
 * NAME runs only the tests whose name contains it (`make unit T=NAME`).
 * --no-fork runs them in this process, one after the other, with no time
 * limit (for a debugger); --times adds each test's wall time to its line.
 * UNIT_TIMEOUT=SECONDS changes the default limit (10 s); a sanitizer build
 * gives every test three times its limit. The last line, "unit: N passed, N failed"
 * (", N skipped" when some were), is what `make test` counts. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

/* What a test's process exits with; anything else (a sanitizer's report
 * exits 1, a leak 23) is a failure, said with its code. */
enum { EXIT_PASS = 0, EXIT_FAIL = 70, EXIT_SKIP = 71 };

enum outcome { OUT_PASS, OUT_FAIL, OUT_SKIP };

struct test_entry {
    const char *name;
    test_fn fn;
    int timeout_s;
};
static struct test_entry *tests;
static int ntests, cap;

void test_register(const char *name, test_fn fn, int timeout_s)
{
    if (ntests == cap) {
        int ncap = cap ? cap * 2 : 256;
        struct test_entry *t = realloc(tests, (size_t)ncap * sizeof *t);
        if (!t) {
            fprintf(stderr, "unit: out of memory registering test %s\n", name);
            exit(2);
        }
        tests = t;
        cap = ncap;
    }
    tests[ntests++] = (struct test_entry){name, fn, timeout_s};
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int default_timeout(void)
{
    const char *e = getenv("UNIT_TIMEOUT");
    return e && atoi(e) > 0 ? atoi(e) : 10;
}

#if defined(__SANITIZE_ADDRESS__)
enum { TIMEOUT_SCALE = 3 }; /* ASan+UBSan run this suite 2-3 times slower */
#else
enum { TIMEOUT_SCALE = 1 };
#endif

static enum outcome run_in_process(const struct test_entry *t)
{
    int f = 0;
    t->fn(&f);
    return f > 0 ? OUT_FAIL : f < 0 ? OUT_SKIP : OUT_PASS;
}

/* Runs t in a child process with SIGCHLD blocked in this one, so that
 * sigtimedwait() wakes at the child's end or at the limit, never later.
 * why receives the reason for a failure the test did not report itself. */
static enum outcome run_forked(const struct test_entry *t, int limit_s, const sigset_t *orig,
                               char *why, size_t whylen)
{
    fflush(NULL); /* else the child would print this process's buffer again */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "(fork: %s)", strerror(errno));
        return OUT_FAIL;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, orig, NULL);
        enum outcome o = run_in_process(t);
        /* exit(), not _exit(): stdio is flushed and LeakSanitizer checks
         * this test's leaks */
        exit(o == OUT_PASS ? EXIT_PASS : o == OUT_SKIP ? EXIT_SKIP : EXIT_FAIL);
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    double deadline = now_s() + limit_s;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            snprintf(why, whylen, "(waitpid: %s)", strerror(errno));
            return OUT_FAIL;
        }
        double left = deadline - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(why, whylen, "(timed out after %ds)", limit_s);
            return OUT_FAIL;
        }
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        sigtimedwait(&chld, NULL, &ts);
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(why, whylen, "(signal %d: SIG%s)", sig, abbrev ? abbrev : "?");
        return OUT_FAIL;
    }
    int code = WEXITSTATUS(status);
    if (code == EXIT_PASS)
        return OUT_PASS;
    if (code == EXIT_SKIP)
        return OUT_SKIP;
    if (code != EXIT_FAIL)
        snprintf(why, whylen, "(exit %d)", code);
    return OUT_FAIL;
}

static int usage(void)
{
    fprintf(stderr, "usage: unit [--no-fork] [--times] [NAME]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int fork_each = 1, times = 0;
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-fork"))
            fork_each = 0;
        else if (!strcmp(argv[i], "--times"))
            times = 1;
        else if (argv[i][0] == '-' || filter)
            return usage();
        else
            filter = argv[i];
    }
    sigset_t chld, orig;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &orig);
    int limit = default_timeout();
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < ntests; i++) {
        const struct test_entry *t = &tests[i];
        if (filter && !strstr(t->name, filter))
            continue;
        char why[96] = "", took[32] = "";
        double t0 = now_s();
        int lim = (t->timeout_s ? t->timeout_s : limit) * TIMEOUT_SCALE;
        enum outcome o = fork_each ? run_forked(t, lim, &orig, why, sizeof why) : run_in_process(t);
        if (times)
            snprintf(took, sizeof took, " (%.0f ms)", (now_s() - t0) * 1e3);
        if (o == OUT_SKIP) {
            printf("skip %s%s\n", t->name, took);
            skipped++;
        } else {
            printf("%s %s%s%s%s\n", o == OUT_PASS ? "ok" : "not ok", t->name, why[0] ? " " : "",
                   why, took);
            if (o == OUT_PASS)
                passed++;
            else
                failed++;
        }
        fflush(stdout);
    }
    printf("unit: %d passed, %d failed", passed, failed);
    if (skipped)
        printf(", %d skipped", skipped);
    printf("\n");
    return failed ? 1 : 0;
}
