// The HorizontalPodAutoscaler (autoscaling/v2) as an agent uses it: applied with stock kubectl,
// listed and described as on kind, scaling the front-end under the guide's crash load and back
// down after the stabilisation window. Each test has a sim of its own: the load places orders.
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "served_sim.h"
#include "sim/sim.h"
#include "test_util.h"
#include "util/subprocess.h"

namespace sre_eval {
namespace {

using sim::Sim;

std::string Hpa(const std::string& name, const std::string& target, int min, int max,
                const std::string& metrics) {
  return absl::StrCat(
      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ", name,
      "\n  namespace: sock-shop\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n"
      "    kind: Deployment\n    name: ",
      target, "\n", min > 0 ? absl::StrCat("  minReplicas: ", min, "\n") : "",
      "  maxReplicas: ", max, "\n", metrics);
}

constexpr char kCpu50[] =
    "  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n"
    "        type: Utilization\n        averageUtilization: 50\n";

// The guide's crash load: 3000 users for `seconds`.
std::string LoadJob(int seconds) {
  return absl::StrCat(
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: load\n  namespace: sock-shop\n"
      "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
      "      - name: locust\n        image: locustio/locust:2.12.1\n"
      "        args: [\"--headless\", \"-u\", \"3000\", \"-r\", \"300\", \"-t\", \"",
      seconds, "s\", \"--host\", \"http://front-end.sock-shop.svc\"]\n");
}

class AutoscalerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveKubectl()) GTEST_SKIP() << "kubectl is not on PATH";
    absl::StatusOr<std::unique_ptr<ServedSim>> served = ServedSim::Start(7);
    ASSERT_TRUE(served.ok()) << served.status();
    served_ = *std::move(served);
  }

  Sim* sim() { return served_->sim(); }

  SubprocessResult Kubectl(std::vector<std::string> args) {
    return RunKubectl(served_->kubeconfig(), served_->dir().path(), std::move(args),
                      absl::Seconds(60));
  }

  std::string Ok(std::vector<std::string> args) {
    SubprocessResult r = Kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << ": " << r.stderr_data;
    return r.stdout_data;
  }

  std::string Apply(const std::string& file, const std::string& manifest) {
    return Ok({"apply", "-f", served_->dir().WriteFile(file, manifest)});
  }

  std::string Replicas(const std::string& deployment) {
    return Ok({"get", "deployment", deployment, "-o", "jsonpath={.spec.replicas}"});
  }

  std::unique_ptr<ServedSim> served_;
};

TEST_F(AutoscalerE2eTest, ScalesTheFrontEndUpUnderLoadAndDownAfterTheWindow) {
  EXPECT_EQ(Apply("hpa.yaml", Hpa("front-end", "front-end", 1, 5, kCpu50)),
            "horizontalpodautoscaler.autoscaling/front-end created\n");
  // Synced at once: the idle front-end's CPU against its 100m request.
  EXPECT_EQ(Ok({"get", "hpa"}),
            "NAME        REFERENCE              TARGETS       MINPODS   MAXPODS   REPLICAS   AGE\n"
            "front-end   Deployment/front-end   cpu: 4%/50%   1         5         1          0s\n");
  EXPECT_EQ(Apply("load.yaml", LoadJob(600)), "job.batch/load created\n");
  sim()->AdvanceBy(absl::Seconds(20));
  // 1 -> 5 in one sync: the default scale-up policy allows 4 pods (or 100%) per 15 s.
  EXPECT_EQ(Replicas("front-end"), "5");
  EXPECT_EQ(Ok({"get", "events", "--field-selector", "reason=SuccessfulRescale", "-o",
                "jsonpath={.items[*].message}"}),
            "New size: 5; reason: cpu resource utilization (percentage of request) above "
            "target");
  std::string described = Ok({"describe", "hpa", "front-end"});
  EXPECT_TRUE(absl::StrContains(described,
                                "Deployment pods:                                   "
                                "    1 current / 5 desired"))
      << described;
  EXPECT_TRUE(absl::StrContains(described, "AbleToScale     True    SucceededRescale"))
      << described;
  // The load stops (Locust, failing, would be run again by the Job); the recommendations of
  // the last 5 minutes keep it at 5 ...
  EXPECT_EQ(Ok({"delete", "job", "load"}), "job.batch \"load\" deleted\n");
  sim()->AdvanceBy(absl::Minutes(3));
  EXPECT_EQ(Replicas("front-end"), "5");
  described = Ok({"describe", "hpa", "front-end"});
  EXPECT_TRUE(absl::StrContains(described, "AbleToScale     True    ScaleDownStabilized"))
      << described;
  // ... and then it scales down to the minimum.
  sim()->AdvanceBy(absl::Minutes(3));
  EXPECT_EQ(Replicas("front-end"), "1");
  EXPECT_EQ(Ok({"get", "events", "--field-selector", "reason=SuccessfulRescale", "-o",
                "jsonpath={.items[*].message}"}),
            "New size: 5; reason: cpu resource utilization (percentage of request) above "
            "target New size: 1; reason: All metrics below target");
}

// The guide's remediation as an agent types it: kubectl autoscale sends an autoscaling/v1 HPA
// in protobuf; it is stored as v2 and read back in either version.
TEST_F(AutoscalerE2eTest, KubectlAutoscaleCreatesAnHpaReadableInBothVersions) {
  EXPECT_EQ(Ok({"autoscale", "deployment", "front-end", "--cpu-percent=50", "--min=2", "--max=6"}),
            "horizontalpodautoscaler.autoscaling/front-end autoscaled\n");
  // Synced at once: 4% is under the target, but the minimum is 2.
  EXPECT_EQ(Replicas("front-end"), "2");
  EXPECT_EQ(Ok({"get", "hpa", "front-end", "-o",
                "jsonpath={.apiVersion} {.spec.minReplicas} {.spec.maxReplicas} "
                "{.spec.metrics[0].resource.target.averageUtilization}"}),
            "autoscaling/v2 2 6 50");
  nlohmann::json v1 = nlohmann::json::parse(
      Ok({"get", "--raw",
          "/apis/autoscaling/v1/namespaces/sock-shop/horizontalpodautoscalers/"
          "front-end"}));
  EXPECT_EQ(v1["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(v1["spec"], nlohmann::json::parse(R"({"maxReplicas": 6, "minReplicas": 2,
      "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "front-end"},
      "targetCPUUtilizationPercentage": 50})"));
  EXPECT_EQ(v1["status"]["desiredReplicas"], 2);
  EXPECT_EQ(v1["status"]["currentCPUUtilizationPercentage"], 4);
  // A merge patch in v1 changes the stored v2 object.
  httplib::Client http("127.0.0.1", served_->port());
  auto patched = http.Patch(
      "/apis/autoscaling/v1/namespaces/sock-shop/horizontalpodautoscalers/front-end",
      R"({"spec":{"targetCPUUtilizationPercentage":70}})", "application/merge-patch+json");
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 200) << patched->body;
  EXPECT_EQ(nlohmann::json::parse(patched->body)["spec"]["targetCPUUtilizationPercentage"], 70);
  EXPECT_EQ(Ok({"get", "hpa", "front-end", "-o",
                "jsonpath={.spec.metrics[0].resource.target.averageUtilization}"}),
            "70");
}

TEST_F(AutoscalerE2eTest, DefaultsValidationAndAMissingTargetAsOnKind) {
  // Unset minReplicas and metrics get the API server's defaults: 1 and CPU at 80%.
  Apply("nosuch.yaml", Hpa("nosuch", "nosuch", 0, 3, ""));
  EXPECT_EQ(Ok({"get", "hpa", "nosuch", "-o",
                "jsonpath={.spec.minReplicas} {.spec.metrics[0].resource.target}"}),
            "1 {\"averageUtilization\":80,\"type\":\"Utilization\"}");
  std::vector<std::string> row =
      absl::StrSplit(Ok({"get", "hpa", "nosuch", "--no-headers"}), "   ", absl::SkipEmpty());
  ASSERT_GE(row.size(), 3u);
  EXPECT_EQ(row[2], "cpu: <unknown>/80%");
  std::string described = Ok({"describe", "hpa", "nosuch"});
  EXPECT_TRUE(absl::StrContains(
      described,
      "AbleToScale  False   FailedGetScale  the HPA controller was unable to get the target's "
      "current scale: deployments/scale.apps \"nosuch\" not found"))
      << described;
  EXPECT_TRUE(absl::StrContains(described, "Warning  FailedGetScale") &&
              absl::StrContains(described, "deployments/scale.apps \"nosuch\" not found"))
      << described;

  SubprocessResult bad =
      Kubectl({"apply", "-f", served_->dir().WriteFile("bad.yaml", Hpa("bad", "", 3, 0, ""))});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.stderr_data,
            "The HorizontalPodAutoscaler \"bad\" is invalid: \n"
            "* spec.scaleTargetRef.name: Required value\n"
            "* spec.maxReplicas: Invalid value: 0: must be greater than 0\n"
            "* spec.maxReplicas: Invalid value: 0: must be greater than or equal to "
            "`minReplicas`\n");
}

}  // namespace
}  // namespace sre_eval
