/* render.h — the human reports, made from a parsed JSON report (report.c's
 * shape) alone: Markdown in the shape of a hand-written load-test report
 * (Test overview, Phases, Key metrics, Endpoint breakdown, System resource
 * impact, Capacity findings, Thresholds, Events; GitHub tables), and one
 * self-contained XHTML-compatible HTML file with the same tables plus inline
 * SVG charts (rate vs target with phase bands and event markers, latency
 * linear/log, errors/s stacked by name, status classes, CPU, load). No
 * network, scripts or fonts. Pure and deterministic: the same JSON gives
 * byte-identical output, so render the end-of-run report from the JSON text
 * re-parsed (not from memory) to let `loadtop report` reproduce it. Missing
 * keys print as "n/a". Results are heap strings the caller frees. */
#ifndef LOADTOP_RENDER_H
#define LOADTOP_RENDER_H

#include <jansson.h>

char *render_markdown(const json_t *run);
char *render_html(const json_t *run);

enum render_format { RENDER_UNKNOWN, RENDER_JSON, RENDER_MARKDOWN, RENDER_HTML };
/* What a file is by its name's extension: .json, .md (.markdown), .html or .htm
 * (case-insensitive); RENDER_UNKNOWN otherwise (no extension, one in a
 * directory's name). The one place that decides it: `-o FILE`, `--report FILE`,
 * `loadtop report -o FILE` and the snapshot renderings all ask here. */
enum render_format render_format_of(const char *path);

#endif
