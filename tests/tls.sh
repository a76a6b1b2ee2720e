#!/usr/bin/env bash
# TLS and HTTP versions against real servers on loopback: openssl s_server
# (HTTP/1.1 over TLS, with and without a required client certificate) and
# nghttpd (HTTP/2 over TLS, and h2c), with a CA, a server and a client
# certificate made here for the run.
SUITE=tls
. "$(dirname "$0")/lib.sh"

if ! command -v openssl >/dev/null || ! command -v nghttpd >/dev/null; then
    not_ok "openssl and nghttpd are installed (make deps installs them)"
    summary
    exit
fi

C=$WORK/certs
mkdir -p "$C"
(
    cd "$C" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj /CN=loadtop-test-ca
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
        -days 2 -extfile san.ext
    openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=client
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem \
        -days 2
    # what s_server -HTTP sends for GET /up: a whole HTTP/1.1 response
    printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n' >up
) >"$WORK/openssl.log" 2>&1 || { not_ok "certificates made" "$(tail -3 "$WORK/openssl.log")"; summary; exit; }

# serve NAME PORT CMD...: start a server in $C, wait for its port.
serve() {
    local name=$1 port=$2
    shift 2
    (cd "$C" && exec "$@") >"$WORK/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do
        (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$name did not start: $(tail -3 "$WORK/$name.log")" >&2
}

P1=$(free_port) P2=$(free_port) P3=$(free_port) P4=$(free_port)
serve h1 "$P1" openssl s_server -accept "127.0.0.1:$P1" -cert server.pem -key server.key -HTTP -quiet
serve mtls "$P2" openssl s_server -accept "127.0.0.1:$P2" -cert server.pem -key server.key -HTTP \
    -quiet -Verify 1 -CAfile ca.pem
serve h2 "$P3" nghttpd -d "$C" -a 127.0.0.1 "$P3" server.key server.pem
serve h2c "$P4" nghttpd -d "$C" -a 127.0.0.1 --no-tls "$P4"

run_lt verify 20 -n 3 -c 1 "https://127.0.0.1:$P1/up"
expect "exit code" "$RC" 0
expect "an unknown CA fails verification, named" "$(counter "$WORK/verify.json" errors.ERR_TLS_CERT_VERIFY)" 3
expect "nothing got through" "$(counter "$WORK/verify.json" http.codes.200)" 0
finish "verification is on by default: a self-signed server fails as ERR_TLS_CERT_VERIFY"

run_lt insecure 20 -n 3 -c 1 -k "https://127.0.0.1:$P1/up"
expect "-k: 200" "$(counter "$WORK/insecure.json" http.codes.200)" 3
run_lt insecure2 20 -n 3 -c 1 --insecure "https://127.0.0.1:$P1/up"
expect "--insecure: 200" "$(counter "$WORK/insecure2.json" http.codes.200)" 3
cat >"$WORK/reject.yml" <<EOT
config:
  target: "https://127.0.0.1:$P1"
  tls: { rejectUnauthorized: false }
  phases: [{ duration: 1, arrivalCount: 2 }]
scenarios:
  - flow: [{ get: { url: "/up" } }]
EOT
run_lt reject 20 "$WORK/reject.yml"
expect "config.tls.rejectUnauthorized: false: 200" "$(counter "$WORK/reject.json" http.codes.200)" 2
finish "-k, --insecure and config.tls.rejectUnauthorized: false skip verification"

run_lt cacert 20 -n 3 -c 1 --cacert "$C/ca.pem" "https://127.0.0.1:$P1/up"
expect "--cacert: 200" "$(counter "$WORK/cacert.json" http.codes.200)" 3
expect "HTTP/1.1 by default" "$(counter "$WORK/cacert.json" http.version.1.1)" 3
finish "--cacert with the server's CA verifies it; HTTP/1.1 is the default"

run_lt nocert 20 -n 2 -c 1 --cacert "$C/ca.pem" "https://127.0.0.1:$P2/up"
expect "without a client certificate: named" \
    "$(counter "$WORK/nocert.json" errors.ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)" 2
run_lt mtls 20 -n 3 -c 1 --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" \
    "https://127.0.0.1:$P2/up"
expect "--cert/--key: 200" "$(counter "$WORK/mtls.json" http.codes.200)" 3
run_lt halfcert 10 -n 1 --cert "$C/client.pem" "https://127.0.0.1:$P2/up"
expect "--cert without --key is refused" "$RC" 2
finish "a server that requires a client certificate accepts --cert/--key, names its refusal"

run_lt h2 20 -n 20 -c 4 --http2 --cacert "$C/ca.pem" "https://127.0.0.1:$P3/up"
expect "--http2: 200" "$(counter "$WORK/h2.json" http.codes.200)" 20
expect "--http2: HTTP/2" "$(counter "$WORK/h2.json" http.version.2)" 20
run_lt h2c 20 -n 20 -c 4 --http2-prior-knowledge "http://127.0.0.1:$P4/up"
expect "--http2-prior-knowledge: 200" "$(counter "$WORK/h2c.json" http.codes.200)" 20
expect "--http2-prior-knowledge: HTTP/2" "$(counter "$WORK/h2c.json" http.version.2)" 20
expect "no HTTP/2 framing errors (libcurl 7.88's reuse bug avoided)" \
    "$(counter "$WORK/h2c.json" errors.CURLE_HTTP2)" 0
run_lt both 10 -n 1 --http2 --http2-prior-knowledge "http://127.0.0.1:$P4/up"
expect "both flags are refused" "$RC" 2
finish "--http2 negotiates HTTP/2 over TLS, --http2-prior-knowledge speaks h2c: http.version.2"

# the script's equivalents: config.tls.ca / cert / key (relative to the
# script, as a payload's path) and config.http2
cp "$C/ca.pem" "$C/client.pem" "$C/client.key" "$WORK/"
cat >"$WORK/mtls.yml" <<EOT
config:
  target: "https://127.0.0.1:$P2"
  tls: { ca: ca.pem, cert: client.pem, key: client.key }
  phases: [{ duration: 1, arrivalCount: 3 }]
scenarios:
  - flow: [{ get: { url: "/up" } }]
EOT
run_lt smtls 20 "$WORK/mtls.yml"
expect "config.tls.ca/cert/key: 200" "$(counter "$WORK/smtls.json" http.codes.200)" 3
cat >"$WORK/h2.yml" <<EOT
config:
  target: "https://127.0.0.1:$P3"
  http2: true
  tls: { ca: ca.pem }
  phases: [{ duration: 1, arrivalCount: 4 }]
scenarios:
  - flow: [{ get: { url: "/up" } }]
EOT
run_lt sh2 20 "$WORK/h2.yml"
expect "config.http2: true: HTTP/2" "$(counter "$WORK/sh2.json" http.version.2)" 4
sed "/http2: true/d; s/:$P3/:$P1/" "$WORK/h2.yml" >"$WORK/h1.yml"
run_lt sh1 20 "$WORK/h1.yml"
expect "a script without it: HTTP/1.1 (Artillery's default)" \
    "$(counter "$WORK/sh1.json" http.version.1.1)" 4
printf 'config:\n  target: "https://127.0.0.1:%s"\n  tls:\n    cert: client.pem\n  phases: [{ duration: 1, arrivalCount: 1 }]\nscenarios:\n  - flow: [{ get: { url: "/up" } }]\n' \
    "$P2" >"$WORK/half.yml"
run_lt shalf 10 "$WORK/half.yml"
expect "tls.cert without tls.key: refused" "$RC" 2
expect_true "at its line" "grep -q 'half.yml:4:5: .*tls.cert and tls.key go together' '$WORK/shalf.err'"
sed 's/ca: ca.pem/ca: missing.pem/' "$WORK/h2.yml" >"$WORK/noca.yml"
run_lt snoca 10 "$WORK/noca.yml"
expect "an unreadable tls.ca: refused" "$RC" 2
expect_true "at its line, with the path" "grep -q 'noca.yml:4:[0-9]*: .*tls.ca: cannot read .*missing.pem' '$WORK/snoca.err'"
finish "config.tls.ca/cert/key and config.http2: true do what --cacert, --cert/--key and --http2 do"

summary
