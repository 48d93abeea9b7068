// sre-eval mcp: the investigation tools (tools/tool_set.h) as an MCP server, over stdio or
// Streamable HTTP, against the simulated cluster or a kube context.
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cli/arg_parser.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "nlohmann/json.hpp"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "tools/audit_log.h"
#include "tools/mcp.h"
#include "tools/tool_set.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {

namespace {

volatile std::sig_atomic_t g_mcp_stop = 0;

void OnMcpSignal(int) { g_mcp_stop = 1; }

}  // namespace

const CommandSpec& McpSpec() {
  static const CommandSpec* spec = new CommandSpec{
      "mcp",
      "serve the investigation tools to an MCP client (stdio or HTTP)",
      "",
      0,
      0,
      "Serves the tools an agent investigates an incident with, over the Model Context\n"
      "Protocol (revisions 2025-11-25, 2025-06-18 and 2025-03-26): by default on stdin and\n"
      "stdout (one JSON-RPC message per line; an MCP client starts `sre-eval mcp` itself),\n"
      "with --http on 127.0.0.1:PORT/mcp (Streamable HTTP: POST, sessions by\n"
      "Mcp-Session-Id; local origins only). The tools, all read-only:\n"
      "  kubectl                 get, describe, logs, top, events, explain, api-resources,\n"
      "                          api-versions, version (argv checked, never a shell)\n"
      "  http_get                a Sock Shop service's path through the services proxy\n"
      "  prometheus_query, prometheus_query_range, loki_query_range, datadog_logs_search,\n"
      "  datadog_metrics_query   when the cluster has that monitoring\n"
      "Each output is cut to --max-output-bytes with a visible marker.\n"
      "\n"
      "--env sim (the default) starts a simulated Sock Shop cluster of its own (its clock\n"
      "following the wall clock; trigger an incident with kubectl and the kubeconfig it\n"
      "prints on stderr) with its Prometheus, Loki and Datadog APIs. --env kube uses\n"
      "--kubeconfig/--context (kubectl's defaults otherwise) and the monitoring you name\n"
      "(--prometheus, --loki, --datadog-site; Datadog keys from DD_API_KEY and DD_APP_KEY,\n"
      "sent on the requests only).\n"
      "\n"
      "--audit FILE appends each call as a JSON line (time, tool, verb, target, status,\n"
      "bytes, latency_ms).\n"
      "\n"
      "Exit code 0 when the client closes stdin (or after Ctrl-C with --http); 2 for bad\n"
      "options; 3 when the sim or the port cannot start.",
      {
          {"env", "sim|kube",
           "the cluster: a simulated one of its own (default) or a kube context"},
          {"seed", "N", "--env sim: seed of the model (default 1)"},
          {"kubeconfig", "FILE", "--env kube: the kubeconfig (default kubectl's)"},
          {"context", "NAME", "--env kube: the context (default the current one)"},
          {"namespace", "NS", "the namespace the tools default to (default sock-shop)"},
          {"prometheus", "URL", "--env kube: the cluster's Prometheus API"},
          {"loki", "URL", "--env kube: the cluster's Loki API"},
          {"datadog-site", "SITE", "--env kube: the Datadog site (datadoghq.eu, ...)"},
          {"http", "PORT", "serve Streamable HTTP on 127.0.0.1:PORT/mcp (0: any free port)"},
          {"audit", "FILE", "append every tool call to FILE as a JSON line"},
          {"max-output-bytes", "N", "the most a tool returns (default 32768)"},
      }};
  return *spec;
}

int RunMcp(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const std::string env = args.Get("env", "sim");
  if (env != "sim" && env != "kube") {
    err << "sre-eval mcp: --env must be sim or kube, got '" << env << "'\n";
    return kExitBadInput;
  }
  if (env == "sim") {
    for (const char* o : {"kubeconfig", "context", "prometheus", "loki", "datadog-site"}) {
      if (args.Has(o)) {
        err << "sre-eval mcp: --" << o << " is for --env kube; the sim serves its own\n";
        return kExitBadInput;
      }
    }
  } else if (args.Has("seed")) {
    err << "sre-eval mcp: --seed is for --env sim\n";
    return kExitBadInput;
  }
  tools::ToolEnv tenv;
  tenv.cluster.ns = args.Get("namespace", "sock-shop");
  if (args.Has("max-output-bytes")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(args.Get("max-output-bytes"), &n) || n < 1024 || n > (64 << 20)) {
      err << "sre-eval mcp: --max-output-bytes must be a number from 1024 to 67108864, got '"
          << args.Get("max-output-bytes") << "'\n";
      return kExitBadInput;
    }
    tenv.max_output_bytes = static_cast<size_t>(n);
  }
  int http_port = -1;
  if (args.Has("http") &&
      (!absl::SimpleAtoi(args.Get("http"), &http_port) || http_port < 0 || http_port > 65535)) {
    err << "sre-eval mcp: --http must be a port from 0 to 65535, got '" << args.Get("http")
        << "'\n";
    return kExitBadInput;
  }
  for (const char* api : {"prometheus", "loki"}) {
    const std::string url = args.Get(api);
    if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      err << "sre-eval mcp: --" << api << " must be an http:// or https:// URL, got '" << url
          << "'\n";
      return kExitBadInput;
    }
  }
  if (const char* k = std::getenv("SRE_EVAL_KUBECTL"); k != nullptr && *k != '\0') {
    tenv.kubectl = k;
  }

  std::unique_ptr<std::ofstream> audit_file;
  absl::Mutex audit_mu;
  if (args.Has("audit")) {
    audit_file = std::make_unique<std::ofstream>(args.Get("audit"), std::ios::app);
    if (!*audit_file) {
      err << "sre-eval mcp: cannot open --audit file '" << args.Get("audit") << "'\n";
      return kExitBadInput;
    }
    std::ofstream* f = audit_file.get();
    tenv.audit = [f, &audit_mu](const tools::AuditEntry& e) {
      const nlohmann::json line = tools::AuditEntryJson(e);
      absl::MutexLock lock(&audit_mu);
      *f << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
         << std::flush;
    };
  }

  // --env sim: a cluster of its own, its kubeconfig in a private folder.
  std::unique_ptr<sim::Sim> model;
  std::unique_ptr<sim::ApiServer> server;
  std::string workspace;
  if (env == "sim") {
    sim::SimOptions options;
    if (args.Has("seed") && !absl::SimpleAtoi(args.Get("seed"), &options.seed)) {
      err << "sre-eval mcp: --seed must be a whole number, got '" << args.Get("seed") << "'\n";
      return kExitBadInput;
    }
    options.start = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
    absl::StatusOr<std::unique_ptr<sim::Sim>> made = sim::Sim::Create(options);
    if (!made.ok()) {
      err << "sre-eval mcp: " << made.status().message() << "\n";
      return kExitEnvironment;
    }
    model = *std::move(made);
    server = std::make_unique<sim::ApiServer>(model.get());
    absl::StatusOr<int> bound = server->Start(0);
    if (!bound.ok()) {
      err << "sre-eval mcp: " << bound.status().message() << "\n";
      return kExitEnvironment;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/sre-eval-mcp-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      err << "sre-eval mcp: cannot make a folder for the kubeconfig: " << StrError(errno) << "\n";
      return kExitEnvironment;
    }
    workspace = pattern;
    tenv.cluster.kubeconfig = workspace + "/kubeconfig";
    absl::Status written = WriteFileAtomically(tenv.cluster.kubeconfig, server->Kubeconfig());
    if (!written.ok()) {
      err << "sre-eval mcp: cannot write the kubeconfig: " << written.message() << "\n";
      return kExitEnvironment;
    }
    tenv.cluster.context = "sre-eval-sim";
    const std::string base = absl::StrCat("http://127.0.0.1:", *bound);
    tenv.cluster.prometheus = base + "/prometheus";
    tenv.cluster.loki = base + "/loki";
    tenv.cluster.datadog = base + "/datadog";
    err << "sre-eval mcp: simulated Sock Shop cluster at " << base << " (seed " << options.seed
        << "); kubeconfig " << tenv.cluster.kubeconfig << "\n";
  } else {
    tenv.cluster.kubeconfig = args.Get("kubeconfig");
    tenv.cluster.context = args.Get("context");
    tenv.cluster.prometheus = args.Get("prometheus");
    tenv.cluster.loki = args.Get("loki");
    if (args.Has("datadog-site")) tenv.cluster.datadog = "https://api." + args.Get("datadog-site");
  }

  PosixProcessRunner runner;
  CurlHttpClient http;
  tenv.runner = &runner;
  tenv.http = &http;
  tools::ToolSet tools(tenv);

  // The sim's clock follows the wall clock while the server runs.
  std::atomic<bool> done{false};
  std::thread clock;
  if (model != nullptr) {
    const absl::Time wall_start = absl::Now(), virtual_start = model->Now();
    sim::Sim* m = model.get();
    clock = std::thread([m, &done, wall_start, virtual_start] {
      while (!done) {
        absl::SleepFor(absl::Milliseconds(200));
        m->AdvanceTo(virtual_start + absl::Trunc(absl::Now() - wall_start, absl::Seconds(1)));
      }
    });
  }
  int code = kExitOk;
  if (http_port >= 0) {
    tools::McpHttpServer mcp(&tools);
    absl::StatusOr<int> bound = mcp.Start(http_port);
    if (!bound.ok()) {
      err << "sre-eval mcp: " << bound.status().message() << "\n";
      code = kExitEnvironment;
    } else {
      out << "sre-eval mcp: Streamable HTTP at http://127.0.0.1:" << *bound << "/mcp\n"
          << std::flush;
      std::signal(SIGINT, OnMcpSignal);
      std::signal(SIGTERM, OnMcpSignal);
      while (!g_mcp_stop) absl::SleepFor(absl::Milliseconds(100));
      mcp.Stop();
    }
  } else {
    tools::ServeMcpStdio(&tools, std::cin, out);
  }
  done = true;
  if (clock.joinable()) clock.join();
  if (server != nullptr) server->Stop();
  if (!workspace.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(workspace, ec);
  }
  return code;
}

}  // namespace sre_eval
