#!/usr/bin/env bash
# The dashboard's own CPU against --headless at a fixed rate, counted per thread.
#
#   tests/bench/dashboard-cost.sh [ROUNDS] [RATE]      (defaults: 4 rounds, 5000/s)
#
# Not part of `make test`: a benchmark. Needs tmux, and nginx on 127.0.0.1:18080 as
# ../shared/bench/vs-wrk.sh starts it (started here the same way if it is not running).
# Each round runs `loadtop --headless -q -r RATE -d 20s` and then the dashboard (100x30 tmux),
# both pinned to core 1, and reads every thread's CPU (/proc/PID/task/*/schedstat, ns) over the
# same 17 s of each run. It prints the dashboard thread's CPU less the headless main thread's,
# as a share of the headless run's total: the dashboard's own cost, which whole-process
# /usr/bin/time pairs cannot resolve on a noisy machine (they scatter by ±10-20 % here).
set -euo pipefail
rounds=${1:-4} rate=${2:-5000}
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${LOADTOP:-$here/loadtop} url=http://127.0.0.1:18080/up sock=loadtop-dashcost
for tool in tmux taskset nginx curl; do
  command -v $tool >/dev/null || { echo "dashboard-cost: $tool not found" >&2; exit 2; }
done
[[ -x $bin ]] || { echo "dashboard-cost: build first (make)" >&2; exit 2; }
if ! curl -s -o /dev/null http://127.0.0.1:18081/status; then
  mkdir -p /tmp/bench-nginx
  taskset -c 0 nginx -c "$here/../shared/bench/nginx.conf"
  sleep 0.5
fi
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
# "main_ns engine_ns" of process $1 (engine = every thread but the main one)
cpu() {
  local m=0 e=0 t v
  for t in /proc/$1/task/*; do
    v=$(awk '{print $1}' "$t/schedstat")
    if [[ ${t##*/} == "$1" ]]; then m=$v; else e=$((e + v)); fi
  done
  echo "$m $e"
}
for ((i = 1; i <= rounds; i++)); do
  taskset -c 1 "$bin" --headless -q -r "$rate" -d 20s "$url" >/dev/null 2>&1 &
  pid=$!
  sleep 0.5; a=($(cpu $pid)); sleep 17; b=($(cpu $pid)); wait $pid || true
  hm=$((b[0] - a[0])) he=$((b[1] - a[1]))
  tmux -L $sock kill-server 2>/dev/null || true
  taskset -c ${TERM_CPU:-0-1} tmux -L $sock new-session -d -x 100 -y 30 "taskset -c 1 '$bin' -r $rate -d 20s $url"
  sleep 0.5
  pid=$(pgrep -nf "^$bin -r $rate -d 20s")
  a=($(cpu $pid)); sleep 17; b=($(cpu $pid))
  tmux -L $sock kill-server 2>/dev/null || true
  um=$((b[0] - a[0])) ue=$((b[1] - a[1]))
  awk -v hm=$hm -v he=$he -v um=$um -v ue=$ue 'BEGIN {
    printf "headless: main %.1f ms, engine %.0f ms | dashboard: UI %.1f ms (%.2f ms a frame), engine %.0f ms | own cost %.2f %%\n",
      hm / 1e6, he / 1e6, um / 1e6, um / 1e6 / 170, ue / 1e6, (um - hm) * 100 / (hm + he) }'
  sleep 1
done
