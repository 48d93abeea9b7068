// The scoring engine: one answer, one rubric, one ground truth -> a score that explains itself.
//
// A rubric is compiled once (CompiledRubric::Compile) and then scores any number of answers,
// from any number of threads: Score() is const and keeps no state between calls.
//
// How each criterion kind reads an answer (all matching is case-insensitive). The engine reads
// claims, not windows of words: a mention counts only when it is affirmative (not negated,
// not hedged), a number only when it is bound to what it describes.
//
//   terms   A phrase matches whole words; spaces and hyphens in it match any run of white
//           space or hyphens ("front end" matches "front-end"), and a hyphenated phrase also
//           matches its words run together ("front-end": "frontend"). A phrase ending in '*'
//           matches any word that starts with it ("restart*": restart, restarts, restarted). Only
//           an affirmative mention counts (see Negation and Hedges). Met when some group of `any`
//           matches (if `any` is given); earns points x the share of `all` groups that match
//           together with it: in one place, three sentences (table rows, bullets) in a row. Terms
//           scattered over the answer ("key" here, "idempotent" three paragraphs on) are no claim.
//   regex   RE2, case-insensitive; met on any match.
//   number  Numbers: digits ("1,000", "4.1", "300m", "65%", "$22.99"), number words ("five",
//           "sixty-seven", "seven hundred and fifty", "a hundred", "once", "twice"), and "no" or
//           "none" right before a cue (zero). A number is a claim about the criterion's fact when
//           it is bound to one of its cues:
//             - a cue within 3 words of it in its sentence, with no parenthesis between them
//               ("p95 was 2.6 s (baseline 150 ms)": 2.6 s is not the baseline);
//             - a cue in the header of its table column ("RESTARTS" above "4" in kubectl output,
//               "| Orders |" in Markdown), or in the first cell of its Markdown table row;
//             - the question: a bare number opening the answer to "how many X?" (or "number of
//               X") is a claim about X when a cue names X in the question;
//             - a denied cue claims zero: "no pods restarted", "nothing is restarting", "never
//               restarted" (for counts, criteria without a unit).
//           A number followed by a noun counts that noun ("3000 users", "750-user test"): it is
//           a claim only for a cue among the words up to the noun ("4 container restarts"), and
//           never a quantity in a unit. A number with a unit ("10 minutes", "300m", "1000Mi",
//           "65%") is a claim only when the unit agrees with the criterion's `unit` (none: a
//           plain count). Ranges ("3-5", "3 to 5", "between 3 and 5", "3 or 4") and bounds ("up
//           to", "at least", "more than", "above", "5 or more", "67+") commit to no value: a
//           range counts as right only when both ends are within `tolerance`, as wrong when the
//           truth is outside it, and otherwise earns nothing and costs nothing; a bound earns
//           and costs nothing. Met when some claim is within `tolerance` of the truth: full
//           points. Claims but none right: the penalty.
//   ids     Every token matching `shape` is an id mentioned. recall = truth ids mentioned /
//           truth ids; precision = truth ids mentioned / ids mentioned. Earns points x recall
//           and loses penalty x (1 - precision): an invented id costs points.
//   time    Times mentioned: ISO 8601 ("2026-11-24T10:23:05Z"), "10:23", "10:23:05", each
//           optionally followed by "UTC", "Z", an offset or am/pm. A time with no date is compared
//           by time of day. Met when one is within `tolerance` of a truth time (the fact, or every
//           element's field for a list fact): full points. Times but none near: the penalty.
//           With `cues` (the event's words), only times in a sentence that names the event
//           count ("the first order failed at 10:14:53", not "payment scaled down at 10:14:20"
//           for the order's time). A time the question gives, at the question's precision
//           ("at 10:00 AM UTC" -> "10:00 UTC"), is no finding: it counts only tied to the
//           event by a cue. A "-" between two clock times is a range, not a zone offset.
//   forbid  Costs the penalty when a `claims` phrase is mentioned affirmatively (hedged or not),
//           or a `denies` phrase is mentioned negated ("no pods restarted" denies restarts).
//           The claim that makes it is false as a whole: no terms criterion earns from the
//           rest of its sentence ("the payment pod was OOMKilled" names the payment pod in a
//           false claim), up to a clause that "but", "however", "although" or ", and",
//           ", while", ", whereas" start ("payment was down, and DNS was fine").
//   (any)   An answer whose first sentence declines ("I can't determine that", "I don't
//           have access to the cluster", "I'd rather not speculate") and that states no core
//           finding is a refusal: no criterion earns from the advice it goes on to give.
//   judge   Asks the configured Judge; earns points x its grade in [0, 1]. With no judge the
//           criterion is skipped: it counts toward neither earned points nor the maximum.
//
// Negation: a mention is negated when one of no, not, never, none, without, zero, nor,
// neither, nothing, "n't" words (didn't, wasn't, ...), "rather than", "instead of", "ruled
// out" stands in the 4 words before it within its clause ("no other pod" is scoped, not
// negated), or not/never/"n't" stands in the 3 words after it ("memory was not the cause").
// A negation reaches across "or"/"nor" to coordinated words ("no need to raise the limits or
// to add an autoscaler" denies the autoscaler). A restriction is no denial: "no failed orders
// outside that window", "no pod other than the front-end". The items of a list headed "Ruled
// out:", "Not the cause:", "Excluded:" (their labels, before a colon or parenthesis) are
// negated. A clause ends at . ! ? ; : , ( ) a new line, "but" or "however".
//
// Hedges: outside the remediation dimension (where "you could add replicas" proposes) a
// mention is no claim when hedged: a hedge word (may, might, possibly, perhaps, maybe,
// potentially, seems, appears, suggests, candidate, "could be", "could have") stands up to 12
// words before it in its sentence with no "but"/"however"/"although" between, or up to 6
// words after it in its clause ("the front-end is a strong candidate"); or the sentence takes
// it back ("unlikely but cannot be ruled out", "it will crash or not"). A `terms` criterion
// met only by hedged mentions earns a quarter of its points (naming a possibility is more than
// never naming it, far less than finding it); numbers, times and ids hedged earn nothing, and
// a hedged forbidden phrase costs nothing.
//
// Lists: a `core` terms criterion whose phrases appear only in a long enumeration of
// candidates (five or more comma-separated items of at most four words each: "CPU
// throttling, CFS quota, slow queries, GC, I/O wait"), or only in the bullets under a lead-in
// that speaks of possibilities and ends with a colon ("Slowness is usually caused by one of
// the following:"), earns three quarters of its points: naming a cause among many is not
// stating it. A forbidden phrase named there costs nothing.
//
// Replies: a `terms` criterion with `reply: no` (or `yes`) is also met when the answer opens
// with that reply to a yes/no question ("No.", "No, ...", "**No** - ..."), not with the word
// as a determiner ("No pod restarted").
//
// Scores: a dimension's score is share - penalties / maximum, clamped to [0, 1], where the
// maximum is the sum of the points of its criteria that were not skipped and share is
// earned / maximum. A dimension with `core` criteria (the answer to the question itself, as
// against its supporting detail) gives half of its score for them:
//   share = 0.5 x core earned / core maximum x (0.5 + 0.5 x trust) + 0.5 x earned / maximum
// where trust is the share of the facts checked in the dimension (number, time and ids
// criteria that made a claim, and forbidden claims, each counted as a wrong fact) that were
// right: a finding stated beside wrong facts is trusted less. A wrong number, time or id
// costs half its penalty (it costs trust as well), but wrong facts together leave at least
// half of what the dimension earned otherwise (a story told right with a wrong number is
// worth more than no story), unless the wrong number is a zero against a truth that is not
// ("no orders failed": a denial, noted "denied: claimed 0, truth 67"); a forbidden claim costs its
// whole penalty, within its own dimension. A prompt's score is the weighted mean of its dimensions'
// scores; a dimension whose criteria were all skipped is left out of the mean.
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
  // The prompt as the agent saw it: context for the engine (a bare number answering "how
  // many X?") and passed to the judge.
  std::string question;
  // An action task's outcome (its outcome.json, incident/act.h) for outcome and guard
  // criteria; nullptr when none was measured (they are then not met).
  const nlohmann::json* outcome = nullptr;
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
