/* template_string.c — values as JavaScript prints them: String() for what a
 * template interpolates, JSON.stringify's quoting inside objects and arrays
 * (see template.h and template_int.h). Pure. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "template_int.h"
#include "util.h"

/* Number#toString for a finite double: the shortest digits that read back
 * exactly, positional for 1e-7 < |d| < 1e21, exponent form outside. */
static void put_real(struct buf *b, double d)
{
    char e[40], digits[24];
    int p, k = 0, neg = 0;
    if (d == 0) { /* -0 prints as "0" */
        buf_puts(b, "0");
        return;
    }
    for (p = 1; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, d);
        if (strtod(e, NULL) == d)
            break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, d);
    const char *s = e;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s != 'e'; s++)
        if (isdigit((unsigned char)*s))
            digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int n = atoi(s + 1) + 1; /* decimal point position, as in ECMA-262's Number::toString */
    if (neg)
        buf_puts(b, "-");
    if (k <= n && n <= 21) {
        buf_append(b, digits, (size_t)k);
        for (int i = k; i < n; i++)
            buf_puts(b, "0");
    } else if (0 < n && n <= 21) {
        buf_append(b, digits, (size_t)n);
        buf_puts(b, ".");
        buf_append(b, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        buf_puts(b, "0.");
        for (int i = n; i < 0; i++)
            buf_puts(b, "0");
        buf_append(b, digits, (size_t)k);
    } else {
        buf_append(b, digits, 1);
        if (k > 1) {
            buf_puts(b, ".");
            buf_append(b, digits + 1, (size_t)(k - 1));
        }
        buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
    }
}

/* JSON.stringify's string quoting. */
static void put_quoted(struct buf *b, const char *s, size_t n)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = ch == '"'    ? "\\\""
                          : ch == '\\' ? "\\\\"
                          : ch == '\b' ? "\\b"
                          : ch == '\f' ? "\\f"
                          : ch == '\n' ? "\\n"
                          : ch == '\r' ? "\\r"
                          : ch == '\t' ? "\\t"
                                       : NULL;
        if (esc)
            buf_puts(b, esc);
        else if (ch < 0x20)
            buf_printf(b, "\\u%04x", ch);
        else
            buf_append(b, s + i, 1);
    }
    buf_puts(b, "\"");
}

void tpl_put_value(struct buf *b, const json_t *v, int top)
{
    const char *k;
    json_t *x;
    size_t i;
    int first = 1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        buf_puts(b, "{");
        json_object_foreach((json_t *)v, k, x)
        {
            if (!first)
                buf_puts(b, ",");
            first = 0;
            put_quoted(b, k, strlen(k));
            buf_puts(b, ":");
            tpl_put_value(b, x, 0);
        }
        buf_puts(b, "}");
        break;
    case JSON_ARRAY:
        buf_puts(b, "[");
        json_array_foreach(v, i, x)
        {
            if (i)
                buf_puts(b, ",");
            tpl_put_value(b, x, 0);
        }
        buf_puts(b, "]");
        break;
    case JSON_STRING:
        if (top)
            buf_append(b, json_string_value(v), json_string_length(v));
        else
            put_quoted(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        put_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        buf_puts(b, "true");
        break;
    case JSON_FALSE:
        buf_puts(b, "false");
        break;
    case JSON_NULL:
        buf_puts(b, "null");
        break;
    }
}

char *tpl_stringify(const json_t *v)
{
    struct buf b = {0};
    if (!v)
        return xstrdup("undefined");
    tpl_put_value(&b, v, 1);
    return b.data ? b.data : xstrdup("");
}
