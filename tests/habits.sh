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
finish "-q prints the final summary, nothing else"

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

summary
