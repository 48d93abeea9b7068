#!/bin/bash
# Times `sre-eval score` end to end on a run folder of 20,000 answers of about 1.5 KB: reading
# responses.jsonl, scoring, writing scores.json. The answers are the graded example answers of
# every prompt, each extended with the prompt's other answers to about 1.5 KB.
# Usage: bench/score_cli.sh [BUILD_DIR] [ANSWERS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
answers="${2:-20000}"
run="$(mktemp -d)"
trap 'rm -rf "$run"' EXIT
"$root/bench/make_score_run.sh" "$run" "$answers"
echo "$(wc -l <"$run/responses.jsonl") answers, $(du -h "$run/responses.jsonl" | cut -f1) of responses.jsonl"
for jobs in 1 2; do
  /usr/bin/time -o "$run/time" -f "jobs=$jobs: %e s wall, %M KiB max RSS" \
    "$build/harness/sre-eval" score --suite "$root" --jobs "$jobs" "$run" >/dev/null \
    2>"$run/stderr" || { tail -3 "$run/stderr"; exit 1; }
  cat "$run/time"
done
echo "scores.json: $(du -h "$run/scores.json" | cut -f1)"
