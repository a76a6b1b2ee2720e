# common.sh — sourced by the benchmarks in tests/bench/ (none of which `make test` runs).
#   bench_help                 print the calling script's header comment (its usage)
#   bench_usage                its usage lines on stderr, and exit 2
#   bench_nginx NAME           nginx (tests/bench/nginx.conf) on 127.0.0.1:18080, pinned to
#                              core 0, started if it is not running (its stub_status on :18081)
#   served                     the requests nginx has served so far (from stub_status)
#   bench_setup NAME           for the dashboard benchmarks: bench_nginx, tmux, a built binary;
#                              sets here (the repository), bin ($LOADTOP or ./loadtop) and url
# NAME is the benchmark's name, for its error lines.
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_help() {
  sed -n '2,/^[^#]/{/^[^#]/d;s/^# \{0,1\}//;p}' "$0"
}
bench_usage() {
  bench_help | sed -n 's|^  \(tests/bench/\)|usage: \1|p' >&2
  exit 2
}
bench_nginx() {
  for tool in nginx curl taskset; do
    command -v $tool >/dev/null || {
      echo "$1: $tool not found (apt-get install -y nginx-light curl util-linux)" >&2
      exit 2
    }
  done
  if ! curl -s -o /dev/null http://127.0.0.1:18081/status; then
    mkdir -p /tmp/bench-nginx
    taskset -c 0 nginx -c "$bench_dir/nginx.conf"
    sleep 0.5
  fi
}
served() { curl -s http://127.0.0.1:18081/status | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3; exit}'; }
bench_setup() {
  here=$(cd "$bench_dir/../.." && pwd)
  bin=${LOADTOP:-$here/loadtop} url=http://127.0.0.1:18080/up
  command -v tmux >/dev/null || { echo "$1: tmux not found" >&2; exit 2; }
  [[ -x $bin ]] || { echo "$1: build first (make)" >&2; exit 2; }
  bench_nginx "$1"
}
