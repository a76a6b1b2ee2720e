/* ncurses-floor.c — the least a 10 fps ncurses screen can cost on this
 * machine: fill the screen once, then for 100 frames rewrite three numbers,
 * refresh, and wait 100 ms for a key, as any dashboard must. Prints the
 * thread's CPU per frame (µs) to stderr. A benchmark aid for
 * tests/bench/dashboard-cost.sh, not part of `make test`:
 *
 *   cc -O2 -o /tmp/ncurses-floor tests/bench/ncurses-floor.c -lncursesw
 *   taskset -c 1 ./loadtop --headless -q -r 5000 -d 14s URL &   # the same load beside it
 *   tmux new-session -d -x 100 -y 30 'taskset -c 1 /tmp/ncurses-floor 2>/tmp/floor.txt'
 */
#define _POSIX_C_SOURCE 200809L
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <time.h>

static long long thread_cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(void)
{
    const int frames = 100;
    setlocale(LC_ALL, "");
    initscr();
    cbreak();
    noecho();
    typeahead(-1);
    curs_set(0);
    /* as loadtop does: one suspend/resume so that ncurses 6.4 writes once a frame */
    endwin();
    refresh();
    for (int y = 0; y < LINES; y++)
        for (int x = 0; x + 10 < COLS; x += 10)
            mvprintw(y, x, "%9d", y * x);
    refresh();
    long long c0 = thread_cpu_us();
    for (int i = 0; i < frames; i++) {
        for (int k = 0; k < 3; k++)
            mvprintw(5 + k * 7, 20, "%9d", i * 1000 + k);
        refresh();
        timeout(100);
        getch();
    }
    long long c1 = thread_cpu_us();
    endwin();
    fprintf(stderr, "per frame %.1f us\n", (double)(c1 - c0) / frames);
    return 0;
}
