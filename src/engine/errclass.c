/* errclass.c — see errclass.h. Names follow Node/Artillery; where libcurl
 * lumps together causes Node tells apart, we pick the name of the common case
 * and say so below. */
#include "errclass.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* CURLcode numbers, from libcurl 7.88's curl.h. The enum is ABI (a code
 * keeps its number across versions), so a private copy keeps this module
 * free of curl.h; tests/test_errclass.c checks it against the real enum. */
enum {
    CC_UNSUPPORTED_PROTOCOL = 1,
    CC_COULDNT_RESOLVE_PROXY = 5,
    CC_COULDNT_RESOLVE_HOST = 6,
    CC_COULDNT_CONNECT = 7,
    CC_WEIRD_SERVER_REPLY = 8,
    CC_PARTIAL_FILE = 18,
    CC_OUT_OF_MEMORY = 27,
    CC_OPERATION_TIMEDOUT = 28,
    CC_SSL_CONNECT_ERROR = 35,
    CC_TOO_MANY_REDIRECTS = 47,
    CC_GOT_NOTHING = 52,
    CC_SEND_ERROR = 55,
    CC_RECV_ERROR = 56,
    CC_PEER_FAILED_VERIFICATION = 60,
    CC_FILESIZE_EXCEEDED = 63,
};

/* Generated from the CURLcode enum of curl.h 7.88.1 (index = value). */
/* clang-format off */
static const char *const curle_names[] = {
    "CURLE_OK", "CURLE_UNSUPPORTED_PROTOCOL", "CURLE_FAILED_INIT", "CURLE_URL_MALFORMAT",
    "CURLE_NOT_BUILT_IN", "CURLE_COULDNT_RESOLVE_PROXY", "CURLE_COULDNT_RESOLVE_HOST",
    "CURLE_COULDNT_CONNECT", "CURLE_WEIRD_SERVER_REPLY", "CURLE_REMOTE_ACCESS_DENIED",
    "CURLE_FTP_ACCEPT_FAILED", "CURLE_FTP_WEIRD_PASS_REPLY", "CURLE_FTP_ACCEPT_TIMEOUT",
    "CURLE_FTP_WEIRD_PASV_REPLY", "CURLE_FTP_WEIRD_227_FORMAT", "CURLE_FTP_CANT_GET_HOST",
    "CURLE_HTTP2", "CURLE_FTP_COULDNT_SET_TYPE", "CURLE_PARTIAL_FILE",
    "CURLE_FTP_COULDNT_RETR_FILE", "CURLE_OBSOLETE20", "CURLE_QUOTE_ERROR",
    "CURLE_HTTP_RETURNED_ERROR", "CURLE_WRITE_ERROR", "CURLE_OBSOLETE24", "CURLE_UPLOAD_FAILED",
    "CURLE_READ_ERROR", "CURLE_OUT_OF_MEMORY", "CURLE_OPERATION_TIMEDOUT", "CURLE_OBSOLETE29",
    "CURLE_FTP_PORT_FAILED", "CURLE_FTP_COULDNT_USE_REST", "CURLE_OBSOLETE32", "CURLE_RANGE_ERROR",
    "CURLE_HTTP_POST_ERROR", "CURLE_SSL_CONNECT_ERROR", "CURLE_BAD_DOWNLOAD_RESUME",
    "CURLE_FILE_COULDNT_READ_FILE", "CURLE_LDAP_CANNOT_BIND", "CURLE_LDAP_SEARCH_FAILED",
    "CURLE_OBSOLETE40", "CURLE_FUNCTION_NOT_FOUND", "CURLE_ABORTED_BY_CALLBACK",
    "CURLE_BAD_FUNCTION_ARGUMENT", "CURLE_OBSOLETE44", "CURLE_INTERFACE_FAILED", "CURLE_OBSOLETE46",
    "CURLE_TOO_MANY_REDIRECTS", "CURLE_UNKNOWN_OPTION", "CURLE_SETOPT_OPTION_SYNTAX",
    "CURLE_OBSOLETE50", "CURLE_OBSOLETE51", "CURLE_GOT_NOTHING", "CURLE_SSL_ENGINE_NOTFOUND",
    "CURLE_SSL_ENGINE_SETFAILED", "CURLE_SEND_ERROR", "CURLE_RECV_ERROR", "CURLE_OBSOLETE57",
    "CURLE_SSL_CERTPROBLEM", "CURLE_SSL_CIPHER", "CURLE_PEER_FAILED_VERIFICATION",
    "CURLE_BAD_CONTENT_ENCODING", "CURLE_OBSOLETE62", "CURLE_FILESIZE_EXCEEDED",
    "CURLE_USE_SSL_FAILED", "CURLE_SEND_FAIL_REWIND", "CURLE_SSL_ENGINE_INITFAILED",
    "CURLE_LOGIN_DENIED", "CURLE_TFTP_NOTFOUND", "CURLE_TFTP_PERM", "CURLE_REMOTE_DISK_FULL",
    "CURLE_TFTP_ILLEGAL", "CURLE_TFTP_UNKNOWNID", "CURLE_REMOTE_FILE_EXISTS",
    "CURLE_TFTP_NOSUCHUSER", "CURLE_OBSOLETE75", "CURLE_OBSOLETE76", "CURLE_SSL_CACERT_BADFILE",
    "CURLE_REMOTE_FILE_NOT_FOUND", "CURLE_SSH", "CURLE_SSL_SHUTDOWN_FAILED", "CURLE_AGAIN",
    "CURLE_SSL_CRL_BADFILE", "CURLE_SSL_ISSUER_ERROR", "CURLE_FTP_PRET_FAILED",
    "CURLE_RTSP_CSEQ_ERROR", "CURLE_RTSP_SESSION_ERROR", "CURLE_FTP_BAD_FILE_LIST",
    "CURLE_CHUNK_FAILED", "CURLE_NO_CONNECTION_AVAILABLE", "CURLE_SSL_PINNEDPUBKEYNOTMATCH",
    "CURLE_SSL_INVALIDCERTSTATUS", "CURLE_HTTP2_STREAM", "CURLE_RECURSIVE_API_CALL",
    "CURLE_AUTH_ERROR", "CURLE_HTTP3", "CURLE_QUIC_CONNECT_ERROR", "CURLE_PROXY",
    "CURLE_SSL_CLIENTCERT", "CURLE_UNRECOVERABLE_POLL",
};
/* clang-format on */

/* Codes newer than 7.88 (a newer libcurl at run time) still get a stable,
 * static "CURLE_<n>" name. */
#define DIGITS_(p) p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", p "8", p "9"
#define TENS_(p)                                                                                   \
    DIGITS_(p "0"), DIGITS_(p "1"), DIGITS_(p "2"), DIGITS_(p "3"), DIGITS_(p "4"),                \
        DIGITS_(p "5"), DIGITS_(p "6"), DIGITS_(p "7"), DIGITS_(p "8"), DIGITS_(p "9")
static const char *const curle_numbered[] = {TENS_("CURLE_1")}; /* 100 .. 199 */

/* Socket errors that say more than the curl code they come with. */
static const struct {
    int err;
    const char *name;
} os_errors[] = {
    {ECONNREFUSED, "ECONNREFUSED"},
    {ECONNRESET, "ECONNRESET"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {EPIPE, "EPIPE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {EMFILE, "EMFILE"},
    {ENFILE, "ENFILE"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {ENETUNREACH, "ENETUNREACH"},
    {ECONNABORTED, "ECONNABORTED"},
    {EADDRINUSE, "EADDRINUSE"},
};

static const char *curl_code_name(int code)
{
    int n_named = (int)(sizeof curle_names / sizeof curle_names[0]);
    int n_numbered = (int)(sizeof curle_numbered / sizeof curle_numbered[0]);
    if (code >= 0 && code < n_named)
        return curle_names[code];
    if (code >= 100 && code < 100 + n_numbered)
        return curle_numbered[code - 100];
    return "CURLE_UNKNOWN";
}

/* A response that breaks HTTP/1.x framing, by libcurl 7.88's message:
 * Node calls these HPE_* parse errors; one name covers them here. */
static int malformed(int curl_code, const char *detail)
{
    switch (curl_code) {
    case CC_WEIRD_SERVER_REPLY: /* bad Content-Length, a header without colon, NUL in a header */
        return 1;
    case CC_UNSUPPORTED_PROTOCOL: /* "Received HTTP/0.9 ...", "Unsupported HTTP version ..." */
        return strstr(detail, "HTTP/0.9") || strstr(detail, "HTTP version") ||
               strstr(detail, "response code");
    case CC_RECV_ERROR: /* "... in chunked-encoding" */
        return strstr(detail, "chunked") != NULL;
    }
    return 0;
}

const char *errclass_name(int curl_code, int os_errno, const char *detail)
{
    if (!detail)
        detail = "";
    if (malformed(curl_code, detail))
        return "ERR_BAD_RESPONSE";
    /* the server's TLS alerts, by Node's names for them */
    if (strstr(detail, "alert certificate required"))
        return "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED";
    if (strstr(detail, "alert bad certificate"))
        return "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE";
    switch (curl_code) {
    /* 7.88 reports a response head past its 100 KB header buffer as out of
     * memory, with no message; a real allocation failure would have ended
     * the process first (loadtop's allocations die on OOM). */
    case CC_OUT_OF_MEMORY:
        return "ERR_HEADERS_TOO_LARGE";
    /* and a whole head past 300 KB as a receive error that says so */
    case CC_RECV_ERROR:
        if (strstr(detail, "Too large response headers"))
            return "ERR_HEADERS_TOO_LARGE";
        break;
    case CC_FILESIZE_EXCEEDED:
        return "ERR_RESPONSE_TOO_LARGE";
    /* a scheme libcurl was told not to speak (a redirect to ftp://, file://) */
    case CC_UNSUPPORTED_PROTOCOL:
        return "ERR_UNSUPPORTED_PROTOCOL";
    }
    for (size_t i = 0; os_errno && i < sizeof os_errors / sizeof os_errors[0]; i++)
        if (os_errors[i].err == os_errno)
            return os_errors[i].name;

    switch (curl_code) {
    case CC_COULDNT_CONNECT:
        return "ECONNREFUSED";
    case CC_OPERATION_TIMEDOUT:
        return "ETIMEDOUT";
    case CC_COULDNT_RESOLVE_HOST:
    case CC_COULDNT_RESOLVE_PROXY:
        return "ENOTFOUND";
    /* Node reports an empty reply as "socket hang up" and a body cut short
     * as "aborted" (got: "The server aborted pending request"); both carry
     * code ECONNRESET, and so does Artillery. */
    case CC_GOT_NOTHING:
    case CC_RECV_ERROR:
    case CC_PARTIAL_FILE:
        return "ECONNRESET";
    case CC_SEND_ERROR:
        return "EPIPE";
    /* Node's code for a failed TLS handshake ("write EPROTO ..."). */
    case CC_SSL_CONNECT_ERROR:
        return "EPROTO";
    /* libcurl folds unknown CA, expiry, self-signed and host-name mismatch
     * into one code, so Node's per-cause names (CERT_HAS_EXPIRED,
     * ERR_TLS_CERT_ALTNAME_INVALID, ...) cannot be told apart here. */
    case CC_PEER_FAILED_VERIFICATION:
        return "ERR_TLS_CERT_VERIFY";
    case CC_TOO_MANY_REDIRECTS:
        return "ERR_TOO_MANY_REDIRECTS";
    }
    return curl_code_name(curl_code);
}

static const struct {
    const char *name, *text;
} descriptions[] = {
    {"ECONNRESET", "connection reset by peer (or closed before the response was complete)"},
    {"ECONNREFUSED", "connection refused (nothing listening or backlog full)"},
    {"ETIMEDOUT", "request timed out"},
    {"EPIPE", "connection closed by peer while sending (broken pipe)"},
    {"ENOTFOUND", "host name not found (DNS lookup failed)"},
    {"EADDRNOTAVAIL", "out of local ports"},
    {"EADDRINUSE", "local address already in use"},
    {"EMFILE", "out of file descriptors (raise ulimit -n)"},
    {"ENFILE", "system-wide file table full"},
    {"EHOSTUNREACH", "no route to host"},
    {"ENETUNREACH", "network unreachable"},
    {"ECONNABORTED", "connection aborted"},
    {"EPROTO", "TLS handshake failed"},
    {"ERR_TLS_CERT_VERIFY", "server certificate not trusted (unknown CA, expired, self-signed or "
                            "wrong host name)"},
    {"ERR_TOO_MANY_REDIRECTS", "too many redirects"},
    {"ERR_BAD_RESPONSE", "malformed HTTP response (status line, header or chunked encoding)"},
    {"ERR_HEADERS_TOO_LARGE", "a response header line over 100 KB, or a head over 300 KB"},
    {"ERR_RESPONSE_TOO_LARGE", "response body larger than the size limit"},
    {"ERR_UNSUPPORTED_PROTOCOL", "not http:// or https:// (e.g. a redirect to ftp://)"},
    {"ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
     "the server requires a client certificate (--cert, --key)"},
    {"ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", "the server refused the client certificate"},
    {"ERR_TEMPLATE_TOO_LARGE", "a template rendered past 1 MiB: the request was not sent"},
    {"ERR_INTERRUPTED",
     "cut short when the run stopped (second Ctrl-C, SIGTERM or the drain bound)"},
};

const char *errclass_describe(const char *name)
{
    for (size_t i = 0; name && i < sizeof descriptions / sizeof descriptions[0]; i++)
        if (!strcmp(descriptions[i].name, name))
            return descriptions[i].text;
    return NULL;
}
