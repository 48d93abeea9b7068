// Agents: what sre-eval asks, what comes back, and the interface every kind implements
// (http, openai, command, and the built-in reference agent).
#ifndef SRE_EVAL_AGENT_AGENT_H_
#define SRE_EVAL_AGENT_AGENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sre_eval {
namespace agent {

// How an agent reaches the cluster the incident happened on (for the sim: its own
// kubeconfig in the run folder).
struct ClusterAccess {
  std::string kubeconfig;
  std::string context;
  std::string ns;
  // The monitoring APIs that show the cluster's history, or "" when there is none: on the
  // sim its own (".../prometheus", ".../loki"), on a real cluster what the user gave.
  std::string prometheus;
  std::string loki;
  std::string datadog;  // The base URL of a Datadog API ("https://api.datadoghq.eu").
  // A file the agent's own tools may append their calls to, one JSON line each (`sre-eval mcp
  // --audit FILE` writes them): collected into the run's audit.jsonl, attributed to the
  // question. "" when there is none.
  std::string audit_file;
  // Where kubectl keeps its discovery and HTTP caches for this access (KUBECACHEDIR), "" for
  // kubectl's own (~/.kube/cache): on the sim, the question's workspace folder, so that its
  // port leaves nothing behind.
  std::string kube_cache_dir;
};

// One earlier turn of the conversation a prompt continues.
struct Turn {
  std::string role;  // "user" or "assistant"
  std::string content;
};

struct AgentRequest {
  std::string incident;       // "crash"
  std::string prompt_id;      // "i1.why_crash"
  std::string message;        // the rendered prompt
  std::vector<Turn> history;  // earlier turns, oldest first (empty for a fresh conversation)
  std::string window_start;   // RFC 3339, the incident window
  std::string window_end;
  ClusterAccess cluster;
  std::string evidence;  // the evidence pack; empty unless the context mode is evidence
  int trial = 0;
  // An action task (incident/act.h): the agent may write, as `verbs` on `resources` in the
  // namespace, for `budget` of the cluster's time (`wall_limit` of the wall clock at most),
  // and says when it is done by answering. A zero budget: a question, read-only.
  struct Act {
    absl::Duration budget = absl::ZeroDuration();
    absl::Duration wall_limit = absl::ZeroDuration();
    std::vector<std::string> verbs;
    std::vector<std::string> resources;
  } act;
  bool acting() const { return act.budget > absl::ZeroDuration(); }
};

// Token usage when the endpoint reports it; -1 when it did not.
struct Usage {
  int64_t prompt_tokens = -1;
  int64_t completion_tokens = -1;
  int64_t total_tokens = -1;
};

// What a tool-calling agent did for one answer (the built-in loop, context: tools).
struct LoopStats {
  int turns = 0;            // chat completions calls
  int tool_calls = 0;       // tool calls run (answer excluded)
  int malformed_calls = 0;  // arguments not JSON, no such tool, arguments against the schema
  int failed_calls = 0;     // tool calls whose result was an error (malformed ones included)
  // How the question ended: "answer" (the answer tool), "message" (a reply with no tool call),
  // "turns", "calls", "tokens" or "time" (a bound reached first), "error" (the model's endpoint
  // failed).
  std::string stop;
};

struct AgentAnswer {
  std::string text;  // the answer; empty on error
  // Empty, or why the call failed, for people ("HTTP 500 after 4 attempts: ...",
  // "timed out after 60s", "no answer at /choices/0/message/content"). Never holds a secret.
  std::string error;
  int attempts = 0;
  int http_status = 0;                            // the last HTTP status; 0 when there was none
  absl::Duration latency = absl::ZeroDuration();  // from the first attempt to the answer
  absl::Time started = absl::InfinitePast();      // when the question was sent (set by run)
  Usage usage;
  bool truncated = false;  // the answer was cut at the configured cap (on a character)
  // Bytes the agent sent that are not UTF-8 (in its answer, its error body or its stderr)
  // were replaced by U+FFFD where they entered (util/utf8.h RepairUtf8). `text` and `error`
  // are always valid UTF-8.
  bool invalid_utf8 = false;
  // The answer stands on work done for another question (the reference agent investigates an
  // incident once, for all its answers): its latency is the wait for that work and the
  // composing.
  bool reused = false;
  bool looped = false;  // `loop` holds what the tool-calling loop did
  LoopStats loop;

  bool ok() const { return error.empty(); }
};

class Agent {
 public:
  virtual ~Agent() = default;
  // "http", "openai", "command" or "reference".
  virtual std::string kind() const = 0;
  // "none" (the agent investigates on its own), "evidence" (the request carries the
  // evidence pack) or "tools" (the built-in tool-calling loop investigates).
  virtual std::string context_mode() const = 0;
  // Thread-safe. Never throws: a failure is an answer with `error` set. The answer's text and
  // error are valid UTF-8.
  virtual AgentAnswer Ask(const AgentRequest& request) = 0;
};

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_AGENT_H_
