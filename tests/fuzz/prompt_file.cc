// Fuzzes prompt file loading (suite/prompt.h): any bytes give diagnostics, never a crash.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "suite/prompt.h"
#include "util/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sre_eval;
  Diagnostics diags;
  PromptFile file = ParsePromptFile("prompts/fuzz.yaml", fuzz::AsText(data, size), &diags);
  for (const Prompt& p : file.prompts) FUZZ_CHECK(!p.id.empty());
  for (const Diagnostic& d : diags.Sorted()) (void)d.ToString();
  return 0;
}
