/* csv.c — see csv.h. */
#include "csv.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?; *is_int when
 * neither "." nor an exponent. */
static int is_number(const char *s, size_t n, int *is_int)
{
    size_t i = 0, d = 0;
    *is_int = 1;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && isdigit((unsigned char)s[i]); i++)
        d++;
    if (i < n && s[i] == '.') {
        *is_int = 0;
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            d++;
    }
    if (!d)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        *is_int = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && isdigit((unsigned char)s[i]); i++)
            e++;
        if (!e)
            return 0;
    }
    return i == n;
}

/* The value of field `s` (NUL-terminated, n bytes); NULL when it is not
 * valid UTF-8. */
static json_t *field_value(const char *s, size_t n, int cast)
{
    int is_int;
    if (cast && n == 4 && !memcmp(s, "true", 4))
        return json_true();
    if (cast && n == 5 && !memcmp(s, "false", 5))
        return json_false();
    if (cast && is_number(s, n, &is_int)) {
        if (is_int) {
            errno = 0;
            long long v = strtoll(s, NULL, 10);
            if (!errno)
                return json_integer(v);
        }
        return json_real(strtod(s, NULL));
    }
    return json_stringn(s, n);
}

int csv_parse(const char *text, size_t len, const struct csv_opts *o, struct csv *out,
              struct parse_error *err)
{
    static const struct csv_opts zero;
    if (!o)
        o = &zero;
    char delim = o->delimiter ? o->delimiter : ',';
    size_t i = 0;
    int line = 1, nrec = 0;
    long nvalues = 0;
    struct buf f = {0};
    json_t *rows = json_array(), *row = NULL;
    const char *why = NULL;
    out->rows = NULL;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len) {
        int empty_line = 1, quoted;
        row = json_array();
        for (;;) {
            f.len = 0;
            buf_append(&f, "", 0);
            quoted = i < len && text[i] == '"';
            if (quoted) {
                int qline = line;
                for (i++;; i++) {
                    if (i == len) {
                        line = qline;
                        why = "unterminated quoted field";
                        goto fail;
                    }
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"')
                            i++;
                        else
                            break;
                    }
                    if (text[i] == '\n')
                        line++;
                    buf_append(&f, text + i, 1);
                }
                i++;
                if (i < len && text[i] != delim && text[i] != '\n' && text[i] != '\r') {
                    why = "unexpected character after a closing quote";
                    goto fail;
                }
            } else {
                size_t b = i;
                while (i < len && text[i] != delim && text[i] != '\n' && text[i] != '\r') {
                    if (text[i] == '"') {
                        why = "quote inside an unquoted field";
                        goto fail;
                    }
                    i++;
                }
                buf_append(&f, text + b, i - b);
            }
            /* each value costs a JSON node: 50 bytes of memory for a 2-byte field */
            if (++nvalues > CSV_MAX_VALUES) {
                why = "more than 5000000 values (the limit for a payload)";
                goto fail;
            }
            json_t *v = field_value(f.data, f.len, o->cast && !quoted);
            if (!v) {
                why = "invalid UTF-8";
                goto fail;
            }
            json_array_append_new(row, v);
            if (quoted || f.len)
                empty_line = 0;
            if (i < len && text[i] == delim) {
                empty_line = 0;
                i++;
                continue;
            }
            break;
        }
        if (i < len) { /* at the record's line break */
            if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
                i++;
            i++;
            line++;
        }
        if ((o->skip_header && nrec++ == 0) || (o->skip_empty_lines && empty_line))
            json_decref(row);
        else
            json_array_append_new(rows, row);
        row = NULL;
    }
    buf_free(&f);
    out->rows = rows;
    perr_clear(err);
    return 0;
fail:
    perr_set(err, line, 0, "line %d: %s", line, why);
    buf_free(&f);
    json_decref(row);
    json_decref(rows);
    return -1;
}

int csv_load(const char *path, const struct csv_opts *o, struct csv *out, struct parse_error *err)
{
    char shown[80];
    struct buf b = {0};
    struct parse_error pe;
    out->rows = NULL;
    str_clip(shown, sizeof shown, path);
    const char *bad = read_file_limited(path, CSV_MAX_FILE, &b);
    if (bad)
        return perr_set(err, 0, 0, "%s: %s", shown,
                        strcmp(bad, "too large") ? bad
                                                 : "larger than 100 MiB (the limit for a payload)");
    int r = csv_parse(b.data ? b.data : "", b.len, o, out, &pe);
    if (r < 0)
        perr_set(err, pe.line, 0, "%s: %s", shown, pe.msg);
    else
        perr_clear(err);
    buf_free(&b);
    return r;
}

void csv_free(struct csv *c)
{
    json_decref(c->rows);
    c->rows = NULL;
}

json_t *csv_row_object(const json_t *row, const char *const *fields, int nfields)
{
    json_t *o = json_object();
    for (int i = 0; i < nfields && (size_t)i < json_array_size(row); i++)
        json_object_set(o, fields[i], json_array_get(row, (size_t)i));
    return o;
}

size_t payload_pick(struct payload_cursor *cur, size_t nrows, int sequence, uint64_t *rng)
{
    if (nrows == 0)
        return 0;
    if (sequence) {
        return atomic_fetch_add(&cur->next, 1) % nrows;
    }
    return (size_t)(rng_next(rng) % nrows);
}
