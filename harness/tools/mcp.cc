#include "tools/mcp.h"

#include <httplib.h>

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "util/file_util.h"

#ifndef SRE_EVAL_VERSION
#define SRE_EVAL_VERSION "dev"
#endif

namespace sre_eval {
namespace tools {
namespace {

using nlohmann::json;

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

constexpr const char* kVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

bool Supported(const std::string& v) {
  for (const char* s : kVersions) {
    if (v == s) return true;
  }
  return false;
}

// A request id: a string or an integer (JSON-RPC also allows null; MCP does not).
bool ValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

json ToolJson(const ToolSpec& s) {
  return {{"name", s.name},
          {"title", s.title},
          {"description", s.description},
          {"inputSchema", s.input_schema},
          {"annotations",
           {{"title", s.title},
            {"readOnlyHint", true},
            {"destructiveHint", false},
            {"idempotentHint", true},
            {"openWorldHint", false}}}};
}

}  // namespace

json McpError(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

std::optional<json> McpSession::HandleText(const std::string& text) {
  json message = json::parse(text, nullptr, false);
  if (message.is_discarded()) return McpError(nullptr, kParseError, "Parse error: not JSON");
  return Handle(message);
}

std::optional<json> McpSession::Handle(const json& message) {
  if (!message.is_array()) return HandleOne(message);
  // A batch (protocol revision 2025-03-26).
  if (message.empty()) return McpError(nullptr, kInvalidRequest, "Invalid Request: empty batch");
  json out = json::array();
  for (const json& m : message) {
    if (std::optional<json> r = HandleOne(m)) out.push_back(std::move(*r));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<json> McpSession::HandleOne(const json& message) {
  if (!message.is_object() || message.value("jsonrpc", json()) != "2.0") {
    return McpError(nullptr, kInvalidRequest, "Invalid Request: not a JSON-RPC 2.0 message");
  }
  const bool has_id = message.contains("id");
  if (!message.contains("method")) {
    // A response to a request of ours: we send none, so there is nothing to match.
    if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
    return McpError(has_id && ValidId(message["id"]) ? message["id"] : json(nullptr),
                    kInvalidRequest, "Invalid Request: no method");
  }
  const json& method = message["method"];
  if (!method.is_string()) {
    return McpError(has_id && ValidId(message["id"]) ? message["id"] : json(nullptr),
                    kInvalidRequest, "Invalid Request: the method must be a string");
  }
  const json params = message.value("params", json::object());
  if (!has_id) {
    // Notifications: initialized, cancelled, ...; none needs an answer (a session is ready once
    // initialize is answered).
    return std::nullopt;
  }
  const json& id = message["id"];
  if (!ValidId(id)) {
    return McpError(nullptr, kInvalidRequest,
                    "Invalid Request: the id must be a string or an integer");
  }
  if (!params.is_object()) return McpError(id, kInvalidParams, "Invalid params: not an object");
  json error;
  json result = Result(method, params, &error);
  if (!error.is_null()) return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json McpSession::Result(const json& method, const json& params, json* error) {
  auto fail = [&](int code, std::string message) {
    *error = {{"code", code}, {"message", std::move(message)}};
    return json();
  };
  const std::string m = method.get<std::string>();
  if (m == "ping") return json::object();
  if (m == "initialize") {
    const json v = params.value("protocolVersion", json());
    if (!v.is_string()) return fail(kInvalidParams, "Invalid params: protocolVersion is required");
    version_ = Supported(v.get<std::string>()) ? v.get<std::string>() : kMcpLatestVersion;
    std::vector<std::string> names;
    for (const ToolSpec& s : tools_->specs()) names.push_back(s.name);
    return {{"protocolVersion", version_},
            {"capabilities", {{"tools", {{"listChanged", false}}}}},
            {"serverInfo",
             {{"name", "sre-eval"},
              {"title", "sre-eval incident tools"},
              {"version", SRE_EVAL_VERSION}}},
            {"instructions",
             "Read-only tools over one Sock Shop cluster and its monitoring: kubectl "
             "(get, describe, logs, top, events, ...), http_get through the services proxy, "
             "and the Prometheus, Loki and Datadog queries when the cluster has them. Outputs "
             "are cut to a byte budget with a visible marker."}};
  }
  if (version_.empty()) {
    return fail(kInvalidRequest,
                "Invalid Request: the session is not initialized (send "
                "initialize first)");
  }
  if (m == "tools/list") {
    json tools = json::array();
    for (const ToolSpec& s : tools_->specs()) tools.push_back(ToolJson(s));
    return {{"tools", tools}};
  }
  if (m == "tools/call") {
    const json name = params.value("name", json());
    if (!name.is_string()) return fail(kInvalidParams, "Invalid params: name is required");
    const json args = params.value("arguments", json::object());
    // Called even when unknown, so that the audit keeps the attempt.
    ToolResult r = tools_->Call(name.get<std::string>(), args);
    if (!tools_->Has(name.get<std::string>())) {
      return fail(kInvalidParams, absl::StrCat("Unknown tool: ", name.get<std::string>()));
    }
    return {{"content", {{{"type", "text"}, {"text", r.text}}}}, {"isError", r.is_error}};
  }
  return fail(kMethodNotFound, absl::StrCat("Method not found: ", m));
}

void ServeMcpStdio(const ToolSet* tools, std::istream& in, std::ostream& out) {
  McpSession session(tools);
  std::string line;
  char c;
  bool too_long = false;
  auto answer = [&](const std::optional<json>& r) {
    if (!r.has_value()) return;
    out << r->dump(-1, ' ', false, json::error_handler_t::replace) << "\n" << std::flush;
  };
  while (in.get(c)) {
    if (c != '\n') {
      if (line.size() < kMaxMcpMessageBytes) {
        line += c;
      } else {
        too_long = true;
      }
      continue;
    }
    if (too_long) {
      answer(McpError(nullptr, kParseError,
                      absl::StrCat("Parse error: a message over ", kMaxMcpMessageBytes, " bytes")));
    } else if (!absl::StripAsciiWhitespace(line).empty()) {
      answer(session.HandleText(line));
    }
    line.clear();
    too_long = false;
  }
  if (!too_long && !absl::StripAsciiWhitespace(line).empty()) answer(session.HandleText(line));
}

McpHttpServer::McpHttpServer(const ToolSet* tools) : tools_(tools) {}

McpHttpServer::~McpHttpServer() { Stop(); }

std::shared_ptr<McpHttpServer::Session> McpHttpServer::Find(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

absl::StatusOr<int> McpHttpServer::Start(int port) {
  http_ = std::make_unique<httplib::Server>();
  http_->set_payload_max_length(kMaxMcpMessageBytes);
  // A client keeps connections alive, each holding a worker while it idles: enough workers
  // for a few clients, and idle connections closed soon.
  http_->new_task_queue = [] { return new httplib::ThreadPool(16); };
  http_->set_keep_alive_timeout(2);
  auto send = [](httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  };
  // Browsers' pages must not reach a local server (DNS rebinding): only local origins.
  auto origin_ok = [](const httplib::Request& req) {
    if (!req.has_header("Origin")) return true;
    const std::string o = req.get_header_value("Origin");
    for (const char* local : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
      if (o == local || absl::StartsWith(o, absl::StrCat(local, ":"))) return true;
    }
    return false;
  };
  http_->Post("/mcp", [this, send, origin_ok](const httplib::Request& req, httplib::Response& res) {
    if (!origin_ok(req)) {
      return send(res, 403, McpError(nullptr, kInvalidRequest, "Forbidden: origin not allowed"));
    }
    const std::string accept = req.get_header_value("Accept");
    if (!accept.empty() && !absl::StrContains(accept, "application/json") &&
        !absl::StrContains(accept, "*/*")) {
      return send(res, 406,
                  McpError(nullptr, kInvalidRequest,
                           "Not Acceptable: the client must accept application/json"));
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), "application/json")) {
      return send(
          res, 415,
          McpError(nullptr, kInvalidRequest, "Unsupported Media Type: send application/json"));
    }
    if (req.has_header("MCP-Protocol-Version") &&
        !Supported(req.get_header_value("MCP-Protocol-Version"))) {
      return send(res, 400,
                  McpError(nullptr, kInvalidRequest,
                           absl::StrCat("Bad Request: unsupported MCP-Protocol-Version ",
                                        req.get_header_value("MCP-Protocol-Version"))));
    }
    json message = json::parse(req.body, nullptr, false);
    if (message.is_discarded()) {
      return send(res, 400, McpError(nullptr, kParseError, "Parse error: not JSON"));
    }
    const bool initialize = message.is_object() && message.value("method", json()) == "initialize";
    std::shared_ptr<Session> session;
    if (initialize) {
      session = std::make_shared<Session>(tools_);
      absl::StatusOr<std::string> made = RandomHex(16);
      if (!made.ok()) {
        return send(res, 500, McpError(nullptr, -32603, "Internal error: no session id"));
      }
      const std::string id = *made;
      {
        absl::MutexLock lock(&mu_);
        while (order_.size() >= kMaxMcpSessions) {
          sessions_.erase(order_.front());
          order_.pop_front();
        }
        sessions_[id] = session;
        order_.push_back(id);
      }
      res.set_header("Mcp-Session-Id", id);
    } else {
      if (!req.has_header("Mcp-Session-Id")) {
        return send(res, 400,
                    McpError(nullptr, -32000, "Bad Request: Mcp-Session-Id header is required"));
      }
      session = Find(req.get_header_value("Mcp-Session-Id"));
      if (session == nullptr) {
        return send(res, 404, McpError(nullptr, -32001, "Session not found"));
      }
    }
    std::optional<json> answer;
    {
      absl::MutexLock lock(&session->mu);
      answer = session->session.Handle(message);
    }
    if (!answer.has_value()) {
      res.status = 202;
      return;
    }
    send(res, 200, *answer);
  });
  http_->Get("/mcp", [](const httplib::Request&, httplib::Response& res) {
    // No stream of server-initiated messages is offered.
    res.status = 405;
    res.set_header("Allow", "POST, DELETE");
  });
  http_->Delete("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
    absl::MutexLock lock(&mu_);
    const std::string id = req.get_header_value("Mcp-Session-Id");
    res.status = sessions_.erase(id) == 1 ? 200 : 404;
    order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
  });
  const int bound = port == 0 ? http_->bind_to_any_port("127.0.0.1")
                              : (http_->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port));
  }
  thread_ = std::make_unique<std::thread>([this] { http_->listen_after_bind(); });
  return bound;
}

void McpHttpServer::Stop() {
  if (http_ != nullptr) http_->stop();
  if (thread_ != nullptr && thread_->joinable()) thread_->join();
  thread_.reset();
}

}  // namespace tools
}  // namespace sre_eval
