#include "cluster/kubectl.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "test_util.h"
#include "util/file_util.h"

namespace sre_eval {
namespace cluster {
namespace {

using Argv = std::vector<std::string>;

const Argv kBase = {"kubectl",      "--kubeconfig", "/k/config", "--context",
                    "sre-eval-sim", "--namespace",  "sock-shop", "--request-timeout=30s"};

SubprocessResult Exit(int code, std::string out, std::string err = "") {
  SubprocessResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  r.stderr_data = std::move(err);
  return r;
}

// kubectl as a script: answers by the arguments after the global flags; each call takes
// `took` on the fake wall clock.
class KubectlDriverTest : public ::testing::Test {
 protected:
  KubectlDriverTest()
      : clock_(At("2026-12-01T10:00:00Z") + absl::Milliseconds(123)),
        runner_([this](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
          clock_.Advance(took_);
          if (handler_) return handler_(o);
          return Exit(0, "");
        }) {
    auto log = KubectlLog::Open(dir_.path() + "/kubectl.log");
    EXPECT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    target_.kubeconfig = "/k/config";
    target_.context = "sre-eval-sim";
  }

  std::unique_ptr<Kubectl> Make() {
    return std::make_unique<Kubectl>(target_, &runner_, &clock_, log_.get());
  }

  // The arguments after the global flags of every call so far; fails when the flags differ.
  std::vector<Argv> Args() {
    std::vector<Argv> out;
    for (const SubprocessOptions& o : runner_.calls()) {
      EXPECT_GE(o.argv.size(), kBase.size());
      EXPECT_EQ(Argv(o.argv.begin(), o.argv.begin() + kBase.size()), kBase);
      out.emplace_back(o.argv.begin() + kBase.size(), o.argv.end());
    }
    return out;
  }

  std::string LogText() {
    auto text = ReadFile(dir_.path() + "/kubectl.log");
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  }

  TempDir dir_;
  FakeClock clock_;
  absl::Duration took_ = absl::Milliseconds(84);
  std::function<absl::StatusOr<SubprocessResult>(const SubprocessOptions&)> handler_;
  FakeProcessRunner runner_;
  std::unique_ptr<KubectlLog> log_;
  KubectlTarget target_;
};

TEST_F(KubectlDriverTest, ArgvOfEveryOperation) {
  handler_ = [](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
    const std::string& verb = o.argv[kBase.size()];
    if (verb == "get" && o.argv.back() == "json") {
      return Exit(0, o.argv[kBase.size() + 1] == "deployments.apps" && o.argv.size() == 13
                         ? R"({"kind": "Deployment", "metadata": {"name": "payment"}})"
                         : R"({"kind": "List", "items": []})");
    }
    if (verb == "get" && o.argv[kBase.size() + 1] == "--raw") return Exit(0, R"({"items": []})");
    return Exit(0, "");
  };
  std::unique_ptr<Kubectl> k = Make();
  struct Case {
    std::function<absl::Status()> op;
    Argv args;
    bool mutating;
  } cases[] = {
      {[&] { return k->Apply("/m/locust-payment.yaml"); },
       {"apply", "--server-side", "--field-manager=sre-eval", "--force-conflicts", "-f",
        "/m/locust-payment.yaml"},
       true},
      {[&] { return k->Delete("/m/locust-payment.yaml"); },
       {"delete", "--ignore-not-found", "--wait=false", "-f", "/m/locust-payment.yaml"},
       true},
      {[&] { return k->Scale("payment", 0); },
       {"scale", "deployment/payment", "--replicas=0"},
       true},
      {[&] { return k->GetPods().status(); }, {"get", "pods", "-o", "json"}, false},
      {[&] { return k->GetDeployments().status(); },
       {"get", "deployments.apps", "-o", "json"},
       false},
      {[&] { return k->GetDeployment("payment").status(); },
       {"get", "deployments.apps", "payment", "-o", "json"},
       false},
      {[&] { return k->GetJobs().status(); }, {"get", "jobs.batch", "-o", "json"}, false},
      {[&] { return k->GetEvents().status(); }, {"get", "events", "-o", "json"}, false},
      {[&] { return k->GetPodMetrics().status(); },
       {"get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods"},
       false},
      {[&] { return k->Logs("front-end-x", "front-end", false).status(); },
       {"logs", "front-end-x", "-c", "front-end"},
       false},
      {[&] {
         return k
             ->Logs("front-end-x", "front-end", true,
                    At("2026-11-24T10:05:00Z") + absl::Milliseconds(700))
             .status();
       },
       {"logs", "front-end-x", "-c", "front-end", "--previous",
        "--since-time=2026-11-24T10:05:00Z"},
       false},
      {[&] { return k->JobLogs("locust-payment").status(); },
       {"logs", "job/locust-payment"},
       false},
      {[&] { return k->JobLogs("locust-payment", /*timestamps=*/true).status(); },
       {"logs", "job/locust-payment", "--timestamps"},
       false},
      {[&] { return k->ProxyGet("orders", 80, "/orders?page=0&size=5").status(); },
       {"get", "--raw",
        "/api/v1/namespaces/sock-shop/services/orders:80/proxy/orders?page=0&size=5"},
       false},
      {[&] { return k->NamespaceExists().status(); },
       {"get", "namespace", "sock-shop", "--ignore-not-found", "-o", "name"},
       false},
      {[&] {
         return k->Run({"top", "pods"}, true).status();
       },
       {"top", "pods"},
       true},
  };
  int mutating = 0;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    const Case& c = cases[i];
    ASSERT_TRUE(c.op().ok()) << absl::StrJoin(c.args, " ");
    std::vector<Argv> args = Args();
    ASSERT_EQ(args.size(), i + 1);
    EXPECT_EQ(args.back(), c.args);
    mutating += c.mutating;
    EXPECT_EQ(log_->mutating_calls(), mutating) << absl::StrJoin(c.args, " ");
  }
  EXPECT_EQ(log_->calls(), 16);
  for (const SubprocessOptions& o : runner_.calls()) {
    EXPECT_EQ(o.timeout, absl::Seconds(45));
    EXPECT_FALSE(o.stdin_data.has_value());
  }
}

TEST_F(KubectlDriverTest, RequestTimeoutAndNoKubeconfig) {
  target_.kubeconfig = "";
  target_.ns = "other";
  target_.request_timeout = absl::Seconds(90);
  ASSERT_TRUE(Make()->Run({"get", "pods"}, false, "stdin text").ok());
  std::vector<SubprocessOptions> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 1u);
  const SubprocessOptions& o = calls[0];
  EXPECT_EQ(o.argv, (Argv{"kubectl", "--context", "sre-eval-sim", "--namespace", "other",
                          "--request-timeout=1m30s", "get", "pods"}));
  EXPECT_EQ(o.timeout, absl::Seconds(105));
  EXPECT_EQ(o.stdin_data, "stdin text");
}

TEST_F(KubectlDriverTest, ConfigCommandsReadOnlyTheKubeconfig) {
  handler_ = [](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
    if (o.argv.back() == "name") return Exit(0, "kind-sre\nsre-eval-sim\n\n");
    return Exit(0, "kind-sre\n");
  };
  absl::StatusOr<std::vector<std::string>> contexts = Make()->Contexts();
  ASSERT_TRUE(contexts.ok()) << contexts.status();
  EXPECT_EQ(*contexts, (std::vector<std::string>{"kind-sre", "sre-eval-sim"}));
  target_.context = "";
  absl::StatusOr<std::string> current = Make()->CurrentContext();
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(*current, "kind-sre");
  std::vector<SubprocessOptions> calls = runner_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].argv, (Argv{"kubectl", "--kubeconfig", "/k/config", "--context",
                                 "sre-eval-sim", "config", "get-contexts", "-o", "name"}));
  EXPECT_EQ(calls[1].argv,
            (Argv{"kubectl", "--kubeconfig", "/k/config", "config", "current-context"}));
  EXPECT_EQ(log_->calls(), 2);
  EXPECT_EQ(log_->mutating_calls(), 0);
}

TEST_F(KubectlDriverTest, NoContextIsRefusedWithoutRunningKubectl) {
  target_.context = "";
  absl::Status s = Make()->Scale("payment", 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "kubectl scale deployment/payment --replicas=0: no context given; sre-eval never acts "
            "on kubectl's current context");
  EXPECT_TRUE(runner_.calls().empty());
  EXPECT_EQ(log_->calls(), 0);
}

TEST_F(KubectlDriverTest, LogLines) {
  handler_ = [this](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
    if (o.argv[kBase.size()] == "scale") return Exit(0, "deployment.apps/payment scaled\n");
    clock_.Advance(absl::Milliseconds(1416));  // 1.5 s in all
    return Exit(1, "", "error: boom\n");
  };
  std::unique_ptr<Kubectl> k = Make();
  ASSERT_TRUE(k->Scale("payment", 0).ok());
  EXPECT_FALSE(k->ProxyGet("front-end", 80, "/catalogue?size=5").ok());
  EXPECT_EQ(LogText(),
            "2026-12-01T10:00:00.123Z  0.084s  exit 0  W  kubectl --kubeconfig /k/config "
            "--context sre-eval-sim --namespace sock-shop --request-timeout=30s scale "
            "deployment/payment --replicas=0\n"
            "2026-12-01T10:00:00.207Z  1.500s  exit 1  R  kubectl --kubeconfig /k/config "
            "--context sre-eval-sim --namespace sock-shop --request-timeout=30s get --raw "
            "'/api/v1/namespaces/sock-shop/services/front-end:80/proxy/catalogue?size=5'\n");
  EXPECT_EQ(log_->calls(), 2);
  EXPECT_EQ(log_->mutating_calls(), 1);
}

TEST_F(KubectlDriverTest, LogQuotesWhatAShellWouldNeed) {
  std::unique_ptr<Kubectl> k = Make();
  ASSERT_TRUE(k->Run({"annotate", "pod", "p", "note=it's here", ""}, true).ok());
  EXPECT_EQ(LogText(),
            "2026-12-01T10:00:00.123Z  0.084s  exit 0  W  kubectl --kubeconfig /k/config "
            "--context sre-eval-sim --namespace sock-shop --request-timeout=30s annotate pod p "
            "'note=it'\\''s here' ''\n");
}

TEST_F(KubectlDriverTest, LogAppendsToAnExistingFile) {
  std::string path = dir_.WriteFile("old.log", "earlier line\n");
  auto log = KubectlLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Append(At("2026-12-01T10:00:00Z"), absl::Seconds(2), "timeout", false, {"kubectl", "x"});
  auto text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "earlier line\n2026-12-01T10:00:00.000Z  2.000s  timeout  R  kubectl x\n");
  auto bad = KubectlLog::Open(dir_.path() + "/no/such/dir/kubectl.log");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), absl::StrCat("cannot open kubectl log ", dir_.path(),
                                                 "/no/such/dir/kubectl.log: No such file or "
                                                 "directory"));
}

TEST_F(KubectlDriverTest, NonZeroExitIsUnavailableWithStderrTail) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(1, "ignored",
                "W1124 warning line\n\nError from server (NotFound): "
                "deployments.apps \"nope\" not found\n  \n");
  };
  absl::Status s = Make()->Scale("nope", 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(),
            "kubectl scale deployment/nope --replicas=1: exit 1: W1124 warning line; Error from "
            "server (NotFound): deployments.apps \"nope\" not found");
}

TEST_F(KubectlDriverTest, StderrTailKeepsTheLastLinesWithin400Bytes) {
  std::string a(250, 'a'), b(150, 'b'), c(240, 'c');
  handler_ = [&](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(2, "", absl::StrCat(a, "\n", b, "\n", c, "\n"));
  };
  absl::Status s = Make()->Run({"get", "pods"}, false).status();
  // b and c with "; " make 392 bytes; a would pass 400.
  EXPECT_EQ(s.message(), absl::StrCat("kubectl get pods: exit 2: ", b, "; ", c));

  std::string huge(1000, 'x');
  handler_ = [&](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(1, "", huge);
  };
  s = Make()->Run({"get", "pods"}, false).status();
  EXPECT_EQ(s.message(), absl::StrCat("kubectl get pods: exit 1: ", std::string(397, 'x'), "..."));

  handler_ = [&](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(1, "", "");
  };
  s = Make()->Run({"get", "pods"}, false).status();
  EXPECT_EQ(s.message(), "kubectl get pods: exit 1: (no error output)");
}

TEST_F(KubectlDriverTest, KilledBySignal) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    SubprocessResult r = Exit(-1, "", "");
    r.term_signal = 9;
    return r;
  };
  absl::Status s = Make()->Run({"get", "pods"}, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "kubectl get pods: killed by signal 9 (Killed): (no error output)");
  EXPECT_EQ(LogText().substr(24),
            "  0.084s  signal 9  R  " + absl::StrJoin(kBase, " ") + " get pods\n");
}

TEST_F(KubectlDriverTest, NotInstalled) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return absl::NotFoundError("cannot run kubectl: not found on PATH");
  };
  absl::Status s = Make()->Run({"get", "pods"}, false).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "kubectl not found on PATH; install it: https://kubernetes.io/docs/tasks/tools/");
  EXPECT_EQ(LogText().substr(24),
            "  0.084s  not found  R  " + absl::StrJoin(kBase, " ") + " get pods\n");

  target_.kubectl = "/opt/k8s/kubectl";
  s = Make()->Contexts().status();
  EXPECT_EQ(s.message(),
            "/opt/k8s/kubectl not found; install it: https://kubernetes.io/docs/tasks/tools/");
}

TEST_F(KubectlDriverTest, Timeout) {
  handler_ = [this](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
    clock_.Advance(o.timeout);
    return absl::DeadlineExceededError("kubectl timed out");
  };
  absl::Status s = Make()->GetPods().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "kubectl get pods -o json: timed out after 45s");
  EXPECT_EQ(LogText().substr(24),
            "  45.084s  timeout  R  " + absl::StrJoin(kBase, " ") + " get pods -o json\n");
}

TEST_F(KubectlDriverTest, OtherRunnerErrorsKeepTheirCode) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return absl::PermissionDeniedError("cannot run kubectl: permission denied");
  };
  absl::Status s = Make()->GetJobs().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "kubectl get jobs.batch -o json: cannot run kubectl: permission denied");
  EXPECT_EQ(LogText().substr(24),
            "  0.084s  error  R  " + absl::StrJoin(kBase, " ") + " get jobs.batch -o json\n");
}

TEST_F(KubectlDriverTest, OutputThatIsNotJson) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(0, "NAME READY\n");
  };
  absl::Status s = Make()->GetEvents().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "kubectl get events -o json: the output is not JSON");
}

TEST_F(KubectlDriverTest, ParseErrorsPassThrough) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(0, R"({"kind": "List", "items": [{"metadata": {"name": "p"}, "status": []}]})");
  };
  absl::Status s = Make()->GetPods().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "pod p: status: expected an object");
}

const char kSnapshotList[] = R"({"apiVersion": "v1", "kind": "List", "items": [
  {"kind": "Pod", "metadata": {"name": "payment-1"}, "status": {"phase": "Running"}},
  {"kind": "Deployment", "metadata": {"name": "payment"}, "spec": {"replicas": 1}},
  {"kind": "Job", "metadata": {"name": "locust-payment"}},
  {"kind": "Event", "metadata": {"name": "e"}, "reason": "Scheduled"}]})";

const char kSnapshotWithMetrics[] = R"({"apiVersion": "v1", "kind": "List", "items": [
  {"kind": "Pod", "metadata": {"name": "payment-1"}, "status": {"phase": "Running"}},
  {"kind": "Deployment", "metadata": {"name": "payment"}, "spec": {"replicas": 1}},
  {"kind": "Job", "metadata": {"name": "locust-payment"}},
  {"kind": "Event", "metadata": {"name": "e"}, "reason": "Scheduled"},
  {"kind": "PodMetrics", "metadata": {"name": "payment-1"}, "timestamp": "2026-11-24T10:00:00Z",
   "containers": [{"name": "payment", "usage": {"cpu": "5m", "memory": "10Mi"}}]}]})";

const Argv kWithMetrics = {
    "get", "pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io", "-o", "json"};
const Argv kWithoutMetrics = {"get", "pods,deployments.apps,jobs.batch,events", "-o", "json"};

TEST_F(KubectlDriverTest, SnapshotInOneCall) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(0, kSnapshotWithMetrics);
  };
  absl::StatusOr<Snapshot> s = Make()->GetSnapshot();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->pods.size(), 1u);
  EXPECT_EQ(s->deployments.size(), 1u);
  EXPECT_EQ(s->jobs.size(), 1u);
  EXPECT_EQ(s->events.size(), 1u);
  ASSERT_EQ(s->metrics.size(), 1u);
  EXPECT_EQ(s->metrics[0].pod, "payment-1");
  ASSERT_EQ(s->metrics[0].containers.size(), 1u);
  EXPECT_EQ(s->metrics[0].containers[0].cpu_millicores, 5);
  EXPECT_EQ(s->metrics[0].containers[0].memory_bytes, 10 << 20);
  EXPECT_EQ(Args(), (std::vector<Argv>{kWithMetrics}));
}

TEST_F(KubectlDriverTest, WithoutAMetricsApiTheSnapshotAsksWithoutMetricsFromThenOn) {
  for (const char* err : {"Error from server (NotFound): the server could not find the requested "
                          "resource\n",
                          "Error from server (ServiceUnavailable): the server is currently "
                          "unable to handle the request\n",
                          "error: the server doesn't have a resource type \"pods\"\n"}) {
    handler_ = [err](const SubprocessOptions& o) -> absl::StatusOr<SubprocessResult> {
      if (absl::StrContains(o.argv[kBase.size() + 1], "metrics")) return Exit(1, "", err);
      return Exit(0, kSnapshotList);
    };
    std::unique_ptr<Kubectl> k = Make();
    for (int i = 0; i < 2; ++i) {
      absl::StatusOr<Snapshot> s = k->GetSnapshot();
      ASSERT_TRUE(s.ok()) << s.status();
      EXPECT_EQ(s->pods.size(), 1u);
      EXPECT_TRUE(s->metrics.empty());
    }
  }
  // Per driver: the call with metrics once, then two without.
  EXPECT_EQ(Args(), (std::vector<Argv>{kWithMetrics, kWithoutMetrics, kWithoutMetrics, kWithMetrics,
                                       kWithoutMetrics, kWithoutMetrics, kWithMetrics,
                                       kWithoutMetrics, kWithoutMetrics}));
}

TEST_F(KubectlDriverTest, AnyOtherSnapshotFailureIsAnError) {
  handler_ = [](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(1, "", "The connection to the server 127.0.0.1:1 was refused\n");
  };
  absl::Status s = Make()->GetSnapshot().status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(
      s.message(),
      "kubectl get pods,deployments.apps,jobs.batch,events,pods.v1beta1.metrics.k8s.io -o json: "
      "exit 1: The connection to the server 127.0.0.1:1 was refused");
}

TEST_F(KubectlDriverTest, NamespaceExists) {
  std::string answer = "namespace/sock-shop\n";
  handler_ = [&](const SubprocessOptions&) -> absl::StatusOr<SubprocessResult> {
    return Exit(0, answer);
  };
  absl::StatusOr<bool> yes = Make()->NamespaceExists();
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_TRUE(*yes);
  answer = "\n";
  absl::StatusOr<bool> no = Make()->NamespaceExists();
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_FALSE(*no);
}

TEST_F(KubectlDriverTest, ProxyPathMustStartWithSlash) {
  absl::Status s = Make()->ProxyGet("orders", 80, "orders").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "proxy path \"orders\" must start with '/'");
  EXPECT_TRUE(runner_.calls().empty());
}

TEST(LogSelectorsTest, AtMostNineContainersAnInvocationTheLastAlsoForNewPods) {
  auto pod = [](const std::string& name, const std::string& label, int containers) {
    Pod p;
    p.name = name + "-5d4f-abcde";
    if (!label.empty()) p.labels["name"] = label;
    for (int i = 0; i < containers; ++i) p.resources.push_back({absl::StrCat("c", i)});
    return p;
  };
  std::vector<Pod> pods = {
      pod("carts", "carts", 1),   pod("carts-db", "carts-db", 1), pod("front-end", "front-end", 2),
      pod("orders", "orders", 1), pod("orders-2", "orders", 1),   pod("payment", "payment", 1),
      pod("user", "user", 1),     pod("user-db", "user-db", 1),   pod("big", "big", 12),
      pod("locust", "", 1),       pod("shipping", "shipping", 1)};
  EXPECT_EQ(Kubectl::LogSelectors("name", pods),
            (std::vector<std::string>{
                "name in (big)", "name in (carts,carts-db,front-end,orders,payment,shipping,user)",
                "name,name notin (big,carts,carts-db,front-end,orders,payment,shipping,user)"}));
  // Nine containers or fewer: one invocation.
  EXPECT_EQ(Kubectl::LogSelectors("name", {pod("carts", "carts", 1), pod("user", "user", 8)}),
            (std::vector<std::string>{"name"}));
  // Nothing known: the one invocation of old.
  EXPECT_EQ(Kubectl::LogSelectors("name", {}), (std::vector<std::string>{"name"}));
}

TEST(ContextAllowedTest, Patterns) {
  struct Case {
    const char* context;
    std::vector<std::string> patterns;
    bool want;
  } cases[] = {
      {"kind-sre-eval", DefaultAllowedContexts(), true},
      {"kind-", DefaultAllowedContexts(), true},
      {"sre-eval-sim", DefaultAllowedContexts(), true},
      {"sre-eval-sim2", DefaultAllowedContexts(), false},
      {"gke_prod_europe-west1_main", DefaultAllowedContexts(), false},
      {"my-kind-test", DefaultAllowedContexts(), false},
      {"", DefaultAllowedContexts(), false},
      {"", {"*"}, true},
      {"anything", {"*"}, true},
      {"dev-eu-1", {"dev-*-1"}, true},
      {"dev-eu-12", {"dev-*-1"}, false},
      {"dev-1-1-1", {"dev-*-1"}, true},
      {"aXbXc", {"a*b*c"}, true},
      {"abc", {"a**c"}, true},
      {"ab", {"a*b*c"}, false},
      {"prod", {}, false},
      {"prod", {"dev", "prod"}, true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ContextAllowed(c.context, c.patterns), c.want)
        << c.context << " in " << absl::StrJoin(c.patterns, ",");
  }
  EXPECT_EQ(DefaultAllowedContexts(), (std::vector<std::string>{"kind-*", "sre-eval-sim"}));
}

}  // namespace
}  // namespace cluster
}  // namespace sre_eval
