# common.sh — sourced by the dashboard benchmarks: the project root, the binary, and
# nginx on 127.0.0.1:18080 as ../shared/bench/vs-wrk.sh runs it (pinned to core 0,
# started here if it is not running). $1: the benchmark's name, for its error lines.
bench_setup() {
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")/../.." && pwd)
  bin=${LOADTOP:-$here/loadtop} url=http://127.0.0.1:18080/up
  for tool in tmux taskset nginx curl; do
    command -v $tool >/dev/null || { echo "$1: $tool not found" >&2; exit 2; }
  done
  [[ -x $bin ]] || { echo "$1: build first (make)" >&2; exit 2; }
  if ! curl -s -o /dev/null http://127.0.0.1:18081/status; then
    mkdir -p /tmp/bench-nginx
    taskset -c 0 nginx -c "$here/../shared/bench/nginx.conf"
    sleep 0.5
  fi
}
