#include "score/rubric_set.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sre_eval {

RubricSet RubricSet::Compile(const Suite& suite, Diagnostics* problems) {
  RubricSet set;
  for (const Rubric& rubric : suite.rubrics) {
    if (set.by_prompt_.count(rubric.prompt_id) != 0) continue;  // LoadSuite reports these.
    absl::StatusOr<std::unique_ptr<CompiledRubric>> compiled = CompiledRubric::Compile(rubric);
    if (!compiled.ok()) {
      problems->Add(rubric.file, rubric.line, rubric.column,
                    absl::StrCat("rubric does not compile: ", compiled.status().message()));
      continue;
    }
    set.by_prompt_.emplace(rubric.prompt_id, *std::move(compiled));
  }
  return set;
}

const CompiledRubric* RubricSet::Find(const std::string& prompt_id) const {
  auto it = by_prompt_.find(prompt_id);
  return it == by_prompt_.end() ? nullptr : it->second.get();
}

int CountJudgeCriteria(const Rubric& rubric) {
  int n = 0;
  for (const RubricDimension& d : rubric.dimensions) {
    for (const Criterion& c : d.criteria) n += c.kind == CriterionKind::kJudge ? 1 : 0;
  }
  return n;
}

double DimensionMaximum(const RubricDimension& dimension, bool with_judge) {
  double max = 0;
  for (const Criterion& c : dimension.criteria) {
    if (c.kind != CriterionKind::kJudge || with_judge) max += c.points;
  }
  return max;
}

}  // namespace sre_eval
