/* accept-count.c — a listener that only counts, for tests/refuse.sh: a
 * refused script or command line must never open a connection.
 *
 *   accept-count COUNT_FILE [SECONDS]
 *
 * Listens on 127.0.0.1 on a free port, prints the port on stdout, and
 * appends one byte to COUNT_FILE for every connection it accepts (closed
 * at once), so that the file's size is the count. Ends on SIGTERM or
 * SIGINT, or after SECONDS (default 120), so that it never outlives a
 * suite that forgot it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: accept-count COUNT_FILE [SECONDS]\n");
        return 2;
    }
    int seconds = argc > 2 ? atoi(argv[2]) : 120;
    int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (out < 0 || s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 64) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0) {
        perror("accept-count");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    while (!stop && time(NULL) < end) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        close(c);
        if (write(out, "x", 1) != 1)
            perror("accept-count");
    }
    close(s);
    close(out);
    return 0;
}
