/* ncurses-floor.c — what curses' refresh costs a 10 fps screen on this
 * machine, against the bare write underneath it. Fills the screen once, then
 * for 100 frames rewrites three numbers and waits 100 ms for a key, as any
 * dashboard must. By default curses draws them (mvprintw, refresh: curses
 * diffs the screen, hashes its lines, expands tparm strings); with --raw the
 * same bytes go out as one write() of cursor moves and digits, as
 * ui/ui_term.c sends a frame. Prints the thread's CPU per frame (µs) to
 * stderr. A benchmark aid for tests/bench/dashboard-cost.sh, not part of
 * `make test`:
 *
 *   cc -O2 -o /tmp/ncurses-floor tests/bench/ncurses-floor.c -lncursesw
 *   taskset -c 1 ./loadtop --headless -q -r 5000 -d 14s URL &   # the same load beside it
 *   tmux new-session -d -x 100 -y 30 'taskset -c 1 /tmp/ncurses-floor [--raw] 2>/tmp/floor.txt'
 */
#define _POSIX_C_SOURCE 200809L
#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long thread_cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    const int frames = 100;
    int raw = argc > 1 && !strcmp(argv[1], "--raw");
    setlocale(LC_ALL, "");
    initscr();
    cbreak();
    noecho();
    typeahead(-1);
    curs_set(0);
    /* as loadtop did: one suspend/resume so that ncurses 6.4 writes once a frame */
    endwin();
    refresh();
    for (int y = 0; y < LINES; y++)
        for (int x = 0; x + 10 < COLS; x += 10)
            mvprintw(y, x, "%9d", y * x);
    refresh();
    long long c0 = thread_cpu_us();
    for (int i = 0; i < frames; i++) {
        if (raw) {
            char b[256];
            int n = 0;
            for (int k = 0; k < 3; k++)
                n += snprintf(b + n, sizeof b - (size_t)n, "\033[%d;21H%9d", 6 + k * 7,
                              i * 1000 + k);
            if (write(STDOUT_FILENO, b, (size_t)n) < 0)
                break;
            struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
            if (poll(&p, 1, 100) > 0)
                getch();
        } else {
            for (int k = 0; k < 3; k++)
                mvprintw(5 + k * 7, 20, "%9d", i * 1000 + k);
            refresh();
            timeout(100);
            getch();
        }
    }
    long long c1 = thread_cpu_us();
    endwin();
    fprintf(stderr, "%s: per frame %.1f us\n", raw ? "raw write" : "curses refresh",
            (double)(c1 - c0) / frames);
    return 0;
}
