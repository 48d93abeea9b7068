#!/bin/bash
# Times `sre-eval run` on the simulated cluster with the reference agent, all three incidents
# and all prompts, --trials 1 (target, issue 22: at most 10 s of wall time on a 2-core machine;
# issue 8's was 30 s).
# Prints each run's wall time, peak memory and the time per phase `run` reports (recording,
# asking, scoring, reporting), then the median wall time.
# Usage: bench/run_sim.sh [BUILD_DIR] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-3}"

fail() {
  echo "run_sim.sh: $*" >&2
  exit 1
}
command -v kubectl >/dev/null 2>&1 ||
  fail "kubectl is not on PATH; install kubectl (v1.32) to run this benchmark"
[[ -x /usr/bin/time ]] || fail "/usr/bin/time is needed for peak memory (apt-get install time)"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a positive whole number, got '$runs'"
bin="$build/harness/sre-eval"
[[ -x "$bin" ]] || fail "$bin is missing; build the sre-eval target first"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
times=()
for ((i = 1; i <= runs; i++)); do
  /usr/bin/time -f "%e %M" -o "$tmp/time$i" \
    "$bin" run --seed 1 --out "$tmp/run$i" --suite "$root" >"$tmp/out$i.txt" 2>&1 ||
    fail "run $i failed: $(tail -5 "$tmp/out$i.txt")"
  read -r wall kb <"$tmp/time$i"
  times+=("$wall")
  echo "run $i: ${wall} s wall, $((kb / 1024)) MiB peak; $(grep '^time: ' "$tmp/out$i.txt")"
done
printf '%s\n' "${times[@]}" | sort -n |
  awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " s wall (target 10 s)"}'
