#!/usr/bin/env bash
# Does the dashboard's frame get dearer as a run goes on? A long dashboard run at a fixed
# rate (100x30 tmux, pinned to core 1); every 30 s it prints the UI thread's CPU per frame
# over those 30 s (/proc/PID/task/PID/schedstat over the frames drawn at 10 fps), the
# dashboard's own "frame" figure from the host panel, and the requests sent so far.
#
#   tests/bench/frame-time.sh [MINUTES] [RATE]      (defaults: 10 minutes, 5000/s)
#
# Not part of `make test`: a benchmark. Needs tmux, and nginx on 127.0.0.1:18080 as
# ../shared/bench/vs-wrk.sh starts it (started here the same way if it is not running).
set -euo pipefail
minutes=${1:-10} rate=${2:-5000}
source "$(dirname "$0")/common.sh"
bench_setup frame-time
sock=loadtop-frametime
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
tmux -L $sock new-session -d -x 100 -y 30 "taskset -c 1 '$bin' -r $rate -d ${minutes}m $url"
sleep 1
pid=$(pgrep -nf "^$bin -r $rate -d ${minutes}m")
ns() { awk '{print $1}' /proc/$pid/task/$pid/schedstat; }
# nginx's request count (its stub_status), so that the rate is checked from outside too
served() { curl -s http://127.0.0.1:18081/status | awk 'NR == 3 {print $3}'; }
prev=$(ns) req0=$(served)
for ((t = 30; t <= minutes * 60 - 10; t += 30)); do
  sleep 30
  now=$(ns)
  shown=$(tmux -L $sock capture-pane -p | grep -o 'frame [0-9.]*[µm]*s' || echo 'frame ?')
  awk -v t=$t -v d=$((now - prev)) -v shown="$shown" -v r=$(($(served) - req0)) 'BEGIN {
    printf "t=%4ds  UI thread %.3f ms a frame (over 30 s)  shown: %-14s  requests %d\n",
      t, d / 1e6 / 300, shown, r }'
  prev=$now
done
