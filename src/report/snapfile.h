/* snapfile.h — snapshot reports on demand ('s' key, SIGUSR1): choose the
 * file name, ask the engine for the report of the run so far, and write it
 * atomically when it is ready. Shared by the dashboard and headless mode;
 * main thread only. */
#ifndef LOADTOP_SNAPFILE_H
#define LOADTOP_SNAPFILE_H

#include <stddef.h>

#include <jansson.h>

#include "checks.h"
#include "engine.h"
#include "source.h"
#include "plan.h"

/* Ask the source (an engine, or loadtop watch's shards) for a snapshot to be written to
 * DIR/loadtop-YYYYMMDD-HHMMSS.json (a -N suffix if that name is taken),
 * with its .md and .html renderings. Returns 0 (asked: snapfile_poll
 * writes it when it comes), or, once the engine is done, 1 after writing
 * the final report there at once (msg says where); -1 with a reason in
 * msg (path too long, a write failed). */
int snapfile_request(const struct source *src, const char *dir, char *msg, size_t n);

/* If a requested report is ready, write it (temp file + rename) as
 * PATH.json with its Markdown and HTML renderings beside it (PATH.md,
 * PATH.html), and put "snapshot saved: PATH" or "snapshot failed: PATH:
 * reason" in msg (a failure is also recorded in the run's events). Returns 1
 * if a report was handled (msg set), 0 if none was ready, -1 if one failed. */
int snapfile_poll(const struct source *src, char *msg, size_t n);

/* Write `report` to `path` in the format its name asks for
 * (render_format_of): Markdown for .md, HTML for .html, else JSON (the
 * same bytes every time for the same report). Returns 0 or -1 after a
 * message. */
int snapfile_write_report(const char *path, const json_t *report);

/* Write `text` to `path` atomically; on failure print
 * "loadtop: cannot write PATH: reason" to stderr and return -1. */
int snapfile_write(const char *path, const char *text);

#endif
