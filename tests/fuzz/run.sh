#!/usr/bin/env bash
# tests/fuzz/run.sh — runs the libFuzzer harnesses built by `make fuzz-build`
# (make fuzz / make fuzz-smoke call it; see tests/fuzz/README.md).
#
#   run.sh fuzz SECONDS   each harness for SECONDS, one after the other (one
#                         process: the machine is shared). New inputs go to
#                         build-fuzz/corpus/NAME/ (the committed corpus is
#                         read, never written), crashes, timeouts and OOMs to
#                         build-fuzz/crashes/NAME/. FUZZ_KEEP_GOING=1 fuzzes
#                         on past crashes (-fork=1 -ignore_crashes=1 ...), to
#                         collect several at once.
#   run.sh smoke          every input under tests/fuzz/regress/NAME/ one by
#                         one, every harness over its committed corpus, then
#                         a few seconds of fuzzing each: within a minute.
#
# tests/fuzz/regress/OPEN lists the inputs whose fix belongs to another
# branch, one a line: "HARNESS/FILE FUNCTION@src/FILE.c what is wrong". They
# are expected to fail: they print "open", and "fixed" once they pass (then
# delete the line); a smoke run that crashes with such a top frame again is
# "open" too. Exit 1 when anything else failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${FUZZ_BUILD:-build-fuzz}
MODE=${1:-}
SECONDS_EACH=${2:-60}
HARNESSES=${FUZZERS:-fuzz_script fuzz_cli fuzz_report fuzz_expr fuzz_response}
SMOKE_SECONDS=${SMOKE_SECONDS:-8}
COMMON=(-max_len=65536 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3)
export TMPDIR="$PWD/$B/tmp" # fuzz_script's payload files; left behind only by a crash
mkdir -p "$TMPDIR"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

dict() { [ -f "tests/fuzz/$1.dict" ] && echo "-dict=tests/fuzz/$1.dict"; }

# Executions in a libFuzzer log: the final stats, else (fork mode) the last
# "#N" status line.
execs() {
    awk '/^stat::number_of_executed_units:/ { n = $2 }
         /^#[0-9]+/ { sub(/^#/, "", $1); sub(/:$/, "", $1); if ($1 + 0 > f) f = $1 + 0 }
         END { print (n ? n : f) + 0 }' "$1"
}

is_open() { grep -qx "$1" <(awk '{ print $1 }' tests/fuzz/regress/OPEN 2>/dev/null); }

# "FUNCTION@src/FILE.c" of the first frame in the project's code in a crash log.
top_frame() {
    sed -n 's|^ *#[0-9]* 0x[0-9a-f]* in \([^ ]*\) [^ ]*/\(src/[^/: ]*\.c\):.*|\1@\2|p' "$1" | head -1
}

# The crash in log $2 of harness $1 is a known open one.
open_crash() {
    local f
    f=$(top_frame "$2")
    [ -n "$f" ] && awk -v h="$1/" -v f="$f" 'index($1, h) == 1 && $2 == f { ok = 1 } END { exit !ok }' \
        tests/fuzz/regress/OPEN 2>/dev/null
}

show_crash() {
    grep -m1 -A14 'ERROR: \|runtime error\|ALARM\|out-of-memory\|deadly signal' "$1" |
        grep -v '^INFO' | head -16
}

fail=0
case $MODE in
fuzz)
    for h in $HARNESSES; do
        mkdir -p "$B/corpus/$h" "$B/crashes/$h"
        extra=()
        [ "${FUZZ_KEEP_GOING:-0}" = 1 ] &&
            extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
        before=$(ls "$B/crashes/$h" | wc -l)
        start=$(date +%s)
        "$B/$h" "${COMMON[@]}" $(dict "$h") "${extra[@]}" -max_total_time="$SECONDS_EACH" \
            -print_final_stats=1 -artifact_prefix="$B/crashes/$h/" \
            "$B/corpus/$h" "tests/fuzz/corpus/$h" >"$B/$h.log" 2>&1
        rc=$?
        secs=$(($(date +%s) - start))
        n=$(execs "$B/$h.log")
        found=$(($(ls "$B/crashes/$h" | wc -l) - before))
        corpus=$(find "$B/corpus/$h" "tests/fuzz/corpus/$h" -type f | wc -l)
        size=$(du -cb "$B/corpus/$h" "tests/fuzz/corpus/$h" | tail -1 | cut -f1)
        echo "$h: $n execs in ${secs} s ($((n / (secs > 0 ? secs : 1))) exec/s), corpus $corpus files ($((size / 1024)) KiB), $found new crash files (rc $rc)"
        if [ $rc != 0 ] || [ "$found" != 0 ]; then
            fail=1
            show_crash "$B/$h.log"
            echo "  log: $B/$h.log, inputs: $B/crashes/$h/"
        fi
    done
    ;;
smoke)
    t0=$(date +%s)
    for h in $HARNESSES; do
        for f in tests/fuzz/regress/"$h"/*; do
            [ -f "$f" ] || continue
            name=$h/$(basename "$f")
            if "$B/$h" "${COMMON[@]}" "$f" >"$B/regress.log" 2>&1; then
                if is_open "$name"; then
                    echo "fixed $name (now passes: delete its line in tests/fuzz/regress/OPEN)"
                else
                    echo "ok $name"
                fi
            elif is_open "$name"; then
                echo "open $name (listed in tests/fuzz/regress/OPEN)"
            else
                echo "not ok $name"
                show_crash "$B/regress.log"
                fail=1
            fi
        done
    done
    for h in $HARNESSES; do
        rm -rf "$B/smoke/$h"
        mkdir -p "$B/smoke/$h" "$B/crashes/$h"
        # every corpus input runs first (the time limit counts from then on)
        if "$B/$h" "${COMMON[@]}" $(dict "$h") -max_total_time="$SMOKE_SECONDS" \
            -artifact_prefix="$B/crashes/$h/" "$B/smoke/$h" "tests/fuzz/corpus/$h" \
            >"$B/$h.smoke.log" 2>&1; then
            echo "ok $h (corpus replayed, $(execs "$B/$h.smoke.log") execs in ${SMOKE_SECONDS} s)"
        elif open_crash "$h" "$B/$h.smoke.log"; then
            echo "open $h: crashed in $(top_frame "$B/$h.smoke.log"), a known open bug (tests/fuzz/regress/OPEN)"
        else
            echo "not ok $h (log: $B/$h.smoke.log, inputs: $B/crashes/$h/)"
            show_crash "$B/$h.smoke.log"
            fail=1
        fi
    done
    echo "fuzz-smoke: $(($(date +%s) - t0)) s"
    ;;
*)
    echo "usage: $0 fuzz SECONDS | smoke" >&2
    exit 2
    ;;
esac
exit $fail
