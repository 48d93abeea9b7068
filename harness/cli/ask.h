// Asking an agent the suite's questions about a recorded run: the body `run` builds on.
// For each incident with a truth in the run folder, every prompt of that incident is rendered
// from the truth's facts, asked (a prompt that `continues` another carries that conversation
// as history, so it waits for it), and its answer appended to RUN/responses.jsonl the moment
// it arrives (one flushed line, secrets redacted), so an interrupted run keeps every answer.
#ifndef SRE_EVAL_CLI_ASK_H_
#define SRE_EVAL_CLI_ASK_H_

#include <atomic>
#include <functional>
#include <iosfwd>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/agent.h"
#include "suite/suite.h"

namespace sre_eval {

struct AskOptions {
  std::string run_dir;                 // holds INCIDENT/truth.json (and timeline.jsonl)
  std::string responses_path;          // where answers go; "" means RUN_DIR/responses.jsonl
  const Suite* suite = nullptr;        // the prompts
  std::vector<std::string> incidents;  // empty: every incident of the suite with a truth
  int trials = 1;                      // each prompt asked this many times, independently
  int jobs = 4;                        // calls in flight at most
  std::string agent_name;              // written to every line as "agent"
  agent::ClusterAccess cluster;        // how the agent reaches the cluster
  std::vector<std::string> secrets;    // never written: replaced by [REDACTED]
  size_t evidence_budget = 24000;      // for agents in context mode "evidence"
  // USD per million prompt and completion tokens (negative: unknown): each answer with token
  // usage gets its "cost_usd".
  double input_price = -1;
  double output_price = -1;
  // (prompt id, trial) pairs already answered (a resumed run): not asked again.
  std::set<std::pair<std::string, int>> skip;
  // Called once per question before it is asked, to give it what is its own (on the sim: a
  // credential and a kubeconfig in the agent's workspace). An error leaves the request as is.
  std::function<absl::Status(agent::AgentRequest*)> prepare;
  // When > 0: questions not yet sent are not asked (and not written); those in flight finish.
  const std::atomic<int>* interrupts = nullptr;
  // Action tasks (prompts with `act`), one at a time after the questions: performs the task
  // with the request (rendered, prepared) and returns the agent's answer, written as any
  // other. Unset: action tasks are not asked ("needs a cluster").
  std::function<agent::AgentAnswer(const Prompt& prompt, const agent::AgentRequest& request)> act;
  bool act_tasks = false;  // false: action tasks are left out altogether
};

struct AskSummary {
  int asked = 0;    // answers written
  int errors = 0;   // of which error answers
  int skipped = 0;  // prompts not asked: no truth, a template that did not render, interrupted
  std::vector<std::string> problems;  // one line per skipped prompt
};

// Asks and writes; an agent failure is an error line, never a stop. Errors only when the run
// folder cannot be written.
absl::StatusOr<AskSummary> AskSuite(agent::Agent* agent, const AskOptions& options,
                                    std::ostream* progress);

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_ASK_H_
