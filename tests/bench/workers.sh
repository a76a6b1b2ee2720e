#!/usr/bin/env bash
# Worker threads (-w) on this machine, side by side in one run.
#
#   tests/bench/workers.sh [keepalive|work|fresh|all]   (default all)
#   tests/bench/workers.sh --help
#
# Both cores for everyone: nginx (tests/bench/nginx.conf with two worker processes, on
# 127.0.0.1:18090, its stub_status on :18091) and the generator are not pinned.
# keepalive: in turn, ROUNDS times (3), wrk -t1 -c100, loadtop -w 1 -c 100, wrk -t2 -c100,
#   loadtop -w 2 -c 100, SECS each (10). Per run: requests nginx served, requests/s, the
#   generator's CPU µs a request. Per round: each loadtop's efficiency against the wrk with
#   its thread count (wrk's CPU per request / loadtop's), and -w 2's requests/s over -w 1's.
# work: a script whose every request does what real scripts do (a JSON capture, two expect
#   checks) over a pool of 100 keep-alive connections, arrivals at RATE (100 000)/s (more than either can
#   send), -w 1 then -w 2, ROUNDS times: here loadtop's CPU per request is several times
#   nginx's, so the server is not the limit, and -w 2 / -w 1 shows what a second core gives.
# fresh: a script with a fresh connection per arrival (Artillery's semantics) at each of RATES
#   (10000 15000 20000 25000) with -w 1 and -w 2: what was held (created of planned, skipped,
#   lag p99), requests/s and CPU µs an arrival. Each run starts once the previous one's
#   sockets have left TIME_WAIT (up to 75 s): they would make every connect dearer.
# LT (or LOADTOP) names the binary, by default ./loadtop. Not part of `make test`.
# Needs: nginx-light wrk time python3 (Debian packages).
set -uo pipefail
source "$(dirname "$0")/common.sh"
what=${1:-all} secs=${SECS:-10} rounds=${ROUNDS:-3}
case $what in
  -h | --help) bench_help; exit 0 ;;
  keepalive | work | fresh | all) [[ $# -le 1 ]] || bench_usage ;;
  *) bench_usage ;;
esac
LT=${LT:-${LOADTOP:-$(cd "$bench_dir/../.." && pwd)/loadtop}}
[[ -x $LT ]] || { echo "workers: $LT: build first (make)" >&2; exit 2; }
for tool in nginx wrk python3 /usr/bin/time curl; do
  command -v $tool >/dev/null || { echo "workers: $tool not found" >&2; exit 2; }
done
dir=/tmp/bench-nginx2
mkdir -p $dir
sed -e 's/^worker_processes 1;/worker_processes 2;/' -e "s|/tmp/bench-nginx/|$dir/|g" \
    -e 's/18080/18090/; s/18081/18091/' "$bench_dir/nginx.conf" >$dir/nginx.conf
status() { curl -s http://127.0.0.1:18091/status | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3; exit}'; }
if ! curl -s -o /dev/null http://127.0.0.1:18091/status; then
  nginx -c $dir/nginx.conf && sleep 0.5
  trap 'kill $(cat '$dir'/nginx.pid) 2>/dev/null' EXIT
fi
url=http://127.0.0.1:18090/up
last=$(mktemp)
measure() { # label cmd... -> "label served= wall= rps= cpu_us/req= cpu="
  local label=$1; shift; local b a t tf; tf=$(mktemp)
  b=$(status); /usr/bin/time -o "$tf" -f "%e %U %S" "$@" >"$last" 2>&1; a=$(status)
  t=$(tail -n 1 "$tf"); rm -f "$tf"
  awk -v l="$label" -v n=$((a - b - 1)) -v t="$t" 'BEGIN { split(t, x, " "); cpu = x[2] + x[3];
    printf "%-12s served=%-8d wall=%6.2fs rps=%-7.0f cpu_us/req=%-6.2f cpu=%.2fs\n", l, n, x[1], n / x[1], (n > 0 ? cpu * 1e6 / n : 0), cpu }'
}
# Sockets in TIME_WAIT from the previous run (60 s each) make every new
# connection dearer (the kernel's port search): wait until they are gone.
tw_settle() {
  local n=0
  while [[ $(ss -Htan state time-wait | wc -l) -gt 1000 && $n -lt 75 ]]; do sleep 1; n=$((n + 1)); done
}
field() { sed -E "s|.*$1=([0-9.]+).*|\1|" <<<"$2"; }

if [[ $what == all || $what == keepalive ]]; then
  echo "== keep-alive, closed model, 100 connections, $secs s, both cores shared with nginx (2 workers)"
  for ((r = 1; r <= rounds; r++)); do
    w1=$(measure wrk-t1 wrk -t1 -c100 -d${secs}s $url); echo "$w1"
    l1=$(measure loadtop-w1 $LT --headless -q -w 1 -c 100 -d ${secs}s $url); echo "$l1"
    w2=$(measure wrk-t2 wrk -t2 -c100 -d${secs}s $url); echo "$w2"
    l2=$(measure loadtop-w2 $LT --headless -q -w 2 -c 100 -d ${secs}s $url); echo "$l2"
    awk -v a="$(field 'cpu_us/req' "$w1")" -v b="$(field 'cpu_us/req' "$l1")" \
        -v c="$(field 'cpu_us/req' "$w2")" -v d="$(field 'cpu_us/req' "$l2")" \
        -v r1="$(field rps "$l1")" -v r2="$(field rps "$l2")" 'BEGIN {
      e1 = a / b; e2 = c / d
      printf "round: efficiency vs wrk  -w 1: %.3f  -w 2: %.3f  (-w 2 / -w 1: %.3f)   rps -w 2 / -w 1: %.2f\n",
             e1, e2, e2 / e1, r2 / r1 }'
  done
fi

if [[ $what == all || $what == work ]]; then
  echo "== a script with a capture and checks per request, pool 100, $secs s, both cores shared"
  tmp=$(mktemp -d)
  cat >$tmp/work.yml <<EOF
config:
  target: "http://127.0.0.1:18090"
  http: {pool: 100}
  phases: [{duration: $secs, arrivalRate: ${RATE:-100000}}]
  plugins: {expect: {}}
scenarios:
  - flow:
      - get:
          url: "/api/contracts/analyze-demo"
          capture: {json: "\$.risk", as: risk}
          expect:
            - statusCode: 200
            - equals: ["{{ risk }}", "low"]
EOF
  for ((r = 1; r <= rounds; r++)); do
    a=$(measure work-w1 $LT --headless -q -w 1 $tmp/work.yml); echo "$a"
    b=$(measure work-w2 $LT --headless -q -w 2 $tmp/work.yml); echo "$b"
    awk -v r1="$(field rps "$a")" -v r2="$(field rps "$b")" \
        'BEGIN { printf "round: requests/s -w 2 / -w 1: %.2f\n", r2 / r1 }'
  done
  rm -rf $tmp
fi

if [[ $what == all || $what == fresh ]]; then
  echo "== a fresh connection per arrival, $secs s per rate, both cores shared with nginx"
  tmp=$(mktemp -d)
  for rate in ${RATES:-10000 15000 20000 25000}; do
    cat >$tmp/fresh.yml <<EOF
config:
  target: "http://127.0.0.1:18090"
  phases:
    - duration: $secs
      arrivalRate: $rate
scenarios:
  - flow:
      - get:
          url: "/up"
EOF
    for w in 1 2; do
      tw_settle
      o=$(measure "w$w@$rate" $LT --headless -q -w $w -o $tmp/f.json $tmp/fresh.yml)
      s=$(python3 - $tmp/f.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); a = d['aggregate']; c = a['counters']
lag = a['summaries'].get('loadtop.schedule_lag', {})
planned = sum(p.get('planned', 0) for p in d.get('phases', []))
held = c.get('vusers.created', 0) / planned * 100 if planned else 0
print(f"created={c.get('vusers.created',0)}/{planned} ({held:.2f}%) failed={c.get('vusers.failed',0)} "
      f"skipped={c.get('vusers.skipped',0)} lag_p99={lag.get('p99')}ms workers={d['run'].get('workers')}")
PY
)
      echo "$o $s"
    done
  done
  rm -rf $tmp
fi
rm -f "$last"
