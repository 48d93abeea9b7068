// The tool set and `sre-eval mcp`: the kubectl argument checks, the MCP session's messages,
// the output budget, and the official MCP TypeScript SDK's client driving the server over
// stdio and Streamable HTTP against the sim.
#include "tools/mcp.h"

#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "tools/tool_set.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace tools {
namespace {

using nlohmann::json;

TEST(KubectlArgsTest, OnlyReadOnlyCommandsOnTheGivenCluster) {
  EXPECT_EQ(CheckKubectlArgs({"get", "pods", "-o", "wide"}), "");
  EXPECT_EQ(CheckKubectlArgs({"logs", "deploy/front-end", "--previous", "--since=10m"}), "");
  EXPECT_EQ(CheckKubectlArgs({"top", "pods", "-n", "sock-shop"}), "");
  EXPECT_EQ(CheckKubectlArgs({}),
            "give kubectl's arguments, starting with the command (e.g. get pods)");
  EXPECT_EQ(CheckKubectlArgs({"scale", "deploy/payment", "--replicas=1"}),
            "kubectl scale is not offered: the tool runs only the read-only commands get, "
            "describe, logs, top, events, explain, api-resources, api-versions and version");
  EXPECT_EQ(CheckKubectlArgs({"get", "pods", "--context", "prod"}),
            "--context is set by sre-eval: the tool reads the cluster it was given");
  EXPECT_EQ(CheckKubectlArgs({"get", "--raw", "/sim/v1/clock"}),
            "--raw is not offered (it reads local files, streams without end or reaches past "
            "the API's resources)");
  EXPECT_EQ(CheckKubectlArgs({"get", "-f", "/etc/passwd"}),
            "-f is not offered (it reads local files, streams without end or reaches past the "
            "API's resources)");
  EXPECT_EQ(CheckKubectlArgs({"get", "pods", "-w"}),
            "-w is not offered (it reads local files, streams without end or reaches past the "
            "API's resources)");
  EXPECT_EQ(CheckKubectlArgs({"get", "pods", "-o", "go-template-file=/etc/shadow"}),
            "output formats that read a local file are not offered");
  EXPECT_EQ(CheckKubectlArgs({"get", "pods", "--output=jsonpath-file=/x"}),
            "output formats that read a local file are not offered");
  EXPECT_EQ(CheckKubectlArgs({"get", std::string("po\nds")}),
            "an argument holds a control character");
  EXPECT_EQ(CheckKubectlArgs(std::vector<std::string>(41, "get")), "at most 40 arguments");
}

// A kubectl that prints `out` and records its argv.
class PrintingRunner final : public ProcessRunner {
 public:
  explicit PrintingRunner(std::string out) : out_(std::move(out)) {}
  absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& o) override {
    argv = o.argv;
    SubprocessResult r;
    r.exit_code = 0;
    r.stdout_data = out_;
    return r;
  }
  std::vector<std::string> argv;

 private:
  std::string out_;
};

TEST(KubectlArgsTest, AnActionTaskAlsoOffersTheCommandsThatFix) {
  EXPECT_EQ(CheckKubectlArgs({"scale", "deploy/payment", "--replicas=1"}, /*act=*/true), "");
  EXPECT_EQ(
      CheckKubectlArgs({"set", "resources", "deploy/front-end", "--limits=memory=1500Mi"}, true),
      "");
  EXPECT_EQ(CheckKubectlArgs({"autoscale", "deploy/front-end", "--min=2", "--max=10"}, true), "");
  EXPECT_EQ(CheckKubectlArgs({"rollout", "restart", "deploy/payment"}, true), "");
  EXPECT_EQ(CheckKubectlArgs({"rollout", "status", "deploy/payment", "--timeout=3m"}, true), "");
  EXPECT_EQ(CheckKubectlArgs({"rollout", "status", "deploy/payment"}, true),
            "kubectl rollout status needs --timeout (e.g. --timeout=3m)");
  EXPECT_EQ(CheckKubectlArgs({"rollout", "pause", "deploy/payment"}, true),
            "kubectl rollout is offered for restart, status, undo and history");
  EXPECT_EQ(CheckKubectlArgs({"delete", "job", "locust-payment-act"}, true),
            "kubectl delete is not offered: the tool runs get, describe, logs, top, events, "
            "explain, api-resources, api-versions and version, and in this task scale, set, "
            "autoscale, rollout and patch");
  EXPECT_EQ(CheckKubectlArgs({"patch", "deploy/payment", "-f", "/tmp/x"}, true),
            "-f is not offered (it reads local files, streams without end or reaches past the "
            "API's resources)");
  EXPECT_EQ(CheckKubectlArgs({"scale", "deploy/payment", "--context", "prod"}, true),
            "--context is set by sre-eval: the tool reads the cluster it was given");
}

TEST(ToolSetTest, RunsKubectlOnTheGivenClusterAndCutsTheOutputWithAMarker) {
  PrintingRunner runner(std::string(5000, 'x'));
  ToolEnv env;
  env.cluster.kubeconfig = "/ws/kubeconfig";
  env.cluster.context = "sre-eval-sim";
  env.cluster.ns = "sock-shop";
  env.runner = &runner;
  env.max_output_bytes = 1024;
  std::vector<AuditEntry> audit;
  env.audit = [&](const AuditEntry& e) { audit.push_back(e); };
  ToolSet tools(env);
  ASSERT_EQ(tools.specs().size(), 2u);  // no monitoring named: kubectl and http_get
  ToolResult r = tools.Call("kubectl", {{"args", {"get", "pods"}}});
  EXPECT_FALSE(r.is_error);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.bytes, 5000);
  EXPECT_EQ(r.text, std::string(1024, 'x') +
                        "\n[output truncated: the first 1024 of 5000 bytes; narrow the command "
                        "or the query]");
  EXPECT_EQ(runner.argv, (std::vector<std::string>{
                             "kubectl", "--kubeconfig=/ws/kubeconfig", "--context=sre-eval-sim",
                             "--namespace=sock-shop", "--request-timeout=30s", "get", "pods"}));
  // http_get goes through the services proxy, by kubectl.
  tools.Call("http_get", {{"service", "orders"}, {"path", "/orders?size=5"}});
  EXPECT_EQ(runner.argv.back(),
            "/api/v1/namespaces/sock-shop/services/orders:80/proxy/orders?size=5");
  EXPECT_EQ(runner.argv[runner.argv.size() - 2], "--raw");
  r = tools.Call("http_get", {{"service", "Orders"}, {"path", "/x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.text, "'Orders' is not a Service name");
  r = tools.Call("http_get", {{"service", "orders"}, {"path", "/x"}, {"port", 70000}});
  EXPECT_EQ(r.text, "invalid arguments for http_get: 'port' must be between 1 and 65535");
  r = tools.Call("prometheus_query", {{"query", "up"}});
  EXPECT_EQ(r.text, "unknown tool 'prometheus_query'; the tools are kubectl, http_get");
  EXPECT_TRUE(r.bad_call);
  ASSERT_EQ(audit.size(), 5u);
  EXPECT_EQ(audit[0].tool, "kubectl");
  EXPECT_EQ(audit[0].verb, "get");
  EXPECT_EQ(audit[0].target, "pods");
  EXPECT_EQ(audit[0].status, "ok");
  EXPECT_EQ(audit[0].bytes, 5000);
  EXPECT_EQ(audit[1].target, "services/orders:80/proxy/orders?size=5");
  EXPECT_EQ(audit[2].status, "refused: not a Service name");
  EXPECT_EQ(audit[3].status, "refused: 'port' must be between 1 and 65535");
  EXPECT_EQ(audit[4].status, "refused: unknown tool");
}

json Ask(McpSession& s, const std::string& text) {
  std::optional<json> r = s.HandleText(text);
  return r.has_value() ? *r : json("no answer");
}

TEST(McpSessionTest, HandshakeListCallAndJsonRpcErrors) {
  ToolEnv env;
  env.cluster.prometheus = "http://127.0.0.1:9/prometheus";
  ToolSet tools(env);
  McpSession s(&tools);
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":1,"method":"tools/list"})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":
              "Invalid Request: the session is not initialized (send initialize first)"}})j"));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":"p","method":"ping"})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":"p","result":{}})j"));
  json init = Ask(s, R"j({"jsonrpc":"2.0","id":2,"method":"initialize","params":
                     {"protocolVersion":"2024-11-05","capabilities":{},
                      "clientInfo":{"name":"t","version":"1"}}})j");
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-11-25");  // unsupported: the latest
  EXPECT_EQ(init["result"]["capabilities"], json::parse(R"j({"tools":{"listChanged":false}})j"));
  EXPECT_EQ(init["result"]["serverInfo"]["name"], "sre-eval");
  init = Ask(s, R"j({"jsonrpc":"2.0","id":3,"method":"initialize","params":
                {"protocolVersion":"2025-03-26"}})j");
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-03-26");
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","method":"notifications/initialized"})j"), "no answer");
  json list = Ask(s, R"j({"jsonrpc":"2.0","id":4,"method":"tools/list"})j");
  std::vector<std::string> names;
  for (const json& t : list["result"]["tools"]) {
    names.push_back(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
    EXPECT_EQ(t["annotations"]["readOnlyHint"], true);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"kubectl", "http_get", "prometheus_query",
                                             "prometheus_query_range"}));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":5,"method":"tools/call","params":
                 {"name":"kubectl","arguments":{"args":"get pods"}}})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":
              "invalid arguments for kubectl: 'args' must be an array of strings"}],
              "isError":true}})j"));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"rm"}})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":6,"error":{"code":-32602,
              "message":"Unknown tool: rm"}})j"));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":7,"method":"resources/list"})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":7,"error":{"code":-32601,
              "message":"Method not found: resources/list"}})j"));
  EXPECT_EQ(Ask(s, "{nope"), json::parse(R"j({"jsonrpc":"2.0","id":null,"error":{"code":-32700,
              "message":"Parse error: not JSON"}})j"));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"1.0","id":8,"method":"ping"})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":null,"error":{"code":-32600,
              "message":"Invalid Request: not a JSON-RPC 2.0 message"}})j"));
  EXPECT_EQ(Ask(s, R"j({"jsonrpc":"2.0","id":null,"method":"ping"})j"),
            json::parse(R"j({"jsonrpc":"2.0","id":null,"error":{"code":-32600,
              "message":"Invalid Request: the id must be a string or an integer"}})j"));
  // A batch: answers for its requests only, in order.
  EXPECT_EQ(Ask(s, R"j([{"jsonrpc":"2.0","id":9,"method":"ping"},
                       {"jsonrpc":"2.0","method":"notifications/cancelled"},
                       {"jsonrpc":"2.0","id":10,"method":"ping"}])j"),
            json::parse(R"j([{"jsonrpc":"2.0","id":9,"result":{}},
                            {"jsonrpc":"2.0","id":10,"result":{}}])j"));
}

TEST(McpStdioTest, OneLineInOneLineOutAndOverlongLinesRefused) {
  ToolSet tools(ToolEnv{});
  std::istringstream in(absl::StrCat(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", "\n\n",
                                     std::string(kMaxMcpMessageBytes + 10, 'a'), "\n",
                                     R"({"jsonrpc":"2.0","id":2,"method":"ping"})"));
  std::ostringstream out;
  ServeMcpStdio(&tools, in, out);
  EXPECT_EQ(out.str(),
            "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{}}\n"
            "{\"error\":{\"code\":-32700,\"message\":\"Parse error: a message over 4194304 "
            "bytes\"},\"id\":null,\"jsonrpc\":\"2.0\"}\n"
            "{\"id\":2,\"jsonrpc\":\"2.0\",\"result\":{}}\n");
}

// Streamable HTTP at the edges: the session header, unknown and ended sessions, foreign
// origins, what a client must accept, GET, and a bound on the sessions kept.
TEST(McpHttpTest, SessionsOriginsAndBounds) {
  ToolSet tools(ToolEnv{});
  McpHttpServer server(&tools);
  absl::StatusOr<int> port = server.Start(0);
  ASSERT_TRUE(port.ok()) << port.status();
  httplib::Client c("127.0.0.1", *port);
  const std::string init =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})";
  const std::string ping = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
  auto r = c.Post("/mcp", init, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string first = r->get_header_value("Mcp-Session-Id");
  EXPECT_EQ(first.size(), 32u);
  r = c.Post("/mcp", ping, "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["message"],
            "Bad Request: Mcp-Session-Id header is required");
  r = c.Post("/mcp", {{"Mcp-Session-Id", "nope"}}, ping, "application/json");
  EXPECT_EQ(r->status, 404);
  r = c.Post("/mcp", {{"Mcp-Session-Id", first}}, ping, "application/json");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body), json::parse(R"({"jsonrpc":"2.0","id":2,"result":{}})"));
  r = c.Post("/mcp", {{"Mcp-Session-Id", first}},
             R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "application/json");
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "");
  r = c.Post("/mcp", {{"Origin", "https://evil.example"}}, init, "application/json");
  EXPECT_EQ(r->status, 403);
  r = c.Post("/mcp", {{"Accept", "text/event-stream"}}, init, "application/json");
  EXPECT_EQ(r->status, 406);
  r = c.Post("/mcp", init, "text/plain");
  EXPECT_EQ(r->status, 415);
  r = c.Get("/mcp");
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST, DELETE");
  // 256 more sessions end the first.
  for (size_t i = 0; i < kMaxMcpSessions; ++i) {
    ASSERT_EQ(c.Post("/mcp", init, "application/json")->status, 200);
  }
  r = c.Post("/mcp", {{"Mcp-Session-Id", first}}, ping, "application/json");
  EXPECT_EQ(r->status, 404);
  server.Stop();
}

// The official MCP TypeScript SDK's client (installed by scripts/install-deps.sh) lists and
// calls every tool over both transports against `sre-eval mcp` on its own sim.
TEST(McpE2eTest, TheOfficialTypeScriptClientListsAndCallsEveryTool) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; the kubectl tool runs it";
  const std::string npm_dir = NpmDir();
  if (!std::filesystem::exists(npm_dir + "/node_modules/@modelcontextprotocol/sdk/package.json")) {
    GTEST_SKIP() << "the MCP TypeScript SDK is not installed (scripts/install-deps.sh)";
  }
  TempDir dir;
  const std::string audit = dir.path() + "/audit.jsonl";
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {"node", absl::StrCat(SRE_EVAL_SOURCE_DIR, "/tests/tools/mcp_client.js"), npm_dir,
            SRE_EVAL_BINARY, audit};
  o.timeout = absl::Seconds(120);
  absl::StatusOr<SubprocessResult> r = runner.Run(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->stderr_data;
  const std::string calls =
      R"("server":"sre-eval","tools":["kubectl","http_get","prometheus_query",)"
      R"("prometheus_query_range","loki_query_range","datadog_logs_search",)"
      R"("datadog_metrics_query"],"read_only":true,"calls":[)"
      R"(["kubectl",false,"deployment.apps/carts"],)"
      R"(["kubectl",true,"kubectl delete is not offered: the tool runs only the read-o"],)"
      R"(["kubectl",true,"--kubeconfig is set by sre-eval: the tool reads the cluster "],)"
      R"(["http_get",false,"[{\"count\":1,\"description\":\"Socks fit for a Messiah. You too "],)"
      R"(["http_get",true,"the path must start with / and hold printable ASCII without "],)"
      R"(["prometheus_query",false,"keys data,status"],)"
      R"(["prometheus_query_range",false,"keys data,status"],)"
      R"(["loki_query_range",false,"keys data,status"],)"
      R"(["datadog_logs_search",false,"keys data,meta"],)"
      R"(["datadog_metrics_query",false,)"
      R"("keys from_date,group_by,message,query,res_type,series,status,to_date"],)"
      R"(["kubectl",true,"invalid arguments for kubectl: 'args' must be an array of st"]],)"
      R"("unknown_tool":"MCP error -32602: Unknown tool: rm_rf")";
  EXPECT_EQ(r->stdout_data, absl::StrCat(R"({"stdio":{)", calls, "}}\n", R"({"http":{)", calls,
                                         R"(,"session":true}})", "\n"));
  // The stdio server's audit: every call, refused ones included.
  absl::StatusOr<std::string> text = ReadFile(audit);
  ASSERT_TRUE(text.ok()) << text.status();
  std::vector<std::string> got;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    json e = json::parse(line);
    got.push_back(absl::StrCat(e["tool"].get<std::string>(), " | ", e["verb"].get<std::string>(),
                               " | ", e["target"].get<std::string>(), " | ",
                               e["status"].get<std::string>()));
    EXPECT_TRUE(e["bytes"].is_number_integer() && e["latency_ms"].is_number_integer()) << line;
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "kubectl | get | deployments -o name | ok",
                     "kubectl | delete | pod front-end | refused: kubectl delete is not offered: "
                     "the tool runs only the read-only commands get, describe, logs, top, events, "
                     "explain, api-resources, api-versions and version",
                     "kubectl | get | pods --kubeconfig=/etc/passwd | refused: --kubeconfig is set "
                     "by sre-eval: the tool reads the cluster it was given",
                     "http_get | GET | services/catalogue:80/proxy/catalogue?size=1 | ok",
                     "http_get | GET | services/catalogue:80/proxy/../../api/v1/secrets | refused: "
                     "not a path",
                     "prometheus_query | query | count(kube_deployment_spec_replicas) | ok",
                     "prometheus_query_range | query_range | sum(kube_deployment_spec_replicas) | "
                     "ok",
                     "loki_query_range | query_range | {app=\"front-end\"} |= \"App now running\" "
                     "| ok",
                     "datadog_logs_search | logs_search | service:front-end | ok",
                     "datadog_metrics_query | query | "
                     "max:kubernetes.containers.running{kube_namespace:sock-shop} | ok",
                     "kubectl |  |  | refused: 'args' must be an array of strings",
                     "rm_rf |  |  | refused: unknown tool"}));
}

// agents/mcp.yaml end to end: `sre-eval run` asks a command agent, which starts an MCP-capable
// CLI (here a small one on the official SDK, tests/tools/mcp_cli_agent.js) with `sre-eval mcp
// --env kube` on the run's own cluster and monitoring, and answers from what the tools showed.
TEST(McpE2eTest, ARunAsksAnMcpAgentThatInvestigatesThroughSreEvalMcp) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; the kubectl tool runs it";
  const std::string npm_dir = NpmDir();
  if (!std::filesystem::exists(npm_dir + "/node_modules/@modelcontextprotocol/sdk/package.json")) {
    GTEST_SKIP() << "the MCP TypeScript SDK is not installed (scripts/install-deps.sh)";
  }
  TempDir dir;
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {SRE_EVAL_BINARY, "run",    "--agent", "agents/mcp.yaml", "--incident",
            "payment",       "--seed", "4",       "--out",           dir.path() + "/run"};
  o.working_dir = SRE_EVAL_SOURCE_DIR;
  o.env = {{"MCP_AGENT_ARGV",
            json({"node", absl::StrCat(SRE_EVAL_SOURCE_DIR, "/tests/tools/mcp_cli_agent.js"),
                  npm_dir, "{config}", "{prompt}"})
                .dump()},
           {"SRE_EVAL_BINARY", SRE_EVAL_BINARY}};
  o.timeout = absl::Seconds(300);
  absl::StatusOr<SubprocessResult> r = runner.Run(o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->stdout_data << r->stderr_data;
  absl::StatusOr<std::string> truth_text = ReadFile(dir.path() + "/run/payment/truth.json");
  ASSERT_TRUE(truth_text.ok()) << truth_text.status();
  const int failed = json::parse(*truth_text)["facts"]["payment.failed_order_count"];
  absl::StatusOr<std::string> responses = ReadFile(dir.path() + "/run/responses.jsonl");
  ASSERT_TRUE(responses.ok()) << responses.status();
  int answers = 0;
  for (absl::string_view line : absl::StrSplit(*responses, '\n', absl::SkipEmpty())) {
    json a = json::parse(line);
    if (a["agent"] != "mcp-agent-cli") continue;
    ++answers;
    EXPECT_EQ(a["status"], "ok") << line;
    const std::string answer = a["answer"];
    // Asked after restore: payment is back to 1; every failed order's log line is in Loki.
    EXPECT_TRUE(absl::EndsWith(
        answer, absl::StrCat("The payment deployment has 1 replicas now; Loki holds ", failed,
                             " orders log lines naming PAYMENT_FAILED.")))
        << answer;
  }
  EXPECT_EQ(answers, 5);
  // The MCP server's calls are in the run's trail, each attributed to its question, with the
  // requests they made on the question's own port beneath them.
  absl::StatusOr<std::string> audit = ReadFile(dir.path() + "/run/audit.jsonl");
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::map<std::string, std::vector<std::string>> tools, loki;
  for (absl::string_view line : absl::StrSplit(*audit, '\n', absl::SkipEmpty())) {
    json e = json::parse(line);
    EXPECT_EQ(e["incident"], "payment");
    if (e["source"] == "tool") {
      tools[e["prompt_id"]].push_back(absl::StrCat(e["tool"].get<std::string>(), " ",
                                                   e["verb"].get<std::string>(), " ",
                                                   e["status"].get<std::string>()));
    } else if (e["tool"] == "loki") {
      loki[e["prompt_id"]].push_back(e["query"]);
    }
  }
  EXPECT_EQ(tools.size(), 5u);
  for (const auto& [prompt, calls] : tools) {
    EXPECT_EQ(calls,
              (std::vector<std::string>{"kubectl get ok", "loki_query_range query_range ok"}))
        << prompt;
    EXPECT_EQ(loki[prompt], std::vector<std::string>{"{app=\"orders\"} |= \"PAYMENT_FAILED\""})
        << prompt;
  }
}

}  // namespace
}  // namespace tools
}  // namespace sre_eval
