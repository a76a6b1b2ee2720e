#!/usr/bin/env bash
# Refusals (issue 13): scripts and command lines that a hostile user could
# write. Every row must exit 2 within a few seconds, say where (FILE:LINE:COL
# or the option) in a short first line, keep every line under 300 bytes
# (no huge value echoed), print nothing on stdout, and never connect: the
# scripts and URLs point at a listener on 127.0.0.1 that only counts
# connections (tests/tools/accept-count), and the count must stay 0.
# Prints "refuse: N passed, N failed" and writes the two numbers to
# build/refuse.count. Every process started here is stopped on exit.
SUITE=refuse
. "$(dirname "$0")/lib.sh"
COUNTER=./tests/tools/accept-count

[ -x "$COUNTER" ] || make --no-print-directory "$COUNTER" >/dev/null || exit 1
ACCEPTS=$WORK/accepts
"$COUNTER" "$ACCEPTS" 120 >"$WORK/port" &
pids+=($!)
poll 5 test -s "$WORK/port"
PORT=$(cat "$WORK/port")
[ -n "$PORT" ] || { echo "accept-count did not start" >&2; exit 1; }
T=http://127.0.0.1:$PORT

# row NAME FIRST_LINE COMMAND...: runs COMMAND (5 s at most) and checks a
# refusal whose first line of stderr is exactly FIRST_LINE.
row() {
    local name=$1 want=$2 errs=()
    shift 2
    local t0=$(date +%s%N)
    timeout -k 1 5 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    local rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
    local first=$(head -n 1 "$WORK/$name.err" | head -c 300)
    [ "$rc" -eq 2 ] || errs+=("exit code $rc, expected 2 (after ${ms} ms)")
    [ "$first" == "$want" ] || errs+=("first line: $first" "expected:   $want")
    awk 'length($0) >= 300 { bad = 1 } END { exit bad }' "$WORK/$name.err" ||
        errs+=("a line of 300 bytes or more")
    [ "$(wc -l <"$WORK/$name.err")" -le 42 ] || errs+=("$(wc -l <"$WORK/$name.err") lines")
    [ -s "$WORK/$name.out" ] && errs+=("stdout: $(head -c 200 "$WORK/$name.out")")
    [ -s "$ACCEPTS" ] && errs+=("$(stat -c %s "$ACCEPTS") connection(s) made") && : >"$ACCEPTS"
    if [ ${#errs[@]} -eq 0 ]; then ok "$name (${ms} ms)"; else not_ok "$name" "${errs[@]}"; fi
}

# A valid config, with the listener as target (lines 1-3), and a flow.
CFG="config:
  target: \"$T\"
  phases: [{duration: 1, arrivalRate: 1}]"
SCN="scenarios:
  - flow: [{get: {url: /}}]"

# srow NAME FIRST_LINE: runs the script $WORK/NAME.yml (FIRST_LINE without "FILE:").
srow() { row "$1" "$WORK/$1.yml:$2" "$BIN" --headless "$WORK/$1.yml"; }
# rep N TEXT: TEXT N times, no separator.
rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# --- shapes --------------------------------------------------------------------
script two_documents <<EOF
$CFG
$SCN
---
$CFG
$SCN
EOF
srow two_documents "6:1: a second YAML document: a script is one document"

{ echo "$CFG"; printf '  variables:\n    x: '; rep 100000 '['; echo; echo "$SCN"; } | script nested_brackets
srow nested_brackets "5:69: nested more than 64 levels deep (the limit)"

{ echo "$CFG"; printf '  variables:\n    x: '; rep 100000 '{'; echo; echo "$SCN"; } | script nested_braces
srow nested_braces "5:69: nested more than 64 levels deep (the limit)"

script alias_bomb <<EOF
$CFG
scenarios:
  - flow:
      - post:
          url: /
          json:
            a: &a [1,1,1,1,1,1,1,1,1,1]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
EOF
srow alias_bomb "14:41: aliases make the script more than 1000000 values (the limit)"

script alias_cycle <<EOF
$CFG
scenarios:
  - flow: &f
      - loop: *f
        count: 2
EOF
srow alias_cycle "6:15: alias \`*f\` is inside the node it names: it would repeat forever"

{ echo "$CFG"; printf '  variables:\n    x: ['; for i in $(seq 1001); do printf '&a%d 1, ' "$i"; done; echo '1]'; echo "$SCN"; } | script anchors_1001
srow anchors_1001 "5:$((9 + 7 * 9 + 8 * 90 + 9 * 900 + 10)): more than 1000 anchors (the limit)"

{ echo "$CFG"; printf '  variables:\n    x: &a [1]\n    y: ['; yes '*a, ' | head -n 10001 | tr -d '\n'; echo '1]'; echo "$SCN"; } | script aliases_10001
srow aliases_10001 "6:40009: more than 10000 aliases (the limit)"

{ echo "$CFG"; printf '  variables:\n    x: "'; rep 2000000 a; printf '"\n'; echo "$SCN"; } | script value_2MiB
srow value_2MiB "5:8: a value longer than 1 MiB (the limit)"

{ echo "$CFG"; printf '  variables:\n    x: "a\\0b"\n'; echo "$SCN"; } | script value_with_nul
srow value_with_nul "5:8: a value cannot hold a NUL byte"

{ echo "$CFG"; printf '  variables:\n    x: ['; yes '1,' | head -n 1000000 | tr -d '\n'; echo '1]'; echo "$SCN"; } | script million_values
srow million_values "5:1999977: the script has more than 1000000 values (the limit)"

{ echo "$CFG"; echo "$SCN"; rep $((11 << 20)) '#'; echo; } | script script_11MiB
srow script_11MiB " cannot read: larger than 10 MiB (the limit for a script)"
row script_dev_zero "/dev/zero: cannot read: not a regular file" "$BIN" --headless /dev/zero
mkfifo "$WORK/fifo.yml"
row script_fifo "$WORK/fifo.yml: cannot read: not a regular file" "$BIN" --headless "$WORK/fifo.yml"
row script_directory "$WORK: cannot read: Is a directory" "$BIN" --headless "$WORK"

# --- counts ----------------------------------------------------------------------
{ printf 'config:\n  target: "%s"\n  phases:\n' "$T"; yes '    - {duration: 1, arrivalRate: 1}' | head -n 10000; echo "$SCN"; } | script phases_10000
srow phases_10000 "1004:7: more than 1000 phases (the limit)"
{ echo "$CFG"; echo 'scenarios:'; yes '  - flow: [{think: 1}]' | head -n 1001; } | script scenarios_1001
srow scenarios_1001 "1005:5: more than 1000 scenarios (the limit)"
{ echo "$CFG"; printf 'scenarios:\n  - flow:\n'; yes '      - think: 1' | head -n 10001; } | script steps_10001
srow steps_10001 "10006:9: more than 10000 steps in the script (the limit)"
{ echo "$CFG"; printf 'scenarios:\n  - flow:\n'; for i in $(seq 1001); do echo "      - get: {url: /$i}"; done; } | script endpoints_1001
srow endpoints_1001 "1006:14: more than 1000 distinct requests (the limit on endpoints; a \`name\` shared by requests makes them one)"
{ echo "$CFG"; printf '  defaults:\n    headers:\n'; for i in $(seq 101); do echo "      X-$i: v"; done; echo "$SCN"; } | script headers_101
srow headers_101 "6:7: more than 100 headers (the limit)"
{ echo "$CFG"; printf '  payload:\n'; yes '    - {path: u.csv, fields: [a]}' | head -n 21; echo "$SCN"; } | script payloads_21
srow payloads_21 "25:7: more than 20 payload files (the limit)"
{
    echo "$CFG"; printf 'scenarios:\n  - flow:\n'
    for i in $(seq 0 16); do printf '%*s- count: 2\n%*s  loop:\n' $((6 + 4 * i)) '' $((6 + 4 * i)) ''; done
    printf '%*s- think: 0\n' $((6 + 4 * 17)) ''
} | script loops_17_deep
srow loops_17_deep "38:73: loops nested more than 16 deep (the limit)"

# --- numbers ---------------------------------------------------------------------
# phase NAME PHASE FIRST_LINE: a script whose one phase is PHASE.
phase() {
    printf 'config:\n  target: "%s"\n  phases: [%s]\n%s\n' "$T" "$2" "$SCN" | script "$1"
    srow "$1" "$3"
}
phase arrivalCount_0 "{duration: 5, arrivalCount: 0}" "3:40: arrivalCount must be a positive integer"
phase arrivalCount_fraction "{duration: 5, arrivalCount: 2.5}" "3:40: arrivalCount must be a positive integer"
phase arrivalCount_dense "{duration: 1, arrivalCount: 1000001}" \
    "3:40: arrivalCount 1000001 over 1s is more than 1000000 arrivals a second (the limit)"
phase arrivalRate_high "{duration: 1, arrivalRate: 1000001}" "3:39: arrivalRate is too large (at most 1000000 a second)"
phase arrivalRate_negative "{duration: 1, arrivalRate: -1}" "3:39: arrivalRate must not be negative"
phase arrivalRate_nan "{duration: 1, arrivalRate: .nan}" "3:39: arrivalRate must be a number"
phase arrivalRate_inf "{duration: 1, arrivalRate: .inf}" "3:39: arrivalRate must be a number"
phase arrivalRate_1e400 "{duration: 1, arrivalRate: 1e400}" "3:39: arrivalRate is too large (at most 1000000 a second)"
phase rampTo_high "{duration: 9, arrivalRate: 1, rampTo: 2e6}" "3:50: rampTo is too large (at most 1000000 a second)"
phase duration_0 "{duration: 0, arrivalRate: 1}" "3:23: duration must be greater than 0"
phase duration_1e300 "{duration: 1e300, arrivalRate: 1}" "3:23: duration is too long (at most 8760h, a year)"
phase duration_negative "{duration: -5, arrivalRate: 1}" \
    "3:23: bad duration \`-5\` for \`duration\`: use seconds (30, 1.5) or a unit (250ms, 90s, 2m, 1h)"
phase maxVusers_0 "{duration: 1, arrivalRate: 1, maxVusers: 0}" "3:53: maxVusers must be a positive integer"
printf '%s\n  http: {pool: 0}\n%s\n' "$CFG" "$SCN" | script pool_0
srow pool_0 "4:16: pool must be a positive integer"
printf '%s\n  http: {pool: -3}\n%s\n' "$CFG" "$SCN" | script pool_negative
srow pool_negative "4:16: pool must be a positive integer"
printf '%s\n  http: {timeout: 0}\n%s\n' "$CFG" "$SCN" | script timeout_0
srow timeout_0 "4:19: timeout must be greater than 0"
printf '%s\n  ensure: {maxErrorRate: 101}\n%s\n' "$CFG" "$SCN" | script maxErrorRate_101
srow maxErrorRate_101 "4:26: maxErrorRate is too large (at most 100%)"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, probability: 101}}]\n' "$CFG" | script probability_101
srow probability_101 "5:40: probability is too large (at most 100%)"
printf '%s\nscenarios:\n  - flow: [{think: 1, jitter: "101%%"}]\n' "$CFG" | script jitter_101pct
srow jitter_101pct "5:31: jitter is too large (at most 100%)"
printf '%s\nscenarios:\n  - flow: [{think: 9999h}]\n' "$CFG" | script think_9999h
srow think_9999h "5:20: think is too long (at most 8760h, a year)"

# --- targets, urls, headers ----------------------------------------------------------
# target NAME URL FIRST_LINE: a script whose config.target is URL (a YAML double-quoted string).
target() {
    printf 'config:\n  target: "%s"\n  phases: [{duration: 1, arrivalRate: 1}]\n%s\n' "$2" "$SCN" | script "$1"
    srow "$1" "$3"
}
target target_port_0 "http://127.0.0.1:0/" "2:29: target has a port outside 1-65535"
target target_port_65536 "http://127.0.0.1:65536/" "2:29: target has a port outside 1-65535"
target target_ftp "ftp://127.0.0.1:$PORT/" "2:11: target must start with http:// or https://, not \`ftp://127.0.0.1:$PORT/\`"
target target_space "$T/a b" "2:$((12 + ${#T} + 2)): target cannot hold a space (write %20)"
target target_crlf "$T/\\r\\nX: y" "2:$((12 + ${#T} + 1)): target cannot hold a line break"
target target_no_host "http://:$PORT/" "2:19: target has no host"
printf 'config:\n  target: "{{ $env.TT }}"\n  phases: [{duration: 1, arrivalRate: 1}]\n%s\n' "$SCN" | script target_rendered
row target_rendered "$WORK/target_rendered.yml:2:11: target has a port outside 1-65535" env TT=http://127.0.0.1:0 "$BIN" --headless "$WORK/target_rendered.yml"
# url NAME URL FIRST_LINE: a script whose one request has url URL (double-quoted).
url() {
    printf '%s\nscenarios:\n  - flow: [{get: {url: "%s"}}]\n' "$CFG" "$2" | script "$1"
    srow "$1" "$3"
}
url url_crlf '/a\r\nHost: evil' "5:27: url cannot hold a line break"
url url_space '/a b' "5:27: url cannot hold a space (write %20)"
url url_control '/a\x01' "5:27: url cannot hold control character \\x01"
url url_gopher "gopher://127.0.0.1:$PORT/" "5:24: url \`gopher://127.0.0.1:$PORT/\` must start with \`/\`, http:// or https://"
url url_port "http://127.0.0.1:99999/" "5:42: url has a port outside 1-65535"
printf '%s\n  defaults:\n    headers: {"X-A": "a\\r\\nX-B: b"}\n%s\n' "$CFG" "$SCN" | script header_crlf
srow header_crlf "5:24: header \`X-A\`: a header value must be on one line (no CR or LF)"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, headers: {X: "a\\x1b"}}}]\n' "$CFG" | script header_control
srow header_control "5:42: header \`X\`: a header value cannot hold control character \\x1b"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, headers: {"X Y": a}}}]\n' "$CFG" | script header_name
srow header_name "5:37: \`X Y\` is not a valid header name"

# --- payloads and config rendering ---------------------------------------------------------
# payload NAME PATH FIRST_LINE
payload() {
    printf '%s\n  payload: {path: "%s", fields: [a]}\n%s\n' "$CFG" "$2" "$SCN" | script "$1"
    srow "$1" "$3"
}
mkfifo "$WORK/fifo.csv"
truncate -s $(((100 << 20) + 1)) "$WORK/big.csv"
payload payload_dev_zero /dev/zero "4:19: payload /dev/zero: not a regular file"
payload payload_fifo "$WORK/fifo.csv" "4:19: payload $WORK/fifo.csv: not a regular file"
payload payload_directory "$WORK" "4:19: payload $WORK: Is a directory"
payload payload_101MiB "$WORK/big.csv" "4:19: payload $WORK/big.csv: larger than 100 MiB (the limit for a payload)"
{ printf 'config:\n  target: "%s/' "$T"; for i in $(seq 11); do printf '{{ $env.B }}'; done
  printf '"\n  phases: [{duration: 1, arrivalRate: 1}]\n%s\n' "$SCN"; } | script render_over_1MiB
row render_over_1MiB "$WORK/render_over_1MiB.yml:2:11: renders to more than 1 MiB (the limit for a template)" \
    env B="$(rep 100000 b)" "$BIN" --headless "$WORK/render_over_1MiB.yml"

# --- expressions -----------------------------------------------------------------------
printf '%s\n  ensure:\n    conditions:\n      - expression: "%s1"\n%s\n' "$CFG" "$(rep 100000 '(')" "$SCN" | script ensure_nested
srow ensure_nested "6:86: bad ensure expression: nested more than 64 deep (the limit)"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, ifTrue: "%s1"}}]\n' "$CFG" "$(rep 100000 '(')" | script ifTrue_nested
srow ifTrue_nested "5:100: ifTrue: nested more than 64 deep (the limit)"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, ifTrue: "%s1"}}]\n' "$CFG" "$(yes 'a + ' | head -n 2000 | tr -d '\n')" | script ifTrue_operators
srow ifTrue_operators "5:4038: ifTrue: more than 1000 operators (the limit)"
printf '%s\nscenarios:\n  - flow: [{get: {url: /, capture: {json: "$%s", as: x}}}]\n' "$CFG" "$(yes '.a' | head -n 65 | tr -d '\n')" | script jsonpath_65_steps
srow jsonpath_65_steps "5:43: bad JSONPath \`\$.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a....\`: more than 64 steps (the limit) at column 130"

# --- many errors: each once, at most 20, then a count ---------------------------------------
{ echo "$CFG"; printf 'scenarios:\n  - flow:\n'; for i in $(seq 30); do echo "      - {get: {url: /, headers: {\"a b$i\": 1}}}"; done; } | script errors_30
srow errors_30 "6:34: \`a b1\` is not a valid header name"
grep -qx "$WORK/errors_30.yml: 10 more errors not shown" "$WORK/errors_30.err" ||
    not_ok "errors_30: the count of the rest" "$(tail -n 1 "$WORK/errors_30.err")"
script alias_errors <<EOF
$CFG
scenarios:
  - flow:
      - &s {get: {url: "/a b"}}
      - loop: &l [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]
        count: 1
      - &m {loop: *l, count: 1}
      - {loop: [*m, *m, *m, *m, *m, *m, *m, *m, *m, *m], count: 1}
EOF
srow alias_errors "6:27: url cannot hold a space (write %20)"
[ "$(wc -l <"$WORK/alias_errors.err")" -eq 1 ] ||
    not_ok "alias_errors: said once, not 111 times" "$(wc -l <"$WORK/alias_errors.err") lines"

# --- the command line ------------------------------------------------------------------------
U=$T/up
TRY="Try 'loadtop --help'."
# crow NAME FIRST_LINE ARGS...: loadtop --headless ARGS...
crow() { local n=$1 w=$2; shift 2; row "$n" "$w" "$BIN" --headless "$@"; }
echo "$CFG" >"$WORK/ok.yml"; echo "$SCN" >>"$WORK/ok.yml"
crow cli_rate_high "loadtop: -r: '2000000' is too large (at most 1000000 a second)" -r 2000000 -d 1 "$U"
crow cli_transport "loadtop: --transport: 'fast' is not auto, native or curl" --transport fast -d 1 "$U"
crow cli_transport_https "loadtop: --transport native: it carries http:// only (use auto or curl)" \
    --transport native -d 1 "${U/http:/https:}"
{ echo "$CFG" | sed 's/^config:$/config:\n  transport: warp/'; echo "$SCN"; } | script transport_key
srow transport_key "2:14: transport: warp is not auto, native or curl"
crow cli_rate_nan "loadtop: -r: 'nan' is not a positive number" -r nan -d 1 "$U"
crow cli_rate_negative "loadtop: -r: '-5' is not a positive number" -r -5 -d 1 "$U"
crow cli_duration_1e300 "loadtop: -d: '1e300' is too long (at most 8760h, a year)" -d 1e300 "$U"
crow cli_duration_0 "loadtop: -d: '0' must be longer than zero" -d 0 "$U"
crow cli_duration_inf "loadtop: -d: 'inf' is not a duration (e.g. 500ms, 10s, 2m, 1h)" -d inf "$U"
crow cli_connections_0 "loadtop: -c: '0' is not a positive integer" -c 0 -d 1 "$U"
crow cli_connections_huge "loadtop: -c: '$(rep 60 9)...' is too large (at most 100000)" -c "$(rep 100000 9)" -d 1 "$U"
crow cli_requests_0 "loadtop: -n: '0' is not a positive integer" -n 0 "$U"
crow cli_requests_overflow "loadtop: -n: 9000000000000000000 requests at 1/s would take longer than 8760h (the limit)" \
    -n 9000000000000000000 -r 1 "$U"
crow cli_timeout_long "loadtop: --timeout: '9000h' is too long (at most 8760h, a year)" --timeout 9000h -d 1 "$U"
crow cli_interval_0 "loadtop: --interval: '0' must be longer than zero" --interval 0 -d 1 "$U"
crow cli_header_crlf "loadtop: -H: 'X: a\\r\\nHost: evil' is refused: a header value must be on one line (no CR or LF)" \
    -H $'X: a\r\nHost: evil' -d 1 "$U"
crow cli_header_name "loadtop: -H: 'X(: a' is refused: a header name cannot hold \`(\`" -H 'X(: a' -d 1 "$U"
crow cli_header_control "loadtop: -H: 'X: a\\x1b' is refused: a header value cannot hold control character \\x1b" \
    -H $'X: a\x1b' -d 1 "$U"
hs=(); for i in $(seq 101); do hs+=(-H "X-$i: v"); done
crow cli_headers_101 "loadtop: -H: more than 100 headers (the limit)" "${hs[@]}" -d 1 "$U"
crow cli_url_ftp "loadtop: 'ftp://127.0.0.1:$PORT/' is not an http:// or https:// URL" -d 1 "ftp://127.0.0.1:$PORT/"
crow cli_url_port_0 "loadtop: 'http://127.0.0.1:0/' has a port outside 1-65535" -d 1 http://127.0.0.1:0/
crow cli_url_space "loadtop: '$T/a b' cannot hold a space (write %20)" -d 1 "$T/a b"
crow cli_url_crlf "loadtop: '$T/\\r\\nX: y' cannot hold a line break" -d 1 "$T/"$'\r\nX: y'
crow cli_url_no_host "loadtop: 'http://:$PORT/' has no host" -d 1 "http://:$PORT/"
crow cli_target_port "loadtop: -t: 'http://127.0.0.1:70000' has a port outside 1-65535" -t http://127.0.0.1:70000 "$WORK/ok.yml"
crow cli_target_ftp "loadtop: -t: 'ftp://x' must start with http:// or https://" -t ftp://x "$WORK/ok.yml"
crow cli_body_dev_zero "loadtop: --body: /dev/zero: not a regular file" --body @/dev/zero -d 1 "$U"
crow cli_body_fifo "loadtop: --body: $WORK/fifo.csv: not a regular file" --body "@$WORK/fifo.csv" -d 1 "$U"
crow cli_body_directory "loadtop: --body: $WORK: is a directory" --body "@$WORK" -d 1 "$U"
truncate -s $(((10 << 20) + 1)) "$WORK/big.body"
crow cli_body_11MiB "loadtop: --body: $WORK/big.body: larger than 10 MiB (the limit for a body)" --body "@$WORK/big.body" -d 1 "$U"
printf 'secret\0binary' >"$WORK/nul.body"
crow cli_body_nul "loadtop: --body: $WORK/nul.body: binary bodies (NUL bytes) are not supported" --body "@$WORK/nul.body" -d 1 "$U"
crow cli_ensure_nested "--ensure: bad ensure expression \`$(rep 60 '(')...\` at column 65: nested more than 64 deep (the limit)" \
    --ensure "$(rep 100000 '(')1" -d 1 "$U"
crow cli_method "loadtop: -m: 'GE T' is not an HTTP method" -m 'GE T' -d 1 "$U"
crow cli_output_empty "loadtop: -o: the value is empty" -o '' -d 1 "$U"
crow cli_unknown_huge "loadtop: unknown option '--$(rep 58 a)...'" "--$(rep 100000 a)" "$U"
crow cli_variables "loadtop: -v: '[1]' is not a JSON object (e.g. '{\"id\": 7}')" -v '[1]' "$WORK/ok.yml"
row cli_listen_port "loadtop: --listen: '127.0.0.1:70000' is not ADDR:PORT (e.g. 127.0.0.1:8080)" \
    "$BIN" target --listen 127.0.0.1:70000

# The listener saw nothing, over the whole suite.
if [ -s "$ACCEPTS" ]; then not_ok "no connection in the whole suite" "$(stat -c %s "$ACCEPTS")"; else ok "no connection in the whole suite"; fi

summary
