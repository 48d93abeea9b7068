#include "score/calibrate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sre_eval {

std::optional<double> KendallTauB(const std::vector<double>& x, const std::vector<double>& y) {
  size_t n = std::min(x.size(), y.size());
  if (n < 2) return std::nullopt;
  // n0 - n1 counts the pairs not tied in x, n0 - n2 those not tied in y.
  int64_t concordant = 0, discordant = 0, untied_x = 0, untied_y = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      int dx = (x[i] > x[j]) - (x[i] < x[j]);
      int dy = (y[i] > y[j]) - (y[i] < y[j]);
      if (dx != 0) ++untied_x;
      if (dy != 0) ++untied_y;
      if (dx * dy > 0) ++concordant;
      if (dx * dy < 0) ++discordant;
    }
  }
  if (untied_x == 0 || untied_y == 0) return std::nullopt;
  return static_cast<double>(concordant - discordant) /
         std::sqrt(static_cast<double>(untied_x) * static_cast<double>(untied_y));
}

std::optional<double> Agreement::share() const {
  if (pairs == 0) return std::nullopt;
  return static_cast<double>(agreed) / pairs;
}

Agreement PairwiseAgreement(const std::vector<double>& expert, const std::vector<double>& rubric) {
  Agreement a;
  size_t n = std::min(expert.size(), rubric.size());
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (expert[i] == expert[j]) continue;
      ++a.pairs;
      bool i_higher = expert[i] > expert[j];
      if (i_higher ? rubric[i] > rubric[j] : rubric[i] < rubric[j]) ++a.agreed;
    }
  }
  return a;
}

double CriterionContribution(const AnswerScore& score, size_t criterion) {
  if (criterion >= score.criteria.size()) return 0;
  const CriterionResult& c = score.criteria[criterion];
  if (c.skipped) return 0;
  double total_weight = 0;
  const DimensionResult* dim = nullptr;
  for (const DimensionResult& d : score.dimensions) {
    if (d.skipped) continue;
    total_weight += d.weight;
    if (d.name == c.dimension) dim = &d;
  }
  if (dim == nullptr || dim->maximum <= 0 || total_weight <= 0) return 0;
  return (dim->weight / total_weight) * (c.earned - c.penalty) / dim->maximum;
}

const std::vector<std::string>& MustBeatKinds() {
  static const std::vector<std::string>* kinds = new std::vector<std::string>{
      "keyword_stuffed", "boilerplate", "refusal", "confidently_wrong"};
  return *kinds;
}

namespace {

double ExpertGrade(const GradedAnswer& a, const Rubric& rubric) {
  double sum = 0, weights = 0;
  for (const Grade& g : a.grades) {
    const RubricDimension* d = rubric.FindDimension(g.dimension);
    double w = d != nullptr ? d->weight : 1;
    sum += w * g.value;
    weights += w;
  }
  return weights > 0 ? sum / weights : 0;
}

// The criteria that favour `lower` over `higher`, largest margin first.
std::vector<Responsible> ResponsibleCriteria(const AnswerScore& higher, const AnswerScore& lower) {
  std::vector<Responsible> out;
  for (size_t i = 0; i < lower.criteria.size() && i < higher.criteria.size(); ++i) {
    double margin = CriterionContribution(lower, i) - CriterionContribution(higher, i);
    if (RoundScore(margin) > 0) out.push_back({lower.criteria[i].id, RoundScore(margin)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Responsible& a, const Responsible& b) { return a.margin > b.margin; });
  return out;
}

void Analyse(PromptCalibration* p) {
  std::vector<double> expert, rubric;
  for (const CalibratedAnswer& a : p->answers) {
    expert.push_back(a.expert);
    rubric.push_back(a.rubric);
  }
  p->agreement = PairwiseAgreement(expert, rubric);
  p->tau_b = KendallTauB(expert, rubric);
  const std::vector<CalibratedAnswer>& as = p->answers;
  for (size_t i = 0; i < as.size(); ++i) {
    for (size_t j = i + 1; j < as.size(); ++j) {
      if (as[i].expert == as[j].expert) continue;
      size_t hi = as[i].expert > as[j].expert ? i : j;
      size_t lo = hi == i ? j : i;
      if (as[hi].rubric > as[lo].rubric) continue;
      InvertedPair pair;
      pair.higher = hi;
      pair.lower = lo;
      pair.tie = as[hi].rubric == as[lo].rubric;
      pair.criteria = ResponsibleCriteria(as[hi].score, as[lo].score);
      p->inverted.push_back(std::move(pair));
    }
  }
  const std::vector<std::string>& beat = MustBeatKinds();
  for (size_t e = 0; e < as.size(); ++e) {
    if (as[e].kind != "excellent") continue;
    for (size_t o = 0; o < as.size(); ++o) {
      if (std::find(beat.begin(), beat.end(), as[o].kind) == beat.end()) continue;
      p->must_checked = true;
      if (as[e].rubric <= as[o].rubric) p->must_violations.push_back({e, o});
    }
  }
}

}  // namespace

Calibration Calibrate(const std::vector<GradedFile>& files, const Suite& suite,
                      const RubricSet& rubrics, const Judge* judge, Diagnostics* problems) {
  Calibration out;
  std::map<std::string, absl::StatusOr<Truth>> truths;
  std::vector<double> all_expert, all_rubric;
  std::set<std::string> judged;
  for (const GradedFile& file : files) {
    const Prompt* prompt = suite.FindPrompt(file.prompt_id);
    const Rubric* rubric = suite.FindRubric(file.prompt_id);
    const CompiledRubric* compiled = rubrics.Find(file.prompt_id);
    if (prompt == nullptr || rubric == nullptr || compiled == nullptr) continue;
    auto it = truths.find(file.truth_path);
    if (it == truths.end()) it = truths.emplace(file.truth_path, LoadTruth(file.truth_path)).first;
    if (!it->second.ok()) {
      std::string message(it->second.status().message());
      if (absl::StartsWith(message, file.truth_path + ": ")) {
        message = message.substr(file.truth_path.size() + 2);
      }
      if (absl::IsNotFound(it->second.status())) message = "no such file";
      problems->Add(file.path, file.truth_line, file.truth_column,
                    absl::StrCat("cannot use truth '", file.truth, "': ", message));
      continue;
    }
    const Truth& truth = *it->second;
    if (truth.incident != prompt->incident) {
      problems->Add(
          file.path, file.truth_line, file.truth_column,
          absl::StrCat("truth '", file.truth, "' is for incident '", truth.incident,
                       "', but prompt '", prompt->id, "' belongs to '", prompt->incident, "'"));
      continue;
    }
    ScoreOptions options;
    options.judge = judge;
    // The question is context for the engine as well as the judge ("how many X?").
    absl::StatusOr<std::string> question = prompt->tmpl.Render(truth.facts);
    if (question.ok()) options.question = *std::move(question);
    PromptCalibration p;
    p.prompt_id = file.prompt_id;
    p.file = file.path;
    for (const GradedAnswer& g : file.answers) {
      CalibratedAnswer a;
      a.id = g.id;
      a.kind = g.kind;
      a.expert = RoundScore(ExpertGrade(g, *rubric));
      a.score = compiled->Score(g.text, truth, options);
      a.rubric = RoundScore(a.score.score);
      all_expert.push_back(a.expert);
      all_rubric.push_back(a.rubric);
      p.answers.push_back(std::move(a));
    }
    Analyse(&p);
    out.answers += static_cast<int>(p.answers.size());
    out.agreement.pairs += p.agreement.pairs;
    out.agreement.agreed += p.agreement.agreed;
    if (p.must_checked) ++out.must_checked;
    out.must_violations += static_cast<int>(p.must_violations.size());
    if (judged.insert(file.prompt_id).second) out.judge_criteria += CountJudgeCriteria(*rubric);
    out.prompts.push_back(std::move(p));
  }
  out.tau_b = KendallTauB(all_expert, all_rubric);
  return out;
}

}  // namespace sre_eval
