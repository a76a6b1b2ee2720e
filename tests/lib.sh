# tests/lib.sh — helpers shared by the shell suites (source it after setting
# SUITE to the suite's name). Every process a suite starts through these
# helpers is stopped on exit, and its temp directory removed.
#
#   start_target NAME [ARGS...]   `loadtop target` on a free loopback port; sets PORT
#   run_lt NAME TIMEOUT ARGS...   loadtop --headless -q -o $WORK/NAME.json ARGS; sets RC
#   jqv FILE EXPR                 one value from a JSON file
#   counter FILE NAME             an aggregate counter, 0 when absent
#   expect WHAT ACTUAL EXPECTED   record a mismatch; expect_true WHAT SHELL-TEST
#   finish NAME                   "ok NAME" if nothing was recorded since, else "not ok"
#   invariant FILE                the accounting identities of a report
#   bounded_wait PID SECONDS      wait for a background process, kill it past the bound
#   free_port                     a loopback port that was free a moment ago
#   summary                       print the totals, write them for `make test`, exit status
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${LOADTOP:-./loadtop}
WORK=$(mktemp -d "/tmp/loadtop-$SUITE.XXXXXX")
COUNT_FILE=${BUILD_DIR:-build}/$SUITE.count
mkdir -p "$(dirname "$COUNT_FILE")"
pass=0 fail=0 pids=() errs=()
export LOADTOP_SEED=42

lib_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap lib_cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok $1"; shift; printf '    %s\n' "$@"; }

start_target() {
    local out="$WORK/target-$1.out"
    shift
    "$BIN" target --listen 127.0.0.1:0 "$@" >"$out" 2>&1 &
    pids+=($!)
    TARGET_PID=$!
    for _ in $(seq 100); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "target did not start: $(cat "$out")" >&2
    return 1
}

jqv() { jq -r "$2" "$1"; }
counter() { jq -r --arg n "$2" '.aggregate.counters[$n] // 0' "$1"; }

expect() { [ "$2" == "$3" ] || errs+=("$1: got '$2', expected '$3'"); }
expect_true() { eval "$2" || errs+=("$1: not true: $2"); }
finish() {
    if [ ${#errs[@]} -eq 0 ]; then ok "$1"; else not_ok "$1" "${errs[@]}"; fi
    errs=()
}

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

run_lt() {
    local name=$1 t=$2
    shift 2
    timeout -k 2 "$t" "$BIN" --headless -q -o "$WORK/$name.json" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    RC=$?
}

bounded_wait() {
    local pid=$1 n=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
    kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; echo "    (killed: still running after $2 s)"; }
    wait "$pid"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

summary() {
    echo "$SUITE: $pass passed, $fail failed"
    echo "$pass $fail" >"$COUNT_FILE"
    [ "$fail" -eq 0 ]
}
