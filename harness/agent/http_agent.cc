#include "agent/http_agent.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agent/command_agent.h"
#include "util/json_parse.h"
#include "util/utf8.h"

namespace sre_eval {
namespace agent {
namespace {

nlohmann::json HistoryJson(const std::vector<Turn>& history) {
  nlohmann::json turns = nlohmann::json::array();
  for (const Turn& turn : history)
    turns.push_back({{"role", turn.role}, {"content", turn.content}});
  return turns;
}

// The value of placeholder `name` ("message" for "{{message}}"), or nullopt.
std::optional<nlohmann::json> PlaceholderValue(absl::string_view name,
                                               const AgentRequest& request) {
  if (name == "message") return nlohmann::json(request.message);
  if (name == "history") return HistoryJson(request.history);
  if (name == "incident") return nlohmann::json(request.incident);
  if (name == "prompt_id") return nlohmann::json(request.prompt_id);
  if (name == "window") {
    return nlohmann::json{{"start", request.window_start}, {"end", request.window_end}};
  }
  if (name == "cluster") {
    return nlohmann::json{{"kubeconfig", request.cluster.kubeconfig},
                          {"context", request.cluster.context},
                          {"namespace", request.cluster.ns}};
  }
  if (name == "evidence") return nlohmann::json(request.evidence);
  if (name == "monitoring") return MonitoringJson(request.cluster);
  return std::nullopt;
}

std::string AsText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FillString(const std::string& text, const AgentRequest& request) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::optional<nlohmann::json> value =
        PlaceholderValue(absl::string_view(text).substr(open + 2, close - open - 2), request);
    if (!value.has_value()) {
      // Not ours ("{{ x }}" in a prompt to the agent's own template engine): keep it.
      out.append(text, pos, open + 2 - pos);
      pos = open + 2;
      continue;
    }
    out.append(text, pos, open - pos);
    out += AsText(*value);
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

// "text/html" from "text/html; charset=utf-8".
std::string MediaType(const std::string& content_type) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      absl::string_view(content_type).substr(0, content_type.find(';'))));
}

}  // namespace

nlohmann::json FillTemplate(const nlohmann::json& body, const AgentRequest& request) {
  if (body.is_string()) {
    const std::string& text = body.get_ref<const std::string&>();
    if (text.size() > 4 && absl::StartsWith(text, "{{") && absl::EndsWith(text, "}}") &&
        text.find("}}") == text.size() - 2) {
      std::optional<nlohmann::json> value =
          PlaceholderValue(absl::string_view(text).substr(2, text.size() - 4), request);
      if (value.has_value()) return *value;
    }
    return FillString(text, request);
  }
  if (body.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : body) out.push_back(FillTemplate(item, request));
    return out;
  }
  if (body.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = body.begin(); it != body.end(); ++it) {
      out[it.key()] = FillTemplate(it.value(), request);
    }
    return out;
  }
  return body;
}

absl::StatusOr<std::string> StringAtPointer(const nlohmann::json& document,
                                            absl::string_view pointer) {
  const absl::Status missing =
      absl::InvalidArgumentError(absl::StrCat("no string at ", pointer, " in the response"));
  if (!pointer.empty() && pointer[0] != '/') return missing;
  const nlohmann::json* node = &document;
  size_t pos = 0;
  while (pos < pointer.size()) {
    size_t next = pointer.find('/', pos + 1);
    if (next == absl::string_view::npos) next = pointer.size();
    std::string token(pointer.substr(pos + 1, next - pos - 1));
    if (absl::StrContains(token, "~")) {
      // "~1" first: "~01" is "~1", not "/".
      for (size_t i = 0; i < token.size(); ++i) {
        if (token[i] != '~') continue;
        if (i + 1 >= token.size() || (token[i + 1] != '0' && token[i + 1] != '1')) return missing;
        token.replace(i, 2, token[i + 1] == '0' ? "~" : "/");
      }
    }
    pos = next;
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return missing;
      node = &*it;
    } else if (node->is_array()) {
      // An index is "0" or digits without a leading zero.
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0') ||
          !std::all_of(token.begin(), token.end(), [](char c) { return absl::ascii_isdigit(c); })) {
        return missing;
      }
      size_t index = std::stoul(token);
      if (index >= node->size()) return missing;
      node = &(*node)[index];
    } else {
      return missing;
    }
  }
  if (!node->is_string()) return missing;
  return node->get<std::string>();
}

std::string CutAnswer(std::string text, size_t max_bytes, bool* cut) {
  *cut = text.size() > max_bytes;
  if (*cut) TruncateUtf8(&text, max_bytes);
  return text;
}

void ReadAnswer(const HttpResponse& response, absl::string_view pointer, size_t max_bytes,
                AgentAnswer* answer, nlohmann::json* document_out) {
  bool cut = false;
  if (pointer.empty()) {
    // The body as it came, perhaps cut by the client at the cap in the middle of a character.
    answer->text = response.body;
    Utf8Repair repair = MakeValidUtf8(&answer->text, max_bytes, response.truncated);
    answer->truncated = repair.cut;
    if (repair.replaced > 0) answer->invalid_utf8 = true;
    return;
  }
  std::string content_type = response.Header("content-type");
  if (!content_type.empty() && !absl::StrContains(MediaType(content_type), "json")) {
    answer->error =
        absl::StrCat("the response is not JSON (content-type ", MediaType(content_type), ")");
    return;
  }
  if (response.truncated) {
    answer->error = absl::StrCat("the response is larger than ", response.body.size(),
                                 " bytes, too large to read the answer from");
    return;
  }
  // Bytes that are not UTF-8 inside a JSON string would make the whole response unreadable:
  // they are repaired first, so the answer survives with U+FFFD in their place.
  std::string repaired;
  const std::string* body = &response.body;
  if (!IsValidUtf8(*body)) {
    repaired = *body;
    if (RepairUtf8(&repaired) > 0) answer->invalid_utf8 = true;
    body = &repaired;
  }
  nlohmann::json document = nlohmann::json::parse(*body, nullptr, false);
  if (document.is_discarded()) {
    // Parse again only to say where it broke.
    try {
      const nlohmann::json again = nlohmann::json::parse(*body);  // throws here
      static_cast<void>(again);
    } catch (const nlohmann::json::parse_error& e) {
      answer->error = absl::StrCat("the response is not valid JSON (at byte ", e.byte, ")");
      return;
    } catch (const nlohmann::json::exception& e) {
      // A number too large for a double (1e999) is out_of_range, with no position.
      answer->error = absl::StrCat("the response is not valid JSON: ", JsonErrorReason(e));
      return;
    }
    answer->error = "the response is not valid JSON";
    return;
  }
  absl::StatusOr<std::string> text = StringAtPointer(document, pointer);
  if (text.ok()) {
    answer->text = CutAnswer(*std::move(text), max_bytes, &cut);
    answer->truncated = cut;
  } else {
    answer->error = std::string(text.status().message());
  }
  if (document_out != nullptr) *document_out = std::move(document);
}

AgentAnswer HttpAgent::Ask(const AgentRequest& request) {
  HttpRequest http_request;
  http_request.method = config_.method;
  http_request.url = config_.url;
  http_request.headers = config_.headers;
  nlohmann::json body =
      config_.body.has_value()
          ? FillTemplate(*config_.body, request)
          : DefaultRequestJson(request, config_.expose_incident, config_.expose_prompt_id);
  http_request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (config_.answer_pointer.empty()) {
    http_request.max_response_bytes = config_.policy.max_answer_bytes;
    http_request.cut_body = true;
  } else {
    http_request.max_response_bytes = JsonResponseByteCap(config_.policy);
  }
  return Send(
      std::move(http_request), request, [this](const HttpResponse& response, AgentAnswer* answer) {
        ReadAnswer(response, config_.answer_pointer, config_.policy.max_answer_bytes, answer);
      });
}

}  // namespace agent
}  // namespace sre_eval
