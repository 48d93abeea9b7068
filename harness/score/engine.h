// The scoring engine: one answer, one rubric, one ground truth -> a score that explains itself.
//
// A rubric is compiled once (CompiledRubric::Compile) and then scores any number of answers,
// from any number of threads: Score() is const and keeps no state between calls.
//
// How each criterion kind reads an answer (all matching is case-insensitive):
//
//   terms   A phrase matches whole words; spaces and hyphens in it match any run of white
//           space or hyphens ("front end" matches "front-end"), and a hyphenated phrase also
//           matches its words run together ("front-end": "frontend"). A phrase ending in '*'
//           matches any word that starts with it ("restart*": restart, restarts, restarted). Only
//           an affirmative mention counts: one negated in its clause ("not memory", "memory was not
//           the cause", "no restarts") does not. Met when some group of `any` matches (if `any` is
//           given); earns points x the share of `all` groups that match.
//   regex   RE2, case-insensitive; met on any match.
//   number  Numbers (digits, "1,000", "4.1", number words "zero" to "twenty", the tens
//           to "ninety", "hundred", "once", "twice", and "no"/"none" right before a cue) that stand
//           within 3 words of a cue in the same sentence are claims. A number with a unit attached
//           ("10 minutes", "300m", "1000Mi", "65%") is a claim only when the unit agrees with the
//           criterion's `unit` (none: a plain count). Met when some claim is within `tolerance` of
//           the truth: full points. Claims but none right: the penalty.
//   ids     Every token matching `shape` is an id mentioned. recall = truth ids mentioned /
//           truth ids; precision = truth ids mentioned / ids mentioned. Earns points x recall
//           and loses penalty x (1 - precision): an invented id costs points.
//   time    Times mentioned: ISO 8601 ("2026-11-24T10:23:05Z"), "10:23", "10:23:05", each
//           optionally followed by "UTC", "Z", an offset or am/pm. A time with no date is compared
//           by time of day. Met when one is within `tolerance` of a truth time (the fact, or every
//           element's field for a list fact): full points. Times but none near: the penalty.
//   forbid  Costs the penalty when a `claims` phrase is mentioned affirmatively, or a
//           `denies` phrase is mentioned negated ("no pods restarted" denies restarts).
//   judge   Asks the configured Judge; earns points x its grade in [0, 1]. With no judge the
//           criterion is skipped: it counts toward neither earned points nor the maximum.
//
// Negation: a mention is negated when one of no, not, never, none, without, zero, nor,
// neither, "n't" words (didn't, wasn't, ...), "rather than", "instead of", "ruled out"
// stands in the 4 words before it within its clause, or not/never/"n't" stands in the 3 words
// after it ("memory was not the cause"). A clause ends at . ! ? ; : , a new line, "but" or
// "however".
//
// Scores: a dimension's score is (earned - penalties) / maximum, clamped to [0, 1], where the
// maximum is the sum of the points of its criteria that were not skipped. A prompt's score is
// the weighted mean of its dimensions' scores. A dimension whose criteria were all skipped is
// left out of the mean.
#ifndef SRE_EVAL_SCORE_ENGINE_H_
#define SRE_EVAL_SCORE_ENGINE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "suite/rubric.h"

namespace sre_eval {

// One incident's ground truth: truth.json's "facts" object.
struct Truth {
  std::string incident;
  nlohmann::json facts = nlohmann::json::object();
  // Every string in `facts`, lowercased and sorted: what ids criteria look up to tell a real
  // id of another kind from an invented one. ParseTruth fills it; when it is empty the engine
  // works it out per answer.
  std::vector<std::string> strings;
};

// Parses a truth.json text ({"schema_version": 1, "incident": ..., "facts": {...}}) and checks
// its facts against the schema. Errors start with `path`.
absl::StatusOr<Truth> ParseTruth(const std::string& path, absl::string_view text);
// Reads and parses the file.
absl::StatusOr<Truth> LoadTruth(const std::string& path);
// Every string value in `facts`, lowercased, sorted and unique (Truth::strings).
std::vector<std::string> TruthStrings(const nlohmann::json& facts);

// What a judge is asked.
struct JudgeRequest {
  std::string criterion_id;
  std::string rubric_text;  // The criterion's `judge` text.
  std::string question;     // The prompt as the agent saw it; may be empty.
  std::string answer;
};

// An LLM judge. Implementations must be thread-safe.
class Judge {
 public:
  virtual ~Judge() = default;
  // A grade in [0, 1], or an error (the criterion is then skipped with the error as its note).
  virtual absl::StatusOr<double> Grade(const JudgeRequest& request) const = 0;
  // Recorded with every score: the model name and a hash of the judge's prompt template.
  virtual std::string model() const = 0;
  virtual std::string prompt_hash() const = 0;
};

// One thing in the answer a criterion looked at.
struct Evidence {
  size_t begin = 0;  // Byte span in the answer.
  size_t end = 0;
  std::string text;  // The answer's bytes in the span (at most 160 bytes, cut at a boundary).
  std::string note;  // "claimed 3, truth 5", "negated", "invented id", "truth id", ...
};

struct CriterionResult {
  std::string id;
  std::string dimension;
  CriterionKind kind = CriterionKind::kTerms;
  double points = 0;  // The most it could earn (0 when skipped).
  double earned = 0;
  double penalty = 0;  // Lost.
  bool skipped = false;
  std::string note;  // Why: "met", "no match", "wrong number: claimed 3, truth 5", ...
  std::vector<Evidence> evidence;
};

struct DimensionResult {
  std::string name;
  double weight = 1;
  double earned = 0;
  double penalty = 0;
  double maximum = 0;
  double score = 0;      // clamp((earned - penalty) / maximum, 0, 1).
  bool skipped = false;  // Every criterion skipped: left out of the prompt score.
};

struct AnswerScore {
  double score = 0;                         // Weighted mean of the dimensions not skipped.
  std::vector<DimensionResult> dimensions;  // In rubric order.
  std::vector<CriterionResult> criteria;    // In rubric order.
};

struct ScoreOptions {
  const Judge* judge = nullptr;  // Not owned; nullptr skips judge criteria.
  std::string question;          // Passed to the judge.
};

class CompiledRubric {
 public:
  // Builds every pattern once. Fails only on a rubric ParseRubricFile would have rejected.
  static absl::StatusOr<std::unique_ptr<CompiledRubric>> Compile(const Rubric& rubric);
  ~CompiledRubric();

  const Rubric& rubric() const;
  bool has_judge_criteria() const;

  // Scores one answer. Any bytes are accepted (empty, invalid UTF-8, megabytes); time and
  // memory are linear in the answer's size. Facts missing from `truth` make their criteria
  // miss with a note saying so, never crash.
  AnswerScore Score(absl::string_view answer, const Truth& truth,
                    const ScoreOptions& options = {}) const;

 private:
  struct Impl;
  explicit CompiledRubric(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Rounds a score for display and for scores.json: 4 decimal places, so that results are
// byte-identical across runs and machines.
double RoundScore(double score);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_ENGINE_H_
