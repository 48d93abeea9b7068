// Fuzzes the MCP server's message handling (tools/mcp.h): each input is a stream of lines, as
// a client writes them on stdin, handled by one session whose tools reach nothing (no kubectl,
// no HTTP: a call answers with an error). Every answer must be one line of JSON-RPC 2.0.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_input.h"
#include "nlohmann/json.hpp"
#include "tools/mcp.h"
#include "tools/tool_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65536) return 0;
  static const sre_eval::tools::ToolSet* tools = [] {
    sre_eval::tools::ToolEnv env;
    env.cluster.prometheus = "http://127.0.0.1:9/prometheus";
    env.cluster.loki = "http://127.0.0.1:9/loki";
    env.cluster.datadog = "http://127.0.0.1:9/datadog";
    return new sre_eval::tools::ToolSet(env);
  }();
  std::istringstream in(std::string(sre_eval::fuzz::AsText(data, size)));
  std::ostringstream out;
  sre_eval::tools::ServeMcpStdio(tools, in, out);
  std::istringstream lines(out.str());
  std::string line;
  while (std::getline(lines, line)) {
    nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    FUZZ_CHECK(!r.is_discarded());
    if (r.is_array()) {
      for (const auto& e : r) FUZZ_CHECK(e.is_object() && e.value("jsonrpc", "") == "2.0");
    } else {
      FUZZ_CHECK(r.is_object() && r.value("jsonrpc", "") == "2.0");
      FUZZ_CHECK(r.contains("result") != r.contains("error"));
    }
  }
  return 0;
}
