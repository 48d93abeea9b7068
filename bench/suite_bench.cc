// How fast the suite checker is: `validate` runs before every run and in editors' save hooks,
// so loading the shipped suite must stay in the low milliseconds, and the largest file the
// loader accepts (1 MiB) must be checked in well under a second.
#include <string>

#include "benchmark/benchmark.h"
#include "nlohmann/json.hpp"
#include "suite/prompt.h"
#include "suite/suite.h"
#include "suite/template.h"

namespace sre_eval {
namespace {

void BM_LoadShippedSuite(benchmark::State& state) {
  for (auto _ : state) {
    Diagnostics diags;
    Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
    benchmark::DoNotOptimize(suite.prompt_count());
    if (!diags.empty()) state.SkipWithError("shipped suite has errors");
  }
}
BENCHMARK(BM_LoadShippedSuite)->Unit(benchmark::kMicrosecond);

// A prompt file just under the 1 MiB limit: about 3,300 prompts with two references each.
std::string LargestPromptFile() {
  std::string text = "incident: payment\nprompts:\n";
  for (int i = 0; text.size() < (size_t{1} << 20) - 400; ++i) {
    text += "  - id: i3.p" + std::to_string(i) +
            "\n    text: \"charged {{payment.failed_orders[0].amount}} at "
            "{{window.start|clock}} for order {{payment.failed_orders[0].id}}\"\n"
            "    dimensions: [detection, impact]\n";
  }
  return text;
}

void BM_ParseLargestPromptFile(benchmark::State& state) {
  std::string text = LargestPromptFile();
  for (auto _ : state) {
    Diagnostics diags;
    PromptFile f = ParsePromptFile("big.yaml", text, &diags);
    benchmark::DoNotOptimize(f.prompts.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseLargestPromptFile)->Unit(benchmark::kMillisecond);

void BM_RenderTemplate(benchmark::State& state) {
  std::vector<TemplateError> errors;
  Template t = Template::Parse(
      "A customer says they were charged {{payment.failed_orders[0].amount}} but didn't "
      "receive order confirmation for order ID {{payment.failed_orders[0].id}} at "
      "{{window.start|clock12}}.",
      &errors);
  nlohmann::json facts = nlohmann::json::parse(R"({
    "window.start": "2026-11-24T11:20:00Z",
    "payment.failed_orders": [{"id": "68f35ed59c10d300018b7011", "customer": "c",
                               "amount": 29.99, "time": "2026-11-24T11:21:00Z"}]})");
  for (auto _ : state) {
    absl::StatusOr<std::string> out = t.Render(facts);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RenderTemplate);

}  // namespace
}  // namespace sre_eval
