#!/usr/bin/env bash
# Target tests: `loadtop target` on 127.0.0.1, spoken to with curl, bash's
# /dev/tcp and (to shut down one side of a socket) perl, which Debian always
# has. Checks the bytes each fault route puts on the wire, the 400s llhttp
# finds, the header and idle timeouts, the connection cap, a half-closed
# client, pipelining, the generated bodies' backpressure, and a restart on the
# same port. Every exchange is bounded by `timeout`; every process started
# here is stopped on exit. Prints "target: N passed, N failed" and writes the
# numbers to build/target.count.
SUITE=target
. "$(dirname "$0")/lib.sh"

# exchange PORT SECS OUT REQUEST: a new connection, REQUEST written (printf
# %b: \r\n are escapes), everything read until the target closes, at most
# SECS. Sets RC (124: the target did not close) and MS (milliseconds taken).
exchange() {
    local t0=$(date +%s%N)
    timeout -k 1 "$2" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 9
        printf "%b" "$1" >&3 2>/dev/null; cat <&3' "$1" "$4" >"$3" 2>/dev/null
    RC=$?
    MS=$((($(date +%s%N) - t0) / 1000000))
}

# bytes FILE: FILE's bytes, escaped as printf %q would show them.
bytes() { printf '%q' "$(cat "$1"; echo x)" | sed 's/x.$//'; }
# want TEXT: printf %b of TEXT, escaped the same way, for comparing with bytes.
want() { printf '%q' "$(printf '%b' "$1"; echo x)" | sed 's/x.$//'; }
# rss PID: resident set in KiB.
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# tcp_count PORT STATE: sockets on local port PORT in STATE (/proc/net/tcp's
# hex code: 06 TIME_WAIT, 0A LISTEN), from the kernel, not from a tool.
tcp_count() {
    awk -v p="$(printf ':%04X' "$1")" -v s="$2" \
        'NR > 1 && substr($2, length($2) - 4) == p && $4 == s { n++ } END { print n + 0 }' \
        /proc/net/tcp
}

CL='Connection: close\r\n'
start_target main || exit 1
P=$PORT

# --- plain replies, exactly ---------------------------------------------------
exchange $P 3 "$WORK/up" "GET /up HTTP/1.1\r\nHost: x\r\n$CL\r\n"
expect "rc" $RC 0
expect "/up" "$(bytes "$WORK/up")" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n')"
exchange $P 3 "$WORK/s999" "GET /status/999 HTTP/1.1\r\n$CL\r\n"
expect "/status/999" "$(bytes "$WORK/s999")" \
    "$(want 'HTTP/1.1 999 Status\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n999 Status\n')"
expect "/status/100..999" "$(for s in 100 204 302 418 503 600 999 99 1000 abc; do
    curl -s -o /dev/null -w '%{http_code} ' --max-time 3 "http://127.0.0.1:$P/status/$s"; done)" \
    "100 204 302 418 503 600 999 400 400 400 "
finish "/up and /status/NNN (any of 100-999, 999 too) byte for byte"

# --- fault routes: the bytes on the wire ------------------------------------------
exchange $P 3 "$WORK/malformed" "GET /malformed HTTP/1.1\r\n\r\n"
expect "rc (closed)" $RC 0
expect "/malformed" "$(bytes "$WORK/malformed")" \
    "$(want 'HTTP/1.1 abc Nope\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nmalformed\n')"
expect "curl's verdict" "$(curl -sS --max-time 3 "http://127.0.0.1:$P/malformed" 2>&1)" \
    "curl: (1) Unsupported HTTP version in response"
finish "/malformed: an invalid status line, then the close"

exchange $P 3 "$WORK/http09" "GET /http09 HTTP/1.1\r\n\r\n"
expect "rc (closed)" $RC 0
expect "/http09" "$(bytes "$WORK/http09")" "$(want 'a bare body, no status line\n')"
expect "curl's verdict" "$(curl -sS --max-time 3 "http://127.0.0.1:$P/http09" 2>&1)" \
    "curl: (1) Received HTTP/0.9 when not allowed"
expect "curl --http0.9 reads the body" \
    "$(curl -s --http0.9 --max-time 3 "http://127.0.0.1:$P/http09")" "a bare body, no status line"
finish "/http09: a bare body with no status line, then the close"

exchange $P 3 "$WORK/badchunk" "GET /badchunk HTTP/1.1\r\n\r\n"
expect "rc (closed)" $RC 0
expect "/badchunk" "$(bytes "$WORK/badchunk")" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad chunk size\r\n0\r\n\r\n')"
expect "curl's verdict" "$(curl -sS --max-time 3 -o /dev/null "http://127.0.0.1:$P/badchunk" 2>&1)" \
    "curl: (56) Illegal or missing hexadecimal sequence in chunked-encoding"
finish "/badchunk: chunked with the size line 'zz'"

exchange $P 3 "$WORK/closebody" "GET /closebody HTTP/1.1\r\n\r\n"
expect "rc (closed)" $RC 0
expect "head" "$(head -c 67 "$WORK/closebody" | bytes /dev/stdin)" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n')"
expect "bytes: head + 100 of the 1000 promised" "$(wc -c <"$WORK/closebody")" $((67 + 100))
expect "curl's verdict" "$(curl -sS --max-time 3 -o /dev/null "http://127.0.0.1:$P/closebody" 2>&1)" \
    "curl: (18) transfer closed with 900 bytes remaining to read"
finish "/closebody: Content-Length 1000, 100 bytes, then the close"

# --- generated replies --------------------------------------------------------
sizes=$(for n in 0 1 65535 65536 65537 10485760 1073741824; do
    curl -s --max-time 10 -o /dev/null -w '%{http_code}:%{size_download} ' "http://127.0.0.1:$P/bytes/$n"
done)
expect "sizes" "$sizes" \
    "200:0 200:1 200:65535 200:65536 200:65537 200:10485760 200:1073741824 "
expect "the first bytes" "$(curl -s --max-time 3 "http://127.0.0.1:$P/bytes/70" | head -c 70)" \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_abcdef"
expect "HEAD" "$(curl -s -I --max-time 3 "http://127.0.0.1:$P/bytes/5" | tr -d '\r' | grep -i '^content-length')" \
    "Content-Length: 5"
expect "past 2^40" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$P/bytes/1099511627777")" 400
expect_true "RSS stays small after 1 GiB (got $(rss $TARGET_PID) KiB)" "[ $(rss $TARGET_PID) -lt 65536 ]"
finish "/bytes/N: exactly N generated bytes, up to 1 GiB and beyond"

exchange $P 10 "$WORK/big" "GET /bigheader/1024 HTTP/1.1\r\n$CL\r\n"
expect "rc" $RC 0
expect "status line" "$(head -1 "$WORK/big")" $'HTTP/1.1 200 OK\r'
expect "X-Big line: 7 + 1 MiB + CRLF" "$(sed -n 2p "$WORK/big" | wc -c)" $((7 + 1048576 + 2))
expect "X-Big starts" "$(sed -n 2p "$WORK/big" | head -c 14)" "X-Big: abcdefg"
expect "the rest" "$(sed -n '3,$p' "$WORK/big" | bytes /dev/stdin)" \
    "$(want 'Content-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n')"
expect "curl refuses a header that large" \
    "$(curl -sS --max-time 3 -o /dev/null "http://127.0.0.1:$P/bigheader/1024" 2>&1)" "curl: (27) Out of memory"
finish "/bigheader/1024: a 1 MiB header line"

curl -s --max-time 5 -D "$WORK/many.h" -o "$WORK/many.b" "http://127.0.0.1:$P/manyheaders/5000"
expect "curl rc" $? 0
expect "X-Many lines" "$(grep -c '^X-Many-' "$WORK/many.h")" 5000
expect "first" "$(sed -n 2p "$WORK/many.h")" $'X-Many-1: 1\r'
expect "last" "$(grep '^X-Many-' "$WORK/many.h" | tail -1)" $'X-Many-5000: 5000\r'
expect "body" "$(cat "$WORK/many.b")" ok
expect "/manyheaders/0" "$(curl -s -D - --max-time 3 "http://127.0.0.1:$P/manyheaders/0" | tr -d '\r')" \
    "$(printf 'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 3\n\nok')"
finish "/manyheaders/N: N header lines"

# /endless, read as fast as curl can for 1 s; meanwhile /up is not starved.
curl -s --max-time 1 -o /dev/null -w '%{http_code} %{size_download}' \
    "http://127.0.0.1:$P/endless" >"$WORK/endless.n" 2>/dev/null &
epid=$!
sleep 0.3
t0=$(date +%s%N)
up=$(curl -s --max-time 2 "http://127.0.0.1:$P/up")
up_ms=$((($(date +%s%N) - t0) / 1000000))
wait $epid
expect "curl's verdict (28: timed out)" $? 28
read -r code got <"$WORK/endless.n"
expect "status" "$code" 200
expect_true "more than 16 MiB in 1 s (got $got)" "[ $got -gt 16777216 ]"
expect "/up meanwhile" "$up" ok
expect_true "/up meanwhile within 500 ms (took $up_ms)" "[ $up_ms -lt 500 ]"
# A client that does not read: the target holds at most a piece, not a queue.
before=$(rss $TARGET_PID)
timeout -k 1 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"; printf "GET /endless HTTP/1.1\r\n\r\n" >&3; sleep 1.5' $P
after=$(rss $TARGET_PID)
expect_true "RSS grew by less than 2 MiB with a non-reader (${before} -> ${after} KiB)" \
    "[ $((after - before)) -lt 2048 ]"
exchange $P 3 "$WORK/endless10" "GET /endless HTTP/1.0\r\n\r\n"
expect "HTTP/1.0: no chunks, Connection: close" "$(head -c 78 "$WORK/endless10" | bytes /dev/stdin)" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n')"
finish "/endless: chunked, never ends, paced by the reader"

# --- llhttp's verdicts -------------------------------------------------------
BAD='HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 16\r\nConnection: close\r\n\r\n400 Bad Request\n'
exchange $P 3 "$WORK/dupcl" "POST /up HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
expect "conflicting Content-Length" "$(bytes "$WORK/dupcl")" "$(want "$BAD")"
expect "rc (closed)" $RC 0
exchange $P 3 "$WORK/tecl" "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nabcd"
expect "Transfer-Encoding with Content-Length" "$(bytes "$WORK/tecl")" "$(want "$BAD")"
exchange $P 3 "$WORK/badline" "GET /up HTTP/1.1 junk\r\n\r\n"
expect "a bad request line" "$(bytes "$WORK/badline")" "$(want "$BAD")"
exchange $P 3 "$WORK/badte" "POST /up HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc"
expect "a request body of unknown length" "$(bytes "$WORK/badte")" "$(want "$BAD")"
exchange $P 3 "$WORK/badchunkreq" "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n"
expect "a bad chunk in the request" "$(bytes "$WORK/badchunkreq")" "$(want "$BAD")"
exchange $P 3 "$WORK/abs" "GET http://127.0.0.1/up HTTP/1.1\r\n\r\n"
expect "an absolute URL" "$(bytes "$WORK/abs")" "$(want "$BAD")"
exchange $P 3 "$WORK/big431" "GET /up HTTP/1.1\r\nX-Long: $(head -c 9000 /dev/zero | tr '\0' a)\r\n\r\n"
expect "a head over 8 KiB" "$(head -1 "$WORK/big431")" $'HTTP/1.1 431 Request Header Fields Too Large\r'
finish "llhttp's errors: conflicting lengths, bad lines, bad chunks get 400 and the close"

expect "a chunked request body" \
    "$(curl -s --max-time 3 -H 'Transfer-Encoding: chunked' --data-binary 'hello chunks' "http://127.0.0.1:$P/echo" |
        jq -r '[.body, .headers["transfer-encoding"]] | join(" ")')" "hello chunks chunked"
expect "keep-alive: one connection for two requests" \
    "$(curl -sv --max-time 3 "http://127.0.0.1:$P/up" "http://127.0.0.1:$P/up" 2>&1 | grep -c 'Re-using existing connection')" 1
exchange $P 3 "$WORK/h10" "GET /up HTTP/1.0\r\n\r\n"
expect "HTTP/1.0 closes" "$(bytes "$WORK/h10")" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n')"
exchange $P 3 "$WORK/head" "HEAD /json HTTP/1.1\r\n$CL\r\n"
expect "HEAD: the head only" "$(bytes "$WORK/head")" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 231\r\nConnection: close\r\n\r\n')"
finish "chunked request bodies, keep-alive, HTTP/1.0, HEAD"

# --- pipelining and a half-closed client ----------------------------------------
exchange $P 5 "$WORK/pipe" \
    "GET /status/201 HTTP/1.1\r\n\r\nGET /delay/200 HTTP/1.1\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /status/202 HTTP/1.1\r\n$CL\r\n"
expect "rc (closed after the last)" $RC 0
expect "status lines in order" "$(grep -a -o 'HTTP/1.1 [0-9]*' "$WORK/pipe" | tr '\n' ' ')" \
    "HTTP/1.1 201 HTTP/1.1 200 HTTP/1.1 200 HTTP/1.1 202 "
expect "the echo among them" "$(grep -a -o '"body":"[a-z]*"' "$WORK/pipe")" '"body":"hi"'
finish "four pipelined requests are answered in order"

cat >"$WORK/halfclose.pl" <<'EOF'
use IO::Socket::INET;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
print $s "GET /delay/300 HTTP/1.1\r\n\r\nGET /up HTTP/1.1\r\n\r\n";
shutdown($s, 1) or die "shutdown: $!";
local $/;
my $r = <$s>;
print $r;
EOF
t0=$(date +%s%N)
timeout -k 1 5 perl "$WORK/halfclose.pl" $P >"$WORK/half"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect "rc" $rc 0
expect "both replies, then the close" "$(bytes "$WORK/half")" \
    "$(want 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n')"
expect_true "after the delay, promptly ($ms ms)" "[ $ms -ge 300 ] && [ $ms -lt 2000 ]"
finish "a client that shuts down its side after the requests still gets the replies"

# --- timeouts ------------------------------------------------------------------
start_target timeouts --header-timeout 500 --idle-timeout 1500 || exit 1
T2=$PORT
exchange $T2 4 "$WORK/silent" ""
expect "silent: rc (closed by the target)" $RC 0
expect "silent: nothing sent" "$(wc -c <"$WORK/silent")" 0
expect_true "silent: closed after 500 ms, within 1.2 s ($MS ms)" "[ $MS -ge 450 ] && [ $MS -lt 1200 ]"
# A slowloris: a header line every 100 ms does not buy more time.
t0=$(date +%s%N)
timeout -k 1 4 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"
    { printf "GET /up HTTP/1.1\r\n"; for i in $(seq 30); do sleep 0.1; printf "X-%d: 1\r\n" $i; done; } >&3 2>/dev/null &
    cat <&3' $T2 >"$WORK/loris" 2>/dev/null
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect "slowloris: rc (closed by the target)" $rc 0
expect "slowloris: no reply" "$(wc -c <"$WORK/loris")" 0
expect_true "slowloris: closed within 1.2 s ($ms ms)" "[ $ms -ge 450 ] && [ $ms -lt 1200 ]"
# After a reply the idle timeout (1.5 s), not the header timeout, applies.
exchange $T2 5 "$WORK/idle" "GET /up HTTP/1.1\r\n\r\n"
expect "idle: rc (closed by the target)" $RC 0
expect "idle: the reply" "$(tail -c 3 "$WORK/idle")" ok
expect_true "idle: closed after 1.5 s, within 2.2 s ($MS ms)" "[ $MS -ge 1450 ] && [ $MS -lt 2200 ]"
exchange $T2 3 "$WORK/intime" "GET /up HTTP/1.1\r\n$CL\r\n"
expect "a prompt request is served" "$(tail -c 3 "$WORK/intime")" ok
finish "--header-timeout closes silent and slowloris connections; --idle-timeout idle ones"

# --- the connection cap -------------------------------------------------------
start_target cap --max-connections 2 || exit 1
T3=$PORT
exec 5<>"/dev/tcp/127.0.0.1/$T3" 6<>"/dev/tcp/127.0.0.1/$T3"
sleep 0.2
exchange $T3 3 "$WORK/third" ""
expect "a third connection: closed at once (rc)" $RC 0
expect "a third connection: nothing sent" "$(wc -c <"$WORK/third")" 0
expect_true "a third connection: closed within 500 ms ($MS ms)" "[ $MS -lt 500 ]"
printf 'GET /up HTTP/1.1\r\nConnection: close\r\n\r\n' >&5
expect "the first two are served" "$(timeout 3 cat <&5 | tail -c 3)" ok
exec 5<&- 5>&-
sleep 0.2
exchange $T3 3 "$WORK/again" "GET /up HTTP/1.1\r\n$CL\r\n"
expect "a slot freed is a slot to use" "$(tail -c 3 "$WORK/again")" ok
exec 6<&- 6>&-
finish "--max-connections 2: a third connection is closed at once"

# --- restart on the same port, killed mid-run -----------------------------------
start_target r1 || exit 1
R=$PORT
# The target closes first (Connection: close), so its side keeps the TIME_WAIT.
timeout -k 1 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"
    printf "GET /up HTTP/1.1\r\nConnection: close\r\n\r\n" >&3; sleep 0.3; cat <&3 >/dev/null' $R
exec 7<>"/dev/tcp/127.0.0.1/$R"
printf 'GET /stall HTTP/1.1\r\n\r\n' >&7
sleep 0.2
expect_true "a TIME_WAIT is left on the port (else this proves nothing)" \
    "[ $(tcp_count $R 06) -ge 1 ]"
{ kill -9 $TARGET_PID && wait $TARGET_PID; } 2>/dev/null
if start_target r2 --listen 127.0.0.1:$R; then
    expect "same port" "$PORT" "$R"
    expect "serves" "$(curl -s --max-time 3 "http://127.0.0.1:$R/up")" ok
else
    errs+=("the restart on port $R failed: $(cat "$WORK/target-r2.out")")
fi
exec 7<&- 7>&-
finish "a target killed mid-run restarts on the same port at once (SO_REUSEADDR)"

# --- loopback unless told otherwise ---------------------------------------------
timeout -k 1 3 "$BIN" target --listen :8080 >/dev/null 2>"$WORK/colon.err"
expect "exit code" $? 2
expect "message" "$(head -1 "$WORK/colon.err")" \
    "loadtop: --listen: ':8080' is not ADDR:PORT (e.g. 127.0.0.1:8080)"
finish "--listen without a host is refused, not taken as all interfaces"

if [ "$(tcp_count 8080 0A)" = 0 ]; then
    "$BIN" target >"$WORK/target-default.out" 2>&1 &
    dpid=$!
    pids+=($dpid)
    poll 3 grep -q listening "$WORK/target-default.out"
    expect "start-up line" "$(cat "$WORK/target-default.out")" \
        "loadtop target listening on http://127.0.0.1:8080 (capacity 0, latency 0 ms)"
    expect "bound to 127.0.0.1 (0100007F), not all interfaces" \
        "$(awk 'NR > 1 && $2 ~ /:1F90$/ && $4 == "0A" { print $2 }' /proc/net/tcp)" "0100007F:1F90"
    kill $dpid
    wait $dpid 2>/dev/null
    finish "loadtop target listens on 127.0.0.1:8080 by default"
else
    skip "loadtop target listens on 127.0.0.1:8080 by default" "port 8080 is in use here"
fi

# --- every target still running stops cleanly --------------------------------------
for t in "${TARGETS[@]}"; do
    pid=${t%%:*} out=${t#*:}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid"
    timeout -k 1 5 tail --pid="$pid" -f /dev/null
    wait "$pid"
    expect "exit code of $(basename "$out" .out) after SIGTERM" $? 0
    expect_true "no sanitizer report in $(basename "$out")" \
        "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$out'"
done
finish "SIGTERM stops every target with exit 0 and no sanitizer report"

summary
