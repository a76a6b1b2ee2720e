/* watchcmd.c — `loadtop watch HOST:PORT...`: the dashboard over the runs
 * behind those --listen addresses (watch.h), its keys sent to all of them. */
#include "watchcmd.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine.h"
#include "listen.h"
#include "ui.h"
#include "util.h"
#include "watch.h"

int watch_command(const struct options *o)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "loadtop watch: it is a dashboard and needs a terminal (for numbers: "
                        "curl HOST:PORT/snapshot, or loadtop merge on the shards' reports)\n");
        return EXIT_USAGE;
    }
    char *token = NULL;
    if (o->control_token_file && !(token = listen_read_token(o->control_token_file)))
        return EXIT_USAGE;
    /* blocked before the watch thread starts, so that only the dashboard takes them */
    sigset_t sigs;
    signals_block(&sigs);
    engine_global_init();
    struct watch_opts wo = {.hosts = o->inputs, .nhosts = o->ninputs, .token = token};
    char err[400];
    struct watch *w = watch_start(&wo, err, sizeof err);
    if (!w) {
        fprintf(stderr, "loadtop watch: %s\n", err);
        free(token);
        return EXIT_USAGE;
    }
    const struct plan *p = watch_plan(w);
    struct ui_opts uo = {.fps = o->fps, .snapshot_dir = o->snapshot_dir, .script = p->script};
    struct source src = watch_source(w);
    int rc = ui_run(&src, p, &uo, &sigs);
    watch_free(w);
    free(token);
    return rc ? EXIT_FATAL : EXIT_RAN;
}
