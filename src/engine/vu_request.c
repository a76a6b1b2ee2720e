/* vu_request.c — building a request from its step: the url with the
 * target and query, the headers (config defaults, the step's, auth), the
 * body (json, form or raw), each rendered with a VU's variables or as
 * written; and those variables. A rendering past TPL_MAX_OUTPUT is
 * reported, never sent cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "worker_int.h"
#include "template.h"
#include "util.h"

extern char **environ;

void vu_tpl_ctx(struct vu *v, struct tpl_ctx *tc)
{
    *tc = (struct tpl_ctx){v->vars, (const char *const *)environ, &v->rng, v->uuid};
}

/* `s` rendered with `tc` (NULL: as written). With `too_big`, a rendering
 * past TPL_MAX_OUTPUT sets it (the request is then failed, not sent cut). */
char *vu_render(const char *s, const struct tpl_ctx *tc, int *too_big)
{
    if (!tc || !tpl_has(s))
        return xstrdup(s);
    return too_big ? tpl_render_str_checked(s, tc, too_big) : tpl_render_str(s, tc);
}

static void encode_pairs(struct buf *b, const struct header *h, int n, int form,
                         const struct tpl_ctx *tc, int *too_big)
{
    for (int i = 0; i < n; i++) {
        char *k = vu_render(h[i].name, tc, too_big), *v = vu_render(h[i].value, tc, too_big);
        if (i)
            buf_puts(b, "&");
        buf_urlencode(b, k, form);
        buf_puts(b, "=");
        buf_urlencode(b, v, form);
        free(k);
        free(v);
    }
}

static void base64(struct buf *b, const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16;
        v |= i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0;
        v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        buf_append(b, q, 4);
    }
}

/* "Name: value" with the value rendered and kept on one line. */
static char *header_line(const char *name, const char *value, const struct tpl_ctx *tc,
                         int *too_big)
{
    char *v = vu_render(value, tc, too_big);
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    char *line = xasprintf("%s: %s", name, v);
    free(v);
    return line;
}

static int is_http(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* Build step `s` rendered with `tc`, or as written when tc is NULL (steps
 * without templates). Returns 0, or -1 when the url is not http(s). */
int vu_build(const struct plan *p, const struct step *s, const struct tpl_ctx *tc,
             struct vu_req *out, int *too_big)
{
    struct buf u = {0};
    char *url = vu_render(s->url, tc, too_big);
    if (url[0] == '/' && p->target) {
        size_t tlen = strlen(p->target);
        buf_append(&u, p->target, tlen && p->target[tlen - 1] == '/' ? tlen - 1 : tlen);
    }
    /* A rendered value may bring characters a URL cannot hold ("carol, jr"):
     * percent-encode them, as a browser's (and Node's) URL parser does. */
    for (const char *c = url; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch <= ' ' || ch >= 0x7f || strchr("\"<>`{}|\\^", ch))
            buf_pct(&u, ch);
        else
            buf_append(&u, c, 1);
    }
    free(url);
    if (s->nqs) {
        buf_puts(&u, "?");
        encode_pairs(&u, s->qs, s->nqs, 0, tc, too_big);
    }
    out->url = u.data;

    /* Step headers override config defaults of the same name. */
    int n = 0, has_ct = 0, has_auth = 0;
    char **lines = xcalloc((size_t)(p->ndefault_headers + s->nheaders + 2), sizeof *lines);
    for (int i = 0; i < p->ndefault_headers; i++) {
        int overridden = 0;
        for (int j = 0; j < s->nheaders; j++)
            overridden |= !strcasecmp(p->default_headers[i].name, s->headers[j].name);
        if (!overridden)
            lines[n++] =
                header_line(p->default_headers[i].name, p->default_headers[i].value, tc, too_big);
    }
    for (int j = 0; j < s->nheaders; j++)
        lines[n++] = header_line(s->headers[j].name, s->headers[j].value, tc, too_big);
    for (int i = 0; i < n; i++) {
        has_ct |= !strncasecmp(lines[i], "content-type:", 13);
        has_auth |= !strncasecmp(lines[i], "authorization:", 14);
    }
    if (s->auth_user && !has_auth) {
        char *user = vu_render(s->auth_user, tc, too_big),
             *pass = vu_render(s->auth_pass, tc, too_big);
        char *cred = xasprintf("%s:%s", user, pass);
        struct buf b = {0};
        buf_puts(&b, "Authorization: Basic ");
        base64(&b, cred);
        lines[n++] = b.data;
        free(user);
        free(pass);
        free(cred);
    }
    const char *ct = s->body_kind == BODY_JSON   ? "Content-Type: application/json"
                     : s->body_kind == BODY_FORM ? "Content-Type: application/x-www-form-urlencoded"
                                                 : NULL;
    out->headers = http_headers((const char *const *)lines, n, has_ct ? NULL : ct);
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);

    if (s->body_kind == BODY_JSON && s->json) {
        json_t *j =
            too_big ? tpl_render_deep_checked(s->json, tc, too_big) : tpl_render_deep(s->json, tc);
        /* a json that is one undefined template sends no body, as got does */
        out->body =
            j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
        json_decref(j);
    } else if (s->body_kind == BODY_FORM && s->nform) {
        struct buf b = {0};
        encode_pairs(&b, s->form, s->nform, 1, tc, too_big);
        out->body = b.data ? b.data : xstrdup("");
    } else if (s->body) {
        out->body = vu_render(s->body, tc, too_big);
    }
    out->body_len = out->body ? strlen(out->body) : 0;
    return is_http(out->url) ? 0 : -1;
}

void vu_req_free(struct vu_req *q)
{
    if (!q)
        return;
    free(q->url);
    free(q->body);
    http_headers_free(q->headers);
    free(q);
}

static void make_uuid(struct vu *v, char out[37])
{
    uint64_t a = rng_next(&v->rng), b = rng_next(&v->rng);
    a = (a & ~0xF000ULL) | 0x4000ULL;                        /* version 4 */
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; /* variant 10 */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFFF, (unsigned)(b >> 48),
             (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

/* As Artillery's createContext: built-ins, then `before`'s variables, then
 * a payload row, then config.variables (a list gives one element). */
void vu_init_vars(struct worker *w, struct vu *v)
{
    const struct plan *p = w->plan;
    json_t *o = json_object();
    json_object_set_new(o, "target", json_string(p->target ? p->target : ""));
    if (p->environment)
        json_object_set_new(o, "$environment", json_string(p->environment));
    if (w->shared)
        json_object_update(o, w->shared);
    for (int i = 0; i < p->npayloads; i++) {
        const struct payload *pl = &p->payloads[i];
        size_t nrows = json_array_size(pl->rows);
        if (pl->name) {
            json_object_set(o, pl->name, w->payload_all[i]);
        } else if (nrows) {
            const json_t *row = json_array_get(
                pl->rows, payload_pick(&w->sh->cursors[i], nrows, pl->sequence, &v->rng));
            for (int f = 0; f < pl->nfields && (size_t)f < json_array_size(row); f++)
                json_object_set(o, pl->fields[f], json_array_get(row, (size_t)f));
        }
    }
    const char *k;
    json_t *val;
    json_object_foreach(p->variables, k, val)
    {
        if (json_is_array(val) && json_array_size(val))
            val = json_array_get(val, rng_next(&v->rng) % json_array_size(val));
        json_object_set(o, k, val);
    }
    make_uuid(v, v->uuid);
    v->vars = o;
}
