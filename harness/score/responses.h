// Reading a run's responses.jsonl: one JSON object per line, one per answer the agent gave.
//
//   {"schema_version": 1, "incident": "crash", "prompt_id": "i1.restarts", "trial": 1,
//    "prompt": "How many pod restarts occurred during the incident?",
//    "answer": "5 restarts, all in front-end.", "status": "ok", "latency_ms": 1234}
//
// Required: schema_version (the integer 1), incident, prompt_id (non-empty strings), trial
// (an integer >= 1), status ("ok", "error" or "timeout"), answer (a string; required when
// status is "ok", optional otherwise). Optional: prompt (a string: the prompt as sent),
// latency_ms (an integer >= 0), error (a non-empty string: required when status is not "ok",
// not allowed when it is), and what the call cost, recorded by the harness and not scored:
// agent (a non-empty string: the agent's name), attempts (an integer >= 1), http_status (an
// integer >= 0), truncated (a boolean: the answer was cut at the cap), repaired (an array of
// "invalid_utf8": bytes the agent sent that were not UTF-8 were replaced by U+FFFD), usage (an
// object of prompt_tokens, completion_tokens, total_tokens, integers >= 0), cost_usd (a number
// >= 0: the tokens at the agent file's prices), loop (what the built-in tool-calling loop did:
// turns, tool_calls, malformed_calls, failed_calls, integers >= 0, and stop, a string),
// started_at (when the question was sent, RFC 3339 in UTC with milliseconds). Any
// other key is an
// error, so a misspelt key never silently drops data. Blank lines are skipped.
#ifndef SRE_EVAL_SCORE_RESPONSES_H_
#define SRE_EVAL_SCORE_RESPONSES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "util/diagnostic.h"

namespace sre_eval {

enum class ResponseStatus { kOk, kError, kTimeout };

// "ok", "error", "timeout".
absl::string_view ResponseStatusName(ResponseStatus status);

struct Response {
  int line = 0;  // 1-based line in the file.
  std::string incident;
  std::string prompt_id;
  int64_t trial = 0;
  std::string prompt;  // "" when absent.
  std::string answer;  // "" when absent.
  ResponseStatus status = ResponseStatus::kOk;
  std::string error;  // Set exactly when status is not ok.
  std::optional<int64_t> latency_ms;
  std::optional<int64_t> attempts;
  std::optional<int64_t> http_status;
  absl::Time started_at = absl::InfinitePast();  // when absent
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  std::optional<double> cost_usd;
  std::optional<int64_t> turns;  // the tool-calling loop's, when it answered
  std::optional<int64_t> tool_calls;
  std::optional<int64_t> malformed_calls;
  std::optional<int64_t> failed_calls;
};

// Parses one line (without its newline) into `*out`, reusing its buffers. Returns false when
// the line is malformed, after adding every problem found to `problems` as
// `file`:`line_number`: message (with a column for a JSON syntax error).
bool ParseResponseLine(absl::string_view text, const std::string& file, int line_number,
                       Response* out, Diagnostics* problems);

// The longest line ReadResponses reads: room for the largest answer an agent file allows
// (max_answer_bytes up to 64 MiB) with its JSON escapes.
inline constexpr size_t kMaxResponseLineBytes = size_t{128} << 20;

// Reads `path` line by line, calling `on_response` for each well-formed line; the Response
// passed is reused between calls. Memory is bounded by the longest line, whatever the file's
// length. Malformed lines, and lines longer than `max_line_bytes` (not counting the newline;
// they are skipped unread), are added to `problems` as `display_path`:LINE[:COL]: message.
// Returns an error (the message starts with `display_path`) only when the file cannot be
// opened or read: NotFound; FailedPrecondition for a symlink loop, a directory or anything
// else that is not a regular file (a FIFO, a device, a socket; a symlink is followed), found
// without blocking and without reading it. `*lines` is then the count read so far.
absl::Status ReadResponses(const std::string& path, const std::string& display_path,
                           const std::function<void(const Response&)>& on_response,
                           Diagnostics* problems, int* lines,
                           size_t max_line_bytes = kMaxResponseLineBytes);

}  // namespace sre_eval

#endif  // SRE_EVAL_SCORE_RESPONSES_H_
