/* saved.h — the commands on saved JSON reports: `loadtop report` renders
 * one as Markdown or HTML, `loadtop merge` makes the shards' reports one
 * (merge.h) and evaluates the plan's checks on it. Each returns the
 * process's exit status (main.c's: 0 ran, 1 a strict check failed, 2 bad
 * input, 3 a report could not be written). */
#ifndef LOADTOP_SAVED_H
#define LOADTOP_SAVED_H

#include "cli.h"

/* loadtop report RUN.json [-o OUT.md|OUT.html]: no -o, Markdown on stdout. */
int saved_render(const char *in, const char *out);
/* loadtop merge SHARD.json... [-o RUN.json] [--report F.md|F.html]...:
 * refuses shards missing or of another plan with a clear error (2). */
int saved_merge(const struct options *o);

#endif
