/* template_int.h — what template.c and template_string.c share; private to
 * src/script/. */
#ifndef LOADTOP_TEMPLATE_INT_H
#define LOADTOP_TEMPLATE_INT_H

#include <jansson.h>

struct buf;

/* Append v to b as interpolation prints it: `top` (the value itself) is
 * String(v), a string bare; inside objects and arrays strings are quoted
 * as JSON.stringify quotes them. Numbers as Number#toString. */
void tpl_put_value(struct buf *b, const json_t *v, int top);

#endif
