#!/usr/bin/env bash
# Does the dashboard's frame get dearer as a run goes on? A long dashboard run at a fixed
# rate (100x30 tmux, pinned to core 1); every 30 s it prints the UI thread's CPU per frame
# over those 30 s (/proc/PID/task/PID/schedstat over the frames drawn at 10 fps), the
# dashboard's own "frame" figure from the host panel, and the requests sent so far.
#
#   tests/bench/frame-time.sh [MINUTES] [RATE]      (defaults: 10 minutes, 5000/s)
#   tests/bench/frame-time.sh --help
#
# Not part of `make test`: a benchmark. Needs tmux, and nginx on 127.0.0.1:18080 as
# tests/bench/vs-wrk.sh starts it (started here the same way if it is not running).
set -euo pipefail
source "$(dirname "$0")/common.sh"
case ${1:-} in -h | --help) bench_help; exit 0 ;; esac
minutes=${1:-10} rate=${2:-5000}
[[ $# -le 2 && $minutes =~ ^[1-9][0-9]*$ && $rate =~ ^[1-9][0-9]*$ ]] || bench_usage
bench_setup frame-time
sock=loadtop-frametime
trap 'tmux -L $sock kill-server 2>/dev/null || true' EXIT
tmux -L $sock new-session -d -x 100 -y 30 "taskset -c 1 '$bin' -r $rate -d ${minutes}m $url"
sleep 1
pid=$(pgrep -nf "^$bin -r $rate -d ${minutes}m")
ns() { awk '{print $1}' /proc/$pid/task/$pid/schedstat; }
# nginx's request count (served, from its stub_status): the rate checked from outside too
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
