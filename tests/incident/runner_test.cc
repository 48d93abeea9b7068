// The incident runner on a scripted kubectl (FakeProcessRunner) and a FakeClock: the exact
// calls it makes, restore after a failed step and after an interrupt, what it reports when
// restore fails, and the preflight refusals. The real kubectl against the sim is in
// tests/cli/record_e2e_test.cc.
#include "incident/runner.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/clock.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace incident {
namespace {

constexpr char kIncident[] = R"(id: payment
title: Payment outage
description: Scales payment to zero for half a minute.
sample_every: 10s
steps:
  - scale: {deployment: payment, replicas: 0}
    mark: window.start
  - record: 30s
restore:
  - scale: {deployment: payment, replicas: saved}
    mark: window.end
  - wait_healthy: 1m
    mark: window.recovered
)";

// A cluster of the 14 Sock Shop deployments behind a scripted kubectl.
class FakeCluster {
 public:
  FakeCluster() {
    for (const std::string& name : SockShopDeployments()) replicas_[name] = 1;
  }

  absl::StatusOr<SubprocessResult> Handle(const SubprocessOptions& o) {
    // Skip kubectl and its global flags: --context C --namespace N --request-timeout=T.
    std::vector<std::string> args(o.argv.begin() + 6, o.argv.end());
    std::string line = absl::StrJoin(args, " ");
    calls.push_back(line);
    SubprocessResult r;
    r.exit_code = 0;
    if (line == "get namespace sock-shop --ignore-not-found -o name") {
      r.stdout_data = "namespace/sock-shop\n";
    } else if (line == "get deployments.apps -o json") {
      r.stdout_data = List(false).dump();
    } else if (absl::StartsWith(line, "get deployments.apps ")) {
      r.stdout_data = Deployment(args[2]).dump();
    } else if (line == "get pods,deployments.apps,jobs.batch,events -o json") {
      r.stdout_data = List(true).dump();
    } else if (line ==
               "get pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io -o json") {
      r.exit_code = 1;  // a kind cluster without metrics-server
      r.stderr_data = "error: the server doesn't have a resource type \"pods\"\n";
    } else if (absl::StartsWith(line, "scale deployment/")) {
      std::string name = args[1].substr(11);
      int n = std::stoi(args[2].substr(11));
      if (fail_scale_to.count(n) != 0) {
        r.exit_code = 1;
        r.stderr_data =
            "Error from server (Forbidden): deployments.apps \"payment\" is "
            "forbidden: User \"ci\" cannot patch resource \"deployments/scale\"\n";
      } else {
        replicas_[name] = n;
      }
    } else {
      r.exit_code = 1;
      r.stderr_data = "unexpected call\n";
    }
    return r;
  }

  std::vector<std::string> calls;
  std::set<int> fail_scale_to;
  std::vector<std::string> missing;

 private:
  nlohmann::json Deployment(const std::string& name) {
    int n = replicas_[name];
    return {{"kind", "Deployment"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", n},
              {"template",
               {{"spec",
                 {{"containers",
                   {{{"name", name},
                     {"resources", {{"limits", {{"cpu", "300m"}, {"memory", "500Mi"}}}}}}}}}}}}}},
            {"status",
             {{"replicas", n},
              {"readyReplicas", n},
              {"availableReplicas", n},
              {"updatedReplicas", n}}}};
  }

  nlohmann::json List(bool with_pods) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [name, n] : replicas_) {
      if (std::find(missing.begin(), missing.end(), name) != missing.end()) continue;
      items.push_back(Deployment(name));
      if (!with_pods || n == 0) continue;
      items.push_back(
          {{"kind", "Pod"},
           {"metadata",
            {{"name", name + "-5d4f-abcde"},
             {"labels", {{"name", name}}},
             {"ownerReferences", {{{"kind", "ReplicaSet"}, {"name", name + "-5d4f"}}}}}},
           {"status",
            {{"phase", "Running"},
             {"containerStatuses",
              {{{"name", name},
                {"ready", true},
                {"restartCount", 0},
                {"state", {{"running", {{"startedAt", "2026-11-24T09:00:00Z"}}}}}}}}}}});
    }
    return {{"kind", "List"}, {"apiVersion", "v1"}, {"items", items}};
  }

  std::map<std::string, int> replicas_;
};

// Progress as plain lines, with an optional interrupt when a step starts.
class Recorder : public Progress {
 public:
  void StepStarted(const std::string& incident, const std::string& phase, int index, int count,
                   const std::string& describe) override {
    lines.push_back(absl::StrCat(incident, " ", phase, " ", index + 1, "/", count, " ", describe));
    if (interrupt_at == describe && interrupts != nullptr) interrupts->fetch_add(interrupt_times);
  }
  void Waiting(const std::string&, absl::Duration elapsed, absl::Duration remaining, int restarts,
               int oom) override {
    lines.push_back(absl::StrCat("  waiting ", absl::FormatDuration(elapsed), " left ",
                                 absl::FormatDuration(remaining), " restarts ", restarts, " oom ",
                                 oom));
  }
  void Note(const std::string&, const std::string& line) override {
    lines.push_back(absl::StrCat("  note: ", line));
  }
  void Finished(const std::string&, const std::string& summary) override {
    lines.push_back(absl::StrCat("  finished: ", summary));
  }
  std::vector<std::string> lines;
  std::string interrupt_at;
  int interrupt_times = 1;
  std::atomic<int>* interrupts = nullptr;
};

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest()
      : runner_([this](const SubprocessOptions& o) { return cluster_.Handle(o); }),
        clock_(At("2026-11-24T10:00:00Z")),
        wall_(At("2026-12-01T00:00:00Z")) {
    target_.context = "kind-test";
    path_ = dir_.WriteFile("incidents/payment.yaml", kIncident);
    Diagnostics diags;
    absl::StatusOr<Incident> loaded = LoadIncident(path_, &diags);
    EXPECT_TRUE(loaded.ok()) << loaded.status() << " "
                             << absl::StrJoin(DiagnosticStrings(diags), "\n");
    if (loaded.ok()) incident_ = *loaded;
    out_ = dir_.path() + "/run/payment";
    std::filesystem::create_directories(out_);
  }

  IncidentResult Run() {
    cluster::Kubectl kubectl(target_, &runner_, &wall_, nullptr);
    RunnerOptions o;
    o.clock = &clock_;
    o.environment = "kube";
    o.out_dir = out_;
    o.progress = &progress_;
    o.interrupts = &interrupts_;
    progress_.interrupts = &interrupts_;
    IncidentRunner runner(&kubectl, o);
    return runner.Run(incident_);
  }

  TempDir dir_;
  FakeCluster cluster_;
  FakeProcessRunner runner_;
  FakeClock clock_;
  FakeClock wall_;
  cluster::KubectlTarget target_;
  std::string path_, out_;
  Incident incident_;
  Recorder progress_;
  std::atomic<int> interrupts_{0};
};

const char kSnapshot[] = "get pods,deployments.apps,jobs.batch,events -o json";
const char kWithMetrics[] =
    "get pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io -o json";

TEST_F(RunnerTest, SavesRunsRecordsRestoresAndChecks) {
  IncidentResult r = Run();
  EXPECT_TRUE(r.ok()) << r.steps_status << r.restore_status;
  std::vector<std::string> expected = {
      "get deployments.apps payment -o json",  // saved before the first step
      kWithMetrics,                            // the baseline sample (no metrics API here)
      kSnapshot,
      "scale deployment/payment --replicas=0",
      kSnapshot,
      kSnapshot,
      kSnapshot,
      kSnapshot,
      "scale deployment/payment --replicas=1",
      kSnapshot,                               // wait_healthy: healthy at once
      "get deployments.apps payment -o json",  // the check after restore
  };
  EXPECT_EQ(cluster_.calls, expected);
  EXPECT_EQ(r.samples, 6);
  EXPECT_EQ(r.timeline.saved_replicas, (std::map<std::string, int>{{"payment", 1}}));
  ASSERT_EQ(r.timeline.marks.size(), 3u);
  EXPECT_EQ(r.timeline.marks[0].time, At("2026-11-24T10:00:00Z"));
  EXPECT_EQ(r.timeline.marks[1].name, "window.end");
  EXPECT_EQ(r.timeline.marks[1].time, At("2026-11-24T10:00:30Z"));
  EXPECT_EQ(r.timeline.marks[2].time, At("2026-11-24T10:00:30Z"));
  EXPECT_EQ(clock_.slept(), absl::Seconds(30));
  EXPECT_EQ(progress_.lines,
            (std::vector<std::string>{
                "payment steps 1/2 scale deployment/payment to 0", "payment steps 2/2 record 30s",
                "  waiting 0 left 30s restarts 0 oom 0", "  waiting 10s left 20s restarts 0 oom 0",
                "  waiting 20s left 10s restarts 0 oom 0", "  waiting 30s left 0 restarts 0 oom 0",
                "payment restore 1/2 scale deployment/payment to its saved replicas",
                "payment restore 2/2 wait_healthy (timeout 1m)",
                "  finished: done (6 samples, 0 restarts, 0 OOM kills, 0:30 on the cluster's "
                "clock)"}));
  // The timeline on disk reads back as the one in memory, and the truth was written.
  absl::StatusOr<Timeline> read = ReadTimeline(out_ + "/timeline.jsonl");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->samples.size(), 6u);
  EXPECT_EQ(read->steps.size(), 4u);
  ASSERT_TRUE(r.truth.has_value());
  EXPECT_EQ((*r.truth)["facts"]["payment.replicas_during"], 0);
  EXPECT_EQ((*r.truth)["facts"]["window.duration"], 30);
  EXPECT_TRUE(ReadFile(out_ + "/truth.json", 1 << 20).ok());
}

TEST_F(RunnerTest, AFailedStepStillRestores) {
  cluster_.fail_scale_to = {0};
  IncidentResult r = Run();
  EXPECT_EQ(r.steps_status.message(),
            "step 1 (scale deployment/payment to 0, line 6): kubectl scale deployment/payment "
            "--replicas=0: exit 1: Error from server (Forbidden): deployments.apps \"payment\" is "
            "forbidden: User \"ci\" cannot patch resource \"deployments/scale\"");
  EXPECT_TRUE(r.restore_status.ok()) << r.restore_status;
  EXPECT_TRUE(r.left_broken.empty());
  std::vector<std::string> expected = {"get deployments.apps payment -o json",
                                       kWithMetrics,
                                       kSnapshot,
                                       "scale deployment/payment --replicas=0",
                                       "scale deployment/payment --replicas=1",
                                       kSnapshot,
                                       "get deployments.apps payment -o json"};
  EXPECT_EQ(cluster_.calls, expected);
  // No window.start mark: no truth.
  EXPECT_FALSE(r.truth.has_value());
}

TEST_F(RunnerTest, WhenRestoreFailsItSaysWhatIsLeftAndHowToFixIt) {
  cluster_.fail_scale_to = {1};
  IncidentResult r = Run();
  EXPECT_TRUE(r.steps_status.ok()) << r.steps_status;
  EXPECT_EQ(r.restore_status.message(),
            "restore step 1 (scale deployment/payment to its saved replicas, line 10): kubectl "
            "scale deployment/payment --replicas=1: exit 1: Error from server (Forbidden): "
            "deployments.apps \"payment\" is forbidden: User \"ci\" cannot patch resource "
            "\"deployments/scale\"");
  EXPECT_EQ(r.left_broken,
            (std::vector<std::string>{
                "deployment payment has 0 replicas, had 1: kubectl --context kind-test "
                "--namespace sock-shop scale deployment/payment --replicas=1"}));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(progress_.lines.back(),
            "  finished: FAILED (6 samples, 0 restarts, 0 OOM kills, 0:30 on the cluster's "
            "clock)");
}

TEST_F(RunnerTest, AnInterruptStopsTheStepsAndRestores) {
  progress_.interrupt_at = "record 30s";
  IncidentResult r = Run();
  EXPECT_TRUE(absl::IsCancelled(r.steps_status)) << r.steps_status;
  EXPECT_TRUE(r.timeline.interrupted);
  EXPECT_TRUE(r.restore_status.ok());
  EXPECT_TRUE(r.left_broken.empty());
  // The record step took one sample, saw the interrupt, and restore scaled payment back.
  std::vector<std::string> expected = {"get deployments.apps payment -o json",
                                       kWithMetrics,
                                       kSnapshot,
                                       "scale deployment/payment --replicas=0",
                                       kSnapshot,
                                       "scale deployment/payment --replicas=1",
                                       kSnapshot,
                                       "get deployments.apps payment -o json"};
  EXPECT_EQ(cluster_.calls, expected);
  EXPECT_EQ(clock_.slept(), absl::ZeroDuration());
}

TEST_F(RunnerTest, ASecondInterruptSkipsRestoresWaitsButNotItsScale) {
  progress_.interrupt_at = "record 30s";
  progress_.interrupt_times = 2;
  IncidentResult r = Run();
  EXPECT_TRUE(absl::IsCancelled(r.steps_status));
  EXPECT_EQ(r.restore_status.message(),
            "restore step 2 (wait_healthy (timeout 1m), line 12): skipped: interrupted twice");
  std::vector<std::string> expected = {"get deployments.apps payment -o json",
                                       kWithMetrics,
                                       kSnapshot,
                                       "scale deployment/payment --replicas=0",
                                       kSnapshot,
                                       "scale deployment/payment --replicas=1",
                                       "get deployments.apps payment -o json"};
  EXPECT_EQ(cluster_.calls, expected);
  EXPECT_TRUE(r.left_broken.empty());
}

TEST_F(RunnerTest, PreflightRefusesContextsNamespacesAndClustersWithoutSockShop) {
  {
    cluster::KubectlTarget t = target_;
    t.context = "prod";
    cluster::Kubectl kubectl(t, &runner_, &wall_, nullptr);
    EXPECT_EQ(Preflight(&kubectl, cluster::DefaultAllowedContexts()).message(),
              "context 'prod' is not allowed: sre-eval only changes clusters whose context "
              "matches kind-*, sre-eval-sim. If this cluster is meant for it, pass "
              "--allow-context prod");
    EXPECT_TRUE(cluster_.calls.empty());
    EXPECT_TRUE(Preflight(&kubectl, {"prod"}).ok());
  }
  cluster_.calls.clear();
  cluster_.missing = {"payment", "user-db"};
  cluster::Kubectl kubectl(target_, &runner_, &wall_, nullptr);
  EXPECT_EQ(Preflight(&kubectl, cluster::DefaultAllowedContexts()).message(),
            "namespace 'sock-shop' in context 'kind-test' does not hold Sock Shop: missing "
            "deployments payment, user-db");
  EXPECT_EQ(cluster_.calls,
            (std::vector<std::string>{"get namespace sock-shop --ignore-not-found -o name",
                                      "get deployments.apps -o json"}));
}

TEST(StreamProgressTest, PlainLinesAMinuteApartAndATerminalLineRewritten) {
  std::ostringstream plain;
  StreamProgress p(&plain, false);
  p.StepStarted("crash", "steps", 2, 6, "wait_job locust-crash (timeout 10m)");
  for (int s = 0; s <= 130; s += 10) {
    p.Waiting("crash", absl::Seconds(s), absl::Seconds(600 - s), s / 60, s / 60);
  }
  p.Note("crash", "interrupted");
  p.Finished("crash", "done");
  EXPECT_EQ(plain.str(),
            "crash: step 3/6 wait_job locust-crash (timeout 10m)\n"
            "crash: step 3/6 wait_job locust-crash (timeout 10m)  waited 0:00 of at most 10:00, "
            "restarts 0, OOM kills 0\n"
            "crash: step 3/6 wait_job locust-crash (timeout 10m)  waited 1:00 of at most 10:00, "
            "restarts 1, OOM kills 1\n"
            "crash: step 3/6 wait_job locust-crash (timeout 10m)  waited 2:00 of at most 10:00, "
            "restarts 2, OOM kills 2\n"
            "crash: interrupted\n"
            "crash: done\n");
  std::ostringstream tty;
  StreamProgress t(&tty, true);
  t.StepStarted("payment", "restore", 0, 4, "delete manifests/locust-payment.yaml");
  t.Waiting("payment", absl::Seconds(5), absl::Seconds(55), 0, 0);
  t.Finished("payment", "done");
  EXPECT_EQ(tty.str(),
            "\rpayment: restore 1/4 delete manifests/locust-payment.yaml\x1b[K"
            "\rpayment: restore 1/4 delete manifests/locust-payment.yaml  waited 0:05 of at most "
            "1:00, restarts 0, OOM kills 0\x1b[K"
            "\r\x1b[Kpayment: done\n");
}

}  // namespace
}  // namespace incident
}  // namespace sre_eval
