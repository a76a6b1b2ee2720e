/* ui.h — the live dashboard (ncursesw). Runs on the main thread, reads the
 * engine's snapshots (engine_snapshot) and steers it with commands
 * (engine_send); it never touches the engine's live state. Only ui/
 * includes curses. */
#ifndef LOADTOP_UI_H
#define LOADTOP_UI_H

#include <signal.h>

#include "engine.h"
#include "source.h"
#include "plan.h"

struct ui_opts {
    int fps;                  /* redraws per second (default 10) */
    const char *snapshot_dir; /* where 's' writes snapshot reports */
    const char *script;       /* shown in the header; NULL in one-URL mode */
    int demo;                 /* --demo: say so in the header */
    const char *report;       /* the report written when the run ends (-o, --report), or NULL:
                                 the dashboard promises only what will be written */
};

/* Run the dashboard until the run is over and the user leaves: after a
 * natural end it stays on the DONE screen until 'q'; after 'q' (confirmed
 * while running) or SIGINT/SIGTERM it asks the engine to stop (a second
 * one aborts) and returns once the engine is done. `sigs` (SIGINT, SIGTERM,
 * SIGUSR1) are blocked by the caller; the UI takes them each frame with a
 * zero-timeout sigtimedwait. SIGUSR1 and 's' write a snapshot (snapfile.h).
 * The terminal is restored on every exit path (also atexit and fatal
 * signals); what was written to stderr while curses owned the screen is
 * printed after. Returns 0, or 3 if the terminal cannot be used. */
int ui_run(const struct source *src, const struct plan *p, const struct ui_opts *o,
           const sigset_t *sigs);

#endif
