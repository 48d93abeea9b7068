#!/bin/bash
# Peak memory and speed of `sre-eval score` as the run grows: 20,000 and 200,000 answers of
# about 1.5 KB (the input bench/score_cli.sh builds), scored with --jobs 2. Prints, per size,
# the peak RSS (/usr/bin/time %M) and the answers scored per second end to end (reading
# responses.jsonl, scoring, writing scores.json). Targets: at most 100 MB at 20,000 answers,
# no growth with the number of answers, at least 10,000 answers/s at 20,000.
#
# With BASELINE (another sre-eval binary, e.g. one built before a change) each size is also
# run with it and the ratios are printed; its runs are limited to 8 GB of address space so
# that a build that does not stream fails with bad_alloc instead of exhausting the machine.
# Usage: bench/score_memory.sh [BUILD_DIR] [BASELINE] [SIZES]   (SIZES default "20000 200000")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
baseline="${2:-}"
sizes="${3:-20000 200000}"
binary="$build/harness/sre-eval"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# make_run DIR ANSWERS: a run folder of ANSWERS answers (bench/make_score_run.sh).
make_run() { "$root/bench/make_score_run.sh" "$1" "$2"; }

# measure BINARY RUN LIMIT_KB: prints "SECONDS KIB EXIT".
measure() {
  local exit=0
  (
    [[ -n "$3" ]] && ulimit -v "$3"
    /usr/bin/time -o "$work/time" -f "%e %M" "$1" score --suite "$root" --no-judge --jobs 2 "$2" \
      >/dev/null 2>"$work/stderr"
  ) || exit=$?
  echo "$(tail -1 "$work/time" | awk '{print $1, $2}') $exit"
}

for answers in $sizes; do
  run="$work/run-$answers"
  make_run "$run" "$answers"
  echo "$answers answers, $(du -h "$run/responses.jsonl" | cut -f1) of responses.jsonl"
  read -r secs kib code < <(measure "$binary" "$run" "")
  [[ "$code" == 0 ]] || { echo "  sre-eval score failed (exit $code):"; tail -3 "$work/stderr"; exit 1; }
  echo "  this build: $(awk -v s="$secs" -v k="$kib" -v n="$answers" \
    'BEGIN {printf "%.1f MB peak RSS, %.2f s, %.0f answers/s", k / 1024, s, n / s}'),"\
    "scores.json $(du -h "$run/scores.json" | cut -f1)"
  if [[ -n "$baseline" ]]; then
    read -r bsecs bkib bcode < <(measure "$baseline" "$run" 8000000)
    if [[ "$bcode" != 0 ]]; then
      echo "  baseline:   failed (exit $bcode, $(awk -v k="$bkib" 'BEGIN {printf "%.1f", k / 1024}')" \
        "MB peak RSS): $(tail -1 "$work/stderr")"
    else
      awk -v s="$secs" -v k="$kib" -v bs="$bsecs" -v bk="$bkib" -v n="$answers" 'BEGIN {
        printf "  baseline:   %.1f MB peak RSS, %.2f s, %.0f answers/s\n", bk / 1024, bs, n / bs
        printf "  ratio this/baseline: peak RSS %.3f, answers/s %.3f\n", k / bk, bs / s }'
    fi
  fi
  rm -rf "$run"
done
