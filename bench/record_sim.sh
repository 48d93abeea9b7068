#!/bin/bash
# Times `sre-eval record` of all three incidents on the simulated cluster, end to end with the
# real kubectl (target, issue 22: at most 8 s of wall time on a 2-core machine; issue 6's was
# 20 s), and counts the
# kubectl invocations each incident made (one list call per sample, so few). Prints each run's
# wall time, the median, and per incident: samples, kubectl calls, and wall seconds.
# Usage: bench/record_sim.sh [BUILD_DIR] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-3}"

fail() {
  echo "record_sim.sh: $*" >&2
  exit 1
}
command -v kubectl >/dev/null 2>&1 ||
  fail "kubectl is not on PATH; install kubectl (v1.32) to run this benchmark"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to read run.json"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a positive whole number, got '$runs'"
bin="$build/harness/sre-eval"
[[ -x "$bin" ]] || fail "$bin is missing; build the sre-eval target first"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
times=()
for ((i = 1; i <= runs; i++)); do
  out="$tmp/run$i"
  start=$(date +%s.%N)
  "$bin" record --seed 1 --out "$out" --suite "$root" >"$tmp/progress$i.txt" 2>&1 ||
    fail "run $i failed: $(tail -5 "$tmp/progress$i.txt")"
  end=$(date +%s.%N)
  t=$(python3 -c "print(f'{$end - $start:.2f}')")
  times+=("$t")
  echo "run $i: ${t} s wall"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " s wall (target 8 s)"}'
# Per incident, from the last run's run.json: samples, kubectl calls, wall seconds.
python3 - "$tmp/run$runs" <<'PY'
import json, sys
doc = json.load(open(f"{sys.argv[1]}/run.json"))
calls = doc["kubectl"]
preflight = calls["calls"] - sum(i["kubectl_calls"] for i in doc["incidents"])
print(f"kubectl calls in all: {calls['calls']} ({calls['mutating_calls']} mutating, "
      f"{preflight} outside the incidents: preflight, lock, cleanup)")
for inc in doc["incidents"]:
    print(f"  {inc['id']:8s} {inc['samples']:3d} samples  {inc['kubectl_calls']:3d} kubectl calls  "
          f"{inc['wall_seconds']:.2f} s wall  {inc['status']}")
PY
