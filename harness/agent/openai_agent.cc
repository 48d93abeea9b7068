#include "agent/openai_agent.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "agent/http_agent.h"

namespace sre_eval {
namespace agent {
namespace {

constexpr char kAnswerPointer[] = "/choices/0/message/content";
int64_t UsageField(const nlohmann::json& usage, const char* name) {
  auto it = usage.find(name);
  if (it == usage.end() || !it->is_number_integer()) return -1;
  return it->get<int64_t>();
}

}  // namespace

nlohmann::json ChatCompletionsBody(const AgentConfig& config, const AgentRequest& request) {
  nlohmann::json messages = nlohmann::json::array();
  if (!config.system.empty()) messages.push_back({{"role", "system"}, {"content", config.system}});
  for (const Turn& turn : request.history) {
    messages.push_back({{"role", turn.role}, {"content", turn.content}});
  }
  std::string content = request.message;
  if (!request.evidence.empty()) absl::StrAppend(&content, "\n\n## Evidence\n\n", request.evidence);
  messages.push_back({{"role", "user"}, {"content", std::move(content)}});
  return {{"model", config.model},
          {"messages", std::move(messages)},
          {"temperature", config.temperature},
          {"max_tokens", config.max_tokens}};
}

std::string ChatCompletionsUrl(const AgentConfig& config) {
  std::string url = absl::StrCat(absl::StripSuffix(config.base_url, "/"), "/chat/completions");
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : config.query) {
    absl::StrAppend(&url, std::string(1, separator), PercentEncode(name), "=",
                    PercentEncode(value));
    separator = '&';
  }
  return url;
}

AgentAnswer OpenAiAgent::Ask(const AgentRequest& request) {
  HttpRequest http_request;
  http_request.method = "POST";
  http_request.url = ChatCompletionsUrl(config_);
  if (!config_.api_key.empty()) {
    http_request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", config_.api_key));
  }
  for (const auto& header : config_.headers) http_request.headers.push_back(header);
  http_request.body = ChatCompletionsBody(config_, request)
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  http_request.max_response_bytes = JsonResponseByteCap(config_.policy);
  return Send(
      std::move(http_request), request, [this](const HttpResponse& response, AgentAnswer* answer) {
        nlohmann::json document;
        ReadAnswer(response, kAnswerPointer, config_.policy.max_answer_bytes, answer, &document);
        // Usage is worth keeping even when the answer is unusable: the tokens were spent.
        if (!document.is_object()) return;
        auto usage = document.find("usage");
        if (usage != document.end() && usage->is_object()) {
          answer->usage.prompt_tokens = UsageField(*usage, "prompt_tokens");
          answer->usage.completion_tokens = UsageField(*usage, "completion_tokens");
          answer->usage.total_tokens = UsageField(*usage, "total_tokens");
        }
      });
}

}  // namespace agent
}  // namespace sre_eval
