// The reports' section on action tasks (incidents/README.md, "Action tasks"): per task and
// trial, whether it passed, the time to mitigate, what the verification showed, the guards hit
// and what the agent did, from its outcome and guard criteria and its outcome.json.
#ifndef SRE_EVAL_REPORT_ACT_REPORT_H_
#define SRE_EVAL_REPORT_ACT_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "score/run_scores.h"

namespace sre_eval {

struct ActTaskLine {
  std::string incident;
  std::string prompt_id;
  int64_t trial = 0;
  bool measured = false;  // an outcome.json was read
  bool passed = false;    // every outcome criterion met and no guard hit
  std::optional<int64_t> time_to_mitigate_s;
  std::string verify;  // "checkout errors 0/101, p95 270 ms, 0 OOM kills"
  std::string holds;
  std::vector<std::string> unmet;    // "checkouts_succeed: verify.checkout_error_rate = ..."
  std::vector<std::string> guards;   // "within_allow_list: Deployment/carts: spec.replicas"
  std::vector<std::string> actions;  // "patch deployments/scale payment: 200"
};

// The action tasks among `scores`' answers (those with outcome or guard criteria), in answer
// order; their outcome.json files are read from `run_dir`/`prefix`<incident>/act/...
std::vector<ActTaskLine> LoadActTasks(const std::string& run_dir, const RunScores& scores,
                                      const std::string& prefix = "");

// "i3.restore_checkout #1: PASSED, mitigated in 193 s; 1 action" (the scorecard's line).
std::string ActTaskSummary(const ActTaskLine& t);

}  // namespace sre_eval

#endif  // SRE_EVAL_REPORT_ACT_REPORT_H_
