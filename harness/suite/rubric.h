// Rubric files: how one prompt's answers are scored, as a checklist per dimension.
//
//   prompt: i1.restarts
//   dimensions:
//     impact:
//       weight: 1                      # optional, default 1
//       criteria:
//         - id: restart_count
//           description: says how many restarts happened
//           points: 3
//           penalty: 2                 # a wrong number claimed costs this much
//           number: {fact: restarts.total, cues: [restart, restarted], tolerance: 0}
//         - id: frontend
//           description: names the front-end
//           points: 1
//           terms: {any: [front-end, frontend, [front end]]}
//
// A criterion has exactly one kind: terms, regex, number, ids, time, forbid or judge.
#ifndef SRE_EVAL_SUITE_RUBRIC_H_
#define SRE_EVAL_SUITE_RUBRIC_H_

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "suite/template.h"
#include "util/diagnostic.h"

namespace sre_eval {

enum class CriterionKind {
  kTerms,
  kRegex,
  kNumber,
  kIds,
  kTime,
  kForbid,
  kJudge,
  kOutcome,
  kGuard
};

// What an action task's `outcome` criteria may measure ("verify.checkout_error_rate"), with
// what each is; measured by the harness (incident/act.h), never read from the answer.
const std::map<std::string, std::string>& OutcomeMeasures();
// The guards against fake fixes a `guard` criterion may name, in report order.
const std::vector<std::string>& GuardNames();

// "terms", "regex", ...
absl::string_view CriterionKindName(CriterionKind kind);

// The units a number criterion accepts; the first, "", is a plain count.
const std::vector<std::string>& NumberUnits();

// Phrases that count as the same thing: any one of them matches the group.
using Synonyms = std::vector<std::string>;

struct Criterion {
  std::string id;
  std::string description;
  CriterionKind kind = CriterionKind::kTerms;
  double points = 0;   // Earned when the criterion is met.
  double penalty = 0;  // Lost on a wrong number, invented id, wrong time or forbidden claim.
  // The answer to the question itself, as against its supporting detail: a dimension with
  // core criteria gives half its score for them (see score/engine.h).
  bool core = false;
  int line = 0;  // Where the criterion stands in its file.
  int column = 0;

  // terms: met when any group of `any` matches (if given) and every group of `all` does.
  std::vector<Synonyms> any;
  std::vector<Synonyms> all;
  // terms: "yes" or "no", for a question asked as one: also met when the answer opens with
  // that reply ("No.", "No, ...", "**No** -"), not with the word in a sentence ("No pod ...").
  std::string reply;
  // regex: an RE2 pattern; case-insensitive unless it sets its own flags.
  std::string pattern;
  // number, time, ids: the fact compared with.
  FactRef fact;
  // number: other facts a claim may match instead ("also: [peak_usage[container=front-end].
  // cpu_pct_of_limit_median]": the sustained level beside the peak); those missing from a
  // truth are left out.
  std::vector<FactRef> also;
  // number: words near which a number counts as a claim about the fact. time: the event's
  // words; a time counts only in a sentence that names the event.
  std::vector<std::string> cues;
  // number: the largest accepted |claimed - truth|.
  double tolerance = 0;
  // number: the unit of the fact and of claims: "" (a plain count), "ms", "s", "percent",
  // "MiB" or "millicores". Claims in another unit of the same kind are converted.
  std::string unit;
  // time: the largest accepted distance from the truth time.
  absl::Duration time_tolerance = absl::ZeroDuration();
  // ids: the field of the list fact that holds the ids, and the RE2 shape of an id.
  // time: with a list fact, the field that holds the times.
  std::string field;
  std::string shape;
  // forbid: affirmative mentions of `claims`, or negated mentions of `denies`, cost the penalty.
  std::vector<Synonyms> claims;
  std::vector<Synonyms> denies;
  // judge: the rubric text given to an LLM judge.
  std::string judge;
  // outcome: the measure and its bounds (at least one set; NaN when not).
  std::string measure;
  double at_least = std::numeric_limits<double>::quiet_NaN();
  double at_most = std::numeric_limits<double>::quiet_NaN();
  // guard: the guard whose hits cost the penalty.
  std::string guard;
};

struct RubricDimension {
  std::string name;
  double weight = 1;
  std::vector<Criterion> criteria;
  int line = 0;  // Where the dimension's key stands in the file.
  int column = 0;
};

struct Rubric {
  std::string prompt_id;
  std::string file;
  int line = 0;
  int column = 0;
  int prompt_line = 0;  // Where the 'prompt' value stands, for messages about it.
  int prompt_column = 0;
  int dimensions_line = 0;  // Where the 'dimensions' key stands.
  int dimensions_column = 0;
  std::vector<RubricDimension> dimensions;  // In file order.

  const RubricDimension* FindDimension(absl::string_view name) const;
};

// Reads one rubric file. Every problem is added to `diags`: unknown keys, wrong types, no or
// several kinds in a criterion, duplicate criterion ids, unknown dimensions, regexes that do
// not compile (at the pattern's position, with RE2's reason), facts that are not declared or
// not of a type the kind can compare. The rubric is returned only when the file has no error.
std::optional<Rubric> ParseRubricFile(const std::string& path, absl::string_view text,
                                      Diagnostics* diags);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_RUBRIC_H_
