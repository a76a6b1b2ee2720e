/* url.h — which URLs the engine's transport may be handed, decided by the
 * parser that will use them (libcurl's), for the script loader and the
 * command line to refuse the others before anything is sent. Pure: no I/O
 * (libcurl's URL API allocates, nothing else). */
#ifndef LOADTOP_URL_H
#define LOADTOP_URL_H

#include <stddef.h>

/* Is `url` a URL loadtop may send to? http:// or https:// (any case), a
 * host, a port (when given) in 1-65535, and no control character, space or
 * DEL anywhere. Returns 0, or -1 with the reason in why (n bytes), a
 * predicate to put after what the URL is ("has no host", "cannot hold a
 * space (write %20)"; it never quotes the URL), and in *at the 0-based
 * byte offset of the fault, or -1 when it has no one place. */
int url_check(const char *url, int *at, char *why, size_t n);

#endif
