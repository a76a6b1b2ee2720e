#!/usr/bin/env bash
# Faults and overload: the real binary, headless, against servers that
# misbehave on purpose and loads far past what one core can send. Each test
# asserts that the run ends on time, names its errors and keeps its
# accounting (created = completed + failed, arrivals = created + skipped,
# skips by cause = vusers.skipped). Loopback only; every process started
# here ends by itself or is killed on exit.
SUITE=faults
. "$(dirname "$0")/lib.sh"

start_target main || exit 1
T=http://127.0.0.1:$PORT

# The generator's core: the last CPU when there are two or more, so that the
# target (left unpinned) keeps the others.
NCPU=$(nproc)
PIN=()
[ "$NCPU" -ge 2 ] && PIN=(taskset -c $((NCPU - 1)))

# RSS bounds hold for the normal build; ASan's quarantine keeps 256 MB of
# freed memory on purpose, so a sanitized binary gets that much more room.
RSS_SLACK=0
ldd "$BIN" 2>/dev/null | grep -q libasan && RSS_SLACK=262144

# elapsed CMD...: runs CMD, sets RC and SECS (wall time, 0.01 s).
elapsed() {
    local t0 t1
    t0=$(date +%s%N)
    "$@"
    RC=$?
    t1=$(date +%s%N)
    SECS=$(((t1 - t0) / 10000000))
    SECS=$((SECS / 100)).$(printf '%02d' $((SECS % 100)))
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# --- a request times out while the pool is full (was SIGABRT in 8 of 10) ----
# libcurl 7.88 closes an abandoned connect attempt without the close-socket
# callback; the poll left on it made libuv abort on epoll_ctl(EBADF).
for i in 1 2; do
    run_lt poolto$i 30 -d 2s -r 1000 -c 50 --timeout 1s "$T/delay/800"
    f=$WORK/poolto$i.json
    expect "run $i: exit code (stderr: $(tail -c 200 "$WORK/poolto$i.err"))" "$RC" 0
    expect "run $i: arrivals" "$(($(counter "$f" vusers.created) + $(counter "$f" vusers.skipped)))" 2000
    expect_true "run $i: some ETIMEDOUT" "[ $(counter "$f" errors.ETIMEDOUT) -gt 0 ]"
    expect_true "run $i: requests waited at most pool x 4" \
        "[ $(counter "$f" loadtop.skipped.pool_full) -gt 0 ]"
    invariant "$f"
done
cat >"$WORK/pool.yml" <<EOT
config:
  target: "$T"
  http: { pool: 50, timeout: 1 }
  phases: [{ duration: 2, arrivalRate: 1000 }]
scenarios:
  - flow: [{ get: { url: "/delay/800" } }]
EOT
run_lt poolyml 30 "$WORK/pool.yml"
expect "script with config.http.pool: exit code" "$RC" 0
invariant "$WORK/poolyml.json"
finish "timeouts while the pool is full: no crash, report written, counts add up"

# --- open model at ten times what one core can send, with a pool -------------
elapsed /usr/bin/time -f %M -o "$WORK/rss1" "${PIN[@]}" timeout -k 2 30 \
    "$BIN" --headless -q -o "$WORK/over1.json" -r 200000 -c 50 -d 4s --timeout 2s "$T/up" \
    >"$WORK/over1.out" 2>"$WORK/over1.err"
f=$WORK/over1.json
rss=$(tail -1 "$WORK/rss1")
expect "exit code" "$RC" 0
expect_true "ends within duration + timeout + 2 s (took $SECS s)" "le $SECS 8"
expect "requests + skipped = planned" \
    "$(($(counter "$f" http.requests) + $(counter "$f" vusers.skipped)))" 800000
expect_true "skips are counted by cause" "[ $(counter "$f" loadtop.skipped.pool_full) -gt 0 ]"
expect_true "RSS below 200 MB (was $rss KB)" "[ $rss -lt $((204800 + RSS_SLACK)) ]"
expect_true "the skips were said while they happened" \
    "grep -q '^warning: skipped [0-9]* arrivals in the last second' '$WORK/over1.err'"
invariant "$f"
finish "-r 200000 -c 50 on one core: ends on time, skips counted, memory bounded ($rss KB, $SECS s)"

# --- fresh connection per arrival at ten times what one core can open -------
cat >"$WORK/fresh.yml" <<EOT
config:
  target: "$T"
  http: { timeout: 2 }
  phases: [{ duration: 4, arrivalRate: 100000 }]
scenarios:
  - flow: [{ get: { url: "/up" } }]
EOT
elapsed /usr/bin/time -f %M -o "$WORK/rss2" "${PIN[@]}" timeout -k 2 30 \
    "$BIN" --headless -q -o "$WORK/over2.json" "$WORK/fresh.yml" \
    >"$WORK/over2.out" 2>"$WORK/over2.err"
f=$WORK/over2.json
rss=$(tail -1 "$WORK/rss2")
expect "exit code" "$RC" 0
expect_true "ends within duration + timeout + 2 s (took $SECS s)" "le $SECS 8"
expect "created + skipped = planned" \
    "$(($(counter "$f" vusers.created) + $(counter "$f" vusers.skipped)))" 400000
expect_true "late arrivals are skipped and counted" "[ $(counter "$f" loadtop.skipped.late) -gt 0 ]"
expect_true "lag is bounded by 1 s" "[ \$(jqv $f '.aggregate.summaries[\"loadtop.schedule_lag\"].max') -le 1000 ]"
expect_true "RSS below 400 MB (was $rss KB)" "[ $rss -lt $((409600 + RSS_SLACK)) ]"
invariant "$f"
finish "100 000 fresh connections/s on one core: ends on time, late arrivals skipped ($rss KB, $SECS s)"

# --- --max-vusers bounds the VUs at once -------------------------------------
run_lt maxvu 20 --max-vusers 10 -r 100 -c 200 -d 1s "$T/delay/1500"
f=$WORK/maxvu.json
expect "exit code" "$RC" 0
expect "vusers.created" "$(counter "$f" vusers.created)" 10
expect "loadtop.skipped.vu_limit" "$(counter "$f" loadtop.skipped.vu_limit)" 90
invariant "$f"
finish "--max-vusers 10: 10 VUs at once, the other 90 arrivals skipped as vu_limit"

# --- SIGTERM, SIGHUP under overload: out within 2 s, report written ---------
for sig in TERM HUP; do
    "${PIN[@]}" "$BIN" --headless -q -o "$WORK/sig$sig.json" -r 100000 -c 100 -d 60s \
        --timeout 20s "$T/stall" >"$WORK/sig$sig.out" 2>"$WORK/sig$sig.err" &
    pid=$!
    pids+=($pid)
    sleep 2
    t0=$(date +%s%N)
    kill -$sig $pid
    bounded_wait $pid 10
    RC=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    f=$WORK/sig$sig.json
    expect "SIG$sig: exit code" "$RC" 0
    expect_true "SIG$sig: out within 2 s (took $ms ms)" "[ $ms -le 2000 ]"
    expect "SIG$sig: state" "$(jqv "$f" .run.state)" interrupted
    expect_true "SIG$sig: in-flight requests named" "[ $(counter "$f" errors.ERR_INTERRUPTED) -gt 0 ]"
    invariant "$f"
done
finish "SIGTERM and SIGHUP under overload: out within 2 s with the report written"

# --- fd exhaustion is EMFILE, not ECONNREFUSED -------------------------------
(ulimit -n 256 && exec timeout -k 2 20 "$BIN" --headless -q -o "$WORK/emfile.json" -c 1000 -d 2s \
    "$T/up" >"$WORK/emfile.out" 2>"$WORK/emfile.err")
RC=$?
f=$WORK/emfile.json
expect "exit code" "$RC" 0
expect_true "errors.EMFILE counted" "[ $(counter "$f" errors.EMFILE) -gt 0 ]"
expect "no ECONNREFUSED" "$(counter "$f" errors.ECONNREFUSED)" 0
expect_true "responses too" "[ $(counter "$f" http.codes.200) -gt 0 ]"
cat >"$WORK/emfile.yml" <<EOT
config:
  target: "$T"
  phases: [{ duration: 1, arrivalRate: 500 }]
scenarios:
  - flow: [{ get: { url: "/delay/2000" } }]
EOT
(ulimit -n 256 && exec timeout -k 2 20 "$BIN" --headless -q -o "$WORK/emfile2.json" \
    "$WORK/emfile.yml" >"$WORK/emfile2.out" 2>"$WORK/emfile2.err")
f=$WORK/emfile2.json
expect_true "script: VU limit skips counted" "[ $(counter "$f" loadtop.skipped.vu_limit) -gt 0 ]"
expect_true "script: and said why" "grep -q 'VU limit' '$WORK/emfile2.err'"
invariant "$f"
finish "ulimit -n 256: EMFILE named; a script skips past the fd limit and says why"

# --- redirects never leave http(s) -------------------------------------------
python3 - "$WORK/ftp.port" "$WORK/ftp.accepts" <<'EOF' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(0.2)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n, end = 0, time.time() + 15
while time.time() < end:
    try:
        c, _ = s.accept(); n += 1; c.sendall(b"220 ftp\r\n"); c.close()
    except socket.timeout:
        pass
    open(sys.argv[2], "w").write(str(n))
EOF
pids+=($!)
for _ in $(seq 50); do [ -s "$WORK/ftp.port" ] && break; sleep 0.1; done
FTP=$(cat "$WORK/ftp.port")
run_lt ftp 20 -n 3 -c 1 "$T/redirect?to=ftp://127.0.0.1:$FTP/etc/passwd"
run_lt file 20 -n 3 -c 1 "$T/redirect?to=file:///etc/passwd"
sleep 0.3
expect "exit code" "$RC" 0
expect "no connection to the ftp port" "$(cat "$WORK/ftp.accepts")" 0
expect "ftp: named" "$(counter "$WORK/ftp.json" errors.ERR_UNSUPPORTED_PROTOCOL)" 3
expect "file: named" "$(counter "$WORK/file.json" errors.ERR_UNSUPPORTED_PROTOCOL)" 3
expect_true "file: /etc/passwd not read" "[ $(counter "$WORK/file.json" http.downloaded_bytes) -lt 600 ]"
finish "a redirect to ftp:// or file:// is refused, not followed"

# --- a server that answers before reading the body; a POST redirected ------
# /early answers as soon as it has the head, then reads the body slowly: the
# connection must not carry the next request while its write is queued (the
# native transport reused it once: corrupt requests, then a crash). /old
# redirects a POST to /new: every iteration of the closed model asks /old
# again (the native transport once asked the Location from the 2nd on).
python3 - "$WORK/early.port" "$WORK/early.counts" <<'EOF2' &
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64); s.settimeout(0.2)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
counts, lock = {}, threading.Lock()
def serve(c):
    c.settimeout(5); buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d: return
                buf += d
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n"); path = lines[0].split(b" ")[1].decode()
            n = 0
            for l in lines[1:]:
                k, _, v = l.partition(b":")
                if k.strip().lower() == b"content-length": n = int(v)
            with lock:
                counts[path] = counts.get(path, 0) + 1
                open(sys.argv[2], "w").write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
            if path == "/early":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly"); time.sleep(0.3)
            elif path == "/old":
                c.sendall(b"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n")
            else:
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            while len(buf) < n:
                d = c.recv(1 << 20)
                if not d: return
                buf += d
            buf = buf[n:]
    except Exception:
        return
    finally:
        c.close()
end = time.time() + 25
while time.time() < end:
    try:
        c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
    except socket.timeout:
        pass
EOF2
pids+=($!)
for _ in $(seq 50); do [ -s "$WORK/early.port" ] && break; sleep 0.1; done
EP=$(cat "$WORK/early.port")
head -c 8000000 /dev/zero | tr '\0' a >"$WORK/big.body"
run_lt early 20 -n 4 -c 1 -m POST --body "@$WORK/big.body" "http://127.0.0.1:$EP/early"
expect "early: exit code" "$RC" 0
expect "early: 4 answers" "$(counter "$WORK/early.json" http.codes.200)" 4
expect "early: no error" "$(jqv "$WORK/early.json" '[.aggregate.counters | to_entries[] | select(.key | startswith("errors.")) | .value] | add // 0')" 0
expect "early: the server saw 4 requests, none inside a body" "$(cat "$WORK/early.counts")" "/early=4"
rm -f "$WORK/big.body"
run_lt redir 20 -n 4 -c 1 -m POST --body x "http://127.0.0.1:$EP/old"
expect "redirect: exit code" "$RC" 0
expect "redirect: 4 answers" "$(counter "$WORK/redir.json" http.codes.200)" 4
expect "redirect: every iteration asked /old, then /new" "$(cat "$WORK/early.counts")" "/early=4 /new=4 /old=4"
invariant "$WORK/redir.json"
finish "a server answering before the body is read; a POST redirected, iteration after iteration"

# --- secrets never reach reports, snapshots, the event log or stderr ---------
run_lt secret 20 -n 2 -c 1 -H 'Authorization: Bearer sekrit-A' -H 'cookie: sid=sekrit-B' \
    --body 'password=sekrit-C' --report "$WORK/secret.md" --report "$WORK/secret.html" \
    "http://alice:sekrit-D@127.0.0.1:$PORT/up"
expect "exit code" "$RC" 0
expect "no secret in any report" "$(cat "$WORK"/secret.json "$WORK"/secret.md "$WORK"/secret.html | grep -c sekrit)" 0
expect_true "the command is there, redacted" \
    "jqv $WORK/secret.json .run.command | grep -qF -- \"-H Authorization: [redacted] -H cookie: [redacted] --body [redacted]\""
expect "the target, redacted" "$(jqv "$WORK/secret.json" .run.target)" "http://alice:[redacted]@127.0.0.1:$PORT/up"
"$BIN" --headless -n 1 -c 1 "http://alice:sekrit-D@127.0.0.1:$PORT/up" >"$WORK/banner.out" 2>"$WORK/banner.err"
expect "no secret in the banner" "$(grep -c sekrit "$WORK/banner.err")" 0
cat >"$WORK/capture.yml" <<EOT
config:
  target: "$T"
  phases: [{ duration: 1, arrivalCount: 2 }]
  plugins: { expect: {} }
scenarios:
  - flow:
      - post:
          url: "/login"
          json: { username: "carol" }
          capture: { json: "$.token", as: "token" }
      - log: "my token is {{ token }}"
      - get:
          url: "/echo"
          headers: { Authorization: "Bearer {{ token }}" }
          expect:
            - equals: ["{{ token }}", "nope"]
EOT
"$BIN" --headless -q -o "$WORK/capture.json" --report "$WORK/capture.md" "$WORK/capture.yml" \
    >"$WORK/capture.out" 2>"$WORK/capture.err"
expect "the flow ran" "$(counter "$WORK/capture.json" plugins.expect.failed)" 2
expect "no captured token anywhere" "$(cat "$WORK"/capture.* | grep -c 'tok-[0-9]')" 0
expect_true "the log line, redacted" "grep -q '^log: my token is \[redacted\]' '$WORK/capture.err'"
finish "Authorization, Cookie, --body, a URL's password and captured values are redacted"

# --- responses that break HTTP, each with its own name -----------------------
# malformed ROUTE NAME COUNTER: 5 requests, each must end as COUNTER.
malformed() {
    run_lt "m$1" 20 -n 5 -c 1 --timeout 5s "$T/$2"
    f=$WORK/m$1.json
    expect "$2: exit code" "$RC" 0
    expect "$2: $3" "$(counter "$f" "$3")" 5
    expect "$2: vusers.failed" "$(counter "$f" vusers.failed)" "$4"
    invariant "$f"
}
malformed status malformed errors.ERR_BAD_RESPONSE 5
malformed http09 http09 errors.ERR_BAD_RESPONSE 5
malformed chunk badchunk errors.ERR_BAD_RESPONSE 5
malformed bighead bigheader/1024 errors.ERR_HEADERS_TOO_LARGE 5
malformed endless endless errors.ERR_RESPONSE_TOO_LARGE 5
malformed cut closebody errors.ECONNRESET 5
malformed s999 status/999 http.codes.999 0
malformed many manyheaders/2000 http.codes.200 0
malformed many150k manyheaders/7000 http.codes.200 0
malformed many350k manyheaders/16000 errors.ERR_HEADERS_TOO_LARGE 5
expect "the cut body's bytes are counted" "$(counter "$WORK/mcut.json" http.downloaded_bytes)" 500
expect_true "the endless body's bytes are counted" \
    "[ $(counter "$WORK/mendless.json" http.downloaded_bytes) -ge $((5 << 30)) ]"
expect_true "the first of each says why" \
    "grep -Eq '^error: ERR_BAD_RESPONSE \(GET /malformed\): (Unsupported HTTP version|Invalid)' '$WORK/mstatus.err'"
finish "malformed status line, HTTP/0.9, bad chunks, 1 MB headers, 150 KB taken and 350 KB refused, endless and cut bodies, 999: named"

# --- kept responses are bounded: 40 VUs capturing from 50 MB bodies ----------
cat >"$WORK/keep.yml" <<EOT
config:
  target: "$T"
  http: { timeout: 20 }
  phases: [{ duration: 1, arrivalCount: 40 }]
scenarios:
  - flow:
      - get: { url: "/bytes/50000000", capture: { regexp: "^(.)", as: first } }
EOT
elapsed /usr/bin/time -f %M -o "$WORK/rss3" timeout -k 2 60 "$BIN" --headless -q \
    -o "$WORK/keep.json" "$WORK/keep.yml" >"$WORK/keep.out" 2>"$WORK/keep.err"
rss=$(tail -1 "$WORK/rss3")
f=$WORK/keep.json
expect "exit code" "$RC" 0
expect "every VU captured" "$(counter "$f" vusers.completed)" 40
expect "every byte counted" "$(counter "$f" http.downloaded_bytes)" 2000000000
expect_true "RSS below 200 MB (was $rss KB; 40 x 16 MB kept before)" "[ $rss -lt $((204800 + RSS_SLACK)) ]"
finish "kept responses are cut at 1 MiB: 40 VUs on 50 MB bodies stay under 200 MB ($rss KB)"

# --- a VU cut in a think at the drain bound has an error name ----------------
cat >"$WORK/think.yml" <<EOT
config:
  target: "$T"
  http: { timeout: 1 }
  phases: [{ duration: 1, arrivalCount: 5 }]
scenarios:
  - flow:
      - get: { url: "/up" }
      - think: 30
      - get: { url: "/up" }
EOT
elapsed timeout -k 2 20 "$BIN" --headless -q -o "$WORK/think.json" "$WORK/think.yml" \
    >"$WORK/think.out" 2>"$WORK/think.err"
f=$WORK/think.json
expect "exit code" "$RC" 0
expect "five VUs cut in their think" "$(counter "$f" vusers.failed)" 5
expect "each with an error name" "$(counter "$f" errors.ERR_INTERRUPTED)" 5
expect_true "ended at the drain bound, not after the think (took $SECS s)" "le $SECS 4"
invariant "$f"
finish "VUs cut in a think at the drain bound count as errors.ERR_INTERRUPTED"

# --- a template that grows past its bound fails the request, unsent ---------
cat >"$WORK/big.yml" <<EOT
config:
  target: "$T"
  phases: [{ duration: 1, arrivalCount: 2 }]
scenarios:
  - flow:
      - get: { url: "/bytes/1500000", capture: { regexp: "(.*)", as: big } }
      - post: { url: "/echo", body: "{{ big }}{{ big }}" }
EOT
run_lt big 20 "$WORK/big.yml"
f=$WORK/big.json
expect "exit code" "$RC" 0
expect "errors.ERR_TEMPLATE_TOO_LARGE" "$(counter "$f" errors.ERR_TEMPLATE_TOO_LARGE)" 2
expect "the second request is not sent" "$(counter "$f" http.requests)" 2
invariant "$f"
finish "a template rendering past 1 MiB: ERR_TEMPLATE_TOO_LARGE, nothing sent"

# --- the server is killed mid-run and comes back on the same port ------------
RPORT=$(free_port)
"$BIN" target --listen "127.0.0.1:$RPORT" >"$WORK/restart1.out" 2>&1 &
tpid=$!
pids+=($tpid)
sleep 0.3
cat >"$WORK/restart.yml" <<EOT
config:
  target: "http://127.0.0.1:$RPORT"
  http: { timeout: 2 }
  phases: [{ duration: 4, arrivalRate: 50 }]
scenarios:
  - flow: [{ get: { url: "/up" } }]
EOT
timeout -k 2 20 "$BIN" --headless -q -o "$WORK/restart.json" "$WORK/restart.yml" \
    >"$WORK/restart.out" 2>"$WORK/restart.err" &
lpid=$!
pids+=($lpid)
sleep 1.2
{ kill -9 $tpid; wait $tpid; } 2>/dev/null
sleep 1.5
"$BIN" target --listen "127.0.0.1:$RPORT" >"$WORK/restart2.out" 2>&1 &
pids+=($!)
bounded_wait $lpid 15
RC=$?
f=$WORK/restart.json
ok200=$(counter "$f" http.codes.200) refused=$(counter "$f" errors.ECONNREFUSED)
reset=$(counter "$f" errors.ECONNRESET)
expect "exit code" "$RC" 0
expect "every arrival is a 200, refused or reset" "$((ok200 + refused + reset))" 200
expect_true "refused while down (got $refused)" "[ $refused -ge 50 ] && [ $refused -le 100 ]"
expect_true "200 before and after (got $ok200)" "[ $ok200 -ge 100 ]"
after=$(jqv "$f" '[.timeline[] | select(.t >= 3) | .codes["2xx"] // 0] | add // 0')
expect_true "200 again after the restart (seconds 3+: $after)" "[ $after -ge 30 ]"
invariant "$f"
finish "server killed and restarted: ECONNREFUSED while down ($refused), 200 before and after ($ok200)"

# --- ephemeral ports run out: EADDRNOTAVAIL, in a namespace of our own --------
if unshare -n true 2>/dev/null; then
    cat >"$WORK/ns.sh" <<EOT
ip link set lo up
sysctl -qw net.ipv4.ip_local_port_range="40000 40003"
sysctl -qw net.ipv4.tcp_tw_reuse=0
"$BIN" target --listen 127.0.0.1:0 >"$WORK/ns-target.out" 2>&1 &
tp=\$!
for _ in \$(seq 50); do grep -q listening "$WORK/ns-target.out" && break; sleep 0.1; done
port=\$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/ns-target.out")
printf 'config:\n  target: http://127.0.0.1:%s\n  phases: [{duration: 1, arrivalRate: 20}]\nscenarios:\n  - flow: [{get: {url: /up}}]\n' \$port >"$WORK/ns.yml"
timeout -k 2 20 "$BIN" --headless -q --transport \$1 -o "$WORK/\$2.json" "$WORK/ns.yml" >"$WORK/\$2.out" 2>"$WORK/\$2.err"
echo \$? >"$WORK/\$2.rc"
kill \$tp
EOT
    timeout -k 2 30 unshare -n bash "$WORK/ns.sh" curl ns
    timeout -k 2 30 unshare -n bash "$WORK/ns.sh" native ns-native # a namespace of its own
    f=$WORK/ns.json
    # four local ports, one taken by the target's listener: libcurl closes
    # each connection first, so three ports wait in TIME_WAIT and every
    # later connect fails
    expect "exit code" "$(cat "$WORK/ns.rc")" 0
    expect "http.codes.200" "$(counter "$f" http.codes.200)" 3
    expect "errors.EADDRNOTAVAIL" "$(counter "$f" errors.EADDRNOTAVAIL)" 17
    invariant "$f"
    # the native transport asks the server to close ("Connection: close" on
    # a VU's last request): the TIME_WAIT is the server's, and ports come back
    n=$WORK/ns-native.json
    n200=$(counter "$n" http.codes.200) nfail=$(counter "$n" errors.EADDRNOTAVAIL)
    expect "native: every arrival a 200 or EADDRNOTAVAIL" "$((n200 + nfail))" 20
    expect_true "native: at least curl's 3 x 200 (got $n200)" "[ $n200 -ge 3 ]"
    invariant "$n"
    finish "out of local ports (a namespace with 4): 3 x 200, then 17 x EADDRNOTAVAIL (libcurl); native no fewer"
else
    ok "out of local ports: skipped (network namespaces are not allowed here: unshare -n failed)"
fi

summary
