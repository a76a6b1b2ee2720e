#!/usr/bin/env bash
# --listen: a run observed and steered from outside. GET /metrics in the
# Prometheus text format (names, types, a cumulative histogram whose +Inf
# bucket is its count, bounded labels), GET /snapshot (the report so far,
# as `loadtop merge` reads it), POST /control with a bearer token (401
# without, 403 when no token file was given; one event per command).
# Loopback only; every run bounded.
SUITE=observe
. "$(dirname "$0")/lib.sh"

start_target main || exit 1
T=http://127.0.0.1:$PORT
LP=$(free_port)
printf 's3cret-token\n' >"$WORK/token"
timeout -k 2 30 "$BIN" --headless -q --listen "127.0.0.1:$LP" --control-token-file "$WORK/token" \
    -o "$WORK/run.json" -r 40 -d 6s "$T/up?id=123" >"$WORK/run.out" 2>"$WORK/run.err" &
run=$!
pids+=($run)
poll 5 curl -sf -o /dev/null "http://127.0.0.1:$LP/metrics"
sleep 1
curl -s "http://127.0.0.1:$LP/metrics" >"$WORK/metrics.txt"
m=$WORK/metrics.txt
expect_true "requests counted" "grep -Eq '^loadtop_requests_total [1-9][0-9]*$' $m"
expect_true "a counter's TYPE" "grep -qx '# TYPE loadtop_requests_total counter' $m"
expect_true "status code label" "grep -Eq '^loadtop_responses_by_code_total\{code=\"200\"\} [1-9]' $m"
expect_true "endpoint label is the name, not the raw URL" \
    "grep -q 'loadtop_endpoint_requests_total{endpoint=\"GET /up\"}' $m && ! grep -q 'id=123' $m"
expect_true "histogram TYPE" "grep -qx '# TYPE loadtop_request_duration_seconds histogram' $m"
# buckets never decrease, and +Inf equals _count
expect_true "buckets cumulative" "grep '_bucket' $m | awk '{ if (\$2 < last) exit 1; last = \$2 }'"
inf=$(sed -n 's/^loadtop_request_duration_seconds_bucket{le="+Inf"} //p' $m)
cnt=$(sed -n 's/^loadtop_request_duration_seconds_count //p' $m)
expect "+Inf bucket = count" "$inf" "$cnt"
bad=$(grep -v '^#' "$m" | grep -Ev '^loadtop_[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$' | head -3)
expect "lines not in the exposition format" "$bad" ""

code() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }
expect "/control without a token" "$(code -X POST -d '{"command":"pause"}' "http://127.0.0.1:$LP/control")" 401
expect "/control with a wrong token" \
    "$(code -X POST -H 'Authorization: Bearer nope' -d '{"command":"pause"}' "http://127.0.0.1:$LP/control")" 401
expect "/control: a bad command" \
    "$(code -X POST -H 'Authorization: Bearer s3cret-token' -d '{"command":"explode"}' "http://127.0.0.1:$LP/control")" 400
expect "/control pause" \
    "$(code -X POST -H 'Authorization: Bearer s3cret-token' -d '{"command":"pause"}' "http://127.0.0.1:$LP/control")" 202
poll 3 sh -c "curl -s http://127.0.0.1:$LP/metrics | grep -qx 'loadtop_paused 1'"
expect_true "paused in /metrics" "curl -s http://127.0.0.1:$LP/metrics | grep -qx 'loadtop_paused 1'"
expect "/control rate 20" \
    "$(code -X POST -H 'Authorization: Bearer s3cret-token' -d '{"command":"rate","value":20}' "http://127.0.0.1:$LP/control")" 202
expect "/control resume" \
    "$(code -X POST -H 'Authorization: Bearer s3cret-token' -d '{"command":"resume"}' "http://127.0.0.1:$LP/control")" 202
poll 3 sh -c "curl -s http://127.0.0.1:$LP/metrics | grep -qx 'loadtop_arrival_rate_target 20'"
expect_true "rate 20 in /metrics" "curl -s http://127.0.0.1:$LP/metrics | grep -qx 'loadtop_arrival_rate_target 20'"
curl -s "http://127.0.0.1:$LP/snapshot" >"$WORK/snap.json"
expect_true "/snapshot is a report" "jq -e '.aggregate.counters[\"vusers.created\"] > 0 and .run.state == \"running\"' $WORK/snap.json >/dev/null"
expect "unknown path" "$(code "http://127.0.0.1:$LP/nope")" 404
bounded_wait $run 20
f=$WORK/run.json
expect "one pause event" "$(jqv "$f" '[.events[] | select(.kind == "pause")] | length')" 1
expect "one resume event" "$(jqv "$f" '[.events[] | select(.kind == "resume")] | length')" 1
expect_true "the port is closed after the run" "! curl -s -o /dev/null http://127.0.0.1:$LP/metrics"
invariant "$f"
finish "--listen: /metrics in Prometheus format, /snapshot, /control with a token (pause, rate, resume)"

# no token file: control is off, the rest is served
timeout -k 2 20 "$BIN" --headless -q --listen "localhost:$LP" -r 10 -d 3s "$T/up" >/dev/null 2>&1 &
run=$!
pids+=($run)
poll 5 curl -sf -o /dev/null "http://127.0.0.1:$LP/metrics"
expect "/control with no token file" \
    "$(code -X POST -H 'Authorization: Bearer x' -d '{"command":"pause"}' "http://127.0.0.1:$LP/control")" 403
bounded_wait $run 15
run_lt nolisten 10 --control-token-file "$WORK/token" -d 1s "$T/up"
expect "--control-token-file without --listen" "$RC" 2
run_lt busy 10 --listen "127.0.0.1:$PORT" -d 1s "$T/up"
expect "--listen on a port in use: exit" "$RC" 2
expect "--listen on a port in use: nothing sent" "$(jqv "$WORK/busy.json" .aggregate.counters)" ""
finish "--listen without a token: control refused (403); bad uses refused before the run"

summary
