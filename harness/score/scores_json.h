// scores.json: the rendering of RunScores that `sre-eval score` writes into the run folder.
//
// Deterministic: no timestamps and no absolute paths, keys in a fixed order, every score,
// earned, penalty, maximum, weight and points rounded with RoundScore. The same RunScores
// always gives the same bytes. The layout (README.md, "Run folders and scores"):
//
//   {
//     "schema_version": 1,
//     "judge": null | {"model", "prompt_hash", "criteria", "errors"},
//     "judge_note": "...",
//     "counts": {...},
//     "overall": {"score", "dimensions": {...}},
//     "prompts": [ one object per line ],
//     "answers": [ one object per line ],
//     "problems": [ "responses.jsonl:3: ...", ... ]
//   }
#ifndef SRE_EVAL_SCORE_SCORES_JSON_H_
#define SRE_EVAL_SCORE_SCORES_JSON_H_

#include <cstddef>
#include <string>

#include "score/run_scores.h"

namespace sre_eval {

inline constexpr int kScoresSchemaVersion = 1;

// The whole file, ending with a newline.
std::string ScoresJson(const RunScores& scores);

// The same file in pieces, for writing it without holding every answer (score/scores_file.h):
// ScoresJson(s) is ScoresJsonHead(s), then for each answer i ScoresJsonAnswerSeparator(i) and
// AppendAnswerJson(answer), then ScoresJsonTail(s, number of answers). The head and tail read
// everything of `scores` but its `answers`.
std::string ScoresJsonHead(const RunScores& scores);
const char* ScoresJsonAnswerSeparator(size_t index);
void AppendAnswerJson(const ScoredAnswer& answer, std::string* out);
std::string ScoresJsonTail(const RunScores& scores, size_t answers);

// What the judge note says: "no judge criteria", "not configured; 3 judge criteria skipped",
// or "3 judge criteria graded by MODEL; 1 grade failed and was skipped".
std::string JudgeNote(const RunScores& scores);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_SCORES_JSON_H_
