#!/usr/bin/env bash
# loadtop watch: one dashboard over the shards' --listen endpoints, in a
# real terminal (tmux). Shards run headless on loopback with one
# --start-at; the watcher's keys reach every shard (POST /control with the
# token); its saved report is the exact merge of what the shards wrote; a
# shard killed mid-run is shown as silent while the others go on; 'q' then
# 'l' leaves the shards running, 'q' then 'y' stops them. Bounded in time.
SUITE=watch
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

SNAPS=$WORK/snaps
mkdir -p "$SNAPS"
start_target main || exit 1
T=http://127.0.0.1:$PORT
printf 'w4tch-token\n' >"$WORK/token"

# shards N DURATION RATE NAME: start N shards of one run, listening on
# ports LP[0..N-1]; their pids in SP[]
shards() {
    local n=$1 d=$2 r=$3 name=$4 at=$(($(date +%s) + 1))
    LP=() SP=()
    for i in $(seq 0 $((n - 1))); do
        LP[$i]=$(free_port)
        timeout -k 2 60 "$BIN" --headless -q --shard "$i/$n" --start-at "$at" \
            --listen "127.0.0.1:${LP[$i]}" --control-token-file "$WORK/token" \
            -o "$WORK/$name$i.json" -r "$r" -d "$d" "$T/up" >"$WORK/$name$i.out" 2>&1 &
        SP[$i]=$!
        pids+=($!)
    done
    for i in $(seq 0 $((n - 1))); do
        poll 5 curl -sf -o /dev/null "http://127.0.0.1:${LP[$i]}/metrics"
    done
}
addrs() { local a=""; for p in "${LP[@]}"; do a="$a 127.0.0.1:$p"; done; echo $a; }
live_state() { curl -s "http://127.0.0.1:$1/snapshot" | jq -r .live.state; }
sum() { local t=0 f; for f in "$@"; do t=$((t + $(counter "$f" "$C"))); done; echo $t; }

# --- bad input ---------------------------------------------------------------------
"$BIN" watch >/dev/null 2>"$WORK/e1"
expect "no address: exit 2" "$?" 2
expect_true "no address: says what to give" "grep -q 'give the shards' $WORK/e1"
"$BIN" watch 'http://x:1' >/dev/null 2>"$WORK/e2"
expect "a URL: exit 2" "$?" 2
expect_true "a URL: is not HOST:PORT" "grep -q 'is not HOST:PORT' $WORK/e2"
"$BIN" watch 127.0.0.1:70000 >/dev/null 2>&1
expect "port 70000: exit 2" "$?" 2
"$BIN" watch --rate 5 127.0.0.1:1 >/dev/null 2>"$WORK/e3"
expect "a run's option: exit 2" "$?" 2
"$BIN" watch 127.0.0.1:1 </dev/null >/dev/null 2>"$WORK/e4"
expect "no terminal: exit 2" "$?" 2
expect_true "no terminal: says so" "grep -q 'needs a terminal' $WORK/e4"
closed=$(free_port)
ui none "$BIN watch 127.0.0.1:$closed"
wait_file "$WORK/none.exit" 10 && expect "nothing answering: exit" "$(cat "$WORK/none.exit")" "EXIT=2"
expect_true "nothing answering: says who and why" \
    "grep -q \"no loadtop snapshot from 127.0.0.1:$closed within 5 s (Couldn't connect\" $WORK/none.err"
finish "bad addresses, no terminal and no shard answering: exit 2 with a reason"

# --- two shards, keys broadcast, the exact merge ----------------------------------------
shards 2 6s 40 two
ui two "$BIN watch --control-token-file $WORK/token --snapshot-dir $SNAPS $(addrs)"
wait_for two 'watch 2 shards' 10 && wait_for two 'RUNNING' 10
wait_for two 'Host of shard [01]' 5
tm send-keys -t two p
wait_for two 'PAUSED' 5
expect "shard 0 paused" "$(live_state "${LP[0]}")" paused
expect "shard 1 paused" "$(live_state "${LP[1]}")" paused
tm send-keys -t two p
wait_for two 'RUNNING' 5
expect "shard 1 resumed" "$(live_state "${LP[1]}")" running
# the shards keep answering after their run until the watcher has seen its end
wait_for two 'finished after' 20
for i in 0 1; do bounded_wait "${SP[$i]}" 10 >/dev/null; done
tm send-keys -t two s
f=""
for _ in $(seq 50); do f=$(ls "$SNAPS"/loadtop-*.json 2>/dev/null | head -1); [ -n "$f" ] && break; sleep 0.1; done
if [ -n "$f" ]; then
    for C in vusers.created vusers.completed http.requests http.responses http.codes.200; do
        expect "$C: the merge of the shards'" "$(counter "$f" "$C")" "$(sum "$WORK/two0.json" "$WORK/two1.json")"
    done
    expect "response time count: the histograms added" \
        "$(jqv "$f" '.aggregate.summaries["http.response_time"].count')" \
        "$(C=http.responses sum "$WORK/two0.json" "$WORK/two1.json")"
    expect "state" "$(jqv "$f" .run.state)" done
    # the shards' full records, merged: as loadtop merge makes them from their -o files
    "$BIN" merge -q "$WORK/two0.json" "$WORK/two1.json" -o "$WORK/two-merged.json" 2>/dev/null
    for k in .aggregate.counters .aggregate.histograms .endpoints '.intermediate | length' \
        '[.timeline[].requests]'; do
        expect "$k as loadtop merge's" "$(jq -cS "$k" "$f")" "$(jq -cS "$k" "$WORK/two-merged.json")"
    done
    expect "arrivals of the plan" "$(counter "$f" vusers.created)" 240
else
    errs+=("no snapshot report in $SNAPS")
fi
for i in 0 1; do
    expect "shard $i: one pause" "$(jqv "$WORK/two$i.json" '[.events[] | select(.kind == "pause")] | length')" 1
    expect "shard $i: one resume" "$(jqv "$WORK/two$i.json" '[.events[] | select(.kind == "resume")] | length')" 1
done
tm send-keys -t two q
wait_file "$WORK/two.exit" 5 && expect "exit status" "$(cat "$WORK/two.exit")" "EXIT=0"
finish "two shards: p pauses and resumes both, the end is seen, s saves their exact merge"

# --- a shard dies: shown silent, the others go on; q y stops them ------------------------
shards 2 40s 20 dies
ui dies "$BIN watch --control-token-file $WORK/token $(addrs)"
wait_for dies 'RUNNING' 10
pkill -9 -P "${SP[1]}" # the shard itself, under timeout(1)
wait "${SP[1]}" 2>/dev/null
wait_for dies "shard 1 \(127.0.0.1:${LP[1]}\) silent for" 10
wait_for dies "last numbers kept" 2
c1=$(screen dies | grep -o '[0-9][0-9]:[0-9][0-9] / 00:40' | head -1)
sleep 2
c2=$(screen dies | grep -o '[0-9][0-9]:[0-9][0-9] / 00:40' | head -1)
expect_true "the clock goes on ($c1, then $c2)" "[ -n '$c1' ] && [ '$c1' != '$c2' ]"
tm send-keys -t dies q
wait_for dies 'Stop all 2 shards \(y\), leave them running \(l\)' 5
tm send-keys -t dies y
bounded_wait "${SP[0]}" 10 >/dev/null
expect "shard 0 stopped by the watcher" "$(jqv "$WORK/dies0.json" .run.state)" interrupted
wait_file "$WORK/dies.exit" 10 && expect "exit status" "$(cat "$WORK/dies.exit")" "EXIT=0"
finish "a shard killed mid-run is shown silent, the view goes on; q y stops the others"

# --- q l leaves them running ---------------------------------------------------------------
shards 1 40s 20 stays
ui stays "$BIN watch --control-token-file $WORK/token $(addrs)"
wait_for stays 'watch 1 shard ' 10
tm send-keys -t stays q
tm send-keys -t stays l
wait_file "$WORK/stays.exit" 5 && expect "exit status" "$(cat "$WORK/stays.exit")" "EXIT=0"
expect "the shard runs on" "$(live_state "${LP[0]}")" running
expect "stopped through /control" "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Authorization: Bearer w4tch-token' -d '{"command":"stop"}' "http://127.0.0.1:${LP[0]}/control")" 202
bounded_wait "${SP[0]}" 10 >/dev/null
# a watcher with the wrong token is told so in the event log
shards 1 20s 20 wrong
printf 'nope\n' >"$WORK/wrong-token"
ui wrong "$BIN watch --control-token-file $WORK/wrong-token $(addrs)"
wait_for wrong 'RUNNING' 10
tm resize-window -t wrong -x 160 -y 40 # the event log wide enough for the reason
tm send-keys -t wrong p
wait_for wrong 'pause: not taken by 127.0.0.1:[0-9]+ \(401' 5
expect "still running" "$(live_state "${LP[0]}")" running
tm send-keys -t wrong q
tm send-keys -t wrong l
wait_file "$WORK/wrong.exit" 5
finish "q l leaves the shards running; a wrong token is said in the event log"

for f in "$WORK"/*.err "$WORK"/*.out; do
    expect_true "no sanitizer report in $(basename "$f")" \
        "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|ThreadSanitizer' '$f'"
done
finish "no sanitizer report"
summary
