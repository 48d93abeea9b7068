// Agent configuration files (--agent FILE): a kind and its settings. Values may refer to the
// environment as ${NAME} ("$${" is a literal "${"); they are expanded when the file is loaded
// for a run, and every expanded value (of 4 bytes or more) of a variable whose name looks
// secret (…KEY, …TOKEN, …SECRET, …PASSWORD) or that is used in a header or api_key is
// remembered in `secrets`, so that Redact() can remove it from anything written (answers,
// errors, logs, reports).
//
//   kind: openai                     # http | openai | command
//   name: gpt-4o-mini baseline       # shown in reports (default: the file name without .yaml)
//   context: evidence                # none | evidence | tools (default: none; evidence for
//                                    # openai; tools: openai only, the built-in tool-calling loop)
//   expose: [incident, prompt_id]    # what requests name besides the question (default: nothing)
//   tools:                           # the tool-calling loop's bounds, per question
//     max_turns: 20                  # chat completions calls
//     max_calls: 40                  # tool calls
//     max_tokens: 0                  # prompt + completion tokens over the question; 0: no bound
//     time: 10m
//     max_output_bytes: 16384        # per tool result, cut with a visible marker
//   prices: {input: 0.15, output: 0.60}  # USD per million tokens: cost per answer and run
//   timeout: 60s                     # per call
//   retries: 3                       # extra attempts on connection errors, 429 and 5xx
//   max_answer_bytes: 262144
//   budget: 30m                      # all calls of a run together
//   openai:
//     base_url: https://api.openai.com/v1
//     model: gpt-4o-mini
//     api_key: ${OPENAI_API_KEY}
//     temperature: 0
//     max_tokens: 1024
//     headers: {api-key: "${AZURE_KEY}"}  # extra headers (quote ${...} inside {...})
//     query: {api-version: 2024-06-01}  # extra query parameters (Azure)
//     system: You are an SRE ...        # optional system prompt
//   http:
//     url: http://127.0.0.1:8080/ask
//     method: POST
//     headers: {Authorization: "Bearer ${AGENT_TOKEN}"}
//     body: {...}                    # JSON template; strings "{{message}}", "{{history}}",
//                                    # "{{incident}}", "{{prompt_id}}", "{{window}}",
//                                    # "{{cluster}}", "{{monitoring}}", "{{evidence}}"
//                                    # are replaced by values
//     answer: /answer                # JSON Pointer (RFC 6901) into the response; "" = raw body
//   command:
//     argv: [my-agent, --json]       # the request as JSON on stdin
//     answer: /answer                # JSON Pointer into stdout; "" = stdout as text
#ifndef SRE_EVAL_AGENT_CONFIG_H_
#define SRE_EVAL_AGENT_CONFIG_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "util/diagnostic.h"

namespace sre_eval {
namespace agent {

struct CallPolicy {
  absl::Duration timeout = absl::Seconds(60);  // per attempt
  int retries = 3;                             // extra attempts
  absl::Duration initial_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(20);
  size_t max_answer_bytes = size_t{256} << 10;
  absl::Duration budget = absl::Minutes(30);  // every call of a run together
};

// The built-in tool-calling loop's bounds per question (context: tools).
struct LoopLimits {
  int max_turns = 20;
  int max_calls = 40;
  int64_t max_tokens = 0;  // 0: no bound
  absl::Duration time = absl::Minutes(10);
  size_t max_output_bytes = size_t{16} << 10;
};

struct AgentConfig {
  std::string file;
  std::string kind;  // "http", "openai", "command", "reference"
  std::string name;
  std::string context_mode;  // "none", "evidence" or "tools"
  CallPolicy policy;
  LoopLimits loop;
  // USD per million prompt (input) and completion (output) tokens; negative when not given.
  double input_price = -1;
  double output_price = -1;
  // What the request names besides the question: the incident and the prompt id only when the
  // agent file asks for them (`expose`), so that an agent cannot look its answers up.
  bool expose_incident = false;
  bool expose_prompt_id = false;
  // http
  std::string url;
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;  // also openai's extra headers
  std::optional<nlohmann::json> body;                        // http body template
  std::string answer_pointer;                                // http and command
  // openai
  std::string base_url;
  std::string model;
  std::string api_key;
  double temperature = 0;
  int max_tokens = 1024;
  std::vector<std::pair<std::string, std::string>> query;
  std::string system;
  // command
  std::vector<std::string> argv;
  // Expanded values that must never be written anywhere.
  std::vector<std::string> secrets;
};

// Looks up an environment variable; nullopt when unset.
// The placeholders an http body template may hold ("{{message}}", ...): the loader accepts
// only these, and FillTemplate (http_agent.h) gives each its value.
const std::vector<std::string>& BodyPlaceholders();

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Loads and checks FILE. Problems go to `diags` as file:line:col messages (unknown keys with
// "did you mean", wrong types, a bad URL or JSON Pointer, ${NAME} unset: "environment variable
// OPENAI_API_KEY is not set (agents/openai.yaml uses it for openai.api_key)"). With
// `expand` false, ${NAME} references are checked for syntax only (for `validate --agent`).
absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path, const EnvLookup& env,
                                            bool expand, Diagnostics* diags);
// The same for an agent file's `text`, `path` naming it in messages.
absl::StatusOr<AgentConfig> ParseAgentConfig(const std::string& path, absl::string_view text,
                                             const EnvLookup& env, bool expand, Diagnostics* diags);

// The built-in reference agent's configuration.
AgentConfig ReferenceAgentConfig();

// `text` with every secret replaced by "[REDACTED]" (longest first).
std::string Redact(absl::string_view text, const std::vector<std::string>& secrets);

}  // namespace agent
}  // namespace sre_eval

#endif  // SRE_EVAL_AGENT_CONFIG_H_
