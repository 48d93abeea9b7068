#include "agent/http_agent.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "agent/command_agent.h"
#include "agent/retry.h"
#include "agent_test_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/http_client.h"

namespace sre_eval {
namespace agent {
namespace {

using ::testing::ElementsAre;

constexpr char kSecret[] = "tok-3f9a1c";

// The waits (in microseconds) before retries 1, 2 and 3 of the call for Request() with seed 7
// under the default policy: recorded once; any change to the jitter changes them.
constexpr int64_t kWait1Us = 471873;
constexpr int64_t kWait2Us = 502152;
constexpr int64_t kWait3Us = 1651677;

AgentRequest Request() {
  AgentRequest request;
  request.incident = "crash";
  request.prompt_id = "i1.why_crash";
  request.message = "Why did carts crash?";
  request.history = {{"user", "What broke?"}, {"assistant", "carts restarted"}};
  request.window_start = "2026-03-01T10:00:00Z";
  request.window_end = "2026-03-01T10:30:00Z";
  request.cluster = {"/run/kubeconfig", "sim", "sock-shop"};
  request.trial = 2;
  return request;
}

// The gaps between consecutive times: the waits between attempts.
std::vector<absl::Duration> Gaps(const std::vector<absl::Time>& times) {
  std::vector<absl::Duration> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  return gaps;
}

// Against a real server on 127.0.0.1; waits between attempts run on a FakeClock, so the test
// sees their exact lengths without waiting them out.
class HttpAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    httplib::Server& s = server_.server();
    s.Post("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      received_body_ = req.body;
      received_header_ = req.get_header_value("X-Team");
      res.set_content(R"({"answer": "carts ran out of memory", "n": 1})", "application/json");
    });
    s.Post("/500-then-ok", [this](const httplib::Request&, httplib::Response& res) {
      Attempt();
      if (calls_++ < 2) {
        res.status = 500;
        res.set_content("boom", "text/plain");
        return;
      }
      res.set_content(R"({"answer": "ok at last"})", "application/json");
    });
    s.Post("/500", [this](const httplib::Request&, httplib::Response& res) {
      Attempt();
      res.status = 503;
      res.set_content(std::string(150, 'x') + std::string(150, 'y'), "text/plain");
    });
    s.Post("/401", [this](const httplib::Request& req, httplib::Response& res) {
      Attempt();
      res.status = 401;
      // Echoes the credential, as careless servers do.
      res.set_content(absl::StrCat("bad token ", req.get_header_value("Authorization")),
                      "text/plain");
    });
    s.Post("/429", [this](const httplib::Request&, httplib::Response& res) {
      Attempt();
      if (calls_++ == 0) {
        res.status = 429;
        res.set_header("Retry-After", retry_after_);
        return;
      }
      res.set_content(R"({"answer": "after the wait"})", "application/json");
    });
    s.Post("/hang", [this](const httplib::Request&, httplib::Response& res) {
      Attempt();
      server_.WaitForRelease(absl::Seconds(10));
      res.set_content(R"({"answer": "too late"})", "application/json");
    });
    s.Post("/slow", [this](const httplib::Request&, httplib::Response& res) {
      server_.WaitForRelease(absl::Milliseconds(400));
      res.set_content(R"({"answer": "too late"})", "application/json");
    });
    s.Post("/drip", [this](const httplib::Request&, httplib::Response& res) {
      // A byte every 20 ms: each arrives in time, the whole does not.
      res.set_chunked_content_provider("application/json", [this](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 100; ++i) {
          if (server_.WaitForRelease(absl::Milliseconds(20)) || !sink.write(" ", 1)) return false;
        }
        sink.done();
        return true;
      });
    });
    s.Post("/body", [this](const httplib::Request&, httplib::Response& res) {
      res.status = status_;
      res.set_content(body_, content_type_);
    });
    s.Post("/huge", [this](const httplib::Request&, httplib::Response& res) {
      // 100 MB, produced as it is read.
      constexpr size_t kSize = size_t{100} << 20;
      res.set_content_provider(kSize, content_type_,
                               [](size_t offset, size_t, httplib::DataSink& sink) {
                                 static const std::string chunk(size_t{1} << 16, 'a');
                                 size_t n = std::min(chunk.size(), kSize - offset);
                                 return sink.write(chunk.data(), n);
                               });
    });
    ASSERT_GT(server_.Start(), 0);
  }

  void TearDown() override {
    client_.reset();  // Closes the kept-alive connections, so the server stops at once.
    server_.Stop();
  }

  void Attempt() {
    absl::MutexLock lock(&mu_);
    attempt_times_.push_back(clock_.Now());
  }
  std::vector<absl::Time> attempt_times() {
    absl::MutexLock lock(&mu_);
    return attempt_times_;
  }

  AgentConfig Config(const std::string& path, const std::string& pointer = "/answer") {
    AgentConfig config;
    config.kind = "http";
    config.context_mode = "none";
    config.url = server_.url(path);
    config.headers = {{"X-Team", "sre"}, {"Authorization", absl::StrCat("Bearer ", kSecret)}};
    config.answer_pointer = pointer;
    config.secrets = {kSecret};
    return config;
  }

  AgentAnswer Ask(const AgentConfig& config) {
    HttpAgent agent(config, client_.get(), &clock_, /*seed=*/7);
    return agent.Ask(Request());
  }

  AgentTestServer server_;
  std::unique_ptr<CurlHttpClient> client_ = std::make_unique<CurlHttpClient>();
  FakeClock clock_{At("2026-01-01T00:00:00Z")};
  std::atomic<int> calls_{0};
  std::string received_body_;
  std::string received_header_;
  std::string retry_after_ = "3";
  std::string body_;
  int status_ = 200;
  std::string content_type_ = "application/json";
  absl::Mutex mu_;
  std::vector<absl::Time> attempt_times_ ABSL_GUARDED_BY(mu_);
};

TEST_F(HttpAgentTest, ReadsTheAnswerAtThePointer) {
  AgentAnswer answer = Ask(Config("/ok"));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "carts ran out of memory");
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_FALSE(answer.truncated);
  EXPECT_EQ(answer.usage.total_tokens, -1);
  EXPECT_EQ(received_header_, "sre");
}

TEST_F(HttpAgentTest, RawBodyWhenThePointerIsEmpty) {
  AgentAnswer answer = Ask(Config("/ok", ""));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, R"({"answer": "carts ran out of memory", "n": 1})");
}

TEST_F(HttpAgentTest, SendsTheDefaultRequestWithoutATemplate) {
  ASSERT_TRUE(Ask(Config("/ok")).ok());
  EXPECT_EQ(nlohmann::json::parse(received_body_), DefaultRequestJson(Request()));
  EXPECT_EQ(nlohmann::json::parse(received_body_)["message"], "Why did carts crash?");
}

TEST_F(HttpAgentTest, FillsTheBodyTemplate) {
  AgentConfig config = Config("/ok");
  config.body = nlohmann::json::parse(R"({
    "input": {"text": "{{message}}", "turns": "{{history}}", "where": "{{cluster}}"},
    "note": "incident {{incident}} ({{prompt_id}}) in {{window}}; {{unknown}} stays",
    "evidence": "{{evidence}}", "n": 3, "tags": ["{{incident}}", true]})");
  ASSERT_TRUE(Ask(config).ok());
  EXPECT_EQ(nlohmann::json::parse(received_body_), nlohmann::json::parse(R"({
    "input": {"text": "Why did carts crash?",
              "turns": [{"role": "user", "content": "What broke?"},
                        {"role": "assistant", "content": "carts restarted"}],
              "where": {"kubeconfig": "/run/kubeconfig", "context": "sim",
                        "namespace": "sock-shop"}},
    "note": "incident crash (i1.why_crash) in {\"end\":\"2026-03-01T10:30:00Z\",\"start\":\"2026-03-01T10:00:00Z\"}; {{unknown}} stays",
    "evidence": "", "n": 3, "tags": ["crash", true]})"));
}

// The loader's list and the filler agree: every placeholder a file may use gets a value.
TEST_F(HttpAgentTest, EveryPlaceholderTheLoaderAcceptsIsFilled) {
  ASSERT_EQ(BodyPlaceholders().size(), 8u);
  for (const std::string& p : BodyPlaceholders()) {
    EXPECT_NE(FillTemplate(nlohmann::json(p), Request()), nlohmann::json(p)) << p;
  }
}

TEST_F(HttpAgentTest, RetriesA500ThenAnswers) {
  AgentAnswer answer = Ask(Config("/500-then-ok"));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "ok at last");
  EXPECT_EQ(answer.attempts, 3);
  EXPECT_EQ(answer.http_status, 200);
  // Full jitter under min(20s, 500ms * 2^(n-1)), from the seeded generator.
  EXPECT_THAT(Gaps(attempt_times()),
              ElementsAre(absl::Microseconds(kWait1Us), absl::Microseconds(kWait2Us)));
  EXPECT_EQ(answer.latency, clock_.slept());
}

TEST_F(HttpAgentTest, GivesUpOn5xxAfterEveryAttempt) {
  AgentAnswer answer = Ask(Config("/500"));
  EXPECT_EQ(answer.error, absl::StrCat("HTTP 503 after 4 attempts: ", std::string(150, 'x'),
                                       std::string(50, 'y')));
  EXPECT_EQ(answer.text, "");
  EXPECT_EQ(answer.attempts, 4);
  EXPECT_EQ(answer.http_status, 503);
  EXPECT_THAT(Gaps(attempt_times()),
              ElementsAre(absl::Microseconds(kWait1Us), absl::Microseconds(kWait2Us),
                          absl::Microseconds(kWait3Us)));
}

TEST_F(HttpAgentTest, NeverRetriesA4xxAndRedactsSecrets) {
  AgentAnswer answer = Ask(Config("/401"));
  EXPECT_EQ(answer.error, "HTTP 401: bad token Bearer [REDACTED]");
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 401);
  EXPECT_EQ(clock_.slept(), absl::ZeroDuration());
}

TEST_F(HttpAgentTest, HonoursRetryAfterInSeconds) {
  AgentAnswer answer = Ask(Config("/429"));
  EXPECT_EQ(answer.text, "after the wait");
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_THAT(Gaps(attempt_times()), ElementsAre(absl::Seconds(3)));
}

TEST_F(HttpAgentTest, HonoursRetryAfterAsADate) {
  retry_after_ = "Thu, 01 Jan 2026 00:00:07 GMT";  // The FakeClock starts at 00:00:00.
  AgentAnswer answer = Ask(Config("/429"));
  EXPECT_EQ(answer.text, "after the wait");
  EXPECT_THAT(Gaps(attempt_times()), ElementsAre(absl::Seconds(7)));
}

TEST_F(HttpAgentTest, CapsRetryAfterAtMaxBackoff) {
  retry_after_ = "3600";
  AgentAnswer answer = Ask(Config("/429"));
  EXPECT_EQ(answer.text, "after the wait");
  EXPECT_THAT(Gaps(attempt_times()), ElementsAre(absl::Seconds(20)));
}

TEST_F(HttpAgentTest, TimesOutOnAHangingServerAndRetries) {
  AgentConfig config = Config("/hang");
  config.policy.timeout = absl::Milliseconds(100);
  config.policy.retries = 1;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "timed out after 0.1s (2 attempts)");
  EXPECT_EQ(answer.attempts, 2);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_EQ(attempt_times().size(), 2u);
}

TEST_F(HttpAgentTest, TimesOutOnASlowServer) {
  AgentConfig config = Config("/slow");
  config.policy.timeout = absl::Milliseconds(100);
  config.policy.retries = 0;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "timed out after 0.1s");
  EXPECT_EQ(answer.attempts, 1);
}

TEST_F(HttpAgentTest, TheTimeoutCoversASlowDrip) {
  AgentConfig config = Config("/drip");
  config.policy.timeout = absl::Milliseconds(150);
  config.policy.retries = 0;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "timed out after 0.15s");
  EXPECT_EQ(answer.attempts, 1);
}

TEST_F(HttpAgentTest, ConnectionRefusedIsRetriedThenReported) {
  int port = UnusedPort();
  ASSERT_GT(port, 0);
  AgentConfig config = Config("/ok");
  config.url = absl::StrCat("http://127.0.0.1:", port, "/ask");
  config.policy.timeout = absl::Seconds(2);
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, absl::StrCat("cannot connect to 127.0.0.1:", port,
                                       ": Connection refused after 4 attempts"));
  EXPECT_EQ(answer.attempts, 4);
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_EQ(clock_.slept(), absl::Microseconds(kWait1Us + kWait2Us + kWait3Us));
}

TEST_F(HttpAgentTest, TruncatedJson) {
  body_ = R"({"answer": "carts ran o)";
  AgentAnswer answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "the response is not valid JSON (at byte 24)");
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 200);
}

// nlohmann reports a number too large for a double as out_of_range, not as a parse error:
// an agent answering one must get an error, not abort the run.
TEST_F(HttpAgentTest, NumberTooLargeIsAnError) {
  body_ = R"({"answer": "carts", "confidence": 1e999})";
  AgentAnswer answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "the response is not valid JSON: number overflow parsing '1e999'");
  EXPECT_EQ(answer.http_status, 200);
}

TEST_F(HttpAgentTest, NonJsonUnderAJsonContentType) {
  body_ = "<html>oops</html>";
  EXPECT_EQ(Ask(Config("/body")).error, "the response is not valid JSON (at byte 1)");
}

TEST_F(HttpAgentTest, WrongContentType) {
  body_ = "<html>oops</html>";
  content_type_ = "text/html; charset=utf-8";
  AgentAnswer answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "the response is not JSON (content-type text/html)");
  EXPECT_EQ(answer.text, "");
  // Without a pointer the body is the answer, whatever its type.
  EXPECT_EQ(Ask(Config("/body", "")).text, "<html>oops</html>");
}

TEST_F(HttpAgentTest, MissingPointerPath) {
  body_ = R"({"result": {"answer": "elsewhere"}, "answer": 42})";
  EXPECT_EQ(Ask(Config("/body")).error, "no string at /answer in the response");
  EXPECT_EQ(Ask(Config("/body", "/result/text")).error,
            "no string at /result/text in the response");
  EXPECT_EQ(Ask(Config("/body", "/result/answer")).text, "elsewhere");
}

TEST_F(HttpAgentTest, AHundredMegabyteAnswerIsCutAtTheCap) {
  content_type_ = "text/plain";
  AgentAnswer answer = Ask(Config("/huge", ""));
  EXPECT_EQ(answer.error, "");
  EXPECT_TRUE(answer.truncated);
  EXPECT_EQ(answer.text, std::string(size_t{256} << 10, 'a'));
  EXPECT_EQ(answer.attempts, 1);
  EXPECT_EQ(answer.http_status, 200);
}

TEST_F(HttpAgentTest, AHundredMegabyteJsonResponseIsAnError) {
  AgentAnswer answer = Ask(Config("/huge"));
  EXPECT_EQ(answer.error, "response body exceeds the limit of 16777216 bytes");
  EXPECT_EQ(answer.attempts, 1);
}

TEST_F(HttpAgentTest, ALongAnswerInJsonIsCutWithoutSplittingACharacter) {
  body_ = nlohmann::json{{"answer", std::string(60, 'a') + "\xc3\xa9\xc3\xa9"}}.dump();
  AgentConfig config = Config("/body");
  config.policy.max_answer_bytes = 63;
  AgentAnswer answer = Ask(config);
  EXPECT_EQ(answer.error, "");
  EXPECT_TRUE(answer.truncated);
  EXPECT_EQ(answer.text, std::string(60, 'a') + "\xc3\xa9");
}

// Bytes that are not UTF-8 become U+FFFD where they enter, and are flagged (issue 16).
TEST_F(HttpAgentTest, BytesThatAreNotUtf8InARawAnswerAreReplaced) {
  content_type_ = "text/plain";
  body_ = "payment \xff scaled to 0";
  AgentAnswer answer = Ask(Config("/body", ""));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "payment \xEF\xBF\xBD scaled to 0");
  EXPECT_TRUE(answer.invalid_utf8);
  EXPECT_FALSE(answer.truncated);
}

TEST_F(HttpAgentTest, BytesThatAreNotUtf8InsideAJsonStringAreReplacedBeforeParsing) {
  body_ = "{\"answer\": \"payment \xff scaled to 0\", \"n\": \"\xc0\"}";
  AgentAnswer answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "");
  EXPECT_EQ(answer.text, "payment \xEF\xBF\xBD scaled to 0");
  EXPECT_TRUE(answer.invalid_utf8);
}

TEST_F(HttpAgentTest, AnErrorBodyThatIsNotUtf8IsRepairedInTheError) {
  status_ = 400;
  body_ = "bad \xff request";
  AgentAnswer answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "HTTP 400: bad \xEF\xBF\xBD request");
  EXPECT_EQ(answer.text, "");
  EXPECT_EQ(answer.http_status, 400);
  EXPECT_TRUE(answer.invalid_utf8);
  // A long error body of euro signs: the excerpt ends on a whole character, nothing replaced.
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  body_ = euros;
  answer = Ask(Config("/body"));
  EXPECT_EQ(answer.error, "HTTP 400: " + euros.substr(0, 198));
  EXPECT_FALSE(answer.invalid_utf8);
}

TEST_F(HttpAgentTest, ARawAnswerCutAtTheCapInsideACharacterLosesThatCharacter) {
  content_type_ = "text/plain";
  std::string euros;
  for (int i = 0; i < 100000; ++i) euros += "\xE2\x82\xAC";  // 300,000 bytes
  body_ = euros;
  AgentAnswer answer = Ask(Config("/body", ""));  // the default cap: 262144 = 3 * 87381 + 1
  EXPECT_EQ(answer.error, "");
  EXPECT_TRUE(answer.truncated);
  EXPECT_FALSE(answer.invalid_utf8);
  EXPECT_EQ(answer.text.size(), 262143u);
  EXPECT_EQ(answer.text, euros.substr(0, 262143));
}

// Retries through a FakeHttpClient: the policy alone, with no server.
TEST(CallWithRetriesTest, StopsWhenTheRunBudgetIsSpent) {
  FakeClock clock(At("2026-01-01T00:00:00Z"));
  FakeHttpClient http([&clock](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    clock.Advance(absl::Minutes(20));
    HttpResponse response;
    response.status = 200;
    response.body = R"({"answer": "slow but fine"})";
    return response;
  });
  AgentConfig config;
  config.kind = "http";
  config.url = "http://agent/ask";
  config.answer_pointer = "/answer";
  HttpAgent agent(config, &http, &clock, 1);
  EXPECT_EQ(agent.Ask(Request()).text, "slow but fine");  // 30m left.
  EXPECT_EQ(agent.Ask(Request()).text, "slow but fine");  // 10m left.
  AgentAnswer spent = agent.Ask(Request());
  EXPECT_EQ(spent.error, "the run's agent budget of 30m is spent");
  EXPECT_EQ(spent.attempts, 0);
  EXPECT_EQ(http.requests().size(), 2u);
}

TEST(CallWithRetriesTest, UsesThePolicyTimeoutAndNoRetriesWhenZero) {
  FakeClock clock(At("2026-01-01T00:00:00Z"));
  FakeHttpClient http([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    return absl::DeadlineExceededError("POST http://agent/ask: no complete response within 5s");
  });
  CallPolicy policy;
  policy.timeout = absl::Seconds(5);
  policy.retries = 0;
  HttpRequest request;
  request.url = "http://agent/ask";
  std::mt19937_64 rng = CallRng(1, "x");
  CallResult result = CallWithRetries(&http, request, policy, &clock, nullptr, &rng);
  EXPECT_EQ(result.error, "timed out after 5s");
  EXPECT_EQ(result.attempts, 1);
  ASSERT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].timeout, absl::Seconds(5));
}

TEST(BackoffTest, FullJitterUnderADoublingCeiling) {
  CallPolicy policy;  // 500ms doubling up to 20s
  std::mt19937_64 rng = CallRng(42, "p#0");
  const absl::Duration ceilings[] = {absl::Milliseconds(500), absl::Seconds(1), absl::Seconds(2),
                                     absl::Seconds(4),        absl::Seconds(8), absl::Seconds(16),
                                     absl::Seconds(20),       absl::Seconds(20)};
  for (int retry = 1; retry <= 8; ++retry) {
    absl::Duration longest = absl::ZeroDuration();
    for (int i = 0; i < 2000; ++i) {
      absl::Duration d = Backoff(policy, retry, &rng);
      ASSERT_GE(d, absl::ZeroDuration());
      ASSERT_LE(d, ceilings[retry - 1]) << retry;
      longest = std::max(longest, d);
    }
    // 2000 uniform draws reach the top 1% of the range.
    EXPECT_GT(longest, ceilings[retry - 1] * 0.99) << retry;
  }
}

TEST(BackoffTest, TheSameSeedAndKeyGiveTheSameWaits) {
  CallPolicy policy;
  std::mt19937_64 a = CallRng(7, "i1.why_crash#2");
  std::mt19937_64 b = CallRng(7, "i1.why_crash#2");
  std::mt19937_64 c = CallRng(7, "i1.why_crash#3");
  std::mt19937_64 d = CallRng(8, "i1.why_crash#2");
  absl::Duration wa = Backoff(policy, 3, &a);
  EXPECT_EQ(wa, Backoff(policy, 3, &b));
  EXPECT_NE(wa, Backoff(policy, 3, &c));
  EXPECT_NE(wa, Backoff(policy, 3, &d));
}

TEST(RetryAfterTest, SecondsDatesAndNonsense) {
  absl::Time now = At("2026-01-01T00:00:00Z");
  EXPECT_EQ(ParseRetryAfter("3", now), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("Thu, 01 Jan 2026 00:01:30 GMT", now), absl::Seconds(90));
  EXPECT_EQ(ParseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
}

TEST(StringAtPointerTest, Rfc6901) {
  nlohmann::json doc = nlohmann::json::parse(
      R"({"a/b": "slash", "m~n": "tilde", "~1": "literal", "arr": ["zero", "one"], "n": 1,
          "": "empty key", "o": {"p": "deep"}})");
  struct Case {
    const char* pointer;
    const char* want;  // nullptr: no string there
  } cases[] = {
      {"/a~1b", "slash"},  {"/m~0n", "tilde"}, {"/~01", "literal"},  {"/arr/1", "one"},
      {"/o/p", "deep"},    {"/", "empty key"}, {"/arr/01", nullptr}, {"/arr/2", nullptr},
      {"/arr/-", nullptr}, {"/n", nullptr},    {"/o", nullptr},      {"/missing", nullptr},
      {"/m~2n", nullptr},  {"o/p", nullptr},   {"", nullptr},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = StringAtPointer(doc, c.pointer);
    if (c.want == nullptr) {
      EXPECT_EQ(got.status().message(),
                absl::StrCat("no string at ", c.pointer, " in the response"))
          << c.pointer;
    } else {
      EXPECT_EQ(got.value_or("<error>"), c.want) << c.pointer;
    }
  }
  EXPECT_EQ(StringAtPointer(nlohmann::json("whole"), "").value_or("<error>"), "whole");
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
