#!/bin/bash
# Times the action tasks on the simulated cluster: `sre-eval run --incident ID` with the
# reference agent, without and with `--act --act-speed SPEED`, for each incident, RUNS times
# each, alternating. Prints each pair's wall times, the task's share (with - without) and its
# time to mitigate, then per incident the median of the task's wall time and of the ratio.
# The task's share is what an action task adds to a run: its act steps, the agent, two
# verification loads, a restart and the restore, on the sim's clock (only the agent is paced).
# Usage: bench/act_sim.sh [BUILD_DIR] [RUNS] [SPEED]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-3}"
speed="${3:-100}"

fail() {
  echo "act_sim.sh: $*" >&2
  exit 1
}
command -v kubectl >/dev/null 2>&1 ||
  fail "kubectl is not on PATH; install kubectl (v1.32) to run this benchmark"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a positive whole number, got '$runs'"
bin="$build/harness/sre-eval"
[[ -x "$bin" ]] || fail "$bin is missing; build the sre-eval target first"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
for incident in payment crash latency; do
  adds=()
  ratios=()
  for ((i = 1; i <= runs; i++)); do
    t0=$(now)
    # Alone, latency lacks the crash's answer its comparison question continues (exit 3):
    # a run counts when it scored its answers.
    "$bin" run --incident "$incident" --seed "$i" --out "$tmp/q-$incident-$i" --suite "$root" \
      >"$tmp/q.txt" 2>&1 || true
    [[ -f "$tmp/q-$incident-$i/scores.json" ]] ||
      fail "$incident run $i failed: $(tail -5 "$tmp/q.txt")"
    t1=$(now)
    "$bin" run --incident "$incident" --seed "$i" --act --act-speed "$speed" \
      --out "$tmp/a-$incident-$i" --suite "$root" >"$tmp/a.txt" 2>&1 || true
    grep -q '^act: ' "$tmp/a.txt" || fail "$incident act run $i failed: $(tail -5 "$tmp/a.txt")"
    t2=$(now)
    read -r without with add ratio < <(awk -v a="$t0" -v b="$t1" -v c="$t2" \
      'BEGIN {printf "%.1f %.1f %.1f %.2f\n", b-a, c-b, (c-b)-(b-a), (c-b)/(b-a)}')
    adds+=("$add")
    ratios+=("$ratio")
    echo "$incident run $i: ${without} s without the task, ${with} s with it (+${add} s," \
      "x${ratio}); $(grep '^act: ' "$tmp/a.txt")"
  done
  printf '%s\n' "${adds[@]}" | sort -n |
    awk -v n="$incident" '{a[NR]=$1} END {printf "%s: median task %s s", n, a[int((NR+1)/2)]}'
  printf '%s\n' "${ratios[@]}" | sort -n |
    awk '{a[NR]=$1} END {print ", run with the task x" a[int((NR+1)/2)] " of the run without"}'
done
