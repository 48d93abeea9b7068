#include "agent/factory.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent_test_server.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {
namespace {

AgentConfig Config(const std::string& kind) {
  AgentConfig config;
  config.kind = kind;
  config.context_mode = kind == "openai" ? "evidence" : "none";
  config.url = "http://agent.test/ask";
  config.base_url = "http://agent.test/v1";
  config.answer_pointer = "/answer";
  config.argv = {"my-agent"};
  return config;
}

std::vector<AgentRequest> Requests(int n) {
  std::vector<AgentRequest> requests(n);
  for (int i = 0; i < n; ++i) {
    requests[i].prompt_id = absl::StrCat("p", i);
    requests[i].message = absl::StrCat("q", i);
  }
  return requests;
}

absl::StatusOr<SubprocessResult> NoProcess(const SubprocessOptions&) {
  return absl::UnimplementedError("no process in this test");
}

TEST(MakeAgentTest, MakesEachKind) {
  FakeClock clock(At("2026-01-01T00:00:00Z"));
  FakeHttpClient http([](const HttpRequest&) { return HttpResponse{}; });
  FakeProcessRunner runner(NoProcess);
  for (const char* kind : {"http", "openai", "command"}) {
    absl::StatusOr<std::unique_ptr<Agent>> agent =
        MakeAgent(Config(kind), &http, &runner, &clock, 1);
    ASSERT_TRUE(agent.ok()) << kind << ": " << agent.status();
    EXPECT_EQ((*agent)->kind(), kind);
    EXPECT_EQ((*agent)->context_mode(), std::string(kind) == "openai" ? "evidence" : "none");
  }
}

TEST(MakeAgentTest, RefusesTheReferenceAndUnknownKinds) {
  FakeClock clock(At("2026-01-01T00:00:00Z"));
  FakeHttpClient http([](const HttpRequest&) { return HttpResponse{}; });
  FakeProcessRunner runner(NoProcess);
  absl::Status reference = MakeAgent(Config("reference"), &http, &runner, &clock, 1).status();
  EXPECT_EQ(reference.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reference.message(), "the reference agent is made by MakeReferenceAgent");
  absl::Status unknown = MakeAgent(Config("grpc"), &http, &runner, &clock, 1).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(), "unknown agent kind 'grpc' (http, openai or command)");
}

// An agent that answers with its message and counts how many calls overlap.
class EchoAgent final : public Agent {
 public:
  std::string kind() const override { return "echo"; }
  std::string context_mode() const override { return "none"; }
  AgentAnswer Ask(const AgentRequest& request) override {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    // Later requests answer sooner, so answers arrive out of order.
    absl::SleepFor(absl::Microseconds(200 * (request.message.size() % 3)));
    --in_flight_;
    AgentAnswer answer;
    answer.text = absl::StrCat("a:", request.message);
    return answer;
  }
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

TEST(AskAllTest, AnswersInRequestOrderAndReportsEachOnce) {
  EchoAgent agent;
  std::vector<AgentRequest> requests = Requests(50);
  std::vector<int> reported(50, 0);
  std::atomic<int> inside{0};
  bool overlapped = false;
  std::vector<AgentAnswer> answers =
      AskAll(&agent, requests, 8, [&](size_t i, const AgentAnswer& answer) {
        if (++inside > 1) overlapped = true;
        ++reported[i];
        EXPECT_EQ(answer.text, absl::StrCat("a:q", i));
        --inside;
      });
  ASSERT_EQ(answers.size(), 50u);
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i].text, absl::StrCat("a:q", i));
  EXPECT_EQ(reported, std::vector<int>(50, 1));
  EXPECT_FALSE(overlapped);
  EXPECT_LE(agent.max_in_flight_.load(), 8);
}

TEST(AskAllTest, OneJobAsksInOrderOneAtATime) {
  EchoAgent agent;
  std::vector<size_t> order;
  AskAll(&agent, Requests(5), 1, [&](size_t i, const AgentAnswer&) { order.push_back(i); });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(agent.max_in_flight_.load(), 1);
}

TEST(AskAllTest, NoRequestsNoCalls) {
  EchoAgent agent;
  int calls = 0;
  EXPECT_TRUE(AskAll(&agent, {}, 4, [&](size_t, const AgentAnswer&) { ++calls; }).empty());
  EXPECT_EQ(calls, 0);
}

// Against a real server that counts the requests it is serving at once.
class AskAllServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Post("/ask", [this](const httplib::Request& req, httplib::Response& res) {
      {
        absl::MutexLock lock(&mu_);
        ++in_flight_;
        max_in_flight_ = std::max(max_in_flight_, in_flight_);
        // Hold the request until 4 are in flight (or 2 s passed), so that a pool of fewer
        // than 4 threads shows, and more than 4 would be counted.
        auto four = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ >= 4; };
        mu_.AwaitWithTimeout(absl::Condition(&four), absl::Seconds(2));
      }
      absl::SleepFor(absl::Milliseconds(2));
      {
        absl::MutexLock lock(&mu_);
        --in_flight_;
      }
      nlohmann::json body = nlohmann::json::parse(req.body);
      res.set_content(
          nlohmann::json{{"answer", absl::StrCat("a:", body["message"].get<std::string>())}}.dump(),
          "application/json");
    });
    ASSERT_GT(server_.Start(), 0);
  }
  void TearDown() override {
    client_.reset();
    server_.Stop();
  }

  AgentTestServer server_;
  std::unique_ptr<CurlHttpClient> client_ = std::make_unique<CurlHttpClient>();
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(AskAllServerTest, NeverMoreThanJobsInFlight) {
  FakeClock clock(At("2026-01-01T00:00:00Z"));
  FakeProcessRunner runner(NoProcess);
  AgentConfig config = Config("http");
  config.url = server_.url("/ask");
  absl::StatusOr<std::unique_ptr<Agent>> agent =
      MakeAgent(config, client_.get(), &runner, &clock, 1);
  ASSERT_TRUE(agent.ok()) << agent.status();
  std::vector<AgentAnswer> answers = AskAll(agent->get(), Requests(16), 4, nullptr);
  ASSERT_EQ(answers.size(), 16u);
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].error, "") << i;
    EXPECT_EQ(answers[i].text, absl::StrCat("a:q", i));
  }
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(max_in_flight_, 4);
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
