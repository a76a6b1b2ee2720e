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

summary
