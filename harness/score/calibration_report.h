// Renderings of a Calibration (score/calibrate.h): the text `sre-eval calibrate` prints and
// its --json form. Both are deterministic: the same calibration gives the same bytes.
#ifndef SRE_EVAL_SCORE_CALIBRATION_REPORT_H_
#define SRE_EVAL_SCORE_CALIBRATION_REPORT_H_

#include <optional>
#include <string>

#include "score/calibrate.h"

namespace sre_eval {

// The --min-agreement gate: passed when the overall agreement is defined and at least
// `min_agreement`, and no must check failed.
struct CalibrationGate {
  double min_agreement = 0;
  bool passed = false;
};
CalibrationGate CheckGate(const Calibration& c, double min_agreement);

// What the judge did, for the reports.
struct JudgeUse {
  std::string model;  // "" when no judge was used.
  std::string prompt_hash;
  std::string status_line;  // JudgeStatusLine's, or "".
};

//   prompt        answers  pairs  agreement   tau_b
//   i1.restarts         8     28     0.9643  0.9286
//
//   inverted pairs (the expert ranks the first answer higher):
//     i1.restarts  terse > wrong_cause  expert 0.7500 > 0.5500  rubric 0.4000 < 0.6000  ...
//   ... favouring wrong_cause: cause +0.2500, count +0.1000     (one line per pair)
//
//   must: excellent above keyword_stuffed, boilerplate, refusal and confidently_wrong in
//   16 of 16 prompts
//
//   kind               answers  expert  rubric  difference
//   excellent               32  0.9583  0.8591  -0.0992     (one line per kind of answer)
//
//   overall: 128 answers, 448 pairs, agreement 0.9420, tau_b 0.8512
//   judge: ...
//   gate: ...
std::string CalibrationText(const Calibration& c, const JudgeUse& judge,
                            const std::optional<CalibrationGate>& gate);

// {"schema_version": 1, "prompts": [...], "must": {...}, "kinds": [{"kind", "answers",
//  "expert_mean", "rubric_mean"}...], "overall": {...}, "judge": null |
//  {...}, "judge_criteria": N, "gate": null | {...}}, pretty-printed, ending with a newline.
std::string CalibrationJson(const Calibration& c, const JudgeUse& judge,
                            const std::optional<CalibrationGate>& gate);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_CALIBRATION_REPORT_H_
