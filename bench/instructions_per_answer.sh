#!/bin/bash
# Instructions the scoring engine spends per answer, counted by callgrind: a measure that does
# not move with the load of a shared machine, for comparing two versions of the engine.
# Usage: bench/instructions_per_answer.sh [BUILD_DIR]   (needs valgrind and a bench build)
set -euo pipefail
bench="${1:-build}/bench/sre_eval_bench"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" \
    --benchmark_filter="^BM_ScoreAnswers_$1/" 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
small=$(count 2k)
large=$(count 6k)
echo "instructions per answer: $(((large - small) / 4000))"
