// Comparing two scored runs of the same suite (`sre-eval compare BASE CANDIDATE`): answers are
// paired by (incident, prompt, trial), and every change of a mean score comes with a 95%
// paired bootstrap confidence interval. One neutral result (Comparison), rendered as Markdown
// or JSON.
//
// Statistics, all over paired answers only:
//   - a prompt's score (or dimension): base and candidate means over its pairs (for a
//     dimension, the pairs where neither answer skipped it); the change is candidate - base;
//     the interval resamples the prompt's pairs.
//   - overall (score or dimension): the mean over the prompts with pairs of their means (each
//     prompt counts once, as in RunScores::overall); the interval resamples the prompts, then
//     each drawn prompt's pairs (a two-stage bootstrap).
//   - intervals are percentile intervals of `resamples` resampled changes, rounded with
//     RoundScore; a change is a regression when its interval lies entirely below 0, an
//     improvement when entirely above, else no significant change (always so without pairs).
//     Each statistic draws from its own std::mt19937_64 seeded from the options' seed and the
//     statistic's name, so results are deterministic and do not depend on the other prompts.
#ifndef SRE_EVAL_SCORE_COMPARE_H_
#define SRE_EVAL_SCORE_COMPARE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "score/run_scores.h"

namespace sre_eval {

// What a run folder's run.json says about how the run was made. A field is nullopt (or
// empty) when run.json lacks it; a run folder without run.json gives has_run_json false.
struct RunProvenance {
  bool has_run_json = false;
  std::optional<std::string> suite_hash;   // "suite_hash"
  std::optional<std::string> environment;  // "environment"
  std::optional<int64_t> seed;             // "seed"
  // "rubric_versions": prompt id -> the version as compact JSON ("3", "\"abc\"").
  std::map<std::string, std::string> rubric_versions;
};

// Reads RUN_DIR/run.json. Fails with InvalidArgument ("RUN_DIR/run.json: ...") when it is not
// a JSON object or a field above has the wrong type, and FailedPrecondition when it exists
// but cannot be read.
absl::StatusOr<RunProvenance> ReadRunProvenance(const std::string& run_dir);

enum class Verdict { kNoSignificantChange, kRegression, kImprovement };

// "no significant change", "regression", "improvement".
const char* VerdictName(Verdict verdict);

struct Change {
  int pairs = 0;                    // Paired answers (overall: prompts) the means are over.
  std::optional<double> base;       // nullopt without pairs.
  std::optional<double> candidate;  // nullopt without pairs.
  std::optional<double> change;     // candidate - base, rounded; nullopt without pairs.
  double ci_low = 0;                // The interval of the change, rounded.
  double ci_high = 0;
  Verdict verdict = Verdict::kNoSignificantChange;
};

struct PromptComparison {
  std::string prompt_id;
  std::string incident;
  Change score;
  // The prompt's dimensions in rubric order (as the base run's answers list them).
  std::vector<std::pair<std::string, Change>> dimensions;
};

struct Comparison {
  std::string base_label;  // How the runs were named (the paths given).
  std::string candidate_label;
  // False when a warning says the runs differ in suite, rubrics, seed, environment or prompts.
  bool comparable = true;
  // In a fixed order: suite hash, rubric versions (by prompt id), seed, environment, prompts
  // only in base, prompts only in candidate; then notes that something could not be checked
  // (no run.json), to which the compare command appends its own (scores.json read instead of
  // re-scoring, lines of responses.jsonl not scored).
  std::vector<std::string> warnings;
  std::vector<std::string> prompts_only_in_base;  // Prompts with answers in one run only.
  std::vector<std::string> prompts_only_in_candidate;
  int paired = 0;         // Answers paired.
  int base_unpaired = 0;  // Answers of the base with no candidate answer, and the reverse.
  int candidate_unpaired = 0;
  // Prompts with answers in both runs: the base's order, then the candidate's.
  std::vector<PromptComparison> prompts;
  Change overall;  // `pairs` counts prompts.
  // Per dimension some compared prompt has, in AllDimensions() order.
  std::vector<std::pair<std::string, Change>> overall_dimensions;
  int resamples = 0;
  uint64_t seed = 0;

  // Whether any change (prompt or overall, score or dimension) is a regression.
  bool HasRegression() const;
  // Prompt ids with a regression (of the score or a dimension), in `prompts` order; likewise
  // for improvements.
  std::vector<std::string> RegressedPrompts() const;
  std::vector<std::string> ImprovedPrompts() const;
};

struct CompareOptions {
  uint64_t seed = 1;
  int resamples = 2000;
};

// Compares two runs scored by the same suite. Never fails.
Comparison CompareRuns(const RunScores& base, const RunProvenance& base_provenance,
                       const RunScores& candidate, const RunProvenance& candidate_provenance,
                       const CompareOptions& options = {});

// The Markdown report: the warnings first, a summary line, a table per prompt (score and its
// dimensions), then the overall table. Ends with a newline.
std::string CompareMarkdown(const Comparison& comparison);

// The JSON report (schema_version 1), keys in a fixed order, ending with a newline. The same
// Comparison always gives the same bytes.
std::string CompareJson(const Comparison& comparison);

inline constexpr int kCompareSchemaVersion = 1;

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_COMPARE_H_
