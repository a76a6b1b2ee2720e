#!/usr/bin/env bash
# Integration tests: the real binary, headless, against the built-in target
# on 127.0.0.1, asserting exact counts. Every test is bounded in time; every
# process started here is stopped on exit (tests/lib.sh). Prints
# "integration: N passed, N failed" and writes the two numbers to
# build/integration.count for `make test`.
SUITE=integration
. "$(dirname "$0")/lib.sh"

start_target main || exit 1
MAIN_PORT=$PORT
T=http://127.0.0.1:$PORT

# --- exact arrivals over three phase kinds ------------------------------------
script phases <<EOT
config:
  target: "$T"
  phases:
    - duration: 2
      arrivalRate: 5
      name: constant
    - duration: 3
      arrivalRate: 1
      rampTo: 3
      name: ramp
    - duration: 1
      arrivalCount: 4
      name: count
scenarios:
  - flow:
      - get:
          url: "/up"
EOT
run_lt phases 30 "$WORK/phases.yml"
f=$WORK/phases.json
expect "exit code" "$RC" 0
expect "vusers.created" "$(jqv "$f" '.aggregate.counters["vusers.created"]')" 20
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 20
expect "phase arrivals" "$(jqv "$f" '[.phases[].arrivals] | join(",")')" "10,6,4"
expect "phase planned" "$(jqv "$f" '[.phases[].planned] | join(",")')" "10,6,4"
invariant "$f"
finish "three phase kinds give exactly the planned arrivals (10+6+4)"

# --- weighted scenarios -------------------------------------------------------
script weights <<EOT
config:
  target: "$T"
  phases:
    - duration: 2
      arrivalRate: 500
scenarios:
  - name: analyze
    weight: 70
    flow:
      - post:
          url: "/api/contracts/analyze-demo"
          json: { contract: "0xabc", depth: 2 }
  - name: sentiment
    weight: 20
    flow:
      - get:
          url: "/api/sentiment?symbol=BTC"
  - name: health
    weight: 10
    flow:
      - get:
          url: "/up"
EOT
run_lt weights 30 "$WORK/weights.yml"
f=$WORK/weights.json
expect "exit code" "$RC" 0
expect "vusers.created" "$(jqv "$f" '.aggregate.counters["vusers.created"]')" 1000
a=$(jqv "$f" '.aggregate.counters["vusers.created_by_name.analyze"]')
s=$(jqv "$f" '.aggregate.counters["vusers.created_by_name.sentiment"]')
h=$(jqv "$f" '.aggregate.counters["vusers.created_by_name.health"]')
# binomial standard deviations: 14.5, 12.6, 9.5; allow 5 of them
expect_true "analyze ~700 (got $a)" "[ $a -ge 628 ] && [ $a -le 772 ]"
expect_true "sentiment ~200 (got $s)" "[ $s -ge 137 ] && [ $s -le 263 ]"
expect_true "health ~100 (got $h)" "[ $h -ge 53 ] && [ $h -le 147 ]"
expect "sum" "$((a + s + h))" 1000
expect "endpoints" "$(jqv "$f" '[.endpoints[].name] | sort | join(",")')" \
    "GET /api/sentiment,GET /up,POST /api/contracts/analyze-demo"
invariant "$f"
finish "70/20/10 weights land within 5 standard deviations"

# --- error names and status codes ---------------------------------------------
one_get() { # NAME URL RATE DURATION [timeout]
    script "$1" <<EOT
config:
  target: "$2"
  http:
    timeout: ${5:-10}
  phases:
    - duration: $4
      arrivalRate: $3
scenarios:
  - flow:
      - get:
          url: "/"
EOT
}

script reset <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalRate: 20
scenarios:
  - flow:
      - get:
          url: "/reset"
EOT
run_lt reset 30 "$WORK/reset.yml"
f=$WORK/reset.json
expect "exit code" "$RC" 0
expect "errors.ECONNRESET" "$(jqv "$f" '.aggregate.counters["errors.ECONNRESET"]')" 20
expect "vusers.failed" "$(jqv "$f" '.aggregate.counters["vusers.failed"]')" 20
expect "http.responses" "$(jqv "$f" '.aggregate.counters["http.responses"]')" 0
invariant "$f"
finish "/reset gives exactly 20 errors.ECONNRESET"

# a port that was just free: bind, note, close
CLOSED=$(free_port 2>/dev/null || echo 1)
one_get refused "http://127.0.0.1:$CLOSED" 10 1
run_lt refused 30 "$WORK/refused.yml"
f=$WORK/refused.json
expect "exit code" "$RC" 0
expect "errors.ECONNREFUSED" "$(jqv "$f" '.aggregate.counters["errors.ECONNREFUSED"]')" 10
expect "vusers.failed" "$(jqv "$f" '.aggregate.counters["vusers.failed"]')" 10
invariant "$f"
finish "a closed port gives exactly 10 errors.ECONNREFUSED"

script stall <<EOT
config:
  target: "$T"
  http:
    timeout: 1
  phases:
    - duration: 1
      arrivalRate: 5
scenarios:
  - flow:
      - get:
          url: "/stall"
EOT
run_lt stall 30 "$WORK/stall.yml"
f=$WORK/stall.json
expect "exit code" "$RC" 0
expect "errors.ETIMEDOUT" "$(jqv "$f" '.aggregate.counters["errors.ETIMEDOUT"]')" 5
expect "vusers.failed" "$(jqv "$f" '.aggregate.counters["vusers.failed"]')" 5
invariant "$f"
finish "/stall with timeout 1 gives exactly 5 errors.ETIMEDOUT"

# The timeout covers the whole request: a 300 ms reply passes, a body still
# dripping at 0.8 s fails then (not at its end, 3 s), each VU once.
script wholetimeout <<EOT
config:
  target: "$T"
  http:
    timeout: 0.8
  phases:
    - duration: 2
      arrivalRate: 5
scenarios:
  - flow:
      - get:
          url: "/delay/300"
      - get:
          url: "/drip/3000"
EOT
t0=$(date +%s%N)
run_lt wholetimeout 30 "$WORK/wholetimeout.yml"
ms=$((($(date +%s%N) - t0) / 1000000))
f=$WORK/wholetimeout.json
expect "exit code" "$RC" 0
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 10
expect "errors.ETIMEDOUT" "$(jqv "$f" '.aggregate.counters["errors.ETIMEDOUT"]')" 10
expect "vusers.failed" "$(jqv "$f" '.aggregate.counters["vusers.failed"]')" 10
expect_true "slowest response under the timeout" "[ $(jqv "$f" '.aggregate.summaries["http.response_time"].max | floor') -lt 800 ]"
expect_true "run ends at the timeouts, not the drips ($ms ms)" "[ $ms -lt 4500 ]"
invariant "$f"
finish "timeout 0.8 s: 10 replies of 300 ms pass, 10 dripping bodies fail as ETIMEDOUT"

script s503 <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalRate: 10
scenarios:
  - flow:
      - get:
          url: "/status/503"
      - get:
          url: "/up"
EOT
run_lt s503 30 "$WORK/s503.yml"
f=$WORK/s503.json
expect "exit code" "$RC" 0
expect "http.codes.503" "$(jqv "$f" '.aggregate.counters["http.codes.503"]')" 10
expect "http.codes.200 (the VU goes on)" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 10
expect "no errors" "$(jqv "$f" '[.aggregate.counters | keys[] | select(startswith("errors."))] | length')" 0
expect "vusers.completed" "$(jqv "$f" '.aggregate.counters["vusers.completed"]')" 10
invariant "$f"
finish "/status/503 is a status code, not an error, and the VU goes on"

script close <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalRate: 10
scenarios:
  - flow:
      - get:
          url: "/close"
EOT
run_lt close 30 "$WORK/close.yml"
f=$WORK/close.json
expect "errors.ECONNRESET" "$(jqv "$f" '.aggregate.counters["errors.ECONNRESET"]')" 10
invariant "$f"
finish "/close (no reply) gives exactly 10 errors.ECONNRESET, as Node names a hang-up"

# --- capacity: the sample report's overload signature -------------------------
start_target cap --capacity 5 --latency 50 || exit 1
script capacity <<EOT
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - duration: 2
      arrivalRate: 200
scenarios:
  - flow:
      - get:
          url: "/up"
EOT
run_lt capacity 30 "$WORK/capacity.yml"
f=$WORK/capacity.json
resets=$(jqv "$f" '.aggregate.counters["errors.ECONNRESET"] // 0')
ok200=$(jqv "$f" '.aggregate.counters["http.codes.200"] // 0')
expect "exit code" "$RC" 0
expect_true "ECONNRESETs under overload (got $resets)" "[ $resets -gt 100 ]"
expect_true "some served (got $ok200)" "[ $ok200 -gt 0 ]"
expect "every arrival accounted" "$((resets + ok200))" 400
invariant "$f"
finish "--capacity 5 under 200/s gives ECONNRESETs and every arrival is accounted"

# --- a host name: libcurl's resolver thread and its socketpair -----------------
script hostname <<EOT
config:
  target: "http://localhost:$MAIN_PORT"
  phases:
    - duration: 2
      arrivalRate: 50
scenarios:
  - flow:
      - get:
          url: "/up"
      - get:
          url: "/status/201"
EOT
run_lt hostname 30 "$WORK/hostname.yml"
f=$WORK/hostname.json
expect "exit code" "$RC" 0
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 100
expect "http.codes.201" "$(jqv "$f" '.aggregate.counters["http.codes.201"]')" 100
expect "no errors" "$(jqv "$f" '[.aggregate.counters | keys[] | select(startswith("errors."))] | length')" 0
invariant "$f"
[ ${#errs[@]} -eq 0 ] || errs+=("counters: $(jq -c .aggregate.counters "$f")")
finish "a target by host name (localhost): 100 VUs, 200 requests, every one answered"

# --- maxVusers: skipped, not queued -------------------------------------------
script maxvu <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalRate: 20
      maxVusers: 3
scenarios:
  - flow:
      - get:
          url: "/delay/400"
EOT
run_lt maxvu 30 "$WORK/maxvu.yml"
f=$WORK/maxvu.json
c=$(jqv "$f" '.aggregate.counters["vusers.created"]')
k=$(jqv "$f" '.aggregate.counters["vusers.skipped"]')
expect "created + skipped" "$((c + k))" 20
expect_true "at most 3 at a time over 1 s of 400 ms requests (created $c)" "[ $c -ge 3 ] && [ $c -le 9 ]"
invariant "$f"
finish "maxVusers 3 skips arrivals and counts them"

# --- one-URL modes ------------------------------------------------------------
run_lt closed_n 30 -n 500 -c 10 "$T/up"
f=$WORK/closed_n.json
expect "exit code" "$RC" 0
expect "http.requests" "$(jqv "$f" '.aggregate.counters["http.requests"]')" 500
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 500
invariant "$f"
finish "one-URL closed model: -n 500 sends exactly 500 requests"

run_lt open_r 30 -r 200 -d 2s -c 5 "$T/up"
f=$WORK/open_r.json
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 400
invariant "$f"
finish "one-URL open model: -r 200 -d 2s sends exactly 400 requests"

# User-Agent: a script sends loadtop's, as Artillery sends its own; a
# one-URL run sends none, like wrk, unless -H gives one (/has/NAME: 200 or 404).
script ua <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 3
scenarios:
  - flow:
      - get:
          url: "/has/user-agent"
EOT
run_lt ua_script 20 "$WORK/ua.yml"
expect "script: http.codes.200" "$(jqv "$WORK/ua_script.json" '.aggregate.counters["http.codes.200"]')" 3
run_lt ua_url 20 -n 3 -c 1 "$T/has/user-agent"
expect "one URL: http.codes.404" "$(jqv "$WORK/ua_url.json" '.aggregate.counters["http.codes.404"]')" 3
run_lt ua_url_h 20 -n 3 -c 1 -H 'User-Agent: probe/1' "$T/has/user-agent"
expect "one URL -H: http.codes.200" "$(jqv "$WORK/ua_url_h.json" '.aggregate.counters["http.codes.200"]')" 3
finish "User-Agent: scripts send loadtop/VERSION, one-URL runs none unless -H gives one"

run_lt post 30 -n 20 -c 2 -m post -H 'X-Test: 1' --body '{"a":1}' "$T/anything"
f=$WORK/post.json
expect "http.codes.200" "$(jqv "$f" '.aggregate.counters["http.codes.200"]')" 20
expect "endpoint" "$(jqv "$f" '.endpoints[0].name')" "POST /anything"
finish "one-URL POST with headers and body"

# --- SIGINT mid-run still writes the report -----------------------------------
one_get sigint "$T" 50 30
"$BIN" --headless -q -o "$WORK/sigint.json" "$WORK/sigint.yml" >"$WORK/sigint.out" 2>&1 &
lp=$!
pids+=($lp)
sleep 1.5
kill -INT $lp
bounded_wait $lp 15
RC=$?
f=$WORK/sigint.json
expect "exit code" "$RC" 0
expect "state" "$(jqv "$f" '.run.state')" "interrupted"
c=$(jqv "$f" '.aggregate.counters["vusers.created"]')
expect_true "ran about 1.5 s (created $c)" "[ $c -ge 40 ] && [ $c -le 120 ]"
invariant "$f"
finish "SIGINT mid-run drains and writes the report"

# --- SIGUSR1 writes a snapshot ------------------------------------------------
mkdir -p "$WORK/snaps"
one_get usr1 "$T" 20 3
"$BIN" --headless -q --snapshot-dir "$WORK/snaps" -o "$WORK/usr1.json" \
    "$WORK/usr1.yml" >"$WORK/usr1.out" 2>&1 &
lp=$!
pids+=($lp)
sleep 1
kill -USR1 $lp
bounded_wait $lp 15
snap=$(ls "$WORK"/snaps/loadtop-*.json 2>/dev/null | head -1)
expect_true "a snapshot file exists" "[ -n '$snap' ]"
if [ -n "$snap" ]; then
    expect "snapshot state" "$(jqv "$snap" '.run.state')" "running"
    expect_true "snapshot has counters" "[ $(jqv "$snap" '.aggregate.counters["vusers.created"]') -gt 0 ]"
fi
expect "no temp files left" "$(ls "$WORK/snaps" | grep -c tmp)" 0
finish "SIGUSR1 writes a parsable snapshot report"

# --- reports: capacity findings, thresholds, byte-for-byte re-rendering ---------
start_target brk --capacity 5 --latency 50 || exit 1
script breaks <<EOT
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - { name: "easy", duration: 2, arrivalRate: 10 }
    - { name: "steady", duration: 2, arrivalRate: 20 }
    - { name: "overload", duration: 2, arrivalRate: 400 }
    - { name: "cool", duration: 2, arrivalRate: 10 }
  ensure:
    thresholds:
      - "http.response_time.p99": 60000
scenarios:
  - flow:
      - get:
          url: "/up"
EOT
run_lt breaks 40 --report "$WORK/breaks.md" --report "$WORK/breaks.html" "$WORK/breaks.yml"
f=$WORK/breaks.json
expect "exit code (threshold passes)" "$RC" 0
expect_true "Checks printed" "grep -q '^Checks:' '$WORK/breaks.out' && grep -q 'ok: http.response_time.p99 < 60000' '$WORK/breaks.out'"
expect_true "breaking point is the overload phase" "grep -i 'breaking point' '$WORK/breaks.md' | grep -q 'overload'"
expect_true "ECONNRESET named in the findings" "sed -n '/Capacity findings/,/^## [^C]/p' '$WORK/breaks.md' | grep -q ECONNRESET"
expect_true "sustainable load is steady's 20/s" "grep -i 'sustainable load' '$WORK/breaks.md' | grep -q '20'"
"$BIN" report "$f" -o "$WORK/again.md" && "$BIN" report "$f" -o "$WORK/again.html"
expect "loadtop report .md is byte for byte" "$(cmp "$WORK/breaks.md" "$WORK/again.md" && echo same)" same
expect "loadtop report .html is byte for byte" "$(cmp "$WORK/breaks.html" "$WORK/again.html" && echo same)" same
finish "a run breaking in phase 3 of 4: findings name it and ECONNRESET; report re-renders byte for byte"

run_lt ensure_ok 20 -n 20 -c 2 --ensure 'vusers.failed == 0' --ensure 'http.codes.200 == 20' "$T/up"
expect "exit code" "$RC" 0
expect_true "ok lines" "[ \$(grep -c '^  ok: ' '$WORK/ensure_ok.out') -eq 2 ]"
run_lt ensure_fail 20 -n 20 -c 2 --ensure 'http.response_time.p99 < 0' "$T/up"
expect "exit code on a failed check" "$RC" 1
expect_true "fail line" "grep -q '^  fail: http.response_time.p99 < 0' '$WORK/ensure_fail.out'"
expect "the report is still written" "$(jqv "$WORK/ensure_fail.json" '.checks[0].ok')" false
run_lt ensure_bad 20 -n 20 -c 2 --ensure 'http.codes.200 >' "$T/up"
expect "exit code on a bad expression" "$RC" 2
run_lt ensure_missing 20 -n 5 -c 1 --ensure 'errors.ENOSUCH < 1' "$T/up"
expect "a missing metric fails its check" "$RC" 1
expect_true "names the metric" "grep -q 'errors.ENOSUCH' '$WORK/ensure_missing.out'"
finish "--ensure: passing checks exit 0, a failing one exits 1, a bad one exits 2"

# --- bad input ----------------------------------------------------------------
printf 'config:\n  target: "%s"\n  phases:\n    - duration: 1\n      arrivalRate: fast\nscenarios:\n  - flow:\n      - get:\n          url: "/up"\n' "$T" >"$WORK/bad.yml"
run_lt bad 10 "$WORK/bad.yml"
expect "exit code" "$RC" 2
expect_true "file:line:col message (got: $(head -1 "$WORK/bad.err"))" "grep -q '^$WORK/bad.yml:5:20: ' '$WORK/bad.err'"
expect "no report" "$(ls "$WORK"/bad.json 2>/dev/null | wc -l)" 0
finish "a bad script exits 2 with file:line:col and writes nothing"

run_lt usage 10 -c 0 "$T/up"
expect "exit code" "$RC" 2
expect_true "message" "grep -q \"^loadtop: -c: '0' \" '$WORK/usage.err'"
finish "a usage error exits 2"

# refused before the run (the results would be lost at its end), no request sent
before=$(curl -s "$T/up" >/dev/null; date +%s%N)
run_lt ro 10 -d 5s -c 1 -o /proc/nonexistent/x.json "$T/up"
expect "missing directory: exit code" "$RC" 2
expect_true "missing directory: message" \
    "grep -q '^loadtop: -o /proc/nonexistent/x.json: no such directory: /proc/nonexistent' '$WORK/ro.err'"
run_lt rodir 10 -d 5s -c 1 -o "$WORK" "$T/up"
expect "a directory: exit code" "$RC" 2
expect_true "a directory: message" "grep -q 'is a directory' '$WORK/rodir.err'"
run_lt roproc 10 -d 5s -c 1 --report /proc/x.md "$T/up"
expect "/proc: exit code" "$RC" 2
expect_true "/proc: message" "grep -q '^loadtop: --report /proc/x.md: cannot create a file in /proc' '$WORK/roproc.err'"
mkfifo "$WORK/fifo"
run_lt rofifo 10 -d 5s -c 1 -o "$WORK/fifo" "$T/up"
expect "a FIFO with no reader: exit code" "$RC" 2
expect_true "refused at once, not after the run" "[ \$(( (\$(date +%s%N) - before) / 1000000000 )) -lt 4 ]"
finish "an unwritable report is refused before the run (exit 2): missing dir, a dir, /proc, a FIFO"

# devices are written through, never replaced (as root a rename replaced /dev/null)
ln -s /dev/null "$WORK/null-link"
run_lt devnull 10 -n 2 -c 1 -o /dev/null "$T/up"
expect "/dev/null: exit code" "$RC" 0
expect_true "/dev/null is still the device" "[ -c /dev/null ]"
timeout -k 2 10 "$BIN" --headless -q -n 2 -c 1 -o /dev/stdout "$T/up" >"$WORK/stdout.json" 2>/dev/null
expect "/dev/stdout: the report on stdout" "$(jqv "$WORK/stdout.json" .run.state)" done
expect_true "/dev/stdout is still a symlink" "[ -L /dev/stdout ]"
run_lt nulllink 10 -n 2 -c 1 -o "$WORK/null-link" "$T/up"
expect_true "a link to /dev/null is written through and kept" "[ -L '$WORK/null-link' ] && [ -c /dev/null ]"
echo keep >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/planted"
run_lt planted 10 -n 2 -c 1 -o "$WORK/planted" "$T/up"
expect "a link to a regular file is replaced, its target untouched" "$(cat "$WORK/victim")" keep
expect "the report is where the link was" "$(jqv "$WORK/planted" .run.state)" done
finish "-o /dev/null and -o /dev/stdout write through the device, never over it"

summary
