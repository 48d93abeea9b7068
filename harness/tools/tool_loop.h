// The built-in agent loop for OpenAI-compatible models (agent files with `context: tools`):
// the model investigates the incident with the tool set (tool_set.h) by function calling and
// submits its answer with the `answer` tool. Each question:
//
//   messages = [system, history turns..., the question with the incident window and namespace]
//   repeat (one turn = one chat completions call, with "tools" and tool_choice "auto"):
//     the model's tool calls run one after another in the order given (several per turn
//     allowed); each result goes back as a "tool" message; `answer` ends the question
//     a message with no tool call ends the question too: its content is the answer
//   bounded by the agent file's `tools:` limits: turns, tool calls, tokens, time
//
// What differs between servers is read, not refused: arguments as a JSON string (OpenAI,
// Azure, vLLM, llama.cpp) or as an object (Ollama); tool calls without an id (some llama.cpp
// and Ollama versions: the loop numbers them); the legacy "function_call"; tool calls written
// into the content as Hermes-style <tool_call>{...}</tool_call> or after "[TOOL_CALLS]"
// (templates that the server did not parse). A call whose arguments are not JSON, that names
// no tool, or whose arguments break the schema gets the error as its tool result and is
// counted (LoopStats::malformed_calls); the loop goes on.
#ifndef SRE_EVAL_TOOLS_TOOL_LOOP_H_
#define SRE_EVAL_TOOLS_TOOL_LOOP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/retry.h"
#include "nlohmann/json.hpp"
#include "tools/tool_set.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace tools {

// One tool call the model asked for, as read from whichever format its server used.
struct ModelToolCall {
  std::string id;
  std::string name;
  nlohmann::json arguments;     // the parsed object; null when `arguments_error` is set
  std::string raw_arguments;    // as sent (a JSON string), for the assistant message
  std::string arguments_error;  // "" or why the arguments could not be read
};

// The tool calls in a chat completions `message` (see above), ids filled in as
// "call_<turn>_<index>" where the server gave none. Calls found in the content make the content
// no answer: the caller sees calls.
std::vector<ModelToolCall> ReadToolCalls(const nlohmann::json& message, int turn);

// The `answer` tool's specification.
ToolSpec AnswerToolSpec();

// Called for each tool call of a question, with that question's request.
using QuestionAuditSink =
    std::function<void(const agent::AgentRequest& request, const AuditEntry& entry)>;

class ToolLoopAgent final : public agent::Agent {
 public:
  // `http` (for the model and the monitoring APIs), `runner` (kubectl) and `clock` must outlive
  // the agent. `seed` seeds the retry jitter. `audit` may be empty.
  ToolLoopAgent(agent::AgentConfig config, HttpClient* http, ProcessRunner* runner, Clock* clock,
                uint64_t seed, QuestionAuditSink audit, std::string kubectl = "kubectl");
  std::string kind() const override { return "openai"; }
  std::string context_mode() const override { return "tools"; }
  // Thread-safe: questions may be asked concurrently.
  agent::AgentAnswer Ask(const agent::AgentRequest& request) override;

 private:
  const agent::AgentConfig config_;
  HttpClient* http_;
  ProcessRunner* runner_;
  Clock* clock_;
  uint64_t seed_;
  QuestionAuditSink audit_;
  std::string kubectl_;
  agent::RunBudget budget_;
};

}  // namespace tools
}  // namespace sre_eval

#endif  // SRE_EVAL_TOOLS_TOOL_LOOP_H_
