// The tools an agent investigates with, defined once for every way an agent reaches them (the
// MCP server today; the built-in tool-calling loop next): each with a name, a description and
// a JSON Schema for its arguments, read-only, its arguments validated into an argv or a URL
// (never a shell), its output cut to a byte budget with a visible marker.
//
//   kubectl              a read-only kubectl command (get, describe, logs, top, events,
//                        explain, api-resources, api-versions, version), as kubectl prints it
//   http_get             GET a path of a Sock Shop service through the API server's services
//                        proxy (the orders API, catalogue, the front-end)
//   prometheus_query     PromQL at one time           } when the environment has a
//   prometheus_query_range  PromQL over a time range  } Prometheus
//   loki_query_range     LogQL over a time range        when it has a Loki
//   datadog_logs_search  Datadog's Logs Search          } when it has a Datadog API
//   datadog_metrics_query  a Datadog metrics query      }
//
// Every call is reported to an optional AuditSink (what, with what, status, bytes, latency).
// Thread-safe: calls may run concurrently.
#ifndef SRE_EVAL_TOOLS_TOOL_SET_H_
#define SRE_EVAL_TOOLS_TOOL_SET_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/agent.h"
#include "nlohmann/json.hpp"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace tools {

struct ToolSpec {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;  // JSON Schema (draft 2020-12 subset: object, properties, ...)
};

struct ToolResult {
  std::string text;       // What the agent reads (cut to the budget, with the marker).
  bool is_error = false;  // The call failed: `text` says why (bad arguments, exit status).
  bool truncated = false;
  int64_t bytes = 0;  // The output's size before the cut.
  // The call named no tool offered here, or its arguments broke the tool's schema.
  bool bad_call = false;
};

// One call as the audit trail keeps it.
struct AuditEntry {
  absl::Time time;     // When the call started.
  std::string tool;    // "kubectl", "prometheus_query", ...
  std::string verb;    // "get", "query", "GET", ...
  std::string target;  // What was read: "pods", "services/orders/proxy/orders", a query
  std::string status;  // "ok", "error: ...", "refused: ..."
  int64_t bytes = 0;
  absl::Duration latency;
};
using AuditSink = std::function<void(const AuditEntry&)>;

struct ToolEnv {
  agent::ClusterAccess cluster;  // kubeconfig, context, namespace and the monitoring URLs
  std::string kubectl = "kubectl";
  ProcessRunner* runner = nullptr;  // not owned; required for kubectl and http_get
  HttpClient* http = nullptr;       // not owned; required for the monitoring tools
  size_t max_output_bytes = 32 << 10;
  absl::Duration timeout = absl::Seconds(30);
  AuditSink audit;  // may be empty
  // An action task (AgentRequest::acting): the kubectl tool also offers the commands that fix
  // a deployment (CheckKubectlArgs); the task's credential decides what is allowed.
  bool act = false;
};

class ToolSet {
 public:
  explicit ToolSet(ToolEnv env);

  // The tools this environment offers, in a fixed order.
  const std::vector<ToolSpec>& specs() const { return specs_; }
  bool Has(const std::string& name) const;

  // Runs `name` with `args` (a JSON object). Unknown tools and arguments that break the schema
  // are errors in the result, never exceptions; the audit sees every call.
  ToolResult Call(const std::string& name, const nlohmann::json& args) const;

 private:
  ToolResult Kubectl(const nlohmann::json& args, AuditEntry* audit) const;
  ToolResult HttpGet(const nlohmann::json& args, AuditEntry* audit) const;
  ToolResult Monitoring(const std::string& name, const nlohmann::json& args,
                        AuditEntry* audit) const;
  ToolResult RunKubectl(std::vector<std::string> args, AuditEntry* audit) const;
  ToolResult Cut(std::string text, bool is_error) const;

  ToolEnv env_;
  std::vector<ToolSpec> specs_;
};

// The verdict on a kubectl argument list an agent asks for: "" when it may run, else why not
// ("kubectl exec is not a read-only command", "--kubeconfig is set by sre-eval").
// With `act`, also scale, set (resources, env, image), autoscale, rollout (restart, status,
// undo, history) and patch.
std::string CheckKubectlArgs(const std::vector<std::string>& args, bool act = false);

}  // namespace tools
}  // namespace sre_eval

#endif  // SRE_EVAL_TOOLS_TOOL_SET_H_
