// Fuzzes gate.yaml loading (report/report.h ParseGate).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "report/report.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  Diagnostics diags;
  absl::StatusOr<Gate> gate = ParseGate("gate.yaml", std::string(fuzz::AsText(data, size)), &diags);
  FUZZ_CHECK(gate.ok() == diags.empty());
  if (gate.ok()) {
    FUZZ_CHECK(gate->prompt >= 0 && gate->prompt <= 1);
    if (gate->overall.has_value()) FUZZ_CHECK(*gate->overall >= 0 && *gate->overall <= 1);
    (void)GateThresholds(*gate);
  }
  return 0;
}
