/* cookies.c — a VU's cookie jar for the native transport (see cookies.h). */
#include "cookies.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

static void cookie_free(struct cookie *c)
{
    free(c->name);
    free(c->value);
    free(c->domain);
    free(c->path);
}

void jar_clear(struct jar *j)
{
    for (int i = 0; i < j->n; i++)
        cookie_free(&j->c[i]);
    j->n = 0;
}

void jar_free(struct jar *j)
{
    jar_clear(j);
    free(j->c);
    j->c = NULL;
    j->cap = 0;
}

static void remove_at(struct jar *j, int i)
{
    cookie_free(&j->c[i]);
    memmove(&j->c[i], &j->c[i + 1], (size_t)(j->n - i - 1) * sizeof *j->c);
    j->n--;
}

/* Store c (taking its strings): replaces the cookie of the same name,
 * domain and path; a cookie already expired only deletes. */
static void store(struct jar *j, struct cookie c, int64_t now)
{
    for (int i = 0; i < j->n; i++)
        if (!strcmp(j->c[i].name, c.name) && !strcasecmp(j->c[i].domain, c.domain) &&
            !strcmp(j->c[i].path, c.path)) {
            remove_at(j, i);
            break;
        }
    if (c.expires && c.expires <= now) {
        cookie_free(&c);
        return;
    }
    if (j->n == JAR_MAX)
        remove_at(j, 0);
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 8;
        j->c = xrealloc(j->c, (size_t)j->cap * sizeof *j->c);
    }
    j->c[j->n++] = c;
}

static char *trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* Does `host` belong to `domain` (itself, or a name under it)? An IP
 * address has no names under it: only itself (RFC 6265 5.1.3, libcurl). */
static int domain_match(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);
    struct in_addr a4;
    if (h == d || strchr(host, ':') || inet_pton(AF_INET, host, &a4) == 1)
        return !strcasecmp(host, domain);
    return h > d && host[h - d - 1] == '.' && !strcasecmp(host + h - d, domain);
}

/* The directory of a request path ("/a/b" -> "/a", "/a" -> "/"). */
static char *default_path(const char *path)
{
    size_t n = path ? strcspn(path, "?#") : 0;
    if (!n || path[0] != '/')
        return xstrdup("/");
    const char *last = path + n;
    while (last > path && last[-1] != '/')
        last--;
    size_t keep = (size_t)(last - path);
    return keep <= 1 ? xstrdup("/") : xstrndup(path, keep - 1);
}

void jar_set_cookie(struct jar *j, const char *host, const char *path, const char *value,
                    int64_t now)
{
    size_t first = strcspn(value, ";");
    const char *eq = memchr(value, '=', first);
    if (!eq)
        return;
    struct cookie c = {.name = trimmed(value, (size_t)(eq - value)),
                       .value = trimmed(eq + 1, first - (size_t)(eq - value) - 1),
                       .host_only = 1};
    if (!*c.name) {
        cookie_free(&c);
        return;
    }
    int has_max_age = 0;
    for (const char *a = value + first; *a == ';';) {
        a++;
        size_t n = strcspn(a, ";");
        const char *aeq = memchr(a, '=', n);
        char *key = trimmed(a, aeq ? (size_t)(aeq - a) : n);
        char *val = aeq ? trimmed(aeq + 1, n - (size_t)(aeq - a) - 1) : xstrdup("");
        if (!strcasecmp(key, "domain") && *val) {
            free(c.domain);
            c.domain = xstrdup(val[0] == '.' ? val + 1 : val);
            c.host_only = 0;
        } else if (!strcasecmp(key, "path") && val[0] == '/') {
            free(c.path);
            c.path = xstrdup(val);
        } else if (!strcasecmp(key, "max-age")) {
            char *end;
            long long s = strtoll(val, &end, 10);
            if (end != val && !*end) {
                /* RFC 6265 5.2.2: too far ahead is the latest time there is */
                c.expires = s <= 0 ? 1 : s > INT64_MAX - now ? INT64_MAX : now + s;
                has_max_age = 1;
            }
        } else if (!strcasecmp(key, "expires") && !has_max_age) {
            /* libcurl's date parser takes every form cookies come in
             * (two-digit years, asctime); one before 1970 it refuses */
            time_t ct = curl_getdate(val, NULL);
            struct tm tm = {0};
            if (ct != -1) {
                c.expires = ct > 0 ? (int64_t)ct : 1;
            } else if (strptime(val, "%a, %d %b %Y %H:%M:%S", &tm) ||
                       strptime(val, "%a, %d-%b-%Y %H:%M:%S", &tm)) {
                int64_t t = (int64_t)timegm(&tm);
                c.expires = t > 0 ? t : 1;
            }
        } else if (!strcasecmp(key, "secure")) {
            c.secure = 1;
        }
        free(key);
        free(val);
        a += n;
    }
    if (c.domain && !domain_match(host, c.domain)) { /* another site's: refused */
        cookie_free(&c);
        return;
    }
    if (!c.domain)
        c.domain = xstrdup(host);
    if (!c.path)
        c.path = default_path(path);
    store(j, c, now);
}

void jar_put(struct jar *j, const char *host, const char *name_value)
{
    const char *eq = strchr(name_value, '=');
    if (!eq || eq == name_value)
        return;
    struct cookie c = {.name = xstrndup(name_value, (size_t)(eq - name_value)),
                       .value = xstrdup(eq + 1),
                       .domain = xstrdup(host),
                       .path = xstrdup("/"),
                       .host_only = 1};
    store(j, c, 0);
}

/* RFC 6265 5.1.4: the cookie's path is the request's, or a directory of it. */
static int path_match(const char *req, const char *cp)
{
    size_t n = strlen(cp), r = strcspn(req, "?#");
    if (strncmp(req, cp, n) || r < n)
        return 0;
    return r == n || cp[n - 1] == '/' || req[n] == '/';
}

int jar_header(const struct jar *j, const char *host, const char *path, int64_t now,
               struct buf *out)
{
    int k = 0;
    const char *p = path && *path == '/' ? path : "/";
    for (int i = 0; i < j->n; i++) {
        const struct cookie *c = &j->c[i];
        if (c->secure || (c->expires && c->expires <= now))
            continue;
        if (c->host_only ? strcasecmp(host, c->domain) : !domain_match(host, c->domain))
            continue;
        if (!path_match(p, c->path))
            continue;
        buf_printf(out, "%s%s=%s", k++ ? "; " : "", c->name, c->value);
    }
    return k;
}

void jar_netscape(const struct cookie *c, struct buf *out)
{
    buf_printf(out, "%s\t%s\t%s\t%s\t%lld\t%s\t%s", c->domain, c->host_only ? "FALSE" : "TRUE",
               c->path, c->secure ? "TRUE" : "FALSE", (long long)c->expires, c->name, c->value);
}

void jar_set_netscape(struct jar *j, const char *line, int64_t now)
{
    if (!strncmp(line, "#HttpOnly_", 10))
        line += 10;
    const char *f[7];
    size_t len[7];
    for (int i = 0; i < 7; i++) {
        f[i] = line;
        len[i] = i < 6 ? strcspn(line, "\t") : strlen(line);
        if (i < 6 && line[len[i]] != '\t')
            return;
        line += len[i] + 1;
    }
    if (!len[0] || !len[2] || !len[5] || f[0][0] == '#')
        return;
    const char *domain = f[0][0] == '.' ? f[0] + 1 : f[0];
    struct cookie c = {.domain = xstrndup(domain, len[0] - (size_t)(domain - f[0])),
                       .host_only = strncmp(f[1], "TRUE", 4) != 0,
                       .path = xstrndup(f[2], len[2]),
                       .secure = !strncmp(f[3], "TRUE", 4),
                       .expires = strtoll(f[4], NULL, 10),
                       .name = xstrndup(f[5], len[5]),
                       .value = xstrndup(f[6], len[6])};
    if (c.expires < 0)
        c.expires = 1;
    store(j, c, now);
}
