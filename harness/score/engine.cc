// STUB: replaced by the real engine. Scores every criterion as missed.
#include "score/engine.h"

#include <cmath>

namespace sre_eval {

struct CompiledRubric::Impl {
  Rubric rubric;
};

CompiledRubric::CompiledRubric(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledRubric::~CompiledRubric() = default;

absl::StatusOr<std::unique_ptr<CompiledRubric>> CompiledRubric::Compile(const Rubric& rubric) {
  auto impl = std::make_unique<Impl>();
  impl->rubric = rubric;
  return std::unique_ptr<CompiledRubric>(new CompiledRubric(std::move(impl)));
}

const Rubric& CompiledRubric::rubric() const { return impl_->rubric; }
bool CompiledRubric::has_judge_criteria() const { return false; }

AnswerScore CompiledRubric::Score(absl::string_view answer, const Truth& truth,
                                  const ScoreOptions& options) const {
  AnswerScore s;
  for (const RubricDimension& d : impl_->rubric.dimensions) {
    DimensionResult dr;
    dr.name = d.name;
    dr.weight = d.weight;
    for (const Criterion& c : d.criteria) {
      CriterionResult cr;
      cr.id = c.id;
      cr.dimension = d.name;
      cr.kind = c.kind;
      cr.points = c.points;
      cr.note = "no match";
      dr.maximum += c.points;
      s.criteria.push_back(cr);
    }
    s.dimensions.push_back(dr);
  }
  return s;
}

double RoundScore(double score) { return std::round(score * 10000.0) / 10000.0; }

}  // namespace sre_eval
