// `sre-eval run` with agents that fail (issue 16, findings 1 and 2): bytes that are not UTF-8
// and characters cut at the answer cap are repaired where they enter and the run finishes with
// every answer kept and scored; a dead agent stops the run before anything is recorded; failed
// answers make the run incomplete (exit 3, unless --max-failed-answers allows them), with
// their reasons on the console and in every report, and never "Passed".
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/agent_test_server.h"
#include "cli/cli.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";  // U+FFFD, what a byte that is not UTF-8 becomes

std::string Slurp(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{64} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// responses.jsonl by prompt id and trial ("i3.cause#1").
std::map<std::string, nlohmann::json> Responses(const std::string& path) {
  std::map<std::string, nlohmann::json> out;
  for (absl::string_view line : absl::StrSplit(Slurp(path), '\n', absl::SkipEmpty())) {
    nlohmann::json j = nlohmann::json::parse(line);
    out[absl::StrCat(j["prompt_id"].get<std::string>(), "#", j["trial"].get<int>())] = j;
  }
  return out;
}

// The console with each "in N ms" made "in T ms", so that lines can be compared exactly.
std::string WithoutTimes(const std::string& text) {
  return std::regex_replace(text, std::regex(" in [0-9]+ ms"), " in T ms");
}

// An HTTP agent on 127.0.0.1 whose reply to each prompt `reply` decides: (status, body).
struct Reply {
  int status = 200;
  std::string body;
  absl::Duration delay = absl::ZeroDuration();
  std::string content_type = "text/plain";
};

class HostileAgentServer {
 public:
  explicit HostileAgentServer(std::function<Reply(const std::string& prompt_id)> reply) {
    server_.server().Post("/ask",
                          [this, reply](const httplib::Request& req, httplib::Response& res) {
                            ++requests_;
                            nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
                            Reply r = reply(body.is_object() ? body.value("prompt_id", "") : "");
                            if (r.delay > absl::ZeroDuration()) server_.WaitForRelease(r.delay);
                            res.status = r.status;
                            res.set_content(r.body, r.content_type);
                          });
    port_ = server_.Start();
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  agent::AgentTestServer server_;
  int port_ = -1;
  std::atomic<int> requests_{0};
};

// An http agent file: the raw body is the answer (`answer: ""`), or the string at /answer.
std::string HttpAgentFile(const TempDir& dir, int port, const std::string& pointer,
                          const std::string& timeout = "5s") {
  return dir.WriteFile(
      "agent.yaml",
      absl::StrCat("kind: http\nname: hostile\nexpose: [prompt_id]\nretries: 0\ntimeout: ", timeout,
                   "\nhttp:\n  url: http://127.0.0.1:", port, "/ask\n  answer: \"", pointer,
                   "\"\n"));
}

std::vector<std::string> PaymentRun(const std::string& agent, const std::string& run_dir,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "sre-eval", "run",    "--agent", agent,   "--incident", "payment", "--seed",
      "3",        "--jobs", "1",       "--out", run_dir,      "--suite", SRE_EVAL_SOURCE_DIR};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string Euros(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += "\xE2\x82\xAC";
  return out;
}

const char kGoodAnswer[] =
    "No. The payment service was scaled to 0 replicas, so every checkout failed and the orders "
    "were saved as PAYMENT_FAILED; no customer was charged.";

// Finding 1, http: a raw answer with a byte that is not UTF-8, 300 KB of euro signs cut at the
// 262144-byte cap inside a character, and a 400 whose body holds a byte that is not UTF-8.
// Before: SIGABRT (exit 134), no scores, no report, run.json "running".
TEST(RunE2eFailuresTest, BytesThatAreNotUtf8FromAnHttpAgentAreRepairedAndEveryAnswerKept) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  HostileAgentServer server([](const std::string& id) {
    if (id == "i3.charged") return Reply{200, "payment \xff scaled to 0"};
    if (id == "i3.cause") return Reply{200, Euros(100000)};
    if (id == "i3.prevent") return Reply{400, "bad \xff request"};
    return Reply{200, kGoodAnswer};
  });
  ASSERT_GT(server.port(), 0);
  TempDir dir;
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(PaymentRun(HttpAgentFile(dir, server.port(), ""), run_dir), out, err);
  EXPECT_EQ(code, 3) << out.str() << err.str();
  EXPECT_EQ(err.str(), absl::StrCat("sre-eval run: INCOMPLETE: 1 of 5 answers failed (error or "
                                    "timeout) and scored 0, more than --max-failed-answers "
                                    "allows (0); the first:\n"
                                    "  i3.prevent (trial 1): agent error: HTTP 400: bad ",
                                    kFffd, " request\n"));
  EXPECT_TRUE(absl::StrContains(
      WithoutTimes(out.str()),
      absl::StrCat("i3.prevent (trial 1): ERROR in T ms: HTTP 400: bad ", kFffd, " request\n")))
      << out.str();

  std::map<std::string, nlohmann::json> r = Responses(run_dir + "/responses.jsonl");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r["i3.charged#1"]["status"], "ok");
  EXPECT_EQ(r["i3.charged#1"]["answer"], absl::StrCat("payment ", kFffd, " scaled to 0"));
  EXPECT_EQ(r["i3.charged#1"]["repaired"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_FALSE(r["i3.charged#1"].contains("truncated"));
  // Cut on the last whole euro sign under the cap: 87381 of them, nothing replaced.
  EXPECT_EQ(r["i3.cause#1"]["answer"], Euros(87381));
  EXPECT_EQ(r["i3.cause#1"]["truncated"], true);
  EXPECT_FALSE(r["i3.cause#1"].contains("repaired"));
  EXPECT_EQ(r["i3.prevent#1"]["status"], "error");
  EXPECT_EQ(r["i3.prevent#1"]["error"], absl::StrCat("HTTP 400: bad ", kFffd, " request"));
  EXPECT_EQ(r["i3.prevent#1"]["http_status"], 400);
  EXPECT_EQ(r["i3.prevent#1"]["repaired"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_EQ(r["i3.how_many#1"]["answer"], kGoodAnswer);

  // Scored, reported, and recorded as incomplete.
  nlohmann::json scores = nlohmann::json::parse(Slurp(run_dir + "/scores.json"));
  EXPECT_EQ(scores["counts"]["scored"], 5);
  EXPECT_EQ(scores["counts"]["error"], 1);
  EXPECT_TRUE(absl::StrContains(Slurp(run_dir + "/summary.md"),
                                "**Incomplete: 1 of 5 answers failed (error or timeout) and "
                                "scored 0.** No threshold was missed.\n"));
  nlohmann::json report = nlohmann::json::parse(Slurp(run_dir + "/report.json"));
  EXPECT_EQ(report["gate"]["passed"], false);
  EXPECT_EQ(report["gate"]["failed_answers"], 1);
  EXPECT_TRUE(
      absl::StrContains(Slurp(run_dir + "/report.html"),
                        "Incomplete: 1 of 5 answers failed (error or timeout) and scored 0."));
  nlohmann::json run_json = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
  EXPECT_EQ(run_json["status"], "incomplete");
  EXPECT_EQ(run_json["answers"], nlohmann::json({{"total", 5}, {"failed", 1}}));
  EXPECT_EQ(run_json["max_failed_answers"], "0");
}

// Finding 1, command: \377 on stdout (the answer) and on stderr (a failed program's reason).
TEST(RunE2eFailuresTest, BytesThatAreNotUtf8FromACommandAgentAreRepairedAndEveryAnswerKept) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  TempDir dir;
  const std::string script = dir.WriteFile("agent.sh", absl::StrCat(R"(request=$(cat)
case "$request" in
  *'"prompt_id":"i3.charged"'*) printf 'payment \377 scaled to 0\n' ;;
  *'"prompt_id":"i3.prevent"'*) printf 'boom \377\n' >&2; exit 1 ;;
  *) printf '%s\n' ')",
                                                                    kGoodAnswer, R"(' ;;
esac
)"));
  const std::string agent = dir.WriteFile(
      "agent.yaml",
      absl::StrCat("kind: command\nname: hostile-cli\nexpose: [prompt_id]\ntimeout: 10s\ncommand:\n"
                   "  argv: [/bin/sh, '",
                   script, "']\n"));
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(PaymentRun(agent, run_dir), out, err);
  EXPECT_EQ(code, 3) << out.str() << err.str();
  EXPECT_EQ(err.str(), absl::StrCat("sre-eval run: INCOMPLETE: 1 of 5 answers failed (error or "
                                    "timeout) and scored 0, more than --max-failed-answers "
                                    "allows (0); the first:\n"
                                    "  i3.prevent (trial 1): agent error: exit 1: boom ",
                                    kFffd, "\n"));
  std::map<std::string, nlohmann::json> r = Responses(run_dir + "/responses.jsonl");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r["i3.charged#1"]["answer"], absl::StrCat("payment ", kFffd, " scaled to 0"));
  EXPECT_EQ(r["i3.charged#1"]["repaired"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_EQ(r["i3.prevent#1"]["error"], absl::StrCat("exit 1: boom ", kFffd));
  EXPECT_EQ(r["i3.prevent#1"]["repaired"], nlohmann::json::array({"invalid_utf8"}));
  EXPECT_EQ(r["i3.cause#1"]["answer"], kGoodAnswer);
  EXPECT_FALSE(r["i3.cause#1"].contains("repaired"));
  EXPECT_EQ(nlohmann::json::parse(Slurp(run_dir + "/scores.json"))["counts"]["scored"], 5);
  EXPECT_EQ(nlohmann::json::parse(Slurp(run_dir + "/run.json"))["status"], "incomplete");
}

// Issue 19: on the sim the request carries the monitoring APIs, and an agent that queries
// them sees the incident's history: here a command agent asks the sim's Prometheus API, at
// the window's end, for payment's fewest replicas over the window (0: it was scaled down),
// and Loki for the orders' log lines that name payment. The sim's clock endpoint, beside
// them, is the harness's: the agent gets 403 there.
TEST(RunE2eFailuresTest, TheAgentIsHandedTheSimsMonitoringAndItAnswers) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  TempDir dir;
  const std::string script = dir.WriteFile(
      "agent.py", R"(import json, sys, urllib.error, urllib.parse, urllib.request, datetime
r = json.load(sys.stdin)
m = r["monitoring"]
end = datetime.datetime.strptime(r["window"]["end"], "%Y-%m-%dT%H:%M:%SZ").replace(
    tzinfo=datetime.timezone.utc).timestamp()
q = urllib.parse.urlencode({"query": 'min(min_over_time(kube_deployment_spec_replicas{deployment="payment"}[15m]))', "time": end})
v = json.load(urllib.request.urlopen(m["prometheus"] + "/api/v1/query?" + q))
q = urllib.parse.urlencode({"query": 'sum(count_over_time({app="orders"} |= "payment" [15m]))', "time": int(end)})
l = json.load(urllib.request.urlopen(m["loki"] + "/api/v1/query?" + q))
clock = m["prometheus"].replace("/prometheus", "/sim/v1/clock")
try:
    urllib.request.urlopen(clock)
    code = 200
except urllib.error.HTTPError as e:
    code = e.code
print("payment replicas at least %s; %s orders lines name payment; datadog %s; clock %s" % (
    v["data"]["result"][0]["value"][1], l["data"]["result"][0]["value"][1],
    m["datadog"].endswith("/datadog"), code))
)");
  const std::string agent = dir.WriteFile(
      "agent.yaml", absl::StrCat("kind: command\nname: monitoring-cli\ntimeout: 30s\ncommand:\n"
                                 "  argv: [python3, '",
                                 script, "']\n"));
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  RunCli(PaymentRun(agent, run_dir, {"--incident", "payment"}), out, err);
  std::map<std::string, nlohmann::json> r = Responses(run_dir + "/responses.jsonl");
  ASSERT_EQ(r.size(), 5u) << err.str();
  // Seed 3: payment's calls from 65 checkouts were refused while it was at 0.
  EXPECT_EQ(r["i3.cause#1"].value("answer", ""),
            "payment replicas at least 0; 65 orders lines name payment; datadog True; clock 403")
      << r["i3.cause#1"];
}

// Finding 2: nothing listening, a missing program, a file that cannot be run. Before: the
// whole incident was recorded, every answer failed, exit 0 and "Passed".
TEST(RunE2eFailuresTest, AnAgentThatCannotBeReachedStopsTheRunBeforeRecording) {
  TempDir dir;
  const int port = agent::UnusedPort();
  ASSERT_GT(port, 0);
  const std::string not_executable = dir.WriteFile("agent.sh", "echo hi\n");
  ASSERT_EQ(chmod(not_executable.c_str(), 0644), 0);
  struct Case {
    std::string file;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {absl::StrCat("kind: http\nname: dead\nhttp:\n  url: http://127.0.0.1:", port, "/ask\n"),
       absl::StrCat("the agent 'dead' cannot be reached: cannot connect to 127.0.0.1:", port,
                    ": Connection refused")},
      {absl::StrCat("kind: openai\nname: dead-model\nopenai:\n  base_url: http://127.0.0.1:", port,
                    "/v1\n  model: m\n"),
       absl::StrCat("the agent 'dead-model' cannot be reached: cannot connect to 127.0.0.1:", port,
                    ": Connection refused")},
      {"kind: command\nname: missing\ncommand:\n  argv: [sre-eval-no-such-agent-program]\n",
       "the agent 'missing' cannot be reached: program 'sre-eval-no-such-agent-program' not "
       "found on PATH"},
      {absl::StrCat("kind: command\nname: not-executable\ncommand:\n  argv: ['", not_executable,
                    "']\n"),
       absl::StrCat("the agent 'not-executable' cannot be reached: program '", not_executable,
                    "' is not executable")},
  };
  for (const Case& c : cases) {
    const std::string agent = dir.WriteFile("dead.yaml", c.file);
    const std::string run_dir = dir.path() + "/run";
    std::ostringstream out, err;
    absl::Time start = absl::Now();
    EXPECT_EQ(RunCli(PaymentRun(agent, run_dir), out, err), 3) << c.file;
    EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << c.file;
    EXPECT_EQ(err.str(), absl::StrCat("sre-eval run: ", c.reason, "; nothing was run\n"));
    EXPECT_EQ(out.str(), "");
    EXPECT_FALSE(std::filesystem::exists(run_dir)) << "nothing recorded";
  }
}

// Finding 2: an endpoint failing 8 of 10 answers (errors and timeouts) exits 3 with the count
// and the first reasons; --max-failed-answers 80% allows it (exit 0), and the reports still
// say the run is incomplete.
TEST(RunE2eFailuresTest, AnAgentFailingMostAnswersExits3UnlessAllowed) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  HostileAgentServer server([](const std::string& id) {
    if (id == "i3.charged") {
      return Reply{200, nlohmann::json{{"answer", kGoodAnswer}}.dump(), absl::ZeroDuration(),
                   "application/json"};
    }
    if (id == "i3.how_many") {
      return Reply{200, R"({"answer": "late"})", absl::Milliseconds(1500), "application/json"};
    }
    return Reply{500, "upstream model unavailable"};
  });
  ASSERT_GT(server.port(), 0);
  TempDir dir;
  const std::string agent = HttpAgentFile(dir, server.port(), "/answer", "1s");
  const std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(PaymentRun(agent, run_dir, {"--trials", "2"}), out, err);
  EXPECT_EQ(code, 3) << out.str() << err.str();
  EXPECT_EQ(err.str(),
            "sre-eval run: INCOMPLETE: 8 of 10 answers failed (error or timeout) and scored 0, "
            "more than --max-failed-answers allows (0); the first:\n"
            "  i3.cause (trial 1): agent error: HTTP 500: upstream model unavailable\n"
            "  i3.cause (trial 2): agent error: HTTP 500: upstream model unavailable\n"
            "  i3.how_many (trial 1): agent timeout: timed out after 1s\n"
            "  i3.how_many (trial 2): agent timeout: timed out after 1s\n"
            "  i3.what_to_do (trial 1): agent error: HTTP 500: upstream model unavailable\n"
            "  ... 3 more in summary.md\n");
  const std::string console = WithoutTimes(out.str());
  EXPECT_TRUE(absl::StrContains(console,
                                "i3.how_many (trial 2): ERROR in T ms: timed out after "
                                "1s\n"))
      << console;
  EXPECT_TRUE(absl::StrContains(console,
                                "i3.prevent (trial 1): ERROR in T ms: HTTP 500: "
                                "upstream model unavailable\n"))
      << console;
  EXPECT_TRUE(absl::StrContains(Slurp(run_dir + "/summary.md"),
                                "**Incomplete: 8 of 10 answers failed (error or timeout) and "
                                "scored 0.**"));
  nlohmann::json run_json = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
  EXPECT_EQ(run_json["status"], "incomplete");
  EXPECT_EQ(run_json["answers"], nlohmann::json({{"total", 10}, {"failed", 8}}));
  nlohmann::json scores = nlohmann::json::parse(Slurp(run_dir + "/scores.json"));
  EXPECT_EQ(scores["counts"]["error"], 6);
  EXPECT_EQ(scores["counts"]["timeout"], 2);

  // Allowed: the same run exits 0 and says so on the console; the reports still do not pass.
  const std::string allowed_dir = dir.path() + "/allowed";
  std::ostringstream out2, err2;
  code = RunCli(PaymentRun(agent, allowed_dir, {"--trials", "2", "--max-failed-answers", "80%"}),
                out2, err2);
  EXPECT_EQ(code, 0) << out2.str() << err2.str();
  EXPECT_EQ(err2.str(), "");
  EXPECT_TRUE(absl::StrContains(out2.str(),
                                "8 of 10 answers failed (error or timeout) and scored 0, allowed "
                                "by --max-failed-answers 80%; the first:\n"
                                "  i3.cause (trial 1): agent error: HTTP 500: upstream model "
                                "unavailable\n"))
      << out2.str();
  EXPECT_FALSE(absl::StrContains(Slurp(allowed_dir + "/summary.md"), "Passed"));
  nlohmann::json allowed_json = nlohmann::json::parse(Slurp(allowed_dir + "/run.json"));
  EXPECT_EQ(allowed_json["status"], "incomplete");
  EXPECT_EQ(allowed_json["max_failed_answers"], "80%");
}

TEST(RunE2eFailuresTest, MaxFailedAnswersIsParsedStrictly) {
  for (const std::string bad :
       {"", "abc", "-1", "1.5", "101%", "%", "5 ", "+3", "10%%", "0x10", "9999999999"}) {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"sre-eval", "run", "--max-failed-answers", bad}, out, err), 2) << bad;
    EXPECT_EQ(err.str(),
              "sre-eval run: --max-failed-answers must be a whole number of answers (like 2) or "
              "a whole percentage of them from 0% to 100% (like 10%), got '" +
                  bad + "'\n");
  }
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"sre-eval", "run", "--help"}, out, err), 0);
  EXPECT_TRUE(absl::StrContains(out.str(), "--max-failed-answers N|P%")) << out.str();
}

}  // namespace
}  // namespace sre_eval
