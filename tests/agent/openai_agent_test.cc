#include "agent/openai_agent.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "agent_test_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {
namespace {

constexpr char kKey[] = "sk-test-51c0ffee";

AgentRequest Request() {
  AgentRequest request;
  request.incident = "crash";
  request.prompt_id = "i1.why_crash";
  request.message = "Why did carts crash?";
  request.history = {{"user", "What broke?"}, {"assistant", "carts restarted"}};
  request.evidence = "carts: 3 restarts, OOMKilled";
  return request;
}

class OpenAiAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    httplib::Server& s = server_.server();
    s.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      {
        absl::MutexLock lock(&mu_);
        target_ = req.target;
        authorization_ =
            req.has_header("Authorization") ? req.get_header_value("Authorization") : "<none>";
        api_key_header_ = req.get_header_value("api-key");
        body_ = req.body;
      }
      if (calls_++ < failures_) {
        res.status = failure_status_;
        res.set_header("Retry-After", "2");
        res.set_content(absl::StrCat("overloaded; key ", req.get_header_value("Authorization")),
                        "text/plain");
        return;
      }
      res.set_content(reply_, "application/json");
    });
    ASSERT_GT(server_.Start(), 0);
  }

  void TearDown() override {
    client_.reset();
    server_.Stop();
  }

  AgentConfig Config() {
    AgentConfig config;
    config.kind = "openai";
    config.context_mode = "evidence";
    config.base_url = server_.url("/v1/");
    config.model = "gpt-4o-mini";
    config.api_key = kKey;
    config.temperature = 0.5;
    config.max_tokens = 300;
    config.system = "You are an SRE.";
    config.headers = {{"api-key", "azure-key"}};
    config.query = {{"api-version", "2024-06-01"}};
    config.secrets = {kKey, "azure-key"};
    return config;
  }

  AgentAnswer Ask(const AgentConfig& config) {
    OpenAiAgent agent(config, client_.get(), &clock_, /*seed=*/3);
    return agent.Ask(Request());
  }

  AgentTestServer server_;
  std::unique_ptr<CurlHttpClient> client_ = std::make_unique<CurlHttpClient>();
  FakeClock clock_{At("2026-01-01T00:00:00Z")};
  std::atomic<int> calls_{0};
  int failures_ = 0;
  int failure_status_ = 429;
  std::string reply_ = R"({"id": "c1", "choices": [{"index": 0, "message": {"role": "assistant",
      "content": "carts was OOMKilled"}}], "usage": {"prompt_tokens": 120, "completion_tokens": 7,
      "total_tokens": 127}})";
  absl::Mutex mu_;
  std::string target_, authorization_, api_key_header_, body_;
};

TEST_F(OpenAiAgentTest, SendsAChatCompletionAndReadsTheAnswerAndUsage) {
  AgentAnswer answer = Ask(Config());
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "carts was OOMKilled");
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_EQ(answer.usage.prompt_tokens, 120);
  EXPECT_EQ(answer.usage.completion_tokens, 7);
  EXPECT_EQ(answer.usage.total_tokens, 127);
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(target_, "/v1/chat/completions?api-version=2024-06-01");
  EXPECT_EQ(authorization_, absl::StrCat("Bearer ", kKey));
  EXPECT_EQ(api_key_header_, "azure-key");
  EXPECT_EQ(nlohmann::json::parse(body_), nlohmann::json::parse(R"({
    "model": "gpt-4o-mini",
    "messages": [
      {"role": "system", "content": "You are an SRE."},
      {"role": "user", "content": "What broke?"},
      {"role": "assistant", "content": "carts restarted"},
      {"role": "user",
       "content": "Why did carts crash?\n\n## Evidence\n\ncarts: 3 restarts, OOMKilled"}],
    "temperature": 0.5, "max_tokens": 300})"));
}

TEST_F(OpenAiAgentTest, NoKeyNoSystemNoEvidenceNoUsage) {
  AgentConfig config = Config();
  config.api_key.clear();
  config.system.clear();
  config.headers.clear();
  config.query.clear();
  reply_ = R"({"choices": [{"message": {"content": "fine"}}]})";
  OpenAiAgent agent(config, client_.get(), &clock_, 3);
  AgentRequest request = Request();
  request.evidence.clear();
  request.history.clear();
  AgentAnswer answer = agent.Ask(request);
  EXPECT_EQ(answer.text, "fine");
  EXPECT_EQ(answer.usage.prompt_tokens, -1);
  EXPECT_EQ(answer.usage.completion_tokens, -1);
  EXPECT_EQ(answer.usage.total_tokens, -1);
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(target_, "/v1/chat/completions");
  EXPECT_EQ(authorization_, "<none>");
  EXPECT_EQ(nlohmann::json::parse(body_)["messages"],
            nlohmann::json::parse(R"([{"role": "user", "content": "Why did carts crash?"}])"));
}

TEST_F(OpenAiAgentTest, AMissingAnswerStillRecordsUsage) {
  reply_ = R"({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 0,
               "total_tokens": 5}})";
  AgentAnswer answer = Ask(Config());
  EXPECT_EQ(answer.error, "no string at /choices/0/message/content in the response");
  EXPECT_EQ(answer.text, "");
  EXPECT_EQ(answer.usage.total_tokens, 5);
}

TEST_F(OpenAiAgentTest, WaitsOutA429) {
  failures_ = 1;
  AgentAnswer answer = Ask(Config());
  EXPECT_EQ(answer.text, "carts was OOMKilled");
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(clock_.slept(), absl::Seconds(2));
}

TEST_F(OpenAiAgentTest, AnErrorNeverShowsTheKey) {
  failures_ = 10;
  failure_status_ = 502;
  AgentConfig config = Config();
  config.policy.retries = 1;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "HTTP 502 after 2 attempts: overloaded; key Bearer [REDACTED]");
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(answer.http_status, 502);
}

TEST(ChatCompletionsUrlTest, JoinsAndEncodes) {
  AgentConfig config;
  config.base_url = "https://example.test/openai/v1";
  EXPECT_EQ(ChatCompletionsUrl(config), "https://example.test/openai/v1/chat/completions");
  config.base_url = "https://example.test/v1/";
  config.query = {{"api-version", "2024-06-01"}, {"x y", "a&b=c/é"}};
  EXPECT_EQ(ChatCompletionsUrl(config),
            "https://example.test/v1/chat/completions?api-version=2024-06-01&"
            "x%20y=a%26b%3Dc%2F%C3%A9");
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
