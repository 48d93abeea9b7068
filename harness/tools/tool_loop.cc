#include "tools/tool_loop.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "agent/http_agent.h"
#include "agent/openai_agent.h"
#include "util/utf8.h"

namespace sre_eval {
namespace tools {
namespace {

using nlohmann::json;

constexpr char kDefaultSystem[] =
    "You are an SRE investigating an incident on a Kubernetes cluster. Investigate with the "
    "tools before you answer: look at what the cluster, the services and the monitoring show, "
    "and do not guess what you can read. When you know the answer, call the answer tool with "
    "your complete answer to the question, specific about services, numbers and times.";

// Parses a tool call's arguments, sent as a JSON string or as an object.
void ReadArguments(const json& raw, ModelToolCall* call) {
  if (raw.is_object()) {
    call->arguments = raw;
    call->raw_arguments = raw.dump();
    return;
  }
  if (raw.is_null()) {  // A tool without arguments: some servers send nothing.
    call->arguments = json::object();
    call->raw_arguments = "{}";
    return;
  }
  if (!raw.is_string()) {
    call->raw_arguments = raw.dump();
    call->arguments_error = "the arguments must be a JSON object (or a string holding one)";
    return;
  }
  call->raw_arguments = raw.get<std::string>();
  if (absl::StripAsciiWhitespace(call->raw_arguments).empty()) {
    call->arguments = json::object();
    return;
  }
  json parsed = json::parse(call->raw_arguments, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::string brief = call->raw_arguments.substr(0, 200);
    TruncateUtf8(&brief, 200);
    call->arguments_error = absl::StrCat("the arguments are not valid JSON: ", brief);
  } else if (!parsed.is_object()) {
    call->arguments_error = "the arguments must be a JSON object";
  } else {
    call->arguments = std::move(parsed);
  }
}

// {"name": ..., "arguments": ...} as templates write calls into the content.
bool ReadNamedCall(const json& j, ModelToolCall* call) {
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) return false;
  call->name = j["name"].get<std::string>();
  ReadArguments(j.contains("arguments") ? j["arguments"] : j.value("parameters", json()), call);
  return true;
}

std::vector<ModelToolCall> CallsInContent(const std::string& content) {
  std::vector<ModelToolCall> calls;
  size_t at = 0;
  while ((at = content.find("<tool_call>", at)) != std::string::npos) {
    size_t begin = at + 11;
    size_t end = content.find("</tool_call>", begin);
    json j = json::parse(content.substr(begin, end == std::string::npos ? end : end - begin),
                         nullptr, false);
    ModelToolCall call;
    if (ReadNamedCall(j, &call)) calls.push_back(std::move(call));
    if (end == std::string::npos) break;
    at = end;
  }
  if (!calls.empty()) return calls;
  size_t tag = content.find("[TOOL_CALLS]");
  if (tag != std::string::npos) {
    json j = json::parse(content.substr(tag + 12), nullptr, false);
    if (j.is_object()) j = json::array({j});
    if (j.is_array()) {
      for (const json& item : j) {
        ModelToolCall call;
        if (ReadNamedCall(item, &call)) calls.push_back(std::move(call));
      }
    }
  }
  return calls;
}

int64_t UsageField(const json& usage, const char* name) {
  auto it = usage.find(name);
  if (it == usage.end() || !it->is_number_integer()) return -1;
  return it->get<int64_t>();
}

void AddUsage(int64_t v, int64_t* sum) {
  if (v < 0) return;
  *sum = std::max<int64_t>(*sum, 0) + v;
}

std::string Brief(std::string s) {
  if (s.size() > 200) {
    TruncateUtf8(&s, 200);
    s += "...";
  }
  return s;
}

}  // namespace

std::vector<ModelToolCall> ReadToolCalls(const json& message, int turn) {
  std::vector<ModelToolCall> calls;
  auto tc = message.find("tool_calls");
  if (tc != message.end() && tc->is_array()) {
    for (const json& item : *tc) {
      if (!item.is_object()) continue;
      ModelToolCall call;
      if (item.contains("id") && item["id"].is_string()) call.id = item["id"].get<std::string>();
      const json fn = item.value("function", json());
      if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string()) {
        call.name = "";
        call.arguments_error = "the tool call names no function";
        call.raw_arguments = "{}";
      } else {
        call.name = fn["name"].get<std::string>();
        ReadArguments(fn.value("arguments", json()), &call);
      }
      calls.push_back(std::move(call));
    }
  }
  auto fc = message.find("function_call");
  if (calls.empty() && fc != message.end() && fc->is_object()) {
    ModelToolCall call;
    if (ReadNamedCall(*fc, &call)) calls.push_back(std::move(call));
  }
  auto content = message.find("content");
  if (calls.empty() && content != message.end() && content->is_string()) {
    calls = CallsInContent(content->get<std::string>());
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].id.empty()) calls[i].id = absl::StrCat("call_", turn, "_", i + 1);
  }
  return calls;
}

ToolSpec AnswerToolSpec() {
  return {
      "answer",
      "Submit the answer",
      "Submits your final answer to the question and ends the investigation. Call it once, "
      "with the whole answer.",
      {{"type", "object"},
       {"properties", {{"answer", {{"type", "string"}, {"description", "the complete answer"}}}}},
       {"required", {"answer"}},
       {"additionalProperties", false}}};
}

ToolLoopAgent::ToolLoopAgent(agent::AgentConfig config, HttpClient* http, ProcessRunner* runner,
                             Clock* clock, uint64_t seed, QuestionAuditSink audit,
                             std::string kubectl)
    : config_(std::move(config)),
      http_(http),
      runner_(runner),
      clock_(clock),
      seed_(seed),
      audit_(std::move(audit)),
      kubectl_(std::move(kubectl)),
      budget_(config_.policy.budget) {}

agent::AgentAnswer ToolLoopAgent::Ask(const agent::AgentRequest& request) {
  const agent::LoopLimits& limits = config_.loop;
  const absl::Time start = clock_->Now();
  agent::AgentAnswer answer;
  answer.looped = true;
  agent::LoopStats& stats = answer.loop;

  ToolEnv env;
  env.cluster = request.cluster;
  env.kubectl = kubectl_;
  env.runner = runner_;
  env.http = http_;
  env.max_output_bytes = limits.max_output_bytes;
  env.act = request.acting();
  if (audit_) env.audit = [this, &request](const AuditEntry& e) { audit_(request, e); };
  ToolSet tools(std::move(env));

  json functions = json::array();
  std::vector<ToolSpec> specs = tools.specs();
  specs.push_back(AnswerToolSpec());
  for (const ToolSpec& s : specs) {
    functions.push_back(
        {{"type", "function"},
         {"function",
          {{"name", s.name}, {"description", s.description}, {"parameters", s.input_schema}}}});
  }
  json messages = json::array();
  messages.push_back(
      {{"role", "system"}, {"content", config_.system.empty() ? kDefaultSystem : config_.system}});
  for (const agent::Turn& turn : request.history) {
    messages.push_back({{"role", turn.role}, {"content", turn.content}});
  }
  std::string question = request.message;
  if (!request.window_start.empty()) {
    absl::StrAppend(&question, "\n\nThe incident window: ", request.window_start, " to ",
                    request.window_end, ".");
  }
  if (!request.cluster.ns.empty()) {
    absl::StrAppend(&question, request.window_start.empty() ? "\n\n" : " ",
                    "The application runs in namespace ", request.cluster.ns, ".");
  }
  messages.push_back({{"role", "user"}, {"content", std::move(question)}});

  const std::string url = agent::ChatCompletionsUrl(config_);
  std::mt19937_64 rng = agent::CallRng(seed_, absl::StrCat(request.prompt_id, "#", request.trial));
  std::string text;
  auto stop = [&](const char* why, std::string error) {
    stats.stop = why;
    answer.error = std::move(error);
  };
  // An action task is bounded by its budget (in wall time), a question by tools.time.
  const absl::Duration time_limit = request.acting() ? request.act.wall_limit : limits.time;
  while (stats.stop.empty()) {
    const absl::Duration elapsed = clock_->Now() - start;
    if (elapsed >= time_limit) {
      stop("time", request.acting()
                       ? absl::StrCat("not done within the task's budget (",
                                      absl::FormatDuration(request.act.budget), ")")
                       : absl::StrCat("no answer within ", absl::FormatDuration(limits.time),
                                      " (tools.time)"));
      break;
    }
    if (stats.turns >= limits.max_turns) {
      stop("turns",
           absl::StrCat("no answer within ", limits.max_turns, " turns (tools.max_turns)"));
      break;
    }
    if (limits.max_tokens > 0 && answer.usage.total_tokens >= limits.max_tokens) {
      stop("tokens",
           absl::StrCat("no answer within ", limits.max_tokens,
                        " tokens (tools.max_tokens): ", answer.usage.total_tokens, " used"));
      break;
    }
    ++stats.turns;
    HttpRequest http_request;
    http_request.method = "POST";
    http_request.url = url;
    if (!config_.api_key.empty()) {
      http_request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", config_.api_key));
    }
    for (const auto& header : config_.headers) http_request.headers.push_back(header);
    json request_body = {{"model", config_.model},
                         {"messages", messages},
                         {"tools", functions},
                         {"tool_choice", "auto"},
                         {"temperature", config_.temperature},
                         {"max_tokens", config_.max_tokens}};
    http_request.body = request_body.dump(-1, ' ', false, json::error_handler_t::replace);
    http_request.max_response_bytes = agent::JsonResponseByteCap(config_.policy);
    agent::CallPolicy policy = config_.policy;
    policy.timeout = std::min(policy.timeout, time_limit - elapsed);
    agent::CallResult call =
        agent::CallWithRetries(http_, std::move(http_request), policy, clock_, &budget_, &rng);
    answer.attempts += call.attempts;
    answer.http_status = call.http_status;
    answer.invalid_utf8 |= call.invalid_utf8;
    if (!call.response.has_value()) {
      stop("error", absl::StrCat("turn ", stats.turns, ": ", call.error));
      break;
    }
    std::string body = std::move(call.response->body);
    if (RepairUtf8(&body) > 0) answer.invalid_utf8 = true;
    json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!document.is_object()) {
      stop("error", absl::StrCat("turn ", stats.turns,
                                 ": the response is not a JSON object: ", Brief(body)));
      break;
    }
    if (auto usage = document.find("usage"); usage != document.end() && usage->is_object()) {
      AddUsage(UsageField(*usage, "prompt_tokens"), &answer.usage.prompt_tokens);
      AddUsage(UsageField(*usage, "completion_tokens"), &answer.usage.completion_tokens);
      int64_t total = UsageField(*usage, "total_tokens");
      if (total < 0 && UsageField(*usage, "prompt_tokens") >= 0 &&
          UsageField(*usage, "completion_tokens") >= 0) {
        total = UsageField(*usage, "prompt_tokens") + UsageField(*usage, "completion_tokens");
      }
      AddUsage(total, &answer.usage.total_tokens);
    }
    const json* message = nullptr;
    if (auto choices = document.find("choices"); choices != document.end() && choices->is_array() &&
                                                 !choices->empty() && (*choices)[0].is_object()) {
      auto m = (*choices)[0].find("message");
      if (m != (*choices)[0].end() && m->is_object()) message = &*m;
    }
    if (message == nullptr) {
      stop("error", absl::StrCat("turn ", stats.turns, ": no /choices/0/message in the response"));
      break;
    }
    std::vector<ModelToolCall> calls = ReadToolCalls(*message, stats.turns);
    std::string content;
    if (auto c = message->find("content"); c != message->end() && c->is_string()) {
      content = c->get<std::string>();
    }
    if (calls.empty()) {
      if (absl::StripAsciiWhitespace(content).empty()) {
        stop("error", absl::StrCat("turn ", stats.turns,
                                   ": the model sent neither a tool call nor an answer"));
      } else {
        text = std::move(content);
        stats.stop = "message";
      }
      break;
    }
    json echoed = json::array();
    for (const ModelToolCall& c : calls) {
      echoed.push_back({{"id", c.id},
                        {"type", "function"},
                        {"function", {{"name", c.name}, {"arguments", c.raw_arguments}}}});
    }
    messages.push_back({{"role", "assistant"},
                        {"content", content.empty() ? json(nullptr) : json(content)},
                        {"tool_calls", std::move(echoed)}});
    for (const ModelToolCall& c : calls) {
      std::string result;
      if (!c.arguments_error.empty()) {
        ++stats.malformed_calls;
        ++stats.failed_calls;
        result = absl::StrCat("error: ", c.arguments_error, "; call ",
                              c.name.empty() ? "the tool" : c.name, " again with a JSON object");
      } else if (c.name == "answer") {
        const json& a = c.arguments;
        if (!a.contains("answer") || !a["answer"].is_string() ||
            absl::StripAsciiWhitespace(a["answer"].get<std::string>()).empty()) {
          ++stats.malformed_calls;
          ++stats.failed_calls;
          result = "error: answer takes {\"answer\": \"your complete answer\"}, a non-empty string";
        } else {
          text = a["answer"].get<std::string>();
          stats.stop = "answer";
          break;
        }
      } else if (stats.tool_calls >= limits.max_calls) {
        stop("calls",
             absl::StrCat("no answer within ", limits.max_calls, " tool calls (tools.max_calls)"));
        break;
      } else {
        ++stats.tool_calls;
        ToolResult r = tools.Call(c.name, c.arguments);
        if (r.bad_call) ++stats.malformed_calls;
        if (r.is_error) ++stats.failed_calls;
        result = std::move(r.text);
      }
      messages.push_back({{"role", "tool"}, {"tool_call_id", c.id}, {"content", result}});
    }
  }
  answer.latency = clock_->Now() - start;
  if (answer.ok()) {
    answer.text =
        agent::CutAnswer(std::move(text), config_.policy.max_answer_bytes, &answer.truncated);
  }
  if (RepairUtf8(&answer.text) + RepairUtf8(&answer.error) > 0) answer.invalid_utf8 = true;
  answer.text = agent::Redact(answer.text, config_.secrets);
  answer.error = agent::Redact(answer.error, config_.secrets);
  return answer;
}

}  // namespace tools
}  // namespace sre_eval
