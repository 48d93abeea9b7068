#include "score/responses.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "util/edit_distance.h"
#include "util/file_util.h"
#include "util/json_parse.h"
#include "util/unique_fd.h"

namespace sre_eval {

absl::string_view ResponseStatusName(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::kOk:
      return "ok";
    case ResponseStatus::kError:
      return "error";
    case ResponseStatus::kTimeout:
      return "timeout";
  }
  return "?";
}

namespace {

const std::vector<std::string>& KnownKeys() {
  static const std::vector<std::string>* keys = new std::vector<std::string>{
      "schema_version", "incident", "prompt_id",  "trial",    "prompt",   "answer",
      "status",         "error",    "latency_ms", "agent",    "attempts", "http_status",
      "truncated",      "usage",    "repaired",   "cost_usd", "loop",     "started_at"};
  return *keys;
}

std::string JsonTypeName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

// Checks one line's object; adds every problem to `problems`.
class LineChecker {
 public:
  LineChecker(const nlohmann::json& doc, const std::string& file, int line, Diagnostics* problems)
      : doc_(doc), file_(file), line_(line), problems_(problems) {}

  void Error(std::string message) {
    problems_->Add(file_, line_, 0, std::move(message));
    ok_ = false;
  }
  bool ok() const { return ok_; }

  // The value of `key`, or nullptr (reported when required).
  const nlohmann::json* Find(const char* key, bool required, const char* why = "") {
    auto it = doc_.find(key);
    if (it == doc_.end()) {
      if (required) Error(absl::StrCat("missing key '", key, "'", why));
      return nullptr;
    }
    return &*it;
  }

  // A string value (non-empty when `non_empty`), or nullptr when missing or wrong.
  const std::string* String(const char* key, bool required, bool non_empty, const char* why = "") {
    const nlohmann::json* v = Find(key, required, why);
    if (v == nullptr) return nullptr;
    if (!v->is_string()) {
      Error(absl::StrCat("'", key, "' must be a string, got ", JsonTypeName(*v)));
      return nullptr;
    }
    const std::string& s = v->get_ref<const std::string&>();
    if (non_empty && s.empty()) {
      Error(absl::StrCat("'", key, "' must not be empty"));
      return nullptr;
    }
    return &s;
  }

  // An integer of at least `min`, or nullopt when missing or wrong.
  std::optional<int64_t> Integer(const char* key, bool required, int64_t min) {
    const nlohmann::json* v = Find(key, required);
    if (v == nullptr) return std::nullopt;
    if (v->is_number_unsigned()) {
      uint64_t u = v->get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX) && static_cast<int64_t>(u) >= min) {
        return static_cast<int64_t>(u);
      }
    } else if (v->is_number_integer() && v->get<int64_t>() >= min) {
      return v->get<int64_t>();
    }
    Error(absl::StrCat("'", key, "' must be an integer of at least ", min, ", got ",
                       v->is_number() ? v->dump() : JsonTypeName(*v)));
    return std::nullopt;
  }

 private:
  const nlohmann::json& doc_;
  const std::string& file_;
  int line_;
  Diagnostics* problems_;
  bool ok_ = true;
};

}  // namespace

bool ParseResponseLine(absl::string_view text, const std::string& file, int line_number,
                       Response* out, Diagnostics* problems) {
  nlohmann::json doc;
  try {
    if (!ParseJsonFast(text, &doc)) doc = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // A parse error says where it stopped; a number too large (out_of_range) does not.
    const auto* parse_error = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    std::string reason = JsonErrorReason(e);
    problems->Add(file, line_number,
                  parse_error != nullptr ? static_cast<int>(parse_error->byte) : 0,
                  reason.empty() ? "not valid JSON" : absl::StrCat("not valid JSON: ", reason));
    return false;
  }
  if (!doc.is_object()) {
    problems->Add(file, line_number, 0,
                  absl::StrCat("expected a JSON object, got ", JsonTypeName(doc)));
    return false;
  }
  LineChecker check(doc, file, line_number, problems);
  for (const auto& [key, value] : doc.items()) {
    const std::vector<std::string>& known = KnownKeys();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      check.Error(absl::StrCat("unknown key '", key, "'", DidYouMean(key, known)));
    }
  }
  if (const nlohmann::json* v = check.Find("schema_version", true)) {
    if (!v->is_number_integer() || v->get<int64_t>() != 1) {
      check.Error(absl::StrCat(
          "'schema_version' must be 1 (the only version this build reads), got ", v->dump()));
    }
  }
  out->line = line_number;
  const std::string* incident = check.String("incident", true, true);
  const std::string* prompt_id = check.String("prompt_id", true, true);
  std::optional<int64_t> trial = check.Integer("trial", true, 1);
  const std::string* status = check.String("status", true, false);
  std::optional<ResponseStatus> parsed_status;
  if (status != nullptr) {
    if (*status == "ok") {
      parsed_status = ResponseStatus::kOk;
    } else if (*status == "error") {
      parsed_status = ResponseStatus::kError;
    } else if (*status == "timeout") {
      parsed_status = ResponseStatus::kTimeout;
    } else {
      check.Error(absl::StrCat("'status' must be ok, error or timeout, got '", *status, "'",
                               DidYouMean(*status, {"ok", "error", "timeout"})));
    }
  }
  const std::string* prompt = check.String("prompt", false, false);
  bool is_ok = parsed_status == ResponseStatus::kOk;
  const std::string* answer = check.String("answer", is_ok, false, " (required when status is ok)");
  const std::string* error = nullptr;
  if (parsed_status.has_value()) {
    if (is_ok) {
      if (doc.contains("error")) check.Error("'error' is not allowed when status is ok");
    } else {
      std::string why = absl::StrCat(" (required when status is ", *status, ")");
      error = check.String("error", true, true, why.c_str());
    }
  }
  std::optional<int64_t> latency;
  if (doc.contains("latency_ms")) latency = check.Integer("latency_ms", false, 0);
  // What the call cost: recorded by the harness, not scored.
  std::optional<int64_t> attempts, http_status;
  if (doc.contains("attempts")) attempts = check.Integer("attempts", false, 1);
  if (doc.contains("http_status")) http_status = check.Integer("http_status", false, 0);
  if (doc.contains("agent")) check.String("agent", false, true, "");
  if (doc.contains("truncated") && !doc["truncated"].is_boolean()) {
    check.Error(
        absl::StrCat("'truncated' must be true or false, got ", JsonTypeName(doc["truncated"])));
  }
  if (doc.contains("repaired")) {
    const nlohmann::json& repaired = doc["repaired"];
    bool good = repaired.is_array();
    for (size_t i = 0; good && i < repaired.size(); ++i) {
      good = repaired[i] == "invalid_utf8";
    }
    if (!good) check.Error("'repaired' must be an array of \"invalid_utf8\"");
  }
  if (doc.contains("usage")) {
    const nlohmann::json& usage = doc["usage"];
    bool good = usage.is_object();
    if (good) {
      for (const auto& [k, v] : usage.items()) {
        if ((k != "prompt_tokens" && k != "completion_tokens" && k != "total_tokens") ||
            !v.is_number_integer() || v.get<int64_t>() < 0) {
          good = false;
        }
      }
    }
    if (!good) {
      check.Error(
          "'usage' must be an object of prompt_tokens, completion_tokens and total_tokens, "
          "each an integer of at least 0");
    }
  }
  absl::Time started = absl::InfinitePast();
  if (doc.contains("started_at")) {
    std::string err;
    if (!doc["started_at"].is_string() ||
        !absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", doc["started_at"].get<std::string>(), &started,
                         &err)) {
      check.Error("'started_at' must be a time like 2026-12-07T15:16:29.982Z");
    }
  }
  if (doc.contains("cost_usd") &&
      (!doc["cost_usd"].is_number() || doc["cost_usd"].get<double>() < 0 ||
       !std::isfinite(doc["cost_usd"].get<double>()))) {
    check.Error("'cost_usd' must be a number of at least 0");
  }
  static const char* const kLoopCounts[] = {"turns", "tool_calls", "malformed_calls",
                                            "failed_calls"};
  if (doc.contains("loop")) {
    const nlohmann::json& loop = doc["loop"];
    bool good = loop.is_object();
    if (good) {
      for (const auto& [k, v] : loop.items()) {
        const bool count =
            std::find(std::begin(kLoopCounts), std::end(kLoopCounts), k) != std::end(kLoopCounts);
        if (count ? !v.is_number_integer() || v.get<int64_t>() < 0
                  : k != "stop" || !v.is_string()) {
          good = false;
        }
      }
    }
    if (!good) {
      check.Error(
          "'loop' must be an object of turns, tool_calls, malformed_calls and failed_calls "
          "(integers of at least 0) and stop (a string)");
    }
  }
  if (!check.ok()) return false;

  out->incident = *incident;
  out->prompt_id = *prompt_id;
  out->trial = *trial;
  out->status = *parsed_status;
  out->prompt = prompt != nullptr ? *prompt : std::string();
  out->answer = answer != nullptr ? *answer : std::string();
  out->error = error != nullptr ? *error : std::string();
  out->latency_ms = latency;
  out->attempts = attempts;
  out->http_status = http_status;
  out->started_at = started;
  auto count = [](const nlohmann::json& o, const char* key) -> std::optional<int64_t> {
    if (!o.is_object() || !o.contains(key)) return std::nullopt;
    return o[key].get<int64_t>();
  };
  const nlohmann::json none;
  const nlohmann::json& usage = doc.contains("usage") ? doc["usage"] : none;
  out->prompt_tokens = count(usage, "prompt_tokens");
  out->completion_tokens = count(usage, "completion_tokens");
  out->cost_usd = doc.contains("cost_usd") ? std::optional<double>(doc["cost_usd"].get<double>())
                                           : std::nullopt;
  const nlohmann::json& loop = doc.contains("loop") ? doc["loop"] : none;
  out->turns = count(loop, "turns");
  out->tool_calls = count(loop, "tool_calls");
  out->malformed_calls = count(loop, "malformed_calls");
  out->failed_calls = count(loop, "failed_calls");
  return true;
}

absl::Status ReadResponses(const std::string& path, const std::string& display_path,
                           const std::function<void(const Response&)>& on_response,
                           Diagnostics* problems, int* lines, size_t max_line_bytes) {
  *lines = 0;
  // Regular files only, opened without blocking (util/file_util), named as the caller shows
  // the path.
  absl::StatusOr<UniqueFd> opened = OpenRegularFile(path);
  if (!opened.ok()) {
    absl::string_view message = opened.status().message();
    if (absl::StartsWith(message, path)) message.remove_prefix(path.size());
    return absl::Status(opened.status().code(), absl::StrCat(display_path, message));
  }
  UniqueFd fd = *std::move(opened);

  Response response;
  int line_number = 0;
  auto process = [&](absl::string_view text, bool too_long) {
    ++line_number;
    if (too_long) {
      problems->Add(
          display_path, line_number, 0,
          absl::StrCat("line is longer than the limit of ", max_line_bytes, " bytes; skipped"));
      return;
    }
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (line_number == 1 && absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
    if (absl::StripAsciiWhitespace(text).empty()) return;
    // NUL bytes are kept: the JSON parser reports them.
    if (ParseResponseLine(text, display_path, line_number, &response, problems)) {
      on_response(response);
    }
  };
  // One line at a time, never more than `max_line_bytes` of it: the rest of a longer line is
  // skipped as it is read.
  std::string line;
  bool too_long = false;
  std::vector<char> buf(size_t{1} << 16);
  for (;;) {
    ssize_t n = read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      *lines = line_number;
      return ErrnoStatus(errno, absl::StrCat(display_path, ": read"));
    }
    if (n == 0) break;
    const char* p = buf.data();
    const char* end = p + n;
    while (p < end) {
      const char* newline = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = newline != nullptr ? newline : end;
      size_t take = static_cast<size_t>(stop - p);
      if (!too_long && line.size() + take > max_line_bytes) {
        too_long = true;
        std::string().swap(line);
      }
      if (!too_long) line.append(p, take);
      if (newline == nullptr) break;
      process(line, too_long);
      line.clear();
      too_long = false;
      p = newline + 1;
    }
  }
  if (!line.empty() || too_long) process(line, too_long);
  *lines = line_number;
  return absl::OkStatus();
}

}  // namespace sre_eval
