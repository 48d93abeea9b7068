// What the engine's tests share: a compiled rubric and a truth from inline text, and one
// criterion's result by id.
#ifndef SRE_EVAL_TESTS_SCORE_RUBRIC_FIXTURE_H_
#define SRE_EVAL_TESTS_SCORE_RUBRIC_FIXTURE_H_

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "score/engine.h"
#include "suite/rubric.h"
#include "util/diagnostic.h"

namespace sre_eval {

// Parses and compiles `rubric_yaml` into *rubric and parses `truth_json` into *truth; a fatal
// test failure when either is bad (check with HasFatalFailure()).
inline void LoadRubricAndTruth(const char* rubric_yaml, const char* truth_json,
                               std::unique_ptr<CompiledRubric>* rubric, Truth* truth) {
  Diagnostics diags;
  std::optional<Rubric> parsed = ParseRubricFile("r.yaml", rubric_yaml, &diags);
  ASSERT_TRUE(parsed.has_value()) << diags.Sorted()[0].ToString();
  auto compiled = CompiledRubric::Compile(*parsed);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  *rubric = std::move(*compiled);
  auto t = ParseTruth("truth.json", truth_json);
  ASSERT_TRUE(t.ok()) << t.status();
  *truth = *t;
}

// The result of criterion `id` in `s`; a test failure (and an empty result) when it has none.
inline const CriterionResult& FindCriterion(const AnswerScore& s, const std::string& id) {
  for (const CriterionResult& r : s.criteria) {
    if (r.id == id) return r;
  }
  static const CriterionResult none;
  ADD_FAILURE() << "no criterion " << id;
  return none;
}

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_SCORE_RUBRIC_FIXTURE_H_
