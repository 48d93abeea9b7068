#!/usr/bin/env bash
# Runs libFuzzer targets built by `make fuzz` (tests/fuzz/CMakeLists.txt), each for SECONDS on
# its checked-in corpus (tests/fuzz/corpus/<target>/, read only). New inputs go to
# BUILD/fuzz-corpus/<target>/, crashes to BUILD/fuzz-artifacts/<target>/. Prints one line per
# target (executions, corpus size, result) and exits 1 when any target found a crash.
# Usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]   (no TARGET: every target)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]}
seconds=${2:?usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]}
shift 2
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

failed=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz: $t: $bin is not built" >&2
    failed+=("$t")
    continue
  fi
  work="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  # -timeout: an input taking 10 s is a finding; -rss_limit_mb: so is one taking 2 GB.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    echo "fuzz: $t: ${execs:-?} executions in ${seconds}s, ${cov:-cov: ?}, no crash"
  else
    echo "fuzz: $t: FAILED (exit $rc) after ${execs:-?} executions; log $log"
    # Enough for a CI log to say what broke and to reproduce it without the artifact: the
    # first error line, an uncaught exception's what(), the first frames of our own code and
    # the input in Base64 (`base64 -d > crash; $bin crash`).
    grep -m1 -E '^==[0-9]+==ERROR|FUZZ_CHECK|runtime error|deadly signal' "$log" | sed 's/^/  /'
    grep -m2 -E '^terminate called|^  what\(\):' "$log" | sed 's/^/  /'
    grep -E '^ *#[0-9]+ .* in (sre_eval::|LLVMFuzzerTestOneInput)' "$log" | head -4 | sed 's/^/  /'
    grep -m1 -E '^Base64: ' "$log" | cut -c1-400 | sed 's/^/  /'
    grep -E 'Test unit written to' "$log" | sed 's/^/  /'
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -ne 0 ]]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
