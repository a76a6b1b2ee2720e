#!/usr/bin/env bash
# Dashboard tests: the real binary in a detached tmux (a private server, -L,
# so a user's tmux is never touched) against the built-in target. Keys go in
# with send-keys; the screen comes back with capture-pane and is polled for
# the expected text with a deadline (no fixed sleeps for assertions).
# Snapshot reports (the 's' key) give exact counters. Prints "ok"/"not ok"
# lines and "tui: N passed, N failed"; writes the numbers to
# build/tui.count for `make test`.
SUITE=tui
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

SNAPS=$WORK/snaps
mkdir -p "$SNAPS"
nsnaps() { ls "$SNAPS"/loadtop-*.json 2>/dev/null | wc -l; }
# snap SESSION: press 's', wait for the new snapshot file, print its path.
snap() {
    local before end=$((SECONDS + 10))
    before=$(nsnaps)
    tm send-keys -t "$1" s
    while [ $SECONDS -lt "$end" ]; do
        if [ "$(nsnaps)" -gt "$before" ]; then
            ls -t "$SNAPS"/loadtop-*.json | head -1
            return 0
        fi
        sleep 0.1
    done
    return 1
}
created() { jq -r '.aggregate.counters["vusers.created"]' "$1"; }

start_target main || exit 1
cat >"$WORK/three.yml" <<EOT
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - name: "Warm-up phase"
      duration: 60
      arrivalRate: 100
    - name: "Second phase"
      duration: 60
      arrivalRate: 100
    - name: "Third phase"
      duration: 60
      arrivalRate: 100
scenarios:
  - flow:
      - get:
          url: "/up"
EOT

ui main "$BIN --snapshot-dir $SNAPS -o $WORK/main.json $WORK/three.yml"

# --- header ------------------------------------------------------------------
wait_for main 'Warm-up phase \(1/3\)' 15 && wait_for main 'RUNNING'
finish "the header shows the phase name, its place in the plan and the state"

# --- pause: no arrivals while paused -----------------------------------------
tm send-keys -t main p
if wait_for main 'PAUSED'; then
    s1=$(snap main)
    sleep 1.2 # the paused interval being measured
    s2=$(snap main)
    expect_true "two snapshots" "[ -n '$s1' ] && [ -n '$s2' ] && [ '$s1' != '$s2' ]"
    if [ -n "$s1" ] && [ -n "$s2" ]; then
        expect "vusers.created over a paused second" "$(created "$s2")" "$(created "$s1")"
        expect_true "some arrivals before the pause" "[ $(created "$s1") -gt 0 ]"
        expect "pause event" "$(jq -r '[.events[] | select(.kind == "pause")] | length' "$s2")" 1
    fi
fi
tm send-keys -t main p
wait_for main 'RUNNING'
finish "p shows PAUSED and no arrivals are created while paused"

# --- snapshot ----------------------------------------------------------------
f=$(snap main)
expect_true "a snapshot file" "[ -n '$f' ]"
if [ -n "$f" ]; then
    expect "parses, state" "$(jq -r '.run.state' "$f")" "running"
    wait_for main "snapshot saved: $SNAPS/loadtop-"
fi
expect "no temp files left" "$(ls "$SNAPS" | grep -c tmp)" 0
finish "s writes a snapshot report that parses, and says where"

# --- skip --------------------------------------------------------------------
tm send-keys -t main n
wait_for main 'Second phase \(2/3\)'
wait_for main "skipped the rest of phase 1"
finish "n moves to the next phase and logs it"

# --- rate ×1.10 ---------------------------------------------------------------
# medians of arrivals/s from a snapshot's per-second timeline: over 3 s of
# the second phase at 100/s, then at 110/s (without the first second at the
# new rate, which is partly at the old one)
timeline_until() { # JQ-COUNT-EXPR N: take snapshots until the count reaches N
    local end=$((SECONDS + 15)) n=0
    while [ $SECONDS -lt $end ]; do
        f=$(snap main) || break
        n=$(jq "[.timeline[] | $1] | length" "$f")
        [ "$n" -ge "$2" ] && return 0
    done
    errs+=("the timeline never had $2 seconds with $1")
    return 1
}
med='sort | .[length / 2 | floor]'
if timeline_until 'select(.phase == 1 and .targetRate < 105)' 3; then
    tm send-keys -t main +
    wait_for main '[×x]1\.10' && wait_for main 'target 110/s'
    if timeline_until 'select(.targetRate > 105)' 4; then
        b=$(jq "[.timeline[] | select(.phase == 1 and .targetRate < 105) | .arrivals] | $med" "$f")
        a=$(jq "[.timeline[] | select(.targetRate > 105) | .arrivals] | .[1:] | $med" "$f")
        expect_true "arrivals/s rise x1.1 (median $b -> $a)" \
            "[ $((a * 100)) -ge $((b * 105)) ] && [ $((a * 100)) -le $((b * 116)) ]"
    fi
fi
finish "+ shows ×1.10 and the achieved rate rises accordingly"

# --- rate prompt -------------------------------------------------------------
tm send-keys -t main r
wait_for main 'Rate in arrivals/s'
tm send-keys -t main f a s t Enter
wait_for main "not a rate: 'fast'"
tm send-keys -t main r 2 5 0 Enter
wait_for main 'target 250/s'
tm send-keys -t main =
wait_for main 'target 100/s'
finish "r sets an exact rate, refuses a bad one; = goes back to the plan"

# --- resize ------------------------------------------------------------------
tm resize-window -t main -x 40 -y 10
wait_for main 'terminal too small \(need 80.24\)'
tm resize-window -t main -x 100 -y 30
wait_for main 'Second phase \(2/3\)' && wait_for main 'Throughput'
finish "40×10 shows the too-small screen; 100×30 brings the dashboard back"

# --- quit --------------------------------------------------------------------
tm send-keys -t main q
wait_for main 'Stop the test and write the report\? \(y/n\)'
tm send-keys -t main y
if wait_file "$WORK/main.exit" 20; then
    expect "exit status" "$(cat "$WORK/main.exit")" "EXIT=0"
    expect "alternate screen left" "$(tm display -p -t main '#{alternate_on}')" 0
    wait_for main 'Requests/sec: '
    expect_true "dashboard gone" "! screen main | grep -q 'Throughput'"
    expect "report state" "$(jq -r '.run.state' "$WORK/main.json")" "interrupted"
fi
finish "q + y drains, exits 0, restores the terminal and writes the report"

# --- one-URL closed model ----------------------------------------------------
ui closed "$BIN -c 2 -d 30s http://127.0.0.1:$PORT/up"
wait_for closed 'closed model'
tm send-keys -t closed +
wait_for closed 'rate keys apply to scheduled runs'
tm send-keys -t closed p
wait_for closed 'PAUSED'
tm send-keys -t closed p
wait_for closed 'RUNNING'
pid=$(pgrep -P "$(tm display -p -t closed '#{pane_pid}')" loadtop | head -1)
expect_true "the loadtop process" "[ -n '$pid' ]"
# no job-control shell here: Ctrl-Z must not stop the process for good
tm send-keys -t closed C-z
sleep 0.5
expect_true "not stopped by Ctrl-Z without a shell" "[ \"\$(ps -o state= -p ${pid:-0} | tr -d ' ')\" != T ]"
wait_for closed 'RUNNING'
[ -n "$pid" ] && kill -TERM "$pid"
wait_file "$WORK/closed.exit" 20 && expect "exit status after SIGTERM" "$(cat "$WORK/closed.exit")" "EXIT=0"
wait_for closed 'Requests/sec: '
finish "a closed-model run pauses and resumes, says rate keys apply to scheduled runs, shrugs off Ctrl-Z with no shell to resume it; SIGTERM stops it cleanly"

# --- Ctrl-Z and fg, from a shell with job control ---------------------------
tm new-session -d -s susp -x 100 -y 30 "env PS1='sh$ ' bash --norc --noprofile -i"
tm send-keys -t susp "$BIN -c 1 -d 60s http://127.0.0.1:$PORT/up 2>$WORK/susp.err" Enter
wait_for susp 'closed model'
tm send-keys -t susp C-z
wait_for susp 'Stopped'
pid=$(pgrep -P "$(tm display -p -t susp '#{pane_pid}')" loadtop | head -1)
expect "the process state after Ctrl-Z" "$(ps -o state= -p "${pid:-0}" 2>/dev/null | tr -d ' ')" "T"
tm send-keys -t susp "fg" Enter
wait_for susp 'closed model' && wait_for susp 'RUNNING'
tm send-keys -t susp q
wait_for susp 'Stop the test\? \(y/n\)' # no -o: no report promised
tm send-keys -t susp y
wait_for susp 'Requests/sec: ' 20
finish "Ctrl-Z gives the shell back (process stopped); fg brings the dashboard back"

# --- after the end: only live keys, no promise without -o, s saves the final report
ui over "$BIN -r 20 -d 2s --snapshot-dir $SNAPS http://127.0.0.1:$PORT/up"
wait_for over 'finished after .* q leaves and prints the summary .* s saves a report' 15
expect_true "the footer keeps the live keys" "screen over | tail -1 | grep -q 'save .*view .*quit'"
expect_true "and drops the ones that steer arrivals" \
    "! screen over | tail -1 | grep -Eq 'pause|skip|rate|plan'"
f=$(snap over)
expect_true "s saves the final report" "[ -n '$f' ]"
wait_for over "final report saved: $SNAPS/loadtop-"
expect "its state" "$(jq -r '.run.state' "$f" 2>/dev/null)" done
expect "its counts" "$(created "$f" 2>/dev/null)" 40
expect_true "with its renderings" "[ -s '${f%.json}.md' ] && [ -s '${f%.json}.html' ]"
tm send-keys -t over q
wait_file "$WORK/over.exit" 10 && expect "exit status" "$(cat "$WORK/over.exit")" "EXIT=0"
finish "after the end: the footer shows only live keys, nothing promises a report without -o, s saves the final report"

# --- one definition of saturated: the dashboard and the report agree ------------
# A 0.6 s SIGSTOP makes every arrival due meanwhile start late: the schedule
# lag p99 crosses SATURATION_LAG_MS (50 ms) in that interval and in the run.
ui sat "$BIN -r 200 -d 4s --interval 1 -o $WORK/sat.json http://127.0.0.1:$PORT/up"
wait_for sat 'RUNNING' 10
pid=$(pgrep -P "$(tm display -p -t sat '#{pane_pid}')" loadtop | head -1)
sleep 1
[ -n "$pid" ] && kill -STOP "$pid" && sleep 0.6 && kill -CONT "$pid"
wait_for sat 'loadtop is saturated.*schedule lag p99' 5
wait_for sat 'finished after' 15
expect_true "the banner goes when the run is over" "! screen sat | grep -q 'loadtop is saturated'"
tm send-keys -t sat q
wait_file "$WORK/sat.exit" 10
expect_true "the report's lag p99 crosses the line too" \
    "jq -e '.aggregate.summaries[\"loadtop.schedule_lag\"].p99 >= 50' '$WORK/sat.json' >/dev/null"
expect_true "and its findings say the generator was saturated" \
    "'$BIN' report '$WORK/sat.json' | grep -q 'the generator was saturated'"
finish "a run whose lag crosses 50 ms: the dashboard's banner and the report's findings agree"

# --- demo, a failing snapshot, SIGTERM ----------------------------------------
ui demo "$BIN --demo --snapshot-dir /proc/nonexistent"
wait_for demo 'demo' 15 && wait_for demo 'Warm-up \(1/7\)' && wait_for demo 'Peak load'
tm send-keys -t demo s
wait_for demo 'snapshot failed: /proc/nonexistent/loadtop-'
pid=$(pgrep -P "$(tm display -p -t demo '#{pane_pid}')" loadtop | head -1)
expect_true "the demo process" "[ -n '$pid' ]"
[ -n "$pid" ] && kill -TERM "$pid"
wait_file "$WORK/demo.exit" 20 && expect "exit status after SIGTERM" "$(cat "$WORK/demo.exit")" "EXIT=0"
wait_for demo 'Requests/sec: '
finish "--demo runs the demo phases; a failed snapshot says so; SIGTERM stops it cleanly"

# --- wide characters under the help box --------------------------------------
# The help box's border lands on the second half of a CJK character in each
# endpoint row; a full repaint (after a resize) must not shift the rest of
# the row: the border stays in the box's column in every row.
cat >"$WORK/wide.yml" <<EOF
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - duration: 60
      arrivalRate: 5
scenarios:
  - flow:
      - get: { url: "/x日本語日本語日本語/1" }
      - get: { url: "/x日本語日本語日本語/2" }
      - get: { url: "/x日本語日本語日本語/3" }
      - get: { url: "/x日本語日本語日本語/4" }
EOF
ui wide "$BIN $WORK/wide.yml"
# display columns before the first box glyph of each line matching $1
border_cols() {
    screen wide | grep "$1" | while IFS= read -r l; do
        printf '%s' "${l%%[│┌└]*}" | wc -L
    done | sort -u | tr '\n' ' '
}
if wait_for wide 'GET /x' 15; then
    tm send-keys -t wide Tab
    wait_for wide 'p99 +max'
    tm send-keys -t wide '?'
    wait_for wide 'Keys'
    tm resize-window -t wide -x 100 -y 29
    wait_for wide 'Keys'
    tm resize-window -t wide -x 100 -y 30
    wait_for wide 'Keys'
    # the box's bottom corner is on a row with no endpoint: the reference
    box=$(border_cols '└──')
    expect_true "the box's bottom corner is found" "[ -n '$box' ]"
    expect "the border's column in the endpoint rows under the box" "$(border_cols 'GET /x.*[│┌]')" "$box"
fi
tm send-keys -t wide Escape q y
finish "wide characters cut by the help box leave the rest of the row in place"

# --- colours, NO_COLOR, an ASCII locale, a terminal that cannot draw ---------
# ui_term.c writes the terminal's own terminfo strings: what tmux shows
# (capture-pane -e re-encodes it as SGR) must be the roles' colours, no
# colour at all under NO_COLOR, only ASCII in the C locale, and a terminal
# without cursor addressing gets a headless run and a clear line on stderr.
ESC=$'\e'
ui color "$BIN -n 40 -c 1 http://127.0.0.1:$PORT/up"
ui nocolor "env NO_COLOR=1 $BIN -n 40 -c 1 http://127.0.0.1:$PORT/up"
ui ascii "env LC_ALL=C $BIN -n 40 -c 1 http://127.0.0.1:$PORT/up"
ui dumb "env TERM=dumb $BIN -n 40 -c 1 http://127.0.0.1:$PORT/up"
colors() { tm capture-pane -e -p -t "$1" 2>/dev/null; }
if wait_for color 'DONE' && wait_for nocolor 'DONE' && wait_for ascii 'DONE'; then
    expect_true "the 2xx line is green" "colors color | grep -aq '${ESC}\[32m2xx 200'"
    expect_true "panel titles are bold cyan" \
        "colors color | grep -aq '${ESC}\[1m${ESC}\[36mloadtop '"
    expect "colour changes under NO_COLOR" "$(colors nocolor | grep -aEc "${ESC}\[(3|4)[0-7]m")" 0
    expect_true "NO_COLOR still sets titles in bold" "colors nocolor | grep -aq '${ESC}\[1mloadtop '"
    expect_true "the C locale draws the rules in ASCII" "screen ascii | grep -q -- '- Throughput ---'"
    expect "bytes outside ASCII in the C locale" "$(screen ascii | LC_ALL=C grep -c '[^ -~]')" 0
fi
wait_file "$WORK/dumb.exit" && expect "TERM=dumb exit status" "$(cat "$WORK/dumb.exit")" "EXIT=0"
expect_true "TERM=dumb says why it runs headless" \
    "grep -q 'cannot address the cursor (TERM=dumb): running headless' '$WORK/dumb.err'"
expect_true "TERM=dumb prints the summary" "screen dumb | grep -q 'Requests/sec: '"
finish "colours follow the roles; NO_COLOR, an ASCII locale and TERM=dumb are respected"

# --- stderr ------------------------------------------------------------------
# what loadtop wrote to stderr while the dashboard ran comes out after it
expect_true "the start-up line reached stderr" "grep -q 'loadtop .*3 phases' '$WORK/main.err'"
for f in "$WORK"/*.err; do
    expect_true "no sanitizer report in $(basename "$f")" \
        "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$f'"
done
finish "stderr (written before, during and after the dashboard) reaches the file, with no sanitizer report"

# --- worker threads in the host panel --------------------------------------------
ui workers "$BIN -w 3 -c 6 -d 30s -o $WORK/workers.json http://127.0.0.1:$PORT/up"
wait_for workers '3 workers' 15
# the process's CPU, then the busiest worker's (what saturation is judged on)
wait_for workers 'loadtop [0-9]+% w [0-9]+/[0-9]+/[0-9]+%'
tm resize-window -t workers -x 120 -y 40 # tall enough for the host panel's lag row
wait_for workers 'lag p99 \(w[0-2]\)'
wait_for workers 'fds [0-9]+/[0-9]+ rss [0-9.]+[MG]' # loadtop's own memory
pid=$(pgrep -P "$(tm display -p -t workers '#{pane_pid}')" loadtop | head -1)
[ -n "$pid" ] && kill -TERM "$pid"
wait_file "$WORK/workers.exit" 20 && expect "exit status" "$(cat "$WORK/workers.exit")" "EXIT=0"
expect "run.workers" "$(jqv "$WORK/workers.json" .run.workers)" 3
finish "-w 3: the host panel shows 3 workers, each one's CPU, the one furthest behind, loadtop's RSS"

summary
