// The Model Context Protocol over the tool set: JSON-RPC 2.0 messages (the initialization
// handshake, ping, tools/list, tools/call) and its two standard transports, stdio (one message
// per line) and Streamable HTTP (POST /mcp answered with application/json, sessions by
// Mcp-Session-Id, no server-initiated stream: GET is 405).
//
// Protocol revisions 2025-11-25 (the latest), 2025-06-18 and 2025-03-26: a client asking for
// one of them gets it, any other gets the latest. Errors as JSON-RPC's: -32700 parse error,
// -32600 invalid request (also before initialize), -32601 unknown method, -32602 invalid params
// (an unknown tool); a tool that fails answers isError true with its reason as text.
#ifndef SRE_EVAL_TOOLS_MCP_H_
#define SRE_EVAL_TOOLS_MCP_H_

#include <deque>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "tools/tool_set.h"

namespace httplib {
class Server;
}

namespace sre_eval {
namespace tools {

inline constexpr const char* kMcpLatestVersion = "2025-11-25";
inline constexpr size_t kMaxMcpMessageBytes = size_t{4} << 20;
// Sessions an HTTP server keeps: past this, each new one ends the oldest.
inline constexpr size_t kMaxMcpSessions = 256;

// One client's conversation. Not thread-safe (a transport serialises a session's messages).
class McpSession {
 public:
  explicit McpSession(const ToolSet* tools) : tools_(tools) {}

  // The answer to one message (a request, a notification, a response or a batch), or nullopt
  // when none is due (notifications and responses).
  std::optional<nlohmann::json> Handle(const nlohmann::json& message);
  // The answer to one message's text: a parse error when it is not JSON.
  std::optional<nlohmann::json> HandleText(const std::string& text);

  const std::string& protocol_version() const { return version_; }

 private:
  std::optional<nlohmann::json> HandleOne(const nlohmann::json& message);
  nlohmann::json Result(const nlohmann::json& method, const nlohmann::json& params,
                        nlohmann::json* error);

  const ToolSet* tools_;
  std::string version_;
};

// A JSON-RPC error response.
nlohmann::json McpError(const nlohmann::json& id, int code, const std::string& message);

// Serves stdio until `in` ends: a line in, a line out, nothing else on `out`. Lines over
// kMaxMcpMessageBytes are answered with a parse error and skipped.
void ServeMcpStdio(const ToolSet* tools, std::istream& in, std::ostream& out);

// Streamable HTTP on 127.0.0.1:<port>/mcp.
class McpHttpServer {
 public:
  explicit McpHttpServer(const ToolSet* tools);
  ~McpHttpServer();
  McpHttpServer(const McpHttpServer&) = delete;
  McpHttpServer& operator=(const McpHttpServer&) = delete;

  // Binds (port 0: any free one) and serves on a thread of its own; returns the port.
  absl::StatusOr<int> Start(int port);
  void Stop();

 private:
  struct Session {
    absl::Mutex mu;
    McpSession session ABSL_GUARDED_BY(mu);
    explicit Session(const ToolSet* t) : session(t) {}
  };
  std::shared_ptr<Session> Find(const std::string& id);

  const ToolSet* tools_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<std::thread> thread_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // session ids, oldest first
};

}  // namespace tools
}  // namespace sre_eval

#endif  // SRE_EVAL_TOOLS_MCP_H_
