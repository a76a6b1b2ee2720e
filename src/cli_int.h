/* cli_int.h — private to cli.c and cli_value.c: the checks of one option
 * value each, and the guesses about what a user meant. Every check prints
 * "loadtop: NAME: ..." and the --help hint on failure and returns -1. */
#ifndef LOADTOP_CLI_INT_H
#define LOADTOP_CLI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* "loadtop: <message>" and the --help hint on stderr; returns -1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "loadtop: NAME: 'VAL' <predicate>" (VAL clipped, NAME omitted when NULL). */
int cli_bad(const char *name, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Digits only (no sign, blanks or base prefix) in [min, max] into *out. */
int cli_int(const char *name, const char *text, long long min, long long max, long long *out);
/* A positive rate up to ENGINE_MAX_RATE's million a second into *out. */
int cli_rate(const char *name, const char *text, double *out);
/* --shard "I/N" (0 <= I < N <= 1024). I may be left out ("/N", "N") or be
 * "$JOB_COMPLETION_INDEX" or "$(JOB_COMPLETION_INDEX)" left unexpanded: then it is
 * that environment variable's value, as a Kubernetes Indexed Job sets it. */
int cli_shard(const char *name, const char *text, int *index, int *count);
/* A wall time: epoch seconds (fractions allowed) or RFC 3339
 * ("2026-12-07T16:30:00Z", "...+01:00", fractions allowed); µs. */
int cli_time(const char *name, const char *text, int64_t *out);
/* A duration ("500ms", "10s", "2m"), above zero and at most a year, in µs. */
int cli_duration(const char *name, const char *text, int64_t *out);
/* An HTTP method, upper-cased into o->method_buf. */
int cli_method(const char *name, const char *text, struct options *o);
/* "Name: value" with a token name and a one-line value, appended to o->headers. */
int cli_header(const char *name, const char *text, struct options *o);
/* An http(s) URL loadtop may send to (url_check), stored in *out. */
int cli_url(const char *name, const char *text, const char **out);
/* HOST:PORT loadtop watch can reach (a DNS name, IPv4 or [IPv6]); 0 or -1
 * after the message. */
int cli_endpoint(const char *text);
/* ADDR:PORT the built-in target can bind. */
int cli_listen(const char *name, const char *text, const char **out);
/* "localhost:8080/up": a URL without its scheme (not an existing file, not
 * a .yml), as curl takes it. */
int cli_hostlike(const char *s);
/* A number ("100", "2.5"), as hey and oha give after -q. */
int cli_numeric(const char *s);
/* http:// or https:// (any case). */
int cli_is_url(const char *s);
/* Another scheme ("ftp://x"): not a script path either. */
int cli_other_scheme(const char *s);

#endif
