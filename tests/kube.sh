#!/usr/bin/env bash
# The Kubernetes manifest (scenarios/kubernetes/loadtop-shards.yaml), without a
# cluster: its shape checked field by field (an Indexed Job whose parallelism,
# completions and --shard agree, a headless Service that selects the pods and
# names them, the volumes, the suspended merge Job), then its exact command
# lines run as N local processes with JOB_COMPLETION_INDEX=i in their
# environment, $(VAR) expanded as Kubernetes does, paths and the listen
# address mapped to this machine (loopback only), and the merge Job's
# command on what they wrote. Bounded in time.
SUITE=kube
. "$(dirname "$0")/lib.sh"

M=scenarios/kubernetes/loadtop-shards.yaml
# the manifest as facts, one "key value" a line (python3-yaml reads it)
python3 - "$M" >"$WORK/facts" <<'PY'
import sys, yaml, json
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {}
for d in docs:
    kinds.setdefault(d["kind"], []).append(d)
job = next(d for d in kinds["Job"] if d["metadata"]["name"] == "loadtop")
merge = next(d for d in kinds["Job"] if d["metadata"]["name"] == "loadtop-merge")
svc = kinds["Service"][0]
pvc = kinds["PersistentVolumeClaim"][0]
pod = job["spec"]["template"]["spec"]
c = pod["containers"][0]
args = c["args"]
shard = args[args.index("--shard") + 1]
vols = {v["name"]: v for v in pod["volumes"]}
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
labels = job["spec"]["template"]["metadata"]["labels"]
print("completionMode", job["spec"]["completionMode"])
print("parallelism", job["spec"]["parallelism"])
print("completions", job["spec"]["completions"])
print("shardCount", shard.split("/")[1])
print("shardIndex", shard.split("/")[0])
print("restartPolicy", pod["restartPolicy"])
print("headless", svc["spec"].get("clusterIP"))
print("selects", all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()))
print("subdomain", pod.get("subdomain") == svc["metadata"]["name"])
print("port", svc["spec"]["ports"][0]["port"] == c["ports"][0]["containerPort"])
print("listen", args[args.index("--listen") + 1])
print("pvc", pvc["spec"]["accessModes"][0])
print("reports", vols["reports"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"])
print("plan", "configMap" in vols["plan"])
print("token", "secret" in vols["control"])
print("mergeSuspended", merge["spec"]["suspend"])
print("mergeVolume", merge["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"])
print("mounts", json.dumps(mounts, sort_keys=True))
PY
fact() { sed -n "s/^$1 //p" "$WORK/facts"; }
expect "completionMode" "$(fact completionMode)" Indexed
N=$(fact completions)
expect "parallelism = completions" "$(fact parallelism)" "$N"
expect "--shard's N = completions" "$(fact shardCount)" "$N"
expect "--shard's index" "$(fact shardIndex)" '$(JOB_COMPLETION_INDEX)'
expect "restartPolicy" "$(fact restartPolicy)" Never
expect "the Service is headless" "$(fact headless)" None
expect "the Service selects the pods" "$(fact selects)" True
expect "the pods' subdomain is the Service" "$(fact subdomain)" True
expect "the Service's port is the container's" "$(fact port)" True
expect "every pod listens on its address" "$(fact listen)" 0.0.0.0:9464
expect "the reports volume is shared" "$(fact pvc)" ReadWriteMany
expect "the shards write on it" "$(fact reports)" True
expect "the plan from a ConfigMap" "$(fact plan)" True
expect "the token from a Secret" "$(fact token)" True
expect "the merge waits (suspended)" "$(fact mergeSuspended)" True
expect "the merge reads the same volume" "$(fact mergeVolume)" True
expect "mounts" "$(fact mounts)" '{"control": "/control", "plan": "/plan", "reports": "/reports"}'
finish "the manifest: an Indexed Job of $N shards, a headless Service, the volumes, a suspended merge"

# --- its command lines, as N local processes --------------------------------------
start_target main || exit 1
mkdir -p "$WORK/plan" "$WORK/control" "$WORK/reports"
cat >"$WORK/plan/plan.yml" <<EOT
config:
  target: "http://127.0.0.1:$PORT"
  phases:
    - duration: 3
      arrivalRate: 20
scenarios:
  - flow:
      - get: { url: "/up" }
EOT
printf 'k8s-token\n' >"$WORK/control/token"
at=$(($(date +%s) + 2))
# each pod's argv: the manifest's args, $(JOB_COMPLETION_INDEX) expanded (as the
# kubelet does for a variable of the container's environment), the mounts mapped
# under $WORK, the listen address on loopback
argv() {
    python3 - "$M" "$1" "$WORK" "$at" "$2" <<'PY'
import sys, yaml
m, i, work, at, port = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(m)) if d]
job = next(d for d in docs if d["kind"] == "Job" and d["metadata"]["name"] == "loadtop")
for a in job["spec"]["template"]["spec"]["containers"][0]["args"]:
    a = a.replace("$(JOB_COMPLETION_INDEX)", i).replace("START_AT_EPOCH", at)
    for mount in ("/plan/", "/control/", "/reports/"):
        a = a.replace(mount, work + mount) if a.startswith(mount) else a
    a = "127.0.0.1:" + port if a == "0.0.0.0:9464" else a
    print(a)
PY
}
SP=()
for i in $(seq 0 $((N - 1))); do
    mapfile -t args < <(argv "$i" "$(free_port)")
    JOB_COMPLETION_INDEX=$i timeout -k 2 30 "$BIN" -q "${args[@]}" >"$WORK/pod$i.out" 2>&1 &
    SP+=($!)
    pids+=($!)
done
for p in "${SP[@]}"; do bounded_wait "$p" 20 >/dev/null || true; done
for i in $(seq 0 $((N - 1))); do
    expect_true "pod $i wrote its shard report" "[ -s $WORK/reports/shard-$i.json ]"
    expect "pod $i is shard $i/$N" "$(jqv "$WORK/reports/shard-$i.json" '"\(.run.shard.index)/\(.run.shard.count)"')" "$i/$N"
done
# the merge Job's command, on the same files
cmd=$(python3 - "$M" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
merge = next(d for d in docs if d["kind"] == "Job" and d["metadata"]["name"] == "loadtop-merge")
print(merge["spec"]["template"]["spec"]["containers"][0]["args"][0])
PY
)
cmd=${cmd//\/reports\//$WORK/reports/}
mkdir -p "$WORK/bin"
ln -sf "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" "$WORK/bin/loadtop"
PATH=$WORK/bin:$PATH timeout -k 2 30 sh -c "$cmd" >"$WORK/merge.out" 2>&1
expect "the merge Job's command" "$?" 0
f=$WORK/reports/run.json
expect "merged: every planned arrival" "$(counter "$f" vusers.created)" 60
expect "merged: every response a 200" "$(counter "$f" http.codes.200)" 60
expect "merged: $N shards" "$(jqv "$f" .run.shards)" "$N"
expect_true "the Markdown report, printed by the Job" "grep -q '^# Load test report' $WORK/merge.out && [ -s $WORK/reports/run.html ]"
invariant "$f"
finish "the manifest's command lines as $N local processes (JOB_COMPLETION_INDEX=i), then its merge: 60 of 60"
summary
