/* h1.h — reads HTTP/1.x responses from a byte stream with llhttp (Node's
 * parser, compiled from Debian's node-llhttp): status, version, body
 * length by Content-Length, chunked (extensions and trailers) or the
 * connection's end; no body after HEAD, 204, 304; 1xx interim responses
 * skipped; back-to-back responses left for the next read. Headers and
 * body are kept only when asked, each up to a bound. As lenient as
 * libcurl where llhttp lets it be (bare LF, Transfer-Encoding with
 * Content-Length). Limits, as libcurl's: a response head over
 * H1_MAX_HEAD bytes or a header line over H1_MAX_LINE; and a body over
 * max_body. Pure: no I/O, no clock; the caller owns the bytes. */
#ifndef LOADTOP_H1_H
#define LOADTOP_H1_H

#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

#include "util.h"

#define H1_MAX_HEAD (300u << 10) /* a whole head, as libcurl 7.88 (ERR_HEADERS_TOO_LARGE) */
#define H1_MAX_LINE (100u << 10) /* one header line, as libcurl's header buffer */
#define H1_MAX_LOCATION 8192     /* a longer Location is not followed */

enum h1_state {
    H1_MORE,       /* the response is not complete: feed more */
    H1_DONE,       /* a complete response */
    H1_BAD,        /* not HTTP/1.x (why in h1.why): ERR_BAD_RESPONSE */
    H1_HEAD_LARGE, /* the head passed H1_MAX_HEAD: ERR_HEADERS_TOO_LARGE */
    H1_BODY_LARGE, /* the body passed max_body: ERR_RESPONSE_TOO_LARGE */
    H1_CUT,        /* the connection ended before the response did: ECONNRESET */
};

struct h1 {
    llhttp_t p;
    enum h1_state state;
    int head_req;      /* the request was HEAD: no body, whatever the headers say */
    int keep;          /* keep the header lines and the body */
    uint64_t max_body; /* 0: no limit */
    size_t kept_max;   /* keep: each kept up to this many bytes */
    int status;        /* of the final response; 0 until its status line is read */
    int version;       /* 10 or 11 */
    int keep_alive;    /* H1_DONE: the connection may carry another request */
    int started;       /* a byte of the response has been read */
    size_t head_bytes; /* of the response head so far */
    size_t line_bytes; /* of the header line being read */
    uint64_t bytes;    /* body bytes */
    struct buf hdrs;   /* keep: "Name: value\r\n" lines of the final response */
    struct buf body;   /* keep: the body (cut at kept_max) */
    int in_value;      /* a header value is being read (for the line breaks) */
    char field[16];    /* the header being read, lower case, cut (to find Location) */
    size_t field_len;
    struct buf location; /* the final response's Location (empty if none; allocated only
                            when one comes, cut past H1_MAX_LOCATION: not followed) */
    int want_cookies;    /* set after h1_begin: collect the Set-Cookie values */
    struct buf cookies;  /* want_cookies: each Set-Cookie value and a '\n' */
    const char *why;     /* H1_BAD: llhttp's reason */
};

/* Ready `r` for the response to one request (`head_req`: a HEAD). The kept
 * buffers are emptied but keep their memory. */
void h1_begin(struct h1 *r, int head_req, int keep, uint64_t max_body, size_t kept_max);
/* Read n bytes of the stream. Returns how many belong to this response
 * (fewer than n when it completed and more follows: the next response's);
 * r->state says where it stands. */
size_t h1_feed(struct h1 *r, const char *data, size_t n);
/* The connection ended (EOF): completes a response whose body runs to the
 * end of the connection (H1_DONE), else H1_CUT. Returns r->state. */
enum h1_state h1_eof(struct h1 *r);
/* Free the kept buffers. */
void h1_free(struct h1 *r);

#endif
