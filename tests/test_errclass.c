/* test_errclass.c — errclass_name rules and fallbacks, errclass_describe. */
#include <errno.h>
/* Header only: cross-checks errclass.c's private copy of the CURLcode
 * numbers against the real enum. */
#include <curl/curl.h>

#include "errclass.h"
#include "test.h"

TEST(errclass_curl_codes)
{
    ASSERT_STR(errclass_name(7, 0, NULL), "ECONNREFUSED");
    ASSERT_STR(errclass_name(28, 0, NULL), "ETIMEDOUT");
    ASSERT_STR(errclass_name(6, 0, NULL), "ENOTFOUND");
    ASSERT_STR(errclass_name(5, 0, NULL), "ENOTFOUND");
    ASSERT_STR(errclass_name(52, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(56, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(18, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(55, 0, NULL), "EPIPE");
    ASSERT_STR(errclass_name(35, 0, NULL), "EPROTO");
    ASSERT_STR(errclass_name(60, 0, NULL), "ERR_TLS_CERT_VERIFY");
    ASSERT_STR(errclass_name(47, 0, NULL), "ERR_TOO_MANY_REDIRECTS");
}

TEST(errclass_numbers_match_curl_h)
{
    ASSERT_STR(errclass_name(CURLE_COULDNT_CONNECT, 0, NULL), "ECONNREFUSED");
    ASSERT_STR(errclass_name(CURLE_OPERATION_TIMEDOUT, 0, NULL), "ETIMEDOUT");
    ASSERT_STR(errclass_name(CURLE_COULDNT_RESOLVE_HOST, 0, NULL), "ENOTFOUND");
    ASSERT_STR(errclass_name(CURLE_COULDNT_RESOLVE_PROXY, 0, NULL), "ENOTFOUND");
    ASSERT_STR(errclass_name(CURLE_GOT_NOTHING, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(CURLE_RECV_ERROR, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(CURLE_PARTIAL_FILE, 0, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(CURLE_SEND_ERROR, 0, NULL), "EPIPE");
    ASSERT_STR(errclass_name(CURLE_SSL_CONNECT_ERROR, 0, NULL), "EPROTO");
    ASSERT_STR(errclass_name(CURLE_PEER_FAILED_VERIFICATION, 0, NULL), "ERR_TLS_CERT_VERIFY");
    ASSERT_STR(errclass_name(CURLE_TOO_MANY_REDIRECTS, 0, NULL), "ERR_TOO_MANY_REDIRECTS");
    ASSERT_EQ(CURL_LAST, 100);
    /* Fallback names sit at their enum value across the whole table. */
#define SAME_(c) ASSERT_STR(errclass_name(c, 0, NULL), #c)
    SAME_(CURLE_URL_MALFORMAT);
    SAME_(CURLE_HTTP2);
    SAME_(CURLE_WRITE_ERROR);
    SAME_(CURLE_BAD_CONTENT_ENCODING);
    SAME_(CURLE_SSL_CACERT_BADFILE);
    SAME_(CURLE_HTTP2_STREAM);
    SAME_(CURLE_PROXY);
    SAME_(CURLE_UNRECOVERABLE_POLL);
#undef SAME_
}

TEST(errclass_os_errno_wins)
{
    ASSERT_STR(errclass_name(7, ECONNREFUSED, NULL), "ECONNREFUSED");
    ASSERT_STR(errclass_name(7, EHOSTUNREACH, NULL), "EHOSTUNREACH");
    ASSERT_STR(errclass_name(7, ENETUNREACH, NULL), "ENETUNREACH");
    ASSERT_STR(errclass_name(7, EADDRNOTAVAIL, NULL), "EADDRNOTAVAIL");
    ASSERT_STR(errclass_name(7, EMFILE, NULL), "EMFILE");
    ASSERT_STR(errclass_name(7, ENFILE, NULL), "ENFILE");
    ASSERT_STR(errclass_name(7, EADDRINUSE, NULL), "EADDRINUSE");
    ASSERT_STR(errclass_name(7, ETIMEDOUT, NULL), "ETIMEDOUT");
    ASSERT_STR(errclass_name(28, ECONNREFUSED, NULL), "ECONNREFUSED");
    ASSERT_STR(errclass_name(55, ECONNRESET, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(56, EPIPE, NULL), "EPIPE");
    ASSERT_STR(errclass_name(56, ECONNABORTED, NULL), "ECONNABORTED");
    ASSERT_STR(errclass_name(35, ECONNRESET, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(3, ECONNRESET, NULL), "ECONNRESET");
}

TEST(errclass_other_errno_ignored)
{
    ASSERT_STR(errclass_name(7, EINTR, NULL), "ECONNREFUSED");
    ASSERT_STR(errclass_name(56, EAGAIN, NULL), "ECONNRESET");
    ASSERT_STR(errclass_name(28, EINPROGRESS, NULL), "ETIMEDOUT");
    ASSERT_STR(errclass_name(3, ENOENT, NULL), "CURLE_URL_MALFORMAT");
}

TEST(errclass_fallback_names)
{
    ASSERT_STR(errclass_name(3, 0, NULL), "CURLE_URL_MALFORMAT");
    ASSERT_STR(errclass_name(16, 0, NULL), "CURLE_HTTP2");
    ASSERT_STR(errclass_name(23, 0, NULL), "CURLE_WRITE_ERROR");
    ASSERT_STR(errclass_name(42, 0, NULL), "CURLE_ABORTED_BY_CALLBACK");
    ASSERT_STR(errclass_name(58, 0, NULL), "CURLE_SSL_CERTPROBLEM");
    ASSERT_STR(errclass_name(77, 0, NULL), "CURLE_SSL_CACERT_BADFILE");
    ASSERT_STR(errclass_name(92, 0, NULL), "CURLE_HTTP2_STREAM");
    ASSERT_STR(errclass_name(99, 0, NULL), "CURLE_UNRECOVERABLE_POLL");
}

/* Malformed responses, by libcurl 7.88's messages (seen against a server
 * that sends each one), get their own names, whatever errno is stale. */
TEST(errclass_malformed_responses)
{
    ASSERT_STR(errclass_name(1, 0, "Unsupported HTTP version in response"), "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(1, 0, "Received HTTP/0.9 when not allowed"), "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(1, 0, "Unsupported response code in HTTP response"),
               "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(8, 0, "Invalid Content-Length: value"), "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(8, 0, "Header without colon"), "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(8, 0, NULL), "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(56, ECONNRESET,
                             "Illegal or missing hexadecimal sequence in chunked-encoding"),
               "ERR_BAD_RESPONSE");
    ASSERT_STR(errclass_name(56, ECONNRESET, "Recv failure: Connection reset by peer"),
               "ECONNRESET");
    ASSERT_STR(errclass_name(27, 0, ""), "ERR_HEADERS_TOO_LARGE");
    ASSERT_STR(errclass_name(63, 0, ""), "ERR_RESPONSE_TOO_LARGE");
    ASSERT_STR(errclass_name(1, 0, "Protocol \"ftp\" not supported or disabled in libcurl"),
               "ERR_UNSUPPORTED_PROTOCOL");
    ASSERT_STR(errclass_name(1, 0, NULL), "ERR_UNSUPPORTED_PROTOCOL");
}

/* TLS alerts from the server, named as Node names them. */
TEST(errclass_tls_alerts)
{
    ASSERT_STR(
        errclass_name(56, ECONNRESET,
                      "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 "
                      "alert certificate required, errno 0"),
        "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED");
    ASSERT_STR(errclass_name(35, 0,
                             "OpenSSL/3.0: error:0A000412:SSL routines::sslv3 alert bad "
                             "certificate"),
               "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE");
}

TEST(errclass_unknown_codes)
{
    ASSERT_STR(errclass_name(100, 0, NULL), "CURLE_100");
    ASSERT_STR(errclass_name(101, 0, NULL), "CURLE_101");
    ASSERT_STR(errclass_name(137, 0, NULL), "CURLE_137");
    ASSERT_STR(errclass_name(199, 0, NULL), "CURLE_199");
    ASSERT_STR(errclass_name(200, 0, NULL), "CURLE_UNKNOWN");
    ASSERT_STR(errclass_name(-1, 0, NULL), "CURLE_UNKNOWN");
    ASSERT_STR(errclass_name(100, ETIMEDOUT, NULL), "ETIMEDOUT");
}

TEST(errclass_describe_names)
{
    ASSERT_STR(errclass_describe("ECONNRESET"),
               "connection reset by peer (or closed before the response was complete)");
    ASSERT_STR(errclass_describe("ECONNREFUSED"),
               "connection refused (nothing listening or backlog full)");
    ASSERT_STR(errclass_describe("ETIMEDOUT"), "request timed out");
    ASSERT_STR(errclass_describe("EPIPE"), "connection closed by peer while sending (broken pipe)");
    ASSERT_STR(errclass_describe("ENOTFOUND"), "host name not found (DNS lookup failed)");
    ASSERT_STR(errclass_describe("EADDRNOTAVAIL"), "out of local ports");
    ASSERT_STR(errclass_describe("EMFILE"), "out of file descriptors (raise ulimit -n)");
    ASSERT_STR(errclass_describe("EPROTO"), "TLS handshake failed");
    ASSERT_STR(errclass_describe("ERR_TOO_MANY_REDIRECTS"), "too many redirects");
    ASSERT(errclass_describe("CURLE_URL_MALFORMAT") == NULL);
    ASSERT(errclass_describe("") == NULL);
    ASSERT(errclass_describe(NULL) == NULL);
}

/* Every name errclass_name can produce from a socket errno or a mapped code
 * has a description. */
TEST(errclass_describe_covers_mapped)
{
    static const int errs[] = {ECONNREFUSED,  ECONNRESET,   ETIMEDOUT, EPIPE,
                               EADDRNOTAVAIL, EMFILE,       ENFILE,    EHOSTUNREACH,
                               ENETUNREACH,   ECONNABORTED, EADDRINUSE};
    static const int codes[] = {1, 5, 6, 7, 8, 18, 27, 28, 35, 47, 52, 55, 56, 60, 63};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        ASSERT(errclass_describe(errclass_name(7, errs[i], NULL)) != NULL);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        ASSERT(errclass_describe(errclass_name(codes[i], 0, NULL)) != NULL);
}
