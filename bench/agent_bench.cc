// The agent clients' speed: 1000 calls with 32 in flight to a local server that answers at
// once (the target is under 2 s), and sre-eval's own cost per call: an agent call against an
// in-process fake HTTP client, and a call through the real client next to a bare client call
// to the same server (the difference is the agent's overhead).
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/command_agent.h"
#include "agent/factory.h"
#include "agent/http_agent.h"
#include "agent/openai_agent.h"
#include "benchmark/benchmark.h"
#include "tools/tool_loop.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {
namespace {

// An httplib server on 127.0.0.1 that answers every POST /ask at once.
class InstantServer {
 public:
  InstantServer() {
    server_.set_tcp_nodelay(true);
    server_.new_task_queue = [] { return new httplib::ThreadPool(48); };
    server_.Post("/ask", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"answer": "carts ran out of memory"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~InstantServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/ask"); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

AgentRequest Request(int i) {
  AgentRequest request;
  request.incident = "crash";
  request.prompt_id = absl::StrCat("p", i);
  request.message = "Why did carts crash? Name the root cause and the evidence.";
  request.history = {{"user", "What broke?"}, {"assistant", "carts restarted 3 times"}};
  request.window_start = "2026-03-01T10:00:00Z";
  request.window_end = "2026-03-01T10:30:00Z";
  request.cluster = {"/run/kubeconfig", "sim", "sock-shop"};
  return request;
}

AgentConfig HttpConfig(const std::string& url) {
  AgentConfig config;
  config.kind = "http";
  config.context_mode = "none";
  config.url = url;
  config.answer_pointer = "/answer";
  config.headers = {{"Authorization", "Bearer tok-123"}};
  config.secrets = {"tok-123"};
  return config;
}

void BM_AskAll1000CallsJobs32(benchmark::State& state) {
  InstantServer server;
  // One client per run, as sre-eval has: its pool keeps the connections alive.
  CurlHttpClient client;
  HttpAgent agent(HttpConfig(server.url()), &client, SystemClock::Get(), 1);
  std::vector<AgentRequest> requests;
  for (int i = 0; i < 1000; ++i) requests.push_back(Request(i));
  for (auto _ : state) {
    std::vector<AgentAnswer> answers = AskAll(&agent, requests, 32, nullptr);
    for (const AgentAnswer& answer : answers) {
      if (!answer.ok()) {
        state.SkipWithError(answer.error.c_str());
        return;
      }
    }
  }
  state.counters["calls_per_s"] =
      benchmark::Counter(1000.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AskAll1000CallsJobs32)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// The agent's own work per call (request JSON, the retry loop, parsing, redaction) against a
// client that answers in memory.
void BM_HttpAgentOverheadFakeClient(benchmark::State& state) {
  FakeHttpClient client([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse response;
    response.status = 200;
    response.headers = {{"content-type", "application/json"}};
    response.body = R"({"answer": "carts ran out of memory"})";
    return response;
  });
  HttpAgent agent(HttpConfig("http://agent.test/ask"), &client, SystemClock::Get(), 1);
  AgentRequest request = Request(0);
  for (auto _ : state) benchmark::DoNotOptimize(agent.Ask(request));
}
BENCHMARK(BM_HttpAgentOverheadFakeClient)->Unit(benchmark::kMicrosecond);

void BM_OpenAiAgentOverheadFakeClient(benchmark::State& state) {
  FakeHttpClient client([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse response;
    response.status = 200;
    response.headers = {{"content-type", "application/json"}};
    response.body = R"({"choices": [{"message": {"role": "assistant", "content": "carts ran out
of memory"}}], "usage": {"prompt_tokens": 100, "completion_tokens": 8, "total_tokens": 108}})";
    return response;
  });
  AgentConfig config;
  config.kind = "openai";
  config.base_url = "http://agent.test/v1";
  config.model = "m";
  config.api_key = "sk-1";
  config.secrets = {"sk-1"};
  OpenAiAgent agent(config, &client, SystemClock::Get(), 1);
  AgentRequest request = Request(0);
  request.evidence = std::string(8 << 10, 'e');
  for (auto _ : state) benchmark::DoNotOptimize(agent.Ask(request));
}
BENCHMARK(BM_OpenAiAgentOverheadFakeClient)->Unit(benchmark::kMicrosecond);

// One call at a time to the local server: through the agent, and with the bare client.
void BM_HttpAgentCallLocal(benchmark::State& state) {
  InstantServer server;
  CurlHttpClient client;
  HttpAgent agent(HttpConfig(server.url()), &client, SystemClock::Get(), 1);
  AgentRequest request = Request(0);
  for (auto _ : state) benchmark::DoNotOptimize(agent.Ask(request));
}
BENCHMARK(BM_HttpAgentCallLocal)->Unit(benchmark::kMicrosecond);

void BM_BareClientCallLocal(benchmark::State& state) {
  InstantServer server;
  CurlHttpClient client;
  HttpRequest request;
  request.method = "POST";
  request.url = server.url();
  request.body = DefaultRequestJson(Request(0)).dump();
  for (auto _ : state) benchmark::DoNotOptimize(client.Send(request));
}
BENCHMARK(BM_BareClientCallLocal)->Unit(benchmark::kMicrosecond);

// The built-in tool-calling loop's own work per turn (issue 20: under 1 ms beside the model's
// time): a question of range(0) turns, each but the last a kubectl call whose output is 4 KiB,
// against a model and a kubectl that answer in memory. The conversation grows each turn, as
// it does with a real model, so later turns send more.
void BM_ToolLoopOverheadPerTurn(benchmark::State& state) {
  const int turns = static_cast<int>(state.range(0));
  int turn = 0;
  FakeHttpClient client([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse response;
    response.status = 200;
    response.headers = {{"content-type", "application/json"}};
    ++turn;
    response.body =
        turn % turns != 0
            ? absl::StrCat(
                  R"({"choices":[{"message":{"role":"assistant","content":null,)",
                  R"("tool_calls":[{"id":"c)", turn, R"(","type":"function","function":)",
                  R"({"name":"kubectl","arguments":"{\"args\":[\"get\",\"pods\"]}"}}]}}],)",
                  R"("usage":{"prompt_tokens":1000,"completion_tokens":20}})")
            : R"({"choices":[{"message":{"role":"assistant","content":"carts ran out of memory"}}]})";
    return response;
  });
  const std::string output(4096, 'p');
  FakeProcessRunner runner([&](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    SubprocessResult r;
    r.exit_code = 0;
    r.stdout_data = output;
    return r;
  });
  AgentConfig config;
  config.kind = "openai";
  config.context_mode = "tools";
  config.base_url = "http://agent.test/v1";
  config.model = "m";
  config.loop.max_turns = turns;
  tools::ToolLoopAgent agent(config, &client, &runner, SystemClock::Get(), 1,
                             [](const AgentRequest&, const tools::AuditEntry&) {});
  AgentRequest request = Request(0);
  request.cluster.prometheus = "http://127.0.0.1:9/prometheus";
  for (auto _ : state) {
    AgentAnswer a = agent.Ask(request);
    if (!a.ok() || a.loop.turns != turns) state.SkipWithError("the loop did not run its turns");
  }
  state.counters["per_turn"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * turns,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ToolLoopOverheadPerTurn)->Arg(5)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace agent
}  // namespace sre_eval
