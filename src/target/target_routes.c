/* target_routes.c — what each path of the built-in target answers (see
 * target.h): replies formatted into the connection's own buffer, the fault
 * routes, and the JSON routes flows use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "target_int.h"

static const char json_doc[] =
    "{\"service\":\"loadtop-target\",\"version\":2,\"ok\":true,"
    "\"user\":{\"id\":42,\"name\":\"Ada\",\"roles\":[\"admin\",\"dev\"]},"
    "\"items\":[{\"id\":1,\"name\":\"apple\",\"price\":0.5},"
    "{\"id\":2,\"name\":\"pear\",\"price\":0.75},{\"id\":3,\"name\":\"fig\",\"price\":2}],"
    "\"next\":null}\n";

static const char *status_reason(int code)
{
    const char *r = http_status_reason(code);
    return r ? r : "Status";
}

/* Format the whole response into c->out; the body only when it fits and
 * !head (a larger one is the caller's to send). 1xx, 204 and 304 carry no
 * body; a 1xx can never be a final response, so that connection is closed
 * after it rather than leaving the client waiting for one. */
static void conn_format_x(struct conn *c, int code, const char *type, const char *extra,
                          const char *body, uint64_t body_len, int head)
{
    int nobody = code < 200 || code == 204 || code == 304;
    if (code < 200)
        c->keepalive = 0;
    int n = snprintf(c->out, sizeof c->out,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n%s%s\r\n", code,
                     status_reason(code), type, (unsigned long long)(nobody ? 0 : body_len), extra,
                     conn_connection_header(c));
    if (!head && !nobody && body && (size_t)n + body_len <= sizeof c->out) {
        memcpy(c->out + n, body, (size_t)body_len);
        n += (int)body_len;
    }
    c->out_len = (size_t)n;
}

static void conn_format(struct conn *c, int code, const char *type, const char *body,
                        size_t body_len, int head)
{
    conn_format_x(c, code, type, "", body, body_len, head);
}

/* A reply to a request that cannot be served: the connection closes after it. */
void conn_error(struct conn *c, int code)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", code, status_reason(code));
    c->keepalive = 0;
    c->route = R_REPLY;
    c->refused = 1;
    conn_format(c, code, "text/plain", body, (size_t)n, 0);
}

/* Decimal of 1..maxdigits digits filling exactly [s, s+n); -1 otherwise. */
int64_t parse_uint(const char *s, size_t n, size_t maxdigits)
{
    int64_t v = 0;
    if (n == 0 || n > maxdigits)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int has_prefix(const char *s, size_t n, const char *lit, size_t *rest)
{
    size_t k = strlen(lit);
    if (n < k || memcmp(s, lit, k) != 0)
        return 0;
    *rest = k;
    return 1;
}

/* The fault routes: replies a real server should never send, to see how a
 * client reports them. Returns 1 when `path` is one of them. */
static int conn_fault_route(struct conn *c, const char *path, size_t n, int head)
{
    static const char malformed[] = "HTTP/1.1 abc Nope\r\nContent-Type: text/plain\r\n"
                                    "Content-Length: 10\r\nConnection: close\r\n\r\nmalformed\n";
    static const char http09[] = "a bare body, no status line\n";
    static const char badchunk[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\nzz\r\nbad chunk size\r\n"
                                   "0\r\n\r\n";
    size_t k;
    int64_t v;
    if (n == 10 && !memcmp(path, "/malformed", 10)) {
        c->route = R_RAW;
        memcpy(c->out, malformed, c->out_len = sizeof malformed - 1);
    } else if (n == 7 && !memcmp(path, "/http09", 7)) {
        c->route = R_RAW;
        memcpy(c->out, http09, c->out_len = sizeof http09 - 1);
    } else if (n == 9 && !memcmp(path, "/badchunk", 9)) {
        c->route = R_RAW;
        memcpy(c->out, badchunk, c->out_len = sizeof badchunk - 1);
    } else if (n == 10 && !memcmp(path, "/closebody", 10)) {
        /* No Connection: close: the cut must be the only sign of trouble. */
        c->out_len = (size_t)snprintf(c->out, sizeof c->out,
                                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                      "Content-Length: 1000\r\n\r\n");
        memcpy(c->out + c->out_len, c->t->fill, 100);
        c->out_len += 100;
        c->route = R_RAW;
    } else if (has_prefix(path, n, "/bytes/", &k)) {
        v = parse_uint(path + k, n - k, 13);
        if (v < 0 || (uint64_t)v > BYTES_MAX) {
            conn_error(c, 400);
            return 1;
        }
        c->route = R_BYTES;
        c->left = head ? 0 : (uint64_t)v;
        conn_format(c, 200, "application/octet-stream", NULL, (uint64_t)v, 1);
    } else if (n == 8 && !memcmp(path, "/endless", 8)) {
        if (c->http10) /* no chunked encoding in HTTP/1.0: the close ends the body */
            c->keepalive = 0;
        c->out_len = (size_t)snprintf(
            c->out, sizeof c->out,
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            "%s%s\r\n",
            c->http10 ? "" : "Transfer-Encoding: chunked\r\n", conn_connection_header(c));
        c->route = head ? R_REPLY : R_ENDLESS;
    } else if (has_prefix(path, n, "/bigheader/", &k)) {
        v = parse_uint(path + k, n - k, 7);
        if (v < 0 || v > BIGHEADER_KB_MAX) {
            conn_error(c, 400);
            return 1;
        }
        c->route = R_BIGHEADER;
        c->left = (uint64_t)v * 1024;
        c->tail_sent = 0;
        c->out_len = (size_t)snprintf(c->out, sizeof c->out, "HTTP/1.1 200 OK\r\nX-Big: ");
    } else if (has_prefix(path, n, "/manyheaders/", &k)) {
        v = parse_uint(path + k, n - k, 7);
        if (v < 0 || v > MANYHEADERS_MAX) {
            conn_error(c, 400);
            return 1;
        }
        c->route = R_MANYHEADERS;
        c->left = (uint64_t)v;
        c->sent = 0;
        c->tail_sent = 0;
        c->out_len = (size_t)snprintf(c->out, sizeof c->out, "HTTP/1.1 200 OK\r\n");
    } else {
        return 0;
    }
    return 1;
}

void conn_route(struct conn *c, const char *path, size_t n, int head)
{
    size_t k;
    int64_t v;
    c->route = R_REPLY;
    if (n == 3 && memcmp(path, "/up", 3) == 0) {
        conn_format(c, 200, "text/plain", "ok\n", 3, head);
    } else if (has_prefix(path, n, "/status/", &k)) {
        v = parse_uint(path + k, n - k, 3);
        if (v < 100) {
            conn_error(c, 400);
            return;
        }
        char body[64];
        int bn = snprintf(body, sizeof body, "%d %s\n", (int)v, status_reason((int)v));
        conn_format(c, (int)v, "text/plain", body, (size_t)bn, head);
    } else if (has_prefix(path, n, "/delay/", &k)) {
        v = parse_uint(path + k, n - k, 9);
        if (v < 0) {
            conn_error(c, 400);
            return;
        }
        c->route = R_DELAY;
        c->arg_ms = (uint64_t)v;
        conn_format(c, 200, "text/plain", "ok\n", 3, head);
    } else if (has_prefix(path, n, "/drip/", &k)) {
        v = parse_uint(path + k, n - k, 9);
        if (v < 0) {
            conn_error(c, 400);
            return;
        }
        c->arg_ms = (uint64_t)v;
        if (v == 0 || head) { /* nothing to drip: one plain reply */
            conn_format(c, 200, "text/plain", DRIP_BODY, DRIP_LEN, head);
        } else {
            c->route = R_DRIP;
            c->sent = 0;
            conn_format(c, 200, "text/plain", "", DRIP_LEN, 1);
        }
    } else if (n == 6 && memcmp(path, "/reset", 6) == 0) {
        c->route = R_RESET;
    } else if (n == 6 && memcmp(path, "/close", 6) == 0) {
        c->route = R_CLOSE;
    } else if (n == 6 && memcmp(path, "/stall", 6) == 0) {
        c->route = R_STALL;
    } else if (!conn_fault_route(c, path, n, head)) {
        char body[600];
        size_t bn = 0;
        bn += (size_t)snprintf(body, sizeof body, "{\"ok\":true,\"path\":\"");
        for (size_t i = 0; i < n && bn < sizeof body - 16; i++) {
            unsigned char ch = (unsigned char)path[i];
            if (ch == '"' || ch == '\\') {
                body[bn++] = '\\';
                body[bn++] = (char)ch;
            } else if (ch < 0x20 || ch >= 0x7f) { /* keep the JSON valid ASCII */
                bn += (size_t)snprintf(body + bn, 7, "\\u%04x", ch);
            } else {
                body[bn++] = (char)ch;
            }
        }
        memcpy(body + bn, "\"}\n", 3);
        conn_format(c, 200, "application/json", body, bn + 3, head);
    }
}

/* The value of `key` in query string [q, q+n), undecoded, into out. */
static int query_get(const char *q, size_t n, const char *key, char *out, size_t outsz)
{
    size_t k = strlen(key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j - i > k && !memcmp(q + i, key, k) && q[i + k] == '=' && j - i - k - 1 < outsz) {
            memcpy(out, q + i + k + 1, j - i - k - 1);
            out[j - i - k - 1] = '\0';
            return 0;
        }
        i = j + 1;
    }
    return -1;
}

/* The JSON routes: /echo, /login (their replies come from the request, at
 * dispatch), /has/NAME, /json, /cookie/set?name=value,
 * /redirect?to=URL[&cookie=name=value]. Returns 1 when
 * `path` is one of them. */
int conn_json_route(struct conn *c, const char *path, size_t plen, const char *query, size_t qlen,
                    int head)
{
    char v[256], extra[420];
    c->route = R_REPLY;
    if ((plen == 5 && !memcmp(path, "/echo", 5)) || (plen == 6 && !memcmp(path, "/login", 6))) {
        c->route = plen == 5 ? R_ECHO : R_LOGIN;
    } else if (c->has) {
        int yes = c->has_found;
        conn_format(c, yes ? 200 : 404, "text/plain", yes ? "yes\n" : "no\n", yes ? 4 : 3, head);
    } else if (plen == 5 && !memcmp(path, "/json", 5)) {
        conn_format(c, 200, "application/json", json_doc, sizeof json_doc - 1, head);
    } else if (plen == 11 && !memcmp(path, "/cookie/set", 11)) {
        const char *eq = memchr(query, '=', qlen);
        if (!eq || eq == query || qlen >= 200 || memchr(query, '&', qlen)) {
            conn_error(c, 400);
            return 1;
        }
        snprintf(extra, sizeof extra, "Set-Cookie: %.*s; Path=/\r\n", (int)qlen, query);
        conn_format_x(c, 200, "application/json", extra, "{\"ok\":true}\n", 12, head);
    } else if (plen == 9 && !memcmp(path, "/redirect", 9)) {
        if (query_get(query, qlen, "to", v, sizeof v) < 0 || strpbrk(v, "\r\n")) {
            conn_error(c, 400);
            return 1;
        }
        /* &cookie=NAME=VALUE: the 302 sets it, as a login's redirect does */
        char ck[64];
        int set = !query_get(query, qlen, "cookie", ck, sizeof ck) && strchr(ck, '=') &&
                  !strpbrk(ck, "\r\n;");
        snprintf(extra, sizeof extra, "Location: %s\r\n%s%s%s", v, set ? "Set-Cookie: " : "",
                 set ? ck : "", set ? "; Path=/\r\n" : "");
        conn_format_x(c, 302, "text/plain", extra, "redirect\n", 9, head);
    } else {
        return 0;
    }
    return 1;
}

/* /echo: {"method", "path", "query", "headers": {lowercased: value}, "body"};
 * /login: {"token": "tok-N", "user": the JSON body's "username"}. */
void conn_json_reply(struct conn *c)
{
    const char *body = c->req.data ? c->req.data : "";
    size_t body_len = c->req.len;
    json_t *o;
    if (c->route == R_LOGIN) {
        o = json_object();
        json_t *in = json_loadb(body, body_len, 0, NULL);
        json_t *user = json_object_get(in, "username");
        char tok[32];
        snprintf(tok, sizeof tok, "tok-%d", ++c->t->logins);
        json_object_set_new(o, "token", json_string(tok));
        json_object_set(o, "user", user ? user : json_null());
        json_decref(in);
    } else {
        o = c->echo;
        c->echo = NULL;
        json_t *b = json_stringn(body, body_len);
        json_object_set_new(o, "body", b ? b : json_null());
    }
    int status = 200;
    const char *type = "application/json";
    char *text;
    size_t len;
    if (c->t->app) {
        struct target_reply r = {404, "text/plain", NULL, 0};
        c->t->app(c->t->app_ctx, o, &r);
        status = r.status, type = r.type ? r.type : "text/plain";
        text = r.body ? r.body : xstrdup("");
        len = r.body ? r.len : 0;
    } else {
        text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        len = strlen(text);
    }
    json_decref(o);
    conn_format(c, status, type, text, len, 1);
    buf_free(&c->big);
    buf_append(&c->big, c->out, c->out_len);
    if (!c->head)
        buf_append(&c->big, text, len);
    free(text);
    conn_send(c, c->big.data, c->big.len);
}
