// Prompt files: the guide's questions for one incident, as templates over ground truth.
//
//   incident: crash
//   prompts:
//     - id: i1.why_crash
//       text: "Why did the application crash at {{window.start|clock12}}?"
//       dimensions: [diagnosis]
//     - id: i2.same_as_crash          # in another file
//       continues: i1.why_crash       # asked in the same conversation, after that prompt
#ifndef SRE_EVAL_SUITE_PROMPT_H_
#define SRE_EVAL_SUITE_PROMPT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "suite/template.h"
#include "util/diagnostic.h"

namespace sre_eval {

// The scoring dimensions a prompt can name, in report order.
const std::vector<std::string>& AllDimensions();

struct Prompt {
  std::string id;
  std::string incident;  // The incident whose truth fills the template.
  std::string text;      // As written, with its {{references}}.
  Template tmpl;
  std::vector<std::string> dimensions;
  // The prompt this one follows in a conversation, or "".
  std::string continues;
  std::string note;
  // Where it is defined, for messages: display path, 1-based line and column of its mapping.
  std::string file;
  int line = 0;
  int column = 0;
  int continues_line = 0;  // Where 'continues' stands, for messages about it.
  int continues_column = 0;
};

struct PromptFile {
  std::string path;  // As shown in messages.
  std::string incident;
  std::string description;
  std::vector<Prompt> prompts;
};

// Reads one prompt file from `text`. Problems are added to `diags` (all of them, not only
// the first); prompts that are themselves well-formed are returned even when others are not.
PromptFile ParsePromptFile(const std::string& path, absl::string_view text, Diagnostics* diags);

}  // namespace sre_eval

#endif  // SRE_EVAL_SUITE_PROMPT_H_
