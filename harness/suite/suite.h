// A suite: the folder that holds prompts/ and rubrics/ (and, as later layers land, incidents/).
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

// Loads every prompts/*.yaml (and *.yml) and every rubrics/*.yaml below `root`, each folder
// in name order, and checks them, alone and together: duplicate prompt ids across files,
// 'continues' naming an unknown prompt or making a cycle, a rubric for an unknown prompt, two
// rubrics for one prompt, a prompt with no rubric, and a rubric whose dimensions differ from
// its prompt's. A check between prompts and rubrics that a broken file could have caused is
// left out while that file is broken: unknown prompts while a prompt file has an error,
// prompts with no rubric while a rubric file has one. Paths in diagnostics are
// `root`/prompts/NAME and `root`/rubrics/NAME, with a root of "." left out.
// Everything found is added to `diags`; the returned suite holds the prompts and rubrics that
// parsed.
Suite LoadSuite(const std::string& root, Diagnostics* diags);

// The names of the YAML files (*.yaml, *.yml, not hidden) directly in `dir`, sorted; sets
// `error` ("no such directory", ...) when it cannot be listed.
std::vector<std::string> ListYamlFiles(const std::string& dir, std::string* error);

// `root` joined with `relative` for display: "prompts/a.yaml" when root is ".".
std::string SuitePath(const std::string& root, const std::string& relative);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_SUITE_H_
