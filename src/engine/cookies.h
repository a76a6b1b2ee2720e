/* cookies.h — a VU's cookie jar for the native transport, as a browser's
 * (RFC 6265, the parts load tests meet): Set-Cookie stores name=value for
 * the response's host (or a Domain it belongs to) and a Path (the
 * request's directory by default); Max-Age and Expires end a cookie (a
 * past one deletes it); Secure cookies stay off plain http://. A request
 * carries "Cookie: a=1; b=2" with every cookie whose host and path match.
 * Pure: no I/O; the caller gives the time. */
#ifndef LOADTOP_COOKIES_H
#define LOADTOP_COOKIES_H

#include <stdint.h>

#include "util.h"

#define JAR_MAX 200 /* cookies a VU keeps; more replace the oldest */

struct cookie {
    char *name, *value, *domain, *path;
    int host_only; /* no Domain attribute: this host exactly */
    int secure;
    int64_t expires; /* seconds since the epoch; 0 = with the session */
};

struct jar {
    struct cookie *c;
    int n, cap;
};

/* Empty the jar (a new VU), keeping its memory. */
void jar_clear(struct jar *j);
void jar_free(struct jar *j);
/* Store the cookie of one Set-Cookie value received from `host` for a
 * request to `path` at time `now` (seconds). Malformed ones are ignored,
 * as browsers do. */
void jar_set_cookie(struct jar *j, const char *host, const char *path, const char *value,
                    int64_t now);
/* Add "name=value" (the cookie: option of a step) for `host`, path "/". */
void jar_put(struct jar *j, const char *host, const char *name_value);
/* Append c as a line of libcurl's (Netscape) cookie file, without the
 * newline: "domain TRUE|FALSE path TRUE|FALSE expires name value", tabs
 * between; the form CURLOPT_COOKIELIST takes. */
void jar_netscape(const struct cookie *c, struct buf *out);
/* Store the cookie of one such line (CURLINFO_COOKIELIST gives them, with
 * "#HttpOnly_" before the domain of an HttpOnly one), replacing the one
 * of the same name, domain and path. Malformed lines are ignored. */
void jar_set_netscape(struct jar *j, const char *line, int64_t now);
/* Append the cookies for a request to host/path at `now` as "a=1; b=2"
 * to `out` (nothing when none match). Returns how many. */
int jar_header(const struct jar *j, const char *host, const char *path, int64_t now,
               struct buf *out);

#endif
