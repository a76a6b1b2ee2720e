/* watchcmd.h — the `loadtop watch` command (see watch.h for what it does). */
#ifndef LOADTOP_WATCHCMD_H
#define LOADTOP_WATCHCMD_H

#include "cli.h"

/* Run the dashboard over o->inputs (HOST:PORT each) until the user leaves.
 * Returns the process's exit status: 0, 2 (no terminal, an unreadable
 * token file, no shard answering) or 3 (the terminal failed). */
int watch_command(const struct options *o);

#endif
