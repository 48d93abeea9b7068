// The table `sre-eval score` prints: one row per prompt in suite order, then the overall row.
//
//   prompt            trials   score  detection  diagnosis  impact  remediation
//   i1.what_happened       2  0.8125     1.0000     0.6250
//   i1.restarts            2  0.5000                          0.5000
//   overall                4  0.6563     1.0000     0.6250  0.5000
//
// A dimension's cell is blank when the prompt lacks the dimension and "-" when there is
// nothing to show (no answers, or the dimension was skipped). Scores have 4 decimals.
#ifndef SRE_EVAL_SCORE_SCORE_TABLE_H_
#define SRE_EVAL_SCORE_SCORE_TABLE_H_

#include <string>

#include "score/run_scores.h"

namespace sre_eval {

// The table, every line ending in a newline and none in spaces.
std::string ScoreTable(const RunScores& scores);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_SCORE_TABLE_H_
