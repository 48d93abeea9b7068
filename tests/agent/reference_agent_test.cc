// The reference agent against the simulated cluster: the three shipped incidents run on it in
// order, the agent answers every guide prompt of each incident right after it (before the next
// one runs, as `record` would ask), only through kubectl, and the shipped rubrics score its
// answers against the recorded truth: each above the keyword-stuffed fixture, the mean above 0.6
// and below a perfect score.
#include "agent/reference_agent.h"

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/agent.h"
#include "cluster/kubectl.h"
#include "cluster/sim_clock.h"
#include "gtest/gtest.h"
#include "incident/incident.h"
#include "incident/runner.h"
#include "nlohmann/json.hpp"
#include "score/engine.h"
#include "score/graded.h"
#include "score/rubric_set.h"
#include "served_sim.h"
#include "suite/suite.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/diagnostic.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace agent {
namespace {

// A Clock that never moves, for the agent's latency (never compared).
class StillClock final : public Clock {
 public:
  absl::Time Now() override { return At("2026-12-01T10:00:00Z"); }
  void SleepFor(absl::Duration) override {}
};

FakeProcessRunner::Handler Failing() {
  return [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    SubprocessResult r;
    r.exit_code = 1;
    r.stderr_data = "error: You must be logged in to the server (Unauthorized)\n";
    return r;
  };
}

AgentRequest Request() {
  AgentRequest request;
  request.incident = "crash";
  request.prompt_id = "i1.restarts";
  request.message = "How many pod restarts occurred during the incident?";
  request.window_start = "2026-11-24T10:23:05Z";
  request.window_end = "2026-11-24T10:28:05Z";
  request.cluster = {"/tmp/kubeconfig", "sre-eval-sim", "sock-shop"};
  return request;
}

TEST(ReferenceAgentTest, KindAndContextMode) {
  FakeProcessRunner runner(Failing());
  StillClock wall;
  std::unique_ptr<Agent> agent = MakeReferenceAgent(&runner, &wall, nullptr);
  EXPECT_EQ(agent->kind(), "reference");
  EXPECT_EQ(agent->context_mode(), "none");
}

TEST(ReferenceAgentTest, AFailedKubectlIsAnErrorAnswerAndIsTriedAgain) {
  FakeProcessRunner runner(Failing());
  StillClock wall;
  std::unique_ptr<Agent> agent = MakeReferenceAgent(&runner, &wall, nullptr);
  AgentAnswer answer = agent->Ask(Request());
  EXPECT_EQ(answer.text, "");
  EXPECT_EQ(
      answer.error,
      "investigating the cluster failed: kubectl get "
      "pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io -o json: exit 1: error: "
      "You must be logged in to the server (Unauthorized)");
  EXPECT_FALSE(answer.ok());
  EXPECT_EQ(runner.calls().size(), 1u);
  // A failed investigation is not kept: the next prompt looks again.
  EXPECT_EQ(agent->Ask(Request()).error, answer.error);
  EXPECT_EQ(runner.calls().size(), 2u);
}

TEST(ReferenceAgentTest, ARequestWithoutAContextIsRefusedBeforeKubectlRuns) {
  FakeProcessRunner runner(Failing());
  StillClock wall;
  std::unique_ptr<Agent> agent = MakeReferenceAgent(&runner, &wall, nullptr);
  AgentRequest request = Request();
  request.cluster.context = "";
  AgentAnswer answer = agent->Ask(request);
  EXPECT_EQ(answer.error, "investigating the cluster failed: the request names no cluster context");
  EXPECT_TRUE(runner.calls().empty());
}

// One prompt's outcome.
struct Row {
  std::string prompt_id;
  double reference = 0;
  double stuffed = 0;
};

TEST(ReferenceAgentTest, AnswersEveryGuidePromptAboveKeywordStuffingAndBelowPerfect) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; this test drives the real one";
  const std::string source = SRE_EVAL_SOURCE_DIR;
  Diagnostics diags;
  Suite suite = LoadSuite(source, &diags);
  ASSERT_TRUE(diags.list().empty()) << diags.list().front().message;
  RubricSet rubrics = RubricSet::Compile(suite, &diags);
  ASSERT_TRUE(diags.list().empty()) << diags.list().front().message;
  absl::StatusOr<std::vector<incident::Incident>> incidents =
      incident::LoadIncidents(source + "/incidents", &diags);
  ASSERT_TRUE(incidents.ok()) << incidents.status();

  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(1);
  ASSERT_TRUE(served.ok()) << served.status();
  PosixProcessRunner runner;
  cluster::KubectlTarget target;
  target.kubeconfig = (*served)->kubeconfig();
  target.context = "sre-eval-sim";
  cluster::Kubectl kubectl(target, &runner, SystemClock::Get(), nullptr);
  CurlHttpClient http;
  cluster::SimClock sim_clock((*served)->base_url(), &http);
  std::unique_ptr<Agent> agent = MakeReferenceAgent(&runner, SystemClock::Get(), nullptr);
  TempDir dir;

  std::map<std::string, std::string> asked, answered;      // by prompt id
  std::map<std::string, std::vector<std::string>> missed;  // criteria not fully met
  std::vector<Row> rows;
  for (const std::string id : {"crash", "latency", "payment"}) {
    const incident::Incident* inc = nullptr;
    for (const incident::Incident& i : *incidents) {
      if (i.id == id) inc = &i;
    }
    ASSERT_NE(inc, nullptr) << id;
    incident::RunnerOptions options;
    options.clock = &sim_clock;
    options.out_dir = absl::StrCat(dir.path(), "/", id);
    std::filesystem::create_directories(options.out_dir);
    incident::IncidentRunner incident_runner(&kubectl, options);
    incident::IncidentResult result = incident_runner.Run(*inc);
    ASSERT_TRUE(result.ok()) << id << ": " << result.steps_status << " " << result.restore_status;
    ASSERT_TRUE(result.truth.has_value()) << id;
    // The truth is for scoring only: the agent sees the window and the cluster.
    absl::StatusOr<Truth> truth = ParseTruth(id, result.truth->dump());
    ASSERT_TRUE(truth.ok()) << truth.status();

    for (const Prompt* prompt : suite.AllPrompts()) {
      if (prompt->incident != id || prompt->act.defined) continue;  // act: act_selftest_test
      absl::StatusOr<std::string> message = prompt->tmpl.Render(truth->facts);
      ASSERT_TRUE(message.ok()) << prompt->id << ": " << message.status();
      AgentRequest request;
      request.incident = id;
      request.prompt_id = prompt->id;
      request.message = *message;
      request.window_start = truth->facts["window.start"].get<std::string>();
      request.window_end = truth->facts["window.end"].get<std::string>();
      // The sim's monitoring, as `run` hands it to every agent.
      request.cluster = {target.kubeconfig,
                         target.context,
                         target.ns,
                         (*served)->base_url() + "/prometheus",
                         (*served)->base_url() + "/loki",
                         (*served)->base_url() + "/datadog"};
      if (!prompt->continues.empty()) {
        ASSERT_EQ(answered.count(prompt->continues), 1u) << prompt->id;
        request.history = {{"user", asked[prompt->continues]},
                           {"assistant", answered[prompt->continues]}};
      }
      AgentAnswer answer = agent->Ask(request);
      ASSERT_TRUE(answer.ok()) << prompt->id << ": " << answer.error;
      asked[prompt->id] = *message;
      answered[prompt->id] = answer.text;

      const CompiledRubric* rubric = rubrics.Find(prompt->id);
      ASSERT_NE(rubric, nullptr) << prompt->id;
      ScoreOptions options;
      options.question = *message;
      AnswerScore scored = rubric->Score(answer.text, *truth, options);
      Row row{prompt->id, scored.score, 0};
      for (const CriterionResult& c : scored.criteria) {
        if (c.earned < c.points || c.penalty > 0) {
          missed[prompt->id].push_back(c.id);
          std::cout << "missed " << prompt->id << " " << c.id << ": " << c.note << "\n";
          for (const Evidence& e : c.evidence)
            std::cout << "  [" << e.text << "] " << e.note << "\n";
        }
      }

      // The graded keyword-stuffed answer, scored against its own truth.
      std::optional<GradedFile> graded =
          LoadGradedFile(absl::StrCat(source, "/fixtures/graded/", prompt->id, ".yaml"), &diags);
      ASSERT_TRUE(graded.has_value()) << prompt->id;
      absl::StatusOr<Truth> fixture_truth = LoadTruth(graded->truth_path);
      ASSERT_TRUE(fixture_truth.ok()) << fixture_truth.status();
      bool found = false;
      for (const GradedAnswer& g : graded->answers) {
        if (g.kind != "keyword_stuffed") continue;
        row.stuffed = rubric->Score(g.text, *fixture_truth).score;
        found = true;
      }
      ASSERT_TRUE(found) << prompt->id;
      rows.push_back(row);
      std::cout << "---- " << prompt->id << " (" << row.reference << ")\n" << answer.text << "\n";
    }
  }

  ASSERT_EQ(rows.size(), suite.prompt_count() - 3);  // the three action tasks aside
  double sum = 0;
  std::cout << "prompt              reference  keyword_stuffed\n";
  for (const Row& r : rows) {
    std::cout << absl::StrFormat("%-18s  %9.3f  %15.3f\n", r.prompt_id, r.reference, r.stuffed);
    EXPECT_GT(r.reference, r.stuffed) << r.prompt_id;
    // A prompt whose every rubric criterion is answered from measured facts may reach 1.0;
    // the run as a whole must not (it lists 10 of the failed orders).
    EXPECT_LE(r.reference, 1.0) << r.prompt_id;
    sum += r.reference;
  }
  const double mean = sum / static_cast<double>(rows.size());
  std::cout << absl::StrFormat("mean                %9.3f\n", mean);
  // What the rubrics ask of a careful investigator: at least 0.90 on the whole, 0.75 on every
  // prompt (bench/reference_seeds.sh measures seeds 1-20).
  EXPECT_GE(mean, 0.90);
  EXPECT_LT(mean, 1.0);
  for (const Row& r : rows) EXPECT_GE(r.reference, 0.75) << r.prompt_id;
  // Every criterion it misses, and why; none is the rubric's fault. With the sim's monitoring
  // it sees what kubectl alone cannot (the OOM kill count, the CPU level and memory headroom
  // the incident held), so the only miss left is by design:
  // - order_ids: the answer lists the first 10 failed orders and says the query lists the
  //   rest, to stay readable; recall 10 of 67 is by design.
  EXPECT_EQ(missed,
            (std::map<std::string, std::vector<std::string>>{{"i3.how_many", {"order_ids"}}}));
}

}  // namespace
}  // namespace agent
}  // namespace sre_eval
