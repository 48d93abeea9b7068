// Rubric calibration: how well the rubrics rank graded example answers (score/graded.h) the
// way an expert did.
//
// An answer's expert grade is the weighted mean of its dimension grades, with the rubric's
// dimension weights; its rubric score is the engine's. Both are rounded with RoundScore
// before they are compared, so float noise never makes or breaks a tie.
//
//   tau_b      Kendall's tau-b between expert grades and rubric scores (ties in either
//              corrected for); per prompt over its answers, and overall over all answers of
//              all prompts pooled, which also asks that scores of different prompts sit on
//              the expert's one scale. Undefined when either side is all ties.
//   agreement  Among the pairs of answers to the same prompt whose expert grades differ, the
//              share the rubric orders the same way; a rubric tie is no agreement. Overall,
//              all such pairs of all prompts pooled.
//   inverted   Every pair the rubric ties or orders the other way, with the criteria that
//              favour the answer the expert ranked lower.
//   must       In every prompt, each answer of kind excellent must score strictly above
//              every answer of kind keyword_stuffed, boilerplate, refusal and
//              confidently_wrong.
#ifndef SRE_EVAL_SCORE_CALIBRATE_H_
#define SRE_EVAL_SCORE_CALIBRATE_H_

#include <optional>
#include <string>
#include <vector>

#include "score/engine.h"
#include "score/graded.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

// Kendall's tau-b of paired values; nullopt when there are fewer than two pairs or either
// side is all ties. Values compare exactly. O(n^2).
std::optional<double> KendallTauB(const std::vector<double>& x, const std::vector<double>& y);

struct Agreement {
  int pairs = 0;   // Pairs whose `expert` values differ.
  int agreed = 0;  // Of those, pairs `rubric` orders the same way (strictly).
  std::optional<double> share() const;
};

// Pairwise agreement of `rubric` with `expert` (values compare exactly).
Agreement PairwiseAgreement(const std::vector<double>& expert, const std::vector<double>& rubric);

// What one criterion did for an answer's score: (earned - penalty) / the dimension's
// maximum, times the dimension's share of the weights of the dimensions not skipped. 0 for a
// skipped criterion or dimension. Ignores the clamp to [0, 1].
double CriterionContribution(const AnswerScore& score, size_t criterion);

struct CalibratedAnswer {
  std::string id;
  std::string kind;
  double expert = 0;  // Rounded.
  double rubric = 0;  // Rounded.
  AnswerScore score;
};

struct Responsible {
  std::string criterion;
  double margin = 0;  // How much more it gave the lower answer than the higher (> 0).
};

// A pair the rubric ties or inverts. `higher` is the answer the expert ranks higher.
struct InvertedPair {
  size_t higher = 0;  // Indexes into PromptCalibration::answers.
  size_t lower = 0;
  bool tie = false;                   // The rubric gave both the same score.
  std::vector<Responsible> criteria;  // Largest margin first.
};

struct MustViolation {
  size_t excellent = 0;  // Indexes into PromptCalibration::answers.
  size_t other = 0;
};

struct PromptCalibration {
  std::string prompt_id;
  std::string file;
  std::vector<CalibratedAnswer> answers;  // In file order.
  Agreement agreement;
  std::optional<double> tau_b;
  std::vector<InvertedPair> inverted;  // By (higher, lower) in file order.
  bool must_checked = false;           // It has an excellent answer and one to beat.
  std::vector<MustViolation> must_violations;
};

struct Calibration {
  std::vector<PromptCalibration> prompts;  // In the order of the files given.
  int answers = 0;
  Agreement agreement;          // Pooled over prompts.
  std::optional<double> tau_b;  // Over all answers pooled.
  int must_checked = 0;         // Prompts the must check applied to.
  int must_violations = 0;
  int judge_criteria = 0;  // In the rubrics of the prompts calibrated.
};

// The kinds an excellent answer must beat.
const std::vector<std::string>& MustBeatKinds();

// Calibrates `files`, which must have passed CheckGradedFile against `suite`. Truths are
// loaded once per path; a truth that does not load is added to `problems` at the file's
// 'truth' value and its file is left out. `judge` may be nullptr.
Calibration Calibrate(const std::vector<GradedFile>& files, const Suite& suite,
                      const RubricSet& rubrics, const Judge* judge, Diagnostics* problems);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_CALIBRATE_H_
