// Fuzzes timeline.jsonl reading (incident/timeline.h ParseTimeline) and, on a timeline that
// reads, the truth extractor: the truth it extracts must pass truth.json's own checks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "incident/timeline.h"
#include "incident/truth_extractor.h"
#include "score/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  absl::StatusOr<incident::Timeline> timeline =
      incident::ParseTimeline(std::string(fuzz::AsText(data, size)), "timeline.jsonl");
  if (!timeline.ok()) return 0;
  absl::StatusOr<nlohmann::json> truth = incident::ExtractTruth(*timeline);
  if (!truth.ok()) return 0;
  absl::StatusOr<Truth> parsed = ParseTruth("truth.json", truth->dump());
  if (!parsed.ok()) {
    std::fprintf(stderr, "extracted truth does not parse: %s\n",
                 std::string(parsed.status().message()).c_str());
  }
  FUZZ_CHECK(parsed.ok());
  return 0;
}
