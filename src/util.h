/* util.h — small helpers shared by every module: allocation that dies cleanly
 * on OOM, monotonic/wall clocks, duration parsing, a growable string buffer.
 * No globals, no curses, no curl. */
#ifndef LOADTOP_UTIL_H
#define LOADTOP_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* Allocation helpers: never return NULL; on OOM print "loadtop: out of
 * memory" and exit(3). The caller owns the result and frees it with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Block SIGINT, SIGTERM, SIGHUP and SIGUSR1 in the calling thread (and the
 * threads it starts after), and put them in *set: a run's main thread then
 * takes them with sigtimedwait or a signalfd. */
void signals_block(sigset_t *set);

/* Microseconds on CLOCK_MONOTONIC (engine and schedule time base). */
int64_t now_us(void);
/* Microseconds since the Unix epoch (CLOCK_REALTIME), for reports. */
int64_t wall_us(void);

/* Parse a duration: a bare number is seconds ("90", "1.5"); a suffix takes
 * units: "ms", "s", "m", "h" ("250ms", "90s", "2m", "1h"). Returns 0 and
 * stores microseconds in *out, or -1 when the text is not a duration (empty,
 * negative, unknown unit, trailing junk). Pure. */
int parse_duration_us(const char *text, int64_t *out);

/* parse_duration_us with a ceiling: returns 0 (µs in *out), -1 when the
 * text is not a duration (as above, and also "inf", "nan", hex and blanks,
 * which strtod alone would take), or -2 when it is one but longer than
 * `max_us` (including values past int64). Pure. */
int parse_duration_max(const char *text, int64_t max_us, int64_t *out);

/* `s` made fit for a one-line message: copied into dst (size bytes, at
 * least 8) with control characters and DEL written as \n, \r, \t or \xNN,
 * and cut after whole UTF-8 characters with "..." when it does not fit.
 * Returns dst. Pure. */
char *str_clip(char *dst, size_t size, const char *s);

/* Drop an incomplete UTF-8 sequence from the end of `s`, in place: what
 * snprintf leaves when it cuts a string at a byte ("caf\xc3" -> "caf"), so
 * that the text stays valid for jansson, Markdown, HTML and the terminal.
 * Only the last character is looked at: the rest of `s` is taken to be
 * valid UTF-8 (cut text from valid text). Returns s. Pure. */
char *str_trim_utf8(char *s);

/* xorshift64*: the next pseudo-random number from *state (a zero state is
 * replaced by a fixed seed). Deterministic for tests; not for secrets. */
uint64_t rng_next(uint64_t *state);

/* Growable byte buffer, always NUL-terminated. Zero-initialise to start. */
struct buf {
    char *data;
    size_t len, cap;
};
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);
/* Empty b ("" if it has memory), keeping its memory. */
void buf_clear(struct buf *b);
/* Append `s` percent-encoded as Node's querystring does (unreserved
 * A-Z a-z 0-9 - _ . ~ kept); `form` encodes spaces as '+'. */
void buf_urlencode(struct buf *b, const char *s, int form);
/* Append "%XX" for byte ch. */
void buf_pct(struct buf *b, unsigned char ch);

/* Write `len` bytes to `path`. A new path, a regular file or a symlink to
 * one is written atomically: a temp file in the same directory, fsync, then
 * rename(2) (a symlink is replaced, never written through). A device, FIFO
 * or socket, or a symlink to one (/dev/null), is written in place, never
 * replaced; /dev/stdout, /dev/stderr and /dev/fd/N are our own descriptors,
 * written as they are. Returns 0, or -1 with errno set (a regular target is
 * untouched and the temp file removed). */
int write_file_atomic(const char *path, const char *data, size_t len);

/* Read a whole regular file of at most `max` bytes into *out (zeroed by the
 * caller; NUL-terminated, "" for an empty file). Opened non-blocking and
 * checked with fstat before a byte is read, so a FIFO, a device
 * (/dev/zero) or a directory never blocks or fills memory. Returns NULL, or
 * the reason ("not a regular file", "too large", strerror) with *out freed. */
const char *read_file_limited(const char *path, size_t max, struct buf *out);

/* The descriptor `path` names when it is one of ours (/dev/stdout: 1,
 * /dev/stderr: 2, /dev/fd/N, /proc/self/fd/N: N), else -1. */
int own_fd(const char *path);

/* Can write_file_atomic(path) be expected to succeed? Checked before a run
 * so that its results are not lost at the end: the directory exists and is
 * writable, the path is not a directory, a FIFO has a reader. Returns 0, or
 * -1 with a short reason in why[n] ("no such directory: out"). */
int writable_path(const char *path, char *why, size_t n);

/* What byte ch is, for "cannot hold ..." messages ("a space", "control
 * character \x01", "`(`"); `b` (n >= 32 bytes) may hold the answer. */
const char *char_name(unsigned char ch, char *b, size_t n);

/* The reason phrase of an HTTP status ("Not Found"), RFC 9110's for the
 * common codes; NULL for others. The one table: the built-in target says
 * it, the dashboard shows it. */
const char *http_status_reason(int code);

/* `url` with the password of its userinfo replaced ("http://alice:[redacted]@
 * host/"), into out[n] (cut to fit). For anything shown or written: banners,
 * reports, the dashboard. */
void url_redact(char *out, size_t n, const char *url);

/* Is `name` (a header name, any case) one whose value is a credential:
 * Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key,
 * X-Auth-Token? Its value is never written to reports or logs. */
int header_is_secret(const char *name, size_t len);

#endif
