/* util.c — see util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    static const char msg[] = "loadtop: out of memory\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    exit(3); /* not _exit: atexit handlers restore the terminal */
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        oom();
    return s;
}

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int parse_duration_us(const char *text, int64_t *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v < 0)
        return -1;
    double scale = 1e6;
    if (!strcmp(end, "") || !strcmp(end, "s"))
        scale = 1e6;
    else if (!strcmp(end, "ms"))
        scale = 1e3;
    else if (!strcmp(end, "m"))
        scale = 60e6;
    else if (!strcmp(end, "h"))
        scale = 3600e6;
    else
        return -1;
    double us = v * scale;
    if (us > 9.2e18)
        return -1;
    *out = (int64_t)llround(us);
    return 0;
}

void buf_append(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        oom();
    buf_append(b, s, (size_t)r);
    free(s);
}

void buf_pct(struct buf *b, unsigned char ch)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
    buf_append(b, e, 3);
}

void buf_urlencode(struct buf *b, const char *s, int form)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z') ||
            (ch && strchr("-_.~", ch)))
            buf_append(b, s, 1);
        else if (ch == ' ' && form)
            buf_append(b, "+", 1);
        else
            buf_pct(b, ch);
    }
}

uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ULL; /* a zero state would stick at zero */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* A device, FIFO or socket: written through, never renamed over (as root,
 * a rename over /dev/null replaced the device with a file). O_NONBLOCK so
 * that a FIFO without a reader fails (ENXIO) instead of waiting for ever. */
static int write_in_place(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    int rc = write_all(fd, data, len);
    int saved = errno;
    if (close(fd) < 0 && rc == 0)
        return -1;
    errno = saved;
    return rc;
}

/* /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: one of our own
 * descriptors, written as it is (its offset, O_APPEND); a rename would
 * replace the /dev/stdout symlink, a reopen would write from offset 0. */
int own_fd(const char *path)
{
    if (!strcmp(path, "/dev/stdout"))
        return STDOUT_FILENO;
    if (!strcmp(path, "/dev/stderr"))
        return STDERR_FILENO;
    const char *n = !strncmp(path, "/dev/fd/", 8)          ? path + 8
                    : !strncmp(path, "/proc/self/fd/", 14) ? path + 14
                                                           : NULL;
    if (!n || !*n || strspn(n, "0123456789") != strlen(n) || strlen(n) > 6)
        return -1;
    return atoi(n);
}

/* Written in place rather than renamed over: a device, FIFO or socket, or
 * a symlink to one (a symlink to a regular file is replaced, never
 * written through: a planted link must not redirect the report). */
static int in_place(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return 0;
    if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        return 0;
    return 1;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
    int fd0 = own_fd(path);
    if (fd0 >= 0)
        return write_all(fd0, data, len);
    if (in_place(path))
        return write_in_place(path, data, len);
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    if (write_all(fd, data, len) < 0)
        goto fail;
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto fail;
    free(tmp);
    return 0;
fail:;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    errno = saved;
    return -1;
}

const char *read_file_limited(const char *path, size_t max, struct buf *out)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    const char *bad = NULL;
    if (fd < 0 || fstat(fd, &st) < 0)
        bad = strerror(errno);
    else if (S_ISDIR(st.st_mode))
        bad = strerror(EISDIR);
    else if (!S_ISREG(st.st_mode))
        bad = "not a regular file";
    else if ((uint64_t)st.st_size > max)
        bad = "too large";
    char chunk[65536];
    ssize_t k;
    /* the file may grow while it is read: never past the limit */
    while (!bad && out->len <= max && (k = read(fd, chunk, sizeof chunk)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            bad = strerror(errno);
        else
            buf_append(out, chunk, (size_t)k);
    }
    if (!bad && out->len > max)
        bad = "too large";
    if (fd >= 0)
        close(fd);
    if (bad)
        buf_free(out);
    else if (!out->data)
        buf_puts(out, "");
    return bad;
}

int writable_path(const char *path, char *why, size_t n)
{
    struct stat st;
    if (!*path) {
        snprintf(why, n, "empty file name");
        return -1;
    }
    int fd0 = own_fd(path);
    if (fd0 >= 0) {
        int fl = fcntl(fd0, F_GETFL);
        if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
            snprintf(why, n, "descriptor %d is not open for writing", fd0);
            return -1;
        }
        return 0;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(why, n, "is a directory");
            return -1;
        }
        if (in_place(path)) {
            /* written in place: it must open for writing now */
            int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                snprintf(why, n, "%s", errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
                return -1;
            }
            close(fd);
            return 0;
        }
    }
    /* a new file, or a regular one replaced by rename: its directory */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(why, n, "no such directory: %s", dir);
        rc = -1;
    } else {
        /* the temp file write_file_atomic will make: access(2) says yes to
         * root on /proc, and knows nothing of quotas */
        char *tmp = xasprintf("%s/.loadtop-probe.XXXXXX", dir);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            snprintf(why, n, "cannot create a file in %s: %s", dir, strerror(errno));
            rc = -1;
        } else {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
    }
    free(dir);
    return rc;
}

void url_redact(char *out, size_t n, const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : NULL;
    size_t alen = auth ? strcspn(auth, "/?#") : 0;
    const char *at = auth ? memchr(auth, '@', alen) : NULL;
    /* the last '@' of the authority ends the userinfo */
    while (at && memchr(at + 1, '@', alen - (size_t)(at + 1 - auth)))
        at = memchr(at + 1, '@', alen - (size_t)(at + 1 - auth));
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        snprintf(out, n, "%s", url);
        return;
    }
    snprintf(out, n, "%.*s[redacted]%s", (int)(colon + 1 - url), url, at);
}

int header_is_secret(const char *name, size_t len)
{
    static const char *const names[] = {"authorization", "proxy-authorization", "cookie",
                                        "set-cookie",    "x-api-key",           "x-auth-token"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && !strncasecmp(names[i], name, len))
            return 1;
    return 0;
}

int parse_duration_max(const char *text, int64_t max_us, int64_t *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    (void)strtod(text, &end);
    /* strtod also reads "inf", "nan", "0x1p3" and leading blanks */
    for (const char *p = text; p < end; p++)
        if (!strchr("0123456789.eE+-", *p))
            return -1;
    int64_t us;
    if (parse_duration_us(text, &us) == 0) {
        if (us > max_us)
            return -2;
        *out = us;
        return 0;
    }
    /* parse_duration_us also refuses what does not fit in int64: that is "too long" */
    double v = strtod(text, NULL);
    if (end != text && v > 0 &&
        (!*end || !strcmp(end, "s") || !strcmp(end, "ms") || !strcmp(end, "m") ||
         !strcmp(end, "h")))
        return -2;
    return -1;
}

/* The escaped form of byte ch into e (at most 4 bytes); returns its length. */
static size_t clip_char(unsigned char ch, char *e)
{
    static const char hex[] = "0123456789abcdef";
    if (ch == '\n' || ch == '\r' || ch == '\t') {
        e[0] = '\\';
        e[1] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
        return 2;
    }
    if (ch < 0x20 || ch == 0x7f) {
        e[0] = '\\';
        e[1] = 'x';
        e[2] = hex[ch >> 4];
        e[3] = hex[ch & 15];
        return 4;
    }
    e[0] = (char)ch;
    return 1;
}

char *str_clip(char *dst, size_t size, const char *s)
{
    char e[4];
    size_t total = 0, n = 0;
    const char *p;
    for (p = s; *p && total < size; p++)
        total += clip_char((unsigned char)*p, e);
    size_t room = total < size ? size - 1 : size - 4; /* "..." and the NUL */
    for (p = s; *p; p++) {
        size_t len = clip_char((unsigned char)*p, e);
        if (n + len > room)
            break;
        memcpy(dst + n, e, len);
        n += len;
    }
    if (*p && ((unsigned char)*p & 0xc0) == 0x80) {
        /* cut inside a UTF-8 character: drop its first bytes too */
        while (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0x80)
            n--;
        if (n > 0 && (unsigned char)dst[n - 1] >= 0xc0)
            n--;
    }
    if (*p) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
    return dst;
}

char *str_trim_utf8(char *s)
{
    size_t len = strlen(s), lead = len;
    while (lead > 0 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
        lead--;
    if (lead-- == 0)
        return s;
    unsigned char c = (unsigned char)s[lead];
    size_t want = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (len - lead < want)
        s[lead] = '\0';
    return s;
}

static const struct {
    int code;
    const char *text;
} status_reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {413, "Content Too Large"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

const char *http_status_reason(int code)
{
    for (size_t i = 0; i < sizeof status_reasons / sizeof status_reasons[0]; i++)
        if (status_reasons[i].code == code)
            return status_reasons[i].text;
    return NULL;
}

const char *char_name(unsigned char ch, char *b, size_t n)
{
    if (ch == ' ')
        return "a space";
    if (ch == '\t')
        return "a tab";
    if (ch < 0x20 || ch == 0x7f)
        snprintf(b, n, "control character \\x%02x", ch);
    else
        snprintf(b, n, "`%c`", ch);
    return b;
}

void signals_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}
