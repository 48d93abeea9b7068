// Fuzzes the scoring engine (score/engine.h) with the shipped suite: the first byte of the
// input picks one of the shipped rubrics, the rest is the answer, scored against the shipped
// truth of the rubric's incident (fixtures/truths/). Scores stay in [0, 1], evidence stays
// inside the answer and is text JSON can hold.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "nlohmann/json.hpp"
#include "score/engine.h"
#include "score/rubric_set.h"
#include "suite/suite.h"

namespace {

using namespace sre_eval;

// Grades by the answer's length, so that judge criteria are scored too.
class FakeJudge : public Judge {
 public:
  absl::StatusOr<double> Grade(const JudgeRequest& request) const override {
    if (request.answer.empty()) return absl::UnavailableError("no answer");
    return static_cast<double>(request.answer.size() % 11) / 10;
  }
  std::string model() const override { return "fake"; }
  std::string prompt_hash() const override { return "0"; }
};

struct Shipped {
  Suite suite;
  RubricSet rubrics;
  std::vector<const Prompt*> prompts;   // Those with a compiled rubric.
  std::map<std::string, Truth> truths;  // By incident.
};

const Shipped& LoadShipped() {
  static const Shipped* shipped = [] {
    auto* s = new Shipped;
    Diagnostics diags;
    s->suite = LoadSuite(SRE_EVAL_SOURCE_ROOT, &diags);
    s->rubrics = RubricSet::Compile(s->suite, &diags);
    if (!diags.empty()) {
      std::fprintf(stderr, "the shipped suite does not load: %s\n",
                   diags.list()[0].ToString().c_str());
      std::abort();
    }
    for (const Prompt* p : s->suite.AllPrompts()) {
      if (s->rubrics.Find(p->id) == nullptr) continue;
      s->prompts.push_back(p);
      if (s->truths.count(p->incident) != 0) continue;
      absl::StatusOr<Truth> truth =
          LoadTruth(fuzz::SourcePath("fixtures/truths/" + p->incident + ".json"));
      if (!truth.ok()) {
        std::fprintf(stderr, "%s\n", std::string(truth.status().message()).c_str());
        std::abort();
      }
      s->truths[p->incident] = *std::move(truth);
    }
    FUZZ_CHECK(!s->prompts.empty());
    return s;
  }();
  return *shipped;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Shipped& shipped = LoadShipped();
  if (size == 0) return 0;
  const Prompt* prompt = shipped.prompts[data[0] % shipped.prompts.size()];
  absl::string_view answer = fuzz::AsText(data + 1, size - 1);
  static const FakeJudge judge;
  ScoreOptions options;
  options.judge = (data[0] & 0x80) != 0 ? &judge : nullptr;
  options.question = prompt->text;
  AnswerScore s =
      shipped.rubrics.Find(prompt->id)->Score(answer, shipped.truths.at(prompt->incident), options);
  FUZZ_CHECK(std::isfinite(s.score) && s.score >= 0 && s.score <= 1);
  for (const DimensionResult& d : s.dimensions) {
    FUZZ_CHECK(std::isfinite(d.score) && d.score >= 0 && d.score <= 1);
  }
  for (const CriterionResult& c : s.criteria) {
    FUZZ_CHECK(c.earned >= 0 && c.earned <= c.points + 1e-9);
    for (const Evidence& e : c.evidence) {
      FUZZ_CHECK(e.begin <= e.end && e.end <= answer.size());
      // Evidence and notes go into scores.json: dump() throws on text that is not UTF-8.
      (void)nlohmann::json({{"text", e.text}, {"note", e.note}}).dump();
    }
    (void)nlohmann::json(c.note).dump();
  }
  return 0;
}
