/* perr.h — one way for every parser of a script's parts to say what is
 * wrong and where: templates (tpl_check), JSONPath (jsonpath_check), CSV
 * payloads (csv_parse, csv_load), expectations (expect_validate), regular
 * expressions (regexp_compile), the expression language (expr_parse) and
 * the YAML loader's own messages. The caller places the position in its
 * own text (a YAML scalar's column, a file name) and prints the message as
 * it is. Pure: no I/O, no globals. */
#ifndef LOADTOP_PERR_H
#define LOADTOP_PERR_H

struct parse_error {
    int line;      /* 1-based line of the fault; 0 = one-line text or not known */
    int col;       /* 1-based byte column in that line; 0 = not known */
    char msg[320]; /* what is wrong, one line as users read it; "" = nothing */
};

/* Fill *e (NULL: do nothing) with a position and a printf-style message; a
 * message longer than msg holds is cut on a character boundary and ends
 * with "...". Returns -1, so that a parser can `return perr_set(...)`. */
int perr_set(struct parse_error *e, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Empty *e (NULL: do nothing): no position, msg "". */
void perr_clear(struct parse_error *e);

#endif
