// Fuzzes rubric file loading (suite/rubric.h) and compiling (score/engine.h): a rubric the
// loader accepts must compile, and score an answer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "fuzz_input.h"
#include "score/engine.h"
#include "suite/rubric.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  Diagnostics diags;
  std::optional<Rubric> rubric =
      ParseRubricFile("rubrics/fuzz.yaml", fuzz::AsText(data, size), &diags);
  for (const Diagnostic& d : diags.Sorted()) (void)d.ToString();
  FUZZ_CHECK(rubric.has_value() == diags.empty());
  if (!rubric.has_value()) return 0;
  absl::StatusOr<std::unique_ptr<CompiledRubric>> compiled = CompiledRubric::Compile(*rubric);
  FUZZ_CHECK(compiled.ok());
  Truth truth;
  AnswerScore s = (*compiled)->Score("5 restarts at 10:24 in front-end, not memory", truth);
  FUZZ_CHECK(s.score >= 0 && s.score <= 1);
  return 0;
}
