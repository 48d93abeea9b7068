// `sre-eval record` end to end: the shipped incidents run on the simulated cluster through the
// installed kubectl, restore it, and leave truths that satisfy the incident guide's matrix.
#include <atomic>
#include <csignal>
#include <sstream>
#include <streambuf>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/cli.h"
#include "cli/record.h"
#include "cluster/types.h"
#include "gtest/gtest.h"
#include "incident/runner.h"
#include "incident/timeline.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "test_util.h"
#include "util/clock.h"
#include "util/file_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

#define SKIP_WITHOUT_KUBECTL() \
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not installed; these tests drive the real one"

std::string Slurp(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path, size_t{256} << 20);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

nlohmann::json ReadJson(const std::string& path) {
  return nlohmann::json::parse(Slurp(path), nullptr, false);
}

// Progress that only remembers the lines (the runner's output is checked elsewhere).
class NullProgress : public incident::Progress {
 public:
  void StepStarted(const std::string&, const std::string& phase, int index, int,
                   const std::string& describe) override {
    steps.push_back(absl::StrCat(phase, " ", index + 1, " ", describe));
  }
  void Waiting(const std::string&, absl::Duration, absl::Duration, int, int) override {}
  void Note(const std::string&, const std::string& line) override { notes.push_back(line); }
  void Finished(const std::string&, const std::string&) override {}
  std::vector<std::string> steps, notes;
};

RecordOptions SimOptions(const std::string& out, const std::string& incident, uint64_t seed) {
  RecordOptions o;
  o.env = "sim";
  o.seed = seed;
  o.out = out;
  o.suite = SRE_EVAL_SOURCE_DIR;
  o.incidents = {incident};
  return o;
}

int Mutating(const std::string& kubectl_log) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(kubectl_log, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "  W  ")) ++n;
  }
  return n;
}

absl::Time T(const nlohmann::json& facts, const char* name) {
  return At(facts.at(name).get<std::string>().c_str());
}

struct Case {
  std::string incident;
  uint64_t seed;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.incident << " seed " << c.seed; }

class RecordIncidentTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordIncidentTest, RunsRestoresAndLeavesATruthThatFitsTheGuide) {
  SKIP_WITHOUT_KUBECTL();
  const Case& c = GetParam();
  TempDir dir;
  std::string out = dir.path() + "/run";
  NullProgress progress;
  std::atomic<int> interrupts{0};
  RecordRun run;
  std::ostringstream err;
  int code = Record(SimOptions(out, c.incident, c.seed), &progress, &interrupts, &run, err);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_EQ(err.str(), "");
  ASSERT_EQ(run.results.size(), 1u);
  const incident::IncidentResult& r = run.results[0];
  EXPECT_TRUE(r.left_broken.empty());

  nlohmann::json truth = ReadJson(out + "/" + c.incident + "/truth.json");
  ASSERT_TRUE(truth.is_object());
  EXPECT_EQ(truth["schema_version"], 1);
  EXPECT_EQ(truth["incident"], c.incident);
  const nlohmann::json& f = truth["facts"];
  EXPECT_EQ(f["incident.id"], c.incident);
  absl::Time start = T(f, "window.start"), end = T(f, "window.end"),
             recovered = T(f, "window.recovered");
  EXPECT_LT(start, end);
  EXPECT_LE(end, recovered);

  nlohmann::json run_json = ReadJson(out + "/run.json");
  EXPECT_EQ(run_json["status"], "ok");
  EXPECT_EQ(run_json["incidents"][0]["status"], "ok");
  EXPECT_EQ(run_json["seed"], c.seed);
  std::string kubectl_log = Slurp(out + "/kubectl.log");

  // The last sample (restore's wait_healthy) shows every deployment back and ready.
  absl::StatusOr<incident::Timeline> timeline =
      incident::ReadTimeline(out + "/" + c.incident + "/timeline.jsonl");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_FALSE(timeline->samples.empty());
  const cluster::Snapshot& last = timeline->samples.back().snapshot;
  ASSERT_EQ(last.deployments.size(), 14u);
  for (const cluster::Deployment& d : last.deployments) {
    EXPECT_EQ(d.replicas, 1) << d.name;
    EXPECT_EQ(d.ready_replicas, 1) << d.name;
  }
  // Restore left the finished Locust Jobs for the agent to read; cleanup, at the end of
  // record, deleted them and the locustfile (the last lines of kubectl.log).
  EXPECT_FALSE(last.jobs.empty());
  for (const cluster::Job& j : last.jobs) EXPECT_NE(j.outcome, "") << j.name;
  EXPECT_EQ(run_json["incidents"][0]["cleanup"], "ok");
  EXPECT_TRUE(absl::StrContains(kubectl_log, "delete --ignore-not-found --wait=false -f " +
                                                 std::string(SRE_EVAL_SOURCE_DIR) +
                                                 "/incidents/manifests/locustfile.yaml"));

  if (c.incident == "crash") {
    EXPECT_GT(f["restarts.total"].get<int>(), 0);
    ASSERT_GE(f["oom_kills"].size(), 2u);
    EXPECT_GE(f["oom_kills.count"].get<size_t>(), f["oom_kills"].size());
    for (const nlohmann::json& k : f["oom_kills"]) {
      EXPECT_TRUE(absl::StartsWith(k["pod"].get<std::string>(), "front-end-")) << k;
      EXPECT_EQ(k["container"], "front-end");
      absl::Time t = At(k["time"].get<std::string>().c_str());
      EXPECT_GE(t, start);
      EXPECT_LE(t, end);
    }
    EXPECT_FALSE(f["crashloop.periods"].empty());
    EXPECT_EQ(f["frontend.memory_limit"], "1000Mi");
    EXPECT_GE(f["load.failure_pct"].get<double>(), 60.0);
    EXPECT_EQ(f["load.users"], 3000);
    EXPECT_EQ(Mutating(kubectl_log), 6) << kubectl_log;  // 2 applies, 2 deletes, the lock
  } else if (c.incident == "latency") {
    EXPECT_EQ(f["restarts.total"], 0);
    EXPECT_EQ(f["oom_kills.count"], 0);
    EXPECT_GT(f["latency.p95_ms"].get<int>(), 2000);
    EXPECT_LT(f["latency.baseline_p95_ms"].get<int>(), 1000);
    EXPECT_LT(f["load.failure_pct"].get<double>(), 5.0);
    EXPECT_GT(f["logs.slow_query"].get<int>(), 0);
    EXPECT_GT(f["logs.connection_pool_exhausted"].get<int>(), 0);
    EXPECT_EQ(f["load.users"], 750);
    EXPECT_EQ(Mutating(kubectl_log), 8) << kubectl_log;  // 3 applies, 3 deletes, the lock
  } else {
    EXPECT_EQ(f["restarts.total"], 0);
    EXPECT_EQ(f["payment.replicas_before"], 1);
    EXPECT_EQ(f["payment.replicas_during"], 0);
    EXPECT_EQ(f["payment.order_ids_available"], true);
    // The truth's IDs are exactly the PAYMENT_FAILED orders the orders API served in the
    // window, and as many as the checkouts Locust saw fail.
    std::vector<std::string> ids;
    for (const nlohmann::json& o : f["payment.failed_orders"]) ids.push_back(o["id"]);
    ASSERT_FALSE(ids.empty());
    std::vector<std::string> served;
    ASSERT_EQ(timeline->probes.size(), 1u);
    for (const nlohmann::json& o : timeline->probes[0].data) {
      if (o["status"] == "PAYMENT_FAILED") served.push_back(o["id"]);
    }
    EXPECT_EQ(ids, served);
    EXPECT_EQ(f["payment.failed_order_count"].get<size_t>(), ids.size());
    EXPECT_EQ(f["payment.failed_checkouts"].get<size_t>(), ids.size());
    EXPECT_GT(f["logs.connection_refused"].get<int>(), 0);
    EXPECT_EQ(Mutating(kubectl_log), 8) << kubectl_log;  // 2 applies, 2 scales, 2 deletes, the lock
  }
}

// fixtures/recorded/ is what `sre-eval record --seed 42` writes on the sim, byte for byte: the
// fixture truths are checked against its shape and order, so it must follow the extractor.
TEST(RecordFixtureTest, FixturesRecordedAreWhatRecordWritesWithSeed42) {
  SKIP_WITHOUT_KUBECTL();
  TempDir dir;
  std::string out = dir.path() + "/run";
  NullProgress progress;
  std::atomic<int> interrupts{0};
  RecordRun run;
  std::ostringstream err;
  RecordOptions options = SimOptions(out, "crash", 42);
  options.incidents = {"crash", "latency", "payment"};
  ASSERT_EQ(Record(options, &progress, &interrupts, &run, err), 0) << err.str();
  for (const std::string incident : {"crash", "latency", "payment"}) {
    EXPECT_EQ(Slurp(out + "/" + incident + "/truth.json"),
              Slurp(std::string(SRE_EVAL_SOURCE_DIR) + "/fixtures/recorded/" + incident + ".json"))
        << incident << ": regenerate fixtures/recorded/ with `sre-eval record --seed 42`";
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RecordIncidentTest,
                         ::testing::Values(Case{"crash", 1}, Case{"crash", 2}, Case{"crash", 3},
                                           Case{"latency", 1}, Case{"latency", 2},
                                           Case{"latency", 3}, Case{"payment", 1},
                                           Case{"payment", 2}, Case{"payment", 3}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return absl::StrCat(info.param.incident, "_seed", info.param.seed);
                         });

TEST(RecordTest, TheSameSeedRecordsTheSameBytes) {
  SKIP_WITHOUT_KUBECTL();
  TempDir dir;
  std::string a = dir.path() + "/a", b = dir.path() + "/b";
  for (const std::string& out : {a, b}) {
    NullProgress progress;
    std::atomic<int> interrupts{0};
    RecordRun run;
    std::ostringstream err;
    ASSERT_EQ(Record(SimOptions(out, "payment", 5), &progress, &interrupts, &run, err), 0)
        << err.str();
  }
  EXPECT_EQ(Slurp(a + "/payment/timeline.jsonl"), Slurp(b + "/payment/timeline.jsonl"));
  EXPECT_EQ(Slurp(a + "/payment/truth.json"), Slurp(b + "/payment/truth.json"));
}

// A stream that raises SIGINT (through the real handler `record` installs) the moment the
// progress it receives names a given step, `times` times.
class SignalingBuf : public std::stringbuf {
 public:
  SignalingBuf(std::string trigger, int times) : trigger_(std::move(trigger)), times_(times) {}

 protected:
  int sync() override {
    if (!fired_ && absl::StrContains(str(), trigger_)) {
      fired_ = true;
      for (int i = 0; i < times_; ++i) std::raise(SIGINT);
    }
    return 0;
  }

 private:
  std::string trigger_;
  int times_;
  bool fired_ = false;
};

TEST(RecordTest, ASigintDuringThePaymentIncidentStillPutsPaymentBack) {
  SKIP_WITHOUT_KUBECTL();
  TempDir dir;
  std::string out_dir = dir.path() + "/run";
  SignalingBuf buf("wait_job locust-payment", 1);
  std::ostream out(&buf);
  std::ostringstream err;
  int code = RunCli({"sre-eval", "record", "--incident", "payment", "--seed", "4", "--out", out_dir,
                     "--suite", SRE_EVAL_SOURCE_DIR},
                    out, err);
  EXPECT_EQ(code, 3);
  EXPECT_TRUE(absl::StrContains(buf.str(), "payment: interrupted: restoring the cluster"))
      << buf.str();
  absl::StatusOr<incident::Timeline> timeline =
      incident::ReadTimeline(out_dir + "/payment/timeline.jsonl");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  EXPECT_TRUE(timeline->interrupted);
  // Restore ran in full: the job and locustfile deleted, payment scaled back to its saved 1,
  // and the wait until healthy saw it ready.
  std::vector<std::string> restore;
  for (const incident::StepRecord& s : timeline->steps) {
    if (s.phase == "restore") restore.push_back(absl::StrCat(s.describe, s.ok ? "" : " FAILED"));
  }
  // Interrupted: the load is stopped (the Job deleted), payment scaled back, then waited on.
  ASSERT_EQ(restore.size(), 3u);
  EXPECT_EQ(restore[0], "delete manifests/locust-payment.yaml");
  EXPECT_TRUE(absl::StartsWith(restore[1], "scale deployment/payment")) << restore[1];
  for (const std::string& s : restore) EXPECT_FALSE(absl::EndsWith(s, "FAILED")) << s;
  for (const cluster::Deployment& d : timeline->samples.back().snapshot.deployments) {
    if (d.name == "payment") {
      EXPECT_EQ(d.replicas, 1);
      EXPECT_EQ(d.ready_replicas, 1);
    }
  }
  nlohmann::json run_json = ReadJson(out_dir + "/run.json");
  EXPECT_EQ(run_json["incidents"][0]["status"], "interrupted");
  EXPECT_EQ(run_json["status"], "failed");
}

TEST(RecordTest, ASecondSigintSkipsTheWaitsButStillScalesPaymentBack) {
  SKIP_WITHOUT_KUBECTL();
  TempDir dir;
  std::string out_dir = dir.path() + "/run";
  SignalingBuf buf("wait_job locust-payment", 2);
  std::ostream out(&buf);
  std::ostringstream err;
  int code = RunCli({"sre-eval", "record", "--incident", "payment", "--seed", "4", "--out", out_dir,
                     "--suite", SRE_EVAL_SOURCE_DIR},
                    out, err);
  EXPECT_EQ(code, 3);
  absl::StatusOr<incident::Timeline> timeline =
      incident::ReadTimeline(out_dir + "/payment/timeline.jsonl");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  std::vector<std::string> restore;
  for (const incident::StepRecord& s : timeline->steps) {
    if (s.phase == "restore")
      restore.push_back(absl::StrCat(s.action, s.ok ? " ok" : " " + s.error));
  }
  EXPECT_EQ(restore, (std::vector<std::string>{"delete ok", "scale ok",
                                               "wait_healthy skipped: interrupted twice"}));
  // The scale went through kubectl: it is in the log.
  EXPECT_TRUE(
      absl::StrContains(Slurp(out_dir + "/kubectl.log"), "scale deployment/payment --replicas=1"));
}

// A kubeconfig for the served sim whose context has another name.
std::string RenamedKubeconfig(const ServedSim& sim, const std::string& context) {
  std::string text = absl::StrReplaceAll(Slurp(sim.kubeconfig()), {{"sre-eval-sim", context}});
  return sim.dir().WriteFile("renamed.kubeconfig", text);
}

TEST(RecordTest, AContextOutsideTheAllowListIsRefusedWithoutASingleWrite) {
  SKIP_WITHOUT_KUBECTL();
  absl::StatusOr<std::unique_ptr<ServedSim>> sim = ServedSim::Start(3);
  ASSERT_TRUE(sim.ok()) << sim.status();
  std::string kubeconfig = RenamedKubeconfig(**sim, "prod-eu-1");
  TempDir dir;
  std::string out_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli({"sre-eval", "record", "--env", "kube", "--kubeconfig", kubeconfig, "--context",
                     "prod-eu-1", "--out", out_dir, "--suite", SRE_EVAL_SOURCE_DIR},
                    out, err);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(err.str(),
            "sre-eval record: context 'prod-eu-1' is not allowed: sre-eval only changes clusters "
            "whose context matches kind-*, sre-eval-sim. If this cluster is meant for it, pass "
            "--allow-context prod-eu-1\nnothing was changed on the cluster.\n");
  EXPECT_EQ(Mutating(Slurp(out_dir + "/kubectl.log")), 0);
  EXPECT_EQ(ReadJson(out_dir + "/run.json")["status"], "refused");
}

TEST(RecordTest, AMissingNamespaceIsRefusedWithoutASingleWrite) {
  SKIP_WITHOUT_KUBECTL();
  absl::StatusOr<std::unique_ptr<ServedSim>> sim = ServedSim::Start(3);
  ASSERT_TRUE(sim.ok()) << sim.status();
  TempDir dir;
  std::string out_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli(
      {"sre-eval", "record", "--env", "kube", "--kubeconfig", (*sim)->kubeconfig(), "--context",
       "sre-eval-sim", "--namespace", "shop", "--out", out_dir, "--suite", SRE_EVAL_SOURCE_DIR},
      out, err);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(err.str(),
            "sre-eval record: namespace 'shop' does not exist in context 'sre-eval-sim'; deploy "
            "Sock Shop there first (see the README) or pass --namespace\n"
            "nothing was changed on the cluster.\n");
  std::string log = Slurp(out_dir + "/kubectl.log");
  EXPECT_EQ(Mutating(log), 0);
  EXPECT_TRUE(absl::StrContains(log, "get namespace shop --ignore-not-found -o name")) << log;
}

TEST(RecordTest, ANamespaceAnotherRunHoldsIsRefused) {
  SKIP_WITHOUT_KUBECTL();
  absl::StatusOr<std::unique_ptr<ServedSim>> sim = ServedSim::Start(3);
  ASSERT_TRUE(sim.ok()) << sim.status();
  PosixProcessRunner runner;
  cluster::KubectlTarget target;
  target.kubeconfig = (*sim)->kubeconfig();
  target.context = "sre-eval-sim";
  cluster::Kubectl kubectl(target, &runner, SystemClock::Get(), nullptr);
  ASSERT_TRUE(incident::AcquireNamespaceLock(&kubectl, "the nightly job").ok());
  TempDir dir;
  std::string out_dir = dir.path() + "/run";
  std::ostringstream out, err;
  int code = RunCli({"sre-eval", "record", "--env", "kube", "--kubeconfig", target.kubeconfig,
                     "--context", "sre-eval-sim", "--out", out_dir, "--suite", SRE_EVAL_SOURCE_DIR},
                    out, err);
  EXPECT_EQ(code, 3);
  EXPECT_EQ(err.str(),
            "sre-eval record: namespace 'sock-shop' is in use by another run (ConfigMap "
            "sre-eval-lock: the nightly job); if no run is going on, remove the stale lock: "
            "kubectl --context sre-eval-sim --namespace sock-shop delete configmap "
            "sre-eval-lock\nnothing was changed on the cluster.\n");
  std::string log = Slurp(out_dir + "/kubectl.log");
  EXPECT_EQ(Mutating(log), 1) << log;  // the create that found the lock
  ASSERT_TRUE(incident::ReleaseNamespaceLock(&kubectl).ok());
  EXPECT_TRUE(incident::AcquireNamespaceLock(&kubectl, "x").ok());  // free again
}

TEST(RecordTest, BadInputExitsTwoBeforeTouchingAnything) {
  TempDir dir;
  // A misspelt incident, through record and through run: the message is the command's.
  for (const auto& [command, typo, meant] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"record", "crsh", "crash"}, {"run", "paymnet", "payment"}}) {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"sre-eval", command, "--incident", typo, "--out", dir.path() + "/" + command,
                      "--suite", SRE_EVAL_SOURCE_DIR},
                     out, err),
              2);
    EXPECT_EQ(err.str(), "sre-eval " + command + ": no incident '" + typo + "' (did you mean '" +
                             meant + "'?); the suite has crash, latency, payment\n");
  }
  std::ostringstream out2, err2;
  EXPECT_EQ(RunCli({"sre-eval", "record", "--env", "minikube"}, out2, err2), 2);
  EXPECT_EQ(err2.str(), "sre-eval record: --env must be sim or kube, got 'minikube'\n");
  std::ostringstream out3, err3;
  dir.WriteFile("full/x", "x");
  EXPECT_EQ(
      RunCli({"sre-eval", "record", "--out", dir.path() + "/full", "--suite", SRE_EVAL_SOURCE_DIR},
             out3, err3),
      2);
  EXPECT_EQ(err3.str(), "sre-eval record: the run folder '" + dir.path() +
                            "/full' already exists and is not empty; choose another --out or "
                            "remove it\n");
}

}  // namespace
}  // namespace sre_eval
