// The suite's rubrics, each compiled once, looked up by prompt id.
#ifndef SRE_EVAL_SCORE_RUBRIC_SET_H_
#define SRE_EVAL_SCORE_RUBRIC_SET_H_

#include <map>
#include <memory>
#include <string>

#include "score/engine.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

// Immutable after Compile; lookups are thread-safe.
class RubricSet {
 public:
  // Compiles every rubric of `suite`. A rubric that does not compile is added to `problems`
  // at its file and position and left out. The suite must outlive the set.
  static RubricSet Compile(const Suite& suite, Diagnostics* problems);

  // The compiled rubric for this prompt, or nullptr.
  const CompiledRubric* Find(const std::string& prompt_id) const;

 private:
  std::map<std::string, std::unique_ptr<CompiledRubric>> by_prompt_;
};

// The number of judge criteria in `rubric`.
int CountJudgeCriteria(const Rubric& rubric);

// The most `rubric`'s dimension can earn: the points of its criteria, leaving out judge
// criteria when `with_judge` is false (the engine skips them then).
double DimensionMaximum(const RubricDimension& dimension, bool with_judge);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_RUBRIC_SET_H_
