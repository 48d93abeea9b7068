#!/bin/bash
# Times `kubectl get pods -n sock-shop` against the sim and against bench/kube_stub, a server
# that only replays the sim's bytes for those requests, with no model behind it. Target
# (issue 4): the sim within 1.5x of the stub, since kubectl's own start-up must dominate;
# and the sim idling at under 100 MB. Also against an agent's port of the sim (read-only, every
# request recorded for the audit trail): target (issue 20) within 5% of the main port. Each server gets its own discovery cache, warmed
# first, so the timed runs are what a person's second and later commands cost.
# Usage: bench/sim_kubectl.sh [BUILD_DIR] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-20}"

fail() {
  echo "sim_kubectl.sh: $*" >&2
  exit 1
}
command -v kubectl >/dev/null 2>&1 ||
  fail "kubectl is not on PATH; install kubectl (v1.32) to run this benchmark"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a positive whole number, got '$runs'"
sim_bin="$build/harness/sre-eval"
stub_bin="$build/bench/kube_stub"
[[ -x "$sim_bin" ]] || fail "$sim_bin is missing; build the sre-eval target first"
[[ -x "$stub_bin" ]] || fail "$stub_bin is missing; build the kube_stub target first"

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for_port PID LOGFILE: prints the port the server at PID printed in LOGFILE as
# "http://127.0.0.1:PORT"; fails when it exits or prints none within 60 s.
wait_for_port() {
  local pid="$1" log="$2" port=""
  for _ in $(seq 600); do
    port="$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$log" | head -1)"
    [[ -n "$port" ]] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || fail "$(basename "$log" .out) exited before serving: $(cat "$log" "${log%.out}.err")"
    sleep 0.1
  done
  fail "$(basename "$log" .out) printed no port within 60 s"
}

# rss PID: "VmRSS ... / VmHWM ..." in MiB, from /proc/PID/status.
rss() {
  awk '/^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 }
       END { printf "VmRSS %.1f MiB, VmHWM %.1f MiB", rss / 1024, hwm / 1024 }' "/proc/$1/status"
}

# hwm_verdict PID: the peak RSS in MB (10^6 bytes) and whether it is under 100 MB.
hwm_verdict() {
  awk '/^VmHWM:/ { mb = $2 * 1024 / 1e6
                   printf "%.1f MB: %s", mb, mb < 100 ? "met" : "NOT met" }' "/proc/$1/status"
}

# kubectl_cmd NAME: sets cmd to the timed command against server NAME, with its own
# discovery cache.
kubectl_cmd() {
  cmd=(kubectl --kubeconfig "$tmp/$1.kubeconfig" --cache-dir "$tmp/$1-cache"
    --request-timeout 10s get pods -n sock-shop)
}

# run_kubectl NAME: runs it once, output to $tmp/NAME.pods; fails with kubectl's stderr.
run_kubectl() {
  kubectl_cmd "$1"
  "${cmd[@]}" >"$tmp/$1.pods" 2>"$tmp/$1.kubectl-err" ||
    fail "kubectl get pods against the $1 failed: $(cat "$tmp/$1.kubectl-err")"
}

# time_kubectl NAME: runs it once more, appending the wall time in microseconds to
# $tmp/NAME.times.
time_kubectl() {
  local t0 t1
  t0="$(date +%s%N)"
  run_kubectl "$1"
  t1="$(date +%s%N)"
  echo $(((t1 - t0) / 1000)) >>"$tmp/$1.times"
}

# median FILE / mean FILE: of the microsecond times in FILE, in milliseconds.
median() {
  sort -n "$1" | awk '{ v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
mean() { awk '{ s += $1 } END { printf "%.1f", s / NR / 1000 }' "$1"; }

# The sim, its clock frozen so that every run sees the same cluster.
"$sim_bin" sim --speed 0 --port 0 --kubeconfig "$tmp/sim.kubeconfig" \
  >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!
pids+=("$sim_pid")
sim_port="$(wait_for_port "$sim_pid" "$tmp/sim.out")"
rss_start="$(rss "$sim_pid")"
# An agent's port: what `run` hands each question of an agent under test.
agent_port="$(curl -s -X POST -H 'Content-Type: application/json' -d '{"label":"bench"}' \
  "http://127.0.0.1:$sim_port/sim/v1/agents" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')"
[[ -n "$agent_port" ]] || fail "the sim opened no agent port"
sed "s|127.0.0.1:$sim_port|127.0.0.1:$agent_port|" "$tmp/sim.kubeconfig" >"$tmp/agent.kubeconfig"

"$stub_bin" >"$tmp/stub.out" 2>"$tmp/stub.err" &
stub_pid=$!
pids+=("$stub_pid")
stub_port="$(wait_for_port "$stub_pid" "$tmp/stub.out")"
cat >"$tmp/stub.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: http://127.0.0.1:$stub_port
contexts:
- name: stub
  context:
    cluster: stub
    namespace: sock-shop
    user: stub
current-context: stub
users:
- name: stub
  user: {}
EOF

# Warm each discovery cache, then alternate, so that a change in the machine's load
# reaches both series alike.
run_kubectl sim
run_kubectl stub
run_kubectl agent
: >"$tmp/sim.times"
: >"$tmp/stub.times"
: >"$tmp/agent.times"
for _ in $(seq "$runs"); do
  time_kubectl sim
  time_kubectl stub
  time_kubectl agent
done
audited="$(curl -s -X POST "http://127.0.0.1:$sim_port/sim/v1/audit" | grep -o '"label":"bench"' | wc -l)"
rss_after="$(rss "$sim_pid")"
stub_rss="$(rss "$stub_pid")"
# A request the stub has no bytes for would make the comparison meaningless.
if grep -q 'no canned response' "$tmp/stub.err"; then
  fail "kubectl asked the stub for something it does not serve: $(grep 'no canned' "$tmp/stub.err" | sort -u)"
fi

sim_median="$(median "$tmp/sim.times")"
stub_median="$(median "$tmp/stub.times")"
if cmp -s "$tmp/sim.pods" "$tmp/stub.pods"; then same="identical"; else same="different"; fi
echo "kubectl get pods -n sock-shop, $runs runs each, alternating, after one warm-up ($(kubectl version --client 2>/dev/null | head -1))"
echo "  sim:   median $sim_median ms, mean $(mean "$tmp/sim.times") ms"
echo "  stub:  median $stub_median ms, mean $(mean "$tmp/stub.times") ms"
awk -v a="$sim_median" -v b="$stub_median" \
  'BEGIN { r = a / b; printf "  ratio sim/stub (medians): %.2f (target <= 1.5: %s)\n", r, r <= 1.5 ? "met" : "NOT met" }'
echo "  kubectl's output from the two: $same"
agent_median="$(median "$tmp/agent.times")"
echo "  agent's port (audited): median $agent_median ms, mean $(mean "$tmp/agent.times") ms; $audited requests recorded"
awk -v a="$agent_median" -v b="$sim_median" \
  'BEGIN { r = a / b; printf "  ratio agent port/sim (medians): %.3f (target < 1.05: %s)\n", r, r < 1.05 ? "met" : "NOT met" }'
if cmp -s "$tmp/sim.pods" "$tmp/agent.pods"; then echo "  kubectl's output on the agent's port: identical"; else echo "  kubectl's output on the agent's port: different"; fi
echo "sim idle memory (target: under 100 MB)"
echo "  after start:            $rss_start"
echo "  after the kubectl runs: $rss_after"
echo "  peak (VmHWM) at the end: $(hwm_verdict "$sim_pid")"
echo "stub memory: $stub_rss"
