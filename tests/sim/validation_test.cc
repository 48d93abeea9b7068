#include "sim/store/validation.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace sre_eval {
namespace sim {
namespace {

TEST(SimQuantityTest, ReadsEveryFormTheApiServerAccepts) {
  EXPECT_EQ(QuantityMillis("100m"), 100.0L);
  EXPECT_EQ(QuantityMillis("1"), 1000.0L);
  EXPECT_EQ(QuantityMillis("0.5"), 500.0L);
  EXPECT_EQ(QuantityMillis("200Mi"), 200.0L * 1048576 * 1000);
  EXPECT_EQ(QuantityMillis("1Gi"), 1073741824.0L * 1000);
  EXPECT_EQ(QuantityMillis("1G"), 1e12L);
  EXPECT_EQ(QuantityMillis("1e3"), 1e6L);
  EXPECT_EQ(QuantityMillis("1E3"), 1e6L);
  EXPECT_EQ(QuantityMillis("2k"), 2e6L);
  EXPECT_EQ(QuantityMillis(""), std::nullopt);
  EXPECT_EQ(QuantityMillis("Mi"), std::nullopt);
  EXPECT_EQ(QuantityMillis("12 Mi"), std::nullopt);
  EXPECT_EQ(QuantityMillis("abc"), std::nullopt);
}

nlohmann::json Deployment(const nlohmann::json& resources) {
  nlohmann::json d;
  d["metadata"]["name"] = "front-end";
  nlohmann::json first = {{"name", "a"}};
  first["resources"]["limits"]["cpu"] = "1";
  nlohmann::json second = {{"name", "b"}, {"resources", resources}};
  d["spec"]["template"]["spec"]["containers"] = nlohmann::json::array({first, second});
  return d;
}

TEST(ValidateObjectTest, ARequestOverItsLimitIsInvalid) {
  EXPECT_TRUE(ValidateObject("deployments",
                             Deployment({{"requests", {{"cpu", "100m"}, {"memory", "300Mi"}}},
                                         {"limits", {{"cpu", "0.1"}, {"memory", "1000Mi"}}}}))
                  .ok());
  absl::Status s = ValidateObject("deployments", Deployment({{"requests", {{"memory", "300Mi"}}},
                                                             {"limits", {{"memory", "200Mi"}}}}));
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_EQ(s.message(),
            "Deployment.apps \"front-end\" is invalid: "
            "spec.template.spec.containers[1].resources.requests: Invalid value: \"300Mi\": "
            "must be less than or equal to memory limit of 200Mi");
  // Several problems are listed in brackets, cpu before memory.
  s = ValidateObject("jobs", Deployment({{"requests", {{"memory", "1Gi"}, {"cpu", "2"}}},
                                         {"limits", {{"memory", "1000Mi"}, {"cpu", "1500m"}}}}));
  EXPECT_EQ(s.message(),
            "Job.batch \"front-end\" is invalid: "
            "[spec.template.spec.containers[1].resources.requests: Invalid value: \"2\": must be "
            "less than or equal to cpu limit of 1500m, "
            "spec.template.spec.containers[1].resources.requests: Invalid value: \"1Gi\": must "
            "be less than or equal to memory limit of 1000Mi]");
  // A pod's containers are under spec; other resources are not checked.
  nlohmann::json pod;
  pod["metadata"]["name"] = "p";
  nlohmann::json init;
  init["resources"]["requests"]["cpu"] = "2";
  init["resources"]["limits"]["cpu"] = "1";
  pod["spec"]["initContainers"] = nlohmann::json::array({init});
  EXPECT_EQ(ValidateObject("pods", pod).message(),
            "Pod \"p\" is invalid: spec.initContainers[0].resources.requests: Invalid value: "
            "\"2\": must be less than or equal to cpu limit of 1");
  EXPECT_TRUE(ValidateObject("configmaps", pod).ok());
  // What is not a quantity fails the decoding, before validation: a 400.
  absl::Status bad = ValidateObject(
      "deployments", Deployment({{"requests", {{"cpu", "lots"}}}, {"limits", {{"cpu", "1"}}}}));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "Deployment in version \"v1\" cannot be handled as a Deployment: quantities must "
            "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST(ValidateUpdateTest, ASelectorIsImmutableOnceSet) {
  nlohmann::json old = {{"metadata", {{"name", "d"}}},
                        {"spec", {{"selector", {{"matchLabels", {{"name", "d"}}}}}}}};
  nlohmann::json changed = old;
  changed["spec"]["selector"] = {
      {"matchExpressions", {{{"key", "tier"}, {"operator", "In"}, {"values", {"a", "b"}}}}}};
  absl::Status s = ValidateUpdate("deployments", old, changed);
  EXPECT_EQ(s.message(),
            "Deployment.apps \"d\" is invalid: spec.selector: Invalid value: "
            "v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{"
            "Key:\"tier\", Operator:\"In\", Values:[]string{\"a\", \"b\"}}}}: field is "
            "immutable");
  EXPECT_TRUE(ValidateUpdate("deployments", old, old).ok());
  EXPECT_TRUE(ValidateUpdate("configmaps", old, changed).ok());
  // A job's selector, generated after its create, may be set once.
  nlohmann::json unset = {{"metadata", {{"name", "j"}}}, {"spec", nlohmann::json::object()}};
  EXPECT_TRUE(ValidateUpdate("jobs", unset, old).ok());
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
