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
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "suite/template.h"
#include "util/diagnostic.h"

namespace sre_eval {

// The scoring dimensions a prompt can name, in report order.
const std::vector<std::string>& AllDimensions();

// An action task (a prompt with `act:`): while the incident runs on, the agent gets writes
// scoped to the incident's namespace and `allow`, for `budget` of the cluster's time, and the
// harness measures what the cluster and the load's users then show (incident/act.h).
//
//   act:
//     budget: 10m                       # the cluster's time the agent has (default 10m)
//     allow:                            # the writes its credential may make
//       verbs: [patch, update]
//       resources: [deployments, deployments/scale]
//     may_change:                       # the fields a fix may change, by Kind/name (globs);
//       Deployment/payment: [spec.replicas]   # "*" also lets it create and delete the object
//     ready: [payment]                  # deployments that must serve through verification
//     restart: [payment]                # restarted (rollout restart) to see that the fix holds
//     latency_ms: 1000                  # optional: the mean response time that counts as
//                                       # mitigated, window by window (time to mitigate)
//     keep: [failed_orders]             # optional: data the fix must leave as it was (the
//                                       # orders in PAYMENT_FAILED status, read before and after)
struct ActTask {
  bool defined = false;
  absl::Duration budget = absl::Minutes(10);
  std::vector<std::string> verbs;
  std::vector<std::string> resources;
  std::vector<std::pair<std::string, std::vector<std::string>>> may_change;
  std::vector<std::string> ready;
  std::vector<std::string> restart;
  double latency_ms = 0;  // 0: none
  bool keep_failed_orders = false;
};

struct Prompt {
  std::string id;
  std::string incident;  // The incident whose truth fills the template.
  std::string text;      // As written, with its {{references}}.
  Template tmpl;
  std::vector<std::string> dimensions;
  // The prompt this one follows in a conversation, or "".
  std::string continues;
  std::string note;
  ActTask act;
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
