// The agent under test's own place, apart from the answer key: a workspace folder outside the
// run folder (the run folder holds truth.json, the timeline, the rubrics' scores), and on the
// sim a credential per question, so that everything the agent does is attributed to the
// question it was answering and it may only read.
//
//   $TMPDIR/sre-eval-agent-XXXXXX/q<N>/kubeconfig   one per question (sim), for a port of the
//                                                  sim's that is that question's alone
//   $TMPDIR/sre-eval-agent-XXXXXX/q<N>/tools.jsonl  where the agent's own tools record their
//                                                  calls (SRE_EVAL_AUDIT_FILE; any cluster)
//
// The folder is removed when the workspace is destroyed.
#ifndef SRE_EVAL_CLI_AGENT_WORKSPACE_H_
#define SRE_EVAL_CLI_AGENT_WORKSPACE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/agent.h"
#include "nlohmann/json.hpp"
#include "tools/audit_log.h"
#include "util/http_client.h"

namespace sre_eval {

class AgentWorkspace {
 public:
  // Makes the folder (mode 0700) under $TMPDIR, or /tmp.
  static absl::StatusOr<std::unique_ptr<AgentWorkspace>> Create();
  ~AgentWorkspace();
  AgentWorkspace(const AgentWorkspace&) = delete;
  AgentWorkspace& operator=(const AgentWorkspace&) = delete;

  const std::string& dir() const { return dir_; }

  // The sim serves at `base_url`; `control_token` is the harness's. `http` must outlive this.
  void set_sim(std::string base_url, std::string control_token, HttpClient* http);
  bool on_sim() const { return !base_url_.empty(); }

  // Gives `request` a folder of its own with a file for its tools' records (audit_file), and
  // on the sim its own credential: a port of its own (read-only, audited; see
  // sim::ApiServer::OpenAgentPort), a kubeconfig for it, and the monitoring APIs on it.
  // Thread-safe.
  // An action task's request (request->acting()) gets writes scoped to its namespace and its
  // act verbs and resources.
  absl::Status Prepare(agent::AgentRequest* request);

  // Takes the questions' tools.jsonl files ("source": "tool"), and on the sim closes their
  // ports and takes what the sim recorded of their requests ("source": "api"); appends it all
  // to `audit`, each line attributed to its question. Returns how many lines were written.
  // `lines`, when given, receives every line written.
  absl::StatusOr<int> Collect(tools::AuditLog* audit, std::vector<nlohmann::json>* lines = nullptr);

 private:
  explicit AgentWorkspace(std::string dir) : dir_(std::move(dir)) {}
  // Each question's tools.jsonl (its tools' own records), attributed, then removed.
  int CollectToolFiles(tools::AuditLog* audit, std::vector<nlohmann::json>* lines);

  struct Question {
    std::string incident;
    std::string prompt_id;
    int trial = 0;
  };

  std::string dir_;
  std::string base_url_;
  std::string control_token_;
  HttpClient* http_ = nullptr;
  absl::Mutex mu_;
  int next_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Question> labels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sre_eval

#endif  // SRE_EVAL_CLI_AGENT_WORKSPACE_H_
