// AskSuite: prompts rendered from a run folder's truths, continuations asked with their
// conversation, every answer appended to responses.jsonl with secrets redacted; and the whole
// run folder free of a planted secret after a real HTTP agent was asked.
#include "cli/ask.h"

#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "agent/config.h"
#include "agent/factory.h"
#include "cli/record.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/clock.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

std::string Slurp(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{256} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::vector<nlohmann::json> Lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  for (absl::string_view line : absl::StrSplit(Slurp(path), '\n', absl::SkipEmpty())) {
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// Answers "<prompt id> answer" and remembers each request.
class ScriptedAgent : public agent::Agent {
 public:
  std::string kind() const override { return "http"; }
  std::string context_mode() const override { return "none"; }
  agent::AgentAnswer Ask(const agent::AgentRequest& r) override {
    absl::MutexLock lock(&mu_);
    requests_[r.prompt_id] = r;
    agent::AgentAnswer a;
    a.attempts = 1;
    if (r.prompt_id == "i1.restarts") {
      a.error = "HTTP 500 after 4 attempts: token sk-planted-secret-1 rejected";
      a.attempts = 4;
      a.http_status = 500;
      return a;
    }
    a.text = absl::StrCat(r.prompt_id, " answer");
    a.latency = absl::Milliseconds(12);
    return a;
  }
  agent::AgentRequest Request(const std::string& id) {
    absl::MutexLock lock(&mu_);
    return requests_[id];
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, agent::AgentRequest> requests_;
};

class AskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    suite_ = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
    ASSERT_TRUE(diags.list().empty());
    for (const char* id : {"crash", "latency", "payment"}) {
      dir_.WriteFile(absl::StrCat("run/", id, "/truth.json"),
                     Slurp(absl::StrCat(SRE_EVAL_SOURCE_DIR, "/fixtures/truths/", id, ".json")));
    }
  }
  Suite suite_;
  TempDir dir_;
};

TEST_F(AskTest, AsksEveryPromptAndAppendsEachAnswer) {
  ScriptedAgent agent;
  AskOptions o;
  o.run_dir = dir_.path() + "/run";
  o.suite = &suite_;
  o.jobs = 3;
  o.agent_name = "scripted";
  o.secrets = {"sk-planted-secret-1"};
  o.cluster = {"/k/kubeconfig", "sre-eval-sim", "sock-shop"};
  std::ostringstream progress;
  absl::StatusOr<AskSummary> s = AskSuite(&agent, o, &progress);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->asked, 16);
  EXPECT_EQ(s->errors, 1);
  EXPECT_EQ(s->skipped, 0);
  std::vector<nlohmann::json> lines = Lines(o.run_dir + "/responses.jsonl");
  ASSERT_EQ(lines.size(), 16u);
  // The continuation comes last, after the answer it continues.
  EXPECT_EQ(lines.back()["prompt_id"], "i2.same_as_crash");
  agent::AgentRequest same = agent.Request("i2.same_as_crash");
  ASSERT_EQ(same.history.size(), 2u);
  EXPECT_EQ(same.history[0].role, "user");
  EXPECT_EQ(same.history[0].content, agent.Request("i1.why_crash").message);
  EXPECT_EQ(same.history[1].role, "assistant");
  EXPECT_EQ(same.history[1].content, "i1.why_crash answer");
  // Rendered from the truth, with the window and the cluster.
  agent::AgentRequest why = agent.Request("i1.why_crash");
  EXPECT_EQ(why.incident, "crash");
  EXPECT_EQ(why.window_start, "2026-11-24T10:23:05Z");
  EXPECT_EQ(why.window_end, "2026-11-24T10:28:05Z");
  EXPECT_EQ(why.cluster.kubeconfig, "/k/kubeconfig");
  EXPECT_FALSE(absl::StrContains(why.message, "{{"));
  // The failed call is an error line, its secret redacted.
  for (const nlohmann::json& l : lines) {
    if (l["prompt_id"] != "i1.restarts") {
      EXPECT_EQ(l["status"], "ok") << l;
      EXPECT_EQ(l["answer"], l["prompt_id"].get<std::string>() + " answer");
      EXPECT_EQ(l["agent"], "scripted");
      continue;
    }
    // When it was asked: a time of this run, to the millisecond.
    ASSERT_TRUE(l.contains("started_at")) << l;
    absl::Time started;
    std::string parse_error;
    EXPECT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E3SZ", l["started_at"].get<std::string>(),
                                &started, &parse_error))
        << l["started_at"];
    EXPECT_LT(absl::Now() - started, absl::Minutes(5));
    nlohmann::json without = l;
    without.erase("started_at");
    EXPECT_EQ(without.dump(),
              absl::StrCat(R"({"agent":"scripted","attempts":4,"error":"HTTP 500 after 4 )",
                           R"(attempts: token [REDACTED] rejected","http_status":500,)",
                           R"("incident":"crash","latency_ms":0,"prompt":)",
                           nlohmann::json(agent.Request("i1.restarts").message).dump(),
                           R"(,"prompt_id":"i1.restarts","schema_version":1,"status":"error",)",
                           R"("trial":1})"));
  }
  // The console shows the failure's reason, redacted, on one line.
  EXPECT_TRUE(absl::StrContains(progress.str(),
                                "i1.restarts (trial 1): ERROR in 0 ms: HTTP 500 after 4 attempts: "
                                "token [REDACTED] rejected\n"))
      << progress.str();
}

// An agent that throws for one prompt and, for another, returns text that is not UTF-8 (a bug
// in the agent; the real ones repair what they receive): each is that answer's problem only.
class BrokenAgent : public agent::Agent {
 public:
  std::string kind() const override { return "http"; }
  std::string context_mode() const override { return "none"; }
  agent::AgentAnswer Ask(const agent::AgentRequest& r) override {
    if (r.prompt_id == "i1.restarts") throw std::runtime_error("boom \xff\nsecond line");
    if (r.prompt_id == "i2.same_as_crash") throw 42;
    agent::AgentAnswer a;
    a.attempts = 1;
    a.text = r.prompt_id == "i1.why_crash" ? "payment \xff scaled to 0" : "fine";
    return a;
  }
};

TEST_F(AskTest, AnAgentThatThrowsOrSendsInvalidUtf8LosesOnlyThatAnswer) {
  BrokenAgent agent;
  AskOptions o;
  o.run_dir = dir_.path() + "/run";
  o.suite = &suite_;
  o.jobs = 4;
  std::ostringstream progress;
  absl::StatusOr<AskSummary> s = AskSuite(&agent, o, &progress);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->asked, 16);
  EXPECT_EQ(s->errors, 2);
  std::map<std::string, nlohmann::json> by_id;
  for (const nlohmann::json& l : Lines(o.run_dir + "/responses.jsonl")) by_id[l["prompt_id"]] = l;
  ASSERT_EQ(by_id.size(), 16u);
  EXPECT_EQ(by_id["i1.restarts"]["status"], "error");
  EXPECT_EQ(by_id["i1.restarts"]["error"],
            "internal error while asking: boom \xEF\xBF\xBD\nsecond line");
  EXPECT_EQ(by_id["i1.restarts"]["repaired"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_EQ(by_id["i2.same_as_crash"]["error"],
            "internal error while asking: an unknown exception");
  EXPECT_FALSE(by_id["i2.same_as_crash"].contains("repaired"));
  // Text an agent failed to repair is still written, as valid UTF-8.
  EXPECT_EQ(by_id["i1.why_crash"]["answer"], "payment \xEF\xBF\xBD scaled to 0");
  EXPECT_EQ(by_id["i1.limits"]["answer"], "fine");
  EXPECT_TRUE(
      absl::StrContains(progress.str(),
                        "i1.restarts (trial 1): ERROR in 0 ms: internal error while asking: "
                        "boom \xEF\xBF\xBD\\nsecond line\n"))
      << progress.str();
}

TEST_F(AskTest, TrialsAskAgainAndAMissingTruthSkipsItsPrompts) {
  std::filesystem::remove(dir_.path() + "/run/latency/truth.json");
  ScriptedAgent agent;
  AskOptions o;
  o.run_dir = dir_.path() + "/run";
  o.suite = &suite_;
  o.trials = 2;
  o.incidents = {"crash", "latency"};
  absl::StatusOr<AskSummary> s = AskSuite(&agent, o, nullptr);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->asked, 12);   // crash's 6 prompts, twice
  EXPECT_EQ(s->skipped, 5);  // latency's 5 prompts, once each: no truth
  ASSERT_FALSE(s->problems.empty());
  EXPECT_TRUE(absl::StartsWith(s->problems[0], "i2.")) << s->problems[0];
  EXPECT_TRUE(absl::StrContains(s->problems[0], "latency/truth.json")) << s->problems[0];
  std::map<int, int> per_trial;
  for (const nlohmann::json& l : Lines(o.run_dir + "/responses.jsonl")) {
    ++per_trial[l["trial"].get<int>()];
  }
  EXPECT_EQ(per_trial, (std::map<int, int>{{1, 6}, {2, 6}}));
}

// A real HTTP agent behind a header holding a secret: the server echoes the header back in
// answers, and in the body of a 500 for one prompt. Nothing in the run folder may hold it.
TEST(AskSecretTest, APlantedSecretNeverReachesTheRunFolder) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; record drives the real one";
  const std::string kSecret = "sk-planted-0123456789abcdef";
  httplib::Server server;
  server.Post("/ask", [&](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    std::string auth = req.get_header_value("Authorization");
    if (body.is_object() && body.value("prompt_id", "") == "i3.charged") {
      res.status = 400;
      res.set_content(absl::StrCat("{\"error\":\"bad token ", auth, "\"}"), "application/json");
      return;
    }
    res.set_content(nlohmann::json{{"answer", absl::StrCat("I used ", auth)}}.dump(),
                    "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) absl::SleepFor(absl::Milliseconds(1));

  TempDir dir;
  std::string run_dir = dir.path() + "/run";
  {
    RecordOptions ro;
    ro.out = run_dir;
    ro.suite = SRE_EVAL_SOURCE_DIR;
    ro.incidents = {"payment"};
    ro.seed = 2;
    RecordRun run;
    std::ostringstream err;
    std::atomic<int> interrupts{0};
    ASSERT_EQ(Record(ro, nullptr, &interrupts, &run, err), 0) << err.str();
  }
  std::string file = dir.WriteFile(
      "agent.yaml",
      absl::StrCat("kind: http\nname: planted\nexpose: [prompt_id]\nretries: 0\nhttp:\n  url: "
                   "http://127.0.0.1:",
                   port,
                   "/ask\n  headers:\n    Authorization: \"Bearer "
                   "${SRE_EVAL_AGENT_TOKEN}\"\n  answer: /answer\n"));
  Diagnostics diags;
  absl::StatusOr<agent::AgentConfig> config = agent::LoadAgentConfig(
      file,
      [&](const std::string& name) -> std::optional<std::string> {
        if (name == "SRE_EVAL_AGENT_TOKEN") return kSecret;
        return std::nullopt;
      },
      /*expand=*/true, &diags);
  ASSERT_TRUE(config.ok()) << config.status();
  auto http = std::make_unique<CurlHttpClient>();
  PosixProcessRunner runner;
  absl::StatusOr<std::unique_ptr<agent::Agent>> made =
      agent::MakeAgent(*config, http.get(), &runner, SystemClock::Get(), 1);
  ASSERT_TRUE(made.ok()) << made.status();
  Diagnostics suite_diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &suite_diags);
  AskOptions o;
  o.run_dir = run_dir;
  o.suite = &suite;
  o.incidents = {"payment"};
  o.agent_name = config->name;
  o.secrets = config->secrets;
  absl::StatusOr<AskSummary> s = AskSuite(made->get(), o, nullptr);
  http.reset();
  server.stop();
  thread.join();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->asked, 5);
  EXPECT_EQ(s->errors, 1);
  std::string responses = Slurp(run_dir + "/responses.jsonl");
  EXPECT_TRUE(absl::StrContains(responses, "I used Bearer [REDACTED]")) << responses;
  EXPECT_TRUE(absl::StrContains(responses, "bad token Bearer [REDACTED]")) << responses;
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(run_dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_FALSE(absl::StrContains(Slurp(entry.path().string()), kSecret)) << entry.path();
  }
  EXPECT_GE(files, 6);  // run.json, kubectl.log, kubeconfig, timeline, truth, responses
}

}  // namespace
}  // namespace sre_eval
