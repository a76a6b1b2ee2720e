#!/usr/bin/env bash
# What users of curl, oha, wrk, hey, k6 and Artillery expect, end to end:
# the summary with -q, --json on stdout, a saved report printed, the
# command line's corrections, and numbers that stay right when a run is
# paused or stopped by -n.
SUITE=habits
. "$(dirname "$0")/lib.sh"

start_target main || exit 1
T=http://127.0.0.1:$PORT

# --- -q prints the final summary (a CI log must say how the run went) --------
timeout -k 2 20 "$BIN" --headless -q -n 20 -c 2 "$T/up" >"$WORK/q.out" 2>"$WORK/q.err"
expect "exit code" "$?" 0
expect_true "the summary is on stdout" "grep -q '^Summary report' '$WORK/q.out'"
expect_true "with the counts" "grep -q 'http.codes.200: .* 20$' '$WORK/q.out'"
expect "no progress or banner on stderr" "$(cat "$WORK/q.err")" ""
expect_true "and the lines a wrk/oha user looks for" "grep -q '^  Requests/sec: ' '$WORK/q.out'"
timeout -k 2 20 "$BIN" --headless -q --latency -n 50 -c 2 "$T/up" >"$WORK/lat.out" 2>&1
expect "--latency: exit code" "$?" 0
expect_true "--latency adds the distribution" "grep -q '^Latency distribution' '$WORK/lat.out'"
expect_true "the summary fits 24 lines" \
    "[ \$(sed -n '/^Summary:/,\$p' '$WORK/lat.out' | wc -l) -le 24 ]"
finish "-q prints the final summary, nothing else; --latency its distribution, in 24 lines"

# --- --json: the report on stdout for a pipe, the summary on stderr ---------
timeout -k 2 20 "$BIN" --headless --json -n 20 -c 2 "$T/up" >"$WORK/j.out" 2>"$WORK/j.err"
expect "exit code" "$?" 0
expect "stdout is the JSON report" "$(jq -r '.aggregate.counters["http.codes.200"]' "$WORK/j.out")" 20
expect_true "the summary went to stderr" "grep -q '^Summary report' '$WORK/j.err'"
finish "--json prints the JSON report on stdout, the summary on stderr"

# --- loadtop report RUN.json without -o prints the Markdown ------------------
"$BIN" report "$WORK/j.out" >"$WORK/r.md" 2>"$WORK/r.err"
expect "exit code" "$?" 0
expect_true "Markdown on stdout" "grep -q '^# Load test report' '$WORK/r.md'"
finish "loadtop report RUN.json, with no -o, prints the Markdown"

# --- a URL without its scheme is http://, as curl takes it --------------------
timeout -k 2 20 "$BIN" --headless -q -n 5 -c 1 -o "$WORK/s.json" "127.0.0.1:$PORT/up" \
    >/dev/null 2>"$WORK/s.err"
expect "exit code" "$?" 0
expect "the note" "$(cat "$WORK/s.err")" "loadtop: taking '127.0.0.1:$PORT/up' as $T/up"
expect "it ran" "$(counter "$WORK/s.json" http.codes.200)" 5
timeout -k 2 10 "$BIN" --demo -d 3s >/dev/null 2>"$WORK/demo.err"
expect "--demo -d 3s is refused" "$?" 2
expect_true "and says why" "grep -q 'duration applies to one-URL runs' '$WORK/demo.err'"
finish "a URL without scheme runs as http:// with a note; --demo refuses one-URL options"

# --- -o follows the file's extension, as --report does ------------------------
timeout -k 2 20 "$BIN" --headless -q -n 10 -c 2 -o "$WORK/o.md" "$T/up" \
    >/dev/null 2>&1
expect "exit code" "$?" 0
expect_true "-o x.md is Markdown" "head -1 '$WORK/o.md' | grep -q '^# Load test report'"
expect_true "and not the JSON" "! jq . '$WORK/o.md' >/dev/null 2>&1"
timeout -k 2 20 "$BIN" --headless -q -n 10 -c 2 -o "$WORK/o.html" "$T/up" >/dev/null 2>&1
expect_true "-o x.html is HTML" "head -1 '$WORK/o.html' | grep -qi '^<!DOCTYPE html'"
timeout -k 2 20 "$BIN" --headless -q -n 10 -c 2 -o "$WORK/o.out" "$T/up" >/dev/null 2>&1
expect "any other name is JSON" "$(counter "$WORK/o.out" http.codes.200)" 10
finish "-o writes Markdown for .md, HTML for .html, JSON otherwise"

# --- -n: the run's real length and rate, not a planned duration of 0 s ---------
timeout -k 2 20 "$BIN" --headless -n 100 -c 4 -o "$WORK/n.json" --report "$WORK/n.md" "$T/up" \
    >"$WORK/n.out" 2>"$WORK/n.err"
expect "exit code" "$?" 0
expect "the banner plans requests" "$(head -1 "$WORK/n.err" | sed 's/.*, //')" "100 requests planned"
expect_true "the report too" "grep -q 'Duration\*\*: .* (planned 100 requests)' '$WORK/n.md'"
expect "no planned duration in the JSON" "$(jq '.plan.duration' "$WORK/n.json")" null
# the rate is requests over the real elapsed time (Artillery's 1 s minimum made it 100/sec)
expect_true "the rate is over the real elapsed time" \
    "jq -e '.aggregate | .rates[\"http.request_rate\"] * (.lastMetricAt - .firstMetricAt) / 100000
            | . > 0.95 and . < 1.05' '$WORK/n.json' >/dev/null"
finish "-n: the banner and the report plan 100 requests; the rate is over the real time"

summary
