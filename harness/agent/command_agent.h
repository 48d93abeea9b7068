// The command agent: runs a program (an agent's CLI) with the request as JSON on stdin and
// takes the answer from its stdout: the text, or the string at a JSON Pointer when
// `answer` is set. Through the ProcessRunner, with the call policy's timeout and answer cap;
// a non-zero exit is an error answer carrying the last lines of stderr (redacted).
#ifndef SRE_EVAL_AGENT_COMMAND_AGENT_H_
#define SRE_EVAL_AGENT_COMMAND_AGENT_H_

#include "agent/agent.h"
#include "agent/config.h"
#include "nlohmann/json.hpp"
#include "util/clock.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {

// The request as the http and command agents send it by default:
// {"message", "history": [{"role","content"}], "incident", "prompt_id",
//  "window": {"start","end"}, "cluster": {"kubeconfig","context","namespace"},
//  "monitoring": {"prometheus","loki","datadog"} (only the APIs there are; no key when none),
//  "evidence" (only when not empty), "trial"}.
// "incident" and "prompt_id" only when the agent file exposes them (`expose`): a name to look
// an answer key up by is no part of an incident.
nlohmann::json DefaultRequestJson(const AgentRequest& request, bool expose_incident = false,
                                  bool expose_prompt_id = false);

// {"prometheus": URL, "loki": URL, "datadog": URL} with the APIs `cluster` has ({} when none).
nlohmann::json MonitoringJson(const ClusterAccess& cluster);

class CommandAgent final : public Agent {
 public:
  // `runner` and `clock` must outlive the agent.
  CommandAgent(AgentConfig config, ProcessRunner* runner, Clock* clock);
  std::string kind() const override { return "command"; }
  std::string context_mode() const override { return config_.context_mode; }
  AgentAnswer Ask(const AgentRequest& request) override;

 private:
  AgentConfig config_;
  ProcessRunner* runner_;
  Clock* clock_;
};

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_COMMAND_AGENT_H_
