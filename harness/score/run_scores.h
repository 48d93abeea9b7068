// Scoring a run folder: every stored answer of responses.jsonl against the suite's current
// rubrics and the run's ground truth, into one neutral result (RunScores) that scores.json
// and the `score` command's table are rendered from.
//
//   RUN_DIR/responses.jsonl          the answers (score/responses.h)
//   RUN_DIR/<incident>/truth.json    each incident's ground truth (score/engine.h ParseTruth)
#ifndef SRE_EVAL_SCORE_RUN_SCORES_H_
#define SRE_EVAL_SCORE_RUN_SCORES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "score/engine.h"
#include "score/responses.h"
#include "score/rubric_set.h"
#include "suite/suite.h"
#include "util/diagnostic.h"
#include "util/external_sort.h"

namespace sre_eval {

struct ScoredAnswer {
  std::string incident;
  std::string prompt_id;
  int64_t trial = 0;
  int line = 0;  // In responses.jsonl.
  ResponseStatus status = ResponseStatus::kOk;
  // Why the answer scored 0 unread ("agent error: ...", "agent timeout: ..."); "" when ok.
  std::string note;
  // For a status other than ok: every dimension 0 and no criteria.
  AnswerScore score;
};

struct PromptScores {
  std::string prompt_id;
  std::string incident;
  std::vector<std::string> dimensions;  // The prompt's, in its order.
  int trials = 0;                       // Answers scored.
  int failed = 0;                       // Of those, with a status other than ok.
  // The mean of the answers' scores; nullopt with no answers.
  std::optional<double> score;
  // Parallel to `dimensions`: the mean over the answers where the dimension was not skipped.
  std::vector<std::optional<double>> dimension_scores;
};

struct RunCounts {
  int malformed = 0;  // Lines of responses.jsonl that are not a well-formed answer.
  int answers = 0;    // Well-formed lines.
  int scored = 0;     // Answers in RunScores::answers.
  int ok = 0;         // Of those, by status.
  int error = 0;
  int timeout = 0;
  int not_scored = 0;  // Lines left out: malformed, unknown prompt, no truth, duplicate, ...
};

struct RunScores {
  std::vector<ScoredAnswer> answers;  // By prompt in suite order, then trial.
  std::vector<PromptScores> prompts;  // Every prompt of the suite, in suite order.
  // The mean of the prompts' scores over the prompts with answers: each prompt counts once,
  // whatever its number of trials. nullopt when nothing was scored.
  std::optional<double> overall;
  // Per dimension that some prompt of the suite has, in AllDimensions() order: the mean of
  // the prompts' dimension scores.
  std::vector<std::pair<std::string, std::optional<double>>> overall_dimensions;
  RunCounts counts;
  // The judge used, or empty model when none was.
  std::string judge_model;
  std::string judge_prompt_hash;
  int judge_criteria = 0;  // Judge criteria in the rubrics of the prompts with answers.
  int judge_errors = 0;    // Judge grades that failed (their criteria were skipped).
  // Input problems, with paths relative to the run folder ("responses.jsonl",
  // "payment/truth.json"), in the order Diagnostics::Sorted() gives.
  std::vector<Diagnostic> problems;
};

// Scores `run_dir`. Every answer is checked: its prompt must exist in `suite` (unknown ids
// are reported with a suggestion), belong to the answer's incident, have a rubric in
// `rubrics`, and the incident's truth must load; a (prompt, trial) seen twice keeps the
// first. Each incident's truth is loaded once. Answers with a status other than ok score 0.
// `judge` may be nullptr: judge criteria are then skipped. `jobs` answers are scored at once
// (with a judge, that many judge requests are in flight); the result does not depend on it.
// Fails only when the run folder or its responses.jsonl cannot be read (NotFound,
// FailedPrecondition, ...). `responses` is the answers' file relative to `run_dir`
// ("reference/responses.jsonl" scores the reference agent's answers against the run's
// truths); problems name it as given.
absl::StatusOr<RunScores> ScoreRun(const Suite& suite, const RubricSet& rubrics,
                                   const std::string& run_dir, const Judge* judge, int jobs = 1,
                                   const std::string& responses = "responses.jsonl");

// The answers ScoreRunStreaming kept, in the order RunScores::answers would list them (by
// prompt in suite order, then trial), as the tokens its `on_answer` returned for them.
class AnswerOrder {
 public:
  virtual ~AnswerOrder() = default;
  // The next token; false at the end, or on an error reading the sorted answers back
  // (status() then says which).
  virtual bool Next(uint64_t* token) = 0;
  virtual absl::Status status() const = 0;
};

// Turns a scored answer into bytes (e.g. its scores.json entry). Called on the scoring threads,
// concurrently for different answers, so it must not touch shared state.
using AnswerRenderer = std::function<void(const ScoredAnswer&, std::string* rendered)>;

// ScoreRun without keeping the answers, so that memory does not grow with them. Each scored
// answer is rendered by `render` (when set; on the scoring threads, so that the work scales
// with `jobs`), then passed with what it rendered to `on_answer` (on the calling thread, in
// the order of the file), which returns a token for it (e.g. where it stored it). When everything
// is scored, `on_scores` receives the result and the tokens of the answers kept, in their order.
// RunScores::answers stays empty; everything else is as ScoreRun gives it.
//
// What the means, the order and the duplicate check need of each answer (about 64 bytes) is
// sorted in chunks of `limits.chunk_records`, each past the first written as a sorted run to
// an unlinked temporary file beside the answers' file and merged back (util/external_sort.h):
// memory stays the same whatever the number of answers. A duplicate (prompt, trial) is
// therefore scored (and passed to `on_answer`) before it is found to be one; only the first
// in the file is kept, as ScoreRun does. Fails, besides as ScoreRun does, when a temporary
// file cannot be written or read back.
absl::StatusOr<RunScores> ScoreRunStreaming(
    const Suite& suite, const RubricSet& rubrics, const std::string& run_dir, const Judge* judge,
    int jobs, const AnswerRenderer& render,
    const std::function<uint64_t(const ScoredAnswer&, std::string&& rendered)>& on_answer,
    const std::function<void(const RunScores&, AnswerOrder*)>& on_scores,
    const std::string& responses = "responses.jsonl",
    const ExternalSortLimits& limits = ExternalSortLimits());

// The mean of `values`, or nullopt when empty.
std::optional<double> Mean(const std::vector<double>& values);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_RUN_SCORES_H_
