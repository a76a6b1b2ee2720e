/* errclass.h — names a failed request the way Artillery (Node) does:
 * ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EADDRNOTAVAIL,
 * EMFILE, ... TLS failures by cause; anything else by its curl code name.
 * Pure: a function of its arguments; it does not include curl.h (the curl
 * code is passed as an int). */
#ifndef LOADTOP_ERRCLASS_H
#define LOADTOP_ERRCLASS_H

/* Name for a transfer that ended with libcurl code `curl_code` (a CURLcode,
 * != 0), OS errno `os_errno` (CURLINFO_OS_ERRNO; 0 if unknown) and libcurl's
 * message `detail` (CURLOPT_ERRORBUFFER; NULL or "" if none: 7.88 gives
 * one code to a malformed response and to other causes, and only the
 * message tells them apart). Returns a static string such as "ECONNRESET",
 * "ERR_BAD_RESPONSE" or "CURLE_SSL_CACERT" (never NULL). */
const char *errclass_name(int curl_code, int os_errno, const char *detail);

/* One-line, human explanation of an error name ("connection reset by the
 * server"), or NULL for names it does not know. Static string. */
const char *errclass_describe(const char *name);

#endif
