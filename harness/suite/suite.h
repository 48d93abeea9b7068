// A suite: the folder that holds prompts/ (and, as later layers land, incidents/ and rubrics/).
#ifndef SRE_EVAL_SUITE_SUITE_H_
#define SRE_EVAL_SUITE_SUITE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "suite/prompt.h"
#include "suite/rubric.h"
#include "util/diagnostic.h"

namespace sre_eval {

// Suite files larger than this are rejected unread.
inline constexpr size_t kMaxSuiteFileBytes = size_t{1} << 20;

struct Suite {
  std::string root;
  std::vector<PromptFile> prompt_files;  // In file name order.
  std::vector<Rubric> rubrics;           // rubrics/*.yaml that parsed, in file name order.

  // The prompt with this id, or nullptr.
  const Prompt* FindPrompt(const std::string& id) const;
  size_t prompt_count() const;
  // The rubric for this prompt id, or nullptr.
  const Rubric* FindRubric(const std::string& prompt_id) const;
  // Every prompt, in file order then order within the file.
  std::vector<const Prompt*> AllPrompts() const;
};

// Loads every prompts/*.yaml (and *.yml) below `root` in name order and checks them, alone and
// together: duplicate prompt ids across files, 'continues' naming an unknown prompt or making
// a cycle. Paths in diagnostics are `root`/prompts/NAME, with a root of "." left out.
// Everything found is added to `diags`; the returned suite holds the prompts that parsed.
Suite LoadSuite(const std::string& root, Diagnostics* diags);

// `root` joined with `relative` for display: "prompts/a.yaml" when root is ".".
std::string SuitePath(const std::string& root, const std::string& relative);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_SUITE_H_
