#!/bin/bash
# What open streams cost the sim while nothing happens: N watches of the pods and N `logs -f`
# of a running container (curl, so that the clients cost nothing in the sim's process), with
# the clock stopped (--speed 0). Prints the sim's CPU over 10 s as a share of one core. Target
# (issue 18): 200 concurrent watches and log follows under 5% of a core.
# Usage: bench/sim_idle_streams.sh [BUILD_DIR] [N]   (N of each; default 100)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
n="${2:-100}"
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
cleanup() {
  pkill -f "127.0.0.1:$port/" 2>/dev/null || true
  [[ -n "${sim:-}" ]] && kill "$sim" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$build/harness/sre-eval" sim --seed 7 --port "$port" --speed 0 \
  --kubeconfig "$work/kubeconfig" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/version" >/dev/null 2>&1 && break
  sleep 0.1
done
base="http://127.0.0.1:$port/api/v1/namespaces/sock-shop/pods"
pod=$(curl -s "$base?labelSelector=name%3Dcarts" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["metadata"]["name"])')
for _ in $(seq "$n"); do
  curl -s -N "$base?watch=true&timeoutSeconds=60" >/dev/null &
  curl -s -N "$base/$pod/log?follow=true" >/dev/null &
done
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$sim/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep 10
t1=$(ticks)
share=$(awk -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.1f", t * 100 / hz / 10 }')
echo "$n watches and $n log follows, idle for 10 s: sim CPU $share% of a core" \
  "($((t1 - t0)) ticks at $hz/s; target: under 5%)"
