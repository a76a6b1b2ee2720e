/* render.c — see render.h; render_int.h maps the parts. This file makes the
 * page around the sections: the title, the HTML head with its style sheet,
 * the cards, the footer. Every number goes through a fixed printf format
 * (numfmt.c): the output depends on the JSON only. */
#include "render.h"

#include <string.h>
#include <strings.h>

#include "render_int.h"

/* ---- the HTML page ----------------------------------------------------------- */

static const char css[] =
    ":root{--fg:#1e293b;--muted:#64748b;--line:#e2e8f0;--accent:#2563eb}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f1f5f9;color:var(--fg);font:15px/1.55 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:28px 24px 48px}\n"
    "h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}\n"
    ".sub{color:var(--muted);margin:0 0 18px}\n"
    "section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 24px;"
    "margin:16px 0}\n"
    "h2{font-size:19px;margin:0 0 12px;padding-bottom:8px;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:15px;margin:18px 0 8px}\n"
    "ul{margin:6px 0 10px;padding-left:20px}li{margin:3px 0}\n"
    "p{margin:8px 0}\n"
    ".tw{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums;"
    "margin:8px 0}\n"
    "th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f8fafc;font-weight:600;white-space:nowrap;color:#334155}\n"
    "th.r,td.r{text-align:right;white-space:nowrap}\n"
    "td:last-child code{white-space:nowrap}\n"
    "#phases td:nth-child(2){white-space:nowrap}\n"
    "td.ok{color:#15803d;font-weight:600}td.fail{color:#b91c1c}td.warn{color:#b45309}\n"
    "code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;"
    "padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}\n"
    ".cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}\n"
    ".card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px}\n"
    ".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}\n"
    ".card .v{font-size:22px;font-weight:650;margin-top:2px}\n"
    ".card .s{color:var(--muted);font-size:12.5px}\n"
    ".card.bad .v{color:#b91c1c}.card.good .v{color:#15803d}\n"
    "figure{margin:18px 0 6px}\n"
    "figcaption{font-weight:600;font-size:14px;margin-bottom:6px}\n"
    "svg{width:100%;height:auto;display:block}\n"
    "#capacity{border-left:4px solid var(--accent)}\n"
    "svg text{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;"
    "font-size:11px;fill:#475569}\n"
    "svg .axl{font-size:12px;fill:#334155}\n"
    "svg .grid{stroke:#e2e8f0}svg .minor{stroke:#f1f5f9}\n"
    "svg .axis,svg .tick{stroke:#94a3b8}\n"
    "svg .band1{fill:#f8fafc}svg .band2{fill:#eef2f7}\n"
    "svg .psep{stroke:#cbd5e1;stroke-dasharray:2 3}\n"
    "svg .pause{fill:#cbd5e1;fill-opacity:.55}\n"
    "svg .plab{fill:#64748b;font-size:11px}\n"
    "svg .ref{stroke:#64748b;stroke-dasharray:5 3;stroke-width:1.5}\n"
    "svg .ev line{stroke:#7c3aed;stroke-dasharray:3 3}svg .ev circle{fill:#7c3aed}\n"
    "svg .ev text{fill:#fff;font-size:10px;font-weight:600}\n"
    ".grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}\n"
    ".note{color:var(--muted);font-size:12.5px;font-weight:400}\n"
    ".toggle{margin-top:14px}\n"
    ".toggle input{position:absolute;opacity:0}\n"
    ".toggle label{display:inline-block;padding:1px 10px;border:1px solid var(--line);"
    "font-size:12px;cursor:pointer;color:var(--muted);margin-left:4px;border-radius:4px}\n"
    ".toggle input:checked + label{background:var(--accent);border-color:var(--accent);"
    "color:#fff}\n"
    ".lat-log{display:none}\n"
    "#lat-log:checked ~ .lat-lin{display:none}\n"
    "#lat-log:checked ~ .lat-log{display:block}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center;margin-top:20px}\n"
    "@media (max-width:800px){.cards{grid-template-columns:repeat(2,1fr)}"
    ".grid2{grid-template-columns:1fr}}\n";

/* ---- entry points ---------------------------------------------------------- */

static char *render(const json_t *run, int html)
{
    struct doc d = {.html = html};
    struct render_ctx x = {.d = &d, .run = run};
    x.agg = render_get(run, "aggregate");
    x.counters = render_get(x.agg, "counters");
    x.requests = render_counter(x.counters, "http.requests");
    x.failures = json_is_object(x.counters) ? (double)capacity_failures(x.counters) : NAN;
    x.elapsed = render_num(render_get(run, "run"), "elapsed");
    x.paused = render_num(render_get(run, "run"), "paused");
    if (!(x.paused > 0 && x.paused < x.elapsed))
        x.paused = 0;
    capacity_analyze(run, &x.cap);
    capacity_prose(&x.cap, &x.capt);
    if (html)
        timeline_load(&x.tl, run);

    const json_t *r = render_get(run, "run");
    const char *title = doc_printf(&d, "Load test report: %s", sections_title(&x));
    const char *sub = doc_printf(
        &d, "Run of %s, %s; made by loadtop %s.", doc_date(&d, render_str(r, "startedAt")),
        render_str(r, "state") ? doc_md(&d, render_str(r, "state")) : "state n/a",
        render_str(r, "version") ? doc_md(&d, render_str(r, "version")) : "(version n/a)");
    if (!html) {
        buf_printf(&d.b, "# %s\n\n%s\n\n", title, sub);
    } else {
        buf_puts(&d.b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                       "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta "
                       "name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                       "<title>");
        doc_inline(&d.b, title);
        buf_printf(&d.b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
        doc_inline(&d.b, title);
        buf_puts(&d.b, "</h1>\n<p class=\"sub\">");
        doc_inline(&d.b, sub);
        buf_puts(&d.b, "</p>\n");
        sections_cards(&x);
    }
    sections_write(&x);
    doc_end_list(&d);
    if (html) {
        buf_puts(&d.b, "</section>\n<footer>Rendered by loadtop from the run's JSON report; "
                       "self-contained, no scripts.</footer>\n</main>\n</body>\n</html>\n");
        timeline_free(&x.tl);
    } else {
        /* one trailing newline, not the blank line every block leaves */
        while (d.b.len > 1 && d.b.data[d.b.len - 1] == '\n' && d.b.data[d.b.len - 2] == '\n')
            d.b.data[--d.b.len] = '\0';
    }
    capacity_free(&x.cap);
    doc_free(&d);
    return d.b.data;
}

char *render_markdown(const json_t *run)
{
    return render(run, 0);
}

char *render_html(const json_t *run)
{
    return render(run, 1);
}

enum render_format render_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return RENDER_UNKNOWN;
    if (!strcasecmp(dot, ".json"))
        return RENDER_JSON;
    if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
        return RENDER_MARKDOWN;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
        return RENDER_HTML;
    return RENDER_UNKNOWN;
}
