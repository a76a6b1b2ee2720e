/* url.c — see url.h. */
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "util.h"

int url_check(const char *url, int *at, char *why, size_t n)
{
    char b[32];
    *at = -1;
    for (const char *p = url; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch == 0x7f) {
            *at = (int)(p - url);
            if (ch == '\r' || ch == '\n')
                snprintf(why, n, "cannot hold a line break");
            else
                snprintf(why, n, "cannot hold %s%s", char_name(ch, b, sizeof b),
                         ch == ' ' ? " (write %20)" : "");
            return -1;
        }
    }
    size_t skip = !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
    if (!skip) {
        *at = 0;
        snprintf(why, n, "must start with http:// or https://");
        return -1;
    }
    const char *host = url + skip, *end = host + strcspn(host, "/?#");
    if (host == end || *host == ':' || *host == '@') {
        *at = (int)skip;
        snprintf(why, n, "has no host");
        return -1;
    }
    /* libcurl parses the port; this finds where it starts, for the column: after the
     * authority's last ':' that is not inside [IPv6] */
    const char *user = memchr(host, '@', (size_t)(end - host)), *hp = user ? user + 1 : host;
    const char *v6 = *hp == '[' ? memchr(hp, ']', (size_t)(end - hp)) : NULL;
    const char *colon = NULL;
    for (const char *p = v6 ? v6 : hp; p < end; p++)
        if (*p == ':')
            colon = p;
    CURLU *u = curl_url();
    if (!u) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    char *port = NULL;
    if (!rc && colon && colon + 1 < end)
        curl_url_get(u, CURLUPART_PORT, &port, 0);
    int bad_port = rc == CURLUE_BAD_PORT_NUMBER || (port && atol(port) == 0);
    curl_free(port);
    curl_url_cleanup(u);
    if (bad_port) {
        *at = colon ? (int)(colon + 1 - url) : -1;
        snprintf(why, n, "has a port outside 1-65535");
        return -1;
    }
    if (rc) {
        snprintf(why, n, "is not a valid URL (%s)", curl_url_strerror(rc));
        return -1;
    }
    return 0;
}
