// Graded example answers (fixtures/graded/*.yaml): answers to one prompt with an expert's
// grade per dimension, used to measure how well a rubric ranks answers (score/calibrate.h).
//
//   prompt: i1.why_crash            # a prompt id of the suite
//   truth: ../truths/crash.json     # relative to this file
//   answers:
//     - id: excellent               # unique within the file
//       kind: excellent             # one of GradedKinds()
//       grades: {diagnosis: 0.96}   # exactly the prompt's dimensions, each in [0, 1]
//       text: |
//         ...
#ifndef SRE_EVAL_SCORE_GRADED_H_
#define SRE_EVAL_SCORE_GRADED_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "suite/suite.h"
#include "util/diagnostic.h"

namespace sre_eval {

// excellent, terse, wrong_cause, wrong_numbers, keyword_stuffed, boilerplate, refusal,
// confidently_wrong.
const std::vector<std::string>& GradedKinds();

struct Grade {
  std::string dimension;
  double value = 0;
  int line = 0;  // Of the dimension's key.
  int column = 0;
};

struct GradedAnswer {
  std::string id;
  std::string kind;
  std::vector<Grade> grades;  // In file order.
  std::string text;
  int line = 0;  // Of the answer's mapping.
  int column = 0;
  int grades_line = 0;  // Of the 'grades' value.
  int grades_column = 0;
};

struct GradedFile {
  std::string path;  // As given; messages use it.
  std::string prompt_id;
  int prompt_line = 0;
  int prompt_column = 0;
  std::string truth;       // As written in the file.
  std::string truth_path;  // Resolved against the file's folder.
  int truth_line = 0;
  int truth_column = 0;
  std::vector<GradedAnswer> answers;
};

// Reads one graded file. Problems are added to `diags` at their line and column: YAML
// errors, unknown or missing keys, wrong types, duplicate answer ids, unknown kinds (with a
// suggestion), grades outside [0, 1]. Returns the file only when it has no problem.
std::optional<GradedFile> ParseGradedFile(const std::string& path, absl::string_view text,
                                          Diagnostics* diags);

// Reads and parses `path`.
std::optional<GradedFile> LoadGradedFile(const std::string& path, Diagnostics* diags);

// Checks a parsed file against the suite: the prompt exists (with a suggestion) and has a
// rubric, and every answer grades exactly the prompt's dimensions. Adds problems to `diags`.
void CheckGradedFile(const GradedFile& file, const Suite& suite, Diagnostics* diags);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_GRADED_H_
