#!/usr/bin/env bash
# Worker threads (-w): one schedule dealt between them, one exact merged
# view. The same plan run with -w 1, 2 and 4 gives identical counters
# (arrivals, per phase, per scenario, status codes, errors: LOADTOP_SEED
# fixes the per-arrival random streams, so weights pick the same scenarios
# whatever the worker count); the shared semantics stay global (CSV rows in
# sequence, maxVusers, before/after captures, -n, the pool); the number of
# workers follows the documented rule. The built-in target on 127.0.0.1.
SUITE=workers
. "$(dirname "$0")/lib.sh"

start_target main || exit 1
T=http://127.0.0.1:$PORT

# What must not depend on the worker count: counters that count things
# (not bytes of timing), per-phase arrivals, per-endpoint requests.
digest() {
    jq -cS '{c: (.aggregate.counters | with_entries(select(.key |
                 test("^(vusers\\.|http\\.codes\\.|http\\.requests$|http\\.responses$|errors\\.|loadtop\\.skipped)")))),
             p: [.phases[] | [.name, .arrivals, .planned]],
             e: [.endpoints[] | [.name, .counters["http.requests"], .counters["http.responses"]]]}' "$1"
}

# --- one mixed plan, -w 1 / 2 / 4 ------------------------------------------------
script mixed <<EOT
config:
  target: "$T"
  phases:
    - duration: 2
      arrivalRate: 40
      name: constant
    - duration: 2
      arrivalRate: 10
      rampTo: 60
      name: ramp
    - pause: 1
      name: rest
    - duration: 1
      arrivalCount: 30
      name: count
scenarios:
  - name: main
    weight: 70
    flow:
      - get: {url: "/up"}
      - get: {url: "/status/503"}
  - name: broken
    weight: 20
    flow:
      - get: {url: "/reset"}
  - name: health
    weight: 10
    flow:
      - post: {url: "/api/contracts/analyze-demo", json: {contract: "0xabc"}}
EOT
for w in 1 2 4; do
    run_lt "mixed$w" 40 -w "$w" "$WORK/mixed.yml"
    expect "-w $w exit code" "$RC" 0
    expect "-w $w run.workers" "$(jqv "$WORK/mixed$w.json" .run.workers)" "$w"
    invariant "$WORK/mixed$w.json"
done
f=$WORK/mixed1.json
expect "arrivals (80 + 70 + 0 + 30)" "$(counter "$f" vusers.created)" 180
expect "phase arrivals" "$(jqv "$f" '[.phases[].arrivals] | join(",")')" "80,70,0,30"
expect "ECONNRESET = the broken scenario's VUs" "$(counter "$f" errors.ECONNRESET)" \
    "$(counter "$f" vusers.created_by_name.broken)"
d1=$(digest "$WORK/mixed1.json")
expect "-w 2 counters = -w 1" "$(digest "$WORK/mixed2.json")" "$d1"
expect "-w 4 counters = -w 1" "$(digest "$WORK/mixed4.json")" "$d1"
m=$(counter "$f" vusers.created_by_name.main)
# binomial, n = 180, p = 0.7: sd 6.1; allow 5 of them
expect_true "main ~126 (got $m)" "[ $m -ge 96 ] && [ $m -le 156 ]"
finish "-w 1, 2, 4: identical counters per phase, scenario, status and error (180 arrivals)"

# --- closed model: -c split between workers, -n exact ----------------------------
for w in 1 2 4; do
    run_lt "closed$w" 30 -w "$w" -n 1000 -c 8 "$T/up"
    expect "-w $w http.requests" "$(counter "$WORK/closed$w.json" http.requests)" 1000
    expect "-w $w http.codes.200" "$(counter "$WORK/closed$w.json" http.codes.200)" 1000
    expect "-w $w run.workers" "$(jqv "$WORK/closed$w.json" .run.workers)" "$w"
    invariant "$WORK/closed$w.json"
done
run_lt closed_few 30 -w 4 -n 90 -c 3 "$T/up"
expect "-c 3 -w 4: a connection each, 3 workers" "$(jqv "$WORK/closed_few.json" .run.workers)" 3
expect "-c 3 -w 4: requests" "$(counter "$WORK/closed_few.json" http.requests)" 90
finish "closed model: -n 1000 -c 8 exact with -w 1, 2, 4; never more workers than connections"

# --- CSV order: sequence is one global row index -----------------------------------
printf 'username,password\nalice,a1\nbob,b2\ncarol,c3\n' >"$WORK/users.csv"
script csv <<EOT
config:
  target: "$T"
  phases:
    - duration: 2
      arrivalCount: 12
  payload:
    path: users.csv
    fields: [username, password]
    skipHeader: true
    order: sequence
scenarios:
  - flow:
      - get: {url: "/echo?p={{ password }}"}
      - log: "row {{ password }}"
EOT
run_lt csv 30 -w 3 "$WORK/csv.yml"
f=$WORK/csv.json
expect "exit code" "$RC" 0
# arrivals 1/6 s apart, dealt round robin: the log shows the rows in order
expect "rows in arrival order across 3 workers" \
    "$(jqv "$f" '[.events[] | select(.kind == "log") | .text] | join("|")')" \
    "row a1|row b2|row c3|row a1|row b2|row c3|row a1|row b2|row c3|row a1|row b2|row c3"
finish "a CSV payload in sequence over 3 workers: one global row index"

# --- before/after once, on worker 0; their captures seen by every worker ---------
script hooks <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 8
  plugins:
    expect: {}
before:
  flow:
    - post:
        url: /login
        json: {username: setup}
        capture: {json: "\$.token", as: adminToken}
scenarios:
  - flow:
      - get:
          url: /echo
          headers: {X-Admin: "{{ adminToken }}"}
          capture: {json: "\$.headers['x-admin']", as: seen}
          expect:
            - equals: ["{{ seen }}", "{{ adminToken }}"]
after:
  flow:
    - get: {url: "/echo?bye={{ adminToken }}"}
EOT
run_lt hooks 30 -w 4 "$WORK/hooks.yml"
f=$WORK/hooks.json
expect "exit code" "$RC" 0
expect "http.requests (VUs only)" "$(counter "$f" http.requests)" 8
expect "every VU saw before's token" "$(counter "$f" plugins.expect.ok)" 8
expect "hook events, once each" \
    "$(jqv "$f" '[.events[] | select(.kind == "hook") | .text] | join(",")')" \
    "before: running,before: done,after: running,after: done"
finish "before/after run once with -w 4, and every worker's VUs see their captures"

# --- maxVusers is one global count -------------------------------------------------
# Arrivals every 250 ms, each VU 600 ms long, at most 2 at once:
# created at 0, .25, .75, 1.0, 1.5, 1.75 s; skipped at .5 and 1.25 s.
script maxvu <<EOT
config:
  target: "$T"
  phases:
    - duration: 2
      arrivalRate: 4
      maxVusers: 2
scenarios:
  - flow:
      - get: {url: "/delay/600"}
EOT
for w in 1 2; do
    run_lt "maxvu$w" 30 -w "$w" "$WORK/maxvu.yml"
    f=$WORK/maxvu$w.json
    expect "-w $w created" "$(counter "$f" vusers.created)" 6
    expect "-w $w skipped as max_vusers" "$(counter "$f" loadtop.skipped.max_vusers)" 2
    invariant "$f"
done
finish "maxVusers 2 holds across 2 workers: the same 6 created, 2 skipped as on one"

# The bound is taken in one atomic step (found by review: two workers could
# both see maxVusers - 1 and both start one). A target that resets any
# request past 50 in progress must see none past it from 8 workers at
# 20 000/s (the old code: 2 resets in 1 run of 2 here; a race, so a guard).
start_target cap50 --capacity 50 || exit 1
script maxvu_race <<EOT
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - duration: 3
      arrivalRate: 20000
      maxVusers: 50
scenarios:
  - flow:
      - get: {url: "/delay/20"}
EOT
run_lt maxvu_race 30 -w 8 "$WORK/maxvu_race.yml"
f=$WORK/maxvu_race.json
expect "never past 50 at once: no reset" "$(counter "$f" errors.ECONNRESET)" 0
expect "arrivals" "$(($(counter "$f" vusers.created) + $(counter "$f" vusers.skipped)))" 60000
expect_true "most skipped as max_vusers" "[ $(counter "$f" loadtop.skipped.max_vusers) -gt 40000 ]"
invariant "$f"
finish "maxVusers 50 across 8 workers at 20 000/s: never 51 at once (a capped target resets none)"

# --- the rule, the option and the script key ----------------------------------------
script slow <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalRate: 5
scenarios:
  - flow:
      - get: {url: "/up"}
EOT
run_lt slow 30 "$WORK/slow.yml"
expect "a 5/s script: one worker" "$(jqv "$WORK/slow.json" .run.workers)" 1
cpus=$(nproc)
run_lt closed_auto 30 -n 200 -c 50 "$T/up"
expect "closed -c 50: one worker per CPU" "$(jqv "$WORK/closed_auto.json" .run.workers)" "$cpus"
script keyed <<EOT
config:
  target: "$T"
  workers: 3
  phases:
    - duration: 1
      arrivalRate: 6
scenarios:
  - flow:
      - get: {url: "/up"}
EOT
run_lt keyed 30 "$WORK/keyed.yml"
expect "config.workers: 3" "$(jqv "$WORK/keyed.json" .run.workers)" 3
expect "config.workers: created" "$(counter "$WORK/keyed.json" vusers.created)" 6
run_lt keyed_cli 30 -w 2 "$WORK/keyed.yml"
expect "-w overrides config.workers" "$(jqv "$WORK/keyed_cli.json" .run.workers)" 2
sed 's/workers: 3/workers: 0/' "$WORK/keyed.yml" >"$WORK/bad.yml"
run_lt bad 10 "$WORK/bad.yml"
expect "config.workers: 0 exit" "$RC" 2
expect_true "config.workers: 0 names file:line:col" "grep -q 'bad.yml:3:[0-9]*: .*workers' $WORK/bad.err"
run_lt badw 10 -w 0 "$T/up"
expect "-w 0 exit" "$RC" 2
finish "workers: 1 for a 5/s script, one per CPU closed, config.workers and -w; 0 refused"

# --- a stop reaches every worker -------------------------------------------------------
timeout -k 2 20 "$BIN" --headless -q -w 4 -o "$WORK/int.json" -r 200 -d 10s "$T/delay/50" \
    >"$WORK/int.out" 2>"$WORK/int.err" &
p=$!
pids+=($p)
sleep 1.5
kill -INT $p
t0=$SECONDS
bounded_wait $p 8
expect_true "ends within 2 s of SIGINT" "[ $((SECONDS - t0)) -le 2 ]"
f=$WORK/int.json
expect "state" "$(jqv "$f" .run.state)" interrupted
expect "no VU cut short by the stop" "$(counter "$f" errors.ERR_INTERRUPTED)" 0
invariant "$f"
finish "SIGINT with -w 4: every worker drains, one report, every arrival accounted"

# --- shards: the same dealing one level up (--shard I/N, --start-at) -------------
at=$(($(date +%s) + 2))
spids=()
for i in 0 1 2; do
    timeout -k 2 30 "$BIN" --headless -q --shard "$i/3" --start-at "$at" -o "$WORK/shard$i.json" \
        "$WORK/mixed.yml" >"$WORK/shard$i.out" 2>"$WORK/shard$i.err" &
    spids+=($!)
    pids+=($!)
done
for p in "${spids[@]}"; do bounded_wait "$p" 30; done
sum() { # EXPR: the shards' values added
    local t=0 v
    for i in 0 1 2; do
        v=$(jqv "$WORK/shard$i.json" "$1")
        t=$((t + ${v:-0}))
    done
    echo $t
}
f=$WORK/mixed1.json
for c in vusers.created vusers.created_by_name.main vusers.created_by_name.broken \
    vusers.created_by_name.health http.codes.200 http.codes.503 errors.ECONNRESET http.requests; do
    expect "shards' $c = one process's" "$(sum ".aggregate.counters[\"$c\"] // 0")" "$(counter "$f" $c)"
done
for k in 0 1 2 3; do
    expect "phase $k planned" "$(sum ".phases[$k].planned")" "$(jqv "$f" ".phases[$k].planned")"
    expect "phase $k arrivals" "$(sum ".phases[$k].arrivals")" "$(jqv "$f" ".phases[$k].arrivals")"
done
expect "one plan hash" "$(for i in 0 1 2; do jqv "$WORK/shard$i.json" .run.planHash; done | sort -u | wc -l)" 1
expect "the same plan as one process" "$(jqv "$WORK/shard0.json" .run.planHash)" "$(jqv "$f" .run.planHash)"
expect "shard 2" "$(jqv "$WORK/shard2.json" '"\(.run.shard.index)/\(.run.shard.count)"')" "2/3"
# started together: their start times within 50 ms of --start-at
for i in 0 1 2; do
    s=$(jqv "$WORK/shard$i.json" '.run.startedAt | sub("\\.[0-9]+Z$"; "Z") | fromdate')
    ms=$(jqv "$WORK/shard$i.json" '.run.startedAt | capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber')
    expect_true "shard $i started at --start-at (got $s.$ms, asked $at)" \
        "[ $s -eq $at ] && [ $ms -lt 50 ]"
    invariant "$WORK/shard$i.json"
done
finish "3 shards started together (--start-at) add up to one process: counters, scenarios, phases"

# --- loadtop merge: the shards' reports as one -------------------------------------
"$BIN" merge -q "$WORK/shard2.json" "$WORK/shard0.json" "$WORK/shard1.json" -o "$WORK/merged.json" \
    --report "$WORK/merged.md" --ensure 'vusers.created == 180' >"$WORK/merge.out" 2>"$WORK/merge.err"
expect "merge exit" "$?" 0
m=$WORK/merged.json
expect "merged counters = one process's" "$(digest "$m")" "$(digest "$WORK/mixed1.json")"
expect "run.shards" "$(jqv "$m" .run.shards)" 3
expect_true "started together (run.startSpread < 1 s)" "jq -e '.run.startSpread < 1' $m >/dev/null"
expect "run.plannedArrivals" "$(jqv "$m" .run.plannedArrivals)" "$(jqv "$WORK/mixed1.json" .run.plannedArrivals)"
expect "the --ensure on merged numbers" "$(jqv "$m" '.checks[0].ok')" true
expect_true "merged Markdown written" "grep -q 'Virtual users' $WORK/merged.md"
# the percentiles are those of the merged histograms: recomputed from them
expect "p99 = the merged histogram's" "$(jqv "$m" '.aggregate.summaries["http.response_time"].count')" \
    "$(counter "$m" http.responses)"
invariant "$m"
"$BIN" merge "$WORK/shard0.json" "$WORK/shard1.json" -o "$WORK/m2.json" >/dev/null 2>"$WORK/m2.err"
expect "a missing shard exit" "$?" 2
expect_true "a missing shard says so" "grep -q 'shard 0 of 3, but 2 reports given' $WORK/m2.err"
"$BIN" merge "$WORK/shard0.json" "$WORK/shard1.json" "$WORK/mixed1.json" -o "$WORK/m3.json" \
    >/dev/null 2>"$WORK/m3.err"
expect "not a shard exit" "$?" 2
expect_true "not a shard says so" "grep -q 'mixed1.json: not a shard' $WORK/m3.err"
finish "loadtop merge: the shards' reports give one process's counters; missing shards refused"

run_lt shard_closed 30 --shard 1/3 -n 100 -c 8 "$T/up"
expect "-n 100 -c 8 shard 1/3: its share of -n" "$(counter "$WORK/shard_closed.json" http.requests)" 33
run_lt shard_closed0 30 --shard 0/3 -n 100 -c 8 "$T/up"
expect "shard 0/3: the remainder" "$(counter "$WORK/shard_closed0.json" http.requests)" 34
run_lt shard_bad 10 --shard 3/3 "$T/up"
expect "--shard 3/3 exit" "$RC" 2
run_lt shard_few 10 --shard 0/4 -c 3 -d 1s "$T/up"
expect "--shard 0/4 with -c 3 exit" "$RC" 2
expect_true "--shard 0/4 -c 3 says why" "grep -q 'at least 4' $WORK/shard_few.err"
JOB_COMPLETION_INDEX=2 run_lt shard_env 30 --shard '$JOB_COMPLETION_INDEX/3' -n 30 -c 3 "$T/up"
expect "JOB_COMPLETION_INDEX=2: shard 2/3" "$(jqv "$WORK/shard_env.json" .run.shard.index)" 2
run_lt shard_rfc 30 --start-at 2020-01-01T00:00:00Z -n 10 -c 1 "$T/up"
expect "an RFC 3339 time in the past starts at once" "$RC" 0
run_lt shard_time 10 --start-at tomorrow -n 10 "$T/up"
expect "--start-at tomorrow exit" "$RC" 2
finish "shards in the closed model split -c and -n; bad shards and times are refused"

summary
