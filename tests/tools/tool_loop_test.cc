// The built-in tool-calling loop against a scripted OpenAI-compatible server on 127.0.0.1 (real
// HTTP, a real libcurl client): exact trajectories, every bound, the servers' tool-call
// dialects, malformed calls, usage. kubectl is a fake here: the loop is the code under test.
#include "tools/tool_loop.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "../agent/agent_test_server.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace tools {
namespace {

using nlohmann::json;

// A chat completions reply with `message` and usage.
json Reply(json message, int prompt_tokens = 100, int completion_tokens = 10) {
  message["role"] = "assistant";
  return {{"id", "chatcmpl-1"},
          {"object", "chat.completion"},
          {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", "tool_calls"}}}},
          {"usage",
           {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens}}}};
}

json Call(const std::string& id, const std::string& name, const std::string& arguments) {
  return {
      {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}};
}

json Calls(std::vector<json> calls) { return {{"content", nullptr}, {"tool_calls", calls}}; }

class ToolLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Post("/v1/chat/completions",
                          [this](const httplib::Request& req, httplib::Response& res) {
                            absl::MutexLock lock(&mu_);
                            bodies_.push_back(json::parse(req.body));
                            if (replies_.empty()) {
                              res.status = 500;
                              res.set_content("script ended", "text/plain");
                              return;
                            }
                            json r = replies_.front();
                            if (replies_.size() > 1 || !repeat_last_) replies_.pop_front();
                            if (r.is_string()) {
                              res.set_content(r.get<std::string>(), "application/json");
                            } else {
                              res.set_content(r.dump(), "application/json");
                            }
                          });
    ASSERT_GT(server_.Start(), 0);
    config_.kind = "openai";
    config_.name = "scripted";
    config_.context_mode = "tools";
    config_.base_url = server_.url("/v1");
    config_.model = "m";
    config_.api_key = "sk-loop-secret";
    config_.secrets = {"sk-loop-secret"};
    config_.policy.retries = 0;
    config_.policy.timeout = absl::Seconds(10);
    request_.incident = "crash";
    request_.prompt_id = "i1.why_crash";
    request_.trial = 1;
    request_.message = "Why does the front-end crash?";
    request_.window_start = "2026-12-07T10:00:00Z";
    request_.window_end = "2026-12-07T10:15:00Z";
    request_.cluster = {"/ws/kubeconfig", "sre-eval-sim", "sock-shop", "", "", ""};
  }
  void TearDown() override {
    http_.reset();
    server_.Stop();
  }

  void Script(std::vector<json> replies, bool repeat_last = false) {
    absl::MutexLock lock(&mu_);
    replies_.assign(replies.begin(), replies.end());
    repeat_last_ = repeat_last;
  }
  std::vector<json> Bodies() {
    absl::MutexLock lock(&mu_);
    return bodies_;
  }

  agent::AgentAnswer Ask(Clock* clock = SystemClock::Get()) {
    ToolLoopAgent agent(config_, http_.get(), &runner_, clock, 42,
                        [this](const agent::AgentRequest& r, const AuditEntry& e) {
                          absl::MutexLock lock(&mu_);
                          audit_.push_back(absl::StrCat(r.prompt_id, " ", e.tool, " ", e.verb, " ",
                                                        e.target, " | ", e.status));
                        });
    return agent.Ask(request_);
  }

  agent::AgentTestServer server_;
  std::unique_ptr<HttpClient> http_ = std::make_unique<CurlHttpClient>();
  FakeProcessRunner runner_{[this](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
    if (on_kubectl_) on_kubectl_();
    SubprocessResult r;
    r.exit_code = 0;
    r.stdout_data = absl::StrCat("out of ", absl::StrJoin(o.argv.begin() + 5, o.argv.end(), " "));
    return r;
  }};
  std::function<void()> on_kubectl_;
  agent::AgentConfig config_;
  agent::AgentRequest request_;
  absl::Mutex mu_;
  std::deque<json> replies_;
  bool repeat_last_ = false;
  std::vector<json> bodies_;
  std::vector<std::string> audit_;
};

// Parallel calls, a tool not offered, arguments that are not JSON, then the answer: every
// result goes back as its tool message, in order, and the counts say what happened.
TEST_F(ToolLoopTest, ExactTrajectory) {
  Script({Reply(Calls({Call("a", "kubectl", R"({"args":["get","pods"]})"),
                       Call("b", "prometheus_query", R"({"query":"up"})")})),
          Reply(Calls({Call("c", "kubectl", R"({"args":["logs",)")}), 200, 20),
          Reply(Calls({Call("d", "answer", R"({"answer":"front-end ran out of memory"})")}), 300,
                30)});
  request_.cluster.kube_cache_dir = "/ws/kube-cache";
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.text, "front-end ran out of memory");
  EXPECT_TRUE(a.looped);
  EXPECT_EQ(a.loop.turns, 3);
  EXPECT_EQ(a.loop.tool_calls, 2);
  EXPECT_EQ(a.loop.malformed_calls, 2);
  EXPECT_EQ(a.loop.failed_calls, 2);
  EXPECT_EQ(a.loop.stop, "answer");
  EXPECT_EQ(a.usage.prompt_tokens, 600);
  EXPECT_EQ(a.usage.completion_tokens, 60);
  EXPECT_EQ(a.usage.total_tokens, 660);
  EXPECT_EQ(a.attempts, 3);

  std::vector<json> bodies = Bodies();
  ASSERT_EQ(bodies.size(), 3u);
  // The first request: the tools offered (no monitoring here), and the question with its window.
  std::vector<std::string> names;
  for (const json& t : bodies[0]["tools"]) names.push_back(t["function"]["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"kubectl", "http_get", "answer"}));
  EXPECT_EQ(bodies[0]["tool_choice"], "auto");
  EXPECT_EQ(bodies[0]["model"], "m");
  ASSERT_EQ(bodies[0]["messages"].size(), 2u);
  EXPECT_EQ(bodies[0]["messages"][0]["role"], "system");
  EXPECT_EQ(bodies[0]["messages"][1],
            json({{"role", "user"},
                  {"content",
                   "Why does the front-end crash?\n\nThe incident window: 2026-12-07T10:00:00Z to "
                   "2026-12-07T10:15:00Z. The application runs in namespace sock-shop."}}));
  // The second: the model's calls echoed, then one result per call, in order.
  const json& m = bodies[1]["messages"];
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[2]["role"], "assistant");
  EXPECT_EQ(m[2]["content"], nullptr);
  EXPECT_EQ(m[2]["tool_calls"][1]["function"]["name"], "prometheus_query");
  EXPECT_EQ(m[3], json({{"role", "tool"}, {"tool_call_id", "a"}, {"content", "out of get pods"}}));
  EXPECT_EQ(m[4], json({{"role", "tool"},
                        {"tool_call_id", "b"},
                        {"content",
                         "unknown tool 'prometheus_query'; the tools are kubectl, "
                         "http_get"}}));
  const json& m3 = bodies[2]["messages"];
  ASSERT_EQ(m3.size(), 7u);
  EXPECT_EQ(m3[6], json({{"role", "tool"},
                         {"tool_call_id", "c"},
                         {"content",
                          "error: the arguments are not valid JSON: {\"args\":[\"logs\",; call "
                          "kubectl again with a JSON object"}}));
  // The audit sees the calls that reached the tool set, attributed to the question.
  EXPECT_EQ(audit_, (std::vector<std::string>{"i1.why_crash kubectl get pods | ok",
                                              "i1.why_crash prometheus_query   | refused: "
                                              "unknown tool"}));
  // kubectl ran with the question's kubeconfig, context and namespace.
  ASSERT_EQ(runner_.calls().size(), 1u);
  EXPECT_EQ(
      runner_.calls()[0].argv,
      (std::vector<std::string>{"kubectl", "--kubeconfig=/ws/kubeconfig", "--context=sre-eval-sim",
                                "--namespace=sock-shop", "--request-timeout=30s", "get", "pods"}));
  EXPECT_EQ(runner_.calls()[0].env,
            (std::vector<std::pair<std::string, std::string>>{{"KUBECACHEDIR", "/ws/kube-cache"}}));
}

TEST_F(ToolLoopTest, AnAnswerAtOnceEndsInOneTurn) {
  Script({Reply({{"content", "payment is scaled to 0"}}, 50, 5)});
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.text, "payment is scaled to 0");
  EXPECT_EQ(a.loop.turns, 1);
  EXPECT_EQ(a.loop.tool_calls, 0);
  EXPECT_EQ(a.loop.stop, "message");
  EXPECT_EQ(a.usage.total_tokens, 55);
}

TEST_F(ToolLoopTest, AModelThatNeverAnswersEndsAtTheTurnBound) {
  config_.loop.max_turns = 3;
  Script({Reply(Calls({Call("x", "kubectl", R"({"args":["get","pods"]})")}))}, true);
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "no answer within 3 turns (tools.max_turns)");
  EXPECT_EQ(a.text, "");
  EXPECT_EQ(a.loop.turns, 3);
  EXPECT_EQ(a.loop.tool_calls, 3);
  EXPECT_EQ(a.loop.stop, "turns");
  EXPECT_EQ(a.usage.total_tokens, 330);
  EXPECT_EQ(Bodies().size(), 3u);
}

TEST_F(ToolLoopTest, TheToolCallBoundCountsCallsNotTurns) {
  config_.loop.max_calls = 2;
  Script({Reply(Calls({Call("1", "kubectl", R"({"args":["get","pods"]})"),
                       Call("2", "kubectl", R"({"args":["get","events"]})"),
                       Call("3", "kubectl", R"({"args":["top","pods"]})")}))});
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "no answer within 2 tool calls (tools.max_calls)");
  EXPECT_EQ(a.loop.tool_calls, 2);
  EXPECT_EQ(a.loop.turns, 1);
  EXPECT_EQ(a.loop.stop, "calls");
  EXPECT_EQ(runner_.calls().size(), 2u);
}

TEST_F(ToolLoopTest, TheTokenBoundStopsBeforeTheNextTurn) {
  config_.loop.max_tokens = 200;
  Script({Reply(Calls({Call("x", "kubectl", R"({"args":["get","pods"]})")}), 150, 10)}, true);
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "no answer within 200 tokens (tools.max_tokens): 320 used");
  EXPECT_EQ(a.loop.turns, 2);
  EXPECT_EQ(a.loop.stop, "tokens");
}

TEST_F(ToolLoopTest, TheTimeBoundIsOnTheClock) {
  FakeClock clock(absl::FromUnixSeconds(1000000));
  config_.loop.time = absl::Minutes(10);
  on_kubectl_ = [&clock] { clock.Advance(absl::Minutes(4)); };
  Script({Reply(Calls({Call("x", "kubectl", R"({"args":["get","pods"]})")}))}, true);
  agent::AgentAnswer a = Ask(&clock);
  EXPECT_EQ(a.error, "no answer within 10m (tools.time)");
  EXPECT_EQ(a.loop.turns, 3);
  EXPECT_EQ(a.loop.stop, "time");
  EXPECT_EQ(a.latency, absl::Minutes(12));
}

// Ollama: arguments as an object and no ids; then a llama.cpp template the server did not parse.
TEST_F(ToolLoopTest, ServersDialectsAreRead) {
  Script(
      {Reply(
           {{"content", ""},
            {"tool_calls",
             {{{"function", {{"name", "kubectl"}, {"arguments", {{"args", {"get", "svc"}}}}}}},
              {{"function", {{"name", "kubectl"}, {"arguments", {{"args", {"top", "pods"}}}}}}}}}}),
       Reply({{"content",
               "<tool_call>\n{\"name\": \"kubectl\", \"arguments\": {\"args\": [\"get\", "
               "\"events\"]}}\n</tool_call>"}}),
       Reply({{"content",
               "[TOOL_CALLS] [{\"name\": \"answer\", \"arguments\": {\"answer\": "
               "\"carts\"}}]"}})});
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.text, "carts");
  EXPECT_EQ(a.loop.tool_calls, 3);
  EXPECT_EQ(a.loop.malformed_calls, 0);
  std::vector<json> bodies = Bodies();
  ASSERT_EQ(bodies.size(), 3u);
  const json& m = bodies[2]["messages"];
  // Ids numbered by the loop; arguments sent back as JSON text, as OpenAI's format has them.
  EXPECT_EQ(m[2]["tool_calls"][0]["id"], "call_1_1");
  EXPECT_EQ(m[2]["tool_calls"][1]["id"], "call_1_2");
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["arguments"], R"({"args":["get","svc"]})");
  EXPECT_EQ(m[3]["tool_call_id"], "call_1_1");
  EXPECT_EQ(m[5]["tool_calls"][0]["id"], "call_2_1");
  EXPECT_EQ(m[6]["content"], "out of get events");
}

TEST_F(ToolLoopTest, AnEndpointFailureIsTheAnswersErrorWithoutTheKey) {
  Script({Reply(Calls({Call("x", "kubectl", R"({"args":["get","pods"]})")}))});
  agent::AgentAnswer a = Ask();  // the second turn finds the script ended: HTTP 500
  EXPECT_EQ(a.error, "turn 2: HTTP 500: script ended");
  EXPECT_EQ(a.loop.stop, "error");
  EXPECT_EQ(a.loop.turns, 2);
  EXPECT_EQ(a.usage.total_tokens, 110);  // the tokens spent are kept
  EXPECT_EQ(a.error.find("sk-loop-secret"), std::string::npos);
}

TEST_F(ToolLoopTest, AnEmptyAnswerIsMalformedAndNeitherCallNorAnswerIsAnError) {
  Script({Reply(Calls({Call("x", "answer", R"({"answer":"  "})")})), Reply({{"content", ""}}),
          Reply({{"content", "late"}})});
  agent::AgentAnswer a = Ask();
  EXPECT_EQ(a.error, "turn 2: the model sent neither a tool call nor an answer");
  EXPECT_EQ(a.loop.malformed_calls, 1);
  EXPECT_EQ(Bodies()[1]["messages"][3]["content"],
            "error: answer takes {\"answer\": \"your complete answer\"}, a non-empty string");
}

TEST_F(ToolLoopTest, ReadToolCallsNamesCallsWithoutAFunction) {
  // Content that holds no call is an answer, not a call.
  EXPECT_TRUE(ReadToolCalls(json::parse(R"({"content":"x"})"), 1).empty());
  std::vector<ModelToolCall> calls =
      ReadToolCalls(json::parse(R"({"tool_calls":[{"id":"q"},7,{"function":{"name":"kubectl",
      "arguments":[1]}}],"content":"x"})"),
                    4);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "q");
  EXPECT_EQ(calls[0].arguments_error, "the tool call names no function");
  EXPECT_EQ(calls[1].id, "call_4_2");
  EXPECT_EQ(calls[1].arguments_error,
            "the arguments must be a JSON object (or a string holding one)");
  calls = ReadToolCalls(json::parse(R"({"function_call":{"name":"kubectl","arguments":
      "{\"args\":[\"get\",\"pods\"]}"}})"),
                        1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].arguments, json::parse(R"({"args":["get","pods"]})"));
}

}  // namespace
}  // namespace tools
}  // namespace sre_eval
