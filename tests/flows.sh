#!/usr/bin/env bash
# Flow tests: Artillery features end to end — templates, captures, CSV
# payloads, expect, loops, cookies, before/after — with the real binary,
# headless, against the built-in target's JSON routes (/login, /echo,
# /json, /cookie/set, /redirect) on 127.0.0.1. Every run is bounded in time;
# every process started here is stopped on exit. Prints "flows: N passed,
# N failed" and writes the two numbers to build/flows.count.
SUITE=flows
. "$(dirname "$0")/lib.sh"
export LOADTOP_SEED=7

start_target main || exit 1
T=http://127.0.0.1:$PORT

# --- login -> capture -> reuse, checked by the echoed headers ----------------
script login <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 5
  plugins:
    expect: {}
scenarios:
  - flow:
      - post:
          url: /login
          json: {username: "vu-{{ \$uuid }}"}
          capture:
            - json: "\$.token"
              as: token
            - json: "\$.user"
              as: who
          expect:
            - statusCode: 200
            - contentType: json
            - hasProperty: token
      - get:
          url: "/echo"
          headers:
            Authorization: "Bearer {{ token }}"
            X-User: "{{ who }}"
          capture:
            - json: "\$.headers.authorization"
              as: echoedAuth
            - json: "\$.headers['x-user']"
              as: echoedUser
            - header: content-type
              as: ct
          expect:
            - equals: ["{{ echoedAuth }}", "Bearer {{ token }}"]
            - equals: ["{{ echoedUser }}", "vu-{{ \$uuid }}"]
            - matchesRegexp: "Bearer tok-[0-9]+"
            - equals: ["{{ ct }}", "application/json"]
EOT
run_lt login 30 "$WORK/login.yml"
f=$WORK/login.json
expect "exit code" "$RC" 0
expect "http.requests" "$(counter "$f" http.requests)" 10
expect "http.codes.200" "$(counter "$f" http.codes.200)" 10
expect "plugins.expect.ok" "$(counter "$f" plugins.expect.ok)" 35
expect "plugins.expect.ok.equals" "$(counter "$f" plugins.expect.ok.equals)" 15
expect "plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 0
expect "vusers.completed" "$(counter "$f" vusers.completed)" 5
invariant "$f"
finish "login -> capture token -> Authorization header, proved by /echo (5 VUs, 35 checks)"

# --- a CSV of users, consumed in sequence ------------------------------------
printf 'username,password\nalice,a1\nbob,b2\n"carol, jr",c3\n' >"$WORK/users.csv"
script csv <<EOT
config:
  target: "$T"
  phases:
    - duration: 3
      arrivalCount: 6
  payload:
    path: users.csv
    fields: [username, password]
    skipHeader: true
    order: sequence
  plugins:
    expect: {}
scenarios:
  - flow:
      - post:
          url: /login
          json: {username: "{{ username }}"}
          capture: {json: "\$.user", as: who}
      - get:
          url: "/echo?u={{ username }}&p={{ password }}"
          capture: {json: "\$.query", as: q}
          expect:
            - equals: ["{{ who }}", "{{ username }}"]
      - log: "row {{ password }}"
EOT
run_lt csv 30 "$WORK/csv.yml"
f=$WORK/csv.json
expect "exit code" "$RC" 0
expect "http.requests" "$(counter "$f" http.requests)" 12
expect "plugins.expect.ok" "$(counter "$f" plugins.expect.ok)" 6
expect "log lines in arrival order" \
    "$(jqv "$f" '[.events[] | select(.kind == "log") | .text] | join("|")')" \
    "row a1|row b2|row c3|row a1|row b2|row c3"
invariant "$f"
finish "a CSV payload in sequence: each VU one row, in order, wrapping (quoted field too)"

# --- expect failures: counted, and exit code 21 ------------------------------
script expfail <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 4
  plugins:
    expect: {}
scenarios:
  - flow:
      - get:
          url: /status/503
          expect:
            - statusCode: 200
            - contentType: text/plain
      - get:
          url: /up
EOT
run_lt expfail 30 "$WORK/expfail.yml"
f=$WORK/expfail.json
expect "plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 4
expect "plugins.expect.failed.statusCode" "$(counter "$f" plugins.expect.failed.statusCode)" 4
expect "plugins.expect.ok.contentType" "$(counter "$f" plugins.expect.ok.contentType)" 4
expect "the VU goes on (http.codes.200)" "$(counter "$f" http.codes.200)" 4
expect "vusers.completed" "$(counter "$f" vusers.completed)" 4
expect "failures are events" "$(jqv "$f" '[.events[] | select(.kind == "expect")][0].text')" \
    "GET /status/503: expected status 200, got 503"
finish "expect failures are counted and the VUs go on"
expect "exit code" "$RC" 21
finish "expect failures make the exit code 21"

sed -i 's/    expect: {}/    expect: {reportFailuresAsErrors: true}/' "$WORK/expfail.yml"
run_lt experr 30 "$WORK/expfail.yml"
f=$WORK/experr.json
expect "the error" "$(counter "$f" "errors.Failed expectations for request $T/status/503")" 4
expect "vusers.failed" "$(counter "$f" vusers.failed)" 4
expect "the next request is not sent" "$(counter "$f" http.requests)" 4
finish "reportFailuresAsErrors fails the VU with errors.Failed expectations for request URL"

# --- before/after: run once, shared variables, not counted -------------------
script hooks <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 3
  plugins:
    expect: {}
before:
  flow:
    - post:
        url: /login
        json: {username: setup}
        capture: {json: "\$.token", as: adminToken}
scenarios:
  - flow:
      - get:
          url: /echo
          headers: {X-Admin: "{{ adminToken }}"}
          capture: {json: "\$.headers['x-admin']", as: seen}
          expect:
            - equals: ["{{ seen }}", "{{ adminToken }}"]
            - matchesRegexp: "\"x-admin\":\"tok-[0-9]+\""
after:
  flow:
    - get:
        url: "/echo?bye={{ adminToken }}"
        capture: {json: "\$.query", as: q}
    - log: "after saw {{ q }} from {{ adminToken }}"
EOT
run_lt hooks 30 "$WORK/hooks.yml"
f=$WORK/hooks.json
expect "exit code" "$RC" 0
expect "http.requests (VUs only)" "$(counter "$f" http.requests)" 3
expect "plugins.expect.ok" "$(counter "$f" plugins.expect.ok)" 6
expect "endpoints" "$(jqv "$f" '[.endpoints[].name] | join(",")')" "GET /echo"
expect "hook events" "$(jqv "$f" '[.events[] | select(.kind == "hook") | .text] | join(",")')" \
    "before: running,before: done,after: running,after: done"
after=$(jqv "$f" '[.events[] | select(.kind == "log") | .text] | join(",")')
# Captured values are redacted in the event log, the token first: "bye=tok-N
# from tok-N" leaves "bye=[redacted] from [redacted]" only when after's q
# holds before's token (another token would be redacted whole as q).
expect "after sees before's capture" "$after" "after saw bye=[redacted] from [redacted]"
invariant "$f"
finish "before/after run once, share their captures, and are not counted"

# --- a failed capture fails the VU, unless strict: false ---------------------
script capfail <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 3
scenarios:
  - name: strict
    flow:
      - get:
          url: /json
          capture: {json: "\$.nope", as: x}
      - get: {url: /up}
  - name: lenient
    weight: 0
    flow:
      - get: {url: /up}
EOT
run_lt capfail 30 "$WORK/capfail.yml"
f=$WORK/capfail.json
expect "errors" "$(counter "$f" "errors.Failed capture or match")" 3
expect "vusers.failed" "$(counter "$f" vusers.failed)" 3
expect "http.requests" "$(counter "$f" http.requests)" 3
invariant "$f"
finish "a missing capture fails the VU with errors.Failed capture or match"

script capsoft <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 3
scenarios:
  - flow:
      - get:
          url: /json
          capture:
            - {json: "\$.nope", as: x, strict: false}
            - {json: "\$.items[1].name", as: fruit}
            - {json: "\$.user", as: u}
            - {regexp: "\"price\":([0-9.]+)", group: 1, as: price}
      - get: {url: "/echo?x={{ x }}&f={{ fruit }}&id={{ u.id }}&p={{ price }}"}
        # the query proves each value
      - get: {url: "/status/{{ u.id }}0"}
EOT
sed -i '/# the query/d' "$WORK/capsoft.yml"
run_lt capsoft 30 "$WORK/capsoft.yml"
f=$WORK/capsoft.json
expect "vusers.completed" "$(counter "$f" vusers.completed)" 3
expect "http.codes.420 (u.id=42)" "$(counter "$f" http.codes.420)" 3
expect "endpoint with the template kept" \
    "$(jqv "$f" '[.endpoints[].name] | join(",")')" \
    "GET /json,GET /echo,GET /status/{{ u.id }}0"
finish "strict: false goes on; json, object and regexp-group captures feed later templates"

# --- loops over lists, ranges, nested; templates in json ----------------------
script loops <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 2
  variables:
    colors: [[red, green, blue]]
    n: 5
  plugins:
    expect: {}
scenarios:
  - flow:
      - loop:
          - loop:
              - post:
                  url: /echo
                  json: {c: "{{ c }}", i: "{{ i }}", n: "{{ n }}", "k{{ i }}": true, gone: "{{ nope }}"}
                  capture: {json: "\$.body", as: body}
                  expect:
                    - equals: ["{{ body }}", "{\"c\":\"{{ c }}\",\"i\":{{ i }},\"n\":5,\"k{{ i }}\":true}"]
            count: "2-4"
            loopValue: i
        over: colors
        loopElement: c
      - loop:
          - get: {url: "/echo?{{ \$loopCount }}"}
        count: "{{ n }}"
EOT
run_lt loops 30 "$WORK/loops.yml"
f=$WORK/loops.json
expect "exit code" "$RC" 0
expect "http.requests (2 x (3 x 2 + 5))" "$(counter "$f" http.requests)" 22
expect "plugins.expect.ok (typed json)" "$(counter "$f" plugins.expect.ok)" 12
expect "plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 0
invariant "$f"
finish "nested loops over a list variable and a range, typed json templates, count template"

# --- log: to the event log, at most ten lines a second ------------------------
script logs <<EOT
config:
  target: "$T"
  phases: [{duration: 1, arrivalCount: 1}]
  variables: {who: [ann]}
scenarios:
  - flow:
      - loop:
          - log: "{{ who }} {{ \$loopCount }}"
        count: 25
      - think: 1.5
EOT
run_lt logs 30 "$WORK/logs.yml"
f=$WORK/logs.json
expect "the first ten, then a count" \
    "$(jqv "$f" '[.events[] | select(.kind == "log" or .kind == "warning") | .text] | join(",")')" \
    "ann 0,ann 1,ann 2,ann 3,ann 4,ann 5,ann 6,ann 7,ann 8,ann 9,15 more log/expect lines in the last second were left out"
finish "log lines go to the event log, at most ten a second, the rest counted"

# --- cookies: a jar per VU, request cookies, redirects, auth, form, ifTrue ----
script cookies <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 5
  plugins:
    expect: {}
scenarios:
  - flow:
      - get:
          url: /echo
          expect: [{notHasProperty: headers.cookie}]
      - get: {url: "/cookie/set?sid=abc"}
      - get:
          url: /echo
          cookie: {lang: en}
          capture: {json: "\$.headers.cookie", as: ck}
          expect:
            - matchesRegexp: "sid=abc"
            - matchesRegexp: "lang=en"
      - get: {url: "/redirect?to=/up", followRedirect: false}
      - get: {url: "/redirect?to=/up"}
      - post:
          url: "/redirect?to=/echo&cookie=hop=1"
          expect:
            - matchesRegexp: "hop=1"
            - matchesRegexp: "sid=abc"
      - post:
          url: /echo
          auth: {user: bob, pass: "s3cret"}
          form: {a: "x y", b: "{{ ck }}"}
          capture:
            - {json: "\$.headers.authorization", as: auth}
            - {json: "\$.headers['content-type']", as: ctype}
            - {json: "\$.body", as: form}
          expect:
            - equals: ["{{ auth }}", "Basic Ym9iOnMzY3JldA=="]
            - equals: ["{{ ctype }}", "application/x-www-form-urlencoded"]
            - matchesRegexp: "a=x\\\\+y&b=.*sid%3Dabc"
      - get: {url: /up, ifTrue: "ck == 'nothing'"}
      - get: {url: /up, probability: 0}
EOT
run_lt cookies 30 "$WORK/cookies.yml"
f=$WORK/cookies.json
expect "exit code" "$RC" 0
expect "plugins.expect.ok" "$(counter "$f" plugins.expect.ok)" 40
expect "plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 0
expect "http.codes.302 (not followed)" "$(counter "$f" http.codes.302)" 5
expect "http.requests (ifTrue and probability skip)" "$(counter "$f" http.requests)" 35
expect "vusers.completed" "$(counter "$f" vusers.completed)" 5
finish "a fresh cookie jar per VU, cookie:, followRedirect (a redirect's Set-Cookie sent on), auth, form, ifTrue, probability"

# --- a Host header names whose cookies they are; blank headers not sent ------
script vhost <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 3
  plugins:
    expect: {}
scenarios:
  - flow:
      - get: {url: "/cookie/set?vh=1;Domain=example.test", headers: {Host: "shop.example.test:8080"}}
      - get:
          url: /echo
          headers: {Host: shop.example.test, X-Blank: " "}
          expect:
            - matchesRegexp: "vh=1"
            - notHasProperty: headers.x-blank
EOT
run_lt vhost 30 "$WORK/vhost.yml"
f=$WORK/vhost.json
expect "exit code" "$RC" 0
expect "plugins.expect.ok" "$(counter "$f" plugins.expect.ok)" 6
expect "plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 0
finish "cookies belong to the Host header's name (as libcurl keeps them); a blank header is not sent"

# --- config from the environment, -v, JavaScript ------------------------------
script envtarget <<EOT
config:
  target: "{{ \$env.FLOWS_TARGET }}"
  phases:
    - duration: "{{ \$env.FLOWS_DURATION }}"
      arrivalRate: 2
  variables:
    path: /up
scenarios:
  - flow:
      - get: {url: "{{ path }}"}
EOT
FLOWS_TARGET=$T FLOWS_DURATION=1 run_lt envtarget 30 "$WORK/envtarget.yml"
f=$WORK/envtarget.json
expect "exit code" "$RC" 0
expect "http.codes.200" "$(counter "$f" http.codes.200)" 2
finish "config.target and phases from {{ \$env.X }}, rendered once at load"

FLOWS_TARGET=$T FLOWS_DURATION=1 run_lt vars 30 -v '{"path": "/status/201"}' "$WORK/envtarget.yml"
f=$WORK/vars.json
expect "exit code" "$RC" 0
expect "http.codes.201" "$(counter "$f" http.codes.201)" 2
finish "-v overrides config.variables"

script js <<EOT
config:
  target: "$T"
  phases:
    - duration: 1
      arrivalCount: 2
scenarios:
  - flow:
      - function: setUp
      - get: {url: /up}
EOT
run_lt jsno 10 "$WORK/js.yml"
expect "exit code" "$RC" 2
expect "message" "$(head -1 "$WORK/jsno.err")" \
    "$WORK/js.yml:8:9: \`function: setUp\` runs JavaScript, which loadtop cannot run (--ignore-js skips it)"
finish "a function step is refused, naming the step and its position"

run_lt jsyes 30 --ignore-js "$WORK/js.yml"
f=$WORK/jsyes.json
expect "exit code" "$RC" 0
expect "the error" "$(counter "$f" 'errors.Undefined function "setUp"')" 2
expect "the VU goes on" "$(counter "$f" http.codes.200)" 2
expect "vusers.completed" "$(counter "$f" vusers.completed)" 2
finish "--ignore-js skips it and counts errors.Undefined function \"setUp\", as Artillery"

script nopayload <<EOT
config:
  target: "$T"
  phases: [{duration: 1, arrivalCount: 1}]
  payload: {path: missing.csv, fields: [a]}
scenarios:
  - flow: [{get: {url: /up}}]
EOT
run_lt nopayload 10 "$WORK/nopayload.yml"
expect "exit code" "$RC" 2
expect "message" "$(head -1 "$WORK/nopayload.err")" \
    "$WORK/nopayload.yml:4:19: payload $WORK/missing.csv: No such file or directory"
expect "no report" "$(ls "$WORK"/nopayload.json 2>/dev/null | wc -l)" 0
finish "a missing payload file is a script error before anything is sent"

# --- the example scripts run clean against the target -------------------------
examples="login-flow csv-users loops before-after cookies-forms expect-checks"
ex_pids=()
for s in $examples; do
    run_lt "ex-$s" 60 -t "$T" "scenarios/$s.yml" &
    ex_pids+=($!)
done
wait "${ex_pids[@]}"
for s in $examples; do
    f=$WORK/ex-$s.json
    expect "$s: a report" "$([ -s "$f" ] && echo yes)" yes
    [ -s "$f" ] || continue
    expect "$s: vusers.failed" "$(counter "$f" vusers.failed)" 0
    expect "$s: errors" "$(jqv "$f" '[.aggregate.counters | keys[] | select(startswith("errors."))] | join(",")')" ""
    expect_true "$s: requests were sent" "[ $(counter "$f" http.requests) -gt 0 ]"
    if [ "$s" = expect-checks ]; then
        expect "$s: only statusCode fails" "$(counter "$f" plugins.expect.failed)" \
            "$(counter "$f" plugins.expect.failed.statusCode)"
    else
        expect "$s: plugins.expect.failed" "$(counter "$f" plugins.expect.failed)" 0
        expect_true "$s: checks passed" "[ $(counter "$f" plugins.expect.ok) -gt 0 ]"
    fi
    invariant "$f"
done
finish "the example scripts in scenarios/ run clean against loadtop target"

summary
