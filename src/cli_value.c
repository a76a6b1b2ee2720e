/* cli_value.c — the checks of one command-line value each (numbers,
 * durations, methods, headers, URLs, addresses) and the guesses about what
 * a user of another tool meant. See cli_int.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <arpa/inet.h>

#include "cli_int.h"
#include "plan.h"
#include "url.h"
#include "util.h"

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loadtop: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'loadtop --help'.\n", stderr);
    va_end(ap);
    return -1;
}

/* "loadtop: NAME: 'VALUE' what..." (NULL name: no "NAME: "); the value
 * clipped and escaped, so that a huge or binary one is never echoed whole. */
int cli_bad(const char *name, const char *val, const char *fmt, ...)
{
    char shown[64];
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadtop: %s%s'%s' ", name ? name : "", name ? ": " : "",
            str_clip(shown, sizeof shown, val));
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'loadtop --help'.\n", stderr);
    va_end(ap);
    return -1;
}

/* Strict: digits only (no sign, no blanks, no base prefix), then a range check. */
int cli_int(const char *name, const char *text, long long min, long long max, long long *out)
{
    const char *what = min > 0 ? "a positive integer" : "a non-negative integer";
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            return cli_bad(name, text, "is not %s", what);
    if (!*text)
        return cli_bad(name, text, "is not %s", what);
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (v < min)
        return cli_bad(name, text, "is not %s", what);
    if (errno == ERANGE || v > max)
        return cli_bad(name, text, "is too large (at most %lld)", max);
    *out = v;
    return 0;
}

int cli_rate(const char *name, const char *text, double *out)
{
    size_t digits = strspn(text, "0123456789.");
    char *end;
    double v = strtod(text, &end);
    if (!*text || digits != strlen(text) || *end || !isfinite(v) || v <= 0)
        return cli_bad(name, text, "is not a positive number");
    /* the schedule counts in µs: a faster rate would put arrivals on one tick */
    if (v > PLAN_MAX_RATE)
        return cli_bad(name, text, "is too large (at most %.0f a second)", PLAN_MAX_RATE);
    *out = v;
    return 0;
}

int cli_duration(const char *name, const char *text, int64_t *out)
{
    int64_t v = 0;
    /* strtod alone would also take " 5", "0x5" or "+5" */
    int r = isdigit((unsigned char)text[0]) || text[0] == '.'
                ? parse_duration_max(text, PLAN_MAX_DURATION_US, &v)
                : -1;
    if (r == -1)
        return cli_bad(name, text, "is not a duration (e.g. 500ms, 10s, 2m, 1h)");
    if (r == -2)
        return cli_bad(name, text, "is too long (at most 8760h, a year)");
    if (v <= 0)
        return cli_bad(name, text, "must be longer than zero");
    *out = v;
    return 0;
}

int cli_method(const char *name, const char *text, struct options *o)
{
    /* An RFC 9110 token would allow more, but letters, '-' and '_' cover real methods. */
    if (!*text || strlen(text) > 32 ||
        strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_") != strlen(text))
        return cli_bad(name, text, "is not an HTTP method");
    free(o->method_buf);
    o->method_buf = xstrdup(text);
    for (char *p = o->method_buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    o->method = o->method_buf;
    return 0;
}

/* 'Name: value': a token, then a value on one line (no header smuggled in). */
int cli_header(const char *name, const char *text, struct options *o)
{
    const char *colon = strchr(text, ':');
    char why[128];
    int at, in_value;
    if (!colon || colon == text || strcspn(text, " \t") < (size_t)(colon - text))
        return cli_bad(name, text, "is not a header (expected 'Name: value')");
    char *hname = xstrndup(text, (size_t)(colon - text));
    int bad = plan_header_check(hname, colon + 1, &at, &in_value, why, sizeof why);
    free(hname);
    if (bad < 0)
        return cli_bad(name, text, "is refused: %s", why);
    if (o->nheaders == PLAN_MAX_HEADERS)
        return cli_fail("%s: more than %d headers (the limit)", name, PLAN_MAX_HEADERS);
    o->headers = xrealloc(o->headers, (size_t)(o->nheaders + 1) * sizeof *o->headers);
    o->headers[o->nheaders++] = text;
    return 0;
}

/* A URL to send to: http(s), a host, a port in 1-65535, nothing to inject. */
int cli_url(const char *name, const char *text, const char **out)
{
    char why[128];
    int at;
    if (url_check(text, &at, why, sizeof why) < 0)
        return cli_bad(name, text, "%s", why);
    *out = text;
    return 0;
}

/* ADDR:PORT as the target takes it: an IPv4 address, [IPv6] or localhost. */
int cli_listen(const char *name, const char *text, const char **out)
{
    const char *colon = strrchr(text, ':');
    const char *port = colon ? colon + 1 : "";
    size_t len = strlen(port), hlen = colon ? (size_t)(colon - text) : 0;
    char host[64] = "", addr[16];
    size_t v6 = text[0] == '[' && hlen > 2 && text[hlen - 1] == ']';
    if (hlen > v6 * 2 && hlen - v6 * 2 < sizeof host)
        memcpy(host, text + v6, hlen - v6 * 2);
    /* the same parse as the target's, so that a bad address is a usage error (2), not 3 */
    int host_ok = !strcmp(host, "localhost") || inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) == 1;
    if (!colon || !host_ok || !len || len > 5 || strspn(port, "0123456789") != len ||
        atol(port) > 65535)
        return cli_bad(name, text, "is not ADDR:PORT (e.g. 127.0.0.1:8080)");
    *out = text;
    return 0;
}

/* HOST:PORT to reach (loadtop watch): a DNS name, an IPv4 address or
 * [IPv6], and a port in 1-65535; nothing else (no scheme, no path). */
int cli_endpoint(const char *text)
{
    const char *colon = strrchr(text, ':');
    size_t hlen = colon ? (size_t)(colon - text) : 0, plen = colon ? strlen(colon + 1) : 0;
    int v6 = hlen > 2 && text[0] == '[' && text[hlen - 1] == ']';
    char addr[16], host[64] = "";
    if (v6 && hlen - 2 < sizeof host)
        memcpy(host, text + 1, hlen - 2);
    int host_ok = v6 ? inet_pton(AF_INET6, host, addr) == 1
                     : hlen > 0 && hlen < 254 &&
                           strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789.-") == hlen;
    long port = plen && plen <= 5 && strspn(colon + 1, "0123456789") == plen ? atol(colon + 1) : 0;
    if (!host_ok || port < 1 || port > 65535)
        return cli_bad("watch", text, "is not HOST:PORT (a --listen address, e.g. 127.0.0.1:9464)");
    return 0;
}

/* "localhost:8080/up", "example.com/x": a URL without its scheme (not a
 * file there, not a .yml). curl takes these as http://. */
int cli_hostlike(const char *s)
{
    struct stat st;
    size_t n = strlen(s), host = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789.-[]");
    if (!host || stat(s, &st) == 0)
        return 0;
    if ((n > 4 && !strcasecmp(s + n - 4, ".yml")) || (n > 5 && !strcasecmp(s + n - 5, ".yaml")))
        return 0;
    const char *p = s + host;
    if (*p == ':') {
        size_t digits = strspn(p + 1, "0123456789");
        if (!digits)
            return 0;
        p += 1 + digits;
    }
    if (*p && !strchr("/?#", *p))
        return 0;
    return p > s + host || memchr(s, '.', host) || !strncmp(s, "localhost", 9);
}

/* A number ("100", "2.5"), as hey and oha take after -q. */
int cli_numeric(const char *s)
{
    return *s && strspn(s, "0123456789.") == strlen(s);
}

int cli_is_url(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* "ftp://...", "ws://...": a URL, but not one loadtop can load-test. */
int cli_other_scheme(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return n > 0 && isalpha((unsigned char)s[0]) && !strncmp(s + n, "://", 3);
}

int cli_shard(const char *name, const char *text, int *index, int *count)
{
    const char *slash = strchr(text, '/');
    const char *ntext = slash ? slash + 1 : text;
    long long n, i;
    if (cli_int(name, ntext, 1, 1024, &n) < 0)
        return -1;
    if (!slash || slash == text || !strncmp(text, "$JOB_COMPLETION_INDEX/", 22) ||
        !strncmp(text, "$(JOB_COMPLETION_INDEX)/", 24)) {
        const char *env = getenv("JOB_COMPLETION_INDEX");
        if (!env || !*env)
            return cli_bad(name, text,
                           "gives no shard index and JOB_COMPLETION_INDEX is not set (use I/N)");
        if (cli_int("JOB_COMPLETION_INDEX", env, 0, n - 1, &i) < 0)
            return -1;
    } else {
        char itext[32];
        size_t len = (size_t)(slash - text);
        if (len >= sizeof itext)
            return cli_bad(name, text, "is not I/N");
        memcpy(itext, text, len);
        itext[len] = 0;
        if (cli_int(name, itext, 0, n - 1, &i) < 0)
            return -1;
    }
    *index = (int)i;
    *count = (int)n;
    return 0;
}

int cli_time(const char *name, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    double secs = strtod(text, &end);
    if (end != text && !*end && errno == 0 && isfinite(secs) && secs > 0 && secs < 4e9) {
        *out = (int64_t)(secs * 1e6);
        return 0;
    }
    /* RFC 3339's exact shape: strptime alone is lenient (spaces, one digit) */
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)text[i])
                            : toupper((unsigned char)text[i]) != shape[i])
            return cli_bad(name, text, "is not epoch seconds or an RFC 3339 time");
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char head[sizeof shape];
    memcpy(head, text, sizeof shape - 1);
    head[sizeof shape - 1] = 0;
    head[10] = 'T'; /* RFC 3339 allows "t" */
    if (strptime(head, "%Y-%m-%dT%H:%M:%S", &tm) != head + sizeof shape - 1)
        return cli_bad(name, text, "is not epoch seconds or an RFC 3339 time");
    const char *p = text + sizeof shape - 1;
    int64_t frac_us = 0;
    if (*p == '.') {
        size_t nd = strspn(p + 1, "0123456789");
        if (nd == 0)
            return cli_bad(name, text, "has a bad fraction of a second");
        for (size_t i = 0, scale = 100000; i < nd && i < 6; i++, scale /= 10)
            frac_us += (p[1 + i] - '0') * (int64_t)scale;
        p += 1 + nd;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
               isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
               isdigit((unsigned char)p[5])) {
        int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
        if (hh > 23 || mm > 59)
            return cli_bad(name, text, "has a bad UTC offset");
        off = (*p == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
        p += 6;
    } else {
        return cli_bad(name, text, "needs a UTC offset (Z or +HH:MM)");
    }
    if (*p)
        return cli_bad(name, text, "has more after the time");
    time_t t = timegm(&tm) - off;
    *out = (int64_t)t * 1000000 + frac_us;
    return 0;
}
