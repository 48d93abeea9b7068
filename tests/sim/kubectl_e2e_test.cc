// The sim against the real kubectl: every command the issue lists, run by the installed
// kubectl binary over HTTP on 127.0.0.1, with assertions on what it prints.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "sim/api/api_server.h"
#include "sim/sim.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace sim {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

class KubectlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    have_kubectl_ = HaveKubectl();
    if (!have_kubectl_) return;
    SimOptions options;
    options.seed = 7;
    auto made = Sim::Create(options);
    ASSERT_TRUE(made.ok()) << made.status();
    sim_ = made->release();
    server_ = new ApiServer(sim_);
    auto port = server_->Start(0);
    ASSERT_TRUE(port.ok()) << port.status();
    dir_ = new TempDir();
    kubeconfig_ = dir_->WriteFile("kubeconfig", server_->Kubeconfig());
  }

  static void TearDownTestSuite() {
    delete server_;
    delete sim_;
    delete dir_;
    server_ = nullptr;
    sim_ = nullptr;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!have_kubectl_) GTEST_SKIP() << "kubectl is not on PATH: the kubectl tests are skipped";
  }

  // Runs kubectl with the sim's kubeconfig; returns the result.
  static SubprocessResult Kubectl(std::vector<std::string> args,
                                  absl::Duration timeout = absl::Seconds(30)) {
    return RunKubectl(kubeconfig_, dir_->path(), std::move(args), timeout);
  }

  static std::string Ok(std::vector<std::string> args) {
    SubprocessResult r = Kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.stderr_data;
    return r.stdout_data;
  }

  static inline bool have_kubectl_ = false;
  static inline Sim* sim_ = nullptr;
  static inline ApiServer* server_ = nullptr;
  static inline TempDir* dir_ = nullptr;
  static inline std::string kubeconfig_;
};

TEST_F(KubectlTest, GetPodsShowsFourteenRunningPods) {
  std::vector<std::string> lines = Lines(Ok({"get", "pods"}));
  ASSERT_EQ(lines.size(), 15u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    ASSERT_EQ(cells.size(), 5u) << lines[i];
    // The manifest's rabbitmq pod runs rabbitmq and its exporter; every other pod one container.
    EXPECT_EQ(cells[1], absl::StartsWith(cells[0], "rabbitmq-") ? "2/2" : "1/1") << lines[i];
    EXPECT_EQ(cells[2], "Running") << lines[i];
    EXPECT_EQ(cells[3], "0") << lines[i];
  }
}

TEST_F(KubectlTest, GetPodsWideShowsIpAndNode) {
  std::vector<std::string> lines = Lines(Ok({"get", "pods", "-o", "wide"}));
  ASSERT_EQ(lines.size(), 15u);
  EXPECT_TRUE(absl::StrContains(lines[0], "IP")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "NODE")) << lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(absl::StrContains(lines[i], " 10.244.0.")) << lines[i];
    EXPECT_TRUE(absl::StrContains(lines[i], "sre-eval-sim-control-plane")) << lines[i];
  }
}

TEST_F(KubectlTest, GetPodsJsonParses) {
  nlohmann::json list = nlohmann::json::parse(Ok({"get", "pods", "-o", "json"}));
  ASSERT_EQ(list["items"].size(), 14u);
  for (const nlohmann::json& pod : list["items"]) {
    EXPECT_EQ(pod["status"]["phase"], "Running");
    EXPECT_EQ(pod["metadata"]["namespace"], "sock-shop");
    EXPECT_EQ(pod["status"]["containerStatuses"][0]["restartCount"], 0);
  }
}

TEST_F(KubectlTest, LabelSelectorPicksOneService) {
  std::vector<std::string> lines = Lines(Ok({"get", "pods", "-l", "name=orders"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(lines[1], "orders-")) << lines[1];
  EXPECT_FALSE(absl::StartsWith(lines[1], "orders-db")) << lines[1];
}

TEST_F(KubectlTest, GetDeploymentsAllReady) {
  std::vector<std::string> lines = Lines(Ok({"get", "deploy"}));
  ASSERT_EQ(lines.size(), 15u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}));
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    ASSERT_EQ(cells.size(), 5u) << lines[i];
    EXPECT_EQ(cells[1], "1/1") << lines[i];
  }
}

TEST_F(KubectlTest, DescribeFrontEndPodShowsLimitsAndEvents) {
  std::vector<std::string> names = Lines(Ok({"get", "pods", "-l", "name=front-end", "-o", "name"}));
  ASSERT_EQ(names.size(), 1u);
  std::string out = Ok({"describe", names[0]});
  EXPECT_TRUE(absl::StrContains(out, "Limits:")) << out;
  EXPECT_TRUE(absl::StrContains(out, "memory:  1000Mi")) << out;
  EXPECT_TRUE(absl::StrContains(out, "Events:")) << out;
  EXPECT_TRUE(absl::StrContains(out, "Started")) << out;
}

TEST_F(KubectlTest, LogsOfADeploymentTail) {
  std::string out = Ok({"logs", "deploy/orders", "--tail", "20"});
  std::vector<std::string> lines = Lines(out);
  EXPECT_GE(lines.size(), 1u);
  EXPECT_LE(lines.size(), 20u);
}

TEST_F(KubectlTest, EventsSortedByLastTimestamp) {
  std::string out = Ok({"get", "events", "--sort-by=.lastTimestamp"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_GT(lines.size(), 14u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "LAST SEEN")) << lines[0];
  EXPECT_TRUE(absl::StrContains(out, "Started")) << out;
}

TEST_F(KubectlTest, TopPodsShowsBaselineUsage) {
  std::vector<std::string> lines = Lines(Ok({"top", "pods"}));
  ASSERT_EQ(lines.size(), 15u);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    ASSERT_EQ(cells.size(), 3u) << lines[i];
    EXPECT_TRUE(absl::EndsWith(cells[1], "m")) << lines[i];
    EXPECT_TRUE(absl::EndsWith(cells[2], "Mi")) << lines[i];
  }
}

TEST_F(KubectlTest, ScalePaymentToZeroAndBack) {
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=0"}),
            "deployment.apps/payment scaled\n");
  sim_->AdvanceBy(absl::Seconds(40));
  std::vector<std::string> lines = Lines(Ok({"get", "deploy", "payment"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[1], " 0/0 ")) << lines[1];
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=1"}),
            "deployment.apps/payment scaled\n");
  sim_->AdvanceBy(absl::Seconds(200));  // Payment's readiness probe waits 180 s.
  lines = Lines(Ok({"get", "deploy", "payment"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[1], " 1/1 ")) << lines[1];
}

// kube-apiserver refuses a container whose request exceeds its limit; so does the sim, and
// the deployment keeps its resources.
TEST_F(KubectlTest, SetResourcesBelowTheRequestIsRefusedAsTheApiServerDoes) {
  SubprocessResult r =
      Kubectl({"set", "resources", "deployment", "front-end", "--limits=cpu=100m,memory=200Mi"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_EQ(r.stderr_data,
            "error: failed to patch resources update to pod template Deployment.apps "
            "\"front-end\" is invalid: spec.template.spec.containers[0].resources.requests: "
            "Invalid value: \"300Mi\": must be less than or equal to memory limit of 200Mi\n");
  nlohmann::json d = nlohmann::json::parse(Ok({"get", "deployment", "front-end", "-o", "json"}));
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"],
            (nlohmann::json{{"cpu", "300m"}, {"memory", "1000Mi"}}));
  // Within the requests it is a change like any other.
  EXPECT_EQ(Ok({"set", "resources", "deployment", "front-end", "--limits=memory=1500Mi"}),
            "deployment.apps/front-end resource requirements updated\n");
  EXPECT_EQ(Ok({"set", "resources", "deployment", "front-end", "--limits=memory=1000Mi"}),
            "deployment.apps/front-end resource requirements updated\n");
}

// What kind computes from the pods: a service's endpoints are its ready pods, and none while
// it has no replica (the payment outage's plainest evidence).
TEST_F(KubectlTest, EndpointsFollowTheReadyPods) {
  std::vector<std::string> lines = Lines(Ok({"get", "endpoints", "payment"}));
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> cells = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  ASSERT_EQ(cells.size(), 3u) << lines[1];
  EXPECT_EQ(cells[0], "payment");
  EXPECT_TRUE(absl::StartsWith(cells[1], "10.244.0.") && absl::EndsWith(cells[1], ":80"))
      << cells[1];
  EXPECT_EQ(Lines(Ok({"get", "endpoints"})).size(), 15u);  // 14 services and the header.
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=0"}),
            "deployment.apps/payment scaled\n");
  sim_->AdvanceBy(absl::Seconds(40));
  lines = Lines(Ok({"get", "endpoints", "payment"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(lines[1], "payment   <none>   ")) << lines[1];
  nlohmann::json slices = nlohmann::json::parse(
      Ok({"get", "endpointslices", "-l", "kubernetes.io/service-name=payment", "-o", "json"}));
  ASSERT_EQ(slices["items"].size(), 1u);
  EXPECT_FALSE(slices["items"][0].contains("endpoints"));
  EXPECT_EQ(slices["items"][0]["ports"],
            nlohmann::json::parse(R"([{"name":"","port":80,"protocol":"TCP"}])"));
  EXPECT_THAT(Ok({"describe", "service", "payment"}),
              ::testing::HasSubstr("\nEndpoints:                \n"));
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=1"}),
            "deployment.apps/payment scaled\n");
  sim_->AdvanceBy(absl::Seconds(200));  // Payment's readiness probe waits 180 s.
  EXPECT_THAT(Ok({"get", "endpoints", "payment"}), ::testing::HasSubstr(":80 "));
}

TEST_F(KubectlTest, ServiceAccountsSecretsStatefulSetsAndAuthAsOnKind) {
  std::vector<std::string> lines = Lines(Ok({"get", "serviceaccounts"}));
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "SECRETS", "AGE"}));
  EXPECT_TRUE(absl::StartsWith(lines[1], "default   0         ")) << lines[1];
  EXPECT_EQ(Lines(Ok({"get", "sa", "-A"})).size(), 6u);  // One per namespace.
  for (const char* resource : {"secrets", "statefulsets"}) {
    SubprocessResult r = Kubectl({"get", resource});
    EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
    EXPECT_EQ(r.stdout_data, "");
    EXPECT_EQ(r.stderr_data, "No resources found in sock-shop namespace.\n");
  }
  EXPECT_EQ(Ok({"auth", "can-i", "get", "pods"}), "yes\n");
  EXPECT_EQ(Ok({"auth", "can-i", "patch", "deployments", "-n", "sock-shop"}), "yes\n");
  // Computed, not stored: they cannot be written.
  SubprocessResult r = Kubectl({"delete", "serviceaccount", "default"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "Error from server (MethodNotAllowed): the sim computes serviceaccounts from the "
            "cluster's state: only get and list are served\n");
}

// The kubelet's summary through the node proxy (`kubectl get --raw`), as agents read memory
// and CPU per container beyond `kubectl top`; the node's figures are top's.
TEST_F(KubectlTest, KubeletStatsSummaryAgreesWithTop) {
  const std::string node = "sre-eval-sim-control-plane";
  const std::string base = absl::StrCat("/api/v1/nodes/", node, "/proxy/");
  nlohmann::json summary = nlohmann::json::parse(Ok({"get", "--raw", base + "stats/summary"}));
  EXPECT_EQ(summary["node"]["nodeName"], node);
  std::vector<std::string> running =
      Lines(Ok({"get", "pods", "-A", "--field-selector", "status.phase=Running", "-o", "name"}));
  ASSERT_EQ(summary["pods"].size(), running.size());
  int64_t pods_cpu = 0;
  for (const auto& pod : summary["pods"]) {
    int64_t containers_cpu = 0;
    for (const auto& c : pod["containers"]) {
      containers_cpu += c["cpu"]["usageNanoCores"].get<int64_t>();
      EXPECT_EQ(c["memory"]["workingSetBytes"], c["memory"]["usageBytes"]);
    }
    EXPECT_EQ(pod["cpu"]["usageNanoCores"].get<int64_t>(), containers_cpu);
    pods_cpu += containers_cpu;
  }
  // The node: its pods plus its own daemons (180m), as `kubectl top node` shows it.
  const int64_t node_cpu = summary["node"]["cpu"]["usageNanoCores"].get<int64_t>();
  EXPECT_EQ(node_cpu, pods_cpu + 180000000);
  std::vector<std::string> top =
      absl::StrSplit(Lines(Ok({"top", "node"}))[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(top[1], absl::StrCat((node_cpu + 999999) / 1000000, "m"));  // Rounded up.
  EXPECT_EQ(Ok({"get", "--raw", base + "healthz"}), "ok");
  SubprocessResult other = Kubectl({"get", "--raw", base + "configz"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_EQ(other.stderr_data,
            "Error from server (NotFound): the simulated kubelet serves /stats/summary and "
            "/healthz, not /configz\n");
}

// `kubectl cluster-info dump` lists every kind it knows (daemonsets and replication
// controllers among them, none here) and prints each container's log.
TEST_F(KubectlTest, ClusterInfoDumpCompletes) {
  SubprocessResult r = Kubectl({"cluster-info", "dump"});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stderr_data, "");
  size_t logs = 0;
  for (size_t at = r.stdout_data.find("==== START logs for container "); at != std::string::npos;
       at = r.stdout_data.find("==== START logs for container ", at + 1)) {
    ++logs;
  }
  EXPECT_EQ(logs, 15u);  // 14 pods; rabbitmq's has two containers.
  EXPECT_TRUE(absl::StrContains(r.stdout_data, "\"kind\": \"DaemonSetList\""));
  EXPECT_TRUE(absl::StrContains(r.stdout_data, "\"kind\": \"ReplicationControllerList\""));
}

// events.k8s.io/v1 serves the core Events in that API's shape (the Python EventsV1Api and
// other newer clients read it); kubectl prints both alike.
TEST_F(KubectlTest, EventsOfTheEventsApiAreTheCoreEvents) {
  EXPECT_EQ(Ok({"get", "events.v1.events.k8s.io"}), Ok({"get", "events"}));
  nlohmann::json v1 = nlohmann::json::parse(Ok({"get", "events.v1.events.k8s.io", "-o", "json"}));
  nlohmann::json core = nlohmann::json::parse(Ok({"get", "events", "-o", "json"}));
  ASSERT_EQ(v1["items"].size(), core["items"].size());
  ASSERT_FALSE(core["items"].empty());
  const nlohmann::json& e = v1["items"][0];
  const nlohmann::json& c = core["items"][0];
  EXPECT_EQ(e["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(e["metadata"], c["metadata"]);
  EXPECT_EQ(e["regarding"], c["involvedObject"]);
  EXPECT_EQ(e["note"], c["message"]);
  EXPECT_EQ(e["deprecatedCount"], c["count"]);
  EXPECT_EQ(e["deprecatedSource"], c["source"]);
  EXPECT_TRUE(e.contains("eventTime") && e["eventTime"].is_null());
  EXPECT_FALSE(e.contains("involvedObject"));
}

// kubectl create sends protobuf, which the sim does not decode: it says so, and names the
// way that works (the body was read as YAML and refused for its NUL bytes).
// kubectl's typed clients send protobuf: `create configmap|namespace|deployment|job` and
// `run` are decoded; a kind the sim does not decode gets a 415 that says what to do instead. A sim
// of its own: the new namespace would add a service account the shared sim's tests count.
TEST(KubectlCreateTest, ProtobufBodiesOfConfigMapsNamespacesAndWorkloadsAreDecoded) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  auto kubectl = [&](std::vector<std::string> args) {
    return RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), std::move(args));
  };
  EXPECT_EQ(
      kubectl({"create", "configmap", "x", "--from-literal=a=b", "--from-literal=c=d"}).stdout_data,
      "configmap/x created\n");
  EXPECT_EQ(kubectl({"get", "configmap", "x", "-o", "jsonpath={.data}"}).stdout_data,
            "{\"a\":\"b\",\"c\":\"d\"}");
  EXPECT_EQ(kubectl({"create", "namespace", "scratch"}).stdout_data, "namespace/scratch created\n");
  EXPECT_EQ(kubectl({"get", "namespace", "scratch", "-o",
                     "jsonpath={.status.phase} {.spec.finalizers} {.metadata.labels}"})
                .stdout_data,
            "Active [\"kubernetes\"] {\"kubernetes.io/metadata.name\":\"scratch\"}");
  // Workloads: created with the API server's defaults, and run.
  EXPECT_EQ(
      kubectl({"create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"})
          .stdout_data,
      "deployment.apps/web created\n");
  EXPECT_EQ(kubectl({"get", "deployment", "web", "-o",
                     "jsonpath={.spec.replicas} {.spec.strategy} {.spec.revisionHistoryLimit} "
                     "{.spec.template.spec.containers[0].imagePullPolicy} "
                     "{.spec.template.spec.containers[0].ports[0]}"})
                .stdout_data,
            "2 {\"rollingUpdate\":{\"maxSurge\":\"25%\",\"maxUnavailable\":\"25%\"},\"type\":"
            "\"RollingUpdate\"} 10 IfNotPresent {\"containerPort\":80,\"protocol\":\"TCP\"}");
  EXPECT_EQ(kubectl({"create", "job", "hello", "--image=busybox", "--", "echo", "hi"}).stdout_data,
            "job.batch/hello created\n");
  EXPECT_EQ(
      kubectl({"run", "tmp", "--image=busybox", "--restart=Never", "--env=A=b", "--", "sleep", "1"})
          .stdout_data,
      "pod/tmp created\n");
  EXPECT_EQ(kubectl({"get", "pod", "tmp", "-o",
                     "jsonpath={.spec.restartPolicy} {.spec.containers[0].args} "
                     "{.spec.containers[0].env}"})
                .stdout_data,
            "Never [\"sleep\",\"1\"] [{\"name\":\"A\",\"value\":\"b\"}]");
  SubprocessResult r = kubectl({"create", "service", "clusterip", "x", "--tcp=80:80"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "error: failed to create ClusterIP service: the simulated cluster decodes protobuf "
            "request bodies of ConfigMaps, Secrets, Namespaces, Pods, Deployments, Jobs and "
            "autoscaling/v1 HorizontalPodAutoscalers only, not v1 Service: write the object as "
            "a manifest and use kubectl apply -f\n");
}

// What kube-apiserver refuses before storing: a negative replica count (422 with the field),
// a quantity that is none (400 from the decoder), a new selector (immutable). The deployment
// is left as it was.
TEST_F(KubectlTest, AdmissionRefusesNegativeReplicasBadQuantitiesAndNewSelectors) {
  SubprocessResult r =
      Kubectl({"patch", "deployment", "carts", "-p", R"({"spec":{"replicas":-1}})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "The Deployment \"carts\" is invalid: spec.replicas: Invalid value: -1: must be "
            "greater than or equal to 0\n");
  r = Kubectl({"patch", "deployment", "carts", "-p",
               R"({"spec":{"template":{"spec":{"containers":[{"name":"carts",)"
               R"("resources":{"limits":{"memory":"200MB"}}}]}}}})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "Error from server (BadRequest): Deployment in version \"v1\" cannot be handled as "
            "a Deployment: quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n");
  // A deployment's selector is immutable.
  r = Kubectl({"patch", "deployment", "carts", "--type=merge", "-p",
               R"({"spec":{"selector":{"matchLabels":{"name":"carts2"}}}})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data,
            "The Deployment \"carts\" is invalid: spec.selector: Invalid value: "
            "v1.LabelSelector{MatchLabels:map[string]string{\"name\":\"carts2\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n");
  EXPECT_EQ(Ok({"get", "deployment", "carts", "-o",
                "jsonpath={.spec.replicas} "
                "{.spec.template.spec.containers[0].resources.limits.memory} "
                "{.spec.selector.matchLabels.name}"}),
            "1 500Mi carts");
}

// No process runs in the sim: attach and debug get a Status that says so (a bare 404 made
// `kubectl debug` panic).
TEST_F(KubectlTest, DebugSaysNoProcessRuns) {
  std::string pod;
  for (const std::string& line : Lines(Ok({"get", "pods", "-o", "name"}))) {
    if (absl::StartsWith(line, "pod/front-end-")) pod = line.substr(4);
  }
  ASSERT_FALSE(pod.empty());
  const std::string because =
      " (kubectl attach, debug) is not available; use kubectl exec (a simulated userland), "
      "port-forward, logs, events, metrics and the services proxy instead\n";
  SubprocessResult r;
  r = Kubectl({"debug", pod, "--image=busybox", "--profile=general"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::EndsWith(r.stderr_data,
                             "Error from server (MethodNotAllowed): the simulated cluster runs no "
                             "processes: pods/ephemeralcontainers" +
                                 because))
      << r.stderr_data;
  EXPECT_FALSE(absl::StrContains(r.stderr_data, "panic")) << r.stderr_data;
}

// `kubectl explain` reads the OpenAPI v3 documents: the kinds' schemas, generated from
// Kubernetes 1.32's own types and documentation (scripts/gen_openapi.py), so it prints what
// it prints against kind, enums and required fields included.
TEST_F(KubectlTest, ExplainPrintsTheServedSchemas) {
  EXPECT_EQ(Ok({"explain", "deployment.spec.strategy.type"}),
            "GROUP:      apps\n"
            "KIND:       Deployment\n"
            "VERSION:    v1\n"
            "\n"
            "FIELD: type <string>\n"
            "ENUM:\n"
            "    Recreate\n"
            "    RollingUpdate\n"
            "\n"
            "DESCRIPTION:\n"
            "    Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is\n"
            "    RollingUpdate.\n"
            "    \n"
            "    Possible enum values:\n"
            "     - `\"Recreate\"` Kill all existing pods before creating new ones.\n"
            "     - `\"RollingUpdate\"` Replace the old ReplicaSets by new one using rolling\n"
            "    update i.e gradually scale down the old ReplicaSets and scale up the new\n"
            "    one.\n"
            "    \n"
            "\n");
  EXPECT_EQ(Ok({"explain", "svc.spec.ports", "--recursive"}),
            "KIND:       Service\n"
            "VERSION:    v1\n"
            "\n"
            "FIELD: ports <[]ServicePort>\n"
            "\n"
            "\n"
            "DESCRIPTION:\n"
            "    The list of ports that are exposed by this service. More info:\n"
            "    "
            "https://kubernetes.io/docs/concepts/services-networking/service/"
            "#virtual-ips-and-service-proxies\n"
            "    ServicePort contains information on service's port.\n"
            "    \n"
            "FIELDS:\n"
            "  appProtocol\t<string>\n"
            "  name\t<string>\n"
            "  nodePort\t<integer>\n"
            "  port\t<integer> -required-\n"
            "  protocol\t<string>\n"
            "  enum: SCTP, TCP, UDP\n"
            "  targetPort\t<IntOrString>\n"
            "\n");
  const std::vector<std::string> pod = Lines(Ok({"explain", "pods"}));
  ASSERT_GE(pod.size(), 4u);
  EXPECT_EQ(pod[0], "KIND:       Pod");
  EXPECT_EQ(pod[3],
            "    Pod is a collection of containers that can run on a host. This resource is");
  EXPECT_EQ(Lines(Ok({"explain", "hpa.spec.maxReplicas", "--api-version=autoscaling/v2"}))[3],
            "FIELD: maxReplicas <integer>");
  SubprocessResult r = Kubectl({"explain", "pods.spec.nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data, "error: field \"nosuch\" does not exist\n");
}

// A free port on 127.0.0.1 (bound, then released for kubectl to take).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof(a);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

// Sends `request` to 127.0.0.1:`port` (retrying the connection for up to 20 s while kubectl
// starts listening) and returns everything the peer sends until it closes.
std::string HttpExchange(int port, const std::string& request) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
      timeval tv{20, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      std::string out;
      char buf[4096];
      for (ssize_t got; (got = recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, got);
      close(fd);
      return out;
    }
    close(fd);
    if (std::chrono::steady_clock::now() > give_up) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// `kubectl port-forward` (the guide's prerequisite 4) over WebSocket-tunnelled SPDY, kubectl
// 1.32's default, and over SPDY itself, its fallback: the front-end's port answers what the
// services proxy answers, keep-alive included, and a port nothing serves gets the kubelet's
// error, after which kubectl exits as it does on kind ("lost connection to pod").
TEST_F(KubectlTest, PortForwardServesTheShopsPorts) {
  std::string pod;
  for (const std::string& line : Lines(Ok({"get", "pods", "-o", "name"}))) {
    if (absl::StartsWith(line, "pod/front-end-")) pod = line;
  }
  ASSERT_FALSE(pod.empty());
  for (const bool websocket : {true, false}) {
    const int shop = FreePort();
    const int none = FreePort();
    ASSERT_NE(shop, 0);
    ASSERT_NE(none, 0);
    SubprocessResult forward;
    std::thread kubectl([&] {
      forward = RunKubectl(kubeconfig_, dir_->path(),
                           {"port-forward", websocket ? "deployment/front-end" : pod,
                            absl::StrCat(shop, ":8079"), absl::StrCat(none, ":9999")},
                           absl::Seconds(60), std::nullopt,
                           {{"KUBECTL_PORT_FORWARD_WEBSOCKETS", websocket ? "true" : "false"}});
    });
    const std::string two = HttpExchange(
        shop,
        "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /catalogue/size HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    // Then the port nothing listens on inside the pod: kubectl reports it and exits.
    EXPECT_EQ(HttpExchange(none, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), "");
    kubectl.join();
    const std::string what = websocket ? "websocket" : "spdy";
    std::vector<std::string> responses = absl::StrSplit(two, "HTTP/1.1 ", absl::SkipEmpty());
    ASSERT_EQ(responses.size(), 2u) << what << ": " << two;
    EXPECT_TRUE(absl::StartsWith(responses[0], "200 OK\r\nContent-Type: application/json\r\n"))
        << responses[0];
    EXPECT_TRUE(absl::EndsWith(
        responses[0],
        R"({"health":[{"service":"front-end","status":"OK","time":")" +
            nlohmann::json::parse(Ok({"get", "--raw", "/sim/v1/clock"}))["now"].get<std::string>() +
            R"("}]})"))
        << responses[0];
    EXPECT_TRUE(absl::EndsWith(responses[1],
                               "Content-Length: 21\r\nConnection: close\r\n\r\n"
                               R"({"size":9,"err":null})"))
        << responses[1];
    EXPECT_EQ(forward.exit_code, 1) << what;
    std::vector<std::string> out = Lines(forward.stdout_data);
    EXPECT_EQ(
        out, (std::vector<std::string>{absl::StrCat("Forwarding from 127.0.0.1:", shop, " -> 8079"),
                                       absl::StrCat("Forwarding from [::1]:", shop, " -> 8079"),
                                       absl::StrCat("Forwarding from 127.0.0.1:", none, " -> 9999"),
                                       absl::StrCat("Forwarding from [::1]:", none, " -> 9999"),
                                       absl::StrCat("Handling connection for ", shop),
                                       absl::StrCat("Handling connection for ", none)}))
        << what << ": " << forward.stdout_data;
    EXPECT_TRUE(
        absl::StrContains(forward.stderr_data, absl::StrCat("an error occurred forwarding ", none,
                                                            " -> 9999: error forwarding port 9999 "
                                                            "to pod ")))
        << forward.stderr_data;
    EXPECT_TRUE(absl::StrContains(forward.stderr_data,
                                  "failed to connect to localhost:9999 inside namespace"))
        << forward.stderr_data;
    EXPECT_TRUE(absl::EndsWith(forward.stderr_data, "error: lost connection to pod\n"))
        << forward.stderr_data;
  }
  // The guide's own command, through the service's port 80, ended by SIGINT after 5 s.
  const int shop = FreePort();
  SubprocessResult forward;
  std::thread kubectl([&] {
    PosixProcessRunner runner;
    SubprocessOptions o;
    o.argv = {"timeout",       "-s",
              "INT",           "5",
              "kubectl",       "--kubeconfig",
              kubeconfig_,     "port-forward",
              "svc/front-end", absl::StrCat(shop, ":80")};
    o.env = {{"KUBECACHEDIR", dir_->path() + "/cache"}, {"HOME", dir_->path()}};
    o.timeout = absl::Seconds(30);
    absl::StatusOr<SubprocessResult> r = runner.Run(o);
    if (r.ok()) forward = *r;
  });
  const std::string page =
      HttpExchange(shop, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  kubectl.join();
  EXPECT_TRUE(absl::StartsWith(page, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8"))
      << page;
  EXPECT_TRUE(absl::EndsWith(page,
                             "<title>WeaveSocks</title>\n</head>\n<body>\n<div id=\"hot\">"
                             "Hot this week</div>\n</body>\n</html>\n"))
      << page;
  EXPECT_TRUE(absl::StartsWith(forward.stdout_data,
                               absl::StrCat("Forwarding from 127.0.0.1:", shop, " -> 8079\n")))
      << forward.stdout_data;
}

// `kubectl exec` (WebSocket, v5.channel.k8s.io) into the simulated userland: what agents run
// to look inside a container, each answered from the model, with kubectl's own exit codes and
// messages. carts' limits are 300m and 500Mi.
TEST_F(KubectlTest, ExecRunsTheSimulatedUserland) {
  const std::string carts =
      Ok({"get", "pods", "-l", "name=carts", "-o", "jsonpath={.items[0].metadata.name}"});
  ASSERT_FALSE(carts.empty());
  const std::string orders_total = nlohmann::json::parse(Ok(
      {"get", "--raw",
       "/api/v1/namespaces/sock-shop/services/orders/proxy/orders?size=1"}))["page"]
                                                                            ["totalElements"]
                                                                                .dump();
  struct Case {
    std::vector<std::string> args;
    std::string stdin_data;
    std::string out;
    std::string err;
    int code;
  };
  const std::string exit_127 = "command terminated with exit code 127\n";
  const Case cases[] = {
      {{carts, "--", "cat", "/sys/fs/cgroup/memory.max"}, "", "524288000\n", "", 0},
      {{carts, "--", "cat", "/sys/fs/cgroup/cpu.max", "/etc/hostname"},
       "",
       absl::StrCat("30000 100000\n", carts, "\n"),
       "",
       0},
      {{"deploy/carts", "--", "sh", "-c",
        "printenv CARTS_SERVICE_PORT HOME; env | grep -c _SERVICE_HOST"},
       "",
       "80\n/root\n15\n",
       "",
       0},
      {{carts, "--", "sh", "-c",
        "curl -s -o /dev/null -w '%{http_code}\\n' http://catalogue/health && "
        "nslookup catalogue.sock-shop | grep -c Name; curl -sS http://nosuch/; echo \"exit $?\""},
       "",
       "200\n1\nexit 6\n",
       "curl: (6) Could not resolve host: nosuch\n",
       0},
      {{"-i", carts, "--", "sh"}, "echo one; echo two three | wc -w\n", "one\n2\n", "", 0},
      {{"deploy/orders-db", "--", "mongo", "data", "--quiet", "--eval",
        "db.customerOrder.countDocuments({})"},
       "",
       orders_total + "\n",
       "",
       0},
      {{carts, "--", "sh", "-c", "echo bye >&2; exit 3"},
       "",
       "",
       "bye\ncommand terminated with exit code 3\n",
       3},
      {{carts, "--", "sh", "-c", "top -b -n 1"}, "", "", "sh: top: not found\n" + exit_127, 127},
      {{carts, "--", "top"},
       "",
       "",
       "OCI runtime exec failed: exec failed: unable to start container process: exec: \"top\": "
       "executable file not found in $PATH: unknown\n" +
           exit_127,
       127},
      {{"deploy/rabbitmq", "--", "cat", "/etc/resolv.conf"},
       "",
       "search sock-shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver "
       "10.96.0.10\noptions ndots:5\n",
       "Defaulted container \"rabbitmq\" out of: rabbitmq, rabbitmq-exporter\n",
       0},
      {{"deploy/catalogue-db", "--", "sh", "-c",
        "mysql -uroot -p$MYSQL_ROOT_PASSWORD socksdb -N -e 'select count(*) from sock'"},
       "",
       "9\n",
       "mysql: [Warning] Using a password on the command line interface can be insecure.\n",
       0},
      {{carts, "--", "mysql", "-e", "select 1"},
       "",
       "",
       "OCI runtime exec failed: exec failed: unable to start container process: exec: "
       "\"mysql\": executable file not found in $PATH: unknown\n" +
           exit_127,
       127},
      {{carts, "-c", "nosuch", "--", "true"},
       "",
       "",
       absl::StrCat("Error from server (BadRequest): container nosuch is not valid for pod ", carts,
                    "\n"),
       1},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"exec"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    SubprocessResult r =
        RunKubectl(kubeconfig_, dir_->path(), args, absl::Seconds(30),
                   c.stdin_data.empty() ? std::nullopt : std::optional<std::string>(c.stdin_data));
    const std::string what = absl::StrJoin(args, " ");
    EXPECT_EQ(r.stdout_data, c.out) << what;
    EXPECT_EQ(r.stderr_data, c.err) << what;
    EXPECT_EQ(r.exit_code, c.code) << what;
  }
}

TEST_F(KubectlTest, ServerSideApplyAndDeleteOfAConfigMapAndAJob) {
  std::string manifest =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: locustfile\n  namespace: sock-shop\n"
      "data:\n  locustfile.py: |\n    from locust import HttpUser\n"
      "---\n"
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: load\n  namespace: sock-shop\n"
      "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
      "      - name: locust\n        image: locustio/locust:2.12.1\n"
      "        args: [\"--headless\", \"-u\", \"10\", \"-r\", \"5\", \"-t\", \"2m\"]\n";
  std::string path = dir_->WriteFile("load.yaml", manifest);
  EXPECT_EQ(Ok({"apply", "--server-side", "-f", path}),
            "configmap/locustfile serverside-applied\njob.batch/load serverside-applied\n");
  EXPECT_EQ(Lines(Ok({"get", "configmap", "locustfile"})).size(), 2u);
  EXPECT_EQ(Lines(Ok({"get", "job", "load"})).size(), 2u);
  EXPECT_EQ(Ok({"delete", "-f", path}),
            "configmap \"locustfile\" deleted\njob.batch \"load\" deleted\n");
  SubprocessResult gone = Kubectl({"get", "configmap", "locustfile"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.stderr_data,
            "Error from server (NotFound): configmaps \"locustfile\" not found\n");
}

// `kubectl logs -f` (the guide's "Monitor logs"): the lines so far, then each line as the
// clock reaches it, until the container ends; kubectl then exits 0. A sim of its own: the
// load it starts places orders the shared sim's tests do not expect.
TEST(KubectlFollowTest, LogsFollowStreamsUntilTheContainerEnds) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  Sim* sim = (*served)->sim();
  auto kubectl = [&](std::vector<std::string> args) {
    return RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), std::move(args),
                      absl::Seconds(60));
  };
  std::string manifest =
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: follow\n  namespace: sock-shop\n"
      "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
      "      - name: locust\n        image: locustio/locust:2.12.1\n"
      "        args: [\"--headless\", \"-u\", \"10\", \"-r\", \"5\", \"-t\", \"30s\", "
      "\"--host\", \"http://front-end.sock-shop.svc\"]\n";
  std::string path = (*served)->dir().WriteFile("follow.yaml", manifest);
  EXPECT_EQ(kubectl({"apply", "-f", path}).stdout_data, "job.batch/follow created\n");
  sim->AdvanceBy(absl::Seconds(5));  // Its pod runs.
  std::string before = kubectl({"logs", "job/follow"}).stdout_data;
  std::atomic<bool> done{false};
  std::thread clock([&] {
    // Half a second of wall time before the clock moves: kubectl has the stream open.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    while (!done) {
      sim->AdvanceBy(absl::Seconds(2));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  SubprocessResult r = kubectl({"logs", "-f", "job/follow"});
  done = true;
  clock.join();
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  // It began with what `logs` showed before the clock moved, and went on to Locust's end.
  EXPECT_TRUE(absl::StartsWith(r.stdout_data, before)) << r.stdout_data;
  EXPECT_GT(r.stdout_data.size(), before.size());
  EXPECT_EQ(r.stdout_data, kubectl({"logs", "job/follow"}).stdout_data);
  EXPECT_TRUE(absl::StrContains(r.stdout_data, "Shutting down (exit code ")) << r.stdout_data;
}

// The incident guide's own commands, in the guide's order, against a sim of their own: each
// exits as on kind and prints what kind prints (the first line, or the whole output where it
// is fixed).
TEST(KubectlGuideTest, TheGuidesCommandsRunAsOnKind) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  const std::string manifests = absl::StrCat(SRE_EVAL_SOURCE_DIR, "/incidents/manifests/");
  struct Step {
    std::vector<std::string> args;
    int exit_code;
    std::string output;  // The whole stdout, or its first line when `first_line`.
    bool first_line;
  };
  const std::vector<Step> steps = {
      {{"cluster-info"}, 0, "Kubernetes control plane is running at", true},
      {{"-n", "sock-shop", "get", "pods"},
       0,
       "NAME                            READY   STATUS    RESTARTS   AGE",
       true},
      {{"top", "pods", "-n", "sock-shop"},
       0,
       "NAME                            CPU(cores)   MEMORY(bytes)   ",
       true},
      {{"apply", "-f", manifests + "locustfile.yaml", "-f", manifests + "locust-crash.yaml"},
       0,
       "configmap/locustfile created\njob.batch/locust-crash created\n",
       false},
      {{"-n", "sock-shop", "logs", "deployment/front-end", "--tail=1"},
       0,
       "App now running in production mode on port 8079\n",
       false},
      {{"-n", "sock-shop", "delete", "job", "locust-crash"},
       0,
       "job.batch \"locust-crash\" deleted\n",
       false},
      {{"-n", "sock-shop", "delete", "configmap", "locustfile"},
       0,
       "configmap \"locustfile\" deleted\n",
       false},
      {{"-n", "sock-shop", "get", "all", "-o", "yaml"}, 0, "apiVersion: v1", true},
      {{"-n", "sock-shop", "delete", "job", "--all"}, 0, "No resources found\n", false},
      {{"-n", "sock-shop", "delete", "configmap", "-l", "app=locust"},
       0,
       "No resources found\n",
       false},
      {{"-n", "sock-shop", "get", "configmap"}, 0, "", false},  // Sock Shop has none.
      {{"autoscale", "deployment", "front-end", "--cpu-percent=80", "--min=2", "--max=10"},
       0,
       "horizontalpodautoscaler.autoscaling/front-end autoscaled\n",
       false},
      // The guide's `rollout restart deployment --all` fails in kubectl 1.32 itself (no such
      // flag), on kind as here; without a name it restarts them all. (Its restart of one
      // deployment is KubectlTest.RolloutRestartAndStatus: kubectl refuses a second restart
      // within the same second of its own clock.)
      {{"-n", "sock-shop", "rollout", "restart", "deployment", "--all"}, 1, "", false},
      {{"-n", "sock-shop", "rollout", "restart", "deployment"},
       0,
       "deployment.apps/carts restarted",
       true},
      {{"-n", "sock-shop", "get", "events", "--sort-by=.lastTimestamp"},
       0,
       "LAST SEEN   TYPE     REASON              OBJECT",
       true},
  };
  for (const Step& step : steps) {
    SubprocessResult r = RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), step.args);
    const std::string command = absl::StrJoin(step.args, " ");
    EXPECT_EQ(r.exit_code, step.exit_code) << command << ": " << r.stderr_data;
    std::string got = r.stdout_data;
    if (step.first_line) got = got.substr(0, got.find('\n'));
    if (step.first_line) {
      EXPECT_TRUE(absl::StartsWith(got, step.output)) << command << ": " << got;
    } else {
      EXPECT_EQ(got, step.output) << command;
    }
  }
}

TEST_F(KubectlTest, RolloutRestartAndStatus) {
  std::vector<std::string> before = Lines(Ok({"get", "pods", "-l", "name=carts", "-o", "name"}));
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(Ok({"rollout", "restart", "deployment/carts"}), "deployment.apps/carts restarted\n");
  // The cluster lives on while kubectl waits: one virtual second every 20 ms.
  std::atomic<bool> done{false};
  std::thread clock([&] {
    while (!done) {
      sim_->AdvanceBy(absl::Seconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  SubprocessResult r =
      Kubectl({"rollout", "status", "deployment/carts", "--timeout=60s"}, absl::Seconds(90));
  done = true;
  clock.join();
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_TRUE(absl::StrContains(r.stdout_data, "deployment \"carts\" successfully rolled out"))
      << r.stdout_data;
  // The old pod terminates within its 30 s grace period; then only the new one is left.
  sim_->AdvanceBy(absl::Seconds(31));
  std::vector<std::string> after = Lines(Ok({"get", "pods", "-l", "name=carts", "-o", "name"}));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after[0], before[0]);
}

TEST_F(KubectlTest, RawGetThroughTheServicesProxy) {
  std::string out =
      Ok({"get", "--raw", "/api/v1/namespaces/sock-shop/services/catalogue:80/proxy/catalogue"});
  nlohmann::json socks = nlohmann::json::parse(out);
  ASSERT_EQ(socks.size(), 9u);
  EXPECT_EQ(socks[0]["name"], "Holy");
}

TEST_F(KubectlTest, WatchStreamsUntilTheRequestTimeout) {
  SubprocessResult r =
      Kubectl({"get", "pods", "--watch", "--request-timeout=2s"}, absl::Seconds(30));
  std::vector<std::string> lines = Lines(r.stdout_data);
  ASSERT_GE(lines.size(), 15u) << r.stderr_data;
  EXPECT_TRUE(absl::StartsWith(lines[0], "NAME")) << lines[0];
}

TEST_F(KubectlTest, UnknownPodIsAKubernetesNotFound) {
  SubprocessResult r = Kubectl({"get", "pod", "no-such-pod"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_data, "Error from server (NotFound): pods \"no-such-pod\" not found\n");
}

// The repository's incident manifests, applied by kubectl as a user would: with payment at
// 0, the payment Job's checkouts fail and leave PAYMENT_FAILED orders. Last in the suite: it
// leaves a finished Job and orders behind.
TEST_F(KubectlTest, TheShippedPaymentIncidentManifestsLeavePaymentFailedOrders) {
  const std::string manifests = std::string(SRE_EVAL_SOURCE_DIR) + "/incidents/manifests/";
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=0"}),
            "deployment.apps/payment scaled\n");
  sim_->AdvanceBy(absl::Seconds(40));
  EXPECT_EQ(
      Ok({"apply", "-f", manifests + "locustfile.yaml", "-f", manifests + "locust-payment.yaml"}),
      "configmap/locustfile created\njob.batch/locust-payment created\n");
  sim_->AdvanceBy(absl::Seconds(130));
  EXPECT_EQ(Ok({"get", "job", "locust-payment", "-o", "jsonpath={.status.conditions[-1].reason}"}),
            "BackoffLimitExceeded");
  std::string log = Ok({"logs", "job/locust-payment"});
  EXPECT_TRUE(absl::StrContains(log, "All users spawned: {\"SockShopUser\": 10} (10 total users)"))
      << log;
  EXPECT_TRUE(absl::StrContains(log, "Shutting down (exit code 1)")) << log;
  EXPECT_TRUE(absl::StrContains(log,
                                "POST /orders: HTTPError('500 Server Error: Internal Server "
                                "Error for url: http://front-end.sock-shop.svc/orders')"))
      << log;
  nlohmann::json orders = nlohmann::json::parse(
      Ok({"get", "--raw", "/api/v1/namespaces/sock-shop/services/orders/proxy/orders?size=1000"}));
  ASSERT_GT(orders["page"]["totalElements"].get<int>(), 0);
  for (const nlohmann::json& o : orders["_embedded"]["customerOrders"]) {
    EXPECT_EQ(o["status"], "PAYMENT_FAILED");
  }
  EXPECT_EQ(Ok({"scale", "deployment", "payment", "--replicas=1"}),
            "deployment.apps/payment scaled\n");
}

// `sre-eval sim --speed X` above 1x runs the virtual clock ahead of the wall clock, and the
// server shows every time moved back by how far ahead it is (ApiServer::set_time_shift):
// kubectl computes ages in describe and events from its own clock, and without the move
// printed "<invalid>" for every one. Here the clock is 5 minutes ahead.
TEST(KubectlClockTest, AClockAheadOfTheWallNeverShowsTimesInTheClientsFuture) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  SimOptions options;
  options.seed = 7;
  options.start = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  auto made = Sim::Create(options);
  ASSERT_TRUE(made.ok()) << made.status();
  std::unique_ptr<Sim> sim = *std::move(made);
  sim->AdvanceBy(absl::Minutes(5));
  std::atomic<int64_t> shift{0};
  ApiServer server(sim.get());
  server.set_time_shift(&shift);
  ASSERT_TRUE(server.Start(0).ok());
  shift = -absl::ToInt64Seconds(absl::Ceil(sim->Now() - absl::Now(), absl::Seconds(1)));
  ASSERT_LE(shift.load(), -4 * 60);
  TempDir dir;
  std::string kubeconfig = dir.WriteFile("kubeconfig", server.Kubeconfig());
  auto ok = [&](std::vector<std::string> args) {
    SubprocessResult r = RunKubectl(kubeconfig, dir.path(), args, absl::Seconds(30));
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.stderr_data;
    return r.stdout_data;
  };
  std::string pod =
      ok({"get", "pods", "-l", "name=carts", "-o", "jsonpath={.items[0].metadata.name}"});
  ASSERT_FALSE(pod.empty());
  // Created 50 minutes before the sim opened, 5 minutes of it ago: 55 minutes old, as the
  // server's AGE column says and as kubectl computes from the shown times (its events are
  // within their hour).
  std::vector<std::string> rows = Lines(ok({"get", "pod", pod}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1], ::testing::EndsWith(" 55m"));
  std::string created = ok({"get", "pod", pod, "-o", "jsonpath={.metadata.creationTimestamp}"});
  absl::Time t;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, created, &t, nullptr)) << created;
  EXPECT_LE(t, absl::Now());
  EXPECT_GE(t, absl::Now() - absl::Minutes(56));
  std::string describe = ok({"describe", "pod", pod});
  EXPECT_THAT(describe, ::testing::Not(::testing::HasSubstr("<invalid>")));
  EXPECT_THAT(describe, ::testing::ContainsRegex("Normal +Scheduled +55m +default-scheduler"));
  std::string events = ok({"events"});
  EXPECT_THAT(events, ::testing::Not(::testing::HasSubstr("<invalid>")));
  EXPECT_THAT(events, ::testing::HasSubstr("\n55m "));
  // Log timestamps move with the rest; a sinceTime the client was shown reads back.
  std::string first = Lines(ok({"logs", pod, "--timestamps"}))[0];
  absl::Time logged;
  ASSERT_TRUE(
      absl::ParseTime(absl::RFC3339_full, first.substr(0, first.find(' ')), &logged, nullptr))
      << first;
  EXPECT_LE(logged, absl::Now());
  std::string since = absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", logged, absl::UTCTimeZone());
  EXPECT_EQ(Lines(ok({"logs", pod, "--timestamps", "--since-time", since}))[0], first);
  server.Stop();
}

// The API server's /metrics counts the requests it served with kube-apiserver's labels and
// the objects it stores, in a text format promtool (Prometheus's own checker) accepts. A sim
// of its own, so that the counts are this test's requests only.
TEST(KubectlMetricsTest, TheApiServersMetricsCountRequestsAndObjects) {
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
  absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
  ASSERT_TRUE(served.ok()) << served.status();
  auto kubectl = [&](std::vector<std::string> args) {
    SubprocessResult r = RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.stderr_data;
    return r.stdout_data;
  };
  kubectl({"get", "pods"});
  kubectl({"get", "pods"});
  kubectl({"scale", "deployment", "payment", "--replicas=0"});
  RunKubectl((*served)->kubeconfig(), (*served)->dir().path(), {"get", "pod", "nosuch"});
  const std::string text = kubectl({"get", "--raw", "/metrics"});
  std::vector<std::string> lines = Lines(text);
  auto has = [&](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  const std::string prefix = "apiserver_request_total{code=\"";
  EXPECT_TRUE(has(prefix +
                  "200\",component=\"apiserver\",dry_run=\"\",group=\"\",resource=\"pods\","
                  "scope=\"namespace\",subresource=\"\",verb=\"LIST\",version=\"v1\"} 2"))
      << text;
  EXPECT_TRUE(has(prefix +
                  "404\",component=\"apiserver\",dry_run=\"\",group=\"\",resource=\"pods\","
                  "scope=\"resource\",subresource=\"\",verb=\"GET\",version=\"v1\"} 1"))
      << text;
  EXPECT_TRUE(has(prefix +
                  "200\",component=\"apiserver\",dry_run=\"\",group=\"apps\",resource="
                  "\"deployments\",scope=\"resource\",subresource=\"scale\",verb=\"PATCH\","
                  "version=\"v1\"} 1"))
      << text;
  EXPECT_TRUE(has("apiserver_storage_objects{resource=\"deployments.apps\"} 14")) << text;
  EXPECT_TRUE(has("apiserver_storage_objects{resource=\"services\"} 14")) << text;
  // Prometheus's checker reads it (installed with the prometheus package by make deps).
  PosixProcessRunner runner;
  SubprocessOptions o;
  o.argv = {"promtool", "check", "metrics"};
  o.stdin_data = text;
  o.timeout = absl::Seconds(30);
  auto checked = runner.Run(o);
  ASSERT_TRUE(checked.ok()) << "promtool (apt-get install prometheus): " << checked.status();
  EXPECT_EQ(checked->exit_code, 0) << checked->stdout_data << checked->stderr_data;
  EXPECT_EQ(checked->stdout_data + checked->stderr_data, "");
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
