// `sre-eval run` end to end on the sim with a scripted HTTP agent whose answers are known:
// the exact scores, the reference agent beside it, the gate's exit code.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/cli.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "suite/fingerprint.h"
#include "suite/suite.h"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace {

std::string Slurp(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{64} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// Answers the payment prompts with fixed texts; i3.prevent always fails with a 500. With
// `interrupt_at` N > 0, raises SIGINT (through the handler `run` installs) while answering
// the Nth request, as a Ctrl-C in the middle of asking. `regressed` plants a regression: a
// wrong answer to i3.charged, the others unchanged.
class ScriptedAgentServer {
 public:
  explicit ScriptedAgentServer(int interrupt_at = 0, bool regressed = false) {
    server_.Post("/ask", [this, interrupt_at, regressed](const httplib::Request& req,
                                                         httplib::Response& res) {
      if (++requests_ == interrupt_at) std::raise(SIGINT);
      nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
      std::string id = body.is_object() ? body.value("prompt_id", "") : "";
      static const std::map<std::string, std::string> kAnswers = {
          {"i3.charged",
           "No. The payment service was scaled to 0 replicas, so every checkout failed and the "
           "orders were saved as PAYMENT_FAILED; no customer was charged."},
          {"i3.cause",
           "The payment deployment had 0 ready replicas: orders could not reach payment "
           "(connection refused) and failed each checkout."},
          {"i3.how_many", "Many orders failed."},
          {"i3.what_to_do", "Scale payment back to 1 replica and retry the failed orders."},
      };
      if (regressed && id == "i3.charged") {
        res.set_content(R"({"answer": "Yes, the customers were charged twice."})",
                        "application/json");
        return;
      }
      auto it = kAnswers.find(id);
      if (it == kAnswers.end()) {
        res.status = 500;
        res.set_content("internal error", "text/plain");
        return;
      }
      res.set_content(nlohmann::json{{"answer", it->second}}.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }
  ~ScriptedAgentServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

// An http agent file for a ScriptedAgentServer on `port`, written into `dir` as `name`.
std::string ScriptedAgentFile(const TempDir& dir, const std::string& name, int port, int retries) {
  return dir.WriteFile(
      name, absl::StrCat("kind: http\nname: scripted\nexpose: [prompt_id]\nretries: ", retries,
                         "\ntimeout: 5s\nhttp:\n  url: http://127.0.0.1:", port,
                         "/ask\n  answer: /answer\n"));
}

// `run` of the payment incident, seed 3, one question at a time, into `run_dir`, allowing the
// one failed answer (i3.prevent) of a ScriptedAgentServer (kept in run.json for a resume).
int RunPayment(const std::string& agent, const std::string& run_dir, std::ostream& out,
               std::ostream& err) {
  return RunCli(
      {"sre-eval", "run", "--agent", agent, "--incident", "payment", "--seed", "3", "--jobs", "1",
       "--out", run_dir, "--suite", SRE_EVAL_SOURCE_DIR, "--max-failed-answers", "1"},
      out, err);
}

TEST(RunE2eTest, AScriptedAgentGetsItsExactScoresBesideTheReferenceAndTheGateFails) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  ScriptedAgentServer server;
  TempDir dir;
  std::string agent = ScriptedAgentFile(dir, "scripted.yaml", server.port(), 1);
  std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(
      {"sre-eval", "run", "--agent", agent, "--incident", "payment", "--seed", "3", "--out",
       run_dir, "--suite", SRE_EVAL_SOURCE_DIR, "--fail-under", "0.9", "--max-failed-answers", "1"},
      out, err);
  EXPECT_EQ(code, 1) << out.str() << err.str();
  EXPECT_EQ(err.str(), "");
  // The failed answer, allowed, is still counted and named.
  EXPECT_TRUE(absl::StrContains(out.str(),
                                "1 of 5 answers failed (error or timeout) and scored 0, allowed by "
                                "--max-failed-answers 1; the first:\n"
                                "  i3.prevent (trial 1): agent error: HTTP 500 after 2 attempts: "
                                "internal error\n"))
      << out.str();
  nlohmann::json scores = nlohmann::json::parse(Slurp(run_dir + "/scores.json"));
  std::map<std::string, double> by_prompt;
  for (const nlohmann::json& p : scores["prompts"]) {
    if (p["score"].is_number()) by_prompt[p["prompt_id"]] = p["score"].get<double>();
  }
  // The right cause, stated briefly, scores well; right but vague answers score low; the
  // vague count scores 0, the failed call 0.
  EXPECT_EQ(by_prompt, (std::map<std::string, double>{{"i3.charged", 0.3041},
                                                      {"i3.cause", 0.7692},
                                                      {"i3.how_many", 0},
                                                      {"i3.prevent", 0},
                                                      {"i3.what_to_do", 0.0476}}));
  EXPECT_EQ(scores["overall"]["score"], 0.2242);
  // The failed prompt is an error line with its attempts, scored 0.
  std::string responses = Slurp(run_dir + "/responses.jsonl");
  EXPECT_EQ(std::count(responses.begin(), responses.end(), '\n'), 5);
  EXPECT_TRUE(absl::StrContains(responses, R"("attempts":2,"error":"HTTP 500 after 2 attempts)"))
      << responses;
  // The reference agent answered the same prompts beside it.
  std::string reference = Slurp(run_dir + "/reference/responses.jsonl");
  EXPECT_EQ(std::count(reference.begin(), reference.end(), '\n'), 5);
  EXPECT_TRUE(std::filesystem::exists(run_dir + "/reference/scores.json"));
  EXPECT_TRUE(absl::StrContains(out.str(), "gate missed: overall 0.2242 < 0.9 (--fail-under)\n"))
      << out.str();
  // The reports: junit.xml has a failing test case per prompt under the threshold.
  std::string junit = Slurp(run_dir + "/junit.xml");
  EXPECT_TRUE(
      absl::StrContains(junit, "<testcase classname=\"payment\" name=\"i3.how_many trial 1\""))
      << junit;
  EXPECT_TRUE(std::filesystem::exists(run_dir + "/summary.md"));
  EXPECT_TRUE(std::filesystem::exists(run_dir + "/report.json"));
  // run.json names the suite and every rubric by their hashes, for `compare`.
  Diagnostics diags;
  Suite suite = LoadSuite(SRE_EVAL_SOURCE_DIR, &diags);
  absl::StatusOr<SuiteFingerprint> fingerprint = FingerprintSuite(suite);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status();
  nlohmann::json run_json = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
  EXPECT_EQ(run_json["suite_hash"], fingerprint->suite_hash);
  EXPECT_EQ(run_json["rubric_versions"].size(), 19u);
  EXPECT_EQ(run_json["rubric_versions"]["i3.charged"], fingerprint->rubric_versions["i3.charged"]);
}

// A copy of the shipped suite with the payment incident alone, in `dir`/suite: a run of
// the whole suite (no --incident) that takes seconds.
std::string PaymentOnlySuite(const TempDir& dir) {
  const std::string src = SRE_EVAL_SOURCE_DIR;
  for (const char* f :
       {"incidents/payment.yaml", "incidents/manifests/locustfile.yaml",
        "incidents/manifests/locust-payment.yaml", "incidents/manifests/locust-payment-act.yaml",
        "incidents/manifests/locust-payment-verify.yaml", "prompts/incident-3-payment.yaml"}) {
    dir.WriteFile(absl::StrCat("suite/", f), Slurp(absl::StrCat(src, "/", f)));
  }
  for (const auto& entry : std::filesystem::directory_iterator(src + "/rubrics")) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "i3.")) {
      dir.WriteFile("suite/rubrics/" + name, Slurp(entry.path().string()));
    }
  }
  return dir.path() + "/suite";
}

// Two runs of the same incident, the candidate's agent answering one prompt wrongly: compare
// pairs them, finds exactly that regression and fails with --fail-on-regression; a rubric
// version planted into one run.json makes the runs not comparable, by name. The runs take
// the whole of a one-incident suite, as a run without --incident does.
TEST(RunE2eTest, CompareOfTwoRunsFindsThePlantedRegression) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  TempDir dir;
  const std::string suite = PaymentOnlySuite(dir);
  auto run = [&](bool regressed, const std::string& run_dir) {
    ScriptedAgentServer server(/*interrupt_at=*/0, regressed);
    std::string agent =
        ScriptedAgentFile(dir, regressed ? "candidate.yaml" : "base.yaml", server.port(), 0);
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"sre-eval", "run", "--agent", agent, "--seed", "3", "--out", run_dir,
                      "--suite", suite, "--max-failed-answers", "1"},
                     out, err),
              0)
        << out.str() << err.str();
    EXPECT_TRUE(absl::StrContains(out.str(), "payment: asking scripted\n")) << out.str();
  };
  const std::string base = dir.path() + "/base", candidate = dir.path() + "/candidate";
  run(false, base);
  run(true, candidate);

  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"sre-eval", "compare", "--format", "json", "--fail-on-regression", "--suite",
                    suite, base, candidate},
                   out, err),
            1)
      << err.str();
  nlohmann::json c = nlohmann::json::parse(out.str());
  EXPECT_EQ(c["comparable"], true) << out.str();
  EXPECT_EQ(c["warnings"], nlohmann::json::array()) << out.str();
  EXPECT_EQ(c["regressions"], nlohmann::json::array({"i3.charged"}));
  EXPECT_EQ(c["improvements"], nlohmann::json::array());
  std::ostringstream md, md_err;
  EXPECT_EQ(RunCli({"sre-eval", "compare", "--suite", suite, base, candidate}, md, md_err), 0);
  EXPECT_TRUE(absl::StrContains(md.str(), "Regressions: i3.charged. Improvements: none"))
      << md.str();

  // A run made with another version of a rubric is named.
  nlohmann::json run_json = nlohmann::json::parse(Slurp(candidate + "/run.json"));
  const std::string version = run_json["rubric_versions"]["i3.cause"];
  run_json["rubric_versions"]["i3.cause"] = "fnv1a64:0000000000000000";
  ASSERT_TRUE(WriteFileAtomically(candidate + "/run.json", run_json.dump(2)).ok());
  std::ostringstream out2, err2;
  RunCli({"sre-eval", "compare", "--format", "json", "--suite", suite, base, candidate}, out2,
         err2);
  nlohmann::json c2 = nlohmann::json::parse(out2.str());
  EXPECT_EQ(c2["comparable"], false);
  EXPECT_EQ(c2["warnings"],
            nlohmann::json::array({absl::StrCat("rubric version of i3.cause differs: base ",
                                                version, ", candidate fnv1a64:0000000000000000")}));

  // Both runs made with a suite other than the one re-scoring them: comparable with each
  // other, and each is named.
  const std::string suite_hash = run_json["suite_hash"];
  for (const std::string& run_dir : {base, candidate}) {
    nlohmann::json doc = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
    doc["suite_hash"] = "fnv1a64:1111111111111111";
    doc["rubric_versions"] = nlohmann::json::object();
    ASSERT_TRUE(WriteFileAtomically(run_dir + "/run.json", doc.dump(2)).ok());
  }
  std::ostringstream out3, err3;
  RunCli({"sre-eval", "compare", "--format", "json", "--suite", suite, base, candidate}, out3,
         err3);
  nlohmann::json c3 = nlohmann::json::parse(out3.str());
  EXPECT_EQ(c3["comparable"], true);
  std::vector<std::string> expected;
  for (const char* side : {"base", "candidate"}) {
    expected.push_back(absl::StrCat(side,
                                    " was run with another suite (suite hash "
                                    "fnv1a64:1111111111111111); it is re-scored with the current "
                                    "one (",
                                    suite_hash, ")"));
  }
  EXPECT_EQ(c3["warnings"], nlohmann::json(expected));
}

TEST(RunE2eTest, ACtrlCWhileAskingKeepsTheAnswersThatArrivedAndScoresThem) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  ScriptedAgentServer server(/*interrupt_at=*/3);
  TempDir dir;
  std::string agent = ScriptedAgentFile(dir, "scripted.yaml", server.port(), 0);
  std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunPayment(agent, run_dir, out, err);
  EXPECT_EQ(code, 3) << out.str() << err.str();
  // The three questions sent were answered and kept; the other two were never asked.
  std::string responses = Slurp(run_dir + "/responses.jsonl");
  EXPECT_EQ(std::count(responses.begin(), responses.end(), '\n'), 3) << responses;
  nlohmann::json scores = nlohmann::json::parse(Slurp(run_dir + "/scores.json"));
  EXPECT_EQ(scores["counts"]["scored"], 3);
  EXPECT_FALSE(std::filesystem::exists(run_dir + "/reference/responses.jsonl"));
  EXPECT_TRUE(absl::StrContains(out.str(), "interrupted: the answers that arrived are kept in "))
      << out.str();
  // The cluster was still cleaned up.
  EXPECT_TRUE(absl::StrContains(Slurp(run_dir + "/kubectl.log"), "locustfile.yaml"));
  nlohmann::json run_json = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
  EXPECT_EQ(run_json["incidents"][0]["cleanup"], "ok");

  // --resume asks only the two questions never asked (the sim replays the incident with the
  // same seed, to the byte-identical truth), then the reference agent, and scores all five.
  EXPECT_EQ(server.requests(), 3);
  std::ostringstream out2, err2;
  int resumed =
      RunCli({"sre-eval", "run", "--resume", run_dir, "--suite", SRE_EVAL_SOURCE_DIR}, out2, err2);
  EXPECT_EQ(resumed, 0) << out2.str() << err2.str();
  EXPECT_EQ(server.requests(), 5);
  std::string after = Slurp(run_dir + "/responses.jsonl");
  EXPECT_EQ(after.substr(0, responses.size()), responses);  // the first answers untouched
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 5) << after;
  std::string reference = Slurp(run_dir + "/reference/responses.jsonl");
  EXPECT_EQ(std::count(reference.begin(), reference.end(), '\n'), 5);
  EXPECT_EQ(nlohmann::json::parse(Slurp(run_dir + "/scores.json"))["counts"]["scored"], 5);
  EXPECT_EQ(nlohmann::json::parse(Slurp(run_dir + "/run.json"))["resumes"], 1);
  EXPECT_FALSE(std::filesystem::exists(run_dir + "/.resume"));
  // A second resume has nothing left to ask.
  std::ostringstream out3, err3;
  EXPECT_EQ(
      RunCli({"sre-eval", "run", "--resume", run_dir, "--suite", SRE_EVAL_SOURCE_DIR}, out3, err3),
      0)
      << err3.str();
  EXPECT_EQ(server.requests(), 5);
}

std::string FingerprintOfShippedSuite() {
  Diagnostics diags;
  absl::StatusOr<SuiteFingerprint> f = FingerprintSuite(LoadSuite(SRE_EVAL_SOURCE_DIR, &diags));
  return f.ok() ? f->suite_hash : "";
}

TEST(RunE2eTest, ResumeRefusesWhatItCannotResume) {
  TempDir dir;
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"sre-eval", "run", "--resume", dir.path(), "--seed", "2"}, out, err), 2);
  EXPECT_EQ(err.str(),
            "sre-eval run: --resume takes the run's settings from its run.json; drop --seed\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(RunCli({"sre-eval", "run", "--resume", dir.path()}, out2, err2), 2);
  EXPECT_EQ(err2.str(), "sre-eval run: '" + dir.path() +
                            "' is not the folder of a `run` (no run.json of one)\n");
  const std::string run_json = dir.path() + "/run.json";
  struct Case {
    const char* doc;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"command": "run", "environment": "kube"})",
            run_json + ": names no 'context'; cannot find the run's cluster"},
           {R"({"command": "run", "environment": "moon"})",
            run_json + ": 'environment' must be sim or kube, got 'moon'"},
           {R"({"command": "run", "environment": "sim", "incidents": [7]})",
            run_json + ": lists no incidents; there is nothing to resume"},
           {R"({"command": "run", "environment": "sim", "incidents": [{"id": "payment"}],
               "suite_hash": "fnv1a64:0000000000000000"})",
            absl::StrCat("cannot resume: the suite '", SRE_EVAL_SOURCE_DIR,
                         "' has changed since the run (suite hash fnv1a64:0000000000000000, now ",
                         FingerprintOfShippedSuite(),
                         "); its answers would be scored by other rubrics")},
       }) {
    dir.WriteFile("run.json", c.doc);
    std::ostringstream out3, err3;
    EXPECT_EQ(RunCli({"sre-eval", "run", "--resume", dir.path(), "--suite", SRE_EVAL_SOURCE_DIR},
                     out3, err3),
              2)
        << c.doc;
    EXPECT_EQ(err3.str(), "sre-eval run: " + c.error + "\n");
  }
}

// A real cluster cannot replay an incident: resuming a kube run asks the prompts left over
// about the incident it recorded, against the cluster as it is now, without triggering it
// again. Here the "real cluster" is a served sim reached as a kube context.
TEST(RunE2eTest, ResumingAKubeRunAsksWhatIsLeftWithoutTriggeringTheIncidentAgain) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; run drives the real one";
  ScriptedAgentServer server(/*interrupt_at=*/3);
  TempDir dir;
  std::string agent = ScriptedAgentFile(dir, "scripted.yaml", server.port(), 0);
  std::string run_dir = dir.path() + "/run";
  std::ostringstream out, err;
  ASSERT_EQ(RunPayment(agent, run_dir, out, err), 3) << out.str() << err.str();
  EXPECT_EQ(server.requests(), 3);
  // Make it a run on a real cluster: the payment incident's truth is recorded.
  absl::StatusOr<std::unique_ptr<ServedSim>> cluster = ServedSim::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  nlohmann::json run_json = nlohmann::json::parse(Slurp(run_dir + "/run.json"));
  run_json["environment"] = "kube";
  run_json["kubeconfig"] = (*cluster)->kubeconfig();
  ASSERT_TRUE(WriteFileAtomically(run_dir + "/run.json", run_json.dump(2)).ok());
  const std::string truth = Slurp(run_dir + "/payment/truth.json");
  const std::string calls = Slurp(run_dir + "/kubectl.log");

  std::ostringstream out2, err2;
  EXPECT_EQ(
      RunCli({"sre-eval", "run", "--resume", run_dir, "--suite", SRE_EVAL_SOURCE_DIR}, out2, err2),
      0)
      << out2.str() << err2.str();
  EXPECT_EQ(err2.str(), "");
  EXPECT_TRUE(absl::StrContains(out2.str(),
                                "payment: recorded before, not triggered again; the cluster has "
                                "been restored since, so the agent sees what is left of the "
                                "incident\n"))
      << out2.str();
  EXPECT_EQ(server.requests(), 5);  // the two prompts never asked, and no other
  EXPECT_EQ(Slurp(run_dir + "/payment/truth.json"), truth);
  // Nothing was changed on the cluster: the resume's kubectl calls (appended) only read.
  std::string after = Slurp(run_dir + "/kubectl.log");
  ASSERT_EQ(after.substr(0, calls.size()), calls);
  std::string resumed_calls = after.substr(calls.size());
  EXPECT_FALSE(resumed_calls.empty());
  for (absl::string_view line : absl::StrSplit(resumed_calls, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StrContains(line, "  R  ")) << line;
  }
  EXPECT_FALSE(std::filesystem::exists(run_dir + "/.resume"));
  // Scored against the recorded truth: the exact scores of the uninterrupted run.
  nlohmann::json scores = nlohmann::json::parse(Slurp(run_dir + "/scores.json"));
  EXPECT_EQ(scores["counts"]["scored"], 5);
  EXPECT_EQ(scores["overall"]["score"], 0.2242);
  EXPECT_EQ(nlohmann::json::parse(Slurp(run_dir + "/run.json"))["resumes"], 1);
  std::string reference = Slurp(run_dir + "/reference/responses.jsonl");
  EXPECT_EQ(std::count(reference.begin(), reference.end(), '\n'), 5);
}

}  // namespace
}  // namespace sre_eval
