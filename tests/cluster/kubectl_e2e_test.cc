// The cluster driver with the REAL installed kubectl against the in-process simulated cluster:
// every operation the incident runner uses, as it would use it. Skipped with a message when
// kubectl is not installed.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cluster/kubectl.h"
#include "cluster/sim_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "test_util.h"
#include "util/file_util.h"
#include "util/http_client.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace cluster {
namespace {

// The real runner, with kubectl's cache and home in the test's directory.
class PrivateHomeRunner final : public ProcessRunner {
 public:
  explicit PrivateHomeRunner(std::string home) : home_(std::move(home)) {}
  absl::StatusOr<SubprocessResult> Run(const SubprocessOptions& options) override {
    SubprocessOptions o = options;
    o.env.push_back({"HOME", home_});
    o.env.push_back({"KUBECACHEDIR", home_ + "/cache"});
    return runner_.Run(o);
  }

 private:
  std::string home_;
  PosixProcessRunner runner_;
};

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

class KubectlE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH: the kubectl tests are skipped";
    absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
    ASSERT_TRUE(served.ok()) << served.status();
    served_ = std::move(*served);
    runner_ = std::make_unique<PrivateHomeRunner>(served_->dir().path());
    log_path_ = served_->dir().path() + "/kubectl.log";
    auto log = KubectlLog::Open(log_path_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }

  std::unique_ptr<Kubectl> Make(const std::string& ns = "sock-shop") {
    KubectlTarget target;
    target.kubeconfig = served_->kubeconfig();
    target.context = "sre-eval-sim";
    target.ns = ns;
    return std::make_unique<Kubectl>(target, runner_.get(), SystemClock::Get(), log_.get());
  }

  // The W/R mark of each kubectl.log line.
  std::vector<std::string> Marks() {
    auto text = ReadFile(log_path_);
    EXPECT_TRUE(text.ok()) << text.status();
    std::vector<std::string> marks;
    for (const std::string& line : Lines(text.ok() ? *text : "")) {
      std::vector<std::string> fields = absl::StrSplit(line, "  ");
      EXPECT_GE(fields.size(), 5u) << line;
      EXPECT_EQ(fields[2], "exit 0") << line;
      EXPECT_TRUE(absl::StartsWith(fields[4], "kubectl --kubeconfig " + served_->kubeconfig() +
                                                  " --context sre-eval-sim --namespace "))
          << line;
      marks.push_back(fields.size() > 3 ? fields[3] : "");
    }
    return marks;
  }

  std::unique_ptr<ServedSim> served_;
  std::unique_ptr<ProcessRunner> runner_;
  std::string log_path_;
  std::unique_ptr<KubectlLog> log_;
};

// Prefetched samples through the sim's gate: the kubectl started after one sample reads the
// cluster when the next is asked for (a scale made in between shows), the log shows the
// ordinary command, and ending the prefetch (set_sample_gate("")) does not hang.
TEST(SampleGateTest, APrefetchedSampleReadsTheClusterWhenItIsAsked) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH: the kubectl tests are skipped";
  sim::SimOptions options;
  options.seed = 7;
  absl::StatusOr<std::unique_ptr<sim::Sim>> made = sim::Sim::Create(options);
  ASSERT_TRUE(made.ok()) << made.status();
  sim::ApiServer server(made->get());
  server.set_control_token("t0ken");
  ASSERT_TRUE(server.Start(0).ok());
  TempDir dir;
  PrivateHomeRunner runner(dir.path());
  KubectlTarget target;
  target.kubeconfig = dir.WriteFile("kubeconfig", server.Kubeconfig("t0ken"));
  target.context = "sre-eval-sim";
  auto log = KubectlLog::Open(dir.path() + "/kubectl.log");
  ASSERT_TRUE(log.ok()) << log.status();
  Kubectl k(target, &runner, SystemClock::Get(), log->get());
  std::vector<SampleGate> seen;
  k.set_sample_gate(dir.WriteFile("gated", server.Kubeconfig("t0ken", true)), [&](SampleGate g) {
    seen.push_back(g);
    server.SetGate(g == SampleGate::kOpen     ? sim::ApiServer::Gate::kOpen
                   : g == SampleGate::kClosed ? sim::ApiServer::Gate::kClosed
                                              : sim::ApiServer::Gate::kRefusing);
  });
  absl::StatusOr<Snapshot> first = k.GetSnapshot();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->deployments.size(), 14u);
  // The next sample's kubectl is waiting at the gate now; the cluster changes under it.
  ASSERT_TRUE(k.Scale("carts", 2).ok());
  absl::StatusOr<Snapshot> second = k.GetSnapshot();
  ASSERT_TRUE(second.ok()) << second.status();
  int carts = -1;
  for (const Deployment& d : second->deployments) {
    if (d.name == "carts") carts = d.replicas;
  }
  EXPECT_EQ(carts, 2);
  k.set_sample_gate("", nullptr);  // refuses the waiting kubectl, waits for it, closes
  EXPECT_EQ(seen, (std::vector<SampleGate>{SampleGate::kOpen, SampleGate::kClosed,
                                           SampleGate::kOpen, SampleGate::kClosed,
                                           SampleGate::kRefusing, SampleGate::kClosed}));
  absl::StatusOr<std::string> text = ReadFile(dir.path() + "/kubectl.log");
  ASSERT_TRUE(text.ok());
  std::vector<std::string> lines = Lines(*text);
  ASSERT_EQ(lines.size(), 3u) << *text;
  for (const std::string& line : lines) {
    EXPECT_THAT(line, ::testing::HasSubstr("  exit 0  "));
    EXPECT_THAT(line, ::testing::HasSubstr("kubectl --kubeconfig " + target.kubeconfig +
                                           " --context sre-eval-sim "));
  }
  EXPECT_THAT(lines[0], ::testing::EndsWith(
                            "get pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics."
                            "k8s.io -o json"));
  EXPECT_THAT(lines[1], ::testing::EndsWith("scale deployment/carts --replicas=2"));
}

// The services' logs read in several invocations at once are the logs one invocation reads.
TEST(LogsBySelectorTest, SplitInvocationsReadWhatOneReads) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH: the kubectl tests are skipped";
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  PrivateHomeRunner runner((*served)->dir().path());
  KubectlTarget target;
  target.kubeconfig = (*served)->kubeconfig();
  target.context = "sre-eval-sim";
  Kubectl k(target, &runner, SystemClock::Get(), nullptr);
  absl::StatusOr<Snapshot> snap = k.GetSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_EQ(Kubectl::LogSelectors("name", snap->pods).size(), 2u);
  absl::StatusOr<Kubectl::LogsByContainer> one = k.LogsBySelector("name");
  absl::StatusOr<Kubectl::LogsByContainer> split =
      k.LogsBySelector("name", absl::InfinitePast(), snap->pods);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(one->size(), 15u);  // rabbitmq has two containers
  EXPECT_EQ(*one, *split);
}

TEST_F(KubectlE2eTest, SnapshotOfTheHealthyShopInOneCall) {
  absl::StatusOr<Snapshot> s = Make()->GetSnapshot();
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->deployments.size(), 14u);
  for (const Deployment& d : s->deployments) {
    EXPECT_EQ(d.replicas, 1) << d.name;
    EXPECT_EQ(d.ready_replicas, 1) << d.name;
    EXPECT_EQ(d.available_replicas, 1) << d.name;
    EXPECT_FALSE(d.containers.empty()) << d.name;
  }
  ASSERT_EQ(s->pods.size(), 14u);
  for (const Pod& p : s->pods) {
    EXPECT_EQ(p.phase, "Running") << p.name;
    EXPECT_EQ(p.owner_kind, "ReplicaSet") << p.name;
    ASSERT_FALSE(p.containers.empty()) << p.name;
    EXPECT_EQ(p.containers[0].state, "running") << p.name;
    EXPECT_TRUE(p.containers[0].ready) << p.name;
  }
  EXPECT_TRUE(s->jobs.empty());
  EXPECT_FALSE(s->events.empty());
  for (const Event& e : s->events) {
    EXPECT_NE(e.last_time, absl::InfinitePast()) << e.name;
  }
  ASSERT_EQ(s->metrics.size(), 14u);
  for (const PodMetrics& m : s->metrics) {
    ASSERT_FALSE(m.containers.empty()) << m.pod;
    EXPECT_GT(m.containers[0].memory_bytes, 0) << m.pod;
  }
  EXPECT_EQ(log_->calls(), 1);
  EXPECT_EQ(Marks(), (std::vector<std::string>{"R"}));
}

TEST_F(KubectlE2eTest, ContextsAndNamespaces) {
  absl::StatusOr<std::vector<std::string>> contexts = Make()->Contexts();
  ASSERT_TRUE(contexts.ok()) << contexts.status();
  EXPECT_EQ(*contexts, std::vector<std::string>{"sre-eval-sim"});
  absl::StatusOr<std::string> current = Make()->CurrentContext();
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(*current, "sre-eval-sim");
  EXPECT_TRUE(ContextAllowed(*current, DefaultAllowedContexts()));
  absl::StatusOr<bool> exists = Make()->NamespaceExists();
  ASSERT_TRUE(exists.ok()) << exists.status();
  EXPECT_TRUE(*exists);
  absl::StatusOr<bool> other = Make("no-such-namespace")->NamespaceExists();
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(*other);
}

TEST_F(KubectlE2eTest, ScaleOfAMissingDeploymentIsUnavailable) {
  absl::Status s = Make()->Scale("no-such-deployment", 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  // kubectl 1.32's own words around the API server's NotFound (the sim names the resource
  // without its group, where a real API server says deployments.apps).
  EXPECT_EQ(std::string(s.message()),
            "kubectl scale deployment/no-such-deployment --replicas=0: exit 1: error: no objects "
            "passed to scale deployments \"no-such-deployment\" not found");
  auto text = ReadFile(log_path_);
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(absl::StrContains(*text, "  exit 1  W  kubectl ")) << *text;
}

TEST_F(KubectlE2eTest, PaymentIncidentThroughTheDriver) {
  std::unique_ptr<Kubectl> k = Make();
  ASSERT_TRUE(k->Scale("payment", 0).ok());
  absl::StatusOr<Deployment> payment = k->GetDeployment("payment");
  ASSERT_TRUE(payment.ok()) << payment.status();
  EXPECT_EQ(payment->name, "payment");
  EXPECT_EQ(payment->replicas, 0);

  const std::string manifests = std::string(SRE_EVAL_SOURCE_DIR) + "/incidents/manifests/";
  ASSERT_TRUE(k->Apply(manifests + "locustfile.yaml").ok());
  ASSERT_TRUE(k->Apply(manifests + "locust-payment.yaml").ok());

  CurlHttpClient http;
  SimClock clock(served_->base_url(), &http);
  absl::Time start = clock.Now();
  clock.SleepFor(absl::Minutes(3));
  ASSERT_TRUE(clock.status().ok()) << clock.status();
  EXPECT_EQ(served_->sim()->Now(), start + absl::Minutes(3));

  absl::StatusOr<std::vector<Job>> jobs = k->GetJobs();
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 1u);
  const Job& job = (*jobs)[0];
  EXPECT_EQ(job.name, "locust-payment");
  EXPECT_EQ(job.labels.at("sre-eval/incident"), "payment");
  // Locust exits 1 on the failed checkouts; backoffLimit 0 fails the Job.
  EXPECT_EQ(job.outcome, "Failed");
  EXPECT_EQ(job.failed, 1);
  EXPECT_GE(job.start_time, start);
  EXPECT_GT(job.finished_at, job.start_time);
  EXPECT_LE(job.finished_at, start + absl::Minutes(3));

  absl::StatusOr<std::string> logs = k->JobLogs("locust-payment");
  ASSERT_TRUE(logs.ok()) << logs.status();
  EXPECT_TRUE(absl::StrContains(*logs, "Response time percentiles")) << *logs;

  absl::StatusOr<std::string> orders = k->ProxyGet("orders", 80, "/orders?page=0&size=5");
  ASSERT_TRUE(orders.ok()) << orders.status();
  nlohmann::json page = nlohmann::json::parse(*orders, nullptr, false);
  ASSERT_FALSE(page.is_discarded()) << *orders;
  ASSERT_GT(page["page"]["totalElements"].get<int>(), 0) << *orders;
  for (const nlohmann::json& o : page["_embedded"]["customerOrders"]) {
    EXPECT_EQ(o["status"], "PAYMENT_FAILED");
  }

  // Scale, get, apply, apply, get jobs, logs, proxy.
  EXPECT_EQ(log_->calls(), 7);
  EXPECT_EQ(log_->mutating_calls(), 3);
  EXPECT_EQ(Marks(), (std::vector<std::string>{"W", "R", "W", "W", "R", "R", "R"}));
}

}  // namespace
}  // namespace cluster
}  // namespace sre_eval
