// The LLM judge: grades `judge` criteria through any OpenAI-compatible chat completions
// endpoint (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM).
//
// One criterion, one request: POST {base_url}/chat/completions with the model, temperature 0,
// a fixed system prompt (kJudgeSystemPrompt) and a user message holding the criterion's
// rubric text, the question and the answer (JudgeUserMessage). The reply's
// choices[0].message.content must hold a JSON object {"score": number in [0, 1], "reason":
// "..."}, bare or inside a ``` code fence.
//
// Configuration comes from the environment:
//   SRE_EVAL_JUDGE_URL      the base URL, e.g. http://127.0.0.1:8000/v1
//   SRE_EVAL_JUDGE_MODEL    the model name
//   SRE_EVAL_JUDGE_API_KEY  optional; sent as "Authorization: Bearer KEY"
// The key never appears in an error message or a result.
#ifndef SRE_EVAL_SCORE_JUDGE_H_
#define SRE_EVAL_SCORE_JUDGE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "score/engine.h"
#include "util/http_client.h"

namespace sre_eval {

struct JudgeConfig {
  std::string base_url;  // "/chat/completions" is appended (after any trailing '/').
  std::string model;
  std::string api_key;  // "" sends no Authorization header.
  absl::Duration timeout = absl::Seconds(120);
};

// The judge's instructions, sent as the system message of every request.
extern const char kJudgeSystemPrompt[];

// The user message for `request`.
std::string JudgeUserMessage(const JudgeRequest& request);

// SHA-256 (lower-case hex) of the system prompt and the user message template: recorded with
// every score, so that a change to the judge's prompt shows in the results.
std::string JudgePromptHash();

// SHA-256 of `data` in lower-case hex.
std::string Sha256Hex(absl::string_view data);

// Reads the grade from a chat completions response body. Errors (InvalidArgument,
// OutOfRange) say what was wrong: not JSON, no choices[0].message.content, no JSON object in
// it, no numeric "score", a score outside [0, 1].
absl::StatusOr<double> ParseJudgeReply(absl::string_view body);

// Thread-safe when `http` is (every HttpClient is).
class OpenAiJudge final : public Judge {
 public:
  // `http` is not owned and must outlive the judge.
  OpenAiJudge(JudgeConfig config, HttpClient* http);

  // Errors: the HttpClient's (Unavailable, DeadlineExceeded, ...), Unavailable for HTTP 429
  // and 5xx, FailedPrecondition for other non-2xx statuses, and ParseJudgeReply's. Messages
  // start with "judge: " and never hold the API key.
  absl::StatusOr<double> Grade(const JudgeRequest& request) const override;
  std::string model() const override { return config_.model; }
  std::string prompt_hash() const override { return JudgePromptHash(); }

  // The request Grade sends (for tests and for logging without the key).
  HttpRequest BuildRequest(const JudgeRequest& request) const;

 private:
  std::string Redact(std::string message) const;

  JudgeConfig config_;
  HttpClient* http_;
};

// Looks up an environment variable; nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;
// The process environment.
EnvLookup ProcessEnv();

// The judge configuration from SRE_EVAL_JUDGE_*: nullopt when neither the URL nor the model
// is set (an empty value counts as unset); InvalidArgument when only one of them is, or the
// URL is not http:// or https://.
absl::StatusOr<std::optional<JudgeConfig>> JudgeConfigFromEnv(const EnvLookup& env);

// The configured judge, or nullptr when none is configured. `http` must outlive it.
absl::StatusOr<std::unique_ptr<Judge>> JudgeFromEnvironment(HttpClient* http, const EnvLookup& env);

// The line `score` and `calibrate` print about the judge: "judge: MODEL (prompt sha256 ...)"
// when one is used; when none is and `judge_criteria` > 0, "judge: not configured (set
// SRE_EVAL_JUDGE_URL and SRE_EVAL_JUDGE_MODEL); N judge criteria skipped"; else "".
std::string JudgeStatusLine(const Judge* judge, int judge_criteria);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_JUDGE_H_
