// Fuzzes truth.json parsing (score/engine.h ParseTruth): any bytes give a truth checked
// against the fact schema or an error naming the file.
#include <cstddef>
#include <cstdint>

#include "absl/strings/match.h"
#include "fuzz_input.h"
#include "score/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  absl::StatusOr<Truth> truth = ParseTruth("run/crash/truth.json", fuzz::AsText(data, size));
  if (!truth.ok()) {
    FUZZ_CHECK(absl::StartsWith(truth.status().message(), "run/crash/truth.json"));
    return 0;
  }
  FUZZ_CHECK(truth->facts.is_object());
  (void)truth->facts.dump();
  FUZZ_CHECK(TruthStrings(truth->facts) == truth->strings);
  return 0;
}
