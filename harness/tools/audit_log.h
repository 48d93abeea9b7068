// The audit trail of a run: RUN/audit.jsonl, one JSON line per tool call the agent under test
// made (the built-in loop's, and on the sim every API request made with the agent's own
// credentials), attributed to the question being asked:
//
//   {"time": RFC 3339 with ms, "incident", "prompt_id", "trial", "source": "tool" | "api",
//    "tool" (a tool's name, or "kubernetes"), "verb", "target" (tools) or "resource",
//    "namespace", "name", "query" (API requests), "status" ("ok", "error: ...",
//    "refused: ...", or the HTTP status of an API request), "bytes", "latency_ms"}
//
// Lines are appended as calls end (a resumed run appends to the same file), flushed one at a
// time, so an interrupted run keeps every call that finished.
#ifndef SRE_EVAL_TOOLS_AUDIT_LOG_H_
#define SRE_EVAL_TOOLS_AUDIT_LOG_H_

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "agent/agent.h"
#include "nlohmann/json.hpp"
#include "tools/tool_set.h"

namespace sre_eval {
namespace tools {

class AuditLog {
 public:
  AuditLog() = default;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  // Appends to `path` from now on (made with the first line; a folder that cannot be written
  // is an error now). Until then every Add is dropped.
  absl::Status Open(const std::string& path);
  // Strings that must never be written (replaced by [REDACTED]).
  void set_secrets(std::vector<std::string> secrets);

  // Thread-safe.
  void AddToolCall(const agent::AgentRequest& request, const AuditEntry& entry);
  void AddLine(const nlohmann::json& line);

 private:
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string path_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> secrets_;
};

// One call as `sre-eval mcp --audit` writes it: {time, tool, verb, target, status, bytes,
// latency_ms}.
nlohmann::json AuditEntryJson(const AuditEntry& entry);

// The line AddToolCall writes: AuditEntryJson with the question's incident, prompt_id, trial
// and "source": "tool".
nlohmann::json ToolCallLine(const agent::AgentRequest& request, const AuditEntry& entry);

// RFC 3339 in UTC with milliseconds: "2026-12-07T15:04:05.123Z".
std::string AuditTime(absl::Time t);

}  // namespace tools
}  // namespace sre_eval

#endif  // SRE_EVAL_TOOLS_AUDIT_LOG_H_
