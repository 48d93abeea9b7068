// The LLM judge: reply parsing, configuration, and the real HTTP path against a cpp-httplib
// server on 127.0.0.1 playing an OpenAI-compatible endpoint.
#include "score/judge.h"

#include <httplib.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "sk-judge-secret-42";

std::string Reply(const std::string& content) {
  return nlohmann::json{{"choices", {{{"message", {{"role", "assistant"}, {"content", content}}}}}}}
      .dump();
}

TEST(JudgeTest, Sha256OfAKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Pinned: when the judge's prompt changes, so does this hash, and results show it. Update it
// here on purpose.
TEST(JudgeTest, PromptHashIsPinned) {
  EXPECT_EQ(JudgePromptHash(), "41a786bb1c6f5596b23456de6f478030288300ec4ec13d7b72b6a1472624cff0");
  EXPECT_EQ(JudgePromptHash().size(), 64u);
}

TEST(JudgeTest, UserMessageHoldsCriterionQuestionAndAnswer) {
  JudgeRequest r;
  r.criterion_id = "clear";
  r.rubric_text = "Is the cause named?";
  r.question = "Why did it crash?";
  r.answer = "It ran out of memory. {question} stays as written.";
  EXPECT_EQ(JudgeUserMessage(r),
            "Criterion:\nIs the cause named?\n\nQuestion asked:\nWhy did it crash?\n\n"
            "Answer to grade:\n<answer>\nIt ran out of memory. {question} stays as written.\n"
            "</answer>");
  r.question = "";
  EXPECT_THAT(JudgeUserMessage(r), HasSubstr("Question asked:\n(not recorded)\n"));
}

TEST(JudgeTest, ParsesRepliesAndExplainsBadOnes) {
  struct Case {
    std::string body;
    std::string expected;  // "=VALUE" or the error message.
  };
  std::vector<Case> cases = {
      {Reply(R"({"score": 0.4, "reason": "partly"})"), "=0.4"},
      {Reply("```json\n{\"score\": 1, \"reason\": \"all there\"}\n```"), "=1"},
      {Reply("```\n{\"score\": 0}\n```\n"), "=0"},
      {Reply("My grade: {\"score\": 0.25, \"reason\": \"vague\"}. Thanks!"), "=0.25"},
      {"not json", "judge: the reply is not valid JSON: not json"},
      {"[]", "judge: the reply has no choices[0].message.content string: []"},
      {R"({"choices":[{"message":{"content":null}}]})",
       R"(judge: the reply has no choices[0].message.content string: {"choices":[{"message":{"content":null}}]})"},
      {Reply("I think it is good."),
       "judge: the model's answer holds no JSON object: I think it is good."},
      {Reply(R"({"score": "0.5"})"),
       R"(judge: the model's answer has no numeric 'score': {"score": "0.5"})"},
      {Reply(R"({"grade": 1})"),
       R"(judge: the model's answer has no numeric 'score': {"grade": 1})"},
      {Reply(R"({"score": 1.5})"), "judge: the model's score 1.5 is outside [0, 1]"},
      {Reply(R"({"score": -0.1})"), "judge: the model's score -0.1 is outside [0, 1]"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> grade = ParseJudgeReply(c.body);
    if (c.expected[0] == '=') {
      ASSERT_TRUE(grade.ok()) << c.body << ": " << grade.status();
      EXPECT_EQ(*grade, std::stod(c.expected.substr(1))) << c.body;
    } else {
      ASSERT_FALSE(grade.ok()) << c.body;
      EXPECT_EQ(grade.status().message(), c.expected);
    }
  }
}

TEST(JudgeTest, ConfigurationFromTheEnvironment) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  absl::StatusOr<std::optional<JudgeConfig>> c = JudgeConfigFromEnv(env({}));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  c = JudgeConfigFromEnv(env({{"SRE_EVAL_JUDGE_URL", ""}, {"SRE_EVAL_JUDGE_MODEL", ""}}));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
  c = JudgeConfigFromEnv(env({{"SRE_EVAL_JUDGE_URL", "http://127.0.0.1:8000/v1/"},
                              {"SRE_EVAL_JUDGE_MODEL", "qwen"},
                              {"SRE_EVAL_JUDGE_API_KEY", kKey}}));
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->base_url, "http://127.0.0.1:8000/v1/");
  EXPECT_EQ((*c)->model, "qwen");
  EXPECT_EQ((*c)->api_key, kKey);
  c = JudgeConfigFromEnv(env({{"SRE_EVAL_JUDGE_URL", "http://x/v1"}}));
  EXPECT_EQ(c.status().message(),
            "SRE_EVAL_JUDGE_URL is set but SRE_EVAL_JUDGE_MODEL is not; set both to use the LLM "
            "judge, or neither");
  c = JudgeConfigFromEnv(env({{"SRE_EVAL_JUDGE_MODEL", "qwen"}}));
  EXPECT_EQ(c.status().message(),
            "SRE_EVAL_JUDGE_MODEL is set but SRE_EVAL_JUDGE_URL is not; set both to use the LLM "
            "judge, or neither");
  c = JudgeConfigFromEnv(
      env({{"SRE_EVAL_JUDGE_URL", "127.0.0.1:8000"}, {"SRE_EVAL_JUDGE_MODEL", "qwen"}}));
  EXPECT_EQ(c.status().message(),
            "SRE_EVAL_JUDGE_URL must start with http:// or https:// (for example "
            "http://127.0.0.1:8000/v1)");

  FakeHttpClient http([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    return absl::InternalError("unused");
  });
  absl::StatusOr<std::unique_ptr<Judge>> none = JudgeFromEnvironment(&http, env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  absl::StatusOr<std::unique_ptr<Judge>> judge = JudgeFromEnvironment(
      &http, env({{"SRE_EVAL_JUDGE_URL", "http://h/v1"}, {"SRE_EVAL_JUDGE_MODEL", "qwen"}}));
  ASSERT_TRUE(judge.ok());
  ASSERT_NE(*judge, nullptr);
  EXPECT_EQ((*judge)->model(), "qwen");
  EXPECT_EQ((*judge)->prompt_hash(), JudgePromptHash());
}

TEST(JudgeTest, StatusLines) {
  EXPECT_EQ(JudgeStatusLine(nullptr, 0), "");
  EXPECT_EQ(JudgeStatusLine(nullptr, 1),
            "judge: not configured (set SRE_EVAL_JUDGE_URL and SRE_EVAL_JUDGE_MODEL); 1 judge "
            "criterion skipped");
  EXPECT_EQ(JudgeStatusLine(nullptr, 3),
            "judge: not configured (set SRE_EVAL_JUDGE_URL and SRE_EVAL_JUDGE_MODEL); 3 judge "
            "criteria skipped");
  FakeHttpClient http([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    return absl::InternalError("unused");
  });
  OpenAiJudge judge({"http://h/v1", "qwen", "", absl::Seconds(1)}, &http);
  EXPECT_EQ(JudgeStatusLine(&judge, 0),
            absl::StrCat("judge: qwen (prompt sha256 ", JudgePromptHash().substr(0, 12), ")"));
}

// An OpenAI-compatible endpoint on 127.0.0.1: each base path answers one way.
class JudgeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_tcp_nodelay(true);
    auto record = [this](const httplib::Request& req) {
      absl::MutexLock lock(&mu_);
      authorization_.push_back(
          req.has_header("Authorization") ? req.get_header_value("Authorization") : "(none)");
      bodies_.push_back(req.body);
    };
    server_.Post("/good/chat/completions", [=](const httplib::Request& req,
                                               httplib::Response& res) {
      record(req);
      res.set_content(Reply(R"({"score": 0.75, "reason": "names the cause"})"), "application/json");
    });
    server_.Post("/fenced/chat/completions",
                 [=](const httplib::Request& req, httplib::Response& res) {
                   record(req);
                   res.set_content(Reply("```json\n{\"score\": 0.5, \"reason\": \"x\"}\n```"),
                                   "application/json");
                 });
    // A broken proxy that fails and echoes the request's headers.
    server_.Post("/fail/chat/completions",
                 [=](const httplib::Request& req, httplib::Response& res) {
                   record(req);
                   res.status = 500;
                   res.set_content(absl::StrCat("upstream error; Authorization: ",
                                                req.get_header_value("Authorization")),
                                   "text/plain");
                 });
    server_.Post("/garbage/chat/completions",
                 [=](const httplib::Request& req, httplib::Response& res) {
                   record(req);
                   res.set_content("<html>502 Bad Gateway</html>", "text/html");
                 });
    server_.Post(
        "/range/chat/completions", [=](const httplib::Request& req, httplib::Response& res) {
          record(req);
          res.set_content(Reply(R"({"score": 4, "reason": "out of 5"})"), "application/json");
        });
    // The model repeats what it was sent, header included.
    server_.Post(
        "/parrot/chat/completions", [=](const httplib::Request& req, httplib::Response& res) {
          record(req);
          res.set_content(Reply(absl::StrCat("You sent ", req.get_header_value("Authorization"))),
                          "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!server_.is_running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
    ASSERT_TRUE(server_.is_running());
  }

  void TearDown() override {
    http_.reset();  // Closes kept-alive connections, so the server stops at once.
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  absl::StatusOr<double> Grade(const std::string& base, const std::string& key = kKey) {
    OpenAiJudge judge(
        {absl::StrCat("http://127.0.0.1:", port_, "/", base), "test-model", key, absl::Seconds(10)},
        http_.get());
    JudgeRequest r;
    r.criterion_id = "cause";
    r.rubric_text = "Does it name the memory limit?";
    r.question = "Why did it crash?";
    r.answer = "The front-end hit its 1000Mi memory limit.";
    return judge.Grade(r);
  }

  std::vector<std::string> Authorizations() {
    absl::MutexLock lock(&mu_);
    return authorization_;
  }
  std::vector<std::string> Bodies() {
    absl::MutexLock lock(&mu_);
    return bodies_;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::unique_ptr<CurlHttpClient> http_ = std::make_unique<CurlHttpClient>();
  absl::Mutex mu_;
  std::vector<std::string> authorization_;
  std::vector<std::string> bodies_;
};

TEST_F(JudgeServerTest, GradesAndSendsTheKeyAsABearerToken) {
  absl::StatusOr<double> grade = Grade("good");
  ASSERT_TRUE(grade.ok()) << grade.status();
  EXPECT_EQ(*grade, 0.75);
  EXPECT_EQ(Authorizations(), std::vector<std::string>{absl::StrCat("Bearer ", kKey)});
  nlohmann::json body = nlohmann::json::parse(Bodies()[0]);
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["temperature"], 0);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], kJudgeSystemPrompt);
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"],
            "Criterion:\nDoes it name the memory limit?\n\nQuestion asked:\nWhy did it crash?\n\n"
            "Answer to grade:\n<answer>\nThe front-end hit its 1000Mi memory limit.\n</answer>");
  EXPECT_THAT(Bodies()[0], Not(HasSubstr(kKey)));
}

TEST_F(JudgeServerTest, NoKeyNoAuthorizationHeader) {
  ASSERT_TRUE(Grade("good", "").ok());
  EXPECT_EQ(Authorizations(), std::vector<std::string>{"(none)"});
}

TEST_F(JudgeServerTest, FencedJson) {
  absl::StatusOr<double> grade = Grade("fenced");
  ASSERT_TRUE(grade.ok()) << grade.status();
  EXPECT_EQ(*grade, 0.5);
}

TEST_F(JudgeServerTest, ErrorsSayWhatWentWrongAndNeverHoldTheKey) {
  absl::StatusOr<double> fail = Grade("fail");
  EXPECT_TRUE(absl::IsUnavailable(fail.status())) << fail.status();
  EXPECT_EQ(fail.status().message(), "judge: HTTP 500: upstream error; Authorization: Bearer ***");

  absl::StatusOr<double> garbage = Grade("garbage");
  EXPECT_TRUE(absl::IsInvalidArgument(garbage.status())) << garbage.status();
  EXPECT_EQ(garbage.status().message(),
            "judge: the reply is not valid JSON: <html>502 Bad Gateway</html>");

  absl::StatusOr<double> range = Grade("range");
  EXPECT_TRUE(absl::IsOutOfRange(range.status())) << range.status();
  EXPECT_EQ(range.status().message(), "judge: the model's score 4 is outside [0, 1]");

  absl::StatusOr<double> parrot = Grade("parrot");
  EXPECT_EQ(parrot.status().message(),
            "judge: the model's answer holds no JSON object: You sent Bearer ***");

  absl::StatusOr<double> missing = Grade("nothing-here");
  EXPECT_TRUE(absl::IsFailedPrecondition(missing.status())) << missing.status();
  EXPECT_THAT(std::string(missing.status().message()), testing::StartsWith("judge: HTTP 404"));

  for (const absl::StatusOr<double>& s : {fail, garbage, range, parrot, missing}) {
    EXPECT_THAT(std::string(s.status().message()), Not(HasSubstr(kKey)));
    EXPECT_THAT(std::string(s.status().message()), Not(HasSubstr("sk-judge")));
  }
}

TEST_F(JudgeServerTest, AnUnreachableEndpointIsUnavailable) {
  int port = port_;
  TearDown();
  http_ = std::make_unique<CurlHttpClient>();
  OpenAiJudge judge({absl::StrCat("http://127.0.0.1:", port, "/v1"), "m", kKey, absl::Seconds(5)},
                    http_.get());
  absl::StatusOr<double> grade = judge.Grade(JudgeRequest{});
  EXPECT_TRUE(absl::IsUnavailable(grade.status())) << grade.status();
  EXPECT_THAT(std::string(grade.status().message()), testing::StartsWith("judge: "));
  EXPECT_THAT(std::string(grade.status().message()), Not(HasSubstr(kKey)));
}

}  // namespace
}  // namespace sre_eval
