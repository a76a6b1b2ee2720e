# tests/lib.sh — helpers shared by the shell suites (redis's
# tests/support/util.tcl is the model). Set SUITE to the suite's name and
# source this file: it moves to the repository's root, sets BIN (the binary
# under test, $LOADTOP or ./loadtop) and WORK (a temp directory), exports
# LOADTOP_SEED=42, and on exit stops every process in `pids` (TERM, then
# KILL past 5 s) and the tmux server if one was started, then removes WORK
# (KEEP=1 keeps it, to look at after a failure). tests/README.md has more.
#
# Results
#   ok NAME / not_ok NAME [DETAIL...]   one result line; details indented below
#   skip NAME WHY                 a test that cannot run here (not counted)
#   expect WHAT ACTUAL EXPECTED   record a mismatch; expect_true WHAT SHELL-TEST
#   finish NAME                   "ok NAME" if nothing was recorded since, else "not ok"
#   summary                       print the totals, write them for `make test`, exit status
# Processes
#   start_target NAME [ARGS...]   `loadtop target` (on 127.0.0.1:0 unless ARGS say --listen);
#                                 sets PORT and TARGET_PID; output in $WORK/target-NAME.out;
#                                 TARGETS lists every "PID:OUTPUT" started
#   run_lt NAME TIMEOUT ARGS...   loadtop --headless -q -o $WORK/NAME.json ARGS; sets RC
#                                 (with -w $WORKERS first when WORKERS is set)
#   bounded_wait PID SECONDS      wait for a background process, kill it past the bound
#   poll SECONDS CMD...           run CMD every 0.05 s until it succeeds (status 1 if never)
#   free_port                     a loopback port that was free a moment ago
#   pids+=($!)                    stop a process started by the suite itself on exit
# Files and reports
#   script NAME                   stdin into $WORK/NAME.yml
#   wait_file FILE [SECONDS]      until FILE is not empty (10 s); a mismatch if it never is
#   jqv FILE EXPR                 one value from a JSON file ("" when there is no file)
#   counter FILE NAME             an aggregate counter, 0 when absent
#   invariant FILE                the accounting identities of a report
# The dashboard, in tmux on a private server (-L: a user's tmux is never touched)
#   tm ARGS...                    tmux on that server
#   ui SESSION COMMAND            COMMAND in a new 100x30 session; its stderr in
#                                 $WORK/SESSION.err, its exit status in $WORK/SESSION.exit;
#                                 the pane stays open after it
#   screen SESSION                the pane's text (capture-pane)
#   wait_for SESSION REGEX [SECONDS]  until the pane shows REGEX (grep -E; 10 s);
#                                 a mismatch showing the screen if it never does
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${LOADTOP:-./loadtop}
# WORKERS=N runs every run_lt with -w N (make test runs the exact-count
# suites so with 2 and 4 workers too); the suite's totals are its own
# TRANSPORT=curl|native does the same with --transport (the default, auto,
# sends plain http:// natively: make test runs the suites with curl too)
SUITE=$SUITE${WORKERS:+-w$WORKERS}${TRANSPORT:+-$TRANSPORT}
WORK=$(mktemp -d "/tmp/loadtop-$SUITE.XXXXXX")
COUNT_FILE=${BUILD_DIR:-build}/$SUITE.count
mkdir -p "$(dirname "$COUNT_FILE")"
pass=0 fail=0 pids=() errs=() TARGETS=()
TM_SOCK=loadtop-$SUITE-$$
export LOADTOP_SEED=42

lib_cleanup() {
    if [ -e "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TM_SOCK" ]; then
        tm kill-server 2>/dev/null
        rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TM_SOCK"
    fi
    local p n=50 left
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    # bounded: whatever ignores TERM for 5 s is killed
    while [ $n -gt 0 ]; do
        left=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
        [ $left = 0 ] && break
        sleep 0.1
        n=$((n - 1))
    done
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "$SUITE: kept $WORK" >&2 || rm -rf "$WORK"
}
trap lib_cleanup EXIT

# --- results -------------------------------------------------------------------
ok() { pass=$((pass + 1)); echo "ok $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok $1"; shift; printf '    %s\n' "$@"; }
skip() { echo "skip $1: $2"; }

expect() { [ "$2" == "$3" ] || errs+=("$1: got '$2', expected '$3'"); }
expect_true() { eval "$2" || errs+=("$1: not true: $2"); }
finish() {
    if [ ${#errs[@]} -eq 0 ]; then ok "$1"; else not_ok "$1" "${errs[@]}"; fi
    errs=()
}

summary() {
    echo "$SUITE: $pass passed, $fail failed"
    echo "$pass $fail" >"$COUNT_FILE"
    [ "$fail" -eq 0 ]
}

# --- processes -----------------------------------------------------------------
start_target() {
    local out="$WORK/target-$1.out"
    shift
    case " $* " in *" --listen "*) ;; *) set -- --listen 127.0.0.1:0 "$@" ;; esac
    "$BIN" target "$@" >"$out" 2>&1 &
    TARGET_PID=$!
    pids+=($TARGET_PID)
    TARGETS+=("$TARGET_PID:$out")
    for _ in $(seq 100); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        kill -0 $TARGET_PID 2>/dev/null || break
        sleep 0.05
    done
    echo "target did not start: $(cat "$out")" >&2
    PORT=""
    return 1
}

run_lt() {
    local name=$1 t=$2
    shift 2
    timeout -k 2 "$t" "$BIN" --headless -q ${WORKERS:+-w "$WORKERS"} \
        ${TRANSPORT:+--transport "$TRANSPORT"} -o "$WORK/$name.json" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    RC=$?
}

bounded_wait() {
    local pid=$1 n=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
    kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; echo "    (killed: still running after $2 s)"; }
    wait "$pid"
}

poll() {
    local n=$(($1 * 20))
    shift
    while [ $n -gt 0 ]; do
        "$@" && return 0
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# --- files and reports -----------------------------------------------------------
script() { cat >"$WORK/$1.yml"; }

wait_file() {
    local end=$((SECONDS + ${2:-10}))
    while [ $SECONDS -lt "$end" ]; do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    errs+=("no $1 after ${2:-10}s")
    return 1
}

jqv() { [ -s "$1" ] && jq -r "$2" "$1"; }
counter() { [ -s "$1" ] && jq -r --arg n "$2" '.aggregate.counters[$n] // 0' "$1"; }

# created = completed + failed; every arrival is created or skipped; the
# skips by cause add up to vusers.skipped.
invariant() {
    local f=$1
    local c=$(counter "$f" vusers.created) d=$(counter "$f" vusers.completed)
    local x=$(counter "$f" vusers.failed) k=$(counter "$f" vusers.skipped)
    local a=$(jqv "$f" '[.phases[].arrivals] | add // 0')
    local ks=$(jqv "$f" '[.aggregate.counters | to_entries[] | select(.key | startswith("loadtop.skipped.")) | .value] | add // 0')
    expect "created = completed + failed" "$c" "$((d + x))"
    expect "arrivals = created + skipped" "$a" "$((c + k))"
    expect "skips by cause = vusers.skipped" "$ks" "$k"
}

# --- the dashboard in tmux ---------------------------------------------------------
tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

ui() {
    tm new-session -d -s "$1" -x 100 -y 30 \
        "$2 2>$WORK/$1.err; echo EXIT=\$? > $WORK/$1.exit; sleep 120"
}

screen() { tm capture-pane -p -t "$1" 2>/dev/null; }

wait_for() {
    local end=$((SECONDS + ${3:-10}))
    while [ $SECONDS -lt "$end" ]; do
        screen "$1" | grep -Eq -- "$2" && return 0
        sleep 0.1
    done
    errs+=("waited ${3:-10}s for /$2/; the screen was:" "$(screen "$1" | sed 's/^/      | /')")
    return 1
}
