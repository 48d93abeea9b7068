// Fuzzes incident file loading (incident/incident.h ParseIncident). The file stands in the
// source tree's incidents/ folder, so that its manifests/ resolve to the shipped ones.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "incident/incident.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  static const std::string path = fuzz::SourcePath("incidents/fuzz.yaml");
  Diagnostics diags;
  absl::StatusOr<incident::Incident> inc =
      incident::ParseIncident(path, fuzz::AsText(data, size), &diags);
  FUZZ_CHECK(inc.ok() == diags.empty());
  if (inc.ok()) {
    for (const incident::Step& s : inc->steps) (void)s.Describe();
    (void)inc->ScaledDeployments();
  }
  return 0;
}
