/* perr.c — see perr.h. */
#include "perr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int perr_set(struct parse_error *e, int line, int col, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->line = line;
    e->col = col;
    if (n >= (int)sizeof e->msg) {
        /* cut before a character vsnprintf split, and say that it was cut */
        size_t k = sizeof e->msg - 4;
        while (k > 0 && ((unsigned char)e->msg[k] & 0xc0) == 0x80)
            k--;
        memcpy(e->msg + k, "...", 4);
    }
    return -1;
}

void perr_clear(struct parse_error *e)
{
    if (!e)
        return;
    e->line = e->col = 0;
    e->msg[0] = '\0';
}
